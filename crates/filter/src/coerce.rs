//! Reading a literal as a bool or a number the way Go's `strconv` does
//! (bexpr coerces the literal to the field's type with it).

/// Go's `strconv.ParseBool`.
pub(crate) fn parse_bool(s: &str) -> Result<bool, String> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        _ => Err(syntax("ParseBool", s)),
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)`: sign, then decimal, `0x`, `0o`, `0b`
/// or a leading-`0` octal, `_` between digits.
pub(crate) fn parse_int(s: &str) -> Result<i64, String> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mag = parse_magnitude(body).map_err(|k| k.message("ParseInt", s))?;
    let v = if neg {
        -i128::from(mag)
    } else {
        i128::from(mag)
    };
    i64::try_from(v).map_err(|_| Failure::Range.message("ParseInt", s))
}

/// Go's `strconv.ParseUint(s, 0, 64)`: as [`parse_int`] without a sign.
pub(crate) fn parse_uint(s: &str) -> Result<u64, String> {
    parse_magnitude(s).map_err(|k| k.message("ParseUint", s))
}

/// Go's `strconv.ParseFloat(s, 64)` for decimal text (`1`, `-2.5`, `1e3`,
/// `inf`, `NaN`); hexadecimal floats are not read.
pub(crate) fn parse_float(s: &str) -> Result<f64, String> {
    let ok_chars = s
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'+'));
    if !ok_chars || s.is_empty() {
        return Err(syntax("ParseFloat", s));
    }
    let v: f64 = s.parse().map_err(|_| syntax("ParseFloat", s))?;
    let lower = s.to_ascii_lowercase();
    if v.is_infinite() && !lower.contains("inf") {
        return Err(range("ParseFloat", s));
    }
    Ok(v)
}

/// Why a number did not read.
#[derive(Clone, Copy)]
enum Failure {
    Syntax,
    Range,
}

impl Failure {
    fn message(self, func: &str, s: &str) -> String {
        match self {
            Failure::Syntax => syntax(func, s),
            Failure::Range => range(func, s),
        }
    }
}

/// The unsigned value of digits with an optional base prefix, read left to
/// right as Go does: a value past `u64` is "out of range" even when a bad
/// character follows.
fn parse_magnitude(s: &str) -> Result<u64, Failure> {
    let lower = s.to_ascii_lowercase();
    let (base, digits, prefixed) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d, true)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d, true)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d, true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..], true)
    } else {
        (10, lower.as_str(), false)
    };
    if digits.is_empty() {
        return Err(Failure::Syntax);
    }
    let mut v: u64 = 0;
    let mut underscores = false;
    for c in digits.chars() {
        if c == '_' {
            underscores = true;
            continue;
        }
        let d = c.to_digit(base).ok_or(Failure::Syntax)?;
        v = v
            .checked_mul(u64::from(base))
            .and_then(|v| v.checked_add(u64::from(d)))
            .ok_or(Failure::Range)?;
    }
    if underscores && !underscores_ok(digits, prefixed) {
        return Err(Failure::Syntax);
    }
    Ok(v)
}

/// Go's rule: `_` only between digits, or right after a base prefix.
fn underscores_ok(digits: &str, prefixed: bool) -> bool {
    let mut prev_digit = prefixed;
    for c in digits.chars() {
        if c == '_' {
            if !prev_digit {
                return false;
            }
            prev_digit = false;
        } else {
            prev_digit = true;
        }
    }
    prev_digit
}

fn syntax(func: &str, s: &str) -> String {
    format!(
        "strconv.{func}: parsing {}: invalid syntax",
        crate::quote::go_quote(s)
    )
}

fn range(func: &str, s: &str) -> String {
    format!(
        "strconv.{func}: parsing {}: value out of range",
        crate::quote::go_quote(s)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strconv_like() {
        assert_eq!(parse_bool("True"), Ok(true));
        assert_eq!(parse_bool("0"), Ok(false));
        assert_eq!(
            parse_bool("yes").unwrap_err(),
            "strconv.ParseBool: parsing \"yes\": invalid syntax"
        );
        assert_eq!(parse_int("-42"), Ok(-42));
        assert_eq!(parse_int("0x1F"), Ok(31));
        assert_eq!(parse_int("017"), Ok(15));
        assert_eq!(parse_int("0b101"), Ok(5));
        assert_eq!(parse_int("1_000"), Ok(1000));
        assert!(parse_int("1__0").is_err());
        assert!(parse_int("08").is_err());
        assert!(parse_int("1.5").is_err());
        assert!(parse_int("9223372036854775808")
            .unwrap_err()
            .contains("out of range"));
        assert_eq!(parse_uint("18446744073709551615"), Ok(u64::MAX));
        assert!(parse_uint("-1").is_err());
        assert_eq!(parse_float("2.5"), Ok(2.5));
        assert_eq!(parse_float("1e3"), Ok(1000.0));
        assert!(parse_float("abc").is_err());
        assert!(parse_float("1e999").unwrap_err().contains("out of range"));
        assert!(parse_int("99999999999999999999.5")
            .unwrap_err()
            .contains("out of range"));
        assert!(parse_int("1_").is_err());
        assert!(parse_int("0x").is_err());
        assert_eq!(parse_int("0x_1F"), Ok(31));
        assert_eq!(parse_int("-9223372036854775808"), Ok(i64::MIN));
    }
}
