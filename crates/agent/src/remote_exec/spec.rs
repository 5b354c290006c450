//! What a remote-exec job is made of: the `_rexec` event's payload (where the job lives)
//! and the job spec the `consul exec` CLI stores at `<prefix>/<session>/job` — JSON with
//! Go's encodings (`Script` base64, `Wait` a `time.Duration` in nanoseconds) — plus the
//! names of the keys an agent answers under.

use std::time::Duration;

use base64::Engine;
use serde::{Deserialize, Serialize};

/// The key the job spec is stored under, below `<prefix>/<session>/`.
pub const JOB_KEY: &str = "job";
/// Written (empty) when an agent takes the job.
pub const ACK_SUFFIX: &str = "ack";
/// Holds the exit code, in decimal.
pub const EXIT_SUFFIX: &str = "exit";
/// Output chunks live below `<node>/out/`, numbered `00000`, `00001`, … in hex.
pub const OUTPUT_DIVIDER: &str = "out";

/// The `_rexec` event's payload: where to find the job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExecEvent {
    /// KV prefix of every job (default `_rexec`).
    #[serde(default)]
    pub prefix: String,
    /// The CLI's session; the job's keys live below `<prefix>/<session>/`.
    #[serde(default)]
    pub session: String,
}

impl ExecEvent {
    /// Decode the event payload (JSON).
    pub fn decode(payload: &[u8]) -> Result<ExecEvent, serde_json::Error> {
        serde_json::from_slice(payload)
    }

    /// The key of the job spec.
    pub fn job_key(&self) -> String {
        join(&[&self.prefix, &self.session, JOB_KEY])
    }

    /// The key this node writes `suffix` (`ack`, `exit`, `out/00000`) under.
    pub fn node_key(&self, node: &str, suffix: &str) -> String {
        join(&[&self.prefix, &self.session, node, suffix])
    }

    /// The key of output chunk `num`.
    pub fn output_key(&self, node: &str, num: u32) -> String {
        self.node_key(node, &format!("{OUTPUT_DIVIDER}/{num:05x}"))
    }
}

/// Joins path segments as Go's `path.Join`: empty segments dropped, `/` between.
fn join(parts: &[&str]) -> String {
    let parts: Vec<&str> = parts
        .iter()
        .map(|p| p.trim_matches('/'))
        .filter(|p| !p.is_empty())
        .collect();
    parts.join("/")
}

/// The job: a shell command, an argv, or a script to run, and the CLI's quiet period
/// (the agent writes an empty output key, a heartbeat, whenever that passes silently).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobSpec {
    /// A command line for the shell.
    pub command: String,
    /// An argv to run without a shell.
    pub args: Vec<String>,
    /// A script to write to a file and run.
    pub script: Vec<u8>,
    /// The heartbeat interval.
    pub wait: Duration,
}

/// The spec's JSON form, as the Go CLI writes it.
#[derive(Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
struct WireSpec {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    command: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    args: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    script: Option<String>,
    #[serde(default)]
    wait: i64,
}

/// Why a job spec could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// Not the spec's JSON.
    #[error("invalid job spec: {0}")]
    Json(#[from] serde_json::Error),
    /// `Script` is not base64.
    #[error("invalid job script: {0}")]
    Script(#[from] base64::DecodeError),
}

/// The heartbeat interval used when a spec gives none (the CLI's default `-wait`).
pub const DEFAULT_WAIT: Duration = Duration::from_secs(2);

impl JobSpec {
    /// Decode the stored spec.
    pub fn decode(bytes: &[u8]) -> Result<JobSpec, SpecError> {
        let w: WireSpec = serde_json::from_slice(bytes)?;
        let script = match w.script {
            Some(s) => base64::engine::general_purpose::STANDARD.decode(s)?,
            None => Vec::new(),
        };
        let wait = u64::try_from(w.wait)
            .ok()
            .filter(|&n| n > 0)
            .map(Duration::from_nanos)
            .unwrap_or(DEFAULT_WAIT);
        Ok(JobSpec {
            command: w.command,
            args: w.args.unwrap_or_default(),
            script,
            wait,
        })
    }

    /// Encode the spec as the Go CLI does (empty fields left out, `Wait` in nanoseconds).
    pub fn encode(&self) -> Vec<u8> {
        let w = WireSpec {
            command: self.command.clone(),
            args: (!self.args.is_empty()).then(|| self.args.clone()),
            script: (!self.script.is_empty())
                .then(|| base64::engine::general_purpose::STANDARD.encode(&self.script)),
            wait: i64::try_from(self.wait.as_nanos()).unwrap_or(i64::MAX),
        };
        serde_json::to_vec(&w).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_go_cli_spec() {
        let s = JobSpec::decode(br#"{"Command":"uptime","Wait":2000000000}"#).unwrap();
        assert_eq!(s.command, "uptime");
        assert!(s.args.is_empty() && s.script.is_empty());
        assert_eq!(s.wait, Duration::from_secs(2));
        let s =
            JobSpec::decode(br#"{"Args":["ls","-l"],"Script":"ZWNobyBoaQ==","Wait":0}"#).unwrap();
        assert_eq!(s.args, ["ls", "-l"]);
        assert_eq!(s.script, b"echo hi");
        assert_eq!(s.wait, DEFAULT_WAIT);
        assert!(JobSpec::decode(b"nope").is_err());
    }

    #[test]
    fn encode_round_trips_and_leaves_empty_fields_out() {
        let s = JobSpec {
            command: "echo a".into(),
            wait: Duration::from_millis(1500),
            ..Default::default()
        };
        let bytes = s.encode();
        assert_eq!(bytes, br#"{"Command":"echo a","Wait":1500000000}"#);
        assert_eq!(JobSpec::decode(&bytes).unwrap(), s);
    }

    #[test]
    fn keys_are_joined_like_go_path_join() {
        let ev = ExecEvent::decode(br#"{"Prefix":"_rexec","Session":"s1"}"#).unwrap();
        assert_eq!(ev.job_key(), "_rexec/s1/job");
        assert_eq!(ev.node_key("n1", ACK_SUFFIX), "_rexec/s1/n1/ack");
        assert_eq!(ev.output_key("n1", 26), "_rexec/s1/n1/out/0001a");
        let ev = ExecEvent {
            prefix: "/jobs/".into(),
            session: "s".into(),
        };
        assert_eq!(ev.job_key(), "jobs/s/job");
    }
}
