//! The Space operations of the facade (issue 12), by their Python names and on a handle.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use hf_api::HfApi;
use hf_api::types::{SpaceHardware, SpaceStage, SpaceStorage};
use hf_local_hub::fixture::{ALICE, TestHub};
use hf_types::RepoType;

#[tokio::test]
async fn facade_and_handle() {
    let hub = TestHub::start_with(|b| b.space_build_delay(Duration::from_millis(30))).await;
    hub.create(RepoType::Space, "alice", "demo", false).await;
    let client = HfApi::client_builder()
        .endpoint(hub.endpoint())
        .token(Some(ALICE))
        .build()
        .unwrap();
    let api = HfApi::from_client(client);
    let id: hf_types::RepoId = "alice/demo".parse().unwrap();
    let space = api.space(id.clone());

    let fast = Duration::from_millis(5);
    let running = space.wait_for_space().poll_interval(fast).await.unwrap();
    assert_eq!(running.stage(), &SpaceStage::Running);
    let runtime = api
        .request_space_hardware(id.clone(), SpaceHardware::CpuUpgrade)
        .sleep_time(60)
        .await
        .unwrap();
    assert_eq!(runtime.requested_hardware(), Some("cpu-upgrade"));
    api.wait_for_space(id.clone())
        .poll_interval(fast)
        .await
        .unwrap();
    assert_eq!(
        space.get_space_runtime().await.unwrap().hardware(),
        Some("cpu-upgrade")
    );
    assert_eq!(
        space.set_space_sleep_time(120).await.unwrap().sleep_time(),
        Some(120)
    );
    space
        .request_space_storage(SpaceStorage::Medium)
        .await
        .unwrap();
    assert_eq!(
        api.delete_space_storage(id.clone())
            .await
            .unwrap()
            .storage(),
        None
    );
    space
        .add_space_variable("A", "1")
        .description("a")
        .await
        .unwrap();
    let vars = api.get_space_variables(id.clone()).await.unwrap();
    assert_eq!(vars["A"].value, "1");
    assert!(space.delete_space_variable("A").await.unwrap().is_empty());
    api.add_space_secret(id.clone(), "S", "v").await.unwrap();
    assert!(space.get_space_secrets().await.unwrap().contains_key("S"));
    space.delete_space_secret("S").await.unwrap();
    assert_eq!(
        space.pause_space().await.unwrap().stage(),
        &SpaceStage::Paused
    );
    assert_eq!(
        api.restart_space(id.clone())
            .factory_reboot(true)
            .await
            .unwrap()
            .stage(),
        &SpaceStage::Building
    );
    let url = space
        .duplicate_space()
        .to_id("copy".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(url.repo_id().as_str(), "alice/copy");
}
