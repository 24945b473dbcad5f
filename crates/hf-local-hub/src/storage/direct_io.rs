//! Multipart staging I/O around the page cache (`O_DIRECT`), where the file system allows it.
//!
//! A part's bytes are written once and read back once, to be hashed. Through the page cache, the
//! write copies them into newly allocated cache pages, whose first touch is expensive on a virtual
//! machine (issue 17: on the 2-core VM, a 2 GiB upload cost the hub 3 to 8.5 CPU seconds from one
//! run to the next, up to 62% of it in that copy). Written around the cache, 2 GiB cost 0.2-0.7 CPU
//! seconds against 1.8-5.3 for a buffered write and its `fdatasync` (`dd`, same machine).
//!
//! Direct I/O needs aligned buffers, offsets and lengths. Whole aligned blocks go around the cache;
//! whatever is not aligned (the end of the last part, a part size that is not a multiple of
//! [`ALIGN`]) and everything on a file system that refuses direct I/O goes through
//! it, so the bytes stored never depend on which path they took.

use std::fs::File;
use std::path::Path;

#[cfg(unix)]
use std::os::unix::fs::FileExt;

/// Alignment of direct I/O buffers, offsets and lengths: the largest logical block size in use.
pub(super) const ALIGN: usize = 4096;

/// A buffer of `capacity` bytes (a multiple of [`ALIGN`]) that starts at an aligned address.
pub(super) struct AlignedBuf {
    raw: Vec<u8>,
    start: usize,
    capacity: usize,
    len: usize,
}

impl AlignedBuf {
    /// A zeroed buffer of at least `capacity` bytes, rounded up to [`ALIGN`].
    pub(super) fn new(capacity: usize) -> AlignedBuf {
        let capacity = capacity.max(1).next_multiple_of(ALIGN);
        let raw = vec![0u8; capacity + ALIGN];
        // `align_offset` may answer "impossible" (usize::MAX); the buffer then only serves
        // buffered I/O, see `aligned`.
        let start = raw.as_ptr().align_offset(ALIGN).min(ALIGN);
        AlignedBuf {
            raw,
            start,
            capacity,
            len: 0,
        }
    }

    /// Whether the buffer's start is aligned, so that it may be used for direct I/O.
    fn aligned(&self) -> bool {
        self.start < ALIGN
    }

    fn is_full(&self) -> bool {
        self.len == self.capacity
    }

    /// Copies as much of `bytes` as fits; returns how much.
    fn fill(&mut self, bytes: &[u8]) -> usize {
        let n = bytes.len().min(self.capacity - self.len);
        let at = self.start + self.len;
        self.raw[at..at + n].copy_from_slice(&bytes[..n]);
        self.len += n;
        n
    }

    fn filled(&self) -> &[u8] {
        &self.raw[self.start..self.start + self.len]
    }

    /// The first `len` bytes (at most the capacity), for reading into.
    fn space(&mut self, len: usize) -> &mut [u8] {
        let len = len.min(self.capacity);
        &mut self.raw[self.start..self.start + len]
    }

    /// The first `len` bytes (at most the capacity), as read.
    fn head(&self, len: usize) -> &[u8] {
        let len = len.min(self.capacity);
        &self.raw[self.start..self.start + len]
    }
}

/// Opens `path` for direct I/O, or `None` where that is not possible.
#[cfg(target_os = "linux")]
fn open_direct(path: &Path, write: bool) -> Option<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let flags = i32::try_from(rustix::fs::OFlags::DIRECT.bits()).ok()?;
    std::fs::OpenOptions::new()
        .read(!write)
        .write(write)
        .custom_flags(flags)
        .open(path)
        .ok()
}

#[cfg(not(target_os = "linux"))]
fn open_direct(_path: &Path, _write: bool) -> Option<File> {
    None
}

/// Whether a direct transfer was refused for its alignment or by the file system (and should be
/// done through the page cache instead), rather than failing for a reason that would fail either way.
#[cfg(target_os = "linux")]
fn refused(error: &std::io::Error) -> bool {
    error.raw_os_error() == Some(rustix::io::Errno::INVAL.raw_os_error())
}

#[cfg(not(target_os = "linux"))]
fn refused(_error: &std::io::Error) -> bool {
    false
}

#[cfg(unix)]
fn write_at(file: &File, bytes: &[u8], offset: u64) -> std::io::Result<()> {
    file.write_all_at(bytes, offset)
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    loop {
        match file.read_at(buf, offset) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

#[cfg(windows)]
fn write_at(file: &File, mut bytes: &[u8], mut offset: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !bytes.is_empty() {
        let n = file.seek_write(bytes, offset)?;
        if n == 0 {
            return Err(std::io::ErrorKind::WriteZero.into());
        }
        bytes = &bytes[n..];
        offset += n as u64;
    }
    Ok(())
}

#[cfg(windows)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    use std::os::windows::fs::FileExt;
    file.seek_read(buf, offset)
}

/// Writes one part's bytes from its offset on: gathered into an aligned buffer, written around the
/// page cache in whole blocks when possible, through it otherwise.
pub(super) struct StagingWriter<'a> {
    buffered: &'a File,
    direct: Option<File>,
    buf: AlignedBuf,
    /// File offset of the buffer's first byte.
    pos: u64,
}

impl<'a> StagingWriter<'a> {
    /// A writer of `path` (open as `buffered`) from `offset`, buffering `capacity` bytes.
    pub(super) fn new(
        path: &Path,
        buffered: &'a File,
        offset: u64,
        capacity: usize,
    ) -> StagingWriter<'a> {
        let buf = AlignedBuf::new(capacity);
        let direct = if offset.is_multiple_of(ALIGN as u64) && buf.aligned() {
            open_direct(path, true)
        } else {
            None
        };
        StagingWriter {
            buffered,
            direct,
            buf,
            pos: offset,
        }
    }

    /// A writer that never bypasses the page cache (for tests of both paths).
    #[cfg(test)]
    fn buffered_only(buffered: &'a File, offset: u64, capacity: usize) -> StagingWriter<'a> {
        StagingWriter {
            buffered,
            direct: None,
            buf: AlignedBuf::new(capacity),
            pos: offset,
        }
    }

    /// Whether whole blocks currently bypass the page cache.
    #[cfg(test)]
    fn is_direct(&self) -> bool {
        self.direct.is_some()
    }

    /// Copies as much of `bytes` into the buffer as fits; returns how much. When the buffer is
    /// [`full`](Self::is_full), [`flush`](Self::flush) it.
    pub(super) fn fill(&mut self, bytes: &[u8]) -> usize {
        self.buf.fill(bytes)
    }

    /// Whether the buffer must be flushed before more bytes fit.
    pub(super) fn is_full(&self) -> bool {
        self.buf.is_full()
    }

    /// Writes the buffered bytes at their offset and empties the buffer.
    pub(super) fn flush(&mut self) -> std::io::Result<()> {
        let len = self.buf.len;
        let whole = if self.direct.is_some() {
            len - len % ALIGN
        } else {
            0
        };
        if whole > 0
            && let Some(direct) = &self.direct
        {
            match write_at(direct, &self.buf.filled()[..whole], self.pos) {
                Ok(()) => {}
                Err(e) if refused(&e) => {
                    // Written again below, through the cache, from the same offset.
                    self.direct = None;
                    return self.flush();
                }
                Err(e) => return Err(e),
            }
        }
        write_at(
            self.buffered,
            &self.buf.filled()[whole..],
            self.pos + whole as u64,
        )?;
        self.pos += len as u64;
        self.buf.len = 0;
        Ok(())
    }
}

/// Reads ranges of a staged file, around the page cache where possible, for hashing.
pub(super) struct StagingReader {
    buffered: File,
    direct: Option<File>,
    buf: AlignedBuf,
}

impl StagingReader {
    /// Opens `path`, with reads of up to `capacity` bytes at a time.
    pub(super) fn open(path: &Path, capacity: usize) -> std::io::Result<StagingReader> {
        let buffered = File::open(path)?;
        let buf = AlignedBuf::new(capacity);
        let direct = if buf.aligned() {
            open_direct(path, false)
        } else {
            None
        };
        Ok(StagingReader {
            buffered,
            direct,
            buf,
        })
    }

    /// A reader that never bypasses the page cache (for tests of both paths).
    #[cfg(test)]
    fn buffered_only(path: &Path, capacity: usize) -> std::io::Result<StagingReader> {
        Ok(StagingReader {
            buffered: File::open(path)?,
            direct: None,
            buf: AlignedBuf::new(capacity),
        })
    }

    /// The open file (for its metadata).
    pub(super) fn file(&self) -> &File {
        &self.buffered
    }

    /// Calls `each` with the bytes `[start, end)` of the file, in order, a buffer at a time. The
    /// file ending before `end` is an `UnexpectedEof` error. Past a few buffers, the reads run on
    /// a scoped thread [`READ_AHEAD`] buffers ahead of `each`: a direct read waits for the disk,
    /// and the wait overlaps the hashing of the previous buffer instead of adding to it.
    pub(super) fn read_range(
        &mut self,
        start: u64,
        end: u64,
        mut each: impl FnMut(&[u8]),
    ) -> std::io::Result<()> {
        let capacity = self.buf.capacity as u64;
        if end.saturating_sub(start) <= capacity * READ_AHEAD as u64 {
            let mut blocks = Blocks::new(&self.buffered, self.direct.as_ref(), start, end);
            while let Some(used) = blocks.next_into(&mut self.buf)? {
                each(self.buf.head(used));
            }
            return Ok(());
        }
        let capacity = self.buf.capacity;
        let (buffered, direct) = (&self.buffered, self.direct.as_ref());
        std::thread::scope(|scope| {
            let (full_tx, full_rx) =
                std::sync::mpsc::sync_channel::<std::io::Result<(AlignedBuf, usize)>>(READ_AHEAD);
            let (free_tx, free_rx) = std::sync::mpsc::sync_channel::<AlignedBuf>(READ_AHEAD);
            for _ in 0..READ_AHEAD {
                // The receiver is alive and the channel has room for every buffer.
                let _ = free_tx.send(AlignedBuf::new(capacity));
            }
            scope.spawn(move || {
                let mut blocks = Blocks::new(buffered, direct, start, end);
                // Stops when the consumer is gone (it returned) or after an error or the end.
                while let Ok(mut buf) = free_rx.recv() {
                    match blocks.next_into(&mut buf) {
                        Ok(Some(used)) => {
                            if full_tx.send(Ok((buf, used))).is_err() {
                                return;
                            }
                        }
                        Ok(None) => return,
                        Err(e) => {
                            let _ = full_tx.send(Err(e));
                            return;
                        }
                    }
                }
            });
            // Ends when the reader has sent its last buffer (or its error) and dropped its sender.
            for item in full_rx {
                let (buf, used) = item?;
                each(buf.head(used));
                let _ = free_tx.send(buf);
            }
            Ok(())
        })
    }
}

/// Buffers kept in flight by [`StagingReader::read_range`].
const READ_AHEAD: usize = 3;

/// Consecutive reads of `[pos, end)` of one file, whole blocks around the page cache where the
/// offset allows it.
struct Blocks<'f> {
    buffered: &'f File,
    direct: Option<&'f File>,
    pos: u64,
    end: u64,
}

impl<'f> Blocks<'f> {
    fn new(buffered: &'f File, direct: Option<&'f File>, start: u64, end: u64) -> Blocks<'f> {
        Blocks {
            buffered,
            direct,
            pos: start,
            end,
        }
    }

    /// Reads the next bytes into `buf`; returns how many of them belong to the range, or `None`
    /// at its end.
    fn next_into(&mut self, buf: &mut AlignedBuf) -> std::io::Result<Option<usize>> {
        if self.pos >= self.end {
            return Ok(None);
        }
        let left = usize::try_from(self.end - self.pos)
            .unwrap_or(usize::MAX)
            .min(buf.capacity);
        let n = loop {
            match self.direct {
                // Whole blocks, possibly past `end` (or the end of the file, where the read is
                // short): only the bytes up to `end` are used. The capacity is a multiple of
                // ALIGN, so the rounded length fits.
                Some(direct) if self.pos.is_multiple_of(ALIGN as u64) => {
                    match read_at(direct, buf.space(left.next_multiple_of(ALIGN)), self.pos) {
                        Ok(n) => break n,
                        Err(e) if refused(&e) => self.direct = None,
                        Err(e) => return Err(e),
                    }
                }
                _ => break read_at(self.buffered, buf.space(left), self.pos)?,
            }
        };
        if n == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "staged file ended early",
            ));
        }
        let used = n.min(left);
        self.pos += used as u64;
        Ok(Some(used))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `len` bytes that differ from one position to the next.
    fn pattern(len: usize, seed: u8) -> Vec<u8> {
        (0..len)
            .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 12) as u8)
            .collect()
    }

    /// Writes `bytes` at `offset` of `path` in pieces of `piece` bytes, as `stage_part` does.
    fn write_part(path: &Path, offset: u64, bytes: &[u8], piece: usize, direct: bool) -> bool {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .unwrap();
        let mut writer = if direct {
            StagingWriter::new(path, &file, offset, 64 << 10)
        } else {
            StagingWriter::buffered_only(&file, offset, 64 << 10)
        };
        let was_direct = writer.is_direct();
        for mut rest in bytes.chunks(piece) {
            while !rest.is_empty() {
                let n = writer.fill(rest);
                rest = &rest[n..];
                if writer.is_full() {
                    writer.flush().unwrap();
                }
            }
        }
        writer.flush().unwrap();
        was_direct
    }

    #[test]
    fn parts_written_either_way_read_back_the_same_from_any_offset() {
        let dir = tempfile::tempdir().unwrap();
        let probe = dir.path().join("probe");
        std::fs::write(&probe, b"").unwrap();
        let supported = open_direct(&probe, false).is_some();
        // Part sizes that are and are not multiples of the alignment, the last one short.
        for (chunk, parts, last) in [(40_960usize, 5, 1_234usize), (10_000, 4, 10_000)] {
            let object: Vec<u8> = pattern(chunk * (parts - 1) + last, chunk as u8);
            for direct in [true, false] {
                let path = dir.path().join(format!("{chunk}-{direct}"));
                // Out of order, in pieces that straddle the buffer's end.
                for part in [3usize, 0, 4, 2, 1].into_iter().filter(|p| *p < parts) {
                    let start = part * chunk;
                    let end = (start + chunk).min(object.len());
                    let went_direct =
                        write_part(&path, start as u64, &object[start..end], 7_777, direct);
                    // Direct I/O starts only at an aligned offset.
                    assert_eq!(
                        went_direct,
                        direct && supported && start % ALIGN == 0,
                        "part {part} of {chunk}"
                    );
                }
                assert_eq!(
                    std::fs::read(&path).unwrap(),
                    object,
                    "chunk {chunk}, direct {direct}"
                );
                for (start, end) in [
                    (0, object.len()),
                    (chunk, object.len()),
                    (chunk, 2 * chunk),
                    (1, 4_097),
                ] {
                    let mut reader = if direct {
                        StagingReader::open(&path, 8_192).unwrap()
                    } else {
                        StagingReader::buffered_only(&path, 8_192).unwrap()
                    };
                    let mut read = Vec::new();
                    reader
                        .read_range(start as u64, end as u64, |b| read.extend_from_slice(b))
                        .unwrap();
                    assert_eq!(
                        read,
                        &object[start..end],
                        "range {start}..{end}, direct {direct}"
                    );
                }
            }
        }
    }

    #[test]
    fn reading_past_the_end_of_the_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("short");
        let bytes = pattern(50_000, 1);
        std::fs::write(&path, &bytes).unwrap();
        // Read in place, then ahead on a thread: both stop at the end of the file, with the
        // bytes before it delivered.
        for (start, end) in [(45_000, 57_000), (0, 90_000)] {
            let mut reader = StagingReader::open(&path, 4_096).unwrap();
            let mut read = Vec::new();
            let err = reader
                .read_range(start, end, |b| read.extend_from_slice(b))
                .unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
            assert_eq!(read, &bytes[start as usize..]);
        }
    }

    #[test]
    fn aligned_buffers_start_aligned() {
        for capacity in [1, 4_095, 4_096, 1 << 20] {
            let buf = AlignedBuf::new(capacity);
            assert!(buf.aligned());
            assert_eq!(buf.filled().as_ptr() as usize % ALIGN, 0);
            assert_eq!(buf.capacity % ALIGN, 0);
            assert!(buf.capacity >= capacity);
        }
    }
}
