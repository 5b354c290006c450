//! Starting and stopping an agent: identity, the server, the HTTP listener,
//! services from config files, signals, reload and graceful shutdown.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;

use consul_config::{ConfigError, RuntimeConfig};
use consul_server::{RpcError, Server, ServerConfig};
use consul_types::agent::{CheckDefinition, ServiceDefinition};

use crate::agent::{Agent, AgentInfo, VERSION};
use crate::lan::join::{retry_join, RetryJoin, RetryOutcome};
use crate::lan::{config::lan_options, LanError, LanPool};
use crate::router::ServerRouter;
use crate::servers::Servers;

/// Git revision in the serf `build` tag (`<version>:<revision>`), if the
/// build recorded one.
pub const REVISION: &str = match option_env!("CONSUL_GIT_REVISION") {
    Some(r) => r,
    None => "",
};

/// Why the agent could not start or reload.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    /// The configuration is invalid.
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// A setting is unusable.
    #[error("{0}")]
    Invalid(String),
    /// A file or socket could not be used.
    #[error("{0}")]
    Io(String),
    /// The server failed to start.
    #[error("{0}")]
    Server(#[from] RpcError),
    /// The LAN pool failed to start, or `-join` reached nobody.
    #[error("{0}")]
    Lan(#[from] LanError),
}

/// A started agent: its state and its HTTP addresses.
pub struct RunningAgent {
    /// The agent.
    pub agent: Arc<Agent>,
    /// Where the HTTP API listens.
    pub http_addrs: Vec<crate::http::listen::HttpAddr>,
}

fn parse_ip(s: &str, what: &str) -> Result<IpAddr, AgentError> {
    s.trim()
        .parse()
        .map_err(|_| AgentError::Invalid(format!("{what}: invalid IP address {s:?}")))
}

/// Read or create the node UUID (`<data-dir>/node-id`).
fn node_id(cfg: &RuntimeConfig) -> Result<String, AgentError> {
    if let Some(id) = &cfg.node_id {
        return uuid::Uuid::parse_str(id)
            .map(|u| u.to_string())
            .map_err(|_| AgentError::Invalid(format!("node_id: invalid UUID {id:?}")));
    }
    let Some(dir) = &cfg.data_dir else {
        return Ok(uuid::Uuid::new_v4().to_string());
    };
    let path = dir.join("node-id");
    match std::fs::read_to_string(&path) {
        Ok(s) if uuid::Uuid::parse_str(s.trim()).is_ok() => Ok(s.trim().to_string()),
        Ok(_) => Err(AgentError::Invalid(format!(
            "{}: invalid node ID",
            path.display()
        ))),
        Err(_) => {
            let id = uuid::Uuid::new_v4().to_string();
            std::fs::write(&path, &id)
                .map_err(|e| AgentError::Io(format!("{}: {e}", path.display())))?;
            Ok(id)
        }
    }
}

/// Start everything `cfg` describes; returns once the HTTP API listens.
pub async fn start(
    cfg: RuntimeConfig,
    config_args: Vec<String>,
) -> Result<RunningAgent, AgentError> {
    if let Some(dir) = &cfg.data_dir {
        std::fs::create_dir_all(dir)
            .map_err(|e| AgentError::Io(format!("{}: {e}", dir.display())))?;
    }
    crate::telemetry::start(&cfg.telemetry);
    let bind = parse_ip(&cfg.bind_addr, "bind_addr")?;
    let advertise = match &cfg.advertise_addr {
        Some(a) => parse_ip(a, "advertise_addr")?,
        None if bind.is_unspecified() => {
            tracing::warn!("agent: bind address is unspecified; advertising 127.0.0.1");
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        }
        None => bind,
    };
    let node_id = node_id(&cfg)?;
    let server_port = u16::try_from(cfg.ports.server)
        .map_err(|_| AgentError::Invalid("ports.server: out of range".into()))?;
    let bootstrap = cfg.dev || cfg.bootstrap || cfg.bootstrap_expect == 1;
    let servers = if cfg.server {
        let server = Server::start(ServerConfig {
            node_name: cfg.node_name.clone(),
            node_id: node_id.clone(),
            datacenter: cfg.datacenter.clone(),
            data_dir: cfg.data_dir.clone(),
            rpc_addr: SocketAddr::new(advertise, server_port),
            raft_multiplier: cfg.raft_multiplier,
            bootstrap,
            rpc_bind: Some(SocketAddr::new(bind, server_port)),
            node_meta: cfg.node_meta.clone(),
            tombstone_gc: Default::default(),
            acl: crate::acl::server_settings(&cfg.acl),
        })
        .await?;
        tokio::spawn(consul_server::leader::run(
            server.clone(),
            VERSION.to_string(),
        ));
        Servers::Local(server)
    } else {
        // A client agent holds no state: it forwards to the servers it
        // learns of through LAN gossip.
        Servers::Remote(ServerRouter::new(&cfg.datacenter))
    };
    let lan_opts = lan_options(
        &cfg,
        &node_id,
        bind,
        advertise,
        server_port,
        &format!("{VERSION}:{REVISION}"),
    )?;
    let (lan, replay) = LanPool::start(lan_opts).await?;

    let info = AgentInfo {
        node_name: cfg.node_name.clone(),
        node_id,
        datacenter: cfg.datacenter.clone(),
        server: cfg.server,
        dev: cfg.dev,
        advertise_addr: advertise,
        serf_lan_port: u16::try_from(cfg.ports.serf_lan).unwrap_or(8301),
        kv_max_value_size: usize::try_from(cfg.kv_max_value_size).unwrap_or(usize::MAX),
        bootstrap: cfg.bootstrap || cfg.dev,
        bootstrap_expect: cfg.bootstrap_expect,
        node_meta: cfg.node_meta.clone(),
        enable_script_checks: cfg.enable_script_checks,
        enable_local_script_checks: cfg.enable_local_script_checks,
        skip_leave_on_interrupt: cfg.skip_leave_on_interrupt,
        leave_on_terminate: cfg.leave_on_terminate,
        check_deregister_interval_min: cfg.check_deregister_interval_min,
        config: Arc::new(cfg.clone()),
    };
    let agent = Agent::new(info, servers.clone(), lan.clone(), config_args);
    if let Servers::Local(server) = &servers {
        server.set_user_event_sink(Arc::new(crate::lan::user_event::LanEventSink(lan.clone())));
    }
    tokio::spawn(crate::events::run(agent.clone()));
    // Taken before the HTTP API serves: a reload waits for the first load.
    let first_load = agent.definitions_lock().lock_owned().await;

    let http_addrs = http_addresses(&cfg)?;
    for addr in &http_addrs {
        let listener = crate::http::listen::HttpListener::bind(addr)
            .await
            .map_err(|e| AgentError::Io(format!("Error starting HTTP listener on {addr}: {e}")))?;
        let app = crate::http::router_with_ui(
            agent.clone(),
            Some(crate::ui::UiSettings::from_config(&cfg)),
        );
        let a = agent.clone();
        tokio::spawn(crate::http::serve(listener, app, async move {
            a.shutdown_requested().await
        }));
    }
    if let Some((addrs, tls_cfg)) = https_listeners(&cfg)? {
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls_cfg));
        for addr in &addrs {
            let listener = crate::http::listen::HttpListener::bind(addr)
                .await
                .map_err(|e| {
                    AgentError::Io(format!("Error starting HTTPS listener on {addr}: {e}"))
                })?;
            let app = crate::http::router_with_ui(
                agent.clone(),
                Some(crate::ui::UiSettings::from_config(&cfg)),
            );
            tracing::info!(address = %addr, network = "tcp", "agent: Started HTTPS server");
            let a = agent.clone();
            tokio::spawn(crate::http::serve_with(
                listener,
                Some(acceptor.clone()),
                app,
                async move { a.shutdown_requested().await },
            ));
        }
    }
    crate::dns::start(&agent, &cfg)
        .await
        .map_err(AgentError::Io)?;
    if let Some(pid_file) = &cfg.pid_file {
        write_pid(pid_file)?;
    }
    start_lan_joins(&agent, &cfg, replay.alive).await?;
    // Services and checks from config files reach the catalog once a leader is known.
    // API registrations kept under the data dir come back too.
    if let Some(dir) = &cfg.data_dir {
        let p = crate::local::persist::Persist::open(dir)
            .map_err(|e| AgentError::Io(format!("{}: {e}", dir.display())))?;
        agent.local().set_persist(p);
    }
    let a = agent.clone();
    let (services, checks) = (cfg.services.clone(), cfg.checks.clone());
    tokio::spawn(async move {
        let _first_load = first_load;
        if let Err(e) = apply_file_definitions(&a, &services, &checks).await {
            tracing::error!(error = %e, "agent: failed to register services and checks from config");
        }
        crate::local::register::restore_persisted(&a).await;
    });
    let watch_addr = http_addrs
        .first()
        .map(|a| a.to_string())
        .unwrap_or_default();
    crate::watches::start(&agent, &cfg.watches, watch_addr)
        .map_err(|e| AgentError::Invalid(e.to_string()))?;
    tokio::spawn(crate::ae::run(agent.clone(), cfg.ae_interval));
    tokio::spawn(crate::reap::run(agent.clone(), cfg.check_reap_interval));
    match servers {
        Servers::Local(server) => {
            tokio::spawn(crate::cluster::run(agent.clone(), server));
        }
        Servers::Remote(router) => {
            tokio::spawn(router.track(agent.lan().clone()));
        }
    }
    Ok(RunningAgent { agent, http_addrs })
}

/// `-join` (all of them unreachable fails the start), the snapshot's
/// rejoin, and `-retry-join` in the background.
async fn start_lan_joins(
    agent: &Arc<Agent>,
    cfg: &RuntimeConfig,
    previous: Vec<(String, SocketAddr)>,
) -> Result<(), AgentError> {
    let lan = agent.lan().clone();
    if !previous.is_empty() {
        tokio::spawn(lan.clone().rejoin(previous));
    }
    if !cfg.start_join.is_empty() {
        tracing::info!("agent: Joining cluster...");
        let n = lan.join(&cfg.start_join).await?;
        tracing::info!(
            agent_count = n,
            "agent: Join completed. Initial agents synced with"
        );
    }
    if !cfg.retry_join.is_empty() {
        let a = agent.clone();
        let r = RetryJoin {
            addrs: cfg.retry_join.clone(),
            interval: cfg.retry_interval,
            max: cfg.retry_max,
        };
        tokio::spawn(async move {
            if retry_join(lan, r).await == RetryOutcome::Exhausted {
                a.fail(
                    "agent: Retry join failed: agent: max join LAN retry exhausted, exiting".into(),
                );
            }
        });
    }
    Ok(())
}

fn write_pid(path: &Path) -> Result<(), AgentError> {
    std::fs::write(path, std::process::id().to_string())
        .map_err(|e| AgentError::Io(format!("{}: {e}", path.display())))
}

/// Every address the HTTP API binds: `addresses.http`, else `client_addr`
/// (a space-separated list of IPs on `ports.http` and `unix://` sockets).
fn http_addresses(cfg: &RuntimeConfig) -> Result<Vec<crate::http::listen::HttpAddr>, AgentError> {
    let port = u16::try_from(cfg.ports.http)
        .map_err(|_| AgentError::Invalid("ports.http: out of range".into()))?;
    let spec = cfg
        .addresses
        .http
        .clone()
        .unwrap_or_else(|| cfg.client_addr.clone());
    crate::http::listen::parse_addrs(&spec, port).map_err(AgentError::Invalid)
}

/// The HTTPS API's addresses (`addresses.https`, else `client_addr`, on
/// `ports.https`) and TLS config; `None` while `ports.https` is off (< 1).
fn https_listeners(
    cfg: &RuntimeConfig,
) -> Result<
    Option<(
        Vec<crate::http::listen::HttpAddr>,
        tokio_rustls::rustls::ServerConfig,
    )>,
    AgentError,
> {
    if cfg.ports.https < 1 {
        return Ok(None);
    }
    let port = u16::try_from(cfg.ports.https)
        .map_err(|_| AgentError::Invalid("ports.https: out of range".into()))?;
    let spec = cfg
        .addresses
        .https
        .clone()
        .unwrap_or_else(|| cfg.client_addr.clone());
    let addrs = crate::http::listen::parse_addrs(&spec, port).map_err(AgentError::Invalid)?;
    let tls = crate::http::tls::server_config(&cfg.https_tls)
        .map_err(|e| AgentError::Invalid(e.to_string()))?;
    Ok(Some((addrs, tls)))
}

/// Config files use snake_case (`enable_tag_override`); the API structs use
/// PascalCase. Dropping underscores from keys lets the case-insensitive decoder
/// match both, except inside free-form maps whose keys are user data.
fn unsnake(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let user_map = matches!(
                        k.as_str(),
                        "meta"
                            | "Meta"
                            | "node_meta"
                            | "header"
                            | "Header"
                            | "tagged_addresses"
                            | "TaggedAddresses"
                    );
                    let key = k.replace('_', "");
                    (
                        key,
                        if user_map {
                            unsnake_values(v)
                        } else {
                            unsnake(v)
                        },
                    )
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(unsnake).collect()),
        other => other,
    }
}

/// The values of a user map, unsnaked, with its own keys kept.
fn unsnake_values(v: serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(m) => {
            serde_json::Value::Object(m.into_iter().map(|(k, v)| (k, unsnake(v))).collect())
        }
        other => other,
    }
}

/// Decode config-file definitions (`what` names them in errors).
fn decode_definitions<T: serde::de::DeserializeOwned>(
    values: &[serde_json::Value],
    what: &str,
) -> Result<Vec<T>, AgentError> {
    values
        .iter()
        .map(|v| {
            consul_types::json::from_value_ci(unsnake(v.clone()))
                .map_err(|e| AgentError::Invalid(format!("{what} definition: {e}")))
        })
        .collect()
}

/// Decode the `service`/`services` and `check`/`checks` definitions of the
/// config files.
fn file_definitions(
    services: &[serde_json::Value],
    checks: &[serde_json::Value],
) -> Result<(Vec<ServiceDefinition>, Vec<CheckDefinition>), AgentError> {
    Ok((
        decode_definitions(services, "service")?,
        decode_definitions(checks, "check")?,
    ))
}

/// Register what the config files define, replacing what an earlier load
/// registered.
async fn apply_file_definitions(
    agent: &Arc<Agent>,
    services: &[serde_json::Value],
    checks: &[serde_json::Value],
) -> Result<(), AgentError> {
    let (services, checks) = file_definitions(services, checks)?;
    crate::local::register::apply_file_definitions(agent, services, checks)
        .await
        .map_err(|e| AgentError::Invalid(e.to_string()))
}

/// Re-read the configuration and apply what can change at runtime; a broken
/// config keeps the running state and reports the error.
pub async fn reload(agent: &Arc<Agent>) -> Result<(), AgentError> {
    let cfg = consul_config::load_from_args(&agent.config_args)?;
    for w in &cfg.warnings {
        tracing::warn!("{w}");
    }
    agent.apply_log_level(&cfg.log_level);
    tracing::debug!(
        services = cfg.services.len(),
        log_level = %cfg.log_level,
        "agent: applying reloaded configuration"
    );
    let lock = agent.definitions_lock();
    let _applying = lock.lock().await;
    apply_file_definitions(agent, &cfg.services, &cfg.checks).await?;
    agent
        .watches()
        .replace(&cfg.watches)
        .map_err(|e| AgentError::Invalid(e.to_string()))?;
    tracing::info!("agent: reload complete");
    Ok(())
}

/// Why the agent is stopping.
enum Stop {
    Interrupt,
    Terminate,
    Requested,
}

/// Run until a signal or `leave` asks us to stop. SIGHUP reloads. SIGINT
/// leaves the LAN pool first unless `skip_leave_on_interrupt` (the server
/// default), SIGTERM only with `leave_on_terminate` (the client default);
/// `leave` has left already. If the agent stopped itself on a failure
/// (retry-join exhausted), the reason is returned: the process then exits
/// with status 1.
pub async fn wait_for_shutdown(agent: &Arc<Agent>) -> Result<(), String> {
    let stop = wait_for_stop(agent).await;
    let graceful = match stop {
        Stop::Interrupt => !agent.info().skip_leave_on_interrupt,
        Stop::Terminate => agent.info().leave_on_terminate,
        Stop::Requested => false,
    };
    if graceful {
        crate::console::say("==> Gracefully shutting down agent...");
        match tokio::time::timeout(GRACEFUL_TIMEOUT, agent.leave()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "agent: Error on leave"),
            Err(_) => tracing::error!("agent: leave timed out"),
        }
    }
    agent.request_shutdown();
    agent.lan().shutdown();
    if tokio::time::timeout(GRACEFUL_TIMEOUT, agent.servers().shutdown())
        .await
        .is_err()
    {
        tracing::error!("agent: server shutdown timed out");
    }
    match agent.failure() {
        Some(reason) => Err(reason),
        None => Ok(()),
    }
}

/// Longest graceful leave on a signal (Consul's `gracefulTimeout`).
pub const GRACEFUL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

async fn wait_for_stop(agent: &Arc<Agent>) -> Stop {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut int), Ok(mut term), Ok(mut hup)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
        signal(SignalKind::hangup()),
    ) else {
        agent.shutdown_requested().await;
        return Stop::Requested;
    };
    loop {
        tokio::select! {
            _ = int.recv() => { crate::console::say("==> Caught signal: interrupt"); return Stop::Interrupt; }
            _ = term.recv() => { crate::console::say("==> Caught signal: terminated"); return Stop::Terminate; }
            _ = hup.recv() => {
                crate::console::say("==> Caught signal: hangup");
                if let Err(e) = reload(agent).await {
                    tracing::error!(error = %e, "agent: reload failed");
                }
            }
            _ = agent.shutdown_requested() => return Stop::Requested,
        }
    }
}
