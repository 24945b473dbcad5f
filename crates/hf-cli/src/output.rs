//! Printing data to stdout (a closed pipe ends quietly); errors are printed by
//! [`diagnostics`](crate::diagnostics).

use std::io::{self, Write};

use crate::diagnostics::Failure;

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
