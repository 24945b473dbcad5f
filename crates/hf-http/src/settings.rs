//! Settings read from the environment the way `huggingface_hub` 0.36 reads them (protocol §10).
//!
//! [`Settings::from_vars`] takes a lookup function instead of touching the process environment,
//! so every rule here is unit-tested without `std::env::set_var`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use url::Url;

use crate::{Error, Token};

/// The Hub used when `HF_ENDPOINT` is not set.
pub const DEFAULT_ENDPOINT: &str = "https://huggingface.co";

/// The Inference Endpoints API used when `HF_INFERENCE_ENDPOINTS_ENDPOINT` is not set (the
/// Python client's hard-coded `constants.INFERENCE_ENDPOINTS_ENDPOINT`).
pub const DEFAULT_INFERENCE_ENDPOINTS_ENDPOINT: &str = "https://api.endpoints.huggingface.cloud/v2";

/// Default of `HF_HUB_ETAG_TIMEOUT` and `HF_HUB_DOWNLOAD_TIMEOUT` (seconds).
const DEFAULT_TIMEOUT_SECS: u64 = 10;

/// Where the token in [`Settings::token`] came from (for hints such as "your `HF_TOKEN` is invalid").
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenSource {
    /// No token.
    None,
    /// Given in code.
    Explicit,
    /// The named environment variable (`HF_TOKEN` or `HUGGING_FACE_HUB_TOKEN`).
    Env(&'static str),
    /// The token file at this path.
    File(PathBuf),
}

/// Proxy URLs, as in `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` / `NO_PROXY`.
///
/// Empty by default: [`HubClientBuilder`](crate::HubClientBuilder) uses no proxy unless given one;
/// [`ProxyConfig::from_vars`] reads the usual variables (upper case first, then lower case).
///
/// `Debug` shows the proxy URLs with their passwords redacted.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProxyConfig {
    /// Proxy for every scheme unless a more specific one is set.
    pub all: Option<String>,
    /// Proxy for `http://` destinations (requests sent in absolute form).
    pub http: Option<String>,
    /// Proxy for `https://` destinations (tunnelled with `CONNECT`).
    pub https: Option<String>,
    /// Comma-separated hosts, domains (`.example.com`), IPs or CIDRs that bypass the proxy; `*` for all.
    pub no_proxy: Option<String>,
}

impl std::fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redact = |url: &Option<String>| url.as_deref().map(crate::redact_url);
        f.debug_struct("ProxyConfig")
            .field("all", &redact(&self.all))
            .field("http", &redact(&self.http))
            .field("https", &redact(&self.https))
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

impl ProxyConfig {
    /// No proxy at all.
    pub fn none() -> Self {
        Self::default()
    }

    /// Reads `ALL_PROXY`, `HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY` (each also in lower case).
    ///
    /// As curl does, `HTTP_PROXY` is ignored when `REQUEST_METHOD` is set (CGI, "httpoxy").
    pub fn from_vars(vars: impl Fn(&str) -> Option<String>) -> Self {
        // Upper case first, then the lower-case spelling curl also accepts.
        let first = |name: &str| {
            non_empty(vars(name)).or_else(|| non_empty(vars(&name.to_ascii_lowercase())))
        };
        let cgi = vars(EnvVars::REQUEST_METHOD).is_some();
        ProxyConfig {
            all: first(EnvVars::ALL_PROXY),
            http: if cgi {
                None
            } else {
                first(EnvVars::HTTP_PROXY)
            },
            https: first(EnvVars::HTTPS_PROXY),
            no_proxy: first(EnvVars::NO_PROXY),
        }
    }

    /// True when no proxy is configured.
    pub fn is_empty(&self) -> bool {
        self.all.is_none() && self.http.is_none() && self.https.is_none()
    }
}

/// The names of every environment variable this workspace reads, in one place (as uv's
/// `EnvVars`): nothing else in the workspace spells them.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct EnvVars;

impl EnvVars {
    /// The Hub base URL.
    pub const HF_ENDPOINT: &'static str = "HF_ENDPOINT";
    /// The access token.
    pub const HF_TOKEN: &'static str = "HF_TOKEN";
    /// The legacy name of the access token.
    pub const HUGGING_FACE_HUB_TOKEN: &'static str = "HUGGING_FACE_HUB_TOKEN";
    /// The folder of the cache, the token and the stored tokens.
    pub const HF_HOME: &'static str = "HF_HOME";
    /// Parent of the default `HF_HOME` (`{XDG_CACHE_HOME}/huggingface`).
    pub const XDG_CACHE_HOME: &'static str = "XDG_CACHE_HOME";
    /// The home folder (`~`).
    pub const HOME: &'static str = "HOME";
    /// The home folder on Windows, when `HOME` is not set.
    pub const USERPROFILE: &'static str = "USERPROFILE";
    /// The hub cache folder.
    pub const HF_HUB_CACHE: &'static str = "HF_HUB_CACHE";
    /// The legacy name of the hub cache folder.
    pub const HUGGINGFACE_HUB_CACHE: &'static str = "HUGGINGFACE_HUB_CACHE";
    /// The token file.
    pub const HF_TOKEN_PATH: &'static str = "HF_TOKEN_PATH";
    /// Offline mode.
    pub const HF_HUB_OFFLINE: &'static str = "HF_HUB_OFFLINE";
    /// Offline mode, as `transformers` names it.
    pub const TRANSFORMERS_OFFLINE: &'static str = "TRANSFORMERS_OFFLINE";
    /// Progress bars off (truthy) or forced on (set but not truthy).
    pub const HF_HUB_DISABLE_PROGRESS_BARS: &'static str = "HF_HUB_DISABLE_PROGRESS_BARS";
    /// Never create symlinks in the cache (store copies).
    pub const HF_HUB_DISABLE_SYMLINKS: &'static str = "HF_HUB_DISABLE_SYMLINKS";
    /// Timeout of the metadata request of downloads, in seconds.
    pub const HF_HUB_ETAG_TIMEOUT: &'static str = "HF_HUB_ETAG_TIMEOUT";
    /// Connect and read timeout of downloads, in seconds.
    pub const HF_HUB_DOWNLOAD_TIMEOUT: &'static str = "HF_HUB_DOWNLOAD_TIMEOUT";
    /// Send no token unless one is given in code.
    pub const HF_HUB_DISABLE_IMPLICIT_TOKEN: &'static str = "HF_HUB_DISABLE_IMPLICIT_TOKEN";
    /// Appended to the user agent as `origin/{value}`.
    pub const HF_HUB_USER_AGENT_ORIGIN: &'static str = "HF_HUB_USER_AGENT_ORIGIN";
    /// Telemetry off.
    pub const HF_HUB_DISABLE_TELEMETRY: &'static str = "HF_HUB_DISABLE_TELEMETRY";
    /// Telemetry off (generic name).
    pub const DISABLE_TELEMETRY: &'static str = "DISABLE_TELEMETRY";
    /// Telemetry off (<https://consoledonottrack.com>).
    pub const DO_NOT_TRACK: &'static str = "DO_NOT_TRACK";
    /// Proxy for every scheme.
    pub const ALL_PROXY: &'static str = "ALL_PROXY";
    /// Proxy for `http://` destinations.
    pub const HTTP_PROXY: &'static str = "HTTP_PROXY";
    /// Proxy for `https://` destinations.
    pub const HTTPS_PROXY: &'static str = "HTTPS_PROXY";
    /// Hosts that bypass the proxy.
    pub const NO_PROXY: &'static str = "NO_PROXY";
    /// The base URL of the Inference Endpoints API (ours: the Python client has no variable and
    /// hard-codes `https://api.endpoints.huggingface.cloud/v2`; a local hub serves it under
    /// `{hub}/api/inference-endpoints/v2`).
    pub const HF_INFERENCE_ENDPOINTS_ENDPOINT: &'static str = "HF_INFERENCE_ENDPOINTS_ENDPOINT";
    /// Set by CGI servers: `HTTP_PROXY` is then ignored ("httpoxy").
    pub const REQUEST_METHOD: &'static str = "REQUEST_METHOD";

    /// Reads one variable of the process environment. Every read of the process environment in
    /// the workspace goes through here, so [`reads_on_this_thread`](Self::reads_on_this_thread)
    /// can show that hermetic code reads none.
    pub fn process(name: &str) -> Option<String> {
        PROCESS_READS.with(|reads| reads.set(reads.get() + 1));
        std::env::var(name).ok()
    }

    /// How many variables this thread has read from the process environment so far (a
    /// per-thread count, so that tests running in parallel do not see each other's reads).
    pub fn reads_on_this_thread() -> usize {
        PROCESS_READS.with(std::cell::Cell::get)
    }
}

thread_local! {
    static PROCESS_READS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Everything `from_env` takes from the environment.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Settings {
    /// `HF_ENDPOINT` without trailing `/`, default `https://huggingface.co`.
    pub endpoint: Url,
    /// `HF_INFERENCE_ENDPOINTS_ENDPOINT` without trailing `/`, default
    /// `https://api.endpoints.huggingface.cloud/v2`.
    pub inference_endpoints_endpoint: Url,
    /// The implicit token (`HF_TOKEN`, `HUGGING_FACE_HUB_TOKEN`, then the token file), cleaned;
    /// `None` when absent or when `HF_HUB_DISABLE_IMPLICIT_TOKEN` is truthy.
    pub token: Option<Token>,
    /// Where [`Settings::token`] came from.
    pub token_source: TokenSource,
    /// `HF_HOME`, default `$XDG_CACHE_HOME/huggingface` or `~/.cache/huggingface`; `~` and
    /// `$VAR` / `${VAR}` expanded.
    pub hf_home: PathBuf,
    /// The hub cache: `HF_HUB_CACHE`, else `HUGGINGFACE_HUB_CACHE`, else `{HF_HOME}/hub`.
    pub hub_cache: PathBuf,
    /// `HF_TOKEN_PATH`, default `{HF_HOME}/token`.
    pub token_path: PathBuf,
    /// `stored_tokens` beside the token file (Python's `HF_STORED_TOKENS_PATH`, not a variable).
    pub stored_tokens_path: PathBuf,
    /// `HF_HUB_DISABLE_IMPLICIT_TOKEN`.
    pub disable_implicit_token: bool,
    /// `HF_HUB_ETAG_TIMEOUT` (default 10 s): timeout of the metadata `HEAD` of downloads.
    pub etag_timeout: Duration,
    /// `HF_HUB_DOWNLOAD_TIMEOUT` (default 10 s): connect and per-read timeout of downloads.
    pub download_timeout: Duration,
    /// `HF_HUB_OFFLINE` or `TRANSFORMERS_OFFLINE`.
    pub offline: bool,
    /// `HF_HUB_DISABLE_PROGRESS_BARS`: `Some(true)` off, `Some(false)` on (set but not truthy),
    /// `None` when unset (the program decides), as in Python.
    pub disable_progress_bars: Option<bool>,
    /// `HF_HUB_DISABLE_SYMLINKS`: store copies instead of symlinks in the cache.
    pub disable_symlinks: bool,
    /// `HF_HUB_USER_AGENT_ORIGIN`, appended as `origin/{value}`.
    pub user_agent_origin: Option<String>,
    /// `HF_HUB_DISABLE_TELEMETRY`, `DISABLE_TELEMETRY` or `DO_NOT_TRACK`.
    pub disable_telemetry: bool,
    /// Proxies from `HTTPS_PROXY` and friends.
    pub proxy: ProxyConfig,
}

impl Settings {
    /// Reads the process environment (and the token file it points at).
    pub fn from_env() -> Result<Self, Error> {
        Self::from_vars(EnvVars::process)
    }

    /// Reads settings through `vars` (a variable lookup), so tests need not mutate the process
    /// environment. The token file named by the variables is read from disk.
    ///
    /// Paths follow `huggingface_hub.constants`: `expandvars(expanduser(value))`, so
    /// `HF_HOME='$SCRATCH/hf'` and `HF_HOME='~/hf'` both work; variables that are empty count
    /// as unset.
    pub fn from_vars(vars: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let endpoint = parse_endpoint(
            non_empty(vars(EnvVars::HF_ENDPOINT))
                .as_deref()
                .unwrap_or(DEFAULT_ENDPOINT),
        )?;

        let inference_endpoints_endpoint = parse_endpoint(
            non_empty(vars(EnvVars::HF_INFERENCE_ENDPOINTS_ENDPOINT))
                .as_deref()
                .unwrap_or(DEFAULT_INFERENCE_ENDPOINTS_ENDPOINT),
        )?;

        let expand = |value: &str| PathBuf::from(expand_path(value, &vars));
        let hf_home = match non_empty(vars(EnvVars::HF_HOME)) {
            Some(dir) => expand(&dir),
            None => {
                let cache = non_empty(vars(EnvVars::XDG_CACHE_HOME))
                    .map(|dir| expand(&dir))
                    .unwrap_or_else(|| expand("~/.cache"));
                cache.join("huggingface")
            }
        };
        let hub_cache = non_empty(vars(EnvVars::HF_HUB_CACHE))
            .or_else(|| non_empty(vars(EnvVars::HUGGINGFACE_HUB_CACHE)))
            .map(|dir| expand(&dir))
            .unwrap_or_else(|| hf_home.join("hub"));
        let token_path = non_empty(vars(EnvVars::HF_TOKEN_PATH))
            .map(|path| expand(&path))
            .unwrap_or_else(|| hf_home.join("token"));
        let stored_tokens_path = token_path.parent().map_or_else(
            || PathBuf::from("stored_tokens"),
            |dir| dir.join("stored_tokens"),
        );

        let disable_implicit_token = is_truthy(vars(EnvVars::HF_HUB_DISABLE_IMPLICIT_TOKEN));
        let (token, token_source) = if disable_implicit_token {
            (None, TokenSource::None)
        } else {
            implicit_token(&vars, &token_path)
        };

        Ok(Settings {
            endpoint,
            inference_endpoints_endpoint,
            token,
            token_source,
            hf_home,
            hub_cache,
            token_path,
            stored_tokens_path,
            disable_implicit_token,
            etag_timeout: seconds(&vars, EnvVars::HF_HUB_ETAG_TIMEOUT)?,
            download_timeout: seconds(&vars, EnvVars::HF_HUB_DOWNLOAD_TIMEOUT)?,
            offline: is_truthy(vars(EnvVars::HF_HUB_OFFLINE))
                || is_truthy(vars(EnvVars::TRANSFORMERS_OFFLINE)),
            disable_progress_bars: vars(EnvVars::HF_HUB_DISABLE_PROGRESS_BARS)
                .map(|v| is_truthy(Some(v))),
            disable_symlinks: is_truthy(vars(EnvVars::HF_HUB_DISABLE_SYMLINKS)),
            user_agent_origin: non_empty(vars(EnvVars::HF_HUB_USER_AGENT_ORIGIN)),
            disable_telemetry: [
                EnvVars::HF_HUB_DISABLE_TELEMETRY,
                EnvVars::DISABLE_TELEMETRY,
                EnvVars::DO_NOT_TRACK,
            ]
            .iter()
            .any(|name| is_truthy(vars(name))),
            proxy: ProxyConfig::from_vars(&vars),
        })
    }
}

/// Parses an endpoint URL and strips trailing slashes (`https://hf.co/` -> `https://hf.co`).
pub(crate) fn parse_endpoint(raw: &str) -> Result<Url, Error> {
    let trimmed = raw.trim().trim_end_matches('/');
    let url = Url::parse(trimmed).map_err(|err| Error::InvalidUrl {
        url: trimmed.to_owned(),
        reason: err.to_string(),
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Error::InvalidUrl {
            url: trimmed.to_owned(),
            reason: "the endpoint must be an http:// or https:// URL with a host".to_owned(),
        });
    }
    Ok(url)
}

/// `1`, `ON`, `YES`, `TRUE` in any case, as in `huggingface_hub.constants._is_true`.
pub fn is_truthy(value: Option<String>) -> bool {
    value.is_some_and(|v| {
        matches!(
            v.trim().to_ascii_uppercase().as_str(),
            "1" | "ON" | "YES" | "TRUE"
        )
    })
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

/// Python's `os.path.expandvars(os.path.expanduser(value))`: a leading `~` becomes `HOME`
/// (`USERPROFILE` on Windows when `HOME` is unset), then `$VAR` and `${VAR}` are replaced;
/// unknown variables and a `~` without a home are left as written.
fn expand_path(value: &str, vars: &impl Fn(&str) -> Option<String>) -> String {
    let home = || non_empty(vars(EnvVars::HOME)).or_else(|| non_empty(vars(EnvVars::USERPROFILE)));
    let user_expanded = match value.strip_prefix('~') {
        Some(rest) if rest.is_empty() || rest.starts_with('/') || rest.starts_with('\\') => {
            match home() {
                Some(home) => format!("{}{rest}", home.trim_end_matches(['/', '\\'])),
                None => value.to_owned(),
            }
        }
        _ => value.to_owned(),
    };
    expand_vars(&user_expanded, vars)
}

/// `$NAME` (letters, digits, `_`) and `${NAME}` replaced by their values; unknown ones kept.
fn expand_vars(value: &str, vars: &impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (name, consumed) = match after.strip_prefix('{') {
            Some(braced) => match braced.find('}') {
                Some(end) => (&braced[..end], end + 2),
                None => ("", 0),
            },
            None => {
                let end = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                (&after[..end], end)
            }
        };
        match (name.is_empty(), vars(name)) {
            (false, Some(v)) => out.push_str(&v),
            _ => out.push_str(&rest[i..i + 1 + consumed]),
        }
        rest = &rest[i + 1 + consumed..];
    }
    out.push_str(rest);
    out
}

/// An integer number of seconds; unset, empty or `0` gives the default (Python's `int(x) or 10`).
fn seconds(vars: &impl Fn(&str) -> Option<String>, name: &'static str) -> Result<Duration, Error> {
    match non_empty(vars(name)) {
        None => Ok(Duration::from_secs(DEFAULT_TIMEOUT_SECS)),
        Some(raw) => match raw.trim().parse::<u64>() {
            Ok(0) => Ok(Duration::from_secs(DEFAULT_TIMEOUT_SECS)),
            Ok(secs) => Ok(Duration::from_secs(secs)),
            Err(_) => Err(Error::Config(format!(
                "{name}={raw:?} is not a whole number of seconds"
            ))),
        },
    }
}

fn implicit_token(
    vars: &impl Fn(&str) -> Option<String>,
    token_path: &Path,
) -> (Option<Token>, TokenSource) {
    for name in [EnvVars::HF_TOKEN, EnvVars::HUGGING_FACE_HUB_TOKEN] {
        if let Some(token) = vars(name).and_then(Token::new) {
            return (Some(token), TokenSource::Env(name));
        }
    }
    match std::fs::read_to_string(token_path) {
        Ok(text) => match Token::new(text) {
            Some(token) => (Some(token), TokenSource::File(token_path.to_path_buf())),
            None => (None, TokenSource::None),
        },
        Err(err) => {
            if err.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!(path = %token_path.display(), error = %err, "could not read the token file");
            }
            (None, TokenSource::None)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> Settings {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_vars(|name| map.get(name).cloned()).unwrap()
    }

    #[test]
    fn debug_never_shows_a_proxy_password_or_the_token() {
        let vars = |name: &str| match name {
            "HTTPS_PROXY" => Some("http://user:s3cret@proxy:3128".to_owned()),
            "HF_TOKEN" => Some("hf_secret_token".to_owned()),
            _ => None,
        };
        let settings = Settings::from_vars(vars).unwrap();
        let debug = format!("{settings:?}");
        assert!(!debug.contains("s3cret"), "{debug}");
        assert!(!debug.contains("hf_secret_token"), "{debug}");
        assert!(debug.contains("proxy:3128"), "{debug}");
    }

    #[test]
    fn defaults() {
        let s = settings(&[("HOME", "/home/u")]);
        assert_eq!(s.endpoint.as_str(), "https://huggingface.co/");
        assert_eq!(s.hf_home, PathBuf::from("/home/u/.cache/huggingface"));
        assert_eq!(
            s.token_path,
            PathBuf::from("/home/u/.cache/huggingface/token")
        );
        assert!(s.token.is_none());
        assert_eq!(s.token_source, TokenSource::None);
        assert_eq!(s.etag_timeout, Duration::from_secs(10));
        assert_eq!(s.download_timeout, Duration::from_secs(10));
        assert!(!s.offline && !s.disable_telemetry && !s.disable_implicit_token);
        assert!(s.proxy.is_empty());
    }

    #[test]
    fn endpoint_trailing_slash_stripped_and_invalid_rejected() {
        let s = settings(&[("HF_ENDPOINT", "http://127.0.0.1:8080/")]);
        assert_eq!(s.endpoint.as_str(), "http://127.0.0.1:8080/");
        let s = settings(&[("HF_ENDPOINT", "https://mirror.example/hub/")]);
        assert_eq!(s.endpoint.as_str(), "https://mirror.example/hub");
        assert!(
            Settings::from_vars(|n| (n == "HF_ENDPOINT").then(|| "not a url".to_owned())).is_err()
        );
        assert!(
            Settings::from_vars(|n| (n == "HF_ENDPOINT").then(|| "ftp://x".to_owned())).is_err()
        );
    }

    #[test]
    fn inference_endpoints_base_from_env_or_default() {
        let s = settings(&[]);
        assert_eq!(
            s.inference_endpoints_endpoint.as_str(),
            "https://api.endpoints.huggingface.cloud/v2"
        );
        let s = settings(&[(
            "HF_INFERENCE_ENDPOINTS_ENDPOINT",
            "http://127.0.0.1:9/api/inference-endpoints/v2/",
        )]);
        assert_eq!(
            s.inference_endpoints_endpoint.as_str(),
            "http://127.0.0.1:9/api/inference-endpoints/v2"
        );
        assert!(
            Settings::from_vars(
                |n| (n == "HF_INFERENCE_ENDPOINTS_ENDPOINT").then(|| "nope".to_owned())
            )
            .is_err()
        );
    }

    #[test]
    fn hf_home_and_xdg() {
        let s = settings(&[("HOME", "/h"), ("XDG_CACHE_HOME", "/xdg")]);
        assert_eq!(s.hf_home, PathBuf::from("/xdg/huggingface"));
        let s = settings(&[
            ("HOME", "/h"),
            ("XDG_CACHE_HOME", "/xdg"),
            ("HF_HOME", "~/hf"),
        ]);
        assert_eq!(s.hf_home, PathBuf::from("/h/hf"));
        assert_eq!(s.token_path, PathBuf::from("/h/hf/token"));
        let s = settings(&[("HF_HOME", "/a"), ("HF_TOKEN_PATH", "/b/tok")]);
        assert_eq!(s.token_path, PathBuf::from("/b/tok"));
    }

    #[test]
    fn hf_home_with_a_variable_puts_cache_and_token_together() {
        let s = settings(&[
            ("HOME", "/h"),
            ("SCRATCH", "/scratch"),
            ("HF_HOME", "$SCRATCH/hf"),
        ]);
        assert_eq!(s.hf_home, PathBuf::from("/scratch/hf"));
        assert_eq!(s.hub_cache, PathBuf::from("/scratch/hf/hub"));
        assert_eq!(s.token_path, PathBuf::from("/scratch/hf/token"));
        assert_eq!(
            s.stored_tokens_path,
            PathBuf::from("/scratch/hf/stored_tokens")
        );
        assert_eq!(s.hub_cache.parent(), s.token_path.parent());

        let s = settings(&[("HOME", "/h"), ("U", "me"), ("HF_HOME", "~/${U}/hf")]);
        assert_eq!(s.hub_cache, PathBuf::from("/h/me/hf/hub"));
        assert_eq!(s.token_path, PathBuf::from("/h/me/hf/token"));
        // Unknown variables stay as written, as Python's expandvars leaves them.
        let s = settings(&[("HF_HOME", "/x/$NOPE/hf")]);
        assert_eq!(s.token_path, PathBuf::from("/x/$NOPE/hf/token"));
    }

    #[test]
    fn hub_cache_variables_and_expansion() {
        let s = settings(&[
            ("HOME", "/h"),
            ("HF_HOME", "/a"),
            ("HUGGINGFACE_HUB_CACHE", "~/legacy"),
        ]);
        assert_eq!(s.hub_cache, PathBuf::from("/h/legacy"));
        let s = settings(&[
            ("HF_HOME", "/a"),
            ("D", "/d"),
            ("HUGGINGFACE_HUB_CACHE", "/legacy"),
            ("HF_HUB_CACHE", "$D/new"),
        ]);
        assert_eq!(s.hub_cache, PathBuf::from("/d/new"));
        let s = settings(&[("HOME", "/h"), ("T", "/t"), ("HF_TOKEN_PATH", "${T}/tok")]);
        assert_eq!(s.token_path, PathBuf::from("/t/tok"));
        assert_eq!(s.stored_tokens_path, PathBuf::from("/t/stored_tokens"));
        assert_eq!(s.hub_cache, PathBuf::from("/h/.cache/huggingface/hub"));
    }

    #[test]
    fn progress_bars_and_symlinks() {
        assert_eq!(settings(&[]).disable_progress_bars, None);
        assert_eq!(
            settings(&[("HF_HUB_DISABLE_PROGRESS_BARS", "1")]).disable_progress_bars,
            Some(true)
        );
        assert_eq!(
            settings(&[("HF_HUB_DISABLE_PROGRESS_BARS", "0")]).disable_progress_bars,
            Some(false)
        );
        assert!(settings(&[("HF_HUB_DISABLE_SYMLINKS", "yes")]).disable_symlinks);
        assert!(!settings(&[]).disable_symlinks);
    }

    #[test]
    fn process_reads_are_counted_per_thread() {
        let before = EnvVars::reads_on_this_thread();
        let _ = EnvVars::process(EnvVars::HF_HOME);
        assert_eq!(EnvVars::reads_on_this_thread(), before + 1);
        let _ = Settings::from_env();
        assert!(EnvVars::reads_on_this_thread() > before + 1);
    }

    #[test]
    fn token_order_env_then_legacy_then_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("token"), "\n hf_file\r\n").unwrap();
        let home = dir.path().to_str().unwrap();

        let s = settings(&[("HF_HOME", home)]);
        assert_eq!(s.token.as_ref().map(Token::expose_secret), Some("hf_file"));
        assert_eq!(s.token_source, TokenSource::File(dir.path().join("token")));

        let s = settings(&[("HF_HOME", home), ("HUGGING_FACE_HUB_TOKEN", "hf_legacy")]);
        assert_eq!(
            s.token.as_ref().map(Token::expose_secret),
            Some("hf_legacy")
        );
        assert_eq!(s.token_source, TokenSource::Env("HUGGING_FACE_HUB_TOKEN"));

        let s = settings(&[
            ("HF_HOME", home),
            ("HUGGING_FACE_HUB_TOKEN", "hf_legacy"),
            ("HF_TOKEN", " hf_env\n"),
        ]);
        assert_eq!(s.token.as_ref().map(Token::expose_secret), Some("hf_env"));
        assert_eq!(s.token_source, TokenSource::Env("HF_TOKEN"));

        // An empty HF_TOKEN counts as unset.
        let s = settings(&[("HF_HOME", home), ("HF_TOKEN", " \n")]);
        assert_eq!(s.token.as_ref().map(Token::expose_secret), Some("hf_file"));

        let s = settings(&[
            ("HF_HOME", home),
            ("HF_TOKEN", "hf_env"),
            ("HF_HUB_DISABLE_IMPLICIT_TOKEN", "yes"),
        ]);
        assert!(s.token.is_none());
        assert!(s.disable_implicit_token);
    }

    #[test]
    fn token_file_via_token_path_and_empty_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("custom");
        std::fs::write(&path, "  \n").unwrap();
        let s = settings(&[("HF_TOKEN_PATH", path.to_str().unwrap())]);
        assert!(s.token.is_none());
        std::fs::write(&path, "hf_custom").unwrap();
        let s = settings(&[("HF_TOKEN_PATH", path.to_str().unwrap())]);
        assert_eq!(
            s.token.as_ref().map(Token::expose_secret),
            Some("hf_custom")
        );
    }

    #[test]
    fn booleans_and_timeouts() {
        for yes in ["1", "on", "YES", "True", " true "] {
            assert!(settings(&[("HF_HUB_OFFLINE", yes)]).offline, "{yes}");
        }
        for no in ["0", "off", "no", "false", "", "2"] {
            assert!(!settings(&[("HF_HUB_OFFLINE", no)]).offline, "{no}");
        }
        assert!(settings(&[("TRANSFORMERS_OFFLINE", "1")]).offline);
        assert!(settings(&[("DO_NOT_TRACK", "1")]).disable_telemetry);
        let s = settings(&[
            ("HF_HUB_ETAG_TIMEOUT", "3"),
            ("HF_HUB_DOWNLOAD_TIMEOUT", "0"),
        ]);
        assert_eq!(s.etag_timeout, Duration::from_secs(3));
        assert_eq!(s.download_timeout, Duration::from_secs(10));
        assert!(
            Settings::from_vars(|n| (n == "HF_HUB_ETAG_TIMEOUT").then(|| "abc".to_owned()))
                .is_err()
        );
        assert_eq!(
            settings(&[("HF_HUB_USER_AGENT_ORIGIN", "ci")])
                .user_agent_origin
                .as_deref(),
            Some("ci")
        );
    }

    #[test]
    fn proxies_upper_then_lower_and_cgi() {
        let s = settings(&[
            ("https_proxy", "http://lower:1"),
            ("HTTPS_PROXY", "http://upper:1"),
            ("no_proxy", "a.b"),
        ]);
        assert_eq!(s.proxy.https.as_deref(), Some("http://upper:1"));
        assert_eq!(s.proxy.no_proxy.as_deref(), Some("a.b"));
        let s = settings(&[("HTTP_PROXY", "http://p:1"), ("REQUEST_METHOD", "GET")]);
        assert!(s.proxy.http.is_none());
    }
}
