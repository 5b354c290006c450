//! The agent's side of the DNS interface: a [`DnsBackend`] over the server's
//! catalog (stale reads, as Consul's `dns_config.allow_stale` defaults to),
//! and binding the DNS sockets.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use consul_dns::{BackendError, BoxFuture, DnsBackend, DnsConfig, ReadOptions};
use consul_server::endpoints::{catalog, health};
use consul_server::{QueryOptions, ReadMode, RpcError, Server};
use consul_types::catalog::{CheckServiceNode, Node, ServiceNode, CONSUL_SERVICE};

/// Reads the catalog of a server for DNS answers.
pub struct CatalogBackend {
    server: Server,
}

impl CatalogBackend {
    /// A backend over `server`.
    pub fn new(server: Server) -> Self {
        CatalogBackend { server }
    }

    fn opts(&self, dc: &str, o: ReadOptions) -> Result<QueryOptions, BackendError> {
        if !dc.is_empty() && dc != self.server.config().datacenter {
            return Err(BackendError::UnknownDatacenter(dc.to_string()));
        }
        Ok(QueryOptions {
            mode: if o.allow_stale {
                ReadMode::Stale
            } else {
                ReadMode::Default
            },
            ..Default::default()
        })
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
            let opts = self.opts(dc, o)?;
            let (_, nodes) = catalog::nodes(&self.server, &opts, &[])
                .await
                .map_err(unavailable)?;
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
            let opts = self.opts(dc, o)?;
            let (_, nodes) = health::service_nodes(&self.server, &opts, service, &[], &[], false)
                .await
                .map_err(unavailable)?;
            Ok(nodes)
        })
    }

    fn nodes_by_address<'a>(
        &'a self,
        dc: &'a str,
        addr: IpAddr,
        o: ReadOptions,
    ) -> BoxFuture<'a, Result<Vec<Node>, BackendError>> {
        Box::pin(async move {
            let opts = self.opts(dc, o)?;
            let (_, nodes) = catalog::nodes(&self.server, &opts, &[])
                .await
                .map_err(unavailable)?;
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
            let opts = self.opts(dc, o)?;
            let (_, names) = catalog::services(&self.server, &opts, &[])
                .await
                .map_err(unavailable)?;
            let mut out = Vec::new();
            for name in names.keys() {
                let (_, instances) = catalog::service_nodes(&self.server, &opts, name, &[], &[])
                    .await
                    .map_err(unavailable)?;
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
            let opts = self.opts(dc, o)?;
            let (_, instances) =
                catalog::service_nodes(&self.server, &opts, CONSUL_SERVICE, &[], &[])
                    .await
                    .map_err(unavailable)?;
            let (_, nodes) = catalog::nodes(&self.server, &opts, &[])
                .await
                .map_err(unavailable)?;
            Ok(nodes
                .into_iter()
                .filter(|n| instances.iter().any(|s| s.node == n.node))
                .collect())
        })
    }

    fn datacenters(&self) -> BoxFuture<'_, Result<Vec<String>, BackendError>> {
        Box::pin(async move { Ok(catalog::datacenters(&self.server)) })
    }
}

/// DNS settings from the runtime config.
pub fn dns_config(cfg: &consul_config::RuntimeConfig) -> Result<DnsConfig, String> {
    let mut dns = DnsConfig {
        datacenter: cfg.datacenter.clone(),
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
    let backend: Arc<dyn DnsBackend> = Arc::new(CatalogBackend::new(agent.server().clone()));
    let mut bound = Vec::new();
    for ip in spec.split_whitespace() {
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
