//! Which service instances DNS serves, and their SRV weight.

use consul_types::catalog::{status, CheckServiceNode};

/// Check id of node maintenance mode.
const NODE_MAINT: &str = "_node_maintenance";
/// Check id prefix of service maintenance mode.
const SERVICE_MAINT_PREFIX: &str = "_service_maintenance:";

/// Whether the instance is served: every check passing, or warning unless
/// `only_passing` (Consul's `CheckServiceNodes.Filter`).
pub fn is_served(csn: &CheckServiceNode, only_passing: bool) -> bool {
    csn.checks
        .iter()
        .all(|c| c.status == status::PASSING || (!only_passing && c.status == status::WARNING))
}

/// SRV weight: `Weights.Passing` when the aggregated status is passing,
/// `Weights.Warning` when warning, 0 when critical or in maintenance, 1 for
/// anything unknown. Clamped to 0..=65535.
pub fn srv_weight(csn: &CheckServiceNode) -> u16 {
    let w = &csn.service.weights;
    let relevant = csn
        .checks
        .iter()
        .filter(|c| c.service_name.is_empty() || c.service_name == csn.service.service);
    let (mut maint, mut critical, mut warning) = (false, false, false);
    for c in relevant {
        if c.check_id == NODE_MAINT || c.check_id.starts_with(SERVICE_MAINT_PREFIX) {
            maint = true;
            continue;
        }
        match c.status.as_str() {
            status::PASSING => {}
            status::WARNING => warning = true,
            status::CRITICAL => critical = true,
            _ => return 1,
        }
    }
    let weight = if maint || critical {
        0
    } else if warning {
        w.warning
    } else {
        w.passing
    };
    u16::try_from(weight.max(0)).unwrap_or(u16::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use consul_types::catalog::{HealthCheck, Weights};

    fn csn(statuses: &[&str]) -> CheckServiceNode {
        let mut c = CheckServiceNode::default();
        c.service.service = "web".into();
        c.service.weights = Weights {
            passing: 10,
            warning: 3,
        };
        c.checks = statuses
            .iter()
            .enumerate()
            .map(|(i, s)| HealthCheck {
                check_id: format!("c{i}"),
                status: s.to_string(),
                ..Default::default()
            })
            .collect();
        c
    }

    #[test]
    fn filtering() {
        assert!(is_served(&csn(&[]), true));
        assert!(is_served(&csn(&["passing", "warning"]), false));
        assert!(!is_served(&csn(&["passing", "warning"]), true));
        assert!(!is_served(&csn(&["passing", "critical"]), false));
        assert!(!is_served(&csn(&["maintenance"]), false));
    }

    #[test]
    fn weights() {
        assert_eq!(srv_weight(&csn(&[])), 10);
        assert_eq!(srv_weight(&csn(&["passing"])), 10);
        assert_eq!(srv_weight(&csn(&["passing", "warning"])), 3);
        assert_eq!(srv_weight(&csn(&["critical"])), 0);
        assert_eq!(srv_weight(&csn(&["bogus"])), 1);
    }
}
