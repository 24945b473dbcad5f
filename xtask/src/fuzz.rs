//! `cargo xtask fuzz <target|all> [--seconds N] [--seed S]`: mutation fuzzing that builds on stable
//! Rust (issue 16). cargo-fuzz needs nightly and libFuzzer; this loop needs neither: each target
//! gets seeds and a dictionary, inputs are random bytes or mutations of earlier inputs (a splitmix64
//! PRNG: flips, inserts, deletions, duplicated runs, dictionary tokens, splices), and an input whose
//! outcome differs from every earlier one (a coarse signature each target returns) joins the corpus.
//!
//! A finding is a panic, a broken invariant (each target checks what it can: round trips, bounds)
//! or an input slower than [`SLOW`]. Findings are written to `target/fuzz/<target>/` and counted;
//! the command fails when there is one.
//!
//! `cargo xtask fuzz <target> --replay FILE` runs one saved input (a finding) and prints its outcome
//! and time.
//!
//! Targets: `ndjson` (the hub's commit body reader and line parser), `patterns` (the hub's
//! `.gitattributes`/`.gitignore` matcher), `range` (the hub's `Range` parser), `repo-id` (repo ids,
//! revisions and repo paths of hf-types), `link` (hf-http's `Link: rel="next"` parser),
//! `safetensors` (the header length and JSON of hf-types), `cache-scan` (hf-cache's scan over a
//! random tree of files, folders and symlinks built in a temporary folder).

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, Instant};

use crate::cmd::repo_root;

/// An input slower than this is a finding (debug builds; matching has a step budget, parsers are linear).
const SLOW: Duration = Duration::from_secs(2);
/// Largest input generated.
const MAX_INPUT: usize = 4096;
/// Most inputs kept in the corpus.
const MAX_CORPUS: usize = 4096;

/// The target names, in the order `all` runs them.
pub const TARGETS: [&str; 7] = [
    "ndjson",
    "patterns",
    "range",
    "repo-id",
    "link",
    "safetensors",
    "cache-scan",
];

/// splitmix64: small, fast, good enough to drive mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// What one run of a target found.
pub struct Report {
    /// The target.
    pub target: &'static str,
    /// Inputs run.
    pub iterations: u64,
    /// Inputs kept for their new outcome.
    pub corpus: usize,
    /// Panics, broken invariants and slow inputs.
    pub findings: Vec<String>,
    /// The slowest input's time.
    pub slowest: Duration,
}

/// `cargo xtask fuzz ...`.
pub fn run(args: &[String]) -> Result<(), String> {
    let mut seconds = 60u64;
    let mut seed = None;
    let mut replay = None;
    let mut targets = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--seconds" => {
                seconds = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--seconds takes a number")?;
            }
            "--seed" => {
                seed = Some(
                    it.next()
                        .and_then(|v| v.parse().ok())
                        .ok_or("--seed takes a number")?,
                );
            }
            "--replay" => replay = Some(PathBuf::from(it.next().ok_or("--replay takes a file")?)),
            "all" => targets.extend(TARGETS),
            name => match TARGETS.iter().find(|t| **t == name) {
                Some(t) => targets.push(*t),
                None => {
                    return Err(format!(
                        "unknown fuzz target {name:?} (targets: {}, or all)",
                        TARGETS.join(", ")
                    ));
                }
            },
        }
    }
    if let (Some(file), [target]) = (&replay, targets.as_slice()) {
        // One saved input, e.g. a finding: its outcome and time.
        let input = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let work = std::env::temp_dir().join(format!("hf-fuzz-{}-replay", std::process::id()));
        let started = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| execute(target, &input, &work)));
        let spent = started.elapsed();
        let _ = std::fs::remove_dir_all(&work);
        let shown = match outcome {
            Ok(Ok(signature)) => format!("ok (signature {signature:x})"),
            Ok(Err(broken)) => format!("invariant broken: {broken}"),
            Err(panic) => format!("panic: {}", panic_message(&panic)),
        };
        println!(
            "fuzz {target} replay {}: {shown} in {} ms",
            file.display(),
            spent.as_millis()
        );
        return Ok(());
    }
    if targets.is_empty() || replay.is_some() {
        return Err(format!(
            "usage: cargo xtask fuzz <target|all> [--seconds N] [--seed S] | <target> --replay FILE\ntargets: {}",
            TARGETS.join(", ")
        ));
    }
    let seed = seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    });
    println!("fuzz: seed {seed}, {seconds} s per target");
    let mut failed = 0;
    for target in targets {
        let report = fuzz(target, Duration::from_secs(seconds), seed)?;
        println!(
            "fuzz {:<12} {:>9} iterations, corpus {:>4}, slowest {:>7.1} ms, {} findings",
            report.target,
            report.iterations,
            report.corpus,
            report.slowest.as_secs_f64() * 1000.0,
            report.findings.len()
        );
        for finding in &report.findings {
            println!("  finding: {finding}");
        }
        failed += report.findings.len();
    }
    if failed > 0 {
        return Err(format!(
            "{failed} fuzz findings (inputs under target/fuzz/)"
        ));
    }
    Ok(())
}

/// Runs one target for `duration`.
pub fn fuzz(target: &'static str, duration: Duration, seed: u64) -> Result<Report, String> {
    let out_dir = repo_root()?.join("target/fuzz").join(target);
    let work = std::env::temp_dir().join(format!("hf-fuzz-{}-{target}", std::process::id()));
    let mut rng = Rng(seed ^ hash_of(&target));
    let mut corpus: Vec<Vec<u8>> = seeds(target);
    let dict = dictionary(target);
    let mut seen = HashSet::new();
    let mut report = Report {
        target,
        iterations: 0,
        corpus: 0,
        findings: Vec::new(),
        slowest: Duration::ZERO,
    };
    // Panics are findings: keep their messages out of the output, they are reported below.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let started = Instant::now();
    while started.elapsed() < duration && report.findings.len() < 10 {
        let input = if (report.iterations as usize) < corpus.len() {
            corpus[report.iterations as usize].clone()
        } else {
            next_input(&mut rng, &corpus, &dict)
        };
        report.iterations += 1;
        let t0 = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| execute(target, &input, &work)));
        let spent = t0.elapsed();
        report.slowest = report.slowest.max(spent);
        let problem = match outcome {
            Ok(Ok(signature)) => {
                if seen.insert(signature) && corpus.len() < MAX_CORPUS {
                    corpus.push(input.clone());
                }
                (spent > SLOW).then(|| format!("slow: {} ms", spent.as_millis()))
            }
            Ok(Err(broken)) => Some(format!("invariant: {broken}")),
            Err(panic) => Some(format!("panic: {}", panic_message(&panic))),
        };
        if let Some(problem) = problem {
            let file = save(&out_dir, &input)?;
            report
                .findings
                .push(format!("{problem} (input {})", file.display()));
        }
    }
    std::panic::set_hook(hook);
    let _ = std::fs::remove_dir_all(&work);
    report.corpus = corpus.len();
    Ok(report)
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_owned()
    }
}

fn save(dir: &Path, input: &[u8]) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let file = dir.join(format!("finding-{:016x}.bin", hash_of(&input)));
    std::fs::write(&file, input).map_err(|e| format!("{}: {e}", file.display()))?;
    Ok(file)
}

fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// A new input: random bytes now and then, else one to eight mutations of a corpus input.
fn next_input(rng: &mut Rng, corpus: &[Vec<u8>], dict: &[&[u8]]) -> Vec<u8> {
    if corpus.is_empty() || rng.below(20) == 0 {
        let len = rng.below(64);
        return (0..len).map(|_| rng.next() as u8).collect();
    }
    let mut data = corpus[rng.below(corpus.len())].clone();
    for _ in 0..=rng.below(8) {
        mutate(rng, &mut data, corpus, dict);
    }
    data.truncate(MAX_INPUT);
    data
}

fn mutate(rng: &mut Rng, data: &mut Vec<u8>, corpus: &[Vec<u8>], dict: &[&[u8]]) {
    let pos = rng.below(data.len() + 1);
    match rng.below(8) {
        0 if !data.is_empty() => {
            let i = rng.below(data.len());
            data[i] ^= 1 << rng.below(8);
        }
        1 => data.insert(pos, rng.next() as u8),
        2 if !data.is_empty() => {
            let end = (pos + 1 + rng.below(16)).min(data.len());
            data.drain(pos.min(end)..end);
        }
        3 if !data.is_empty() => {
            // Repeat a run: long inputs of one shape (deep paths, many ranges, long rules).
            let start = rng.below(data.len());
            let end = (start + 1 + rng.below(32)).min(data.len());
            let run = data[start..end].to_vec();
            for _ in 0..=rng.below(64) {
                data.splice(pos..pos, run.iter().copied());
            }
        }
        4 | 5 if !dict.is_empty() => {
            let token = dict[rng.below(dict.len())];
            data.splice(pos..pos, token.iter().copied());
        }
        6 if !corpus.is_empty() => {
            let other = &corpus[rng.below(corpus.len())];
            let from = rng.below(other.len() + 1);
            data.truncate(pos);
            data.extend_from_slice(&other[from..]);
        }
        _ => {
            let interesting: [u8; 8] = [0, 0xff, b'\n', b'/', b'*', b'"', b'\\', 0x80];
            data.insert(pos, interesting[rng.below(interesting.len())]);
        }
    }
}

fn seeds(target: &str) -> Vec<Vec<u8>> {
    let text: &[&str] = match target {
        "ndjson" => &[
            "{\"key\":\"header\",\"value\":{\"summary\":\"s\",\"description\":\"d\",\"parentCommit\":\"abcde\"}}\n{\"key\":\"file\",\"value\":{\"path\":\"a.txt\",\"content\":\"aGk=\",\"encoding\":\"base64\"}}\n",
            "{\"key\":\"lfsFile\",\"value\":{\"path\":\"m.bin\",\"algo\":\"sha256\",\"oid\":\"ab\",\"size\":3}}\n{\"key\":\"deletedFolder\",\"value\":{\"path\":\"x/\"}}\r\n\n",
            "{\"key\":\"file\",\"value\":{\"path\":\"n/r.md\",\"content\":\"h\u{e9}\",\"encoding\":\"utf-8\"}}",
        ],
        "patterns" => &[
            "*.bin filter=lfs diff=lfs merge=lfs -text\n!keep.log\n*.log\0weights/model.bin\0keep.log",
            "**/a/**/b*c?d[!x-z] filter=lfs\n/abs/**\n\0a/x/a/b/bqcdd\0abs/q",
            "\"quoted path\" filter=lfs\n[[:space:]]*\n\0quoted path\0 x",
        ],
        "range" => &[
            "bytes=0-9\x001000",
            "bytes=90-, -5, 3-3,0-0\x00100",
            "bytes=-0\x000",
        ],
        "repo-id" => &[
            "gpt2",
            "openai-community/gpt2",
            "refs/pr/1",
            "main",
            "a/b/c.txt",
        ],
        "link" => &[
            "<https://h/api/models?cursor=abc&limit=2>; rel=\"next\"",
            "<https://h/p1>; rel=\"prev\", <https://h/p3>; rel=next",
            "</relative?p=2>; rel=\"last next\"",
        ],
        "safetensors" => &[],
        "cache-scan" => &[],
        _ => &[],
    };
    let mut out: Vec<Vec<u8>> = text.iter().map(|s| s.as_bytes().to_vec()).collect();
    match target {
        "safetensors" => {
            let header = br#"{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}}"#;
            let mut file = (header.len() as u64).to_le_bytes().to_vec();
            file.extend_from_slice(header);
            out.push(file);
        }
        "cache-scan" => {
            // Instructions of the tree builder (see `cache_scan`): a few shapes of a sound repo.
            out.push(vec![0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
            out.push(vec![3, 3, 3, 7, 7, 7, 9, 1, 200, 13, 6, 6]);
        }
        _ => {}
    }
    out
}

fn dictionary(target: &str) -> Vec<&'static [u8]> {
    let words: &[&str] = match target {
        "ndjson" => &[
            "{\"key\":\"header\",\"value\":{\"summary\":\"s\"}}\n",
            "{\"key\":\"file\",\"value\":{\"path\":\"",
            "\",\"content\":\"",
            "{\"key\":\"lfsFile\",\"value\":{\"path\":\"",
            "{\"key\":\"deletedFile\",\"value\":{\"path\":\"",
            "\"encoding\":\"utf-8\"",
            "\"}}\n",
            "../",
            ".git/",
            "\\u0000",
            "\\ud800",
            "====",
            "1e999999",
            "[[[[[[[[[[",
        ],
        "patterns" => &[
            "**/",
            "*",
            "?",
            "[!a-z]",
            "[[:alpha:]]",
            "\\",
            "!",
            "/",
            "\n",
            "\0",
            " filter=lfs",
            "\"",
            "#",
        ],
        "range" => &["bytes=", ",", "-", "18446744073709551615", "0", "\0", " "],
        "repo-id" => &[
            "/",
            "--",
            "..",
            "refs/pr/",
            "refs/heads/",
            "%",
            " ",
            ".git",
            "datasets/",
        ],
        "link" => &[
            "<", ">", ";", "rel=", "next", "\"", ",", "https://", "//", "?", "#",
        ],
        "safetensors" => &[
            "\"dtype\":\"F32\"",
            "\"shape\":[18446744073709551615,2]",
            "\"data_offsets\":[0,1]",
            "\"__metadata__\":{",
            "{",
            "}",
        ],
        _ => &[],
    };
    words.iter().map(|w| w.as_bytes()).collect()
}

/// Runs `target` on `input`: `Ok(signature of the outcome)` or `Err(a broken invariant)`.
fn execute(target: &str, input: &[u8], work: &Path) -> Result<u64, String> {
    match target {
        "ndjson" => ndjson(input),
        "patterns" => patterns(input),
        "range" => range(input),
        "repo-id" => repo_id(input),
        "link" => link(input),
        "safetensors" => safetensors(input),
        "cache-scan" => cache_scan(input, work),
        other => Err(format!("no target {other}")),
    }
}

fn ndjson(input: &[u8]) -> Result<u64, String> {
    let chunk = 1 + usize::from(input.first().copied().unwrap_or(0)) % 17;
    let whole = hf_local_hub::fuzzing::commit_body(input, input.len().max(1));
    let split = hf_local_hub::fuzzing::commit_body(input, chunk);
    if whole != split {
        return Err(format!(
            "chunking changed the outcome: {whole:?} vs {split:?} (chunks of {chunk})"
        ));
    }
    if whole.line_bytes > input.len() || whole.parsed > whole.lines {
        return Err(format!("impossible outcome {whole:?}"));
    }
    Ok(hash_of(&(
        whole.lines.min(4),
        whole.parsed.min(4),
        whole.refused,
    )))
}

fn patterns(input: &[u8]) -> Result<u64, String> {
    let text = String::from_utf8_lossy(input);
    let mut parts = text.split('\0');
    let rules = parts.next().unwrap_or("");
    let paths: Vec<&str> = parts.collect();
    let (answers, exhausted) = hf_local_hub::fuzzing::patterns(rules, &paths);
    if answers.len() != paths.len() {
        return Err("an answer per path".into());
    }
    Ok(hash_of(&(answers, exhausted)))
}

fn range(input: &[u8]) -> Result<u64, String> {
    let text = String::from_utf8_lossy(input);
    let (value, total) = text.split_once('\0').unwrap_or((&text, "1000"));
    let total: u64 = total.trim().parse().unwrap_or(1000);
    let Some(ranges) = hf_local_hub::fuzzing::range(value, total) else {
        return Ok(1);
    };
    if ranges.len() > 100 {
        return Err(format!("{} ranges", ranges.len()));
    }
    let mut previous_end: Option<u64> = None;
    let mut bytes = 0u64;
    for &(start, end) in &ranges {
        if start > end || end >= total {
            return Err(format!("range {start}-{end} of a {total}-byte file"));
        }
        if let Some(p) = previous_end
            && start <= p.saturating_add(1)
        {
            return Err(format!("ranges not coalesced: {ranges:?}"));
        }
        previous_end = Some(end);
        bytes += end - start + 1;
    }
    if bytes > total {
        return Err(format!("{bytes} bytes of ranges in a {total}-byte file"));
    }
    Ok(hash_of(&(ranges.len().min(3), bytes == total)))
}

fn repo_id(input: &[u8]) -> Result<u64, String> {
    use hf_types::{RepoId, RepoPath, Revision};
    let text = String::from_utf8_lossy(input);
    let mut signature = 0u64;
    if let Ok(id) = RepoId::from_str(&text) {
        signature |= 1;
        let shown = id.to_string();
        let again =
            RepoId::from_str(&shown).map_err(|e| format!("{shown:?} does not parse: {e}"))?;
        if again != id {
            return Err(format!("repo id {text:?} -> {shown:?} -> {again:?}"));
        }
    }
    if let Ok(rev) = Revision::from_str(&text) {
        signature |= 2;
        let shown = rev.to_string();
        let again =
            Revision::from_str(&shown).map_err(|e| format!("{shown:?} does not parse: {e}"))?;
        if again != rev {
            return Err(format!("revision {text:?} -> {shown:?} -> {again:?}"));
        }
    }
    if let Ok(path) = RepoPath::from_str(&text) {
        signature |= 4;
        let shown = path.to_string();
        if shown
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == "..")
        {
            return Err(format!("path {text:?} accepted as {shown:?}"));
        }
        let again =
            RepoPath::from_str(&shown).map_err(|e| format!("{shown:?} does not parse: {e}"))?;
        if again != path {
            return Err(format!("path {text:?} -> {shown:?} -> {again:?}"));
        }
    }
    Ok(signature)
}

fn link(input: &[u8]) -> Result<u64, String> {
    let Ok(value) = http::HeaderValue::from_bytes(input) else {
        return Ok(0);
    };
    let mut headers = http::HeaderMap::new();
    headers.append(http::header::LINK, value.clone());
    headers.append(http::header::LINK, value);
    let base =
        url::Url::parse("https://hub.example/api/models?limit=2").map_err(|e| e.to_string())?;
    let next = hf_http::next_link(&headers, &base);
    Ok(match next {
        None => 1,
        Some(u) if u.host_str() == Some("hub.example") => 2,
        Some(_) => 3,
    })
}

fn safetensors(input: &[u8]) -> Result<u64, String> {
    use hf_types::{
        SAFETENSORS_MAX_HEADER_LENGTH, SafetensorsFileMetadata, safetensors_header_length,
    };
    let Ok(length) = safetensors_header_length(input) else {
        return Ok(1);
    };
    if length > SAFETENSORS_MAX_HEADER_LENGTH {
        return Err(format!("accepted header length {length}"));
    }
    let end = (8 + length as usize).min(input.len());
    let Ok(meta) = SafetensorsFileMetadata::from_header_json(&input[8..end]) else {
        return Ok(2);
    };
    let total = meta.total_parameters();
    let by_type: u64 = meta
        .parameter_count()
        .values()
        .fold(0u64, |a, b| a.saturating_add(*b));
    if total != by_type {
        return Err(format!("total {total} != sum by dtype {by_type}"));
    }
    let json = serde_json::to_vec(&meta).map_err(|e| format!("serialise: {e}"))?;
    let again = SafetensorsFileMetadata::from_header_json(&json)
        .map_err(|e| format!("round trip does not parse: {e}"))?;
    if again != meta {
        return Err("round trip changed the header".into());
    }
    Ok(hash_of(&(
        meta.tensors.len().min(3),
        meta.metadata.len().min(3),
    )))
}

/// Builds a hostile cache tree from `input` (one instruction per byte pair) and scans it.
fn cache_scan(input: &[u8], work: &Path) -> Result<u64, String> {
    let _ = std::fs::remove_dir_all(work);
    let root = work.join("hub");
    std::fs::create_dir_all(&root).map_err(|e| e.to_string())?;
    let names = [
        "models--a--b",
        "datasets--c",
        "spaces--x--y--z",
        "models--",
        "blobs",
        "snapshots",
        "refs",
        "main",
        "0123456789abcdef0123456789abcdef01234567",
        ".locks",
        "f.bin",
        "..",
        "sub",
    ];
    let mut dirs: Vec<PathBuf> = vec![root.clone()];
    let mut all: Vec<PathBuf> = vec![root.clone()];
    for pair in input.chunks(2).take(200) {
        let op = pair[0] % 6;
        let arg = usize::from(pair.get(1).copied().unwrap_or(0));
        let dir = dirs[arg % dirs.len()].clone();
        let name = names[(arg / 7) % names.len()];
        if name == ".." {
            continue;
        }
        let path = dir.join(name);
        let _ = match op {
            0 | 1 => std::fs::create_dir_all(&path).map(|()| {
                dirs.push(path.clone());
                all.push(path.clone());
            }),
            2 => std::fs::write(&path, pair).map(|()| all.push(path.clone())),
            3 => {
                // A symlink to anything: a sibling, an ancestor (a loop), outside, nowhere.
                let target = match arg % 4 {
                    0 => all[arg % all.len()].clone(),
                    1 => PathBuf::from(".."),
                    2 => PathBuf::from("/"),
                    _ => PathBuf::from("missing/target"),
                };
                symlink(&target, &path).map(|()| all.push(path.clone()))
            }
            4 => std::fs::write(&path, "main\n").map(|()| all.push(path.clone())),
            _ => std::fs::write(&path, vec![b'x'; arg * 97]).map(|()| all.push(path.clone())),
        };
    }
    let started = Instant::now();
    let result = hf_cache::scan_cache_dir(&root);
    if started.elapsed() > SLOW {
        return Err(format!("scan took {} ms", started.elapsed().as_millis()));
    }
    let signature = match &result {
        Ok(info) => {
            let sum: u64 = info.repos.iter().map(|r| r.size_on_disk).sum();
            if sum != info.size_on_disk {
                return Err(format!(
                    "cache size {} is not the sum of its repos' {sum}",
                    info.size_on_disk
                ));
            }
            hash_of(&(info.repos.len().min(3), info.warnings.len().min(3)))
        }
        Err(_) => 1,
    };
    Ok(signature)
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn symlink(_target: &Path, _link: &Path) -> std::io::Result<()> {
    Ok(())
}
