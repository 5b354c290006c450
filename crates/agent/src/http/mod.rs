//! The HTTP API: one route table, one request context every handler takes
//! ([`Ctx`], parsed once per request), and a serve loop that writes headers in Go's canonical case
//! (`X-Consul-Knownleader`), as Consul's clients and byte-level tests see them.

pub mod acl;
pub mod acl_auth;
pub mod acl_legacy;
pub mod acl_routes;
pub mod agent;
pub mod agent_acl;
pub mod agent_host;
pub mod agent_metrics;
pub mod agent_monitor;
pub mod agent_self;
pub mod agent_token;
pub mod catalog;
pub mod ctx;
pub mod event;
pub mod health;
pub mod internal_acl;
pub mod internal_ui;
pub mod keyring;
pub mod kv;
pub mod kv_search;
pub mod listen;
pub mod operator;
pub mod operator_autopilot_state;
pub mod params;
pub mod respond;
pub mod session;
pub mod snapshot;
pub mod status;
pub mod timing;
pub mod tls;
pub mod token;
pub mod txn;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{delete, get, post, put, MethodRouter};
use axum::Router;
use consul_types::catalog::status as check_status;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;

use crate::agent::Agent;
pub use ctx::Ctx;
use respond::HttpError;

/// The whole route table, with the UI disabled.
pub fn router(agent: Arc<Agent>) -> Router {
    router_with_ui(agent, None)
}

/// The whole route table, and the web UI when `ui` enables it.
pub fn router_with_ui(agent: Arc<Agent>, ui: Option<crate::ui::UiSettings>) -> Router {
    type P = Path<String>;
    let api = Router::new()
        // kv
        .route(
            "/v1/kv/",
            allow(
                "GET,PUT,DELETE",
                get(|c: Ctx| kv::get(c, String::new()))
                    .put(|c: Ctx, b: Bytes| kv::put(c, String::new(), b))
                    .delete(|c: Ctx| kv::delete(c, String::new())),
            ),
        )
        .route(
            "/v1/kv/{*key}",
            allow(
                "GET,PUT,DELETE",
                get(|c: Ctx, Path(k): P| kv::get(c, k))
                    .put(|c: Ctx, Path(k): P, b: Bytes| kv::put(c, k, b))
                    .delete(|c: Ctx, Path(k): P| kv::delete(c, k)),
            ),
        )
        // catalog
        .route("/v1/catalog/register", allow("PUT", put(catalog::register)))
        .route(
            "/v1/catalog/deregister",
            allow("PUT", put(catalog::deregister)),
        )
        .route(
            "/v1/catalog/datacenters",
            allow("GET", get(catalog::datacenters)),
        )
        .route("/v1/catalog/nodes", allow("GET", get(catalog::nodes)))
        .route("/v1/catalog/services", allow("GET", get(catalog::services)))
        .route(
            "/v1/catalog/service/{*name}",
            allow("GET", get(|c: Ctx, Path(n): P| catalog::service(c, n))),
        )
        .route(
            "/v1/catalog/node/{*name}",
            allow("GET", get(|c: Ctx, Path(n): P| catalog::node(c, n))),
        )
        .route(
            "/v1/catalog/node-services/{*name}",
            allow(
                "GET",
                get(|c: Ctx, Path(n): P| catalog::node_service_list(c, n)),
            ),
        )
        // health
        .route(
            "/v1/health/node/{*name}",
            allow("GET", get(|c: Ctx, Path(n): P| health::node(c, n))),
        )
        .route(
            "/v1/health/checks/{*name}",
            allow("GET", get(|c: Ctx, Path(n): P| health::checks(c, n))),
        )
        .route(
            "/v1/health/service/{*name}",
            allow("GET", get(|c: Ctx, Path(n): P| health::service(c, n))),
        )
        .route(
            "/v1/health/state/{*name}",
            allow("GET", get(|c: Ctx, Path(n): P| health::state(c, n))),
        )
        // agent
        .route("/v1/agent/self", allow("GET", get(agent_self::self_)))
        .route("/v1/agent/members", allow("GET", get(agent::members)))
        .route(
            "/v1/agent/metrics",
            allow("GET", get(agent_metrics::metrics)),
        )
        .route("/v1/agent/reload", allow("PUT", put(agent::reload)))
        .route("/v1/agent/leave", allow("PUT", put(agent::leave)))
        .route(
            "/v1/agent/join/{*addr}",
            allow("PUT", put(|c: Ctx, Path(a): P| agent::join(c, a))),
        )
        .route(
            "/v1/agent/force-leave/{*node}",
            allow("PUT", put(|c: Ctx, Path(n): P| agent::force_leave(c, n))),
        )
        .route(
            "/v1/agent/maintenance",
            allow("PUT", put(agent::maintenance)),
        )
        .route("/v1/agent/services", allow("GET", get(agent::services)))
        .route("/v1/agent/checks", allow("GET", get(agent::checks)))
        .route(
            "/v1/agent/service/register",
            allow("PUT", put(agent::service_register)),
        )
        .route(
            "/v1/agent/service/deregister/{*id}",
            allow(
                "PUT",
                put(|c: Ctx, Path(i): P| agent::service_deregister(c, i)),
            ),
        )
        .route(
            "/v1/agent/service/maintenance/{*id}",
            allow(
                "PUT",
                put(|c: Ctx, Path(i): P| agent::service_maintenance(c, i)),
            ),
        )
        .route(
            "/v1/agent/service/{*id}",
            allow("GET", get(|c: Ctx, Path(i): P| agent::service(c, i))),
        )
        .route(
            "/v1/agent/check/register",
            allow("PUT", put(agent::check_register)),
        )
        .route(
            "/v1/agent/check/deregister/{*id}",
            allow(
                "PUT",
                put(|c: Ctx, Path(i): P| agent::check_deregister(c, i)),
            ),
        )
        .route(
            "/v1/agent/check/pass/{*id}",
            allow(
                "PUT",
                put(|c: Ctx, Path(i): P| agent::check_status(c, i, check_status::PASSING)),
            ),
        )
        .route(
            "/v1/agent/check/warn/{*id}",
            allow(
                "PUT",
                put(|c: Ctx, Path(i): P| agent::check_status(c, i, check_status::WARNING)),
            ),
        )
        .route(
            "/v1/agent/check/fail/{*id}",
            allow(
                "PUT",
                put(|c: Ctx, Path(i): P| agent::check_status(c, i, check_status::CRITICAL)),
            ),
        )
        .route(
            "/v1/agent/check/update/{*id}",
            allow(
                "PUT",
                put(|c: Ctx, Path(i): P, b: Bytes| agent::check_update(c, i, b)),
            ),
        )
        // operator
        .route(
            "/v1/operator/raft/configuration",
            allow("GET", get(operator::raft_configuration)),
        )
        .route(
            "/v1/operator/raft/peer",
            allow("DELETE", delete(operator::raft_peer)),
        )
        .route(
            "/v1/operator/raft/transfer-leader",
            allow("POST", post(operator::raft_transfer_leader)),
        )
        .route(
            "/v1/operator/autopilot/configuration",
            allow(
                "GET,PUT",
                get(operator::autopilot_get).put(operator::autopilot_put),
            ),
        )
        .route(
            "/v1/operator/autopilot/health",
            allow("GET", get(operator::autopilot_health)),
        )
        .route(
            "/v1/operator/keyring",
            allow(
                "GET,POST,PUT,DELETE",
                get(keyring::list)
                    .post(keyring::install)
                    .put(keyring::use_key)
                    .delete(keyring::remove),
            ),
        )
        // events
        .route("/v1/event/fire/", allow("PUT", put(event::fire_unnamed)))
        .route(
            "/v1/event/fire/{*name}",
            allow(
                "PUT",
                put(|c: Ctx, Path(n): P, b: Bytes| event::fire(c, n, b)),
            ),
        )
        .route("/v1/event/list", allow("GET", get(event::list)))
        // session
        .route("/v1/session/create", allow("PUT", put(session::create)))
        .route(
            "/v1/session/destroy/{*id}",
            allow("PUT", put(|c: Ctx, Path(i): P| session::destroy(c, i))),
        )
        .route(
            "/v1/session/destroy/",
            allow("PUT", put(|c: Ctx| session::destroy(c, String::new()))),
        )
        .route(
            "/v1/session/renew/{*id}",
            allow("PUT", put(|c: Ctx, Path(i): P| session::renew(c, i))),
        )
        .route(
            "/v1/session/renew/",
            allow("PUT", put(|c: Ctx| session::renew(c, String::new()))),
        )
        .route(
            "/v1/session/info/{*id}",
            allow("GET", get(|c: Ctx, Path(i): P| session::info(c, i))),
        )
        .route(
            "/v1/session/info/",
            allow("GET", get(|c: Ctx| session::info(c, String::new()))),
        )
        .route(
            "/v1/session/node/{*node}",
            allow("GET", get(|c: Ctx, Path(n): P| session::node(c, n))),
        )
        .route(
            "/v1/session/node/",
            allow("GET", get(|c: Ctx| session::node(c, String::new()))),
        )
        .route("/v1/session/list", allow("GET", get(session::list)))
        // txn
        .route("/v1/txn", allow("PUT", put(txn::txn)))
        // snapshot
        .route(
            "/v1/snapshot",
            allow("GET,PUT", get(snapshot::save).put(snapshot::restore)),
        )
        // status
        .route("/v1/status/leader", allow("GET", get(status::leader)))
        .route("/v1/status/peers", allow("GET", get(status::peers)))
        .merge(internal_ui::routes())
        .merge(kv_search::routes())
        .merge(acl::routes())
        .merge(acl_legacy::routes())
        .merge(acl_auth::routes())
        .merge(agent_host::routes())
        .merge(agent_monitor::routes())
        .merge(operator_autopilot_state::routes())
        .merge(agent_token::routes())
        .merge(internal_acl::routes())
        .route_layer(axum::middleware::from_fn_with_state(
            agent.clone(),
            acl_routes::enforce,
        ))
        .route_layer(axum::middleware::from_fn_with_state(
            agent.clone(),
            timing::measure,
        ));
    crate::ui::mount(api, ui)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::map_response(default_acl_policy_header(
            &agent,
        )))
        .with_state(agent)
}

/// Declare a route's methods as Consul does: OPTIONS answers with `Allow`,
/// any other undeclared method gets 405 with `Allow`.
fn allow(methods: &'static str, mr: MethodRouter<Arc<Agent>>) -> MethodRouter<Arc<Agent>> {
    let allow = format!("OPTIONS,{methods}");
    let allow2 = allow.clone();
    mr.options(move || async move { ([(header::ALLOW, allow)], "") })
        .fallback(move |m: Method| async move {
            let mut resp = HttpError {
                status: StatusCode::METHOD_NOT_ALLOWED,
                message: format!("method {m} not allowed"),
            }
            .into_response();
            resp.headers_mut().insert(
                header::ALLOW,
                HeaderValue::from_str(&allow2).expect("method list is a valid header"),
            );
            resp
        })
}

/// A response mapper adding `X-Consul-Default-Acl-Policy` (the configured
/// `acl.default_policy`, `allow` unless set) to every answer, as Consul does.
fn default_acl_policy_header(
    agent: &Agent,
) -> impl Fn(axum::response::Response) -> std::future::Ready<axum::response::Response> + Clone {
    let value = HeaderValue::from_str(&agent.info().config.acl.default_policy)
        .unwrap_or(HeaderValue::from_static("allow"));
    move |mut resp: axum::response::Response| {
        resp.headers_mut()
            .insert(respond::X_CONSUL_DEFAULT_ACL_POLICY, value.clone());
        std::future::ready(resp)
    }
}

/// Bodies above this are refused before a handler sees them (the KV limit is
/// checked precisely in the KV handler).
pub const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// Serve `app` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: listen::HttpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()>,
) {
    serve_with(listener, None, app, shutdown).await
}

/// How long an HTTPS client may take to finish its TLS handshake
/// (Consul's `limits.https_handshake_timeout` default).
const HTTPS_HANDSHAKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Serve `app` on `listener`, over TLS when `tls` is given (the handshake
/// runs in each connection's task, so a slow client holds up no one), until
/// `shutdown` completes.
pub async fn serve_with(
    listener: listen::HttpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    app: Router,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, "http: accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => return,
        };
        let service = TowerToHyperService::new(app.clone());
        let tls = tls.clone();
        tokio::spawn(async move {
            let stream: Box<dyn listen::Conn> = match tls {
                None => stream,
                Some(acceptor) => {
                    match tokio::time::timeout(HTTPS_HANDSHAKE_TIMEOUT, acceptor.accept(stream))
                        .await
                    {
                        Ok(Ok(s)) => Box::new(s),
                        Ok(Err(e)) => {
                            tracing::debug!(error = %e, "http: TLS handshake failed");
                            return;
                        }
                        Err(_) => {
                            tracing::debug!("http: TLS handshake timed out");
                            return;
                        }
                    }
                }
            };
            let conn = hyper::server::conn::http1::Builder::new()
                .title_case_headers(true)
                .serve_connection(TokioIo::new(stream), service);
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "http: connection ended with an error");
            }
        });
    }
}
