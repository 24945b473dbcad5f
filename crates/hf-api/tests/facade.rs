//! The facade drives the domain crates end to end against hf-local-hub, async and blocking.
// Set-up helpers unwrap too: a failed set-up is a failed test.
#![allow(clippy::unwrap_used)]

use hf_api::HfApi;
use hf_api::cache::CachedFile;
use hf_api::prelude::*;
use hf_local_hub::{LocalHub, LocalHubHandle};
use hf_types::{RepoPath, RepoType, Revision};

const TOKEN: &str = "hf_facade";

async fn hub() -> LocalHubHandle {
    let hub = LocalHub::builder()
        .user("alice", TOKEN)
        .start()
        .await
        .unwrap();
    let repo = hub.seed().model("alice/facade");
    repo.create(true).await.unwrap();
    repo.commit("main")
        .message("files")
        .file("config.json", &b"{}"[..])
        .file("a/b.txt", &b"b"[..])
        .push()
        .await
        .unwrap();
    hub
}

fn api(endpoint: &str, cache: &std::path::Path) -> HfApi {
    let client = HfApi::client_builder()
        .endpoint(endpoint)
        .token(Some(TOKEN))
        .build()
        .unwrap();
    HfApi::from_client(client).with_cache_dir(cache)
}

#[tokio::test]
async fn async_facade_downloads_and_looks_up() {
    let hub = hub().await;
    let dir = tempfile::tempdir().unwrap();
    let api = api(hub.endpoint(), dir.path());
    let repo = "alice/facade".parse().unwrap();
    let file = api
        .hf_hub_download("alice/facade".parse().unwrap(), "a/b.txt")
        .await
        .unwrap();
    assert_eq!(std::fs::read(&file).unwrap(), b"b");
    let found = api
        .try_to_load_from_cache(&repo, "a/b.txt", RepoType::Model, &Revision::main())
        .unwrap();
    assert_eq!(found, CachedFile::Found(file.clone()));
    let folder = api.snapshot_download(repo.clone()).await.unwrap();
    assert_eq!(std::fs::read(folder.join("config.json")).unwrap(), b"{}");
    let url = api.hf_hub_url(
        &repo,
        &"a/b.txt".parse::<RepoPath>().unwrap(),
        RepoType::Model,
        &Revision::main(),
    );
    assert_eq!(
        url,
        format!("{}/alice/facade/resolve/main/a/b.txt", hub.endpoint())
    );
    let meta = api.get_hf_file_metadata(&url).await.unwrap();
    assert_eq!(meta.size, 1);
    assert_eq!(api.scan_cache_dir().unwrap().repos.len(), 1);

    // The repo is private: without the token it does not exist.
    let anonymous = HfApi::from_client(
        HfApi::client_builder()
            .endpoint(hub.endpoint())
            .build()
            .unwrap(),
    )
    .with_cache_dir(dir.path().join("other"));
    let err = anonymous
        .hf_hub_download(repo, "config.json")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), hf_api::ErrorKind::RepoNotFound, "{err}");
    assert!(err.is_not_found());
    let context = err.context().unwrap();
    assert_eq!(context.repo_id.as_ref().unwrap().as_str(), "alice/facade");
    assert_eq!(context.path.as_deref(), Some("config.json"));
}

#[test]
fn blocking_facade_downloads() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let hub = runtime.block_on(hub());
    let dir = tempfile::tempdir().unwrap();
    let api = hf_api::blocking::HfApi::from_async(api(hub.endpoint(), dir.path())).unwrap();
    let folder = api
        .run(
            api.r#async()
                .snapshot_download("alice/facade".parse().unwrap())
                .allow_patterns(["a/*"]),
        )
        .unwrap();
    assert!(folder.join("a/b.txt").is_file());
    assert!(
        !folder.join("config.json").exists(),
        "allow_patterns must filter"
    );
    let file = api
        .hf_hub_download("alice/facade".parse().unwrap(), "config.json")
        .unwrap();
    assert_eq!(std::fs::read(file).unwrap(), b"{}");
    let err = api
        .hf_hub_download("alice/missing".parse().unwrap(), "x")
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[tokio::test]
async fn async_facade_creates_uploads_lists_and_tags() {
    let hub = hub().await;
    let dir = tempfile::tempdir().unwrap();
    let api = api(hub.endpoint(), &dir.path().join("cache"));
    let repo: hf_types::RepoId = "alice/made".parse().unwrap();
    let url = api.create_repo(repo.clone()).private(true).await.unwrap();
    assert_eq!(url.repo_id(), &repo);
    let folder = dir.path().join("out");
    std::fs::create_dir_all(folder.join("sub")).unwrap();
    std::fs::write(folder.join("config.json"), b"{\"x\": 1}").unwrap();
    std::fs::write(folder.join("sub/w.bin"), vec![7u8; 4096]).unwrap();
    let commit = api
        .upload_folder(repo.clone(), &folder)
        .commit_message("first")
        .await
        .unwrap();
    let mut files = api.list_repo_files(repo.clone()).await.unwrap();
    files.sort();
    assert_eq!(files, vec![".gitattributes", "config.json", "sub/w.bin"]);
    api.create_tag(repo.clone(), "v1".parse().unwrap())
        .await
        .unwrap();
    let refs = api.list_repo_refs(repo.clone()).await.unwrap();
    assert_eq!(refs.tags[0].target_commit, commit.oid);
    assert!(api.model_info(repo.clone()).await.unwrap().private == Some(true));
    // And back down through the cache.
    let path = api
        .hf_hub_download(repo.clone(), "sub/w.bin")
        .revision("v1".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(std::fs::read(path).unwrap(), vec![7u8; 4096]);
    api.delete_file(repo.clone(), "config.json".parse().unwrap())
        .await
        .unwrap();
    assert!(
        !api.file_exists(repo, "config.json".parse().unwrap())
            .await
            .unwrap()
    );
}

#[test]
fn blocking_facade_uploads() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let hub = runtime.block_on(hub());
    let dir = tempfile::tempdir().unwrap();
    let api = hf_api::blocking::HfApi::from_async(api(hub.endpoint(), dir.path())).unwrap();
    let repo: hf_types::RepoId = "alice/facade".parse().unwrap();
    let info = api
        .run(
            api.r#async()
                .upload_bytes(repo.clone(), "hello", "hello.txt".parse().unwrap()),
        )
        .unwrap();
    assert_eq!(info.commit_message, "Upload hello.txt with hf-api");
    let file = api.hf_hub_download(repo, "hello.txt").unwrap();
    assert_eq!(std::fs::read(file).unwrap(), b"hello");
}

#[tokio::test]
async fn a_repo_handle_binds_id_type_and_revision() {
    let hub = hub().await;
    let dir = tempfile::tempdir().unwrap();
    let api = api(hub.endpoint(), &dir.path().join("cache"));
    let data: hf_types::RepoId = "alice/table".parse().unwrap();
    api.create_repo(data.clone())
        .repo_type(RepoType::Dataset)
        .await
        .unwrap();
    let table = api.dataset(data.clone());
    let file = dir.path().join("rows.csv");
    std::fs::write(&file, b"a,b\n").unwrap();
    table
        .upload_file(&file, "rows.csv".parse().unwrap())
        .await
        .unwrap();
    table.create_branch("dev".parse().unwrap()).await.unwrap();
    // No repo type given anywhere below: the handle carries it.
    assert!(table.exists().await.unwrap());
    assert!(
        table
            .list_repo_files()
            .await
            .unwrap()
            .contains(&"rows.csv".to_string())
    );
    let dev = table.clone().revision("dev".parse().unwrap());
    let path = dev.hf_hub_download("rows.csv").await.unwrap();
    assert_eq!(std::fs::read(path).unwrap(), b"a,b\n");
    // The same id as a model does not exist.
    assert!(!api.model(data).exists().await.unwrap());
    // A missing file names its repo, revision and path.
    let err = dev.hf_hub_download("nope.csv").await.unwrap_err();
    assert_eq!(err.kind(), hf_api::ErrorKind::EntryNotFound, "{err}");
    let context = err.context().unwrap();
    assert_eq!(context.repo_type, Some(RepoType::Dataset));
    assert_eq!(context.revision.as_deref(), Some("dev"));
    assert_eq!(context.path.as_deref(), Some("nope.csv"));
}
