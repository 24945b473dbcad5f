//! Repositories, files, refs, history and uploads on the Hugging Face Hub: everything of the
//! Python client's `HfApi` that is about a repo's content.
//!
//! Every operation is one owned request builder: the required arguments are the constructor's,
//! the optional ones chained setters, and `.await` sends it. Listings are streams that follow
//! the `Link` header (`.into_stream()`), or `.await` to collect them.
//!
//! - [`auth`]: `login`, `logout`, `auth_switch`, `get_token` and the stored tokens.
//! - [`repos`]: create, delete, move, settings, info, existence checks, `whoami`.
//! - [`listing`]: `list_models`, `list_datasets`, `list_spaces` with every filter.
//! - [`refs`]: trees, paths info, refs, commit history, branches, tags, squash.
//! - [`commit`]: `create_commit` (add, delete, copy), `preupload_lfs_files`, `upload_file`,
//!   `upload_folder`, `delete_file(s)`, `delete_folder`: files are hashed and uploaded
//!   concurrently and streamed from disk (LFS basic and multipart), the commit is sent only
//!   after every upload succeeded.
//! - [`lfs_files`]: `list_lfs_files`, `permanently_delete_lfs_files`.
//! - [`large_folder`]: `upload_large_folder`, resumable uploads in many commits.
//! - [`scheduler`]: `CommitScheduler`, pushes of a folder on a schedule.
//! - [`background`]: `run_as_future`'s equivalent, an operation as a spawned, awaitable,
//!   cancellable task.
//! - [`safetensors`]: tensor metadata from the headers alone (Range reads).
//!
//! ```no_run
//! use hf_http::HubClient;
//! use hf_repo::commit::UploadFolder;
//! use hf_repo::prelude::*;
//! use hf_repo::refs::{CreateTag, ListRepoFiles};
//! use hf_repo::repos::CreateRepo;
//!
//! # async fn demo() -> Result<(), hf_repo::Error> {
//! let client = HubClient::from_env()?;
//! let repo: hf_types::RepoId = "alice/tiny-model".parse()?;
//! let url = CreateRepo::new(client.clone(), repo.clone()).private(true).exist_ok(true).await?;
//! let commit = UploadFolder::new(client.clone(), repo.clone(), "out/")
//!     .ignore_patterns(["*.tmp"])
//!     .commit_message("Epoch 3")
//!     .await?;
//! CreateTag::new(client.clone(), repo.clone(), "v1.0".parse()?).await?;
//! let files = ListRepoFiles::new(client, repo).await?;
//! println!("{url} at {}: {} files", commit.oid, files.len());
//! # Ok(())
//! # }
//! ```

/// The future every request builder of this crate resolves through.
pub(crate) use hf_http::BoxFuture;

/// `impl IntoFuture` for a request builder (see [`hf_http::impl_into_future`]).
macro_rules! into_future {
    ($($tt:tt)*) => {
        hf_http::impl_into_future!($($tt)*);
    };
}

mod error;

pub mod auth;
pub mod background;
pub mod commit;
pub mod large_folder;
// LFS file listing and permanent deletion (issue 15).
pub mod lfs_files;
pub mod listing;
pub mod refs;
pub mod repos;
pub mod safetensors;
pub mod scheduler;

pub use error::{Error, ErrorContext, ErrorKind, Result};
pub use hf_http::{RepoRequest, RepoTarget, RevisionRequest};

/// The traits that give request builders their shared setters: `use hf_repo::prelude::*;`.
pub mod prelude {
    pub use crate::commit::{CommitRequest, UploadRequest};
    pub use crate::listing::ListingRequest;
    pub use hf_http::{RepoRequest, RevisionRequest};
}
