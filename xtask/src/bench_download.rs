//! `cargo xtask bench download`: `hf download` against curl and the Python client, on a release
//! build of `hf-local-hub`, as issue 5 defines the rounds:
//! one large LFS file cold, 1000 files of 16 KiB cold, both warm, and a scan of 100 repos x 50 files.
//!
//! Dirty pages are flushed (`sync`, untimed) before every measured run. The cold rounds rotate the
//! clients' order from one round to the next, and every client, curl included, creates its files
//! anew in each round. Times are wall-clock medians of whole commands (process start included for `hf` and curl; the
//! Python figures are measured inside the interpreter, after imports, so they favour Python).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::bench::make_file;
use crate::cmd::{Cmd, repo_root};
use crate::hub::{Hub, RemoveOnDrop};

const TOKEN: &str = "hf_bench_write";

/// One measured run: seconds and, when `/usr/bin/time` is there, peak RSS in MiB and CPU
/// seconds (user + system of the process and its children).
#[derive(Clone, Copy)]
pub(crate) struct Sample {
    pub(crate) secs: f64,
    pub(crate) rss_mib: Option<f64>,
    pub(crate) cpu_secs: Option<f64>,
}

/// `/usr/bin/time -f "%M %U %S"` around `program`, when available.
fn timed(program: &Path, report: &Path) -> Command {
    let time = Path::new("/usr/bin/time");
    if time.exists() {
        let mut c = Command::new(time);
        c.arg("-f")
            .arg("%M %U %S")
            .arg("-o")
            .arg(report)
            .arg(program);
        c
    } else {
        Command::new(program)
    }
}

/// Peak RSS (MiB) and CPU seconds from a `/usr/bin/time -f "%M %U %S"` report.
fn read_report(report: &Path) -> (Option<f64>, Option<f64>) {
    let text = std::fs::read_to_string(report).unwrap_or_default();
    let _ = std::fs::remove_file(report);
    let line = text.trim().lines().last().unwrap_or_default().to_owned();
    let fields: Vec<f64> = line
        .split_whitespace()
        .filter_map(|v| v.parse().ok())
        .collect();
    match fields[..] {
        [kib, user, sys] => (Some(kib / 1024.0), Some(user + sys)),
        _ => (None, None),
    }
}

fn report_path() -> PathBuf {
    std::env::temp_dir().join(format!("hf-bench-time-{}", std::process::id()))
}

/// Runs `program args` with `env`, under `/usr/bin/time` when available, and measures it.
pub(crate) fn measure(
    program: &Path,
    args: &[&str],
    env: &[(&str, String)],
    quiet_stdout: bool,
) -> Result<Sample, String> {
    let report = report_path();
    let mut cmd = timed(program, &report);
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    if quiet_stdout {
        cmd.stdout(std::process::Stdio::null());
    }
    settle();
    let started = Instant::now();
    let status = cmd
        .status()
        .map_err(|e| format!("{}: {e}", program.display()))?;
    let secs = started.elapsed().as_secs_f64();
    if !status.success() {
        return Err(format!(
            "{} {} failed ({status})",
            program.display(),
            args.join(" ")
        ));
    }
    let (rss_mib, cpu_secs) = read_report(&report);
    Ok(Sample {
        secs,
        rss_mib,
        cpu_secs,
    })
}

/// Flushes dirty pages before a measured run, so that no run pays for the disk writes of the
/// one before it (a 2 GiB download leaves seconds of writeback behind).
pub(crate) fn settle() {
    let _ = Command::new("sync").status();
}

/// Runs a Python snippet that prints the seconds it measured itself (and its peak RSS in KiB);
/// CPU seconds and peak RSS come from `/usr/bin/time` when available (interpreter start and
/// imports included: CPU is the whole process's).
pub(crate) fn python(venv: &Path, code: &str, env: &[(&str, String)]) -> Result<Sample, String> {
    settle();
    let report = report_path();
    let mut cmd = timed(&venv.join("bin/python"), &report);
    cmd.arg("-c").arg(code);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().map_err(|e| format!("python: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "python failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut fields = text.split_whitespace();
    let secs = fields
        .next()
        .and_then(|v| v.parse().ok())
        .ok_or("python printed no time")?;
    let own_rss = fields
        .next()
        .and_then(|v| v.parse::<f64>().ok())
        .map(|kib| kib / 1024.0);
    let (rss_mib, cpu_secs) = read_report(&report);
    Ok(Sample {
        secs,
        rss_mib: rss_mib.or(own_rss),
        cpu_secs,
    })
}

/// Median of the wall times and CPU seconds; the largest peak RSS.
pub(crate) fn median(samples: Vec<Sample>) -> Sample {
    let mid = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied()
    };
    let secs = mid(samples.iter().map(|s| s.secs).collect()).unwrap_or(f64::NAN);
    let cpus: Vec<f64> = samples.iter().filter_map(|s| s.cpu_secs).collect();
    let cpu_secs = if cpus.len() == samples.len() {
        mid(cpus)
    } else {
        None
    };
    let rss_mib = samples.iter().filter_map(|s| s.rss_mib).reduce(f64::max);
    Sample {
        secs,
        rss_mib,
        cpu_secs,
    }
}

/// The clients of the download rounds, in table order.
const CLIENTS: [&str; 4] = ["hf", "hf-hub", "curl", "python"];

/// Every sample of one round, by client.
struct Round {
    name: &'static str,
    bytes: u64,
    samples: Vec<Vec<Sample>>,
}

impl Round {
    fn new(name: &'static str, bytes: u64) -> Round {
        Round {
            name,
            bytes,
            samples: vec![Vec::new(); CLIENTS.len()],
        }
    }

    fn push(&mut self, client: &str, sample: Sample) {
        if let Some(i) = CLIENTS.iter().position(|c| *c == client) {
            self.samples[i].push(sample);
        }
    }

    fn median(&self, client: usize) -> Option<Sample> {
        let s = &self.samples[client];
        (!s.is_empty()).then(|| median(s.clone()))
    }
}

fn print(rounds: &[Round]) {
    let secs = |s: Option<Sample>| s.map_or("-".into(), |s| format!("{:.3}", s.secs));
    let ratio = |a: Option<Sample>, b: Option<Sample>| match (a, b) {
        (Some(a), Some(b)) => format!("{:.2}x", a.secs / b.secs),
        _ => "-".into(),
    };
    println!(
        "{:<20} {:>8} {:>8} {:>8} {:>8} {:>7} {:>8} {:>8} {:>8}",
        "round",
        "hf s",
        "hf-hub s",
        "curl s",
        "python s",
        "hf MB/s",
        "vs hfhub",
        "vs curl",
        "vs py"
    );
    for r in rounds {
        let ours = r.median(0);
        let mbps = match ours {
            Some(o) if r.bytes > 0 => format!("{:.0}", r.bytes as f64 / o.secs / 1e6),
            _ => "-".into(),
        };
        println!(
            "{:<20} {:>8} {:>8} {:>8} {:>8} {:>7} {:>8} {:>8} {:>8}",
            r.name,
            secs(ours),
            secs(r.median(1)),
            secs(r.median(2)),
            secs(r.median(3)),
            mbps,
            ratio(ours, r.median(1)),
            ratio(ours, r.median(2)),
            ratio(ours, r.median(3)),
        );
    }
    println!();
    println!(
        "{:<20} {:<7} {:>8} {:>17} {:>8} {:>9}",
        "round", "client", "wall s", "(min-max)", "CPU s", "peak RSS"
    );
    for r in rounds {
        for (i, client) in CLIENTS.iter().enumerate() {
            let all = &r.samples[i];
            let Some(m) = r.median(i) else { continue };
            let min = all.iter().map(|s| s.secs).fold(f64::MAX, f64::min);
            let max = all.iter().map(|s| s.secs).fold(0.0, f64::max);
            println!(
                "{:<20} {:<7} {:>8.3} {:>17} {:>8} {:>9}",
                r.name,
                client,
                m.secs,
                format!("({min:.3}-{max:.3})"),
                m.cpu_secs.map_or("-".into(), |c| format!("{c:.2}")),
                m.rss_mib.map_or("-".into(), |m| format!("{m:.1}M")),
            );
        }
    }
    println!(
        "(wall and CPU: medians; RSS: the largest; python's wall is measured inside the interpreter, its CPU and RSS are the whole process's)"
    );
}

/// Builds the `hf-hub` crate peer (its own Cargo project and target folder, outside the
/// workspace) and returns its binary; `None` (with a note) when it cannot be built, e.g.
/// offline.
fn build_hf_hub_peer(root: &Path) -> Option<PathBuf> {
    let project = root.join("xtask/peers/hf-hub-peer");
    let target = root.join("target/peers/hf-hub-peer");
    let built = Cmd::new("cargo")
        .arg("build")
        .arg("--release")
        .arg("--manifest-path")
        .arg(project.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target)
        .run();
    match built {
        Ok(()) => Some(target.join("release/hf-hub-peer")),
        Err(e) => {
            eprintln!("the hf-hub crate peer is left out: {e}");
            None
        }
    }
}

/// Writes a cache of `repos` repos with `files` files each, in the Python layout, for the scan round.
fn synthetic_cache(root: &Path, repos: usize, files: usize) -> Result<(), String> {
    let io = |p: &Path, e: std::io::Error| format!("{}: {e}", p.display());
    for r in 0..repos {
        let repo = root.join(format!("models--bench--repo{r}"));
        let commit = format!("{:040x}", r + 1);
        let snap = repo.join("snapshots").join(&commit);
        std::fs::create_dir_all(&snap).map_err(|e| io(&snap, e))?;
        std::fs::create_dir_all(repo.join("blobs")).map_err(|e| io(&repo, e))?;
        std::fs::create_dir_all(repo.join("refs")).map_err(|e| io(&repo, e))?;
        std::fs::write(repo.join("refs/main"), &commit).map_err(|e| io(&repo, e))?;
        for f in 0..files {
            let blob = format!("{:040x}", (r << 16) + f);
            let blob_path = repo.join("blobs").join(&blob);
            std::fs::write(&blob_path, format!("repo {r} file {f}"))
                .map_err(|e| io(&blob_path, e))?;
            let link = snap.join(format!("file{f}.txt"));
            std::os::unix::fs::symlink(format!("../../blobs/{blob}"), &link)
                .map_err(|e| io(&link, e))?;
        }
    }
    Ok(())
}

/// Where the LFS bytes come from.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Server {
    /// nginx with sendfile, as the Hub's CDN (the hub answers the API and redirects there).
    Nginx,
    /// hf-local-hub's own `/cdn/lfs` route.
    Hub,
}

/// `cargo xtask bench download [--big-mib N] [--rounds N] [--server nginx|hub]`.
pub fn run(big_mib: u64, rounds: usize, server: Server) -> Result<(), String> {
    let root = repo_root()?;
    let work = std::env::temp_dir().join(format!("hf-bench-download-{}", std::process::id()));
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let _cleanup = RemoveOnDrop(work.clone());
    let venv = PathBuf::from(
        Cmd::new("bash")
            .arg(root.join("tests/python/setup-venv.sh"))
            .output_line()?,
    );
    let target = Hub::build("release", &["hf"])?;
    let hf = target.join("hf");
    let peer = build_hf_hub_peer(&root);
    let data = work.join("hub-data");
    let (_nginx, extra) = match server {
        Server::Nginx => {
            let port = crate::bench_nginx::Nginx::free_port()?;
            std::fs::create_dir_all(data.join("objects/lfs"))
                .map_err(|e| format!("{}: {e}", data.display()))?;
            let nginx = crate::bench_nginx::Nginx::start(port, &data.join("objects/lfs"), &work)?;
            let extra = vec!["--cdn-url".to_owned(), nginx.base_url.clone()];
            (Some(nginx), extra)
        }
        Server::Hub => (None, Vec::new()),
    };
    let hub = Hub::start_with(&target.join("hf-local-hub"), &data, "bench", TOKEN, &extra)?;
    let endpoint = hub.endpoint.clone();

    eprintln!("seeding: one {big_mib} MiB LFS file and 1000 files of 16 KiB");
    let big = work.join("big.bin");
    let big_size = big_mib << 20;
    let oid = make_file(&big, big_size)?;
    hub.create_repo("bench", "big")?;
    hub.push_lfs("bench/big", &big, &oid, big_size)?;
    hub.commit("bench/big", "big", &[], &[("big.bin", &oid, big_size)])?;
    std::fs::remove_file(&big).map_err(|e| format!("{}: {e}", big.display()))?;
    let small: Vec<(String, Vec<u8>)> = (0..1000)
        .map(|i| {
            (
                format!("shard/{i:04}.bin.txt"),
                format!("{i:016}").repeat(1024).into_bytes(),
            )
        })
        .collect();
    hub.create_repo("bench", "small")?;
    let refs: Vec<(&str, &[u8])> = small
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_slice()))
        .collect();
    hub.commit("bench/small", "small", &refs, &[])?;
    let small_bytes: u64 = small.iter().map(|(_, c)| c.len() as u64).sum();

    let home = work.join("home");
    let curl_dir = work.join("curl");
    std::fs::create_dir_all(&curl_dir).map_err(|e| format!("{}: {e}", curl_dir.display()))?;
    let auth = format!("Authorization: Bearer {TOKEN}");
    // curl fetching the 1000 URLs over one keep-alive connection: one process, a config file.
    let config = curl_dir.join("small.curlrc");
    let lines: String = small
        .iter()
        .enumerate()
        .map(|(i, (p, _))| {
            format!(
                "url = \"{endpoint}/bench/small/resolve/main/{p}\"\noutput = \"{}/s{i}\"\n",
                curl_dir.display()
            )
        })
        .collect();
    std::fs::write(&config, lines).map_err(|e| format!("{}: {e}", config.display()))?;
    let curl = Path::new("/usr/bin/curl");
    let big_url = format!("{endpoint}/bench/big/resolve/main/big.bin");
    let one_url = format!("{endpoint}/bench/small/resolve/main/{}", small[0].0);
    let big_out = curl_dir.join("big.bin");
    let one_out = curl_dir.join("one");

    // Every client gets the endpoint and token through the environment, and its own cache.
    let env = |cache: &Path| -> Vec<(&str, String)> {
        vec![
            ("HF_ENDPOINT", endpoint.clone()),
            ("HF_TOKEN", TOKEN.to_owned()),
            ("HF_HOME", home.display().to_string()),
            ("HF_HUB_CACHE", cache.display().to_string()),
            ("HF_HUB_DISABLE_XET", "1".to_owned()),
            ("HF_HUB_DISABLE_PROGRESS_BARS", "1".to_owned()),
            ("HF_HUB_DISABLE_TELEMETRY", "1".to_owned()),
        ]
    };
    let py_download = |cache: &Path, what: &str| -> Result<Sample, String> {
        let code = format!(
            "import time, resource\nfrom huggingface_hub import hf_hub_download, snapshot_download\n\
             t = time.perf_counter()\n{what}\n\
             print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
        );
        python(&venv, &code, &env(cache))
    };
    let run_hf = |args: &[&str], cache: &Path| measure(&hf, args, &env(cache), true);
    let run_peer = |args: &[&str], cache: &Path| -> Result<Option<Sample>, String> {
        peer.as_ref()
            .map(|p| measure(p, args, &env(cache), true))
            .transpose()
    };
    let curl_big = || {
        measure(
            curl,
            &[
                "-sSfL",
                "-H",
                &auth,
                "-o",
                big_out.to_str().unwrap_or_default(),
                &big_url,
            ],
            &[],
            true,
        )
    };
    let curl_one = || {
        measure(
            curl,
            &[
                "-sSf",
                "-H",
                &auth,
                "-o",
                one_out.to_str().unwrap_or_default(),
                &one_url,
            ],
            &[],
            true,
        )
    };
    // One untimed download first: the hub stages uploads around the page cache, so the seeded
    // object starts on disk, and whichever client ran first would read it from there; a CDN
    // serves a popular file from memory.
    curl_big()?;
    let _ = std::fs::remove_file(&big_out);
    let mut big_cold = Round::new("big file cold", big_size);
    let mut small_cold = Round::new("1000 x 16 KiB cold", small_bytes);
    let mut big_warm = Round::new("big file warm", 0);
    let mut small_warm = Round::new("1000 files warm", 0);
    for round in 0..rounds {
        eprintln!("round {}/{rounds}", round + 1);
        let ours = work.join(format!("ours-{round}"));
        let theirs = work.join(format!("hf-hub-{round}"));
        let py = work.join(format!("py-{round}"));
        // The cold rounds run the clients in a different order each round: deleting the last
        // round's caches makes the file system slower at creating files for a while (ext4 skips
        // recently deleted inodes), and the same client should not always pay for it.
        for k in 0..CLIENTS.len() {
            let client = CLIENTS[(k + round) % CLIENTS.len()];
            let sample = match client {
                "hf" => Some(run_hf(
                    &["download", "bench/big", "big.bin", "--quiet"],
                    &ours,
                )?),
                "hf-hub" => run_peer(&["bench/big", "big.bin"], &theirs)?,
                "curl" => Some(curl_big()?),
                _ => Some(py_download(&py, "hf_hub_download('bench/big', 'big.bin')")?),
            };
            if let Some(sample) = sample {
                big_cold.push(client, sample);
            }
        }
        for k in 0..CLIENTS.len() {
            let client = CLIENTS[(k + round) % CLIENTS.len()];
            let sample = match client {
                "hf" => Some(run_hf(&["download", "bench/small", "--quiet"], &ours)?),
                "hf-hub" => run_peer(&["bench/small"], &theirs)?,
                "curl" => {
                    let sample = measure(
                        curl,
                        &[
                            "-sSf",
                            "-H",
                            &auth,
                            "-K",
                            config.to_str().unwrap_or_default(),
                        ],
                        &[],
                        true,
                    )?;
                    // Created again next round, as every other client's files are (overwriting
                    // them would skip the file creation the others pay for).
                    for i in 0..small.len() {
                        let _ = std::fs::remove_file(curl_dir.join(format!("s{i}")));
                    }
                    Some(sample)
                }
                _ => Some(py_download(&py, "snapshot_download('bench/small')")?),
            };
            if let Some(sample) = sample {
                small_cold.push(client, sample);
            }
        }
        big_warm.push(
            "hf",
            run_hf(&["download", "bench/big", "big.bin", "--quiet"], &ours)?,
        );
        if let Some(s) = run_peer(&["bench/big", "big.bin"], &theirs)? {
            big_warm.push("hf-hub", s);
        }
        big_warm.push(
            "python",
            py_download(&py, "hf_hub_download('bench/big', 'big.bin')")?,
        );
        small_warm.push(
            "hf",
            run_hf(&["download", "bench/small", "--quiet"], &ours)?,
        );
        if let Some(s) = run_peer(&["bench/small"], &theirs)? {
            small_warm.push("hf-hub", s);
        }
        small_warm.push(
            "python",
            py_download(&py, "snapshot_download('bench/small')")?,
        );
        let one = curl_one()?;
        big_warm.push("curl", one);
        small_warm.push("curl", one);
        for dir in [&ours, &theirs, &py] {
            let _ = std::fs::remove_dir_all(dir);
        }
        // With the caches, not right after curl's run: pages freed just before a run are cheap
        // to take again on this VM, and the client after curl got them (Python always did).
        let _ = std::fs::remove_file(&big_out);
    }
    let scan_cache = work.join("scan-cache");
    synthetic_cache(&scan_cache, 100, 50)?;
    let mut scan = Round::new("scan 100 x 50", 0);
    for _ in 0..rounds {
        scan.push(
            "hf",
            measure(
                &hf,
                &[
                    "cache",
                    "scan",
                    "--format",
                    "json",
                    "--cache-dir",
                    scan_cache.to_str().unwrap_or_default(),
                ],
                &[],
                true,
            )?,
        );
        let code = format!(
            "import time, resource\nfrom huggingface_hub import scan_cache_dir\nt = time.perf_counter()\n\
             info = scan_cache_dir({:?})\nassert len(info.repos) == 100, len(info.repos)\n\
             print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)",
            scan_cache.display().to_string()
        );
        scan.push("python", python(&venv, &code, &[])?);
    }
    println!(
        "bench download: {big_mib} MiB LFS file (bytes from {}), 1000 x 16 KiB, {rounds} rounds \
         (medians; warm rows compare to ONE curl request)",
        match server {
            Server::Nginx => "nginx with sendfile, after the hub's redirect",
            Server::Hub => "hf-local-hub's own CDN route",
        }
    );
    print(&[big_cold, small_cold, big_warm, small_warm, scan]);
    Ok(())
}
