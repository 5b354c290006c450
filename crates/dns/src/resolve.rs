//! Answers for names inside the domain and under `arpa.`, read from the
//! backend. Produces records only; sizes, flags and wire format are the
//! caller's business.

use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use consul_types::catalog::CheckServiceNode;
use hickory_proto::rr::{Name, Record, RecordType};
use rand::seq::SliceRandom;

use crate::backend::{DnsBackend, ReadOptions};
use crate::config::DnsConfig;
use crate::error::DnsError;
use crate::health::{is_served, srv_weight};
use crate::name::{hex_addr, Lookup, ZoneKind, Zones};
use crate::records::{self, fqdn, AddressRecord};

/// Records of a positive (or no-data) answer.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Answer {
    /// Answer section.
    pub answers: Vec<Record>,
    /// Authority section.
    pub authority: Vec<Record>,
    /// Additional section.
    pub additionals: Vec<Record>,
    /// The answer is valid for every client (EDNS client-subnet scope 0).
    pub ecs_global: bool,
    /// How the records were ordered (service answers are shuffled).
    pub order: Order,
}

/// The order an answer's records were put in, which tells a cache of
/// encoded answers how many encodings one question has.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Not shuffled: one encoding.
    #[default]
    Fixed,
    /// Order `slot` of the `slots` possible orders of few instances, every
    /// one equally likely: caching one encoding per order keeps Consul's
    /// per-query shuffle exact.
    Exact {
        /// Which order (a permutation index).
        slot: u32,
        /// How many orders there are (the instance count's factorial).
        slots: u32,
    },
    /// A random shuffle of many instances, to be kept in cache slot `slot`
    /// of `slots` for a short while only.
    Random {
        /// The cache slot it may fill.
        slot: u32,
        /// How many slots the cache keeps.
        slots: u32,
    },
}

impl Order {
    /// The cache slot this answer fills and the number of slots.
    pub fn slot(self) -> (u32, u32) {
        match self {
            Order::Fixed => (0, 1),
            Order::Exact { slot, slots } | Order::Random { slot, slots } => (slot, slots),
        }
    }
}

/// Up to this many served instances, every order of them has its own cache
/// slot (4! = 24 encodings at most).
const EXACT_ORDER_MAX: usize = 4;
/// Cache slots of services with more instances, each a random order.
const RANDOM_ORDERS: u32 = 16;

/// Shuffle `instances`: for few of them into order `variant % k!` (so that a
/// uniformly random `variant` gives a uniformly random order), else at random.
fn order_instances<T>(instances: &mut [T], variant: u64) -> Order {
    let k = instances.len();
    if k <= EXACT_ORDER_MAX {
        let slots: u32 = (1..=k as u32).product();
        let slot = (variant % u64::from(slots)) as u32;
        // Fisher–Yates with the choices read off `slot` in mixed radix: a
        // bijection from 0..k! to the orders.
        let mut rest = u64::from(slot);
        for i in 0..k {
            let left = (k - i) as u64;
            let j = (rest % left) as usize;
            rest /= left;
            instances.swap(i, i + j);
        }
        Order::Exact { slot, slots }
    } else {
        instances.shuffle(&mut rand::thread_rng());
        Order::Random {
            slot: (variant % u64::from(RANDOM_ORDERS)) as u32,
            slots: RANDOM_ORDERS,
        }
    }
}

/// Reads the backend and turns catalog data into records.
pub struct Resolver {
    cfg: Arc<DnsConfig>,
    zones: Zones,
    domains: [Name; 2],
    backend: Arc<dyn DnsBackend>,
}

impl Resolver {
    /// A resolver over `backend` with `cfg`.
    pub fn new(cfg: Arc<DnsConfig>, backend: Arc<dyn DnsBackend>) -> Self {
        let zones = Zones::new(&cfg.domain, cfg.alt_domain.as_deref());
        let name_of = |k| fqdn(&zones.fqdn(k)).unwrap_or_else(Name::root);
        let domains = [name_of(ZoneKind::Primary), name_of(ZoneKind::Alternative)];
        Resolver {
            cfg,
            zones,
            domains,
            backend,
        }
    }

    /// The served zones.
    pub fn zones(&self) -> &Zones {
        &self.zones
    }

    /// The configuration.
    pub fn config(&self) -> &DnsConfig {
        &self.cfg
    }

    /// The zone's name, e.g. `consul.`.
    pub fn domain(&self, zone: ZoneKind) -> &Name {
        match zone {
            ZoneKind::Primary => &self.domains[0],
            ZoneKind::Alternative => &self.domains[1],
        }
    }

    /// The backend's [`DnsBackend::cache_version`] for our read options.
    pub fn cache_version(&self) -> Option<u64> {
        self.backend.cache_version(self.opts())
    }

    fn opts(&self) -> ReadOptions {
        ReadOptions {
            allow_stale: self.cfg.allow_stale,
            max_stale: self.cfg.max_stale,
        }
    }

    /// The domain's SOA record.
    pub fn soa(&self, zone: ZoneKind) -> Record {
        let serial = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as u32)
            .unwrap_or(0);
        records::soa(self.domain(zone), &self.cfg.soa, serial)
    }

    /// The datacenter a lookup targets, checked against the known ones.
    async fn datacenter(&self, dc: Option<&str>) -> Result<String, DnsError> {
        let local = &self.cfg.datacenter;
        match dc {
            None => Ok(local.clone()),
            Some(dc) if dc.eq_ignore_ascii_case(local) => Ok(local.clone()),
            Some(dc) => {
                let known = self.backend.datacenters().await?;
                known
                    .into_iter()
                    .find(|k| k.eq_ignore_ascii_case(dc))
                    .ok_or_else(|| DnsError::UnknownDatacenter(dc.to_string()))
            }
        }
    }

    /// Answer a lookup inside the domain. SOA and NS questions get the zone's
    /// SOA/NS whatever the name. `variant` picks the order of shuffled
    /// service answers (see [`Order`]); pass a random number.
    pub async fn zone_lookup(
        &self,
        qname: &Name,
        qtype: RecordType,
        zone: ZoneKind,
        dc: Option<&str>,
        lookup: &Lookup,
        variant: u64,
    ) -> Result<Answer, DnsError> {
        match qtype {
            RecordType::SOA => return self.soa_answer(zone).await,
            RecordType::NS => return self.ns_answer(zone).await,
            RecordType::AXFR | RecordType::IXFR => return Err(DnsError::NotImplemented),
            _ => {}
        }
        match lookup {
            Lookup::Apex | Lookup::Invalid => Err(DnsError::NoSuchName),
            Lookup::PreparedQuery(_) => {
                self.datacenter(dc).await?;
                Err(DnsError::PreparedQueryUnsupported)
            }
            Lookup::Addr(ip) => {
                self.datacenter(dc).await?;
                let owner = qname.clone();
                let ttl = self.cfg.node_ttl_secs();
                let rec = records::glue(&owner, &ip.to_string(), ttl);
                Ok(Answer {
                    answers: rec.into_iter().collect(),
                    ..Answer::default()
                })
            }
            Lookup::Node(node) => {
                let dc = self.datacenter(dc).await?;
                self.node_lookup(qname, qtype, &dc, node).await
            }
            Lookup::Service { name, tag } => {
                let dc = self.datacenter(dc).await?;
                self.service_lookup(qname, qtype, zone, &dc, name, tag.as_deref(), variant)
                    .await
            }
        }
    }

    async fn node_lookup(
        &self,
        qname: &Name,
        qtype: RecordType,
        dc: &str,
        node: &str,
    ) -> Result<Answer, DnsError> {
        let n = self
            .backend
            .node(dc, node, self.opts())
            .await?
            .ok_or(DnsError::NoSuchName)?;
        let ttl = self.cfg.node_ttl_secs();
        let mut out = Answer::default();
        match records::address_record(qname, &n.address, qtype, ttl) {
            AddressRecord::Ip(r) | AddressRecord::Cname(r) => out.answers.push(r),
            AddressRecord::None => {}
        }
        let meta = records::meta_txt(qname, &n.meta, ttl);
        if matches!(qtype, RecordType::TXT | RecordType::ANY) {
            out.answers.extend(meta);
        } else if self.cfg.node_meta_txt && !out.answers.is_empty() {
            out.additionals.extend(meta);
        }
        Ok(out)
    }

    #[allow(clippy::too_many_arguments)]
    async fn service_lookup(
        &self,
        qname: &Name,
        qtype: RecordType,
        zone: ZoneKind,
        dc: &str,
        service: &str,
        tag: Option<&str>,
        variant: u64,
    ) -> Result<Answer, DnsError> {
        let mut instances = self
            .backend
            .service_nodes(dc, service, tag, self.opts())
            .await?;
        instances.retain(|csn| {
            is_served(csn, self.cfg.only_passing)
                && tag.is_none_or(|t| csn.service.tags.iter().any(|x| x.eq_ignore_ascii_case(t)))
        });
        if instances.is_empty() {
            return Err(DnsError::NoSuchName);
        }
        let order = order_instances(&mut instances, variant);
        let ttl = self.cfg.service_ttl_secs(service);
        let mut answer = if qtype == RecordType::SRV {
            self.srv_records(qname, zone, dc, &instances, ttl)
        } else {
            self.address_records(qname, qtype, &instances, ttl)
        };
        answer.order = order;
        Ok(answer)
    }

    /// A/AAAA (or a CNAME) per distinct address, up to `a_record_limit`.
    fn address_records(
        &self,
        qname: &Name,
        qtype: RecordType,
        instances: &[CheckServiceNode],
        ttl: u32,
    ) -> Answer {
        let mut out = Answer::default();
        let mut seen = HashSet::new();
        let mut cname = None;
        for csn in instances {
            let addr = instance_address(csn);
            if !seen.insert(addr) {
                continue;
            }
            match records::address_record(qname, addr, qtype, ttl) {
                AddressRecord::Ip(r) => {
                    out.answers.push(r);
                    if self.cfg.a_record_limit > 0 && out.answers.len() >= self.cfg.a_record_limit {
                        break;
                    }
                }
                AddressRecord::Cname(r) => {
                    cname.get_or_insert(r);
                }
                AddressRecord::None => {}
            }
        }
        if out.answers.is_empty() {
            out.answers.extend(cname);
        }
        out
    }

    /// One SRV per distinct (node, address, port), targets with glue.
    fn srv_records(
        &self,
        qname: &Name,
        zone: ZoneKind,
        dc: &str,
        instances: &[CheckServiceNode],
        ttl: u32,
    ) -> Answer {
        let domain = self.zones.fqdn(zone);
        let mut out = Answer::default();
        let mut seen = HashSet::new();
        for csn in instances {
            let addr = instance_address(csn);
            let port = csn.service.port;
            if !seen.insert((csn.node.node.as_str(), addr, port)) {
                continue;
            }
            let node_target = fqdn(&format!("{}.node.{dc}.{domain}", csn.node.node));
            let (target, glue, meta) = match addr.parse::<IpAddr>() {
                Ok(_) if addr == csn.node.address => {
                    let Some(t) = node_target else { continue };
                    let glue = records::glue(&t, addr, ttl);
                    let meta = if self.cfg.node_meta_txt {
                        records::meta_txt(&t, &csn.node.meta, ttl)
                    } else {
                        Vec::new()
                    };
                    (t, glue, meta)
                }
                Ok(ip) => {
                    let Some(t) = fqdn(&format!("{}.addr.{dc}.{domain}", hex_addr(ip))) else {
                        continue;
                    };
                    let glue = records::glue(&t, addr, ttl);
                    (t, glue, Vec::new())
                }
                Err(_) => match fqdn(addr) {
                    Some(host) => (host, None, Vec::new()),
                    None => continue,
                },
            };
            out.answers
                .push(records::srv(qname, ttl, srv_weight(csn), port, target));
            out.additionals.extend(glue);
            out.additionals.extend(meta);
        }
        out
    }

    /// Up to three servers as NS records, with glue.
    async fn nameservers(&self, zone: ZoneKind) -> Result<(Vec<Record>, Vec<Record>), DnsError> {
        let dc = &self.cfg.datacenter;
        let mut servers = self.backend.servers(dc, self.opts()).await?;
        servers.shuffle(&mut rand::thread_rng());
        let domain = self.domain(zone);
        let zone_fqdn = self.zones.fqdn(zone);
        let ttl = self.cfg.node_ttl_secs();
        let (mut ns, mut glue) = (Vec::new(), Vec::new());
        for s in servers {
            if s.node.is_empty()
                || !s
                    .node
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-')
            {
                continue;
            }
            let sdc = if s.datacenter.is_empty() {
                dc
            } else {
                &s.datacenter
            };
            let Some(target) = fqdn(&format!("{}.node.{sdc}.{zone_fqdn}", s.node).to_lowercase())
            else {
                continue;
            };
            glue.extend(records::glue(&target, &s.address, ttl));
            ns.push(records::ns(domain, ttl, target));
            if ns.len() >= 3 {
                break;
            }
        }
        Ok((ns, glue))
    }

    async fn soa_answer(&self, zone: ZoneKind) -> Result<Answer, DnsError> {
        let (ns, glue) = self.nameservers(zone).await.unwrap_or_default();
        Ok(Answer {
            answers: vec![self.soa(zone)],
            authority: ns,
            additionals: glue,
            ecs_global: false,
            order: Order::Fixed,
        })
    }

    async fn ns_answer(&self, zone: ZoneKind) -> Result<Answer, DnsError> {
        let (ns, glue) = self.nameservers(zone).await?;
        Ok(Answer {
            answers: ns,
            additionals: glue,
            ..Answer::default()
        })
    }

    /// PTR for `ip`: a node with that address, else a service instance with
    /// that service address. `NoSuchName` when neither exists.
    pub async fn reverse_lookup(&self, qname: &Name, ip: IpAddr) -> Result<Answer, DnsError> {
        let dc = &self.cfg.datacenter;
        let domain = self.zones.fqdn(ZoneKind::Primary);
        let same = |a: &str| a.parse::<IpAddr>().is_ok_and(|x| x == ip);
        let nodes = self
            .backend
            .nodes_by_address(dc, ip, self.opts())
            .await
            .unwrap_or_default();
        let target = match nodes.iter().find(|n| same(&n.address)) {
            Some(n) => {
                let ndc = if n.datacenter.is_empty() {
                    dc
                } else {
                    &n.datacenter
                };
                fqdn(&format!("{}.node.{ndc}.{domain}", n.node))
            }
            None => {
                let services = self
                    .backend
                    .services_by_address(dc, ip, self.opts())
                    .await
                    .unwrap_or_default();
                services
                    .iter()
                    .find(|s| same(&s.service_address))
                    .and_then(|s| fqdn(&format!("{}.service.{domain}", s.service_name)))
            }
        };
        let target = target.ok_or(DnsError::NoSuchName)?;
        Ok(Answer {
            answers: vec![records::ptr(qname, 0, target)],
            ecs_global: true,
            ..Answer::default()
        })
    }
}

/// The address an instance is reached at: its service address, else its
/// node's.
fn instance_address(csn: &CheckServiceNode) -> &str {
    if csn.service.address.is_empty() {
        &csn.node.address
    } else {
        &csn.service.address
    }
}
