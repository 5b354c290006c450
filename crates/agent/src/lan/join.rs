//! Joining the LAN pool: resolving `-join` / `-retry-join` addresses
//! (`ip`, `ip:port`, `[v6]:port`, `host`, `host:port`; the port defaults to
//! our own serf LAN port, as memberlist does), and the background
//! retry-join loop.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use super::{LanError, LanPool};

/// Resolve one join address, defaulting the port to `default_port`.
pub async fn resolve(addr: &str, default_port: u16) -> Result<Vec<SocketAddr>, String> {
    let addr = addr.trim();
    if let Ok(sa) = addr.parse::<SocketAddr>() {
        return Ok(vec![sa]);
    }
    if let Ok(ip) = addr.trim_matches(['[', ']']).parse::<std::net::IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, default_port)]);
    }
    let with_port = if addr
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
    {
        addr.to_string()
    } else {
        format!("{addr}:{default_port}")
    };
    let looked_up = tokio::net::lookup_host(with_port.as_str()).await;
    match looked_up {
        Ok(it) => {
            let v: Vec<SocketAddr> = it.collect();
            if v.is_empty() {
                Err(format!("Failed to resolve {addr}: no addresses"))
            } else {
                Ok(v)
            }
        }
        Err(e) => Err(format!("Failed to resolve {addr}: {e}")),
    }
}

/// How the retry-join loop ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryOutcome {
    /// Joined through this many members.
    Joined(usize),
    /// `retry_max` attempts all failed.
    Exhausted,
    /// The pool shut down first.
    Stopped,
}

/// Retry-join settings.
#[derive(Debug, Clone)]
pub struct RetryJoin {
    /// Addresses to try.
    pub addrs: Vec<String>,
    /// Pause between attempts.
    pub interval: Duration,
    /// Attempts before giving up (0 = forever).
    pub max: u32,
}

/// Try `r.addrs` until one join succeeds, every `r.interval`, at most
/// `r.max` extra times; logs every attempt like Consul's retry joiner.
pub async fn retry_join(pool: Arc<LanPool>, r: RetryJoin) -> RetryOutcome {
    if r.addrs.is_empty() {
        return RetryOutcome::Joined(0);
    }
    tracing::info!(cluster = "LAN", "agent: Joining cluster...");
    let mut attempt: u32 = 0;
    loop {
        if pool.is_stopped() {
            return RetryOutcome::Stopped;
        }
        match pool.join(&r.addrs).await {
            Ok(n) => {
                tracing::info!(
                    cluster = "LAN",
                    num_agents = n,
                    "agent: Join cluster completed. Synced with initial agents"
                );
                return RetryOutcome::Joined(n);
            }
            Err(LanError::Stopped) => return RetryOutcome::Stopped,
            Err(e) => {
                attempt += 1;
                if r.max > 0 && attempt > r.max {
                    tracing::error!(cluster = "LAN", error = %e, "agent: max join LAN retry exhausted, exiting");
                    return RetryOutcome::Exhausted;
                }
                tracing::warn!(
                    cluster = "LAN",
                    retry_interval = ?r.interval,
                    error = %e,
                    "agent: Join cluster failed, will retry"
                );
            }
        }
        tokio::time::sleep(r.interval).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn addresses_get_the_default_port() {
        let a = |s: &str| s.parse::<SocketAddr>().unwrap();
        assert_eq!(
            resolve("127.0.0.2", 8301).await.unwrap(),
            vec![a("127.0.0.2:8301")]
        );
        assert_eq!(
            resolve("127.0.0.2:9000", 8301).await.unwrap(),
            vec![a("127.0.0.2:9000")]
        );
        assert_eq!(resolve("[::1]", 8301).await.unwrap(), vec![a("[::1]:8301")]);
        assert!(resolve("localhost", 8301)
            .await
            .unwrap()
            .iter()
            .all(|s| s.port() == 8301));
        assert!(resolve("no such host.invalid", 8301).await.is_err());
    }
}
