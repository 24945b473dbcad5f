//! End-to-end tests of `HubDownload` against an in-process hf-local-hub.
// Helpers outside #[test] functions may panic too: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use common::{Clients, File, Hub, Rec, cache, data, incompletes};
use hf_cache::prelude::*;
use hf_cache::{CachedFile, Error, HubDownload, git_blob_sha1, sha256_hex, try_to_load_from_cache};
use hf_local_hub::{FaultKind, FaultSpec};
use hf_types::{RepoType, Revision};

#[tokio::test]
async fn downloads_into_python_layout_and_reuses_the_cache() {
    let hub = Hub::start().await;
    let config = b"{\"a\": 1}".to_vec();
    let weights = data(300_000, 1);
    let commit = hub
        .commit(
            "tiny",
            vec![
                File::Regular("config.json", config.clone()),
                File::Lfs("sub/model.bin", weights.clone()),
            ],
        )
        .await;
    let dir = tempfile::tempdir().unwrap();
    let cache = cache(dir.path());
    let id: hf_types::RepoId = "alice/tiny".parse().unwrap();

    let p = HubDownload::new(hub.client(), id.clone(), "config.json")
        .cache_dir(cache.clone())
        .await
        .unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), config);
    let repo = cache.path().join("models--alice--tiny");
    assert_eq!(p, repo.join("snapshots").join(&commit).join("config.json"));
    assert_eq!(
        std::fs::read_link(&p).unwrap(),
        std::path::Path::new("../../blobs").join(git_blob_sha1(&config))
    );
    assert_eq!(
        std::fs::read_to_string(repo.join("refs/main")).unwrap(),
        commit
    );

    let w = HubDownload::new(hub.client(), id.clone(), "model.bin")
        .subfolder("sub")
        .cache_dir(cache.clone())
        .await
        .unwrap();
    assert_eq!(std::fs::read(&w).unwrap(), weights);
    assert_eq!(
        std::fs::read_link(&w).unwrap(),
        std::path::Path::new("../../../blobs").join(sha256_hex(&weights))
    );
    assert!(incompletes(cache.path()).is_empty());

    // Offline: the branch resolves through refs/main; a pinned commit takes the shortcut.
    for rev in ["main", commit.as_str()] {
        let again = HubDownload::new(hub.offline_client(), id.clone(), "sub/model.bin")
            .revision(rev.parse().unwrap())
            .cache_dir(cache.clone())
            .await
            .unwrap();
        assert_eq!(again, w);
    }
    let found = try_to_load_from_cache(
        &cache,
        &id,
        RepoType::Model,
        &Revision::main(),
        "config.json",
    )
    .unwrap();
    assert_eq!(found, CachedFile::Found(p.clone()));

    // Missing file: error, and a `.no_exist` marker for try_to_load_from_cache.
    let err = HubDownload::new(hub.client(), id.clone(), "nope.txt")
        .cache_dir(cache.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::EntryNotFound(_)), "{err}");
    // The error names the repo, the revision and the file it was about.
    let context = err
        .context()
        .expect("an HTTP error carries its request's context");
    assert_eq!(context.repo_id.as_ref(), Some(&id));
    assert_eq!(context.revision.as_deref(), Some("main"));
    assert_eq!(context.path.as_deref(), Some("nope.txt"));
    assert!(
        repo.join(".no_exist")
            .join(&commit)
            .join("nope.txt")
            .is_file()
    );
    let known = try_to_load_from_cache(&cache, &id, RepoType::Model, &Revision::main(), "nope.txt")
        .unwrap();
    assert_eq!(known, CachedFile::KnownMissing);

    // Offline and not cached: a local-entry error; force + offline: invalid arguments.
    let err = HubDownload::new(hub.offline_client(), id.clone(), "other.txt")
        .cache_dir(cache.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::LocalEntryNotFound { .. }), "{err}");
    let err = HubDownload::new(hub.client(), id.clone(), "config.json")
        .cache_dir(cache.clone())
        .local_files_only(true)
        .force_download(true)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err}");

    // Unknown repo online: the repo error itself.
    let err = HubDownload::new(hub.client(), "alice/none".parse().unwrap(), "x")
        .cache_dir(cache.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RepoNotFound(_)), "{err}");
    assert_eq!(err.kind(), hf_cache::ErrorKind::RepoNotFound);

    // force_download replaces the blob and keeps the cache consistent.
    let forced = HubDownload::new(hub.client(), id.clone(), "config.json")
        .cache_dir(cache.clone())
        .force_download(true)
        .await
        .unwrap();
    assert_eq!(std::fs::read(&forced).unwrap(), config);
}

#[tokio::test]
async fn symlink_less_cache_stores_files_in_snapshots() {
    let hub = Hub::start().await;
    let content = data(10_000, 2);
    hub.commit(
        "nolinks",
        vec![
            File::Lfs("a.bin", content.clone()),
            File::Lfs("b.bin", content.clone()),
        ],
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cache = cache(dir.path()).with_symlinks_disabled(true);
    let id: hf_types::RepoId = "alice/nolinks".parse().unwrap();
    for f in ["a.bin", "b.bin"] {
        let p = HubDownload::new(hub.client(), id.clone(), f)
            .cache_dir(cache.clone())
            .await
            .unwrap();
        assert!(
            !std::fs::symlink_metadata(&p)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&p).unwrap(), content);
    }
    let scan = hf_cache::scan_cache_dir(cache.path()).unwrap();
    assert!(scan.warnings.is_empty(), "{:?}", scan.warnings);
    assert_eq!(scan.repos[0].revisions[0].files.len(), 2);
}

#[tokio::test]
async fn four_concurrent_downloads_share_one_blob() {
    let hub = Hub::start().await;
    let content = data(5_000_000, 3);
    hub.commit("conc", vec![File::Lfs("big.bin", content.clone())])
        .await;
    let dir = tempfile::tempdir().unwrap();
    let cache = cache(dir.path());
    let id: hf_types::RepoId = "alice/conc".parse().unwrap();
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let d = HubDownload::new(hub.client(), id.clone(), "big.bin").cache_dir(cache.clone());
        tasks.push(tokio::spawn(d.into_future()));
    }
    for t in tasks {
        let p = t.await.unwrap().unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), content);
    }
    let blobs: Vec<_> = std::fs::read_dir(cache.path().join("models--alice--conc/blobs"))
        .unwrap()
        .collect();
    assert_eq!(blobs.len(), 1);
    assert!(incompletes(cache.path()).is_empty());
    assert!(
        cache
            .path()
            .join(".locks/models--alice--conc")
            .join(format!("{}.lock", sha256_hex(&content)))
            .is_file()
    );
}

#[tokio::test]
async fn dropped_connections_are_resumed_not_restarted() {
    let size = 13_000_000usize;
    // Every GET of the content drops after 3 MB, four times in a row.
    let hub = Hub::start_with_faults(vec![
        FaultSpec::new(FaultKind::DropAfter(3_000_000))
            .path("/cdn/*")
            .method("GET")
            .count(4),
    ])
    .await;
    let content = data(size, 4);
    hub.commit("flaky", vec![File::Lfs("w.bin", content.clone())])
        .await;
    let dir = tempfile::tempdir().unwrap();
    let rec = Arc::new(Rec::default());
    let p = HubDownload::new(hub.client(), "alice/flaky".parse().unwrap(), "w.bin")
        .cache_dir(cache(dir.path()))
        .reporter(rec.clone())
        .await
        .unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), content);
    let retries = rec.retries.lock().unwrap().clone();
    assert_eq!(retries.len(), 4, "{retries:?}");
    assert!(
        retries.windows(2).all(|w| w[1] > w[0]),
        "each retry starts further: {retries:?}"
    );
    // Resumed, not restarted: no byte was received twice.
    assert_eq!(
        rec.bytes.load(std::sync::atomic::Ordering::SeqCst),
        size as u64
    );
}

#[tokio::test]
async fn wrong_bytes_are_an_error_and_leave_the_cache_clean() {
    let hub = Hub::start_with_faults(vec![
        FaultSpec::new(FaultKind::FlipByte(1000))
            .path("/alice/bad/resolve/*")
            .method("GET"),
    ])
    .await;
    hub.commit("bad", vec![File::Regular("f.txt", data(5000, 5))])
        .await;
    let dir = tempfile::tempdir().unwrap();
    let cache = cache(dir.path());
    let err = HubDownload::new(hub.client(), "alice/bad".parse().unwrap(), "f.txt")
        .cache_dir(cache.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Integrity { .. }), "{err}");
    let repo = cache.path().join("models--alice--bad");
    assert!(common::walk(&repo.join("blobs")).is_empty(), "nothing kept");
    assert!(!repo.join("snapshots").exists() || common::walk(&repo.join("snapshots")).is_empty());
}

#[tokio::test]
async fn a_previous_partial_download_is_resumed_after_rehashing() {
    let hub = Hub::start().await;
    let content = data(2_000_000, 6);
    hub.commit("partial", vec![File::Lfs("p.bin", content.clone())])
        .await;
    let dir = tempfile::tempdir().unwrap();
    let cache = cache(dir.path());
    let blobs = cache.path().join("models--alice--partial/blobs");
    std::fs::create_dir_all(&blobs).unwrap();
    let etag = sha256_hex(&content);
    // Python's own name for a partial download.
    std::fs::write(
        blobs.join(format!("{etag}.incomplete")),
        &content[..700_000],
    )
    .unwrap();
    let rec = Arc::new(Rec::default());
    let p = HubDownload::new(hub.client(), "alice/partial".parse().unwrap(), "p.bin")
        .cache_dir(cache.clone())
        .reporter(rec.clone())
        .await
        .unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), content);
    assert_eq!(rec.starts.lock().unwrap()[0], (2_000_000, 700_000));
    assert_eq!(
        rec.bytes.load(std::sync::atomic::Ordering::SeqCst),
        1_300_000
    );

    // A corrupt kept prefix fails the hash: error, nothing kept.
    let cache2 = common::cache(&dir.path().join("2"));
    let blobs2 = cache2.path().join("models--alice--partial/blobs");
    std::fs::create_dir_all(&blobs2).unwrap();
    std::fs::write(
        blobs2.join(format!("{etag}.incomplete")),
        vec![0u8; 700_000],
    )
    .unwrap();
    let err = HubDownload::new(hub.client(), "alice/partial".parse().unwrap(), "p.bin")
        .cache_dir(cache2.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Integrity { .. }), "{err}");
    assert_eq!(std::fs::read_dir(&blobs2).unwrap().count(), 0);
    // The next call starts from scratch and succeeds.
    let p = HubDownload::new(hub.client(), "alice/partial".parse().unwrap(), "p.bin")
        .cache_dir(cache2)
        .await
        .unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), content);
}

/// A parallel download that died leaves `{etag}.{random}.incomplete.ranges`: its bytes are not
/// a prefix, so the next download removes it instead of resuming it.
#[tokio::test]
async fn an_out_of_order_leftover_is_removed_not_resumed() {
    let hub = Hub::start().await;
    let content = data(2_000_000, 7);
    hub.commit("ranges", vec![File::Lfs("r.bin", content.clone())])
        .await;
    let dir = tempfile::tempdir().unwrap();
    let cache = cache(dir.path());
    let blobs = cache.path().join("models--alice--ranges/blobs");
    std::fs::create_dir_all(&blobs).unwrap();
    let etag = sha256_hex(&content);
    let leftover = blobs.join(format!("{etag}.0123456789abcdef.incomplete.ranges"));
    std::fs::write(&leftover, vec![0u8; content.len()]).unwrap();
    let rec = Arc::new(Rec::default());
    let p = HubDownload::new(hub.client(), "alice/ranges".parse().unwrap(), "r.bin")
        .cache_dir(cache.clone())
        .reporter(rec.clone())
        .await
        .unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), content);
    assert_eq!(rec.starts.lock().unwrap()[0], (2_000_000, 0), "not resumed");
    assert!(!leftover.exists());
}

#[tokio::test]
async fn local_dir_mode_writes_files_and_metadata() {
    let hub = Hub::start().await;
    let content = data(50_000, 7);
    let commit = hub
        .commit(
            "ld",
            vec![
                File::Lfs("sub/m.bin", content.clone()),
                File::Regular("c.json", b"{}".to_vec()),
            ],
        )
        .await;
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("out");
    let cache = cache(dir.path());
    let id: hf_types::RepoId = "alice/ld".parse().unwrap();
    let p = HubDownload::new(hub.client(), id.clone(), "sub/m.bin")
        .cache_dir(cache.clone())
        .local_dir(&local)
        .await
        .unwrap();
    assert_eq!(p, local.join("sub/m.bin"));
    assert_eq!(std::fs::read(&p).unwrap(), content);
    let meta =
        std::fs::read_to_string(local.join(".cache/huggingface/download/sub/m.bin.metadata"))
            .unwrap();
    let lines: Vec<_> = meta.lines().collect();
    assert_eq!(lines[0], commit);
    assert_eq!(lines[1], sha256_hex(&content));
    assert_eq!(
        std::fs::read_to_string(local.join(".cache/huggingface/.gitignore")).unwrap(),
        "*"
    );
    assert!(!local.join(".cache/huggingface/CACHEDIR.TAG").exists());
    assert!(incompletes(&local).is_empty());
    // Pinned commit + metadata: no request at all.
    let again = HubDownload::new(hub.offline_client(), id.clone(), "sub/m.bin")
        .revision(commit.parse().unwrap())
        .local_dir(&local)
        .await
        .unwrap();
    assert_eq!(again, p);
    // Offline with the file present: served as is.
    let again = HubDownload::new(hub.offline_client(), id, "c.json")
        .local_dir(&local)
        .await;
    assert!(again.is_err(), "c.json was never downloaded");
}

#[tokio::test]
async fn unreachable_hub_falls_back_to_the_cache_and_renamed_repos_redirect() {
    let hub = Hub::start().await;
    let commit = hub
        .commit("moving", vec![File::Regular("a.txt", b"hello".to_vec())])
        .await;
    let dir = tempfile::tempdir().unwrap();
    let cache = cache(dir.path());
    let p = HubDownload::new(hub.client(), "alice/moving".parse().unwrap(), "a.txt")
        .cache_dir(cache.clone())
        .await
        .unwrap();

    // The repo is renamed: the old name answers with a relative redirect, which the HEAD follows;
    // the cache keeps the requested name, as Python does.
    hub.seed()
        .model("alice/moving")
        .move_to("alice/moved")
        .await
        .unwrap();
    let p2 = HubDownload::new(hub.client(), "alice/moving".parse().unwrap(), "a.txt")
        .cache_dir(cache.clone())
        .force_download(true)
        .await
        .unwrap();
    assert_eq!(p2, p);
    assert_eq!(std::fs::read(&p2).unwrap(), b"hello");

    // Nothing listens: connection refused → the cached file of the branch.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = hf_http::HubClient::builder()
        .endpoint(&dead)
        .build()
        .unwrap();
    let p3 = HubDownload::new(client.clone(), "alice/moving".parse().unwrap(), "a.txt")
        .cache_dir(cache.clone())
        .await
        .unwrap();
    assert_eq!(p3, p);
    let err = HubDownload::new(client, "alice/moving".parse().unwrap(), "b.txt")
        .cache_dir(cache.clone())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::LocalEntryNotFound {
                source: Some(_),
                ..
            }
        ),
        "{err}"
    );
    assert!(p.to_string_lossy().contains(&commit));
}

#[tokio::test]
async fn server_errors_on_the_content_request_are_retried() {
    let hub = Hub::start_with_faults(vec![
        FaultSpec::new(FaultKind::Status {
            code: 503,
            retry_after: None,
        })
        .path("/alice/busy/resolve/*")
        .method("GET")
        .count(2),
    ])
    .await;
    hub.commit("busy", vec![File::Regular("a.txt", b"hi".to_vec())])
        .await;
    let dir = tempfile::tempdir().unwrap();
    let rec = Arc::new(Rec::default());
    let p = HubDownload::new(hub.client(), "alice/busy".parse().unwrap(), "a.txt")
        .cache_dir(cache(dir.path()))
        .reporter(rec.clone())
        .await
        .unwrap();
    assert_eq!(std::fs::read(p).unwrap(), b"hi");
    assert_eq!(rec.retries.lock().unwrap().len(), 2);
}

/// A per-call token replaces the client's (Python's `token=`), and `None` sends none.
#[tokio::test]
async fn per_call_token_and_headers() {
    let hub = Hub::start().await;
    hub.commit("secret", vec![File::Regular("a.txt", b"private".to_vec())])
        .await;
    hub.seed()
        .model("alice/secret")
        .set_private(true)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let anonymous = hf_http::HubClient::builder()
        .endpoint(hub.endpoint())
        .build()
        .unwrap();

    let err = HubDownload::new(anonymous.clone(), "alice/secret".parse().unwrap(), "a.txt")
        .cache_dir(cache(dir.path()))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RepoNotFound(_)), "{err:?}");

    let mut headers = hf_http::HeaderMap::new();
    headers.insert("x-custom", hf_http::HeaderValue::from_static("yes"));
    let path = HubDownload::new(anonymous, "alice/secret".parse().unwrap(), "a.txt")
        .cache_dir(cache(dir.path()))
        .token(Some(common::ALICE))
        .headers(headers)
        .await
        .unwrap();
    assert_eq!(std::fs::read(path).unwrap(), b"private");

    let err = hf_cache::SnapshotDownload::new(hub.client(), "alice/secret".parse().unwrap())
        .cache_dir(cache(&dir.path().join("other")))
        .token(None::<&str>)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RepoNotFound(_)), "{err:?}");
}

/// Records the waits asked of it and returns at once: nothing really sleeps.
#[derive(Clone, Default)]
struct RecordingSleeper(Arc<std::sync::Mutex<Vec<std::time::Duration>>>);

impl hf_http::Sleeper for RecordingSleeper {
    fn sleep(
        &self,
        duration: std::time::Duration,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
        self.0.lock().unwrap().push(duration);
        Box::pin(std::future::ready(()))
    }
}

/// A resume waits as the client's retry policy says (its backoff, jitter pinned to the bound,
/// through its injected sleeper), and only failures in a row count: a break after progress
/// starts again from the first delay.
#[tokio::test]
async fn resumes_wait_as_the_client_retry_policy_says() {
    let size = 2_000_000usize;
    // The first three GETs of the content break before any byte; the next two after 500 kB.
    let hub = Hub::start_with_faults(vec![
        FaultSpec::new(FaultKind::DropAfter(0))
            .path("/cdn/*")
            .method("GET")
            .count(3),
        FaultSpec::new(FaultKind::DropAfter(500_000))
            .path("/cdn/*")
            .method("GET")
            .count(5),
    ])
    .await;
    let content = data(size, 9);
    hub.commit("policy", vec![File::Lfs("w.bin", content.clone())])
        .await;
    let sleeper = RecordingSleeper::default();
    let secs = std::time::Duration::from_secs;
    let client = hf_http::HubClient::builder()
        .endpoint(hub.endpoint())
        .token(Some(common::ALICE))
        .retry(
            hf_http::RetryPolicy::default()
                .backoff(secs(10), secs(40))
                .jitter(|| 1.0)
                .sleeper(sleeper.clone()),
        )
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let p = HubDownload::new(client, "alice/policy".parse().unwrap(), "w.bin")
        .cache_dir(cache(dir.path()))
        .await
        .unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), content);
    let waits = sleeper.0.lock().unwrap().clone();
    assert_eq!(waits, [10, 20, 40, 10, 10].map(secs).to_vec());
    assert!(started.elapsed() < secs(10), "no real sleep");
}
