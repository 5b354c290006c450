//! Alias checks mirror the health of another node or service: critical if any
//! of its checks is critical, else warning if any warns, else passing.

use std::time::Duration;

use consul_server::endpoints::health::HealthRpc;
use consul_server::rpc::{NodeSpecificRequest, RpcRequest, WireQueryOptions};
use consul_types::catalog::{status, HealthCheck};

use super::Probe;
use crate::servers::Servers;

/// The aggregate status of `checks` for the aliased node/service.
pub fn aggregate(checks: &[HealthCheck], node: &str, service: &str) -> Probe {
    let relevant: Vec<&HealthCheck> = checks
        .iter()
        .filter(|c| {
            c.node == node
                && (c.service_id.is_empty() || service.is_empty() || c.service_id == service)
        })
        .collect();
    if !service.is_empty() && !checks.iter().any(|c| c.service_id == service) {
        return Probe::critical(format!(
            "Service {service} could not be found on node {node}"
        ));
    }
    let worst = if relevant.iter().any(|c| c.status == status::CRITICAL) {
        status::CRITICAL
    } else if relevant.iter().any(|c| c.status == status::WARNING) {
        status::WARNING
    } else {
        status::PASSING
    };
    let output = match worst {
        status::PASSING => "All checks passing.".to_string(),
        _ => format!("Aliased checks are {worst}."),
    };
    Probe {
        status: worst,
        output,
    }
}

/// Block until the aliased node's checks change past `index`, then aggregate.
pub async fn watch(servers: &Servers, node: &str, service: &str, index: u64) -> (u64, Probe) {
    let req = RpcRequest::Health(HealthRpc::NodeChecks(NodeSpecificRequest {
        node: node.to_string(),
        query_options: WireQueryOptions {
            min_query_index: index,
            max_query_time: Duration::from_secs(600),
            allow_stale: true,
            ..Default::default()
        },
        ..Default::default()
    }));
    let answer = servers
        .call(req)
        .await
        .and_then(|r| r.into_health_checks().map_err(Into::into));
    match answer {
        Ok(r) => (
            r.query_meta.index,
            aggregate(&r.health_checks, node, service),
        ),
        Err(e) => (index, Probe::critical(format!("alias check: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(id: &str, svc: &str, st: &str) -> HealthCheck {
        HealthCheck {
            node: "n".into(),
            check_id: id.into(),
            service_id: svc.into(),
            status: st.into(),
            ..Default::default()
        }
    }

    #[test]
    fn worst_status_wins_and_missing_service_is_critical() {
        let cs = vec![
            check("serfHealth", "", status::PASSING),
            check("a", "web", status::WARNING),
            check("b", "db", status::CRITICAL),
        ];
        assert_eq!(aggregate(&cs, "n", "web").status, status::WARNING);
        assert_eq!(aggregate(&cs, "n", "db").status, status::CRITICAL);
        assert_eq!(aggregate(&cs, "n", "").status, status::CRITICAL);
        assert_eq!(aggregate(&cs, "n", "ghost").status, status::CRITICAL);
        assert_eq!(aggregate(&cs[..1], "n", "").status, status::PASSING);
    }
}
