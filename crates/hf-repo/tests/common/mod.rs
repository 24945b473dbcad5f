//! Shared helpers: an in-process hf-local-hub with users, an org, and repos seeded through its
//! library API (so the client under test is not used to set up its own test).
// Helpers outside #[test] functions may panic too: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(dead_code)]

use bytes::Bytes;
use hf_http::HubClient;
use hf_local_hub::storage::{CommitInput, NewRepo, Op};
use hf_local_hub::{FaultSpec, LocalHub, LocalHubBuilder};
use hf_types::RepoType;
use sha2::{Digest, Sha256};

/// Write token of `alice` (member of org `acme`).
pub const ALICE: &str = "hf_alice_write";
/// Read-only token of `alice`.
pub const ALICE_READ: &str = "hf_alice_read";
/// Write token of `bob`.
pub const BOB: &str = "hf_bob_write";

pub struct Hub {
    pub handle: hf_local_hub::LocalHubHandle,
}

pub enum File<'a> {
    Regular(&'a str, Vec<u8>),
    Lfs(&'a str, Vec<u8>),
}

fn base() -> LocalHubBuilder {
    LocalHub::builder()
        .user("alice", ALICE)
        .read_token("alice", ALICE_READ)
        .user("bob", BOB)
        .org("acme", ["alice"])
}

impl Hub {
    pub async fn start() -> Hub {
        Hub::start_with(|b| b).await
    }

    /// A hub with extra builder settings (faults, multipart chunk size, ...).
    pub async fn start_with(configure: impl FnOnce(LocalHubBuilder) -> LocalHubBuilder) -> Hub {
        Hub {
            handle: configure(base()).start().await.unwrap(),
        }
    }

    /// A hub with these faults injected.
    pub async fn start_with_faults(faults: Vec<FaultSpec>) -> Hub {
        Hub::start_with(|mut b| {
            for f in faults {
                b = b.fault(f);
            }
            b
        })
        .await
    }

    pub fn endpoint(&self) -> &str {
        self.handle.endpoint()
    }

    /// A client authenticated as alice (write).
    pub fn client(&self) -> HubClient {
        self.client_with(Some(ALICE))
    }

    /// A client with this token (or none).
    pub fn client_with(&self, token: Option<&str>) -> HubClient {
        HubClient::builder()
            .endpoint(self.endpoint())
            .token(token)
            .build()
            .unwrap()
    }

    /// Creates `{namespace}/{name}` of `repo_type` through the store (not the client).
    pub async fn create(&self, repo_type: RepoType, namespace: &str, name: &str, private: bool) {
        self.handle
            .store()
            .create_repo(NewRepo {
                repo_type,
                namespace: namespace.into(),
                name: name.into(),
                private,
                sdk: (repo_type == RepoType::Space).then(|| "gradio".to_string()),
                extra: serde_json::json!({}),
            })
            .await
            .unwrap();
    }

    /// Creates the model `alice/{name}` if needed and commits the files on `main` through the
    /// store; returns the commit id.
    pub async fn commit(&self, name: &str, files: Vec<File<'_>>) -> String {
        self.commit_to(RepoType::Model, &format!("alice/{name}"), "main", files)
            .await
    }

    /// Commits the files on `branch` of `repo` (created as a public repo if missing).
    pub async fn commit_to(
        &self,
        repo_type: RepoType,
        repo: &str,
        branch: &str,
        files: Vec<File<'_>>,
    ) -> String {
        let store = self.handle.store();
        let repo = match store.repo(repo_type, repo).await.unwrap() {
            Some(r) => r,
            None => {
                let (ns, name) = repo.split_once('/').unwrap();
                self.create(repo_type, ns, name, false).await;
                store.repo(repo_type, repo).await.unwrap().unwrap()
            }
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
        store
            .commit(
                &repo,
                branch,
                CommitInput {
                    summary: "seed".into(),
                    description: String::new(),
                    parent_commit: None,
                    author: "alice".into(),
                    ops,
                },
            )
            .await
            .unwrap()
            .commit_id
    }

    /// The bytes of `path` at `revision`, read back with a plain GET on the resolve URL.
    pub async fn read(&self, repo_prefix: &str, revision: &str, path: &str) -> Option<Vec<u8>> {
        let url = format!(
            "{}/{repo_prefix}/resolve/{}/{path}",
            self.endpoint(),
            hf_types::encode_segment(revision)
        );
        let client = self.client();
        match client.get(url.parse().unwrap()).await {
            Ok(r) => Some(r.bytes().await.unwrap().to_vec()),
            Err(hf_http::Error::EntryNotFound(_)) => None,
            Err(e) => panic!("GET {url}: {e}"),
        }
    }
}

/// Deterministic pseudo-random bytes.
pub fn data(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}
