//! `hf env`: what a bug report needs.

use hf_http::Settings;

use crate::diagnostics::Failure;
use crate::output::print_lines;

/// Prints versions, platform and the settings read from the environment (never the token).
pub fn run(settings: &Settings, endpoint: &Option<String>) -> Result<(), Failure> {
    let endpoint = endpoint
        .clone()
        .unwrap_or_else(|| settings.endpoint.to_string());
    let yes_no = |b: bool| if b { "True" } else { "False" };
    print_lines([
        String::new(),
        "Copy-and-paste the text below in your GitHub issue.".to_owned(),
        String::new(),
        format!("- hf-cli version: {}", env!("CARGO_PKG_VERSION")),
        format!(
            "- Platform: {} {}",
            std::env::consts::OS,
            std::env::consts::ARCH
        ),
        format!("- ENDPOINT: {endpoint}"),
        format!("- HF_HUB_CACHE: {}", settings.hub_cache.display()),
        format!("- HF_HOME: {}", settings.hf_home.display()),
        format!("- HF_TOKEN_PATH: {}", settings.token_path.display()),
        format!(
            "- Has saved token ?: {}",
            yes_no(settings.token_path.is_file())
        ),
        format!("- Token found: {}", yes_no(settings.token.is_some())),
        format!("- HF_HUB_OFFLINE: {}", yes_no(settings.offline)),
        format!(
            "- HF_HUB_DISABLE_TELEMETRY: {}",
            yes_no(settings.disable_telemetry)
        ),
        format!(
            "- HF_HUB_DISABLE_IMPLICIT_TOKEN: {}",
            yes_no(settings.disable_implicit_token)
        ),
        format!("- HF_HUB_ETAG_TIMEOUT: {}", settings.etag_timeout.as_secs()),
        format!(
            "- HF_HUB_DOWNLOAD_TIMEOUT: {}",
            settings.download_timeout.as_secs()
        ),
    ])
}
