//! Proxies: HTTPS through a CONNECT tunnel (from `HTTPS_PROXY`), HTTP in absolute form (from
//! `HTTP_PROXY`), `NO_PROXY` bypass, and TLS certificate errors being fatal.

// The server and proxy helpers panic like tests do: a failure there is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use common::{RecordingSleeper, Seen, handler_of, respond, serve, serve_stream};
use hf_http::{Error, HubClient, ProxyConfig, RetryPolicy, TransportKind};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const CERT: &[u8] = include_bytes!("fixtures/localhost.cert.der");
const KEY: &[u8] = include_bytes!("fixtures/localhost.key.der");

/// Request lines and `proxy-authorization` values the proxy saw.
type ProxyLog = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// An HTTPS server with the fixture certificate (valid for 127.0.0.1). Returns its address, the
/// requests it saw and how many TCP connections it accepted.
async fn tls_server() -> (SocketAddr, Arc<Mutex<Vec<Seen>>>, Arc<AtomicUsize>) {
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![CertificateDer::from(CERT.to_vec())],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(KEY.to_vec())),
    )
    .unwrap();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let accepted = Arc::new(AtomicUsize::new(0));
    let (log, count) = (seen.clone(), accepted.clone());
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            let acceptor = acceptor.clone();
            let log = log.clone();
            tokio::spawn(async move {
                if let Ok(tls) = acceptor.accept(tcp).await {
                    let handler = handler_of(|_, _| async { respond(200, &[], "secure") });
                    serve_stream(hyper_util::rt::TokioIo::new(tls), handler, log);
                }
            });
        }
    });
    (addr, seen, accepted)
}

/// A tiny forward proxy: `CONNECT host:port` opens a tunnel; an absolute-form request is
/// answered directly with `via-proxy {uri}`. Records each request line and its
/// `proxy-authorization`.
async fn proxy() -> (SocketAddr, ProxyLog) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let log: ProxyLog = Arc::default();
    let record = log.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let record = record.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if client.read(&mut byte).await.unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let line = head.lines().next().unwrap_or_default().to_owned();
                let auth = head.lines().find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("proxy-authorization: ")
                        .map(str::to_owned)
                });
                record.lock().unwrap().push((line.clone(), auth));
                let mut parts = line.split_whitespace();
                let (method, target) = (
                    parts.next().unwrap_or_default(),
                    parts.next().unwrap_or_default(),
                );
                if method == "CONNECT" {
                    let Ok(mut upstream) = TcpStream::connect(target).await else {
                        return;
                    };
                    client
                        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                        .await
                        .unwrap();
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                } else {
                    let body = format!("via-proxy {target}");
                    let response = format!(
                        "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    client.write_all(response.as_bytes()).await.unwrap();
                }
            });
        }
    });
    (addr, log)
}

fn vars(pairs: Vec<(&'static str, String)>) -> impl Fn(&str) -> Option<String> {
    move |name| {
        pairs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    }
}

#[tokio::test]
async fn https_proxy_tunnels_with_connect() {
    let (server, seen, _) = tls_server().await;
    let (proxy, log) = proxy().await;
    let config = ProxyConfig::from_vars(vars(vec![(
        "HTTPS_PROXY",
        format!("http://user:pass@{proxy}"),
    )]));
    let client = HubClient::builder()
        .endpoint(format!("https://{server}"))
        .token(Some("hf_tls"))
        .add_root_certificate(CERT)
        .proxy(config)
        .build()
        .unwrap();
    let response = client
        .get(client.url("api/whoami-v2").unwrap())
        .await
        .unwrap();
    assert_eq!(response.text().await.unwrap(), "secure");
    let log = log.lock().unwrap().clone();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].0, format!("CONNECT {server} HTTP/1.1"));
    assert_eq!(
        log[0].1.as_deref(),
        Some("basic dxnlcjpwyxnz"),
        "lower-cased `Basic user:pass`"
    );
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen[0].header("authorization"),
        Some("Bearer hf_tls"),
        "token inside the tunnel only"
    );
}

#[tokio::test]
async fn http_proxy_gets_absolute_form_requests() {
    let (proxy, log) = proxy().await;
    let config = ProxyConfig::from_vars(vars(vec![("http_proxy", format!("http://{proxy}"))]));
    // The endpoint's host does not resolve: only the proxy can answer.
    let client = HubClient::builder()
        .endpoint("http://hub.invalid")
        .proxy(config)
        .build()
        .unwrap();
    let text = client
        .get(client.url("api/models?x=1").unwrap())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(text, "via-proxy http://hub.invalid/api/models?x=1");
    assert_eq!(
        log.lock().unwrap()[0].0,
        "GET http://hub.invalid/api/models?x=1 HTTP/1.1"
    );
}

#[tokio::test]
async fn no_proxy_bypasses_the_proxy() {
    let (proxy, log) = proxy().await;
    let direct = serve(|_, _| async { respond(200, &[], "direct") }).await;
    let config = ProxyConfig::from_vars(vars(vec![
        ("HTTP_PROXY", format!("http://{proxy}")),
        ("NO_PROXY", "localhost,127.0.0.1".to_owned()),
    ]));
    let client = HubClient::builder()
        .endpoint(direct.base())
        .proxy(config)
        .build()
        .unwrap();
    let text = client
        .get(direct.url("/x"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(text, "direct");
    assert!(log.lock().unwrap().is_empty());
}

#[tokio::test]
async fn untrusted_certificate_is_fatal_and_not_retried() {
    let (server, seen, accepted) = tls_server().await;
    let sleeper = RecordingSleeper::default();
    let client = HubClient::builder()
        .endpoint(format!("https://{server}"))
        .retry(RetryPolicy::default().sleeper(sleeper.clone()).budget(None))
        .build()
        .unwrap();
    let err = client.get(client.url("x").unwrap()).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportKind::Tls,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(sleeper.waits().is_empty());
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
    assert!(seen.lock().unwrap().is_empty());
}
