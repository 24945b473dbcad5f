//! `POST /api/{type}/{repo}/commit/{rev}` (protocol §6.5): an NDJSON header plus operations, applied in
//! order on a branch or a `refs/pr/N` ref, or on a new pull request with `create_pr=1`.
//!
//! Choices where the Hub is not documented: a `parentCommit` that is not the head answers 412; an
//! `lfsFile` whose path no `.gitattributes` rule tracks gets an anchored rule appended to
//! `.gitattributes` in the same commit (as the Hub makes sure LFS paths are tracked).

use axum::body::Body;
use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use http::{StatusCode, Uri};
use serde_json::json;

use super::ndjson::{self, Line, LineError, LineReader};
use crate::api::context::{RepoContext, RepoRequest};
use crate::api::error::{HubError, HubResult};
use crate::api::files::RevParam;
use crate::api::{Access, AppState, QueryPairs};
use crate::auth::{Caller, Role};
use crate::patterns::{GitAttributes, lfs_rule_for_path};
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

/// Reads the NDJSON body: the header, then the operations (paths and LFS objects checked).
async fn read_commit_body(store: &Store, body: Body) -> HubResult<(ndjson::HeaderValue, Vec<Op>)> {
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
    let mut regular_bytes = 0u64;
    let mut number = 1;
    while let Some(line) = reader.next_line().await.map_err(line_error)? {
        number += 1;
        match ndjson::parse_line(&line, number).map_err(HubError::bad_request)? {
            Line::Header(_) => {
                return Err(HubError::bad_request(format!(
                    "line {number}: only the first line may be the header"
                )));
            }
            Line::File(v) => {
                let path = path_ok(&v.path)?;
                let bytes = ndjson::decode_content(&v).map_err(HubError::bad_request)?;
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
                ops.push(Op::AddRegular { path, bytes });
            }
            Line::LfsFile(v) => {
                let path = path_ok(&v.path)?;
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
                match store.lfs_object(&oid).await? {
                    None => {
                        return Err(HubError::bad_request(format!(
                            "LFS object {oid} of {path} was never uploaded: upload it first"
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

/// Appends `.gitattributes` rules for LFS paths no rule tracks, as one more operation.
async fn ensure_lfs_rules(store: &Store, base_commit: &str, ops: &mut Vec<Op>) -> HubResult<()> {
    const ATTRIBUTES: &str = ".gitattributes";
    let mut current: Option<String> = None;
    let mut lfs_paths = Vec::new();
    for op in ops.iter() {
        match op {
            Op::AddRegular { path, bytes } if path == ATTRIBUTES => {
                current = Some(String::from_utf8_lossy(bytes).into_owned());
            }
            Op::DeleteFile { path } if path == ATTRIBUTES => current = Some(String::new()),
            Op::AddLfs { path, .. } if path != ATTRIBUTES => lfs_paths.push(path.clone()),
            _ => {}
        }
    }
    if lfs_paths.is_empty() {
        return Ok(());
    }
    let text = match current {
        Some(text) => text,
        None => super::rules_file(store, base_commit, ATTRIBUTES).await?,
    };
    // CPU work the client chooses the cost of: off the async workers, within a step budget.
    let (mut text, missing) = tokio::task::spawn_blocking(move || {
        let attributes = GitAttributes::parse(&text);
        let missing: Vec<String> = lfs_paths
            .into_iter()
            .filter(|p| !attributes.is_lfs(p))
            .collect();
        if attributes.exhausted() {
            return Err(HubError::bad_request(
                "the .gitattributes rules are too costly to match against these paths",
            ));
        }
        Ok((text, missing))
    })
    .await
    .map_err(|e| HubError::internal(format!("matching .gitattributes failed: {e}")))??;
    if missing.is_empty() {
        return Ok(());
    }
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    for path in &missing {
        text.push_str(&lfs_rule_for_path(path));
        text.push('\n');
    }
    ops.push(Op::AddRegular {
        path: ATTRIBUTES.to_owned(),
        bytes: text.into_bytes().into(),
    });
    Ok(())
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
    let (header, mut ops) = read_commit_body(&state.store, body).await?;
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
    ensure_lfs_rules(&state.store, &base, &mut ops).await?;
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
