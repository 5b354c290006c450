//! What `GET /v1/agent/host` reports about the machine the agent runs on,
//! in the shape of Consul's `debug.HostInfo` (gopsutil's structures):
//! memory, CPUs, host facts and the usage of the root filesystem. Each part
//! that cannot be read is left `null` with its error listed, as Consul does.

pub mod proc;

use serde::Serialize;

/// Consul's `HostInfo`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct HostInfo {
    /// Memory, from `/proc/meminfo`.
    pub memory: Option<proc::Memory>,
    /// One entry per logical CPU, from `/proc/cpuinfo`.
    #[serde(rename = "CPU")]
    pub cpu: Option<Vec<proc::Cpu>>,
    /// Host facts.
    pub host: Option<Host>,
    /// Usage of `/`.
    pub disk: Option<Disk>,
    /// When this was collected, Unix nanoseconds.
    pub collection_time: i64,
    /// What could not be read (`null` when everything was).
    pub errors: Option<Vec<String>>,
}

/// gopsutil's `host.InfoStat`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Host {
    /// The host name.
    pub hostname: String,
    /// Seconds since boot.
    pub uptime: u64,
    /// Unix seconds of the boot.
    pub boot_time: u64,
    /// Number of processes.
    pub procs: u64,
    /// `linux`.
    pub os: String,
    /// Distribution (`debian`, …).
    pub platform: String,
    /// Distribution family.
    pub platform_family: String,
    /// Distribution version.
    pub platform_version: String,
    /// Kernel release.
    pub kernel_version: String,
    /// `uname -m`.
    pub kernel_arch: String,
    /// Hypervisor, when known.
    pub virtualization_system: String,
    /// `guest` under a hypervisor, else empty.
    pub virtualization_role: String,
    /// Machine id as a UUID.
    pub host_id: String,
}

/// gopsutil's `disk.UsageStat`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Disk {
    /// The path measured (`/`).
    pub path: String,
    /// Filesystem kind, gopsutil's names (`ext2/ext3`, `xfs`, …).
    pub fstype: String,
    /// Bytes in all.
    pub total: u64,
    /// Bytes free for unprivileged users.
    pub free: u64,
    /// Bytes used.
    pub used: u64,
    /// `used / (used + free)` in percent.
    pub used_percent: f64,
    /// Inodes in all.
    pub inodes_total: u64,
    /// Inodes used.
    pub inodes_used: u64,
    /// Inodes free.
    pub inodes_free: u64,
    /// Inodes used in percent.
    pub inodes_used_percent: f64,
}

fn read(path: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("open {path}: {e}"))
}

/// Collect everything now.
pub fn collect() -> HostInfo {
    let mut errors = Vec::new();
    let memory = keep(&mut errors, read("/proc/meminfo").map(|t| proc::memory(&t)));
    let cpuinfo = keep(&mut errors, read("/proc/cpuinfo"));
    let cpu = cpuinfo.as_deref().map(proc::cpus);
    let host = keep(&mut errors, host(cpuinfo.as_deref().unwrap_or("")));
    let disk = keep(&mut errors, disk("/"));
    let collection_time = consul_types::timestamp::Timestamp::now().0;
    HostInfo {
        memory,
        cpu,
        host,
        disk,
        collection_time,
        errors: (!errors.is_empty()).then_some(errors),
    }
}

/// The value of `r`, or `None` with its error kept.
fn keep<T>(errors: &mut Vec<String>, r: Result<T, String>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

fn host(cpuinfo: &str) -> Result<Host, String> {
    let uname = nix::sys::utsname::uname().map_err(|e| format!("uname: {e}"))?;
    let uptime: u64 = read("/proc/uptime")?
        .split_whitespace()
        .next()
        .and_then(|s| s.parse::<f64>().ok())
        .map(|f| f as u64)
        .unwrap_or(0);
    let now = consul_types::timestamp::Timestamp::now().unix_secs() as u64;
    let procs = std::fs::read_dir("/proc")
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .bytes()
                        .all(|b| b.is_ascii_digit())
                })
                .count() as u64
        })
        .unwrap_or(0);
    let (platform, mut platform_version, platform_family) =
        proc::os_release(&read("/etc/os-release").unwrap_or_default());
    if platform == "debian" {
        // gopsutil reads the point release from here.
        if let Ok(v) = read("/etc/debian_version") {
            platform_version = v.trim().to_string();
        }
    }
    let host_id = [
        "/sys/class/dmi/id/product_uuid",
        "/etc/machine-id",
        "/proc/sys/kernel/random/boot_id",
    ]
    .iter()
    .find_map(|p| {
        std::fs::read_to_string(p)
            .ok()
            .filter(|s| !s.trim().is_empty())
    })
    .map(|s| proc::as_uuid(&s))
    .unwrap_or_default();
    let guest = cpuinfo
        .lines()
        .any(|l| l.starts_with("flags") && l.split_whitespace().any(|f| f == "hypervisor"));
    Ok(Host {
        hostname: uname.nodename().to_string_lossy().into_owned(),
        uptime,
        boot_time: now.saturating_sub(uptime),
        procs,
        os: "linux".into(),
        platform,
        platform_family,
        platform_version,
        kernel_version: uname.release().to_string_lossy().into_owned(),
        kernel_arch: uname.machine().to_string_lossy().into_owned(),
        virtualization_system: String::new(),
        virtualization_role: if guest { "guest".into() } else { String::new() },
        host_id,
    })
}

fn fstype_name(magic: i64) -> String {
    match magic {
        0xEF53 => "ext2/ext3",
        0x58465342 => "xfs",
        0x9123683E => "btrfs",
        0x01021994 => "tmpfs",
        0x794C7630 => "overlayfs",
        0x6969 => "nfs",
        0x2FC12FC1 => "zfs",
        0xF2F52010 => "f2fs",
        _ => "",
    }
    .to_string()
}

fn disk(path: &str) -> Result<Disk, String> {
    let s = nix::sys::statfs::statfs(path).map_err(|e| format!("statfs {path}: {e}"))?;
    let bsize = s.block_size() as u64;
    let total = s.blocks() as u64 * bsize;
    let free = s.blocks_available() as u64 * bsize;
    let used = (s.blocks() as u64 - s.blocks_free() as u64) * bsize;
    let pct = |a: u64, b: u64| {
        if a + b == 0 {
            0.0
        } else {
            a as f64 / (a + b) as f64 * 100.0
        }
    };
    let inodes_total = s.files() as u64;
    let inodes_free = s.files_free() as u64;
    let inodes_used = inodes_total.saturating_sub(inodes_free);
    Ok(Disk {
        path: path.into(),
        fstype: fstype_name(s.filesystem_type().0 as i64),
        total,
        free,
        used,
        used_percent: pct(used, free),
        inodes_total,
        inodes_used,
        inodes_free,
        inodes_used_percent: if inodes_total == 0 {
            0.0
        } else {
            inodes_used as f64 / inodes_total as f64 * 100.0
        },
    })
}
