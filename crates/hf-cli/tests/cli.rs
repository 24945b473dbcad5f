//! The `hf` binary end to end against an in-process hf-local-hub.
// Helpers outside #[test] functions unwrap too: a failed set-up is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

use hf_local_hub::{LocalHub, LocalHubHandle};

const TOKEN: &str = "hf_alice_token";
const CONFIG: &[u8] = b"{\"model_type\": \"tiny\"}";

/// A hub with `alice/tiny`: config.json, sub/vocab.txt and an LFS model.bin. Returns the commit.
async fn hub_with_repo() -> (LocalHubHandle, String, Vec<u8>) {
    let hub = LocalHub::builder()
        .user("alice", TOKEN)
        .start()
        .await
        .unwrap();
    let weights: Vec<u8> = (0..300_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let repo = hub.seed().model("alice/tiny");
    repo.create(false).await.unwrap();
    let commit = repo
        .commit("main")
        .message("add model")
        .file("config.json", CONFIG)
        .file("sub/vocab.txt", &b"a\nb\n"[..])
        .lfs("model.bin", weights.clone())
        .push()
        .await
        .unwrap();
    (hub, commit, weights)
}

/// Runs `hf` with a clean environment pointing at `endpoint` and `cache`.
async fn hf(endpoint: &str, cache: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hf"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HF_ENDPOINT", endpoint)
        .env("HF_HOME", cache.join("home"))
        .env("HF_HUB_CACHE", cache.join("hub"))
        .env("HF_TOKEN", TOKEN);
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn download_one_file_prints_its_cached_path() {
    let (hub, commit, _) = hub_with_repo().await;
    let dir = tempfile::tempdir().unwrap();
    let out = hf(
        hub.endpoint(),
        dir.path(),
        &["download", "alice/tiny", "config.json"],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let path = stdout(&out).lines().last().unwrap().to_owned();
    assert_eq!(
        path,
        dir.path()
            .join(format!(
                "hub/models--alice--tiny/snapshots/{commit}/config.json"
            ))
            .display()
            .to_string()
    );
    assert_eq!(std::fs::read(&path).unwrap(), CONFIG);
    // The Python layout: a relative symlink into blobs/.
    assert!(
        std::fs::symlink_metadata(&path)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn download_snapshot_with_patterns_and_scan_it() {
    let (hub, commit, weights) = hub_with_repo().await;
    let dir = tempfile::tempdir().unwrap();
    let out = hf(
        hub.endpoint(),
        dir.path(),
        &["download", "alice/tiny", "--exclude", "*.txt"],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let folder = std::path::PathBuf::from(stdout(&out).lines().last().unwrap());
    assert!(folder.ends_with(format!("snapshots/{commit}")));
    assert_eq!(std::fs::read(folder.join("model.bin")).unwrap(), weights);
    assert!(!folder.join("sub/vocab.txt").exists());

    let out = hf(
        hub.endpoint(),
        dir.path(),
        &["cache", "scan", "--format", "json"],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let scan: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let repo = &scan["repos"][0];
    assert_eq!(repo["repo_id"], "alice/tiny");
    assert_eq!(repo["nb_files"], 3); // .gitattributes, config.json, model.bin
    assert_eq!(repo["refs"]["main"], commit.as_str());
    assert_eq!(scan["warnings"].as_array().unwrap().len(), 0);

    let out = hf(hub.endpoint(), dir.path(), &["cache", "scan"]).await;
    let table = stdout(&out);
    assert!(table.starts_with("REPO ID"), "{table}");
    assert!(
        table.contains("alice/tiny") && table.contains("Scanned 1 repo(s)"),
        "{table}"
    );

    let out = hf(
        hub.endpoint(),
        dir.path(),
        &["cache", "delete", "alice/tiny"],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("Freed "), "{}", stdout(&out));
    assert!(!dir.path().join("hub/models--alice--tiny").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn offline_download_uses_the_cache_only() {
    let (hub, _, _) = hub_with_repo().await;
    let dir = tempfile::tempdir().unwrap();
    let out = hf(
        hub.endpoint(),
        dir.path(),
        &["download", "alice/tiny", "--quiet"],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let endpoint = hub.endpoint().to_owned();
    hub.shutdown().await;
    let mut command = Command::new(env!("CARGO_BIN_EXE_hf"));
    command
        .args(["download", "alice/tiny", "sub/vocab.txt"])
        .env_clear()
        .env("HF_ENDPOINT", &endpoint)
        .env("HF_HUB_CACHE", dir.path().join("hub"))
        .env("HF_HOME", dir.path().join("home"))
        .env("HF_HUB_OFFLINE", "1");
    let out = command.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(stdout(&out).trim()).unwrap(), b"a\nb\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn errors_print_one_clear_line_and_exit_non_zero() {
    let (hub, _, _) = hub_with_repo().await;
    let dir = tempfile::tempdir().unwrap();
    let out = hf(
        hub.endpoint(),
        dir.path(),
        &["download", "alice/missing", "config.json"],
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.starts_with("error: cannot download from alice/missing"),
        "{err}"
    );
    assert!(err.contains("hint: check the repo id"), "{err}");

    let out = hf(hub.endpoint(), dir.path(), &["download", "bad--id"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("'--' and '..' are forbidden"),
        "{}",
        stderr(&out)
    );

    let out = hf(
        hub.endpoint(),
        dir.path(),
        &["cache", "delete", "alice/none"],
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
}

#[tokio::test(flavor = "multi_thread")]
async fn whoami_and_env() {
    let (hub, _, _) = hub_with_repo().await;
    let dir = tempfile::tempdir().unwrap();
    let out = hf(hub.endpoint(), dir.path(), &["whoami"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().next(), Some("alice"));

    let out = hf(
        hub.endpoint(),
        dir.path(),
        &["--token", "hf_wrong", "whoami"],
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("hint: the token is invalid"),
        "{}",
        stderr(&out)
    );

    let out = hf(hub.endpoint(), dir.path(), &["env"]).await;
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.contains(&format!("- ENDPOINT: {}", hub.endpoint())),
        "{text}"
    );
    assert!(!text.contains(TOKEN), "the token must never be printed");
}
