//! The body of `PUT /v1/txn` (Consul's `api.TxnOps`) and its parser: JSON
//! decoded with Go's rules ([`crate::json::from_slice_ci`]: field names
//! ignoring case, `null` as absent), base64 KV values, then checked against
//! the limits and converted into [`TxnOp`]s with their verbs resolved.
//!
//! As Consul's `convertOps`, only the fields each operation kind uses are
//! read; an operation naming no kind is skipped; when several are given the
//! first of KV, Node, Service, Check wins.

use std::collections::BTreeMap;

use bytes::Bytes;
use serde::Deserialize;

use super::{CatalogVerb, KvVerb, TxnCheckOp, TxnKvOp, TxnNodeOp, TxnOp, TxnServiceOp};
use crate::catalog::{HealthCheck, Node, NodeService, Weights};
use crate::kv::DirEntry;

/// What the parser enforces besides the JSON shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyRules {
    /// Most operations in one transaction (Consul's `maxTxnOps`).
    pub max_ops: usize,
    /// Largest KV value of one operation (`limits.kv_max_value_size`).
    pub kv_max_value_size: usize,
    /// Datacenter given to a node operation that names none.
    pub datacenter: String,
}

/// A parsed transaction body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedTxn {
    /// The operations, in order (operations naming no kind are dropped).
    pub ops: Vec<TxnOp>,
    /// How many of them write (0: the transaction may be served as a read).
    pub writes: usize,
}

/// Why a body was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// Not the JSON of a list of operations (HTTP 400).
    #[error("Failed to parse body: {0}")]
    Decode(String),
    /// More operations than allowed (HTTP 413).
    #[error("Transaction contains too many operations ({got} > {max})")]
    TooManyOps {
        /// Operations in the body.
        got: usize,
        /// The limit.
        max: usize,
    },
    /// A KV value above `kv_max_value_size` (HTTP 413).
    #[error("Value for key {key:?} is too large ({size} > {max} bytes)")]
    ValueTooLarge {
        /// The key.
        key: String,
        /// The value's size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// A verb the operation kind does not have (HTTP 400).
    #[error("operation {op_index}: unknown {kind} verb {verb:?}")]
    UnknownVerb {
        /// Position of the operation in the body.
        op_index: usize,
        /// `KV`, `Node`, `Service` or `Check`.
        kind: &'static str,
        /// The verb given.
        verb: String,
    },
}

impl BodyError {
    /// Whether the refusal is about size (HTTP 413) rather than form (400).
    pub fn is_too_large(&self) -> bool {
        matches!(
            self,
            BodyError::TooManyOps { .. } | BodyError::ValueTooLarge { .. }
        )
    }
}

/// `api.TxnOp`: one of the four kinds.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct ApiOp {
    #[serde(rename = "KV")]
    kv: Option<ApiKvOp>,
    node: Option<ApiNodeOp>,
    service: Option<ApiServiceOp>,
    check: Option<ApiCheckOp>,
}

/// `api.KVTxnOp`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct ApiKvOp {
    verb: String,
    key: String,
    #[serde(with = "crate::bytes_b64")]
    value: Option<Bytes>,
    flags: u64,
    index: u64,
    session: String,
}

/// `api.NodeTxnOp`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct ApiNodeOp {
    verb: String,
    node: ApiNode,
}

/// The fields of `api.Node` a transaction uses.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct ApiNode {
    #[serde(rename = "ID")]
    id: String,
    node: String,
    address: String,
    datacenter: String,
    tagged_addresses: BTreeMap<String, String>,
    meta: BTreeMap<String, String>,
    modify_index: u64,
}

/// `api.ServiceTxnOp`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct ApiServiceOp {
    verb: String,
    node: String,
    service: ApiService,
}

/// The fields of `api.AgentService` a transaction uses.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct ApiService {
    #[serde(rename = "ID")]
    id: String,
    service: String,
    tags: Vec<String>,
    address: String,
    meta: BTreeMap<String, String>,
    port: u16,
    weights: Option<ApiWeights>,
    enable_tag_override: bool,
    modify_index: u64,
}

/// `api.AgentWeights`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct ApiWeights {
    passing: i64,
    warning: i64,
}

/// `api.CheckTxnOp`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct ApiCheckOp {
    verb: String,
    check: ApiCheck,
}

/// The fields of `api.HealthCheck` a transaction uses (its `Definition` is
/// accepted and not kept: catalog checks carry none here).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
struct ApiCheck {
    node: String,
    #[serde(rename = "CheckID")]
    check_id: String,
    name: String,
    status: String,
    notes: String,
    output: String,
    #[serde(rename = "ServiceID")]
    service_id: String,
    service_name: String,
    service_tags: Vec<String>,
    modify_index: u64,
}

/// Parse and check a `PUT /v1/txn` body.
pub fn parse(body: &[u8], rules: &BodyRules) -> Result<ParsedTxn, BodyError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        // What Go's decoder says about an empty body.
        return Err(BodyError::Decode("EOF".into()));
    }
    let api: Vec<Option<ApiOp>> =
        crate::json::from_slice_ci(body).map_err(|e| BodyError::Decode(e.to_string()))?;
    if api.len() > rules.max_ops {
        return Err(BodyError::TooManyOps {
            got: api.len(),
            max: rules.max_ops,
        });
    }
    let mut ops = Vec::with_capacity(api.len());
    for (op_index, op) in api.into_iter().enumerate() {
        let Some(op) = op else {
            return Err(BodyError::Decode(format!("operation {op_index} is null")));
        };
        if let Some(op) = convert(op_index, op, rules)? {
            ops.push(op);
        }
    }
    let writes = ops.iter().filter(|op| op.is_write()).count();
    Ok(ParsedTxn { ops, writes })
}

fn unknown(op_index: usize, kind: &'static str, verb: String) -> BodyError {
    BodyError::UnknownVerb {
        op_index,
        kind,
        verb,
    }
}

/// One API operation as a [`TxnOp`]; `None` when it names no kind.
fn convert(op_index: usize, op: ApiOp, rules: &BodyRules) -> Result<Option<TxnOp>, BodyError> {
    if let Some(kv) = op.kv {
        let verb = KvVerb::parse(&kv.verb).ok_or_else(|| unknown(op_index, "KV", kv.verb))?;
        let size = kv.value.as_ref().map_or(0, |v| v.len());
        if size > rules.kv_max_value_size {
            return Err(BodyError::ValueTooLarge {
                key: kv.key,
                size,
                max: rules.kv_max_value_size,
            });
        }
        return Ok(Some(TxnOp::Kv(TxnKvOp {
            verb,
            dir_ent: DirEntry {
                key: kv.key,
                value: kv.value,
                flags: kv.flags,
                session: kv.session,
                modify_index: kv.index,
                ..Default::default()
            },
        })));
    }
    if let Some(n) = op.node {
        let verb = CatalogVerb::parse(&n.verb).ok_or_else(|| unknown(op_index, "Node", n.verb))?;
        let node = n.node;
        return Ok(Some(TxnOp::Node(TxnNodeOp {
            verb,
            node: Node {
                id: node.id,
                node: node.node,
                address: node.address,
                datacenter: if node.datacenter.is_empty() {
                    rules.datacenter.clone()
                } else {
                    node.datacenter
                },
                tagged_addresses: node.tagged_addresses,
                meta: node.meta,
                create_index: 0,
                modify_index: node.modify_index,
            },
        })));
    }
    if let Some(s) = op.service {
        let verb =
            CatalogVerb::parse(&s.verb).ok_or_else(|| unknown(op_index, "Service", s.verb))?;
        let svc = s.service;
        return Ok(Some(TxnOp::Service(TxnServiceOp {
            verb,
            node: s.node,
            service: NodeService {
                id: svc.id,
                service: svc.service,
                tags: svc.tags,
                address: svc.address,
                meta: svc.meta,
                port: svc.port,
                weights: svc
                    .weights
                    .map(|w| Weights {
                        passing: w.passing,
                        warning: w.warning,
                    })
                    .unwrap_or_default(),
                enable_tag_override: svc.enable_tag_override,
                modify_index: svc.modify_index,
                ..Default::default()
            },
        })));
    }
    if let Some(c) = op.check {
        let verb = CatalogVerb::parse(&c.verb).ok_or_else(|| unknown(op_index, "Check", c.verb))?;
        let check = c.check;
        return Ok(Some(TxnOp::Check(TxnCheckOp {
            verb,
            check: HealthCheck {
                node: check.node,
                check_id: check.check_id,
                name: check.name,
                status: check.status,
                notes: check.notes,
                output: check.output,
                service_id: check.service_id,
                service_name: check.service_name,
                service_tags: check.service_tags,
                modify_index: check.modify_index,
                ..Default::default()
            },
        })));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> BodyRules {
        BodyRules {
            max_ops: 4,
            kv_max_value_size: 8,
            datacenter: "dc1".into(),
        }
    }

    fn ok(body: &str) -> ParsedTxn {
        parse(body.as_bytes(), &rules()).unwrap_or_else(|e| panic!("{body}: {e}"))
    }

    fn err(body: &str) -> BodyError {
        parse(body.as_bytes(), &rules()).expect_err(body)
    }

    #[test]
    fn kv_ops_decode_with_base64_values_and_go_nulls() {
        let p = ok(r#"[
            {"KV": {"Verb": "set", "Key": "a", "Value": "aGk=", "Flags": 3, "Index": null, "Session": null}},
            {"kv": {"verb": "cas", "key": "b", "index": 7, "value": null}},
            {"KV": {"Verb": "get", "Key": "a"}, "Node": null, "Service": null, "Check": null}
        ]"#);
        assert_eq!(p.writes, 2);
        let TxnOp::Kv(set) = &p.ops[0] else {
            panic!("{:?}", p.ops[0])
        };
        assert_eq!(set.verb, KvVerb::Set);
        assert_eq!(set.dir_ent.value.as_deref(), Some(&b"hi"[..]));
        assert_eq!(set.dir_ent.flags, 3);
        let TxnOp::Kv(cas) = &p.ops[1] else {
            panic!("{:?}", p.ops[1])
        };
        assert_eq!((cas.verb, cas.dir_ent.modify_index), (KvVerb::Cas, 7));
        assert_eq!(cas.dir_ent.value, None);
    }

    #[test]
    fn catalog_ops_take_their_fields_and_the_agent_datacenter() {
        let p = ok(r#"[
            {"Node": {"Verb": "set", "Node": {"Node": "n1", "Address": "10.0.0.1", "Meta": {"Rack": "r1"}}}},
            {"Service": {"Verb": "cas", "Node": "n1", "Service": {"Service": "web", "Port": 80, "ModifyIndex": 5}}},
            {"Check": {"Verb": "delete", "Check": {"Node": "n1", "CheckID": "c", "Definition": {"HTTP": "x"}}}}
        ]"#);
        assert_eq!(p.writes, 3);
        let TxnOp::Node(n) = &p.ops[0] else { panic!() };
        assert_eq!(n.node.datacenter, "dc1");
        assert_eq!(n.node.meta["Rack"], "r1");
        let TxnOp::Service(s) = &p.ops[1] else {
            panic!()
        };
        assert_eq!(
            (s.verb, s.service.port, s.service.modify_index),
            (CatalogVerb::Cas, 80, 5)
        );
        assert_eq!(s.service.weights, Weights::default());
        let TxnOp::Check(c) = &p.ops[2] else { panic!() };
        assert_eq!(
            (c.verb, c.check.check_id.as_str()),
            (CatalogVerb::Delete, "c")
        );
    }

    #[test]
    fn a_transaction_of_reads_has_no_writes() {
        let p = ok(r#"[{"KV": {"Verb": "get-tree", "Key": "p/"}},
                       {"KV": {"Verb": "check-not-exists", "Key": "x"}},
                       {"Node": {"Verb": "get", "Node": {"Node": "n1"}}}]"#);
        assert_eq!((p.ops.len(), p.writes), (3, 0));
        assert_eq!(ok("[]").ops, vec![]);
    }

    #[test]
    fn operations_naming_no_kind_are_skipped() {
        assert_eq!(ok(r#"[{}, {"KV": null}]"#).ops, vec![]);
    }

    #[test]
    fn unknown_verbs_are_refused_with_their_position() {
        let e =
            err(r#"[{"KV": {"Verb": "get", "Key": "a"}}, {"KV": {"Verb": "bogus", "Key": "a"}}]"#);
        assert_eq!(e.to_string(), r#"operation 1: unknown KV verb "bogus""#);
        assert!(!e.is_too_large());
        assert!(matches!(
            err(r#"[{"Service": {"Verb": "get-tree"}}]"#),
            BodyError::UnknownVerb {
                kind: "Service",
                ..
            }
        ));
        assert!(matches!(
            err(r#"[{"Check": {}}]"#),
            BodyError::UnknownVerb { kind: "Check", .. }
        ));
    }

    #[test]
    fn malformed_bodies_are_decode_errors() {
        assert_eq!(err("").to_string(), "Failed to parse body: EOF");
        for body in [
            "nonsense",
            r#"{"KV": {}}"#,
            "[null]",
            r#"[{"KV": {"Verb": "set", "Key": "a", "Value": "%%%"}}]"#,
            r#"[{"KV": {"Verb": "set", "Key": 7}}]"#,
            r#"[{"Service": {"Verb": "set", "Service": {"Port": 70000}}}]"#,
            "[",
        ] {
            assert!(matches!(err(body), BodyError::Decode(_)), "{body}");
        }
    }

    #[test]
    fn limits_answer_too_large() {
        let five = r#"[{}, {}, {}, {}, {}]"#;
        let e = err(five);
        assert_eq!(
            e.to_string(),
            "Transaction contains too many operations (5 > 4)"
        );
        assert!(e.is_too_large());
        // 9 bytes, one above the value limit.
        let e = err(r#"[{"KV": {"Verb": "set", "Key": "big", "Value": "MTIzNDU2Nzg5"}}]"#);
        assert_eq!(
            e.to_string(),
            r#"Value for key "big" is too large (9 > 8 bytes)"#
        );
        assert!(e.is_too_large());
        assert_eq!(ok("[{}, {}, {}, {}]").ops.len(), 0);
    }
}
