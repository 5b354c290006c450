//! Go-syntax durations (`"10s"`, `"1m30s"`, `"1.5h"`), parsed and formatted as Consul does.
//!
//! Consul's config files and JSON bodies carry durations in the syntax of Go's
//! `time.ParseDuration`, and print them with Go's `Duration.String()`. Negative
//! durations are never meaningful for us and are rejected.

use std::time::Duration;

/// Why a Go duration string could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// The string was empty or not of the form `[0-9.]+unit...`.
    #[error("time: invalid duration \"{0}\"")]
    Invalid(String),
    /// A number was not followed by a unit (only `"0"` may omit it).
    #[error("time: missing unit in duration \"{0}\"")]
    MissingUnit(String),
    /// The unit is not one of ns, us, µs, ms, s, m, h.
    #[error("time: unknown unit \"{unit}\" in duration \"{input}\"")]
    UnknownUnit {
        /// The unit as written.
        unit: String,
        /// The whole input.
        input: String,
    },
    /// The duration starts with `-` (and is not zero).
    #[error("time: negative duration \"{0}\" is not allowed")]
    Negative(String),
    /// The value does not fit in Go's int64 nanoseconds.
    #[error("time: invalid duration \"{0}\" (overflow)")]
    Overflow(String),
}

/// Largest duration Go can represent (int64 nanoseconds).
const MAX_NANOS: u128 = i64::MAX as u128;

/// Nanoseconds per unit, for each unit Go accepts.
fn unit_nanos(unit: &str) -> Option<u128> {
    Some(match unit {
        "ns" => 1,
        "us" | "\u{00b5}s" | "\u{03bc}s" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => return None,
    })
}

/// Parses a duration with Go's `time.ParseDuration` syntax, e.g. `"300ms"`,
/// `"1.5h"`, `"2h45m"`, `"0.001s"`. `"0"` alone is zero; negative values are an error.
pub fn parse_go_duration(s: &str) -> Result<Duration, DurationError> {
    let invalid = || DurationError::Invalid(s.to_string());
    let mut rest = s;
    let mut negative = false;
    if let Some(r) = rest.strip_prefix('-') {
        negative = true;
        rest = r;
    } else if let Some(r) = rest.strip_prefix('+') {
        rest = r;
    }
    if rest == "0" {
        return Ok(Duration::ZERO);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total: u128 = 0;
    while !rest.is_empty() {
        // Integer part.
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (int_digits, after) = rest.split_at(int_len);
        rest = after;
        // Fraction part.
        let mut frac_digits = "";
        if let Some(after_dot) = rest.strip_prefix('.') {
            let frac_len = after_dot.bytes().take_while(u8::is_ascii_digit).count();
            frac_digits = &after_dot[..frac_len];
            rest = &after_dot[frac_len..];
        }
        if int_digits.is_empty() && frac_digits.is_empty() {
            return Err(invalid());
        }
        // Unit: everything up to the next digit or dot.
        let unit_len = rest
            .char_indices()
            .find(|(_, c)| *c == '.' || c.is_ascii_digit())
            .map_or(rest.len(), |(i, _)| i);
        let (unit, after) = rest.split_at(unit_len);
        rest = after;
        if unit.is_empty() {
            return Err(DurationError::MissingUnit(s.to_string()));
        }
        let per_unit = unit_nanos(unit).ok_or_else(|| DurationError::UnknownUnit {
            unit: unit.to_string(),
            input: s.to_string(),
        })?;
        let overflow = || DurationError::Overflow(s.to_string());
        let mut int_value: u128 = 0;
        for d in int_digits.bytes() {
            int_value = int_value * 10 + u128::from(d - b'0');
            if int_value > MAX_NANOS {
                return Err(overflow());
            }
        }
        let mut nanos = int_value.checked_mul(per_unit).ok_or_else(overflow)?;
        // Like Go, digits beyond what can matter are ignored.
        let mut frac_value: u128 = 0;
        let mut scale: u128 = 1;
        for d in frac_digits.bytes().take(30) {
            frac_value = frac_value * 10 + u128::from(d - b'0');
            scale *= 10;
        }
        nanos += frac_value * per_unit / scale;
        total += nanos;
        if total > MAX_NANOS {
            return Err(overflow());
        }
    }
    if negative && total != 0 {
        return Err(DurationError::Negative(s.to_string()));
    }
    // `total` fits in i64, so it fits in u64.
    Ok(Duration::from_nanos(total as u64))
}

/// Formats a duration like Go's `Duration.String()`: `"1m30s"`, `"10s"`,
/// `"1.5s"`, `"300ms"`, `"0s"`, `"1h0m0s"`.
pub fn format_go_duration(d: Duration) -> String {
    let nanos = d.as_nanos();
    if nanos == 0 {
        return "0s".to_string();
    }
    if nanos < 1_000_000_000 {
        // Sub-second: one unit with a fraction, e.g. "1.5ms", "300µs".
        let (scale, unit) = if nanos < 1_000 {
            (1, "ns")
        } else if nanos < 1_000_000 {
            (1_000, "\u{00b5}s")
        } else {
            (1_000_000, "ms")
        };
        return format!("{}{}", with_fraction(nanos, scale), unit);
    }
    let hours = nanos / 3_600_000_000_000;
    let minutes = (nanos / 60_000_000_000) % 60;
    let sec_nanos = nanos % 60_000_000_000;
    let seconds = format!("{}s", with_fraction(sec_nanos, 1_000_000_000));
    if hours > 0 {
        format!("{hours}h{minutes}m{seconds}")
    } else if minutes > 0 {
        format!("{minutes}m{seconds}")
    } else {
        seconds
    }
}

/// `value / scale` as a decimal with trailing zeros of the fraction trimmed.
fn with_fraction(value: u128, scale: u128) -> String {
    let whole = value / scale;
    let frac = value % scale;
    if frac == 0 {
        return whole.to_string();
    }
    let width = scale.to_string().len() - 1;
    let digits = format!("{frac:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// Shared visitor: a Go duration string, or an integer number of nanoseconds.
struct GoDurationVisitor;

impl serde::de::Visitor<'_> for GoDurationVisitor {
    type Value = Duration;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a duration string like \"10s\" or a number of nanoseconds")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Duration, E> {
        parse_go_duration(v).map_err(E::custom)
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Duration, E> {
        Ok(Duration::from_nanos(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Duration, E> {
        u64::try_from(v)
            .map(Duration::from_nanos)
            .map_err(|_| E::custom(format!("negative duration {v} is not allowed")))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Duration, E> {
        if v.is_finite() && v >= 0.0 && v <= MAX_NANOS as f64 {
            Ok(Duration::from_nanos(v as u64))
        } else {
            Err(E::custom(format!("invalid duration {v}")))
        }
    }
}

/// Serde helpers for a `Duration` field: `#[serde(with = "consul_types::duration::serde_go")]`.
///
/// Accepts a Go duration string or an integer number of nanoseconds; serializes
/// as a Go duration string.
pub mod serde_go {
    use super::{format_go_duration, GoDurationVisitor};
    use std::time::Duration;

    /// Serializes `d` as a Go duration string.
    pub fn serialize<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_go_duration(*d))
    }

    /// Deserializes a Go duration string or a number of nanoseconds.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        d.deserialize_any(GoDurationVisitor)
    }
}

/// Serde helpers for a `Duration` field Go encodes as a plain `time.Duration`:
/// `#[serde(with = "consul_types::duration::serde_nanos_in_any")]`.
///
/// Serializes nanoseconds (a number, as Go does); accepts a Go duration
/// string or a number of nanoseconds, as Consul's request decoders do.
pub mod serde_nanos_in_any {
    use super::GoDurationVisitor;
    use std::time::Duration;

    /// Serializes `d` as whole nanoseconds.
    pub fn serialize<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_nanos().min(u64::MAX as u128) as u64)
    }

    /// Deserializes a Go duration string or a number of nanoseconds.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        d.deserialize_any(GoDurationVisitor)
    }
}

/// Serde helpers for an `Option<Duration>` field:
/// `#[serde(default, with = "consul_types::duration::serde_go_opt")]`.
///
/// `null` (or a missing field, with `default`) is `None`; otherwise as [`serde_go`].
pub mod serde_go_opt {
    use super::{format_go_duration, GoDurationVisitor};
    use std::time::Duration;

    /// Serializes `Some(d)` as a Go duration string and `None` as null.
    pub fn serialize<S: serde::Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_some(&format_go_duration(*d)),
            None => s.serialize_none(),
        }
    }

    /// Deserializes null as `None`, else a Go duration string or nanoseconds.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Duration>, D::Error> {
        d.deserialize_option(OptVisitor)
    }

    /// Visits `null` or a duration.
    struct OptVisitor;

    impl<'de> serde::de::Visitor<'de> for OptVisitor {
        type Value = Option<Duration>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("null, a duration string or a number of nanoseconds")
        }

        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(GoDurationVisitor).map(Some)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    #[test]
    fn parses_go_syntax() {
        assert_eq!(parse_go_duration("300ms").unwrap(), ms(300));
        assert_eq!(parse_go_duration("1.5h").unwrap(), ms(5_400_000));
        assert_eq!(parse_go_duration("2h45m").unwrap(), ms(9_900_000));
        assert_eq!(parse_go_duration("1m30s").unwrap(), ms(90_000));
        assert_eq!(parse_go_duration("15.0s").unwrap(), ms(15_000));
        assert_eq!(parse_go_duration("0.001s").unwrap(), ms(1));
        assert_eq!(parse_go_duration("120000ms").unwrap(), ms(120_000));
        assert_eq!(parse_go_duration("7ns").unwrap(), Duration::from_nanos(7));
        assert_eq!(parse_go_duration("7us").unwrap(), Duration::from_micros(7));
        assert_eq!(parse_go_duration("7µs").unwrap(), Duration::from_micros(7));
        assert_eq!(parse_go_duration(".5s").unwrap(), ms(500));
        assert_eq!(parse_go_duration("5.s").unwrap(), ms(5000));
        assert_eq!(parse_go_duration("+5s").unwrap(), ms(5000));
        assert_eq!(parse_go_duration("0").unwrap(), Duration::ZERO);
        assert_eq!(parse_go_duration("-0").unwrap(), Duration::ZERO);
        assert_eq!(parse_go_duration("0s").unwrap(), Duration::ZERO);
    }

    #[test]
    fn rejects_bad_input() {
        for bad in [
            "", "s", "10", "1.5", ".s", "1x", "-5s", "1h-5m", "+", "abc", "1..5s",
        ] {
            assert!(parse_go_duration(bad).is_err(), "{bad:?} should fail");
        }
        assert_eq!(
            parse_go_duration("10").unwrap_err().to_string(),
            "time: missing unit in duration \"10\""
        );
        assert!(matches!(
            parse_go_duration("9999999999h"),
            Err(DurationError::Overflow(_))
        ));
    }

    #[test]
    fn formats_like_go() {
        assert_eq!(format_go_duration(ms(90_000)), "1m30s");
        assert_eq!(format_go_duration(ms(10_000)), "10s");
        assert_eq!(format_go_duration(ms(1_500)), "1.5s");
        assert_eq!(format_go_duration(Duration::ZERO), "0s");
        assert_eq!(format_go_duration(ms(300)), "300ms");
        assert_eq!(format_go_duration(ms(3_600_000)), "1h0m0s");
        assert_eq!(format_go_duration(ms(86_400_000)), "24h0m0s");
        assert_eq!(format_go_duration(Duration::from_micros(1500)), "1.5ms");
        assert_eq!(format_go_duration(Duration::from_micros(2)), "2µs");
        assert_eq!(format_go_duration(Duration::from_nanos(5)), "5ns");
        assert_eq!(
            format_go_duration(Duration::from_nanos(1_000_000_001)),
            "1.000000001s"
        );
    }

    #[test]
    fn format_then_parse_round_trips() {
        for n in [
            1u64,
            999,
            1_000,
            1_500_000,
            999_999_999,
            61_000_000_000,
            3_723_000_000_000,
        ] {
            let d = Duration::from_nanos(n);
            assert_eq!(parse_go_duration(&format_go_duration(d)).unwrap(), d);
        }
    }

    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Holder {
        #[serde(with = "serde_go")]
        ttl: Duration,
        #[serde(default, with = "serde_go_opt")]
        delay: Option<Duration>,
    }

    #[test]
    fn serde_accepts_strings_and_nanoseconds() {
        let h: Holder = serde_json::from_str(r#"{"ttl":"15s","delay":15000000000}"#).unwrap();
        assert_eq!(h.ttl, ms(15_000));
        assert_eq!(h.delay, Some(ms(15_000)));
        let h: Holder = serde_json::from_str(r#"{"ttl":1000000,"delay":null}"#).unwrap();
        assert_eq!(h.ttl, ms(1));
        assert_eq!(h.delay, None);
        let h: Holder = serde_json::from_str(r#"{"ttl":"1m"}"#).unwrap();
        assert_eq!(h.delay, None);
        assert!(serde_json::from_str::<Holder>(r#"{"ttl":"bogus"}"#).is_err());
        assert!(serde_json::from_str::<Holder>(r#"{"ttl":-5}"#).is_err());
    }

    #[test]
    fn serde_serializes_go_strings() {
        let h = Holder {
            ttl: ms(90_000),
            delay: Some(ms(1_500)),
        };
        assert_eq!(
            serde_json::to_string(&h).unwrap(),
            r#"{"ttl":"1m30s","delay":"1.5s"}"#
        );
    }
}
