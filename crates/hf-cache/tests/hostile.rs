//! A hostile server cannot make the client write outside the cache.
// Helpers outside #[test] functions may panic too: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use hf_cache::prelude::*;
use hf_cache::{CacheDir, Error, HubDownload, SnapshotDownload};
use hf_http::HubClient;

const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

async fn serve() -> SocketAddr {
    let app = Router::new()
        .route(
            "/api/models/evil/traversal/revision/{rev}",
            get(|| async {
                axum::Json(serde_json::json!({"id": "evil/traversal", "sha": SHA,
                    "siblings": [{"rfilename": "../../escape.txt", "size": 3, "blobId": SHA}]}))
            }),
        )
        .route(
            "/api/models/evil/badsha/revision/{rev}",
            get(|| async { axum::Json(serde_json::json!({"id": "evil/badsha", "sha": "../../x", "siblings": []})) }),
        )
        .route(
            "/api/models/evil/tree/tree/{rev}",
            get(|| async {
                axum::Json(serde_json::json!([{"type": "file", "path": "a/../../../escape", "oid": SHA, "size": 3}]))
            }),
        )
        .route(
            "/evil/etag/resolve/{rev}/{*path}",
            get(hostile_head).head(hostile_head),
        )
        .route(
            "/evil/commit/resolve/{rev}/{*path}",
            get(hostile_commit).head(hostile_commit),
        )
        .route(
            "/odd/upper/resolve/{rev}/{*path}",
            get(upper_hex_etag).head(upper_hex_etag),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

async fn hostile_head() -> impl IntoResponse {
    let mut h = HeaderMap::new();
    h.insert("x-repo-commit", SHA.parse().unwrap());
    h.insert("etag", "\"../../../escape\"".parse().unwrap());
    h.insert("content-length", "3".parse().unwrap());
    (StatusCode::OK, h, "abc")
}

/// The right bytes, announced with an upper-case hex SHA-256 ETag.
async fn upper_hex_etag() -> impl IntoResponse {
    use sha2::Digest;
    let etag = hex::encode(sha2::Sha256::digest(b"abc")).to_ascii_uppercase();
    let mut h = HeaderMap::new();
    h.insert("x-repo-commit", SHA.parse().unwrap());
    h.insert("etag", format!("\"{etag}\"").parse().unwrap());
    h.insert("content-length", "3".parse().unwrap());
    (StatusCode::OK, h, "abc")
}

async fn hostile_commit() -> impl IntoResponse {
    let mut h = HeaderMap::new();
    h.insert("x-repo-commit", "../../../escape".parse().unwrap());
    h.insert("etag", format!("\"{SHA}\"").parse().unwrap());
    h.insert("content-length", "3".parse().unwrap());
    (StatusCode::OK, h, "abc")
}

#[tokio::test]
async fn path_traversal_attempts_are_refused() {
    let addr = serve().await;
    let client = HubClient::builder()
        .endpoint(format!("http://{addr}"))
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cache = CacheDir::new(dir.path().join("a/b/hub"));

    let err = SnapshotDownload::new(client.clone(), "evil/traversal".parse().unwrap())
        .cache_dir(cache.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidPath(_)), "{err}");
    let err = SnapshotDownload::new(client.clone(), "evil/badsha".parse().unwrap())
        .cache_dir(cache.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Protocol { .. }), "{err}");
    let err = SnapshotDownload::new(client.clone(), "evil/tree".parse().unwrap())
        .revision(SHA.parse().unwrap())
        .cache_dir(cache.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidPath(_)), "{err}");
    for repo in ["evil/etag", "evil/commit"] {
        let err = HubDownload::new(client.clone(), repo.parse().unwrap(), "f.txt")
            .cache_dir(cache.clone())
            .await
            .unwrap_err();
        // The unusable metadata is treated like a network failure: not cached → local-entry error.
        assert!(
            matches!(
                err,
                Error::LocalEntryNotFound {
                    source: Some(_),
                    ..
                }
            ),
            "{err}"
        );
    }
    // A user-supplied traversal is refused before any request.
    let err = HubDownload::new(client, "evil/etag".parse().unwrap(), "../x")
        .cache_dir(cache.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidPath(_)), "{err}");

    let everything = walk(dir.path());
    assert!(
        everything
            .iter()
            .all(|p| !p.to_string_lossy().contains("escape")),
        "{everything:?}"
    );
    assert!(!dir.path().join("a/escape.txt").exists());
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        out.push(p.clone());
        if p.is_dir() && !p.is_symlink() {
            out.extend(walk(&p));
        }
    }
    out
}

/// Hex is hex in either case: correct bytes under an upper-case ETag pass the integrity check.
#[tokio::test]
async fn an_upper_case_hex_etag_verifies() {
    let addr = serve().await;
    let client = HubClient::builder()
        .endpoint(format!("http://{addr}"))
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = HubDownload::new(client, "odd/upper".parse().unwrap(), "f.txt")
        .cache_dir(CacheDir::new(dir.path()))
        .await
        .unwrap();
    assert_eq!(std::fs::read(path).unwrap(), b"abc");
}
