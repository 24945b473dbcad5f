//! The blocking side of a download: writes chunks to the temp file and hashes them,
//! on its own thread so the async runtime only moves bytes.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use bytes::Bytes;
use tokio::sync::{mpsc, oneshot};

use crate::Error;
use crate::fsutil::io_err;
use crate::hash::ContentHasher;

/// Chunks in flight between the network and the disk, and again between the disk and
/// the hasher (each a network read, at most a few hundred KiB): memory stays constant
/// whatever the file size.
const QUEUE: usize = 8;
/// Read size when re-hashing a kept prefix.
const CHUNK: usize = 1 << 20;

enum Msg {
    Data(Bytes),
    /// The server ignored our `Range`: start over from byte 0.
    Restart,
    Finish(oneshot::Sender<Result<Finished, Error>>),
}

/// What the writer reports once the stream ends.
#[derive(Debug)]
pub(crate) struct Finished {
    /// Bytes in the file.
    pub len: u64,
    /// Hex digest, when the ETag is a verifiable hash.
    pub digest: Option<String>,
}

/// Handle on the writer thread.
pub(crate) struct Writer {
    tx: mpsc::Sender<Msg>,
    /// Bytes durably handed to the writer (the resume offset).
    pub offset: u64,
    path: PathBuf,
}

impl Writer {
    /// Opens (or creates) `path`, re-hashes the bytes it already holds (a previous
    /// run's partial download) so the hash state continues where they end, and starts
    /// the writer thread. A prefix longer than `size` is discarded.
    pub async fn open(path: PathBuf, etag: String, size: u64) -> Result<Writer, Error> {
        let (tx, rx) = mpsc::channel(QUEUE);
        let p = path.clone();
        let (ready_tx, ready_rx) = oneshot::channel();
        std::thread::Builder::new()
            .name("hf-cache-writer".into())
            .spawn(move || {
                let opened = open_and_rehash(&p, &etag, size);
                match opened {
                    Ok((file, hasher, offset)) => {
                        let _ = ready_tx.send(Ok(offset));
                        run(file, hasher, &p, &etag, size, offset, rx);
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                }
            })
            .map_err(io_err("start writer thread for", &path))?;
        let offset = ready_rx
            .await
            .map_err(|_| Error::Task("writer thread exited".into()))??;
        Ok(Writer { tx, offset, path })
    }

    /// Queues bytes; waits when the disk is behind.
    pub async fn write(&mut self, data: Bytes) -> Result<(), Error> {
        let n = data.len() as u64;
        self.tx
            .send(Msg::Data(data))
            .await
            .map_err(|_| self.gone())?;
        self.offset += n;
        Ok(())
    }

    /// Truncates to zero and resets the hash.
    pub async fn restart(&mut self) -> Result<(), Error> {
        self.tx.send(Msg::Restart).await.map_err(|_| self.gone())?;
        self.offset = 0;
        Ok(())
    }

    /// Flushes and returns the length and digest.
    pub async fn finish(self) -> Result<Finished, Error> {
        let (tx, rx) = oneshot::channel();
        self.tx
            .send(Msg::Finish(tx))
            .await
            .map_err(|_| self.gone())?;
        rx.await.map_err(|_| self.gone())?
    }

    fn gone(&self) -> Error {
        Error::Task(format!("writer for {} stopped", self.path.display()))
    }
}

fn open_and_rehash(
    path: &Path,
    etag: &str,
    size: u64,
) -> Result<(File, ContentHasher, u64), Error> {
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(io_err("open", path))?;
    let mut len = file.metadata().map_err(io_err("stat", path))?.len();
    if len > size {
        file.set_len(0).map_err(io_err("truncate", path))?;
        len = 0;
    }
    let mut hasher = ContentHasher::for_etag(etag, size);
    if len > 0 {
        let mut buf = vec![0u8; CHUNK];
        let mut left = len;
        while left > 0 {
            let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
            let n = file.read(&mut buf[..want]).map_err(io_err("read", path))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            left -= n as u64;
        }
        len -= left;
    }
    file.seek(SeekFrom::Start(len))
        .map_err(io_err("seek", path))?;
    Ok((file, hasher, len))
}

/// Messages from the writer thread to the hasher thread.
enum HashMsg {
    Data(Bytes),
    Reset,
    Finish(std::sync::mpsc::SyncSender<Option<String>>),
}

/// Hashes on its own thread, so hashing and disk writes overlap.
fn spawn_hasher(
    mut hasher: ContentHasher,
    etag: String,
    size: u64,
) -> std::io::Result<std::sync::mpsc::SyncSender<HashMsg>> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<HashMsg>(QUEUE);
    std::thread::Builder::new()
        .name("hf-cache-hasher".into())
        .spawn(move || {
            while let Ok(msg) = rx.recv() {
                match msg {
                    HashMsg::Data(d) => hasher.update(&d),
                    HashMsg::Reset => hasher = ContentHasher::for_etag(&etag, size),
                    HashMsg::Finish(reply) => {
                        let _ = reply.send(hasher.finish());
                        return;
                    }
                }
            }
        })?;
    Ok(tx)
}

/// Files up to this size are hashed on the writer thread itself: a second thread per file
/// costs more than it overlaps (a snapshot of many small files would pay it per file).
const INLINE_HASH_MAX: u64 = 4 << 20;

/// Where the bytes are hashed: inline, or on a hasher thread for large files.
enum Hashing {
    Inline(ContentHasher),
    Thread(std::sync::mpsc::SyncSender<HashMsg>),
    /// The hasher thread could not start (the error is reported at `Finish`).
    Failed,
}

impl Hashing {
    fn new(hasher: ContentHasher, etag: &str, size: u64) -> std::io::Result<Hashing> {
        if size <= INLINE_HASH_MAX {
            return Ok(Hashing::Inline(hasher));
        }
        spawn_hasher(hasher, etag.to_owned(), size).map(Hashing::Thread)
    }

    fn data(&mut self, data: &Bytes) {
        match self {
            Hashing::Inline(h) => h.update(data),
            Hashing::Thread(tx) => {
                let _ = tx.send(HashMsg::Data(data.clone()));
            }
            Hashing::Failed => {}
        }
    }

    fn reset(&mut self, etag: &str, size: u64) {
        match self {
            Hashing::Inline(h) => *h = ContentHasher::for_etag(etag, size),
            Hashing::Thread(tx) => {
                let _ = tx.send(HashMsg::Reset);
            }
            Hashing::Failed => {}
        }
    }

    fn finish(self) -> Result<Option<String>, Error> {
        match self {
            Hashing::Inline(h) => Ok(h.finish()),
            Hashing::Thread(tx) => {
                let (dtx, drx) = std::sync::mpsc::sync_channel(1);
                let _ = tx.send(HashMsg::Finish(dtx));
                drx.recv()
                    .map_err(|_| Error::Task("hasher thread stopped".into()))
            }
            Hashing::Failed => Err(Error::Task("hasher thread did not start".into())),
        }
    }
}

fn run(
    mut file: File,
    hasher: ContentHasher,
    path: &Path,
    etag: &str,
    size: u64,
    mut len: u64,
    mut rx: mpsc::Receiver<Msg>,
) {
    let mut failed: Option<Error> = None;
    let mut hashing = match Hashing::new(hasher, etag, size) {
        Ok(h) => h,
        Err(e) => {
            failed = Some(io_err("start hasher thread for", path)(e));
            Hashing::Failed
        }
    };
    while let Some(msg) = rx.blocking_recv() {
        match msg {
            Msg::Data(data) => {
                if failed.is_some() {
                    continue;
                }
                hashing.data(&data);
                match crate::pool::write_all(&mut file, &data) {
                    Ok(()) => len += data.len() as u64,
                    Err(e) => failed = Some(io_err("write", path)(e)),
                }
            }
            Msg::Restart => {
                hashing.reset(etag, size);
                len = 0;
                if let Err(e) = file
                    .set_len(0)
                    .and_then(|()| file.seek(SeekFrom::Start(0)).map(|_| ()))
                {
                    failed = Some(io_err("truncate", path)(e));
                }
            }
            Msg::Finish(reply) => {
                let result = match failed.take() {
                    Some(e) => Err(e),
                    None => file
                        .flush()
                        .map_err(io_err("write", path))
                        .and_then(|()| hashing.finish())
                        .map(|digest| Finished { len, digest }),
                };
                let _ = reply.send(result);
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::sha256_hex;

    #[tokio::test]
    async fn resumes_hash_state_from_existing_prefix() {
        // Below and above INLINE_HASH_MAX: hashed on the writer thread, then on its own thread.
        for size in [3_000_000u32, 5_000_000] {
            resume_case(size).await;
        }
    }

    async fn resume_case(size: u32) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.incomplete");
        let data: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        let etag = sha256_hex(&data);
        std::fs::write(&p, &data[..1_234_567]).unwrap();
        let mut w = Writer::open(p.clone(), etag.clone(), data.len() as u64)
            .await
            .unwrap();
        assert_eq!(w.offset, 1_234_567);
        w.write(Bytes::copy_from_slice(&data[1_234_567..]))
            .await
            .unwrap();
        let f = w.finish().await.unwrap();
        assert_eq!(f.len, data.len() as u64);
        assert_eq!(f.digest.as_deref(), Some(etag.as_str()));

        let mut w = Writer::open(p.clone(), etag.clone(), data.len() as u64)
            .await
            .unwrap();
        w.restart().await.unwrap();
        w.write(Bytes::copy_from_slice(&data)).await.unwrap();
        assert_eq!(
            w.finish().await.unwrap().digest.as_deref(),
            Some(etag.as_str())
        );
    }
}
