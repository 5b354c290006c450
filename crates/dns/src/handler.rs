//! One request in, one response out: transport-independent query handling.

use std::sync::Arc;

use hickory_proto::op::{Edns, Message, OpCode, ResponseCode};
use hickory_proto::rr::rdata::opt::{ClientSubnet, EdnsCode, EdnsOption};
use hickory_proto::rr::RecordType;

use crate::backend::DnsBackend;
use crate::config::DnsConfig;
use crate::error::DnsError;
use crate::name::{parse_name, Route, ZoneKind};
use crate::recursor;
use crate::resolve::{Answer, Resolver};
use crate::wire::{self, Budget, Decoded};

/// The transport a query came over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// UDP: size limits apply.
    Udp,
    /// TCP: up to 64 KiB.
    Tcp,
}

/// Answers DNS queries from a backend.
pub struct Handler {
    resolver: Resolver,
}

/// The outcome of a lookup before it becomes a message.
struct Outcome {
    result: Result<Answer, DnsError>,
    /// Zone whose SOA goes in negative answers (`None`: not ours).
    zone: Option<ZoneKind>,
}

impl Handler {
    /// A handler answering from `backend` with `config`.
    pub fn new(config: DnsConfig, backend: Arc<dyn DnsBackend>) -> Self {
        Handler {
            resolver: Resolver::new(Arc::new(config), backend),
        }
    }

    /// The configuration in use.
    pub fn config(&self) -> &DnsConfig {
        self.resolver.config()
    }

    /// Handle one packet. `None`: drop it (not a parseable query header).
    pub async fn handle(&self, packet: &[u8], transport: Transport) -> Option<Vec<u8>> {
        let req = match wire::decode_request(packet) {
            Decoded::Drop => return None,
            Decoded::FormErr(resp) => {
                return wire::encode(&resp, true).ok();
            }
            Decoded::Query(req) => req,
        };
        let cfg = self.resolver.config();
        let outcome = if req.metadata.op_code != OpCode::Query {
            Outcome {
                result: Err(DnsError::NotImplemented),
                zone: None,
            }
        } else if req.queries.len() != 1 {
            Outcome {
                result: Err(DnsError::Malformed("expected exactly one question")),
                zone: None,
            }
        } else {
            let q = &req.queries[0];
            let qtype = q.query_type();
            let zones = self.resolver.zones();
            match parse_name(q.name(), zones, qtype == RecordType::SRV) {
                Route::Zone { zone, dc, lookup } => Outcome {
                    result: self
                        .resolver
                        .zone_lookup(q.name(), qtype, zone, dc.as_deref(), &lookup)
                        .await,
                    zone: Some(zone),
                },
                Route::Reverse(ip) => {
                    let result = match ip {
                        Some(ip) => self.resolver.reverse_lookup(q.name(), ip).await,
                        None => Err(DnsError::NoSuchName),
                    };
                    if matches!(result, Err(DnsError::NoSuchName)) && !cfg.recursors.is_empty() {
                        return Some(self.recurse(&req, packet, transport).await);
                    }
                    Outcome {
                        result,
                        zone: Some(ZoneKind::Primary),
                    }
                }
                Route::Outside => return Some(self.recurse(&req, packet, transport).await),
            }
        };
        Some(self.respond(&req, outcome, transport))
    }

    /// Forward to the recursors; on failure SERVFAIL (or REFUSED without
    /// recursors).
    async fn recurse(&self, req: &Message, packet: &[u8], transport: Transport) -> Vec<u8> {
        let cfg = self.resolver.config();
        match recursor::forward(cfg, packet, transport == Transport::Tcp).await {
            Ok(reply) => reply,
            Err(e) => self.respond(
                req,
                Outcome {
                    result: Err(e),
                    zone: None,
                },
                transport,
            ),
        }
    }

    /// Build and encode the response message.
    fn respond(&self, req: &Message, outcome: Outcome, transport: Transport) -> Vec<u8> {
        let cfg = self.resolver.config();
        let mut resp = Message::response(req.metadata.id, req.metadata.op_code);
        resp.metadata.recursion_desired = req.metadata.recursion_desired;
        resp.metadata.checking_disabled = req.metadata.checking_disabled;
        resp.metadata.recursion_available = !cfg.recursors.is_empty();
        resp.metadata.authoritative = outcome.zone.is_some();
        resp.queries = req.queries.clone();
        let mut ecs_global = true;
        match outcome.result {
            Ok(answer) => {
                ecs_global = answer.ecs_global;
                let nodata = answer.answers.is_empty();
                resp.answers = answer.answers;
                resp.authorities = answer.authority;
                resp.additionals = answer.additionals;
                if let (true, Some(zone)) = (nodata, outcome.zone) {
                    resp.authorities.push(self.resolver.soa(zone));
                }
            }
            Err(e) => {
                tracing::debug!(error = %e, "query answered with an error");
                resp.metadata.response_code = e.response_code();
                if e == DnsError::RecursorsFailed {
                    resp.metadata.recursion_available = true;
                }
                if let (true, Some(zone)) = (e.with_soa(), outcome.zone) {
                    resp.authorities.push(self.resolver.soa(zone));
                }
            }
        }
        if let Some(edns) = &req.edns {
            resp.edns = Some(response_edns(edns, resp.metadata.response_code, ecs_global));
        }
        let srv = req
            .queries
            .first()
            .is_some_and(|q| q.query_type() == RecordType::SRV);
        let budget = match transport {
            Transport::Udp => Budget::udp(
                req.edns.as_ref().map(Edns::max_payload),
                cfg.effective_udp_answer_limit(),
            ),
            Transport::Tcp => Budget::tcp(srv),
        };
        let compress = !cfg.disable_compression;
        match wire::encode_within(resp, budget, compress, cfg.enable_truncate) {
            Ok((bytes, _)) => bytes,
            Err(e) => {
                tracing::warn!(error = %e, "cannot encode response");
                let fail = Message::error_msg(
                    req.metadata.id,
                    req.metadata.op_code,
                    ResponseCode::ServFail,
                );
                wire::encode(&fail, true).unwrap_or_default()
            }
        }
    }
}

/// The OPT record of a response: the client's UDP size echoed, and its
/// client-subnet option with scope 0 for answers valid for everyone, else
/// the source prefix.
fn response_edns(req: &Edns, rcode: ResponseCode, global: bool) -> Edns {
    let mut edns = Edns::new();
    edns.set_max_payload(req.max_payload().max(512));
    if let Some(EdnsOption::Subnet(subnet)) = req.option(EdnsCode::Subnet) {
        let global = global
            || matches!(
                rcode,
                ResponseCode::NXDomain
                    | ResponseCode::ServFail
                    | ResponseCode::Refused
                    | ResponseCode::NotImp
            );
        let scope = if global { 0 } else { subnet.source_prefix() };
        edns.options_mut()
            .insert(EdnsOption::Subnet(ClientSubnet::new(
                subnet.addr(),
                subnet.source_prefix(),
                scope,
            )));
    }
    edns
}
