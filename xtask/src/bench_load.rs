//! `cargo xtask bench load`: requests per second and latency of a release `hf-local-hub` under
//! concurrent clients (issue 16, "load figure"): a repo seeded with small files in folders, then
//! `--clients` keep-alive connections for `--secs` seconds per scenario doing (a) small-file
//! downloads through `/resolve`, (b) tree listings of one folder, and (c) the downloads of (a)
//! while one more connection commits one small file after another (reads against a writer).
//!
//! The clients speak HTTP/1.1 over tokio's TCP streams (no client library: only what xtask already
//! depends on), one request at a time per connection; latency is from the first byte sent to the
//! last byte of the body read.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::hub::{Hub, RemoveOnDrop};

const TOKEN: &str = "hf_bench_write";
/// Files per folder of the seeded repo.
const PER_FOLDER: usize = 100;

/// Options of `bench load`.
pub(crate) struct LoadOptions {
    /// Seconds per scenario.
    pub(crate) secs: u64,
    /// Concurrent clients.
    pub(crate) clients: usize,
    /// Files in the seeded repo.
    pub(crate) files: usize,
    /// A prebuilt `hf-local-hub` to measure instead of building the release one.
    pub(crate) hub: Option<PathBuf>,
}

/// Runs the load benchmark and prints its figures.
pub(crate) fn run(opts: &LoadOptions) -> Result<(), String> {
    let work = std::env::temp_dir().join(format!("hf-bench-load-{}", std::process::id()));
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let _cleanup = RemoveOnDrop(work.clone());
    let binary = match &opts.hub {
        Some(p) => p.clone(),
        None => Hub::build("release", &[])?.join("hf-local-hub"),
    };
    let hub = Hub::start(&binary, &work.join("data"), "bench", TOKEN)?;
    hub.create_repo("bench", "load")?;
    let files: Vec<(String, Vec<u8>)> = (0..opts.files)
        .map(|i| {
            (
                format!("d{}/f{i}.txt", i / PER_FOLDER),
                format!("small file number {i}\n").into_bytes(),
            )
        })
        .collect();
    let regular: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_slice()))
        .collect();
    hub.commit("bench/load", "seed", &regular, &[])?;
    let folders = opts.files.div_ceil(PER_FOLDER).max(1);
    let addr = hub
        .endpoint
        .strip_prefix("http://")
        .ok_or("hub endpoint is not http://")?
        .to_owned();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))?;
    println!(
        "bench load: {} ({} files in {folders} folders), {} clients, {} s per scenario",
        binary.display(),
        opts.files,
        opts.clients,
        opts.secs
    );
    let n_files = opts.files.max(1);
    let download_path: PathOf = Arc::new(move |i: usize| {
        let n = i % n_files;
        format!("/bench/load/resolve/main/d{}/f{n}.txt", n / PER_FOLDER)
    });
    let downloads = runtime.block_on(scenario(
        &addr,
        opts.clients,
        opts.secs,
        download_path.clone(),
    ))?;
    report("small-file downloads (GET /resolve)", &downloads, opts.secs);
    let listings = runtime.block_on(scenario(
        &addr,
        opts.clients,
        opts.secs,
        Arc::new(move |i: usize| format!("/api/models/bench/load/tree/main/d{}", i % folders)),
    ))?;
    report(
        &format!("tree listings ({PER_FOLDER} entries)"),
        &listings,
        opts.secs,
    );
    let (reads, writes) = runtime.block_on(scenario_with_writer(
        &addr,
        opts.clients,
        opts.secs,
        download_path,
        true,
    ))?;
    report(
        "small-file downloads while one client commits",
        &reads,
        opts.secs,
    );
    report("  its 1-file commits", &writes, opts.secs);
    match hub.peak_rss_mib() {
        Some(rss) => println!("  hf-local-hub peak RSS: {rss:.1} MiB"),
        None => println!("  hf-local-hub peak RSS: unavailable"),
    }
    Ok(())
}

/// Latencies (seconds) of the successful requests, and the count of failed ones.
struct Outcome {
    latencies: Vec<f64>,
    failures: usize,
}

type PathOf = Arc<dyn Fn(usize) -> String + Send + Sync>;

/// The kept-alive connection, or a new one (`None` when connecting fails).
async fn reuse_or_connect(
    conn: Option<BufReader<TcpStream>>,
    addr: &str,
) -> Option<BufReader<TcpStream>> {
    match conn {
        Some(s) => Some(s),
        None => TcpStream::connect(addr).await.ok().map(BufReader::new),
    }
}

/// `clients` connections issuing requests for `secs` seconds.
async fn scenario(addr: &str, clients: usize, secs: u64, path: PathOf) -> Result<Outcome, String> {
    Ok(scenario_with_writer(addr, clients, secs, path, false)
        .await?
        .0)
}

/// [`scenario`], and with `writer` one more connection committing one file after another.
async fn scenario_with_writer(
    addr: &str,
    clients: usize,
    secs: u64,
    path: PathOf,
    writer: bool,
) -> Result<(Outcome, Outcome), String> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let commits = writer.then(|| {
        let addr = addr.to_owned();
        tokio::spawn(async move {
            let mut out = Outcome {
                latencies: Vec::new(),
                failures: 0,
            };
            let mut conn: Option<BufReader<TcpStream>> = None;
            let mut n = 0usize;
            while Instant::now() < deadline {
                let Some(stream) = reuse_or_connect(conn.take(), &addr).await else {
                    out.failures += 1;
                    continue;
                };
                let started = Instant::now();
                match commit_one(stream, &addr, n).await {
                    Ok((200, s)) => {
                        out.latencies.push(started.elapsed().as_secs_f64());
                        conn = Some(s);
                    }
                    Ok((_, s)) => {
                        out.failures += 1;
                        conn = Some(s);
                    }
                    Err(_) => out.failures += 1,
                }
                n += 1;
            }
            out
        })
    });
    let mut tasks = Vec::new();
    for client in 0..clients {
        let addr = addr.to_owned();
        let path = path.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = 0usize;
            let mut conn: Option<BufReader<TcpStream>> = None;
            let mut i = client * 7919;
            while Instant::now() < deadline {
                let Some(stream) = reuse_or_connect(conn.take(), &addr).await else {
                    failures += 1;
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let started = Instant::now();
                match request(stream, &addr, &path(i)).await {
                    Ok((status, stream)) => {
                        if status == 200 {
                            latencies.push(started.elapsed().as_secs_f64());
                        } else {
                            failures += 1;
                        }
                        conn = Some(stream);
                    }
                    Err(_) => failures += 1,
                }
                i += 1;
            }
            (latencies, failures)
        }));
    }
    let mut out = Outcome {
        latencies: Vec::new(),
        failures: 0,
    };
    for t in tasks {
        let (l, f) = t.await.map_err(|e| format!("client task: {e}"))?;
        out.latencies.extend(l);
        out.failures += f;
    }
    let writes = match commits {
        Some(t) => t.await.map_err(|e| format!("writer task: {e}"))?,
        None => Outcome {
            latencies: Vec::new(),
            failures: 0,
        },
    };
    Ok((out, writes))
}

/// One GET on a keep-alive connection; returns the status and the connection, the body read whole.
async fn request(
    stream: BufReader<TcpStream>,
    host: &str,
    path: &str,
) -> Result<(u16, BufReader<TcpStream>), String> {
    let head = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: */*\r\n\r\n");
    exchange(stream, head.as_bytes()).await
}

/// `POST` of an NDJSON commit of one small file to `main`.
async fn commit_one(
    stream: BufReader<TcpStream>,
    host: &str,
    n: usize,
) -> Result<(u16, BufReader<TcpStream>), String> {
    use base64::Engine as _;
    let content = base64::engine::general_purpose::STANDARD.encode(format!("write {n}\n"));
    let body = format!(
        "{}\n{}\n",
        serde_json::json!({"key": "header", "value": {"summary": format!("write {n}"), "description": ""}}),
        serde_json::json!({"key": "file", "value": {"path": format!("w/f{}.txt", n % 50), "content": content, "encoding": "base64"}})
    );
    let head = format!(
        "POST /api/models/bench/load/commit/main HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {TOKEN}\r\n\
         Content-Type: application/x-ndjson\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    exchange(stream, head.as_bytes()).await
}

/// Sends one request and reads its answer whole; returns the status and the connection.
async fn exchange(
    mut stream: BufReader<TcpStream>,
    request: &[u8],
) -> Result<(u16, BufReader<TcpStream>), String> {
    stream
        .get_mut()
        .write_all(request)
        .await
        .map_err(|e| e.to_string())?;
    let mut line = String::new();
    stream
        .read_line(&mut line)
        .await
        .map_err(|e| e.to_string())?;
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {line:?}"))?;
    let mut length: Option<usize> = None;
    let mut chunked = false;
    loop {
        line.clear();
        let n = stream
            .read_line(&mut line)
            .await
            .map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("connection closed in headers".into());
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
            if k == "content-length" {
                length = v.parse().ok();
            } else if k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked") {
                chunked = true;
            }
        }
    }
    if chunked {
        loop {
            line.clear();
            stream
                .read_line(&mut line)
                .await
                .map_err(|e| e.to_string())?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                .map_err(|_| format!("bad chunk size {line:?}"))?;
            let mut chunk = vec![0u8; size + 2];
            stream
                .read_exact(&mut chunk)
                .await
                .map_err(|e| e.to_string())?;
            if size == 0 {
                break;
            }
        }
    } else {
        let mut body = vec![0u8; length.ok_or("response without length")?];
        stream
            .read_exact(&mut body)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok((status, stream))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn report(what: &str, outcome: &Outcome, secs: u64) {
    let mut l = outcome.latencies.clone();
    l.sort_by(f64::total_cmp);
    println!(
        "  {what}: {:.0} requests/s, p50 {:.2} ms, p99 {:.2} ms ({} ok, {} failed)",
        l.len() as f64 / secs.max(1) as f64,
        percentile(&l, 0.50) * 1e3,
        percentile(&l, 0.99) * 1e3,
        l.len(),
        outcome.failures
    );
}

/// `bench load [--secs N] [--clients N] [--files N] [--hub PATH]`.
pub(crate) fn run_args(args: &[String]) -> Result<(), String> {
    let value = |name: &str| -> Option<&String> {
        let i = args.iter().position(|a| a == name)?;
        args.get(i + 1)
    };
    let number = |name: &str, default: u64| -> Result<u64, String> {
        value(name).map_or(Ok(default), |v| {
            v.parse()
                .map_err(|_| format!("{name} takes a whole number"))
        })
    };
    run(&LoadOptions {
        secs: number("--secs", 10)?.max(1),
        clients: usize::try_from(number("--clients", 64)?.max(1)).unwrap_or(64),
        files: usize::try_from(number("--files", 1000)?.max(1)).unwrap_or(1000),
        hub: value("--hub").map(|p| Path::new(p).to_path_buf()),
    })
}
