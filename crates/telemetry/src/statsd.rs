//! The lines go-metrics' statsd sink and the Datadog sink send: plain
//! statsd (`consul.kvs.apply:1.250000|ms`, label values appended to the
//! name) and DogStatsD (`consul.kvs.apply:1.25|ms|#node:n1`, the host name
//! taken out of gauge names, labels and `dogstatsd_tags` as tags). Lines go
//! out batched in datagrams of at most [`MAX_DATAGRAM`] bytes.

use crate::key::statsd_name;
use crate::registry::{Emission, Kind};

/// Largest datagram the sinks send (go-metrics' `statsdMaxLen`).
pub const MAX_DATAGRAM: usize = 1400;

fn kind_suffix(kind: Kind) -> &'static str {
    match kind {
        Kind::Gauge => "g",
        Kind::Counter => "c",
        Kind::Sample => "ms",
    }
}

/// A plain statsd line (with its newline): label values become name parts,
/// the value is printed with six decimals as Go's `%f`.
pub fn statsd_line(e: &Emission<'_>) -> String {
    let mut parts: Vec<&str> = e.key.to_vec();
    parts.extend(e.labels.iter().map(|(_, v)| *v));
    format!(
        "{}:{:.6}|{}\n",
        statsd_name(&parts),
        e.value,
        kind_suffix(e.kind)
    )
}

/// A DogStatsD line (with its newline): `hostname`, if it is one of the
/// name's parts, is removed (the agent reports it separately); labels and
/// the configured `tags` (`k:v`) follow as `|#k:v,…`. Counters are sent as
/// integers, other values in their shortest form.
pub fn dogstatsd_line(e: &Emission<'_>, hostname: &str, tags: &[String]) -> String {
    let mut parts: Vec<&str> = e.key.to_vec();
    if let Some(i) = parts
        .iter()
        .position(|p| !hostname.is_empty() && *p == hostname)
    {
        parts.remove(i);
    }
    let value = match e.kind {
        Kind::Counter => format!("{}", e.value as i64),
        _ => format!("{}", f64::from(e.value)),
    };
    let mut line = format!("{}:{value}|{}", statsd_name(&parts), kind_suffix(e.kind));
    let mut all: Vec<String> = tags.to_vec();
    for (n, v) in e.labels {
        let name = sanitize(n);
        let value = sanitize(v);
        all.push(if value.is_empty() {
            name
        } else {
            format!("{name}:{value}")
        });
    }
    if !all.is_empty() {
        line.push_str("|#");
        line.push_str(&all.join(","));
    }
    line.push('\n');
    line
}

fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| if c == ':' || c == ' ' { '_' } else { c })
        .collect()
}

/// Packs lines into datagrams of at most [`MAX_DATAGRAM`] bytes (a longer
/// line travels alone).
#[derive(Debug, Default)]
pub struct Batcher {
    buf: String,
}

impl Batcher {
    /// Adds a line; returns a full datagram to send first, if the line did not fit.
    pub fn push(&mut self, line: &str) -> Option<String> {
        let out = if !self.buf.is_empty() && self.buf.len() + line.len() > MAX_DATAGRAM {
            Some(std::mem::take(&mut self.buf))
        } else {
            None
        };
        self.buf.push_str(line);
        out
    }

    /// Takes what is buffered (on the flush tick).
    pub fn flush(&mut self) -> Option<String> {
        (!self.buf.is_empty()).then(|| std::mem::take(&mut self.buf))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statsd_lines() {
        let labels = [("node", "n1")];
        let e = Emission {
            kind: Kind::Sample,
            key: &["consul", "dns", "domain_query"],
            value: 1.25,
            labels: &labels,
        };
        assert_eq!(statsd_line(&e), "consul.dns.domain_query.n1:1.250000|ms\n");
        assert_eq!(
            dogstatsd_line(&e, "host", &["env:test".into()]),
            "consul.dns.domain_query:1.25|ms|#env:test,node:n1\n"
        );
        let g = Emission {
            kind: Kind::Gauge,
            key: &["consul", "host", "runtime", "alloc_bytes"],
            value: 1024.0,
            labels: &[],
        };
        assert_eq!(
            statsd_line(&g),
            "consul.host.runtime.alloc_bytes:1024.000000|g\n"
        );
        assert_eq!(
            dogstatsd_line(&g, "host", &[]),
            "consul.runtime.alloc_bytes:1024|g\n"
        );
        let c = Emission {
            kind: Kind::Counter,
            key: &["consul", "raft", "apply"],
            value: 1.0,
            labels: &[],
        };
        assert_eq!(dogstatsd_line(&c, "host", &[]), "consul.raft.apply:1|c\n");
    }

    #[test]
    fn batches_up_to_a_datagram() {
        let mut b = Batcher::default();
        let line = "x".repeat(600) + "\n";
        assert_eq!(b.push(&line), None);
        assert_eq!(b.push(&line), None);
        let full = b.push(&line).expect("third line does not fit");
        assert_eq!(full.len(), 1202);
        assert_eq!(b.flush().map(|s| s.len()), Some(601));
        assert_eq!(b.flush(), None);
    }
}
