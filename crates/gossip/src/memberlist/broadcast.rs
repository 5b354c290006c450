//! Piggy-backed broadcasts with a retransmit limit (memberlist's
//! `TransmitLimitedQueue`): least-sent first, then largest first, then
//! newest first; a newer broadcast about the same member replaces the
//! older one.
//!
//! Like memberlist's B-tree, the queue is ordered by
//! `(transmits, Reverse(len), Reverse(id))`, so [`BroadcastQueue::take`]
//! finds the best message that still fits with one range search per pick
//! instead of scanning the whole queue (which dominated the simulator's
//! profile at 1000 members, where each member queues ~n alive messages).
//!
//! A member queues a broadcast about nearly every other member during a
//! mass join, so an entry is kept small: the key is the member table's
//! shared name, the message an `Arc<[u8]>` of its exact length (shared
//! between simulated members when an interner is set), and the slot 16
//! bytes.

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// `(transmits, Reverse(len), Reverse(id))`: memberlist's
/// `limitedBroadcast.Less` order (a UDP message's length fits in `u32`).
type Slot = (u32, Reverse<u32>, Reverse<u64>);

#[derive(Debug, Clone)]
struct Item {
    key: Option<Arc<str>>,
    msg: Arc<[u8]>,
}

/// A queue of encoded messages waiting to be gossiped.
#[derive(Debug, Default, Clone)]
pub struct BroadcastQueue {
    items: BTreeMap<Slot, Item>,
    by_key: HashMap<Arc<str>, Slot>,
    next_id: u64,
}

fn len32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl BroadcastQueue {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// Queue `msg`; if `key` is set, drop any queued message with that key.
    pub fn push(&mut self, key: Option<String>, msg: Vec<u8>) {
        self.push_shared(key.map(Arc::from), Arc::from(msg));
    }

    /// [`BroadcastQueue::push`] with a shared key and message.
    pub fn push_shared(&mut self, key: Option<Arc<str>>, msg: Arc<[u8]>) {
        if let Some(k) = &key {
            if let Some(slot) = self.by_key.remove(k) {
                self.items.remove(&slot);
            }
        }
        self.next_id += 1;
        let slot = (0, Reverse(len32(msg.len())), Reverse(self.next_id));
        if let Some(k) = &key {
            self.by_key.insert(k.clone(), slot);
        }
        self.items.insert(slot, Item { key, msg });
    }

    /// Number of queued messages.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Whether a message with this key is still queued.
    pub fn contains_key(&self, key: &str) -> bool {
        self.by_key.contains_key(key)
    }

    /// Take messages fitting in `limit` bytes, each costing `overhead`
    /// extra; messages sent more than `transmit_limit` times are dropped.
    ///
    /// memberlist's `GetBroadcasts`: tier by tier (transmit count), pick
    /// the first message in queue order that fits the remaining space.
    pub fn take(&mut self, overhead: usize, limit: usize, transmit_limit: u32) -> Vec<Vec<u8>> {
        let mut used = 0;
        let mut out = Vec::new();
        let mut picked: Vec<(Slot, Item)> = Vec::new();
        let Some(mut tier) = self.items.keys().next().map(|s| s.0) else {
            return out;
        };
        loop {
            let free = limit.saturating_sub(used + overhead);
            if free == 0 {
                break;
            }
            let lo = (tier, Reverse(len32(free)), Reverse(u64::MAX));
            let hi = (tier.saturating_add(1), Reverse(u32::MAX), Reverse(u64::MAX));
            let found = if tier == u32::MAX {
                self.items.range(lo..).next().map(|(s, _)| *s)
            } else {
                self.items.range(lo..hi).next().map(|(s, _)| *s)
            };
            match found {
                Some(slot) => {
                    let item = self.items.remove(&slot).expect("slot just found");
                    used += overhead + item.msg.len();
                    out.push(item.msg.to_vec());
                    picked.push((slot, item));
                }
                None => {
                    // Nothing of a fitting size in this tier: next tier.
                    if tier == u32::MAX {
                        break;
                    }
                    match self.items.range(hi..).next() {
                        Some((s, _)) => tier = s.0,
                        None => break,
                    }
                }
            }
        }
        for (slot, item) in picked {
            let sent = slot.0 + 1;
            if sent >= transmit_limit {
                if let Some(k) = &item.key {
                    self.by_key.remove(k);
                }
            } else {
                let new = (sent, slot.1, slot.2);
                if let Some(slot) = item.key.as_deref().and_then(|k| self.by_key.get_mut(k)) {
                    *slot = new;
                }
                self.items.insert(new, item);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_ordering() {
        let mut q = BroadcastQueue::new();
        q.push(Some("a".into()), vec![1; 10]);
        q.push(Some("b".into()), vec![2; 10]);
        q.push(Some("a".into()), vec![3; 10]);
        assert_eq!(q.len(), 2);
        // newest first
        assert_eq!(q.take(2, 12, 2), vec![vec![3; 10]]);
        // least-transmitted first
        assert_eq!(q.take(2, 12, 2), vec![vec![2; 10]]);
        assert_eq!(q.take(2, 100, 2).len(), 2);
        assert!(q.is_empty());
        q.push(None, vec![9; 5]);
        assert_eq!(q.take(0, 4, 3), Vec::<Vec<u8>>::new());
    }

    #[test]
    fn largest_first_within_a_tier_and_skips_what_does_not_fit() {
        let mut q = BroadcastQueue::new();
        q.push(None, vec![1; 5]);
        q.push(None, vec![2; 20]);
        q.push(None, vec![3; 10]);
        // largest first; then the best that still fits the 13 bytes left
        assert_eq!(q.take(0, 33, 5), vec![vec![2; 20], vec![3; 10]]);
        // tier 0 (the 5-byte one) before the tier-1 ones
        assert_eq!(
            q.take(0, 100, 5),
            vec![vec![1; 5], vec![2; 20], vec![3; 10]]
        );
        assert_eq!(q.len(), 3);
    }
}
