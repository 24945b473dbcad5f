//! Git object ids computed locally (no git needed).

use sha1::{Digest, Sha1};

/// The git blob id of `content`: the SHA-1 of `blob {len}\0{content}`, hex.
///
/// What the Hub reports as a regular file's `oid` / `blobId` and as its `ETag`, so a
/// download or an upload can be checked against it.
///
/// ```
/// // `printf 'hello\n' | git hash-object --stdin`
/// assert_eq!(hf_types::git_blob_sha1(b"hello\n"), "ce013625030ba8dba906f756967f9e9ca394464a");
/// ```
pub fn git_blob_sha1(content: &[u8]) -> String {
    let mut hasher = Sha1::new();
    hasher.update(format!("blob {}\0", content.len()).as_bytes());
    hasher.update(content);
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_git_hash_object() {
        assert_eq!(
            git_blob_sha1(b"hello\n"),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
        // `git hash-object /dev/null`
        assert_eq!(
            git_blob_sha1(b""),
            "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
        );
    }
}
