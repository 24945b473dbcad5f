//! Retry count, backoff bounds, Retry-After, idempotency and body replay, against a real server.

// Scripted-server closures panic like tests do: a failure there is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use common::{RecordingSleeper, client_for, respond, serve};
use hf_http::{Body, Error, HubClient, RetryPolicy, TransportKind};

fn secs(values: &[u64]) -> Vec<Duration> {
    values.iter().map(|s| Duration::from_secs(*s)).collect()
}

#[tokio::test]
async fn retries_503_with_doubling_capped_backoff_then_succeeds() {
    let server = serve(|_, n| async move {
        if n < 4 {
            respond(503, &[], "busy")
        } else {
            respond(200, &[], "ok")
        }
    })
    .await;
    let sleeper = RecordingSleeper::default();
    let client = client_for(&server.base(), &sleeper);
    let response = client.get(server.url("/x")).await.unwrap();
    assert_eq!(response.text().await.unwrap(), "ok");
    assert_eq!(server.hits(), 5);
    assert_eq!(sleeper.waits(), secs(&[1, 2, 4, 8]));
}

#[tokio::test]
async fn gives_up_after_max_retries_with_the_last_error() {
    let server =
        serve(|_, _| async { respond(502, &[("x-request-id", "r-9")], "bad gateway") }).await;
    let sleeper = RecordingSleeper::default();
    let client = client_for(&server.base(), &sleeper);
    let err = client.get(server.url("/x")).await.unwrap_err();
    assert!(matches!(err, Error::Server(_)), "{err}");
    assert_eq!(err.request_id(), Some("r-9"));
    assert_eq!(server.hits(), 6, "1 attempt + 5 retries");
    assert_eq!(sleeper.waits(), secs(&[1, 2, 4, 8, 8]));
}

#[tokio::test]
async fn jittered_waits_stay_within_bounds() {
    let server = serve(|_, n| async move {
        if n < 5 {
            respond(500, &[], "")
        } else {
            respond(200, &[], "")
        }
    })
    .await;
    let sleeper = RecordingSleeper::default();
    let client = HubClient::builder()
        .endpoint(server.base())
        .retry(RetryPolicy::default().sleeper(sleeper.clone()).budget(None))
        .build()
        .unwrap();
    client.get(server.url("/x")).await.unwrap();
    let waits = sleeper.waits();
    assert_eq!(waits.len(), 5);
    for (wait, bound) in waits.iter().zip(secs(&[1, 2, 4, 8, 8])) {
        assert!(*wait <= bound, "{wait:?} > {bound:?}");
    }
}

#[tokio::test]
async fn retry_after_seconds_is_honoured() {
    let server = serve(|_, n| async move {
        if n == 0 {
            respond(429, &[("retry-after", "3")], "slow down")
        } else {
            respond(200, &[], "")
        }
    })
    .await;
    let sleeper = RecordingSleeper::default();
    client_for(&server.base(), &sleeper)
        .get(server.url("/x"))
        .await
        .unwrap();
    assert_eq!(sleeper.waits(), secs(&[3]));
}

#[tokio::test]
async fn retry_after_http_date_is_honoured() {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let date = httpdate::fmt_http_date(now + Duration::from_secs(7));
    let server = serve(move |_, n| {
        let date = date.clone();
        async move {
            if n == 0 {
                respond(503, &[("retry-after", &date)], "")
            } else {
                respond(200, &[], "")
            }
        }
    })
    .await;
    let sleeper = RecordingSleeper::default();
    let client = HubClient::builder()
        .endpoint(server.base())
        .retry(
            RetryPolicy::default()
                .sleeper(sleeper.clone())
                .clock(move || now)
                .budget(None),
        )
        .build()
        .unwrap();
    client.get(server.url("/x")).await.unwrap();
    assert_eq!(sleeper.waits(), secs(&[7]));
}

#[tokio::test]
async fn retry_after_is_capped() {
    let server = serve(|_, n| async move {
        if n == 0 {
            respond(429, &[("retry-after", "3600")], "")
        } else {
            respond(200, &[], "")
        }
    })
    .await;
    let sleeper = RecordingSleeper::default();
    client_for(&server.base(), &sleeper)
        .get(server.url("/x"))
        .await
        .unwrap();
    assert_eq!(sleeper.waits(), secs(&[60]));
}

#[tokio::test]
async fn post_is_not_retried_unless_marked_idempotent() {
    let server = serve(|_, _| async { respond(503, &[], "") }).await;
    let sleeper = RecordingSleeper::default();
    let client = client_for(&server.base(), &sleeper);
    let err = client
        .post(server.url("/commit"))
        .json(&serde_json::json!({"a": 1}))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Server(_)));
    assert_eq!(server.hits(), 1);
    assert!(sleeper.waits().is_empty());

    client
        .post(server.url("/read"))
        .idempotent(true)
        .await
        .unwrap_err();
    assert_eq!(server.hits(), 1 + 6);
}

#[tokio::test]
async fn retry_can_be_disabled_per_request_and_per_client() {
    let server = serve(|_, _| async { respond(503, &[], "") }).await;
    let sleeper = RecordingSleeper::default();
    client_for(&server.base(), &sleeper)
        .get(server.url("/x"))
        .retry(false)
        .await
        .unwrap_err();
    assert_eq!(server.hits(), 1);
    let client = HubClient::builder()
        .endpoint(server.base())
        .retry(RetryPolicy::disabled())
        .build()
        .unwrap();
    client.get(server.url("/x")).await.unwrap_err();
    assert_eq!(server.hits(), 2);
}

#[tokio::test]
async fn streamed_body_is_never_replayed() {
    let server = serve(|_, _| async { respond(503, &[], "") }).await;
    let sleeper = RecordingSleeper::default();
    let stream =
        futures_util::stream::iter(vec![Ok::<_, std::io::Error>(Bytes::from_static(b"part"))]);
    let err = client_for(&server.base(), &sleeper)
        .put(server.url("/upload"))
        .body(Body::from_stream(stream), "application/octet-stream")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Server(_)));
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn file_range_body_is_replayed_on_retry() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blob.bin");
    let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 253) as u8).collect();
    std::fs::write(&path, &data).unwrap();
    let server = serve(|_, n| async move {
        if n < 2 {
            respond(500, &[], "")
        } else {
            respond(200, &[], "")
        }
    })
    .await;
    let sleeper = RecordingSleeper::default();
    let (offset, len) = (1000u64, 2_000_000u64);
    client_for(&server.base(), &sleeper)
        .put(server.url("/part/1"))
        .body(
            Body::file_range(&path, offset, len),
            "application/octet-stream",
        )
        .await
        .unwrap();
    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    let expected = &data[offset as usize..(offset + len) as usize];
    for request in &seen {
        assert_eq!(request.header("content-length"), Some("2000000"));
        assert_eq!(&request.body[..], expected);
    }
}

#[tokio::test]
async fn connection_refused_is_retried_then_reported() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let sleeper = RecordingSleeper::default();
    let client = client_for(&format!("http://{addr}"), &sleeper);
    let err = client
        .post(client.url("/api/x").unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportKind::Connect,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        sleeper.waits().len(),
        5,
        "nothing was sent, so even a POST is retried"
    );
}

#[tokio::test]
async fn budget_limits_retries() {
    let server = serve(|_, _| async { respond(503, &[], "") }).await;
    let sleeper = RecordingSleeper::default();
    let budget = tower::retry::budget::TpsBudget::new(Duration::from_secs(10), 1, 0.0);
    let client = HubClient::builder()
        .endpoint(server.base())
        .retry(
            RetryPolicy::default()
                .sleeper(sleeper.clone())
                .budget(Some(budget)),
        )
        .build()
        .unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    for _ in 0..3 {
        client.get(server.url("/x")).await.unwrap_err();
        count.fetch_add(1, Ordering::SeqCst);
    }
    // min_per_sec = 1 over a 10 s window allows 10 retries in all, not 15.
    assert_eq!(sleeper.waits().len(), 10);
}
