//! One reader of the environment: `HF_HOME` with a variable in it resolves the same way for the
//! cache and the token, and a client from the hermetic builder reads no variable, also not when
//! a download is awaited.

use hf_cache::{CacheDir, Error, HubDownload, SnapshotDownload};
use hf_http::{EnvVars, HubClient, Settings, Token};

#[test]
fn hf_home_with_a_variable_puts_cache_and_token_in_the_same_place() {
    let scratch = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(scratch.path().join("hf")).unwrap();
    std::fs::write(scratch.path().join("hf/token"), "hf_from_file\n").unwrap();
    let scratch_dir = scratch.path().to_str().unwrap().to_owned();
    let vars = move |name: &str| match name {
        "SCRATCH" => Some(scratch_dir.clone()),
        "HF_HOME" => Some("$SCRATCH/hf".to_owned()),
        _ => None,
    };
    let settings = Settings::from_vars(vars).unwrap();
    let cache = CacheDir::from_settings(&settings);
    let home = scratch.path().join("hf");
    assert_eq!(cache.path(), home.join("hub"));
    assert_eq!(settings.token_path, home.join("token"));
    assert_eq!(
        settings.token.as_ref().map(Token::expose_secret),
        Some("hf_from_file")
    );
    // A client from these settings downloads into the same cache.
    let client = hf_http::HubClientBuilder::from_settings(settings)
        .build()
        .unwrap();
    assert_eq!(CacheDir::for_client(&client), Some(cache));
}

#[tokio::test]
async fn hermetic_client_reads_no_variable_and_uses_its_own_cache() {
    let dir = tempfile::tempdir().unwrap();
    let repo_id: hf_types::RepoId = "alice/tiny".parse().unwrap();
    // A cached file: ref main -> commit, and the file under the snapshot.
    let commit = "0123456789abcdef0123456789abcdef01234567";
    let repo = dir.path().join("models--alice--tiny");
    std::fs::create_dir_all(repo.join("refs")).unwrap();
    std::fs::write(repo.join("refs/main"), commit).unwrap();
    std::fs::create_dir_all(repo.join("snapshots").join(commit)).unwrap();
    std::fs::write(repo.join("snapshots").join(commit).join("a.txt"), "a").unwrap();

    // The counter is per thread, and `#[tokio::test]` polls everything on this thread.
    let before = EnvVars::reads_on_this_thread();
    let client = HubClient::builder()
        .cache_dir(dir.path())
        .offline(true)
        .build()
        .unwrap();
    let path = HubDownload::new(client.clone(), repo_id.clone(), "a.txt")
        .await
        .unwrap();
    assert_eq!(path, repo.join("snapshots").join(commit).join("a.txt"));
    let folder = SnapshotDownload::new(client, repo_id.clone())
        .await
        .unwrap();
    assert_eq!(folder, repo.join("snapshots").join(commit));

    // Without a cache folder a hermetic download fails instead of reading HF_HUB_CACHE.
    let bare = HubClient::builder().offline(true).build().unwrap();
    assert_eq!(CacheDir::for_client(&bare), None);
    let err = HubDownload::new(bare.clone(), repo_id.clone(), "a.txt")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
    let err = SnapshotDownload::new(bare, repo_id).await.unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");

    assert_eq!(
        EnvVars::reads_on_this_thread(),
        before,
        "the environment was read"
    );
    // The counter does see reads of the environment.
    let _ = HubClient::from_env();
    assert!(EnvVars::reads_on_this_thread() > before);
}
