//! Staging of LFS multipart uploads (used by `crate::api::lfs`).
//!
//! ```text
//! Store::stage_part(upload_id, part, chunk, size, body) -> Result<String, StoreError>
//!         streams one part into `tmp/multipart-<upload_id>/data` at its offset (off the async threads)
//!         and records its ETag in `tmp/multipart-<upload_id>/<part>`; returns the ETag, a random 64-hex
//!         token. A wrong length fails with LfsMismatch and leaves the part unrecorded.
//! Store::assemble_parts(upload_id, sha256, size, chunk, parts: Vec<(u32, String)>) -> Result<u64, StoreError>
//!         checks that the parts are exactly 1..=N with the ETags given, finishes the object's hash,
//!         checks hash and size and moves it into the store; the staging folder is removed on success.
//! ```
//!
//! The parts land at their offsets in one file (each part's range allocated before it is written), so completion
//! neither copies nor re-reads parts (issue 17; before, each part was written and hashed, then copied
//! into a new file, which was read and hashed again). The object is hashed once, while the parts
//! arrive: `prefix_hash` follows the contiguous prefix of finished parts, from their received bytes
//! when they fit in its budget, and completion hashes what it has not covered. Bytes are written
//! around the page cache where possible (`direct_io`). A part has one writer at a time and
//! completion runs with none, so the bytes hashed are the bytes stored. A part's ETag is a random
//! token, not its hash: clients only echo it, and the whole object's SHA-256 is what is checked.
//!
//! Staging lives under the store's `tmp/`, which is emptied when the store opens: an upload interrupted by
//! a restart simply starts over, and nothing staged is ever visible as an object.

use std::fs::{File, OpenOptions};
use std::path::PathBuf;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};

use super::blobs::is_hex;
use super::direct_io::StagingWriter;
use super::prefix_hash::Completing;
use super::{Store, StoreError};

/// The staged bytes of a multipart upload, inside its staging folder.
const DATA: &str = "data";
/// Bytes of a part gathered before they are written (under the upload's write lock).
const WRITE_BATCH: usize = 1 << 20;

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

    /// Streams part `part` (1-based) of upload `upload_id`, an object of `size` bytes in parts
    /// of `chunk` bytes, into the upload's staging file at its offset; the part must have
    /// exactly its length (the caller checked that the part exists). Returns the part's ETag (a
    /// random token). A retried part replaces the previous one. Once the part is written, the
    /// upload's running hash is extended on another thread if the part continues its prefix.
    pub async fn stage_part<S, E>(
        &self,
        upload_id: &str,
        part: u32,
        chunk: u64,
        size: u64,
        mut body: S,
    ) -> Result<String, StoreError>
    where
        S: Stream<Item = Result<Bytes, E>> + Send + Unpin,
        E: std::fmt::Display,
    {
        let dir = self.multipart_dir(upload_id)?;
        let offset = chunk.saturating_mul(u64::from(part).saturating_sub(1));
        let expected_len = chunk.min(size.saturating_sub(offset));
        let follower = self.inner.prefix_hashes.upload(upload_id, chunk, size)?;
        // Held by the writing thread, which may outlive this request if its client goes away.
        let writing = follower.begin_part(part)?;
        let data = dir.join(DATA);
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Bytes, String>>(8);
        // Writing runs on a blocking thread; the async side only forwards chunks.
        let writer = tokio::task::spawn_blocking({
            let data = data.clone();
            let follower = follower.clone();
            move || -> Result<String, StoreError> {
                std::fs::create_dir_all(&dir).map_err(|e| StoreError::io(&dir, e))?;
                // Unrecorded first: a stale ETag must not vouch for bytes being overwritten.
                remove_marker(&dir, part)?;
                let f = OpenOptions::new()
                    .write(true)
                    .create(true)
                    .truncate(false)
                    .open(&data)
                    .map_err(|e| StoreError::io(&data, e))?;
                // Only the part's own range: an upload that declares a large object and stops
                // sending holds no more disk than it sent.
                allocate(&f, offset, expected_len).map_err(|e| StoreError::io(&data, e))?;
                // Bytes are gathered into batches of WRITE_BATCH, each written under the upload's
                // write lock (see `prefix_hash::Upload::write_lock`), around the page cache when
                // the file system allows it (see `direct_io`).
                let mut writer = StagingWriter::new(&data, &f, offset, WRITE_BATCH);
                // The received bytes are also kept, when the budgets allow, so that hashing
                // them does not read them back.
                let mut kept = follower.retain(expected_len);
                let mut received = 0u64;
                while let Some(chunk) = rx.blocking_recv() {
                    let chunk = chunk.map_err(|m| {
                        StoreError::BadRequest(format!("upload body interrupted: {m}"))
                    })?;
                    received += chunk.len() as u64;
                    if received > expected_len {
                        break;
                    }
                    let mut rest = &chunk[..];
                    while !rest.is_empty() {
                        let n = writer.fill(rest);
                        rest = &rest[n..];
                        if writer.is_full() {
                            let _writing = follower.write_lock();
                            writer.flush().map_err(|e| StoreError::io(&data, e))?;
                        }
                    }
                    if let Some(kept) = kept.as_mut() {
                        kept.keep(chunk);
                    }
                }
                if received != expected_len {
                    return Err(StoreError::LfsMismatch(format!(
                        "part {part} must be exactly {expected_len} bytes (received {received}{})",
                        if received > expected_len {
                            " or more"
                        } else {
                            ""
                        }
                    )));
                }
                {
                    let _writing = follower.write_lock();
                    writer.flush().map_err(|e| StoreError::io(&data, e))?;
                }
                // A part is acknowledged once it is on disk, as a store's part upload is; it
                // also spreads the writing out over the transfer, where one sync of the whole
                // object at completion would wait for all of it.
                f.sync_data().map_err(|e| StoreError::io(&data, e))?;
                let etag: String = (0..4)
                    .map(|_| format!("{:016x}", fastrand::u64(..)))
                    .collect();
                let marker = dir.join(part.to_string());
                std::fs::write(&marker, &etag).map_err(|e| StoreError::io(&marker, e))?;
                // Recorded while this thread still holds the part, so no other writer of it
                // can start in between.
                writing.done(kept, &data);
                Ok(etag)
            }
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
    /// A hash or size mismatch stores nothing and keeps the staged parts. While a part is being
    /// sent, completion is `Busy`; while completion runs, sending a part is.
    pub async fn assemble_parts(
        &self,
        upload_id: &str,
        sha256: &str,
        size: u64,
        chunk: u64,
        parts: Vec<(u32, String)>,
    ) -> Result<u64, StoreError> {
        let dir = self.multipart_dir(upload_id)?;
        let expected_parts = parts.len();
        let sha = sha256.to_owned();
        // Held until the file is stored (or found wrong): the bytes checked are the bytes
        // stored. It goes with the work it guards, which may outlive this request.
        let completing = self
            .inner
            .prefix_hashes
            .upload(upload_id, chunk, size)?
            .begin_completion()?;
        let (checked, completing) = tokio::task::spawn_blocking({
            let dir = dir.clone();
            move || -> Result<(PathBuf, Completing), StoreError> {
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
                    let recorded = std::fs::read_to_string(dir.join(number.to_string()));
                    if recorded.ok().as_deref() != Some(etag.as_str()) {
                        return Err(StoreError::BadRequest(format!(
                            "part {number} with this ETag was not uploaded"
                        )));
                    }
                }
                let data = dir.join(DATA);
                // The one pass over the bytes, checked before anything is stored: what the
                // running hash has not covered yet is hashed here.
                let (actual, len) = completing.finish(&data)?;
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
                Ok((data, completing))
            }
        })
        .await
        .map_err(|e| StoreError::Internal(format!("part assembly failed: {e}")))??;
        let sha = sha256.to_owned();
        self.run_fs(move |p| {
            let _completing = completing;
            super::blobs::adopt_verified(p, &sha, &checked)
        })
        .await?;
        self.inner.prefix_hashes.forget(upload_id);
        let _ = tokio::fs::remove_dir_all(&dir).await;
        Ok(size)
    }
}

/// Allocates bytes `[offset, offset + len)` of `file` before they are written, where the
/// platform can: writing into allocated blocks costs the kernel less than growing the file page
/// by page, and a full disk fails before the part is received.
#[cfg(target_os = "linux")]
fn allocate(file: &File, offset: u64, len: u64) -> std::io::Result<()> {
    use rustix::fs::{FallocateFlags, fallocate};
    match fallocate(file, FallocateFlags::empty(), offset, len) {
        Ok(()) => Ok(()),
        Err(rustix::io::Errno::NOSPC) => Err(std::io::Error::from(rustix::io::Errno::NOSPC)),
        // Not supported by this file system (or an empty range): the file grows as it is written.
        Err(_) => Ok(()),
    }
}

#[cfg(not(target_os = "linux"))]
fn allocate(_file: &File, _offset: u64, _len: u64) -> std::io::Result<()> {
    Ok(())
}

/// Removes the record of `part` (a retried part replaces the earlier one). One file per part,
/// named by its number: no listing of the folder, whose size grows with the parts.
fn remove_marker(dir: &std::path::Path, part: u32) -> Result<(), StoreError> {
    let marker = dir.join(part.to_string());
    match std::fs::remove_file(&marker) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(StoreError::io(&marker, e)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

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
            .stage_part(upload, 2, 4096, 10_000, body(&[7u8; 4096]))
            .await
            .unwrap();
        let e3 = store
            .stage_part(upload, 3, 4096, 10_000, body(&object[8192..]))
            .await
            .unwrap();
        let e1 = store
            .stage_part(upload, 1, 4096, 10_000, body(&object[..4096]))
            .await
            .unwrap();
        let e2b = store
            .stage_part(upload, 2, 4096, 10_000, body(&object[4096..8192]))
            .await
            .unwrap();
        assert_ne!(e2, e2b);
        let staging = store.multipart_dir(upload).unwrap();
        // One staged file holding the object, plus one small record per part: no part copies.
        assert_eq!(std::fs::read(staging.join(DATA)).unwrap(), object);
        let mut names: Vec<String> = std::fs::read_dir(&staging)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, vec!["1", "2", "3", DATA]);
        // Each part's record holds its ETag: the retried part's is the second one.
        assert_eq!(std::fs::read_to_string(staging.join("2")).unwrap(), e2b);
        // The replaced part's ETag no longer completes; a wrong oid stores nothing, keeps the parts.
        let parts = |e2: &str| vec![(1, e1.clone()), (2, format!("\"{e2}\"")), (3, e3.clone())];
        assert!(matches!(
            store
                .assemble_parts(upload, &sha, 10_000, 4096, parts(&e2))
                .await,
            Err(StoreError::BadRequest(_))
        ));
        let wrong = hex::encode(Sha256::digest(b"x"));
        assert!(matches!(
            store
                .assemble_parts(upload, &wrong, 10_000, 4096, parts(&e2b))
                .await,
            Err(StoreError::LfsMismatch(_))
        ));
        assert_eq!(
            store
                .assemble_parts(upload, &sha, 10_000, 4096, parts(&e2b))
                .await
                .unwrap(),
            10_000
        );
        assert_eq!(store.lfs_object(&sha).await.unwrap(), Some(10_000));
        assert!(!staging.exists());
    }

    #[tokio::test]
    async fn parts_are_hashed_while_the_upload_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let object: Vec<u8> = (0..10_000u32).map(|i| (i % 249) as u8).collect();
        let sha = hex::encode(Sha256::digest(&object));
        let upload = "def456";
        let mut etags = Vec::new();
        for (part, range) in [(1, 0..4096), (2, 4096..8192), (3, 8192..10_000)] {
            let etag = store
                .stage_part(upload, part, 4096, 10_000, body(&object[range]))
                .await
                .unwrap();
            etags.push((part, etag));
        }
        // The whole object is hashed before completion is asked for.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while store.inner.prefix_hashes.hashed(upload) != Some(10_000) {
            assert!(std::time::Instant::now() < deadline, "never hashed");
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        assert_eq!(
            store
                .assemble_parts(upload, &sha, 10_000, 4096, etags)
                .await
                .unwrap(),
            10_000
        );
        assert_eq!(store.inner.prefix_hashes.hashed(upload), None, "forgotten");
        assert_eq!(store.lfs_object(&sha).await.unwrap(), Some(10_000));
    }

    /// Waits until part `part` of `upload` is (or is no longer) being written.
    async fn until_writing(store: &Store, upload: &str, part: u32, writing: bool) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while store.inner.prefix_hashes.writing(upload, part) != writing {
            assert!(
                std::time::Instant::now() < deadline,
                "part {part} writing: {writing}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }

    /// Two requests writing one part (or one writing while completion checks the file) could
    /// leave bytes in the file other than those hashed: the second request is told to retry.
    #[tokio::test]
    async fn a_part_being_sent_excludes_its_resend_and_the_completion() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let object: Vec<u8> = (0..8192u32).map(|i| (i % 247) as u8).collect();
        let sha = hex::encode(Sha256::digest(&object));
        let upload = "abc789";
        // A request that sends 100 bytes of part 1, then nothing.
        let stalled = tokio::spawn({
            let store = store.clone();
            async move {
                let start =
                    futures_util::stream::iter(vec![Ok::<_, String>(Bytes::from(vec![1u8; 100]))]);
                store
                    .stage_part(
                        upload,
                        1,
                        4096,
                        8192,
                        start.chain(futures_util::stream::pending()),
                    )
                    .await
            }
        });
        until_writing(&store, upload, 1, true).await;
        let again = store
            .stage_part(upload, 1, 4096, 8192, body(&object[..4096]))
            .await;
        assert!(matches!(again, Err(StoreError::Busy(_))), "{again:?}");
        let e2 = store
            .stage_part(upload, 2, 4096, 8192, body(&object[4096..]))
            .await
            .unwrap();
        let early = store
            .assemble_parts(
                upload,
                &sha,
                8192,
                4096,
                vec![(1, e2.clone()), (2, e2.clone())],
            )
            .await;
        assert!(matches!(early, Err(StoreError::Busy(_))), "{early:?}");
        // The stalled request goes away; part 1 can be sent, and the upload completed.
        stalled.abort();
        until_writing(&store, upload, 1, false).await;
        let e1 = store
            .stage_part(upload, 1, 4096, 8192, body(&object[..4096]))
            .await
            .unwrap();
        assert_eq!(
            store
                .assemble_parts(upload, &sha, 8192, 4096, vec![(1, e1), (2, e2)])
                .await
                .unwrap(),
            8192
        );
        assert_eq!(store.lfs_object(&sha).await.unwrap(), Some(8192));
    }
}
