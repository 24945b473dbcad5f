//! The error type: the one every hf-api crate shares ([`hf_http::Error`]).

pub use hf_http::{Error, ErrorContext, ErrorKind};

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
