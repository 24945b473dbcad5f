//! `CommitScheduler` and `BackgroundTask` end to end against hf-local-hub. Time is driven by
//! the test: pushes on `trigger()`, or a schedule of milliseconds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{Clients, Hub};
use hf_repo::background::BackgroundTask;
use hf_repo::commit::UploadFile;
use hf_repo::refs::ListRepoCommits;
use hf_repo::scheduler::CommitScheduler;
use hf_types::RepoId;

fn id(s: &str) -> RepoId {
    s.parse().unwrap()
}

#[tokio::test]
// The test plays a writer holding the (blocking) lock while the push waits on another thread.
#[allow(clippy::await_holding_lock)]
async fn pushes_changes_only_and_stop_pushes_the_last_ones() {
    let hub = Hub::start().await;
    let dir = tempfile::tempdir().unwrap();
    let scheduler = CommitScheduler::new(hub.client(), id("alice/logs"), dir.path())
        .every(None)
        .path_in_repo("runs/")
        .ignore_patterns(["*.tmp"])
        .await
        .unwrap();
    assert!(
        scheduler.trigger().await.unwrap().is_none(),
        "empty folder: no commit"
    );

    std::fs::write(dir.path().join("a.txt"), "one\n").unwrap();
    std::fs::write(dir.path().join("skip.tmp"), "x").unwrap();
    let info = scheduler.trigger().await.unwrap().unwrap();
    assert_eq!(info.commit_message, "Scheduled Commit");
    assert_eq!(
        hub.read("alice/logs", "main", "runs/a.txt").await.unwrap(),
        b"one\n"
    );
    assert!(
        hub.read("alice/logs", "main", "runs/skip.tmp")
            .await
            .is_none()
    );
    // Unchanged, or rewritten with the same content: nothing is sent.
    assert!(scheduler.trigger().await.unwrap().is_none());
    std::thread::sleep(Duration::from_millis(10));
    std::fs::write(dir.path().join("a.txt"), "one\n").unwrap();
    assert!(scheduler.trigger().await.unwrap().is_none());

    // A writer holding the lock: the push waits and never sees the half-written file.
    let guard = scheduler.lock();
    std::fs::write(dir.path().join("b.txt"), "half").unwrap();
    let pending = scheduler.trigger();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(!pending.is_finished());
    std::fs::write(dir.path().join("b.txt"), "half and the rest\n").unwrap();
    drop(guard);
    pending.await.unwrap().unwrap();
    assert_eq!(
        hub.read("alice/logs", "main", "runs/b.txt").await.unwrap(),
        b"half and the rest\n"
    );

    std::fs::write(dir.path().join("c.txt"), "last\n").unwrap();
    let last = scheduler.stop().await.unwrap();
    assert!(last.is_some());
    assert_eq!(
        hub.read("alice/logs", "main", "runs/c.txt").await.unwrap(),
        b"last\n"
    );
    let commits = ListRepoCommits::new(hub.client(), id("alice/logs"))
        .await
        .unwrap();
    assert_eq!(commits.len(), 4, "initial + three pushes");
    hub.shutdown().await;
}

#[tokio::test]
async fn pushes_on_a_schedule_and_squashes() {
    let hub = Hub::start().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "1").unwrap();
    let scheduler = CommitScheduler::new(hub.client(), id("alice/sched"), dir.path())
        .every(Duration::from_millis(30))
        .squash_history(true)
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while hub.read("alice/sched", "main", "a.txt").await.is_none() {
        assert!(std::time::Instant::now() < deadline, "no scheduled push");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    std::fs::write(dir.path().join("b.txt"), "2").unwrap();
    while hub.read("alice/sched", "main", "b.txt").await.is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "no second scheduled push"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    scheduler.stop().await.unwrap();
    let commits = ListRepoCommits::new(hub.client(), id("alice/sched"))
        .await
        .unwrap();
    assert_eq!(commits.len(), 1, "history squashed");
    hub.shutdown().await;
}

#[tokio::test]
async fn refuses_bad_settings() {
    let hub = Hub::start().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f"), "x").unwrap();
    let err = CommitScheduler::new(hub.client(), id("alice/x"), dir.path().join("f"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), hf_repo::ErrorKind::InvalidArgument);
    let err = CommitScheduler::new(hub.client(), id("alice/x"), dir.path())
        .every(Duration::ZERO)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), hf_repo::ErrorKind::InvalidArgument);
    hub.shutdown().await;
}

#[tokio::test]
async fn background_tasks_are_awaited_or_cancelled() {
    let hub = Hub::start().await;
    hub.create(hf_types::RepoType::Model, "alice", "bg", false)
        .await;
    let task = BackgroundTask::spawn(UploadFile::from_bytes(
        hub.client(),
        id("alice/bg"),
        b"x".to_vec(),
        "x.txt".parse().unwrap(),
    ));
    let info = task.await.unwrap();
    assert_eq!(info.commit_message, "Upload x.txt with hf-api");
    let slow = BackgroundTask::<()>::spawn(async {
        tokio::time::sleep(Duration::from_secs(30)).await;
        Ok::<(), hf_repo::Error>(())
    });
    slow.cancel();
    let err = slow.await.unwrap_err();
    assert_eq!(err.kind(), hf_repo::ErrorKind::Task, "{err}");
    hub.shutdown().await;
}
