//! The client side: a pool with one multiplexed connection per server (a stream per call,
//! redialed when it breaks, closed when idle) and a few dedicated Raft connections per peer.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use super::error::{CallError, FrameError, WireError};
use super::frame::{self, DEFAULT_MAX_FRAME, MAX_RAFT_FRAME};
use super::mux::{ClientStream, MuxClient};
use super::protocol::RpcType;
use super::raft::{RaftReply, RaftRpc};
use super::request::RpcRequest;
use super::response::RpcResponse;

/// Consul's `RPCClientTimeout`: the timeout of a call that does not block.
pub const DEFAULT_RPC_TIMEOUT: Duration = Duration::from_secs(60);

/// Settings of a [`ConnPool`].
#[derive(Debug, Clone)]
pub struct PoolConfig {
    /// How long a TCP connect may take (Consul: 10 s).
    pub dial_timeout: Duration,
    /// Close a connection unused for this long (Consul: 2 min).
    pub idle_timeout: Duration,
    /// Largest response frame accepted on multiplexed streams.
    pub max_frame: usize,
    /// Largest response frame accepted on Raft connections.
    pub max_raft_frame: usize,
    /// Idle Raft connections kept per peer (hashicorp/raft: 3).
    pub max_idle_raft_conns: usize,
}

impl Default for PoolConfig {
    fn default() -> Self {
        PoolConfig {
            dial_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(120),
            max_frame: DEFAULT_MAX_FRAME,
            max_raft_frame: MAX_RAFT_FRAME,
            max_idle_raft_conns: 3,
        }
    }
}

/// Counters of a pool, for tests and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// Multiplexed connections currently pooled.
    pub mux_conns: usize,
    /// Idle Raft connections currently pooled.
    pub idle_raft_conns: usize,
    /// TCP connections dialed so far.
    pub dials: u64,
}

/// Connections to servers, keyed by address. Cheap to clone (clones share connections).
#[derive(Clone)]
pub struct ConnPool {
    inner: Arc<Inner>,
}

struct Inner {
    cfg: PoolConfig,
    mux: Mutex<HashMap<SocketAddr, Arc<Slot>>>,
    raft: Mutex<HashMap<SocketAddr, Vec<(TcpStream, Instant)>>>,
    dials: AtomicU64,
    shut: AtomicBool,
}

/// One server's multiplexed connection; the async lock makes concurrent callers share a dial.
#[derive(Default)]
struct Slot {
    conn: tokio::sync::Mutex<Option<Arc<Entry>>>,
}

struct Entry {
    client: MuxClient,
    in_flight: AtomicUsize,
    last_used: Mutex<Instant>,
}

impl Entry {
    fn touch(&self) {
        *self.last_used.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
    }
    fn idle_for(&self) -> Duration {
        self.last_used
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .elapsed()
    }
}

/// Counts a call in flight on an entry for as long as it lives.
struct InFlight(Arc<Entry>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.touch();
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl ConnPool {
    /// A new pool; starts a background task (on the current tokio runtime) that closes idle
    /// connections.
    pub fn new(cfg: PoolConfig) -> ConnPool {
        let inner = Arc::new(Inner {
            cfg,
            mux: Mutex::default(),
            raft: Mutex::default(),
            dials: AtomicU64::new(0),
            shut: AtomicBool::new(false),
        });
        tokio::spawn(reap_idle(Arc::downgrade(&inner)));
        ConnPool { inner }
    }

    /// The pool's settings.
    pub fn config(&self) -> &PoolConfig {
        &self.inner.cfg
    }

    /// Current counters.
    pub fn stats(&self) -> PoolStats {
        PoolStats {
            mux_conns: lock(&self.inner.mux).len(),
            idle_raft_conns: lock(&self.inner.raft).values().map(Vec::len).sum(),
            dials: self.inner.dials.load(Ordering::Relaxed),
        }
    }

    /// Closes every connection; later calls fail with [`CallError::Shutdown`].
    pub fn shutdown(&self) {
        self.inner.shut.store(true, Ordering::Release);
        lock(&self.inner.mux).clear();
        lock(&self.inner.raft).clear();
    }

    /// Calls `addr` with Consul's timeout rule for `req` (see [`RpcRequest::timeout`]),
    /// given the caller's `rpc_hold_timeout`.
    pub async fn call_with_hold(
        &self,
        addr: SocketAddr,
        req: &RpcRequest,
        hold: Duration,
    ) -> Result<RpcResponse, CallError> {
        let timeout = req.timeout(hold, DEFAULT_RPC_TIMEOUT);
        self.call(addr, req, timeout).await
    }

    /// Sends `req` to the server at `addr` on a new stream of the pooled connection (dialing
    /// or redialing it as needed) and waits up to `timeout` for the answer. An error the
    /// remote endpoint returned comes back as [`CallError::Remote`].
    pub async fn call(
        &self,
        addr: SocketAddr,
        req: &RpcRequest,
        timeout: Duration,
    ) -> Result<RpcResponse, CallError> {
        let bytes = frame::encode(req).map_err(|source| CallError::Frame {
            addr: addr.to_string(),
            source,
        })?;
        match tokio::time::timeout(timeout, self.call_encoded(addr, &bytes)).await {
            Ok(r) => r,
            Err(_) => Err(CallError::Timeout {
                addr: addr.to_string(),
                timeout,
            }),
        }
    }

    async fn call_encoded(&self, addr: SocketAddr, bytes: &[u8]) -> Result<RpcResponse, CallError> {
        let io_err = |reason: String| CallError::Io {
            addr: addr.to_string(),
            reason,
        };
        let (entry, mut stream) = self.open_stream(addr).await?;
        let _guard = InFlight(entry.clone());
        let result = async {
            stream.io.write_all(bytes).await?;
            stream.io.flush().await?;
            frame::read_frame::<_, Result<RpcResponse, WireError>>(
                &mut stream.io,
                self.inner.cfg.max_frame,
            )
            .await
        }
        .await;
        match result {
            Ok(Ok(resp)) => Ok(resp),
            Ok(Err(w)) => Err(CallError::Remote(w.into())),
            Err(FrameError::Io(e)) => {
                self.forget_if_dead(addr, &entry);
                Err(io_err(e.to_string()))
            }
            Err(FrameError::Closed) => {
                self.forget_if_dead(addr, &entry);
                Err(io_err("connection closed before the answer".into()))
            }
            Err(source) => Err(CallError::Frame {
                addr: addr.to_string(),
                source,
            }),
        }
    }

    /// A stream on the pooled connection to `addr`; a connection that fails to open one is
    /// replaced once.
    async fn open_stream(&self, addr: SocketAddr) -> Result<(Arc<Entry>, ClientStream), CallError> {
        let mut last = String::new();
        for _ in 0..2 {
            let entry = self.mux_conn(addr).await?;
            entry.in_flight.fetch_add(1, Ordering::AcqRel);
            match entry.client.open().await {
                // The caller's `InFlight` guard takes over the count.
                Ok(s) => return Ok((entry, s)),
                Err(e) => {
                    entry.in_flight.fetch_sub(1, Ordering::AcqRel);
                    last = e;
                    self.forget(addr, &entry);
                }
            }
        }
        Err(CallError::Io {
            addr: addr.to_string(),
            reason: last,
        })
    }

    async fn mux_conn(&self, addr: SocketAddr) -> Result<Arc<Entry>, CallError> {
        if self.inner.shut.load(Ordering::Acquire) {
            return Err(CallError::Shutdown);
        }
        let slot = lock(&self.inner.mux).entry(addr).or_default().clone();
        let mut conn = slot.conn.lock().await;
        if let Some(e) = conn.as_ref() {
            if e.client.is_alive() {
                return Ok(e.clone());
            }
        }
        let sock = self.dial(addr, RpcType::MultiplexV2).await?;
        let entry = Arc::new(Entry {
            client: MuxClient::start(sock),
            in_flight: AtomicUsize::new(0),
            last_used: Mutex::new(Instant::now()),
        });
        *conn = Some(entry.clone());
        drop(conn);
        // The reaper may have dropped the slot while we dialed: make sure it is pooled.
        lock(&self.inner.mux).entry(addr).or_insert(slot);
        Ok(entry)
    }

    fn forget(&self, addr: SocketAddr, entry: &Arc<Entry>) {
        let mut map = lock(&self.inner.mux);
        let Some(slot) = map.get(&addr).cloned() else {
            return;
        };
        let Ok(mut c) = slot.conn.try_lock() else {
            // Someone is already replacing it.
            return;
        };
        if c.as_ref().is_some_and(|c| Arc::ptr_eq(c, entry)) {
            *c = None;
            drop(c);
            map.remove(&addr);
        }
    }

    fn forget_if_dead(&self, addr: SocketAddr, entry: &Arc<Entry>) {
        if !entry.client.is_alive() {
            self.forget(addr, entry);
        }
    }

    async fn dial(&self, addr: SocketAddr, kind: RpcType) -> Result<TcpStream, CallError> {
        let dial_err = |reason: String| CallError::Dial {
            addr: addr.to_string(),
            reason,
        };
        self.inner.dials.fetch_add(1, Ordering::Relaxed);
        let mut sock = tokio::time::timeout(self.inner.cfg.dial_timeout, TcpStream::connect(addr))
            .await
            .map_err(|_| dial_err("connect timed out".into()))?
            .map_err(|e| dial_err(e.to_string()))?;
        let _ = sock.set_nodelay(true);
        sock.write_all(&[kind.as_byte()])
            .await
            .map_err(|e| dial_err(e.to_string()))?;
        Ok(sock)
    }

    /// Sends a Raft request on a dedicated `RPCRaft` connection to `addr` (taken from the
    /// idle ones or dialed) and waits up to `timeout`. A reused connection that turns out
    /// broken is replaced once (Raft requests are safe to resend).
    pub async fn raft_call(
        &self,
        addr: SocketAddr,
        req: &RaftRpc,
        timeout: Duration,
    ) -> Result<RaftReply, CallError> {
        let bytes = frame::encode(req).map_err(|source| CallError::Frame {
            addr: addr.to_string(),
            source,
        })?;
        let body_len = bytes.len() - frame::HEADER_LEN;
        if body_len > self.inner.cfg.max_raft_frame {
            // The peer would refuse it (and we would resend it forever).
            return Err(CallError::Frame {
                addr: addr.to_string(),
                source: FrameError::TooLarge {
                    len: body_len,
                    max: self.inner.cfg.max_raft_frame,
                },
            });
        }
        let attempt = async {
            let mut reused = true;
            loop {
                if self.inner.shut.load(Ordering::Acquire) {
                    return Err(CallError::Shutdown);
                }
                let idle = lock(&self.inner.raft)
                    .get_mut(&addr)
                    .and_then(|v| v.pop())
                    .map(|(s, _)| s);
                let mut sock = match idle {
                    Some(s) => s,
                    None => {
                        reused = false;
                        self.dial(addr, RpcType::Raft).await?
                    }
                };
                match self.raft_exchange(&mut sock, &bytes).await {
                    Ok(reply) => {
                        let mut map = lock(&self.inner.raft);
                        let idle = map.entry(addr).or_default();
                        if idle.len() < self.inner.cfg.max_idle_raft_conns {
                            idle.push((sock, Instant::now()));
                        }
                        return reply.map_err(|w| CallError::Remote(w.into()));
                    }
                    Err(e) if reused && !matches!(e, FrameError::TooLarge { .. }) => {
                        reused = false;
                        tracing::debug!("rpc: stale raft connection to {addr}: {e}");
                    }
                    Err(FrameError::Io(e)) => {
                        return Err(CallError::Io {
                            addr: addr.to_string(),
                            reason: e.to_string(),
                        })
                    }
                    Err(FrameError::Closed) => {
                        return Err(CallError::Io {
                            addr: addr.to_string(),
                            reason: "connection closed before the answer".into(),
                        })
                    }
                    Err(source) => {
                        return Err(CallError::Frame {
                            addr: addr.to_string(),
                            source,
                        })
                    }
                }
            }
        };
        match tokio::time::timeout(timeout, attempt).await {
            Ok(r) => r,
            Err(_) => Err(CallError::Timeout {
                addr: addr.to_string(),
                timeout,
            }),
        }
    }

    async fn raft_exchange(
        &self,
        sock: &mut TcpStream,
        bytes: &[u8],
    ) -> Result<Result<RaftReply, WireError>, FrameError> {
        sock.write_all(bytes).await?;
        frame::read_frame(sock, self.inner.cfg.max_raft_frame).await
    }
}

/// Closes connections idle for longer than the pool's `idle_timeout`, until the pool is gone.
async fn reap_idle(pool: Weak<Inner>) {
    let period = match pool.upgrade() {
        Some(p) => (p.cfg.idle_timeout / 2).max(Duration::from_millis(10)),
        None => return,
    };
    loop {
        tokio::time::sleep(period).await;
        let Some(inner) = pool.upgrade() else { return };
        let idle = inner.cfg.idle_timeout;
        lock(&inner.mux).retain(|_, slot| match slot.conn.try_lock() {
            Ok(c) => match c.as_ref() {
                Some(e) => {
                    e.client.is_alive()
                        && (e.in_flight.load(Ordering::Acquire) > 0 || e.idle_for() < idle)
                }
                None => false,
            },
            // Someone is dialing.
            Err(_) => true,
        });
        for conns in lock(&inner.raft).values_mut() {
            conns.retain(|(_, since)| since.elapsed() < idle);
        }
        lock(&inner.raft).retain(|_, v| !v.is_empty());
    }
}
