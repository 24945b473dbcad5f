//! The access token, kept out of logs and debug output.

use std::fmt;

use http::HeaderValue;

/// A Hugging Face access token (`hf_...`).
///
/// `Debug` and `Display` never show the value; the `authorization` header built from it is marked
/// sensitive so hyper and tracing do not print it either.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Wraps a token, cleaned the way the Python client cleans it (all `\r` and `\n` removed,
    /// surrounding whitespace trimmed). Returns `None` when nothing is left.
    pub fn new(value: impl Into<String>) -> Option<Self> {
        let cleaned: String = value
            .into()
            .chars()
            .filter(|c| *c != '\r' && *c != '\n')
            .collect();
        let trimmed = cleaned.trim();
        if trimmed.is_empty() {
            None
        } else {
            Some(Token(trimmed.to_owned()))
        }
    }

    /// The secret value. Only call this to put it on the wire.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// The `Bearer <token>` header value, marked sensitive. `None` if the token holds characters
    /// that cannot appear in a header.
    pub fn bearer_header(&self) -> Option<HeaderValue> {
        let mut value = HeaderValue::try_from(format!("Bearer {}", self.0)).ok()?;
        value.set_sensitive(true);
        Some(value)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<&str> for Token {
    /// Wraps the value as given (no cleaning); prefer [`Token::new`] for values read from files.
    fn from(value: &str) -> Self {
        Token(value.to_owned())
    }
}

impl From<String> for Token {
    /// Wraps the value as given (no cleaning); prefer [`Token::new`] for values read from files.
    fn from(value: String) -> Self {
        Token(value)
    }
}

impl From<&String> for Token {
    fn from(value: &String) -> Self {
        Token(value.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_are_redacted() {
        let token = Token::from("hf_secret");
        assert_eq!(format!("{token:?}"), "Token(***)");
        assert_eq!(format!("{token}"), "***");
        assert!(!format!("{:?}", Some(&token)).contains("secret"));
    }

    #[test]
    fn new_cleans_and_rejects_empty() {
        assert_eq!(
            Token::new("  hf_a\r\nb \n").map(|t| t.0),
            Some("hf_ab".to_owned())
        );
        assert!(Token::new(" \r\n ").is_none());
        assert!(Token::new("").is_none());
    }

    #[test]
    fn bearer_header_is_sensitive() {
        let header = Token::from("hf_x").bearer_header();
        assert!(header.as_ref().is_some_and(HeaderValue::is_sensitive));
        assert_eq!(
            header.as_ref().and_then(|h| h.to_str().ok()),
            Some("Bearer hf_x")
        );
    }
}
