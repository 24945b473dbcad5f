//! The types flowing through the tower stack, shared by every layer.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::Method;
use http_body::{Frame, SizeHint};
use http_body_util::BodyExt;
use http_body_util::combinators::UnsyncBoxBody;
use tower::util::BoxCloneSyncService;

use crate::{Body, Error};

/// A request as it enters the stack.
pub type HubRequest = http::Request<Body>;
/// A response as it leaves the stack (any status; mapping to [`Error`] happens in `send`).
pub type HubResponse = http::Response<ResponseBody>;
/// The type-erased stack: what [`HubClientBuilder::layer`](crate::HubClientBuilder::layer)
/// wraps and what [`HubClient::service`](crate::HubClient::service) returns.
pub type HubService = BoxCloneSyncService<HubRequest, HubResponse, Error>;

/// Which redirects the stack follows for a request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum RedirectPolicy {
    /// Return every 3xx as is.
    None,
    /// Follow only relative `Location`s (no scheme or host), like the resolve `HEAD` (protocol §4.2).
    RelativeOnly,
    /// Follow relative `Location`s and absolute ones to the same scheme, host and port (renamed repos).
    #[default]
    SameHost,
    /// Follow any http(s) `Location`; `authorization`, `cookie` and `proxy-authorization` are
    /// dropped on a hop to another host (CDN downloads).
    All,
}

/// Per-request settings, carried in the request's extensions so every layer (including your
/// own) can read them. A request without them gets the defaults.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct RequestOptions {
    /// Never send the client's token (pre-signed URLs, public endpoints).
    pub no_auth: bool,
    /// Send this token instead of the client's (still only to the endpoint's host, and never
    /// with `no_auth`).
    pub token: Option<crate::Token>,
    /// Send the token whatever the host (still not with `no_auth`, and dropped on a redirect to
    /// another host): only for URLs the Hub itself handed out for this purpose, such as the
    /// health route of an Inference Endpoint, which the Python client also calls with the token.
    pub auth_any_host: bool,
    /// Overrides the idempotency implied by the method (GET, HEAD, PUT, DELETE, OPTIONS, TRACE).
    pub idempotent: Option<bool>,
    /// `false` disables retries for this request.
    pub no_retry: bool,
    /// Time allowed until the response headers arrive, per attempt (overrides the client's).
    pub timeout: Option<Duration>,
    /// Time allowed between two chunks of the response body (overrides the client's).
    pub read_timeout: Option<Duration>,
    /// Redirect handling (default [`RedirectPolicy::SameHost`]).
    pub redirect: RedirectPolicy,
}

impl RequestOptions {
    /// Whether a request with `method` may be sent twice.
    pub fn is_idempotent(&self, method: &Method) -> bool {
        let by_method = matches!(
            *method,
            Method::GET
                | Method::HEAD
                | Method::PUT
                | Method::DELETE
                | Method::OPTIONS
                | Method::TRACE
        );
        self.idempotent.unwrap_or(by_method)
    }

    /// The options of `request`, or the defaults.
    pub fn of<B>(request: &http::Request<B>) -> RequestOptions {
        request
            .extensions()
            .get::<RequestOptions>()
            .cloned()
            .unwrap_or_default()
    }
}

/// The URL a response finally came from (after redirects); set by the redirect layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FinalUrl(pub url::Url);

/// A response body: a stream of byte chunks whose errors are already [`Error`]s.
pub struct ResponseBody(UnsyncBoxBody<Bytes, Error>);

impl ResponseBody {
    /// Wraps any body.
    pub fn new<B>(body: B) -> Self
    where
        B: http_body::Body<Data = Bytes, Error = Error> + Send + 'static,
    {
        ResponseBody(UnsyncBoxBody::new(body))
    }

    /// An empty body.
    pub fn empty() -> Self {
        Self::from(Bytes::new())
    }
}

impl From<Bytes> for ResponseBody {
    fn from(bytes: Bytes) -> Self {
        ResponseBody::new(http_body_util::Full::new(bytes).map_err(|never| match never {}))
    }
}

impl From<String> for ResponseBody {
    fn from(text: String) -> Self {
        Bytes::from(text).into()
    }
}

impl fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResponseBody")
    }
}

impl http_body::Body for ResponseBody {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        Pin::new(&mut self.0).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.0.size_hint()
    }
}
