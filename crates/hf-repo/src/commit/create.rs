//! `create_commit` and `preupload_lfs_files` (protocol §6.2–6.6).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use base64::Engine as _;
use futures_util::{StreamExt, TryStreamExt};
use hf_http::{HubClient, Method, RepoRequest, RepoTarget, RevisionRequest, impl_into_future};
use hf_types::{CommitInfo, CommitResponse, RepoId, RepoTreeEntry, Revision, Route};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;

use super::lfs::{self, BATCH_SIZE};
use super::operation::{CommitOperation, CommitOperationAdd, CommitOperationCopy, Preuploaded};
use super::prepare::{self, Data, Prepared, UploadMode};
use super::progress::{NoUploadReporter, SharedUploadReporter, SkipReason, UploadReporter};
use crate::{Error, Result};

/// Hashing and transfers in flight, by default (the Python client's `num_threads`).
pub const DEFAULT_NUM_THREADS: usize = 5;
/// Files per preupload request, as the Python client sends them.
const PREUPLOAD_CHUNK: usize = 256;

/// How the uploads of a commit run: the options every builder that uploads shares, set
/// through [`UploadRequest`].
#[derive(Clone)]
pub struct UploadOptions {
    pub(crate) create_pr: bool,
    num_threads: usize,
    reporter: SharedUploadReporter,
}

impl Default for UploadOptions {
    /// No pull request, [`DEFAULT_NUM_THREADS`], no progress reports.
    fn default() -> Self {
        UploadOptions {
            create_pr: false,
            num_threads: DEFAULT_NUM_THREADS,
            reporter: Arc::new(NoUploadReporter),
        }
    }
}

impl std::fmt::Debug for UploadOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadOptions")
            .field("create_pr", &self.create_pr)
            .field("num_threads", &self.num_threads)
            .finish_non_exhaustive()
    }
}

/// A request builder that uploads files for a commit: its `create_pr()`, `num_threads()` and
/// `reporter()` setters, defined once here.
///
/// Implemented by every builder of [`commit`](crate::commit); bring it into scope with
/// `use hf_repo::prelude::*;`.
pub trait UploadRequest: Sized {
    /// The builder's upload options.
    fn upload_options_mut(&mut self) -> &mut UploadOptions;

    /// Open a pull request with the commit instead of committing to the branch.
    #[must_use]
    fn create_pr(mut self, create_pr: bool) -> Self {
        self.upload_options_mut().create_pr = create_pr;
        self
    }

    /// Files hashed and transfers sent at the same time (default 5, at least 1).
    #[must_use]
    fn num_threads(mut self, n: usize) -> Self {
        self.upload_options_mut().num_threads = n.max(1);
        self
    }

    /// Receives the progress of hashing and uploads.
    #[must_use]
    fn reporter(mut self, reporter: Arc<dyn UploadReporter>) -> Self {
        self.upload_options_mut().reporter = reporter;
        self
    }
}

/// The message part of a commit: summary, description and expected parent, set through
/// [`CommitRequest`].
#[derive(Debug, Clone, Default)]
pub struct CommitMessage {
    pub(crate) summary: Option<String>,
    pub(crate) description: String,
    pub(crate) parent_commit: Option<String>,
}

/// A request builder that makes a commit: its `commit_message()`, `commit_description()` and
/// `parent_commit()` setters, defined once here.
///
/// Implemented by every commit-making builder of [`commit`](crate::commit); bring it into
/// scope with `use hf_repo::prelude::*;`.
pub trait CommitRequest: UploadRequest {
    /// The builder's commit message.
    fn commit_message_mut(&mut self) -> &mut CommitMessage;

    /// The commit's summary (first line).
    #[must_use]
    fn commit_message(mut self, message: impl Into<String>) -> Self {
        self.commit_message_mut().summary = Some(message.into());
        self
    }

    /// The commit's description (default empty).
    #[must_use]
    fn commit_description(mut self, description: impl Into<String>) -> Self {
        self.commit_message_mut().description = description.into();
        self
    }

    /// Fail with a conflict unless the branch head is this commit (5 to 40 hex digits):
    /// optimistic locking. With `create_pr`, the pull request starts from it.
    #[must_use]
    fn parent_commit(mut self, commit: impl Into<String>) -> Self {
        self.commit_message_mut().parent_commit = Some(commit.into());
        self
    }
}

/// Where a commit goes (the repo target; its revision, default `main`, is the branch or
/// `refs/pr/N` committed to) and how its uploads run.
#[derive(Clone, Debug)]
pub(crate) struct Target {
    pub repo: RepoTarget,
    pub options: UploadOptions,
}

impl Target {
    pub(crate) fn new(client: HubClient, repo_id: RepoId) -> Target {
        Target {
            repo: RepoTarget::new(client, repo_id),
            options: UploadOptions::default(),
        }
    }

    /// The branch committed to (default `main`).
    pub(crate) fn revision(&self) -> Revision {
        self.repo.revision_or_main()
    }

    fn client(&self) -> &HubClient {
        self.repo.client()
    }

    fn reporter(&self) -> &SharedUploadReporter {
        &self.options.reporter
    }

    /// `route` with `create_pr=1` when the commit opens a pull request.
    fn with_create_pr(&self, route: Route) -> Route {
        if self.options.create_pr {
            route.with("create_pr", "1")
        } else {
            route
        }
    }
}

/// Implements [`RepoRequest`](hf_http::RepoRequest), [`RevisionRequest`](hf_http::RevisionRequest)
/// and [`UploadRequest`] (plus [`CommitRequest`] with `message`) for a builder whose
/// [`Target`] is in its field `target` (and [`CommitMessage`] in `message`).
macro_rules! impl_commit_request {
    ($ty:ty) => {
        impl hf_http::TargetRequest for $ty {
            fn target_mut(&mut self) -> &mut hf_http::RepoTarget {
                &mut self.target.repo
            }
        }
        impl hf_http::RepoRequest for $ty {}
        impl hf_http::RevisionRequest for $ty {}
        impl $crate::commit::UploadRequest for $ty {
            fn upload_options_mut(&mut self) -> &mut $crate::commit::UploadOptions {
                &mut self.target.options
            }
        }
    };
    ($ty:ty, message) => {
        impl_commit_request!($ty);
        impl $crate::commit::CommitRequest for $ty {
            fn commit_message_mut(&mut self) -> &mut $crate::commit::CommitMessage {
                &mut self.message
            }
        }
    };
}
pub(crate) use impl_commit_request;

impl CommitMessage {
    /// The summary, or `default` when none was set; checks it and the parent commit.
    fn validated(&self, default: impl FnOnce() -> String) -> Result<(String, Option<String>)> {
        let summary = self.summary.clone().unwrap_or_else(default);
        if summary.trim().is_empty() {
            return Err(Error::InvalidArgument(
                "the commit message is empty: a commit needs a summary".into(),
            ));
        }
        if let Some(parent) = &self.parent_commit {
            let ok =
                (5..=40).contains(&parent.len()) && parent.bytes().all(|b| b.is_ascii_hexdigit());
            if !ok {
                return Err(Error::InvalidArgument(format!(
                    "parent_commit {parent:?} is not a commit id (5 to 40 hex digits)"
                )));
            }
        }
        Ok((summary, self.parent_commit.clone()))
    }
}

/// Makes one commit of additions, deletions and copies: the Python client's `create_commit`.
/// `.await` runs it: additions are hashed and LFS contents uploaded first (concurrently, each
/// file read once for hashing and once for the transfer), and the commit is sent only after
/// every upload succeeded. A commit that would change nothing is not sent: the result names
/// the current head.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_repo::Error> {
/// use hf_repo::commit::{CommitOperationAdd, CommitOperationDelete, CreateCommit};
/// use hf_repo::prelude::*;
///
/// let info = CreateCommit::new(
///     client,
///     "alice/tiny".parse()?,
///     vec![
///         CommitOperationAdd::from_path("model.safetensors", "out/model.safetensors")?.into(),
///         CommitOperationDelete::new("old/")?.into(),
///     ],
///     "Epoch 3",
/// )
/// .commit_description("Loss 0.12")
/// .await?;
/// println!("{}", info.commit_url);
/// # Ok(()) }
/// ```
#[must_use = "a commit does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct CreateCommit {
    target: Target,
    operations: Vec<CommitOperation>,
    message: CommitMessage,
}

impl_commit_request!(CreateCommit, message);

impl CreateCommit {
    /// A commit of `operations` with this summary to `main` of the model repo `repo_id`.
    pub fn new(
        client: HubClient,
        repo_id: RepoId,
        operations: Vec<CommitOperation>,
        commit_message: impl Into<String>,
    ) -> CreateCommit {
        CreateCommit {
            target: Target::new(client, repo_id),
            operations,
            message: CommitMessage {
                summary: Some(commit_message.into()),
                ..CommitMessage::default()
            },
        }
    }

    async fn run(self) -> Result<CommitInfo> {
        run_commit(&self.target, self.operations, &self.message).await
    }
}

impl_into_future!(CreateCommit => CommitInfo, run);

/// Uploads the LFS contents of additions without committing: the Python client's
/// `preupload_lfs_files`. Resolves to the same additions marked as uploaded, so that a later
/// [`CreateCommit`] with them sends only the commit (large uploads can be spread over time and
/// committed at once). Regular (non-LFS) additions are returned unchanged.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_repo::Error> {
/// use hf_repo::commit::{CommitOperationAdd, CreateCommit, PreuploadLfsFiles};
///
/// let repo: hf_types::RepoId = "alice/big".parse()?;
/// let shard = CommitOperationAdd::from_path("shard-1.bin", "out/shard-1.bin")?;
/// let uploaded = PreuploadLfsFiles::new(client.clone(), repo.clone(), vec![shard]).await?;
/// let ops = uploaded.into_iter().map(Into::into).collect();
/// CreateCommit::new(client, repo, ops, "Add shards").await?;
/// # Ok(()) }
/// ```
#[must_use = "an upload does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct PreuploadLfsFiles {
    target: Target,
    additions: Vec<CommitOperationAdd>,
}

impl_commit_request!(PreuploadLfsFiles);

impl PreuploadLfsFiles {
    /// Uploads the LFS contents of `additions` to the model repo `repo_id`, for `main`.
    pub fn new(
        client: HubClient,
        repo_id: RepoId,
        additions: Vec<CommitOperationAdd>,
    ) -> PreuploadLfsFiles {
        PreuploadLfsFiles {
            target: Target::new(client, repo_id),
            additions,
        }
    }

    async fn run(self) -> Result<Vec<CommitOperationAdd>> {
        let mut prepared = probe_all(&self.target, &self.additions).await?;
        preupload(&self.target, &mut prepared, None).await?;
        let prepared = upload_all(&self.target, prepared).await?;
        let mut out = self.additions;
        for (op, p) in out.iter_mut().zip(&prepared) {
            if p.mode == Some(UploadMode::Lfs)
                && !p.should_ignore
                && let Some(sha256) = &p.sha256
            {
                op.preuploaded = Some(Arc::new(Preuploaded {
                    sha256: sha256.clone(),
                    size: p.size,
                    lfs: true,
                    remote_oid: None,
                }));
            }
        }
        Ok(out)
    }
}

impl_into_future!(PreuploadLfsFiles => Vec<CommitOperationAdd>, run);

/// The whole `create_commit` algorithm (§6.6) for already-validated operations.
pub(crate) async fn run_commit(
    target: &Target,
    operations: Vec<CommitOperation>,
    message: &CommitMessage,
) -> Result<CommitInfo> {
    let (summary, parent_commit) = message.validated(String::new)?;
    let mut additions = Vec::new();
    let mut copies = Vec::new();
    for op in &operations {
        match op {
            CommitOperation::Add(add) => additions.push(add.clone()),
            CommitOperation::Copy(copy) => copies.push(copy.clone()),
            CommitOperation::Delete(_) => {}
        }
    }
    let mut prepared = probe_all(target, &additions).await?;
    if let Some(readme) = prepared.iter().find(|p| p.path_in_repo == "README.md") {
        validate_readme(target, readme).await?;
    }
    let git_ignore = git_ignore_of(&prepared).await?;
    preupload(target, &mut prepared, git_ignore).await?;
    let prepared = upload_all(target, prepared).await?;
    let copied = resolve_copies(target, &copies).await?;

    // Assemble the NDJSON lines, in the order of the operations, dropping no-ops.
    let mut header = json!({"summary": summary, "description": message.description});
    if let Some(parent) = &parent_commit {
        header["parentCommit"] = json!(parent);
    }
    let mut lines = vec![json!({"key": "header", "value": header})];
    let mut prepared = prepared.into_iter();
    let mut copied = copied.into_iter();
    for op in &operations {
        match op {
            CommitOperation::Add(_) => {
                let Some(p) = prepared.next() else { continue };
                if p.should_ignore {
                    target
                        .reporter()
                        .on_skipped(&p.path_in_repo, SkipReason::Ignored);
                    continue;
                }
                if p.remote_oid.is_some() && p.remote_oid.as_deref() == p.local_oid() {
                    target
                        .reporter()
                        .on_skipped(&p.path_in_repo, SkipReason::Unchanged);
                    continue;
                }
                lines.push(add_line(&p)?);
            }
            CommitOperation::Delete(del) => {
                let key = if del.is_folder {
                    "deletedFolder"
                } else {
                    "deletedFile"
                };
                let mut path = del.path_in_repo.clone();
                if del.is_folder {
                    path.push('/');
                }
                lines.push(json!({"key": key, "value": {"path": path}}));
            }
            CommitOperation::Copy(_) => {
                if let Some(Some(line)) = copied.next() {
                    lines.push(line);
                }
            }
        }
    }
    if lines.len() == 1 {
        // Nothing would change: no empty commit, the head is the answer (as Python does).
        return head_commit_info(target, &summary, &message.description).await;
    }
    let route = target.with_create_pr(target.repo.routes().commit(target.revision()));
    let response: CommitResponse = target
        .repo
        .route(Method::POST, &route)
        .ndjson(&lines)
        .await?
        .json()
        .await?;
    if target.options.create_pr && response.pull_request_url.is_none() {
        return Err(Error::protocol(
            "commit",
            "a pull request was requested but the answer has no pullRequestUrl",
        ));
    }
    CommitInfo::from_response(
        response,
        summary,
        message.description.clone(),
        target.client().endpoint_base(),
    )
    .map_err(|e| Error::protocol("commit", e.to_string()))
}

/// The NDJSON line of a prepared addition.
fn add_line(p: &Prepared) -> Result<Value> {
    match p.mode {
        Some(UploadMode::Lfs) => Ok(json!({"key": "lfsFile", "value": {
            "path": p.path_in_repo,
            "algo": "sha256",
            "oid": p.sha256,
            "size": p.size,
        }})),
        Some(UploadMode::Regular) => {
            let content = p.content.as_deref().unwrap_or_default();
            Ok(json!({"key": "file", "value": {
                "content": base64::engine::general_purpose::STANDARD.encode(content),
                "path": p.path_in_repo,
                "encoding": "base64",
            }}))
        }
        None => Err(Error::protocol(
            "preupload",
            format!("no upload mode for {}", p.path_in_repo),
        )),
    }
}

/// Opens every addition (size and sample), a few at a time, keeping their order.
pub(crate) async fn probe_all(
    target: &Target,
    additions: &[CommitOperationAdd],
) -> Result<Vec<Prepared>> {
    let prepared: Vec<Prepared> = futures_util::stream::iter(additions.to_vec())
        .map(|op| async move { prepare::probe(&op).await })
        .buffered(target.options.num_threads.max(1) * 4)
        .try_collect()
        .await?;
    let total = prepared.iter().map(|p| p.size).sum();
    target.reporter().on_start(prepared.len(), total);
    Ok(prepared)
}

/// The text of a `.gitignore` committed at the root in the same commit, which the Hub must use
/// instead of the revision's.
async fn git_ignore_of(prepared: &[Prepared]) -> Result<Option<String>> {
    let Some(p) = prepared.iter().find(|p| p.path_in_repo == ".gitignore") else {
        return Ok(None);
    };
    Ok(Some(
        String::from_utf8_lossy(&read_small(p).await?).into_owned(),
    ))
}

/// The whole content of a small addition (README, .gitignore).
async fn read_small(p: &Prepared) -> Result<bytes::Bytes> {
    match &p.data {
        Data::Memory(bytes) => Ok(bytes.clone()),
        Data::File(path) => tokio::fs::read(path)
            .await
            .map(bytes::Bytes::from)
            .map_err(|e| Error::io("read", path.clone(), e)),
    }
}

/// `POST /api/validate-yaml` for a README.md in the commit: invalid metadata fails the commit
/// before anything is uploaded.
async fn validate_readme(target: &Target, readme: &Prepared) -> Result<()> {
    let content = String::from_utf8_lossy(&read_small(readme).await?).into_owned();
    let answer = target
        .repo
        .route(Method::POST, &Route::validate_yaml())
        .context(target.repo.context().with_path("README.md"))
        .json(&json!({"content": content, "repoType": target.repo.repo_type().as_str()}))
        .idempotent(true)
        .await;
    match answer {
        Ok(response) => {
            let body: Value = response.json().await.unwrap_or(Value::Null);
            for warning in body["warnings"].as_array().into_iter().flatten() {
                tracing::warn!(
                    "README.md metadata: {}",
                    warning["message"].as_str().unwrap_or_default()
                );
            }
            Ok(())
        }
        Err(Error::BadRequest(e)) => {
            // The answer lists the problems as `{"errors": [{"message": ...}]}`.
            let listed: Vec<String> = e
                .body_json::<Value>()
                .and_then(|body| body["errors"].as_array().cloned())
                .into_iter()
                .flatten()
                .filter_map(|err| err["message"].as_str().map(str::to_owned))
                .collect();
            let why = if listed.is_empty() {
                e.server_message()
                    .unwrap_or("the Hub refused it")
                    .to_owned()
            } else {
                listed.join("; ")
            };
            Err(Error::InvalidArgument(format!(
                "invalid metadata in README.md: {why}"
            )))
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct PreuploadAnswer {
    files: Vec<PreuploadFile>,
}

#[derive(Deserialize)]
struct PreuploadFile {
    path: String,
    #[serde(rename = "uploadMode")]
    upload_mode: String,
    #[serde(rename = "shouldIgnore")]
    should_ignore: bool,
    #[serde(default)]
    oid: Option<String>,
}

/// Asks the Hub how to upload each addition not uploaded yet (§6.2), 256 at a time.
pub(crate) async fn preupload(
    target: &Target,
    prepared: &mut [Prepared],
    git_ignore: Option<String>,
) -> Result<()> {
    let route = target.with_create_pr(target.repo.routes().preupload(target.revision()));
    let pending: Vec<usize> = (0..prepared.len())
        .filter(|i| !prepared[*i].uploaded)
        .collect();
    for chunk in pending.chunks(PREUPLOAD_CHUNK) {
        let files: Vec<Value> = chunk
            .iter()
            .map(|i| {
                let p = &prepared[*i];
                json!({
                    "path": p.path_in_repo,
                    "sample": base64::engine::general_purpose::STANDARD.encode(&p.sample),
                    "size": p.size,
                })
            })
            .collect();
        let mut body = json!({ "files": files });
        if let Some(rules) = &git_ignore {
            body["gitIgnore"] = json!(rules);
        }
        let answer: PreuploadAnswer = target
            .repo
            .route(Method::POST, &route)
            .json(&body)
            .idempotent(true)
            .await?
            .json()
            .await?;
        let mut by_path: HashMap<String, PreuploadFile> = answer
            .files
            .into_iter()
            .map(|f| (f.path.clone(), f))
            .collect();
        for i in chunk {
            let p = &mut prepared[*i];
            let file = by_path.remove(&p.path_in_repo).ok_or_else(|| {
                Error::protocol(
                    "preupload",
                    format!("the answer does not mention {}", p.path_in_repo),
                )
            })?;
            let mode = match file.upload_mode.as_str() {
                "lfs" => UploadMode::Lfs,
                "regular" => UploadMode::Regular,
                other => {
                    return Err(Error::protocol(
                        "preupload",
                        format!(
                            "improperly formatted upload mode {other:?} for {}",
                            p.path_in_repo
                        ),
                    ));
                }
            };
            // Storage refuses empty objects: empty files are always regular.
            p.mode = Some(if p.size == 0 {
                UploadMode::Regular
            } else {
                mode
            });
            p.should_ignore = file.should_ignore;
            p.remote_oid = file.oid;
        }
    }
    Ok(())
}

/// Uploads the LFS content of one local file whose SHA-256 is known, without committing
/// (the preupload step of `upload_large_folder`). Content the storage has is not sent again.
pub(crate) async fn upload_lfs_object(
    target: &Target,
    path_in_repo: &str,
    local: &std::path::Path,
    sha256: &str,
    size: u64,
) -> Result<()> {
    let revision = target.revision();
    let batch_ref = (!target.options.create_pr).then_some(&revision);
    let answer = lfs::batch(&target.repo, batch_ref, &[(sha256.to_owned(), size)]).await?;
    let permits = Arc::new(Semaphore::new(target.options.num_threads.max(1)));
    let data = Data::File(local.to_path_buf());
    for object in answer {
        if object.oid != sha256 {
            return Err(Error::protocol(
                "LFS batch",
                format!(
                    "the answer names an object that was not asked for: {}",
                    object.oid
                ),
            ));
        }
        lfs::transfer(
            &target.repo,
            &object,
            &data,
            path_in_repo,
            &permits,
            target.reporter(),
        )
        .await?;
    }
    Ok(())
}

/// An LFS object ready for the batch request.
struct Hashed {
    oid: String,
    size: u64,
    data: Data,
    path_in_repo: String,
}

/// Hashes every addition (`num_threads` at a time) and uploads LFS contents as their hashes
/// become known: the batch requests and transfers overlap with the hashing of later files.
/// Returns when every transfer succeeded (the first failure aborts the others).
async fn upload_all(target: &Target, prepared: Vec<Prepared>) -> Result<Vec<Prepared>> {
    let (tx, rx) = mpsc::unbounded_channel::<Hashed>();
    let reporter = target.reporter().clone();
    let threads = target.options.num_threads.max(1);
    let hashing = futures_util::stream::iter(prepared.into_iter().enumerate())
        .map(move |(index, mut p)| {
            let tx = tx.clone();
            let reporter = reporter.clone();
            async move {
                if p.should_ignore {
                    return Ok((index, p));
                }
                prepare::hash(&mut p, &reporter).await?;
                match (p.mode, &p.sha256) {
                    // Unchanged at that path (nothing to transfer) or uploaded earlier.
                    (Some(UploadMode::Lfs), Some(oid))
                        if !p.uploaded && p.remote_oid.as_deref() != Some(oid.as_str()) =>
                    {
                        // A send error means the uploader stopped on an error of its own,
                        // which it reports.
                        let _ = tx.send(Hashed {
                            oid: oid.clone(),
                            size: p.size,
                            data: p.data.clone(),
                            path_in_repo: p.path_in_repo.clone(),
                        });
                    }
                    (Some(UploadMode::Regular), _) => {
                        reporter.on_skipped(&p.path_in_repo, SkipReason::InCommit);
                    }
                    _ => {}
                }
                Ok::<_, Error>((index, p))
            }
        })
        .buffer_unordered(threads)
        .try_collect::<Vec<_>>();
    let (mut hashed, ()) = tokio::try_join!(hashing, upload_lfs(target, rx))?;
    hashed.sort_by_key(|(index, _)| *index);
    Ok(hashed.into_iter().map(|(_, p)| p).collect())
}

/// Receives hashed LFS objects, asks the batch API for them (as many as are ready, up to 256 per
/// request) and runs their transfers as tasks.
async fn upload_lfs(target: &Target, mut rx: mpsc::UnboundedReceiver<Hashed>) -> Result<()> {
    let permits = Arc::new(Semaphore::new(target.options.num_threads.max(1)));
    let mut transfers: JoinSet<Result<()>> = JoinSet::new();
    let mut seen = HashSet::new();
    let revision = target.revision();
    let batch_ref = (!target.options.create_pr).then_some(&revision);
    loop {
        let first = tokio::select! {
            // A failed transfer stops everything at once.
            Some(done) = transfers.join_next(), if !transfers.is_empty() => {
                done.map_err(Error::task)??;
                continue;
            }
            next = rx.recv() => match next {
                Some(h) => h,
                None => break,
            },
        };
        let mut ready = vec![first];
        while ready.len() < BATCH_SIZE {
            match rx.try_recv() {
                Ok(h) => ready.push(h),
                Err(_) => break,
            }
        }
        // The same content at two paths is uploaded once.
        let mut by_oid: HashMap<String, Hashed> = HashMap::new();
        for h in ready {
            if seen.insert(h.oid.clone()) {
                by_oid.insert(h.oid.clone(), h);
            } else {
                target
                    .reporter()
                    .on_skipped(&h.path_in_repo, SkipReason::AlreadyStored);
            }
        }
        if by_oid.is_empty() {
            continue;
        }
        let objects: Vec<(String, u64)> =
            by_oid.values().map(|h| (h.oid.clone(), h.size)).collect();
        let answer = lfs::batch(&target.repo, batch_ref, &objects).await?;
        for object in answer {
            let Some(h) = by_oid.remove(&object.oid) else {
                return Err(Error::protocol(
                    "LFS batch",
                    format!(
                        "the answer names an object that was not asked for: {}",
                        object.oid
                    ),
                ));
            };
            // Our own size is the truth: an answer that disagrees is refused, never used to
            // size buffers or parts.
            if object.size != h.size {
                return Err(Error::protocol(
                    "LFS batch",
                    format!(
                        "the answer gives {} bytes for object {} ({}), the file has {}",
                        object.size, object.oid, h.path_in_repo, h.size
                    ),
                ));
            }
            if object.actions.is_none() {
                target
                    .reporter()
                    .on_skipped(&h.path_in_repo, SkipReason::AlreadyStored);
                continue;
            }
            let (repo, permits, reporter) = (
                target.repo.clone(),
                permits.clone(),
                target.reporter().clone(),
            );
            transfers.spawn(async move {
                lfs::transfer(
                    &repo,
                    &object,
                    &h.data,
                    &h.path_in_repo,
                    &permits,
                    &reporter,
                )
                .await
            });
        }
        if let Some(missing) = by_oid.keys().next() {
            return Err(Error::protocol(
                "LFS batch",
                format!("the answer does not mention object {missing}"),
            ));
        }
    }
    while let Some(done) = transfers.join_next().await {
        done.map_err(Error::task)??;
    }
    Ok(())
}

/// The NDJSON line of each copy (or `None` for a copy onto an identical file), in order.
async fn resolve_copies(
    target: &Target,
    copies: &[CommitOperationCopy],
) -> Result<Vec<Option<Value>>> {
    if copies.is_empty() {
        return Ok(Vec::new());
    }
    // Group the sources by revision: one paths-info request per revision.
    let mut by_revision: HashMap<Revision, Vec<String>> = HashMap::new();
    for copy in copies {
        let rev = copy
            .src_revision
            .clone()
            .unwrap_or_else(|| target.revision());
        by_revision
            .entry(rev)
            .or_default()
            .push(copy.src_path_in_repo.clone());
    }
    let mut sources: HashMap<(Revision, String), RepoTreeEntry> = HashMap::new();
    for (rev, paths) in by_revision {
        for entry in paths_info(target, &rev, paths).await? {
            sources.insert((rev.clone(), entry.path().to_string()), entry);
        }
    }
    let destinations: HashMap<String, RepoTreeEntry> = paths_info(
        target,
        &target.revision(),
        copies.iter().map(|c| c.path_in_repo.clone()).collect(),
    )
    .await?
    .into_iter()
    .map(|e| (e.path().to_string(), e))
    .collect();

    let mut lines = Vec::with_capacity(copies.len());
    for copy in copies {
        let rev = copy
            .src_revision
            .clone()
            .unwrap_or_else(|| target.revision());
        let Some(source) = sources.get(&(rev.clone(), copy.src_path_in_repo.clone())) else {
            return Err(Error::InvalidArgument(format!(
                "cannot copy {}: no such file at revision {rev}",
                copy.src_path_in_repo
            )));
        };
        let RepoTreeEntry::File(file) = source else {
            return Err(Error::InvalidArgument(format!(
                "cannot copy {}: it is a folder; copy its files one by one",
                copy.src_path_in_repo
            )));
        };
        if let Some(RepoTreeEntry::File(dest)) = destinations.get(&copy.path_in_repo)
            && dest.blob_id == file.blob_id
        {
            target
                .reporter()
                .on_skipped(&copy.path_in_repo, SkipReason::Unchanged);
            lines.push(None);
            continue;
        }
        let line = match &file.lfs {
            Some(lfs) => json!({"key": "lfsFile", "value": {
                "path": copy.path_in_repo,
                "algo": "sha256",
                "oid": lfs.sha256,
            }}),
            None => {
                let route = target.repo.routes().resolve(&rev, &copy.src_path_in_repo);
                let source = target
                    .repo
                    .context()
                    .with_revision(&rev)
                    .with_path(copy.src_path_in_repo.as_str());
                let content = target
                    .repo
                    .route(Method::GET, &route)
                    .context(source)
                    .await?
                    .bytes()
                    .await?;
                json!({"key": "file", "value": {
                    "content": base64::engine::general_purpose::STANDARD.encode(&content),
                    "path": copy.path_in_repo,
                    "encoding": "base64",
                }})
            }
        };
        lines.push(Some(line));
    }
    Ok(lines)
}

/// `POST paths-info` for `paths` at `revision` (missing paths are simply absent).
async fn paths_info(
    target: &Target,
    revision: &Revision,
    paths: Vec<String>,
) -> Result<Vec<RepoTreeEntry>> {
    crate::refs::GetPathsInfo::new(
        target.client().clone(),
        target.repo.repo_id().clone(),
        paths,
    )
    .repo_type(target.repo.repo_type())
    .revision(revision.clone())
    .await
}

#[derive(Deserialize)]
struct HeadInfo {
    sha: Option<String>,
}

/// What a commit that changes nothing returns: the current head of the revision.
async fn head_commit_info(target: &Target, summary: &str, description: &str) -> Result<CommitInfo> {
    let revision = target.revision();
    let route = target.repo.routes().info(Some(revision.as_str()));
    let info: HeadInfo = target.repo.route(Method::GET, &route).await?.json().await?;
    let sha = info
        .sha
        .ok_or_else(|| Error::protocol("repo info", "the answer has no sha"))?;
    let commit_url = format!(
        "{}/commit/{sha}",
        target.client().route_text(&target.repo.routes().web())
    );
    CommitInfo::new(
        commit_url,
        summary,
        description,
        sha,
        None,
        target.client().endpoint_base(),
    )
    .map_err(|e| Error::protocol("repo info", e.to_string()))
}
