//! `consul exec`: run a command on the agents the node/service/tag filters select, through
//! Consul's remote-exec protocol: a `delete`-behaviour session (TTL 15s, renewed every 5s),
//! the job stored at `<prefix>/<session>/job` as a lock of that session, a short wait for
//! replication, the `_rexec` event, then a blocking listing of `<prefix>/<session>/` that
//! prints each node's acknowledgement, output and exit code, until no node has answered
//! for `-wait` (twice that while a node that acknowledged has not finished). The session
//! and the keys are removed at the end. Exit code 2 when a node failed or did not finish.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use anyhow::anyhow;
use consul_agent::remote_exec::spec::{ExecEvent, JobSpec, ACK_SUFFIX, EXIT_SUFFIX, JOB_KEY};
use consul_api::event::UserEvent;
use consul_api::kv::PutOptions;
use consul_api::{Client, QueryOptions, WriteOptions};
use consul_types::duration::parse_go_duration;
use tokio::sync::mpsc;

use super::flags::{FlagSet, Kind};
use super::{http, ui};

const HELP: &str = "Usage: consul exec [options] [-|command...]\n\n  Evaluates a command on remote Consul nodes. The nodes responding can\n  be filtered using regular expressions on node name, service, and tag\n  definitions. If a command is '-', stdin will be read until EOF\n  and used as a script input.";

/// The session's TTL and how often it is renewed.
const SESSION_TTL: &str = "15s";
const RENEW_EVERY: Duration = Duration::from_secs(5);

fn flags() -> FlagSet {
    let mut fs = FlagSet::new(HELP);
    http::client_flags(&mut fs);
    http::server_flags(&mut fs);
    fs.flag(
        "node",
        Kind::Str,
        "",
        "Regular expression to filter on node names.",
    )
    .flag(
        "service",
        Kind::Str,
        "",
        "Regular expression to filter on service instances.",
    )
    .flag(
        "tag",
        Kind::Str,
        "",
        "Regular expression to filter on service tags. Must be used with -service.",
    )
    .flag(
        "prefix",
        Kind::Str,
        "_rexec",
        "Prefix in the KV store to use for request data.",
    )
    .flag(
        "shell",
        Kind::Bool,
        "true",
        "Use a shell to run the command.",
    )
    .flag(
        "wait",
        Kind::Str,
        "2s",
        "Period to wait with no responses before terminating execution.",
    )
    .flag(
        "wait-repl",
        Kind::Str,
        "200ms",
        "Period to wait for replication before firing event. This is an \
         optimization to allow stale reads to be performed.",
    )
    .flag("verbose", Kind::Bool, "", "Enables verbose output.");
    fs
}

/// What the nodes answered, as the listing finds it.
#[derive(Debug)]
enum Answer {
    /// The node took the job.
    Ack(String),
    /// An empty output chunk: the node is still running it.
    Heartbeat(String),
    /// Output.
    Output(String, Vec<u8>),
    /// The node finished.
    Exit(String, i64),
}

/// Run `consul exec`.
pub fn run(args: &[String]) -> i32 {
    let fs = flags();
    let p = match ui::parse(&fs, args) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let get = |k: &str| p.str(k).unwrap_or("").to_string();
    let shell = p.bool("shell");
    let mut spec = JobSpec::default();
    let joined = p.args.join(" ");
    if joined == "-" {
        if !shell {
            ui::err("Cannot configure -shell=false when reading from stdin");
            return 1;
        }
        let mut script = Vec::new();
        if let Err(e) = std::io::Read::read_to_end(&mut std::io::stdin(), &mut script) {
            ui::err(format!("Failed to read stdin: {e}"));
            return 1;
        }
        spec.script = script;
    } else if !shell {
        spec.args = p.args.clone();
    } else {
        spec.command = joined;
    }
    if spec.command.is_empty() && spec.script.is_empty() && spec.args.is_empty() {
        ui::err("Must specify a command to execute");
        ui::err("");
        ui::err(fs.usage());
        return 1;
    }
    let (node, service, tag) = (get("node"), get("service"), get("tag"));
    for (which, re) in [("node", &node), ("service", &service), ("tag", &tag)] {
        if let Err(e) = regex::Regex::new(re) {
            ui::err(format!("Failed to compile {which} filter regexp: {e}"));
            return 1;
        }
    }
    if !tag.is_empty() && service.is_empty() {
        ui::err("Cannot provide tag filter without service filter.");
        return 1;
    }
    let duration = |name: &str| {
        parse_go_duration(&get(name))
            .map_err(|e| anyhow!("invalid value {:?} for flag -{name}: {e}", get(name)))
    };
    let (wait, repl_wait) = match (duration("wait"), duration("wait-repl")) {
        (Ok(w), Ok(r)) => (w, r),
        (Err(e), _) | (_, Err(e)) => {
            ui::err(e.to_string());
            return 1;
        }
    };
    spec.wait = wait;
    let prefix = get("prefix");
    let verbose = p.bool("verbose");
    ui::block_on(async move {
        let job = Job {
            client: http::client(&p)?,
            prefix,
            verbose,
            wait,
            filters: (node, service, tag),
        };
        job.run(&spec, repl_wait).await
    })
}

/// One `consul exec` run.
struct Job {
    client: Client,
    prefix: String,
    verbose: bool,
    wait: Duration,
    filters: (String, String, String),
}

impl Job {
    fn info(&self, msg: &str) {
        if self.verbose {
            ui::out(msg);
        }
    }

    async fn run(&self, spec: &JobSpec, repl_wait: Duration) -> anyhow::Result<i32> {
        let me = self
            .client
            .agent()
            .self_()
            .await
            .map_err(|e| anyhow!("Error querying Consul agent: {e}"))?;
        let local_dc = me["Config"]["Datacenter"]
            .as_str()
            .unwrap_or("")
            .to_string();
        let local_node = me["Config"]["NodeName"].as_str().unwrap_or("").to_string();
        let dc = self.client.config().datacenter.clone();
        let foreign = !dc.is_empty() && dc != local_dc;
        if foreign {
            self.info("Remote exec in foreign datacenter, using Session TTL");
        }
        let session = self
            .create_session(foreign.then_some((&local_node, &local_dc, &dc)))
            .await
            .map_err(|e| anyhow!("Failed to create session: {e}"))?;
        self.info(&format!("Created remote execution session: {session}"));
        let renew = tokio::spawn(renew(self.client.clone(), session.clone()));
        let code = self.with_session(spec, repl_wait, &session).await;
        renew.abort();
        let w = WriteOptions::default();
        let _ = self.client.session().destroy(&session, &w).await;
        let dir = format!("{}/{session}", self.prefix);
        let _ = self.client.kv().delete_tree(&dir, &w).await;
        code
    }

    async fn create_session(
        &self,
        foreign: Option<(&String, &String, &String)>,
    ) -> anyhow::Result<String> {
        let mut body = serde_json::json!({
            "Name": "Remote Exec",
            "Behavior": "delete",
            "TTL": SESSION_TTL,
        });
        if let Some((local_node, local_dc, dc)) = foreign {
            // Bind the session to a server of the other datacenter, with no checks.
            let (servers, _) = self
                .client
                .catalog()
                .service("consul", None, &QueryOptions::default())
                .await
                .map_err(|e| anyhow!("Failed to find Consul server in remote datacenter: {e}"))?;
            let node = servers
                .first()
                .map(|s| s.node.clone())
                .ok_or_else(|| anyhow!("Failed to find Consul server in remote datacenter"))?;
            self.info(&format!("Binding session to remote node {node}@{dc}"));
            body["Name"] = format!("Remote Exec via {local_node}@{local_dc}").into();
            body["Node"] = node.into();
            body["Checks"] = serde_json::json!([]);
        }
        Ok(self
            .client
            .session()
            .create(&body, &WriteOptions::default())
            .await?)
    }

    async fn with_session(
        &self,
        spec: &JobSpec,
        repl_wait: Duration,
        session: &str,
    ) -> anyhow::Result<i32> {
        let ev = ExecEvent {
            prefix: self.prefix.clone(),
            session: session.to_string(),
        };
        let opts = PutOptions {
            acquire: Some(session.to_string()),
            ..Default::default()
        };
        let job_key = ev.job_key();
        let ok = self
            .client
            .kv()
            .put(&job_key, &spec.encode(), &opts, &WriteOptions::default())
            .await
            .map_err(|e| anyhow!("Failed to create job file: {e}"))?;
        if !ok {
            return Err(anyhow!(
                "Failed to create job file: failed to acquire key {job_key}"
            ));
        }
        self.info("Uploaded remote execution spec");
        tokio::select! {
            _ = tokio::time::sleep(repl_wait) => {}
            _ = ui::interrupted() => return Ok(1),
        }
        let (node, service, tag) = self.filters.clone();
        let payload = serde_json::to_vec(&ev)?;
        let fire = UserEvent {
            name: consul_agent::events::REMOTE_EXEC_NAME.into(),
            payload,
            node_filter: node,
            service_filter: service,
            tag_filter: tag,
            ..Default::default()
        };
        let id = self
            .client
            .event()
            .fire(&fire, &WriteOptions::default())
            .await
            .map_err(|e| anyhow!("Failed to fire event: {e}"))?;
        self.info(&format!("Fired remote execution event: {id}"));
        Ok(self.wait_for_job(session).await)
    }

    /// Print the answers until the nodes go quiet; the exit code.
    async fn wait_for_job(&self, session: &str) -> i32 {
        let start = Instant::now();
        let (tx, mut rx) = mpsc::channel(128);
        let stream = tokio::spawn(stream_answers(
            self.client.clone(),
            format!("{}/{session}/", self.prefix),
            self.wait,
            tx,
        ));
        let (mut acks, mut exits, mut bad) = (0u32, 0u32, 0u32);
        let code = loop {
            let quiet = if acks > exits {
                self.wait * 2
            } else {
                self.wait
            };
            tokio::select! {
                answer = rx.recv() => match answer {
                    Some(Answer::Ack(node)) => {
                        acks += 1;
                        if self.verbose {
                            ui::out(targeted(true, &node, "acknowledged"));
                        }
                    }
                    Some(Answer::Heartbeat(node)) => {
                        if self.verbose {
                            ui::out(targeted(true, &node, "heartbeat received"));
                        }
                    }
                    Some(Answer::Output(node, out)) => {
                        ui::out(targeted(false, &node, &String::from_utf8_lossy(&out)));
                    }
                    Some(Answer::Exit(node, code)) => {
                        exits += 1;
                        ui::out(targeted(true, &node, &format!("finished with exit code {code}")));
                        if code != 0 {
                            bad += 1;
                        }
                    }
                    // The listing failed (and said why).
                    None => break 1,
                },
                _ = tokio::time::sleep(quiet) => {
                    ui::out(format!("{exits} / {acks} node(s) completed / acknowledged"));
                    self.info(&format!(
                        "Completed in {:.2} seconds",
                        start.elapsed().as_secs_f64()
                    ));
                    if exits < acks {
                        bad += 1;
                    }
                    break if bad > 0 { 2 } else { 0 };
                }
                _ = ui::interrupted() => break 1,
            }
        };
        stream.abort();
        code
    }
}

/// Renew the session until aborted; a failed renewal is reported and ends the renewals.
async fn renew(client: Client, session: String) {
    loop {
        tokio::time::sleep(RENEW_EVERY).await;
        match client
            .session()
            .renew(&session, &WriteOptions::default())
            .await
        {
            Ok(Some(_)) => {}
            Ok(None) => {
                ui::err("Session renew failed: session not found");
                return;
            }
            Err(e) => {
                ui::err(format!("Session renew failed: {e}"));
                return;
            }
        }
    }
}

/// Watch the job's directory with blocking key listings and send each new answer once.
async fn stream_answers(client: Client, dir: String, wait: Duration, tx: mpsc::Sender<Answer>) {
    let kv = client.kv();
    let mut seen = HashSet::new();
    let mut q = QueryOptions {
        wait: Some(wait),
        ..Default::default()
    };
    loop {
        let (keys, meta) = match kv.keys(&dir, "", &q).await {
            Ok(r) => r,
            Err(e) => {
                ui::err(format!("Failed to read results: {e}"));
                return;
            }
        };
        if meta.last_index == q.index {
            continue;
        }
        q.index = meta.last_index;
        for full in keys {
            if !seen.insert(full.clone()) {
                continue;
            }
            let key = full.strip_prefix(&dir).unwrap_or(&full).to_string();
            let Some(answer) = classify(&key) else {
                ui::err(format!("Unknown key '{key}', ignoring."));
                continue;
            };
            let answer = match answer {
                KeyKind::Job => continue,
                KeyKind::Ack(node) => Answer::Ack(node),
                KeyKind::Exit(node) => match value(&client, &full).await {
                    Some(v) => match String::from_utf8_lossy(&v).trim().parse::<i64>() {
                        Ok(code) => Answer::Exit(node, code),
                        Err(e) => {
                            ui::err(format!(
                                "Failed to parse exit code '{}': {e}",
                                String::from_utf8_lossy(&v)
                            ));
                            continue;
                        }
                    },
                    None => continue,
                },
                KeyKind::Output(node) => match value(&client, &full).await {
                    Some(v) if v.is_empty() => Answer::Heartbeat(node),
                    Some(v) => Answer::Output(node, v),
                    None => continue,
                },
            };
            if tx.send(answer).await.is_err() {
                return;
            }
        }
    }
}

/// What a key below the job's directory is.
#[derive(Debug, PartialEq, Eq)]
enum KeyKind {
    Job,
    Ack(String),
    Exit(String),
    Output(String),
}

/// Classify a key relative to `<prefix>/<session>/`: `job`, `<node>/ack`, `<node>/exit`,
/// `<node>/out/<n>`.
fn classify(key: &str) -> Option<KeyKind> {
    if key == JOB_KEY {
        return Some(KeyKind::Job);
    }
    if let Some(node) = key.strip_suffix(&format!("/{ACK_SUFFIX}")) {
        return Some(KeyKind::Ack(node.to_string()));
    }
    if let Some(node) = key.strip_suffix(&format!("/{EXIT_SUFFIX}")) {
        return Some(KeyKind::Exit(node.to_string()));
    }
    key.rfind("/out/")
        .map(|i| KeyKind::Output(key[..i].to_string()))
}

/// A key's value; `None` (reported) when it cannot be read.
async fn value(client: &Client, key: &str) -> Option<Vec<u8>> {
    match client.kv().get(key, &QueryOptions::default()).await {
        Ok((Some(e), _)) => Some(e.value.map(|b| b.to_vec()).unwrap_or_default()),
        Ok((None, _)) => {
            ui::err(format!("Failed to read key '{key}': not found"));
            None
        }
        Err(e) => {
            ui::err(format!("Failed to read key '{key}': {e}"));
            None
        }
    }
}

/// Consul's targeted output: every line as `==> node: line` (info) or `    node: line`
/// (output), trailing whitespace trimmed.
fn targeted(arrow: bool, node: &str, msg: &str) -> String {
    let lead = if arrow { "==>" } else { "   " };
    let mut out = String::new();
    for line in msg.split('\n') {
        out.push_str(&format!("{lead} {node}: {line}\n"));
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answer_keys_are_classified_by_their_suffix() {
        assert_eq!(classify("job"), Some(KeyKind::Job));
        assert_eq!(classify("n1/ack"), Some(KeyKind::Ack("n1".into())));
        assert_eq!(classify("n1/exit"), Some(KeyKind::Exit("n1".into())));
        assert_eq!(classify("n1/out/0000a"), Some(KeyKind::Output("n1".into())));
        assert_eq!(classify("n1/other"), None);
    }

    #[test]
    fn targeted_lines_carry_the_node_on_every_line() {
        // As Consul's prefixLines: a trailing newline leaves an empty, right-trimmed line.
        assert_eq!(
            targeted(false, "n1", "a\nb\n"),
            "    n1: a\n    n1: b\n    n1:"
        );
        assert_eq!(targeted(false, "n1", "a\nb"), "    n1: a\n    n1: b");
        assert_eq!(
            targeted(true, "n2", "finished with exit code 0"),
            "==> n2: finished with exit code 0"
        );
    }
}
