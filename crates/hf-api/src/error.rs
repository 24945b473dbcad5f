//! The error type: the one every hf-api crate shares.

pub use hf_http::{Error, ErrorContext, ErrorKind};

/// `Result` with the shared [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
