//! One error type for the facade: whatever layer failed, with its own message.

/// `Result` with the facade's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, by layer. Each variant keeps the layer's error, which names the repo,
/// file or URL, the server's message and its request id.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A request failed (not found, unauthorized, rate limited, transport, ...).
    #[error(transparent)]
    Http(#[from] hf_http::Error),
    /// A download or a cache operation failed.
    #[cfg(feature = "cache")]
    #[error(transparent)]
    Cache(#[from] hf_cache::Error),
    /// A repo, file, history or upload operation failed.
    #[error(transparent)]
    Repo(#[from] hf_repo::Error),
    /// A repo id was malformed (refused before any request).
    #[error(transparent)]
    InvalidRepoId(#[from] hf_types::InvalidRepoId),
    /// A revision was malformed (refused before any request).
    #[error(transparent)]
    InvalidRevision(#[from] hf_types::InvalidRevision),
    /// A path inside a repo was malformed or unsafe.
    #[error(transparent)]
    InvalidRepoPath(#[from] hf_types::InvalidRepoPath),
    /// The blocking API could not start its runtime.
    #[error("cannot start the blocking runtime: {0}")]
    Runtime(std::io::Error),
}
