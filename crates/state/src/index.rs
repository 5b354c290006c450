//! Consul's "index" table: the max Raft index per table, plus one entry per
//! service name so that blocking queries on one service ignore the others.

use imbl::OrdMap;

use crate::table::Table;
use crate::table_set::TableMap;

/// Max indexes: one per table and one per live service name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Indexes {
    tables: TableMap<u64>,
    /// `service.<name>` entries; present only while the service has instances.
    pub services: OrdMap<String, u64>,
    /// Index of the last write that removed a service's final instance.
    pub service_extinction: u64,
}

impl Indexes {
    /// The max index of a table.
    pub fn get(&self, t: Table) -> u64 {
        self.tables[t]
    }

    /// Raise a table's index (it never goes backwards).
    pub fn bump(&mut self, t: Table, idx: u64) {
        let slot = &mut self.tables[t];
        *slot = (*slot).max(idx);
    }

    /// Set a table's index exactly (restore only).
    pub fn set(&mut self, t: Table, idx: u64) {
        self.tables[t] = idx;
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
