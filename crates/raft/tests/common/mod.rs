//! Test helpers: a recording state machine and an in-process channel transport.
#![allow(dead_code, missing_docs)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use consul_raft::{
    AppendEntriesRequest, AppendEntriesResponse, BoxFuture, InstallSnapshotRequestFull, RaftNode,
    SnapshotResponse, StateMachine, Transport, TransportError, VoteRequest, VoteResponse,
};

/// A command [`Recorder`] refuses to apply (as a server refuses one it cannot decode).
pub const POISON: &[u8] = b"poison";

/// Records every applied (index, command); the state is the list itself.
#[derive(Default)]
pub struct Recorder {
    pub log: Mutex<Vec<(u64, Vec<u8>)>>,
    pub restored_at: Mutex<Option<u64>>,
}

impl Recorder {
    pub fn entries(&self) -> Vec<(u64, Vec<u8>)> {
        self.log.lock().unwrap().clone()
    }
}

impl StateMachine for Recorder {
    fn apply(&self, index: u64, command: &[u8]) -> Result<Vec<u8>, consul_raft::ApplyError> {
        if command == POISON {
            return Err(consul_raft::ApplyError("poisoned command".into()));
        }
        self.log.lock().unwrap().push((index, command.to_vec()));
        let mut r = b"ok:".to_vec();
        r.extend_from_slice(command);
        Ok(r)
    }
    fn snapshot(&self) -> Vec<u8> {
        serde_json::to_vec(&*self.log.lock().unwrap()).unwrap()
    }
    fn restore(&self, index: u64, data: &[u8]) -> Result<(), String> {
        let v: Vec<(u64, Vec<u8>)> = serde_json::from_slice(data).map_err(|e| e.to_string())?;
        *self.log.lock().unwrap() = v;
        *self.restored_at.lock().unwrap() = Some(index);
        Ok(())
    }
}

/// Routes RPCs to in-process nodes by id; a node can be cut off.
#[derive(Default, Clone)]
pub struct Router {
    pub nodes: Arc<RwLock<HashMap<u64, RaftNode>>>,
}

impl Router {
    fn get(&self, id: u64) -> Result<RaftNode, TransportError> {
        self.nodes
            .read()
            .unwrap()
            .get(&id)
            .cloned()
            .ok_or_else(|| TransportError::Unreachable(format!("node {id} down")))
    }
}

fn remote(e: consul_raft::RaftError) -> TransportError {
    match e {
        consul_raft::RaftError::Shutdown => TransportError::Unreachable("shut down".into()),
        e => TransportError::Remote(e.to_string()),
    }
}

impl Transport for Router {
    fn append_entries(
        &self,
        target: u64,
        _addr: &str,
        req: AppendEntriesRequest,
    ) -> BoxFuture<Result<AppendEntriesResponse, TransportError>> {
        let n = self.get(target);
        Box::pin(async move { n?.handle_append_entries(req).await.map_err(remote) })
    }
    fn vote(
        &self,
        target: u64,
        _addr: &str,
        req: VoteRequest,
    ) -> BoxFuture<Result<VoteResponse, TransportError>> {
        let n = self.get(target);
        Box::pin(async move { n?.handle_vote(req).await.map_err(remote) })
    }
    fn install_snapshot(
        &self,
        target: u64,
        _addr: &str,
        req: InstallSnapshotRequestFull,
    ) -> BoxFuture<Result<SnapshotResponse, TransportError>> {
        let n = self.get(target);
        Box::pin(async move { n?.handle_install_snapshot(req).await.map_err(remote) })
    }
    fn timeout_now(&self, target: u64, _addr: &str) -> BoxFuture<Result<(), TransportError>> {
        let n = self.get(target);
        Box::pin(async move { n?.handle_timeout_now().await.map_err(remote) })
    }
}
