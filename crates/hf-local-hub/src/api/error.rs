//! Hub-style errors: status, `X-Error-Code`, `X-Error-Message` and a JSON `{"error": ...}` body; and the
//! middleware that puts an `X-Request-Id` on every response.

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderName, HeaderValue, StatusCode};

use crate::storage::StoreError;

/// An error answered the way the Hub answers it.
#[derive(Debug, Clone)]
pub struct HubError {
    /// HTTP status.
    pub status: StatusCode,
    /// `X-Error-Code`, when the Hub sends one.
    pub code: Option<&'static str>,
    /// `X-Error-Message` and the body's `error`.
    pub message: String,
    /// Extra headers (e.g. `X-Repo-Commit` on `EntryNotFound` from `/resolve`).
    pub headers: Vec<(HeaderName, String)>,
    /// Extra JSON body fields (e.g. `url` on a 409 from repo creation).
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Result alias of handlers.
pub type HubResult<T> = Result<T, HubError>;

impl HubError {
    /// An error with a status and message, no code.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        HubError {
            status,
            code: None,
            message: message.into(),
            headers: Vec::new(),
            extra: serde_json::Map::new(),
        }
    }

    /// Adds an `X-Error-Code`.
    pub fn with_code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }

    /// Adds a header.
    pub fn with_header(mut self, name: HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Adds a JSON body field.
    pub fn with_field(mut self, key: &str, value: serde_json::Value) -> Self {
        self.extra.insert(key.to_owned(), value);
        self
    }

    /// 400.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 401 without code.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, message)
    }

    /// 403.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    /// 409.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, message)
    }

    /// 500.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    /// 401 for a token the hub does not know (the client matches this exact message).
    pub fn invalid_credentials() -> Self {
        Self::unauthorized("Invalid credentials in Authorization header")
    }

    /// Missing or invisible repo: 401 for anonymous callers, 404 otherwise; always `RepoNotFound`.
    pub fn repo_not_found(authenticated: bool) -> Self {
        let status = if authenticated {
            StatusCode::NOT_FOUND
        } else {
            StatusCode::UNAUTHORIZED
        };
        Self::new(status, "Repository not found").with_code("RepoNotFound")
    }

    /// 404 `RevisionNotFound`.
    pub fn revision_not_found(rev: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, format!("Invalid rev id: {rev}"))
            .with_code("RevisionNotFound")
    }

    /// 404 `EntryNotFound`.
    pub fn entry_not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message).with_code("EntryNotFound")
    }

    /// 404 for a route that does not exist, naming it loudly.
    pub fn no_route(method: &http::Method, path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            format!("hf-local-hub: no route for {method} {path}"),
        )
    }
}

impl From<StoreError> for HubError {
    fn from(e: StoreError) -> Self {
        match &e {
            // Store-level "repo not found" happens only after the caller was authorized: 404.
            StoreError::RepoNotFound => HubError::repo_not_found(true),
            StoreError::RevisionNotFound(rev) => HubError::revision_not_found(rev),
            StoreError::EntryNotFound(m) => HubError::entry_not_found(m.clone()),
            StoreError::Conflict(m) => HubError::conflict(m.clone()),
            StoreError::ParentMismatch { .. } => {
                HubError::new(StatusCode::PRECONDITION_FAILED, e.to_string())
            }
            StoreError::LfsObjectMissing(_) | StoreError::LfsMismatch(_) => {
                HubError::bad_request(e.to_string())
            }
            StoreError::BadRequest(m) => HubError::bad_request(m.clone()),
            StoreError::Forbidden(m) => HubError::forbidden(m.clone()),
            // Retried by both clients (503 is in the Python client's retry list too).
            StoreError::Busy(m) => HubError::new(StatusCode::SERVICE_UNAVAILABLE, m.clone())
                .with_header(http::header::RETRY_AFTER, "1"),
            StoreError::Io { .. } | StoreError::Db(_) | StoreError::Internal(_) => {
                tracing::error!(error = %e, "storage failure");
                HubError::internal(e.to_string())
            }
        }
    }
}

/// Header values cannot hold control characters or non-ASCII text; keep the message readable.
fn header_safe(text: &str) -> HeaderValue {
    let cleaned: String = text
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                c
            } else {
                ' '
            }
        })
        .collect();
    HeaderValue::from_str(&cleaned).unwrap_or_else(|_| HeaderValue::from_static("error"))
}

impl IntoResponse for HubError {
    fn into_response(self) -> Response {
        let mut body = self.extra;
        body.insert(
            "error".into(),
            serde_json::Value::String(self.message.clone()),
        );
        let mut resp = Response::new(Body::from(serde_json::Value::Object(body).to_string()));
        *resp.status_mut() = self.status;
        let h = resp.headers_mut();
        h.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
        if let Some(code) = self.code {
            h.insert("x-error-code", HeaderValue::from_static(code));
        }
        h.insert("x-error-message", header_safe(&self.message));
        for (name, value) in self.headers {
            h.insert(name, header_safe(&value));
        }
        resp
    }
}

/// Puts an `X-Request-Id` on every response (a fresh id unless the client sent one).
pub async fn request_id(req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128)
        .map_or_else(
            || {
                format!(
                    "Root=1-{:08x}-{:024x}",
                    fastrand::u32(..),
                    fastrand::u128(..) >> 32
                )
            },
            str::to_owned,
        );
    let mut resp = next.run(req).await;
    let is_json = resp
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    // Handler errors carry X-Error-Message, and JSON answers (validate-yaml's `errors`) are
    // already in a shape the client reads: only bare text errors are rewritten.
    if resp.status().as_u16() >= 400 && !resp.headers().contains_key("x-error-message") && !is_json
    {
        resp = as_hub_error(resp).await;
    }
    resp.headers_mut().insert("x-request-id", header_safe(&id));
    resp
}

/// Errors that did not come from a handler (axum's extractor rejections: an undecodable path
/// segment, a body over the limit, a malformed query) answer like the Hub's own: a JSON
/// `{"error": ...}` body and `X-Error-Message`, keeping the status and the text axum wrote.
async fn as_hub_error(resp: Response) -> Response {
    /// Rejection texts are short; anything longer is cut.
    const MAX_MESSAGE: usize = 4096;
    let (parts, body) = resp.into_parts();
    let text = match axum::body::to_bytes(body, MAX_MESSAGE).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).trim().to_owned(),
        Err(_) => String::new(),
    };
    let message = if text.is_empty() {
        parts
            .status
            .canonical_reason()
            .unwrap_or("request failed")
            .to_owned()
    } else {
        text
    };
    let mut error = HubError::new(parts.status, message);
    for (name, value) in &parts.headers {
        // Keep what the client may act on (Retry-After of an injected 429/503, Content-Range of a 416).
        if name != http::header::CONTENT_TYPE
            && name != http::header::CONTENT_LENGTH
            && let Ok(value) = value.to_str()
        {
            error = error.with_header(name.clone(), value);
        }
    }
    error.into_response()
}
