//! Building resource records from catalog data: addresses, CNAMEs for
//! hostnames, node meta as RFC 1464 TXT, SRV, SOA, NS and PTR.

use std::collections::BTreeMap;
use std::net::IpAddr;

use hickory_proto::rr::rdata::{A, AAAA, CNAME, NS, PTR, SOA, SRV, TXT};
use hickory_proto::rr::{Name, RData, Record, RecordType};

use crate::config::SoaConfig;

/// A dotted name as a fully-qualified [`Name`], taking each label's bytes
/// as they are. `None` if a label is too long or the name is empty.
pub fn fqdn(dotted: &str) -> Option<Name> {
    let labels: Vec<&[u8]> = dotted
        .split('.')
        .filter(|l| !l.is_empty())
        .map(str::as_bytes)
        .collect();
    if labels.is_empty() {
        return None;
    }
    Name::from_labels(labels).ok()
}

/// What an address string becomes for a query type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressRecord {
    /// An A or AAAA record.
    Ip(Record),
    /// The address is a hostname: a CNAME to it.
    Cname(Record),
    /// Nothing fits the query type.
    None,
}

/// The record for `addr` owned by `owner`: A for an IPv4 address (A/ANY
/// queries), AAAA for IPv6 (AAAA/ANY), CNAME for a hostname (A, AAAA, ANY,
/// CNAME, TXT queries), as Consul's `formatNodeRecord`.
pub fn address_record(owner: &Name, addr: &str, qtype: RecordType, ttl: u32) -> AddressRecord {
    match addr.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) if matches!(qtype, RecordType::A | RecordType::ANY) => {
            AddressRecord::Ip(Record::from_rdata(owner.clone(), ttl, RData::A(A(v4))))
        }
        Ok(IpAddr::V6(v6)) if matches!(qtype, RecordType::AAAA | RecordType::ANY) => {
            AddressRecord::Ip(Record::from_rdata(
                owner.clone(),
                ttl,
                RData::AAAA(AAAA(v6)),
            ))
        }
        Ok(_) => AddressRecord::None,
        Err(_) if addr.is_empty() => AddressRecord::None,
        Err(_) => {
            let wanted = matches!(
                qtype,
                RecordType::A
                    | RecordType::AAAA
                    | RecordType::ANY
                    | RecordType::CNAME
                    | RecordType::TXT
            );
            match fqdn(addr) {
                Some(target) if wanted => AddressRecord::Cname(Record::from_rdata(
                    owner.clone(),
                    ttl,
                    RData::CNAME(CNAME(target)),
                )),
                _ => AddressRecord::None,
            }
        }
    }
}

/// Glue for `addr`: the A or AAAA record whatever the query type.
pub fn glue(owner: &Name, addr: &str, ttl: u32) -> Option<Record> {
    match address_record(owner, addr, RecordType::ANY, ttl) {
        AddressRecord::Ip(r) => Some(r),
        _ => None,
    }
}

/// One TXT record per meta entry, `key=value` per RFC 1464 (keys starting
/// with `rfc1035-` give the bare value).
pub fn meta_txt(owner: &Name, meta: &BTreeMap<String, String>, ttl: u32) -> Vec<Record> {
    meta.iter()
        .map(|(k, v)| {
            let text = if k.to_ascii_lowercase().starts_with("rfc1035-") {
                v.clone()
            } else {
                rfc1464(k, v)
            };
            Record::from_rdata(owner.clone(), ttl, RData::TXT(txt(&text)))
        })
        .collect()
}

/// TXT data for arbitrary text, split in character-strings of ≤255 bytes.
pub fn txt(text: &str) -> TXT {
    let bytes = text.as_bytes();
    if bytes.is_empty() {
        return TXT::from_bytes(vec![b""]);
    }
    TXT::from_bytes(bytes.chunks(255).collect())
}

/// RFC 1464 attribute encoding: in the key, backquote `` ` ``, `=` and
/// leading/trailing spaces; in the value, backquote `` ` ``.
pub fn rfc1464(key: &str, value: &str) -> String {
    let escaped = key.replace('`', "``").replace('=', "`=");
    let lead = escaped.len() - escaped.trim_start_matches(' ').len();
    let core = escaped.trim_start_matches(' ');
    let trail = core.len() - core.trim_end_matches(' ').len();
    let core = core.trim_end_matches(' ');
    let mut out = String::with_capacity(key.len() + value.len() + 8);
    out.push_str(&"` ".repeat(lead));
    out.push_str(core);
    out.push_str(&"` ".repeat(trail));
    out.push('=');
    out.push_str(&value.replace('`', "``"));
    out
}

/// An SRV record.
pub fn srv(owner: &Name, ttl: u32, weight: u16, port: u16, target: Name) -> Record {
    Record::from_rdata(
        owner.clone(),
        ttl,
        RData::SRV(SRV::new(1, weight, port, target)),
    )
}

/// The domain's SOA: `ns.<domain>`, `hostmaster.<domain>`, the serial from
/// the clock, TTL = the minimum TTL.
pub fn soa(domain: &Name, cfg: &SoaConfig, serial: u32) -> Record {
    let ns = Name::from_labels([&b"ns"[..]])
        .and_then(|n| n.append_domain(domain))
        .unwrap_or_else(|_| domain.clone());
    let mbox = Name::from_labels([&b"hostmaster"[..]])
        .and_then(|n| n.append_domain(domain))
        .unwrap_or_else(|_| domain.clone());
    let clamp = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
    Record::from_rdata(
        domain.clone(),
        cfg.min_ttl,
        RData::SOA(SOA::new(
            ns,
            mbox,
            serial,
            clamp(cfg.refresh),
            clamp(cfg.retry),
            clamp(cfg.expire),
            cfg.min_ttl,
        )),
    )
}

/// An NS record for the domain.
pub fn ns(domain: &Name, ttl: u32, target: Name) -> Record {
    Record::from_rdata(domain.clone(), ttl, RData::NS(NS(target)))
}

/// A PTR record.
pub fn ptr(owner: &Name, ttl: u32, target: Name) -> Record {
    Record::from_rdata(owner.clone(), ttl, RData::PTR(PTR(target)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner() -> Name {
        fqdn("n1.node.consul").unwrap()
    }

    #[test]
    fn address_by_family_and_type() {
        let o = owner();
        assert!(matches!(
            address_record(&o, "10.0.0.1", RecordType::A, 0),
            AddressRecord::Ip(_)
        ));
        assert_eq!(
            address_record(&o, "10.0.0.1", RecordType::AAAA, 0),
            AddressRecord::None
        );
        assert!(matches!(
            address_record(&o, "::1", RecordType::AAAA, 0),
            AddressRecord::Ip(_)
        ));
        match address_record(&o, "db.example.com", RecordType::A, 5) {
            AddressRecord::Cname(r) => {
                assert_eq!(r.ttl, 5);
                assert_eq!(r.data, RData::CNAME(CNAME(fqdn("db.example.com").unwrap())));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            address_record(&o, "db.example.com", RecordType::SRV, 0),
            AddressRecord::None
        );
        assert_eq!(
            address_record(&o, "", RecordType::A, 0),
            AddressRecord::None
        );
    }

    #[test]
    fn rfc1464_escapes() {
        assert_eq!(rfc1464("key", "value"), "key=value");
        assert_eq!(rfc1464("a=b", "c=d"), "a`=b=c=d");
        assert_eq!(rfc1464(" k ", "`v"), "` k` =``v");
    }

    #[test]
    fn long_txt_is_split() {
        let t = txt(&"x".repeat(600));
        assert_eq!(t.txt_data.len(), 3);
        assert_eq!(t.txt_data[0].len(), 255);
    }

    #[test]
    fn rfc1035_meta_keys_give_bare_values() {
        let mut meta = BTreeMap::new();
        meta.insert("rfc1035-x".to_string(), "raw".to_string());
        meta.insert("k".to_string(), "v".to_string());
        let recs = meta_txt(&owner(), &meta, 0);
        let texts: Vec<_> = recs
            .iter()
            .map(|r| match &r.data {
                RData::TXT(t) => String::from_utf8_lossy(&t.txt_data[0]).to_string(),
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(texts, vec!["k=v", "raw"]);
    }
}
