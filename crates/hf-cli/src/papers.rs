//! `hf papers ls|search|info`: paper search and details (protocol §9.7).

use clap::{Args, Subcommand};
use hf_community::papers::{GetPaperInfo, ListPapers, PaperInfo};
use hf_http::HubClient;

use crate::diagnostics::{Failure, Op, failure};
use crate::output::{print_json_of, print_lines};
use crate::repo::Format;

/// Arguments of `hf papers`.
#[derive(Debug, Args)]
pub struct PapersArgs {
    #[command(subcommand)]
    command: PapersCommand,
}

#[derive(Debug, Subcommand)]
enum PapersCommand {
    /// List papers (the Hub's selection; this client has no daily-papers filters).
    #[command(visible_alias = "list")]
    Ls {
        /// At most this many papers.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Search papers by title and abstract.
    Search {
        /// Search query string.
        query: String,
        /// At most this many papers.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Show one paper.
    Info {
        /// The arXiv paper ID (e.g. '2502.08025').
        paper_id: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

const OP: Op<'static> = Op::Community {
    noun: "paper",
    list: "hf papers search QUERY",
};

fn table(papers: &[PaperInfo]) -> Result<(), Failure> {
    print_lines(papers.iter().map(|p| {
        format!(
            "{:<12} {:>5}  {}",
            p.id,
            p.upvotes.unwrap_or(0),
            p.title.as_deref().unwrap_or("")
        )
    }))
}

/// Runs `hf papers ...`.
pub async fn run(client: HubClient, args: PapersArgs) -> Result<(), Failure> {
    let (query, limit, format) = match args.command {
        PapersCommand::Info { paper_id, format } => {
            let paper = GetPaperInfo::new(client, &paper_id)
                .await
                .map_err(|e| failure(&format!("cannot read the paper {paper_id}"), OP, None, &e))?;
            if format == Format::Json {
                return print_json_of(&paper);
            }
            let authors = paper.authors.clone().unwrap_or_default().join(", ");
            return print_lines([
                format!("id: {}", paper.id),
                format!("title: {}", paper.title.as_deref().unwrap_or("")),
                format!("authors: {authors}"),
                format!("upvotes: {}", paper.upvotes.unwrap_or(0)),
                format!("summary: {}", paper.summary.as_deref().unwrap_or("")),
            ]);
        }
        PapersCommand::Ls { limit, format } => (String::new(), limit, format),
        PapersCommand::Search {
            query,
            limit,
            format,
        } => (query, limit, format),
    };
    let mut papers = ListPapers::new(client)
        .query(query)
        .await
        .map_err(|e| failure("cannot search papers", OP, None, &e))?;
    papers.truncate(limit);
    match format {
        Format::Json => print_json_of(&papers),
        Format::Table => table(&papers),
    }
}
