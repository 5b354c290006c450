//! Spawning `consul agent` processes and controlling them by PID.

use std::fs::File;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::{http, Error, IpLease, Result};

impl From<&IpLease> for Ipv4Addr {
    fn from(l: &IpLease) -> Self {
        l.ip()
    }
}

/// Describes an agent to start; see [`AgentBuilder::start`].
#[derive(Debug, Clone)]
pub struct AgentBuilder {
    bin: PathBuf,
    ip: Ipv4Addr,
    server: bool,
    dev: bool,
    bootstrap_expect: Option<u32>,
    data_dir: Option<PathBuf>,
    node: Option<String>,
    args: Vec<String>,
    env: Vec<(String, String)>,
}

impl AgentBuilder {
    /// An agent of binary `bin` bound to `ip` (use a [`crate::reserve_ip`] lease).
    pub fn new(bin: &Path, ip: impl Into<Ipv4Addr>) -> Self {
        AgentBuilder {
            bin: bin.to_path_buf(),
            ip: ip.into(),
            server: false,
            dev: false,
            bootstrap_expect: None,
            data_dir: None,
            node: None,
            args: Vec::new(),
            env: Vec::new(),
        }
    }

    /// Run in server mode (`-server`).
    pub fn server(mut self, on: bool) -> Self {
        self.server = on;
        self
    }

    /// Run in dev mode (`-dev`: in-memory single server).
    pub fn dev(mut self, on: bool) -> Self {
        self.dev = on;
        self
    }

    /// `-bootstrap-expect n`.
    pub fn bootstrap_expect(mut self, n: u32) -> Self {
        self.bootstrap_expect = Some(n);
        self
    }

    /// `-data-dir`; without it, non-dev agents get a fresh temp directory.
    pub fn data_dir(mut self, dir: &Path) -> Self {
        self.data_dir = Some(dir.to_path_buf());
        self
    }

    /// `-node` (default: `n-127-0-x-y` from the address).
    pub fn node(mut self, name: &str) -> Self {
        self.node = Some(name.to_string());
        self
    }

    /// One more raw argument after the generated ones.
    pub fn arg(mut self, a: &str) -> Self {
        self.args.push(a.to_string());
        self
    }

    /// An environment variable for the agent process.
    pub fn env(mut self, k: &str, v: &str) -> Self {
        self.env.push((k.to_string(), v.to_string()));
        self
    }

    /// Spawn the agent with its output captured to a log file. Does not wait
    /// for readiness; call [`Agent::wait_ready`].
    pub fn start(self) -> Result<Agent> {
        let dir = tempfile::Builder::new()
            .prefix("consul-testkit-")
            .tempdir()?;
        let node = self
            .node
            .clone()
            .unwrap_or_else(|| format!("n-{}", self.ip.to_string().replace('.', "-")));
        let mut argv: Vec<String> = vec!["agent".into()];
        if self.dev {
            argv.push("-dev".into());
        }
        if self.server {
            argv.push("-server".into());
        }
        if let Some(n) = self.bootstrap_expect {
            argv.push("-bootstrap-expect".into());
            argv.push(n.to_string());
        }
        let data_dir = match (&self.data_dir, self.dev) {
            (Some(d), _) => Some(d.clone()),
            (None, false) => Some(dir.path().join("data")),
            (None, true) => None,
        };
        if let Some(d) = &data_dir {
            std::fs::create_dir_all(d)?;
            argv.push("-data-dir".into());
            argv.push(d.display().to_string());
        }
        let ip = self.ip.to_string();
        for (flag, value) in [("-bind", &ip), ("-client", &ip), ("-node", &node)] {
            argv.push(flag.into());
            argv.push(value.clone());
        }
        argv.extend(self.args.iter().cloned());
        let log_path = dir.path().join("agent.log");
        let mut agent = Agent {
            pid: 0,
            ip: self.ip,
            http_addr: format!("{ip}:8500"),
            node,
            data_dir,
            bin: self.bin.clone(),
            argv,
            env: self.env.clone(),
            child: None,
            log_path,
            _dir: dir,
        };
        agent.spawn()?;
        Ok(agent)
    }
}

/// A running `consul agent` process, killed by PID when dropped (its log is
/// printed to stderr if the test is panicking).
#[derive(Debug)]
pub struct Agent {
    /// Current process id (changes on [`Agent::restart`]).
    pub pid: u32,
    /// The address the agent binds and serves on.
    pub ip: Ipv4Addr,
    /// `ip:8500`.
    pub http_addr: String,
    /// The node name.
    pub node: String,
    /// The data directory (`None` in dev mode).
    pub data_dir: Option<PathBuf>,
    bin: PathBuf,
    argv: Vec<String>,
    env: Vec<(String, String)>,
    child: Option<Child>,
    log_path: PathBuf,
    _dir: tempfile::TempDir,
}

impl Agent {
    fn spawn(&mut self) -> Result<()> {
        let log = File::options()
            .create(true)
            .append(true)
            .open(&self.log_path)?;
        let mut cmd = Command::new(&self.bin);
        cmd.args(&self.argv)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let child = cmd.spawn()?;
        self.pid = child.id();
        self.child = Some(child);
        Ok(())
    }

    /// `http://ip:8500` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.http_addr, path)
    }

    /// The arguments the agent was started with (after the binary).
    pub fn argv(&self) -> &[String] {
        &self.argv
    }

    /// Everything the agent has written to stdout and stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// Path of the captured output.
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// Wait until `/v1/status/leader` names a leader. Fails early with the
    /// log if the process exits.
    pub fn wait_ready(&mut self, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.try_wait()? {
                return Err(Error::Exited {
                    status: status.to_string(),
                    log: self.log(),
                });
            }
            if let Ok((200, _, body)) = http("GET", &self.url("/v1/status/leader"), None) {
                let body = String::from_utf8_lossy(&body);
                let leader = body.trim().trim_matches('"');
                if !leader.is_empty() {
                    return Ok(());
                }
            }
            if Instant::now() >= deadline {
                return Err(Error::Timeout(
                    timeout,
                    format!("agent {} has no leader; log:\n{}", self.node, self.log()),
                ));
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// The exit status if the process has exited.
    pub fn try_wait(&mut self) -> Result<Option<ExitStatus>> {
        match self.child.as_mut() {
            Some(c) => Ok(c.try_wait()?),
            None => Ok(None),
        }
    }

    /// Wait up to `timeout` for the process to exit by itself (e.g. after
    /// `consul leave`).
    pub fn wait_exit(&mut self, timeout: Duration) -> Result<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(s) = self.try_wait()? {
                self.child = None;
                return Ok(s);
            }
            if Instant::now() >= deadline {
                return Err(Error::Timeout(
                    timeout,
                    format!("agent {} still running", self.node),
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGKILL and reap.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Freeze the process (SIGSTOP).
    pub fn sigstop(&self) {
        self.signal(libc::SIGSTOP);
    }

    /// Resume a frozen process (SIGCONT).
    pub fn sigcont(&self) {
        self.signal(libc::SIGCONT);
    }

    /// Send `sig` to the agent's PID, if it is still ours.
    pub fn signal(&self, sig: i32) {
        if self.child.is_some() {
            send_signal(self.pid, sig);
        }
    }

    /// Graceful stop: SIGINT, then SIGKILL if it has not exited within 10 s.
    /// Returns the exit status (`None` if it had to be killed or was gone).
    pub fn stop(&mut self) -> Option<ExitStatus> {
        self.child.as_ref()?;
        send_signal(self.pid, libc::SIGCONT);
        send_signal(self.pid, libc::SIGINT);
        match self.wait_exit(Duration::from_secs(10)) {
            Ok(s) => Some(s),
            Err(_) => {
                self.kill9();
                None
            }
        }
    }

    /// Start the process again with the same arguments and data directory
    /// (after [`Agent::stop`] or [`Agent::kill9`]; kills a running one first).
    pub fn restart(&mut self) -> Result<()> {
        self.kill9();
        self.spawn()
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        self.kill9();
        if std::thread::panicking() {
            eprintln!(
                "---- log of agent {} ({}) ----\n{}\n---- end of log ----",
                self.node,
                self.http_addr,
                self.log()
            );
        }
    }
}

/// `kill(pid, sig)`; errors (e.g. the process is gone) are ignored.
#[allow(unsafe_code)]
fn send_signal(pid: u32, sig: i32) {
    // SAFETY: kill(2) takes plain integers and touches no memory of ours;
    // the PID is that of a child we have not reaped yet, so it cannot have
    // been recycled for an unrelated process.
    unsafe {
        libc::kill(pid as libc::pid_t, sig);
    }
}
