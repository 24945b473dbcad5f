//! Garbage collection (issue 16 item 12): LFS objects uploaded but never committed, and abandoned
//! multipart staging, once older than a grace period.
//!
//! * An LFS object is kept while any commit of any repo references it (`lfs_refs`), or while its
//!   file is younger than the grace period (an upload is followed by its commit within minutes; a
//!   day by default leaves room for slow clients). The check and the removal run under the
//!   writer's lock, and a commit checks its LFS objects under that same lock, so a commit never
//!   sees an object that the collector is removing.
//! * Everything in `tmp/` (multipart staging, whatever its layout: one file or a folder of parts,
//!   and temp files of interrupted writes) is removed once its newest modification is older than
//!   the grace period.
//!
//! [`Store::collect_garbage`] is what the hub's periodic task (and tests) call.

use std::path::Path;
use std::time::{Duration, SystemTime};

use rusqlite::{OptionalExtension, params};

use super::blobs::is_hex;
use super::{Store, StoreError};

/// Default grace period: one day.
pub const DEFAULT_GC_GRACE: Duration = Duration::from_secs(24 * 3600);

/// What one collection removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GcReport {
    /// LFS objects removed (uploaded, never committed, older than the grace period).
    pub lfs_objects: u64,
    /// Bytes of those objects.
    pub lfs_bytes: u64,
    /// Entries of `tmp/` removed (abandoned multipart staging, leftovers).
    pub staging_entries: u64,
}

/// The newest modification time of `path` and, for a folder, of its direct children.
fn newest_mtime(path: &Path) -> Option<SystemTime> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    let mut newest = meta.modified().ok()?;
    if meta.is_dir()
        && let Ok(rd) = std::fs::read_dir(path)
    {
        for e in rd.flatten() {
            if let Some(t) = e.metadata().ok().and_then(|m| m.modified().ok()) {
                newest = newest.max(t);
            }
        }
    }
    Some(newest)
}

fn older_than(path: &Path, cutoff: SystemTime) -> bool {
    newest_mtime(path).is_some_and(|t| t < cutoff)
}

impl Store {
    /// Removes LFS objects that no commit references and abandoned staging in `tmp/`, when older
    /// than `grace`. Safe while the hub serves requests.
    pub async fn collect_garbage(&self, grace: Duration) -> Result<GcReport, StoreError> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || -> Result<GcReport, StoreError> {
            let cutoff = SystemTime::now()
                .checked_sub(grace)
                .unwrap_or(SystemTime::UNIX_EPOCH);
            let mut report = GcReport::default();
            // Candidates first, without any lock: old object files.
            let mut candidates = Vec::new();
            if let Ok(shards) = std::fs::read_dir(&inner.paths.lfs) {
                for shard in shards.flatten() {
                    let Ok(files) = std::fs::read_dir(shard.path()) else {
                        continue;
                    };
                    for f in files.flatten() {
                        let name = f.file_name().to_string_lossy().into_owned();
                        if is_hex(&name, 64) && older_than(&f.path(), cutoff) {
                            candidates.push((name, f.path()));
                        }
                    }
                }
            }
            if !candidates.is_empty() {
                let conn = inner
                    .conn
                    .lock()
                    .map_err(|_| StoreError::Internal("database lock poisoned".into()))?;
                let mut referenced =
                    conn.prepare_cached("SELECT 1 FROM lfs_refs WHERE sha256 = ?1 LIMIT 1")?;
                for (sha, path) in candidates {
                    if referenced
                        .query_row(params![sha], |_| Ok(()))
                        .optional()?
                        .is_some()
                    {
                        continue;
                    }
                    // Checked again under the lock: a re-upload may have refreshed it.
                    if !older_than(&path, cutoff) {
                        continue;
                    }
                    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                    match std::fs::remove_file(&path) {
                        Ok(()) => {
                            report.lfs_objects += 1;
                            report.lfs_bytes += size;
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => return Err(StoreError::io(&path, e)),
                    }
                }
            }
            if let Ok(entries) = std::fs::read_dir(&inner.paths.tmp) {
                for e in entries.flatten() {
                    let path = e.path();
                    if !older_than(&path, cutoff) {
                        continue;
                    }
                    let removed = if e.file_type().is_ok_and(|t| t.is_dir()) {
                        std::fs::remove_dir_all(&path)
                    } else {
                        std::fs::remove_file(&path)
                    };
                    if let Some(upload) = e
                        .file_name()
                        .to_str()
                        .and_then(|name| name.strip_prefix("multipart-"))
                    {
                        inner.prefix_hashes.forget(upload);
                    }
                    match removed {
                        Ok(()) => report.staging_entries += 1,
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => return Err(StoreError::io(&path, e)),
                    }
                }
            }
            Ok(report)
        })
        .await
        .map_err(|e| StoreError::Internal(format!("garbage collection failed: {e}")))?
    }
}
