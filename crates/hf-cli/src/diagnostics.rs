//! The one place that turns an error into what the user reads (as uv's `diagnostics`):
//! `error:` with the context, one `caused by:` per distinct source, and a `hint:` chosen by
//! matching on the error and on what the command was doing ([`Op`]).

use std::error::Error as StdError;
use std::io::{self, Write};
use std::process::ExitCode;

use hf_http::Error as Http;
use hf_http::ErrorKind;
use hf_types::{RepoPath, Revision};

use crate::args::RepoTarget;

/// Why a command failed: what to print, and the exit code.
#[derive(Debug)]
pub struct Failure {
    message: String,
    causes: Vec<String>,
    hint: Option<String>,
    /// stdout was closed by the reader: not an error (exit 0, print nothing).
    quiet_success: bool,
}

impl Failure {
    /// A failure with only a message.
    pub fn msg(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            causes: Vec::new(),
            hint: None,
            quiet_success: false,
        }
    }

    /// `context` failed because of `error` (and its sources).
    pub fn from_error(context: &str, error: &(dyn StdError + 'static)) -> Self {
        let mut failure = Failure::msg(format!("{context}: {error}"));
        let mut source = error.source();
        while let Some(cause) = source {
            let text = cause.to_string();
            // Wrappers often repeat their source's text: print each reason once.
            if !failure.message.contains(&text) && !failure.causes.contains(&text) {
                failure.causes.push(text);
            }
            source = cause.source();
        }
        failure
    }

    /// Adds advice on what to do next.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    fn maybe_hint(mut self, hint: Option<String>) -> Self {
        self.hint = hint;
        self
    }
}

impl From<io::Error> for Failure {
    fn from(error: io::Error) -> Self {
        if error.kind() == io::ErrorKind::BrokenPipe {
            let mut failure = Failure::msg("");
            failure.quiet_success = true;
            return failure;
        }
        Failure::from_error("cannot write the output", &error)
    }
}

/// Prints a failure to stderr and returns its exit code.
pub fn report(failure: &Failure) -> ExitCode {
    if failure.quiet_success {
        return ExitCode::SUCCESS;
    }
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "error: {}", failure.message);
    for cause in &failure.causes {
        let _ = writeln!(err, "caused by: {cause}");
    }
    if let Some(hint) = &failure.hint {
        let _ = writeln!(err, "hint: {hint}");
    }
    ExitCode::FAILURE
}

/// What the command was doing when the error happened (it picks the hint).
#[derive(Debug, Clone, Copy)]
pub enum Op<'a> {
    /// `hf download`.
    Download,
    /// `hf upload`.
    Upload,
    /// `hf whoami`.
    WhoAmI,
    /// `hf repo create`.
    CreateRepo,
    /// `hf repo delete`.
    DeleteRepo,
    /// `hf repo move` to this id.
    MoveRepo { to: &'a hf_types::RepoId },
    /// Any other request on a repo (settings, listings).
    Other,
    /// `hf tag create`.
    CreateTag {
        tag: &'a Revision,
        revision: Option<&'a Revision>,
    },
    /// `hf tag delete`.
    DeleteTag,
    /// `hf branch create`.
    CreateBranch {
        branch: &'a Revision,
        revision: Option<&'a Revision>,
    },
    /// `hf branch delete`.
    DeleteBranch,
    /// `hf discussions ...` (issue 10).
    Discussion,
    /// `hf ls` of this folder.
    ListFiles { path: Option<&'a RepoPath> },
    /// `hf spaces wait` (Spaces, issue 12).
    WaitSpace,
    /// `hf repo duplicate` (Spaces, issue 12).
    DuplicateRepo,
    /// `hf endpoints ...` on this endpoint (`None` for listings) (issue 13).
    Endpoint { name: Option<&'a str> },
    /// `hf collections|webhooks|papers ...` on a `noun`; `list` is the command listing them
    /// (issue 11).
    Community { noun: &'a str, list: &'a str },
}

/// `context` failed with `error` while doing `op` on `repo`: the error's chain and its hint.
pub fn failure(context: &str, op: Op<'_>, repo: Option<&RepoTarget>, error: &Http) -> Failure {
    Failure::from_error(context, error).maybe_hint(hint(op, repo, error))
}

fn hint(op: Op<'_>, repo: Option<&RepoTarget>, error: &Http) -> Option<String> {
    let repo_type = repo.map(|r| r.repo_type).unwrap_or_default();
    let repo_id = repo.map_or("REPO_ID", |r| r.repo_id.as_str());
    let revision_not_found = |revision: Option<&Revision>| {
        format!(
            "revision {} not found: `hf branch list {repo_id}` and `hf tag list {repo_id}` show what exists",
            revision.map_or("main", Revision::as_str)
        )
    };
    // Every layer fails with the one error type: match its HTTP variants directly.
    let http = Some(error);
    let text = match (op, http) {
        // Commands whose advice differs from the general one below.
        (Op::Download, Some(Http::RepoNotFound(_))) => format!(
            "check the repo id and --repo-type ({repo_type}); a private or gated repo needs a token (--token or HF_TOKEN)"
        ),
        (Op::Download, Some(Http::RevisionNotFound(_))) => {
            "list the branches and tags of the repo to find the right --revision".to_owned()
        }
        (Op::Download, _)
            if matches!(
                error.kind(),
                ErrorKind::LocalEntryNotFound | ErrorKind::IncompleteSnapshot
            ) =>
        {
            "connect to the Hub (unset HF_HUB_OFFLINE) to fetch what the cache lacks".to_owned()
        }
        (Op::Upload, Some(Http::Unauthorized(_))) => {
            "uploading needs a write token: pass --token or set HF_TOKEN".to_owned()
        }
        (Op::Upload, Some(Http::Forbidden(_))) => {
            "the token cannot write to this repo: use a write token of a member, or --create-pr".to_owned()
        }
        (Op::Upload, Some(Http::RepoNotFound(_))) => {
            format!("check the repo id and --repo-type ({repo_type})")
        }
        (Op::WhoAmI, Some(Http::Unauthorized(_))) => {
            "the token is invalid or expired: create a new one and set HF_TOKEN".to_owned()
        }
        (Op::Download, Some(Http::GatedRepo(_))) => {
            "the repo is gated: ask for access on its page and download again once it is accepted".to_owned()
        }
        (Op::Download | Op::Upload | Op::WhoAmI, _) => return None,
        (Op::Discussion, Some(Http::EntryNotFound(_))) => format!(
            "no such discussion: `hf discussions list {repo_id} --status all` shows the numbers"
        ),
        (Op::Discussion, Some(Http::Forbidden(_))) => {
            "only the author or a maintainer of the repo can do this (merging and hiding comments: maintainers only)".to_owned()
        }
        (Op::CreateRepo, Some(Http::Conflict(_))) => {
            "the repo already exists: pass --exist-ok to accept it".to_owned()
        }
        (Op::DeleteRepo, Some(Http::RepoNotFound(_))) => format!(
            "check the repo id and --repo-type ({repo_type}); pass --missing-ok to accept a missing repo"
        ),
        (Op::MoveRepo { to }, Some(Http::Conflict(_))) => {
            format!("{to} already exists: choose another name")
        }
        (Op::CreateTag { tag, .. }, Some(Http::Conflict(_))) => format!(
            "the tag {tag} already exists: pass --exist-ok to accept it, or delete it first"
        ),
        (Op::CreateBranch { branch, .. }, Some(Http::Conflict(_))) => {
            format!("the branch {branch} already exists: pass --exist-ok to accept it")
        }
        (
            Op::CreateTag { revision, .. } | Op::CreateBranch { revision, .. },
            Some(Http::RevisionNotFound(_)),
        ) => revision_not_found(revision),
        (Op::DeleteTag, Some(Http::RevisionNotFound(_))) => {
            format!("`hf tag list {repo_id}` shows the tags")
        }
        (Op::DeleteBranch, Some(Http::RevisionNotFound(_))) => {
            format!("`hf branch list {repo_id}` shows the branches")
        }
        (Op::ListFiles { .. }, Some(Http::RevisionNotFound(_))) => {
            format!("`hf branch list {repo_id}` and `hf tag list {repo_id}` show the revisions")
        }
        (Op::ListFiles { path }, Some(Http::EntryNotFound(_))) => format!(
            "{} is not a folder of the repo at this revision: `hf ls {repo_id}` lists the root",
            path.map_or("the path", RepoPath::as_str)
        ),
        // Spaces (issue 12).
        (Op::WaitSpace, _) if error.kind() == ErrorKind::SpaceNotReady => match error {
            Http::SpaceNotReady {
                timed_out: true, ..
            } => format!(
                "the Space is still building or starting: wait longer with --timeout, or check `hf spaces info {repo_id}`"
            ),
            _ => format!(
                "`hf spaces info {repo_id}` shows the stage and its error; `hf spaces restart {repo_id}` restarts it"
            ),
        },
        (Op::DuplicateRepo, Some(Http::Conflict(_))) => {
            "the target already exists: pass --exist-ok to accept it, or give another TO_ID".to_owned()
        }
        // Inference Endpoints (issue 13).
        (Op::Endpoint { name }, _) => return endpoint_hint(name.unwrap_or("NAME"), error),
        // Collections, webhooks, papers (issue 11).
        (Op::Community { noun, .. }, Some(Http::Conflict(_))) => {
            format!("the {noun} already exists: pass --exists-ok to accept it")
        }
        (Op::Community { noun, list }, _)
            if error.status() == Some(hf_http::StatusCode::NOT_FOUND) =>
        {
            format!(
                "no such {noun}, or it is private and the token cannot see it: `{list}` shows what exists (--missing-ok accepts a missing one where offered)"
            )
        }
        // The general advice for requests on a repo.
        (_, Some(Http::RepoNotFound(_))) => format!(
            "check the repo id and --repo-type ({repo_type}); a private repo needs a token (--token or HF_TOKEN)"
        ),
        (_, Some(Http::Unauthorized(_))) => {
            "the token is missing, invalid or expired: pass --token or set HF_TOKEN (writing needs a write token)".to_owned()
        }
        (_, Some(Http::Forbidden(_))) => {
            "the token cannot do this here: use a write token of the owner or of a member of the organization".to_owned()
        }
        _ => return None,
    };
    Some(text)
}

/// The advice for `hf endpoints ...` (issue 13).
fn endpoint_hint(name: &str, error: &Http) -> Option<String> {
    let status = error.server_error().map(|e| e.status().as_u16());
    let text = match error {
        Http::InferenceEndpointFailed { .. } => format!(
            "check that the repository exists and is visible to the token, then `hf endpoints update {name} --repo ...`"
        ),
        Http::InferenceEndpointTimeout { .. } => format!(
            "the endpoint is still starting: `hf endpoints describe {name}` shows its status"
        ),
        Http::MissingToken { .. } => {
            "Inference Endpoints need a token: pass --token or set HF_TOKEN".to_owned()
        }
        Http::Unauthorized(_) => {
            "the token is missing, invalid or expired: pass --token or set HF_TOKEN".to_owned()
        }
        Http::Forbidden(_) => "only members of the namespace see its endpoints, and changes need a write token: check --namespace and the token".to_owned(),
        Http::Conflict(_) => format!("an endpoint named {name} already exists: choose another name"),
        _ if status == Some(404) => {
            "no such endpoint: `hf endpoints ls` (with --namespace for an organization) lists them"
                .to_owned()
        }
        Http::BadRequest(_) => format!(
            "the Endpoints API refused the request (see the cause); `hf endpoints describe {name}` shows the current spec"
        ),
        _ => return None,
    };
    Some(text)
}
