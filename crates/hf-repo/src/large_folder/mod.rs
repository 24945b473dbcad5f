//! `upload_large_folder` (protocol §6.8): a folder too large for one commit, uploaded in many
//! commits of bounded size by workers that survive interruptions.
//!
//! Each file goes through four steps — hash (SHA-256), get its upload mode (100 files per
//! preupload request), upload its LFS content (LFS files only), commit (in commits of 20 to 1,000
//! files, growing while commits are fast and shrinking after a failure). After every step the
//! file's state is saved under `LOCAL_PATH/.cache/huggingface/upload/` in the Python client's
//! format (`{path}.metadata`: save time, size, `should_ignore`, SHA-256, upload mode, remote
//! oid, `is_uploaded`, `is_committed`, one per line), so a run killed at any point (kill -9 included) resumes where it stopped,
//! and Python resumes a Rust run and the reverse.
//!
//! Workers pick their next job by the Python client's priorities (`_determine_next_job`):
//! commit when 5 minutes passed since the last commit attempt, commit when at least 150 files
//! are ready, get upload modes when 100 files wait, upload LFS when no worker does, hash when no
//! worker does, then the same without the exclusivity, then commit after a minute, then the last
//! commit once everything else is done. Memory holds one small record per file (path and state),
//! never file contents beyond a read buffer (hashing and uploads stream from disk).

mod state;

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use hf_http::{ErrorKind, HubClient, RepoRequest, RepoTarget, impl_into_future};
use hf_types::{Patterns, RepoId};
use tokio::sync::Notify;

use crate::commit::{CommitOperation, CommitOperationAdd, UploadOptions};
use crate::commit::{Preuploaded, Target, preupload, probe_all, run_commit, upload_lfs_object};
use crate::repos::CreateRepo;
use crate::{Error, Result};
use state::{FileState, Mode};

/// Commit sizes tried in turn (Python's `COMMIT_SIZE_SCALE`); a run starts at the second one.
const COMMIT_SIZE_SCALE: [usize; 10] = [20, 50, 75, 100, 125, 200, 250, 400, 600, 1000];
/// Files per get-upload-mode request (Python's `MAX_NB_FILES_FETCH_UPLOAD_MODE`).
const MODE_BATCH: usize = 100;
/// Files ready to commit that make a commit worth it at once.
const COMMIT_READY: usize = 150;
/// Transient failures in a row after which the upload gives up.
const MAX_FAILURES_IN_A_ROW: usize = 10;
/// The commit message of every commit, as Python writes it.
const COMMIT_MESSAGE: &str = "Add files using upload-large-folder tool";

/// Receives the status report (Python's text, e.g. `Files: hashed 10/20 (...) | ...`).
pub type ReportFn = Arc<dyn Fn(&str) + Send + Sync>;

/// Uploads a large folder in many commits, resumably: the Python client's `upload_large_folder`.
///
/// The repo is created if missing (`private` applies then). Files are filtered by
/// `allow_patterns`/`ignore_patterns` (`.git/` and `.cache/huggingface/` are always skipped) and
/// committed at their path relative to the folder, on `revision` (default `main`). A report
/// (Python's text) goes to the [`report`](Self::report) callback every [`report_every`](Self::report_every)
/// (default one minute) and at the start and the end.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_repo::Error> {
/// use hf_repo::large_folder::UploadLargeFolder;
/// use hf_repo::prelude::*;
///
/// UploadLargeFolder::new(client, "alice/big-dataset".parse()?, "data/")
///     .repo_type(hf_types::RepoType::Dataset)
///     .ignore_patterns(["*.tmp"])
///     .num_workers(8)
///     .report(std::sync::Arc::new(|text: &str| println!("{text}")))
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "an upload does nothing until awaited"]
#[derive(Clone)]
pub struct UploadLargeFolder {
    target: RepoTarget,
    folder: PathBuf,
    private: Option<bool>,
    allow: Patterns,
    ignore: Patterns,
    num_workers: Option<usize>,
    report: Option<ReportFn>,
    report_every: Duration,
}

hf_http::impl_repo_request!(UploadLargeFolder, revision);

impl std::fmt::Debug for UploadLargeFolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadLargeFolder")
            .field("target", &self.target)
            .field("folder", &self.folder)
            .field("num_workers", &self.num_workers)
            .finish_non_exhaustive()
    }
}

impl UploadLargeFolder {
    /// Uploads the local folder `folder` to the model repo `repo_id` (set the type with
    /// `repo_type()`).
    pub fn new(client: HubClient, repo_id: RepoId, folder: impl Into<PathBuf>) -> Self {
        UploadLargeFolder {
            target: RepoTarget::new(client, repo_id),
            folder: folder.into(),
            private: None,
            allow: Patterns::default(),
            ignore: Patterns::default(),
            num_workers: None,
            report: None,
            report_every: Duration::from_secs(60),
        }
    }

    /// The visibility of the repo if it has to be created.
    pub fn private(mut self, private: bool) -> Self {
        self.private = Some(private);
        self
    }

    /// Upload only files matching one of these globs (default: all).
    pub fn allow_patterns<I: IntoIterator<Item = S>, S: Into<String>>(mut self, p: I) -> Self {
        self.allow = Patterns::new(p);
        self
    }

    /// Skip files matching one of these globs.
    pub fn ignore_patterns<I: IntoIterator<Item = S>, S: Into<String>>(mut self, p: I) -> Self {
        self.ignore = Patterns::new(p);
        self
    }

    /// Workers running jobs at the same time (default: the cores minus 2, at least 2).
    pub fn num_workers(mut self, n: usize) -> Self {
        self.num_workers = Some(n.max(1));
        self
    }

    /// Receives the status report (default: none).
    pub fn report(mut self, report: ReportFn) -> Self {
        self.report = Some(report);
        self
    }

    /// How often the report is sent (default one minute).
    pub fn report_every(mut self, every: Duration) -> Self {
        self.report_every = every.max(Duration::from_millis(1));
        self
    }
}

/// One file of the upload: its path in the repo and what is known about it.
#[derive(Debug)]
struct Item {
    path_in_repo: String,
    state: FileState,
}

/// The queues, counters and files shared by the workers (Python's `LargeUploadStatus`).
struct Status {
    items: Vec<Item>,
    q_sha: VecDeque<usize>,
    q_mode: VecDeque<usize>,
    q_lfs: VecDeque<usize>,
    q_commit: VecDeque<usize>,
    workers_sha: usize,
    workers_mode: usize,
    workers_lfs: usize,
    workers_commit: usize,
    workers_waiting: usize,
    /// Files committed or ignored.
    finished: usize,
    last_commit_attempt: Option<Instant>,
    chunk_idx: usize,
    failures_in_a_row: usize,
    fatal: Option<Error>,
    started: Instant,
}

/// What a worker does next.
enum Job {
    Sha(usize),
    Mode(Vec<usize>),
    Lfs(Vec<usize>),
    Commit(Vec<usize>),
    Wait,
    Done,
}

fn take(queue: &mut VecDeque<usize>, n: usize) -> Vec<usize> {
    let n = n.min(queue.len());
    queue.drain(..n).collect()
}

impl Status {
    fn new(items: Vec<Item>) -> Status {
        let mut status = Status {
            items,
            q_sha: VecDeque::new(),
            q_mode: VecDeque::new(),
            q_lfs: VecDeque::new(),
            q_commit: VecDeque::new(),
            workers_sha: 0,
            workers_mode: 0,
            workers_lfs: 0,
            workers_commit: 0,
            workers_waiting: 0,
            finished: 0,
            last_commit_attempt: None,
            chunk_idx: 1,
            failures_in_a_row: 0,
            fatal: None,
            started: Instant::now(),
        };
        for i in 0..status.items.len() {
            let s = &status.items[i].state;
            if s.sha256.is_none() {
                status.q_sha.push_back(i);
            } else if s.upload_mode.is_none() {
                status.q_mode.push_back(i);
            } else if s.should_ignore == Some(true) || s.is_committed {
                status.finished += 1;
            } else if s.upload_mode == Some(Mode::Lfs) && !s.is_uploaded {
                status.q_lfs.push_back(i);
            } else {
                status.q_commit.push_back(i);
            }
        }
        status
    }

    fn target_chunk(&self) -> usize {
        COMMIT_SIZE_SCALE[self.chunk_idx]
    }

    fn update_chunk(&mut self, success: bool, n: usize, took: Duration) {
        if !success {
            self.chunk_idx = self.chunk_idx.saturating_sub(1);
        } else if n >= COMMIT_SIZE_SCALE[self.chunk_idx] && took < Duration::from_secs(40) {
            self.chunk_idx = (self.chunk_idx + 1).min(COMMIT_SIZE_SCALE.len() - 1);
        }
    }

    fn is_done(&self) -> bool {
        self.finished == self.items.len()
    }

    /// Python's `_determine_next_job`, rule for rule (numbered as in its source).
    fn next_job(&mut self) -> Job {
        if self.fatal.is_some() {
            return Job::Done;
        }
        let since_commit = self.last_commit_attempt.map(|t| t.elapsed());
        let commit_idle = self.workers_commit == 0 && !self.q_commit.is_empty();
        let others_done = self.q_sha.is_empty()
            && self.q_mode.is_empty()
            && self.q_lfs.is_empty()
            && self.workers_sha == 0
            && self.workers_mode == 0
            && self.workers_lfs == 0;
        // 1. Five minutes since the last commit attempt; 2. enough files ready;
        // 11. a minute since the last attempt (after the other jobs); 12. the last commit.
        let commit_now = (commit_idle
            && since_commit.is_some_and(|d| d > Duration::from_secs(5 * 60)))
            || (self.workers_commit == 0 && self.q_commit.len() >= COMMIT_READY);
        let commit_later = commit_idle
            && (since_commit.is_some_and(|d| d > Duration::from_secs(60)) || others_done);
        if commit_now {
            return self.commit();
        }
        // 3. A full batch of upload modes.
        if self.q_mode.len() >= MODE_BATCH {
            return self.mode();
        }
        // 4.-6. LFS, hashing, modes when no worker does them; 7.-9. the same with others.
        if !self.q_lfs.is_empty() && self.workers_lfs == 0 {
            return self.lfs();
        }
        if !self.q_sha.is_empty() && self.workers_sha == 0 {
            return self.sha();
        }
        if !self.q_mode.is_empty() && self.workers_mode == 0 {
            return self.mode();
        }
        if !self.q_lfs.is_empty() {
            return self.lfs();
        }
        if !self.q_sha.is_empty() {
            return self.sha();
        }
        if !self.q_mode.is_empty() {
            return self.mode();
        }
        if commit_later {
            return self.commit();
        }
        // 13. Everything committed; 14. otherwise wait for work.
        if self.is_done() {
            return Job::Done;
        }
        self.workers_waiting += 1;
        Job::Wait
    }

    fn commit(&mut self) -> Job {
        self.workers_commit += 1;
        let chunk = self.target_chunk();
        Job::Commit(take(&mut self.q_commit, chunk))
    }

    fn mode(&mut self) -> Job {
        self.workers_mode += 1;
        Job::Mode(take(&mut self.q_mode, MODE_BATCH))
    }

    fn lfs(&mut self) -> Job {
        self.workers_lfs += 1;
        Job::Lfs(take(&mut self.q_lfs, 1))
    }

    fn sha(&mut self) -> Job {
        self.workers_sha += 1;
        match self.q_sha.pop_front() {
            Some(i) => Job::Sha(i),
            // Callers check the queue first; keep the counters right anyway.
            None => {
                self.workers_sha -= 1;
                self.workers_waiting += 1;
                Job::Wait
            }
        }
    }

    /// Counts a failed job: transient errors put the files back (as Python does), anything
    /// else, or too many failures in a row, stops the upload with that error.
    fn failed(&mut self, error: Error, requeue: impl FnOnce(&mut Status)) {
        self.failures_in_a_row += 1;
        let transient = matches!(
            error.kind(),
            ErrorKind::RateLimited
                | ErrorKind::Server
                | ErrorKind::Timeout
                | ErrorKind::Transport
                | ErrorKind::Conflict
                | ErrorKind::UnexpectedStatus
        );
        if transient && self.failures_in_a_row < MAX_FAILURES_IN_A_ROW {
            tracing::warn!(error = %error, "upload_large_folder: a job failed, retrying");
            requeue(self);
        } else if self.fatal.is_none() {
            self.fatal = Some(error);
        }
    }

    /// Python's `current_report` text.
    fn report(&self) -> String {
        let (mut hashed, mut size_hashed, mut pre, mut lfs, mut unsure) = (0, 0, 0, 0, 0);
        let (mut size_pre, mut committed, mut size_committed) = (0, 0, 0);
        let (mut total, mut files, mut ignored) = (0, 0, 0);
        for item in &self.items {
            let s = &item.state;
            if s.should_ignore == Some(true) {
                ignored += 1;
                continue;
            }
            total += s.size;
            files += 1;
            if s.sha256.is_some() {
                hashed += 1;
                size_hashed += s.size;
            }
            match s.upload_mode {
                Some(Mode::Lfs) => lfs += 1,
                None => unsure += 1,
                Some(Mode::Regular) => {}
            }
            if s.is_uploaded {
                pre += 1;
                size_pre += s.size;
            }
            if s.is_committed {
                committed += 1;
                size_committed += s.size;
            }
        }
        let elapsed = self.started.elapsed().as_secs();
        let t = format_size(total);
        let mut m = format!(
            "\n---------- {}:{:02}:{:02} elapsed ----------\n",
            elapsed / 3600,
            (elapsed / 60) % 60,
            elapsed % 60
        );
        m += &format!(
            "Files:   hashed {hashed}/{files} ({}/{t}) | pre-uploaded: {pre}/{lfs} ({}/{t})",
            format_size(size_hashed),
            format_size(size_pre)
        );
        if unsure > 0 {
            m += &format!(" (+{unsure} unsure)");
        }
        m += &format!(
            " | committed: {committed}/{files} ({}/{t}) | ignored: {ignored}\n",
            format_size(size_committed)
        );
        m += &format!(
            "Workers: hashing: {} | get upload mode: {} | pre-uploading: {} | committing: {} | waiting: {}\n",
            self.workers_sha,
            self.workers_mode,
            self.workers_lfs,
            self.workers_commit,
            self.workers_waiting
        );
        m += &"-".repeat(51);
        m
    }
}

/// Python's `_format_size`: `3.1K`, `12.0M`, ...
fn format_size(n: u64) -> String {
    let mut v = n as f64;
    for unit in ["", "K", "M", "G", "T", "P", "E", "Z"] {
        if v.abs() < 1000.0 {
            return format!("{v:.1}{unit}");
        }
        v /= 1000.0;
    }
    format!("{v:.1}Y")
}

/// What the workers share.
struct Shared {
    status: Mutex<Status>,
    notify: Notify,
    target: Target,
    folder: PathBuf,
    hf_dir: PathBuf,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Status> {
        // A worker that panicked holding the lock left consistent counters behind at worst
        // (every change is a few assignments), so the poison is ignored.
        self.status
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn paths(&self, path_in_repo: &str) -> state::FilePaths {
        state::paths(&self.folder, &self.hf_dir, path_in_repo)
    }

    /// Saves the state of these files (on a blocking thread) and records it in the status.
    async fn save(&self, updates: Vec<(usize, FileState)>) -> Result<Vec<(usize, FileState)>> {
        let paths: Vec<_> = {
            let status = self.lock();
            updates
                .iter()
                .map(|(i, _)| self.paths(&status.items[*i].path_in_repo))
                .collect()
        };
        tokio::task::spawn_blocking(move || {
            let mut updates = updates;
            for ((_, s), p) in updates.iter_mut().zip(&paths) {
                s.save(p)?;
            }
            Ok(updates)
        })
        .await
        .map_err(Error::task)?
    }
}

impl UploadLargeFolder {
    async fn run(self) -> Result<()> {
        let folder = std::path::absolute(&self.folder)
            .map_err(|e| Error::io("resolve", self.folder.clone(), e))?;
        if !folder.is_dir() {
            return Err(Error::InvalidArgument(format!(
                "{} is not a folder",
                folder.display()
            )));
        }
        let mut create =
            CreateRepo::new(self.target.client().clone(), self.target.repo_id().clone())
                .repo_type(self.target.repo_type())
                .exist_ok(true);
        if let Some(private) = self.private {
            create = create.private(private);
        }
        create.await?;

        let (allow, ignore, dir) = (self.allow.clone(), self.ignore.clone(), folder.clone());
        let (items, hf_dir) = tokio::task::spawn_blocking(move || -> Result<_> {
            let hf_dir = state::huggingface_dir(&dir)?;
            let mut items = Vec::new();
            for (path_in_repo, _) in crate::commit::list_local(&dir, &allow, &ignore)? {
                let state = state::read(&state::paths(&dir, &hf_dir, &path_in_repo))?;
                items.push(Item {
                    path_in_repo,
                    state,
                });
            }
            Ok((items, hf_dir))
        })
        .await
        .map_err(Error::task)??;
        tracing::info!(files = items.len(), "upload_large_folder: starting");
        warn_about_limits(&items);

        let workers = self.num_workers.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(2, |n| n.get().saturating_sub(2).max(2))
        });
        let shared = Arc::new(Shared {
            status: Mutex::new(Status::new(items)),
            notify: Notify::new(),
            target: Target {
                repo: self.target.clone(),
                options: UploadOptions::default(),
            },
            folder,
            hf_dir,
        });
        let report = |shared: &Shared| {
            if let Some(report) = &self.report {
                let text = shared.lock().report();
                report(&text);
            }
        };
        report(&shared);
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..workers {
            tasks.spawn(worker(shared.clone()));
        }
        let mut ticks = tokio::time::interval(self.report_every);
        ticks.tick().await;
        loop {
            tokio::select! {
                done = tasks.join_next() => match done {
                    Some(joined) => joined.map_err(Error::task)?,
                    None => break,
                },
                _ = ticks.tick() => report(&shared),
            }
        }
        report(&shared);
        let mut status = shared.lock();
        match status.fatal.take() {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}

impl_into_future!(UploadLargeFolder => (), run);

/// The Hub's recommendations (Python's `_validate_upload_limits`): warnings, not errors.
fn warn_about_limits(items: &[Item]) {
    const MAX_FILES: usize = 100_000;
    const MAX_ENTRIES_PER_FOLDER: usize = 10_000;
    const RECOMMENDED_FILE_SIZE: u64 = 20_000_000_000;
    const MAX_FILE_SIZE: u64 = 50_000_000_000;
    if items.len() > MAX_FILES {
        tracing::warn!(
            files = items.len(),
            "more files than the 100,000 recommended per repository: consider several repos or fewer, larger files"
        );
    }
    // Entries (files and sub-folders) directly in each folder.
    let mut entries: std::collections::HashMap<&str, std::collections::HashSet<&str>> =
        std::collections::HashMap::new();
    for item in items {
        let path = item.path_in_repo.as_str();
        let mut parent = "";
        for (i, _) in path.match_indices('/') {
            entries.entry(parent).or_default().insert(&path[..i]);
            parent = &path[..i];
        }
        entries.entry(parent).or_default().insert(path);
        if item.state.size > MAX_FILE_SIZE {
            tracing::warn!(
                path,
                size = item.state.size,
                "file over the Hub's 50 GB limit: it may fail to upload"
            );
        } else if item.state.size > RECOMMENDED_FILE_SIZE {
            tracing::warn!(
                path,
                size = item.state.size,
                "file over the recommended 20 GB"
            );
        }
    }
    for (folder, children) in entries {
        if children.len() > MAX_ENTRIES_PER_FOLDER {
            let folder = if folder.is_empty() { "root" } else { folder };
            tracing::warn!(
                folder,
                entries = children.len(),
                "more than the 10,000 recommended entries in one folder: consider sub-folders"
            );
        }
    }
}

/// One worker: runs jobs until there are none left (Python's `_worker_job`).
async fn worker(shared: Arc<Shared>) {
    loop {
        let notified = shared.notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let job = shared.lock().next_job();
        match job {
            Job::Done => {
                shared.notify.notify_waiters();
                return;
            }
            Job::Wait => {
                // Woken when any job ends; the timeout re-checks the time-based rules.
                let _ = tokio::time::timeout(Duration::from_secs(1), notified).await;
                shared.lock().workers_waiting -= 1;
            }
            Job::Sha(i) => {
                let result = hash_job(&shared, i).await;
                let mut status = shared.lock();
                status.workers_sha -= 1;
                match result {
                    Ok(()) => {
                        status.failures_in_a_row = 0;
                        status.q_mode.push_back(i);
                    }
                    Err(e) => status.failed(e, |s| s.q_sha.push_back(i)),
                }
            }
            Job::Mode(items) => {
                let result = mode_job(&shared, &items).await;
                let mut status = shared.lock();
                status.workers_mode -= 1;
                match result {
                    Ok(()) => {
                        status.failures_in_a_row = 0;
                        for i in items {
                            let s = &status.items[i].state;
                            if s.should_ignore == Some(true) {
                                status.finished += 1;
                            } else if s.upload_mode == Some(Mode::Lfs) {
                                status.q_lfs.push_back(i);
                            } else {
                                status.q_commit.push_back(i);
                            }
                        }
                    }
                    Err(e) => status.failed(e, |s| s.q_mode.extend(items)),
                }
            }
            Job::Lfs(items) => {
                let result = lfs_job(&shared, &items).await;
                let mut status = shared.lock();
                status.workers_lfs -= 1;
                match result {
                    Ok(()) => {
                        status.failures_in_a_row = 0;
                        status.q_commit.extend(items);
                    }
                    Err(e) => status.failed(e, |s| s.q_lfs.extend(items)),
                }
            }
            Job::Commit(items) => {
                let started = Instant::now();
                let result = commit_job(&shared, &items).await;
                let mut status = shared.lock();
                status.update_chunk(result.is_ok(), items.len(), started.elapsed());
                status.last_commit_attempt = Some(Instant::now());
                status.workers_commit -= 1;
                match result {
                    Ok(()) => {
                        status.failures_in_a_row = 0;
                        status.finished += items.len();
                    }
                    Err(e) => status.failed(e, |s| s.q_commit.extend(items)),
                }
            }
        }
        shared.notify.notify_waiters();
    }
}

/// Hashes one file (streaming, on a blocking thread) and saves its SHA-256.
async fn hash_job(shared: &Shared, i: usize) -> Result<()> {
    let (path_in_repo, mut state) = {
        let status = shared.lock();
        (
            status.items[i].path_in_repo.clone(),
            status.items[i].state.clone(),
        )
    };
    let paths = shared.paths(&path_in_repo);
    let state = tokio::task::spawn_blocking(move || {
        if state.sha256.is_none() {
            state.sha256 = Some(crate::commit::sha256_file(
                &paths.file_path,
                state.size,
                &path_in_repo,
                &(std::sync::Arc::new(crate::commit::NoUploadReporter)
                    as crate::commit::SharedUploadReporter),
            )?);
        }
        state.save(&paths)?;
        Ok::<_, Error>(state)
    })
    .await
    .map_err(Error::task)??;
    shared.lock().items[i].state = state;
    Ok(())
}

/// Asks the Hub how to upload these files (one preupload request) and saves the answers.
async fn mode_job(shared: &Shared, items: &[usize]) -> Result<()> {
    let additions = {
        let status = shared.lock();
        items
            .iter()
            .map(|i| {
                let path = &status.items[*i].path_in_repo;
                CommitOperationAdd::from_path(path, shared.paths(path).file_path)
            })
            .collect::<Result<Vec<_>>>()?
    };
    let mut prepared = probe_all(&shared.target, &additions).await?;
    preupload(&shared.target, &mut prepared, None).await?;
    let updates = {
        let status = shared.lock();
        items
            .iter()
            .zip(&prepared)
            .map(|(i, p)| {
                let mut s = status.items[*i].state.clone();
                s.upload_mode = p.mode.map(|m| match m {
                    crate::commit::UploadMode::Lfs => Mode::Lfs,
                    crate::commit::UploadMode::Regular => Mode::Regular,
                });
                s.should_ignore = Some(p.should_ignore);
                s.remote_oid = p.remote_oid.clone();
                (*i, s)
            })
            .collect()
    };
    record(shared, shared.save(updates).await?);
    Ok(())
}

/// Uploads the LFS content of these files and saves that they are uploaded.
async fn lfs_job(shared: &Shared, items: &[usize]) -> Result<()> {
    let mut updates = Vec::new();
    for i in items {
        let (path, state) = {
            let status = shared.lock();
            (
                status.items[*i].path_in_repo.clone(),
                status.items[*i].state.clone(),
            )
        };
        let sha256 = state.sha256.clone().unwrap_or_default();
        let local = shared.paths(&path).file_path;
        upload_lfs_object(&shared.target, &path, &local, &sha256, state.size).await?;
        let mut state = state;
        state.is_uploaded = true;
        updates.push((*i, state));
    }
    record(shared, shared.save(updates).await?);
    Ok(())
}

/// Commits these files (nothing is hashed or asked again) and saves that they are committed.
async fn commit_job(shared: &Shared, items: &[usize]) -> Result<()> {
    let (ops, states): (Vec<CommitOperation>, Vec<(usize, FileState)>) = {
        let status = shared.lock();
        let mut ops = Vec::with_capacity(items.len());
        let mut states = Vec::with_capacity(items.len());
        for i in items {
            let item = &status.items[*i];
            let s = &item.state;
            let known = Preuploaded {
                sha256: s.sha256.clone().unwrap_or_default(),
                size: s.size,
                lfs: s.upload_mode == Some(Mode::Lfs),
                remote_oid: s.remote_oid.clone(),
            };
            let local = shared.paths(&item.path_in_repo).file_path;
            ops.push(CommitOperationAdd::known(&item.path_in_repo, local, known)?.into());
            let mut done = s.clone();
            done.is_committed = true;
            states.push((*i, done));
        }
        (ops, states)
    };
    let message = crate::commit::CommitMessage {
        summary: Some(COMMIT_MESSAGE.to_owned()),
        ..Default::default()
    };
    run_commit(&shared.target, ops, &message).await?;
    record(shared, shared.save(states).await?);
    Ok(())
}

fn record(shared: &Shared, updates: Vec<(usize, FileState)>) {
    let mut status = shared.lock();
    for (i, s) in updates {
        status.items[i].state = s;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn item(state: FileState) -> Item {
        Item {
            path_in_repo: "f".into(),
            state,
        }
    }

    #[test]
    fn queues_start_from_the_saved_state() {
        let lfs = FileState {
            sha256: Some("a".into()),
            upload_mode: Some(Mode::Lfs),
            ..Default::default()
        };
        let done = FileState {
            is_committed: true,
            ..lfs.clone()
        };
        let status = Status::new(vec![item(FileState::default()), item(lfs), item(done)]);
        assert_eq!(status.q_sha, [0]);
        assert_eq!(status.q_lfs, [1]);
        assert_eq!(status.finished, 1);
    }

    #[test]
    fn priorities_follow_python() {
        let hashed = FileState {
            sha256: Some("a".into()),
            ..Default::default()
        };
        let mut items: Vec<Item> = (0..3).map(|_| item(FileState::default())).collect();
        items.extend((0..150).map(|_| item(hashed.clone())));
        let mut status = Status::new(items);
        // 150 files wait for their mode: a batch of 100 first.
        assert!(matches!(status.next_job(), Job::Mode(v) if v.len() == 100));
        // Then hashing, as no worker hashes.
        assert!(matches!(status.next_job(), Job::Sha(0)));
        // A mode worker runs, so rule 8 (hash) comes before the remaining modes.
        assert!(matches!(status.next_job(), Job::Sha(1)));
        // Final commit waits for everything else.
        status.q_commit.push_back(5);
        assert!(matches!(status.next_job(), Job::Sha(2)));
        assert!(matches!(status.next_job(), Job::Mode(v) if v.len() == 50));
        assert!(matches!(status.next_job(), Job::Wait));
        assert_eq!(format_size(1_234_567), "1.2M");
        assert_eq!(format_size(12), "12.0");
    }

    #[test]
    fn chunk_grows_and_shrinks() {
        let mut status = Status::new(Vec::new());
        assert_eq!(status.target_chunk(), 50);
        status.update_chunk(true, 50, Duration::from_secs(1));
        assert_eq!(status.target_chunk(), 75);
        status.update_chunk(false, 75, Duration::from_secs(1));
        status.update_chunk(false, 50, Duration::from_secs(1));
        status.update_chunk(false, 20, Duration::from_secs(1));
        assert_eq!(status.target_chunk(), 20);
        assert!(status.is_done());
    }
}
