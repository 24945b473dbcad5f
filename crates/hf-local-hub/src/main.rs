//! The `hf-local-hub` binary: a local Hugging Face Hub server.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use hf_local_hub::{FaultSpec, LocalHub};

/// A local Hugging Face Hub server with persistent storage.
// No `Debug`: the arguments hold tokens.
#[derive(Parser)]
#[command(name = "hf-local-hub", version, about, after_help = FAULT_HELP)]
struct Args {
    /// Address to listen on (port 0 = any free port).
    #[arg(long, default_value = "127.0.0.1:0", value_name = "HOST:PORT")]
    addr: SocketAddr,
    /// Folder keeping the state across restarts (default: a new temporary folder removed at exit).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// A user and its write token (repeatable), optionally with a full name (`whoami`'s
    /// `fullname`). Tokens on the command line are visible in the process list: prefer
    /// `--users-file` or `HF_LOCAL_HUB_USERS`.
    #[arg(
        long = "user",
        value_name = "NAME:TOKEN[:FULL NAME]",
        value_parser = name_pair,
        env = "HF_LOCAL_HUB_USERS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    users: Vec<(String, String)>,
    /// A file of users, one `NAME:TOKEN[:FULL NAME]` per line (`#` starts a comment): write tokens kept out
    /// of the process list.
    #[arg(long, value_name = "FILE")]
    users_file: Option<PathBuf>,
    /// An extra read-only token for a user (repeatable). On the command line it is visible in the
    /// process list: prefer `--read-tokens-file` or `HF_LOCAL_HUB_READ_TOKENS`.
    #[arg(
        long = "read-token",
        value_name = "NAME:TOKEN",
        value_parser = name_pair,
        env = "HF_LOCAL_HUB_READ_TOKENS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    read_tokens: Vec<(String, String)>,
    /// A file of read-only tokens, one `NAME:TOKEN` per line (`#` starts a comment).
    #[arg(long, value_name = "FILE")]
    read_tokens_file: Option<PathBuf>,
    /// An organization and its members (repeatable); `USER=ROLE` gives a role other than admin
    /// (`write`, `contributor`, `read`); a last `:FULL NAME` sets the organization's full name.
    #[arg(
        long = "org",
        value_name = "ORG:USER[=ROLE][,USER...][:FULL NAME]",
        value_parser = name_pair
    )]
    orgs: Vec<(String, String)>,
    /// A JSON file holding an array of papers (paper objects with at least an `id`), searchable
    /// and readable under /api/papers.
    #[arg(long, value_name = "FILE")]
    papers: Option<PathBuf>,
    /// A JSON file of profile fields by user or organization name:
    /// `{"alice": {"fullname": "Alice", "details": "...", "isPro": true}}`.
    #[arg(long, value_name = "FILE")]
    profiles: Option<PathBuf>,
    /// A canonical repo (id without namespace) created empty at start unless it exists
    /// (repeatable): `gpt2` is a model, `datasets/squad` a dataset, `spaces/demo` a Space.
    #[arg(long = "canonical-repo", value_name = "[datasets/|spaces/]NAME", value_parser = canonical_repo)]
    canonical_repos: Vec<(hf_types::RepoType, String)>,
    /// FOLLOWER follows FOLLOWEE (repeatable).
    #[arg(long = "follow", value_name = "FOLLOWER:FOLLOWEE", value_parser = name_pair)]
    follows: Vec<(String, String)>,
    /// A fault to inject (repeatable); syntax below.
    #[arg(long = "fault", value_name = "SPEC")]
    faults: Vec<FaultSpec>,
    /// Base URL written into absolute URLs instead of the request's Host (e.g. behind a proxy).
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
    /// Redirect LFS downloads to URL/cdn/lfs/{sha256} on an external static file server (e.g. nginx
    /// serving DATA_DIR/objects/lfs as /cdn/lfs/ab/{sha256}) instead of the hub's own /cdn route.
    #[arg(long, value_name = "URL")]
    cdn_url: Option<String>,
    /// LFS objects of at least BYTES are uploaded in parts of BYTES (multipart transfer).
    #[arg(long, value_name = "BYTES", default_value_t = hf_local_hub::MULTIPART_CHUNK_SIZE)]
    multipart_chunk_size: u64,
    /// How long a Space stays BUILDING after a creation, commit or restart (`500ms`, `2s`; a bare number is milliseconds).
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = duration)]
    space_build_delay: std::time::Duration,
    /// LFS objects uploaded but never committed, and abandoned multipart staging, are removed
    /// once older than this (`86400s` = one day).
    #[arg(long, value_name = "DURATION", default_value = "86400s", value_parser = duration)]
    gc_grace: std::time::Duration,
    /// How long a Space stays APP_STARTING after its build (`0` skips the stage).
    #[arg(long, value_name = "DURATION", default_value = "0", value_parser = duration)]
    space_start_delay: std::time::Duration,
    /// Milliseconds a simulated Inference Endpoint stays `pending` after a deploy or resume.
    #[arg(long, value_name = "MS", default_value_t = 200)]
    endpoint_pending_delay: u64,
    /// Milliseconds a simulated Inference Endpoint stays `initializing` after `pending`.
    #[arg(long, value_name = "MS", default_value_t = 300)]
    endpoint_initializing_delay: u64,
    /// Milliseconds a simulated Inference Endpoint stays `updating` after an update.
    #[arg(long, value_name = "MS", default_value_t = 200)]
    endpoint_updating_delay: u64,
}

const FAULT_HELP: &str = "\
Fault specs (--fault), KIND=VALUE[,key=value...]:
  status=503|429|...   answer with that status instead of running the route (retry_after=S adds Retry-After)
  drop=N               send N bytes of the response body, then drop the connection
  delay=MS             wait MS milliseconds before answering
  flip=OFFSET          flip the body byte at OFFSET
  rate=BYTES           send response bodies at most BYTES per second each (a slow link)
Keys: path=GLOB (`*` matches anything incl. `/`; without `*` a prefix), method=GET, count=N (first N
matching requests only; default all), every=N (every N-th matching request only).
Example: --fault status=503,path=/api/models/*,count=2,retry_after=1";

fn name_pair(s: &str) -> Result<(String, String), String> {
    match s.split_once(':') {
        Some((a, b)) if !a.is_empty() && !b.is_empty() => Ok((a.to_owned(), b.to_owned())),
        _ => Err(format!("expected NAME:VALUE, got {s:?}")),
    }
}

/// `NAME`, `datasets/NAME` or `spaces/NAME`: a canonical repo of that type.
fn canonical_repo(s: &str) -> Result<(hf_types::RepoType, String), String> {
    let (repo_type, name) = match s.split_once('/') {
        None => (hf_types::RepoType::Model, s),
        Some(("models", name)) => (hf_types::RepoType::Model, name),
        Some(("datasets", name)) => (hf_types::RepoType::Dataset, name),
        Some(("spaces", name)) => (hf_types::RepoType::Space, name),
        Some(_) => return Err(format!("expected [datasets/|spaces/]NAME, got {s:?}")),
    };
    if name.is_empty() || name.contains('/') {
        return Err(format!("expected [datasets/|spaces/]NAME, got {s:?}"));
    }
    Ok((repo_type, name.to_owned()))
}

/// `250ms`, `2s` or a bare number of milliseconds.
fn duration(s: &str) -> Result<std::time::Duration, String> {
    let (n, unit_ms) = match s.strip_suffix("ms") {
        Some(n) => (n, 1),
        None => match s.strip_suffix('s') {
            Some(n) => (n, 1000),
            None => (s, 1),
        },
    };
    n.trim()
        .parse::<u64>()
        .map(|n| std::time::Duration::from_millis(n.saturating_mul(unit_ms)))
        .map_err(|_| format!("expected a duration such as 500ms or 2s, got {s:?}"))
}

/// Reads `FILE` as JSON, bounded (seed files are small).
fn read_json(path: &PathBuf) -> Result<serde_json::Value, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.len() > 64 * 1024 * 1024 {
        return Err(format!("{}: larger than 64 MiB", path.display()));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Adds `--papers`, `--profiles`, `--follow` and `--canonical-repo` to the builder.
fn community_seed(
    mut builder: hf_local_hub::LocalHubBuilder,
    args: &Args,
) -> Result<hf_local_hub::LocalHubBuilder, String> {
    if let Some(file) = &args.papers {
        let serde_json::Value::Array(papers) = read_json(file)? else {
            return Err(format!(
                "{}: expected a JSON array of papers",
                file.display()
            ));
        };
        builder = builder.papers(papers);
    }
    if let Some(file) = &args.profiles {
        let serde_json::Value::Object(profiles) = read_json(file)? else {
            return Err(format!(
                "{}: expected a JSON object by name",
                file.display()
            ));
        };
        for (name, fields) in profiles {
            builder = builder.profile(&name, fields);
        }
    }
    for (a, b) in &args.follows {
        builder = builder.follow(a, b);
    }
    for (repo_type, name) in &args.canonical_repos {
        builder = builder.canonical_repo(*repo_type, name);
    }
    Ok(builder)
}

async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let mut builder = LocalHub::builder()
        .addr(args.addr)
        .multipart_chunk_size(args.multipart_chunk_size)
        .space_build_delay(args.space_build_delay)
        .gc_grace(args.gc_grace)
        .space_start_delay(args.space_start_delay)
        .endpoint_pending_delay(Duration::from_millis(args.endpoint_pending_delay))
        .endpoint_initializing_delay(Duration::from_millis(args.endpoint_initializing_delay))
        .endpoint_updating_delay(Duration::from_millis(args.endpoint_updating_delay));
    for (name, rest) in &args.users {
        builder = user_with_full_name(builder, name, rest);
    }
    if let Some(file) = &args.users_file {
        match users_from_file(file) {
            Ok(users) => {
                for (name, rest) in &users {
                    builder = user_with_full_name(builder, name, rest);
                }
            }
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    for (name, token) in &args.read_tokens {
        builder = builder.read_token(name, token);
    }
    if let Some(file) = &args.read_tokens_file {
        match users_from_file(file) {
            Ok(tokens) => {
                for (name, token) in &tokens {
                    builder = builder.read_token(name, token);
                }
            }
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    for (org, rest) in &args.orgs {
        let (members, full_name) = split_full_name(rest);
        if let Some(full_name) = full_name {
            builder = builder.profile(org, serde_json::json!({ "fullname": full_name }));
        }
        for member in members.split(',').filter(|m| !m.is_empty()) {
            builder = match member.split_once('=') {
                Some((user, role)) => builder.org_member(org, user, role),
                None => builder.org(org, [member]),
            };
        }
    }
    match community_seed(builder, &args) {
        Ok(b) => builder = b,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    }
    for f in args.faults {
        builder = builder.fault(f);
    }
    if let Some(dir) = args.data_dir {
        builder = builder.data_dir(dir);
    }
    if let Some(url) = args.public_url {
        builder = builder.public_url(url);
    }
    if let Some(url) = args.cdn_url {
        builder = builder.cdn_base_url(url);
    }
    let hub = match builder.start().await {
        Ok(h) => h,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    if writeln!(out, "hf-local-hub listening on {}", hub.endpoint())
        .and_then(|()| out.flush())
        .is_err()
    {
        eprintln!("error: cannot write to stdout");
    }
    drop(out);
    stop_signal().await;
    hub.shutdown().await;
    ExitCode::SUCCESS
}

/// `VALUE[:FULL NAME]` split at its first `:` (issue 15: user and organization full names).
fn split_full_name(rest: &str) -> (&str, Option<&str>) {
    match rest.split_once(':') {
        Some((value, full)) if !full.trim().is_empty() => (value, Some(full.trim())),
        Some((value, _)) => (value, None),
        None => (rest, None),
    }
}

/// Adds the user `name` from `TOKEN[:FULL NAME]`; the full name becomes its profile's `fullname`.
fn user_with_full_name(
    builder: hf_local_hub::LocalHubBuilder,
    name: &str,
    rest: &str,
) -> hf_local_hub::LocalHubBuilder {
    let (token, full_name) = split_full_name(rest);
    let builder = builder.user(name, token);
    match full_name {
        Some(full_name) => builder.profile(name, serde_json::json!({ "fullname": full_name })),
        None => builder,
    }
}

/// The `NAME:TOKEN[:FULL NAME]` lines of a users file (blank lines and `#` comments skipped).
fn users_from_file(path: &std::path::Path) -> Result<Vec<(String, String)>, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.len() > 1024 * 1024 {
        return Err(format!("{}: larger than 1 MiB", path.display()));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
        // The message names the line, never its content (a token).
        .map(|(n, line)| {
            name_pair(line).map_err(|_| {
                format!(
                    "{} line {n}: expected NAME:TOKEN[:FULL NAME]",
                    path.display()
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{duration, split_full_name};
    use std::time::Duration;

    #[test]
    fn full_names_follow_the_token_or_members() {
        assert_eq!(split_full_name("hf_x"), ("hf_x", None));
        assert_eq!(
            split_full_name("hf_x:Alice Liddell"),
            ("hf_x", Some("Alice Liddell"))
        );
        assert_eq!(split_full_name("hf_x:"), ("hf_x", None));
        assert_eq!(
            split_full_name("alice=write,bob:ACME: the corp"),
            ("alice=write,bob", Some("ACME: the corp"))
        );
    }

    #[test]
    fn space_delays() {
        assert_eq!(duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(duration("40"), Ok(Duration::from_millis(40)));
        assert!(duration("soon").is_err());
    }
}
