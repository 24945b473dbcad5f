//! Repository endpoints: create, delete, move, settings, info, listings, auth-check.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use bytes::Bytes;
use hf_types::{RepoId, RepoType};
use http::{HeaderMap, HeaderValue, Method, Uri};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::context::{Content, Repo, RepoContext, RepoRequest, Write};
use super::error::{HubError, HubResult};
use super::files::RevParam;
use super::{Access, AppState, QueryPairs, parse_bool};
use crate::auth::Caller;
use crate::storage::{NewRepo, RepoRecord, RepoSettings, StoreError};
use crate::webhooks::{EventKind, HubEvent, emit};

/// Largest README whose front matter is read for `cardData`.
const MAX_README: u64 = 1 << 20;

/// Page size cap of listings.
const LIST_PAGE: usize = 1000;

/// Formats milliseconds since the epoch as the Hub does: `2024-02-19T10:57:45.000Z`.
pub fn iso_ms(ms: i64) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00.000Z".to_owned())
}

/// Parses a JSON body with a Hub-style 400 on failure.
pub fn json_body<T: for<'de> Deserialize<'de>>(body: &Bytes) -> HubResult<T> {
    serde_json::from_slice(body)
        .map_err(|e| HubError::bad_request(format!("invalid JSON body: {e}")))
}

/// A JSON value that may be a bool or a `"true"`/`"1"` string.
fn loose_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => parse_bool(s),
        Value::Number(n) => n.as_i64().map(|i| i != 0),
        _ => None,
    }
}

fn body_repo_type(v: Option<&Value>) -> HubResult<RepoType> {
    match v {
        None | Some(Value::Null) => Ok(RepoType::Model),
        Some(Value::String(s)) => s
            .parse()
            .map_err(|_| HubError::bad_request(format!("invalid repo type {s:?}"))),
        Some(other) => Err(HubError::bad_request(format!("invalid repo type {other}"))),
    }
}

fn repo_url(base: &str, repo_type: RepoType, id: &str) -> String {
    format!("{base}/{}{id}", repo_type.url_prefix())
}

fn require_user(caller: &Caller) -> HubResult<&str> {
    caller
        .user()
        .ok_or_else(|| HubError::unauthorized("You must be authenticated to do this"))
}

/// `POST /api/repos/create`.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> HubResult<Json<Value>> {
    let caller = state.caller(&headers)?;
    let user = require_user(&caller)?.to_owned();
    let mut body: Map<String, Value> = json_body(&body)?;
    let repo_type = body_repo_type(body.get("type"))?;
    let name = body
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| HubError::bad_request("missing repo name"))?
        .to_owned();
    let namespace = match body.get("organization") {
        Some(Value::String(o)) if !o.is_empty() => o.clone(),
        _ => user.clone(),
    };
    let id = RepoId::new(&namespace, &name).map_err(|e| HubError::bad_request(e.to_string()))?;
    state.auth.require_write(&caller, &namespace).map_err(|e| {
        if e.status == http::StatusCode::FORBIDDEN && !state.auth.owns_namespace(&user, &namespace)
        {
            HubError::forbidden(format!(
                "You don't have the rights to create a {} under the namespace \"{namespace}\"",
                repo_type.as_str()
            ))
        } else {
            e
        }
    })?;
    let private = match body.get("private") {
        None | Some(Value::Null) => false,
        Some(v) => {
            loose_bool(v).ok_or_else(|| HubError::bad_request("invalid value for private"))?
        }
    };
    let sdk = body.get("sdk").and_then(Value::as_str).map(str::to_owned);
    if repo_type == RepoType::Space {
        match sdk.as_deref() {
            Some("gradio" | "streamlit" | "docker" | "static") => {}
            other => {
                return Err(HubError::bad_request(format!(
                    "invalid or missing Space SDK {other:?}: expected gradio, streamlit, docker or static"
                )));
            }
        }
    }
    // Secret values are never kept; only their keys.
    if let Some(Value::Array(secrets)) = body.get_mut("secrets") {
        for s in secrets.iter_mut() {
            if let Some(o) = s.as_object_mut() {
                o.remove("value");
            }
        }
    }
    for k in ["name", "organization", "type", "private", "sdk"] {
        body.remove(k);
    }
    let base = state.public_base(&headers);
    let url = repo_url(&base, repo_type, id.as_str());
    // Issue 15: a new Space gets a README.md whose card names its SDK, and the initial commit is
    // the creator's, as on the Hub.
    let files = match (repo_type, sdk.as_deref()) {
        (RepoType::Space, Some(sdk)) => vec![("README.md".to_owned(), space_readme(&name, sdk))],
        _ => Vec::new(),
    };
    let new = NewRepo {
        repo_type,
        namespace,
        name,
        private,
        sdk,
        extra: Value::Object(body),
    };
    match state.store.create_repo_as(new, &user, files).await {
        Ok(repo) => {
            let object_id = repo.object_id.clone();
            emit(&state, HubEvent::new(repo, EventKind::RepoCreated));
            Ok(Json(
                json!({"url": url, "name": id.as_str(), "id": object_id}),
            ))
        }
        Err(StoreError::Conflict(m)) => {
            Err(HubError::conflict(m).with_field("url", Value::String(url)))
        }
        Err(e) => Err(e.into()),
    }
}

/// The README.md the Hub writes into a new Space: a card with its title and SDK.
fn space_readme(name: &str, sdk: &str) -> Vec<u8> {
    let app_file = match sdk {
        "gradio" => "app_file: app.py\n",
        "streamlit" => "app_file: app.py\n",
        _ => "",
    };
    format!(
        "---\ntitle: {name}\nemoji: 🚀\ncolorFrom: blue\ncolorTo: indigo\nsdk: {sdk}\n{app_file}pinned: false\n---\n\n\
         Check out the configuration reference at https://huggingface.co/docs/hub/spaces-config-reference\n"
    )
    .into_bytes()
}

#[derive(Deserialize)]
struct NameBody {
    name: String,
    #[serde(default)]
    organization: Option<String>,
    #[serde(default, rename = "type")]
    repo_type: Option<Value>,
}

/// `DELETE /api/repos/delete` (answers the text `OK`).
pub async fn delete(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> HubResult<Response> {
    let caller = state.caller(&headers)?;
    let user = require_user(&caller)?.to_owned();
    let b: NameBody = json_body(&body)?;
    let repo_type = body_repo_type(b.repo_type.as_ref())?;
    let ns = b.organization.filter(|o| !o.is_empty()).unwrap_or(user);
    let full = format!("{ns}/{}", b.name);
    let repo = state
        .load_repo(&caller, &method, &uri, repo_type, &full, Access::Write)
        .await?;
    state.store.delete_repo(&repo).await?;
    emit(&state, HubEvent::new(repo, EventKind::RepoDeleted));
    Ok((
        [(http::header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "OK",
    )
        .into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct MoveBody {
    from_repo: String,
    to_repo: String,
    #[serde(default, rename = "type")]
    repo_type: Option<Value>,
}

/// `POST /api/repos/move`.
pub async fn move_repo(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> HubResult<Json<Value>> {
    let caller = state.caller(&headers)?;
    let b: MoveBody = json_body(&body)?;
    let repo_type = body_repo_type(b.repo_type.as_ref())?;
    let to: RepoId = b
        .to_repo
        .parse()
        .map_err(|e: hf_types::InvalidRepoId| HubError::bad_request(e.to_string()))?;
    let Some(to_ns) = to.namespace() else {
        return Err(HubError::bad_request("toRepo must be namespace/name"));
    };
    let repo = state
        .load_repo(
            &caller,
            &method,
            &uri,
            repo_type,
            &b.from_repo,
            Access::Write,
        )
        .await?;
    state.auth.require_write(&caller, to_ns)?;
    state.store.move_repo(&repo, to.as_str()).await?;
    let to_id = to.as_str().to_owned();
    emit(
        &state,
        HubEvent::new(repo, EventKind::RepoMoved { to: to_id }),
    );
    Ok(Json(
        json!({"url": repo_url(&state.public_base(&headers), repo_type, to.as_str())}),
    ))
}

/// `PUT /api/{t}/{ns}/{name}/settings`.
pub(crate) async fn settings(repo: Repo<Write>, body: Bytes) -> HubResult<Json<Value>> {
    let RepoContext { state, repo, .. } = repo.into_inner();
    let b: Map<String, Value> = json_body(&body)?;
    let mut s = RepoSettings::default();
    if let Some(v) = b.get("private") {
        s.private =
            Some(loose_bool(v).ok_or_else(|| HubError::bad_request("invalid value for private"))?);
    }
    if let Some(v) = b.get("gated") {
        s.gated = Some(match v {
            Value::Bool(false) | Value::Null => None,
            Value::String(g) if g == "auto" || g == "manual" => Some(g.clone()),
            Value::String(g) if g.eq_ignore_ascii_case("false") => None,
            other => {
                return Err(HubError::bad_request(format!(
                    "invalid value for gated: {other} (expected \"auto\", \"manual\" or false)"
                )));
            }
        });
    }
    if let Some(v) = b.get("xetEnabled")
        && loose_bool(v) == Some(true)
    {
        return Err(HubError::bad_request(
            "Xet storage is not available on this hub",
        ));
    }
    let repo = state.store.update_settings(&repo, s).await?;
    emit(
        &state,
        HubEvent::new(
            repo.clone(),
            EventKind::RepoSettings {
                updated: Value::Object(b),
            },
        ),
    );
    Ok(Json(json!({
        "private": repo.private,
        "gated": repo.gated.map_or(Value::Bool(false), Value::String),
        "xetEnabled": false
    })))
}

/// `GET /api/{t}/{ns}/{name}/auth-check`.
pub(crate) async fn auth_check(_repo: Repo<Content>) -> Json<Value> {
    Json(json!({}))
}

/// `GET /api/models-tags-by-type` and `/api/datasets-tags-by-type`: no vocabulary on a local hub.
pub async fn tag_vocabulary() -> Json<Value> {
    Json(json!({}))
}

/// What to put in an info object.
#[derive(Debug, Default, Clone)]
struct InfoOptions {
    blobs: bool,
    security: bool,
    /// `Some` = only `_id`, `id` and these keys.
    expand: Option<Vec<String>>,
    /// Listing without `full`: the reduced set.
    reduced: bool,
    /// Include `cardData` (repo info always; listings with `full` or `cardData`).
    card: bool,
}

async fn info_json(
    state: &AppState,
    repo: &RepoRecord,
    commit: Option<&str>,
    opts: &InfoOptions,
) -> HubResult<Value> {
    let id = repo.full_id();
    let mut o = Map::new();
    o.insert("_id".into(), json!(repo.object_id));
    o.insert("id".into(), json!(id));
    if repo.repo_type == RepoType::Model {
        o.insert("modelId".into(), json!(id));
    }
    o.insert("author".into(), json!(repo.namespace));
    o.insert("private".into(), json!(repo.private));
    o.insert("disabled".into(), json!(false));
    o.insert(
        "gated".into(),
        repo.gated.clone().map_or(Value::Bool(false), Value::String),
    );
    o.insert("likes".into(), json!(state.store.like_count(repo).await?));
    o.insert("trendingScore".into(), json!(0));
    o.insert("tags".into(), json!([]));
    o.insert("createdAt".into(), json!(iso_ms(repo.created_ms)));
    o.insert("xetEnabled".into(), json!(false));
    if repo.repo_type != RepoType::Space {
        o.insert("downloads".into(), json!(0));
        o.insert("downloadsAllTime".into(), json!(0));
    } else {
        o.insert("sdk".into(), json!(repo.sdk));
        o.insert(
            "subdomain".into(),
            json!(
                format!("{}-{}", repo.namespace, repo.name)
                    .to_lowercase()
                    .replace(['_', '.'], "-")
            ),
        );
        let runtime = state.store.space_runtime(repo).await?;
        o.insert(
            "runtime".into(),
            super::spaces::runtime_json(repo, &runtime),
        );
        o.insert("models".into(), json!([]));
        o.insert("datasets".into(), json!([]));
    }
    let want_files = !opts.reduced
        || opts.expand.as_ref().is_some_and(|e| {
            e.iter().any(|k| {
                matches!(
                    k.as_str(),
                    "siblings" | "sha" | "lastModified" | "usedStorage"
                )
            })
        });
    if let Some(commit) = commit
        && let Some(readme) = state
            .store
            .read_file_at(commit, "README.md", MAX_README)
            .await?
        && let Some(card) = super::card::front_matter(&String::from_utf8_lossy(&readme))
    {
        o.insert("tags".into(), Value::Array(super::card::tags(&card)));
        if repo.repo_type == RepoType::Model {
            for key in ["pipeline_tag", "library_name"] {
                if let Some(v) = card.get(key) {
                    o.insert(key.into(), v.clone());
                }
            }
        }
        if opts.card
            || opts
                .expand
                .as_ref()
                .is_some_and(|e| e.iter().any(|k| k == "cardData"))
        {
            o.insert("cardData".into(), card);
        }
    }
    if want_files && let Some(commit) = commit {
        let rec = state.store.commit_record(commit).await?;
        o.insert("sha".into(), json!(commit));
        o.insert(
            "lastModified".into(),
            json!(iso_ms(rec.map_or(repo.last_modified_ms, |c| c.date_ms))),
        );
        let entries = state.store.list_tree(commit, "", true).await?;
        let mut siblings = Vec::new();
        let mut used = 0u64;
        for e in entries
            .iter()
            .filter(|e| e.kind == crate::storage::EntryKind::File)
        {
            used += e.size;
            let mut s = Map::new();
            s.insert("rfilename".into(), json!(e.path));
            if opts.blobs {
                s.insert("size".into(), json!(e.size));
                s.insert("blobId".into(), json!(e.oid));
                if let Some(l) = &e.lfs {
                    s.insert(
                        "lfs".into(),
                        json!({"sha256": l.sha256, "size": l.size, "pointerSize": l.pointer_size}),
                    );
                }
            }
            siblings.push(Value::Object(s));
        }
        o.insert("siblings".into(), Value::Array(siblings));
        o.insert("usedStorage".into(), json!(used));
        if repo.repo_type == RepoType::Model {
            o.insert("spaces".into(), json!([]));
        }
    }
    if opts.security && repo.repo_type == RepoType::Model {
        o.insert(
            "securityRepoStatus".into(),
            json!({"scansDone": true, "filesWithIssues": []}),
        );
    }
    if let Some(keys) = &opts.expand {
        o.retain(|k, _| k == "_id" || k == "id" || keys.iter().any(|e| e == k));
    }
    Ok(Value::Object(o))
}

fn info_options(q: &QueryPairs, repo_type: RepoType) -> HubResult<InfoOptions> {
    let expand: Vec<String> = q.all("expand").into_iter().map(str::to_owned).collect();
    super::expand::check_expand(repo_type, &expand)?;
    let blobs = q.flag("blobs")?;
    let security = q.flag("securityStatus")?;
    if !expand.is_empty() && (blobs || security) {
        return Err(HubError::bad_request(
            "expand cannot be combined with blobs or securityStatus",
        ));
    }
    Ok(InfoOptions {
        blobs,
        security,
        expand: (!expand.is_empty()).then_some(expand),
        reduced: false,
        card: true,
    })
}

async fn info_common(
    request: RepoRequest,
    rev: Option<String>,
    uri: Uri,
) -> HubResult<Json<Value>> {
    let q = QueryPairs::parse(uri.query());
    let opts = info_options(&q, request.repo_type)?;
    let RepoContext { state, repo, .. } = request.load(Access::Read).await?;
    let rev = rev.unwrap_or_else(|| "main".to_owned());
    let commit = state.resolve_rev(&repo, &rev).await?;
    Ok(Json(info_json(&state, &repo, Some(&commit), &opts).await?))
}

/// `GET /api/{t}/{ns}/{name}`.
pub(crate) async fn info(request: RepoRequest, uri: Uri) -> HubResult<Json<Value>> {
    info_common(request, None, uri).await
}

/// `GET /api/{t}/{ns}/{name}/revision/{rev}`.
pub(crate) async fn info_at(
    request: RepoRequest,
    Path(RevParam { rev }): Path<RevParam>,
    uri: Uri,
) -> HubResult<Json<Value>> {
    info_common(request, Some(rev), uri).await
}

#[derive(serde::Serialize, Deserialize)]
struct Cursor {
    offset: usize,
}

/// Decodes an opaque listing cursor.
pub fn decode_cursor(q: &QueryPairs) -> HubResult<usize> {
    let Some(c) = q.get("cursor") else {
        return Ok(0);
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(c)
        .ok()
        .and_then(|b| serde_json::from_slice::<Cursor>(&b).ok())
        .map(|c| c.offset)
        .ok_or_else(|| HubError::bad_request("invalid cursor"))
}

/// The absolute URL of the next page: the request's URL with `cursor` replaced.
pub fn next_link(base: &str, uri: &Uri, q: &QueryPairs, offset: usize) -> HeaderValue {
    let cursor = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(&Cursor { offset }).unwrap_or_default());
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in q.0.iter().filter(|(k, _)| k != "cursor") {
        ser.append_pair(k, v);
    }
    ser.append_pair("cursor", &cursor);
    let link = format!("<{base}{}?{}>; rel=\"next\"", uri.path(), ser.finish());
    HeaderValue::from_str(&link).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Tags of a repo's default branch (from its README card).
async fn repo_tags(state: &AppState, repo: &RepoRecord) -> HubResult<Vec<String>> {
    let Some(commit) = state.store.resolve_revision(repo, "main").await? else {
        return Ok(vec![]);
    };
    let Some(readme) = state
        .store
        .read_file_at(&commit, "README.md", MAX_README)
        .await?
    else {
        return Ok(vec![]);
    };
    Ok(super::card::front_matter(&String::from_utf8_lossy(&readme))
        .map(|c| {
            super::card::tags(&c)
                .into_iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default())
}

async fn list(
    state: AppState,
    repo_type: RepoType,
    uri: Uri,
    headers: HeaderMap,
) -> HubResult<Response> {
    let caller = state.caller(&headers)?;
    let q = QueryPairs::parse(uri.query());
    let full = q.flag("full")?;
    let card = q.flag("cardData")?;
    let expand: Vec<String> = q.all("expand").into_iter().map(str::to_owned).collect();
    super::expand::check_expand(repo_type, &expand)?;
    if !expand.is_empty() && (full || card) {
        return Err(HubError::bad_request(
            "expand cannot be combined with full or cardData",
        ));
    }
    let searches: Vec<String> = q.all("search").into_iter().map(str::to_lowercase).collect();
    let author = q.get("author");
    let filters = q.all("filter");
    let gated = q.get("gated").map(parse_bool);
    let mut repos: Vec<RepoRecord> = state
        .store
        .list_repos(repo_type)
        .await?
        .into_iter()
        .filter(|r| state.auth.can_read(&caller, r))
        .filter(|r| author.is_none_or(|a| r.namespace == a))
        .filter(|r| {
            let id = r.full_id().to_lowercase();
            searches.iter().all(|s| id.contains(s))
        })
        .filter(|r| match gated {
            Some(Some(g)) => r.gated.is_some() == g,
            _ => true,
        })
        .collect();
    if !filters.is_empty() {
        let mut kept = Vec::with_capacity(repos.len());
        for r in repos {
            let tags = repo_tags(&state, &r).await?;
            let matches = filters.iter().all(|f| {
                tags.iter().any(|t| t == f) || *f == r.full_id() || r.sdk.as_deref() == Some(*f)
            });
            if matches {
                kept.push(r);
            }
        }
        repos = kept;
    }
    let descending = q.get("direction").is_none_or(|d| d.trim() == "-1");
    if let Some(sort) = q.get("sort") {
        match sort {
            "lastModified" | "last_modified" => repos.sort_by_key(|r| (r.last_modified_ms, r.pk)),
            "createdAt" | "created_at" => repos.sort_by_key(|r| (r.created_ms, r.pk)),
            "id" => repos.sort_by_key(RepoRecord::full_id),
            // Likes, downloads and trending are all zero: keep creation order.
            _ => repos.sort_by_key(|r| r.pk),
        }
        if descending {
            repos.reverse();
        }
    }
    let limit = match q.get("limit") {
        Some(l) => l
            .trim()
            .parse::<usize>()
            .map_err(|_| HubError::bad_request(format!("invalid limit {l:?}")))?
            .clamp(1, LIST_PAGE),
        None => LIST_PAGE,
    };
    let offset = decode_cursor(&q)?;
    let page: Vec<&RepoRecord> = repos.iter().skip(offset).take(limit).collect();
    let opts = InfoOptions {
        blobs: false,
        security: false,
        expand: (!expand.is_empty()).then_some(expand),
        reduced: !full,
        card: full || card,
    };
    let mut out = Vec::with_capacity(page.len());
    for r in &page {
        let commit = state.store.resolve_revision(r, "main").await?;
        out.push(info_json(&state, r, commit.as_deref(), &opts).await?);
    }
    let mut resp = Json(Value::Array(out)).into_response();
    if offset + page.len() < repos.len() {
        let base = state.public_base(&headers);
        resp.headers_mut().insert(
            http::header::LINK,
            next_link(&base, &uri, &q, offset + page.len()),
        );
    }
    Ok(resp)
}

/// `GET /api/models`.
pub async fn list_models(State(s): State<AppState>, uri: Uri, h: HeaderMap) -> HubResult<Response> {
    list(s, RepoType::Model, uri, h).await
}

/// `GET /api/datasets`.
pub async fn list_datasets(
    State(s): State<AppState>,
    uri: Uri,
    h: HeaderMap,
) -> HubResult<Response> {
    list(s, RepoType::Dataset, uri, h).await
}

/// `GET /api/spaces`.
pub async fn list_spaces(State(s): State<AppState>, uri: Uri, h: HeaderMap) -> HubResult<Response> {
    list(s, RepoType::Space, uri, h).await
}
