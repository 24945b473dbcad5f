//! A hostile or broken server cannot make an upload allocate, send or commit what the client's
//! own files do not say.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::Router;
use axum::routing::post;
use hf_http::HubClient;
use hf_repo::ErrorKind;
use hf_repo::commit::UploadFile;
use serde_json::json;

/// Preupload says "lfs"; the batch answer claims 2^62 bytes in parts of 1 byte.
async fn serve() -> String {
    let app = Router::new()
        .route(
            "/api/models/evil/big/preupload/{rev}",
            post(|| async {
                axum::Json(json!({"files": [{"path": "w.bin", "uploadMode": "lfs", "shouldIgnore": false}]}))
            }),
        )
        .route(
            "/evil/big.git/info/lfs/objects/batch",
            post(|body: axum::Json<serde_json::Value>| async move {
                let oid = body["objects"][0]["oid"].as_str().unwrap().to_owned();
                axum::Json(json!({"objects": [{
                    "oid": oid,
                    "size": 1u64 << 62,
                    "actions": {"upload": {"href": "http://127.0.0.1:9/complete",
                        "header": {"chunk_size": "1", "1": "http://127.0.0.1:9/part"}}}
                }]}))
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_batch_answer_with_another_size_is_refused_before_any_transfer() {
    let endpoint = serve().await;
    let client = HubClient::builder()
        .endpoint(&endpoint)
        .token(Some("hf_x"))
        .build()
        .unwrap();
    let err = UploadFile::from_bytes(
        client,
        "evil/big".parse().unwrap(),
        vec![7u8; 2048],
        "w.bin".parse().unwrap(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol, "{err}");
    assert!(err.to_string().contains("the file has 2048"), "{err}");
}
