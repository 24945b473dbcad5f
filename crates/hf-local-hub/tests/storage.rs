//! Persistence across restarts, crash safety, deduplication, commit checks, and the binary.
// Helpers outside #[test] functions panic on failure too.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use bytes::Bytes;
use common::*;
use hf_local_hub::storage::{CommitInput, Op, StoreError};
use hf_types::RepoType;
use http::Method;
use serde_json::json;

fn count_files(dir: &std::path::Path) -> usize {
    walk(dir).len()
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![];
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
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
        commit_files(&hub, &repo, "main", &[("a/b.txt", b"persist me")]).await;
        let commit = commit_ops(
            &hub,
            &repo,
            "main",
            vec![Op::AddLfs {
                path: "w.bin".into(),
                sha256: sha.clone(),
                size: None,
            }],
        )
        .await;
        let r = http
            .json(
                Method::POST,
                "/api/datasets/acme/data/tag/main",
                Some(ALICE),
                json!({"tag": "v1"}),
            )
            .await;
        assert_eq!(r.status, 200);
        hub.store()
            .create_pull_request(&repo, &commit, "pr", "alice", "")
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
async fn interrupted_or_wrong_lfs_upload_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(vec![1u8; 100_000]));
    {
        let hub = builder().data_dir(dir.path()).start().await.unwrap();
        // The body fails half-way.
        let chunks = vec![
            Ok(Bytes::from(vec![1u8; 50_000])),
            Err(std::io::Error::other("client went away")),
        ];
        let err = hub
            .store()
            .lfs_ingest(&sha, Some(100_000), futures_util::stream::iter(chunks))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::BadRequest(_)), "{err}");
        // Wrong content for the announced sha.
        let chunks = vec![Ok::<_, std::io::Error>(Bytes::from(vec![2u8; 100_000]))];
        let err = hub
            .store()
            .lfs_ingest(&sha, Some(100_000), futures_util::stream::iter(chunks))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::LfsMismatch(_)), "{err}");
        // Too many bytes.
        let chunks = vec![Ok::<_, std::io::Error>(Bytes::from(vec![1u8; 100_001]))];
        assert!(
            hub.store()
                .lfs_ingest(&sha, Some(100_000), futures_util::stream::iter(chunks))
                .await
                .is_err()
        );
        // Bad oid.
        let chunks = vec![Ok::<_, std::io::Error>(Bytes::from_static(b"x"))];
        assert!(
            hub.store()
                .lfs_ingest("../../etc", None, futures_util::stream::iter(chunks))
                .await
                .is_err()
        );
        assert_eq!(hub.store().lfs_object(&sha).await.unwrap(), None);
        assert_eq!(count_files(&dir.path().join("tmp")), 0, "temp files leaked");
        assert_eq!(count_files(&dir.path().join("objects/lfs")), 0);
        // A commit referencing the missing object is refused and changes nothing.
        let http = Http::new(hub.endpoint());
        let repo = http
            .create_repo(&hub, ALICE, "model", "alice/c", false)
            .await;
        let head = hub
            .store()
            .resolve_revision(&repo, "main")
            .await
            .unwrap()
            .unwrap();
        let input = CommitInput {
            summary: "bad".into(),
            description: String::new(),
            parent_commit: None,
            author: "alice".into(),
            ops: vec![
                Op::AddRegular {
                    path: "ok.txt".into(),
                    bytes: Bytes::from_static(b"ok"),
                },
                Op::AddLfs {
                    path: "w.bin".into(),
                    sha256: sha.clone(),
                    size: Some(100_000),
                },
            ],
        };
        let err = hub.store().commit(&repo, "main", input).await.unwrap_err();
        assert!(matches!(err, StoreError::LfsObjectMissing(_)));
        assert_eq!(
            hub.store()
                .resolve_revision(&repo, "main")
                .await
                .unwrap()
                .unwrap(),
            head
        );
        hub.shutdown().await;
    }
    // A crash leftover in tmp/ is removed at the next start.
    std::fs::write(dir.path().join("tmp").join("leftover"), b"half an upload").unwrap();
    let hub = builder().data_dir(dir.path()).start().await.unwrap();
    assert_eq!(count_files(&dir.path().join("tmp")), 0);
    assert_eq!(hub.store().lfs_object(&sha).await.unwrap(), None);
    let repo = hub
        .store()
        .repo(RepoType::Model, "alice/c")
        .await
        .unwrap()
        .unwrap();
    let log = hub
        .store()
        .history(
            &hub.store()
                .resolve_revision(&repo, "main")
                .await
                .unwrap()
                .unwrap(),
            0,
            10,
        )
        .await
        .unwrap()
        .0;
    assert_eq!(log.len(), 1, "the refused commit must not be visible");
    // Now a good upload goes through, and a second identical one is a no-op.
    for _ in 0..2 {
        let chunks = vec![
            Ok::<_, std::io::Error>(Bytes::from(vec![1u8; 60_000])),
            Ok(Bytes::from(vec![1u8; 40_000])),
        ];
        assert_eq!(
            hub.store()
                .lfs_ingest(&sha, None, futures_util::stream::iter(chunks))
                .await
                .unwrap(),
            100_000
        );
    }
    assert_eq!(hub.store().lfs_object(&sha).await.unwrap(), Some(100_000));
    // lfs_ingest_file adopts a finished temp file.
    let tmp = hub.store().temp_path();
    std::fs::write(&tmp, b"abc").unwrap();
    let abc = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b"abc"));
    assert_eq!(
        hub.store()
            .lfs_ingest_file(&abc, Some(3), tmp.clone())
            .await
            .unwrap(),
        3
    );
    assert!(!tmp.exists());
    let tmp = hub.store().temp_path();
    std::fs::write(&tmp, b"abd").unwrap();
    assert!(
        hub.store()
            .lfs_ingest_file(&abc, Some(3), tmp.clone())
            .await
            .is_err()
    );
    assert!(!tmp.exists());
}

#[tokio::test]
async fn commit_rules_and_dedupe() {
    let dir = tempfile::tempdir().unwrap();
    let hub = builder().data_dir(dir.path()).start().await.unwrap();
    let http = Http::new(hub.endpoint());
    let a = http
        .create_repo(&hub, ALICE, "model", "alice/a", false)
        .await;
    let b = http
        .create_repo(&hub, ALICE, "dataset", "alice/b", false)
        .await;
    let before = count_files(&dir.path().join("objects/git"));
    commit_files(
        &hub,
        &a,
        "main",
        &[("x.txt", b"same bytes"), ("y.txt", b"same bytes")],
    )
    .await;
    commit_files(&hub, &b, "main", &[("z.txt", b"same bytes")]).await;
    assert_eq!(
        count_files(&dir.path().join("objects/git")),
        before + 1,
        "one blob for identical content"
    );

    let head = hub
        .store()
        .resolve_revision(&a, "main")
        .await
        .unwrap()
        .unwrap();
    let mk = |ops: Vec<Op>, parent: Option<String>| CommitInput {
        summary: "s".into(),
        description: "d".into(),
        parent_commit: parent,
        author: "alice".into(),
        ops,
    };
    // Parent mismatch.
    let err = hub
        .store()
        .commit(&a, "main", mk(vec![], Some("0".repeat(40))))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::ParentMismatch { .. }));
    // Missing file / folder deletes.
    let err = hub
        .store()
        .commit(
            &a,
            "main",
            mk(
                vec![Op::DeleteFile {
                    path: "nope".into(),
                }],
                None,
            ),
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("A file with this name doesn't exist")
    );
    let err = hub
        .store()
        .commit(
            &a,
            "main",
            mk(
                vec![Op::DeleteFolder {
                    path: "nope/".into(),
                }],
                None,
            ),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::EntryNotFound(_)));
    // Traversal and file/folder clashes.
    for p in ["../x", "/abs", "a\\b", "a/./b", "nul\0"] {
        let err = hub
            .store()
            .commit(
                &a,
                "main",
                mk(
                    vec![Op::AddRegular {
                        path: p.into(),
                        bytes: Bytes::new(),
                    }],
                    None,
                ),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::BadRequest(_)), "{p}: {err}");
    }
    let err = hub
        .store()
        .commit(
            &a,
            "main",
            mk(
                vec![Op::AddRegular {
                    path: "x.txt/inner".into(),
                    bytes: Bytes::new(),
                }],
                None,
            ),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::BadRequest(_)));
    // Unknown branch, tag target.
    assert!(matches!(
        hub.store()
            .commit(&a, "nobranch", mk(vec![], None))
            .await
            .unwrap_err(),
        StoreError::RevisionNotFound(_)
    ));
    assert!(matches!(
        hub.store()
            .commit(&a, "refs/tags/v1", mk(vec![], None))
            .await
            .unwrap_err(),
        StoreError::BadRequest(_)
    ));
    assert_eq!(
        hub.store()
            .resolve_revision(&a, "main")
            .await
            .unwrap()
            .unwrap(),
        head
    );

    // Copy, delete folder, correct parent.
    let out = hub
        .store()
        .commit(
            &a,
            "main",
            mk(
                vec![
                    Op::Copy {
                        src_path: "x.txt".into(),
                        src_revision: None,
                        dest_path: "sub/copy.txt".into(),
                    },
                    Op::DeleteFile {
                        path: "y.txt".into(),
                    },
                ],
                Some(head.clone()),
            ),
        )
        .await
        .unwrap();
    assert_eq!(out.target_ref, "refs/heads/main");
    let r = http.get("/alice/a/resolve/main/sub/copy.txt", None).await;
    assert_eq!(&r.body[..], b"same bytes");
    assert_eq!(
        http.get("/alice/a/resolve/main/y.txt", None).await.status,
        404
    );
    hub.store()
        .commit(
            &a,
            "main",
            mk(vec![Op::DeleteFolder { path: "sub".into() }], None),
        )
        .await
        .unwrap();
    assert_eq!(
        http.get("/alice/a/resolve/main/sub/copy.txt", None)
            .await
            .status,
        404
    );
    // Old revisions stay readable.
    assert_eq!(
        http.get(&format!("/alice/a/resolve/{head}/y.txt"), None)
            .await
            .status,
        200
    );

    // Concurrent commits on the same parent: exactly one wins.
    let head = hub
        .store()
        .resolve_revision(&a, "main")
        .await
        .unwrap()
        .unwrap();
    let s1 = hub.store().clone();
    let s2 = hub.store().clone();
    let (a1, a2) = (a.clone(), a.clone());
    let (i1, i2) = (
        mk(
            vec![Op::AddRegular {
                path: "r1".into(),
                bytes: Bytes::from_static(b"1"),
            }],
            Some(head.clone()),
        ),
        mk(
            vec![Op::AddRegular {
                path: "r2".into(),
                bytes: Bytes::from_static(b"2"),
            }],
            Some(head.clone()),
        ),
    );
    let (r1, r2) = tokio::join!(
        tokio::spawn(async move { s1.commit(&a1, "main", i1).await }),
        tokio::spawn(async move { s2.commit(&a2, "main", i2).await })
    );
    assert_eq!(
        [r1.unwrap().is_ok(), r2.unwrap().is_ok()]
            .iter()
            .filter(|ok| **ok)
            .count(),
        1
    );
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
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let endpoint = line
        .trim()
        .strip_prefix("hf-local-hub listening on ")
        .unwrap()
        .to_owned();
    assert!(endpoint.starts_with("http://127.0.0.1:"), "{line}");
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
