//! The schemas of the Consul 1.10 types that `?filter=` and binding-rule
//! selectors run over: the selectable fields bexpr derives from each Go type
//! (fields tagged `bexpr:"-"`, such as `CreateIndex`, `ModifyIndex`,
//! `Namespace` and `Config`, are not selectable). Field names are the JSON
//! keys of Consul's API, so a document serialized the way Consul's JSON
//! looks is evaluated as Consul evaluates the Go value.
//!
//! Which schema goes with which endpoint (the element type of the list or
//! map the endpoint returns):
//!
//! | endpoint | schema |
//! | --- | --- |
//! | `/v1/catalog/nodes` | [`node`] |
//! | `/v1/catalog/service/:s`, `/v1/catalog/connect/:s` | [`service_node`] |
//! | `/v1/catalog/node-services/:n`, `/v1/catalog/node/:n` (services) | [`node_service`] |
//! | `/v1/health/node/:n`, `/v1/health/checks/:s`, `/v1/health/state/:st`, `/v1/agent/checks` | [`health_check`] |
//! | `/v1/health/service/:s`, `/v1/health/connect/:s`, `/v1/health/ingress/:s` | [`check_service_node`] |
//! | `/v1/agent/services` | [`agent_service`] |
//! | `/v1/internal/ui/nodes` | [`node_info`] |
//! | `/v1/connect/intentions` | [`intention`] |
//! | binding rules of a `kubernetes` auth method | [`kubernetes_identity`] |
//! | binding rules of a `jwt`/`oidc` auth method | [`jwt_identity`] |

use std::sync::OnceLock;

use crate::Schema;

fn string() -> Schema {
    Schema::String
}

fn string_map() -> Schema {
    Schema::map(Schema::String)
}

fn cached(cell: &'static OnceLock<Schema>, build: fn() -> Schema) -> &'static Schema {
    cell.get_or_init(build)
}

/// Consul's `Node`: a catalog node.
pub fn node() -> &'static Schema {
    static CELL: OnceLock<Schema> = OnceLock::new();
    cached(&CELL, || {
        Schema::structure([
            ("ID", string()),
            ("Node", string()),
            ("Address", string()),
            ("Datacenter", string()),
            ("TaggedAddresses", string_map()),
            ("Meta", string_map()),
        ])
    })
}

/// Consul's `NodeService`: a service instance as registered on a node.
pub fn node_service() -> &'static Schema {
    static CELL: OnceLock<Schema> = OnceLock::new();
    cached(&CELL, || {
        Schema::structure([
            ("Kind", string()),
            ("ID", string()),
            ("Service", string()),
            ("Tags", Schema::list(string())),
            ("Address", string()),
            ("TaggedAddresses", Schema::map(service_address())),
            ("Meta", string_map()),
            ("Port", Schema::Int),
            ("SocketPath", string()),
            ("Weights", weights()),
            ("EnableTagOverride", Schema::Bool),
            ("Proxy", proxy()),
            ("Connect", service_connect()),
        ])
    })
}

/// The API's `AgentService` (`/v1/agent/services`): the same selectable
/// fields as [`node_service`].
pub fn agent_service() -> &'static Schema {
    node_service()
}

/// Consul's `ServiceNode`: a catalog service instance with its node's fields.
pub fn service_node() -> &'static Schema {
    static CELL: OnceLock<Schema> = OnceLock::new();
    cached(&CELL, || {
        Schema::structure([
            ("ID", string()),
            ("Node", string()),
            ("Address", string()),
            ("Datacenter", string()),
            ("TaggedAddresses", string_map()),
            ("NodeMeta", string_map()),
            ("ServiceKind", string()),
            ("ServiceID", string()),
            ("ServiceName", string()),
            ("ServiceTags", Schema::list(string())),
            ("ServiceAddress", string()),
            ("ServiceTaggedAddresses", Schema::map(service_address())),
            ("ServiceWeights", weights()),
            ("ServiceMeta", string_map()),
            ("ServicePort", Schema::Int),
            ("ServiceSocketPath", string()),
            ("ServiceEnableTagOverride", Schema::Bool),
            ("ServiceProxy", proxy()),
            ("ServiceConnect", service_connect()),
        ])
    })
}

/// Consul's `HealthCheck`.
pub fn health_check() -> &'static Schema {
    static CELL: OnceLock<Schema> = OnceLock::new();
    cached(&CELL, || {
        Schema::structure([
            ("Node", string()),
            ("CheckID", string()),
            ("Name", string()),
            ("Status", string()),
            ("Notes", string()),
            ("Output", string()),
            ("ServiceID", string()),
            ("ServiceName", string()),
            ("ServiceTags", Schema::list(string())),
            ("Type", string()),
            ("Interval", string()),
            ("Timeout", string()),
            ("ExposedPort", Schema::Int),
        ])
    })
}

/// Consul's `CheckServiceNode`: a health service entry (node, service,
/// checks; a selector through `Checks` matches when any check does).
pub fn check_service_node() -> &'static Schema {
    static CELL: OnceLock<Schema> = OnceLock::new();
    cached(&CELL, || {
        Schema::structure([
            ("Node", node().clone()),
            ("Service", node_service().clone()),
            ("Checks", Schema::list(health_check().clone())),
        ])
    })
}

/// Consul's `NodeInfo`: a node with its services and checks (the UI's node
/// dump).
pub fn node_info() -> &'static Schema {
    static CELL: OnceLock<Schema> = OnceLock::new();
    cached(&CELL, || {
        Schema::structure([
            ("ID", string()),
            ("Node", string()),
            ("Address", string()),
            ("TaggedAddresses", string_map()),
            ("Meta", string_map()),
            ("Services", Schema::list(node_service().clone())),
            ("Checks", Schema::list(health_check().clone())),
        ])
    })
}

/// Consul's `Intention`.
pub fn intention() -> &'static Schema {
    static CELL: OnceLock<Schema> = OnceLock::new();
    cached(&CELL, || {
        Schema::structure([
            ("ID", string()),
            ("Description", string()),
            ("SourceNS", string()),
            ("SourceName", string()),
            ("DestinationNS", string()),
            ("DestinationName", string()),
            ("SourceType", string()),
            ("Action", string()),
            ("Meta", string_map()),
            ("Precedence", Schema::Int),
        ])
    })
}

/// What a `kubernetes` auth method's binding-rule selectors see:
/// `serviceaccount.namespace`, `serviceaccount.name`, `serviceaccount.uid`
/// (the document must use these lower-case keys).
pub fn kubernetes_identity() -> &'static Schema {
    static CELL: OnceLock<Schema> = OnceLock::new();
    cached(&CELL, || {
        Schema::structure([(
            "serviceaccount",
            Schema::structure([
                ("namespace", string()),
                ("name", string()),
                ("uid", string()),
            ]),
        )])
    })
}

/// What a `jwt` or `oidc` auth method's binding-rule selectors see: mapped
/// claims as `value.<name>` (strings) and `list.<name>` (lists of strings).
pub fn jwt_identity() -> &'static Schema {
    static CELL: OnceLock<Schema> = OnceLock::new();
    cached(&CELL, || {
        Schema::structure([
            ("value", string_map()),
            ("list", Schema::map(Schema::list(string()))),
        ])
    })
}

fn service_address() -> Schema {
    Schema::structure([("Address", string()), ("Port", Schema::Int)])
}

fn weights() -> Schema {
    Schema::structure([("Passing", Schema::Int), ("Warning", Schema::Int)])
}

fn service_connect() -> Schema {
    Schema::structure([("Native", Schema::Bool)])
}

fn mesh_gateway() -> Schema {
    Schema::structure([("Mode", string())])
}

/// `ConnectProxyConfig` (and the agent's `AgentServiceConnectProxyConfig`,
/// which has the same selectable fields).
fn proxy() -> Schema {
    Schema::structure([
        ("DestinationServiceName", string()),
        ("DestinationServiceID", string()),
        ("LocalServiceAddress", string()),
        ("LocalServicePort", Schema::Int),
        ("LocalServiceSocketPath", string()),
        ("Mode", string()),
        ("Upstreams", Schema::list(upstream())),
        ("MeshGateway", mesh_gateway()),
        (
            "Expose",
            Schema::structure([
                ("Checks", Schema::Bool),
                ("Paths", Schema::list(expose_path())),
            ]),
        ),
        (
            "TransparentProxy",
            Schema::structure([
                ("OutboundListenerPort", Schema::Int),
                ("DialedDirectly", Schema::Bool),
            ]),
        ),
    ])
}

fn upstream() -> Schema {
    Schema::structure([
        ("DestinationType", string()),
        ("DestinationNamespace", string()),
        ("DestinationName", string()),
        ("Datacenter", string()),
        ("LocalBindAddress", string()),
        ("LocalBindPort", Schema::Int),
        ("LocalBindSocketPath", string()),
        ("LocalBindSocketMode", string()),
        ("MeshGateway", mesh_gateway()),
    ])
}

fn expose_path() -> Schema {
    Schema::structure([
        ("ListenerPort", Schema::Int),
        ("Path", string()),
        ("LocalPathPort", Schema::Int),
        ("Protocol", string()),
        ("ParsedFromCheck", Schema::Bool),
    ])
}
