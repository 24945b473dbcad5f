//! Reading the additions: size and sample for the preupload, then one streaming pass per file
//! (SHA-256 for LFS files; content and git blob SHA-1 for regular files).

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use hf_types::git_blob_sha1;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::operation::{AddSource, CommitOperationAdd};
use super::progress::SharedUploadReporter;
use crate::{Error, Result};

/// Bytes of a file's beginning sent to the preupload endpoint.
pub(crate) const SAMPLE_SIZE: usize = 512;
/// Read buffer of a reader's spool.
const READ_CHUNK: usize = 1 << 20;
/// Block size of the hashing pass.
const HASH_BLOCK: usize = 256 << 10;
/// Blocks in flight between the reading thread and the hashing one.
const HASH_BLOCKS: usize = 4;
/// Files from this size are read on a second thread while hashed.
const PIPELINE_FROM: u64 = 8 << 20;

/// Where an addition's bytes are, once its source has been opened.
#[derive(Debug, Clone)]
pub(crate) enum Data {
    /// A local file (the caller's, or the spool of a reader).
    File(PathBuf),
    /// Bytes in memory.
    Memory(Bytes),
}

/// How the Hub wants a file uploaded (protocol §6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UploadMode {
    /// In the commit request, base64.
    Regular,
    /// To LFS storage, then referenced by SHA-256.
    Lfs,
}

/// An addition with everything the commit learns about it.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub path_in_repo: String,
    pub data: Data,
    pub size: u64,
    pub sample: Vec<u8>,
    /// Keeps a reader's spool file alive until the commit is done.
    pub _spool: Option<Arc<tempfile::TempPath>>,
    pub mode: Option<UploadMode>,
    pub should_ignore: bool,
    /// The id of the file currently at that path (from the preupload answer).
    pub remote_oid: Option<String>,
    pub sha256: Option<String>,
    /// A regular file's content, read in the hashing pass and sent in the commit.
    pub content: Option<Bytes>,
    pub git_sha1: Option<String>,
    /// Mode known (and an LFS content uploaded) from an earlier step: not asked for again.
    pub uploaded: bool,
}

impl Prepared {
    /// The id the Hub would give this content at this path: SHA-256 for LFS, git SHA-1 otherwise.
    pub fn local_oid(&self) -> Option<&str> {
        match self.mode {
            Some(UploadMode::Lfs) => self.sha256.as_deref(),
            Some(UploadMode::Regular) => self.git_sha1.as_deref(),
            None => None,
        }
    }
}

fn blocking_err(e: tokio::task::JoinError) -> Error {
    Error::Task(e.to_string())
}

/// Opens an addition: its size and first bytes; a reader is spooled to a temporary file (and
/// hashed on the way, so it is read exactly once).
pub(crate) async fn probe(op: &CommitOperationAdd) -> Result<Prepared> {
    let mut prepared = Prepared {
        path_in_repo: op.path_in_repo.clone(),
        data: Data::Memory(Bytes::new()),
        size: 0,
        sample: Vec::new(),
        _spool: None,
        mode: None,
        should_ignore: false,
        remote_oid: None,
        sha256: None,
        content: None,
        git_sha1: None,
        uploaded: false,
    };
    if let Some(done) = &op.preuploaded {
        prepared.size = done.size;
        prepared.sha256 = Some(done.sha256.clone());
        prepared.mode = Some(if done.lfs {
            UploadMode::Lfs
        } else {
            UploadMode::Regular
        });
        prepared.remote_oid = done.remote_oid.clone();
        prepared.uploaded = true;
    }
    match &op.source {
        AddSource::Bytes(bytes) => {
            prepared.size = bytes.len() as u64;
            prepared.sample = bytes[..bytes.len().min(SAMPLE_SIZE)].to_vec();
            prepared.data = Data::Memory(bytes.clone());
        }
        AddSource::Path(path) => {
            let path = path.clone();
            let (size, sample) = tokio::task::spawn_blocking(move || sample_file(&path))
                .await
                .map_err(blocking_err)??;
            prepared.size = size;
            prepared.sample = sample;
            if let AddSource::Path(path) = &op.source {
                prepared.data = Data::File(path.clone());
            }
        }
        AddSource::Reader(slot) => {
            let reader = slot
                .lock()
                .map_err(|_| Error::Task("a reader's lock was poisoned".into()))?
                .take()
                .ok_or_else(|| {
                    Error::InvalidArgument(format!(
                        "the reader for {} was already consumed by an earlier commit",
                        op.path_in_repo
                    ))
                })?;
            let (spool, size, sample, sha256) = spool_reader(reader).await?;
            prepared.size = size;
            prepared.sample = sample;
            prepared.sha256 = Some(sha256);
            prepared.data = Data::File(spool.to_path_buf());
            prepared._spool = Some(Arc::new(spool));
        }
    }
    Ok(prepared)
}

/// The size and first [`SAMPLE_SIZE`] bytes of a local file.
fn sample_file(path: &Path) -> Result<(u64, Vec<u8>)> {
    let mut file = File::open(path).map_err(|e| Error::io("open", path, e))?;
    let meta = file
        .metadata()
        .map_err(|e| Error::io("read the metadata of", path, e))?;
    if meta.is_dir() {
        return Err(Error::io(
            "upload",
            path,
            std::io::Error::other("it is a folder, not a file"),
        ));
    }
    let mut sample = vec![0u8; SAMPLE_SIZE.min(meta.len() as usize)];
    file.read_exact(&mut sample)
        .map_err(|e| Error::io("read", path, e))?;
    Ok((meta.len(), sample))
}

/// Copies a reader into a temporary file, returning its size, sample and SHA-256.
async fn spool_reader(
    mut reader: super::operation::BoxReader,
) -> Result<(tempfile::TempPath, u64, Vec<u8>, String)> {
    let temp = tokio::task::spawn_blocking(tempfile::NamedTempFile::new)
        .await
        .map_err(blocking_err)?
        .map_err(|e| Error::io("create a temporary file in", std::env::temp_dir(), e))?;
    let (file, path) = temp.into_parts();
    let mut file = tokio::fs::File::from_std(file);
    let mut hasher = Sha256::new();
    let mut sample = Vec::new();
    let mut size = 0u64;
    let mut buf = vec![0u8; READ_CHUNK];
    loop {
        let n = reader
            .read(&mut buf)
            .await
            .map_err(|e| Error::io("read from the reader into", path.to_path_buf(), e))?;
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        if sample.len() < SAMPLE_SIZE {
            let take = (SAMPLE_SIZE - sample.len()).min(n);
            sample.extend_from_slice(&chunk[..take]);
        }
        hasher.update(chunk);
        size += n as u64;
        file.write_all(chunk)
            .await
            .map_err(|e| Error::io("write", path.to_path_buf(), e))?;
    }
    file.flush()
        .await
        .map_err(|e| Error::io("write", path.to_path_buf(), e))?;
    Ok((path, size, sample, hex::encode(hasher.finalize())))
}

/// The hashing pass of one addition whose mode is known: an LFS file gets its SHA-256 (streamed,
/// constant memory); a regular file is read whole (it goes in the commit request) and gets its
/// git blob SHA-1.
pub(crate) async fn hash(prepared: &mut Prepared, reporter: &SharedUploadReporter) -> Result<()> {
    match prepared.mode {
        Some(UploadMode::Lfs) if prepared.sha256.is_none() => {
            let digest = match &prepared.data {
                Data::Memory(bytes) => {
                    reporter.on_hash_progress(&prepared.path_in_repo, bytes.len() as u64);
                    hex::encode(Sha256::digest(bytes))
                }
                Data::File(path) => {
                    let path = path.clone();
                    let (reporter, name, size) = (
                        reporter.clone(),
                        prepared.path_in_repo.clone(),
                        prepared.size,
                    );
                    tokio::task::spawn_blocking(move || sha256_file(&path, size, &name, &reporter))
                        .await
                        .map_err(blocking_err)??
                }
            };
            prepared.sha256 = Some(digest);
        }
        Some(UploadMode::Regular) => {
            let content = match &prepared.data {
                Data::Memory(bytes) => bytes.clone(),
                Data::File(path) => {
                    let path = path.clone();
                    let size = prepared.size;
                    tokio::task::spawn_blocking(move || read_whole(&path, size))
                        .await
                        .map_err(blocking_err)??
                }
            };
            reporter.on_hash_progress(&prepared.path_in_repo, content.len() as u64);
            prepared.git_sha1 = Some(git_blob_sha1(&content));
            prepared.content = Some(content);
        }
        _ => {}
    }
    Ok(())
}

/// The error for a file whose size changed between the preupload and the hashing pass.
fn changed(path: &Path, expected: u64, actual: u64) -> Error {
    Error::io(
        "upload",
        path,
        std::io::Error::other(format!(
            "the file changed during the upload (size {expected} then {actual})"
        )),
    )
}

fn read_whole(path: &Path, size: u64) -> Result<Bytes> {
    let content = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    if content.len() as u64 != size {
        return Err(changed(path, size, content.len() as u64));
    }
    Ok(Bytes::from(content))
}

/// The SHA-256 of the file at `path`, which must be `size` bytes. Large files are read on a
/// second thread while this one hashes (reading from the page cache costs about a fifth of
/// hashing, so overlapping the two saves that much), through a few reused blocks small enough
/// to stay in the CPU cache between the read and the hash.
pub(crate) fn sha256_file(
    path: &Path,
    size: u64,
    name: &str,
    reporter: &SharedUploadReporter,
) -> Result<String> {
    let mut file = File::open(path).map_err(|e| Error::io("open", path, e))?;
    if size < PIPELINE_FROM {
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; HASH_BLOCK];
        let mut total = 0u64;
        loop {
            let n = file
                .read(&mut buf)
                .map_err(|e| Error::io("read", path, e))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            total += n as u64;
            reporter.on_hash_progress(name, n as u64);
        }
        if total != size {
            return Err(changed(path, size, total));
        }
        return Ok(hex::encode(hasher.finalize()));
    }
    std::thread::scope(|scope| {
        // Declared in the scope: if hashing stops early, the reader sees its channels close.
        let (full_tx, full_rx) =
            std::sync::mpsc::sync_channel::<std::io::Result<(Vec<u8>, usize)>>(HASH_BLOCKS);
        let (free_tx, free_rx) = std::sync::mpsc::channel::<Vec<u8>>();
        for _ in 0..HASH_BLOCKS {
            // Cannot fail: the receiver is alive.
            let _ = free_tx.send(vec![0u8; HASH_BLOCK]);
        }
        scope.spawn(move || {
            // Ends when the hasher stops taking blocks back (done or failed) or at the end of the file.
            while let Ok(mut buf) = free_rx.recv() {
                let read = file.read(&mut buf);
                let end = !matches!(read, Ok(n) if n > 0);
                if full_tx.send(read.map(|n| (buf, n))).is_err() || end {
                    break;
                }
            }
        });
        let mut hasher = Sha256::new();
        let mut total = 0u64;
        for block in full_rx {
            let (buf, n) = block.map_err(|e| Error::io("read", path, e))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            total += n as u64;
            reporter.on_hash_progress(name, n as u64);
            // The reader may be gone already (it stops at the end of the file, leaving blocks
            // queued here): the buffer is then simply dropped.
            let _ = free_tx.send(buf);
        }
        if total != size {
            return Err(changed(path, size, total));
        }
        Ok(hex::encode(hasher.finalize()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_files_are_hashed_whole_while_read_on_another_thread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.bin");
        let size = PIPELINE_FROM + 3 * HASH_BLOCK as u64 + 12_345;
        let bytes: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        let reporter: SharedUploadReporter = Arc::new(super::super::progress::NoUploadReporter);
        assert_eq!(
            sha256_file(&path, size, "big.bin", &reporter).unwrap(),
            hex::encode(Sha256::digest(&bytes))
        );
        // A file shorter than announced is an error, not a digest.
        let err = sha256_file(&path, size + 1, "big.bin", &reporter).unwrap_err();
        assert!(err.to_string().contains("changed"), "{err}");
    }
}
