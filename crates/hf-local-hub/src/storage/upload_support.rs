//! Staging of LFS multipart uploads (used by `crate::api::lfs`).
//!
//! ```text
//! Store::stage_part(upload_id, part, expected_len, body) -> Result<String, StoreError>
//!         streams one part to `tmp/multipart-<upload_id>/<part>.<sha256>` (hashing off the async threads);
//!         returns the part's SHA-256, its ETag. A wrong length removes it and fails with LfsMismatch.
//! Store::assemble_parts(upload_id, sha256, size, parts: Vec<(u32, String)>) -> Result<u64, StoreError>
//!         checks that the parts are exactly 1..=N with the ETags given, concatenates them into a temp file
//!         and adopts it as the LFS object (hash and size checked); the staging folder is removed on success.
//! ```
//!
//! Staging lives under the store's `tmp/`, which is emptied when the store opens: an upload interrupted by
//! a restart simply starts over, and nothing staged is ever visible as an object.

use std::fs::File;
use std::io::Write;
use std::path::PathBuf;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};

use super::blobs::is_hex;
use super::{Store, StoreError};

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

    /// Streams part `part` of upload `upload_id` to its staging file; the part must be exactly
    /// `expected_len` bytes. Returns the part's SHA-256 (hex), used as its ETag. A retried part
    /// replaces the previous one.
    pub async fn stage_part<S, E>(
        &self,
        upload_id: &str,
        part: u32,
        expected_len: u64,
        mut body: S,
    ) -> Result<String, StoreError>
    where
        S: Stream<Item = Result<Bytes, E>> + Send + Unpin,
        E: std::fmt::Display,
    {
        let dir = self.multipart_dir(upload_id)?;
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Bytes, String>>(8);
        let tmp = self.temp_path();
        // Writing and hashing run on a blocking thread; the async side only forwards chunks.
        let writer = tokio::task::spawn_blocking(move || -> Result<String, StoreError> {
            let mut guard = Remover(Some(tmp.clone()));
            let mut f = File::create(&tmp).map_err(|e| StoreError::io(&tmp, e))?;
            let mut hasher = Sha256::new();
            let mut size = 0u64;
            while let Some(chunk) = rx.blocking_recv() {
                let chunk = chunk
                    .map_err(|m| StoreError::BadRequest(format!("upload body interrupted: {m}")))?;
                size += chunk.len() as u64;
                if size > expected_len {
                    break;
                }
                hasher.update(&chunk);
                f.write_all(&chunk).map_err(|e| StoreError::io(&tmp, e))?;
            }
            if size != expected_len {
                return Err(StoreError::LfsMismatch(format!(
                    "part {part} must be exactly {expected_len} bytes (received {size}{})",
                    if size > expected_len { " or more" } else { "" }
                )));
            }
            f.sync_all().map_err(|e| StoreError::io(&tmp, e))?;
            drop(f);
            let sha = hex::encode(hasher.finalize());
            std::fs::create_dir_all(&dir).map_err(|e| StoreError::io(&dir, e))?;
            remove_part_files(&dir, part)?;
            let dest = dir.join(format!("{part}.{sha}"));
            std::fs::rename(&tmp, &dest).map_err(|e| StoreError::io(&dest, e))?;
            guard.0 = None;
            Ok(sha)
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

    /// Assembles upload `upload_id` from `parts` (part number, ETag as sent by the client, quotes
    /// allowed) into the LFS object `sha256` of `size` bytes. The parts must be exactly `1..=N` for
    /// the staged parts, each with its ETag; anything else is a `BadRequest` and nothing is stored.
    pub async fn assemble_parts(
        &self,
        upload_id: &str,
        sha256: &str,
        size: u64,
        parts: Vec<(u32, String)>,
    ) -> Result<u64, StoreError> {
        let dir = self.multipart_dir(upload_id)?;
        let tmp = self.temp_path();
        let expected_parts = parts.len();
        let assembled = tokio::task::spawn_blocking({
            let (dir, tmp) = (dir.clone(), tmp.clone());
            move || -> Result<(), StoreError> {
                let mut parts = parts;
                parts.sort_by_key(|(n, _)| *n);
                let mut out = File::create(&tmp).map_err(|e| StoreError::io(&tmp, e))?;
                let mut guard = Remover(Some(tmp.clone()));
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
                    let path = dir.join(format!("{number}.{etag}"));
                    let mut part = File::open(&path).map_err(|_| {
                        StoreError::BadRequest(format!(
                            "part {number} with this ETag was not uploaded"
                        ))
                    })?;
                    std::io::copy(&mut part, &mut out).map_err(|e| StoreError::io(&tmp, e))?;
                }
                drop(out);
                guard.0 = None;
                Ok(())
            }
        })
        .await
        .map_err(|e| StoreError::Internal(format!("part assembly failed: {e}")))?;
        assembled?;
        // `lfs_ingest_file` hashes, checks and moves (or removes) the assembled file.
        let stored = self.lfs_ingest_file(sha256, Some(size), tmp).await?;
        let _ = tokio::fs::remove_dir_all(&dir).await;
        Ok(stored)
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

/// Removes a file on drop unless disarmed.
struct Remover(Option<PathBuf>);

impl Drop for Remover {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_file(p);
        }
    }
}
