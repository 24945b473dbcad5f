//! `hf_hub_download` in cache mode (protocol §4.4), as an owned request builder.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hf_http::{ErrorContext, HubClient, RepoRequest, RepoTarget};
use hf_types::{RepoId, RepoPath, Revision};

use crate::fsutil::{FileLock, io_err, unique_sibling};
use crate::layout::RepoCache;
use crate::metadata::{HfFileMetadata, file_metadata, hf_hub_url};
use crate::progress::{NoReporter, SharedReporter};
use crate::transfer::{Fetch, fetch_bytes, fetch_into};
use crate::{CacheDir, Error, local_dir, net};

/// Default cap of connections per large file.
pub(crate) const DEFAULT_MAX_CONNECTIONS: usize = 4;

/// Files up to this size are downloaded into memory and written with one blocking call.
const IN_MEMORY_MAX: u64 = 1 << 20;

/// The options [`HubDownload`] and [`SnapshotDownload`](crate::SnapshotDownload) share, set
/// through [`DownloadRequest`].
#[derive(Clone)]
pub struct DownloadOptions {
    pub(crate) cache_dir: Option<CacheDir>,
    pub(crate) local_dir: Option<PathBuf>,
    pub(crate) force_download: bool,
    pub(crate) etag_timeout: Option<Duration>,
    pub(crate) local_files_only: bool,
    pub(crate) reporter: SharedReporter,
    pub(crate) max_connections: usize,
}

impl Default for DownloadOptions {
    /// The environment's cache, no local folder, cached files reused, the client's etag
    /// timeout, network allowed, no progress, up to 4 connections per large file.
    fn default() -> Self {
        DownloadOptions {
            cache_dir: None,
            local_dir: None,
            force_download: false,
            etag_timeout: None,
            local_files_only: false,
            reporter: Arc::new(NoReporter),
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

impl std::fmt::Debug for DownloadOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DownloadOptions")
            .field("cache_dir", &self.cache_dir)
            .field("local_dir", &self.local_dir)
            .field("force_download", &self.force_download)
            .field("etag_timeout", &self.etag_timeout)
            .field("local_files_only", &self.local_files_only)
            .field("max_connections", &self.max_connections)
            .finish_non_exhaustive()
    }
}

impl DownloadOptions {
    /// The cache to use: the one set, else the client's (a hermetic client has none unless
    /// given one: an error, never a read of the environment).
    pub(crate) fn cache(&self, client: &HubClient) -> Result<CacheDir, Error> {
        CacheDir::for_request(self.cache_dir.as_ref(), client)
    }
}

/// A download request builder ([`HubDownload`], [`SnapshotDownload`](crate::SnapshotDownload)):
/// the setters they share, defined once. Bring it into scope with `use hf_cache::prelude::*;`.
pub trait DownloadRequest: RepoRequest {
    /// The builder's options.
    fn options_mut(&mut self) -> &mut DownloadOptions;

    /// The cache to use (default: the client's, [`CacheDir::for_client`]).
    #[must_use]
    fn cache_dir(mut self, cache: CacheDir) -> Self {
        self.options_mut().cache_dir = Some(cache);
        self
    }

    /// Put real files under this folder (`{local_dir}/{path}`) instead of returning cache
    /// paths (protocol §4.5).
    #[must_use]
    fn local_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.options_mut().local_dir = Some(dir.into());
        self
    }

    /// Download again even what is cached, replacing it.
    #[must_use]
    fn force_download(mut self, force: bool) -> Self {
        self.options_mut().force_download = force;
        self
    }

    /// Timeout of the metadata request (default: the client's etag timeout, 10 s).
    #[must_use]
    fn etag_timeout(mut self, timeout: Duration) -> Self {
        self.options_mut().etag_timeout = Some(timeout);
        self
    }

    /// Never touch the network: answer from the cache (or the local folder) or fail.
    #[must_use]
    fn local_files_only(mut self, yes: bool) -> Self {
        self.options_mut().local_files_only = yes;
        self
    }

    /// Where progress events go.
    #[must_use]
    fn reporter(mut self, reporter: SharedReporter) -> Self {
        self.options_mut().reporter = reporter;
        self
    }

    /// Connections a large file (64 MiB and more) may use at most (default 4; 1: one
    /// connection). They are added one at a time, only while each raises the
    /// throughput: on a fast local link one or two are used.
    #[must_use]
    fn max_connections(mut self, n: usize) -> Self {
        self.options_mut().max_connections = n.max(1);
        self
    }

    /// Send this token instead of the client's, or none at all with `None` (the Python
    /// client's per-call `token=`); only to the endpoint's host, as always.
    #[must_use]
    fn token(mut self, token: Option<impl Into<hf_http::Token>>) -> Self {
        let target = self.target_mut();
        let client = target.client().with_token(token);
        target.set_client(client);
        self
    }

    /// Send these headers too with every request of this download (the Python client's
    /// per-call `headers=`).
    #[must_use]
    fn headers(mut self, headers: hf_http::HeaderMap) -> Self {
        let target = self.target_mut();
        let client = target.client().with_headers(headers);
        target.set_client(client);
        self
    }
}

/// Downloads one file of a repo into the cache (or a local folder) and returns its path:
/// the Python client's `hf_hub_download`. `.await` sends it.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_cache::Error> {
/// use hf_cache::HubDownload;
/// use hf_cache::prelude::*;
///
/// let path = HubDownload::new(client, "openai-community/gpt2".parse()?, "config.json")
///     .revision("main".parse()?)
///     .force_download(true)
///     .await?;
/// println!("{}", path.display());
/// # Ok(()) }
/// ```
#[must_use = "a download does nothing until awaited"]
#[derive(Clone)]
pub struct HubDownload {
    pub(crate) target: RepoTarget,
    pub(crate) filename: String,
    pub(crate) subfolder: Option<String>,
    pub(crate) options: DownloadOptions,
    /// Names of the `.incomplete` files in the repo's `blobs/`, when a snapshot listed it once
    /// for all its files (`None`: list it for this file).
    pub(crate) leftovers: Option<Arc<HashSet<String>>>,
}

impl std::fmt::Debug for HubDownload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubDownload")
            .field("repo_id", self.target.repo_id())
            .field("filename", &self.filename)
            .field("revision", &self.target.revision())
            .finish_non_exhaustive()
    }
}

hf_http::impl_repo_request!(HubDownload, revision);
hf_http::impl_into_future!(HubDownload => PathBuf, run);

impl DownloadRequest for HubDownload {
    fn options_mut(&mut self) -> &mut DownloadOptions {
        &mut self.options
    }
}

impl HubDownload {
    /// Downloads `filename` (a path in the repo) of the model repo `repo_id` at `main`.
    pub fn new(client: HubClient, repo_id: RepoId, filename: impl Into<String>) -> HubDownload {
        HubDownload {
            target: RepoTarget::new(client, repo_id),
            filename: filename.into(),
            subfolder: None,
            options: DownloadOptions::default(),
            leftovers: None,
        }
    }

    /// A folder the filename is relative to (`{subfolder}/{filename}`).
    pub fn subfolder(mut self, subfolder: impl Into<String>) -> Self {
        self.subfolder = Some(subfolder.into());
        self
    }

    /// The client requests are sent with.
    pub(crate) fn client(&self) -> &HubClient {
        self.target.client()
    }

    /// The repo.
    pub(crate) fn repo_id(&self) -> &RepoId {
        self.target.repo_id()
    }

    /// The revision asked for (`main` unless set).
    pub(crate) fn rev(&self) -> Revision {
        self.target.revision_or_main()
    }

    /// What the requests for `path` are about: repo, revision and file.
    pub(crate) fn context(&self, path: &RepoPath) -> ErrorContext {
        self.target
            .context()
            .with_revision(self.rev())
            .with_path(path.as_str())
    }

    pub(crate) fn repo_path(&self) -> Result<RepoPath, Error> {
        let joined = match &self.subfolder {
            Some(sub) if !sub.is_empty() => {
                format!("{}/{}", sub.trim_end_matches('/'), self.filename)
            }
            _ => self.filename.clone(),
        };
        let path: RepoPath = joined.parse()?;
        // Never a local path outside the cache or `local_dir`, on any OS (issue 15 item 6).
        path.check_local()?;
        Ok(path)
    }

    pub(crate) fn cache(&self) -> Result<CacheDir, Error> {
        self.options.cache(self.client())
    }

    pub(crate) fn offline(&self) -> bool {
        self.options.local_files_only || net::is_offline(self.client())
    }

    pub(crate) fn url(&self, path: &RepoPath, revision: &Revision) -> String {
        hf_hub_url(
            self.client().endpoint_base(),
            self.repo_id(),
            self.target.repo_type(),
            revision,
            path,
        )
    }

    async fn run(self) -> Result<PathBuf, Error> {
        let path = self.repo_path()?;
        match self.options.local_dir.clone() {
            Some(dir) => local_dir::download(&self, &dir, &path).await,
            None => self.to_cache(&path).await,
        }
    }

    /// Fetches the metadata unless offline; classifies the outcome as in §4.4 step 2.
    pub(crate) async fn metadata(
        &self,
        path: &RepoPath,
    ) -> Result<Result<HfFileMetadata, Error>, Error> {
        if self.offline() {
            return Ok(Err(Error::LocalEntryNotFound {
                message: "offline mode or local_files_only: no request sent".into(),
                source: None,
            }));
        }
        let url = self.url(path, &self.rev());
        let timeout = self
            .options
            .etag_timeout
            .or_else(|| Some(net::etag_timeout(self.client())));
        match file_metadata(self.client(), &url, timeout, &self.context(path)).await {
            Ok(m) => Ok(Ok(m)),
            // Neither is cured by the cache: said as is.
            Err(e @ Error::RevisionNotFound(_)) => Err(e),
            Err(
                e @ Error::Transport {
                    kind: hf_http::TransportKind::Tls | hf_http::TransportKind::Proxy,
                    ..
                },
            ) => Err(e),
            Err(e) => Ok(Err(e)),
        }
    }

    /// §4.4 step 3: no metadata; answer from the cache or explain why not.
    pub(crate) fn fallback_error(&self, what: &str, remembered: Error) -> Error {
        let offline = net::is_offline(self.client());
        if self.options.force_download {
            let why = if self.options.local_files_only {
                "force_download and local_files_only cannot be combined".to_owned()
            } else if offline {
                "force_download is impossible in offline mode (HF_HUB_OFFLINE)".to_owned()
            } else {
                format!("force_download is impossible: the Hub could not be reached ({remembered})")
            };
            return Error::InvalidArgument(why);
        }
        if self.options.local_files_only {
            return Error::LocalEntryNotFound {
                message: format!(
                    "cannot find {what} in the local cache and outgoing traffic has been disabled \
                     (local_files_only); allow Hub look-ups to download it"
                ),
                source: None,
            };
        }
        if offline {
            return Error::LocalEntryNotFound {
                message: format!(
                    "cannot find {what} in the local cache and offline mode is enabled \
                     (HF_HUB_OFFLINE); go online to download it"
                ),
                source: None,
            };
        }
        if is_access_error(&remembered) {
            return remembered;
        }
        Error::LocalEntryNotFound {
            message: format!(
                "an error happened while trying to locate {what} on the Hub and it is not in the \
                 local cache; check your connection"
            ),
            source: Some(Box::new(remembered)),
        }
    }

    async fn to_cache(&self, path: &RepoPath) -> Result<PathBuf, Error> {
        let cache = self.cache()?;
        let repo = cache.repo(self.repo_id(), self.target.repo_type());
        let rev = &self.rev();
        // 1. A pinned commit that is already cached needs no request.
        if rev.is_commit()
            && !self.options.force_download
            && repo.pointer_is_file(rev.as_str(), path)
        {
            let p = repo.pointer_path(rev.as_str(), path);
            self.options.reporter.on_cached(path.as_str(), &p);
            return Ok(p);
        }
        // 2. Metadata.
        let meta = match self.metadata(path).await? {
            Ok(m) => m,
            Err(Error::EntryNotFound(e)) => {
                let commit = e
                    .headers()
                    .get("x-repo-commit")
                    .and_then(|v| v.to_str().ok())
                    .filter(|c| crate::metadata::is_commit(c))
                    .map(str::to_owned);
                if let Some(commit) = commit {
                    let repo = repo.clone();
                    let (p, r) = (path.clone(), rev.clone());
                    blocking(move || {
                        repo.mark_no_exist(&commit, &p)?;
                        repo.write_ref(&r, &commit)
                    })
                    .await?;
                }
                return Err(Error::EntryNotFound(e));
            }
            Err(remembered) => {
                // 3. Fallback to the cache.
                if !self.options.force_download
                    && let Some(commit) = repo.resolve_local(rev)?
                    && repo.pointer_is_file(&commit, path)
                {
                    let p = repo.pointer_path(&commit, path);
                    self.options.reporter.on_cached(path.as_str(), &p);
                    return Ok(p);
                }
                return Err(
                    self.fallback_error(&format!("{} in {}", path, self.repo_id()), remembered)
                );
            }
        };
        self.fetch_to_cache(&repo, path, &meta).await
    }

    /// §4.4 steps 4–7 once the metadata is known.
    pub(crate) async fn fetch_to_cache(
        &self,
        repo: &RepoCache,
        path: &RepoPath,
        meta: &HfFileMetadata,
    ) -> Result<PathBuf, Error> {
        let force = self.options.force_download;
        let rev = self.rev();
        if rev.as_str() != meta.commit {
            let (repo, commit) = (repo.clone(), meta.commit.clone());
            blocking(move || repo.write_ref(&rev, &commit)).await?;
        }
        let pointer = repo.pointer_path(&meta.commit, path);
        if !force && pointer.is_file() {
            self.options.reporter.on_cached(path.as_str(), &pointer);
            return Ok(pointer);
        }
        if meta.size <= IN_MEMORY_MAX {
            return self.fetch_small_to_cache(repo, path, meta).await;
        }
        let blob = repo.blob_path(&meta.etag);
        let lock = FileLock::acquire_async(repo.lock_path(&meta.etag)).await?;
        // Another process may have finished this blob while we waited for the lock.
        if !force && blob.is_file() {
            let linked = self.link(repo, &blob, meta, path, false).await?;
            drop(lock);
            self.options.reporter.on_cached(path.as_str(), &linked);
            return Ok(linked);
        }
        let temp = claim_incomplete(&blob, force, self.leftovers.clone()).await?;
        let (get_url, no_auth) = self.get_target(path, meta);
        let fetch = self.fetch_of(path, meta, &get_url, no_auth);
        fetch_into(
            self.client(),
            &fetch,
            temp.clone(),
            self.options.max_connections,
        )
        .await?;
        let target = blob.clone();
        blocking(move || {
            std::fs::rename(&temp, &target).map_err(io_err("rename into place", &target))
        })
        .await?;
        let linked = self.link(repo, &blob, meta, path, true).await?;
        drop(lock);
        self.options
            .reporter
            .on_download_done(path.as_str(), &linked);
        Ok(linked)
    }

    /// Where to GET `path`'s bytes: the location the metadata named, without the token when it
    /// is on another host, else the resolve URL.
    pub(crate) fn get_target(&self, path: &RepoPath, meta: &HfFileMetadata) -> (String, bool) {
        download_target(&self.url(path, &self.rev()), &meta.location)
    }

    /// The transfer of `path` from `url`.
    pub(crate) fn fetch_of<'a>(
        &'a self,
        path: &'a RepoPath,
        meta: &'a HfFileMetadata,
        url: &'a str,
        no_auth: bool,
    ) -> Fetch<'a> {
        Fetch {
            file: path.as_str(),
            url,
            no_auth,
            etag: &meta.etag,
            size: meta.size,
            read_timeout: Some(net::download_timeout(self.client())),
            reporter: self.options.reporter.as_ref(),
            context: self.context(path),
        }
    }

    /// A small file: fetched and verified in memory, then the blob (temp file and rename) and
    /// the pointer in one blocking call: one thread hand-off per file instead of five. A blob
    /// that appeared meanwhile (another process) is kept and only linked.
    async fn fetch_small_to_cache(
        &self,
        repo: &RepoCache,
        path: &RepoPath,
        meta: &HfFileMetadata,
    ) -> Result<PathBuf, Error> {
        let (get_url, no_auth) = self.get_target(path, meta);
        let fetch = self.fetch_of(path, meta, &get_url, no_auth);
        let bytes = fetch_bytes(self.client(), &fetch).await?;
        let (repo, etag, commit, path2, force) = (
            repo.clone(),
            meta.etag.clone(),
            meta.commit.clone(),
            path.clone(),
            self.options.force_download,
        );
        let linked = blocking(move || {
            let blob = repo.blob_path(&etag);
            // No lock: locks only avoid duplicate transfers, and this one is done; the blob
            // lands by an atomic rename of a uniquely named temp file, so two writers of the
            // same blob are both correct.
            let fresh = force || !blob.is_file();
            if fresh {
                let temp = unique_sibling(&blob, ".incomplete");
                // The folder is created only when missing (once per repo, not once per file).
                let written = match std::fs::write(&temp, &bytes) {
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        crate::fsutil::create_parent(&temp)?;
                        std::fs::write(&temp, &bytes)
                    }
                    other => other,
                };
                written.map_err(io_err("write", &temp))?;
                if let Err(e) = std::fs::rename(&temp, &blob) {
                    let _ = std::fs::remove_file(&temp);
                    return Err(io_err("rename into place", &blob)(e));
                }
            }
            repo.link_pointer(&blob, &etag, &commit, &path2, fresh)
        })
        .await?;
        self.options
            .reporter
            .on_download_done(path.as_str(), &linked);
        Ok(linked)
    }

    async fn link(
        &self,
        repo: &RepoCache,
        blob: &Path,
        meta: &HfFileMetadata,
        path: &RepoPath,
        new_blob: bool,
    ) -> Result<PathBuf, Error> {
        let (repo, blob, etag, commit, path) = (
            repo.clone(),
            blob.to_path_buf(),
            meta.etag.clone(),
            meta.commit.clone(),
            path.clone(),
        );
        blocking(move || repo.link_pointer(&blob, &etag, &commit, &path, new_blob)).await
    }
}

/// GET `location` directly when it differs from the resolve URL (without the token
/// when it is on another host); else the resolve URL.
pub(crate) fn download_target(resolve: &str, location: &str) -> (String, bool) {
    if location == resolve || location.is_empty() {
        return (resolve.to_owned(), false);
    }
    let host = |u: &str| {
        let rest = u.split_once("://").map(|(_, r)| r).unwrap_or(u);
        rest.split('/')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    (location.to_owned(), host(location) != host(resolve))
}

/// Picks the temp file for `blob`: a previous run's `{etag}.incomplete` or
/// `{etag}.*.incomplete` (taken over by renaming it to a fresh unique name; its prefix
/// is re-hashed when the download resumes), else a fresh unique name. With `force`,
/// leftovers are deleted. Called under the blob's lock.
///
/// `leftovers` is the set of `.incomplete` names a snapshot found in `blobs/` when it
/// started: with it, no file lists the folder again (a listing per file would make a
/// snapshot of n files cost O(n²)).
pub(crate) async fn claim_incomplete(
    blob: &Path,
    force: bool,
    leftovers: Option<Arc<HashSet<String>>>,
) -> Result<PathBuf, Error> {
    let blob = blob.to_path_buf();
    blocking(move || {
        let dir = blob.parent().map(Path::to_path_buf).unwrap_or_default();
        crate::fsutil::create_dir_all(&dir)?;
        let fresh = unique_sibling(&blob, ".incomplete");
        let name = blob
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let prefix = format!("{name}.");
        let candidates: Vec<String> = match &leftovers {
            Some(names) => names
                .iter()
                .filter(|n| n.starts_with(&prefix))
                .cloned()
                .collect(),
            None => incomplete_names(&dir)?
                .into_iter()
                .filter(|n| n.starts_with(&prefix))
                .collect(),
        };
        let mut taken = false;
        for candidate in candidates {
            let path = dir.join(&candidate);
            // A parallel download that died: its bytes are not a prefix, nothing to resume.
            if force || taken || candidate.ends_with(crate::parallel::RANGES_SUFFIX) {
                let _ = std::fs::remove_file(&path);
            } else if std::fs::rename(&path, &fresh).is_ok() {
                taken = true;
            }
        }
        Ok(fresh)
    })
    .await
}

/// The names of the `.incomplete` files in `dir`, and of the `.incomplete.ranges` files parallel
/// downloads left (none when `dir` does not exist yet).
pub(crate) fn incomplete_names(dir: &Path) -> Result<HashSet<String>, Error> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(HashSet::new()),
        Err(e) => return Err(io_err("list", dir)(e)),
    };
    Ok(entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            n.ends_with(".incomplete")
                || n.strip_suffix(crate::parallel::RANGES_SUFFIX)
                    .is_some_and(|n| n.ends_with(".incomplete"))
        })
        .collect())
}

/// True for errors that mean "the Hub says this does not exist / is not yours", which a
/// download re-raises instead of hiding behind "not in the cache".
fn is_access_error(error: &Error) -> bool {
    matches!(
        error,
        Error::RepoNotFound(_) | Error::GatedRepo(_) | Error::Unauthorized(_)
    ) || error.status().map(|s| s.as_u16()) == Some(401)
}

/// Runs blocking filesystem work off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    tokio::task::spawn_blocking(f).await.map_err(Error::task)?
}
