//! Staging of LFS multipart uploads (used by `crate::api::lfs`).
//!
//! ```text
//! Store::stage_part(upload_id, part, offset, expected_len, body) -> Result<String, StoreError>
//!         streams one part into `tmp/multipart-<upload_id>/data` at `offset` (off the async threads) and
//!         records it as `tmp/multipart-<upload_id>/<part>.<etag>`; returns the ETag, a random 64-hex
//!         token. A wrong length fails with LfsMismatch and leaves the part unrecorded.
//! Store::assemble_parts(upload_id, sha256, size, parts: Vec<(u32, String)>) -> Result<u64, StoreError>
//!         checks that the parts are exactly 1..=N with the ETags given, hashes the staged file once,
//!         checks hash and size and moves it into the store; the staging folder is removed on success.
//! ```
//!
//! The parts land at their offsets in one file, so completion neither copies nor re-reads parts: the
//! object is hashed once and renamed (issue 17; before, each part was written and hashed, then copied
//! into a new file, which was read and hashed again). A part's ETag is a random token, not its hash:
//! clients only echo it, and the whole object's SHA-256 is what is checked.
//!
//! Staging lives under the store's `tmp/`, which is emptied when the store opens: an upload interrupted by
//! a restart simply starts over, and nothing staged is ever visible as an object.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};

use super::blobs::is_hex;
use super::{Store, StoreError};

/// The staged bytes of a multipart upload, inside its staging folder.
const DATA: &str = "data";

impl Store {
    /// The staging folder of one multipart upload (`upload_id` must be hex, so it cannot escape `tmp/`).
    fn multipart_dir(&self, upload_id: &str) -> Result<PathBuf, StoreError> {
        if upload_id.is_empty()
            || upload_id.len() > 64
            || !upload_id.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(StoreError::BadRequest(format!(
                "invalid upload id {upload_id:?}"
            )));
        }
        Ok(self.inner.paths.tmp.join(format!("multipart-{upload_id}")))
    }

    /// Streams part `part` of upload `upload_id` into the upload's staging file at `offset`; the
    /// part must be exactly `expected_len` bytes. Returns the part's ETag (a random token). A
    /// retried part replaces the previous one.
    pub async fn stage_part<S, E>(
        &self,
        upload_id: &str,
        part: u32,
        offset: u64,
        expected_len: u64,
        mut body: S,
    ) -> Result<String, StoreError>
    where
        S: Stream<Item = Result<Bytes, E>> + Send + Unpin,
        E: std::fmt::Display,
    {
        let dir = self.multipart_dir(upload_id)?;
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Bytes, String>>(8);
        // Writing runs on a blocking thread; the async side only forwards chunks.
        let writer = tokio::task::spawn_blocking(move || -> Result<String, StoreError> {
            std::fs::create_dir_all(&dir).map_err(|e| StoreError::io(&dir, e))?;
            // Unrecorded first: a stale ETag must not vouch for bytes being overwritten.
            remove_part_files(&dir, part)?;
            let data = dir.join(DATA);
            let mut f = OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .open(&data)
                .map_err(|e| StoreError::io(&data, e))?;
            f.seek(SeekFrom::Start(offset))
                .map_err(|e| StoreError::io(&data, e))?;
            let mut size = 0u64;
            while let Some(chunk) = rx.blocking_recv() {
                let chunk = chunk
                    .map_err(|m| StoreError::BadRequest(format!("upload body interrupted: {m}")))?;
                size += chunk.len() as u64;
                if size > expected_len {
                    break;
                }
                f.write_all(&chunk).map_err(|e| StoreError::io(&data, e))?;
            }
            if size != expected_len {
                return Err(StoreError::LfsMismatch(format!(
                    "part {part} must be exactly {expected_len} bytes (received {size}{})",
                    if size > expected_len { " or more" } else { "" }
                )));
            }
            drop(f);
            let etag: String = (0..4)
                .map(|_| format!("{:016x}", fastrand::u64(..)))
                .collect();
            let marker = dir.join(format!("{part}.{etag}"));
            File::create(&marker).map_err(|e| StoreError::io(&marker, e))?;
            Ok(etag)
        });
        while let Some(item) = body.next().await {
            let failed = item.is_err();
            if tx.send(item.map_err(|e| e.to_string())).await.is_err() || failed {
                break;
            }
        }
        drop(tx);
        writer
            .await
            .map_err(|e| StoreError::Internal(format!("part writer failed: {e}")))?
    }

    /// Completes upload `upload_id` from `parts` (part number, ETag as sent by the client, quotes
    /// allowed) as the LFS object `sha256` of `size` bytes. The parts must be exactly `1..=N` for
    /// the staged parts, each with its ETag; anything else is a `BadRequest` and nothing is stored.
    /// A hash or size mismatch stores nothing and keeps the staged parts.
    pub async fn assemble_parts(
        &self,
        upload_id: &str,
        sha256: &str,
        size: u64,
        parts: Vec<(u32, String)>,
    ) -> Result<u64, StoreError> {
        let dir = self.multipart_dir(upload_id)?;
        let expected_parts = parts.len();
        let sha = sha256.to_owned();
        let checked = tokio::task::spawn_blocking({
            let dir = dir.clone();
            move || -> Result<PathBuf, StoreError> {
                let mut parts = parts;
                parts.sort_by_key(|(n, _)| *n);
                for (i, (number, etag)) in parts.iter().enumerate() {
                    if usize::try_from(*number).ok() != Some(i + 1) {
                        return Err(StoreError::BadRequest(format!(
                            "parts must be numbered 1..={expected_parts} exactly once (got part {number} at position {})",
                            i + 1
                        )));
                    }
                    let etag = etag.trim().trim_matches('"').to_ascii_lowercase();
                    if !is_hex(&etag, 64) {
                        return Err(StoreError::BadRequest(format!(
                            "part {number}: invalid ETag"
                        )));
                    }
                    if !dir.join(format!("{number}.{etag}")).is_file() {
                        return Err(StoreError::BadRequest(format!(
                            "part {number} with this ETag was not uploaded"
                        )));
                    }
                }
                let data = dir.join(DATA);
                let mut f = File::open(&data).map_err(|e| StoreError::io(&data, e))?;
                // The one pass over the bytes: hash and size, checked before anything is stored.
                let mut hasher = Sha256::new();
                let mut buf = vec![0u8; 1 << 20];
                let mut len = 0u64;
                loop {
                    let n = f.read(&mut buf).map_err(|e| StoreError::io(&data, e))?;
                    if n == 0 {
                        break;
                    }
                    hasher.update(&buf[..n]);
                    len += n as u64;
                }
                let actual = hex::encode(hasher.finalize());
                if len != size {
                    return Err(StoreError::LfsMismatch(format!(
                        "size mismatch for LFS object {sha}: expected {size} bytes, received {len}"
                    )));
                }
                if actual != sha {
                    return Err(StoreError::LfsMismatch(format!(
                        "sha256 mismatch: expected {sha}, content hashes to {actual}"
                    )));
                }
                Ok(data)
            }
        })
        .await
        .map_err(|e| StoreError::Internal(format!("part assembly failed: {e}")))??;
        let sha = sha256.to_owned();
        self.run_fs(move |p| super::blobs::adopt_verified(p, &sha, &checked))
            .await?;
        let _ = tokio::fs::remove_dir_all(&dir).await;
        Ok(size)
    }
}

/// Removes staged files of `part` (a retried part replaces the earlier one).
fn remove_part_files(dir: &std::path::Path, part: u32) -> Result<(), StoreError> {
    let prefix = format!("{part}.");
    let entries = std::fs::read_dir(dir).map_err(|e| StoreError::io(dir, e))?;
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(bytes: &[u8]) -> futures_util::stream::Iter<std::vec::IntoIter<Result<Bytes, String>>> {
        futures_util::stream::iter(vec![Ok(Bytes::copy_from_slice(bytes))])
    }

    #[tokio::test]
    async fn parts_land_at_their_offsets_in_one_file_and_are_hashed_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let object: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        let sha = hex::encode(Sha256::digest(&object));
        let upload = "abc123";
        // Out of order, and part 2 sent twice (a retry replaces it).
        let e2 = store
            .stage_part(upload, 2, 4096, 4096, body(&[7u8; 4096]))
            .await
            .unwrap();
        let e3 = store
            .stage_part(upload, 3, 8192, 1808, body(&object[8192..]))
            .await
            .unwrap();
        let e1 = store
            .stage_part(upload, 1, 0, 4096, body(&object[..4096]))
            .await
            .unwrap();
        let e2b = store
            .stage_part(upload, 2, 4096, 4096, body(&object[4096..8192]))
            .await
            .unwrap();
        assert_ne!(e2, e2b);
        let staging = store.multipart_dir(upload).unwrap();
        // One staged file holding the object, plus one empty record per part: no part copies.
        assert_eq!(std::fs::read(staging.join(DATA)).unwrap(), object);
        let mut names: Vec<String> = std::fs::read_dir(&staging)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            vec![
                format!("1.{e1}"),
                format!("2.{e2b}"),
                format!("3.{e3}"),
                DATA.to_owned()
            ]
        );
        // The replaced part's ETag no longer completes; a wrong oid stores nothing, keeps the parts.
        let parts = |e2: &str| vec![(1, e1.clone()), (2, format!("\"{e2}\"")), (3, e3.clone())];
        assert!(matches!(
            store.assemble_parts(upload, &sha, 10_000, parts(&e2)).await,
            Err(StoreError::BadRequest(_))
        ));
        let wrong = hex::encode(Sha256::digest(b"x"));
        assert!(matches!(
            store
                .assemble_parts(upload, &wrong, 10_000, parts(&e2b))
                .await,
            Err(StoreError::LfsMismatch(_))
        ));
        assert_eq!(
            store
                .assemble_parts(upload, &sha, 10_000, parts(&e2b))
                .await
                .unwrap(),
            10_000
        );
        assert_eq!(store.lfs_object(&sha).await.unwrap(), Some(10_000));
        assert!(!staging.exists());
    }
}
