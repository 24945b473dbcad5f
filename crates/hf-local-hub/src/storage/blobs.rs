//! Content-addressed blob files: written to `tmp/`, fsynced, renamed into place.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};

use super::git::blob_sha1;
use super::{Paths, StoreError};

/// True when `s` is exactly `len` lowercase hex digits.
pub fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Path of an LFS object (None for a malformed id, so no path can escape the store).
pub(crate) fn lfs_file(paths: &Paths, sha256: &str) -> Option<PathBuf> {
    is_hex(sha256, 64).then(|| paths.lfs.join(&sha256[..2]).join(sha256))
}

/// Path of a regular blob.
pub(crate) fn git_file(paths: &Paths, sha1: &str) -> Option<PathBuf> {
    is_hex(sha1, 40).then(|| paths.git.join(&sha1[..2]).join(sha1))
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A unique path in `tmp/`.
pub(crate) fn temp_path(paths: &Paths) -> PathBuf {
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    paths.tmp.join(format!(
        "{}-{n}-{:016x}",
        std::process::id(),
        fastrand::u64(..)
    ))
}

/// Removes a temp file on drop unless disarmed.
struct TempGuard(Option<PathBuf>);

impl Drop for TempGuard {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Fsyncs `tmp`, renames it to `dest` and fsyncs the destination folder.
fn publish(tmp: &Path, dest: &Path) -> Result<(), StoreError> {
    let dir = dest
        .parent()
        .ok_or_else(|| StoreError::Internal(format!("no parent folder for {}", dest.display())))?;
    std::fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
    File::open(tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| StoreError::io(tmp, e))?;
    std::fs::rename(tmp, dest).map_err(|e| StoreError::io(dest, e))?;
    if let Ok(d) = File::open(dir) {
        // Best effort: makes the rename itself durable on filesystems that need it.
        let _ = d.sync_all();
    }
    Ok(())
}

/// Stores a regular file's bytes; returns (git sha1, size).
pub(crate) fn write_regular(paths: &Paths, content: &[u8]) -> Result<(String, u64), StoreError> {
    let sha1 = blob_sha1(content);
    let dest = git_file(paths, &sha1)
        .ok_or_else(|| StoreError::Internal("computed sha1 is not hex".into()))?;
    let size = content.len() as u64;
    if dest.exists() {
        return Ok((sha1, size));
    }
    let tmp = temp_path(paths);
    let mut guard = TempGuard(Some(tmp.clone()));
    let mut f = File::create(&tmp).map_err(|e| StoreError::io(&tmp, e))?;
    f.write_all(content).map_err(|e| StoreError::io(&tmp, e))?;
    drop(f);
    publish(&tmp, &dest)?;
    guard.0 = None;
    Ok((sha1, size))
}

/// Reads a regular blob fully (callers bound the size first).
pub(crate) fn read_regular(paths: &Paths, sha1: &str) -> Result<Bytes, StoreError> {
    let p =
        git_file(paths, sha1).ok_or_else(|| StoreError::Internal(format!("bad blob id {sha1}")))?;
    std::fs::read(&p)
        .map(Bytes::from)
        .map_err(|e| StoreError::io(&p, e))
}

/// Size of an LFS object if stored.
pub(crate) fn lfs_size(paths: &Paths, sha256: &str) -> Result<Option<u64>, StoreError> {
    let Some(p) = lfs_file(paths, sha256) else {
        return Ok(None);
    };
    match std::fs::metadata(&p) {
        Ok(m) => Ok(Some(m.len())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StoreError::io(&p, e)),
    }
}

fn check_sha(sha256: &str) -> Result<PathBuf, StoreError> {
    if is_hex(sha256, 64) {
        Ok(PathBuf::from(sha256))
    } else {
        Err(StoreError::BadRequest(format!(
            "invalid LFS oid {sha256:?}: expected 64 lowercase hex digits"
        )))
    }
}

fn verify(
    sha256: &str,
    expected_size: Option<u64>,
    actual_sha: &str,
    actual_size: u64,
) -> Result<(), StoreError> {
    if let Some(size) = expected_size
        && size != actual_size
    {
        return Err(StoreError::LfsMismatch(format!(
            "size mismatch for LFS object {sha256}: expected {size} bytes, received {actual_size}"
        )));
    }
    if actual_sha != sha256 {
        return Err(StoreError::LfsMismatch(format!(
            "sha256 mismatch: expected {sha256}, content hashes to {actual_sha}"
        )));
    }
    Ok(())
}

#[cfg(test)]
/// Adopts a finished temp file as an LFS object.
pub(crate) fn adopt_file(
    paths: &Paths,
    sha256: &str,
    expected_size: Option<u64>,
    file: &Path,
) -> Result<u64, StoreError> {
    let guard = TempGuard(Some(file.to_path_buf()));
    check_sha(sha256)?;
    use std::io::Read;
    let mut f = File::open(file).map_err(|e| StoreError::io(file, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(|e| StoreError::io(file, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    drop(f);
    verify(sha256, expected_size, &hex::encode(hasher.finalize()), size)?;
    finish_lfs(paths, sha256, guard)?;
    Ok(size)
}

/// Moves `file`, whose hash and size the caller has checked against `sha256`, into the LFS store
/// (made durable first); an object already stored is kept and `file` removed.
pub(crate) fn adopt_verified(paths: &Paths, sha256: &str, file: &Path) -> Result<(), StoreError> {
    let guard = TempGuard(Some(file.to_path_buf()));
    check_sha(sha256)?;
    finish_lfs(paths, sha256, guard)
}

fn finish_lfs(paths: &Paths, sha256: &str, mut guard: TempGuard) -> Result<(), StoreError> {
    let dest = lfs_file(paths, sha256)
        .ok_or_else(|| StoreError::BadRequest(format!("invalid LFS oid {sha256:?}")))?;
    if dest.exists() {
        // Already stored; the guard removes the duplicate. A fresh upload restarts the object's
        // grace period before garbage collection (best effort: the object is valid either way).
        if let Ok(f) = File::options().append(true).open(&dest) {
            let _ = f.set_modified(std::time::SystemTime::now());
        }
        return Ok(());
    }
    if let Some(tmp) = guard.0.clone() {
        publish(&tmp, &dest)?;
        guard.0 = None;
    }
    Ok(())
}

enum Chunk {
    Data(Bytes),
    Failed(String),
}

/// Streams a body into the LFS store (see `Store::lfs_ingest`).
pub(crate) async fn ingest_stream<S, E>(
    paths: Paths,
    sha256: &str,
    expected_size: Option<u64>,
    mut body: S,
) -> Result<u64, StoreError>
where
    S: Stream<Item = Result<Bytes, E>> + Send + Unpin,
    E: std::fmt::Display,
{
    check_sha(sha256)?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Chunk>(8);
    let sha = sha256.to_owned();
    // Hashing and writing happen on a blocking thread; the async side only forwards chunks.
    let writer = tokio::task::spawn_blocking(move || -> Result<u64, StoreError> {
        let tmp = temp_path(&paths);
        let guard = TempGuard(Some(tmp.clone()));
        let mut f = File::create(&tmp).map_err(|e| StoreError::io(&tmp, e))?;
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        while let Some(chunk) = rx.blocking_recv() {
            match chunk {
                Chunk::Data(b) => {
                    hasher.update(&b);
                    size += b.len() as u64;
                    if let Some(limit) = expected_size
                        && size > limit
                    {
                        return Err(StoreError::LfsMismatch(format!(
                            "size mismatch for LFS object {sha}: more than the announced {limit} bytes"
                        )));
                    }
                    f.write_all(&b).map_err(|e| StoreError::io(&tmp, e))?;
                }
                Chunk::Failed(msg) => {
                    return Err(StoreError::BadRequest(format!(
                        "upload body interrupted: {msg}"
                    )));
                }
            }
        }
        drop(f);
        verify(&sha, expected_size, &hex::encode(hasher.finalize()), size)?;
        finish_lfs(&paths, &sha, guard)?;
        Ok(size)
    });
    while let Some(item) = body.next().await {
        let chunk = match item {
            Ok(b) => Chunk::Data(b),
            Err(e) => Chunk::Failed(e.to_string()),
        };
        let failed = matches!(chunk, Chunk::Failed(_));
        if tx.send(chunk).await.is_err() || failed {
            break; // the writer stopped (error) or the body failed: the writer reports why
        }
    }
    drop(tx);
    writer
        .await
        .map_err(|e| StoreError::Internal(format!("LFS writer failed: {e}")))?
}
