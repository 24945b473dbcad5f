//! Argument groups shared by the commands (`#[command(flatten)]`), so every command names, parses
//! and documents a repo the same way.

use clap::Args;
use hf_types::{RepoId, RepoType, Revision};

/// The repo a command works on: `REPO_ID` and `--repo-type` (alias `--type`).
#[derive(Debug, Clone, Args)]
pub struct RepoTarget {
    /// The repository, e.g. `openai-community/gpt2`.
    pub repo_id: RepoId,
    /// model, dataset or space.
    #[arg(long, visible_alias = "type", default_value = "model")]
    pub repo_type: RepoType,
}

/// `--revision`: a branch, tag, commit id or `refs/pr/N`.
#[derive(Debug, Clone, Args)]
pub struct RevisionArg {
    /// Branch, tag, commit id or `refs/pr/N` (default: `main`).
    #[arg(long)]
    pub revision: Option<Revision>,
}

impl RevisionArg {
    /// The revision given, else `main`.
    pub fn or_main(&self) -> Revision {
        self.revision.clone().unwrap_or_else(Revision::main)
    }
}
