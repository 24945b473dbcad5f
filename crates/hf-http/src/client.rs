//! `HubClient`: the shared handle, its builder, and the one function that assembles the stack.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hf_types::Route;
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use tower::util::BoxCloneSyncService;
use tower::{Layer, Service, ServiceBuilder};
use url::Url;

use crate::layers::{
    AuthLayer, OfflineLayer, RedirectLayer, RetryLayer, RetryPolicy, TimeoutLayer, TraceLayer,
    UserAgent, UserAgentLayer,
};
use crate::settings::{DEFAULT_ENDPOINT, DEFAULT_INFERENCE_ENDPOINTS_ENDPOINT, parse_endpoint};
use crate::transport::{HyperTransport, TransportConfig};
use crate::{
    Error, HubRequest, HubResponse, HubService, ProxyConfig, RequestBuilder, Settings, Token,
};

/// Default number of redirects followed per request.
const DEFAULT_MAX_REDIRECTS: usize = 10;

type UserLayer = Arc<dyn Fn(HubService) -> HubService + Send + Sync>;

/// A handle to one Hub: endpoint, token, user agent, headers and the transport stack.
///
/// Cheap to clone (an `Arc` inside); build it once and share it.
#[derive(Clone)]
pub struct HubClient {
    inner: Arc<Inner>,
}

#[derive(Clone)]
struct Inner {
    service: HubService,
    /// Set by [`HubClient::with_token`]: replaces the token of the stack for every request.
    auth_override: Option<AuthOverride>,
    endpoint: Url,
    inference_endpoints_endpoint: Url,
    token_present: bool,
    default_headers: HeaderMap,
    offline: bool,
    etag_timeout: Duration,
    download_timeout: Duration,
    user_agent: String,
    /// The policy of the stack's retry layer (clones share its budget), for operations that
    /// retry by themselves.
    retry: RetryPolicy,
    cache_dir: Option<PathBuf>,
    disable_symlinks: bool,
}

/// What [`HubClient::with_token`] set.
#[derive(Clone)]
enum AuthOverride {
    /// This token instead of the client's.
    Token(Token),
    /// No token at all.
    Anonymous,
}

impl fmt::Debug for HubClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HubClient")
            .field("endpoint", &self.inner.endpoint.as_str())
            .field("token_present", &self.inner.token_present)
            .field("offline", &self.inner.offline)
            .field("user_agent", &self.inner.user_agent)
            .finish_non_exhaustive()
    }
}

impl HubClient {
    /// A builder that reads nothing from the environment (endpoint `https://huggingface.co`, no
    /// token, no proxy).
    pub fn builder() -> HubClientBuilder {
        HubClientBuilder::new()
    }

    /// A client configured from the environment as `huggingface_hub` reads it (see [`Settings`]).
    pub fn from_env() -> Result<HubClient, Error> {
        HubClientBuilder::from_env()?.build()
    }

    /// The endpoint, without trailing slash in its path.
    pub fn endpoint(&self) -> &Url {
        &self.inner.endpoint
    }

    /// The base URL of the Inference Endpoints API (its own host in production, not the Hub's).
    pub fn inference_endpoints_endpoint(&self) -> &Url {
        &self.inner.inference_endpoints_endpoint
    }

    /// The URL of `route` (an `hf_types::routes::EndpointRoutes` route) on the Inference
    /// Endpoints base: the one place those routes are joined to it.
    pub fn inference_endpoints_url(&self, route: &Route) -> Result<Url, Error> {
        let raw = route.url(self.inner.inference_endpoints_endpoint.as_str());
        Url::parse(&raw).map_err(|err| Error::InvalidUrl {
            url: raw,
            reason: err.to_string(),
        })
    }

    /// `{endpoint}/{path}`. `path` must already be percent-encoded (see `hf_types::encode_path`).
    pub fn url(&self, path: &str) -> Result<Url, Error> {
        let raw = format!("{}/{}", self.endpoint_base(), path.trim_start_matches('/'));
        Url::parse(&raw).map_err(|err| Error::InvalidUrl {
            url: raw,
            reason: err.to_string(),
        })
    }

    /// The URL of `route` on this client's endpoint, query included: the one place routes
    /// are joined to the endpoint.
    pub fn route_url(&self, route: &Route) -> Result<Url, Error> {
        let raw = route.url(self.inner.endpoint.as_str());
        Url::parse(&raw).map_err(|err| Error::InvalidUrl {
            url: raw,
            reason: err.to_string(),
        })
    }

    /// A request of `method` to `route` on this client's endpoint.
    pub fn route(&self, method: Method, route: &Route) -> RequestBuilder {
        match self.route_url(route) {
            Ok(url) => self.request(method, url),
            Err(error) => RequestBuilder::failed(self.clone(), method, error),
        }
    }

    /// The endpoint as text without its trailing slash: the base of the URLs shown to users.
    pub fn endpoint_base(&self) -> &str {
        hf_types::routes::endpoint_base(self.inner.endpoint.as_str())
    }

    /// The web URL of a route (a repo's page, a file's resolve URL) as shown to users: the
    /// endpoint without trailing slash, then the route.
    pub fn route_text(&self, route: &Route) -> String {
        route.url(self.inner.endpoint.as_str())
    }

    /// Offline mode: every request fails with [`Error::Offline`].
    pub fn is_offline(&self) -> bool {
        self.inner.offline
    }

    /// Timeout for the metadata `HEAD` of downloads (`HF_HUB_ETAG_TIMEOUT`, default 10 s).
    pub fn etag_timeout(&self) -> Duration {
        self.inner.etag_timeout
    }

    /// Connect and per-read timeout of downloads (`HF_HUB_DOWNLOAD_TIMEOUT`, default 10 s).
    pub fn download_timeout(&self) -> Duration {
        self.inner.download_timeout
    }

    /// The hub cache folder downloads use when they are given none: `HF_HUB_CACHE` (or
    /// `{HF_HOME}/hub`) for a client from the environment, the builder's
    /// [`cache_dir`](HubClientBuilder::cache_dir) otherwise; `None` for a hermetic client
    /// given none, which then has downloads name their cache explicitly.
    pub fn cache_dir(&self) -> Option<&Path> {
        self.inner.cache_dir.as_deref()
    }

    /// Whether the cache stores copies instead of symlinks (`HF_HUB_DISABLE_SYMLINKS`).
    pub fn symlinks_disabled(&self) -> bool {
        self.inner.disable_symlinks
    }

    /// Whether a token is sent to the endpoint.
    pub fn token_present(&self) -> bool {
        self.inner.token_present
    }

    /// The user agent sent with every request.
    pub fn user_agent(&self) -> &str {
        &self.inner.user_agent
    }

    /// The retry policy of the client's stack (the same budget, sleeper and jitter): what an
    /// operation that retries by itself (a download resuming after a broken connection, a
    /// creation tried again) follows, through [`RetryPolicy::retries`].
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// The whole stack as a tower service, for requests built by hand.
    pub fn service(&self) -> HubService {
        self.inner.service.clone()
    }

    /// Starts a request. Nothing is sent until `.send()` or `.await`.
    pub fn request(&self, method: Method, url: Url) -> RequestBuilder {
        RequestBuilder::new(self.clone(), method, url)
    }

    /// `GET url`.
    pub fn get(&self, url: Url) -> RequestBuilder {
        self.request(Method::GET, url)
    }

    /// `HEAD url`.
    pub fn head(&self, url: Url) -> RequestBuilder {
        self.request(Method::HEAD, url)
    }

    /// `POST url`.
    pub fn post(&self, url: Url) -> RequestBuilder {
        self.request(Method::POST, url)
    }

    /// `PUT url`.
    pub fn put(&self, url: Url) -> RequestBuilder {
        self.request(Method::PUT, url)
    }

    /// `DELETE url`.
    pub fn delete(&self, url: Url) -> RequestBuilder {
        self.request(Method::DELETE, url)
    }

    pub(crate) fn default_headers(&self) -> &HeaderMap {
        &self.inner.default_headers
    }

    /// The token each request gets (`Some(None)`: none), when [`with_token`](Self::with_token)
    /// replaced the client's.
    pub(crate) fn auth_override(&self) -> Option<Option<&Token>> {
        self.inner.auth_override.as_ref().map(|o| match o {
            AuthOverride::Token(t) => Some(t),
            AuthOverride::Anonymous => None,
        })
    }

    /// The same client (same connection pool, endpoint and layers) sending `token` instead of
    /// its own, or no token at all with `None`: the Python client's per-call `token=` argument.
    /// The token is still only sent to the endpoint's host, as the client's own would be.
    ///
    /// ```
    /// # fn demo(client: hf_http::HubClient) {
    /// let anonymous = client.with_token(None::<&str>);
    /// let other_user = client.with_token(Some("hf_other"));
    /// assert!(!anonymous.token_present() && other_user.token_present());
    /// # }
    /// ```
    pub fn with_token(&self, token: Option<impl Into<Token>>) -> HubClient {
        let mut inner = (*self.inner).clone();
        let token = token.map(Into::into);
        inner.token_present = token.is_some();
        inner.auth_override = Some(match token {
            Some(t) => AuthOverride::Token(t),
            None => AuthOverride::Anonymous,
        });
        HubClient {
            inner: Arc::new(inner),
        }
    }

    /// The same client sending these headers too on every request (replacing headers of the
    /// same name): the Python client's per-call `headers=` argument.
    pub fn with_headers(&self, headers: HeaderMap) -> HubClient {
        let mut inner = (*self.inner).clone();
        for (name, value) in headers {
            if let Some(name) = name {
                inner.default_headers.insert(name, value);
            }
        }
        HubClient {
            inner: Arc::new(inner),
        }
    }
}

/// Configures a [`HubClient`].
#[must_use]
#[derive(Clone)]
pub struct HubClientBuilder {
    endpoint: Result<Url, (String, String)>,
    inference_endpoints_endpoint: Result<Url, (String, String)>,
    token: Option<Token>,
    user_agent: UserAgent,
    default_headers: HeaderMap,
    retry: RetryPolicy,
    connect_timeout: Option<Duration>,
    request_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    etag_timeout: Duration,
    download_timeout: Duration,
    offline: bool,
    proxy: ProxyConfig,
    root_certificates: Vec<Vec<u8>>,
    max_redirects: usize,
    layers: Vec<UserLayer>,
    header_error: Option<String>,
    cache_dir: Option<PathBuf>,
    disable_symlinks: bool,
}

impl fmt::Debug for HubClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HubClientBuilder")
            .field("endpoint", &self.endpoint.as_ref().map(Url::as_str).ok())
            .field("token", &self.token)
            .field("offline", &self.offline)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl Default for HubClientBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl HubClientBuilder {
    /// Defaults only; nothing read from the environment. Timeouts: connect 10 s, no limit on the
    /// response headers, 60 s between body chunks.
    pub fn new() -> Self {
        HubClientBuilder {
            endpoint: checked_endpoint(DEFAULT_ENDPOINT),
            inference_endpoints_endpoint: checked_endpoint(DEFAULT_INFERENCE_ENDPOINTS_ENDPOINT),
            token: None,
            user_agent: UserAgent::new(),
            default_headers: HeaderMap::new(),
            retry: RetryPolicy::default(),
            connect_timeout: Some(Duration::from_secs(10)),
            request_timeout: None,
            read_timeout: Some(Duration::from_secs(60)),
            etag_timeout: Duration::from_secs(10),
            download_timeout: Duration::from_secs(10),
            offline: false,
            proxy: ProxyConfig::none(),
            root_certificates: Vec::new(),
            max_redirects: DEFAULT_MAX_REDIRECTS,
            layers: Vec::new(),
            header_error: None,
            cache_dir: None,
            disable_symlinks: false,
        }
    }

    /// Defaults from the environment ([`Settings::from_env`]), still overridable.
    pub fn from_env() -> Result<Self, Error> {
        Ok(Self::from_settings(Settings::from_env()?))
    }

    /// Defaults from already-read [`Settings`].
    pub fn from_settings(settings: Settings) -> Self {
        let mut builder = Self::new();
        builder.endpoint = Ok(settings.endpoint);
        builder.inference_endpoints_endpoint = Ok(settings.inference_endpoints_endpoint);
        builder.token = settings.token;
        builder.etag_timeout = settings.etag_timeout;
        builder.download_timeout = settings.download_timeout;
        builder.offline = settings.offline;
        builder.proxy = settings.proxy;
        builder.cache_dir = Some(settings.hub_cache);
        builder.disable_symlinks = settings.disable_symlinks;
        builder.user_agent = builder
            .user_agent
            .origin(settings.user_agent_origin)
            .disable_telemetry(settings.disable_telemetry);
        builder
    }

    /// The Hub base URL; a trailing `/` is removed.
    pub fn endpoint(mut self, endpoint: impl AsRef<str>) -> Self {
        self.endpoint = checked_endpoint(endpoint.as_ref());
        self
    }

    /// The base URL of the Inference Endpoints API (default
    /// `https://api.endpoints.huggingface.cloud/v2`; a local hub serves it at
    /// `{hub}/api/inference-endpoints/v2`). The token is sent there too.
    pub fn inference_endpoints_endpoint(mut self, endpoint: impl AsRef<str>) -> Self {
        self.inference_endpoints_endpoint = checked_endpoint(endpoint.as_ref());
        self
    }

    /// The token sent to the endpoint, or `None` for none (overrides the environment's).
    pub fn token(mut self, token: Option<impl Into<Token>>) -> Self {
        self.token = token.map(Into::into);
        self
    }

    /// Sends no token (same as `token(None::<Token>)`).
    pub fn no_token(mut self) -> Self {
        self.token = None;
        self
    }

    /// Puts `{name}/{version}` first in the user agent.
    pub fn library(mut self, name: impl Into<String>, version: impl Into<String>) -> Self {
        self.user_agent = self.user_agent.library(name, version);
        self
    }

    /// Appends a user-agent segment (`key/value` or free text).
    pub fn user_agent_segment(mut self, segment: impl Into<String>) -> Self {
        self.user_agent = self.user_agent.segment(segment);
        self
    }

    /// Sets `origin/{origin}` in the user agent.
    pub fn user_agent_origin(mut self, origin: impl Into<String>) -> Self {
        self.user_agent = self.user_agent.origin(Some(origin.into()));
        self
    }

    /// A header sent with every request (a request's own header wins).
    pub fn default_header(mut self, name: impl AsRef<str>, value: impl AsRef<str>) -> Self {
        match (
            HeaderName::try_from(name.as_ref()),
            HeaderValue::try_from(value.as_ref()),
        ) {
            (Ok(name), Ok(value)) => {
                self.default_headers.insert(name, value);
            }
            _ => self.header_error = Some(format!("invalid default header {:?}", name.as_ref())),
        }
        self
    }

    /// Headers sent with every request, added to those already set.
    pub fn default_headers(mut self, headers: HeaderMap) -> Self {
        self.default_headers.extend(headers);
        self
    }

    /// The retry policy ([`RetryPolicy::disabled`] to turn retries off).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Time allowed to open a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed per attempt until the response headers arrive (default: none).
    pub fn request_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Time allowed between two chunks of a response body (default 60 s).
    pub fn read_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// The value [`HubClient::etag_timeout`] reports.
    pub fn etag_timeout(mut self, timeout: Duration) -> Self {
        self.etag_timeout = timeout;
        self
    }

    /// The value [`HubClient::download_timeout`] reports.
    pub fn download_timeout(mut self, timeout: Duration) -> Self {
        self.download_timeout = timeout;
        self
    }

    /// Refuses every request with [`Error::Offline`] when true.
    pub fn offline(mut self, offline: bool) -> Self {
        self.offline = offline;
        self
    }

    /// Proxies (default none; [`HubClientBuilder::from_env`] reads `HTTPS_PROXY` and friends).
    pub fn proxy(mut self, proxy: ProxyConfig) -> Self {
        self.proxy = proxy;
        self
    }

    /// The hub cache folder downloads use when given none (default: none for this builder,
    /// `HF_HUB_CACHE` or `{HF_HOME}/hub` with [`from_env`](Self::from_env)).
    pub fn cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = Some(dir.into());
        self
    }

    /// Store copies instead of symlinks in the cache (default false;
    /// [`from_env`](Self::from_env) reads `HF_HUB_DISABLE_SYMLINKS`).
    pub fn disable_symlinks(mut self, disabled: bool) -> Self {
        self.disable_symlinks = disabled;
        self
    }

    /// Trusts an extra root certificate (DER), e.g. a corporate CA, on top of the webpki roots.
    pub fn add_root_certificate(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.root_certificates.push(der.into());
        self
    }

    /// Redirects followed per request at most (default 10).
    pub fn max_redirects(mut self, hops: usize) -> Self {
        self.max_redirects = hops;
        self
    }

    /// Wraps the stack in your own layer. Layers added later wrap earlier ones; all of them sit
    /// outside the built-in stack, so they see each logical request once (before user agent,
    /// auth, redirects and retries are applied).
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: Layer<HubService> + Send + Sync + 'static,
        L::Service: Service<HubRequest, Response = HubResponse, Error = Error>
            + Clone
            + Send
            + Sync
            + 'static,
        <L::Service as Service<HubRequest>>::Future: Send + 'static,
    {
        self.layers.push(Arc::new(move |service| {
            BoxCloneSyncService::new(layer.layer(service))
        }));
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<HubClient, Error> {
        if let Some(message) = self.header_error {
            return Err(Error::Config(message));
        }
        let endpoint = self
            .endpoint
            .map_err(|(url, reason)| Error::InvalidUrl { url, reason })?;
        let inference_endpoints_endpoint = self
            .inference_endpoints_endpoint
            .map_err(|(url, reason)| Error::InvalidUrl { url, reason })?;
        let user_agent = self.user_agent.header_value()?;
        let transport = HyperTransport::new(TransportConfig {
            connect_timeout: self.connect_timeout,
            proxy: self.proxy,
            extra_roots: self.root_certificates,
        })?;
        let mut service = build_stack(
            transport,
            StackConfig {
                offline: self.offline,
                user_agent: user_agent.clone(),
                token: self.token.clone(),
                endpoint: endpoint.clone(),
                inference_endpoints_endpoint: inference_endpoints_endpoint.clone(),
                max_redirects: self.max_redirects,
                retry: self.retry.clone(),
                request_timeout: self.request_timeout,
                read_timeout: self.read_timeout,
            },
        );
        for layer in &self.layers {
            service = layer(service);
        }
        Ok(HubClient {
            inner: Arc::new(Inner {
                service,
                auth_override: None,
                endpoint,
                inference_endpoints_endpoint,
                token_present: self.token.is_some(),
                default_headers: self.default_headers,
                offline: self.offline,
                etag_timeout: self.etag_timeout,
                download_timeout: self.download_timeout,
                user_agent: user_agent.to_str().unwrap_or_default().to_owned(),
                retry: self.retry,
                cache_dir: self.cache_dir,
                disable_symlinks: self.disable_symlinks,
            }),
        })
    }
}

/// The builder stays `Clone`, so it keeps a bad endpoint as text until `build`.
fn checked_endpoint(raw: &str) -> Result<Url, (String, String)> {
    parse_endpoint(raw).map_err(|err| match err {
        Error::InvalidUrl { url, reason } => (url, reason),
        other => (raw.to_owned(), other.to_string()),
    })
}

struct StackConfig {
    offline: bool,
    user_agent: HeaderValue,
    token: Option<Token>,
    endpoint: Url,
    inference_endpoints_endpoint: Url,
    max_redirects: usize,
    retry: RetryPolicy,
    request_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
}

/// The stack, outermost first:
///
/// 1. trace: one span per logical request, covering all its hops and attempts;
/// 2. offline: refuse before any work, so no socket is ever touched;
/// 3. user agent: set once, identical on every hop and attempt;
/// 4. auth: outside redirects, so the token is decided once against the original URL and a hop
///    to another host (where the redirect layer strips it) can never get it back;
/// 5. redirects: each hop goes through retry on its own;
/// 6. retry: replays one hop with backoff; inside it,
/// 7. timeout: limits each attempt (headers) and each body read;
/// 8. the pooled hyper client (TLS, HTTP/1.1 and HTTP/2 by ALPN, proxies).
fn build_stack<T>(transport: T, config: StackConfig) -> HubService
where
    T: Service<HubRequest, Response = HubResponse, Error = Error> + Clone + Send + Sync + 'static,
    T::Future: Send + 'static,
{
    let stack = ServiceBuilder::new()
        .layer(TraceLayer::new())
        .layer(OfflineLayer::new(config.offline))
        .layer(UserAgentLayer::new(config.user_agent))
        .layer(
            AuthLayer::new(config.token, config.endpoint)
                .also_for(config.inference_endpoints_endpoint),
        )
        .layer(RedirectLayer::new(config.max_redirects))
        .layer(RetryLayer::new(config.retry))
        .layer(TimeoutLayer::new(
            config.request_timeout,
            config.read_timeout,
        ))
        .service(transport);
    BoxCloneSyncService::new(stack)
}
