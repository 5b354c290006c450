//! The agent's last [`RING_SIZE`] user events, oldest first, and a change counter that wakes
//! `GET /v1/event/list` long-polls on every new one.

use std::collections::VecDeque;
use std::sync::Mutex;

use tokio::sync::watch;

use super::user_event::{uuid_to_u64, UserEvent};

/// How many events an agent remembers (Consul's `eventBuf`).
pub const RING_SIZE: usize = 256;

/// The ring of received events.
pub struct EventRing {
    events: Mutex<VecDeque<UserEvent>>,
    added: watch::Sender<u64>,
}

impl Default for EventRing {
    fn default() -> Self {
        EventRing {
            events: Mutex::new(VecDeque::with_capacity(RING_SIZE)),
            added: watch::channel(0).0,
        }
    }
}

impl EventRing {
    /// Remember `ev`, forgetting the oldest once full, and wake the waiters.
    pub fn push(&self, ev: UserEvent) {
        {
            let mut q = self.events.lock().unwrap_or_else(|p| p.into_inner());
            if q.len() == RING_SIZE {
                q.pop_front();
            }
            q.push_back(ev);
        }
        self.added.send_modify(|n| *n += 1);
    }

    /// The remembered events named `name` ("" = all), oldest first.
    pub fn list(&self, name: &str) -> Vec<UserEvent> {
        let q = self.events.lock().unwrap_or_else(|p| p.into_inner());
        q.iter()
            .filter(|e| name.is_empty() || e.name == name)
            .cloned()
            .collect()
    }

    /// A receiver that changes on every push (subscribe before reading to miss nothing).
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.added.subscribe()
    }
}

/// The index of a list (Consul's rule): the last event's [`uuid_to_u64`], or 1 when there
/// are none (never 0, so a watch with no events does not spin).
pub fn list_index(events: &[UserEvent]) -> u64 {
    events.last().map(|e| uuid_to_u64(&e.id)).unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(i: usize, name: &str) -> UserEvent {
        UserEvent {
            id: format!("{i:08x}-0000-0000-0000-000000000000"),
            name: name.into(),
            ..Default::default()
        }
    }

    #[test]
    fn keeps_the_last_256_oldest_first() {
        let r = EventRing::default();
        for i in 0..300 {
            r.push(ev(i, if i % 2 == 0 { "even" } else { "odd" }));
        }
        let all = r.list("");
        assert_eq!(all.len(), RING_SIZE);
        assert_eq!(all[0].id, ev(44, "").id);
        assert_eq!(all[255].id, ev(299, "").id);
        let odd = r.list("odd");
        assert_eq!(odd.len(), 128);
        assert!(odd.iter().all(|e| e.name == "odd"));
    }

    #[test]
    fn index_is_one_when_empty() {
        assert_eq!(list_index(&[]), 1);
        assert_eq!(list_index(&[ev(5, "x")]), 5 << 32);
    }

    #[test]
    fn a_push_wakes_subscribers() {
        let r = EventRing::default();
        let mut rx = r.subscribe();
        assert!(!rx.has_changed().unwrap());
        r.push(ev(1, "x"));
        assert!(rx.has_changed().unwrap());
        rx.mark_unchanged();
    }
}
