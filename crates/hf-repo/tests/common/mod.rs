//! Shared helpers: the hub fixture of hf-local-hub (users, an org, repos seeded through its seeding API,
//! so the client under test is not used to set up its own test) and clients of it.
// Helpers outside #[test] functions may panic too: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(dead_code, unused_imports)]

use hf_http::HubClient;
pub use hf_local_hub::fixture::{ALICE, ALICE_READ, BOB, File, TestHub as Hub};

/// Clients of the test hub (the fixture cannot build them: hf-local-hub does not depend on hf-http).
pub trait Clients {
    /// A client authenticated as alice (write).
    fn client(&self) -> HubClient;
    /// A client with this token (or none).
    fn client_with(&self, token: Option<&str>) -> HubClient;
    /// The bytes of `path` at `revision`, read back with a plain GET on the resolve URL.
    async fn read(&self, repo_prefix: &str, revision: &str, path: &str) -> Option<Vec<u8>>;
}

impl Clients for Hub {
    fn client(&self) -> HubClient {
        self.client_with(Some(ALICE))
    }

    fn client_with(&self, token: Option<&str>) -> HubClient {
        HubClient::builder()
            .endpoint(self.endpoint())
            .token(token)
            .build()
            .unwrap()
    }

    async fn read(&self, repo_prefix: &str, revision: &str, path: &str) -> Option<Vec<u8>> {
        let url = format!(
            "{}/{repo_prefix}/resolve/{}/{path}",
            self.endpoint(),
            hf_types::encode_segment(revision)
        );
        match self.client().get(url.parse().unwrap()).await {
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
