//! A cache of encoded responses, so that a repeated query is answered by
//! copying bytes instead of reading the catalog and encoding again.
//!
//! The key is the query packet without its message ID, plus the transport:
//! the question's exact case, the flags and any EDNS options are part of
//! it, and the response is a function of exactly those (for a given catalog
//! version), so a replay — the cached bytes with the query's ID — is what
//! the full path would have produced. An entry is served only while the
//! backend's [`crate::DnsBackend::cache_version`] is the one it was built
//! at; a response carrying the SOA (whose serial is the clock's second) or
//! a random shuffle is served only within the second it was built in.
//!
//! Shuffled service answers keep one encoding per order ([`crate::resolve::Order`]):
//! a hit picks one of the entry's slots at random, and an empty slot is a
//! miss that the full path fills, so every order stays as likely as with a
//! fresh shuffle per query.

use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

use crate::handler::Transport;

/// Largest query packet that is looked up (and cached).
const MAX_QUERY: usize = 512;
/// Largest response kept.
const MAX_RESPONSE: usize = 4096;
/// Most entries per transport before the cache is emptied.
const MAX_ENTRIES: usize = 8192;
/// Most response bytes per transport before the cache is emptied.
const MAX_BYTES: usize = 32 << 20;

/// What [`AnswerCache::insert`] stores for one computed response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fill {
    /// The slot the response fills.
    pub slot: u32,
    /// How many slots the entry has.
    pub slots: u32,
    /// `Some(s)`: valid only during unix second `s`; `None`: while the
    /// version holds.
    pub second: Option<u64>,
}

/// The result of [`AnswerCache::lookup`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    /// The response was written to the output buffer.
    Hit,
    /// Not cached: compute it with this `variant` (which lands it in the
    /// slot the lookup picked, or in a random one of a new entry).
    Miss {
        /// Pass to the resolver as the order variant.
        variant: u64,
    },
}

struct Slot {
    bytes: Box<[u8]>,
    second: Option<u64>,
}

struct Entry {
    version: u64,
    slots: Box<[Option<Slot>]>,
}

#[derive(Default)]
struct Shard {
    map: HashMap<Box<[u8]>, Entry>,
    bytes: usize,
}

/// Encoded responses by query (without its ID) and transport.
#[derive(Default)]
pub struct AnswerCache {
    shards: [RwLock<Shard>; 2],
}

/// Whether a packet may be looked up: a query header and small.
pub fn cacheable_query(packet: &[u8]) -> bool {
    packet.len() > 12 && packet.len() <= MAX_QUERY && packet[2] & 0x80 == 0
}

fn shard_of(transport: Transport) -> usize {
    match transport {
        Transport::Udp => 0,
        Transport::Tcp => 1,
    }
}

impl AnswerCache {
    /// An empty cache.
    pub fn new() -> Self {
        AnswerCache::default()
    }

    /// Look `packet` up at catalog `version` and unix second `now`. On a hit
    /// `out` holds the response with the query's ID. `pick` is a random
    /// number choosing among an entry's slots.
    pub fn lookup(
        &self,
        packet: &[u8],
        transport: Transport,
        version: u64,
        now: u64,
        pick: u64,
        out: &mut Vec<u8>,
    ) -> Probe {
        if !cacheable_query(packet) {
            return Probe::Miss { variant: pick };
        }
        let shard = self.shards[shard_of(transport)]
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        let Some(entry) = shard.map.get(&packet[2..]) else {
            return Probe::Miss { variant: pick };
        };
        if entry.version != version {
            return Probe::Miss { variant: pick };
        }
        let i = (pick % entry.slots.len() as u64) as usize;
        match &entry.slots[i] {
            Some(slot) if slot.second.is_none_or(|s| s == now) => {
                out.clear();
                out.extend_from_slice(&slot.bytes);
                out[..2].copy_from_slice(&packet[..2]);
                Probe::Hit
            }
            _ => Probe::Miss { variant: i as u64 },
        }
    }

    /// Keep `response` to `packet`, computed at catalog `version` (read
    /// before the catalog was).
    pub fn insert(
        &self,
        packet: &[u8],
        transport: Transport,
        version: u64,
        fill: Fill,
        response: &[u8],
    ) {
        if !cacheable_query(packet)
            || response.len() < 12
            || response.len() > MAX_RESPONSE
            || fill.slots == 0
            || fill.slot >= fill.slots
        {
            return;
        }
        let mut shard = self.shards[shard_of(transport)]
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if shard.map.len() >= MAX_ENTRIES || shard.bytes + response.len() > MAX_BYTES {
            shard.map.clear();
            shard.bytes = 0;
        }
        let key = &packet[2..];
        let Shard { map, bytes } = &mut *shard;
        let fresh = |version| Entry {
            version,
            slots: (0..fill.slots).map(|_| None).collect(),
        };
        let keep = match map.get(key) {
            Some(e) if e.version == version && e.slots.len() == fill.slots as usize => true,
            // Built from an older catalog than what is cached: drop it.
            Some(e) if e.version > version => return,
            _ => false,
        };
        if !keep {
            if let Some(old) = map.insert(key.into(), fresh(version)) {
                *bytes -= held(&old);
            }
        }
        let Some(entry) = map.get_mut(key) else {
            return;
        };
        let slot = &mut entry.slots[fill.slot as usize];
        if let Some(old) = slot.take() {
            *bytes -= old.bytes.len();
        }
        *bytes += response.len();
        *slot = Some(Slot {
            bytes: response.into(),
            second: fill.second,
        });
    }

    /// Number of cached entries (both transports).
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.read().unwrap_or_else(PoisonError::into_inner).map.len())
            .sum()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn held(e: &Entry) -> usize {
    e.slots.iter().flatten().map(|s| s.bytes.len()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(id: u16, tail: &[u8]) -> Vec<u8> {
        let mut p = id.to_be_bytes().to_vec();
        p.extend_from_slice(&[1, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
        p.extend_from_slice(tail);
        p
    }

    fn fill(slot: u32, slots: u32) -> Fill {
        Fill {
            slot,
            slots,
            second: None,
        }
    }

    #[test]
    fn hit_echoes_the_id_and_needs_the_same_version() {
        let c = AnswerCache::new();
        let q = query(7, b"\x03abc\x00\x00\x01\x00\x01");
        let mut resp = q.clone();
        resp[2] |= 0x80;
        let mut out = Vec::new();
        assert_eq!(
            c.lookup(&q, Transport::Udp, 1, 0, 5, &mut out),
            Probe::Miss { variant: 5 }
        );
        c.insert(&q, Transport::Udp, 1, fill(0, 1), &resp);
        let q2 = query(0xBEEF, b"\x03abc\x00\x00\x01\x00\x01");
        assert_eq!(c.lookup(&q2, Transport::Udp, 1, 0, 9, &mut out), Probe::Hit);
        assert_eq!(&out[..2], &[0xBE, 0xEF]);
        assert_eq!(&out[2..], &resp[2..]);
        // Other transport, other version, other case: misses.
        assert!(matches!(
            c.lookup(&q2, Transport::Tcp, 1, 0, 9, &mut out),
            Probe::Miss { .. }
        ));
        assert!(matches!(
            c.lookup(&q2, Transport::Udp, 2, 0, 9, &mut out),
            Probe::Miss { .. }
        ));
        let upper = query(7, b"\x03ABC\x00\x00\x01\x00\x01");
        assert!(matches!(
            c.lookup(&upper, Transport::Udp, 1, 0, 9, &mut out),
            Probe::Miss { .. }
        ));
        // An older build never replaces a newer entry.
        c.insert(&q, Transport::Udp, 3, fill(0, 1), &resp);
        c.insert(&q, Transport::Udp, 2, fill(0, 1), &resp);
        assert_eq!(c.lookup(&q2, Transport::Udp, 3, 0, 9, &mut out), Probe::Hit);
    }

    #[test]
    fn slots_and_seconds() {
        let c = AnswerCache::new();
        let q = query(1, b"\x01x\x00\x00\x01\x00\x01");
        let resp = [0u8; 20];
        let mut out = Vec::new();
        c.insert(&q, Transport::Udp, 1, fill(1, 2), &resp);
        // Slot 0 is empty: a miss that names it, so the fill lands there.
        assert_eq!(
            c.lookup(&q, Transport::Udp, 1, 0, 4, &mut out),
            Probe::Miss { variant: 0 }
        );
        assert_eq!(c.lookup(&q, Transport::Udp, 1, 0, 5, &mut out), Probe::Hit);
        c.insert(
            &q,
            Transport::Udp,
            1,
            Fill {
                slot: 0,
                slots: 2,
                second: Some(100),
            },
            &resp,
        );
        assert_eq!(
            c.lookup(&q, Transport::Udp, 1, 100, 4, &mut out),
            Probe::Hit
        );
        assert_eq!(
            c.lookup(&q, Transport::Udp, 1, 101, 4, &mut out),
            Probe::Miss { variant: 0 }
        );
    }
}
