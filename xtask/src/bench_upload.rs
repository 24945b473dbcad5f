//! `cargo xtask bench upload`: `hf upload` against the Python client's `upload_folder` /
//! `upload_file`, on a release build of `hf-local-hub`, as issue 4 defines the rounds: a folder
//! of 1000 files of 16 KiB, one large file, and the hashing rate (the large file uploaded again
//! under another name: the Hub has the object, so only hashing and three requests remain); and
//! `upload_large_folder` of 10,000 files of 1 KiB (issue 14), `hf upload-large-folder` against
//! the Python client's `upload_large_folder`.
//!
//! Every run uploads bytes the hub has never seen (content seeded per run), so no run is
//! shortened by deduplication. Times are wall-clock medians; `hf` includes process start, the
//! Python figures are measured inside the interpreter after imports (favouring Python).

use std::path::{Path, PathBuf};

use crate::bench::make_file_seeded;
use crate::bench_download::{Sample, measure, median, python};
use crate::cmd::{Cmd, repo_root};
use crate::hub::{Hub, RemoveOnDrop};

const TOKEN: &str = "hf_bench_write";
const SMALL_FILES: usize = 1000;
const SMALL_SIZE: u64 = 16 << 10;
/// The `upload_large_folder` round (issue 14): this many files of [`LARGE_FOLDER_SIZE`].
const LARGE_FOLDER_FILES: usize = 10_000;
const LARGE_FOLDER_SIZE: u64 = 1 << 10;

/// A folder of [`LARGE_FOLDER_FILES`] small text files (regular, not LFS: the common case of
/// a large folder), unique to `seed`, 500 per sub-folder.
fn large_folder(dir: &Path, seed: u64) -> Result<(), String> {
    for i in 0..LARGE_FOLDER_FILES {
        let sub = dir.join(format!("part{}", i / 500));
        std::fs::create_dir_all(&sub).map_err(|e| format!("{}: {e}", sub.display()))?;
        let line = format!("row {i} of run {seed}: some text data\n");
        let text = line.repeat(LARGE_FOLDER_SIZE as usize / line.len() + 1);
        let path = sub.join(format!("{i:05}.txt"));
        std::fs::write(&path, &text.as_bytes()[..LARGE_FOLDER_SIZE as usize])
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// A folder of [`SMALL_FILES`] incompressible files, unique to `seed`.
fn small_folder(dir: &Path, seed: u64) -> Result<(), String> {
    for i in 0..SMALL_FILES {
        let sub = dir.join(format!("shard{}", i / 100));
        std::fs::create_dir_all(&sub).map_err(|e| format!("{}: {e}", sub.display()))?;
        make_file_seeded(
            &sub.join(format!("{i:04}.bin")),
            SMALL_SIZE,
            seed * 10_000 + i as u64 + 1,
        )?;
    }
    Ok(())
}

struct Row {
    round: &'static str,
    bytes: u64,
    files: usize,
    ours: Sample,
    python: Option<Sample>,
}

fn print(rows: &[Row]) {
    println!(
        "{:<26} {:>9} {:>9} {:>9} {:>9} {:>8} {:>9} {:>9} {:>7} {:>7}",
        "round",
        "hf s",
        "python s",
        "hf MB/s",
        "files/s",
        "vs py",
        "hf RSS",
        "py RSS",
        "hf CPU",
        "py CPU"
    );
    for r in rows {
        let rss = |s: Option<Sample>| {
            s.and_then(|s| s.rss_mib)
                .map_or("-".into(), |m| format!("{m:.1}M"))
        };
        let cpu = |s: Option<Sample>| {
            s.and_then(|s| s.cpu_secs)
                .map_or("-".into(), |c| format!("{c:.2}"))
        };
        println!(
            "{:<26} {:>9.3} {:>9} {:>9.0} {:>9} {:>8} {:>9} {:>9} {:>7} {:>7}",
            r.round,
            r.ours.secs,
            r.python.map_or("-".into(), |p| format!("{:.3}", p.secs)),
            r.bytes as f64 / r.ours.secs / 1e6,
            if r.files > 1 {
                format!("{:.0}", r.files as f64 / r.ours.secs)
            } else {
                "-".into()
            },
            r.python
                .map_or("-".into(), |p| format!("{:.2}x", r.ours.secs / p.secs)),
            rss(Some(r.ours)),
            rss(r.python),
            cpu(Some(r.ours)),
            cpu(r.python),
        );
    }
}

/// `cargo xtask bench upload [--big-mib N] [--rounds N] [--big-only]`.
pub fn run(big_mib: u64, rounds: usize, big_only: bool) -> Result<(), String> {
    let root = repo_root()?;
    let work = std::env::temp_dir().join(format!("hf-bench-upload-{}", std::process::id()));
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let _cleanup = RemoveOnDrop(work.clone());
    let venv = PathBuf::from(
        Cmd::new("bash")
            .arg(root.join("tests/python/setup-venv.sh"))
            .output_line()?,
    );
    let target = Hub::build("release", &["hf"])?;
    let hf = target.join("hf");
    let hub = Hub::start(
        &target.join("hf-local-hub"),
        &work.join("hub-data"),
        "bench",
        TOKEN,
    )?;
    let endpoint = hub.endpoint.clone();
    let env: Vec<(&str, String)> = vec![
        ("HF_ENDPOINT", endpoint.clone()),
        ("HF_TOKEN", TOKEN.to_owned()),
        ("HF_HOME", work.join("home").display().to_string()),
        ("HF_HUB_DISABLE_XET", "1".to_owned()),
        ("HF_HUB_DISABLE_PROGRESS_BARS", "1".to_owned()),
        ("HF_HUB_DISABLE_TELEMETRY", "1".to_owned()),
    ];
    let py = |code: &str| -> Result<Sample, String> {
        let code = format!(
            "import time, resource\nfrom huggingface_hub import HfApi\napi = HfApi()\n\
             t = time.perf_counter()\n{code}\n\
             print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
        );
        python(&venv, &code, &env)
    };
    let big_size = big_mib << 20;
    let (mut small, mut big, mut hashing) = (
        (Vec::new(), Vec::new()),
        (Vec::new(), Vec::new()),
        Vec::new(),
    );
    let mut large = (Vec::new(), Vec::new());
    for round in 0..rounds {
        eprintln!("round {}/{rounds}", round + 1);
        let seed = round as u64 * 2;
        // Small files: a fresh folder (fresh bytes) for each client.
        let both: &[(&str, u64)] = if big_only {
            &[]
        } else {
            &[("rs", seed), ("py", seed + 1)]
        };
        for &(who, seed) in both {
            let folder = work.join(format!("small-{who}-{round}"));
            small_folder(&folder, seed)?;
            let repo = format!("bench/small-{who}-{round}");
            let folder_arg = folder.display().to_string();
            if who == "rs" {
                small.0.push(measure(
                    &hf,
                    &["upload", &repo, &folder_arg, "--quiet"],
                    &env,
                    true,
                )?);
            } else {
                small.1.push(py(&format!(
                    "api.create_repo({repo:?}, exist_ok=True)\n\
                     api.upload_folder(repo_id={repo:?}, folder_path={folder_arg:?})"
                ))?);
            }
            let _ = std::fs::remove_dir_all(&folder);
        }
        // upload_large_folder of 10,000 small files (issue 14), each client from a fresh state.
        for &(who, seed) in both {
            let folder = work.join(format!("large-{who}-{round}"));
            large_folder(&folder, seed)?;
            let repo = format!("bench/large-{who}-{round}");
            let folder_arg = folder.display().to_string();
            if who == "rs" {
                large.0.push(measure(
                    &hf,
                    &["upload-large-folder", &repo, &folder_arg, "--no-report"],
                    &env,
                    true,
                )?);
            } else {
                large.1.push(py(&format!(
                    "api.upload_large_folder(repo_id={repo:?}, folder_path={folder_arg:?}, \
                     repo_type='model', print_report=False)"
                ))?);
            }
            let _ = std::fs::remove_dir_all(&folder);
        }
        // One big file, then the same bytes under another name (hashing only).
        for (who, seed) in [("rs", seed), ("py", seed + 1)] {
            let file = work.join(format!("big-{who}-{round}.bin"));
            eprintln!("  writing {big_mib} MiB");
            make_file_seeded(&file, big_size, 1_000_000 + seed)?;
            let repo = format!("bench/big-{who}-{round}");
            let file_arg = file.display().to_string();
            if who == "rs" {
                big.0.push(measure(
                    &hf,
                    &["upload", &repo, &file_arg, "big.bin", "--quiet"],
                    &env,
                    true,
                )?);
                hashing.push(measure(
                    &hf,
                    &["upload", &repo, &file_arg, "again.bin", "--quiet"],
                    &env,
                    true,
                )?);
            } else {
                big.1.push(py(&format!(
                    "api.create_repo({repo:?}, exist_ok=True)\n\
                     api.upload_file(repo_id={repo:?}, path_or_fileobj={file_arg:?}, path_in_repo='big.bin')"
                ))?);
            }
            let _ = std::fs::remove_file(&file);
        }
    }
    let rows = [
        Row {
            round: "upload_folder 1000x16KiB",
            bytes: SMALL_FILES as u64 * SMALL_SIZE,
            files: SMALL_FILES,
            ours: median(small.0),
            python: Some(median(small.1)),
        },
        Row {
            round: "upload_file big",
            bytes: big_size,
            files: 1,
            ours: median(big.0),
            python: Some(median(big.1)),
        },
        Row {
            round: "upload_large_folder 10kx1K",
            bytes: LARGE_FOLDER_FILES as u64 * LARGE_FOLDER_SIZE,
            files: LARGE_FOLDER_FILES,
            ours: median(large.0),
            python: Some(median(large.1)),
        },
        Row {
            round: "same bytes again (hash)",
            bytes: big_size,
            files: 1,
            ours: median(hashing),
            python: None,
        },
    ];
    println!(
        "bench upload: 1000 x 16 KiB, one {big_mib} MiB file, upload_large_folder of 10,000 x 1 KiB, {rounds} rounds (medians; `hf` includes process start)"
    );
    // Rounds that did not run (`--big-only`) have no samples.
    let rows: Vec<Row> = rows.into_iter().filter(|r| !r.ours.secs.is_nan()).collect();
    print(&rows);
    if let Some(rss) = hub.peak_rss_mib() {
        println!("hub peak RSS: {rss:.1} MiB");
    }
    Ok(())
}
