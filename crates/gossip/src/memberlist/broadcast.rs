//! Piggy-backed broadcasts with a retransmit limit (memberlist's
//! `TransmitLimitedQueue`): least-sent first, newest first among equals;
//! a newer broadcast about the same member replaces the older one.

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};

type Slot = (u32, Reverse<u64>);

#[derive(Debug, Clone)]
struct Item {
    key: Option<String>,
    msg: Vec<u8>,
}

/// A queue of encoded messages waiting to be gossiped.
#[derive(Debug, Default, Clone)]
pub struct BroadcastQueue {
    items: BTreeMap<Slot, Item>,
    by_key: HashMap<String, Slot>,
    next_id: u64,
}

impl BroadcastQueue {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// Queue `msg`; if `key` is set, drop any queued message with that key.
    pub fn push(&mut self, key: Option<String>, msg: Vec<u8>) {
        if let Some(k) = &key {
            if let Some(slot) = self.by_key.remove(k) {
                self.items.remove(&slot);
            }
        }
        self.next_id += 1;
        let slot = (0, Reverse(self.next_id));
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
    pub fn take(&mut self, overhead: usize, limit: usize, transmit_limit: u32) -> Vec<Vec<u8>> {
        let mut used = 0;
        let mut out = Vec::new();
        let mut picked = Vec::new();
        for (slot, item) in &self.items {
            if used + overhead + item.msg.len() > limit {
                continue;
            }
            used += overhead + item.msg.len();
            out.push(item.msg.clone());
            picked.push(*slot);
            if used + overhead >= limit {
                break;
            }
        }
        for slot in picked {
            if let Some(item) = self.items.remove(&slot) {
                let sent = slot.0 + 1;
                if sent >= transmit_limit {
                    if let Some(k) = &item.key {
                        self.by_key.remove(k);
                    }
                } else {
                    let new = (sent, slot.1);
                    if let Some(k) = &item.key {
                        self.by_key.insert(k.clone(), new);
                    }
                    self.items.insert(new, item);
                }
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
}
