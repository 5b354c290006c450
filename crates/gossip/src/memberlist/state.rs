//! Membership state transitions: alive, suspect, dead/left, refutation,
//! suspicion expiry and merging push-pull state.

use super::config::suspicion_timeout;
use super::core::Memberlist;
use super::member::{ip_bytes, socket_addr, vsn_array, Node};
use super::runtime::{Event, Runtime, Timer};
use super::suspicion::Suspicion;
use crate::codec::{Alive, Dead, Message, NodeState, PushPull, Suspect};
use rand::Rng;
use std::time::Duration;

impl Memberlist {
    /// Process an `alive` claim (from the network, push-pull, or ourselves
    /// when `bootstrap`).
    pub(super) fn alive_node(
        &mut self,
        a: &Alive,
        bootstrap: bool,
        now: Duration,
        rt: &mut impl Runtime,
    ) {
        let is_local = a.node == self.cfg.name;
        if self.leaving && is_local {
            return;
        }
        let Some(addr) = socket_addr(&a.addr, a.port) else {
            return;
        };
        if a.node.is_empty() {
            return;
        }
        let vsn = vsn_array(&a.vsn);
        let mut reclaim = false;
        if let Some(m) = self.members.get(a.node.as_str()) {
            if m.addr() != addr {
                let can_reclaim = m.is_dead_or_left()
                    && now.saturating_sub(m.state_change()) > self.cfg.dead_node_reclaim_time;
                if !can_reclaim {
                    let mut other = m.to_member(&a.node);
                    other.addr = addr;
                    rt.notify(Event::Conflict(other));
                    return;
                }
                reclaim = true;
            }
        } else {
            let name = self.share_name(&a.node);
            let m = Node::new(addr, self.share_meta(&a.meta), 0, NodeState::Dead, now, vsn);
            self.members.insert(name.clone(), m);
            // Append and swap with a random position so new members are
            // probed fairly (memberlist's `randomOffset` swap: O(1), where
            // an insert would shift the whole probe list).
            let n = self.order.len();
            self.order.push(name);
            if n > 0 {
                let pos = self.rng.gen_range(0..n);
                self.order.swap(pos, n);
            }
        }
        let Some(m) = self.members.get(a.node.as_str()) else {
            return;
        };
        let fresh = m.incarnation == 0 && m.state == NodeState::Dead && !bootstrap;
        if !is_local && !reclaim && !fresh && a.incarnation <= m.incarnation {
            return;
        }
        if is_local && a.incarnation < m.incarnation {
            return;
        }
        let (old_state, old_meta, old_addr, old_vsn) = (m.state, m.meta.clone(), m.addr(), m.vsn);
        if !bootstrap && is_local {
            if a.incarnation == m.incarnation
                && a.meta[..] == m.meta[..]
                && addr == old_addr
                && vsn == m.vsn
            {
                return;
            }
            self.refute(a.incarnation);
            return;
        }
        self.suspicions.remove(a.node.as_str());
        self.queue_broadcast(&a.node, &Message::Alive(a.clone()));
        let meta_changed = old_meta[..] != a.meta[..];
        let meta = if meta_changed {
            self.share_meta(&a.meta)
        } else {
            old_meta
        };
        let Some(m) = self.members.get_mut(a.node.as_str()) else {
            return;
        };
        m.incarnation = a.incarnation;
        m.meta = meta;
        m.set_addr(addr);
        m.vsn = vsn;
        if m.state != NodeState::Alive {
            m.state = NodeState::Alive;
            m.set_state_change(now);
        }
        let m = m.to_member(&a.node);
        if matches!(old_state, NodeState::Dead | NodeState::Left) {
            rt.notify(Event::Join(m));
        } else if meta_changed || old_addr != m.addr || old_vsn != m.vsn {
            rt.notify(Event::Update(m));
        }
    }

    /// Bump our incarnation above `accused` and broadcast that we live.
    pub(super) fn refute(&mut self, accused: u32) {
        let mut inc = self.incarnation() + 1;
        if accused >= inc {
            inc = accused + 1;
        }
        if let Some(me) = self.members.get_mut(self.cfg.name.as_str()) {
            me.incarnation = inc;
        }
        self.awareness.apply_delta(1);
        self.broadcast_self_alive(inc);
    }

    pub(super) fn broadcast_self_alive(&mut self, inc: u32) {
        let a = Alive {
            incarnation: inc,
            node: self.cfg.name.clone(),
            addr: ip_bytes(&self.cfg.advertise),
            port: self.cfg.advertise.port(),
            meta: self.cfg.meta.clone(),
            vsn: self.cfg.vsn.to_vec(),
        };
        let name = self.cfg.name.clone();
        self.queue_broadcast(&name, &Message::Alive(a));
    }

    /// Process a `suspect` claim.
    pub(super) fn suspect_node(&mut self, s: &Suspect, now: Duration, rt: &mut impl Runtime) {
        let Some(m) = self.members.get(s.node.as_str()) else {
            return;
        };
        if s.incarnation < m.incarnation {
            return;
        }
        if let Some(susp) = self.suspicions.get_mut(&s.node) {
            if susp.confirm(&s.from) {
                let deadline = susp.deadline();
                self.queue_broadcast(&s.node, &Message::Suspect(s.clone()));
                rt.schedule(
                    deadline.saturating_sub(now),
                    Timer::Suspicion(s.node.clone()),
                );
            }
            return;
        }
        if m.state != NodeState::Alive {
            return;
        }
        if s.node == self.cfg.name {
            self.refute(s.incarnation);
            return;
        }
        self.queue_broadcast(&s.node, &Message::Suspect(s.clone()));
        let n = self.members.len();
        if let Some(m) = self.members.get_mut(s.node.as_str()) {
            m.incarnation = s.incarnation;
            m.state = NodeState::Suspect;
            m.set_state_change(now);
        }
        let mut k = self.cfg.suspicion_mult.saturating_sub(2);
        if n.saturating_sub(2) < k as usize {
            k = 0;
        }
        let min = suspicion_timeout(self.cfg.suspicion_mult, n, self.cfg.probe_interval);
        let max = min * self.cfg.suspicion_max_timeout_mult;
        let susp = Suspicion::new(&s.from, s.incarnation, k, min, max, now);
        rt.schedule(
            susp.deadline().saturating_sub(now),
            Timer::Suspicion(s.node.clone()),
        );
        self.suspicions.insert(s.node.clone(), susp);
    }

    /// A suspicion timer fired: declare the member dead if it is due.
    pub(super) fn suspicion_check(&mut self, name: &str, now: Duration, rt: &mut impl Runtime) {
        let Some(susp) = self.suspicions.get(name) else {
            return;
        };
        if now < susp.deadline() {
            return;
        }
        let inc = susp.incarnation;
        self.suspicions.remove(name);
        let still = self
            .members
            .get(name)
            .is_some_and(|m| m.state == NodeState::Suspect && m.incarnation == inc);
        if still {
            let d = Dead {
                incarnation: inc,
                node: name.to_string(),
                from: self.cfg.name.clone(),
            };
            self.dead_node(&d, now, rt);
        }
    }

    /// Process a `dead` claim (a leave when the node declares itself).
    pub(super) fn dead_node(&mut self, d: &Dead, now: Duration, rt: &mut impl Runtime) {
        let Some(m) = self.members.get(d.node.as_str()) else {
            return;
        };
        if d.incarnation < m.incarnation || m.is_dead_or_left() {
            return;
        }
        self.suspicions.remove(&d.node);
        if d.node == self.cfg.name && !self.leaving {
            self.refute(d.incarnation);
            return;
        }
        self.queue_broadcast(&d.node, &Message::Dead(d.clone()));
        let Some(m) = self.members.get_mut(d.node.as_str()) else {
            return;
        };
        m.incarnation = d.incarnation;
        m.state = if d.node == d.from {
            NodeState::Left
        } else {
            NodeState::Dead
        };
        m.set_state_change(now);
        let m = m.to_member(&d.node);
        rt.notify(Event::Leave(m));
    }

    /// Merge a remote push-pull state into ours.
    pub(super) fn merge_remote_state(
        &mut self,
        pp: &PushPull,
        now: Duration,
        rt: &mut impl Runtime,
    ) {
        for n in &pp.nodes {
            match NodeState::from_u8(n.state) {
                NodeState::Alive => {
                    let a = Alive {
                        incarnation: n.incarnation,
                        node: n.name.clone(),
                        addr: n.addr.clone(),
                        port: n.port,
                        meta: n.meta.clone(),
                        vsn: n.vsn.clone(),
                    };
                    self.alive_node(&a, false, now, rt);
                }
                NodeState::Left => {
                    let d = Dead {
                        incarnation: n.incarnation,
                        node: n.name.clone(),
                        from: n.name.clone(),
                    };
                    self.dead_node(&d, now, rt);
                }
                // A remote "dead" is only a suspicion to us.
                NodeState::Dead | NodeState::Suspect => {
                    let s = Suspect {
                        incarnation: n.incarnation,
                        node: n.name.clone(),
                        from: self.cfg.name.clone(),
                    };
                    self.suspect_node(&s, now, rt);
                }
            }
        }
        if !pp.user_state.is_empty() {
            rt.merge_user_state(&pp.user_state, pp.join);
        }
    }
}
