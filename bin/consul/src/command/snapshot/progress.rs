//! Transfer progress on stderr, only when stderr is a terminal (scripts and
//! tests see Consul's output and nothing else).

use std::io::{IsTerminal, Write};

/// A one-line progress display that rewrites itself.
pub struct Progress {
    on: bool,
    shown: bool,
}

impl Progress {
    /// Progress on stderr if it is a terminal, else nothing.
    pub fn stderr() -> Progress {
        Progress {
            on: std::io::stderr().is_terminal(),
            shown: false,
        }
    }

    /// Show `what` followed by `bytes` in Consul's byte units.
    pub fn show(&mut self, what: &str, bytes: u64) {
        if self.on {
            let mut e = std::io::stderr();
            let _ = write!(e, "\r\x1b[K{what} {}", super::inspect::byte_size(bytes));
            let _ = e.flush();
            self.shown = true;
        }
    }

    /// End the progress line.
    pub fn done(&mut self) {
        if self.shown {
            let _ = writeln!(std::io::stderr());
            self.shown = false;
        }
    }
}
