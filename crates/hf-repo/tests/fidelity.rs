//! Issue 15: the client agrees with the Hub's behaviour as the local hub now serves it (full names,
//! `expand` values, card validation, pull requests on commit ids, folder deletion, new Spaces).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Clients, File, Hub};
use hf_repo::Error;
use hf_repo::commit::{CommitOperation, CommitOperationAdd, CommitOperationDelete, CreateCommit};
use hf_repo::listing::{ListDatasets, ListModels};
use hf_repo::prelude::*;
use hf_repo::refs::ListRepoFiles;
use hf_repo::repos::{CreateRepo, DatasetInfoRequest, ModelInfoRequest, SpaceInfoRequest, WhoAmI};
use hf_types::{
    EXPAND_DATASET_PROPERTIES, EXPAND_MODEL_PROPERTIES, EXPAND_SPACE_PROPERTIES, RepoId, RepoType,
};
use serde_json::json;

fn id(s: &str) -> RepoId {
    s.parse().unwrap()
}

fn add(path: &str, bytes: &[u8]) -> CommitOperation {
    CommitOperationAdd::from_bytes(path, bytes.to_vec())
        .unwrap()
        .into()
}

async fn files(hub: &Hub, repo: &str) -> Vec<String> {
    let mut files = ListRepoFiles::new(hub.client(), id(repo)).await.unwrap();
    files.sort();
    files
}

#[tokio::test]
async fn whoami_reports_user_and_org_full_names() {
    let hub = Hub::start_with(|b| {
        b.profile("alice", json!({"fullname": "Alice Liddell"}))
            .profile("acme", json!({"fullname": "ACME Corp"}))
    })
    .await;
    let me = WhoAmI::new(hub.client()).await.unwrap();
    assert_eq!(me.fullname.as_deref(), Some("Alice Liddell"));
    let orgs = me.orgs.unwrap();
    assert_eq!(orgs.len(), 1);
    assert_eq!(orgs[0].fullname.as_deref(), Some("ACME Corp"));
    // Without a profile, the name.
    let bob = WhoAmI::new(hub.client_with(Some(common::BOB)))
        .await
        .unwrap();
    assert_eq!(bob.fullname.as_deref(), Some("bob"));
}

/// The valid values listed by a 400 on an unknown `expand` value.
fn listed(err: &Error) -> Vec<String> {
    let Error::BadRequest(e) = err else {
        panic!("expected a 400, got {err:?}");
    };
    let message = e.server_message().unwrap();
    let list = message
        .split("must be one of: ")
        .nth(1)
        .unwrap()
        .split(" (got")
        .next()
        .unwrap();
    list.split(", ").map(str::to_owned).collect()
}

#[tokio::test]
async fn unknown_expand_values_are_refused_with_the_valid_list() {
    let hub = Hub::start().await;
    hub.create(RepoType::Model, "alice", "m", false).await;
    hub.create(RepoType::Dataset, "alice", "d", false).await;
    hub.create(RepoType::Space, "alice", "s", false).await;
    let client = hub.client();

    let err = ModelInfoRequest::new(client.clone(), id("alice/m"))
        .expand(["nope"])
        .await
        .unwrap_err();
    assert_eq!(listed(&err), EXPAND_MODEL_PROPERTIES);
    let err = DatasetInfoRequest::new(client.clone(), id("alice/d"))
        .expand(["safetensors"])
        .await
        .unwrap_err();
    assert_eq!(listed(&err), EXPAND_DATASET_PROPERTIES);
    let err = SpaceInfoRequest::new(client.clone(), id("alice/s"))
        .expand(["nope"])
        .await
        .unwrap_err();
    assert_eq!(listed(&err), EXPAND_SPACE_PROPERTIES);
    let err = ListModels::new(client.clone())
        .expand(["nope"])
        .await
        .unwrap_err();
    assert_eq!(listed(&err), EXPAND_MODEL_PROPERTIES);
    let err = ListDatasets::new(client.clone())
        .expand(["gguf"])
        .await
        .unwrap_err();
    assert_eq!(listed(&err), EXPAND_DATASET_PROPERTIES);

    // Every listed value is accepted.
    let info = ModelInfoRequest::new(client.clone(), id("alice/m"))
        .expand(EXPAND_MODEL_PROPERTIES.iter().copied())
        .await
        .unwrap();
    assert_eq!(info.common.id, "alice/m");
    SpaceInfoRequest::new(client, id("alice/s"))
        .expand(EXPAND_SPACE_PROPERTIES.iter().copied())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_readme_with_invalid_metadata_fails_the_commit() {
    let hub = Hub::start().await;
    hub.commit("card", vec![File::Regular("a.txt", b"a".to_vec())])
        .await;
    let err = CreateCommit::new(
        hub.client(),
        id("alice/card"),
        vec![add("README.md", b"---\nmodel-index: foo\n---\n# Card\n")],
        "card",
    )
    .await
    .unwrap_err();
    let Error::InvalidArgument(message) = &err else {
        panic!("{err:?}");
    };
    assert!(
        message.contains("invalid metadata in README.md"),
        "{message}"
    );
    assert!(
        message.contains("\"model-index\" must be an array"),
        "{message}"
    );
    assert_eq!(files(&hub, "alice/card").await, [".gitattributes", "a.txt"]);

    // Valid metadata, and none at all (a warning only), are committed.
    CreateCommit::new(
        hub.client(),
        id("alice/card"),
        vec![add("README.md", b"---\nlicense: mit\n---\n")],
        "card",
    )
    .await
    .unwrap();
    CreateCommit::new(
        hub.client(),
        id("alice/card"),
        vec![add("README.md", b"# no metadata\n")],
        "card",
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn a_pull_request_against_a_commit_id_is_revision_not_found() {
    let hub = Hub::start().await;
    let sha = hub
        .commit("pr", vec![File::Regular("a.txt", b"a".to_vec())])
        .await;
    let err = CreateCommit::new(hub.client(), id("alice/pr"), vec![add("b.txt", b"b")], "pr")
        .revision(sha.parse().unwrap())
        .create_pr(true)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RevisionNotFound(_)), "{err:?}");
    // Against a branch it opens one.
    let info = CreateCommit::new(hub.client(), id("alice/pr"), vec![add("b.txt", b"b")], "pr")
        .create_pr(true)
        .await
        .unwrap();
    assert!(info.pr_url.is_some());
}

#[tokio::test]
async fn deleting_a_folder_named_without_a_trailing_slash() {
    let hub = Hub::start().await;
    hub.commit(
        "del",
        vec![
            File::Regular("1/a.txt", b"a".to_vec()),
            File::Regular("1/b/c.txt", b"c".to_vec()),
            File::Regular("keep.txt", b"k".to_vec()),
        ],
    )
    .await;
    let op = CommitOperationDelete::new("1").unwrap();
    assert!(!op.is_folder());
    CreateCommit::new(hub.client(), id("alice/del"), vec![op.into()], "rm 1")
        .await
        .unwrap();
    assert_eq!(
        files(&hub, "alice/del").await,
        [".gitattributes", "keep.txt"]
    );
}

#[tokio::test]
async fn a_new_space_holds_a_readme_naming_its_sdk() {
    let hub = Hub::start().await;
    CreateRepo::new(hub.client(), id("alice/app"))
        .repo_type(RepoType::Space)
        .space_sdk("streamlit")
        .await
        .unwrap();
    let readme = hub
        .read("spaces/alice/app", "main", "README.md")
        .await
        .unwrap();
    let text = String::from_utf8(readme).unwrap();
    assert!(text.starts_with("---\n"), "{text}");
    assert!(text.contains("\nsdk: streamlit\n"), "{text}");
    let info = SpaceInfoRequest::new(hub.client(), id("alice/app"))
        .await
        .unwrap();
    assert_eq!(info.sdk.as_deref(), Some("streamlit"));
}

#[tokio::test]
async fn uploads_both_ways_around_the_default_multipart_threshold() {
    // Counts (without failing) the part and basic PUTs the hub receives.
    let parts: hf_local_hub::FaultSpec =
        "delay=0,path=/_hub-lfs/part/*,method=PUT".parse().unwrap();
    let basic: hf_local_hub::FaultSpec =
        "delay=0,path=/_hub-lfs/basic/*,method=PUT".parse().unwrap();
    let hub = Hub::start_with(|b| b.fault(parts).fault(basic)).await;
    hub.create(RepoType::Model, "alice", "sizes", false).await;
    let chunk = hf_local_hub::MULTIPART_CHUNK_SIZE as usize;
    let small = common::data(chunk - 1, 7);
    let big = common::data(chunk + chunk / 2, 8);
    let lfs = |path: &str, bytes: &[u8]| -> CommitOperation {
        CommitOperationAdd::from_bytes(path, bytes.to_vec())
            .unwrap()
            .into()
    };
    // `.bin` is an LFS pattern of the default .gitattributes.
    CreateCommit::new(
        hub.client(),
        id("alice/sizes"),
        vec![lfs("small.bin", &small), lfs("big.bin", &big)],
        "two sizes",
    )
    .await
    .unwrap();
    assert_eq!(
        hub.fault_hits(),
        vec![2, 1],
        "two parts for the big one, one basic PUT"
    );
    assert_eq!(
        hub.read("alice/sizes", "main", "big.bin").await.unwrap(),
        big
    );
    assert_eq!(
        hub.read("alice/sizes", "main", "small.bin").await.unwrap(),
        small
    );
}
