//! The Hugging Face Hub in Rust: [`HfApi`] exposes the operations of the domain crates under the
//! names the Python client `huggingface_hub` uses, and [`blocking::HfApi`] does the same for
//! programs without an async runtime.
//!
//! Each method returns the domain crate's request builder: required arguments are the method's,
//! optional ones are chained setters, and `.await` sends it.
//!
//! ```no_run
//! use hf_api::HfApi;
//!
//! # async fn demo() -> hf_api::Result<()> {
//! // HF_ENDPOINT, HF_TOKEN (or the token file), HF_HOME and HF_HUB_CACHE, as Python reads them.
//! let api = HfApi::new()?;
//! let config = api.hf_hub_download("openai-community/gpt2".parse()?, "config.json").await?;
//! let weights = api
//!     .snapshot_download("openai-community/gpt2".parse()?)
//!     .allow_patterns(["*.safetensors", "*.json"])
//!     .await?;
//! println!("{} {}", config.display(), weights.display());
//! # Ok(())
//! # }
//! ```
//!
//! The layers underneath are re-exported for direct use: [`types`] (ids, revisions, models),
//! [`http`] (the transport), and with the `cache` feature (on by default) [`cache`].

pub mod blocking;
// Collections, webhooks, users and organizations, papers (issue 11).
mod collections_ops;
mod commit_ops;
// Inference Endpoints (issue 13).
mod endpoints_ops;
// Discussions, pull requests, likes, access requests (issue 10).
mod discussions_ops;
mod error;
mod file_ops;
mod handle;
// LFS file listing and permanent deletion (issue 15).
mod lfs_ops;
// Issue 14: resumable and scheduled uploads, logins, background operations.
mod platform_ops;
mod repo_ops;
// Spaces (issue 12).
mod spaces_ops;

#[cfg(feature = "cache")]
use std::path::Path;

pub use error::{Error, ErrorContext, ErrorKind, Result};
pub use handle::RepoHandle;
#[cfg(feature = "cache")]
#[doc(inline)]
pub use hf_cache as cache;
/// Community and account APIs: discussions, likes, access requests, collections, webhooks,
/// users, papers.
#[doc(inline)]
pub use hf_community as community;
#[doc(inline)]
pub use hf_http as http;
/// Inference Endpoints: builders, the `InferenceEndpoint` handle, `Hardware`, `EndpointChanges`.
#[doc(inline)]
pub use hf_inference_endpoints as endpoints;
#[doc(inline)]
pub use hf_repo as repo;
/// Spaces (issue 12).
#[doc(inline)]
pub use hf_spaces as spaces;
#[doc(inline)]
pub use hf_types as types;

use hf_http::{HubClient, HubClientBuilder};
#[cfg(feature = "cache")]
use hf_types::{RepoId, RepoPath, RepoType, Revision};

#[cfg(feature = "cache")]
use hf_cache::prelude::DownloadRequest;
#[cfg(feature = "cache")]
use hf_cache::{CacheDir, CachedFile, HfCacheInfo, HubDownload, SnapshotDownload};

/// The README's Rust examples, compiled by `cargo test --doc` so they keep matching the API.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;

/// The common imports: `use hf_api::prelude::*;`. They include the traits that give request
/// builders their shared setters (`repo_type()`, `revision()`, the listing filters, ...).
pub mod prelude {
    pub use crate::blocking::Wait;
    pub use crate::{Error, ErrorKind, HfApi, RepoHandle, Result};
    #[cfg(feature = "cache")]
    pub use hf_cache::prelude::DownloadRequest;
    pub use hf_inference_endpoints::EndpointRequest;
    pub use hf_repo::prelude::*;
    pub use hf_types::{RepoId, RepoPath, RepoType, Revision};
}

/// A handle on the Hub (and, with the `cache` feature, on the local file cache). Cheap to clone.
#[derive(Debug, Clone)]
pub struct HfApi {
    client: HubClient,
    /// `None` for a hermetic client given no cache folder: cache operations then fail.
    #[cfg(feature = "cache")]
    cache: Option<CacheDir>,
    /// Where logins are kept (`None`: the files the environment names).
    tokens: Option<hf_repo::auth::TokenStore>,
}

impl HfApi {
    /// Settings from the environment, exactly as the Python client reads them.
    pub fn new() -> Result<Self> {
        Ok(HfApi::from_client(HubClient::from_env()?))
    }

    /// An `HfApi` over a client you configured (endpoint, token, retries, layers...) and,
    /// with the `cache` feature, the client's cache ([`HubClient::cache_dir`]: `HF_HUB_CACHE`
    /// for a client from the environment; none for a hermetic one unless its builder got
    /// one). Change it with [`with_cache_dir`](Self::with_cache_dir). Reads no environment.
    pub fn from_client(client: HubClient) -> Self {
        HfApi {
            #[cfg(feature = "cache")]
            cache: CacheDir::for_client(&client),
            client,
            tokens: None,
        }
    }

    /// A client builder that reads nothing from the environment (for hermetic programs and tests).
    pub fn client_builder() -> HubClientBuilder {
        HubClient::builder()
    }

    /// The same handle sending `token` instead of the client's, or no token at all with `None`
    /// (the Python client's per-call `token=`): same connection pool, endpoint and cache.
    ///
    /// ```no_run
    /// # use hf_api::prelude::*;
    /// # async fn demo(api: hf_api::HfApi) -> hf_api::Result<()> {
    /// let public = api.with_token(None::<&str>).model_info("openai-community/gpt2".parse()?).await?;
    /// # let _ = public; Ok(()) }
    /// ```
    pub fn with_token(&self, token: Option<impl Into<hf_http::Token>>) -> Self {
        let mut api = self.clone();
        api.client = self.client.with_token(token);
        api
    }

    /// The transport, for operations this facade does not wrap yet.
    pub fn client(&self) -> &HubClient {
        &self.client
    }

    /// Uses the cache at `dir` instead of the client's.
    #[cfg(feature = "cache")]
    pub fn with_cache_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.cache = Some(CacheDir::new(dir.as_ref()));
        self
    }

    /// The cache this handle downloads into (`None`: a hermetic client given none).
    #[cfg(feature = "cache")]
    pub fn cache_dir(&self) -> Option<&CacheDir> {
        self.cache.as_ref()
    }

    /// The cache, or the error a hermetic handle without one gives.
    #[cfg(feature = "cache")]
    fn cache(&self) -> Result<&CacheDir> {
        self.cache.as_ref().ok_or_else(|| {
            Error::InvalidArgument(
                "no cache folder: use `HfApi::with_cache_dir` or a client built with a cache_dir"
                    .to_owned(),
            )
        })
    }

    /// `hf_hub_download`: one file into the cache (or a `local_dir`); resolves to its path.
    #[cfg(feature = "cache")]
    pub fn hf_hub_download(&self, repo_id: RepoId, filename: impl Into<String>) -> HubDownload {
        let download = HubDownload::new(self.client.clone(), repo_id, filename);
        match &self.cache {
            Some(cache) => download.cache_dir(cache.clone()),
            None => download,
        }
    }

    /// `snapshot_download`: a repo revision (or the files matching patterns); resolves to the folder.
    #[cfg(feature = "cache")]
    pub fn snapshot_download(&self, repo_id: RepoId) -> SnapshotDownload {
        let download = SnapshotDownload::new(self.client.clone(), repo_id);
        match &self.cache {
            Some(cache) => download.cache_dir(cache.clone()),
            None => download,
        }
    }

    /// `hf_hub_url`: the resolve URL of a file.
    #[cfg(feature = "cache")]
    pub fn hf_hub_url(
        &self,
        repo_id: &RepoId,
        filename: &RepoPath,
        repo_type: RepoType,
        revision: &Revision,
    ) -> String {
        hf_cache::hf_hub_url(
            self.client.endpoint_base(),
            repo_id,
            repo_type,
            revision,
            filename,
        )
    }

    /// `get_hf_file_metadata`: commit, ETag, size and location of a file, from one `HEAD`.
    #[cfg(feature = "cache")]
    pub async fn get_hf_file_metadata(&self, url: &str) -> Result<hf_cache::HfFileMetadata> {
        hf_cache::get_hf_file_metadata(&self.client, url, None).await
    }

    /// `try_to_load_from_cache`: a purely local lookup.
    #[cfg(feature = "cache")]
    pub fn try_to_load_from_cache(
        &self,
        repo_id: &RepoId,
        filename: &str,
        repo_type: RepoType,
        revision: &Revision,
    ) -> Result<CachedFile> {
        hf_cache::try_to_load_from_cache(self.cache()?, repo_id, repo_type, revision, filename)
    }

    /// `scan_cache_dir`: every cached repo, revision and file, with sizes and warnings.
    #[cfg(feature = "cache")]
    pub fn scan_cache_dir(&self) -> Result<HfCacheInfo> {
        hf_cache::scan_cache_dir(self.cache()?.path())
    }
}
