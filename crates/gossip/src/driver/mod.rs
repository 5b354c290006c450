//! tokio driver: runs a sans-IO [`Machine`] on a UDP socket and a TCP
//! listener sharing one port.

mod machine;
mod query;

pub use machine::Machine;
pub use query::{QueryError, QueryStream};

use crate::codec::{parse_stream, Message, StreamParse, WireConfig};
use crate::memberlist::{Event, Member, Runtime, Timer};
use crate::serf::query::{QueryEvent, QueryReply};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

/// Errors from the driver.
#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    /// Socket error.
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    /// The driver task has stopped.
    #[error("gossip driver stopped")]
    Stopped,
    /// No address could be joined; why each attempt failed, in
    /// memberlist's words (`Failed to join ADDR: REASON`).
    #[error("{}", join_errors_text(.0))]
    JoinFailed(Vec<JoinError>),
}

/// Why joining one address failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinError {
    /// The address tried.
    pub addr: SocketAddr,
    /// The reason, worded like Go's net errors where we can
    /// (`dial tcp ADDR: connect: connection refused`).
    pub reason: String,
}

impl std::fmt::Display for JoinError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Failed to join {}: {}", self.addr, self.reason)
    }
}

/// Go's multierror text: `N error(s) occurred:\n\t* …\n\n`.
fn join_errors_text(errs: &[JoinError]) -> String {
    let n = errs.len();
    let mut s = if n == 1 {
        "1 error occurred:\n".to_string()
    } else {
        format!("{n} errors occurred:\n")
    };
    for e in errs {
        s.push_str(&format!("\t* {e}\n"));
    }
    s.push('\n');
    s
}

/// What a join attempt reports: how many answered, and why the others did
/// not.
type JoinOutcome = (usize, Vec<JoinError>);

type WithFn = Box<dyn FnOnce(&mut dyn std::any::Any, Duration, &mut Effects) + Send>;

enum Command {
    Join(Vec<SocketAddr>, oneshot::Sender<JoinOutcome>),
    Leave(Duration, oneshot::Sender<()>),
    Members(oneshot::Sender<Vec<Member>>),
    With(WithFn),
    Shutdown,
}

enum Input {
    Stream(SocketAddr, Message, oneshot::Sender<Option<Vec<u8>>>),
    PushPullDone(SocketAddr, bool, Result<Message, String>),
}

/// A handle to a running driver.
#[derive(Clone)]
pub struct Handle {
    cmd: mpsc::UnboundedSender<Command>,
    /// The bound address.
    pub local_addr: SocketAddr,
}

impl Handle {
    /// Join through any of `addrs`; returns how many answered.
    pub async fn join(&self, addrs: Vec<SocketAddr>) -> Result<usize, DriverError> {
        let (tx, rx) = oneshot::channel();
        self.cmd
            .send(Command::Join(addrs.clone(), tx))
            .map_err(|_| DriverError::Stopped)?;
        let (n, errors) = rx.await.map_err(|_| DriverError::Stopped)?;
        if n == 0 {
            return Err(DriverError::JoinFailed(errors));
        }
        Ok(n)
    }

    /// Announce a leave and wait (at most `timeout`) for it to spread.
    pub async fn leave(&self, timeout: Duration) -> Result<(), DriverError> {
        let (tx, rx) = oneshot::channel();
        self.cmd
            .send(Command::Leave(timeout, tx))
            .map_err(|_| DriverError::Stopped)?;
        rx.await.map_err(|_| DriverError::Stopped)
    }

    /// Every member the core knows.
    pub async fn members(&self) -> Result<Vec<Member>, DriverError> {
        let (tx, rx) = oneshot::channel();
        self.cmd
            .send(Command::Members(tx))
            .map_err(|_| DriverError::Stopped)?;
        rx.await.map_err(|_| DriverError::Stopped)
    }

    /// Run `f` on the machine inside the driver task (downcast to `M`),
    /// with the current core time and a runtime whose effects the driver
    /// carries out afterwards.
    pub async fn with<M: Machine, R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut M, Duration, &mut Effects) -> R + Send + 'static,
    ) -> Result<R, DriverError> {
        let (tx, rx) = oneshot::channel();
        let f = Box::new(
            move |any: &mut dyn std::any::Any, now: Duration, fx: &mut Effects| {
                if let Some(m) = any.downcast_mut::<M>() {
                    let _ = tx.send(f(m, now, fx));
                }
            },
        );
        self.cmd
            .send(Command::With(f))
            .map_err(|_| DriverError::Stopped)?;
        rx.await.map_err(|_| DriverError::Stopped)
    }

    /// Stop the driver (without leaving).
    pub fn shutdown(&self) {
        let _ = self.cmd.send(Command::Shutdown);
    }
}

/// Effects gathered from one call into the machine; the driver carries
/// them out.
#[derive(Default)]
pub struct Effects {
    packets: Vec<(SocketAddr, Vec<u8>)>,
    push_pulls: Vec<(SocketAddr, Vec<u8>, bool)>,
    timers: Vec<(Duration, Timer)>,
    events: Vec<Event>,
    taps: Vec<(QueryKey, mpsc::UnboundedSender<QueryReply>)>,
}

/// A query's `(ltime, id)`.
type QueryKey = (u64, u32);

impl Effects {
    /// Deliver replies to the query `(ltime, id)` to `tx` instead of the
    /// event channel, until the query is done (then `tx` is dropped).
    pub fn tap_query(&mut self, ltime: u64, id: u32, tx: mpsc::UnboundedSender<QueryReply>) {
        self.taps.push(((ltime, id), tx));
    }
}

impl Runtime for Effects {
    fn send_packet(&mut self, to: SocketAddr, packet: Vec<u8>) {
        self.packets.push((to, packet));
    }
    fn push_pull(&mut self, to: SocketAddr, request: Vec<u8>, join: bool) {
        self.push_pulls.push((to, request, join));
    }
    fn schedule(&mut self, after: Duration, timer: Timer) {
        self.timers.push((after, timer));
    }
    fn notify(&mut self, event: Event) {
        self.events.push(event);
    }
}

/// Bind `bind` (UDP and TCP) and run `machine`; membership events go to the
/// returned receiver.
pub async fn spawn<M: Machine>(
    bind: SocketAddr,
    machine: M,
) -> Result<(Handle, mpsc::UnboundedReceiver<Event>), DriverError> {
    let udp = Arc::new(UdpSocket::bind(bind).await?);
    let local_addr = udp.local_addr()?;
    let tcp = TcpListener::bind(local_addr).await?;
    let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
    let (ev_tx, ev_rx) = mpsc::unbounded_channel();
    let tcp_timeout = machine.memberlist().config().tcp_timeout;
    let task = Task {
        machine,
        udp,
        epoch: Instant::now(),
        timers: BinaryHeap::new(),
        timer_seq: 0,
        timer_map: HashMap::new(),
        events: ev_tx,
        tcp_timeout,
        join_waiters: Vec::new(),
        taps: HashMap::new(),
    };
    tokio::spawn(task.run(tcp, cmd_rx));
    Ok((
        Handle {
            cmd: cmd_tx,
            local_addr,
        },
        ev_rx,
    ))
}

struct JoinWaiter {
    addrs: Vec<SocketAddr>,
    done: usize,
    ok: usize,
    errors: Vec<JoinError>,
    tx: Option<oneshot::Sender<JoinOutcome>>,
}

struct Task<M: Machine> {
    machine: M,
    udp: Arc<UdpSocket>,
    epoch: Instant,
    timers: BinaryHeap<Reverse<(Instant, u64)>>,
    timer_seq: u64,
    timer_map: HashMap<u64, Timer>,
    events: mpsc::UnboundedSender<Event>,
    tcp_timeout: Duration,
    join_waiters: Vec<JoinWaiter>,
    taps: HashMap<QueryKey, mpsc::UnboundedSender<QueryReply>>,
}

impl<M: Machine> Task<M> {
    fn now(&self) -> Duration {
        Instant::now() - self.epoch
    }

    async fn run(mut self, tcp: TcpListener, mut cmds: mpsc::UnboundedReceiver<Command>) {
        let (in_tx, mut in_rx) = mpsc::unbounded_channel::<Input>();
        let mut fx = Effects::default();
        let now = self.now();
        self.machine.start(now, &mut fx);
        self.apply(fx, &in_tx);
        let mut buf = vec![0u8; 65536];
        let mut leave_waiter: Option<(Instant, oneshot::Sender<()>)> = None;
        loop {
            let next_timer = self
                .timers
                .peek()
                .map(|Reverse((t, _))| *t)
                .unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
            let mut fx = Effects::default();
            tokio::select! {
                r = self.udp.recv_from(&mut buf) => {
                    if let Ok((n, from)) = r {
                        let now = self.now();
                        self.machine.handle_packet(from, &buf[..n], now, &mut fx);
                    }
                }
                r = tcp.accept() => {
                    if let Ok((conn, from)) = r {
                        let wire = self.machine.wire().clone();
                        let in_tx = in_tx.clone();
                        let timeout = self.tcp_timeout;
                        tokio::spawn(async move {
                            let _ = tokio::time::timeout(timeout, serve_stream(conn, from, wire, in_tx)).await;
                        });
                    }
                }
                Some(input) = in_rx.recv() => {
                    let now = self.now();
                    match input {
                        Input::Stream(from, msg, reply) => {
                            let r = self.machine.handle_stream(from, msg, now, &mut fx);
                            let _ = reply.send(r);
                        }
                        Input::PushPullDone(to, join, res) => {
                            let err = res.as_ref().err().cloned();
                            match res {
                                Ok(msg) => self.machine.handle_push_pull_reply(msg, now, &mut fx),
                                Err(e) => {
                                    tracing::debug!(%to, error = %e, "push-pull failed");
                                    self.machine.push_pull_failed(to);
                                }
                            }
                            if join {
                                self.join_done(to, err);
                            }
                        }
                    }
                }
                _ = tokio::time::sleep_until(next_timer) => {
                    let now_i = Instant::now();
                    while let Some(Reverse((t, id))) = self.timers.peek().copied() {
                        if t > now_i { break; }
                        self.timers.pop();
                        if let Some(timer) = self.timer_map.remove(&id) {
                            let now = self.now();
                            self.machine.handle_timer(timer, now, &mut fx);
                        }
                    }
                }
                c = cmds.recv() => {
                    let now = self.now();
                    match c {
                        None | Some(Command::Shutdown) => return,
                        Some(Command::Join(addrs, tx)) => {
                            for a in &addrs {
                                self.machine.join(*a, now, &mut fx);
                            }
                            if addrs.is_empty() {
                                let _ = tx.send((0, Vec::new()));
                            } else {
                                self.join_waiters.push(JoinWaiter { addrs, done: 0, ok: 0, errors: Vec::new(), tx: Some(tx) });
                            }
                        }
                        Some(Command::Leave(timeout, tx)) => {
                            self.machine.leave(now, &mut fx);
                            leave_waiter = Some((Instant::now() + timeout, tx));
                        }
                        Some(Command::Members(tx)) => {
                            let _ = tx.send(self.machine.memberlist().members().collect());
                        }
                        Some(Command::With(f)) => f(&mut self.machine as &mut dyn std::any::Any, now, &mut fx),
                    }
                }
            }
            self.apply(fx, &in_tx);
            if let Some((deadline, _)) = &leave_waiter {
                let ml = self.machine.memberlist();
                let alive_peers = ml
                    .members()
                    .any(|m| m.name != ml.name() && m.state == crate::codec::NodeState::Alive);
                if !self.machine.leave_pending() || !alive_peers || Instant::now() >= *deadline {
                    if let Some((_, tx)) = leave_waiter.take() {
                        let _ = tx.send(());
                    }
                }
            }
        }
    }

    fn join_done(&mut self, to: SocketAddr, err: Option<String>) {
        for w in &mut self.join_waiters {
            if w.addrs.contains(&to) {
                w.done += 1;
                match err {
                    None => w.ok += 1,
                    Some(reason) => w.errors.push(JoinError { addr: to, reason }),
                }
                if w.done >= w.addrs.len() {
                    if let Some(tx) = w.tx.take() {
                        let _ = tx.send((w.ok, std::mem::take(&mut w.errors)));
                    }
                }
                break;
            }
        }
        self.join_waiters.retain(|w| w.tx.is_some());
    }

    fn apply(&mut self, fx: Effects, in_tx: &mpsc::UnboundedSender<Input>) {
        for (to, pkt) in fx.packets {
            if let Err(e) = self.udp.try_send_to(&pkt, to) {
                tracing::debug!(%to, error = %e, "udp send failed");
            }
        }
        for (after, timer) in fx.timers {
            self.timer_seq += 1;
            self.timer_map.insert(self.timer_seq, timer);
            self.timers
                .push(Reverse((Instant::now() + after, self.timer_seq)));
        }
        for (to, req, join) in fx.push_pulls {
            let wire = self.machine.wire().clone();
            let in_tx = in_tx.clone();
            let timeout = self.tcp_timeout;
            tokio::spawn(async move {
                let r = tokio::time::timeout(timeout, push_pull(to, req, wire)).await;
                let r = match r {
                    Ok(r) => r,
                    Err(_) => Err(format!("dial tcp {to}: i/o timeout")),
                };
                let _ = in_tx.send(Input::PushPullDone(to, join, r));
            });
        }
        self.taps.extend(fx.taps);
        for e in fx.events {
            match e {
                Event::Query(QueryEvent::Reply(r)) if self.taps.contains_key(&(r.ltime, r.id)) => {
                    if let Some(tx) = self.taps.get(&(r.ltime, r.id)) {
                        let _ = tx.send(r);
                    }
                }
                Event::Query(QueryEvent::Done { ltime, id })
                    if self.taps.remove(&(ltime, id)).is_some() => {}
                e => {
                    let _ = self.events.send(e);
                }
            }
        }
    }
}

async fn read_message(conn: &mut TcpStream, wire: &WireConfig) -> Result<Message, String> {
    let mut buf = Vec::new();
    let mut chunk = vec![0u8; 16384];
    loop {
        match parse_stream(&buf, wire).map_err(|e| e.to_string())? {
            StreamParse::Done(m, _) => return Ok(m),
            StreamParse::NeedMore => {}
        }
        if buf.len() > crate::codec::stream::MAX_STREAM_MESSAGE {
            return Err("stream message too large".into());
        }
        let n = conn.read(&mut chunk).await.map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("connection closed".into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// An I/O error worded as Go's `net` package words it.
fn go_net_error(op: &str, to: SocketAddr, e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    let what = match e.kind() {
        K::ConnectionRefused => "connection refused".to_string(),
        K::ConnectionReset => "connection reset by peer".to_string(),
        K::TimedOut => "i/o timeout".to_string(),
        K::AddrNotAvailable => "cannot assign requested address".to_string(),
        _ => e.to_string(),
    };
    format!("{op} tcp {to}: connect: {what}")
}

async fn push_pull(to: SocketAddr, req: Vec<u8>, wire: WireConfig) -> Result<Message, String> {
    let mut conn = TcpStream::connect(to)
        .await
        .map_err(|e| go_net_error("dial", to, &e))?;
    conn.write_all(&req).await.map_err(|e| e.to_string())?;
    read_message(&mut conn, &wire).await
}

async fn serve_stream(
    mut conn: TcpStream,
    from: SocketAddr,
    wire: WireConfig,
    in_tx: mpsc::UnboundedSender<Input>,
) {
    let msg = match read_message(&mut conn, &wire).await {
        Ok(m) => m,
        Err(e) => {
            tracing::debug!(%from, error = %e, "bad stream");
            return;
        }
    };
    let (tx, rx) = oneshot::channel();
    if in_tx.send(Input::Stream(from, msg, tx)).is_err() {
        return;
    }
    if let Ok(Some(reply)) = rx.await {
        let _ = conn.write_all(&reply).await;
        let _ = conn.flush().await;
    }
}
