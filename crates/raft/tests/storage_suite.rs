//! openraft's storage conformance suite against both log stores.

mod common;

use std::sync::Arc;

use consul_raft::{LogStore, StateMachineStore, TypeConfig};
use openraft::testing::{StoreBuilder, Suite};
use openraft::StorageError;

struct MemBuilder;

impl StoreBuilder<TypeConfig, LogStore, StateMachineStore, ()> for MemBuilder {
    async fn build(&self) -> Result<((), LogStore, StateMachineStore), StorageError<u64>> {
        let sm = StateMachineStore::open(Arc::new(common::Recorder::default()), None)
            .await
            .map_err(|e| openraft::StorageIOError::read(&e))?;
        Ok(((), LogStore::in_memory(), sm))
    }
}

struct WalBuilder;

impl StoreBuilder<TypeConfig, LogStore, StateMachineStore, tempfile::TempDir> for WalBuilder {
    async fn build(
        &self,
    ) -> Result<(tempfile::TempDir, LogStore, StateMachineStore), StorageError<u64>> {
        let dir = tempfile::tempdir().map_err(|e| openraft::StorageIOError::read(&e))?;
        let log = LogStore::open(&dir.path().join("wal"))
            .map_err(|e| openraft::StorageIOError::read(&e))?;
        let sm = StateMachineStore::open(
            Arc::new(common::Recorder::default()),
            Some(&dir.path().join("snapshots")),
        )
        .await
        .map_err(|e| openraft::StorageIOError::read(&e))?;
        Ok((dir, log, sm))
    }
}

#[test]
fn in_memory_store_passes_openraft_suite() {
    if let Err(e) = Suite::test_all(MemBuilder) {
        panic!("suite failed: {e}");
    }
}

#[test]
fn segment_file_store_passes_openraft_suite() {
    if let Err(e) = Suite::test_all(WalBuilder) {
        panic!("suite failed: {e}");
    }
}
