//! Content verification: the ETag of a file is a hash of its bytes.
//!
//! LFS files are named by the SHA-256 of their content (64 hex); regular files by
//! their git blob id, the SHA-1 of `"blob {size}\0"` followed by the content (40 hex).

use sha1::Sha1;
use sha2::{Digest, Sha256};

/// Which hash an ETag is, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EtagKind {
    /// 64 hex digits: SHA-256 of the content (LFS).
    Sha256,
    /// 40 hex digits: git blob SHA-1 (regular file).
    GitSha1,
    /// Anything else: not verifiable (a foreign server's opaque ETag).
    Opaque,
}

impl EtagKind {
    /// Classifies a normalised ETag.
    pub fn of(etag: &str) -> EtagKind {
        let hex = etag.bytes().all(|b| b.is_ascii_hexdigit());
        match etag.len() {
            64 if hex => EtagKind::Sha256,
            40 if hex => EtagKind::GitSha1,
            _ => EtagKind::Opaque,
        }
    }
}

/// An incremental hasher that checks bytes against an ETag.
#[derive(Clone)]
pub enum ContentHasher {
    /// SHA-256 of the content.
    Sha256(Sha256),
    /// Git blob SHA-1; the header needs the total size up front.
    GitSha1(Sha1),
    /// No verification possible.
    None,
}

impl std::fmt::Debug for ContentHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ContentHasher::Sha256(_) => "ContentHasher::Sha256",
            ContentHasher::GitSha1(_) => "ContentHasher::GitSha1",
            ContentHasher::None => "ContentHasher::None",
        })
    }
}

impl ContentHasher {
    /// A hasher for `etag`, whose content is `size` bytes long.
    pub fn for_etag(etag: &str, size: u64) -> ContentHasher {
        match EtagKind::of(etag) {
            EtagKind::Sha256 => ContentHasher::Sha256(Sha256::new()),
            EtagKind::GitSha1 => {
                let mut h = Sha1::new();
                h.update(format!("blob {size}\0").as_bytes());
                ContentHasher::GitSha1(h)
            }
            EtagKind::Opaque => ContentHasher::None,
        }
    }

    /// Feeds bytes.
    pub fn update(&mut self, data: &[u8]) {
        match self {
            ContentHasher::Sha256(h) => h.update(data),
            ContentHasher::GitSha1(h) => h.update(data),
            ContentHasher::None => {}
        }
    }

    /// The final hex digest, or `None` when unverifiable.
    pub fn finish(self) -> Option<String> {
        match self {
            ContentHasher::Sha256(h) => Some(hex::encode(h.finalize())),
            ContentHasher::GitSha1(h) => Some(hex::encode(h.finalize())),
            ContentHasher::None => None,
        }
    }
}

/// True when a computed hex digest is the ETag: hex is compared without regard to case (a
/// server may send upper-case hex for the right bytes).
pub(crate) fn digest_matches(digest: &str, etag: &str) -> bool {
    digest.eq_ignore_ascii_case(etag)
}

/// The git blob id of a buffer; defined once in `hf-types`.
pub use hf_types::git_blob_sha1;

/// The SHA-256 of `data`, hex.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Hashes a whole file (streamed in 1 MiB reads). Blocking.
pub fn hash_file(path: &std::path::Path, etag: &str) -> std::io::Result<Option<String>> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let size = file.metadata()?.len();
    let mut hasher = ContentHasher::for_etag(etag, size);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(EtagKind::of(&"a".repeat(64)), EtagKind::Sha256);
        assert_eq!(EtagKind::of(&"a".repeat(40)), EtagKind::GitSha1);
        assert_eq!(EtagKind::of("xyz"), EtagKind::Opaque);
    }
}
