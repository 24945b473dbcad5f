//! `snapshot_download`: a whole repo (or the files matching patterns) at one commit
//! (protocol §4.6), with one listing request and no per-file `HEAD`.

use std::collections::{HashMap, HashSet};
use std::ffi::{OsStr, OsString};
use std::path::PathBuf;
use std::sync::Arc;

use futures_util::StreamExt;
use hf_http::{ErrorContext, HubClient, RepoTarget};
use hf_types::{RepoId, RepoPath, RepoSibling, RepoTreeEntry, Revision, Route};
use serde::Deserialize;

use crate::download::{DownloadOptions, DownloadRequest, HubDownload, blocking, incomplete_names};
use crate::layout::RepoCache;
use crate::local_dir::{LocalDirPaths, fetch_to_local, read_local_metadata};
use crate::metadata::{HfFileMetadata, is_commit};
use crate::trees::{TreeEntry, TreeListing, read_tree, validate_etag, write_tree};
use crate::{CacheDir, Error, FileLock, net};
use hf_types::{Patterns, filter_path};

/// Siblings beyond this count make the client list the tree instead (as Python).
const MAX_SIBLINGS: usize = 50_000;

/// Downloads every file of a repo at a revision (optionally filtered) and returns the
/// snapshot folder (or `local_dir`): the Python client's `snapshot_download`.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_cache::Error> {
/// use hf_cache::prelude::*;
/// use hf_types::RepoType;
///
/// let folder = hf_cache::SnapshotDownload::new(client, "acme/tiny".parse()?)
///     .repo_type(RepoType::Dataset)
///     .allow_patterns(["*.json", "*.safetensors"])
///     .max_workers(8)
///     .local_files_only(false)
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "a download does nothing until awaited"]
#[derive(Clone)]
pub struct SnapshotDownload {
    target: RepoTarget,
    options: DownloadOptions,
    allow: Patterns,
    ignore: Patterns,
    max_workers: usize,
}

impl std::fmt::Debug for SnapshotDownload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SnapshotDownload")
            .field("repo_id", self.target.repo_id())
            .field("revision", &self.target.revision())
            .finish_non_exhaustive()
    }
}

hf_http::impl_repo_request!(SnapshotDownload, revision);
hf_http::impl_into_future!(SnapshotDownload => PathBuf, run);

impl DownloadRequest for SnapshotDownload {
    fn options_mut(&mut self) -> &mut DownloadOptions {
        &mut self.options
    }
}

impl SnapshotDownload {
    /// The whole model repo `repo_id` at `main`.
    pub fn new(client: HubClient, repo_id: RepoId) -> SnapshotDownload {
        SnapshotDownload {
            target: RepoTarget::new(client, repo_id),
            options: DownloadOptions::default(),
            allow: Patterns::default(),
            ignore: Patterns::default(),
            max_workers: 8,
        }
    }

    /// Keep only files matching one of these globs (Python `fnmatch`, `*` matches `/`).
    pub fn allow_patterns<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        patterns: I,
    ) -> Self {
        self.allow = Patterns::new(patterns);
        self
    }

    /// Drop files matching one of these globs.
    pub fn ignore_patterns<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        patterns: I,
    ) -> Self {
        self.ignore = Patterns::new(patterns);
        self
    }

    /// Files downloaded concurrently (default 8, at least 1).
    pub fn max_workers(mut self, n: usize) -> Self {
        self.max_workers = n.max(1);
        self
    }

    fn client(&self) -> &HubClient {
        self.target.client()
    }

    fn repo_id(&self) -> &RepoId {
        self.target.repo_id()
    }

    /// The revision asked for (`main` unless set).
    fn rev(&self) -> Revision {
        self.target.revision_or_main()
    }

    /// The repo of this snapshot in `cache`.
    fn repo(&self, cache: &CacheDir) -> RepoCache {
        cache.repo(self.repo_id(), self.target.repo_type())
    }

    /// The download of one file of the snapshot at `commit` (its path is given later), with
    /// this snapshot's client, cache and options.
    fn file_request(&self, commit: &str) -> Result<HubDownload, Error> {
        let mut target = self.target.clone();
        target.set_revision(commit.parse()?);
        Ok(HubDownload {
            target,
            filename: String::new(),
            subfolder: None,
            options: DownloadOptions {
                // Files are placed by the snapshot, not by the file request.
                local_dir: None,
                etag_timeout: None,
                ..self.options.clone()
            },
            leftovers: None,
        })
    }

    fn tree_file(&self, cache: &CacheDir, commit: &str) -> PathBuf {
        match &self.options.local_dir {
            Some(dir) => dir
                .join(".cache")
                .join("huggingface")
                .join("trees")
                .join(format!("{commit}.json")),
            None => self.repo(cache).tree_path(commit),
        }
    }

    fn url(&self, route: &Route) -> String {
        self.client().route_text(route)
    }

    /// What the snapshot's requests are about: repo and revision.
    fn context(&self) -> ErrorContext {
        self.target.context().with_revision(self.rev())
    }

    /// The commit and its listing, with as few requests as the cache allows, and whether the
    /// listing is new (not read from the cached trees file, which then needs writing).
    async fn resolve_online(&self, cache: &CacheDir) -> Result<(String, TreeListing, bool), Error> {
        let repo = self.repo(cache);
        let read = |commit: &str| {
            let path = self.tree_file(cache, commit);
            async move { blocking(move || read_tree(&path)).await }
        };
        let revision = self.rev();
        let context = self.context();
        if revision.is_commit() {
            let commit = revision.as_str().to_owned();
            if let Some(listing) = read(&commit).await? {
                return Ok((commit, listing, false));
            }
            let listing = self.list_tree(&commit).await?;
            return Ok((commit, listing, true));
        }
        // Warm: a known commit whose listing is cached only needs the current sha.
        let known = repo.read_ref(&revision)?;
        if let Some(known) = known.filter(|c| is_commit(c))
            && self.tree_file(cache, &known).is_file()
        {
            // The cached listing is parsed while the request for the current sha is in flight.
            let route = self.target.routes().info(Some(revision.as_str()));
            let url = self.url(&route.with("expand", "sha"));
            let (listing, info) = tokio::join!(
                read(&known),
                net::get_json::<ShaOnly>(self.client(), &url, false, &context)
            );
            let commit = checked_commit(&url, info?.sha)?;
            if commit == known
                && let Some(listing) = listing?
            {
                return Ok((commit, listing, false));
            }
            if let Some(listing) = read(&commit).await? {
                return Ok((commit, listing, false));
            }
            let listing = self.list_tree(&commit).await?;
            return Ok((commit, listing, true));
        }
        // Cold: one repo-info call with blobs gives the commit and every file's blob id,
        // size and LFS hash.
        let route = self.target.routes().info(Some(revision.as_str()));
        let url = self.url(&route.with_bool("blobs", true));
        let info = net::get_json::<InfoWithSiblings>(self.client(), &url, false, &context).await?;
        let commit = checked_commit(&url, info.sha)?;
        if let Some(listing) = read(&commit).await? {
            return Ok((commit, listing, false));
        }
        if let Some(listing) = info.siblings.as_deref().and_then(listing_from_siblings) {
            return Ok((commit, listing?, true));
        }
        let listing = self.list_tree(&commit).await?;
        Ok((commit, listing, true))
    }

    /// `GET /api/{type}/{id}/tree/{commit}?recursive=True&expand=False`, all pages, files only.
    async fn list_tree(&self, commit: &str) -> Result<TreeListing, Error> {
        let route = self
            .target
            .routes()
            .tree(commit, None)
            .with_bool("recursive", true)
            .with_bool("expand", false);
        let url = self.url(&route);
        let entries: Vec<RepoTreeEntry> =
            net::get_all_pages(self.client(), &url, &self.context()).await?;
        let mut listing = TreeListing::new();
        for entry in entries {
            let RepoTreeEntry::File(file) = entry else {
                continue;
            };
            let tree_entry = TreeEntry::from_repo_file(&file);
            validate_etag(tree_entry.etag()).map_err(|what| Error::protocol(url.as_str(), what))?;
            listing.insert(file.repo_path()?, tree_entry);
        }
        Ok(listing)
    }

    async fn run(self) -> Result<PathBuf, Error> {
        let cache = self.options.cache(self.client())?;
        let repo = self.repo(&cache);
        let offline = self.options.local_files_only || self.client().is_offline();
        let resolved = if offline {
            Err(Error::LocalEntryNotFound {
                message: "offline mode or local_files_only: no request sent".into(),
                source: None,
            })
        } else {
            match self.resolve_online(&cache).await {
                Ok(r) => Ok(r),
                Err(e @ Error::RevisionNotFound(_)) => return Err(e),
                Err(
                    e @ Error::Transport {
                        kind: hf_http::TransportKind::Tls | hf_http::TransportKind::Proxy,
                        ..
                    },
                ) => return Err(e),
                // An unusable listing (from the Hub or the trees file): not cured by the cache.
                // Only the listing code makes `Protocol` errors on this path.
                Err(e @ (Error::InvalidPath(_) | Error::Protocol { .. })) => return Err(e),
                Err(e) => Err(e),
            }
        };
        let (commit, listing, fresh) = match resolved {
            Ok(r) => r,
            Err(remembered) => return self.offline_answer(&cache, remembered).await,
        };
        {
            // A listing read from the trees file is not written again (warm runs write nothing).
            let path = self.tree_file(&cache, &commit);
            let listing2 = fresh.then(|| listing.clone());
            let (repo2, rev, c) = (repo.clone(), self.rev(), commit.clone());
            let cache_mode = self.options.local_dir.is_none();
            blocking(move || {
                if let Some(listing2) = listing2
                    && let Err(e) = write_tree(&path, &listing2)
                {
                    tracing::warn!(error = %e, "could not cache the tree listing");
                }
                if cache_mode && let Err(e) = repo2.write_ref(&rev, &c) {
                    tracing::warn!(error = %e, "could not write the ref");
                }
                Ok(())
            })
            .await?;
        }
        let selected: Vec<(RepoPath, TreeEntry)> = listing
            .into_iter()
            .filter(|(p, _)| filter_path(p.as_str(), &self.allow, &self.ignore))
            .collect();
        // A selected file that would leave the snapshot folder or `local_dir` where `\` separates folders
        // (Windows) is refused on every OS before anything is written (issue 15 item 6).
        for (path, _) in &selected {
            path.check_local()?;
        }
        self.fetch_all(&cache, &commit, selected).await?;
        Ok(match &self.options.local_dir {
            Some(dir) => dir.clone(),
            None => repo.snapshot_dir(&commit),
        })
    }

    /// Offline (or the Hub unreachable): serve a complete snapshot from the cache.
    async fn offline_answer(&self, cache: &CacheDir, remembered: Error) -> Result<PathBuf, Error> {
        let repo = self.repo(cache);
        let req = self.file_request(&"0".repeat(40))?;
        let commit = repo.resolve_local(&self.rev())?;
        let Some(commit) = commit else {
            // local_dir mode keeps no refs: as Python, a non-empty folder is served as is.
            if let Some(dir) = &self.options.local_dir
                && !self.options.force_download
                && std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some())
            {
                tracing::warn!(dir = %dir.display(), "could not check the snapshot on the Hub; using the local folder");
                return Ok(dir.clone());
            }
            return Err(req.fallback_error(
                &format!("revision {} of {}", self.rev(), self.repo_id()),
                remembered,
            ));
        };
        let listing = {
            let path = self.tree_file(cache, &commit);
            blocking(move || read_tree(&path)).await?
        };
        let folder = match &self.options.local_dir {
            Some(dir) => dir.clone(),
            None => repo.snapshot_dir(&commit),
        };
        match listing {
            Some(listing) => {
                let local_dir = self.options.local_dir.clone();
                let (allow, ignore) = (self.allow.clone(), self.ignore.clone());
                let c = commit.clone();
                let missing = blocking(move || {
                    Ok(listing
                        .keys()
                        .filter(|p| filter_path(p.as_str(), &allow, &ignore))
                        .filter(|p| match &local_dir {
                            Some(dir) => !LocalDirPaths::new(dir, p).file.is_file(),
                            None => !repo.pointer_is_file(&c, p),
                        })
                        .map(|p| p.as_str().to_owned())
                        .collect::<Vec<_>>())
                })
                .await?;
                if missing.is_empty() {
                    Ok(folder)
                } else {
                    Err(Error::IncompleteSnapshot { commit, missing })
                }
            }
            // Without a cached listing completeness cannot be checked: as Python, the
            // folder is served when it exists.
            None if folder.is_dir()
                && std::fs::read_dir(&folder).is_ok_and(|mut d| d.next().is_some()) =>
            {
                Ok(folder)
            }
            None => Err(req.fallback_error(
                &format!("revision {} of {}", self.rev(), self.repo_id()),
                remembered,
            )),
        }
    }

    async fn fetch_all(
        &self,
        cache: &CacheDir,
        commit: &str,
        files: Vec<(RepoPath, TreeEntry)>,
    ) -> Result<(), Error> {
        let repo = self.repo(cache);
        // One blocking pass decides what is missing (no per-file thread hop when warm).
        let todo = {
            let (repo, c, force, local_dir) = (
                repo.clone(),
                commit.to_owned(),
                self.options.force_download,
                self.options.local_dir.clone(),
            );
            blocking(move || {
                let present = match (&local_dir, force) {
                    (None, false) => CachedSnapshot::list(&repo, &c),
                    _ => None,
                };
                Ok(files
                    .into_iter()
                    .filter(|(p, e)| {
                        force
                            || match (&local_dir, &present) {
                                (Some(dir), _) => {
                                    let paths = LocalDirPaths::new(dir, p);
                                    !(paths.file.is_file()
                                        && read_local_metadata(&paths)
                                            .is_some_and(|m| m.etag == e.etag()))
                                }
                                (None, Some(present)) => !present.has(p, e.etag()),
                                (None, None) => !repo.pointer_is_file(&c, p),
                            }
                    })
                    .collect::<Vec<_>>())
            })
            .await?
        };
        let total: u64 = todo.iter().map(|(_, e)| e.size).sum();
        self.options.reporter.on_snapshot_start(todo.len(), total);
        let mut req = self.file_request(commit)?;
        if self.options.local_dir.is_none() && !todo.is_empty() {
            // Leftovers of interrupted runs, listed once for every file of the snapshot.
            let blobs = repo.path().join("blobs");
            req.leftovers = Some(Arc::new(blocking(move || incomplete_names(&blobs)).await?));
        }
        let commit_rev: Revision = commit.parse()?;
        let endpoint = self.client().endpoint_base();
        let results = futures_util::stream::iter(todo.into_iter().map(|(path, entry)| {
            let req = req.clone();
            let repo = repo.clone();
            let location = crate::metadata::hf_hub_url(
                endpoint,
                self.repo_id(),
                self.target.repo_type(),
                &commit_rev,
                &path,
            );
            let meta = HfFileMetadata {
                commit: commit.to_owned(),
                etag: entry.etag().to_owned(),
                size: entry.size,
                location,
            };
            let local_dir = self.options.local_dir.clone();
            async move {
                match local_dir {
                    None => req.fetch_to_cache(&repo, &path, &meta).await,
                    Some(dir) => {
                        let paths = LocalDirPaths::new(&dir, &path);
                        let lock = FileLock::acquire_async(paths.lock.clone()).await?;
                        let r = fetch_to_local(&req, &dir, &paths, &path, &meta).await;
                        drop(lock);
                        r
                    }
                }
            }
        }))
        .buffer_unordered(self.max_workers)
        .collect::<Vec<_>>()
        .await;
        results.into_iter().try_for_each(|r| r.map(|_| ()))
    }
}

/// What a snapshot folder holds, from two directory listings instead of one `stat` per file
/// (each of which walks the whole path and then the link): the pointers under
/// `snapshots/{commit}/` and the blob names under `blobs/`.
struct CachedSnapshot {
    /// Path in the repo -> whether it is a symlink (a plain file is a no-symlink copy).
    pointers: HashMap<String, bool>,
    blobs: HashSet<OsString>,
}

impl CachedSnapshot {
    /// `None` when a folder cannot be listed (the caller then checks file by file).
    fn list(repo: &RepoCache, commit: &str) -> Option<CachedSnapshot> {
        let mut pointers = HashMap::new();
        let root = repo.snapshot_dir(commit);
        if root.is_dir() {
            let mut stack = vec![(root, String::new())];
            while let Some((dir, prefix)) = stack.pop() {
                for entry in std::fs::read_dir(&dir).ok()? {
                    let entry = entry.ok()?;
                    let kind = entry.file_type().ok()?;
                    let name = entry.file_name().into_string().ok()?;
                    let rel = format!("{prefix}{name}");
                    if kind.is_dir() {
                        stack.push((entry.path(), format!("{rel}/")));
                    } else {
                        pointers.insert(rel, kind.is_symlink());
                    }
                }
            }
        }
        let blobs_dir = repo.path().join("blobs");
        let blobs = match std::fs::read_dir(&blobs_dir) {
            Ok(entries) => entries
                .filter_map(|e| e.ok().map(|e| e.file_name()))
                .collect(),
            Err(_) => HashSet::new(),
        };
        Some(CachedSnapshot { pointers, blobs })
    }

    /// The pointer exists, and a link's blob (named by the ETag, as every writer of this layout
    /// names it) is there too: what `stat` following the link would have said.
    fn has(&self, path: &RepoPath, etag: &str) -> bool {
        match self.pointers.get(path.as_str()) {
            Some(true) => self.blobs.contains(OsStr::new(etag)),
            Some(false) => true,
            None => false,
        }
    }
}

#[derive(Deserialize)]
struct ShaOnly {
    sha: Option<String>,
}

#[derive(Deserialize)]
struct InfoWithSiblings {
    sha: Option<String>,
    siblings: Option<Vec<RepoSibling>>,
}

fn checked_commit(url: &str, sha: Option<String>) -> Result<String, Error> {
    match sha {
        Some(s) if is_commit(&s) => Ok(s),
        other => Err(Error::protocol(
            url,
            format!("repo info has no usable `sha` ({other:?})"),
        )),
    }
}

/// A listing from `siblings` when every entry has its blob id and size; `None` to fall
/// back to the tree listing (missing fields, empty, or too many entries).
fn listing_from_siblings(siblings: &[RepoSibling]) -> Option<Result<TreeListing, Error>> {
    if siblings.is_empty() || siblings.len() > MAX_SIBLINGS {
        return None;
    }
    let mut listing = TreeListing::new();
    for s in siblings {
        let entry = TreeEntry {
            size: s.size?,
            blob_id: s.blob_id.clone()?,
            lfs_sha256: s.lfs.as_ref().map(|l| l.sha256.clone()),
            lfs_size: s.lfs.as_ref().map(|l| l.size),
            xet_hash: None,
        };
        if let Err(what) = validate_etag(entry.etag()) {
            return Some(Err(Error::protocol("siblings", what)));
        }
        match s.rfilename.parse::<RepoPath>() {
            Ok(p) => listing.insert(p, entry),
            Err(e) => return Some(Err(e.into())),
        };
    }
    Some(Ok(listing))
}
