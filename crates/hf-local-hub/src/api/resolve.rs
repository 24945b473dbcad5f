//! Downloads: `HEAD`/`GET` on `/{prefix}{repo}/resolve/{rev}/{path}` and the CDN-like `/cdn/lfs/{sha256}`
//! route that LFS files redirect to (no auth, a short-lived HMAC-signed URL instead).

use std::io::SeekFrom;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use sha2::{Digest, Sha256};

use super::context::{Content, Repo, RepoContext, per_type};
use super::error::{HubError, HubResult};
use super::files::checked_path;
use super::{AppState, QueryPairs};
use crate::storage::EntryKind;

/// Read size of the file streamer: large reads keep loopback throughput well above 1.5 GB/s.
const READ_CHUNK: usize = 1 << 20;

/// Routes of this module.
pub fn router() -> Router<AppState> {
    let router = Router::new().route("/cdn/lfs/{sha256}", get(cdn));
    per_type(
        router,
        "/{ns}/{name}/resolve/{rev}/{*path}",
        get(resolve),
        false,
    )
}

/// The `{rev}` and `{*path}` of a resolve URL.
#[derive(serde::Deserialize)]
struct ResolveParams {
    rev: String,
    path: String,
}

fn quoted(v: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{v}\"")).unwrap_or_else(|_| HeaderValue::from_static("\"\""))
}

fn header(v: &str) -> HeaderValue {
    HeaderValue::from_str(v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// HMAC-SHA256 (RFC 2104) over `msg`.
fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let ipad: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
    let opad: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::new()
        .chain_update(&ipad)
        .chain_update(msg)
        .finalize();
    Sha256::new()
        .chain_update(&opad)
        .chain_update(inner)
        .finalize()
        .into()
}

fn signature(state: &AppState, sha256: &str, commit: &str, expires: u64) -> String {
    hex::encode(hmac_sha256(
        &state.signing_key[..],
        format!("{sha256}\n{commit}\n{expires}").as_bytes(),
    ))
}

/// Equal-time comparison, so a forged signature cannot be found byte by byte.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The absolute signed CDN-like URL of an LFS object.
pub fn signed_cdn_url(
    state: &AppState,
    base: &str,
    sha256: &str,
    commit: &str,
    filename: &str,
) -> String {
    let expires = unix_now() + state.cdn_ttl.as_secs().max(1);
    let sig = signature(state, sha256, commit, expires);
    let name: String = url::form_urlencoded::byte_serialize(filename.as_bytes()).collect();
    format!("{base}/cdn/lfs/{sha256}?commit={commit}&expires={expires}&sig={sig}&filename={name}")
}

/// `HEAD`/`GET /{prefix}{repo}/resolve/{rev}/{path}`.
async fn resolve(
    repo: Repo<Content>,
    Path(ResolveParams { rev, path }): Path<ResolveParams>,
    method: Method,
    headers: HeaderMap,
) -> HubResult<Response> {
    let RepoContext { state, repo, .. } = repo.into_inner();
    // Lenient: an unencoded `refs/pr/N/...` or `refs/convert/X/...` revision (protocol §1.3).
    let (rev, path) = match (rev.as_str(), path.split_once('/')) {
        ("refs", Some((kind @ ("pr" | "convert"), rest))) => match rest.split_once('/') {
            Some((name, file)) => (format!("refs/{kind}/{name}"), file.to_owned()),
            None => (rev, path),
        },
        _ => (rev, path),
    };
    let commit = state.resolve_rev(&repo, &rev).await?;
    let path = checked_path(&path)?;
    let entry = match state.store.tree_entry(&commit, &path).await? {
        Some(e) if e.kind == EntryKind::File => e,
        _ => {
            return Err(HubError::entry_not_found("Entry not found")
                .with_header(http::HeaderName::from_static("x-repo-commit"), commit));
        }
    };
    if let Some(lfs) = &entry.lfs {
        let base = match &state.cdn_base_url {
            Some(cdn) => cdn.to_string(),
            None => state.public_base(&headers),
        };
        let location = signed_cdn_url(&state, &base, &lfs.sha256, &commit, &path);
        let body = format!("Found. Redirecting to {location}");
        let mut resp = Response::new(if method == Method::HEAD {
            Body::empty()
        } else {
            Body::from(body.clone())
        });
        *resp.status_mut() = StatusCode::FOUND;
        let h = resp.headers_mut();
        h.insert(http::header::LOCATION, header(&location));
        h.insert("x-repo-commit", header(&commit));
        h.insert("x-linked-etag", quoted(&lfs.sha256));
        h.insert("x-linked-size", HeaderValue::from(lfs.size));
        h.insert(http::header::ETAG, quoted(&lfs.sha256));
        h.insert(http::header::CONTENT_LENGTH, HeaderValue::from(body.len()));
        h.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        return Ok(resp);
    }
    let file = state
        .store
        .blob_path(&entry.oid)
        .ok_or_else(|| HubError::internal(format!("bad blob id {}", entry.oid)))?;
    let mut extra = HeaderMap::new();
    extra.insert(http::header::ETAG, quoted(&entry.oid));
    extra.insert("x-repo-commit", header(&commit));
    extra.insert(http::header::CONTENT_TYPE, content_type(&path));
    Ok(serve_file(file, entry.size, &method, &headers, extra))
}

fn content_type(path: &str) -> HeaderValue {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    HeaderValue::from_static(match ext.as_str() {
        "json" => "application/json",
        "txt" | "md" | "gitattributes" | "gitignore" | "csv" | "yaml" | "yml" | "py" => {
            "text/plain; charset=utf-8"
        }
        _ => "application/octet-stream",
    })
}

/// `GET`/`HEAD /cdn/lfs/{sha256}?commit=..&expires=..&sig=..`: the signed, auth-free LFS download.
async fn cdn(
    State(state): State<AppState>,
    Path(sha256): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> HubResult<Response> {
    let q = QueryPairs::parse(uri.query());
    let denied = |why: &str| HubError::forbidden(format!("Access denied: {why}"));
    let commit = q.get("commit").unwrap_or("");
    let expires: u64 = q
        .get("expires")
        .and_then(|e| e.parse().ok())
        .ok_or_else(|| denied("missing or malformed expiry"))?;
    let sig = q.get("sig").ok_or_else(|| denied("missing signature"))?;
    if !same(
        signature(&state, &sha256, commit, expires).as_bytes(),
        sig.as_bytes(),
    ) {
        return Err(denied("invalid signature"));
    }
    if unix_now() > expires {
        return Err(denied("the signed URL has expired"));
    }
    let size = state
        .store
        .lfs_object(&sha256)
        .await?
        .ok_or_else(|| HubError::new(StatusCode::NOT_FOUND, "LFS object not found"))?;
    let file = state
        .store
        .lfs_path(&sha256)
        .ok_or_else(|| HubError::bad_request("invalid LFS oid"))?;
    let mut extra = HeaderMap::new();
    extra.insert(http::header::ETAG, quoted(&sha256));
    extra.insert("x-linked-etag", quoted(&sha256));
    extra.insert("x-linked-size", HeaderValue::from(size));
    if !commit.is_empty() {
        extra.insert("x-repo-commit", header(commit));
    }
    extra.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    if let Some(name) = q.get("filename") {
        let base = name.rsplit('/').next().unwrap_or(name);
        let safe: String = base
            .chars()
            .filter(|c| c.is_ascii_graphic() && *c != '"')
            .collect();
        extra.insert(
            http::header::CONTENT_DISPOSITION,
            header(&format!("inline; filename=\"{safe}\"")),
        );
    }
    Ok(serve_file(file, size, &method, &headers, extra))
}

/// A part of a response body.
enum Part {
    Bytes(Bytes),
    File { start: u64, len: u64 },
}

/// Most ranges one request may ask for; more and the header is ignored (the whole file is sent),
/// as common servers do (nginx's `max_ranges`), so that a header cannot multiply a file's size.
const MAX_RANGES: usize = 100;

/// Parses `Range: bytes=...` into inclusive `(start, end)` pairs, sorted, with overlapping and
/// adjacent ranges coalesced (so the parts never hold more bytes than the file). `None` = ignore
/// the header (malformed, or more than [`MAX_RANGES`] ranges); `Some(empty)` = nothing
/// satisfiable.
pub(crate) fn parse_range(value: &str, total: u64) -> Option<Vec<(u64, u64)>> {
    let specs = value.trim().strip_prefix("bytes=")?;
    if specs.split(',').nth(MAX_RANGES).is_some() {
        return None;
    }
    let mut out: Vec<(u64, u64)> = Vec::new();
    for spec in specs.split(',') {
        let (a, b) = spec.trim().split_once('-')?;
        let (a, b) = (a.trim(), b.trim());
        let range = if a.is_empty() {
            let n: u64 = b.parse().ok()?;
            if n == 0 || total == 0 {
                continue;
            }
            (total.saturating_sub(n), total - 1)
        } else {
            let start: u64 = a.parse().ok()?;
            let end: u64 = if b.is_empty() {
                u64::MAX
            } else {
                b.parse().ok()?
            };
            if end < start {
                return None;
            }
            if start >= total {
                continue;
            }
            (start, end.min(total - 1))
        };
        out.push(range);
    }
    out.sort_unstable();
    let mut merged: Vec<(u64, u64)> = Vec::with_capacity(out.len());
    for (start, end) in out {
        match merged.last_mut() {
            Some(last) if start <= last.1.saturating_add(1) => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    Some(merged)
}

/// Streams `file` (or ranges of it) with `Accept-Ranges`, `Content-Length`, `206`/`Content-Range`, `416`.
fn serve_file(
    file: PathBuf,
    total: u64,
    method: &Method,
    req: &HeaderMap,
    extra: HeaderMap,
) -> Response {
    let ranges = req
        .get(http::header::RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_range(v, total));
    let (status, parts, len, content_range, multipart_type) = match ranges {
        None => (
            StatusCode::OK,
            vec![Part::File {
                start: 0,
                len: total,
            }],
            total,
            None,
            None,
        ),
        Some(r) if r.is_empty() => {
            let mut resp =
                HubError::new(StatusCode::RANGE_NOT_SATISFIABLE, "Range Not Satisfiable")
                    .into_response();
            resp.headers_mut().insert(
                http::header::CONTENT_RANGE,
                header(&format!("bytes */{total}")),
            );
            resp.headers_mut().insert(
                http::header::ACCEPT_RANGES,
                HeaderValue::from_static("bytes"),
            );
            return resp;
        }
        Some(r) if r.len() == 1 => {
            let (a, b) = r[0];
            (
                StatusCode::PARTIAL_CONTENT,
                vec![Part::File {
                    start: a,
                    len: b - a + 1,
                }],
                b - a + 1,
                Some(format!("bytes {a}-{b}/{total}")),
                None,
            )
        }
        Some(r) => {
            let boundary = format!("hflocalhub{:016x}", fastrand::u64(..));
            let ctype = extra
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("application/octet-stream")
                .to_owned();
            let mut parts = Vec::new();
            let mut len = 0u64;
            for (a, b) in r {
                let head = format!(
                    "\r\n--{boundary}\r\nContent-Type: {ctype}\r\nContent-Range: bytes {a}-{b}/{total}\r\n\r\n"
                );
                len += head.len() as u64 + (b - a + 1);
                parts.push(Part::Bytes(Bytes::from(head)));
                parts.push(Part::File {
                    start: a,
                    len: b - a + 1,
                });
            }
            let tail = format!("\r\n--{boundary}--\r\n");
            len += tail.len() as u64;
            parts.push(Part::Bytes(Bytes::from(tail)));
            (
                StatusCode::PARTIAL_CONTENT,
                parts,
                len,
                None,
                Some(format!("multipart/byteranges; boundary={boundary}")),
            )
        }
    };
    let body = if *method == Method::HEAD || len == 0 {
        Body::empty()
    } else {
        stream_parts(file, parts)
    };
    let mut resp = Response::new(body);
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    h.extend(extra);
    h.insert(
        http::header::ACCEPT_RANGES,
        HeaderValue::from_static("bytes"),
    );
    h.insert(http::header::CONTENT_LENGTH, HeaderValue::from(len));
    if let Some(cr) = content_range {
        h.insert(http::header::CONTENT_RANGE, header(&cr));
    }
    if let Some(mt) = multipart_type {
        h.insert(http::header::CONTENT_TYPE, header(&mt));
    }
    resp
}

/// Streams the parts: each chunk is read only when the client has taken the previous one, and
/// each read is a short operation on the blocking pool (`tokio::fs`), so a client that stops
/// reading holds no thread (memory stays at one chunk per response).
fn stream_parts(file: PathBuf, parts: Vec<Part>) -> Body {
    use tokio::io::{AsyncReadExt, AsyncSeekExt};

    struct Reader {
        path: PathBuf,
        file: Option<tokio::fs::File>,
        parts: std::collections::VecDeque<Part>,
        /// Bytes left of the file part being sent.
        left: u64,
    }
    let reader = Reader {
        path: file,
        file: None,
        parts: parts.into(),
        left: 0,
    };
    let stream = futures_util::stream::try_unfold(reader, |mut r| async move {
        loop {
            if r.left > 0 {
                let Some(f) = r.file.as_mut() else {
                    return Err(std::io::Error::other("blob not open"));
                };
                let want = r.left.min(READ_CHUNK as u64) as usize;
                let mut buf = bytes::BytesMut::with_capacity(want);
                while buf.len() < want {
                    let n = (&mut *f)
                        .take((want - buf.len()) as u64)
                        .read_buf(&mut buf)
                        .await?;
                    if n == 0 {
                        return Err(std::io::Error::new(
                            std::io::ErrorKind::UnexpectedEof,
                            "blob shorter than recorded",
                        ));
                    }
                }
                r.left -= want as u64;
                return Ok(Some((buf.freeze(), r)));
            }
            match r.parts.pop_front() {
                None => return Ok(None),
                Some(Part::Bytes(b)) => return Ok(Some((b, r))),
                Some(Part::File { start, len }) => {
                    if r.file.is_none() {
                        let opened = tokio::fs::File::open(&r.path).await.map_err(|e| {
                            std::io::Error::new(
                                e.kind(),
                                format!("cannot open {}: {e}", r.path.display()),
                            )
                        })?;
                        r.file = Some(opened);
                    }
                    if let Some(f) = r.file.as_mut() {
                        f.seek(SeekFrom::Start(start)).await?;
                    }
                    r.left = len;
                }
            }
        }
    });
    Body::from_stream(stream)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-9", 100), Some(vec![(0, 9)]));
        assert_eq!(parse_range("bytes=90-", 100), Some(vec![(90, 99)]));
        assert_eq!(parse_range("bytes=-5", 100), Some(vec![(95, 99)]));
        assert_eq!(parse_range("bytes=0-1000", 100), Some(vec![(0, 99)]));
        assert_eq!(parse_range("bytes=200-", 100), Some(vec![]));
        assert_eq!(
            parse_range("bytes=0-1,5-6", 100),
            Some(vec![(0, 1), (5, 6)])
        );
        assert_eq!(parse_range("items=0-1", 100), None);
        // Overlapping and adjacent ranges are coalesced, in order.
        assert_eq!(
            parse_range("bytes=50-60,0-9,5-20,21-30,55-", 100),
            Some(vec![(0, 30), (50, 99)])
        );
        // Thousands of overlapping ranges cannot multiply the body: over the limit, the header
        // is ignored (the whole file, once).
        let hostile = format!("bytes={}", vec!["0-1048575"; 15_000].join(","));
        assert_eq!(parse_range(&hostile, 1 << 20), None);
        let many = format!("bytes={}", vec!["0-1048575"; 100].join(","));
        assert_eq!(parse_range(&many, 1 << 20), Some(vec![(0, (1 << 20) - 1)]));
        assert_eq!(parse_range("bytes=5-1", 100), None);
    }

    #[test]
    fn hmac_matches_rfc4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
