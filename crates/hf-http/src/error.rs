//! The error type, and the mapping of Hub error responses to it (protocol §1.7).

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;
use hf_types::{RepoId, RepoType};
use http::{HeaderMap, Method, StatusCode};

/// A boxed error source, so no transport type (hyper, rustls) appears in the public API.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The Hub's answer to a failed request: status, the server's own words and the request id.
#[derive(Clone, Debug)]
pub struct ServerError {
    status: StatusCode,
    method: Method,
    url: String,
    error_code: Option<String>,
    server_message: Option<String>,
    request_id: Option<String>,
    requested_range: Option<String>,
    headers: HeaderMap,
    body: Bytes,
    context: ErrorContext,
}

/// Error bodies longer than this are cut: they are for humans, not for streaming.
pub(crate) const MAX_ERROR_BODY: usize = 64 * 1024;

impl ServerError {
    /// Builds the record of an error response. `url` is redacted here (signed URL parameters
    /// are replaced), `body` is cut to 64 KiB.
    pub fn new(
        method: Method,
        url: &str,
        status: StatusCode,
        headers: HeaderMap,
        body: Bytes,
    ) -> Self {
        let body = if body.len() > MAX_ERROR_BODY {
            body.slice(..MAX_ERROR_BODY)
        } else {
            body
        };
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let request_id = header("x-request-id")
            .or_else(|| header("x-amzn-trace-id"))
            .or_else(|| header("x-amz-cf-id"));
        let server_message = server_message(&headers, &body);
        ServerError {
            status,
            method,
            url: redact_url(url),
            error_code: header("x-error-code"),
            server_message,
            request_id,
            requested_range: None,
            headers,
            body,
            context: ErrorContext::default(),
        }
    }

    /// Records what the request was about.
    pub fn with_context(mut self, context: ErrorContext) -> Self {
        self.context = context;
        self
    }

    /// What the request was about (empty when it was not about a repo).
    pub fn context(&self) -> &ErrorContext {
        &self.context
    }

    /// Records the `Range` the request asked for (quoted in 416 messages).
    pub fn with_requested_range(mut self, range: Option<String>) -> Self {
        self.requested_range = range;
        self
    }

    /// HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }
    /// The request method.
    pub fn method(&self) -> &Method {
        &self.method
    }
    /// The request URL, with signatures and credentials redacted.
    pub fn url(&self) -> &str {
        &self.url
    }
    /// `X-Error-Code` (`RepoNotFound`, `RevisionNotFound`, `EntryNotFound`, `GatedRepo`, ...).
    pub fn error_code(&self) -> Option<&str> {
        self.error_code.as_deref()
    }
    /// `X-Error-Message` plus the body's `error` / `errors[].message` (or its text when not JSON
    /// nor HTML), de-duplicated, one per line.
    pub fn server_message(&self) -> Option<&str> {
        self.server_message.as_deref()
    }
    /// `X-Request-Id`, else `X-Amzn-Trace-Id`, else `X-Amz-Cf-Id`.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
    /// All response headers (e.g. `X-Repo-Commit` on a 404 from `/resolve`).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }
    /// The response body (at most 64 KiB), e.g. to read `url` from a 409 on repo creation.
    pub fn body(&self) -> &Bytes {
        &self.body
    }
    /// The body parsed as JSON.
    pub fn body_json<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        serde_json::from_slice(&self.body).ok()
    }
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} for url: {}", self.status, self.url)?;
        if let Some(message) = &self.server_message {
            write!(f, ": {}", message.replace('\n', "; "))?;
        }
        if self.status == StatusCode::RANGE_NOT_SATISFIABLE {
            let content_range = self
                .headers
                .get("content-range")
                .and_then(|v| v.to_str().ok());
            write!(
                f,
                " (requested range: {}, content-range: {})",
                self.requested_range.as_deref().unwrap_or("none"),
                content_range.unwrap_or("none")
            )?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (Request ID: {id})")?;
        }
        Ok(())
    }
}

/// What kind of transport failure happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportKind {
    /// The connection could not be opened (refused, DNS, unreachable): nothing was sent.
    Connect,
    /// TLS handshake or certificate failure. Never retried.
    Tls,
    /// The proxy refused or failed the tunnel.
    Proxy,
    /// The connection broke while sending the request or reading the response.
    Connection,
    /// Reading the request body failed (e.g. the file behind `Body::file_range`).
    RequestBody,
    /// Too many redirects, a redirect loop or an unusable `Location`.
    Redirect,
    /// Anything else the HTTP stack reported.
    Other,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportKind::Connect => "connection",
            TransportKind::Tls => "TLS",
            TransportKind::Proxy => "proxy",
            TransportKind::Connection => "connection interrupted",
            TransportKind::RequestBody => "request body",
            TransportKind::Redirect => "redirect",
            TransportKind::Other => "HTTP transport",
        })
    }
}

/// Which timeout fired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutPhase {
    /// Opening the connection.
    Connect,
    /// Waiting for the response headers.
    Request,
    /// Waiting for the next chunk of the response body.
    ReadIdle,
}

impl fmt::Display for TimeoutPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeoutPhase::Connect => "connecting",
            TimeoutPhase::Request => "waiting for the response",
            TimeoutPhase::ReadIdle => "reading the response body",
        })
    }
}

/// What a failed operation was about: the repo, its type, the revision and the file in it.
///
/// Requests sent for a repo carry it (see [`RequestBuilder::context`](crate::RequestBuilder::context)),
/// so an HTTP error can say which repo was not found without parsing its URL.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorContext {
    /// The repo.
    pub repo_id: Option<RepoId>,
    /// Its type.
    pub repo_type: Option<RepoType>,
    /// The revision asked for, as given.
    pub revision: Option<String>,
    /// The path in the repo.
    pub path: Option<String>,
}

impl ErrorContext {
    /// The context of an operation on `repo_id` of `repo_type`.
    pub fn repo(repo_id: RepoId, repo_type: RepoType) -> Self {
        ErrorContext {
            repo_id: Some(repo_id),
            repo_type: Some(repo_type),
            revision: None,
            path: None,
        }
    }

    /// The same with a revision.
    pub fn with_revision(mut self, revision: impl fmt::Display) -> Self {
        self.revision = Some(revision.to_string());
        self
    }

    /// The same with a path in the repo.
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// True when nothing is known.
    pub fn is_empty(&self) -> bool {
        self.repo_id.is_none() && self.revision.is_none() && self.path.is_none()
    }
}

impl fmt::Display for ErrorContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        if let Some(repo) = &self.repo_id {
            match self.repo_type {
                Some(t) => write!(f, "{t} {repo}")?,
                None => write!(f, "{repo}")?,
            }
            sep = ", ";
        }
        if let Some(revision) = &self.revision {
            write!(f, "{sep}revision {revision}")?;
            sep = ", ";
        }
        if let Some(path) = &self.path {
            write!(f, "{sep}file {path}")?;
        }
        Ok(())
    }
}

/// The kind of an [`Error`], without its details: what callers match on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// [`Error::RepoNotFound`].
    RepoNotFound,
    /// [`Error::RevisionNotFound`].
    RevisionNotFound,
    /// [`Error::EntryNotFound`].
    EntryNotFound,
    /// [`Error::GatedRepo`].
    GatedRepo,
    /// [`Error::DisabledRepo`].
    DisabledRepo,
    /// [`Error::Unauthorized`].
    Unauthorized,
    /// [`Error::Forbidden`].
    Forbidden,
    /// [`Error::BadRequest`].
    BadRequest,
    /// [`Error::Conflict`].
    Conflict,
    /// [`Error::RangeNotSatisfiable`].
    RangeNotSatisfiable,
    /// [`Error::RateLimited`].
    RateLimited,
    /// [`Error::Server`].
    Server,
    /// [`Error::UnexpectedStatus`].
    UnexpectedStatus,
    /// [`Error::Offline`].
    Offline,
    /// [`Error::Timeout`].
    Timeout,
    /// [`Error::Transport`].
    Transport,
    /// [`Error::Decode`].
    Decode,
    /// [`Error::Encode`].
    Encode,
    /// [`Error::InvalidUrl`].
    InvalidUrl,
    /// [`Error::Config`].
    Config,
    /// [`Error::InvalidRepoId`].
    InvalidRepoId,
    /// [`Error::InvalidRevision`].
    InvalidRevision,
    /// [`Error::InvalidPath`].
    InvalidPath,
    /// [`Error::InvalidArgument`].
    InvalidArgument,
    /// [`Error::MissingToken`].
    MissingToken,
    /// [`Error::Io`].
    Io,
    /// [`Error::LocalEntryNotFound`].
    LocalEntryNotFound,
    /// [`Error::IncompleteSnapshot`].
    IncompleteSnapshot,
    /// [`Error::CacheNotFound`].
    CacheNotFound,
    /// [`Error::Protocol`].
    Protocol,
    /// [`Error::Integrity`].
    Integrity,
    /// [`Error::SizeMismatch`].
    SizeMismatch,
    /// [`Error::LfsRefused`].
    LfsRefused,
    /// [`Error::Safetensors`].
    Safetensors,
    /// [`Error::NotASafetensorsRepo`].
    NotASafetensorsRepo,
    /// [`Error::InferenceEndpointFailed`].
    InferenceEndpointFailed,
    /// [`Error::InferenceEndpointTimeout`].
    InferenceEndpointTimeout,
    /// [`Error::Task`].
    Task,
    /// [`Error::SpaceNotReady`] (Spaces, issue 12).
    SpaceNotReady,
}

/// Everything an operation of any hf-api crate can fail with: one type for every layer.
///
/// HTTP failures carry a [`ServerError`] (status, server message, request id, redacted URL, the
/// [`ErrorContext`] of the request); transport failures carry a [`TransportKind`] and a boxed
/// source; the other variants are found before or around the requests (invalid input, local
/// files, the cache, answers the client cannot use). Match on [`kind`](Error::kind), or ask the
/// predicates ([`is_not_found`](Error::is_not_found), [`status`](Error::status), ...).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `X-Error-Code: RepoNotFound`, or a 401 on a repo API / resolve URL that is not an invalid token:
    /// the repo does not exist, or it is private and the token cannot see it.
    #[error("repository not found (check the repo id and type; private repos need a token): {0}")]
    RepoNotFound(Box<ServerError>),
    /// `X-Error-Code: RevisionNotFound`.
    #[error("revision not found: {0}")]
    RevisionNotFound(Box<ServerError>),
    /// `X-Error-Code: EntryNotFound`: no such file or folder at that revision.
    #[error("entry not found: {0}")]
    EntryNotFound(Box<ServerError>),
    /// `X-Error-Code: GatedRepo`: the repo is gated and access was not granted.
    #[error("access to this gated repo is restricted (request access on the Hub): {0}")]
    GatedRepo(Box<ServerError>),
    /// `X-Error-Message: Access to this resource is disabled.`
    #[error("this repo is disabled: {0}")]
    DisabledRepo(Box<ServerError>),
    /// 401 otherwise: the token is invalid or expired, or one is needed.
    #[error("unauthorized (invalid or missing token): {0}")]
    Unauthorized(Box<ServerError>),
    /// 403: make sure your token has the right permissions.
    #[error("forbidden (make sure your token has the correct permissions): {0}")]
    Forbidden(Box<ServerError>),
    /// 400.
    #[error("bad request: {0}")]
    BadRequest(Box<ServerError>),
    /// 409 (it already exists, or another operation is in progress) or 412 (a commit's
    /// `parent_commit` is no longer the head of the branch).
    #[error("conflict: {0}")]
    Conflict(Box<ServerError>),
    /// 416.
    #[error("range not satisfiable: {0}")]
    RangeNotSatisfiable(Box<ServerError>),
    /// 429.
    #[error("rate limited{}: {error}", fmt_retry_after(*retry_after))]
    RateLimited {
        /// The response.
        error: Box<ServerError>,
        /// `Retry-After`, when the server sent one.
        retry_after: Option<Duration>,
    },
    /// 5xx.
    #[error("server error: {0}")]
    Server(Box<ServerError>),
    /// Any other status >= 400.
    #[error("HTTP error: {0}")]
    UnexpectedStatus(Box<ServerError>),
    /// Offline mode (`HF_HUB_OFFLINE`): the request was refused before any connection.
    #[error("offline mode is enabled: no request sent to {url}")]
    Offline {
        /// The redacted URL that was not requested.
        url: String,
    },
    /// A timeout fired.
    #[error("timed out {phase} after {after:?}: {url}")]
    Timeout {
        /// Which one.
        phase: TimeoutPhase,
        /// The configured limit.
        after: Duration,
        /// The redacted URL.
        url: String,
    },
    /// The request could not be carried out.
    #[error("{kind} error: {url}")]
    Transport {
        /// What failed.
        kind: TransportKind,
        /// The redacted URL.
        url: String,
        /// The underlying error.
        #[source]
        source: BoxError,
    },
    /// The response body is not what was expected (e.g. invalid JSON).
    #[error("could not decode the response of {url}: {source}")]
    Decode {
        /// The redacted URL.
        url: String,
        /// The parse error.
        #[source]
        source: BoxError,
    },
    /// A value could not be serialized for a request body; nothing was sent.
    #[error("could not serialize {what}: {source}")]
    Encode {
        /// What was being serialized.
        what: &'static str,
        /// The serializer's error.
        #[source]
        source: BoxError,
    },
    /// A URL could not be parsed or used.
    #[error("invalid URL {url:?}: {reason}")]
    InvalidUrl {
        /// The offending text.
        url: String,
        /// Why.
        reason: String,
    },
    /// An invalid setting (environment variable, header, proxy, certificate).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A repo id given by the caller is invalid; nothing was sent.
    #[error(transparent)]
    InvalidRepoId(#[from] hf_types::InvalidRepoId),
    /// A revision given by the caller (or found in the cache) is invalid; nothing was sent.
    #[error(transparent)]
    InvalidRevision(#[from] hf_types::InvalidRevision),
    /// A path in a repo, given by the caller or sent by the server, is not a safe relative path.
    #[error(transparent)]
    InvalidPath(#[from] hf_types::InvalidRepoPath),
    /// The arguments are invalid or contradict each other (empty commit message, malformed
    /// parent commit, `force_download` while offline, ...); nothing was sent.
    #[error("invalid arguments: {0}")]
    InvalidArgument(String),
    /// The operation needs a token and the client has none; nothing was sent.
    #[error("{operation} needs a token: set HF_TOKEN or log in")]
    MissingToken {
        /// The operation, by its Python name.
        operation: &'static str,
    },
    /// A local file operation failed; names the operation and the path.
    #[error("cannot {action}{}: {source}", path.as_ref().map(|p| format!(" {}", p.display())).unwrap_or_default())]
    Io {
        /// What was being done (`"read"`, `"create directory"`, `"rename into place"`, ...).
        action: &'static str,
        /// The path concerned, when there is one.
        path: Option<PathBuf>,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// The file is not in the cache and the Hub could not or may not be asked
    /// (offline mode, `local_files_only`, connection problems).
    #[error("{message}")]
    LocalEntryNotFound {
        /// Why, in words, with the file or repo concerned.
        message: String,
        /// The network error that made us fall back to the cache, if any.
        #[source]
        source: Option<Box<Error>>,
    },
    /// Offline, a snapshot is missing files; names them.
    #[error("snapshot {} is incomplete in the cache (offline); missing: {}", commit, missing.join(", "))]
    IncompleteSnapshot {
        /// The commit of the snapshot.
        commit: String,
        /// The repo paths that are not cached.
        missing: Vec<String>,
    },
    /// A cache folder to scan does not exist or is a file.
    #[error("cache directory not found or not a directory: {}", .0.display())]
    CacheNotFound(PathBuf),
    /// The Hub's answer (or a file the cache wrote earlier) cannot be used: a missing header
    /// or field, a wrong shape; names what was wrong.
    #[error("unexpected answer from the Hub for {context}: {what}")]
    Protocol {
        /// The operation, file, URL or cached file concerned.
        context: String,
        /// What was wrong.
        what: String,
    },
    /// The downloaded bytes do not hash to the expected ETag; nothing was kept.
    #[error(
        "integrity check failed for {file}: expected {expected}, got {actual}; the download was discarded"
    )]
    Integrity {
        /// The repo path of the file.
        file: String,
        /// The expected hash (the ETag).
        expected: String,
        /// The hash of the bytes received.
        actual: String,
    },
    /// The download's size differs from the size announced by the Hub.
    #[error(
        "consistency check failed for {file}: expected {expected} bytes, got {actual}; retry with force_download"
    )]
    SizeMismatch {
        /// The repo path of the file.
        file: String,
        /// Announced size.
        expected: u64,
        /// Received size.
        actual: u64,
    },
    /// The LFS batch API refused some objects; the commit was not sent.
    #[error("the Hub refused to upload {}: {}", if .0.len() == 1 { "an LFS object".to_string() } else { format!("{} LFS objects", .0.len()) }, .0.join("; "))]
    LfsRefused(Vec<String>),
    /// A safetensors header is malformed or too large; names the file.
    #[error("cannot parse the safetensors header of {file}: {reason}")]
    Safetensors {
        /// The repo path of the file.
        file: String,
        /// Why.
        reason: String,
    },
    /// `get_safetensors_metadata` on a repo with neither `model.safetensors` nor
    /// `model.safetensors.index.json` at that revision.
    #[error(
        "{repo_id} is not a safetensors repo: no model.safetensors nor model.safetensors.index.json at revision {revision}"
    )]
    NotASafetensorsRepo {
        /// The repo.
        repo_id: String,
        /// The revision looked at.
        revision: String,
    },
    /// An Inference Endpoint being waited for reached `failed` or `updateFailed` (Python's
    /// `InferenceEndpointError`).
    #[error("Inference Endpoint {name} is {status}{}", message.as_ref().map(|m| format!(": {m}")).unwrap_or_default())]
    InferenceEndpointFailed {
        /// `namespace/name` of the endpoint.
        name: String,
        /// The status it ended in.
        status: String,
        /// The server's status message, if any.
        message: Option<String>,
    },
    /// An Inference Endpoint was not ready before the wait's timeout (Python's
    /// `InferenceEndpointTimeoutError`).
    #[error(
        "timed out after {after:?} waiting for Inference Endpoint {name} to be running; last status: {status}"
    )]
    InferenceEndpointTimeout {
        /// `namespace/name` of the endpoint.
        name: String,
        /// The last status seen.
        status: String,
        /// How long it waited.
        after: Duration,
    },
    /// A background task panicked or was cancelled, or the blocking API could not start its
    /// runtime.
    #[error("background task failed: {0}")]
    Task(String),
    /// Waiting for a Space to reach a stage failed: it stopped in an error stage, or the wait
    /// timed out (Spaces, issue 12). Names the last stage seen.
    #[error("Space {space} {}: its last stage was {stage}", if *timed_out { "did not reach the awaited stage in time" } else { "failed" })]
    SpaceNotReady {
        /// The Space.
        space: String,
        /// The last stage read.
        stage: String,
        /// The wait timed out (otherwise the Space reached an error stage).
        timed_out: bool,
    },
}

fn fmt_retry_after(retry_after: Option<Duration>) -> String {
    retry_after
        .map(|d| format!(" (retry after {}s)", d.as_secs()))
        .unwrap_or_default()
}

/// The exact message the Hub sends for disabled repos.
const DISABLED_MESSAGE: &str = "Access to this resource is disabled.";
/// The message of a 401 caused by a bad token rather than a hidden repo.
const INVALID_CREDENTIALS: &str = "Invalid credentials in Authorization header";

impl Error {
    /// Maps an error response in the Python client's order (protocol §1.7). The rule-5 fallback
    /// (401 on a repo URL means "repo not found") is applied on any scheme, not only `https`, so
    /// a local `http://` hub behaves like the real one.
    pub fn from_server_error(error: ServerError) -> Error {
        let code = error.error_code();
        let message = error
            .headers
            .get("x-error-message")
            .and_then(|v| v.to_str().ok());
        let status = error.status;
        let boxed = Box::new;
        match code {
            Some("RevisionNotFound") => return Error::RevisionNotFound(boxed(error)),
            Some("EntryNotFound") => return Error::EntryNotFound(boxed(error)),
            Some("GatedRepo") => return Error::GatedRepo(boxed(error)),
            _ => {}
        }
        if message == Some(DISABLED_MESSAGE) {
            return Error::DisabledRepo(boxed(error));
        }
        if code == Some("RepoNotFound")
            || (status == StatusCode::UNAUTHORIZED
                && message != Some(INVALID_CREDENTIALS)
                && is_repo_url(&error.url))
        {
            return Error::RepoNotFound(boxed(error));
        }
        match status.as_u16() {
            400 => Error::BadRequest(boxed(error)),
            403 => Error::Forbidden(boxed(error)),
            416 => Error::RangeNotSatisfiable(boxed(error)),
            401 => Error::Unauthorized(boxed(error)),
            // 412: a `parentCommit` that is no longer the branch head (optimistic locking).
            409 | 412 => Error::Conflict(boxed(error)),
            429 => {
                let retry_after = error
                    .headers
                    .get(http::header::RETRY_AFTER)
                    .and_then(|v| parse_retry_after(v, std::time::SystemTime::now()));
                Error::RateLimited {
                    error: boxed(error),
                    retry_after,
                }
            }
            500..=599 => Error::Server(boxed(error)),
            _ => Error::UnexpectedStatus(boxed(error)),
        }
    }

    /// The server's answer, for HTTP errors.
    pub fn server_error(&self) -> Option<&ServerError> {
        match self {
            Error::RepoNotFound(e)
            | Error::RevisionNotFound(e)
            | Error::EntryNotFound(e)
            | Error::GatedRepo(e)
            | Error::DisabledRepo(e)
            | Error::Unauthorized(e)
            | Error::Forbidden(e)
            | Error::BadRequest(e)
            | Error::Conflict(e)
            | Error::RangeNotSatisfiable(e)
            | Error::Server(e)
            | Error::UnexpectedStatus(e)
            | Error::RateLimited { error: e, .. } => Some(e),
            _ => None,
        }
    }

    /// HTTP status, for HTTP errors.
    pub fn status(&self) -> Option<StatusCode> {
        self.server_error().map(ServerError::status)
    }
    /// The request id the server gave, for HTTP errors.
    pub fn request_id(&self) -> Option<&str> {
        self.server_error().and_then(ServerError::request_id)
    }
    /// The server's message, for HTTP errors.
    pub fn server_message(&self) -> Option<&str> {
        self.server_error().and_then(ServerError::server_message)
    }
    /// `X-Error-Code`, for HTTP errors.
    pub fn error_code(&self) -> Option<&str> {
        self.server_error().and_then(ServerError::error_code)
    }
    /// Repo, revision or entry not found (a gated repo is not "not found").
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            Error::RepoNotFound(_) | Error::RevisionNotFound(_) | Error::EntryNotFound(_)
        )
    }
    /// Offline mode refused the request.
    pub fn is_offline(&self) -> bool {
        matches!(self, Error::Offline { .. })
    }
    /// A timeout fired.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }
    /// The request failed before or without an HTTP answer (connection, TLS, proxy, timeout,
    /// offline): callers that can fall back to a local cache should.
    pub fn is_connection_problem(&self) -> bool {
        matches!(
            self,
            Error::Transport { .. } | Error::Timeout { .. } | Error::Offline { .. }
        )
    }

    /// An I/O error on `path` while doing `action` (`"read"`, `"create directory"`, ...).
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Error {
        Error::Io {
            action,
            path: Some(path.into()),
            source,
        }
    }

    /// An answer that cannot be used, about `context` (an operation, file or URL).
    pub fn protocol(context: impl Into<String>, what: impl Into<String>) -> Error {
        Error::Protocol {
            context: context.into(),
            what: what.into(),
        }
    }

    /// A background task that panicked or was cancelled.
    pub fn task(error: impl fmt::Display) -> Error {
        Error::Task(error.to_string())
    }

    /// What the failed request was about, for HTTP errors of requests sent with a context.
    pub fn context(&self) -> Option<&ErrorContext> {
        self.server_error()
            .map(ServerError::context)
            .filter(|c| !c.is_empty())
    }

    /// The kind of error, to match on.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::RepoNotFound(_) => ErrorKind::RepoNotFound,
            Error::RevisionNotFound(_) => ErrorKind::RevisionNotFound,
            Error::EntryNotFound(_) => ErrorKind::EntryNotFound,
            Error::GatedRepo(_) => ErrorKind::GatedRepo,
            Error::DisabledRepo(_) => ErrorKind::DisabledRepo,
            Error::Unauthorized(_) => ErrorKind::Unauthorized,
            Error::Forbidden(_) => ErrorKind::Forbidden,
            Error::BadRequest(_) => ErrorKind::BadRequest,
            Error::Conflict(_) => ErrorKind::Conflict,
            Error::RangeNotSatisfiable(_) => ErrorKind::RangeNotSatisfiable,
            Error::RateLimited { .. } => ErrorKind::RateLimited,
            Error::Server(_) => ErrorKind::Server,
            Error::UnexpectedStatus(_) => ErrorKind::UnexpectedStatus,
            Error::Offline { .. } => ErrorKind::Offline,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Transport { .. } => ErrorKind::Transport,
            Error::Decode { .. } => ErrorKind::Decode,
            Error::Encode { .. } => ErrorKind::Encode,
            Error::InvalidUrl { .. } => ErrorKind::InvalidUrl,
            Error::Config(_) => ErrorKind::Config,
            Error::InvalidRepoId(_) => ErrorKind::InvalidRepoId,
            Error::InvalidRevision(_) => ErrorKind::InvalidRevision,
            Error::InvalidPath(_) => ErrorKind::InvalidPath,
            Error::InvalidArgument(_) => ErrorKind::InvalidArgument,
            Error::MissingToken { .. } => ErrorKind::MissingToken,
            Error::Io { .. } => ErrorKind::Io,
            Error::LocalEntryNotFound { .. } => ErrorKind::LocalEntryNotFound,
            Error::IncompleteSnapshot { .. } => ErrorKind::IncompleteSnapshot,
            Error::CacheNotFound(_) => ErrorKind::CacheNotFound,
            Error::Protocol { .. } => ErrorKind::Protocol,
            Error::Integrity { .. } => ErrorKind::Integrity,
            Error::SizeMismatch { .. } => ErrorKind::SizeMismatch,
            Error::LfsRefused(_) => ErrorKind::LfsRefused,
            Error::Safetensors { .. } => ErrorKind::Safetensors,
            Error::NotASafetensorsRepo { .. } => ErrorKind::NotASafetensorsRepo,
            Error::InferenceEndpointFailed { .. } => ErrorKind::InferenceEndpointFailed,
            Error::InferenceEndpointTimeout { .. } => ErrorKind::InferenceEndpointTimeout,
            Error::Task(_) => ErrorKind::Task,
            Error::SpaceNotReady { .. } => ErrorKind::SpaceNotReady,
        }
    }

    /// True when the caller's input was refused before anything was sent (a malformed id,
    /// revision, path or argument, or a missing token).
    pub fn is_invalid_input(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::InvalidRepoId
                | ErrorKind::InvalidRevision
                | ErrorKind::InvalidPath
                | ErrorKind::InvalidArgument
                | ErrorKind::MissingToken
        )
    }
}

/// `Retry-After` as seconds or an HTTP date (relative to `now`).
pub(crate) fn parse_retry_after(
    value: &http::HeaderValue,
    now: std::time::SystemTime,
) -> Option<Duration> {
    let text = value.to_str().ok()?.trim();
    if let Ok(secs) = text.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let date = httpdate::parse_http_date(text).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Rule 5 of §1.7: `/api/{models,datasets,spaces}/...` or `/.../resolve/...`.
fn is_repo_url(url: &str) -> bool {
    let Ok(parsed) = url::Url::parse(url) else {
        return false;
    };
    let path = parsed.path();
    let api = ["/api/models/", "/api/datasets/", "/api/spaces/"]
        .iter()
        .any(|prefix| {
            path.strip_prefix(prefix)
                .is_some_and(|rest| !rest.is_empty())
        });
    let resolve = path
        .get(1..)
        .and_then(|p| p.find("/resolve/").map(|at| (at, p)))
        .is_some_and(|(at, p)| at > 0 && p.len() > at + "/resolve/".len());
    api || resolve
}

fn server_message(headers: &HeaderMap, body: &[u8]) -> Option<String> {
    let mut messages: Vec<String> = Vec::new();
    let mut push = |m: &str| {
        let m = m.trim();
        if !m.is_empty() && !messages.iter().any(|seen| seen == m) {
            messages.push(m.to_owned());
        }
    };
    if let Some(m) = headers.get("x-error-message").and_then(|v| v.to_str().ok()) {
        push(m);
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(json) => {
            match json.get("error") {
                Some(serde_json::Value::String(m)) => push(m),
                Some(serde_json::Value::Array(items)) => {
                    items.iter().filter_map(|i| i.as_str()).for_each(&mut push)
                }
                _ => {}
            }
            if let Some(serde_json::Value::Array(items)) = json.get("errors") {
                items
                    .iter()
                    .filter_map(|i| i.get("message").and_then(|m| m.as_str()))
                    .for_each(&mut push);
            }
        }
        Err(_) => {
            let is_html = headers
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|ct| ct.to_ascii_lowercase().contains("html"));
            if !is_html && let Ok(text) = std::str::from_utf8(body) {
                push(text);
            }
        }
    }
    if messages.is_empty() {
        None
    } else {
        Some(messages.join("\n"))
    }
}

/// Query parameters whose values are secrets (pre-signed CDN/S3/GCS URLs).
const SECRET_PARAMS: &[&str] = &[
    "signature",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "x-goog-signature",
    "x-goog-credential",
    "key-pair-id",
    "policy",
    "sig",
    "token",
];

/// The URL with credentials and signature query values replaced by `REDACTED`, for errors and
/// logs. Unparseable input is returned without its query string.
pub fn redact_url(raw: &str) -> String {
    let Ok(mut url) = url::Url::parse(raw) else {
        return raw.split('?').next().unwrap_or_default().to_owned();
    };
    if url.password().is_some() {
        let _ = url.set_password(Some("REDACTED"));
    }
    if url.query().is_some() {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let secret = SECRET_PARAMS.iter().any(|s| k.eq_ignore_ascii_case(s));
                (
                    k.into_owned(),
                    if secret {
                        "REDACTED".to_owned()
                    } else {
                        v.into_owned()
                    },
                )
            })
            .collect();
        if pairs.iter().any(|(_, v)| v == "REDACTED") {
            url.query_pairs_mut().clear().extend_pairs(pairs);
        }
    }
    url.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(status: u16, headers: &[(&str, &str)], body: &str, url: &str) -> ServerError {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.insert(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        ServerError::new(
            Method::GET,
            url,
            StatusCode::from_u16(status).unwrap(),
            map,
            Bytes::from(body.to_owned()),
        )
    }

    #[test]
    fn message_is_deduplicated_and_joined() {
        let e = server(
            404,
            &[("x-error-message", "Entry not found")],
            r#"{"error":"Entry not found"}"#,
            "http://h/x",
        );
        assert_eq!(e.server_message(), Some("Entry not found"));
        let e = server(
            400,
            &[],
            r#"{"error":["a","b"],"errors":[{"message":"c"},{"message":"a"}]}"#,
            "http://h/x",
        );
        assert_eq!(e.server_message(), Some("a\nb\nc"));
        let e = server(500, &[], "plain failure", "http://h/x");
        assert_eq!(e.server_message(), Some("plain failure"));
        let e = server(
            502,
            &[("content-type", "text/html")],
            "<html>bad</html>",
            "http://h/x",
        );
        assert_eq!(e.server_message(), None);
    }

    #[test]
    fn request_id_fallbacks() {
        let e = server(
            500,
            &[("x-amz-cf-id", "cf"), ("x-amzn-trace-id", "amzn")],
            "",
            "http://h/",
        );
        assert_eq!(e.request_id(), Some("amzn"));
        let e = server(
            500,
            &[("x-amz-cf-id", "cf"), ("x-request-id", "rid")],
            "",
            "http://h/",
        );
        assert_eq!(e.request_id(), Some("rid"));
    }

    #[test]
    fn mapping_order() {
        let map = |status, headers: &[(&str, &str)], url| {
            Error::from_server_error(server(status, headers, "", url))
        };
        let api = "https://h/api/models/a/b";
        assert!(matches!(
            map(404, &[("x-error-code", "RevisionNotFound")], api),
            Error::RevisionNotFound(_)
        ));
        assert!(matches!(
            map(404, &[("x-error-code", "EntryNotFound")], api),
            Error::EntryNotFound(_)
        ));
        assert!(matches!(
            map(403, &[("x-error-code", "GatedRepo")], api),
            Error::GatedRepo(_)
        ));
        assert!(matches!(
            map(403, &[("x-error-message", DISABLED_MESSAGE)], api),
            Error::DisabledRepo(_)
        ));
        assert!(matches!(
            map(404, &[("x-error-code", "RepoNotFound")], "http://h/x"),
            Error::RepoNotFound(_)
        ));
        assert!(matches!(map(401, &[], api), Error::RepoNotFound(_)));
        assert!(matches!(
            map(401, &[], "http://h/a/b/resolve/main/f"),
            Error::RepoNotFound(_)
        ));
        assert!(matches!(
            map(401, &[("x-error-message", INVALID_CREDENTIALS)], api),
            Error::Unauthorized(_)
        ));
        assert!(matches!(
            map(401, &[], "http://h/api/whoami-v2"),
            Error::Unauthorized(_)
        ));
        assert!(matches!(map(400, &[], api), Error::BadRequest(_)));
        assert!(matches!(map(403, &[], api), Error::Forbidden(_)));
        assert!(matches!(map(416, &[], api), Error::RangeNotSatisfiable(_)));
        assert!(matches!(map(409, &[], api), Error::Conflict(_)));
        assert!(matches!(map(412, &[], api), Error::Conflict(_)));
        assert!(matches!(
            map(429, &[("retry-after", "7")], api),
            Error::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(7)
        ));
        assert!(matches!(map(503, &[], api), Error::Server(_)));
        assert!(matches!(map(418, &[], api), Error::UnexpectedStatus(_)));
    }

    #[test]
    fn display_reads_like_python() {
        let e = Error::from_server_error(server(
            404,
            &[
                ("x-error-code", "RepoNotFound"),
                ("x-error-message", "Repository not found"),
                ("x-request-id", "r-1"),
            ],
            "",
            "https://h/api/models/a/b",
        ));
        let text = e.to_string();
        assert!(text.starts_with("repository not found"), "{text}");
        assert!(text.contains("404 Not Found for url: https://h/api/models/a/b: Repository not found (Request ID: r-1)"));
    }

    #[test]
    fn urls_are_redacted() {
        let url = "https://cdn.example/x?response-content-disposition=a&Expires=1&Signature=abc&Key-Pair-Id=k";
        let redacted = redact_url(url);
        assert!(
            !redacted.contains("abc") && !redacted.contains("=k"),
            "{redacted}"
        );
        assert!(redacted.contains("Expires=1"));
        assert_eq!(redact_url("https://h/a?b=c"), "https://h/a?b=c");
        assert!(!redact_url("https://u:pw@h/").contains("pw"));
    }

    #[test]
    fn retry_after_forms() {
        let now = std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let secs = http::HeaderValue::from_static("12");
        assert_eq!(parse_retry_after(&secs, now), Some(Duration::from_secs(12)));
        let date = httpdate::fmt_http_date(now + Duration::from_secs(30));
        let date = http::HeaderValue::from_str(&date).unwrap();
        assert_eq!(parse_retry_after(&date, now), Some(Duration::from_secs(30)));
        assert_eq!(
            parse_retry_after(&http::HeaderValue::from_static("soon"), now),
            None
        );
    }
}
