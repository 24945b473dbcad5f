//! `list_lfs_files` and `permanently_delete_lfs_files` end to end against hf-local-hub (issue 15).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ALICE_READ, BOB, Clients, File, Hub, data};
use hf_repo::Error;
use hf_repo::lfs_files::{ListLfsFiles, PermanentlyDeleteLfsFiles};
use hf_repo::prelude::*;
use hf_types::{RepoId, RepoType};
use sha2::{Digest, Sha256};

fn id(s: &str) -> RepoId {
    s.parse().unwrap()
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[tokio::test]
async fn lists_and_permanently_deletes_lfs_files() {
    let dir = tempfile::tempdir().unwrap();
    let hub = Hub::start_with(|b| b.data_dir(dir.path())).await;
    let (a, c) = (data(3000, 1), data(5000, 2));
    hub.commit(
        "m",
        vec![
            File::Lfs("a.bin", a.clone()),
            File::Lfs("sub/c.bin", c.clone()),
            File::Regular("x.txt", b"x".to_vec()),
        ],
    )
    .await;
    // The same object in a second commit under another name, and in another repo.
    hub.commit("m", vec![File::Lfs("copy.bin", a.clone())])
        .await;
    hub.commit("other", vec![File::Lfs("c.bin", c.clone())])
        .await;

    let reader = hub.client_with(Some(ALICE_READ));
    let files = ListLfsFiles::new(reader.clone(), id("alice/m"))
        .await
        .unwrap();
    let mut seen: Vec<(String, String, u64)> = files
        .iter()
        .map(|f| (f.filename.clone(), f.file_oid.clone(), f.size))
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        vec![
            ("a.bin".to_owned(), sha256(&a), 3000),
            ("sub/c.bin".to_owned(), sha256(&c), 5000)
        ]
    );
    assert!(files.iter().all(|f| f.oid.len() == 40));

    // Deleting needs write access; listing a dataset that is not there is RepoNotFound.
    let err = PermanentlyDeleteLfsFiles::new(reader.clone(), id("alice/m"), files.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
    let err =
        PermanentlyDeleteLfsFiles::new(hub.client_with(Some(BOB)), id("alice/m"), files.clone())
            .await
            .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
    let err = ListLfsFiles::new(reader.clone(), id("alice/m"))
        .repo_type(RepoType::Dataset)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RepoNotFound(_)), "{err:?}");
    let err = PermanentlyDeleteLfsFiles::from_shas(hub.client(), id("alice/m"), ["ABC"])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");

    // Delete both: `a` goes from the disk; `c` stays for alice/other.
    PermanentlyDeleteLfsFiles::new(hub.client(), id("alice/m"), files)
        .await
        .unwrap();
    assert!(
        ListLfsFiles::new(reader.clone(), id("alice/m"))
            .await
            .unwrap()
            .is_empty()
    );
    let lfs = dir.path().join("objects").join("lfs");
    let a_sha = sha256(&a);
    let c_sha = sha256(&c);
    assert!(!lfs.join(&a_sha[..2]).join(&a_sha).exists());
    assert!(lfs.join(&c_sha[..2]).join(&c_sha).exists());
    // History rewritten: the pointers are gone at every revision; x.txt stays.
    assert_eq!(hub.read("alice/m", "main", "a.bin").await, None);
    assert_eq!(hub.read("alice/m", "main", "copy.bin").await, None);
    assert_eq!(
        hub.read("alice/m", "main", "x.txt").await,
        Some(b"x".to_vec())
    );
    assert_eq!(
        hub.read("alice/other", "main", "c.bin").await,
        Some(c.clone())
    );
    let other = ListLfsFiles::new(reader, id("alice/other")).await.unwrap();
    assert_eq!(other.len(), 1);

    // The state survives a restart.
    hub.shutdown().await;
    let hub = Hub::start_with(|b| b.data_dir(dir.path())).await;
    assert!(
        ListLfsFiles::new(hub.client(), id("alice/m"))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        ListLfsFiles::new(hub.client(), id("alice/other"))
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn deletion_without_rewriting_history_keeps_pointers_but_not_bytes() {
    let hub = Hub::start().await;
    let a = data(2000, 3);
    hub.commit("keep", vec![File::Lfs("a.bin", a.clone())])
        .await;
    let files = ListLfsFiles::new(hub.client(), id("alice/keep"))
        .await
        .unwrap();
    PermanentlyDeleteLfsFiles::new(hub.client(), id("alice/keep"), files)
        .rewrite_history(false)
        .await
        .unwrap();
    assert!(
        ListLfsFiles::new(hub.client(), id("alice/keep"))
            .await
            .unwrap()
            .is_empty()
    );
    // The pointer is still in the tree.
    let tree = hub_tree(&hub, "alice/keep").await;
    assert_eq!(tree, vec!["a.bin".to_owned()]);
}

async fn hub_tree(hub: &Hub, repo: &str) -> Vec<String> {
    let url = format!("{}/api/models/{repo}/tree/main", hub.endpoint());
    let body: serde_json::Value = hub
        .client()
        .get(url.parse().unwrap())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body.as_array()
        .unwrap()
        .iter()
        .filter(|e| e["path"] != ".gitattributes")
        .map(|e| e["path"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_listing_pages_through_link_headers() {
    let hub = Hub::start().await;
    let files: Vec<(String, Vec<u8>)> = (0..120)
        .map(|i| (format!("f{i:03}.bin"), data(10, 100 + i)))
        .collect();
    hub.commit(
        "many",
        files
            .iter()
            .map(|(p, d)| File::Lfs(p.as_str(), d.clone()))
            .collect(),
    )
    .await;
    let listed = hub
        .client()
        .get(
            format!("{}/api/models/alice/many/lfs-files", hub.endpoint())
                .parse()
                .unwrap(),
        )
        .await
        .unwrap();
    assert!(listed.headers().get("link").is_some());
    let all = ListLfsFiles::new(hub.client(), id("alice/many"))
        .await
        .unwrap();
    assert_eq!(all.len(), 120);
}
