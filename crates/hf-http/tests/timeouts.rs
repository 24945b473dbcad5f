//! Request and read-idle timeouts, and offline mode, against real sockets.

// Scripted-server closures panic like tests do: a failure there is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use common::{RecordingSleeper, client_for, respond, serve};
use futures_util::{StreamExt, TryStreamExt};
use hf_http::{Error, HubClient, RetryPolicy, TimeoutPhase};
use http_body_util::BodyExt;

#[tokio::test]
async fn request_timeout_fires_and_is_retried_for_get() {
    let server = serve(|_, _| async {
        tokio::time::sleep(Duration::from_secs(30)).await;
        respond(200, &[], "late")
    })
    .await;
    let sleeper = RecordingSleeper::default();
    let client = client_for(&server.base(), &sleeper);
    let started = std::time::Instant::now();
    let err = client
        .get(server.url("/slow"))
        .timeout(Duration::from_millis(200))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                phase: TimeoutPhase::Request,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.is_timeout());
    assert_eq!(
        sleeper.waits().len(),
        5,
        "an idempotent GET is retried after a timeout"
    );
    assert!(started.elapsed() < Duration::from_secs(10));

    let err = client
        .post(server.url("/slow"))
        .timeout(Duration::from_millis(100))
        .await
        .unwrap_err();
    assert!(err.is_timeout());
    assert_eq!(
        sleeper.waits().len(),
        5,
        "a POST is not retried after a timeout"
    );
}

#[tokio::test]
async fn read_idle_timeout_on_stalled_body() {
    let server = serve(|_, _| async {
        // Headers and a first chunk, then nothing.
        let stream = futures_util::stream::iter(vec![Ok::<_, std::io::Error>(
            http_body::Frame::data(Bytes::from_static(b"first")),
        )])
        .chain(futures_util::stream::pending());
        let body = BodyExt::boxed(http_body_util::StreamBody::new(stream));
        http::Response::builder().status(200).body(body).unwrap()
    })
    .await;
    let client = HubClient::builder()
        .endpoint(server.base())
        .read_timeout(Some(Duration::from_millis(300)))
        .build()
        .unwrap();
    let response = client.get(server.url("/file")).await.unwrap();
    let mut stream = std::pin::pin!(response.into_stream());
    assert_eq!(stream.try_next().await.unwrap().unwrap(), "first");
    let err = stream.try_next().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                phase: TimeoutPhase::ReadIdle,
                ..
            }
        ),
        "{err}"
    );

    // Per-request override.
    let client = HubClient::builder()
        .endpoint(server.base())
        .read_timeout(None)
        .build()
        .unwrap();
    let response = client
        .get(server.url("/file"))
        .read_timeout(Duration::from_millis(200))
        .await
        .unwrap();
    let err = response.bytes().await.unwrap_err();
    assert!(err.is_timeout(), "{err}");
}

#[tokio::test]
async fn offline_mode_opens_no_connection() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        while listener.accept().await.is_ok() {
            counter.fetch_add(1, Ordering::SeqCst);
        }
    });
    let client = HubClient::builder()
        .endpoint(format!("http://{addr}"))
        .offline(true)
        .retry(RetryPolicy::default().sleeper(RecordingSleeper::default()))
        .build()
        .unwrap();
    assert!(client.is_offline());
    let err = client
        .get(client.url("api/models/a/b").unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Offline { .. }), "{err}");
    assert!(err.is_connection_problem());
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(accepted.load(Ordering::SeqCst), 0);
}
