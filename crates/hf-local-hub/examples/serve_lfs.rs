//! Download benchmark helper: starts a hub holding one LFS file of N MiB (default 1024) in `alice/bench`,
//! prints its resolve URL, and serves until Ctrl-C.
//!
//! ```text
//! cargo run --release -p hf-local-hub --example serve_lfs -- 1024
//! curl -sL -o /dev/null -w '%{speed_download}\n' <printed URL>
//! ```

use std::io::Write;

use bytes::Bytes;
use hf_local_hub::LocalHub;
use hf_local_hub::storage::{CommitInput, NewRepo, Op};
use hf_types::RepoType;
use sha2::{Digest, Sha256};

const CHUNK: usize = 1 << 20;

fn chunk(i: usize) -> Bytes {
    // Cheap deterministic content that is not all zeros.
    let mut v = vec![0u8; CHUNK];
    for (j, b) in v.iter_mut().enumerate() {
        *b = (i.wrapping_mul(31) ^ j) as u8;
    }
    Bytes::from(v)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mib: usize = std::env::args().nth(1).map_or(Ok(1024), |a| a.parse())?;
    let hub = LocalHub::builder()
        .user("alice", "hf_alice")
        .start()
        .await?;
    let mut h = Sha256::new();
    for i in 0..mib {
        h.update(chunk(i));
    }
    let sha = hex::encode(h.finalize());
    let stream = futures_util::stream::iter((0..mib).map(|i| Ok::<_, std::io::Error>(chunk(i))));
    let size = hub
        .store()
        .lfs_ingest(&sha, Some((mib * CHUNK) as u64), stream)
        .await?;
    let repo = hub
        .store()
        .create_repo(NewRepo {
            repo_type: RepoType::Model,
            namespace: "alice".into(),
            name: "bench".into(),
            private: false,
            sdk: None,
            extra: serde_json::Value::Null,
        })
        .await?;
    hub.store()
        .commit(
            &repo,
            "main",
            CommitInput {
                summary: "add big file".into(),
                description: String::new(),
                parent_commit: None,
                author: "alice".into(),
                ops: vec![Op::AddLfs {
                    path: "big.bin".into(),
                    sha256: sha,
                    size: Some(size),
                }],
            },
        )
        .await?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}/alice/bench/resolve/main/big.bin", hub.endpoint())?;
    out.flush()?;
    drop(out);
    tokio::signal::ctrl_c().await?;
    hub.shutdown().await;
    Ok(())
}
