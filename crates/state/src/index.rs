//! Consul's "index" table: the max Raft index per table, plus one entry per
//! service name so that blocking queries on one service ignore the others.

use imbl::OrdMap;

/// A table of the store, for [`crate::ReadTxn::table_index`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    /// Catalog nodes.
    Nodes,
    /// Service instances.
    Services,
    /// Health checks.
    Checks,
    /// Key/value entries.
    Kvs,
    /// KV tombstones (the graveyard).
    Tombstones,
}

impl Table {
    /// Every table, in a fixed order.
    pub const ALL: [Table; 5] = [
        Table::Nodes,
        Table::Services,
        Table::Checks,
        Table::Kvs,
        Table::Tombstones,
    ];

    /// The table's name in Consul's index table.
    pub fn name(self) -> &'static str {
        match self {
            Table::Nodes => "nodes",
            Table::Services => "services",
            Table::Checks => "checks",
            Table::Kvs => "kvs",
            Table::Tombstones => "tombstones",
        }
    }

    /// The table with that index-table name.
    pub fn from_name(name: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.name() == name)
    }

    pub(crate) fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// Max indexes: one per table and one per live service name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Indexes {
    tables: [u64; 5],
    /// `service.<name>` entries; present only while the service has instances.
    pub services: OrdMap<String, u64>,
    /// Index of the last write that removed a service's final instance.
    pub service_extinction: u64,
}

impl Indexes {
    /// The max index of a table.
    pub fn get(&self, t: Table) -> u64 {
        self.tables[t as usize]
    }

    /// Raise a table's index (it never goes backwards).
    pub fn bump(&mut self, t: Table, idx: u64) {
        let slot = &mut self.tables[t as usize];
        *slot = (*slot).max(idx);
    }

    /// Set a table's index exactly (restore only).
    pub fn set(&mut self, t: Table, idx: u64) {
        self.tables[t as usize] = idx;
    }

    /// Raise a service name's index.
    pub fn bump_service(&mut self, name: &str, idx: u64) {
        let cur = self.services.get(name).copied().unwrap_or(0);
        self.services.insert(name.to_string(), cur.max(idx));
    }

    /// Max over several tables.
    pub fn max(&self, tables: &[Table]) -> u64 {
        tables.iter().map(|t| self.get(*t)).max().unwrap_or(0)
    }
}
