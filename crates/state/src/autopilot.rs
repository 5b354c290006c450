//! The autopilot configuration: one row, absent until first set (reads
//! then answer the defaults). A `cas` write stores only if the caller's
//! `ModifyIndex` is the stored one's (0 while unset), as Consul's
//! `AutopilotCASConfig`.

use std::sync::Arc;

use consul_types::autopilot::{AutopilotConfig, AutopilotSetRequest};

use crate::table::Table;
use crate::txn::{ReadTxn, WriteTxn};
use crate::watch::WatchSet;

impl WriteTxn<'_> {
    /// Store the configuration; `false` when a `cas` does not match.
    pub fn autopilot_set(&mut self, req: &AutopilotSetRequest) -> bool {
        let current = self.t.autopilot.as_ref().map_or(0, |c| c.modify_index);
        if req.cas && req.config.modify_index != current {
            return false;
        }
        let mut config = req.config.clone();
        config.create_index = self
            .t
            .autopilot
            .as_ref()
            .map_or(self.index, |c| c.create_index);
        config.modify_index = self.index;
        self.t.autopilot = Some(Arc::new(config));
        self.touch(Table::Autopilot);
        true
    }
}

impl ReadTxn {
    /// The configuration (the defaults while never set).
    pub fn autopilot_config(&self, ws: &mut WatchSet) -> (u64, AutopilotConfig) {
        ws.add_table(Table::Autopilot);
        let c = self.t.autopilot.as_deref().cloned().unwrap_or_default();
        (self.table_index(Table::Autopilot), c)
    }
}

#[cfg(test)]
mod tests {
    use crate::Store;
    use consul_types::autopilot::{AutopilotConfig, AutopilotSetRequest};

    fn set(s: &Store, index: u64, config: AutopilotConfig, cas: bool) -> bool {
        let mut tx = s.write(index);
        let ok = tx.autopilot_set(&AutopilotSetRequest { config, cas });
        tx.commit();
        ok
    }

    #[test]
    fn cas_compares_the_modify_index_and_snapshots_keep_it() {
        let s = Store::new();
        let mut ws = crate::WatchSet::new();
        assert_eq!(
            s.snapshot().autopilot_config(&mut ws).1,
            AutopilotConfig::default()
        );
        let mut c = AutopilotConfig {
            max_trailing_logs: 500,
            ..Default::default()
        };
        assert!(set(&s, 5, c.clone(), true), "cas 0 on an unset config");
        let now = s.snapshot().autopilot_config(&mut ws).1;
        assert_eq!(
            (now.create_index, now.modify_index, now.max_trailing_logs),
            (5, 5, 500)
        );
        c.modify_index = 4;
        assert!(!set(&s, 6, c.clone(), true));
        c.modify_index = 5;
        c.min_quorum = 3;
        assert!(set(&s, 7, c, true));
        let copy = Store::new();
        copy.restore(&s.persist()).unwrap();
        let back = copy.snapshot().autopilot_config(&mut ws).1;
        assert_eq!(
            (back.create_index, back.modify_index, back.min_quorum),
            (5, 7, 3)
        );
    }
}
