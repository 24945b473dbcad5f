//! Account endpoints: `whoami-v2`.

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
    let orgs: Vec<Value> = state
        .auth
        .orgs_of(&name)
        .into_iter()
        .map(|o| {
            json!({
                "type": "org", "id": object_id_for(&o), "name": o, "fullname": o, "email": null,
                "canPay": false, "periodEnd": null, "avatarUrl": format!("{base}/avatars/{o}.svg"),
                "roleInOrg": "admin", "isEnterprise": false
            })
        })
        .collect();
    Ok(Json(json!({
        "type": "user",
        "id": object_id_for(&name),
        "name": name,
        "fullname": name,
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
