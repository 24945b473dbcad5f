//! `hf discussions list|info|create|comment|edit|close|reopen|rename|merge|diff`: discussions
//! and pull requests of a repo, with the names and flags of the Python `hf` CLI.

use std::io::Read;
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use futures_util::TryStreamExt;
use hf_community::discussions::{
    ChangeDiscussionStatus, CommentDiscussion, CreateDiscussion, DiscussionStatusFilter,
    DiscussionType, EditDiscussionComment, GetDiscussionDetails, GetRepoDiscussions,
    MergePullRequest, NewDiscussionStatus, RenameDiscussion,
};
use hf_community::prelude::*;
use hf_http::{Error, HubClient};
use hf_types::{Discussion, DiscussionEvent, DiscussionWithDetails};

use crate::args::RepoTarget;
use crate::diagnostics::{Failure, Op, failure};
use crate::output::{print_json_of, print_lines};
use crate::refs::confirm;
use crate::repo::Format;

/// `hf discussions ...`.
#[derive(Debug, Args)]
pub struct DiscussionsArgs {
    #[command(subcommand)]
    command: DiscussionsCommand,
}

/// `--status` of `hf discussions list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum StatusArg {
    Open,
    Closed,
    Merged,
    Draft,
    All,
}

/// `--kind` of `hf discussions list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum KindArg {
    All,
    Discussion,
    #[value(name = "pull_request")]
    PullRequest,
}

/// `--body` / `--body-file` of the commands that post text.
#[derive(Debug, Clone, Args)]
struct BodyArgs {
    /// The text (supports Markdown).
    #[arg(long)]
    body: Option<String>,
    /// Read the text from a file. Use '-' for stdin.
    #[arg(long, conflicts_with = "body")]
    body_file: Option<PathBuf>,
}

impl BodyArgs {
    fn read(&self) -> Result<Option<String>, Failure> {
        match (&self.body, &self.body_file) {
            (Some(body), _) => Ok(Some(body.clone())),
            (None, Some(path)) if path.as_os_str() == "-" => {
                let mut text = String::new();
                std::io::stdin()
                    .read_to_string(&mut text)
                    .map_err(|e| Failure::from_error("cannot read the text from stdin", &e))?;
                Ok(Some(text))
            }
            (None, Some(path)) => std::fs::read_to_string(path)
                .map(Some)
                .map_err(|e| Failure::from_error(&format!("cannot read {}", path.display()), &e)),
            (None, None) => Ok(None),
        }
    }

    fn required(&self) -> Result<String, Failure> {
        self.read()?.ok_or_else(|| {
            Failure::from_error(
                "no text given",
                &Error::InvalidArgument("either --body or --body-file is required".into()),
            )
        })
    }
}

#[derive(Debug, Subcommand)]
enum DiscussionsCommand {
    /// List discussions and pull requests on a repo.
    #[command(visible_alias = "ls")]
    List {
        #[command(flatten)]
        repo: RepoTarget,
        /// Filter by status (open, closed, merged, draft, all).
        #[arg(short = 's', long, value_enum, default_value_t = StatusArg::Open)]
        status: StatusArg,
        /// Filter by kind (discussion, pull_request, all).
        #[arg(short = 'k', long, value_enum, default_value_t = KindArg::All)]
        kind: KindArg,
        /// Only those opened by this user.
        #[arg(long)]
        author: Option<String>,
        /// Show at most this many.
        #[arg(long, default_value_t = 30)]
        limit: usize,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Get info about a discussion or pull request.
    Info {
        #[command(flatten)]
        repo: RepoTarget,
        /// The discussion or pull request number.
        #[arg(value_parser = clap::value_parser!(u64).range(1..))]
        num: u64,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Create a new discussion or pull request on a repo.
    Create {
        #[command(flatten)]
        repo: RepoTarget,
        /// The title of the discussion or pull request.
        #[arg(long)]
        title: String,
        #[command(flatten)]
        body: BodyArgs,
        /// Create a pull request instead of a discussion.
        #[arg(long, visible_alias = "pr")]
        pull_request: bool,
    },
    /// Comment on a discussion or pull request.
    Comment {
        #[command(flatten)]
        repo: RepoTarget,
        /// The discussion or pull request number.
        #[arg(value_parser = clap::value_parser!(u64).range(1..))]
        num: u64,
        #[command(flatten)]
        body: BodyArgs,
    },
    /// Edit an existing comment on a discussion or pull request.
    Edit {
        #[command(flatten)]
        repo: RepoTarget,
        /// The discussion or pull request number.
        #[arg(value_parser = clap::value_parser!(u64).range(1..))]
        num: u64,
        /// The ID of the comment to edit (see 'hf discussions info ... --format json').
        comment_id: String,
        #[command(flatten)]
        body: BodyArgs,
    },
    /// Close a discussion or pull request.
    Close {
        #[command(flatten)]
        repo: RepoTarget,
        /// The discussion or pull request number.
        #[arg(value_parser = clap::value_parser!(u64).range(1..))]
        num: u64,
        /// An optional comment to post when closing.
        #[arg(long)]
        comment: Option<String>,
        /// Skip confirmation prompt.
        #[arg(short = 'y', long)]
        yes: bool,
    },
    /// Reopen a closed discussion or pull request.
    Reopen {
        #[command(flatten)]
        repo: RepoTarget,
        /// The discussion or pull request number.
        #[arg(value_parser = clap::value_parser!(u64).range(1..))]
        num: u64,
        /// An optional comment to post when reopening.
        #[arg(long)]
        comment: Option<String>,
        /// Skip confirmation prompt.
        #[arg(short = 'y', long)]
        yes: bool,
    },
    /// Rename a discussion or pull request.
    Rename {
        #[command(flatten)]
        repo: RepoTarget,
        /// The discussion or pull request number.
        #[arg(value_parser = clap::value_parser!(u64).range(1..))]
        num: u64,
        /// The new title.
        new_title: String,
    },
    /// Merge a pull request.
    Merge {
        #[command(flatten)]
        repo: RepoTarget,
        /// The pull request number.
        #[arg(value_parser = clap::value_parser!(u64).range(1..))]
        num: u64,
        /// An optional comment to post when merging.
        #[arg(long)]
        comment: Option<String>,
        /// Skip confirmation prompt.
        #[arg(short = 'y', long)]
        yes: bool,
    },
    /// Show the diff of a pull request.
    Diff {
        #[command(flatten)]
        repo: RepoTarget,
        /// The pull request number.
        #[arg(value_parser = clap::value_parser!(u64).range(1..))]
        num: u64,
    },
}

/// Asks `question` unless `yes`; `Ok(false)` when the user declines.
async fn confirmed(question: String, yes: bool) -> Result<bool, Failure> {
    if yes {
        return Ok(true);
    }
    let answer = tokio::task::spawn_blocking(move || confirm(&question))
        .await
        .map_err(|e| Failure::from_error("cannot ask for confirmation", &e))??;
    match answer {
        Some(answer) => Ok(answer),
        None => Err(Failure::from_error(
            "no answer to the confirmation",
            &Error::InvalidArgument("pass --yes to skip the confirmation".into()),
        )),
    }
}

fn print_list(items: &[Discussion], format: Format) -> Result<(), Failure> {
    match format {
        Format::Json => print_json_of(items),
        Format::Table if items.is_empty() => print_lines(["No discussions found".to_owned()]),
        Format::Table => {
            let rows: Vec<[String; 6]> = items
                .iter()
                .map(|d| {
                    [
                        format!("#{}", d.num),
                        d.title.clone(),
                        if d.is_pull_request {
                            "PR"
                        } else {
                            "discussion"
                        }
                        .to_owned(),
                        d.status.to_string(),
                        d.author_name().to_owned(),
                        hf_types::timestamp::format(d.created_at),
                    ]
                })
                .collect();
            let headers = ["NUM", "TITLE", "KIND", "STATUS", "AUTHOR", "CREATED"];
            let mut widths = headers.map(str::len);
            for row in &rows {
                for (w, cell) in widths.iter_mut().zip(row) {
                    *w = (*w).max(cell.chars().count());
                }
            }
            let line = |cells: Vec<&str>| {
                cells
                    .iter()
                    .zip(widths)
                    .map(|(c, w)| format!("{c:<w$}"))
                    .collect::<Vec<_>>()
                    .join("  ")
                    .trim_end()
                    .to_owned()
            };
            let mut lines = vec![line(headers.to_vec())];
            lines.extend(
                rows.iter()
                    .map(|r| line(r.iter().map(String::as_str).collect())),
            );
            print_lines(lines)
        }
    }
}

fn print_details(d: &DiscussionWithDetails, format: Format) -> Result<(), Failure> {
    if format == Format::Json {
        return print_json_of(d);
    }
    let head = &d.discussion;
    let mut lines = vec![
        format!(
            "#{} {} ({}{})",
            head.num,
            head.title,
            if head.is_pull_request {
                "pull request, "
            } else {
                ""
            },
            head.status
        ),
        format!(
            "by {} on {}",
            head.author_name(),
            hf_types::timestamp::format(head.created_at)
        ),
    ];
    if let Some(target) = d.target_branch() {
        lines.push(format!(
            "into {target} from {}",
            head.git_reference().unwrap_or_default()
        ));
    }
    if let Some(merge) = d.merge_commit_oid() {
        lines.push(format!("merged as {merge}"));
    }
    if !d.conflicting_files().is_empty() {
        lines.push(format!("conflicts: {}", d.conflicting_files().join(", ")));
    }
    for event in &d.events {
        let info = event.info();
        let what = match event {
            DiscussionEvent::Comment(c) if c.hidden => "comment (hidden)".to_owned(),
            DiscussionEvent::Comment(c) => format!("comment {}: {}", info.id, c.content),
            DiscussionEvent::StatusChange(s) => format!("status -> {}", s.new_status),
            DiscussionEvent::TitleChange(t) => {
                format!("title {:?} -> {:?}", t.old_title, t.new_title)
            }
            DiscussionEvent::Commit(c) => format!("commit {} {}", c.oid, c.summary),
            other => format!("{} event", other.info().event_type),
        };
        lines.push(format!(
            "  {} {}: {what}",
            hf_types::timestamp::format(info.created_at),
            info.author_name()
        ));
    }
    print_lines(lines)
}

/// Runs `hf discussions ...`.
#[allow(clippy::too_many_lines)]
pub async fn run(client: HubClient, args: DiscussionsArgs) -> Result<(), Failure> {
    let fail = |what: String, repo: &RepoTarget| {
        let repo = repo.clone();
        move |e: Error| failure(&what, Op::Discussion, Some(&repo), &e)
    };
    match args.command {
        DiscussionsCommand::List {
            repo,
            status,
            kind,
            author,
            limit,
            format,
        } => {
            let mut request =
                GetRepoDiscussions::new(client, repo.repo_id.clone()).repo_type(repo.repo_type);
            // merged/draft are filtered here: the Hub's filter knows only all/open/closed.
            request = match status {
                StatusArg::Open => request.discussion_status(DiscussionStatusFilter::Open),
                StatusArg::Closed => request.discussion_status(DiscussionStatusFilter::Closed),
                _ => request,
            };
            request = match kind {
                KindArg::All => request,
                KindArg::Discussion => request.discussion_type(DiscussionType::Discussion),
                KindArg::PullRequest => request.discussion_type(DiscussionType::PullRequest),
            };
            if let Some(author) = author {
                request = request.author(author);
            }
            let wanted = match status {
                StatusArg::Merged => Some("merged"),
                StatusArg::Draft => Some("draft"),
                _ => None,
            };
            let mut stream = std::pin::pin!(request.into_stream());
            let mut items = Vec::new();
            let on_error = fail(
                format!("cannot list the discussions of {}", repo.repo_id),
                &repo,
            );
            while items.len() < limit
                && let Some(d) = stream.try_next().await.map_err(&on_error)?
            {
                if wanted.is_none_or(|w| d.status.as_str() == w) {
                    items.push(d);
                }
            }
            print_list(&items, format)
        }
        DiscussionsCommand::Info { repo, num, format } => {
            let details = GetDiscussionDetails::new(client, repo.repo_id.clone(), num)
                .repo_type(repo.repo_type)
                .await
                .map_err(fail(
                    format!("cannot read #{num} of {}", repo.repo_id),
                    &repo,
                ))?;
            print_details(&details, format)
        }
        DiscussionsCommand::Create {
            repo,
            title,
            body,
            pull_request,
        } => {
            let mut request = CreateDiscussion::new(client.clone(), repo.repo_id.clone(), title)
                .repo_type(repo.repo_type)
                .pull_request(pull_request);
            if let Some(text) = body.read()? {
                request = request.description(text);
            }
            let created = request.await.map_err(fail(
                format!("cannot open a discussion on {}", repo.repo_id),
                &repo,
            ))?;
            let d = &created.discussion;
            let kind = if pull_request {
                "pull request"
            } else {
                "discussion"
            };
            let mut lines = vec![format!("Created {kind} #{} on {}", d.num, repo.repo_id)];
            lines.push(d.url(client.endpoint_base()));
            if let Some(reference) = d.git_reference() {
                lines.push(format!("Commit to it with --revision {reference}"));
            }
            print_lines(lines)
        }
        DiscussionsCommand::Comment { repo, num, body } => {
            let text = body.required()?;
            CommentDiscussion::new(client, repo.repo_id.clone(), num, text)
                .repo_type(repo.repo_type)
                .await
                .map_err(fail(
                    format!("cannot comment on #{num} of {}", repo.repo_id),
                    &repo,
                ))?;
            print_lines([format!("Commented on #{num} in {}", repo.repo_id)])
        }
        DiscussionsCommand::Edit {
            repo,
            num,
            comment_id,
            body,
        } => {
            let text = body.required()?;
            EditDiscussionComment::new(client, repo.repo_id.clone(), num, comment_id.clone(), text)
                .repo_type(repo.repo_type)
                .await
                .map_err(fail(
                    format!(
                        "cannot edit comment {comment_id} of #{num} in {}",
                        repo.repo_id
                    ),
                    &repo,
                ))?;
            print_lines([format!(
                "Edited comment {comment_id} on #{num} in {}",
                repo.repo_id
            )])
        }
        DiscussionsCommand::Close {
            repo,
            num,
            comment,
            yes,
        } => set_status(client, repo, num, comment, yes, NewDiscussionStatus::Closed).await,
        DiscussionsCommand::Reopen {
            repo,
            num,
            comment,
            yes,
        } => set_status(client, repo, num, comment, yes, NewDiscussionStatus::Open).await,
        DiscussionsCommand::Rename {
            repo,
            num,
            new_title,
        } => {
            RenameDiscussion::new(client, repo.repo_id.clone(), num, new_title.clone())
                .repo_type(repo.repo_type)
                .await
                .map_err(fail(
                    format!("cannot rename #{num} of {}", repo.repo_id),
                    &repo,
                ))?;
            print_lines([format!(
                "Renamed #{num} in {} to {new_title:?}",
                repo.repo_id
            )])
        }
        DiscussionsCommand::Merge {
            repo,
            num,
            comment,
            yes,
        } => {
            if !confirmed(format!("Merge #{num} on '{}'?", repo.repo_id), yes).await? {
                return print_lines(["Not merged".to_owned()]);
            }
            let mut request =
                MergePullRequest::new(client, repo.repo_id.clone(), num).repo_type(repo.repo_type);
            if let Some(comment) = comment {
                request = request.comment(comment);
            }
            request.await.map_err(fail(
                format!("cannot merge #{num} of {}", repo.repo_id),
                &repo,
            ))?;
            print_lines([format!("Merged #{num} in {}", repo.repo_id)])
        }
        DiscussionsCommand::Diff { repo, num } => {
            let details = GetDiscussionDetails::new(client, repo.repo_id.clone(), num)
                .repo_type(repo.repo_type)
                .await
                .map_err(fail(
                    format!("cannot read #{num} of {}", repo.repo_id),
                    &repo,
                ))?;
            match details.diff.filter(|d| !d.is_empty()) {
                Some(diff) => print_lines(diff.lines().map(str::to_owned)),
                None => print_lines(["No diff available.".to_owned()]),
            }
        }
    }
}

/// `hf discussions close|reopen`.
async fn set_status(
    client: HubClient,
    repo: RepoTarget,
    num: u64,
    comment: Option<String>,
    yes: bool,
    status: NewDiscussionStatus,
) -> Result<(), Failure> {
    let (verb, done) = match status {
        NewDiscussionStatus::Open => ("Reopen", "Reopened"),
        NewDiscussionStatus::Closed => ("Close", "Closed"),
    };
    if !confirmed(format!("{verb} #{num} on '{}'?", repo.repo_id), yes).await? {
        return print_lines([format!("Not changed: #{num}")]);
    }
    let mut request = ChangeDiscussionStatus::new(client, repo.repo_id.clone(), num, status)
        .repo_type(repo.repo_type);
    if let Some(comment) = comment {
        request = request.comment(comment);
    }
    request.await.map_err(|e| {
        failure(
            &format!("cannot change the status of #{num} of {}", repo.repo_id),
            Op::Discussion,
            Some(&repo),
            &e,
        )
    })?;
    print_lines([format!("{done} #{num} in {}", repo.repo_id)])
}
