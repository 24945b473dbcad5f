//! `hf ls`: the files and folders of a repo at a revision.

use clap::Args;
use hf_http::HubClient;
use hf_repo::prelude::*;
use hf_repo::refs::ListRepoTree;
use hf_types::{RepoId, RepoPath, RepoTreeEntry, RepoType, Revision};

use crate::output::{Failure, print_json, print_lines};
use crate::repo::{Format, hub_failure};

/// Arguments of `hf ls`.
#[derive(Debug, Args)]
pub struct LsArgs {
    /// The repository.
    repo_id: RepoId,
    /// A folder in the repo to list (default: the root).
    path: Option<RepoPath>,
    /// List the folders' contents too.
    #[arg(short = 'R', long)]
    recursive: bool,
    /// Branch, tag, commit id or `refs/pr/N` (default: `main`).
    #[arg(long)]
    revision: Option<Revision>,
    /// model, dataset or space.
    #[arg(long, visible_alias = "type", default_value = "model")]
    repo_type: RepoType,
    /// Output format: one line per entry, or a JSON array of the Hub's tree entries.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Runs `hf ls`: files with their size, folders with a trailing `/`.
pub async fn run(client: HubClient, args: LsArgs) -> Result<(), Failure> {
    let mut request = ListRepoTree::new(client, args.repo_id.clone())
        .repo_type(args.repo_type)
        .recursive(args.recursive);
    if let Some(revision) = &args.revision {
        request = request.revision(revision.clone());
    }
    if let Some(path) = &args.path {
        request = request.path_in_repo(path.clone());
    }
    let entries = request.await.map_err(|e| {
        let failure = hub_failure(
            &format!("cannot list the files of {}", args.repo_id),
            args.repo_type,
            &e,
        );
        match e.http() {
            Some(hf_http::Error::RevisionNotFound(_)) => failure.hint(format!(
                "`hf branch list {0}` and `hf tag list {0}` show the revisions",
                args.repo_id
            )),
            Some(hf_http::Error::EntryNotFound(_)) => failure.hint(format!(
                "{} is not a folder of the repo at this revision: `hf ls {}` lists the root",
                args.path.as_ref().map_or("the path", RepoPath::as_str),
                args.repo_id
            )),
            _ => failure,
        }
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
