//! End-to-end tests of `SnapshotDownload`, the cache scan and deletion.
// Helpers outside #[test] functions may panic too: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;

use common::{Clients, File, Hub, cache, data, incompletes};
use hf_cache::prelude::*;
use hf_cache::{Error, SnapshotDownload, scan_cache_dir};

async fn seeded(hub: &Hub) -> String {
    let mut files = vec![
        File::Regular("config.json", b"{}".to_vec()),
        File::Regular("tokenizer/vocab.txt", data(3000, 10)),
        File::Lfs("model.safetensors", data(400_000, 11)),
        File::Lfs("onnx/model.onnx", data(200_000, 12)),
    ];
    for i in 0..20 {
        files.push(File::Regular(
            Box::leak(format!("shards/s{i:02}.txt").into_boxed_str()),
            data(1000 + i, 100 + i as u64),
        ));
    }
    hub.commit("snap", files).await
}

#[tokio::test]
async fn cold_then_warm_snapshot_with_minimal_requests() {
    let hub = Hub::start().await;
    let commit = seeded(&hub).await;
    let dir = tempfile::tempdir().unwrap();
    let cache = cache(dir.path());
    let id: hf_types::RepoId = "alice/snap".parse().unwrap();

    let (client, n) = hub.counting_client();
    let folder = SnapshotDownload::new(client.clone(), id.clone())
        .cache_dir(cache.clone())
        .await
        .unwrap();
    assert_eq!(
        folder,
        cache
            .path()
            .join("models--alice--snap/snapshots")
            .join(&commit)
    );
    // One listing request plus one GET per file (LFS GETs may follow one redirect hop inside the stack).
    assert_eq!(n.get(), 1 + 25, "requests (25 files with .gitattributes)");
    assert!(folder.join("onnx/model.onnx").is_file());
    assert_eq!(
        std::fs::read(folder.join("shards/s03.txt")).unwrap(),
        data(1003, 103)
    );
    let tree = cache
        .path()
        .join("models--alice--snap/trees")
        .join(format!("{commit}.json"));
    let listing: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&tree).unwrap()).unwrap();
    assert_eq!(listing["format_version"], 1);
    let files = listing["files"].as_object().unwrap();
    assert_eq!(files.len(), 24 + 1, "the .gitattributes too");
    assert!(incompletes(cache.path()).is_empty());

    // Warm, by branch: one request.
    let (client, n) = hub.counting_client();
    let again = SnapshotDownload::new(client, id.clone())
        .cache_dir(cache.clone())
        .await
        .unwrap();
    assert_eq!(again, folder);
    assert_eq!(n.get(), 1);
    // Warm, pinned: none.
    let (client, n) = hub.counting_client();
    SnapshotDownload::new(client, id.clone())
        .revision(commit.parse().unwrap())
        .cache_dir(cache.clone())
        .await
        .unwrap();
    assert_eq!(n.get(), 0);

    // Offline, complete.
    let off = SnapshotDownload::new(hub.offline_client(), id.clone())
        .cache_dir(cache.clone())
        .await
        .unwrap();
    assert_eq!(off, folder);

    // Scan: one repo, one revision, no warnings; sizes are the distinct blobs.
    let scan = scan_cache_dir(cache.path()).unwrap();
    assert!(scan.warnings.is_empty(), "{:?}", scan.warnings);
    let repo = &scan.repos[0];
    assert_eq!(repo.repo_id, "alice/snap");
    assert_eq!(repo.revisions[0].files.len(), 25);
    assert_eq!(repo.refs().get("main"), Some(&commit));
    let expected: u64 = files.values().map(|e| e["size"].as_u64().unwrap()).sum();
    assert_eq!(repo.size_on_disk, expected);

    // Deleting the only revision deletes the repo.
    let plan = scan.delete_revisions(&[commit.as_str()]);
    assert_eq!(plan.expected_freed_size, expected);
    assert_eq!(plan.execute(), 0);
    assert!(!cache.path().join("models--alice--snap").exists());
}

#[tokio::test]
async fn patterns_offline_incomplete_and_local_dir() {
    let hub = Hub::start().await;
    let commit = seeded(&hub).await;
    let dir = tempfile::tempdir().unwrap();
    let cache = cache(dir.path());
    let id: hf_types::RepoId = "alice/snap".parse().unwrap();

    let folder = SnapshotDownload::new(hub.client(), id.clone())
        .cache_dir(cache.clone())
        .allow_patterns(["*.json", "tokenizer/", "shards/*"])
        .ignore_patterns(["*s1?.txt"])
        .await
        .unwrap();
    let mut got: Vec<PathBuf> = common::walk(&folder)
        .into_iter()
        .map(|p| p.strip_prefix(&folder).unwrap().to_path_buf())
        .collect();
    got.sort();
    assert_eq!(got.len(), 1 + 1 + 10, "{got:?}");
    assert!(!folder.join("model.safetensors").exists());

    // Offline, the full snapshot is not there: the error names what is missing.
    let err = SnapshotDownload::new(hub.offline_client(), id.clone())
        .cache_dir(cache.clone())
        .await
        .unwrap_err();
    match err {
        Error::IncompleteSnapshot { commit: c, missing } => {
            assert_eq!(c, commit);
            assert!(
                missing.contains(&"model.safetensors".to_owned()),
                "{missing:?}"
            );
            assert!(missing.contains(&"shards/s12.txt".to_owned()));
        }
        other => panic!("{other}"),
    }
    // ... but the subset that is there is served offline.
    SnapshotDownload::new(hub.offline_client(), id.clone())
        .cache_dir(cache.clone())
        .allow_patterns(["*.json"])
        .await
        .unwrap();

    // Remove one snapshot revision partially and plan deletion of a second revision.
    let c2 = hub
        .commit(
            "snap",
            vec![File::Regular("config.json", b"{\"v\":2}".to_vec())],
        )
        .await;
    SnapshotDownload::new(hub.client(), id.clone())
        .cache_dir(cache.clone())
        .allow_patterns(["*.json", "tokenizer/*"])
        .await
        .unwrap();
    let scan = scan_cache_dir(cache.path()).unwrap();
    assert_eq!(scan.repos[0].revisions.len(), 2);
    let plan = scan.delete_revisions(&[commit.as_str()]);
    // The vocab blob is shared with c2 and stays; the old config blob and shards go.
    assert!(plan.snapshots.iter().any(|p| p.ends_with(&commit)));
    assert!(plan.refs.is_empty(), "main points to {c2}");
    assert!(plan.blobs.len() >= 10);
    plan.execute();
    let scan = scan_cache_dir(cache.path()).unwrap();
    assert!(scan.warnings.is_empty(), "{:?}", scan.warnings);
    assert_eq!(scan.repos[0].revisions.len(), 1);
    // Prune: an orphan blob and a stale partial file are found.
    let blobs = cache.path().join("models--alice--snap/blobs");
    std::fs::write(blobs.join("deadbeef"), b"orphan").unwrap();
    std::fs::write(blobs.join("cafe.1234.incomplete"), b"partial").unwrap();
    let prune = scan.prune().unwrap();
    assert_eq!(prune.blobs.len(), 2);
    assert_eq!(prune.expected_freed_size, 13);
    prune.execute();
    assert!(scan_cache_dir(cache.path()).unwrap().warnings.is_empty());

    // local_dir snapshot.
    let local = dir.path().join("local");
    let out = SnapshotDownload::new(hub.client(), id.clone())
        .local_dir(&local)
        .cache_dir(cache.clone())
        .await
        .unwrap();
    assert_eq!(out, local);
    assert_eq!(
        std::fs::read(local.join("config.json")).unwrap(),
        b"{\"v\":2}"
    );
    assert!(
        local
            .join(".cache/huggingface/download/onnx/model.onnx.metadata")
            .is_file()
    );
    assert!(
        local
            .join(format!(".cache/huggingface/trees/{c2}.json"))
            .is_file()
    );
    // Re-run: nothing to download (metadata etags match); one request for the branch.
    let (client, n) = hub.counting_client();
    SnapshotDownload::new(client, id)
        .local_dir(&local)
        .cache_dir(cache.clone())
        .await
        .unwrap();
    assert!(n.get() <= 2, "{}", n.get());
}

#[tokio::test]
async fn scan_tolerates_python_extras_and_reports_corruption() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("CACHEDIR.TAG"),
        "Signature: 8a477f597d28d172789f06886806bc55",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("blobs/ab")).unwrap();
    std::fs::create_dir_all(root.join(".locks/models--a--b")).unwrap();
    std::fs::create_dir_all(root.join("models--a--nosnap")).unwrap();
    std::fs::create_dir_all(root.join("weird")).unwrap();
    std::fs::create_dir_all(root.join("models--a--ok/snapshots/c1")).unwrap();
    std::fs::create_dir_all(root.join("models--a--ok/refs")).unwrap();
    std::fs::write(root.join("models--a--ok/refs/main"), "c1").unwrap();
    std::fs::create_dir_all(root.join("models--a--dangling/snapshots/c1")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        "../../blobs/missing",
        root.join("models--a--dangling/snapshots/c1/f"),
    )
    .unwrap();
    let scan = scan_cache_dir(root).unwrap();
    assert_eq!(scan.repos.len(), 1);
    assert_eq!(
        scan.repos[0].refs().get("main").map(String::as_str),
        Some("c1")
    );
    let msgs: Vec<_> = scan.warnings.iter().map(|w| w.message.clone()).collect();
    assert_eq!(msgs.len(), 3, "{msgs:?}");
    assert!(
        msgs.iter()
            .any(|m| m.contains("Snapshots dir doesn't exist"))
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("not a valid HuggingFace cache directory"))
    );
    assert!(msgs.iter().any(|m| m.contains("Blob missing")));
    assert!(matches!(
        scan_cache_dir(&root.join("nope")),
        Err(Error::CacheNotFound(_))
    ));
}

/// A warm run finds what is missing from two directory listings: a pointer whose blob was
/// deleted and a deleted pointer are both fetched again, and nothing else is.
#[tokio::test]
async fn warm_run_refetches_deleted_blobs_and_pointers() {
    let hub = Hub::start().await;
    let commit = seeded(&hub).await;
    let dir = tempfile::tempdir().unwrap();
    let cache = cache(dir.path());
    let id: hf_types::RepoId = "alice/snap".parse().unwrap();
    let folder = SnapshotDownload::new(hub.client(), id.clone())
        .cache_dir(cache.clone())
        .await
        .unwrap();
    let repo = cache.path().join("models--alice--snap");
    // A blob gone (its pointer dangles) and a pointer gone.
    let dangling = folder.join("onnx/model.onnx");
    let blob = std::fs::canonicalize(&dangling).unwrap();
    std::fs::remove_file(&blob).unwrap();
    std::fs::remove_file(folder.join("shards/s07.txt")).unwrap();

    let (client, n) = hub.counting_client();
    let again = SnapshotDownload::new(client, id)
        .cache_dir(cache.clone())
        .await
        .unwrap();
    assert_eq!(again, repo.join("snapshots").join(&commit));
    assert_eq!(n.get(), 1 + 2, "one sha request, two GETs");
    assert_eq!(std::fs::read(&dangling).unwrap(), data(200_000, 12));
    assert_eq!(
        std::fs::read(folder.join("shards/s07.txt")).unwrap(),
        data(1007, 107)
    );
}
