//! Watch sets: what a read touched, and a race-free future that resolves when
//! a later commit changes any of it.
//!
//! Every commit that changes something gets the next sequence number and a
//! [`ChangeSet`] describing what it touched; the notifier keeps a bounded
//! history of them. A waiter first replays the history after its snapshot's
//! sequence number and only then registers, under the same lock the committer
//! takes to notify, so no commit can slip between the read and the wait.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use crate::registry::WaiterIndex;
use crate::store::Store;
use crate::table::Table;
use crate::table_set::TableSet;

/// How many commits the notifier remembers for late registrations.
const HISTORY: usize = 1024;

/// One thing a read depended on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Watch {
    /// One exact KV key.
    KvKey(String),
    /// Every KV key under a prefix.
    KvPrefix(String),
    /// Any change to a table.
    Table(Table),
    /// Anything about a service name (its instances, their nodes and checks).
    Service(String),
    /// Anything about a node (the node, its services, its checks).
    Node(String),
}

/// What a read touched; pass it to [`WatchSet::wait`] to sleep until one of
/// those things changes.
#[derive(Debug, Clone, Default)]
pub struct WatchSet {
    pub(crate) items: Vec<Watch>,
}

impl WatchSet {
    /// An empty watch set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether nothing has been recorded.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Number of recorded items.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Watch one exact KV key.
    pub fn add_kv_key(&mut self, key: &str) {
        self.push(Watch::KvKey(key.to_string()));
    }

    /// Watch every KV key under `prefix` ("" = the whole KV store).
    pub fn add_kv_prefix(&mut self, prefix: &str) {
        self.push(Watch::KvPrefix(prefix.to_string()));
    }

    /// Watch any change to a table.
    pub fn add_table(&mut self, table: Table) {
        self.push(Watch::Table(table));
    }

    /// Watch one service name.
    pub fn add_service(&mut self, name: &str) {
        self.push(Watch::Service(name.to_string()));
    }

    /// Watch one node.
    pub fn add_node(&mut self, name: &str) {
        self.push(Watch::Node(name.to_string()));
    }

    /// Add everything another watch set watches.
    pub fn extend(&mut self, other: WatchSet) {
        for w in other.items {
            self.push(w);
        }
    }

    fn push(&mut self, w: Watch) {
        if !self.items.contains(&w) {
            self.items.push(w);
        }
    }

    /// Whether a commit described by `cs` touches anything in this set.
    pub(crate) fn matches(&self, cs: &ChangeSet) -> bool {
        if cs.all {
            return true;
        }
        self.items.iter().any(|w| match w {
            Watch::KvKey(k) => {
                cs.kv_keys.contains(k) || cs.kv_prefixes.iter().any(|p| k.starts_with(p.as_str()))
            }
            Watch::KvPrefix(p) => {
                cs.kv_keys
                    .range::<String, _>(p..)
                    .next()
                    .is_some_and(|k| k.starts_with(p.as_str()))
                    || cs
                        .kv_prefixes
                        .iter()
                        .any(|d| d.starts_with(p.as_str()) || p.starts_with(d.as_str()))
            }
            Watch::Table(t) => cs.tables.contains(*t),
            Watch::Service(s) => cs.services.contains(s),
            Watch::Node(n) => cs.nodes.contains(n),
        })
    }

    /// A future that resolves once a commit after snapshot sequence number
    /// `since_seq` (see [`crate::ReadTxn::seq`]) touches anything in this set.
    ///
    /// Runtime-agnostic; wrap it in a timeout. Dropping it unregisters it.
    pub fn wait<'a>(self, store: &'a Store, since_seq: u64) -> WaitFuture<'a> {
        WaitFuture {
            notifier: store.notifier(),
            watches: Some(self),
            since: since_seq,
            id: None,
            done: false,
        }
    }
}

/// What one commit touched.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChangeSet {
    /// Everything changed (snapshot restore).
    pub all: bool,
    /// Tables whose contents changed.
    pub tables: TableSet,
    /// KV keys written or deleted.
    pub kv_keys: BTreeSet<String>,
    /// KV prefixes deleted as a whole (large delete-trees).
    pub kv_prefixes: Vec<String>,
    /// Service names whose index moved.
    pub services: BTreeSet<String>,
    /// Node names whose node, services or checks changed.
    pub nodes: BTreeSet<String>,
}

impl ChangeSet {
    /// Whether the commit changed nothing.
    pub fn is_empty(&self) -> bool {
        !self.all && self.tables.is_empty()
    }

    /// Record a table change.
    pub fn table(&mut self, t: Table) {
        self.tables.insert(t);
    }

    /// Record a service-name change.
    pub fn service(&mut self, name: &str) {
        if !self.services.contains(name) {
            self.services.insert(name.to_string());
        }
    }

    /// Record a node change.
    pub fn node(&mut self, name: &str) {
        if !self.nodes.contains(name) {
            self.nodes.insert(name.to_string());
        }
    }
}

struct Waiter {
    watches: WatchSet,
    since: u64,
    fired: bool,
    waker: Option<Waker>,
}

#[derive(Default)]
struct NotifyState {
    /// `(seq, changes)` of recent commits, oldest first.
    history: VecDeque<(u64, Arc<ChangeSet>)>,
    /// Every commit with a sequence number above this is in `history`.
    floor: u64,
    waiters: HashMap<u64, Waiter>,
    /// Unfired waiters by what they watch.
    index: WaiterIndex,
    next_id: u64,
}

impl NotifyState {
    /// Whether a commit after `since` already touched `ws`, or may have
    /// (history no longer reaches back that far).
    fn missed(&self, since: u64, ws: &WatchSet) -> bool {
        if since < self.floor {
            return true;
        }
        self.history
            .iter()
            .any(|(seq, cs)| *seq > since && ws.matches(cs))
    }
}

/// Registry of waiters and recent commits, shared by committers and waiters.
#[derive(Default)]
pub(crate) struct Notifier {
    state: Mutex<NotifyState>,
}

impl Notifier {
    fn lock(&self) -> MutexGuard<'_, NotifyState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Record commit `seq` (already published) and wake its waiters.
    pub fn publish(&self, seq: u64, changes: ChangeSet) {
        let cs = Arc::new(changes);
        let mut wake = Vec::new();
        {
            let mut st = self.lock();
            st.history.push_back((seq, cs.clone()));
            while st.history.len() > HISTORY {
                if let Some((old, _)) = st.history.pop_front() {
                    st.floor = old;
                }
            }
            let st = &mut *st;
            let ids: Vec<u64> = if cs.all {
                st.waiters.keys().copied().collect()
            } else {
                st.index.matching(&cs).into_iter().collect()
            };
            for id in ids {
                let Some(w) = st.waiters.get_mut(&id) else {
                    continue;
                };
                if !w.fired && w.since < seq {
                    w.fired = true;
                    wake.extend(w.waker.take());
                    st.index.remove(id, &w.watches.items);
                }
            }
        }
        for w in wake {
            w.wake();
        }
    }

    /// Number of registered waiters (for tests and metrics).
    pub fn waiters(&self) -> usize {
        self.lock().waiters.len()
    }
}

/// Future returned by [`WatchSet::wait`].
pub struct WaitFuture<'a> {
    notifier: &'a Notifier,
    watches: Option<WatchSet>,
    since: u64,
    id: Option<u64>,
    done: bool,
}

impl Future for WaitFuture<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(());
        }
        let mut st = this.notifier.lock();
        match this.id {
            None => {
                let watches = this.watches.take().unwrap_or_default();
                if st.missed(this.since, &watches) {
                    this.done = true;
                    return Poll::Ready(());
                }
                let id = st.next_id;
                st.next_id += 1;
                st.index.insert(id, &watches.items);
                st.waiters.insert(
                    id,
                    Waiter {
                        watches,
                        since: this.since,
                        fired: false,
                        waker: Some(cx.waker().clone()),
                    },
                );
                this.id = Some(id);
                Poll::Pending
            }
            Some(id) => {
                let fired = match st.waiters.get_mut(&id) {
                    Some(w) if !w.fired => {
                        if !w.waker.as_ref().is_some_and(|k| k.will_wake(cx.waker())) {
                            w.waker = Some(cx.waker().clone());
                        }
                        false
                    }
                    _ => true,
                };
                if fired {
                    if let Some(w) = st.waiters.remove(&id) {
                        st.index.remove(id, &w.watches.items);
                    }
                    this.id = None;
                    this.done = true;
                    Poll::Ready(())
                } else {
                    Poll::Pending
                }
            }
        }
    }
}

impl Drop for WaitFuture<'_> {
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            let mut st = self.notifier.lock();
            if let Some(w) = st.waiters.remove(&id) {
                st.index.remove(id, &w.watches.items);
            }
        }
    }
}
