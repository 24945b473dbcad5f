//! `POST /api/{type}/{repo}/commit/{rev}` (protocol §6.5): an NDJSON header plus operations, applied in
//! order on a branch or a `refs/pr/N` ref, or on a new pull request with `create_pr=1`.
//!
//! Choices where the Hub is not documented: a `parentCommit` that is not the head answers 412; an
//! `lfsFile` whose path no `.gitattributes` rule tracks gets an anchored rule appended to
//! `.gitattributes` in the same commit (as the Hub makes sure LFS paths are tracked).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use http::{StatusCode, Uri};
use serde_json::json;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::ndjson::{self, Line, LineError, LineReader};
use crate::api::context::{RepoContext, RepoRequest};
use crate::api::error::{HubError, HubResult};
use crate::api::files::RevParam;
use crate::api::{Access, AppState, QueryPairs};
use crate::auth::{Caller, Role};
use crate::storage::{
    CommitInput, MAX_REGULAR_FILE, NewPullRequest, Op, RepoRecord, Store, is_hex,
};

/// Most decoded regular-file bytes in one commit (the client documents 1 GB).
const MAX_REGULAR_PAYLOAD: u64 = 1024 * 1024 * 1024;

fn line_error(e: LineError) -> HubError {
    match e {
        LineError::TooLarge(m) => HubError::new(StatusCode::PAYLOAD_TOO_LARGE, m),
        LineError::Bad(m) => HubError::bad_request(m),
    }
}

/// Checks that `rev` names a branch or a pull request ref of `repo` and returns the commit target.
async fn commit_target(state: &AppState, repo: &RepoRecord, rev: &str) -> HubResult<String> {
    let refs = state.store.refs(repo).await?;
    let has = |name: &str| refs.iter().any(|r| r.name == name);
    if rev.starts_with("refs/pr/") || rev.starts_with("refs/heads/") {
        return if has(rev) {
            Ok(rev.to_owned())
        } else {
            Err(HubError::revision_not_found(rev))
        };
    }
    if has(&format!("refs/heads/{rev}")) {
        return Ok(rev.to_owned());
    }
    let refusal = |what: &str| {
        HubError::bad_request(format!(
            "Cannot commit to {what} {rev:?}: only branches and pull request refs (refs/pr/N) accept commits"
        ))
    };
    if has(&format!("refs/tags/{rev}")) {
        return Err(refusal("tag"));
    }
    if state.store.resolve_revision(repo, rev).await?.is_some() {
        return Err(refusal("revision"));
    }
    Err(HubError::revision_not_found(rev))
}

/// A `parentCommit` (5 to 40 hex digits) as a full commit id of `repo`; 412 when it names none.
async fn full_parent(state: &AppState, repo: &RepoRecord, parent: &str) -> HubResult<String> {
    let parent = parent.to_ascii_lowercase();
    if parent.len() < 5 || parent.len() > 40 || !parent.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(HubError::bad_request(format!(
            "invalid parentCommit {parent:?}: expected 5 to 40 hex digits"
        )));
    }
    let found = state.store.resolve_revision(repo, &parent).await?;
    match found {
        Some(id) if id.starts_with(&parent) => Ok(id),
        _ => Err(HubError::new(
            StatusCode::PRECONDITION_FAILED,
            format!("parentCommit {parent} is not a commit of this repository"),
        )),
    }
}

/// Most operations in one commit. The client documents 25k LFS files per commit; regular files,
/// deletions and copies share the same cap, four times that (the repo size past which the client
/// warns is 100k files), so any commit a client can make fits while the parsed operations stay bounded.
pub(crate) const MAX_OPERATIONS: usize = 100_000;
/// Most `lfsFile` operations in one commit (the client documents 25k).
pub(crate) const MAX_LFS_OPERATIONS: usize = 25_000;
/// Commits whose bodies are read and applied at once; later ones wait [`COMMIT_WAIT`], then 429.
const COMMIT_SLOTS: usize = 8;
/// Decoded regular-file bytes all commits may hold at once (each file is held from its line's
/// decoding until its blob is stored): four files of the largest size.
const INLINE_IN_FLIGHT: usize = 4 * MAX_REGULAR_FILE;
/// How long a commit waits for a slot (or for inline-byte budget) before a 429.
const COMMIT_WAIT: Duration = Duration::from_secs(10);
/// The `Retry-After` of that 429, in seconds.
const COMMIT_RETRY_AFTER: u64 = 2;

/// Bounds the commits in flight (issue 16 item 9): how many are read and applied at once, and how
/// many decoded regular-file bytes they hold together (a file is stored as soon as its line is
/// read, so only files being stored count).
#[derive(Debug)]
pub struct CommitGate {
    slots: Arc<Semaphore>,
    inline: Arc<Semaphore>,
    wait: Duration,
}

impl Default for CommitGate {
    fn default() -> Self {
        Self::new(COMMIT_SLOTS, INLINE_IN_FLIGHT, COMMIT_WAIT)
    }
}

/// What one commit holds of the gate; released when dropped.
pub(crate) struct CommitPass {
    _slot: OwnedSemaphorePermit,
    gate_inline: Arc<Semaphore>,
    wait: Duration,
}

fn busy(what: &str) -> HubError {
    HubError::new(
        StatusCode::TOO_MANY_REQUESTS,
        format!("Too many commits in progress ({what}): retry later"),
    )
    .with_header(http::header::RETRY_AFTER, COMMIT_RETRY_AFTER.to_string())
}

impl CommitGate {
    /// A gate of `slots` concurrent commits holding at most `inline_bytes` decoded bytes together,
    /// where a commit waits at most `wait` for either.
    pub(crate) fn new(slots: usize, inline_bytes: usize, wait: Duration) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(slots)),
            inline: Arc::new(Semaphore::new(inline_bytes.min(Semaphore::MAX_PERMITS))),
            wait,
        }
    }

    /// Takes a commit slot, waiting at most the gate's wait; a 429 with `Retry-After` past it.
    pub(crate) async fn enter(&self) -> HubResult<CommitPass> {
        let slot = tokio::time::timeout(self.wait, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| busy("all commit slots are taken"))?
            .map_err(|_| HubError::internal("commit gate closed"))?;
        Ok(CommitPass {
            _slot: slot,
            gate_inline: self.inline.clone(),
            wait: self.wait,
        })
    }
}

impl CommitPass {
    /// Reserves `bytes` decoded bytes until the returned permit is dropped (429 when the budget
    /// stays exhausted).
    async fn hold(&self, bytes: usize) -> HubResult<Option<OwnedSemaphorePermit>> {
        let n = u32::try_from(bytes).map_err(|_| busy("a file is too large"))?;
        if n == 0 {
            return Ok(None);
        }
        let permit =
            tokio::time::timeout(self.wait, self.gate_inline.clone().acquire_many_owned(n))
                .await
                .map_err(|_| busy("too much inline content in flight"))?
                .map_err(|_| HubError::internal("commit gate closed"))?;
        Ok(Some(permit))
    }
}

/// Reads the NDJSON body line by line (never more than one line held undecoded): the header, then
/// the operations (paths checked, LFS objects checked against the objects `repo` may use), within
/// [`MAX_OPERATIONS`], [`MAX_LFS_OPERATIONS`] and [`MAX_REGULAR_PAYLOAD`]. Each regular file is
/// stored as soon as its line is decoded (its bytes counted in `pass` meanwhile), so a commit holds
/// at most one file's bytes, not the whole body.
async fn read_commit_body(
    store: &Store,
    repo: &RepoRecord,
    pass: &CommitPass,
    body: Body,
) -> HubResult<(ndjson::HeaderValue, Vec<Op>)> {
    let mut reader = LineReader::new(body.into_data_stream());
    let first = reader
        .next_line()
        .await
        .map_err(line_error)?
        .ok_or_else(|| HubError::bad_request("empty commit: the first line must be the header"))?;
    let Line::Header(header) = ndjson::parse_line(&first, 1).map_err(HubError::bad_request)? else {
        return Err(HubError::bad_request(
            "the first commit line must be the header",
        ));
    };
    let path_ok =
        |p: &str| -> HubResult<String> { ndjson::checked_repo_path(p).map(str::to_owned) };
    let mut ops = Vec::new();
    let mut lfs_count = 0usize;
    let mut regular_bytes = 0u64;
    let mut number = 1;
    while let Some(line) = reader.next_line().await.map_err(line_error)? {
        number += 1;
        if ops.len() >= MAX_OPERATIONS {
            return Err(HubError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("more than {MAX_OPERATIONS} operations in one commit: split it"),
            ));
        }
        match ndjson::parse_line(&line, number).map_err(HubError::bad_request)? {
            Line::Header(_) => {
                return Err(HubError::bad_request(format!(
                    "line {number}: only the first line may be the header"
                )));
            }
            Line::File(v) => {
                let path = path_ok(&v.path)?;
                let bytes = ndjson::decode_content(&v).map_err(HubError::bad_request)?;
                drop(v);
                if bytes.len() > MAX_REGULAR_FILE {
                    return Err(HubError::bad_request(format!(
                        "{path} is larger than {MAX_REGULAR_FILE} bytes: upload it through LFS"
                    )));
                }
                regular_bytes += bytes.len() as u64;
                if regular_bytes > MAX_REGULAR_PAYLOAD {
                    return Err(HubError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        format!(
                            "more than {MAX_REGULAR_PAYLOAD} bytes of regular files in one commit"
                        ),
                    ));
                }
                // Stored now, so that a commit never holds more than one file's bytes.
                let held = pass.hold(bytes.len()).await?;
                let (sha1, size) = store.store_regular(bytes).await?;
                drop(held);
                ops.push(Op::AddStoredRegular { path, sha1, size });
            }
            Line::LfsFile(v) => {
                let path = path_ok(&v.path)?;
                lfs_count += 1;
                if lfs_count > MAX_LFS_OPERATIONS {
                    return Err(HubError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        format!("more than {MAX_LFS_OPERATIONS} LFS files in one commit: split it"),
                    ));
                }
                if let Some(algo) = v.algo.as_deref()
                    && algo != "sha256"
                {
                    return Err(HubError::bad_request(format!(
                        "{path}: unsupported LFS algo {algo:?}"
                    )));
                }
                let oid = v.oid.to_ascii_lowercase();
                if !is_hex(&oid, 64) {
                    return Err(HubError::bad_request(format!(
                        "{path}: invalid LFS oid {:?}",
                        v.oid
                    )));
                }
                // Only objects this repo may use (issue 16 item 3): knowing another repo's oid is
                // not enough, the bytes must be uploaded to this one.
                match store.lfs_object_in(repo, &oid).await? {
                    None => {
                        return Err(HubError::bad_request(format!(
                            "LFS object {oid} of {path} was never uploaded to this repository: upload it first"
                        )));
                    }
                    Some(stored) if v.size.is_some_and(|s| s != stored) => {
                        return Err(HubError::bad_request(format!(
                            "LFS object {oid} of {path} has {stored} bytes, the commit says {}",
                            v.size.unwrap_or_default()
                        )));
                    }
                    Some(_) => {}
                }
                ops.push(Op::AddLfs {
                    path,
                    sha256: oid,
                    size: v.size,
                });
            }
            Line::DeletedFile(v) => ops.push(Op::DeleteFile {
                path: path_ok(&v.path)?,
            }),
            Line::DeletedFolder(v) => ops.push(Op::DeleteFolder {
                path: path_ok(v.path.trim_end_matches('/'))?,
            }),
        }
    }
    Ok((header, ops))
}

/// Asks the store to make `.gitattributes` track the commit's LFS paths. The rules are read and
/// written inside the commit transaction (issue 16 item 10: read here, outside it, concurrent
/// commits lost each other's rules).
fn track_lfs_paths(ops: &mut Vec<Op>) {
    let paths: Vec<String> = ops
        .iter()
        .filter_map(|op| match op {
            Op::AddLfs { path, .. } if path != ".gitattributes" => Some(path.clone()),
            _ => None,
        })
        .collect();
    if !paths.is_empty() {
        ops.push(Op::TrackLfs { paths });
    }
}

/// `POST /api/{type}/{repo}/commit/{rev}`.
pub(super) async fn commit(
    request: RepoRequest,
    Path(RevParam { rev }): Path<RevParam>,
    uri: Uri,
    body: Body,
) -> HubResult<Response> {
    let create_pr = QueryPairs::parse(uri.query()).flag("create_pr")?;
    // A pull request ref takes commits from its author too (checked below), not only from writers.
    let pr_num = rev
        .strip_prefix("refs/pr/")
        .map(|n| {
            n.parse::<u64>()
                .map_err(|_| HubError::revision_not_found(&rev))
        })
        .transpose()?;
    let access = if create_pr || pr_num.is_some() {
        Access::Read
    } else {
        Access::Write
    };
    let RepoContext {
        state,
        repo,
        caller,
        headers,
    } = request.load(access).await?;
    // Anyone with a write token who can see the repo may open a pull request.
    let author = match &caller {
        Caller::Anonymous => {
            return Err(HubError::unauthorized(
                "You must be authenticated to commit",
            ));
        }
        Caller::User {
            role: Role::Read, ..
        } => {
            return Err(HubError::forbidden(
                "You don't have the rights to perform this action: this token is read-only",
            ));
        }
        Caller::User { name, .. } => name.clone(),
    };
    let target = if create_pr {
        None
    } else {
        Some(commit_target(&state, &repo, &rev).await?)
    };
    let pass = state.commit_gate.enter().await?;
    let (header, mut ops) = read_commit_body(&state.store, &repo, &pass, body).await?;
    // Checked once the body is read: answering before would leave it unread, and the client's
    // next request on the same keep-alive connection would find it closed.
    if let Some(num) = pr_num
        && !create_pr
    {
        let pr = state.store.open_pull_request(&repo, num).await?;
        if pr.author != author && state.auth.require_write(&caller, &repo.namespace).is_err() {
            return Err(HubError::forbidden(format!(
                "Only the author of pull request #{num} or a maintainer of the repo can commit to it"
            )));
        }
    }
    let summary = header.summary.trim().to_owned();
    if summary.is_empty() {
        return Err(HubError::bad_request(
            "The commit summary must not be empty",
        ));
    }
    let description = header.description.unwrap_or_default();
    let parent = match header.parent_commit.as_deref() {
        Some(p) => Some(full_parent(&state, &repo, p).await?),
        None => None,
    };
    // Issue 15: pull requests target branches; the Hub refuses one opened against a commit id.
    if create_pr && rev.len() >= 7 && crate::storage::is_hex(&rev, rev.len()) {
        let branch = format!("refs/heads/{rev}");
        if !state
            .store
            .refs(&repo)
            .await?
            .iter()
            .any(|r| r.name == branch)
        {
            return Err(HubError::revision_not_found(&rev));
        }
    }
    let base = match (&parent, &target) {
        (Some(p), _) if create_pr => p.clone(),
        (_, Some(target)) => state.resolve_rev(&repo, target).await?,
        (_, None) => state.resolve_rev(&repo, &rev).await?,
    };
    track_lfs_paths(&mut ops);
    let old_sha = (!create_pr).then(|| base.clone());
    let (target, parent_commit, pr) = match target {
        Some(target) => (target, parent, None),
        None => {
            // The pull request merges into the branch named by the URL (else `main`).
            let base_ref = if state
                .store
                .refs(&repo)
                .await?
                .iter()
                .any(|r| r.name == format!("refs/heads/{rev}"))
            {
                format!("refs/heads/{rev}")
            } else if rev.starts_with("refs/heads/") {
                rev.clone()
            } else {
                "refs/heads/main".to_owned()
            };
            let pr = NewPullRequest {
                base_ref,
                base_commit: base.clone(),
                status: "open",
            };
            let num = state
                .store
                .create_discussion(&repo, &summary, &author, &description, Some(pr))
                .await?;
            (format!("refs/pr/{num}"), None, Some(num))
        }
    };
    let outcome = state
        .store
        .commit(
            &repo,
            &target,
            CommitInput {
                summary: summary.clone(),
                description,
                parent_commit,
                author: author.clone(),
                ops,
            },
        )
        .await?;
    // Issue 10: a commit on a pull request is one of its events.
    if let Some(num) = pr.or(pr_num) {
        state
            .store
            .pr_commit_event(&repo, num, &author, &summary, &outcome.commit_id)
            .await?;
    }
    let refs = vec![crate::webhooks::UpdatedRef {
        name: outcome.target_ref.clone(),
        old_sha,
        new_sha: Some(outcome.commit_id.clone()),
    }];
    crate::webhooks::emit(
        &state,
        crate::webhooks::HubEvent::new(
            repo.clone(),
            crate::webhooks::EventKind::RefsUpdated { refs },
        ),
    );
    let repo_url = format!(
        "{}/{}{}",
        state.public_base(&headers),
        repo.repo_type.url_prefix(),
        repo.full_id()
    );
    let mut answer = json!({
        "success": true,
        "commitOid": outcome.commit_id,
        "commitUrl": format!("{repo_url}/commit/{}", outcome.commit_id),
        "hookOutput": "",
    });
    if let Some(num) = pr {
        answer["pullRequestUrl"] = json!(format!("{repo_url}/discussions/{num}"));
    }
    Ok(axum::Json(answer).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn retry_after(e: &HubError) -> Option<&str> {
        e.headers
            .iter()
            .find(|(n, _)| n == http::header::RETRY_AFTER)
            .map(|(_, v)| v.as_str())
    }

    #[tokio::test]
    async fn the_gate_bounds_commits_and_inline_bytes() {
        let gate = CommitGate::new(1, 10, Duration::from_millis(50));
        let first = gate.enter().await.unwrap();
        let busy = gate.enter().await.err().unwrap();
        assert_eq!(busy.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(retry_after(&busy), Some("2"));
        let six = first.hold(6).await.unwrap();
        let four = first.hold(4).await.unwrap();
        let full = first.hold(1).await.err().unwrap();
        assert_eq!(full.status, StatusCode::TOO_MANY_REQUESTS);
        // Bytes are given back once stored, the slot when the commit ends.
        drop(six);
        let again = first.hold(6).await.unwrap();
        drop((again, four, first));
        let second = gate.enter().await.unwrap();
        assert!(second.hold(10).await.unwrap().is_some());
    }

    /// Issue 16 item 9: each file is stored as soon as its line is read, so a body whose files
    /// together exceed the in-flight budget goes through; the operations hold no bytes.
    #[tokio::test]
    async fn commit_bodies_are_stored_line_by_line() {
        use base64::Engine as _;
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let repo = store
            .create_repo(crate::storage::NewRepo {
                repo_type: hf_types::RepoType::Model,
                namespace: "alice".into(),
                name: "s".into(),
                private: false,
                sdk: None,
                extra: serde_json::json!({}),
            })
            .await
            .unwrap();
        let gate = CommitGate::new(1, 100, Duration::from_millis(50));
        let pass = gate.enter().await.unwrap();
        let mut body = String::from("{\"key\":\"header\",\"value\":{\"summary\":\"s\"}}\n");
        for i in 0..5u8 {
            let content = base64::engine::general_purpose::STANDARD.encode([i; 60]);
            body.push_str(&format!(
                "{{\"key\":\"file\",\"value\":{{\"path\":\"f{i}\",\"content\":\"{content}\"}}}}\n"
            ));
        }
        let (_, ops) = read_commit_body(&store, &repo, &pass, Body::from(body))
            .await
            .unwrap();
        assert_eq!(ops.len(), 5);
        for op in &ops {
            let Op::AddStoredRegular { sha1, size, .. } = op else {
                panic!("{op:?}")
            };
            assert_eq!(*size, 60);
            assert!(store.blob_path(sha1).unwrap().is_file());
        }
    }

    #[test]
    fn lfs_paths_are_tracked_in_the_transaction() {
        let mut ops = vec![
            Op::AddLfs {
                path: "a.bin".into(),
                sha256: "0".repeat(64),
                size: None,
            },
            Op::AddLfs {
                path: ".gitattributes".into(),
                sha256: "1".repeat(64),
                size: None,
            },
            Op::DeleteFile { path: "x".into() },
        ];
        track_lfs_paths(&mut ops);
        assert!(matches!(ops.last(), Some(Op::TrackLfs { paths }) if paths == &["a.bin"]));
        let mut none = vec![Op::DeleteFile { path: "x".into() }];
        track_lfs_paths(&mut none);
        assert_eq!(none.len(), 1);
    }
}
