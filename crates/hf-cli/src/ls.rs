//! `hf ls`: the files and folders of a repo at a revision.

use clap::Args;
use hf_http::HubClient;
use hf_repo::prelude::*;
use hf_repo::refs::ListRepoTree;
use hf_types::{RepoPath, RepoTreeEntry};

use crate::args::{RepoTarget, RevisionArg};
use crate::diagnostics::{Failure, Op, failure};
use crate::output::{print_json, print_lines};
use crate::repo::Format;

/// Arguments of `hf ls`.
#[derive(Debug, Args)]
pub struct LsArgs {
    #[command(flatten)]
    repo: RepoTarget,
    /// A folder in the repo to list (default: the root).
    path: Option<RepoPath>,
    /// List the folders' contents too.
    #[arg(short = 'R', long)]
    recursive: bool,
    #[command(flatten)]
    revision: RevisionArg,
    /// Output format: one line per entry, or a JSON array of the Hub's tree entries.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Runs `hf ls`: files with their size, folders with a trailing `/`.
pub async fn run(client: HubClient, args: LsArgs) -> Result<(), Failure> {
    let repo = &args.repo;
    let mut request = ListRepoTree::new(client, repo.repo_id.clone())
        .repo_type(repo.repo_type)
        .recursive(args.recursive);
    if let Some(revision) = &args.revision.revision {
        request = request.revision(revision.clone());
    }
    if let Some(path) = &args.path {
        request = request.path_in_repo(path.clone());
    }
    let entries = request.await.map_err(|e| {
        failure(
            &format!("cannot list the files of {}", repo.repo_id),
            Op::ListFiles {
                path: args.path.as_ref(),
            },
            Some(repo),
            &e,
        )
    })?;
    match args.format {
        Format::Json => {
            let value = serde_json::to_value(&entries)
                .map_err(|e| Failure::from_error("cannot encode JSON", &e))?;
            print_json(&value)
        }
        Format::Table => print_lines(entries.iter().map(line)),
    }
}

/// `        1234  path` for a file, `              folder/` for a folder (Python's column widths).
fn line(entry: &RepoTreeEntry) -> String {
    match entry {
        RepoTreeEntry::File(file) => format!("{:>12}  {}", file.size, file.path),
        RepoTreeEntry::Folder(folder) => format!("{:>12}  {}/", "", folder.path),
    }
}
