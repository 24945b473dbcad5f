//! `hf repo`, `hf ls`, `hf tag`, `hf branch` and `hf whoami` end to end against an in-process
//! hf-local-hub; effects are checked in the hub's store, not through the CLI.
// Helpers outside #[test] functions unwrap too: a failed set-up is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use hf_types::RepoType;

#[tokio::test(flavor = "multi_thread")]
async fn repo_create_prints_the_url_and_refuses_an_existing_repo() {
    let env = Env::start().await;
    let out = env.hf(&["repo", "create", "alice/new"]).await;
    assert_eq!(ok(&out).trim(), format!("{}/alice/new", env.hub.endpoint()));
    let record = env.repo(RepoType::Model, "alice/new").await.unwrap();
    assert!(!record.private);

    let out = env.hf(&["repo", "create", "alice/new"]).await;
    let err = fails(&out, "cannot create alice/new");
    assert!(
        err.contains("hint: the repo already exists: pass --exist-ok"),
        "{err}"
    );
    assert_eq!(err.lines().filter(|l| l.starts_with("error:")).count(), 1);
    ok(&env.hf(&["repo", "create", "alice/new", "--exist-ok"]).await);

    let out = env
        .hf(&[
            "repo",
            "create",
            "alice/data",
            "--repo-type",
            "dataset",
            "--private",
        ])
        .await;
    assert_eq!(
        ok(&out).trim(),
        format!("{}/datasets/alice/data", env.hub.endpoint())
    );
    assert!(
        env.repo(RepoType::Dataset, "alice/data")
            .await
            .unwrap()
            .private
    );

    // Into an org alice belongs to, and a bare name into her own namespace.
    ok(&env.hf(&["repo", "create", "acme/shared"]).await);
    assert!(env.repo(RepoType::Model, "acme/shared").await.is_some());
    ok(&env.hf(&["repo", "create", "bare"]).await);
    assert!(env.repo(RepoType::Model, "alice/bare").await.is_some());

    // A space needs an SDK.
    let out = env
        .hf(&["repo", "create", "alice/app", "--type", "space"])
        .await;
    let err = fails(&out, "cannot create the space alice/app");
    assert!(err.contains("hint: pass --space-sdk"), "{err}");
    ok(&env
        .hf(&[
            "repo",
            "create",
            "alice/app",
            "--repo-type",
            "space",
            "--space-sdk",
            "docker",
        ])
        .await);
    assert_eq!(
        env.repo(RepoType::Space, "alice/app")
            .await
            .unwrap()
            .sdk
            .as_deref(),
        Some("docker")
    );

    // Bob cannot create in acme; nobody can create without a token.
    let out = env
        .hf_with(Some(BOB), None, &["repo", "create", "acme/bobs"])
        .await;
    let err = fails(&out, "cannot create acme/bobs");
    assert!(err.contains("hint: the token cannot do this here"), "{err}");
    let out = env
        .hf_with(None, None, &["repo", "create", "alice/anon"])
        .await;
    fails(&out, "cannot create alice/anon");
    assert!(env.repo(RepoType::Model, "alice/anon").await.is_none());

    // Invalid ids are refused by the parser: usage error, nothing sent.
    let out = env.hf(&["repo", "create", "alice/bad--name"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("'--' and '..' are forbidden"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn repo_settings_move_and_delete() {
    let env = Env::start().await;
    ok(&env.hf(&["repo", "create", "alice/m"]).await);

    let out = env
        .hf(&[
            "repo",
            "settings",
            "alice/m",
            "--private",
            "--gated",
            "manual",
        ])
        .await;
    assert_eq!(
        ok(&out).trim(),
        "Successfully updated the settings of alice/m on the Hub."
    );
    let record = env.repo(RepoType::Model, "alice/m").await.unwrap();
    assert!(record.private);
    assert_eq!(record.gated.as_deref(), Some("manual"));

    ok(&env
        .hf(&[
            "repo",
            "settings",
            "alice/m",
            "--private",
            "false",
            "--gated",
            "false",
        ])
        .await);
    let record = env.repo(RepoType::Model, "alice/m").await.unwrap();
    assert!(!record.private);
    assert_eq!(record.gated, None);
    ok(&env
        .hf(&["repo", "settings", "alice/m", "--gated", "auto"])
        .await);
    assert_eq!(
        env.repo(RepoType::Model, "alice/m")
            .await
            .unwrap()
            .gated
            .as_deref(),
        Some("auto")
    );

    let out = env.hf(&["repo", "settings", "alice/m"]).await;
    fails(&out, "nothing to change on alice/m");
    let out = env
        .hf(&["repo", "settings", "alice/m", "--gated", "sometimes"])
        .await;
    assert_eq!(out.status.code(), Some(2));
    let out = env
        .hf(&["repo", "settings", "alice/none", "--private", "true"])
        .await;
    let err = fails(&out, "cannot update the settings of alice/none");
    assert!(
        err.contains("hint: check the repo id and --repo-type (model)"),
        "{err}"
    );

    // Move into the org; the old name redirects in the store.
    let out = env.hf(&["repo", "move", "alice/m", "acme/m"]).await;
    assert_eq!(
        ok(&out).trim(),
        "Successfully moved alice/m to acme/m on the Hub."
    );
    assert!(env.repo(RepoType::Model, "acme/m").await.is_some());
    assert_eq!(
        env.hub.seed().model("alice/m").moved_to().await.unwrap(),
        Some("acme/m".to_owned())
    );
    let out = env
        .hf(&["repo", "move", "alice/ghost", "alice/ghost2"])
        .await;
    fails(&out, "cannot move alice/ghost to alice/ghost2");

    let out = env.hf(&["repo", "delete", "acme/m"]).await;
    assert_eq!(ok(&out).trim(), "Successfully deleted acme/m on the Hub.");
    assert!(env.repo(RepoType::Model, "acme/m").await.is_none());
    let out = env.hf(&["repo", "delete", "acme/m"]).await;
    let err = fails(&out, "cannot delete acme/m");
    assert!(err.contains("--missing-ok"), "{err}");
    ok(&env.hf(&["repo", "delete", "acme/m", "--missing-ok"]).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn ls_lists_files_and_folders() {
    let env = Env::start().await;
    env.seed().await;

    let out = env.hf(&["ls", "alice/tiny"]).await;
    let lines: Vec<String> = ok(&out).lines().map(str::to_owned).collect();
    let size = |n: usize, path: &str| format!("{n:>12}  {path}");
    assert!(lines.contains(&size(8, "config.json")), "{lines:?}");
    assert!(lines.contains(&format!("{:>12}  sub/", "")), "{lines:?}");
    assert!(
        lines.iter().any(|l| l.ends_with("  .gitattributes")),
        "{lines:?}"
    );
    assert_eq!(lines.len(), 3, "{lines:?}");

    let out = env.hf(&["ls", "alice/tiny", "-R"]).await;
    let text = ok(&out);
    assert!(text.contains(&size(4, "sub/vocab.txt")), "{text}");
    assert!(text.contains(&size(3, "sub/deep/x.bin")), "{text}");
    assert!(text.contains("  sub/deep/\n"), "{text}");

    let out = env
        .hf(&[
            "ls",
            "alice/tiny",
            "sub",
            "--revision",
            "main",
            "--format",
            "json",
        ])
        .await;
    let json: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    let entries = json.as_array().unwrap();
    assert_eq!(entries.len(), 2, "{json}");
    let vocab = entries
        .iter()
        .find(|e| e["path"] == "sub/vocab.txt")
        .unwrap();
    assert_eq!(
        (vocab["type"].as_str(), vocab["size"].as_u64()),
        (Some("file"), Some(4))
    );
    let deep = entries.iter().find(|e| e["path"] == "sub/deep").unwrap();
    assert_eq!(deep["type"], "directory");

    let out = env.hf(&["ls", "alice/tiny", "--revision", "nope"]).await;
    let err = fails(&out, "cannot list the files of alice/tiny");
    assert!(err.contains("hint: `hf branch list alice/tiny`"), "{err}");
    let out = env.hf(&["ls", "alice/tiny", "missing"]).await;
    fails(&out, "cannot list the files of alice/tiny");
    let out = env.hf(&["ls", "alice/nothing"]).await;
    let err = fails(&out, "cannot list the files of alice/nothing");
    assert!(err.contains("hint: check the repo id"), "{err}");
    let out = env.hf(&["ls", "alice/tiny", "--revision", "a..b"]).await;
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn tags_create_list_delete() {
    let env = Env::start().await;
    let commit = env.seed().await;

    let out = env
        .hf(&["repo", "tag", "create", "alice/tiny", "v1", "-m", "first"])
        .await;
    assert_eq!(ok(&out).trim(), "Tag v1 created on alice/tiny");
    assert!(
        env.refs("alice/tiny")
            .await
            .contains(&("refs/tags/v1".into(), commit.clone()))
    );

    let out = env.hf(&["tag", "create", "alice/tiny", "v1"]).await;
    let err = fails(&out, "cannot create the tag v1 on alice/tiny");
    assert!(err.contains("hint: the tag v1 already exists"), "{err}");
    ok(&env
        .hf(&["tag", "create", "alice/tiny", "v1", "--exist-ok"])
        .await);
    let out = env
        .hf(&["tag", "create", "alice/tiny", "v2", "--revision", "nope"])
        .await;
    fails(&out, "cannot create the tag v2 on alice/tiny");
    ok(&env
        .hf(&["tag", "create", "alice/tiny", "v2", "--revision", "v1"])
        .await);

    let out = env.hf(&["tag", "list", "alice/tiny"]).await;
    assert_eq!(ok(&out), format!("v1  {commit}\nv2  {commit}\n"));
    let out = env
        .hf(&["repo", "tag", "list", "alice/tiny", "--format", "json"])
        .await;
    let json: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(json[0]["name"], "v1");
    assert_eq!(json[0]["ref"], "refs/tags/v1");
    assert_eq!(json[0]["targetCommit"], commit.as_str());

    // No answer (closed stdin): nothing deleted; "n": aborted; --yes: deleted.
    let out = env.hf(&["tag", "delete", "alice/tiny", "v1"]).await;
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with("You are about to delete tag v1 on model alice/tiny\nProceed? [Y/n] "),
        "{err}"
    );
    assert!(err.contains("\nerror: not deleting the tag v1"), "{err}");
    assert!(err.contains("hint: pass --yes"), "{err}");
    let out = env
        .hf_with(
            Some(ALICE),
            Some(b"n\n"),
            &["tag", "delete", "alice/tiny", "v1"],
        )
        .await;
    assert_eq!(ok(&out).trim(), "Abort");
    assert!(
        env.refs("alice/tiny")
            .await
            .iter()
            .any(|(r, _)| r == "refs/tags/v1")
    );
    let out = env
        .hf_with(
            Some(ALICE),
            Some(b"y\n"),
            &["tag", "delete", "alice/tiny", "v1"],
        )
        .await;
    assert_eq!(ok(&out).trim(), "Tag v1 deleted on alice/tiny");
    let out = env
        .hf(&["repo", "tag", "delete", "alice/tiny", "v2", "--yes"])
        .await;
    ok(&out);
    assert!(
        !env.refs("alice/tiny")
            .await
            .iter()
            .any(|(r, _)| r.starts_with("refs/tags/"))
    );
    let out = env.hf(&["tag", "list", "alice/tiny"]).await;
    assert_eq!(ok(&out).trim(), "No tags found");
    let out = env
        .hf(&["tag", "list", "alice/tiny", "--format", "json"])
        .await;
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&ok(&out)).unwrap(),
        serde_json::json!([])
    );

    let out = env.hf(&["tag", "delete", "alice/tiny", "v1", "-y"]).await;
    let err = fails(&out, "cannot delete the tag v1 on alice/tiny");
    assert!(err.contains("hint: `hf tag list alice/tiny`"), "{err}");
    let out = env.hf(&["tag", "list", "alice/none"]).await;
    fails(&out, "cannot list the refs of alice/none");
}

#[tokio::test(flavor = "multi_thread")]
async fn branches_create_list_delete() {
    let env = Env::start().await;
    let commit = env.seed().await;

    let out = env
        .hf(&["repo", "branch", "create", "alice/tiny", "dev"])
        .await;
    assert_eq!(
        ok(&out).trim(),
        "Successfully created dev branch on model alice/tiny"
    );
    assert!(
        env.refs("alice/tiny")
            .await
            .contains(&("refs/heads/dev".into(), commit.clone()))
    );
    let out = env.hf(&["branch", "create", "alice/tiny", "dev"]).await;
    let err = fails(&out, "cannot create the branch dev on alice/tiny");
    assert!(err.contains("hint: the branch dev already exists"), "{err}");
    ok(&env
        .hf(&["branch", "create", "alice/tiny", "dev", "--exist-ok"])
        .await);
    ok(&env
        .hf(&[
            "branch",
            "create",
            "alice/tiny",
            "feature/x",
            "--revision",
            &commit,
        ])
        .await);
    let out = env
        .hf(&[
            "branch",
            "create",
            "alice/tiny",
            "other",
            "--revision",
            "nope",
        ])
        .await;
    let err = fails(&out, "cannot create the branch other on alice/tiny");
    assert!(err.contains("revision nope not found"), "{err}");

    let out = env.hf(&["branch", "list", "alice/tiny"]).await;
    let text = ok(&out);
    for name in ["main", "dev", "feature/x"] {
        assert!(
            text.lines()
                .any(|l| l.starts_with(name) && l.ends_with(&commit)),
            "{name}: {text}"
        );
    }
    let out = env
        .hf(&["repo", "branch", "list", "alice/tiny", "--format", "json"])
        .await;
    let json: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    let names: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 3, "{json}");
    assert!(names.contains(&"feature/x"), "{json}");

    let out = env.hf(&["branch", "delete", "alice/tiny", "dev"]).await;
    assert_eq!(
        ok(&out).trim(),
        "Successfully deleted dev branch on model alice/tiny"
    );
    assert!(
        !env.refs("alice/tiny")
            .await
            .iter()
            .any(|(r, _)| r == "refs/heads/dev")
    );
    let out = env
        .hf(&["repo", "branch", "delete", "alice/tiny", "dev"])
        .await;
    fails(&out, "cannot delete the branch dev on alice/tiny");
    let out = env
        .hf_with(
            Some(BOB),
            None,
            &["branch", "delete", "alice/tiny", "feature/x"],
        )
        .await;
    fails(&out, "cannot delete the branch feature/x on alice/tiny");
    assert!(
        env.refs("alice/tiny")
            .await
            .iter()
            .any(|(r, _)| r == "refs/heads/feature/x")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn whoami_table_json_and_token_errors() {
    let env = Env::start().await;
    let out = env.hf(&["whoami"]).await;
    assert_eq!(ok(&out), "alice\norgs: acme\n");
    let out = env.hf(&["whoami", "--format", "json"]).await;
    let json: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(json["name"], "alice");
    assert_eq!(json["orgs"][0]["name"], "acme");
    assert!(
        !stdout(&out).contains(ALICE),
        "the token must never be printed"
    );

    let out = env.hf_with(None, None, &["whoami"]).await;
    let err = fails(&out, "not logged in");
    assert!(err.contains("hint: pass --token, set HF_TOKEN"), "{err}");
    let out = env.hf_with(Some("hf_wrong"), None, &["whoami"]).await;
    let err = fails(&out, "cannot ask the Hub who you are");
    assert!(
        err.contains("hint: the token is invalid or expired"),
        "{err}"
    );
}
