//! `hf spaces info|pause|restart|hardware|settings|wait`, `hf spaces secrets ls|add|delete`,
//! `hf spaces variables ls|add|delete` (issue 12), named as in the Python CLI; and the parsing
//! of `-e/--env`, `-s/--secrets` and their files shared with `hf repo duplicate`.

use std::time::Duration;

use clap::{Args, Subcommand};
use hf_http::HubClient;
use hf_repo::repos::{SpaceInfoRequest, SpaceKeyValue};
use hf_spaces::env::{
    AddSpaceSecret, AddSpaceVariable, DeleteSpaceSecret, DeleteSpaceVariable, GetSpaceSecrets,
    GetSpaceVariables,
};
use hf_spaces::runtime::{PauseSpace, RequestSpaceHardware, RestartSpace, SetSpaceSleepTime};
use hf_spaces::wait::WaitForSpace;
use hf_types::{RepoId, RepoType, SpaceRuntime, SpaceStage};
use serde_json::json;

use crate::args::RepoTarget;
use crate::diagnostics::{Failure, Op, failure};
use crate::output::{print_json, print_json_of, print_lines};
use crate::repo::Format;

/// The hardware flavors a Space can request (protocol §7.3), for `hf spaces hardware`.
const FLAVORS: &[&str] = &[
    "cpu-basic",
    "cpu-upgrade",
    "cpu-xl",
    "zero-a10g",
    "t4-small",
    "t4-medium",
    "l4x1",
    "l4x4",
    "l40sx1",
    "l40sx4",
    "l40sx8",
    "a10g-small",
    "a10g-large",
    "a10g-largex2",
    "a10g-largex4",
    "a100-large",
    "h100",
    "h100x8",
];

/// `hf spaces ...`.
#[derive(Debug, Args)]
pub struct SpacesArgs {
    #[command(subcommand)]
    command: SpacesCommand,
}

#[derive(Debug, Subcommand)]
enum SpacesCommand {
    /// List Spaces on the Hub (search, author, filters), or the files of one Space.
    #[command(visible_alias = "list")]
    Ls(crate::browse::LsArgs),
    /// Get info about a Space: its SDK and runtime (stage, hardware, sleep time, storage).
    Info {
        /// The Space, e.g. `username/repo-name`.
        space_id: RepoId,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Pause a Space (until restarted).
    Pause {
        /// The Space.
        space_id: RepoId,
    },
    /// Restart a Space.
    Restart {
        /// The Space.
        space_id: RepoId,
        /// Rebuild the Space from scratch without using the build cache.
        #[arg(long)]
        factory_reboot: bool,
    },
    /// List the hardware flavors a Space can run on.
    Hardware {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Update the settings of a Space: hardware and sleep time.
    Settings {
        /// The Space.
        space_id: RepoId,
        /// Idle time in seconds after which the Space goes to sleep (-1: never).
        #[arg(long, allow_negative_numbers = true)]
        sleep_time: Option<i64>,
        /// Hardware flavor, e.g. `cpu-basic`, `t4-medium` (`hf spaces hardware` lists them).
        #[arg(long)]
        hardware: Option<String>,
    },
    /// Wait for a Space to finish building and starting; fails unless it runs.
    Wait {
        /// The Space.
        space_id: RepoId,
        /// Max time to wait: a number with s (default), m, h or d.
        #[arg(long, value_parser = parse_duration)]
        timeout: Option<Duration>,
        /// Time between two reads of the runtime (same syntax as --timeout).
        #[arg(long, value_parser = parse_duration, default_value = "2s", hide = true)]
        poll_interval: Duration,
    },
    /// Manage the secrets of a Space.
    Secrets(EnvArgs),
    /// Manage the environment variables of a Space.
    Variables(EnvArgs),
}

/// `hf spaces secrets|variables ...`.
#[derive(Debug, Args)]
pub struct EnvArgs {
    #[command(subcommand)]
    command: EnvCommand,
}

#[derive(Debug, Subcommand)]
enum EnvCommand {
    /// List them (secret values are write-only and never shown).
    #[command(visible_alias = "list")]
    Ls {
        /// The Space.
        space_id: RepoId,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Add or update some.
    Add {
        /// The Space.
        space_id: RepoId,
        #[command(flatten)]
        values: EnvValues,
    },
    /// Remove one.
    Delete {
        /// The Space.
        space_id: RepoId,
        /// The key to remove.
        key: String,
        /// Answer yes to the confirmation (there is none: kept for compatibility).
        #[arg(short = 'y', long)]
        yes: bool,
    },
}

/// `-e KEY=VALUE`, `-s KEY[=VALUE]` and their files.
#[derive(Debug, Clone, Default, Args)]
pub struct EnvValues {
    /// Set environment variables, e.g. `-e MODEL=gpt2`.
    #[arg(short = 'e', long = "env", value_name = "KEY=VALUE")]
    pub env: Vec<String>,
    /// Read environment variables from a file of KEY=VALUE lines (`-`: stdin).
    #[arg(long, value_name = "FILE")]
    pub env_file: Option<String>,
    /// Set secrets: `-s KEY` reads the value from your environment (`-s KEY=VALUE` leaves it in
    /// your shell history).
    #[arg(short = 's', long = "secrets", value_name = "KEY[=VALUE]")]
    pub secrets: Vec<crate::args::SecretArg>,
    /// Read secrets from a file of KEY=VALUE lines (`-`: stdin).
    #[arg(long, value_name = "FILE")]
    pub secrets_file: Option<String>,
}

impl EnvValues {
    /// The variables given, in order.
    pub fn variables(&self) -> Result<Vec<SpaceKeyValue>, Failure> {
        parse_env(&self.env, self.env_file.as_deref())
    }

    /// The secrets given, in order.
    pub fn secrets(&self) -> Result<Vec<SpaceKeyValue>, Failure> {
        parse_env(
            &crate::args::SecretArg::expose_all(&self.secrets),
            self.secrets_file.as_deref(),
        )
    }
}

/// `KEY=VALUE` lines of a file (`#` comments, blank lines and `export ` skipped, quotes
/// removed), then the `KEY[=VALUE]` arguments (a bare key takes its value from the environment).
fn parse_env(items: &[String], file: Option<&str>) -> Result<Vec<SpaceKeyValue>, Failure> {
    let mut out: Vec<SpaceKeyValue> = Vec::new();
    let mut push = |key: &str, value: String| {
        out.retain(|kv| kv.key != key);
        out.push(SpaceKeyValue::new(key, value));
    };
    if let Some(file) = file {
        let text = if file == "-" {
            std::io::read_to_string(std::io::stdin())
        } else {
            std::fs::read_to_string(file)
        }
        .map_err(|e| Failure::from_error(&format!("cannot read {file}"), &e))?;
        for line in text.lines() {
            let line = line.trim();
            let line = line.strip_prefix("export ").unwrap_or(line);
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                return Err(Failure::msg(format!(
                    "invalid line in {file}: expected KEY=VALUE"
                )));
            };
            let value = value.trim();
            let unquoted = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(value);
            push(key.trim(), unquoted.to_owned());
        }
    }
    for item in items {
        match item.split_once('=') {
            Some((key, value)) => push(key, value.to_owned()),
            None => push(item, std::env::var(item).unwrap_or_default()),
        }
    }
    Ok(out)
}

/// A number with `s` (default), `m`, `h` or `d`, as the Python CLI's `--timeout`; also `ms`.
fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (number, unit) = if let Some(n) = s.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60.0)
    } else if let Some(n) = s.strip_suffix('h') {
        (n, 3600.0)
    } else if let Some(n) = s.strip_suffix('d') {
        (n, 86400.0)
    } else {
        (s, 1.0)
    };
    number
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n >= 0.0)
        .and_then(|n| Duration::try_from_secs_f64(n * unit).ok())
        .ok_or_else(|| format!("invalid duration {s:?}: expected e.g. 30s, 5m, 1h"))
}

/// The repo target of a Space, for the error hints.
fn target(space_id: &RepoId) -> RepoTarget {
    RepoTarget {
        repo_id: space_id.clone(),
        repo_type: RepoType::Space,
    }
}

/// `stage`, `hardware`, ... lines of a runtime.
fn runtime_lines(runtime: &SpaceRuntime) -> Vec<String> {
    let or_none = |v: Option<&str>| v.unwrap_or("-").to_owned();
    let mut lines = vec![
        format!("stage: {}", runtime.stage()),
        format!("hardware: {}", or_none(runtime.hardware())),
        format!(
            "requested hardware: {}",
            or_none(runtime.requested_hardware())
        ),
        format!(
            "sleep time: {}",
            runtime
                .sleep_time()
                .map_or_else(|| "-".to_owned(), |s| s.to_string())
        ),
        format!(
            "storage: {}",
            or_none(runtime.storage().map(|s| s.as_str()))
        ),
    ];
    if let Some(message) = runtime.error_message() {
        lines.push(format!("error: {message}"));
    }
    lines
}

/// Runs `hf spaces ...`.
pub async fn run(client: HubClient, args: SpacesArgs) -> Result<(), Failure> {
    match args.command {
        SpacesCommand::Ls(ls) => crate::browse::list(client, RepoType::Space, ls).await,
        SpacesCommand::Info { space_id, format } => {
            let info = SpaceInfoRequest::new(client, space_id.clone())
                .await
                .map_err(|e| {
                    failure(
                        &format!("cannot get the info of {space_id}"),
                        Op::Other,
                        Some(&target(&space_id)),
                        &e,
                    )
                })?;
            match format {
                Format::Json => print_json_of(&info),
                Format::Table => {
                    let mut lines = vec![
                        format!("id: {space_id}"),
                        format!("sdk: {}", info.sdk.as_deref().unwrap_or("-")),
                    ];
                    if let Some(runtime) = &info.runtime {
                        lines.extend(runtime_lines(runtime));
                    }
                    print_lines(lines)
                }
            }
        }
        SpacesCommand::Pause { space_id } => {
            let runtime = PauseSpace::new(client, space_id.clone())
                .await
                .map_err(|e| space_failure("pause", &space_id, &e))?;
            print_lines([
                format!("Space {space_id} paused (stage {}).", runtime.stage()),
                format!("Use `hf spaces restart {space_id}` to restart it."),
            ])
        }
        SpacesCommand::Restart {
            space_id,
            factory_reboot,
        } => {
            let runtime = RestartSpace::new(client, space_id.clone())
                .factory_reboot(factory_reboot)
                .await
                .map_err(|e| space_failure("restart", &space_id, &e))?;
            print_lines([
                format!("Space {space_id} restarting (stage {}).", runtime.stage()),
                format!("Use `hf spaces wait {space_id}` to wait until it runs."),
            ])
        }
        SpacesCommand::Hardware { format } => match format {
            Format::Json => print_json(&json!(FLAVORS)),
            Format::Table => print_lines(FLAVORS.iter().map(|f| (*f).to_owned())),
        },
        SpacesCommand::Settings {
            space_id,
            sleep_time,
            hardware,
        } => {
            let result = match (hardware, sleep_time) {
                (Some(hardware), sleep_time) => {
                    let mut request =
                        RequestSpaceHardware::new(client, space_id.clone(), hardware.as_str());
                    if let Some(seconds) = sleep_time {
                        request = request.sleep_time(seconds);
                    }
                    request.await
                }
                (None, Some(seconds)) => {
                    SetSpaceSleepTime::new(client, space_id.clone(), seconds).await
                }
                (None, None) => {
                    return Err(Failure::msg("specify at least one setting to update")
                        .hint("pass --hardware FLAVOR and/or --sleep-time SECONDS"));
                }
            };
            let runtime = result.map_err(|e| space_failure("update", &space_id, &e))?;
            print_lines(
                [format!("Settings of {space_id} updated.")]
                    .into_iter()
                    .chain(runtime_lines(&runtime)),
            )
        }
        SpacesCommand::Wait {
            space_id,
            timeout,
            poll_interval,
        } => {
            let mut request =
                WaitForSpace::new(client, space_id.clone()).poll_interval(poll_interval);
            if let Some(timeout) = timeout {
                request = request.timeout(timeout);
            }
            let runtime = request.await.map_err(|e| {
                failure(
                    &format!("Space {space_id} is not running"),
                    Op::WaitSpace,
                    Some(&target(&space_id)),
                    &e,
                )
            })?;
            debug_assert_eq!(runtime.stage(), &SpaceStage::Running);
            print_lines([format!("Space {space_id} is {}.", runtime.stage())])
        }
        SpacesCommand::Secrets(args) => run_env(client, args, true).await,
        SpacesCommand::Variables(args) => run_env(client, args, false).await,
    }
}

fn space_failure(action: &str, space_id: &RepoId, e: &hf_http::Error) -> Failure {
    failure(
        &format!("cannot {action} the Space {space_id}"),
        Op::Other,
        Some(&target(space_id)),
        e,
    )
}

async fn run_env(client: HubClient, args: EnvArgs, secret: bool) -> Result<(), Failure> {
    let what = if secret { "secrets" } else { "variables" };
    match args.command {
        EnvCommand::Ls { space_id, format } => {
            let fail =
                |e: hf_http::Error| space_failure(&format!("list the {what} of"), &space_id, &e);
            if secret {
                let secrets = GetSpaceSecrets::new(client, space_id.clone())
                    .await
                    .map_err(fail)?;
                match format {
                    Format::Json => print_json_of(&secrets.values().collect::<Vec<_>>()),
                    Format::Table => {
                        print_lines(secrets.values().map(|s| {
                            format!("{}\t{}", s.key, s.description.as_deref().unwrap_or(""))
                        }))
                    }
                }
            } else {
                let variables = GetSpaceVariables::new(client, space_id.clone())
                    .await
                    .map_err(fail)?;
                match format {
                    Format::Json => print_json_of(&variables.values().collect::<Vec<_>>()),
                    Format::Table => print_lines(variables.values().map(|v| {
                        format!(
                            "{}={}\t{}",
                            v.key,
                            v.value,
                            v.description.as_deref().unwrap_or("")
                        )
                    })),
                }
            }
        }
        EnvCommand::Add { space_id, values } => {
            let items = if secret {
                values.secrets()?
            } else {
                values.variables()?
            };
            if items.is_empty() {
                let flag = if secret {
                    "-s/--secrets or --secrets-file"
                } else {
                    "-e/--env or --env-file"
                };
                return Err(Failure::msg(format!("give at least one with {flag}")));
            }
            let mut keys = Vec::new();
            for kv in items {
                let result = if secret {
                    AddSpaceSecret::new(client.clone(), space_id.clone(), &kv.key, &kv.value).await
                } else {
                    AddSpaceVariable::new(client.clone(), space_id.clone(), &kv.key, &kv.value)
                        .await
                        .map(drop)
                };
                result.map_err(|e| space_failure(&format!("add {} to", kv.key), &space_id, &e))?;
                keys.push(kv.key);
            }
            print_lines([format!("Added {what} to {space_id}: {}", keys.join(", "))])
        }
        EnvCommand::Delete { space_id, key, .. } => {
            let result = if secret {
                DeleteSpaceSecret::new(client, space_id.clone(), &key).await
            } else {
                DeleteSpaceVariable::new(client, space_id.clone(), &key)
                    .await
                    .map(drop)
            };
            result.map_err(|e| space_failure(&format!("delete {key} from"), &space_id, &e))?;
            print_lines([format!("Deleted {key} from {space_id}.")])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("5m").unwrap(), Duration::from_secs(300));
        assert_eq!(parse_duration("1h").unwrap(), Duration::from_secs(3600));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("-1s").is_err());
    }

    #[test]
    fn env_items_and_files() {
        let dir = std::env::temp_dir().join(format!("hf-cli-env-{}", std::process::id()));
        std::fs::write(&dir, "# c\nexport A=\"1\"\n\nB='two'\nC=3\n").unwrap();
        let items = vec!["C=4".to_owned(), "D=x=y".to_owned()];
        let kv = parse_env(&items, dir.to_str()).unwrap();
        std::fs::remove_file(&dir).unwrap();
        let pairs: Vec<(&str, &str)> = kv
            .iter()
            .map(|k| (k.key.as_str(), k.value.as_str()))
            .collect();
        assert_eq!(pairs, [("A", "1"), ("B", "two"), ("C", "4"), ("D", "x=y")]);
    }
}
