//! The crate's error type.

use std::io;
use std::path::PathBuf;

/// What went wrong in a repo, file, history or upload operation.
///
/// Errors the Hub answered with are in [`Error::Http`] (typed: repo not found, revision not
/// found, entry not found, gated, unauthorized, forbidden, conflict, rate limited, ...), each
/// with the server's message and request id. The other variants are found before or around
/// the requests: invalid input, local files, and answers the client cannot use.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The Hub answered with an error or could not be reached.
    #[error(transparent)]
    Http(#[from] hf_http::Error),
    /// A repo id given by the caller is invalid; nothing was sent.
    #[error(transparent)]
    InvalidRepoId(#[from] hf_types::InvalidRepoId),
    /// A revision given by the caller is invalid; nothing was sent.
    #[error(transparent)]
    InvalidRevision(#[from] hf_types::InvalidRevision),
    /// A path in the repo given by the caller (or sent by the server) is not a safe relative path.
    #[error(transparent)]
    InvalidPath(#[from] hf_types::InvalidRepoPath),
    /// The arguments are invalid or contradict each other (empty commit message, malformed
    /// parent commit, ...); nothing was sent.
    #[error("invalid arguments: {0}")]
    InvalidArgument(String),
    /// A local file operation failed; names the operation and the path.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was being done (`"read"`, `"open"`, `"list folder"`, ...).
        action: &'static str,
        /// The path concerned.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// The Hub's answer cannot be used (missing field, wrong shape); names what was wrong.
    #[error("unexpected answer from the Hub for {context}: {what}")]
    Protocol {
        /// The operation or URL concerned.
        context: String,
        /// What was wrong.
        what: String,
    },
    /// The LFS batch API refused some objects; the commit was not sent.
    #[error("the Hub refused to upload {}: {}", if .0.len() == 1 { "an LFS object".to_string() } else { format!("{} LFS objects", .0.len()) }, .0.join("; "))]
    LfsRefused(Vec<String>),
    /// A safetensors header is malformed or too large; names the file.
    #[error("cannot parse the safetensors header of {file}: {reason}")]
    Safetensors {
        /// The repo path of the file.
        file: String,
        /// Why.
        reason: String,
    },
    /// `get_safetensors_metadata` on a repo with neither `model.safetensors` nor
    /// `model.safetensors.index.json` at that revision.
    #[error(
        "{repo_id} is not a safetensors repo: no model.safetensors nor model.safetensors.index.json at revision {revision}"
    )]
    NotASafetensorsRepo {
        /// The repo.
        repo_id: String,
        /// The revision looked at.
        revision: String,
    },
    /// A background task panicked or was cancelled.
    #[error("background task failed: {0}")]
    Task(String),
}

impl Error {
    /// An I/O error on `path`.
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Error {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }

    /// A server answer that cannot be used.
    pub(crate) fn protocol(context: impl Into<String>, what: impl Into<String>) -> Error {
        Error::Protocol {
            context: context.into(),
            what: what.into(),
        }
    }

    /// The Hub's typed error, when this is one.
    pub fn http(&self) -> Option<&hf_http::Error> {
        match self {
            Error::Http(e) => Some(e),
            _ => None,
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
