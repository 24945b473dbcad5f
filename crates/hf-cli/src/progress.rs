//! Progress bars for downloads, fed by the library's [`Reporter`] events.
//!
//! Hidden when `--quiet`, when HF_HUB_DISABLE_PROGRESS_BARS is truthy, or when stderr is not a
//! terminal (logs and pipes get no control characters).

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Mutex;

use hf_cache::Reporter;
use hf_http::Settings;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A total bar for snapshots plus one bar per file in flight.
pub struct Bars {
    multi: Option<MultiProgress>,
    total: Mutex<Option<ProgressBar>>,
    files: Mutex<HashMap<String, ProgressBar>>,
}

impl Bars {
    /// Bars drawn on stderr, unless progress output is off (`--quiet`, or
    /// [`Settings::disable_progress_bars`] from HF_HUB_DISABLE_PROGRESS_BARS).
    pub fn new(quiet: bool, settings: &Settings) -> Self {
        let disabled = quiet
            || settings.disable_progress_bars == Some(true)
            || !std::io::stderr().is_terminal();
        let multi =
            (!disabled).then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        Bars {
            multi,
            total: Mutex::new(None),
            files: Mutex::new(HashMap::new()),
        }
    }

    fn style(template: &str) -> ProgressStyle {
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
    }

    /// Clears what is left on screen.
    pub fn finish(&self) {
        if let Ok(mut total) = self.total.lock()
            && let Some(bar) = total.take()
        {
            bar.finish();
        }
    }
}

impl Reporter for Bars {
    fn on_snapshot_start(&self, files: usize, total_bytes: u64) {
        let Some(multi) = &self.multi else { return };
        let bar = multi.add(ProgressBar::new(total_bytes));
        bar.set_style(Self::style(
            "Fetching {msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
        ));
        bar.set_message(format!("{files} files"));
        if let Ok(mut total) = self.total.lock() {
            *total = Some(bar);
        }
    }

    fn on_download_start(&self, file: &str, total: u64, already: u64) {
        let Some(multi) = &self.multi else { return };
        let bar = multi.add(ProgressBar::new(total));
        bar.set_style(Self::style(
            "{msg:30!} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
        ));
        bar.set_message(file.to_owned());
        bar.set_position(already);
        if let Ok(mut files) = self.files.lock() {
            files.insert(file.to_owned(), bar);
        }
    }

    fn on_progress(&self, file: &str, bytes: u64) {
        if self.multi.is_none() {
            return;
        }
        if let Ok(files) = self.files.lock()
            && let Some(bar) = files.get(file)
        {
            bar.inc(bytes);
        }
        if let Ok(total) = self.total.lock()
            && let Some(bar) = total.as_ref()
        {
            bar.inc(bytes);
        }
    }

    fn on_download_done(&self, file: &str, _path: &Path) {
        if let Ok(mut files) = self.files.lock()
            && let Some(bar) = files.remove(file)
        {
            bar.finish_and_clear();
        }
    }
}

/// Upload bars: one total bar over the hashing and transfer of every file, plus one bar per
/// LFS transfer in flight.
impl hf_repo::commit::UploadReporter for Bars {
    fn on_start(&self, files: usize, total_bytes: u64) {
        let Some(multi) = &self.multi else { return };
        let bar = multi.add(ProgressBar::new(total_bytes));
        bar.set_style(Self::style(
            "Hashing {msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
        ));
        bar.set_message(format!("{files} files"));
        if let Ok(mut total) = self.total.lock() {
            *total = Some(bar);
        }
    }

    fn on_hash_progress(&self, _path: &str, bytes: u64) {
        if let Ok(total) = self.total.lock()
            && let Some(bar) = total.as_ref()
        {
            bar.inc(bytes);
        }
    }

    fn on_upload_start(&self, path: &str, total: u64) {
        Reporter::on_download_start(self, path, total, 0);
    }

    fn on_upload_progress(&self, path: &str, bytes: u64) {
        if let Ok(files) = self.files.lock()
            && let Some(bar) = files.get(path)
        {
            bar.inc(bytes);
        }
    }

    fn on_upload_done(&self, path: &str) {
        if let Ok(mut files) = self.files.lock()
            && let Some(bar) = files.remove(path)
        {
            bar.finish_and_clear();
        }
    }
}
