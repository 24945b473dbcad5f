//! `hf collections`, `hf webhooks` and `hf papers` end to end against an in-process
//! hf-local-hub.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use serde_json::Value;

fn json(out: &std::process::Output) -> Value {
    serde_json::from_str(&ok(out)).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn collections_commands() {
    let env = Env::start().await;
    env.seed().await;
    let out = env
        .hf(&[
            "collections",
            "create",
            "CLI picks",
            "--description",
            "From the CLI",
        ])
        .await;
    let text = ok(&out);
    let slug = text
        .lines()
        .next()
        .unwrap()
        .strip_prefix("Collection created: ")
        .unwrap()
        .to_owned();
    assert!(slug.starts_with("alice/cli-picks-"), "{slug}");
    let out = env.hf(&["collections", "create", "CLI picks"]).await;
    let err = fails(&out, "cannot create the collection");
    assert!(
        err.contains("hint: the collection already exists: pass --exists-ok"),
        "{err}"
    );
    ok(&env
        .hf(&["collections", "create", "CLI picks", "--exists-ok"])
        .await);

    let repo = "alice/tiny".to_owned();
    let out = env
        .hf(&[
            "collections",
            "add-item",
            &slug,
            &repo,
            "model",
            "--note",
            "seeded",
        ])
        .await;
    assert!(ok(&out).contains("Item added"));
    let info = json(
        &env.hf(&["collections", "info", &slug, "--format", "json"])
            .await,
    );
    assert_eq!(info["items"][0]["itemId"], repo.as_str());
    assert_eq!(info["items"][0]["note"], "seeded");
    let item = info["items"][0]["itemObjectId"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(&env
        .hf(&[
            "collections",
            "update-item",
            &slug,
            &item,
            "--note",
            "changed",
        ])
        .await);
    ok(&env
        .hf(&[
            "collections",
            "update",
            &slug,
            "--theme",
            "pink",
            "--private",
        ])
        .await);
    let list = json(
        &env.hf(&["collections", "ls", "--owner", "alice", "--format", "json"])
            .await,
    );
    assert_eq!(list[0]["theme"], "pink");
    assert_eq!(list[0]["private"], true);
    let table = ok(&env.hf(&["collections", "ls"]).await);
    assert!(table.contains(&slug), "{table}");
    ok(&env.hf(&["collections", "delete-item", &slug, &item]).await);
    ok(&env
        .hf(&["collections", "delete-item", &slug, &item, "--missing-ok"])
        .await);
    let out = env
        .hf_with(Some(BOB), None, &["collections", "delete", &slug])
        .await;
    let err = fails(&out, "cannot delete the collection");
    assert!(err.contains("hint: no such collection"), "{err}"); // private: hidden from bob
    ok(&env.hf(&["collections", "delete", &slug]).await);
    let out = env.hf(&["collections", "info", &slug]).await;
    let err = fails(&out, "cannot read the collection");
    assert!(err.contains("hint: no such collection"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn webhooks_commands() {
    let env = Env::start().await;
    let out = env
        .hf(&[
            "webhooks",
            "create",
            "--watch",
            "model:alice/tiny",
            "--watch",
            "org:acme",
            "--url",
            "https://example.com/hook",
            "--domain",
            "repo",
            "--secret",
            "s",
        ])
        .await;
    let id = ok(&out)
        .trim()
        .strip_prefix("Webhook created: ")
        .unwrap()
        .to_owned();
    let list = json(&env.hf(&["webhooks", "ls", "--format", "json"]).await);
    assert_eq!(list[0]["id"], id.as_str());
    assert_eq!(list[0]["watched"][1]["type"], "org");
    assert_eq!(list[0]["domains"][0], "repo");
    ok(&env.hf(&["webhooks", "disable", &id]).await);
    let info = json(&env.hf(&["webhooks", "info", &id]).await);
    assert_eq!(info["disabled"], true);
    ok(&env
        .hf(&[
            "webhooks",
            "update",
            &id,
            "--url",
            "https://example.com/new",
        ])
        .await);
    ok(&env.hf(&["webhooks", "enable", &id]).await);
    let table = ok(&env.hf(&["webhooks", "ls"]).await);
    assert!(
        table.contains("enabled") && table.contains("https://example.com/new"),
        "{table}"
    );
    let out = env.hf(&["webhooks", "delete", &id]).await;
    assert!(fails(&out, "not deleting").contains("--yes"));
    ok(&env.hf(&["webhooks", "delete", &id, "--yes"]).await);
    let out = env.hf(&["webhooks", "info", &id]).await;
    assert!(fails(&out, "cannot read the webhook").contains("hint: no such webhook"));
    let out = env
        .hf(&[
            "webhooks",
            "create",
            "--watch",
            "planet:x",
            "--url",
            "https://e.com",
        ])
        .await;
    assert!(!out.status.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn papers_commands() {
    let env = Env::start().await;
    env.hub
        .seed()
        .paper(serde_json::json!({"id": "2502.08025", "title": "A paper about CLIs", "upvotes": 7}))
        .await
        .unwrap();
    let table = ok(&env.hf(&["papers", "search", "clis"]).await);
    assert!(
        table.contains("2502.08025") && table.contains("A paper about CLIs"),
        "{table}"
    );
    let list = json(&env.hf(&["papers", "ls", "--format", "json"]).await);
    assert_eq!(list[0]["id"], "2502.08025");
    let info = json(
        &env.hf(&["papers", "info", "2502.08025", "--format", "json"])
            .await,
    );
    assert_eq!(info["upvotes"], 7);
    let out = env.hf(&["papers", "info", "0000.00000"]).await;
    assert!(fails(&out, "cannot read the paper").contains("hint: no such paper"));
}
