//! Streaming one file into a temp file: resume with `Range` after a broken
//! connection, verify size and hash at the end (protocol §4.3).

use std::path::PathBuf;
use std::time::Duration;

use bytes::BytesMut;
use futures_util::StreamExt;
use hf_http::{ErrorContext, HubClient};

use crate::Error;
use crate::net;
use crate::progress::Reporter;
use crate::writer::Writer;

/// Chunks smaller than this are merged before crossing to the writer thread.
const SMALL: usize = 256 * 1024;

/// What to fetch.
pub(crate) struct Fetch<'a> {
    /// The repo path, for messages and progress.
    pub file: &'a str,
    /// The URL to GET.
    pub url: &'a str,
    /// Send no token (pre-signed URL on another host).
    pub no_auth: bool,
    /// The normalised ETag: the expected hash when it is one.
    pub etag: &'a str,
    /// The expected size.
    pub size: u64,
    /// Per-read idle timeout.
    pub read_timeout: Option<Duration>,
    /// Where progress goes.
    pub reporter: &'a dyn Reporter,
    /// Repo, revision and file, carried by the requests into their errors.
    pub context: ErrorContext,
}

/// A failure worth resuming after: the connection broke or timed out, or the server failed
/// (5xx). Not offline mode, not an answer that says no.
pub(crate) fn retryable(e: &Error) -> bool {
    e.is_connection_problem() && !e.is_offline() || matches!(e, Error::Server(_))
}

/// Downloads `fetch` into `temp` (continuing from its current length, whose bytes are
/// re-hashed first). On a size or hash mismatch the temp file is deleted and an error
/// returned; on a network failure after the retries it is kept for a later resume.
pub(crate) async fn fetch_into(
    client: &HubClient,
    fetch: &Fetch<'_>,
    temp: PathBuf,
    max_connections: usize,
) -> Result<(), Error> {
    // A fresh large file whose ETag is its SHA-256 may go over several connections (a
    // partial file from an earlier run is resumed on one, after its prefix is re-hashed).
    let fresh = std::fs::metadata(&temp).map_or(true, |m| m.len() == 0);
    if fresh
        && crate::positioned::AVAILABLE
        && max_connections > 1
        && fetch.size >= crate::parallel::PARALLEL_MIN
        && crate::hash::EtagKind::of(fetch.etag) == crate::hash::EtagKind::Sha256
    {
        let tuning = crate::parallel::Tuning::new(max_connections);
        let done = crate::parallel::fetch_parallel(client, fetch, temp.clone(), tuning).await?;
        tracing::debug!(
            file = fetch.file,
            connections = done.connections,
            "parallel download done"
        );
        return verify(fetch, &temp, done.len, done.digest);
    }
    // The out-of-order file of a parallel download into `temp` that died is not resumable.
    let _ = std::fs::remove_file(crate::parallel::ranges_path(&temp));
    let mut writer = Writer::open(temp.clone(), fetch.etag.to_owned(), fetch.size).await?;
    fetch
        .reporter
        .on_download_start(fetch.file, fetch.size, writer.offset);
    // The client's policy decides how often and how long to wait; only failures in a row
    // count: a resume that made progress starts counting again.
    let mut retries = client.retry_policy().retries();
    loop {
        if writer.offset == fetch.size && fetch.size > 0 {
            break;
        }
        let start = writer.offset;
        let result = stream_once(client, fetch, &mut writer).await;
        match result {
            Ok(()) => break,
            Err(e) => {
                if writer.offset > start {
                    retries.reset();
                }
                let delay = if retryable(&e) {
                    retries.next_delay(None)
                } else {
                    None
                };
                let Some(delay) = delay else {
                    // Keep the partial file: a later call resumes it after re-hashing.
                    drop(writer);
                    return Err(e);
                };
                let attempt = retries.attempt();
                fetch.reporter.on_retry(fetch.file, writer.offset, attempt);
                tracing::debug!(file = fetch.file, offset = writer.offset, attempt, ?delay, error = %e, "download interrupted; resuming");
                client.retry_policy().sleep(delay).await;
            }
        }
    }
    let done = writer.finish().await?;
    verify(fetch, &temp, done.len, done.digest)
}

/// Checks the finished temp file's length and digest; deletes it on a mismatch.
fn verify(
    fetch: &Fetch<'_>,
    temp: &std::path::Path,
    len: u64,
    digest: Option<String>,
) -> Result<(), Error> {
    let discard = || {
        let _ = std::fs::remove_file(temp);
    };
    if len != fetch.size {
        discard();
        return Err(Error::SizeMismatch {
            file: fetch.file.to_owned(),
            expected: fetch.size,
            actual: len,
        });
    }
    if let Some(actual) = digest
        && !crate::hash::digest_matches(&actual, fetch.etag)
    {
        discard();
        return Err(Error::Integrity {
            file: fetch.file.to_owned(),
            expected: fetch.etag.to_owned(),
            actual,
        });
    }
    Ok(())
}

/// A small file whole in memory, verified (size and hash) before anyone sees it: the caller
/// writes it with a single blocking call (no writer thread, no resume bookkeeping: a broken
/// transfer is fetched again from the start, with the same retries as [`fetch_into`]).
pub(crate) async fn fetch_bytes(
    client: &HubClient,
    fetch: &Fetch<'_>,
) -> Result<bytes::Bytes, Error> {
    fetch.reporter.on_download_start(fetch.file, fetch.size, 0);
    let mut retries = client.retry_policy().retries();
    let bytes = loop {
        match get_whole(client, fetch).await {
            Ok(bytes) => break bytes,
            Err(e) => {
                let delay = if retryable(&e) {
                    retries.next_delay(None)
                } else {
                    None
                };
                let Some(delay) = delay else {
                    return Err(e);
                };
                fetch.reporter.on_retry(fetch.file, 0, retries.attempt());
                client.retry_policy().sleep(delay).await;
            }
        }
    };
    if bytes.len() as u64 != fetch.size {
        return Err(Error::SizeMismatch {
            file: fetch.file.to_owned(),
            expected: fetch.size,
            actual: bytes.len() as u64,
        });
    }
    let mut hasher = crate::ContentHasher::for_etag(fetch.etag, fetch.size);
    hasher.update(&bytes);
    if let Some(actual) = hasher.finish()
        && !crate::hash::digest_matches(&actual, fetch.etag)
    {
        return Err(Error::Integrity {
            file: fetch.file.to_owned(),
            expected: fetch.etag.to_owned(),
            actual,
        });
    }
    Ok(bytes)
}

/// One GET of a whole small body (at most `fetch.size` bytes are accepted).
async fn get_whole(client: &HubClient, fetch: &Fetch<'_>) -> Result<bytes::Bytes, Error> {
    let response = net::get(client, fetch, 0).await?;
    if response.status != 200 {
        return Err(Error::protocol(
            fetch.file,
            format!("unexpected status {}", response.status),
        ));
    }
    let mut body = response.body;
    let mut buf = BytesMut::with_capacity(fetch.size as usize);
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        fetch.reporter.on_progress(fetch.file, chunk.len() as u64);
        if (buf.len() + chunk.len()) as u64 > fetch.size {
            return Err(Error::protocol(
                fetch.file,
                format!(
                    "the server sent more than the announced {} bytes",
                    fetch.size
                ),
            ));
        }
        buf.extend_from_slice(&chunk);
    }
    if (buf.len() as u64) < fetch.size {
        return Err(Error::Transport {
            kind: hf_http::TransportKind::Connection,
            url: fetch.url.split('?').next().unwrap_or_default().to_owned(),
            source: format!("body ended at {} of {} bytes", buf.len(), fetch.size).into(),
        });
    }
    Ok(buf.freeze())
}

/// One GET from the writer's offset to the end of the body.
async fn stream_once(
    client: &HubClient,
    fetch: &Fetch<'_>,
    writer: &mut Writer,
) -> Result<(), Error> {
    let offset = writer.offset;
    let response = net::get(client, fetch, offset).await?;
    let protocol = |what: String| Error::protocol(fetch.file, what);
    match response.status {
        206 if offset > 0 => {
            let from = response
                .headers
                .get("content-range")
                .and_then(|v| v.to_str().ok())
                .and_then(parse_content_range_start);
            if from != Some(offset) {
                return Err(protocol(format!(
                    "asked for bytes {offset}- but got Content-Range {from:?}"
                )));
            }
        }
        200 if offset > 0 => writer.restart().await?,
        200 => {}
        206 => {
            // A 206 to a request without Range: only acceptable if it starts at 0.
            let from = response
                .headers
                .get("content-range")
                .and_then(|v| v.to_str().ok())
                .and_then(parse_content_range_start);
            if from != Some(0) {
                return Err(protocol("unexpected 206 Partial Content".into()));
            }
        }
        s => return Err(protocol(format!("unexpected status {s}"))),
    }
    let mut body = response.body;
    // Small network chunks are coalesced (fewer hand-offs); large ones are passed as is
    // (no copy).
    let mut buf = BytesMut::new();
    while let Some(chunk) = body.next().await {
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => {
                // Save what arrived before the break: the resume starts after it.
                if !buf.is_empty() {
                    writer.write(buf.split().freeze()).await?;
                }
                return Err(e);
            }
        };
        fetch.reporter.on_progress(fetch.file, chunk.len() as u64);
        if writer.offset + (buf.len() + chunk.len()) as u64 > fetch.size {
            return Err(protocol(format!(
                "the server sent more than the announced {} bytes",
                fetch.size
            )));
        }
        if buf.is_empty() && chunk.len() >= SMALL {
            writer.write(chunk).await?;
            continue;
        }
        buf.extend_from_slice(&chunk);
        if buf.len() >= SMALL {
            writer.write(buf.split().freeze()).await?;
        }
    }
    if !buf.is_empty() {
        writer.write(buf.split().freeze()).await?;
    }
    if writer.offset < fetch.size {
        // A clean end of body before the announced size: treat as a broken connection.
        return Err(Error::Transport {
            kind: hf_http::TransportKind::Connection,
            url: fetch.url.split('?').next().unwrap_or_default().to_owned(),
            source: format!("body ended at {} of {} bytes", writer.offset, fetch.size).into(),
        });
    }
    Ok(())
}

/// `bytes START-END/TOTAL` → START.
fn parse_content_range_start(v: &str) -> Option<u64> {
    let rest = v.trim().strip_prefix("bytes ")?;
    rest.split('-').next()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range() {
        assert_eq!(parse_content_range_start("bytes 100-199/200"), Some(100));
        assert_eq!(parse_content_range_start("bytes */200"), None);
    }
}
