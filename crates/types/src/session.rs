//! Sessions: Consul's `structs.Session` as `/v1/session/*` serves it, the
//! session write carried through Raft, and the pure rules around them —
//! `LockDelay` parsing (a Go duration, or a number where values below 1000
//! are seconds), TTL bounds, and Consul's UUID format checks with its error
//! texts.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::duration::{format_go_duration, parse_go_duration};

/// Lock delay of a session created without one (Consul: 15 s).
pub const DEFAULT_LOCK_DELAY: Duration = Duration::from_secs(15);
/// Lock delays above this are applied as this (Consul's `MaxLockDelay`).
pub const MAX_LOCK_DELAY: Duration = Duration::from_secs(60);
/// Smallest non-zero session TTL (Consul's default `session_ttl_min`).
pub const SESSION_TTL_MIN: Duration = Duration::from_secs(10);
/// Largest session TTL (Consul's `SessionTTLMax`).
pub const SESSION_TTL_MAX: Duration = Duration::from_secs(24 * 3600);
/// The leader expires a session after this many TTLs without renewal
/// (Consul's `SessionTTLMultiplier`).
pub const SESSION_TTL_MULTIPLIER: u32 = 2;
/// A numeric `LockDelay` below this many nanoseconds is read as seconds.
const LOCK_DELAY_SECONDS_THRESHOLD: u64 = 1000;

/// What happens to a session's locks when it is invalidated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SessionBehavior {
    /// Release the locks (clear `Session`, keep the value and `LockIndex`).
    #[default]
    #[serde(rename = "release")]
    Release,
    /// Delete the locked keys.
    #[serde(rename = "delete")]
    Delete,
}

impl SessionBehavior {
    /// The behavior named `s` ("" is the default, release), or Consul's error.
    pub fn parse(s: &str) -> Result<SessionBehavior, String> {
        match s {
            "" | "release" => Ok(SessionBehavior::Release),
            "delete" => Ok(SessionBehavior::Delete),
            other => Err(format!("Invalid Behavior setting '{other}'")),
        }
    }
}

/// A service check a session is bound to (`structs.ServiceCheck`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ServiceCheck {
    /// The check's ID.
    #[serde(rename = "ID")]
    pub id: String,
    /// Its namespace (always "" without Enterprise).
    pub namespace: String,
}

/// A session, serialized field by field as Consul 1.10's `structs.Session`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Session {
    /// UUID, chosen by the leader before the create enters Raft.
    #[serde(rename = "ID")]
    pub id: String,
    /// Free-form name.
    pub name: String,
    /// The node the session belongs to.
    pub node: String,
    /// How long a released lock cannot be re-acquired (nanoseconds in JSON).
    #[serde(with = "nanos")]
    pub lock_delay: Duration,
    /// What invalidation does to the session's locks.
    pub behavior: SessionBehavior,
    /// The TTL as given ("" = none), e.g. `"15s"`.
    #[serde(rename = "TTL")]
    pub ttl: String,
    /// Node-level checks the session is bound to.
    pub node_checks: Option<Vec<String>>,
    /// Service checks the session is bound to.
    pub service_checks: Option<Vec<ServiceCheck>>,
    /// Deprecated (1.7) list of checks, merged with the others.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<String>,
    /// Index of the create.
    pub create_index: u64,
    /// Index of the last change (the create: sessions never change).
    pub modify_index: u64,
}

impl Session {
    /// Every check the session is bound to: `Checks`, then `NodeChecks`, then
    /// the IDs of `ServiceChecks` (Consul's `CheckIDs`).
    pub fn check_ids(&self) -> Vec<String> {
        let mut out = self.checks.clone();
        out.extend(self.node_checks.iter().flatten().cloned());
        out.extend(self.service_checks.iter().flatten().map(|c| c.id.clone()));
        out
    }

    /// The TTL as a duration: `None` for no TTL or a zero TTL.
    pub fn ttl_duration(&self) -> Option<Duration> {
        if self.ttl.is_empty() {
            return None;
        }
        parse_go_duration(&self.ttl).ok().filter(|d| !d.is_zero())
    }

    /// The lock delay invalidation applies (at most [`MAX_LOCK_DELAY`]).
    pub fn effective_lock_delay(&self) -> Duration {
        self.lock_delay.min(MAX_LOCK_DELAY)
    }
}

/// Check a session TTL as Consul's `Session.Apply` does: "" and zero mean
/// none; otherwise it must parse and lie in 10 s–24 h.
pub fn validate_ttl(ttl: &str) -> Result<(), String> {
    if ttl.is_empty() {
        return Ok(());
    }
    let d = parse_go_duration(ttl).map_err(|e| format!("Session TTL '{ttl}' invalid: {e}"))?;
    if !d.is_zero() && (d < SESSION_TTL_MIN || d > SESSION_TTL_MAX) {
        return Err(format!(
            "Invalid Session TTL '{}', must be between [{}={}]",
            d.as_nanos(),
            format_go_duration(SESSION_TTL_MIN),
            format_go_duration(SESSION_TTL_MAX)
        ));
    }
    Ok(())
}

/// A `LockDelay` value from a request body: a Go duration string or a number
/// of nanoseconds; either below 1000 ns is read as that many seconds.
pub fn lock_delay_from_json(v: &serde_json::Value) -> Result<Duration, String> {
    let d = match v {
        serde_json::Value::String(s) => parse_go_duration(s).map_err(|e| e.to_string())?,
        serde_json::Value::Number(n) => match n.as_f64() {
            Some(f) if f.is_finite() && f >= 0.0 => Duration::from_nanos(f as u64),
            _ => return Err(format!("invalid LockDelay {n}")),
        },
        serde_json::Value::Null => return Ok(DEFAULT_LOCK_DELAY),
        other => return Err(format!("invalid LockDelay {other}")),
    };
    if d.as_nanos() < u128::from(LOCK_DELAY_SECONDS_THRESHOLD) {
        return Ok(Duration::from_secs(d.as_nanos() as u64));
    }
    Ok(d)
}

/// Check a session ID as go-memdb's UUID index does, with its messages
/// (Consul answers them behind "failed session lookup: index error: ").
pub fn validate_uuid(id: &str) -> Result<(), String> {
    if id.len() != 36 {
        return Err("UUID must be 36 characters".into());
    }
    let b = id.as_bytes();
    if b[8] != b'-' || b[13] != b'-' || b[18] != b'-' || b[23] != b'-' {
        return Err("UUID improperly formatted".into());
    }
    if let Some(c) = id
        .chars()
        .filter(|c| *c != '-')
        .find(|c| !c.is_ascii_hexdigit())
    {
        return Err(format!(
            "Invalid UUID: encoding/hex: invalid byte: U+{:04X} '{c}'",
            c as u32
        ));
    }
    Ok(())
}

/// A session write (Consul's `SessionOp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SessionOp {
    /// Create the session (its ID already chosen).
    #[serde(rename = "create")]
    Create,
    /// Destroy (invalidate) the session.
    #[serde(rename = "destroy")]
    Destroy,
}

/// A session write as replicated through Raft (`structs.SessionRequest`
/// without its token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SessionRequest {
    /// What to do.
    pub op: SessionOp,
    /// The session (for destroy only its ID matters).
    pub session: Session,
}

/// `Duration` as Go's `time.Duration` JSON: integer nanoseconds.
mod nanos {
    use std::time::Duration;

    pub fn serialize<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_nanos() as u64)
    }

    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let n = <u64 as serde::Deserialize>::deserialize(d)?;
        Ok(Duration::from_nanos(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lock_delay_numbers_below_1000_are_seconds() {
        let s = |v| lock_delay_from_json(&v).unwrap();
        assert_eq!(s(json!(20)), Duration::from_secs(20));
        assert_eq!(s(json!(999)), Duration::from_secs(999));
        assert_eq!(s(json!(1000)), Duration::from_nanos(1000));
        assert_eq!(s(json!(15000000000u64)), Duration::from_secs(15));
        assert_eq!(s(json!(15000000000.5)), Duration::from_secs(15));
        assert_eq!(s(json!("90s")), Duration::from_secs(90));
        assert_eq!(s(json!("1m")), Duration::from_secs(60));
        // Consul's quirk: a sub-microsecond string is seconds too.
        assert_eq!(s(json!("500ns")), Duration::from_secs(500));
        assert_eq!(s(json!(0)), Duration::ZERO);
        assert_eq!(s(json!(null)), DEFAULT_LOCK_DELAY);
        assert_eq!(
            lock_delay_from_json(&json!("bad")).unwrap_err(),
            "time: invalid duration \"bad\""
        );
        assert!(lock_delay_from_json(&json!(-5)).is_err());
        assert!(lock_delay_from_json(&json!([1])).is_err());
    }

    #[test]
    fn ttl_bounds_and_messages_match_consul() {
        for ok in ["", "0", "0s", "10s", "24h", "15s", "1h"] {
            assert_eq!(validate_ttl(ok), Ok(()), "{ok}");
        }
        assert_eq!(
            validate_ttl("5s").unwrap_err(),
            "Invalid Session TTL '5000000000', must be between [10s=24h0m0s]"
        );
        assert_eq!(
            validate_ttl("25h").unwrap_err(),
            "Invalid Session TTL '90000000000000', must be between [10s=24h0m0s]"
        );
        assert_eq!(
            validate_ttl("abc").unwrap_err(),
            "Session TTL 'abc' invalid: time: invalid duration \"abc\""
        );
    }

    #[test]
    fn uuid_checks_match_memdb() {
        assert!(validate_uuid("9e442366-8cfe-6ec3-9847-301e5531c18d").is_ok());
        assert_eq!(
            validate_uuid("zz").unwrap_err(),
            "UUID must be 36 characters"
        );
        assert_eq!(
            validate_uuid("9e4423668cfe-6ec3-9847-301e5531c18d-").unwrap_err(),
            "UUID improperly formatted"
        );
        assert_eq!(
            validate_uuid("zzzzzzzz-0000-0000-0000-000000000000").unwrap_err(),
            "Invalid UUID: encoding/hex: invalid byte: U+007A 'z'"
        );
    }

    #[test]
    fn session_json_is_consuls() {
        let s = Session {
            id: "i".into(),
            node: "n".into(),
            lock_delay: DEFAULT_LOCK_DELAY,
            node_checks: Some(vec!["serfHealth".into()]),
            create_index: 3,
            modify_index: 3,
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"ID":"i","Name":"","Node":"n","LockDelay":15000000000,"Behavior":"release","TTL":"","NodeChecks":["serfHealth"],"ServiceChecks":null,"CreateIndex":3,"ModifyIndex":3}"#
        );
        let back: Session = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back, s);
        let with = Session {
            checks: vec!["a".into()],
            service_checks: Some(vec![ServiceCheck {
                id: "web".into(),
                namespace: String::new(),
            }]),
            ..s
        };
        assert_eq!(with.check_ids(), ["a", "serfHealth", "web"]);
        let j = serde_json::to_string(&with).unwrap();
        assert!(j.contains(r#""ServiceChecks":[{"ID":"web","Namespace":""}],"Checks":["a"]"#));
    }

    #[test]
    fn behavior_and_ttl_helpers() {
        assert_eq!(SessionBehavior::parse(""), Ok(SessionBehavior::Release));
        assert_eq!(
            SessionBehavior::parse("delete"),
            Ok(SessionBehavior::Delete)
        );
        assert_eq!(
            SessionBehavior::parse("bogus").unwrap_err(),
            "Invalid Behavior setting 'bogus'"
        );
        let mut s = Session::default();
        assert_eq!(s.ttl_duration(), None);
        s.ttl = "0s".into();
        assert_eq!(s.ttl_duration(), None);
        s.ttl = "15s".into();
        assert_eq!(s.ttl_duration(), Some(Duration::from_secs(15)));
        s.lock_delay = Duration::from_secs(90);
        assert_eq!(s.effective_lock_delay(), MAX_LOCK_DELAY);
    }
}
