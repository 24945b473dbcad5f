//! `create_commit` and `preupload_lfs_files` end to end against hf-local-hub.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::{Arc, Mutex};

use common::{Clients, File, Hub, data};
use hf_local_hub::FaultSpec;
use hf_repo::Error;
use hf_repo::commit::{
    CommitOperation, CommitOperationAdd, CommitOperationCopy, CommitOperationDelete, CreateCommit,
    PreuploadLfsFiles, SkipReason, UploadReporter,
};
use hf_repo::prelude::*;
use hf_types::{RepoId, RepoType};
use serde_json::Value;

/// Records every event as a line.
#[derive(Default)]
struct Events(Mutex<Vec<String>>);

impl Events {
    fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
    fn push(&self, line: String) {
        self.0.lock().unwrap().push(line);
    }
}

impl UploadReporter for Events {
    fn on_upload_start(&self, path: &str, total: u64) {
        self.push(format!("start {path} {total}"));
    }
    fn on_upload_done(&self, path: &str) {
        self.push(format!("done {path}"));
    }
    fn on_skipped(&self, path: &str, why: SkipReason) {
        self.push(format!("skip {path} {why:?}"));
    }
}

fn id(s: &str) -> RepoId {
    s.parse().unwrap()
}

fn add(path: &str, bytes: &[u8]) -> CommitOperation {
    CommitOperationAdd::from_bytes(path, bytes.to_vec())
        .unwrap()
        .into()
}

/// The repo's files at `rev` as (path, size, lfs sha256) from the raw tree API.
async fn tree(hub: &Hub, repo: &str, rev: &str) -> Vec<(String, u64, Option<String>)> {
    let url = format!(
        "{}/api/models/{repo}/tree/{}?recursive=true",
        hub.endpoint(),
        hf_types::encode_segment(rev)
    );
    let entries: Vec<Value> = hub
        .client()
        .get(url.parse().unwrap())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut out: Vec<_> = entries
        .into_iter()
        .filter(|e| e["type"] == "file")
        .map(|e| {
            (
                e["path"].as_str().unwrap().to_string(),
                e["size"].as_u64().unwrap(),
                e["lfs"]["oid"].as_str().map(str::to_string),
            )
        })
        .collect();
    out.sort();
    out
}

/// The commit titles of `rev`, newest first.
async fn titles(hub: &Hub, repo: &str, rev: &str) -> Vec<String> {
    let url = format!(
        "{}/api/models/{repo}/commits/{}",
        hub.endpoint(),
        hf_types::encode_segment(rev)
    );
    let commits: Vec<Value> = hub
        .client()
        .get(url.parse().unwrap())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    commits
        .iter()
        .map(|c| c["title"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn adds_regular_lfs_and_local_files_then_deletes() {
    let hub = Hub::start().await;
    hub.commit(
        "mixed",
        vec![
            File::Regular("old/a.txt", b"a".to_vec()),
            File::Regular("gone.txt", b"g".to_vec()),
        ],
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("weights.bin");
    let weights = data(300_000, 7);
    std::fs::write(&local, &weights).unwrap();
    let binary = data(4096, 8);

    let info = CreateCommit::new(
        hub.client(),
        id("alice/mixed"),
        vec![
            add("config.json", br#"{"hidden": 8}"#),
            add("blob.bin", &binary),
            CommitOperationAdd::from_path("./nested/weights.bin", &local)
                .unwrap()
                .into(),
            CommitOperationDelete::new("gone.txt").unwrap().into(),
            CommitOperationDelete::new("old/").unwrap().into(),
        ],
        "Add weights",
    )
    .commit_description("Epoch 3")
    .await
    .unwrap();
    assert_eq!(info.oid.len(), 40);
    assert_eq!(info.commit_message, "Add weights");
    assert_eq!(info.commit_description, "Epoch 3");
    assert!(
        info.commit_url
            .ends_with(&format!("/alice/mixed/commit/{}", info.oid))
    );
    assert_eq!(info.pr_num, None);

    let files = tree(&hub, "alice/mixed", "main").await;
    let paths: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
    assert!(
        paths.contains(&"config.json") && paths.contains(&"blob.bin"),
        "{paths:?}"
    );
    assert!(!paths.contains(&"gone.txt") && !paths.iter().any(|p| p.starts_with("old/")));
    let weights_entry = files.iter().find(|f| f.0 == "nested/weights.bin").unwrap();
    assert_eq!(weights_entry.1, weights.len() as u64);
    assert!(weights_entry.2.is_some(), "binary content goes to LFS");
    assert!(
        files
            .iter()
            .find(|f| f.0 == "config.json")
            .unwrap()
            .2
            .is_none()
    );

    assert_eq!(
        hub.read("alice/mixed", "main", "nested/weights.bin")
            .await
            .unwrap(),
        weights
    );
    assert_eq!(
        hub.read("alice/mixed", "main", "blob.bin").await.unwrap(),
        binary
    );
    assert_eq!(
        hub.read("alice/mixed", "main", "config.json")
            .await
            .unwrap(),
        br#"{"hidden": 8}"#
    );
    assert_eq!(titles(&hub, "alice/mixed", "main").await[0], "Add weights");
}

#[tokio::test]
async fn parent_commit_mismatch_is_a_conflict() {
    let hub = Hub::start().await;
    let first = hub
        .commit("locked", vec![File::Regular("a.txt", b"1".to_vec())])
        .await;
    let second = hub
        .commit("locked", vec![File::Regular("a.txt", b"2".to_vec())])
        .await;
    let err = CreateCommit::new(
        hub.client(),
        id("alice/locked"),
        vec![add("a.txt", b"3")],
        "stale",
    )
    .parent_commit(&first)
    .await
    .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    assert_eq!(
        hub.read("alice/locked", "main", "a.txt").await.unwrap(),
        b"2"
    );
    // The right parent works.
    CreateCommit::new(
        hub.client(),
        id("alice/locked"),
        vec![add("a.txt", b"3")],
        "fresh",
    )
    .parent_commit(&second[..7])
    .await
    .unwrap();
    assert_eq!(
        hub.read("alice/locked", "main", "a.txt").await.unwrap(),
        b"3"
    );
}

/// A client whose endpoint accepts no connection: any request would fail with a transport error.
fn unreachable_client() -> hf_http::HubClient {
    hf_http::HubClient::builder()
        .endpoint("http://127.0.0.1:9")
        .retry(hf_http::RetryPolicy::default().max_retries(0))
        .build()
        .unwrap()
}

#[tokio::test]
async fn bad_input_is_refused_before_any_request() {
    let client = unreachable_client();
    let err = CreateCommit::new(client.clone(), id("alice/x"), vec![add("a", b"1")], "  ")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidArgument(m) if m.contains("commit message")),
        "{err}"
    );
    let err = CreateCommit::new(client.clone(), id("alice/x"), vec![add("a", b"1")], "m")
        .parent_commit("not-hex")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidArgument(m) if m.contains("parent_commit")),
        "{err}"
    );
    for bad in ["../a", ".git/config", "..\\b", ""] {
        assert!(
            CommitOperationAdd::from_bytes(bad, b"x".to_vec()).is_err(),
            "{bad}"
        );
    }
    // A missing local file names the file.
    let err = CreateCommit::new(
        client,
        id("alice/x"),
        vec![
            CommitOperationAdd::from_path("a.bin", "/definitely/not/here.bin")
                .unwrap()
                .into(),
        ],
        "m",
    )
    .await
    .unwrap_err();
    assert!(matches!(&err, Error::Io { .. }), "{err:?}");
    assert!(
        err.to_string().contains("/definitely/not/here.bin"),
        "{err}"
    );
}

#[tokio::test]
async fn create_pr_puts_the_commit_on_a_new_pull_request() {
    let hub = Hub::start().await;
    hub.commit("pr", vec![File::Regular("a.txt", b"main".to_vec())])
        .await;
    let pr_client = hub.client_with(Some(common::BOB));
    let info = CreateCommit::new(
        pr_client,
        id("alice/pr"),
        vec![add("a.txt", b"proposed"), add("w.bin", &data(5000, 1))],
        "Proposal",
    )
    .create_pr(true)
    .await
    .unwrap();
    let num = info.pr_num.unwrap();
    assert_eq!(
        info.pr_revision.as_ref().unwrap().as_str(),
        format!("refs/pr/{num}")
    );
    let pr_rev = format!("refs/pr/{num}");
    assert_eq!(
        hub.read("alice/pr", &pr_rev, "a.txt").await.unwrap(),
        b"proposed"
    );
    assert_eq!(
        hub.read("alice/pr", &pr_rev, "w.bin").await.unwrap(),
        data(5000, 1)
    );
    assert_eq!(
        hub.read("alice/pr", "main", "a.txt").await.unwrap(),
        b"main"
    );
}

#[tokio::test]
async fn unchanged_files_make_no_commit() {
    let hub = Hub::start().await;
    let blob = data(2048, 3);
    hub.create(RepoType::Model, "alice", "same", false).await;
    let head = hub
        .commit(
            "same",
            vec![
                File::Regular("a.txt", b"same".to_vec()),
                File::Lfs("b.bin", blob.clone()),
            ],
        )
        .await;
    let events = Arc::new(Events::default());
    let info = CreateCommit::new(
        hub.client(),
        id("alice/same"),
        vec![add("a.txt", b"same"), add("b.bin", &blob)],
        "nothing new",
    )
    .reporter(events.clone())
    .await
    .unwrap();
    assert_eq!(info.oid, head, "the head is returned");
    assert_eq!(
        titles(&hub, "alice/same", "main").await[0],
        "seed",
        "no new commit"
    );
    let lines = events.lines();
    assert!(
        lines.contains(&"skip a.txt Unchanged".to_string()),
        "{lines:?}"
    );
    assert!(
        lines.contains(&"skip b.bin Unchanged".to_string()),
        "{lines:?}"
    );
    assert!(!lines.iter().any(|l| l.starts_with("start")), "{lines:?}");
}

#[tokio::test]
async fn objects_already_stored_are_not_sent_again() {
    let hub = Hub::start().await;
    let blob = data(10_000, 4);
    hub.commit("dedup", vec![File::Lfs("first.bin", blob.clone())])
        .await;
    let events = Arc::new(Events::default());
    CreateCommit::new(
        hub.client(),
        id("alice/dedup"),
        vec![add("second.bin", &blob), add("third.bin", &blob)],
        "copies",
    )
    .reporter(events.clone())
    .await
    .unwrap();
    let lines = events.lines();
    assert!(!lines.iter().any(|l| l.starts_with("start")), "{lines:?}");
    assert!(
        lines
            .iter()
            .filter(|l| l.ends_with("AlreadyStored"))
            .count()
            == 2,
        "{lines:?}"
    );
    assert_eq!(
        hub.read("alice/dedup", "main", "third.bin").await.unwrap(),
        blob
    );
}

#[tokio::test]
async fn multipart_upload_with_a_part_interrupted_by_the_server() {
    let fault: FaultSpec = "status=500,path=/_hub-lfs/part/*,method=PUT,count=1"
        .parse()
        .unwrap();
    let hub = Hub::start_with(|b| b.multipart_chunk_size(1 << 20).fault(fault)).await;
    hub.create(RepoType::Model, "alice", "big", false).await;
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("big.bin");
    let content = data((3 << 20) + 12_345, 5);
    std::fs::write(&local, &content).unwrap();
    let events = Arc::new(Events::default());
    CreateCommit::new(
        hub.client(),
        id("alice/big"),
        vec![
            CommitOperationAdd::from_path("big.bin", &local)
                .unwrap()
                .into(),
        ],
        "big",
    )
    .num_threads(3)
    .reporter(events.clone())
    .await
    .unwrap();
    assert_eq!(
        hub.read("alice/big", "main", "big.bin").await.unwrap(),
        content
    );
    let lines = events.lines();
    assert!(
        lines.contains(&format!("start big.bin {}", content.len())),
        "{lines:?}"
    );
    assert!(lines.contains(&"done big.bin".to_string()), "{lines:?}");
}

#[tokio::test]
async fn a_failed_transfer_sends_no_commit() {
    // Every basic PUT fails: the retries give up and the commit must not be sent.
    let fault: FaultSpec = "status=500,path=/_hub-lfs/basic/*,method=PUT"
        .parse()
        .unwrap();
    let hub = Hub::start_with(|b| b.fault(fault)).await;
    hub.commit("fail", vec![File::Regular("a.txt", b"1".to_vec())])
        .await;
    let before = titles(&hub, "alice/fail", "main").await.len();
    let client = hf_http::HubClient::builder()
        .endpoint(hub.endpoint())
        .token(Some(common::ALICE))
        .retry(hf_http::RetryPolicy::default().max_retries(1))
        .build()
        .unwrap();
    let err = CreateCommit::new(
        client,
        id("alice/fail"),
        vec![add("w.bin", &data(1000, 9)), add("a.txt", b"2")],
        "no",
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::Server(_)), "{err:?}");
    assert_eq!(hub.read("alice/fail", "main", "a.txt").await.unwrap(), b"1");
    assert_eq!(
        titles(&hub, "alice/fail", "main").await.len(),
        before,
        "no commit sent"
    );
}

#[tokio::test]
async fn copies_lfs_by_reference_and_regular_by_content() {
    let hub = Hub::start().await;
    let blob = data(20_000, 6);
    hub.commit(
        "copy",
        vec![
            File::Lfs("w.bin", blob.clone()),
            File::Regular("cfg.json", b"{}".to_vec()),
        ],
    )
    .await;
    let events = Arc::new(Events::default());
    CreateCommit::new(
        hub.client(),
        id("alice/copy"),
        vec![
            CommitOperationCopy::new("w.bin", "backup/w.bin")
                .unwrap()
                .into(),
            CommitOperationCopy::new("cfg.json", "backup/cfg.json")
                .unwrap()
                .into(),
        ],
        "backup",
    )
    .reporter(events.clone())
    .await
    .unwrap();
    assert_eq!(
        hub.read("alice/copy", "main", "backup/w.bin")
            .await
            .unwrap(),
        blob
    );
    assert_eq!(
        hub.read("alice/copy", "main", "backup/cfg.json")
            .await
            .unwrap(),
        b"{}"
    );
    assert!(
        events.lines().is_empty(),
        "no transfer: {:?}",
        events.lines()
    );
    // A missing source and a folder source are clear errors.
    let err = CreateCommit::new(
        hub.client(),
        id("alice/copy"),
        vec![
            CommitOperationCopy::new("nope.bin", "x.bin")
                .unwrap()
                .into(),
        ],
        "bad",
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("nope.bin"), "{err}");
    let err = CreateCommit::new(
        hub.client(),
        id("alice/copy"),
        vec![CommitOperationCopy::new("backup", "x").unwrap().into()],
        "bad",
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("folder"), "{err}");
}

#[tokio::test]
async fn preuploaded_files_are_committed_without_a_second_transfer() {
    let hub = Hub::start().await;
    hub.create(RepoType::Model, "alice", "pre", false).await;
    let shard = data(50_000, 10);
    let uploaded = PreuploadLfsFiles::new(
        hub.client(),
        id("alice/pre"),
        vec![
            CommitOperationAdd::from_bytes("shard.bin", shard.clone()).unwrap(),
            CommitOperationAdd::from_bytes("notes.txt", b"text".to_vec()).unwrap(),
        ],
    )
    .await
    .unwrap();
    assert!(uploaded[0].is_uploaded());
    assert!(!uploaded[1].is_uploaded(), "regular files go in the commit");
    let events = Arc::new(Events::default());
    CreateCommit::new(
        hub.client(),
        id("alice/pre"),
        uploaded.into_iter().map(Into::into).collect(),
        "shards",
    )
    .reporter(events.clone())
    .await
    .unwrap();
    assert!(
        !events.lines().iter().any(|l| l.starts_with("start")),
        "{:?}",
        events.lines()
    );
    assert_eq!(
        hub.read("alice/pre", "main", "shard.bin").await.unwrap(),
        shard
    );
    assert_eq!(
        hub.read("alice/pre", "main", "notes.txt").await.unwrap(),
        b"text"
    );
}

#[tokio::test]
async fn reader_sources_are_read_once() {
    let hub = Hub::start().await;
    hub.create(RepoType::Model, "alice", "reader", false).await;
    let content = data(70_000, 11);
    let op =
        CommitOperationAdd::from_reader("r.bin", std::io::Cursor::new(content.clone())).unwrap();
    CreateCommit::new(
        hub.client(),
        id("alice/reader"),
        vec![op.clone().into()],
        "reader",
    )
    .await
    .unwrap();
    assert_eq!(
        hub.read("alice/reader", "main", "r.bin").await.unwrap(),
        content
    );
    let err = CreateCommit::new(hub.client(), id("alice/reader"), vec![op.into()], "again")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("already consumed"), "{err}");
}

#[tokio::test]
async fn invalid_readme_metadata_fails_before_upload() {
    let hub = Hub::start().await;
    hub.create(RepoType::Model, "alice", "card", false).await;
    let events = Arc::new(Events::default());
    let err = CreateCommit::new(
        hub.client(),
        id("alice/card"),
        vec![
            add("README.md", b"---\nlicense: mit\n\tbad: tab\n---\n# Card\n"),
            add("w.bin", &data(100, 1)),
        ],
        "card",
    )
    .reporter(events.clone())
    .await
    .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidArgument(m) if m.contains("README.md") && m.contains("tab")),
        "{err}"
    );
    assert!(events.lines().is_empty());
    // Valid metadata is accepted.
    CreateCommit::new(
        hub.client(),
        id("alice/card"),
        vec![add("README.md", b"---\nlicense: mit\n---\n# Card\n")],
        "card",
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn gitignored_files_are_dropped() {
    let hub = Hub::start().await;
    hub.create(RepoType::Model, "alice", "ignore", false).await;
    let events = Arc::new(Events::default());
    CreateCommit::new(
        hub.client(),
        id("alice/ignore"),
        vec![
            add(".gitignore", b"*.log\n"),
            add("run.log", b"noise"),
            add("keep.txt", b"k"),
        ],
        "ignore",
    )
    .reporter(events.clone())
    .await
    .unwrap();
    assert!(hub.read("alice/ignore", "main", "run.log").await.is_none());
    assert_eq!(
        hub.read("alice/ignore", "main", "keep.txt").await.unwrap(),
        b"k"
    );
    assert!(
        events.lines().contains(&"skip run.log Ignored".to_string()),
        "{:?}",
        events.lines()
    );
}

#[tokio::test]
async fn errors_of_the_hub_are_typed() {
    let hub = Hub::start().await;
    let err = CreateCommit::new(hub.client(), id("alice/missing"), vec![add("a", b"1")], "m")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RepoNotFound(_)), "{err:?}");
    hub.commit("mine", vec![File::Regular("a", b"1".to_vec())])
        .await;
    let err = CreateCommit::new(hub.client(), id("alice/mine"), vec![add("a", b"2")], "m")
        .revision("no-such-branch".parse().unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RevisionNotFound(_)), "{err:?}");
    let context = err.context().expect("an HTTP error carries its context");
    assert_eq!(context.repo_id, Some(id("alice/mine")));
    assert_eq!(context.revision.as_deref(), Some("no-such-branch"));
    let err = CreateCommit::new(
        hub.client_with(Some(common::BOB)),
        id("alice/mine"),
        vec![add("a", b"2")],
        "m",
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
    let err = CreateCommit::new(
        hub.client(),
        id("alice/mine"),
        vec![CommitOperationDelete::new("nope.txt").unwrap().into()],
        "m",
    )
    .await
    .unwrap_err();
    assert!(matches!(err, Error::EntryNotFound(_)), "{err:?}");
}
