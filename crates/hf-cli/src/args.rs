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

/// A secret given as an argument (a webhook secret, a `KEY[=VALUE]` Space or endpoint secret):
/// its `Debug` is redacted, so the parsed arguments never show it if they are ever printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretArg(String);

impl SecretArg {
    /// The value as given.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The values of a list of secrets, as given.
    pub fn expose_all(secrets: &[SecretArg]) -> Vec<String> {
        secrets.iter().map(|s| s.0.clone()).collect()
    }
}

impl From<String> for SecretArg {
    fn from(value: String) -> Self {
        SecretArg(value)
    }
}

impl std::fmt::Debug for SecretArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretArg(<redacted>)")
    }
}
