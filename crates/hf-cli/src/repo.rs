//! `hf repo create|delete|move|settings|duplicate|delete-files` (and `hf repo tag|branch`, shared with `hf tag|branch`),
//! named as in the Python CLI.

use clap::{Args, Subcommand, ValueEnum};
use hf_http::HubClient;
use hf_repo::commit::DeleteFiles;
use hf_repo::prelude::*;
use hf_repo::repos::{CreateRepo, DeleteRepo, MoveRepo, UpdateRepoSettings};
use hf_types::{RepoId, RepoType};

use crate::args::RepoTarget;
use crate::diagnostics::{Failure, Op, failure};
use crate::output::print_lines;
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
        #[command(flatten)]
        repo: RepoTarget,
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
        #[command(flatten)]
        repo: RepoTarget,
        /// Succeed when the repo does not exist.
        #[arg(long)]
        missing_ok: bool,
    },
    /// Move (rename) a repository, possibly to another namespace.
    Move {
        // The repository's current id, and its type.
        #[command(flatten)]
        from: RepoTarget,
        /// Its new id.
        to_id: RepoId,
    },
    /// Update the settings of a repository: gating and visibility.
    Settings {
        #[command(flatten)]
        repo: RepoTarget,
        /// The gated status: auto (access granted on request), manual (reviewed) or false.
        #[arg(long, value_enum)]
        gated: Option<Gated>,
        /// Make the repo private (`--private`, `--private true`) or public (`--private false`).
        #[arg(long, num_args = 0..=1, default_missing_value = "true", value_name = "BOOL")]
        private: Option<bool>,
        /// Make the repo public (same as `--private false`).
        #[arg(long, conflicts_with = "private")]
        no_private: bool,
    },
    /// Duplicate a Space (files and settings) into a new one; prints its URL (issue 12).
    Duplicate {
        // The source and its type (only `space` is supported).
        #[command(flatten)]
        from: RepoTarget,
        /// The new repo's id (default: your namespace, the same name).
        to_id: Option<RepoId>,
        /// Make the copy private.
        #[arg(long)]
        private: bool,
        /// Make the copy public.
        #[arg(long, conflicts_with = "private")]
        public: bool,
        /// Succeed when the target already exists.
        #[arg(long)]
        exist_ok: bool,
        /// Space hardware flavor, e.g. `cpu-basic`, `t4-medium`.
        #[arg(long)]
        flavor: Option<String>,
        /// Seconds of inactivity before the Space sleeps (-1: never).
        #[arg(long, allow_negative_numbers = true)]
        sleep_time: Option<i64>,
        #[command(flatten)]
        values: crate::spaces::EnvValues,
    },
    /// Delete files of a repo in one commit: paths, folders (ending with `/`) or globs.
    DeleteFiles {
        #[command(flatten)]
        repo: RepoTarget,
        /// Paths, folders (`dir/`) or glob patterns (`*.json`) of the files to delete.
        #[arg(required = true)]
        patterns: Vec<String>,
        /// The branch to commit to (default: `main`).
        #[arg(long)]
        revision: Option<hf_types::Revision>,
        /// The commit's summary.
        #[arg(long)]
        commit_message: Option<String>,
        /// The commit's description.
        #[arg(long)]
        commit_description: Option<String>,
        /// Open a pull request instead of committing to the branch.
        #[arg(long)]
        create_pr: bool,
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
            repo,
            space_sdk,
            private,
            exist_ok,
            resource_group_id,
        } => {
            let repo_id = &repo.repo_id;
            if repo.repo_type == RepoType::Space && space_sdk.is_none() {
                return Err(Failure::msg(format!(
                    "cannot create the space {repo_id}: --space-sdk is required for a space"
                ))
                .hint("pass --space-sdk gradio, streamlit, docker or static"));
            }
            let mut request = CreateRepo::new(client, repo_id.clone())
                .repo_type(repo.repo_type)
                .private(private)
                .exist_ok(exist_ok);
            if let Some(sdk) = space_sdk {
                request = request.space_sdk(sdk);
            }
            if let Some(group) = resource_group_id {
                request = request.resource_group_id(group);
            }
            let url = request.await.map_err(|e| {
                failure(
                    &format!("cannot create {repo_id}"),
                    Op::CreateRepo,
                    Some(&repo),
                    &e,
                )
            })?;
            print_lines([url.to_string()])
        }
        RepoCommand::DeleteFiles {
            repo,
            patterns,
            revision,
            commit_message,
            commit_description,
            create_pr,
        } => {
            let mut request = DeleteFiles::new(client, repo.repo_id.clone(), patterns)
                .repo_type(repo.repo_type)
                .create_pr(create_pr);
            if let Some(revision) = revision {
                request = request.revision(revision);
            }
            if let Some(message) = commit_message {
                request = request.commit_message(message);
            }
            if let Some(description) = commit_description {
                request = request.commit_description(description);
            }
            let info = request.await.map_err(|e| {
                failure(
                    &format!("cannot delete files of {}", repo.repo_id),
                    Op::Upload,
                    Some(&repo),
                    &e,
                )
            })?;
            print_lines([info
                .pr_url
                .clone()
                .unwrap_or_else(|| info.commit_url.clone())])
        }
        RepoCommand::Delete { repo, missing_ok } => {
            let repo_id = &repo.repo_id;
            DeleteRepo::new(client, repo_id.clone())
                .repo_type(repo.repo_type)
                .missing_ok(missing_ok)
                .await
                .map_err(|e| {
                    failure(
                        &format!("cannot delete {repo_id}"),
                        Op::DeleteRepo,
                        Some(&repo),
                        &e,
                    )
                })?;
            print_lines([format!("Successfully deleted {repo_id} on the Hub.")])
        }
        RepoCommand::Move { from, to_id } => {
            let from_id = &from.repo_id;
            MoveRepo::new(client, from_id.clone(), to_id.clone())
                .repo_type(from.repo_type)
                .await
                .map_err(|e| {
                    failure(
                        &format!("cannot move {from_id} to {to_id}"),
                        Op::MoveRepo { to: &to_id },
                        Some(&from),
                        &e,
                    )
                })?;
            print_lines([format!(
                "Successfully moved {from_id} to {to_id} on the Hub."
            )])
        }
        RepoCommand::Settings {
            repo,
            gated,
            private,
            no_private,
        } => {
            let repo_id = &repo.repo_id;
            let private = if no_private { Some(false) } else { private };
            if gated.is_none() && private.is_none() {
                return Err(Failure::msg(format!(
                    "nothing to change on {repo_id}: no setting given"
                ))
                .hint("pass --gated auto|manual|false and/or --private true|false"));
            }
            let mut request =
                UpdateRepoSettings::new(client, repo_id.clone()).repo_type(repo.repo_type);
            if let Some(gated) = gated {
                request = request.gated(gated.into());
            }
            if let Some(private) = private {
                request = request.private(private);
            }
            request.await.map_err(|e| {
                failure(
                    &format!("cannot update the settings of {repo_id}"),
                    Op::Other,
                    Some(&repo),
                    &e,
                )
            })?;
            print_lines([format!(
                "Successfully updated the settings of {repo_id} on the Hub."
            )])
        }
        RepoCommand::Duplicate {
            from,
            to_id,
            private,
            public,
            exist_ok,
            flavor,
            sleep_time,
            values,
        } => {
            let from_id = &from.repo_id;
            if from.repo_type != RepoType::Space {
                return Err(Failure::msg(format!(
                    "cannot duplicate {from_id}: only Spaces can be duplicated"
                ))
                .hint("pass --type space"));
            }
            let mut request = hf_spaces::duplicate::DuplicateSpace::new(client, from_id.clone())
                .exist_ok(exist_ok);
            if let Some(to_id) = to_id {
                request = request.to_id(to_id);
            }
            if private || public {
                request = request.private(private);
            }
            if let Some(flavor) = flavor {
                request = request.hardware(flavor.as_str());
            }
            if let Some(seconds) = sleep_time {
                request = request.sleep_time(seconds);
            }
            let secrets = values.secrets()?;
            if !secrets.is_empty() {
                request = request.secrets(secrets);
            }
            let variables = values.variables()?;
            if !variables.is_empty() {
                request = request.variables(variables);
            }
            let url = request.await.map_err(|e| {
                failure(
                    &format!("cannot duplicate {from_id}"),
                    Op::DuplicateRepo,
                    Some(&from),
                    &e,
                )
            })?;
            print_lines([url.to_string()])
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
