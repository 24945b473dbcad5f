//! End to end against the local hub's simulated Endpoints API: every operation, the status
//! machine (millisecond delays), `wait` success, timeout and failure, permissions, bad input,
//! and state surviving a restart.
// Helpers outside #[test] functions unwrap too: a failed set-up is a failed test.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::time::Duration;

use hf_http::{ErrorKind, HubClient};
use hf_inference_endpoints::{
    CreateInferenceEndpoint, DeleteInferenceEndpoint, EndpointChanges, EndpointRequest, Error,
    GetInferenceEndpoint, Hardware, InferenceEndpoint, InferenceEndpointStatus,
    InferenceEndpointType, ListInferenceEndpoints, PauseInferenceEndpoint, ResumeInferenceEndpoint,
    ScaleToZeroInferenceEndpoint, UpdateInferenceEndpoint,
};
use hf_local_hub::LocalHubBuilder;
use hf_local_hub::fixture::{ALICE, ALICE_READ, BOB, File, TestHub};
use serde_json::json;

const MS: Duration = Duration::from_millis(1);

/// Delays of milliseconds: each state is observable (initializing from 40 to 190 ms after a
/// deploy, wide enough for a loaded CI machine), a deploy takes ~0.2 s.
fn fast(b: LocalHubBuilder) -> LocalHubBuilder {
    b.endpoint_pending_delay(40 * MS)
        .endpoint_initializing_delay(150 * MS)
        .endpoint_updating_delay(60 * MS)
}

/// Delays long enough that a test sees the first state for sure.
fn slow(b: LocalHubBuilder) -> LocalHubBuilder {
    b.endpoint_pending_delay(Duration::from_secs(60))
        .endpoint_initializing_delay(Duration::from_secs(60))
        .endpoint_updating_delay(Duration::from_secs(60))
}

fn client(hub: &TestHub, token: Option<&str>) -> HubClient {
    HubClient::builder()
        .endpoint(hub.endpoint())
        .inference_endpoints_endpoint(hub.inference_endpoints_endpoint())
        .token(token)
        .build()
        .unwrap()
}

fn cpu() -> Hardware {
    Hardware::new("aws", "us-east-1", "cpu", "intel-icl", "x2")
}

async fn model(hub: &TestHub, name: &str) -> String {
    hub.commit(name, vec![File::Regular("config.json", b"{}".to_vec())])
        .await
}

fn create(client: &HubClient, name: &str, repo: &str) -> CreateInferenceEndpoint {
    CreateInferenceEndpoint::new(client.clone(), name, repo, "pytorch", cpu())
}

async fn get(client: &HubClient, name: &str) -> InferenceEndpoint {
    GetInferenceEndpoint::new(client.clone(), name)
        .await
        .unwrap()
}

async fn settle() {
    tokio::time::sleep(Duration::from_millis(250)).await;
}

#[tokio::test]
async fn create_with_every_option_then_run_through_the_status_machine() {
    let hub = TestHub::start_with(fast).await;
    let head = model(&hub, "tiny").await;
    let alice = client(&hub, Some(ALICE));
    let env = BTreeMap::from([("MODE".to_owned(), "fast".to_owned())]);
    let secrets = BTreeMap::from([("API_KEY".to_owned(), "s3cret".to_owned())]);
    let endpoint = create(&alice, "my-ep", "alice/tiny")
        .account_id("acct-1")
        .min_replica(0)
        .max_replica(2)
        .scale_to_zero_timeout(15)
        .task("text-generation")
        .custom_image(json!({"url": "ghcr.io/x/y:1", "health_route": "/health"}))
        .env(env.clone())
        .secrets(secrets)
        .endpoint_type(InferenceEndpointType::Public)
        .domain("ep.example.com")
        .path("/models/tiny")
        .cache_http_responses(true)
        .tags(vec!["demo".into()])
        .await
        .unwrap();
    assert_eq!(endpoint.name(), "my-ep");
    assert_eq!(
        endpoint.namespace(),
        "alice",
        "defaults to the token's user"
    );
    assert_eq!(endpoint.status(), &InferenceEndpointStatus::Pending);
    assert_eq!(endpoint.url(), None, "no URL before running");
    assert_eq!(endpoint.repository(), "alice/tiny");
    assert_eq!(endpoint.revision(), Some(head.as_str()), "head of main");
    assert_eq!(endpoint.task(), Some("text-generation"));
    assert_eq!(endpoint.framework(), Some("pytorch"));
    assert_eq!(endpoint.endpoint_type(), &InferenceEndpointType::Public);
    assert_eq!(endpoint.compute().accelerator.as_deref(), Some("cpu"));
    let scaling = endpoint.compute().scaling.clone().unwrap();
    assert_eq!(
        (
            scaling.min_replica,
            scaling.max_replica,
            scaling.scale_to_zero_timeout
        ),
        (Some(0), Some(2), Some(15))
    );
    assert_eq!(endpoint.provider().region.as_deref(), Some("us-east-1"));
    assert_eq!(endpoint.model().env.as_ref(), Some(&env));
    let raw = endpoint.raw();
    assert_eq!(raw["accountId"], "acct-1");
    assert_eq!(
        raw["model"]["image"],
        json!({"custom": {"url": "ghcr.io/x/y:1", "health_route": "/health"}})
    );
    assert_eq!(
        raw["route"],
        json!({"domain": "ep.example.com", "path": "/models/tiny"})
    );
    assert_eq!(raw["cacheHttpResponses"], true);
    assert_eq!(raw["tags"], json!(["demo"]));
    assert!(
        raw["model"].get("secrets").is_none(),
        "secrets never come back"
    );

    let mut endpoint = endpoint;
    tokio::time::sleep(60 * MS).await;
    endpoint.fetch().await.unwrap();
    assert_eq!(endpoint.status(), &InferenceEndpointStatus::Initializing);
    endpoint
        .wait(Some(Duration::from_secs(10)), 10 * MS)
        .await
        .unwrap();
    assert_eq!(endpoint.status(), &InferenceEndpointStatus::Running);
    let url = endpoint.url().unwrap().to_owned();
    assert!(url.starts_with(hub.endpoint()), "{url}");

    // Update: only the given fields change; updating, then running again.
    endpoint
        .update(EndpointChanges::new().max_replica(3).instance_size("x4"))
        .await
        .unwrap();
    assert_eq!(endpoint.status(), &InferenceEndpointStatus::Updating);
    assert_eq!(endpoint.url(), None);
    let compute = endpoint.compute().clone();
    assert_eq!(compute.instance_size.as_deref(), Some("x4"));
    assert_eq!(compute.instance_type.as_deref(), Some("intel-icl"));
    assert_eq!(compute.scaling.unwrap().min_replica, Some(0));
    assert_eq!(endpoint.model().env.as_ref(), Some(&env), "untouched");
    endpoint
        .wait(Some(Duration::from_secs(10)), 10 * MS)
        .await
        .unwrap();

    // Pause, resume, scale to zero, resume.
    endpoint.pause().await.unwrap();
    assert_eq!(endpoint.status(), &InferenceEndpointStatus::Paused);
    assert_eq!(endpoint.url(), None);
    endpoint.resume(true).await.unwrap();
    assert_eq!(endpoint.status(), &InferenceEndpointStatus::Pending);
    endpoint
        .wait(Some(Duration::from_secs(10)), 10 * MS)
        .await
        .unwrap();
    endpoint.scale_to_zero().await.unwrap();
    assert_eq!(endpoint.status(), &InferenceEndpointStatus::ScaledToZero);
    endpoint.resume(false).await.unwrap();
    endpoint
        .wait(Some(Duration::from_secs(10)), 10 * MS)
        .await
        .unwrap();

    // Resume of a running endpoint: the API's 400, or the endpoint with running_ok.
    let err = ResumeInferenceEndpoint::new(alice.clone(), "my-ep")
        .running_ok(false)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadRequest);
    assert!(err.to_string().contains("already running"), "{err}");
    let same = ResumeInferenceEndpoint::new(alice.clone(), "my-ep")
        .await
        .unwrap();
    assert_eq!(same.status(), &InferenceEndpointStatus::Running);

    // Listing, then delete.
    let listed = ListInferenceEndpoints::new(alice.clone()).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name(), "my-ep");
    endpoint.delete().await.unwrap();
    assert!(
        ListInferenceEndpoints::new(alice.clone())
            .await
            .unwrap()
            .is_empty()
    );
    let err = GetInferenceEndpoint::new(alice.clone(), "my-ep")
        .await
        .unwrap_err();
    assert_eq!(err.server_error().unwrap().status().as_u16(), 404);
    hub.shutdown().await;
}

#[tokio::test]
async fn builders_cover_every_operation_in_an_organization() {
    let hub = TestHub::start_with(fast).await;
    model(&hub, "tiny").await;
    let alice = client(&hub, Some(ALICE));
    create(&alice, "org-ep", "alice/tiny")
        .namespace("acme")
        .await
        .unwrap();
    create(&alice, "mine", "alice/tiny").await.unwrap();
    settle().await;
    let in_org = |b: GetInferenceEndpoint| b.namespace("acme");
    let ep = in_org(GetInferenceEndpoint::new(alice.clone(), "org-ep"))
        .await
        .unwrap();
    assert_eq!(
        (ep.namespace(), ep.status()),
        ("acme", &InferenceEndpointStatus::Running)
    );
    let ep = UpdateInferenceEndpoint::new(alice.clone(), "org-ep")
        .namespace("acme")
        .min_replica(0)
        .tags(vec!["x".into()])
        .await
        .unwrap();
    assert_eq!(ep.raw()["tags"], json!(["x"]));
    let ep = PauseInferenceEndpoint::new(alice.clone(), "org-ep")
        .namespace("acme")
        .await
        .unwrap();
    assert_eq!(ep.status(), &InferenceEndpointStatus::Paused);
    // An update of a paused endpoint keeps it paused.
    let ep = UpdateInferenceEndpoint::new(alice.clone(), "org-ep")
        .namespace("acme")
        .max_replica(2)
        .await
        .unwrap();
    assert_eq!(ep.status(), &InferenceEndpointStatus::Paused);
    let ep = ScaleToZeroInferenceEndpoint::new(alice.clone(), "org-ep")
        .namespace("acme")
        .await
        .unwrap();
    assert_eq!(ep.status(), &InferenceEndpointStatus::ScaledToZero);

    // `*`: the user's endpoints, then each organization's.
    let all = ListInferenceEndpoints::new(alice.clone())
        .namespace("*")
        .await
        .unwrap();
    let names: Vec<_> = all.iter().map(|e| (e.namespace(), e.name())).collect();
    assert_eq!(names, [("alice", "mine"), ("acme", "org-ep")]);
    let only_org = ListInferenceEndpoints::new(alice.clone())
        .namespace("acme")
        .await
        .unwrap();
    assert_eq!(only_org.len(), 1);

    DeleteInferenceEndpoint::new(alice.clone(), "org-ep")
        .namespace("acme")
        .await
        .unwrap();
    let err = DeleteInferenceEndpoint::new(alice.clone(), "org-ep")
        .namespace("acme")
        .await
        .unwrap_err();
    assert_eq!(err.server_error().unwrap().status().as_u16(), 404);
    hub.shutdown().await;
}

#[tokio::test]
async fn wait_fails_at_once_on_a_missing_repository_and_times_out_with_the_last_status() {
    let hub = TestHub::start_with(slow).await;
    model(&hub, "tiny").await;
    let alice = client(&hub, Some(ALICE));
    let mut ghost = create(&alice, "ghost", "alice/does-not-exist")
        .await
        .unwrap();
    assert_eq!(ghost.status(), &InferenceEndpointStatus::Failed);
    let started = std::time::Instant::now();
    let err = ghost.wait(None, Duration::from_secs(60)).await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "no polling on failure"
    );
    assert_eq!(err.kind(), ErrorKind::InferenceEndpointFailed);
    assert!(err.to_string().contains("alice/ghost is failed"), "{err}");
    assert!(err.to_string().contains("does-not-exist"), "{err}");

    let mut pending = create(&alice, "slowpoke", "alice/tiny").await.unwrap();
    let err = pending.wait(Some(50 * MS), 10 * MS).await.unwrap_err();
    match &err {
        Error::InferenceEndpointTimeout { status, name, .. } => {
            assert_eq!(
                (status.as_str(), name.as_str()),
                ("pending", "alice/slowpoke")
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("last status: pending"), "{err}");

    // An update to a missing repository: updateFailed, and wait fails.
    let hub2 = TestHub::start_with(fast).await;
    model(&hub2, "tiny").await;
    let alice2 = client(&hub2, Some(ALICE));
    let mut ep = create(&alice2, "ep", "alice/tiny").await.unwrap();
    ep.wait(Some(Duration::from_secs(10)), 10 * MS)
        .await
        .unwrap();
    ep.update(EndpointChanges::new().repository("alice/nope"))
        .await
        .unwrap();
    assert_eq!(ep.status(), &InferenceEndpointStatus::UpdateFailed);
    let err = ep
        .wait(Some(Duration::from_secs(10)), 10 * MS)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InferenceEndpointFailed);
    // Fixing the repository deploys again.
    ep.update(EndpointChanges::new().repository("alice/tiny"))
        .await
        .unwrap();
    ep.wait(Some(Duration::from_secs(10)), 10 * MS)
        .await
        .unwrap();
    hub.shutdown().await;
    hub2.shutdown().await;
}

#[tokio::test]
async fn only_members_see_and_only_write_tokens_change() {
    let hub = TestHub::start_with(fast).await;
    model(&hub, "tiny").await;
    let alice = client(&hub, Some(ALICE));
    let alice_read = client(&hub, Some(ALICE_READ));
    let bob = client(&hub, Some(BOB));
    let anonymous = client(&hub, None);
    create(&alice, "ep", "alice/tiny").await.unwrap();

    // Bob is no member of alice or acme.
    for namespace in ["alice", "acme"] {
        let err = ListInferenceEndpoints::new(bob.clone())
            .namespace(namespace)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Forbidden, "{namespace}: {err}");
    }
    let err = GetInferenceEndpoint::new(bob.clone(), "ep")
        .namespace("alice")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    let err = create(&bob, "ep2", "alice/tiny")
        .namespace("acme")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Forbidden);
    // Bob's own namespace is his: he cannot deploy alice's private repo there, though.
    hub.create(hf_types::RepoType::Model, "alice", "secret", true)
        .await;
    let bobs = create(&bob, "bobs", "alice/secret").await.unwrap();
    assert_eq!(bobs.status(), &InferenceEndpointStatus::Failed);

    // A read token reads but does not change.
    assert_eq!(get(&alice_read, "ep").await.name(), "ep");
    for err in [
        PauseInferenceEndpoint::new(alice_read.clone(), "ep")
            .await
            .unwrap_err(),
        DeleteInferenceEndpoint::new(alice_read.clone(), "ep")
            .await
            .unwrap_err(),
        create(&alice_read, "ep3", "alice/tiny").await.unwrap_err(),
    ] {
        assert_eq!(err.kind(), ErrorKind::Forbidden, "{err}");
    }

    // Anonymous: no default namespace, and 401 with one.
    let err = ListInferenceEndpoints::new(anonymous.clone())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MissingToken);
    let err = ListInferenceEndpoints::new(anonymous.clone())
        .namespace("alice")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthorized);
    hub.shutdown().await;
}

#[tokio::test]
async fn bad_specs_answer_400_and_names_are_unique() {
    let hub = TestHub::start_with(fast).await;
    model(&hub, "tiny").await;
    let alice = client(&hub, Some(ALICE));
    create(&alice, "taken", "alice/tiny").await.unwrap();
    let err = create(&alice, "taken", "alice/tiny").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict, "{err}");

    let cases: Vec<(CreateInferenceEndpoint, &str)> = vec![
        (
            CreateInferenceEndpoint::new(
                alice.clone(),
                "a",
                "alice/tiny",
                "pytorch",
                Hardware::new("aws", "us-east-1", "tpu-9000", "x", "x1"),
            ),
            "unknown accelerator",
        ),
        (create(&alice, "b", ""), "model.repository is required"),
        (
            create(&alice, "Bad_Name", "alice/tiny"),
            "invalid Inference Endpoint name",
        ),
        (
            CreateInferenceEndpoint::new(alice.clone(), "c", "alice/tiny", "", cpu()),
            "model.framework is required",
        ),
    ];
    for (request, expected) in cases {
        let err = request.await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadRequest, "{err}");
        assert!(err.to_string().contains(expected), "{expected}: {err}");
    }
    // min > max is refused before sending, and by the server for an update.
    let err = create(&alice, "d", "alice/tiny")
        .min_replica(3)
        .max_replica(1)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    let err = UpdateInferenceEndpoint::new(alice.clone(), "taken")
        .min_replica(5)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadRequest);
    assert!(
        err.to_string().contains("must not exceed maxReplica"),
        "{err}"
    );
    let err = UpdateInferenceEndpoint::new(alice.clone(), "taken")
        .accelerator("abacus")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("unknown accelerator"), "{err}");
    let err = GetInferenceEndpoint::new(alice.clone(), " ")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    // The refused update changed nothing.
    let ep = get(&alice, "taken").await;
    assert_eq!(ep.compute().accelerator.as_deref(), Some("cpu"));
    hub.shutdown().await;
}

#[tokio::test]
async fn endpoints_survive_a_restart() {
    let dir = tempfile_dir();
    let start = |dir: std::path::PathBuf| TestHub::start_with(move |b| fast(b).data_dir(dir));
    let hub = start(dir.clone()).await;
    model(&hub, "tiny").await;
    let alice = client(&hub, Some(ALICE));
    let mut ep = create(&alice, "kept", "alice/tiny").await.unwrap();
    ep.wait(Some(Duration::from_secs(10)), 10 * MS)
        .await
        .unwrap();
    ep.pause().await.unwrap();
    let created = ep.created_at();
    hub.shutdown().await;

    let hub = start(dir.clone()).await;
    let alice = client(&hub, Some(ALICE));
    let ep = get(&alice, "kept").await;
    assert_eq!(ep.status(), &InferenceEndpointStatus::Paused);
    assert_eq!(ep.created_at(), created);
    hub.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "hf-endpoints-restart-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
