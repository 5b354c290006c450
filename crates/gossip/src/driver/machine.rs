//! What the tokio driver needs from a protocol core.

use crate::codec::{Message, WireConfig};
use crate::memberlist::{Memberlist, Runtime, Timer};
use std::net::SocketAddr;
use std::time::Duration;

/// A sans-IO protocol core the driver can run (memberlist, or serf on top).
pub trait Machine: Send + 'static {
    /// Start timers and announce ourselves.
    fn start(&mut self, now: Duration, rt: &mut impl Runtime);
    /// A UDP packet arrived.
    fn handle_packet(
        &mut self,
        from: SocketAddr,
        data: &[u8],
        now: Duration,
        rt: &mut impl Runtime,
    );
    /// A message arrived on an incoming stream; returns the reply bytes.
    fn handle_stream(
        &mut self,
        from: SocketAddr,
        msg: Message,
        now: Duration,
        rt: &mut impl Runtime,
    ) -> Option<Vec<u8>>;
    /// The reply to our push-pull arrived.
    fn handle_push_pull_reply(&mut self, msg: Message, now: Duration, rt: &mut impl Runtime);
    /// Our push-pull to `to` failed.
    fn push_pull_failed(&mut self, to: SocketAddr);
    /// A timer fired.
    fn handle_timer(&mut self, timer: Timer, now: Duration, rt: &mut impl Runtime);
    /// Begin joining through `addr`.
    fn join(&mut self, addr: SocketAddr, now: Duration, rt: &mut impl Runtime);
    /// Announce a graceful leave.
    fn leave(&mut self, now: Duration, rt: &mut impl Runtime);
    /// Whether leave broadcasts are still waiting to go out.
    fn leave_pending(&self) -> bool;
    /// Framing configuration.
    fn wire(&self) -> &WireConfig;
    /// The memberlist inside.
    fn memberlist(&self) -> &Memberlist;
}

impl Machine for Memberlist {
    fn start(&mut self, now: Duration, rt: &mut impl Runtime) {
        Memberlist::start(self, now, rt)
    }
    fn handle_packet(
        &mut self,
        from: SocketAddr,
        data: &[u8],
        now: Duration,
        rt: &mut impl Runtime,
    ) {
        Memberlist::handle_packet(self, from, data, now, rt)
    }
    fn handle_stream(
        &mut self,
        from: SocketAddr,
        msg: Message,
        now: Duration,
        rt: &mut impl Runtime,
    ) -> Option<Vec<u8>> {
        Memberlist::handle_stream(self, from, msg, now, rt)
    }
    fn handle_push_pull_reply(&mut self, msg: Message, now: Duration, rt: &mut impl Runtime) {
        Memberlist::handle_push_pull_reply(self, msg, now, rt)
    }
    fn push_pull_failed(&mut self, to: SocketAddr) {
        Memberlist::push_pull_failed(self, to)
    }
    fn handle_timer(&mut self, timer: Timer, now: Duration, rt: &mut impl Runtime) {
        Memberlist::handle_timer(self, timer, now, rt)
    }
    fn join(&mut self, addr: SocketAddr, _now: Duration, rt: &mut impl Runtime) {
        Memberlist::join(self, addr, rt)
    }
    fn leave(&mut self, now: Duration, rt: &mut impl Runtime) {
        Memberlist::leave(self, now, rt)
    }
    fn leave_pending(&self) -> bool {
        self.pending_broadcasts() > 0
    }
    fn wire(&self) -> &WireConfig {
        &self.config().wire
    }
    fn memberlist(&self) -> &Memberlist {
        self
    }
}
