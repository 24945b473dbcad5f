//! `hf upload` end to end against an in-process hf-local-hub; what landed is read back through the
//! hub's seeding API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use hf_types::RepoType;

impl Env {
    /// The bytes of `path` at `revision` of the model `repo`, or `None` when absent.
    async fn read(&self, repo: &str, revision: &str, path: &str) -> Option<Vec<u8>> {
        let seed = self.hub.seed();
        let commit = seed.model(repo).head(revision).await.unwrap()?;
        seed.read_file(&commit, path).await.unwrap()
    }
}

fn write(root: &std::path::Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn upload_a_file_creates_the_repo_and_prints_the_file_url() {
    let env = Env::start().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("weights.bin");
    let content: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&file, &content).unwrap();
    let out = env
        .hf(&[
            "upload",
            "alice/up",
            file.to_str().unwrap(),
            "--private",
            "--quiet",
        ])
        .await;
    assert_eq!(
        ok(&out).trim(),
        format!("{}/alice/up/blob/main/weights.bin", env.hub.endpoint())
    );
    assert!(env.repo(RepoType::Model, "alice/up").await.unwrap().private);
    assert_eq!(
        env.read("alice/up", "main", "weights.bin").await.unwrap(),
        content
    );

    // PATH_IN_REPO, a new branch, and a message.
    let out = env
        .hf(&[
            "upload",
            "alice/up",
            file.to_str().unwrap(),
            "models/w.bin",
            "--revision",
            "dev",
            "--commit-message",
            "to dev",
        ])
        .await;
    assert_eq!(
        ok(&out).trim(),
        format!("{}/alice/up/blob/dev/models/w.bin", env.hub.endpoint())
    );
    assert_eq!(
        env.read("alice/up", "dev", "models/w.bin").await.unwrap(),
        content
    );
    assert!(env.read("alice/up", "main", "models/w.bin").await.is_none());

    // A pull request prints its URL.
    let out = env
        .hf(&[
            "upload",
            "alice/up",
            file.to_str().unwrap(),
            "pr.bin",
            "--create-pr",
        ])
        .await;
    let url = ok(&out);
    assert!(url.trim().ends_with("/alice/up/discussions/1"), "{url}");
    assert_eq!(
        env.read("alice/up", "refs/pr/1", "pr.bin").await.unwrap(),
        content
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn upload_a_folder_with_patterns() {
    let env = Env::start().await;
    env.seed().await; // alice/tiny: config.json, sub/vocab.txt, sub/deep/x.bin
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.json", b"{}");
    write(dir.path(), "b/c.txt", b"c");
    write(dir.path(), "skip.tmp", b"t");
    let out = env
        .hf(&[
            "upload",
            "alice/tiny",
            dir.path().to_str().unwrap(),
            "sub",
            "--exclude",
            "*.tmp",
            "--delete",
            "*.bin",
        ])
        .await;
    assert_eq!(
        ok(&out).trim(),
        format!("{}/alice/tiny/tree/main/sub", env.hub.endpoint())
    );
    assert_eq!(
        env.read("alice/tiny", "main", "sub/a.json").await.unwrap(),
        b"{}"
    );
    assert_eq!(
        env.read("alice/tiny", "main", "sub/b/c.txt").await.unwrap(),
        b"c"
    );
    assert!(
        env.read("alice/tiny", "main", "sub/skip.tmp")
            .await
            .is_none()
    );
    assert!(
        env.read("alice/tiny", "main", "sub/deep/x.bin")
            .await
            .is_none()
    );
    assert!(
        env.read("alice/tiny", "main", "sub/vocab.txt")
            .await
            .is_some()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn upload_errors_are_one_clear_line() {
    let env = Env::start().await;
    let out = env.hf(&["upload", "alice/x", "/no/such/file.bin"]).await;
    let err = fails(&out, "cannot upload /no/such/file.bin");
    assert!(err.lines().count() <= 3, "{err}");
    // `hf upload REPO` alone needs ./{name}.
    let out = env
        .hf(&["upload", "alice/definitely-not-a-local-folder"])
        .await;
    fails(&out, "no LOCAL_PATH given");
    // No token: the hint says how to pass one.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("f.txt");
    std::fs::write(&file, b"x").unwrap();
    let out = env
        .hf_with(None, None, &["upload", "alice/x", file.to_str().unwrap()])
        .await;
    let err = fails(&out, "cannot create alice/x");
    assert!(err.contains("hint:"), "{err}");
    // Someone else's repo.
    env.seed().await;
    let out = env
        .hf_with(
            Some(BOB),
            None,
            &["upload", "alice/tiny", file.to_str().unwrap()],
        )
        .await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // Patterns make no sense for one file.
    let out = env
        .hf(&[
            "upload",
            "alice/x",
            file.to_str().unwrap(),
            "--include",
            "*.txt",
        ])
        .await;
    fails(&out, "--include, --exclude and --delete apply to folders");
}

#[tokio::test(flavor = "multi_thread")]
async fn upload_every_pushes_on_a_schedule_and_once_more_on_sigterm() {
    use std::process::{Command, Stdio};
    let env = Env::start().await;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.txt", b"first\n");
    let child = Command::new(env!("CARGO_BIN_EXE_hf"))
        .args([
            "upload",
            "alice/sched",
            dir.path().to_str().unwrap(),
            "--every",
            "0.0005",
        ])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HF_ENDPOINT", env.hub.endpoint())
        .env("HF_HOME", env.home.path().join("home"))
        .env("HF_TOKEN", ALICE)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while env.repo(RepoType::Model, "alice/sched").await.is_none()
        || env.read("alice/sched", "main", "a.txt").await.is_none()
    {
        assert!(std::time::Instant::now() < deadline, "no scheduled push");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    write(dir.path(), "b.txt", b"second\n");
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap())
        .await
        .unwrap();
    let text = ok(&out);
    assert!(text.starts_with("Scheduling commits every"), "{text}");
    assert!(
        text.trim_end().ends_with("Stopped scheduled commits."),
        "{text}"
    );
    assert_eq!(
        env.read("alice/sched", "main", "b.txt").await.unwrap(),
        b"second\n"
    );
}
