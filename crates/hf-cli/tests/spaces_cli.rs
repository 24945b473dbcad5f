//! `hf spaces ...` and `hf repo duplicate` end to end against an in-process hf-local-hub (issue 12).
#![allow(clippy::unwrap_used)]

use std::process::{Command, Output};
use std::time::Duration;

use hf_local_hub::fixture::{ALICE, TestHub};
use hf_types::RepoType;

async fn hf(hub: &TestHub, home: &std::path::Path, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hf"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HF_ENDPOINT", hub.endpoint())
        .env("HF_HOME", home.join("home"))
        .env("HF_HUB_CACHE", home.join("hub"))
        .env("HF_TOKEN", ALICE)
        .env("MY_SECRET", "from-the-environment");
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn spaces_commands() {
    let hub = TestHub::start_with(|b| b.space_build_delay(Duration::from_millis(100))).await;
    hub.create(RepoType::Space, "alice", "app", false).await;
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let wait = [
        "spaces",
        "wait",
        "alice/app",
        "--timeout",
        "10s",
        "--poll-interval",
        "10ms",
    ];

    ok(&hf(&hub, home, &wait).await);
    let info: serde_json::Value = serde_json::from_str(&ok(&hf(
        &hub,
        home,
        &["spaces", "info", "alice/app", "--format", "json"],
    )
    .await))
    .unwrap();
    assert_eq!(info["runtime"]["stage"], "RUNNING");
    assert_eq!(info["sdk"], "gradio");
    let table = ok(&hf(&hub, home, &["spaces", "info", "alice/app"]).await);
    assert!(
        table.contains("stage: RUNNING") && table.contains("hardware: cpu-basic"),
        "{table}"
    );

    let out = ok(&hf(
        &hub,
        home,
        &[
            "spaces",
            "settings",
            "alice/app",
            "--hardware",
            "t4-small",
            "--sleep-time",
            "-1",
        ],
    )
    .await);
    assert!(
        out.contains("requested hardware: t4-small") && out.contains("sleep time: -1"),
        "{out}"
    );
    ok(&hf(&hub, home, &wait).await);
    let out = ok(&hf(&hub, home, &["spaces", "info", "alice/app"]).await);
    assert!(out.contains("hardware: t4-small"), "{out}");

    // Pause: wait fails naming the stage, with a hint; restart and wait again.
    assert!(ok(&hf(&hub, home, &["spaces", "pause", "alice/app"]).await).contains("PAUSED"));
    let failed = hf(&hub, home, &wait).await;
    assert_eq!(failed.status.code(), Some(1));
    let err = String::from_utf8_lossy(&failed.stderr);
    assert!(err.contains("PAUSED") && err.contains("hint:"), "{err}");
    let out = ok(&hf(
        &hub,
        home,
        &["spaces", "restart", "alice/app", "--factory-reboot"],
    )
    .await);
    assert!(out.contains("BUILDING"), "{out}");
    ok(&hf(&hub, home, &wait).await);

    // Variables and secrets.
    ok(&hf(
        &hub,
        home,
        &[
            "spaces",
            "variables",
            "add",
            "alice/app",
            "-e",
            "MODEL=gpt2",
            "-e",
            "N=1",
        ],
    )
    .await);
    let vars: serde_json::Value = serde_json::from_str(&ok(&hf(
        &hub,
        home,
        &["spaces", "variables", "ls", "alice/app", "--format", "json"],
    )
    .await))
    .unwrap();
    assert_eq!(vars[0]["key"], "MODEL");
    assert_eq!(vars[0]["value"], "gpt2");
    ok(&hf(
        &hub,
        home,
        &["spaces", "variables", "delete", "alice/app", "N", "-y"],
    )
    .await);
    let out = ok(&hf(&hub, home, &["spaces", "variables", "list", "alice/app"]).await);
    assert!(out.contains("MODEL=gpt2") && !out.contains("N=1"), "{out}");

    ok(&hf(
        &hub,
        home,
        &[
            "spaces",
            "secrets",
            "add",
            "alice/app",
            "-s",
            "MY_SECRET",
            "-s",
            "OTHER=v",
        ],
    )
    .await);
    let out = ok(&hf(&hub, home, &["spaces", "secrets", "ls", "alice/app"]).await);
    assert!(out.contains("MY_SECRET") && out.contains("OTHER"), "{out}");
    assert!(!out.contains("from-the-environment"), "{out}");
    ok(&hf(
        &hub,
        home,
        &["spaces", "secrets", "delete", "alice/app", "OTHER", "--yes"],
    )
    .await);
    let out = ok(&hf(
        &hub,
        home,
        &["spaces", "secrets", "ls", "alice/app", "--format", "json"],
    )
    .await);
    assert!(out.contains("MY_SECRET") && !out.contains("OTHER"), "{out}");

    // Bad input answers the hub's message.
    let bad = hf(
        &hub,
        home,
        &["spaces", "settings", "alice/app", "--hardware", "quantum"],
    )
    .await;
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("Invalid hardware flavor"));
    let none = hf(&hub, home, &["spaces", "settings", "alice/app"]).await;
    assert_eq!(none.status.code(), Some(1));

    let flavors = ok(&hf(&hub, home, &["spaces", "hardware"]).await);
    assert!(flavors.lines().any(|l| l == "t4-medium"), "{flavors}");

    // Duplicate: the copy keeps the variables, takes the overrides; twice needs --exist-ok.
    let dup = [
        "repo",
        "duplicate",
        "alice/app",
        "copy",
        "--type",
        "space",
        "--private",
        "--flavor",
        "cpu-upgrade",
        "-e",
        "EXTRA=1",
    ];
    let url = ok(&hf(&hub, home, &dup).await);
    assert!(url.trim().ends_with("/spaces/alice/copy"), "{url}");
    let out = ok(&hf(&hub, home, &["spaces", "variables", "ls", "alice/copy"]).await);
    assert!(
        out.contains("MODEL=gpt2") && out.contains("EXTRA=1"),
        "{out}"
    );
    let again = hf(&hub, home, &dup).await;
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--exist-ok"));
    let mut dup_ok = dup.to_vec();
    dup_ok.push("--exist-ok");
    ok(&hf(&hub, home, &dup_ok).await);
    let model = hf(&hub, home, &["repo", "duplicate", "alice/app"]).await;
    assert_eq!(model.status.code(), Some(1));
}
