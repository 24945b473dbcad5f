//! Progress reporting: the library emits events, the caller draws (the CLI owns the bars).

use std::path::Path;
use std::sync::Arc;

/// Receives progress events from downloads. All methods default to doing nothing;
/// implementations must be cheap (called from the download tasks) and thread-safe.
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use hf_cache::Reporter;
///
/// #[derive(Default)]
/// struct Bytes(AtomicU64);
/// impl Reporter for Bytes {
///     fn on_progress(&self, _file: &str, bytes: u64) {
///         self.0.fetch_add(bytes, Ordering::Relaxed);
///     }
/// }
/// ```
pub trait Reporter: Send + Sync {
    /// A snapshot download knows how many files it will fetch and their total size.
    fn on_snapshot_start(&self, _files: usize, _total_bytes: u64) {}
    /// A file download starts: `total` bytes expected, `already` of them kept from an
    /// earlier partial download.
    fn on_download_start(&self, _file: &str, _total: u64, _already: u64) {}
    /// `bytes` more bytes of `file` were received.
    fn on_progress(&self, _file: &str, _bytes: u64) {}
    /// The connection broke; resuming from `offset` (attempt `attempt`).
    fn on_retry(&self, _file: &str, _offset: u64, _attempt: u32) {}
    /// The file is complete and verified at `path`.
    fn on_download_done(&self, _file: &str, _path: &Path) {}
    /// A file was already in the cache; nothing was downloaded.
    fn on_cached(&self, _file: &str, _path: &Path) {}
}

/// A reporter that ignores everything (the default).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoReporter;

impl Reporter for NoReporter {}

/// A shared reporter handle.
pub type SharedReporter = Arc<dyn Reporter>;
