//! The running SHA-256 of each multipart upload's staged prefix (issue 17).
//!
//! A part is hashed as soon as every part before it has arrived, on a blocking thread of its
//! own, so the hashing overlaps the transfer of the next parts and completion only hashes what
//! is left (usually nothing). Parts arrive in parallel and out of order; the hash follows the
//! contiguous prefix of finished parts. A part's bytes, as received, are kept in memory until
//! they are hashed (within [`MAX_RETAINED`] over all uploads and [`MAX_RETAINED_PER_UPLOAD`] per
//! upload); a part that did not fit is read back from the staging file, around the page cache
//! where possible, as the parts were written (see `direct_io`).
//!
//! The state is only a shortcut: it lives in memory, is dropped when an upload completes, and
//! the least recently used idle upload is forgotten when [`MAX_FOLLOWED`] are followed. Completion
//! hashes whatever the state does not cover, from the start of the file when there is none, so
//! a restart, an eviction or a retried part costs time, never correctness: the object is stored
//! only when the hash of the whole staged file matches its oid.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;

use bytes::Bytes;

use sha2::{Digest, Sha256};

use super::StoreError;
use super::direct_io::StagingReader;

/// Uploads followed at once; past this the least recently used idle one is forgotten (one being
/// written or completed is kept: its state keeps its writers apart).
pub(super) const MAX_FOLLOWED: usize = 256;
/// Bytes of parts kept in memory until hashed (parts being received included), over all uploads.
pub(super) const MAX_RETAINED: u64 = 256 << 20;
/// Bytes of parts kept in memory until hashed, per upload: a client that holds back part 1
/// cannot make the hub keep the rest of its object in memory. Parts being received count too:
/// with the Rust client's 5 parts of 10 MiB in flight, this leaves room for about 8 parts
/// waiting for the hash (on the 2-core VM, with 64 MiB about two thirds of a 2 GiB upload's
/// parts did not fit and were read back from disk; with 128 MiB, 0 to 86 of 205).
pub(super) const MAX_RETAINED_PER_UPLOAD: u64 = 128 << 20;
/// Read size when hashing staged bytes back.
const READ_CHUNK: usize = 1 << 20;

/// The followed uploads, by upload id.
#[derive(Default)]
pub(super) struct PrefixHashes {
    uploads: Mutex<HashMap<String, Arc<Upload>>>,
    /// Bytes retained by all uploads.
    retained: Arc<AtomicU64>,
}

impl PrefixHashes {
    /// The state of upload `id` (parts of `chunk` bytes, `size` in all), created when missing or
    /// when the upload's geometry differs from the one recorded (a conflict while parts of the
    /// old one are being written or completed). Only idle uploads are forgotten to make room: the
    /// state of one being written is what keeps its parts' writers apart.
    pub(super) fn upload(
        &self,
        id: &str,
        chunk: u64,
        size: u64,
    ) -> Result<Arc<Upload>, StoreError> {
        let mut uploads = lock(&self.uploads);
        if let Some(upload) = uploads.get(id) {
            let mut state = upload.lock();
            if state.chunk == chunk && state.size == size {
                state.last_used = Instant::now();
                drop(state);
                return Ok(upload.clone());
            }
            if !state.is_idle() {
                return Err(StoreError::Conflict(format!(
                    "upload {id} is in progress with other part sizes"
                )));
            }
        }
        if uploads.len() >= MAX_FOLLOWED && !uploads.contains_key(id) {
            let oldest = uploads
                .iter()
                .filter_map(|(k, u)| {
                    let state = u.lock();
                    state.is_idle().then(|| (state.last_used, k.clone()))
                })
                .min()
                .map(|(_, k)| k);
            if let Some(oldest) = oldest {
                uploads.remove(&oldest);
            }
        }
        let upload = Arc::new(Upload::with_budget(chunk, size, self.retained.clone()));
        uploads.insert(id.to_owned(), upload.clone());
        Ok(upload)
    }

    /// Takes upload `id` out of the map (it completed or was abandoned).
    pub(super) fn forget(&self, id: &str) -> Option<Arc<Upload>> {
        lock(&self.uploads).remove(id)
    }

    /// Bytes of upload `id` hashed so far, if it is followed.
    #[cfg(test)]
    pub(super) fn hashed(&self, id: &str) -> Option<u64> {
        lock(&self.uploads).get(id).map(|u| u.lock().hashed_to)
    }

    /// Whether part `part` of upload `id` is being written.
    #[cfg(test)]
    pub(super) fn writing(&self, id: &str, part: u32) -> bool {
        lock(&self.uploads)
            .get(id)
            .is_some_and(|u| u.lock().writers.contains(&part))
    }

    #[cfg(test)]
    pub(super) fn followed(&self) -> usize {
        lock(&self.uploads).len()
    }

    /// Bytes retained by all uploads.
    #[cfg(test)]
    pub(super) fn retained(&self) -> u64 {
        self.retained.load(Ordering::SeqCst)
    }
}

/// Bytes counted against the retention budgets, given back when dropped.
struct Reservation {
    counters: [Arc<AtomicU64>; 2],
    bytes: u64,
}

impl Reservation {
    /// `bytes` from both `global` (of at most `MAX_RETAINED`) and `own` (of at most
    /// `MAX_RETAINED_PER_UPLOAD`), or `None` when either is spent.
    fn take(global: &Arc<AtomicU64>, own: &Arc<AtomicU64>, bytes: u64) -> Option<Reservation> {
        let take = |counter: &AtomicU64, max: u64| {
            counter
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |used| {
                    used.checked_add(bytes).filter(|total| *total <= max)
                })
                .is_ok()
        };
        if !take(own, MAX_RETAINED_PER_UPLOAD) {
            return None;
        }
        if !take(global, MAX_RETAINED) {
            own.fetch_sub(bytes, Ordering::SeqCst);
            return None;
        }
        Some(Reservation {
            counters: [global.clone(), own.clone()],
            bytes,
        })
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        for counter in &self.counters {
            counter.fetch_sub(self.bytes, Ordering::SeqCst);
        }
    }
}

/// The bytes of one part as they arrive, kept for hashing without reading them back.
pub(super) struct Retained {
    chunks: Vec<Bytes>,
    len: u64,
    _reservation: Reservation,
}

impl Retained {
    /// Keeps `chunk` (no copy: it is the received buffer).
    pub(super) fn keep(&mut self, chunk: Bytes) {
        self.len += chunk.len() as u64;
        self.chunks.push(chunk);
    }
}

/// One upload's running hash, and the lock its part writers share.
pub(super) struct Upload {
    state: Mutex<State>,
    /// Signalled when the hashing thread stops.
    idle: Condvar,
    /// Bytes retained by all uploads, and by this one.
    budget: Arc<AtomicU64>,
    retained: Arc<AtomicU64>,
    /// Held while a part writer writes a batch of its bytes. Parts arrive in parallel, and
    /// concurrent `write`s to one file contend for its inode lock in the kernel, where waiters
    /// spin: on a 2-core machine that spinning cost more CPU than the copies themselves.
    /// Writers queue here instead, asleep.
    write: Mutex<()>,
}

struct State {
    chunk: u64,
    size: u64,
    /// SHA-256 of bytes `[0, hashed_to)`.
    hasher: Sha256,
    hashed_to: u64,
    /// Parts written whole since the state was created.
    done: BTreeSet<u32>,
    /// The bytes of finished parts not hashed yet, when they fitted in the budgets.
    kept: HashMap<u32, Retained>,
    /// Parts being written: one writer per part at a time, so that the bytes a part was hashed
    /// from (kept or read back) are the bytes the file holds.
    writers: BTreeSet<u32>,
    /// Completion is checking and storing the file: no part may be written meanwhile.
    completing: bool,
    /// A thread is hashing `[hashed_to, busy_until)`.
    busy: bool,
    busy_until: u64,
    /// Bumped when a part already hashed (or being hashed) is rewritten: a hash in progress
    /// then counts for nothing.
    generation: u64,
    last_used: Instant,
}

impl Upload {
    #[cfg(test)]
    fn new(chunk: u64, size: u64) -> Arc<Upload> {
        Arc::new(Upload::with_budget(chunk, size, Arc::default()))
    }

    fn with_budget(chunk: u64, size: u64, budget: Arc<AtomicU64>) -> Upload {
        Upload {
            state: Mutex::new(State {
                chunk: chunk.max(1),
                size,
                hasher: Sha256::new(),
                hashed_to: 0,
                done: BTreeSet::new(),
                kept: HashMap::new(),
                writers: BTreeSet::new(),
                completing: false,
                busy: false,
                busy_until: 0,
                generation: 0,
                last_used: Instant::now(),
            }),
            idle: Condvar::new(),
            budget,
            retained: Arc::default(),
            write: Mutex::new(()),
        }
    }

    /// Room to keep a part of `len` bytes in memory until it is hashed, or `None` when the
    /// budgets are spent (the part is then read back).
    pub(super) fn retain(&self, len: u64) -> Option<Retained> {
        let reservation = Reservation::take(&self.budget, &self.retained, len)?;
        Some(Retained {
            chunks: Vec::new(),
            len: 0,
            _reservation: reservation,
        })
    }

    /// The lock to hold while writing bytes of a part to the staging file.
    pub(super) fn write_lock(&self) -> MutexGuard<'_, ()> {
        lock(&self.write)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// Part `part` is about to be (re)written: it no longer counts as arrived, and a hash that
    /// covers it, finished or in progress, starts over. `Busy` while another request writes the
    /// same part or the upload is being completed. The part counts as being written until
    /// the returned guard is dropped.
    pub(super) fn begin_part(self: &Arc<Self>, part: u32) -> Result<Writing, StoreError> {
        let mut state = self.lock();
        if state.completing {
            return Err(StoreError::Busy(
                "the upload is being completed; its parts cannot be sent meanwhile".into(),
            ));
        }
        if !state.writers.insert(part) {
            return Err(StoreError::Busy(format!(
                "part {part} of this upload is already being sent"
            )));
        }
        state.last_used = Instant::now();
        state.done.remove(&part);
        state.kept.remove(&part);
        let start = state
            .chunk
            .saturating_mul(u64::from(part).saturating_sub(1));
        let covered = if state.busy {
            state.busy_until
        } else {
            state.hashed_to
        };
        if start < covered {
            state.hasher = Sha256::new();
            state.hashed_to = 0;
            state.generation += 1;
        }
        Ok(Writing {
            upload: self.clone(),
            part,
        })
    }

    /// Part `part` was written whole; `kept` holds its bytes when they were retained. True when
    /// the caller should run [`advance`](Self::advance) (nobody is hashing and the prefix can grow).
    fn part_done(&self, part: u32, kept: Option<Retained>) -> bool {
        let mut state = self.lock();
        state.last_used = Instant::now();
        state.done.insert(part);
        if let Some(kept) = kept {
            state.kept.insert(part, kept);
        }
        if state.busy || state.next_part().is_none() {
            return false;
        }
        state.busy = true;
        state.busy_until = state.hashed_to;
        true
    }

    /// Completion starts: `Busy` while parts are being written (or another completion runs).
    /// No part can be written until the returned guard is dropped.
    pub(super) fn begin_completion(self: &Arc<Self>) -> Result<Completing, StoreError> {
        let mut state = self.lock();
        if state.completing {
            return Err(StoreError::Busy(
                "the upload is already being completed".into(),
            ));
        }
        if let Some(part) = state.writers.first() {
            return Err(StoreError::Busy(format!(
                "part {part} of this upload is still being sent"
            )));
        }
        state.completing = true;
        Ok(Completing {
            upload: self.clone(),
        })
    }

    /// Hashes finished parts at the end of the prefix, from memory or the staging file `data`,
    /// until the next part has not arrived. Only one thread runs it at a time ([`part_done`](Self::part_done)
    /// said so). A read error stops it; completion then hashes the rest.
    pub(super) fn advance(&self, data: &Path) {
        // However this ends, a panic included, the upload is marked idle: completion waits for it.
        let mut running = Running {
            upload: self,
            ended: false,
        };
        let mut file = None;
        loop {
            let (start, end, generation, mut hasher, kept) = {
                let mut state = self.lock();
                let Some(end) = state.next_part() else {
                    // Idle under the same lock as the check, so a part that arrives now
                    // starts a new run instead of being missed.
                    state.busy = false;
                    self.idle.notify_all();
                    running.ended = true;
                    return;
                };
                state.busy_until = end;
                let part = u32::try_from(state.hashed_to / state.chunk + 1).ok();
                let kept = part.and_then(|part| state.kept.remove(&part));
                (
                    state.hashed_to,
                    end,
                    state.generation,
                    state.hasher.clone(),
                    kept,
                )
            };
            let hashed = match kept {
                // The part's bytes as received, which are what the file holds.
                Some(kept) if kept.len == end - start => {
                    for chunk in &kept.chunks {
                        hasher.update(chunk);
                    }
                    true
                }
                _ => {
                    if file.is_none() {
                        file = StagingReader::open(data, READ_CHUNK).ok();
                    }
                    match file.as_mut() {
                        Some(f) => f.read_range(start, end, |b| hasher.update(b)).is_ok(),
                        None => false,
                    }
                }
            };
            if !hashed {
                return;
            }
            let mut state = self.lock();
            if state.generation == generation {
                state.hasher = hasher;
                state.hashed_to = end;
                // Only parts past the prefix need remembering.
                if let Ok(part) = u32::try_from(start / state.chunk + 1) {
                    state.done.remove(&part);
                }
            }
        }
    }

    /// The SHA-256 and length of the whole staged file `data`: the running hash, waited for if
    /// a thread is extending it, then the rest of the file read and hashed here.
    fn finish(&self, data: &Path) -> Result<(String, u64), StoreError> {
        let (hasher, from) = {
            let mut state = self.lock();
            while state.busy {
                state = self
                    .idle
                    .wait(state)
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
            }
            (state.hasher.clone(), state.hashed_to)
        };
        finish_file(data, hasher, from)
    }
}

/// One request writing one part; the part is free for another request once this is dropped.
pub(super) struct Writing {
    upload: Arc<Upload>,
    part: u32,
}

impl Writing {
    /// The part was written whole (and `kept` holds its bytes when they were retained); runs the
    /// hash on as far as the parts allow, on another blocking thread when there is something
    /// to hash.
    pub(super) fn done(&self, kept: Option<Retained>, data: &Path) {
        if self.upload.part_done(self.part, kept) {
            let (upload, data) = (self.upload.clone(), data.to_path_buf());
            match tokio::runtime::Handle::try_current() {
                // Not awaited: the part's answer need not wait for the hash, completion does.
                Ok(runtime) => drop(runtime.spawn_blocking(move || upload.advance(&data))),
                Err(_) => upload.advance(&data),
            }
        }
    }
}

impl Drop for Writing {
    fn drop(&mut self) {
        let mut state = self.upload.lock();
        state.writers.remove(&self.part);
    }
}

/// A completion in progress; parts may be sent again once it is dropped (after a mismatch).
pub(super) struct Completing {
    upload: Arc<Upload>,
}

impl Completing {
    /// See [`Upload::finish`].
    pub(super) fn finish(&self, data: &Path) -> Result<(String, u64), StoreError> {
        self.upload.finish(data)
    }
}

impl Drop for Completing {
    fn drop(&mut self) {
        self.upload.lock().completing = false;
    }
}

/// Marks its upload idle when dropped, unless [`Upload::advance`] did so itself.
struct Running<'a> {
    upload: &'a Upload,
    ended: bool,
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        if !self.ended {
            self.upload.lock().busy = false;
            self.upload.idle.notify_all();
        }
    }
}

impl State {
    /// Nothing is being written, hashed or completed.
    fn is_idle(&self) -> bool {
        self.writers.is_empty() && !self.completing && !self.busy
    }

    /// The end of the next part to hash, when it has arrived and the prefix is not complete.
    fn next_part(&self) -> Option<u64> {
        if self.hashed_to >= self.size {
            return None;
        }
        let part = u32::try_from(self.hashed_to / self.chunk + 1).ok()?;
        self.done
            .contains(&part)
            .then(|| (self.hashed_to + self.chunk).min(self.size))
    }
}

/// SHA-256 and length of `data`, continuing `hasher` (which covers `[0, from)`) to the end of the file.
pub(super) fn finish_file(
    data: &Path,
    mut hasher: Sha256,
    from: u64,
) -> Result<(String, u64), StoreError> {
    let mut file = StagingReader::open(data, READ_CHUNK).map_err(|e| StoreError::io(data, e))?;
    let len = file
        .file()
        .metadata()
        .map_err(|e| StoreError::io(data, e))?
        .len();
    if from > len {
        return Err(StoreError::Internal(format!(
            "{}: shorter than its hashed prefix",
            data.display()
        )));
    }
    file.read_range(from, len, |b| hasher.update(b))
        .map_err(|e| StoreError::io(data, e))?;
    Ok((hex::encode(hasher.finalize()), len))
}

/// Locks `mutex`; the state behind it stays valid if a holder panicked (every update is whole).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Upload {
        /// Part `part` sent whole by one request; true when the hash can grow.
        fn send(self: &Arc<Self>, part: u32, kept: Option<Retained>) -> bool {
            let _writing = self.begin_part(part).unwrap();
            self.part_done(part, kept)
        }
    }

    fn staged(bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut f, bytes).unwrap();
        f
    }

    fn digest(bytes: &[u8]) -> String {
        hex::encode(Sha256::digest(bytes))
    }

    #[test]
    fn the_prefix_follows_parts_in_any_order() {
        let object: Vec<u8> = (0..10_000u32).map(|i| (i % 253) as u8).collect();
        let file = staged(&object);
        let upload = Upload::new(4096, 10_000);
        // Part 2 first: nothing to hash until part 1 arrives.
        assert!(!upload.send(2, None));
        assert!(upload.send(1, None));
        upload.advance(file.path());
        assert_eq!(upload.lock().hashed_to, 8192);
        assert!(upload.send(3, None));
        upload.advance(file.path());
        assert_eq!(upload.lock().hashed_to, 10_000);
        assert_eq!(
            upload.finish(file.path()).unwrap(),
            (digest(&object), 10_000)
        );
    }

    #[test]
    fn a_rewritten_part_restarts_the_hash_and_completion_hashes_the_rest() {
        let mut object: Vec<u8> = vec![1u8; 8192];
        let file = staged(&object);
        let upload = Upload::new(4096, 8192);
        assert!(upload.send(1, None));
        upload.advance(file.path());
        assert_eq!(upload.lock().hashed_to, 4096);
        // Part 1 is sent again with other bytes: the running hash is void.
        let _again = upload.begin_part(1).unwrap();
        assert_eq!(upload.lock().hashed_to, 0);
        object[..4096].fill(9);
        std::fs::write(file.path(), &object).unwrap();
        // Part 2 arrives before the retried part 1 is recorded: nothing can be hashed.
        assert!(!upload.send(2, None));
        assert_eq!(upload.finish(file.path()).unwrap(), (digest(&object), 8192));
    }

    #[test]
    fn a_failed_read_leaves_the_upload_idle() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        let upload = Upload::new(4096, 8192);
        assert!(upload.send(1, None));
        upload.advance(&missing);
        assert!(!upload.lock().busy);
        // Completion does not wait forever: it reports the missing file.
        assert!(upload.finish(&missing).is_err());
    }

    #[test]
    fn retained_parts_are_hashed_from_memory_and_give_their_budget_back() {
        let budget = Arc::new(AtomicU64::new(0));
        let upload = Arc::new(Upload::with_budget(4096, 8192, budget.clone()));
        let object: Vec<u8> = (0..8192u32).map(|i| (i % 251) as u8).collect();
        let mut kept = upload.retain(4096).unwrap();
        kept.keep(Bytes::copy_from_slice(&object[..1000]));
        kept.keep(Bytes::copy_from_slice(&object[1000..4096]));
        assert_eq!(budget.load(Ordering::SeqCst), 4096);
        assert!(upload.send(1, Some(kept)));
        // There is no staging file yet: only the retained bytes can extend the hash.
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        upload.advance(&data);
        assert_eq!(upload.lock().hashed_to, 4096);
        assert_eq!(budget.load(Ordering::SeqCst), 0);
        // Part 2 did not fit in the budget: it is read back.
        std::fs::write(&data, &object).unwrap();
        assert!(upload.send(2, None));
        upload.advance(&data);
        assert_eq!(upload.finish(&data).unwrap(), (digest(&object), 8192));
    }

    #[test]
    fn retention_stops_at_its_budgets_and_rewritten_parts_give_theirs_back() {
        const MIB: u64 = 1 << 20;
        let hashes = PrefixHashes::default();
        let first = hashes.upload("a0", MIB, 1 << 40).unwrap();
        let mut held: Vec<Retained> = (0..MAX_RETAINED_PER_UPLOAD / MIB)
            .map(|_| first.retain(MIB).unwrap())
            .collect();
        // One upload holds at most its own budget.
        assert!(first.retain(1).is_none());
        for i in 1..MAX_RETAINED / MAX_RETAINED_PER_UPLOAD {
            let other = hashes.upload(&format!("a{i}"), MIB, 1 << 40).unwrap();
            held.push(other.retain(MAX_RETAINED_PER_UPLOAD).unwrap());
        }
        // All uploads together hold at most the global budget.
        let late = hashes.upload("b", MIB, 1 << 40).unwrap();
        assert!(late.retain(1).is_none());
        assert_eq!(hashes.retained(), MAX_RETAINED);
        // A part recorded with its bytes, then sent again, gives them back.
        let part = held.pop().unwrap();
        assert!(!late.send(3, Some(part)));
        assert_eq!(hashes.retained(), MAX_RETAINED);
        drop(late.begin_part(3).unwrap());
        assert_eq!(hashes.retained(), MAX_RETAINED - MAX_RETAINED_PER_UPLOAD);
        assert!(late.retain(MIB).is_some());
        drop(held);
        assert_eq!(hashes.retained(), 0);
    }

    #[test]
    fn at_most_max_followed_uploads_are_kept() {
        let hashes = PrefixHashes::default();
        for i in 0..MAX_FOLLOWED + 10 {
            hashes.upload(&format!("{i:x}"), 10, 100).unwrap();
        }
        assert_eq!(hashes.followed(), MAX_FOLLOWED);
        // The newest is kept.
        assert!(hashes.forget(&format!("{:x}", MAX_FOLLOWED + 9)).is_some());
    }

    #[test]
    fn a_part_has_one_writer_and_completion_excludes_writers() {
        let hashes = PrefixHashes::default();
        let upload = hashes.upload("ab", 4096, 8192).unwrap();
        let first = upload.begin_part(1).unwrap();
        // The same part from a second request, and completion, wait for the first to end.
        assert!(matches!(upload.begin_part(1), Err(StoreError::Busy(_))));
        assert!(matches!(
            upload.begin_completion(),
            Err(StoreError::Busy(_))
        ));
        // Another part may be sent meanwhile.
        drop(upload.begin_part(2).unwrap());
        // An active upload is not dropped to make room, nor given other part sizes.
        for i in 0..MAX_FOLLOWED + 5 {
            hashes.upload(&format!("{i:x}0"), 10, 100).unwrap();
        }
        assert!(matches!(
            hashes.upload("ab", 1024, 8192),
            Err(StoreError::Conflict(_))
        ));
        assert!(Arc::ptr_eq(
            &hashes.upload("ab", 4096, 8192).unwrap(),
            &upload
        ));
        drop(first);
        let completing = upload.begin_completion().unwrap();
        assert!(matches!(upload.begin_part(2), Err(StoreError::Busy(_))));
        assert!(matches!(
            upload.begin_completion(),
            Err(StoreError::Busy(_))
        ));
        // After a failed completion, parts can be sent again.
        drop(completing);
        drop(upload.begin_part(2).unwrap());
    }
}
