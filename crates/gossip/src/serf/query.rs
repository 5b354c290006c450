//! Serf queries: the query clock and dedup buffer, filters, acks and
//! responses sent straight back to the querier over UDP (optionally
//! relayed through other members), and the querier's bookkeeping of what
//! came back until the query times out. As serf's `query.go` and the query
//! parts of `serf.go`.

use super::clock::LamportTime;
use super::messages::SerfMessage;
use super::query_msg::{QueryFilter, QueryMsg, QueryResponseMsg, RelayHeader, QUERY_FLAG_ACK};
use super::state::SerfState;
use super::{MemberStatus, Serf, SerfError, TIMER_QUERY};
use crate::memberlist::broadcast::BroadcastQueue;
use crate::memberlist::member::ip_bytes;
use crate::memberlist::{Runtime, Timer};
use rand::Rng;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::time::Duration;

/// Queries whose names start with this are answered by serf itself.
pub const INTERNAL_QUERY_PREFIX: &str = "_serf_";

/// Most unanswered incoming queries remembered for [`Serf::respond`].
const MAX_INBOUND: usize = 4096;

/// How to run a query (serf's `QueryParam`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryParams {
    /// Only these members process the query (empty = all).
    pub filter_nodes: Vec<String>,
    /// Only members whose tag values match these regular expressions.
    pub filter_tags: BTreeMap<String, String>,
    /// Ask every member passing the filters to ack on receipt.
    pub request_ack: bool,
    /// How many other members relay each response (redundancy).
    pub relay_factor: u8,
    /// How long the query stays open (`None` = serf's default,
    /// [`Serf::default_query_timeout`]).
    pub timeout: Option<Duration>,
}

impl QueryParams {
    fn encode_filters(&self) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        if !self.filter_nodes.is_empty() {
            out.push(QueryFilter::Nodes(self.filter_nodes.clone()).encode());
        }
        for (tag, expr) in &self.filter_tags {
            out.push(
                QueryFilter::Tag {
                    tag: tag.clone(),
                    expr: expr.clone(),
                }
                .encode(),
            );
        }
        out
    }
}

/// A query we started: what identifies it and when it closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryHandle {
    /// Query clock time (unique per query in the cluster, with `id`).
    pub ltime: LamportTime,
    /// Random query ID.
    pub id: u32,
    /// When it closes (core time).
    pub deadline: Duration,
    /// Members believed alive when it started (serf's `NumMembers`).
    pub num_nodes: usize,
}

/// A query delivered to this member, for the application to answer with
/// [`Serf::respond`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// Query clock time.
    pub ltime: LamportTime,
    /// Query ID.
    pub id: u32,
    /// Query name.
    pub name: String,
    /// Query payload.
    pub payload: Vec<u8>,
    /// The node that asked.
    pub source_node: String,
    /// Answer before this (core time).
    pub deadline: Duration,
}

/// An ack or response to one of our queries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryReply {
    /// The query's clock time.
    pub ltime: LamportTime,
    /// The query's ID.
    pub id: u32,
    /// Who answered.
    pub from: String,
    /// An ack (no payload) rather than a response.
    pub ack: bool,
    /// Response payload.
    pub payload: Vec<u8>,
}

/// Query events (reported as [`crate::memberlist::Event::Query`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryEvent {
    /// A query for the application to answer.
    Incoming(Query),
    /// An ack or response to our query.
    Reply(QueryReply),
    /// Our query `(ltime, id)` timed out: nothing more will arrive.
    Done {
        /// The query's clock time.
        ltime: LamportTime,
        /// The query's ID.
        id: u32,
    },
}

/// A query we are collecting answers for.
#[derive(Debug)]
struct Outgoing {
    id: u32,
    deadline: Duration,
    ack: bool,
    acks: HashSet<String>,
    responses: HashSet<String>,
}

/// Where to answer an incoming query.
#[derive(Debug, Clone)]
pub(super) struct Inbound {
    pub(super) addr: Option<SocketAddr>,
    pub(super) source: String,
    pub(super) relay_factor: u8,
    pub(super) deadline: Duration,
}

/// A message to send directly (not gossiped).
#[derive(Debug)]
pub(super) enum Send {
    /// Raw serf message to an address (a relayed message's last hop).
    Direct(SocketAddr, Vec<u8>),
    /// A response or ack to a querier, relayed `relay_factor` times.
    Reply {
        to: SocketAddr,
        to_name: String,
        relay_factor: u8,
        resp: QueryResponseMsg,
    },
}

/// Serf's query state beside the member and event state.
#[derive(Debug)]
pub(super) struct QueryState {
    buffer: Vec<Option<(LamportTime, Vec<u32>)>>,
    pub(super) min_time: LamportTime,
    pub(super) broadcasts: BroadcastQueue,
    open: HashMap<LamportTime, Outgoing>,
    pub(super) inbound: HashMap<(LamportTime, u32), Inbound>,
    pub(super) sends: Vec<Send>,
    pub(super) internal: Vec<Query>,
    pub(super) events: Vec<QueryEvent>,
}

impl QueryState {
    pub(super) fn new(buffer: usize) -> Self {
        QueryState {
            buffer: vec![None; buffer.max(1)],
            min_time: 0,
            broadcasts: BroadcastQueue::new(),
            open: HashMap::new(),
            inbound: HashMap::new(),
            sends: Vec::new(),
            internal: Vec::new(),
            events: Vec::new(),
        }
    }
}

impl SerfState {
    /// A query arrived (or we started one); returns whether to re-gossip.
    pub(super) fn handle_query(&mut self, q: &QueryMsg, now: Duration) -> bool {
        self.query_clock.witness(q.ltime);
        if q.ltime < self.q.min_time {
            return false;
        }
        let n = self.q.buffer.len() as u64;
        let cur = self.query_clock.time();
        if cur > n && q.ltime < cur - n {
            tracing::warn!(
                "serf: received old query {} from time {} (current: {cur})",
                q.name,
                q.ltime
            );
            return false;
        }
        let slot = &mut self.q.buffer[(q.ltime % n) as usize];
        match slot {
            Some((t, ids)) if *t == q.ltime => {
                if ids.contains(&q.id) {
                    return false;
                }
                ids.push(q.id);
            }
            _ => *slot = Some((q.ltime, vec![q.id])),
        }
        let rebroadcast = !q.no_broadcast();
        if !self.should_process(&q.filters) {
            return rebroadcast;
        }
        let addr = q.reply_addr();
        if q.ack() {
            if let Some(to) = addr {
                self.q.sends.push(Send::Reply {
                    to,
                    to_name: q.source_node.clone(),
                    relay_factor: q.relay_factor,
                    resp: QueryResponseMsg {
                        ltime: q.ltime,
                        id: q.id,
                        from: self.cfg.memberlist.name.clone(),
                        flags: QUERY_FLAG_ACK,
                        payload: Vec::new(),
                    },
                });
            }
        }
        let deadline = now + q.timeout;
        self.q.inbound.retain(|_, i| i.deadline >= now);
        if self.q.inbound.len() < MAX_INBOUND {
            self.q.inbound.insert(
                (q.ltime, q.id),
                Inbound {
                    addr,
                    source: q.source_node.clone(),
                    relay_factor: q.relay_factor,
                    deadline,
                },
            );
        }
        let ev = Query {
            ltime: q.ltime,
            id: q.id,
            name: q.name.clone(),
            payload: q.payload.clone(),
            source_node: q.source_node.clone(),
            deadline,
        };
        if q.name.starts_with(INTERNAL_QUERY_PREFIX) {
            self.q.internal.push(ev);
        } else {
            self.q.events.push(QueryEvent::Incoming(ev));
        }
        rebroadcast
    }

    /// Whether we pass every filter (undecodable filters and bad regular
    /// expressions fail, as in serf).
    fn should_process(&self, filters: &[Vec<u8>]) -> bool {
        filters.iter().all(|f| match QueryFilter::decode(f) {
            Ok(QueryFilter::Nodes(names)) => names.contains(&self.cfg.memberlist.name),
            Ok(QueryFilter::Tag { tag, expr }) => match regex::Regex::new(&expr) {
                Ok(re) => re.is_match(self.cfg.tags.get(&tag).map_or("", String::as_str)),
                Err(e) => {
                    tracing::warn!("serf: failed to compile filter regex ({expr}): {e}");
                    false
                }
            },
            Err(e) => {
                tracing::warn!("serf: failed to decode query filter: {e}");
                false
            }
        })
    }

    /// An ack or response to one of our queries arrived.
    pub(super) fn handle_query_response(&mut self, r: QueryResponseMsg, now: Duration) {
        let Some(q) = self.q.open.get_mut(&r.ltime) else {
            tracing::warn!(
                "serf: reply for non-running query (LTime: {}, ID: {}) From: {}",
                r.ltime,
                r.id,
                r.from
            );
            return;
        };
        if q.id != r.id {
            tracing::warn!(
                "serf: query reply ID mismatch (Local: {}, Response: {})",
                q.id,
                r.id
            );
            return;
        }
        if now >= q.deadline {
            return;
        }
        let fresh = if r.ack() {
            q.ack && q.acks.insert(r.from.clone())
        } else {
            q.responses.insert(r.from.clone())
        };
        if fresh {
            let ack = r.ack();
            self.q.events.push(QueryEvent::Reply(QueryReply {
                ltime: r.ltime,
                id: r.id,
                from: r.from,
                ack,
                payload: r.payload,
            }));
        }
    }

    /// Close our queries past their deadline.
    pub(super) fn expire_queries(&mut self, now: Duration) {
        let mut done: Vec<(LamportTime, u32)> = self
            .q
            .open
            .iter()
            .filter(|(_, q)| q.deadline <= now)
            .map(|(t, q)| (*t, q.id))
            .collect();
        done.sort_unstable();
        for (ltime, id) in done {
            self.q.open.remove(&ltime);
            self.q.events.push(QueryEvent::Done { ltime, id });
        }
    }

    /// Queue a response to the incoming query `(ltime, id)`.
    pub(super) fn respond(
        &mut self,
        ltime: LamportTime,
        id: u32,
        payload: Vec<u8>,
        now: Duration,
    ) -> Result<(), SerfError> {
        let resp = QueryResponseMsg {
            ltime,
            id,
            from: self.cfg.memberlist.name.clone(),
            flags: 0,
            payload,
        };
        self.respond_with(resp, now)
    }

    /// Queue an already-built response, checking size, duplicates and the
    /// deadline as serf's `respondWithMessageAndResponse` does.
    pub(super) fn respond_with(
        &mut self,
        resp: QueryResponseMsg,
        now: Duration,
    ) -> Result<(), SerfError> {
        let limit = self.cfg.query_response_size_limit;
        if SerfMessage::QueryResponse(resp.clone()).encode().len() > limit {
            return Err(SerfError::ResponseTooLarge(limit));
        }
        let Some(inb) = self.q.inbound.remove(&(resp.ltime, resp.id)) else {
            return Err(SerfError::AlreadyResponded);
        };
        if now > inb.deadline {
            return Err(SerfError::PastDeadline);
        }
        if let Some(to) = inb.addr {
            self.q.sends.push(Send::Reply {
                to,
                to_name: inb.source,
                relay_factor: inb.relay_factor,
                resp,
            });
        }
        Ok(())
    }
}

impl Serf {
    /// Serf's default query timeout: `GossipInterval × QueryTimeoutMult ×
    /// ceil(log10(N + 1))` for `N` members not dead or left.
    pub fn default_query_timeout(&self) -> Duration {
        let n = self.num_members();
        let mult = ((n + 1) as f64).log10().ceil() as u32;
        self.st.cfg.memberlist.gossip_interval * self.st.cfg.query_timeout_mult * mult
    }

    /// Members not dead or left (memberlist's `NumMembers`).
    pub fn num_members(&self) -> usize {
        self.ml.members().filter(|m| !m.is_dead_or_left()).count()
    }

    /// Start a query: it is processed locally, gossiped to everyone, and
    /// answers arrive as [`QueryEvent::Reply`] until [`QueryEvent::Done`].
    pub fn query(
        &mut self,
        name: &str,
        payload: &[u8],
        params: QueryParams,
        now: Duration,
        rt: &mut impl Runtime,
    ) -> Result<QueryHandle, SerfError> {
        let timeout = params
            .timeout
            .filter(|t| !t.is_zero())
            .unwrap_or_else(|| self.default_query_timeout());
        let mut flags = 0;
        if params.request_ack {
            flags |= QUERY_FLAG_ACK;
        }
        let adv = self.ml.config().advertise;
        let q = QueryMsg {
            ltime: self.st.query_clock.time(),
            id: self.rng.gen::<u32>() & 0x7fff_ffff,
            addr: ip_bytes(&adv),
            port: adv.port(),
            source_node: self.ml.name().to_string(),
            filters: params.encode_filters(),
            flags,
            relay_factor: params.relay_factor,
            timeout,
            name: name.to_string(),
            payload: payload.to_vec(),
        };
        let raw = SerfMessage::Query(q.clone()).encode();
        let limit = self.st.cfg.query_size_limit;
        if raw.len() > limit {
            return Err(SerfError::QueryTooLarge(limit));
        }
        let handle = QueryHandle {
            ltime: q.ltime,
            id: q.id,
            deadline: now + timeout,
            num_nodes: self.num_members(),
        };
        self.st.q.open.insert(
            q.ltime,
            Outgoing {
                id: q.id,
                deadline: handle.deadline,
                ack: params.request_ack,
                acks: HashSet::new(),
                responses: HashSet::new(),
            },
        );
        rt.schedule(timeout, Timer::Delegate(TIMER_QUERY));
        self.st.handle_query(&q, now);
        self.st.q.broadcasts.push(None, raw);
        self.with(now, rt, |_, _| ());
        Ok(handle)
    }

    /// Answer the incoming query `(ltime, id)` (once, before its deadline,
    /// within the response size limit).
    pub fn respond(
        &mut self,
        ltime: LamportTime,
        id: u32,
        payload: &[u8],
        now: Duration,
        rt: &mut impl Runtime,
    ) -> Result<(), SerfError> {
        let r = self.st.respond(ltime, id, payload.to_vec(), now);
        self.with(now, rt, |_, _| ());
        r
    }

    /// Send what query handling queued: direct replies (plus relays) and
    /// relayed messages' last hops.
    pub(super) fn flush_sends(&mut self, rt: &mut impl Runtime) {
        for s in std::mem::take(&mut self.st.q.sends) {
            match s {
                Send::Direct(to, raw) => self.ml.send_user_msg(to, &raw, rt),
                Send::Reply {
                    to,
                    to_name,
                    relay_factor,
                    resp,
                } => {
                    let raw = SerfMessage::QueryResponse(resp.clone()).encode();
                    self.ml.send_user_msg(to, &raw, rt);
                    self.relay_response(relay_factor, to, to_name, resp, rt);
                }
            }
        }
    }

    /// Send a copy of `resp` through up to `k` other alive members
    /// (serf's `relayResponse`).
    fn relay_response(
        &mut self,
        k: u8,
        to: SocketAddr,
        to_name: String,
        resp: QueryResponseMsg,
        rt: &mut impl Runtime,
    ) {
        if k == 0 || self.st.members.len() < usize::from(k) + 1 {
            return;
        }
        let raw = SerfMessage::Relay(
            RelayHeader {
                dest_addr: to,
                dest_name: to_name,
            },
            SerfMessage::QueryResponse(resp).encode(),
        )
        .encode();
        if raw.len() > self.st.cfg.query_response_size_limit {
            tracing::error!(
                "serf: failed to relay response: relayed response exceeds limit of {} bytes",
                self.st.cfg.query_response_size_limit
            );
            return;
        }
        let me = self.ml.name().to_string();
        let mut candidates: Vec<SocketAddr> = self
            .st
            .members
            .values()
            .filter(|m| m.status == MemberStatus::Alive && m.vsn[1] >= 5 && m.name != me)
            .map(|m| m.addr)
            .collect();
        candidates.sort_unstable();
        for _ in 0..usize::from(k).min(candidates.len()) {
            let i = self.rng.gen_range(0..candidates.len());
            let addr = candidates.swap_remove(i);
            self.ml.send_user_msg(addr, &raw, rt);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_encode_filters_in_order() {
        let mut p = QueryParams {
            filter_nodes: vec!["a".into()],
            ..Default::default()
        };
        p.filter_tags.insert("role".into(), "consul".into());
        let f = p.encode_filters();
        assert_eq!(f.len(), 2);
        assert_eq!(
            QueryFilter::decode(&f[0]).unwrap(),
            QueryFilter::Nodes(vec!["a".into()])
        );
        assert_eq!(f[1][0], 1);
    }
}
