//! Tree listings, paths info, refs, history, branches, tags and squash against hf-local-hub.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use common::{ALICE_READ, BOB, Clients, File, Hub, data};
use futures_util::TryStreamExt;
use hf_repo::Error;
use hf_repo::prelude::*;
use hf_repo::refs::{
    CreateBranch, CreateTag, DeleteRef, GetPathsInfo, ListRepoCommits, ListRepoFiles, ListRepoRefs,
    ListRepoTree, SuperSquashHistory,
};
use hf_types::{RepoId, RepoPath, RepoTreeEntry, RepoType, Revision};
use sha2::{Digest, Sha256};

fn id(s: &str) -> RepoId {
    s.parse().unwrap()
}

fn rev(s: &str) -> Revision {
    s.parse().unwrap()
}

fn path(s: &str) -> RepoPath {
    s.parse().unwrap()
}

fn paths(entries: &[RepoTreeEntry]) -> BTreeSet<String> {
    entries.iter().map(|e| e.path().to_owned()).collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// A commit with a chosen title on `branch` of `alice/{name}`, through the store.
async fn commit_titled(
    hub: &Hub,
    name: &str,
    branch: &str,
    title: &str,
    file: (&str, &[u8]),
) -> String {
    hub.seed()
        .model(&format!("alice/{name}"))
        .commit(branch)
        .message(title)
        .description(&format!("details of {title}"))
        .file(file.0, file.1.to_vec())
        .push()
        .await
        .unwrap()
}

/// Creates `branch` of the model `repo` at `commit`, through the store.
async fn new_branch(hub: &Hub, repo: &str, branch: &str, commit: &str) {
    hub.seed()
        .model(repo)
        .create_branch(branch, commit)
        .await
        .unwrap();
}

/// alice/tree: regular and LFS files, nested folders; returns (commit, LFS bytes).
async fn seed_tree(hub: &Hub) -> (String, Vec<u8>) {
    let lfs = data(3000, 7);
    let commit = hub
        .commit(
            "tree",
            vec![
                File::Regular("README.md", b"# tree".to_vec()),
                File::Regular("config.json", b"{}".to_vec()),
                File::Regular("sub/a.txt", b"a".to_vec()),
                File::Lfs("sub/deep/b.bin", lfs.clone()),
                File::Lfs("weights/model.bin", data(100, 1)),
                File::Regular("with space/x y.txt", b"xy".to_vec()),
            ],
        )
        .await;
    (commit, lfs)
}

#[tokio::test]
async fn tree_root_folder_and_recursive() {
    let hub = Hub::start().await;
    let (_, lfs) = seed_tree(&hub).await;
    let client = hub.client();

    let root = ListRepoTree::new(client.clone(), id("alice/tree"))
        .await
        .unwrap();
    let root_paths = paths(&root);
    for p in ["README.md", "config.json", "sub", "weights", "with space"] {
        assert!(root_paths.contains(p), "{p} missing from {root_paths:?}");
    }
    assert!(
        !root_paths.iter().any(|p| p.contains('/')),
        "{root_paths:?}"
    );
    assert!(
        root.iter()
            .find(|e| e.path() == "sub")
            .unwrap()
            .as_folder()
            .is_some()
    );
    let readme = root
        .iter()
        .find(|e| e.path() == "README.md")
        .unwrap()
        .as_file()
        .unwrap();
    assert_eq!(readme.size, 6);
    assert!(readme.lfs.is_none() && readme.last_commit.is_none());

    let sub = ListRepoTree::new(client.clone(), id("alice/tree"))
        .path_in_repo(path("sub"))
        .await
        .unwrap();
    assert_eq!(paths(&sub), set(&["sub/a.txt", "sub/deep"]));

    // A nested folder is sent as one `%2F` segment.
    let deep = ListRepoTree::new(client.clone(), id("alice/tree"))
        .path_in_repo(path("sub/deep"))
        .await
        .unwrap();
    assert_eq!(paths(&deep), set(&["sub/deep/b.bin"]));
    let b = deep[0].as_file().unwrap();
    assert_eq!(b.size, lfs.len() as u64);
    let lfs_info = b.lfs.as_ref().unwrap();
    assert_eq!(lfs_info.sha256, hex::encode(Sha256::digest(&lfs)));
    assert_eq!(lfs_info.size, 3000);

    let spaced = ListRepoTree::new(client.clone(), id("alice/tree"))
        .path_in_repo(path("with space"))
        .await
        .unwrap();
    assert_eq!(paths(&spaced), set(&["with space/x y.txt"]));

    let all = ListRepoTree::new(client.clone(), id("alice/tree"))
        .recursive(true)
        .await
        .unwrap();
    let all_paths = paths(&all);
    for p in [
        "README.md",
        "config.json",
        "sub",
        "sub/a.txt",
        "sub/deep",
        "sub/deep/b.bin",
        "weights",
        "weights/model.bin",
        "with space",
        "with space/x y.txt",
    ] {
        assert!(all_paths.contains(p), "{p} missing from {all_paths:?}");
    }

    // The stream gives the same entries.
    let streamed: Vec<RepoTreeEntry> = ListRepoTree::new(client.clone(), id("alice/tree"))
        .recursive(true)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(paths(&streamed), all_paths);

    // Files only, recursively.
    let files = ListRepoFiles::new(client.clone(), id("alice/tree"))
        .await
        .unwrap();
    let files: BTreeSet<String> = files.into_iter().collect();
    let expected: BTreeSet<String> = all
        .iter()
        .filter(|e| e.is_file())
        .map(|e| e.path().to_owned())
        .collect();
    assert_eq!(files, expected);
    assert!(files.contains("sub/deep/b.bin") && !files.contains("sub"));

    // A missing folder.
    let err = ListRepoTree::new(client, id("alice/tree"))
        .path_in_repo(path("nope"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::EntryNotFound(_)), "{err:?}");
}

#[tokio::test]
async fn tree_expand_gives_last_commit_and_security() {
    let hub = Hub::start().await;
    let (first, _) = seed_tree(&hub).await;
    let second = commit_titled(
        &hub,
        "tree",
        "main",
        "Touch config",
        ("config.json", b"{\"a\":1}"),
    )
    .await;
    let entries = ListRepoTree::new(hub.client(), id("alice/tree"))
        .expand(true)
        .await
        .unwrap();
    let readme = entries.iter().find(|e| e.path() == "README.md").unwrap();
    assert_eq!(readme.last_commit().unwrap().oid, first);
    let config = entries.iter().find(|e| e.path() == "config.json").unwrap();
    assert_eq!(config.last_commit().unwrap().oid, second);
    assert_eq!(config.last_commit().unwrap().title, "Touch config");
    assert!(
        config
            .as_file()
            .unwrap()
            .security
            .as_ref()
            .unwrap()
            .is_safe()
    );
    let sub = entries.iter().find(|e| e.path() == "sub").unwrap();
    assert_eq!(sub.last_commit().unwrap().oid, first);
}

#[tokio::test]
async fn tree_revisions_and_errors() {
    let hub = Hub::start().await;
    let (first, _) = seed_tree(&hub).await;
    new_branch(&hub, "alice/tree", "dev", &first).await;
    hub.commit_to(
        RepoType::Model,
        "alice/tree",
        "dev",
        vec![File::Regular("dev-only.txt", b"dev".to_vec())],
    )
    .await;
    let client = hub.client();
    let dev = ListRepoFiles::new(client.clone(), id("alice/tree"))
        .revision(rev("dev"))
        .await
        .unwrap();
    assert!(dev.contains(&"dev-only.txt".to_string()), "{dev:?}");
    let main = ListRepoFiles::new(client.clone(), id("alice/tree"))
        .await
        .unwrap();
    assert!(!main.contains(&"dev-only.txt".to_string()));
    // By commit id.
    let at_first = ListRepoFiles::new(client.clone(), id("alice/tree"))
        .revision(rev(&first))
        .await
        .unwrap();
    assert_eq!(at_first, main);
    assert!(at_first.contains(&"sub/deep/b.bin".to_string()));

    let err = ListRepoTree::new(client.clone(), id("alice/tree"))
        .revision(rev("no-such-branch"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RevisionNotFound(_)), "{err:?}");
    // The error names what the request was about.
    let context = err.context().expect("an HTTP error carries its context");
    assert_eq!(context.repo_id, Some(id("alice/tree")));
    assert_eq!(context.repo_type, Some(RepoType::Model));
    assert_eq!(context.revision.as_deref(), Some("no-such-branch"));
    let err = ListRepoTree::new(client.clone(), id("alice/tree"))
        .path_in_repo(path("no/such/folder"))
        .await
        .unwrap_err();
    assert_eq!(
        err.context().and_then(|c| c.path.as_deref()),
        Some("no/such/folder"),
        "{err:?}"
    );
    let err = ListRepoTree::new(client.clone(), id("alice/missing"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RepoNotFound(_)), "{err:?}");
    // Datasets use their own URL family.
    let err = ListRepoFiles::new(client, id("alice/tree"))
        .repo_type(RepoType::Dataset)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RepoNotFound(_)), "{err:?}");
}

#[tokio::test]
async fn tree_and_files_of_a_dataset() {
    let hub = Hub::start().await;
    hub.commit_to(
        RepoType::Dataset,
        "alice/data",
        "main",
        vec![File::Regular("train/part-0.csv", b"a,b".to_vec())],
    )
    .await;
    let files = ListRepoFiles::new(hub.client(), id("alice/data"))
        .repo_type(RepoType::Dataset)
        .await
        .unwrap();
    assert!(files.contains(&"train/part-0.csv".to_string()), "{files:?}");
}

#[tokio::test]
async fn big_tree_is_paged() {
    let hub = Hub::start().await;
    // More than one page (1000 entries; 50 with expand).
    let names: Vec<String> = (0..1050).map(|i| format!("many/f{i:04}.txt")).collect();
    hub.commit(
        "big",
        names
            .iter()
            .map(|n| File::Regular(n, n.as_bytes().to_vec()))
            .collect(),
    )
    .await;
    let client = hub.client();
    let entries = ListRepoTree::new(client.clone(), id("alice/big"))
        .path_in_repo(path("many"))
        .await
        .unwrap();
    assert_eq!(entries.len(), 1050);
    assert_eq!(paths(&entries), names.iter().cloned().collect());

    // Confirm the hub did page: its first raw page is shorter than the listing.
    let raw = client
        .get(
            format!("{}/api/models/alice/big/tree/main/many", hub.endpoint())
                .parse()
                .unwrap(),
        )
        .await
        .unwrap();
    assert!(
        raw.header_str("link").is_some(),
        "no Link header: the hub did not page"
    );
    let first_page: Vec<serde_json::Value> = raw.json().await.unwrap();
    assert!(first_page.len() < 1050);

    // Expanded pages are smaller; the stream still gets every entry.
    let expanded: Vec<RepoTreeEntry> = ListRepoTree::new(client.clone(), id("alice/big"))
        .recursive(true)
        .expand(true)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(expanded.len(), 1051 + 1); // 1050 files, `many`, `.gitattributes`
    assert!(expanded.iter().all(|e| e.last_commit().is_some()));
    let files = ListRepoFiles::new(client, id("alice/big")).await.unwrap();
    assert_eq!(files.len(), 1051);
}

#[tokio::test]
async fn paths_info_files_folders_and_missing() {
    let hub = Hub::start().await;
    let (commit, lfs) = seed_tree(&hub).await;
    let client = hub.client();
    let infos = GetPathsInfo::new(
        client.clone(),
        id("alice/tree"),
        [
            "sub/deep/b.bin",
            "missing.txt",
            "sub",
            "README.md",
            "with space/x y.txt",
        ],
    )
    .await
    .unwrap();
    // Request order, missing skipped.
    let got: Vec<&str> = infos.iter().map(RepoTreeEntry::path).collect();
    assert_eq!(
        got,
        vec!["sub/deep/b.bin", "sub", "README.md", "with space/x y.txt"]
    );
    let b = infos[0].as_file().unwrap();
    assert_eq!(
        b.lfs.as_ref().unwrap().sha256,
        hex::encode(Sha256::digest(&lfs))
    );
    assert!(infos[1].as_folder().is_some());
    assert!(infos.iter().all(|e| e.last_commit().is_none()));

    // Typed paths and expand.
    let expanded = GetPathsInfo::new(
        client.clone(),
        id("alice/tree"),
        [path("config.json"), path("sub")],
    )
    .expand(true)
    .await
    .unwrap();
    assert_eq!(expanded.len(), 2);
    assert!(
        expanded
            .iter()
            .all(|e| e.last_commit().unwrap().oid == commit)
    );
    assert!(expanded[0].as_file().unwrap().security.is_some());

    // At another revision.
    new_branch(&hub, "alice/tree", "dev", &commit).await;
    hub.commit_to(
        RepoType::Model,
        "alice/tree",
        "dev",
        vec![File::Regular("d.txt", b"d".to_vec())],
    )
    .await;
    let on_dev = GetPathsInfo::new(client.clone(), id("alice/tree"), ["d.txt"])
        .revision(rev("dev"))
        .await
        .unwrap();
    assert_eq!(on_dev.len(), 1);
    let on_main = GetPathsInfo::new(client.clone(), id("alice/tree"), ["d.txt"])
        .await
        .unwrap();
    assert!(on_main.is_empty());

    // An unsafe path is refused before sending.
    let err = GetPathsInfo::new(client.clone(), id("alice/tree"), ["../etc/passwd"])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidPath(_)), "{err:?}");

    // Errors of the hub.
    let err = GetPathsInfo::new(client.clone(), id("alice/tree"), ["a"])
        .revision(rev("nope"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RevisionNotFound(_)), "{err:?}");
    let err = GetPathsInfo::new(client.clone(), id("alice/nope"), ["a"])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RepoNotFound(_)), "{err:?}");
    let err = GetPathsInfo::new(client, id("alice/nope"), Vec::<String>::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RepoNotFound(_)), "{err:?}");
}

#[tokio::test]
async fn paths_info_splits_long_lists() {
    let hub = Hub::start().await;
    let names: Vec<String> = (0..1200).map(|i| format!("f{i:04}.txt")).collect();
    hub.commit(
        "many",
        names.iter().map(|n| File::Regular(n, vec![b'x'])).collect(),
    )
    .await;
    // 1200 paths: more than the hub accepts in one request (1000 parameters).
    let mut asked = names.clone();
    asked.reverse();
    let infos = GetPathsInfo::new(hub.client(), id("alice/many"), &asked)
        .await
        .unwrap();
    let got: Vec<&str> = infos.iter().map(RepoTreeEntry::path).collect();
    assert_eq!(got, asked.iter().map(String::as_str).collect::<Vec<_>>());
}

#[tokio::test]
async fn refs_with_and_without_pull_requests() {
    let hub = Hub::start().await;
    let main = hub
        .commit("refs", vec![File::Regular("a.txt", b"a".to_vec())])
        .await;
    new_branch(&hub, "alice/refs", "dev", &main).await;
    let dev = hub
        .commit_to(
            RepoType::Model,
            "alice/refs",
            "dev",
            vec![File::Regular("b.txt", b"b".to_vec())],
        )
        .await;
    let pr = hub
        .seed()
        .model("alice/refs")
        .create_pull_request(&main, "A PR", "alice")
        .await
        .unwrap();

    let refs = ListRepoRefs::new(hub.client(), id("alice/refs"))
        .await
        .unwrap();
    let branches: BTreeSet<(String, String)> = refs
        .branches
        .iter()
        .map(|b| (b.name.clone(), b.target_commit.clone()))
        .collect();
    assert_eq!(
        branches,
        BTreeSet::from([("main".into(), main.clone()), ("dev".into(), dev.clone())])
    );
    assert!(refs.tags.is_empty() && refs.converts.is_empty());
    assert!(refs.pull_requests.is_none());

    let with_prs = ListRepoRefs::new(hub.client(), id("alice/refs"))
        .include_pull_requests(true)
        .await
        .unwrap();
    let prs = with_prs.pull_requests.unwrap();
    assert_eq!(prs.len(), 1);
    assert_eq!(prs[0].revision().unwrap(), Revision::pull_request(pr));
    assert_eq!(prs[0].target_commit, main);

    // Anonymous callers can read a public repo's refs; a missing repo is RepoNotFound.
    let anonymous = ListRepoRefs::new(hub.client_with(None), id("alice/refs"))
        .await
        .unwrap();
    assert_eq!(anonymous.branches.len(), 2);
    let err = ListRepoRefs::new(hub.client(), id("alice/nope"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RepoNotFound(_)), "{err:?}");
}

#[tokio::test]
async fn commits_newest_first_formatted_and_paged() {
    let hub = Hub::start().await;
    let seed = hub
        .commit("hist", vec![File::Regular("a.txt", b"a".to_vec())])
        .await;
    let second = commit_titled(
        &hub,
        "hist",
        "main",
        "Add <b>bold</b> & more",
        ("b.txt", b"b"),
    )
    .await;
    let third = commit_titled(&hub, "hist", "main", "Third", ("c.txt", b"c")).await;

    let commits = ListRepoCommits::new(hub.client(), id("alice/hist"))
        .await
        .unwrap();
    let ids: Vec<&str> = commits.iter().map(|c| c.commit_id.as_str()).collect();
    assert_eq!(ids[..3], [third.as_str(), second.as_str(), seed.as_str()]);
    let last = commits.last().unwrap();
    assert_eq!(last.title, "initial commit");
    assert_eq!(commits.len(), 4);
    assert_eq!(commits[0].title, "Third");
    assert_eq!(commits[0].message, "details of Third");
    assert_eq!(commits[0].author_names(), vec!["alice"]);
    assert!(commits[0].created_at >= commits[1].created_at);
    assert!(commits.iter().all(|c| c.formatted.is_none()));

    let formatted = ListRepoCommits::new(hub.client(), id("alice/hist"))
        .formatted(true)
        .await
        .unwrap();
    assert_eq!(
        formatted[1].formatted_title(),
        Some("Add &lt;b&gt;bold&lt;/b&gt; &amp; more")
    );
    assert_eq!(formatted[1].title, "Add <b>bold</b> & more");

    // History of an older commit.
    let older = ListRepoCommits::new(hub.client(), id("alice/hist"))
        .revision(rev(&second))
        .await
        .unwrap();
    assert_eq!(older[0].commit_id, second);
    assert_eq!(older.len(), 3);

    // More commits than one page (50).
    for i in 0..55 {
        commit_titled(
            &hub,
            "hist",
            "main",
            &format!("c{i}"),
            ("n.txt", format!("{i}").as_bytes()),
        )
        .await;
    }
    let all: Vec<_> = ListRepoCommits::new(hub.client(), id("alice/hist"))
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 59);
    assert_eq!(all[0].title, "c54");
    assert_eq!(all[58].title, "initial commit");

    let err = ListRepoCommits::new(hub.client(), id("alice/hist"))
        .revision(rev("nope"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RevisionNotFound(_)), "{err:?}");
    let err = ListRepoCommits::new(hub.client(), id("alice/none"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RepoNotFound(_)), "{err:?}");
}

async fn branch_target(hub: &Hub, repo: &str, name: &str) -> Option<String> {
    let refs = ListRepoRefs::new(hub.client(), id(repo)).await.unwrap();
    refs.branches
        .into_iter()
        .find(|b| b.name == name)
        .map(|b| b.target_commit)
}

#[tokio::test]
async fn branches_create_exist_ok_and_delete() {
    let hub = Hub::start().await;
    let first = hub
        .commit("br", vec![File::Regular("a.txt", b"1".to_vec())])
        .await;
    let head = hub
        .commit("br", vec![File::Regular("a.txt", b"2".to_vec())])
        .await;
    let client = hub.client();

    // From a revision.
    CreateBranch::new(client.clone(), id("alice/br"), rev("old"))
        .revision(rev(&first))
        .await
        .unwrap();
    assert_eq!(
        branch_target(&hub, "alice/br", "old").await.as_deref(),
        Some(first.as_str())
    );
    assert_eq!(hub.read("alice/br", "old", "a.txt").await.unwrap(), b"1");
    // From the default branch's head.
    CreateBranch::new(client.clone(), id("alice/br"), rev("feature/x+y"))
        .await
        .unwrap();
    assert_eq!(
        branch_target(&hub, "alice/br", "feature/x+y")
            .await
            .as_deref(),
        Some(head.as_str())
    );

    // Existing: Conflict unless exist_ok.
    let err = CreateBranch::new(client.clone(), id("alice/br"), rev("old"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    CreateBranch::new(client.clone(), id("alice/br"), rev("old"))
        .exist_ok(true)
        .await
        .unwrap();
    assert_eq!(
        branch_target(&hub, "alice/br", "old").await.as_deref(),
        Some(first.as_str())
    );

    // No write access: Forbidden, unless exist_ok and the branch exists.
    let bob = hub.client_with(Some(BOB));
    CreateBranch::new(bob.clone(), id("alice/br"), rev("old"))
        .exist_ok(true)
        .await
        .unwrap();
    let err = CreateBranch::new(bob.clone(), id("alice/br"), rev("bobs"))
        .exist_ok(true)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
    let reader = hub.client_with(Some(ALICE_READ));
    let err = CreateBranch::new(reader, id("alice/br"), rev("ro"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Forbidden(_) | Error::Unauthorized(_)),
        "{err:?}"
    );

    // A bad starting point.
    let err = CreateBranch::new(client.clone(), id("alice/br"), rev("x"))
        .revision(rev("no-such-rev"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RevisionNotFound(_)), "{err:?}");
    // Names that are not branch names are refused before sending.
    for bad in ["refs/pr/1", "refs/heads/x", &first] {
        let err = CreateBranch::new(client.clone(), id("alice/br"), rev(bad))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{bad}: {err:?}");
    }

    // Delete.
    DeleteRef::branch(client.clone(), id("alice/br"), rev("feature/x+y"))
        .await
        .unwrap();
    assert_eq!(branch_target(&hub, "alice/br", "feature/x+y").await, None);
    let err = DeleteRef::branch(client.clone(), id("alice/br"), rev("feature/x+y"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RevisionNotFound(_)), "{err:?}");
    assert_eq!(
        err.context().and_then(|c| c.revision.as_deref()),
        Some("feature/x+y")
    );
    // The default branch cannot be deleted.
    let err = DeleteRef::branch(client.clone(), id("alice/br"), rev("main"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
    let err = DeleteRef::branch(bob, id("alice/br"), rev("old"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
    let err = CreateBranch::new(client, id("alice/nope"), rev("b"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RepoNotFound(_)), "{err:?}");
}

#[tokio::test]
async fn tags_create_exist_ok_and_delete() {
    let hub = Hub::start().await;
    let first = hub
        .commit("tags", vec![File::Regular("a.txt", b"1".to_vec())])
        .await;
    let head = hub
        .commit("tags", vec![File::Regular("a.txt", b"2".to_vec())])
        .await;
    let client = hub.client();

    CreateTag::new(client.clone(), id("alice/tags"), rev("v1.0"))
        .revision(rev(&first))
        .tag_message("First release")
        .await
        .unwrap();
    CreateTag::new(client.clone(), id("alice/tags"), rev("latest"))
        .await
        .unwrap();
    let refs = ListRepoRefs::new(client.clone(), id("alice/tags"))
        .await
        .unwrap();
    let tags: BTreeSet<(String, String, String)> = refs
        .tags
        .iter()
        .map(|t| (t.name.clone(), t.git_ref.clone(), t.target_commit.clone()))
        .collect();
    assert_eq!(
        tags,
        BTreeSet::from([
            ("v1.0".into(), "refs/tags/v1.0".into(), first.clone()),
            ("latest".into(), "refs/tags/latest".into(), head.clone()),
        ])
    );
    // The tag is a revision.
    assert_eq!(hub.read("alice/tags", "v1.0", "a.txt").await.unwrap(), b"1");

    let err = CreateTag::new(client.clone(), id("alice/tags"), rev("v1.0"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    CreateTag::new(client.clone(), id("alice/tags"), rev("v1.0"))
        .exist_ok(true)
        .await
        .unwrap();
    let err = CreateTag::new(client.clone(), id("alice/tags"), rev("v2"))
        .revision(rev("nope"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RevisionNotFound(_)), "{err:?}");
    let err = CreateTag::new(client.clone(), id("alice/tags"), rev("refs/tags/v3"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
    let err = CreateTag::new(hub.client_with(Some(BOB)), id("alice/tags"), rev("v4"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");

    DeleteRef::tag(client.clone(), id("alice/tags"), rev("v1.0"))
        .await
        .unwrap();
    let refs = ListRepoRefs::new(client.clone(), id("alice/tags"))
        .await
        .unwrap();
    assert_eq!(refs.tags.len(), 1);
    assert_eq!(refs.tags[0].name, "latest");
    let err = DeleteRef::tag(client, id("alice/tags"), rev("v1.0"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RevisionNotFound(_)), "{err:?}");
}

#[tokio::test]
async fn super_squash_leaves_one_commit_with_the_same_files() {
    let hub = Hub::start().await;
    hub.commit("sq", vec![File::Regular("a.txt", b"a".to_vec())])
        .await;
    hub.commit("sq", vec![File::Lfs("w.bin", data(500, 3))])
        .await;
    commit_titled(&hub, "sq", "main", "third", ("a.txt", b"a2")).await;
    let client = hub.client();
    let before = ListRepoFiles::new(client.clone(), id("alice/sq"))
        .await
        .unwrap();
    assert_eq!(
        ListRepoCommits::new(client.clone(), id("alice/sq"))
            .await
            .unwrap()
            .len(),
        4
    );

    let new_id = SuperSquashHistory::new(client.clone(), id("alice/sq"))
        .commit_message("Squashed!")
        .await
        .unwrap();
    let commits = ListRepoCommits::new(client.clone(), id("alice/sq"))
        .await
        .unwrap();
    assert_eq!(commits.len(), 1);
    assert_eq!(commits[0].title, "Squashed!");
    if let Some(new_id) = new_id {
        assert_eq!(commits[0].commit_id, new_id);
    }
    assert_eq!(
        branch_target(&hub, "alice/sq", "main").await.unwrap(),
        commits[0].commit_id
    );
    let after = ListRepoFiles::new(client.clone(), id("alice/sq"))
        .await
        .unwrap();
    assert_eq!(
        before.iter().collect::<BTreeSet<_>>(),
        after.iter().collect::<BTreeSet<_>>()
    );
    assert_eq!(hub.read("alice/sq", "main", "a.txt").await.unwrap(), b"a2");
    assert_eq!(
        hub.read("alice/sq", "main", "w.bin").await.unwrap(),
        data(500, 3)
    );

    // Another branch, default message.
    let head = branch_target(&hub, "alice/sq", "main").await.unwrap();
    new_branch(&hub, "alice/sq", "dev", &head).await;
    hub.commit_to(
        RepoType::Model,
        "alice/sq",
        "dev",
        vec![File::Regular("d.txt", b"d".to_vec())],
    )
    .await;
    commit_titled(&hub, "sq", "dev", "more", ("e.txt", b"e")).await;
    SuperSquashHistory::new(client.clone(), id("alice/sq"))
        .branch(rev("dev"))
        .await
        .unwrap();
    let dev = ListRepoCommits::new(client.clone(), id("alice/sq"))
        .revision(rev("dev"))
        .await
        .unwrap();
    assert_eq!(dev.len(), 1);
    assert_eq!(
        dev[0].title,
        "Super-squash branch 'dev' using huggingface_hub"
    );
    assert_eq!(hub.read("alice/sq", "dev", "e.txt").await.unwrap(), b"e");

    // Errors: unknown branch, a tag, no write access.
    let err = SuperSquashHistory::new(client.clone(), id("alice/sq"))
        .branch(rev("nope"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RevisionNotFound(_)), "{err:?}");
    CreateTag::new(client.clone(), id("alice/sq"), rev("v1"))
        .await
        .unwrap();
    let err = SuperSquashHistory::new(client.clone(), id("alice/sq"))
        .branch(rev("v1"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::BadRequest(_)), "{err:?}");
    let err = SuperSquashHistory::new(hub.client_with(Some(BOB)), id("alice/sq"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
}

/// A one-shot HTTP server answering every request with `body` as JSON.
async fn canned_server(body: &'static str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn hostile_paths_from_the_server_are_refused() {
    let endpoint = canned_server(
        r#"[{"type": "file", "oid": "0000000000000000000000000000000000000000", "size": 1, "path": "ok.txt"},
            {"type": "file", "oid": "0000000000000000000000000000000000000000", "size": 1, "path": "../../etc/passwd"}]"#,
    )
    .await;
    let client = hf_http::HubClient::builder()
        .endpoint(&endpoint)
        .no_token()
        .build()
        .unwrap();
    let mut stream = Box::pin(ListRepoTree::new(client.clone(), id("evil/repo")).into_stream());
    assert_eq!(stream.try_next().await.unwrap().unwrap().path(), "ok.txt");
    let err = stream.try_next().await.unwrap_err();
    assert!(matches!(err, Error::InvalidPath(_)), "{err:?}");
    let err = ListRepoFiles::new(client.clone(), id("evil/repo"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidPath(_)), "{err:?}");
    let err = GetPathsInfo::new(client, id("evil/repo"), ["ok.txt"])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidPath(_)), "{err:?}");
}
