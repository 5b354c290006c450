//! The agent's side of the DNS interface: a [`DnsBackend`] over the server's
//! catalog (stale reads, as Consul's `dns_config.allow_stale` defaults to),
//! and binding the DNS sockets.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use consul_dns::{BackendError, BoxFuture, DnsBackend, DnsConfig, ReadOptions};
use consul_server::endpoints::catalog::CatalogRpc;
use consul_server::endpoints::health::HealthRpc;
use consul_server::rpc::{
    DcSpecificRequest, RpcRequest, RpcResponse, ServiceSpecificRequest, Token, WireQueryOptions,
};
use consul_server::RpcError;
use consul_state::Table;
use consul_types::catalog::{CheckServiceNode, Node, ServiceNode, CONSUL_SERVICE};

use crate::servers::Servers;

/// Reads the catalog for DNS answers through the agent's servers (its own
/// server, or a server over RPC on a client agent), with the agent's
/// default token, so the servers filter out what that token may not read.
pub struct CatalogBackend {
    servers: Servers,
    datacenter: String,
    /// The agent whose `default` token DNS reads are made with (asked for at
    /// each read: `PUT /v1/agent/token/default` may change it).
    agent: std::sync::Weak<crate::Agent>,
}

impl CatalogBackend {
    /// A backend over `agent`'s servers, answering for its datacenter with
    /// its default token.
    pub fn new(agent: &Arc<crate::Agent>) -> Self {
        CatalogBackend {
            servers: agent.servers().clone(),
            datacenter: agent.datacenter().to_string(),
            agent: Arc::downgrade(agent),
        }
    }

    fn token(&self) -> Token {
        self.agent
            .upgrade()
            .map(|a| a.acl().default_token())
            .unwrap_or_default()
    }

    fn opts(&self, dc: &str, o: ReadOptions) -> Result<WireQueryOptions, BackendError> {
        if !dc.is_empty() && dc != self.datacenter {
            return Err(BackendError::UnknownDatacenter(dc.to_string()));
        }
        Ok(WireQueryOptions {
            allow_stale: o.allow_stale,
            token: self.token(),
            ..Default::default()
        })
    }

    async fn call<T>(
        &self,
        req: RpcRequest,
        unpack: impl FnOnce(RpcResponse) -> Result<T, consul_server::rpc::CallError>,
    ) -> Result<T, BackendError> {
        let resp = self.servers.call(req).await.map_err(unavailable)?;
        unpack(resp).map_err(|e| BackendError::Unavailable(e.to_string()))
    }

    async fn nodes(&self, q: WireQueryOptions) -> Result<Vec<Node>, BackendError> {
        let req = RpcRequest::Catalog(CatalogRpc::ListNodes(DcSpecificRequest {
            query_options: q,
            ..Default::default()
        }));
        self.call(req, |r| r.into_nodes().map(|n| n.nodes)).await
    }

    async fn catalog_service(
        &self,
        service: &str,
        q: WireQueryOptions,
    ) -> Result<Vec<ServiceNode>, BackendError> {
        let req = RpcRequest::Catalog(CatalogRpc::ServiceNodes(ServiceSpecificRequest {
            service_name: service.to_string(),
            query_options: q,
            ..Default::default()
        }));
        self.call(req, |r| r.into_service_nodes().map(|n| n.service_nodes))
            .await
    }
}

fn unavailable(e: RpcError) -> BackendError {
    match e {
        RpcError::NoPathToDatacenter => BackendError::UnknownDatacenter(String::new()),
        other => BackendError::Unavailable(other.to_string()),
    }
}

impl DnsBackend for CatalogBackend {
    fn node<'a>(
        &'a self,
        dc: &'a str,
        name: &'a str,
        o: ReadOptions,
    ) -> BoxFuture<'a, Result<Option<Node>, BackendError>> {
        Box::pin(async move {
            let nodes = self.nodes(self.opts(dc, o)?).await?;
            Ok(nodes
                .into_iter()
                .find(|n| n.node.eq_ignore_ascii_case(name)))
        })
    }

    fn service_nodes<'a>(
        &'a self,
        dc: &'a str,
        service: &'a str,
        _tag: Option<&'a str>,
        o: ReadOptions,
    ) -> BoxFuture<'a, Result<Vec<CheckServiceNode>, BackendError>> {
        Box::pin(async move {
            let req = RpcRequest::Health(HealthRpc::ServiceNodes(ServiceSpecificRequest {
                service_name: service.to_string(),
                query_options: self.opts(dc, o)?,
                ..Default::default()
            }));
            self.call(req, |r| r.into_check_service_nodes().map(|n| n.nodes))
                .await
        })
    }

    fn nodes_by_address<'a>(
        &'a self,
        dc: &'a str,
        addr: IpAddr,
        o: ReadOptions,
    ) -> BoxFuture<'a, Result<Vec<Node>, BackendError>> {
        Box::pin(async move {
            let nodes = self.nodes(self.opts(dc, o)?).await?;
            Ok(nodes
                .into_iter()
                .filter(|n| n.address.parse::<IpAddr>().is_ok_and(|a| a == addr))
                .collect())
        })
    }

    fn services_by_address<'a>(
        &'a self,
        dc: &'a str,
        addr: IpAddr,
        o: ReadOptions,
    ) -> BoxFuture<'a, Result<Vec<ServiceNode>, BackendError>> {
        Box::pin(async move {
            let q = self.opts(dc, o)?;
            let req = RpcRequest::Catalog(CatalogRpc::ListServices(DcSpecificRequest {
                query_options: q.clone(),
                ..Default::default()
            }));
            let names = self
                .call(req, |r| r.into_services().map(|s| s.services))
                .await?;
            let mut out = Vec::new();
            for name in names.keys() {
                let instances = self.catalog_service(name, q.clone()).await?;
                out.extend(
                    instances
                        .into_iter()
                        .filter(|s| s.service_address.parse::<IpAddr>().is_ok_and(|a| a == addr)),
                );
            }
            Ok(out)
        })
    }

    fn servers<'a>(
        &'a self,
        dc: &'a str,
        o: ReadOptions,
    ) -> BoxFuture<'a, Result<Vec<Node>, BackendError>> {
        Box::pin(async move {
            let q = self.opts(dc, o)?;
            let instances = self.catalog_service(CONSUL_SERVICE, q.clone()).await?;
            let nodes = self.nodes(q).await?;
            Ok(nodes
                .into_iter()
                .filter(|n| instances.iter().any(|s| s.node == n.node))
                .collect())
        })
    }

    fn datacenters(&self) -> BoxFuture<'_, Result<Vec<String>, BackendError>> {
        Box::pin(async move {
            let req = RpcRequest::Catalog(CatalogRpc::ListDatacenters);
            self.call(req, |r| r.into_strings()).await
        })
    }

    /// On a server agent with stale reads allowed (Consul's default), every
    /// read above runs against the local state store, so its highest catalog
    /// index (nodes, services, checks: every change to what DNS serves
    /// raises it, KV writes do not) versions the answers. A client agent
    /// reads over RPC and does not cache, nor does a server whose reads may
    /// go to the leader. ACL changes raise it too (answers are filtered by
    /// the default token's grants), as does changing the agent's tokens.
    fn cache_version(&self, o: ReadOptions) -> Option<u64> {
        let server = self.servers.local().filter(|_| o.allow_stale)?;
        let snap = server.store().snapshot();
        let tokens = self.agent.upgrade()?.acl().token_generation();
        Some(
            tokens
                + snap.max_index(&[
                    Table::Nodes,
                    Table::Services,
                    Table::Checks,
                    Table::AclTokens,
                    Table::AclPolicies,
                    Table::AclRoles,
                ]),
        )
    }
}

/// DNS settings from the runtime config.
pub fn dns_config(cfg: &consul_config::RuntimeConfig) -> Result<DnsConfig, String> {
    let mut dns = DnsConfig {
        datacenter: cfg.datacenter.clone(),
        node_name: cfg.node_name.clone(),
        ..Default::default()
    };
    let with_dot = |d: &str| {
        if d.ends_with('.') {
            d.to_string()
        } else {
            format!("{d}.")
        }
    };
    dns.domain = with_dot(&cfg.domain);
    dns.alt_domain = cfg
        .alt_domain
        .as_deref()
        .filter(|d| !d.is_empty())
        .map(with_dot);
    let d = &cfg.dns_config;
    let count =
        |v: Option<i64>, default: usize| v.and_then(|n| usize::try_from(n).ok()).unwrap_or(default);
    dns.allow_stale = d.allow_stale.unwrap_or(dns.allow_stale);
    dns.max_stale = d.max_stale.unwrap_or(dns.max_stale);
    dns.node_ttl = d.node_ttl.unwrap_or(dns.node_ttl);
    for (name, ttl) in d.service_ttl.iter().flatten() {
        let ttl = consul_types::duration::parse_go_duration(ttl)
            .map_err(|e| format!("dns_config.service_ttl.{name}: {e}"))?;
        dns.service_ttl.insert(name.clone(), ttl);
    }
    dns.udp_answer_limit = count(d.udp_answer_limit, dns.udp_answer_limit);
    dns.a_record_limit = count(d.a_record_limit, dns.a_record_limit);
    dns.enable_truncate = d.enable_truncate.unwrap_or(dns.enable_truncate);
    dns.only_passing = d.only_passing.unwrap_or(dns.only_passing);
    dns.recursor_timeout = d.recursor_timeout.unwrap_or(dns.recursor_timeout);
    if let Some(s) = &d.recursor_strategy {
        dns.recursor_strategy = consul_dns::RecursorStrategy::parse(s)
            .ok_or_else(|| format!("dns_config.recursor_strategy: invalid value {s:?}"))?;
    }
    dns.disable_compression = d.disable_compression.unwrap_or(dns.disable_compression);
    dns.node_meta_txt = d
        .enable_additional_node_meta_txt
        .unwrap_or(dns.node_meta_txt);
    for r in &cfg.recursors {
        let addr = r
            .parse::<SocketAddr>()
            .or_else(|_| r.parse::<IpAddr>().map(|ip| SocketAddr::new(ip, 53)));
        dns.recursors
            .push(addr.map_err(|_| format!("recursors: invalid address {r:?}"))?);
    }
    Ok(dns)
}

/// Bind UDP and TCP on `addresses.dns` (else `client_addr`) : `ports.dns` and
/// serve until the agent shuts down. A negative port disables DNS.
pub async fn start(
    agent: &Arc<crate::Agent>,
    cfg: &consul_config::RuntimeConfig,
) -> Result<Vec<SocketAddr>, String> {
    let Ok(port) = u16::try_from(cfg.ports.dns) else {
        return Ok(Vec::new());
    };
    let config = dns_config(cfg)?;
    let spec = cfg
        .addresses
        .dns
        .clone()
        .unwrap_or_else(|| cfg.client_addr.clone());
    let backend: Arc<dyn DnsBackend> = Arc::new(CatalogBackend::new(agent));
    let mut bound = Vec::new();
    // A unix socket in `client_addr` is for HTTP; DNS serves the IPs.
    for ip in spec
        .split_whitespace()
        .filter(|a| !a.starts_with("unix://"))
    {
        let ip: IpAddr = ip
            .parse()
            .map_err(|_| format!("client_addr: invalid IP address {ip:?}"))?;
        let addr = SocketAddr::new(ip, port);
        let udp = tokio::net::UdpSocket::bind(addr)
            .await
            .map_err(|e| format!("Error starting DNS server on {addr}/udp: {e}"))?;
        let tcp = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("Error starting DNS server on {addr}/tcp: {e}"))?;
        let a = agent.clone();
        let (config, backend) = (config.clone(), backend.clone());
        tokio::spawn(async move {
            if let Err(e) = consul_dns::serve(config, backend, Some(udp), Some(tcp), async move {
                a.shutdown_requested().await
            })
            .await
            {
                tracing::error!(error = %e, "dns: server stopped");
            }
        });
        bound.push(addr);
    }
    Ok(bound)
}
