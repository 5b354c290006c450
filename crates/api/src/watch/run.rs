//! The watch loop (Consul's `Plan.Run`): block on the watch's read, call the handler on
//! the first result and whenever a new index brings a different result, and back off
//! quadratically on errors (5 s × failures², at most 3 min).

use std::future::Future;
use std::time::Duration;

use tokio::sync::watch;

use super::plan::Plan;
use super::query::{fetch, WatchResult};
use crate::Client;

/// Consul's `retryInterval`.
pub const RETRY_INTERVAL: Duration = Duration::from_secs(5);
/// Consul's `maxBackoffTime`.
pub const MAX_BACKOFF: Duration = Duration::from_secs(180);

/// What a handler wants after a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Keep watching.
    Continue,
    /// Stop the watch.
    Stop,
}

/// Receives the watch's results.
pub trait Handler: Send {
    /// Handle `result`, read at `index`.
    fn handle(&mut self, index: u64, result: &WatchResult) -> impl Future<Output = Flow> + Send;
}

/// The back-off after `failures` consecutive errors.
pub fn backoff(failures: u32, base: Duration) -> Duration {
    base.saturating_mul(failures.saturating_mul(failures))
        .min(MAX_BACKOFF)
}

/// Run `plan` against `client` until the handler stops it or `stop` turns true.
/// `retry` is the back-off base ([`RETRY_INTERVAL`] as Consul; tests shorten it).
pub async fn run<H: Handler>(
    client: &Client,
    plan: &Plan,
    handler: &mut H,
    mut stop: watch::Receiver<bool>,
    retry: Duration,
) {
    let mut last_index: Option<u64> = None;
    let mut last_result: Option<WatchResult> = None;
    let mut failures = 0u32;
    loop {
        if *stop.borrow() {
            return;
        }
        let read = fetch(client, plan, last_index.unwrap_or(0));
        let outcome = tokio::select! {
            r = read => r,
            _ = stop.wait_for(|s| *s) => return,
        };
        let (index, result) = match outcome {
            Ok(v) => v,
            Err(e) => {
                failures += 1;
                let wait = backoff(failures, retry);
                tracing::error!(error = %e, retry = ?wait, "watch: Watch errored");
                tokio::select! {
                    _ = tokio::time::sleep(wait) => continue,
                    _ = stop.wait_for(|s| *s) => return,
                }
            }
        };
        failures = 0;
        if last_index == Some(index) {
            continue;
        }
        let first = last_index.is_none();
        // An index that went backwards restarts from a non-blocking read, as Consul's
        // `WaitIndexVal.Next` does (not for events: their index is a hash of the last id).
        let ordered = !matches!(plan.kind, super::plan::WatchType::Event { .. });
        last_index = Some(match last_index {
            Some(old) if ordered && index < old => 0,
            _ => index,
        });
        if !first && last_result.as_ref() == Some(&result) {
            continue;
        }
        let flow = handler.handle(index, &result).await;
        last_result = Some(result);
        if flow == Flow::Stop {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_quadratically_to_three_minutes() {
        let b = |n| backoff(n, RETRY_INTERVAL);
        assert_eq!(b(1), Duration::from_secs(5));
        assert_eq!(b(2), Duration::from_secs(20));
        assert_eq!(b(5), Duration::from_secs(125));
        assert_eq!(b(6), MAX_BACKOFF);
        assert_eq!(b(1000), MAX_BACKOFF);
    }
}
