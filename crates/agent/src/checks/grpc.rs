//! gRPC checks: the standard health protocol (`grpc.health.v1.Health/Check`);
//! `SERVING` is passing, anything else critical. The target is
//! `host:port[/service]`.

use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use consul_types::catalog::status;

use super::{h2conn, Probe};

/// Split `host:port/service` into address and service name.
pub fn split_target(target: &str) -> (&str, &str) {
    target.split_once('/').unwrap_or((target, ""))
}

/// The length-prefixed protobuf `HealthCheckRequest { service }`.
pub fn request_frame(service: &str) -> Bytes {
    let mut msg = BytesMut::new();
    if !service.is_empty() {
        msg.put_u8(0x0a); // field 1, length-delimited
        put_varint(&mut msg, service.len() as u64);
        msg.put_slice(service.as_bytes());
    }
    let mut frame = BytesMut::with_capacity(5 + msg.len());
    frame.put_u8(0); // not compressed
    frame.put_u32(msg.len() as u32);
    frame.put_slice(&msg);
    frame.freeze()
}

fn put_varint(buf: &mut BytesMut, mut v: u64) {
    while v >= 0x80 {
        buf.put_u8((v as u8) | 0x80);
        v >>= 7;
    }
    buf.put_u8(v as u8);
}

/// Read `HealthCheckResponse.status` (field 1, varint) from a gRPC frame.
pub fn response_status(frame: &[u8]) -> Option<u64> {
    let msg = frame.get(5..)?;
    let mut i = 0;
    while i < msg.len() {
        let key = msg[i];
        i += 1;
        let (field, wire) = (key >> 3, key & 7);
        match wire {
            0 => {
                let mut v: u64 = 0;
                let mut shift = 0;
                loop {
                    let b = *msg.get(i)?;
                    i += 1;
                    v |= u64::from(b & 0x7f) << shift;
                    if b & 0x80 == 0 {
                        break;
                    }
                    shift += 7;
                    if shift > 63 {
                        return None;
                    }
                }
                if field == 1 {
                    return Some(v);
                }
            }
            2 => {
                let len = *msg.get(i)? as usize;
                i += 1 + len;
            }
            _ => return None,
        }
    }
    Some(0)
}

/// Ask the target's health service once.
pub async fn probe(target: &str, tls: bool, skip_verify: bool, timeout: Duration) -> Probe {
    let (addr, service) = split_target(target);
    let run = async {
        let (send, conn) = h2conn::connect(addr, tls, skip_verify, timeout).await?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        let mut send = send.ready().await.map_err(|e| e.to_string())?;
        let scheme = if tls { "https" } else { "http" };
        let req = http::Request::post(format!("{scheme}://{addr}/grpc.health.v1.Health/Check"))
            .header("content-type", "application/grpc")
            .header("te", "trailers")
            .body(())
            .map_err(|e| e.to_string())?;
        let (resp, mut stream) = send.send_request(req, false).map_err(|e| e.to_string())?;
        stream
            .send_data(request_frame(service), true)
            .map_err(|e| e.to_string())?;
        let resp = resp.await.map_err(|e| e.to_string())?;
        let mut body = resp.into_body();
        let mut data = Vec::new();
        while let Some(chunk) = body.data().await {
            let chunk = chunk.map_err(|e| e.to_string())?;
            let _ = body.flow_control().release_capacity(chunk.len());
            data.extend_from_slice(&chunk);
        }
        let trailers = body.trailers().await.map_err(|e| e.to_string())?;
        let grpc_status = trailers
            .as_ref()
            .and_then(|t| t.get("grpc-status"))
            .and_then(|v| v.to_str().ok())
            .unwrap_or("0")
            .to_string();
        if grpc_status != "0" {
            return Err(format!("rpc error: code = {grpc_status}"));
        }
        response_status(&data).ok_or_else(|| "malformed health response".to_string())
    };
    match tokio::time::timeout(timeout, run).await {
        Ok(Ok(1)) => Probe {
            status: status::PASSING,
            output: format!("gRPC check {target}: success"),
        },
        Ok(Ok(s)) => Probe::critical(format!("gRPC {target} serving status: {}", serving_name(s))),
        Ok(Err(e)) => Probe::critical(format!("gRPC {target}: {e}")),
        Err(_) => Probe::critical(format!("gRPC {target}: timed out")),
    }
}

fn serving_name(s: u64) -> &'static str {
    match s {
        0 => "UNKNOWN",
        1 => "SERVING",
        2 => "NOT_SERVING",
        3 => "SERVICE_UNKNOWN",
        _ => "INVALID",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_encode_and_decode() {
        assert_eq!(&request_frame("")[..], &[0, 0, 0, 0, 0]);
        assert_eq!(
            &request_frame("ab")[..],
            &[0, 0, 0, 0, 4, 0x0a, 2, b'a', b'b']
        );
        assert_eq!(response_status(&[0, 0, 0, 0, 2, 0x08, 1]), Some(1));
        assert_eq!(response_status(&[0, 0, 0, 0, 0]), Some(0));
        assert_eq!(response_status(&[0, 0, 0]), None);
        assert_eq!(
            split_target("127.0.0.1:9000/web"),
            ("127.0.0.1:9000", "web")
        );
    }

    /// A minimal h2c health server answering SERVING.
    #[tokio::test]
    async fn h2c_health_server_passes() {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap().to_string();
        tokio::spawn(async move {
            let (s, _) = l.accept().await.unwrap();
            let mut conn = h2::server::handshake(s).await.unwrap();
            while let Some(Ok((req, mut respond))) = conn.accept().await {
                let mut body = req.into_body();
                while let Some(Ok(_)) = body.data().await {}
                let resp = http::Response::builder()
                    .header("content-type", "application/grpc")
                    .body(())
                    .unwrap();
                let mut send = respond.send_response(resp, false).unwrap();
                send.send_data(Bytes::from_static(&[0, 0, 0, 0, 2, 0x08, 1]), false)
                    .unwrap();
                let mut trailers = http::HeaderMap::new();
                trailers.insert("grpc-status", "0".parse().unwrap());
                send.send_trailers(trailers).unwrap();
            }
        });
        let p = probe(&format!("{addr}/svc"), false, false, Duration::from_secs(5)).await;
        assert_eq!(p.status, status::PASSING, "{}", p.output);
    }
}
