//! Helpers shared by the integration tests: start an agent on its own
//! loopback address and speak JSON to it.
#![allow(dead_code, unused_imports)]

use std::path::Path;
use std::time::Duration;

pub use consul_testkit::{
    header, http, http_with_headers, reserve_ip, wait_until, Agent, AgentBuilder, IpLease,
};
use serde_json::Value;

/// The binary under test.
pub fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_consul"))
}

/// A dev agent on a fresh address, ready (leader known).
pub fn dev_agent() -> (IpLease, Agent) {
    let ip = reserve_ip();
    let mut agent = AgentBuilder::new(bin(), ip.ip())
        .dev(true)
        .start()
        .expect("agent starts");
    agent
        .wait_ready(Duration::from_secs(30))
        .expect("agent ready");
    (ip, agent)
}

/// GET `path` and decode JSON; panics on a non-200.
pub fn get_json(agent: &Agent, path: &str) -> Value {
    let (status, _, body) = http("GET", &agent.url(path), None).expect("request");
    assert_eq!(
        status,
        200,
        "GET {path}: {}",
        String::from_utf8_lossy(&body)
    );
    serde_json::from_slice(&body).expect("json body")
}

/// `method path` with a body; returns status and body text.
pub fn call(agent: &Agent, method: &str, path: &str, body: Option<&[u8]>) -> (u16, String) {
    let (status, _, body) = http(method, &agent.url(path), body).expect("request");
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// PUT `path` with `body`, expect 200 and return the body text.
pub fn put_ok(agent: &Agent, path: &str, body: &str) -> String {
    let (status, text) = call(agent, "PUT", path, Some(body.as_bytes()));
    assert_eq!(status, 200, "PUT {path}: {text}");
    text
}

/// The `X-Consul-Index` of a GET.
pub fn index_of(agent: &Agent, path: &str) -> u64 {
    let (_, headers, _) = http("GET", &agent.url(path), None).expect("request");
    header(&headers, "X-Consul-Index")
        .expect("index header")
        .parse()
        .expect("numeric index")
}
