//! A local Hugging Face Hub: an HTTP server with real, persistent storage that speaks the Hub's protocol as
//! the official Python client (`huggingface_hub` 0.36) and this project's client see it.
//!
//! Every client test, demo and benchmark of the project runs against it. Start it in-process:
//!
//! ```
//! use hf_local_hub::LocalHub;
//!
//! # async fn demo() -> Result<(), hf_local_hub::StartError> {
//! let hub = LocalHub::builder()
//!     .user("alice", "hf_alice")          // a user with a write token
//!     .read_token("alice", "hf_alice_ro") // an extra read-only token
//!     .org("acme", ["alice"])             // an organization and its members
//!     .start()
//!     .await?;
//! assert!(hub.endpoint().starts_with("http://127.0.0.1:"));
//! hub.shutdown().await;
//! # Ok(())
//! # }
//! # tokio::runtime::Runtime::new().map_err(|e| e.to_string())?.block_on(demo()).map_err(|e| e.to_string())?;
//! # Ok::<(), String>(())
//! ```
//!
//! or as the `hf-local-hub` binary (see `hf-local-hub --help`).
//!
//! Public modules: [`seed`] (put repos, files and refs into a running hub and read them back, for tests),
//! [`fixture`] (the standard test hub: alice, bob, org acme), [`auth`] (users, tokens, orgs), [`fault`]
//! (fault injection). The storage (SQLite + content-addressed blobs), the HTTP handlers and the git pattern
//! matching are private to the crate: tests reach the state through [`seed`], clients through HTTP.
//!
//! # Adding a route
//!
//! Handlers live in `src/api/`, one module per API area. A route that concerns one repo takes the repo
//! context extractor of `src/api/context.rs` instead of parsing the repo itself:
//!
//! - `Repo<Read>`, `Repo<Content>` or `Repo<Write>`: the repo named by the route, loaded and checked for
//!   that access level before the handler runs (hidden repos answer 404, gated content 401/403, changes need
//!   a write token on the namespace, moved repos redirect GET/HEAD). It gives the state, the repo record, the
//!   caller and the headers: `async fn refs(repo: Repo<Read>, uri: Uri) -> HubResult<Json<Value>>`.
//! - `RepoRequest`: the repo type, id and caller only; call `.load(access)` when the access level depends
//!   on the request (`create_pr=1` needs read access only) or a check of the handler must answer first.
//!
//! The repo type comes from the `{t}` segment of `/api/{t}/{ns}/{name}/...`; a route addressed like the web
//! pages (`/{ns}/{name}/...`) is registered once for the three types with `context::per_type`. Errors are
//! `HubError`s, answered as the Hub does (JSON body, `X-Error-Code`).

mod api;
pub mod auth;
// Entry points of the fuzz targets (`cargo xtask fuzz`), not a stable API.
pub mod fault;
pub mod fixture;
#[doc(hidden)]
pub mod fuzzing;
mod patterns;
pub mod seed;
mod storage;
mod webhooks;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use storage::Store;
use tokio::task::JoinHandle;

pub use api::MAX_API_BODY;
pub use api::endpoints::EndpointDelays;
pub use api::lfs::MULTIPART_CHUNK_SIZE;
pub use auth::{AuthConfig, Caller, Role};
pub use fault::{FaultKind, FaultSpec, InvalidFaultSpec};
pub use storage::{
    DEFAULT_GC_GRACE, GcReport, MAX_PATH_BYTES, MAX_PATH_DEPTH, MAX_SEGMENT_BYTES, StoreError,
};
pub use webhooks::delivery::DeliveryPolicy;

/// Why the hub could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The requested address.
        addr: SocketAddr,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The temporary data folder could not be created.
    #[error("cannot create a temporary data folder: {0}")]
    TempDir(std::io::Error),
    /// The store could not be opened.
    #[error("cannot open the data folder: {0}")]
    Store(#[from] StoreError),
}

/// Entry point: [`LocalHub::builder`].
#[derive(Debug)]
pub struct LocalHub;

impl LocalHub {
    /// A builder with no users, a temporary data folder and a free port on 127.0.0.1.
    pub fn builder() -> LocalHubBuilder {
        LocalHubBuilder {
            auth: AuthConfig::default(),
            data_dir: None,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            faults: Vec::new(),
            public_url: None,
            cdn_ttl: Duration::from_secs(3600),
            cdn_base_url: None,
            multipart_chunk_size: api::lfs::MULTIPART_CHUNK_SIZE,
            limits: ConnectionLimits::default(),
            space_build_delay: Duration::from_secs(1),
            space_start_delay: Duration::ZERO,
            endpoint_delays: EndpointDelays::default(),
            delivery: DeliveryPolicy::default(),
            community: seed::CommunitySeed::default(),
            gc_grace: storage::DEFAULT_GC_GRACE,
        }
    }
}

/// Configures and starts a hub.
#[derive(Debug)]
#[must_use]
pub struct LocalHubBuilder {
    auth: AuthConfig,
    data_dir: Option<PathBuf>,
    addr: SocketAddr,
    faults: Vec<FaultSpec>,
    public_url: Option<String>,
    cdn_ttl: Duration,
    cdn_base_url: Option<String>,
    multipart_chunk_size: u64,
    limits: ConnectionLimits,
    space_build_delay: Duration,
    space_start_delay: Duration,
    endpoint_delays: EndpointDelays,
    delivery: DeliveryPolicy,
    community: seed::CommunitySeed,
    gc_grace: Duration,
}

impl LocalHubBuilder {
    /// Adds a user with a write token.
    pub fn user(mut self, name: &str, token: &str) -> Self {
        self.auth.add_user(name, token);
        self
    }

    /// Adds a read-only token for a user.
    pub fn read_token(mut self, name: &str, token: &str) -> Self {
        self.auth.add_read_token(name, token);
        self
    }

    /// Adds an organization with its members.
    pub fn org<I, S>(mut self, org: &str, members: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.auth.add_org(org, members.into_iter().map(Into::into));
        self
    }

    /// Adds `user` to the organization `org` with `role` (`admin`, `write`, `contributor`,
    /// `read`), as listed by `GET /api/organizations/{org}/members`.
    pub fn org_member(mut self, org: &str, user: &str, role: &str) -> Self {
        self.auth.add_org_member(org, user, role);
        self
    }

    /// Keeps the state in `dir` (created if missing); without it a temporary folder is used and removed when
    /// the handle drops.
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// The address to listen on (default `127.0.0.1:0`, a free port).
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Adds a fault (see [`fault`] for the kinds).
    pub fn fault(mut self, spec: FaultSpec) -> Self {
        self.faults.push(spec);
        self
    }

    /// The base URL written into absolute URLs (`Link`, redirects, repo URLs), overriding the request's
    /// `Host` header.
    pub fn public_url(mut self, url: impl Into<String>) -> Self {
        self.public_url = Some(url.into().trim_end_matches('/').to_owned());
        self
    }

    /// Grace period of the garbage collector (default one day): LFS objects uploaded but never
    /// committed, and abandoned multipart staging, are removed once older than this. The hub
    /// collects every `grace / 24` (at least every second, at most every hour).
    pub fn gc_grace(mut self, grace: Duration) -> Self {
        self.gc_grace = grace;
        self
    }

    /// How long signed CDN-like download URLs stay valid (default one hour).
    pub fn cdn_url_ttl(mut self, ttl: Duration) -> Self {
        self.cdn_ttl = ttl;
        self
    }

    /// Redirects LFS downloads to `{url}/cdn/lfs/{sha256}?...` on an external static file server
    /// (e.g. nginx serving the data folder's `objects/lfs`, the way the Hub's CDN serves the
    /// bytes) instead of the hub's own `/cdn/lfs` route. The signature is still in the query;
    /// the hub's own route keeps checking it, a static server ignores it.
    pub fn cdn_base_url(mut self, url: impl Into<String>) -> Self {
        self.cdn_base_url = Some(url.into().trim_end_matches('/').to_owned());
        self
    }

    /// Connections served at once and the time each request's headers may take (defaults:
    /// 1024 connections, 30 s).
    pub fn connection_limits(mut self, limits: ConnectionLimits) -> Self {
        self.limits = limits;
        self
    }

    /// LFS objects of at least `bytes` are uploaded in parts of `bytes` (multipart transfer);
    /// smaller ones in one PUT. Default 64 MiB; small values let tests exercise multipart
    /// cheaply. Values under 1 KiB are raised to 1 KiB.
    pub fn multipart_chunk_size(mut self, bytes: u64) -> Self {
        self.multipart_chunk_size = bytes.max(1024);
        self
    }

    /// How long a Space stays `BUILDING` after its creation, a commit, a restart or a change of
    /// hardware, variables or secrets (default one second; tests use milliseconds).
    pub fn space_build_delay(mut self, delay: Duration) -> Self {
        self.space_build_delay = delay;
        self
    }

    /// How long a Space stays `APP_STARTING` after its build (default zero: no such stage).
    pub fn space_start_delay(mut self, delay: Duration) -> Self {
        self.space_start_delay = delay;
        self
    }

    /// How long a simulated Inference Endpoint stays `pending` after a deploy or resume
    /// (default 200 ms).
    pub fn endpoint_pending_delay(mut self, delay: Duration) -> Self {
        self.endpoint_delays.pending = delay;
        self
    }

    /// How long a simulated Inference Endpoint stays `initializing` after `pending` (default
    /// 300 ms).
    pub fn endpoint_initializing_delay(mut self, delay: Duration) -> Self {
        self.endpoint_delays.initializing = delay;
        self
    }

    /// How long a simulated Inference Endpoint stays `updating` after an update (default 200 ms).
    pub fn endpoint_updating_delay(mut self, delay: Duration) -> Self {
        self.endpoint_delays.updating = delay;
        self
    }

    /// How webhooks are delivered: timeout per attempt, retries, backoff (tests use milliseconds).
    pub fn webhook_delivery(mut self, policy: DeliveryPolicy) -> Self {
        self.delivery = policy;
        self
    }

    /// Papers stored at start (paper objects as `GET /api/papers/{id}` answers them; each needs
    /// an `id`); they replace stored papers of the same id.
    pub fn papers(mut self, papers: impl IntoIterator<Item = serde_json::Value>) -> Self {
        self.community.papers.extend(papers);
        self
    }

    /// Profile fields of a user or organization stored at start (`fullname`, `details`,
    /// `avatarUrl`, `isPro`, ...; see [`seed::Seed::profile`]).
    pub fn profile(mut self, name: &str, fields: serde_json::Value) -> Self {
        self.community.profiles.push((name.to_owned(), fields));
        self
    }

    /// A canonical repo (an id without namespace, like `gpt2`), created empty at start unless it exists.
    /// Only this admin option and [`seed::Seed`] create them: as on the Hub, no user can.
    pub fn canonical_repo(mut self, repo_type: hf_types::RepoType, name: &str) -> Self {
        self.community.canonical.push((repo_type, name.to_owned()));
        self
    }

    /// `follower` follows `followee`, recorded at start.
    pub fn follow(mut self, follower: &str, followee: &str) -> Self {
        self.community
            .follows
            .push((follower.to_owned(), followee.to_owned()));
        self
    }

    /// Opens the store, binds the socket and starts serving.
    pub async fn start(self) -> Result<LocalHubHandle, StartError> {
        let (dir, temp) = match self.data_dir {
            Some(d) => (d, None),
            None => {
                let t = tempfile::Builder::new()
                    .prefix("hf-local-hub-")
                    .tempdir()
                    .map_err(StartError::TempDir)?;
                (t.path().to_path_buf(), Some(t))
            }
        };
        let store = tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&dir).map_err(|e| StoreError::io(&dir, e))?;
            Store::open(&dir)
        })
        .await
        .map_err(|e| StoreError::Internal(format!("store open task failed: {e}")))??;
        let millis = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        store.space_delays().set(
            millis(self.space_build_delay),
            millis(self.space_start_delay),
        );
        self.community
            .apply(&seed::Seed::new(store.clone()))
            .await?;
        let listener = tokio::net::TcpListener::bind(self.addr)
            .await
            .map_err(|source| StartError::Bind {
                addr: self.addr,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: self.addr,
            source,
        })?;
        let endpoint = format!("http://{addr}");
        // Signed CDN and upload URLs are the only credential those routes check: the key must
        // not be guessable, so it comes from the OS, not from fastrand.
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| {
            StartError::Store(StoreError::Internal(format!(
                "no OS randomness for the signing key: {e}"
            )))
        })?;
        let base_url: Arc<str> =
            Arc::from(self.public_url.clone().unwrap_or_else(|| endpoint.clone()));
        let faults = Arc::new(fault::FaultInjector::new(self.faults));
        let state = api::AppState {
            events: webhooks::delivery::EventBus::start(
                store.clone(),
                base_url.clone(),
                self.delivery,
            ),
            store: store.clone(),
            auth: Arc::new(self.auth),
            faults: faults.clone(),
            base_url,
            base_url_fixed: self.public_url.is_some(),
            signing_key: Arc::new(key),
            cdn_ttl: self.cdn_ttl,
            cdn_base_url: self.cdn_base_url.map(Arc::from),
            multipart_chunk_size: self.multipart_chunk_size,
            endpoint_delays: self.endpoint_delays,
            commit_gate: Arc::new(api::upload::CommitGate::default()),
        };
        let app = api::router(state);
        let (tx, mut rx) = watch::channel(false);
        spawn_gc(store.clone(), self.gc_grace, rx.clone());
        let limits = self.limits;
        let task = tokio::spawn(async move {
            let stop = async move {
                let _ = rx.wait_for(|stop| *stop).await;
            };
            serve(listener, app, limits, stop).await
        });
        Ok(LocalHubHandle {
            addr,
            endpoint,
            store,
            faults,
            stop: tx,
            task: Some(task),
            gc_grace: self.gc_grace,
            _temp: temp,
        })
    }
}

/// Collects garbage every `grace / 24` (clamped to 1 s ..= 1 h) until `stop`.
fn spawn_gc(store: Store, grace: Duration, mut stop: watch::Receiver<bool>) {
    let every = (grace / 24).clamp(Duration::from_secs(1), Duration::from_secs(3600));
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = stop.wait_for(|s| *s) => return,
                () = tokio::time::sleep(every) => {}
            }
            // A failed pass is retried at the next tick; nothing is lost by skipping one.
            let _ = store.collect_garbage(grace).await;
        }
    });
}

/// A running hub. Dropping it stops the server (without waiting); [`LocalHubHandle::shutdown`] waits for
/// in-flight requests to finish.
#[derive(Debug)]
pub struct LocalHubHandle {
    addr: SocketAddr,
    endpoint: String,
    store: Store,
    faults: Arc<fault::FaultInjector>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    gc_grace: Duration,
    _temp: Option<tempfile::TempDir>,
}

impl LocalHubHandle {
    /// The base URL, `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The base URL of the simulated Inference Endpoints API:
    /// `http://127.0.0.1:PORT/api/inference-endpoints/v2` (give it to the client's
    /// `inference_endpoints_endpoint`).
    pub fn inference_endpoints_endpoint(&self) -> String {
        format!("{}/api/inference-endpoints/v2", self.endpoint)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Seeds repos, files and refs straight into the storage, and reads them back (see [`seed`]).
    pub fn seed(&self) -> seed::Seed {
        seed::Seed::new(self.store.clone())
    }

    /// How many requests matched each configured fault, in order: with a `delay=0` fault on a
    /// path, a request counter for tests (e.g. "the resumed upload sent no commit again").
    pub fn fault_hits(&self) -> Vec<u64> {
        self.faults.hits()
    }

    /// Runs the garbage collector now (as the periodic task does) with the configured grace period.
    pub async fn collect_garbage(&self) -> Result<GcReport, StoreError> {
        self.store.collect_garbage(self.gc_grace).await
    }

    /// Stops accepting connections and waits for in-flight requests to finish.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for LocalHubHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// What one peer may hold of the server: bounded connections, and a deadline for each request's
/// headers (also for an idle keep-alive connection waiting for its next request), so half-open
/// or slow clients cannot lock others out.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Connections served at once; past this, new connections are closed at once.
    pub max_connections: usize,
    /// Time a client has to send a request's headers (and an idle connection to start one).
    pub header_read_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            max_connections: 1024,
            header_read_timeout: Duration::from_secs(30),
        }
    }
}

/// Accepts connections until `stop`, each served by hyper with the limits, then waits for the
/// connections in flight to finish (graceful shutdown).
async fn serve(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    limits: ConnectionLimits,
    stop: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use tower::ServiceExt;

    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    tokio::pin!(stop);
    loop {
        let (tcp, _) = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                // Out of descriptors or a reset before accept: wait a moment, keep serving.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            drop(tcp); // over the cap: closed at once rather than queued
            continue;
        };
        // Without TCP_NODELAY a small response waits for the client's delayed ACK (~40 ms), so
        // many-small-requests benchmarks would measure Nagle, not the client.
        let _ = tcp.set_nodelay(true);
        let app = app.clone();
        let service =
            hyper::service::service_fn(move |request: http::Request<hyper::body::Incoming>| {
                app.clone().oneshot(request.map(axum::body::Body::new))
            });
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(tcp), service)
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(slot);
        });
    }
    graceful.shutdown().await;
    Ok(())
}
