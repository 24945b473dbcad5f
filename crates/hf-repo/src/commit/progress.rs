//! Progress of an upload: the library emits events, the caller draws (the CLI owns the bars).

use std::sync::Arc;

/// Receives the progress of a commit's uploads. Every method defaults to doing nothing;
/// implementations must be cheap and thread-safe (they are called from the upload tasks).
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use hf_repo::commit::UploadReporter;
///
/// #[derive(Default)]
/// struct Sent(AtomicU64);
/// impl UploadReporter for Sent {
///     fn on_upload_progress(&self, _path: &str, bytes: u64) {
///         self.0.fetch_add(bytes, Ordering::Relaxed);
///     }
/// }
/// ```
pub trait UploadReporter: Send + Sync {
    /// The commit has `files` additions of `total_bytes` in all to hash and maybe upload.
    fn on_start(&self, _files: usize, _total_bytes: u64) {}
    /// `bytes` more bytes of `path` were hashed (read from its source).
    fn on_hash_progress(&self, _path: &str, _bytes: u64) {}
    /// `path` (`total` bytes) starts uploading to LFS storage.
    fn on_upload_start(&self, _path: &str, _total: u64) {}
    /// `bytes` more bytes of `path` were accepted by LFS storage.
    fn on_upload_progress(&self, _path: &str, _bytes: u64) {}
    /// `path` needs no transfer: the Hub has its content already, it is unchanged, or it is
    /// ignored by the repo's `.gitignore`.
    fn on_skipped(&self, _path: &str, _why: SkipReason) {}
    /// `path` is uploaded (and verified).
    fn on_upload_done(&self, _path: &str) {}
}

/// Why a file was not transferred.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SkipReason {
    /// LFS storage already has the object.
    AlreadyStored,
    /// The same content is already at that path: the operation is dropped from the commit.
    Unchanged,
    /// The repo's `.gitignore` excludes the path: it is dropped from the commit.
    Ignored,
    /// A regular (non-LFS) file: its content goes in the commit request itself.
    InCommit,
}

/// A reporter that ignores everything (the default).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoUploadReporter;

impl UploadReporter for NoUploadReporter {}

/// A shared reporter handle.
pub type SharedUploadReporter = Arc<dyn UploadReporter>;
