//! Serf's query messages (`messageQuery`, `messageQueryResponse`), query
//! filters, the relay header and the key-management payloads, encoded as
//! serf's go-msgpack does it (Go field names, `[]byte` as raw strings,
//! `time.Duration` as integer nanoseconds).

use super::clock::LamportTime;
use crate::codec::msgpack::{DecodeError, Reader, Writer};
use crate::memberlist::member::{ip_bytes, socket_addr};
use std::net::SocketAddr;
use std::time::Duration;

/// `queryFlagAck`: every member passing the filters acks on receipt.
pub const QUERY_FLAG_ACK: u32 = 1;
/// `queryFlagNoBroadcast`: receivers do not re-gossip the query.
pub const QUERY_FLAG_NO_BROADCAST: u32 = 2;

/// `filterNodeType`.
const FILTER_NODE: u8 = 0;
/// `filterTagType`.
const FILTER_TAG: u8 = 1;

fn key_is(k: &str, want: &str) -> bool {
    k == want || k.eq_ignore_ascii_case(want)
}

/// `messageQuery`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueryMsg {
    /// Query clock time.
    pub ltime: LamportTime,
    /// Random query ID.
    pub id: u32,
    /// The querier's IP (4 or 16 bytes), for direct replies.
    pub addr: Vec<u8>,
    /// The querier's port.
    pub port: u16,
    /// The querier's node name.
    pub source_node: String,
    /// Encoded filters (see [`QueryFilter`]).
    pub filters: Vec<Vec<u8>>,
    /// [`QUERY_FLAG_ACK`] / [`QUERY_FLAG_NO_BROADCAST`].
    pub flags: u32,
    /// How many other members relay each response.
    pub relay_factor: u8,
    /// How long the query stays open.
    pub timeout: Duration,
    /// Query name.
    pub name: String,
    /// Query payload.
    pub payload: Vec<u8>,
}

impl QueryMsg {
    /// Whether acks were requested.
    pub fn ack(&self) -> bool {
        self.flags & QUERY_FLAG_ACK != 0
    }

    /// Whether re-gossip is suppressed.
    pub fn no_broadcast(&self) -> bool {
        self.flags & QUERY_FLAG_NO_BROADCAST != 0
    }

    /// Where replies go.
    pub fn reply_addr(&self) -> Option<SocketAddr> {
        socket_addr(&self.addr, self.port)
    }

    pub(super) fn write(&self, w: &mut Writer) {
        w.map(11);
        w.str("LTime").uint(self.ltime);
        w.str("ID").uint(u64::from(self.id));
        w.str("Addr").bytes(&self.addr);
        w.str("Port").uint(u64::from(self.port));
        w.str("SourceNode").str(&self.source_node);
        w.str("Filters");
        if self.filters.is_empty() {
            w.nil();
        } else {
            w.array(self.filters.len() as u32);
            for f in &self.filters {
                w.raw(f);
            }
        }
        w.str("Flags").uint(u64::from(self.flags));
        w.str("RelayFactor").uint(u64::from(self.relay_factor));
        w.str("Timeout")
            .int(i64::try_from(self.timeout.as_nanos()).unwrap_or(i64::MAX));
        w.str("Name").str(&self.name);
        w.str("Payload").bytes(&self.payload);
    }

    pub(super) fn read(r: &mut Reader) -> Result<Self, DecodeError> {
        let mut m = QueryMsg::default();
        r.read_struct(|k, r| {
            match k {
                _ if key_is(k, "LTime") => m.ltime = r.read_u64()?,
                _ if key_is(k, "ID") => m.id = r.read_u32()?,
                _ if key_is(k, "Addr") => m.addr = r.read_bytes()?,
                _ if key_is(k, "Port") => m.port = r.read_u16()?,
                _ if key_is(k, "SourceNode") => m.source_node = r.read_string()?,
                _ if key_is(k, "Filters") => {
                    for _ in 0..r.read_array_len()? {
                        m.filters.push(r.read_bytes()?);
                    }
                }
                _ if key_is(k, "Flags") => m.flags = r.read_u32()?,
                _ if key_is(k, "RelayFactor") => m.relay_factor = r.read_u8()?,
                _ if key_is(k, "Timeout") => {
                    m.timeout = Duration::from_nanos(r.read_i64()?.max(0) as u64)
                }
                _ if key_is(k, "Name") => m.name = r.read_string()?,
                _ if key_is(k, "Payload") => m.payload = r.read_bytes()?,
                _ => r.skip()?,
            }
            Ok(())
        })?;
        Ok(m)
    }
}

/// `messageQueryResponse`: a response, or an ack when the ack flag is set.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueryResponseMsg {
    /// The query's clock time.
    pub ltime: LamportTime,
    /// The query's ID.
    pub id: u32,
    /// Responding node.
    pub from: String,
    /// [`QUERY_FLAG_ACK`] for an ack.
    pub flags: u32,
    /// Response payload.
    pub payload: Vec<u8>,
}

impl QueryResponseMsg {
    /// Whether this is an ack.
    pub fn ack(&self) -> bool {
        self.flags & QUERY_FLAG_ACK != 0
    }

    pub(super) fn write(&self, w: &mut Writer) {
        w.map(5);
        w.str("LTime").uint(self.ltime);
        w.str("ID").uint(u64::from(self.id));
        w.str("From").str(&self.from);
        w.str("Flags").uint(u64::from(self.flags));
        w.str("Payload").bytes(&self.payload);
    }

    pub(super) fn read(r: &mut Reader) -> Result<Self, DecodeError> {
        let mut m = QueryResponseMsg::default();
        r.read_struct(|k, r| {
            match k {
                _ if key_is(k, "LTime") => m.ltime = r.read_u64()?,
                _ if key_is(k, "ID") => m.id = r.read_u32()?,
                _ if key_is(k, "From") => m.from = r.read_string()?,
                _ if key_is(k, "Flags") => m.flags = r.read_u32()?,
                _ if key_is(k, "Payload") => m.payload = r.read_bytes()?,
                _ => r.skip()?,
            }
            Ok(())
        })?;
        Ok(m)
    }
}

/// A query filter: which members should process a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryFilter {
    /// `filterNode`: only these node names.
    Nodes(Vec<String>),
    /// `filterTag`: the tag's value must match the regular expression
    /// (unanchored, as Go's `regexp.MatchString`).
    Tag {
        /// Tag name.
        tag: String,
        /// Regular expression.
        expr: String,
    },
}

impl QueryFilter {
    /// Filter type byte, then the msgpack body.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new();
        match self {
            QueryFilter::Nodes(names) => {
                w.buf.push(FILTER_NODE);
                w.array(names.len() as u32);
                for n in names {
                    w.str(n);
                }
            }
            QueryFilter::Tag { tag, expr } => {
                w.buf.push(FILTER_TAG);
                w.map(2);
                w.str("Tag").str(tag);
                w.str("Expr").str(expr);
            }
        }
        w.into_inner()
    }

    /// Decode an untrusted filter.
    pub fn decode(buf: &[u8]) -> Result<Self, DecodeError> {
        let (&t, body) = buf.split_first().ok_or(DecodeError::Truncated)?;
        let mut r = Reader::new(body);
        match t {
            FILTER_NODE => {
                let n = r.read_array_len()?;
                let mut names = Vec::with_capacity(n);
                for _ in 0..n {
                    names.push(r.read_string()?);
                }
                Ok(QueryFilter::Nodes(names))
            }
            FILTER_TAG => {
                let (mut tag, mut expr) = (String::new(), String::new());
                r.read_struct(|k, r| {
                    match k {
                        _ if key_is(k, "Tag") => tag = r.read_string()?,
                        _ if key_is(k, "Expr") => expr = r.read_string()?,
                        _ => r.skip()?,
                    }
                    Ok(())
                })?;
                Ok(QueryFilter::Tag { tag, expr })
            }
            other => Err(DecodeError::Unexpected {
                expected: "filter type",
                found: other,
            }),
        }
    }
}

/// `relayHeader`: where a relayed message finally goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayHeader {
    /// Final destination (`net.UDPAddr`).
    pub dest_addr: SocketAddr,
    /// Final destination's node name (empty from serf < 0.9).
    pub dest_name: String,
}

impl RelayHeader {
    pub(super) fn write(&self, w: &mut Writer) {
        w.map(2);
        w.str("DestAddr").map(3);
        w.str("IP").bytes(&ip_bytes(&self.dest_addr));
        w.str("Port").uint(u64::from(self.dest_addr.port()));
        w.str("Zone").str("");
        w.str("DestName").str(&self.dest_name);
    }

    pub(super) fn read(r: &mut Reader) -> Result<Self, DecodeError> {
        let (mut ip, mut port, mut name) = (Vec::new(), 0u16, String::new());
        r.read_struct(|k, r| {
            match k {
                _ if key_is(k, "DestAddr") => r.read_struct(|k, r| {
                    match k {
                        _ if key_is(k, "IP") => ip = r.read_bytes()?,
                        _ if key_is(k, "Port") => port = r.read_u16()?,
                        _ => r.skip()?,
                    }
                    Ok(())
                })?,
                _ if key_is(k, "DestName") => name = r.read_string()?,
                _ => r.skip()?,
            }
            Ok(())
        })?;
        let dest_addr = socket_addr(&ip, port).ok_or(DecodeError::OutOfRange("relay address"))?;
        Ok(RelayHeader {
            dest_addr,
            dest_name: name,
        })
    }
}

/// `keyRequest`: the payload of `_serf_install-key` and friends (after
/// the `messageKeyRequestType` byte).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeyRequest {
    /// Raw key bytes (empty for list-keys).
    pub key: Vec<u8>,
}

impl KeyRequest {
    /// Type byte and msgpack body.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.buf
            .push(super::messages::SerfMessageType::KeyRequest as u8);
        w.map(1);
        w.str("Key").raw(&self.key);
        w.into_inner()
    }

    /// Decode a query payload (type byte first; serf skips it unchecked).
    pub fn decode(buf: &[u8]) -> Result<Self, DecodeError> {
        let body = buf.get(1..).ok_or(DecodeError::Truncated)?;
        let mut m = KeyRequest::default();
        Reader::new(body).read_struct(|k, r| {
            match k {
                _ if key_is(k, "Key") => m.key = r.read_bytes()?,
                _ => r.skip()?,
            }
            Ok(())
        })?;
        Ok(m)
    }
}

/// `nodeKeyResponse`: one member's answer to a key query (after the
/// `messageKeyResponseType` byte).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NodeKeyResponse {
    /// Whether the operation succeeded.
    pub result: bool,
    /// Error or warning text.
    pub message: String,
    /// Installed keys, base64 (list-keys only).
    pub keys: Vec<String>,
    /// Primary key, base64 (list-keys only; absent from serf < 0.9.4).
    pub primary_key: String,
}

impl NodeKeyResponse {
    /// Type byte and msgpack body.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.buf
            .push(super::messages::SerfMessageType::KeyResponse as u8);
        w.map(4);
        w.str("Result").bool(self.result);
        w.str("Message").str(&self.message);
        w.str("Keys");
        if self.keys.is_empty() {
            w.nil();
        } else {
            w.array(self.keys.len() as u32);
            for k in &self.keys {
                w.str(k);
            }
        }
        w.str("PrimaryKey").str(&self.primary_key);
        w.into_inner()
    }

    /// Decode a response payload; `None` unless it starts with the
    /// key-response type byte and decodes.
    pub fn decode(buf: &[u8]) -> Option<Self> {
        let (&t, body) = buf.split_first()?;
        if t != super::messages::SerfMessageType::KeyResponse as u8 {
            return None;
        }
        let mut m = NodeKeyResponse::default();
        Reader::new(body)
            .read_struct(|k, r| {
                match k {
                    _ if key_is(k, "Result") => m.result = r.read_bool()?,
                    _ if key_is(k, "Message") => m.message = r.read_string()?,
                    _ if key_is(k, "Keys") => {
                        for _ in 0..r.read_array_len()? {
                            m.keys.push(r.read_string()?);
                        }
                    }
                    _ if key_is(k, "PrimaryKey") => m.primary_key = r.read_string()?,
                    _ => r.skip()?,
                }
                Ok(())
            })
            .ok()?;
        Some(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_roundtrip() {
        for f in [
            QueryFilter::Nodes(vec!["a".into(), "b".into()]),
            QueryFilter::Tag {
                tag: "role".into(),
                expr: "^con.*".into(),
            },
        ] {
            assert_eq!(QueryFilter::decode(&f.encode()).unwrap(), f);
        }
        assert!(QueryFilter::decode(&[9, 0x90]).is_err());
        assert!(QueryFilter::decode(&[]).is_err());
    }

    #[test]
    fn key_payloads_roundtrip() {
        let r = KeyRequest { key: vec![7; 16] };
        let enc = r.encode();
        assert_eq!(enc[0], 7);
        assert_eq!(KeyRequest::decode(&enc).unwrap(), r);
        let resp = NodeKeyResponse {
            result: true,
            message: String::new(),
            keys: vec!["AAAA".into(), "BBBB".into()],
            primary_key: "AAAA".into(),
        };
        let enc = resp.encode();
        assert_eq!(enc[0], 8);
        assert_eq!(NodeKeyResponse::decode(&enc).unwrap(), resp);
        assert!(NodeKeyResponse::decode(&[7, 0x80]).is_none());
    }

    #[test]
    fn relay_header_roundtrip() {
        let h = RelayHeader {
            dest_addr: "127.0.0.9:7946".parse().unwrap(),
            dest_name: "n".into(),
        };
        let mut w = Writer::new();
        h.write(&mut w);
        let buf = w.into_inner();
        assert_eq!(RelayHeader::read(&mut Reader::new(&buf)).unwrap(), h);
    }
}
