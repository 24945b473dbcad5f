//! Safetensors headers read with `Range` requests from hf-local-hub.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use hf_repo::prelude::*;
use std::time::Duration;

use common::{Clients, File, Hub, data};
use hf_repo::Error;
use hf_repo::safetensors::{GetSafetensorsMetadata, ParseSafetensorsFileMetadata};
use hf_types::{DType, RepoId, RepoPath, RepoType, Revision};
use serde_json::json;

fn id(s: &str) -> RepoId {
    s.parse().unwrap()
}

fn path(s: &str) -> RepoPath {
    s.parse().unwrap()
}

fn rev(s: &str) -> Revision {
    s.parse().unwrap()
}

/// A real safetensors file: 8-byte little-endian header length, the JSON header, the data.
fn safetensors(header: &serde_json::Value) -> Vec<u8> {
    let header = serde_json::to_vec(header).unwrap();
    let data_len = header_data_len(&serde_json::from_slice(&header).unwrap());
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(&header);
    out.extend(data(data_len, 11));
    out
}

/// The end of the last tensor's data.
fn header_data_len(header: &serde_json::Value) -> usize {
    header
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| *k != "__metadata__")
        .map(|(_, t)| t["data_offsets"][1].as_u64().unwrap() as usize)
        .max()
        .unwrap_or(0)
}

/// Raw bytes: a claimed header length followed by `rest`.
fn raw(length: u64, rest: &[u8]) -> Vec<u8> {
    let mut out = length.to_le_bytes().to_vec();
    out.extend_from_slice(rest);
    out
}

fn single_header() -> serde_json::Value {
    json!({
        "__metadata__": {"format": "pt"},
        "embed.weight": {"dtype": "F32", "shape": [4, 3], "data_offsets": [0, 48]},
        "head.bias": {"dtype": "F16", "shape": [3], "data_offsets": [48, 54]},
        "step": {"dtype": "I64", "shape": [], "data_offsets": [54, 62]}
    })
}

fn assert_safetensors_error(err: &Error, file: &str, reason_part: &str) {
    match err {
        Error::Safetensors { file: f, reason } => {
            assert_eq!(f, file, "{err}");
            assert!(
                reason.contains(reason_part),
                "{reason:?} lacks {reason_part:?}"
            );
        }
        other => panic!("expected a safetensors error, got {other:?}"),
    }
}

#[tokio::test]
async fn single_file_repo() {
    let hub = Hub::start().await;
    hub.commit(
        "single",
        vec![
            File::Lfs("model.safetensors", safetensors(&single_header())),
            File::Regular("config.json", b"{}".to_vec()),
        ],
    )
    .await;
    let client = hub.client();

    let file = ParseSafetensorsFileMetadata::new(
        client.clone(),
        id("alice/single"),
        path("model.safetensors"),
    )
    .await
    .unwrap();
    assert_eq!(file.metadata["format"], "pt");
    assert_eq!(file.tensors.len(), 3);
    assert_eq!(file.tensors["embed.weight"].shape, vec![4, 3]);
    assert_eq!(file.tensors["head.bias"].data_offsets, (48, 54));
    assert_eq!(file.parameter_count()[&DType::F32], 12);
    assert_eq!(file.total_parameters(), 12 + 3 + 1);

    let repo = GetSafetensorsMetadata::new(client, id("alice/single"))
        .await
        .unwrap();
    assert!(!repo.sharded);
    assert!(repo.metadata.is_none());
    assert_eq!(repo.files_metadata.len(), 1);
    assert_eq!(repo.files_metadata["model.safetensors"], file);
    assert_eq!(repo.weight_map.len(), 3);
    assert!(repo.weight_map.values().all(|f| f == "model.safetensors"));
    assert_eq!(repo.total_parameters(), 16);
}

#[tokio::test]
async fn regular_file_in_a_folder_at_a_revision_of_a_dataset() {
    let hub = Hub::start().await;
    let header = json!({"x": {"dtype": "BF16", "shape": [5, 2], "data_offsets": [0, 20]}});
    hub.commit_to(
        RepoType::Dataset,
        "alice/ds",
        "main",
        vec![File::Regular(
            "sub dir/w+1.safetensors",
            safetensors(&header),
        )],
    )
    .await;
    let old = hub
        .commit_to(
            RepoType::Dataset,
            "alice/ds",
            "main",
            vec![File::Regular(
                "sub dir/w+1.safetensors",
                safetensors(&single_header()),
            )],
        )
        .await;
    hub.commit_to(
        RepoType::Dataset,
        "alice/ds",
        "main",
        vec![File::Regular(
            "sub dir/w+1.safetensors",
            safetensors(&header),
        )],
    )
    .await;
    let client = hub.client();
    let now = ParseSafetensorsFileMetadata::new(
        client.clone(),
        id("alice/ds"),
        path("sub dir/w+1.safetensors"),
    )
    .repo_type(RepoType::Dataset)
    .await
    .unwrap();
    assert_eq!(now.parameter_count()[&DType::BF16], 10);
    let before = ParseSafetensorsFileMetadata::new(
        client.clone(),
        id("alice/ds"),
        path("sub dir/w+1.safetensors"),
    )
    .repo_type(RepoType::Dataset)
    .revision(rev(&old))
    .await
    .unwrap();
    assert_eq!(before.tensors.len(), 3);
}

#[tokio::test]
async fn sharded_repo() {
    let hub = Hub::start().await;
    let one = json!({
        "__metadata__": {"format": "pt"},
        "layers.0.w": {"dtype": "F32", "shape": [8, 8], "data_offsets": [0, 256]},
        "layers.0.b": {"dtype": "F32", "shape": [8], "data_offsets": [256, 288]}
    });
    let two = json!({"layers.1.w": {"dtype": "F16", "shape": [8, 4], "data_offsets": [0, 64]}});
    let three = json!({"lm_head": {"dtype": "BF16", "shape": [2, 8], "data_offsets": [0, 32]}});
    let index = json!({
        "metadata": {"total_size": 384},
        "weight_map": {
            "layers.0.w": "model-00001-of-00003.safetensors",
            "layers.0.b": "model-00001-of-00003.safetensors",
            "layers.1.w": "model-00002-of-00003.safetensors",
            "lm_head": "model-00003-of-00003.safetensors"
        }
    });
    hub.commit(
        "sharded",
        vec![
            File::Regular(
                "model.safetensors.index.json",
                serde_json::to_vec(&index).unwrap(),
            ),
            File::Lfs("model-00001-of-00003.safetensors", safetensors(&one)),
            File::Lfs("model-00002-of-00003.safetensors", safetensors(&two)),
            File::Regular("model-00003-of-00003.safetensors", safetensors(&three)),
        ],
    )
    .await;
    let meta = GetSafetensorsMetadata::new(hub.client(), id("alice/sharded"))
        .await
        .unwrap();
    assert!(meta.sharded);
    assert_eq!(meta.metadata.as_ref().unwrap()["total_size"], 384);
    assert_eq!(meta.weight_map.len(), 4);
    assert_eq!(
        meta.weight_map["lm_head"],
        "model-00003-of-00003.safetensors"
    );
    assert_eq!(meta.files_metadata.len(), 3);
    assert_eq!(
        meta.files_metadata["model-00001-of-00003.safetensors"].metadata["format"],
        "pt"
    );
    let counts = meta.parameter_count();
    assert_eq!(counts[&DType::F32], 72);
    assert_eq!(counts[&DType::F16], 32);
    assert_eq!(counts[&DType::BF16], 16);
    assert_eq!(meta.total_parameters(), 120);

    // A tag works as the revision (resolved to its commit first).
    hf_repo::refs::CreateTag::new(hub.client(), id("alice/sharded"), rev("v1"))
        .await
        .unwrap();
    let tagged = GetSafetensorsMetadata::new(hub.client(), id("alice/sharded"))
        .revision(rev("v1"))
        .await
        .unwrap();
    assert_eq!(tagged, meta);
}

#[tokio::test]
async fn single_file_wins_over_an_index_and_branches_are_read() {
    let hub = Hub::start().await;
    let main = hub
        .commit(
            "both",
            vec![File::Lfs(
                "model.safetensors",
                safetensors(&single_header()),
            )],
        )
        .await;
    let record = hub.seed().model("alice/both");
    record.create_branch("dev", &main).await.unwrap();
    let index = json!({"weight_map": {"w": "shard.safetensors"}});
    let shard = json!({"w": {"dtype": "U8", "shape": [7], "data_offsets": [0, 7]}});
    hub.commit_to(
        RepoType::Model,
        "alice/both",
        "main",
        vec![File::Regular(
            "model.safetensors.index.json",
            serde_json::to_vec(&index).unwrap(),
        )],
    )
    .await;
    let meta = GetSafetensorsMetadata::new(hub.client(), id("alice/both"))
        .await
        .unwrap();
    assert!(!meta.sharded);

    // On `dev`: replace the single file by an index + shard.
    hub.commit_to(
        RepoType::Model,
        "alice/both",
        "dev",
        vec![
            File::Regular(
                "model.safetensors.index.json",
                serde_json::to_vec(&index).unwrap(),
            ),
            File::Regular("shard.safetensors", safetensors(&shard)),
        ],
    )
    .await;
    record
        .commit("dev")
        .message("drop single")
        .delete("model.safetensors")
        .push()
        .await
        .unwrap();
    let dev = GetSafetensorsMetadata::new(hub.client(), id("alice/both"))
        .revision(rev("dev"))
        .await
        .unwrap();
    assert!(dev.sharded);
    assert!(dev.metadata.is_none());
    assert_eq!(dev.parameter_count()[&DType::U8], 7);
}

#[tokio::test]
async fn header_larger_than_the_first_range_needs_a_second_request() {
    let hub = Hub::start().await;
    // ~150 kB of metadata: the header does not fit in the first 100 kB.
    let big = "m".repeat(150_000);
    let header = json!({
        "__metadata__": {"notes": big},
        "w": {"dtype": "F64", "shape": [2, 2], "data_offsets": [0, 32]}
    });
    let bytes = safetensors(&header);
    let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap());
    assert!(header_len > 100_000);
    // Just at the boundary as well: the header ends exactly at byte 100_000.
    let mut edge_meta = String::new();
    let edge = loop {
        let h = json!({"__metadata__": {"n": edge_meta}, "w": {"dtype": "I8", "shape": [1], "data_offsets": [0, 1]}});
        let len = serde_json::to_vec(&h).unwrap().len();
        if len + 8 >= 100_001 {
            break h;
        }
        edge_meta.push_str(&"e".repeat((100_001 - 8 - len).min(1000)));
    };
    hub.commit(
        "bighead",
        vec![
            File::Lfs("model.safetensors", bytes),
            File::Regular("edge.safetensors", safetensors(&edge)),
        ],
    )
    .await;
    let meta = ParseSafetensorsFileMetadata::new(
        hub.client(),
        id("alice/bighead"),
        path("model.safetensors"),
    )
    .await
    .unwrap();
    assert_eq!(meta.metadata["notes"].len(), 150_000);
    assert_eq!(meta.tensors["w"].shape, vec![2, 2]);
    let edge_meta_read = ParseSafetensorsFileMetadata::new(
        hub.client(),
        id("alice/bighead"),
        path("edge.safetensors"),
    )
    .await
    .unwrap();
    assert_eq!(edge_meta_read.metadata["n"], edge_meta);
    let repo = GetSafetensorsMetadata::new(hub.client(), id("alice/bighead"))
        .await
        .unwrap();
    assert_eq!(repo.files_metadata["model.safetensors"], meta);
}

#[tokio::test]
async fn huge_header_length_is_refused_quickly() {
    let hub = Hub::start().await;
    // A small file claiming a 200 MB header (above the 25 MB maximum of the Python client).
    hub.commit(
        "huge",
        vec![
            File::Lfs("model.safetensors", raw(200_000_000, b"{}")),
            File::Regular("u64max.safetensors", raw(u64::MAX, b"{}")),
        ],
    )
    .await;
    let started = std::time::Instant::now();
    let err = tokio::time::timeout(
        Duration::from_secs(10),
        ParseSafetensorsFileMetadata::new(
            hub.client(),
            id("alice/huge"),
            path("model.safetensors"),
        ),
    )
    .await
    .unwrap()
    .unwrap_err();
    assert_safetensors_error(&err, "model.safetensors", "too big");
    assert!(started.elapsed() < Duration::from_secs(5));
    let err = ParseSafetensorsFileMetadata::new(
        hub.client(),
        id("alice/huge"),
        path("u64max.safetensors"),
    )
    .await
    .unwrap_err();
    assert_safetensors_error(&err, "u64max.safetensors", "too big");
    let err = GetSafetensorsMetadata::new(hub.client(), id("alice/huge"))
        .await
        .unwrap_err();
    assert_safetensors_error(&err, "model.safetensors", "too big");
}

#[tokio::test]
async fn malformed_headers_name_the_file() {
    let hub = Hub::start().await;
    let not_json = b"{\"w\": {\"dtype\": \"F32\", ";
    let missing_shape = br#"{"w": {"dtype": "F32", "data_offsets": [0, 4]}}"#;
    hub.commit(
        "bad",
        vec![
            File::Regular("not-json.safetensors", raw(not_json.len() as u64, not_json)),
            File::Regular(
                "no-shape.safetensors",
                raw(missing_shape.len() as u64, missing_shape),
            ),
            // Claims a 150 kB header but the file ends long before.
            File::Regular("truncated.safetensors", raw(150_000, &[b' '; 1000])),
            File::Regular("tiny.safetensors", vec![1, 2, 3]),
        ],
    )
    .await;
    let client = hub.client();
    let parse = |name: &'static str| {
        ParseSafetensorsFileMetadata::new(client.clone(), id("alice/bad"), path(name))
    };
    let err = parse("not-json.safetensors").await.unwrap_err();
    assert_safetensors_error(&err, "not-json.safetensors", "JSON");
    let err = parse("no-shape.safetensors").await.unwrap_err();
    assert_safetensors_error(&err, "no-shape.safetensors", "shape");
    let err = parse("truncated.safetensors").await.unwrap_err();
    assert_safetensors_error(&err, "truncated.safetensors", "150000");
    let err = parse("tiny.safetensors").await.unwrap_err();
    assert_safetensors_error(&err, "tiny.safetensors", "3 bytes");
}

#[tokio::test]
async fn not_a_safetensors_repo_and_bad_indexes() {
    let hub = Hub::start().await;
    hub.commit(
        "plain",
        vec![File::Regular("pytorch_model.bin", vec![0; 10])],
    )
    .await;
    let err = GetSafetensorsMetadata::new(hub.client(), id("alice/plain"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::NotASafetensorsRepo { repo_id, .. } if repo_id == "alice/plain"),
        "{err:?}"
    );

    // A folder named like the weights is not the weights.
    hub.commit(
        "folder",
        vec![File::Regular("model.safetensors/x", vec![0; 10])],
    )
    .await;
    let err = GetSafetensorsMetadata::new(hub.client(), id("alice/folder"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::NotASafetensorsRepo { repo_id, .. } if repo_id == "alice/folder"),
        "{err:?}"
    );

    let hostile = json!({"weight_map": {"w": "../../outside.safetensors"}});
    hub.commit(
        "hostile",
        vec![File::Regular(
            "model.safetensors.index.json",
            serde_json::to_vec(&hostile).unwrap(),
        )],
    )
    .await;
    let err = GetSafetensorsMetadata::new(hub.client(), id("alice/hostile"))
        .await
        .unwrap_err();
    assert_safetensors_error(&err, "model.safetensors.index.json", "shard");

    hub.commit(
        "badindex",
        vec![File::Regular(
            "model.safetensors.index.json",
            b"{oops".to_vec(),
        )],
    )
    .await;
    let err = GetSafetensorsMetadata::new(hub.client(), id("alice/badindex"))
        .await
        .unwrap_err();
    assert_safetensors_error(&err, "model.safetensors.index.json", "index");

    // The index names a shard that does not exist.
    let dangling = json!({"weight_map": {"w": "gone.safetensors"}});
    hub.commit(
        "dangling",
        vec![File::Regular(
            "model.safetensors.index.json",
            serde_json::to_vec(&dangling).unwrap(),
        )],
    )
    .await;
    let err = GetSafetensorsMetadata::new(hub.client(), id("alice/dangling"))
        .await
        .unwrap_err();
    assert!(matches!(err, hf_http::Error::EntryNotFound(_)), "{err:?}");
}

#[tokio::test]
async fn hub_errors() {
    let hub = Hub::start().await;
    hub.commit(
        "ok",
        vec![File::Lfs(
            "model.safetensors",
            safetensors(&single_header()),
        )],
    )
    .await;
    hub.create(RepoType::Model, "alice", "secret", true).await;
    let client = hub.client();
    let err = ParseSafetensorsFileMetadata::new(
        client.clone(),
        id("alice/ok"),
        path("missing.safetensors"),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, hf_http::Error::EntryNotFound(_)), "{err:?}");
    let err = ParseSafetensorsFileMetadata::new(
        client.clone(),
        id("alice/ok"),
        path("model.safetensors"),
    )
    .revision(rev("nope"))
    .await
    .unwrap_err();
    assert!(
        matches!(err, hf_http::Error::RevisionNotFound(_)),
        "{err:?}"
    );
    let err = GetSafetensorsMetadata::new(client.clone(), id("alice/ok"))
        .revision(rev("nope"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, hf_http::Error::RevisionNotFound(_)),
        "{err:?}"
    );
    let err = GetSafetensorsMetadata::new(client.clone(), id("alice/none"))
        .await
        .unwrap_err();
    assert!(matches!(err, hf_http::Error::RepoNotFound(_)), "{err:?}");
    let err = GetSafetensorsMetadata::new(hub.client_with(None), id("alice/secret"))
        .await
        .unwrap_err();
    assert!(matches!(err, hf_http::Error::RepoNotFound(_)), "{err:?}");
}

/// A server that ignores `Range` (always 200 with the whole body) and records the `Range`
/// headers it received.
async fn range_ignoring_server(
    body: Vec<u8>,
) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let body = std::sync::Arc::new(body);
    let log = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let (body, log) = (body.clone(), log.clone());
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&buf).to_lowercase();
                if let Some(line) = head.lines().find(|l| l.starts_with("range:")) {
                    log.lock()
                        .unwrap()
                        .push(line["range:".len()..].trim().to_owned());
                }
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(&body).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (format!("http://{addr}"), seen)
}

#[tokio::test]
async fn a_server_ignoring_range_is_read_only_as_far_as_needed() {
    let header = json!({
        "__metadata__": {"notes": "n".repeat(120_000)},
        "w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 12]}
    });
    let mut file = safetensors(&header);
    let header_len = u64::from_le_bytes(file[..8].try_into().unwrap());
    // Lots of trailing data that must not be needed.
    file.extend(vec![0u8; 4 << 20]);
    let (endpoint, seen) = range_ignoring_server(file).await;
    let client = hf_http::HubClient::builder()
        .endpoint(&endpoint)
        .no_token()
        .build()
        .unwrap();
    let meta = ParseSafetensorsFileMetadata::new(client, id("alice/x"), path("model.safetensors"))
        .await
        .unwrap();
    assert_eq!(meta.metadata["notes"].len(), 120_000);
    assert_eq!(meta.tensors["w"].shape, vec![3]);
    assert_eq!(
        *seen.lock().unwrap(),
        vec![
            "bytes=0-100000".to_string(),
            format!("bytes=8-{}", header_len + 7)
        ]
    );
}
