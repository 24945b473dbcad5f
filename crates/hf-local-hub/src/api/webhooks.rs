//! Webhooks (protocol §9.4): `/api/settings/webhooks[/{id}[/enable|/disable]]`. A webhook
//! belongs to the user who created it; another user sees a 404. Changes need a write token.
//! Delivery is [`crate::webhooks`].

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::routing::{get, post};
use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

use super::AppState;
use super::error::{HubError, HubResult};
use super::repos::json_body;
use super::users::object_id_for;
use crate::auth::{Caller, Role};
use crate::storage::documents::Table;

/// Largest webhook body.
const MAX_BODY: usize = 64 * 1024;
/// Most watched items per webhook.
const MAX_WATCHED: usize = 100;
/// Most webhooks per user.
const MAX_PER_USER: usize = 100;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/settings/webhooks", get(list).post(create))
        .route(
            "/api/settings/webhooks/{id}",
            get(info).post(update).delete(delete),
        )
        .route("/api/settings/webhooks/{id}/enable", post(enable))
        .route("/api/settings/webhooks/{id}/disable", post(disable))
        .layer(DefaultBodyLimit::max(MAX_BODY))
}

/// The caller's name; with `write`, a write token is required.
fn user(state: &AppState, headers: &HeaderMap, write: bool) -> HubResult<String> {
    match state.caller(headers)? {
        Caller::Anonymous => Err(HubError::unauthorized(
            "You must be authenticated to manage webhooks",
        )),
        Caller::User {
            role: Role::Read, ..
        } if write => Err(HubError::forbidden(
            "You don't have the rights to perform this action: this token is read-only",
        )),
        Caller::User { name, .. } => Ok(name),
    }
}

fn not_found(id: &str) -> HubError {
    HubError::new(StatusCode::NOT_FOUND, format!("Webhook {id} not found"))
}

/// Checks and normalizes `watched`, `domains`, `url`, `secret` of a create body; with
/// `partial` (an update), fields sent as `null` (and an empty `watched`, as the Python client
/// sends for "unchanged") are left out, so they keep their values.
fn fields(body: &Value, partial: bool) -> HubResult<Value> {
    let mut out = serde_json::Map::new();
    let absent = |key: &str| body.get(key).is_none_or(Value::is_null);
    if !(partial && absent("url")) {
        out.insert("url".into(), json!(url_field(body)?));
    }
    if !(partial && (absent("watched") || body["watched"].as_array().is_some_and(Vec::is_empty))) {
        out.insert("watched".into(), watched_field(body)?);
    }
    if !(partial && absent("domains")) {
        out.insert("domains".into(), domains_field(body)?);
    }
    if !(partial && absent("secret")) {
        out.insert("secret".into(), secret_field(body)?);
    }
    Ok(Value::Object(out))
}

fn url_field(body: &Value) -> HubResult<String> {
    let url = match body.get("url") {
        Some(Value::String(u)) => u.clone(),
        _ if body.get("jobSourceId").is_some_and(|j| !j.is_null()) => {
            return Err(HubError::bad_request(
                "job-triggering webhooks are not supported by this hub",
            ));
        }
        _ => return Err(HubError::bad_request("missing \"url\"")),
    };
    let parsed = url::Url::parse(&url)
        .map_err(|e| HubError::bad_request(format!("invalid webhook url: {e}")))?;
    if url.len() > 2048 || !matches!(parsed.scheme(), "http" | "https") {
        return Err(HubError::bad_request(
            "the webhook url must be an http(s) URL of at most 2048 characters",
        ));
    }
    Ok(url)
}

fn watched_field(body: &Value) -> HubResult<Value> {
    let watched = body
        .get("watched")
        .and_then(Value::as_array)
        .ok_or_else(|| HubError::bad_request("missing \"watched\""))?;
    if watched.is_empty() || watched.len() > MAX_WATCHED {
        return Err(HubError::bad_request(format!(
            "\"watched\" needs 1 to {MAX_WATCHED} items"
        )));
    }
    let mut items = Vec::new();
    for w in watched {
        let kind = w["type"].as_str().unwrap_or("");
        let name = w["name"].as_str().unwrap_or("");
        let ok = match kind {
            "user" | "org" => !name.is_empty() && name.len() <= 96 && !name.contains('/'),
            "model" | "dataset" | "space" => {
                name.parse::<hf_types::RepoId>().is_ok() && name.contains('/')
            }
            _ => false,
        };
        if !ok {
            return Err(HubError::bad_request(format!(
                "invalid watched item {w}: expected {{\"type\": user|org|model|dataset|space, \"name\"}}"
            )));
        }
        items.push(json!({"type": kind, "name": name}));
    }
    Ok(Value::Array(items))
}

fn domains_field(body: &Value) -> HubResult<Value> {
    let domains = match body.get("domains") {
        None | Some(Value::Null) => vec![json!("repo"), json!("discussion")],
        Some(Value::Array(d)) => {
            let mut out = Vec::new();
            for v in d {
                match v.as_str() {
                    Some("repo") => out.push(json!("repo")),
                    Some("discussion" | "discussions") => out.push(json!("discussion")),
                    _ => {
                        return Err(HubError::bad_request(format!(
                            "invalid domain {v}: expected repo or discussion"
                        )));
                    }
                }
            }
            out
        }
        Some(other) => return Err(HubError::bad_request(format!("invalid domains {other}"))),
    };
    Ok(Value::Array(domains))
}

fn secret_field(body: &Value) -> HubResult<Value> {
    Ok(match body.get("secret") {
        None | Some(Value::Null) => Value::Null,
        Some(Value::String(s)) if s.len() <= 256 => json!(s),
        Some(_) => {
            return Err(HubError::bad_request(
                "the secret must be a string of at most 256 characters",
            ));
        }
    })
}

async fn list(State(state): State<AppState>, headers: HeaderMap) -> HubResult<Json<Value>> {
    let me = user(&state, &headers, false)?;
    let hooks = state.store.doc_list(Table::Webhooks, Some(me)).await?;
    Ok(Json(Value::Array(
        hooks.into_iter().map(|(_, h)| h).collect(),
    )))
}

async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> HubResult<Json<Value>> {
    let me = user(&state, &headers, true)?;
    let body: Value = json_body(&body)?;
    let mut hook = fields(&body, false)?;
    if state
        .store
        .doc_list(Table::Webhooks, Some(me.clone()))
        .await?
        .len()
        >= MAX_PER_USER
    {
        return Err(HubError::bad_request(format!(
            "at most {MAX_PER_USER} webhooks per user"
        )));
    }
    let id = object_id_for(&format!(
        "webhook:{me}:{}:{}",
        crate::storage::now_ms(),
        fastrand::u64(..)
    ));
    hook["id"] = json!(id);
    hook["disabled"] = json!(false);
    hook["job"] = Value::Null;
    state
        .store
        .doc_put(Table::Webhooks, id, me, hook.clone())
        .await?;
    Ok(Json(json!({"webhook": hook})))
}

/// Loads the caller's webhook `id` (404 when missing or someone else's).
async fn owned(state: &AppState, me: &str, id: &str) -> HubResult<Value> {
    if id.len() > 64 {
        return Err(not_found(id));
    }
    match state.store.doc_get(Table::Webhooks, id.to_owned()).await? {
        Some((owner, hook)) if owner == me => Ok(hook),
        _ => Err(not_found(id)),
    }
}

async fn info(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> HubResult<Json<Value>> {
    let me = user(&state, &headers, false)?;
    Ok(Json(json!({"webhook": owned(&state, &me, &id).await?})))
}

/// Replaces the webhook's fields with `change` (after checking ownership).
async fn change(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
    change: impl FnOnce(&mut Value) + Send + 'static,
) -> HubResult<Json<Value>> {
    let me = user(state, headers, true)?;
    owned(state, &me, id).await?;
    let hook = state
        .store
        .doc_update(Table::Webhooks, id.to_owned(), move |hook| {
            change(hook);
            Ok(hook.clone())
        })
        .await?
        .ok_or_else(|| not_found(id))?;
    Ok(Json(json!({"webhook": hook})))
}

async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> HubResult<Json<Value>> {
    let body: Value = json_body(&body)?;
    let new = fields(&body, true)?;
    change(&state, &headers, &id, move |hook| {
        if let (Value::Object(hook), Value::Object(new)) = (hook, new) {
            hook.extend(new);
        }
    })
    .await
}

async fn enable(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> HubResult<Json<Value>> {
    change(&state, &headers, &id, |hook| {
        hook["disabled"] = json!(false)
    })
    .await
}

async fn disable(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> HubResult<Json<Value>> {
    change(&state, &headers, &id, |hook| hook["disabled"] = json!(true)).await
}

async fn delete(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> HubResult<Json<Value>> {
    let me = user(&state, &headers, true)?;
    owned(&state, &me, &id).await?;
    state.store.doc_delete(Table::Webhooks, id).await?;
    Ok(Json(json!({})))
}
