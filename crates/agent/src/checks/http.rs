//! HTTP checks: 2xx is passing, 429 warning, anything else (or no answer)
//! critical; the body is kept as output.

use std::collections::BTreeMap;
use std::time::Duration;

use consul_types::catalog::status;

use super::Probe;

/// What an HTTP check requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpSpec {
    /// URL.
    pub url: String,
    /// Method (default GET).
    pub method: String,
    /// Headers (each may repeat).
    pub header: BTreeMap<String, Vec<String>>,
    /// Body.
    pub body: String,
    /// Accept any TLS certificate.
    pub tls_skip_verify: bool,
}

/// The client HTTP checks share: one per `tls_skip_verify` setting, so a
/// thousand checks cost one TLS configuration and one connection pool, not a
/// thousand (each check's timeout is set per request). Idle connections are
/// reused between runs (Consul opens a new one per run; reuse saves about a
/// third of the CPU at 1,000 checks per second — see BENCHMARKS.md).
pub fn client(spec: &HttpSpec) -> Result<reqwest::Client, String> {
    static VERIFY: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    static SKIP: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    let cell = if spec.tls_skip_verify { &SKIP } else { &VERIFY };
    if let Some(c) = cell.get() {
        return Ok(c.clone());
    }
    let tls = super::h2conn::client_config(spec.tls_skip_verify);
    let built = reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .redirect(reqwest::redirect::Policy::limited(10))
        .pool_idle_timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())?;
    Ok(cell.get_or_init(|| built).clone())
}

/// Request once.
pub async fn probe(
    client: &reqwest::Client,
    spec: &HttpSpec,
    timeout: Duration,
    max_output: usize,
) -> Probe {
    let method = if spec.method.is_empty() {
        "GET"
    } else {
        spec.method.as_str()
    };
    let Ok(m) = reqwest::Method::from_bytes(method.as_bytes()) else {
        return Probe::critical(format!("invalid method {method:?}"));
    };
    let mut req = client
        .request(m, &spec.url)
        .timeout(timeout)
        .header("User-Agent", "Consul Health Check")
        .header("Accept", "text/plain, text/*, */*");
    for (k, vs) in &spec.header {
        for v in vs {
            req = req.header(k.as_str(), v.as_str());
        }
    }
    if !spec.body.is_empty() {
        req = req.body(spec.body.clone());
    }
    let resp = match req.send().await {
        Ok(r) => r,
        Err(e) => return Probe::critical(format!("Get {:?}: {e}", spec.url)),
    };
    let code = resp.status().as_u16();
    let body = resp.bytes().await.unwrap_or_default();
    answer(method, &spec.url, code, &body, max_output)
}

/// What an HTTP answer means for the check: 2xx passing, 429 warning,
/// anything else critical; the output names the request, the status and
/// the (capped) body, as Consul words it.
pub fn answer(method: &str, url: &str, code: u16, body: &[u8], max_output: usize) -> Probe {
    let text = super::cap_output(&String::from_utf8_lossy(body), max_output);
    let reason = http::StatusCode::from_u16(code)
        .ok()
        .and_then(|c| c.canonical_reason())
        .unwrap_or("");
    let state = match code {
        200..=299 => status::PASSING,
        429 => status::WARNING,
        _ => status::CRITICAL,
    };
    Probe {
        status: state,
        output: format!("HTTP {method} {url}: {code} {reason} Output: {text}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A one-line HTTP server answering every request with `code`.
    async fn serve(code: u16) -> String {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = l.accept().await {
                let mut buf = [0u8; 2048];
                let _ = s.read(&mut buf).await;
                let body = "ok-body";
                let resp = format!(
                    "HTTP/1.1 {code} X\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = s.write_all(resp.as_bytes()).await;
            }
        });
        format!("http://{addr}/health")
    }

    fn spec(url: String) -> HttpSpec {
        HttpSpec {
            url,
            method: String::new(),
            header: BTreeMap::new(),
            body: String::new(),
            tls_skip_verify: false,
        }
    }

    #[tokio::test]
    async fn status_codes_map_to_check_states() {
        for (code, want) in [
            (200, status::PASSING),
            (201, status::PASSING),
            (429, status::WARNING),
            (503, status::CRITICAL),
        ] {
            let s = spec(serve(code).await);
            let c = client(&s).unwrap();
            let p = probe(&c, &s, Duration::from_secs(5), 4096).await;
            assert_eq!(p.status, want, "{code}: {}", p.output);
            assert!(
                p.output.starts_with(&format!("HTTP GET {}: {code}", s.url)),
                "{}",
                p.output
            );
            assert!(p.output.ends_with("Output: ok-body"), "{}", p.output);
        }
    }

    #[tokio::test]
    async fn unreachable_is_critical() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", l.local_addr().unwrap());
        drop(l);
        let s = spec(url);
        let c = client(&s).unwrap();
        assert_eq!(
            probe(&c, &s, Duration::from_secs(5), 4096).await.status,
            status::CRITICAL
        );
    }
}
