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

/// The in-memory sink's display name: the parts joined with `.`, spaces
/// replaced by `_` (`consul.kvs.apply`).
pub fn dotted(parts: &[&str]) -> String {
    parts.join(".").replace(' ', "_")
}

/// The in-memory sink's key for one series: the dotted name, then
/// `;name=value` for each label, spaces replaced by `_`. Series are kept and
/// listed in the order of these keys.
pub fn series_key(name: &str, labels: &[Label]) -> String {
    let mut k = name.to_string();
    for l in labels {
        k.push(';');
        k.push_str(&l.name.replace(' ', "_"));
        k.push('=');
        k.push_str(&l.value.replace(' ', "_"));
    }
    k
}

/// The Prometheus sink's metric name: the parts joined with `_`, and every
/// space, `.`, `=`, `-` and `/` replaced by `_` (`consul_kvs_apply`). A
/// character Prometheus refuses in a name also becomes `_`.
pub fn prometheus_name(parts: &[&str]) -> String {
    let joined = parts.join("_");
    let mut out = String::with_capacity(joined.len());
    for (i, c) in joined.chars().enumerate() {
        let ok = c.is_ascii_alphabetic() || c == '_' || c == ':' || (i > 0 && c.is_ascii_digit());
        out.push(if ok { c } else { '_' });
    }
    out
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
        let labels = [Label::new("node", "n 1"), Label::new("path", "v1_kv_")];
        assert_eq!(
            series_key("consul.dns.domain_query", &labels),
            "consul.dns.domain_query;node=n_1;path=v1_kv_"
        );
    }
}
