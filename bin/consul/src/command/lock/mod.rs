//! `consul lock [options] PREFIX CHILD...`: run CHILD while holding the lock
//! at `PREFIX/.lock`, the way the Go `api` package's `Lock` recipe takes it
//! (a 15 s TTL session renewed in the background, the key acquired with the
//! lock flag, monitored by blocking queries), so it interoperates with Go
//! clients on the same prefix. When the lock is lost the child gets SIGTERM,
//! then SIGKILL after a 5 s grace period; on the child's exit (or an
//! interrupt) the lock is released, the session destroyed and the key
//! cleaned up if no one else uses it.
//!
//! With `-n` > 1 it takes a slot of the Go `Semaphore` recipe at `PREFIX`
//! instead (`semaphore.rs`).

use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::anyhow;
use consul_api::kv::PutOptions;
use consul_api::{ApiError, Client, QueryOptions, WriteOptions};
use consul_types::duration::parse_go_duration;
use serde_json::json;

use crate::command::flags::{FlagSet, Kind};
use crate::command::{http, ui};

mod semaphore;

/// `api.LockFlagValue`: the flags of a key used as a lock.
pub const LOCK_FLAG: u64 = 0x2ddccbc058a50c18;
/// The lock session's TTL (`api.DefaultLockSessionTTL`).
const SESSION_TTL: &str = "15s";
/// How long one blocking wait on the key lasts (`api.DefaultLockWaitTime`).
const LOCK_WAIT: Duration = Duration::from_secs(15);
/// Pause after an acquire refused on a free key, i.e. within its lock-delay
/// (`api.DefaultLockRetryTime`).
const LOCK_RETRY: Duration = Duration::from_secs(5);
/// Between a failed monitor query and the next (`defaultMonitorRetryTime`).
pub(crate) const MONITOR_RETRY_TIME: Duration = Duration::from_secs(1);
/// SIGTERM, then this long before SIGKILL (`lockKillGracePeriod`).
const KILL_GRACE: Duration = Duration::from_secs(5);

const HELP: &str = r#"Usage: consul lock [options] prefix child...

  Acquires a lock or semaphore at a given path, and invokes a child process
  when successful. The child process can assume the lock is held while it
  executes. If the lock is lost or communication is disrupted the child
  process will be sent a SIGTERM signal and given time to gracefully exit.
  After the grace period expires the process will be hard terminated.

  For Consul agents on Windows, the child process is always hard terminated
  with a SIGKILL, since Windows has no POSIX compatible notion for SIGTERM.

  When -n=1, only a single lock holder or leader exists providing mutual
  exclusion. Setting a higher value switches to a semaphore allowing multiple
  holders to coordinate.

  The prefix provided must have write privileges."#;

fn flags() -> FlagSet {
    let mut fs = FlagSet::new(HELP);
    fs.flag(
        "child-exit-code",
        Kind::Bool,
        "",
        "Exit 2 if the child process exited with an error if this is true, \
         otherwise this doesn't propagate an error from the child. The default \
         value is false.",
    )
    .flag(
        "monitor-retry",
        Kind::U64,
        "3",
        "Number of times to retry if Consul returns a 500 error while monitoring \
         the lock. This allows riding out brief periods of unavailability \
         without causing leader elections, but increases the amount of time \
         required to detect a lost lock in some cases. Defaults to 3, with a \
         1s wait between retries. Set to 0 to disable.",
    )
    .flag(
        "n",
        Kind::U64,
        "1",
        "Optional limit on the number of concurrent lock holders. The underlying \
         implementation switches from a lock to a semaphore when the value is \
         greater than 1. The default value is 1.",
    )
    .flag(
        "name",
        Kind::Str,
        "",
        "Optional name to associate with the lock session. It not provided, one \
         is generated based on the provided child command.",
    )
    .flag(
        "pass-stdin",
        Kind::Bool,
        "",
        "Pass stdin to the child process.",
    )
    .flag(
        "shell",
        Kind::Bool,
        "true",
        "Use a shell to run the command (can set a custom shell via the SHELL \
         environment variable).",
    )
    .flag(
        "timeout",
        Kind::Str,
        "",
        "Maximum amount of time to wait to acquire the lock.",
    )
    .flag("try", Kind::Str, "", "DEPRECATED. Use -timeout instead.")
    .flag(
        "verbose",
        Kind::Bool,
        "",
        "Enable verbose (debugging) output.",
    );
    http::client_flags(&mut fs);
    http::server_flags(&mut fs);
    fs
}

/// Run `consul lock`.
pub fn run(args: &[String]) -> i32 {
    let p = match ui::parse(&flags(), args) {
        Ok(p) => p,
        Err(code) => return code,
    };
    ui::block_on(async move {
        if p.u64("n") == 0 {
            return Err(anyhow!("Lock holder limit must be positive"));
        }
        if p.args.len() < 2 {
            return Err(anyhow!("Key prefix and child command must be specified"));
        }
        let prefix = p.args[0].trim_start_matches('/').to_string();
        let child: Vec<String> = p.args[1..].to_vec();
        let timeout = match p.str("timeout").filter(|s| !s.is_empty()).or(p.str("try")) {
            None | Some("") => None,
            Some(t) => Some(
                parse_go_duration(t)
                    .map_err(|e| anyhow!("invalid value {t:?} for flag -timeout: {e}"))?,
            ),
        }
        .filter(|d| !d.is_zero());
        let name = p
            .str("name")
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| format!("Consul lock for '{}' at '{prefix}'", child.join(" ")));
        let client = http::client(&p)?;
        let verbose = p.bool("verbose");
        let opts = Options {
            key: format!("{prefix}/.lock"),
            prefix: prefix.clone(),
            limit: p.u64("n"),
            name,
            timeout,
            monitor_retries: p.u64("monitor-retry"),
            verbose,
        };
        let run = Run {
            child,
            shell: p.bool("shell"),
            pass_stdin: p.bool("pass-stdin"),
            propagate: p.bool("child-exit-code"),
        };
        lock_and_run(&client, &opts, &run).await
    })
}

struct Options {
    key: String,
    prefix: String,
    limit: u64,
    name: String,
    timeout: Option<Duration>,
    monitor_retries: u64,
    verbose: bool,
}

struct Run {
    child: Vec<String>,
    shell: bool,
    pass_stdin: bool,
    propagate: bool,
}

fn info(verbose: bool, msg: &str) {
    if verbose {
        ui::out(format!("{msg}\n"));
    }
}

/// What ended the wait for the lock.
pub(crate) enum Acquired {
    Yes,
    /// Timed out or interrupted.
    No,
}

async fn lock_and_run(client: &Client, o: &Options, r: &Run) -> anyhow::Result<i32> {
    let w = WriteOptions::default();
    if o.limit > 1 {
        info(
            o.verbose,
            &format!(
                "Setting up semaphore (limit {}) at prefix: {}",
                o.limit, o.prefix
            ),
        );
    } else {
        info(o.verbose, &format!("Setting up lock at path: {}", o.key));
    }
    let session = client
        .session()
        .create(&json!({"Name": o.name, "TTL": SESSION_TTL}), &w)
        .await
        .map_err(|e| anyhow!("Lock acquisition failed: failed to create session: {e}"))?;
    let renewer = tokio::spawn(renew_periodically(client.clone(), session.clone()));
    info(o.verbose, "Attempting lock acquisition");
    let mut interrupt = Box::pin(ui::interrupted());
    let acquired = tokio::select! {
        a = async {
            if o.limit > 1 {
                semaphore::acquire(client, &o.prefix, o.limit, &session, o.timeout).await
            } else {
                acquire(client, o, &session).await
            }
        } => a,
        _ = &mut interrupt => Ok(Acquired::No),
    };
    let acquired = match acquired {
        Ok(a) => a,
        Err(e) => {
            cleanup_session(client, &session, renewer).await;
            return Err(anyhow!("Lock acquisition failed: {e}"));
        }
    };
    if matches!(acquired, Acquired::No) {
        cleanup_session(client, &session, renewer).await;
        return Err(anyhow!(
            "Shutdown triggered or timeout during lock acquisition"
        ));
    }
    let mut child = spawn_child(r)?;
    let mut child_code = 0;
    tokio::select! {
        status = child.wait() => {
            if !status.map(|s| s.success()).unwrap_or(false) {
                child_code = 2;
            }
            info(o.verbose, "Child terminated, releasing lock");
        }
        () = async {
            if o.limit > 1 {
                semaphore::monitor(client, &o.prefix, o.limit, &session, o.monitor_retries).await
            } else {
                monitor(client, o, &session).await
            }
        } => {
            info(o.verbose, "Lock lost, killing child");
            kill_child(&mut child, o.verbose).await;
        }
        _ = &mut interrupt => {
            info(o.verbose, "Shutdown triggered, killing child");
            kill_child(&mut child, o.verbose).await;
        }
    }
    // Release (a lost lock's release is a harmless `false`, as in Go).
    let released = if o.limit > 1 {
        semaphore::release(client, &o.prefix, o.limit, &session).await
    } else {
        let opts = PutOptions {
            flags: LOCK_FLAG,
            release: Some(session.clone()),
            ..Default::default()
        };
        client.kv().put(&o.key, &[], &opts, &w).await.map(|_| ())
    };
    cleanup_session(client, &session, renewer).await;
    released.map_err(|e| anyhow!("Lock release failed: {e}"))?;
    let cleaned = if o.limit > 1 {
        semaphore::cleanup(client, &o.prefix, o.limit).await
    } else {
        cleanup_lock(client, &o.key).await
    };
    match cleaned {
        Ok(true) => info(o.verbose, "Cleanup succeeded"),
        Ok(false) => info(o.verbose, "Cleanup aborted, lock in use"),
        Err(e) => return Err(anyhow!("Lock cleanup failed: {e}")),
    }
    Ok(if r.propagate { child_code } else { 0 })
}

/// Delete the lock key unless someone holds it (`Lock.Destroy`); `false`
/// when it is in use.
async fn cleanup_lock(client: &Client, key: &str) -> Result<bool, ApiError> {
    match client.kv().get(key, &QueryOptions::default()).await? {
        (None, _) => Ok(true),
        (Some(e), _) if e.flags != LOCK_FLAG => Err(ApiError::Decode(
            "Existing key does not match lock use".into(),
        )),
        (Some(e), _) if !e.session.is_empty() => Ok(false),
        (Some(e), _) => {
            client
                .kv()
                .delete_cas(key, e.modify_index, &WriteOptions::default())
                .await?;
            Ok(true)
        }
    }
}

/// Stop renewing and destroy the session.
async fn cleanup_session(client: &Client, session: &str, renewer: tokio::task::JoinHandle<()>) {
    renewer.abort();
    let _ = client
        .session()
        .destroy(session, &WriteOptions::default())
        .await;
}

/// Renew the session every half TTL until the task is aborted or the
/// session is gone (`api.Session.RenewPeriodic`).
async fn renew_periodically(client: Client, session: String) {
    let half = parse_go_duration(SESSION_TTL).unwrap_or(Duration::from_secs(15)) / 2;
    loop {
        tokio::time::sleep(half).await;
        match client
            .session()
            .renew(&session, &WriteOptions::default())
            .await
        {
            Ok(Some(_)) => {}
            Ok(None) => return,
            // Transient: try again sooner.
            Err(_) => tokio::time::sleep(Duration::from_secs(1)).await,
        }
    }
}

/// The Go recipe's acquisition loop: wait while another session holds the
/// key, try to acquire when it is free, back off when refused on a free key
/// (lock-delay). Gives up after the timeout, if any.
async fn acquire(client: &Client, o: &Options, session: &str) -> Result<Acquired, ApiError> {
    let deadline = o.timeout.map(|t| Instant::now() + t);
    let mut index = 0;
    loop {
        let left = match deadline {
            Some(d) if Instant::now() >= d => return Ok(Acquired::No),
            Some(d) => (d - Instant::now()).min(LOCK_WAIT),
            None => LOCK_WAIT,
        };
        let q = QueryOptions {
            index,
            wait: Some(left),
            ..Default::default()
        };
        let (entry, meta) = client.kv().get(&o.key, &q).await?;
        if let Some(e) = &entry {
            if e.flags != LOCK_FLAG {
                return Err(ApiError::Decode(
                    "Existing key does not match lock use".into(),
                ));
            }
            if e.session == session {
                return Ok(Acquired::Yes);
            }
            if !e.session.is_empty() {
                index = meta.last_index;
                continue;
            }
        }
        let opts = PutOptions {
            flags: LOCK_FLAG,
            acquire: Some(session.to_string()),
            ..Default::default()
        };
        if client
            .kv()
            .put(&o.key, &[], &opts, &WriteOptions::default())
            .await?
        {
            return Ok(Acquired::Yes);
        }
        // Refused on a free key: within its lock-delay.
        let pause = match deadline {
            Some(d) => LOCK_RETRY.min(d.saturating_duration_since(Instant::now())),
            None => LOCK_RETRY,
        };
        tokio::time::sleep(pause).await;
        index = 0;
    }
}

/// Resolve once the lock is no longer held by `session` (the key is gone
/// or another session holds it), riding out `monitor_retries` errors.
async fn monitor(client: &Client, o: &Options, session: &str) {
    let mut index = 0;
    let mut retries = o.monitor_retries;
    loop {
        let q = QueryOptions {
            index,
            wait: Some(LOCK_WAIT),
            ..Default::default()
        };
        match client.kv().get(&o.key, &q).await {
            Ok((Some(e), meta)) if e.session == session => {
                index = meta.last_index;
                retries = o.monitor_retries;
            }
            Ok(_) => return,
            Err(_) if retries > 0 => {
                retries -= 1;
                tokio::time::sleep(MONITOR_RETRY_TIME).await;
            }
            Err(_) => return,
        }
    }
}

/// Start the child: through `$SHELL -c` (default `/bin/sh`) with `-shell`,
/// else the arguments as a program and its arguments.
fn spawn_child(r: &Run) -> anyhow::Result<tokio::process::Child> {
    let mut cmd = if r.shell {
        let shell = std::env::var("SHELL")
            .ok()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "/bin/sh".into());
        let mut c = tokio::process::Command::new(shell);
        c.arg("-c").arg(r.child.join(" "));
        c
    } else {
        let mut c = tokio::process::Command::new(&r.child[0]);
        c.args(&r.child[1..]);
        c
    };
    cmd.stdin(if r.pass_stdin {
        Stdio::inherit()
    } else {
        Stdio::null()
    });
    cmd.spawn()
        .map_err(|e| anyhow!("Error starting handler: {e}"))
}

/// SIGTERM, then SIGKILL after the grace period.
async fn kill_child(child: &mut tokio::process::Child, verbose: bool) {
    let Some(pid) = child.id() else {
        return;
    };
    info(verbose, &format!("Terminating child pid {pid}"));
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid as i32),
        nix::sys::signal::Signal::SIGTERM,
    );
    if tokio::time::timeout(KILL_GRACE, child.wait())
        .await
        .is_err()
    {
        info(
            verbose,
            &format!("Child did not exit after grace period of {KILL_GRACE:?}"),
        );
        info(verbose, &format!("Killing child pid {pid}"));
        let _ = child.kill().await;
    }
}
