//! Shared helpers: an in-process hf-local-hub with repos seeded through its library API.
// Helpers outside #[test] functions may panic too: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(dead_code)]

use std::path::Path;

use bytes::Bytes;
use hf_cache::CacheDir;
use hf_http::HubClient;
use hf_local_hub::storage::{CommitInput, NewRepo, Op};
use hf_local_hub::{FaultSpec, LocalHub};
use hf_types::RepoType;
use sha2::{Digest, Sha256};

pub struct Hub {
    pub handle: hf_local_hub::LocalHubHandle,
}

pub enum File<'a> {
    Regular(&'a str, Vec<u8>),
    Lfs(&'a str, Vec<u8>),
}

impl Hub {
    pub async fn start() -> Hub {
        Hub::start_with(Vec::new()).await
    }

    pub async fn start_with(faults: Vec<FaultSpec>) -> Hub {
        let mut b = LocalHub::builder().user("alice", "hf_alice");
        for f in faults {
            b = b.fault(f);
        }
        Hub {
            handle: b.start().await.unwrap(),
        }
    }

    pub fn endpoint(&self) -> &str {
        self.handle.endpoint()
    }

    pub fn client(&self) -> HubClient {
        HubClient::builder()
            .endpoint(self.endpoint())
            .token(Some("hf_alice"))
            .build()
            .unwrap()
    }

    pub fn offline_client(&self) -> HubClient {
        HubClient::builder()
            .endpoint(self.endpoint())
            .offline(true)
            .build()
            .unwrap()
    }

    /// Creates `alice/{name}` (model) if needed and commits the files on `main`; returns the commit.
    pub async fn commit(&self, name: &str, files: Vec<File<'_>>) -> String {
        let store = self.handle.store();
        let repo = match store
            .repo(RepoType::Model, &format!("alice/{name}"))
            .await
            .unwrap()
        {
            Some(r) => r,
            None => store
                .create_repo(NewRepo {
                    repo_type: RepoType::Model,
                    namespace: "alice".into(),
                    name: name.into(),
                    private: false,
                    sdk: None,
                    extra: serde_json::json!({}),
                })
                .await
                .unwrap(),
        };
        let mut ops = Vec::new();
        for f in files {
            match f {
                File::Regular(path, bytes) => ops.push(Op::AddRegular {
                    path: path.into(),
                    bytes: Bytes::from(bytes),
                }),
                File::Lfs(path, bytes) => {
                    let sha = hex::encode(Sha256::digest(&bytes));
                    let size = bytes.len() as u64;
                    let stream = futures_util::stream::iter(
                        bytes
                            .chunks(1 << 20)
                            .map(|c| Ok::<_, std::io::Error>(Bytes::copy_from_slice(c)))
                            .collect::<Vec<_>>(),
                    );
                    store.lfs_ingest(&sha, Some(size), stream).await.unwrap();
                    ops.push(Op::AddLfs {
                        path: path.into(),
                        sha256: sha,
                        size: Some(size),
                    });
                }
            }
        }
        let out = store
            .commit(
                &repo,
                "main",
                CommitInput {
                    summary: "seed".into(),
                    description: String::new(),
                    parent_commit: None,
                    author: "alice".into(),
                    ops,
                },
            )
            .await
            .unwrap();
        out.commit_id
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

impl Hub {
    pub fn counting_client(&self) -> (HubClient, Counter) {
        let c = Counter::default();
        let client = HubClient::builder()
            .endpoint(self.endpoint())
            .token(Some("hf_alice"))
            .layer(c.clone())
            .build()
            .unwrap();
        (client, c)
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
