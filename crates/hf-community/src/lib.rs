//! The Hub's community and account APIs, as request builders over [`hf_http`]: what the Python
//! client's `HfApi` offers for discussions and pull requests, likes, gated-repo access requests,
//! collections, webhooks, users, organizations and papers.
//!
//! Every operation is one owned request builder (required arguments in `new`, options as
//! chained setters, `.await` sends it); listings are streams that follow the `Link` header.
//! Errors are the shared [`hf_http::Error`].

pub use hf_http::{Error, ErrorContext, ErrorKind};

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

// Discussions, pull requests, likes, access requests (issue 10).
pub mod access_requests;
pub mod discussions;
pub mod likes;

// Collections, webhooks, users and organizations, papers (issue 11).
pub mod collections;
pub mod papers;
pub mod users;
pub mod webhooks;

/// The traits that give request builders their shared setters: `use hf_community::prelude::*;`.
pub mod prelude {
    pub use hf_http::{RepoRequest, RevisionRequest};
}
