//! Running one job on this agent and answering through KV, as a Consul agent does: read
//! the spec (a stale read first, then a consistent one), write `ack`, run the command with
//! stdout and stderr merged, store the output chunk by chunk as `out/<n>` (an empty chunk
//! is a heartbeat, written whenever the spec's `Wait` passes without output), and always
//! finish with `exit`. Every key is written as a lock held by the job's session, so the
//! CLI's `delete`-behaviour session removes them all when it ends.

use std::process::Stdio;
use std::sync::Arc;

use bytes::Bytes;
use consul_server::endpoints::kv::{KeyRequest, KvRpc, KvsRequest};
use consul_server::rpc::{RpcRequest, WireQueryOptions};
use consul_types::kv::{DirEntry, KvOp};
use tokio::io::AsyncReadExt;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::chunker::{Chunker, IDLE_FLUSH};
use super::spec::{ExecEvent, JobSpec, SpecError, ACK_SUFFIX, EXIT_SUFFIX};
use crate::agent::Agent;

/// Why a job stopped before it could report.
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    /// The servers could not be asked.
    #[error("rpc: {0}")]
    Rpc(String),
    /// There is no job at the event's key.
    #[error("job spec missing")]
    NoJob,
    /// The job could not be decoded.
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// A key write was refused (the session is gone).
    #[error("write failed")]
    WriteRefused,
}

/// The exit code reported when the command could not be started or its output not stored.
const FAILED: i64 = 255;

/// Take the job `ev` names: fetch it, acknowledge it, run it, report.
pub async fn run_job(agent: Arc<Agent>, ev: ExecEvent) -> Result<(), ExecError> {
    let spec = fetch_spec(&agent, &ev).await?;
    let node = agent.info().node_name.clone();
    write_key(&agent, &ev, ev.node_key(&node, ACK_SUFFIX), None).await?;
    let code = match execute(&agent, &ev, &node, &spec).await {
        Ok(code) => code,
        Err(e) => {
            tracing::debug!(error = %e, "agent: remote exec failed");
            FAILED
        }
    };
    write_key(
        &agent,
        &ev,
        ev.node_key(&node, EXIT_SUFFIX),
        Some(Bytes::from(code.to_string())),
    )
    .await
}

/// Read the spec: stale first (cheap on every server), consistent if that found nothing
/// (a server that has not caught up yet).
async fn fetch_spec(agent: &Agent, ev: &ExecEvent) -> Result<JobSpec, ExecError> {
    for allow_stale in [true, false] {
        let req = KeyRequest {
            datacenter: agent.info().datacenter.clone(),
            key: ev.job_key(),
            query_options: WireQueryOptions {
                allow_stale,
                ..Default::default()
            },
        };
        let entries = agent
            .rpc(RpcRequest::Kv(KvRpc::Get(req)))
            .await
            .map_err(|e| ExecError::Rpc(e.to_string()))?
            .into_dir_entries()
            .map_err(|e| ExecError::Rpc(e.to_string()))?;
        if let Some(entry) = entries.entries.into_iter().next() {
            return Ok(JobSpec::decode(entry.value.as_deref().unwrap_or_default())?);
        }
    }
    Err(ExecError::NoJob)
}

/// Write one answer key, held by the job's session.
async fn write_key(
    agent: &Agent,
    ev: &ExecEvent,
    key: String,
    value: Option<Bytes>,
) -> Result<(), ExecError> {
    let req = KvsRequest {
        datacenter: agent.info().datacenter.clone(),
        op: KvOp::Lock,
        dir_ent: DirEntry {
            key,
            value,
            session: ev.session.clone(),
            ..Default::default()
        },
        token: Default::default(),
    };
    let ok = agent
        .rpc(RpcRequest::Kv(KvRpc::Apply(req)))
        .await
        .map_err(|e| ExecError::Rpc(e.to_string()))?
        .into_bool()
        .map_err(|e| ExecError::Rpc(e.to_string()))?;
    if ok {
        Ok(())
    } else {
        Err(ExecError::WriteRefused)
    }
}

/// The script file of a job that came as a script, removed when dropped.
struct ScriptFile(std::path::PathBuf);

impl Drop for ScriptFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Spill a script to an executable temporary file.
fn write_script(script: &[u8]) -> std::io::Result<ScriptFile> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::temp_dir().join(format!("rexec{}", uuid::Uuid::new_v4().simple()));
    std::fs::write(&path, script)?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o750))?;
    Ok(ScriptFile(path))
}

/// The command for a spec: its argv as given, or its command (or script file) through
/// `$SHELL -c` (default `/bin/sh`).
fn command_for(spec: &JobSpec, script: Option<&ScriptFile>) -> tokio::process::Command {
    if let Some((prog, args)) = spec.args.split_first() {
        let mut c = tokio::process::Command::new(prog);
        c.args(args);
        return c;
    }
    let shell = std::env::var("SHELL")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "/bin/sh".into());
    let line = match script {
        Some(f) => f.0.display().to_string(),
        None => spec.command.clone(),
    };
    let mut c = tokio::process::Command::new(shell);
    c.arg("-c").arg(line);
    c
}

/// Run the command, storing its output as it comes; its exit code (−1 when killed by a
/// signal, as Go reports it).
async fn execute(
    agent: &Agent,
    ev: &ExecEvent,
    node: &str,
    spec: &JobSpec,
) -> Result<i64, Box<dyn std::error::Error + Send + Sync>> {
    let script = if spec.script.is_empty() {
        None
    } else {
        Some(write_script(&spec.script)?)
    };
    let mut cmd = command_for(spec, script.as_ref());
    tracing::info!(
        script = %spec.command,
        "agent: remote exec script"
    );
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = cmd.spawn()?;
    let (tx, mut rx) = mpsc::channel::<Vec<u8>>(16);
    if let Some(out) = child.stdout.take() {
        tokio::spawn(pump(out, tx.clone()));
    }
    if let Some(err) = child.stderr.take() {
        tokio::spawn(pump(err, tx.clone()));
    }
    drop(tx);

    let mut chunker = Chunker::default();
    let mut num: u32 = 0;
    let mut last_write = Instant::now();
    let mut last_output = Instant::now();
    loop {
        let idle_at = last_output + IDLE_FLUSH;
        let heartbeat_at = last_write + spec.wait;
        let mut chunks = Vec::new();
        tokio::select! {
            data = rx.recv() => match data {
                Some(d) => {
                    last_output = Instant::now();
                    chunks = chunker.push(&d);
                }
                None => break,
            },
            _ = tokio::time::sleep_until(idle_at), if chunker.pending() => {
                chunks.extend(chunker.flush());
            }
            _ = tokio::time::sleep_until(heartbeat_at) => chunks.push(Vec::new()),
        }
        for chunk in chunks {
            let value = (!chunk.is_empty()).then(|| Bytes::from(chunk));
            write_key(agent, ev, ev.output_key(node, num), value).await?;
            num += 1;
            last_write = Instant::now();
        }
    }
    if let Some(rest) = chunker.flush() {
        write_key(agent, ev, ev.output_key(node, num), Some(Bytes::from(rest))).await?;
    }
    let status = child.wait().await?;
    Ok(status.code().map(i64::from).unwrap_or(-1))
}

/// Forward what a pipe yields until it closes.
async fn pump(mut r: impl tokio::io::AsyncRead + Unpin, tx: mpsc::Sender<Vec<u8>>) {
    let mut buf = vec![0u8; 4096];
    loop {
        match r.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if tx.send(buf[..n].to_vec()).await.is_err() {
                    return;
                }
            }
        }
    }
}
