//! Consul's runtime gauges, every second, from what a Rust process can
//! tell: `runtime.alloc_bytes` (resident memory), `runtime.sys_bytes`
//! (virtual memory), `runtime.num_goroutines` (live tokio tasks) and
//! `runtime.num_threads` (OS threads), read from `/proc/self/status`.

use std::time::Duration;

/// How often the gauges are set (go-metrics' `ProfileInterval`).
const EVERY: Duration = Duration::from_secs(1);

/// What `/proc/self/status` says about this process.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ProcStatus {
    /// `VmRSS`, in bytes.
    pub rss_bytes: u64,
    /// `VmSize`, in bytes.
    pub vm_bytes: u64,
    /// `Threads`.
    pub threads: u64,
}

/// Parses the fields of `/proc/<pid>/status` the gauges need (missing ones are 0).
pub fn parse_status(text: &str) -> ProcStatus {
    let mut s = ProcStatus::default();
    for line in text.lines() {
        let Some((key, rest)) = line.split_once(':') else {
            continue;
        };
        let n = rest
            .split_whitespace()
            .next()
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        match key {
            "VmRSS" => s.rss_bytes = n * 1024,
            "VmSize" => s.vm_bytes = n * 1024,
            "Threads" => s.threads = n,
            _ => {}
        }
    }
    s
}

/// Sets the gauges every second, forever.
pub async fn run() {
    let mut tick = tokio::time::interval(EVERY);
    loop {
        tick.tick().await;
        let tasks = tokio::runtime::Handle::current()
            .metrics()
            .num_alive_tasks();
        consul_telemetry::set_gauge(&["runtime", "num_goroutines"], tasks as f32);
        if let Ok(text) = std::fs::read_to_string("/proc/self/status") {
            let s = parse_status(&text);
            consul_telemetry::set_gauge(&["runtime", "alloc_bytes"], s.rss_bytes as f32);
            consul_telemetry::set_gauge(&["runtime", "sys_bytes"], s.vm_bytes as f32);
            consul_telemetry::set_gauge(&["runtime", "num_threads"], s.threads as f32);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_proc_status() {
        let text = "Name:\tconsul\nVmSize:\t  123456 kB\nVmRSS:\t   2048 kB\nThreads:\t7\n";
        assert_eq!(
            parse_status(text),
            ProcStatus {
                rss_bytes: 2048 * 1024,
                vm_bytes: 123456 * 1024,
                threads: 7
            }
        );
    }
}
