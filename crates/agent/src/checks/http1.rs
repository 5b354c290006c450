//! A minimal HTTP/1.1 prober for plain `http://` checks. Each check keeps
//! its own kept-alive connection and a request encoded once, so a probe is
//! one write and one read — no client pool, no per-request builders. Every
//! answer that is not a plain final response (a redirect, `https://`, an
//! unusual URL) goes to the general client in [`super::http`] instead.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::http::HttpSpec;
use super::Probe;

/// Largest response (head + body) read on a kept-alive connection; a larger
/// one is cut at the output cap and the connection dropped.
const MAX_RESPONSE: usize = 64 * 1024;
/// Most headers parsed in a response.
const MAX_HEADERS: usize = 64;

/// One HTTP check's prober: its target, encoded request and connection.
pub struct Prober {
    url: String,
    method: String,
    host: String,
    port: u16,
    request: Vec<u8>,
    conn: Option<TcpStream>,
    buf: Vec<u8>,
}

/// Why a probe could not be answered here (the caller uses the general client).
#[derive(Debug, PartialEq, Eq)]
pub struct Fallback;

enum Failure {
    /// The server closed a reused connection before answering: try a new one.
    Stale,
    /// Anything else: the check's output.
    Error(String),
}

impl Prober {
    /// A prober for `spec`, or `None` if the URL is not plain `http://`.
    pub fn new(spec: &HttpSpec) -> Option<Prober> {
        let url = reqwest::Url::parse(&spec.url).ok()?;
        if url.scheme() != "http" || !url.username().is_empty() || url.password().is_some() {
            return None;
        }
        let host = url.host_str()?.to_string();
        let port = url.port_or_known_default()?;
        let method = if spec.method.is_empty() {
            "GET".to_string()
        } else {
            spec.method.clone()
        };
        if !method.bytes().all(|b| b.is_ascii_alphabetic()) {
            return None;
        }
        let authority = match url.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.clone(),
        };
        let mut path = url.path().to_string();
        if let Some(q) = url.query() {
            path.push('?');
            path.push_str(q);
        }
        let has = |name: &str| spec.header.keys().any(|k| k.eq_ignore_ascii_case(name));
        let mut req = format!("{method} {path} HTTP/1.1\r\n");
        if !has("Host") {
            req.push_str(&format!("Host: {authority}\r\n"));
        }
        if !has("User-Agent") {
            req.push_str("User-Agent: Consul Health Check\r\n");
        }
        if !has("Accept") {
            req.push_str("Accept: text/plain, text/*, */*\r\n");
        }
        for (k, vs) in &spec.header {
            if k.contains(['\r', '\n', ':']) || vs.iter().any(|v| v.contains(['\r', '\n'])) {
                return None;
            }
            for v in vs {
                req.push_str(&format!("{k}: {v}\r\n"));
            }
        }
        if !spec.body.is_empty() || matches!(method.as_str(), "POST" | "PUT" | "PATCH") {
            req.push_str(&format!("Content-Length: {}\r\n", spec.body.len()));
        }
        req.push_str("\r\n");
        req.push_str(&spec.body);
        Some(Prober {
            url: spec.url.clone(),
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string(),
            port,
            method,
            request: req.into_bytes(),
            conn: None,
            buf: Vec::new(),
        })
    }

    /// Request once within `timeout`; `Err(Fallback)` when the answer needs
    /// the general client (a redirect to follow).
    pub async fn probe(&mut self, timeout: Duration, max_output: usize) -> Result<Probe, Fallback> {
        let outcome = tokio::time::timeout(timeout, async {
            let reused = self.conn.is_some();
            match self.exchange(max_output).await {
                Err(Failure::Stale) if reused => self.exchange(max_output).await,
                other => other,
            }
        })
        .await;
        match outcome {
            Ok(Ok(Some(probe))) => Ok(probe),
            Ok(Ok(None)) => Err(Fallback),
            Ok(Err(Failure::Error(e))) => {
                self.conn = None;
                Ok(Probe::critical(format!("Get {:?}: {e}", self.url)))
            }
            Ok(Err(Failure::Stale)) => {
                self.conn = None;
                Ok(Probe::critical(format!("Get {:?}: EOF", self.url)))
            }
            Err(_) => {
                self.conn = None;
                Ok(Probe::critical(format!(
                    "Get {:?}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
                    self.url
                )))
            }
        }
    }

    /// One request and response; `Ok(None)` for a redirect.
    async fn exchange(&mut self, max_output: usize) -> Result<Option<Probe>, Failure> {
        let mut conn = match self.conn.take() {
            Some(c) => c,
            None => {
                let c = TcpStream::connect((self.host.as_str(), self.port))
                    .await
                    .map_err(|e| {
                        Failure::Error(format!(
                            "dial tcp {}:{}: connect: {}",
                            self.host,
                            self.port,
                            go_reason(&e)
                        ))
                    })?;
                let _ = c.set_nodelay(true);
                c
            }
        };
        if conn.write_all(&self.request).await.is_err() {
            return Err(Failure::Stale);
        }
        self.buf.clear();
        let (code, head_len, framing, keep) = loop {
            let n = read_more(&mut conn, &mut self.buf).await?;
            if n == 0 {
                return Err(if self.buf.is_empty() {
                    Failure::Stale
                } else {
                    Failure::Error("unexpected EOF".into())
                });
            }
            let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
            let mut resp = httparse::Response::new(&mut headers);
            match resp.parse(&self.buf) {
                Ok(httparse::Status::Complete(len)) => {
                    let code = resp.code.unwrap_or(0);
                    if (100..200).contains(&code) {
                        // An interim answer: drop it and read the final one.
                        self.buf.drain(..len);
                        continue;
                    }
                    let (framing, keep) =
                        framing_of(resp.headers, resp.version, code, &self.method)?;
                    break (code, len, framing, keep);
                }
                Ok(httparse::Status::Partial) if self.buf.len() < MAX_RESPONSE => {}
                Ok(httparse::Status::Partial) => {
                    return Err(Failure::Error("response headers too large".into()))
                }
                Err(e) => return Err(Failure::Error(format!("malformed HTTP response: {e}"))),
            }
        };
        let (body, reusable) = self.read_body(&mut conn, head_len, framing).await?;
        if keep && reusable {
            self.conn = Some(conn);
        }
        if self.buf.capacity() > MAX_RESPONSE {
            self.buf = Vec::new();
        }
        if (300..400).contains(&code) {
            return Ok(None);
        }
        Ok(Some(super::http::answer(
            &self.method,
            &self.url,
            code,
            &body,
            max_output,
        )))
    }

    /// The body after a head of `head_len` bytes in `buf`, and whether the
    /// connection may carry another request.
    async fn read_body(
        &mut self,
        conn: &mut TcpStream,
        head_len: usize,
        framing: Framing,
    ) -> Result<(Vec<u8>, bool), Failure> {
        match framing {
            Framing::None => Ok((Vec::new(), self.buf.len() == head_len)),
            Framing::Length(n) => {
                let want = head_len.saturating_add(n);
                while self.buf.len() < want.min(head_len + MAX_RESPONSE) {
                    if read_more(conn, &mut self.buf).await? == 0 {
                        return Err(Failure::Error("unexpected EOF".into()));
                    }
                }
                let end = want.min(self.buf.len());
                Ok((self.buf[head_len..end].to_vec(), self.buf.len() == want))
            }
            Framing::Chunked => {
                let mut body = Vec::new();
                let mut pos = head_len;
                loop {
                    // Chunk size line.
                    let line_end = loop {
                        if let Some(i) = find_crlf(&self.buf[pos..]) {
                            break pos + i;
                        }
                        if self.buf.len() - head_len > MAX_RESPONSE
                            || read_more(conn, &mut self.buf).await? == 0
                        {
                            return Ok((body, false));
                        }
                    };
                    let size_text = String::from_utf8_lossy(&self.buf[pos..line_end]);
                    let size =
                        usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
                            .map_err(|_| Failure::Error("malformed chunked encoding".into()))?;
                    pos = line_end + 2;
                    if size == 0 {
                        // Trailers, then the final CRLF.
                        loop {
                            if let Some(i) = find_crlf(&self.buf[pos..]) {
                                if i == 0 {
                                    return Ok((body, self.buf.len() == pos + 2));
                                }
                                pos += i + 2;
                                continue;
                            }
                            if read_more(conn, &mut self.buf).await? == 0 {
                                return Ok((body, false));
                            }
                        }
                    }
                    while self.buf.len() < pos + size + 2 {
                        if self.buf.len() - head_len > MAX_RESPONSE
                            || read_more(conn, &mut self.buf).await? == 0
                        {
                            body.extend_from_slice(&self.buf[pos.min(self.buf.len())..]);
                            return Ok((body, false));
                        }
                    }
                    body.extend_from_slice(&self.buf[pos..pos + size]);
                    pos += size + 2;
                }
            }
            Framing::UntilClose => {
                while self.buf.len() - head_len < MAX_RESPONSE {
                    if read_more(conn, &mut self.buf).await? == 0 {
                        break;
                    }
                }
                Ok((self.buf[head_len..].to_vec(), false))
            }
        }
    }
}

/// How the body of a response ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    None,
    Length(usize),
    Chunked,
    UntilClose,
}

/// The body framing of a response and whether the server keeps the
/// connection open.
fn framing_of(
    headers: &[httparse::Header<'_>],
    version: Option<u8>,
    code: u16,
    method: &str,
) -> Result<(Framing, bool), Failure> {
    let get = |name: &str| {
        headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).to_ascii_lowercase())
            .collect::<Vec<_>>()
    };
    let connection = get("connection").join(",");
    let keep = if version == Some(0) {
        connection.contains("keep-alive")
    } else {
        !connection.contains("close")
    };
    if method == "HEAD" || code == 204 || code == 304 {
        return Ok((Framing::None, keep));
    }
    if get("transfer-encoding")
        .iter()
        .any(|v| v.contains("chunked"))
    {
        return Ok((Framing::Chunked, keep));
    }
    match get("content-length").first() {
        Some(v) => v
            .trim()
            .parse()
            .map(|n| (Framing::Length(n), keep))
            .map_err(|_| Failure::Error("malformed Content-Length".into())),
        None => Ok((Framing::UntilClose, false)),
    }
}

fn find_crlf(b: &[u8]) -> Option<usize> {
    b.windows(2).position(|w| w == b"\r\n")
}

/// Read what is available into `buf`; 0 at end of stream.
async fn read_more(conn: &mut TcpStream, buf: &mut Vec<u8>) -> Result<usize, Failure> {
    buf.reserve(4096);
    match conn.read_buf(buf).await {
        Ok(n) => Ok(n),
        Err(e) if buf.is_empty() => {
            // A reused connection the server reset before answering.
            let _ = e;
            Err(Failure::Stale)
        }
        Err(e) => Err(Failure::Error(e.to_string())),
    }
}

/// Go's wording for common connect errors.
fn go_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => "connection refused".into(),
        std::io::ErrorKind::TimedOut => "i/o timeout".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use consul_types::catalog::status;
    use std::collections::BTreeMap;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    fn spec(url: String) -> HttpSpec {
        HttpSpec {
            url,
            method: String::new(),
            header: BTreeMap::new(),
            body: String::new(),
            tls_skip_verify: false,
        }
    }

    /// A server answering each request on a connection with the next of
    /// `answers` (cycling); counts accepted connections.
    async fn serve(answers: Vec<&'static str>) -> (String, Arc<AtomicUsize>) {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        let conns = Arc::new(AtomicUsize::new(0));
        let c = conns.clone();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = l.accept().await {
                c.fetch_add(1, Ordering::SeqCst);
                let answers = answers.clone();
                tokio::spawn(async move {
                    let mut i = 0;
                    let mut buf = vec![0u8; 4096];
                    loop {
                        match s.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(_) => {}
                        }
                        let a = answers[i % answers.len()];
                        i += 1;
                        if s.write_all(a.as_bytes()).await.is_err() || a.contains("close") {
                            return;
                        }
                    }
                });
            }
        });
        (format!("http://{addr}/health?x=1"), conns)
    }

    #[tokio::test]
    async fn keeps_the_connection_and_maps_codes() {
        let (url, conns) = serve(vec![
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
            "HTTP/1.1 429 Too Many\r\nContent-Length: 4\r\n\r\nslow",
            "HTTP/1.1 503 X\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nbad\r\n4\r\n-day\r\n0\r\n\r\n",
        ])
        .await;
        let mut p = Prober::new(&spec(url.clone())).unwrap();
        let t = Duration::from_secs(5);
        let a = p.probe(t, 4096).await.unwrap();
        assert_eq!(a.status, status::PASSING);
        assert_eq!(a.output, format!("HTTP GET {url}: 200 OK Output: ok"));
        let b = p.probe(t, 4096).await.unwrap();
        assert_eq!(b.status, status::WARNING, "{}", b.output);
        let c = p.probe(t, 4096).await.unwrap();
        assert_eq!(c.status, status::CRITICAL);
        assert!(c.output.ends_with("Output: bad-day"), "{}", c.output);
        assert_eq!(conns.load(Ordering::SeqCst), 1, "one kept-alive connection");
    }

    #[tokio::test]
    async fn reconnects_after_the_server_closes_and_caps_output() {
        let (url, conns) = serve(vec![
            "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 10\r\n\r\n0123456789",
        ])
        .await;
        let mut p = Prober::new(&spec(url)).unwrap();
        for _ in 0..3 {
            let r = p.probe(Duration::from_secs(5), 4).await.unwrap();
            assert_eq!(r.status, status::PASSING);
            assert!(r.output.ends_with("Output: 0123"), "{}", r.output);
        }
        assert_eq!(conns.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn redirects_fall_back_and_refused_is_critical_with_gos_words() {
        let (url, _) = serve(vec![
            "HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n",
        ])
        .await;
        let mut p = Prober::new(&spec(url)).unwrap();
        assert_eq!(p.probe(Duration::from_secs(5), 4096).await, Err(Fallback));

        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        drop(l);
        let mut p = Prober::new(&spec(format!("http://{addr}/"))).unwrap();
        let r = p.probe(Duration::from_secs(5), 4096).await.unwrap();
        assert_eq!(r.status, status::CRITICAL);
        assert!(
            r.output
                .contains(&format!("dial tcp {addr}: connect: connection refused")),
            "{}",
            r.output
        );
    }

    #[tokio::test]
    async fn a_hung_server_times_out() {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((s, _)) = l.accept().await {
                held.push(s);
            }
        });
        let mut p = Prober::new(&spec(format!("http://{addr}/"))).unwrap();
        let r = p.probe(Duration::from_millis(200), 4096).await.unwrap();
        assert_eq!(r.status, status::CRITICAL);
        assert!(r.output.contains("Client.Timeout exceeded"), "{}", r.output);
    }

    #[test]
    fn only_plain_http_urls_are_handled_here() {
        assert!(Prober::new(&spec("https://example.com/".into())).is_none());
        assert!(Prober::new(&spec("http://u:p@example.com/".into())).is_none());
        let p = Prober::new(&spec("http://example.com:8080/a b?c=d".into())).unwrap();
        let req = String::from_utf8(p.request.clone()).unwrap();
        assert!(
            req.starts_with("GET /a%20b?c=d HTTP/1.1\r\nHost: example.com:8080\r\n"),
            "{req}"
        );
    }
}
