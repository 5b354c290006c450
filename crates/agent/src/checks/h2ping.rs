//! H2PING checks: open an HTTP/2 connection and send a PING frame; an answer
//! within the timeout is passing.

use std::time::Duration;

use consul_types::catalog::status;

use super::{h2conn, Probe};

/// Ping `addr` once.
pub async fn probe(addr: &str, tls: bool, skip_verify: bool, timeout: Duration) -> Probe {
    let run = async {
        let (_send, mut conn) = h2conn::connect(addr, tls, skip_verify, timeout).await?;
        let mut ping = conn.ping_pong().ok_or("ping already taken")?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        ping.ping(h2::Ping::opaque())
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    match tokio::time::timeout(timeout, run).await {
        Ok(Ok(())) => Probe {
            status: status::PASSING,
            output: "HTTP2 ping was successful".into(),
        },
        Ok(Err(e)) => Probe::critical(format!("HTTP2 ping to {addr} failed: {e}")),
        Err(_) => Probe::critical(format!("HTTP2 ping to {addr} timed out")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn h2c_server_answers_ping_and_plain_tcp_does_not() {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap().to_string();
        tokio::spawn(async move {
            let (s, _) = l.accept().await.unwrap();
            let mut conn = h2::server::handshake(s).await.unwrap();
            while conn.accept().await.is_some() {}
        });
        let p = probe(&addr, false, false, Duration::from_secs(5)).await;
        assert_eq!(p.status, status::PASSING, "{}", p.output);

        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap().to_string();
        tokio::spawn(async move {
            let (_s, _) = l.accept().await.unwrap();
            tokio::time::sleep(Duration::from_secs(10)).await;
        });
        assert_eq!(
            probe(&addr, false, false, Duration::from_millis(500))
                .await
                .status,
            status::CRITICAL
        );
    }
}
