//! Each Hub error response becomes its `Error` variant with the server's message and request id.

// Scripted-server closures panic like tests do: a failure there is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::{RecordingSleeper, client_for, respond, serve};
use hf_http::Error;

/// Serves `status` with headers and body taken from the request path: `/{status}/{code}`.
async fn error_for(
    path: &str,
    status: u16,
    headers: &[(&'static str, &'static str)],
    body: &'static str,
) -> Error {
    let headers: Vec<(&'static str, &'static str)> = headers.to_vec();
    let server = serve(move |_, _| {
        let headers = headers.clone();
        async move {
            let mut all = vec![("x-request-id", "req-123")];
            all.extend(headers);
            respond(status, &all, body)
        }
    })
    .await;
    let client = client_for(&server.base(), &RecordingSleeper::default());
    client.get(server.url(path)).retry(false).await.unwrap_err()
}

fn check(err: &Error, message: &str) {
    assert_eq!(err.request_id(), Some("req-123"), "{err}");
    assert_eq!(err.server_message(), Some(message), "{err}");
    let text = err.to_string();
    assert!(text.contains("(Request ID: req-123)"), "{text}");
    assert!(text.contains(message.lines().next().unwrap()), "{text}");
}

#[tokio::test]
async fn error_codes_map_to_variants() {
    let api = "/api/models/org/name";
    let e = error_for(
        api,
        404,
        &[
            ("x-error-code", "RepoNotFound"),
            ("x-error-message", "Repository not found"),
        ],
        "",
    )
    .await;
    assert!(matches!(e, Error::RepoNotFound(_)), "{e}");
    assert!(e.is_not_found());
    check(&e, "Repository not found");

    let e = error_for(
        "/api/models/org/name/revision/nope",
        404,
        &[
            ("x-error-code", "RevisionNotFound"),
            ("x-error-message", "Invalid rev id: nope"),
        ],
        "",
    )
    .await;
    assert!(matches!(e, Error::RevisionNotFound(_)), "{e}");
    check(&e, "Invalid rev id: nope");

    let e = error_for(
        "/org/name/resolve/main/missing.txt",
        404,
        &[
            ("x-error-code", "EntryNotFound"),
            ("x-error-message", "Entry not found"),
            ("x-repo-commit", "abc"),
        ],
        r#"{"error":"Entry not found"}"#,
    )
    .await;
    assert!(matches!(e, Error::EntryNotFound(_)), "{e}");
    check(&e, "Entry not found");
    assert_eq!(
        e.server_error()
            .unwrap()
            .headers()
            .get("x-repo-commit")
            .unwrap(),
        "abc"
    );

    let e = error_for(
        api,
        403,
        &[
            ("x-error-code", "GatedRepo"),
            ("x-error-message", "Access to model org/name is restricted."),
        ],
        "",
    )
    .await;
    assert!(matches!(e, Error::GatedRepo(_)), "{e}");
    check(&e, "Access to model org/name is restricted.");

    let e = error_for(
        api,
        403,
        &[("x-error-message", "Access to this resource is disabled.")],
        "",
    )
    .await;
    assert!(matches!(e, Error::DisabledRepo(_)), "{e}");
    check(&e, "Access to this resource is disabled.");
}

#[tokio::test]
async fn statuses_map_to_variants() {
    let api = "/api/models/org/name";
    let e = error_for(api, 401, &[], r#"{"error":"Repository not found"}"#).await;
    assert!(
        matches!(e, Error::RepoNotFound(_)),
        "401 on a repo URL without code: {e}"
    );
    check(&e, "Repository not found");

    let e = error_for(
        api,
        401,
        &[(
            "x-error-message",
            "Invalid credentials in Authorization header",
        )],
        "",
    )
    .await;
    assert!(matches!(e, Error::Unauthorized(_)), "{e}");
    check(&e, "Invalid credentials in Authorization header");

    let e = error_for(
        "/api/whoami-v2",
        401,
        &[],
        r#"{"error":"Invalid user token"}"#,
    )
    .await;
    assert!(matches!(e, Error::Unauthorized(_)), "{e}");

    let e = error_for(
        api,
        400,
        &[],
        r#"{"errors":[{"message":"bad field"},{"message":"other"}]}"#,
    )
    .await;
    assert!(matches!(e, Error::BadRequest(_)), "{e}");
    check(&e, "bad field\nother");

    let e = error_for(
        "/api/repos/create",
        403,
        &[],
        r#"{"error":"You don't have the rights"}"#,
    )
    .await;
    assert!(matches!(e, Error::Forbidden(_)), "{e}");
    check(&e, "You don't have the rights");

    let e = error_for(
        "/api/repos/create",
        409,
        &[],
        r#"{"error":"You already created this model repo","url":"u"}"#,
    )
    .await;
    assert!(matches!(e, Error::Conflict(_)), "{e}");
    check(&e, "You already created this model repo");
    let body: serde_json::Value = e.server_error().unwrap().body_json().unwrap();
    assert_eq!(body["url"], "u");

    let e = error_for("/f", 416, &[("content-range", "bytes */10")], "range").await;
    assert!(matches!(e, Error::RangeNotSatisfiable(_)), "{e}");
    assert!(e.to_string().contains("bytes */10"));

    let e = error_for("/f", 429, &[("retry-after", "30")], "too many").await;
    assert!(
        matches!(e, Error::RateLimited { retry_after: Some(d), .. } if d.as_secs() == 30),
        "{e}"
    );
    check(&e, "too many");

    let e = error_for("/f", 500, &[], "internal").await;
    assert!(matches!(e, Error::Server(_)), "{e}");
    check(&e, "internal");

    let e = error_for("/f", 418, &[], "teapot").await;
    assert!(matches!(e, Error::UnexpectedStatus(_)), "{e}");
    assert_eq!(e.status().map(|s| s.as_u16()), Some(418));
}

#[tokio::test]
async fn send_raw_keeps_the_status() {
    let server =
        serve(|_, _| async { respond(404, &[("x-error-code", "EntryNotFound")], "") }).await;
    let client = client_for(&server.base(), &RecordingSleeper::default());
    let response = client
        .head(server.url("/a/b/resolve/main/x"))
        .send_raw()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(response.request_id(), None);
}
