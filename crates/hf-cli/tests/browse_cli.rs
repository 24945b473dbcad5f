//! `hf models ls|info`, `hf datasets ls|info`, `hf spaces ls` and `hf repo delete-files` against hf-local-hub.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use hf_types::RepoType;

#[tokio::test(flavor = "multi_thread")]
async fn models_and_datasets_ls_and_info() {
    let env = Env::start().await;
    env.seed().await;
    let data = env.hub.seed().repo(RepoType::Dataset, "alice/squad");
    data.create(false).await.unwrap();

    let out = env.hf(&["models", "ls", "--author", "alice"]).await;
    let table = ok(&out);
    assert!(table.starts_with("ID"), "{table}");
    assert!(table.contains("alice/tiny"), "{table}");
    let out = env
        .hf(&["models", "ls", "--search", "tiny", "--format", "json"])
        .await;
    let json: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(json[0]["id"], "alice/tiny");
    let out = env.hf(&["models", "ls", "alice/tiny"]).await;
    let files = ok(&out);
    assert!(files.lines().any(|l| l == "sub/vocab.txt"), "{files}");
    let out = env.hf(&["models", "info", "alice/tiny"]).await;
    let info: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(info["id"], "alice/tiny");

    let out = env
        .hf(&["datasets", "ls", "--author", "alice", "--format", "json"])
        .await;
    let json: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 1);
    assert_eq!(json[0]["id"], "alice/squad");
    let out = env.hf(&["datasets", "info", "alice/squad"]).await;
    let info: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(info["id"], "alice/squad");

    // Spaces are listed the same way (`hf spaces ls`).
    let space = env.hub.seed().repo(RepoType::Space, "alice/demo");
    space.create(false).await.unwrap();
    let out = env
        .hf(&["spaces", "ls", "--author", "alice", "--format", "json"])
        .await;
    let json: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 1);
    assert_eq!(json[0]["id"], "alice/demo");
    let out = env.hf(&["spaces", "ls", "--gated"]).await;
    fails(
        &out,
        "--pipeline-tag and --gated apply to models and datasets only",
    );

    // Bad input is refused clearly.
    let out = env.hf(&["datasets", "ls", "--pipeline-tag", "x"]).await;
    fails(&out, "--pipeline-tag applies to models only");
    let out = env
        .hf(&["models", "ls", "alice/tiny", "--author", "x"])
        .await;
    fails(&out, "--search, --author");
    let out = env.hf(&["models", "info", "alice/nope"]).await;
    fails(&out, "cannot get the information of alice/nope");
}

#[tokio::test(flavor = "multi_thread")]
async fn repo_delete_files_deletes_paths_folders_and_globs() {
    let env = Env::start().await;
    env.seed().await;
    let out = env
        .hf(&[
            "repo",
            "delete-files",
            "alice/tiny",
            "sub/deep/",
            "*.json",
            "--commit-message",
            "clean",
        ])
        .await;
    assert!(ok(&out).contains("/alice/tiny/commit/"));
    let seed = env.hub.seed();
    let head = seed
        .model("alice/tiny")
        .head("main")
        .await
        .unwrap()
        .unwrap();
    assert!(
        seed.read_file(&head, "config.json")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        seed.read_file(&head, "sub/deep/x.bin")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        seed.read_file(&head, "sub/vocab.txt")
            .await
            .unwrap()
            .is_some()
    );
    let out = env.hf(&["repo", "delete-files", "alice/tiny"]).await;
    assert_eq!(
        out.status.code(),
        Some(2),
        "missing patterns is a usage error"
    );
}
