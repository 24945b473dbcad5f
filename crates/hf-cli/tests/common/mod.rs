//! Shared harness of the CLI tests: an in-process hf-local-hub (alice, bob, org acme) and the
//! `hf` binary run against it with a temporary HF_HOME.
// Helpers outside #[test] functions unwrap too: a failed set-up is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

use bytes::Bytes;
use hf_local_hub::storage::{CommitInput, NewRepo, Op, RepoRecord};
use hf_local_hub::{LocalHub, LocalHubHandle};
use hf_types::RepoType;

pub const ALICE: &str = "hf_alice_write";
pub const BOB: &str = "hf_bob_write";

/// A hub (alice, bob, org acme with alice) and a temporary HF_HOME.
pub struct Env {
    pub hub: LocalHubHandle,
    pub home: tempfile::TempDir,
}

impl Env {
    pub async fn start() -> Env {
        let hub = LocalHub::builder()
            .user("alice", ALICE)
            .user("bob", BOB)
            .org("acme", ["alice"])
            .start()
            .await
            .unwrap();
        Env {
            hub,
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

    pub async fn repo(&self, repo_type: RepoType, id: &str) -> Option<RepoRecord> {
        self.hub.store().repo(repo_type, id).await.unwrap()
    }

    /// The full refs of a model repo, `(name, commit)`.
    pub async fn refs(&self, id: &str) -> Vec<(String, String)> {
        let repo = self.repo(RepoType::Model, id).await.unwrap();
        let mut refs: Vec<(String, String)> = self
            .hub
            .store()
            .refs(&repo)
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r.name, r.commit))
            .collect();
        refs.sort();
        refs
    }

    /// Seeds `alice/tiny` with config.json, sub/vocab.txt and sub/deep/x.bin; returns the commit.
    pub async fn seed(&self) -> String {
        let store = self.hub.store();
        let repo = store
            .create_repo(NewRepo {
                repo_type: RepoType::Model,
                namespace: "alice".into(),
                name: "tiny".into(),
                private: false,
                sdk: None,
                extra: serde_json::json!({}),
            })
            .await
            .unwrap();
        let ops = vec![
            Op::AddRegular {
                path: "config.json".into(),
                bytes: Bytes::from_static(b"{\"a\": 1}"),
            },
            Op::AddRegular {
                path: "sub/vocab.txt".into(),
                bytes: Bytes::from_static(b"a\nb\n"),
            },
            Op::AddRegular {
                path: "sub/deep/x.bin".into(),
                bytes: Bytes::from_static(b"xyz"),
            },
        ];
        let input = CommitInput {
            summary: "add files".into(),
            description: String::new(),
            parent_commit: None,
            author: "alice".into(),
            ops,
        };
        store
            .commit(&repo, "main", input)
            .await
            .unwrap()
            .commit_id
            .to_string()
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
