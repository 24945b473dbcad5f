//! Publishes a small generated model repo on an in-process hf-local-hub and downloads
//! it into a cache folder, then prints the scan of that cache.
//!
//! `cargo run -p hf-cache --example demo -- CACHE_DIR`
//! (no token or network needed; the cache is the Python client's layout).

use std::path::PathBuf;

use bytes::Bytes;
use hf_cache::prelude::*;
use hf_cache::{CacheDir, HubDownload, SnapshotDownload, format_size, scan_cache_dir};
use hf_http::HubClient;
use hf_local_hub::LocalHub;
use hf_local_hub::storage::{CommitInput, NewRepo, Op};
use hf_types::RepoType;
use sha2::{Digest, Sha256};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let cache_dir: PathBuf = std::env::args()
        .nth(1)
        .ok_or("usage: demo CACHE_DIR")?
        .into();
    let hub = LocalHub::builder().user("demo", "hf_demo").start().await?;
    let store = hub.store();
    let repo = store
        .create_repo(NewRepo {
            repo_type: RepoType::Model,
            namespace: "demo".into(),
            name: "tiny-model".into(),
            private: false,
            sdk: None,
            extra: serde_json::json!({}),
        })
        .await?;
    let weights: Vec<u8> = (0..3_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let sha = hex::encode(Sha256::digest(&weights));
    let size = weights.len() as u64;
    store
        .lfs_ingest(
            &sha,
            Some(size),
            futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from(weights))]),
        )
        .await?;
    let ops = vec![
        Op::AddRegular {
            path: "config.json".into(),
            bytes: Bytes::from_static(b"{\"model_type\": \"tiny\"}"),
        },
        Op::AddRegular {
            path: "tokenizer/vocab.txt".into(),
            bytes: Bytes::from_static(b"hello\nworld\n"),
        },
        Op::AddLfs {
            path: "model.safetensors".into(),
            sha256: sha,
            size: Some(size),
        },
    ];
    let input = CommitInput {
        summary: "Initial model".into(),
        description: String::new(),
        parent_commit: None,
        author: "demo".into(),
        ops,
    };
    let commit = store.commit(&repo, "main", input).await?;
    eprintln!("published demo/tiny-model at {}", commit.commit_id);

    let client = HubClient::builder()
        .endpoint(hub.endpoint())
        .token(Some("hf_demo"))
        .build()?;
    let cache = CacheDir::new(&cache_dir);
    let file = HubDownload::new(client.clone(), "demo/tiny-model".parse()?, "config.json")
        .cache_dir(cache.clone())
        .await?;
    eprintln!("hf_hub_download: {}", file.display());
    let folder = SnapshotDownload::new(client, "demo/tiny-model".parse()?)
        .cache_dir(cache.clone())
        .await?;
    eprintln!("snapshot_download: {}", folder.display());

    let info = scan_cache_dir(cache.path())?;
    for r in &info.repos {
        eprintln!(
            "{} {} {} files {}",
            r.repo_type,
            r.repo_id,
            r.nb_files,
            format_size(r.size_on_disk)
        );
    }
    hub.shutdown().await;
    Ok(())
}
