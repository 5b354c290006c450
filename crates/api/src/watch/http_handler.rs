//! Delivering a watch's result over HTTP (Consul's `makeHTTPWatchHandler`): the JSON as the
//! body, `X-Consul-Index`, the configured headers, method and timeout.

use super::plan::HttpHandlerConfig;
use super::query::WatchResult;
use super::WatchError;

/// An HTTP handler with its client.
#[derive(Debug, Clone)]
pub struct HttpHandler {
    cfg: HttpHandlerConfig,
    http: reqwest::Client,
}

impl HttpHandler {
    /// A handler for `cfg`.
    pub fn new(cfg: HttpHandlerConfig) -> Result<HttpHandler, WatchError> {
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(cfg.timeout)
            .danger_accept_invalid_certs(cfg.tls_skip_verify)
            .build()
            .map_err(|e| WatchError::Handler(e.to_string()))?;
        Ok(HttpHandler { cfg, http })
    }

    /// Send `result` read at `index`; a transport failure or a non-2xx answer is an error.
    pub async fn call(&self, index: u64, result: &WatchResult) -> Result<(), WatchError> {
        let method = reqwest::Method::from_bytes(self.cfg.method.as_bytes())
            .map_err(|e| WatchError::Handler(e.to_string()))?;
        let mut rb = self
            .http
            .request(method, &self.cfg.path)
            .header("Content-Type", "application/json")
            .header("X-Consul-Index", index.to_string())
            .body(result.stdin());
        for (name, vals) in &self.cfg.header {
            for v in vals {
                rb = rb.header(name.as_str(), v.as_str());
            }
        }
        let resp = rb.send().await.map_err(|e| {
            WatchError::Handler(format!("Failed to invoke http watch handler: {e}"))
        })?;
        if !resp.status().is_success() {
            return Err(WatchError::Handler(format!(
                "Failed to invoke http watch handler: {}",
                resp.status()
            )));
        }
        Ok(())
    }
}
