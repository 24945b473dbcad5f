//! Fault injection for client tests (off unless configured).
//!
//! A fault spec is `KIND=VALUE[,key=value...]`:
//!
//! | Kind | Effect |
//! |---|---|
//! | `status=503` (or `429`, any 4xx/5xx) | answer with that status instead of running the route; `retry_after=S` adds `Retry-After: S` |
//! | `drop=N` | send the first `N` bytes of the response body, then drop the connection |
//! | `delay=MS` | wait `MS` milliseconds before answering |
//! | `flip=OFFSET` | flip (XOR 0xFF) the body byte at `OFFSET` of the response |
//! | `rate=BYTES` | send the response body at most `BYTES` bytes per second (a slow link, per connection) |
//!
//! Keys: `path=P` limits the fault to request paths matching `P` (a glob where `*` matches anything,
//! including `/`; without `*`, a prefix; default: every path), `method=GET` limits it to a method,
//! `count=N` applies it to the first `N` matching requests only (default: all of them), `every=N` to
//! every `N`-th matching request only (the `N`-th, `2N`-th, ...; for long runs such as `cargo xtask soak`).
//!
//! Example: `status=503,path=/api/models/*,count=2,retry_after=1`.

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::StreamExt;
use http::{HeaderValue, StatusCode};

use crate::api::error::HubError;

/// What a fault does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultKind {
    /// Answer with this status (and `Retry-After` seconds when set) without running the route.
    Status {
        /// HTTP status.
        code: u16,
        /// `Retry-After` value in seconds.
        retry_after: Option<u64>,
    },
    /// Drop the connection after this many body bytes.
    DropAfter(u64),
    /// Delay the response by this many milliseconds.
    Delay(u64),
    /// Flip the body byte at this offset.
    FlipByte(u64),
    /// Send the body at most this many bytes per second.
    Rate(u64),
}

/// One configured fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultSpec {
    /// The effect.
    pub kind: FaultKind,
    /// Path glob (`*` = anything) or prefix; empty = all paths.
    pub path: String,
    /// Only this method, when set.
    pub method: Option<String>,
    /// Apply to the first `count` matching requests only; `None` = all.
    pub count: Option<u64>,
    /// Apply to every `every`-th matching request only; `None` = each one.
    pub every: Option<u64>,
}

/// Why a fault spec does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid fault spec {spec:?}: {reason}")]
pub struct InvalidFaultSpec {
    spec: String,
    reason: String,
}

impl FaultSpec {
    /// A fault of this kind on every request.
    pub fn new(kind: FaultKind) -> Self {
        FaultSpec {
            kind,
            path: String::new(),
            method: None,
            count: None,
            every: None,
        }
    }

    /// Limits the fault to paths matching `pattern` (glob with `*`, else prefix).
    pub fn path(mut self, pattern: impl Into<String>) -> Self {
        self.path = pattern.into();
        self
    }

    /// Limits the fault to a method.
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.method = Some(method.into().to_ascii_uppercase());
        self
    }

    /// Applies the fault to the first `n` matching requests only.
    pub fn count(mut self, n: u64) -> Self {
        self.count = Some(n);
        self
    }

    /// Applies the fault to every `n`-th matching request only (`n` = 0 or 1: each one).
    pub fn every(mut self, n: u64) -> Self {
        self.every = (n > 1).then_some(n);
        self
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        if let Some(m) = &self.method
            && !m.eq_ignore_ascii_case(method)
        {
            return false;
        }
        if self.path.contains('*') {
            glob_match(self.path.as_bytes(), path.as_bytes())
        } else {
            path.starts_with(&self.path)
        }
    }
}

/// `*` matches any run of bytes (including `/`).
fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&b| b == b'*')
}

impl FromStr for FaultSpec {
    type Err = InvalidFaultSpec;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let fail = |reason: &str| InvalidFaultSpec {
            spec: spec.to_owned(),
            reason: reason.to_owned(),
        };
        let mut parts = spec.split(',');
        let head = parts.next().unwrap_or("");
        let (kind, value) = head
            .split_once('=')
            .ok_or_else(|| fail("expected KIND=VALUE first"))?;
        let number = |v: &str| {
            v.trim()
                .parse::<u64>()
                .map_err(|_| fail("expected a number"))
        };
        let mut retry_after = None;
        let mut out = FaultSpec::new(FaultKind::Delay(0));
        for part in parts {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| fail("options are key=value"))?;
            match k.trim() {
                "path" => out.path = v.to_owned(),
                "method" => out.method = Some(v.trim().to_ascii_uppercase()),
                "count" => out.count = Some(number(v)?),
                "every" => out.every = Some(number(v)?).filter(|n| *n > 1),
                "retry_after" | "retry-after" => retry_after = Some(number(v)?),
                other => return Err(fail(&format!("unknown option {other:?}"))),
            }
        }
        out.kind = match kind.trim() {
            "status" => {
                let code = number(value)?;
                if !(400..=599).contains(&code) {
                    return Err(fail("status must be 400-599"));
                }
                FaultKind::Status {
                    code: u16::try_from(code).map_err(|_| fail("bad status"))?,
                    retry_after,
                }
            }
            "drop" => FaultKind::DropAfter(number(value)?),
            "delay" => FaultKind::Delay(number(value)?),
            "flip" => FaultKind::FlipByte(number(value)?),
            "rate" => match number(value)? {
                0 => return Err(fail("rate must be at least 1 byte per second")),
                n => FaultKind::Rate(n),
            },
            _ => return Err(fail("kind must be status, drop, delay, flip or rate")),
        };
        Ok(out)
    }
}

/// The configured faults and how many requests each has hit.
#[derive(Debug, Default)]
pub struct FaultInjector {
    faults: Vec<(FaultSpec, AtomicU64)>,
}

impl FaultInjector {
    /// An injector with these faults.
    pub fn new(specs: Vec<FaultSpec>) -> Self {
        FaultInjector {
            faults: specs.into_iter().map(|s| (s, AtomicU64::new(0))).collect(),
        }
    }

    /// How many requests matched each fault, in the order they were configured.
    pub fn hits(&self) -> Vec<u64> {
        self.faults
            .iter()
            .map(|(_, used)| used.load(Ordering::SeqCst))
            .collect()
    }

    /// The faults that apply to this request (their counters are consumed).
    fn take(&self, method: &str, path: &str) -> Vec<FaultKind> {
        let mut out = Vec::new();
        for (spec, used) in &self.faults {
            if !spec.matches(method, path) {
                continue;
            }
            let n = used.fetch_add(1, Ordering::SeqCst);
            if spec.count.is_none_or(|c| n < c) && spec.every.is_none_or(|e| n % e == e - 1) {
                out.push(spec.kind.clone());
            }
        }
        out
    }
}

/// Middleware applying the faults.
pub async fn middleware(
    State(faults): State<Arc<FaultInjector>>,
    req: Request,
    next: Next,
) -> Response {
    if faults.faults.is_empty() {
        return next.run(req).await;
    }
    let kinds = faults.take(req.method().as_str(), req.uri().path());
    for kind in &kinds {
        if let FaultKind::Delay(ms) = kind {
            tokio::time::sleep(Duration::from_millis(*ms)).await;
        }
    }
    for kind in &kinds {
        if let FaultKind::Status { code, retry_after } = kind {
            let status = StatusCode::from_u16(*code).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let mut resp =
                HubError::new(status, format!("injected fault: status {code}")).into_response();
            if let Some(s) = retry_after {
                resp.headers_mut()
                    .insert(http::header::RETRY_AFTER, HeaderValue::from(*s));
            }
            return resp;
        }
    }
    let mut resp = next.run(req).await;
    for kind in kinds {
        match kind {
            FaultKind::DropAfter(n) => resp = resp.map(|b| drop_after(b, n)),
            FaultKind::FlipByte(off) => resp = resp.map(|b| flip_byte(b, off)),
            FaultKind::Rate(per_second) => resp = resp.map(|b| throttle(b, per_second)),
            _ => {}
        }
    }
    resp
}

fn drop_after(body: Body, limit: u64) -> Body {
    let dropped = || std::io::Error::other("injected fault: connection dropped");
    let state = (body.into_data_stream(), 0u64, false);
    let stream = futures_util::stream::unfold(state, move |(mut inner, sent, stop)| async move {
        if stop {
            return None;
        }
        if sent >= limit {
            return Some((Err(dropped()), (inner, sent, true)));
        }
        match inner.next().await {
            None => None,
            Some(Err(e)) => Some((Err(std::io::Error::other(e)), (inner, sent, true))),
            Some(Ok(chunk)) => {
                let left = limit - sent;
                let chunk = if (chunk.len() as u64) > left {
                    chunk.slice(..usize::try_from(left).unwrap_or(0))
                } else {
                    chunk
                };
                let sent = sent + chunk.len() as u64;
                Some((Ok::<Bytes, std::io::Error>(chunk), (inner, sent, false)))
            }
        }
    });
    Body::from_stream(stream)
}

/// Paces the body: after each chunk, waits until the bytes sent so far fit `per_second` since
/// the first byte. Large chunks are cut into pieces of at most 1/20 s worth, so the pace is
/// smooth.
fn throttle(body: Body, per_second: u64) -> Body {
    let piece = usize::try_from((per_second / 20).max(1)).unwrap_or(usize::MAX);
    let pieces = body.into_data_stream().flat_map(move |chunk| {
        let items: Vec<Result<Bytes, std::io::Error>> = match chunk {
            Ok(chunk) => (0..chunk.len())
                .step_by(piece)
                .map(|i| Ok(chunk.slice(i..(i + piece).min(chunk.len()))))
                .collect(),
            Err(e) => vec![Err(std::io::Error::other(e))],
        };
        futures_util::stream::iter(items)
    });
    let start = tokio::time::Instant::now();
    let stream = pieces.scan(0u64, move |sent, item| {
        let wait = match &item {
            Ok(chunk) => {
                *sent += chunk.len() as u64;
                let due = Duration::from_secs_f64(*sent as f64 / per_second as f64);
                Some(start + due)
            }
            Err(_) => None,
        };
        async move {
            if let Some(when) = wait {
                tokio::time::sleep_until(when).await;
            }
            Some(item)
        }
    });
    Body::from_stream(stream)
}

fn flip_byte(body: Body, offset: u64) -> Body {
    let mut pos = 0u64;
    let stream = body.into_data_stream().map(move |chunk| {
        let chunk = chunk.map_err(std::io::Error::other)?;
        let len = chunk.len() as u64;
        let out = if offset >= pos && offset < pos + len {
            let mut v = chunk.to_vec();
            let i = usize::try_from(offset - pos).unwrap_or(0);
            v[i] ^= 0xFF;
            Bytes::from(v)
        } else {
            chunk
        };
        pos += len;
        Ok::<Bytes, std::io::Error>(out)
    });
    Body::from_stream(stream)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_specs() {
        let s: FaultSpec = "status=503,path=/api/*,count=2,retry_after=1"
            .parse()
            .unwrap();
        assert_eq!(
            s.kind,
            FaultKind::Status {
                code: 503,
                retry_after: Some(1)
            }
        );
        assert_eq!(s.count, Some(2));
        assert!(s.matches("GET", "/api/models/a/b"));
        assert!(!s.matches("GET", "/cdn/x"));
        assert!("drop=10".parse::<FaultSpec>().is_ok());
        assert_eq!(
            "rate=1000".parse::<FaultSpec>().unwrap().kind,
            FaultKind::Rate(1000)
        );
        assert!("rate=0".parse::<FaultSpec>().is_err());
        assert!("bogus=1".parse::<FaultSpec>().is_err());
        assert!("status=200".parse::<FaultSpec>().is_err());
    }

    #[test]
    fn every_nth_request() {
        let spec: FaultSpec = "status=503,every=3".parse().unwrap();
        assert_eq!(spec.every, Some(3));
        let injector = FaultInjector::new(vec![spec]);
        let hit: Vec<bool> = (0..7)
            .map(|_| !injector.take("GET", "/x").is_empty())
            .collect();
        assert_eq!(hit, [false, false, true, false, false, true, false]);
        assert_eq!(FaultSpec::new(FaultKind::Delay(1)).every(1).every, None);
    }

    #[test]
    fn globs() {
        assert!(glob_match(b"/a/*/resolve/*", b"/a/b/resolve/main/x"));
        assert!(!glob_match(b"/a/*/resolve", b"/a/b/tree"));
        assert!(glob_match(b"*", b""));
    }
}
