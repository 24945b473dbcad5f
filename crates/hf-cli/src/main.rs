//! `hf`: the Hugging Face Hub from a terminal.
//!
//! A thin shell over the library crates: arguments are parsed into typed values here, the work
//! is done by `hf-cache`, `hf-repo` and `hf-http`, and this binary only prints. Exit codes: 0 success,
//! 1 an operation failed, 2 bad usage. Errors print as `error:` / `caused by:` / `hint:` on
//! stderr; a closed stdout (`hf cache scan | head`) is not an error.

mod args;
mod auth;
mod browse;
mod cache;
// Collections, webhooks, papers (issue 11).
mod collections;
mod diagnostics;
// Discussions and pull requests (issue 10).
mod discussions;
mod download;
// Inference Endpoints (issue 13).
mod endpoints;
mod env;
mod large_folder;
mod ls;
mod output;
mod papers;
mod progress;
mod refs;
mod repo;
// Spaces (issue 12).
mod spaces;
mod upload;
mod webhooks;
mod whoami;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use hf_http::{HubClient, Settings};
use hf_types::RepoType;

use crate::diagnostics::Failure;

/// The Hugging Face Hub from a terminal.
#[derive(Debug, Parser)]
#[command(name = "hf", version, about, long_about = None)]
struct Cli {
    /// Access token (else HF_TOKEN, else the token file under HF_HOME). Held as a `Token`, whose
    /// `Debug` is redacted, so the parsed arguments never show it.
    #[arg(long, global = true, value_parser = parse_token)]
    token: Option<hf_http::Token>,
    /// Hub endpoint (else HF_ENDPOINT, else `https://huggingface.co`).
    #[arg(long, global = true)]
    endpoint: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Download files from the Hub into the cache (or a local folder); prints the path last.
    Download(download::DownloadArgs),
    /// Inspect and clean the local cache.
    Cache(cache::CacheArgs),
    /// Upload a file or a folder in one commit (creates the repo if needed); prints its URL.
    Upload(upload::UploadArgs),
    /// Upload a large folder in many commits, resumably (state under LOCAL_PATH/.cache/huggingface).
    UploadLargeFolder(large_folder::UploadLargeFolderArgs),
    /// Create, delete, move repos and change their settings; manage their tags and branches.
    Repo(repo::RepoArgs),
    /// List the files and folders of a repo.
    Ls(ls::LsArgs),
    /// Create, list and delete the tags of a repo (same as `hf repo tag`).
    Tag(refs::TagArgs),
    /// Create, list and delete the branches of a repo (same as `hf repo branch`).
    Branch(refs::BranchArgs),
    /// Log in and out, list and switch stored tokens (shared with the Python client).
    Auth(auth::AuthArgs),
    /// Search the Hub's models, show one, or list a model's files.
    Models(browse::BrowseArgs),
    /// Search the Hub's datasets, show one, or list a dataset's files.
    Datasets(browse::BrowseArgs),
    /// Show who the token belongs to.
    Whoami(whoami::WhoamiArgs),
    /// Manage Spaces: runtime, hardware, sleep time, secrets and variables.
    Spaces(spaces::SpacesArgs),
    /// Manage discussions and pull requests on the Hub (issue 10).
    Discussions(discussions::DiscussionsArgs),
    /// Print the environment: versions, endpoint, cache and token locations.
    Env,
    /// Manage Hugging Face Inference Endpoints.
    Endpoints(endpoints::EndpointsArgs),
    /// List, create and edit collections and their items.
    Collections(collections::CollectionsArgs),
    /// List, create, change, enable, disable and delete your webhooks.
    Webhooks(webhooks::WebhooksArgs),
    /// Search papers and show one.
    Papers(papers::PapersArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            return diagnostics::report(&Failure::msg(format!("cannot start the runtime: {e}")));
        }
    };
    let result = runtime.block_on(run(cli));
    // Every result is in: do not wait for tasks still running (a hashing task of an upload that
    // failed early, an idle connection) before exiting.
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => diagnostics::report(&failure),
    }
}

async fn run(cli: Cli) -> Result<(), Failure> {
    // The one read of the environment; every command takes what it needs from it.
    let settings = Settings::from_env()
        .map_err(|e| Failure::from_error("cannot read the Hub settings", &e))?;
    let client = || client(&settings, &cli.token, &cli.endpoint);
    match cli.command {
        Command::Download(args) => download::run(client()?, &settings, args).await,
        Command::Cache(args) => {
            let hub_cache = settings.hub_cache.clone();
            tokio::task::spawn_blocking(move || cache::run(hub_cache, args))
                .await
                .map_err(|e| Failure::from_error("the cache command stopped", &e))?
        }
        Command::Upload(args) => upload::run(client()?, &settings, args).await,
        Command::UploadLargeFolder(args) => large_folder::run(client()?, args).await,
        Command::Repo(args) => repo::run(client()?, args).await,
        Command::Ls(args) => ls::run(client()?, args).await,
        Command::Tag(args) => refs::run_tag(client()?, args).await,
        Command::Branch(args) => refs::run_branch(client()?, args).await,
        Command::Whoami(args) => whoami::run(client()?, args).await,
        Command::Spaces(args) => spaces::run(client()?, args).await,
        Command::Discussions(args) => discussions::run(client()?, args).await,
        Command::Models(args) => browse::run(client()?, RepoType::Model, args).await,
        Command::Datasets(args) => browse::run(client()?, RepoType::Dataset, args).await,
        Command::Auth(args) => auth::run(client()?, &settings, cli.token.clone(), args).await,
        Command::Env => env::run(&settings, &cli.endpoint),
        Command::Endpoints(args) => endpoints::run(client()?, args).await,
        Command::Collections(args) => collections::run(client()?, args).await,
        Command::Webhooks(args) => webhooks::run(client()?, args).await,
        Command::Papers(args) => papers::run(client()?, args).await,
    }
}

/// The client as the Python CLI builds it: environment defaults, then the flags.
fn client(
    settings: &Settings,
    token: &Option<hf_http::Token>,
    endpoint: &Option<String>,
) -> Result<HubClient, Failure> {
    let mut builder = hf_http::HubClientBuilder::from_settings(settings.clone())
        .library("hf-cli", env!("CARGO_PKG_VERSION"));
    if let Some(endpoint) = endpoint {
        builder = builder.endpoint(endpoint);
    }
    if let Some(token) = token {
        builder = builder.token(Some(token.clone()));
    }
    builder
        .build()
        .map_err(|e| Failure::from_error("cannot build the Hub client", &e))
}

/// `--token` as a [`hf_http::Token`] (cleaned as Python cleans it; empty is refused).
fn parse_token(value: &str) -> Result<hf_http::Token, String> {
    hf_http::Token::new(value).ok_or_else(|| "the token is empty".to_owned())
}

#[cfg(test)]
mod debug_redaction_tests {
    use super::*;

    /// Issue 16 item 13: secrets given as arguments never show in the parsed arguments' `Debug`.
    #[test]
    fn parsed_arguments_do_not_debug_print_secrets() {
        let cases: [&[&str]; 5] = [
            &["hf", "--token", "hf_SECRETTOKEN1", "whoami"],
            &[
                "hf",
                "webhooks",
                "create",
                "--watch",
                "model:a/b",
                "--url",
                "http://x",
                "--secret",
                "SECRETWEBHOOK1",
            ],
            &[
                "hf",
                "webhooks",
                "update",
                "id1",
                "--secret",
                "SECRETWEBHOOK2",
            ],
            &[
                "hf",
                "spaces",
                "secrets",
                "add",
                "a/b",
                "-s",
                "KEY=SECRETSPACE1",
            ],
            &[
                "hf",
                "endpoints",
                "update",
                "ep",
                "-s",
                "KEY=SECRETENDPOINT1",
            ],
        ];
        for args in cases {
            let cli = Cli::try_parse_from(args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
            let shown = format!("{cli:?}");
            assert!(
                !shown.contains("SECRET"),
                "{args:?} shows a secret: {shown}"
            );
        }
    }
}
