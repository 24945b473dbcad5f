//! `hf auth` end to end: login checks the token before saving it in the Python client's files,
//! list/switch/logout manage them, and no command but `hf auth token` prints a token.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use hf_local_hub::fixture::ALICE_READ;

#[tokio::test(flavor = "multi_thread")]
async fn login_list_switch_token_logout() {
    let env = Env::start().await;
    let home = env.home.path().join("home");
    // A bad token is refused and nothing is saved.
    let out = env
        .hf_with(None, None, &["auth", "login", "--token", "hf_not_a_token"])
        .await;
    let err = fails(&out, "cannot log in");
    assert!(!err.contains("hf_not_a_token"), "{err}");
    assert!(!home.join("token").exists() && !home.join("stored_tokens").exists());

    // Two logins: the second is active; the files are Python's.
    let out = env
        .hf_with(None, None, &["auth", "login", "--token", ALICE_READ])
        .await;
    let text = ok(&out);
    assert!(text.contains("logged in as alice"), "{text}");
    assert!(!text.contains(ALICE_READ));
    let out = env
        .hf_with(None, None, &["auth", "login", "--token", ALICE])
        .await;
    assert!(!ok(&out).contains(ALICE));
    assert_eq!(std::fs::read_to_string(home.join("token")).unwrap(), ALICE);
    let stored = std::fs::read_to_string(home.join("stored_tokens")).unwrap();
    assert!(
        stored.contains(&format!("hf_token = {ALICE}\n")),
        "{stored}"
    );
    assert_eq!(stored.matches("hf_token = ").count(), 2, "{stored}");

    // Listing names them, marks the active one and shows no token.
    let out = env.hf_with(None, None, &["auth", "list"]).await;
    let list = ok(&out);
    assert!(!list.contains("hf_alice"), "{list}");
    assert_eq!(
        list.lines().filter(|l| l.starts_with('*')).count(),
        1,
        "{list}"
    );
    let names: Vec<String> = stored
        .lines()
        .filter_map(|l| l.strip_prefix('[').and_then(|l| l.strip_suffix(']')))
        .map(str::to_owned)
        .collect();
    let read_name = names
        .iter()
        .find(|n| stored.contains(&format!("[{n}]\nhf_token = {ALICE_READ}")))
        .unwrap()
        .clone();

    // whoami and token use the file.
    let out = env.hf_with(None, None, &["auth", "whoami"]).await;
    assert!(ok(&out).starts_with("alice"));
    let out = env.hf_with(None, None, &["auth", "token"]).await;
    assert_eq!(ok(&out).trim(), ALICE);

    // Switch to the read token, then log out of it: no active token left.
    let out = env
        .hf_with(None, None, &["auth", "switch", "--token-name", &read_name])
        .await;
    ok(&out);
    assert_eq!(
        std::fs::read_to_string(home.join("token")).unwrap(),
        ALICE_READ
    );
    let out = env.hf_with(None, None, &["auth", "switch"]).await;
    fails(&out, "no token name given");
    let out = env
        .hf_with(None, None, &["auth", "logout", "--token-name", &read_name])
        .await;
    ok(&out);
    assert!(!home.join("token").exists());
    let out = env.hf_with(None, None, &["auth", "token"]).await;
    fails(&out, "not logged in");
    let out = env.hf_with(None, None, &["auth", "logout"]).await;
    ok(&out);
    assert!(!home.join("stored_tokens").exists());
    let out = env
        .hf_with(
            None,
            None,
            &["auth", "login", "--token", ALICE, "--add-to-git-credential"],
        )
        .await;
    fails(&out, "--add-to-git-credential is not supported");
}

#[tokio::test(flavor = "multi_thread")]
async fn login_reads_the_token_from_stdin() {
    let env = Env::start().await;
    let input = format!("{ALICE}\n");
    let out = env
        .hf_with(None, Some(input.as_bytes()), &["auth", "login"])
        .await;
    assert!(ok(&out).contains("logged in as alice"));
    let home = env.home.path().join("home");
    assert_eq!(std::fs::read_to_string(home.join("token")).unwrap(), ALICE);
    // Logged in: a second login without --force does nothing.
    let out = env.hf_with(None, None, &["auth", "login"]).await;
    assert!(ok(&out).contains("Already logged in"));
}
