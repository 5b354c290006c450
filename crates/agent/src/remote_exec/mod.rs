//! Remote exec (Consul's `consul exec` protocol, agent side). The CLI stores a job under
//! `<prefix>/<session>/job` and fires the `_rexec` user event with `{"Prefix","Session"}`
//! and its node/service/tag filters; every agent the filters select — and whose
//! `disable_remote_exec` is false (the default is true, as in Consul) — runs the job and
//! answers below `<prefix>/<session>/<node>/`: `ack`, `out/<n>` chunks, `exit`.
//!
//! - [`spec`]: the event payload, the job spec and the key names.
//! - [`chunker`]: cutting output into 4 KiB chunks.
//! - [`run`]: fetching, running and reporting one job.

pub mod chunker;
pub mod run;
pub mod spec;

use std::sync::Arc;

use crate::agent::Agent;

/// Handle a `_rexec` event that passed the filters: run the job in the background unless
/// remote exec is disabled on this agent.
pub fn handle(agent: &Arc<Agent>, payload: &[u8]) {
    if agent.info().config.disable_remote_exec {
        tracing::info!("agent: ignoring remote exec event, disabled.");
        return;
    }
    let ev = match spec::ExecEvent::decode(payload) {
        Ok(ev) => ev,
        Err(e) => {
            tracing::error!(error = %e, "agent: failed to decode remote exec event");
            return;
        }
    };
    let agent = agent.clone();
    tokio::spawn(async move {
        let job = ev.job_key();
        // A job whose session is gone stops at its next write (the heartbeat at the
        // latest), which kills the command.
        if let Err(e) = run::run_job(agent, ev).await {
            tracing::error!(job = %job, error = %e, "agent: remote exec job failed");
        }
    });
}
