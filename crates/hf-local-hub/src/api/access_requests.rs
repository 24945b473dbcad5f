//! Gated repos (protocol §9.5): a user asks for access (`POST {prefix}{repo}/ask-access`, the Hub's
//! gate form); repo admins list, accept, reject, cancel and grant requests
//! (`/api/{type}/{repo}/user-access-request/...`). With `gated = auto` a request is accepted at
//! once, with `manual` it waits for an admin. The download check is `Access::Content` (api/mod.rs).

use axum::Router;
use axum::extract::{DefaultBodyLimit, Path};
use axum::response::Json;
use axum::routing::{get, post};
use bytes::Bytes;
use http::HeaderMap;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::AppState;
use super::context::{Read, Repo, RepoRoutes, Write, per_type};
use super::error::{HubError, HubResult};
use super::repos::iso_ms;
use crate::auth::{Caller, Role};
use crate::storage::AccessRequestRecord;

/// Largest body of an access request call.
const MAX_BODY: usize = 64 * 1024;
/// Most answers in a gate form, and the longest answer.
const MAX_FIELDS: usize = 32;
const MAX_FIELD_LEN: usize = 1000;
/// Longest rejection reason (the Python client documents 200 characters).
const MAX_REASON: usize = 200;
/// Longest user name accepted.
const MAX_USER: usize = 96;

/// The access request routes.
pub(crate) fn router() -> Router<AppState> {
    let base = "/api/{t}/{ns}/{name}/user-access-request";
    let router = Router::new()
        .repo_route(&format!("{base}/handle"), post(handle))
        .repo_route(&format!("{base}/grant"), post(grant))
        .repo_route(&format!("{base}/{{status}}"), get(list));
    per_type(router, "/{ns}/{name}/ask-access", post(ask_access), false)
        .layer(DefaultBodyLimit::max(MAX_BODY))
}

fn request_json(base: &str, r: &AccessRequestRecord) -> Value {
    let mut o = json!({
        "user": {"user": r.user, "fullname": r.user, "avatarUrl": format!("{base}/avatars/{}.svg", r.user)},
        "status": r.status,
        "timestamp": iso_ms(r.updated_ms),
    });
    if let Some(fields) = &r.fields {
        o["fields"] = fields.clone();
    }
    if let Some(reason) = &r.rejection_reason {
        o["rejectionReason"] = json!(reason);
    }
    o
}

#[derive(Deserialize)]
struct StatusParam {
    status: String,
}

fn check_status(status: &str) -> HubResult<&'static str> {
    match status {
        "pending" => Ok("pending"),
        "accepted" => Ok("accepted"),
        "rejected" => Ok("rejected"),
        other => Err(HubError::bad_request(format!(
            "invalid status {other:?}: expected pending, accepted or rejected"
        ))),
    }
}

/// `GET .../user-access-request/{pending|accepted|rejected}` (admins).
async fn list(
    repo: Repo<Write>,
    Path(StatusParam { status }): Path<StatusParam>,
) -> HubResult<Json<Value>> {
    let status = check_status(&status)?;
    let base = repo.public_base();
    let requests = repo.state.store.access_requests(&repo.repo, status).await?;
    Ok(Json(Value::Array(
        requests.iter().map(|r| request_json(&base, r)).collect(),
    )))
}

fn json_object(body: &Bytes) -> HubResult<Map<String, Value>> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(o)) => Ok(o),
        _ => Err(HubError::bad_request("expected a JSON object body")),
    }
}

fn user_field(body: &Map<String, Value>) -> HubResult<String> {
    match body.get("user") {
        Some(Value::String(u)) if !u.trim().is_empty() && u.len() <= MAX_USER => {
            Ok(u.trim().to_owned())
        }
        _ => Err(HubError::bad_request("user must be a user name")),
    }
}

/// `POST .../user-access-request/handle` `{"user", "status", "rejectionReason"?}` (admins).
async fn handle(repo: Repo<Write>, body: Bytes) -> HubResult<Json<Value>> {
    let body = json_object(&body)?;
    let user = user_field(&body)?;
    let status = check_status(body.get("status").and_then(Value::as_str).unwrap_or(""))?;
    let reason = match body.get("rejectionReason") {
        None | Some(Value::Null) => None,
        Some(Value::String(r)) if status == "rejected" && r.chars().count() <= MAX_REASON => {
            Some(r.clone())
        }
        Some(Value::String(_)) if status == "rejected" => {
            return Err(HubError::bad_request(format!(
                "rejectionReason is longer than {MAX_REASON} characters"
            )));
        }
        Some(_) => {
            return Err(HubError::bad_request(
                "rejectionReason is a string, allowed only when rejecting",
            ));
        }
    };
    let record = repo
        .state
        .store
        .handle_access_request(&repo.repo, &user, status, reason)
        .await?;
    Ok(Json(request_json(&repo.public_base(), &record)))
}

/// `POST .../user-access-request/grant` `{"user"}` (admins): access without a request.
async fn grant(repo: Repo<Write>, body: Bytes) -> HubResult<Json<Value>> {
    let body = json_object(&body)?;
    let user = user_field(&body)?;
    if !repo.state.auth.is_user(&user) {
        return Err(HubError::new(
            http::StatusCode::NOT_FOUND,
            format!("User {user:?} not found"),
        ));
    }
    let record = repo.state.store.grant_access(&repo.repo, &user).await?;
    Ok(Json(request_json(&repo.public_base(), &record)))
}

/// The gate form's answers: a JSON object of strings, or a urlencoded form.
fn form_fields(headers: &HeaderMap, body: &Bytes) -> HubResult<Option<Value>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let is_json = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let pairs: Vec<(String, Value)> = if is_json {
        json_object(body)?.into_iter().collect()
    } else {
        url::form_urlencoded::parse(body)
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect()
    };
    if pairs.len() > MAX_FIELDS {
        return Err(HubError::bad_request(format!(
            "at most {MAX_FIELDS} form fields"
        )));
    }
    let mut out = Map::new();
    for (k, v) in pairs {
        let ok = k.len() <= MAX_FIELD_LEN
            && match &v {
                Value::String(s) => s.len() <= MAX_FIELD_LEN,
                Value::Bool(_) | Value::Number(_) => true,
                _ => false,
            };
        if !ok {
            return Err(HubError::bad_request(format!(
                "form field {k:?} must be a string of at most {MAX_FIELD_LEN} bytes"
            )));
        }
        out.insert(k, v);
    }
    Ok(Some(Value::Object(out)))
}

/// `POST {prefix}{repo}/ask-access`: the caller asks for access; answers `{"status"}`.
async fn ask_access(repo: Repo<Read>, headers: HeaderMap, body: Bytes) -> HubResult<Json<Value>> {
    let user = match &repo.caller {
        Caller::Anonymous => {
            return Err(HubError::unauthorized(
                "You must be authenticated to ask for access",
            ));
        }
        Caller::User {
            role: Role::Read, ..
        } => {
            return Err(HubError::forbidden(
                "You don't have the rights to perform this action: this token is read-only",
            ));
        }
        Caller::User { name, .. } => name.clone(),
    };
    let status = match repo.repo.gated.as_deref() {
        Some("auto") => "accepted",
        Some(_) => "pending",
        None => return Err(HubError::bad_request("This repository is not gated")),
    };
    let fields = form_fields(&headers, &body)?;
    let record = repo
        .state
        .store
        .request_access(&repo.repo, &user, status, fields)
        .await?;
    Ok(Json(request_json(&repo.public_base(), &record)))
}
