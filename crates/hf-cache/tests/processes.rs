//! Four processes download the same file into one cache: one blob, all correct.
//!
//! The test re-runs its own binary as the child processes (`child_download` does its
//! work only when `HF_CACHE_TEST_CHILD` is set).

// Helpers outside #[test] functions may panic too: a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Command;

use common::{File, Hub, data, incompletes};
use hf_cache::prelude::*;
use hf_cache::{CacheDir, HubDownload, sha256_hex};
use hf_http::HubClient;

#[tokio::test]
async fn child_download() {
    let Ok(spec) = std::env::var("HF_CACHE_TEST_CHILD") else {
        return;
    };
    let mut parts = spec.split('|');
    let (endpoint, cache_dir) = (parts.next().unwrap(), parts.next().unwrap());
    let client = HubClient::builder()
        .endpoint(endpoint)
        .token(Some(common::ALICE))
        .build()
        .unwrap();
    let p = HubDownload::new(client, "alice/procs".parse().unwrap(), "w.bin")
        .cache_dir(CacheDir::new(cache_dir))
        .await
        .unwrap();
    println!("PATH={}", p.display());
}

#[tokio::test]
async fn four_processes_share_one_blob() {
    if std::env::var("HF_CACHE_TEST_CHILD").is_ok() {
        return;
    }
    let hub = Hub::start().await;
    let content = data(20_000_000, 42);
    hub.commit("procs", vec![File::Lfs("w.bin", content.clone())])
        .await;
    let dir = tempfile::tempdir().unwrap();
    let cache_dir = dir.path().join("hub");
    let exe = std::env::current_exe().unwrap();
    let spec = format!("{}|{}", hub.endpoint(), cache_dir.display());
    let children: Vec<_> = (0..4)
        .map(|_| {
            Command::new(&exe)
                .args([
                    "--exact",
                    "child_download",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env("HF_CACHE_TEST_CHILD", &spec)
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs = tokio::task::spawn_blocking(move || {
        children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    for out in outputs {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let path = text
            .lines()
            .find_map(|l| l.split_once("PATH=").map(|(_, p)| p))
            .unwrap_or_else(|| panic!("no path in child output: {text}"));
        assert_eq!(std::fs::read(path).unwrap(), content);
    }
    let blobs: Vec<_> = std::fs::read_dir(cache_dir.join("models--alice--procs/blobs"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(blobs, vec![std::ffi::OsString::from(sha256_hex(&content))]);
    assert!(incompletes(&cache_dir).is_empty());
}
