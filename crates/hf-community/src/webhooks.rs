//! Webhooks (protocol §9.4): the Python client's `list_webhooks`, `get_webhook`,
//! `create_webhook`, `update_webhook`, `enable_webhook`, `disable_webhook` and
//! `delete_webhook`; and, for a Rust service that receives them, the typed
//! [`WebhookPayload`] and [`verify_webhook_secret`].

use hf_http::{HeaderMap, HubClient, Method, impl_into_future};
use hf_types::routes::Route;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::{Error, Result};

/// What a webhook watches: a user's or organization's repos, or one repo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum WatchedType {
    /// Every repo of a user.
    User,
    /// Every repo of an organization.
    Org,
    /// One model.
    Model,
    /// One dataset.
    Dataset,
    /// One Space.
    Space,
    /// A kind this client does not know yet.
    #[serde(other)]
    Other,
}

/// One watched item of a webhook (the Python client's `WebhookWatchedItem`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebhookWatchedItem {
    /// What `name` names.
    #[serde(rename = "type")]
    pub item_type: WatchedType,
    /// A user or organization name, or a repo id.
    pub name: String,
}

impl WebhookWatchedItem {
    /// `name` of type `item_type`.
    pub fn new(item_type: WatchedType, name: impl Into<String>) -> Self {
        WebhookWatchedItem {
            item_type,
            name: name.into(),
        }
    }
}

/// What kind of events a webhook receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum WebhookDomain {
    /// Repo changes: commits, refs, creation, deletion, moves, settings.
    #[serde(rename = "repo")]
    Repo,
    /// Discussions, pull requests and comments (`discussions` is read as this too).
    #[serde(rename = "discussion", alias = "discussions")]
    Discussion,
}

/// A webhook (the Python client's `WebhookInfo`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct WebhookInfo {
    /// Id.
    pub id: String,
    /// Where events are POSTed (absent for job-triggering webhooks).
    #[serde(default)]
    pub url: Option<String>,
    /// The job a job-triggering webhook starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<Value>,
    /// What it watches.
    pub watched: Vec<WebhookWatchedItem>,
    /// Which events it receives.
    pub domains: Vec<WebhookDomain>,
    /// The value sent in `X-Webhook-Secret`.
    #[serde(default)]
    pub secret: Option<String>,
    /// True when it receives nothing.
    pub disabled: bool,
}

#[derive(Deserialize)]
struct Wrapped {
    webhook: WebhookInfo,
}

/// Refuses, before sending, an id that cannot be one.
fn check_id(id: &str) -> Result<()> {
    if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Error::InvalidArgument(format!(
            "{id:?} is not a webhook id"
        )));
    }
    Ok(())
}

/// Refuses a URL that is not http(s).
fn check_url(url: &str) -> Result<()> {
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(Error::InvalidArgument(format!(
            "{url:?} is not an http(s) URL"
        )));
    }
    Ok(())
}

/// Checks the fields of a create request.
fn check_fields(url: &str, watched: &[WebhookWatchedItem]) -> Result<()> {
    check_url(url)?;
    if watched.is_empty() {
        return Err(Error::InvalidArgument(
            "a webhook must watch at least one item".into(),
        ));
    }
    Ok(())
}

/// Sends `request` and reads `{"webhook": ...}`.
async fn webhook(request: hf_http::RequestBuilder) -> Result<WebhookInfo> {
    let wrapped: Wrapped = request.send().await?.json().await?;
    Ok(wrapped.webhook)
}

/// The caller's webhooks: the Python client's `list_webhooks` (`GET /api/settings/webhooks`).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use hf_community::webhooks::ListWebhooks;
/// for hook in ListWebhooks::new(client).await? {
///     println!("{} {:?} disabled={}", hook.id, hook.url, hook.disabled);
/// }
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct ListWebhooks {
    client: HubClient,
}

impl ListWebhooks {
    /// Lists the caller's webhooks.
    pub fn new(client: HubClient) -> Self {
        ListWebhooks { client }
    }

    async fn send(self) -> Result<Vec<WebhookInfo>> {
        self.client
            .route(Method::GET, &Route::webhooks())
            .await?
            .json()
            .await
    }
}
impl_into_future!(ListWebhooks => Vec<WebhookInfo>, send);

/// One webhook: the Python client's `get_webhook` (`GET /api/settings/webhooks/{id}`).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use hf_community::webhooks::GetWebhook;
/// let hook = GetWebhook::new(client, "6613a1b2c3d4e5f607182939").await?;
/// # let _ = hook; Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct GetWebhook {
    client: HubClient,
    id: String,
}

impl GetWebhook {
    /// Asks for the webhook `id`.
    pub fn new(client: HubClient, id: impl Into<String>) -> Self {
        GetWebhook {
            client,
            id: id.into(),
        }
    }

    async fn send(self) -> Result<WebhookInfo> {
        check_id(&self.id)?;
        webhook(self.client.route(Method::GET, &Route::webhook(&self.id))).await
    }
}
impl_into_future!(GetWebhook => WebhookInfo, send);

/// Creates a webhook: the Python client's `create_webhook` (`POST /api/settings/webhooks`).
/// Without [`domains`](Self::domains) it receives every domain.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use hf_community::webhooks::{CreateWebhook, WatchedType, WebhookDomain, WebhookWatchedItem};
/// let hook = CreateWebhook::new(
///     client,
///     "https://example.com/hook",
///     vec![WebhookWatchedItem::new(WatchedType::User, "julien-c")],
/// )
/// .domains(vec![WebhookDomain::Repo])
/// .secret("my-secret")
/// .await?;
/// println!("{}", hook.id);
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct CreateWebhook {
    client: HubClient,
    url: String,
    watched: Vec<WebhookWatchedItem>,
    domains: Option<Vec<WebhookDomain>>,
    secret: Option<String>,
}

impl CreateWebhook {
    /// A webhook POSTing to `url` the events of `watched`.
    pub fn new(
        client: HubClient,
        url: impl Into<String>,
        watched: Vec<WebhookWatchedItem>,
    ) -> Self {
        CreateWebhook {
            client,
            url: url.into(),
            watched,
            domains: None,
            secret: None,
        }
    }

    /// Only these kinds of events.
    pub fn domains(mut self, domains: Vec<WebhookDomain>) -> Self {
        self.domains = Some(domains);
        self
    }

    /// Sent in `X-Webhook-Secret` with each event.
    pub fn secret(mut self, secret: impl Into<String>) -> Self {
        self.secret = Some(secret.into());
        self
    }

    async fn send(self) -> Result<WebhookInfo> {
        check_fields(&self.url, &self.watched)?;
        let body = json!({"watched": self.watched, "url": self.url,
                          "domains": self.domains, "secret": self.secret});
        webhook(
            self.client
                .route(Method::POST, &Route::webhooks())
                .json(&body),
        )
        .await
    }
}
impl_into_future!(CreateWebhook => WebhookInfo, send);

/// Changes a webhook: the Python client's `update_webhook`
/// (`POST /api/settings/webhooks/{id}`). Fields left unset are sent as `null` (watched as
/// `[]`), as the Python client does, and keep their values.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use hf_community::webhooks::{UpdateWebhook, WatchedType, WebhookWatchedItem};
/// UpdateWebhook::new(client, "6613a1b2c3d4e5f607182939")
///     .url("https://example.com/new-hook")
///     .watched(vec![WebhookWatchedItem::new(WatchedType::Org, "acme")])
///     .secret("rotated")
///     .await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct UpdateWebhook {
    client: HubClient,
    id: String,
    url: Option<String>,
    watched: Vec<WebhookWatchedItem>,
    domains: Option<Vec<WebhookDomain>>,
    secret: Option<String>,
}

impl UpdateWebhook {
    /// Changes nothing yet in the webhook `id`.
    pub fn new(client: HubClient, id: impl Into<String>) -> Self {
        UpdateWebhook {
            client,
            id: id.into(),
            url: None,
            watched: Vec::new(),
            domains: None,
            secret: None,
        }
    }

    /// New URL.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// New watched items (replacing the old ones).
    pub fn watched(mut self, watched: Vec<WebhookWatchedItem>) -> Self {
        self.watched = watched;
        self
    }

    /// New domains.
    pub fn domains(mut self, domains: Vec<WebhookDomain>) -> Self {
        self.domains = Some(domains);
        self
    }

    /// New secret.
    pub fn secret(mut self, secret: impl Into<String>) -> Self {
        self.secret = Some(secret.into());
        self
    }

    async fn send(self) -> Result<WebhookInfo> {
        check_id(&self.id)?;
        if let Some(url) = &self.url {
            check_url(url)?;
        }
        let body = json!({"watched": self.watched, "url": self.url,
                          "domains": self.domains, "secret": self.secret});
        webhook(
            self.client
                .route(Method::POST, &Route::webhook(&self.id))
                .json(&body),
        )
        .await
    }
}
impl_into_future!(UpdateWebhook => WebhookInfo, send);

/// What a [`WebhookAction`] does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Enable,
    Disable,
    Delete,
}

/// Enables, disables or deletes a webhook: the Python client's `enable_webhook`,
/// `disable_webhook` (resolve to the webhook) and `delete_webhook` (resolves to `None`).
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_community::Result<()> {
/// use hf_community::webhooks::WebhookAction;
/// let hook = WebhookAction::disable(client.clone(), "6613a1b2c3d4e5f607182939").await?;
/// assert!(hook.is_some_and(|h| h.disabled));
/// WebhookAction::delete(client, "6613a1b2c3d4e5f607182939").await?;
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct WebhookAction {
    client: HubClient,
    id: String,
    action: Action,
}

impl WebhookAction {
    /// Enables the webhook `id`.
    pub fn enable(client: HubClient, id: impl Into<String>) -> Self {
        WebhookAction {
            client,
            id: id.into(),
            action: Action::Enable,
        }
    }

    /// Disables the webhook `id`: it receives nothing until enabled.
    pub fn disable(client: HubClient, id: impl Into<String>) -> Self {
        WebhookAction {
            client,
            id: id.into(),
            action: Action::Disable,
        }
    }

    /// Deletes the webhook `id`.
    pub fn delete(client: HubClient, id: impl Into<String>) -> Self {
        WebhookAction {
            client,
            id: id.into(),
            action: Action::Delete,
        }
    }

    async fn send(self) -> Result<Option<WebhookInfo>> {
        check_id(&self.id)?;
        let request = match self.action {
            Action::Enable => self
                .client
                .route(Method::POST, &Route::webhook_enable(&self.id)),
            Action::Disable => self
                .client
                .route(Method::POST, &Route::webhook_disable(&self.id)),
            Action::Delete => {
                self.client
                    .route(Method::DELETE, &Route::webhook(&self.id))
                    .send()
                    .await?;
                return Ok(None);
            }
        };
        webhook(request).await.map(Some)
    }
}
impl_into_future!(WebhookAction => Option<WebhookInfo>, send);

// ---------------------------------------------------------------------------------------------
// Receiving webhooks
// ---------------------------------------------------------------------------------------------

/// The header carrying a webhook's secret.
pub const WEBHOOK_SECRET_HEADER: &str = "X-Webhook-Secret";

/// True when `headers` carry `X-Webhook-Secret: expected`. The comparison takes the same time
/// whatever the position of the first differing byte, so the secret cannot be guessed byte by
/// byte from response times. A missing header, or several, is `false`.
///
/// ```
/// use hf_community::webhooks::verify_webhook_secret;
/// let mut headers = hf_http::HeaderMap::new();
/// headers.insert("x-webhook-secret", "s3cret".parse().unwrap());
/// assert!(verify_webhook_secret(&headers, "s3cret"));
/// assert!(!verify_webhook_secret(&headers, "s3cret!"));
/// assert!(!verify_webhook_secret(&hf_http::HeaderMap::new(), "s3cret"));
/// ```
pub fn verify_webhook_secret(headers: &HeaderMap, expected: &str) -> bool {
    let mut values = headers.get_all(WEBHOOK_SECRET_HEADER).iter();
    match (values.next(), values.next()) {
        (Some(value), None) => constant_time_eq(value.as_bytes(), expected.as_bytes()),
        _ => false,
    }
}

/// Compares two byte strings in time that depends on their lengths only.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    // Lengths are not secret; only the content is compared without early exit.
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

/// `event` of a payload: what happened, to what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebhookEvent {
    /// `create`, `delete`, `update` or `move`.
    pub action: String,
    /// `repo`, `repo.content`, `repo.config`, `discussion`, `discussion.comment`, ...
    pub scope: String,
}

/// An id reference (`{"id": "..."}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ObjectId {
    /// The object id.
    pub id: String,
}

/// Web and API URLs of an object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PayloadUrl {
    /// The web page.
    pub web: String,
    /// The API URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<String>,
}

/// The repo of a payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PayloadRepo {
    /// The repo's object id.
    pub id: String,
    /// `namespace/name`.
    pub name: String,
    /// `model`, `dataset` or `space`.
    #[serde(rename = "type")]
    pub repo_type: String,
    /// Private repo.
    pub private: bool,
    /// The owner's id.
    pub owner: ObjectId,
    /// URLs.
    pub url: PayloadUrl,
    /// Head of `main` (the Hub's documentation spelling; `head_sha` is read too).
    #[serde(default, alias = "head_sha", skip_serializing_if = "Option::is_none")]
    pub head_sha: Option<String>,
    /// Spaces: the subdomain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subdomain: Option<String>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
}

/// Pull requests: their target and merge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PayloadChanges {
    /// The ref merged into.
    pub base: String,
    /// The merge commit, once merged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merge_commit_id: Option<String>,
}

/// The discussion of a payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PayloadDiscussion {
    /// Object id.
    pub id: String,
    /// Number in the repo.
    pub num: u64,
    /// Author.
    pub author: ObjectId,
    /// URLs.
    pub url: PayloadUrl,
    /// Title.
    pub title: String,
    /// A pull request.
    pub is_pull_request: bool,
    /// `open`, `closed`, `merged`, `draft`.
    pub status: String,
    /// Pull requests only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<PayloadChanges>,
    /// Pinned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinned: Option<bool>,
}

/// The comment of a payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PayloadComment {
    /// Object id.
    pub id: String,
    /// Author.
    pub author: ObjectId,
    /// Hidden by a moderator.
    pub hidden: bool,
    /// Text (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// URLs.
    pub url: PayloadUrl,
}

/// The webhook that sent a payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PayloadWebhook {
    /// Its id.
    pub id: String,
    /// Payload version (3).
    pub version: u32,
}

/// Where a moved repo went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PayloadMovedTo {
    /// The new `namespace/name`.
    pub name: String,
    /// The new owner.
    pub owner: ObjectId,
}

/// One ref a content event moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PayloadUpdatedRef {
    /// Full ref name (`refs/heads/main`).
    #[serde(rename = "ref")]
    pub name: String,
    /// Before (absent for a new ref).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_sha: Option<String>,
    /// After (absent for a deleted ref).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_sha: Option<String>,
}

/// The body the Hub POSTs to a webhook (version 3).
///
/// ```
/// use hf_community::webhooks::WebhookPayload;
/// let p: WebhookPayload = serde_json::from_str(r#"{
///   "event": {"action": "update", "scope": "repo.content"},
///   "repo": {"id": "65a1b2c3d4e5f60718293a4b", "name": "alice/tiny", "type": "model", "private": false,
///            "owner": {"id": "6273f303f6d63a28483fde12"}, "url": {"web": "https://huggingface.co/alice/tiny"}},
///   "webhook": {"id": "6613a1b2c3d4e5f607182939", "version": 3},
///   "updatedRefs": [{"ref": "refs/heads/main", "oldSha": "a", "newSha": "b"}]}"#)?;
/// assert_eq!(p.event.scope, "repo.content");
/// assert_eq!(p.updated_refs.unwrap()[0].name, "refs/heads/main");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct WebhookPayload {
    /// What happened.
    pub event: WebhookEvent,
    /// To which repo.
    pub repo: PayloadRepo,
    /// Discussion events: the discussion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discussion: Option<PayloadDiscussion>,
    /// Comment events: the comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<PayloadComment>,
    /// The webhook that sent it.
    pub webhook: PayloadWebhook,
    /// Moves: the new place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_to: Option<PayloadMovedTo>,
    /// Content events: the refs that moved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_refs: Option<Vec<PayloadUpdatedRef>>,
    /// Settings events: what changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_config: Option<Value>,
}
