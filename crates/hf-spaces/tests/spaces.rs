//! Every Space operation end to end against hf-local-hub's simulated runtime: stage
//! transitions (millisecond delays), variables and secrets, duplication, permissions, bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use hf_http::{ErrorKind, HubClient};
use hf_local_hub::fixture::{ALICE, ALICE_READ, BOB, File, TestHub};
use hf_repo::prelude::*;
use hf_spaces::duplicate::DuplicateSpace;
use hf_spaces::env::{
    AddSpaceSecret, AddSpaceVariable, DeleteSpaceSecret, DeleteSpaceVariable, GetSpaceSecrets,
    GetSpaceVariables,
};
use hf_spaces::runtime::{
    DeleteSpaceStorage, GetSpaceRuntime, PauseSpace, RequestSpaceHardware, RequestSpaceStorage,
    RestartSpace, SetSpaceSleepTime,
};
use hf_spaces::wait::WaitForSpace;
use hf_spaces::{Error, SpaceHardware, SpaceKeyValue, SpaceStage, SpaceStorage};
use hf_types::{RepoId, RepoType};

/// How long a simulated build lasts in these tests.
const BUILD: Duration = Duration::from_millis(250);

async fn hub() -> TestHub {
    TestHub::start_with(|b| b.space_build_delay(BUILD)).await
}

fn client(hub: &TestHub, token: Option<&str>) -> HubClient {
    HubClient::builder()
        .endpoint(hub.endpoint())
        .token(token)
        .build()
        .unwrap()
}

fn id(s: &str) -> RepoId {
    s.parse().unwrap()
}

/// Waits for `stage` with a short poll interval.
async fn wait(c: &HubClient, space: &str, stage: SpaceStage) -> hf_spaces::SpaceRuntime {
    WaitForSpace::new(c.clone(), id(space))
        .until(stage)
        .poll_interval(Duration::from_millis(10))
        .timeout(Duration::from_secs(10))
        .await
        .unwrap()
}

#[tokio::test]
async fn stages_hardware_sleep_time_and_storage() {
    let hub = hub().await;
    hub.create(RepoType::Space, "alice", "app", false).await;
    let c = client(&hub, Some(ALICE));
    let space = id("alice/app");

    let first = GetSpaceRuntime::new(c.clone(), space.clone())
        .await
        .unwrap();
    assert_eq!(first.stage(), &SpaceStage::Building);
    assert_eq!(first.hardware(), None);
    assert_eq!(first.requested_hardware(), Some("cpu-basic"));
    let running = wait(&c, "alice/app", SpaceStage::Running).await;
    assert_eq!(running.hardware_flavor(), Some(SpaceHardware::CpuBasic));
    assert_eq!(running.sleep_time(), Some(172_800));
    assert_eq!(running.raw()["sdk"], "gradio");

    // Pause until restarted; waiting for RUNNING fails at once, naming the stage.
    let paused = PauseSpace::new(c.clone(), space.clone()).await.unwrap();
    assert_eq!(paused.stage(), &SpaceStage::Paused);
    let err = WaitForSpace::new(c.clone(), space.clone())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::SpaceNotReady { stage, timed_out: false, .. } if stage == "PAUSED"),
        "{err}"
    );
    assert!(err.to_string().contains("PAUSED"), "{err}");
    // A commit does not wake a paused Space.
    hub.commit_to(
        RepoType::Space,
        "alice/app",
        "main",
        vec![File::Regular("app.py", b"x".to_vec())],
    )
    .await;
    let still = GetSpaceRuntime::new(c.clone(), space.clone())
        .await
        .unwrap();
    assert_eq!(still.stage(), &SpaceStage::Paused);
    let restarted = RestartSpace::new(c.clone(), space.clone()).await.unwrap();
    assert_eq!(restarted.stage(), &SpaceStage::Building);
    wait(&c, "alice/app", SpaceStage::Running).await;

    // A commit rebuilds.
    hub.commit_to(
        RepoType::Space,
        "alice/app",
        "main",
        vec![File::Regular("app.py", b"y".to_vec())],
    )
    .await;
    let rebuilding = GetSpaceRuntime::new(c.clone(), space.clone())
        .await
        .unwrap();
    assert_eq!(rebuilding.stage(), &SpaceStage::Building);
    wait(&c, "alice/app", SpaceStage::Running).await;

    // New hardware: requested now, current once running again.
    let requested = RequestSpaceHardware::new(c.clone(), space.clone(), SpaceHardware::T4Small)
        .sleep_time(3600)
        .await
        .unwrap();
    assert_eq!(requested.stage(), &SpaceStage::Building);
    assert_eq!(requested.hardware(), Some("cpu-basic"));
    assert_eq!(requested.requested_hardware(), Some("t4-small"));
    assert_eq!(requested.sleep_time(), Some(3600));
    let upgraded = wait(&c, "alice/app", SpaceStage::Running).await;
    assert_eq!(upgraded.hardware(), Some("t4-small"));

    let never = SetSpaceSleepTime::new(c.clone(), space.clone(), -1)
        .await
        .unwrap();
    assert_eq!(never.sleep_time(), Some(-1));
    assert_eq!(never.stage(), &SpaceStage::Running);

    let stored = RequestSpaceStorage::new(c.clone(), space.clone(), SpaceStorage::Small)
        .await
        .unwrap();
    assert_eq!(stored.storage(), Some(&SpaceStorage::Small));
    let larger = RequestSpaceStorage::new(c.clone(), space.clone(), SpaceStorage::Large)
        .await
        .unwrap();
    assert_eq!(larger.storage(), Some(&SpaceStorage::Large));
    let gone = DeleteSpaceStorage::new(c.clone(), space.clone())
        .await
        .unwrap();
    assert_eq!(gone.storage(), None);

    let factory = RestartSpace::new(c.clone(), space.clone())
        .factory_reboot(true)
        .await
        .unwrap();
    assert_eq!(factory.stage(), &SpaceStage::Building);
    assert_eq!(factory.hardware(), Some("t4-small"));

    // Space info embeds the same runtime.
    let url = format!("{}/api/spaces/alice/app", hub.endpoint());
    let info: serde_json::Value = c
        .get(url.parse().unwrap())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["runtime"]["hardware"]["requested"], "t4-small");
}

#[tokio::test]
async fn app_starting_stage_and_creation_options() {
    let hub = TestHub::start_with(|b| {
        b.space_build_delay(Duration::from_millis(20))
            .space_start_delay(Duration::from_millis(100))
    })
    .await;
    let c = client(&hub, Some(ALICE));
    hf_repo::repos::CreateRepo::new(c.clone(), id("alice/big"))
        .repo_type(RepoType::Space)
        .space_sdk("docker")
        .space_hardware("a10g-small")
        .space_storage(SpaceStorage::Medium)
        .space_sleep_time(600)
        .space_variables([SpaceKeyValue::new("MODE", "fast")])
        .space_secrets([SpaceKeyValue::new("TOKEN", "s3cret")])
        .await
        .unwrap();
    let starting = wait(&c, "alice/big", SpaceStage::AppStarting).await;
    assert_eq!(starting.requested_hardware(), Some("a10g-small"));
    assert_eq!(starting.storage(), Some(&SpaceStorage::Medium));
    assert_eq!(starting.sleep_time(), Some(600));
    let running = wait(&c, "alice/big", SpaceStage::Running).await;
    assert_eq!(running.hardware(), Some("a10g-small"));
    let vars = GetSpaceVariables::new(c.clone(), id("alice/big"))
        .await
        .unwrap();
    assert_eq!(vars["MODE"].value, "fast");
    let secrets = GetSpaceSecrets::new(c, id("alice/big")).await.unwrap();
    assert!(secrets.contains_key("TOKEN"));
}

#[tokio::test]
async fn unknown_sdk_in_readme_is_a_runtime_error() {
    let hub = hub().await;
    hub.create(RepoType::Space, "alice", "broken", false).await;
    let c = client(&hub, Some(ALICE));
    let readme = b"---\nsdk: cobol\n---\n# Broken\n".to_vec();
    hub.commit_to(
        RepoType::Space,
        "alice/broken",
        "main",
        vec![File::Regular("README.md", readme)],
    )
    .await;
    let err = WaitForSpace::new(c.clone(), id("alice/broken"))
        .poll_interval(Duration::from_millis(10))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::SpaceNotReady { stage, timed_out: false, .. } if stage == "RUNTIME_ERROR"),
        "{err}"
    );
    assert_eq!(err.kind(), ErrorKind::SpaceNotReady);
    let runtime = GetSpaceRuntime::new(c.clone(), id("alice/broken"))
        .await
        .unwrap();
    assert!(runtime.error_message().unwrap().contains("cobol"));
    // Fixing the README fixes the Space.
    let readme = b"---\nsdk: gradio\n---\n".to_vec();
    hub.commit_to(
        RepoType::Space,
        "alice/broken",
        "main",
        vec![File::Regular("README.md", readme)],
    )
    .await;
    wait(&c, "alice/broken", SpaceStage::Running).await;
}

#[tokio::test]
async fn wait_times_out_naming_the_stage() {
    let hub = TestHub::start_with(|b| b.space_build_delay(Duration::from_secs(60))).await;
    hub.create(RepoType::Space, "alice", "slow", false).await;
    let c = client(&hub, Some(ALICE));
    let err = WaitForSpace::new(c, id("alice/slow"))
        .timeout(Duration::from_millis(50))
        .poll_interval(Duration::from_millis(10))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::SpaceNotReady { stage, timed_out: true, .. } if stage == "BUILDING"),
        "{err}"
    );
    assert!(err.to_string().contains("BUILDING") && err.to_string().contains("alice/slow"));
}

#[tokio::test]
async fn variables_and_secrets_survive_a_restart_of_the_hub() {
    let dir = tempfile::tempdir().unwrap();
    let hub = TestHub::start_with(|b| b.space_build_delay(BUILD).data_dir(dir.path())).await;
    hub.create(RepoType::Space, "alice", "env", false).await;
    let c = client(&hub, Some(ALICE));
    let space = id("alice/env");
    wait(&c, "alice/env", SpaceStage::Running).await;

    let all = AddSpaceVariable::new(c.clone(), space.clone(), "MODEL_ID", "gpt2")
        .description("the model")
        .await
        .unwrap();
    assert_eq!(all["MODEL_ID"].value, "gpt2");
    assert_eq!(all["MODEL_ID"].key, "MODEL_ID");
    assert_eq!(all["MODEL_ID"].description.as_deref(), Some("the model"));
    assert!(all["MODEL_ID"].updated_at.is_some());
    // A change restarts the Space.
    let runtime = GetSpaceRuntime::new(c.clone(), space.clone())
        .await
        .unwrap();
    assert_eq!(runtime.stage(), &SpaceStage::Building);
    let all = AddSpaceVariable::new(c.clone(), space.clone(), "MODEL_ID", "gpt3")
        .await
        .unwrap();
    assert_eq!(all["MODEL_ID"].value, "gpt3");
    AddSpaceVariable::new(c.clone(), space.clone(), "OTHER", "1")
        .await
        .unwrap();
    let left = DeleteSpaceVariable::new(c.clone(), space.clone(), "OTHER")
        .await
        .unwrap();
    assert_eq!(left.keys().collect::<Vec<_>>(), ["MODEL_ID"]);

    AddSpaceSecret::new(c.clone(), space.clone(), "API_KEY", "s3cret-value")
        .description("the key")
        .await
        .unwrap();
    AddSpaceSecret::new(c.clone(), space.clone(), "GONE", "x")
        .await
        .unwrap();
    DeleteSpaceSecret::new(c.clone(), space.clone(), "GONE")
        .await
        .unwrap();
    // Deleting a missing key is no error.
    DeleteSpaceSecret::new(c.clone(), space.clone(), "NEVER")
        .await
        .unwrap();
    let url = format!("{}/api/spaces/alice/env/secrets", hub.endpoint());
    let raw = c
        .get(url.parse().unwrap())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        raw.contains("API_KEY") && !raw.contains("s3cret-value"),
        "{raw}"
    );

    hub.shutdown().await;
    let hub = TestHub::start_with(|b| b.space_build_delay(BUILD).data_dir(dir.path())).await;
    let c = client(&hub, Some(ALICE));
    let vars = GetSpaceVariables::new(c.clone(), space.clone())
        .await
        .unwrap();
    assert_eq!(vars["MODEL_ID"].value, "gpt3");
    let secrets = GetSpaceSecrets::new(c.clone(), space.clone())
        .await
        .unwrap();
    assert_eq!(secrets.keys().collect::<Vec<_>>(), ["API_KEY"]);
    assert_eq!(secrets["API_KEY"].description.as_deref(), Some("the key"));
    let runtime = GetSpaceRuntime::new(c, space).await.unwrap();
    assert_eq!(runtime.requested_hardware(), Some("cpu-basic"));
}

#[tokio::test]
async fn permissions() {
    let hub = hub().await;
    hub.create(RepoType::Space, "alice", "public", false).await;
    hub.create(RepoType::Space, "alice", "hidden", true).await;
    hub.create(RepoType::Space, "acme", "team", false).await;
    let alice = client(&hub, Some(ALICE));
    let reader = client(&hub, Some(ALICE_READ));
    let bob = client(&hub, Some(BOB));
    let anonymous = client(&hub, None);
    AddSpaceVariable::new(alice.clone(), id("alice/public"), "A", "1")
        .await
        .unwrap();

    // Whoever reads the Space reads its runtime and variables.
    for c in [&bob, &anonymous, &reader] {
        GetSpaceRuntime::new(c.clone(), id("alice/public"))
            .await
            .unwrap();
        let vars = GetSpaceVariables::new(c.clone(), id("alice/public"))
            .await
            .unwrap();
        assert_eq!(vars["A"].value, "1");
    }
    // Only writers change anything or list secrets.
    let e = PauseSpace::new(bob.clone(), id("alice/public"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden, "{e}");
    let e = AddSpaceVariable::new(reader.clone(), id("alice/public"), "B", "2")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden, "{e}");
    let e = GetSpaceSecrets::new(bob.clone(), id("alice/public"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden, "{e}");
    assert!(
        RestartSpace::new(anonymous.clone(), id("alice/public"))
            .await
            .is_err()
    );
    assert!(
        AddSpaceSecret::new(anonymous.clone(), id("alice/public"), "K", "v")
            .await
            .is_err()
    );
    // Org members write the org's Spaces.
    PauseSpace::new(alice.clone(), id("acme/team"))
        .await
        .unwrap();
    assert!(PauseSpace::new(bob.clone(), id("acme/team")).await.is_err());
    // Private Spaces are invisible.
    let e = GetSpaceRuntime::new(bob.clone(), id("alice/hidden"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RepoNotFound, "{e}");
    let e = DuplicateSpace::new(bob.clone(), id("alice/hidden"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RepoNotFound, "{e}");
    GetSpaceRuntime::new(alice.clone(), id("alice/hidden"))
        .await
        .unwrap();
    // Space routes on a model are not found.
    hub.create(RepoType::Model, "alice", "model", false).await;
    let url = format!("{}/api/models/alice/model/runtime", hub.endpoint());
    assert!(alice.get(url.parse().unwrap()).await.is_err());
}

#[tokio::test]
async fn bad_input_is_refused_with_the_hubs_error() {
    let hub = hub().await;
    hub.create(RepoType::Space, "alice", "app", false).await;
    let c = client(&hub, Some(ALICE));
    let space = id("alice/app");
    let bad = [
        RequestSpaceHardware::new(c.clone(), space.clone(), "quantum-9000")
            .await
            .unwrap_err(),
        RequestSpaceHardware::new(c.clone(), space.clone(), SpaceHardware::T4Small)
            .sleep_time(-5)
            .await
            .unwrap_err(),
        SetSpaceSleepTime::new(c.clone(), space.clone(), -2)
            .await
            .unwrap_err(),
        RequestSpaceStorage::new(c.clone(), space.clone(), SpaceStorage::Other("huge".into()))
            .await
            .unwrap_err(),
        AddSpaceSecret::new(c.clone(), space.clone(), "1BAD", "v")
            .await
            .unwrap_err(),
        AddSpaceSecret::new(c.clone(), space.clone(), "a-b", "v")
            .await
            .unwrap_err(),
        AddSpaceVariable::new(c.clone(), space.clone(), "", "v")
            .await
            .unwrap_err(),
        AddSpaceVariable::new(c.clone(), space.clone(), "K".repeat(300), "v")
            .await
            .unwrap_err(),
        AddSpaceVariable::new(c.clone(), space.clone(), "K", "v")
            .description("d".repeat(2000))
            .await
            .unwrap_err(),
        AddSpaceVariable::new(c.clone(), space.clone(), "BIG", "x".repeat(70_000))
            .await
            .unwrap_err(),
        DuplicateSpace::new(c.clone(), space.clone())
            .to_id(id("alice/copy"))
            .hardware("quantum-9000")
            .await
            .unwrap_err(),
    ];
    for e in bad {
        assert_eq!(e.kind(), ErrorKind::BadRequest, "{e}");
        let message = e
            .server_error()
            .and_then(|s| s.server_message())
            .unwrap_or_default();
        assert!(!message.is_empty(), "{e}");
    }
    // Bodies are bounded before they are parsed.
    let e = AddSpaceSecret::new(c.clone(), space.clone(), "HUGE", "x".repeat(2 << 20))
        .await
        .unwrap_err();
    assert_eq!(
        e.server_error().map(|s| s.status().as_u16()),
        Some(413),
        "{e}"
    );
    // Nothing changed.
    let runtime = GetSpaceRuntime::new(c.clone(), space.clone())
        .await
        .unwrap();
    assert_eq!(runtime.requested_hardware(), Some("cpu-basic"));
    assert!(GetSpaceVariables::new(c, space).await.unwrap().is_empty());
}

#[tokio::test]
async fn duplicate_copies_files_and_settings() {
    let hub = hub().await;
    let alice = client(&hub, Some(ALICE));
    let bob = client(&hub, Some(BOB));
    hub.commit_to(
        RepoType::Space,
        "alice/src",
        "main",
        vec![
            File::Regular("app.py", b"print('hi')".to_vec()),
            File::Lfs("weights.bin", vec![7u8; 4096]),
        ],
    )
    .await;
    let src = id("alice/src");
    RequestSpaceHardware::new(alice.clone(), src.clone(), SpaceHardware::T4Small)
        .await
        .unwrap();
    RequestSpaceStorage::new(alice.clone(), src.clone(), SpaceStorage::Small)
        .await
        .unwrap();
    AddSpaceVariable::new(alice.clone(), src.clone(), "MODE", "demo")
        .await
        .unwrap();
    AddSpaceSecret::new(alice.clone(), src.clone(), "TOKEN", "alice-only")
        .await
        .unwrap();

    // Bob's copy: his namespace (whoami), the source's name and settings, no secrets of alice.
    let url = DuplicateSpace::new(bob.clone(), src.clone())
        .variables([SpaceKeyValue::new("EXTRA", "1")])
        .secrets([SpaceKeyValue::new("BOB_KEY", "b")])
        .await
        .unwrap();
    assert_eq!(url.repo_id().as_str(), "bob/src");
    assert_eq!(url.repo_type(), RepoType::Space);
    let copy = id("bob/src");
    let runtime = GetSpaceRuntime::new(bob.clone(), copy.clone())
        .await
        .unwrap();
    assert_eq!(runtime.stage(), &SpaceStage::Building);
    assert_eq!(runtime.requested_hardware(), Some("t4-small"));
    assert_eq!(runtime.storage(), Some(&SpaceStorage::Small));
    let vars = GetSpaceVariables::new(bob.clone(), copy.clone())
        .await
        .unwrap();
    assert_eq!(vars["MODE"].value, "demo");
    assert_eq!(vars["EXTRA"].value, "1");
    let secrets = GetSpaceSecrets::new(bob.clone(), copy.clone())
        .await
        .unwrap();
    assert_eq!(secrets.keys().collect::<Vec<_>>(), ["BOB_KEY"]);
    let seed = hub.seed();
    let head = seed
        .repo(RepoType::Space, "bob/src")
        .head("main")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        seed.read_file(&head, "app.py").await.unwrap().unwrap(),
        b"print('hi')"
    );
    let info = seed.path_info(&head, "weights.bin").await.unwrap();
    assert!(info.is_some());
    wait(&bob, "bob/src", SpaceStage::Running).await;

    // Alice's own copy: overrides, private, her secrets copied; a second time needs exist_ok.
    let dup = || {
        DuplicateSpace::new(alice.clone(), src.clone())
            .to_id(id("acme/copy"))
            .private(true)
            .hardware(SpaceHardware::CpuUpgrade)
            .storage(SpaceStorage::Large)
            .sleep_time(300)
    };
    let url = dup().await.unwrap();
    assert_eq!(url.repo_id().as_str(), "acme/copy");
    let runtime = GetSpaceRuntime::new(alice.clone(), id("acme/copy"))
        .await
        .unwrap();
    assert_eq!(runtime.requested_hardware(), Some("cpu-upgrade"));
    assert_eq!(runtime.storage(), Some(&SpaceStorage::Large));
    assert_eq!(runtime.sleep_time(), Some(300));
    let secrets = GetSpaceSecrets::new(alice.clone(), id("acme/copy"))
        .await
        .unwrap();
    assert!(secrets.contains_key("TOKEN"));
    assert_eq!(
        GetSpaceRuntime::new(bob.clone(), id("acme/copy"))
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::RepoNotFound
    );
    let e = dup().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict, "{e}");
    let again = dup().exist_ok(true).await.unwrap();
    assert_eq!(again.repo_id().as_str(), "acme/copy");
    // Bob cannot duplicate into alice's namespace.
    let e = DuplicateSpace::new(bob, src)
        .to_id(id("alice/stolen"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Forbidden, "{e}");
}

#[tokio::test]
async fn a_recreated_space_starts_afresh() {
    let hub = hub().await;
    hub.create(RepoType::Space, "alice", "again", false).await;
    let c = client(&hub, Some(ALICE));
    let space = id("alice/again");
    AddSpaceVariable::new(c.clone(), space.clone(), "OLD", "1")
        .await
        .unwrap();
    PauseSpace::new(c.clone(), space.clone()).await.unwrap();
    hf_repo::repos::DeleteRepo::new(c.clone(), space.clone())
        .repo_type(RepoType::Space)
        .await
        .unwrap();
    let e = GetSpaceRuntime::new(c.clone(), space.clone())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RepoNotFound);
    hub.create(RepoType::Space, "alice", "again", false).await;
    assert!(
        GetSpaceVariables::new(c.clone(), space.clone())
            .await
            .unwrap()
            .is_empty()
    );
    let runtime = GetSpaceRuntime::new(c, space).await.unwrap();
    assert_ne!(runtime.stage(), &SpaceStage::Paused);
}
