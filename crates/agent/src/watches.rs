//! The agent's config-file `watches` (Consul's `reloadWatches` / `makeWatchHandler`): each
//! entry is parsed with [`consul_api::watch::Plan`] (exempting `handler` and `args`), checked
//! for exactly one handler, and run against this agent's own HTTP API. Script handlers run
//! with the JSON on stdin and their output logged; HTTP handlers post it. A handler's failure
//! is logged and the watch goes on. All of them start with the agent, are replaced as a set
//! on reload (a set with an invalid entry is refused and the running ones stay), and stop
//! when the agent shuts down.

use std::sync::{Arc, Mutex};

use consul_api::watch::http_handler::HttpHandler;
use consul_api::watch::run::RETRY_INTERVAL;
use consul_api::watch::script::{Output, Script};
use consul_api::watch::{Flow, Handler, HandlerType, Plan, WatchResult};
use serde_json::Value;
use tokio::sync::watch;

/// Why a watch definition was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Failed to parse watch: {0}")]
pub struct WatchDefError(pub String);

/// What runs on each result of a config-file watch.
pub enum AgentHandler {
    /// A command.
    Script(Script),
    /// An HTTP request.
    Http(HttpHandler),
}

impl Handler for AgentHandler {
    async fn handle(&mut self, index: u64, result: &WatchResult) -> Flow {
        match self {
            AgentHandler::Script(s) => match s.run(index, result, Output::Capture).await {
                Ok(out) => tracing::debug!(
                    watch_handler = ?s,
                    output = %String::from_utf8_lossy(&out),
                    "agent: watch handler output"
                ),
                Err(e) => {
                    tracing::error!(watch_handler = ?s, error = %e, "agent: Failed to run watch handler")
                }
            },
            AgentHandler::Http(h) => {
                if let Err(e) = h.call(index, result).await {
                    tracing::error!(error = %e, "agent: Failed to invoke http watch handler");
                }
            }
        }
        Flow::Continue
    }
}

/// Parse one `watches` entry into its plan and handler.
pub fn parse(def: &Value) -> Result<(Plan, AgentHandler), WatchDefError> {
    let Value::Object(params) = def else {
        return Err(WatchDefError("a watch must be an object".into()));
    };
    let mut params = params.clone();
    match params.get("handler_type") {
        None => {
            params.insert("handler_type".into(), Value::String("script".into()));
        }
        Some(Value::String(t)) if t == "http" || t == "script" => {}
        Some(other) => {
            let t = other
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| other.to_string());
            return Err(WatchDefError(format!("Handler type '{t}' not recognized")));
        }
    }
    if let Some(t) = params.get("type").and_then(Value::as_str) {
        if t.starts_with("connect_") {
            return Err(WatchDefError(format!(
                "Watch type {t} is not allowed in agent config"
            )));
        }
    }
    let plan =
        Plan::parse(params, &["handler", "args"]).map_err(|e| WatchDefError(e.to_string()))?;
    let handler = plan.exempt.get("handler");
    let args = plan.exempt.get("args");
    if handler.is_some() {
        tracing::warn!("agent: The 'handler' field in watches has been deprecated and replaced with the 'args' field. See https://www.consul.io/docs/agent/watches.html");
    }
    let http = matches!(plan.handler_type, HandlerType::Http(_));
    if (handler.is_some() && args.is_some()) || (http && (handler.is_some() || args.is_some())) {
        return Err(WatchDefError("Only one watch handler allowed".into()));
    }
    let run = match (&plan.handler_type, handler, args) {
        (HandlerType::Http(cfg), _, _) => AgentHandler::Http(
            HttpHandler::new(cfg.clone()).map_err(|e| WatchDefError(e.to_string()))?,
        ),
        (_, Some(Value::String(line)), _) => AgentHandler::Script(Script::Shell(line.clone())),
        (_, Some(_), _) => return Err(WatchDefError("Watch handler must be a string".into())),
        (_, None, Some(Value::Array(a))) => {
            let args: Option<Vec<String>> =
                a.iter().map(|v| v.as_str().map(str::to_string)).collect();
            match args {
                Some(args) if !args.is_empty() => AgentHandler::Script(Script::Args(args)),
                Some(_) => return Err(WatchDefError("Must define a watch handler".into())),
                None => return Err(WatchDefError("Watch args must be a list of strings".into())),
            }
        }
        (_, None, Some(_)) => {
            return Err(WatchDefError("Watch args must be a list of strings".into()))
        }
        (_, None, None) => return Err(WatchDefError("Must define a watch handler".into())),
    };
    Ok((plan, run))
}

/// The running config-file watches.
#[derive(Default)]
pub struct Watches {
    running: Mutex<Option<watch::Sender<bool>>>,
    addr: Mutex<String>,
}

impl Watches {
    /// The agent HTTP address the watches read from (its first listener).
    pub fn set_address(&self, addr: String) {
        *self.addr.lock().unwrap_or_else(|p| p.into_inner()) = addr;
    }

    /// Replace the running watches by `defs`. If any entry is invalid nothing changes and
    /// the first error is answered.
    pub fn replace(&self, defs: &[Value]) -> Result<(), WatchDefError> {
        let parsed = defs.iter().map(parse).collect::<Result<Vec<_>, _>>()?;
        if parsed.is_empty() {
            self.stop();
            return Ok(());
        }
        let addr = self.addr.lock().unwrap_or_else(|p| p.into_inner()).clone();
        if addr.is_empty() {
            return Err(WatchDefError(
                "watch plans require an HTTP or HTTPS endpoint".into(),
            ));
        }
        let mut cfg = consul_api::Config::default();
        cfg.set_address(&addr);
        let client = consul_api::Client::new(cfg).map_err(|e| WatchDefError(e.to_string()))?;
        let (tx, rx) = watch::channel(false);
        for (plan, mut handler) in parsed {
            let (client, rx) = (client.clone(), rx.clone());
            tokio::spawn(async move {
                consul_api::watch::run(&client, &plan, &mut handler, rx, RETRY_INTERVAL).await;
            });
        }
        let old = self
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .replace(tx);
        if let Some(old) = old {
            let _ = old.send(true);
        }
        Ok(())
    }

    /// Stop every watch.
    pub fn stop(&self) {
        if let Some(tx) = self
            .running
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            let _ = tx.send(true);
        }
    }
}

/// Start `defs` for `agent`, and stop them when it shuts down.
pub fn start(agent: &Arc<crate::Agent>, defs: &[Value], addr: String) -> Result<(), WatchDefError> {
    agent.watches().set_address(addr);
    agent.watches().replace(defs)?;
    let a = agent.clone();
    tokio::spawn(async move {
        a.shutdown_requested().await;
        a.watches().stop();
    });
    Ok(())
}
