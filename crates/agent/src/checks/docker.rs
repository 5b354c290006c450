//! Docker checks run a command inside a container through the Docker
//! engine's API, as Consul does: create an exec (`POST
//! /containers/<id>/exec`), start it attached (`POST /exec/<id>/start`,
//! whose answer is the multiplexed stdout/stderr stream), then read its exit
//! code (`GET /exec/<id>/json`). Exit 0 is passing, 1 warning, anything else
//! critical. The engine is found through `DOCKER_HOST` (`unix://…` or
//! `tcp://…`), else `/var/run/docker.sock`; without one the check is
//! critical and says why.

use std::time::Duration;

use consul_types::catalog::status;
use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::Probe;

/// Where the Docker engine listens by default.
pub const DOCKER_SOCKET: &str = "/var/run/docker.sock";

/// A docker check: the container and the command run in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DockerSpec {
    /// `DockerContainerID`.
    pub container: String,
    /// The command: `Args`, or `[Shell, "-c", Script]` (shell `/bin/sh` by default).
    pub cmd: Vec<String>,
}

/// How to reach the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Engine {
    /// A unix socket path.
    Unix(String),
    /// A TCP `host:port`.
    Tcp(String),
}

impl Engine {
    /// From `DOCKER_HOST`, else the default socket.
    pub fn from_env() -> Engine {
        Engine::parse(std::env::var("DOCKER_HOST").ok().as_deref())
    }

    /// From a `DOCKER_HOST` value.
    pub fn parse(host: Option<&str>) -> Engine {
        match host {
            Some(h) if h.starts_with("unix://") => Engine::Unix(h["unix://".len()..].to_string()),
            Some(h) if h.starts_with("tcp://") => Engine::Tcp(h["tcp://".len()..].to_string()),
            _ => Engine::Unix(DOCKER_SOCKET.to_string()),
        }
    }

    fn describe(&self) -> String {
        match self {
            Engine::Unix(p) => format!("unix://{p}"),
            Engine::Tcp(a) => format!("tcp://{a}"),
        }
    }
}

/// Probe once within `timeout`, keeping at most `max_output` bytes of output.
pub async fn probe(
    engine: &Engine,
    spec: &DockerSpec,
    timeout: Duration,
    max_output: usize,
) -> Probe {
    match tokio::time::timeout(timeout, run(engine, spec)).await {
        Ok(Ok((code, output))) => {
            let state = match code {
                0 => status::PASSING,
                1 => status::WARNING,
                _ => status::CRITICAL,
            };
            Probe {
                status: state,
                output: super::cap_output(&output, max_output),
            }
        }
        Ok(Err(e)) => Probe::critical(format!(
            "docker check on container {:?}: {e}",
            spec.container
        )),
        Err(_) => Probe::critical(format!(
            "docker check on container {:?}: timed out after {timeout:?}",
            spec.container
        )),
    }
}

/// Create, start and inspect the exec; its exit code and output.
async fn run(engine: &Engine, spec: &DockerSpec) -> Result<(i64, String), String> {
    let create = json!({
        "AttachStdout": true,
        "AttachStderr": true,
        "Tty": false,
        "Cmd": spec.cmd,
    });
    let path = format!("/containers/{}/exec", encode_segment(&spec.container));
    let (code, body) = request(engine, "POST", &path, Some(&create)).await?;
    match code {
        200 | 201 => {}
        404 => return Err(format!("no such container: {}", spec.container)),
        _ => return Err(format!("create exec: HTTP {code}: {}", api_message(&body))),
    }
    let id = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v["Id"].as_str().map(str::to_string))
        .ok_or("create exec: answer without an Id")?;
    let start = json!({ "Detach": false, "Tty": false });
    let (code, stream) =
        request(engine, "POST", &format!("/exec/{id}/start"), Some(&start)).await?;
    if code != 200 && code != 101 {
        return Err(format!("start exec: HTTP {code}: {}", api_message(&stream)));
    }
    let output = demux(&stream);
    let (code, body) = request(engine, "GET", &format!("/exec/{id}/json"), None).await?;
    if code != 200 {
        return Err(format!("inspect exec: HTTP {code}: {}", api_message(&body)));
    }
    let exit = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v["ExitCode"].as_i64())
        .ok_or("inspect exec: answer without an ExitCode")?;
    Ok((exit, String::from_utf8_lossy(&output).into_owned()))
}

/// The engine's `{"message": …}` error text, or the raw body.
fn api_message(body: &[u8]) -> String {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v["message"].as_str().map(str::to_string))
        .unwrap_or_else(|| String::from_utf8_lossy(body).trim().to_string())
}

/// Percent-encode a path segment (container names are plain, but be safe).
fn encode_segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

async fn connect(engine: &Engine) -> Result<Box<dyn Stream>, String> {
    let unreachable = |e: std::io::Error| {
        format!(
            "cannot reach the Docker engine at {}: {e}",
            engine.describe()
        )
    };
    Ok(match engine {
        Engine::Unix(p) => Box::new(
            tokio::net::UnixStream::connect(p)
                .await
                .map_err(unreachable)?,
        ),
        Engine::Tcp(a) => Box::new(
            tokio::net::TcpStream::connect(a.as_str())
                .await
                .map_err(unreachable)?,
        ),
    })
}

/// One request on its own connection (`Connection: close`); the status and
/// the whole body.
async fn request(
    engine: &Engine,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> Result<(u16, Vec<u8>), String> {
    let mut conn = connect(engine).await?;
    let payload = body.map(|b| b.to_string()).unwrap_or_default();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: docker\r\nUser-Agent: Consul Health Check\r\nConnection: close\r\n");
    if body.is_some() {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            payload.len()
        ));
    }
    head.push_str("\r\n");
    head.push_str(&payload);
    conn.write_all(head.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    conn.read_to_end(&mut raw)
        .await
        .map_err(|e| e.to_string())?;
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut resp = httparse::Response::new(&mut headers);
    let len = match resp.parse(&raw) {
        Ok(httparse::Status::Complete(n)) => n,
        _ => return Err("malformed answer from the Docker engine".into()),
    };
    let code = resp.code.unwrap_or(0);
    let header = |name: &str| {
        resp.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).to_ascii_lowercase())
    };
    let body = &raw[len..];
    let body = if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        dechunk(body)
    } else if let Some(n) = header("content-length").and_then(|v| v.trim().parse::<usize>().ok()) {
        body[..n.min(body.len())].to_vec()
    } else {
        body.to_vec()
    };
    Ok((code, body))
}

/// Decode a complete chunked body (stops at the last chunk or the end).
fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(i) = b.windows(2).position(|w| w == b"\r\n") {
        let text = String::from_utf8_lossy(&b[..i]);
        let Ok(size) = usize::from_str_radix(text.split(';').next().unwrap_or("").trim(), 16)
        else {
            break;
        };
        b = &b[i + 2..];
        if size == 0 || b.len() < size {
            out.extend_from_slice(&b[..size.min(b.len())]);
            break;
        }
        out.extend_from_slice(&b[..size]);
        b = b.get(size + 2..).unwrap_or(&[]);
    }
    out
}

/// Join the stdout/stderr frames of Docker's multiplexed stream (8-byte
/// headers: stream, 0, 0, 0, big-endian length); a stream that is not
/// multiplexed (a TTY) is returned as it is.
pub fn demux(stream: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = stream;
    while !rest.is_empty() {
        let framed = rest.len() >= 8 && rest[0] <= 2 && rest[1..4] == [0, 0, 0];
        if !framed {
            return stream.to_vec();
        }
        let len = u32::from_be_bytes([rest[4], rest[5], rest[6], rest[7]]) as usize;
        let end = (8 + len).min(rest.len());
        out.extend_from_slice(&rest[8..end]);
        rest = &rest[end..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use tokio::io::AsyncBufReadExt;

    fn frame(stream: u8, data: &[u8]) -> Vec<u8> {
        let mut f = vec![stream, 0, 0, 0];
        f.extend_from_slice(&(data.len() as u32).to_be_bytes());
        f.extend_from_slice(data);
        f
    }

    #[test]
    fn demux_joins_frames_and_passes_tty_output() {
        let mut s = frame(1, b"out\n");
        s.extend(frame(2, b"err\n"));
        assert_eq!(demux(&s), b"out\nerr\n");
        assert_eq!(demux(b"plain tty output"), b"plain tty output");
        assert_eq!(dechunk(b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"), b"abcde");
    }

    #[test]
    fn engine_from_docker_host() {
        assert_eq!(Engine::parse(None), Engine::Unix(DOCKER_SOCKET.into()));
        assert_eq!(
            Engine::parse(Some("unix:///tmp/d.sock")),
            Engine::Unix("/tmp/d.sock".into())
        );
        assert_eq!(
            Engine::parse(Some("tcp://127.0.0.1:2375")),
            Engine::Tcp("127.0.0.1:2375".into())
        );
    }

    /// A fake engine on a unix socket: one container `web` whose exec
    /// prints the command and exits with `exit`; records the commands.
    async fn fake_engine(dir: &std::path::Path, exit: i64) -> (Engine, Arc<Mutex<Vec<Value>>>) {
        let path = dir.join("docker.sock");
        let listener = tokio::net::UnixListener::bind(&path).unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        tokio::spawn(async move {
            while let Ok((s, _)) = listener.accept().await {
                let log = log.clone();
                tokio::spawn(async move {
                    let mut r = tokio::io::BufReader::new(s);
                    let mut line = String::new();
                    r.read_line(&mut line).await.unwrap();
                    let mut len = 0;
                    loop {
                        let mut h = String::new();
                        r.read_line(&mut h).await.unwrap();
                        if h == "\r\n" {
                            break;
                        }
                        if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                            len = v.trim().parse().unwrap();
                        }
                    }
                    let mut body = vec![0; len];
                    r.read_exact(&mut body).await.unwrap();
                    let (status, out): (&str, Vec<u8>) =
                        if line.starts_with("POST /containers/web/exec ") {
                            let v: Value = serde_json::from_slice(&body).unwrap();
                            log.lock().unwrap().push(v["Cmd"].clone());
                            ("201 Created", br#"{"Id":"e1"}"#.to_vec())
                        } else if line.starts_with("POST /containers/") {
                            (
                                "404 Not Found",
                                br#"{"message":"No such container: gone"}"#.to_vec(),
                            )
                        } else if line.starts_with("POST /exec/e1/start ") {
                            let mut s = frame(1, b"hello from ");
                            s.extend(frame(2, b"the container"));
                            ("200 OK", s)
                        } else if line.starts_with("GET /exec/e1/json ") {
                            (
                                "200 OK",
                                format!(r#"{{"ExitCode":{exit},"Running":false}}"#).into_bytes(),
                            )
                        } else {
                            ("400 Bad Request", b"{}".to_vec())
                        };
                    let mut s = r.into_inner();
                    let head =
                        format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n\r\n", out.len());
                    s.write_all(head.as_bytes()).await.unwrap();
                    s.write_all(&out).await.unwrap();
                });
            }
        });
        (Engine::Unix(path.display().to_string()), seen)
    }

    #[tokio::test]
    async fn runs_the_command_in_the_container_and_maps_exit_codes() {
        for (exit, want) in [
            (0, status::PASSING),
            (1, status::WARNING),
            (2, status::CRITICAL),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let (engine, seen) = fake_engine(dir.path(), exit).await;
            let spec = DockerSpec {
                container: "web".into(),
                cmd: vec!["/bin/sh".into(), "-c".into(), "curl localhost".into()],
            };
            let p = probe(&engine, &spec, Duration::from_secs(5), 4096).await;
            assert_eq!(
                (p.status, p.output.as_str()),
                (want, "hello from the container")
            );
            assert_eq!(
                seen.lock().unwrap()[0],
                json!(["/bin/sh", "-c", "curl localhost"])
            );
        }
    }

    #[tokio::test]
    async fn a_missing_container_or_engine_is_critical_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let (engine, _) = fake_engine(dir.path(), 0).await;
        let spec = DockerSpec {
            container: "gone".into(),
            cmd: vec!["true".into()],
        };
        let p = probe(&engine, &spec, Duration::from_secs(5), 4096).await;
        assert_eq!(p.status, status::CRITICAL);
        assert!(p.output.contains("no such container: gone"), "{}", p.output);

        let none = Engine::Unix(dir.path().join("absent.sock").display().to_string());
        let p = probe(&none, &spec, Duration::from_secs(5), 4096).await;
        assert_eq!(p.status, status::CRITICAL);
        assert!(
            p.output
                .contains("cannot reach the Docker engine at unix://"),
            "{}",
            p.output
        );
    }
}
