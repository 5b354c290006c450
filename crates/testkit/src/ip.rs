//! Loopback address leases shared between test processes through lock files.

use std::fs::{File, OpenOptions};
use std::net::{Ipv4Addr, TcpListener};
use std::path::PathBuf;

/// Directory of the lock files, one per leased address.
const LOCK_DIR: &str = "/tmp/consul-testkit";

/// Consul's standard TCP ports; a lease is only handed out when all are free
/// on its address (a stray agent from a crashed run may still hold them).
const PORTS: [u16; 4] = [8500, 8300, 8301, 8302];

/// A 127.0.x.y address reserved for this process until the lease drops.
///
/// The reservation is an exclusive lock on `/tmp/consul-testkit/<ip>.lock`,
/// so it holds across test binaries running in parallel and is released by
/// the kernel if the process dies.
#[derive(Debug)]
pub struct IpLease {
    ip: Ipv4Addr,
    _lock: File,
    path: PathBuf,
}

impl IpLease {
    /// The leased address.
    pub fn ip(&self) -> Ipv4Addr {
        self.ip
    }

    /// The lock file backing the lease.
    pub fn lock_path(&self) -> &std::path::Path {
        &self.path
    }
}

impl std::fmt::Display for IpLease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.ip.fmt(f)
    }
}

/// Lease a free address in 127.0.1.1 – 127.0.254.254 (127.0.0.x is left to
/// people running agents by hand). Panics if none is free, which would mean
/// tens of thousands of concurrent leases.
pub fn reserve_ip() -> IpLease {
    std::fs::create_dir_all(LOCK_DIR).expect("create lock dir");
    const SPAN: u32 = 254 * 254;
    // Start at a point that differs between processes and between calls,
    // so concurrent binaries rarely contend for the same lock.
    let seed = std::process::id().wrapping_mul(7919)
        ^ std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
    for i in 0..SPAN {
        let n = (seed.wrapping_add(i)) % SPAN;
        let ip = Ipv4Addr::new(127, 0, (n / 254 + 1) as u8, (n % 254 + 1) as u8);
        if let Some(lease) = try_lease(ip) {
            return lease;
        }
    }
    panic!("no free 127.0.x.y address left");
}

fn try_lease(ip: Ipv4Addr) -> Option<IpLease> {
    let path = PathBuf::from(format!("{LOCK_DIR}/{ip}.lock"));
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .ok()?;
    file.try_lock().ok()?;
    // The lock is ours; make sure no leftover process holds the ports.
    for port in PORTS {
        TcpListener::bind((ip, port)).ok()?;
    }
    Some(IpLease {
        ip,
        _lock: file,
        path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn leases_never_collide() {
        let leases: Vec<IpLease> = (0..50).map(|_| reserve_ip()).collect();
        let ips: HashSet<Ipv4Addr> = leases.iter().map(|l| l.ip()).collect();
        assert_eq!(ips.len(), leases.len());
        for l in &leases {
            assert_eq!(l.ip().octets()[0], 127);
            assert_ne!(l.ip().octets()[2], 0);
        }
    }

    #[test]
    fn a_held_lease_cannot_be_taken_again() {
        let a = reserve_ip();
        assert!(try_lease(a.ip()).is_none());
        let ip = a.ip();
        drop(a);
        assert!(try_lease(ip).is_some());
    }

    #[test]
    fn leases_from_threads_are_distinct() {
        let handles: Vec<_> = (0..8)
            .map(|_| std::thread::spawn(|| (0..10).map(|_| reserve_ip()).collect::<Vec<_>>()))
            .collect();
        let all: Vec<IpLease> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        let ips: HashSet<Ipv4Addr> = all.iter().map(|l| l.ip()).collect();
        assert_eq!(ips.len(), all.len());
    }
}
