//! `hf upload`: a file or a folder in one commit (creating the repo and the branch if needed),
//! once or `--every` N minutes.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use hf_http::{HubClient, Settings};
use hf_repo::commit::{UploadFile, UploadFolder};
use hf_repo::prelude::*;
use hf_repo::refs::CreateBranch;
use hf_repo::repos::CreateRepo;
use hf_repo::scheduler::CommitScheduler;
use hf_types::{CommitInfo, RepoPath, RepoType, Revision};

use crate::args::{RepoTarget, RevisionArg};
use crate::diagnostics::{Failure, Op, failure};
use crate::output::print_lines;
use crate::progress::Bars;

/// Arguments of `hf upload`, as the Python CLI names them.
#[derive(Debug, Args)]
pub struct UploadArgs {
    // The repository (created if it does not exist).
    #[command(flatten)]
    repo: RepoTarget,
    /// The local file or folder (default: `./{repo name}` when it exists).
    local_path: Option<PathBuf>,
    /// Where to put it in the repo (default: the file's name, or the root for a folder).
    path_in_repo: Option<String>,
    // The branch to commit to (created from `main` if missing).
    #[command(flatten)]
    revision: RevisionArg,
    /// Create the repo private if it does not exist yet.
    #[arg(long)]
    private: bool,
    /// Glob patterns of files to upload (folders only).
    #[arg(long, num_args = 1..)]
    include: Vec<String>,
    /// Glob patterns of files to skip (folders only).
    #[arg(long, num_args = 1..)]
    exclude: Vec<String>,
    /// Glob patterns of remote files to delete in the same commit (folders only).
    #[arg(long, num_args = 1..)]
    delete: Vec<String>,
    /// The commit's summary.
    #[arg(long)]
    commit_message: Option<String>,
    /// The commit's description.
    #[arg(long)]
    commit_description: Option<String>,
    /// Open a pull request instead of committing to the branch.
    #[arg(long)]
    create_pr: bool,
    /// Upload again every MINUTES minutes until interrupted (unchanged files are not sent again).
    #[arg(long, value_name = "MINUTES")]
    every: Option<f64>,
    /// Files hashed and uploaded at the same time.
    #[arg(long, default_value_t = hf_repo::commit::DEFAULT_NUM_THREADS)]
    num_threads: usize,
    /// No progress bars; print only the resulting URL.
    #[arg(long, short)]
    quiet: bool,
}

/// What is uploaded, resolved from the positional arguments.
struct Plan {
    local: PathBuf,
    is_file: bool,
    path_in_repo: String,
}

impl UploadArgs {
    async fn plan(&self) -> Result<Plan, Failure> {
        let local = match &self.local_path {
            Some(p) => p.clone(),
            None => {
                let guess = PathBuf::from(self.repo.repo_id.name());
                if !tokio::fs::try_exists(&guess).await.unwrap_or(false) {
                    return Err(Failure::msg(format!(
                        "no LOCAL_PATH given and ./{} does not exist",
                        self.repo.repo_id.name()
                    ))
                    .hint("name the file or folder to upload: hf upload REPO_ID LOCAL_PATH"));
                }
                guess
            }
        };
        let meta = tokio::fs::metadata(&local)
            .await
            .map_err(|e| Failure::from_error(&format!("cannot upload {}", local.display()), &e))?;
        let is_file = meta.is_file();
        if is_file
            && !(self.include.is_empty() && self.exclude.is_empty() && self.delete.is_empty())
        {
            return Err(Failure::msg(
                "--include, --exclude and --delete apply to folders, not to a single file",
            ));
        }
        let path_in_repo = match &self.path_in_repo {
            Some(p) => p.clone(),
            None if is_file => file_name(&local)?,
            None => ".".to_owned(),
        };
        Ok(Plan {
            local,
            is_file,
            path_in_repo,
        })
    }
}

fn file_name(path: &Path) -> Result<String, Failure> {
    path.file_name()
        .and_then(|n| n.to_str())
        .map(str::to_owned)
        .ok_or_else(|| Failure::msg(format!("{} has no usable file name", path.display())))
}

/// Runs `hf upload` and prints the URL of what was uploaded last.
pub async fn run(client: HubClient, settings: &Settings, args: UploadArgs) -> Result<(), Failure> {
    let plan = args.plan().await?;
    prepare_repo(&client, &args).await?;
    let Some(minutes) = args.every else {
        let url = upload_once(&client, settings, &args, &plan).await?;
        return print_lines([url]);
    };
    if !(minutes > 0.0 && minutes.is_finite()) {
        return Err(Failure::msg("--every needs a positive number of minutes"));
    }
    scheduled(
        client,
        &args,
        &plan,
        Duration::from_secs_f64(minutes * 60.0),
    )
    .await
}

/// `--every`: a [`CommitScheduler`] pushes what changed every `every` (the first push at once)
/// until Ctrl-C (or SIGTERM), which pushes the last changes, as the Python CLI does.
async fn scheduled(
    client: HubClient,
    args: &UploadArgs,
    plan: &Plan,
    every: Duration,
) -> Result<(), Failure> {
    let repo = &args.repo;
    if !args.delete.is_empty() {
        eprintln!("warning: --delete is ignored with --every");
    }
    // A file: watch its folder, allowing only that file.
    let (folder, path_in_repo, allow, ignore) = if plan.is_file {
        let folder = match plan.local.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let dir_in_repo = match plan.path_in_repo.rsplit_once('/') {
            Some((dir, _)) => dir.to_owned(),
            None => String::new(),
        };
        (
            folder,
            dir_in_repo,
            vec![file_name(&plan.local)?],
            Vec::new(),
        )
    } else {
        let path = if plan.path_in_repo == "." {
            String::new()
        } else {
            plan.path_in_repo.clone()
        };
        (
            plan.local.clone(),
            path,
            args.include.clone(),
            args.exclude.clone(),
        )
    };
    let mut start = CommitScheduler::new(client, repo.repo_id.clone(), folder)
        .repo_type(repo.repo_type)
        .every(every)
        .path_in_repo(path_in_repo)
        .allow_patterns(allow)
        .ignore_patterns(ignore)
        .private(args.private);
    if let Some(revision) = &args.revision.revision {
        start = start.revision(revision.clone());
    }
    let fail = |e: hf_repo::Error| {
        failure(
            &format!("cannot upload to {}", repo.repo_id),
            Op::Upload,
            Some(repo),
            &e,
        )
    };
    let scheduler = start.await.map_err(fail)?;
    print_lines([format!(
        "Scheduling commits every {} minutes to {}.",
        every.as_secs_f64() / 60.0,
        repo.repo_id
    )])?;
    stop_signal().await;
    scheduler.stop().await.map_err(fail)?;
    print_lines(["Stopped scheduled commits.".to_owned()])
}

/// Ctrl-C, or SIGTERM on Unix.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Creates the repo (and the branch) when missing, as the Python CLI does.
async fn prepare_repo(client: &HubClient, args: &UploadArgs) -> Result<(), Failure> {
    let repo = &args.repo;
    let mut create = CreateRepo::new(client.clone(), repo.repo_id.clone())
        .repo_type(repo.repo_type)
        .private(args.private)
        .exist_ok(true);
    if repo.repo_type == RepoType::Space {
        create = create.space_sdk("gradio");
    }
    create.await.map_err(|e| {
        failure(
            &format!("cannot create {}", repo.repo_id),
            Op::Upload,
            Some(repo),
            &e,
        )
    })?;
    if let Some(revision) = &args.revision.revision
        && !args.create_pr
        && revision.as_str() != "main"
        && !revision.as_str().starts_with("refs/pr/")
    {
        CreateBranch::new(client.clone(), repo.repo_id.clone(), revision.clone())
            .repo_type(repo.repo_type)
            .exist_ok(true)
            .await
            .map_err(|e| {
                failure(
                    &format!("cannot create the branch {revision}"),
                    Op::Upload,
                    Some(repo),
                    &e,
                )
            })?;
    }
    Ok(())
}

/// One commit; returns the URL to print.
async fn upload_once(
    client: &HubClient,
    settings: &Settings,
    args: &UploadArgs,
    plan: &Plan,
) -> Result<String, Failure> {
    let repo = &args.repo;
    let bars = Arc::new(Bars::new(args.quiet, settings));
    let revision: Revision = args.revision.or_main();
    let result: Result<CommitInfo, hf_repo::Error> = if plan.is_file {
        let path_in_repo: RepoPath = plan.path_in_repo.parse().map_err(|e| {
            Failure::from_error(&format!("invalid PATH_IN_REPO {:?}", plan.path_in_repo), &e)
        })?;
        let mut request = UploadFile::new(
            client.clone(),
            repo.repo_id.clone(),
            &plan.local,
            path_in_repo,
        )
        .repo_type(repo.repo_type)
        .revision(revision.clone())
        .create_pr(args.create_pr)
        .num_threads(args.num_threads)
        .reporter(bars.clone());
        if let Some(m) = &args.commit_message {
            request = request.commit_message(m);
        }
        if let Some(d) = &args.commit_description {
            request = request.commit_description(d);
        }
        request.await
    } else {
        let mut request = UploadFolder::new(client.clone(), repo.repo_id.clone(), &plan.local)
            .path_in_repo(plan.path_in_repo.clone())
            .allow_patterns(args.include.clone())
            .ignore_patterns(args.exclude.clone())
            .delete_patterns(args.delete.clone())
            .repo_type(repo.repo_type)
            .revision(revision.clone())
            .create_pr(args.create_pr)
            .num_threads(args.num_threads)
            .reporter(bars.clone());
        if let Some(m) = &args.commit_message {
            request = request.commit_message(m);
        }
        if let Some(d) = &args.commit_description {
            request = request.commit_description(d);
        }
        request.await
    };
    bars.finish();
    let info = result.map_err(|e| {
        failure(
            &format!("cannot upload to {}", repo.repo_id),
            Op::Upload,
            Some(repo),
            &e,
        )
    })?;
    if let Some(pr) = &info.pr_url {
        return Ok(pr.clone());
    }
    // Python prints where the upload can be seen: the file, or the folder's tree.
    let rev = info.pr_revision.clone().unwrap_or(revision);
    let base = info.repo_url.to_string();
    let path = plan.path_in_repo.trim_matches('/');
    Ok(if plan.is_file {
        format!("{base}/blob/{}/{path}", rev.url_encoded())
    } else if path.is_empty() || path == "." {
        format!("{base}/tree/{}", rev.url_encoded())
    } else {
        format!("{base}/tree/{}/{path}", rev.url_encoded())
    })
}
