//! `hf endpoints ...` end to end against the local hub's simulated Endpoints API.
// Helpers outside #[test] functions unwrap too: a failed set-up is a failed test.
#![allow(clippy::unwrap_used)]

use std::process::{Command, Output};
use std::time::Duration;

use hf_local_hub::fixture::{ALICE, BOB, File, TestHub};

async fn hub() -> TestHub {
    let hub = TestHub::start_with(|b| {
        // Nothing waits for the end of an update, and the test checks that an update answers
        // `updating`: a short delay could pass before that answer on a loaded machine.
        b.endpoint_pending_delay(Duration::from_millis(50))
            .endpoint_initializing_delay(Duration::from_millis(50))
            .endpoint_updating_delay(Duration::from_secs(60))
    })
    .await;
    hub.commit("tiny", vec![File::Regular("config.json", b"{}".to_vec())])
        .await;
    hub
}

async fn hf(hub: &TestHub, token: &str, args: &[&str]) -> Output {
    let home = std::env::temp_dir().join("hf-endpoints-cli-home-unused");
    let mut command = Command::new(env!("CARGO_BIN_EXE_hf"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HF_ENDPOINT", hub.endpoint())
        .env(
            "HF_INFERENCE_ENDPOINTS_ENDPOINT",
            hub.inference_endpoints_endpoint(),
        )
        .env("HF_HOME", home)
        .env("HF_TOKEN", token)
        .env("MY_SECRET", "from-env");
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn json(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn deploy_wait_list_update_pause_resume_scale_delete() {
    let hub = hub().await;
    let deploy = [
        "endpoints",
        "deploy",
        "my-ep",
        "--repo",
        "alice/tiny",
        "--framework",
        "pytorch",
        "--accelerator",
        "cpu",
        "--instance-size",
        "x2",
        "--instance-type",
        "intel-icl",
        "--region",
        "us-east-1",
        "--vendor",
        "aws",
        "--task",
        "text-generation",
        "--min-replica",
        "0",
        "--env",
        "MODE=fast",
        "--secrets",
        "MY_SECRET",
        "--wait",
        "--refresh-every",
        "0.02",
        "--timeout",
        "30",
    ];
    let out = hf(&hub, ALICE, &deploy).await;
    let value = json(&out);
    assert_eq!(value["status"]["state"], "running", "{value}");
    assert_eq!(value["model"]["env"]["MODE"], "fast");
    let progress = text(&out.stderr);
    assert!(progress.contains("my-ep: pending"), "{progress}");
    assert!(progress.contains("my-ep: running at http://"), "{progress}");

    let out = hf(&hub, ALICE, &["endpoints", "ls"]).await;
    let table = text(&out.stdout);
    assert!(table.starts_with("NAME"), "{table}");
    assert!(
        table.contains("my-ep") && table.contains("running"),
        "{table}"
    );
    let listed = json(&hf(&hub, ALICE, &["endpoints", "list", "--format", "json"]).await);
    assert_eq!(listed.as_array().unwrap().len(), 1);

    let updated = json(
        &hf(
            &hub,
            ALICE,
            &["endpoints", "update", "my-ep", "--max-replica", "3"],
        )
        .await,
    );
    assert_eq!(updated["status"]["state"], "updating");
    assert_eq!(updated["compute"]["scaling"]["maxReplica"], 3);
    let out = hf(&hub, ALICE, &["endpoints", "update", "my-ep"]).await;
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("nothing to update"));

    let paused = json(&hf(&hub, ALICE, &["endpoints", "pause", "my-ep"]).await);
    assert_eq!(paused["status"]["state"], "paused");
    let resumed = json(&hf(&hub, ALICE, &["endpoints", "resume", "my-ep"]).await);
    assert_eq!(resumed["status"]["state"], "pending");
    let zero = json(&hf(&hub, ALICE, &["endpoints", "scale-to-zero", "my-ep"]).await);
    assert_eq!(zero["status"]["state"], "scaledToZero");
    let described = json(&hf(&hub, ALICE, &["endpoints", "describe", "my-ep"]).await);
    assert_eq!(described["name"], "my-ep");

    let out = hf(&hub, ALICE, &["endpoints", "delete", "my-ep", "--yes"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Deleted 'my-ep'."));
    let out = hf(&hub, ALICE, &["endpoints", "describe", "my-ep"]).await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("hint: no such endpoint"),
        "{}",
        text(&out.stderr)
    );
    hub.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn errors_carry_hints() {
    let hub = hub().await;
    let out = hf(&hub, BOB, &["endpoints", "ls", "--namespace", "acme"]).await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("only members of the namespace"),
        "{}",
        text(&out.stderr)
    );

    let deploy_missing = [
        "endpoints",
        "deploy",
        "ghost",
        "--repo",
        "alice/nope",
        "--framework",
        "pytorch",
        "--accelerator",
        "cpu",
        "--instance-size",
        "x2",
        "--instance-type",
        "intel-icl",
        "--region",
        "us-east-1",
        "--vendor",
        "aws",
        "--wait",
        "--refresh-every",
        "0.02",
    ];
    let out = hf(&hub, ALICE, &deploy_missing).await;
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("is failed") && err.contains("hint: check that the repository exists"),
        "{err}"
    );

    let bad = [
        "endpoints",
        "deploy",
        "bad",
        "--repo",
        "alice/tiny",
        "--framework",
        "pytorch",
        "--accelerator",
        "quantum",
        "--instance-size",
        "x2",
        "--instance-type",
        "intel-icl",
        "--region",
        "us-east-1",
        "--vendor",
        "aws",
    ];
    let out = hf(&hub, ALICE, &bad).await;
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("unknown accelerator"),
        "{}",
        text(&out.stderr)
    );
    hub.shutdown().await;
}
