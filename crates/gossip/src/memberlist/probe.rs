//! Failure detection: direct and indirect probes, acks and nacks.

use super::core::{Memberlist, Pending};
use super::member::ip_bytes;
use super::runtime::{Runtime, Timer};
use crate::codec::{Ack, IndirectPing, Message, Nack, NodeState, Ping, Suspect};
use rand::seq::SliceRandom;
use std::net::SocketAddr;
use std::time::Duration;

impl Memberlist {
    /// Probe tick: pick the next member round-robin and ping it.
    pub(super) fn probe(&mut self, now: Duration, rt: &mut impl Runtime) {
        let interval = self.awareness.scale(self.cfg.probe_interval);
        rt.schedule(interval, Timer::Probe);
        let mut checked = 0;
        let target = loop {
            if checked >= self.order.len() {
                return;
            }
            if self.probe_index >= self.order.len() {
                self.reset_nodes(now);
                self.probe_index = 0;
                checked += 1;
                continue;
            }
            let name = self.order[self.probe_index].clone();
            self.probe_index += 1;
            match self.members.get(&name) {
                Some(m) if *name != *self.cfg.name && !m.is_dead_or_left() => break name,
                _ => checked += 1,
            }
        };
        self.probe_node(&target, interval, rt);
    }

    fn probe_node(&mut self, target: &str, interval: Duration, rt: &mut impl Runtime) {
        let Some(m) = self.members.get(target) else {
            return;
        };
        let (addr, pmax, state, inc) = (m.addr(), m.protocol_max(), m.state, m.incarnation);
        let seq = self.next_seq();
        let mut msgs = vec![Message::Ping(self.ping(seq, target)).encode()];
        if state == NodeState::Suspect {
            msgs.push(
                Message::Suspect(Suspect {
                    incarnation: inc,
                    node: target.to_string(),
                    from: self.cfg.name.clone(),
                })
                .encode(),
            );
        }
        self.pending.insert(
            seq,
            Pending::Probe {
                target: target.to_string(),
                expected_nacks: 0,
                nacks: 0,
            },
        );
        self.send_msgs(addr, Some(pmax), msgs, rt);
        rt.schedule(self.cfg.probe_timeout, Timer::ProbeTimeout(seq));
        rt.schedule(interval, Timer::ProbeDeadline(seq));
    }

    fn ping(&self, seq: u32, node: &str) -> Ping {
        Ping {
            seq_no: seq,
            node: node.to_string(),
            source_addr: ip_bytes(&self.cfg.advertise),
            source_port: self.cfg.advertise.port(),
            source_node: self.cfg.name.clone(),
        }
    }

    /// No direct ack in time: ask `indirect_checks` others to probe.
    pub(super) fn probe_timeout(&mut self, seq: u32, rt: &mut impl Runtime) {
        let Some(Pending::Probe { target, .. }) = self.pending.get(&seq) else {
            return;
        };
        let target = target.clone();
        let Some(t) = self.members.get(target.as_str()) else {
            return;
        };
        let taddr = t.addr();
        let peers = self.k_random(self.cfg.indirect_checks, |name, m| {
            m.state == NodeState::Alive && name != target
        });
        let mut expected = 0;
        for p in peers {
            let Some(pm) = self.members.get(&p) else {
                continue;
            };
            let (paddr, pmax) = (pm.addr(), pm.protocol_max());
            let nack = pmax >= 4;
            expected += u32::from(nack);
            let ind = IndirectPing {
                seq_no: seq,
                target: ip_bytes(&taddr),
                port: taddr.port(),
                node: target.clone(),
                nack,
                source_addr: ip_bytes(&self.cfg.advertise),
                source_port: self.cfg.advertise.port(),
                source_node: self.cfg.name.clone(),
            };
            self.send_msgs(
                paddr,
                Some(pmax),
                vec![Message::IndirectPing(ind).encode()],
                rt,
            );
        }
        if let Some(Pending::Probe { expected_nacks, .. }) = self.pending.get_mut(&seq) {
            *expected_nacks = expected;
        }
    }

    /// The probe period ended without an ack: adjust health, suspect.
    pub(super) fn probe_deadline(&mut self, seq: u32, now: Duration, rt: &mut impl Runtime) {
        let Some(Pending::Probe {
            target,
            expected_nacks,
            nacks,
        }) = self.pending.remove(&seq)
        else {
            return;
        };
        let delta = if expected_nacks > 0 {
            expected_nacks.saturating_sub(nacks) as i32
        } else {
            1
        };
        self.awareness.apply_delta(delta);
        let Some(m) = self.members.get(target.as_str()) else {
            return;
        };
        let s = Suspect {
            incarnation: m.incarnation,
            node: target,
            from: self.cfg.name.clone(),
        };
        self.suspect_node(&s, now, rt);
    }

    pub(super) fn handle_ping(&mut self, from: SocketAddr, p: Ping, rt: &mut impl Runtime) {
        if !p.node.is_empty() && p.node != self.cfg.name {
            return;
        }
        let to = super::member::socket_addr(&p.source_addr, p.source_port)
            .filter(|_| p.source_port != 0)
            .unwrap_or(from);
        let pmax = self
            .members
            .get(p.source_node.as_str())
            .map(|m| m.protocol_max());
        let ack = Ack {
            seq_no: p.seq_no,
            payload: rt.ack_payload(),
        };
        self.send_msgs(to, pmax, vec![Message::Ack(ack).encode()], rt);
    }

    pub(super) fn handle_indirect_ping(
        &mut self,
        from: SocketAddr,
        ind: IndirectPing,
        rt: &mut impl Runtime,
    ) {
        let Some(target) = super::member::socket_addr(&ind.target, ind.port) else {
            return;
        };
        let requester = super::member::socket_addr(&ind.source_addr, ind.source_port)
            .filter(|_| ind.source_port != 0)
            .unwrap_or(from);
        let seq = self.next_seq();
        let ping = self.ping(seq, &ind.node);
        self.pending.insert(
            seq,
            Pending::Relay {
                requester,
                orig_seq: ind.seq_no,
                nack: ind.nack,
            },
        );
        let pmax = self
            .members
            .get(ind.node.as_str())
            .map(|m| m.protocol_max());
        self.send_msgs(target, pmax, vec![Message::Ping(ping).encode()], rt);
        rt.schedule(self.cfg.probe_timeout, Timer::RelayTimeout(seq));
    }

    pub(super) fn relay_timeout(&mut self, seq: u32, rt: &mut impl Runtime) {
        if let Some(Pending::Relay {
            requester,
            orig_seq,
            nack: true,
        }) = self.pending.get(&seq).cloned()
        {
            self.pending.remove(&seq);
            let n = Message::Nack(Nack { seq_no: orig_seq }).encode();
            self.send_msgs(requester, None, vec![n], rt);
        } else if let Some(Pending::Relay { .. }) = self.pending.get(&seq) {
            self.pending.remove(&seq);
        }
    }

    pub(super) fn handle_ack(&mut self, a: Ack, rt: &mut impl Runtime) {
        match self.pending.remove(&a.seq_no) {
            Some(Pending::Probe { .. }) => self.awareness.apply_delta(-1),
            Some(Pending::Relay {
                requester,
                orig_seq,
                ..
            }) => {
                let ack = Message::Ack(Ack {
                    seq_no: orig_seq,
                    payload: Vec::new(),
                })
                .encode();
                self.send_msgs(requester, None, vec![ack], rt);
            }
            None => {}
        }
    }

    pub(super) fn handle_nack(&mut self, n: Nack) {
        if let Some(Pending::Probe { nacks, .. }) = self.pending.get_mut(&n.seq_no) {
            *nacks += 1;
        }
    }

    /// Drop members dead longer than the gossip-to-the-dead time and
    /// reshuffle the probe order.
    pub(super) fn reset_nodes(&mut self, now: Duration) {
        let keep = self.cfg.gossip_to_the_dead_time;
        let me = self.cfg.name.clone();
        let members = &mut self.members;
        let suspicions = &mut self.suspicions;
        self.order.retain(|n| {
            let drop = members.get(n).is_none_or(|m| {
                **n != *me && m.is_dead_or_left() && now.saturating_sub(m.state_change()) > keep
            });
            if drop {
                members.remove(n);
                suspicions.remove(&**n);
            }
            !drop
        });
        self.order.shuffle(&mut self.rng);
    }
}
