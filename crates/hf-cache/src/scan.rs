//! `scan_cache_dir`: what the cache holds, with warnings for corrupt entries (protocol §5.6).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ffi::OsString;
use std::fs::{self, Metadata};
use std::path::{Component, Path, PathBuf};
use std::time::SystemTime;

use hf_types::RepoType;

use crate::Error;
use crate::fsutil::io_err;

/// Everything found in a cache folder. Serializes as `hf cache scan --format json` prints it
/// (times as Unix seconds, each repo's `refs` map, each revision's `nb_files`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct HfCacheInfo {
    /// The scanned folder.
    pub cache_dir: PathBuf,
    /// Sum of the repos' sizes.
    pub size_on_disk: u64,
    /// The repos, sorted by type then id.
    pub repos: Vec<CachedRepoInfo>,
    /// One entry per corrupt repo folder (the repo is then left out of `repos`).
    pub warnings: Vec<CorruptedCache>,
}

/// A repo folder that could not be scanned, and why (Python's `CorruptedCacheException`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[error("{message} ({})", path.display())]
pub struct CorruptedCache {
    /// The offending path.
    pub path: PathBuf,
    /// What is wrong, in the Python client's words.
    pub message: String,
}

/// One cached repo.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CachedRepoInfo {
    /// `namespace/name` (the folder name after the type, `--` read as `/`).
    pub repo_id: String,
    /// Model, dataset or space.
    pub repo_type: RepoType,
    /// The repo folder.
    pub repo_path: PathBuf,
    /// Sum of the sizes of the distinct blobs referenced by its snapshots.
    pub size_on_disk: u64,
    /// Number of distinct blobs.
    pub nb_files: usize,
    /// Latest blob access time (the folder's when there is no blob).
    #[serde(serialize_with = "unix_seconds")]
    pub last_accessed: SystemTime,
    /// Latest blob modification time (the folder's when there is no blob).
    #[serde(serialize_with = "unix_seconds")]
    pub last_modified: SystemTime,
    /// The snapshots, sorted by commit (serialized after the `refs` they define).
    #[serde(flatten, serialize_with = "refs_then_revisions")]
    pub revisions: Vec<CachedRevisionInfo>,
}

impl CachedRepoInfo {
    /// Ref name (`main`, `refs/pr/1`) → commit.
    pub fn refs(&self) -> BTreeMap<String, String> {
        self.revisions
            .iter()
            .flat_map(|r| {
                r.refs
                    .iter()
                    .map(|name| (name.clone(), r.commit_hash.clone()))
            })
            .collect()
    }
}

/// One snapshot of a cached repo.
#[derive(Debug, Clone)]
pub struct CachedRevisionInfo {
    /// The commit (snapshot folder name).
    pub commit_hash: String,
    /// The snapshot folder.
    pub snapshot_path: PathBuf,
    /// Sum of the sizes of the distinct blobs of this snapshot.
    pub size_on_disk: u64,
    /// Its files, sorted by path.
    pub files: Vec<CachedFileInfo>,
    /// Names of the refs pointing to it, relative to `refs/` (`main`, `refs/pr/1`).
    pub refs: BTreeSet<String>,
    /// Latest blob modification time (the folder's when empty).
    pub last_modified: SystemTime,
}

impl CachedRevisionInfo {
    /// Number of files.
    pub fn nb_files(&self) -> usize {
        self.files.len()
    }
}

/// One file of a snapshot.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CachedFileInfo {
    /// The base name.
    pub file_name: String,
    /// The path in the snapshot folder.
    pub file_path: PathBuf,
    /// The blob it resolves to (itself in a symlink-less cache).
    pub blob_path: PathBuf,
    /// Size of the blob.
    pub size_on_disk: u64,
    /// Blob access time.
    #[serde(skip)]
    pub blob_last_accessed: SystemTime,
    /// Blob modification time.
    #[serde(skip)]
    pub blob_last_modified: SystemTime,
}

/// A time as fractional seconds since the Unix epoch (0 before it), as Python's `os.stat`.
fn unix_seconds<S: serde::Serializer>(time: &SystemTime, serializer: S) -> Result<S::Ok, S::Error> {
    let secs = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    serializer.serialize_f64(secs)
}

/// The `refs` map (ref name -> commit, derived from the revisions), then the revisions.
fn refs_then_revisions<S: serde::Serializer>(
    revisions: &[CachedRevisionInfo],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let refs: BTreeMap<&str, &str> = revisions
        .iter()
        .flat_map(|r| {
            r.refs
                .iter()
                .map(|name| (name.as_str(), r.commit_hash.as_str()))
        })
        .collect();
    let mut map = serializer.serialize_map(Some(2))?;
    map.serialize_entry("refs", &refs)?;
    map.serialize_entry("revisions", revisions)?;
    map.end()
}

/// By hand because `nb_files` is computed and sits between the stored fields.
impl serde::Serialize for CachedRevisionInfo {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        struct Unix(SystemTime);
        impl serde::Serialize for Unix {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                unix_seconds(&self.0, s)
            }
        }
        let mut st = serializer.serialize_struct("CachedRevisionInfo", 7)?;
        st.serialize_field("commit_hash", &self.commit_hash)?;
        st.serialize_field("snapshot_path", &self.snapshot_path)?;
        st.serialize_field("size_on_disk", &self.size_on_disk)?;
        st.serialize_field("nb_files", &self.nb_files())?;
        st.serialize_field("refs", &self.refs)?;
        st.serialize_field("last_modified", &Unix(self.last_modified))?;
        st.serialize_field("files", &self.files)?;
        st.end()
    }
}

/// Formats a size in decimal units as the Python client does (`1.2K` = 1200 bytes).
pub fn format_size(bytes: u64) -> String {
    let mut n = bytes as f64;
    for unit in ["", "K", "M", "G", "T", "P", "E", "Z"] {
        if n.abs() < 1000.0 {
            return format!("{n:.1}{unit}");
        }
        n /= 1000.0;
    }
    format!("{n:.1}Y")
}

/// Scans a cache folder. A missing folder (or a file) is an error; a corrupt repo
/// becomes a warning. `.locks`, `CACHEDIR.TAG`, the shared `blobs/` store and
/// hidden entries at the root are not repos and are skipped silently.
pub fn scan_cache_dir(cache_dir: &Path) -> Result<HfCacheInfo, Error> {
    if !cache_dir.is_dir() {
        return Err(Error::CacheNotFound(cache_dir.to_path_buf()));
    }
    let mut folders = Vec::new();
    let entries = fs::read_dir(cache_dir).map_err(io_err("list", cache_dir))?;
    for entry in entries {
        let entry = entry.map_err(io_err("list", cache_dir))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || name == "CACHEDIR.TAG" || name == "blobs" {
            continue;
        }
        folders.push(entry.path());
    }
    // Repos are independent: scan them on every core (the work is system calls).
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(folders.len().div_ceil(8))
        .max(1);
    let per_thread = folders.len().div_ceil(threads).max(1);
    let results = std::thread::scope(|scope| {
        let handles: Vec<_> = folders
            .chunks(per_thread)
            .map(|chunk| {
                scope.spawn(move || chunk.iter().map(|p| scan_repo(p)).collect::<Vec<_>>())
            })
            .collect();
        let mut all = Vec::with_capacity(folders.len());
        for handle in handles {
            all.extend(
                handle
                    .join()
                    .map_err(|_| Error::Task("a cache scan thread panicked".into()))?,
            );
        }
        Ok::<_, Error>(all)
    })?;
    let mut repos = Vec::new();
    let mut warnings = Vec::new();
    for result in results {
        match result {
            Ok(repo) => repos.push(repo),
            Err(w) => warnings.push(w),
        }
    }
    repos.sort_by(|a, b| (a.repo_type, &a.repo_id).cmp(&(b.repo_type, &b.repo_id)));
    Ok(HfCacheInfo {
        cache_dir: cache_dir.to_path_buf(),
        size_on_disk: repos.iter().map(|r| r.size_on_disk).sum(),
        repos,
        warnings,
    })
}

fn corrupt(path: &Path, message: impl Into<String>) -> CorruptedCache {
    CorruptedCache {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Parses a repo folder name `{type}s--{id with / as --}`.
pub(crate) fn parse_repo_folder(name: &str) -> Option<(RepoType, String)> {
    let (prefix, id) = name.split_once("--")?;
    let repo_type = RepoType::ALL
        .into_iter()
        .find(|t| t.cache_prefix() == prefix)?;
    Some((repo_type, id.replace("--", "/")))
}

fn scan_repo(repo_path: &Path) -> Result<CachedRepoInfo, CorruptedCache> {
    let meta = fs::metadata(repo_path).map_err(|e| corrupt(repo_path, e.to_string()))?;
    if !meta.is_dir() {
        return Err(corrupt(
            repo_path,
            format!("Repo path is not a directory: {}", repo_path.display()),
        ));
    }
    let name = repo_path.file_name().unwrap_or_default().to_string_lossy();
    if !name.contains("--") {
        return Err(corrupt(
            repo_path,
            format!(
                "Repo path is not a valid HuggingFace cache directory: {}",
                repo_path.display()
            ),
        ));
    }
    let Some((repo_type, repo_id)) = parse_repo_folder(&name) else {
        return Err(corrupt(
            repo_path,
            format!(
                "Repo type must be `dataset`, `model` or `space`, found `{}` ({}).",
                name.split("--").next().unwrap_or_default(),
                repo_path.display()
            ),
        ));
    };

    let snapshots = repo_path.join("snapshots");
    if !snapshots.is_dir() {
        return Err(corrupt(
            repo_path,
            format!(
                "Snapshots dir doesn't exist in cached repo: {}",
                snapshots.display()
            ),
        ));
    }

    let mut refs_by_hash: HashMap<String, BTreeSet<String>> = HashMap::new();
    let refs_dir = repo_path.join("refs");
    if let Ok(m) = fs::metadata(&refs_dir) {
        if m.is_file() {
            return Err(corrupt(
                &refs_dir,
                format!("Refs directory cannot be a file: {}", refs_dir.display()),
            ));
        }
        collect_refs(&refs_dir, "", &mut refs_by_hash)
            .map_err(|e| corrupt(&refs_dir, e.to_string()))?;
    }

    // Keyed by the raw path bytes: hashing and comparing `Path`s walks their components,
    // which dominated the scan.
    let mut blob_stats: HashMap<OsString, Metadata> = HashMap::new();
    let mut revisions = Vec::new();
    let snapshot_entries =
        fs::read_dir(&snapshots).map_err(|e| corrupt(&snapshots, e.to_string()))?;
    for entry in snapshot_entries {
        let entry = entry.map_err(|e| corrupt(&snapshots, e.to_string()))?;
        let commit = entry.file_name().to_string_lossy().into_owned();
        if commit == ".DS_Store" {
            continue;
        }
        let revision_path = entry.path();
        let rmeta =
            fs::metadata(&revision_path).map_err(|e| corrupt(&revision_path, e.to_string()))?;
        if rmeta.is_file() {
            return Err(corrupt(
                &revision_path,
                format!(
                    "Snapshots folder corrupted. Found a file: {}",
                    revision_path.display()
                ),
            ));
        }
        let mut files = Vec::new();
        collect_files(&revision_path, &mut files)
            .map_err(|e| corrupt(&revision_path, e.to_string()))?;
        let mut infos = Vec::with_capacity(files.len());
        let mut distinct: HashSet<OsString> = HashSet::new();
        while let Some((file_path, is_link)) = files.pop() {
            let (blob_path, known) = resolve_blob(&file_path, is_link);
            let stat = match blob_stats.get(blob_path.as_os_str()) {
                Some(s) => s.clone(),
                None => match known.map_or_else(|| fs::metadata(&blob_path), Ok) {
                    // A link to a folder: its files are part of the snapshot.
                    Ok(s) if s.is_dir() => {
                        collect_files(&file_path, &mut files)
                            .map_err(|e| corrupt(&file_path, e.to_string()))?;
                        continue;
                    }
                    Ok(s) => {
                        blob_stats.insert(blob_path.clone().into_os_string(), s.clone());
                        s
                    }
                    Err(_) => {
                        return Err(corrupt(
                            &file_path,
                            format!("Blob missing (broken symlink): {}", blob_path.display()),
                        ));
                    }
                },
            };
            distinct.insert(blob_path.clone().into_os_string());
            infos.push(CachedFileInfo {
                file_name: file_path
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
                file_path,
                blob_path,
                size_on_disk: stat.len(),
                blob_last_accessed: stat.accessed().unwrap_or(SystemTime::UNIX_EPOCH),
                blob_last_modified: stat.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            });
        }
        infos.sort_by(|a, b| a.file_path.as_os_str().cmp(b.file_path.as_os_str()));
        let last_modified = infos
            .iter()
            .map(|f| f.blob_last_modified)
            .max()
            .unwrap_or_else(|| rmeta.modified().unwrap_or(SystemTime::UNIX_EPOCH));
        let size_on_disk = distinct
            .iter()
            .filter_map(|b| blob_stats.get(b))
            .map(Metadata::len)
            .sum();
        revisions.push(CachedRevisionInfo {
            refs: refs_by_hash.remove(&commit).unwrap_or_default(),
            commit_hash: commit,
            snapshot_path: revision_path,
            size_on_disk,
            files: infos,
            last_modified,
        });
    }
    if !refs_by_hash.is_empty() {
        let mut missing: Vec<_> = refs_by_hash.keys().cloned().collect();
        missing.sort();
        return Err(corrupt(
            repo_path,
            format!(
                "Reference(s) refer to missing commit hashes: {missing:?} ({}).",
                repo_path.display()
            ),
        ));
    }
    revisions.sort_by(|a, b| a.commit_hash.cmp(&b.commit_hash));
    let last_accessed = blob_stats
        .values()
        .filter_map(|m| m.accessed().ok())
        .max()
        .unwrap_or_else(|| meta.accessed().unwrap_or(SystemTime::UNIX_EPOCH));
    let last_modified = blob_stats
        .values()
        .filter_map(|m| m.modified().ok())
        .max()
        .unwrap_or_else(|| meta.modified().unwrap_or(SystemTime::UNIX_EPOCH));
    Ok(CachedRepoInfo {
        repo_id,
        repo_type,
        repo_path: repo_path.to_path_buf(),
        size_on_disk: blob_stats.values().map(Metadata::len).sum(),
        nb_files: blob_stats.len(),
        revisions,
        last_accessed,
        last_modified,
    })
}

fn collect_refs(
    dir: &Path,
    prefix: &str,
    out: &mut HashMap<String, BTreeSet<String>>,
) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == ".DS_Store" {
            continue;
        }
        let ref_name = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let path = entry.path();
        if path.is_dir() {
            collect_refs(&path, &ref_name, out)?;
        } else {
            let commit = fs::read_to_string(&path)?.trim().to_owned();
            out.entry(commit).or_default().insert(ref_name);
        }
    }
    Ok(())
}

/// Every non-directory entry below `dir`, with whether it is a symlink. The entry types come
/// from the directory listing itself (no `stat` per file); a symlink to a folder is listed like
/// a file and expanded by the caller once it has resolved it.
fn collect_files(dir: &Path, out: &mut Vec<(PathBuf, bool)>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            collect_files(&entry.path(), out)?;
        } else {
            out.push((entry.path(), kind.is_symlink()));
        }
    }
    Ok(())
}

/// The blob a snapshot entry resolves to, and its metadata when resolving already read it.
/// Relative links (what we and Python write) are joined lexically and the result is `lstat`ed
/// once: for a plain blob that is its metadata (two system calls per file in all). Anything
/// else is canonicalised. A non-link is its own blob.
fn resolve_blob(file: &Path, is_link: bool) -> (PathBuf, Option<Metadata>) {
    if !is_link {
        return (file.to_path_buf(), None);
    }
    let Ok(target) = fs::read_link(file) else {
        return (file.to_path_buf(), None);
    };
    let Some(parent) = file.parent() else {
        return (target, None);
    };
    if !target.is_relative() {
        return (fs::canonicalize(file).unwrap_or(target), None);
    }
    let mut out = parent.to_path_buf();
    for comp in target.components() {
        match comp {
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(c) => out.push(c),
            Component::CurDir => {}
            _ => {
                return (
                    fs::canonicalize(file).unwrap_or_else(|_| parent.join(&target)),
                    None,
                );
            }
        }
    }
    match fs::symlink_metadata(&out) {
        // A blob that is itself a link (1.x shared store) resolves further.
        Ok(m) if m.file_type().is_symlink() => (fs::canonicalize(&out).unwrap_or(out), None),
        Ok(m) => (out, Some(m)),
        Err(_) => (out, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_format_like_python() {
        assert_eq!(format_size(0), "0.0");
        assert_eq!(format_size(1200), "1.2K");
        assert_eq!(format_size(999), "999.0");
        assert_eq!(format_size(1_500_000), "1.5M");
    }

    #[test]
    fn folder_names() {
        assert_eq!(
            parse_repo_folder("models--a--b"),
            Some((RepoType::Model, "a/b".into()))
        );
        assert_eq!(
            parse_repo_folder("datasets--x"),
            Some((RepoType::Dataset, "x".into()))
        );
        assert_eq!(parse_repo_folder("foo--x"), None);
    }
}
