//! The agent: one node's identity, its server, its local services and checks,
//! and the push of local changes into the catalog.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use consul_server::endpoints::catalog::CatalogRpc;
use consul_server::leader::node_registration;
use consul_server::rpc::{RpcRequest, RpcResponse, Token};
use consul_server::{RpcError, Server};

use crate::servers::Servers;
use consul_types::catalog::{DeregisterRequest, HealthCheck, NodeService, RegisterRequest};

use crate::lan::{LanError, LanPool};
use crate::local::LocalState;

/// Version we report (`consul version`, `Config.Version`, serf `build` tag).
pub const VERSION: &str = "1.10.12";

/// Static facts about this agent.
#[derive(Debug, Clone)]
pub struct AgentInfo {
    /// Node name.
    pub node_name: String,
    /// Node UUID.
    pub node_id: String,
    /// Datacenter.
    pub datacenter: String,
    /// Whether this agent is a server.
    pub server: bool,
    /// Dev mode (in-memory; pretty JSON everywhere).
    pub dev: bool,
    /// LAN address (the node's `Address`).
    pub advertise_addr: std::net::IpAddr,
    /// Serf LAN port.
    pub serf_lan_port: u16,
    /// Largest KV value accepted.
    pub kv_max_value_size: usize,
    /// Whether the node was started in bootstrap mode.
    pub bootstrap: bool,
    /// `-bootstrap-expect`.
    pub bootstrap_expect: u32,
    /// Node metadata.
    pub node_meta: BTreeMap<String, String>,
    /// Script checks may be registered through the API and config files.
    pub enable_script_checks: bool,
    /// Script checks may be defined in config files.
    pub enable_local_script_checks: bool,
    /// Don't leave the LAN pool on SIGINT.
    pub skip_leave_on_interrupt: bool,
    /// Leave the LAN pool on SIGTERM.
    pub leave_on_terminate: bool,
    /// Smallest `deregister_critical_service_after` honoured.
    pub check_deregister_interval_min: Duration,
    /// The configuration the agent started with (for `/v1/agent/self`).
    pub config: Arc<consul_config::RuntimeConfig>,
}

/// A running agent: a server agent, or a client agent that forwards to the servers.
pub struct Agent {
    info: AgentInfo,
    servers: Servers,
    lan: Arc<LanPool>,
    failure: std::sync::Mutex<Option<String>>,
    local: LocalState,
    events: crate::events::ring::EventRing,
    watches: crate::watches::Watches,
    started: Instant,
    shutdown: tokio::sync::watch::Sender<bool>,
    /// Config sources, re-read on reload.
    pub(crate) config_args: Vec<String>,
    /// Applies `log_level` on reload; set by the binary that owns logging.
    log_level_hook: std::sync::OnceLock<LogLevelHook>,
    /// Tokens held and callers' tokens resolved.
    acl: crate::acl::AgentAcl,
    /// Held while config-file definitions are applied (at start and on each
    /// reload), so they apply one at a time and in order.
    definitions: Arc<tokio::sync::Mutex<()>>,
}

/// A callback that switches the process's log level (`"debug"`, `"info"`…).
pub type LogLevelHook = Box<dyn Fn(&str) + Send + Sync>;

impl Agent {
    /// Assemble an agent around its servers (a started local server, or a
    /// client's router) and LAN pool.
    pub fn new(
        info: AgentInfo,
        servers: Servers,
        lan: Arc<LanPool>,
        config_args: Vec<String>,
    ) -> Arc<Agent> {
        let acl = crate::acl::AgentAcl::new(&info.config.acl, info.config.data_dir.as_deref());
        Arc::new(Agent {
            info,
            acl,
            servers,
            lan,
            failure: std::sync::Mutex::new(None),
            local: LocalState::default(),
            events: Default::default(),
            watches: Default::default(),
            started: Instant::now(),
            shutdown: tokio::sync::watch::channel(false).0,
            config_args,
            log_level_hook: std::sync::OnceLock::new(),
            definitions: Arc::default(),
        })
    }

    /// The lock config-file definitions are applied under: the start-up
    /// application takes it before the HTTP API can ask for a reload, so a
    /// reload never runs before (and is then undone by) the first load.
    pub fn definitions_lock(&self) -> Arc<tokio::sync::Mutex<()>> {
        self.definitions.clone()
    }

    /// Install the callback a reload uses to apply `log_level` (once; later
    /// calls are ignored).
    pub fn set_log_level_hook(&self, hook: LogLevelHook) {
        let _ = self.log_level_hook.set(hook);
    }

    /// Switch the log level through the installed hook, if any.
    pub fn apply_log_level(&self, level: &str) {
        if let Some(hook) = self.log_level_hook.get() {
            hook(level);
        }
    }

    /// Static facts about this agent.
    pub fn info(&self) -> &AgentInfo {
        &self.info
    }

    /// The server this agent runs, on a server agent.
    pub fn server(&self) -> Option<&Server> {
        self.servers.local()
    }

    /// Where this agent's requests are served.
    pub fn servers(&self) -> &Servers {
        &self.servers
    }

    /// The user events this agent received (the last 256).
    pub fn events(&self) -> &crate::events::ring::EventRing {
        &self.events
    }

    /// The config-file watches this agent runs.
    pub fn watches(&self) -> &crate::watches::Watches {
        &self.watches
    }

    /// The LAN gossip pool.
    pub fn lan(&self) -> &Arc<LanPool> {
        &self.lan
    }

    /// Leave gracefully (before shutting down): a server first leaves the
    /// Raft configuration — stepping down if it leads, so the others take
    /// over — then the agent leaves the LAN pool.
    pub async fn leave(&self) -> Result<(), LanError> {
        if let Some(server) = self.server() {
            match server.leave().await {
                Ok(outcome) => tracing::info!(?outcome, "agent: left the Raft configuration"),
                Err(e) => {
                    tracing::warn!(error = %e, "agent: could not leave the Raft configuration")
                }
            }
        }
        self.lan.leave().await
    }

    /// Stop the agent because something it cannot live without failed
    /// (e.g. `retry_max` joins); the process then exits with status 1.
    pub fn fail(&self, reason: String) {
        tracing::error!("{reason}");
        if let Ok(mut f) = self.failure.lock() {
            f.get_or_insert(reason);
        }
        self.request_shutdown();
    }

    /// Why the agent stopped itself, if it did.
    pub fn failure(&self) -> Option<String> {
        self.failure.lock().ok().and_then(|f| f.clone())
    }

    /// Local services and checks.
    pub fn local(&self) -> &LocalState {
        &self.local
    }

    /// How many servers a client agent knows of (0 on a server agent).
    pub fn known_servers(&self) -> usize {
        match &self.servers {
            Servers::Remote(router) => router.servers().len(),
            Servers::Local(_) => 0,
        }
    }

    /// Datacenter name.
    pub fn datacenter(&self) -> &str {
        &self.info.datacenter
    }

    /// Largest KV value accepted.
    pub fn kv_max_value_size(&self) -> usize {
        self.info.kv_max_value_size
    }

    /// How long the agent has run.
    pub fn uptime(&self) -> Duration {
        self.started.elapsed()
    }

    /// Ask the agent to stop (after `leave` or a signal).
    pub fn request_shutdown(&self) {
        self.shutdown.send_replace(true);
    }

    /// Resolves once shutdown was requested.
    pub async fn shutdown_requested(&self) {
        let mut rx = self.shutdown.subscribe();
        let _ = rx.wait_for(|v| *v).await;
    }

    /// The node part of every registration this agent sends.
    fn node_registration(&self) -> RegisterRequest {
        let mut reg = node_registration(
            &self.info.node_name,
            &self.info.node_id,
            self.info.advertise_addr,
        );
        reg.node_meta.extend(self.info.node_meta.clone());
        reg
    }

    /// Send a typed request to the servers: handled here on a server (which
    /// forwards to the leader when it must), over RPC from a client agent.
    pub async fn rpc(&self, req: RpcRequest) -> Result<RpcResponse, RpcError> {
        self.servers.call(req).await
    }

    /// The agent's ACL state: its tokens and token resolution.
    pub fn acl(&self) -> &crate::acl::AgentAcl {
        &self.acl
    }

    /// What the caller presenting `token` may do on this agent.
    pub async fn resolve_token(
        &self,
        token: &Token,
    ) -> Result<Arc<consul_server::Identity>, RpcError> {
        self.acl
            .resolve(
                &self.servers,
                &self.info.node_name,
                &self.info.datacenter,
                token,
            )
            .await
    }

    async fn register_with(&self, reg: RegisterRequest, token: Token) -> Result<(), RpcError> {
        self.rpc(RpcRequest::Catalog(CatalogRpc::register(reg, token)))
            .await
            .map(|_| ())
    }

    async fn register(&self, reg: RegisterRequest) -> Result<(), RpcError> {
        // The agent's own token (`acl.tokens.agent`, else `default`).
        self.rpc(RpcRequest::Catalog(CatalogRpc::register(
            reg,
            self.acl.agent_token(),
        )))
        .await
        .map(|_| ())
    }

    async fn deregister(&self, req: DeregisterRequest) -> Result<(), RpcError> {
        self.rpc(RpcRequest::Catalog(CatalogRpc::deregister(
            req,
            self.acl.agent_token(),
        )))
        .await
        .map(|_| ())
    }

    /// Whether the catalog's `node` is this agent's node as it registers it
    /// (id, address, tagged addresses, metadata).
    pub fn node_matches(&self, node: &consul_types::catalog::Node) -> bool {
        let reg = self.node_registration();
        node.id == reg.id
            && node.address == reg.address
            && node.tagged_addresses == reg.tagged_addresses
            && node.meta == reg.node_meta
    }

    /// Register this agent's node (without services or checks).
    pub async fn sync_node(&self) -> Result<(), RpcError> {
        self.register(self.node_registration()).await
    }

    /// Push one local service (and its checks) into the catalog.
    pub async fn sync_service(&self, svc: &NodeService) -> Result<(), RpcError> {
        let mut reg = self.node_registration();
        reg.service = Some(svc.clone());
        reg.checks = self.local.checks_of_service(&svc.id);
        // As Consul: with the token it was registered with, else the default.
        self.register_with(reg, self.acl.service_token(&svc.id))
            .await
    }

    /// Push one local check into the catalog.
    pub async fn sync_check(&self, check: &HealthCheck) -> Result<(), RpcError> {
        let mut reg = self.node_registration();
        if !check.service_id.is_empty() {
            reg.service = self.local.service(&check.service_id);
        }
        reg.checks = vec![check.clone()];
        let token = if check.service_id.is_empty() {
            self.acl.check_token(&check.check_id)
        } else {
            self.acl.service_token(&check.service_id)
        };
        self.register_with(reg, token).await
    }

    /// Remove a service (with its checks) from the catalog.
    pub async fn deregister_service(&self, id: &str) -> Result<(), RpcError> {
        let req = DeregisterRequest {
            node: self.info.node_name.clone(),
            service_id: id.into(),
            ..Default::default()
        };
        self.deregister(req).await
    }

    /// Remove a check from the catalog.
    pub async fn deregister_check(&self, id: &str) -> Result<(), RpcError> {
        let req = DeregisterRequest {
            node: self.info.node_name.clone(),
            check_id: id.into(),
            ..Default::default()
        };
        self.deregister(req).await
    }

    /// Start running a check's probe; results update local state and, when
    /// the status changes (or output after `check_update_interval`), the catalog.
    pub fn start_monitor(self: &Arc<Self>, spec: crate::checks::CheckSpec) {
        let weak = Arc::downgrade(self);
        let report: crate::checks::Reporter = Arc::new(move |id, status, output| {
            let weak = weak.clone();
            Box::pin(async move {
                let Some(agent) = weak.upgrade() else { return };
                if let Some(check) = agent.local.record_result(&id, status, &output) {
                    if let Err(e) = agent.sync_check(&check).await {
                        tracing::warn!(check = %id, error = %e, "agent: failed to sync check");
                    }
                }
            })
        });
        let id = spec.id.clone();
        let monitor = crate::checks::spawn(
            spec,
            self.servers.clone(),
            self.info.node_name.clone(),
            report,
        );
        self.local.set_monitor(&id, monitor);
    }

    /// Arm (or re-arm) the TTL timer of a check at `generation`.
    pub fn arm_ttl(self: &Arc<Self>, check_id: String, ttl: Duration, generation: u64) {
        let agent = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(ttl).await;
            if let Some(expired) = agent.local.expire_ttl(&check_id, generation) {
                tracing::warn!(check = %check_id, "agent: Check TTL expired");
                if let Err(e) = agent.sync_check(&expired).await {
                    tracing::warn!(check = %check_id, error = %e, "agent: failed to sync expired check");
                }
            }
        });
    }
}
