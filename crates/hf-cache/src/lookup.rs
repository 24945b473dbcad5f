//! `try_to_load_from_cache`: a pure local lookup (protocol §4.7).

use std::path::PathBuf;

use hf_types::{RepoId, RepoPath, RepoType, Revision};

use crate::{CacheDir, Error};

/// What the cache knows about a file at a revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CachedFile {
    /// The file is cached at this snapshot path.
    Found(PathBuf),
    /// The Hub said the file does not exist at that commit (a `.no_exist` marker).
    KnownMissing,
    /// Nothing is known locally.
    NotCached,
}

/// Looks a file up in the cache without any network access. The revision is resolved
/// through `refs/` when it is a branch or tag; another revision's snapshot is never
/// returned.
pub fn try_to_load_from_cache(
    cache: &CacheDir,
    repo_id: &RepoId,
    repo_type: RepoType,
    revision: &Revision,
    filename: &str,
) -> Result<CachedFile, Error> {
    let path: RepoPath = filename.parse()?;
    path.check_local()?;
    let repo = cache.repo(repo_id, repo_type);
    if !repo.path().is_dir() {
        return Ok(CachedFile::NotCached);
    }
    let commit = repo
        .read_ref(revision)?
        .unwrap_or_else(|| revision.as_str().to_owned());
    // A revision that is not a commit and has no ref cannot name a snapshot folder.
    if commit.contains('/') {
        return Ok(CachedFile::NotCached);
    }
    if repo.no_exist_path(&commit, &path).is_file() {
        return Ok(CachedFile::KnownMissing);
    }
    if repo.pointer_is_file(&commit, &path) {
        return Ok(CachedFile::Found(repo.pointer_path(&commit, &path)));
    }
    Ok(CachedFile::NotCached)
}
