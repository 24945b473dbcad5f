//! Percent-encoding as the Hub expects it in URL paths (protocol §1.3).

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but RFC 3986 unreserved characters (`A-Za-z0-9-._~`) is encoded.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// As [`SEGMENT`], but `/` stays a separator.
const PATH: &AsciiSet = &SEGMENT.remove(b'/');

/// Encodes a value as one URL path segment: `/` becomes `%2F`.
///
/// Used for revisions (`refs/pr/1` → `refs%2Fpr%2F1`) and for the path of a
/// tree listing, which the Hub takes as a single segment.
///
/// ```
/// assert_eq!(hf_types::encode_segment("my branch/x"), "my%20branch%2Fx");
/// ```
pub fn encode_segment(value: &str) -> String {
    utf8_percent_encode(value, SEGMENT).to_string()
}

/// Encodes a file path for `/resolve/{rev}/{path}`: `/` is kept, everything
/// else that is not unreserved is percent-encoded (UTF-8 first).
///
/// ```
/// assert_eq!(hf_types::encode_path("a b/c+d.txt"), "a%20b/c%2Bd.txt");
/// ```
pub fn encode_path(path: &str) -> String {
    utf8_percent_encode(path, PATH).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_encodes_everything_reserved() {
        assert_eq!(encode_segment("refs/pr/1"), "refs%2Fpr%2F1");
        assert_eq!(encode_segment("v1.0"), "v1.0");
        assert_eq!(encode_segment("a~b_c-d"), "a~b_c-d");
        assert_eq!(encode_segment("é"), "%C3%A9");
        assert_eq!(encode_segment("a+b"), "a%2Bb");
    }

    #[test]
    fn path_keeps_slashes() {
        assert_eq!(
            encode_path("sub/dir/file name.json"),
            "sub/dir/file%20name.json"
        );
        assert_eq!(encode_path("日本/x.txt"), "%E6%97%A5%E6%9C%AC/x.txt");
        assert_eq!(encode_path("q?#%"), "q%3F%23%25");
    }
}
