//! Log streaming for `GET /v1/agent/monitor` and `consul monitor`: a
//! `tracing` layer ([`MonitorLayer`]) hands every event at or above the
//! most verbose level a monitor asked for to a process-wide broadcast
//! channel, which each monitor reads at its own level, as text or as
//! hclog's JSON. While no monitor listens the layer lets nothing through,
//! so logging costs what it did before. A monitor too slow to keep up
//! loses lines rather than slowing the agent. The hub is process-wide
//! because the logger is.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

/// Lines a slow monitor may fall behind by before it loses some.
const BACKLOG: usize = 4096;

/// One log event, as monitors see it.
#[derive(Debug, Clone)]
pub struct LogRecord {
    /// Its level.
    pub level: Level,
    /// When it happened, Unix nanoseconds.
    pub time: i64,
    /// The module that logged it (`consul_agent::…`).
    pub target: String,
    /// The message.
    pub message: String,
    /// The other fields, in order.
    pub fields: Vec<(String, String)>,
}

struct Hub {
    tx: tokio::sync::broadcast::Sender<Arc<LogRecord>>,
    /// Listeners per level (index: 0 = error … 4 = trace).
    listeners: [AtomicUsize; 5],
}

fn hub() -> &'static Hub {
    static HUB: OnceLock<Hub> = OnceLock::new();
    HUB.get_or_init(|| Hub {
        tx: tokio::sync::broadcast::channel(BACKLOG).0,
        listeners: Default::default(),
    })
}

fn rank(level: Level) -> usize {
    match level {
        Level::ERROR => 0,
        Level::WARN => 1,
        Level::INFO => 2,
        Level::DEBUG => 3,
        Level::TRACE => 4,
    }
}

/// Whether any monitor wants events at `level`.
fn wanted(level: &Level) -> bool {
    let h = hub();
    h.listeners[rank(*level)..]
        .iter()
        .any(|n| n.load(Ordering::Relaxed) > 0)
}

/// The level named by a monitor's `loglevel` (Consul's names: `trace`,
/// `debug`, `info`, `warn`, `err`/`error`); `None` for an unknown one.
pub fn parse_level(name: &str) -> Option<Level> {
    Some(match name.to_ascii_lowercase().as_str() {
        "trace" => Level::TRACE,
        "debug" => Level::DEBUG,
        "" | "info" => Level::INFO,
        "warn" => Level::WARN,
        "err" | "error" => Level::ERROR,
        _ => return None,
    })
}

/// A monitor's subscription: records at `level` or above, until dropped.
pub struct Subscription {
    rx: tokio::sync::broadcast::Receiver<Arc<LogRecord>>,
    level: Level,
}

impl Subscription {
    /// Start listening at `level`.
    pub fn new(level: Level) -> Subscription {
        let h = hub();
        h.listeners[rank(level)].fetch_add(1, Ordering::Relaxed);
        // Make callsites re-ask whether they are enabled.
        tracing::callsite::rebuild_interest_cache();
        Subscription {
            rx: h.tx.subscribe(),
            level,
        }
    }

    /// The next record at this subscription's level (`None` once the hub
    /// is gone). Records lost because this monitor fell behind are skipped.
    pub async fn next(&mut self) -> Option<Arc<LogRecord>> {
        loop {
            match self.rx.recv().await {
                Ok(r) if r.level <= self.level => return Some(r),
                Ok(_) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
            }
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        hub().listeners[rank(self.level)].fetch_sub(1, Ordering::Relaxed);
    }
}

/// The layer that feeds monitors (see [`layer`] for it with its filter).
pub struct MonitorLayer;

#[derive(Default)]
struct Fields {
    message: String,
    fields: Vec<(String, String)>,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_string();
        } else {
            self.fields
                .push((field.name().to_string(), value.to_string()));
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let text = format!("{value:?}");
        if field.name() == "message" {
            self.message = text;
        } else {
            self.fields.push((field.name().to_string(), text));
        }
    }
}

/// The monitor layer with its own filter (what monitors want now), to add
/// to the process's subscriber beside the stderr layer: being filtered per
/// layer, it never hides an event from the others.
pub fn layer<S>() -> impl Layer<S>
where
    S: Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    MonitorLayer.with_filter(tracing_subscriber::filter::filter_fn(|meta| {
        wanted(meta.level())
    }))
}

impl<S: Subscriber> Layer<S> for MonitorLayer {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        // The layer's filter (see [`layer`]) already asked `wanted`.
        let meta = event.metadata();
        let mut f = Fields::default();
        event.record(&mut f);
        let _ = hub().tx.send(Arc::new(LogRecord {
            level: *meta.level(),
            time: consul_types::timestamp::Timestamp::now().0,
            target: meta.target().to_string(),
            message: f.message,
            fields: f.fields,
        }));
    }
}

fn level_name(l: Level) -> &'static str {
    match l {
        Level::ERROR => "ERROR",
        Level::WARN => "WARN",
        Level::INFO => "INFO",
        Level::DEBUG => "DEBUG",
        Level::TRACE => "TRACE",
    }
}

fn timestamp(ns: i64) -> String {
    consul_types::timestamp::Timestamp(ns).to_rfc3339()
}

/// A record as a text line, hclog's layout: `time [LEVEL] message: k=v`.
pub fn text_line(r: &LogRecord) -> String {
    let level = format!("[{}]", level_name(r.level));
    let mut s = format!("{} {level:<7} {}", timestamp(r.time), r.message);
    if !r.fields.is_empty() {
        s.push(':');
        for (k, v) in &r.fields {
            let _ = write!(s, " {k}={v}");
        }
    }
    s
}

/// A record as hclog's JSON (`@level`, `@message`, `@module`,
/// `@timestamp`, then the fields).
pub fn json_line(r: &LogRecord) -> String {
    let mut m = serde_json::Map::new();
    m.insert("@level".into(), level_name(r.level).to_lowercase().into());
    m.insert("@message".into(), r.message.clone().into());
    m.insert("@module".into(), r.target.replace("::", ".").into());
    m.insert("@timestamp".into(), timestamp(r.time).into());
    for (k, v) in &r.fields {
        m.insert(k.clone(), v.clone().into());
    }
    serde_json::Value::Object(m).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> LogRecord {
        LogRecord {
            level: Level::WARN,
            time: 0,
            target: "consul_agent::ae".into(),
            message: "sync failed".into(),
            fields: vec![("error".into(), "no leader".into())],
        }
    }

    #[test]
    fn lines_in_hclogs_layouts() {
        let r = record();
        assert_eq!(
            text_line(&r),
            "1970-01-01T00:00:00Z [WARN]  sync failed: error=no leader"
        );
        let v: serde_json::Value = serde_json::from_str(&json_line(&r)).unwrap();
        assert_eq!(v["@level"], "warn");
        assert_eq!(v["@module"], "consul_agent.ae");
        assert_eq!(v["error"], "no leader");
    }

    #[test]
    fn levels_parse_as_consul_names_them() {
        assert_eq!(parse_level("err"), Some(Level::ERROR));
        assert_eq!(parse_level("DEBUG"), Some(Level::DEBUG));
        assert_eq!(parse_level(""), Some(Level::INFO));
        assert_eq!(parse_level("loud"), None);
    }

    #[tokio::test]
    async fn a_subscription_sees_its_level_and_above() {
        let _guard = tracing::subscriber::set_default(
            tracing_subscriber::layer::SubscriberExt::with(tracing_subscriber::registry(), layer()),
        );
        assert!(!wanted(&Level::INFO), "nobody listens yet");
        let mut sub = Subscription::new(Level::INFO);
        tracing::debug!("too verbose");
        tracing::info!(k = 1, "hello");
        let r = sub.next().await.unwrap();
        assert_eq!((r.level, r.message.as_str()), (Level::INFO, "hello"));
        assert_eq!(r.fields, vec![("k".to_string(), "1".to_string())]);
        drop(sub);
        assert!(!wanted(&Level::INFO));
    }
}
