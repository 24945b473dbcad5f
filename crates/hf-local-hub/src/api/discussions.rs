//! Discussions and pull requests (protocol §9.1): `/api/{type}/{repo}/discussions[/{num}[/...]]`.
//!
//! Who may do what: anyone who can see the repo reads; any user with a write token opens discussions
//! and comments (a read-only token is refused, as for commits); the author of a discussion or a repo
//! writer renames, closes and reopens it; the author of a comment or a writer edits it; only writers
//! hide comments and merge. Private repos stay invisible (404) to everyone else.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Path};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use http::Uri;
use serde::Deserialize;
use serde_json::{Value, json};

use super::context::{Read, Repo, RepoContext, RepoRoutes, Write};
use super::error::{HubError, HubResult};
use super::repos::iso_ms;
use super::{AppState, QueryPairs};
use crate::auth::{Caller, Role};
use crate::storage::{
    DiscussionFilter, DiscussionRecord, EventRecord, MAX_COMMENT, MAX_TITLE, NewPullRequest,
};
use crate::webhooks::{CommentEvent, DiscussionEvent, EventKind, HubEvent};

/// Discussions per listing page (the Hub's page size).
pub(crate) const PAGE_SIZE: usize = 50;
/// Largest body of a discussion request (a comment is at most [`MAX_COMMENT`] bytes).
const MAX_BODY: usize = 256 * 1024;
/// Longest `author` filter accepted.
const MAX_NAME: usize = 96;

/// The discussion routes.
pub(crate) fn router() -> Router<AppState> {
    let d = "/api/{t}/{ns}/{name}/discussions";
    Router::new()
        .repo_route(d, get(list).post(create))
        .repo_route(&format!("{d}/{{num}}"), get(details))
        .repo_route(&format!("{d}/{{num}}/comment"), post(comment))
        .repo_route(&format!("{d}/{{num}}/title"), post(rename))
        .repo_route(&format!("{d}/{{num}}/status"), post(status))
        .repo_route(&format!("{d}/{{num}}/merge"), post(merge))
        .repo_route(&format!("{d}/{{num}}/comment/{{id}}/edit"), post(edit))
        .repo_route(&format!("{d}/{{num}}/comment/{{id}}/hide"), post(hide))
        .layer(DefaultBodyLimit::max(MAX_BODY))
}

#[derive(Deserialize)]
struct NumParam {
    num: String,
}

#[derive(Deserialize)]
struct CommentParam {
    num: String,
    id: String,
}

fn parse_num(num: &str) -> HubResult<u64> {
    num.parse::<u64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| HubError::bad_request(format!("invalid discussion number {num:?}")))
}

/// The JSON body, or `{}` when empty.
fn body_json(body: &Bytes) -> HubResult<Value> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    serde_json::from_slice(body)
        .map_err(|e| HubError::bad_request(format!("invalid JSON body: {e}")))
}

fn string_field<'a>(body: &'a Value, key: &str) -> HubResult<Option<&'a str>> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(HubError::bad_request(format!("{key} must be a string"))),
    }
}

/// A comment text: required, not blank, at most [`MAX_COMMENT`] bytes.
fn comment_text(body: &Value, key: &str) -> HubResult<String> {
    let text = string_field(body, key)?.unwrap_or("").trim();
    if text.is_empty() {
        return Err(HubError::bad_request(format!("{key} must not be empty")));
    }
    if text.len() > MAX_COMMENT {
        return Err(HubError::bad_request(format!(
            "{key} is longer than {MAX_COMMENT} bytes"
        )));
    }
    Ok(text.to_owned())
}

/// A title: not blank, at most [`MAX_TITLE`] characters.
fn title_text(body: &Value) -> HubResult<String> {
    let title = string_field(body, "title")?.unwrap_or("").trim();
    if title.is_empty() {
        return Err(HubError::bad_request("title must not be empty"));
    }
    if title.chars().count() > MAX_TITLE {
        return Err(HubError::bad_request(format!(
            "title is longer than {MAX_TITLE} characters"
        )));
    }
    Ok(title.to_owned())
}

/// The caller as a participant: a user with a write token.
fn participant(c: &RepoContext) -> HubResult<String> {
    match &c.caller {
        Caller::Anonymous => Err(HubError::unauthorized(
            "You must be authenticated to take part in discussions",
        )),
        Caller::User {
            role: Role::Read, ..
        } => Err(HubError::forbidden(
            "You don't have the rights to perform this action: this token is read-only",
        )),
        Caller::User { name, .. } => Ok(name.clone()),
    }
}

fn is_writer(c: &RepoContext) -> bool {
    c.state
        .auth
        .require_write(&c.caller, &c.repo.namespace)
        .is_ok()
}

/// The caller when it is `author` or a repo writer; 403 otherwise.
fn author_or_writer(c: &RepoContext, author: &str, what: &str) -> HubResult<String> {
    let name = participant(c)?;
    if name == author || is_writer(c) {
        Ok(name)
    } else {
        Err(HubError::forbidden(format!(
            "Only the author or a maintainer of the repo can {what}"
        )))
    }
}

fn user_json(base: &str, name: &str) -> Value {
    json!({
        "name": name, "fullname": name, "type": "user", "isPro": false, "isHf": false,
        "avatarUrl": format!("{base}/avatars/{name}.svg"),
    })
}

fn event_json(base: &str, e: &EventRecord) -> Value {
    let data = if e.kind == "comment" {
        let versions: Vec<&Value> = e.data["history"]
            .as_array()
            .map(|h| h.iter().collect())
            .unwrap_or_default();
        let render = |v: &Value| {
            let raw = v["raw"].as_str().unwrap_or("");
            let author = v["author"].as_str().unwrap_or("deleted");
            json!({
                "raw": raw,
                "html": format!("<p>{}</p>", html_escape(raw)),
                "updatedAt": iso_ms(v["ms"].as_i64().unwrap_or(e.created_ms)),
                "author": user_json(base, author),
            })
        };
        let latest = versions.last().map_or(Value::Null, |v| render(v));
        let mut editors: Vec<&str> = Vec::new();
        for v in &versions {
            let a = v["author"].as_str().unwrap_or("deleted");
            if !editors.contains(&a) {
                editors.push(a);
            }
        }
        // Earlier versions, newest first: `len(history)` is the number of edits.
        let history: Vec<Value> = versions.iter().rev().skip(1).map(|v| render(v)).collect();
        json!({
            "edited": versions.len() > 1,
            "hidden": e.data["hidden"].as_bool().unwrap_or(false),
            "numEdits": history.len(),
            "editors": editors,
            "latest": latest,
            "history": history,
        })
    } else {
        e.data.clone()
    };
    json!({
        "id": e.id, "type": e.kind, "createdAt": iso_ms(e.created_ms),
        "author": user_json(base, &e.author), "data": data,
    })
}

/// Tells the webhooks (issue 11's event bus) that discussion `num` changed. Delivery runs in the
/// background; a failure to describe the discussion is logged, never the request's error.
async fn announce(repo: &RepoContext, num: u64, kind: impl FnOnce(DiscussionEvent) -> EventKind) {
    match repo.state.store.discussion(&repo.repo, num).await {
        Ok((d, events)) => {
            let discussion = DiscussionEvent {
                // The opening comment's id stands for the discussion's object id.
                id: events.first().map(|e| e.id.clone()).unwrap_or_default(),
                num: d.num,
                title: d.title,
                author: d.author,
                is_pull_request: d.is_pr,
                status: d.status,
                pinned: false,
                base: d.base_ref,
                merge_commit_id: d.merge_commit,
            };
            crate::webhooks::emit(
                &repo.state,
                HubEvent::new(repo.repo.clone(), kind(discussion)),
            );
        }
        Err(e) => tracing::warn!("no webhook event for discussion {num}: {e}"),
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn discussion_json(c: &RepoContext, d: &DiscussionRecord) -> Value {
    let base = c.public_base();
    json!({
        "num": d.num, "title": d.title, "status": d.status, "isPullRequest": d.is_pr,
        "createdAt": iso_ms(d.created_ms), "numComments": d.num_comments, "pinned": false,
        "topReactions": [], "numReactionUsers": 0,
        "author": user_json(&base, &d.author),
        "repo": {"name": c.repo.full_id(), "type": c.repo.repo_type.as_str()},
    })
}

/// `GET .../discussions?p=&type=&status=&author=`: 0-based pages of [`PAGE_SIZE`], newest first.
async fn list(repo: Repo<Read>, uri: Uri) -> HubResult<Json<Value>> {
    let q = QueryPairs::parse(uri.query());
    let page: usize = match q.get("p") {
        None => 0,
        Some(p) => p
            .parse()
            .ok()
            .filter(|p| *p < 1_000_000)
            .ok_or_else(|| HubError::bad_request(format!("invalid page {p:?}")))?,
    };
    let pull_requests = match q.get("type").unwrap_or("all") {
        "all" => None,
        "discussion" => Some(false),
        "pull_request" => Some(true),
        other => {
            return Err(HubError::bad_request(format!(
                "invalid type {other:?}: expected all, discussion or pull_request"
            )));
        }
    };
    let statuses = match q.get("status").unwrap_or("all") {
        "all" => None,
        "open" => Some(vec!["open", "draft"]),
        "closed" => Some(vec!["closed", "merged"]),
        "merged" => Some(vec!["merged"]),
        "draft" => Some(vec!["draft"]),
        other => {
            return Err(HubError::bad_request(format!(
                "invalid status {other:?}: expected all, open or closed"
            )));
        }
    };
    let author = q.get("author").filter(|a| !a.is_empty());
    if author.is_some_and(|a| a.len() > MAX_NAME) {
        return Err(HubError::bad_request("author is too long"));
    }
    let filter = DiscussionFilter {
        pull_requests,
        statuses,
        author: author.map(str::to_owned),
    };
    let start = page * PAGE_SIZE;
    let (items, count) = repo
        .state
        .store
        .discussions(&repo.repo, filter, start, PAGE_SIZE)
        .await?;
    let discussions: Vec<Value> = items.iter().map(|d| discussion_json(&repo, d)).collect();
    Ok(Json(
        json!({"discussions": discussions, "count": count, "start": start}),
    ))
}

/// `POST .../discussions` `{"title", "description", "pullRequest"}` → `{"num"}`. A pull request
/// opened this way is a draft whose `refs/pr/{num}` starts at the head of `main`.
async fn create(repo: Repo<Read>, body: Bytes) -> HubResult<Json<Value>> {
    let author = participant(&repo)?;
    let body = body_json(&body)?;
    let title = title_text(&body)?;
    let description = string_field(&body, "description")?.unwrap_or("").trim();
    if description.len() > MAX_COMMENT {
        return Err(HubError::bad_request(format!(
            "description is longer than {MAX_COMMENT} bytes"
        )));
    }
    let pull_request = match body.get("pullRequest") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(HubError::bad_request("pullRequest must be a boolean")),
    };
    let pr = if pull_request {
        let base_commit = repo.state.resolve_rev(&repo.repo, "main").await?;
        Some(NewPullRequest {
            base_ref: "refs/heads/main".into(),
            base_commit,
            status: "draft",
        })
    } else {
        None
    };
    let num = repo
        .state
        .store
        .create_discussion(&repo.repo, &title, &author, description, pr)
        .await?;
    announce(&repo, num, EventKind::DiscussionCreated).await;
    let url = format!(
        "{}/{}{}/discussions/{num}",
        repo.public_base(),
        repo.repo.repo_type.url_prefix(),
        repo.repo.full_id()
    );
    Ok(Json(
        json!({"num": num, "pullRequest": pull_request, "url": url}),
    ))
}

/// `GET .../discussions/{num}[?diff=1]`.
async fn details(
    repo: Repo<Read>,
    Path(NumParam { num }): Path<NumParam>,
    uri: Uri,
) -> HubResult<Json<Value>> {
    let num = parse_num(&num)?;
    let with_diff = QueryPairs::parse(uri.query()).flag("diff")?;
    let (d, events) = repo.state.store.discussion(&repo.repo, num).await?;
    let base = repo.public_base();
    let mut out = discussion_json(&repo, &d);
    out["events"] = Value::Array(events.iter().map(|e| event_json(&base, e)).collect());
    if d.is_pr {
        let changes = repo.state.store.pr_changes(&repo.repo, num).await?;
        out["changes"] = json!({"base": d.base_ref, "mergeCommitId": d.merge_commit});
        out["filesWithConflicts"] = json!(changes.conflicts);
        if with_diff {
            out["diff"] = json!(changes.diff);
        }
    }
    Ok(Json(out))
}

/// `POST .../discussions/{num}/comment` `{"comment"}` → `{"newMessage": event}`.
async fn comment(
    repo: Repo<Read>,
    Path(NumParam { num }): Path<NumParam>,
    body: Bytes,
) -> HubResult<Json<Value>> {
    let num = parse_num(&num)?;
    let author = participant(&repo)?;
    let text = comment_text(&body_json(&body)?, "comment")?;
    let event = repo
        .state
        .store
        .comment_discussion(&repo.repo, num, &author, &text)
        .await?;
    let comment = CommentEvent {
        id: event.id.clone(),
        author: author.clone(),
        content: text.clone(),
        hidden: false,
    };
    announce(&repo, num, |d| EventKind::DiscussionComment(d, comment)).await;
    Ok(Json(
        json!({"newMessage": event_json(&repo.public_base(), &event)}),
    ))
}

/// `POST .../discussions/{num}/title` `{"title"}` → `{"newTitle": event}`.
async fn rename(
    repo: Repo<Read>,
    Path(NumParam { num }): Path<NumParam>,
    body: Bytes,
) -> HubResult<Json<Value>> {
    let num = parse_num(&num)?;
    let (d, _) = repo.state.store.discussion(&repo.repo, num).await?;
    let author = author_or_writer(&repo, &d.author, "rename this discussion")?;
    let title = title_text(&body_json(&body)?)?;
    let event = repo
        .state
        .store
        .rename_discussion(&repo.repo, num, &author, &title)
        .await?;
    Ok(Json(
        json!({"newTitle": event_json(&repo.public_base(), &event)}),
    ))
}

/// `POST .../discussions/{num}/status` `{"status": "open"|"closed", "comment"?}` →
/// `{"newStatus": event}`.
async fn status(
    repo: Repo<Read>,
    Path(NumParam { num }): Path<NumParam>,
    body: Bytes,
) -> HubResult<Json<Value>> {
    let num = parse_num(&num)?;
    let (d, _) = repo.state.store.discussion(&repo.repo, num).await?;
    let author = author_or_writer(&repo, &d.author, "change the status of this discussion")?;
    let body = body_json(&body)?;
    let status = match string_field(&body, "status")? {
        Some("open") => "open",
        Some("closed") => "closed",
        other => {
            return Err(HubError::bad_request(format!(
                "invalid status {other:?}: expected \"open\" or \"closed\""
            )));
        }
    };
    let comment = optional_comment(&body)?;
    let event = repo
        .state
        .store
        .set_discussion_status(&repo.repo, num, &author, status, comment)
        .await?;
    announce(&repo, num, EventKind::DiscussionStatus).await;
    Ok(Json(
        json!({"newStatus": event_json(&repo.public_base(), &event)}),
    ))
}

fn optional_comment(body: &Value) -> HubResult<Option<String>> {
    match string_field(body, "comment")?.map(str::trim) {
        None | Some("") => Ok(None),
        Some(_) => comment_text(body, "comment").map(Some),
    }
}

/// `POST .../discussions/{num}/merge` `[{"comment"}]`: writers only.
async fn merge(
    repo: Repo<Write>,
    Path(NumParam { num }): Path<NumParam>,
    body: Bytes,
) -> HubResult<Json<Value>> {
    let num = parse_num(&num)?;
    let author = participant(&repo)?;
    let comment = optional_comment(&body_json(&body)?)?;
    let commit = repo
        .state
        .store
        .merge_pull_request(&repo.repo, num, &author, comment)
        .await?;
    announce(&repo, num, EventKind::DiscussionMerged).await;
    Ok(Json(json!({"mergeCommitId": commit})))
}

/// `POST .../discussions/{num}/comment/{id}/edit` `{"content"}` → `{"updatedComment": event}`.
async fn edit(
    repo: Repo<Read>,
    Path(CommentParam { num, id }): Path<CommentParam>,
    body: Bytes,
) -> HubResult<Json<Value>> {
    let num = parse_num(&num)?;
    let id = id.to_ascii_lowercase();
    let comment_author = repo
        .state
        .store
        .comment_author(&repo.repo, num, &id)
        .await?;
    let editor = author_or_writer(&repo, &comment_author, "edit this comment")?;
    let text = comment_text(&body_json(&body)?, "content")?;
    let event = repo
        .state
        .store
        .edit_comment(&repo.repo, num, &id, &editor, &text)
        .await?;
    Ok(Json(
        json!({"updatedComment": event_json(&repo.public_base(), &event)}),
    ))
}

/// `POST .../discussions/{num}/comment/{id}/hide` → `{"updatedComment": event}`: writers only.
async fn hide(
    repo: Repo<Write>,
    Path(CommentParam { num, id }): Path<CommentParam>,
) -> HubResult<Response> {
    let num = parse_num(&num)?;
    let id = id.to_ascii_lowercase();
    let event = repo.state.store.hide_comment(&repo.repo, num, &id).await?;
    Ok(Json(json!({"updatedComment": event_json(&repo.public_base(), &event)})).into_response())
}
