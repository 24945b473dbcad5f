//! `upload_large_folder` end to end against hf-local-hub: many commits, the Python state format
//! on disk, and a resumed run that does not redo finished work (requests counted at the hub).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};

use common::{Clients, Hub, data};
use hf_local_hub::{FaultKind, FaultSpec};
use hf_repo::large_folder::UploadLargeFolder;
use hf_repo::prelude::*;
use hf_repo::refs::{ListRepoCommits, ListRepoFiles};
use hf_types::{RepoId, RepoType};

fn id(s: &str) -> RepoId {
    s.parse().unwrap()
}

/// `n` small text files and 3 binary (LFS) files.
fn fill(root: &Path, n: usize) {
    for i in 0..n {
        let path = root.join(format!("part-{}/f{i}.txt", i % 7));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, format!("file {i}\n")).unwrap();
    }
    for i in 0..3 {
        std::fs::write(root.join(format!("w{i}.bin")), data(70_000 + i, i as u64)).unwrap();
    }
}

/// Counters: commits, preupload requests, LFS transfers.
fn counters() -> Vec<FaultSpec> {
    vec![
        FaultSpec::new(FaultKind::Delay(0))
            .method("POST")
            .path("/api/*/commit/*"),
        FaultSpec::new(FaultKind::Delay(0))
            .method("POST")
            .path("/api/*/preupload/*"),
        FaultSpec::new(FaultKind::Delay(0))
            .method("PUT")
            .path("/_hub-lfs/*"),
    ]
}

#[tokio::test]
async fn uploads_in_many_commits_and_a_second_run_does_nothing() {
    let hub = Hub::start_with_faults(counters()).await;
    let dir = tempfile::tempdir().unwrap();
    fill(dir.path(), 400);
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    std::fs::write(dir.path().join(".git/HEAD"), "x").unwrap();
    let reports = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = reports.clone();
    UploadLargeFolder::new(hub.client(), id("alice/big"), dir.path())
        .repo_type(RepoType::Dataset)
        .private(true)
        .num_workers(3)
        .report_every(std::time::Duration::from_millis(300))
        .report(Arc::new(move |t: &str| {
            sink.lock().unwrap().push(t.to_owned())
        }))
        .await
        .unwrap();
    let files = ListRepoFiles::new(hub.client(), id("alice/big"))
        .repo_type(RepoType::Dataset)
        .await
        .unwrap();
    assert_eq!(files.iter().filter(|f| f.ends_with(".txt")).count(), 400);
    assert!(
        !files
            .iter()
            .any(|f| f.starts_with(".git/") || f.starts_with(".cache"))
    );
    assert_eq!(
        hub.read("datasets/alice/big", "main", "w2.bin")
            .await
            .unwrap(),
        data(70_002, 2)
    );
    let commits = ListRepoCommits::new(hub.client(), id("alice/big"))
        .repo_type(RepoType::Dataset)
        .await
        .unwrap();
    assert!(commits.len() >= 3, "{} commits", commits.len());
    assert_eq!(commits[0].title, "Add files using upload-large-folder tool");
    // The state is Python's: eight lines, committed.
    let meta = std::fs::read_to_string(
        dir.path()
            .join(".cache/huggingface/upload/part-1/f1.txt.metadata"),
    )
    .unwrap();
    let lines: Vec<&str> = meta.lines().collect();
    assert_eq!(lines.len(), 8);
    assert_eq!(lines[2], "0");
    assert_eq!(lines[3].len(), 64);
    assert_eq!(lines[4..], ["regular", "", "0", "1"]);
    let last = reports.lock().unwrap().last().cloned().unwrap();
    assert!(last.contains("committed: 403/403"), "{last}");

    let hits = hub.fault_hits();
    assert_eq!(hits[2], 3, "each LFS file sent once");
    UploadLargeFolder::new(hub.client(), id("alice/big"), dir.path())
        .repo_type(RepoType::Dataset)
        .await
        .unwrap();
    assert_eq!(
        hub.fault_hits(),
        hits,
        "a finished upload sends nothing again"
    );
    hub.shutdown().await;
}

#[tokio::test]
async fn resumes_after_a_failed_run_without_redoing_uploads() {
    let mut faults = counters();
    // The first commit is refused: the run stops with that error after its other work.
    faults.push(
        FaultSpec::new(FaultKind::Status {
            code: 403,
            retry_after: None,
        })
        .method("POST")
        .path("/api/*/commit/*")
        .count(1),
    );
    let hub = Hub::start_with_faults(faults).await;
    let dir = tempfile::tempdir().unwrap();
    fill(dir.path(), 200);
    let err = UploadLargeFolder::new(hub.client(), id("alice/resume"), dir.path())
        .num_workers(2)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), hf_repo::ErrorKind::Forbidden, "{err}");
    let first = hub.fault_hits();
    // A file changed since: it is hashed and sent again.
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(dir.path().join("part-0/f0.txt"), "changed\n").unwrap();
    UploadLargeFolder::new(hub.client(), id("alice/resume"), dir.path())
        .num_workers(2)
        .await
        .unwrap();
    let second = hub.fault_hits();
    assert_eq!(second[2], 3, "LFS contents are not uploaded twice");
    // Modes were saved by the first run: at most the changed file and the unsure ones are asked.
    assert!(second[1] - first[1] <= first[1], "{first:?} {second:?}");
    assert_eq!(
        hub.read("alice/resume", "main", "part-0/f0.txt")
            .await
            .unwrap(),
        b"changed\n"
    );
    let files = ListRepoFiles::new(hub.client(), id("alice/resume"))
        .await
        .unwrap();
    assert_eq!(files.iter().filter(|f| f.ends_with(".txt")).count(), 200);
    hub.shutdown().await;
}

#[tokio::test]
async fn refuses_a_file_instead_of_a_folder() {
    let hub = Hub::start().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f"), "x").unwrap();
    let err = UploadLargeFolder::new(hub.client(), id("alice/x"), dir.path().join("f"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), hf_repo::ErrorKind::InvalidArgument);
    let err = UploadLargeFolder::new(
        hub.client_with(Some(common::ALICE_READ)),
        id("alice/x"),
        dir.path(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            err.kind(),
            hf_repo::ErrorKind::Forbidden | hf_repo::ErrorKind::Unauthorized
        ),
        "{err}"
    );
    hub.shutdown().await;
}
