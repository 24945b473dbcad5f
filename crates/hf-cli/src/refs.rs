//! `hf repo tag|branch create|list|delete`, also reachable as `hf tag ...` and `hf branch ...`.

use std::io::{self, BufRead, Write};

use clap::{Args, Subcommand};
use hf_http::HubClient;
use hf_repo::prelude::*;
use hf_repo::refs::{CreateBranch, CreateTag, DeleteRef, ListRepoRefs};
use hf_types::{GitRefInfo, GitRefs, Revision};

use crate::args::{RepoTarget, RevisionArg};
use crate::diagnostics::{Failure, Op, failure};
use crate::output::{print_json, print_lines};
use crate::repo::Format;

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
        #[command(flatten)]
        repo: RepoTarget,
        /// The name of the tag.
        tag: Revision,
        /// The tag's description.
        #[arg(short = 'm', long)]
        message: Option<String>,
        // The branch, tag or commit to tag.
        #[command(flatten)]
        revision: RevisionArg,
        /// Succeed when the tag already exists.
        #[arg(long)]
        exist_ok: bool,
    },
    /// List the tags of a repo with the commits they point to.
    List {
        #[command(flatten)]
        repo: RepoTarget,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Delete a tag (asks first unless --yes).
    Delete {
        #[command(flatten)]
        repo: RepoTarget,
        /// The name of the tag.
        tag: Revision,
        /// Do not ask for confirmation.
        #[arg(short = 'y', long)]
        yes: bool,
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
        #[command(flatten)]
        repo: RepoTarget,
        /// The name of the branch.
        branch: Revision,
        // The branch, tag or commit to start from.
        #[command(flatten)]
        revision: RevisionArg,
        /// Succeed when the branch already exists.
        #[arg(long)]
        exist_ok: bool,
    },
    /// List the branches of a repo with their head commits.
    List {
        #[command(flatten)]
        repo: RepoTarget,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Delete a branch.
    Delete {
        #[command(flatten)]
        repo: RepoTarget,
        /// The name of the branch.
        branch: Revision,
    },
}

/// Runs `hf repo tag ...`.
pub async fn run_tag(client: HubClient, args: TagArgs) -> Result<(), Failure> {
    match args.command {
        TagCommand::Create {
            repo,
            tag,
            message,
            revision,
            exist_ok,
        } => {
            let repo_id = &repo.repo_id;
            let revision = revision.revision;
            let mut request = CreateTag::new(client, repo_id.clone(), tag.clone())
                .repo_type(repo.repo_type)
                .exist_ok(exist_ok);
            if let Some(revision) = &revision {
                request = request.revision(revision.clone());
            }
            if let Some(message) = message {
                request = request.tag_message(message);
            }
            request.await.map_err(|e| {
                let op = Op::CreateTag {
                    tag: &tag,
                    revision: revision.as_ref(),
                };
                failure(
                    &format!("cannot create the tag {tag} on {repo_id}"),
                    op,
                    Some(&repo),
                    &e,
                )
            })?;
            print_lines([format!("Tag {tag} created on {repo_id}")])
        }
        TagCommand::List { repo, format } => {
            let refs = list_refs(client, &repo).await?;
            print_refs(&refs.tags, format, "No tags found")
        }
        TagCommand::Delete { repo, tag, yes } => {
            let (repo_id, repo_type) = (&repo.repo_id, repo.repo_type);
            if !yes {
                let question =
                    format!("You are about to delete tag {tag} on {repo_type} {repo_id}");
                // Reading the terminal blocks: not on a runtime thread.
                let answer = tokio::task::spawn_blocking(move || confirm(&question))
                    .await
                    .map_err(|e| Failure::from_error("cannot read the answer", &e))??;
                match answer {
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
                    failure(
                        &format!("cannot delete the tag {tag} on {repo_id}"),
                        Op::DeleteTag,
                        Some(&repo),
                        &e,
                    )
                })?;
            print_lines([format!("Tag {tag} deleted on {repo_id}")])
        }
    }
}

/// Runs `hf repo branch ...`.
pub async fn run_branch(client: HubClient, args: BranchArgs) -> Result<(), Failure> {
    match args.command {
        BranchCommand::Create {
            repo,
            branch,
            revision,
            exist_ok,
        } => {
            let (repo_id, repo_type) = (&repo.repo_id, repo.repo_type);
            let revision = revision.revision;
            let mut request = CreateBranch::new(client, repo_id.clone(), branch.clone())
                .repo_type(repo_type)
                .exist_ok(exist_ok);
            if let Some(revision) = &revision {
                request = request.revision(revision.clone());
            }
            request.await.map_err(|e| {
                let op = Op::CreateBranch {
                    branch: &branch,
                    revision: revision.as_ref(),
                };
                failure(
                    &format!("cannot create the branch {branch} on {repo_id}"),
                    op,
                    Some(&repo),
                    &e,
                )
            })?;
            print_lines([format!(
                "Successfully created {branch} branch on {repo_type} {repo_id}"
            )])
        }
        BranchCommand::List { repo, format } => {
            let refs = list_refs(client, &repo).await?;
            print_refs(&refs.branches, format, "No branches found")
        }
        BranchCommand::Delete { repo, branch } => {
            let (repo_id, repo_type) = (&repo.repo_id, repo.repo_type);
            DeleteRef::branch(client, repo_id.clone(), branch.clone())
                .repo_type(repo_type)
                .await
                .map_err(|e| {
                    failure(
                        &format!("cannot delete the branch {branch} on {repo_id}"),
                        Op::DeleteBranch,
                        Some(&repo),
                        &e,
                    )
                })?;
            print_lines([format!(
                "Successfully deleted {branch} branch on {repo_type} {repo_id}"
            )])
        }
    }
}

async fn list_refs(client: HubClient, repo: &RepoTarget) -> Result<GitRefs, Failure> {
    ListRepoRefs::new(client, repo.repo_id.clone())
        .repo_type(repo.repo_type)
        .await
        .map_err(|e| {
            failure(
                &format!("cannot list the refs of {}", repo.repo_id),
                Op::Other,
                Some(repo),
                &e,
            )
        })
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
/// Asks `question` on stderr; `None` when stdin is closed.
pub(crate) fn confirm(question: &str) -> Result<Option<bool>, Failure> {
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
