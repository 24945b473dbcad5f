//! Large files over several connections, as many as help (protocol §4.3 with `Range`).
//!
//! One connection starts at byte 0 and streams in order, hashed as it arrives. Every window
//! (200 ms) the aggregate throughput is measured. When one connection gets less than 256 MB/s
//! (faster than that, this machine's disk and hashing are the limit), a probe takes a small slice off the end
//! of the file on a second connection; if throughput rose by [`GAIN`] or more, connections may
//! take work from each other (a connection that finishes splits the largest remaining range and
//! takes its second half) and another probe is tried, up to the caller's cap. If not, the probe
//! finishes its slice and the first connection carries on alone. On a loopback or a fast link
//! one connection usually wins (bytes out of order must be read back for the in-order SHA-256,
//! after the transfer); on a link where one stream is slower than the pipe, connections are
//! added until the gain stops.
//!
//! Bytes are written at their offsets by one writer thread; the SHA-256 is computed on another
//! thread over the contiguous prefix as it grows (chunks at the prefix are handed over in
//! memory, ranges completed out of order are read back from the file when the prefix reaches
//! them), so no range is ever buffered whole. Each connection resumes its own range after a
//! broken transfer. On failure the file is cut back to its contiguous prefix, which a later
//! call resumes like any partial download.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::StreamExt;
use hf_http::{ErrorContext, HubClient};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::Error;
use crate::fsutil::{allocate, io_err};
use crate::hash::ContentHasher;
use crate::net;
use crate::positioned::FileExt;
use crate::transfer::{Fetch, retryable};

/// Files from this size may use several connections.
pub(crate) const PARALLEL_MIN: u64 = 64 << 20;
/// How connections are added: production values from [`Tuning::new`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tuning {
    /// Connections at most.
    pub max_connections: usize,
    /// How often the throughput is measured.
    pub window: Duration,
    /// A range is split only when both halves get at least this much.
    pub min_split: u64,
    /// Probe only when one connection is slower than this (bytes/s): faster than that, this
    /// machine's disk and hashing are the limit and more connections only compete for them.
    pub probe_below: f64,
}

impl Tuning {
    /// Up to `max_connections`, measured every 200 ms, halves of at least 16 MiB, probing
    /// when one connection gets less than 256 MB/s.
    pub(crate) fn new(max_connections: usize) -> Tuning {
        Tuning {
            max_connections,
            window: Duration::from_millis(200),
            min_split: 16 << 20,
            probe_below: 256e6,
        }
    }
}
/// The gain (20 %) a new connection must bring for connections to share the work and for
/// another to be tried.
const GAIN: f64 = 1.20;
/// Blocks (of `crate::pool::BLOCK` bytes) queued for the writer thread, per connection: with
/// the hasher's queue and the block each connection fills, memory stays near 20 MiB at 4
/// connections, whatever the file size.
const QUEUE_PER_CONNECTION: usize = 2;
/// Blocks queued for the hasher: it is the slowest stage, so it gets the slack.
const HASH_QUEUE: usize = 6;
/// Read size when hashing ranges back from the file.
const READ_CHUNK: usize = 1 << 20;

/// One connection's range: `pos` is the next byte it writes, `end` (exclusive) may shrink when
/// the range is split.
struct Range {
    pos: AtomicU64,
    end: AtomicU64,
}

impl Range {
    fn remaining(&self) -> u64 {
        self.end
            .load(Ordering::SeqCst)
            .saturating_sub(self.pos.load(Ordering::SeqCst))
    }
}

/// What every connection shares.
struct Shared {
    /// Bytes written so far (all connections).
    written: AtomicU64,
    /// Where the first connection's redirects ended: the others ask there directly.
    final_url: Mutex<Option<(String, bool)>>,
    /// Every range handed out so far.
    ranges: Mutex<Vec<Arc<Range>>>,
    /// Set once a probe proved that more connections help: a connection that finishes its
    /// range then takes half of the largest remaining one.
    steal: AtomicBool,
    /// The smallest range worth splitting in two.
    min_split: u64,
}

impl Shared {
    fn add_range(&self, range: Arc<Range>) {
        if let Ok(mut ranges) = self.ranges.lock() {
            ranges.push(range);
        }
    }

    /// Half of the largest remaining range, for a connection that has finished its own.
    fn steal_half(&self) -> Option<Arc<Range>> {
        let ranges = self.ranges.lock().ok()?;
        let stolen = split_largest(&ranges, self.min_split)?;
        drop(ranges);
        self.add_range(stolen.clone());
        Some(stolen)
    }
}

/// What the hasher is given, in file order.
enum HashMsg {
    Bytes(Bytes),
    /// Bytes `[start, end)` of the file, written earlier out of order.
    FromFile(u64, u64),
}

/// The outcome: the contiguous length written, the digest of those bytes, and how many
/// connections were used.
pub(crate) struct Done {
    pub len: u64,
    pub digest: Option<String>,
    pub connections: usize,
}

/// Downloads `fetch` into the (empty) file `temp` over up to `tuning.max_connections`
/// connections.
pub(crate) async fn fetch_parallel(
    client: &HubClient,
    fetch: &Fetch<'_>,
    temp: PathBuf,
    tuning: Tuning,
) -> Result<Done, Error> {
    let max_connections = tuning.max_connections.max(1);
    // Ranges land out of order, so until the end this file is not a prefix of the blob: it is
    // written under a name no resume takes (`temp` + RANGES_SUFFIX) and renamed to `temp`
    // once it is one (whole, or cut back to its contiguous prefix after a failure). A run
    // that dies in between leaves a `.ranges` file, which the next download removes.
    let work = ranges_path(&temp);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&work)
        .map_err(io_err("open", &work))?;
    if let Err(e) = allocate(&file, fetch.size) {
        drop(file);
        let _ = std::fs::remove_file(&work);
        return Err(io_err("allocate", &work)(e));
    }
    let file = Arc::new(file);
    let (tx, rx) = mpsc::channel::<(u64, Bytes)>(QUEUE_PER_CONNECTION * max_connections);
    let writer = spawn_writer(
        file.clone(),
        work.clone(),
        fetch.etag.to_owned(),
        fetch.size,
        rx,
    )?;
    fetch.reporter.on_download_start(fetch.file, fetch.size, 0);

    let shared = Arc::new(Shared {
        written: AtomicU64::new(0),
        final_url: Mutex::new(None),
        ranges: Mutex::new(Vec::new()),
        steal: AtomicBool::new(false),
        min_split: tuning.min_split,
    });
    let transfer = run_connections(client, fetch, &shared, tx, tuning).await;
    // The writer ends when every sender is gone (all connections stopped).
    let written = writer.await.map_err(Error::task)?;
    let (prefix, digest) = match written {
        Ok(written) => written,
        Err(e) => {
            drop(file);
            let _ = std::fs::remove_file(&work);
            return Err(e);
        }
    };
    let outcome = match transfer {
        Ok(connections) => Ok(Done {
            len: prefix,
            digest,
            connections,
        }),
        Err(e) => {
            // Keep only what can be resumed: the contiguous prefix.
            let _ = file.set_len(prefix);
            Err(e)
        }
    };
    // Closed before the rename (which an open file prevents on some platforms).
    drop(file);
    std::fs::rename(&work, &temp).map_err(io_err("rename into place", &temp))?;
    outcome
}

/// Suffix of the file a parallel download writes while its ranges are out of order.
pub(crate) const RANGES_SUFFIX: &str = ".ranges";

/// The work file of a parallel download into `temp`.
pub(crate) fn ranges_path(temp: &Path) -> PathBuf {
    let mut name = temp.as_os_str().to_os_string();
    name.push(RANGES_SUFFIX);
    PathBuf::from(name)
}

/// Starts one connection, then probes with more while they raise the throughput. Resolves to
/// the number of connections used.
async fn run_connections(
    client: &HubClient,
    fetch: &Fetch<'_>,
    shared: &Arc<Shared>,
    tx: mpsc::Sender<(u64, Bytes)>,
    tuning: Tuning,
) -> Result<usize, Error> {
    let max_connections = tuning.max_connections.max(1);
    let first = Arc::new(Range {
        pos: AtomicU64::new(0),
        end: AtomicU64::new(fetch.size),
    });
    shared.add_range(first.clone());
    let pool = crate::pool::BlockPool::default();
    let mut tasks: JoinSet<Result<(), Error>> = JoinSet::new();
    let spawn = |tasks: &mut JoinSet<Result<(), Error>>, range: Arc<Range>| {
        let job = Connection {
            client: client.clone(),
            url: fetch.url.to_owned(),
            no_auth: fetch.no_auth,
            file: fetch.file.to_owned(),
            read_timeout: fetch.read_timeout,
            context: fetch.context.clone(),
            shared: shared.clone(),
            range,
            tx: tx.clone(),
            pool: pool.clone(),
        };
        tasks.spawn(job.run());
    };
    spawn(&mut tasks, first);
    let mut connections = 1usize;

    let mut probing = max_connections > 1;
    // Throughput of each window since the last change (start or probe); the first window
    // after a change is ramp-up and not counted.
    let mut rates: Vec<f64> = Vec::new();
    let mut baseline: Option<f64> = None;
    let (mut last_bytes, mut last_time) = (0u64, Instant::now());
    let mut ticker = tokio::time::interval(tuning.window);
    ticker.tick().await;
    loop {
        tokio::select! {
            joined = tasks.join_next() => match joined {
                None => break,
                Some(result) => {
                    result.map_err(Error::task)??;
                }
            },
            _ = ticker.tick() => {
                let now_bytes = shared.written.load(Ordering::SeqCst);
                fetch.reporter.on_progress(fetch.file, now_bytes - last_bytes);
                let rate = (now_bytes - last_bytes) as f64 / last_time.elapsed().as_secs_f64().max(1e-3);
                (last_bytes, last_time) = (now_bytes, Instant::now());
                // Until the first answer says where the bytes are (and that ranges work), wait.
                if !probing || shared_final_url(shared).is_none() {
                    continue;
                }
                rates.push(rate);
                // Judge on the mean of two windows, after one window of ramp-up.
                if rates.len() < 3 {
                    continue;
                }
                let measured = (rates[1] + rates[2]) / 2.0;
                rates.clear();
                if baseline.is_none() && measured >= tuning.probe_below {
                    // One connection is already fast: the limit is here, not on the link.
                    probing = false;
                    continue;
                }
                if let Some(before) = baseline {
                    if measured < before * GAIN {
                        probing = false;
                        continue;
                    }
                    // The last probe paid: connections now share the work as they finish.
                    shared.steal.store(true, Ordering::SeqCst);
                }
                baseline = Some(measured);
                if connections >= max_connections {
                    probing = false;
                    continue;
                }
                let probe = if shared.steal.load(Ordering::SeqCst) {
                    shared.steal_half()
                } else {
                    carve_tail(shared, tuning.min_split)
                };
                match probe {
                    Some(range) => {
                        spawn(&mut tasks, range);
                        connections += 1;
                    }
                    None => probing = false,
                }
            }
        }
    }
    let now_bytes = shared.written.load(Ordering::SeqCst);
    fetch
        .reporter
        .on_progress(fetch.file, now_bytes - last_bytes);
    drop(tx);
    let unfinished = shared
        .ranges
        .lock()
        .map(|r| r.iter().any(|r| r.remaining() > 0))
        .unwrap_or(true);
    if unfinished {
        return Err(Error::protocol(
            fetch.file,
            format!(
                "the transfer stopped at {now_bytes} of {} bytes",
                fetch.size
            ),
        ));
    }
    Ok(connections)
}

/// A probe: a slice of `min_split` bytes off the end of the largest range, small enough that a
/// probe that does not pay costs little (its bytes are hashed from the file at the end).
fn carve_tail(shared: &Shared, min_split: u64) -> Option<Arc<Range>> {
    let ranges = shared.ranges.lock().ok()?;
    let largest = ranges.iter().max_by_key(|r| r.remaining())?;
    let remaining = largest.remaining();
    if remaining < 2 * min_split.max(1 << 20) {
        return None;
    }
    let end = largest.end.load(Ordering::SeqCst);
    let slice = min_split.max(1 << 20);
    let start = (end - slice) & !((1 << 20) - 1);
    largest.end.store(start, Ordering::SeqCst);
    let probe = Arc::new(Range {
        pos: AtomicU64::new(start),
        end: AtomicU64::new(end),
    });
    drop(ranges);
    shared.add_range(probe.clone());
    Some(probe)
}

fn shared_final_url(shared: &Shared) -> Option<(String, bool)> {
    shared.final_url.lock().ok().and_then(|g| g.clone())
}

/// Gives the second half of the largest remaining range to a new range.
fn split_largest(ranges: &[Arc<Range>], min_split: u64) -> Option<Arc<Range>> {
    let largest = ranges.iter().max_by_key(|r| r.remaining())?;
    let remaining = largest.remaining();
    if remaining < 2 * min_split.max(1 << 20) {
        return None;
    }
    let end = largest.end.load(Ordering::SeqCst);
    // Aligned to 1 MiB; the old connection stops at `mid`, the new one starts there. A chunk
    // the old one was writing across `mid` at that instant holds the same bytes the new one
    // will write: overlaps are harmless (the writer accounts for them).
    let mid = (end - remaining / 2) & !((1 << 20) - 1);
    largest.end.store(mid, Ordering::SeqCst);
    Some(Arc::new(Range {
        pos: AtomicU64::new(mid),
        end: AtomicU64::new(end),
    }))
}

/// One connection's job: its range, resumed after breaks.
struct Connection {
    client: HubClient,
    url: String,
    no_auth: bool,
    file: String,
    read_timeout: Option<Duration>,
    context: ErrorContext,
    shared: Arc<Shared>,
    range: Arc<Range>,
    tx: mpsc::Sender<(u64, Bytes)>,
    pool: crate::pool::BlockPool,
}

impl Connection {
    async fn run(mut self) -> Result<(), Error> {
        // The client's policy decides how often and how long to wait; a resume that made
        // progress (or a new range) starts counting again.
        let policy = self.client.retry_policy().clone();
        let mut retries = policy.retries();
        loop {
            let start = self.range.pos.load(Ordering::SeqCst);
            if start >= self.range.end.load(Ordering::SeqCst) {
                // Done with this range: help with the largest one left, once that pays.
                if self.shared.steal.load(Ordering::SeqCst)
                    && let Some(next) = self.shared.steal_half()
                {
                    self.range = next;
                    retries.reset();
                    continue;
                }
                return Ok(());
            }
            match self.once(start).await {
                Ok(()) => continue,
                Err(e) => {
                    if self.range.pos.load(Ordering::SeqCst) > start {
                        retries.reset();
                    }
                    let delay = if retryable(&e) {
                        retries.next_delay(None)
                    } else {
                        None
                    };
                    let Some(delay) = delay else {
                        return Err(e);
                    };
                    tracing::debug!(file = %self.file, offset = start, attempt = retries.attempt(), ?delay, error = %e, "range interrupted; resuming");
                    policy.sleep(delay).await;
                }
            }
        }
    }

    /// One request from `start` to the current end of the range.
    async fn once(&self, start: u64) -> Result<(), Error> {
        let end = self.range.end.load(Ordering::SeqCst);
        let (url, no_auth) =
            shared_final_url(&self.shared).unwrap_or((self.url.clone(), self.no_auth));
        let response = net::get_range(
            &self.client,
            &url,
            start,
            Some(end),
            no_auth,
            self.read_timeout,
            &self.context,
        )
        .await?;
        let protocol = |what: String| Error::protocol(&self.file, what);
        match response.status {
            206 => {}
            // Without Range support only one connection can work: from byte 0, to the end.
            200 if start == 0 => {}
            s => {
                return Err(protocol(format!(
                    "unexpected status {s} to a Range request"
                )));
            }
        }
        if start == 0
            && let Ok(mut slot) = self.shared.final_url.lock()
            && slot.is_none()
            && response.status == 206
        {
            let other_host = host(&response.final_url) != host(&self.url);
            *slot = Some((response.final_url.clone(), self.no_auth || other_host));
        }
        // The body is copied into pooled blocks (see `crate::pool`): one hand-off, one
        // positioned write and one hash update per block.
        let mut body = response.body;
        let mut block = self.pool.take();
        let mut block_start = start;
        let mut pos = start;
        while let Some(chunk) = body.next().await {
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => {
                    // Keep what arrived before the break: the resume starts after it.
                    self.send(block_start, block, pos).await?;
                    return Err(e);
                }
            };
            let end = self.range.end.load(Ordering::SeqCst);
            let take = (chunk.len() as u64).min(end.saturating_sub(pos)) as usize;
            let mut data = &chunk[..take];
            while !data.is_empty() {
                let n = (crate::pool::BLOCK - block.len()).min(data.len());
                block.extend_from_slice(&data[..n]);
                data = &data[n..];
                pos += n as u64;
                if block.len() >= crate::pool::BLOCK {
                    let full = std::mem::replace(&mut block, self.pool.take());
                    self.send(block_start, full, pos).await?;
                    block_start = pos;
                }
            }
            if take < chunk.len() {
                // The range ended (or was split) inside this chunk.
                return self.send(block_start, block, pos).await;
            }
        }
        self.send(block_start, block, pos).await?;
        if pos < self.range.end.load(Ordering::SeqCst) {
            return Err(Error::Transport {
                kind: hf_http::TransportKind::Connection,
                url: url.split('?').next().unwrap_or_default().to_owned(),
                source: format!("range body ended at byte {pos}").into(),
            });
        }
        Ok(())
    }

    /// Hands `block` (bytes `[at, pos)`) to the writer and records the progress.
    async fn send(&self, at: u64, block: Vec<u8>, pos: u64) -> Result<(), Error> {
        if block.is_empty() {
            return Ok(());
        }
        let len = block.len() as u64;
        self.tx
            .send((at, self.pool.freeze(block)))
            .await
            .map_err(|_| Error::Task("the download's writer stopped".into()))?;
        self.range.pos.store(pos, Ordering::SeqCst);
        self.shared.written.fetch_add(len, Ordering::SeqCst);
        Ok(())
    }
}

fn host(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    rest.split('/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// The contiguous length written and the digest of those bytes.
type Written = (u64, Option<String>);

/// The writer thread (positioned writes) and, behind it, the hasher thread. Resolves to the
/// contiguous length written and its digest.
fn spawn_writer(
    file: Arc<File>,
    path: PathBuf,
    etag: String,
    size: u64,
    mut rx: mpsc::Receiver<(u64, Bytes)>,
) -> Result<tokio::task::JoinHandle<Result<Written, Error>>, Error> {
    let (hash_tx, hash_rx) = std::sync::mpsc::sync_channel::<HashMsg>(HASH_QUEUE);
    let hasher = {
        let (file, hasher_path) = (file.clone(), path.clone());
        std::thread::Builder::new()
            .name("hf-cache-hasher".into())
            .spawn(move || hash_in_order(&file, &hasher_path, &etag, size, hash_rx))
            .map_err(io_err("start hasher thread for", &path))?
    };
    Ok(tokio::task::spawn_blocking(move || {
        let mut prefix = 0u64;
        // Ranges written beyond the prefix, `start -> end`, merged.
        let mut ahead: BTreeMap<u64, u64> = BTreeMap::new();
        let mut failure = None;
        while let Some((offset, data)) = rx.blocking_recv() {
            if failure.is_some() {
                continue; // drain so senders never block; the error is reported below
            }
            if let Err(e) = crate::pool::write_all_at(&file, &data, offset) {
                failure = Some(io_err("write", &path)(e));
                continue;
            }
            let end = offset + data.len() as u64;
            if end <= prefix {
                continue; // an overlap already counted
            }
            if offset <= prefix {
                let fresh = data.slice((prefix - offset) as usize..);
                let _ = hash_tx.send(HashMsg::Bytes(fresh));
                prefix = end;
            } else {
                insert_range(&mut ahead, offset, end);
            }
            // Ranges that the prefix has now reached are hashed from the file.
            while let Some((&start, &stop)) = ahead.iter().next() {
                if start > prefix {
                    break;
                }
                ahead.remove(&start);
                if stop > prefix {
                    let _ = hash_tx.send(HashMsg::FromFile(prefix, stop));
                    prefix = stop;
                }
            }
        }
        drop(hash_tx);
        let digest = hasher
            .join()
            .map_err(|_| Error::Task("the hasher thread panicked".into()))??;
        match failure {
            Some(e) => Err(e),
            None => Ok((prefix, digest)),
        }
    }))
}

/// Adds `[start, end)` to a set of disjoint ranges, merging what touches or overlaps.
fn insert_range(ranges: &mut BTreeMap<u64, u64>, mut start: u64, mut end: u64) {
    let touching: Vec<(u64, u64)> = ranges
        .range(..=end)
        .filter(|(_, e)| **e >= start)
        .map(|(s, e)| (*s, *e))
        .collect();
    for (s, e) in touching {
        ranges.remove(&s);
        start = start.min(s);
        end = end.max(e);
    }
    ranges.insert(start, end);
}

/// Hashes the file in order from what the writer hands over.
fn hash_in_order(
    file: &File,
    path: &Path,
    etag: &str,
    size: u64,
    rx: std::sync::mpsc::Receiver<HashMsg>,
) -> Result<Option<String>, Error> {
    let mut hasher = ContentHasher::for_etag(etag, size);
    let mut buf = vec![0u8; READ_CHUNK];
    for msg in rx {
        match msg {
            HashMsg::Bytes(data) => hasher.update(&data),
            HashMsg::FromFile(mut start, end) => {
                while start < end {
                    let n = (end - start).min(READ_CHUNK as u64) as usize;
                    file.read_exact_at(&mut buf[..n], start)
                        .map_err(io_err("read back", path))?;
                    hasher.update(&buf[..n]);
                    start += n as u64;
                }
            }
        }
    }
    Ok(hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::NoReporter;
    use hf_http::RetryPolicy;
    use hf_local_hub::{FaultSpec, LocalHub, LocalHubHandle};
    use sha2::{Digest, Sha256};

    /// A hub serving a big file, and where a download of it goes.
    struct BigFile {
        hub: LocalHubHandle,
        content: Vec<u8>,
        oid: String,
        /// Holds `temp`'s folder.
        _dir: tempfile::TempDir,
        /// `big.incomplete` in `dir`, not created.
        temp: std::path::PathBuf,
    }

    /// A hub serving `alice/big/big.bin` (LFS, `size` bytes) with `faults`, and a fresh folder to
    /// download it into.
    async fn hub_with_file(size: usize, faults: Vec<FaultSpec>) -> BigFile {
        let mut builder = LocalHub::builder().user("alice", "hf_alice");
        for f in faults {
            builder = builder.fault(f);
        }
        let hub = builder.start().await.unwrap();
        let mut state = 0x1234_5678_9abc_def0u64;
        let content: Vec<u8> = (0..size)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 32) as u8
            })
            .collect();
        let oid = hex::encode(Sha256::digest(&content));
        let repo = hub.seed().model("alice/big");
        repo.create(false).await.unwrap();
        repo.commit("main")
            .message("big")
            .lfs("big.bin", content.clone())
            .push()
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let temp = dir.path().join("big.incomplete");
        BigFile {
            hub,
            content,
            oid,
            _dir: dir,
            temp,
        }
    }

    impl BigFile {
        /// The download `done` verified the file, and `temp` holds its bytes.
        fn assert_downloaded(&self, done: &Done) {
            assert_eq!(done.digest.as_deref(), Some(self.oid.as_str()));
            assert!(std::fs::read(&self.temp).unwrap() == self.content);
        }
    }

    /// Measured every millisecond, split down to 1 MiB halves, always probing.
    fn probing() -> Tuning {
        Tuning {
            max_connections: 4,
            window: Duration::from_millis(1),
            min_split: 1 << 20,
            probe_below: f64::INFINITY,
        }
    }

    async fn download(
        hub: &LocalHubHandle,
        oid: &str,
        size: u64,
        temp: &Path,
    ) -> Result<Done, Error> {
        download_with(hub, oid, size, temp, probing()).await
    }

    async fn download_with(
        hub: &LocalHubHandle,
        oid: &str,
        size: u64,
        temp: &Path,
        tuning: Tuning,
    ) -> Result<Done, Error> {
        download_on(
            &client(hub, RetryPolicy::default()),
            hub,
            oid,
            size,
            temp,
            tuning,
        )
        .await
    }

    fn client(hub: &LocalHubHandle, retry: RetryPolicy) -> HubClient {
        HubClient::builder()
            .endpoint(hub.endpoint())
            .token(Some("hf_alice"))
            .retry(retry)
            .build()
            .unwrap()
    }

    async fn download_on(
        client: &HubClient,
        hub: &LocalHubHandle,
        oid: &str,
        size: u64,
        temp: &Path,
        tuning: Tuning,
    ) -> Result<Done, Error> {
        let url = format!("{}/alice/big/resolve/main/big.bin", hub.endpoint());
        let fetch = Fetch {
            file: "big.bin",
            url: &url,
            no_auth: false,
            etag: oid,
            size,
            read_timeout: None,
            reporter: &NoReporter,
            context: hf_http::ErrorContext::default(),
        };
        fetch_parallel(client, &fetch, temp.to_path_buf(), tuning).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn several_connections_write_a_verified_file() {
        let size = 24 << 20;
        let big = hub_with_file(size, Vec::new()).await;
        let done = download(&big.hub, &big.oid, size as u64, &big.temp)
            .await
            .unwrap();
        assert!(done.connections >= 2, "{} connection(s)", done.connections);
        assert_eq!(done.len, size as u64);
        big.assert_downloaded(&done);
    }

    /// Each connection limited to 4 MB/s: the probe pays, connections are added up to the cap
    /// and share the work. (The production thresholds, except a 50 ms window.)
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_slow_link_gets_more_connections() {
        let size = 8 << 20;
        let fault: FaultSpec = "rate=4000000,path=/cdn/*".parse().unwrap();
        let big = hub_with_file(size, vec![fault]).await;
        let tuning = Tuning {
            max_connections: 4,
            window: Duration::from_millis(50),
            min_split: 1 << 20,
            probe_below: 256e6,
        };
        let done = download_with(&big.hub, &big.oid, size as u64, &big.temp, tuning)
            .await
            .unwrap();
        assert!(done.connections >= 3, "{} connection(s)", done.connections);
        big.assert_downloaded(&done);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn broken_ranges_are_resumed() {
        let size = 24 << 20;
        // The first three answers with a body break after 1.5 MB.
        let fault: FaultSpec = "drop=1500000,method=GET,count=3".parse().unwrap();
        let big = hub_with_file(size, vec![fault]).await;
        let done = download(&big.hub, &big.oid, size as u64, &big.temp)
            .await
            .unwrap();
        big.assert_downloaded(&done);
    }

    /// Every answer breaks after 3 MB and retries are off: the download fails. What is left
    /// under the resumable name is exactly a prefix of the file, and no out-of-order file stays.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_download_leaves_only_a_resumable_prefix() {
        let size = 24 << 20;
        let fault: FaultSpec = "drop=3000000,method=GET".parse().unwrap();
        let big = hub_with_file(size, vec![fault]).await;
        let client = client(&big.hub, RetryPolicy::disabled());
        let failed = download_on(
            &client,
            &big.hub,
            &big.oid,
            size as u64,
            &big.temp,
            probing(),
        )
        .await;
        assert!(failed.is_err());
        let kept = std::fs::read(&big.temp).unwrap();
        assert!(kept.len() < size, "{} bytes kept", kept.len());
        assert!(kept == big.content[..kept.len()]);
        assert!(!ranges_path(&big.temp).exists());
    }

    #[test]
    fn ranges_merge() {
        let mut r = BTreeMap::new();
        insert_range(&mut r, 10, 20);
        insert_range(&mut r, 30, 40);
        insert_range(&mut r, 20, 30);
        assert_eq!(r.into_iter().collect::<Vec<_>>(), vec![(10, 40)]);
        let mut r = BTreeMap::new();
        insert_range(&mut r, 10, 20);
        insert_range(&mut r, 15, 25);
        insert_range(&mut r, 50, 60);
        assert_eq!(r.into_iter().collect::<Vec<_>>(), vec![(10, 25), (50, 60)]);
    }

    #[test]
    fn splits_leave_both_halves_big_enough() {
        let r = vec![Arc::new(Range {
            pos: AtomicU64::new(0),
            end: AtomicU64::new(100 << 20),
        })];
        let new = split_largest(&r, 16 << 20).unwrap();
        assert_eq!(r[0].end.load(Ordering::SeqCst), 50 << 20);
        assert_eq!(new.pos.load(Ordering::SeqCst), 50 << 20);
        assert_eq!(new.end.load(Ordering::SeqCst), 100 << 20);
        let small = vec![Arc::new(Range {
            pos: AtomicU64::new(0),
            end: AtomicU64::new(20 << 20),
        })];
        assert!(split_largest(&small, 16 << 20).is_none());
    }
}
