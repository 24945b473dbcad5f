//! A Space's secrets and variables (protocol §7.2). Secrets are write-only: listing them gives
//! keys and metadata, never values. Changes restart the Space on the Hub.

use std::collections::BTreeMap;

use hf_http::{HubClient, Method, RepoTarget};
use hf_types::{RepoId, Route, SpaceSecret, SpaceVariable};
use serde_json::{Map, Value, json};

use crate::{Result, space_target};

/// `{key, value, description?}`.
fn key_value_body(key: &str, value: &str, description: Option<&str>) -> Value {
    let mut body = Map::new();
    body.insert("key".into(), json!(key));
    body.insert("value".into(), json!(value));
    if let Some(description) = description {
        body.insert("description".into(), json!(description));
    }
    Value::Object(body)
}

/// Reads the Hub's `{key: {...}}` map, filling each item's `key`.
async fn read_variables(response: hf_http::Response) -> Result<BTreeMap<String, SpaceVariable>> {
    let mut map: BTreeMap<String, SpaceVariable> = response.json().await?;
    for (key, variable) in &mut map {
        variable.key.clone_from(key);
    }
    Ok(map)
}

/// Adds or updates a secret of a Space: the Python client's `add_space_secret`
/// (`POST /api/spaces/{id}/secrets`).
///
/// `Debug` does not show the value.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_spaces::Error> {
/// use hf_spaces::env::AddSpaceSecret;
/// AddSpaceSecret::new(client, "alice/demo".parse()?, "OPENAI_API_KEY", "sk-...")
///     .description("for the chat tab")
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Clone)]
pub struct AddSpaceSecret {
    target: RepoTarget,
    key: String,
    value: String,
    description: Option<String>,
}

impl std::fmt::Debug for AddSpaceSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AddSpaceSecret")
            .field("target", &self.target)
            .field("key", &self.key)
            .field("value", &"<redacted>")
            .field("description", &self.description)
            .finish()
    }
}

impl AddSpaceSecret {
    /// Sets the secret `key` of the Space `repo_id` to `value`.
    pub fn new(
        client: HubClient,
        repo_id: RepoId,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        AddSpaceSecret {
            target: space_target(client, repo_id),
            key: key.into(),
            value: value.into(),
            description: None,
        }
    }

    /// What the secret is for.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    async fn send(self) -> Result<()> {
        let route = Route::space(self.target.repo_id()).secrets();
        let body = key_value_body(&self.key, &self.value, self.description.as_deref());
        self.target
            .route(Method::POST, &route)
            .json(&body)
            .send()
            .await?;
        Ok(())
    }
}
hf_http::impl_into_future!(AddSpaceSecret => (), send);

/// Deletes a secret of a Space (a missing key is not an error): the Python client's
/// `delete_space_secret` (`DELETE /api/spaces/{id}/secrets`).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_spaces::Error> {
/// use hf_spaces::env::DeleteSpaceSecret;
/// DeleteSpaceSecret::new(client, "alice/demo".parse()?, "OPENAI_API_KEY").await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct DeleteSpaceSecret {
    target: RepoTarget,
    key: String,
}

impl DeleteSpaceSecret {
    /// Deletes the secret `key` of the Space `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId, key: impl Into<String>) -> Self {
        DeleteSpaceSecret {
            target: space_target(client, repo_id),
            key: key.into(),
        }
    }

    async fn send(self) -> Result<()> {
        let route = Route::space(self.target.repo_id()).secrets();
        self.target
            .route(Method::DELETE, &route)
            .json(&json!({"key": self.key}))
            .send()
            .await?;
        Ok(())
    }
}
hf_http::impl_into_future!(DeleteSpaceSecret => (), send);

/// The secrets of a Space, by key, without their values (`GET /api/spaces/{id}/secrets`; the
/// Python client's `get_space_secrets` of later versions). Needs write access.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_spaces::Error> {
/// use hf_spaces::env::GetSpaceSecrets;
/// for (key, secret) in GetSpaceSecrets::new(client, "alice/demo".parse()?).await? {
///     println!("{key}: {:?}", secret.description);
/// }
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct GetSpaceSecrets {
    target: RepoTarget,
}

impl GetSpaceSecrets {
    /// The secrets of the Space `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId) -> Self {
        GetSpaceSecrets {
            target: space_target(client, repo_id),
        }
    }

    async fn send(self) -> Result<BTreeMap<String, SpaceSecret>> {
        let route = Route::space(self.target.repo_id()).secrets();
        let response = self.target.route(Method::GET, &route).send().await?;
        let mut map: BTreeMap<String, SpaceSecret> = response.json().await?;
        for (key, secret) in &mut map {
            secret.key.clone_from(key);
        }
        Ok(map)
    }
}
hf_http::impl_into_future!(GetSpaceSecrets => BTreeMap<String, SpaceSecret>, send);

/// The variables of a Space, by key: the Python client's `get_space_variables`
/// (`GET /api/spaces/{id}/variables`).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_spaces::Error> {
/// use hf_spaces::env::GetSpaceVariables;
/// for (key, variable) in GetSpaceVariables::new(client, "alice/demo".parse()?).await? {
///     println!("{key}={}", variable.value);
/// }
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct GetSpaceVariables {
    target: RepoTarget,
}

impl GetSpaceVariables {
    /// The variables of the Space `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId) -> Self {
        GetSpaceVariables {
            target: space_target(client, repo_id),
        }
    }

    async fn send(self) -> Result<BTreeMap<String, SpaceVariable>> {
        let route = Route::space(self.target.repo_id()).variables();
        read_variables(self.target.route(Method::GET, &route).send().await?).await
    }
}
hf_http::impl_into_future!(GetSpaceVariables => BTreeMap<String, SpaceVariable>, send);

/// Adds or updates a variable of a Space: the Python client's `add_space_variable`
/// (`POST /api/spaces/{id}/variables`). Resolves to all the Space's variables.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_spaces::Error> {
/// use hf_spaces::env::AddSpaceVariable;
/// let all = AddSpaceVariable::new(client, "alice/demo".parse()?, "MODEL_ID", "gpt2").await?;
/// assert_eq!(all["MODEL_ID"].value, "gpt2");
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct AddSpaceVariable {
    target: RepoTarget,
    key: String,
    value: String,
    description: Option<String>,
}

impl AddSpaceVariable {
    /// Sets the variable `key` of the Space `repo_id` to `value`.
    pub fn new(
        client: HubClient,
        repo_id: RepoId,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        AddSpaceVariable {
            target: space_target(client, repo_id),
            key: key.into(),
            value: value.into(),
            description: None,
        }
    }

    /// What the variable is for.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    async fn send(self) -> Result<BTreeMap<String, SpaceVariable>> {
        let route = Route::space(self.target.repo_id()).variables();
        let body = key_value_body(&self.key, &self.value, self.description.as_deref());
        let response = self
            .target
            .route(Method::POST, &route)
            .json(&body)
            .send()
            .await?;
        read_variables(response).await
    }
}
hf_http::impl_into_future!(AddSpaceVariable => BTreeMap<String, SpaceVariable>, send);

/// Deletes a variable of a Space: the Python client's `delete_space_variable`
/// (`DELETE /api/spaces/{id}/variables`). Resolves to the variables left.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> Result<(), hf_spaces::Error> {
/// use hf_spaces::env::DeleteSpaceVariable;
/// let left = DeleteSpaceVariable::new(client, "alice/demo".parse()?, "MODEL_ID").await?;
/// assert!(!left.contains_key("MODEL_ID"));
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct DeleteSpaceVariable {
    target: RepoTarget,
    key: String,
}

impl DeleteSpaceVariable {
    /// Deletes the variable `key` of the Space `repo_id`.
    pub fn new(client: HubClient, repo_id: RepoId, key: impl Into<String>) -> Self {
        DeleteSpaceVariable {
            target: space_target(client, repo_id),
            key: key.into(),
        }
    }

    async fn send(self) -> Result<BTreeMap<String, SpaceVariable>> {
        let route = Route::space(self.target.repo_id()).variables();
        let response = self
            .target
            .route(Method::DELETE, &route)
            .json(&json!({"key": self.key}))
            .send()
            .await?;
        read_variables(response).await
    }
}
hf_http::impl_into_future!(DeleteSpaceVariable => BTreeMap<String, SpaceVariable>, send);
