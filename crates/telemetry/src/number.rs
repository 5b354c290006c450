//! Numbers written as Go writes them: JSON numbers without a needless `.0`,
//! and Prometheus sample values in `strconv.FormatFloat(v, 'g', -1, 64)`.

/// A JSON number for `v`: an integer when `v` is integral (Go's encoder
/// prints `1`, not `1.0`), `0` for NaN and infinities (Go's encoder would fail).
pub fn json_number(v: f64) -> serde_json::Value {
    if !v.is_finite() {
        return serde_json::Value::from(0);
    }
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return serde_json::Value::from(v as i64);
    }
    serde_json::Number::from_f64(v).map_or(serde_json::Value::from(0), serde_json::Value::Number)
}

/// A Prometheus sample value: `NaN`, `+Inf`, `-Inf`, else Go's shortest
/// `%g`: the exponent form below 1e-4 and from 1e6 on (`1.234567e+06`).
pub fn go_float(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if v == 0.0 {
        return if v.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    // Shortest round-trip digits, in scientific form: "-1.2345e6".
    let sci = format!("{v:e}");
    let (mantissa, exp) = sci.split_once('e').expect("{:e} has an exponent");
    let exp: i32 = exp.parse().expect("{:e} exponent is an integer");
    // Go's shortest %g decides with precision 6.
    if !(-4..6).contains(&exp) {
        return go_exp(mantissa, exp);
    }
    format!("{v}")
}

fn go_exp(mantissa: &str, exp: i32) -> String {
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exp.abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_numbers() {
        assert_eq!(json_number(1.0).to_string(), "1");
        assert_eq!(json_number(0.25).to_string(), "0.25");
        assert_eq!(json_number(f64::NAN).to_string(), "0");
    }

    #[test]
    fn go_g_format() {
        assert_eq!(go_float(1.0), "1");
        assert_eq!(go_float(0.5), "0.5");
        assert_eq!(go_float(123456.0), "123456");
        assert_eq!(go_float(1234567.0), "1.234567e+06");
        assert_eq!(go_float(5e7), "5e+07");
        assert_eq!(go_float(0.0001), "0.0001");
        assert_eq!(go_float(0.00001), "1e-05");
        assert_eq!(go_float(f64::NAN), "NaN");
        assert_eq!(go_float(-2.5), "-2.5");
    }
}
