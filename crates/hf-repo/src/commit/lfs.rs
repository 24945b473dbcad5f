//! LFS uploads (protocol §6.3, §6.4): the batch API, basic and multipart transfers, verify.

use std::collections::BTreeMap;
use std::sync::Arc;

use futures_util::{StreamExt, TryStreamExt};
use hf_http::{Body, ErrorContext, HubClient, RepoTarget, RequestBuilder, Url};
use hf_types::Revision;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use super::prepare::Data;
use super::progress::SharedUploadReporter;
use crate::{Error, Result};

const LFS_JSON: &str = "application/vnd.git-lfs+json";

/// Objects per batch request, as the Python client sends them.
pub(crate) const BATCH_SIZE: usize = 256;

/// One object of a batch answer.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct BatchObject {
    pub oid: String,
    pub size: u64,
    #[serde(default)]
    pub actions: Option<Actions>,
    #[serde(default)]
    pub error: Option<ObjectError>,
}

/// What the client must do with an object.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Actions {
    #[serde(default)]
    pub upload: Option<Action>,
    #[serde(default)]
    pub verify: Option<Action>,
}

/// A URL and its headers.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Action {
    pub href: String,
    #[serde(default)]
    pub header: BTreeMap<String, Value>,
}

/// An object the server refuses.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ObjectError {
    pub code: i64,
    pub message: String,
}

#[derive(Deserialize)]
struct BatchResponse {
    objects: Vec<BatchObject>,
}

#[derive(Serialize)]
struct Part<'a> {
    #[serde(rename = "partNumber")]
    part_number: u64,
    etag: &'a str,
}

/// Asks where to upload `objects` (oid, size). `revision` is `None` when the commit opens a PR.
pub(crate) async fn batch(
    target: &RepoTarget,
    revision: Option<&Revision>,
    objects: &[(String, u64)],
) -> Result<Vec<BatchObject>> {
    let url = target.client().route_url(&target.routes().lfs_batch())?;
    let mut body = json!({
        "operation": "upload",
        "transfers": ["basic", "multipart"],
        "objects": objects.iter().map(|(oid, size)| json!({"oid": oid, "size": size})).collect::<Vec<_>>(),
        "hash_algo": "sha256",
    });
    if let Some(rev) = revision {
        body["ref"] = json!({"name": rev.as_str()});
    }
    let answer: BatchResponse = target
        .post(url)
        .header("accept", LFS_JSON)
        .json(&body)
        .header("content-type", LFS_JSON)
        // Asking where to upload changes nothing: safe to repeat.
        .idempotent(true)
        .await?
        .json()
        .await?;
    let refused: Vec<String> = answer
        .objects
        .iter()
        .filter_map(|o| {
            o.error
                .as_ref()
                .map(|e| format!("{} ({} bytes): {} {}", o.oid, o.size, e.code, e.message))
        })
        .collect();
    if !refused.is_empty() {
        return Err(Error::LfsRefused(refused));
    }
    Ok(answer.objects)
}

fn parse_url(url: &str) -> Result<Url> {
    url.parse::<Url>()
        .map_err(|e| Error::protocol("LFS upload", format!("invalid URL {url:?}: {e}")))
}

/// A header value as a string (the Hub sends strings; numbers are accepted).
fn header_str(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `len` bytes of `data` from `offset`, as a body the retry layer can replay.
fn body_of(data: &Data, offset: u64, len: u64) -> Body {
    match data {
        Data::File(path) => Body::file_range(path.clone(), offset, len),
        Data::Memory(bytes) => {
            // Offsets come from the object's own size, which is the length of `bytes`.
            let start = offset as usize;
            let end = (offset + len) as usize;
            Body::from(bytes.slice(start.min(bytes.len())..end.min(bytes.len())))
        }
    }
}

/// Uploads one object as the batch answer says (basic or multipart), then verifies it.
/// `permits` bounds the transfer requests in flight across all files. Errors name the repo
/// and `path_in_repo`.
pub(crate) async fn transfer(
    target: &RepoTarget,
    object: &BatchObject,
    data: &Data,
    path_in_repo: &str,
    permits: &Arc<Semaphore>,
    reporter: &SharedUploadReporter,
) -> Result<()> {
    let Some(actions) = &object.actions else {
        return Ok(());
    };
    let Some(upload) = &actions.upload else {
        return Err(Error::protocol(
            "LFS batch",
            format!("object {} has actions but no upload action", object.oid),
        ));
    };
    let client = &FileClient {
        client: target.client(),
        context: target.context().with_path(path_in_repo),
    };
    reporter.on_upload_start(path_in_repo, object.size);
    match upload.header.get("chunk_size") {
        Some(chunk) => {
            let chunk = header_str(chunk)
                .and_then(|c| c.parse::<u64>().ok())
                .filter(|c| *c > 0)
                .ok_or_else(|| {
                    Error::protocol("LFS batch", format!("invalid chunk_size {chunk}"))
                })?;
            multipart(
                client,
                object,
                upload,
                chunk,
                data,
                path_in_repo,
                permits,
                reporter,
            )
            .await?;
        }
        None => {
            let _permit = permits.acquire().await.map_err(Error::task)?;
            client
                .put(parse_url(&upload.href)?)
                .no_auth()
                .raw_body(body_of(data, 0, object.size))
                .await?;
            reporter.on_upload_progress(path_in_repo, object.size);
        }
    }
    if let Some(verify) = &actions.verify {
        client
            .post(parse_url(&verify.href)?)
            .header("accept", LFS_JSON)
            .json(&json!({"oid": object.oid, "size": object.size}))
            .header("content-type", LFS_JSON)
            .idempotent(true)
            .await?;
    }
    reporter.on_upload_done(path_in_repo);
    Ok(())
}

/// Parts `1..=n` to the pre-signed URLs of `upload.header`, in parallel (each retried on its own
/// by the transport), then the completion request with their ETags.
#[allow(clippy::too_many_arguments)]
async fn multipart(
    client: &FileClient<'_>,
    object: &BatchObject,
    upload: &Action,
    chunk: u64,
    data: &Data,
    path_in_repo: &str,
    permits: &Arc<Semaphore>,
    reporter: &SharedUploadReporter,
) -> Result<()> {
    let parts = object.size.div_ceil(chunk);
    // The part URLs the Hub sent bound the work: checked before anything is sized by `parts`.
    let part_keys = upload
        .header
        .keys()
        .filter(|k| k.bytes().all(|b| b.is_ascii_digit()))
        .count() as u64;
    if part_keys != parts {
        return Err(Error::protocol(
            "LFS multipart upload",
            format!(
                "{} bytes in parts of {chunk} need {parts} part URLs, the Hub sent {part_keys}",
                object.size
            ),
        ));
    }
    let mut urls = Vec::with_capacity(part_keys as usize);
    for number in 1..=parts {
        let url = upload
            .header
            .get(&number.to_string())
            .and_then(header_str)
            .ok_or_else(|| {
                Error::protocol(
                    "LFS multipart upload",
                    format!("no URL for part {number} of {parts} of {}", object.oid),
                )
            })?;
        urls.push((number, parse_url(&url)?));
    }
    let in_flight = permits.available_permits().max(1);
    let etags: Vec<(u64, String)> = futures_util::stream::iter(urls)
        .map(|(number, url)| async move {
            let offset = (number - 1) * chunk;
            let len = chunk.min(object.size - offset);
            let _permit = permits.acquire().await.map_err(Error::task)?;
            let response = client
                .put(url)
                .no_auth()
                .raw_body(body_of(data, offset, len))
                .await?;
            let etag = response
                .header_str("etag")
                .filter(|e| !e.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| {
                    Error::protocol(
                        "LFS multipart upload",
                        format!("no ETag in the answer to part {number} of {}", object.oid),
                    )
                })?;
            reporter.on_upload_progress(path_in_repo, len);
            Ok::<_, Error>((number, etag))
        })
        .buffer_unordered(in_flight)
        .try_collect()
        .await?;
    let mut etags = etags;
    etags.sort_by_key(|(n, _)| *n);
    let body = json!({
        "oid": object.oid,
        "parts": etags.iter().map(|(n, e)| Part { part_number: *n, etag: e }).collect::<Vec<_>>(),
    });
    client
        .post(parse_url(&upload.href)?)
        .no_auth()
        .header("accept", LFS_JSON)
        .json(&body)
        .header("content-type", LFS_JSON)
        .await?;
    Ok(())
}

/// The client, and the context of the file an LFS transfer is about: every request of the
/// transfer carries it.
struct FileClient<'a> {
    client: &'a HubClient,
    context: ErrorContext,
}

impl FileClient<'_> {
    fn put(&self, url: Url) -> RequestBuilder {
        self.client.put(url).context(self.context.clone())
    }

    fn post(&self, url: Url) -> RequestBuilder {
        self.client.post(url).context(self.context.clone())
    }
}

/// Bytes as a memory body, for tests of `body_of`.
#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    #[test]
    fn memory_ranges() {
        let data = Data::Memory(Bytes::from_static(b"0123456789"));
        assert_eq!(body_of(&data, 3, 4).as_bytes(), Some(&b"3456"[..]));
        assert_eq!(body_of(&data, 8, 4).as_bytes(), Some(&b"89"[..]));
    }
}
