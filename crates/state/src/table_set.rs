//! Per-table containers sized by [`Table::COUNT`]: a bitset of tables and a
//! value per table, so that adding a table needs no change here.

use std::ops::{Index, IndexMut};

use crate::table::Table;

// Every table needs a bit in a `TableSet`.
const _: () = assert!(Table::COUNT <= 64, "TableSet holds at most 64 tables");

/// A set of tables, one bit each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct TableSet(u64);

impl TableSet {
    /// Add a table.
    pub fn insert(&mut self, t: Table) {
        self.0 |= 1 << t.ordinal();
    }

    /// Whether the set holds `t`.
    pub fn contains(self, t: Table) -> bool {
        self.0 & (1 << t.ordinal()) != 0
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The tables in the set, in [`Table::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Table> {
        Table::ALL.into_iter().filter(move |t| self.contains(*t))
    }
}

/// One value per table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TableMap<T>([T; Table::COUNT]);

impl<T: Default> Default for TableMap<T> {
    fn default() -> Self {
        TableMap(std::array::from_fn(|_| T::default()))
    }
}

impl<T> Index<Table> for TableMap<T> {
    type Output = T;
    fn index(&self, t: Table) -> &T {
        &self.0[t.ordinal()]
    }
}

impl<T> IndexMut<Table> for TableMap<T> {
    fn index_mut(&mut self, t: Table) -> &mut T {
        &mut self.0[t.ordinal()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_holds_exactly_what_was_inserted() {
        let mut s = TableSet::default();
        assert!(s.is_empty());
        s.insert(Table::Tombstones);
        s.insert(Table::Nodes);
        s.insert(Table::Nodes);
        assert!(!s.is_empty());
        assert_eq!(
            s.iter().collect::<Vec<_>>(),
            vec![Table::Nodes, Table::Tombstones]
        );
        assert!(!s.contains(Table::Kvs));
    }

    #[test]
    fn map_has_a_slot_per_table() {
        let mut m: TableMap<u64> = TableMap::default();
        for (i, t) in Table::ALL.into_iter().enumerate() {
            m[t] = i as u64 + 1;
        }
        for (i, t) in Table::ALL.into_iter().enumerate() {
            assert_eq!(m[t], i as u64 + 1);
        }
    }
}
