//! Dissemination: gossip rounds and periodic push-pull.

use super::config::push_pull_scale;
use super::core::Memberlist;
use super::runtime::{Runtime, Timer};
use crate::codec::packet::{COMPOUND_HEADER_OVERHEAD, COMPOUND_OVERHEAD};
use crate::codec::NodeState;
use std::time::Duration;

impl Memberlist {
    /// Gossip round: send queued broadcasts to a few random members.
    pub(super) fn gossip(&mut self, now: Duration, rt: &mut impl Runtime) {
        rt.schedule(self.cfg.gossip_interval, Timer::Gossip);
        let dead_window = self.cfg.gossip_to_the_dead_time;
        let targets = self.k_random(self.cfg.gossip_nodes, |_, m| match m.state {
            NodeState::Alive | NodeState::Suspect => true,
            _ => now.saturating_sub(m.state_change()) <= dead_window,
        });
        let mut budget = self
            .cfg
            .udp_buffer_size
            .saturating_sub(COMPOUND_HEADER_OVERHEAD);
        if !self.cfg.wire.label.is_empty() {
            budget = budget.saturating_sub(2 + self.cfg.wire.label.len());
        }
        if self.cfg.wire.encrypts() {
            budget = budget.saturating_sub(45);
        }
        if self.cfg.wire.crc {
            budget = budget.saturating_sub(5);
        }
        for t in targets {
            let Some(m) = self.members.get(&t) else {
                continue;
            };
            let (addr, pmax) = (m.addr(), m.protocol_max());
            let msgs = self.get_broadcasts(COMPOUND_OVERHEAD, budget, rt);
            if msgs.is_empty() {
                return;
            }
            self.send_raw(addr, Some(pmax), &msgs, rt);
        }
    }

    /// Push-pull tick: full state exchange with one random live member.
    pub(super) fn periodic_push_pull(&mut self, rt: &mut impl Runtime) {
        let n = self.members.len();
        rt.schedule(
            push_pull_scale(self.cfg.push_pull_interval, n),
            Timer::PushPull,
        );
        let Some(t) = self
            .k_random(1, |_, m| m.state == NodeState::Alive)
            .into_iter()
            .next()
        else {
            return;
        };
        let Some(addr) = self.members.get(&t).map(|m| m.addr()) else {
            return;
        };
        let req = self.local_state(false, rt);
        self.stats.push_pulls += 1;
        rt.push_pull(addr, req, false);
    }
}
