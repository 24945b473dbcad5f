//! The transport every hf-api crate talks to the Hugging Face Hub through.
//!
//! A [`HubClient`] holds the endpoint, the token, the user agent and one tower stack (see
//! [`layers`]): tracing, offline mode, user agent, auth (only to the endpoint's host, outside
//! redirects), redirects, retry with jittered backoff, timeouts, and hyper-util's pooled client
//! over rustls (HTTP/1.1 and HTTP/2 by ALPN, proxies from the builder). Requests are owned,
//! `#[must_use]` [`RequestBuilder`]s that `.await` sends; HTTP failures become typed [`Error`]s
//! carrying the server's message and request id; listings become streams.
//!
//! ```no_run
//! use futures_util::TryStreamExt;
//! use hf_http::{HubClient, RetryPolicy};
//! use serde::Deserialize;
//!
//! #[derive(Deserialize)]
//! struct Model {
//!     id: String,
//! }
//!
//! # async fn run() -> Result<(), hf_http::Error> {
//! // `from_env` reads HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE, ...; `builder` reads nothing.
//! let client = HubClient::builder()
//!     .endpoint("https://huggingface.co")
//!     .token(Some("hf_xxx"))
//!     .library("my-app", "0.1.0")
//!     .retry(RetryPolicy::default().max_retries(3))
//!     .build()?;
//!
//! // One request: `.await` sends it; a 404 becomes `Error::RepoNotFound` etc.
//! let url = client.url("api/models/openai-community/gpt2")?;
//! let info: serde_json::Value = client.get(url).await?.json().await?;
//! println!("{}", info["id"]);
//!
//! // A listing, page by page, lazily.
//! let url = client.url("api/models")?;
//! let mut models = std::pin::pin!(client.paginate::<Model>(client.get(url).query(&[("author", "openai-community")])));
//! while let Some(model) = models.try_next().await? {
//!     println!("{}", model.id);
//! }
//! # Ok(())
//! # }
//! ```

mod body;
mod client;
mod error;
pub mod layers;
mod paginate;
mod request;
mod response;
mod service;
mod settings;
mod target;
mod token;
mod transport;

pub use body::Body;
pub use client::{HubClient, HubClientBuilder};
pub use error::{
    BoxError, Error, ErrorContext, ErrorKind, ServerError, TimeoutPhase, TransportKind, redact_url,
};
pub use layers::{Retries, RetryPolicy, Sleeper, TokioSleeper, UserAgent};
pub use paginate::{IntoPageRequest, next_link};
pub use request::RequestBuilder;
pub use response::Response;
pub use service::{
    FinalUrl, HubRequest, HubResponse, HubService, RedirectPolicy, RequestOptions, ResponseBody,
};
pub use settings::{
    DEFAULT_ENDPOINT, DEFAULT_INFERENCE_ENDPOINTS_ENDPOINT, EnvVars, ProxyConfig, Settings,
    TokenSource, is_truthy,
};
pub use target::{RepoRequest, RepoTarget, RevisionRequest, TargetRequest, collect_stream};
pub use token::Token;

/// The future every request builder of the hf-api crates resolves through.
pub type BoxFuture<T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, Error>> + Send>>;

/// Re-exported so callers name the same types the API uses.
pub use http::{HeaderMap, HeaderValue, Method, StatusCode};
pub use url::Url;
