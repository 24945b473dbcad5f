//! Shared harness of the CLI tests: the hub fixture of hf-local-hub (alice, bob, org acme) and the
//! `hf` binary run against it with a temporary HF_HOME.
// Helpers outside #[test] functions unwrap too: a failed set-up is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

#[allow(unused_imports)] // Not every test binary uses every user.
pub use hf_local_hub::fixture::{ALICE, BOB, TestHub};
use hf_local_hub::seed::RepoState;
use hf_types::RepoType;

/// A hub (alice, bob, org acme with alice) and a temporary HF_HOME.
pub struct Env {
    pub hub: TestHub,
    pub home: tempfile::TempDir,
}

impl Env {
    pub async fn start() -> Env {
        Env {
            hub: TestHub::start().await,
            home: tempfile::tempdir().unwrap(),
        }
    }

    /// `hf ARGS` as alice.
    pub async fn hf(&self, args: &[&str]) -> Output {
        self.hf_with(Some(ALICE), None, args).await
    }

    /// `hf ARGS` with `token` (none: no HF_TOKEN) and `stdin` (none: closed).
    pub async fn hf_with(
        &self,
        token: Option<&str>,
        stdin: Option<&[u8]>,
        args: &[&str],
    ) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_hf"));
        command
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HF_ENDPOINT", self.hub.endpoint())
            .env("HF_HOME", self.home.path().join("home"))
            .env("HF_HUB_CACHE", self.home.path().join("hub"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(token) = token {
            command.env("HF_TOKEN", token);
        }
        let input = stdin.map(<[u8]>::to_vec);
        tokio::task::spawn_blocking(move || {
            let mut child = command.spawn().unwrap();
            let mut pipe = child.stdin.take().unwrap();
            if let Some(input) = input {
                pipe.write_all(&input).unwrap();
            }
            drop(pipe);
            child.wait_with_output().unwrap()
        })
        .await
        .unwrap()
    }

    /// The repo's visibility, gating and SDK, read from the hub (not through the client).
    pub async fn repo(&self, repo_type: RepoType, id: &str) -> Option<RepoState> {
        self.hub.seed().repo(repo_type, id).state().await.unwrap()
    }

    /// The full refs of a model repo, `(name, commit)`.
    pub async fn refs(&self, id: &str) -> Vec<(String, String)> {
        self.hub.seed().model(id).refs().await.unwrap()
    }

    /// Seeds `alice/tiny` with config.json, sub/vocab.txt and sub/deep/x.bin; returns the commit.
    pub async fn seed(&self) -> String {
        let repo = self.hub.seed().model("alice/tiny");
        repo.create(false).await.unwrap();
        repo.commit("main")
            .message("add files")
            .file("config.json", &b"{\"a\": 1}"[..])
            .file("sub/vocab.txt", &b"a\nb\n"[..])
            .file("sub/deep/x.bin", &b"xyz"[..])
            .push()
            .await
            .unwrap()
    }
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[track_caller]
pub fn ok(out: &Output) -> String {
    assert!(out.status.success(), "stderr: {}", stderr(out));
    stdout(out)
}

/// Exit code 1, and stderr starts with `error: {start}`.
#[track_caller]
pub fn fails(out: &Output, start: &str) -> String {
    let err = stderr(out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout: {}\nstderr: {err}",
        stdout(out)
    );
    assert!(err.starts_with(&format!("error: {start}")), "{err}");
    err
}
