//! Running a watch's command: with the result as JSON on stdin and `CONSUL_INDEX` in the
//! environment, either through a shell (`$SHELL -c`, `/bin/sh` by default: Consul's
//! `exec.Script`) or as an argument vector (`exec.Subprocess`).

use std::process::Stdio;

use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use super::query::WatchResult;
use super::WatchError;

/// The command a script handler runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Script {
    /// One shell command line.
    Shell(String),
    /// A program and its arguments.
    Args(Vec<String>),
}

/// Where the command's output goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// This process's stdout and stderr (the CLI).
    Inherit,
    /// Collected and returned (the agent logs it).
    Capture,
}

impl Script {
    fn command(&self) -> Result<Command, WatchError> {
        match self {
            Script::Shell(line) => {
                let shell = std::env::var("SHELL")
                    .ok()
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| "/bin/sh".into());
                let mut c = Command::new(shell);
                c.arg("-c").arg(line);
                Ok(c)
            }
            Script::Args(args) => {
                let Some((prog, rest)) = args.split_first() else {
                    return Err(WatchError::Handler("need an executable to run".into()));
                };
                let mut c = Command::new(prog);
                c.args(rest);
                Ok(c)
            }
        }
    }

    /// Run it for `result` read at `index`; waits for it to exit. Answers the captured
    /// output (empty with [`Output::Inherit`]); a failed start or a non-zero exit is an error.
    pub async fn run(
        &self,
        index: u64,
        result: &WatchResult,
        output: Output,
    ) -> Result<Vec<u8>, WatchError> {
        let mut cmd = self.command()?;
        cmd.env("CONSUL_INDEX", index.to_string())
            .stdin(Stdio::piped())
            .kill_on_drop(true);
        if output == Output::Capture {
            cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        }
        let mut child = cmd
            .spawn()
            .map_err(|e| WatchError::Handler(format!("Error starting handler: {e}")))?;
        if let Some(mut stdin) = child.stdin.take() {
            // A handler that does not read its input is not an error.
            let _ = stdin.write_all(&result.stdin()).await;
        }
        let out = child
            .wait_with_output()
            .await
            .map_err(|e| WatchError::Handler(format!("Error executing handler: {e}")))?;
        if !out.status.success() {
            return Err(WatchError::Handler(format!(
                "Error executing handler: {}",
                exit_text(out.status)
            )));
        }
        let mut all = out.stdout;
        all.extend_from_slice(&out.stderr);
        Ok(all)
    }
}

/// Go's `ExitError` text: `exit status N` or `signal: killed`.
fn exit_text(s: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (s.code(), s.signal()) {
        (Some(c), _) => format!("exit status {c}"),
        (None, Some(sig)) => format!("signal: {sig}"),
        _ => "unknown exit".into(),
    }
}
