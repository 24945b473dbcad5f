//! Repository automation, run as `cargo xtask <command>` (matklad's xtask pattern).
//!
//! - `cargo xtask demo`: the main job on an embedded local Hub (see `demo.rs`).
//! - `cargo xtask test`: every test: the Rust workspace (unit, integration, doc tests) and the
//!   Python conformance suite that drives the official `huggingface_hub` client against `hf-local-hub`.
//! - `cargo xtask ci`: the checks CI runs before the tests (format, clippy, rustdoc, cargo-deny), then `test`.
//! - `cargo xtask fuzz <target|all> [--seconds N]`: mutation fuzzing of the parsers (see `fuzz.rs`).
//! - `cargo xtask soak [--minutes N] [--clients N]`: a fault soak of the hub and the clients (see `soak.rs`).
//! - `cargo xtask bench <serve>`: benchmarks against `hf-local-hub`; figures printed, never asserted.
#![allow(clippy::print_stdout)]

mod bench;
mod bench_download;
mod bench_load;
mod bench_nginx;
mod bench_upload;
mod cmd;
mod demo;
mod fuzz;
mod hub;
mod soak;

use std::process::ExitCode;

use cmd::{Cmd, repo_root};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test(),
        Some("ci") => ci().and_then(|()| test()),
        Some("checks") => ci(),
        Some("bench") => bench::run(&args[1..]),
        Some("demo") => demo::run(&args[1..]),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("soak") => soak::run(&args[1..]),
        _ => {
            println!(
                "usage: cargo xtask <command>\n\n\
                 commands:\n  \
                 demo    the main job on an embedded local Hub: publish a model, hf download it, hf cache scan\n  \
                 test    run every test (Rust workspace + Python conformance)\n  \
                 checks  fmt, clippy, rustdoc and cargo-deny checks\n  \
                 ci      checks, then test\n  \
                 fuzz    mutation fuzzing of the parsers (`cargo xtask fuzz <target|all> --seconds N`)\n  \
                 soak    the local hub injecting faults under concurrent clients (`cargo xtask soak --minutes N`)\n  \
                 bench   benchmarks against hf-local-hub (`cargo xtask bench help`)"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Every test of the project.
fn test() -> Result<(), String> {
    let root = repo_root()?;
    // nextest runs each test in its own process (isolation, parallelism); it skips doc tests,
    // which `cargo test --doc` runs next. Fall back to `cargo test` where nextest is missing.
    if Cmd::new("cargo")
        .args(["nextest", "--version"])
        .quiet()
        .succeeds()
    {
        Cmd::new("cargo")
            .args([
                "nextest",
                "run",
                "--workspace",
                "--all-targets",
                "--no-fail-fast",
            ])
            .run()?;
    } else {
        Cmd::new("cargo")
            .args(["test", "--workspace", "--all-targets", "--no-fail-fast"])
            .run()?;
    }
    Cmd::new("cargo")
        .args(["test", "--workspace", "--doc"])
        .run()?;
    // A short run of every fuzz target (issue 16): catches regressions the seeds reach quickly.
    // A fixed PRNG seed makes the inputs the same on every run (longer runs pick their own).
    fuzz::run(&["all", "--seconds", "3", "--seed", "1"].map(str::to_owned))?;
    // The Python client against our server: the protocol as the official client speaks it.
    Cmd::new("cargo")
        .args([
            "build",
            "--package",
            "hf-local-hub",
            "--bin",
            "hf-local-hub",
            "--package",
            "hf-cli",
            "--bin",
            "hf",
        ])
        .run()?;
    let hub = root.join("target/debug/hf-local-hub");
    Cmd::new("bash")
        .arg(root.join("tests/python/run-conformance.sh"))
        .arg(&hub)
        .run()?;
    // Our cache read by Python and Python's by us, with 0.36 and the newest client.
    Cmd::new("bash")
        .arg(root.join("tests/interop/run-interop.sh"))
        .arg(&hub)
        .arg(root.join("target/debug/hf"))
        .run()?;
    Ok(())
}

/// The static checks CI runs before the tests.
fn ci() -> Result<(), String> {
    Cmd::new("cargo")
        .args(["fmt", "--all", "--", "--check"])
        .run()?;
    Cmd::new("cargo")
        .args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])
        .run()?;
    Cmd::new("cargo")
        .args(["doc", "--no-deps", "--workspace"])
        .env("RUSTDOCFLAGS", "-Dwarnings")
        .run()?;
    let deny = cmd::cargo_deny()?;
    // Offline checks only: the advisory database needs the network, which CI does not have.
    Cmd::new(&deny)
        .args(["check", "bans", "licenses", "sources"])
        .run()?;
    Ok(())
}
