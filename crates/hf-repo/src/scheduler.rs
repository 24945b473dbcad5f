//! `CommitScheduler` (protocol §6.9): pushes a folder that is being written to, every few
//! minutes and on demand, as the Python client's `CommitScheduler`.
//!
//! Each push lists the folder (under the scheduler's [lock](CommitScheduler::lock)), keeps the
//! files whose size or mtime changed since their last push, drops those whose content (SHA-256)
//! is the same anyway, and commits the others, each cut at the size it had when listed (so bytes
//! a writer appends meanwhile wait for the next push). Writers that take the lock around a write
//! are never pushed half-written. A push with no change sends nothing.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use hf_http::{HubClient, RepoRequest, RepoTarget, RevisionRequest, impl_into_future};
use hf_types::{CommitInfo, Patterns, RepoId};
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;
use tokio::sync::{mpsc, oneshot};

use crate::background::BackgroundTask;
use crate::commit::{CommitOperation, CommitOperationAdd, CreateCommit, list_local};
use crate::refs::SuperSquashHistory;
use crate::repos::CreateRepo;
use crate::{Error, Result};

/// The commit message of every push, as Python writes it.
const MESSAGE: &str = "Scheduled Commit";

/// Starts a [`CommitScheduler`]: `.await` creates the repo if missing and starts the schedule
/// (a first push runs at once, as in Python).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_repo::Error> {
/// use std::time::Duration;
/// use hf_repo::scheduler::CommitScheduler;
///
/// let scheduler = CommitScheduler::new(client, "alice/logs".parse()?, "runs/")
///     .every(Duration::from_secs(5 * 60))
///     .path_in_repo("runs")
///     .allow_patterns(["*.jsonl"])
///     .await?;
/// {
///     let _guard = scheduler.lock(); // a write the scheduler must not see half done
///     std::fs::write("runs/metrics.jsonl", "{\"loss\": 0.1}\n").ok();
/// }
/// scheduler.stop().await?; // pushes the last changes
/// # Ok(()) }
/// ```
#[must_use = "a scheduler does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct StartCommitScheduler {
    target: RepoTarget,
    folder: PathBuf,
    every: Option<Duration>,
    path_in_repo: String,
    private: Option<bool>,
    allow: Patterns,
    ignore: Patterns,
    squash_history: bool,
}

hf_http::impl_repo_request!(StartCommitScheduler, revision);

/// Pushes a folder on a schedule: the Python client's `CommitScheduler`. Built with
/// [`CommitScheduler::new`] (a [`StartCommitScheduler`] to `.await`).
#[derive(Debug)]
pub struct CommitScheduler {
    requests: mpsc::UnboundedSender<Request>,
    lock: Arc<Mutex<()>>,
    task: tokio::task::JoinHandle<()>,
}

/// What the scheduler task is asked to do.
enum Request {
    Push(oneshot::Sender<Result<Option<CommitInfo>>>),
    Stop(oneshot::Sender<Result<Option<CommitInfo>>>),
}

impl CommitScheduler {
    /// Pushes the folder `folder` to the model repo `repo_id` every 5 minutes.
    #[allow(clippy::new_ret_no_self)]
    pub fn new(
        client: HubClient,
        repo_id: RepoId,
        folder: impl Into<PathBuf>,
    ) -> StartCommitScheduler {
        StartCommitScheduler {
            target: RepoTarget::new(client, repo_id),
            folder: folder.into(),
            every: Some(Duration::from_secs(5 * 60)),
            path_in_repo: String::new(),
            private: None,
            allow: Patterns::default(),
            ignore: Patterns::default(),
            squash_history: false,
        }
    }

    /// The lock writers of the folder take so that a push never sees a half-written file (it
    /// is held while a push lists the folder; uploads happen after, without it).
    pub fn lock(&self) -> MutexGuard<'_, ()> {
        // The guarded value is `()`: a poisoned lock protects nothing broken.
        self.lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Pushes now, after any push in progress (Python's `trigger`); the task resolves to the
    /// commit, or `None` when nothing changed.
    pub fn trigger(&self) -> BackgroundTask<Option<CommitInfo>> {
        let (tx, rx) = oneshot::channel();
        let sent = self.requests.send(Request::Push(tx)).is_ok();
        BackgroundTask::spawn(async move {
            if !sent {
                return Err(Error::InvalidArgument("the scheduler is stopped".into()));
            }
            rx.await
                .map_err(|_| Error::task("the scheduler stopped before pushing"))?
        })
    }

    /// Pushes the last changes and ends the schedule; resolves to that last push.
    pub async fn stop(self) -> Result<Option<CommitInfo>> {
        let (tx, rx) = oneshot::channel();
        if self.requests.send(Request::Stop(tx)).is_err() {
            return Err(Error::InvalidArgument("the scheduler is stopped".into()));
        }
        let result = rx
            .await
            .map_err(|_| Error::task("the scheduler stopped before pushing"))?;
        let _ = self.task.await;
        result
    }
}

impl StartCommitScheduler {
    /// Time between two pushes (default 5 minutes); `None`: only on [`CommitScheduler::trigger`]
    /// and at [`CommitScheduler::stop`].
    pub fn every(mut self, every: impl Into<Option<Duration>>) -> Self {
        self.every = every.into();
        self
    }

    /// The folder of the repo to push into (default: the root).
    pub fn path_in_repo(mut self, path: impl Into<String>) -> Self {
        self.path_in_repo = path.into();
        self
    }

    /// The visibility of the repo if it has to be created.
    pub fn private(mut self, private: bool) -> Self {
        self.private = Some(private);
        self
    }

    /// Push only files matching one of these globs (default: all).
    pub fn allow_patterns<I: IntoIterator<Item = S>, S: Into<String>>(mut self, p: I) -> Self {
        self.allow = Patterns::new(p);
        self
    }

    /// Never push files matching one of these globs.
    pub fn ignore_patterns<I: IntoIterator<Item = S>, S: Into<String>>(mut self, p: I) -> Self {
        self.ignore = Patterns::new(p);
        self
    }

    /// Squash the branch's history into one commit after each push (Python's `squash_history`).
    pub fn squash_history(mut self, squash: bool) -> Self {
        self.squash_history = squash;
        self
    }

    async fn run(self) -> Result<CommitScheduler> {
        if self.every.is_some_and(|d| d.is_zero()) {
            return Err(Error::InvalidArgument(
                "`every` must be a positive duration".into(),
            ));
        }
        if self.folder.is_file() {
            return Err(Error::InvalidArgument(format!(
                "{} must be a folder, not a file",
                self.folder.display()
            )));
        }
        tokio::fs::create_dir_all(&self.folder)
            .await
            .map_err(|e| Error::io("create", self.folder.clone(), e))?;
        let mut create =
            CreateRepo::new(self.target.client().clone(), self.target.repo_id().clone())
                .repo_type(self.target.repo_type())
                .exist_ok(true);
        if let Some(private) = self.private {
            create = create.private(private);
        }
        create.await?;
        let prefix = match self.path_in_repo.trim_matches('/') {
            "" | "." => String::new(),
            p => format!("{p}/"),
        };
        let lock = Arc::new(Mutex::new(()));
        let (tx, rx) = mpsc::unbounded_channel();
        let pusher = Pusher {
            target: self.target,
            folder: self.folder,
            prefix,
            allow: self.allow,
            ignore: self.ignore,
            squash_history: self.squash_history,
            lock: lock.clone(),
            last: HashMap::new(),
        };
        let task = tokio::spawn(pusher.schedule(self.every, rx));
        Ok(CommitScheduler {
            requests: tx,
            lock,
            task,
        })
    }
}

impl_into_future!(StartCommitScheduler => CommitScheduler, run);

/// What a file was like when it was last pushed.
#[derive(Debug, Clone, PartialEq)]
struct Pushed {
    size: u64,
    mtime: Option<SystemTime>,
    sha256: String,
}

/// The scheduler's task state.
struct Pusher {
    target: RepoTarget,
    folder: PathBuf,
    prefix: String,
    allow: Patterns,
    ignore: Patterns,
    squash_history: bool,
    lock: Arc<Mutex<()>>,
    /// Local path -> what was pushed.
    last: HashMap<PathBuf, Pushed>,
}

/// A file to push: where, and how much of it.
struct Candidate {
    local: PathBuf,
    path_in_repo: String,
    seen: Pushed,
}

impl Pusher {
    async fn schedule(
        mut self,
        every: Option<Duration>,
        mut requests: mpsc::UnboundedReceiver<Request>,
    ) {
        let mut ticks = every.map(tokio::time::interval);
        loop {
            let tick = async {
                match &mut ticks {
                    Some(t) => {
                        t.tick().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = tick => {
                    if let Err(e) = self.push().await {
                        // A scheduled push has nobody to report to: the next one retries.
                        tracing::error!(error = %e, "scheduled commit failed");
                    }
                }
                request = requests.recv() => match request {
                    Some(Request::Push(reply)) => {
                        let _ = reply.send(self.push().await);
                    }
                    Some(Request::Stop(reply)) => {
                        let _ = reply.send(self.push().await);
                        return;
                    }
                    // Every handle is gone: push once more, as Python does at exit.
                    None => {
                        let _ = self.push().await;
                        return;
                    }
                },
            }
        }
    }

    /// One push (Python's `push_to_hub`), then the squash if asked.
    async fn push(&mut self) -> Result<Option<CommitInfo>> {
        let candidates = self.changed().await?;
        if candidates.is_empty() {
            return Ok(None);
        }
        let mut ops: Vec<CommitOperation> = Vec::with_capacity(candidates.len());
        for c in &candidates {
            let file = tokio::fs::File::open(&c.local)
                .await
                .map_err(|e| Error::io("open", c.local.clone(), e))?;
            // Only the bytes there when the folder was listed.
            let reader = file.take(c.seen.size);
            ops.push(CommitOperationAdd::from_reader(&c.path_in_repo, reader)?.into());
        }
        let mut commit = CreateCommit::new(
            self.target.client().clone(),
            self.target.repo_id().clone(),
            ops,
            MESSAGE,
        )
        .repo_type(self.target.repo_type());
        if let Some(revision) = self.target.revision() {
            commit = commit.revision(revision.clone());
        }
        let info = commit.await?;
        for c in candidates {
            self.last.insert(c.local, c.seen);
        }
        if self.squash_history {
            let mut squash = SuperSquashHistory::new(
                self.target.client().clone(),
                self.target.repo_id().clone(),
            )
            .repo_type(self.target.repo_type());
            if let Some(revision) = self.target.revision() {
                squash = squash.branch(revision.clone());
            }
            squash.await?;
        }
        Ok(Some(info))
    }

    /// The files changed since their last push: listed and measured under the lock, then
    /// those whose size or mtime differ are hashed and kept if their content differs.
    async fn changed(&self) -> Result<Vec<Candidate>> {
        let (folder, allow, ignore, lock) = (
            self.folder.clone(),
            self.allow.clone(),
            self.ignore.clone(),
            self.lock.clone(),
        );
        let last = self.last.clone();
        let prefix = self.prefix.clone();
        tokio::task::spawn_blocking(move || {
            let listed = {
                let _guard = lock
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let mut listed = Vec::new();
                for (relative, local) in list_local(&folder, &allow, &ignore)? {
                    let meta = std::fs::metadata(&local)
                        .map_err(|e| Error::io("read the metadata of", local.clone(), e))?;
                    listed.push((relative, local, meta.len(), meta.modified().ok()));
                }
                listed
            };
            let mut out = Vec::new();
            for (relative, local, size, mtime) in listed {
                let previous = last.get(&local);
                if previous.is_some_and(|p| p.size == size && p.mtime == mtime) {
                    continue;
                }
                let sha256 = sha256_prefix(&local, size)?;
                if previous.is_some_and(|p| p.sha256 == sha256 && p.size == size) {
                    continue;
                }
                out.push(Candidate {
                    local,
                    path_in_repo: format!("{prefix}{relative}"),
                    seen: Pushed {
                        size,
                        mtime,
                        sha256,
                    },
                });
            }
            Ok(out)
        })
        .await
        .map_err(Error::task)?
    }
}

/// The SHA-256 of the first `size` bytes of a file.
fn sha256_prefix(path: &Path, size: u64) -> Result<String> {
    let file = std::fs::File::open(path).map_err(|e| Error::io("open", path, e))?;
    let mut reader = file.take(size);
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = reader
            .read(&mut buf)
            .map_err(|e| Error::io("read", path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}
