//! Helpers shared by the state-store tests.
#![allow(dead_code)]

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use bytes::Bytes;
use consul_types::catalog::{HealthCheck, NodeService, RegisterRequest};
use consul_types::kv::{DirEntry, KvOp, KvRequest};

/// A waker that records whether it was woken.
pub struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// A future polled by hand with a flag waker.
pub struct Polled<F> {
    pub fut: Pin<Box<F>>,
    flag: Arc<Flag>,
    waker: Waker,
}

impl<F: Future<Output = ()>> Polled<F> {
    pub fn new(fut: F) -> Self {
        let flag = Arc::new(Flag(AtomicBool::new(false)));
        let waker = Waker::from(flag.clone());
        Polled {
            fut: Box::pin(fut),
            flag,
            waker,
        }
    }

    /// Poll once; true when ready.
    pub fn ready(&mut self) -> bool {
        let mut cx = Context::from_waker(&self.waker);
        matches!(self.fut.as_mut().poll(&mut cx), Poll::Ready(()))
    }

    /// Whether the waker has been woken since creation.
    pub fn woken(&self) -> bool {
        self.flag.0.load(Ordering::SeqCst)
    }
}

pub fn entry(key: &str, value: &str) -> DirEntry {
    DirEntry {
        key: key.into(),
        value: Some(Bytes::copy_from_slice(value.as_bytes())),
        ..Default::default()
    }
}

pub fn kv(op: KvOp, key: &str, value: &str, modify_index: u64) -> KvRequest {
    let mut dir_ent = entry(key, value);
    dir_ent.modify_index = modify_index;
    KvRequest { op, dir_ent }
}

pub fn node_req(node: &str, addr: &str) -> RegisterRequest {
    RegisterRequest {
        node: node.into(),
        address: addr.into(),
        datacenter: "dc1".into(),
        ..Default::default()
    }
}

pub fn svc_req(node: &str, id: &str, name: &str, tags: &[&str]) -> RegisterRequest {
    RegisterRequest {
        service: Some(NodeService {
            id: id.into(),
            service: name.into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            port: 8000,
            ..Default::default()
        }),
        ..node_req(node, "10.0.0.1")
    }
}

pub fn check(node: &str, id: &str, service_id: &str, status: &str) -> HealthCheck {
    HealthCheck {
        node: node.into(),
        check_id: id.into(),
        name: id.into(),
        status: status.into(),
        service_id: service_id.into(),
        ..Default::default()
    }
}

pub fn check_req(node: &str, c: HealthCheck) -> RegisterRequest {
    RegisterRequest {
        check: Some(c),
        ..node_req(node, "10.0.0.1")
    }
}
