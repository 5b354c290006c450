//! yamux sessions over TCP: a driver task per connection that keeps the session's I/O
//! moving, opens outbound streams on request (client side) or hands inbound streams to a
//! callback (server side).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::Poll;

use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, OwnedSemaphorePermit, Semaphore};
use tokio_util::compat::{Compat, FuturesAsyncReadCompatExt, TokioAsyncReadCompatExt};
use yamux::{Config, Connection, Mode};

/// A yamux stream usable with tokio's I/O traits.
pub(crate) type MuxStream = Compat<yamux::Stream>;

type OpenReply = oneshot::Sender<Result<MuxStream, String>>;

/// Most streams yamux tracks on one connection; exceeding it on the client side would fail
/// the whole session, so callers are gated below it by [`MAX_CALLS_IN_FLIGHT`].
pub(crate) const MAX_STREAMS: usize = 8192;
/// Calls in flight on one client connection (more wait for a permit). Half of
/// [`MAX_STREAMS`], leaving room for closed streams yamux has not reaped yet.
pub(crate) const MAX_CALLS_IN_FLIGHT: usize = MAX_STREAMS / 2;

fn config() -> Config {
    let mut cfg = Config::default();
    // Each stream starts with a 256 KiB window; the connection window must cover them all.
    // It is a cap on credit, not an allocation: idle blocking queries cost nothing.
    cfg.set_max_connection_receive_window(Some(MAX_STREAMS * 256 * 1024));
    cfg.set_max_num_streams(MAX_STREAMS);
    cfg
}

/// The client end of one multiplexed connection. Dropping it closes the session once the
/// driver has no pending opens.
pub(crate) struct MuxClient {
    open_tx: mpsc::UnboundedSender<OpenReply>,
    alive: Arc<AtomicBool>,
    permits: Arc<Semaphore>,
}

/// An open client stream; its permit returns when it is dropped.
pub(crate) struct ClientStream {
    /// The stream.
    pub(crate) io: MuxStream,
    _permit: OwnedSemaphorePermit,
}

impl MuxClient {
    /// Starts a yamux client session over `socket` (the type byte already written).
    pub(crate) fn start(socket: TcpStream) -> MuxClient {
        let (open_tx, open_rx) = mpsc::unbounded_channel();
        let alive = Arc::new(AtomicBool::new(true));
        let conn = Connection::new(socket.compat(), config(), Mode::Client);
        tokio::spawn(drive_client(conn, open_rx, alive.clone()));
        MuxClient {
            open_tx,
            alive,
            permits: Arc::new(Semaphore::new(MAX_CALLS_IN_FLIGHT)),
        }
    }

    /// Whether the session still works.
    pub(crate) fn is_alive(&self) -> bool {
        self.alive.load(Ordering::Acquire)
    }

    /// Opens a new stream (waiting while [`MAX_CALLS_IN_FLIGHT`] are open).
    pub(crate) async fn open(&self) -> Result<ClientStream, String> {
        let closed = || "connection closed".to_string();
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| closed())?;
        let (tx, rx) = oneshot::channel();
        self.open_tx.send(tx).map_err(|_| closed())?;
        let io = rx.await.map_err(|_| closed())??;
        Ok(ClientStream {
            io,
            _permit: permit,
        })
    }
}

async fn drive_client(
    mut conn: Connection<Compat<TcpStream>>,
    mut open_rx: mpsc::UnboundedReceiver<OpenReply>,
    alive: Arc<AtomicBool>,
) {
    let mut pending: VecDeque<OpenReply> = VecDeque::new();
    let mut handle_gone = false;
    let end = std::future::poll_fn(|cx| loop {
        // Drive I/O first: it also reaps dropped streams before new ones are counted.
        match conn.poll_next_inbound(cx) {
            // Servers never open streams towards clients: refuse by dropping.
            Poll::Ready(Some(Ok(stream))) => {
                drop(stream);
                continue;
            }
            Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(e.to_string())),
            Poll::Ready(None) => return Poll::Ready(Some("connection closed".to_string())),
            Poll::Pending => {}
        }
        while !handle_gone {
            match open_rx.poll_recv(cx) {
                Poll::Ready(Some(reply)) => pending.push_back(reply),
                Poll::Ready(None) => handle_gone = true,
                Poll::Pending => break,
            }
        }
        let mut opened = false;
        while !pending.is_empty() {
            match conn.poll_new_outbound(cx) {
                Poll::Ready(Ok(stream)) => {
                    opened = true;
                    if let Some(reply) = pending.pop_front() {
                        let _ = reply.send(Ok(stream.compat()));
                    }
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Some(e.to_string())),
                Poll::Pending => break,
            }
        }
        if handle_gone && pending.is_empty() {
            return Poll::Ready(None);
        }
        if !opened {
            return Poll::Pending;
        }
    })
    .await;
    alive.store(false, Ordering::Release);
    let idle_close = end.is_none();
    let reason = end.unwrap_or_else(|| "connection closed".to_string());
    for reply in pending.drain(..) {
        let _ = reply.send(Err(reason.clone()));
    }
    open_rx.close();
    while let Ok(reply) = open_rx.try_recv() {
        let _ = reply.send(Err(reason.clone()));
    }
    if idle_close {
        // Idle close: say goodbye politely.
        let _ = std::future::poll_fn(|cx| conn.poll_close(cx)).await;
    }
}

/// Serves a yamux server session over `socket` until it closes, calling `on_stream` for
/// every inbound stream.
pub(crate) async fn serve(socket: TcpStream, mut on_stream: impl FnMut(MuxStream)) {
    let mut conn = Connection::new(socket.compat(), config(), Mode::Server);
    std::future::poll_fn(|cx| loop {
        match conn.poll_next_inbound(cx) {
            Poll::Ready(Some(Ok(stream))) => on_stream(stream.compat()),
            Poll::Ready(Some(Err(e))) => {
                tracing::debug!("rpc: multiplexed connection failed: {e}");
                return Poll::Ready(());
            }
            Poll::Ready(None) => return Poll::Ready(()),
            Poll::Pending => return Poll::Pending,
        }
    })
    .await;
}
