//! `consul-testkit`: helpers for tests that run the real `consul` binary.
//!
//! Every agent gets its own loopback address from [`reserve_ip`], so tests
//! can use Consul's standard ports (8500 HTTP, 8300 RPC, 8301/8302 gossip,
//! 8600 DNS) and parallel test binaries never collide. Every wait is bounded,
//! and every process is stopped by PID when its handle drops.
//!
//! ```no_run
//! use std::time::Duration;
//! let bin = std::path::Path::new("target/debug/consul");
//! let ip = consul_testkit::reserve_ip();
//! let mut agent = consul_testkit::AgentBuilder::new(bin, &ip).dev(true).start().unwrap();
//! agent.wait_ready(Duration::from_secs(10)).unwrap();
//! let (status, _, _) = consul_testkit::http("GET", &agent.url("/v1/kv/x"), None).unwrap();
//! assert_eq!(status, 404);
//! ```

mod agent;
mod cli;
pub mod fuzz_seeds;
mod http;
mod ip;

pub use agent::{Agent, AgentBuilder};
pub use cli::{run_cli, CliOutput};
pub use http::{header, http, http_with_headers, HttpResponse};
pub use ip::{reserve_ip, IpLease};

use std::time::{Duration, Instant};

/// What can go wrong in a test helper.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An I/O error (spawn, socket, file).
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A bounded wait ran out.
    #[error("timed out after {0:?}: {1}")]
    Timeout(Duration, String),
    /// A child process exited when it should have kept running.
    #[error("process exited early ({status}); log:\n{log}")]
    Exited {
        /// Its exit status.
        status: String,
        /// Its captured output.
        log: String,
    },
    /// A malformed HTTP answer.
    #[error("bad HTTP response: {0}")]
    Http(String),
}

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Poll `cond` every 20 ms until it is true; `false` if `timeout` passes first.
pub fn wait_until(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
