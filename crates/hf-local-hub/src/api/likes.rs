//! Likes (protocol §9.2): like and unlike a repo, its likers, a user's likes. Listings page with
//! a `Link` header, like the Hub's other listings.

use axum::Router;
use axum::extract::Path;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use http::{HeaderMap, Uri};
use serde::Deserialize;
use serde_json::{Value, json};

use super::context::{Read, Repo, RepoContext, RepoRoutes};
use super::error::{HubError, HubResult};
use super::repos::{decode_cursor, iso_ms, next_link};
use super::{AppState, QueryPairs};
use crate::auth::{Caller, Role};

/// Items per page of the like listings.
const PAGE_SIZE: usize = 100;

/// The like routes.
pub(crate) fn router() -> Router<AppState> {
    let repo = "/api/{t}/{ns}/{name}";
    Router::new()
        .repo_route(
            &format!("{repo}/like"),
            get(liked).post(like).delete(unlike),
        )
        .repo_route(&format!("{repo}/likers"), get(likers))
        .route("/api/users/{user}/likes", get(user_likes))
}

fn liker(c: &RepoContext) -> HubResult<String> {
    match &c.caller {
        Caller::Anonymous => Err(HubError::unauthorized(
            "You must be authenticated to like a repo",
        )),
        Caller::User {
            role: Role::Read, ..
        } => Err(HubError::forbidden(
            "You don't have the rights to perform this action: this token is read-only",
        )),
        Caller::User { name, .. } => Ok(name.clone()),
    }
}

/// `GET .../like`: whether the caller likes the repo.
async fn liked(repo: Repo<Read>) -> HubResult<Json<Value>> {
    let user = liker(&repo)?;
    let likes = repo.state.store.likers(&repo.repo).await?;
    Ok(Json(json!({"liked": likes.iter().any(|l| l.user == user)})))
}

/// `POST .../like` (idempotent).
async fn like(repo: Repo<Read>) -> HubResult<Json<Value>> {
    let user = liker(&repo)?;
    repo.state.store.like(&repo.repo, &user).await?;
    Ok(Json(json!({"success": true})))
}

/// `DELETE .../like` (idempotent).
async fn unlike(repo: Repo<Read>) -> HubResult<Json<Value>> {
    let user = liker(&repo)?;
    repo.state.store.unlike(&repo.repo, &user).await?;
    Ok(Json(json!({"success": true})))
}

/// One page of `items` from the `cursor` of the query, with a `Link` to the next.
fn page(base: &str, uri: &Uri, items: Vec<Value>) -> HubResult<Response> {
    let q = QueryPairs::parse(uri.query());
    let offset = decode_cursor(&q)?;
    let total = items.len();
    let page: Vec<Value> = items.into_iter().skip(offset).take(PAGE_SIZE).collect();
    let sent = offset + page.len();
    let mut resp = Json(Value::Array(page)).into_response();
    if sent < total {
        resp.headers_mut()
            .insert(http::header::LINK, next_link(base, uri, &q, sent));
    }
    Ok(resp)
}

/// `GET .../likers`: users, oldest like first.
async fn likers(repo: Repo<Read>, uri: Uri) -> HubResult<Response> {
    let base = repo.public_base();
    let items = repo
        .state
        .store
        .likers(&repo.repo)
        .await?
        .into_iter()
        .map(|l| {
            json!({"user": l.user, "fullname": l.user, "type": "user", "isPro": false,
                   "avatarUrl": format!("{base}/avatars/{}.svg", l.user)})
        })
        .collect();
    page(&base, &uri, items)
}

#[derive(Deserialize)]
struct UserParam {
    user: String,
}

/// `GET /api/users/{user}/likes`: the repos `user` likes that the caller can see, newest first.
async fn user_likes(
    axum::extract::State(state): axum::extract::State<AppState>,
    Path(UserParam { user }): Path<UserParam>,
    headers: HeaderMap,
    uri: Uri,
) -> HubResult<Response> {
    let caller = state.caller(&headers)?;
    if !state.auth.is_user(&user) {
        return Err(HubError::new(
            http::StatusCode::NOT_FOUND,
            format!("User {user:?} not found"),
        ));
    }
    let base = state.public_base(&headers);
    let items = state
        .store
        .likes_of(&user)
        .await?
        .into_iter()
        .filter(|(_, repo)| state.auth.can_read(&caller, repo))
        .map(|(like, repo)| {
            json!({"createdAt": iso_ms(like.created_ms),
                   "repo": {"name": repo.full_id(), "type": repo.repo_type.as_str()}})
        })
        .collect();
    page(&base, &uri, items)
}
