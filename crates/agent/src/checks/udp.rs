//! UDP checks, as Consul does them: send a datagram; an answer or silence
//! until the timeout is passing, an ICMP error (seen as a refused receive) is
//! critical.

use std::time::Duration;

use consul_types::catalog::status;

use super::Probe;

/// Probe `addr` (`host:port`).
pub async fn probe(addr: &str, timeout: Duration) -> Probe {
    let sock = match tokio::net::UdpSocket::bind(if addr.starts_with('[') {
        "[::]:0"
    } else {
        "0.0.0.0:0"
    })
    .await
    {
        Ok(s) => s,
        Err(e) => return Probe::critical(format!("udp socket: {e}")),
    };
    if let Err(e) = sock.connect(addr).await {
        return Probe::critical(format!("dial udp {addr}: {e}"));
    }
    if let Err(e) = sock.send(b"consul udp check").await {
        return Probe::critical(format!("write udp {addr}: {e}"));
    }
    let mut buf = [0u8; 1024];
    match tokio::time::timeout(timeout, sock.recv(&mut buf)).await {
        Ok(Ok(_)) => Probe {
            status: status::PASSING,
            output: format!("UDP message received from {addr}"),
        },
        Ok(Err(e)) => Probe::critical(format!("read udp {addr}: {e}")),
        Err(_) => Probe {
            status: status::PASSING,
            output: format!("UDP sent to {addr}: no answer, no error"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn closed_port_is_critical_listening_port_passes() {
        let s = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = s.local_addr().unwrap().to_string();
        assert_eq!(
            probe(&addr, Duration::from_millis(300)).await.status,
            status::PASSING
        );
        drop(s);
        assert_eq!(
            probe(&addr, Duration::from_millis(300)).await.status,
            status::CRITICAL
        );
    }
}
