//! Health-check runners: one task per check, probing on its interval and
//! reporting through a callback after the success/failure thresholds agree.
//! Each kind lives in its own module; TTL checks have no runner (their status
//! comes from `/v1/agent/check/*`).

pub mod alias;
pub mod docker;
pub mod grpc;
pub mod h2conn;
pub mod h2ping;
pub mod http;
pub mod http1;
pub mod script;
pub mod tcp;
pub mod threshold;
pub mod udp;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use crate::servers::Servers;
use consul_types::agent::CheckDefinition;
use consul_types::catalog::status;
use rand::Rng;

use threshold::Threshold;

/// Output kept per check by default (Consul's `check_output_max_size`).
pub const DEFAULT_OUTPUT_MAX: usize = 4096;
/// Shortest interval Consul allows.
pub const MIN_INTERVAL: Duration = Duration::from_secs(1);
/// Default per-run timeout of network checks.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default per-run timeout of script checks.
pub const DEFAULT_SCRIPT_TIMEOUT: Duration = Duration::from_secs(30);

/// One probe's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// `passing`, `warning` or `critical`.
    pub status: &'static str,
    /// What the probe saw.
    pub output: String,
}

impl Probe {
    /// A critical result with `output`.
    pub fn critical(output: impl Into<String>) -> Self {
        Probe {
            status: status::CRITICAL,
            output: output.into(),
        }
    }
}

/// Cut `s` to at most `max` bytes on a character boundary.
pub fn cap_output(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// What a runnable check does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckKind {
    /// Run a command.
    Script(script::Command),
    /// HTTP request.
    Http(http::HttpSpec),
    /// TCP connect.
    Tcp(String),
    /// UDP datagram.
    Udp(String),
    /// gRPC health protocol.
    Grpc {
        /// `host:port[/service]`.
        target: String,
        /// Use TLS.
        tls: bool,
        /// Skip certificate verification.
        skip_verify: bool,
    },
    /// HTTP/2 PING.
    H2Ping {
        /// `host:port`.
        addr: String,
        /// Use TLS.
        tls: bool,
        /// Skip certificate verification.
        skip_verify: bool,
    },
    /// Command in a Docker container.
    Docker(docker::DockerSpec),
    /// Mirror another node/service.
    Alias {
        /// Node ("" = this agent's node).
        node: String,
        /// Service ("" = the whole node).
        service: String,
    },
}

/// A runnable check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckSpec {
    /// Check id.
    pub id: String,
    /// What to run.
    pub kind: CheckKind,
    /// Time between runs.
    pub interval: Duration,
    /// Per-run timeout.
    pub timeout: Duration,
    /// Consecutive successes before reporting passing.
    pub success_before_passing: u32,
    /// Consecutive failures before reporting warning/critical.
    pub failures_before_critical: u32,
}

/// Why a check definition cannot run (a 400 for the API, an error for config).
pub type SpecError = String;

/// The message Consul gives when script checks are off.
pub const SCRIPTS_DISABLED: &str =
    "Scripts are disabled on this agent; to enable, configure 'enable_script_checks' or 'enable_local_script_checks' to true";

/// Build the runner spec of a definition; `None` for TTL checks (no runner).
/// `scripts_allowed` says whether script checks may run for this source.
pub fn spec_from_definition(
    id: &str,
    def: &CheckDefinition,
    scripts_allowed: bool,
) -> Result<Option<CheckSpec>, SpecError> {
    let kind = match def.kind() {
        "ttl" => return Ok(None),
        "script" => {
            if !scripts_allowed {
                return Err(SCRIPTS_DISABLED.into());
            }
            let args = if def.args.is_empty() { &def.script_args } else { &def.args };
            if args.is_empty() {
                CheckKind::Script(script::Command::Shell(def.script.clone()))
            } else {
                CheckKind::Script(script::Command::Args(args.clone()))
            }
        }
        "http" => CheckKind::Http(http::HttpSpec {
            url: def.http.clone(),
            method: def.method.clone(),
            header: def.header.clone(),
            body: def.body.clone(),
            tls_skip_verify: def.tls_skip_verify,
        }),
        "tcp" => CheckKind::Tcp(def.tcp.clone()),
        "udp" => CheckKind::Udp(def.udp.clone()),
        "grpc" => CheckKind::Grpc { target: def.grpc.clone(), tls: def.grpc_use_tls, skip_verify: def.tls_skip_verify },
        "h2ping" => CheckKind::H2Ping { addr: def.h2ping.clone(), tls: def.h2ping_use_tls.unwrap_or(true), skip_verify: def.tls_skip_verify },
        "docker" => {
            // Consul treats docker checks as script checks for permission.
            if !scripts_allowed {
                return Err(SCRIPTS_DISABLED.into());
            }
            let args = if def.args.is_empty() { &def.script_args } else { &def.args };
            let cmd = if !args.is_empty() {
                args.clone()
            } else if !def.script.is_empty() {
                let shell = if def.shell.is_empty() { "/bin/sh" } else { def.shell.as_str() };
                vec![shell.to_string(), "-c".to_string(), def.script.clone()]
            } else {
                return Err("Invalid check: DockerContainerID needs Args (or Script)".into());
            };
            CheckKind::Docker(docker::DockerSpec { container: def.docker_container_id.clone(), cmd })
        }
        "alias" => CheckKind::Alias { node: def.alias_node.clone(), service: def.alias_service.clone() },
        _ => return Err("Invalid check: must specify one of TTL, HTTP, TCP, UDP, gRPC, H2PING, Args, DockerContainerID or alias".into()),
    };
    let needs_interval = !matches!(kind, CheckKind::Alias { .. });
    let interval =
        match def.interval {
            Some(i) => i.max(MIN_INTERVAL),
            None if needs_interval => return Err(
                "Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP, gRPC or Docker checks"
                    .into(),
            ),
            None => MIN_INTERVAL,
        };
    let default_timeout = if matches!(kind, CheckKind::Script(_) | CheckKind::Docker(_)) {
        DEFAULT_SCRIPT_TIMEOUT
    } else {
        DEFAULT_TIMEOUT
    };
    Ok(Some(CheckSpec {
        id: id.to_string(),
        kind,
        interval,
        timeout: def
            .timeout
            .filter(|t| !t.is_zero())
            .unwrap_or(default_timeout),
        success_before_passing: def.success_before_passing,
        failures_before_critical: def.failures_before_critical,
    }))
}

/// Where results go: (check id, status, output).
pub type Reporter = Arc<
    dyn Fn(String, &'static str, String) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync,
>;

/// A running check; dropping it stops the check.
pub struct Monitor(tokio::task::JoinHandle<()>);

impl Drop for Monitor {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Start running `spec`; `servers` and `local_node` serve alias checks.
pub fn spawn(spec: CheckSpec, servers: Servers, local_node: String, report: Reporter) -> Monitor {
    Monitor(tokio::spawn(run(spec, servers, local_node, report)))
}

async fn run(spec: CheckSpec, servers: Servers, local_node: String, report: Reporter) {
    let mut threshold = Threshold::new(spec.success_before_passing, spec.failures_before_critical);
    if let CheckKind::Alias { node, service } = &spec.kind {
        let node = if node.is_empty() {
            local_node
        } else {
            node.clone()
        };
        let mut index = 0;
        loop {
            let (next, probe) = alias::watch(&servers, &node, service, index).await;
            if next == index {
                // An error or a timeout without change: don't spin.
                tokio::time::sleep(spec.interval).await;
            }
            index = next;
            if threshold.observe(probe.status) {
                report(spec.id.clone(), probe.status, probe.output).await;
            }
        }
    }
    // Stagger the first run across the interval, as Consul does.
    let stagger =
        rand::thread_rng().gen_range(Duration::ZERO..spec.interval.max(Duration::from_millis(1)));
    tokio::time::sleep(stagger.min(Duration::from_secs(1))).await;
    let client = match &spec.kind {
        CheckKind::Http(h) => match http::client(h) {
            Ok(c) => Some(c),
            Err(e) => {
                report(spec.id.clone(), status::CRITICAL, e).await;
                return;
            }
        },
        _ => None,
    };
    // Plain http:// checks use their own kept-alive connection.
    let mut prober = match &spec.kind {
        CheckKind::Http(h) => http1::Prober::new(h),
        _ => None,
    };
    let mut ticker = tokio::time::interval(spec.interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let probe = match &spec.kind {
            CheckKind::Script(cmd) => script::probe(cmd, spec.timeout, DEFAULT_OUTPUT_MAX).await,
            CheckKind::Http(h) => {
                let fast = match prober.as_mut() {
                    Some(p) => p.probe(spec.timeout, DEFAULT_OUTPUT_MAX).await.ok(),
                    None => None,
                };
                match fast {
                    Some(probe) => probe,
                    None => {
                        http::probe(
                            client.as_ref().expect("http client built above"),
                            h,
                            spec.timeout,
                            DEFAULT_OUTPUT_MAX,
                        )
                        .await
                    }
                }
            }
            CheckKind::Tcp(addr) => tcp::probe(addr, spec.timeout).await,
            CheckKind::Udp(addr) => udp::probe(addr, spec.timeout).await,
            CheckKind::Grpc {
                target,
                tls,
                skip_verify,
            } => grpc::probe(target, *tls, *skip_verify, spec.timeout).await,
            CheckKind::H2Ping {
                addr,
                tls,
                skip_verify,
            } => h2ping::probe(addr, *tls, *skip_verify, spec.timeout).await,
            CheckKind::Docker(d) => {
                docker::probe(
                    &docker::Engine::from_env(),
                    d,
                    spec.timeout,
                    DEFAULT_OUTPUT_MAX,
                )
                .await
            }
            CheckKind::Alias { .. } => unreachable!("alias checks return above"),
        };
        if threshold.observe(probe.status) {
            report(spec.id.clone(), probe.status, probe.output).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_follow_consul_rules() {
        let ttl = CheckDefinition {
            ttl: Some(Duration::from_secs(5)),
            ..Default::default()
        };
        assert_eq!(spec_from_definition("c", &ttl, false).unwrap(), None);
        let script = CheckDefinition {
            script: "true".into(),
            interval: Some(Duration::from_secs(10)),
            ..Default::default()
        };
        assert_eq!(
            spec_from_definition("c", &script, false).unwrap_err(),
            SCRIPTS_DISABLED
        );
        let s = spec_from_definition("c", &script, true).unwrap().unwrap();
        assert_eq!(
            s.kind,
            CheckKind::Script(script::Command::Shell("true".into()))
        );
        assert_eq!(s.timeout, DEFAULT_SCRIPT_TIMEOUT);
        let fast = CheckDefinition {
            tcp: "127.0.0.1:1".into(),
            interval: Some(Duration::from_millis(10)),
            ..Default::default()
        };
        assert_eq!(
            spec_from_definition("c", &fast, false)
                .unwrap()
                .unwrap()
                .interval,
            MIN_INTERVAL
        );
        let no_interval = CheckDefinition {
            http: "http://x".into(),
            ..Default::default()
        };
        assert!(spec_from_definition("c", &no_interval, false).is_err());
    }
}
