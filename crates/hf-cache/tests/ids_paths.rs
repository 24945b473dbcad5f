//! Backslashes in repo paths (issue 15 item 6): ordinary characters on Unix, but a path that leaves its
//! folder where `\` separates folders (Windows) is refused on every OS, in the cache and in `local_dir`,
//! before anything is written.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use common::{Clients, File, Hub, cache};
use hf_cache::prelude::*;
use hf_cache::{Error, HubDownload, SnapshotDownload};
use hf_types::RepoId;

const ESCAPING: &str = "folder/..\\..\\..\\file";
const ODD: &str = "dir/a\\b.txt";

async fn seeded(hub: &Hub) -> RepoId {
    hub.commit(
        "bs",
        vec![
            File::Regular(ESCAPING, b"escape".to_vec()),
            File::Regular(ODD, b"odd".to_vec()),
            File::Regular("plain.txt", b"plain".to_vec()),
        ],
    )
    .await;
    "alice/bs".parse().unwrap()
}

/// Every file under `root`, relative, with `/` separators.
fn files(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(
                    p.strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .replace(std::path::MAIN_SEPARATOR, "/"),
                );
            }
        }
    }
    out.sort();
    out
}

fn is_escaping_path(e: &Error) -> bool {
    matches!(e, Error::InvalidPath(p) if p.input() == ESCAPING)
        && e.to_string().contains("separator")
}

#[tokio::test]
async fn escaping_backslash_paths_are_refused_in_cache_and_local_dir() {
    let hub = Hub::start().await;
    let id = seeded(&hub).await;
    let dir = tempfile::tempdir().unwrap();
    let cache = cache(dir.path());

    let e = HubDownload::new(hub.client(), id.clone(), ESCAPING)
        .cache_dir(cache.clone())
        .await
        .unwrap_err();
    assert!(is_escaping_path(&e), "{e:?}");
    let local = dir.path().join("local");
    let e = HubDownload::new(hub.client(), id.clone(), "..\\..\\..\\file")
        .subfolder("folder")
        .cache_dir(cache.clone())
        .local_dir(&local)
        .await
        .unwrap_err();
    assert!(is_escaping_path(&e), "{e:?}");

    // A snapshot that selects it fails before writing anything; excluding it works.
    let e = SnapshotDownload::new(hub.client(), id.clone())
        .cache_dir(cache.clone())
        .await
        .unwrap_err();
    assert!(is_escaping_path(&e), "{e:?}");
    let e = SnapshotDownload::new(hub.client(), id.clone())
        .cache_dir(cache.clone())
        .local_dir(&local)
        .await
        .unwrap_err();
    assert!(is_escaping_path(&e), "{e:?}");
    // Only the cached listing (metadata) was written.
    assert!(
        !local.exists() || files(&local).iter().all(|f| f.starts_with(".cache/")),
        "{:?}",
        files(&local)
    );
    assert!(
        files(dir.path()).iter().all(|f| !f.contains("blobs")),
        "{:?}",
        files(dir.path())
    );
    let folder = SnapshotDownload::new(hub.client(), id.clone())
        .cache_dir(cache.clone())
        .local_dir(&local)
        .ignore_patterns(["folder/*"])
        .await
        .unwrap();
    let got: Vec<String> = files(&folder)
        .into_iter()
        .filter(|f| !f.starts_with(".cache/"))
        .collect();
    assert_eq!(got, [".gitattributes", ODD, "plain.txt"]);
    // Nothing was written next to the target folders.
    let mut top: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert!(top.iter().all(|n| n == "hub" || n == "local"), "{top:?}");
}

#[cfg(unix)]
#[tokio::test]
async fn ordinary_backslashes_download_on_unix() {
    let hub = Hub::start().await;
    let id = seeded(&hub).await;
    let dir = tempfile::tempdir().unwrap();
    let cache = cache(dir.path());
    let p = HubDownload::new(hub.client(), id.clone(), ODD)
        .cache_dir(cache.clone())
        .await
        .unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), b"odd");
    assert_eq!(p.file_name().unwrap(), "a\\b.txt");
    let local = dir.path().join("local");
    let p = HubDownload::new(hub.client(), id, ODD)
        .cache_dir(cache.clone())
        .local_dir(&local)
        .await
        .unwrap();
    assert_eq!(p, local.join("dir").join("a\\b.txt"));
    assert_eq!(std::fs::read(&p).unwrap(), b"odd");
}

/// One-segment (canonical) ids download into `models--gpt2`, as the Python client names the folder.
#[tokio::test]
async fn canonical_repos_download_into_their_folder() {
    let hub = Hub::start().await;
    let commit = hub
        .commit_to(
            hf_types::RepoType::Model,
            "gpt2",
            "main",
            vec![File::Regular("config.json", b"{}".to_vec())],
        )
        .await;
    let dir = tempfile::tempdir().unwrap();
    let cache = cache(dir.path());
    let p = HubDownload::new(hub.client(), "gpt2".parse().unwrap(), "config.json")
        .cache_dir(cache.clone())
        .await
        .unwrap();
    assert_eq!(
        p,
        cache
            .path()
            .join("models--gpt2")
            .join("snapshots")
            .join(&commit)
            .join("config.json")
    );
    let folder = SnapshotDownload::new(hub.client(), "gpt2".parse().unwrap())
        .cache_dir(cache.clone())
        .await
        .unwrap();
    assert_eq!(std::fs::read(folder.join("config.json")).unwrap(), b"{}");
}
