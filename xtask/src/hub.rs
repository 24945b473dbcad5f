//! Driving a local `hf-local-hub` binary over HTTP with curl, as an outside client would:
//! for the benchmarks and the demo.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::cmd::{Cmd, repo_root};

/// A running `hf-local-hub` binary with one user; killed on drop.
pub struct Hub {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    token: String,
}

impl Hub {
    /// Builds `hf-local-hub` (and any other binaries named in `also`) with `profile`
    /// (`dev` or `release`) and returns the target folder they are in.
    pub fn build(profile: &str, also: &[&str]) -> Result<PathBuf, String> {
        let mut cmd = Cmd::new("cargo").args(["build", "--profile", profile]);
        for (package, bin) in [("hf-local-hub", "hf-local-hub")].iter().copied().chain(
            also.iter()
                .map(|bin| (if *bin == "hf" { "hf-cli" } else { *bin }, *bin)),
        ) {
            cmd = cmd.args(["--package", package, "--bin", bin]);
        }
        cmd.run()?;
        let folder = if profile == "dev" { "debug" } else { profile };
        Ok(repo_root()?.join("target").join(folder))
    }

    /// Starts `binary` on a free port with `user:token` and `data_dir`.
    pub fn start(binary: &Path, data_dir: &Path, user: &str, token: &str) -> Result<Self, String> {
        Self::start_with(binary, data_dir, user, token, &[])
    }

    /// [`start`](Self::start) with more command-line arguments.
    pub fn start_with(
        binary: &Path,
        data_dir: &Path,
        user: &str,
        token: &str,
        extra: &[String],
    ) -> Result<Self, String> {
        let mut child = Command::new(binary)
            .args(extra)
            .args([
                "--addr",
                "127.0.0.1:0",
                "--user",
                &format!("{user}:{token}"),
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
        Ok(Self {
            child,
            endpoint,
            token: token.to_owned(),
        })
    }

    fn auth(&self) -> String {
        format!("Authorization: Bearer {}", self.token)
    }

    /// Creates the model repo `namespace/name`.
    pub fn create_repo(&self, namespace: &str, name: &str) -> Result<(), String> {
        let body = serde_json::json!({"name": name, "organization": namespace}).to_string();
        curl(&[
            "-X",
            "POST",
            "-H",
            &self.auth(),
            "-H",
            "Content-Type: application/json",
            "--data",
            &body,
            &format!("{}/api/repos/create", self.endpoint),
        ])?;
        Ok(())
    }

    /// Commits to `main` of model repo `repo`: `regular` files inline, `lfs` files (already
    /// pushed with [`push_lfs`](Self::push_lfs)) by `(path, sha256, size)`.
    pub fn commit(
        &self,
        repo: &str,
        summary: &str,
        regular: &[(&str, &[u8])],
        lfs: &[(&str, &str, u64)],
    ) -> Result<(), String> {
        use base64::Engine as _;
        let mut lines = vec![
            serde_json::json!({"key": "header", "value": {"summary": summary, "description": ""}}),
        ];
        for (path, content) in regular {
            let content = base64::engine::general_purpose::STANDARD.encode(content);
            lines.push(serde_json::json!({"key": "file", "value": {"path": path, "content": content, "encoding": "base64"}}));
        }
        for (path, oid, size) in lfs {
            lines.push(serde_json::json!({"key": "lfsFile", "value": {"path": path, "algo": "sha256", "oid": oid, "size": size}}));
        }
        let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
        // Through a file: a commit of many inline files is larger than an argument may be.
        let file =
            std::env::temp_dir().join(format!("hf-xtask-commit-{}.ndjson", std::process::id()));
        std::fs::write(&file, body).map_err(|e| format!("{}: {e}", file.display()))?;
        let result = curl(&[
            "-X",
            "POST",
            "-H",
            &self.auth(),
            "-H",
            "Content-Type: application/x-ndjson",
            "--data-binary",
            &format!("@{}", file.display()),
            &format!("{}/api/models/{repo}/commit/main", self.endpoint),
        ]);
        let _ = std::fs::remove_file(&file);
        result?;
        Ok(())
    }

    /// Peak resident memory of the server so far (Linux `VmHWM`), in MiB.
    pub fn peak_rss_mib(&self) -> Option<f64> {
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
pub fn curl(args: &[&str]) -> Result<String, String> {
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

pub fn json(text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| format!("bad JSON from the hub ({e}): {text}"))
}

/// PUTs bytes `[offset, offset + len)` of `path` to `url`; returns the response headers.
pub fn put_range(url: &str, path: &Path, offset: u64, len: u64) -> Result<String, String> {
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

impl Hub {
    /// Pushes `path` as the LFS object `oid` of `repo` through the batch API (basic or multipart
    /// transfer, then verify), as the Python client does.
    pub fn push_lfs(&self, repo: &str, path: &Path, oid: &str, size: u64) -> Result<(), String> {
        let endpoint = &self.endpoint;
        let auth = self.auth();
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
        Ok(())
    }
}

/// Removes a folder when dropped.
pub struct RemoveOnDrop(pub PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
