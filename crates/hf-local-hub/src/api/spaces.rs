//! Space management (issue 12, protocol §7): runtime, hardware, sleep time, pause, restart,
//! storage, secrets, variables and duplication, over the simulated runtime of
//! `storage::spaces`.
//!
//! Every route names its Space through the repo-context extractor: the runtime and variables
//! are readable by whoever can read the Space, everything else needs write access. Secrets are
//! write-only: their keys and metadata are listed, never their values.

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use hf_types::{RepoId, RepoType};
use http::{StatusCode, Uri};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::context::{Read, Repo, RepoContext, RepoRoutes, Write};
use super::error::{HubError, HubResult};
use super::repos::{iso_ms, json_body};
use super::{AppState, QueryPairs};
use crate::storage::{
    CommitInput, EntryKind, MAX_REGULAR_FILE, NewRepo, Op, RepoRecord, SpaceChange, SpaceEnv,
    SpaceRuntimeView, StoreError,
};

/// Largest request body of these routes (a duplicate with 100 secrets of 4 KiB fits).
const MAX_BODY: usize = 1 << 20;
/// Longest variable or secret value.
const MAX_VALUE: usize = 64 * 1024;
/// Longest description.
const MAX_DESCRIPTION: usize = 1024;
/// Longest key.
const MAX_KEY: usize = 256;
/// Longest sleep time accepted (one year), in seconds.
const MAX_SLEEP_TIME: i64 = 365 * 24 * 3600;
/// Most variables or secrets in one duplicate request.
const MAX_ENV_ITEMS: usize = 100;

/// Hardware flavors a Space may request (protocol §7.3, plus `cpu-performance`).
const FLAVORS: &[&str] = &[
    "cpu-basic",
    "cpu-upgrade",
    "cpu-performance",
    "cpu-xl",
    "zero-a10g",
    "t4-small",
    "t4-medium",
    "l4x1",
    "l4x4",
    "l40sx1",
    "l40sx4",
    "l40sx8",
    "a10g-small",
    "a10g-large",
    "a10g-largex2",
    "a10g-largex4",
    "a100-large",
    "h100",
    "h100x8",
];

/// The routes of this module, with their own body limit.
pub(crate) fn router() -> Router<AppState> {
    let space = "/api/{t}/{ns}/{name}";
    Router::new()
        .repo_route(&format!("{space}/runtime"), get(runtime))
        .repo_route(&format!("{space}/hardware"), post(hardware))
        .repo_route(&format!("{space}/sleeptime"), post(sleep_time))
        .repo_route(&format!("{space}/pause"), post(pause))
        .repo_route(&format!("{space}/restart"), post(restart))
        .repo_route(
            &format!("{space}/storage"),
            post(request_storage).delete(delete_storage),
        )
        .repo_route(
            &format!("{space}/secrets"),
            get(list_secrets).post(add_secret).delete(delete_secret),
        )
        .repo_route(
            &format!("{space}/variables"),
            get(list_variables)
                .post(add_variable)
                .delete(delete_variable),
        )
        .repo_route(&format!("{space}/duplicate"), post(duplicate))
        .layer(DefaultBodyLimit::max(MAX_BODY))
}

/// These routes exist for Spaces only.
fn space(ctx: &RepoContext) -> HubResult<&RepoRecord> {
    if ctx.repo.repo_type == RepoType::Space {
        Ok(&ctx.repo)
    } else {
        Err(HubError::new(
            StatusCode::NOT_FOUND,
            "hf-local-hub: Space routes exist only under /api/spaces/",
        ))
    }
}

/// The runtime object as the Hub sends it (protocol §7.1).
pub(crate) fn runtime_json(repo: &RepoRecord, view: &SpaceRuntimeView) -> Value {
    let running = matches!(view.stage, "RUNNING" | "RUNTIME_ERROR");
    let subdomain = format!("{}-{}", repo.namespace, repo.name)
        .to_lowercase()
        .replace(['_', '.'], "-");
    let mut o = Map::new();
    o.insert("stage".into(), json!(view.stage));
    o.insert(
        "hardware".into(),
        json!({"current": view.hardware_current, "requested": view.hardware_requested}),
    );
    o.insert("storage".into(), json!(view.storage));
    o.insert("gcTimeout".into(), json!(view.sleep_time));
    o.insert(
        "replicas".into(),
        json!({"current": u8::from(running), "requested": 1}),
    );
    o.insert("devMode".into(), json!(false));
    o.insert(
        "domains".into(),
        json!([{"domain": format!("{subdomain}.hf.space"), "stage": "READY"}]),
    );
    o.insert("sdk".into(), json!(repo.sdk));
    if let Some(message) = &view.error_message {
        o.insert("errorMessage".into(), json!(message));
    }
    Value::Object(o)
}

async fn change(ctx: &RepoContext, change: SpaceChange) -> HubResult<Json<Value>> {
    let repo = space(ctx)?;
    let view = ctx.state.store.space_change(repo, change).await?;
    Ok(Json(runtime_json(repo, &view)))
}

/// Applies a change whose answer is not the runtime.
async fn update(ctx: &RepoContext, change: SpaceChange) -> HubResult<()> {
    ctx.state.store.space_change(space(ctx)?, change).await?;
    Ok(())
}

fn check_flavor(flavor: &str) -> HubResult<()> {
    if FLAVORS.contains(&flavor) {
        Ok(())
    } else {
        Err(HubError::bad_request(format!(
            "Invalid hardware flavor {:?}: expected one of {}",
            truncate(flavor),
            FLAVORS.join(", ")
        )))
    }
}

fn check_sleep_time(seconds: i64) -> HubResult<()> {
    if seconds == -1 || (0..=MAX_SLEEP_TIME).contains(&seconds) {
        Ok(())
    } else {
        Err(HubError::bad_request(format!(
            "Invalid sleep time {seconds}: expected -1 (never sleep) or 0 to {MAX_SLEEP_TIME} seconds"
        )))
    }
}

fn check_tier(tier: &str) -> HubResult<()> {
    if matches!(tier, "small" | "medium" | "large") {
        Ok(())
    } else {
        Err(HubError::bad_request(format!(
            "Invalid storage tier {:?}: expected small, medium or large",
            truncate(tier)
        )))
    }
}

/// A key must be an environment variable name.
fn check_key(key: &str) -> HubResult<()> {
    let mut chars = key.chars();
    let valid = key.len() <= MAX_KEY
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        Ok(())
    } else {
        Err(HubError::bad_request(format!(
            "Invalid key {:?}: keys are environment variable names (letters, digits and _, not starting with a digit, at most {MAX_KEY} characters)",
            truncate(key)
        )))
    }
}

/// Error messages quote client input at most this long.
fn truncate(s: &str) -> String {
    s.chars().take(64).collect()
}

/// `{key, value, description?}`.
#[derive(Deserialize)]
struct EnvBody {
    key: String,
    #[serde(default)]
    value: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

impl EnvBody {
    fn into_env(self) -> HubResult<SpaceEnv> {
        check_key(&self.key)?;
        let value = self.value.unwrap_or_default();
        if value.len() > MAX_VALUE {
            return Err(HubError::bad_request(format!(
                "Value of {} is longer than {MAX_VALUE} bytes",
                self.key
            )));
        }
        if self
            .description
            .as_ref()
            .is_some_and(|d| d.len() > MAX_DESCRIPTION)
        {
            return Err(HubError::bad_request(format!(
                "Description of {} is longer than {MAX_DESCRIPTION} bytes",
                self.key
            )));
        }
        Ok(SpaceEnv {
            key: self.key,
            value,
            description: self.description,
            updated_ms: crate::storage::now_ms(),
        })
    }
}

#[derive(Deserialize)]
struct KeyBody {
    key: String,
}

/// `GET .../runtime`.
async fn runtime(repo: Repo<Read>) -> HubResult<Json<Value>> {
    let record = space(&repo)?;
    let view = repo.state.store.space_runtime(record).await?;
    Ok(Json(runtime_json(record, &view)))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HardwareBody {
    flavor: String,
    #[serde(default)]
    sleep_time_seconds: Option<i64>,
}

/// `POST .../hardware`.
async fn hardware(repo: Repo<Write>, body: Bytes) -> HubResult<Json<Value>> {
    let b: HardwareBody = json_body(&body)?;
    check_flavor(&b.flavor)?;
    if let Some(s) = b.sleep_time_seconds {
        check_sleep_time(s)?;
    }
    let c = SpaceChange::Hardware {
        flavor: b.flavor,
        sleep_time: b.sleep_time_seconds,
    };
    change(&repo, c).await
}

#[derive(Deserialize)]
struct SleepBody {
    seconds: i64,
}

/// `POST .../sleeptime`.
async fn sleep_time(repo: Repo<Write>, body: Bytes) -> HubResult<Json<Value>> {
    let b: SleepBody = json_body(&body)?;
    check_sleep_time(b.seconds)?;
    change(&repo, SpaceChange::SleepTime(b.seconds)).await
}

/// `POST .../pause`.
async fn pause(repo: Repo<Write>) -> HubResult<Json<Value>> {
    change(&repo, SpaceChange::Pause).await
}

/// `POST .../restart[?factory=true]` (a factory reboot rebuilds the same way here).
async fn restart(repo: Repo<Write>, uri: Uri) -> HubResult<Json<Value>> {
    QueryPairs::parse(uri.query()).flag("factory")?;
    change(&repo, SpaceChange::Restart).await
}

#[derive(Deserialize)]
struct TierBody {
    tier: String,
}

/// `POST .../storage`.
async fn request_storage(repo: Repo<Write>, body: Bytes) -> HubResult<Json<Value>> {
    let b: TierBody = json_body(&body)?;
    check_tier(&b.tier)?;
    change(&repo, SpaceChange::Storage(Some(b.tier))).await
}

/// `DELETE .../storage`.
async fn delete_storage(repo: Repo<Write>) -> HubResult<Json<Value>> {
    change(&repo, SpaceChange::Storage(None)).await
}

/// `{key: {value?, description?, updatedAt}}`, values only for variables.
fn env_map(env: &[SpaceEnv], with_values: bool) -> Value {
    let mut map = Map::new();
    for e in env {
        let mut o = Map::new();
        if with_values {
            o.insert("value".into(), json!(e.value));
        }
        if let Some(d) = &e.description {
            o.insert("description".into(), json!(d));
        }
        o.insert("updatedAt".into(), json!(iso_ms(e.updated_ms)));
        map.insert(e.key.clone(), Value::Object(o));
    }
    Value::Object(map)
}

async fn env_answer(ctx: &RepoContext, secret: bool) -> HubResult<Json<Value>> {
    let env = ctx.state.store.space_env(space(ctx)?, secret).await?;
    Ok(Json(env_map(&env, !secret)))
}

/// `GET .../secrets`: keys and metadata, never values.
async fn list_secrets(repo: Repo<Write>) -> HubResult<Json<Value>> {
    env_answer(&repo, true).await
}

/// `POST .../secrets` (upsert); answers `{}`.
async fn add_secret(repo: Repo<Write>, body: Bytes) -> HubResult<Json<Value>> {
    let env = json_body::<EnvBody>(&body)?.into_env()?;
    update(&repo, SpaceChange::SetEnv { secret: true, env }).await?;
    Ok(Json(json!({})))
}

/// `DELETE .../secrets` with `{"key"}` (a missing key is no error); answers `{}`.
async fn delete_secret(repo: Repo<Write>, body: Bytes) -> HubResult<Json<Value>> {
    let b: KeyBody = json_body(&body)?;
    check_key(&b.key)?;
    let c = SpaceChange::DeleteEnv {
        secret: true,
        key: b.key,
    };
    update(&repo, c).await?;
    Ok(Json(json!({})))
}

/// `GET .../variables`.
async fn list_variables(repo: Repo<Read>) -> HubResult<Json<Value>> {
    env_answer(&repo, false).await
}

/// `POST .../variables` (upsert); answers every variable.
async fn add_variable(repo: Repo<Write>, body: Bytes) -> HubResult<Json<Value>> {
    let env = json_body::<EnvBody>(&body)?.into_env()?;
    update(&repo, SpaceChange::SetEnv { secret: false, env }).await?;
    env_answer(&repo, false).await
}

/// `DELETE .../variables` with `{"key"}`; answers every variable left.
async fn delete_variable(repo: Repo<Write>, body: Bytes) -> HubResult<Json<Value>> {
    let b: KeyBody = json_body(&body)?;
    check_key(&b.key)?;
    let c = SpaceChange::DeleteEnv {
        secret: false,
        key: b.key,
    };
    update(&repo, c).await?;
    env_answer(&repo, false).await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DuplicateBody {
    repository: String,
    #[serde(default)]
    private: Option<bool>,
    #[serde(default)]
    hardware: Option<String>,
    #[serde(default)]
    storage_tier: Option<String>,
    #[serde(default)]
    sleep_time_seconds: Option<i64>,
    #[serde(default)]
    secrets: Option<Vec<EnvBody>>,
    #[serde(default)]
    variables: Option<Vec<EnvBody>>,
}

/// Checks a list of `{key, value, description?}` of a duplicate request.
fn env_list(items: Option<Vec<EnvBody>>, secret: bool) -> HubResult<Vec<(bool, SpaceEnv)>> {
    let items = items.unwrap_or_default();
    if items.len() > MAX_ENV_ITEMS {
        return Err(HubError::bad_request(format!(
            "At most {MAX_ENV_ITEMS} secrets or variables"
        )));
    }
    items
        .into_iter()
        .map(|i| Ok((secret, i.into_env()?)))
        .collect()
}

/// `POST /api/spaces/{ns}/{name}/duplicate`: a new Space with the source's files (one commit)
/// and settings, overridden by the body. Variables are copied; secrets only when the caller can
/// write the source (otherwise they would leak to another owner).
async fn duplicate(source: Repo<Read>, body: Bytes) -> HubResult<Json<Value>> {
    let RepoContext {
        state,
        repo: src,
        caller,
        headers,
    } = source.into_inner();
    if src.repo_type != RepoType::Space {
        return Err(HubError::new(
            StatusCode::NOT_FOUND,
            "hf-local-hub: only Spaces can be duplicated here",
        ));
    }
    let b: DuplicateBody = json_body(&body)?;
    let to: RepoId = b
        .repository
        .parse()
        .map_err(|e: hf_types::InvalidRepoId| HubError::bad_request(e.to_string()))?;
    let Some(to_ns) = to.namespace() else {
        return Err(HubError::bad_request("repository must be namespace/name"));
    };
    if let Some(h) = &b.hardware {
        check_flavor(h)?;
    }
    if let Some(t) = &b.storage_tier {
        check_tier(t)?;
    }
    if let Some(s) = b.sleep_time_seconds {
        check_sleep_time(s)?;
    }
    let given_secrets = env_list(b.secrets, true)?;
    let given_variables = env_list(b.variables, false)?;
    state.auth.require_write(&caller, to_ns)?;

    let store = &state.store;
    let source_runtime = store.space_runtime(&src).await?;
    let mut env: Vec<(bool, SpaceEnv)> = store
        .space_env(&src, false)
        .await?
        .into_iter()
        .map(|e| (false, e))
        .collect();
    if state.auth.require_write(&caller, &src.namespace).is_ok() {
        env.extend(
            store
                .space_env(&src, true)
                .await?
                .into_iter()
                .map(|e| (true, e)),
        );
    }
    env.extend(given_variables);
    env.extend(given_secrets);
    let commit = state.resolve_rev(&src, "main").await?;
    let mut ops = Vec::new();
    for entry in store.list_tree(&commit, "", true).await? {
        if entry.kind != EntryKind::File {
            continue;
        }
        let op = match &entry.lfs {
            Some(lfs) => Op::AddLfs {
                path: entry.path,
                sha256: lfs.sha256.clone(),
                size: Some(lfs.size),
            },
            None => {
                let bytes = store
                    .read_file_at(&commit, &entry.path, MAX_REGULAR_FILE as u64)
                    .await?
                    .ok_or_else(|| HubError::internal("a file of the source vanished"))?;
                Op::AddRegular {
                    path: entry.path,
                    bytes,
                }
            }
        };
        ops.push(op);
    }

    let url = format!(
        "{}/{}{}",
        state.public_base(&headers),
        RepoType::Space.url_prefix(),
        to.as_str()
    );
    let new = NewRepo {
        repo_type: RepoType::Space,
        namespace: to_ns.to_owned(),
        name: to.name().to_owned(),
        private: b.private.unwrap_or(src.private),
        sdk: src.sdk.clone(),
        extra: json!({}),
    };
    let created = match store.create_repo(new).await {
        Ok(r) => r,
        Err(StoreError::Conflict(m)) => {
            return Err(HubError::conflict(m).with_field("url", Value::String(url)));
        }
        Err(e) => return Err(e.into()),
    };
    let setup = SpaceChange::Setup {
        hardware: Some(b.hardware.unwrap_or(source_runtime.hardware_requested)),
        storage: b.storage_tier.or(source_runtime.storage),
        sleep_time: b.sleep_time_seconds.or(source_runtime.sleep_time),
        env,
    };
    store.space_change(&created, setup).await?;
    let input = CommitInput {
        summary: format!("Duplicate from {}", src.full_id()),
        description: String::new(),
        parent_commit: None,
        author: caller.user().unwrap_or("system").to_owned(),
        ops,
    };
    store.commit(&created, "main", input).await?;
    Ok(Json(json!({"url": url})))
}
