//! The transfer URLs handed out by the batch API: basic `PUT`, multipart part `PUT`s and the multipart
//! completion `POST`. No credentials arrive here; each URL carries its own signature and expiry.

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, StatusCode, Uri};
use serde::Deserialize;

use super::sign::{self, SignatureError};
use crate::api::AppState;
use crate::api::error::{HubError, HubResult};
use crate::storage::is_hex;

/// Checks the URL's signature (403 when missing, tampered or expired) and the signed oid. Returns
/// the signed repo scope (`repo=PK`, the repo whose batch handed out the URL), if any.
fn authorise(state: &AppState, uri: &Uri, oid: &str) -> HubResult<Option<i64>> {
    let scope = url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "repo")
        .map(|(_, v)| v.parse::<i64>())
        .transpose()
        .map_err(|_| HubError::forbidden("invalid upload URL scope"))?;
    let signed = match scope {
        Some(pk) => format!("{}?repo={pk}", uri.path()),
        None => uri.path().to_owned(),
    };
    sign::verify_signed_path(
        &state.signing_key[..],
        &signed,
        uri.query(),
        sign::now_unix(),
    )
    .map_err(|e: SignatureError| HubError::forbidden(e.to_string()))?;
    if !is_hex(oid, 64) {
        return Err(HubError::bad_request("invalid oid"));
    }
    Ok(scope)
}

/// Makes a stored object usable in the repo its transfer URL was signed for (issue 16 item 3).
async fn grant(state: &AppState, scope: Option<i64>, oid: &str) -> HubResult<()> {
    if let Some(pk) = scope {
        state.store.grant_lfs(pk, oid).await?;
    }
    Ok(())
}

fn number(value: &str, what: &str) -> HubResult<u64> {
    value
        .parse()
        .map_err(|_| HubError::bad_request(format!("invalid {what} {value:?}")))
}

/// A declared `Content-Length` different from the expected size is refused before reading the body.
fn check_content_length(headers: &HeaderMap, expected: u64) -> HubResult<()> {
    let declared = headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(len) if len != expected => Err(HubError::bad_request(format!(
            "size mismatch: Content-Length is {len}, expected {expected} bytes"
        ))),
        _ => Ok(()),
    }
}

/// `PUT /_hub-lfs/basic/{oid}/{size}`: streams the body into the store while hashing; stored only when
/// the sha256 and size match (400 otherwise, and nothing is kept).
pub(super) async fn basic_put(
    State(state): State<AppState>,
    Path((oid, size)): Path<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> HubResult<Response> {
    let scope = authorise(&state, &uri, &oid)?;
    let size = number(&size, "size")?;
    check_content_length(&headers, size)?;
    state
        .store
        .lfs_ingest(&oid, Some(size), body.into_data_stream())
        .await?;
    grant(&state, scope, &oid).await?;
    Ok(StatusCode::OK.into_response())
}

/// Number of parts and the exact length of part `part` (1-based) of an object.
fn part_len(size: u64, chunk: u64, part: u64) -> HubResult<u64> {
    if chunk == 0 {
        return Err(HubError::bad_request("invalid chunk size"));
    }
    let parts = size.div_ceil(chunk);
    if part == 0 || part > parts {
        return Err(HubError::bad_request(format!(
            "part {part} out of range 1..={parts}"
        )));
    }
    Ok(if part < parts {
        chunk
    } else {
        size - chunk * (parts - 1)
    })
}

/// `PUT /_hub-lfs/part/{upload}/{oid}/{size}/{chunk}/{part}`: writes one part at its offset in
/// the upload's staging file and answers its `ETag` (a quoted random token the completion checks).
pub(super) async fn part_put(
    State(state): State<AppState>,
    Path((upload, oid, size, chunk, part)): Path<(String, String, String, String, String)>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> HubResult<Response> {
    authorise(&state, &uri, &oid)?;
    let (size, chunk, part) = (
        number(&size, "size")?,
        number(&chunk, "chunk size")?,
        number(&part, "part number")?,
    );
    let expected = part_len(size, chunk, part)?;
    check_content_length(&headers, expected)?;
    let part = u32::try_from(part).map_err(|_| HubError::bad_request("part number too large"))?;
    let sha = state
        .store
        .stage_part(&upload, part, chunk, size, body.into_data_stream())
        .await?;
    let mut resp = StatusCode::OK.into_response();
    let etag = HeaderValue::from_str(&format!("\"{sha}\""))
        .map_err(|e| HubError::internal(format!("bad ETag: {e}")))?;
    resp.headers_mut().insert(http::header::ETAG, etag);
    Ok(resp)
}

#[derive(Deserialize)]
struct Completion {
    oid: String,
    parts: Vec<CompletedPart>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CompletedPart {
    part_number: u32,
    etag: String,
}

/// `POST /_hub-lfs/complete/{upload}/{oid}/{size}/{chunk}`: checks the parts' ETags, then the
/// staged file's sha256 and size (one pass), and stores the object atomically. Missing, extra or wrong parts: 400.
pub(super) async fn complete(
    State(state): State<AppState>,
    Path((upload, oid, size, chunk)): Path<(String, String, String, String)>,
    uri: Uri,
    body: Bytes,
) -> HubResult<Response> {
    let scope = authorise(&state, &uri, &oid)?;
    let (size, chunk) = (number(&size, "size")?, number(&chunk, "chunk size")?);
    let request: Completion = serde_json::from_slice(&body)
        .map_err(|e| HubError::bad_request(format!("invalid completion request: {e}")))?;
    if request.oid != oid {
        return Err(HubError::bad_request(format!(
            "completion oid {} does not match the upload's {oid}",
            request.oid
        )));
    }
    let expected_parts = size.div_ceil(chunk.max(1));
    if request.parts.len() as u64 != expected_parts {
        return Err(HubError::bad_request(format!(
            "expected {expected_parts} parts, got {}",
            request.parts.len()
        )));
    }
    let parts = request
        .parts
        .into_iter()
        .map(|p| (p.part_number, p.etag))
        .collect();
    state
        .store
        .assemble_parts(&upload, &oid, size, chunk, parts)
        .await?;
    grant(&state, scope, &oid).await?;
    let mut resp = (
        StatusCode::OK,
        serde_json::json!({"oid": oid, "size": size}).to_string(),
    )
        .into_response();
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static(super::LFS_CONTENT_TYPE),
    );
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_lengths() {
        assert_eq!(part_len(10, 4, 1).unwrap(), 4);
        assert_eq!(part_len(10, 4, 3).unwrap(), 2);
        assert_eq!(part_len(8, 4, 2).unwrap(), 4);
        assert!(part_len(8, 4, 3).is_err());
        assert!(part_len(8, 4, 0).is_err());
        assert!(part_len(8, 0, 1).is_err());
    }
}
