//! The web UI in a real browser: starts three dev agents with `-ui` (one at
//! the default `/ui/`, one at a custom content path, one with ACLs on and
//! default deny), then runs
//! `tests/ui/run.mjs`, which drives the system Chromium through
//! playwright-core against them. `./scripts/test.sh` installs Chromium and
//! playwright-core when missing. Screenshots land in `target/ui-screenshots/`.

#[path = "../common/mod.rs"]
mod common;
mod serving;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{bin, reserve_ip, AgentBuilder};

/// The custom content path agent B serves its UI at.
const CUSTOM_PATH: &str = "/custom/console/";
/// The ACL agent's initial management token.
const ACL_ROOT: &str = "ui-root-secret-5f0c2a";
/// Longest the browser run may take.
const RUN_LIMIT: Duration = Duration::from_secs(300);

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn missing_tools(ui_dir: &Path) -> Vec<&'static str> {
    let mut missing = Vec::new();
    let has = |cmd: &str| {
        Command::new(cmd)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !has("node") {
        missing.push("node");
    }
    if !Path::new(&std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()))
        .exists()
    {
        missing.push("chromium");
    }
    if !ui_dir.join("node_modules/playwright-core").exists() {
        missing.push("tests/ui/node_modules/playwright-core");
    }
    missing
}

#[test]
fn browser_tests_pass() {
    let root = repo_root();
    let ui_dir = root.join("tests/ui");
    let missing = missing_tools(&ui_dir);
    assert!(
        missing.is_empty(),
        "the UI browser tests need {missing:?}: run ./scripts/test.sh, which installs them"
    );
    let ip_a = reserve_ip();
    let ip_b = reserve_ip();
    let mut a = AgentBuilder::new(bin(), ip_a.ip())
        .dev(true)
        .arg("-ui")
        .start()
        .expect("agent A starts");
    let mut b = AgentBuilder::new(bin(), ip_b.ip())
        .dev(true)
        .arg("-ui")
        .arg(&format!("-ui-content-path={CUSTOM_PATH}"))
        .start()
        .expect("agent B starts");
    let ip_c = reserve_ip();
    let mut c = AgentBuilder::new(bin(), ip_c.ip())
        .dev(true)
        .arg("-ui")
        .arg("-hcl")
        .arg(&format!(
            r#"acl {{ enabled = true default_policy = "deny" tokens {{ initial_management = "{ACL_ROOT}" }} }}"#
        ))
        .start()
        .expect("agent C (ACLs) starts");
    a.wait_ready(Duration::from_secs(30))
        .expect("agent A ready");
    b.wait_ready(Duration::from_secs(30))
        .expect("agent B ready");
    c.wait_ready(Duration::from_secs(30))
        .expect("agent C ready");

    let shots = root.join("target/ui-screenshots");
    let mut child = Command::new("node")
        .arg(ui_dir.join("run.mjs"))
        .current_dir(&ui_dir)
        .env("UI_AGENT_A", a.url(""))
        .env("UI_AGENT_B", b.url(""))
        .env("UI_AGENT_B_PATH", CUSTOM_PATH)
        .env("UI_AGENT_ACL", c.url(""))
        .env("UI_ACL_TOKEN", ACL_ROOT)
        .env("UI_SCREENSHOTS", &shots)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node starts");
    let mut out = child.stdout.take().expect("piped stdout");
    let mut err = child.stderr.take().expect("piped stderr");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        let mut e = String::new();
        let _ = err.read_to_string(&mut e);
        s + &e
    });
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait for node") {
            break Some(s);
        }
        if started.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let output = reader.join().unwrap_or_default();
    println!("{output}");
    let status = status.unwrap_or_else(|| panic!("browser tests ran over {RUN_LIMIT:?}\n{output}"));
    // The UI sends tokens only as a header, and the agent does not log them.
    assert!(
        !c.log().contains(ACL_ROOT),
        "the ACL agent's log shows the management token"
    );
    assert!(
        status.success(),
        "browser tests failed ({status}); screenshots in {}\n{output}",
        shots.display()
    );
}
