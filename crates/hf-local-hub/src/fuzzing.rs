//! Entry points for the fuzz targets of `cargo xtask fuzz` (issue 16): the hub's parsers of
//! hostile input, reachable without a server. Not a stable API.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;

use crate::api::upload::ndjson::{self, Line, LineReader};
use crate::patterns::{GitAttributes, GitIgnore};

/// What [`commit_body`] saw.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct CommitBodyOutcome {
    /// Lines the reader produced.
    pub lines: usize,
    /// Lines that parsed as commit lines.
    pub parsed: usize,
    /// Bytes in all lines produced (never more than the input).
    pub line_bytes: usize,
    /// True when the reader refused the body (too large, or a body error).
    pub refused: bool,
}

/// Feeds `data`, cut into chunks of `chunk` bytes, through the commit endpoint's NDJSON line
/// reader, then parses each line, decodes `file` contents and checks paths, as the endpoint does.
pub fn commit_body(data: &[u8], chunk: usize) -> CommitBodyOutcome {
    let chunks: Vec<Result<Bytes, std::convert::Infallible>> = data
        .chunks(chunk.max(1))
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    let mut reader = LineReader::new(futures_util::stream::iter(chunks));
    let mut out = CommitBodyOutcome::default();
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        // The stream is always ready, so one poll finishes the read.
        let next = {
            let mut fut = pin!(reader.next_line());
            match fut.as_mut().poll(&mut cx) {
                Poll::Ready(r) => r,
                Poll::Pending => {
                    out.refused = true;
                    return out;
                }
            }
        };
        let line = match next {
            Ok(Some(line)) => line,
            Ok(None) => return out,
            Err(_) => {
                out.refused = true;
                return out;
            }
        };
        out.lines += 1;
        out.line_bytes += line.len();
        if line.contains(&b'\n') {
            out.refused = true;
            return out;
        }
        let Ok(parsed) = ndjson::parse_line(&line, out.lines) else {
            continue;
        };
        out.parsed += 1;
        match parsed {
            Line::File(v) => {
                let _ = ndjson::check_repo_path(&v.path);
                let _ = ndjson::decode_content(&v);
            }
            Line::LfsFile(v) => {
                let _ = ndjson::check_repo_path(&v.path);
            }
            Line::DeletedFile(v) | Line::DeletedFolder(v) => {
                let _ = ndjson::check_repo_path(&v.path);
            }
            Line::Header(_) => {}
        }
    }
}

/// Parses `Range: value` for a file of `total` bytes as downloads do: inclusive ranges, sorted
/// and coalesced; `None` when the header is ignored.
pub fn range(value: &str, total: u64) -> Option<Vec<(u64, u64)>> {
    crate::api::resolve::parse_range(value, total)
}

/// Matches `paths` against `.gitattributes` and `.gitignore` rules `rules` as preupload does.
/// Returns, per path, (tracked by LFS, ignored), and whether the step budget ran out.
pub fn patterns(rules: &str, paths: &[&str]) -> (Vec<(bool, bool)>, bool) {
    let attributes = GitAttributes::parse(rules);
    let ignore = GitIgnore::parse(rules);
    let answers = paths
        .iter()
        .map(|p| (attributes.is_lfs(p), ignore.is_ignored(p)))
        .collect();
    (answers, attributes.exhausted() || ignore.exhausted())
}
