//! The token reaches the endpoint's host only: never another host, never a cross-host hop.

// Scripted-server closures panic like tests do: a failure there is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::{RecordingSleeper, client_for, respond, serve};
use hf_http::{Error, HubClient, RedirectPolicy, Token};

#[tokio::test]
async fn token_sent_to_endpoint_host_only() {
    let hub = serve(|_, _| async { respond(200, &[], "") }).await;
    let other = serve(|_, _| async { respond(200, &[], "") }).await;
    let client = client_for(&hub.base(), &RecordingSleeper::default());
    client.get(hub.url("/api/models")).await.unwrap();
    // Same IP, another port: another origin.
    client.get(other.url("/file")).await.unwrap();
    assert_eq!(
        hub.seen()[0].header("authorization"),
        Some("Bearer hf_test")
    );
    assert_eq!(other.seen()[0].header("authorization"), None);
    // Opting out on the endpoint itself.
    client.get(hub.url("/public")).no_auth().await.unwrap();
    assert_eq!(hub.seen()[1].header("authorization"), None);
}

#[tokio::test]
async fn token_kept_on_same_host_redirect() {
    let hub = serve(|seen, _| async move {
        if seen.uri.starts_with("/old-owner/") {
            respond(307, &[("location", "/new-owner/repo/resolve/main/f")], "")
        } else {
            respond(200, &[], "content")
        }
    })
    .await;
    let client = client_for(&hub.base(), &RecordingSleeper::default());
    let response = client
        .get(hub.url("/old-owner/repo/resolve/main/f"))
        .await
        .unwrap();
    assert_eq!(response.url().path(), "/new-owner/repo/resolve/main/f");
    assert_eq!(response.text().await.unwrap(), "content");
    let seen = hub.seen();
    assert_eq!(seen.len(), 2);
    assert!(
        seen.iter()
            .all(|s| s.header("authorization") == Some("Bearer hf_test"))
    );
}

#[tokio::test]
async fn token_dropped_on_cross_host_redirect() {
    let cdn = serve(|_, _| async { respond(200, &[], "blob") }).await;
    let cdn_url = cdn.url("/blob?Signature=secret").to_string();
    let hub = serve(move |_, _| {
        let location = cdn_url.clone();
        async move { respond(302, &[("location", &location)], "Found") }
    })
    .await;
    let client = client_for(&hub.base(), &RecordingSleeper::default());

    // Default policy: a cross-host redirect is returned as is.
    let response = client
        .get(hub.url("/a/b/resolve/main/w.bin"))
        .await
        .unwrap();
    assert_eq!(response.status(), 302);
    assert_eq!(cdn.hits(), 0);

    // `All`: followed, without the token.
    let response = client
        .get(hub.url("/a/b/resolve/main/w.bin"))
        .follow_redirects(RedirectPolicy::All)
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.url().host_str(), Some("127.0.0.1"));
    assert_eq!(response.url().port(), Some(cdn.addr.port()));
    assert_eq!(
        hub.seen()[1].header("authorization"),
        Some("Bearer hf_test")
    );
    assert_eq!(cdn.seen()[0].header("authorization"), None);
}

#[tokio::test]
async fn explicit_request_token_is_also_dropped_cross_host() {
    let cdn = serve(|_, _| async { respond(200, &[], "") }).await;
    let location = cdn.url("/x").to_string();
    let other = serve(move |_, _| {
        let location = location.clone();
        async move { respond(302, &[("location", &location)], "") }
    })
    .await;
    let client = HubClient::builder()
        .endpoint("https://hub.invalid")
        .build()
        .unwrap();
    client
        .get(other.url("/start"))
        .bearer_token(&Token::from("hf_call"))
        .follow_redirects(RedirectPolicy::All)
        .await
        .unwrap();
    assert_eq!(
        other.seen()[0].header("authorization"),
        Some("Bearer hf_call")
    );
    assert_eq!(cdn.seen()[0].header("authorization"), None);
}

#[tokio::test]
async fn redirect_loop_is_an_error() {
    let hub = serve(|seen, _| async move {
        let to = if seen.uri == "/a" { "/b" } else { "/a" };
        respond(302, &[("location", to)], "")
    })
    .await;
    let client = client_for(&hub.base(), &RecordingSleeper::default());
    let err = client.get(hub.url("/a")).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: hf_http::TransportKind::Redirect,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(hub.hits(), 2);
}

#[tokio::test]
async fn user_agent_sent() {
    let hub = serve(|_, _| async { respond(200, &[], "") }).await;
    let client = HubClient::builder()
        .endpoint(hub.base())
        .library("mylib", "9.9")
        .build()
        .unwrap();
    client.get(hub.url("/x")).await.unwrap();
    let ua = hub.seen()[0].header("user-agent").unwrap().to_owned();
    assert!(ua.starts_with("mylib/9.9; hf-api/"), "{ua}");
    assert_eq!(ua, client.user_agent());
}
