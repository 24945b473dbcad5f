//! Request bodies: in memory, streamed, or a byte range of a file re-read on every attempt.

use std::fmt;
use std::fs::File;
use std::future::Future;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use futures_util::Stream;
use http_body::{Frame, SizeHint};
use tokio::task::JoinHandle;

/// File ranges are sent in chunks of this size, so a 5 GiB part never sits in memory.
const FILE_CHUNK: usize = 256 * 1024;

type BoxStream = Pin<Box<dyn Stream<Item = Result<Bytes, io::Error>> + Send>>;
/// A chunk read on the blocking pool, with the file handed back for the next one.
type ReadTask = JoinHandle<(File, io::Result<Bytes>)>;

/// A request body.
///
/// In-memory bodies and [`Body::file_range`] are *replayable*: the retry and redirect layers can
/// send them again. [`Body::from_stream`] bodies are sent once and never retried.
pub struct Body {
    kind: Kind,
}

enum Kind {
    Empty,
    Full(Option<Bytes>),
    Stream(BoxStream),
    File(FileRange),
}

struct FileRange {
    path: PathBuf,
    offset: u64,
    len: u64,
    state: FileState,
}

/// Each chunk is read by a blocking task straight into the buffer that is sent (no copy
/// between buffers), and the next chunk is read while the current one is being sent.
enum FileState {
    Start,
    Opening(JoinHandle<io::Result<File>>),
    /// The read of the next chunk is in flight; `remaining` bytes are still to be sent.
    Reading {
        read: ReadTask,
        remaining: u64,
    },
    Done,
}

/// Reads the next `want` bytes of `file` (fewer only at its end) on the blocking pool.
fn spawn_read(file: File, want: usize) -> ReadTask {
    tokio::task::spawn_blocking(move || {
        // `read_to_end` fills the reserved capacity without zeroing it first.
        let mut buf = Vec::with_capacity(want);
        let mut limited = file.take(want as u64);
        let read = limited.read_to_end(&mut buf);
        (limited.into_inner(), read.map(|_| Bytes::from(buf)))
    })
}

fn chunk_len(remaining: u64) -> usize {
    usize::try_from(remaining)
        .unwrap_or(usize::MAX)
        .min(FILE_CHUNK)
}

impl Body {
    /// No body.
    pub fn empty() -> Self {
        Body { kind: Kind::Empty }
    }

    /// A streamed body. It cannot be replayed, so a request carrying it is never retried and
    /// never follows a 307/308 redirect.
    pub fn from_stream(
        stream: impl Stream<Item = Result<Bytes, io::Error>> + Send + 'static,
    ) -> Self {
        Body {
            kind: Kind::Stream(Box::pin(stream)),
        }
    }

    /// `len` bytes of the file at `path` starting at `offset`, read in chunks when sent. The file
    /// is reopened for every attempt, so the body is replayable without being held in memory.
    /// A file shorter than `offset + len` fails the request with an I/O error naming the path.
    pub fn file_range(path: impl Into<PathBuf>, offset: u64, len: u64) -> Self {
        Body {
            kind: Kind::File(FileRange {
                path: path.into(),
                offset,
                len,
                state: FileState::Start,
            }),
        }
    }

    /// A fresh copy for another attempt, or `None` for a streamed body.
    pub fn try_clone(&self) -> Option<Body> {
        let kind = match &self.kind {
            Kind::Empty => Kind::Empty,
            Kind::Full(bytes) => Kind::Full(bytes.clone()),
            Kind::Stream(_) => return None,
            Kind::File(range) => Kind::File(FileRange {
                path: range.path.clone(),
                offset: range.offset,
                len: range.len,
                state: FileState::Start,
            }),
        };
        Some(Body { kind })
    }

    /// Whether [`Body::try_clone`] succeeds.
    pub fn is_replayable(&self) -> bool {
        !matches!(self.kind, Kind::Stream(_))
    }

    /// The exact length when known (not for streams).
    pub fn content_length(&self) -> Option<u64> {
        http_body::Body::size_hint(self).exact()
    }

    /// The in-memory bytes, if this is an in-memory body (used for logging sizes and tests).
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match &self.kind {
            Kind::Empty => Some(&[]),
            Kind::Full(bytes) => Some(bytes.as_deref().unwrap_or_default()),
            _ => None,
        }
    }
}

impl Default for Body {
    fn default() -> Self {
        Body::empty()
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Empty => f.write_str("Body::Empty"),
            Kind::Full(bytes) => write!(
                f,
                "Body::Bytes({} bytes)",
                bytes.as_ref().map_or(0, Bytes::len)
            ),
            Kind::Stream(_) => f.write_str("Body::Stream"),
            Kind::File(r) => write!(
                f,
                "Body::FileRange({}, {}+{})",
                r.path.display(),
                r.offset,
                r.len
            ),
        }
    }
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Self {
        Body {
            kind: Kind::Full(Some(bytes)),
        }
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Self {
        Bytes::from(bytes).into()
    }
}

impl From<String> for Body {
    fn from(text: String) -> Self {
        Bytes::from(text).into()
    }
}

impl From<&'static str> for Body {
    fn from(text: &'static str) -> Self {
        Bytes::from_static(text.as_bytes()).into()
    }
}

impl From<&'static [u8]> for Body {
    fn from(bytes: &'static [u8]) -> Self {
        Bytes::from_static(bytes).into()
    }
}

fn with_path(path: &Path, err: io::Error) -> io::Error {
    io::Error::new(err.kind(), format!("{}: {err}", path.display()))
}

impl FileRange {
    fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, io::Error>>> {
        loop {
            match &mut self.state {
                FileState::Start => {
                    if self.len == 0 {
                        self.state = FileState::Done;
                        continue;
                    }
                    let (path, offset) = (self.path.clone(), self.offset);
                    self.state = FileState::Opening(tokio::task::spawn_blocking(move || {
                        let mut file = File::open(&path)?;
                        file.seek(SeekFrom::Start(offset))?;
                        Ok(file)
                    }));
                }
                FileState::Opening(open) => {
                    let opened = ready!(Pin::new(open).poll(cx))
                        .unwrap_or_else(|e| Err(io::Error::other(e)));
                    match opened {
                        Ok(file) => {
                            self.state = FileState::Reading {
                                read: spawn_read(file, chunk_len(self.len)),
                                remaining: self.len,
                            };
                        }
                        Err(err) => {
                            self.state = FileState::Done;
                            return Poll::Ready(Some(Err(with_path(&self.path, err))));
                        }
                    }
                }
                FileState::Reading { read, remaining } => {
                    let (file, chunk) = match ready!(Pin::new(read).poll(cx)) {
                        Ok(done) => done,
                        Err(e) => {
                            self.state = FileState::Done;
                            return Poll::Ready(Some(Err(io::Error::other(e))));
                        }
                    };
                    let chunk = match chunk {
                        Ok(chunk) if !chunk.is_empty() => chunk,
                        Ok(_) => {
                            self.state = FileState::Done;
                            let err = io::Error::new(
                                io::ErrorKind::UnexpectedEof,
                                "file shorter than the requested range",
                            );
                            return Poll::Ready(Some(Err(with_path(&self.path, err))));
                        }
                        Err(err) => {
                            self.state = FileState::Done;
                            return Poll::Ready(Some(Err(with_path(&self.path, err))));
                        }
                    };
                    let remaining = remaining.saturating_sub(chunk.len() as u64);
                    self.state = if remaining == 0 {
                        FileState::Done
                    } else {
                        FileState::Reading {
                            read: spawn_read(file, chunk_len(remaining)),
                            remaining,
                        }
                    };
                    return Poll::Ready(Some(Ok(chunk)));
                }
                FileState::Done => return Poll::Ready(None),
            }
        }
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let chunk = match &mut self.kind {
            Kind::Empty => return Poll::Ready(None),
            Kind::Full(bytes) => {
                return Poll::Ready(
                    bytes
                        .take()
                        .filter(|b| !b.is_empty())
                        .map(|b| Ok(Frame::data(b))),
                );
            }
            Kind::Stream(stream) => ready!(stream.as_mut().poll_next(cx)),
            Kind::File(range) => ready!(range.poll_chunk(cx)),
        };
        Poll::Ready(chunk.map(|result| result.map(Frame::data)))
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Empty => true,
            Kind::Full(bytes) => bytes.as_ref().is_none_or(Bytes::is_empty),
            Kind::Stream(_) => false,
            Kind::File(range) => range.len == 0 || matches!(range.state, FileState::Done),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Empty => SizeHint::with_exact(0),
            Kind::Full(bytes) => SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64)),
            Kind::Stream(_) => SizeHint::default(),
            Kind::File(range) => SizeHint::with_exact(range.len),
        }
    }
}

#[cfg(test)]
mod tests {
    use http_body_util::BodyExt;

    use super::*;

    #[tokio::test]
    async fn file_range_reads_only_its_range_and_replays() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let data: Vec<u8> = (0..FILE_CHUNK * 2 + 10).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        let body = Body::file_range(&path, 5, (FILE_CHUNK + 100) as u64);
        assert_eq!(body.content_length(), Some((FILE_CHUNK + 100) as u64));
        let again = body.try_clone().unwrap();
        let first = body.collect().await.unwrap().to_bytes();
        assert_eq!(&first[..], &data[5..5 + FILE_CHUNK + 100]);
        assert_eq!(again.collect().await.unwrap().to_bytes(), first);
    }

    #[tokio::test]
    async fn short_file_is_an_error_naming_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("short");
        std::fs::write(&path, b"abc").unwrap();
        let err = Body::file_range(&path, 0, 10).collect().await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        assert!(err.to_string().contains("short"));
    }

    #[test]
    fn streams_are_not_replayable() {
        let stream = futures_util::stream::iter(vec![Ok(Bytes::from_static(b"x"))]);
        assert!(Body::from_stream(stream).try_clone().is_none());
        assert!(Body::from("abc").try_clone().is_some());
        assert_eq!(Body::from("abc").content_length(), Some(3));
    }
}
