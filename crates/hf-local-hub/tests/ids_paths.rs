//! Paths as the Hub has them (issue 15 items 4 and 6): folders listed before files, backslashes as
//! ordinary characters (but no path starting with `..\`).
#![allow(clippy::unwrap_used)]

mod common;

use base64::Engine as _;
use common::*;
use http::Method;
use serde_json::{Value, json};

fn commit_body(paths: &[&str]) -> String {
    let mut out = json!({"key": "header", "value": {"summary": "s"}}).to_string();
    out.push('\n');
    for p in paths {
        let content = base64::engine::general_purpose::STANDARD.encode(p.as_bytes());
        out.push_str(
            &json!({"key": "file", "value": {"path": p, "content": content, "encoding": "base64"}})
                .to_string(),
        );
        out.push('\n');
    }
    out
}

async fn commit(http: &Http, url: &str, paths: &[&str]) -> Resp {
    http.send(
        Method::POST,
        url,
        Some(ALICE),
        &[("content-type", "application/x-ndjson")],
        commit_body(paths),
    )
    .await
}

fn listed(r: &Resp) -> Vec<(String, String)> {
    r.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap().to_owned(),
                e["path"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(t, p)| ((*t).to_owned(), (*p).to_owned()))
        .collect()
}

#[tokio::test]
async fn tree_lists_folders_before_files() {
    let (hub, http) = hub().await;
    let repo = http
        .create_repo(&hub, ALICE, "model", "alice/order", false)
        .await;
    commit_files(
        &repo,
        "main",
        &[
            ("a.txt", b"a"),
            ("b/x.txt", b"x"),
            ("b/c/y.txt", b"y"),
            ("z/w.txt", b"w"),
        ],
    )
    .await;
    let r = http.get("/api/models/alice/order/tree/main", None).await;
    assert_eq!(
        listed(&r),
        pairs(&[
            ("directory", "b"),
            ("directory", "z"),
            ("file", ".gitattributes"),
            ("file", "a.txt"),
        ])
    );
    let r = http.get("/api/models/alice/order/tree/main/b", None).await;
    assert_eq!(
        listed(&r),
        pairs(&[("directory", "b/c"), ("file", "b/x.txt")])
    );
    // Recursive: every folder first, then every file, each group in path order (gitaly's "trees first").
    let r = http
        .get("/api/models/alice/order/tree/main?recursive=true", None)
        .await;
    assert_eq!(
        listed(&r),
        pairs(&[
            ("directory", "b"),
            ("directory", "b/c"),
            ("directory", "z"),
            ("file", ".gitattributes"),
            ("file", "a.txt"),
            ("file", "b/c/y.txt"),
            ("file", "b/x.txt"),
            ("file", "z/w.txt"),
        ])
    );
}

#[tokio::test]
async fn backslashes_are_ordinary_characters() {
    let (hub, http) = hub().await;
    http.create_repo(&hub, ALICE, "model", "alice/bs", false)
        .await;
    let url = "/api/models/alice/bs/commit/main";
    let odd = "folder/..\\..\\..\\file";
    let r = commit(&http, url, &[odd, "a\\b.txt"]).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = http
        .get("/api/models/alice/bs/tree/main?recursive=true", None)
        .await;
    let paths: Vec<String> = listed(&r).into_iter().map(|(_, p)| p).collect();
    assert!(paths.contains(&odd.to_owned()), "{paths:?}");
    assert!(paths.contains(&"a\\b.txt".to_owned()), "{paths:?}");
    let r = http
        .get("/alice/bs/resolve/main/folder/..%5C..%5C..%5Cfile", None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text(), odd);
    let r = http
        .form(
            "/api/models/alice/bs/paths-info/main",
            None,
            "paths=a%5Cb.txt",
        )
        .await;
    assert_eq!(r.json()[0]["path"], "a\\b.txt");

    // A path starting with `..\` is a 422, in the preupload and in the commit.
    let r = commit(&http, url, &["..\\evil"]).await;
    assert_eq!(r.status, 422, "{}", r.text());
    let r = http
        .json(
            Method::POST,
            "/api/models/alice/bs/preupload/main",
            Some(ALICE),
            json!({"files": [{"path": "..\\evil", "size": 1, "sample": "eA=="}]}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text());
    let v: Value = r.json();
    assert!(v["error"].as_str().unwrap().contains("..\\"), "{v}");
}
