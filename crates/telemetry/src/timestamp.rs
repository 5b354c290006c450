//! The interval timestamp as Consul prints it: Go's `time.Time.String()` of
//! a UTC time rounded to the second, `2017-08-08 02:55:10 +0000 UTC`.

/// Formats `ms` since the Unix epoch (rounded to the nearest second).
pub fn go_utc_string(ms: u64) -> String {
    let secs = (ms + 500) / 1000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} +0000 UTC",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Year, month, day of the proleptic Gregorian calendar for days since
/// 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_go() {
        assert_eq!(go_utc_string(0), "1970-01-01 00:00:00 +0000 UTC");
        assert_eq!(
            go_utc_string(1_502_160_910_000),
            "2017-08-08 02:55:10 +0000 UTC"
        );
        assert_eq!(
            go_utc_string(1_709_164_799_600),
            "2024-02-29 00:00:00 +0000 UTC"
        );
    }
}
