//! Harnesses often start an agent with its output on pipes they never read.
//! Once such a pipe is full the agent must still answer, and a leave must
//! still make it exit (it used to block on its next log line, forever).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::common::*;

/// Kills the child when the test ends, however it ends.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn an_agent_whose_output_nobody_reads_keeps_serving_and_exits_on_leave() {
    let ip = reserve_ip();
    let addr = ip.ip().to_string();
    let child = Command::new(bin())
        .args(["agent", "-dev", "-node", "pipes", "-log-level", "trace"])
        .args(["-bind", &addr, "-client", &addr])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(child);
    let url = |p: &str| format!("http://{addr}:8500{p}");
    assert!(
        wait_until(Duration::from_secs(30), || http(
            "GET",
            &url("/v1/status/leader"),
            None
        )
        .is_ok_and(|(s, _, b)| s == 200 && b.len() > 2)),
        "agent never ready"
    );
    // Trace logging of 2,000 writes is far more than a 64 KiB pipe holds.
    for i in 0..2000 {
        let (status, _, _) = http("PUT", &url(&format!("/v1/kv/fill/{i}")), Some(b"x"))
            .unwrap_or_else(|e| panic!("write {i} failed: {e}"));
        assert_eq!(status, 200, "write {i}");
    }
    let (status, _, _) = http("PUT", &url("/v1/agent/leave"), None).unwrap();
    assert_eq!(status, 200);
    let deadline = Instant::now() + Duration::from_secs(30);
    let exited = loop {
        if let Some(st) = child.0.try_wait().unwrap() {
            break Some(st);
        }
        if Instant::now() > deadline {
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        exited.is_some_and(|s| s.success()),
        "the agent exits 0 after a leave: {exited:?}"
    );
}
