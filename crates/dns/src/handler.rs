//! One request in, one response out: transport-independent query handling.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use hickory_proto::op::{Edns, Message, OpCode, ResponseCode};
use hickory_proto::rr::rdata::opt::{ClientSubnet, EdnsCode, EdnsOption};
use hickory_proto::rr::RecordType;

use crate::backend::DnsBackend;
use crate::cache::{AnswerCache, Fill, Probe};
use crate::config::DnsConfig;
use crate::error::DnsError;
use crate::name::{parse_name, Route, ZoneKind};
use crate::recursor;
use crate::resolve::{Answer, Order, Resolver};
use crate::wire::{self, Budget, Decoded};

/// The transport a query came over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// UDP: size limits apply.
    Udp,
    /// TCP: up to 64 KiB.
    Tcp,
}

/// Answers DNS queries from a backend, replaying cached encodings of
/// answers while the backend's catalog version is unchanged (see
/// [`crate::cache`]).
pub struct Handler {
    resolver: Resolver,
    cache: AnswerCache,
}

/// The outcome of a lookup before it becomes a message.
struct Outcome {
    result: Result<Answer, DnsError>,
    /// Zone whose SOA goes in negative answers (`None`: not ours).
    zone: Option<ZoneKind>,
    /// The response depends only on the query packet, the catalog version
    /// and (when it carries the SOA) the clock's second.
    cacheable: bool,
}

impl Outcome {
    fn uncached(result: Result<Answer, DnsError>, zone: Option<ZoneKind>) -> Self {
        Outcome {
            result,
            zone,
            cacheable: false,
        }
    }
}

/// An encoded response and whether it put the zone's SOA in.
struct Response {
    bytes: Vec<u8>,
    with_soa: bool,
    /// Encoding failed and this is a SERVFAIL instead.
    failed: bool,
}

/// The current unix second (the SOA serial's clock).
fn unix_second() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Handler {
    /// A handler answering from `backend` with `config`.
    pub fn new(config: DnsConfig, backend: Arc<dyn DnsBackend>) -> Self {
        Handler {
            resolver: Resolver::new(Arc::new(config), backend),
            cache: AnswerCache::new(),
        }
    }

    /// Answer `packet` from the cache into `out` (the cached response with
    /// the query's ID), without awaiting anything. `false`: not cached, or
    /// caching is off; call [`Handler::handle`].
    pub fn answer_cached(&self, packet: &[u8], transport: Transport, out: &mut Vec<u8>) -> bool {
        let start = std::time::Instant::now();
        let hit = matches!(self.probe(packet, transport, out), (_, Probe::Hit));
        if hit {
            self.measure("domain_query", start);
        }
        hit
    }

    /// Number of cached responses.
    pub fn cached_entries(&self) -> usize {
        self.cache.len()
    }

    fn probe(
        &self,
        packet: &[u8],
        transport: Transport,
        out: &mut Vec<u8>,
    ) -> (Option<u64>, Probe) {
        let pick = rand::random();
        if !crate::cache::cacheable_query(packet) {
            return (None, Probe::Miss { variant: pick });
        }
        let Some(version) = self.resolver.cache_version() else {
            return (None, Probe::Miss { variant: pick });
        };
        let probe = self
            .cache
            .lookup(packet, transport, version, unix_second(), pick, out);
        (Some(version), probe)
    }

    /// The configuration in use.
    pub fn config(&self) -> &DnsConfig {
        self.resolver.config()
    }

    /// Handle one packet. `None`: drop it (not a parseable query header).
    pub async fn handle(&self, packet: &[u8], transport: Transport) -> Option<Vec<u8>> {
        let start = std::time::Instant::now();
        let mut out = Vec::new();
        let (version, variant) = match self.probe(packet, transport, &mut out) {
            // Only answers of the domain are cached (never reverse ones).
            (_, Probe::Hit) => {
                self.measure("domain_query", start);
                return Some(out);
            }
            (version, Probe::Miss { variant }) => (version, variant),
        };
        // Read before the answer is built, so that a response is never
        // tagged with a later second than its SOA serial.
        let second = unix_second();
        let (resp, order) = self.compute(packet, transport, variant, start).await?;
        if let (Some(version), Some(order)) = (version, order) {
            let (slot, slots) = order.slot();
            let timed = resp.with_soa || matches!(order, Order::Random { .. });
            let fill = Fill {
                slot,
                slots,
                second: timed.then_some(second),
            };
            self.cache
                .insert(packet, transport, version, fill, &resp.bytes);
        }
        Some(resp.bytes)
    }

    /// The full path: decode, look up, encode. Besides the response, the
    /// answer's order when the response may be cached.
    async fn compute(
        &self,
        packet: &[u8],
        transport: Transport,
        variant: u64,
        start: std::time::Instant,
    ) -> Option<(Response, Option<Order>)> {
        let req = match wire::decode_request(packet) {
            Decoded::Drop => return None,
            Decoded::FormErr(resp) => {
                let bytes = wire::encode(&resp, true).ok()?;
                return Some((Response::plain(bytes), None));
            }
            Decoded::Query(req) => req,
        };
        let cfg = self.resolver.config();
        let outcome = if req.metadata.op_code != OpCode::Query {
            Outcome::uncached(Err(DnsError::NotImplemented), None)
        } else if req.queries.len() != 1 {
            Outcome::uncached(
                Err(DnsError::Malformed("expected exactly one question")),
                None,
            )
        } else {
            let q = &req.queries[0];
            let qtype = q.query_type();
            let zones = self.resolver.zones();
            match parse_name(q.name(), zones, qtype == RecordType::SRV) {
                Route::Zone { zone, dc, lookup } => {
                    let result = self
                        .resolver
                        .zone_lookup(q.name(), qtype, zone, dc.as_deref(), &lookup, variant)
                        .await;
                    self.measure("domain_query", start);
                    // Only what the catalog version covers: the local
                    // datacenter (others need the datacenter list), not
                    // SOA/NS (shuffled servers), no backend failures.
                    let local = dc
                        .as_deref()
                        .is_none_or(|d| d.eq_ignore_ascii_case(&cfg.datacenter));
                    let cacheable = local
                        && !matches!(
                            qtype,
                            RecordType::SOA | RecordType::NS | RecordType::AXFR | RecordType::IXFR
                        )
                        && matches!(
                            result,
                            Ok(_)
                                | Err(DnsError::NoSuchName
                                    | DnsError::PreparedQueryUnsupported
                                    | DnsError::NotImplemented)
                        );
                    Outcome {
                        result,
                        zone: Some(zone),
                        cacheable,
                    }
                }
                Route::Reverse(ip) => {
                    let result = match ip {
                        Some(ip) => self.resolver.reverse_lookup(q.name(), ip).await,
                        None => Err(DnsError::NoSuchName),
                    };
                    self.measure("ptr_query", start);
                    if matches!(result, Err(DnsError::NoSuchName)) && !cfg.recursors.is_empty() {
                        let bytes = self.recurse(&req, packet, transport).await;
                        return Some((Response::plain(bytes), None));
                    }
                    Outcome::uncached(result, Some(ZoneKind::Primary))
                }
                Route::Outside => {
                    let bytes = self.recurse(&req, packet, transport).await;
                    return Some((Response::plain(bytes), None));
                }
            }
        };
        let order = match (&outcome.result, outcome.cacheable) {
            (Ok(answer), true) => Some(answer.order),
            (Err(_), true) => Some(Order::Fixed),
            (_, false) => None,
        };
        let resp = self.respond(&req, outcome, transport);
        let order = order.filter(|_| !resp.failed);
        Some((resp, order))
    }

    /// Consul's per-query timer `dns.<kind>` (labelled with this node).
    fn measure(&self, kind: &str, start: std::time::Instant) {
        let node = self.resolver.config().node_name.as_str();
        consul_telemetry::measure_since_with_labels(&["dns", kind], start, &[("node", node)]);
    }

    /// Forward to the recursors; on failure SERVFAIL (or REFUSED without
    /// recursors).
    async fn recurse(&self, req: &Message, packet: &[u8], transport: Transport) -> Vec<u8> {
        let cfg = self.resolver.config();
        match recursor::forward(cfg, packet, transport == Transport::Tcp).await {
            Ok(reply) => reply,
            Err(e) => {
                self.respond(req, Outcome::uncached(Err(e), None), transport)
                    .bytes
            }
        }
    }

    /// Build and encode the response message.
    fn respond(&self, req: &Message, outcome: Outcome, transport: Transport) -> Response {
        let cfg = self.resolver.config();
        let mut resp = Message::response(req.metadata.id, req.metadata.op_code);
        resp.metadata.recursion_desired = req.metadata.recursion_desired;
        resp.metadata.checking_disabled = req.metadata.checking_disabled;
        resp.metadata.recursion_available = !cfg.recursors.is_empty();
        resp.metadata.authoritative = outcome.zone.is_some();
        resp.queries = req.queries.clone();
        let mut ecs_global = true;
        let mut with_soa = false;
        match outcome.result {
            Ok(answer) => {
                ecs_global = answer.ecs_global;
                let nodata = answer.answers.is_empty();
                resp.answers = answer.answers;
                resp.authorities = answer.authority;
                resp.additionals = answer.additionals;
                if let (true, Some(zone)) = (nodata, outcome.zone) {
                    resp.authorities.push(self.resolver.soa(zone));
                    with_soa = true;
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
                    with_soa = true;
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
            Ok((bytes, _)) => Response {
                bytes,
                with_soa,
                failed: false,
            },
            Err(e) => {
                tracing::warn!(error = %e, "cannot encode response");
                let fail = Message::error_msg(
                    req.metadata.id,
                    req.metadata.op_code,
                    ResponseCode::ServFail,
                );
                Response {
                    bytes: wire::encode(&fail, true).unwrap_or_default(),
                    with_soa: false,
                    failed: true,
                }
            }
        }
    }
}

impl Response {
    fn plain(bytes: Vec<u8>) -> Self {
        Response {
            bytes,
            with_soa: false,
            failed: false,
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
