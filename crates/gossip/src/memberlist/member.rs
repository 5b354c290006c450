//! What we know about one member.

use crate::codec::NodeState;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
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

/// A member as the member table stores it, under its name (the table key,
/// an `Arc<str>` shared with the probe order and the broadcast queue):
/// 56 bytes with the address packed and the metadata shared, where a
/// [`Member`] takes 112 plus its own name and metadata allocations. The
/// core holds one per known member, so this is the simulator's n² term.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    /// Metadata (serf tags), shared.
    pub(crate) meta: Arc<[u8]>,
    /// When the state last changed, in nanoseconds of core time.
    state_change: u64,
    /// Incarnation number.
    pub(crate) incarnation: u32,
    /// IP as an IPv6 (IPv4-mapped for IPv4) address.
    ip: [u8; 16],
    port: u16,
    /// `[pmin, pmax, pcur, dmin, dmax, dcur]`.
    pub(crate) vsn: [u8; 6],
    /// Alive, suspect, dead or left.
    pub(crate) state: NodeState,
}

impl Node {
    /// A record with these fields.
    pub(crate) fn new(
        addr: SocketAddr,
        meta: Arc<[u8]>,
        incarnation: u32,
        state: NodeState,
        state_change: Duration,
        vsn: [u8; 6],
    ) -> Self {
        let mut n = Node {
            meta,
            state_change: 0,
            incarnation,
            ip: [0; 16],
            port: 0,
            vsn,
            state,
        };
        n.set_addr(addr);
        n.set_state_change(state_change);
        n
    }

    /// Gossip address. Addresses come from [`socket_addr`], which maps
    /// IPv4-mapped IPv6 to IPv4 and sets no flow info or scope, so the
    /// packed form gives back exactly what was stored.
    pub(crate) fn addr(&self) -> SocketAddr {
        let v6 = Ipv6Addr::from(self.ip);
        let ip = match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        };
        SocketAddr::new(ip, self.port)
    }

    pub(crate) fn set_addr(&mut self, addr: SocketAddr) {
        self.ip = match addr.ip() {
            IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
            IpAddr::V6(v6) => v6.octets(),
        };
        self.port = addr.port();
    }

    /// When the state last changed (core time).
    pub(crate) fn state_change(&self) -> Duration {
        Duration::from_nanos(self.state_change)
    }

    pub(crate) fn set_state_change(&mut self, t: Duration) {
        self.state_change = u64::try_from(t.as_nanos()).unwrap_or(u64::MAX);
    }

    /// Dead or left.
    pub(crate) fn is_dead_or_left(&self) -> bool {
        matches!(self.state, NodeState::Dead | NodeState::Left)
    }

    /// Highest memberlist protocol the member speaks.
    pub(crate) fn protocol_max(&self) -> u8 {
        self.vsn[1]
    }

    /// The application's view of this record.
    pub(crate) fn to_member(&self, name: &str) -> Member {
        Member {
            name: name.to_string(),
            addr: self.addr(),
            meta: self.meta.to_vec(),
            incarnation: self.incarnation,
            state: self.state,
            state_change: self.state_change(),
            vsn: self.vsn,
        }
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

    #[test]
    fn node_record_round_trips() {
        assert_eq!(std::mem::size_of::<Node>(), 56);
        for a in [
            "127.0.0.5:8301",
            "[2001:db8::7]:7946",
            "[::1]:1",
            "0.0.0.0:0",
        ] {
            let a: SocketAddr = a.parse().unwrap();
            let t = Duration::new(12_345, 678_901_234);
            let n = Node::new(
                a,
                Arc::from(&b"tags"[..]),
                7,
                NodeState::Suspect,
                t,
                [1, 5, 2, 2, 5, 4],
            );
            let m = n.to_member("n1");
            assert_eq!(m.addr, a);
            assert_eq!(m.state_change, t);
            assert_eq!(
                (m.name.as_str(), &m.meta[..], m.incarnation, m.state),
                ("n1", &b"tags"[..], 7, NodeState::Suspect)
            );
            assert_eq!(n.protocol_max(), 5);
        }
    }
}
