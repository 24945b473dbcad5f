//! `hf download`: one file with `hf_hub_download`, several or a whole repo with `snapshot_download`.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use hf_cache::{CacheDir, HubDownload, SnapshotDownload};
use hf_http::HubClient;
use hf_types::{RepoId, RepoType, Revision};

use crate::output::{Failure, print_lines};
use crate::progress::Bars;

/// Arguments of `hf download`, as the Python CLI names them.
#[derive(Debug, Args)]
pub struct DownloadArgs {
    /// The repository, e.g. `openai-community/gpt2`.
    repo_id: RepoId,
    /// Files to download (default: the whole repository, filtered by --include/--exclude).
    filenames: Vec<String>,
    /// model, dataset or space.
    #[arg(long, default_value = "model")]
    repo_type: RepoType,
    /// Branch, tag, commit id or `refs/pr/N`.
    #[arg(long, default_value = "main")]
    revision: Revision,
    /// Glob patterns of files to download.
    #[arg(long, num_args = 1..)]
    include: Vec<String>,
    /// Glob patterns of files to skip.
    #[arg(long, num_args = 1..)]
    exclude: Vec<String>,
    /// The cache folder (default: HF_HUB_CACHE, else HF_HOME/hub).
    #[arg(long)]
    cache_dir: Option<PathBuf>,
    /// Put the files in this folder instead of the cache.
    #[arg(long)]
    local_dir: Option<PathBuf>,
    /// Download even what is cached.
    #[arg(long)]
    force_download: bool,
    /// Files downloaded at the same time.
    #[arg(long, default_value_t = 8)]
    max_workers: usize,
    /// Connections one large file (64 MiB and more) may use; they are added only while they
    /// raise the throughput.
    #[arg(long, default_value_t = 4)]
    max_connections: usize,
    /// No progress bars; print only the resulting path.
    #[arg(long, short)]
    quiet: bool,
}

/// Runs `hf download` and prints the resulting path last.
pub async fn run(client: HubClient, args: DownloadArgs) -> Result<(), Failure> {
    let cache = args
        .cache_dir
        .clone()
        .map_or_else(CacheDir::from_env, CacheDir::new);
    let bars = Arc::new(Bars::new(args.quiet));
    let single_file =
        args.filenames.len() == 1 && args.include.is_empty() && args.exclude.is_empty();
    let result = if single_file {
        let mut request = HubDownload::new(client, args.repo_id.clone(), args.filenames[0].clone())
            .repo_type(args.repo_type)
            .revision(args.revision.clone())
            .cache_dir(cache)
            .force_download(args.force_download)
            .max_connections(args.max_connections)
            .reporter(bars.clone());
        if let Some(dir) = &args.local_dir {
            request = request.local_dir(dir.clone());
        }
        request.await
    } else {
        // Named files are exact patterns: fnmatch treats a plain name as itself.
        let allow: Vec<String> = args
            .filenames
            .iter()
            .chain(&args.include)
            .cloned()
            .collect();
        let mut request = SnapshotDownload::new(client, args.repo_id.clone())
            .repo_type(args.repo_type)
            .revision(args.revision.clone())
            .cache_dir(cache)
            .allow_patterns(allow)
            .ignore_patterns(args.exclude.clone())
            .max_workers(args.max_workers.max(1))
            .max_connections(args.max_connections)
            .force_download(args.force_download)
            .reporter(bars.clone());
        if let Some(dir) = &args.local_dir {
            request = request.local_dir(dir.clone());
        }
        request.await
    };
    bars.finish();
    let path = result.map_err(|e| download_failure(&args, &e))?;
    print_lines([path.display().to_string()])
}

fn download_failure(args: &DownloadArgs, error: &hf_cache::Error) -> Failure {
    let failure = Failure::from_error(&format!("cannot download from {}", args.repo_id), error);
    match error {
        hf_cache::Error::Http(hf_http::Error::RepoNotFound(_)) => failure.hint(format!(
            "check the repo id and --repo-type ({}); a private or gated repo needs a token (--token or HF_TOKEN)",
            args.repo_type
        )),
        hf_cache::Error::Http(hf_http::Error::RevisionNotFound(_)) => {
            failure.hint("list the branches and tags of the repo to find the right --revision")
        }
        hf_cache::Error::LocalEntryNotFound { .. } | hf_cache::Error::IncompleteSnapshot { .. } => {
            failure.hint("connect to the Hub (unset HF_HUB_OFFLINE) to fetch what the cache lacks")
        }
        _ => failure,
    }
}
