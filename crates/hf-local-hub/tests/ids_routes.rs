//! Repo ids as the Hub has them (issue 15 items 1 and 5): one-segment (canonical) ids on every repo route,
//! and case-insensitive ids.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use http::Method;
use serde_json::json;

fn code(r: &Resp) -> Option<String> {
    r.header("x-error-code")
}

#[tokio::test]
async fn canonical_repos_are_served_on_every_route() {
    let (hub, http) = hub().await;
    let gpt2 = hub.seed().model("gpt2");
    gpt2.create(false).await.unwrap();
    let commit = commit_files(
        &gpt2,
        "main",
        &[("config.json", b"{}"), ("sub/a.txt", b"a")],
    )
    .await;
    let squad = hub.seed().repo(hf_types::RepoType::Dataset, "squad");
    squad.create(false).await.unwrap();
    commit_files(&squad, "main", &[("data.csv", b"x,y")]).await;
    let space = hub.seed().repo(hf_types::RepoType::Space, "demo");
    space.create(false).await.unwrap();

    let r = http.get("/api/models/gpt2", None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["id"], "gpt2");
    let r = http.get("/api/models/gpt2/revision/main", None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["sha"], commit.as_str());
    let r = http.get("/api/datasets/squad/revision/main", None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["id"], "squad");
    assert_eq!(http.get("/api/spaces/demo", None).await.status, 200);
    assert_eq!(http.get("/api/spaces/demo/runtime", None).await.status, 200);

    let r = http.get("/gpt2/resolve/main/config.json", None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text(), "{}");
    let r = http.get("/gpt2/resolve/main/sub/a.txt", None).await;
    assert_eq!(r.text(), "a");
    let r = http
        .get("/datasets/squad/resolve/main/data.csv", None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text(), "x,y");

    let r = http.get("/api/models/gpt2/tree/main", None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json().as_array().unwrap().len(), 3);
    assert_eq!(
        http.get("/api/models/gpt2/tree/main/sub", None)
            .await
            .status,
        200
    );
    assert_eq!(http.get("/api/models/gpt2/refs", None).await.status, 200);
    let r = http.get("/api/models/gpt2/commits/main", None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()[0]["id"], commit.as_str());
    let r = http
        .form(
            "/api/models/gpt2/paths-info/main",
            None,
            "paths=config.json",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()[0]["path"], "config.json");
    assert_eq!(
        http.get("/api/models/gpt2/discussions", None).await.status,
        200
    );
    let r = http
        .send(
            Method::POST,
            "/api/models/gpt2/like",
            Some(ALICE),
            &[],
            Vec::new(),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(http.get("/api/models/gpt2/likers", None).await.status, 200);
    let r = http
        .json(
            Method::POST,
            "/gpt2.git/info/lfs/objects/batch",
            Some(ALICE),
            json!({"operation": "download", "objects": []}),
        )
        .await;
    assert_ne!(r.status, 404, "{}", r.text());

    // Nobody writes to a canonical repo through the API.
    let r = http
        .json(
            Method::POST,
            "/api/models/gpt2/branch/dev",
            Some(ALICE),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    let r = http
        .json(
            Method::PUT,
            "/api/models/gpt2/settings",
            Some(ALICE),
            json!({"private": true}),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text());
    // And no user creates one: a bare name goes to the caller's namespace.
    let r = http
        .json(
            Method::POST,
            "/api/repos/create",
            Some(ALICE),
            json!({"name": "bert"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(http.get("/api/models/bert", None).await.status, 401);
    assert_eq!(http.get("/api/models/alice/bert", None).await.status, 200);
}

#[tokio::test]
async fn missing_canonical_repos_are_repo_not_found() {
    let (_hub, http) = hub().await;
    for (method, path) in [
        (Method::GET, "/api/models/nope"),
        (Method::GET, "/api/datasets/nope/revision/main"),
        (Method::GET, "/nope/resolve/main/file.txt"),
        (Method::HEAD, "/nope/resolve/main/file.txt"),
        (Method::GET, "/datasets/nope/resolve/main/file.txt"),
        (Method::GET, "/spaces/nope/resolve/main/file.txt"),
        (Method::GET, "/api/models/nope/commits/main"),
        (Method::GET, "/api/models/nope/refs"),
        (Method::GET, "/api/models/nope/tree/main"),
        (Method::GET, "/api/models/nope/tree/main/sub"),
        (Method::POST, "/api/models/nope/paths-info/main"),
        (Method::POST, "/api/models/nope/preupload/main"),
        (Method::POST, "/api/models/nope/commit/main"),
        (Method::DELETE, "/api/models/nope/like"),
        (Method::GET, "/api/models/nope/discussions"),
        (Method::PUT, "/api/models/nope/settings"),
        (Method::GET, "/api/spaces/nope/runtime"),
    ] {
        let r = http
            .send(method.clone(), path, Some(ALICE), &[], Vec::new())
            .await;
        assert_eq!(r.status, 404, "{method} {path}: {}", r.text());
        assert_eq!(code(&r).as_deref(), Some("RepoNotFound"), "{method} {path}");
    }
}

#[tokio::test]
async fn two_segment_ids_keep_their_routes() {
    let (hub, http) = hub().await;
    // A repo whose name is a route keyword stays reachable where no keyword follows its namespace.
    let repo = http
        .create_repo(&hub, ALICE, "model", "alice/refs", false)
        .await;
    commit_files(&repo, "main", &[("f.txt", b"f")]).await;
    let r = http.get("/api/models/alice/refs", Some(ALICE)).await;
    // Read as the refs of a canonical repo `alice`, which does not exist.
    assert_eq!(code(&r).as_deref(), Some("RepoNotFound"));
    let r = http
        .get("/api/models/alice/refs/revision/main", Some(ALICE))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["id"], "alice/refs");
    assert_eq!(
        http.get("/alice/refs/resolve/main/f.txt", None)
            .await
            .text(),
        "f"
    );
    let r = http.get("/api/models/alice/refs/refs", None).await;
    assert_eq!(r.status, 200, "{}", r.text());

    // Where both readings match a route, the two-segment one wins: `alice/tree` at `main`, not the
    // canonical `alice` at the revision `tree`.
    let repo = http
        .create_repo(&hub, ALICE, "model", "alice/tree", false)
        .await;
    commit_files(&repo, "main", &[("sub/x.txt", b"x")]).await;
    for path in [
        "/api/models/alice/tree/tree/main",
        "/api/models/alice/tree/tree/main/sub",
        "/api/models/alice/tree/commits/main",
        "/api/models/alice/tree/revision/main",
        "/alice/tree/resolve/main/sub/x.txt",
    ] {
        let r = http.get(path, Some(ALICE)).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text());
    }
    // The internal prefix of the one-segment forms is no route of its own.
    let r = http
        .get("/.one-segment-id/api/models/alice/tree/main", None)
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(code(&r), None);
}

#[tokio::test]
async fn one_segment_routes_see_the_sent_uri() {
    let (hub, http) = hub().await;
    let gpt2 = hub.seed().model("gpt2");
    gpt2.create(false).await.unwrap();
    let names: Vec<String> = (0..60).map(|i| format!("f{i:02}.txt")).collect();
    let files: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
    commit_files(&gpt2, "main", &files).await;
    // Pagination links are built from the request's URI: the one the client sent.
    let r = http
        .get("/api/models/gpt2/tree/main?expand=true", None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let link = r.header("link").unwrap();
    assert!(link.contains("/api/models/gpt2/tree/main?"), "{link}");
    assert!(!link.contains("one-segment"), "{link}");
    // And a path that matches no route either way says so with the path as sent.
    let r = http.get("/api/models/gpt2/nothing/here/at/all", None).await;
    assert_eq!(r.status, 404);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("GET /api/models/gpt2/nothing/here/at/all"),
        "{}",
        r.text()
    );
}

#[tokio::test]
async fn repo_ids_are_case_insensitive() {
    let (hub, http) = hub().await;
    let repo = http
        .create_repo(&hub, ALICE, "model", "alice/MyRepo", false)
        .await;
    commit_files(&repo, "main", &[("f.txt", b"f")]).await;
    for id in ["alice/MyRepo", "alice/myrepo", "ALICE/MYREPO"] {
        let r = http.get(&format!("/api/models/{id}"), None).await;
        assert_eq!(r.status, 200, "{id}: {}", r.text());
        assert_eq!(r.json()["id"], "alice/MyRepo", "{id}");
        let r = http.get(&format!("/{id}/resolve/main/f.txt"), None).await;
        assert_eq!(r.text(), "f", "{id}");
    }
    let r = http.get("/api/models?author=alice", None).await;
    assert_eq!(r.json()[0]["id"], "alice/MyRepo");

    // Another spelling of an existing id is a conflict.
    let r = http
        .json(
            Method::POST,
            "/api/repos/create",
            Some(ALICE),
            json!({"name": "MYREPO", "organization": "alice"}),
        )
        .await;
    assert_eq!(r.status, 409, "{}", r.text());
    // The owner writes through any spelling.
    let r = http
        .json(
            Method::POST,
            "/api/models/alice/myrepo/branch/dev",
            Some(ALICE),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());

    // A move that changes only the case renames, and the new spelling is returned.
    let r = http
        .json(
            Method::POST,
            "/api/repos/move",
            Some(ALICE),
            json!({"fromRepo": "alice/myrepo", "toRepo": "alice/MYREPO", "type": "model"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        http.get("/api/models/alice/myrepo", None).await.json()["id"],
        "alice/MYREPO"
    );
    // A moved repo redirects from any spelling of its old id.
    let r = http
        .json(
            Method::POST,
            "/api/repos/move",
            Some(ALICE),
            json!({"fromRepo": "alice/MYREPO", "toRepo": "alice/Other", "type": "model"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = http
        .get("/api/models/Alice/MyRepo/revision/main", None)
        .await;
    assert_eq!(r.status, 307, "{}", r.text());
    assert_eq!(
        r.header("location").as_deref(),
        Some("/api/models/alice/Other/revision/main")
    );
}

#[tokio::test]
async fn the_builder_seeds_canonical_repos() {
    let hub = builder()
        .canonical_repo(hf_types::RepoType::Model, "gpt2")
        .canonical_repo(hf_types::RepoType::Dataset, "squad")
        .start()
        .await
        .unwrap();
    let http = Http::new(hub.endpoint());
    assert_eq!(
        http.get("/api/models/gpt2", None).await.json()["id"],
        "gpt2"
    );
    assert_eq!(http.get("/api/datasets/squad", None).await.status, 200);
    assert_eq!(http.get("/api/models/squad", None).await.status, 401);
    assert!(
        builder()
            .canonical_repo(hf_types::RepoType::Model, "a/b")
            .start()
            .await
            .is_err()
    );
}
