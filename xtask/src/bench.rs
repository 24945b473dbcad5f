//! Benchmarks against a release build of `hf-local-hub`, driven over HTTP with curl.
//!
//! Figures are printed, never asserted: speed is checked here, not by timed tests.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use sha2::{Digest, Sha256};

use crate::hub::{Hub, RemoveOnDrop, curl};

const TOKEN: &str = "hf_bench_write";

/// `cargo xtask bench <what>`.
pub fn run(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("download") => {
            let big_mib = parse_flag(args, "--big-mib")?.unwrap_or(2048);
            let rounds = parse_flag(args, "--rounds")?.unwrap_or(3).max(1) as usize;
            let server = match args.iter().position(|a| a == "--server") {
                None => crate::bench_download::Server::Nginx,
                Some(i) => match args.get(i + 1).map(String::as_str) {
                    Some("nginx") => crate::bench_download::Server::Nginx,
                    Some("hub") => crate::bench_download::Server::Hub,
                    _ => return Err("--server takes nginx or hub".into()),
                },
            };
            crate::bench_download::run(big_mib, rounds, server)
        }
        Some("upload") => {
            let big_mib = parse_flag(args, "--big-mib")?.unwrap_or(2048);
            let rounds = parse_flag(args, "--rounds")?.unwrap_or(3).max(1) as usize;
            let big_only = args.iter().any(|a| a == "--big-only");
            crate::bench_upload::run(big_mib, rounds, big_only)
        }
        Some("load") => crate::bench_load::run_args(&args[1..]),
        Some("hash") => hash(),
        Some("serve") => {
            let size_mib = parse_flag(args, "--size-mib")?.unwrap_or(1024);
            let rounds = parse_flag(args, "--rounds")?.unwrap_or(5);
            serve(size_mib, rounds)
        }
        _ => Err("usage: cargo xtask bench <serve|download|upload|load> [options]\n  \
             load [--secs N] [--clients N] [--files N] [--hub PATH]: 64 clients downloading small files and listing trees (requests/s, p50/p99)\n  \
             serve [--size-mib N] [--rounds N]: hf-local-hub serving one LFS file to `curl -o /dev/null` (GB/s, server peak RSS)\n  \
             download [--big-mib N] [--rounds N] [--server nginx|hub]: `hf download` vs the hf-hub crate vs curl vs huggingface_hub 0.36 (cold, warm, scan); LFS bytes from nginx (default) or the hub\n  \
             hash: SHA-256 throughput of sha2 (with and without its asm feature), ring and aws-lc-rs\n  \
             upload [--big-mib N] [--rounds N] [--big-only]: `hf upload` vs huggingface_hub 0.36 (1000 x 16 KiB, one big file, hashing)"
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

/// Writes `size` bytes of incompressible data and returns its SHA-256.
pub(crate) fn make_file(path: &Path, size: u64) -> Result<String, String> {
    make_file_seeded(path, size, 0)
}

/// [`make_file`] with other bytes for each `seed`.
pub(crate) fn make_file_seeded(path: &Path, size: u64, seed: u64) -> Result<String, String> {
    let mut file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut block = vec![0u8; 1 << 20];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15 ^ seed.wrapping_mul(0xD1B5_4A32_D192_ED03);
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

/// `cargo xtask bench hash`: builds `xtask/peers/sha-bench` (outside the workspace, in its own
/// target folder) with and without sha2's `asm` feature and runs it.
fn hash() -> Result<(), String> {
    let root = crate::cmd::repo_root()?;
    let project = root.join("xtask/peers/sha-bench");
    // One target folder: switching the feature rebuilds sha2 only.
    let target = root.join("target/peers/sha-bench/default");
    for features in [None, Some("asm")] {
        let mut build = crate::cmd::Cmd::new("cargo")
            .arg("build")
            .arg("--release")
            .arg("--manifest-path")
            .arg(project.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(&target);
        if let Some(f) = features {
            build = build.args(["--features", f]);
        }
        build.run()?;
        println!("sha2 {}:", features.unwrap_or("default features"));
        crate::cmd::Cmd::new(target.join("release/sha-bench")).run()?;
    }
    Ok(())
}

/// The hub serving one large LFS file to curl, as the target states (>= 1.5 GB/s on loopback).
fn serve(size_mib: u64, rounds: u64) -> Result<(), String> {
    let work = std::env::temp_dir().join(format!("hf-bench-serve-{}", std::process::id()));
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let _cleanup = RemoveOnDrop(work.clone());
    let size = size_mib << 20;
    let file = work.join("big.bin");
    eprintln!("writing a {size_mib} MiB test file");
    let oid = make_file(&file, size)?;
    let target = Hub::build("release", &[])?;
    let hub = Hub::start(
        &target.join("hf-local-hub"),
        &work.join("data"),
        "bench",
        TOKEN,
    )?;
    let endpoint = hub.endpoint.clone();
    hub.create_repo("bench", "serve")?;
    let started = Instant::now();
    hub.push_lfs("bench/serve", &file, &oid, size)?;
    hub.commit("bench/serve", "bench", &[], &[("big.bin", &oid, size)])?;
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
