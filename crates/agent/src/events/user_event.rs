//! A user event as Consul's agents exchange it: the JSON the HTTP API answers, and the
//! msgpack body carried as the payload of serf user event `consul:event:<name>` — a map with
//! keys `ID`, `n`, `nf`, `p`, `sf`, `tf`, `v` in that (sorted) order, empty ones left out
//! but `ID`, `n` and `v`, strings in their shortest str form and the payload as bin, which is what a HashiCorp
//! agent writes and decodes.

use base64::Engine;
use serde::ser::{SerializeStruct, Serializer};
use serde::Serialize;

/// The newest event version this agent understands (Consul's `userEventMaxVersion`).
pub const USER_EVENT_MAX_VERSION: i64 = 1;

/// One user event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserEvent {
    /// A random UUID chosen by the agent that fired it.
    pub id: String,
    /// The user's name for it.
    pub name: String,
    /// Opaque payload (empty = none; answered as `null`).
    pub payload: Vec<u8>,
    /// Regular expression on node names.
    pub node_filter: String,
    /// Regular expression on local service ids.
    pub service_filter: String,
    /// Regular expression on the matching services' tags.
    pub tag_filter: String,
    /// Format version.
    pub version: i64,
    /// The serf event clock when received (0 in the fire answer).
    pub ltime: u64,
}

impl Serialize for UserEvent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("UserEvent", 8)?;
        st.serialize_field("ID", &self.id)?;
        st.serialize_field("Name", &self.name)?;
        let payload = (!self.payload.is_empty())
            .then(|| base64::engine::general_purpose::STANDARD.encode(&self.payload));
        st.serialize_field("Payload", &payload)?;
        st.serialize_field("NodeFilter", &self.node_filter)?;
        st.serialize_field("ServiceFilter", &self.service_filter)?;
        st.serialize_field("TagFilter", &self.tag_filter)?;
        st.serialize_field("Version", &self.version)?;
        st.serialize_field("LTime", &self.ltime)?;
        st.end()
    }
}

/// Why an event could not be fired or decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// The event has no name.
    #[error("User event missing name")]
    MissingName,
    /// A tag filter needs a service filter.
    #[error("Cannot provide tag filter without service filter")]
    TagWithoutService,
    /// A filter is not a valid regular expression (`which` is `node`, `service` or `tag`).
    #[error("Invalid {which} filter: {reason}")]
    BadFilter {
        /// Which filter.
        which: &'static str,
        /// The regex error.
        reason: String,
    },
    /// The gossip payload is not an encoded event.
    #[error("failed to decode event: {0}")]
    Decode(String),
}

impl UserEvent {
    /// Check the name and compile the filters (Consul's `validateUserEventParams`).
    pub fn validate(&self) -> Result<(), EventError> {
        if self.name.is_empty() {
            return Err(EventError::MissingName);
        }
        if !self.tag_filter.is_empty() && self.service_filter.is_empty() {
            return Err(EventError::TagWithoutService);
        }
        for (which, re) in [
            ("node", &self.node_filter),
            ("service", &self.service_filter),
            ("tag", &self.tag_filter),
        ] {
            if !re.is_empty() {
                compile(re).map_err(|reason| EventError::BadFilter { which, reason })?;
            }
        }
        Ok(())
    }

    /// The msgpack body of the gossip message.
    pub fn encode(&self) -> Vec<u8> {
        let mut fields: Vec<(&str, Field)> = vec![("ID", Field::Str(&self.id))];
        fields.push(("n", Field::Str(&self.name)));
        if !self.node_filter.is_empty() {
            fields.push(("nf", Field::Str(&self.node_filter)));
        }
        if !self.payload.is_empty() {
            fields.push(("p", Field::Bin(&self.payload)));
        }
        if !self.service_filter.is_empty() {
            fields.push(("sf", Field::Str(&self.service_filter)));
        }
        if !self.tag_filter.is_empty() {
            fields.push(("tf", Field::Str(&self.tag_filter)));
        }
        fields.push(("v", Field::Int(self.version)));
        let mut out = Vec::with_capacity(64 + self.payload.len());
        // Writing to a Vec cannot fail.
        let _ = rmp::encode::write_map_len(&mut out, fields.len() as u32);
        for (k, v) in fields {
            let _ = rmp::encode::write_str(&mut out, k);
            match v {
                Field::Str(s) => {
                    let _ = rmp::encode::write_str(&mut out, s);
                }
                Field::Bin(b) => {
                    let _ = rmp::encode::write_bin(&mut out, b);
                }
                Field::Int(i) => {
                    let _ = rmp::encode::write_sint(&mut out, i);
                }
            }
        }
        out
    }

    /// Decode a gossip body (any msgpack spelling of the fields Go's codec accepts: str or
    /// bin for strings and payload, any integer width); unknown keys are skipped. `ltime` is
    /// left 0 for the caller to set.
    pub fn decode(buf: &[u8]) -> Result<UserEvent, EventError> {
        let v = rmpv_lite::read(&mut &buf[..]).map_err(EventError::Decode)?;
        let rmpv_lite::Value::Map(entries) = v else {
            return Err(EventError::Decode("not a map".into()));
        };
        let mut ev = UserEvent::default();
        for (k, v) in entries {
            let Some(key) = k.as_bytes() else { continue };
            match key {
                b"ID" => ev.id = v.as_string(),
                b"n" => ev.name = v.as_string(),
                b"p" => ev.payload = v.as_bytes().map(<[u8]>::to_vec).unwrap_or_default(),
                b"nf" => ev.node_filter = v.as_string(),
                b"sf" => ev.service_filter = v.as_string(),
                b"tf" => ev.tag_filter = v.as_string(),
                b"v" => ev.version = v.as_int().unwrap_or(0),
                _ => {}
            }
        }
        Ok(ev)
    }
}

enum Field<'a> {
    Str(&'a str),
    Bin(&'a [u8]),
    Int(i64),
}

/// Compile a filter as Go's `regexp.Compile` would accept it (unanchored matching).
pub fn compile(re: &str) -> Result<regex::Regex, String> {
    regex::Regex::new(re).map_err(|e| format!("error parsing regexp: {}", first_line(&e)))
}

fn first_line(e: &regex::Error) -> String {
    let s = e.to_string();
    s.lines()
        .rev()
        .find(|l| l.starts_with("error:"))
        .map(|l| l.trim_start_matches("error:").trim().to_string())
        .unwrap_or(s)
}

/// Consul's `uuidToUint64`: the event list's index, the two 64-bit halves of the id XORed.
/// Ids that are not UUIDs give 0.
pub fn uuid_to_u64(id: &str) -> u64 {
    let hex: String = id.chars().filter(|c| *c != '-').collect();
    if hex.len() != 32 {
        return 0;
    }
    let (lo, hi) = hex.split_at(16);
    match (u64::from_str_radix(lo, 16), u64::from_str_radix(hi, 16)) {
        (Ok(a), Ok(b)) => a ^ b,
        _ => 0,
    }
}

/// The little msgpack reader decoding needs (a value tree of maps, strings, bins, ints).
mod rmpv_lite {
    use rmp::Marker;

    /// A decoded value.
    pub enum Value {
        Nil,
        Bool,
        Int(i64),
        Bytes(Vec<u8>),
        Array,
        Map(Vec<(Value, Value)>),
        Other,
    }

    impl Value {
        pub fn as_bytes(&self) -> Option<&[u8]> {
            match self {
                Value::Bytes(b) => Some(b),
                _ => None,
            }
        }
        pub fn as_string(&self) -> String {
            self.as_bytes()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default()
        }
        pub fn as_int(&self) -> Option<i64> {
            match self {
                Value::Int(i) => Some(*i),
                _ => None,
            }
        }
    }

    fn take<'a>(r: &mut &'a [u8], n: usize) -> Result<&'a [u8], String> {
        if r.len() < n {
            return Err("truncated".into());
        }
        let (a, b) = r.split_at(n);
        *r = b;
        Ok(a)
    }

    fn uint(r: &mut &[u8], n: usize) -> Result<u64, String> {
        Ok(take(r, n)?
            .iter()
            .fold(0u64, |a, b| (a << 8) | u64::from(*b)))
    }

    /// Read one value, at most 32 levels deep.
    pub fn read(r: &mut &[u8]) -> Result<Value, String> {
        read_depth(r, 0)
    }

    fn read_depth(r: &mut &[u8], depth: usize) -> Result<Value, String> {
        if depth > 32 {
            return Err("nested too deeply".into());
        }
        let m = Marker::from_u8(take(r, 1)?[0]);
        let bytes = |r: &mut &[u8], n: usize| take(r, n).map(|b| Value::Bytes(b.to_vec()));
        Ok(match m {
            Marker::Null => Value::Nil,
            Marker::True | Marker::False => Value::Bool,
            Marker::FixPos(v) => Value::Int(i64::from(v)),
            Marker::FixNeg(v) => Value::Int(i64::from(v)),
            Marker::U8 => Value::Int(uint(r, 1)? as i64),
            Marker::U16 => Value::Int(uint(r, 2)? as i64),
            Marker::U32 => Value::Int(uint(r, 4)? as i64),
            Marker::U64 => Value::Int(uint(r, 8)? as i64),
            Marker::I8 => Value::Int(i64::from(uint(r, 1)? as u8 as i8)),
            Marker::I16 => Value::Int(i64::from(uint(r, 2)? as u16 as i16)),
            Marker::I32 => Value::Int(i64::from(uint(r, 4)? as u32 as i32)),
            Marker::I64 => Value::Int(uint(r, 8)? as i64),
            Marker::F32 => {
                take(r, 4)?;
                Value::Other
            }
            Marker::F64 => {
                take(r, 8)?;
                Value::Other
            }
            Marker::FixStr(n) => bytes(r, usize::from(n))?,
            Marker::Str8 | Marker::Bin8 => {
                let n = uint(r, 1)? as usize;
                bytes(r, n)?
            }
            Marker::Str16 | Marker::Bin16 => {
                let n = uint(r, 2)? as usize;
                bytes(r, n)?
            }
            Marker::Str32 | Marker::Bin32 => {
                let n = uint(r, 4)? as usize;
                bytes(r, n)?
            }
            Marker::FixArray(n) => array(r, usize::from(n), depth)?,
            Marker::Array16 => {
                let n = uint(r, 2)? as usize;
                array(r, n, depth)?
            }
            Marker::Array32 => {
                let n = uint(r, 4)? as usize;
                array(r, n, depth)?
            }
            Marker::FixMap(n) => map(r, usize::from(n), depth)?,
            Marker::Map16 => {
                let n = uint(r, 2)? as usize;
                map(r, n, depth)?
            }
            Marker::Map32 => {
                let n = uint(r, 4)? as usize;
                map(r, n, depth)?
            }
            Marker::FixExt1 | Marker::FixExt2 | Marker::FixExt4 | Marker::FixExt8 => {
                let n = match m {
                    Marker::FixExt1 => 1,
                    Marker::FixExt2 => 2,
                    Marker::FixExt4 => 4,
                    _ => 8,
                };
                take(r, 1 + n)?;
                Value::Other
            }
            Marker::FixExt16 => {
                take(r, 17)?;
                Value::Other
            }
            Marker::Ext8 | Marker::Ext16 | Marker::Ext32 => {
                let w = match m {
                    Marker::Ext8 => 1,
                    Marker::Ext16 => 2,
                    _ => 4,
                };
                let n = uint(r, w)? as usize;
                take(r, 1 + n)?;
                Value::Other
            }
            Marker::Reserved => return Err("reserved marker".into()),
        })
    }

    fn array(r: &mut &[u8], n: usize, depth: usize) -> Result<Value, String> {
        for _ in 0..n {
            read_depth(r, depth + 1)?;
        }
        Ok(Value::Array)
    }

    fn map(r: &mut &[u8], n: usize, depth: usize) -> Result<Value, String> {
        let mut out = Vec::with_capacity(n.min(64));
        for _ in 0..n {
            let k = read_depth(r, depth + 1)?;
            let v = read_depth(r, depth + 1)?;
            out.push((k, v));
        }
        Ok(Value::Map(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What Consul 1.10.12 gossiped for `PUT /v1/event/fire/deploy?node=ab&service=web&tag=x`
    /// with body `hello` (captured by a `serf agent` event handler).
    const CONSUL_BYTES: &str = "87a24944d92430636139353439632d636137642d353763372d316238652d376631323935343033663234a16ea66465706c6f79a26e66a26162a170c40568656c6c6fa27366a3776562a27466a178a17601";

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn decodes_what_consul_sends() {
        let ev = UserEvent::decode(&hex(CONSUL_BYTES)).unwrap();
        assert_eq!(ev.id, "0ca9549c-ca7d-57c7-1b8e-7f1295403f24");
        assert_eq!(ev.name, "deploy");
        assert_eq!(ev.payload, b"hello");
        assert_eq!(
            (&*ev.node_filter, &*ev.service_filter, &*ev.tag_filter),
            ("ab", "web", "x")
        );
        assert_eq!(ev.version, 1);
    }

    #[test]
    fn encodes_the_fields_in_consuls_layout() {
        let ev = UserEvent::decode(&hex(CONSUL_BYTES)).unwrap();
        assert_eq!(
            ev.encode(),
            hex(CONSUL_BYTES),
            "byte for byte what Consul writes"
        );
        let empty = UserEvent {
            id: "x".into(),
            name: "e".into(),
            version: 1,
            ..Default::default()
        };
        assert_eq!(empty.encode()[0], 0x83, "empty fields are left out");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for b in [&b""[..], b"\x81", b"\xdb\xff\xff\xff\xff", b"\x91\x91\x91"] {
            assert!(UserEvent::decode(b).is_err());
        }
    }

    #[test]
    fn index_is_consuls_uuid_to_uint64() {
        // Consul answered X-Consul-Index 13595937172530699558 for this last event.
        assert_eq!(
            uuid_to_u64("20f81af6-4018-d409-9c56-6224b520492f"),
            13595937172530699558
        );
        assert_eq!(uuid_to_u64("nope"), 0);
    }

    #[test]
    fn validation_matches_consuls_rules() {
        let mut ev = UserEvent::default();
        assert_eq!(ev.validate(), Err(EventError::MissingName));
        ev.name = "x".into();
        ev.tag_filter = "a".into();
        assert_eq!(ev.validate(), Err(EventError::TagWithoutService));
        ev.tag_filter.clear();
        ev.node_filter = "(".into();
        assert!(ev
            .validate()
            .unwrap_err()
            .to_string()
            .starts_with("Invalid node filter: error parsing regexp"));
    }
}
