//! `cargo xtask bench download`: `hf download` against curl and the Python client, on a release
//! build of `hf-local-hub`, as issue 5 defines the rounds:
//! one large LFS file cold, 1000 files of 16 KiB cold, both warm, and a scan of 100 repos x 50 files.
//!
//! Dirty pages are flushed (`sync`, untimed) before every measured run. Times are wall-clock medians of whole commands (process start included for `hf` and curl; the
//! Python figures are measured inside the interpreter, after imports, so they favour Python).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::bench::make_file;
use crate::cmd::{Cmd, repo_root};
use crate::hub::{Hub, RemoveOnDrop};

const TOKEN: &str = "hf_bench_write";

/// One measured run: seconds and, when `/usr/bin/time` is there, peak RSS in MiB.
#[derive(Clone, Copy)]
pub(crate) struct Sample {
    pub(crate) secs: f64,
    pub(crate) rss_mib: Option<f64>,
}

/// Runs `program args` with `env`, under `/usr/bin/time` when available, and measures it.
pub(crate) fn measure(
    program: &Path,
    args: &[&str],
    env: &[(&str, String)],
    quiet_stdout: bool,
) -> Result<Sample, String> {
    let time = Path::new("/usr/bin/time");
    let report = std::env::temp_dir().join(format!("hf-bench-time-{}", std::process::id()));
    let mut cmd = if time.exists() {
        let mut c = Command::new(time);
        c.arg("-f").arg("%M").arg("-o").arg(&report).arg(program);
        c
    } else {
        Command::new(program)
    };
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
    let rss_mib = std::fs::read_to_string(&report)
        .ok()
        .and_then(|t| t.trim().lines().last()?.trim().parse::<f64>().ok())
        .map(|kib| kib / 1024.0);
    let _ = std::fs::remove_file(&report);
    Ok(Sample { secs, rss_mib })
}

/// Flushes dirty pages before a measured run, so that no run pays for the disk writes of the
/// one before it (a 2 GiB download leaves seconds of writeback behind).
pub(crate) fn settle() {
    let _ = Command::new("sync").status();
}

/// Runs a Python snippet that prints the seconds it measured itself.
pub(crate) fn python(venv: &Path, code: &str, env: &[(&str, String)]) -> Result<Sample, String> {
    settle();
    let mut cmd = Command::new(venv.join("bin/python"));
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
    let rss_mib = fields
        .next()
        .and_then(|v| v.parse::<f64>().ok())
        .map(|kib| kib / 1024.0);
    Ok(Sample { secs, rss_mib })
}

pub(crate) fn median(mut samples: Vec<Sample>) -> Sample {
    samples.sort_by(|a, b| a.secs.total_cmp(&b.secs));
    let secs = samples[samples.len() / 2].secs;
    let rss_mib = samples.iter().filter_map(|s| s.rss_mib).reduce(f64::max);
    Sample { secs, rss_mib }
}

struct Row {
    round: &'static str,
    bytes: u64,
    ours: Sample,
    curl: Option<Sample>,
    python: Sample,
}

fn print(rows: &[Row]) {
    println!(
        "{:<22} {:>9} {:>9} {:>9} {:>9} {:>8} {:>8} {:>9}",
        "round", "hf s", "curl s", "python s", "hf MB/s", "vs curl", "vs py", "hf RSS"
    );
    for r in rows {
        let mbps = if r.bytes > 0 {
            format!("{:.0}", r.bytes as f64 / r.ours.secs / 1e6)
        } else {
            "-".into()
        };
        let rss = r.ours.rss_mib.map_or("-".into(), |m| format!("{m:.1}M"));
        let curl = r.curl.map_or("-".into(), |c| format!("{:.3}", c.secs));
        let vs_curl = r
            .curl
            .map_or("-".into(), |c| format!("{:.2}x", r.ours.secs / c.secs));
        println!(
            "{:<22} {:>9.3} {:>9} {:>9.3} {:>9} {:>8} {:>8} {:>9}",
            r.round,
            r.ours.secs,
            curl,
            r.python.secs,
            mbps,
            vs_curl,
            format!("{:.2}x", r.ours.secs / r.python.secs),
            rss
        );
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

/// `cargo xtask bench download [--big-mib N] [--rounds N]`.
pub fn run(big_mib: u64, rounds: usize) -> Result<(), String> {
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
    let hub = Hub::start(
        &target.join("hf-local-hub"),
        &work.join("hub-data"),
        "bench",
        TOKEN,
    )?;
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
    let mut big_cold = (Vec::new(), Vec::new(), Vec::new());
    let mut small_cold = (Vec::new(), Vec::new(), Vec::new());
    let mut big_warm = (Vec::new(), Vec::new());
    let mut small_warm = (Vec::new(), Vec::new());
    let mut one_request = Vec::new();
    for round in 0..rounds {
        eprintln!("round {}/{rounds}", round + 1);
        let ours = work.join(format!("ours-{round}"));
        let py = work.join(format!("py-{round}"));
        big_cold.0.push(run_hf(
            &["download", "bench/big", "big.bin", "--quiet"],
            &ours,
        )?);
        big_cold.1.push(measure(
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
        )?);
        let _ = std::fs::remove_file(&big_out);
        big_cold
            .2
            .push(py_download(&py, "hf_hub_download('bench/big', 'big.bin')")?);
        small_cold
            .0
            .push(run_hf(&["download", "bench/small", "--quiet"], &ours)?);
        small_cold.1.push(measure(
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
        )?);
        small_cold
            .2
            .push(py_download(&py, "snapshot_download('bench/small')")?);
        big_warm.0.push(run_hf(
            &["download", "bench/big", "big.bin", "--quiet"],
            &ours,
        )?);
        big_warm
            .1
            .push(py_download(&py, "hf_hub_download('bench/big', 'big.bin')")?);
        small_warm
            .0
            .push(run_hf(&["download", "bench/small", "--quiet"], &ours)?);
        small_warm
            .1
            .push(py_download(&py, "snapshot_download('bench/small')")?);
        one_request.push(measure(
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
        )?);
        for dir in [&ours, &py] {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
    let scan_cache = work.join("scan-cache");
    synthetic_cache(&scan_cache, 100, 50)?;
    let mut scan = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        scan.0.push(measure(
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
        )?);
        let code = format!(
            "import time, resource\nfrom huggingface_hub import scan_cache_dir\nt = time.perf_counter()\n\
             info = scan_cache_dir({:?})\nassert len(info.repos) == 100, len(info.repos)\n\
             print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)",
            scan_cache.display().to_string()
        );
        scan.1.push(python(&venv, &code, &[])?);
    }
    let one = median(one_request);
    let rows = vec![
        Row {
            round: "big file cold",
            bytes: big_size,
            ours: median(big_cold.0),
            curl: Some(median(big_cold.1)),
            python: median(big_cold.2),
        },
        Row {
            round: "1000 x 16 KiB cold",
            bytes: small_bytes,
            ours: median(small_cold.0),
            curl: Some(median(small_cold.1)),
            python: median(small_cold.2),
        },
        Row {
            round: "big file warm",
            bytes: 0,
            ours: median(big_warm.0),
            curl: Some(one),
            python: median(big_warm.1),
        },
        Row {
            round: "1000 files warm",
            bytes: 0,
            ours: median(small_warm.0),
            curl: Some(one),
            python: median(small_warm.1),
        },
        Row {
            round: "scan 100 x 50",
            bytes: 0,
            ours: median(scan.0),
            curl: None,
            python: median(scan.1),
        },
    ];
    println!(
        "bench download: {big_mib} MiB LFS file, 1000 x 16 KiB, {rounds} rounds (medians; warm rows compare to ONE curl request)"
    );
    print(&rows);
    Ok(())
}
