//! The resumable state of `upload_large_folder`: one metadata file per local file under
//! `LOCAL_PATH/.cache/huggingface/upload/`, byte for byte the format of the Python client's
//! `LocalUploadFileMetadata` (`_local_folder.py`), so that either client resumes the other's run.
//!
//! A metadata file `{path}.metadata` holds eight lines: the save time (Unix seconds, a float),
//! the size, `should_ignore` (`0`/`1`/empty), the SHA-256 (hex or empty), the upload mode
//! (`regular`/`lfs`/empty), the remote oid (or empty), `is_uploaded` and `is_committed`
//! (`0`/`1`). It is written under an exclusive lock on `{path}.lock` (what Python's `filelock`
//! takes), and is valid only while the file's mtime is not newer than the save time.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::{Error, Result};

/// An upload that was not committed within this time is considered garbage-collected by the
/// storage and is uploaded again (as Python does: 20 hours).
const UPLOAD_EXPIRY_SECS: f64 = 20.0 * 3600.0;

/// How the Hub wants a file uploaded, as the state file spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Regular,
    Lfs,
}

impl Mode {
    fn as_str(self) -> &'static str {
        match self {
            Mode::Regular => "regular",
            Mode::Lfs => "lfs",
        }
    }
}

/// What is known about one local file (Python's `LocalUploadFileMetadata`).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct FileState {
    pub size: u64,
    pub timestamp: Option<f64>,
    pub should_ignore: Option<bool>,
    pub sha256: Option<String>,
    pub upload_mode: Option<Mode>,
    pub remote_oid: Option<String>,
    pub is_uploaded: bool,
    pub is_committed: bool,
}

/// Where the state of one file lives.
#[derive(Debug, Clone)]
pub(crate) struct FilePaths {
    pub file_path: PathBuf,
    pub lock_path: PathBuf,
    pub metadata_path: PathBuf,
}

/// `LOCAL_PATH/.cache/huggingface`, created with a `.gitignore` of `*` (as Python does).
pub(crate) fn huggingface_dir(local_dir: &Path) -> Result<PathBuf> {
    let dir = local_dir.join(".cache").join("huggingface");
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("create", dir.clone(), e))?;
    let gitignore = dir.join(".gitignore");
    if !gitignore.exists() {
        // Best effort, like Python: a missing .gitignore only matters to git users.
        let _ = std::fs::write(&gitignore, "*");
    }
    Ok(dir)
}

/// The paths for `path_in_repo` (a `/`-separated path relative to `local_dir`).
pub(crate) fn paths(local_dir: &Path, hf_dir: &Path, path_in_repo: &str) -> FilePaths {
    let mut file_path = local_dir.to_path_buf();
    let mut metadata_path = hf_dir.join("upload");
    for part in path_in_repo.split('/') {
        file_path.push(part);
        metadata_path.push(part);
    }
    let metadata_path = append(&metadata_path, ".metadata");
    // Python's `with_suffix(".lock")` on `name.metadata`.
    let lock_path = metadata_path.with_extension("lock");
    FilePaths {
        file_path,
        lock_path,
        metadata_path,
    }
}

fn append(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn now_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

fn mtime_secs(meta: &std::fs::Metadata) -> Option<f64> {
    let mtime = meta.modified().ok()?;
    Some(mtime.duration_since(UNIX_EPOCH).ok()?.as_secs_f64())
}

/// An exclusive lock on a lock file (flock on Unix, as Python's `filelock`), released on drop.
struct Lock {
    _file: File,
}

impl Lock {
    fn acquire(path: &Path) -> Result<Lock> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| Error::io("open the lock file", path, e))?;
        file.lock().map_err(|e| Error::io("lock", path, e))?;
        Ok(Lock { _file: file })
    }
}

impl FileState {
    /// The text of the metadata file, saved at `timestamp`.
    fn render(&self, timestamp: f64) -> String {
        fn opt(s: Option<&str>) -> &str {
            s.unwrap_or("")
        }
        let ignore = self.should_ignore.map(|b| if b { "1" } else { "0" });
        format!(
            "{timestamp}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n",
            self.size,
            opt(ignore),
            opt(self.sha256.as_deref()),
            opt(self.upload_mode.map(Mode::as_str)),
            opt(self.remote_oid.as_deref()),
            u8::from(self.is_uploaded),
            u8::from(self.is_committed),
        )
    }

    /// Parses a metadata file; `None` when it is not in the expected format.
    fn parse(text: &str) -> Option<FileState> {
        let mut lines = text.lines().map(str::trim);
        let timestamp: f64 = lines.next()?.parse().ok()?;
        let size: u64 = lines.next()?.parse().ok()?;
        let should_ignore = match lines.next()? {
            "" => None,
            v => Some(v.parse::<u8>().ok()? != 0),
        };
        let sha256 = Some(lines.next()?)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        let upload_mode = match lines.next()? {
            "" => None,
            "regular" => Some(Mode::Regular),
            "lfs" => Some(Mode::Lfs),
            _ => return None,
        };
        let remote_oid = Some(lines.next()?)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        let is_uploaded = lines.next()?.parse::<u8>().ok()? != 0;
        let is_committed = lines.next()?.parse::<u8>().ok()? != 0;
        Some(FileState {
            size,
            timestamp: Some(timestamp),
            should_ignore,
            sha256,
            upload_mode,
            remote_oid,
            is_uploaded,
            is_committed,
        })
    }

    /// Writes the metadata file (under its lock), replacing it atomically so that a kill
    /// during the write leaves the old state, never a truncated one.
    pub(crate) fn save(&mut self, paths: &FilePaths) -> Result<()> {
        let _lock = Lock::acquire(&paths.lock_path)?;
        let timestamp = now_secs();
        let tmp = append(&paths.metadata_path, ".incomplete");
        let write = || -> std::io::Result<()> {
            let mut file = File::create(&tmp)?;
            file.write_all(self.render(timestamp).as_bytes())?;
            std::fs::rename(&tmp, &paths.metadata_path)
        };
        write().map_err(|e| Error::io("save the upload state", paths.metadata_path.clone(), e))?;
        self.timestamp = Some(timestamp);
        Ok(())
    }
}

/// Reads the state of one file as Python's `read_upload_metadata` does: a corrupted file is
/// removed, an expired upload is forgotten, and state older than the file's last change is
/// ignored (the file is hashed again).
pub(crate) fn read(paths: &FilePaths) -> Result<FileState> {
    let _lock = Lock::acquire(&paths.lock_path)?;
    let meta = std::fs::metadata(&paths.file_path)
        .map_err(|e| Error::io("read the metadata of", paths.file_path.clone(), e))?;
    let fresh = FileState {
        size: meta.len(),
        ..FileState::default()
    };
    let text = match std::fs::read_to_string(&paths.metadata_path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(fresh),
        Err(e) => return Err(Error::io("read", paths.metadata_path.clone(), e)),
    };
    let Some(mut state) = FileState::parse(&text) else {
        tracing::warn!(path = %paths.metadata_path.display(), "invalid upload metadata file: removed");
        let _ = std::fs::remove_file(&paths.metadata_path);
        return Ok(fresh);
    };
    let timestamp = state.timestamp.unwrap_or(0.0);
    if state.is_uploaded && !state.is_committed && now_secs() - timestamp > UPLOAD_EXPIRY_SECS {
        state.is_uploaded = false;
    }
    match mtime_secs(&meta) {
        Some(mtime) if mtime <= timestamp => Ok(state),
        _ => Ok(fresh),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn format_round_trips_and_matches_python() {
        let state = FileState {
            size: 12,
            timestamp: None,
            should_ignore: Some(false),
            sha256: Some("ab".repeat(32)),
            upload_mode: Some(Mode::Lfs),
            remote_oid: None,
            is_uploaded: true,
            is_committed: false,
        };
        let text = state.render(1733512345.25);
        assert_eq!(
            text,
            format!("1733512345.25\n12\n0\n{}\nlfs\n\n1\n0\n", "ab".repeat(32))
        );
        let back = FileState::parse(&text).unwrap();
        assert_eq!(back.timestamp, Some(1733512345.25));
        assert_eq!(
            FileState {
                timestamp: None,
                ..back
            },
            state
        );
        // Python's fresh state after a hash: only size and sha256 known.
        let py = "1733512345.123456\n5\n\nabc\n\n\n0\n0\n";
        let s = FileState::parse(py).unwrap();
        assert_eq!((s.size, s.should_ignore, s.upload_mode), (5, None, None));
        assert!(FileState::parse("1.0\n5\n\nabc\nweird\n\n0\n0\n").is_none());
        assert!(FileState::parse("garbage").is_none());
    }

    #[test]
    fn paths_follow_python() {
        let p = paths(
            Path::new("/d"),
            Path::new("/d/.cache/huggingface"),
            "a/b.txt",
        );
        assert_eq!(p.file_path, PathBuf::from("/d/a/b.txt"));
        assert_eq!(
            p.metadata_path,
            PathBuf::from("/d/.cache/huggingface/upload/a/b.txt.metadata")
        );
        assert_eq!(
            p.lock_path,
            PathBuf::from("/d/.cache/huggingface/upload/a/b.txt.lock")
        );
    }

    #[test]
    fn save_read_and_staleness() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("f"), b"hello").unwrap();
        let hf = huggingface_dir(dir.path()).unwrap();
        assert_eq!(std::fs::read_to_string(hf.join(".gitignore")).unwrap(), "*");
        let p = paths(dir.path(), &hf, "f");
        let mut s = read(&p).unwrap();
        assert_eq!(s.size, 5);
        s.sha256 = Some("x".into());
        s.save(&p).unwrap();
        assert_eq!(read(&p).unwrap().sha256.as_deref(), Some("x"));
        // A change after the save makes the state stale.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(dir.path().join("f"), b"hello!").unwrap();
        let s = read(&p).unwrap();
        assert_eq!((s.size, s.sha256), (6, None));
        // Corrupt state is dropped.
        std::fs::write(&p.metadata_path, "nope").unwrap();
        assert_eq!(read(&p).unwrap().sha256, None);
        assert!(!p.metadata_path.exists());
    }
}
