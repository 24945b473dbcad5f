//! `hf whoami`.

use clap::Args;
use hf_http::HubClient;
use hf_repo::repos::WhoAmI;

use crate::diagnostics::{Failure, Op, failure};
use crate::output::{print_json, print_lines};
use crate::repo::Format;

/// Arguments of `hf whoami`.
#[derive(Debug, Args)]
pub struct WhoamiArgs {
    /// Output format: the name and organizations, or the Hub's whole answer as JSON.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Prints the user the token belongs to and their organizations.
pub async fn run(client: HubClient, args: WhoamiArgs) -> Result<(), Failure> {
    if !client.token_present() {
        return Err(Failure::msg("not logged in: no token")
            .hint("pass --token, set HF_TOKEN, or write the token to $HF_HOME/token"));
    }
    let whoami = WhoAmI::new(client)
        .await
        .map_err(|e| failure("cannot ask the Hub who you are", Op::WhoAmI, None, &e))?;
    if args.format == Format::Json {
        let value = serde_json::to_value(&whoami)
            .map_err(|e| Failure::from_error("cannot encode JSON", &e))?;
        return print_json(&value);
    }
    let mut lines = vec![whoami.name.clone()];
    let orgs: Vec<&str> = whoami
        .orgs
        .iter()
        .flatten()
        .map(|o| o.name.as_str())
        .collect();
    if !orgs.is_empty() {
        lines.push(format!("orgs: {}", orgs.join(",")));
    }
    print_lines(lines)
}
