//! Repository automation, run as `cargo xtask <command>` (matklad's xtask pattern).
#![allow(clippy::print_stdout)]

use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("test") => run_all(&[&["cargo", "test", "--workspace", "--all-targets"]]),
        _ => {
            println!("usage: cargo xtask <test|ci|bench>");
            ExitCode::FAILURE
        }
    }
}

fn run_all(commands: &[&[&str]]) -> ExitCode {
    for command in commands {
        eprintln!("$ {}", command.join(" "));
        let status = Command::new(command[0]).args(&command[1..]).status();
        match status {
            Ok(s) if s.success() => {}
            Ok(s) => {
                eprintln!("failed: {} ({s})", command.join(" "));
                return ExitCode::FAILURE;
            }
            Err(e) => {
                eprintln!("could not run {}: {e}", command[0]);
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
