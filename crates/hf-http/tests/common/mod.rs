//! A scripted HTTP server on 127.0.0.1 and test helpers shared by the transport tests.
// Helpers panic like tests do: a failure here is a failed test.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;

pub type Resp = Response<BoxBody<Bytes, std::io::Error>>;

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: Method,
    /// Path and query, or the absolute URI when sent to a proxy.
    pub uri: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub struct Server {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    pub fn url(&self, path: &str) -> url::Url {
        url::Url::parse(&format!("http://{}{}", self.addr, path)).unwrap()
    }
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
    pub fn hits(&self) -> usize {
        self.seen.lock().unwrap().len()
    }
}

type Handler = Arc<dyn Fn(Seen, usize) -> Pin<Box<dyn Future<Output = Resp> + Send>> + Send + Sync>;

/// Starts a server; `handler` gets each request and its 0-based index.
pub async fn serve<F, Fut>(handler: F) -> Server
where
    F: Fn(Seen, usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Resp> + Send + 'static,
{
    let handler: Handler = Arc::new(move |seen, n| Box::pin(handler(seen, n)));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let log = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            serve_stream(TokioIo::new(stream), handler.clone(), log.clone());
        }
    });
    Server { addr, seen }
}

/// Serves one connection (plain or TLS) with `handler`.
pub fn serve_stream<IO>(io: IO, handler: Handler, log: Arc<Mutex<Vec<Seen>>>)
where
    IO: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let handler = handler.clone();
        let log = log.clone();
        async move {
            let (parts, body) = req.into_parts();
            let body = body
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            let seen = Seen {
                method: parts.method,
                uri: parts.uri.to_string(),
                headers: parts.headers,
                body,
            };
            let index = {
                let mut log = log.lock().unwrap();
                log.push(seen.clone());
                log.len() - 1
            };
            Ok::<_, Infallible>(handler(seen, index).await)
        }
    });
    tokio::spawn(async move {
        let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
            .serve_connection(io, service)
            .await;
    });
}

pub fn handler_of<F, Fut>(handler: F) -> Handler
where
    F: Fn(Seen, usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Resp> + Send + 'static,
{
    Arc::new(move |seen, n| Box::pin(handler(seen, n)))
}

pub fn full(body: impl Into<Bytes>) -> BoxBody<Bytes, std::io::Error> {
    Full::new(body.into())
        .map_err(|never| match never {})
        .boxed()
}

/// A response with `status`, `headers` and a text body.
pub fn respond(status: u16, headers: &[(&str, &str)], body: &str) -> Resp {
    let mut response = Response::new(full(body.to_owned()));
    *response.status_mut() = StatusCode::from_u16(status).unwrap();
    for (k, v) in headers {
        response.headers_mut().append(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    response
}

/// Records every wait instead of sleeping.
#[derive(Clone, Default)]
pub struct RecordingSleeper(pub Arc<Mutex<Vec<Duration>>>);

impl RecordingSleeper {
    pub fn waits(&self) -> Vec<Duration> {
        self.0.lock().unwrap().clone()
    }
}

impl hf_http::Sleeper for RecordingSleeper {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        self.0.lock().unwrap().push(duration);
        Box::pin(async {})
    }
}

/// A client for `server` with token `hf_test`, retries recorded by `sleeper`, jitter pinned at
/// its maximum so waits equal the backoff bounds.
pub fn client_for(base: &str, sleeper: &RecordingSleeper) -> hf_http::HubClient {
    hf_http::HubClient::builder()
        .endpoint(base)
        .token(Some("hf_test"))
        .retry(
            hf_http::RetryPolicy::default()
                .sleeper(sleeper.clone())
                .jitter(|| 1.0)
                .budget(None),
        )
        .build()
        .unwrap()
}
