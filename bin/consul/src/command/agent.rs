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
    init_logging(&cfg.log_level);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("==> Error starting runtime: {e}");
            return 1;
        }
    };
    runtime.block_on(async {
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
        print_banner(&cfg, &running);
        consul_agent::wait_for_shutdown(&running.agent).await;
        println!("==> Gracefully shut down agent");
        0
    })
}

fn print_banner(cfg: &RuntimeConfig, running: &consul_agent::RunningAgent) {
    let info = running.agent.info();
    let clients: Vec<String> = running.http_addrs.iter().map(|a| a.ip().to_string()).collect();
    println!("           Version: '{}'", consul_agent::VERSION);
    println!("           Node ID: '{}'", info.node_id);
    println!("         Node name: '{}'", info.node_name);
    println!("        Datacenter: '{}' (Segment: '<all>')", info.datacenter);
    println!("            Server: {} (Bootstrap: {})", info.server, info.bootstrap);
    println!(
        "       Client Addr: [{}] (HTTP: {}, HTTPS: {}, gRPC: {}, DNS: {})",
        clients.join(" "),
        cfg.ports.http,
        cfg.ports.https,
        cfg.ports.grpc,
        cfg.ports.dns
    );
    println!("      Cluster Addr: {} (LAN: {}, WAN: {})", info.advertise_addr, cfg.ports.serf_lan, cfg.ports.serf_wan);
    println!(
        "           Encrypt: Gossip: {}, TLS-Outgoing: false, TLS-Incoming: false, Auto-Encrypt-TLS: false",
        cfg.encrypt.is_some()
    );
    println!();
    println!("==> Log data will now stream in as it occurs:");
    println!();
}

/// Log to stderr at the configured level (`trace`, `debug`, `info`, `warn`, `err`).
fn init_logging(level: &str) {
    let level = match level.to_ascii_lowercase().as_str() {
        "trace" => "trace",
        "debug" => "debug",
        "warn" => "warn",
        "err" | "error" => "error",
        _ => "info",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("{level},openraft=warn,hyper=warn")));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).try_init();
}
