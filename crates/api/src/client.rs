//! Connection settings, the shared request path, and query metadata.

use std::time::Duration;

use reqwest::{Method, RequestBuilder, Response};
use serde::de::DeserializeOwned;

use crate::ApiError;

/// The agent address used when neither `CONSUL_HTTP_ADDR` nor an explicit
/// address is given.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8500";

/// Where and how to reach the agent (Go's `api.Config`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `host:port` of the agent's HTTP interface.
    pub address: String,
    /// `http` or `https`.
    pub scheme: String,
    /// ACL token sent as `X-Consul-Token` ("" = none: the agent's default).
    pub token: String,
    /// Datacenter for every request that does not name one ("" = agent's).
    pub datacenter: String,
    /// TLS settings used when `scheme` is `https`.
    pub tls: TlsConfig,
}

/// How the client speaks TLS to an `https` agent (Go's `api.TLSConfig`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsConfig {
    /// PEM file of CA certificates to trust instead of the system roots
    /// (`-ca-file`, `CONSUL_CACERT`).
    pub ca_file: String,
    /// Directory of PEM CA files to trust (`-ca-path`, `CONSUL_CAPATH`).
    pub ca_path: String,
    /// PEM client certificate presented to the agent (`-client-cert`,
    /// `CONSUL_CLIENT_CERT`).
    pub cert_file: String,
    /// PEM key of the client certificate (`-client-key`, `CONSUL_CLIENT_KEY`).
    pub key_file: String,
    /// Name the agent's certificate must carry, instead of the address's
    /// host (`-tls-server-name`, `CONSUL_TLS_SERVER_NAME`).
    pub server_name: String,
    /// Accept any server certificate (`CONSUL_HTTP_SSL_VERIFY=false`).
    pub insecure_skip_verify: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            address: DEFAULT_ADDR.to_string(),
            scheme: "http".to_string(),
            token: String::new(),
            datacenter: String::new(),
            tls: TlsConfig::default(),
        }
    }
}

impl Config {
    /// Defaults overridden by `CONSUL_HTTP_ADDR`, `CONSUL_HTTP_SSL` and
    /// `CONSUL_HTTP_TOKEN`, as Go's `api.DefaultConfig` reads them.
    pub fn from_env() -> Self {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// [`Config::from_env`] with the environment given as a lookup function
    /// (for tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let mut c = Config::default();
        if let Some(addr) = get("CONSUL_HTTP_ADDR").filter(|a| !a.is_empty()) {
            c.set_address(&addr);
        }
        if let Some(ssl) = get("CONSUL_HTTP_SSL") {
            if parse_go_bool(&ssl) == Some(true) {
                c.scheme = "https".to_string();
            }
        }
        if let Some(token) = get("CONSUL_HTTP_TOKEN") {
            c.token = token;
        }
        if let Some(verify) = get("CONSUL_HTTP_SSL_VERIFY") {
            if parse_go_bool(&verify) == Some(false) {
                c.tls.insecure_skip_verify = true;
            }
        }
        for (var, field) in [
            ("CONSUL_CACERT", &mut c.tls.ca_file),
            ("CONSUL_CAPATH", &mut c.tls.ca_path),
            ("CONSUL_CLIENT_CERT", &mut c.tls.cert_file),
            ("CONSUL_CLIENT_KEY", &mut c.tls.key_file),
            ("CONSUL_TLS_SERVER_NAME", &mut c.tls.server_name),
        ] {
            if let Some(v) = get(var) {
                *field = v;
            }
        }
        c
    }

    /// Set the address from `host:port`, `http://host:port` or
    /// `https://host:port` (a scheme in the value wins over the current one).
    pub fn set_address(&mut self, addr: &str) {
        let addr = addr.trim();
        match addr.split_once("://") {
            Some((scheme, rest)) => {
                self.scheme = scheme.to_ascii_lowercase();
                self.address = rest.trim_end_matches('/').to_string();
            }
            None => self.address = addr.trim_end_matches('/').to_string(),
        }
    }

    /// Builder form of [`Config::set_address`].
    pub fn with_address(mut self, addr: &str) -> Self {
        self.set_address(addr);
        self
    }

    /// Builder form of setting the token.
    pub fn with_token(mut self, token: &str) -> Self {
        self.token = token.to_string();
        self
    }

    /// The base URL, e.g. `http://127.0.0.1:8500` (`http://localhost` over a
    /// unix socket, whose path is in `address`).
    pub fn base_url(&self) -> String {
        match self.scheme.as_str() {
            "unix" => "http://localhost".to_string(),
            "https" if !self.tls.server_name.is_empty() => match port_of(&self.address) {
                Some(port) => format!("https://{}:{port}", self.tls.server_name),
                None => format!("https://{}", self.tls.server_name),
            },
            scheme => format!("{scheme}://{}", self.address),
        }
    }
}

/// The port of a `host:port` address, if it has one.
fn port_of(address: &str) -> Option<u16> {
    address.rsplit_once(':').and_then(|(_, p)| p.parse().ok())
}

/// Go's `strconv.ParseBool`.
fn parse_go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// Per-request options of a read (Go's `api.QueryOptions`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryOptions {
    /// Datacenter to query ("" = the client's default).
    pub datacenter: String,
    /// `?stale`: any server may answer.
    pub stale: bool,
    /// `?consistent`: the leader confirms leadership first.
    pub consistent: bool,
    /// `?index=`: block until the result's index exceeds this (0 = don't block).
    pub index: u64,
    /// `?wait=`: the longest a blocking query may wait.
    pub wait: Option<Duration>,
    /// Token for this request only ("" = the client's).
    pub token: String,
    /// `?near=`: sort by estimated round-trip time from this node (`_agent` = the agent's).
    pub near: String,
    /// `?node-meta=key:value` filters, ANDed.
    pub node_meta: Vec<(String, String)>,
    /// `?filter=`: a go-bexpr expression.
    pub filter: String,
}

/// Per-request options of a write (Go's `api.WriteOptions`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteOptions {
    /// Datacenter to write to ("" = the client's default).
    pub datacenter: String,
    /// Token for this request only ("" = the client's).
    pub token: String,
}

/// What a read reports besides its result (Go's `api.QueryMeta`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryMeta {
    /// `X-Consul-Index`: the index to pass as `index` for a blocking re-read.
    pub last_index: u64,
    /// `X-Consul-KnownLeader`.
    pub known_leader: bool,
    /// `X-Consul-LastContact`: time since the answering server heard from the leader.
    pub last_contact: Duration,
}

impl QueryMeta {
    pub(crate) fn from_response(resp: &Response) -> Self {
        let h = resp.headers();
        let get = |name: &str| h.get(name).and_then(|v| v.to_str().ok());
        QueryMeta {
            last_index: get("X-Consul-Index")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
            known_leader: get("X-Consul-KnownLeader") == Some("true"),
            last_contact: Duration::from_millis(
                get("X-Consul-LastContact")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0),
            ),
        }
    }
}

/// A handle on one agent; cheap to clone (the connection pool is shared).
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    config: Config,
}

/// Query parameters of one request.
pub(crate) type Params = Vec<(&'static str, String)>;

impl Client {
    /// A client for `config`.
    pub fn new(config: Config) -> Result<Self, ApiError> {
        let mut builder = reqwest::Client::builder().no_proxy();
        match config.scheme.as_str() {
            "http" => {}
            "https" => builder = crate::tls::configure(builder, &config)?,
            // `unix:///path`: HTTP over the agent's unix socket, as Go's api does.
            "unix" => builder = builder.unix_socket(std::path::PathBuf::from(&config.address)),
            other => {
                return Err(ApiError::Config(format!(
                    "Unknown protocol scheme: {other}"
                )))
            }
        }
        let http = builder
            .build()
            .map_err(|e| ApiError::Config(e.to_string()))?;
        Ok(Client { http, config })
    }

    /// The configuration this client was built from.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The KV endpoints.
    pub fn kv(&self) -> crate::kv::Kv<'_> {
        crate::kv::Kv { c: self }
    }

    /// The catalog endpoints.
    pub fn catalog(&self) -> crate::catalog::Catalog<'_> {
        crate::catalog::Catalog { c: self }
    }

    /// The ACL endpoints.
    pub fn acl(&self) -> crate::acl::Acl<'_> {
        crate::acl::Acl { c: self }
    }

    /// The local agent's endpoints.
    pub fn agent(&self) -> crate::agent::Agent<'_> {
        crate::agent::Agent { c: self }
    }

    /// The operator endpoints.
    pub fn operator(&self) -> crate::operator::Operator<'_> {
        crate::operator::Operator { c: self }
    }

    /// The user event endpoints.
    pub fn event(&self) -> crate::event::Event<'_> {
        crate::event::Event { c: self }
    }

    /// The session endpoints.
    pub fn session(&self) -> crate::session::Sessions<'_> {
        crate::session::Sessions { c: self }
    }

    /// The status endpoints.
    pub fn status(&self) -> crate::status::Status<'_> {
        crate::status::Status { c: self }
    }

    /// The snapshot endpoints.
    pub fn snapshot(&self) -> crate::snapshot::Snapshot<'_> {
        crate::snapshot::Snapshot { c: self }
    }

    /// Build a request for `path` (which must start with `/v1/` and already
    /// be escaped) with the given parameters, token and datacenter.
    pub(crate) fn request(
        &self,
        method: Method,
        path: &str,
        mut params: Params,
        dc: &str,
        token: &str,
    ) -> (RequestBuilder, String) {
        let dc = if dc.is_empty() {
            &self.config.datacenter
        } else {
            dc
        };
        if !dc.is_empty() {
            params.push(("dc", dc.to_string()));
        }
        let mut url = format!("{}{}", self.config.base_url(), path);
        if !params.is_empty() {
            url.push('?');
            let q: Vec<String> = params
                .iter()
                .map(|(k, v)| {
                    if v.is_empty() {
                        (*k).to_string()
                    } else {
                        format!("{}={}", k, escape_query(v))
                    }
                })
                .collect();
            url.push_str(&q.join("&"));
        }
        let token = if token.is_empty() {
            &self.config.token
        } else {
            token
        };
        let mut rb = self.http.request(method, &url);
        if !token.is_empty() {
            rb = rb.header("X-Consul-Token", token);
        }
        (rb, url)
    }

    /// Send a request; non-2xx answers become [`ApiError::Http`].
    pub(crate) async fn send(
        &self,
        method: Method,
        path: &str,
        params: Params,
        dc: &str,
        token: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Response, ApiError> {
        let (mut rb, url) = self.request(method.clone(), path, params, dc, token);
        if let Some(body) = body {
            rb = rb.body(body);
        }
        let resp = rb
            .send()
            .await
            .map_err(|e| transport_error(&method, &url, &e))?;
        let status = resp.status().as_u16();
        if !(200..300).contains(&status) {
            let body = resp.text().await.unwrap_or_default();
            return Err(ApiError::Http {
                status,
                body: body.trim_end().to_string(),
            });
        }
        Ok(resp)
    }

    /// A read: GET with query options, decoding the JSON body.
    /// `Ok(None)` for a 404 when `allow_404` is set.
    pub(crate) async fn query<T: DeserializeOwned>(
        &self,
        path: &str,
        params: Params,
        q: &QueryOptions,
        allow_404: bool,
    ) -> Result<(Option<T>, QueryMeta), ApiError> {
        match self.query_raw(path, params, q, allow_404).await? {
            (Some(bytes), meta) => Ok((Some(decode_bytes(&bytes)?), meta)),
            (None, meta) => Ok((None, meta)),
        }
    }

    /// A read answering the body's bytes as they came (watches keep Consul's field order).
    /// `Ok(None)` for a 404 when `allow_404` is set.
    pub(crate) async fn query_raw(
        &self,
        path: &str,
        mut params: Params,
        q: &QueryOptions,
        allow_404: bool,
    ) -> Result<(Option<Vec<u8>>, QueryMeta), ApiError> {
        if q.stale {
            params.push(("stale", String::new()));
        }
        if q.consistent {
            params.push(("consistent", String::new()));
        }
        if q.index != 0 {
            params.push(("index", q.index.to_string()));
        }
        if let Some(w) = q.wait {
            params.push(("wait", format!("{}ms", w.as_millis())));
        }
        if !q.near.is_empty() {
            params.push(("near", q.near.clone()));
        }
        for (k, v) in &q.node_meta {
            params.push(("node-meta", format!("{k}:{v}")));
        }
        if !q.filter.is_empty() {
            params.push(("filter", q.filter.clone()));
        }
        let (rb, url) = self.request(Method::GET, path, params, &q.datacenter, &q.token);
        let resp = rb
            .send()
            .await
            .map_err(|e| transport_error(&Method::GET, &url, &e))?;
        let meta = QueryMeta::from_response(&resp);
        let status = resp.status().as_u16();
        if status == 404 && allow_404 {
            // A missing key still reports the index to block on.
            return Ok((None, meta));
        }
        if !(200..300).contains(&status) {
            let body = resp.text().await.unwrap_or_default();
            return Err(ApiError::Http {
                status,
                body: body.trim_end().to_string(),
            });
        }
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| ApiError::Transport(root_cause(&e)))?;
        Ok((Some(bytes.to_vec()), meta))
    }

    /// A write: PUT/DELETE with write options, decoding the JSON body
    /// (`true`/`false` for KV) or ignoring it when `T` is `()`.
    pub(crate) async fn write<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        params: Params,
        w: &WriteOptions,
        body: Option<Vec<u8>>,
    ) -> Result<T, ApiError> {
        let resp = self
            .send(method, path, params, &w.datacenter, &w.token, body)
            .await?;
        decode(resp).await
    }

    /// A write whose answer body is ignored.
    pub(crate) async fn write_unit(
        &self,
        method: Method,
        path: &str,
        params: Params,
        w: &WriteOptions,
        body: Option<Vec<u8>>,
    ) -> Result<(), ApiError> {
        self.send(method, path, params, &w.datacenter, &w.token, body)
            .await?;
        Ok(())
    }
}

async fn decode<T: DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
    let bytes = resp
        .bytes()
        .await
        .map_err(|e| ApiError::Transport(root_cause(&e)))?;
    decode_bytes(&bytes)
}

fn decode_bytes<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let bytes: &[u8] = if bytes.is_empty() { b"null" } else { bytes };
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::Decode(format!("Failed to decode response: {e}")))
}

/// Go-style transport error: `Get "http://…/v1/kv/a": connection refused`.
pub(crate) fn transport_error(method: &Method, url: &str, e: &reqwest::Error) -> ApiError {
    let m = method.as_str();
    let m = format!("{}{}", &m[..1], m[1..].to_ascii_lowercase());
    ApiError::Transport(format!("{m} \"{url}\": {}", root_cause(e)))
}

pub(crate) fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur: &(dyn std::error::Error + 'static) = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    // Go's wording: lower case, no errno suffix ("connection refused").
    let msg = cur.to_string();
    let msg = match msg.rfind(" (os error ") {
        Some(i) => msg[..i].to_string(),
        None => msg,
    };
    let mut chars = msg.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => msg,
    }
}

/// Percent-escape a path the way Go's `url.URL.EscapedPath` does: unreserved
/// characters and `/$&+,:;=@` stay as they are.
pub(crate) fn escape_path(s: &str) -> String {
    escape(s, |b| {
        b.is_ascii_alphanumeric() || b"-._~/$&+,:;=@".contains(&b)
    })
}

/// Percent-escape a query value (Go's `url.QueryEscape`, with `%20` for space).
fn escape_query(s: &str) -> String {
    escape(s, |b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

fn escape(s: &str, keep: impl Fn(u8) -> bool) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if keep(b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_settings_come_from_consuls_environment_variables() {
        let c = Config::from_lookup(|k| {
            let v = match k {
                "CONSUL_HTTP_ADDR" => "127.0.0.9:8501",
                "CONSUL_HTTP_SSL" => "1",
                "CONSUL_HTTP_SSL_VERIFY" => "false",
                "CONSUL_CACERT" => "/ca.pem",
                "CONSUL_CLIENT_CERT" => "/c.pem",
                "CONSUL_CLIENT_KEY" => "/k.pem",
                "CONSUL_TLS_SERVER_NAME" => "server.dc1.consul",
                _ => return None,
            };
            Some(v.to_string())
        });
        assert_eq!(c.scheme, "https");
        assert!(c.tls.insecure_skip_verify);
        assert_eq!(
            (
                c.tls.ca_file.as_str(),
                c.tls.cert_file.as_str(),
                c.tls.key_file.as_str()
            ),
            ("/ca.pem", "/c.pem", "/k.pem")
        );
        // The URL names the expected server; the connection goes to the address.
        assert_eq!(c.base_url(), "https://server.dc1.consul:8501");
    }

    #[test]
    fn address_forms() {
        let env =
            |addr: &'static str| move |k: &str| (k == "CONSUL_HTTP_ADDR").then(|| addr.to_string());
        let c = Config::from_lookup(env("127.0.0.9:8500"));
        assert_eq!(c.base_url(), "http://127.0.0.9:8500");
        let c = Config::from_lookup(env("http://127.0.0.9:1234"));
        assert_eq!(c.base_url(), "http://127.0.0.9:1234");
        let c = Config::from_lookup(env("https://localhost:8501/"));
        assert_eq!(c.base_url(), "https://localhost:8501");
        let c = Config::from_lookup(env("unix:///run/consul/http.sock"));
        assert_eq!(
            (c.scheme.as_str(), c.address.as_str()),
            ("unix", "/run/consul/http.sock")
        );
        assert_eq!(c.base_url(), "http://localhost");
        assert!(Client::new(c).is_ok());
        let c = Config::from_lookup(|_| None);
        assert_eq!(c.base_url(), "http://127.0.0.1:8500");
        assert_eq!(c.token, "");
    }

    #[test]
    fn ssl_and_token_from_env() {
        let c = Config::from_lookup(|k| match k {
            "CONSUL_HTTP_SSL" => Some("true".into()),
            "CONSUL_HTTP_TOKEN" => Some("secret".into()),
            _ => None,
        });
        assert_eq!(c.base_url(), "https://127.0.0.1:8500");
        assert_eq!(c.token, "secret");
    }

    #[test]
    fn escaping() {
        assert_eq!(escape_path("/v1/kv/a b/c?d"), "/v1/kv/a%20b/c%3Fd");
        assert_eq!(escape_query("a/b c"), "a%2Fb%20c");
    }

    #[test]
    fn http_error_display() {
        let e = ApiError::Http {
            status: 500,
            body: "No path to datacenter".into(),
        };
        assert_eq!(
            e.to_string(),
            "Unexpected response code: 500 (No path to datacenter)"
        );
    }

    #[tokio::test]
    async fn transport_error_names_method_and_url() {
        // Port 1 on loopback: nothing listens there.
        let c = Client::new(Config::default().with_address("127.0.0.1:1")).unwrap();
        let err = c.status().leader().await.unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with("Get \"http://127.0.0.1:1/v1/status/leader\": "),
            "{msg}"
        );
    }
}
