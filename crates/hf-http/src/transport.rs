//! The bottom of the stack: hyper-util's pooled client over rustls, with proxy support.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::{Uri, header::PROXY_AUTHORIZATION};
use http_body_util::BodyExt;
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tower::{Service, ServiceExt};

use crate::error::{BoxError, redact_url};
use crate::{
    Body, Error, HubRequest, HubResponse, ProxyConfig, ResponseBody, TimeoutPhase, TransportKind,
};

/// Idle pooled connections are closed after this (needs the pool timer to have any effect).
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// What the transport is built from.
pub(crate) struct TransportConfig {
    pub connect_timeout: Option<Duration>,
    pub proxy: ProxyConfig,
    pub extra_roots: Vec<Vec<u8>>,
}

/// The hyper client as a `Service<HubRequest>`, errors mapped to [`Error`].
#[derive(Clone)]
pub(crate) struct HyperTransport {
    client: Client<HttpsConnector<ProxyConnector>, Body>,
    matcher: Option<Arc<Matcher>>,
    connect_timeout: Option<Duration>,
}

impl HyperTransport {
    pub(crate) fn new(config: TransportConfig) -> Result<Self, Error> {
        let mut roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        for der in config.extra_roots {
            roots
                .add(der.into())
                .map_err(|err| Error::Config(format!("invalid root certificate: {err}")))?;
        }
        // aws-lc-rs: post-quantum key exchange first (rustls deprecates its ring provider).
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|err| Error::Config(format!("TLS setup: {err}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();

        let mut http = HttpConnector::new();
        // The HTTPS connector hands https:// destinations to this connector too.
        http.enforce_http(false);
        http.set_connect_timeout(config.connect_timeout);
        http.set_nodelay(true);

        let matcher = (!config.proxy.is_empty()).then(|| Arc::new(build_matcher(&config.proxy)));
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(ProxyConnector {
                http,
                matcher: matcher.clone(),
            });
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .build(connector);
        Ok(HyperTransport {
            client,
            matcher,
            connect_timeout: config.connect_timeout,
        })
    }
}

fn build_matcher(proxy: &ProxyConfig) -> Matcher {
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    Matcher::builder()
        .all(value(&proxy.all))
        .http(value(&proxy.http))
        .https(value(&proxy.https))
        .no(value(&proxy.no_proxy))
        .build()
}

impl Service<HubRequest> for HyperTransport {
    type Response = HubResponse;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<HubResponse, Error>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut request: HubRequest) -> Self::Future {
        let url = redact_url(&request.uri().to_string());
        // Plain-http requests through a proxy are sent in absolute form: the proxy credentials
        // go on the request itself (https ones go on the CONNECT).
        if request.uri().scheme_str() == Some("http")
            && let Some(auth) = self
                .matcher
                .as_ref()
                .and_then(|m| m.intercept(request.uri()))
                .and_then(|i| i.basic_auth().cloned())
        {
            request.headers_mut().insert(PROXY_AUTHORIZATION, auth);
        }
        let future = self.client.request(request);
        let connect_timeout = self.connect_timeout;
        Box::pin(async move {
            match future.await {
                Ok(response) => {
                    let body_url = url.clone();
                    Ok(response.map(move |incoming| {
                        ResponseBody::new(incoming.map_err(move |err| Error::Transport {
                            kind: TransportKind::Connection,
                            url: body_url.clone(),
                            source: Box::new(err),
                        }))
                    }))
                }
                Err(err) => Err(classify(err, url, connect_timeout)),
            }
        })
    }
}

/// Sorts a hyper-util error into the kinds the retry policy and callers act on.
fn classify(
    err: hyper_util::client::legacy::Error,
    url: String,
    connect_timeout: Option<Duration>,
) -> Error {
    let is_connect = err.is_connect();
    let mut tls = false;
    let mut timed_out = false;
    let mut tunnel = false;
    let mut user_body = false;
    let mut pending: Vec<&(dyn std::error::Error + 'static)> = vec![&err];
    while let Some(current) = pending.pop() {
        // `io::Error::source` skips the wrapped error itself, so look inside explicitly.
        if let Some(inner) = current
            .downcast_ref::<io::Error>()
            .and_then(|e| e.get_ref())
        {
            pending.push(inner);
        }
        if current.downcast_ref::<rustls::Error>().is_some() {
            tls = true;
        }
        if let Some(io_err) = current.downcast_ref::<io::Error>()
            && io_err.kind() == io::ErrorKind::TimedOut
        {
            timed_out = true;
        }
        if let Some(hyper_err) = current.downcast_ref::<hyper::Error>()
            && hyper_err.is_user()
        {
            user_body = true;
        }
        if current.to_string().starts_with("tunnel error") {
            tunnel = true;
        }
        if let Some(next) = current.source() {
            pending.push(next);
        }
    }
    if tls {
        return Error::Transport {
            kind: TransportKind::Tls,
            url,
            source: Box::new(err),
        };
    }
    if is_connect && timed_out {
        return Error::Timeout {
            phase: TimeoutPhase::Connect,
            after: connect_timeout.unwrap_or_default(),
            url,
        };
    }
    let kind = if tunnel {
        TransportKind::Proxy
    } else if is_connect {
        TransportKind::Connect
    } else if user_body {
        TransportKind::RequestBody
    } else {
        TransportKind::Connection
    };
    Error::Transport {
        kind,
        url,
        source: Box::new(err),
    }
}

/// Opens TCP connections directly, through a `CONNECT` tunnel (https destinations behind a
/// proxy), or to the proxy itself (http destinations, marked proxied so hyper sends the
/// request in absolute form).
#[derive(Clone)]
pub(crate) struct ProxyConnector {
    http: HttpConnector,
    matcher: Option<Arc<Matcher>>,
}

impl Service<Uri> for ProxyConnector {
    type Response = ProxyStream;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<ProxyStream, BoxError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let http = self.http.clone();
        let intercept = self.matcher.as_ref().and_then(|m| m.intercept(&dst));
        Box::pin(async move {
            let Some(intercept) = intercept else {
                let stream = http.oneshot(dst).await?;
                return Ok(ProxyStream {
                    inner: stream,
                    proxied: false,
                });
            };
            let proxy = intercept.uri().clone();
            if dst.scheme_str() == Some("https") {
                let mut tunnel = Tunnel::new(proxy, http);
                if let Some(auth) = intercept.basic_auth() {
                    tunnel = tunnel.with_auth(auth.clone());
                }
                let stream = tunnel.oneshot(dst).await?;
                Ok(ProxyStream {
                    inner: stream,
                    proxied: false,
                })
            } else {
                let stream = http.oneshot(proxy).await?;
                Ok(ProxyStream {
                    inner: stream,
                    proxied: true,
                })
            }
        })
    }
}

/// A TCP stream that remembers whether it leads to a forward proxy.
pub(crate) struct ProxyStream {
    inner: TokioIo<tokio::net::TcpStream>,
    proxied: bool,
}

impl Connection for ProxyStream {
    fn connected(&self) -> Connected {
        self.inner.connected().proxy(self.proxied)
    }
}

impl Read for ProxyStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl Write for ProxyStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }
}
