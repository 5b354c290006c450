//! Interop with a real HashiCorp Consul 1.10 agent (when `/opt/consul-ref-bin/consul` is
//! installed): a client agent of theirs joined to our LAN pool decodes the events we fire
//! and applies their filters, so the gossip body is Consul's.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::common::*;
use super::{events, fire};

const REFERENCE: &str = "/opt/consul-ref-bin/consul";

/// A reference `consul agent` (client mode), killed on drop.
struct Reference {
    child: Child,
    ip: String,
    _dir: tempfile::TempDir,
}

impl Drop for Reference {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Reference {
    fn url(&self, path: &str) -> String {
        format!("http://{}:8500{path}", self.ip)
    }
}

#[test]
fn a_real_consul_agent_decodes_our_events_and_applies_their_filters() {
    if !Path::new(REFERENCE).exists() {
        eprintln!("NOTICE: {REFERENCE} not installed; skipping the reference interop test");
        return;
    }
    let (_ip, ours) = dev_agent();
    let ref_ip = reserve_ip();
    let dir = tempfile::tempdir().unwrap();
    let ip = ref_ip.ip().to_string();
    let child = Command::new(REFERENCE)
        .args(["agent", "-node", "reference", "-bind", &ip, "-client", &ip])
        .arg("-data-dir")
        .arg(dir.path())
        .arg("-join")
        .arg(ours.ip.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn reference consul");
    let theirs = Reference {
        child,
        ip,
        _dir: dir,
    };
    let joined = wait_until(Duration::from_secs(30), || {
        http("GET", &ours.url("/v1/agent/members"), None)
            .is_ok_and(|(_, _, b)| String::from_utf8_lossy(&b).contains("\"reference\""))
    });
    assert!(joined, "reference agent did not join:\n{}", ours.log());

    let for_them = fire(
        &ours,
        "/v1/event/fire/deploy?node=%5Ereference%24",
        b"build-7",
    );
    let not_for_them = fire(
        &ours,
        &format!("/v1/event/fire/local?node=%5E{}%24", ours.node),
        b"",
    );
    let marker = fire(&ours, "/v1/event/fire/marker", b"");
    let listed = |url: &str| -> Vec<serde_json::Value> {
        http("GET", url, None)
            .ok()
            .and_then(|(_, _, b)| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default()
    };
    let got = wait_until(Duration::from_secs(30), || {
        listed(&theirs.url("/v1/event/list"))
            .iter()
            .any(|e| e["ID"] == marker["ID"])
    });
    assert!(got, "the reference agent never listed our event");
    let theirs_list = listed(&theirs.url("/v1/event/list"));
    let ids: Vec<&serde_json::Value> = theirs_list.iter().map(|e| &e["ID"]).collect();
    assert!(ids.contains(&&for_them["ID"]), "{theirs_list:?}");
    assert!(
        !ids.contains(&&not_for_them["ID"]),
        "their node filter dropped it: {theirs_list:?}"
    );
    let deploy = theirs_list
        .iter()
        .find(|e| e["ID"] == for_them["ID"])
        .unwrap();
    assert_eq!(deploy["Payload"], "YnVpbGQtNw==");
    assert_eq!(deploy["NodeFilter"], "^reference$");
    assert_eq!(deploy["Version"], 1);
    // We keep the one for us and drop theirs, with the same Lamport time on both sides.
    let ours_list = events(&ours, "");
    assert!(ours_list.iter().any(|e| e["ID"] == not_for_them["ID"]));
    assert!(!ours_list.iter().any(|e| e["ID"] == for_them["ID"]));
    let our_marker = ours_list.iter().find(|e| e["ID"] == marker["ID"]).unwrap();
    let their_marker = theirs_list
        .iter()
        .find(|e| e["ID"] == marker["ID"])
        .unwrap();
    assert_eq!(our_marker["LTime"], their_marker["LTime"]);
}
