//! The commit endpoint's NDJSON body: a bounded line reader and the typed lines (protocol §6.5).

use base64::Engine as _;
use bytes::{Buf, Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use serde::Deserialize;

use crate::api::error::{HubError, HubResult};

/// Largest commit body accepted (the client documents 1 GB of regular payload, base64 adds a third).
pub(crate) const MAX_COMMIT_BODY: u64 = 2 * 1024 * 1024 * 1024;

/// Largest single NDJSON line: a regular file of the store's maximum size in base64, plus JSON.
pub(crate) const MAX_LINE: usize = crate::storage::MAX_REGULAR_FILE / 3 * 4 + 64 * 1024;

/// Why the body could not be read as NDJSON lines.
#[derive(Debug, thiserror::Error)]
pub(crate) enum LineError {
    /// The body or one line is larger than allowed (413).
    #[error("{0}")]
    TooLarge(String),
    /// The body failed or is malformed (400).
    #[error("{0}")]
    Bad(String),
}

/// Splits a streamed body into `\n`-terminated lines without holding more than one line
/// (plus one chunk) in memory.
pub(crate) struct LineReader<S> {
    stream: S,
    buf: BytesMut,
    total: u64,
    eof: bool,
}

impl<S, E> LineReader<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    /// Wraps a body stream.
    pub(crate) fn new(stream: S) -> Self {
        Self {
            stream,
            buf: BytesMut::new(),
            total: 0,
            eof: false,
        }
    }

    /// The next non-empty line (without its `\n`), or `None` at the end of the body.
    pub(crate) async fn next_line(&mut self) -> Result<Option<Bytes>, LineError> {
        loop {
            if let Some(pos) = self.buf.iter().position(|&b| b == b'\n') {
                let line = self.buf.split_to(pos).freeze();
                self.buf.advance(1);
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                return Ok(Some(line));
            }
            if self.buf.len() > MAX_LINE {
                return Err(LineError::TooLarge(format!(
                    "a commit line is larger than {MAX_LINE} bytes"
                )));
            }
            if self.eof {
                if self.buf.iter().all(u8::is_ascii_whitespace) {
                    return Ok(None);
                }
                return Ok(Some(self.buf.split().freeze()));
            }
            match self.stream.next().await {
                Some(Ok(chunk)) => {
                    self.total += chunk.len() as u64;
                    if self.total > MAX_COMMIT_BODY {
                        return Err(LineError::TooLarge(format!(
                            "commit payload larger than {MAX_COMMIT_BODY} bytes"
                        )));
                    }
                    self.buf.extend_from_slice(&chunk);
                }
                Some(Err(e)) => {
                    return Err(LineError::Bad(format!(
                        "failed to read the commit body: {e}"
                    )));
                }
                None => self.eof = true,
            }
        }
    }
}

/// The `header` line's value.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HeaderValue {
    pub(crate) summary: String,
    #[serde(default)]
    pub(crate) description: Option<String>,
    #[serde(default)]
    pub(crate) parent_commit: Option<String>,
}

/// A `file` line's value.
#[derive(Debug, Deserialize)]
pub(crate) struct FileValue {
    pub(crate) path: String,
    pub(crate) content: String,
    #[serde(default)]
    pub(crate) encoding: Option<String>,
}

/// An `lfsFile` line's value (`size` absent for copies).
#[derive(Debug, Deserialize)]
pub(crate) struct LfsFileValue {
    pub(crate) path: String,
    #[serde(default)]
    pub(crate) algo: Option<String>,
    pub(crate) oid: String,
    #[serde(default)]
    pub(crate) size: Option<u64>,
}

/// A `deletedFile` / `deletedFolder` line's value.
#[derive(Debug, Deserialize)]
pub(crate) struct PathValue {
    pub(crate) path: String,
}

/// One line of the commit body.
#[derive(Debug, Deserialize)]
#[serde(tag = "key", content = "value")]
pub(crate) enum Line {
    /// The commit header (first line).
    #[serde(rename = "header")]
    Header(HeaderValue),
    /// Add a regular file.
    #[serde(rename = "file")]
    File(FileValue),
    /// Add an LFS file by reference.
    #[serde(rename = "lfsFile")]
    LfsFile(LfsFileValue),
    /// Delete one file.
    #[serde(rename = "deletedFile")]
    DeletedFile(PathValue),
    /// Delete a folder recursively.
    #[serde(rename = "deletedFolder")]
    DeletedFolder(PathValue),
}

/// Parses one NDJSON line.
pub(crate) fn parse_line(line: &[u8], number: usize) -> Result<Line, String> {
    serde_json::from_slice(line).map_err(|e| format!("invalid commit line {number}: {e}"))
}

/// Decodes a `file` line's content (`base64`, the default, or `utf-8`).
pub(crate) fn decode_content(value: &FileValue) -> Result<Bytes, String> {
    match value.encoding.as_deref().unwrap_or("base64") {
        "base64" => base64::engine::general_purpose::STANDARD
            .decode(value.content.as_bytes())
            .map(Bytes::from)
            .map_err(|e| format!("invalid base64 content for {:?}: {e}", value.path)),
        "utf-8" | "utf8" => Ok(Bytes::from(value.content.clone().into_bytes())),
        other => Err(format!(
            "unknown encoding {other:?} for {:?} (expected base64 or utf-8)",
            value.path
        )),
    }
}

/// Checks an upload path as the Hub answers: 422 for a path starting with `..\` (issue 15 item 6; other
/// backslashes are ordinary characters), 400 for what [`check_repo_path`] refuses.
pub(crate) fn checked_repo_path(path: &str) -> HubResult<&str> {
    if path.starts_with("..\\") {
        return Err(HubError::new(
            http::StatusCode::UNPROCESSABLE_ENTITY,
            format!("Invalid path {path:?}: a path cannot start with '..\\'"),
        ));
    }
    check_repo_path(path).map_err(HubError::bad_request)
}

/// Checks a path received in an upload request: no absolute paths, `..`/`.` or empty
/// segments, NUL or line breaks, and no `.git` segment (a backslash is an ordinary character). Returns it
/// unchanged.
pub(crate) fn check_repo_path(path: &str) -> Result<&str, String> {
    // Size limits first (issue 16 item 8): every later check is then cheap.
    crate::storage::check_path_limits(path).map_err(|e| e.to_string())?;
    let bad = |why: &str| Err(format!("Invalid path {path:?}: {why}"));
    if path.starts_with('/') {
        return bad("absolute paths are not allowed");
    }
    if path.contains('\n') || path.contains('\r') {
        return bad("line breaks are not allowed");
    }
    let checked = match hf_types::RepoPath::validate(path) {
        Ok(p) => p,
        Err(e) => return Err(e.to_string()),
    };
    if checked != path {
        return bad("the path must be normalised");
    }
    if path.split('/').any(|s| s == ".git") {
        return bad("'.git' segments are not allowed");
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::stream;

    fn reader(
        chunks: Vec<&'static [u8]>,
    ) -> LineReader<impl Stream<Item = Result<Bytes, String>> + Unpin> {
        LineReader::new(stream::iter(
            chunks
                .into_iter()
                .map(|c| Ok::<_, String>(Bytes::from_static(c))),
        ))
    }

    #[tokio::test]
    async fn splits_lines_across_chunks() {
        let mut r = reader(vec![b"{\"a\":1}\n{\"b", b"\":2}\n\n", b"  \n{\"c\":3}"]);
        assert_eq!(r.next_line().await.unwrap().unwrap(), &b"{\"a\":1}"[..]);
        assert_eq!(r.next_line().await.unwrap().unwrap(), &b"{\"b\":2}"[..]);
        assert_eq!(r.next_line().await.unwrap().unwrap(), &b"{\"c\":3}"[..]);
        assert!(r.next_line().await.unwrap().is_none());
    }

    #[tokio::test]
    async fn body_errors_are_bad_requests() {
        let mut r = LineReader::new(stream::iter(vec![
            Ok(Bytes::from_static(b"{\"a\"")),
            Err("connection reset".to_owned()),
        ]));
        assert!(matches!(r.next_line().await, Err(LineError::Bad(_))));
    }

    #[test]
    fn parses_every_line_kind() {
        let h = parse_line(
            br#"{"key":"header","value":{"summary":"s","description":"d","parentCommit":"abcde"}}"#,
            1,
        )
        .unwrap();
        assert!(
            matches!(h, Line::Header(HeaderValue { ref parent_commit, .. }) if parent_commit.as_deref() == Some("abcde"))
        );
        let f = parse_line(
            br#"{"key":"file","value":{"path":"a.txt","content":"aGk=","encoding":"base64"}}"#,
            2,
        )
        .unwrap();
        let Line::File(f) = f else { panic!() };
        assert_eq!(decode_content(&f).unwrap(), &b"hi"[..]);
        let l = parse_line(
            br#"{"key":"lfsFile","value":{"path":"m","algo":"sha256","oid":"ab"}}"#,
            3,
        )
        .unwrap();
        assert!(matches!(l, Line::LfsFile(LfsFileValue { size: None, .. })));
        assert!(matches!(
            parse_line(br#"{"value":{"path":"x"},"key":"deletedFolder"}"#, 4).unwrap(),
            Line::DeletedFolder(_)
        ));
        assert!(parse_line(br#"{"key":"nope","value":{}}"#, 5).is_err());
        assert!(parse_line(b"not json", 6).is_err());
    }

    #[test]
    fn utf8_and_bad_encodings() {
        let v = FileValue {
            path: "a".into(),
            content: "héllo".into(),
            encoding: Some("utf-8".into()),
        };
        assert_eq!(decode_content(&v).unwrap(), "héllo".as_bytes());
        let v = FileValue {
            path: "a".into(),
            content: "!!".into(),
            encoding: None,
        };
        assert!(decode_content(&v).is_err());
        let v = FileValue {
            path: "a".into(),
            content: "x".into(),
            encoding: Some("hex".into()),
        };
        assert!(decode_content(&v).is_err());
    }

    #[test]
    fn path_checks() {
        for ok in [
            "a.txt",
            "dir/b.bin",
            ".gitattributes",
            "a/.github/x",
            "a..b",
            "a\\b",
            "folder/..\\..\\..\\file",
        ] {
            assert_eq!(check_repo_path(ok), Ok(ok));
        }
        let e = checked_repo_path("..\\x").unwrap_err();
        assert_eq!(e.status, http::StatusCode::UNPROCESSABLE_ENTITY);
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../b",
            "..\\x",
            "a\0b",
            ".git/config",
            "x/.git/y",
            "./a",
            "a//b",
            "a/",
            "a\nb",
        ] {
            assert!(check_repo_path(bad).is_err(), "accepted {bad:?}");
        }
    }
}
