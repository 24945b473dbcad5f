//! The facade for programs without an async runtime: every operation, run to completion.
//!
//! There is no blocking copy of each operation. [`HfApi`] dereferences to the async
//! [`crate::HfApi`], so every operation and every option of its request builder is there
//! unchanged; a builder then runs on the facade's own runtime, either with
//! [`HfApi::run`] or with [`.wait(&api)`](Wait::wait) at the end of the chain. A new operation
//! of the async facade is therefore available here the day it is added.
//!
//! ```no_run
//! use hf_api::blocking::Wait;
//! use hf_api::prelude::*;
//!
//! # fn demo() -> hf_api::Result<()> {
//! let api = hf_api::blocking::HfApi::new()?;
//! let repo = api.create_repo("alice/tiny".parse()?).private(true).exist_ok(true).wait(&api)?;
//! let commit = api.run(api.upload_folder("alice/tiny".parse()?, "out/").commit_message("Epoch 3"))?;
//! for file in api.list_repo_files("alice/tiny".parse()?).wait(&api)? {
//!     println!("{file}");
//! }
//! # let _ = (repo, commit);
//! # Ok(())
//! # }
//! ```
//!
//! Listings' `.await` collects them; for a lazy iteration use the async facade's stream inside
//! [`HfApi::run`]. Operations that are synchronous in the async facade (cache scans, token
//! files) are called directly.

use std::future::IntoFuture;
use std::ops::Deref;
use std::sync::Arc;

use crate::{Error, Result};

/// A blocking [`crate::HfApi`]: the same operations (through `Deref`), run on an internal
/// runtime by [`run`](Self::run) or [`Wait::wait`].
///
/// Do not use it from inside an async runtime (it would block that runtime's thread); use the
/// async facade there.
#[derive(Debug, Clone)]
pub struct HfApi {
    inner: crate::HfApi,
    runtime: Arc<tokio::runtime::Runtime>,
}

impl HfApi {
    /// Settings from the environment, as [`crate::HfApi::new`].
    pub fn new() -> Result<Self> {
        Self::from_async(crate::HfApi::new()?)
    }

    /// Wraps an async facade.
    pub fn from_async(inner: crate::HfApi) -> Result<Self> {
        // Two workers: downloads overlap network reads, hashing and disk writes.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("hf-api-blocking")
            .enable_all()
            .build()
            .map_err(|source| Error::Io {
                action: "start the blocking runtime",
                path: None,
                source,
            })?;
        Ok(HfApi {
            inner,
            runtime: Arc::new(runtime),
        })
    }

    /// The async facade underneath (also reached through `Deref`).
    pub fn r#async(&self) -> &crate::HfApi {
        &self.inner
    }

    /// Runs any request builder (or future) of the async facade to completion.
    pub fn run<F, T, E>(&self, request: F) -> Result<T>
    where
        F: IntoFuture<Output = std::result::Result<T, E>>,
        Error: From<E>,
    {
        Ok(self.runtime.block_on(request.into_future())?)
    }

    /// `hf_hub_download` with default options; resolves to the file's path.
    #[cfg(feature = "cache")]
    pub fn hf_hub_download(
        &self,
        repo_id: hf_types::RepoId,
        filename: impl Into<String>,
    ) -> Result<std::path::PathBuf> {
        self.run(self.inner.hf_hub_download(repo_id, filename))
    }

    /// `snapshot_download` with default options; resolves to the snapshot folder.
    #[cfg(feature = "cache")]
    pub fn snapshot_download(&self, repo_id: hf_types::RepoId) -> Result<std::path::PathBuf> {
        self.run(self.inner.snapshot_download(repo_id))
    }
}

impl Deref for HfApi {
    type Target = crate::HfApi;

    /// Every operation of the async facade: build the request, then [`run`](HfApi::run) it
    /// or end the chain with [`Wait::wait`].
    fn deref(&self) -> &crate::HfApi {
        &self.inner
    }
}

/// `.wait(&api)`: runs a request builder of the facade on a blocking [`HfApi`]'s runtime.
/// Implemented for every `IntoFuture` whose output is a `Result` with an error convertible
/// into the facade's.
pub trait Wait: IntoFuture + Sized {
    /// The result of the operation.
    type Value;

    /// Sends the request and blocks until it is done.
    fn wait(self, api: &HfApi) -> Result<Self::Value>;
}

impl<F, T, E> Wait for F
where
    F: IntoFuture<Output = std::result::Result<T, E>>,
    Error: From<E>,
{
    type Value = T;

    fn wait(self, api: &HfApi) -> Result<T> {
        api.run(self)
    }
}
