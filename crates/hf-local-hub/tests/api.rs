//! Repos, auth, settings, moves, listings, card data and error shapes over HTTP.
// Helpers outside #[test] functions panic on failure too.
#![allow(clippy::unwrap_used)]

mod common;

use bytes::Bytes;
use common::*;
use http::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn whoami_roles_and_bad_tokens() {
    let (_hub, http) = hub().await;
    let r = http.get("/api/whoami-v2", Some(ALICE)).await;
    assert_eq!(r.status, 200);
    let j = r.json();
    assert_eq!(j["name"], "alice");
    assert_eq!(j["type"], "user");
    assert_eq!(j["auth"]["accessToken"]["role"], "write");
    assert!(j["auth"]["accessToken"]["displayName"].is_string());
    assert_eq!(j["orgs"][0]["name"], "acme");
    assert!(r.header("x-request-id").is_some());

    let r = http.get("/api/whoami-v2", Some(ALICE_RO)).await;
    assert_eq!(r.json()["auth"]["accessToken"]["role"], "read");

    let r = http.get("/api/whoami-v2", Some("hf_nope")).await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.header("x-error-message").as_deref(),
        Some("Invalid credentials in Authorization header")
    );
    assert_eq!(http.get("/api/whoami-v2", None).await.status, 401);
}

#[tokio::test]
async fn create_info_conflict_delete() {
    let (hub, http) = hub().await;
    let repo = http
        .create_repo(&hub, ALICE, "model", "alice/m1", false)
        .await;
    assert_eq!(repo.id(), "alice/m1");

    // 409 with url.
    let r = http
        .json(
            Method::POST,
            "/api/repos/create",
            Some(ALICE),
            json!({"name": "m1", "organization": "alice"}),
        )
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["url"], format!("{}/alice/m1", http.base));

    // Organization "null" → caller's namespace.
    let r = http
        .json(
            Method::POST,
            "/api/repos/create",
            Some(ALICE),
            json!({"name": "m2", "organization": null, "type": "dataset"}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["url"], format!("{}/datasets/alice/m2", http.base));

    // Info: initial commit, .gitattributes, blobs.
    let r = http.get("/api/models/alice/m1?blobs=True", None).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let j = r.json();
    assert_eq!(j["id"], "alice/m1");
    assert_eq!(j["_id"].as_str().unwrap().len(), 24);
    assert_eq!(j["xetEnabled"], false);
    assert_eq!(j["private"], false);
    assert_eq!(j["gated"], false);
    assert!(j["createdAt"].as_str().unwrap().ends_with('Z'));
    assert_eq!(j["createdAt"].as_str().unwrap().len(), 24);
    assert_eq!(j["siblings"][0]["rfilename"], ".gitattributes");
    assert!(j["siblings"][0]["blobId"].as_str().unwrap().len() == 40);
    assert_eq!(j["sha"].as_str().unwrap().len(), 40);
    let commits = http
        .get("/api/models/alice/m1/commits/main", None)
        .await
        .json();
    assert_eq!(commits[0]["title"], "initial commit");
    // Issue 15: the initial commit is the creator's, as on the Hub.
    assert_eq!(commits[0]["authors"][0]["user"], "alice");
    let attrs = http
        .get("/alice/m1/resolve/main/.gitattributes", None)
        .await;
    assert!(
        attrs
            .text()
            .contains("*.bin filter=lfs diff=lfs merge=lfs -text")
    );

    // expand keeps only _id, id and the listed keys.
    let j = http
        .get("/api/models/alice/m1?expand=xetEnabled&expand=sha", None)
        .await
        .json();
    let keys: Vec<&String> = j.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 4, "{j}");
    assert!(j.get("siblings").is_none());
    // expand + blobs is refused.
    assert_eq!(
        http.get("/api/models/alice/m1?expand=sha&blobs=true", None)
            .await
            .status,
        400
    );
    // securityStatus.
    let j = http
        .get("/api/models/alice/m1?securityStatus=1", None)
        .await
        .json();
    assert_eq!(j["securityRepoStatus"]["scansDone"], true);

    // Bob cannot delete; Alice can; then the repo is gone.
    let del = json!({"name": "m1", "organization": "alice"});
    assert_eq!(
        http.json(Method::DELETE, "/api/repos/delete", Some(BOB), del.clone())
            .await
            .status,
        403
    );
    assert_eq!(
        http.json(
            Method::DELETE,
            "/api/repos/delete",
            Some(ALICE_RO),
            del.clone()
        )
        .await
        .status,
        403
    );
    let r = http
        .json(
            Method::DELETE,
            "/api/repos/delete",
            Some(ALICE),
            del.clone(),
        )
        .await;
    assert_eq!((r.status, r.text().as_str()), (200, "OK"));
    let r = http.get("/api/models/alice/m1", Some(ALICE)).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.header("x-error-code").as_deref(), Some("RepoNotFound"));
    let r = http
        .json(Method::DELETE, "/api/repos/delete", Some(ALICE), del)
        .await;
    assert_eq!(r.header("x-error-code").as_deref(), Some("RepoNotFound"));
}

#[tokio::test]
async fn namespaces_and_write_rules() {
    let (hub, http) = hub().await;
    // Org member may create in the org; Bob may not; read tokens may not; anonymous gets 401.
    http.create_repo(&hub, ALICE, "model", "acme/shared", false)
        .await;
    let body = json!({"name": "x", "organization": "acme"});
    assert_eq!(
        http.json(Method::POST, "/api/repos/create", Some(BOB), body.clone())
            .await
            .status,
        403
    );
    assert_eq!(
        http.json(
            Method::POST,
            "/api/repos/create",
            Some(ALICE_RO),
            body.clone()
        )
        .await
        .status,
        403
    );
    assert_eq!(
        http.json(Method::POST, "/api/repos/create", None, body)
            .await
            .status,
        401
    );
    // Invalid names.
    let r = http
        .json(
            Method::POST,
            "/api/repos/create",
            Some(ALICE),
            json!({"name": "bad..name"}),
        )
        .await;
    assert_eq!(r.status, 400);
    // Spaces need an SDK.
    let r = http
        .json(
            Method::POST,
            "/api/repos/create",
            Some(ALICE),
            json!({"name": "sp", "type": "space"}),
        )
        .await;
    assert_eq!(r.status, 400);
    http.create_repo(&hub, ALICE, "space", "alice/sp", false)
        .await;
    let j = http.get("/api/spaces/alice/sp", None).await.json();
    assert_eq!(j["sdk"], "gradio");
    // Branch creation by Bob in Alice's repo: 403.
    let r = http
        .json(
            Method::POST,
            "/api/models/acme/shared/branch/dev",
            Some(BOB),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 403);
    // Malformed JSON: 400, never a panic.
    let r = http
        .send(
            Method::POST,
            "/api/repos/create",
            Some(ALICE),
            &[],
            Bytes::from_static(b"{not json"),
        )
        .await;
    assert_eq!(r.status, 400);
    assert!(r.json()["error"].is_string());
}

#[tokio::test]
async fn private_repos_are_invisible() {
    let (hub, http) = hub().await;
    let repo = http
        .create_repo(&hub, ALICE, "dataset", "alice/secret", true)
        .await;
    commit_files(&repo, "main", &[("a.txt", b"hello")]).await;
    for path in [
        "/api/datasets/alice/secret",
        "/api/datasets/alice/secret/tree/main",
        "/api/datasets/alice/secret/refs",
        "/datasets/alice/secret/resolve/main/a.txt",
    ] {
        let anon = http.get(path, None).await;
        assert_eq!(anon.status, 401, "{path}");
        assert_eq!(
            anon.header("x-error-code").as_deref(),
            Some("RepoNotFound"),
            "{path}"
        );
        let bob = http.get(path, Some(BOB)).await;
        assert_eq!(bob.status, 404, "{path}");
        assert_eq!(bob.header("x-error-code").as_deref(), Some("RepoNotFound"));
        assert_eq!(http.get(path, Some(ALICE_RO)).await.status, 200, "{path}");
    }
    // Listings hide it from others.
    let l = http.get("/api/datasets", Some(BOB)).await.json();
    assert_eq!(l.as_array().unwrap().len(), 0);
    let l = http.get("/api/datasets", Some(ALICE)).await.json();
    assert_eq!(l.as_array().unwrap().len(), 1);
    // Settings: make public, gate it.
    let r = http
        .json(
            Method::PUT,
            "/api/datasets/alice/secret/settings",
            Some(ALICE),
            json!({"private": false, "gated": "manual"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let info = http.get("/api/datasets/alice/secret", None).await.json();
    assert_eq!(info["gated"], "manual");
    // Gated content: anonymous 401 GatedRepo, Bob 403 GatedRepo, owner fine; info stays readable.
    let r = http
        .get("/datasets/alice/secret/resolve/main/a.txt", None)
        .await;
    assert_eq!(
        (r.status, r.header("x-error-code").as_deref()),
        (401, Some("GatedRepo"))
    );
    let r = http
        .get("/api/datasets/alice/secret/auth-check", Some(BOB))
        .await;
    assert_eq!(
        (r.status, r.header("x-error-code").as_deref()),
        (403, Some("GatedRepo"))
    );
    assert_eq!(
        http.get("/api/datasets/alice/secret/auth-check", Some(ALICE))
            .await
            .status,
        200
    );
    let r = http
        .json(
            Method::PUT,
            "/api/datasets/alice/secret/settings",
            Some(ALICE),
            json!({"gated": "sometimes"}),
        )
        .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn move_redirects_old_name() {
    let (hub, http) = hub().await;
    let repo = http
        .create_repo(&hub, ALICE, "model", "alice/old", false)
        .await;
    commit_files(&repo, "main", &[("f.txt", b"x")]).await;
    let r = http
        .json(
            Method::POST,
            "/api/repos/move",
            Some(ALICE),
            json!({"fromRepo": "alice/old", "toRepo": "acme/new", "type": "model"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = http.get("/alice/old/resolve/main/f.txt?x=1", None).await;
    assert_eq!(r.status, 307);
    assert_eq!(
        r.header("location").as_deref(),
        Some("/acme/new/resolve/main/f.txt?x=1")
    );
    let r = http.get("/api/models/alice/old", None).await;
    assert_eq!(
        r.header("location").as_deref(),
        Some("/api/models/acme/new")
    );
    assert_eq!(
        http.get("/acme/new/resolve/main/f.txt", None).await.body,
        "x"
    );
    // Moving onto an existing repo: 409; Bob cannot move it.
    http.create_repo(&hub, ALICE, "model", "alice/other", false)
        .await;
    let r = http
        .json(
            Method::POST,
            "/api/repos/move",
            Some(ALICE),
            json!({"fromRepo": "alice/other", "toRepo": "acme/new", "type": "model"}),
        )
        .await;
    assert_eq!(r.status, 409);
    let r = http
        .json(
            Method::POST,
            "/api/repos/move",
            Some(BOB),
            json!({"fromRepo": "acme/new", "toRepo": "bob/new", "type": "model"}),
        )
        .await;
    assert_eq!(r.status, 403);
}

/// The old name of a moved private repo does not tell strangers where it went: only callers
/// who may read the new repo get the redirect.
#[tokio::test]
async fn a_moved_private_repo_redirects_only_those_who_can_read_it() {
    let (hub, http) = hub().await;
    http.create_repo(&hub, ALICE, "model", "alice/secret", true)
        .await;
    let r = http
        .json(
            Method::POST,
            "/api/repos/move",
            Some(ALICE),
            json!({"fromRepo": "alice/secret", "toRepo": "alice/hidden-name", "type": "model"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    for token in [None, Some(BOB)] {
        let r = http.get("/api/models/alice/secret", token).await;
        assert_ne!(r.status, 307, "{token:?}");
        assert!(r.header("location").is_none(), "{token:?}");
        assert!(!r.text().contains("hidden-name"), "{token:?}: {}", r.text());
    }
    let r = http.get("/api/models/alice/secret", Some(ALICE)).await;
    assert_eq!(r.status, 307);
    assert_eq!(
        r.header("location").as_deref(),
        Some("/api/models/alice/hidden-name")
    );
}

#[tokio::test]
async fn listings_search_sort_and_pagination() {
    let (hub, http) = hub().await;
    for i in 0..5 {
        http.create_repo(&hub, ALICE, "model", &format!("alice/model-{i}"), false)
            .await;
    }
    http.create_repo(&hub, BOB, "model", "bob/other", false)
        .await;
    let r = http
        .get(
            "/api/models?author=alice&limit=2&sort=createdAt&direction=1",
            None,
        )
        .await;
    let first = r.json();
    assert_eq!(first.as_array().unwrap().len(), 2);
    assert_eq!(first[0]["id"], "alice/model-0");
    let link = r.header("link").unwrap();
    assert!(
        link.starts_with(&format!("<{}/api/models?", http.base)),
        "{link}"
    );
    assert!(link.ends_with(">; rel=\"next\""));
    // Follow all pages.
    let mut ids = vec![];
    let mut url = format!(
        "{}/api/models?author=alice&limit=2&sort=createdAt&direction=1",
        http.base
    );
    loop {
        let r = http.get(&url, None).await;
        ids.extend(
            r.json()
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v["id"].as_str().unwrap().to_owned()),
        );
        match r.header("link") {
            Some(l) => {
                url = l
                    .trim_start_matches('<')
                    .split('>')
                    .next()
                    .unwrap()
                    .to_owned()
            }
            None => break,
        }
    }
    assert_eq!(
        ids,
        (0..5)
            .map(|i| format!("alice/model-{i}"))
            .collect::<Vec<_>>()
    );
    // Search, descending sort, full.
    let r = http.get("/api/models?search=MODEL-3", None).await.json();
    assert_eq!(r.as_array().unwrap().len(), 1);
    let r = http
        .get("/api/models?sort=createdAt&direction=-1&limit=1", None)
        .await
        .json();
    assert_eq!(r[0]["id"], "bob/other");
    let r = http
        .get("/api/models?search=model-1&full=True", None)
        .await
        .json();
    assert_eq!(r[0]["siblings"][0]["rfilename"], ".gitattributes");
    let r = http.get("/api/models?search=model-1", None).await.json();
    assert!(r[0].get("siblings").is_none());
    let r = http
        .get("/api/models?search=model-1&expand=sha", None)
        .await
        .json();
    assert_eq!(r[0].as_object().unwrap().len(), 3);
    assert_eq!(http.get("/api/models?full=maybe", None).await.status, 400);
    assert_eq!(
        http.get("/api/models?cursor=garbage", None).await.status,
        400
    );
}

#[tokio::test]
async fn unknown_routes_are_loud_and_bodies_bounded() {
    let (_hub, http) = hub().await;
    let r = http.get("/api/nothing/here", None).await;
    assert_eq!(r.status, 404);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("GET /api/nothing/here")
    );
    assert!(r.header("x-request-id").is_some());
    let r = http.get("/api/weird/alice/x", None).await;
    assert_eq!(r.status, 404);
    let big = vec![b' '; hf_local_hub::MAX_API_BODY + 10];
    let r = http
        .send(Method::POST, "/api/repos/create", Some(ALICE), &[], big)
        .await;
    assert_eq!(r.status, 413);
    // axum's own rejection answers like the Hub: JSON error, X-Error-Message, request id.
    assert!(r.header("x-error-message").is_some(), "{:?}", r.headers);
    assert!(r.json()["error"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(r.header("x-request-id").is_some());
    let v: Value = json!(null);
    let r = http
        .json(Method::POST, "/api/repos/create", Some(ALICE), v)
        .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn card_data_from_readme() {
    let (hub, http) = hub().await;
    let repo = http
        .create_repo(&hub, ALICE, "model", "alice/card", false)
        .await;
    commit_files(
        &repo,
        "main",
        &[(
            "README.md",
            b"---\nlicense: mit\npipeline_tag: text-generation\ntags:\n- demo\n---\n# Hi\n",
        )],
    )
    .await;
    let j = http.get("/api/models/alice/card", None).await.json();
    assert_eq!(j["cardData"]["license"], "mit");
    assert_eq!(j["pipeline_tag"], "text-generation");
    assert_eq!(j["tags"], json!(["demo", "license:mit"]));
    let l = http.get("/api/models?search=card", None).await.json();
    assert!(l[0].get("cardData").is_none());
    assert_eq!(l[0]["tags"], json!(["demo", "license:mit"]));
    let l = http
        .get("/api/models?search=card&cardData=True&filter=demo", None)
        .await
        .json();
    assert_eq!(l[0]["cardData"]["license"], "mit");
}
