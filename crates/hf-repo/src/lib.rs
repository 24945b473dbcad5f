//! Repositories, files, refs, history and uploads on the Hugging Face Hub.
//!
//! Every operation is one owned request builder: the required arguments are the constructor's,
//! the optional ones chained setters, and `.await` sends it. Listings are streams that follow
//! the `Link` header (`.into_stream()`), or `.await` to collect them.
//!
//! (crate overview: written when the modules are complete)

mod error;
mod urls;

pub mod commit;
pub mod listing;
pub mod refs;
pub mod repos;
pub mod safetensors;

pub use error::{Error, Result};
