//! `hf models ls|info` and `hf datasets ls|info`: search the Hub's models and datasets, show
//! one, or (`ls REPO_ID`) list a repo's files. Tables for people, `--format json` for programs.

use clap::{Args, Subcommand};
use hf_http::HubClient;
use hf_repo::listing::{ListDatasets, ListModels, ListSpaces};
use hf_repo::prelude::*;
use hf_repo::refs::ListRepoFiles;
use hf_repo::repos::{InfoKind, RepoInfoRequest};
use hf_types::{RepoId, RepoType, Revision};
use serde::Serialize;

use crate::args::RepoTarget;
use crate::diagnostics::{Failure, Op, failure};
use crate::output::{print_json_of, print_lines};
use crate::repo::Format;

/// Arguments of `hf models` (and, with fewer filters, `hf datasets`).
#[derive(Debug, Args)]
pub struct BrowseArgs {
    #[command(subcommand)]
    command: BrowseCommand,
}

#[derive(Debug, Subcommand)]
enum BrowseCommand {
    /// List repos on the Hub, or the files of one repo (with REPO_ID).
    #[command(visible_alias = "list")]
    Ls(LsArgs),
    /// Show one repo's information (JSON).
    Info(InfoArgs),
}

#[derive(Debug, Args)]
pub(crate) struct LsArgs {
    /// List this repo's files instead of searching.
    repo_id: Option<RepoId>,
    /// Only repos whose id contains this text.
    #[arg(long)]
    search: Option<String>,
    /// Only repos of this user or organization.
    #[arg(long)]
    author: Option<String>,
    /// Only repos with this tag (repeatable).
    #[arg(long)]
    filter: Vec<String>,
    /// Models only: only this pipeline tag, e.g. `text-generation`.
    #[arg(long)]
    pipeline_tag: Option<String>,
    /// Only gated repos.
    #[arg(long, conflicts_with = "no_gated")]
    gated: bool,
    /// Only repos that are not gated.
    #[arg(long)]
    no_gated: bool,
    /// Sort key, descending (e.g. `downloads`, `likes`, `created_at`, `last_modified`).
    #[arg(long)]
    sort: Option<String>,
    /// At most this many repos.
    #[arg(long, default_value_t = 30)]
    limit: usize,
    /// Comma-separated properties to return (with `id`), e.g. `downloads,likes,tags`.
    #[arg(long, value_delimiter = ',')]
    expand: Vec<String>,
    /// With REPO_ID: the revision whose files are listed.
    #[arg(long)]
    revision: Option<Revision>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

#[derive(Debug, Args)]
struct InfoArgs {
    /// The repo, e.g. `openai-community/gpt2`.
    repo_id: RepoId,
    /// Branch, tag or commit (default: the default branch).
    #[arg(long)]
    revision: Option<Revision>,
    /// Comma-separated properties to return (with `id`).
    #[arg(long, value_delimiter = ',')]
    expand: Vec<String>,
}

/// One row of a listing table.
trait Row {
    fn cells(&self) -> [String; 4];
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref()
        .map_or_else(|| "-".to_owned(), ToString::to_string)
}

impl Row for hf_types::ModelInfo {
    fn cells(&self) -> [String; 4] {
        [
            self.id.clone(),
            opt(&self.downloads),
            opt(&self.likes),
            opt(&self.pipeline_tag),
        ]
    }
}

impl Row for hf_types::SpaceInfo {
    fn cells(&self) -> [String; 4] {
        [
            self.id.clone(),
            opt(&self.likes),
            opt(&self.sdk),
            String::new(),
        ]
    }
}

impl Row for hf_types::DatasetInfo {
    fn cells(&self) -> [String; 4] {
        [
            self.id.clone(),
            opt(&self.downloads),
            opt(&self.likes),
            String::new(),
        ]
    }
}

/// Runs `hf models ...` (`repo_type` Model) or `hf datasets ...` (Dataset).
pub async fn run(client: HubClient, repo_type: RepoType, args: BrowseArgs) -> Result<(), Failure> {
    match args.command {
        BrowseCommand::Ls(ls) => list(client, repo_type, ls).await,
        BrowseCommand::Info(info) => match repo_type {
            RepoType::Model => show::<hf_types::ModelInfo>(client, repo_type, info).await,
            _ => show::<hf_types::DatasetInfo>(client, repo_type, info).await,
        },
    }
}

/// `hf models|datasets|spaces ls`: a search of the repos of `repo_type`, or one repo's files.
pub(crate) async fn list(
    client: HubClient,
    repo_type: RepoType,
    ls: LsArgs,
) -> Result<(), Failure> {
    match ls.repo_id.clone() {
        Some(repo_id) => list_files(client, repo_type, repo_id, &ls).await,
        None if repo_type == RepoType::Space => {
            if ls.pipeline_tag.is_some() || ls.gated || ls.no_gated {
                return Err(Failure::msg(
                    "--pipeline-tag and --gated apply to models and datasets only",
                ));
            }
            let rows = fill(ListSpaces::new(client), &ls)
                .await
                .map_err(list_failure)?;
            print_rows(&rows, ["ID", "LIKES", "SDK", ""], ls.format)
        }
        None if repo_type == RepoType::Model => {
            let mut request = ListModels::new(client);
            if let Some(tag) = &ls.pipeline_tag {
                request = request.pipeline_tag(tag);
            }
            if ls.gated || ls.no_gated {
                request = request.gated(ls.gated);
            }
            let rows = fill(request, &ls).await.map_err(list_failure)?;
            print_rows(&rows, ["ID", "DOWNLOADS", "LIKES", "PIPELINE"], ls.format)
        }
        None => {
            if ls.pipeline_tag.is_some() {
                return Err(Failure::msg("--pipeline-tag applies to models only"));
            }
            let mut request = ListDatasets::new(client);
            if ls.gated || ls.no_gated {
                request = request.gated(ls.gated);
            }
            let rows = fill(request, &ls).await.map_err(list_failure)?;
            print_rows(&rows, ["ID", "DOWNLOADS", "LIKES", ""], ls.format)
        }
    }
}

fn list_failure(e: hf_repo::Error) -> Failure {
    failure("cannot list the Hub's repos", Op::Other, None, &e)
}

/// Applies the shared filters and collects the listing.
async fn fill<L, T>(mut request: L, ls: &LsArgs) -> hf_repo::Result<Vec<T>>
where
    L: ListingRequest + std::future::IntoFuture<Output = hf_repo::Result<Vec<T>>>,
{
    if let Some(search) = &ls.search {
        request = request.search(search);
    }
    if let Some(author) = &ls.author {
        request = request.author(author);
    }
    for tag in &ls.filter {
        request = request.filter(tag);
    }
    if let Some(sort) = &ls.sort {
        request = request.sort(sort.as_str());
    }
    if !ls.expand.is_empty() {
        request = request.expand(ls.expand.clone());
    }
    request.limit(ls.limit).await
}

fn print_rows<T: Row + Serialize>(
    rows: &[T],
    header: [&str; 4],
    format: Format,
) -> Result<(), Failure> {
    if format == Format::Json {
        return print_json_of(rows);
    }
    let cells: Vec<[String; 4]> = rows.iter().map(Row::cells).collect();
    let mut widths = header.map(str::len);
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.len());
        }
    }
    let line = |row: [&str; 4]| {
        let mut s = String::new();
        for (i, (c, w)) in row.iter().zip(widths).enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            s.push_str(&format!("{c:<w$}"));
        }
        s.trim_end().to_owned()
    };
    let mut out = vec![line(header)];
    out.extend(cells.iter().map(|r| line([&r[0], &r[1], &r[2], &r[3]])));
    print_lines(out)
}

/// `ls REPO_ID`: the repo's files, one per line (or a JSON array).
async fn list_files(
    client: HubClient,
    repo_type: RepoType,
    repo_id: RepoId,
    ls: &LsArgs,
) -> Result<(), Failure> {
    if ls.search.is_some() || ls.author.is_some() || !ls.filter.is_empty() || ls.sort.is_some() {
        return Err(Failure::msg(
            "--search, --author, --filter and --sort apply to listing repos, not files",
        ));
    }
    let target = RepoTarget {
        repo_id: repo_id.clone(),
        repo_type,
    };
    let mut request = ListRepoFiles::new(client, repo_id.clone()).repo_type(repo_type);
    if let Some(revision) = &ls.revision {
        request = request.revision(revision.clone());
    }
    let files = request.await.map_err(|e| {
        failure(
            &format!("cannot list the files of {repo_id}"),
            Op::Other,
            Some(&target),
            &e,
        )
    })?;
    match ls.format {
        Format::Json => print_json_of(&files),
        Format::Table => print_lines(files),
    }
}

/// `info`: the repo's information as JSON.
async fn show<T>(client: HubClient, repo_type: RepoType, info: InfoArgs) -> Result<(), Failure>
where
    T: InfoKind + Serialize,
    RepoInfoRequest<T>: std::future::IntoFuture<Output = hf_repo::Result<T>>,
{
    let target = RepoTarget {
        repo_id: info.repo_id.clone(),
        repo_type,
    };
    let mut request = RepoInfoRequest::<T>::new(client, info.repo_id.clone());
    if let Some(revision) = &info.revision {
        request = request.revision(revision.clone());
    }
    if !info.expand.is_empty() {
        request = request.expand(info.expand.clone());
    }
    let value = request.await.map_err(|e| {
        failure(
            &format!("cannot get the information of {}", info.repo_id),
            Op::Other,
            Some(&target),
            &e,
        )
    })?;
    print_json_of(&value)
}
