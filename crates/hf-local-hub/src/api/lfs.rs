//! The git LFS side of uploads (protocol §6.3, §6.4): the batch API, self-authorising transfer URLs
//! (basic `PUT`, multipart parts and completion) and `verify`.
//!
//! Transfer requests carry no credentials, so their URLs hold an HMAC-SHA256 signature of the URL path and
//! an expiry (`?expires=UNIX&sig=HEX`), keyed by the server's signing key. Any change to the path (oid,
//! size, part, upload id) or the expiry makes the signature fail: 403. Xet is never advertised.
//!
//! Objects of at least the hub's multipart chunk size ([`MULTIPART_CHUNK_SIZE`] by default) get a multipart upload with parts of that size;
//! smaller ones a basic upload. Both are constants (the threshold equals the chunk size).

mod sign;
mod transfer;

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::response::{IntoResponse, Response};
use axum::routing::{post, put};
use http::{HeaderValue, StatusCode};
use serde_json::{Value, json};

use super::AppState;
use super::context::{Read, Repo, per_type};
use super::error::{HubError, HubResult};
use crate::auth::{Caller, Role};
use crate::storage::is_hex;

/// Default size of multipart parts, and the object size from which multipart is advertised
/// (configurable per hub: `LocalHubBuilder::multipart_chunk_size`, and per repo by the
/// `lfsmultipartthresh` creation option). Issue 15: the Hub offers multipart well below 64 MiB (an
/// 18 MB object gets it); its exact default is not documented, 10 MiB is this hub's choice.
pub const MULTIPART_CHUNK_SIZE: u64 = 10 * 1024 * 1024;

/// Smallest `lfsmultipartthresh` honoured (S3's minimum part size): smaller values are ignored.
const MIN_REPO_MULTIPART: u64 = 5 * 1024 * 1024;

/// The multipart threshold and part size of `repo`: its `lfsmultipartthresh` creation option (the
/// Python client's test hook, protocol §2.1), else the hub's.
fn repo_chunk_size(state: &AppState, repo: &crate::storage::RepoRecord) -> u64 {
    repo.extra
        .get("lfsmultipartthresh")
        .and_then(Value::as_u64)
        .filter(|t| *t >= MIN_REPO_MULTIPART)
        .unwrap_or(state.multipart_chunk_size)
}

/// How long transfer URLs stay valid.
pub const UPLOAD_URL_TTL_SECS: i64 = 3600;

/// Content type of LFS batch requests and answers.
pub const LFS_CONTENT_TYPE: &str = "application/vnd.git-lfs+json";

/// Largest batch or verify request body.
const MAX_BATCH_BODY: usize = 8 * 1024 * 1024;
/// Largest LFS object accepted (the Hub refuses files over 50 GB). With the smallest chunk size a
/// hub can be given this also bounds the part URLs one answer signs.
const MAX_LFS_OBJECT_SIZE: u64 = 50_000_000_000;
/// Most parts of one multipart upload (S3's limit, which the Hub's multipart follows).
const MAX_PARTS: u64 = 10_000;

/// Routes of the LFS batch API and transfers.
pub fn router() -> Router<AppState> {
    let router = per_type(
        Router::new(),
        "/{ns}/{name}/info/lfs/objects/batch",
        post(batch),
        true,
    );
    per_type(
        router,
        "/{ns}/{name}/info/lfs/objects/verify",
        post(verify),
        true,
    )
    .route("/_hub-lfs/basic/{oid}/{size}", put(transfer::basic_put))
    .route(
        "/_hub-lfs/part/{upload}/{oid}/{size}/{chunk}/{part}",
        put(transfer::part_put),
    )
    .route(
        "/_hub-lfs/complete/{upload}/{oid}/{size}/{chunk}",
        post(transfer::complete),
    )
    // Limits buffered bodies (batch, verify, completion); streamed PUT bodies are bounded by the
    // size signed into their URL.
    .layer(DefaultBodyLimit::max(MAX_BATCH_BODY))
}

/// Checks the caller of an LFS call: a write token is required. Pushing objects for a pull request
/// (the batch of a `create_pr` commit carries no ref) needs only read access to the repo, as on the Hub.
fn require_upload_rights(caller: &Caller) -> HubResult<()> {
    match caller {
        Caller::Anonymous => Err(HubError::unauthorized(
            "You must be authenticated to upload files",
        )),
        Caller::User {
            role: Role::Read, ..
        } => Err(HubError::forbidden(
            "You don't have the rights to perform this action: this token is read-only",
        )),
        Caller::User { .. } => Ok(()),
    }
}

fn lfs_json(status: StatusCode, body: &Value) -> Response {
    let mut resp = (status, body.to_string()).into_response();
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static(LFS_CONTENT_TYPE),
    );
    resp
}

fn parse_body(body: &Bytes) -> HubResult<Value> {
    if body.len() > MAX_BATCH_BODY {
        return Err(HubError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("LFS request body larger than {MAX_BATCH_BODY} bytes"),
        ));
    }
    serde_json::from_slice(body)
        .map_err(|e| HubError::bad_request(format!("invalid LFS request: {e}")))
}

/// `POST {prefix}{repo}.git/info/lfs/objects/batch`.
async fn batch(repo: Repo<Read>, body: Bytes) -> HubResult<Response> {
    require_upload_rights(&repo.caller)?;
    let state = &repo.state;
    let request = parse_body(&body)?;
    let operation = request
        .get("operation")
        .and_then(Value::as_str)
        .unwrap_or("");
    if operation != "upload" {
        return Err(HubError::bad_request(format!(
            "unsupported LFS operation {operation:?}: this server only takes uploads"
        )));
    }
    if let Some(algo) = request.get("hash_algo").and_then(Value::as_str)
        && algo != "sha256"
    {
        return Err(HubError::bad_request(format!(
            "unsupported hash_algo {algo:?}"
        )));
    }
    let offered: Vec<&str> = match request.get("transfers").and_then(Value::as_array) {
        Some(list) => list.iter().filter_map(Value::as_str).collect(),
        None => vec!["basic"],
    };
    let multipart_ok = offered.contains(&"multipart");
    if !multipart_ok && !offered.contains(&"basic") {
        return Err(HubError::bad_request(
            "no supported transfer offered (this server speaks basic and multipart)",
        ));
    }
    let Some(objects) = request.get("objects").and_then(Value::as_array) else {
        return Err(HubError::bad_request("missing objects"));
    };
    let base = repo.public_base();
    let expires = sign::now_unix() + UPLOAD_URL_TTL_SECS;
    let expires_at = sign::iso_utc(expires);
    let verify_href = format!(
        "{base}/{}{}.git/info/lfs/objects/verify",
        repo.repo.repo_type.url_prefix(),
        repo.repo.full_id()
    );
    let chunk_size = repo_chunk_size(state, &repo.repo);
    let mut answers = Vec::with_capacity(objects.len());
    let mut used_multipart = false;
    for object in objects {
        let oid_value = object.get("oid").cloned().unwrap_or(Value::Null);
        let size_value = object.get("size").cloned().unwrap_or(Value::Null);
        let oid = oid_value.as_str().unwrap_or("");
        let error = |message: &str| json!({"oid": oid_value, "size": size_value, "error": {"code": 422, "message": message}});
        if !is_hex(oid, 64) {
            answers.push(error(
                "Invalid oid: expected 64 lowercase hex digits (sha256)",
            ));
            continue;
        }
        let Some(size) = size_value.as_u64() else {
            answers.push(error("Invalid size: expected a non-negative integer"));
            continue;
        };
        // Checked before any URL is signed: the answer's size is bounded by the object's.
        if size > MAX_LFS_OBJECT_SIZE {
            answers.push(error(&format!(
                "Object too large: {size} bytes, the limit is {MAX_LFS_OBJECT_SIZE}"
            )));
            continue;
        }
        // Only objects this repo may use count as present (issue 16 item 3): for any other the
        // answer is an upload, so the caller must prove they have the bytes.
        match state.store.lfs_object_in(&repo.repo, oid).await? {
            Some(stored) if stored == size => {
                answers.push(json!({"oid": oid, "size": size}));
                continue;
            }
            Some(stored) => {
                answers.push(error(&format!(
                    "Size mismatch: the stored object has {stored} bytes"
                )));
                continue;
            }
            None => {}
        }
        if multipart_ok && size.div_ceil(chunk_size.max(1)) > MAX_PARTS {
            answers.push(error(&format!(
                "Object too large for this hub: more than {MAX_PARTS} parts of {chunk_size} bytes"
            )));
            continue;
        }
        let mut upload = if multipart_ok && size >= chunk_size {
            used_multipart = true;
            multipart_action(state, &base, repo.repo.pk, oid, size, chunk_size, expires)
        } else {
            let path = format!("/_hub-lfs/basic/{oid}/{size}");
            json!({"href": signed_url(state, &base, &path, repo.repo.pk, expires)})
        };
        upload["expires_at"] = Value::String(expires_at.clone());
        answers.push(json!({
            "oid": oid,
            "size": size,
            "authenticated": true,
            "actions": {"upload": upload, "verify": {"href": verify_href}},
        }));
    }
    let transfer = if used_multipart { "multipart" } else { "basic" };
    Ok(lfs_json(
        StatusCode::OK,
        &json!({"transfer": transfer, "objects": answers, "hash_algo": "sha256"}),
    ))
}

/// The upload action of a multipart transfer: completion URL plus one signed URL per part.
fn multipart_action(
    state: &AppState,
    base: &str,
    scope: i64,
    oid: &str,
    size: u64,
    chunk: u64,
    expires: i64,
) -> Value {
    let upload_id = format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
    let parts = size.div_ceil(chunk);
    let mut header = serde_json::Map::new();
    header.insert("chunk_size".into(), Value::String(chunk.to_string()));
    for part in 1..=parts {
        let path = format!("/_hub-lfs/part/{upload_id}/{oid}/{size}/{chunk}/{part}");
        header.insert(
            part.to_string(),
            Value::String(signed_url(state, base, &path, scope, expires)),
        );
    }
    let complete = format!("/_hub-lfs/complete/{upload_id}/{oid}/{size}/{chunk}");
    json!({"href": signed_url(state, base, &complete, scope, expires), "header": header})
}

/// A transfer URL for `path`, signed together with the repo (`scope`, its primary key) the bytes
/// are uploaded for: the object becomes usable in that repo once stored.
fn signed_url(state: &AppState, base: &str, path: &str, scope: i64, expires: i64) -> String {
    let scoped = format!("{path}?repo={scope}");
    let sig = sign::sign_path(&state.signing_key[..], &scoped, expires);
    format!("{base}{scoped}&expires={expires}&sig={sig}")
}

/// `POST {prefix}{repo}.git/info/lfs/objects/verify`: 200 when the object is stored with that size
/// and usable in this repo, 404 when it is absent (or only uploaded to other repos), 422 when its
/// size differs.
async fn verify(repo: Repo<Read>, body: Bytes) -> HubResult<Response> {
    require_upload_rights(&repo.caller)?;
    let state = &repo.state;
    let request = parse_body(&body)?;
    let oid = request.get("oid").and_then(Value::as_str).unwrap_or("");
    if !is_hex(oid, 64) {
        return Err(HubError::bad_request("verify: invalid oid"));
    }
    let size = request
        .get("size")
        .and_then(Value::as_u64)
        .ok_or_else(|| HubError::bad_request("verify: invalid size"))?;
    match state.store.lfs_object_in(&repo.repo, oid).await? {
        Some(stored) if stored == size => {
            Ok(lfs_json(StatusCode::OK, &json!({"oid": oid, "size": size})))
        }
        Some(stored) => Err(HubError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("LFS object {oid} has {stored} bytes, not {size}"),
        )),
        None => Err(HubError::new(
            StatusCode::NOT_FOUND,
            format!("LFS object {oid} was not uploaded"),
        )),
    }
}
