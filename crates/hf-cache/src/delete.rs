//! Deleting revisions and pruning what no snapshot uses (protocol §5.6).

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::fsutil::io_err;
use crate::scan::{HfCacheInfo, format_size};

/// What a deletion will remove; nothing is deleted until [`execute`](Self::execute).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeleteCacheStrategy {
    /// Bytes freed once executed.
    pub expected_freed_size: u64,
    /// Whole repo folders.
    pub repos: BTreeSet<PathBuf>,
    /// Snapshot folders.
    pub snapshots: BTreeSet<PathBuf>,
    /// Ref files.
    pub refs: BTreeSet<PathBuf>,
    /// Blob files (and, for prune, stale `.incomplete` files).
    pub blobs: BTreeSet<PathBuf>,
}

impl DeleteCacheStrategy {
    /// The freed size in decimal units (`1.2K`).
    pub fn expected_freed_size_str(&self) -> String {
        format_size(self.expected_freed_size)
    }

    /// Deletes repos, then snapshots, then refs, then blobs. Missing files and
    /// permission errors are logged, not raised (as the Python client does); returns
    /// how many entries could not be deleted.
    pub fn execute(&self) -> usize {
        let mut failures = 0;
        let mut run = |path: &Path, dir: bool| {
            let res = if dir {
                fs::remove_dir_all(path)
            } else {
                fs::remove_file(path)
            };
            match res {
                Ok(()) => tracing::info!(path = %path.display(), "deleted"),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    tracing::warn!(path = %path.display(), "could not delete: not found");
                }
                Err(e) => {
                    failures += 1;
                    tracing::warn!(path = %path.display(), error = %e, "could not delete");
                }
            }
        };
        for p in &self.repos {
            run(p, true);
        }
        for p in &self.snapshots {
            run(p, true);
        }
        for p in &self.refs {
            run(p, false);
        }
        for p in &self.blobs {
            run(p, false);
        }
        failures
    }
}

impl HfCacheInfo {
    /// Plans the deletion of the given revisions (commit hashes), in every repo that has
    /// them. Unknown hashes are ignored with a warning. Selecting every revision of a repo
    /// deletes the whole repo folder; otherwise the snapshots, the refs pointing to them and
    /// the blobs no remaining revision uses.
    pub fn delete_revisions<S: AsRef<str>>(&self, commit_hashes: &[S]) -> DeleteCacheStrategy {
        let wanted: HashSet<&str> = commit_hashes.iter().map(AsRef::as_ref).collect();
        let mut found: HashSet<&str> = HashSet::new();
        let mut s = DeleteCacheStrategy::default();
        for repo in &self.repos {
            let (selected, kept): (Vec<_>, Vec<_>) = repo
                .revisions
                .iter()
                .partition(|r| wanted.contains(r.commit_hash.as_str()));
            if selected.is_empty() {
                continue;
            }
            found.extend(selected.iter().map(|r| r.commit_hash.as_str()));
            if kept.is_empty() {
                s.repos.insert(repo.repo_path.clone());
                s.expected_freed_size += repo.size_on_disk;
                continue;
            }
            let kept_blobs: HashSet<&Path> = kept
                .iter()
                .flat_map(|r| r.files.iter().map(|f| f.blob_path.as_path()))
                .collect();
            for rev in selected {
                s.snapshots.insert(rev.snapshot_path.clone());
                for name in &rev.refs {
                    s.refs.insert(repo.repo_path.join("refs").join(name));
                }
                for file in &rev.files {
                    if !kept_blobs.contains(file.blob_path.as_path())
                        && s.blobs.insert(file.blob_path.clone())
                    {
                        s.expected_freed_size += file.size_on_disk;
                    }
                }
            }
        }
        for h in wanted.difference(&found) {
            tracing::warn!(revision = %h, "revision not found in the cache; ignored");
        }
        s
    }

    /// Plans the removal of blobs no snapshot uses and of `.incomplete` files no
    /// download is writing (their lock is free), in the repos that scanned cleanly.
    pub fn prune(&self) -> Result<DeleteCacheStrategy, crate::Error> {
        let mut s = DeleteCacheStrategy::default();
        for repo in &self.repos {
            let blobs_dir = repo.repo_path.join("blobs");
            let Ok(entries) = fs::read_dir(&blobs_dir) else {
                continue;
            };
            let used: HashSet<&Path> = repo
                .revisions
                .iter()
                .flat_map(|r| r.files.iter().map(|f| f.blob_path.as_path()))
                .collect();
            let folder = repo.repo_path.file_name().unwrap_or_default();
            let locks = self.cache_dir.join(".locks").join(folder);
            for entry in entries {
                let entry = entry.map_err(io_err("list", &blobs_dir))?;
                let path = entry.path();
                if used.contains(path.as_path()) {
                    continue;
                }
                let name = entry.file_name().to_string_lossy().into_owned();
                let etag = name.split('.').next().unwrap_or_default();
                // A held lock means a download is writing this blob right now.
                if lock_is_held(&locks.join(format!("{etag}.lock"))) {
                    continue;
                }
                let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
                s.expected_freed_size += size;
                s.blobs.insert(path);
            }
        }
        Ok(s)
    }
}

fn lock_is_held(lock: &Path) -> bool {
    let Ok(file) = fs::File::open(lock) else {
        return false;
    };
    file.try_lock().is_err()
}
