//! A simulated Inference Endpoints API (protocol §8), served under `/api/inference-endpoints/v2`
//! on the hub's own address, so clients point their Endpoints base at
//! `{hub}/api/inference-endpoints/v2`.
//!
//! Endpoints are stored for real (`storage/endpoints.rs`); their status is computed on read from
//! the last transition and its time with the configured [`EndpointDelays`]: `pending` →
//! `initializing` → `running` after a deploy or resume, `updating` → `running` after an update;
//! `paused`, `scaledToZero`, `failed` and `updateFailed` stay until the next action. An endpoint
//! whose repository does not exist on the hub (or is hidden from its creator) is `failed`. The
//! URL is set only while running and points at `/api/inference-endpoints/v2/serve/{ns}/{name}`,
//! whose `/health` answers 200 while running (what the Python client's `wait()` polls).
//!
//! Access: only members of a namespace see its endpoints (401 anonymous, 403 otherwise);
//! changes also need a write token. Endpoints are not repos, so the repo-context extractor does
//! not apply: the namespace check is done here.

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::routing::{get, post};
use axum::{Json, body::Bytes};
use hf_types::RepoType;
use http::{HeaderMap, StatusCode};
use serde_json::{Map, Value, json};

use super::AppState;
use super::error::{HubError, HubResult};
use super::users::object_id_for;
use crate::auth::Caller;
use crate::storage::{EndpointRecord, RepoLookup};

/// Largest request body of this API.
const MAX_BODY: usize = 256 * 1024;
/// Longest accepted string field (names, ids, regions, ...).
const MAX_STRING: usize = 256;
/// Most entries of `env`, `secrets` and `tags`.
const MAX_ENTRIES: usize = 100;
/// Longest accepted env or secret value.
const MAX_VALUE: usize = 16 * 1024;
/// Longest endpoint name (the real API's limit).
const MAX_NAME: usize = 32;
/// Most replicas accepted.
const MAX_REPLICA: u64 = 100;
/// Accelerators the simulated API knows.
const ACCELERATORS: [&str; 3] = ["cpu", "gpu", "neuron"];
/// Endpoint types.
const TYPES: [&str; 3] = ["public", "protected", "private"];

/// How long the simulated transitions take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointDelays {
    /// Time in `pending` after a deploy or resume.
    pub pending: Duration,
    /// Time in `initializing` after `pending`.
    pub initializing: Duration,
    /// Time in `updating` after an update.
    pub updating: Duration,
}

impl Default for EndpointDelays {
    /// Short delays: the status machine is visible, but a deploy is running within a second.
    fn default() -> Self {
        EndpointDelays {
            pending: Duration::from_millis(200),
            initializing: Duration::from_millis(300),
            updating: Duration::from_millis(200),
        }
    }
}

/// The routes of this API.
pub fn router() -> Router<AppState> {
    let base = "/api/inference-endpoints/v2";
    Router::new()
        .route(&format!("{base}/endpoint/{{ns}}"), get(list).post(create))
        .route(
            &format!("{base}/endpoint/{{ns}}/{{name}}"),
            get(get_one).put(update).delete(delete),
        )
        .route(
            &format!("{base}/endpoint/{{ns}}/{{name}}/{{action}}"),
            post(action),
        )
        .route(&format!("{base}/serve/{{ns}}/{{name}}/health"), get(health))
        .layer(DefaultBodyLimit::max(MAX_BODY))
}

/// The caller's name when they may see `namespace`'s endpoints.
fn reader(state: &AppState, headers: &HeaderMap, namespace: &str) -> HubResult<String> {
    match state.caller(headers)? {
        Caller::Anonymous => Err(HubError::unauthorized(
            "You must be authenticated to access Inference Endpoints",
        )),
        Caller::User { name, .. } if state.auth.owns_namespace(&name, namespace) => Ok(name),
        Caller::User { .. } => Err(HubError::forbidden(format!(
            "You are not a member of {namespace}: you cannot access its Inference Endpoints"
        ))),
    }
}

/// The caller's name when they may change `namespace`'s endpoints (write token of a member).
fn writer(state: &AppState, headers: &HeaderMap, namespace: &str) -> HubResult<(Caller, String)> {
    let caller = state.caller(headers)?;
    let name = state.auth.require_write(&caller, namespace)?;
    Ok((caller, name))
}

fn not_found(namespace: &str, name: &str) -> HubError {
    HubError::new(
        StatusCode::NOT_FOUND,
        format!("Inference Endpoint {namespace}/{name} not found"),
    )
}

async fn load(state: &AppState, namespace: &str, name: &str) -> HubResult<EndpointRecord> {
    state
        .store
        .endpoint(namespace, name)
        .await?
        .ok_or_else(|| not_found(namespace, name))
}

fn now_ms() -> i64 {
    crate::storage::now_ms()
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// The current state, derived from the last transition and the delays.
fn current_state(record: &EndpointRecord, delays: &EndpointDelays, now: i64) -> &'static str {
    let elapsed = now.saturating_sub(record.transition_ms);
    match record.phase.as_str() {
        "deploying" if elapsed < ms(delays.pending) => "pending",
        "deploying" if elapsed < ms(delays.pending).saturating_add(ms(delays.initializing)) => {
            "initializing"
        }
        "deploying" => "running",
        "updating" if elapsed < ms(delays.updating) => "updating",
        "updating" => "running",
        "paused" => "paused",
        "scaledToZero" => "scaledToZero",
        "updateFailed" => "updateFailed",
        _ => "failed",
    }
}

fn timestamp(ms: i64) -> String {
    let nanos = i128::from(ms) * 1_000_000;
    time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .map(hf_types::timestamp::format)
        .unwrap_or_default()
}

fn user_ref(name: &str) -> Value {
    json!({"id": object_id_for(name), "name": name})
}

/// The endpoint object as the API returns it (secrets are never sent back).
fn render(state: &AppState, headers: &HeaderMap, record: &EndpointRecord) -> Value {
    let now = now_ms();
    let current = current_state(record, &state.endpoint_delays, now);
    let mut out = record.spec.clone();
    if let Some(model) = out.get_mut("model").and_then(Value::as_object_mut) {
        model.remove("secrets");
        // The Python client reads these keys unconditionally: present, `null` when unset.
        for key in ["revision", "task"] {
            model.entry(key).or_insert(Value::Null);
        }
    }
    let replicas = record
        .spec
        .pointer("/compute/scaling/minReplica")
        .and_then(Value::as_u64)
        .unwrap_or(1)
        .max(1);
    let running = current == "running";
    let message = match (current, &record.message) {
        (_, Some(message)) if current.ends_with("ailed") => message.clone(),
        ("running", _) => "Endpoint is ready".to_owned(),
        ("paused", _) => "Endpoint is paused".to_owned(),
        ("scaledToZero", _) => "Endpoint is scaled to zero".to_owned(),
        (other, _) => format!("Endpoint is {other}"),
    };
    let mut status = json!({
        "createdAt": timestamp(record.created_ms),
        "createdBy": user_ref(&record.created_by),
        "updatedAt": timestamp(record.updated_ms),
        "updatedBy": user_ref(&record.updated_by),
        "private": null,
        "state": current,
        "message": message,
        "readyReplica": if running { replicas } else { 0 },
        "targetReplica": if running || current == "updating" { replicas } else { 0 },
    });
    if running && let Some(status) = status.as_object_mut() {
        status.insert(
            "url".into(),
            Value::String(format!(
                "{}/api/inference-endpoints/v2/serve/{}/{}",
                state.public_base(headers),
                record.namespace,
                record.name
            )),
        );
    }
    if let Some(obj) = out.as_object_mut() {
        obj.insert("healthRoute".into(), Value::String("/health".into()));
        obj.insert("status".into(), status);
    }
    out
}

/// `GET .../endpoint/{ns}`.
async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(namespace): Path<String>,
) -> HubResult<Json<Value>> {
    reader(&state, &headers, &namespace)?;
    let items: Vec<Value> = state
        .store
        .endpoints(&namespace)
        .await?
        .iter()
        .map(|r| render(&state, &headers, r))
        .collect();
    Ok(Json(json!({ "items": items })))
}

/// `GET .../endpoint/{ns}/{name}`.
async fn get_one(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((namespace, name)): Path<(String, String)>,
) -> HubResult<Json<Value>> {
    reader(&state, &headers, &namespace)?;
    let record = load(&state, &namespace, &name).await?;
    Ok(Json(render(&state, &headers, &record)))
}

/// `DELETE .../endpoint/{ns}/{name}`.
async fn delete(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((namespace, name)): Path<(String, String)>,
) -> HubResult<Json<Value>> {
    writer(&state, &headers, &namespace)?;
    if !state.store.delete_endpoint(&namespace, &name).await? {
        return Err(not_found(&namespace, &name));
    }
    Ok(Json(json!({})))
}

/// `POST .../endpoint/{ns}`.
async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(namespace): Path<String>,
    body: Bytes,
) -> HubResult<Json<Value>> {
    let (caller, user) = writer(&state, &headers, &namespace)?;
    let mut spec = parse_object(&body)?;
    let name = match spec.get("name") {
        Some(Value::String(name)) => name.clone(),
        _ => return Err(HubError::bad_request("name is required")),
    };
    check_name(&name)?;
    // The Python client sends `revision: null`, `task: null`, ... : absent and null are the same.
    strip_nulls(&mut spec);
    spec.entry("type").or_insert_with(|| json!("protected"));
    let mut spec = Value::Object(spec);
    validate(&spec)?;
    let (phase, message) = deploy_check(&state, &caller, &mut spec).await?;
    let now = now_ms();
    let record = EndpointRecord {
        namespace: namespace.clone(),
        name,
        spec,
        phase,
        message,
        transition_ms: now,
        created_ms: now,
        updated_ms: now,
        created_by: user.clone(),
        updated_by: user,
    };
    state.store.create_endpoint(record.clone()).await?;
    Ok(Json(render(&state, &headers, &record)))
}

/// `PUT .../endpoint/{ns}/{name}`: merges the given fields into the spec.
async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((namespace, name)): Path<(String, String)>,
    body: Bytes,
) -> HubResult<Json<Value>> {
    let (caller, user) = writer(&state, &headers, &namespace)?;
    let mut changes = parse_object(&body)?;
    strip_nulls(&mut changes);
    if let Some(new_name) = changes.remove("name")
        && new_name.as_str() != Some(name.as_str())
    {
        return Err(HubError::bad_request(
            "the name of an Inference Endpoint cannot be changed",
        ));
    }
    let mut record = load(&state, &namespace, &name).await?;
    let model_changed = changes
        .get("model")
        .and_then(Value::as_object)
        .is_some_and(|m| m.contains_key("repository") || m.contains_key("revision"));
    let mut spec = record.spec.clone();
    merge(&mut spec, Value::Object(changes), 0);
    // A new repository without a revision deploys its head: forget the old commit.
    if model_changed
        && !body_has_revision(&body)
        && let Some(model) = spec.get_mut("model").and_then(Value::as_object_mut)
    {
        model.remove("revision");
    }
    validate(&spec)?;
    let now = now_ms();
    let current = current_state(&record, &state.endpoint_delays, now);
    let (phase, message) = if model_changed {
        let (phase, message) = deploy_check(&state, &caller, &mut spec).await?;
        if phase == "failed" {
            ("updateFailed".to_owned(), message)
        } else {
            ("updating".to_owned(), None)
        }
    } else {
        ("updating".to_owned(), None)
    };
    // A paused or scaled-to-zero endpoint takes the change without starting.
    let (phase, message) = match current {
        "paused" | "scaledToZero" if phase == "updating" => (record.phase.clone(), None),
        _ => (phase, message),
    };
    record.spec = spec;
    record.phase = phase;
    record.message = message;
    record.transition_ms = now;
    record.updated_ms = now;
    record.updated_by = user;
    if !state.store.save_endpoint(record.clone()).await? {
        return Err(not_found(&namespace, &name));
    }
    Ok(Json(render(&state, &headers, &record)))
}

/// `POST .../endpoint/{ns}/{name}/{pause|resume|scale-to-zero}`.
async fn action(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((namespace, name, action)): Path<(String, String, String)>,
) -> HubResult<Json<Value>> {
    let (_, user) = writer(&state, &headers, &namespace)?;
    let mut record = load(&state, &namespace, &name).await?;
    let now = now_ms();
    let current = current_state(&record, &state.endpoint_delays, now);
    let phase = match action.as_str() {
        "pause" => "paused",
        "scale-to-zero" => "scaledToZero",
        "resume" => match current {
            "running" => {
                return Err(HubError::bad_request(format!(
                    "Inference Endpoint {namespace}/{name} is already running"
                )));
            }
            "pending" | "initializing" | "updating" => {
                return Ok(Json(render(&state, &headers, &record)));
            }
            // A failed deploy stays failed on resume while its repository is missing.
            "failed" | "updateFailed" if record.message.is_some() => {
                return Ok(Json(render(&state, &headers, &record)));
            }
            _ => "deploying",
        },
        other => {
            return Err(HubError::new(
                StatusCode::NOT_FOUND,
                format!("unknown Inference Endpoint action {other:?}"),
            ));
        }
    };
    record.phase = phase.to_owned();
    record.message = None;
    record.transition_ms = now;
    record.updated_ms = now;
    record.updated_by = user;
    if !state.store.save_endpoint(record.clone()).await? {
        return Err(not_found(&namespace, &name));
    }
    Ok(Json(render(&state, &headers, &record)))
}

/// `GET .../serve/{ns}/{name}/health`: 200 while running, 503 otherwise. Public endpoints
/// answer anyone, the others members of the namespace only.
async fn health(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((namespace, name)): Path<(String, String)>,
) -> HubResult<Json<Value>> {
    let record = state.store.endpoint(&namespace, &name).await?;
    let public = record
        .as_ref()
        .is_some_and(|r| r.spec.get("type").and_then(Value::as_str) == Some("public"));
    if !public {
        reader(&state, &headers, &namespace)?;
    }
    let record = record.ok_or_else(|| not_found(&namespace, &name))?;
    match current_state(&record, &state.endpoint_delays, now_ms()) {
        "running" => Ok(Json(json!({"status": "ok"}))),
        other => Err(HubError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("Inference Endpoint {namespace}/{name} is {other}"),
        )),
    }
}

fn parse_object(body: &Bytes) -> HubResult<Map<String, Value>> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(HubError::bad_request("the body must be a JSON object")),
        Err(e) => Err(HubError::bad_request(format!("invalid JSON body: {e}"))),
    }
}

/// Whether the update body names a revision (then it is kept even with a new repository).
fn body_has_revision(body: &Bytes) -> bool {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.pointer("/model/revision").cloned())
        .is_some_and(|v| !v.is_null())
}

/// Removes `null` members, recursively (the client sends optional fields as `null`).
fn strip_nulls(map: &mut Map<String, Value>) {
    map.retain(|_, v| !v.is_null());
    for value in map.values_mut() {
        if let Value::Object(inner) = value {
            strip_nulls(inner);
        }
    }
}

/// Merges `changes` into `spec`: objects member by member, anything else (and the image, env,
/// secrets and tags, which the client always sends whole) replaced.
fn merge(spec: &mut Value, changes: Value, depth: usize) {
    match (spec, changes) {
        (Value::Object(spec), Value::Object(changes)) if depth < 4 => {
            for (key, value) in changes {
                let whole = matches!(key.as_str(), "image" | "env" | "secrets" | "tags");
                match spec.get_mut(&key) {
                    Some(existing) if !whole => merge(existing, value, depth + 1),
                    _ => {
                        spec.insert(key, value);
                    }
                }
            }
        }
        (spec, changes) => *spec = changes,
    }
}

fn check_name(name: &str) -> HubResult<()> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(HubError::bad_request(format!(
            "invalid Inference Endpoint name {name:?}: 1 to {MAX_NAME} lowercase letters, digits or '-', not starting or ending with '-'"
        )))
    }
}

fn string_at<'a>(spec: &'a Value, pointer: &str, required: bool) -> HubResult<Option<&'a str>> {
    let field = pointer.trim_start_matches('/').replace('/', ".");
    match spec.pointer(pointer) {
        None | Some(Value::Null) if required => {
            Err(HubError::bad_request(format!("{field} is required")))
        }
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() && required => {
            Err(HubError::bad_request(format!("{field} is required")))
        }
        Some(Value::String(s)) if s.len() > MAX_STRING => Err(HubError::bad_request(format!(
            "{field} is longer than {MAX_STRING} bytes"
        ))),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(HubError::bad_request(format!("{field} must be a string"))),
    }
}

fn replica_at(spec: &Value, key: &str, default: u64) -> HubResult<u64> {
    match spec.pointer(&format!("/compute/scaling/{key}")) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => match v.as_u64() {
            Some(n) if n <= MAX_REPLICA => Ok(n),
            _ => Err(HubError::bad_request(format!(
                "compute.scaling.{key} must be an integer from 0 to {MAX_REPLICA}"
            ))),
        },
    }
}

fn string_map(spec: &Value, pointer: &str) -> HubResult<()> {
    let field = pointer.trim_start_matches('/').replace('/', ".");
    match spec.pointer(pointer) {
        None | Some(Value::Null) => Ok(()),
        Some(Value::Object(map)) if map.len() <= MAX_ENTRIES => {
            for (key, value) in map {
                let ok = !key.is_empty()
                    && key.len() <= MAX_STRING
                    && value.as_str().is_some_and(|v| v.len() <= MAX_VALUE);
                if !ok {
                    return Err(HubError::bad_request(format!(
                        "{field}: each entry must be a name of 1 to {MAX_STRING} bytes and a string value of at most {MAX_VALUE} bytes"
                    )));
                }
            }
            Ok(())
        }
        Some(_) => Err(HubError::bad_request(format!(
            "{field} must be an object of at most {MAX_ENTRIES} string values"
        ))),
    }
}

/// Checks a whole spec (after defaults or a merge): 400 with the first problem found.
fn validate(spec: &Value) -> HubResult<()> {
    let kind = string_at(spec, "/type", true)?.unwrap_or_default();
    if !TYPES.contains(&kind) {
        return Err(HubError::bad_request(format!(
            "unknown endpoint type {kind:?}: one of {}",
            TYPES.join(", ")
        )));
    }
    let accelerator = string_at(spec, "/compute/accelerator", true)?.unwrap_or_default();
    if !ACCELERATORS.contains(&accelerator) {
        return Err(HubError::bad_request(format!(
            "unknown accelerator {accelerator:?}: one of {}",
            ACCELERATORS.join(", ")
        )));
    }
    for (pointer, required) in [
        ("/compute/instanceSize", true),
        ("/compute/instanceType", true),
        ("/provider/vendor", true),
        ("/provider/region", true),
        ("/model/repository", true),
        ("/model/framework", true),
        ("/model/revision", false),
        ("/model/task", false),
        ("/accountId", false),
        ("/route/domain", false),
        ("/route/path", false),
    ] {
        string_at(spec, pointer, required)?;
    }
    let min = replica_at(spec, "minReplica", 1)?;
    let max = replica_at(spec, "maxReplica", 1)?;
    if max == 0 {
        return Err(HubError::bad_request(
            "compute.scaling.maxReplica must be at least 1",
        ));
    }
    if min > max {
        return Err(HubError::bad_request(format!(
            "compute.scaling.minReplica ({min}) must not exceed maxReplica ({max})"
        )));
    }
    match spec.pointer("/compute/scaling/scaleToZeroTimeout") {
        None | Some(Value::Null) => {}
        Some(v) if v.as_u64().is_some_and(|t| t <= 7 * 24 * 60) => {}
        Some(_) => {
            return Err(HubError::bad_request(
                "compute.scaling.scaleToZeroTimeout must be a number of minutes",
            ));
        }
    }
    string_map(spec, "/model/env")?;
    string_map(spec, "/model/secrets")?;
    match spec.pointer("/model/image") {
        None | Some(Value::Object(_)) => {}
        Some(_) => return Err(HubError::bad_request("model.image must be an object")),
    }
    if spec
        .pointer("/model/image")
        .is_some_and(|v| v.to_string().len() > MAX_VALUE)
    {
        return Err(HubError::bad_request("model.image is too large"));
    }
    match spec.get("tags") {
        None => {}
        Some(Value::Array(tags))
            if tags.len() <= MAX_ENTRIES
                && tags
                    .iter()
                    .all(|t| t.as_str().is_some_and(|t| t.len() <= MAX_STRING)) => {}
        Some(_) => {
            return Err(HubError::bad_request(format!(
                "tags must be at most {MAX_ENTRIES} strings"
            )));
        }
    }
    match spec.get("cacheHttpResponses") {
        None | Some(Value::Bool(_)) => Ok(()),
        Some(_) => Err(HubError::bad_request(
            "cacheHttpResponses must be a boolean",
        )),
    }
}

/// Whether the model can be deployed: `("deploying", None)` with `model.revision` set to the
/// commit deployed, or `("failed", Some(why))` when the repository or revision does not exist
/// (or is hidden from the caller).
async fn deploy_check(
    state: &AppState,
    caller: &Caller,
    spec: &mut Value,
) -> HubResult<(String, Option<String>)> {
    let repository = spec
        .pointer("/model/repository")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let revision = spec
        .pointer("/model/revision")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let repo = match state
        .store
        .lookup_repo(RepoType::Model, &repository)
        .await?
    {
        RepoLookup::Found(repo) if state.auth.can_read(caller, &repo) => repo,
        _ => {
            return Ok((
                "failed".to_owned(),
                Some(format!(
                    "Repository {repository} not found on the Hub (or not visible to you)"
                )),
            ));
        }
    };
    let wanted = revision.as_deref().unwrap_or("main");
    let Some(commit) = state.store.resolve_revision(&repo, wanted).await? else {
        return Ok((
            "failed".to_owned(),
            Some(format!("Revision {wanted} not found in {repository}")),
        ));
    };
    if revision.is_none()
        && let Some(model) = spec.get_mut("model").and_then(Value::as_object_mut)
    {
        model.insert("revision".into(), Value::String(commit));
    }
    Ok(("deploying".to_owned(), None))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(phase: &str, transition_ms: i64) -> EndpointRecord {
        EndpointRecord {
            namespace: "alice".into(),
            name: "ep".into(),
            spec: json!({}),
            phase: phase.into(),
            message: None,
            transition_ms,
            created_ms: 0,
            updated_ms: 0,
            created_by: "alice".into(),
            updated_by: "alice".into(),
        }
    }

    #[test]
    fn status_follows_the_delays() {
        let delays = EndpointDelays {
            pending: Duration::from_millis(10),
            initializing: Duration::from_millis(20),
            updating: Duration::from_millis(5),
        };
        let deploying = record("deploying", 1000);
        assert_eq!(current_state(&deploying, &delays, 1000), "pending");
        assert_eq!(current_state(&deploying, &delays, 1015), "initializing");
        assert_eq!(current_state(&deploying, &delays, 1030), "running");
        let updating = record("updating", 1000);
        assert_eq!(current_state(&updating, &delays, 1004), "updating");
        assert_eq!(current_state(&updating, &delays, 1005), "running");
        assert_eq!(current_state(&record("paused", 0), &delays, 9), "paused");
    }

    #[test]
    fn merge_replaces_whole_maps_and_merges_objects() {
        let mut spec = json!({"compute": {"accelerator": "cpu", "scaling": {"minReplica": 0, "maxReplica": 1}},
                              "model": {"env": {"A": "1"}, "repository": "a/b"}});
        merge(
            &mut spec,
            json!({"compute": {"scaling": {"maxReplica": 3}}, "model": {"env": {"B": "2"}}}),
            0,
        );
        assert_eq!(
            spec["compute"]["scaling"],
            json!({"minReplica": 0, "maxReplica": 3})
        );
        assert_eq!(spec["compute"]["accelerator"], "cpu");
        assert_eq!(spec["model"]["env"], json!({"B": "2"}));
        assert_eq!(spec["model"]["repository"], "a/b");
    }
}
