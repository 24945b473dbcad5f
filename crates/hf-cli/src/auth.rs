//! `hf auth login|logout|list|switch|whoami|token`: logins shared with the Python client (the
//! token file and `stored_tokens` under `HF_HOME`). Only `hf auth token` ever prints a token.

use std::io::{BufRead, IsTerminal, Write};

use clap::{Args, Subcommand};
use hf_http::{HubClient, Settings, Token};
use hf_repo::auth::{Login, TokenStore, get_token};

use crate::diagnostics::{Failure, Op, failure};
use crate::output::print_lines;

/// Arguments of `hf auth`.
#[derive(Debug, Args)]
pub struct AuthArgs {
    #[command(subcommand)]
    command: AuthCommand,
}

#[derive(Debug, Subcommand)]
enum AuthCommand {
    /// Log in with a token from huggingface.co/settings/tokens (`--token`, else read from stdin);
    /// it is checked with the Hub before it is saved.
    Login {
        /// Save to the git credential helper (not supported: git is not used by this tool).
        #[arg(long)]
        add_to_git_credential: bool,
        /// Log in again even if a token is already active.
        #[arg(long)]
        force: bool,
    },
    /// Log out: of one stored token (`--token-name`), else of all of them.
    Logout {
        /// Name of the token to log out of.
        #[arg(long)]
        token_name: Option<String>,
    },
    /// List the stored tokens by name (`*` marks the active one; the values are never shown).
    #[command(visible_alias = "ls")]
    List,
    /// Make another stored token the active one.
    Switch {
        /// Name of the token to switch to.
        #[arg(long)]
        token_name: Option<String>,
        /// Save to the git credential helper (not supported).
        #[arg(long)]
        add_to_git_credential: bool,
    },
    /// Show which account the active token belongs to.
    Whoami(crate::whoami::WhoamiArgs),
    /// Print the active token to stdout (the only command that prints one).
    Token,
}

fn no_git() -> Failure {
    Failure::msg("--add-to-git-credential is not supported").hint(
        "git is not used by hf; configure a git credential helper yourself if you push with git",
    )
}

fn store_error(context: &str, e: &hf_repo::Error) -> Failure {
    Failure::from_error(context, e)
}

/// Runs `hf auth ...`. `token` is the global `--token` (the token to log in with).
pub async fn run(
    client: HubClient,
    settings: &Settings,
    token: Option<Token>,
    args: AuthArgs,
) -> Result<(), Failure> {
    let store = TokenStore::from_settings(settings);
    match args.command {
        AuthCommand::Login {
            add_to_git_credential,
            force,
        } => {
            if add_to_git_credential {
                return Err(no_git());
            }
            let token = match token {
                Some(t) => t.expose_secret().to_owned(),
                None => {
                    if !force && get_token(settings).ok().flatten().is_some() {
                        return print_lines([
                            "Already logged in. Use `hf auth login --force` to log in again."
                                .to_owned(),
                        ]);
                    }
                    read_token()?
                }
            };
            let token = Token::new(token).ok_or_else(|| Failure::msg("the token is empty"))?;
            let me = Login::new(client, token, store)
                .await
                .map_err(|e| failure("cannot log in", Op::WhoAmI, None, &e))?;
            let mut lines = vec![format!(
                "Login successful: logged in as {} (token saved as '{}').",
                me.name,
                me.token_name().unwrap_or("default")
            )];
            if matches!(settings.token_source, hf_http::TokenSource::Env(_)) {
                lines.push(
                    "Note: the environment variable HF_TOKEN is set and is used instead of the token you just saved."
                        .to_owned(),
                );
            }
            print_lines(lines)
        }
        AuthCommand::Logout { token_name } => {
            store
                .logout(token_name.as_deref())
                .map_err(|e| store_error("cannot log out", &e))?;
            let mut lines = vec![match &token_name {
                Some(name) => format!("Successfully logged out from access token: {name}."),
                None => "Successfully logged out from all access tokens.".to_owned(),
            }];
            if matches!(settings.token_source, hf_http::TokenSource::Env(_)) {
                lines.push(
                    "Note: HF_TOKEN is set in the environment: you are still logged in with it."
                        .to_owned(),
                );
            }
            print_lines(lines)
        }
        AuthCommand::List => {
            let tokens = store
                .stored_tokens()
                .map_err(|e| store_error("cannot read the stored tokens", &e))?;
            if tokens.is_empty() {
                return print_lines(["No access tokens found.".to_owned()]);
            }
            let active = get_token(settings).ok().flatten();
            let width = tokens.keys().map(String::len).max().unwrap_or(0).max(4);
            let mut lines = vec![format!("  {:<width$}", "name")];
            lines.push("-".repeat(width + 2));
            for (name, value) in &tokens {
                let mark = if Some(value) == active.as_ref() {
                    "*"
                } else {
                    " "
                };
                lines.push(format!("{mark} {name:<width$}"));
            }
            print_lines(lines)
        }
        AuthCommand::Switch {
            token_name,
            add_to_git_credential,
        } => {
            if add_to_git_credential {
                return Err(no_git());
            }
            let Some(name) = token_name else {
                let names = store
                    .stored_tokens()
                    .map_err(|e| store_error("cannot read the stored tokens", &e))?;
                let names: Vec<String> = names.into_keys().collect();
                return Err(
                    Failure::msg("no token name given").hint(if names.is_empty() {
                        "no stored tokens: log in first with `hf auth login`".to_owned()
                    } else {
                        format!("use --token-name with one of: {}", names.join(", "))
                    }),
                );
            };
            store
                .switch(&name)
                .map_err(|e| store_error("cannot switch tokens", &e))?;
            print_lines([format!("The current active token is: {name}")])
        }
        AuthCommand::Whoami(args) => crate::whoami::run(client, args).await,
        AuthCommand::Token => {
            let token = get_token(settings)
                .map_err(|e| store_error("cannot read the token", &e))?
                .ok_or_else(|| Failure::msg("not logged in").hint("run `hf auth login` first"))?;
            print_lines([token.expose_secret().to_owned()])
        }
    }
}

/// Reads a token from stdin (a prompt on stderr when it is a terminal).
fn read_token() -> Result<String, Failure> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let mut err = std::io::stderr();
        let _ = write!(
            err,
            "Enter your token (from https://huggingface.co/settings/tokens): "
        );
        let _ = err.flush();
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::from_error("cannot read the token", &e))?;
    if line.trim().is_empty() {
        return Err(Failure::msg("no token given").hint("pass --token or type it when asked"));
    }
    Ok(line)
}
