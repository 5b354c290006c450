//! The disk-backed log keeps only a bounded cache in memory and serves evicted entries from
//! its segment files, before and after a restart; purge and truncate keep both consistent.

use std::path::Path;

use openraft::storage::RaftLogStorage;
use openraft::{CommittedLeaderId, EntryPayload, RaftLogReader};
use serde_bytes::ByteBuf;
use tokio::sync::oneshot;

use super::wal::Done;
use super::{CacheLimits, LogStore};
use crate::types::{Batch, Entry, LogId};

fn log_id(term: u64, index: u64) -> LogId {
    LogId::new(CommittedLeaderId::new(term, 1), index)
}

/// Entry `index` of `term` with `commands` commands of `size` bytes each, recognisable by content.
fn entry(term: u64, index: u64, commands: usize, size: usize) -> Entry {
    let commands = (0..commands)
        .map(|c| {
            let mut b = format!("t{term}-i{index}-c{c}-").into_bytes();
            b.resize(size.max(b.len()), b'x');
            ByteBuf::from(b)
        })
        .collect();
    Entry {
        log_id: log_id(term, index),
        payload: EntryPayload::Normal(Batch { commands }),
    }
}

/// Appends and waits until the entries are durable.
async fn append(log: &LogStore, entries: Vec<Entry>) {
    let (tx, rx) = oneshot::channel();
    log.append_entries(entries, Done::Test(tx)).unwrap();
    rx.await.unwrap().unwrap();
}

async fn read(log: &LogStore, range: std::ops::RangeInclusive<u64>) -> Vec<Entry> {
    log.clone().try_get_log_entries(range).await.unwrap()
}

/// Small segments, so that the tests cross many segment boundaries.
const SMALL_SEGMENTS: u64 = 4096;

fn open(path: &Path, limits: CacheLimits) -> LogStore {
    LogStore::open_with_limits(path, limits, SMALL_SEGMENTS).unwrap()
}

/// A new log in a temporary directory whose cache keeps `max_entries` durable entries.
fn fresh(max_entries: usize) -> (tempfile::TempDir, std::path::PathBuf, CacheLimits, LogStore) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wal");
    let limits = CacheLimits {
        max_entries,
        max_bytes: 1 << 20,
    };
    let log = open(&path, limits);
    (dir, path, limits, log)
}

fn assert_bounded(log: &LogStore, limits: CacheLimits) {
    let u = log.cache_usage();
    assert!(
        u.entries <= limits.max_entries && u.bytes <= limits.max_bytes,
        "cache holds {u:?}, limits {limits:?}"
    );
    assert!(u.entries > 0, "the newest entries stay cached");
}

#[tokio::test]
async fn cache_stays_bounded_and_evicted_entries_come_from_disk_across_restart() {
    let (_dir, path, limits, log) = fresh(32);
    let mut expected = Vec::new();
    for chunk in 0..100u64 {
        let batch: Vec<Entry> = (1..=10).map(|i| entry(1, chunk * 10 + i, 3, 100)).collect();
        expected.extend(batch.clone());
        append(&log, batch).await;
    }
    assert_bounded(&log, limits);
    assert_eq!(log.cache_usage().entries, 32);
    assert_eq!(read(&log, 1..=1000).await, expected);
    assert_eq!(read(&log, 400..=420).await, expected[399..420]);
    // A range straddling the disk and the cache.
    assert_eq!(read(&log, 960..=1000).await, expected[959..]);
    assert_eq!(read(&log, 990..=2000).await, expected[989..]);
    let state = log.clone().get_log_state().await.unwrap();
    assert_eq!(state.last_log_id, Some(log_id(1, 1000)));

    log.close();
    drop(log);
    let log = open(&path, limits);
    assert_bounded(&log, limits);
    let state = log.clone().get_log_state().await.unwrap();
    assert_eq!(state.last_log_id, Some(log_id(1, 1000)));
    assert_eq!(read(&log, 1..=1000).await, expected);
    // Appending after the restart continues the log.
    let more: Vec<Entry> = (1001..=1100).map(|i| entry(1, i, 1, 10)).collect();
    expected.extend(more.clone());
    append(&log, more).await;
    assert_bounded(&log, limits);
    assert_eq!(read(&log, 1..=1100).await, expected);
}

#[tokio::test]
async fn byte_budget_bounds_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let limits = CacheLimits {
        max_entries: 10_000,
        max_bytes: 64 << 10,
    };
    let log = open(&dir.path().join("wal"), limits);
    let mut expected = Vec::new();
    for i in 1..=300u64 {
        let e = entry(2, i, 4, 1000);
        expected.push(e.clone());
        append(&log, vec![e]).await;
    }
    assert_bounded(&log, limits);
    assert!(log.cache_usage().entries < 20, "{:?}", log.cache_usage());
    assert_eq!(read(&log, 1..=300).await, expected);
}

#[tokio::test]
async fn purge_and_truncate_into_evicted_entries_stay_consistent() {
    let (_dir, path, limits, log) = fresh(8);
    let mut expected: Vec<Entry> = (1..=100).map(|i| entry(1, i, 2, 50)).collect();
    append(&log, expected.clone()).await;
    assert_bounded(&log, limits);

    // Purge: reads start after the purged entry, on disk too.
    log.clone().purge(log_id(1, 20)).await.unwrap();
    assert_eq!(read(&log, 1..=30).await, expected[20..30]);

    // Truncate far below the cache: the last entry comes back from disk.
    log.clone().truncate(log_id(1, 61)).await.unwrap();
    let state = log.clone().get_log_state().await.unwrap();
    assert_eq!(state.last_log_id, Some(log_id(1, 60)));
    assert_eq!(state.last_purged_log_id, Some(log_id(1, 20)));
    assert_eq!(read(&log, 50..=100).await, expected[49..60]);
    assert_eq!(log.cache_usage().entries, 0);

    // Entries of a new term replace the truncated ones, in memory and on disk.
    expected.truncate(60);
    let newer: Vec<Entry> = (61..=90).map(|i| entry(2, i, 1, 10)).collect();
    expected.extend(newer.clone());
    append(&log, newer).await;
    assert_bounded(&log, limits);
    assert_eq!(read(&log, 21..=200).await, expected[20..]);

    // Truncate everything after the purge point.
    let log2 = open_after_close(log, &path, limits);
    assert_eq!(read(&log2, 1..=200).await, expected[20..]);
    log2.clone().truncate(log_id(1, 21)).await.unwrap();
    let state = log2.clone().get_log_state().await.unwrap();
    assert_eq!(state.last_log_id, Some(log_id(1, 20)));
    assert!(read(&log2, 1..=200).await.is_empty());

    let log3 = open_after_close(log2, &path, limits);
    let state = log3.clone().get_log_state().await.unwrap();
    assert_eq!(state.last_log_id, Some(log_id(1, 20)));
    assert_eq!(state.last_purged_log_id, Some(log_id(1, 20)));
    assert!(read(&log3, 1..=200).await.is_empty());
}

fn open_after_close(log: LogStore, path: &Path, limits: CacheLimits) -> LogStore {
    log.close();
    drop(log);
    open(path, limits)
}

#[tokio::test]
async fn appended_entries_are_readable_before_they_are_flushed() {
    let (_dir, _path, limits, log) = fresh(4);
    let mut waits = Vec::new();
    let mut expected = Vec::new();
    for i in 1..=50u64 {
        let (tx, rx) = oneshot::channel();
        let e = entry(1, i, 1, 20);
        expected.push(e.clone());
        log.append_entries(vec![e], Done::Test(tx)).unwrap();
        // Whether or not the writer got to it, the entry is readable now.
        assert_eq!(read(&log, i..=i).await, expected[i as usize - 1..]);
        waits.push(rx);
    }
    for rx in waits {
        rx.await.unwrap().unwrap();
    }
    assert_bounded(&log, limits);
    assert_eq!(read(&log, 1..=50).await, expected);
}

/// A state machine that ignores commands (the suite checks the stores, not the application).
struct Nothing;

impl crate::StateMachine for Nothing {
    fn apply(&self, _index: u64, _command: &[u8]) -> Result<Vec<u8>, crate::ApplyError> {
        Ok(Vec::new())
    }
    fn snapshot(&self) -> Vec<u8> {
        Vec::new()
    }
    fn restore(&self, _index: u64, _data: &[u8]) -> Result<(), String> {
        Ok(())
    }
}

/// Builds disk logs whose cache keeps a single durable entry, so the suite's reads go to disk.
struct TinyCacheBuilder;

impl
    openraft::testing::StoreBuilder<
        crate::TypeConfig,
        LogStore,
        crate::StateMachineStore,
        tempfile::TempDir,
    > for TinyCacheBuilder
{
    async fn build(
        &self,
    ) -> Result<(tempfile::TempDir, LogStore, crate::StateMachineStore), crate::types::StorageError>
    {
        let io = |e: &dyn std::error::Error| {
            openraft::StorageIOError::read(&openraft::AnyError::error(e.to_string()))
        };
        let dir = tempfile::tempdir().map_err(|e| io(&e))?;
        let limits = CacheLimits {
            max_entries: 1,
            max_bytes: 1,
        };
        let log = LogStore::open_with_limits(&dir.path().join("wal"), limits, SMALL_SEGMENTS)
            .map_err(|e| io(&e))?;
        let sm = crate::StateMachineStore::open(
            std::sync::Arc::new(Nothing),
            Some(&dir.path().join("snapshots")),
        )
        .await
        .map_err(|e| io(&e))?;
        Ok((dir, log, sm))
    }
}

#[test]
fn segment_store_with_tiny_cache_passes_openraft_suite() {
    if let Err(e) = openraft::testing::Suite::test_all(TinyCacheBuilder) {
        panic!("suite failed: {e}");
    }
}

/// The segment files of a log directory, oldest first.
fn segment_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "wal"))
        .collect();
    files.sort();
    files
}

#[tokio::test]
async fn a_torn_final_append_is_cut_off_and_the_log_continues() {
    let (_dir, path, limits, log) = fresh(4);
    let expected: Vec<Entry> = (1..=40).map(|i| entry(1, i, 1, 30)).collect();
    for e in &expected {
        append(&log, vec![e.clone()]).await;
    }
    log.close();
    drop(log);

    // A crash in the middle of the next append: half a record at the end of the newest segment.
    let newest = segment_files(&path).pop().unwrap();
    let before = std::fs::metadata(&newest).unwrap().len();
    let mut torn = std::fs::read(&newest).unwrap();
    let whole_len = torn.len();
    torn.extend_from_slice(&[0x55, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3]);
    std::fs::write(&newest, &torn).unwrap();

    let log = open(&path, limits);
    assert_eq!(std::fs::metadata(&newest).unwrap().len(), before);
    assert_eq!(whole_len as u64, before);
    let state = log.clone().get_log_state().await.unwrap();
    assert_eq!(state.last_log_id, Some(log_id(1, 40)));
    assert_eq!(read(&log, 1..=40).await, expected);
    append(&log, vec![entry(1, 41, 1, 30)]).await;

    // A crash that cut the last record short: that entry is gone, the ones before are intact.
    let log_again = open_after_close(log, &path, limits);
    log_again.close();
    drop(log_again);
    let newest = segment_files(&path).pop().unwrap();
    let len = std::fs::metadata(&newest).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&newest)
        .unwrap()
        .set_len(len - 3)
        .unwrap();
    let log = open(&path, limits);
    let state = log.clone().get_log_state().await.unwrap();
    assert_eq!(state.last_log_id, Some(log_id(1, 40)));
    assert_eq!(read(&log, 1..=50).await, expected);
}

#[tokio::test]
async fn damage_before_the_newest_segment_fails_the_open() {
    let (_dir, path, limits, log) = fresh(4);
    append(&log, (1..=200).map(|i| entry(1, i, 1, 40)).collect()).await;
    append(&log, vec![entry(1, 201, 1, 40)]).await;
    log.close();
    drop(log);
    let files = segment_files(&path);
    assert!(files.len() >= 2, "{files:?}");
    let mut data = std::fs::read(&files[0]).unwrap();
    let mid = data.len() / 2;
    data[mid] ^= 0xff;
    std::fs::write(&files[0], &data).unwrap();
    let err = LogStore::open_with_limits(&path, limits, SMALL_SEGMENTS)
        .err()
        .expect("a damaged old segment must not be opened as if it ended there");
    assert!(err.to_string().contains("damaged record"), "{err}");
}

#[tokio::test]
async fn purged_segments_are_deleted_and_the_vote_survives_them() {
    let (_dir, path, limits, log) = fresh(4);
    let vote = crate::types::Vote::new_committed(3, 2);
    log.clone().save_vote(&vote).await.unwrap();
    let committed = Some(log_id(1, 150));
    log.clone().save_committed(committed).await.unwrap();
    for i in 1..=300u64 {
        append(&log, vec![entry(1, i, 1, 60)]).await;
    }
    let first = segment_files(&path)[0].clone();
    let count = segment_files(&path).len();
    assert!(count > 4, "{count} segments");

    log.clone().purge(log_id(1, 250)).await.unwrap();
    // The purge is durable, and old segments are deleted, with the next sync.
    append(&log, vec![entry(1, 301, 1, 60)]).await;
    let left = segment_files(&path);
    assert!(!first.exists(), "the oldest segment is deleted");
    assert!(left.len() <= 3, "{} of {count} segments left", left.len());

    let log = open_after_close(log, &path, limits);
    assert_eq!(log.clone().read_vote().await.unwrap(), Some(vote));
    assert_eq!(log.clone().read_committed().await.unwrap(), committed);
    let state = log.clone().get_log_state().await.unwrap();
    assert_eq!(state.last_purged_log_id, Some(log_id(1, 250)));
    assert_eq!(state.last_log_id, Some(log_id(1, 301)));
    let kept = read(&log, 1..=400).await;
    assert_eq!(kept.first().map(|e| e.log_id.index), Some(251));
    assert_eq!(kept.len(), 51);
}
