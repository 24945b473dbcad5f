//! `cargo xtask soak [--minutes N] [--clients N]`: a fault soak (issue 16). An embedded local hub
//! injects faults (503 and 429 with `Retry-After`, connections dropped mid-body, flipped body
//! bytes) while clients built on the `hf-api` library download into caches of their own and
//! upload through the LFS and commit APIs, concurrently, for N minutes. Then:
//!
//! - every blob of every cache is rehashed against the name it is stored under (its ETag: the
//!   sha256 of LFS files, the git blob sha1 of regular files), and every path a download returned
//!   is compared with the bytes the hub holds: no corrupt file may remain;
//! - every upload is looked up in its repo: one the client saw succeed must be there whole, one it
//!   saw fail must be absent or whole (its answer may be what was lost), never partial;
//! - the retries each client slept for are counted, and the most for one operation is checked
//!   against the policy's maximum.
//!
//! The counts are printed; the command fails when an invariant does not hold.

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hf_api::HfApi;
use hf_http::{RetryPolicy, Sleeper};
use hf_local_hub::FaultSpec;
use sha2::{Digest, Sha256};

use crate::hub::RemoveOnDrop;

const USER: &str = "soak";
const TOKEN: &str = "hf_soak_write";
const DATA_REPO: &str = "soak/data";
/// Most retries of one operation (the policy's `max_retries`).
const MAX_RETRIES: u32 = 6;
/// Downloads into one cache folder before it is checked, then removed (bounds disk use).
const DOWNLOADS_PER_CACHE: u64 = 25;

/// The faults: every n-th matching request (different n, so they interleave).
const FAULTS: [&str; 6] = [
    "status=503,retry_after=1,every=23",
    "status=429,retry_after=1,every=31",
    "drop=700,method=GET,path=*/resolve/*,every=7",
    "drop=20000,method=GET,path=/cdn/*,every=5",
    "flip=100,method=GET,path=*/resolve/*,every=11",
    "flip=5000,method=GET,path=/cdn/*,every=9",
];

/// Counts every sleep before a retry.
#[derive(Clone, Default)]
struct CountingSleeper(Arc<AtomicU64>);

impl Sleeper for CountingSleeper {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Box::pin(tokio::time::sleep(duration))
    }
}

/// What the clients did and what the checks found.
#[derive(Default, Debug)]
struct Counts {
    downloads_ok: u64,
    downloads_failed: u64,
    downloads_wrong_bytes: u64,
    cache_blobs_checked: u64,
    cache_blobs_corrupt: u64,
    uploads_ok: u64,
    uploads_failed: u64,
    uploads_ok_missing: u64,
    uploads_failed_absent: u64,
    uploads_failed_but_landed: u64,
    uploads_partial: u64,
    retries: u64,
    max_retries_one_op: u64,
    /// Why operations failed (their error with digits blanked), and how often.
    errors: HashMap<String, u64>,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.downloads_ok += o.downloads_ok;
        self.downloads_failed += o.downloads_failed;
        self.downloads_wrong_bytes += o.downloads_wrong_bytes;
        self.cache_blobs_checked += o.cache_blobs_checked;
        self.cache_blobs_corrupt += o.cache_blobs_corrupt;
        self.uploads_ok += o.uploads_ok;
        self.uploads_failed += o.uploads_failed;
        self.retries += o.retries;
        self.max_retries_one_op = self.max_retries_one_op.max(o.max_retries_one_op);
        for (k, v) in &o.errors {
            *self.errors.entry(k.clone()).or_default() += v;
        }
    }

    fn failed(&mut self, what: &str, error: &dyn std::fmt::Display) {
        // Ids, ports and hashes blanked, so that errors of one kind are counted together.
        let text: String = error
            .to_string()
            .split(' ')
            .map(|word| {
                if word.chars().filter(char::is_ascii_hexdigit).count() >= 8 {
                    "<hex>".to_owned()
                } else {
                    word.chars()
                        .map(|c| if c.is_ascii_digit() { '#' } else { c })
                        .collect()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .take(150)
            .collect();
        *self.errors.entry(format!("{what}: {text}")).or_default() += 1;
    }
}

/// One upload as its client saw it.
struct UploadRecord {
    repo: String,
    path: String,
    sha256: String,
    succeeded: bool,
}

/// `cargo xtask soak ...`.
pub fn run(args: &[String]) -> Result<(), String> {
    let mut minutes = 2.0f64;
    let mut clients = 16usize;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--minutes" => {
                minutes = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--minutes takes a number")?;
            }
            "--clients" => {
                clients = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|n| *n >= 2)
                    .ok_or("--clients takes a number of at least 2")?;
            }
            other => {
                return Err(format!(
                    "unknown argument {other:?}\nusage: cargo xtask soak [--minutes N] [--clients N]"
                ));
            }
        }
    }
    let work = std::env::temp_dir().join(format!("hf-soak-{}", std::process::id()));
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let _cleanup = RemoveOnDrop(work.clone());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a runtime: {e}"))?;
    let duration = Duration::from_secs_f64(minutes * 60.0);
    let counts = runtime.block_on(soak(duration, clients, &work))?;
    println!(
        "soak: {minutes} min, {clients} clients, faults: {}",
        FAULTS.join(" | ")
    );
    println!("  faults injected (per spec): {}", counts.1);
    let c = counts.0;
    println!(
        "  downloads: {} ok, {} failed after retries, {} returned wrong bytes",
        c.downloads_ok, c.downloads_failed, c.downloads_wrong_bytes
    );
    println!(
        "  cache blobs rehashed: {}, corrupt: {}",
        c.cache_blobs_checked, c.cache_blobs_corrupt
    );
    println!(
        "  uploads: {} ok ({} missing from the repo), {} failed ({} absent, {} landed whole), {} partial",
        c.uploads_ok,
        c.uploads_ok_missing,
        c.uploads_failed,
        c.uploads_failed_absent,
        c.uploads_failed_but_landed,
        c.uploads_partial
    );
    println!(
        "  retries: {} in all, at most {} for one operation (policy maximum {MAX_RETRIES})",
        c.retries, c.max_retries_one_op
    );
    let mut errors: Vec<_> = c.errors.iter().collect();
    errors.sort_by(|a, b| b.1.cmp(a.1));
    for (error, n) in errors.iter().take(12) {
        println!("  {n:>6} x {error}");
    }
    let broken = c.downloads_wrong_bytes
        + c.cache_blobs_corrupt
        + c.uploads_ok_missing
        + c.uploads_partial
        + u64::from(c.max_retries_one_op > u64::from(MAX_RETRIES));
    if broken > 0 {
        return Err("the soak found corrupt files, partial uploads or unbounded retries".into());
    }
    if c.downloads_ok == 0 || c.uploads_ok == 0 {
        return Err("no download or no upload succeeded: the soak tested nothing".into());
    }
    Ok(())
}

async fn soak(duration: Duration, clients: usize, work: &Path) -> Result<(Counts, String), String> {
    let mut builder = hf_local_hub::LocalHub::builder()
        .user(USER, TOKEN)
        .data_dir(work.join("hub"));
    for spec in FAULTS {
        let spec: FaultSpec = spec.parse().map_err(|e| format!("{e}"))?;
        builder = builder.fault(spec);
    }
    let hub = builder
        .start()
        .await
        .map_err(|e| format!("cannot start the hub: {e}"))?;
    // Content made through the store, without faults: what downloads must return.
    let seed = hub.seed();
    let data = seed.model(DATA_REPO);
    data.create(false).await.map_err(|e| e.to_string())?;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut commit = data.commit("main").message("soak data");
    for i in 0..24u32 {
        let lfs = i.is_multiple_of(3);
        let size = if lfs {
            40_000 + fastrand::usize(..300_000)
        } else {
            500 + fastrand::usize(..30_000)
        };
        let bytes: Vec<u8> = if lfs {
            (0..size).map(|_| fastrand::u8(..)).collect()
        } else {
            (0..size).map(|_| fastrand::alphanumeric() as u8).collect()
        };
        let path = format!("d{}/f{i}.{}", i % 4, if lfs { "bin" } else { "txt" });
        commit = if lfs {
            commit.lfs(&path, bytes.clone())
        } else {
            commit.file(&path, bytes.clone())
        };
        files.push((path, bytes));
    }
    commit.push().await.map_err(|e| e.to_string())?;
    let files = Arc::new(files);
    let uploaders = clients / 2;
    for i in 0..uploaders {
        seed.model(&format!("soak/up{i}"))
            .create(false)
            .await
            .map_err(|e| e.to_string())?;
    }
    let deadline = Instant::now() + duration;
    let mut tasks = Vec::new();
    for i in 0..clients {
        let sleeper = CountingSleeper::default();
        let policy = RetryPolicy::new()
            .max_retries(MAX_RETRIES)
            .backoff(Duration::from_millis(50), Duration::from_secs(1))
            .max_retry_after(Duration::from_secs(2))
            .sleeper(sleeper.clone());
        let client = HfApi::client_builder()
            .endpoint(hub.endpoint())
            .token(Some(TOKEN))
            .retry(policy)
            .read_timeout(Some(Duration::from_secs(20)))
            .build()
            .map_err(|e| e.to_string())?;
        let dir = work.join(format!("client{i}"));
        let api = HfApi::from_client(client);
        if i < uploaders {
            tasks.push(tokio::spawn(upload_loop(api, i, dir, deadline, sleeper)));
        } else {
            let files = files.clone();
            tasks.push(tokio::spawn(download_loop(
                api, dir, files, deadline, sleeper,
            )));
        }
    }
    let mut total = Counts::default();
    let mut uploads = Vec::new();
    for task in tasks {
        let (counts, records) = task
            .await
            .map_err(|e| format!("a client panicked: {e}"))??;
        total.add(&counts);
        uploads.extend(records);
    }
    // Every upload: whole or absent, and present when the client saw it succeed.
    let mut heads = HashMap::new();
    for record in &uploads {
        let head = match heads.get(&record.repo) {
            Some(h) => Some(h),
            None => {
                let h = seed
                    .model(&record.repo)
                    .head("main")
                    .await
                    .map_err(|e| e.to_string())?
                    .ok_or("an uploader repo lost its main branch")?;
                heads.insert(record.repo.clone(), h);
                heads.get(&record.repo)
            }
        };
        let head = head.ok_or("no head")?;
        let stored = seed
            .read_file(head, &record.path)
            .await
            .map_err(|e| e.to_string())?;
        match (stored, record.succeeded) {
            (Some(bytes), ok) => {
                if hex::encode(Sha256::digest(&bytes)) != record.sha256 {
                    total.uploads_partial += 1;
                } else if !ok {
                    total.uploads_failed_but_landed += 1;
                }
            }
            (None, true) => total.uploads_ok_missing += 1,
            (None, false) => total.uploads_failed_absent += 1,
        }
    }
    let hits = hub
        .fault_hits()
        .iter()
        .zip(FAULTS)
        .map(|(n, spec)| {
            let every: u64 = spec
                .rsplit_once("every=")
                .and_then(|(_, e)| e.parse().ok())
                .unwrap_or(1);
            format!("{}", n / every)
        })
        .collect::<Vec<_>>()
        .join(", ");
    Ok((total, hits))
}

async fn upload_loop(
    api: HfApi,
    index: usize,
    dir: PathBuf,
    deadline: Instant,
    sleeper: CountingSleeper,
) -> Result<(Counts, Vec<UploadRecord>), String> {
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    let repo = format!("soak/up{index}");
    let repo_id: hf_types::RepoId = repo.parse().map_err(|e| format!("{e}"))?;
    let mut counts = Counts::default();
    let mut records = Vec::new();
    let mut n = 0u64;
    while Instant::now() < deadline {
        n += 1;
        // Binary content goes through LFS (preupload sees NUL bytes), text as a regular file.
        let lfs = n.is_multiple_of(2);
        let size = if lfs {
            20_000 + fastrand::usize(..200_000)
        } else {
            100 + fastrand::usize(..20_000)
        };
        let bytes: Vec<u8> = if lfs {
            (0..size).map(|_| fastrand::u8(..)).collect()
        } else {
            (0..size).map(|_| fastrand::alphanumeric() as u8).collect()
        };
        let local = dir.join(format!("f{n}"));
        tokio::fs::write(&local, &bytes)
            .await
            .map_err(|e| format!("{}: {e}", local.display()))?;
        let path = format!("u/f{n}.{}", if lfs { "bin" } else { "txt" });
        let before = sleeper.0.load(Ordering::SeqCst);
        let result = api
            .upload_file(
                repo_id.clone(),
                &local,
                path.parse().map_err(|e| format!("{e}"))?,
            )
            .await;
        let retries = sleeper.0.load(Ordering::SeqCst) - before;
        counts.max_retries_one_op = counts.max_retries_one_op.max(retries);
        if let Err(e) = &result {
            counts.failed("upload", e);
        }
        let succeeded = result.is_ok();
        if succeeded {
            counts.uploads_ok += 1;
        } else {
            counts.uploads_failed += 1;
        }
        records.push(UploadRecord {
            repo: repo.clone(),
            path,
            sha256: hex::encode(Sha256::digest(&bytes)),
            succeeded,
        });
        let _ = tokio::fs::remove_file(&local).await;
    }
    counts.retries = sleeper.0.load(Ordering::SeqCst);
    Ok((counts, records))
}

async fn download_loop(
    api: HfApi,
    dir: PathBuf,
    files: Arc<Vec<(String, Vec<u8>)>>,
    deadline: Instant,
    sleeper: CountingSleeper,
) -> Result<(Counts, Vec<UploadRecord>), String> {
    let repo_id: hf_types::RepoId = DATA_REPO.parse().map_err(|e| format!("{e}"))?;
    let mut counts = Counts::default();
    let mut round = 0u64;
    let mut in_round = 0u64;
    let mut cache = dir.join("cache-0");
    let mut current = api.clone().with_cache_dir(&cache);
    while Instant::now() < deadline {
        if in_round == DOWNLOADS_PER_CACHE {
            check_cache(&cache, &mut counts).await?;
            let _ = tokio::fs::remove_dir_all(&cache).await;
            round += 1;
            in_round = 0;
            cache = dir.join(format!("cache-{round}"));
            current = api.clone().with_cache_dir(&cache);
        }
        in_round += 1;
        let (path, expected) = &files[fastrand::usize(..files.len())];
        let before = sleeper.0.load(Ordering::SeqCst);
        let result = current.hf_hub_download(repo_id.clone(), path.clone()).await;
        let retries = sleeper.0.load(Ordering::SeqCst) - before;
        counts.max_retries_one_op = counts.max_retries_one_op.max(retries);
        match result {
            Ok(local) => {
                let got = tokio::fs::read(&local)
                    .await
                    .map_err(|e| format!("{}: {e}", local.display()))?;
                if got == *expected {
                    counts.downloads_ok += 1;
                } else {
                    counts.downloads_wrong_bytes += 1;
                }
            }
            Err(e) => {
                counts.downloads_failed += 1;
                counts.failed("download", &e);
            }
        }
    }
    check_cache(&cache, &mut counts).await?;
    let _ = tokio::fs::remove_dir_all(&cache).await;
    counts.retries = sleeper.0.load(Ordering::SeqCst);
    Ok((counts, Vec::new()))
}

/// Rehashes every blob under `cache` (files in a `blobs` folder named by a 64-hex sha256 or a
/// 40-hex git blob sha1; partial `.incomplete` files are skipped).
async fn check_cache(cache: &Path, counts: &mut Counts) -> Result<(), String> {
    let cache = cache.to_path_buf();
    let (checked, corrupt) = tokio::task::spawn_blocking(move || {
        let mut checked = 0u64;
        let mut corrupt = 0u64;
        let mut stack = vec![cache];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                if kind.is_dir() {
                    stack.push(path);
                    continue;
                }
                if !kind.is_file() || dir.file_name().is_none_or(|n| n != "blobs") {
                    continue;
                }
                let name = entry.file_name().to_string_lossy().into_owned();
                let Ok(bytes) = std::fs::read(&path) else {
                    continue;
                };
                let actual = match name.len() {
                    64 => hex::encode(Sha256::digest(&bytes)),
                    40 => git_blob_sha1(&bytes),
                    _ => continue,
                };
                checked += 1;
                if actual != name {
                    corrupt += 1;
                }
            }
        }
        (checked, corrupt)
    })
    .await
    .map_err(|e| format!("cache check failed: {e}"))?;
    counts.cache_blobs_checked += checked;
    counts.cache_blobs_corrupt += corrupt;
    Ok(())
}

fn git_blob_sha1(bytes: &[u8]) -> String {
    use sha1::Digest as _;
    let mut h = sha1::Sha1::new();
    h.update(format!("blob {}\0", bytes.len()).as_bytes());
    h.update(bytes);
    hex::encode(h.finalize())
}
