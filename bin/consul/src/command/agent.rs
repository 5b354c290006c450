//! `consul agent`: parse flags and config, start the agent, print Consul's
//! banner, and run until a signal or `consul leave` stops it.

use consul_config::RuntimeConfig;

/// Run the agent; returns the exit code.
pub fn run(args: &[String]) -> i32 {
    let cfg = match consul_config::load_from_args(args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("==> {e}");
            return 1;
        }
    };
    let (log_level, _log_writer) = init_logging(&cfg.log_level);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("==> Error starting runtime: {e}");
            return 1;
        }
    };
    let code = runtime.block_on(async {
        if cfg.dev {
            println!("==> Starting Consul agent in development mode...");
        } else {
            println!("==> Starting Consul agent...");
        }
        for w in &cfg.warnings {
            tracing::warn!("{w}");
        }
        if cfg.bootstrap {
            println!("==> WARNING: Bootstrap mode enabled! Do not enable unless necessary");
        }
        let running = match consul_agent::start(cfg.clone(), args.to_vec()).await {
            Ok(r) => r,
            Err(e) => {
                eprintln!("==> {e}");
                return 1;
            }
        };
        if let Some(set) = log_level {
            running.agent.set_log_level_hook(set);
        }
        print_banner(&cfg, &running);
        match consul_agent::wait_for_shutdown(&running.agent).await {
            Ok(()) => {
                consul_agent::console::say("==> Gracefully shut down agent");
                0
            }
            Err(reason) => {
                consul_agent::console::warn(format!("==> {reason}"));
                1
            }
        }
    });
    consul_agent::console::flush(std::time::Duration::from_secs(1));
    // Nothing left running (a probe's blocking task, a stuck connection) may
    // keep the process alive once the agent has shut down.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    code
}

fn print_banner(cfg: &RuntimeConfig, running: &consul_agent::RunningAgent) {
    let info = running.agent.info();
    let clients: Vec<String> = running
        .http_addrs
        .iter()
        .map(|a| match a {
            consul_agent::http::listen::HttpAddr::Tcp(a) => a.ip().to_string(),
            unix => unix.to_string(),
        })
        .collect();
    println!("           Version: '{}'", consul_agent::VERSION);
    println!("           Node ID: '{}'", info.node_id);
    println!("         Node name: '{}'", info.node_name);
    println!(
        "        Datacenter: '{}' (Segment: '<all>')",
        info.datacenter
    );
    println!(
        "            Server: {} (Bootstrap: {})",
        info.server, info.bootstrap
    );
    println!(
        "       Client Addr: [{}] (HTTP: {}, HTTPS: {}, gRPC: {}, DNS: {})",
        clients.join(" "),
        cfg.ports.http,
        cfg.ports.https,
        cfg.ports.grpc,
        cfg.ports.dns
    );
    println!(
        "      Cluster Addr: {} (LAN: {}, WAN: {})",
        info.advertise_addr, cfg.ports.serf_lan, cfg.ports.serf_wan
    );
    println!(
        "           Encrypt: Gossip: {}, TLS-Outgoing: false, TLS-Incoming: false, Auto-Encrypt-TLS: false",
        cfg.encrypt.is_some()
    );
    println!();
    println!("==> Log data will now stream in as it occurs:");
    println!();
}

/// The `tracing` level for a Consul `log_level` (`trace`, `debug`, `info`,
/// `warn`, `err`).
fn tracing_level(level: &str) -> &'static str {
    match level.to_ascii_lowercase().as_str() {
        "trace" => "trace",
        "debug" => "debug",
        "warn" => "warn",
        "err" | "error" => "error",
        _ => "info",
    }
}

fn level_filter(level: &str) -> tracing_subscriber::EnvFilter {
    tracing_subscriber::EnvFilter::new(format!("{},openraft=warn,hyper=warn", tracing_level(level)))
}

/// Log to stderr at the configured level. Unless `RUST_LOG` decides the
/// filter, returns the hook a reload calls to change the level.
/// Set up logging to stderr through a writer thread with a bounded, lossy
/// queue: a stderr pipe nobody reads drops log lines instead of stopping the
/// agent (which would then never answer, nor leave). The guard flushes the
/// queue (for at most a second) when dropped.
fn init_logging(
    level: &str,
) -> (
    Option<consul_agent::agent::LogLevelHook>,
    tracing_appender::non_blocking::WorkerGuard,
) {
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(true)
        .buffered_lines_limit(LOG_QUEUE_LINES)
        .finish(std::io::stderr());
    (init_subscriber(level, writer), guard)
}

/// Log lines queued for stderr before new ones are dropped.
const LOG_QUEUE_LINES: usize = 16_384;

fn init_subscriber(
    level: &str,
    writer: tracing_appender::non_blocking::NonBlocking,
) -> Option<consul_agent::agent::LogLevelHook> {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::Layer;
    let from_env = tracing_subscriber::EnvFilter::try_from_default_env().ok();
    let fixed = from_env.is_some();
    let filter = from_env.unwrap_or_else(|| level_filter(level));
    let (filter, handle) = tracing_subscriber::reload::Layer::new(filter);
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(writer)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_filter(filter);
    // Monitors (`/v1/agent/monitor`) pick their own level, independent of
    // the one stderr logs at.
    let init = tracing_subscriber::registry()
        .with(stderr)
        .with(consul_agent::monitor::layer())
        .try_init();
    if init.is_err() || fixed {
        return None;
    }
    let current = std::sync::Mutex::new(tracing_level(level));
    Some(Box::new(move |level: &str| {
        let new = tracing_level(level);
        let Ok(mut cur) = current.lock() else {
            return;
        };
        if *cur == new {
            return;
        }
        match handle.reload(level_filter(level)) {
            Ok(()) => {
                *cur = new;
                tracing::info!("agent: log level changed to {new}");
            }
            Err(e) => tracing::error!("agent: failed to change log level: {e}"),
        }
    }))
}
