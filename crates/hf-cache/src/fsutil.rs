//! Small filesystem helpers: errors that name the path, atomic writes, file locks.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::Error;

/// Wraps an `io::Error` with what was being done and on which path.
pub(crate) fn io_err(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> Error {
    let path = path.to_path_buf();
    move |source| Error::io(action, path, source)
}

/// `create_dir_all` with the path in the error.
pub(crate) fn create_dir_all(path: &Path) -> Result<(), Error> {
    fs::create_dir_all(path).map_err(io_err("create directory", path))
}

/// Creates the parent folder of `path`.
pub(crate) fn create_parent(path: &Path) -> Result<(), Error> {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => create_dir_all(parent),
        _ => Ok(()),
    }
}

/// Gives `file` its full `size` before it is written: on Linux the blocks are allocated
/// (`fallocate`), which makes the writes that follow cheaper for the kernel than growing the
/// file page by page, and a disk without room for the file fails here, before any byte is
/// downloaded. Where allocation is not supported, the file is only extended (sparse).
pub(crate) fn allocate(file: &File, size: u64) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{FallocateFlags, fallocate};
        match fallocate(file, FallocateFlags::empty(), 0, size) {
            Ok(()) => return Ok(()),
            Err(rustix::io::Errno::NOSPC) => return Err(rustix::io::Errno::NOSPC.into()),
            // Not supported by this file system: extended below.
            Err(_) => {}
        }
    }
    file.set_len(size)
}

/// A sibling path of `path` that no other process will pick: `{name}.{random}{suffix}`.
pub(crate) fn unique_sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{:016x}{suffix}", fastrand::u64(..)));
    path.with_file_name(name)
}

/// Writes `contents` to `path` atomically: a unique temp file in the same folder, then rename.
///
/// Readers never see a half-written file, and two writers never interleave.
pub(crate) fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), Error> {
    create_parent(path)?;
    let tmp = unique_sibling(path, ".tmp");
    let result = (|| {
        let mut file = File::create(&tmp).map_err(io_err("create", &tmp))?;
        file.write_all(contents).map_err(io_err("write", &tmp))?;
        drop(file);
        fs::rename(&tmp, path).map_err(io_err("rename into place", path))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Copies `from` to `to` atomically (temp file next to `to`, then rename).
pub(crate) fn copy_atomic(from: &Path, to: &Path) -> Result<(), Error> {
    create_parent(to)?;
    let tmp = unique_sibling(to, ".tmp");
    let result = fs::copy(from, &tmp)
        .map_err(io_err("copy", from))
        .and_then(|_| fs::rename(&tmp, to).map_err(io_err("rename into place", to)));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Reads a small text file; `None` when it does not exist.
pub(crate) fn read_optional(path: &Path) -> Result<Option<String>, Error> {
    match fs::read_to_string(path) {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        // A folder where a file is expected (e.g. `refs/refs`) is "no such ref".
        Err(e) if path.is_dir() => {
            let _ = e;
            Ok(None)
        }
        Err(e) => Err(io_err("read", path)(e)),
    }
}

/// An exclusive lock on a lock file, released on drop. The file stays on disk.
///
/// The lock is `flock(LOCK_EX)` on Unix, what Python's `filelock` takes on the same
/// path, so a Rust and a Python process downloading the same blob serialise.
#[derive(Debug)]
pub struct FileLock {
    _file: File,
}

impl FileLock {
    /// Blocks until the lock on `path` is held (creating the file and its folder).
    ///
    /// There is no short timeout: a waiter waits for the holder to finish. Call it
    /// from a blocking thread (`tokio::task::spawn_blocking`).
    pub fn acquire(path: &Path) -> Result<FileLock, Error> {
        create_parent(path)?;
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(io_err("open lock file", path))?;
        // `File::lock` is flock on Unix and LockFileEx on Windows, the same locks as filelock.
        file.lock().map_err(io_err("lock", path))?;
        Ok(FileLock { _file: file })
    }

    /// Acquires the lock on a blocking thread.
    pub async fn acquire_async(path: PathBuf) -> Result<FileLock, Error> {
        tokio::task::spawn_blocking(move || FileLock::acquire(&path))
            .await
            .map_err(|e| Error::Task(e.to_string()))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a/b/ref");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "two");
        assert_eq!(fs::read_dir(p.parent().unwrap()).unwrap().count(), 1);
    }

    #[test]
    fn lock_is_exclusive_across_handles() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(".locks/x/e.lock");
        let held = FileLock::acquire(&p).unwrap();
        let other = File::open(&p).unwrap();
        let res = other.try_lock();
        assert!(res.is_err());
        drop(held);
        let _again = FileLock::acquire(&p).unwrap();
        assert!(p.exists());
    }
}
