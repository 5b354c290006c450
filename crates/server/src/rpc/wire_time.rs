//! Go's `time.Duration` on the wire: a signed count of nanoseconds.

use std::time::Duration;

use serde::{Deserialize, Deserializer, Serializer};

/// Serializes a [`Duration`] as i64 nanoseconds (saturating).
pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_i64(i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// Deserializes i64 nanoseconds (negative values become zero).
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let n = i64::deserialize(d)?;
    Ok(Duration::from_nanos(n.max(0) as u64))
}
