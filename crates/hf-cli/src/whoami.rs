//! `hf whoami`.

use hf_http::HubClient;
use hf_types::WhoAmI;

use crate::output::{Failure, print_lines};

/// Prints the user the token belongs to and their organizations.
pub async fn run(client: HubClient) -> Result<(), Failure> {
    if !client.token_present() {
        return Err(Failure::msg("not logged in: no token")
            .hint("pass --token, set HF_TOKEN, or write the token to $HF_HOME/token"));
    }
    let url = client
        .endpoint()
        .join("api/whoami-v2")
        .map_err(|e| Failure::from_error("bad endpoint", &e))?;
    let whoami: WhoAmI = async { client.get(url).send().await?.json().await }
        .await
        .map_err(|e: hf_http::Error| {
            let failure = Failure::from_error("cannot ask the Hub who you are", &e);
            if matches!(e, hf_http::Error::Unauthorized(_)) {
                failure.hint("the token is invalid or expired: create a new one and set HF_TOKEN")
            } else {
                failure
            }
        })?;
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
