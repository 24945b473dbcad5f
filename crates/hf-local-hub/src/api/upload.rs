//! The upload endpoints of the REST API (protocol §6.2, §6.5, §6.6): preupload, commit and
//! `validate-yaml`. The LFS side (batch, transfers, verify) lives in [`super::lfs`].
//!
//! Preupload decides per file: `lfs` when a `filter=lfs` rule of the `.gitattributes` at the revision
//! matches the path, when the file has at least [`LFS_SIZE_THRESHOLD`] bytes, or when its sample looks
//! binary (a NUL byte, or invalid UTF-8 other than a sequence cut by the 512-byte sample limit); else
//! `regular`. `shouldIgnore` follows the `gitIgnore` of the request when given, else the `.gitignore` at
//! the revision.

mod commit;
pub(crate) mod ndjson;

pub(crate) use commit::CommitGate;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine as _;
use http::Uri;
use serde::Deserialize;
use serde_json::{Value, json};

use super::context::{RepoContext, RepoRequest, RepoRoutes};
use super::error::{HubError, HubResult};
use super::files::RevParam;
use super::{Access, AppState, MAX_API_BODY, QueryPairs};
use crate::patterns::{GitAttributes, GitIgnore};
use crate::storage::{EntryKind, Store};

/// Files of at least this many bytes are uploaded through LFS (the Hub documents "larger than 10MB").
pub const LFS_SIZE_THRESHOLD: u64 = 10_000_000;

/// Largest `.gitattributes` / `.gitignore` read from a revision.
const MAX_RULES_FILE: u64 = 16 * 1024 * 1024;

/// Most files accepted in one preupload call (the client sends chunks of 256).
const MAX_PREUPLOAD_FILES: usize = 10_000;

/// The upload routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .repo_route("/api/{t}/{ns}/{name}/preupload/{rev}", post(preupload))
        .repo_route("/api/{t}/{ns}/{name}/commit/{rev}", post(commit::commit))
        .route("/api/validate-yaml", post(super::validate::validate_yaml))
        .layer(DefaultBodyLimit::max(MAX_API_BODY))
}

#[derive(Deserialize)]
struct PreuploadRequest {
    files: Vec<PreuploadFile>,
    #[serde(default, rename = "gitIgnore")]
    git_ignore: Option<String>,
}

#[derive(Deserialize)]
struct PreuploadFile {
    path: String,
    #[serde(default)]
    sample: String,
    size: u64,
}

/// Whether a file's first bytes look binary. `size` tells whether the sample is the whole file: a
/// UTF-8 sequence cut at the end of a partial sample is not a sign of binary content.
pub fn looks_binary(sample: &[u8], size: u64) -> bool {
    if sample.contains(&0) {
        return true;
    }
    match std::str::from_utf8(sample) {
        Ok(_) => false,
        Err(e) => e.error_len().is_some() || sample.len() as u64 >= size,
    }
}

/// The upload mode the Hub would answer for one file: `"lfs"` or `"regular"`.
pub fn upload_mode(
    attributes: &GitAttributes,
    path: &str,
    size: u64,
    sample: &[u8],
) -> &'static str {
    if attributes.is_lfs(path) || size >= LFS_SIZE_THRESHOLD || looks_binary(sample, size) {
        "lfs"
    } else {
        "regular"
    }
}

/// The text of a regular file at `commit`, or empty when absent (or not readable as rules).
async fn rules_file(store: &Store, commit: &str, path: &str) -> HubResult<String> {
    Ok(store
        .read_file_at(commit, path, MAX_RULES_FILE)
        .await?
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default())
}

/// `POST /api/{type}/{repo}/preupload/{rev}`.
async fn preupload(
    request: RepoRequest,
    Path(RevParam { rev }): Path<RevParam>,
    uri: Uri,
    body: Bytes,
) -> HubResult<Response> {
    let query = QueryPairs::parse(uri.query());
    // Opening a pull request needs only read access (protocol §6.2).
    // Pull request refs take commits from their author (the commit checks who).
    let access = if query.flag("create_pr")? || rev.starts_with("refs/pr/") {
        Access::Read
    } else {
        Access::Write
    };
    let RepoContext { state, repo, .. } = request.load(access).await?;
    let commit = state.resolve_rev(&repo, &rev).await?;
    let request: PreuploadRequest = serde_json::from_slice(&body)
        .map_err(|e| HubError::bad_request(format!("invalid preupload request: {e}")))?;
    if request.files.len() > MAX_PREUPLOAD_FILES {
        return Err(HubError::bad_request(format!(
            "too many files in one preupload call (at most {MAX_PREUPLOAD_FILES})"
        )));
    }
    // Path sizes before any rule matching or lookup (issue 16 item 8).
    for file in &request.files {
        crate::storage::check_path_limits(&file.path)?;
    }
    let attributes =
        GitAttributes::parse(&rules_file(&state.store, &commit, ".gitattributes").await?);
    let ignore_text = match request.git_ignore {
        Some(text) => text,
        None => rules_file(&state.store, &commit, ".gitignore").await?,
    };
    // Rule matching is CPU work whose cost the client chooses: off the async workers, and
    // within a step budget (a 400 when the rules are too costly).
    let answers = tokio::task::spawn_blocking(move || {
        let ignore = GitIgnore::parse(&ignore_text);
        let mut answers = Vec::with_capacity(request.files.len());
        for file in request.files {
            let path = ndjson::checked_repo_path(&file.path)?.to_owned();
            let sample = base64::engine::general_purpose::STANDARD
                .decode(file.sample.as_bytes())
                .map_err(|e| {
                    HubError::bad_request(format!("invalid base64 sample for {path:?}: {e}"))
                })?;
            let mode = upload_mode(&attributes, &path, file.size, &sample);
            let ignored = ignore.is_ignored(&path);
            answers.push((path, mode, ignored));
        }
        if attributes.exhausted() || ignore.exhausted() {
            return Err(HubError::bad_request(
                "the .gitattributes or .gitignore rules are too costly to match against these paths",
            ));
        }
        Ok(answers)
    })
    .await
    .map_err(|e| HubError::internal(format!("preupload matching failed: {e}")))??;
    let mut files = Vec::with_capacity(answers.len());
    for (path, mode, ignored) in answers {
        let mut answer = json!({
            "path": path,
            "uploadMode": mode,
            "shouldIgnore": ignored,
        });
        if let Some(entry) = state.store.tree_entry(&commit, &path).await?
            && entry.kind == EntryKind::File
        {
            let oid = entry.lfs.map_or(entry.oid, |l| l.sha256);
            answer["oid"] = Value::String(oid);
        }
        files.push(answer);
    }
    Ok(axum::Json(json!({"files": files, "commitOid": commit})).into_response())
}

/// Light check of a README's YAML front matter (the block between a first `---` line and the next
/// `---` or `...` line): top-level lines must be `key: value` (or `key:` opening a nested block),
/// keys unique, indentation without tabs, brackets and braces balanced. Returns the problems found.
pub fn check_front_matter(content: &str) -> Vec<String> {
    let content = content.strip_prefix('\u{feff}').unwrap_or(content);
    let mut lines = content.lines();
    if lines.next().map(str::trim_end) != Some("---") {
        return Vec::new();
    }
    let block: Vec<&str> = lines
        .take_while(|l| !matches!(l.trim_end(), "---" | "..."))
        .collect();
    let closed = content.lines().nth(1 + block.len()).is_some();
    if !closed {
        // An unclosed block is not metadata (the first line was a markdown rule).
        return Vec::new();
    }
    let mut errors = Vec::new();
    let mut keys = std::collections::BTreeSet::new();
    let mut seen_key = false;
    let mut depth = 0i64;
    for (i, line) in block.iter().enumerate() {
        let n = i + 2;
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = &line[..line.len() - trimmed.len()];
        if indent.contains('\t') {
            errors.push(format!(
                "line {n}: tabs are not allowed in YAML indentation"
            ));
            continue;
        }
        // Inside a multi-line flow collection, lines are values, not keys.
        let inside_flow = depth > 0;
        depth += bracket_balance(trimmed);
        if !indent.is_empty() || inside_flow {
            if !seen_key {
                errors.push(format!("line {n}: indented content before any key"));
            }
            continue;
        }
        if trimmed.starts_with("- ") || trimmed == "-" {
            // `key:` followed by `- item` lines at the same indentation is a valid YAML list.
            if !seen_key {
                errors.push(format!(
                    "line {n}: the metadata must be a mapping of keys, not a list"
                ));
            }
            continue;
        }
        let key = match trimmed.find(": ") {
            Some(i) => &trimmed[..i],
            None if trimmed.ends_with(':') => &trimmed[..trimmed.len() - 1],
            None => {
                errors.push(format!(
                    "line {n}: expected `key: value`, found {trimmed:?}"
                ));
                continue;
            }
        };
        let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
        if key.is_empty() {
            errors.push(format!("line {n}: empty key"));
        } else if !keys.insert(key.to_owned()) {
            errors.push(format!("line {n}: duplicated key {key:?}"));
        }
        seen_key = true;
    }
    if depth != 0 {
        errors.push("unbalanced brackets or braces in the metadata".to_owned());
    }
    errors
}

/// Net count of `[`/`{` minus `]`/`}` outside quotes and comments.
fn bracket_balance(line: &str) -> i64 {
    let mut balance = 0;
    let mut quote = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '#') => break,
            (None, '[' | '{') => balance += 1,
            (None, ']' | '}') => balance -= 1,
            _ => {}
        }
    }
    balance
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_detection() {
        assert!(!looks_binary(b"hello world\n", 12));
        assert!(looks_binary(b"PK\x03\x04\0\0", 6));
        assert!(looks_binary(&[0xff, 0xfe, 0x41], 3));
        // "é" cut by the sample limit: not binary when the file is longer than the sample.
        let cut = [b'a', 0xc3];
        assert!(!looks_binary(&cut, 1000));
        assert!(looks_binary(&cut, 2));
        assert!(!looks_binary(b"", 0));
    }

    #[test]
    fn modes() {
        let attrs = GitAttributes::parse("*.bin filter=lfs diff=lfs merge=lfs -text\n");
        assert_eq!(
            upload_mode(&attrs, "lfs_file.bin", 11, b"hello world"),
            "lfs"
        );
        assert_eq!(upload_mode(&attrs, "a.txt", 11, b"hello world"), "regular");
        assert_eq!(upload_mode(&attrs, "a.txt", 10_000_000, b"hello"), "lfs");
        assert_eq!(upload_mode(&attrs, "a.txt", 9_999_999, b"hello"), "regular");
        assert_eq!(upload_mode(&attrs, "a.txt", 3, b"a\0b"), "lfs");
    }

    #[test]
    fn front_matter_ok() {
        assert!(check_front_matter("# Title\nno metadata").is_empty());
        assert!(
            check_front_matter(
                "---\nlicense: mit\ntags:\n- a\n- b\nwidget: [1, {a: 2}]\n---\ntext"
            )
            .is_empty()
        );
        assert!(
            check_front_matter("---\nlicense: mit\n").is_empty(),
            "unclosed = no metadata"
        );
        assert!(
            check_front_matter("---\nmodel-index:\n  - name: x\n    results: []\n...\n").is_empty()
        );
        assert!(check_front_matter("---\n# comment\n\"quoted key\": 1\nempty:\n---\n").is_empty());
    }

    #[test]
    fn front_matter_errors() {
        assert!(!check_front_matter("---\nthis is not yaml\n---\n").is_empty());
        assert!(!check_front_matter("---\na: 1\na: 2\n---\n").is_empty());
        assert!(!check_front_matter("---\n- a\n---\n").is_empty());
        assert!(!check_front_matter("---\na:\n\t- b\n---\n").is_empty());
        assert!(!check_front_matter("---\na: [1, 2\n---\n").is_empty());
        assert!(!check_front_matter("---\n  indented: first\n---\n").is_empty());
        assert!(check_front_matter("---\nw: [\n1,\n]\nx: 1\n---\n").is_empty());
    }
}
