//! Script checks: run a command (argv, or a legacy `script` through the shell);
//! exit 0 is passing, 1 warning, anything else critical. Output (stdout and
//! stderr together) is kept up to the output limit; a script that outlives its
//! timeout is killed with its whole process group.

use std::process::Stdio;
use std::time::Duration;

use consul_types::catalog::status;
use tokio::io::AsyncReadExt;

use super::Probe;

/// What to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Run argv directly.
    Args(Vec<String>),
    /// Run a line through `/bin/sh -c`.
    Shell(String),
}

/// Run the command once.
pub async fn probe(cmd: &Command, timeout: Duration, max_output: usize) -> Probe {
    let mut command = match cmd {
        Command::Args(args) if args.is_empty() => return Probe::critical("no command given"),
        Command::Args(args) => {
            let mut c = tokio::process::Command::new(&args[0]);
            c.args(&args[1..]);
            c
        }
        Command::Shell(line) => {
            let mut c = tokio::process::Command::new("/bin/sh");
            c.arg("-c").arg(line);
            c
        }
    };
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    let mut child = match command.spawn() {
        Ok(c) => c,
        Err(e) => return Probe::critical(format!("Failed to start check: {e}")),
    };
    let pid = child.id();
    let (mut out, mut err) = (child.stdout.take(), child.stderr.take());
    let run = async {
        let mut buf = Vec::new();
        let mut ebuf = Vec::new();
        let read_out = async {
            if let Some(o) = out.as_mut() {
                let _ = o.read_to_end(&mut buf).await;
            }
        };
        let read_err = async {
            if let Some(e) = err.as_mut() {
                let _ = e.read_to_end(&mut ebuf).await;
            }
        };
        tokio::join!(read_out, read_err);
        buf.extend_from_slice(&ebuf);
        let st = child.wait().await;
        (st, buf)
    };
    match tokio::time::timeout(timeout, run).await {
        Ok((Ok(st), buf)) => {
            let output = super::cap_output(&String::from_utf8_lossy(&buf), max_output);
            let state = match st.code() {
                Some(0) => status::PASSING,
                Some(1) => status::WARNING,
                _ => status::CRITICAL,
            };
            Probe {
                status: state,
                output,
            }
        }
        Ok((Err(e), _)) => Probe::critical(format!("Failed to wait for check: {e}")),
        Err(_) => {
            if let Some(pid) = pid {
                kill_group(pid);
            }
            Probe::critical(format!(
                "Timed out ({}) running check",
                consul_types::duration::format_go_duration(timeout)
            ))
        }
    }
}

/// SIGKILL the process group led by `pid` (the script and anything it started).
fn kill_group(pid: u32) {
    // Never signal group 0/1 (ourselves / everyone) on a bogus id.
    let Ok(pgid) = i32::try_from(pid) else { return };
    if pgid > 1 {
        let _ = nix::sys::signal::killpg(
            nix::unistd::Pid::from_raw(pgid),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn exit_codes_map_to_statuses_and_output_is_captured() {
        let t = Duration::from_secs(10);
        let p = probe(&Command::Shell("echo hi; echo err >&2".into()), t, 4096).await;
        assert_eq!(
            (p.status, p.output.as_str()),
            (status::PASSING, "hi\nerr\n")
        );
        assert_eq!(
            probe(&Command::Shell("exit 1".into()), t, 4096)
                .await
                .status,
            status::WARNING
        );
        assert_eq!(
            probe(&Command::Shell("exit 2".into()), t, 4096)
                .await
                .status,
            status::CRITICAL
        );
        let p = probe(
            &Command::Args(vec!["/bin/echo".into(), "a b".into()]),
            t,
            4096,
        )
        .await;
        assert_eq!((p.status, p.output.as_str()), (status::PASSING, "a b\n"));
        let p = probe(&Command::Args(vec!["/nonexistent/cmd".into()]), t, 4096).await;
        assert_eq!(p.status, status::CRITICAL);
    }

    #[tokio::test]
    async fn output_is_capped() {
        let p = probe(
            &Command::Shell("head -c 10000 /dev/zero | tr '\\0' x".into()),
            Duration::from_secs(10),
            4096,
        )
        .await;
        assert!(p.output.starts_with(&"x".repeat(4096)));
        assert!(p.output.len() < 4200);
    }

    #[tokio::test]
    async fn hung_script_is_killed_at_its_timeout() {
        let started = std::time::Instant::now();
        let p = probe(
            &Command::Shell("sleep 30 & sleep 30".into()),
            Duration::from_millis(300),
            4096,
        )
        .await;
        assert_eq!(p.status, status::CRITICAL);
        assert!(p.output.contains("Timed out"), "{}", p.output);
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
