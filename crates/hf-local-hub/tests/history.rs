//! Files and history over HTTP: tree, paths-info, refs, commits, branches, tags, super-squash.
// Helpers outside #[test] functions panic on failure too.
#![allow(clippy::unwrap_used)]

mod common;

use bytes::Bytes;
use common::*;
use http::Method;
use serde_json::json;

#[tokio::test]
async fn tree_paths_info_and_encoding() {
    let (hub, http) = hub().await;
    let repo = http
        .create_repo(&hub, ALICE, "model", "alice/t", false)
        .await;
    let sha = put_lfs(&hub, b"0123456789abcdef".to_vec()).await;
    commit_files(
        &repo,
        "main",
        &[
            ("sub/dir/a b.txt", b"A"),
            ("sub/c.json", b"{}"),
            ("top.txt", b"T"),
        ],
    )
    .await;
    let c2 = repo
        .commit("main")
        .lfs_pointer("sub/w.bin", &sha, Some(16))
        .push()
        .await
        .unwrap();

    let root = http
        .get(
            "/api/models/alice/t/tree/main?recursive=False&expand=False",
            None,
        )
        .await
        .json();
    let paths: Vec<&str> = root
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    // Folders first, as the Hub lists them (issue 15 item 4).
    assert_eq!(paths, vec!["sub", ".gitattributes", "top.txt"]);
    assert_eq!(root[0]["type"], "directory");
    assert_eq!(root[0]["oid"].as_str().unwrap().len(), 40);

    let rec = http
        .get(
            "/api/models/alice/t/tree/main?recursive=True&expand=True",
            None,
        )
        .await
        .json();
    assert_eq!(rec.as_array().unwrap().len(), 7);
    let w = rec
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == "sub/w.bin")
        .unwrap();
    assert_eq!(w["lfs"]["oid"], sha);
    assert_eq!(w["lfs"]["size"], 16);
    assert_eq!(w["size"], 16);
    assert_eq!(w["lastCommit"]["id"], c2);
    assert_eq!(w["securityFileStatus"]["status"], "safe");
    let top = rec
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == "top.txt")
        .unwrap();
    assert_ne!(top["lastCommit"]["id"], c2);
    let sub = rec
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == "sub")
        .unwrap();
    assert_eq!(sub["lastCommit"]["id"], c2);

    // Path as one %2F-encoded segment.
    let sub = http
        .get(
            "/api/models/alice/t/tree/main/sub%2Fdir?recursive=False&expand=False",
            None,
        )
        .await
        .json();
    assert_eq!(sub[0]["path"], "sub/dir/a b.txt");
    let r = http
        .get(
            "/api/models/alice/t/tree/main/nope?recursive=False&expand=False",
            None,
        )
        .await;
    assert_eq!(r.header("x-error-code").as_deref(), Some("EntryNotFound"));
    let r = http
        .get(
            "/api/models/alice/t/tree/nobranch?recursive=False&expand=False",
            None,
        )
        .await;
    assert_eq!(
        r.header("x-error-code").as_deref(),
        Some("RevisionNotFound")
    );
    // Traversal refused.
    let r = http
        .get(
            "/api/models/alice/t/tree/main/..%2F..%2Fetc?recursive=False&expand=False",
            None,
        )
        .await;
    assert_eq!(r.status, 400);

    // paths-info: request order, missing skipped, folders typed.
    let r = http
        .form(
            "/api/models/alice/t/paths-info/main",
            None,
            "paths=top.txt&paths=missing&paths=sub%2Fw.bin&paths=sub&expand=True",
        )
        .await
        .json();
    let got: Vec<&str> = r
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(got, vec!["top.txt", "sub/w.bin", "sub"]);
    assert_eq!(r[2]["type"], "directory");
    assert!(r[0]["lastCommit"]["date"].as_str().unwrap().ends_with('Z'));
    let r = http
        .form("/api/models/alice/t/paths-info/main", None, "paths=..%2Fx")
        .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn tree_pagination() {
    let (hub, http) = hub().await;
    let repo = http
        .create_repo(&hub, ALICE, "model", "alice/many", false)
        .await;
    let names: Vec<String> = (0..120).map(|i| format!("f{i:03}.txt")).collect();
    let files: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), n.as_bytes())).collect();
    commit_files(&repo, "main", &files).await;
    let r = http
        .get(
            "/api/models/alice/many/tree/main?recursive=True&expand=True",
            None,
        )
        .await;
    assert_eq!(r.json().as_array().unwrap().len(), 50);
    let mut total = 50;
    let mut link = r.header("link");
    while let Some(l) = link {
        let url = l
            .trim_start_matches('<')
            .split('>')
            .next()
            .unwrap()
            .to_owned();
        let r = http.get(&url, None).await;
        total += r.json().as_array().unwrap().len();
        link = r.header("link");
    }
    assert_eq!(total, 121);
    let r = http
        .get(
            "/api/models/alice/many/tree/main?recursive=True&expand=False",
            None,
        )
        .await;
    assert_eq!(r.json().as_array().unwrap().len(), 121);
    assert!(r.header("link").is_none());
}

/// `alice/r`: `a.txt` on main (`c1`), branches `dev` and `feat/x` from it, `b.txt` on `feat/x` (`c2`),
/// the tag `v1.0` at `c2` and pull request 1 at `c1`; returns `(c1, c2)`.
async fn seeded_refs(hub: &hf_local_hub::LocalHubHandle, http: &Http) -> (String, String) {
    let repo = http
        .create_repo(hub, ALICE, "model", "alice/r", false)
        .await;
    let c1 = commit_files(&repo, "main", &[("a.txt", b"1")]).await;
    repo.create_branch("dev", &c1).await.unwrap();
    repo.create_branch("feat/x", &c1).await.unwrap();
    let c2 = commit_files(&repo, "feat/x", &[("b.txt", b"2")]).await;
    repo.create_tag("v1.0", &c2).await.unwrap();
    assert_eq!(
        repo.create_pull_request(&c1, "My PR", "alice")
            .await
            .unwrap(),
        1
    );
    (c1, c2)
}

#[tokio::test]
async fn branches_are_created_from_main_or_a_starting_point_once() {
    let (hub, http) = hub().await;
    let repo = http
        .create_repo(&hub, ALICE, "model", "alice/r", false)
        .await;
    let c1 = commit_files(&repo, "main", &[("a.txt", b"1")]).await;
    let api = "/api/models/alice/r";

    // Branch from main, from a starting point, duplicate, bad starting point.
    assert_eq!(
        http.json(
            Method::POST,
            &format!("{api}/branch/dev"),
            Some(ALICE),
            json!({})
        )
        .await
        .status,
        200
    );
    assert_eq!(
        http.json(
            Method::POST,
            &format!("{api}/branch/dev"),
            Some(ALICE),
            json!({})
        )
        .await
        .status,
        409
    );
    let r = http
        .json(
            Method::POST,
            &format!("{api}/branch/feat%2Fx"),
            Some(ALICE),
            json!({"startingPoint": c1}),
        )
        .await;
    assert_eq!(r.status, 200);
    let r = http
        .json(
            Method::POST,
            &format!("{api}/branch/z"),
            Some(ALICE),
            json!({"startingPoint": "nope"}),
        )
        .await;
    assert_eq!(
        r.header("x-error-code").as_deref(),
        Some("RevisionNotFound")
    );
    assert_eq!(
        http.json(
            Method::POST,
            &format!("{api}/branch/refs%2Fheads%2Fx"),
            Some(ALICE),
            json!({})
        )
        .await
        .status,
        400
    );
    assert_eq!(head(&repo, "dev").await, c1);
    assert_eq!(head(&repo, "feat/x").await, c1);
}

#[tokio::test]
async fn tags_are_created_once() {
    let (hub, http) = hub().await;
    let repo = http
        .create_repo(&hub, ALICE, "model", "alice/r", false)
        .await;
    let c1 = commit_files(&repo, "main", &[("a.txt", b"1")]).await;
    repo.create_branch("feat/x", &c1).await.unwrap();
    let c2 = commit_files(&repo, "feat/x", &[("b.txt", b"2")]).await;
    let api = "/api/models/alice/r";

    // Tags.
    let r = http
        .json(
            Method::POST,
            &format!("{api}/tag/feat%2Fx"),
            Some(ALICE),
            json!({"tag": "v1.0", "message": "m"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        http.json(
            Method::POST,
            &format!("{api}/tag/main"),
            Some(ALICE),
            json!({"tag": "v1.0"})
        )
        .await
        .status,
        409
    );
    assert_eq!(head(&repo, "v1.0").await, c2);
}

#[tokio::test]
async fn refs_list_branches_and_tags_and_pull_requests_on_request() {
    let (hub, http) = hub().await;
    let (_, c2) = seeded_refs(&hub, &http).await;
    let api = "/api/models/alice/r";
    let refs = http.get(&format!("{api}/refs"), None).await.json();
    let branches: Vec<&str> = refs["branches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(branches, vec!["dev", "feat/x", "main"]);
    assert_eq!(refs["tags"][0]["name"], "v1.0");
    assert_eq!(refs["tags"][0]["ref"], "refs/tags/v1.0");
    assert_eq!(refs["tags"][0]["targetCommit"], c2);
    assert_eq!(refs["converts"], json!([]));
    assert!(refs.get("pullRequests").is_none());
    let refs = http
        .get(&format!("{api}/refs?include_prs=1"), None)
        .await
        .json();
    assert_eq!(refs["pullRequests"][0]["ref"], "refs/pr/1");
}

#[tokio::test]
async fn revisions_resolve_by_tag_sha_short_sha_and_encoded_ref() {
    let (hub, http) = hub().await;
    let (_, c2) = seeded_refs(&hub, &http).await;
    let api = "/api/models/alice/r";

    assert_eq!(
        http.get("/alice/r/resolve/v1.0/b.txt", None).await.body,
        "2"
    );
    assert_eq!(
        http.get(&format!("/alice/r/resolve/{c2}/b.txt"), None)
            .await
            .body,
        "2"
    );
    assert_eq!(
        http.get(&format!("/alice/r/resolve/{}/b.txt", &c2[..10]), None)
            .await
            .body,
        "2"
    );
    assert_eq!(
        http.get("/alice/r/resolve/feat%2Fx/b.txt", None).await.body,
        "2"
    );
    assert_eq!(
        http.get("/alice/r/resolve/refs%2Fpr%2F1/a.txt", None)
            .await
            .body,
        "1"
    );
    assert_eq!(
        http.get("/alice/r/resolve/refs/pr/1/a.txt", None)
            .await
            .body,
        "1"
    );
    let info = http
        .get(&format!("{api}/revision/feat%2Fx"), None)
        .await
        .json();
    assert_eq!(info["sha"], c2);
    let r = http.get(&format!("{api}/revision/nope"), None).await;
    assert_eq!(
        (r.status, r.header("x-error-code").as_deref()),
        (404, Some("RevisionNotFound"))
    );
}

#[tokio::test]
async fn commits_are_listed_newest_first_with_formatted_titles() {
    let (hub, http) = hub().await;
    let (c1, c2) = seeded_refs(&hub, &http).await;
    let api = "/api/models/alice/r";

    let log = http
        .get(&format!("{api}/commits/feat%2Fx?expand[]=formatted"), None)
        .await
        .json();
    let ids: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 3);
    assert_eq!(ids[0], c2);
    assert_eq!(ids[1], c1);
    assert_eq!(log[0]["formatted"]["title"], "test commit");
    assert_eq!(log[2]["title"], "initial commit");
}

#[tokio::test]
async fn tags_and_branches_are_deleted_once_and_main_never() {
    let (hub, http) = hub().await;
    seeded_refs(&hub, &http).await;
    let api = "/api/models/alice/r";

    assert_eq!(
        http.send(
            Method::DELETE,
            &format!("{api}/tag/v1.0"),
            Some(ALICE),
            &[],
            Bytes::new()
        )
        .await
        .status,
        200
    );
    assert_eq!(
        http.send(
            Method::DELETE,
            &format!("{api}/tag/v1.0"),
            Some(ALICE),
            &[],
            Bytes::new()
        )
        .await
        .status,
        404
    );
    assert_eq!(
        http.send(
            Method::DELETE,
            &format!("{api}/branch/dev"),
            Some(ALICE),
            &[],
            Bytes::new()
        )
        .await
        .status,
        200
    );
    assert_eq!(
        http.send(
            Method::DELETE,
            &format!("{api}/branch/dev"),
            Some(ALICE),
            &[],
            Bytes::new()
        )
        .await
        .status,
        404
    );
    assert_eq!(
        http.send(
            Method::DELETE,
            &format!("{api}/branch/main"),
            Some(ALICE),
            &[],
            Bytes::new()
        )
        .await
        .status,
        403
    );
}

#[tokio::test]
async fn super_squash_leaves_one_commit_with_the_same_tree() {
    let (hub, http) = hub().await;
    seeded_refs(&hub, &http).await;
    let api = "/api/models/alice/r";

    let before = http
        .get(
            "/api/models/alice/r/tree/feat%2Fx?recursive=True&expand=False",
            None,
        )
        .await
        .json();
    let r = http
        .json(
            Method::POST,
            &format!("{api}/super-squash/feat%2Fx"),
            Some(ALICE),
            json!({"message": "squashed"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let log = http
        .get(&format!("{api}/commits/feat%2Fx"), None)
        .await
        .json();
    assert_eq!(log.as_array().unwrap().len(), 1);
    assert_eq!(log[0]["title"], "squashed");
    let after = http
        .get(
            "/api/models/alice/r/tree/feat%2Fx?recursive=True&expand=False",
            None,
        )
        .await
        .json();
    assert_eq!(before, after);
    assert_eq!(
        http.json(
            Method::POST,
            &format!("{api}/super-squash/nope"),
            Some(ALICE),
            json!({})
        )
        .await
        .status,
        404
    );
}

#[tokio::test]
async fn commit_history_pagination() {
    let (hub, http) = hub().await;
    let repo = http
        .create_repo(&hub, ALICE, "model", "alice/h", false)
        .await;
    for i in 0..60 {
        commit_files(&repo, "main", &[("n.txt", format!("{i}").as_bytes())]).await;
    }
    let r = http.get("/api/models/alice/h/commits/main", None).await;
    assert_eq!(r.json().as_array().unwrap().len(), 50);
    let link = r.header("link").unwrap();
    let url = link
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap()
        .to_owned();
    let r = http.get(&url, None).await;
    let page = r.json();
    assert_eq!(page.as_array().unwrap().len(), 11);
    assert_eq!(page[10]["title"], "initial commit");
    assert!(r.header("link").is_none());
}
