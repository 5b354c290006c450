//! Reader for snapshot format v1: one map with a fixed field per table (the
//! first release's layout). Kept so that older snapshots still restore.

use consul_types::catalog::{HealthCheck, Node, NodeService};
use consul_types::kv::DirEntry;
use serde::Deserialize;

use super::sections;
use crate::error::StateError;
use crate::table::Table;
use crate::tables::Tables;

/// The v1 image.
#[derive(Deserialize)]
struct ImageV1 {
    kvs: Vec<DirEntry>,
    tombstones: Vec<(String, u64)>,
    nodes: Vec<Node>,
    /// `(node, service)`.
    services: Vec<(String, NodeService)>,
    checks: Vec<HealthCheck>,
    /// `(table name, index)`.
    table_indexes: Vec<(String, u64)>,
    service_indexes: Vec<(String, u64)>,
    service_extinction: u64,
}

/// Load a v1 image into `t`.
pub(super) fn load(t: &mut Tables, bytes: &[u8]) -> Result<(), StateError> {
    let img: ImageV1 =
        rmp_serde::from_slice(bytes).map_err(|e| StateError::Corrupt(e.to_string()))?;
    sections::load_kvs(t, img.kvs)?;
    sections::load_tombstones(t, img.tombstones)?;
    sections::load_nodes(t, img.nodes)?;
    sections::load_services(t, img.services, img.service_indexes, img.service_extinction)?;
    sections::load_checks(t, img.checks)?;
    for (name, idx) in img.table_indexes {
        let table = Table::from_name(&name)
            .ok_or_else(|| StateError::Corrupt(format!("unknown table {name:?}")))?;
        t.indexes.set(table, idx);
    }
    Ok(())
}
