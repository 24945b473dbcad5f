//! `hf repo create|delete|move|settings` (and `hf repo tag|branch`, shared with `hf tag|branch`),
//! named as in the Python CLI.

use clap::{Args, Subcommand, ValueEnum};
use hf_http::HubClient;
use hf_repo::repos::{CreateRepo, DeleteRepo, MoveRepo, UpdateRepoSettings};
use hf_types::{RepoId, RepoType};

use crate::output::{Failure, print_lines};
use crate::refs;

/// `hf repo ...`.
#[derive(Debug, Args)]
pub struct RepoArgs {
    #[command(subcommand)]
    command: RepoCommand,
}

#[derive(Debug, Subcommand)]
enum RepoCommand {
    /// Create a new repo on the Hub; prints its URL.
    Create {
        /// The repository, e.g. `alice/my-model` (a bare name goes under your namespace).
        repo_id: RepoId,
        /// model, dataset or space.
        #[arg(long, visible_alias = "type", default_value = "model")]
        repo_type: RepoType,
        /// The Space SDK (gradio, streamlit, docker or static); required for a space.
        #[arg(long)]
        space_sdk: Option<String>,
        /// Create the repo private.
        #[arg(long)]
        private: bool,
        /// Succeed when the repo already exists.
        #[arg(long)]
        exist_ok: bool,
        /// Resource group in which to create the repo (Enterprise Hub organizations only).
        #[arg(long)]
        resource_group_id: Option<String>,
    },
    /// Delete a repo from the Hub: this cannot be undone.
    Delete {
        /// The repository.
        repo_id: RepoId,
        /// model, dataset or space.
        #[arg(long, visible_alias = "type", default_value = "model")]
        repo_type: RepoType,
        /// Succeed when the repo does not exist.
        #[arg(long)]
        missing_ok: bool,
    },
    /// Move (rename) a repository, possibly to another namespace.
    Move {
        /// The repository's current id.
        from_id: RepoId,
        /// Its new id.
        to_id: RepoId,
        /// model, dataset or space.
        #[arg(long, visible_alias = "type", default_value = "model")]
        repo_type: RepoType,
    },
    /// Update the settings of a repository: gating and visibility.
    Settings {
        /// The repository.
        repo_id: RepoId,
        /// The gated status: auto (access granted on request), manual (reviewed) or false.
        #[arg(long, value_enum)]
        gated: Option<Gated>,
        /// Make the repo private (`--private`, `--private true`) or public (`--private false`).
        #[arg(long, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
        private: Option<bool>,
        /// Make the repo public (same as `--private false`).
        #[arg(long, conflicts_with = "private")]
        no_private: bool,
        /// model, dataset or space.
        #[arg(long, visible_alias = "type", default_value = "model")]
        repo_type: RepoType,
    },
    /// Manage the tags of a repo (also `hf tag`).
    Tag(refs::TagArgs),
    /// Manage the branches of a repo (also `hf branch`).
    Branch(refs::BranchArgs),
}

/// The gating choices of `hf repo settings --gated`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Gated {
    /// Access is granted automatically on request.
    Auto,
    /// Access requests are reviewed by the owners.
    Manual,
    /// Not gated.
    False,
}

/// Output format of the listing commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// A JSON array (or object) for programs.
    Json,
}

/// Runs `hf repo ...`.
pub async fn run(client: HubClient, args: RepoArgs) -> Result<(), Failure> {
    match args.command {
        RepoCommand::Create {
            repo_id,
            repo_type,
            space_sdk,
            private,
            exist_ok,
            resource_group_id,
        } => {
            if repo_type == RepoType::Space && space_sdk.is_none() {
                return Err(Failure::msg(format!(
                    "cannot create the space {repo_id}: --space-sdk is required for a space"
                ))
                .hint("pass --space-sdk gradio, streamlit, docker or static"));
            }
            let mut request = CreateRepo::new(client, repo_id.clone())
                .repo_type(repo_type)
                .private(private)
                .exist_ok(exist_ok);
            if let Some(sdk) = space_sdk {
                request = request.space_sdk(sdk);
            }
            if let Some(group) = resource_group_id {
                request = request.resource_group_id(group);
            }
            let url = request.await.map_err(|e| {
                let failure = hub_failure(&format!("cannot create {repo_id}"), repo_type, &e);
                if matches!(e.http(), Some(hf_http::Error::Conflict(_))) {
                    failure.hint("the repo already exists: pass --exist-ok to accept it")
                } else {
                    failure
                }
            })?;
            print_lines([url.to_string()])
        }
        RepoCommand::Delete {
            repo_id,
            repo_type,
            missing_ok,
        } => {
            DeleteRepo::new(client, repo_id.clone())
                .repo_type(repo_type)
                .missing_ok(missing_ok)
                .await
                .map_err(|e| {
                    let failure = hub_failure(&format!("cannot delete {repo_id}"), repo_type, &e);
                    if matches!(e.http(), Some(hf_http::Error::RepoNotFound(_))) {
                        failure.hint(format!(
                            "check the repo id and --repo-type ({repo_type}); pass --missing-ok to accept a missing repo"
                        ))
                    } else {
                        failure
                    }
                })?;
            print_lines([format!("Successfully deleted {repo_id} on the Hub.")])
        }
        RepoCommand::Move {
            from_id,
            to_id,
            repo_type,
        } => {
            MoveRepo::new(client, from_id.clone(), to_id.clone())
                .repo_type(repo_type)
                .await
                .map_err(|e| {
                    let failure =
                        hub_failure(&format!("cannot move {from_id} to {to_id}"), repo_type, &e);
                    if matches!(e.http(), Some(hf_http::Error::Conflict(_))) {
                        failure.hint(format!("{to_id} already exists: choose another name"))
                    } else {
                        failure
                    }
                })?;
            print_lines([format!(
                "Successfully moved {from_id} to {to_id} on the Hub."
            )])
        }
        RepoCommand::Settings {
            repo_id,
            gated,
            private,
            no_private,
            repo_type,
        } => {
            let private = if no_private { Some(false) } else { private };
            if gated.is_none() && private.is_none() {
                return Err(Failure::msg(format!(
                    "nothing to change on {repo_id}: no setting given"
                ))
                .hint("pass --gated auto|manual|false and/or --private true|false"));
            }
            let mut request = UpdateRepoSettings::new(client, repo_id.clone()).repo_type(repo_type);
            if let Some(gated) = gated {
                request = request.gated(gated.into());
            }
            if let Some(private) = private {
                request = request.private(private);
            }
            request.await.map_err(|e| {
                hub_failure(
                    &format!("cannot update the settings of {repo_id}"),
                    repo_type,
                    &e,
                )
            })?;
            print_lines([format!(
                "Successfully updated the settings of {repo_id} on the Hub."
            )])
        }
        RepoCommand::Tag(args) => refs::run_tag(client, args).await,
        RepoCommand::Branch(args) => refs::run_branch(client, args).await,
    }
}

impl From<Gated> for hf_types::Gated {
    fn from(gated: Gated) -> Self {
        match gated {
            Gated::Auto => hf_types::Gated::Auto,
            Gated::Manual => hf_types::Gated::Manual,
            Gated::False => hf_types::Gated::Off,
        }
    }
}

/// `context` failed with a library error: the error's chain, and the usual advice for Hub errors.
pub fn hub_failure(context: &str, repo_type: RepoType, error: &hf_repo::Error) -> Failure {
    let failure = Failure::from_error(context, error);
    match error.http() {
        Some(hf_http::Error::RepoNotFound(_)) => failure.hint(format!(
            "check the repo id and --repo-type ({repo_type}); a private repo needs a token (--token or HF_TOKEN)"
        )),
        Some(hf_http::Error::Unauthorized(_)) => failure.hint(
            "the token is missing, invalid or expired: pass --token or set HF_TOKEN (writing needs a write token)",
        ),
        Some(hf_http::Error::Forbidden(_)) => failure.hint(
            "the token cannot do this here: use a write token of the owner or of a member of the organization",
        ),
        _ => failure,
    }
}
