//! Collections (protocol §9.3): `/api/collections[/{namespace}/{slug}[/items[/{item}]]]`.
//!
//! A collection is stored as one document (its items inside, positions contiguous from 0). The
//! slug is `{namespace}/{slugified-title}-{id}`; only the id part is looked up, so a slug made
//! before a rename keeps resolving. Private collections are visible to the members of their
//! namespace only (others get a 404); changes need a write token on the namespace.

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::routing::{get, patch, post};
use bytes::Bytes;
use hf_types::RepoType;
use http::{HeaderMap, StatusCode, Uri};
use serde_json::{Map, Value, json};

use super::error::{HubError, HubResult};
use super::repos::{iso_ms, json_body};
use super::users::object_id_for;
use super::{AppState, QueryPairs};
use crate::auth::Caller;
use crate::storage::documents::Table;
use crate::storage::{RepoLookup, StoreError, now_ms};

/// Largest request body.
const MAX_BODY: usize = 64 * 1024;
/// Longest title, description and note (characters).
const MAX_TITLE: usize = 200;
const MAX_DESCRIPTION: usize = 2000;
const MAX_NOTE: usize = 1000;
/// Most items in one collection.
const MAX_ITEMS: usize = 1000;
/// Most collections per namespace.
const MAX_PER_NAMESPACE: usize = 1000;
/// Most collections in a listing.
const MAX_LIST: usize = 100;
/// Items shown per collection in listings.
const LISTING_ITEMS: usize = 4;
/// The themes the Hub knows.
const THEMES: [&str; 6] = ["orange", "blue", "green", "purple", "pink", "indigo"];

pub(crate) fn router() -> Router<AppState> {
    let one = "/api/collections/{ns}/{slug}";
    Router::new()
        .route("/api/collections", get(list).post(create))
        .route(one, get(info).patch(update).delete(delete))
        .route(&format!("{one}/items"), post(add_item))
        // The old Hub docs spell the add route singular.
        .route(&format!("{one}/item"), post(add_item))
        .route(
            &format!("{one}/items/{{item}}"),
            patch(update_item).delete(delete_item),
        )
        .layer(DefaultBodyLimit::max(MAX_BODY))
}

/// `My Models!` → `my-models`.
fn slugify(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches('-');
    if out.is_empty() {
        "collection".to_owned()
    } else {
        out.chars().take(60).collect()
    }
}

fn slug_of(doc: &Value) -> String {
    format!(
        "{}/{}-{}",
        doc["namespace"].as_str().unwrap_or(""),
        slugify(doc["title"].as_str().unwrap_or("")),
        doc["id"].as_str().unwrap_or("")
    )
}

fn not_found(slug: &str) -> HubError {
    HubError::new(
        StatusCode::NOT_FOUND,
        format!("Collection {slug} not found"),
    )
}

/// The id part of a slug (24 hex), if it has one.
fn slug_id(slug: &str) -> Option<&str> {
    let id = slug.rsplit('-').next()?;
    (id.len() == 24 && id.bytes().all(|b| b.is_ascii_hexdigit())).then_some(id)
}

fn can_see(state: &AppState, caller: &Caller, doc: &Value) -> bool {
    !doc["private"].as_bool().unwrap_or(false)
        || caller.user().is_some_and(|u| {
            state
                .auth
                .owns_namespace(u, doc["namespace"].as_str().unwrap_or(""))
        })
}

/// Loads a collection the caller may see (404 otherwise).
async fn load(state: &AppState, caller: &Caller, ns: &str, slug: &str) -> HubResult<Value> {
    let full = format!("{ns}/{slug}");
    let id = slug_id(slug).ok_or_else(|| not_found(&full))?;
    match state
        .store
        .doc_get(Table::Collections, id.to_owned())
        .await?
    {
        Some((_, doc)) if can_see(state, caller, &doc) => Ok(doc),
        _ => Err(not_found(&full)),
    }
}

/// Loads a collection and checks the caller may change it.
async fn load_for_write(
    state: &AppState,
    headers: &HeaderMap,
    ns: &str,
    slug: &str,
) -> HubResult<Value> {
    let caller = state.caller(headers)?;
    let doc = load(state, &caller, ns, slug).await?;
    state
        .auth
        .require_write(&caller, doc["namespace"].as_str().unwrap_or(""))?;
    Ok(doc)
}

/// The wire form of a stored collection (`listing`: no `position`, first items only).
fn render(state: &AppState, base: &str, doc: &Value, listing: bool) -> Value {
    let ns = doc["namespace"].as_str().unwrap_or("");
    let owner_type = if state.auth.is_org(ns) { "org" } else { "user" };
    let items: Vec<Value> = doc["items"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .take(if listing { LISTING_ITEMS } else { usize::MAX })
        .map(|item| {
            let mut out = json!({
                "_id": item["_id"], "id": item["id"], "type": item["type"],
                "position": item["position"],
            });
            if let Some(note) = item["note"].as_str() {
                out["note"] =
                    json!({"text": note, "html": format!("<p>{}</p>", html_escape(note))});
            }
            if let Some(slug) = item.get("slug") {
                out["slug"] = slug.clone();
            }
            if let Some(t) = item["type"]
                .as_str()
                .filter(|t| ["model", "dataset", "space"].contains(t))
            {
                out["repoType"] = json!(t);
                out["author"] = json!(
                    item["id"]
                        .as_str()
                        .and_then(|i| i.split_once('/'))
                        .map(|(a, _)| a)
                );
            }
            out
        })
        .collect();
    let mut out = json!({
        "slug": slug_of(doc),
        "title": doc["title"],
        "owner": {"name": ns, "fullname": ns, "avatarUrl": format!("{base}/avatars/{ns}.svg"),
                  "type": owner_type, "isPro": false},
        "items": items,
        "lastUpdated": iso_ms(doc["lastUpdatedMs"].as_i64().unwrap_or(0)),
        "private": doc["private"],
        "theme": doc["theme"],
        "upvotes": 0,
        "isUpvotedByUser": false,
    });
    if let Some(d) = doc["description"].as_str() {
        out["description"] = json!(d);
    }
    if !listing {
        out["position"] = doc["position"].clone();
    }
    out
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn text_field(body: &Value, key: &str, max: usize) -> HubResult<Option<String>> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.chars().count() <= max => Ok(Some(s.clone())),
        Some(_) => Err(HubError::bad_request(format!(
            "\"{key}\" must be a string of at most {max} characters"
        ))),
    }
}

fn bool_field(body: &Value, key: &str) -> HubResult<Option<bool>> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(HubError::bad_request(format!(
            "\"{key}\" must be a boolean"
        ))),
    }
}

fn position_field(body: &Value) -> HubResult<Option<usize>> {
    match body.get("position") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .and_then(|p| usize::try_from(p).ok())
            .map(Some)
            .ok_or_else(|| HubError::bad_request("\"position\" must be a non-negative integer")),
    }
}

/// `GET /api/collections?owner=&item=&sort=&limit=&q=`.
async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
) -> HubResult<Json<Value>> {
    let caller = state.caller(&headers)?;
    let q = QueryPairs::parse(uri.query());
    let owners = q.all("owner");
    let items: Vec<(&str, &str)> = q
        .all("item")
        .into_iter()
        .map(|i| {
            i.split_once('/')
                .map(|(t, id)| (t.trim_end_matches('s'), id))
                .ok_or_else(|| HubError::bad_request(format!("invalid item filter {i:?}")))
        })
        .collect::<HubResult<_>>()?;
    let limit = match q.get("limit") {
        None => MAX_LIST,
        Some(l) => l
            .parse::<usize>()
            .map_err(|_| HubError::bad_request("invalid limit"))?
            .min(MAX_LIST),
    };
    let search = q.get("q").map(str::to_lowercase);
    let mut docs: Vec<Value> = state
        .store
        .doc_list(Table::Collections, None)
        .await?
        .into_iter()
        .map(|(_, d)| d)
        .filter(|d| can_see(&state, &caller, d))
        .filter(|d| owners.is_empty() || owners.contains(&d["namespace"].as_str().unwrap_or("")))
        .filter(|d| {
            items.iter().all(|(t, id)| {
                d["items"].as_array().is_some_and(|its| {
                    its.iter().any(|it| {
                        it["type"].as_str() == Some(*t)
                            && (it["id"].as_str() == Some(*id) || it["slug"].as_str() == Some(*id))
                    })
                })
            })
        })
        .filter(|d| {
            search.as_ref().is_none_or(|s| {
                d["title"]
                    .as_str()
                    .is_some_and(|t| t.to_lowercase().contains(s))
            })
        })
        .collect();
    match q.get("sort") {
        None | Some("lastModified" | "trending" | "upvotes") => {}
        Some(other) => return Err(HubError::bad_request(format!("invalid sort {other:?}"))),
    }
    // No upvotes here: every sort is by last update, newest first.
    docs.sort_by_key(|d| std::cmp::Reverse(d["lastUpdatedMs"].as_i64().unwrap_or(0)));
    let base = state.public_base(&headers);
    Ok(Json(Value::Array(
        docs.iter()
            .take(limit)
            .map(|d| render(&state, &base, d, true))
            .collect(),
    )))
}

/// `POST /api/collections` `{"title", "namespace"?, "description"?, "private"?}`.
async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> HubResult<Json<Value>> {
    let caller = state.caller(&headers)?;
    let body: Value = json_body(&body)?;
    let title = text_field(&body, "title", MAX_TITLE)?
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| HubError::bad_request("a collection needs a \"title\""))?;
    let description = text_field(&body, "description", MAX_DESCRIPTION)?;
    let private = bool_field(&body, "private")?.unwrap_or(false);
    let namespace = match text_field(&body, "namespace", 96)? {
        Some(ns) => ns,
        None => caller
            .user()
            .ok_or_else(|| HubError::unauthorized("You must be authenticated to do this"))?
            .to_owned(),
    };
    state.auth.require_write(&caller, &namespace)?;
    let existing = state
        .store
        .doc_list(Table::Collections, Some(namespace.clone()))
        .await?;
    if existing.len() >= MAX_PER_NAMESPACE {
        return Err(HubError::bad_request(format!(
            "a namespace holds at most {MAX_PER_NAMESPACE} collections"
        )));
    }
    let base = state.public_base(&headers);
    if let Some((_, dup)) = existing
        .iter()
        .find(|(_, d)| slugify(d["title"].as_str().unwrap_or("")) == slugify(&title))
    {
        return Err(HubError::conflict(format!(
            "A collection with the title {title:?} already exists in {namespace}"
        ))
        .with_field("slug", json!(slug_of(dup))));
    }
    let id = object_id_for(&format!(
        "collection:{namespace}:{title}:{}:{}",
        now_ms(),
        fastrand::u64(..)
    ));
    let doc = json!({
        "id": id, "namespace": namespace, "title": title, "description": description,
        "private": private, "theme": THEMES[existing.len() % THEMES.len()],
        "position": existing.len(), "lastUpdatedMs": now_ms(), "items": [],
    });
    state
        .store
        .doc_put(Table::Collections, id, namespace, doc.clone())
        .await?;
    Ok(Json(render(&state, &base, &doc, false)))
}

/// `GET /api/collections/{ns}/{slug}`.
async fn info(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((ns, slug)): Path<(String, String)>,
) -> HubResult<Json<Value>> {
    let caller = state.caller(&headers)?;
    let doc = load(&state, &caller, &ns, &slug).await?;
    Ok(Json(render(
        &state,
        &state.public_base(&headers),
        &doc,
        false,
    )))
}

/// Applies `change` to the stored collection and answers it rendered.
async fn change(
    state: &AppState,
    headers: &HeaderMap,
    id: String,
    change: impl FnOnce(&mut Value) -> Result<(), StoreError> + Send + 'static,
) -> HubResult<Value> {
    let doc = state
        .store
        .doc_update(Table::Collections, id, move |doc| {
            change(doc)?;
            doc["lastUpdatedMs"] = json!(now_ms());
            Ok(doc.clone())
        })
        .await?
        .ok_or_else(|| not_found("collection"))?;
    Ok(render(state, &state.public_base(headers), &doc, false))
}

/// `PATCH /api/collections/{ns}/{slug}` (any of `title`, `description`, `position`, `private`,
/// `theme`); answers `{"data": collection}`.
async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((ns, slug)): Path<(String, String)>,
    body: Bytes,
) -> HubResult<Json<Value>> {
    let doc = load_for_write(&state, &headers, &ns, &slug).await?;
    let body: Value = json_body(&body)?;
    let mut set = Map::new();
    if let Some(t) = text_field(&body, "title", MAX_TITLE)? {
        if t.trim().is_empty() {
            return Err(HubError::bad_request("the title must not be empty"));
        }
        set.insert("title".into(), json!(t));
    }
    if let Some(d) = text_field(&body, "description", MAX_DESCRIPTION)? {
        set.insert("description".into(), json!(d));
    }
    if let Some(p) = bool_field(&body, "private")? {
        set.insert("private".into(), json!(p));
    }
    if let Some(p) = position_field(&body)? {
        set.insert("position".into(), json!(p));
    }
    if let Some(t) = text_field(&body, "theme", 16)? {
        if !THEMES.contains(&t.as_str()) {
            return Err(HubError::bad_request(format!(
                "invalid theme {t:?}: expected one of {}",
                THEMES.join(", ")
            )));
        }
        set.insert("theme".into(), json!(t));
    }
    let id = doc["id"].as_str().unwrap_or("").to_owned();
    let out = change(&state, &headers, id, move |doc| {
        if let Value::Object(doc) = doc {
            doc.extend(set);
        }
        Ok(())
    })
    .await?;
    Ok(Json(json!({"data": out})))
}

/// `DELETE /api/collections/{ns}/{slug}`.
async fn delete(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((ns, slug)): Path<(String, String)>,
) -> HubResult<Json<Value>> {
    let doc = load_for_write(&state, &headers, &ns, &slug).await?;
    let id = doc["id"].as_str().unwrap_or("").to_owned();
    state.store.doc_delete(Table::Collections, id).await?;
    Ok(Json(json!({})))
}

/// Checks the item of an add request exists and is visible; returns `(id, slug)` as stored.
async fn check_item(
    state: &AppState,
    caller: &Caller,
    kind: &str,
    id: &str,
) -> HubResult<(String, Option<String>)> {
    let missing = || HubError::new(StatusCode::NOT_FOUND, format!("{kind} {id} not found"));
    match kind {
        "model" | "dataset" | "space" => {
            let repo_type: RepoType = kind.parse().map_err(|_| missing())?;
            match state.store.lookup_repo(repo_type, id).await? {
                RepoLookup::Found(repo) if state.auth.can_read(caller, &repo) => {
                    Ok((repo.full_id(), None))
                }
                _ => Err(missing()),
            }
        }
        "paper" => match state.store.doc_get(Table::Papers, id.to_owned()).await? {
            Some(_) => Ok((id.to_owned(), None)),
            None => Err(missing()),
        },
        "collection" => {
            let object_id = slug_id(id).unwrap_or(id);
            match state
                .store
                .doc_get(Table::Collections, object_id.to_owned())
                .await?
            {
                Some((_, doc)) if can_see(state, caller, &doc) => {
                    Ok((object_id.to_owned(), Some(slug_of(&doc))))
                }
                _ => Err(missing()),
            }
        }
        other => Err(HubError::bad_request(format!(
            "invalid item type {other:?}: expected model, dataset, space, paper or collection"
        ))),
    }
}

/// `POST /api/collections/{ns}/{slug}/items` `{"item": {"id", "type"}, "note"?}`.
async fn add_item(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((ns, slug)): Path<(String, String)>,
    body: Bytes,
) -> HubResult<Json<Value>> {
    let doc = load_for_write(&state, &headers, &ns, &slug).await?;
    let caller = state.caller(&headers)?;
    let body: Value = json_body(&body)?;
    let kind = body["item"]["type"].as_str().unwrap_or("");
    let item_id = body["item"]["id"]
        .as_str()
        .filter(|i| !i.is_empty() && i.len() <= 256)
        .ok_or_else(|| HubError::bad_request("missing \"item\": {\"id\", \"type\"}"))?;
    let note = text_field(&body, "note", MAX_NOTE)?;
    let (stored_id, item_slug) = check_item(&state, &caller, kind, item_id).await?;
    let kind = kind.to_owned();
    let object_id = object_id_for(&format!(
        "item:{}:{kind}:{stored_id}:{}",
        doc["id"],
        fastrand::u64(..)
    ));
    let id = doc["id"].as_str().unwrap_or("").to_owned();
    let out = change(&state, &headers, id, move |doc| {
        let items = doc["items"]
            .as_array_mut()
            .ok_or_else(|| StoreError::Internal("collection without items".into()))?;
        if items
            .iter()
            .any(|i| i["type"].as_str() == Some(&kind) && i["id"].as_str() == Some(&stored_id))
        {
            return Err(StoreError::Conflict(format!(
                "{kind} {stored_id} is already in the collection"
            )));
        }
        if items.len() >= MAX_ITEMS {
            return Err(StoreError::BadRequest(format!(
                "a collection holds at most {MAX_ITEMS} items"
            )));
        }
        let mut item = json!({"_id": object_id, "id": stored_id, "type": kind,
                              "position": items.len(), "note": note});
        if let Some(s) = item_slug {
            item["slug"] = json!(s);
        }
        items.push(item);
        Ok(())
    })
    .await?;
    Ok(Json(out))
}

/// Renumbers positions 0.. in order.
fn renumber(items: &mut [Value]) {
    for (i, item) in items.iter_mut().enumerate() {
        item["position"] = json!(i);
    }
}

/// `PATCH /api/collections/{ns}/{slug}/items/{item}` `{"note"?, "position"?}`.
async fn update_item(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((ns, slug, item)): Path<(String, String, String)>,
    body: Bytes,
) -> HubResult<Json<Value>> {
    let doc = load_for_write(&state, &headers, &ns, &slug).await?;
    let body: Value = json_body(&body)?;
    let note = text_field(&body, "note", MAX_NOTE)?;
    let position = position_field(&body)?;
    let id = doc["id"].as_str().unwrap_or("").to_owned();
    let out = change(&state, &headers, id, move |doc| {
        let items = doc["items"]
            .as_array_mut()
            .ok_or_else(|| StoreError::Internal("collection without items".into()))?;
        let at = items
            .iter()
            .position(|i| i["_id"].as_str() == Some(&item))
            .ok_or_else(|| StoreError::EntryNotFound(format!("item {item} not found")))?;
        if let Some(note) = note {
            items[at]["note"] = json!(note);
        }
        if let Some(to) = position {
            let moved = items.remove(at);
            items.insert(to.min(items.len()), moved);
        }
        renumber(items);
        Ok(())
    })
    .await?;
    Ok(Json(out))
}

/// `DELETE /api/collections/{ns}/{slug}/items/{item}`.
async fn delete_item(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((ns, slug, item)): Path<(String, String, String)>,
) -> HubResult<Json<Value>> {
    let doc = load_for_write(&state, &headers, &ns, &slug).await?;
    let id = doc["id"].as_str().unwrap_or("").to_owned();
    change(&state, &headers, id, move |doc| {
        let items = doc["items"]
            .as_array_mut()
            .ok_or_else(|| StoreError::Internal("collection without items".into()))?;
        let before = items.len();
        items.retain(|i| i["_id"].as_str() != Some(&item));
        if items.len() == before {
            return Err(StoreError::EntryNotFound(format!("item {item} not found")));
        }
        renumber(items);
        Ok(())
    })
    .await?;
    Ok(Json(json!({})))
}
