//! Pure readers of the Linux texts `/v1/agent/host` reports from:
//! `/proc/meminfo`, `/proc/cpuinfo`, `/etc/os-release`, with the field
//! names and derivations of the gopsutil version Consul 1.10 vendors.

use std::collections::BTreeMap;

use serde::Serialize;

/// Memory (gopsutil's `VirtualMemoryStat`), bytes.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Memory {
    /// gopsutil's `total` (bytes).
    pub total: u64,
    /// gopsutil's `available` (bytes).
    pub available: u64,
    /// gopsutil's `used` (bytes).
    pub used: u64,
    /// gopsutil's `usedPercent`.
    pub used_percent: f64,
    /// gopsutil's `free` (bytes).
    pub free: u64,
    /// gopsutil's `active` (bytes).
    pub active: u64,
    /// gopsutil's `inactive` (bytes).
    pub inactive: u64,
    /// gopsutil's `wired` (bytes).
    pub wired: u64,
    /// gopsutil's `laundry` (bytes).
    pub laundry: u64,
    /// gopsutil's `buffers` (bytes).
    pub buffers: u64,
    /// gopsutil's `cached` (bytes).
    pub cached: u64,
    /// gopsutil's `writeBack` (bytes).
    pub write_back: u64,
    /// gopsutil's `dirty` (bytes).
    pub dirty: u64,
    /// gopsutil's `writeBackTmp` (bytes).
    pub write_back_tmp: u64,
    /// gopsutil's `shared` (bytes).
    pub shared: u64,
    /// gopsutil's `slab` (bytes).
    pub slab: u64,
    /// gopsutil's `sreclaimable` (bytes).
    pub sreclaimable: u64,
    /// gopsutil's `sunreclaim` (bytes).
    pub sunreclaim: u64,
    /// gopsutil's `pageTables` (bytes).
    pub page_tables: u64,
    /// gopsutil's `swapCached` (bytes).
    pub swap_cached: u64,
    /// gopsutil's `commitLimit` (bytes).
    pub commit_limit: u64,
    /// gopsutil's `committedAS` (bytes).
    #[serde(rename = "committedAS")]
    pub committed_as: u64,
    /// gopsutil's `highTotal` (bytes).
    pub high_total: u64,
    /// gopsutil's `highFree` (bytes).
    pub high_free: u64,
    /// gopsutil's `lowTotal` (bytes).
    pub low_total: u64,
    /// gopsutil's `lowFree` (bytes).
    pub low_free: u64,
    /// gopsutil's `swapTotal` (bytes).
    pub swap_total: u64,
    /// gopsutil's `swapFree` (bytes).
    pub swap_free: u64,
    /// gopsutil's `mapped` (bytes).
    pub mapped: u64,
    /// gopsutil's `vmallocTotal` (bytes).
    pub vmalloc_total: u64,
    /// gopsutil's `vmallocUsed` (bytes).
    pub vmalloc_used: u64,
    /// gopsutil's `vmallocChunk` (bytes).
    pub vmalloc_chunk: u64,
    /// gopsutil's `hugePagesTotal` (bytes; a count for huge pages).
    pub huge_pages_total: u64,
    /// gopsutil's `hugePagesFree` (bytes; a count for huge pages).
    pub huge_pages_free: u64,
    /// gopsutil's `hugePageSize` (bytes).
    pub huge_page_size: u64,
}

/// Parse `/proc/meminfo` (values in kB, counts for huge pages).
pub fn memory(meminfo: &str) -> Memory {
    let mut v: BTreeMap<&str, u64> = BTreeMap::new();
    for line in meminfo.lines() {
        let Some((k, rest)) = line.split_once(':') else {
            continue;
        };
        let mut parts = rest.split_whitespace();
        let Some(n) = parts.next().and_then(|n| n.parse::<u64>().ok()) else {
            continue;
        };
        let bytes = if parts.next() == Some("kB") {
            n * 1024
        } else {
            n
        };
        v.insert(k.trim(), bytes);
    }
    let g = |k: &str| v.get(k).copied().unwrap_or(0);
    let total = g("MemTotal");
    let (free, buffers, cached) = (g("MemFree"), g("Buffers"), g("Cached"));
    let available = v
        .get("MemAvailable")
        .copied()
        .unwrap_or(free + buffers + cached);
    let used = total.saturating_sub(free + buffers + cached);
    Memory {
        total,
        available,
        used,
        used_percent: if total == 0 {
            0.0
        } else {
            used as f64 / total as f64 * 100.0
        },
        free,
        active: g("Active"),
        inactive: g("Inactive"),
        buffers,
        cached,
        write_back: g("Writeback"),
        dirty: g("Dirty"),
        write_back_tmp: g("WritebackTmp"),
        shared: g("Shmem"),
        slab: g("Slab"),
        sreclaimable: g("SReclaimable"),
        sunreclaim: g("SUnreclaim"),
        page_tables: g("PageTables"),
        swap_cached: g("SwapCached"),
        commit_limit: g("CommitLimit"),
        committed_as: g("Committed_AS"),
        high_total: g("HighTotal"),
        high_free: g("HighFree"),
        low_total: g("LowTotal"),
        low_free: g("LowFree"),
        swap_total: g("SwapTotal"),
        swap_free: g("SwapFree"),
        mapped: g("Mapped"),
        vmalloc_total: g("VmallocTotal"),
        vmalloc_used: g("VmallocUsed"),
        vmalloc_chunk: g("VmallocChunk"),
        huge_pages_total: g("HugePages_Total"),
        huge_pages_free: g("HugePages_Free"),
        huge_page_size: g("Hugepagesize"),
        ..Default::default()
    }
}

/// One logical CPU (gopsutil's `cpu.InfoStat`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Cpu {
    /// gopsutil's `cpu`.
    pub cpu: i32,
    /// gopsutil's `vendorId`.
    pub vendor_id: String,
    /// gopsutil's `family`.
    pub family: String,
    /// gopsutil's `model`.
    pub model: String,
    /// gopsutil's `stepping`.
    pub stepping: i32,
    /// gopsutil's `physicalId`.
    pub physical_id: String,
    /// gopsutil's `coreId`.
    pub core_id: String,
    /// gopsutil's `cores`.
    pub cores: i32,
    /// gopsutil's `modelName`.
    pub model_name: String,
    /// gopsutil's `mhz`.
    pub mhz: f64,
    /// gopsutil's `cacheSize`.
    pub cache_size: i32,
    /// gopsutil's `flags`.
    pub flags: Vec<String>,
    /// gopsutil's `microcode`.
    pub microcode: String,
}

/// Parse `/proc/cpuinfo`: one entry per `processor` block (each counts
/// one core, as gopsutil reports on Linux).
pub fn cpus(cpuinfo: &str) -> Vec<Cpu> {
    let mut out: Vec<Cpu> = Vec::new();
    for line in cpuinfo.lines() {
        let Some((k, v)) = line.split_once(':') else {
            continue;
        };
        let (k, v) = (k.trim(), v.trim());
        if k == "processor" {
            out.push(Cpu {
                cpu: v.parse().unwrap_or(out.len() as i32),
                cores: 1,
                ..Default::default()
            });
            continue;
        }
        let Some(c) = out.last_mut() else { continue };
        match k {
            "vendor_id" | "vendor" => c.vendor_id = v.into(),
            "cpu family" => c.family = v.into(),
            "model" => c.model = v.into(),
            "model name" => c.model_name = v.into(),
            "stepping" => c.stepping = v.parse().unwrap_or(0),
            "physical id" => c.physical_id = v.into(),
            "core id" => c.core_id = v.into(),
            "cpu MHz" => c.mhz = v.parse().unwrap_or(0.0),
            "cache size" => {
                c.cache_size = v
                    .split_whitespace()
                    .next()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0)
            }
            "flags" | "Features" => c.flags = v.split_whitespace().map(str::to_string).collect(),
            "microcode" => c.microcode = v.into(),
            _ => {}
        }
    }
    out
}

/// `ID`, `VERSION_ID` and `ID_LIKE` from `/etc/os-release`: platform,
/// version and family as gopsutil names them.
pub fn os_release(text: &str) -> (String, String, String) {
    let get = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .map(|v| v.trim_matches('"').to_string())
            .unwrap_or_default()
    };
    let platform = get("ID");
    let like = get("ID_LIKE");
    let family = match platform.as_str() {
        "debian" | "ubuntu" | "linuxmint" | "raspbian" => "debian".to_string(),
        "fedora" => "fedora".to_string(),
        "rhel" | "centos" | "rocky" | "almalinux" | "oracle" | "amzn" => "rhel".to_string(),
        "alpine" => "alpine".to_string(),
        "arch" | "manjaro" => "arch".to_string(),
        _ => like
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string(),
    };
    (platform, get("VERSION_ID"), family)
}

/// A 32-hex machine id as a UUID (gopsutil's `hostId`).
pub fn as_uuid(id: &str) -> String {
    let id = id.trim();
    if id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        format!(
            "{}-{}-{}-{}-{}",
            &id[0..8],
            &id[8..12],
            &id[12..16],
            &id[16..20],
            &id[20..32]
        )
    } else {
        id.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meminfo_gives_gopsutils_used() {
        let m = memory(
            "MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 700 kB\nBuffers: 50 kB\nCached: 250 kB\nSReclaimable: 10 kB\nCommitted_AS: 5 kB\nHugePages_Total: 3\n",
        );
        assert_eq!(m.total, 1_024_000);
        assert_eq!(m.used, (1000 - 100 - 50 - 250) * 1024);
        assert_eq!(m.available, 700 * 1024);
        assert!((m.used_percent - 60.0).abs() < 1e-9);
        assert_eq!(m.committed_as, 5 * 1024);
        assert_eq!(m.huge_pages_total, 3);
        let v = serde_json::to_value(&m).unwrap();
        assert!(v.get("committedAS").is_some() && v.get("usedPercent").is_some());
    }

    #[test]
    fn cpuinfo_blocks_become_cpus() {
        let text = "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 26\nmodel\t\t: 2\nmodel name\t: AMD EPYC\nstepping\t: 1\ncpu MHz\t\t: 2596.124\ncache size\t: 1024 KB\nphysical id\t: 0\ncore id\t\t: 0\nflags\t\t: fpu vme\nmicrocode\t: 0x1\n\nprocessor\t: 1\nvendor_id\t: AuthenticAMD\n";
        let c = cpus(text);
        assert_eq!(c.len(), 2);
        assert_eq!(
            (c[0].family.as_str(), c[0].stepping, c[0].cache_size),
            ("26", 1, 1024)
        );
        assert_eq!(c[0].flags, vec!["fpu", "vme"]);
        assert_eq!((c[1].cpu, c[1].cores), (1, 1));
    }

    #[test]
    fn os_release_and_machine_id() {
        let (p, v, f) = os_release("ID=debian\nVERSION_ID=\"12\"\n");
        assert_eq!(
            (p.as_str(), v.as_str(), f.as_str()),
            ("debian", "12", "debian")
        );
        assert_eq!(
            as_uuid("3d1219c7c4c5404aaa1f6d2a48adfda4"),
            "3d1219c7-c4c5-404a-aa1f-6d2a48adfda4"
        );
    }
}
