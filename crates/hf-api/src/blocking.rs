//! The facade for programs without an async runtime: each call blocks until it is done.
//!
//! ```no_run
//! # #[cfg(feature = "cache")]
//! # fn demo() -> hf_api::Result<()> {
//! let api = hf_api::blocking::HfApi::new()?;
//! let path = api.hf_hub_download("openai-community/gpt2".parse()?, "config.json")?;
//! // Any async request builder of the facade, with its options, runs through `run`:
//! let folder = api.run(api.r#async().snapshot_download("openai-community/gpt2".parse()?).allow_patterns(["*.json"]))?;
//! # let _ = (path, folder);
//! # Ok(())
//! # }
//! ```

use std::future::IntoFuture;
#[cfg(feature = "cache")]
use std::path::PathBuf;
use std::sync::Arc;

#[cfg(feature = "cache")]
use hf_types::RepoId;

use crate::{Error, Result};

/// A blocking [`crate::HfApi`]: the same operations, run on an internal runtime.
///
/// Do not call it from inside an async runtime (it would block that runtime's thread).
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

    /// The async facade underneath, to build requests with all their options.
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
    pub fn hf_hub_download(&self, repo_id: RepoId, filename: impl Into<String>) -> Result<PathBuf> {
        self.run(self.inner.hf_hub_download(repo_id, filename))
    }

    /// `snapshot_download` with default options; resolves to the snapshot folder.
    #[cfg(feature = "cache")]
    pub fn snapshot_download(&self, repo_id: RepoId) -> Result<PathBuf> {
        self.run(self.inner.snapshot_download(repo_id))
    }

    /// `scan_cache_dir`.
    #[cfg(feature = "cache")]
    pub fn scan_cache_dir(&self) -> Result<hf_cache::HfCacheInfo> {
        self.inner.scan_cache_dir()
    }
}
