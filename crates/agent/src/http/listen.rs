//! Where the HTTP API listens: TCP addresses and unix sockets
//! (`addresses.http = "unix:///path"`), parsed from the config and bound.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, UnixListener};

/// One HTTP listen address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpAddr {
    /// An IP and port.
    Tcp(SocketAddr),
    /// A unix socket path.
    Unix(PathBuf),
}

impl std::fmt::Display for HttpAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HttpAddr::Tcp(a) => write!(f, "{a}"),
            HttpAddr::Unix(p) => write!(f, "unix://{}", p.display()),
        }
    }
}

/// Parse a space-separated address list (`client_addr`, `addresses.http`):
/// IPs get `port`, `unix://<path>` entries are sockets.
pub fn parse_addrs(spec: &str, port: u16) -> Result<Vec<HttpAddr>, String> {
    spec.split_whitespace()
        .map(|entry| match entry.strip_prefix("unix://") {
            Some("") => Err(format!("invalid unix socket address {entry:?}")),
            Some(path) => Ok(HttpAddr::Unix(PathBuf::from(path))),
            None => entry
                .parse::<IpAddr>()
                .map(|ip| HttpAddr::Tcp(SocketAddr::new(ip, port)))
                .map_err(|_| format!("client_addr: invalid IP address {entry:?}")),
        })
        .collect()
}

/// A bound HTTP listener.
pub enum HttpListener {
    /// TCP.
    Tcp(TcpListener),
    /// A unix socket (its file is removed when the listener is dropped).
    Unix(UnixListener, PathBuf),
}

/// A connection accepted by an [`HttpListener`].
pub trait Conn: AsyncRead + AsyncWrite + Unpin + Send + 'static {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + 'static> Conn for T {}

impl HttpListener {
    /// Bind `addr`. A stale socket file left by an earlier run is replaced,
    /// as Consul does.
    pub async fn bind(addr: &HttpAddr) -> std::io::Result<HttpListener> {
        match addr {
            HttpAddr::Tcp(a) => Ok(HttpListener::Tcp(TcpListener::bind(a).await?)),
            HttpAddr::Unix(path) => {
                match std::fs::remove_file(path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(e),
                }
                Ok(HttpListener::Unix(UnixListener::bind(path)?, path.clone()))
            }
        }
    }

    /// Accept the next connection.
    pub async fn accept(&self) -> std::io::Result<Box<dyn Conn>> {
        match self {
            HttpListener::Tcp(l) => {
                let (stream, _) = l.accept().await?;
                let _ = stream.set_nodelay(true);
                Ok(Box::new(stream))
            }
            HttpListener::Unix(l, _) => Ok(Box::new(l.accept().await?.0)),
        }
    }
}

impl Drop for HttpListener {
    fn drop(&mut self) {
        if let HttpListener::Unix(_, path) = self {
            let _ = std::fs::remove_file(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ips_get_the_port_and_unix_entries_are_paths() {
        let addrs = parse_addrs("127.0.0.1 unix:///tmp/c.sock ::1", 8500).unwrap();
        assert_eq!(
            addrs,
            vec![
                HttpAddr::Tcp("127.0.0.1:8500".parse().unwrap()),
                HttpAddr::Unix("/tmp/c.sock".into()),
                HttpAddr::Tcp("[::1]:8500".parse().unwrap()),
            ]
        );
        assert!(parse_addrs("unix://", 8500).is_err());
        assert!(parse_addrs("not-an-ip", 8500).is_err());
    }
}
