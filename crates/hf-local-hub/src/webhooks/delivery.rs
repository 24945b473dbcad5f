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
                deliver(
                    &client,
                    &url,
                    secret.as_deref(),
                    payload.to_string(),
                    policy,
                )
                .await;
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::time::Duration;

    use serde_json::json;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::super::{CommentEvent, DiscussionEvent, EventKind, HubEvent};
    use super::*;
    use crate::storage::{NewRepo, Store};

    /// A one-request HTTP receiver: returns the raw request it got.
    async fn receiver() -> (String, tokio::sync::oneshot::Receiver<String>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel();
        tokio::spawn(async move {
            let (mut sock, _) = listener.accept().await.unwrap();
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            loop {
                let n = sock.read(&mut chunk).await.unwrap();
                buf.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&buf).to_string();
                if let Some(end) = text.find("\r\n\r\n") {
                    let len: usize = text
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length: ")
                                .map(|v| v.trim().parse().unwrap())
                        })
                        .unwrap_or(0);
                    if buf.len() >= end + 4 + len {
                        break;
                    }
                }
                if n == 0 {
                    break;
                }
            }
            sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                .await
                .unwrap();
            let _ = tx.send(String::from_utf8_lossy(&buf).to_string());
        });
        (url, rx)
    }

    /// A discussion comment emitted on the bus (as the discussions handlers will) reaches a
    /// webhook subscribed to the `discussion` domain, with its secret.
    #[tokio::test]
    async fn discussion_comment_is_delivered() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let repo = store
            .create_repo(NewRepo {
                repo_type: hf_types::RepoType::Model,
                namespace: "alice".into(),
                name: "tiny".into(),
                private: false,
                sdk: None,
                extra: json!({}),
            })
            .await
            .unwrap();
        let (url, got) = receiver().await;
        let hook = json!({"id": "w1", "url": url, "watched": [{"type": "model", "name": "alice/tiny"}],
                          "domains": ["discussion"], "secret": "s", "disabled": false});
        store
            .doc_put(Table::Webhooks, "w1".into(), "alice".into(), hook)
            .await
            .unwrap();
        let policy = DeliveryPolicy {
            timeout: Duration::from_secs(2),
            retries: 0,
            backoff: Duration::ZERO,
        };
        let bus = EventBus::start(store, Arc::from("http://hub"), policy);
        let discussion = DiscussionEvent {
            id: "d1".into(),
            num: 1,
            title: "Q".into(),
            author: "bob".into(),
            is_pull_request: false,
            status: "open".into(),
            pinned: false,
            base: None,
            merge_commit_id: None,
        };
        let comment = CommentEvent {
            id: "c1".into(),
            author: "bob".into(),
            content: "hi".into(),
            hidden: false,
        };
        bus.send(HubEvent::new(
            repo,
            EventKind::DiscussionComment(discussion, comment),
        ));
        let request = tokio::time::timeout(Duration::from_secs(5), got)
            .await
            .unwrap()
            .unwrap();
        assert!(request.starts_with("POST /hook HTTP/1.1"), "{request}");
        assert!(
            request
                .to_ascii_lowercase()
                .contains("x-webhook-secret: s\r\n"),
            "{request}"
        );
        let body: Value =
            serde_json::from_str(&request[request.find("\r\n\r\n").unwrap() + 4..]).unwrap();
        assert_eq!(body["event"]["scope"], "discussion.comment");
        assert_eq!(body["comment"]["content"], "hi");
    }

    #[test]
    fn matching_rules() {
        let repo = crate::storage::RepoRecord {
            pk: 1,
            repo_type: hf_types::RepoType::Dataset,
            namespace: "acme".into(),
            name: "data".into(),
            private: false,
            gated: None,
            created_ms: 0,
            last_modified_ms: 0,
            object_id: "x".into(),
            sdk: None,
            extra: Value::Null,
        };
        let event = HubEvent::new(repo, EventKind::RepoCreated);
        let hook = |watched: Value, domains: Value, disabled: bool| json!({"watched": watched, "domains": domains, "disabled": disabled});
        let org = json!([{"type": "org", "name": "acme"}]);
        assert!(wants(&hook(org.clone(), json!(["repo"]), false), &event));
        assert!(wants(&hook(org.clone(), json!([]), false), &event));
        assert!(!wants(
            &hook(org.clone(), json!(["discussion"]), false),
            &event
        ));
        assert!(!wants(&hook(org, json!(["repo"]), true), &event));
        assert!(wants(
            &hook(
                json!([{"type": "dataset", "name": "acme/data"}]),
                json!(["repo"]),
                false
            ),
            &event
        ));
        assert!(!wants(
            &hook(
                json!([{"type": "model", "name": "acme/data"}]),
                json!(["repo"]),
                false
            ),
            &event
        ));
        assert!(!wants(
            &hook(
                json!([{"type": "user", "name": "bob"}]),
                json!(["repo"]),
                false
            ),
            &event
        ));
    }
}
