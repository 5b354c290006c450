//! The UDP and TCP serving loops. Each query is handled in its own task.

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

async fn udp_loop(handler: Arc<Handler>, sock: Arc<UdpSocket>, mut stop: watch::Receiver<bool>) {
    let mut buf = vec![0u8; 65535];
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            r = sock.recv_from(&mut buf) => match r {
                Ok((n, peer)) => {
                    let packet = buf[..n].to_vec();
                    let (h, s) = (handler.clone(), sock.clone());
                    tokio::spawn(async move {
                        if let Some(resp) = h.handle(&packet, Transport::Udp).await {
                            if let Err(e) = s.send_to(&resp, peer).await {
                                tracing::debug!(%peer, error = %e, "udp send failed");
                            }
                        }
                    });
                }
                Err(e) => {
                    tracing::debug!(error = %e, "udp receive failed");
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }
        }
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
