//! What we know about one member.

use crate::codec::NodeState;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

/// A member as reported to the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Node name.
    pub name: String,
    /// Gossip address.
    pub addr: SocketAddr,
    /// Metadata (serf tags).
    pub meta: Vec<u8>,
    /// Incarnation number.
    pub incarnation: u32,
    /// Alive, suspect, dead or left.
    pub state: NodeState,
    /// When the state last changed (core time).
    pub state_change: Duration,
    /// `[pmin, pmax, pcur, dmin, dmax, dcur]`.
    pub vsn: [u8; 6],
}

impl Member {
    /// Dead or left.
    pub fn is_dead_or_left(&self) -> bool {
        matches!(self.state, NodeState::Dead | NodeState::Left)
    }

    /// Highest memberlist protocol the member speaks.
    pub fn protocol_max(&self) -> u8 {
        self.vsn[1]
    }
}

/// Parse wire IP bytes (4 or 16) and a port.
pub fn socket_addr(ip: &[u8], port: u16) -> Option<SocketAddr> {
    let ip = match ip.len() {
        4 => IpAddr::V4(Ipv4Addr::new(ip[0], ip[1], ip[2], ip[3])),
        16 => {
            let mut b = [0u8; 16];
            b.copy_from_slice(ip);
            let v6 = Ipv6Addr::from(b);
            match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => IpAddr::V6(v6),
            }
        }
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

/// IP bytes for the wire (4 bytes for IPv4, 16 for IPv6).
pub fn ip_bytes(addr: &SocketAddr) -> Vec<u8> {
    match addr.ip() {
        IpAddr::V4(v4) => v4.octets().to_vec(),
        IpAddr::V6(v6) => v6.octets().to_vec(),
    }
}

/// Versions from wire bytes; missing entries are filled from `DEFAULT_VSN`.
pub fn vsn_array(v: &[u8]) -> [u8; 6] {
    let mut out = super::config::DEFAULT_VSN;
    for (o, b) in out.iter_mut().zip(v) {
        *o = *b;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addr_conversions() {
        let a: SocketAddr = "127.0.0.5:8301".parse().unwrap();
        assert_eq!(socket_addr(&ip_bytes(&a), 8301), Some(a));
        let mut mapped = vec![0u8; 10];
        mapped.extend_from_slice(&[0xff, 0xff, 127, 0, 0, 5]);
        assert_eq!(socket_addr(&mapped, 8301), Some(a));
        assert_eq!(socket_addr(&[1, 2, 3], 1), None);
    }
}
