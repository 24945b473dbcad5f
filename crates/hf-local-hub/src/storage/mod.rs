//! Persistent storage of the local hub: SQLite metadata plus a content-addressed blob directory.
//!
//! # Layout of a data directory
//!
//! * `hub.sqlite` — repos, refs, commits, trees (folder nodes shared between commits, see `trees.rs`), redirects, discussions and pull requests, likes, access requests (WAL mode,
//!   `synchronous=FULL`).
//! * `objects/git/ab/<sha1>` — regular file contents, named by their git blob SHA-1.
//! * `objects/lfs/ab/<sha256>` — LFS object contents, named by their SHA-256.
//! * `tmp/` — temporary files; emptied when the store opens (leftovers of a crash are never visible).
//!
//! A file's bytes are stored once however many commits and repos hold them. Blob files are written to `tmp/`,
//! fsynced and renamed into place *before* the database transaction that references them commits, so a crash
//! at any point leaves either the old state or the new one.
//!
//! # API used by the HTTP layer (and by the uploads code)
//!
//! Every method is `async` and runs its database and file work on tokio's blocking pool. All take `&self`;
//! [`Store`] is cheap to clone. Writes go through one connection under a lock; reads of repos, revisions,
//! commits, trees, refs and history use read-only connections of their own (WAL snapshots), so they never
//! wait for a write. `Store::collect_garbage(grace)` (see `gc.rs`) removes uncommitted uploads and staging.
//!
//! ```text
//! Store::open(dir: &Path) -> Result<Store, StoreError>                                  (sync, at startup)
//! Store::lookup_repo(repo_type, full_id: &str) -> Result<RepoLookup, StoreError>        Found / Moved / Missing
//! Store::repo(repo_type, full_id: &str) -> Result<Option<RepoRecord>, StoreError>       ignores redirects
//! Store::create_repo(NewRepo) -> Result<RepoRecord, StoreError>                          Conflict if it exists
//! Store::delete_repo(&RepoRecord) / move_repo(&RepoRecord, new_full_id) / update_settings(&RepoRecord, RepoSettings)
//! Store::list_repos(repo_type) -> Result<Vec<RepoRecord>, StoreError>
//! Store::resolve_revision(&RepoRecord, rev: &str) -> Result<Option<String>, StoreError> commit id, None = no such rev
//! Store::commit_record(commit: &str) -> Result<Option<CommitRecord>, StoreError>
//! Store::tree_entry(commit: &str, path: &str) -> Result<Option<Entry>, StoreError>      file or directory
//! Store::list_tree(commit, folder: &str ("" = root), recursive) -> Result<Vec<Entry>, StoreError>
//! Store::read_file_at(commit, path, max_len: u64) -> Result<Option<Bytes>, StoreError>
//!         bytes of a *regular* file (e.g. .gitattributes / .gitignore); None if missing, LFS or too large
//! Store::lfs_object(sha256) -> Result<Option<u64>, StoreError>                           size if stored
//! Store::lfs_ingest(sha256, expected_size: Option<u64>, body: impl Stream<Item = Result<Bytes, E>>)
//!         -> Result<u64, StoreError>   streams to tmp/ while hashing, checks sha256 (+ size), renames into place
//! Store::temp_path() -> PathBuf                                                           unique path in tmp/
//! Store::lfs_ingest_file(sha256, expected_size: Option<u64>, file: PathBuf) -> Result<u64, StoreError>
//!         adopts a finished temp file (e.g. concatenated multipart parts): hashes, checks, renames (or removes)
//! Store::lfs_path(sha256) / blob_path(sha1) -> Option<PathBuf>                           where bytes live
//! Store::commit(&RepoRecord, target: &str, CommitInput) -> Result<CommitOutcome, StoreError>
//!         target = a branch name (`main`), `refs/heads/x` or `refs/pr/N`; Op = AddRegular | AddLfs | Copy |
//!         DeleteFile | DeleteFolder; `parent_commit` mismatch -> StoreError::ParentMismatch
//! Store::create_pull_request(&RepoRecord, base_commit: &str, title, author, description) -> Result<u64, StoreError>
//!         creates discussion N (a pull request) and the ref `refs/pr/N` at `base_commit`
//! Store::refs(&RepoRecord) -> Result<Vec<RefRecord>, StoreError>
//! Store::create_ref(&RepoRecord, full_ref, commit) / delete_ref(&RepoRecord, full_ref)
//! Store::history(commit, skip, limit) -> (Vec<CommitRecord>, has_more)        first-parent, newest first
//! Store::super_squash(&RepoRecord, branch_ref, message, author) -> new commit id
//! Store::pull_requests(&RepoRecord) -> Vec<PullRequestRecord>
//! Discussions, likes, access requests (issue 10): see `storage/discussions.rs` and `storage/access.rs`
//! check_path(path) -> Result<String, StoreError>             the path rules every client-supplied path obeys
//! ```
//!
//! Errors are [`StoreError`]; `crate::api::error` maps each variant to a Hub error in one place.

mod access;
mod blobs;
// Inference Endpoints (issue 13).
mod discussions;
mod draft;
mod endpoints;
// Garbage collection of uncommitted uploads and abandoned staging (issue 16 item 12).
mod gc;
// Collections, webhooks, papers, profiles, follows (issue 11).
pub(crate) mod documents;
pub mod git;
mod history;
// LFS file listing and permanent deletion (issue 15).
mod lfs_files;
// LFS objects scoped to repos, .gitattributes tracking (issue 16 items 3, 10).
mod direct_io;
mod lfs_scope;
mod prefix_hash;
mod repos;
mod schema;
// Spaces (issue 12).
mod spaces;
mod trees;
mod upload_support;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_util::Stream;
use hf_types::RepoType;
use rusqlite::Connection;

pub use access::AccessRequestRecord;
pub use blobs::is_hex;
pub use discussions::{
    DiscussionFilter, DiscussionRecord, EventRecord, MAX_COMMENT, MAX_TITLE, NewPullRequest,
};
pub use endpoints::EndpointRecord;
pub use gc::{DEFAULT_GC_GRACE, GcReport};
pub use history::{
    MAX_PATH_BYTES, MAX_PATH_DEPTH, MAX_SEGMENT_BYTES, check_path, check_path_limits,
};
pub use spaces::{SpaceChange, SpaceEnv, SpaceRuntimeView};

/// Maximum bytes of a regular (non-LFS) file accepted in a commit.
pub const MAX_REGULAR_FILE: usize = 64 * 1024 * 1024;

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The repository does not exist.
    #[error("Repository not found")]
    RepoNotFound,
    /// The revision (branch, tag, commit or ref) does not exist in the repository.
    #[error("Invalid rev id: {0}")]
    RevisionNotFound(String),
    /// A path does not exist at the revision.
    #[error("{0}")]
    EntryNotFound(String),
    /// The object already exists (repo, branch, tag).
    #[error("{0}")]
    Conflict(String),
    /// The commit's `parentCommit` is not the head of the target ref.
    #[error(
        "A commit has happened since. Please refresh and try again. (parent {expected}, head {actual})"
    )]
    ParentMismatch {
        /// The parent the client expected.
        expected: String,
        /// The actual head of the ref.
        actual: String,
    },
    /// An LFS object referenced by a commit was never uploaded.
    #[error("LFS object {0} was not uploaded")]
    LfsObjectMissing(String),
    /// Uploaded or referenced bytes do not match the announced sha256 or size.
    #[error("{0}")]
    LfsMismatch(String),
    /// The request is malformed (bad path, bad name, bad target).
    #[error("{0}")]
    BadRequest(String),
    /// The operation is not allowed (e.g. deleting the default branch).
    #[error("{0}")]
    Forbidden(String),
    /// Another request holds what this one needs for a moment (a multipart part being written,
    /// or the upload being completed): worth retrying shortly.
    #[error("{0}")]
    Busy(String),
    /// A filesystem operation failed.
    #[error("storage I/O error on {path}: {source}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The database failed.
    #[error("database error: {0}")]
    Db(#[from] rusqlite::Error),
    /// An unexpected internal condition.
    #[error("internal storage error: {0}")]
    Internal(String),
}

impl StoreError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        StoreError::Io {
            path: path.into(),
            source,
        }
    }
}

/// A repository row.
#[derive(Debug, Clone, PartialEq)]
pub struct RepoRecord {
    /// Internal primary key.
    pub pk: i64,
    /// Model, dataset or space.
    pub repo_type: RepoType,
    /// The owner (user or organization).
    pub namespace: String,
    /// The name after the `/`.
    pub name: String,
    /// Visible only to the owner (and org members).
    pub private: bool,
    /// `None` (not gated), `Some("auto")` or `Some("manual")`.
    pub gated: Option<String>,
    /// Creation time, milliseconds since the Unix epoch.
    pub created_ms: i64,
    /// Time of the last commit or settings change, milliseconds since the Unix epoch.
    pub last_modified_ms: i64,
    /// A 24-hex Mongo-style object id (`_id`).
    pub object_id: String,
    /// Space SDK (`gradio`, `docker`, ...), spaces only.
    pub sdk: Option<String>,
    /// Other creation options, kept verbatim (space hardware, secrets names, ...).
    pub extra: serde_json::Value,
}

impl RepoRecord {
    /// `namespace/name`, or `name` for a canonical repo.
    pub fn full_id(&self) -> String {
        // Canonical repos (seeded only) have no namespace: their id is the bare name (`gpt2`).
        if self.namespace.is_empty() {
            return self.name.clone();
        }
        format!("{}/{}", self.namespace, self.name)
    }
}

/// Result of looking a repository up by name.
#[derive(Debug, Clone, PartialEq)]
pub enum RepoLookup {
    /// The repository exists under this name.
    Found(RepoRecord),
    /// The name belonged to a repository that was moved; it now lives at this `namespace/name`.
    Moved(String),
    /// No such repository.
    Missing,
}

/// Fields of a repository to create.
#[derive(Debug, Clone)]
pub struct NewRepo {
    /// Repo type.
    pub repo_type: RepoType,
    /// Owner namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// Private visibility.
    pub private: bool,
    /// Space SDK.
    pub sdk: Option<String>,
    /// Other options (kept verbatim).
    pub extra: serde_json::Value,
}

/// The initial commit of a new repo besides `.gitattributes` (issue 15).
#[derive(Debug, Clone)]
pub(crate) struct InitialCommit {
    /// Its author.
    pub(crate) author: String,
    /// Extra regular files: (path, git blob sha1, size), already stored.
    pub(crate) files: Vec<(String, String, u64)>,
}

/// Settings that can be updated on a repo; `None` leaves a field unchanged.
#[derive(Debug, Clone, Default)]
pub struct RepoSettings {
    /// New visibility.
    pub private: Option<bool>,
    /// New gating: `Some(None)` un-gates, `Some(Some("auto"|"manual"))` gates.
    pub gated: Option<Option<String>>,
}

/// An immutable commit.
#[derive(Debug, Clone, PartialEq)]
pub struct CommitRecord {
    /// 40-hex git commit id.
    pub id: String,
    /// 40-hex git tree id of the root folder.
    pub tree: String,
    /// Parent commit ids (empty for a root commit).
    pub parents: Vec<String>,
    /// Author user name (`system` for the initial commit).
    pub author: String,
    /// Summary line.
    pub title: String,
    /// Description (the rest of the message).
    pub message: String,
    /// Milliseconds since the Unix epoch.
    pub date_ms: i64,
}

/// Whether an entry is a file or a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A file.
    File,
    /// A folder.
    Directory,
}

/// LFS metadata of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LfsInfo {
    /// 64-hex SHA-256 of the content.
    pub sha256: String,
    /// Real size of the content.
    pub size: u64,
    /// Size of the pointer file.
    pub pointer_size: u64,
}

/// One file or folder of a commit's tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Full path from the repo root.
    pub path: String,
    /// File or folder.
    pub kind: EntryKind,
    /// Git blob id (of the pointer for LFS files) or git tree id (folders).
    pub oid: String,
    /// Content size in bytes (real size for LFS files, 0 for folders).
    pub size: u64,
    /// LFS metadata, for LFS files.
    pub lfs: Option<LfsInfo>,
    /// The newest commit (reachable from the commit listed) that changed this path.
    pub last_commit: String,
}

/// A ref and its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefRecord {
    /// Full ref name: `refs/heads/main`, `refs/tags/v1`, `refs/pr/1`, `refs/convert/parquet`.
    pub name: String,
    /// Target commit id.
    pub commit: String,
}

/// A pull request (the discussion part is minimal until the community issue lands).
#[derive(Debug, Clone, PartialEq)]
pub struct PullRequestRecord {
    /// Discussion number (also the `N` of `refs/pr/N`).
    pub num: u64,
    /// Title.
    pub title: String,
    /// Author user name.
    pub author: String,
    /// Description.
    pub description: String,
    /// `open`, `closed`, `merged` or `draft`.
    pub status: String,
    /// Creation time, milliseconds since the Unix epoch.
    pub created_ms: i64,
}

/// One change of a commit.
#[derive(Debug, Clone)]
pub enum Op {
    /// Add or replace a regular file with these bytes.
    AddRegular {
        /// Path in the repo.
        path: String,
        /// Content.
        bytes: Bytes,
    },
    /// Add or replace a regular file whose bytes were stored already ([`Store::store_regular`]):
    /// a commit body is streamed, so its files need not be held until the commit.
    AddStoredRegular {
        /// Path in the repo.
        path: String,
        /// Git blob SHA-1 returned by [`Store::store_regular`] (checked to exist).
        sha1: String,
        /// Size in bytes.
        size: u64,
    },
    /// Add or replace an LFS file whose object was uploaded before (checked).
    AddLfs {
        /// Path in the repo.
        path: String,
        /// 64-hex SHA-256.
        sha256: String,
        /// Announced size; checked against the stored object when given.
        size: Option<u64>,
    },
    /// Copy a file (regular or LFS) from a revision of the same repo.
    Copy {
        /// Source path.
        src_path: String,
        /// Source revision; `None` = the head of the commit's target.
        src_revision: Option<String>,
        /// Destination path.
        dest_path: String,
    },
    /// Delete a file (error if missing).
    DeleteFile {
        /// Path in the repo.
        path: String,
    },
    /// Delete a folder and everything under it (error if missing).
    DeleteFolder {
        /// Folder path in the repo (a trailing `/` is ignored).
        path: String,
    },
    /// Make `.gitattributes` track these LFS files: an anchored rule is appended for each one no
    /// rule tracks. Read and written inside the commit transaction, so concurrent commits keep
    /// each other's rules.
    TrackLfs {
        /// Paths of LFS files of the commit (others are skipped).
        paths: Vec<String>,
    },
}

/// A commit to create.
#[derive(Debug, Clone)]
pub struct CommitInput {
    /// Title (first line).
    pub summary: String,
    /// Description (may be empty).
    pub description: String,
    /// When set, the target's head must be this commit.
    pub parent_commit: Option<String>,
    /// Author user name.
    pub author: String,
    /// Changes, applied in order.
    pub ops: Vec<Op>,
}

/// Result of a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitOutcome {
    /// The new commit id.
    pub commit_id: String,
    /// The full ref that moved (`refs/heads/main`, `refs/pr/3`).
    pub target_ref: String,
}

/// Most idle reader connections kept open (more may be open while busy).
const MAX_IDLE_READERS: usize = 16;

/// Handle to the store; clones share the same database and directory.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    /// The one writer: every write (and the reads that must see a consistent state with it).
    conn: Mutex<Connection>,
    /// Idle read-only connections: reads run on their own connection and never wait for the
    /// writer (WAL gives each a consistent snapshot).
    readers: Mutex<Vec<Connection>>,
    /// The database file, for opening more readers.
    db: PathBuf,
    paths: Paths,
    /// Simulated Space stage delays (issue 12).
    space_delays: spaces::SpaceDelays,
    /// The running hashes of multipart uploads in progress.
    prefix_hashes: prefix_hash::PrefixHashes,
}

/// The directories of a data dir.
#[derive(Debug, Clone)]
pub(crate) struct Paths {
    pub(crate) git: PathBuf,
    pub(crate) lfs: PathBuf,
    pub(crate) tmp: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("paths", &self.inner.paths)
            .finish()
    }
}

/// Milliseconds since the Unix epoch, now.
pub(crate) fn now_ms() -> i64 {
    let now = time::OffsetDateTime::now_utc();
    i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

impl Store {
    /// Opens (or creates) the store in `dir`, emptying its `tmp/` folder.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        let paths = Paths {
            git: dir.join("objects").join("git"),
            lfs: dir.join("objects").join("lfs"),
            tmp: dir.join("tmp"),
        };
        if paths.tmp.exists() {
            std::fs::remove_dir_all(&paths.tmp).map_err(|e| StoreError::io(&paths.tmp, e))?;
        }
        for d in [&paths.git, &paths.lfs, &paths.tmp] {
            std::fs::create_dir_all(d).map_err(|e| StoreError::io(d, e))?;
        }
        let db = dir.join("hub.sqlite");
        let conn = schema::open(&db)?;
        Ok(Store {
            inner: Arc::new(Inner {
                conn: Mutex::new(conn),
                readers: Mutex::new(Vec::new()),
                db,
                paths,
                space_delays: spaces::SpaceDelays::default(),
                prefix_hashes: prefix_hash::PrefixHashes::default(),
            }),
        })
    }

    /// Runs `f` with the connection on the blocking pool.
    async fn run<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection, &Paths) -> Result<T, StoreError> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = inner
                .conn
                .lock()
                .map_err(|_| StoreError::Internal("database lock poisoned".into()))?;
            f(&mut conn, &inner.paths)
        })
        .await
        .map_err(|e| StoreError::Internal(format!("storage task failed: {e}")))?
    }

    /// Runs the read-only `f` on the blocking pool with a reader connection (from the idle set, or a
    /// new one): it never waits for the writer's lock.
    async fn run_read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let idle = inner
                .readers
                .lock()
                .map_err(|_| StoreError::Internal("reader pool lock poisoned".into()))?
                .pop();
            let conn = match idle {
                Some(c) => c,
                None => schema::open_reader(&inner.db)?,
            };
            let result = f(&conn);
            if let Ok(mut idle) = inner.readers.lock()
                && idle.len() < MAX_IDLE_READERS
            {
                idle.push(conn);
            }
            result
        })
        .await
        .map_err(|e| StoreError::Internal(format!("storage task failed: {e}")))?
    }

    /// Runs `f` (file work without the database) on the blocking pool.
    async fn run_fs<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Paths) -> Result<T, StoreError> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || f(&inner.paths))
            .await
            .map_err(|e| StoreError::Internal(format!("storage task failed: {e}")))?
    }

    /// Looks a repository up by `namespace/name`, following moves.
    pub async fn lookup_repo(
        &self,
        repo_type: RepoType,
        full_id: &str,
    ) -> Result<RepoLookup, StoreError> {
        let id = full_id.to_owned();
        self.run_read(move |c| repos::lookup(c, repo_type, &id))
            .await
    }

    /// The repository currently named `namespace/name` (moves are not followed).
    pub async fn repo(
        &self,
        repo_type: RepoType,
        full_id: &str,
    ) -> Result<Option<RepoRecord>, StoreError> {
        match self.lookup_repo(repo_type, full_id).await? {
            RepoLookup::Found(r) => Ok(Some(r)),
            _ => Ok(None),
        }
    }

    /// Creates a repository with its initial `system` commit (`.gitattributes`); `Conflict` if it exists.
    pub async fn create_repo(&self, new: NewRepo) -> Result<RepoRecord, StoreError> {
        self.create_repo_as(new, "system", Vec::new()).await
    }

    /// Creates a repository whose initial commit (`.gitattributes` plus `files`, regular files) is
    /// authored by `author` (issue 15: the creator, as on the Hub); `Conflict` if it exists.
    pub async fn create_repo_as(
        &self,
        new: NewRepo,
        author: &str,
        files: Vec<(String, Vec<u8>)>,
    ) -> Result<RepoRecord, StoreError> {
        let attributes = git::default_gitattributes(new.repo_type);
        let (sha1, stored) = self
            .run_fs(move |p| {
                let (sha1, _) = blobs::write_regular(p, &attributes)?;
                let mut stored = Vec::with_capacity(files.len());
                for (path, bytes) in files {
                    let (oid, size) = blobs::write_regular(p, &bytes)?;
                    stored.push((path, oid, size));
                }
                Ok((sha1, stored))
            })
            .await?;
        let initial = InitialCommit {
            author: author.to_owned(),
            files: stored,
        };
        self.run(move |c, p| repos::create(c, p, new, &sha1, &initial))
            .await
    }

    /// Deletes a repository (its refs, history links and redirects).
    pub async fn delete_repo(&self, repo: &RepoRecord) -> Result<(), StoreError> {
        let pk = repo.pk;
        self.run(move |c, _| repos::delete(c, pk)).await
    }

    /// Renames a repository; the old name keeps redirecting. `Conflict` if the target exists.
    pub async fn move_repo(&self, repo: &RepoRecord, new_full_id: &str) -> Result<(), StoreError> {
        let repo = repo.clone();
        let to = new_full_id.to_owned();
        self.run(move |c, _| repos::rename(c, &repo, &to)).await
    }

    /// Updates visibility and gating; returns the updated row.
    pub async fn update_settings(
        &self,
        repo: &RepoRecord,
        settings: RepoSettings,
    ) -> Result<RepoRecord, StoreError> {
        let pk = repo.pk;
        self.run(move |c, _| repos::update_settings(c, pk, settings))
            .await
    }

    /// All repositories of a type, oldest first.
    pub async fn list_repos(&self, repo_type: RepoType) -> Result<Vec<RepoRecord>, StoreError> {
        self.run_read(move |c| repos::list(c, repo_type)).await
    }

    /// The commit a revision names in `repo`: full ref, branch, tag, full commit id or unique prefix (>= 7).
    pub async fn resolve_revision(
        &self,
        repo: &RepoRecord,
        rev: &str,
    ) -> Result<Option<String>, StoreError> {
        let pk = repo.pk;
        let rev = rev.to_owned();
        self.run_read(move |c| history::resolve(c, pk, &rev)).await
    }

    /// A commit by id.
    pub async fn commit_record(&self, commit: &str) -> Result<Option<CommitRecord>, StoreError> {
        let id = commit.to_owned();
        self.run_read(move |c| history::commit_record(c, &id)).await
    }

    /// The file or folder at `path` in `commit`.
    pub async fn tree_entry(&self, commit: &str, path: &str) -> Result<Option<Entry>, StoreError> {
        let (commit, path) = (commit.to_owned(), path.trim_end_matches('/').to_owned());
        self.run_read(move |c| trees::entry(c, &commit, &path))
            .await
    }

    /// Entries under `folder` ("" = root): direct children, or all descendants when `recursive`.
    /// Sorted by path.
    pub async fn list_tree(
        &self,
        commit: &str,
        folder: &str,
        recursive: bool,
    ) -> Result<Vec<Entry>, StoreError> {
        let (commit, folder) = (commit.to_owned(), folder.trim_end_matches('/').to_owned());
        self.run_read(move |c| trees::list(c, &commit, &folder, recursive))
            .await
    }

    /// The bytes of a regular file at `commit`; `None` if missing, a folder, an LFS file or larger than `max_len`.
    pub async fn read_file_at(
        &self,
        commit: &str,
        path: &str,
        max_len: u64,
    ) -> Result<Option<Bytes>, StoreError> {
        let Some(entry) = self.tree_entry(commit, path).await? else {
            return Ok(None);
        };
        if entry.kind != EntryKind::File || entry.lfs.is_some() || entry.size > max_len {
            return Ok(None);
        }
        self.run_fs(move |p| blobs::read_regular(p, &entry.oid).map(Some))
            .await
    }

    /// Size of a stored LFS object, if present.
    pub async fn lfs_object(&self, sha256: &str) -> Result<Option<u64>, StoreError> {
        let sha = sha256.to_owned();
        self.run_fs(move |p| blobs::lfs_size(p, &sha)).await
    }

    /// Where the bytes of an LFS object live (the file may be absent).
    pub fn lfs_path(&self, sha256: &str) -> Option<PathBuf> {
        blobs::lfs_file(&self.inner.paths, sha256)
    }

    /// Where the bytes of a regular blob live (the file may be absent).
    pub fn blob_path(&self, sha1: &str) -> Option<PathBuf> {
        blobs::git_file(&self.inner.paths, sha1)
    }

    // Only the tests adopt finished temp files now (multipart parts are staged in place).
    #[cfg(test)]
    /// A fresh unique path inside the store's `tmp/` folder (same filesystem as the objects, so renames are
    /// atomic). Nothing is created.
    pub fn temp_path(&self) -> PathBuf {
        blobs::temp_path(&self.inner.paths)
    }

    /// Streams `body` into the LFS store: written to a temp file while hashed, then checked against `sha256`
    /// (and `expected_size` when given), fsynced and renamed into place. Returns the size. On any failure the
    /// temp file is removed and nothing becomes visible. Storing an object that already exists is a no-op
    /// after the check.
    pub async fn lfs_ingest<S, E>(
        &self,
        sha256: &str,
        expected_size: Option<u64>,
        body: S,
    ) -> Result<u64, StoreError>
    where
        S: Stream<Item = Result<Bytes, E>> + Send + Unpin,
        E: std::fmt::Display,
    {
        blobs::ingest_stream(self.inner.paths.clone(), sha256, expected_size, body).await
    }

    #[cfg(test)]
    /// Adopts a finished temporary file as the LFS object `sha256` (hash and size checked; the file is moved
    /// on success and removed on mismatch). Returns the size.
    pub async fn lfs_ingest_file(
        &self,
        sha256: &str,
        expected_size: Option<u64>,
        file: PathBuf,
    ) -> Result<u64, StoreError> {
        let sha = sha256.to_owned();
        self.run_fs(move |p| blobs::adopt_file(p, &sha, expected_size, &file))
            .await
    }

    /// Stores a regular file's bytes (durably, content-addressed) ahead of the commit that will add
    /// it with [`Op::AddStoredRegular`]; returns its git blob SHA-1 and size. Unreferenced, the blob
    /// is invisible.
    pub async fn store_regular(&self, bytes: Bytes) -> Result<(String, u64), StoreError> {
        if bytes.len() > MAX_REGULAR_FILE {
            return Err(StoreError::BadRequest(format!(
                "regular file larger than {MAX_REGULAR_FILE} bytes: use LFS"
            )));
        }
        self.run_fs(move |p| blobs::write_regular(p, &bytes)).await
    }

    /// Creates a commit on `target` (branch name, `refs/heads/...` or `refs/pr/N`).
    pub async fn commit(
        &self,
        repo: &RepoRecord,
        target: &str,
        input: CommitInput,
    ) -> Result<CommitOutcome, StoreError> {
        // Regular blobs are made durable first, outside the database lock: an orphan blob is invisible.
        let mut ops = input.ops;
        let prepared = self
            .run_fs(move |p| {
                for op in &mut ops {
                    if let Op::AddRegular { bytes, .. } = op
                        && bytes.len() > MAX_REGULAR_FILE
                    {
                        return Err(StoreError::BadRequest(format!(
                            "regular file larger than {MAX_REGULAR_FILE} bytes: use LFS"
                        )));
                    }
                }
                let mut written = Vec::new();
                for op in &ops {
                    if let Op::AddRegular { bytes, .. } = op {
                        written.push(blobs::write_regular(p, bytes)?.0);
                    }
                }
                Ok((ops, written))
            })
            .await?;
        let (ops, written) = prepared;
        let input = CommitInput { ops, ..input };
        let repo = repo.clone();
        let target = target.to_owned();
        let outcome = self
            .run({
                let repo = repo.clone();
                move |c, p| history::commit(c, p, &repo, &target, input, &written)
            })
            .await?;
        // A commit to a Space's default branch rebuilds it (issue 12).
        if repo.repo_type == RepoType::Space && outcome.target_ref == "refs/heads/main" {
            self.space_change(&repo, SpaceChange::Commit).await?;
        }
        Ok(outcome)
    }

    /// All refs of a repo, sorted by name.
    pub async fn refs(&self, repo: &RepoRecord) -> Result<Vec<RefRecord>, StoreError> {
        let pk = repo.pk;
        self.run_read(move |c| history::refs(c, pk)).await
    }

    /// Creates the full ref `name` (e.g. `refs/heads/dev`, `refs/tags/v1`) at `commit`; `Conflict` if it exists.
    pub async fn create_ref(
        &self,
        repo: &RepoRecord,
        name: &str,
        commit: &str,
    ) -> Result<(), StoreError> {
        let (pk, name, commit) = (repo.pk, name.to_owned(), commit.to_owned());
        self.run(move |c, _| history::create_ref(c, pk, &name, &commit))
            .await
    }

    /// Deletes the full ref `name`; `RevisionNotFound` if missing.
    pub async fn delete_ref(&self, repo: &RepoRecord, name: &str) -> Result<(), StoreError> {
        let (pk, name) = (repo.pk, name.to_owned());
        self.run(move |c, _| history::delete_ref(c, pk, &name))
            .await
    }

    /// Commits reachable from `commit`, newest first (first-parent order), skipping `skip`, at most `limit`.
    pub async fn history(
        &self,
        commit: &str,
        skip: usize,
        limit: usize,
    ) -> Result<(Vec<CommitRecord>, bool), StoreError> {
        let commit = commit.to_owned();
        self.run_read(move |c| history::log(c, &commit, skip, limit))
            .await
    }

    /// Replaces the history of `branch` (full ref) by one commit holding its current tree.
    pub async fn super_squash(
        &self,
        repo: &RepoRecord,
        branch_ref: &str,
        message: &str,
        author: &str,
    ) -> Result<String, StoreError> {
        let (pk, r, m, a) = (
            repo.pk,
            branch_ref.to_owned(),
            message.to_owned(),
            author.to_owned(),
        );
        self.run(move |c, _| history::super_squash(c, pk, &r, &m, &a))
            .await
    }
}

#[cfg(test)]
mod tests;
