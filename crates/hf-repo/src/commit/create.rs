//! `create_commit` and `preupload_lfs_files` (protocol §6.2–6.6).

use std::collections::{HashMap, HashSet};
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;

use base64::Engine as _;
use futures_util::{StreamExt, TryStreamExt};
use hf_http::HubClient;
use hf_types::{CommitInfo, CommitResponse, RepoId, RepoTreeEntry, RepoType, Revision};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;

use super::lfs::{self, BATCH_SIZE};
use super::operation::{CommitOperation, CommitOperationAdd, CommitOperationCopy, Preuploaded};
use super::prepare::{self, Data, Prepared, UploadMode};
use super::progress::{NoUploadReporter, SharedUploadReporter, SkipReason};
use crate::urls::{api_repo, endpoint, repo_web_url, rev_tail};
use crate::{Error, Result};

/// Hashing and transfers in flight, by default (the Python client's `num_threads`).
pub const DEFAULT_NUM_THREADS: usize = 5;
/// Files per preupload request, as the Python client sends them.
const PREUPLOAD_CHUNK: usize = 256;

/// Where a commit goes and how its uploads run: the options every commit-making builder shares.
#[derive(Clone)]
pub(crate) struct Target {
    pub client: HubClient,
    pub repo_id: RepoId,
    pub repo_type: RepoType,
    pub revision: Revision,
    pub create_pr: bool,
    pub num_threads: usize,
    pub reporter: SharedUploadReporter,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("repo_id", &self.repo_id)
            .field("repo_type", &self.repo_type)
            .field("revision", &self.revision)
            .field("create_pr", &self.create_pr)
            .finish_non_exhaustive()
    }
}

impl Target {
    pub(crate) fn new(client: HubClient, repo_id: RepoId) -> Target {
        Target {
            client,
            repo_id,
            repo_type: RepoType::Model,
            revision: Revision::main(),
            create_pr: false,
            num_threads: DEFAULT_NUM_THREADS,
            reporter: Arc::new(NoUploadReporter),
        }
    }

    fn create_pr_query(&self) -> Vec<(&'static str, &'static str)> {
        if self.create_pr {
            vec![("create_pr", "1")]
        } else {
            Vec::new()
        }
    }
}

/// Setters shared by every builder that makes a commit.
macro_rules! target_setters {
    () => {
        /// Model (default), dataset or space.
        pub fn repo_type(mut self, repo_type: hf_types::RepoType) -> Self {
            self.target.repo_type = repo_type;
            self
        }

        /// The branch (or `refs/pr/N`) to commit to (default `main`).
        pub fn revision(mut self, revision: hf_types::Revision) -> Self {
            self.target.revision = revision;
            self
        }

        /// Open a pull request with the commit instead of committing to the branch.
        pub fn create_pr(mut self, create_pr: bool) -> Self {
            self.target.create_pr = create_pr;
            self
        }

        /// Files hashed and transfers sent at the same time (default 5, at least 1).
        pub fn num_threads(mut self, n: usize) -> Self {
            self.target.num_threads = n.max(1);
            self
        }

        /// Receives the progress of hashing and uploads.
        pub fn reporter(
            mut self,
            reporter: std::sync::Arc<dyn $crate::commit::UploadReporter>,
        ) -> Self {
            self.target.reporter = reporter;
            self
        }
    };
}
pub(crate) use target_setters;

/// Setters of the commit message, description and parent shared by commit-making builders.
macro_rules! message_setters {
    () => {
        /// The commit's summary (first line).
        pub fn commit_message(mut self, message: impl Into<String>) -> Self {
            self.message.summary = Some(message.into());
            self
        }

        /// The commit's description (default empty).
        pub fn commit_description(mut self, description: impl Into<String>) -> Self {
            self.message.description = description.into();
            self
        }

        /// Fail with a conflict unless the branch head is this commit (5 to 40 hex digits):
        /// optimistic locking. With `create_pr`, the pull request starts from it.
        pub fn parent_commit(mut self, commit: impl Into<String>) -> Self {
            self.message.parent_commit = Some(commit.into());
            self
        }
    };
}
pub(crate) use message_setters;

/// The message part of a commit.
#[derive(Debug, Clone, Default)]
pub(crate) struct Message {
    pub summary: Option<String>,
    pub description: String,
    pub parent_commit: Option<String>,
}

impl Message {
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
    message: Message,
}

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
            message: Message {
                summary: Some(commit_message.into()),
                ..Message::default()
            },
        }
    }

    target_setters!();
    message_setters!();
}

impl IntoFuture for CreateCommit {
    type Output = Result<CommitInfo>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { run_commit(&self.target, self.operations, &self.message).await })
    }
}

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

    target_setters!();
}

impl IntoFuture for PreuploadLfsFiles {
    type Output = Result<Vec<CommitOperationAdd>>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
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
                    }));
                }
            }
            Ok(out)
        })
    }
}

/// The whole `create_commit` algorithm (§6.6) for already-validated operations.
pub(crate) async fn run_commit(
    target: &Target,
    operations: Vec<CommitOperation>,
    message: &Message,
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
                        .reporter
                        .on_skipped(&p.path_in_repo, SkipReason::Ignored);
                    continue;
                }
                if p.remote_oid.is_some() && p.remote_oid.as_deref() == p.local_oid() {
                    target
                        .reporter
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
    let url = api_repo(
        &target.client,
        target.repo_type,
        &target.repo_id,
        &rev_tail("commit", &target.revision, ""),
    )?;
    let response: CommitResponse = target
        .client
        .post(url)
        .query(&target.create_pr_query())
        .ndjson(&lines)
        .await?
        .json()
        .await?;
    if target.create_pr && response.pull_request_url.is_none() {
        return Err(Error::protocol(
            "commit",
            "a pull request was requested but the answer has no pullRequestUrl",
        ));
    }
    CommitInfo::from_response(
        response,
        summary,
        message.description.clone(),
        &endpoint(&target.client),
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
async fn probe_all(target: &Target, additions: &[CommitOperationAdd]) -> Result<Vec<Prepared>> {
    let prepared: Vec<Prepared> = futures_util::stream::iter(additions.to_vec())
        .map(|op| async move { prepare::probe(&op).await })
        .buffered(target.num_threads.max(1) * 4)
        .try_collect()
        .await?;
    let total = prepared.iter().map(|p| p.size).sum();
    target.reporter.on_start(prepared.len(), total);
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
    let url = target.client.url("api/validate-yaml")?;
    let answer = target
        .client
        .post(url)
        .json(&json!({"content": content, "repoType": target.repo_type.as_str()}))
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
        Err(hf_http::Error::BadRequest(e)) => {
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
        Err(e) => Err(e.into()),
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
async fn preupload(
    target: &Target,
    prepared: &mut [Prepared],
    git_ignore: Option<String>,
) -> Result<()> {
    let url = api_repo(
        &target.client,
        target.repo_type,
        &target.repo_id,
        &rev_tail("preupload", &target.revision, ""),
    )?;
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
            .client
            .post(url.clone())
            .query(&target.create_pr_query())
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
    let reporter = target.reporter.clone();
    let threads = target.num_threads.max(1);
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
    let permits = Arc::new(Semaphore::new(target.num_threads.max(1)));
    let mut transfers: JoinSet<Result<()>> = JoinSet::new();
    let mut seen = HashSet::new();
    let batch_ref = (!target.create_pr).then_some(&target.revision);
    loop {
        let first = tokio::select! {
            // A failed transfer stops everything at once.
            Some(done) = transfers.join_next(), if !transfers.is_empty() => {
                done.map_err(|e| Error::Task(e.to_string()))??;
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
                    .reporter
                    .on_skipped(&h.path_in_repo, SkipReason::AlreadyStored);
            }
        }
        if by_oid.is_empty() {
            continue;
        }
        let objects: Vec<(String, u64)> =
            by_oid.values().map(|h| (h.oid.clone(), h.size)).collect();
        let answer = lfs::batch(
            &target.client,
            target.repo_type,
            &target.repo_id,
            batch_ref,
            &objects,
        )
        .await?;
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
            if object.actions.is_none() {
                target
                    .reporter
                    .on_skipped(&h.path_in_repo, SkipReason::AlreadyStored);
                continue;
            }
            let (client, permits, reporter) = (
                target.client.clone(),
                permits.clone(),
                target.reporter.clone(),
            );
            transfers.spawn(async move {
                lfs::transfer(
                    &client,
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
        done.map_err(|e| Error::Task(e.to_string()))??;
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
            .unwrap_or_else(|| target.revision.clone());
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
        &target.revision,
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
            .unwrap_or_else(|| target.revision.clone());
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
                .reporter
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
                let url = target.client.url(&format!(
                    "{}{}/resolve/{}/{}",
                    target.repo_type.url_prefix(),
                    target.repo_id,
                    rev.url_encoded(),
                    hf_types::encode_path(&copy.src_path_in_repo)
                ))?;
                let content = target.client.get(url).await?.bytes().await?;
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
    crate::refs::GetPathsInfo::new(target.client.clone(), target.repo_id.clone(), paths)
        .repo_type(target.repo_type)
        .revision(revision.clone())
        .await
}

#[derive(Deserialize)]
struct HeadInfo {
    sha: Option<String>,
}

/// What a commit that changes nothing returns: the current head of the revision.
async fn head_commit_info(target: &Target, summary: &str, description: &str) -> Result<CommitInfo> {
    let url = api_repo(
        &target.client,
        target.repo_type,
        &target.repo_id,
        &rev_tail("revision", &target.revision, ""),
    )?;
    let info: HeadInfo = target.client.get(url).await?.json().await?;
    let sha = info
        .sha
        .ok_or_else(|| Error::protocol("repo info", "the answer has no sha"))?;
    let commit_url = format!(
        "{}/commit/{sha}",
        repo_web_url(&target.client, target.repo_type, &target.repo_id)
    );
    CommitInfo::new(
        commit_url,
        summary,
        description,
        sha,
        None,
        &endpoint(&target.client),
    )
    .map_err(|e| Error::protocol("repo info", e.to_string()))
}
