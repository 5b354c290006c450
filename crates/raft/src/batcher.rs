//! Group commit: concurrent `write()`s are folded into one Raft log entry.
//!
//! openraft 0.9.25's core appends one entry per `client_write` and waits for that append's
//! fsync before it handles the next request, so one entry per write would cap a server at one
//! write per fsync. Instead one task collects queued commands into a [`Batch`] (bounded by
//! count and bytes) while at most `in_flight` batches are being committed.

use std::sync::Arc;

use serde_bytes::ByteBuf;
use tokio::sync::{mpsc, oneshot, RwLock, Semaphore};

use crate::node::map_write_error;
use crate::types::{Batch, Raft};
use crate::RaftError;

/// One queued write.
pub(crate) struct WriteReq {
    pub(crate) command: Vec<u8>,
    pub(crate) reply: oneshot::Sender<Result<(u64, Vec<u8>), RaftError>>,
}

/// Limits of one batch.
#[derive(Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) max_batch: usize,
    pub(crate) max_bytes: usize,
    pub(crate) in_flight: usize,
}

/// Starts the batcher; it ends when every sender is dropped.
pub(crate) fn spawn(
    raft: Raft,
    gate: Arc<RwLock<()>>,
    limits: Limits,
) -> mpsc::UnboundedSender<WriteReq> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(run(raft, gate, limits, rx));
    tx
}

async fn run(
    raft: Raft,
    gate: Arc<RwLock<()>>,
    limits: Limits,
    mut rx: mpsc::UnboundedReceiver<WriteReq>,
) {
    let slots = Arc::new(Semaphore::new(limits.in_flight.max(1)));
    let mut carry: Option<WriteReq> = None;
    loop {
        let first = match carry.take() {
            Some(r) => r,
            None => match rx.recv().await {
                Some(r) => r,
                None => return,
            },
        };
        // Wait for a slot first: while we wait, more commands queue up and join this batch.
        let Ok(permit) = slots.clone().acquire_owned().await else {
            return;
        };
        // A leadership transfer holds the gate: batches wait (queued) until it ends.
        let pass = gate.clone().read_owned().await;
        let mut bytes = first.command.len();
        let mut batch = vec![first];
        while batch.len() < limits.max_batch.max(1) {
            match rx.try_recv() {
                Ok(r) if bytes + r.command.len() > limits.max_bytes => {
                    carry = Some(r);
                    break;
                }
                Ok(r) => {
                    bytes += r.command.len();
                    batch.push(r);
                }
                Err(_) => break,
            }
        }
        let raft = raft.clone();
        tokio::spawn(async move {
            let mut replies = Vec::with_capacity(batch.len());
            let mut commands = Vec::with_capacity(batch.len());
            for r in batch {
                commands.push(ByteBuf::from(r.command));
                replies.push(r.reply);
            }
            let commit = consul_telemetry::timer(&["raft", "commitTime"]);
            let res = raft.client_write(Batch { commands }).await;
            drop(commit);
            drop(permit);
            drop(pass);
            match res {
                Ok(resp) => {
                    let mut results = resp.data.results.into_iter();
                    for reply in replies {
                        let r = match results.next() {
                            Some((idx, out)) => Ok((idx, out.into_vec())),
                            None => Err(RaftError::Other("missing response for command".into())),
                        };
                        let _ = reply.send(r);
                    }
                }
                Err(e) => {
                    let e = map_write_error(&e);
                    for reply in replies {
                        let _ = reply.send(Err(e.clone()));
                    }
                }
            }
        });
    }
}
