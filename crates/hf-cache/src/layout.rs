//! The cache layout shared with the Python client (protocol §5.1, §5.2, §5.4).

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use hf_http::{HubClient, Settings};
use hf_types::{RepoId, RepoPath, RepoType, Revision};

use crate::Error;
use crate::fsutil::{
    copy_atomic, create_dir_all, create_parent, io_err, read_optional, unique_sibling, write_atomic,
};

/// The hub cache folder (`cache_dir`), with the options that change how it is written.
///
/// Its location comes from [`Settings`] (the one reader of the environment), never from the
/// environment directly:
///
/// ```
/// use hf_cache::CacheDir;
/// use hf_http::Settings;
/// let env = |k: &str| (k == "HF_HOME").then(|| "/data/hf".to_owned());
/// let cache = CacheDir::from_settings(&Settings::from_vars(env)?);
/// assert_eq!(cache.path(), std::path::Path::new("/data/hf/hub"));
/// # Ok::<(), hf_http::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheDir {
    root: PathBuf,
    disable_symlinks: bool,
}

impl CacheDir {
    /// A cache at `root` (symlinks used when the filesystem supports them).
    pub fn new(root: impl Into<PathBuf>) -> CacheDir {
        CacheDir {
            root: root.into(),
            disable_symlinks: false,
        }
    }

    /// The cache [`Settings`] select (`HF_HUB_CACHE`, else `{HF_HOME}/hub`), and
    /// `HF_HUB_DISABLE_SYMLINKS`.
    pub fn from_settings(settings: &Settings) -> CacheDir {
        CacheDir::new(&settings.hub_cache).with_symlinks_disabled(settings.disable_symlinks)
    }

    /// The cache of `client` ([`HubClient::cache_dir`]); `None` for a hermetic client given
    /// none.
    pub fn for_client(client: &HubClient) -> Option<CacheDir> {
        client
            .cache_dir()
            .map(|dir| CacheDir::new(dir).with_symlinks_disabled(client.symlinks_disabled()))
    }

    /// The cache a download uses: the one it was given, else its client's; a hermetic client
    /// with neither is an error rather than a silent read of the environment.
    pub(crate) fn for_request(
        explicit: Option<&CacheDir>,
        client: &HubClient,
    ) -> Result<CacheDir, Error> {
        explicit
            .cloned()
            .or_else(|| CacheDir::for_client(client))
            .ok_or_else(|| {
                Error::InvalidArgument(
                    "no cache folder: give the download one with `.cache_dir(..)`, or the client \
                     one with `HubClientBuilder::cache_dir` (`from_env` sets HF_HUB_CACHE)"
                        .to_owned(),
                )
            })
    }

    /// Never create symlinks in this cache (files are stored at the snapshot paths).
    pub fn with_symlinks_disabled(mut self, disabled: bool) -> CacheDir {
        self.disable_symlinks = disabled;
        self
    }

    /// The cache folder.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// The folder of one repo in this cache.
    pub fn repo(&self, repo_id: &RepoId, repo_type: RepoType) -> RepoCache {
        let folder = repo_id.cache_folder_name(repo_type);
        RepoCache {
            storage: self.root.join(&folder),
            locks: self.root.join(".locks").join(&folder),
            cache: self.clone(),
        }
    }

    /// Whether snapshots link to blobs: false when disabled or when the filesystem
    /// refuses symlinks (probed once per cache folder, as Python does).
    pub fn uses_symlinks(&self) -> bool {
        !self.disable_symlinks && symlinks_supported(&self.root)
    }
}

/// Probes (once per folder and process) whether relative symlinks can be created in `dir`.
fn symlinks_supported(dir: &Path) -> bool {
    static PROBED: OnceLock<Mutex<HashMap<PathBuf, bool>>> = OnceLock::new();
    let cache = PROBED.get_or_init(Default::default);
    if let Ok(map) = cache.lock()
        && let Some(&known) = map.get(dir)
    {
        return known;
    }
    let supported = probe_symlinks(dir);
    if let Ok(mut map) = cache.lock() {
        map.insert(dir.to_path_buf(), supported);
    }
    if !supported {
        tracing::warn!(
            cache = %dir.display(),
            "the cache folder does not support symlinks; files are stored as copies (more disk space)"
        );
    }
    supported
}

fn probe_symlinks(dir: &Path) -> bool {
    if create_dir_all(dir).is_err() {
        return false;
    }
    let probe = unique_sibling(&dir.join(".symlink-probe"), "");
    if fs::create_dir(&probe).is_err() {
        return false;
    }
    let ok = fs::write(probe.join("src"), b"")
        .and_then(|()| symlink(Path::new("src"), &probe.join("dst")))
        .is_ok();
    let _ = fs::remove_dir_all(&probe);
    ok
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(windows)]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::windows::fs::symlink_file(target, link)
}

/// No symlinks here: the probe fails and the cache stores copies.
#[cfg(not(any(unix, windows)))]
fn symlink(_target: &Path, _link: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// The relative link target from `snapshots/{commit}/{path}` to `blobs/{etag}`:
/// one `..` per folder between the pointer and the repo folder.
pub fn relative_blob_target(path: &RepoPath, etag: &str) -> PathBuf {
    let mut target = PathBuf::new();
    for _ in 0..path.segments().count() + 1 {
        target.push("..");
    }
    target.join("blobs").join(etag)
}

/// Converts a validated repo path to a relative OS path.
pub(crate) fn os_relpath(path: &RepoPath) -> PathBuf {
    path.segments().collect()
}

/// One repo's folder in the cache (`{cache}/{type}s--{ns}--{name}`) and its lock folder.
#[derive(Debug, Clone)]
pub struct RepoCache {
    storage: PathBuf,
    locks: PathBuf,
    cache: CacheDir,
}

impl RepoCache {
    /// The repo folder (`storage` in the Python client).
    pub fn path(&self) -> &Path {
        &self.storage
    }

    /// The cache this repo folder belongs to.
    pub fn cache(&self) -> &CacheDir {
        &self.cache
    }

    /// `blobs/{etag}`.
    pub fn blob_path(&self, etag: &str) -> PathBuf {
        self.storage.join("blobs").join(etag)
    }

    /// `snapshots/{commit}`.
    pub fn snapshot_dir(&self, commit: &str) -> PathBuf {
        self.storage.join("snapshots").join(commit)
    }

    /// `snapshots/{commit}/{path}`.
    pub fn pointer_path(&self, commit: &str, path: &RepoPath) -> PathBuf {
        self.snapshot_dir(commit).join(os_relpath(path))
    }

    /// `.no_exist/{commit}/{path}`.
    pub fn no_exist_path(&self, commit: &str, path: &RepoPath) -> PathBuf {
        self.storage
            .join(".no_exist")
            .join(commit)
            .join(os_relpath(path))
    }

    /// `trees/{commit}.json`.
    pub fn tree_path(&self, commit: &str) -> PathBuf {
        self.storage.join("trees").join(format!("{commit}.json"))
    }

    /// `{cache}/.locks/{repo folder}/{etag}.lock`.
    pub fn lock_path(&self, etag: &str) -> PathBuf {
        self.locks.join(format!("{etag}.lock"))
    }

    /// `refs/{revision}` (`refs/pr/1` gives nested folders `refs/refs/pr/1`).
    pub fn ref_path(&self, revision: &Revision) -> PathBuf {
        let mut p = self.storage.join("refs");
        for seg in revision.as_str().split('/') {
            p.push(seg);
        }
        p
    }

    /// The commit a ref file records, trimmed; `None` when there is no such ref.
    pub fn read_ref(&self, revision: &Revision) -> Result<Option<String>, Error> {
        let path = self.ref_path(revision);
        Ok(read_optional(&path)?
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty()))
    }

    /// Records that `revision` resolved to `commit`; writes (atomically, without a
    /// newline) only when the file is missing or different, so read-only caches work.
    pub fn write_ref(&self, revision: &Revision, commit: &str) -> Result<(), Error> {
        if revision.as_str() == commit {
            return Ok(());
        }
        if self.read_ref(revision)?.as_deref() == Some(commit) {
            return Ok(());
        }
        write_atomic(&self.ref_path(revision), commit.as_bytes())
    }

    /// The commit for `revision` without asking the Hub: itself if it is a commit id,
    /// else the content of its ref file.
    pub fn resolve_local(&self, revision: &Revision) -> Result<Option<String>, Error> {
        if revision.is_commit() {
            return Ok(Some(revision.as_str().to_owned()));
        }
        self.read_ref(revision)
    }

    /// Creates the empty `.no_exist/{commit}/{path}` marker.
    pub fn mark_no_exist(&self, commit: &str, path: &RepoPath) -> Result<(), Error> {
        let marker = self.no_exist_path(commit, path);
        if marker.exists() {
            return Ok(());
        }
        create_parent(&marker)?;
        fs::write(&marker, b"").map_err(io_err("create marker", &marker))
    }

    /// Makes `pointer` point at `blob`: a relative symlink when the cache allows it,
    /// else the blob itself (moved when `new_blob`, copied otherwise). Replaces an
    /// existing pointer atomically.
    pub fn link_pointer(
        &self,
        blob: &Path,
        etag: &str,
        commit: &str,
        path: &RepoPath,
        new_blob: bool,
    ) -> Result<PathBuf, Error> {
        let pointer = self.pointer_path(commit, path);
        if self.cache.uses_symlinks() {
            let target = relative_blob_target(path, etag);
            // Creating a symlink is atomic: when none is there yet (a cold download), it is
            // made in place, without a temp link, a rename or a folder check per file. An
            // existing one is replaced through a temp link and a rename, so a reader always
            // finds one.
            let direct = match symlink(&target, &pointer) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    create_parent(&pointer)?;
                    symlink(&target, &pointer)
                }
                other => other,
            };
            match direct {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let tmp = unique_sibling(&pointer, ".tmp");
                    symlink(&target, &tmp).map_err(io_err("symlink", &tmp))?;
                    if let Err(e) = fs::rename(&tmp, &pointer) {
                        let _ = fs::remove_file(&tmp);
                        return Err(io_err("rename into place", &pointer)(e));
                    }
                }
                Err(e) => return Err(io_err("symlink", &pointer)(e)),
            }
        } else if new_blob {
            create_parent(&pointer)?;
            fs::rename(blob, &pointer).map_err(io_err("move blob to", &pointer))?;
        } else {
            create_parent(&pointer)?;
            copy_atomic(blob, &pointer)?;
        }
        Ok(pointer)
    }

    /// True when `snapshots/{commit}/{path}` exists and resolves to a file.
    pub fn pointer_is_file(&self, commit: &str, path: &RepoPath) -> bool {
        self.pointer_path(commit, path).is_file()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_pairs(pairs: &'static [(&'static str, &'static str)]) -> CacheDir {
        let vars = move |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        };
        CacheDir::from_settings(&Settings::from_vars(vars).unwrap())
    }

    #[test]
    fn cache_path_resolution_order() {
        let p = |pairs| from_pairs(pairs).path().to_path_buf();
        assert_eq!(
            p(&[("HOME", "/h")]),
            PathBuf::from("/h/.cache/huggingface/hub")
        );
        assert_eq!(
            p(&[("HOME", "/h"), ("XDG_CACHE_HOME", "/x")]),
            PathBuf::from("/x/huggingface/hub")
        );
        assert_eq!(
            p(&[("XDG_CACHE_HOME", "/x"), ("HF_HOME", "~/hf")]),
            PathBuf::from("~/hf/hub"),
            "no HOME: ~ kept"
        );
        assert_eq!(
            p(&[
                ("HOME", "/h"),
                ("HF_HOME", "~/hf"),
                ("HUGGINGFACE_HUB_CACHE", "/legacy")
            ]),
            PathBuf::from("/legacy")
        );
        assert_eq!(
            p(&[
                ("HF_HUB_CACHE", "$ROOT/c"),
                ("ROOT", "/r"),
                ("HUGGINGFACE_HUB_CACHE", "/l")
            ]),
            PathBuf::from("/r/c")
        );
        assert_eq!(
            p(&[("HF_HUB_CACHE", "${NOPE}/c")]),
            PathBuf::from("${NOPE}/c")
        );
        assert_eq!(
            p(&[("HF_HUB_CACHE", ""), ("HF_HOME", "/hh")]),
            PathBuf::from("/hh/hub")
        );
    }

    #[test]
    fn symlink_env_flag() {
        let c = from_pairs(&[("HF_HUB_CACHE", "/c"), ("HF_HUB_DISABLE_SYMLINKS", "yes")]);
        assert!(!c.uses_symlinks());
        assert_eq!(c.path(), Path::new("/c"));
    }

    #[test]
    fn layout_paths() {
        let cache = CacheDir::new("/c");
        let id: RepoId = "org/name".parse().unwrap();
        let repo = cache.repo(&id, RepoType::Dataset);
        assert_eq!(repo.path(), Path::new("/c/datasets--org--name"));
        assert_eq!(
            repo.lock_path("e1"),
            Path::new("/c/.locks/datasets--org--name/e1.lock")
        );
        let pr = Revision::pull_request(3);
        assert_eq!(
            repo.ref_path(&pr),
            Path::new("/c/datasets--org--name/refs/refs/pr/3")
        );
        let path: RepoPath = "a/b/c.bin".parse().unwrap();
        assert_eq!(
            repo.pointer_path("abc", &path),
            Path::new("/c/datasets--org--name/snapshots/abc/a/b/c.bin")
        );
        assert_eq!(
            relative_blob_target(&path, "e"),
            Path::new("../../../../blobs/e")
        );
        let top: RepoPath = "config.json".parse().unwrap();
        assert_eq!(relative_blob_target(&top, "e"), Path::new("../../blobs/e"));
    }

    #[test]
    fn refs_roundtrip_trim_and_no_rewrite() {
        let dir = tempfile::tempdir().unwrap();
        let repo = CacheDir::new(dir.path()).repo(&"gpt2".parse().unwrap(), RepoType::Model);
        let main = Revision::main();
        assert_eq!(repo.read_ref(&main).unwrap(), None);
        let c = "a".repeat(40);
        repo.write_ref(&main, &c).unwrap();
        assert_eq!(fs::read_to_string(repo.ref_path(&main)).unwrap(), c);
        let before = fs::metadata(repo.ref_path(&main))
            .unwrap()
            .modified()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        repo.write_ref(&main, &c).unwrap();
        assert_eq!(
            fs::metadata(repo.ref_path(&main))
                .unwrap()
                .modified()
                .unwrap(),
            before
        );
        fs::write(repo.ref_path(&main), format!("{c}\n")).unwrap();
        assert_eq!(repo.read_ref(&main).unwrap().as_deref(), Some(c.as_str()));
        assert_eq!(
            repo.resolve_local(&c.parse().unwrap()).unwrap(),
            Some(c.clone())
        );
    }

    #[test]
    fn pointers_link_or_copy() {
        let dir = tempfile::tempdir().unwrap();
        for disabled in [false, true] {
            let cache = CacheDir::new(dir.path().join(format!("c{disabled}")))
                .with_symlinks_disabled(disabled);
            let repo = cache.repo(&"a/b".parse().unwrap(), RepoType::Model);
            let blob = repo.blob_path("e");
            create_parent(&blob).unwrap();
            fs::write(&blob, b"data").unwrap();
            let path: RepoPath = "sub/x.txt".parse().unwrap();
            let p = repo.link_pointer(&blob, "e", "c1", &path, false).unwrap();
            assert_eq!(fs::read(&p).unwrap(), b"data");
            assert_eq!(
                fs::symlink_metadata(&p).unwrap().file_type().is_symlink(),
                !disabled
            );
            // Replacing an existing pointer works.
            repo.link_pointer(&blob, "e", "c1", &path, false).unwrap();
            assert!(repo.pointer_is_file("c1", &path));
            repo.mark_no_exist("c1", &"missing.txt".parse().unwrap())
                .unwrap();
            assert!(
                repo.no_exist_path("c1", &"missing.txt".parse().unwrap())
                    .is_file()
            );
        }
    }
}
