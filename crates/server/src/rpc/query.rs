//! Consul's `structs.QueryOptions` and `structs.QueryMeta` as they travel over RPC (Go field
//! names; durations in nanoseconds), and their conversion to the endpoints' own types.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::query::{DEFAULT_QUERY_TIME, JITTER_FRACTION, MAX_QUERY_TIME};
use crate::{QueryMeta, QueryOptions, ReadMode};

/// Read options every query carries (`structs.QueryOptions`, embedded in Consul's requests).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct WireQueryOptions {
    /// ACL token.
    pub token: super::Token,
    /// Block until the result's index exceeds this (0: answer at once).
    pub min_query_index: u64,
    /// Longest time to block (0: Consul's default of 5 minutes).
    #[serde(with = "super::wire_time")]
    pub max_query_time: Duration,
    /// `?stale`: any server may answer.
    pub allow_stale: bool,
    /// `?consistent`: the leader confirms leadership with a quorum first.
    pub require_consistent: bool,
    /// `?filter` expression ("" = none).
    pub filter: String,
}

impl WireQueryOptions {
    /// The endpoints' options (the dispatcher derives them once per request).
    pub fn to_options(&self) -> QueryOptions {
        QueryOptions {
            min_index: self.min_query_index,
            max_wait: self.max_query_time,
            mode: if self.require_consistent {
                ReadMode::Consistent
            } else if self.allow_stale {
                ReadMode::Stale
            } else {
                ReadMode::Default
            },
        }
    }

    /// The wire form of the endpoints' options with the caller's token (the datacenter
    /// travels in the request).
    pub fn from_options(opts: &QueryOptions, token: super::Token) -> Self {
        WireQueryOptions {
            token,
            min_query_index: opts.min_index,
            max_query_time: opts.max_wait,
            allow_stale: opts.mode == ReadMode::Stale,
            require_consistent: opts.mode == ReadMode::Consistent,
            filter: String::new(),
        }
    }

    /// How long the server may block on this query, with its full jitter allowance
    /// (`wait + wait/16`, `wait` defaulted to 5 min and capped at 10 min); `None` when it does
    /// not block (Consul's `QueryOptions.BlockingTimeout`).
    pub fn blocking_timeout(&self) -> Option<Duration> {
        if self.min_query_index == 0 {
            return None;
        }
        let wait = if self.max_query_time.is_zero() {
            DEFAULT_QUERY_TIME
        } else {
            self.max_query_time.min(MAX_QUERY_TIME)
        };
        Some(wait + wait / JITTER_FRACTION)
    }
}

/// What every read reports besides its result (`structs.QueryMeta`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct WireQueryMeta {
    /// Index of the result.
    pub index: u64,
    /// Time since the leader was last heard from (0 on the leader).
    #[serde(with = "super::wire_time")]
    pub last_contact: Duration,
    /// Whether a leader is known.
    pub known_leader: bool,
}

impl From<QueryMeta> for WireQueryMeta {
    fn from(m: QueryMeta) -> Self {
        WireQueryMeta {
            index: m.index,
            last_contact: m.last_contact,
            known_leader: m.known_leader,
        }
    }
}

impl From<WireQueryMeta> for QueryMeta {
    fn from(m: WireQueryMeta) -> Self {
        QueryMeta {
            index: m.index,
            known_leader: m.known_leader,
            last_contact: m.last_contact,
        }
    }
}
