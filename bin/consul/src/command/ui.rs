//! Output helpers shared by the subcommands: Consul's `cli.Ui` lines, the
//! `columnize` and `text/tabwriter` layouts, and running an async command.

use std::future::Future;
use std::io::Write;

use super::flags::{FlagSet, ParseError, Parsed};

/// Print `bytes` and a newline to stdout (Consul's `Ui.Output`/`Ui.Info`).
pub fn out(bytes: impl AsRef<[u8]>) {
    let mut o = std::io::stdout().lock();
    let _ = o.write_all(bytes.as_ref());
    let _ = o.write_all(b"\n");
    let _ = o.flush();
}

/// Print `msg` and a newline to stderr (Consul's `Ui.Error`).
pub fn err(msg: impl AsRef<str>) {
    eprintln!("{}", msg.as_ref());
}

/// Parse a command's flags. `Err(code)` when the command should exit at
/// once: 0 after printing help for `-h`, 1 after a one-line flag error.
pub fn parse(fs: &FlagSet, args: &[String]) -> Result<Parsed, i32> {
    match fs.parse(args) {
        Ok(p) => Ok(p),
        Err(ParseError::Help) => {
            err(fs.usage());
            Err(0)
        }
        Err(ParseError::Bad(msg)) => {
            err(msg);
            Err(1)
        }
    }
}

/// Parse `args` with `fs`, then run `body` on the parsed flags with
/// [`block_on`]; the command's exit code.
pub fn run<F, Fut>(fs: &FlagSet, args: &[String], body: F) -> i32
where
    F: FnOnce(Parsed) -> Fut,
    Fut: Future<Output = anyhow::Result<i32>>,
{
    match parse(fs, args) {
        Ok(p) => block_on(body(p)),
        Err(code) => code,
    }
}

/// Run an async command body on a fresh single-threaded runtime; an error
/// is printed as one line to stderr and gives exit code 1.
pub fn block_on(f: impl Future<Output = anyhow::Result<i32>>) -> i32 {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            err(format!("Error starting runtime: {e}"));
            return 1;
        }
    };
    match rt.block_on(f) {
        Ok(code) => code,
        Err(e) => {
            err(e.to_string());
            1
        }
    }
}

/// Lay out rows like `github.com/ryanuber/columnize` with its defaults:
/// each cell trimmed, every column but the last padded to its widest cell,
/// columns glued with two spaces, no trailing newline.
pub fn columnize(rows: &[Vec<String>]) -> String {
    let rows: Vec<Vec<&str>> = rows
        .iter()
        .map(|r| r.iter().map(|c| c.trim()).collect())
        .collect();
    let mut widths: Vec<usize> = Vec::new();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            let w = c.chars().count();
            match widths.get_mut(i) {
                Some(m) => *m = (*m).max(w),
                None => widths.push(w),
            }
        }
    }
    let mut out = String::new();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            if i + 1 == r.len() {
                out.push_str(c);
            } else {
                out.push_str(c);
                out.push_str(&" ".repeat(widths[i] - c.chars().count()));
                out.push_str("  ");
            }
        }
        out.push('\n');
    }
    out.pop();
    out
}

/// Lay out lines like Go's `tabwriter.NewWriter(w, 0, 2, 6, ' ', 0)`: every
/// cell but a line's last is padded to its column's widest cell plus six.
pub fn tabwrite(lines: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = Vec::new();
    for l in lines {
        for (i, c) in l.iter().enumerate().take(l.len().saturating_sub(1)) {
            let w = c.chars().count();
            match widths.get_mut(i) {
                Some(m) => *m = (*m).max(w),
                None => widths.push(w),
            }
        }
    }
    let mut out = String::new();
    for (n, l) in lines.iter().enumerate() {
        for (i, c) in l.iter().enumerate() {
            out.push_str(c);
            if i + 1 < l.len() {
                out.push_str(&" ".repeat(widths[i] + 6 - c.chars().count()));
            }
        }
        if n + 1 < lines.len() {
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn columnize_like_go() {
        let s = columnize(&[
            row(&["Node", "Address", "DC"]),
            row(&["a1", "192.168.100.104:8301", "dc1"]),
        ]);
        assert_eq!(
            s,
            "Node  Address               DC\na1    192.168.100.104:8301  dc1"
        );
    }

    #[test]
    fn tabwriter_like_go() {
        let s = tabwrite(&[row(&["CreateIndex", "5"]), row(&["Key", "foo"])]);
        assert_eq!(s, "CreateIndex      5\nKey              foo");
    }
}

/// Resolves on SIGINT or SIGTERM to this process.
pub async fn interrupted() {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut int), Ok(mut term)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = int.recv() => {}
        _ = term.recv() => {}
    }
}
