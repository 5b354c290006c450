//! Index of registered waiters by what they watch, so a commit finds the
//! waiters it concerns without scanning every blocking query.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::table_set::TableMap;
use crate::watch::{ChangeSet, Watch};

type Ids = HashSet<u64>;

/// Waiter ids by watched item.
#[derive(Default)]
pub(crate) struct WaiterIndex {
    kv_keys: BTreeMap<String, Ids>,
    kv_prefixes: BTreeMap<String, Ids>,
    tables: TableMap<Ids>,
    services: HashMap<String, Ids>,
    nodes: HashMap<String, Ids>,
}

fn add(map_entry: &mut Ids, id: u64) {
    map_entry.insert(id);
}

/// Drop `id` from a set; true when the set is now empty.
fn remove_from(ids: Option<&mut Ids>, id: u64) -> bool {
    ids.is_some_and(|set| {
        set.remove(&id);
        set.is_empty()
    })
}

impl WaiterIndex {
    /// Register waiter `id` under every item it watches.
    pub fn insert(&mut self, id: u64, watches: &[Watch]) {
        for w in watches {
            match w {
                Watch::KvKey(k) => add(self.kv_keys.entry(k.clone()).or_default(), id),
                Watch::KvPrefix(p) => add(self.kv_prefixes.entry(p.clone()).or_default(), id),
                Watch::Table(t) => add(&mut self.tables[*t], id),
                Watch::Service(s) => add(self.services.entry(s.clone()).or_default(), id),
                Watch::Node(n) => add(self.nodes.entry(n.clone()).or_default(), id),
            }
        }
    }

    /// Forget waiter `id` (given what it watched).
    pub fn remove(&mut self, id: u64, watches: &[Watch]) {
        for w in watches {
            match w {
                Watch::KvKey(k) => {
                    if remove_from(self.kv_keys.get_mut(k), id) {
                        self.kv_keys.remove(k);
                    }
                }
                Watch::KvPrefix(p) => {
                    if remove_from(self.kv_prefixes.get_mut(p), id) {
                        self.kv_prefixes.remove(p);
                    }
                }
                Watch::Table(t) => {
                    self.tables[*t].remove(&id);
                }
                Watch::Service(s) => {
                    if remove_from(self.services.get_mut(s), id) {
                        self.services.remove(s);
                    }
                }
                Watch::Node(n) => {
                    if remove_from(self.nodes.get_mut(n), id) {
                        self.nodes.remove(n);
                    }
                }
            }
        }
    }

    /// Ids of the waiters whose watches `cs` touches (`cs.all` is the
    /// caller's business).
    pub fn matching(&self, cs: &ChangeSet) -> Ids {
        let mut out = Ids::new();
        for t in cs.tables.iter() {
            out.extend(&self.tables[t]);
        }
        for k in &cs.kv_keys {
            if let Some(ids) = self.kv_keys.get(k) {
                out.extend(ids);
            }
            self.prefixes_of(k, &mut out);
        }
        for d in &cs.kv_prefixes {
            let under = |m: &BTreeMap<String, Ids>, out: &mut Ids| {
                for (_, ids) in m
                    .range::<String, _>(d..)
                    .take_while(|(k, _)| k.starts_with(d.as_str()))
                {
                    out.extend(ids);
                }
            };
            under(&self.kv_keys, &mut out);
            under(&self.kv_prefixes, &mut out);
            self.prefixes_of(d, &mut out);
        }
        for s in &cs.services {
            if let Some(ids) = self.services.get(s) {
                out.extend(ids);
            }
        }
        for n in &cs.nodes {
            if let Some(ids) = self.nodes.get(n) {
                out.extend(ids);
            }
        }
        out
    }

    /// Waiters on any prefix of `key` (including "" and `key` itself).
    fn prefixes_of(&self, key: &str, out: &mut Ids) {
        if self.kv_prefixes.is_empty() {
            return;
        }
        for (i, _) in key.char_indices().chain(std::iter::once((key.len(), ' '))) {
            if let Some(ids) = self.kv_prefixes.get(&key[..i]) {
                out.extend(ids);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::Table;
    use crate::watch::WatchSet;

    /// The index must find exactly the waiters a linear scan would.
    #[test]
    fn index_agrees_with_linear_matching() {
        let mut sets: Vec<WatchSet> = Vec::new();
        for k in ["", "a", "a/", "a/b", "a/b/c", "b", "é/x"] {
            let mut ws = WatchSet::new();
            ws.add_kv_key(k);
            sets.push(ws);
            let mut ws = WatchSet::new();
            ws.add_kv_prefix(k);
            sets.push(ws);
        }
        for name in ["web", "db"] {
            let mut ws = WatchSet::new();
            ws.add_service(name);
            ws.add_node(name);
            sets.push(ws);
        }
        let mut ws = WatchSet::new();
        ws.add_table(Table::Checks);
        sets.push(ws);

        let mut idx = WaiterIndex::default();
        for (i, ws) in sets.iter().enumerate() {
            idx.insert(i as u64, &ws.items);
        }
        let mut changes = Vec::new();
        for k in ["", "a", "a/", "a/b", "a/bc", "a/b/c/d", "b", "c", "é/x/y"] {
            let mut cs = ChangeSet::default();
            cs.kv_keys.insert(k.to_string());
            changes.push(cs);
            let mut cs = ChangeSet::default();
            cs.kv_prefixes.push(k.to_string());
            changes.push(cs);
        }
        let mut cs = ChangeSet::default();
        cs.service("web");
        cs.node("db");
        cs.table(Table::Checks);
        changes.push(cs);

        for cs in &changes {
            let linear: Ids = sets
                .iter()
                .enumerate()
                .filter(|(_, ws)| ws.matches(cs))
                .map(|(i, _)| i as u64)
                .collect();
            assert_eq!(idx.matching(cs), linear, "{cs:?}");
        }
        for (i, ws) in sets.iter().enumerate() {
            idx.remove(i as u64, &ws.items);
        }
        assert!(idx.kv_keys.is_empty() && idx.kv_prefixes.is_empty());
        assert!(idx.services.is_empty() && idx.nodes.is_empty());
    }
}
