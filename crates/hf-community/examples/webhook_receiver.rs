//! A Rust service receiving Hub webhooks with axum: it checks `X-Webhook-Secret` in constant
//! time, reads the typed payload and prints what happened.
//!
//! ```text
//! WEBHOOK_SECRET=my-secret cargo run -p hf-community --example webhook_receiver -- 127.0.0.1:8000
//! ```
//!
//! Then create a webhook pointing at `http://127.0.0.1:8000/webhook` with the same secret
//! (`hf webhooks create --url ... --watch model:alice/tiny --secret my-secret`).

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use hf_community::webhooks::{WebhookPayload, verify_webhook_secret};

async fn receive(
    State(secret): State<std::sync::Arc<str>>,
    headers: HeaderMap,
    Json(payload): Json<WebhookPayload>,
) -> StatusCode {
    if !verify_webhook_secret(&headers, &secret) {
        return StatusCode::UNAUTHORIZED;
    }
    let refs = payload
        .updated_refs
        .iter()
        .flatten()
        .map(|r| {
            format!(
                "{} -> {}",
                r.name,
                r.new_sha.as_deref().unwrap_or("(deleted)")
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    eprintln!(
        "{} {} on {} {refs}",
        payload.event.action, payload.event.scope, payload.repo.name
    );
    StatusCode::OK
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8000".into());
    let secret: std::sync::Arc<str> = std::env::var("WEBHOOK_SECRET")
        .map_err(|_| "set WEBHOOK_SECRET to the webhook's secret")?
        .into();
    let app = Router::new()
        .route("/webhook", post(receive))
        .with_state(secret);
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    eprintln!("listening on http://{addr}/webhook");
    axum::serve(listener, app).await?;
    Ok(())
}
