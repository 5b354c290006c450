//! TCP checks: passing when a connection opens within the timeout.

use std::time::Duration;

use consul_types::catalog::status;

use super::Probe;

/// Try to connect to `addr` (`host:port`).
pub async fn probe(addr: &str, timeout: Duration) -> Probe {
    match tokio::time::timeout(timeout, tokio::net::TcpStream::connect(addr)).await {
        Ok(Ok(_)) => Probe {
            status: status::PASSING,
            output: format!("TCP connect {addr}: Success"),
        },
        Ok(Err(e)) => Probe::critical(format!("dial tcp {addr}: {e}")),
        Err(_) => Probe::critical(format!("dial tcp {addr}: i/o timeout")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn open_port_passes_closed_port_fails() {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap().to_string();
        assert_eq!(
            probe(&addr, Duration::from_secs(5)).await.status,
            status::PASSING
        );
        drop(l);
        let p = probe(&addr, Duration::from_secs(5)).await;
        assert_eq!(p.status, status::CRITICAL);
        assert!(p.output.starts_with("dial tcp"), "{}", p.output);
    }
}
