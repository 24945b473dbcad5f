//! `hf cache scan|delete|prune`: the shared cache, as `huggingface-cli scan-cache` shows it.

use std::path::PathBuf;
use std::time::{Instant, SystemTime};

use clap::{Args, Subcommand, ValueEnum};
use hf_cache::{DeleteCacheStrategy, HfCacheInfo, format_size, scan_cache_dir};

use crate::args::RepoTarget;
use crate::diagnostics::Failure;
use crate::output::{print_json_of, print_lines};

/// `hf cache ...`.
#[derive(Debug, Args)]
pub struct CacheArgs {
    /// The cache folder (default: HF_HUB_CACHE, else HF_HOME/hub).
    #[arg(long, global = true)]
    cache_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: CacheCommand,
}

#[derive(Debug, Subcommand)]
enum CacheCommand {
    /// List the cached repos with their size, files, refs and times.
    Scan {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Also list every revision of each repo.
        #[arg(long, short)]
        verbose: bool,
    },
    /// Delete a repo from the cache, or only some of its revisions.
    Delete {
        #[command(flatten)]
        repo: RepoTarget,
        /// Commit hashes (or ref names such as `main`) to delete; default: every revision.
        #[arg(long, num_args = 1..)]
        revision: Vec<String>,
    },
    /// Remove blobs no snapshot uses and abandoned partial downloads.
    Prune,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Json,
}

/// Runs `hf cache ...` on `--cache-dir`, else on `hub_cache` (from the settings). It walks the
/// cache with blocking file calls: run it off the runtime's threads.
pub fn run(hub_cache: PathBuf, args: CacheArgs) -> Result<(), Failure> {
    let dir = args.cache_dir.unwrap_or(hub_cache);
    let started = Instant::now();
    let info = scan_cache_dir(&dir).map_err(|e| {
        Failure::from_error("cannot scan the cache", &e)
            .hint("set --cache-dir, HF_HUB_CACHE or HF_HOME to the cache folder")
    })?;
    match args.command {
        CacheCommand::Scan {
            format: Format::Json,
            ..
        } => print_json_of(&info),
        CacheCommand::Scan {
            format: Format::Table,
            verbose,
        } => {
            let mut lines = if verbose {
                revision_table(&info)
            } else {
                repo_table(&info)
            };
            lines.push(format!(
                "\nDone in {:.1}s. Scanned {} repo(s) for a total of {}.",
                started.elapsed().as_secs_f64(),
                info.repos.len(),
                format_size(info.size_on_disk)
            ));
            if !info.warnings.is_empty() {
                lines.push(format!(
                    "Got {} warning(s) while scanning. Use -vvv to print details.",
                    info.warnings.len()
                ));
                lines.extend(
                    info.warnings
                        .iter()
                        .map(|w| format!("  {}: {}", w.path.display(), w.message)),
                );
            }
            print_lines(lines)
        }
        CacheCommand::Delete {
            repo: RepoTarget { repo_id, repo_type },
            revision,
        } => {
            let repo = info
                .repos
                .iter()
                .find(|r| r.repo_type == repo_type && r.repo_id == repo_id.as_str())
                .ok_or_else(|| {
                    Failure::msg(format!(
                        "{repo_type} {repo_id} is not in the cache at {}",
                        dir.display()
                    ))
                    .hint("`hf cache scan` lists what is cached")
                })?;
            let refs = repo.refs();
            let hashes: Vec<String> = if revision.is_empty() {
                repo.revisions
                    .iter()
                    .map(|r| r.commit_hash.clone())
                    .collect()
            } else {
                let mut hashes = Vec::new();
                for wanted in &revision {
                    let hash = refs.get(wanted).cloned().unwrap_or_else(|| wanted.clone());
                    if !repo.revisions.iter().any(|r| r.commit_hash == hash) {
                        return Err(Failure::msg(format!(
                            "revision {wanted} of {repo_id} is not in the cache"
                        ))
                        .hint("`hf cache scan --verbose` lists the cached revisions"));
                    }
                    hashes.push(hash);
                }
                hashes
            };
            execute(&info.delete_revisions(&hashes))
        }
        CacheCommand::Prune => {
            let strategy = info
                .prune()
                .map_err(|e| Failure::from_error("cannot plan the prune", &e))?;
            execute(&strategy)
        }
    }
}

fn execute(strategy: &DeleteCacheStrategy) -> Result<(), Failure> {
    let failures = strategy.execute();
    if failures > 0 {
        return Err(Failure::msg(format!(
            "{failures} file(s) or folder(s) could not be deleted"
        ))
        .hint("check the permissions of the cache folder"));
    }
    print_lines([format!("Freed {}.", strategy.expected_freed_size_str())])
}

fn ago(time: SystemTime) -> String {
    let secs = SystemTime::now()
        .duration_since(time)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    match secs {
        0..=9 => "a few seconds ago".to_owned(),
        10..=59 => format!("{secs} seconds ago"),
        60..=3599 => format!("{} minutes ago", secs / 60),
        3600..=86_399 => format!("{} hours ago", secs / 3600),
        86_400..=2_591_999 => format!("{} days ago", secs / 86_400),
        2_592_000..=31_535_999 => format!("{} months ago", secs / 2_592_000),
        _ => format!("{} years ago", secs / 31_536_000),
    }
}

/// Left-aligned columns separated by one space, with a dashed rule under the header.
fn table(header: &[&str], rows: Vec<Vec<String>>) -> Vec<String> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join(" ")
            .trim_end()
            .to_owned()
    };
    let mut out = vec![line(header.iter().map(|h| (*h).to_owned()).collect())];
    out.push(line(widths.iter().map(|w| "-".repeat(*w)).collect()));
    out.extend(rows.into_iter().map(line));
    out
}

fn repo_table(info: &HfCacheInfo) -> Vec<String> {
    let mut repos: Vec<_> = info.repos.iter().collect();
    repos.sort_by(|a, b| (&a.repo_id, a.repo_type).cmp(&(&b.repo_id, b.repo_type)));
    let rows = repos
        .into_iter()
        .map(|r| {
            let refs: Vec<String> = r.refs().into_keys().collect();
            vec![
                r.repo_id.clone(),
                r.repo_type.to_string(),
                format_size(r.size_on_disk),
                r.nb_files.to_string(),
                ago(r.last_accessed),
                ago(r.last_modified),
                refs.join(", "),
                r.repo_path.display().to_string(),
            ]
        })
        .collect();
    table(
        &[
            "REPO ID",
            "REPO TYPE",
            "SIZE ON DISK",
            "NB FILES",
            "LAST_ACCESSED",
            "LAST_MODIFIED",
            "REFS",
            "LOCAL PATH",
        ],
        rows,
    )
}

fn revision_table(info: &HfCacheInfo) -> Vec<String> {
    let mut rows = Vec::new();
    for r in &info.repos {
        for rev in &r.revisions {
            let refs: Vec<&str> = rev.refs.iter().map(String::as_str).collect();
            rows.push(vec![
                r.repo_id.clone(),
                r.repo_type.to_string(),
                rev.commit_hash.clone(),
                format_size(rev.size_on_disk),
                rev.nb_files().to_string(),
                ago(rev.last_modified),
                refs.join(", "),
                rev.snapshot_path.display().to_string(),
            ]);
        }
    }
    rows.sort();
    table(
        &[
            "REPO ID",
            "REPO TYPE",
            "REVISION",
            "SIZE ON DISK",
            "NB FILES",
            "LAST_MODIFIED",
            "REFS",
            "LOCAL PATH",
        ],
        rows,
    )
}
