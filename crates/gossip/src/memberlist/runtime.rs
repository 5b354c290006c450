//! The boundary between the sans-IO core and whatever drives it.

use super::member::Member;
use std::net::SocketAddr;
use std::time::Duration;

/// Timer events the core asks to be woken up with.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Timer {
    /// Start the next probe.
    Probe,
    /// The direct probe `seq` got no ack in time: go indirect.
    ProbeTimeout(u32),
    /// The probe `seq` is over: suspect the target if still no ack.
    ProbeDeadline(u32),
    /// A relayed (indirect) probe `seq` timed out: nack the requester.
    RelayTimeout(u32),
    /// Gossip round.
    Gossip,
    /// Periodic push-pull.
    PushPull,
    /// Check whether a suspicion about this member has expired.
    Suspicion(String),
    /// A timer of the layer above (serf); memberlist ignores it.
    Delegate(u32),
}

/// Membership changes reported to the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A member appeared or came back.
    Join(Member),
    /// A member failed (`Dead`) or left (`Left`).
    Leave(Member),
    /// A member's metadata, address or versions changed.
    Update(Member),
    /// Another node claims our name from another address.
    Conflict(Member),
    /// An event of the serf layer.
    Serf(crate::serf::SerfEvent),
    /// A query event of the serf layer (incoming query, reply, done).
    Query(crate::serf::query::QueryEvent),
}

/// Effects out of the core and the delegate hooks it consults.
///
/// The delegate hooks have no-op defaults; serf implements them.
pub trait Runtime {
    /// Send one UDP packet.
    fn send_packet(&mut self, to: SocketAddr, packet: Vec<u8>);
    /// Open a stream to `to`, write `request`, read one stream message back
    /// and hand it to [`super::Memberlist::handle_push_pull_reply`] (or
    /// report failure with [`super::Memberlist::push_pull_failed`]).
    fn push_pull(&mut self, to: SocketAddr, request: Vec<u8>, join: bool);
    /// Call [`super::Memberlist::handle_timer`] with `timer` after `after`.
    fn schedule(&mut self, after: Duration, timer: Timer);
    /// Report a membership event.
    fn notify(&mut self, event: Event);

    /// Delegate: a user message (serf) arrived.
    fn notify_user_msg(&mut self, _msg: &[u8]) {}
    /// Delegate: user broadcasts to piggy-back, each costing `overhead`,
    /// within `limit` bytes in total.
    fn user_broadcasts(&mut self, _overhead: usize, _limit: usize) -> Vec<Vec<u8>> {
        Vec::new()
    }
    /// Delegate: user state to send in a push-pull.
    fn local_user_state(&mut self, _join: bool) -> Vec<u8> {
        Vec::new()
    }
    /// Delegate: merge user state received in a push-pull.
    fn merge_user_state(&mut self, _state: &[u8], _join: bool) {}
    /// Delegate: payload for acks we send (serf's coordinates).
    fn ack_payload(&mut self) -> Vec<u8> {
        Vec::new()
    }
}
