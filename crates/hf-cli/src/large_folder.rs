//! `hf upload-large-folder`: a folder too large for one commit, uploaded in many commits and
//! resumable (its state lives under `LOCAL_PATH/.cache/huggingface/`, shared with Python).

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use hf_http::HubClient;
use hf_repo::large_folder::UploadLargeFolder;
use hf_repo::prelude::*;

use crate::args::{RepoTarget, RevisionArg};
use crate::diagnostics::{Failure, Op, failure};
use crate::output::print_lines;

/// Arguments of `hf upload-large-folder`, as the Python CLI names them.
#[derive(Debug, Args)]
pub struct UploadLargeFolderArgs {
    // The repository (created if it does not exist).
    #[command(flatten)]
    repo: RepoTarget,
    /// The local folder to upload.
    local_path: PathBuf,
    // The branch to commit to.
    #[command(flatten)]
    revision: RevisionArg,
    /// Create the repo private if it does not exist yet.
    #[arg(long)]
    private: bool,
    /// Glob patterns of files to upload.
    #[arg(long, num_args = 1..)]
    include: Vec<String>,
    /// Glob patterns of files to skip.
    #[arg(long, num_args = 1..)]
    exclude: Vec<String>,
    /// Workers hashing, uploading and committing at the same time (default: cores - 2, at least 2).
    #[arg(long)]
    num_workers: Option<usize>,
    /// No status report every minute.
    #[arg(long)]
    no_report: bool,
    /// No progress bars (this command draws none; accepted for compatibility with Python).
    #[arg(long)]
    no_bars: bool,
}

/// Runs `hf upload-large-folder` and prints the repo's URL at the end.
pub async fn run(client: HubClient, args: UploadLargeFolderArgs) -> Result<(), Failure> {
    let repo = &args.repo;
    let _ = args.no_bars;
    let mut request =
        UploadLargeFolder::new(client.clone(), repo.repo_id.clone(), &args.local_path)
            .repo_type(repo.repo_type)
            .allow_patterns(args.include.clone())
            .ignore_patterns(args.exclude.clone());
    if let Some(revision) = &args.revision.revision {
        request = request.revision(revision.clone());
    }
    if args.private {
        request = request.private(true);
    }
    if let Some(n) = args.num_workers {
        request = request.num_workers(n);
    }
    if !args.no_report {
        // Reports go to stdout, as Python prints them; a closed stdout only loses reports.
        request = request.report(Arc::new(|text: &str| {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{text}");
            let _ = out.flush();
        }));
    }
    request.await.map_err(|e| {
        failure(
            &format!(
                "cannot upload {} to {}",
                args.local_path.display(),
                repo.repo_id
            ),
            Op::Upload,
            Some(repo),
            &e,
        )
    })?;
    let web = hf_types::Route::repo(repo.repo_type, &repo.repo_id).web();
    print_lines([client.route_text(&web)])
}
