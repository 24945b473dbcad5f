//! `hf webhooks ls|info|create|update|enable|disable|delete` (protocol §9.4).

use clap::{Args, Subcommand, ValueEnum};
use hf_community::webhooks::{
    CreateWebhook, GetWebhook, ListWebhooks, UpdateWebhook, WatchedType, WebhookAction,
    WebhookDomain, WebhookInfo, WebhookWatchedItem,
};
use hf_http::HubClient;

use crate::diagnostics::{Failure, Op, failure};
use crate::output::{print_json_of, print_lines};
use crate::repo::Format;

/// Arguments of `hf webhooks`.
#[derive(Debug, Args)]
pub struct WebhooksArgs {
    #[command(subcommand)]
    command: WebhooksCommand,
}

/// A domain on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Domain {
    /// Repo changes.
    Repo,
    /// Discussions and pull requests.
    Discussion,
}

impl From<Domain> for WebhookDomain {
    fn from(d: Domain) -> Self {
        match d {
            Domain::Repo => WebhookDomain::Repo,
            Domain::Discussion => WebhookDomain::Discussion,
        }
    }
}

#[derive(Debug, Subcommand)]
enum WebhooksCommand {
    /// List your webhooks.
    #[command(visible_alias = "list")]
    Ls {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Show one webhook.
    Info {
        /// The ID of the webhook.
        webhook_id: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
    },
    /// Create a webhook.
    Create {
        /// Item to watch, in 'type:name' format (e.g. 'model:bert-base-uncased'). Repeatable.
        #[arg(long = "watch", required = true, value_parser = parse_watch)]
        watch: Vec<WebhookWatchedItem>,
        /// URL to send webhook payloads to.
        #[arg(long)]
        url: String,
        /// Domain to watch: 'repo' or 'discussion'. Repeatable. Defaults to all domains.
        #[arg(long = "domain", value_enum)]
        domain: Vec<Domain>,
        /// Optional secret sent with each payload (X-Webhook-Secret).
        #[arg(long)]
        secret: Option<crate::args::SecretArg>,
    },
    /// Change a webhook (options left out keep their values).
    Update {
        /// The ID of the webhook to update.
        webhook_id: String,
        /// New URL to send webhook payloads to.
        #[arg(long)]
        url: Option<String>,
        /// New items to watch ('type:name'). Repeatable; replaces the old list.
        #[arg(long = "watch", value_parser = parse_watch)]
        watch: Vec<WebhookWatchedItem>,
        /// New domains. Repeatable.
        #[arg(long = "domain", value_enum)]
        domain: Vec<Domain>,
        /// New secret.
        #[arg(long)]
        secret: Option<crate::args::SecretArg>,
    },
    /// Enable a disabled webhook.
    Enable {
        /// The ID of the webhook to enable.
        webhook_id: String,
    },
    /// Disable a webhook: it receives nothing until enabled.
    Disable {
        /// The ID of the webhook to disable.
        webhook_id: String,
    },
    /// Delete a webhook.
    Delete {
        /// The ID of the webhook to delete.
        webhook_id: String,
        /// Confirm the deletion (required: there is no prompt).
        #[arg(short = 'y', long)]
        yes: bool,
    },
}

/// `model:alice/tiny` → a watched item.
fn parse_watch(s: &str) -> Result<WebhookWatchedItem, String> {
    let (kind, name) = s
        .split_once(':')
        .filter(|(_, n)| !n.is_empty())
        .ok_or_else(|| format!("expected TYPE:NAME, got {s:?}"))?;
    let kind = match kind {
        "user" => WatchedType::User,
        "org" => WatchedType::Org,
        "model" => WatchedType::Model,
        "dataset" => WatchedType::Dataset,
        "space" => WatchedType::Space,
        other => {
            return Err(format!(
                "unknown type {other:?}: expected user, org, model, dataset or space"
            ));
        }
    };
    Ok(WebhookWatchedItem::new(kind, name))
}

const OP: Op<'static> = Op::Community {
    noun: "webhook",
    list: "hf webhooks ls",
};

fn line(h: &WebhookInfo) -> String {
    let watched: Vec<String> = h
        .watched
        .iter()
        .map(|w| {
            let kind = serde_json::to_value(w.item_type)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            format!("{kind}:{}", w.name)
        })
        .collect();
    format!(
        "{}  {}  {}  {}",
        h.id,
        if h.disabled { "disabled" } else { "enabled " },
        h.url.as_deref().unwrap_or("-"),
        watched.join(",")
    )
}

/// Runs `hf webhooks ...`.
pub async fn run(client: HubClient, args: WebhooksArgs) -> Result<(), Failure> {
    let fail = |what: &str, e: &hf_http::Error| failure(what, OP, None, e);
    let (verb, hook) = match args.command {
        WebhooksCommand::Ls { format } => {
            let hooks = ListWebhooks::new(client)
                .await
                .map_err(|e| fail("cannot list webhooks", &e))?;
            return match format {
                Format::Json => print_json_of(&hooks),
                Format::Table => print_lines(hooks.iter().map(line)),
            };
        }
        WebhooksCommand::Info { webhook_id, format } => {
            let hook = GetWebhook::new(client, &webhook_id)
                .await
                .map_err(|e| fail(&format!("cannot read the webhook {webhook_id}"), &e))?;
            return match format {
                Format::Json => print_json_of(&hook),
                Format::Table => print_lines([line(&hook)]),
            };
        }
        WebhooksCommand::Create {
            watch,
            url,
            domain,
            secret,
        } => {
            let mut request = CreateWebhook::new(client, url, watch);
            if !domain.is_empty() {
                request = request.domains(domain.into_iter().map(Into::into).collect());
            }
            if let Some(secret) = secret {
                request = request.secret(secret.expose());
            }
            let hook = request
                .await
                .map_err(|e| fail("cannot create the webhook", &e))?;
            ("created", Some(hook))
        }
        WebhooksCommand::Update {
            webhook_id,
            url,
            watch,
            domain,
            secret,
        } => {
            let mut request = UpdateWebhook::new(client, &webhook_id).watched(watch);
            if let Some(url) = url {
                request = request.url(url);
            }
            if !domain.is_empty() {
                request = request.domains(domain.into_iter().map(Into::into).collect());
            }
            if let Some(secret) = secret {
                request = request.secret(secret.expose());
            }
            let hook = request
                .await
                .map_err(|e| fail(&format!("cannot update the webhook {webhook_id}"), &e))?;
            ("updated", Some(hook))
        }
        WebhooksCommand::Enable { webhook_id } => {
            let hook = WebhookAction::enable(client, &webhook_id)
                .await
                .map_err(|e| fail(&format!("cannot enable the webhook {webhook_id}"), &e))?;
            ("enabled", hook)
        }
        WebhooksCommand::Disable { webhook_id } => {
            let hook = WebhookAction::disable(client, &webhook_id)
                .await
                .map_err(|e| fail(&format!("cannot disable the webhook {webhook_id}"), &e))?;
            ("disabled", hook)
        }
        WebhooksCommand::Delete { webhook_id, yes } => {
            if !yes {
                return Err(
                    Failure::msg(format!("not deleting the webhook {webhook_id}"))
                        .hint("pass --yes to confirm the deletion"),
                );
            }
            WebhookAction::delete(client, &webhook_id)
                .await
                .map_err(|e| fail(&format!("cannot delete the webhook {webhook_id}"), &e))?;
            return print_lines([format!("Webhook {webhook_id} deleted")]);
        }
    };
    match hook {
        Some(hook) => print_lines([format!("Webhook {verb}: {}", hook.id)]),
        None => Ok(()),
    }
}
