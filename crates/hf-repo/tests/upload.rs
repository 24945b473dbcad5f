//! The commit wrappers end to end against hf-local-hub: `upload_file`, `upload_folder`,
//! `delete_file`, `delete_files`, `delete_folder`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use common::{Clients, File, Hub, data};
use hf_repo::Error;
use hf_repo::commit::{DeleteFile, DeleteFiles, DeleteFolder, UploadFile, UploadFolder};
use hf_repo::prelude::*;
use hf_repo::refs::{ListRepoCommits, ListRepoFiles};
use hf_types::{RepoId, RepoType};

fn id(s: &str) -> RepoId {
    s.parse().unwrap()
}

async fn files(hub: &Hub, repo: &str) -> Vec<String> {
    let mut files = ListRepoFiles::new(hub.client(), id(repo)).await.unwrap();
    files.sort();
    files
}

async fn last_title(hub: &Hub, repo: &str) -> String {
    ListRepoCommits::new(hub.client(), id(repo))
        .await
        .unwrap()
        .remove(0)
        .title
}

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

#[tokio::test]
async fn upload_file_from_disk_and_memory() {
    let hub = Hub::start().await;
    hub.create(RepoType::Model, "alice", "one", false).await;
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("w.bin");
    let content = data(123_456, 1);
    std::fs::write(&local, &content).unwrap();
    let info = UploadFile::new(
        hub.client(),
        id("alice/one"),
        &local,
        "sub/w.bin".parse().unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(info.commit_message, "Upload sub/w.bin with hf-api");
    assert_eq!(
        hub.read("alice/one", "main", "sub/w.bin").await.unwrap(),
        content
    );
    UploadFile::from_bytes(
        hub.client(),
        id("alice/one"),
        "hello",
        "hello.txt".parse().unwrap(),
    )
    .commit_message("greet")
    .commit_description("a file")
    .await
    .unwrap();
    assert_eq!(
        hub.read("alice/one", "main", "hello.txt").await.unwrap(),
        b"hello"
    );
    assert_eq!(last_title(&hub, "alice/one").await, "greet");
    // Datasets and branches.
    hub.create(RepoType::Dataset, "alice", "ds", false).await;
    UploadFile::from_bytes(
        hub.client(),
        id("alice/ds"),
        "a,b\n",
        "data.csv".parse().unwrap(),
    )
    .repo_type(RepoType::Dataset)
    .await
    .unwrap();
    assert_eq!(
        hub.read("datasets/alice/ds", "main", "data.csv")
            .await
            .unwrap(),
        b"a,b\n"
    );
}

#[tokio::test]
async fn upload_folder_filters_skips_git_and_deletes() {
    let hub = Hub::start().await;
    hub.commit(
        "folder",
        vec![
            File::Regular("ckpt/old.bin.txt", b"old".to_vec()),
            File::Regular("ckpt/keep.md", b"keep".to_vec()),
            File::Regular("outside.bin.txt", b"outside".to_vec()),
        ],
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "config.json", b"{}");
    write(root, "weights/a.bin", &data(5000, 2));
    write(root, "weights/b.bin", &data(6000, 3));
    write(root, "logs/run.tmp", b"tmp");
    write(root, ".git/HEAD", b"ref: refs/heads/main");
    write(root, "sub/.git/config", b"x");
    write(root, ".cache/huggingface/download/x.metadata", b"x");
    let info = UploadFolder::new(hub.client(), id("alice/folder"), root)
        .path_in_repo("ckpt")
        .ignore_patterns(["*.tmp"])
        .delete_patterns(["*.txt", ".gitattributes"])
        .await
        .unwrap();
    assert_eq!(info.commit_message, "Upload folder with hf-api");
    let listed = files(&hub, "alice/folder").await;
    assert_eq!(
        listed,
        vec![
            ".gitattributes",
            "ckpt/config.json",
            "ckpt/keep.md",
            "ckpt/weights/a.bin",
            "ckpt/weights/b.bin",
            "outside.bin.txt",
        ],
        "filtered, .git and .cache skipped, matching remote files under ckpt/ deleted, \
         .gitattributes and files outside ckpt/ kept"
    );
    assert_eq!(
        hub.read("alice/folder", "main", "ckpt/weights/b.bin")
            .await
            .unwrap(),
        data(6000, 3)
    );

    // allow_patterns, and a deletion that is re-added in the same commit stays.
    let dir2 = tempfile::tempdir().unwrap();
    write(dir2.path(), "keep.md", b"new keep");
    write(dir2.path(), "other.json", b"{}");
    UploadFolder::new(hub.client(), id("alice/folder"), dir2.path())
        .path_in_repo("ckpt")
        .allow_patterns(["*.md"])
        .delete_patterns(["*"])
        .commit_message("replace")
        .await
        .unwrap();
    let listed = files(&hub, "alice/folder").await;
    assert_eq!(
        listed,
        vec![".gitattributes", "ckpt/keep.md", "outside.bin.txt"]
    );
    assert_eq!(
        hub.read("alice/folder", "main", "ckpt/keep.md")
            .await
            .unwrap(),
        b"new keep"
    );
}

#[tokio::test]
async fn upload_folder_bad_input() {
    let hub = Hub::start().await;
    hub.create(RepoType::Model, "alice", "bad", false).await;
    let err = UploadFolder::new(hub.client(), id("alice/bad"), "/no/such/folder")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Io { .. }) && err.to_string().contains("/no/such/folder"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("f.txt");
    std::fs::write(&file, b"x").unwrap();
    let err = UploadFolder::new(hub.client(), id("alice/bad"), &file)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not a folder"), "{err}");
    let err = UploadFolder::new(hub.client(), id("alice/bad"), dir.path())
        .path_in_repo("../up")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidPath(_)), "{err:?}");
}

#[tokio::test]
async fn delete_wrappers() {
    let hub = Hub::start().await;
    hub.commit(
        "del",
        vec![
            File::Regular("a.txt", b"a".to_vec()),
            File::Regular("b.log", b"b".to_vec()),
            File::Regular("logs/c.log", b"c".to_vec()),
            File::Regular("dir/x.txt", b"x".to_vec()),
            File::Regular("dir/y/z.txt", b"z".to_vec()),
            File::Regular("keep/k.txt", b"k".to_vec()),
        ],
    )
    .await;
    let info = DeleteFile::new(hub.client(), id("alice/del"), "a.txt".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(info.commit_message, "Delete a.txt with hf-api");
    let info = DeleteFolder::new(hub.client(), id("alice/del"), "dir".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(info.commit_message, "Delete folder dir with hf-api");
    let info = DeleteFiles::new(hub.client(), id("alice/del"), ["*.log", ".gitattributes"])
        .await
        .unwrap();
    assert_eq!(
        info.commit_message,
        "Delete files *.log .gitattributes with hf-api"
    );
    assert_eq!(
        files(&hub, "alice/del").await,
        vec![".gitattributes", "keep/k.txt"]
    );
    // A missing file is the Hub's typed error; no pattern at all is refused.
    let err = DeleteFile::new(hub.client(), id("alice/del"), "a.txt".parse().unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::EntryNotFound(_)), "{err:?}");
    let err = DeleteFiles::new(hub.client(), id("alice/del"), Vec::<String>::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
    // Folder patterns end with `/`.
    DeleteFiles::new(hub.client(), id("alice/del"), ["keep/"])
        .await
        .unwrap();
    assert_eq!(files(&hub, "alice/del").await, vec![".gitattributes"]);
}
