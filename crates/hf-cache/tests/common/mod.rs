//! Shared helpers: the hub fixture of hf-local-hub (repos seeded through its seeding API) and clients of it.
// Helpers outside #[test] functions may panic too: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(dead_code, unused_imports)]

use std::path::Path;

use hf_cache::CacheDir;
use hf_http::HubClient;
pub use hf_local_hub::fixture::{ALICE, File, TestHub as Hub};

/// Clients of the test hub (the fixture cannot build them: hf-local-hub does not depend on hf-http).
pub trait Clients {
    /// A client authenticated as alice.
    fn client(&self) -> HubClient;
    /// A client in offline mode (no request leaves it).
    fn offline_client(&self) -> HubClient;
    /// A client authenticated as alice that counts its requests.
    fn counting_client(&self) -> (HubClient, Counter);
}

impl Clients for Hub {
    fn client(&self) -> HubClient {
        HubClient::builder()
            .endpoint(self.endpoint())
            .token(Some(ALICE))
            .build()
            .unwrap()
    }

    fn offline_client(&self) -> HubClient {
        HubClient::builder()
            .endpoint(self.endpoint())
            .offline(true)
            .build()
            .unwrap()
    }

    fn counting_client(&self) -> (HubClient, Counter) {
        let c = Counter::default();
        let client = HubClient::builder()
            .endpoint(self.endpoint())
            .token(Some(ALICE))
            .layer(c.clone())
            .build()
            .unwrap();
        (client, c)
    }
}

pub fn cache(dir: &Path) -> CacheDir {
    CacheDir::new(dir.join("hub"))
}

/// Deterministic pseudo-random bytes.
pub fn data(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut v = vec![0u8; len];
    rng.fill(&mut v);
    v
}

/// Every file below `dir` whose name ends with `.incomplete`.
pub fn incompletes(dir: &Path) -> Vec<std::path::PathBuf> {
    walk(dir)
        .into_iter()
        .filter(|p| p.to_string_lossy().ends_with(".incomplete"))
        .collect()
}

pub fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() && !p.is_symlink() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// Counts requests sent through a client (a tower layer outside the stack).
#[derive(Clone, Default)]
pub struct Counter(pub std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl Counter {
    pub fn get(&self) -> usize {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

#[derive(Clone)]
pub struct CountService<S> {
    inner: S,
    n: Counter,
}

impl<S> tower::Layer<S> for Counter {
    type Service = CountService<S>;
    fn layer(&self, inner: S) -> CountService<S> {
        CountService {
            inner,
            n: self.clone(),
        }
    }
}

impl<S, R> tower::Service<R> for CountService<S>
where
    S: tower::Service<R>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;
    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }
    fn call(&mut self, req: R) -> S::Future {
        self.n.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.inner.call(req)
    }
}

/// A reporter recording bytes and retries.
#[derive(Default)]
pub struct Rec {
    pub bytes: std::sync::atomic::AtomicU64,
    pub retries: std::sync::Mutex<Vec<u64>>,
    pub starts: std::sync::Mutex<Vec<(u64, u64)>>,
}

impl hf_cache::Reporter for Rec {
    fn on_download_start(&self, _file: &str, total: u64, already: u64) {
        self.starts.lock().unwrap().push((total, already));
    }
    fn on_progress(&self, _file: &str, bytes: u64) {
        self.bytes
            .fetch_add(bytes, std::sync::atomic::Ordering::SeqCst);
    }
    fn on_retry(&self, _file: &str, offset: u64, _attempt: u32) {
        self.retries.lock().unwrap().push(offset);
    }
}
