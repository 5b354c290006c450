//! How a client agent reaches the servers (Consul's `router.Manager`): the
//! alive servers of its datacenter, learned from LAN gossip, in a shuffled
//! order; calls go to the first, and a server that fails a call moves to the
//! back. Requests travel over the connection pool of the server port, with
//! Consul's client-side retry rule while `rpc_hold_timeout` lasts.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use consul_gossip::serf::{MemberStatus, SerfEvent, SerfMember};
use consul_server::rpc::{can_retry, CallError, ConnPool, PoolConfig, RpcRequest, RpcResponse};
use consul_server::server::RPC_HOLD_TIMEOUT;
use consul_server::RpcError;
use rand::Rng;
use tokio::sync::broadcast::error::RecvError;

use crate::lan::LanPool;

/// How often the server list is rebuilt from the member list even without
/// events (covers a lagged event stream).
const REFRESH_INTERVAL: Duration = Duration::from_secs(5);

/// One server a client can call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerEntry {
    /// Node name.
    pub name: String,
    /// Server RPC address (member address, `port` tag).
    pub addr: SocketAddr,
}

/// The servers of a client agent's datacenter and the pool to call them.
pub struct ServerRouter {
    datacenter: String,
    servers: Mutex<Vec<ServerEntry>>,
    pool: ConnPool,
}

/// The server a gossip member stands for, if it is an alive server of `dc`.
pub fn server_of(m: &SerfMember, dc: &str) -> Option<ServerEntry> {
    let tag = |k: &str| m.tags.get(k).map(String::as_str);
    if tag("role") != Some("consul") || tag("dc") != Some(dc) || m.status != MemberStatus::Alive {
        return None;
    }
    let port = tag("port")?.parse().ok()?;
    Some(ServerEntry {
        name: m.name.clone(),
        addr: SocketAddr::new(m.addr.ip(), port),
    })
}

impl ServerRouter {
    /// An empty router for datacenter `dc`.
    pub fn new(dc: &str) -> Arc<ServerRouter> {
        Arc::new(ServerRouter {
            datacenter: dc.to_string(),
            servers: Mutex::new(Vec::new()),
            pool: ConnPool::new(PoolConfig::default()),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<ServerEntry>> {
        self.servers.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The servers known now, in calling order.
    pub fn servers(&self) -> Vec<ServerEntry> {
        self.lock().clone()
    }

    /// Make the known servers exactly `alive`, keeping the order of those
    /// already known and inserting new ones at random positions (so clients
    /// spread over the servers).
    pub fn set_servers(&self, alive: Vec<ServerEntry>) {
        let mut list = self.lock();
        list.retain(|s| alive.contains(s));
        let mut rng = rand::thread_rng();
        for s in alive {
            if !list.contains(&s) {
                let at = rng.gen_range(0..=list.len());
                list.insert(at, s);
            }
        }
    }

    /// Rebuild the list from gossip members.
    pub fn update_from_members(&self, members: &[SerfMember]) {
        let alive = members
            .iter()
            .filter_map(|m| server_of(m, &self.datacenter))
            .collect();
        self.set_servers(alive);
    }

    /// The server to call next.
    fn pick(&self) -> Option<ServerEntry> {
        self.lock().first().cloned()
    }

    /// Move a server that failed a call to the back of the list.
    fn notify_failed(&self, addr: SocketAddr) {
        let mut list = self.lock();
        if let Some(pos) = list.iter().position(|s| s.addr == addr) {
            let s = list.remove(pos);
            list.push(s);
        }
    }

    /// Send `req` to a server. With no known server the call fails at once
    /// with "No known Consul servers" (as Consul's client does); a call that
    /// could not have run (no connection, or no leader yet), or a read that
    /// broke in flight, is retried on the next server after a short jitter
    /// until `rpc_hold_timeout` has passed. Writes that broke in flight are
    /// not retried: they may have been applied.
    pub async fn call(&self, req: RpcRequest) -> Result<RpcResponse, RpcError> {
        let start = Instant::now();
        let mut unreachable = 0;
        loop {
            let server = self.pick().ok_or(RpcError::NoServers)?;
            let err = match self
                .pool
                .call_with_hold(server.addr, &req, RPC_HOLD_TIMEOUT)
                .await
            {
                Ok(resp) => return Ok(resp),
                Err(e) => e,
            };
            tracing::debug!(server = %server.name, error = %err, "agent: RPC failed to server");
            if err.is_transport() {
                self.notify_failed(server.addr);
            }
            // A server we could not reach is down: try the next one at once,
            // once per known server; otherwise wait a jitter first.
            let next_at_once = matches!(err, CallError::Dial { .. }) && {
                unreachable += 1;
                unreachable < self.lock().len()
            };
            let jitter = if next_at_once {
                Duration::ZERO
            } else {
                rand::thread_rng().gen_range(Duration::ZERO..RPC_HOLD_TIMEOUT / 16)
            };
            if !can_retry(&req, &err) || start.elapsed() + jitter >= RPC_HOLD_TIMEOUT {
                return Err(err.into());
            }
            tokio::time::sleep(jitter).await;
        }
    }

    /// Close pooled connections.
    pub fn shutdown(&self) {
        self.pool.shutdown();
    }

    /// Keep the server list in step with LAN gossip until the pool stops.
    pub async fn track(self: Arc<Self>, lan: Arc<LanPool>) {
        let mut events = lan.subscribe();
        loop {
            if let Ok(ms) = lan.members().await {
                self.update_from_members(&ms);
            }
            tokio::select! {
                ev = events.recv() => match ev {
                    Ok(SerfEvent::User(_)) => {}
                    Ok(_) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => return,
                },
                _ = tokio::time::sleep(REFRESH_INTERVAL) => {}
            }
            if lan.is_stopped() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use consul_server::endpoints::kv::{KeyRequest, KvRpc};
    use std::collections::BTreeMap;

    fn member(name: &str, ip: &str, role: &str, dc: &str, status: MemberStatus) -> SerfMember {
        let tags = BTreeMap::from([
            ("role".to_string(), role.to_string()),
            ("dc".to_string(), dc.to_string()),
            ("port".to_string(), "8300".to_string()),
        ]);
        SerfMember {
            name: name.into(),
            addr: format!("{ip}:8301").parse().unwrap(),
            tags,
            status,
            vsn: [1, 5, 2, 2, 5, 4],
            status_ltime: 1,
            leave_time: None,
        }
    }

    #[tokio::test]
    async fn only_alive_servers_of_our_datacenter_are_used() {
        let r = ServerRouter::new("dc1");
        r.update_from_members(&[
            member("s1", "127.0.0.1", "consul", "dc1", MemberStatus::Alive),
            member("s2", "127.0.0.2", "consul", "dc1", MemberStatus::Failed),
            member("s3", "127.0.0.3", "consul", "dc2", MemberStatus::Alive),
            member("c1", "127.0.0.4", "node", "dc1", MemberStatus::Alive),
        ]);
        let names: Vec<_> = r.servers().into_iter().map(|s| s.name).collect();
        assert_eq!(names, ["s1"]);
        assert_eq!(r.servers()[0].addr, "127.0.0.1:8300".parse().unwrap());
    }

    #[tokio::test]
    async fn a_failed_server_moves_to_the_back_and_order_survives_updates() {
        let r = ServerRouter::new("dc1");
        let ms = [
            member("s1", "127.0.0.1", "consul", "dc1", MemberStatus::Alive),
            member("s2", "127.0.0.2", "consul", "dc1", MemberStatus::Alive),
            member("s3", "127.0.0.3", "consul", "dc1", MemberStatus::Alive),
        ];
        r.update_from_members(&ms);
        let first = r.pick().unwrap();
        r.notify_failed(first.addr);
        let order = r.servers();
        assert_eq!(order.last(), Some(&first));
        assert_ne!(r.pick(), Some(first.clone()));
        r.update_from_members(&ms);
        assert_eq!(
            r.servers(),
            order,
            "an update keeps the order of known servers"
        );
        r.update_from_members(&ms[..2]);
        assert_eq!(r.servers().len(), 2);
    }

    #[tokio::test]
    async fn no_known_server_fails_at_once() {
        let r = ServerRouter::new("dc1");
        let req = RpcRequest::Kv(KvRpc::Get(KeyRequest::default()));
        assert_eq!(r.call(req).await.unwrap_err(), RpcError::NoServers);
    }
}
