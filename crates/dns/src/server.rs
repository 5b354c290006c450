//! The UDP and TCP serving loops. UDP: a few worker loops share the socket
//! and answer cached responses in place; only queries that need the full
//! path (catalog reads, encoding) get a task of their own. TCP: a task per
//! connection and per query.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::{watch, Mutex, Semaphore};
use tokio::task::JoinSet;

use crate::backend::DnsBackend;
use crate::config::DnsConfig;
use crate::handler::{Handler, Transport};

/// How long a TCP connection may sit idle between queries.
const TCP_IDLE_TIMEOUT: Duration = Duration::from_secs(10);
/// Queries one TCP connection may have in flight at once.
const TCP_MAX_IN_FLIGHT: usize = 64;
/// Most UDP worker loops (one per core up to this).
const MAX_UDP_WORKERS: usize = 4;
/// Datagrams a UDP worker takes in a row before it yields.
const UDP_BATCH: usize = 64;

/// Serve DNS on the given sockets until `shutdown` completes. Either socket
/// may be `None`. Returns once both loops have stopped.
pub async fn serve(
    config: DnsConfig,
    backend: Arc<dyn DnsBackend>,
    udp: Option<UdpSocket>,
    tcp: Option<TcpListener>,
    shutdown: impl Future<Output = ()> + Send,
) -> io::Result<()> {
    let handler = Arc::new(Handler::new(config, backend));
    serve_handler(handler, udp, tcp, shutdown).await
}

/// [`serve`] with a ready [`Handler`].
pub async fn serve_handler(
    handler: Arc<Handler>,
    udp: Option<UdpSocket>,
    tcp: Option<TcpListener>,
    shutdown: impl Future<Output = ()> + Send,
) -> io::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut loops = JoinSet::new();
    if let Some(sock) = udp {
        loops.spawn(udp_loop(handler.clone(), Arc::new(sock), stop_rx.clone()));
    }
    if let Some(listener) = tcp {
        loops.spawn(tcp_loop(handler, listener, stop_rx));
    }
    shutdown.await;
    let _ = stop_tx.send(true);
    while loops.join_next().await.is_some() {}
    Ok(())
}

async fn udp_loop(handler: Arc<Handler>, sock: Arc<UdpSocket>, stop: watch::Receiver<bool>) {
    let n = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, MAX_UDP_WORKERS);
    let mut workers = JoinSet::new();
    for _ in 0..n {
        workers.spawn(udp_worker(handler.clone(), sock.clone(), stop.clone()));
    }
    while workers.join_next().await.is_some() {}
}

/// One receive loop: drain the socket, answer cache hits right here, hand
/// the rest to a task each.
async fn udp_worker(handler: Arc<Handler>, sock: Arc<UdpSocket>, mut stop: watch::Receiver<bool>) {
    let mut buf = vec![0u8; 65535];
    let mut out = Vec::with_capacity(512);
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            r = sock.readable() => if let Err(e) = r {
                tracing::debug!(error = %e, "udp socket not readable");
                tokio::time::sleep(Duration::from_millis(1)).await;
                continue;
            },
        }
        for _ in 0..UDP_BATCH {
            let (n, peer) = match sock.try_recv_from(&mut buf) {
                Ok(r) => r,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) => {
                    tracing::debug!(error = %e, "udp receive failed");
                    break;
                }
            };
            let packet = &buf[..n];
            if handler.answer_cached(packet, Transport::Udp, &mut out) {
                send(&sock, &out, peer).await;
                continue;
            }
            let packet = packet.to_vec();
            let (h, s) = (handler.clone(), sock.clone());
            tokio::spawn(async move {
                if let Some(resp) = h.handle(&packet, Transport::Udp).await {
                    send(&s, &resp, peer).await;
                }
            });
        }
    }
}

/// Send one datagram: at once if the socket takes it, else when it can.
async fn send(sock: &UdpSocket, msg: &[u8], peer: SocketAddr) {
    let r = match sock.try_send_to(msg, peer) {
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => sock.send_to(msg, peer).await,
        r => r,
    };
    if let Err(e) = r {
        tracing::debug!(%peer, error = %e, "udp send failed");
    }
}

async fn tcp_loop(handler: Arc<Handler>, listener: TcpListener, mut stop: watch::Receiver<bool>) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            r = listener.accept() => match r {
                Ok((stream, peer)) => {
                    conns.spawn(tcp_conn(handler.clone(), stream, peer, stop.clone()));
                }
                Err(e) => {
                    tracing::debug!(error = %e, "tcp accept failed");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    conns.shutdown().await;
}

async fn tcp_conn(
    handler: Arc<Handler>,
    stream: TcpStream,
    peer: SocketAddr,
    mut stop: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let (mut reader, writer) = stream.into_split();
    let writer = Arc::new(Mutex::new(writer));
    let in_flight = Arc::new(Semaphore::new(TCP_MAX_IN_FLIGHT));
    loop {
        let packet = tokio::select! {
            _ = stop.changed() => return,
            r = tokio::time::timeout(TCP_IDLE_TIMEOUT, read_frame(&mut reader)) => match r {
                Ok(Ok(Some(p))) => p,
                Ok(Ok(None)) | Err(_) => return,
                Ok(Err(e)) => {
                    tracing::debug!(%peer, error = %e, "tcp read failed");
                    return;
                }
            },
        };
        let Ok(permit) = in_flight.clone().acquire_owned().await else {
            return;
        };
        let (h, w) = (handler.clone(), writer.clone());
        tokio::spawn(async move {
            let _permit = permit;
            if let Some(resp) = h.handle(&packet, Transport::Tcp).await {
                if let Err(e) = write_frame(&w, &resp).await {
                    tracing::debug!(%peer, error = %e, "tcp write failed");
                }
            }
        });
    }
}

/// Read one length-prefixed message; `None` at a clean end of stream.
async fn read_frame(reader: &mut tokio::net::tcp::OwnedReadHalf) -> io::Result<Option<Vec<u8>>> {
    let len = match reader.read_u16().await {
        Ok(len) => len as usize,
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut buf = vec![0u8; len];
    reader.read_exact(&mut buf).await?;
    Ok(Some(buf))
}

async fn write_frame(writer: &Mutex<OwnedWriteHalf>, msg: &[u8]) -> io::Result<()> {
    let len = u16::try_from(msg.len()).map_err(|_| io::Error::other("response too long"))?;
    let mut framed = Vec::with_capacity(msg.len() + 2);
    framed.extend_from_slice(&len.to_be_bytes());
    framed.extend_from_slice(msg);
    writer.lock().await.write_all(&framed).await
}
