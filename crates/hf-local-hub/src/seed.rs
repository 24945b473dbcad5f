//! Seeding: put repos, files and refs into a running hub without going through its HTTP API, and read back
//! what a test checks.
//!
//! Client tests use it to set up the state they then read with the client under test, so the client is
//! never used to prepare its own test. Every call goes straight to the hub's storage, with the same checks
//! as the API (paths, parents, LFS objects), but with no authentication.
//!
//! ```
//! use hf_local_hub::LocalHub;
//! use hf_types::RepoType;
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let hub = LocalHub::builder().user("alice", "hf_alice").start().await?;
//! let repo = hub.seed().repo(RepoType::Model, "alice/tiny");
//! repo.create(false).await?;
//! let commit = repo
//!     .commit("main")
//!     .file("config.json", b"{}".to_vec())
//!     .lfs("model.bin", vec![0u8; 1024])
//!     .message("add weights")
//!     .push()
//!     .await?;
//! assert_eq!(repo.head("main").await?.as_deref(), Some(commit.as_str()));
//! # Ok(())
//! # }
//! # tokio::runtime::Runtime::new().map_err(|e| e.to_string())?.block_on(demo()).map_err(|e| e.to_string())?;
//! # Ok::<(), String>(())
//! ```

use bytes::Bytes;
use hf_types::RepoType;
use sha2::{Digest, Sha256};

use crate::StoreError;
use crate::storage::{
    CommitInput, EntryKind, NewRepo, Op, RepoLookup, RepoRecord, RepoSettings, Store,
};

/// Seeding entry point of a running hub: [`crate::LocalHubHandle::seed`].
#[derive(Clone)]
pub struct Seed {
    store: Store,
}

impl std::fmt::Debug for Seed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Seed").finish_non_exhaustive()
    }
}

impl Seed {
    pub(crate) fn new(store: Store) -> Self {
        Seed { store }
    }

    /// The repo `namespace/name` (or a canonical `name`) of `repo_type` (it need not exist yet).
    pub fn repo(&self, repo_type: RepoType, id: &str) -> SeedRepo {
        SeedRepo {
            store: self.store.clone(),
            repo_type,
            id: id.to_owned(),
        }
    }

    /// The model `namespace/name`.
    pub fn model(&self, id: &str) -> SeedRepo {
        self.repo(RepoType::Model, id)
    }

    /// Stores `content` as an LFS object (not yet part of any commit); returns its sha256.
    pub async fn lfs_object(&self, content: impl Into<Bytes>) -> Result<String, StoreError> {
        let content = content.into();
        let sha = hex::encode(Sha256::digest(&content));
        ingest(&self.store, &sha, content).await?;
        Ok(sha)
    }

    /// The size of the stored LFS object `sha256`, if the hub holds it.
    pub async fn lfs_size(&self, sha256: &str) -> Result<Option<u64>, StoreError> {
        self.store.lfs_object(sha256).await
    }

    /// The content of `path` at the commit `commit` (of any repo), if it exists there; LFS files give their
    /// content, not the pointer.
    pub async fn read_file(&self, commit: &str, path: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let Some(entry) = self.store.tree_entry(commit, path).await? else {
            return Ok(None);
        };
        if let Some(lfs) = entry.lfs {
            let Some(file) = self.store.lfs_path(&lfs.sha256) else {
                return Ok(None);
            };
            return tokio::fs::read(&file)
                .await
                .map(Some)
                .map_err(|e| StoreError::io(file, e));
        }
        Ok(self
            .store
            .read_file_at(commit, path, u64::MAX)
            .await?
            .map(|b| b.to_vec()))
    }

    /// What is at `path` in the commit `commit` (of any repo), if anything.
    pub async fn path_info(
        &self,
        commit: &str,
        path: &str,
    ) -> Result<Option<PathInfo>, StoreError> {
        Ok(self
            .store
            .tree_entry(commit, path)
            .await?
            .map(|e| PathInfo {
                is_dir: e.kind == EntryKind::Directory,
                size: e.size,
                lfs_sha256: e.lfs.map(|l| l.sha256),
            }))
    }

    /// The commit `id`, if the hub holds it.
    pub async fn commit_info(&self, id: &str) -> Result<Option<CommitInfo>, StoreError> {
        Ok(self.store.commit_record(id).await?.map(|r| CommitInfo {
            title: r.title,
            message: r.message,
            author: r.author,
            parents: r.parents,
        }))
    }
}

/// A file or folder of a commit as a test reads it back.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PathInfo {
    /// A folder, not a file.
    pub is_dir: bool,
    /// The file's size (of its content for an LFS file).
    pub size: u64,
    /// The sha256 of an LFS file's content.
    pub lfs_sha256: Option<String>,
}

/// A commit as a test reads it back.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CommitInfo {
    /// The summary (first line).
    pub title: String,
    /// The description.
    pub message: String,
    /// The author's user name.
    pub author: String,
    /// Parent commit ids (none for the first commit).
    pub parents: Vec<String>,
}

/// What a test reads back of a repo.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RepoState {
    /// Private visibility.
    pub private: bool,
    /// Gating (`"auto"`, `"manual"`), `None` when not gated.
    pub gated: Option<String>,
    /// The SDK of a space.
    pub sdk: Option<String>,
}

/// One repo of a running hub: create it, commit to it, make refs, change settings, read it back.
#[derive(Clone)]
pub struct SeedRepo {
    store: Store,
    repo_type: RepoType,
    id: String,
}

impl std::fmt::Debug for SeedRepo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeedRepo")
            .field("repo_type", &self.repo_type)
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl SeedRepo {
    /// The repo type.
    pub fn repo_type(&self) -> RepoType {
        self.repo_type
    }

    /// The repo id, `namespace/name`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Creates the repo with its initial commit (`.gitattributes`), as the API does; a space gets the
    /// `gradio` SDK. `StoreError::Conflict` when it exists (in any case: ids are case-insensitive).
    ///
    /// An id without namespace (`gpt2`) creates a canonical repo, which only seeding can do (as on the Hub,
    /// where no user can create one); nobody can write to it through the API.
    pub async fn create(&self, private: bool) -> Result<(), StoreError> {
        let (namespace, name) = self.id.split_once('/').unwrap_or(("", &self.id));
        let valid = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        };
        if !(namespace.is_empty() || valid(namespace)) || !valid(name) {
            return Err(StoreError::BadRequest(format!(
                "not [namespace/]name: {}",
                self.id
            )));
        }
        self.store
            .create_repo(NewRepo {
                repo_type: self.repo_type,
                namespace: namespace.to_owned(),
                name: name.to_owned(),
                private,
                sdk: (self.repo_type == RepoType::Space).then(|| "gradio".to_owned()),
                extra: serde_json::json!({}),
            })
            .await?;
        Ok(())
    }

    /// Stores `content` as an LFS object usable in this repo (as if uploaded through the repo's LFS
    /// batch, so a commit of the repo may reference it); returns its sha256. The repo must exist.
    pub async fn lfs_object(&self, content: impl Into<Bytes>) -> Result<String, StoreError> {
        let repo = self.record().await?;
        let content = content.into();
        let sha = hex::encode(Sha256::digest(&content));
        ingest(&self.store, &sha, content).await?;
        self.store.grant_lfs(repo.pk, &sha).await?;
        Ok(sha)
    }

    /// Creates the repo as a public one unless it exists.
    pub async fn create_if_missing(&self) -> Result<(), StoreError> {
        match self.store.repo(self.repo_type, &self.id).await? {
            Some(_) => Ok(()),
            None => self.create(false).await,
        }
    }

    /// The repo's visibility and gating, `None` when no repo has this name.
    pub async fn state(&self) -> Result<Option<RepoState>, StoreError> {
        Ok(self
            .store
            .repo(self.repo_type, &self.id)
            .await?
            .map(|r| RepoState {
                private: r.private,
                gated: r.gated,
                sdk: r.sdk,
            }))
    }

    /// Where the repo went when it was moved away from this name, `None` otherwise.
    pub async fn moved_to(&self) -> Result<Option<String>, StoreError> {
        match self.store.lookup_repo(self.repo_type, &self.id).await? {
            RepoLookup::Moved(to) => Ok(Some(to)),
            _ => Ok(None),
        }
    }

    /// Renames the repo to `new_id`; the old name keeps redirecting.
    pub async fn move_to(&self, new_id: &str) -> Result<(), StoreError> {
        let record = self.record().await?;
        self.store.move_repo(&record, new_id).await
    }

    /// Makes the repo private or public.
    pub async fn set_private(&self, private: bool) -> Result<(), StoreError> {
        self.update(RepoSettings {
            private: Some(private),
            gated: None,
        })
        .await
    }

    /// Gates the repo (`Some("auto")`, `Some("manual")`) or un-gates it (`None`).
    pub async fn set_gated(&self, gated: Option<&str>) -> Result<(), StoreError> {
        self.update(RepoSettings {
            private: None,
            gated: Some(gated.map(str::to_owned)),
        })
        .await
    }

    async fn update(&self, settings: RepoSettings) -> Result<(), StoreError> {
        let record = self.record().await?;
        self.store.update_settings(&record, settings).await?;
        Ok(())
    }

    /// The commit `revision` (branch, tag, full ref, commit id) names, `None` when it names none.
    pub async fn head(&self, revision: &str) -> Result<Option<String>, StoreError> {
        let record = self.record().await?;
        self.store.resolve_revision(&record, revision).await
    }

    /// Every ref, `(full name, commit)`, sorted by name.
    pub async fn refs(&self) -> Result<Vec<(String, String)>, StoreError> {
        let record = self.record().await?;
        Ok(self
            .store
            .refs(&record)
            .await?
            .into_iter()
            .map(|r| (r.name, r.commit))
            .collect())
    }

    /// Creates the branch `name` at `commit`; `StoreError::Conflict` if it exists.
    pub async fn create_branch(&self, name: &str, commit: &str) -> Result<(), StoreError> {
        self.create_ref(&format!("refs/heads/{name}"), commit).await
    }

    /// Creates the tag `name` at `commit`; `StoreError::Conflict` if it exists.
    pub async fn create_tag(&self, name: &str, commit: &str) -> Result<(), StoreError> {
        self.create_ref(&format!("refs/tags/{name}"), commit).await
    }

    async fn create_ref(&self, full: &str, commit: &str) -> Result<(), StoreError> {
        let record = self.record().await?;
        self.store.create_ref(&record, full, commit).await
    }

    /// Opens pull request `N` by `author` with ref `refs/pr/N` at `commit`; returns `N`.
    pub async fn create_pull_request(
        &self,
        commit: &str,
        title: &str,
        author: &str,
    ) -> Result<u64, StoreError> {
        let record = self.record().await?;
        self.store
            .create_pull_request(&record, commit, title, author, "")
            .await
    }

    /// The pull requests, `(number, title)`, by number.
    pub async fn pull_requests(&self) -> Result<Vec<(u64, String)>, StoreError> {
        let record = self.record().await?;
        Ok(self
            .store
            .pull_requests(&record)
            .await?
            .into_iter()
            .map(|p| (p.num, p.title))
            .collect())
    }

    /// A commit on `target` (a branch, or a full ref such as `refs/pr/1`), to fill with changes and
    /// [`SeedCommit::push`]. The message defaults to `seed`, the author to `alice`.
    pub fn commit(&self, target: &str) -> SeedCommit {
        SeedCommit {
            repo: self.clone(),
            target: target.to_owned(),
            message: "seed".to_owned(),
            description: String::new(),
            author: "alice".to_owned(),
            parent: None,
            changes: Vec::new(),
        }
    }

    async fn record(&self) -> Result<RepoRecord, StoreError> {
        self.store
            .repo(self.repo_type, &self.id)
            .await?
            .ok_or(StoreError::RepoNotFound)
    }
}

/// One change of a [`SeedCommit`]; LFS content is stored when the commit is pushed.
#[derive(Debug, Clone)]
enum Change {
    Op(Op),
    Lfs { path: String, content: Bytes },
}

/// A commit being prepared: [`SeedRepo::commit`].
#[derive(Debug)]
#[must_use = "a seed commit does nothing until it is pushed"]
pub struct SeedCommit {
    repo: SeedRepo,
    target: String,
    message: String,
    description: String,
    author: String,
    parent: Option<String>,
    changes: Vec<Change>,
}

impl SeedCommit {
    /// Adds or replaces a regular (git) file.
    pub fn file(mut self, path: &str, content: impl Into<Bytes>) -> Self {
        self.changes.push(Change::Op(Op::AddRegular {
            path: path.to_owned(),
            bytes: content.into(),
        }));
        self
    }

    /// Adds or replaces an LFS file with this content (stored as an LFS object on push).
    pub fn lfs(mut self, path: &str, content: impl Into<Bytes>) -> Self {
        self.changes.push(Change::Lfs {
            path: path.to_owned(),
            content: content.into(),
        });
        self
    }

    /// Adds or replaces an LFS file whose object is stored already ([`Seed::lfs_object`]); `size`, when
    /// given, is checked against it.
    pub fn lfs_pointer(mut self, path: &str, sha256: &str, size: Option<u64>) -> Self {
        self.changes.push(Change::Op(Op::AddLfs {
            path: path.to_owned(),
            sha256: sha256.to_owned(),
            size,
        }));
        self
    }

    /// Copies `src_path` (at the head of the target) to `dest_path`.
    pub fn copy(mut self, src_path: &str, dest_path: &str) -> Self {
        self.changes.push(Change::Op(Op::Copy {
            src_path: src_path.to_owned(),
            src_revision: None,
            dest_path: dest_path.to_owned(),
        }));
        self
    }

    /// Deletes a file (the push fails if it does not exist).
    pub fn delete(mut self, path: &str) -> Self {
        self.changes.push(Change::Op(Op::DeleteFile {
            path: path.to_owned(),
        }));
        self
    }

    /// Deletes a folder and everything below it (the push fails if it does not exist).
    pub fn delete_folder(mut self, path: &str) -> Self {
        self.changes.push(Change::Op(Op::DeleteFolder {
            path: path.to_owned(),
        }));
        self
    }

    /// The summary (default `seed`).
    pub fn message(mut self, message: &str) -> Self {
        message.clone_into(&mut self.message);
        self
    }

    /// The description (default empty).
    pub fn description(mut self, description: &str) -> Self {
        description.clone_into(&mut self.description);
        self
    }

    /// The author's user name (default `alice`).
    pub fn author(mut self, author: &str) -> Self {
        author.clone_into(&mut self.author);
        self
    }

    /// The commit the target's head must be, or the push fails.
    pub fn parent(mut self, commit: &str) -> Self {
        self.parent = Some(commit.to_owned());
        self
    }

    /// Stores the LFS contents and makes the commit; returns its id.
    pub async fn push(self) -> Result<String, StoreError> {
        let store = &self.repo.store;
        let record = self.repo.record().await?;
        let mut ops = Vec::with_capacity(self.changes.len());
        for change in self.changes {
            match change {
                Change::Op(op) => ops.push(op),
                Change::Lfs { path, content } => {
                    let sha256 = hex::encode(Sha256::digest(&content));
                    let size = content.len() as u64;
                    ingest(store, &sha256, content).await?;
                    ops.push(Op::AddLfs {
                        path,
                        sha256,
                        size: Some(size),
                    });
                }
            }
        }
        let input = CommitInput {
            summary: self.message,
            description: self.description,
            parent_commit: self.parent,
            author: self.author,
            ops,
        };
        Ok(store.commit(&record, &self.target, input).await?.commit_id)
    }
}

/// Stores `content` as the LFS object `sha256`, in 1 MiB chunks as an upload would arrive.
async fn ingest(store: &Store, sha256: &str, content: Bytes) -> Result<u64, StoreError> {
    const CHUNK: usize = 1 << 20;
    let size = content.len() as u64;
    let chunks: Vec<Result<Bytes, std::io::Error>> = (0..content.len())
        .step_by(CHUNK)
        .map(|start| Ok(content.slice(start..content.len().min(start + CHUNK))))
        .collect();
    store
        .lfs_ingest(sha256, Some(size), futures_util::stream::iter(chunks))
        .await
}

// ---------------------------------------------------------------------------------------------
// Papers, profiles and follows (issue 11)
// ---------------------------------------------------------------------------------------------

/// Largest paper, profile or follow list accepted by the seeding calls (bytes of JSON).
const MAX_SEED_DOC: usize = 1024 * 1024;

/// Papers, profiles and follows given to the builder, stored when the hub starts.
#[derive(Debug, Clone, Default)]
pub(crate) struct CommunitySeed {
    pub(crate) papers: Vec<serde_json::Value>,
    pub(crate) profiles: Vec<(String, serde_json::Value)>,
    pub(crate) follows: Vec<(String, String)>,
    /// Canonical repos (one-segment ids, issue 15 item 1), created empty unless they exist.
    pub(crate) canonical: Vec<(RepoType, String)>,
}

impl CommunitySeed {
    pub(crate) async fn apply(self, seed: &Seed) -> Result<(), StoreError> {
        for (repo_type, name) in self.canonical {
            if name.contains('/') {
                return Err(StoreError::BadRequest(format!(
                    "a canonical repo id has no namespace: {name}"
                )));
            }
            seed.repo(repo_type, &name).create_if_missing().await?;
        }
        for paper in self.papers {
            seed.paper(paper).await?;
        }
        for (name, fields) in self.profiles {
            seed.profile(&name, fields).await?;
        }
        for (a, b) in self.follows {
            seed.follow(&a, &b).await?;
        }
        Ok(())
    }
}

impl Seed {
    /// Stores a paper (a paper object as `GET /api/papers/{id}` answers it: `id`, `title`,
    /// `summary`, `authors: [{"name"}]`, `publishedAt`, `upvotes`, ...); it replaces a stored
    /// paper of the same `id`.
    pub async fn paper(&self, paper: serde_json::Value) -> Result<(), StoreError> {
        let id = paper
            .get("id")
            .and_then(serde_json::Value::as_str)
            .filter(|id| !id.is_empty() && id.len() <= 64)
            .ok_or_else(|| {
                StoreError::BadRequest("a paper needs an \"id\" (at most 64 characters)".into())
            })?
            .to_owned();
        if !paper.is_object() || paper.to_string().len() > MAX_SEED_DOC {
            return Err(StoreError::BadRequest(format!(
                "paper {id}: not an object or too large"
            )));
        }
        self.store
            .doc_put(
                crate::storage::documents::Table::Papers,
                id,
                String::new(),
                paper,
            )
            .await
    }

    /// Sets profile fields of the user or organization `name` (`fullname`, `details`,
    /// `avatarUrl`, `isPro`, `isVerified`, ...), shown by the overview and member listings;
    /// fields given here replace earlier ones of the same key.
    pub async fn profile(&self, name: &str, fields: serde_json::Value) -> Result<(), StoreError> {
        let serde_json::Value::Object(fields) = fields else {
            return Err(StoreError::BadRequest(
                "profile fields must be an object".into(),
            ));
        };
        let table = crate::storage::documents::Table::Profiles;
        let mut doc = match self.store.doc_get(table, name.to_owned()).await? {
            Some((_, serde_json::Value::Object(doc))) => doc,
            _ => serde_json::Map::new(),
        };
        doc.extend(fields);
        let doc = serde_json::Value::Object(doc);
        if doc.to_string().len() > MAX_SEED_DOC {
            return Err(StoreError::BadRequest("profile too large".into()));
        }
        self.store
            .doc_put(table, name.to_owned(), name.to_owned(), doc)
            .await
    }

    /// Records that `follower` follows `followee` (idempotent).
    pub async fn follow(&self, follower: &str, followee: &str) -> Result<(), StoreError> {
        if follower.is_empty() || followee.is_empty() || follower == followee {
            return Err(StoreError::BadRequest(
                "follow needs two different names".into(),
            ));
        }
        self.store
            .follow(follower.to_owned(), followee.to_owned())
            .await
    }
}
