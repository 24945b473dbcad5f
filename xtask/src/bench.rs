//! Benchmarks against a release build of `hf-local-hub`, driven over HTTP with curl.
//!
//! Figures are printed, never asserted: speed is checked here, not by timed tests.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::cmd::{Cmd, repo_root};

const TOKEN: &str = "hf_bench_write";

/// `cargo xtask bench <what>`.
pub fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("serve") => {
            let size_mib = parse_flag(args, "--size-mib")?.unwrap_or(1024);
            let rounds = parse_flag(args, "--rounds")?.unwrap_or(5);
            serve(size_mib, rounds)
        }
        _ => Err("usage: cargo xtask bench serve [--size-mib N] [--rounds N]\n  \
             serve: hf-local-hub serving one LFS file to `curl -o /dev/null` (GB/s, server peak RSS)"
            .to_owned()),
    }
}

fn parse_flag(args: &[String], name: &str) -> Result<Option<u64>, String> {
    match args.iter().position(|a| a == name) {
        None => Ok(None),
        Some(i) => args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .map(Some)
            .ok_or_else(|| format!("{name} takes a whole number")),
    }
}

/// A running release build of the local hub; killed on drop.
struct Hub {
    child: Child,
    endpoint: String,
}

impl Hub {
    fn start(data_dir: &Path) -> Result<Self, String> {
        Cmd::new("cargo")
            .args([
                "build",
                "--release",
                "--package",
                "hf-local-hub",
                "--bin",
                "hf-local-hub",
            ])
            .run()?;
        let binary = repo_root()?.join("target/release/hf-local-hub");
        let mut child = Command::new(binary)
            .args([
                "--addr",
                "127.0.0.1:0",
                "--user",
                &format!("bench:{TOKEN}"),
                "--data-dir",
            ])
            .arg(data_dir)
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("could not start hf-local-hub: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout from hf-local-hub")?;
        let mut first = String::new();
        BufReader::new(stdout)
            .read_line(&mut first)
            .map_err(|e| format!("reading hf-local-hub's first line: {e}"))?;
        let endpoint = first
            .trim()
            .strip_prefix("hf-local-hub listening on ")
            .ok_or_else(|| format!("unexpected first line from hf-local-hub: {first:?}"))?
            .to_owned();
        Ok(Self { child, endpoint })
    }

    /// Peak resident memory of the server so far (Linux `VmHWM`), in MiB.
    fn peak_rss_mib(&self) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib / 1024.0)
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs curl and returns its standard output.
fn curl(args: &[&str]) -> Result<String, String> {
    let out = Command::new("curl")
        .args(["--silent", "--show-error", "--fail-with-body"])
        .args(args)
        .output()
        .map_err(|e| format!("could not run curl: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "curl {} failed: {}{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn json(text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| format!("bad JSON from the hub ({e}): {text}"))
}

/// Writes `size` bytes of incompressible data and returns its SHA-256.
fn make_file(path: &Path, size: u64) -> Result<String, String> {
    let mut file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut block = vec![0u8; 1 << 20];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut written = 0;
    while written < size {
        for chunk in block.chunks_exact_mut(8) {
            // xorshift64: cheap bytes that no layer can compress away.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            chunk.copy_from_slice(&state.to_le_bytes());
        }
        let n = (size - written).min(block.len() as u64) as usize;
        hasher.update(&block[..n]);
        file.write_all(&block[..n])
            .map_err(|e| format!("{}: {e}", path.display()))?;
        written += n as u64;
    }
    file.sync_all()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(hex::encode(hasher.finalize()))
}

/// PUTs bytes `[offset, offset + len)` of `path` to `url`; returns the response headers.
fn put_range(url: &str, path: &Path, offset: u64, len: u64) -> Result<String, String> {
    let mut child = Command::new("curl")
        .args([
            "--silent",
            "--show-error",
            "--fail-with-body",
            "-D",
            "-",
            "-o",
            "/dev/null",
        ])
        .args([
            "-X",
            "PUT",
            "-H",
            &format!("Content-Length: {len}"),
            "--data-binary",
            "@-",
            url,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not run curl: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("no stdin for curl")?;
    let mut file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(offset))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    std::io::copy(&mut file.take(len), &mut stdin).map_err(|e| format!("piping to curl: {e}"))?;
    drop(stdin);
    let out = child.wait_with_output().map_err(|e| format!("curl: {e}"))?;
    if !out.status.success() {
        return Err(format!("PUT {url} failed ({})", out.status));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Uploads `path` as an LFS object of `repo` through the batch API (basic or multipart) and commits it.
fn upload_lfs(endpoint: &str, repo: &str, path: &Path, oid: &str, size: u64) -> Result<(), String> {
    let auth = format!("Authorization: Bearer {TOKEN}");
    let batch = json(&curl(&[
        "-X",
        "POST",
        "-H",
        &auth,
        "-H",
        "Content-Type: application/vnd.git-lfs+json",
        "-H",
        "Accept: application/vnd.git-lfs+json",
        "--data",
        &format!(
            r#"{{"operation":"upload","transfers":["basic","multipart"],"objects":[{{"oid":"{oid}","size":{size}}}],"hash_algo":"sha256","ref":{{"name":"main"}}}}"#
        ),
        &format!("{endpoint}/{repo}.git/info/lfs/objects/batch"),
    ])?)?;
    let object = &batch["objects"][0];
    if let Some(upload) = object["actions"].get("upload") {
        let href = upload["href"]
            .as_str()
            .ok_or("batch answer without upload.href")?;
        let header = &upload["header"];
        if let Some(chunk) = header.get("chunk_size").and_then(Value::as_str) {
            let chunk: u64 = chunk.parse().map_err(|_| "bad chunk_size")?;
            let mut parts = Vec::new();
            for (i, offset) in (0..size).step_by(chunk as usize).enumerate() {
                let number = i + 1;
                let url = header[number.to_string()]
                    .as_str()
                    .ok_or("missing part URL")?;
                let headers = put_range(url, path, offset, chunk.min(size - offset))?;
                let etag = headers
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .starts_with("etag:")
                            .then(|| l[5..].trim().to_owned())
                    })
                    .ok_or("part answer without ETag")?;
                parts.push(serde_json::json!({"partNumber": number, "etag": etag}));
            }
            let body = serde_json::json!({"oid": oid, "parts": parts}).to_string();
            curl(&[
                "-X",
                "POST",
                "-H",
                "Content-Type: application/vnd.git-lfs+json",
                "--data",
                &body,
                href,
            ])?;
        } else {
            put_range(href, path, 0, size)?;
        }
        if let Some(verify) = object["actions"]
            .get("verify")
            .and_then(|v| v["href"].as_str())
        {
            let body = format!(r#"{{"oid":"{oid}","size":{size}}}"#);
            curl(&[
                "-X",
                "POST",
                "-H",
                &auth,
                "-H",
                "Content-Type: application/vnd.git-lfs+json",
                "--data",
                &body,
                verify,
            ])?;
        }
    }
    let commit = format!(
        "{{\"key\":\"header\",\"value\":{{\"summary\":\"bench\",\"description\":\"\"}}}}\n\
         {{\"key\":\"lfsFile\",\"value\":{{\"path\":\"big.bin\",\"algo\":\"sha256\",\"oid\":\"{oid}\",\"size\":{size}}}}}\n"
    );
    curl(&[
        "-X",
        "POST",
        "-H",
        &auth,
        "-H",
        "Content-Type: application/x-ndjson",
        "--data-binary",
        &commit,
        &format!("{endpoint}/api/models/{repo}/commit/main"),
    ])?;
    Ok(())
}

/// The hub serving one large LFS file to curl, as the issue's target states (>= 1.5 GB/s on loopback).
fn serve(size_mib: u64, rounds: u64) -> Result<(), String> {
    let work = std::env::temp_dir().join(format!("hf-bench-serve-{}", std::process::id()));
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let _cleanup = RemoveOnDrop(work.clone());
    let size = size_mib << 20;
    let file = work.join("big.bin");
    eprintln!("writing a {size_mib} MiB test file");
    let oid = make_file(&file, size)?;
    let hub = Hub::start(&work.join("data"))?;
    let endpoint = hub.endpoint.clone();
    let auth = format!("Authorization: Bearer {TOKEN}");
    curl(&[
        "-X",
        "POST",
        "-H",
        &auth,
        "-H",
        "Content-Type: application/json",
        "--data",
        r#"{"name":"serve","organization":"bench"}"#,
        &format!("{endpoint}/api/repos/create"),
    ])?;
    let started = Instant::now();
    upload_lfs(&endpoint, "bench/serve", &file, &oid, size)?;
    let upload_secs = started.elapsed().as_secs_f64();
    std::fs::remove_file(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    let url = format!("{endpoint}/bench/serve/resolve/main/big.bin");
    let mut speeds = Vec::new();
    for round in 1..=rounds {
        let out = curl(&[
            "-L",
            "-o",
            "/dev/null",
            "-w",
            "%{size_download} %{time_total}",
            &url,
        ])?;
        let mut fields = out.split_whitespace();
        let bytes: f64 = fields
            .next()
            .and_then(|v| v.parse().ok())
            .ok_or("curl printed no size")?;
        let secs: f64 = fields
            .next()
            .and_then(|v| v.parse().ok())
            .ok_or("curl printed no time")?;
        if bytes as u64 != size {
            return Err(format!(
                "round {round}: curl got {bytes} bytes, expected {size}"
            ));
        }
        let gbps = bytes / secs / 1e9;
        eprintln!("round {round}: {gbps:.2} GB/s ({secs:.3} s)");
        speeds.push(gbps);
    }
    speeds.sort_by(f64::total_cmp);
    let median = speeds[speeds.len() / 2];
    println!("bench serve: {size_mib} MiB LFS file, {rounds} rounds of `curl -L -o /dev/null`");
    println!(
        "  upload through the LFS batch API: {:.2} GB/s",
        size as f64 / upload_secs / 1e9
    );
    println!(
        "  download median: {median:.2} GB/s (min {:.2}, max {:.2})",
        speeds[0],
        speeds[speeds.len() - 1]
    );
    match hub.peak_rss_mib() {
        Some(rss) => println!("  hf-local-hub peak RSS: {rss:.1} MiB"),
        None => println!("  hf-local-hub peak RSS: unavailable"),
    }
    Ok(())
}

struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
