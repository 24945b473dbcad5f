//! The client and repo ids / tree order as the Hub has them (issue 15 items 1, 4, 5): one-segment ids
//! reach canonical repos, missing ones are "not found" answers, any spelling of an id reaches its repo,
//! and tree listings keep the server's order (folders first).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use hf_repo::prelude::*;

use common::{Clients, File, Hub};
use hf_repo::refs::ListRepoTree;
use hf_repo::repos::{
    DatasetInfoRequest, FileExists, ModelInfoRequest, RepoExists, RevisionExists,
};
use hf_types::{RepoId, RepoPath, RepoTreeEntry, RepoType};

fn id(s: &str) -> RepoId {
    s.parse().unwrap()
}

fn kinds(entries: &[RepoTreeEntry]) -> Vec<(bool, String)> {
    entries
        .iter()
        .map(|e| (matches!(e, RepoTreeEntry::Folder(_)), e.path().to_owned()))
        .collect()
}

#[tokio::test]
async fn one_segment_ids_reach_canonical_repos() {
    let hub = Hub::start().await;
    hub.commit_to(
        RepoType::Model,
        "gpt2",
        "main",
        vec![File::Regular("config.json", b"{}".to_vec())],
    )
    .await;
    hub.commit_to(
        RepoType::Dataset,
        "squad",
        "main",
        vec![File::Regular("data.csv", b"x".to_vec())],
    )
    .await;
    let client = hub.client();

    let info = ModelInfoRequest::new(client.clone(), id("gpt2"))
        .await
        .unwrap();
    assert_eq!(info.id, "gpt2");
    let info = DatasetInfoRequest::new(client.clone(), id("squad"))
        .await
        .unwrap();
    assert_eq!(info.id, "squad");
    assert!(RepoExists::new(client.clone(), id("gpt2")).await.unwrap());
    assert!(!RepoExists::new(client.clone(), id("nope")).await.unwrap());
    assert!(
        !RepoExists::new(client.clone(), id("nope"))
            .repo_type(RepoType::Dataset)
            .await
            .unwrap()
    );
    let main = "main".parse().unwrap();
    assert!(
        RevisionExists::new(client.clone(), id("gpt2"), main)
            .await
            .unwrap()
    );
    let main = "main".parse().unwrap();
    assert!(
        !RevisionExists::new(client.clone(), id("nope"), main)
            .await
            .unwrap()
    );
    let config: RepoPath = "config.json".parse().unwrap();
    assert!(
        FileExists::new(client.clone(), id("gpt2"), config.clone())
            .await
            .unwrap()
    );
    assert!(
        !FileExists::new(client.clone(), id("nope"), config)
            .await
            .unwrap()
    );
    let tree = ListRepoTree::new(client.clone(), id("gpt2")).await.unwrap();
    assert_eq!(
        kinds(&tree),
        [
            (false, ".gitattributes".to_owned()),
            (false, "config.json".to_owned())
        ]
    );
}

#[tokio::test]
async fn any_spelling_of_an_id_reaches_the_repo() {
    let hub = Hub::start().await;
    hub.commit_to(
        RepoType::Model,
        "alice/MyRepo",
        "main",
        vec![File::Regular("f.txt", b"f".to_vec())],
    )
    .await;
    let client = hub.client();
    for spelling in ["alice/MyRepo", "alice/myrepo", "Alice/MYREPO"] {
        let info = ModelInfoRequest::new(client.clone(), id(spelling))
            .await
            .unwrap();
        assert_eq!(info.id, "alice/MyRepo", "{spelling}");
        assert!(RepoExists::new(client.clone(), id(spelling)).await.unwrap());
    }
}

#[tokio::test]
async fn tree_listings_keep_the_servers_folders_first_order() {
    let hub = Hub::start().await;
    hub.commit(
        "order",
        vec![
            File::Regular("a.txt", b"a".to_vec()),
            File::Regular("b/x.txt", b"x".to_vec()),
            File::Regular("b/c/y.txt", b"y".to_vec()),
            File::Regular("z/w.txt", b"w".to_vec()),
        ],
    )
    .await;
    let client = hub.client();
    let root = ListRepoTree::new(client.clone(), id("alice/order"))
        .await
        .unwrap();
    let expected: Vec<(bool, String)> = [
        (true, "b"),
        (true, "z"),
        (false, ".gitattributes"),
        (false, "a.txt"),
    ]
    .iter()
    .map(|(d, p)| (*d, (*p).to_owned()))
    .collect();
    assert_eq!(kinds(&root), expected);
    let all = ListRepoTree::new(client, id("alice/order"))
        .recursive(true)
        .await
        .unwrap();
    let expected: Vec<(bool, String)> = [
        (true, "b"),
        (true, "b/c"),
        (true, "z"),
        (false, ".gitattributes"),
        (false, "a.txt"),
        (false, "b/c/y.txt"),
        (false, "b/x.txt"),
        (false, "z/w.txt"),
    ]
    .iter()
    .map(|(d, p)| (*d, (*p).to_owned()))
    .collect();
    assert_eq!(kinds(&all), expected);
}
