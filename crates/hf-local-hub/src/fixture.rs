//! The standard test fixture every crate's tests share: a hub with the users `alice` (a write and a
//! read-only token) and `bob`, the organization `acme` (member `alice`), and helpers that seed repos
//! through [`crate::seed`].
//!
//! This module is for tests: its helpers panic when the set-up fails, because a failed set-up is a failed
//! test. Building a client stays in each crate's tests (this crate does not depend on the clients).
//!
//! ```
//! use hf_local_hub::fixture::{File, TestHub};
//!
//! # async fn demo() {
//! let hub = TestHub::start().await;
//! let commit = hub
//!     .commit("tiny", vec![File::Regular("a.txt", b"a".to_vec())])
//!     .await;
//! assert_eq!(commit.len(), 40);
//! # }
//! # tokio::runtime::Runtime::new().map_err(|e| e.to_string())?.block_on(demo());
//! # Ok::<(), String>(())
//! ```

use std::ops::Deref;

use hf_types::RepoType;

use crate::{FaultSpec, LocalHub, LocalHubBuilder, LocalHubHandle};

/// Write token of `alice` (member of the org `acme`).
pub const ALICE: &str = "hf_alice_write";
/// Read-only token of `alice`.
pub const ALICE_READ: &str = "hf_alice_read";
/// Write token of `bob` (no org).
pub const BOB: &str = "hf_bob_write";

/// A builder with the standard users and org, to configure further before starting.
pub fn builder() -> LocalHubBuilder {
    LocalHub::builder()
        .user("alice", ALICE)
        .read_token("alice", ALICE_READ)
        .user("bob", BOB)
        .org("acme", ["alice"])
}

/// A file to commit with [`TestHub::commit`]: `(path, content)`.
#[derive(Debug, Clone)]
pub enum File<'a> {
    /// A regular (git) file.
    Regular(&'a str, Vec<u8>),
    /// An LFS file.
    Lfs(&'a str, Vec<u8>),
}

/// A running hub with the standard users; it dereferences to its [`LocalHubHandle`].
#[derive(Debug)]
pub struct TestHub {
    handle: LocalHubHandle,
}

impl Deref for TestHub {
    type Target = LocalHubHandle;

    fn deref(&self) -> &LocalHubHandle {
        &self.handle
    }
}

impl TestHub {
    /// Starts a hub with the standard users.
    ///
    /// # Panics
    /// When the hub cannot start.
    pub async fn start() -> TestHub {
        TestHub::start_with(|b| b).await
    }

    /// Starts a hub with the standard users and the extra settings of `configure` (faults, data folder,
    /// multipart chunk size, ...).
    ///
    /// # Panics
    /// When the hub cannot start.
    pub async fn start_with(configure: impl FnOnce(LocalHubBuilder) -> LocalHubBuilder) -> TestHub {
        match configure(builder()).start().await {
            Ok(handle) => TestHub { handle },
            Err(e) => panic!("the test hub did not start: {e}"),
        }
    }

    /// Starts a hub with the standard users and these faults.
    ///
    /// # Panics
    /// When the hub cannot start.
    pub async fn start_with_faults(faults: Vec<FaultSpec>) -> TestHub {
        TestHub::start_with(|b| faults.into_iter().fold(b, LocalHubBuilder::fault)).await
    }

    /// The running hub.
    pub fn handle(&self) -> &LocalHubHandle {
        &self.handle
    }

    /// Stops the hub and waits for in-flight requests.
    pub async fn shutdown(self) {
        self.handle.shutdown().await;
    }

    /// Creates `{namespace}/{name}` of `repo_type` (a space gets the `gradio` SDK).
    ///
    /// # Panics
    /// When the repo exists or cannot be created.
    pub async fn create(&self, repo_type: RepoType, namespace: &str, name: &str, private: bool) {
        let id = format!("{namespace}/{name}");
        if let Err(e) = self.seed().repo(repo_type, &id).create(private).await {
            panic!("cannot create {id}: {e}");
        }
    }

    /// Commits `files` on `main` of the model `alice/{name}`, created as a public repo if missing; returns
    /// the commit id.
    ///
    /// # Panics
    /// When the commit fails.
    pub async fn commit(&self, name: &str, files: Vec<File<'_>>) -> String {
        self.commit_to(RepoType::Model, &format!("alice/{name}"), "main", files)
            .await
    }

    /// Commits `files` on `branch` of `repo` (created as a public repo if missing), by `alice` with the
    /// message `seed`; returns the commit id.
    ///
    /// # Panics
    /// When the commit fails.
    pub async fn commit_to(
        &self,
        repo_type: RepoType,
        repo: &str,
        branch: &str,
        files: Vec<File<'_>>,
    ) -> String {
        let target = self.seed().repo(repo_type, repo);
        if let Err(e) = target.create_if_missing().await {
            panic!("cannot create {repo}: {e}");
        }
        let commit = files
            .into_iter()
            .fold(target.commit(branch), |c, file| match file {
                File::Regular(path, content) => c.file(path, content),
                File::Lfs(path, content) => c.lfs(path, content),
            });
        match commit.push().await {
            Ok(id) => id,
            Err(e) => panic!("cannot commit to {branch} of {repo}: {e}"),
        }
    }
}
