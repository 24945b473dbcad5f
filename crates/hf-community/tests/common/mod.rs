//! Shared helpers: the hub fixture, clients of it, and a webhook receiver on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code, unused_imports)]

use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use hf_http::HubClient;
pub use hf_local_hub::fixture::{ALICE, ALICE_READ, BOB, File, TestHub as Hub};
use serde_json::Value;
use tokio::sync::mpsc;

/// A client of `hub` with this token (or none), without retries.
pub fn client(hub: &Hub, token: Option<&str>) -> HubClient {
    HubClient::builder()
        .endpoint(hub.endpoint())
        .token(token)
        .retry(hf_http::RetryPolicy::disabled())
        .build()
        .unwrap()
}

/// How a test receiver answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// 200.
    Ok,
    /// 500.
    Fail,
    /// Never answers.
    Hang,
}

/// One delivery a receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub payload: Value,
    pub at: Instant,
}

/// A webhook receiver on 127.0.0.1.
pub struct Receiver {
    pub url: String,
    rx: mpsc::UnboundedReceiver<Received>,
}

impl Receiver {
    pub async fn start(answer: Answer) -> Receiver {
        let (tx, rx) = mpsc::unbounded_channel();
        async fn hook(
            State((tx, answer)): State<(mpsc::UnboundedSender<Received>, Answer)>,
            headers: HeaderMap,
            body: Bytes,
        ) -> StatusCode {
            let payload = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let _ = tx.send(Received {
                headers,
                payload,
                at: Instant::now(),
            });
            match answer {
                Answer::Ok => StatusCode::OK,
                Answer::Fail => StatusCode::INTERNAL_SERVER_ERROR,
                Answer::Hang => {
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    StatusCode::OK
                }
            }
        }
        let app = Router::new()
            .route("/hook", post(hook))
            .with_state((tx, answer));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { url, rx }
    }

    /// The next delivery, or a panic after 5 s.
    pub async fn next(&mut self) -> Received {
        tokio::time::timeout(Duration::from_secs(5), self.rx.recv())
            .await
            .expect("no webhook delivery within 5 s")
            .unwrap()
    }

    /// Every delivery that arrives within `wait`.
    pub async fn drain(&mut self, wait: Duration) -> Vec<Received> {
        let mut out = Vec::new();
        let deadline = tokio::time::Instant::now() + wait;
        while let Ok(Some(r)) = tokio::time::timeout_at(deadline, self.rx.recv()).await {
            out.push(r);
        }
        out
    }
}
