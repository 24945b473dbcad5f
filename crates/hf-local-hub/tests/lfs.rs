//! The LFS batch API, basic and multipart transfers, verify, and crash safety over HTTP (protocol §6.3, §6.4).
#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns panic on purpose

mod common;

use common::*;
use hf_local_hub::{LocalHubHandle, MULTIPART_CHUNK_SIZE};
use http::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const LFS: &str = "application/vnd.git-lfs+json";

fn sha256(data: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(data))
}

async fn batch(http: &Http, token: Option<&str>, url: &str, objects: Value) -> Resp {
    let body = json!({
        "operation": "upload",
        "transfers": ["basic", "multipart"],
        "objects": objects,
        "hash_algo": "sha256",
        "ref": {"name": "main"},
    });
    http.send(
        Method::POST,
        url,
        token,
        &[("content-type", LFS), ("accept", LFS)],
        body.to_string(),
    )
    .await
}

async fn put(http: &Http, url: &str, body: Vec<u8>) -> Resp {
    http.send(Method::PUT, url, None, &[], body).await
}

/// Batch-asks for one object and returns its `actions`.
async fn actions_for(http: &Http, data: &[u8]) -> Value {
    let r = batch(
        http,
        Some(ALICE),
        "/alice/up.git/info/lfs/objects/batch",
        json!([{"oid": sha256(data), "size": data.len()}]),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["objects"][0]["actions"].clone()
}

#[tokio::test]
async fn batch_answers_present_absent_and_errors() {
    let (hub, http) = hub().await;
    let repo = http
        .create_repo(&hub, ALICE, "model", "alice/up", false)
        .await;
    let present = repo.lfs_object(b"already here".to_vec()).await.unwrap();
    let absent = sha256(b"not yet");
    let r = batch(
        &http,
        Some(ALICE),
        "/alice/up.git/info/lfs/objects/batch",
        json!([
            {"oid": present, "size": 12},
            {"oid": absent, "size": 7},
            {"oid": "xyz", "size": 1},
            {"oid": absent, "size": -1},
            {"oid": present, "size": 13},
        ]),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type").as_deref(), Some(LFS));
    let j = r.json();
    assert_eq!(j["transfer"], "basic");
    assert!(!r.text().contains("xet"));
    let objects = j["objects"].as_array().unwrap();
    assert_eq!(objects[0]["oid"], present);
    assert!(objects[0].get("actions").is_none());
    assert!(objects[0].get("error").is_none());
    let upload = &objects[1]["actions"]["upload"];
    let href = upload["href"].as_str().unwrap();
    assert!(href.starts_with(&http.base), "{href}");
    assert!(href.contains("sig="));
    assert!(
        upload.get("header").is_none(),
        "basic transfer has no chunk_size"
    );
    assert!(upload["expires_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        objects[1]["actions"]["verify"]["href"],
        format!("{}/alice/up.git/info/lfs/objects/verify", http.base)
    );
    for object in &objects[2..5] {
        assert_eq!(object["error"]["code"], 422, "{object}");
        assert!(object.get("actions").is_none());
    }

    // Datasets and spaces have their prefix; auth is checked on the batch call.
    http.create_repo(&hub, ALICE, "dataset", "alice/dd", true)
        .await;
    let url = "/datasets/alice/dd.git/info/lfs/objects/batch";
    let one = json!([{"oid": absent, "size": 7}]);
    let r = batch(&http, Some(ALICE), url, one.clone()).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(
        r.json()["objects"][0]["actions"]["verify"]["href"]
            .as_str()
            .unwrap()
            .ends_with("/datasets/alice/dd.git/info/lfs/objects/verify")
    );
    assert_eq!(batch(&http, None, url, one.clone()).await.status, 401);
    assert_eq!(
        batch(&http, Some(ALICE_RO), url, one.clone()).await.status,
        403
    );
    let r = batch(&http, Some(BOB), url, one.clone()).await;
    assert_eq!(r.status, 404, "private repo of someone else");
    assert_eq!(r.header("x-error-code").as_deref(), Some("RepoNotFound"));
    assert_eq!(
        batch(
            &http,
            Some(ALICE),
            "/alice/nothere.git/info/lfs/objects/batch",
            one
        )
        .await
        .status,
        404
    );
}

#[tokio::test]
async fn basic_upload_verify_and_refusals() {
    let (hub, http) = hub().await;
    http.create_repo(&hub, ALICE, "model", "alice/up", false)
        .await;
    let data = b"some large-file content".to_vec();
    let oid = sha256(&data);
    let actions = actions_for(&http, &data).await;
    let href = actions["upload"]["href"].as_str().unwrap().to_owned();
    let verify = actions["verify"]["href"].as_str().unwrap().to_owned();

    // Wrong content (same length), wrong length: 400 and nothing stored.
    let mut wrong = data.clone();
    wrong[0] ^= 1;
    assert_eq!(put(&http, &href, wrong).await.status, 400);
    assert_eq!(put(&http, &href, data[..5].to_vec()).await.status, 400);
    assert_eq!(hub.seed().lfs_size(&oid).await.unwrap(), None);
    let r = http
        .json(
            Method::POST,
            &verify,
            Some(ALICE),
            json!({"oid": oid, "size": data.len()}),
        )
        .await;
    assert_eq!(r.status, 404);

    // Tampered URLs: another size, another oid, no or altered signature, a later expiry.
    let tampered = [
        href.replace(
            &format!("/{}?", data.len()),
            &format!("/{}?", data.len() + 1),
        ),
        href.replace(&oid, &sha256(b"other")),
        href.split('?').next().unwrap().to_owned(),
        href.replace("sig=", "sig=0"),
        {
            let (before, after) = href.split_once("expires=").unwrap();
            let (exp, rest) = after.split_once('&').unwrap();
            format!(
                "{before}expires={}&{rest}",
                exp.parse::<i64>().unwrap() + 100
            )
        },
    ];
    for url in &tampered {
        assert_ne!(url, &href);
        assert_eq!(put(&http, url, data.clone()).await.status, 403, "{url}");
    }

    // The real upload, then verify.
    let r = put(&http, &href, data.clone()).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        hub.seed().lfs_size(&oid).await.unwrap(),
        Some(data.len() as u64)
    );
    let r = http
        .json(
            Method::POST,
            &verify,
            Some(ALICE),
            json!({"oid": oid, "size": data.len()}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = http
        .json(
            Method::POST,
            &verify,
            Some(ALICE),
            json!({"oid": oid, "size": 1}),
        )
        .await;
    assert_eq!(r.status, 422);
    let r = http
        .json(
            Method::POST,
            &verify,
            None,
            json!({"oid": oid, "size": data.len()}),
        )
        .await;
    assert_eq!(r.status, 401);
    // Re-uploading the same object is harmless; asking again yields no actions.
    assert_eq!(put(&http, &href, data.clone()).await.status, 200);
    assert!(actions_for(&http, &data).await.is_null());

    // And a commit may now reference it.
    let body = format!(
        "{}\n{}\n",
        json!({"key": "header", "value": {"summary": "add"}}),
        json!({"key": "lfsFile", "value": {"path": "big.bin", "algo": "sha256", "oid": oid, "size": data.len()}})
    );
    let r = http
        .send(
            Method::POST,
            "/api/models/alice/up/commit/main",
            Some(ALICE),
            &[("content-type", "application/x-ndjson")],
            body,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

#[tokio::test]
async fn basic_upload_with_chunked_body() {
    let (hub, http) = hub().await;
    http.create_repo(&hub, ALICE, "model", "alice/up", false)
        .await;
    let data = vec![7u8; 300_000];
    let href = actions_for(&http, &data).await["upload"]["href"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = href.strip_prefix(&http.base).unwrap().to_owned();
    let addr = http.base.strip_prefix("http://").unwrap().to_owned();
    let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "PUT {url} HTTP/1.1\r\nHost: {addr}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    for chunk in data.chunks(100_000) {
        s.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .await
            .unwrap();
        s.write_all(chunk).await.unwrap();
        s.write_all(b"\r\n").await.unwrap();
    }
    s.write_all(b"0\r\n\r\n").await.unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert_eq!(
        hub.seed().lfs_size(&sha256(&data)).await.unwrap(),
        Some(300_000)
    );
}

#[tokio::test]
async fn dropped_connection_mid_body_leaves_no_object() {
    let (hub, http) = hub().await;
    http.create_repo(&hub, ALICE, "model", "alice/up", false)
        .await;
    let data = vec![42u8; 1_000_000];
    let oid = sha256(&data);
    let href = actions_for(&http, &data).await["upload"]["href"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = href.strip_prefix(&http.base).unwrap().to_owned();
    let addr = http.base.strip_prefix("http://").unwrap().to_owned();
    let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "PUT {url} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\n\r\n",
        data.len()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(&data[..400_000]).await.unwrap();
    s.flush().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    drop(s);
    // Give the server time to notice and clean up.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(hub.seed().lfs_size(&oid).await.unwrap(), None);
    let body = format!(
        "{}\n{}\n",
        json!({"key": "header", "value": {"summary": "add"}}),
        json!({"key": "lfsFile", "value": {"path": "half.bin", "algo": "sha256", "oid": oid, "size": data.len()}})
    );
    let r = http
        .send(
            Method::POST,
            "/api/models/alice/up/commit/main",
            Some(ALICE),
            &[],
            body,
        )
        .await;
    assert_eq!(
        r.status, 400,
        "a commit cannot reference the half-uploaded object"
    );
    // The same URL still works for a complete upload.
    assert_eq!(put(&http, &href, data.clone()).await.status, 200);
    assert_eq!(hub.seed().lfs_size(&oid).await.unwrap(), Some(1_000_000));
}

/// POSTs a multipart completion `body` to the signed URL `complete`.
async fn post_completion(http: &Http, complete: &str, body: String) -> Resp {
    http.send(Method::POST, complete, None, &[("content-type", LFS)], body)
        .await
}

/// A hub with multipart parts of `chunk` bytes, alice's repo `alice/up`, an object one part and
/// 1000 bytes long, and the batch answer for its upload.
async fn two_part_upload(chunk: u64) -> (LocalHubHandle, Http, Vec<u8>, Value) {
    let hub = common::builder()
        .multipart_chunk_size(chunk)
        .start()
        .await
        .unwrap();
    let http = common::Http::new(hub.endpoint());
    http.create_repo(&hub, ALICE, "model", "alice/up", false)
        .await;
    let size = chunk as usize + 1000;
    let data: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
    let r = batch(
        &http,
        Some(ALICE),
        "/alice/up.git/info/lfs/objects/batch",
        json!([{"oid": sha256(&data), "size": size}]),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    (hub, http, data, r.json())
}

#[tokio::test]
async fn multipart_upload_with_wrong_and_missing_parts() {
    // A small chunk size keeps the test cheap; the protocol is the same at 64 MiB.
    const CHUNK: u64 = 1 << 20;
    let (hub, http, data, j) = two_part_upload(CHUNK).await;
    let (size, oid) = (data.len(), sha256(&data));
    assert_eq!(j["transfer"], "multipart");
    let upload = &j["objects"][0]["actions"]["upload"];
    let header = upload["header"].as_object().unwrap();
    assert_eq!(header["chunk_size"], CHUNK.to_string());
    assert_eq!(header.len(), 3, "chunk_size + 2 parts: {header:?}");
    let complete = upload["href"].as_str().unwrap().to_owned();
    let part1 = header["1"].as_str().unwrap().to_owned();
    let part2 = header["2"].as_str().unwrap().to_owned();
    let chunk = CHUNK as usize;

    // A part of the wrong length is refused.
    assert_eq!(
        put(&http, &part2, data[chunk..chunk + 10].to_vec())
            .await
            .status,
        400
    );
    // A tampered part URL (part 3 does not exist and is not signed).
    assert_eq!(
        put(&http, &part2.replace("/2?", "/3?"), vec![0; 1000])
            .await
            .status,
        403
    );

    let r1 = put(&http, &part1, data[..chunk].to_vec()).await;
    assert_eq!(r1.status, 200, "{}", r1.text());
    let etag1 = r1.header("etag").unwrap();
    assert!(etag1.starts_with('"') && etag1.len() > 2);
    let r2 = put(&http, &part2, data[chunk..].to_vec()).await;
    let etag2 = r2.header("etag").unwrap();

    let completion = |parts: Value| json!({"oid": oid, "parts": parts}).to_string();
    let post = |body: String| post_completion(&http, &complete, body);
    // Missing part, wrong ETag, swapped ETags, duplicated part, wrong oid: 400 and nothing stored.
    let bad = [
        completion(json!([{"partNumber": 1, "etag": etag1}])),
        completion(json!([{"partNumber": 1, "etag": etag1}, {"partNumber": 2, "etag": "\"0123\""}])),
        completion(json!([{"partNumber": 1, "etag": etag2}, {"partNumber": 2, "etag": etag1}])),
        completion(json!([{"partNumber": 1, "etag": etag1}, {"partNumber": 1, "etag": etag1}])),
        json!({"oid": sha256(b"x"), "parts": [{"partNumber": 1, "etag": etag1}, {"partNumber": 2, "etag": etag2}]})
            .to_string(),
        "garbage".to_owned(),
    ];
    for body in bad {
        let r = post(body.clone()).await;
        assert_eq!(r.status, 400, "{body}: {}", r.text());
    }
    assert_eq!(hub.seed().lfs_size(&oid).await.unwrap(), None);
    // A tampered completion URL.
    let r = http
        .send(
            Method::POST,
            &complete.replace("sig=", "sig=1"),
            None,
            &[],
            completion(json!([])),
        )
        .await;
    assert_eq!(r.status, 403);

    // The real completion (parts in any order, ETags quoted as received).
    let r = post(completion(
        json!([{"partNumber": 2, "etag": etag2}, {"partNumber": 1, "etag": etag1}]),
    ))
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(hub.seed().lfs_size(&oid).await.unwrap(), Some(size as u64));
    let verify = j["objects"][0]["actions"]["verify"]["href"]
        .as_str()
        .unwrap();
    let r = http
        .json(
            Method::POST,
            verify,
            Some(ALICE),
            json!({"oid": oid, "size": size}),
        )
        .await;
    assert_eq!(r.status, 200);
}

/// A part has one writer at a time, and completion runs with none: otherwise an earlier request
/// still sending a part could change bytes already hashed, and the object stored would not be
/// the one checked. The later request is told to retry.
#[tokio::test]
async fn a_part_still_being_sent_makes_its_resend_and_the_completion_retry() {
    // Over 1 MiB: smaller bodies are read whole before routing, and could not stall in a part.
    const CHUNK: u64 = 2 << 20;
    let (hub, http, data, j) = two_part_upload(CHUNK).await;
    let (size, oid) = (data.len(), sha256(&data));
    let upload = &j["objects"][0]["actions"]["upload"];
    let complete = upload["href"].as_str().unwrap().to_owned();
    let part1 = upload["header"]["1"].as_str().unwrap().to_owned();
    let part2 = upload["header"]["2"].as_str().unwrap().to_owned();
    let chunk = CHUNK as usize;

    // A first request for part 1 sends some garbage, then stalls.
    let url = part1.strip_prefix(&http.base).unwrap().to_owned();
    let addr = http.base.strip_prefix("http://").unwrap().to_owned();
    let mut stalled = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!("PUT {url} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {chunk}\r\n\r\n");
    stalled.write_all(head.as_bytes()).await.unwrap();
    stalled.write_all(&vec![0u8; 300_000]).await.unwrap();
    stalled.flush().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let r1 = put(&http, &part1, data[..chunk].to_vec()).await;
    assert_eq!(r1.status, 503, "{}", r1.text());
    assert_eq!(r1.header("retry-after").as_deref(), Some("1"));
    let r2 = put(&http, &part2, data[chunk..].to_vec()).await;
    assert_eq!(r2.status, 200, "{}", r2.text());
    let etag2 = r2.header("etag").unwrap();
    let complete_with = |etag1: String| {
        let body = json!({"oid": oid, "parts": [{"partNumber": 1, "etag": etag1}, {"partNumber": 2, "etag": etag2}]});
        post_completion(&http, &complete, body.to_string())
    };
    let r = complete_with(etag2.clone()).await;
    assert_eq!(r.status, 503, "{}", r.text());

    // Once the first request is gone, part 1 is sent again and the object stored is the data.
    drop(stalled);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let etag1 = loop {
        let r = put(&http, &part1, data[..chunk].to_vec()).await;
        if r.status == 200 {
            break r.header("etag").unwrap();
        }
        assert_eq!(r.status, 503, "{}", r.text());
        assert!(std::time::Instant::now() < deadline, "part 1 stayed busy");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let r = complete_with(etag1).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(hub.seed().lfs_size(&oid).await.unwrap(), Some(size as u64));
}

#[tokio::test]
async fn multipart_threshold_follows_the_configured_chunk_size() {
    let size = 2 << 20;
    assert!((size as u64) < MULTIPART_CHUNK_SIZE);
    let data: Vec<u8> = (0..size).map(|i| (i % 13) as u8).collect();
    let oid = sha256(&data);
    let objects = json!([{"oid": oid, "size": size}]);
    // Default hub: 2 MiB is under the 64 MiB threshold, one basic PUT.
    let (hub, http) = hub().await;
    http.create_repo(&hub, ALICE, "model", "alice/up", false)
        .await;
    let r = batch(
        &http,
        Some(ALICE),
        "/alice/up.git/info/lfs/objects/batch",
        objects.clone(),
    )
    .await;
    assert_eq!(r.json()["transfer"], "basic");
    // A hub with 1 MiB parts: the same object is split in two.
    let small = common::builder()
        .multipart_chunk_size(1 << 20)
        .start()
        .await
        .unwrap();
    let http = common::Http::new(small.endpoint());
    http.create_repo(&small, ALICE, "model", "alice/up", false)
        .await;
    let r = batch(
        &http,
        Some(ALICE),
        "/alice/up.git/info/lfs/objects/batch",
        objects,
    )
    .await;
    let j = r.json();
    assert_eq!(j["transfer"], "multipart");
    let header = j["objects"][0]["actions"]["upload"]["header"]
        .as_object()
        .unwrap()
        .clone();
    assert_eq!(header["chunk_size"], (1u64 << 20).to_string());
    assert!(
        header.contains_key("2") && !header.contains_key("3"),
        "{header:?}"
    );
}

/// A batch request may not make the hub sign one URL per part of an object of any size: an object
/// over the size limit is a per-object 422, answered at once.
#[tokio::test]
async fn batch_refuses_objects_over_the_size_limit() {
    let (hub, http) = hub().await;
    http.create_repo(&hub, ALICE, "model", "alice/up", false)
        .await;
    let r = batch(
        &http,
        Some(ALICE),
        "/alice/up.git/info/lfs/objects/batch",
        json!([{"oid": sha256(b"huge"), "size": 1u64 << 62}]),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let object = &r.json()["objects"][0];
    assert_eq!(object["error"]["code"], 422, "{object}");
    assert!(object.get("actions").is_none());
    assert!(
        r.text().len() < 4096,
        "no URL per part: {} bytes",
        r.text().len()
    );
}
