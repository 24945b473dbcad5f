//! Safetensors metadata read from the Hub without downloading the weights (protocol §3.9):
//! only the header of each file is fetched, with `Range` requests on the resolve URL.

use std::collections::BTreeMap;

use futures_util::{StreamExt, TryStreamExt};
use hf_http::{HubClient, RedirectPolicy, RepoTarget, StatusCode, Url};
use hf_types::{
    RepoId, RepoPath, RepoTreeEntry, Revision, SafetensorsFileMetadata, SafetensorsIndex,
    SafetensorsParseError, SafetensorsRepoMetadata, safetensors_header_length,
};

use crate::prelude::*;
use crate::refs::GetPathsInfo;
use crate::{Error, Result};

/// The weights of a single-file repo.
pub const SAFETENSORS_SINGLE_FILE: &str = "model.safetensors";
/// The index of a sharded repo.
pub const SAFETENSORS_INDEX_FILE: &str = "model.safetensors.index.json";

/// Bytes asked for by the first request: the 8-byte length and, for most files, the whole
/// header (`Range: bytes=0-100000`, as the Python client).
const FIRST_RANGE_END: u64 = 100_000;
/// Largest index file read (real indexes are a few MB at most).
const MAX_INDEX_SIZE: usize = 64 * 1024 * 1024;
/// Shard headers fetched at the same time.
const SHARD_CONCURRENCY: usize = 8;

/// `{E}/{prefix}{repo_id}/resolve/{rev}/{path}`.
fn resolve_url(target: &RepoTarget, revision: &Revision, path: &RepoPath) -> Result<Url> {
    target
        .client()
        .route_url(&target.routes().resolve(revision, path.as_str()))
}

fn parse_error(file: &RepoPath, reason: impl Into<String>) -> Error {
    Error::Safetensors {
        file: file.as_str().to_owned(),
        reason: reason.into(),
    }
}

/// Reads the header of one safetensors file (the algorithm of protocol §3.9).
async fn read_header(
    target: &RepoTarget,
    revision: &Revision,
    path: &RepoPath,
) -> Result<SafetensorsFileMetadata> {
    let url = resolve_url(target, revision, path)?;
    let context = target.context().with_path(path.as_str());
    // 1. The first 100 kB: the length and, usually, the whole header.
    let first = target
        .get(url.clone())
        .context(context.clone())
        .header("range", format!("bytes=0-{FIRST_RANGE_END}"))
        .follow_redirects(RedirectPolicy::All)
        .await?;
    // A server ignoring `Range` answers 200 with the whole file: read no more than asked.
    let prefix = first.bytes_limited(FIRST_RANGE_END as usize + 1).await?;
    // 2. The header length, refused above the maximum before anything is allocated for it.
    let length = safetensors_header_length(&prefix).map_err(|e| match e {
        SafetensorsParseError::TooShort(n) => parse_error(
            path,
            format!("the file is {n} bytes long, shorter than the 8-byte header length"),
        ),
        other => parse_error(path, other.to_string()),
    })?;
    let length_usize = usize::try_from(length).map_err(|_| {
        parse_error(
            path,
            format!("header length {length} does not fit in memory"),
        )
    })?;
    // 3. The header itself: in the first answer when it fits, else exactly its bytes.
    let header = if prefix.len() >= 8 + length_usize {
        prefix.slice(8..8 + length_usize)
    } else {
        drop(prefix);
        let second = target
            .get(url)
            .context(context)
            .header("range", format!("bytes=8-{}", length + 7))
            .follow_redirects(RedirectPolicy::All)
            .await?;
        let skip = if second.status() == StatusCode::PARTIAL_CONTENT {
            0
        } else {
            8
        };
        let body = second.bytes_limited(skip + length_usize).await?;
        if body.len() < skip + length_usize {
            return Err(parse_error(
                path,
                format!(
                    "the header is declared {length} bytes long but the file ends after {} of them",
                    body.len().saturating_sub(skip)
                ),
            ));
        }
        body.slice(skip..)
    };
    // 4. The JSON.
    SafetensorsFileMetadata::from_header_json(&header).map_err(|e| parse_error(path, e.to_string()))
}

/// Reads the header of one safetensors file on the Hub (no weights are downloaded): the Python
/// client's `parse_safetensors_file_metadata`.
///
/// Sends `GET` on the file's resolve URL with `Range: bytes=0-100000`, reads the 8-byte
/// little-endian header length and, when the header does not fit in that answer, a second
/// ranged `GET` for exactly the header. A header length above
/// [`SAFETENSORS_MAX_HEADER_LENGTH`](hf_types::SAFETENSORS_MAX_HEADER_LENGTH) or a header that is
/// not the expected JSON is an [`Error::Safetensors`] naming the file.
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_repo::Result<()> {
/// use hf_repo::safetensors::ParseSafetensorsFileMetadata;
/// let meta = ParseSafetensorsFileMetadata::new(
///     client,
///     "openai-community/gpt2".parse()?,
///     "model.safetensors".parse()?,
/// )
/// .await?;
/// println!("{} tensors, {} parameters", meta.tensors.len(), meta.total_parameters());
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct ParseSafetensorsFileMetadata {
    target: RepoTarget,
    filename: RepoPath,
}

impl ParseSafetensorsFileMetadata {
    /// Reads the header of `filename` in the model repo `repo_id` at `main`.
    pub fn new(client: HubClient, repo_id: RepoId, filename: RepoPath) -> Self {
        ParseSafetensorsFileMetadata {
            target: RepoTarget::new(client, repo_id),
            filename,
        }
    }

    async fn send(self) -> Result<SafetensorsFileMetadata> {
        read_header(
            &self.target,
            &self.target.revision_or_main(),
            &self.filename,
        )
        .await
    }
}
into_future!(ParseSafetensorsFileMetadata => SafetensorsFileMetadata, send);
hf_http::impl_repo_request!(ParseSafetensorsFileMetadata, revision);

/// The safetensors metadata of a whole repo: the Python client's `get_safetensors_metadata`.
///
/// The revision is first resolved to a commit, so that every file read comes from the same
/// commit. Then: if `model.safetensors` exists its header is read (`sharded = false`); else if
/// `model.safetensors.index.json` exists, it is read and the header of each shard it names is
/// read concurrently (`sharded = true`); else [`Error::NotASafetensorsRepo`].
///
/// ```no_run
/// # async fn demo(client: hf_http::HubClient) -> hf_repo::Result<()> {
/// use hf_repo::safetensors::GetSafetensorsMetadata;
/// let meta = GetSafetensorsMetadata::new(client, "bigscience/bloom".parse()?).await?;
/// println!("sharded: {}, parameters: {:?}", meta.sharded, meta.parameter_count());
/// # Ok(()) }
/// ```
#[must_use = "a request does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct GetSafetensorsMetadata {
    target: RepoTarget,
}

impl GetSafetensorsMetadata {
    /// Reads the safetensors metadata of the model repo `repo_id` at `main`.
    pub fn new(client: HubClient, repo_id: RepoId) -> Self {
        GetSafetensorsMetadata {
            target: RepoTarget::new(client, repo_id),
        }
    }

    /// The commit the revision points to (`GET /api/{type}/{repo_id}/revision/{rev}?expand=sha`).
    async fn commit(&self) -> Result<Revision> {
        let revision = self.target.revision_or_main();
        if revision.is_commit() {
            return Ok(revision);
        }
        let route = self
            .target
            .routes()
            .info(Some(revision.as_str()))
            .with("expand", "sha");
        let url = self.target.client().route_url(&route)?;
        let info: serde_json::Value = self.target.get(url.clone()).await?.json().await?;
        let sha = info
            .get("sha")
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| Error::protocol(url.as_str(), "no `sha` in the repo info"))?;
        sha.parse::<Revision>()
            .ok()
            .filter(Revision::is_commit)
            .ok_or_else(|| Error::protocol(url.as_str(), format!("invalid commit id {sha:?}")))
    }

    async fn run(self) -> Result<SafetensorsRepoMetadata> {
        let commit = self.commit().await?;
        let single: RepoPath = SAFETENSORS_SINGLE_FILE.parse()?;
        let index: RepoPath = SAFETENSORS_INDEX_FILE.parse()?;
        let found = GetPathsInfo::new(
            self.target.client().clone(),
            self.target.repo_id().clone(),
            [single.clone(), index.clone()],
        )
        .repo_type(self.target.repo_type())
        .revision(commit.clone())
        .await?;
        let exists = |path: &RepoPath| has_file(&found, path.as_str());
        if exists(&single) {
            let file = read_header(&self.target, &commit, &single).await?;
            return Ok(SafetensorsRepoMetadata::single(
                SAFETENSORS_SINGLE_FILE,
                file,
            ));
        }
        if !exists(&index) {
            return Err(Error::NotASafetensorsRepo {
                repo_id: self.target.repo_id().as_str().to_owned(),
                revision: self.target.revision_or_main().as_str().to_owned(),
            });
        }
        let index_meta = self.read_index(&commit, &index).await?;
        let shards = index_meta
            .files()
            .into_iter()
            .map(|f| {
                f.parse::<RepoPath>()
                    .map_err(|e| parse_error(&index, format!("invalid shard file name: {e}")))
            })
            .collect::<Result<Vec<_>>>()?;
        let (target, commit) = (&self.target, &commit);
        let files_metadata: BTreeMap<String, SafetensorsFileMetadata> =
            futures_util::stream::iter(shards)
                .map(|shard| async move {
                    let meta = read_header(target, commit, &shard).await?;
                    Ok::<_, Error>((shard.as_str().to_owned(), meta))
                })
                .buffer_unordered(SHARD_CONCURRENCY)
                .try_collect()
                .await?;
        Ok(SafetensorsRepoMetadata::sharded(index_meta, files_metadata))
    }

    /// Downloads and parses `model.safetensors.index.json`.
    async fn read_index(&self, commit: &Revision, index: &RepoPath) -> Result<SafetensorsIndex> {
        let url = resolve_url(&self.target, commit, index)?;
        let response = self
            .target
            .get(url)
            .context(self.target.context().with_path(index.as_str()))
            .follow_redirects(RedirectPolicy::All)
            .await?;
        if response
            .content_length()
            .is_some_and(|n| n > MAX_INDEX_SIZE as u64)
        {
            return Err(parse_error(
                index,
                format!("the index is larger than {MAX_INDEX_SIZE} bytes"),
            ));
        }
        let body = response.bytes_limited(MAX_INDEX_SIZE + 1).await?;
        if body.len() > MAX_INDEX_SIZE {
            return Err(parse_error(
                index,
                format!("the index is larger than {MAX_INDEX_SIZE} bytes"),
            ));
        }
        serde_json::from_slice(&body)
            .map_err(|e| parse_error(index, format!("invalid index JSON: {e}")))
    }
}

into_future!(GetSafetensorsMetadata => SafetensorsRepoMetadata, run);
hf_http::impl_repo_request!(GetSafetensorsMetadata, revision);

/// `true` when `entries` holds a file at `path`.
fn has_file(entries: &[RepoTreeEntry], path: &str) -> bool {
    entries.iter().any(|e| e.is_file() && e.path() == path)
}
