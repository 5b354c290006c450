//! Semaphore mode of `consul lock` (`-n` > 1), the Go `api` package's
//! `Semaphore` recipe: each contender acquires `PREFIX/<session>` with the
//! semaphore flag, and `PREFIX/.lock` holds `{"Limit":N,"Holders":{…}}`,
//! updated by check-and-set; holders whose contender key lost its session
//! are pruned, so a dead holder's slot frees itself.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use consul_api::kv::PutOptions;
use consul_api::{ApiError, Client, QueryOptions, WriteOptions};
use consul_types::kv::DirEntry;
use serde::{Deserialize, Serialize};

use super::Acquired;

/// `api.SemaphoreFlagValue`.
pub const SEMAPHORE_FLAG: u64 = 0xe0f69a2baa414de0;
/// One blocking wait on the prefix (`api.DefaultSemaphoreWaitTime`).
const WAIT: Duration = Duration::from_secs(15);

/// The `.lock` document (`api.semaphoreLock`).
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SemaphoreLock {
    limit: u64,
    holders: BTreeMap<String, bool>,
}

fn lock_key(prefix: &str) -> String {
    format!("{prefix}/.lock")
}

fn conflict() -> ApiError {
    ApiError::Decode("Existing key does not match semaphore use".into())
}

/// The `.lock` entry among `pairs` (its ModifyIndex, 0 when absent) and its
/// document, with dead holders pruned.
fn read_lock(
    prefix: &str,
    limit: u64,
    pairs: &[DirEntry],
) -> Result<(u64, SemaphoreLock), ApiError> {
    let key = lock_key(prefix);
    let mut lock = SemaphoreLock {
        limit,
        holders: BTreeMap::new(),
    };
    let mut index = 0;
    if let Some(p) = pairs.iter().find(|p| p.key == key) {
        if p.flags != SEMAPHORE_FLAG {
            return Err(conflict());
        }
        index = p.modify_index;
        if let Some(v) = p.value.as_deref().filter(|v| !v.is_empty()) {
            lock = serde_json::from_slice(v)
                .map_err(|e| ApiError::Decode(format!("lock decoding failed: {e}")))?;
        }
    }
    lock.holders.retain(|h, _| {
        pairs
            .iter()
            .any(|p| p.key == format!("{prefix}/{h}") && p.session == *h)
    });
    Ok((index, lock))
}

async fn list(
    client: &Client,
    prefix: &str,
    index: u64,
    wait: Duration,
) -> Result<(Vec<DirEntry>, u64), ApiError> {
    let q = QueryOptions {
        index,
        wait: Some(wait),
        ..Default::default()
    };
    let (pairs, meta) = client.kv().list(prefix, &q).await?;
    Ok((pairs, meta.last_index))
}

async fn write_lock(
    client: &Client,
    prefix: &str,
    lock: &SemaphoreLock,
    cas: u64,
) -> Result<bool, ApiError> {
    let body = serde_json::to_vec(lock).map_err(|e| ApiError::Decode(e.to_string()))?;
    let opts = PutOptions {
        flags: SEMAPHORE_FLAG,
        cas: Some(cas),
        ..Default::default()
    };
    client
        .kv()
        .put(&lock_key(prefix), &body, &opts, &WriteOptions::default())
        .await
}

/// Take a slot: register as a contender, then wait until a slot is free and
/// add this session to the holders by CAS. Gives up after `timeout`.
pub(super) async fn acquire(
    client: &Client,
    prefix: &str,
    limit: u64,
    session: &str,
    timeout: Option<Duration>,
) -> Result<Acquired, ApiError> {
    let opts = PutOptions {
        flags: SEMAPHORE_FLAG,
        acquire: Some(session.to_string()),
        ..Default::default()
    };
    let made = client
        .kv()
        .put(
            &format!("{prefix}/{session}"),
            &[],
            &opts,
            &WriteOptions::default(),
        )
        .await?;
    if !made {
        return Err(ApiError::Decode("failed to make contender entry".into()));
    }
    let deadline = timeout.map(|t| Instant::now() + t);
    let mut index = 0;
    loop {
        let wait = match deadline {
            Some(d) if Instant::now() >= d => return Ok(Acquired::No),
            Some(d) => (d - Instant::now()).min(WAIT),
            None => WAIT,
        };
        let (pairs, last) = list(client, prefix, index, wait).await?;
        let (cas, mut lock) = read_lock(prefix, limit, &pairs)?;
        if lock.limit != limit {
            return Err(ApiError::Decode(format!(
                "semaphore limit conflict (lock: {}, local: {limit})",
                lock.limit
            )));
        }
        if lock.holders.len() as u64 >= limit {
            index = last;
            continue;
        }
        lock.holders.insert(session.to_string(), true);
        if write_lock(client, prefix, &lock, cas).await? {
            return Ok(Acquired::Yes);
        }
        index = 0;
    }
}

/// Resolve once this session is no longer among the holders.
pub(super) async fn monitor(
    client: &Client,
    prefix: &str,
    limit: u64,
    session: &str,
    retries: u64,
) {
    let mut index = 0;
    let mut left = retries;
    loop {
        match list(client, prefix, index, WAIT).await {
            Ok((pairs, last)) => match read_lock(prefix, limit, &pairs) {
                Ok((_, lock)) if lock.holders.contains_key(session) => {
                    index = last;
                    left = retries;
                }
                _ => return,
            },
            Err(_) if left > 0 => {
                left -= 1;
                tokio::time::sleep(super::MONITOR_RETRY_TIME).await;
            }
            Err(_) => return,
        }
    }
}

/// Give the slot back (CAS this session out of the holders) and delete the
/// contender key.
pub(super) async fn release(
    client: &Client,
    prefix: &str,
    limit: u64,
    session: &str,
) -> Result<(), ApiError> {
    loop {
        let (pairs, _) = list(client, prefix, 0, WAIT).await?;
        let (cas, mut lock) = read_lock(prefix, limit, &pairs)?;
        if lock.holders.remove(session).is_none() {
            break;
        }
        if write_lock(client, prefix, &lock, cas).await? {
            break;
        }
    }
    client
        .kv()
        .delete(&format!("{prefix}/{session}"), &WriteOptions::default())
        .await?;
    Ok(())
}

/// Delete `.lock` when no live holder remains; `false` when it is in use.
pub(super) async fn cleanup(client: &Client, prefix: &str, limit: u64) -> Result<bool, ApiError> {
    let (pairs, _) = list(client, prefix, 0, WAIT).await?;
    let (cas, lock) = read_lock(prefix, limit, &pairs)?;
    if !lock.holders.is_empty() || cas == 0 {
        return Ok(cas == 0);
    }
    client
        .kv()
        .delete_cas(&lock_key(prefix), cas, &WriteOptions::default())
        .await
}
