//! memberlist's message structs and their msgpack form.
//!
//! Each message on the wire is one type byte followed by a msgpack map whose
//! keys are the Go field names, in Go declaration order.

use super::msgpack::{DecodeError, Reader, Writer};

/// The leading type byte of a memberlist message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum MessageType {
    /// Direct probe.
    Ping = 0,
    /// Ask a peer to probe a target for us.
    IndirectPing = 1,
    /// Answer to a ping.
    Ack = 2,
    /// A member is suspected.
    Suspect = 3,
    /// A member is alive.
    Alive = 4,
    /// A member is dead (or left, when it declared itself dead).
    Dead = 5,
    /// Full state exchange (TCP only).
    PushPull = 6,
    /// Several messages in one packet.
    Compound = 7,
    /// Payload for the delegate (serf).
    User = 8,
    /// LZW-compressed message.
    Compress = 9,
    /// Encrypted stream message.
    Encrypt = 10,
    /// Negative answer to an indirect ping.
    Nack = 11,
    /// CRC32 header followed by a message.
    HasCrc = 12,
    /// Error reply on a stream.
    Err = 13,
    /// Label header (packets and streams).
    HasLabel = 244,
}

impl MessageType {
    /// Parse a type byte.
    pub fn from_u8(b: u8) -> Option<Self> {
        use MessageType::*;
        Some(match b {
            0 => Ping,
            1 => IndirectPing,
            2 => Ack,
            3 => Suspect,
            4 => Alive,
            5 => Dead,
            6 => PushPull,
            7 => Compound,
            8 => User,
            9 => Compress,
            10 => Encrypt,
            11 => Nack,
            12 => HasCrc,
            13 => Err,
            244 => HasLabel,
            _ => return None,
        })
    }
}

/// A member's state as carried in push-pull (`NodeStateType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeState {
    /// Responding to probes.
    Alive,
    /// Suspected of failure.
    Suspect,
    /// Confirmed failed.
    Dead,
    /// Left gracefully.
    Left,
}

impl NodeState {
    /// The Go enum value.
    pub fn as_u8(self) -> u8 {
        match self {
            NodeState::Alive => 0,
            NodeState::Suspect => 1,
            NodeState::Dead => 2,
            NodeState::Left => 3,
        }
    }

    /// From the Go enum value; unknown values are treated as dead.
    pub fn from_u8(v: u8) -> Self {
        match v {
            0 => NodeState::Alive,
            1 => NodeState::Suspect,
            3 => NodeState::Left,
            _ => NodeState::Dead,
        }
    }
}

/// `ping`: a direct probe.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ping {
    /// Sequence number echoed in the ack.
    pub seq_no: u32,
    /// The name of the node we mean to probe (empty = any).
    pub node: String,
    /// Our address, for the ack (omitted when empty).
    pub source_addr: Vec<u8>,
    /// Our port (omitted when zero).
    pub source_port: u16,
    /// Our name (omitted when empty).
    pub source_node: String,
}

/// `indirectPingReq`: probe `target` on our behalf.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IndirectPing {
    /// Sequence number to use for the relayed ack.
    pub seq_no: u32,
    /// Target IP bytes.
    pub target: Vec<u8>,
    /// Target port.
    pub port: u16,
    /// Target name.
    pub node: String,
    /// Whether the requester wants a nack on timeout.
    pub nack: bool,
    /// Requester address (omitted when empty).
    pub source_addr: Vec<u8>,
    /// Requester port (omitted when zero).
    pub source_port: u16,
    /// Requester name (omitted when empty).
    pub source_node: String,
}

/// `ackResp`: a probe succeeded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ack {
    /// The ping's sequence number.
    pub seq_no: u32,
    /// Ping-delegate payload (serf puts coordinates here).
    pub payload: Vec<u8>,
}

/// `nackResp`: an indirect probe timed out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Nack {
    /// The indirect ping's sequence number.
    pub seq_no: u32,
}

/// `errResp`: an error on a stream.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ErrResp {
    /// Error text.
    pub error: String,
}

/// `suspect`: `from` suspects `node` at `incarnation`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Suspect {
    /// Incarnation the suspicion applies to.
    pub incarnation: u32,
    /// Suspected node.
    pub node: String,
    /// Who suspects it.
    pub from: String,
}

/// `dead`: `from` declares `node` dead (a leave when `from == node`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Dead {
    /// Incarnation the declaration applies to.
    pub incarnation: u32,
    /// Dead node.
    pub node: String,
    /// Who declares it.
    pub from: String,
}

/// `alive`: `node` is alive at `incarnation`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Alive {
    /// Incarnation number.
    pub incarnation: u32,
    /// Node name.
    pub node: String,
    /// IP bytes (4 or 16).
    pub addr: Vec<u8>,
    /// Gossip port.
    pub port: u16,
    /// Delegate metadata (serf tags).
    pub meta: Vec<u8>,
    /// Versions: pmin, pmax, pcur, dmin, dmax, dcur.
    pub vsn: Vec<u8>,
}

/// `pushNodeState`: one member in a push-pull exchange.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PushNodeState {
    /// Node name.
    pub name: String,
    /// IP bytes.
    pub addr: Vec<u8>,
    /// Gossip port.
    pub port: u16,
    /// Delegate metadata.
    pub meta: Vec<u8>,
    /// Incarnation number.
    pub incarnation: u32,
    /// Go `NodeStateType` value.
    pub state: u8,
    /// Versions, as in [`Alive::vsn`].
    pub vsn: Vec<u8>,
}

/// A complete push-pull message: header, node states and user state.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PushPull {
    /// Whether this exchange is part of a join.
    pub join: bool,
    /// Every member the sender knows.
    pub nodes: Vec<PushNodeState>,
    /// Delegate (serf) state, raw bytes appended after the nodes.
    pub user_state: Vec<u8>,
}

/// One decoded memberlist message (not a wrapper like compound or CRC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// See [`Ping`].
    Ping(Ping),
    /// See [`IndirectPing`].
    IndirectPing(IndirectPing),
    /// See [`Ack`].
    Ack(Ack),
    /// See [`Nack`].
    Nack(Nack),
    /// See [`ErrResp`].
    Err(ErrResp),
    /// See [`Suspect`].
    Suspect(Suspect),
    /// See [`Alive`].
    Alive(Alive),
    /// See [`Dead`].
    Dead(Dead),
    /// See [`PushPull`].
    PushPull(PushPull),
    /// Delegate payload.
    User(Vec<u8>),
}

fn name_is(key: &str, want: &str) -> bool {
    key == want || key.eq_ignore_ascii_case(want)
}

impl Ping {
    fn write(&self, w: &mut Writer) {
        let extra = u32::from(!self.source_addr.is_empty())
            + u32::from(self.source_port != 0)
            + u32::from(!self.source_node.is_empty());
        w.map(2 + extra);
        w.str("SeqNo").uint(self.seq_no.into());
        w.str("Node").str(&self.node);
        if !self.source_addr.is_empty() {
            w.str("SourceAddr").raw(&self.source_addr);
        }
        if self.source_port != 0 {
            w.str("SourcePort").uint(self.source_port.into());
        }
        if !self.source_node.is_empty() {
            w.str("SourceNode").str(&self.source_node);
        }
    }

    fn read(r: &mut Reader) -> Result<Self, DecodeError> {
        let mut m = Ping::default();
        r.read_struct(|k, r| {
            match k {
                _ if name_is(k, "SeqNo") => m.seq_no = r.read_u32()?,
                _ if name_is(k, "Node") => m.node = r.read_string()?,
                _ if name_is(k, "SourceAddr") => m.source_addr = r.read_bytes()?,
                _ if name_is(k, "SourcePort") => m.source_port = r.read_u16()?,
                _ if name_is(k, "SourceNode") => m.source_node = r.read_string()?,
                _ => r.skip()?,
            }
            Ok(())
        })?;
        Ok(m)
    }
}

impl IndirectPing {
    fn write(&self, w: &mut Writer) {
        let extra = u32::from(!self.source_addr.is_empty())
            + u32::from(self.source_port != 0)
            + u32::from(!self.source_node.is_empty());
        w.map(5 + extra);
        w.str("SeqNo").uint(self.seq_no.into());
        w.str("Target").bytes(&self.target);
        w.str("Port").uint(self.port.into());
        w.str("Node").str(&self.node);
        w.str("Nack").bool(self.nack);
        if !self.source_addr.is_empty() {
            w.str("SourceAddr").raw(&self.source_addr);
        }
        if self.source_port != 0 {
            w.str("SourcePort").uint(self.source_port.into());
        }
        if !self.source_node.is_empty() {
            w.str("SourceNode").str(&self.source_node);
        }
    }

    fn read(r: &mut Reader) -> Result<Self, DecodeError> {
        let mut m = IndirectPing::default();
        r.read_struct(|k, r| {
            match k {
                _ if name_is(k, "SeqNo") => m.seq_no = r.read_u32()?,
                _ if name_is(k, "Target") => m.target = r.read_bytes()?,
                _ if name_is(k, "Port") => m.port = r.read_u16()?,
                _ if name_is(k, "Node") => m.node = r.read_string()?,
                _ if name_is(k, "Nack") => m.nack = r.read_bool()?,
                _ if name_is(k, "SourceAddr") => m.source_addr = r.read_bytes()?,
                _ if name_is(k, "SourcePort") => m.source_port = r.read_u16()?,
                _ if name_is(k, "SourceNode") => m.source_node = r.read_string()?,
                _ => r.skip()?,
            }
            Ok(())
        })?;
        Ok(m)
    }
}

impl Ack {
    fn write(&self, w: &mut Writer) {
        w.map(2);
        w.str("SeqNo").uint(self.seq_no.into());
        w.str("Payload").bytes(&self.payload);
    }

    fn read(r: &mut Reader) -> Result<Self, DecodeError> {
        let mut m = Ack::default();
        r.read_struct(|k, r| {
            match k {
                _ if name_is(k, "SeqNo") => m.seq_no = r.read_u32()?,
                _ if name_is(k, "Payload") => m.payload = r.read_bytes()?,
                _ => r.skip()?,
            }
            Ok(())
        })?;
        Ok(m)
    }
}

impl Nack {
    fn write(&self, w: &mut Writer) {
        w.map(1);
        w.str("SeqNo").uint(self.seq_no.into());
    }

    fn read(r: &mut Reader) -> Result<Self, DecodeError> {
        let mut m = Nack::default();
        r.read_struct(|k, r| {
            if name_is(k, "SeqNo") {
                m.seq_no = r.read_u32()?;
            } else {
                r.skip()?;
            }
            Ok(())
        })?;
        Ok(m)
    }
}

impl ErrResp {
    fn write(&self, w: &mut Writer) {
        w.map(1);
        w.str("Error").str(&self.error);
    }

    fn read(r: &mut Reader) -> Result<Self, DecodeError> {
        let mut m = ErrResp::default();
        r.read_struct(|k, r| {
            if name_is(k, "Error") {
                m.error = r.read_string()?;
            } else {
                r.skip()?;
            }
            Ok(())
        })?;
        Ok(m)
    }
}

/// Shared shape of `suspect` and `dead`.
fn write_accusation(w: &mut Writer, incarnation: u32, node: &str, from: &str) {
    w.map(3);
    w.str("Incarnation").uint(incarnation.into());
    w.str("Node").str(node);
    w.str("From").str(from);
}

fn read_accusation(r: &mut Reader) -> Result<(u32, String, String), DecodeError> {
    let (mut inc, mut node, mut from) = (0, String::new(), String::new());
    r.read_struct(|k, r| {
        match k {
            _ if name_is(k, "Incarnation") => inc = r.read_u32()?,
            _ if name_is(k, "Node") => node = r.read_string()?,
            _ if name_is(k, "From") => from = r.read_string()?,
            _ => r.skip()?,
        }
        Ok(())
    })?;
    Ok((inc, node, from))
}

impl Alive {
    fn write(&self, w: &mut Writer) {
        w.map(6);
        w.str("Incarnation").uint(self.incarnation.into());
        w.str("Node").str(&self.node);
        w.str("Addr").bytes(&self.addr);
        w.str("Port").uint(self.port.into());
        w.str("Meta").bytes(&self.meta);
        w.str("Vsn").bytes(&self.vsn);
    }

    fn read(r: &mut Reader) -> Result<Self, DecodeError> {
        let mut m = Alive::default();
        r.read_struct(|k, r| {
            match k {
                _ if name_is(k, "Incarnation") => m.incarnation = r.read_u32()?,
                _ if name_is(k, "Node") => m.node = r.read_string()?,
                _ if name_is(k, "Addr") => m.addr = r.read_bytes()?,
                _ if name_is(k, "Port") => m.port = r.read_u16()?,
                _ if name_is(k, "Meta") => m.meta = r.read_bytes()?,
                _ if name_is(k, "Vsn") => m.vsn = r.read_bytes()?,
                _ => r.skip()?,
            }
            Ok(())
        })?;
        Ok(m)
    }
}

impl PushNodeState {
    /// Append this node state as msgpack.
    pub fn write(&self, w: &mut Writer) {
        w.map(7);
        w.str("Name").str(&self.name);
        w.str("Addr").bytes(&self.addr);
        w.str("Port").uint(self.port.into());
        w.str("Meta").bytes(&self.meta);
        w.str("Incarnation").uint(self.incarnation.into());
        w.str("State").uint(self.state.into());
        w.str("Vsn").bytes(&self.vsn);
    }

    /// Read one node state.
    pub fn read(r: &mut Reader) -> Result<Self, DecodeError> {
        let mut m = PushNodeState::default();
        r.read_struct(|k, r| {
            match k {
                _ if name_is(k, "Name") => m.name = r.read_string()?,
                _ if name_is(k, "Addr") => m.addr = r.read_bytes()?,
                _ if name_is(k, "Port") => m.port = r.read_u16()?,
                _ if name_is(k, "Meta") => m.meta = r.read_bytes()?,
                _ if name_is(k, "Incarnation") => m.incarnation = r.read_u32()?,
                _ if name_is(k, "State") => m.state = r.read_u8()?,
                _ if name_is(k, "Vsn") => m.vsn = r.read_bytes()?,
                _ => r.skip()?,
            }
            Ok(())
        })?;
        Ok(m)
    }
}

impl PushPull {
    fn write(&self, w: &mut Writer) {
        w.map(3);
        w.str("Nodes").uint(self.nodes.len() as u64);
        w.str("UserStateLen").uint(self.user_state.len() as u64);
        w.str("Join").bool(self.join);
        for n in &self.nodes {
            n.write(w);
        }
        w.buf.extend_from_slice(&self.user_state);
    }

    /// Read header, nodes and user state; returns bytes consumed via `r`.
    pub fn read(r: &mut Reader) -> Result<Self, DecodeError> {
        let (mut nodes, mut user_len, mut join) = (0i64, 0i64, false);
        r.read_struct(|k, r| {
            match k {
                _ if name_is(k, "Nodes") => nodes = r.read_i64()?,
                _ if name_is(k, "UserStateLen") => user_len = r.read_i64()?,
                _ if name_is(k, "Join") => join = r.read_bool()?,
                _ => r.skip()?,
            }
            Ok(())
        })?;
        if nodes < 0 || user_len < 0 {
            return Err(DecodeError::Invalid("negative push-pull count"));
        }
        let rest = r.remaining().len() as i64;
        if nodes > rest || user_len > rest {
            return Err(DecodeError::Truncated);
        }
        let mut out = PushPull {
            join,
            nodes: Vec::with_capacity(nodes as usize),
            user_state: Vec::new(),
        };
        for _ in 0..nodes {
            out.nodes.push(PushNodeState::read(r)?);
        }
        let rest = r.remaining();
        if rest.len() < user_len as usize {
            return Err(DecodeError::Truncated);
        }
        out.user_state = rest[..user_len as usize].to_vec();
        r.advance(user_len as usize)?;
        Ok(out)
    }
}

impl Message {
    /// The type byte this message is sent with.
    pub fn message_type(&self) -> MessageType {
        match self {
            Message::Ping(_) => MessageType::Ping,
            Message::IndirectPing(_) => MessageType::IndirectPing,
            Message::Ack(_) => MessageType::Ack,
            Message::Nack(_) => MessageType::Nack,
            Message::Err(_) => MessageType::Err,
            Message::Suspect(_) => MessageType::Suspect,
            Message::Alive(_) => MessageType::Alive,
            Message::Dead(_) => MessageType::Dead,
            Message::PushPull(_) => MessageType::PushPull,
            Message::User(_) => MessageType::User,
        }
    }

    /// Encode as type byte + msgpack body.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::with(vec![self.message_type() as u8]);
        match self {
            Message::Ping(m) => m.write(&mut w),
            Message::IndirectPing(m) => m.write(&mut w),
            Message::Ack(m) => m.write(&mut w),
            Message::Nack(m) => m.write(&mut w),
            Message::Err(m) => m.write(&mut w),
            Message::Suspect(m) => write_accusation(&mut w, m.incarnation, &m.node, &m.from),
            Message::Alive(m) => m.write(&mut w),
            Message::Dead(m) => write_accusation(&mut w, m.incarnation, &m.node, &m.from),
            Message::PushPull(m) => m.write(&mut w),
            Message::User(b) => w.buf.extend_from_slice(b),
        }
        w.into_inner()
    }

    /// Decode one plain message (type byte + body). Wrappers such as
    /// compound, CRC or compression are handled by [`crate::codec::packet`].
    pub fn decode(buf: &[u8]) -> Result<Message, DecodeError> {
        let (&t, body) = buf.split_first().ok_or(DecodeError::Truncated)?;
        let mut r = Reader::new(body);
        let t = MessageType::from_u8(t).ok_or(DecodeError::Invalid("unknown message type"))?;
        Ok(match t {
            MessageType::Ping => Message::Ping(Ping::read(&mut r)?),
            MessageType::IndirectPing => Message::IndirectPing(IndirectPing::read(&mut r)?),
            MessageType::Ack => Message::Ack(Ack::read(&mut r)?),
            MessageType::Nack => Message::Nack(Nack::read(&mut r)?),
            MessageType::Err => Message::Err(ErrResp::read(&mut r)?),
            MessageType::Suspect => {
                let (incarnation, node, from) = read_accusation(&mut r)?;
                Message::Suspect(Suspect {
                    incarnation,
                    node,
                    from,
                })
            }
            MessageType::Dead => {
                let (incarnation, node, from) = read_accusation(&mut r)?;
                Message::Dead(Dead {
                    incarnation,
                    node,
                    from,
                })
            }
            MessageType::Alive => Message::Alive(Alive::read(&mut r)?),
            MessageType::PushPull => Message::PushPull(PushPull::read(&mut r)?),
            MessageType::User => Message::User(body.to_vec()),
            MessageType::Compound
            | MessageType::Compress
            | MessageType::Encrypt
            | MessageType::HasCrc
            | MessageType::HasLabel => return Err(DecodeError::Invalid("wrapper message")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(m: Message) {
        let b = m.encode();
        assert_eq!(Message::decode(&b).unwrap(), m);
    }

    #[test]
    fn all_roundtrip() {
        roundtrip(Message::Ping(Ping {
            seq_no: 7,
            node: "a".into(),
            source_addr: vec![127, 0, 0, 1],
            source_port: 7946,
            source_node: "b".into(),
        }));
        roundtrip(Message::Ping(Ping {
            seq_no: 70000,
            node: "a".into(),
            ..Default::default()
        }));
        roundtrip(Message::IndirectPing(IndirectPing {
            seq_no: 1,
            target: vec![127, 0, 0, 2],
            port: 8301,
            node: "t".into(),
            nack: true,
            source_addr: vec![127, 0, 0, 1],
            source_port: 8301,
            source_node: "s".into(),
        }));
        roundtrip(Message::Ack(Ack {
            seq_no: 3,
            payload: vec![1, 2, 3],
        }));
        roundtrip(Message::Nack(Nack { seq_no: 9 }));
        roundtrip(Message::Err(ErrResp { error: "x".into() }));
        roundtrip(Message::Suspect(Suspect {
            incarnation: 4,
            node: "n".into(),
            from: "f".into(),
        }));
        roundtrip(Message::Dead(Dead {
            incarnation: 4,
            node: "n".into(),
            from: "n".into(),
        }));
        roundtrip(Message::Alive(Alive {
            incarnation: 1,
            node: "node1".into(),
            addr: vec![127, 0, 0, 1],
            port: 8301,
            meta: vec![0xff, 0x80],
            vsn: vec![1, 5, 2, 2, 5, 4],
        }));
        roundtrip(Message::PushPull(PushPull {
            join: true,
            nodes: vec![PushNodeState {
                name: "a".into(),
                addr: vec![127, 0, 0, 1],
                port: 1,
                meta: vec![],
                incarnation: 2,
                state: 3,
                vsn: vec![1, 5, 2, 2, 5, 4],
            }],
            user_state: b"serf".to_vec(),
        }));
        roundtrip(Message::User(b"\x01hello".to_vec()));
    }

    /// Bytes worked out by hand from Go's encoder: fixmap, fixstr keys in
    /// declaration order, []byte as str, smallest uints.
    #[test]
    fn hand_checked_ping_and_suspect() {
        let ping = Message::Ping(Ping {
            seq_no: 1,
            node: "a".into(),
            ..Default::default()
        });
        let mut want = vec![0x00, 0x82, 0xa5];
        want.extend_from_slice(b"SeqNo");
        want.push(0x01);
        want.push(0xa4);
        want.extend_from_slice(b"Node");
        want.extend_from_slice(&[0xa1, b'a']);
        assert_eq!(ping.encode(), want);

        let s = Message::Suspect(Suspect {
            incarnation: 300,
            node: "n".into(),
            from: "f".into(),
        });
        let mut want = vec![0x03, 0x83, 0xab];
        want.extend_from_slice(b"Incarnation");
        want.extend_from_slice(&[0xcd, 0x01, 0x2c, 0xa4]);
        want.extend_from_slice(b"Node");
        want.extend_from_slice(&[0xa1, b'n', 0xa4]);
        want.extend_from_slice(b"From");
        want.extend_from_slice(&[0xa1, b'f']);
        assert_eq!(s.encode(), want);

        let ack = Message::Ack(Ack {
            seq_no: 2,
            payload: vec![],
        });
        let mut want = vec![0x02, 0x82, 0xa5];
        want.extend_from_slice(b"SeqNo");
        want.extend_from_slice(&[0x02, 0xa7]);
        want.extend_from_slice(b"Payload");
        want.push(0xc0);
        assert_eq!(ack.encode(), want);
    }

    #[test]
    fn lenient_decode_any_order_bin_unknown_keys() {
        // alive with keys shuffled, bin8 for Addr, an unknown nested key.
        let mut b = vec![0x04, 0x85];
        b.push(0xa3);
        b.extend_from_slice(b"Vsn");
        b.extend_from_slice(&[0xc4, 6, 1, 5, 2, 2, 5, 4]);
        b.push(0xa5);
        b.extend_from_slice(b"Extra");
        b.extend_from_slice(&[0x81, 0xa1, b'x', 0x91, 0x01]);
        b.push(0xa4);
        b.extend_from_slice(b"Addr");
        b.extend_from_slice(&[0xc4, 4, 10, 0, 0, 1]);
        b.push(0xa4);
        b.extend_from_slice(b"Node");
        b.extend_from_slice(&[0xd9, 1, b'z']);
        b.push(0xab);
        b.extend_from_slice(b"Incarnation");
        b.extend_from_slice(&[0xce, 0, 0, 0, 9]);
        let m = Message::decode(&b).unwrap();
        assert_eq!(
            m,
            Message::Alive(Alive {
                incarnation: 9,
                node: "z".into(),
                addr: vec![10, 0, 0, 1],
                port: 0,
                meta: vec![],
                vsn: vec![1, 5, 2, 2, 5, 4],
            })
        );
    }

    #[test]
    fn malformed_never_panics() {
        let good = Message::Alive(Alive {
            incarnation: 1,
            node: "node1".into(),
            addr: vec![127, 0, 0, 1],
            port: 8301,
            meta: vec![1; 40],
            vsn: vec![1, 5, 2, 2, 5, 4],
        })
        .encode();
        for i in 0..good.len() {
            let _ = Message::decode(&good[..i]);
            let mut bad = good.clone();
            bad[i] ^= 0xff;
            let _ = Message::decode(&bad);
        }
        let pp = Message::PushPull(PushPull {
            join: false,
            nodes: vec![PushNodeState::default(); 3],
            user_state: vec![1; 10],
        })
        .encode();
        for i in 0..pp.len() {
            assert!(Message::decode(&pp[..i]).is_err());
        }
    }
}
