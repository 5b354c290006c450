//! Precomputed keys, values and request bodies, so building a request costs the client little.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderValue, CONTENT_TYPE, HOST};
use hyper::{Method, Request, Uri};
use rand::Rng;

use crate::cli::{Op, Target};

/// Number of distinct random values each workload cycles through.
const VALUE_POOL: usize = 256;

/// One key in the forms each target needs.
struct Key {
    /// Consul: `/v1/kv/bench/kNNNNN`.
    consul_uri: Uri,
    /// etcd: the base64 of `bench/kNNNNN`.
    etcd_b64: String,
    /// etcd: the ready `/v3/kv/range` body.
    etcd_range_body: Bytes,
}

/// One value in the forms each target needs.
struct Value {
    raw: Bytes,
    b64: String,
}

/// Everything needed to build requests against one target.
pub struct Workload {
    target: Target,
    host: HeaderValue,
    keys: Vec<Key>,
    values: Vec<Value>,
    etcd_put_uri: Uri,
    etcd_range_uri: Uri,
    etcd_txn_uri: Uri,
    consul_txn_uri: Uri,
    consul_catalog_uri: Uri,
    /// `X-Consul-Token` for every Consul request (none when `None`).
    token: Option<HeaderValue>,
}

/// Operations in one benchmark transaction.
const TXN_OPS: usize = 4;

impl Workload {
    /// Prepares `n_keys` keys and a pool of random 64–256-byte values.
    pub fn new(
        target: Target,
        addr: std::net::SocketAddr,
        n_keys: usize,
        etcd_serializable: bool,
    ) -> anyhow::Result<Self> {
        let range_extra = if etcd_serializable {
            ",\"serializable\":true"
        } else {
            ""
        };
        let mut rng = rand::thread_rng();
        let keys = (0..n_keys.max(1))
            .map(|i| {
                let name = format!("bench/k{i:05}");
                let etcd_b64 = B64.encode(&name);
                Ok(Key {
                    consul_uri: format!("/v1/kv/{name}").parse()?,
                    etcd_range_body: Bytes::from(format!(
                        "{{\"key\":\"{etcd_b64}\"{range_extra}}}"
                    )),
                    etcd_b64,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let values = (0..VALUE_POOL)
            .map(|_| {
                let len = rng.gen_range(64..=256);
                let raw: Vec<u8> = (0..len).map(|_| rng.gen_range(b'a'..=b'z')).collect();
                Value {
                    b64: B64.encode(&raw),
                    raw: Bytes::from(raw),
                }
            })
            .collect();
        Ok(Self {
            target,
            host: HeaderValue::from_str(&addr.to_string())?,
            keys,
            values,
            etcd_put_uri: Uri::from_static("/v3/kv/put"),
            etcd_range_uri: Uri::from_static("/v3/kv/range"),
            etcd_txn_uri: Uri::from_static("/v3/kv/txn"),
            consul_txn_uri: Uri::from_static("/v1/txn"),
            consul_catalog_uri: Uri::from_static("/v1/catalog/service/web"),
            token: None,
        })
    }

    /// The same workload, sending `token` as `X-Consul-Token` (empty: none).
    pub fn with_token(mut self, token: &str) -> anyhow::Result<Self> {
        self.token = if token.is_empty() {
            None
        } else {
            Some(HeaderValue::from_str(token)?)
        };
        Ok(self)
    }

    /// Number of keys in the keyspace.
    pub fn key_count(&self) -> usize {
        self.keys.len()
    }

    /// Builds the request for `op` on key number `key` (value picked by `value`).
    pub fn request(&self, op: Op, key: usize, value: usize) -> Request<Full<Bytes>> {
        let k = &self.keys[key % self.keys.len()];
        let v = &self.values[value % self.values.len()];
        let (method, uri, body) = match (self.target, op) {
            (Target::Consul, Op::Put) => (Method::PUT, k.consul_uri.clone(), v.raw.clone()),
            (Target::Consul, Op::Get) => (Method::GET, k.consul_uri.clone(), Bytes::new()),
            (Target::Consul, Op::Catalog) => {
                (Method::GET, self.consul_catalog_uri.clone(), Bytes::new())
            }
            (Target::Etcd, Op::Catalog) => (
                Method::POST,
                self.etcd_range_uri.clone(),
                k.etcd_range_body.clone(),
            ),
            (Target::Etcd, Op::Put) => (
                Method::POST,
                self.etcd_put_uri.clone(),
                Bytes::from(format!(
                    "{{\"key\":\"{}\",\"value\":\"{}\"}}",
                    k.etcd_b64, v.b64
                )),
            ),
            (Target::Etcd, Op::Get) => (
                Method::POST,
                self.etcd_range_uri.clone(),
                k.etcd_range_body.clone(),
            ),
            (Target::Consul, Op::Txn) => (
                Method::PUT,
                self.consul_txn_uri.clone(),
                self.txn_body(key, value),
            ),
            (Target::Etcd, Op::Txn) => (
                Method::POST,
                self.etcd_txn_uri.clone(),
                self.txn_body(key, value),
            ),
        };
        let mut req = Request::new(Full::new(body));
        *req.method_mut() = method;
        *req.uri_mut() = uri;
        let h = req.headers_mut();
        h.insert(HOST, self.host.clone());
        if self.target == Target::Etcd {
            h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        if let Some(t) = &self.token {
            h.insert("x-consul-token", t.clone());
        }
        req
    }

    /// Whether a 200 response body shows the operation succeeded: Consul PUT answers `true`,
    /// Consul GET a JSON array, etcd put a header, etcd range a non-empty `kvs`.
    pub fn body_ok(&self, op: Op, body: &[u8]) -> bool {
        match (self.target, op) {
            (Target::Consul, Op::Put) => body.trim_ascii() == b"true",
            (Target::Consul, Op::Get) => body.trim_ascii_start().starts_with(b"["),
            (Target::Consul, Op::Catalog) => body.trim_ascii_start().starts_with(b"[{"),
            (Target::Etcd, Op::Catalog) => contains(body, b"\"kvs\""),
            (Target::Etcd, Op::Put) => contains(body, b"\"header\""),
            (Target::Etcd, Op::Get) => contains(body, b"\"kvs\""),
            (Target::Consul, Op::Txn) => contains(body, b"\"Errors\":null"),
            (Target::Etcd, Op::Txn) => contains(body, b"\"succeeded\":true"),
        }
    }

    /// A transaction setting keys `key..key+4` (each with its own value).
    fn txn_body(&self, key: usize, value: usize) -> Bytes {
        let n = self.keys.len();
        let ops: Vec<String> = (0..TXN_OPS)
            .map(|i| {
                let k = &self.keys[(key + i) % n];
                let v = &self.values[(value + i) % self.values.len()];
                match self.target {
                    Target::Consul => {
                        let name = &k.consul_uri.path()["/v1/kv/".len()..];
                        format!(
                            "{{\"KV\":{{\"Verb\":\"set\",\"Key\":\"{name}\",\"Value\":\"{}\"}}}}",
                            v.b64
                        )
                    }
                    Target::Etcd => format!(
                        "{{\"requestPut\":{{\"key\":\"{}\",\"value\":\"{}\"}}}}",
                        k.etcd_b64, v.b64
                    ),
                }
            })
            .collect();
        let ops = ops.join(",");
        Bytes::from(match self.target {
            Target::Consul => format!("[{ops}]"),
            Target::Etcd => format!("{{\"success\":[{ops}]}}"),
        })
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}
