//! What the agent prints for its operator while it runs ("Caught signal",
//! "Gracefully shutting down agent") goes through a bounded queue to one
//! writer thread, so an output pipe nobody reads can never stop the agent:
//! when the queue is full a line is dropped rather than the caller blocked.
//! (Logs take the same road; see the binary's logging set-up.) The queue is
//! process-wide because stdout is.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// Lines the queue holds before it drops new ones.
const QUEUE_LINES: usize = 256;

/// Which stream a line goes to.
#[derive(Debug, Clone, Copy)]
enum Stream {
    Out,
    Err,
}

/// The queue and how far the writer got.
struct Console {
    tx: SyncSender<(Stream, String)>,
    queued: AtomicU64,
    done: Arc<AtomicU64>,
}

static CONSOLE: OnceLock<Console> = OnceLock::new();

fn console() -> &'static Console {
    CONSOLE.get_or_init(|| {
        let (tx, rx) = sync_channel::<(Stream, String)>(QUEUE_LINES);
        let done = Arc::new(AtomicU64::new(0));
        let written = done.clone();
        let spawned = std::thread::Builder::new()
            .name("console".into())
            .spawn(move || {
                for (stream, line) in rx {
                    // A closed stream loses the line; nothing else can be done.
                    let _ = match stream {
                        Stream::Out => writeln!(std::io::stdout(), "{line}"),
                        Stream::Err => writeln!(std::io::stderr(), "{line}"),
                    };
                    written.fetch_add(1, Ordering::Release);
                }
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "console: no writer thread; output is dropped");
        }
        Console {
            tx,
            queued: AtomicU64::new(0),
            done,
        }
    })
}

fn send(stream: Stream, line: String) {
    let c = console();
    // A full queue (or a gone writer) drops the line.
    if c.tx.try_send((stream, line)).is_ok() {
        c.queued.fetch_add(1, Ordering::Release);
    }
}

/// Print `line` on stdout without ever blocking the caller.
pub fn say(line: impl Into<String>) {
    send(Stream::Out, line.into());
}

/// Print `line` on stderr without ever blocking the caller.
pub fn warn(line: impl Into<String>) {
    send(Stream::Err, line.into());
}

/// Wait, at most `max`, until every queued line is written (before exiting).
pub fn flush(max: Duration) {
    let Some(c) = CONSOLE.get() else { return };
    let deadline = Instant::now() + max;
    while c.done.load(Ordering::Acquire) < c.queued.load(Ordering::Acquire)
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(2));
    }
}
