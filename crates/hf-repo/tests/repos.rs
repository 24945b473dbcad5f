//! Repositories and the account end to end against hf-local-hub: create, delete, move,
//! settings, info, existence checks, auth check, whoami (protocol §2.1–2.8, §9.6).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use hf_repo::prelude::*;
use std::time::Duration;

use common::{ALICE, ALICE_READ, BOB, Clients, File, Hub};
use hf_http::HubClient;
use hf_local_hub::{FaultKind, FaultSpec};
use hf_repo::Error;
use hf_repo::repos::{
    AuthCheck, CreateRepo, DatasetInfoRequest, DeleteRepo, FileExists, GetFullRepoName,
    GetTokenPermission, ModelInfoRequest, MoveRepo, RepoExists, RepoInfoRequest, RevisionExists,
    SpaceInfoRequest, SpaceKeyValue, SpaceSdk, UpdateRepoSettings, WhoAmI,
};
use hf_types::{Gated, RepoId, RepoInfo, RepoType, SpaceStorage, TokenRole};
use serde_json::Value;

fn id(s: &str) -> RepoId {
    s.parse().unwrap()
}

/// Raw JSON of `GET {endpoint}/{path}` with `client` (an independent route).
async fn raw(client: &HubClient, path: &str) -> Result<Value, hf_http::Error> {
    client.get(client.url(path).unwrap()).await?.json().await
}

/// True when the store holds `{type}/{repo}` (not through the client).
async fn stored(hub: &Hub, repo_type: RepoType, repo: &str) -> bool {
    hub.seed()
        .repo(repo_type, repo)
        .state()
        .await
        .unwrap()
        .is_some()
}

/// Creates the branch `name` of the model `alice/{repo}` at `commit` through the store.
async fn branch(hub: &Hub, repo: &str, name: &str, commit: &str) {
    hub.seed()
        .model(&format!("alice/{repo}"))
        .create_branch(name, commit)
        .await
        .unwrap();
}

/// Awaits a request that must fail with the HTTP error `$variant`.
macro_rules! fails_with {
    ($request:expr, $variant:ident) => {{
        let err = $request.await.unwrap_err();
        assert!(matches!(http(&err), hf_http::Error::$variant(_)), "{err:?}");
    }};
}

/// Awaits a request that must be refused before sending ([`Error::InvalidArgument`]).
macro_rules! refused {
    ($request:expr) => {{
        let err = $request.await.unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
    }};
}

/// Every layer shares one error type: the transport's.
fn http(e: &Error) -> &hf_http::Error {
    e
}

#[tokio::test]
async fn create_twice_conflicts_unless_exist_ok() {
    let hub = Hub::start().await;
    let client = hub.client();
    let url = CreateRepo::new(client.clone(), id("alice/fresh"))
        .await
        .unwrap();
    assert_eq!(url.to_string(), format!("{}/alice/fresh", hub.endpoint()));
    assert_eq!(url.repo_type(), RepoType::Model);
    assert_eq!(url.repo_id().as_str(), "alice/fresh");
    assert!(stored(&hub, RepoType::Model, "alice/fresh").await);
    // The initial commit holds .gitattributes only.
    assert!(
        hub.read("alice/fresh", "main", ".gitattributes")
            .await
            .is_some()
    );

    fails_with!(CreateRepo::new(client.clone(), id("alice/fresh")), Conflict);

    let again = CreateRepo::new(client.clone(), id("alice/fresh"))
        .exist_ok(true)
        .await
        .unwrap();
    assert_eq!(again, url);
}

#[tokio::test]
async fn create_types_namespaces_and_visibility() {
    let hub = Hub::start().await;
    let client = hub.client();

    // No namespace: the caller's own.
    let url = CreateRepo::new(client.clone(), id("bare")).await.unwrap();
    assert_eq!(url.repo_id().as_str(), "alice/bare");
    assert!(stored(&hub, RepoType::Model, "alice/bare").await);

    // A private dataset in the org.
    let url = CreateRepo::new(client.clone(), id("acme/data"))
        .repo_type(RepoType::Dataset)
        .private(true)
        .await
        .unwrap();
    assert_eq!(
        url.to_string(),
        format!("{}/datasets/acme/data", hub.endpoint())
    );
    let rec = hub
        .seed()
        .repo(RepoType::Dataset, "acme/data")
        .state()
        .await
        .unwrap()
        .unwrap();
    assert!(rec.private);

    // Invisible to bob and to anonymous callers; visible to alice.
    let bob = hub.client_with(Some(BOB));
    fails_with!(
        DatasetInfoRequest::new(bob.clone(), id("acme/data")),
        RepoNotFound
    );
    assert!(
        !RepoExists::new(bob, id("acme/data"))
            .repo_type(RepoType::Dataset)
            .await
            .unwrap()
    );
    assert!(
        !RepoExists::new(hub.client_with(None), id("acme/data"))
            .repo_type(RepoType::Dataset)
            .await
            .unwrap()
    );
    let info = DatasetInfoRequest::new(client.clone(), id("acme/data"))
        .await
        .unwrap();
    assert_eq!(info.private, Some(true));

    // Bob cannot create in alice's namespace...
    let bob = hub.client_with(Some(BOB));
    fails_with!(CreateRepo::new(bob.clone(), id("alice/bobs")), Forbidden);
    assert!(!stored(&hub, RepoType::Model, "alice/bobs").await);
    // ...but with exist_ok, an existing readable repo there is fine (403 then repo_info).
    let url = CreateRepo::new(bob.clone(), id("alice/bare"))
        .exist_ok(true)
        .await
        .unwrap();
    assert_eq!(url.to_string(), format!("{}/alice/bare", hub.endpoint()));
    // A read-only token cannot create.
    fails_with!(
        CreateRepo::new(hub.client_with(Some(ALICE_READ)), id("alice/ro")),
        Forbidden
    );
}

#[tokio::test]
async fn create_space_needs_sdk() {
    let hub = Hub::start().await;
    let client = hub.client();
    refused!(CreateRepo::new(client.clone(), id("alice/app")).repo_type(RepoType::Space));
    refused!(
        CreateRepo::new(client.clone(), id("alice/app"))
            .repo_type(RepoType::Space)
            .space_sdk("flask")
    );
    assert!(!stored(&hub, RepoType::Space, "alice/app").await);

    let url = CreateRepo::new(client.clone(), id("alice/app"))
        .repo_type(RepoType::Space)
        .space_sdk(SpaceSdk::Docker)
        .space_hardware("cpu-basic")
        .space_storage(SpaceStorage::Small)
        .space_sleep_time(-1)
        .space_secrets([SpaceKeyValue::new("TOKEN", "s3cret").description("api")])
        .space_variables([SpaceKeyValue::new("MODE", "demo")])
        .await
        .unwrap();
    assert_eq!(
        url.to_string(),
        format!("{}/spaces/alice/app", hub.endpoint())
    );
    let info = SpaceInfoRequest::new(client.clone(), id("alice/app"))
        .await
        .unwrap();
    assert_eq!(info.sdk.as_deref(), Some("docker"));
    let raw = raw(&client, "api/spaces/alice/app").await.unwrap();
    assert_eq!(raw["sdk"], "docker");
    // The secret's value never shows in Debug output.
    let secret = SpaceKeyValue::new("TOKEN", "s3cret");
    assert!(!format!("{secret:?}").contains("s3cret"));

    // Space settings on a model are ignored, as in Python.
    CreateRepo::new(client, id("alice/not-a-space"))
        .space_sdk("gradio")
        .space_sleep_time(10)
        .await
        .unwrap();
    assert!(stored(&hub, RepoType::Model, "alice/not-a-space").await);
}

#[tokio::test]
async fn delete_missing_fails_unless_missing_ok() {
    let hub = Hub::start().await;
    let client = hub.client();
    hub.create(RepoType::Dataset, "alice", "gone", false).await;
    DeleteRepo::new(client.clone(), id("alice/gone"))
        .repo_type(RepoType::Dataset)
        .await
        .unwrap();
    assert!(!stored(&hub, RepoType::Dataset, "alice/gone").await);
    let err = raw(&client, "api/datasets/alice/gone").await.unwrap_err();
    assert!(matches!(err, hf_http::Error::RepoNotFound(_)), "{err:?}");

    fails_with!(
        DeleteRepo::new(client.clone(), id("alice/gone")).repo_type(RepoType::Dataset),
        RepoNotFound
    );
    DeleteRepo::new(client.clone(), id("alice/gone"))
        .repo_type(RepoType::Dataset)
        .missing_ok(true)
        .await
        .unwrap();

    // Another user's repo: not writable.
    hub.create(RepoType::Model, "bob", "keep", false).await;
    fails_with!(DeleteRepo::new(client, id("bob/keep")), Forbidden);
    assert!(stored(&hub, RepoType::Model, "bob/keep").await);
}

#[tokio::test]
async fn move_then_old_id_is_gone() {
    let hub = Hub::start().await;
    let client = hub.client();
    let commit = hub
        .commit("mover", vec![File::Regular("a.txt", b"hello".to_vec())])
        .await;
    let url = MoveRepo::new(client.clone(), id("alice/mover"), id("acme/moved"))
        .await
        .unwrap();
    assert_eq!(url.to_string(), format!("{}/acme/moved", hub.endpoint()));
    assert!(stored(&hub, RepoType::Model, "acme/moved").await);
    assert!(!stored(&hub, RepoType::Model, "alice/mover").await);
    let info = ModelInfoRequest::new(client.clone(), id("acme/moved"))
        .await
        .unwrap();
    assert_eq!(info.sha.as_deref(), Some(commit.as_str()));
    assert_eq!(
        hub.read("acme/moved", "main", "a.txt").await.unwrap(),
        b"hello"
    );
    // The old id is no repo any more: deleting it finds nothing (API GETs are redirected to
    // the new id, as on the Hub).
    fails_with!(
        DeleteRepo::new(client.clone(), id("alice/mover")),
        RepoNotFound
    );
    let redirected = ModelInfoRequest::new(client.clone(), id("alice/mover"))
        .await
        .unwrap();
    assert_eq!(redirected.id, "acme/moved");

    // Moving something that does not exist, or without namespace.
    fails_with!(
        MoveRepo::new(client.clone(), id("alice/nothing"), id("alice/else")),
        RepoNotFound
    );
    refused!(MoveRepo::new(client, id("acme/moved"), id("bare")));
}

#[tokio::test]
async fn settings_are_reflected_in_repo_info() {
    let hub = Hub::start().await;
    let client = hub.client();
    hub.create(RepoType::Model, "alice", "knobs", false).await;
    let repo = id("alice/knobs");

    UpdateRepoSettings::new(client.clone(), repo.clone())
        .private(true)
        .gated(Gated::Manual)
        .await
        .unwrap();
    let info = RepoInfoRequest::<RepoInfo>::new(client.clone(), repo.clone())
        .await
        .unwrap();
    let RepoInfo::Model(info) = info else {
        panic!("not a model: {info:?}")
    };
    assert_eq!(info.private, Some(true));
    assert_eq!(info.gated, Some(Gated::Manual));
    let rec = hub
        .seed()
        .model("alice/knobs")
        .state()
        .await
        .unwrap()
        .unwrap();
    assert!(rec.private);
    assert_eq!(rec.gated.as_deref(), Some("manual"));
    fails_with!(
        ModelInfoRequest::new(hub.client_with(Some(BOB)), repo.clone()),
        RepoNotFound
    );

    // update_repo_visibility is settings with `private` alone.
    UpdateRepoSettings::new(client.clone(), repo.clone())
        .private(false)
        .await
        .unwrap();
    UpdateRepoSettings::new(client.clone(), repo.clone())
        .gated(Gated::Auto)
        .await
        .unwrap();
    let raw = raw(&client, "api/models/alice/knobs").await.unwrap();
    assert_eq!(raw["private"], false);
    assert_eq!(raw["gated"], "auto");
    UpdateRepoSettings::new(client.clone(), repo.clone())
        .gated(Gated::Off)
        .xet_enabled(false)
        .await
        .unwrap();
    let info = ModelInfoRequest::new(hub.client_with(Some(BOB)), repo.clone())
        .await
        .unwrap();
    assert_eq!(info.gated, Some(Gated::Off));
    assert_eq!(info.private, Some(false));

    // Refused before sending; refused by the server.
    refused!(UpdateRepoSettings::new(client.clone(), repo.clone()));
    refused!(
        UpdateRepoSettings::new(client.clone(), repo.clone())
            .gated(Gated::Other("sometimes".into()))
    );
    fails_with!(
        UpdateRepoSettings::new(client.clone(), repo.clone()).xet_enabled(true),
        BadRequest
    );
    fails_with!(
        UpdateRepoSettings::new(hub.client_with(Some(ALICE_READ)), repo.clone()).private(true),
        Forbidden
    );
    fails_with!(
        UpdateRepoSettings::new(client, id("alice/none"))
            .repo_type(RepoType::Dataset)
            .private(true),
        RepoNotFound
    );
}

#[tokio::test]
async fn revision_info_matches_seeded_commits() {
    let hub = Hub::start().await;
    let client = hub.client();
    let first = hub
        .commit("revs", vec![File::Regular("a.txt", b"one".to_vec())])
        .await;
    branch(&hub, "revs", "dev", &first).await;
    let dev = hub
        .commit_to(
            RepoType::Model,
            "alice/revs",
            "dev",
            vec![File::Regular("b.txt", b"two".to_vec())],
        )
        .await;
    let repo = id("alice/revs");

    let main = ModelInfoRequest::new(client.clone(), repo.clone())
        .await
        .unwrap();
    assert_eq!(main.sha.as_deref(), Some(first.as_str()));
    let names = main.file_names().unwrap();
    assert!(names.contains(&"a.txt") && !names.contains(&"b.txt"));

    let at_dev = ModelInfoRequest::new(client.clone(), repo.clone())
        .revision("dev".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(at_dev.sha.as_deref(), Some(dev.as_str()));
    assert!(at_dev.file_names().unwrap().contains(&"b.txt"));

    let at_commit = RepoInfoRequest::<RepoInfo>::new(client.clone(), repo.clone())
        .revision(first.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(at_commit.repo_type(), RepoType::Model);
    let RepoInfo::Model(at_commit) = at_commit else {
        panic!()
    };
    assert_eq!(at_commit.sha.as_deref(), Some(first.as_str()));

    fails_with!(
        ModelInfoRequest::new(client.clone(), repo.clone()).revision("nope".parse().unwrap()),
        RevisionNotFound
    );

    assert!(
        RevisionExists::new(client.clone(), repo.clone(), "dev".parse().unwrap())
            .await
            .unwrap()
    );
    assert!(
        RevisionExists::new(client.clone(), repo.clone(), first.parse().unwrap())
            .await
            .unwrap()
    );
    assert!(
        !RevisionExists::new(client.clone(), repo.clone(), "nope".parse().unwrap())
            .await
            .unwrap()
    );
    assert!(
        !RevisionExists::new(client.clone(), id("alice/none"), "main".parse().unwrap())
            .await
            .unwrap()
    );
    // A ref name with a slash is one encoded segment.
    branch(&hub, "revs", "feature/x", &first).await;
    hub.commit_to(
        RepoType::Model,
        "alice/revs",
        "feature/x",
        vec![File::Regular("c.txt", b"three".to_vec())],
    )
    .await;
    assert!(
        RevisionExists::new(client, repo, "feature/x".parse().unwrap())
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn files_metadata_expand_and_security_status() {
    let hub = Hub::start().await;
    let client = hub.client();
    let weights = common::data(3000, 7);
    hub.commit(
        "meta",
        vec![
            File::Regular("config.json", b"{\"a\": 1}".to_vec()),
            File::Lfs("model.bin", weights.clone()),
        ],
    )
    .await;
    let repo = id("alice/meta");

    let plain = ModelInfoRequest::new(client.clone(), repo.clone())
        .await
        .unwrap();
    let siblings = plain.common.siblings.unwrap();
    assert!(siblings.iter().all(|s| s.size.is_none()));

    let full = ModelInfoRequest::new(client.clone(), repo.clone())
        .files_metadata(true)
        .timeout(Duration::from_secs(30))
        .await
        .unwrap();
    let siblings = full.common.siblings.unwrap();
    let config = siblings
        .iter()
        .find(|s| s.rfilename == "config.json")
        .unwrap();
    assert_eq!(config.size, Some(8));
    assert!(config.blob_id.is_some());
    assert!(config.lfs.is_none());
    let model = siblings
        .iter()
        .find(|s| s.rfilename == "model.bin")
        .unwrap();
    assert_eq!(model.size, Some(3000));
    let lfs = model.lfs.as_ref().unwrap();
    assert_eq!(lfs.size, 3000);
    use sha2::Digest;
    assert_eq!(lfs.sha256, hex::encode(sha2::Sha256::digest(&weights)));

    let only = ModelInfoRequest::new(client.clone(), repo.clone())
        .expand(["sha", "private"])
        .await
        .unwrap();
    assert!(only.sha.is_some());
    assert_eq!(only.private, Some(false));
    assert!(only.siblings.is_none() && only.author.is_none() && only.tags.is_none());

    refused!(
        ModelInfoRequest::new(client.clone(), repo.clone())
            .expand(["sha"])
            .files_metadata(true)
    );

    let scanned = ModelInfoRequest::new(client.clone(), repo.clone())
        .security_status(true)
        .await
        .unwrap();
    assert!(scanned.security_repo_status.is_some());
    assert!(plain.security_repo_status.is_none());

    // A dataset through repo_info.
    hub.commit_to(
        RepoType::Dataset,
        "acme/table",
        "main",
        vec![File::Regular("data.csv", b"a,b\n".to_vec())],
    )
    .await;
    let info = RepoInfoRequest::<RepoInfo>::new(client, id("acme/table"))
        .repo_type(RepoType::Dataset)
        .files_metadata(true)
        .await
        .unwrap();
    let RepoInfo::Dataset(info) = info else {
        panic!("not a dataset: {info:?}")
    };
    assert_eq!(info.id, "acme/table");
    let csv = info
        .common
        .siblings
        .unwrap()
        .into_iter()
        .find(|s| s.rfilename == "data.csv")
        .unwrap();
    assert_eq!(csv.size, Some(4));
}

#[tokio::test]
async fn info_timeout_fires() {
    let hub = Hub::start_with_faults(vec![FaultSpec {
        path: "/api/models/alice/slow".into(),
        ..FaultSpec::new(FaultKind::Delay(3000))
    }])
    .await;
    hub.create(RepoType::Model, "alice", "slow", false).await;
    let client = HubClient::builder()
        .endpoint(hub.endpoint())
        .token(Some(ALICE))
        .retry(hf_http::RetryPolicy::disabled())
        .build()
        .unwrap();
    let err = ModelInfoRequest::new(client, id("alice/slow"))
        .timeout(Duration::from_millis(200))
        .await
        .unwrap_err();
    assert!(
        matches!(http(&err), hf_http::Error::Timeout { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn exists_checks() {
    let hub = Hub::start().await;
    let client = hub.client();
    hub.commit(
        "here",
        vec![
            File::Regular("dir/config.json", b"{}".to_vec()),
            File::Lfs("w.bin", common::data(100, 1)),
        ],
    )
    .await;
    let repo = id("alice/here");

    assert!(RepoExists::new(client.clone(), repo.clone()).await.unwrap());
    assert!(
        !RepoExists::new(client.clone(), id("alice/absent"))
            .await
            .unwrap()
    );
    assert!(
        !RepoExists::new(client.clone(), repo.clone())
            .repo_type(RepoType::Dataset)
            .await
            .unwrap()
    );

    let exists = |path: &str| FileExists::new(client.clone(), repo.clone(), path.parse().unwrap());
    assert!(exists("dir/config.json").await.unwrap());
    assert!(exists("w.bin").await.unwrap());
    assert!(!exists("dir/missing.json").await.unwrap());
    assert!(
        !exists("dir/config.json")
            .revision("nope".parse().unwrap())
            .await
            .unwrap()
    );
    assert!(
        !exists("dir/config.json")
            .repo_type(RepoType::Space)
            .await
            .unwrap()
    );
    assert!(
        !FileExists::new(client.clone(), id("alice/absent"), "a".parse().unwrap())
            .await
            .unwrap()
    );
    // Independent check of the positive answer.
    assert_eq!(
        hub.read("alice/here", "main", "dir/config.json")
            .await
            .unwrap(),
        b"{}"
    );

    // Gated: the repo exists for everyone, its files are an error for others.
    UpdateRepoSettings::new(client.clone(), repo.clone())
        .gated(Gated::Auto)
        .await
        .unwrap();
    let bob = hub.client_with(Some(BOB));
    assert!(RepoExists::new(bob.clone(), repo.clone()).await.unwrap());
    fails_with!(
        FileExists::new(bob, repo.clone(), "w.bin".parse().unwrap()),
        GatedRepo
    );
    assert!(
        FileExists::new(client, repo, "w.bin".parse().unwrap())
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn auth_check_by_caller() {
    let hub = Hub::start().await;
    let client = hub.client();
    hub.create(RepoType::Model, "alice", "open", false).await;
    hub.create(RepoType::Dataset, "acme", "secret", true).await;
    hub.create(RepoType::Model, "alice", "gate", false).await;
    UpdateRepoSettings::new(client.clone(), id("alice/gate"))
        .gated(Gated::Manual)
        .await
        .unwrap();

    AuthCheck::new(client.clone(), id("alice/open"))
        .await
        .unwrap();
    AuthCheck::new(client.clone(), id("acme/secret"))
        .repo_type(RepoType::Dataset)
        .await
        .unwrap();
    AuthCheck::new(client.clone(), id("alice/gate"))
        .await
        .unwrap();

    let bob = hub.client_with(Some(BOB));
    AuthCheck::new(bob.clone(), id("alice/open")).await.unwrap();
    fails_with!(
        AuthCheck::new(bob.clone(), id("acme/secret")).repo_type(RepoType::Dataset),
        RepoNotFound
    );
    fails_with!(AuthCheck::new(bob, id("alice/gate")), GatedRepo);
    fails_with!(
        AuthCheck::new(hub.client_with(None), id("alice/gate")),
        GatedRepo
    );
    fails_with!(
        AuthCheck::new(client, id("alice/open")).repo_type(RepoType::Space),
        RepoNotFound
    );
}

#[tokio::test]
async fn whoami_and_token_permission() {
    let hub = Hub::start().await;
    let me = WhoAmI::new(hub.client()).await.unwrap();
    assert_eq!(me.name, "alice");
    let orgs: Vec<&str> = me.orgs.iter().flatten().map(|o| o.name.as_str()).collect();
    assert_eq!(orgs, ["acme"]);
    assert_eq!(me.token_role(), Some(&TokenRole::Write));
    let bob = WhoAmI::new(hub.client_with(Some(BOB))).await.unwrap();
    assert_eq!(bob.name, "bob");
    assert!(bob.orgs.iter().flatten().next().is_none());

    let read = WhoAmI::new(hub.client_with(Some(ALICE_READ)))
        .await
        .unwrap();
    assert_eq!(read.token_role(), Some(&TokenRole::Read));

    fails_with!(WhoAmI::new(hub.client_with(Some("hf_wrong"))), Unauthorized);
    let err = WhoAmI::new(hub.client_with(None)).await.unwrap_err();
    assert_eq!(err.kind(), hf_repo::ErrorKind::MissingToken, "{err:?}");

    let permission = |token: Option<&str>| GetTokenPermission::new(hub.client_with(token));
    assert_eq!(
        permission(Some(ALICE)).await.unwrap().as_deref(),
        Some("write")
    );
    assert_eq!(
        permission(Some(ALICE_READ)).await.unwrap().as_deref(),
        Some("read")
    );
    assert_eq!(permission(Some("hf_wrong")).await.unwrap(), None);
    assert_eq!(permission(None).await.unwrap(), None);
}

#[tokio::test]
async fn full_repo_name() {
    let hub = Hub::start().await;
    let client = hub.client();
    let mine = GetFullRepoName::new(client.clone(), "tiny").await.unwrap();
    assert_eq!(mine.as_str(), "alice/tiny");
    let bobs = GetFullRepoName::new(hub.client_with(Some(BOB)), "tiny")
        .await
        .unwrap();
    assert_eq!(bobs.as_str(), "bob/tiny");
    let team = GetFullRepoName::new(client.clone(), "tiny")
        .organization("acme")
        .await
        .unwrap();
    assert_eq!(team.as_str(), "acme/tiny");
    // Already namespaced: unchanged, no request (works without a token).
    let given = GetFullRepoName::new(hub.client_with(None), "acme/tiny")
        .await
        .unwrap();
    assert_eq!(given.as_str(), "acme/tiny");
    let err = GetFullRepoName::new(client, "bad..name").await.unwrap_err();
    assert!(matches!(err, Error::InvalidRepoId(_)), "{err:?}");
    fails_with!(
        GetFullRepoName::new(hub.client_with(Some("hf_wrong")), "tiny"),
        Unauthorized
    );
}

#[tokio::test]
async fn bad_token_is_unauthorized() {
    let hub = Hub::start().await;
    hub.create(RepoType::Model, "alice", "public", false).await;
    let bad = hub.client_with(Some("hf_not_a_token"));
    let unauthorized =
        |e: Error| assert!(matches!(http(&e), hf_http::Error::Unauthorized(_)), "{e:?}");
    unauthorized(
        CreateRepo::new(bad.clone(), id("alice/x"))
            .await
            .unwrap_err(),
    );
    unauthorized(
        ModelInfoRequest::new(bad.clone(), id("alice/public"))
            .await
            .unwrap_err(),
    );
    unauthorized(
        DeleteRepo::new(bad.clone(), id("alice/public"))
            .missing_ok(true)
            .await
            .unwrap_err(),
    );
    unauthorized(
        UpdateRepoSettings::new(bad.clone(), id("alice/public"))
            .private(true)
            .await
            .unwrap_err(),
    );
    unauthorized(
        AuthCheck::new(bad.clone(), id("alice/public"))
            .await
            .unwrap_err(),
    );
    // An invalid token is not "the repo does not exist".
    unauthorized(RepoExists::new(bad, id("alice/public")).await.unwrap_err());
    assert!(stored(&hub, RepoType::Model, "alice/public").await);
    let anonymous = hub.client_with(None);
    fails_with!(CreateRepo::new(anonymous, id("alice/anon")), Unauthorized);
}
