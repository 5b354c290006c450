//! Metric names and labels, and the ways each sink flattens them.

/// A label (go-metrics' `Label`): a name and a value attached to one emission.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Label {
    /// The label's name, e.g. `node`.
    pub name: String,
    /// The label's value.
    pub value: String,
}

impl Label {
    /// A label from borrowed parts.
    pub fn new(name: &str, value: &str) -> Label {
        Label {
            name: name.to_string(),
            value: value.to_string(),
        }
    }
}

/// Labels as call sites pass them: `(name, value)`.
pub type LabelRef<'a> = (&'a str, &'a str);

/// Owned labels from borrowed ones (when a series is created).
pub fn to_owned(labels: &[LabelRef<'_>]) -> Vec<Label> {
    labels.iter().map(|(n, v)| Label::new(n, v)).collect()
}

fn push_no_spaces(buf: &mut String, s: &str) {
    buf.extend(s.chars().map(|c| if c == ' ' { '_' } else { c }));
}

/// Writes the in-memory sink's display name into `buf`: the parts joined
/// with `.`, spaces replaced by `_` (`consul.kvs.apply`).
pub fn push_dotted(buf: &mut String, parts: &[&str]) {
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            buf.push('.');
        }
        push_no_spaces(buf, p);
    }
}

/// The display name as a new string.
pub fn dotted(parts: &[&str]) -> String {
    let mut s = String::new();
    push_dotted(&mut s, parts);
    s
}

/// Writes `;name=value` for each label (spaces replaced by `_`) after the
/// name already in `buf`: the in-memory sink's key of one series. Series
/// are kept and listed in the order of these keys.
pub fn push_label_suffix(buf: &mut String, labels: &[LabelRef<'_>]) {
    for (n, v) in labels {
        buf.push(';');
        push_no_spaces(buf, n);
        buf.push('=');
        push_no_spaces(buf, v);
    }
}

/// The series key of `name` with `labels`, as a new string.
pub fn series_key(name: &str, labels: &[LabelRef<'_>]) -> String {
    let mut k = name.to_string();
    push_label_suffix(&mut k, labels);
    k
}

/// The Prometheus sink's metric name: the parts joined with `_`, and every
/// space, `.`, `=`, `-` and `/` replaced by `_` (`consul_kvs_apply`). A
/// character Prometheus refuses in a name also becomes `_`.
pub fn prometheus_name(parts: &[&str]) -> String {
    let mut s = String::new();
    push_prometheus_name(&mut s, parts);
    s
}

/// [`prometheus_name`] written into `buf`.
pub fn push_prometheus_name(buf: &mut String, parts: &[&str]) {
    let start = buf.len();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            buf.push('_');
        }
        for c in p.chars() {
            let digit_ok = buf.len() > start && c.is_ascii_digit();
            let ok = c.is_ascii_alphabetic() || c == '_' || c == ':' || digit_ok;
            buf.push(if ok { c } else { '_' });
        }
    }
}

/// A label name Prometheus accepts: characters outside `[a-zA-Z0-9_]` (and a
/// leading digit) become `_`.
pub fn prometheus_label_name(name: &str) -> String {
    name.chars()
        .enumerate()
        .map(|(i, c)| {
            if c.is_ascii_alphabetic() || c == '_' || (i > 0 && c.is_ascii_digit()) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The statsd sinks' name: the parts joined with `.`, `:` and spaces
/// replaced by `_` (statsd's separators).
pub fn statsd_name(parts: &[&str]) -> String {
    parts
        .join(".")
        .chars()
        .map(|c| if c == ':' || c == ' ' { '_' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_per_sink() {
        let parts = ["consul", "http", "GET", "v1", "kv", "_"];
        assert_eq!(dotted(&parts), "consul.http.GET.v1.kv._");
        assert_eq!(prometheus_name(&parts), "consul_http_GET_v1_kv__");
        assert_eq!(
            prometheus_name(&["consul", "my-host.local", "runtime", "alloc_bytes"]),
            "consul_my_host_local_runtime_alloc_bytes"
        );
        assert_eq!(statsd_name(&["consul", "a b", "c:d"]), "consul.a_b.c_d");
    }

    #[test]
    fn series_keys_carry_labels() {
        let labels = [("node", "n 1"), ("path", "v1_kv_")];
        assert_eq!(
            series_key("consul.dns.domain_query", &labels),
            "consul.dns.domain_query;node=n_1;path=v1_kv_"
        );
    }
}
