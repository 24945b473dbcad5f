//! Preupload, NDJSON commits and validate-yaml over HTTP (protocol §6.2, §6.5, §6.6).
#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns panic on purpose

mod common;

use base64::Engine as _;
use common::*;
use http::Method;
use serde_json::{Value, json};

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

fn git_sha1(data: &[u8]) -> String {
    use sha1::Digest;
    let mut h = sha1::Sha1::new();
    h.update(format!("blob {}\0", data.len()).as_bytes());
    h.update(data);
    hex::encode(h.finalize())
}

/// An NDJSON commit body: a header then one line per operation.
fn ndjson(header: Value, ops: &[Value]) -> String {
    let mut out = json!({"key": "header", "value": header}).to_string();
    out.push('\n');
    for op in ops {
        out.push_str(&op.to_string());
        out.push('\n');
    }
    out
}

fn file_op(path: &str, content: &[u8]) -> Value {
    json!({"key": "file", "value": {"path": path, "content": b64(content), "encoding": "base64"}})
}

async fn commit(http: &Http, token: &str, path: &str, body: String) -> Resp {
    http.send(
        Method::POST,
        path,
        Some(token),
        &[("content-type", "application/x-ndjson")],
        body,
    )
    .await
}

#[tokio::test]
async fn preupload_modes_ignores_and_oids() {
    let (hub, http) = hub().await;
    let repo = http
        .create_repo(&hub, ALICE, "model", "alice/pre", false)
        .await;
    let lfs_sha = put_lfs(&hub, b"weights!".to_vec()).await;
    let head_commit = repo
        .commit("main")
        .file(".gitignore", &b"*.log\nbuild/\n"[..])
        .file("existing.txt", &b"old text"[..])
        .lfs_pointer("weights.bin", &lfs_sha, Some(8))
        .push()
        .await
        .unwrap();
    let files = json!([
        {"path": "lfs_file.bin", "sample": b64(b"hello world"), "size": 11},
        {"path": "big.txt", "sample": b64(b"hello"), "size": 10_000_000},
        {"path": "almost.txt", "sample": b64(b"hello"), "size": 9_999_999},
        {"path": "small.txt", "sample": b64(b"hello"), "size": 5},
        {"path": "blob.dat", "sample": b64(b"\0\x01\x02\x03"), "size": 4},
        {"path": "latin1.txt", "sample": b64(b"caf\xe9"), "size": 4},
        {"path": "logs/run.log", "sample": b64(b"x"), "size": 1},
        {"path": "build/out.txt", "sample": b64(b"x"), "size": 1},
        {"path": "existing.txt", "sample": b64(b"new"), "size": 3},
        {"path": "weights.bin", "sample": b64(b"weights!"), "size": 8},
        {"path": "saved_model/variables/v.data", "sample": b64(b"x"), "size": 1},
    ]);
    let r = http
        .json(
            Method::POST,
            "/api/models/alice/pre/preupload/main",
            Some(ALICE),
            json!({"files": files}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let j = r.json();
    assert_eq!(j["commitOid"], head_commit);
    let by_path = |p: &str| -> Value {
        j["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == p)
            .unwrap()
            .clone()
    };
    for (path, mode) in [
        ("lfs_file.bin", "lfs"),
        ("big.txt", "lfs"),
        ("almost.txt", "regular"),
        ("small.txt", "regular"),
        ("blob.dat", "lfs"),
        ("latin1.txt", "lfs"),
        ("saved_model/variables/v.data", "lfs"),
    ] {
        assert_eq!(by_path(path)["uploadMode"], mode, "{path}");
    }
    assert_eq!(by_path("logs/run.log")["shouldIgnore"], true);
    assert_eq!(by_path("build/out.txt")["shouldIgnore"], true);
    assert_eq!(by_path("small.txt")["shouldIgnore"], false);
    assert_eq!(by_path("existing.txt")["oid"], git_sha1(b"old text"));
    assert_eq!(by_path("weights.bin")["oid"], lfs_sha);
    assert!(by_path("small.txt").get("oid").is_none());
    // Every file answers shouldIgnore (the client requires it), in request order.
    assert_eq!(j["files"].as_array().unwrap().len(), 11);
    assert_eq!(j["files"][0]["path"], "lfs_file.bin");

    // The request's gitIgnore wins over the repo's .gitignore.
    let r = http
        .json(
            Method::POST,
            "/api/models/alice/pre/preupload/main",
            Some(ALICE),
            json!({"files": [{"path": "small.txt", "sample": b64(b"hi"), "size": 2},
                             {"path": "run.log", "sample": b64(b"hi"), "size": 2}],
                   "gitIgnore": "*.txt\n"}),
        )
        .await;
    let j = r.json();
    assert_eq!(j["files"][0]["shouldIgnore"], true);
    assert_eq!(j["files"][1]["shouldIgnore"], false);
}

#[tokio::test]
async fn preupload_access_and_errors() {
    let (hub, http) = hub().await;
    http.create_repo(&hub, ALICE, "dataset", "alice/ds", false)
        .await;
    let body = json!({"files": [{"path": "a.png", "sample": b64(b"x"), "size": 1}]});
    let url = "/api/datasets/alice/ds/preupload/main";
    let r = http
        .json(Method::POST, url, Some(ALICE), body.clone())
        .await;
    assert_eq!(r.status, 200);
    // Dataset repos track images through LFS.
    assert_eq!(r.json()["files"][0]["uploadMode"], "lfs");
    assert_eq!(
        http.json(Method::POST, url, Some(ALICE_RO), body.clone())
            .await
            .status,
        403
    );
    assert_eq!(
        http.json(Method::POST, url, Some(BOB), body.clone())
            .await
            .status,
        403
    );
    let pr_url = format!("{url}?create_pr=1");
    assert_eq!(
        http.json(Method::POST, &pr_url, Some(BOB), body.clone())
            .await
            .status,
        200
    );
    let r = http
        .json(
            Method::POST,
            "/api/datasets/alice/ds/preupload/nope",
            Some(ALICE),
            body.clone(),
        )
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(
        r.header("x-error-code").as_deref(),
        Some("RevisionNotFound")
    );
    let r = http
        .json(
            Method::POST,
            "/api/datasets/alice/missing/preupload/main",
            Some(ALICE),
            body,
        )
        .await;
    assert_eq!(r.header("x-error-code").as_deref(), Some("RepoNotFound"));
    let bad = json!({"files": [{"path": "../x", "sample": "", "size": 1}]});
    assert_eq!(
        http.json(Method::POST, url, Some(ALICE), bad).await.status,
        400
    );
    let bad = json!({"files": [{"path": "x", "sample": "!!", "size": 1}]});
    assert_eq!(
        http.json(Method::POST, url, Some(ALICE), bad).await.status,
        400
    );
}

#[tokio::test]
async fn commit_every_operation_kind() {
    let (hub, http) = hub().await;
    let repo = http
        .create_repo(&hub, ALICE, "model", "alice/ops", false)
        .await;
    commit_files(
        &repo,
        "main",
        &[
            ("old.txt", b"old"),
            ("ckpt/a.txt", b"a"),
            ("ckpt/b/c.txt", b"c"),
        ],
    )
    .await;
    let sha = repo.lfs_object(b"0123456789".to_vec()).await.unwrap();
    let body = ndjson(
        json!({"summary": "Add everything", "description": "with details"}),
        &[
            file_op("app.py", b"print('hi')\n"),
            json!({"key": "file", "value": {"path": "notes/readme.txt", "content": "héllo", "encoding": "utf-8"}}),
            json!({"key": "lfsFile", "value": {"path": "model.bin", "algo": "sha256", "oid": sha, "size": 10}}),
            json!({"key": "lfsFile", "value": {"path": "copy.weird", "algo": "sha256", "oid": sha}}),
            json!({"key": "deletedFile", "value": {"path": "old.txt"}}),
            json!({"key": "deletedFolder", "value": {"path": "ckpt/"}}),
        ],
    );
    let r = commit(&http, ALICE, "/api/models/alice/ops/commit/main", body).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let j = r.json();
    let oid = j["commitOid"].as_str().unwrap().to_owned();
    assert_eq!(j["success"], true);
    assert_eq!(j["hookOutput"], "");
    assert_eq!(
        j["commitUrl"],
        format!("{}/alice/ops/commit/{oid}", http.base)
    );
    assert!(j.get("pullRequestUrl").is_none());
    assert_eq!(head(&repo, "main").await, oid);

    let seed = hub.seed();
    let record = seed.commit_info(&oid).await.unwrap().unwrap();
    assert_eq!(record.title, "Add everything");
    assert_eq!(record.message, "with details");
    assert_eq!(record.author, "alice");
    assert_eq!(
        seed.read_file(&oid, "app.py").await.unwrap().unwrap(),
        &b"print('hi')\n"[..]
    );
    assert_eq!(
        seed.read_file(&oid, "notes/readme.txt")
            .await
            .unwrap()
            .unwrap(),
        "héllo".as_bytes()
    );
    for path in ["model.bin", "copy.weird"] {
        let e = seed.path_info(&oid, path).await.unwrap().unwrap();
        assert_eq!(e.lfs_sha256.unwrap(), sha, "{path}");
        assert_eq!(e.size, 10);
    }
    assert!(seed.path_info(&oid, "old.txt").await.unwrap().is_none());
    assert!(seed.path_info(&oid, "ckpt").await.unwrap().is_none());
    // `copy.weird` matches no default rule: a rule was added; `model.bin` needed none.
    let attrs = seed
        .read_file(&oid, ".gitattributes")
        .await
        .unwrap()
        .unwrap();
    let attrs = String::from_utf8(attrs).unwrap();
    assert!(
        attrs.contains("/copy.weird filter=lfs diff=lfs merge=lfs -text\n"),
        "{attrs}"
    );
    assert!(!attrs.contains("model.bin"));
    assert!(attrs.starts_with("*.7z filter=lfs"));

    // Preupload now reports the existing oids.
    let r = http
        .json(
            Method::POST,
            "/api/models/alice/ops/preupload/main",
            Some(ALICE),
            json!({"files": [{"path": "copy.weird", "sample": "", "size": 10}]}),
        )
        .await;
    assert_eq!(r.json()["files"][0]["oid"], sha);
    assert_eq!(r.json()["files"][0]["uploadMode"], "lfs");
}

#[tokio::test]
async fn commit_urls_of_datasets_and_spaces() {
    let (hub, http) = hub().await;
    for (ty, seg, prefix) in [
        ("dataset", "datasets", "datasets/"),
        ("space", "spaces", "spaces/"),
    ] {
        http.create_repo(&hub, ALICE, ty, "acme/thing", false).await;
        let body = ndjson(json!({"summary": "s"}), &[file_op("a.txt", b"a")]);
        let r = commit(
            &http,
            ALICE,
            &format!("/api/{seg}/acme/thing/commit/main"),
            body,
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let oid = r.json()["commitOid"].as_str().unwrap().to_owned();
        assert_eq!(
            r.json()["commitUrl"],
            format!("{}/{prefix}acme/thing/commit/{oid}", http.base)
        );
    }
}

#[tokio::test]
async fn parent_commit_check() {
    let (hub, http) = hub().await;
    let repo = http
        .create_repo(&hub, ALICE, "model", "alice/par", false)
        .await;
    let first = head(&repo, "main").await;
    let second = commit_files(&repo, "main", &[("x", b"x")]).await;
    let url = "/api/models/alice/par/commit/main";
    let stale = ndjson(
        json!({"summary": "s", "parentCommit": first}),
        &[file_op("y", b"y")],
    );
    let r = commit(&http, ALICE, url, stale).await;
    assert_eq!(r.status, 412, "{}", r.text());
    assert_eq!(head(&repo, "main").await, second);
    let unknown = ndjson(
        json!({"summary": "s", "parentCommit": "0000000"}),
        &[file_op("y", b"y")],
    );
    assert_eq!(commit(&http, ALICE, url, unknown).await.status, 412);
    let bad = ndjson(
        json!({"summary": "s", "parentCommit": "xyz"}),
        &[file_op("y", b"y")],
    );
    assert_eq!(commit(&http, ALICE, url, bad).await.status, 400);
    let short = ndjson(
        json!({"summary": "s", "parentCommit": &second[..7]}),
        &[file_op("y", b"y")],
    );
    let r = commit(&http, ALICE, url, short).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let full = ndjson(
        json!({"summary": "s", "parentCommit": r.json()["commitOid"]}),
        &[file_op("z", b"z")],
    );
    assert_eq!(commit(&http, ALICE, url, full).await.status, 200);
}

#[tokio::test]
async fn lfs_objects_must_exist_with_their_size() {
    let (hub, http) = hub().await;
    let repo = http
        .create_repo(&hub, ALICE, "model", "alice/lfs", false)
        .await;
    let before = head(&repo, "main").await;
    let url = "/api/models/alice/lfs/commit/main";
    let ghost = "a".repeat(64);
    let body = ndjson(
        json!({"summary": "s"}),
        &[
            json!({"key": "lfsFile", "value": {"path": "m.bin", "algo": "sha256", "oid": ghost, "size": 3}}),
        ],
    );
    let r = commit(&http, ALICE, url, body).await;
    assert_eq!(r.status, 400);
    assert!(r.text().contains(&ghost), "{}", r.text());
    let sha = repo.lfs_object(b"abc".to_vec()).await.unwrap();
    let body = ndjson(
        json!({"summary": "s"}),
        &[
            json!({"key": "lfsFile", "value": {"path": "m.bin", "algo": "sha256", "oid": sha, "size": 4}}),
        ],
    );
    assert_eq!(commit(&http, ALICE, url, body).await.status, 400);
    let body = ndjson(
        json!({"summary": "s"}),
        &[
            json!({"key": "lfsFile", "value": {"path": "m.bin", "algo": "sha256", "oid": "nothex", "size": 4}}),
        ],
    );
    assert_eq!(commit(&http, ALICE, url, body).await.status, 400);
    assert_eq!(head(&repo, "main").await, before);
}

#[tokio::test]
async fn create_pr_then_commit_to_the_pr() {
    let (hub, http) = hub().await;
    let repo = http
        .create_repo(&hub, ALICE, "model", "alice/prs", false)
        .await;
    let main_before = head(&repo, "main").await;
    let body = ndjson(
        json!({"summary": "Propose", "description": "please"}),
        &[file_op("p.txt", b"p")],
    );
    // Bob does not own the repo but may open a pull request on it.
    let r = commit(
        &http,
        BOB,
        "/api/models/alice/prs/commit/main?create_pr=1",
        body.clone(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let j = r.json();
    let pr_url = j["pullRequestUrl"].as_str().unwrap().to_owned();
    assert!(
        pr_url.starts_with(&format!("{}/alice/prs/discussions/", http.base)),
        "{pr_url}"
    );
    let num: u64 = pr_url.rsplit('/').next().unwrap().parse().unwrap();
    let pr_ref = format!("refs/pr/{num}");
    assert_eq!(head(&repo, &pr_ref).await, j["commitOid"].as_str().unwrap());
    assert_eq!(head(&repo, "main").await, main_before);
    let prs = repo.pull_requests().await.unwrap();
    assert_eq!(prs.iter().find(|p| p.0 == num).unwrap().1, "Propose");

    // A second PR gets the next number.
    let r = commit(
        &http,
        ALICE,
        "/api/models/alice/prs/commit/main?create_pr=True",
        body.clone(),
    )
    .await;
    let second: u64 = r.json()["pullRequestUrl"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(second, num + 1);

    // Commit onto the first PR's ref (encoded revision).
    let url = format!("/api/models/alice/prs/commit/refs%2Fpr%2F{num}");
    let r = commit(
        &http,
        ALICE,
        &url,
        ndjson(json!({"summary": "more"}), &[file_op("q.txt", b"q")]),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        head(&repo, &pr_ref).await,
        r.json()["commitOid"].as_str().unwrap()
    );
    assert!(r.json().get("pullRequestUrl").is_none());
    // Bob cannot push to the branch directly, nor can a read token open a PR.
    assert_eq!(
        commit(
            &http,
            BOB,
            "/api/models/alice/prs/commit/main",
            body.clone()
        )
        .await
        .status,
        403
    );
    assert_eq!(
        commit(
            &http,
            ALICE_RO,
            "/api/models/alice/prs/commit/main?create_pr=1",
            body.clone()
        )
        .await
        .status,
        403
    );
    let r = commit(
        &http,
        ALICE,
        "/api/models/alice/prs/commit/refs%2Fpr%2F99",
        body,
    )
    .await;
    assert_eq!(
        r.header("x-error-code").as_deref(),
        Some("RevisionNotFound")
    );
}

#[tokio::test]
async fn create_pr_based_on_parent_commit() {
    let (hub, http) = hub().await;
    let repo = http
        .create_repo(&hub, ALICE, "model", "alice/base", false)
        .await;
    let first = head(&repo, "main").await;
    commit_files(&repo, "main", &[("later.txt", b"l")]).await;
    let body = ndjson(
        json!({"summary": "old base", "parentCommit": first}),
        &[file_op("p.txt", b"p")],
    );
    let r = commit(
        &http,
        ALICE,
        "/api/models/alice/base/commit/main?create_pr=1",
        body,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let oid = r.json()["commitOid"].as_str().unwrap().to_owned();
    let record = hub.seed().commit_info(&oid).await.unwrap().unwrap();
    assert_eq!(record.parents, vec![first]);
}

#[tokio::test]
async fn only_branches_and_pr_refs_accept_commits() {
    let (hub, http) = hub().await;
    let repo = http
        .create_repo(&hub, ALICE, "model", "alice/tags", false)
        .await;
    let c = head(&repo, "main").await;
    repo.create_tag("v1", &c).await.unwrap();
    repo.create_branch("dev", &c).await.unwrap();
    let body = ndjson(json!({"summary": "s"}), &[file_op("a", b"a")]);
    let r = commit(
        &http,
        ALICE,
        "/api/models/alice/tags/commit/v1",
        body.clone(),
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.text());
    let r = commit(
        &http,
        ALICE,
        &format!("/api/models/alice/tags/commit/{c}"),
        body.clone(),
    )
    .await;
    assert_eq!(r.status, 400);
    let r = commit(
        &http,
        ALICE,
        "/api/models/alice/tags/commit/nope",
        body.clone(),
    )
    .await;
    assert_eq!(r.status, 404);
    assert_eq!(
        r.header("x-error-code").as_deref(),
        Some("RevisionNotFound")
    );
    let r = commit(&http, ALICE, "/api/models/alice/tags/commit/dev", body).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        head(&repo, "dev").await,
        r.json()["commitOid"].as_str().unwrap()
    );
    assert_eq!(head(&repo, "v1").await, c);
}

#[tokio::test]
async fn delete_of_a_missing_file() {
    let (hub, http) = hub().await;
    http.create_repo(&hub, ALICE, "model", "alice/del", false)
        .await;
    let body = ndjson(
        json!({"summary": "s"}),
        &[json!({"key": "deletedFile", "value": {"path": "ghost.txt"}})],
    );
    let r = commit(&http, ALICE, "/api/models/alice/del/commit/main", body).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.header("x-error-code").as_deref(), Some("EntryNotFound"));
    assert!(
        r.text().contains("A file with this name doesn't exist"),
        "{}",
        r.text()
    );
    let body = ndjson(
        json!({"summary": "s"}),
        &[json!({"key": "deletedFolder", "value": {"path": "nodir/"}})],
    );
    let r = commit(&http, ALICE, "/api/models/alice/del/commit/main", body).await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn traversal_and_malformed_commits_are_refused() {
    let (hub, http) = hub().await;
    let repo = http
        .create_repo(&hub, ALICE, "model", "alice/safe", false)
        .await;
    let before = head(&repo, "main").await;
    let url = "/api/models/alice/safe/commit/main";
    for path in [
        "../evil",
        "a/../../b",
        "/etc/passwd",
        "a\u{0}b",
        ".git/config",
        "x/.git/hooks",
        "a//b",
        "",
    ] {
        let r = commit(
            &http,
            ALICE,
            url,
            ndjson(json!({"summary": "s"}), &[file_op(path, b"x")]),
        )
        .await;
        assert_eq!(r.status, 400, "{path:?}: {}", r.text());
        let r = commit(
            &http,
            ALICE,
            url,
            ndjson(
                json!({"summary": "s"}),
                &[json!({"key": "deletedFolder", "value": {"path": path}})],
            ),
        )
        .await;
        assert_eq!(r.status, 400, "{path:?}");
    }
    for body in [
        String::new(),
        "not json\n".to_owned(),
        ndjson(json!({"summary": ""}), &[file_op("a", b"a")]),
        ndjson(json!({"summary": "   "}), &[file_op("a", b"a")]),
        format!("{}\n", file_op("a", b"a")),
        ndjson(
            json!({"summary": "s"}),
            &[json!({"key": "header", "value": {"summary": "again"}})],
        ),
        ndjson(
            json!({"summary": "s"}),
            &[json!({"key": "mystery", "value": {}})],
        ),
        ndjson(
            json!({"summary": "s"}),
            &[json!({"key": "file", "value": {"path": "a", "content": "@@"}})],
        ),
    ] {
        let r = commit(&http, ALICE, url, body.clone()).await;
        assert_eq!(r.status, 400, "{body:?}: {}", r.text());
    }
    assert_eq!(head(&repo, "main").await, before);
    // Anonymous and read-only callers.
    let body = ndjson(json!({"summary": "s"}), &[file_op("a", b"a")]);
    let r = http.send(Method::POST, url, None, &[], body.clone()).await;
    assert_eq!(r.status, 401);
    assert_eq!(commit(&http, ALICE_RO, url, body).await.status, 403);
}

#[tokio::test]
async fn validate_yaml_always_answers_json() {
    let (_hub, http) = hub().await;
    let ok = http
        .json(
            Method::POST,
            "/api/validate-yaml",
            Some(ALICE),
            json!({"content": "---\nlicense: mit\ntags:\n- a\n---\n# Model", "repoType": "model"}),
        )
        .await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.json(), json!({"errors": [], "warnings": []}));
    let bad = http
        .json(
            Method::POST,
            "/api/validate-yaml",
            None,
            json!({"content": "---\nlicense mit\n---\n", "repoType": "model"}),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("line 2")
    );
    let garbage = http
        .send(Method::POST, "/api/validate-yaml", None, &[], "nope")
        .await;
    assert_eq!(garbage.status, 400);
    assert!(garbage.json()["errors"].is_array());
}

/// A preupload whose `gitIgnore` holds a long wildcard rule and whose path is long cannot make
/// the hub allocate a rule × path table or spin on a worker: it is answered at once (the rules
/// are too costly: 400), and the hub still serves the next request. (Before the step budget the
/// matcher allocated a 5 G-entry table for this request and the process aborted.)
#[tokio::test]
async fn hostile_ignore_rules_cost_bounded_time_and_memory() {
    let (hub, http) = hub().await;
    http.create_repo(&hub, ALICE, "model", "alice/pub", false)
        .await;
    let rule = "*a".repeat(2_000) + "b";
    // As long as paths may be (issue 16 item 8: 1024 bytes, 255 per name).
    let path = vec!["a".repeat(255); 4].join("/");
    let body = json!({
        "files": [{"path": path, "sample": b64(b"x"), "size": 1}],
        "gitIgnore": rule,
    });
    let started = std::time::Instant::now();
    let r = http
        .json(
            Method::POST,
            "/api/models/alice/pub/preupload/main?create_pr=1",
            Some(BOB),
            body,
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains("too costly"), "{}", r.text());
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "bounded work: {:?}",
        started.elapsed()
    );
    assert_eq!(http.get("/api/models/alice/pub", None).await.status, 200);
}

/// Issue 16 item 8: a path over the limits is refused with a Hub error before any other work, in
/// preupload (even with costly ignore rules) and in commits; a path at the limit commits and reads back.
#[tokio::test]
async fn long_and_deep_paths_are_refused_and_a_path_at_the_limit_works() {
    let (hub, http) = hub().await;
    http.create_repo(&hub, ALICE, "model", "alice/paths", false)
        .await;
    let huge = vec!["a"; 50_000].join("/");
    let body = json!({
        "files": [{"path": huge, "sample": "", "size": 1}],
        "gitIgnore": format!("{}\n", "*a".repeat(2000)),
    });
    let r = http
        .json(
            Method::POST,
            "/api/models/alice/paths/preupload/main?create_pr=1",
            Some(BOB),
            body,
        )
        .await;
    assert_eq!(r.status, 400);
    let message = r.json()["error"].as_str().unwrap().to_owned();
    assert!(message.contains("allowed"), "{message}");
    let seg = "s".repeat(hf_local_hub::MAX_SEGMENT_BYTES);
    let mut at_limit = format!("{seg}/{seg}/{seg}/{}/", &seg[1..]);
    at_limit.push_str(&"f".repeat(hf_local_hub::MAX_PATH_BYTES - at_limit.len()));
    let url = "/api/models/alice/paths/commit/main";
    let header = json!({"summary": "long"});
    for bad in [
        format!("{at_limit}x"),
        vec!["d"; hf_local_hub::MAX_PATH_DEPTH + 1].join("/"),
        huge,
    ] {
        let r = commit(
            &http,
            ALICE,
            url,
            ndjson(header.clone(), &[file_op(&bad, b"x")]),
        )
        .await;
        assert_eq!(r.status, 400, "{}", bad.len());
        assert!(r.json()["error"].as_str().unwrap().contains("allowed"));
    }
    let r = commit(
        &http,
        ALICE,
        url,
        ndjson(header, &[file_op(&at_limit, b"at the limit")]),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = http
        .get(&format!("/alice/paths/resolve/main/{at_limit}"), None)
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "at the limit");
}

fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(data))
}

async fn lfs_call(http: &Http, token: &str, url: &str, body: Value) -> Resp {
    let lfs = "application/vnd.git-lfs+json";
    http.send(
        Method::POST,
        url,
        Some(token),
        &[("content-type", lfs), ("accept", lfs)],
        body.to_string(),
    )
    .await
}

/// Issue 16 item 3: bob knows the sha256 of alice's private file (it is public in a gated repo's
/// tree) but not the bytes. His repo's batch asks him to upload them, verify says absent, and a
/// commit naming the oid fails; once he uploads the bytes himself, it works.
#[tokio::test]
async fn lfs_objects_of_another_repo_cannot_be_borrowed() {
    let (hub, http) = hub().await;
    let secret: Vec<u8> = b"alice's private weights ".repeat(100);
    let size = secret.len();
    let oid = sha256_hex(&secret);
    for (id, private) in [("alice/secret", true), ("alice/gated", false)] {
        let alice = http.create_repo(&hub, ALICE, "model", id, private).await;
        if !private {
            alice.set_gated(Some("manual")).await.unwrap();
        }
        alice
            .commit("main")
            .lfs("w.bin", secret.clone())
            .push()
            .await
            .unwrap();
    }
    let bob = http
        .create_repo(&hub, BOB, "model", "bob/mine", false)
        .await;
    let before = head(&bob, "main").await;
    let r = lfs_call(
        &http,
        BOB,
        "/bob/mine.git/info/lfs/objects/batch",
        json!({"operation": "upload", "transfers": ["basic"], "objects": [{"oid": oid, "size": size}]}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let object = r.json()["objects"][0].clone();
    let href = object["actions"]["upload"]["href"]
        .as_str()
        .unwrap_or_else(|| panic!("an existing object of another repo is not offered: {object}"))
        .to_owned();
    let r = lfs_call(
        &http,
        BOB,
        "/bob/mine.git/info/lfs/objects/verify",
        json!({"oid": oid, "size": size}),
    )
    .await;
    assert_eq!(r.status, 404, "{}", r.text());
    let body = ndjson(
        json!({"summary": "borrow"}),
        &[
            json!({"key": "lfsFile", "value": {"path": "stolen.bin", "algo": "sha256", "oid": oid, "size": size}}),
        ],
    );
    let r = commit(&http, BOB, "/api/models/bob/mine/commit/main", body.clone()).await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains(&oid), "{}", r.text());
    assert_eq!(head(&bob, "main").await, before);
    assert_eq!(
        http.get("/bob/mine/resolve/main/stolen.bin", Some(BOB))
            .await
            .status,
        404
    );
    // A copy-style line (no size) is no way around it either.
    let copy = ndjson(
        json!({"summary": "borrow"}),
        &[json!({"key": "lfsFile", "value": {"path": "stolen.bin", "algo": "sha256", "oid": oid}})],
    );
    assert_eq!(
        commit(&http, BOB, "/api/models/bob/mine/commit/main", copy)
            .await
            .status,
        400
    );
    // Wrong bytes through the URL are refused; the real bytes make the object bob's too.
    let path = href.strip_prefix(&http.base).unwrap().to_owned();
    let r = http
        .send(Method::PUT, &path, None, &[], vec![b'x'; size])
        .await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(
        commit(&http, BOB, "/api/models/bob/mine/commit/main", body.clone())
            .await
            .status,
        400
    );
    let r = http
        .send(Method::PUT, &path, None, &[], secret.clone())
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = commit(&http, BOB, "/api/models/bob/mine/commit/main", body).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = http
        .get("/bob/mine/resolve/main/stolen.bin", Some(BOB))
        .await;
    assert_eq!(
        r.status, 302,
        "LFS downloads redirect to the signed CDN URL"
    );
}

/// A signed transfer URL names its repo: changing the scope breaks the signature.
#[tokio::test]
async fn transfer_urls_are_signed_for_their_repo() {
    let (hub, http) = hub().await;
    http.create_repo(&hub, BOB, "model", "bob/a", false).await;
    let data = b"some bytes".to_vec();
    let oid = sha256_hex(&data);
    let r = lfs_call(
        &http,
        BOB,
        "/bob/a.git/info/lfs/objects/batch",
        json!({"operation": "upload", "objects": [{"oid": oid, "size": data.len()}]}),
    )
    .await;
    let href = r.json()["objects"][0]["actions"]["upload"]["href"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = href.strip_prefix(&http.base).unwrap();
    assert!(path.contains("repo="), "{path}");
    let forged = path.replacen("repo=", "repo=9", 1);
    let r = http.send(Method::PUT, &forged, None, &[], data).await;
    assert_eq!(r.status, 403, "{}", r.text());
}

/// Issue 16 item 10: 16 concurrent commits, each adding an LFS file no rule tracks, keep all 16
/// `.gitattributes` rules (the file was read outside the commit transaction: most were lost).
#[tokio::test]
async fn concurrent_lfs_commits_keep_every_gitattributes_rule() {
    let (hub, http) = hub().await;
    let repo = http
        .create_repo(&hub, ALICE, "model", "alice/many", false)
        .await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let sha = repo
            .lfs_object(format!("object {i}").into_bytes())
            .await
            .unwrap();
        let http = http.clone();
        tasks.push(tokio::spawn(async move {
            let body = ndjson(
                json!({"summary": format!("add {i}")}),
                &[json!({"key": "lfsFile", "value": {"path": format!("d{i}/w{i}.weird"), "algo": "sha256", "oid": sha}})],
            );
            commit(&http, ALICE, "/api/models/alice/many/commit/main", body).await
        }));
    }
    for task in tasks {
        let r = task.await.unwrap();
        assert_eq!(r.status, 200, "{}", r.text());
    }
    let main = head(&repo, "main").await;
    let text = String::from_utf8(
        hub.seed()
            .read_file(&main, ".gitattributes")
            .await
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    for i in 0..16 {
        assert!(
            text.contains(&format!("/d{i}/w{i}.weird filter=lfs")),
            "rule {i} lost:\n{text}"
        );
    }
}

/// Issue 16 item 9: a commit has at most 100,000 operations (413 past it, nothing committed).
#[tokio::test]
async fn commit_operations_are_capped() {
    let (hub, http) = hub().await;
    let repo = http
        .create_repo(&hub, ALICE, "model", "alice/cap", false)
        .await;
    let before = head(&repo, "main").await;
    let mut body = json!({"key": "header", "value": {"summary": "many"}}).to_string();
    body.push('\n');
    for i in 0..100_001 {
        body.push_str(&format!(
            "{{\"key\":\"deletedFile\",\"value\":{{\"path\":\"f{i}\"}}}}\n"
        ));
    }
    let r = commit(&http, ALICE, "/api/models/alice/cap/commit/main", body).await;
    assert_eq!(r.status, 413, "{}", r.text());
    assert!(r.text().contains("100000 operations"), "{}", r.text());
    assert_eq!(head(&repo, "main").await, before);
}
