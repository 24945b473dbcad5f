//! `hf repo tag|branch create|list|delete`, also reachable as `hf tag ...` and `hf branch ...`.

use std::io::{self, BufRead, Write};

use clap::{Args, Subcommand};
use hf_http::HubClient;
use hf_repo::prelude::*;
use hf_repo::refs::{CreateBranch, CreateTag, DeleteRef, ListRepoRefs};
use hf_types::{GitRefInfo, GitRefs, RepoId, RepoType, Revision};

use crate::output::{Failure, print_json, print_lines};
use crate::repo::{Format, hub_failure};

/// `hf repo tag ...` / `hf tag ...`.
#[derive(Debug, Args)]
pub struct TagArgs {
    #[command(subcommand)]
    command: TagCommand,
}

#[derive(Debug, Subcommand)]
enum TagCommand {
    /// Create a tag on a revision (default: the head of `main`).
    Create {
        /// The repository.
        repo_id: RepoId,
        /// The name of the tag.
        tag: Revision,
        /// The tag's description.
        #[arg(short = 'm', long)]
        message: Option<String>,
        /// The branch, tag or commit to tag (default: `main`).
        #[arg(long)]
        revision: Option<Revision>,
        /// Succeed when the tag already exists.
        #[arg(long)]
        exist_ok: bool,
        /// model, dataset or space.
        #[arg(long, visible_alias = "type", default_value = "model")]
        repo_type: RepoType,
    },
    /// List the tags of a repo with the commits they point to.
    List {
        /// The repository.
        repo_id: RepoId,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// model, dataset or space.
        #[arg(long, visible_alias = "type", default_value = "model")]
        repo_type: RepoType,
    },
    /// Delete a tag (asks first unless --yes).
    Delete {
        /// The repository.
        repo_id: RepoId,
        /// The name of the tag.
        tag: Revision,
        /// Do not ask for confirmation.
        #[arg(short = 'y', long)]
        yes: bool,
        /// model, dataset or space.
        #[arg(long, visible_alias = "type", default_value = "model")]
        repo_type: RepoType,
    },
}

/// `hf repo branch ...` / `hf branch ...`.
#[derive(Debug, Args)]
pub struct BranchArgs {
    #[command(subcommand)]
    command: BranchCommand,
}

#[derive(Debug, Subcommand)]
enum BranchCommand {
    /// Create a branch from a revision (default: the head of `main`).
    Create {
        /// The repository.
        repo_id: RepoId,
        /// The name of the branch.
        branch: Revision,
        /// The branch, tag or commit to start from (default: `main`).
        #[arg(long)]
        revision: Option<Revision>,
        /// Succeed when the branch already exists.
        #[arg(long)]
        exist_ok: bool,
        /// model, dataset or space.
        #[arg(long, visible_alias = "type", default_value = "model")]
        repo_type: RepoType,
    },
    /// List the branches of a repo with their head commits.
    List {
        /// The repository.
        repo_id: RepoId,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// model, dataset or space.
        #[arg(long, visible_alias = "type", default_value = "model")]
        repo_type: RepoType,
    },
    /// Delete a branch.
    Delete {
        /// The repository.
        repo_id: RepoId,
        /// The name of the branch.
        branch: Revision,
        /// model, dataset or space.
        #[arg(long, visible_alias = "type", default_value = "model")]
        repo_type: RepoType,
    },
}

/// Runs `hf repo tag ...`.
pub async fn run_tag(client: HubClient, args: TagArgs) -> Result<(), Failure> {
    match args.command {
        TagCommand::Create {
            repo_id,
            tag,
            message,
            revision,
            exist_ok,
            repo_type,
        } => {
            let mut request = CreateTag::new(client, repo_id.clone(), tag.clone())
                .repo_type(repo_type)
                .exist_ok(exist_ok);
            if let Some(revision) = &revision {
                request = request.revision(revision.clone());
            }
            if let Some(message) = message {
                request = request.tag_message(message);
            }
            request.await.map_err(|e| {
                let failure =
                    hub_failure(&format!("cannot create the tag {tag} on {repo_id}"), repo_type, &e);
                match e.http() {
                    Some(hf_http::Error::Conflict(_)) => failure.hint(format!(
                        "the tag {tag} already exists: pass --exist-ok to accept it, or delete it first"
                    )),
                    Some(hf_http::Error::RevisionNotFound(_)) => failure.hint(format!(
                        "revision {} not found: `hf branch list {repo_id}` and `hf tag list {repo_id}` show what exists",
                        revision.as_ref().map_or("main", Revision::as_str)
                    )),
                    _ => failure,
                }
            })?;
            print_lines([format!("Tag {tag} created on {repo_id}")])
        }
        TagCommand::List {
            repo_id,
            format,
            repo_type,
        } => {
            let refs = list_refs(client, &repo_id, repo_type).await?;
            print_refs(&refs.tags, format, "No tags found")
        }
        TagCommand::Delete {
            repo_id,
            tag,
            yes,
            repo_type,
        } => {
            if !yes {
                match confirm(&format!(
                    "You are about to delete tag {tag} on {repo_type} {repo_id}"
                ))? {
                    Some(true) => {}
                    Some(false) => return print_lines(["Abort".to_owned()]),
                    None => {
                        return Err(Failure::msg(format!(
                            "not deleting the tag {tag}: no answer to the confirmation"
                        ))
                        .hint("pass --yes to delete without a question"));
                    }
                }
            }
            DeleteRef::tag(client, repo_id.clone(), tag.clone())
                .repo_type(repo_type)
                .await
                .map_err(|e| {
                    let failure = hub_failure(
                        &format!("cannot delete the tag {tag} on {repo_id}"),
                        repo_type,
                        &e,
                    );
                    if matches!(e.http(), Some(hf_http::Error::RevisionNotFound(_))) {
                        failure.hint(format!("`hf tag list {repo_id}` shows the tags"))
                    } else {
                        failure
                    }
                })?;
            print_lines([format!("Tag {tag} deleted on {repo_id}")])
        }
    }
}

/// Runs `hf repo branch ...`.
pub async fn run_branch(client: HubClient, args: BranchArgs) -> Result<(), Failure> {
    match args.command {
        BranchCommand::Create {
            repo_id,
            branch,
            revision,
            exist_ok,
            repo_type,
        } => {
            let mut request = CreateBranch::new(client, repo_id.clone(), branch.clone())
                .repo_type(repo_type)
                .exist_ok(exist_ok);
            if let Some(revision) = &revision {
                request = request.revision(revision.clone());
            }
            request.await.map_err(|e| {
                let failure = hub_failure(
                    &format!("cannot create the branch {branch} on {repo_id}"),
                    repo_type,
                    &e,
                );
                match e.http() {
                    Some(hf_http::Error::Conflict(_)) => failure.hint(format!(
                        "the branch {branch} already exists: pass --exist-ok to accept it"
                    )),
                    Some(hf_http::Error::RevisionNotFound(_)) => failure.hint(format!(
                        "revision {} not found: `hf branch list {repo_id}` and `hf tag list {repo_id}` show what exists",
                        revision.as_ref().map_or("main", Revision::as_str)
                    )),
                    _ => failure,
                }
            })?;
            print_lines([format!(
                "Successfully created {branch} branch on {repo_type} {repo_id}"
            )])
        }
        BranchCommand::List {
            repo_id,
            format,
            repo_type,
        } => {
            let refs = list_refs(client, &repo_id, repo_type).await?;
            print_refs(&refs.branches, format, "No branches found")
        }
        BranchCommand::Delete {
            repo_id,
            branch,
            repo_type,
        } => {
            DeleteRef::branch(client, repo_id.clone(), branch.clone())
                .repo_type(repo_type)
                .await
                .map_err(|e| {
                    let failure = hub_failure(
                        &format!("cannot delete the branch {branch} on {repo_id}"),
                        repo_type,
                        &e,
                    );
                    if matches!(e.http(), Some(hf_http::Error::RevisionNotFound(_))) {
                        failure.hint(format!("`hf branch list {repo_id}` shows the branches"))
                    } else {
                        failure
                    }
                })?;
            print_lines([format!(
                "Successfully deleted {branch} branch on {repo_type} {repo_id}"
            )])
        }
    }
}

async fn list_refs(
    client: HubClient,
    repo_id: &RepoId,
    repo_type: RepoType,
) -> Result<GitRefs, Failure> {
    ListRepoRefs::new(client, repo_id.clone())
        .repo_type(repo_type)
        .await
        .map_err(|e| hub_failure(&format!("cannot list the refs of {repo_id}"), repo_type, &e))
}

/// One line per ref: its name and its commit, aligned; or a JSON array of `{name, ref, targetCommit}`.
fn print_refs(refs: &[GitRefInfo], format: Format, none: &str) -> Result<(), Failure> {
    match format {
        Format::Json => {
            let value = serde_json::to_value(refs)
                .map_err(|e| Failure::from_error("cannot encode JSON", &e))?;
            print_json(&value)
        }
        Format::Table if refs.is_empty() => print_lines([none.to_owned()]),
        Format::Table => {
            let width = refs.iter().map(|r| r.name.len()).max().unwrap_or(0);
            print_lines(
                refs.iter()
                    .map(|r| format!("{:<width$}  {}", r.name, r.target_commit)),
            )
        }
    }
}

/// Asks `question` on stderr and reads the answer: `Some(true)` for yes (an empty answer too, as
/// in the Python CLI), `None` when stdin is closed.
fn confirm(question: &str) -> Result<Option<bool>, Failure> {
    let mut err = io::stderr().lock();
    let _ = write!(err, "{question}\nProceed? [Y/n] ");
    let _ = err.flush();
    let mut answer = String::new();
    let read = io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Failure::from_error("cannot read the answer", &e))?;
    if read == 0 {
        let _ = writeln!(err);
        return Ok(None);
    }
    Ok(Some(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "" | "y" | "yes"
    )))
}
