//! Printing: data to stdout (a closed pipe ends quietly), errors to stderr with their causes and a hint.

use std::error::Error as StdError;
use std::io::{self, Write};
use std::process::ExitCode;

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

/// Writes lines to stdout; a closed pipe surfaces as a quiet success.
pub fn print_lines<I: IntoIterator<Item = String>>(lines: I) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    for line in lines {
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(())
}

/// Pretty JSON to stdout.
pub fn print_json(value: &serde_json::Value) -> Result<(), Failure> {
    print_json_of(value)
}

/// Any serializable value as pretty JSON to stdout, written as it is encoded (buffered).
pub fn print_json_of<T: serde::Serialize + ?Sized>(value: &T) -> Result<(), Failure> {
    let mut out = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, value).map_err(|e| match e.io_error_kind() {
        // Output errors (a closed pipe is a quiet success) as for plain lines.
        Some(kind) => Failure::from(io::Error::from(kind)),
        None => Failure::from_error("cannot encode JSON", &e),
    })?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}
