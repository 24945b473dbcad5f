//! Persistence across restarts and the binary. (Crash safety, deduplication and commit checks of the
//! store are unit tests in `src/storage/tests.rs`.)
// Helpers outside #[test] functions panic on failure too.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::*;
use http::Method;
use serde_json::json;

/// The endpoint a started `hf-local-hub` binary announces on its first line.
fn listening_on(child: &mut std::process::Child) -> String {
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    line.trim()
        .strip_prefix("hf-local-hub listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned()
}

#[tokio::test]
async fn state_survives_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (commit, sha) = {
        let hub = builder().data_dir(dir.path()).start().await.unwrap();
        let http = Http::new(hub.endpoint());
        let repo = http
            .create_repo(&hub, ALICE, "dataset", "acme/data", true)
            .await;
        let sha = put_lfs(&hub, vec![7u8; 5000]).await;
        commit_files(&repo, "main", &[("a/b.txt", b"persist me")]).await;
        let commit = repo
            .commit("main")
            .lfs_pointer("w.bin", &sha, None)
            .push()
            .await
            .unwrap();
        let r = http
            .json(
                Method::POST,
                "/api/datasets/acme/data/tag/main",
                Some(ALICE),
                json!({"tag": "v1"}),
            )
            .await;
        assert_eq!(r.status, 200);
        repo.create_pull_request(&commit, "pr", "alice")
            .await
            .unwrap();
        let r = http
            .json(
                Method::POST,
                "/api/repos/move",
                Some(ALICE),
                json!({"fromRepo": "acme/data", "toRepo": "acme/data2", "type": "dataset"}),
            )
            .await;
        assert_eq!(r.status, 200);
        hub.shutdown().await;
        (commit, sha)
    };
    let hub = builder().data_dir(dir.path()).start().await.unwrap();
    let http = Http::new(hub.endpoint());
    let r = http
        .get("/datasets/acme/data2/resolve/v1/a/b.txt", Some(ALICE))
        .await;
    assert_eq!((r.status, &r.body[..]), (200, &b"persist me"[..]));
    assert_eq!(r.header("x-repo-commit"), Some(commit.clone()));
    let info = http
        .get("/api/datasets/acme/data2?blobs=true", Some(ALICE))
        .await
        .json();
    assert_eq!(info["private"], true);
    assert_eq!(info["sha"], commit);
    let w = info["siblings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["rfilename"] == "w.bin")
        .unwrap()
        .clone();
    assert_eq!(w["lfs"]["sha256"], sha);
    assert_eq!(w["lfs"]["size"], 5000);
    let loc = http
        .head("/datasets/acme/data2/resolve/main/w.bin", Some(ALICE))
        .await
        .header("location")
        .unwrap();
    assert_eq!(http.get(&loc, None).await.body.len(), 5000);
    let refs = http
        .get(
            "/api/datasets/acme/data2/refs?include_prs=true",
            Some(ALICE),
        )
        .await
        .json();
    assert_eq!(refs["pullRequests"][0]["name"], "1");
    // The old name still redirects.
    let r = http.get("/api/datasets/acme/data", Some(ALICE)).await;
    assert_eq!(r.status, 307);
    assert_eq!(http.get("/api/datasets/acme/data2", None).await.status, 401);
}

#[tokio::test]
async fn binary_prints_endpoint_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hf-local-hub"))
        .args([
            "--user",
            "alice:hf_alice",
            "--read-token",
            "alice:hf_ro",
            "--org",
            "acme:alice,bob",
        ])
        .args(["--fault", "delay=1,path=/nothing"])
        .arg("--data-dir")
        .arg(dir.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let endpoint = listening_on(&mut child);
    assert!(endpoint.starts_with("http://127.0.0.1:"), "{endpoint}");
    let http = Http::new(&endpoint);
    let r = http.get("/api/whoami-v2", Some("hf_ro")).await;
    assert_eq!(r.json()["orgs"][0]["name"], "acme");
    assert_eq!(r.json()["auth"]["accessToken"]["role"], "read");
    Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status:?}");
    assert!(dir.path().join("hub.sqlite").exists());
    // Bad flags fail clearly.
    let out = Command::new(env!("CARGO_BIN_EXE_hf-local-hub"))
        .args(["--fault", "nonsense"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

/// Users can come from a file and from `HF_LOCAL_HUB_USERS`, keeping tokens out of the process
/// list.
#[tokio::test]
async fn binary_reads_users_from_a_file_and_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("users");
    std::fs::write(&users, "# team\nalice:hf_alice_file\n\n").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hf-local-hub"))
        .arg("--users-file")
        .arg(&users)
        .env("HF_LOCAL_HUB_USERS", "bob:hf_bob_env,carol:hf_carol_env")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let endpoint = listening_on(&mut child);
    let http = Http::new(&endpoint);
    for (token, name) in [
        ("hf_alice_file", "alice"),
        ("hf_bob_env", "bob"),
        ("hf_carol_env", "carol"),
    ] {
        let r = http.get("/api/whoami-v2", Some(token)).await;
        assert_eq!(r.json()["name"], name, "{}", r.text());
    }
    child.kill().unwrap();
    let _ = child.wait();
}

/// Read-only tokens too can come from a file or from `HF_LOCAL_HUB_READ_TOKENS` (issue 16 item
/// 13: no token is only passable on the command line).
#[tokio::test]
async fn binary_reads_read_tokens_from_a_file_and_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("read-tokens");
    std::fs::write(&tokens, "alice:hf_alice_read_file\n").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hf-local-hub"))
        .args(["--user", "alice:hf_alice_w", "--user", "bob:hf_bob_w"])
        .arg("--read-tokens-file")
        .arg(&tokens)
        .env("HF_LOCAL_HUB_READ_TOKENS", "bob:hf_bob_read_env")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let endpoint = listening_on(&mut child);
    let http = Http::new(&endpoint);
    for (token, name) in [("hf_alice_read_file", "alice"), ("hf_bob_read_env", "bob")] {
        let r = http.get("/api/whoami-v2", Some(token)).await;
        assert_eq!(r.json()["name"], name, "{}", r.text());
        assert_eq!(
            r.json()["auth"]["accessToken"]["role"],
            "read",
            "{}",
            r.text()
        );
    }
    child.kill().unwrap();
    let _ = child.wait();
}
