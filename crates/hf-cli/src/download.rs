//! `hf download`: one file with `hf_hub_download`, several or a whole repo with `snapshot_download`.

use hf_cache::prelude::DownloadRequest;
use hf_repo::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use hf_cache::{CacheDir, HubDownload, SnapshotDownload};
use hf_http::{HubClient, Settings};

use crate::args::{RepoTarget, RevisionArg};
use crate::diagnostics::{Failure, Op, failure};
use crate::output::print_lines;
use crate::progress::Bars;

/// Arguments of `hf download`, as the Python CLI names them.
#[derive(Debug, Args)]
pub struct DownloadArgs {
    #[command(flatten)]
    repo: RepoTarget,
    /// Files to download (default: the whole repository, filtered by --include/--exclude).
    filenames: Vec<String>,
    #[command(flatten)]
    revision: RevisionArg,
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
pub async fn run(
    client: HubClient,
    settings: &Settings,
    args: DownloadArgs,
) -> Result<(), Failure> {
    let cache = match &args.cache_dir {
        Some(dir) => CacheDir::new(dir),
        None => CacheDir::from_settings(settings),
    };
    let bars = Arc::new(Bars::new(args.quiet, settings));
    let repo = &args.repo;
    let single_file =
        args.filenames.len() == 1 && args.include.is_empty() && args.exclude.is_empty();
    let result = if single_file {
        let mut request = HubDownload::new(client, repo.repo_id.clone(), args.filenames[0].clone())
            .repo_type(repo.repo_type)
            .revision(args.revision.or_main())
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
        let mut request = SnapshotDownload::new(client, repo.repo_id.clone())
            .repo_type(repo.repo_type)
            .revision(args.revision.or_main())
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
    let path = result.map_err(|e| {
        failure(
            &format!("cannot download from {}", repo.repo_id),
            Op::Download,
            Some(repo),
            &e,
        )
    })?;
    print_lines([path.display().to_string()])
}
