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
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{post, put};
use hf_types::RepoType;
use http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use serde_json::{Value, json};

use super::error::{HubError, HubResult};
use super::{Access, AppState};
use crate::auth::{Caller, Role};
use crate::storage::is_hex;

/// Default size of multipart parts, and the object size from which multipart is advertised
/// (configurable per hub: `LocalHubBuilder::multipart_chunk_size`).
pub const MULTIPART_CHUNK_SIZE: u64 = 64 * 1024 * 1024;

/// How long transfer URLs stay valid.
pub const UPLOAD_URL_TTL_SECS: i64 = 3600;

/// Content type of LFS batch requests and answers.
pub const LFS_CONTENT_TYPE: &str = "application/vnd.git-lfs+json";

/// Largest batch or verify request body.
const MAX_BATCH_BODY: usize = 8 * 1024 * 1024;

/// Routes of the LFS batch API and transfers.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/{ns}/{name}/info/lfs/objects/batch", post(batch_model))
        .route(
            "/datasets/{ns}/{name}/info/lfs/objects/batch",
            post(batch_dataset),
        )
        .route(
            "/spaces/{ns}/{name}/info/lfs/objects/batch",
            post(batch_space),
        )
        .route("/{ns}/{name}/info/lfs/objects/verify", post(verify_model))
        .route(
            "/datasets/{ns}/{name}/info/lfs/objects/verify",
            post(verify_dataset),
        )
        .route(
            "/spaces/{ns}/{name}/info/lfs/objects/verify",
            post(verify_space),
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

/// `name.git` to `name` (the `.git` suffix is how git addresses the repo).
fn strip_git(name: &str) -> HubResult<&str> {
    name.strip_suffix(".git")
        .filter(|n| !n.is_empty())
        .ok_or_else(|| HubError::new(StatusCode::NOT_FOUND, "LFS routes end in {repo}.git"))
}

/// Everything a batch or verify handler needs from the request.
struct LfsRequest {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
}

/// Defines the handler of one route family: `$inner` with the repo type fixed.
macro_rules! lfs_handler {
    ($fn_name:ident, $inner:ident, $repo_type:expr) => {
        async fn $fn_name(
            State(state): State<AppState>,
            Path((ns, name)): Path<(String, String)>,
            method: Method,
            uri: Uri,
            headers: HeaderMap,
            body: Bytes,
        ) -> HubResult<Response> {
            let req = LfsRequest {
                method,
                uri,
                headers,
                body,
            };
            $inner(state, $repo_type, &ns, strip_git(&name)?, req).await
        }
    };
}

lfs_handler!(batch_model, batch, RepoType::Model);
lfs_handler!(batch_dataset, batch, RepoType::Dataset);
lfs_handler!(batch_space, batch, RepoType::Space);
lfs_handler!(verify_model, verify, RepoType::Model);
lfs_handler!(verify_dataset, verify, RepoType::Dataset);
lfs_handler!(verify_space, verify, RepoType::Space);

/// Loads the repo for an LFS call: a write token is required. Pushing objects for a pull request
/// (the batch of a `create_pr` commit carries no ref) needs only read access to the repo, as on the Hub.
async fn lfs_repo(
    state: &AppState,
    repo_type: RepoType,
    ns: &str,
    name: &str,
    req: &LfsRequest,
) -> HubResult<Caller> {
    let caller = state.caller(&req.headers)?;
    let full_id = format!("{ns}/{name}");
    state
        .load_repo(
            &caller,
            &req.method,
            &req.uri,
            repo_type,
            &full_id,
            Access::Read,
        )
        .await?;
    match &caller {
        Caller::Anonymous => Err(HubError::unauthorized(
            "You must be authenticated to upload files",
        )),
        Caller::User {
            role: Role::Read, ..
        } => Err(HubError::forbidden(
            "You don't have the rights to perform this action: this token is read-only",
        )),
        Caller::User { .. } => Ok(caller),
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
async fn batch(
    state: AppState,
    repo_type: RepoType,
    ns: &str,
    name: &str,
    req: LfsRequest,
) -> HubResult<Response> {
    lfs_repo(&state, repo_type, ns, name, &req).await?;
    let request = parse_body(&req.body)?;
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
    let base = state.public_base(&req.headers);
    let expires = sign::now_unix() + UPLOAD_URL_TTL_SECS;
    let expires_at = sign::iso_utc(expires);
    let verify_href = format!(
        "{base}/{}{ns}/{name}.git/info/lfs/objects/verify",
        repo_type.url_prefix()
    );
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
        match state.store.lfs_object(oid).await? {
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
        let mut upload = if multipart_ok && size >= state.multipart_chunk_size {
            used_multipart = true;
            multipart_action(&state, &base, oid, size, expires)
        } else {
            let path = format!("/_hub-lfs/basic/{oid}/{size}");
            json!({"href": signed_url(&state, &base, &path, expires)})
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
fn multipart_action(state: &AppState, base: &str, oid: &str, size: u64, expires: i64) -> Value {
    let upload_id = format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
    let chunk = state.multipart_chunk_size;
    let parts = size.div_ceil(chunk);
    let mut header = serde_json::Map::new();
    header.insert("chunk_size".into(), Value::String(chunk.to_string()));
    for part in 1..=parts {
        let path = format!("/_hub-lfs/part/{upload_id}/{oid}/{size}/{chunk}/{part}");
        header.insert(
            part.to_string(),
            Value::String(signed_url(state, base, &path, expires)),
        );
    }
    let complete = format!("/_hub-lfs/complete/{upload_id}/{oid}/{size}/{chunk}");
    json!({"href": signed_url(state, base, &complete, expires), "header": header})
}

fn signed_url(state: &AppState, base: &str, path: &str, expires: i64) -> String {
    let sig = sign::sign_path(&state.signing_key[..], path, expires);
    format!("{base}{path}?expires={expires}&sig={sig}")
}

/// `POST {prefix}{repo}.git/info/lfs/objects/verify`: 200 when the object is stored with that size,
/// 404 when it is absent, 422 when its size differs.
async fn verify(
    state: AppState,
    repo_type: RepoType,
    ns: &str,
    name: &str,
    req: LfsRequest,
) -> HubResult<Response> {
    lfs_repo(&state, repo_type, ns, name, &req).await?;
    let request = parse_body(&req.body)?;
    let oid = request.get("oid").and_then(Value::as_str).unwrap_or("");
    if !is_hex(oid, 64) {
        return Err(HubError::bad_request("verify: invalid oid"));
    }
    let size = request
        .get("size")
        .and_then(Value::as_u64)
        .ok_or_else(|| HubError::bad_request("verify: invalid size"))?;
    match state.store.lfs_object(oid).await? {
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
