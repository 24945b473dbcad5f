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
#[derive(Clone, Debug, Default, PartialEq, Eq)]
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

impl ProxyConfig {
    /// No proxy at all.
    pub fn none() -> Self {
        Self::default()
    }

    /// Reads `ALL_PROXY`, `HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY` (each also in lower case).
    ///
    /// As curl does, `HTTP_PROXY` is ignored when `REQUEST_METHOD` is set (CGI, "httpoxy").
    pub fn from_vars(vars: impl Fn(&str) -> Option<String>) -> Self {
        let first = |names: [&str; 2]| names.iter().find_map(|name| non_empty(vars(name)));
        let cgi = vars("REQUEST_METHOD").is_some();
        ProxyConfig {
            all: first(["ALL_PROXY", "all_proxy"]),
            http: if cgi {
                None
            } else {
                first(["HTTP_PROXY", "http_proxy"])
            },
            https: first(["HTTPS_PROXY", "https_proxy"]),
            no_proxy: first(["NO_PROXY", "no_proxy"]),
        }
    }

    /// True when no proxy is configured.
    pub fn is_empty(&self) -> bool {
        self.all.is_none() && self.http.is_none() && self.https.is_none()
    }
}

/// Everything `from_env` takes from the environment.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Settings {
    /// `HF_ENDPOINT` without trailing `/`, default `https://huggingface.co`.
    pub endpoint: Url,
    /// The implicit token (`HF_TOKEN`, `HUGGING_FACE_HUB_TOKEN`, then the token file), cleaned;
    /// `None` when absent or when `HF_HUB_DISABLE_IMPLICIT_TOKEN` is truthy.
    pub token: Option<Token>,
    /// Where [`Settings::token`] came from.
    pub token_source: TokenSource,
    /// `HF_HOME`, default `$XDG_CACHE_HOME/huggingface` or `~/.cache/huggingface`.
    pub hf_home: PathBuf,
    /// `HF_TOKEN_PATH`, default `{HF_HOME}/token`.
    pub token_path: PathBuf,
    /// `HF_HUB_DISABLE_IMPLICIT_TOKEN`.
    pub disable_implicit_token: bool,
    /// `HF_HUB_ETAG_TIMEOUT` (default 10 s): timeout of the metadata `HEAD` of downloads.
    pub etag_timeout: Duration,
    /// `HF_HUB_DOWNLOAD_TIMEOUT` (default 10 s): connect and per-read timeout of downloads.
    pub download_timeout: Duration,
    /// `HF_HUB_OFFLINE` or `TRANSFORMERS_OFFLINE`.
    pub offline: bool,
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
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// Reads settings through `vars` (a variable lookup), so tests need not mutate the process
    /// environment. The token file named by the variables is read from disk.
    pub fn from_vars(vars: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let endpoint = parse_endpoint(
            non_empty(vars("HF_ENDPOINT"))
                .as_deref()
                .unwrap_or(DEFAULT_ENDPOINT),
        )?;

        let home = non_empty(vars("HOME"))
            .or_else(|| non_empty(vars("USERPROFILE")))
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("~"));
        let hf_home = match non_empty(vars("HF_HOME")) {
            Some(dir) => expand_home(&dir, &home),
            None => {
                let cache = non_empty(vars("XDG_CACHE_HOME"))
                    .map(|dir| expand_home(&dir, &home))
                    .unwrap_or_else(|| home.join(".cache"));
                cache.join("huggingface")
            }
        };
        let token_path = non_empty(vars("HF_TOKEN_PATH"))
            .map(|path| expand_home(&path, &home))
            .unwrap_or_else(|| hf_home.join("token"));

        let disable_implicit_token = is_truthy(vars("HF_HUB_DISABLE_IMPLICIT_TOKEN"));
        let (token, token_source) = if disable_implicit_token {
            (None, TokenSource::None)
        } else {
            implicit_token(&vars, &token_path)
        };

        Ok(Settings {
            endpoint,
            token,
            token_source,
            hf_home,
            token_path,
            disable_implicit_token,
            etag_timeout: seconds(&vars, "HF_HUB_ETAG_TIMEOUT")?,
            download_timeout: seconds(&vars, "HF_HUB_DOWNLOAD_TIMEOUT")?,
            offline: is_truthy(vars("HF_HUB_OFFLINE")) || is_truthy(vars("TRANSFORMERS_OFFLINE")),
            user_agent_origin: non_empty(vars("HF_HUB_USER_AGENT_ORIGIN")),
            disable_telemetry: [
                "HF_HUB_DISABLE_TELEMETRY",
                "DISABLE_TELEMETRY",
                "DO_NOT_TRACK",
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

fn expand_home(path: &str, home: &Path) -> PathBuf {
    match path.strip_prefix("~/").or_else(|| path.strip_prefix("~\\")) {
        Some(rest) => home.join(rest),
        None if path == "~" => home.to_path_buf(),
        None => PathBuf::from(path),
    }
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
    for name in ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"] {
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
