//! LFS file management (issue 15, protocol §3.8): `GET /api/{t}/{id}/lfs-files` lists the LFS objects a
//! repo's history references (paginated with a `Link` header; read access), `POST .../lfs-files/batch`
//! deletes some of them permanently (write access). See `storage/lfs_files.rs` for what deletion does.

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use http::Uri;
use serde::Deserialize;
use serde_json::{Value, json};

use super::Access;
use super::context::{Read, Repo, RepoRequest, RepoRoutes};
use super::error::{HubError, HubResult};
use super::repos::{decode_cursor, iso_ms, next_link};
use super::{AppState, QueryPairs};
use crate::storage::is_hex;

/// Items per page of the listing.
const PAGE_SIZE: usize = 100;
/// Most shas in one deletion request (what the Python client sends at most).
const MAX_DELETIONS: usize = 1000;
/// Largest deletion request body (1000 shas take about 70 kB).
const MAX_BODY: usize = 256 * 1024;

/// The lfs-files routes.
pub(crate) fn router() -> Router<AppState> {
    let repo = "/api/{t}/{ns}/{name}";
    Router::new()
        .repo_route(&format!("{repo}/lfs-files"), get(list))
        .repo_route(
            &format!("{repo}/lfs-files/batch"),
            post(delete).layer(DefaultBodyLimit::max(MAX_BODY)),
        )
}

/// `GET /api/{t}/{ns}/{name}/lfs-files`.
async fn list(repo: Repo<Read>, uri: Uri) -> HubResult<Response> {
    let q = QueryPairs::parse(uri.query());
    let offset = decode_cursor(&q)?;
    let files = repo.state.store.lfs_files(&repo.repo).await?;
    let total = files.len();
    let page: Vec<Value> = files
        .into_iter()
        .skip(offset)
        .take(PAGE_SIZE)
        .map(|f| {
            json!({"fileOid": f.sha256, "filename": f.filename, "oid": f.pointer_oid,
                   "pushedAt": iso_ms(f.pushed_ms), "size": f.size})
        })
        .collect();
    let sent = offset + page.len();
    let mut resp = Json(Value::Array(page)).into_response();
    if sent < total {
        resp.headers_mut().insert(
            http::header::LINK,
            next_link(&repo.public_base(), &uri, &q, sent),
        );
    }
    Ok(resp)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Deletions {
    sha: Vec<String>,
    #[serde(default = "yes")]
    rewrite_history: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
struct DeleteBody {
    deletions: Deletions,
}

/// `POST /api/{t}/{ns}/{name}/lfs-files/batch` with `{"deletions": {"sha": [...], "rewriteHistory": bool}}`.
async fn delete(request: RepoRequest, body: Bytes) -> HubResult<Json<Value>> {
    // The body is read before the access check answers: a refusal that left it unread would close
    // the keep-alive connection under the client's next request.
    let repo = request.load(Access::Write).await?;
    let body: DeleteBody = serde_json::from_slice(&body)
        .map_err(|e| HubError::bad_request(format!("invalid lfs-files deletion request: {e}")))?;
    let Deletions {
        sha,
        rewrite_history,
    } = body.deletions;
    if sha.len() > MAX_DELETIONS {
        return Err(HubError::bad_request(format!(
            "at most {MAX_DELETIONS} shas per request, got {}",
            sha.len()
        )));
    }
    if let Some(bad) = sha.iter().find(|s| !is_hex(s, 64)) {
        let shown: String = bad.chars().take(80).collect();
        return Err(HubError::bad_request(format!(
            "invalid sha {shown:?}: expected 64 lowercase hex digits (sha256)"
        )));
    }
    repo.state
        .store
        .delete_lfs_files(&repo.repo, sha, rewrite_history)
        .await?;
    Ok(Json(json!({"success": true})))
}
