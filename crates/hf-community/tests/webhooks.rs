//! Webhooks end to end: the operations and their permissions, and real delivery from the local
//! hub to receivers on 127.0.0.1 (commit, tag, repo events; disabled webhooks; failing and
//! hanging receivers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

mod common;

use std::time::{Duration, Instant};

use common::{ALICE, ALICE_READ, Answer, BOB, Hub, Receiver, client};
use hf_community::webhooks::{
    CreateWebhook, GetWebhook, ListWebhooks, UpdateWebhook, WatchedType, WebhookAction,
    WebhookDomain, WebhookPayload, WebhookWatchedItem, verify_webhook_secret,
};
use hf_http::HubClient;
use hf_local_hub::DeliveryPolicy;
use hf_repo::commit::UploadFile;
use hf_repo::prelude::*;
use hf_repo::refs::CreateTag;
use hf_types::RepoType;

/// A hub whose deliveries time out after `timeout`, with 2 quick retries.
async fn hub(timeout: Duration) -> Hub {
    Hub::start_with(|b| {
        b.webhook_delivery(DeliveryPolicy {
            timeout,
            retries: 2,
            backoff: Duration::from_millis(10),
        })
    })
    .await
}

async fn commit(client: &HubClient, repo: &str, path: &str) -> String {
    UploadFile::from_bytes(
        client.clone(),
        repo.parse().unwrap(),
        path.as_bytes().to_vec(),
        path.parse().unwrap(),
    )
    .commit_message(format!("add {path}"))
    .await
    .unwrap()
    .oid
}

fn model(name: &str) -> Vec<WebhookWatchedItem> {
    vec![WebhookWatchedItem::new(WatchedType::Model, name)]
}

#[tokio::test]
async fn commit_and_tag_are_delivered_with_the_secret() {
    let hub = hub(Duration::from_secs(2)).await;
    hub.create(RepoType::Model, "alice", "hooked", false).await;
    let alice = client(&hub, Some(ALICE));
    let mut receiver = Receiver::start(Answer::Ok).await;
    let hook = CreateWebhook::new(alice.clone(), &receiver.url, model("alice/hooked"))
        .secret("s3cret")
        .await
        .unwrap();
    assert!(!hook.disabled);
    assert_eq!(hook.secret.as_deref(), Some("s3cret"));

    let start = Instant::now();
    let oid = commit(&alice, "alice/hooked", "a.txt").await;
    let committed = Instant::now();
    let got = receiver.next().await;
    println!(
        "webhook delivery latency: commit start to receipt {:?}; commit answered after {:?}",
        got.at - start,
        committed - start
    );
    assert!(verify_webhook_secret(&got.headers, "s3cret"));
    assert!(!verify_webhook_secret(&got.headers, "other"));
    let payload: WebhookPayload = serde_json::from_value(got.payload).unwrap();
    assert_eq!(
        (payload.event.action.as_str(), payload.event.scope.as_str()),
        ("update", "repo.content")
    );
    assert_eq!(payload.repo.name, "alice/hooked");
    assert_eq!(payload.webhook.id, hook.id);
    assert_eq!(payload.webhook.version, 3);
    let refs = payload.updated_refs.unwrap();
    assert_eq!(refs.len(), 1);
    assert_eq!(refs[0].name, "refs/heads/main");
    assert_eq!(refs[0].new_sha.as_deref(), Some(oid.as_str()));
    assert!(refs[0].old_sha.is_some());
    assert_eq!(payload.repo.head_sha.as_deref(), Some(oid.as_str()));

    CreateTag::new(
        alice.clone(),
        "alice/hooked".parse().unwrap(),
        "v1".parse().unwrap(),
    )
    .await
    .unwrap();
    let tag: WebhookPayload = serde_json::from_value(receiver.next().await.payload).unwrap();
    let refs = tag.updated_refs.unwrap();
    assert_eq!(refs[0].name, "refs/tags/v1");
    assert_eq!(refs[0].old_sha, None);
    assert_eq!(refs[0].new_sha.as_deref(), Some(oid.as_str()));
    // Exactly these two: nothing else arrives.
    assert!(receiver.drain(Duration::from_millis(200)).await.is_empty());
}

#[tokio::test]
async fn a_disabled_webhook_receives_nothing() {
    let hub = hub(Duration::from_secs(2)).await;
    hub.create(RepoType::Model, "alice", "quiet", false).await;
    let alice = client(&hub, Some(ALICE));
    let mut receiver = Receiver::start(Answer::Ok).await;
    let hook = CreateWebhook::new(alice.clone(), &receiver.url, model("alice/quiet"))
        .await
        .unwrap();
    let disabled = WebhookAction::disable(alice.clone(), &hook.id)
        .await
        .unwrap()
        .unwrap();
    assert!(disabled.disabled);
    commit(&alice, "alice/quiet", "a.txt").await;
    assert!(receiver.drain(Duration::from_millis(300)).await.is_empty());
    let enabled = WebhookAction::enable(alice.clone(), &hook.id)
        .await
        .unwrap()
        .unwrap();
    assert!(!enabled.disabled);
    commit(&alice, "alice/quiet", "b.txt").await;
    let got = receiver.next().await;
    assert!(got.headers.get("x-webhook-secret").is_none());
}

#[tokio::test]
async fn failing_and_hanging_receivers_do_not_slow_commits() {
    // A long attempt timeout: a commit that waited for a delivery would take seconds.
    let hub = hub(Duration::from_secs(3)).await;
    hub.create(RepoType::Model, "alice", "busy", false).await;
    let alice = client(&hub, Some(ALICE));
    let mut failing = Receiver::start(Answer::Fail).await;
    let mut hanging = Receiver::start(Answer::Hang).await;
    let watched = vec![WebhookWatchedItem::new(WatchedType::User, "alice")];
    CreateWebhook::new(alice.clone(), &failing.url, watched.clone())
        .await
        .unwrap();
    CreateWebhook::new(alice.clone(), &hanging.url, watched)
        .await
        .unwrap();
    for i in 0..3 {
        let start = Instant::now();
        commit(&alice, "alice/busy", &format!("f{i}.txt")).await;
        assert!(
            start.elapsed() < Duration::from_millis(1500),
            "commit took {:?}",
            start.elapsed()
        );
    }
    // The failing receiver gets each event 1 + 2 retries times.
    assert_eq!(failing.drain(Duration::from_millis(500)).await.len(), 9);
    assert_eq!(hanging.drain(Duration::from_millis(100)).await.len(), 3);
}

#[tokio::test]
async fn repo_events_and_filters() {
    let hub = hub(Duration::from_secs(2)).await;
    let alice = client(&hub, Some(ALICE));
    let mut all = Receiver::start(Answer::Ok).await;
    let mut discussions_only = Receiver::start(Answer::Ok).await;
    let mut other_user = Receiver::start(Answer::Ok).await;
    let user = vec![WebhookWatchedItem::new(WatchedType::User, "alice")];
    CreateWebhook::new(alice.clone(), &all.url, user.clone())
        .domains(vec![WebhookDomain::Repo])
        .await
        .unwrap();
    CreateWebhook::new(alice.clone(), &discussions_only.url, user)
        .domains(vec![WebhookDomain::Discussion])
        .await
        .unwrap();
    CreateWebhook::new(
        alice.clone(),
        &other_user.url,
        vec![WebhookWatchedItem::new(WatchedType::User, "bob")],
    )
    .await
    .unwrap();

    let repos = hf_repo::repos::CreateRepo::new(alice.clone(), "alice/events".parse().unwrap());
    repos.await.unwrap();
    let created: WebhookPayload = serde_json::from_value(all.next().await.payload).unwrap();
    assert_eq!(
        (created.event.action.as_str(), created.event.scope.as_str()),
        ("create", "repo")
    );
    hf_repo::repos::UpdateRepoSettings::new(alice.clone(), "alice/events".parse().unwrap())
        .private(true)
        .await
        .unwrap();
    let config: WebhookPayload = serde_json::from_value(all.next().await.payload).unwrap();
    assert_eq!(config.event.scope, "repo.config");
    assert_eq!(config.updated_config.unwrap()["private"], true);
    hf_repo::repos::MoveRepo::new(
        alice.clone(),
        "alice/events".parse().unwrap(),
        "acme/events".parse().unwrap(),
    )
    .await
    .unwrap();
    let moved: WebhookPayload = serde_json::from_value(all.next().await.payload).unwrap();
    assert_eq!(moved.event.action, "move");
    assert_eq!(moved.moved_to.unwrap().name, "acme/events");
    hf_repo::repos::DeleteRepo::new(client(&hub, Some(ALICE)), "acme/events".parse().unwrap())
        .await
        .unwrap();
    // The deleted repo now belongs to acme, which alice's user webhook does not watch.
    assert!(all.drain(Duration::from_millis(200)).await.is_empty());
    assert!(
        discussions_only
            .drain(Duration::from_millis(50))
            .await
            .is_empty()
    );
    assert!(other_user.drain(Duration::from_millis(50)).await.is_empty());
}

#[tokio::test]
async fn operations_and_permissions() {
    let hub = hub(Duration::from_secs(2)).await;
    let alice = client(&hub, Some(ALICE));
    let bob = client(&hub, Some(BOB));
    let hook = CreateWebhook::new(alice.clone(), "https://example.com/hook", model("alice/x"))
        .domains(vec![WebhookDomain::Repo, WebhookDomain::Discussion])
        .await
        .unwrap();
    assert_eq!(
        ListWebhooks::new(alice.clone()).await.unwrap(),
        vec![hook.clone()]
    );
    assert_eq!(
        GetWebhook::new(alice.clone(), &hook.id).await.unwrap(),
        hook
    );
    let updated = UpdateWebhook::new(alice.clone(), &hook.id)
        .url("https://example.com/new")
        .secret("x")
        .await
        .unwrap();
    assert_eq!(updated.url.as_deref(), Some("https://example.com/new"));
    assert_eq!(
        updated.watched, hook.watched,
        "unset fields keep their values"
    );
    assert_eq!(updated.secret.as_deref(), Some("x"));

    // Another user sees nothing and changes nothing.
    assert!(ListWebhooks::new(bob.clone()).await.unwrap().is_empty());
    for err in [
        GetWebhook::new(bob.clone(), &hook.id).await.unwrap_err(),
        WebhookAction::disable(bob.clone(), &hook.id)
            .await
            .unwrap_err(),
        WebhookAction::delete(bob.clone(), &hook.id)
            .await
            .unwrap_err(),
        UpdateWebhook::new(bob.clone(), &hook.id)
            .url("https://evil.example")
            .await
            .unwrap_err(),
    ] {
        assert_eq!(err.status(), Some(hf_http::StatusCode::NOT_FOUND), "{err}");
    }
    // Anonymous and read-only callers.
    let anon = ListWebhooks::new(client(&hub, None)).await.unwrap_err();
    assert_eq!(anon.status(), Some(hf_http::StatusCode::UNAUTHORIZED));
    let read_only = CreateWebhook::new(
        client(&hub, Some(ALICE_READ)),
        "https://example.com",
        model("alice/x"),
    )
    .await
    .unwrap_err();
    assert_eq!(read_only.status(), Some(hf_http::StatusCode::FORBIDDEN));
    // Bad input: refused before sending, or by the hub with a clear message.
    let bad = CreateWebhook::new(alice.clone(), "ftp://example.com", model("alice/x"))
        .await
        .unwrap_err();
    assert!(matches!(bad, hf_http::Error::InvalidArgument(_)), "{bad}");
    let bad = CreateWebhook::new(alice.clone(), "https://example.com", vec![])
        .await
        .unwrap_err();
    assert!(matches!(bad, hf_http::Error::InvalidArgument(_)), "{bad}");
    let bad = CreateWebhook::new(alice.clone(), "https://example.com", model("not-a-repo-id"))
        .await
        .unwrap_err();
    assert_eq!(
        bad.status(),
        Some(hf_http::StatusCode::BAD_REQUEST),
        "{bad}"
    );
    assert!(bad.to_string().contains("watched"), "{bad}");
    let bad = GetWebhook::new(alice.clone(), "../x").await.unwrap_err();
    assert!(matches!(bad, hf_http::Error::InvalidArgument(_)), "{bad}");

    assert_eq!(
        WebhookAction::delete(alice.clone(), &hook.id)
            .await
            .unwrap(),
        None
    );
    let gone = GetWebhook::new(alice, &hook.id).await.unwrap_err();
    assert_eq!(gone.status(), Some(hf_http::StatusCode::NOT_FOUND));
}

#[tokio::test]
async fn webhooks_survive_a_restart() {
    let dir = tempfile_dir();
    let hub = Hub::start_with(|b| b.data_dir(&dir)).await;
    let hook = CreateWebhook::new(
        client(&hub, Some(ALICE)),
        "https://example.com/h",
        model("alice/x"),
    )
    .await
    .unwrap();
    hub.shutdown().await;
    let hub = Hub::start_with(|b| b.data_dir(&dir)).await;
    assert_eq!(
        GetWebhook::new(client(&hub, Some(ALICE)), &hook.id)
            .await
            .unwrap(),
        hook
    );
    hub.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempfile_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!(
        "hf-community-webhooks-{}-{}",
        std::process::id(),
        fastrand_u64()
    ))
}

fn fastrand_u64() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

/// A discussion's creation, a comment and its closing reach a webhook subscribed to the
/// discussion domain, with the discussion and the comment in the payload.
#[tokio::test]
async fn discussion_events_are_delivered() {
    use hf_community::discussions::{
        ChangeDiscussionStatus, CommentDiscussion, CreateDiscussion, NewDiscussionStatus,
    };
    let hub = hub(Duration::from_secs(2)).await;
    hub.create(RepoType::Model, "alice", "talk", false).await;
    let alice = client(&hub, Some(ALICE));
    let mut receiver = Receiver::start(Answer::Ok).await;
    CreateWebhook::new(alice.clone(), &receiver.url, model("alice/talk"))
        .domains(vec![WebhookDomain::Discussion])
        .secret("d1sc")
        .await
        .unwrap();
    let repo: hf_types::RepoId = "alice/talk".parse().unwrap();
    let num = CreateDiscussion::new(alice.clone(), repo.clone(), "Question")
        .description("Why?")
        .await
        .unwrap()
        .discussion
        .num;
    let created = receiver.next().await;
    assert!(verify_webhook_secret(&created.headers, "d1sc"));
    assert_eq!(created.payload["event"]["scope"], "discussion");
    assert_eq!(created.payload["event"]["action"], "create");
    assert_eq!(created.payload["discussion"]["num"], num);

    CommentDiscussion::new(alice.clone(), repo.clone(), num, "Because.")
        .await
        .unwrap();
    let comment = receiver.next().await;
    assert_eq!(comment.payload["event"]["scope"], "discussion.comment");
    assert_eq!(comment.payload["comment"]["content"], "Because.");

    ChangeDiscussionStatus::new(alice.clone(), repo, num, NewDiscussionStatus::Closed)
        .await
        .unwrap();
    let closed = receiver.next().await;
    assert_eq!(closed.payload["discussion"]["status"], "closed");
    assert!(receiver.drain(Duration::from_millis(200)).await.is_empty());
}
