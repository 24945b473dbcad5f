//! Signatures of self-authorising transfer URLs: HMAC-SHA256 over a domain tag, the URL path and the
//! expiry, hex-encoded. The domain tag keeps these signatures distinct from the download CDN's.

use sha2::{Digest, Sha256};

/// Separates upload signatures from every other use of the signing key.
const DOMAIN: &[u8] = b"hf-local-hub lfs-upload\n";

/// HMAC-SHA256 (RFC 2104) of `msg` under `key`.
fn hmac_sha256(key: &[u8], msg: &[&[u8]]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    for part in msg {
        inner.update(part);
    }
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// The signature of the URL path `path` valid until `expires` (Unix seconds).
pub fn sign_path(key: &[u8], path: &str, expires: i64) -> String {
    let expires = expires.to_string();
    hex::encode(hmac_sha256(
        key,
        &[DOMAIN, path.as_bytes(), b"\n", expires.as_bytes()],
    ))
}

/// Why a transfer URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// `expires` or `sig` is missing or malformed.
    #[error("the upload URL is not signed")]
    Missing,
    /// The signature does not match the path and expiry (tampered URL).
    #[error("invalid upload URL signature")]
    Invalid,
    /// The URL's expiry is in the past.
    #[error("the upload URL has expired")]
    Expired,
}

/// Checks the `expires` and `sig` query parameters of a request to `path` at time `now` (Unix seconds).
pub fn verify_signed_path(
    key: &[u8],
    path: &str,
    query: Option<&str>,
    now: i64,
) -> Result<(), SignatureError> {
    let mut expires = None;
    let mut sig = None;
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        match k.as_ref() {
            "expires" => expires = Some(v.into_owned()),
            "sig" => sig = Some(v.into_owned()),
            _ => {}
        }
    }
    let expires: i64 = expires
        .and_then(|e| e.parse().ok())
        .ok_or(SignatureError::Missing)?;
    let sig = sig.ok_or(SignatureError::Missing)?;
    let expected = sign_path(key, path, expires);
    // Equal-time comparison: a forged signature cannot be found byte by byte.
    let same = expected.len() == sig.len()
        && expected
            .bytes()
            .zip(sig.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if !same {
        return Err(SignatureError::Invalid);
    }
    if expires <= now {
        return Err(SignatureError::Expired);
    }
    Ok(())
}

/// Seconds since the Unix epoch, now.
pub(crate) fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// `2025-03-07T13:24:27Z` for a Unix time.
pub(crate) fn iso_utc(unix: i64) -> String {
    let t =
        time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc4231_case_2() {
        let mac = hmac_sha256(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn hmac_long_key_is_hashed() {
        let key = [0xaa_u8; 131];
        let mac = hmac_sha256(
            &key,
            &[b"Test Using Larger Than Block-Size Key - Hash Key First"],
        );
        assert_eq!(
            hex::encode(mac),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn signed_paths_verify_and_reject_tampering_and_expiry() {
        let key = b"0123456789abcdef0123456789abcdef";
        let path = "/_hub-lfs/basic/abc/12";
        let sig = sign_path(key, path, 1000);
        let q = format!("expires=1000&sig={sig}");
        assert_eq!(verify_signed_path(key, path, Some(&q), 999), Ok(()));
        assert_eq!(
            verify_signed_path(key, path, Some(&q), 1000),
            Err(SignatureError::Expired)
        );
        assert_eq!(
            verify_signed_path(key, "/_hub-lfs/basic/abc/13", Some(&q), 0),
            Err(SignatureError::Invalid)
        );
        let later = format!("expires=2000&sig={sig}");
        assert_eq!(
            verify_signed_path(key, path, Some(&later), 0),
            Err(SignatureError::Invalid)
        );
        assert_eq!(
            verify_signed_path(b"other key", path, Some(&q), 0),
            Err(SignatureError::Invalid)
        );
        assert_eq!(
            verify_signed_path(key, path, Some("expires=1000"), 0),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify_signed_path(key, path, None, 0),
            Err(SignatureError::Missing)
        );
    }

    #[test]
    fn iso_dates_end_with_z() {
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_utc(1_741_353_867), "2025-03-07T13:24:27Z");
    }
}
