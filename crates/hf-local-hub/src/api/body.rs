//! Small request bodies are read whole before routing.
//!
//! A handler that refuses a request (no access, bad arguments) before reading its body leaves bytes
//! unread; hyper then closes the connection, and a client that has pooled it (urllib3, hyper) sends
//! its next request into a closed socket or gets a broken pipe mid-upload. Reading small bodies first
//! keeps every answer on a reusable connection. Large bodies (LFS parts, big commits) still stream to
//! their handlers.

use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::header::CONTENT_LENGTH;

use super::error::HubError;

/// Bodies declaring at most this many bytes are read before routing.
const PREREAD_LIMIT: usize = 1024 * 1024;
/// How long a client may take to send such a body.
const PREREAD_TIMEOUT: Duration = Duration::from_secs(30);

/// Middleware: reads a body of at most [`PREREAD_LIMIT`] declared bytes, then routes the request.
pub(crate) async fn preread_small_body(req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<usize>().ok());
    if !declared.is_some_and(|n| n > 0 && n <= PREREAD_LIMIT) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    match tokio::time::timeout(PREREAD_TIMEOUT, axum::body::to_bytes(body, PREREAD_LIMIT)).await {
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Ok(Err(_)) => HubError::bad_request("the request body could not be read").into_response(),
        Err(_) => HubError::new(
            StatusCode::REQUEST_TIMEOUT,
            "the request body was not sent in time",
        )
        .into_response(),
    }
}
