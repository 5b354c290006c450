//! Query-name parsing: a pure function from a question name to what it asks
//! for. No I/O, no configuration beyond the served domains.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use hickory_proto::rr::Name;

/// The domains served: the main one and the optional alternative, as
/// lowercase labels without the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zones {
    domain: Vec<String>,
    alt_domain: Option<Vec<String>>,
}

/// Which served domain a name fell in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZoneKind {
    /// The main `domain`.
    Primary,
    /// The `alt_domain`.
    Alternative,
}

impl Zones {
    /// Zones for `domain` and `alt_domain` (dotted, trailing dot optional;
    /// an empty or `.` alt domain means none).
    pub fn new(domain: &str, alt_domain: Option<&str>) -> Self {
        let alt = alt_domain.map(split_dotted).filter(|l| !l.is_empty());
        Zones {
            domain: split_dotted(domain),
            alt_domain: alt,
        }
    }

    /// Labels of the given zone.
    pub fn labels(&self, kind: ZoneKind) -> &[String] {
        match (kind, &self.alt_domain) {
            (ZoneKind::Alternative, Some(alt)) => alt,
            _ => &self.domain,
        }
    }

    /// The zone as a dotted name with the trailing dot, e.g. `consul.`.
    pub fn fqdn(&self, kind: ZoneKind) -> String {
        let mut s = self.labels(kind).join(".");
        s.push('.');
        s
    }
}

fn split_dotted(s: &str) -> Vec<String> {
    s.split('.')
        .filter(|l| !l.is_empty())
        .map(|l| l.to_ascii_lowercase())
        .collect()
}

/// Where a question name leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Inside a served domain.
    Zone {
        /// Which domain matched (answers use the same one).
        zone: ZoneKind,
        /// The datacenter label, if present.
        dc: Option<String>,
        /// What is asked.
        lookup: Lookup,
    },
    /// Under `arpa.`: a reverse lookup of the address, if the name spells a
    /// complete one.
    Reverse(Option<IpAddr>),
    /// Outside every served domain: for the recursors.
    Outside,
}

/// A lookup inside the domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// The domain apex itself.
    Apex,
    /// `<node>.node`.
    Node(String),
    /// `[<tag>.]<service>.service` or `_<service>._<tag>.service`.
    Service {
        /// Service name.
        name: String,
        /// Tag filter.
        tag: Option<String>,
    },
    /// `<name-or-id>.query`.
    PreparedQuery(String),
    /// `<hex-ip>.addr`.
    Addr(IpAddr),
    /// A name in the domain that fits no form.
    Invalid,
}

/// Classify `name`. `srv` tells whether the question type is SRV, for which
/// the `service` label may be left out of RFC 2782 names.
pub fn parse_name(name: &Name, zones: &Zones, srv: bool) -> Route {
    let labels: Vec<String> = name
        .iter()
        .map(|l| String::from_utf8_lossy(l).to_ascii_lowercase())
        .collect();
    parse_labels(&labels, zones, srv)
}

/// [`parse_name`] over lowercase labels (root excluded).
pub fn parse_labels(labels: &[String], zones: &Zones, srv: bool) -> Route {
    let mut best: Option<(ZoneKind, usize)> = None;
    for kind in [ZoneKind::Primary, ZoneKind::Alternative] {
        if kind == ZoneKind::Alternative && zones.alt_domain.is_none() {
            continue;
        }
        let zl = zones.labels(kind);
        if labels.ends_with(zl) && best.is_none_or(|(_, len)| zl.len() > len) {
            best = Some((kind, zl.len()));
        }
    }
    if let Some((zone, len)) = best {
        let inner = &labels[..labels.len() - len];
        let (dc, lookup) = parse_in_zone(inner, srv);
        return Route::Zone { zone, dc, lookup };
    }
    match labels {
        [rest @ .., a, b] if a == "in-addr" && b == "arpa" => Route::Reverse(parse_v4_arpa(rest)),
        [rest @ .., a, b] if a == "ip6" && b == "arpa" => Route::Reverse(parse_v6_arpa(rest)),
        [.., b] if b == "arpa" => Route::Reverse(None),
        _ => Route::Outside,
    }
}

/// Parse the labels left of the domain: walk from the right to a kind label
/// (`service`, `node`, `query`, `addr`), allowing one datacenter label.
fn parse_in_zone(inner: &[String], srv: bool) -> (Option<String>, Lookup) {
    if inner.is_empty() {
        return (None, Lookup::Apex);
    }
    let mut labels: Vec<&str> = inner.iter().map(String::as_str).collect();
    let mut dc: Option<String> = None;
    loop {
        let Some(&last) = labels.last() else {
            return (dc, Lookup::Invalid);
        };
        if srv && last.starts_with('_') {
            labels.push("service");
            continue;
        }
        let n = labels.len();
        let lookup = match last {
            "service" => parse_service(&labels[..n - 1]),
            "node" if n > 1 => Lookup::Node(labels[..n - 1].join(".")),
            "query" if n > 1 => Lookup::PreparedQuery(labels[..n - 1].join(".")),
            "addr" if n == 2 => parse_hex_addr(labels[0]).map_or(Lookup::Invalid, Lookup::Addr),
            "node" | "query" | "addr" => Lookup::Invalid,
            _ if dc.is_some() => Lookup::Invalid,
            other => {
                // Datacenter names hold no dots: one label at most.
                dc = Some(other.to_string());
                labels.pop();
                continue;
            }
        };
        return (dc, lookup);
    }
}

/// The labels before `service`.
fn parse_service(before: &[&str]) -> Lookup {
    let lookup = match before {
        [] => return Lookup::Invalid,
        // RFC 2782: _<service>._<tag>; `_tcp` means any tag.
        [svc, tag] if svc.starts_with('_') && tag.starts_with('_') => {
            let tag = &tag[1..];
            Lookup::Service {
                name: svc[1..].to_string(),
                tag: (!tag.is_empty() && tag != "tcp").then(|| tag.to_string()),
            }
        }
        [svc] => Lookup::Service {
            name: svc.to_string(),
            tag: None,
        },
        [tag @ .., svc] => Lookup::Service {
            name: svc.to_string(),
            tag: Some(tag.join(".")),
        },
    };
    match &lookup {
        Lookup::Service { name, .. } if name.is_empty() => Lookup::Invalid,
        _ => lookup,
    }
}

/// `0a000001` → 10.0.0.1; 32 hex digits → an IPv6 address.
pub fn parse_hex_addr(label: &str) -> Option<IpAddr> {
    let bytes = decode_hex(label)?;
    match bytes.len() {
        4 => Some(IpAddr::V4(Ipv4Addr::new(
            bytes[0], bytes[1], bytes[2], bytes[3],
        ))),
        16 => {
            let arr: [u8; 16] = bytes.try_into().ok()?;
            Some(IpAddr::V6(Ipv6Addr::from(arr)))
        }
        _ => None,
    }
}

/// The `<hex>` label of `<hex>.addr.<dc>.<domain>` for an address.
pub fn hex_addr(ip: IpAddr) -> String {
    let bytes: Vec<u8> = match ip {
        IpAddr::V4(v4) => v4.octets().to_vec(),
        IpAddr::V6(v6) => v6.octets().to_vec(),
    };
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    let pairs = s.as_bytes().chunks_exact(2);
    if !pairs.remainder().is_empty() {
        return None;
    }
    pairs
        .map(|pair| {
            let pair = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(pair, 16).ok()
        })
        .collect()
}

/// `4.3.2.1` (the labels before `in-addr.arpa`) → 1.2.3.4.
fn parse_v4_arpa(rest: &[String]) -> Option<IpAddr> {
    if rest.len() != 4 {
        return None;
    }
    let mut octets = [0u8; 4];
    for (i, label) in rest.iter().rev().enumerate() {
        if label.is_empty() || label.len() > 3 || !label.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        octets[i] = label.parse().ok()?;
    }
    Some(IpAddr::V4(Ipv4Addr::from(octets)))
}

/// 32 nibble labels, least significant first, before `ip6.arpa`.
fn parse_v6_arpa(rest: &[String]) -> Option<IpAddr> {
    if rest.len() != 32 {
        return None;
    }
    let mut octets = [0u8; 16];
    for (i, label) in rest.iter().rev().enumerate() {
        if label.len() != 1 {
            return None;
        }
        let nibble = u8::from_str_radix(label, 16).ok()?;
        octets[i / 2] |= if i % 2 == 0 { nibble << 4 } else { nibble };
    }
    Some(IpAddr::V6(Ipv6Addr::from(octets)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zones() -> Zones {
        Zones::new("consul.", Some("alt.example."))
    }

    fn route(name: &str, srv: bool) -> Route {
        parse_name(&Name::from_ascii(name).unwrap(), &zones(), srv)
    }

    fn zone(dc: Option<&str>, lookup: Lookup) -> Route {
        Route::Zone {
            zone: ZoneKind::Primary,
            dc: dc.map(str::to_string),
            lookup,
        }
    }

    fn svc(name: &str, tag: Option<&str>) -> Lookup {
        Lookup::Service {
            name: name.into(),
            tag: tag.map(str::to_string),
        }
    }

    #[test]
    fn node_forms() {
        assert_eq!(
            route("foo.node.consul.", false),
            zone(None, Lookup::Node("foo".into()))
        );
        assert_eq!(
            route("Foo.NODE.dc2.Consul.", false),
            zone(Some("dc2"), Lookup::Node("foo".into()))
        );
        assert_eq!(
            route("a.b.node.consul.", false),
            zone(None, Lookup::Node("a.b".into()))
        );
        assert_eq!(route("node.consul.", false), zone(None, Lookup::Invalid));
    }

    #[test]
    fn service_forms() {
        assert_eq!(
            route("web.service.consul.", false),
            zone(None, svc("web", None))
        );
        assert_eq!(
            route("v1.web.service.dc1.consul.", false),
            zone(Some("dc1"), svc("web", Some("v1")))
        );
        assert_eq!(
            route("a.b.web.service.consul.", false),
            zone(None, svc("web", Some("a.b")))
        );
        assert_eq!(
            route("_web._tcp.service.consul.", false),
            zone(None, svc("web", None))
        );
        assert_eq!(
            route("_web._v1.service.dc3.consul.", true),
            zone(Some("dc3"), svc("web", Some("v1")))
        );
        // SRV may leave out `service`.
        assert_eq!(
            route("_web._tcp.consul.", true),
            zone(None, svc("web", None))
        );
        assert_eq!(
            route("_web._tcp.dc2.consul.", true),
            zone(Some("dc2"), svc("web", None))
        );
        assert_eq!(route("service.consul.", false), zone(None, Lookup::Invalid));
    }

    #[test]
    fn only_one_datacenter_label() {
        assert_eq!(
            route("web.service.dc1.extra.consul.", false),
            zone(Some("extra"), Lookup::Invalid)
        );
        assert_eq!(
            route("foo.consul.", false),
            zone(Some("foo"), Lookup::Invalid)
        );
        assert_eq!(route("consul.", false), zone(None, Lookup::Apex));
    }

    #[test]
    fn addr_and_query_forms() {
        assert_eq!(
            route("7f000001.addr.dc1.consul.", false),
            zone(Some("dc1"), Lookup::Addr("127.0.0.1".parse().unwrap()))
        );
        assert_eq!(
            route("20010db8000000000000000000000001.addr.consul.", false),
            zone(None, Lookup::Addr("2001:db8::1".parse().unwrap()))
        );
        assert_eq!(
            route("7f0001.addr.consul.", false),
            zone(None, Lookup::Invalid)
        );
        assert_eq!(
            route("zz000001.addr.consul.", false),
            zone(None, Lookup::Invalid)
        );
        assert_eq!(
            route("x.y.addr.consul.", false),
            zone(None, Lookup::Invalid)
        );
        assert_eq!(
            route("q1.query.consul.", false),
            zone(None, Lookup::PreparedQuery("q1".into()))
        );
    }

    #[test]
    fn alt_domain_and_outside_and_reverse() {
        assert_eq!(
            route("web.service.alt.example.", false),
            Route::Zone {
                zone: ZoneKind::Alternative,
                dc: None,
                lookup: svc("web", None)
            }
        );
        assert_eq!(route("example.com.", false), Route::Outside);
        assert_eq!(route(".", false), Route::Outside);
        assert_eq!(
            route("4.3.2.1.in-addr.arpa.", false),
            Route::Reverse(Some("1.2.3.4".parse().unwrap()))
        );
        assert_eq!(route("3.2.1.in-addr.arpa.", false), Route::Reverse(None));
        assert_eq!(
            route("999.3.2.1.in-addr.arpa.", false),
            Route::Reverse(None)
        );
        let v6 = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.";
        assert_eq!(
            route(v6, false),
            Route::Reverse(Some("2001:db8::1".parse().unwrap()))
        );
    }

    #[test]
    fn hex_round_trip() {
        for ip in ["10.1.2.3", "::1", "fe80::1:2"] {
            let ip: IpAddr = ip.parse().unwrap();
            assert_eq!(parse_hex_addr(&hex_addr(ip)), Some(ip));
        }
    }
}
