//! The server queried with `dig` (bind9-dnsutils), over UDP and TCP.
//! Skipped, with a message, when `dig` is not installed.

mod common;

use std::net::SocketAddr;

use common::*;
use consul_dns::DnsConfig;

fn have_dig() -> bool {
    let found = std::process::Command::new("dig").arg("-v").output().is_ok();
    if !found {
        eprintln!("SKIPPED: `dig` not found (apt-get install -y bind9-dnsutils)");
    }
    found
}

async fn dig(server: SocketAddr, args: &[&str]) -> String {
    let out = tokio::process::Command::new("dig")
        .arg(format!("@{}", server.ip()))
        .args(["-p", &server.port().to_string(), "+time=3", "+tries=1"])
        .args(args)
        .output()
        .await
        .expect("run dig");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn sorted_lines(s: &str) -> Vec<String> {
    let mut v: Vec<String> = s
        .lines()
        .map(str::to_string)
        .filter(|l| !l.is_empty())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn dig_forms_over_udp_and_tcp() {
    if !have_dig() {
        return;
    }
    let srv = start(DnsConfig::default(), "127.0.0.40").await;
    for transport in ["+notcp", "+tcp"] {
        let out = dig(srv.addr, &[transport, "+short", "a1.node.consul"]).await;
        assert_eq!(sorted_lines(&out), ["127.0.0.11"], "{transport}");
        let out = dig(
            srv.addr,
            &[transport, "+short", "web.service.consul", "SRV"],
        )
        .await;
        assert_eq!(
            sorted_lines(&out),
            [
                "1 10 8080 a1.node.dc1.consul.",
                "1 10 8081 a2.node.dc1.consul."
            ],
            "{transport}"
        );
        let out = dig(
            srv.addr,
            &[transport, "+short", "_web._v2.service.consul", "SRV"],
        )
        .await;
        assert_eq!(sorted_lines(&out), ["1 10 8081 a2.node.dc1.consul."]);
        let out = dig(srv.addr, &[transport, "+short", "a1.node.consul", "TXT"]).await;
        assert_eq!(sorted_lines(&out), ["\"env=test\""]);
        let out = dig(srv.addr, &[transport, "+short", "-x", "127.0.0.12"]).await;
        assert_eq!(sorted_lines(&out), ["a2.node.dc1.consul."]);
        let out = dig(srv.addr, &[transport, "nope.node.consul"]).await;
        assert!(out.contains("status: NXDOMAIN"), "{out}");
        assert!(out.contains("SOA\tns.consul. hostmaster.consul."), "{out}");
        let out = dig(srv.addr, &[transport, "web.service.consul", "SRV"]).await;
        assert!(out.contains("flags: qr aa rd;"), "{out}");
        assert!(out.contains("ADDITIONAL: 4"), "{out}"); // 2 glue, a1 meta TXT, OPT
    }
    srv.stop().await;
}

#[tokio::test]
async fn dig_truncation() {
    if !have_dig() {
        return;
    }
    let cfg = DnsConfig {
        enable_truncate: true,
        ..DnsConfig::default()
    };
    let srv = start(cfg, "127.0.0.41").await;
    // Without EDNS and without TCP retry: 3 answers and TC.
    let out = dig(srv.addr, &["+noedns", "+ignore", "big.service.consul"]).await;
    assert!(out.contains("flags: qr aa tc rd;"), "{out}");
    assert!(out.contains("ANSWER: 3,"), "{out}");
    // dig's default: TC makes it retry over TCP and get all 30.
    let out = dig(srv.addr, &["+noedns", "+short", "big.service.consul"]).await;
    assert_eq!(sorted_lines(&out).len(), 30, "{out}");
    // EDNS 4096: all 30 over UDP.
    let out = dig(
        srv.addr,
        &["+bufsize=4096", "+short", "+notcp", "big.service.consul"],
    )
    .await;
    assert_eq!(sorted_lines(&out).len(), 30, "{out}");
    srv.stop().await;
}
