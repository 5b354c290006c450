//! The list of tables. Adding a table starts with one line in [`tables!`]
//! below: it gives the table its [`Table`] variant, its name in Consul's
//! index table (also its section name in snapshots), its slot in the index
//! table and its bit in the watch bitsets. Then give it a field in
//! `Tables` (tables.rs) and its snapshot section in `persist/sections.rs`
//! (the compiler points there: those matches are exhaustive).

/// Declares [`Table`] from `Variant = "name"` lines, in restore order.
macro_rules! tables {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, )+) => {
        /// A table of the store, for [`crate::ReadTxn::table_index`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Table {
            $( $(#[$doc])* $variant, )+
        }

        impl Table {
            /// How many tables there are.
            pub const COUNT: usize = [$($name),+].len();

            /// Every table, in a fixed order: the order snapshots restore
            /// them in (a table whose rows refer to another comes after it).
            pub const ALL: [Table; Table::COUNT] = [$(Table::$variant),+];

            /// The table's name in Consul's index table and in snapshots.
            pub fn name(self) -> &'static str {
                match self {
                    $( Table::$variant => $name, )+
                }
            }
        }
    };
}

tables! {
    /// Catalog nodes.
    Nodes = "nodes",
    /// Service instances.
    Services = "services",
    /// Health checks.
    Checks = "checks",
    /// Key/value entries.
    Kvs = "kvs",
    /// KV tombstones (the graveyard).
    Tombstones = "tombstones",
    /// Sessions (after nodes and checks, which they are bound to, and KV,
    /// whose locks they hold).
    Sessions = "sessions",
    /// ACL policies.
    AclPolicies = "acl-policies",
    /// ACL roles (after the policies they link).
    AclRoles = "acl-roles",
    /// ACL tokens (after the policies and roles they link), with the
    /// bootstrap index.
    AclTokens = "acl-tokens",
    /// ACL auth methods.
    AclAuthMethods = "acl-auth-methods",
    /// ACL binding rules (after the auth methods they belong to).
    AclBindingRules = "acl-binding-rules",
    /// The autopilot configuration (one row).
    Autopilot = "autopilot",
}

impl Table {
    /// The table with that index-table name.
    pub fn from_name(name: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Position in [`Table::ALL`] (and bit number in a [`crate::table_set::TableSet`]).
    pub(crate) fn ordinal(self) -> usize {
        self as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        for (i, t) in Table::ALL.into_iter().enumerate() {
            assert_eq!(t.ordinal(), i);
            assert_eq!(Table::from_name(t.name()), Some(t));
        }
        let mut names: Vec<&str> = Table::ALL.iter().map(|t| t.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Table::COUNT);
        assert_eq!(Table::from_name("nope"), None);
    }
}
