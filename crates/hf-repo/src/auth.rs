//! Logging in (protocol §10.2): `login`, `logout`, `auth_switch`, `auth_list`, `get_token`, with
//! the token file and `stored_tokens` in the Python client's formats, so Python and Rust share
//! logins.
//!
//! - The token file (`HF_TOKEN_PATH`, default `{HF_HOME}/token`) holds the active token, alone.
//! - `stored_tokens` beside it is an INI file with one section per token name and the key
//!   `hf_token` (what Python's `configparser` writes), sections sorted by name.
//!
//! A token is only saved after the Hub accepted it (`whoami`); its name is the one the Hub gives
//! (`displayName`). Nothing here prints or logs a token.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hf_http::{HubClient, Settings, Token, impl_into_future};
use hf_types::WhoAmI as WhoAmIInfo;

use crate::repos::WhoAmI;
use crate::{Error, Result};

/// Where logins are kept: the active token file and the named stored tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenStore {
    token_path: PathBuf,
    stored_tokens_path: PathBuf,
}

impl TokenStore {
    /// The files named by the settings (`HF_TOKEN_PATH`, `stored_tokens` beside it).
    pub fn from_settings(settings: &Settings) -> TokenStore {
        TokenStore::new(&settings.token_path, &settings.stored_tokens_path)
    }

    /// These two files.
    pub fn new(token_path: impl Into<PathBuf>, stored_tokens_path: impl Into<PathBuf>) -> Self {
        TokenStore {
            token_path: token_path.into(),
            stored_tokens_path: stored_tokens_path.into(),
        }
    }

    /// The token file.
    pub fn token_path(&self) -> &Path {
        &self.token_path
    }

    /// The stored tokens file.
    pub fn stored_tokens_path(&self) -> &Path {
        &self.stored_tokens_path
    }

    /// The active token of the token file (cleaned as Python cleans it), if any.
    pub fn active_token(&self) -> Result<Option<Token>> {
        match std::fs::read_to_string(&self.token_path) {
            Ok(text) => Ok(Token::new(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io("read", self.token_path.clone(), e)),
        }
    }

    /// Every stored token by name (Python's `get_stored_tokens`); empty when there is no file.
    pub fn stored_tokens(&self) -> Result<BTreeMap<String, Token>> {
        match std::fs::read_to_string(&self.stored_tokens_path) {
            Ok(text) => Ok(parse_ini(&text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(Error::io("read", self.stored_tokens_path.clone(), e)),
        }
    }

    /// The name of the stored token that is active (in the token file), if any.
    pub fn active_token_name(&self) -> Result<Option<String>> {
        let Some(active) = self.active_token()? else {
            return Ok(None);
        };
        Ok(self
            .stored_tokens()?
            .into_iter()
            .find(|(_, token)| *token == active)
            .map(|(name, _)| name))
    }

    fn save_stored_tokens(&self, tokens: &BTreeMap<String, Token>) -> Result<()> {
        let mut text = String::new();
        for (name, token) in tokens {
            text.push_str(&format!(
                "[{name}]\nhf_token = {}\n\n",
                token.expose_secret()
            ));
        }
        write_private(&self.stored_tokens_path, &text)
    }

    /// Stores `token` under `name` and makes it the active token.
    pub fn save(&self, name: &str, token: &Token) -> Result<()> {
        if name.is_empty() || name.contains(['[', ']', '\n', '\r']) {
            return Err(Error::InvalidArgument(format!(
                "{name:?} cannot name a stored token"
            )));
        }
        let mut tokens = self.stored_tokens()?;
        tokens.insert(name.to_owned(), token.clone());
        self.save_stored_tokens(&tokens)?;
        self.switch(name)
    }

    /// Makes the stored token `name` the active one (Python's `auth_switch`).
    pub fn switch(&self, name: &str) -> Result<()> {
        let token = self.stored_tokens()?.remove(name).ok_or_else(|| {
            Error::InvalidArgument(format!(
                "access token {name} not found in {}",
                self.stored_tokens_path.display()
            ))
        })?;
        write_private(&self.token_path, token.expose_secret())
    }

    /// Python's `logout`: with a name, forgets that stored token (and the active one if it is
    /// the same); without, removes the token file and every stored token.
    pub fn logout(&self, name: Option<&str>) -> Result<()> {
        let Some(name) = name.filter(|n| !n.is_empty()) else {
            for path in [&self.token_path, &self.stored_tokens_path] {
                match std::fs::remove_file(path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(Error::io("remove", path.clone(), e)),
                }
            }
            return Ok(());
        };
        let mut tokens = self.stored_tokens()?;
        let Some(token) = tokens.remove(name) else {
            return Err(Error::InvalidArgument(format!(
                "access token {name} not found in {}",
                self.stored_tokens_path.display()
            )));
        };
        self.save_stored_tokens(&tokens)?;
        if self.active_token()?.as_ref() == Some(&token) {
            std::fs::remove_file(&self.token_path)
                .or_else(|e| match e.kind() {
                    std::io::ErrorKind::NotFound => Ok(()),
                    _ => Err(e),
                })
                .map_err(|e| Error::io("remove", self.token_path.clone(), e))?;
        }
        Ok(())
    }
}

/// Python's `get_token`: `HF_TOKEN`, then `HUGGING_FACE_HUB_TOKEN` (as the settings read
/// them), then the token file, read now (so a login since the settings were read counts).
pub fn get_token(settings: &Settings) -> Result<Option<Token>> {
    if let (Some(token), hf_http::TokenSource::Env(_)) = (&settings.token, &settings.token_source) {
        return Ok(Some(token.clone()));
    }
    TokenStore::from_settings(settings).active_token()
}

/// Writes a file only its owner reads (tokens are secrets), creating its folder.
fn write_private(path: &Path, text: &str) -> Result<()> {
    use std::io::Write;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io("create", parent, e))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|e| Error::io("write", path, e))?;
    file.write_all(text.as_bytes())
        .map_err(|e| Error::io("write", path, e))
}

/// The sections of an INI file with their `hf_token` (what `configparser` reads; other keys,
/// comments and malformed lines are skipped).
fn parse_ini(text: &str) -> BTreeMap<String, Token> {
    let mut out = BTreeMap::new();
    let mut section: Option<String> = None;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with(['#', ';']) {
            continue;
        }
        if let Some(name) = trimmed.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            section = Some(name.to_owned());
            continue;
        }
        let Some((key, value)) = trimmed.split_once(['=', ':']) else {
            continue;
        };
        if key.trim().eq_ignore_ascii_case("hf_token")
            && let (Some(name), Some(token)) = (&section, Token::new(value.trim()))
        {
            out.insert(name.clone(), token);
        }
    }
    out
}

/// Logs in with a token: the Python client's `login(token, add_to_git_credential=False)`.
/// `.await` checks the token with `whoami` (a refused token is not saved), stores it under the
/// name the Hub gives it and makes it the active token; resolves to the `whoami` answer.
///
/// ```no_run
/// # async fn demo(settings: hf_http::Settings, client: hf_http::HubClient) -> Result<(), hf_repo::Error> {
/// use hf_repo::auth::{Login, TokenStore};
///
/// let me = Login::new(client, "hf_...".into(), TokenStore::from_settings(&settings)).await?;
/// println!("logged in as {}", me.name);
/// # Ok(()) }
/// ```
#[must_use = "a login does nothing until awaited"]
#[derive(Debug, Clone)]
pub struct Login {
    client: HubClient,
    token: Token,
    store: TokenStore,
}

impl Login {
    /// Logs in with `token` through `client`'s endpoint, saving into `store`.
    pub fn new(client: HubClient, token: Token, store: TokenStore) -> Login {
        Login {
            client,
            token,
            store,
        }
    }

    async fn run(self) -> Result<WhoAmIInfo> {
        if self.token.expose_secret().starts_with("api_org") {
            return Err(Error::InvalidArgument(
                "an organization token cannot log in: use a personal access token".into(),
            ));
        }
        let client = self.client.with_token(Some(self.token.clone()));
        let me = WhoAmI::new(client).await?;
        let name = me.token_name().unwrap_or("default").to_owned();
        let (store, token) = (self.store, self.token);
        tokio::task::spawn_blocking(move || store.save(&name, &token))
            .await
            .map_err(Error::task)??;
        Ok(me)
    }
}

impl_into_future!(Login => WhoAmIInfo, run);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn stored_tokens_round_trip_in_configparser_format() {
        let dir = tempfile::tempdir().unwrap();
        let store = TokenStore::new(dir.path().join("token"), dir.path().join("stored_tokens"));
        store.save("work", &Token::from("hf_w")).unwrap();
        store.save("home", &Token::from("hf_h")).unwrap();
        assert_eq!(
            std::fs::read_to_string(store.stored_tokens_path()).unwrap(),
            "[home]\nhf_token = hf_h\n\n[work]\nhf_token = hf_w\n\n"
        );
        assert_eq!(std::fs::read_to_string(store.token_path()).unwrap(), "hf_h");
        assert_eq!(store.active_token_name().unwrap().as_deref(), Some("home"));
        store.switch("work").unwrap();
        assert_eq!(store.active_token_name().unwrap().as_deref(), Some("work"));
        assert!(store.switch("nope").is_err());
        store.logout(Some("work")).unwrap();
        assert_eq!(store.active_token().unwrap(), None);
        assert_eq!(store.stored_tokens().unwrap().len(), 1);
        store.logout(None).unwrap();
        assert!(store.stored_tokens().unwrap().is_empty());
        assert!(!store.stored_tokens_path().exists());
    }

    #[test]
    fn ini_parsing_is_lenient() {
        let t = parse_ini("# c\n[a]\nHF_TOKEN: hf_1\nother = x\n[b]\n[c]\nhf_token=hf_3 \n");
        let names: Vec<_> = t.keys().cloned().collect();
        assert_eq!(names, ["a", "c"]);
        assert_eq!(t["c"].expose_secret(), "hf_3");
    }
}
