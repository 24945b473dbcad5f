//! `hf endpoints ls|describe|deploy|update|pause|resume|scale-to-zero|delete`: Inference
//! Endpoints, with the names and flags of the Python `hf` CLI (`deploy --wait` is ours).
//! Commands that show an endpoint print the API's object as JSON, as Python does.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};
use hf_http::{EnvVars, HubClient};
use hf_inference_endpoints::{
    CreateInferenceEndpoint, DeleteInferenceEndpoint, EndpointChanges, EndpointRequest, Error,
    GetInferenceEndpoint, Hardware, InferenceEndpoint, InferenceEndpointStatus,
    InferenceEndpointType, ListInferenceEndpoints, PauseInferenceEndpoint, ResumeInferenceEndpoint,
    ScaleToZeroInferenceEndpoint, UpdateInferenceEndpoint,
};

use crate::diagnostics::{Failure, Op, failure};
use crate::output::{print_json, print_lines};
use crate::repo::Format;

/// `hf endpoints ...`.
#[derive(Debug, Args)]
pub struct EndpointsArgs {
    #[command(subcommand)]
    command: EndpointsCommand,
}

/// The endpoint a command acts on.
#[derive(Debug, Args)]
struct Target {
    /// Endpoint name.
    name: String,
    /// The namespace of the endpoint (default: the token's user).
    #[arg(long)]
    namespace: Option<String>,
}

/// Model and scaling options shared by `deploy` and `update`.
#[derive(Debug, Args)]
struct Scaling {
    /// The minimum number of replicas (instances) to keep running.
    #[arg(long)]
    min_replica: Option<u32>,
    /// The maximum number of replicas (instances) to scale to.
    #[arg(long)]
    max_replica: Option<u32>,
    /// The duration in minutes before an inactive endpoint is scaled to zero.
    #[arg(long)]
    scale_to_zero_timeout: Option<u32>,
    /// The specific model revision to deploy.
    #[arg(long)]
    revision: Option<String>,
    /// The task on which to deploy the model (e.g. 'text-classification').
    #[arg(long)]
    task: Option<String>,
    /// Docker image URL for the container to run (sent as a custom image).
    #[arg(long)]
    custom_image: Option<String>,
    /// Set environment variables: KEY=value (repeatable).
    #[arg(short = 'e', long = "env", value_name = "KEY=VALUE")]
    env: Vec<String>,
    /// Set secret environment variables: KEY (value read from your environment) or
    /// KEY=value (repeatable).
    #[arg(short = 's', long = "secrets", value_name = "KEY[=VALUE]")]
    secrets: Vec<crate::args::SecretArg>,
}

#[derive(Debug, Subcommand)]
enum EndpointsCommand {
    /// Lists all Inference Endpoints for the given namespace.
    #[command(visible_alias = "list")]
    Ls {
        /// The namespace (default: the token's user; `*` for the user and all their organizations).
        #[arg(long)]
        namespace: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Get information about an existing endpoint (the API's JSON).
    Describe {
        #[command(flatten)]
        target: Target,
    },
    /// Deploy an Inference Endpoint from a Hub repository.
    Deploy {
        #[command(flatten)]
        target: Target,
        /// The model repository (e.g. 'openai-community/gpt2').
        #[arg(long)]
        repo: String,
        /// The machine learning framework used for the model (e.g. 'pytorch').
        #[arg(long)]
        framework: String,
        /// The hardware accelerator (e.g. 'cpu').
        #[arg(long)]
        accelerator: String,
        /// The size of the instance (e.g. 'x4').
        #[arg(long)]
        instance_size: String,
        /// The cloud instance type (e.g. 'intel-icl').
        #[arg(long)]
        instance_type: String,
        /// The cloud region (e.g. 'us-east-1').
        #[arg(long)]
        region: String,
        /// The cloud provider (e.g. 'aws').
        #[arg(long)]
        vendor: String,
        #[command(flatten)]
        scaling: Scaling,
        /// Endpoint access type: public, protected (default) or private.
        #[arg(long = "type")]
        endpoint_type: Option<String>,
        /// Wait until the endpoint runs, printing its status as it changes.
        #[arg(long)]
        wait: bool,
        /// With --wait: give up after this many seconds (default: wait forever).
        #[arg(long, value_name = "SECONDS")]
        timeout: Option<f64>,
        /// With --wait: seconds between two status checks.
        #[arg(long, value_name = "SECONDS", default_value_t = 5.0)]
        refresh_every: f64,
    },
    /// Update an existing endpoint (only the given fields).
    Update {
        #[command(flatten)]
        target: Target,
        /// The model repository.
        #[arg(long)]
        repo: Option<String>,
        /// The hardware accelerator.
        #[arg(long)]
        accelerator: Option<String>,
        /// The size of the instance.
        #[arg(long)]
        instance_size: Option<String>,
        /// The cloud instance type.
        #[arg(long)]
        instance_type: Option<String>,
        /// The machine learning framework.
        #[arg(long)]
        framework: Option<String>,
        #[command(flatten)]
        scaling: Scaling,
    },
    /// Delete an Inference Endpoint permanently.
    Delete {
        #[command(flatten)]
        target: Target,
        /// Skip confirmation prompts.
        #[arg(long)]
        yes: bool,
    },
    /// Pause an Inference Endpoint.
    Pause {
        #[command(flatten)]
        target: Target,
    },
    /// Resume an Inference Endpoint.
    Resume {
        #[command(flatten)]
        target: Target,
        /// Fail if the Inference Endpoint is already running.
        #[arg(long)]
        fail_if_already_running: bool,
    },
    /// Scale an Inference Endpoint to zero.
    ScaleToZero {
        #[command(flatten)]
        target: Target,
    },
}

/// Runs `hf endpoints ...`.
pub async fn run(client: HubClient, args: EndpointsArgs) -> Result<(), Failure> {
    match args.command {
        EndpointsCommand::Ls { namespace, format } => {
            let mut request = ListInferenceEndpoints::new(client);
            if let Some(namespace) = namespace {
                request = request.namespace(namespace);
            }
            let endpoints = request
                .await
                .map_err(|e| fail("listing failed", None, &e))?;
            print_list(&endpoints, format)
        }
        EndpointsCommand::Describe { target } => {
            let mut request = GetInferenceEndpoint::new(client, &target.name);
            if let Some(namespace) = &target.namespace {
                request = request.namespace(namespace);
            }
            let endpoint = request
                .await
                .map_err(|e| fail("fetch failed", Some(&target.name), &e))?;
            print_json(endpoint.raw())
        }
        EndpointsCommand::Deploy {
            target,
            repo,
            framework,
            accelerator,
            instance_size,
            instance_type,
            region,
            vendor,
            scaling,
            endpoint_type,
            wait,
            timeout,
            refresh_every,
        } => {
            let hardware = Hardware::new(vendor, region, accelerator, instance_type, instance_size);
            let mut request =
                CreateInferenceEndpoint::new(client, &target.name, repo, framework, hardware);
            if let Some(namespace) = &target.namespace {
                request = request.namespace(namespace);
            }
            if let Some(kind) = endpoint_type {
                request = request.endpoint_type(InferenceEndpointType::from(kind));
            }
            if let Some(n) = scaling.min_replica {
                request = request.min_replica(n);
            }
            if let Some(n) = scaling.max_replica {
                request = request.max_replica(n);
            }
            if let Some(n) = scaling.scale_to_zero_timeout {
                request = request.scale_to_zero_timeout(n);
            }
            if let Some(revision) = scaling.revision {
                request = request.revision(revision);
            }
            if let Some(task) = scaling.task {
                request = request.task(task);
            }
            if let Some(image) = scaling.custom_image {
                request = request.custom_image(serde_json::json!({ "url": image }));
            }
            request = request
                .env(parse_pairs(&scaling.env, "--env")?)
                .secrets(parse_secrets(&scaling.secrets)?);
            let mut endpoint = request
                .await
                .map_err(|e| fail("deploy failed", Some(&target.name), &e))?;
            if wait {
                let timeout = seconds(timeout, "--timeout")?;
                let refresh = seconds(Some(refresh_every), "--refresh-every")?
                    .filter(|d| !d.is_zero())
                    .ok_or_else(|| Failure::msg("--refresh-every must be positive"))?;
                wait_with_progress(&mut endpoint, timeout, refresh)
                    .await
                    .map_err(|e| fail("the endpoint did not start", Some(&target.name), &e))?;
            }
            print_json(endpoint.raw())
        }
        EndpointsCommand::Update {
            target,
            repo,
            accelerator,
            instance_size,
            instance_type,
            framework,
            scaling,
        } => {
            let mut changes = EndpointChanges::new();
            if let Some(v) = repo {
                changes = changes.repository(v);
            }
            if let Some(v) = accelerator {
                changes = changes.accelerator(v);
            }
            if let Some(v) = instance_size {
                changes = changes.instance_size(v);
            }
            if let Some(v) = instance_type {
                changes = changes.instance_type(v);
            }
            if let Some(v) = framework {
                changes = changes.framework(v);
            }
            if let Some(n) = scaling.min_replica {
                changes = changes.min_replica(n);
            }
            if let Some(n) = scaling.max_replica {
                changes = changes.max_replica(n);
            }
            if let Some(n) = scaling.scale_to_zero_timeout {
                changes = changes.scale_to_zero_timeout(n);
            }
            if let Some(v) = scaling.revision {
                changes = changes.revision(v);
            }
            if let Some(v) = scaling.task {
                changes = changes.task(v);
            }
            if let Some(image) = scaling.custom_image {
                changes = changes.custom_image(serde_json::json!({ "url": image }));
            }
            if !scaling.env.is_empty() {
                changes = changes.env(parse_pairs(&scaling.env, "--env")?);
            }
            if !scaling.secrets.is_empty() {
                changes = changes.secrets(parse_secrets(&scaling.secrets)?);
            }
            if changes.is_empty() {
                return Err(Failure::msg("nothing to update")
                    .hint("pass at least one option, e.g. --min-replica 0"));
            }
            let mut request = UpdateInferenceEndpoint::new(client, &target.name).changes(changes);
            if let Some(namespace) = &target.namespace {
                request = request.namespace(namespace);
            }
            let endpoint = request
                .await
                .map_err(|e| fail("update failed", Some(&target.name), &e))?;
            print_json(endpoint.raw())
        }
        EndpointsCommand::Delete { target, yes } => {
            if !yes {
                let question = format!("Delete endpoint '{}'?", target.name);
                match crate::refs::confirm(&question)? {
                    Some(true) => {}
                    Some(false) => return print_lines(["Aborted.".to_owned()]),
                    None => {
                        return Err(Failure::msg("no answer on stdin")
                            .hint("pass --yes to delete without a question"));
                    }
                }
            }
            let mut request = DeleteInferenceEndpoint::new(client, &target.name);
            if let Some(namespace) = &target.namespace {
                request = request.namespace(namespace);
            }
            request
                .await
                .map_err(|e| fail("delete failed", Some(&target.name), &e))?;
            print_lines([format!("Deleted '{}'.", target.name)])
        }
        EndpointsCommand::Pause { target } => {
            let mut request = PauseInferenceEndpoint::new(client, &target.name);
            if let Some(namespace) = &target.namespace {
                request = request.namespace(namespace);
            }
            let endpoint = request
                .await
                .map_err(|e| fail("pause failed", Some(&target.name), &e))?;
            print_json(endpoint.raw())
        }
        EndpointsCommand::Resume {
            target,
            fail_if_already_running,
        } => {
            let mut request = ResumeInferenceEndpoint::new(client, &target.name)
                .running_ok(!fail_if_already_running);
            if let Some(namespace) = &target.namespace {
                request = request.namespace(namespace);
            }
            let endpoint = request
                .await
                .map_err(|e| fail("resume failed", Some(&target.name), &e))?;
            print_json(endpoint.raw())
        }
        EndpointsCommand::ScaleToZero { target } => {
            let mut request = ScaleToZeroInferenceEndpoint::new(client, &target.name);
            if let Some(namespace) = &target.namespace {
                request = request.namespace(namespace);
            }
            let endpoint = request
                .await
                .map_err(|e| fail("scale to zero failed", Some(&target.name), &e))?;
            print_json(endpoint.raw())
        }
    }
}

fn fail(context: &str, name: Option<&str>, error: &Error) -> Failure {
    failure(context, Op::Endpoint { name }, None, error)
}

/// Seconds from a flag as a duration; negative or non-finite values are refused.
fn seconds(value: Option<f64>, flag: &str) -> Result<Option<Duration>, Failure> {
    value
        .map(|s| {
            Duration::try_from_secs_f64(s).map_err(|_| {
                Failure::msg(format!("{flag} must be a non-negative number of seconds"))
            })
        })
        .transpose()
}

/// Waits for `endpoint`, printing each new status on stderr, then the final one.
async fn wait_with_progress(
    endpoint: &mut InferenceEndpoint,
    timeout: Option<Duration>,
    refresh: Duration,
) -> Result<(), Error> {
    let start = Instant::now();
    let mut last: Option<InferenceEndpointStatus> = None;
    loop {
        if last.as_ref() != Some(endpoint.status()) {
            progress(&format!(
                "{}: {} ({:.1}s)",
                endpoint.name(),
                endpoint.status(),
                start.elapsed().as_secs_f64()
            ));
            last = Some(endpoint.status().clone());
        }
        // One period at a time, so each status change is printed as it is seen.
        let left = timeout.map(|t| t.saturating_sub(start.elapsed()));
        match endpoint
            .wait(Some(left.map_or(refresh, |l| l.min(refresh))), refresh)
            .await
        {
            Ok(_) => {
                progress(&format!(
                    "{}: running at {}",
                    endpoint.name(),
                    endpoint.url().unwrap_or("?")
                ));
                return Ok(());
            }
            // Only this period is over: keep waiting.
            Err(Error::InferenceEndpointTimeout { .. }) if left.is_none_or(|l| l > refresh) => {}
            Err(Error::InferenceEndpointTimeout { name, status, .. }) => {
                return Err(Error::InferenceEndpointTimeout {
                    name,
                    status,
                    after: start.elapsed(),
                });
            }
            Err(other) => return Err(other),
        }
    }
}

fn progress(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// `KEY=value` pairs.
fn parse_pairs(pairs: &[String], flag: &str) -> Result<BTreeMap<String, String>, Failure> {
    pairs
        .iter()
        .map(|pair| match pair.split_once('=') {
            Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
            _ => Err(Failure::msg(format!(
                "{flag} expects KEY=VALUE, got {pair:?}"
            ))),
        })
        .collect()
}

/// `KEY=value`, or `KEY` whose value is read from the environment (kept out of shell history).
fn parse_secrets(pairs: &[crate::args::SecretArg]) -> Result<BTreeMap<String, String>, Failure> {
    let pairs = crate::args::SecretArg::expose_all(pairs);
    pairs
        .iter()
        .map(|pair| match pair.split_once('=') {
            Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
            None if !pair.is_empty() => match EnvVars::process(pair) {
                Some(value) => Ok((pair.clone(), value)),
                None => Err(Failure::msg(format!(
                    "--secrets {pair}: no such environment variable"
                ))
                .hint(format!(
                    "export {pair}=... first, or pass --secrets {pair}=VALUE"
                ))),
            },
            _ => Err(Failure::msg(format!(
                "--secrets expects KEY or KEY=VALUE, got {pair:?}"
            ))),
        })
        .collect()
}

/// The listing as Python's table (name, model, status, task, framework, instance, vendor,
/// region) or as a JSON array of the API's objects.
fn print_list(endpoints: &[InferenceEndpoint], format: Format) -> Result<(), Failure> {
    if format == Format::Json {
        let raw: Vec<_> = endpoints.iter().map(|e| e.raw().clone()).collect();
        return print_json(&serde_json::Value::Array(raw));
    }
    if endpoints.is_empty() {
        return print_lines(["No Inference Endpoints found.".to_owned()]);
    }
    let header = [
        "NAME",
        "MODEL",
        "STATUS",
        "TASK",
        "FRAMEWORK",
        "INSTANCE",
        "VENDOR",
        "REGION",
    ]
    .map(str::to_owned);
    let rows: Vec<[String; 8]> = endpoints
        .iter()
        .map(|e| {
            let text = |v: Option<&str>| v.unwrap_or("").to_owned();
            [
                e.name().to_owned(),
                e.repository().to_owned(),
                e.status().to_string(),
                text(e.task()),
                text(e.framework()),
                text(e.compute().instance_type.as_deref()),
                text(e.provider().vendor.as_deref()),
                text(e.provider().region.as_deref()),
            ]
        })
        .collect();
    let mut widths = header.clone().map(|h| h.len());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &[String; 8]| {
        cells
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    print_lines(std::iter::once(line(&header)).chain(rows.iter().map(line)))
}
