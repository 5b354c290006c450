//! Wall-clock instants as Go's `time.Time` travels in Consul's JSON: RFC 3339
//! in UTC with the fraction's trailing zeros dropped (Go's `RFC3339Nano`,
//! e.g. `2026-12-04T12:31:14.30650165Z`). Stored as nanoseconds since the
//! Unix epoch, so the Raft log and snapshots carry one integer-exact value.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

const NANOS_PER_SEC: i64 = 1_000_000_000;
const SECS_PER_DAY: i64 = 86_400;

/// An instant, nanoseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

/// Why a time string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("parsing time {0:?} as RFC 3339: invalid format")]
pub struct TimestampError(pub String);

impl Timestamp {
    /// Now, from the system clock.
    pub fn now() -> Timestamp {
        let d = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Timestamp(d.as_nanos().min(i64::MAX as u128) as i64)
    }

    /// The instant `secs` seconds after the epoch.
    pub fn from_unix_secs(secs: i64) -> Timestamp {
        Timestamp(secs.saturating_mul(NANOS_PER_SEC))
    }

    /// Whole seconds since the epoch.
    pub fn unix_secs(self) -> i64 {
        self.0.div_euclid(NANOS_PER_SEC)
    }

    /// This instant plus `d` (saturating).
    pub fn add(self, d: std::time::Duration) -> Timestamp {
        Timestamp(
            self.0
                .saturating_add(d.as_nanos().min(i64::MAX as u128) as i64),
        )
    }

    /// RFC 3339 in UTC, fraction without trailing zeros (none when whole).
    pub fn to_rfc3339(self) -> String {
        let secs = self.0.div_euclid(NANOS_PER_SEC);
        let nanos = self.0.rem_euclid(NANOS_PER_SEC);
        let (y, m, d) = civil_from_days(secs.div_euclid(SECS_PER_DAY));
        let rem = secs.rem_euclid(SECS_PER_DAY);
        let mut out = format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
            rem / 3600,
            rem % 3600 / 60,
            rem % 60
        );
        if nanos != 0 {
            let frac = format!("{nanos:09}");
            out.push('.');
            out.push_str(frac.trim_end_matches('0'));
        }
        out.push('Z');
        out
    }

    /// Parse RFC 3339 (`Z` or a `±hh:mm` offset, optional fraction).
    pub fn parse_rfc3339(s: &str) -> Result<Timestamp, TimestampError> {
        let bad = || TimestampError(s.to_string());
        let b = s.as_bytes();
        if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') {
            return Err(bad());
        }
        if b[13] != b':' || b[16] != b':' {
            return Err(bad());
        }
        let num = |r: std::ops::Range<usize>| -> Result<i64, TimestampError> {
            let t = s.get(r).ok_or_else(bad)?;
            if !t.bytes().all(|c| c.is_ascii_digit()) {
                return Err(bad());
            }
            t.parse().map_err(|_| bad())
        };
        let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
            return Err(bad());
        }
        let mut i = 19;
        let mut nanos = 0i64;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let digits = &s[start..i];
            if digits.is_empty() {
                return Err(bad());
            }
            let mut padded = digits.chars().take(9).collect::<String>();
            while padded.len() < 9 {
                padded.push('0');
            }
            nanos = padded.parse().map_err(|_| bad())?;
        }
        let offset = match &s[i..] {
            "Z" | "z" => 0,
            tz if tz.len() == 6 && matches!(&tz[..1], "+" | "-") && &tz[3..4] == ":" => {
                let oh = num(i + 1..i + 3)?;
                let om = num(i + 4..i + 6)?;
                let o = oh * 3600 + om * 60;
                if &tz[..1] == "-" {
                    -o
                } else {
                    o
                }
            }
            _ => return Err(bad()),
        };
        let days = days_from_civil(y, mo, d);
        let secs = days * SECS_PER_DAY + h * 3600 + mi * 60 + sec - offset;
        // Instants outside ±292 years of the epoch saturate, keeping their
        // order: Go clients send the zero time (year 1) for unset fields,
        // e.g. every `api.ACLToken` a Go client creates has that CreateTime.
        Ok(Timestamp(
            secs.saturating_mul(NANOS_PER_SEC).saturating_add(nanos),
        ))
    }
}

/// (year, month, day) of a day number since the epoch (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Day number since the epoch of a civil date (inverse of [`civil_from_days`]).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&self.to_rfc3339())
        } else {
            s.serialize_i64(self.0)
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        if d.is_human_readable() {
            let s = String::deserialize(d)?;
            Timestamp::parse_rfc3339(&s).map_err(serde::de::Error::custom)
        } else {
            i64::deserialize(d).map(Timestamp)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_zero_time_parses_as_the_earliest_instant() {
        let zero = Timestamp::parse_rfc3339("0001-01-01T00:00:00Z").unwrap();
        assert_eq!(zero, Timestamp(i64::MIN));
        let far = Timestamp::parse_rfc3339("9999-12-31T23:59:59Z").unwrap();
        assert_eq!(far, Timestamp(i64::MAX));
        assert!(zero < Timestamp::now() && Timestamp::now() < far);
    }

    #[test]
    fn formats_like_go_rfc3339nano() {
        let t = Timestamp::parse_rfc3339("2026-12-04T12:31:14.30650165Z").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-12-04T12:31:14.30650165Z");
        assert_eq!(Timestamp(0).to_rfc3339(), "1970-01-01T00:00:00Z");
        assert_eq!(
            Timestamp::from_unix_secs(951_782_400).to_rfc3339(),
            "2000-02-29T00:00:00Z"
        );
    }

    #[test]
    fn parses_offsets_and_refuses_garbage() {
        let a = Timestamp::parse_rfc3339("2026-12-04T13:31:14+01:00").unwrap();
        let b = Timestamp::parse_rfc3339("2026-12-04T12:31:14Z").unwrap();
        assert_eq!(a, b);
        for bad in [
            "",
            "2026-12-04",
            "2026-13-04T00:00:00Z",
            "2026-12-04T00:00:00",
            "x026-12-04T00:00:00Z",
        ] {
            assert!(Timestamp::parse_rfc3339(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn json_is_text_and_msgpack_is_an_integer() {
        let t = Timestamp(1_500_000_000_123_000_000);
        let j = serde_json::to_string(&t).unwrap();
        assert_eq!(j, "\"2017-07-14T02:40:00.123Z\"");
        assert_eq!(serde_json::from_str::<Timestamp>(&j).unwrap(), t);
        let m = rmp_serde::to_vec(&t).unwrap();
        assert_eq!(rmp_serde::from_slice::<Timestamp>(&m).unwrap(), t);
    }
}
