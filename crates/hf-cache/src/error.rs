//! The crate's error type.

use std::io;
use std::path::PathBuf;

/// What went wrong in a download, a cache lookup or a cache scan.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A filesystem operation failed; names the operation and the path.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was being done (`"create directory"`, `"rename into place"`, ...).
        action: &'static str,
        /// The path concerned.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// The Hub answered with an error or could not be reached.
    #[error(transparent)]
    Http(#[from] hf_http::Error),
    /// A path sent by the server (or given by the caller) is not a safe relative path.
    #[error(transparent)]
    InvalidPath(#[from] hf_types::InvalidRepoPath),
    /// A repo id given by the caller is invalid.
    #[error(transparent)]
    InvalidRepoId(#[from] hf_types::InvalidRepoId),
    /// A revision given by the caller or found in the cache is invalid.
    #[error(transparent)]
    InvalidRevision(#[from] hf_types::InvalidRevision),
    /// The file is not in the cache and the Hub could not or may not be asked
    /// (offline mode, `local_files_only`, connection problems).
    #[error("{message}")]
    LocalEntryNotFound {
        /// Why, in words, with the file or repo concerned.
        message: String,
        /// The network error that made us fall back to the cache, if any.
        #[source]
        source: Option<Box<Error>>,
    },
    /// Offline, a snapshot is missing files; names them.
    #[error("snapshot {} is incomplete in the cache (offline); missing: {}", commit, missing.join(", "))]
    IncompleteSnapshot {
        /// The commit of the snapshot.
        commit: String,
        /// The repo paths that are not cached.
        missing: Vec<String>,
    },
    /// The `HEAD` answer lacks a header the download needs (`X-Repo-Commit`, `ETag`, size).
    #[error("file metadata from {url} is incomplete: {what}")]
    FileMetadata {
        /// The resolve URL.
        url: String,
        /// What was missing or malformed.
        what: String,
    },
    /// The downloaded bytes do not hash to the expected ETag; nothing was kept.
    #[error(
        "integrity check failed for {file}: expected {expected}, got {actual}; the download was discarded"
    )]
    Integrity {
        /// The repo path of the file.
        file: String,
        /// The expected hash (the ETag).
        expected: String,
        /// The hash of the bytes received.
        actual: String,
    },
    /// The download's size differs from the size announced by the Hub.
    #[error(
        "consistency check failed for {file}: expected {expected} bytes, got {actual}; retry with force_download"
    )]
    SizeMismatch {
        /// The repo path of the file.
        file: String,
        /// Announced size.
        expected: u64,
        /// Received size.
        actual: u64,
    },
    /// The server answered a download request in a way that cannot be used.
    #[error("unexpected download response for {file}: {what}")]
    Protocol {
        /// The repo path of the file.
        file: String,
        /// What was wrong.
        what: String,
    },
    /// The arguments contradict each other (e.g. `force_download` while offline).
    #[error("invalid arguments: {0}")]
    InvalidArgument(String),
    /// A tree listing cached in `trees/{commit}.json` or received from the server is unusable.
    #[error("bad tree listing {}: {what}", path.display())]
    BadTreeListing {
        /// The file or URL it came from.
        path: PathBuf,
        /// What was wrong.
        what: String,
    },
    /// `scan_cache_dir` was pointed at a folder that does not exist or is a file.
    #[error("cache directory not found or not a directory: {}", .0.display())]
    CacheNotFound(PathBuf),
    /// A background task panicked or was cancelled.
    #[error("background task failed: {0}")]
    Task(String),
}

impl Error {
    /// True for errors that mean "the Hub says this does not exist / is not yours",
    /// which a download re-raises instead of hiding behind "not in the cache".
    pub(crate) fn is_access_error(&self) -> bool {
        match self {
            Error::Http(e) => {
                matches!(
                    e,
                    hf_http::Error::RepoNotFound(_)
                        | hf_http::Error::GatedRepo(_)
                        | hf_http::Error::Unauthorized(_)
                ) || e.status().map(|s| s.as_u16()) == Some(401)
            }
            _ => false,
        }
    }
}
