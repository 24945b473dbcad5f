//! The delivery task: a bounded queue of events, one dispatcher, at most
//! [`MAX_IN_FLIGHT`] deliveries at once, each with a timeout per attempt and retries with
//! exponential backoff. Nothing here runs on a request's path except [`EventBus::send`].

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use tokio::sync::{Semaphore, mpsc};

use super::HubEvent;
use crate::storage::Store;
use crate::storage::documents::Table;

/// Events waiting for the dispatcher; more are dropped (with a warning).
pub(crate) const QUEUE_CAPACITY: usize = 1024;
/// Deliveries running at once (a slow receiver holds one slot per attempt at most).
pub(crate) const MAX_IN_FLIGHT: usize = 32;

/// How deliveries are attempted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryPolicy {
    /// Time allowed to one attempt (connect, send, answer).
    pub timeout: Duration,
    /// Attempts after the first one when an attempt fails (error, timeout or non-2xx).
    pub retries: u32,
    /// Wait before the first retry; doubled before each next one.
    pub backoff: Duration,
}

impl Default for DeliveryPolicy {
    fn default() -> Self {
        DeliveryPolicy {
            timeout: Duration::from_secs(10),
            retries: 3,
            backoff: Duration::from_millis(500),
        }
    }
}

/// The sending side of the event queue, held by the state of every handler.
#[derive(Debug, Clone)]
pub(crate) struct EventBus {
    tx: mpsc::Sender<HubEvent>,
}

impl EventBus {
    /// Starts the dispatcher task; it ends when every bus clone is dropped.
    pub(crate) fn start(store: Store, base_url: Arc<str>, policy: DeliveryPolicy) -> EventBus {
        let (tx, rx) = mpsc::channel(QUEUE_CAPACITY);
        tokio::spawn(dispatch(rx, store, base_url, policy));
        EventBus { tx }
    }

    /// Queues an event without waiting.
    pub(crate) fn send(&self, event: HubEvent) {
        if let Err(e) = self.tx.try_send(event) {
            tracing::warn!("webhook event dropped: {e}");
        }
    }
}

/// True when the webhook document `hook` wants `event`.
fn wants(hook: &Value, event: &HubEvent) -> bool {
    if hook["disabled"].as_bool().unwrap_or(false) {
        return false;
    }
    let domain = event.domain();
    let domains_ok = match hook["domains"].as_array() {
        Some(d) if !d.is_empty() => d.iter().any(|v| {
            let v = v.as_str().unwrap_or("");
            v == domain || (domain == "discussion" && v == "discussions")
        }),
        _ => true,
    };
    let repo = &event.repo;
    let full = repo.full_id();
    let watched_ok = hook["watched"].as_array().is_some_and(|items| {
        items.iter().any(|w| {
            let name = w["name"].as_str().unwrap_or("");
            match w["type"].as_str().unwrap_or("") {
                "user" | "org" => name == repo.namespace,
                t => t == repo.repo_type.as_str() && name == full,
            }
        })
    });
    domains_ok && watched_ok
}

async fn dispatch(
    mut rx: mpsc::Receiver<HubEvent>,
    store: Store,
    base_url: Arc<str>,
    policy: DeliveryPolicy,
) {
    let client: Client<HttpConnector, Full<Bytes>> =
        Client::builder(TokioExecutor::new()).build_http();
    let slots = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    while let Some(event) = rx.recv().await {
        let hooks = match store.doc_list(Table::Webhooks, None).await {
            Ok(h) => h,
            Err(e) => {
                tracing::warn!("webhooks not readable, event dropped: {e}");
                continue;
            }
        };
        let targets: Vec<&Value> = hooks
            .iter()
            .map(|(_, h)| h)
            .filter(|h| wants(h, &event))
            .collect();
        if targets.is_empty() {
            continue;
        }
        let head = head_sha(&store, &event).await;
        for hook in targets {
            let (Some(id), Some(url)) = (hook["id"].as_str(), hook["url"].as_str()) else {
                continue;
            };
            let payload = event.payload(&base_url, id, head.as_deref());
            let secret = hook["secret"].as_str().map(str::to_owned);
            // Waiting for a slot delays later events only, never a request.
            let Ok(permit) = slots.clone().acquire_owned().await else {
                return;
            };
            let client = client.clone();
            let url = url.to_owned();
            tokio::spawn(async move {
                deliver(&client, &url, secret.as_deref(), payload.to_string(), policy).await;
                drop(permit);
            });
        }
    }
}

/// The head of the repo's `main` for `repo.headSha`: the new head when the event moved it.
async fn head_sha(store: &Store, event: &HubEvent) -> Option<String> {
    if let super::EventKind::RefsUpdated { refs } = &event.kind
        && let Some(main) = refs.iter().find(|r| r.name == "refs/heads/main")
    {
        return main.new_sha.clone();
    }
    if matches!(event.kind, super::EventKind::RepoDeleted) {
        return None;
    }
    store
        .resolve_revision(&event.repo, "main")
        .await
        .ok()
        .flatten()
}

/// POSTs `body` to `url` until an attempt answers 2xx or the retries are spent.
async fn deliver(
    client: &Client<HttpConnector, Full<Bytes>>,
    url: &str,
    secret: Option<&str>,
    body: String,
    policy: DeliveryPolicy,
) {
    let body = Bytes::from(body);
    let mut wait = policy.backoff;
    for attempt in 0..=policy.retries {
        if attempt > 0 {
            tokio::time::sleep(wait).await;
            wait = wait.saturating_mul(2);
        }
        let mut request = http::Request::post(url)
            .header(http::header::CONTENT_TYPE, "application/json")
            .header(http::header::USER_AGENT, "hf-local-hub-webhooks/1");
        if let Some(secret) = secret {
            request = request.header("X-Webhook-Secret", secret);
        }
        let request = match request.body(Full::new(body.clone())) {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!("webhook URL {url:?} unusable: {e}");
                return;
            }
        };
        match tokio::time::timeout(policy.timeout, client.request(request)).await {
            Ok(Ok(answer)) if answer.status().is_success() => return,
            Ok(Ok(answer)) => {
                tracing::info!("webhook delivery to {url} answered {}", answer.status());
            }
            Ok(Err(e)) => tracing::info!("webhook delivery to {url} failed: {e}"),
            Err(_) => tracing::info!("webhook delivery to {url} timed out"),
        }
    }
    tracing::warn!("webhook delivery to {url} given up");
}
