//! `consul lock`: runs the child while holding `PREFIX/.lock` (the Go
//! recipe's key and flag), releases and cleans up when the child exits, and
//! signals the child when the lock is lost.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use consul_testkit::run_cli;

use super::common::*;

const LOCK_FLAG: u64 = 0x2ddccbc058a50c18;

/// A `consul lock` process, killed by PID if still running when dropped.
struct LockProc(Child);

impl Drop for LockProc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn_lock(a: &Agent, args: &[&str]) -> LockProc {
    let child = Command::new(bin())
        .arg("lock")
        .arg("-http-addr")
        .arg(&a.http_addr)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("consul lock starts");
    LockProc(child)
}

fn wait_exit(p: &mut LockProc, timeout: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if let Some(s) = p.0.try_wait().unwrap() {
            return Some(s);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

fn stderr_of(p: &mut LockProc) -> String {
    use std::io::Read;
    let mut s = String::new();
    if let Some(e) = p.0.stderr.as_mut() {
        let _ = e.read_to_string(&mut s);
    }
    s
}

#[test]
fn consul_lock_holds_the_lock_while_the_child_runs_and_cleans_up() {
    let (_ip, a) = dev_agent();
    let out = run_cli(
        bin(),
        &["lock", "-http-addr", &a.http_addr, "locks/b", "echo hi"],
        &[],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.err());
    assert_eq!(out.out(), "hi\n");
    // Released, its session destroyed, the unused key deleted.
    assert_eq!(call(&a, "GET", "/v1/kv/locks/b/.lock", None).0, 404);
    assert_eq!(get_json(&a, "/v1/session/list"), serde_json::json!([]));
    // A failing child: exit 2 with -child-exit-code, 0 without.
    let code = |extra: &[&str]| {
        let mut args = vec!["lock", "-http-addr", &a.http_addr];
        args.extend_from_slice(extra);
        args.extend(["locks/c", "exit 3"]);
        run_cli(bin(), &args, &[], None).code
    };
    assert_eq!(code(&["-child-exit-code"]), 2);
    assert_eq!(code(&[]), 0);

    // While one holds the lock, another gives up after -timeout.
    let dir = tempfile::tempdir().unwrap();
    let started = dir.path().join("started");
    let script = format!("touch {}; sleep 60", started.display());
    let mut holder = spawn_lock(&a, &["locks/a", &script]);
    assert!(wait_until(Duration::from_secs(20), || started.exists()));
    let e = &get_json(&a, "/v1/kv/locks/a/.lock")[0];
    assert_eq!(e["Flags"].as_u64(), Some(LOCK_FLAG));
    let session = e["Session"].as_str().expect("held").to_string();
    let s = &get_json(&a, &format!("/v1/session/info/{session}"))[0];
    assert_eq!(
        s["Name"],
        format!("Consul lock for '{script}' at 'locks/a'")
    );
    assert_eq!(s["TTL"], "15s");
    let out = run_cli(
        bin(),
        &[
            "lock",
            "-http-addr",
            &a.http_addr,
            "-timeout",
            "1s",
            "locks/a",
            "true",
        ],
        &[],
        None,
    );
    assert_eq!(out.code, 1);
    assert!(
        out.err()
            .contains("Shutdown triggered or timeout during lock acquisition"),
        "{}",
        out.err()
    );
    let _ = holder.0.kill();
}

#[test]
fn consul_lock_signals_the_child_when_the_lock_is_lost() {
    let (_ip, a) = dev_agent();
    let dir = tempfile::tempdir().unwrap();
    let (started, termed) = (dir.path().join("started"), dir.path().join("termed"));
    let script = format!(
        "trap 'touch {}; exit 0' TERM; touch {}; while true; do sleep 0.1; done",
        termed.display(),
        started.display()
    );
    let mut p = spawn_lock(&a, &["locks/lost", &script]);
    assert!(wait_until(Duration::from_secs(20), || started.exists()));
    let session = get_json(&a, "/v1/kv/locks/lost/.lock")[0]["Session"]
        .as_str()
        .expect("held")
        .to_string();
    // Take the session away: the lock is lost.
    put_ok(&a, &format!("/v1/session/destroy/{session}"), "");
    let status = wait_exit(&mut p, Duration::from_secs(30)).expect("consul lock exits");
    assert!(termed.exists(), "the child was not sent SIGTERM");
    // As with Go's recipe, releasing a lost lock is not an error, and the
    // free key is cleaned up.
    assert_eq!(status.code(), Some(0), "{}", stderr_of(&mut p));
    assert_eq!(call(&a, "GET", "/v1/kv/locks/lost/.lock", None).0, 404);
}

#[test]
fn consul_lock_n_admits_n_holders_and_hands_a_slot_over_on_interrupt() {
    let (_ip, a) = dev_agent();
    let dir = tempfile::tempdir().unwrap();
    let marker = |i: usize| dir.path().join(format!("started-{i}"));
    let mut procs: Vec<LockProc> = (0..3)
        .map(|i| {
            let script = format!("touch {}; sleep 60", marker(i).display());
            spawn_lock(&a, &["-n", "2", "sema/cli", &script])
        })
        .collect();
    let running = || (0..3).filter(|i| marker(*i).exists()).count();
    assert!(wait_until(Duration::from_secs(20), || running() == 2));
    // The third is a contender waiting for a slot.
    assert!(wait_until(Duration::from_secs(10), || {
        call(&a, "GET", "/v1/kv/sema/cli?keys", None)
            .1
            .matches("sema/cli/")
            .count()
            == 4
    }));
    assert_eq!(running(), 2);
    let lock = &get_json(&a, "/v1/kv/sema/cli/.lock")[0];
    assert_eq!(lock["Flags"].as_u64(), Some(0xe0f69a2baa414de0));
    // Interrupt one holder: it stops its child and gives its slot back.
    let first = (0..3).find(|i| marker(*i).exists()).unwrap();
    let pid = procs[first].0.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    wait_exit(&mut procs[first], Duration::from_secs(30)).expect("the holder exits");
    assert!(
        wait_until(Duration::from_secs(30), || running() == 3),
        "the waiting contender never got the slot"
    );
}
