//! Serf's messages, carried inside memberlist user messages and push-pull
//! user state: one serf type byte, then a msgpack map of Go field names.

use super::clock::LamportTime;
use super::query_msg::{QueryMsg, QueryResponseMsg, RelayHeader};
use crate::codec::msgpack::{DecodeError, Reader, Writer};
use std::collections::BTreeMap;

/// Serf message type bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum SerfMessageType {
    /// Leave intent.
    Leave = 0,
    /// Join intent.
    Join = 1,
    /// Push-pull user state.
    PushPull = 2,
    /// User event.
    UserEvent = 3,
    /// Query.
    Query = 4,
    /// Query response.
    QueryResponse = 5,
    /// Name conflict response.
    ConflictResponse = 6,
    /// Key management request.
    KeyRequest = 7,
    /// Key management response.
    KeyResponse = 8,
    /// Relayed message.
    Relay = 9,
}

/// `messageJoin`: a member (re)announces itself at `ltime`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JoinIntent {
    /// Lamport time of the intent.
    pub ltime: LamportTime,
    /// Node name.
    pub node: String,
}

/// `messageLeave`: a member announces it is leaving.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LeaveIntent {
    /// Lamport time of the intent.
    pub ltime: LamportTime,
    /// Node name.
    pub node: String,
    /// Remove it from the member list at once.
    pub prune: bool,
}

/// `messageUserEvent`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserEventMsg {
    /// Event clock time.
    pub ltime: LamportTime,
    /// Event name.
    pub name: String,
    /// Payload bytes.
    pub payload: Vec<u8>,
    /// May be coalesced with later events of the same name.
    pub cc: bool,
}

/// `userEvents`: the events seen at one Lamport time.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserEvents {
    /// Event clock time.
    pub ltime: LamportTime,
    /// `(name, payload)` pairs.
    pub events: Vec<(String, Vec<u8>)>,
}

/// `messagePushPull`: serf's part of a push-pull.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SerfPushPull {
    /// Member clock.
    pub ltime: LamportTime,
    /// Each member's status Lamport time.
    pub status_ltimes: BTreeMap<String, LamportTime>,
    /// Members that left.
    pub left_members: Vec<String>,
    /// Event clock.
    pub event_ltime: LamportTime,
    /// Recent events (the dedup buffer).
    pub events: Vec<UserEvents>,
    /// Query clock.
    pub query_ltime: LamportTime,
}

/// A decoded serf message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SerfMessage {
    /// See [`JoinIntent`].
    Join(JoinIntent),
    /// See [`LeaveIntent`].
    Leave(LeaveIntent),
    /// See [`UserEventMsg`].
    UserEvent(UserEventMsg),
    /// See [`SerfPushPull`].
    PushPull(SerfPushPull),
    /// See [`QueryMsg`].
    Query(QueryMsg),
    /// See [`QueryResponseMsg`].
    QueryResponse(QueryResponseMsg),
    /// `messageRelayType`: forward the inner message (type byte and body)
    /// to the header's destination.
    Relay(RelayHeader, Vec<u8>),
    /// A type we do not handle (conflict responses, bare key messages).
    Other(u8),
}

fn key_is(k: &str, want: &str) -> bool {
    k == want || k.eq_ignore_ascii_case(want)
}

impl SerfMessage {
    /// Encode with the type byte.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::new();
        match self {
            SerfMessage::Join(m) => {
                w.buf.push(SerfMessageType::Join as u8);
                w.map(2);
                w.str("LTime").uint(m.ltime);
                w.str("Node").str(&m.node);
            }
            SerfMessage::Leave(m) => {
                w.buf.push(SerfMessageType::Leave as u8);
                w.map(3);
                w.str("LTime").uint(m.ltime);
                w.str("Node").str(&m.node);
                w.str("Prune").bool(m.prune);
            }
            SerfMessage::UserEvent(m) => {
                w.buf.push(SerfMessageType::UserEvent as u8);
                w.map(4);
                w.str("LTime").uint(m.ltime);
                w.str("Name").str(&m.name);
                w.str("Payload").bytes(&m.payload);
                w.str("CC").bool(m.cc);
            }
            SerfMessage::PushPull(m) => {
                w.buf.push(SerfMessageType::PushPull as u8);
                w.map(6);
                w.str("LTime").uint(m.ltime);
                w.str("StatusLTimes").map(m.status_ltimes.len() as u32);
                for (k, v) in &m.status_ltimes {
                    w.str(k).uint(*v);
                }
                w.str("LeftMembers").array(m.left_members.len() as u32);
                for n in &m.left_members {
                    w.str(n);
                }
                w.str("EventLTime").uint(m.event_ltime);
                w.str("Events").array(m.events.len() as u32);
                for e in &m.events {
                    w.map(2);
                    w.str("LTime").uint(e.ltime);
                    w.str("Events").array(e.events.len() as u32);
                    for (name, payload) in &e.events {
                        w.map(2);
                        w.str("Name").str(name);
                        w.str("Payload").bytes(payload);
                    }
                }
                w.str("QueryLTime").uint(m.query_ltime);
            }
            SerfMessage::Query(m) => {
                w.buf.push(SerfMessageType::Query as u8);
                m.write(&mut w);
            }
            SerfMessage::QueryResponse(m) => {
                w.buf.push(SerfMessageType::QueryResponse as u8);
                m.write(&mut w);
            }
            SerfMessage::Relay(h, inner) => {
                w.buf.push(SerfMessageType::Relay as u8);
                h.write(&mut w);
                w.buf.extend_from_slice(inner);
            }
            SerfMessage::Other(t) => w.buf.push(*t),
        }
        w.into_inner()
    }

    /// Decode an untrusted serf message.
    pub fn decode(buf: &[u8]) -> Result<SerfMessage, DecodeError> {
        let (&t, body) = buf.split_first().ok_or(DecodeError::Truncated)?;
        let mut r = Reader::new(body);
        Ok(match t {
            0 => {
                let mut m = LeaveIntent::default();
                r.read_struct(|k, r| {
                    match k {
                        _ if key_is(k, "LTime") => m.ltime = r.read_u64()?,
                        _ if key_is(k, "Node") => m.node = r.read_string()?,
                        _ if key_is(k, "Prune") => m.prune = r.read_bool()?,
                        _ => r.skip()?,
                    }
                    Ok(())
                })?;
                SerfMessage::Leave(m)
            }
            1 => {
                let mut m = JoinIntent::default();
                r.read_struct(|k, r| {
                    match k {
                        _ if key_is(k, "LTime") => m.ltime = r.read_u64()?,
                        _ if key_is(k, "Node") => m.node = r.read_string()?,
                        _ => r.skip()?,
                    }
                    Ok(())
                })?;
                SerfMessage::Join(m)
            }
            3 => {
                let mut m = UserEventMsg::default();
                r.read_struct(|k, r| {
                    match k {
                        _ if key_is(k, "LTime") => m.ltime = r.read_u64()?,
                        _ if key_is(k, "Name") => m.name = r.read_string()?,
                        _ if key_is(k, "Payload") => m.payload = r.read_bytes()?,
                        _ if key_is(k, "CC") => m.cc = r.read_bool()?,
                        _ => r.skip()?,
                    }
                    Ok(())
                })?;
                SerfMessage::UserEvent(m)
            }
            2 => SerfMessage::PushPull(read_push_pull(&mut r)?),
            4 => SerfMessage::Query(QueryMsg::read(&mut r)?),
            5 => SerfMessage::QueryResponse(QueryResponseMsg::read(&mut r)?),
            9 => {
                let h = RelayHeader::read(&mut r)?;
                let inner = r.remaining().to_vec();
                if inner.is_empty() {
                    return Err(DecodeError::Truncated);
                }
                SerfMessage::Relay(h, inner)
            }
            t => SerfMessage::Other(t),
        })
    }
}

fn read_push_pull(r: &mut Reader) -> Result<SerfPushPull, DecodeError> {
    let mut m = SerfPushPull::default();
    r.read_struct(|k, r| {
        match k {
            _ if key_is(k, "LTime") => m.ltime = r.read_u64()?,
            _ if key_is(k, "StatusLTimes") => {
                for _ in 0..r.read_map_len()? {
                    let name = r.read_string()?;
                    let t = r.read_u64()?;
                    m.status_ltimes.insert(name, t);
                }
            }
            _ if key_is(k, "LeftMembers") => {
                for _ in 0..r.read_array_len()? {
                    m.left_members.push(r.read_string()?);
                }
            }
            _ if key_is(k, "EventLTime") => m.event_ltime = r.read_u64()?,
            _ if key_is(k, "Events") => {
                for _ in 0..r.read_array_len()? {
                    // Go sends nil for empty slots of the event buffer.
                    let mut ev = UserEvents::default();
                    let mut present = false;
                    r.read_struct(|k, r| {
                        present = true;
                        match k {
                            _ if key_is(k, "LTime") => ev.ltime = r.read_u64()?,
                            _ if key_is(k, "Events") => {
                                for _ in 0..r.read_array_len()? {
                                    let (mut name, mut payload) = (String::new(), Vec::new());
                                    r.read_struct(|k, r| {
                                        match k {
                                            _ if key_is(k, "Name") => name = r.read_string()?,
                                            _ if key_is(k, "Payload") => {
                                                payload = r.read_bytes()?
                                            }
                                            _ => r.skip()?,
                                        }
                                        Ok(())
                                    })?;
                                    ev.events.push((name, payload));
                                }
                            }
                            _ => r.skip()?,
                        }
                        Ok(())
                    })?;
                    if present {
                        m.events.push(ev);
                    }
                }
            }
            _ if key_is(k, "QueryLTime") => m.query_ltime = r.read_u64()?,
            _ => r.skip()?,
        }
        Ok(())
    })?;
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrips() {
        let msgs = [
            SerfMessage::Join(JoinIntent {
                ltime: 5,
                node: "a".into(),
            }),
            SerfMessage::Leave(LeaveIntent {
                ltime: 6,
                node: "a".into(),
                prune: true,
            }),
            SerfMessage::UserEvent(UserEventMsg {
                ltime: 300,
                name: "deploy".into(),
                payload: b"v1".to_vec(),
                cc: true,
            }),
            SerfMessage::PushPull(SerfPushPull {
                ltime: 9,
                status_ltimes: [("a".to_string(), 3u64), ("b".to_string(), 70000)]
                    .into_iter()
                    .collect(),
                left_members: vec!["b".into()],
                event_ltime: 2,
                events: vec![UserEvents {
                    ltime: 1,
                    events: vec![("x".into(), vec![1])],
                }],
                query_ltime: 1,
            }),
            SerfMessage::Query(QueryMsg {
                ltime: 12,
                id: 0x7fff_0001,
                addr: vec![127, 0, 0, 1],
                port: 7946,
                source_node: "a".into(),
                filters: vec![vec![0, 0x91, 0xa1, b'a']],
                flags: 1,
                relay_factor: 2,
                timeout: std::time::Duration::from_millis(3200),
                name: "_serf_list-keys".into(),
                payload: vec![7, 0x81],
            }),
            SerfMessage::QueryResponse(QueryResponseMsg {
                ltime: 12,
                id: 5,
                from: "b".into(),
                flags: 0,
                payload: b"pong".to_vec(),
            }),
            SerfMessage::Relay(
                RelayHeader {
                    dest_addr: "127.0.0.3:8301".parse().unwrap(),
                    dest_name: "a".into(),
                },
                vec![5, 0x80],
            ),
        ];
        for m in msgs {
            assert_eq!(SerfMessage::decode(&m.encode()).unwrap(), m);
        }
    }

    #[test]
    fn hand_checked_join_and_nil_event_slots() {
        let j = SerfMessage::Join(JoinIntent {
            ltime: 1,
            node: "n".into(),
        });
        let mut want = vec![1, 0x82, 0xa5];
        want.extend_from_slice(b"LTime");
        want.extend_from_slice(&[1, 0xa4]);
        want.extend_from_slice(b"Node");
        want.extend_from_slice(&[0xa1, b'n']);
        assert_eq!(j.encode(), want);

        // Events: [nil, nil] as Go sends an empty event buffer.
        let mut pp = vec![2, 0x81, 0xa6];
        pp.extend_from_slice(b"Events");
        pp.extend_from_slice(&[0x92, 0xc0, 0xc0]);
        assert_eq!(
            SerfMessage::decode(&pp).unwrap(),
            SerfMessage::PushPull(SerfPushPull::default())
        );
    }

    #[test]
    fn garbage_does_not_panic() {
        let m = SerfMessage::PushPull(SerfPushPull {
            ltime: 9,
            status_ltimes: [("a".to_string(), 3u64)].into_iter().collect(),
            left_members: vec!["b".into()],
            ..Default::default()
        })
        .encode();
        for i in 0..m.len() {
            let _ = SerfMessage::decode(&m[..i]);
            let mut b = m.clone();
            b[i] ^= 0xa5;
            let _ = SerfMessage::decode(&b);
        }
    }
}
