//! Files, refs and history: tree, paths-info, refs, commits, branches, tags, super-squash.

use std::collections::HashMap;

use axum::Json;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::Uri;
use serde_json::{Map, Value, json};

use super::context::{Read, Repo, Write};
use super::error::{HubError, HubResult};
use super::repos::{decode_cursor, iso_ms, json_body, next_link};
use super::{AppState, QueryPairs};
use crate::storage::{CommitRecord, Entry, EntryKind};

/// Tree page size, and with `expand=True`.
const TREE_PAGE: usize = 1000;
const TREE_PAGE_EXPANDED: usize = 50;
/// Commits per page.
const COMMITS_PAGE: usize = 50;
/// Most paths accepted by one paths-info request (the Hub's parameter limit).
const MAX_PATHS: usize = 1000;

/// Checks a path from a URL or a body (400 on traversal, absolute paths, backslashes, NUL).
pub fn checked_path(path: &str) -> HubResult<String> {
    crate::storage::check_path(path).map_err(HubError::from)
}

/// The `{rev}` of a route.
#[derive(serde::Deserialize)]
pub(crate) struct RevParam {
    pub(crate) rev: String,
}

/// The `{rev}` and `{*path}` of a route.
#[derive(serde::Deserialize)]
pub(crate) struct RevPathParams {
    rev: String,
    path: String,
}

/// The `{branch}` of a route.
#[derive(serde::Deserialize)]
pub(crate) struct BranchParam {
    branch: String,
}

/// The `{tag}` of a route.
#[derive(serde::Deserialize)]
pub(crate) struct TagParam {
    tag: String,
}

/// Commit records looked up once per request.
#[derive(Default)]
struct CommitCache(HashMap<String, Option<CommitRecord>>);

impl CommitCache {
    async fn get(&mut self, state: &AppState, id: &str) -> HubResult<Option<CommitRecord>> {
        if let Some(c) = self.0.get(id) {
            return Ok(c.clone());
        }
        let c = state.store.commit_record(id).await?;
        self.0.insert(id.to_owned(), c.clone());
        Ok(c)
    }
}

async fn entry_json(
    state: &AppState,
    e: &Entry,
    expand: bool,
    cache: &mut CommitCache,
) -> HubResult<Value> {
    let mut o = Map::new();
    o.insert(
        "type".into(),
        json!(if e.kind == EntryKind::File {
            "file"
        } else {
            "directory"
        }),
    );
    o.insert("oid".into(), json!(e.oid));
    o.insert("size".into(), json!(e.size));
    o.insert("path".into(), json!(e.path));
    if let Some(l) = &e.lfs {
        o.insert(
            "lfs".into(),
            json!({"oid": l.sha256, "size": l.size, "pointerSize": l.pointer_size}),
        );
    }
    if expand {
        if let Some(c) = cache.get(state, &e.last_commit).await? {
            o.insert(
                "lastCommit".into(),
                json!({"id": c.id, "title": c.title, "date": iso_ms(c.date_ms)}),
            );
        }
        if e.kind == EntryKind::File {
            let status = json!({"status": "safe", "avScan": {"virusFound": false, "virusNames": null},
                                "pickleImportScan": null});
            o.insert("securityFileStatus".into(), status.clone());
            o.insert(
                "security".into(),
                json!({"safe": true, "avScan": status["avScan"], "pickleImportScan": null}),
            );
        }
    }
    Ok(Value::Object(o))
}

async fn tree(c: Repo<Read>, rev: String, path: Option<String>, uri: Uri) -> HubResult<Response> {
    let q = QueryPairs::parse(uri.query());
    let recursive = q.flag("recursive")?;
    let expand = q.flag("expand")?;
    let commit = c.state.resolve_rev(&c.repo, &rev).await?;
    let folder = match path.as_deref().map(|p| p.trim_end_matches('/')) {
        None | Some("") => String::new(),
        Some(p) => {
            let p = checked_path(p)?;
            match c.state.store.tree_entry(&commit, &p).await? {
                Some(e) if e.kind == EntryKind::Directory => p,
                _ => {
                    return Err(HubError::entry_not_found(format!(
                        "Entry not found: {p} is not a folder at {rev}"
                    )));
                }
            }
        }
    };
    let mut entries = c.state.store.list_tree(&commit, &folder, recursive).await?;
    // The Hub lists folders before files (gitaly's "trees first"), each group in path order: per level
    // when not recursive, over the whole listing when recursive (issue 15 item 4). The sort is stable.
    entries.sort_by_key(|e| e.kind != EntryKind::Directory);
    let page_size = if expand {
        TREE_PAGE_EXPANDED
    } else {
        TREE_PAGE
    };
    let offset = decode_cursor(&q)?;
    let mut cache = CommitCache::default();
    let mut out = Vec::new();
    for e in entries.iter().skip(offset).take(page_size) {
        out.push(entry_json(&c.state, e, expand, &mut cache).await?);
    }
    let sent = offset + out.len();
    let mut resp = Json(Value::Array(out)).into_response();
    if sent < entries.len() {
        let base = c.public_base();
        resp.headers_mut()
            .insert(http::header::LINK, next_link(&base, &uri, &q, sent));
    }
    Ok(resp)
}

/// `GET /api/{t}/{ns}/{name}/tree/{rev}`.
pub(crate) async fn tree_root(
    c: Repo<Read>,
    Path(p): Path<RevParam>,
    uri: Uri,
) -> HubResult<Response> {
    tree(c, p.rev, None, uri).await
}

/// `GET /api/{t}/{ns}/{name}/tree/{rev}/{path}` (`path` is one `%2F`-encoded segment, or several).
pub(crate) async fn tree_path(
    c: Repo<Read>,
    Path(p): Path<RevPathParams>,
    uri: Uri,
) -> HubResult<Response> {
    tree(c, p.rev, Some(p.path), uri).await
}

/// `POST /api/{t}/{ns}/{name}/paths-info/{rev}` (form body: repeated `paths`, `expand`).
pub(crate) async fn paths_info(
    c: Repo<Read>,
    Path(p): Path<RevParam>,
    body: Bytes,
) -> HubResult<Json<Value>> {
    let rev = p.rev;
    let text = std::str::from_utf8(&body)
        .map_err(|_| HubError::bad_request("paths-info body is not UTF-8"))?;
    let form = if text.trim_start().starts_with('{') {
        // Lenient: a JSON body {"paths": [...], "expand": bool}.
        let v: Value = json_body(&body)?;
        let mut pairs = Vec::new();
        if let Some(Value::Array(ps)) = v.get("paths") {
            pairs.extend(
                ps.iter()
                    .filter_map(Value::as_str)
                    .map(|p| ("paths".to_owned(), p.to_owned())),
            );
        }
        if v.get("expand").and_then(Value::as_bool) == Some(true) {
            pairs.push(("expand".into(), "true".into()));
        }
        QueryPairs(pairs)
    } else {
        QueryPairs::parse(Some(text))
    };
    let paths = form.all("paths");
    if form.0.len() > MAX_PATHS {
        return Err(HubError::new(
            http::StatusCode::PAYLOAD_TOO_LARGE,
            "too many parameters",
        ));
    }
    let expand = form.flag("expand")?;
    let commit = c.state.resolve_rev(&c.repo, &rev).await?;
    let mut cache = CommitCache::default();
    let mut out = Vec::new();
    for p in paths {
        let p = checked_path(p.trim_end_matches('/'))?;
        if let Some(e) = c.state.store.tree_entry(&commit, &p).await? {
            out.push(entry_json(&c.state, &e, expand, &mut cache).await?);
        }
    }
    Ok(Json(Value::Array(out)))
}

/// `GET /api/{t}/{ns}/{name}/refs` (`include_prs=1` adds `pullRequests`).
pub(crate) async fn refs(c: Repo<Read>, uri: Uri) -> HubResult<Json<Value>> {
    let q = QueryPairs::parse(uri.query());
    let include_prs = q.flag("include_prs")?;
    let mut groups: [Vec<Value>; 4] = Default::default();
    for r in c.state.store.refs(&c.repo).await? {
        let (i, short) = if let Some(s) = r.name.strip_prefix("refs/heads/") {
            (0, s)
        } else if let Some(s) = r.name.strip_prefix("refs/convert/") {
            (1, s)
        } else if let Some(s) = r.name.strip_prefix("refs/tags/") {
            (2, s)
        } else if let Some(s) = r.name.strip_prefix("refs/pr/") {
            (3, s)
        } else {
            continue;
        };
        groups[i].push(json!({"name": short, "ref": r.name, "targetCommit": r.commit}));
    }
    let [branches, converts, tags, prs] = groups;
    let mut o = json!({"branches": branches, "converts": converts, "tags": tags});
    if include_prs {
        o["pullRequests"] = Value::Array(prs);
    }
    Ok(Json(o))
}

/// `GET /api/{t}/{ns}/{name}/commits/{rev}` (newest first, paginated).
pub(crate) async fn commits(
    c: Repo<Read>,
    Path(p): Path<RevParam>,
    uri: Uri,
) -> HubResult<Response> {
    let rev = p.rev;
    let q = QueryPairs::parse(uri.query());
    let formatted = q.all("expand").contains(&"formatted");
    let commit = c.state.resolve_rev(&c.repo, &rev).await?;
    let offset = decode_cursor(&q)?;
    let (page, more) = c.state.store.history(&commit, offset, COMMITS_PAGE).await?;
    let base = c.public_base();
    let out: Vec<Value> = page
        .iter()
        .map(|r| {
            let mut o = json!({
                "id": r.id, "title": r.title, "message": r.message,
                "authors": [{"user": r.author, "avatar": format!("{base}/avatars/{}.svg", r.author)}],
                "date": iso_ms(r.date_ms),
            });
            if formatted {
                o["formatted"] = json!({"title": html_escape(&r.title), "message": html_escape(&r.message)});
            }
            o
        })
        .collect();
    let mut resp = Json(Value::Array(out)).into_response();
    if more {
        resp.headers_mut().insert(
            http::header::LINK,
            next_link(&base, &uri, &q, offset + page.len()),
        );
    }
    Ok(resp)
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A branch or tag name from a URL or body: a valid revision, not a full ref, not a commit id.
fn ref_name(kind: &str, name: &str) -> HubResult<String> {
    let rev: hf_types::Revision = name.parse().map_err(|e: hf_types::InvalidRevision| {
        HubError::bad_request(format!("invalid {kind} name: {e}"))
    })?;
    if name.starts_with("refs/") || rev.is_commit() || name.contains(' ') {
        return Err(HubError::bad_request(format!(
            "invalid {kind} name {name:?}"
        )));
    }
    Ok(name.to_owned())
}

/// Tells webhooks that the ref `name` of the context's repo moved from `old` to `new`.
fn emit_ref<A>(c: &Repo<A>, name: String, old_sha: Option<String>, new_sha: Option<String>) {
    use crate::webhooks::{EventKind, HubEvent, UpdatedRef, emit};
    let refs = vec![UpdatedRef {
        name,
        old_sha,
        new_sha,
    }];
    emit(
        &c.state,
        HubEvent::new(c.repo.clone(), EventKind::RefsUpdated { refs }),
    );
}

/// `POST /api/{t}/{ns}/{name}/branch/{branch}` (body `{}` or `{"startingPoint": rev}`).
pub(crate) async fn create_branch(
    c: Repo<Write>,
    Path(p): Path<BranchParam>,
    body: Bytes,
) -> HubResult<Json<Value>> {
    let branch = p.branch;
    let branch = ref_name("branch", &branch)?;
    let b: Value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        json_body(&body)?
    };
    let start = b
        .get("startingPoint")
        .and_then(Value::as_str)
        .unwrap_or("main")
        .to_owned();
    let commit = c.state.resolve_rev(&c.repo, &start).await?;
    let name = format!("refs/heads/{branch}");
    c.state.store.create_ref(&c.repo, &name, &commit).await?;
    emit_ref(&c, name, None, Some(commit));
    Ok(Json(json!({})))
}

/// `DELETE /api/{t}/{ns}/{name}/branch/{branch}`.
pub(crate) async fn delete_branch(
    c: Repo<Write>,
    Path(p): Path<BranchParam>,
) -> HubResult<Json<Value>> {
    let branch = p.branch;
    let name = format!("refs/heads/{branch}");
    let old = c.state.store.resolve_revision(&c.repo, &name).await?;
    c.state.store.delete_ref(&c.repo, &name).await?;
    emit_ref(&c, name, old, None);
    Ok(Json(json!({})))
}

/// `POST /api/{t}/{ns}/{name}/tag/{rev}` (body `{"tag": "...", "message"?: "..."}`).
pub(crate) async fn create_tag(
    c: Repo<Write>,
    Path(p): Path<TagParam>,
    body: Bytes,
) -> HubResult<Json<Value>> {
    // The route's `{tag}` segment names the revision to tag; the tag's name is in the body.
    let rev = p.tag;
    let b: Value = json_body(&body)?;
    let tag = b
        .get("tag")
        .and_then(Value::as_str)
        .ok_or_else(|| HubError::bad_request("missing \"tag\" in the body"))?;
    // Issue 15: the Hub checks the revision before the tag's name.
    let commit = c.state.resolve_rev(&c.repo, &rev).await?;
    let tag = ref_name("tag", tag)?;
    let name = format!("refs/tags/{tag}");
    c.state.store.create_ref(&c.repo, &name, &commit).await?;
    emit_ref(&c, name, None, Some(commit));
    Ok(Json(json!({})))
}

/// `DELETE /api/{t}/{ns}/{name}/tag/{tag}`.
pub(crate) async fn delete_tag(c: Repo<Write>, Path(p): Path<TagParam>) -> HubResult<Json<Value>> {
    let tag = p.tag;
    let name = format!("refs/tags/{tag}");
    let old = c.state.store.resolve_revision(&c.repo, &name).await?;
    c.state.store.delete_ref(&c.repo, &name).await?;
    emit_ref(&c, name, old, None);
    Ok(Json(json!({})))
}

/// `POST /api/{t}/{ns}/{name}/super-squash/{branch}` (body `{"message": "..."}`).
pub(crate) async fn super_squash(
    c: Repo<Write>,
    Path(p): Path<BranchParam>,
    body: Bytes,
) -> HubResult<Json<Value>> {
    let branch = p.branch;
    let b: Value = if body.is_empty() {
        json!({})
    } else {
        json_body(&body)?
    };
    let message = b
        .get("message")
        .and_then(Value::as_str)
        .map_or_else(|| format!("Super-squash branch '{branch}'"), str::to_owned);
    let full = format!("refs/heads/{branch}");
    let refs = c.state.store.refs(&c.repo).await?;
    if !refs.iter().any(|r| r.name == full) {
        if refs.iter().any(|r| r.name == format!("refs/tags/{branch}")) {
            return Err(HubError::bad_request(format!(
                "{branch} is a tag, not a branch"
            )));
        }
        return Err(HubError::revision_not_found(&branch));
    }
    let author = c.author();
    let old = refs
        .iter()
        .find(|r| r.name == full)
        .map(|r| r.commit.clone());
    let id = c
        .state
        .store
        .super_squash(&c.repo, &full, &message, &author)
        .await?;
    emit_ref(&c, full, old, Some(id.clone()));
    Ok(Json(json!({"commitId": id})))
}
