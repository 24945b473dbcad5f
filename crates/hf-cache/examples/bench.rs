//! Download benchmark against an in-process hf-local-hub, compared with `curl`.
//!
//! `cargo run --release -p hf-cache --example bench -- [BIG_MIB] [SMALL_COUNT]`
//! (defaults 1024 and 1000). Prints one line per measurement; the xtask can parse them:
//! `bench <name> <seconds> <MB/s>`.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use bytes::Bytes;
use hf_cache::prelude::*;
use hf_cache::{CacheDir, HubDownload, SnapshotDownload};
use hf_http::HubClient;
use hf_local_hub::LocalHub;
use hf_local_hub::storage::{CommitInput, NewRepo, Op};
use hf_types::RepoType;
use sha2::{Digest, Sha256};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn report(name: &str, took: Duration, bytes: u64) {
    let secs = took.as_secs_f64();
    let mbps = bytes as f64 / 1e6 / secs.max(1e-9);
    eprintln!("bench {name} {secs:.3} {mbps:.1}");
}

async fn create(
    hub: &hf_local_hub::LocalHubHandle,
    name: &str,
) -> Result<hf_local_hub::storage::RepoRecord, BoxError> {
    Ok(hub
        .store()
        .create_repo(NewRepo {
            repo_type: RepoType::Model,
            namespace: "bench".into(),
            name: name.into(),
            private: false,
            sdk: None,
            extra: serde_json::json!({}),
        })
        .await?)
}

fn commit_input(ops: Vec<Op>) -> CommitInput {
    CommitInput {
        summary: "bench".into(),
        description: String::new(),
        parent_commit: None,
        author: "bench".into(),
        ops,
    }
}

fn curl(args: &[&str], dir: &Path) -> Result<Duration, BoxError> {
    let start = Instant::now();
    let status = Command::new("curl").args(args).current_dir(dir).status()?;
    if !status.success() {
        return Err(format!("curl failed: {status}").into());
    }
    Ok(start.elapsed())
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let mut args = std::env::args().skip(1);
    let big_mib: u64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(1024);
    let small_n: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(1000);
    let hub = LocalHub::builder()
        .user("bench", "hf_bench")
        .start()
        .await?;
    let work = tempfile::tempdir()?;

    // Seed: one big LFS file, and `small_n` regular files of 16 KiB.
    let big_len = big_mib << 20;
    // Generated twice from the same seed (hash first, then upload) so the bench's own
    // memory stays small and the peak RSS reflects the download.
    let gen_chunks = move || {
        let mut rng = fastrand::Rng::with_seed(7);
        let mut left = big_len;
        std::iter::from_fn(move || {
            if left == 0 {
                return None;
            }
            let n = left.min(8 << 20) as usize;
            let mut c = vec![0u8; n];
            rng.fill(&mut c);
            left -= n as u64;
            Some(Bytes::from(c))
        })
    };
    let mut hasher = Sha256::new();
    for c in gen_chunks() {
        hasher.update(&c);
    }
    let sha = hex::encode(hasher.finalize());
    let stream = futures_util::stream::iter(gen_chunks().map(Ok::<_, std::io::Error>));
    hub.store().lfs_ingest(&sha, Some(big_len), stream).await?;
    let mut rng = fastrand::Rng::with_seed(8);
    let big = create(&hub, "big").await?;
    hub.store()
        .commit(
            &big,
            "main",
            commit_input(vec![Op::AddLfs {
                path: "big.bin".into(),
                sha256: sha,
                size: Some(big_len),
            }]),
        )
        .await?;
    let small = create(&hub, "small").await?;
    let ops = (0..small_n)
        .map(|i| {
            let mut c = vec![0u8; 16 << 10];
            rng.fill(&mut c);
            Op::AddRegular {
                path: format!("f/{i:05}.bin"),
                bytes: Bytes::from(c),
            }
        })
        .collect();
    hub.store()
        .commit(&small, "main", commit_input(ops))
        .await?;

    let client = HubClient::builder()
        .endpoint(hub.endpoint())
        .token(Some("hf_bench"))
        .build()?;
    let ep = hub.endpoint().to_owned();

    // Big file: curl -L into a file, then us (cold), then us (warm).
    let cdir = work.path().join("curl");
    std::fs::create_dir_all(&cdir)?;
    let url = format!("{ep}/bench/big/resolve/main/big.bin");
    let t = curl(&["-sSfL", "-o", "big.bin", &url], &cdir)?;
    report("curl_big", t, big_len);
    std::fs::remove_file(cdir.join("big.bin"))?;
    let cache = CacheDir::new(work.path().join("hub"));
    let start = Instant::now();
    HubDownload::new(client.clone(), "bench/big".parse()?, "big.bin")
        .cache_dir(cache.clone())
        .await?;
    report("hf_cache_big_cold", start.elapsed(), big_len);
    let start = Instant::now();
    HubDownload::new(client.clone(), "bench/big".parse()?, "big.bin")
        .cache_dir(cache.clone())
        .await?;
    report("hf_cache_big_warm", start.elapsed(), 0);

    // Many small files: curl over one keep-alive connection (a config file of URLs), then us.
    let mut cfg = String::new();
    for i in 0..small_n {
        cfg.push_str(&format!(
            "url = \"{ep}/bench/small/resolve/main/f/{i:05}.bin\"\noutput = \"s{i:05}.bin\"\n"
        ));
    }
    std::fs::write(cdir.join("urls.cfg"), cfg)?;
    let t = curl(&["-sSfL", "-K", "urls.cfg"], &cdir)?;
    report("curl_small", t, (small_n as u64) << 14);
    let start = Instant::now();
    SnapshotDownload::new(client.clone(), "bench/small".parse()?)
        .cache_dir(cache.clone())
        .await?;
    report(
        "hf_cache_small_cold",
        start.elapsed(),
        (small_n as u64) << 14,
    );
    let start = Instant::now();
    SnapshotDownload::new(client.clone(), "bench/small".parse()?)
        .cache_dir(cache.clone())
        .await?;
    report("hf_cache_small_warm_branch", start.elapsed(), 0);
    let t = curl(
        &[
            "-sSf",
            "-o",
            "/dev/null",
            &format!("{ep}/api/models/bench/small/revision/main?expand=sha"),
        ],
        &cdir,
    )?;
    report("curl_one_request", t, 0);

    // Scan of the cache.
    let start = Instant::now();
    let info = hf_cache::scan_cache_dir(cache.path())?;
    report("hf_cache_scan", start.elapsed(), info.size_on_disk);
    hub.shutdown().await;
    Ok(())
}
