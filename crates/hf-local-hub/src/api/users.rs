//! Account endpoints: `whoami-v2`; user and organization overviews, followers, following and
//! organization members (issue 11).

use axum::Json;
use axum::extract::State;
use http::HeaderMap;
use serde_json::{Value, json};

use super::AppState;
use super::error::{HubError, HubResult};
use crate::auth::Caller;

/// A stable 24-hex id derived from a name (users and orgs have no stored rows).
pub(crate) fn object_id_for(name: &str) -> String {
    use sha1::{Digest, Sha1};
    hex::encode(Sha1::digest(name.as_bytes()))[..24].to_owned()
}

/// `GET /api/whoami-v2`.
pub async fn whoami(State(state): State<AppState>, headers: HeaderMap) -> HubResult<Json<Value>> {
    let Caller::User {
        name,
        role,
        token_name,
    } = state.caller(&headers)?
    else {
        return Err(HubError::unauthorized("Invalid username or password."));
    };
    let base = state.public_base(&headers);
    let mut orgs: Vec<Value> = Vec::new();
    for o in state.auth.orgs_of(&name) {
        // Issue 15: the full names seeded with `--org ...:FULL NAME` or a profile.
        let fullname = full_name(&state, &o).await?;
        orgs.push(json!({
            "type": "org", "id": object_id_for(&o), "name": o, "fullname": fullname, "email": null,
            "canPay": false, "periodEnd": null, "avatarUrl": format!("{base}/avatars/{o}.svg"),
            "roleInOrg": state.auth.org_role(&o, &name), "isEnterprise": false
        }));
    }
    let fullname = full_name(&state, &name).await?;
    Ok(Json(json!({
        "type": "user",
        "id": object_id_for(&name),
        "name": name,
        "fullname": fullname,
        "email": format!("{name}@example.com"),
        "emailVerified": true,
        "canPay": false,
        "isPro": false,
        "periodEnd": null,
        "avatarUrl": format!("{base}/avatars/{name}.svg"),
        "orgs": orgs,
        "auth": {
            "type": "access_token",
            "accessToken": {
                "displayName": token_name,
                "role": role.as_str(),
                "createdAt": "2024-01-01T00:00:00.000Z"
            }
        }
    })))
}

// ---------------------------------------------------------------------------------------------
// Overviews, followers, following, members (issue 11)
// ---------------------------------------------------------------------------------------------

/// The routes of this module that are not `whoami`.
pub(crate) fn router() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/api/users/{name}/overview", get(user_overview))
        .route("/api/users/{name}/followers", get(followers))
        .route("/api/users/{name}/following", get(following))
        .route("/api/organizations/{name}/overview", get(org_overview))
        .route("/api/organizations/{name}/members", get(org_members))
}

/// The full name of a user or organization: its profile's `fullname`, else its name.
async fn full_name(state: &AppState, name: &str) -> HubResult<String> {
    Ok(match profile(state, name).await?.get("fullname") {
        Some(Value::String(full)) if !full.is_empty() => full.clone(),
        _ => name.to_owned(),
    })
}

/// The stored profile fields of `name` (an empty object when none).
async fn profile(state: &AppState, name: &str) -> HubResult<serde_json::Map<String, Value>> {
    Ok(
        match state
            .store
            .doc_get(crate::storage::documents::Table::Profiles, name.to_owned())
            .await?
        {
            Some((_, Value::Object(p))) => p,
            _ => serde_json::Map::new(),
        },
    )
}

/// A user as listings show it: `user`, `fullname`, `avatarUrl`, `type`, `isPro`, ...
pub(crate) async fn user_json(state: &AppState, base: &str, name: &str) -> HubResult<Value> {
    let mut user = serde_json::Map::new();
    user.insert("_id".into(), json!(object_id_for(name)));
    user.insert("user".into(), json!(name));
    user.insert("fullname".into(), json!(name));
    user.insert(
        "avatarUrl".into(),
        json!(format!("{base}/avatars/{name}.svg")),
    );
    user.insert("type".into(), json!("user"));
    user.insert("isPro".into(), json!(false));
    for (k, v) in profile(state, name).await? {
        // Profile fields may not rename the account.
        if k != "user" && k != "_id" && k != "type" {
            user.insert(k, v);
        }
    }
    Ok(Value::Object(user))
}

fn not_found(kind: &str, name: &str) -> HubError {
    HubError::new(
        http::StatusCode::NOT_FOUND,
        format!("{kind} {name} not found"),
    )
}

/// Bounds a name from the path before it reaches the store.
fn check_name(name: &str) -> HubResult<()> {
    if name.is_empty() || name.len() > 96 {
        return Err(HubError::bad_request("invalid user or organization name"));
    }
    Ok(())
}

async fn repo_counts(state: &AppState, name: &str) -> HubResult<[usize; 3]> {
    let mut counts = [0; 3];
    for (i, t) in [
        hf_types::RepoType::Model,
        hf_types::RepoType::Dataset,
        hf_types::RepoType::Space,
    ]
    .into_iter()
    .enumerate()
    {
        counts[i] = state
            .store
            .list_repos(t)
            .await?
            .iter()
            .filter(|r| r.namespace == name && !r.private)
            .count();
    }
    Ok(counts)
}

/// `GET /api/users/{name}/overview`.
async fn user_overview(
    State(state): State<AppState>,
    axum::extract::Path(name): axum::extract::Path<String>,
    headers: HeaderMap,
) -> HubResult<Json<Value>> {
    check_name(&name)?;
    let caller = state.caller(&headers)?;
    if !state.auth.is_user(&name) {
        return Err(not_found("User", &name));
    }
    let base = state.public_base(&headers);
    let mut user = user_json(&state, &base, &name).await?;
    let followers = state.store.follows(name.clone(), true).await?;
    let following = state.store.follows(name.clone(), false).await?;
    let [models, datasets, spaces] = repo_counts(&state, &name).await?;
    let orgs: Vec<Value> = state
        .auth
        .orgs_of(&name)
        .into_iter()
        .map(|o| json!({"name": o, "fullname": o, "avatarUrl": format!("{base}/avatars/{o}.svg")}))
        .collect();
    let fields = json!({
        "isFollowing": caller.user().is_some_and(|me| followers.iter().any(|f| f == me)),
        "numModels": models, "numDatasets": datasets, "numSpaces": spaces,
        "numFollowers": followers.len(), "numFollowing": following.len(),
        "orgs": orgs, "createdAt": "2024-01-01T00:00:00.000Z",
    });
    if let (Value::Object(user), Value::Object(fields)) = (&mut user, fields) {
        for (k, v) in fields {
            user.entry(k).or_insert(v);
        }
    }
    Ok(Json(user))
}

async fn follow_list(
    state: AppState,
    name: String,
    headers: HeaderMap,
    followers: bool,
) -> HubResult<Json<Value>> {
    check_name(&name)?;
    state.caller(&headers)?;
    if !state.auth.is_user(&name) && !state.auth.is_org(&name) {
        return Err(not_found("User", &name));
    }
    let base = state.public_base(&headers);
    let mut out = Vec::new();
    for other in state.store.follows(name, followers).await? {
        out.push(user_json(&state, &base, &other).await?);
    }
    Ok(Json(Value::Array(out)))
}

/// `GET /api/users/{name}/followers` (one page).
async fn followers(
    State(state): State<AppState>,
    axum::extract::Path(name): axum::extract::Path<String>,
    headers: HeaderMap,
) -> HubResult<Json<Value>> {
    follow_list(state, name, headers, true).await
}

/// `GET /api/users/{name}/following` (one page).
async fn following(
    State(state): State<AppState>,
    axum::extract::Path(name): axum::extract::Path<String>,
    headers: HeaderMap,
) -> HubResult<Json<Value>> {
    follow_list(state, name, headers, false).await
}

/// `GET /api/organizations/{name}/overview`.
async fn org_overview(
    State(state): State<AppState>,
    axum::extract::Path(name): axum::extract::Path<String>,
    headers: HeaderMap,
) -> HubResult<Json<Value>> {
    check_name(&name)?;
    let caller = state.caller(&headers)?;
    let Some(members) = state.auth.org_members(&name) else {
        return Err(not_found("Organization", &name));
    };
    let base = state.public_base(&headers);
    let followers = state.store.follows(name.clone(), true).await?;
    let [models, datasets, spaces] = repo_counts(&state, &name).await?;
    let mut org = json!({
        "_id": object_id_for(&name), "name": name, "fullname": name,
        "avatarUrl": format!("{base}/avatars/{name}.svg"), "type": "org",
        "isVerified": false,
        "isFollowing": caller.user().is_some_and(|me| followers.iter().any(|f| f == me)),
        "numUsers": members.len(), "numModels": models, "numDatasets": datasets,
        "numSpaces": spaces, "numFollowers": followers.len(),
    });
    if let Value::Object(org) = &mut org {
        for (k, v) in profile(&state, &name).await? {
            if k != "name" && k != "_id" && k != "type" {
                org.insert(k, v);
            }
        }
    }
    Ok(Json(org))
}

/// `GET /api/organizations/{name}/members` (one page; each user carries its `role`).
async fn org_members(
    State(state): State<AppState>,
    axum::extract::Path(name): axum::extract::Path<String>,
    headers: HeaderMap,
) -> HubResult<Json<Value>> {
    check_name(&name)?;
    state.caller(&headers)?;
    let Some(members) = state.auth.org_members(&name) else {
        return Err(not_found("Organization", &name));
    };
    let base = state.public_base(&headers);
    let mut out = Vec::new();
    for member in members {
        let mut user = user_json(&state, &base, &member).await?;
        user["role"] = json!(state.auth.org_role(&name, &member));
        out.push(user);
    }
    Ok(Json(Value::Array(out)))
}
