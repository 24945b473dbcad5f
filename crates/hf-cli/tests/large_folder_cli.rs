//! `hf upload-large-folder` end to end: killed with SIGKILL mid-run, run again, it completes
//! without redoing finished work (requests counted at the hub).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use hf_local_hub::{FaultKind, FaultSpec};

fn counter(method: &str, path: &str) -> FaultSpec {
    FaultSpec::new(FaultKind::Delay(0))
        .method(method)
        .path(path)
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_mid_run_then_resumed() {
    let hub = TestHub::start_with_faults(vec![
        counter("POST", "/api/*/commit/*"),
        counter("POST", "/api/*/preupload/*"),
        counter("PUT", "/_hub-lfs/*"),
    ])
    .await;
    let env = Env {
        hub,
        home: tempfile::tempdir().unwrap(),
    };
    let dir = tempfile::tempdir().unwrap();
    for i in 0..2000 {
        let path = dir.path().join(format!("d{}/f{i}.txt", i % 20));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, format!("small file {i}\n")).unwrap();
    }
    let lfs: Vec<Vec<u8>> = (0..3)
        .map(|k| {
            (0..300_000u32)
                .map(|i| (i * 31 + k * 7) as u8 | 0x80)
                .collect()
        })
        .collect();
    for (k, content) in lfs.iter().enumerate() {
        std::fs::write(dir.path().join(format!("w{k}.bin")), content).unwrap();
    }
    let local = dir.path().to_str().unwrap().to_owned();
    let args = [
        "upload-large-folder",
        "alice/big",
        &local,
        "--num-workers",
        "2",
        "--no-report",
    ];

    // First run: killed as soon as its first commit landed.
    let mut child = Command::new(env!("CARGO_BIN_EXE_hf"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HF_ENDPOINT", env.hub.endpoint())
        .env("HF_HOME", env.home.path().join("home"))
        .env("HF_TOKEN", ALICE)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Killed (SIGKILL) as soon as it saved a first file as committed.
    let state_dir = dir.path().join(".cache/huggingface/upload");
    let committed_now = || {
        let mut committed = Vec::new();
        for i in 0..2000 {
            let meta = state_dir.join(format!("d{}/f{i}.txt.metadata", i % 20));
            if let Ok(text) = std::fs::read_to_string(&meta)
                && text.ends_with("\n1\n")
            {
                committed.push((meta, text));
            }
        }
        committed
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if env.hub.fault_hits()[0] > 0 && !committed_now().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let first = env.hub.fault_hits();
    // The state of the files the first run committed, as it left it.
    let committed = committed_now();
    assert!(
        !committed.is_empty(),
        "the first run committed nothing in time"
    );
    assert!(committed.len() < 2000, "the first run was not interrupted");

    // Second run: completes.
    let out = env.hf(&args).await;
    let url = ok(&out);
    assert_eq!(url.trim(), format!("{}/alice/big", env.hub.endpoint()));
    let second = env.hub.fault_hits();
    // What the first run committed was not hashed, asked or committed again (its state was
    // not even rewritten), and every LFS content was sent once over both runs.
    for (meta, text) in &committed {
        assert_eq!(
            &std::fs::read_to_string(meta).unwrap(),
            text,
            "{}",
            meta.display()
        );
    }
    assert!(second[2] <= 3, "LFS transfers {second:?}");
    assert!(second[0] > first[0], "the second run committed the rest");

    let seed = env.hub.seed();
    let head = seed.model("alice/big").head("main").await.unwrap().unwrap();
    for i in 0..2000 {
        let got = seed
            .read_file(&head, &format!("d{}/f{i}.txt", i % 20))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(got, format!("small file {i}\n").into_bytes());
    }
    for (k, content) in lfs.iter().enumerate() {
        let got = seed
            .read_file(&head, &format!("w{k}.bin"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(&got, content);
    }

    // A third run finds nothing to do: no request that changes anything.
    let out = env.hf(&args).await;
    ok(&out);
    let third = env.hub.fault_hits();
    assert_eq!(
        (third[0], third[1], third[2]),
        (second[0], second[1], second[2])
    );
}
