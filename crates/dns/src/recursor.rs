//! Forwarding names outside the domain to the configured recursors.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use rand::seq::SliceRandom;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::time::timeout;

use crate::config::{DnsConfig, RecursorStrategy};
use crate::error::DnsError;

/// RCODE values that count as an answer (NOERROR, NXDOMAIN); anything else
/// moves on to the next recursor.
const ACCEPTED_RCODES: [u8; 2] = [0, 3];

/// Forward the raw `query` (from a client that used TCP if `tcp`) to the
/// recursors in the configured order. Returns the first acceptable reply,
/// with the client's id and RA set.
pub async fn forward(cfg: &DnsConfig, query: &[u8], tcp: bool) -> Result<Vec<u8>, DnsError> {
    if cfg.recursors.is_empty() {
        return Err(DnsError::NoRecursors);
    }
    if query.len() < 12 {
        return Err(DnsError::Malformed("short query"));
    }
    let mut order: Vec<SocketAddr> = cfg.recursors.clone();
    if cfg.recursor_strategy == RecursorStrategy::Random {
        order.shuffle(&mut rand::thread_rng());
    }
    let client_id = [query[0], query[1]];
    for upstream in order {
        match exchange(upstream, query, tcp, cfg.recursor_timeout).await {
            Ok(mut reply) if ACCEPTED_RCODES.contains(&(reply[3] & 0x0f)) => {
                reply[0] = client_id[0];
                reply[1] = client_id[1];
                reply[3] |= 0x80; // RA
                return Ok(reply);
            }
            Ok(reply) => {
                tracing::warn!(%upstream, rcode = reply[3] & 0x0f, "recursor answered with an error");
            }
            Err(e) => tracing::warn!(%upstream, error = %e, "recursor failed"),
        }
    }
    Err(DnsError::RecursorsFailed)
}

/// One exchange with one recursor: UDP first, TCP if the reply is truncated
/// and the client itself came over TCP.
async fn exchange(
    upstream: SocketAddr,
    query: &[u8],
    tcp: bool,
    limit: Duration,
) -> io::Result<Vec<u8>> {
    let id: u16 = rand::random();
    let mut q = query.to_vec();
    q[..2].copy_from_slice(&id.to_be_bytes());
    let reply = timeout(limit, exchange_udp(upstream, &q, id))
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "udp timeout"))??;
    let truncated = reply[2] & 0x02 != 0;
    if truncated && tcp {
        return timeout(limit, exchange_tcp(upstream, &q, id))
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "tcp timeout"))?;
    }
    Ok(reply)
}

/// The local address to send from: loopback for a loopback recursor.
fn local_for(upstream: SocketAddr) -> SocketAddr {
    let ip = match upstream.ip() {
        IpAddr::V4(v4) if v4.is_loopback() => IpAddr::V4(v4),
        IpAddr::V6(v6) if v6.is_loopback() => IpAddr::V6(v6),
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    };
    SocketAddr::new(ip, 0)
}

/// Whether `reply` answers query `id`.
fn matches(reply: &[u8], id: u16) -> bool {
    reply.len() >= 12 && reply[..2] == id.to_be_bytes() && reply[2] & 0x80 != 0
}

async fn exchange_udp(upstream: SocketAddr, q: &[u8], id: u16) -> io::Result<Vec<u8>> {
    let sock = UdpSocket::bind(local_for(upstream)).await?;
    sock.connect(upstream).await?;
    sock.send(q).await?;
    let mut buf = vec![0u8; 65535];
    loop {
        let n = sock.recv(&mut buf).await?;
        if matches(&buf[..n], id) {
            buf.truncate(n);
            return Ok(buf);
        }
    }
}

async fn exchange_tcp(upstream: SocketAddr, q: &[u8], id: u16) -> io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(upstream).await?;
    let len = u16::try_from(q.len()).map_err(|_| io::Error::other("query too long"))?;
    let mut framed = Vec::with_capacity(q.len() + 2);
    framed.extend_from_slice(&len.to_be_bytes());
    framed.extend_from_slice(q);
    stream.write_all(&framed).await?;
    loop {
        let len = stream.read_u16().await? as usize;
        let mut buf = vec![0u8; len];
        stream.read_exact(&mut buf).await?;
        if matches(&buf, id) {
            return Ok(buf);
        }
    }
}
