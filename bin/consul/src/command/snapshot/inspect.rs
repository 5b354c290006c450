//! `consul snapshot inspect`: what an archive holds, laid out as Consul
//! 1.10 lays it out (`-format=pretty`: the metadata, then one row per table
//! with rows, largest first, and the total; `-format=json`: the same as
//! Consul's `OutputFormat`). Types are our state store's tables; with
//! `-kvdetails`, KV entries are also summed by key prefix (the first
//! `-kvdepth` `/`-separated parts, only keys starting with `-kvfilter`).

use anyhow::anyhow;
use serde::Serialize;

use crate::command::flags::{FlagSet, Kind};
use crate::command::{http, ui};

const HELP: &str = r#"Usage: consul snapshot inspect [options] FILE

  Displays information about a snapshot file on disk.

  To inspect the file "backup.snap":

    $ consul snapshot inspect backup.snap"#;

/// `MetadataInfo`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct Meta {
    #[serde(rename = "ID")]
    id: String,
    size: u64,
    index: u64,
    term: u64,
    version: u64,
}

/// `typeStats`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct Stat {
    name: String,
    sum: u64,
    count: u64,
}

/// `OutputFormat`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct Output {
    meta: Meta,
    stats: Vec<Stat>,
    #[serde(rename = "StatsKV")]
    stats_kv: Option<Vec<Stat>>,
    total_size: u64,
    #[serde(rename = "TotalSizeKV")]
    total_size_kv: u64,
}

/// Run `consul snapshot inspect`.
pub fn run(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(HELP);
    fs.flag("format", Kind::Str, "pretty", "Output format {pretty|json}")
        .flag(
            "kvdetails",
            Kind::Bool,
            "",
            "Provides a detailed KV space usage breakdown for any KV data that's been stored.",
        )
        .flag(
            "kvdepth",
            Kind::U64,
            "2",
            "Can only be used with -kvdetails. The key prefix depth used to breakdown KV store \
             data. Defaults to 2.",
        )
        .flag(
            "kvfilter",
            Kind::Str,
            "",
            "Can only be used with -kvdetails. Limits KV key breakdown using this prefix filter.",
        );
    ui::run(&fs, args, |p| async move {
        let file = super::file_arg(&p.args)?.to_string();
        let format = p.str("format").unwrap_or("pretty").to_string();
        if format != "pretty" && format != "json" {
            return Err(anyhow!(
                "Error outputting enhanced snapshot data: Unknown format: {format}"
            ));
        }
        let bytes = std::fs::read(&file).map_err(|e| {
            anyhow!(
                "Error opening snapshot file: {}",
                http::go_open_error(&file, &e)
            )
        })?;
        let archive = consul_types::snapshot::read(&bytes)
            .map_err(|e| anyhow!("Error reading snapshot: {e}"))?;
        let image = consul_state::image_stats(&archive.state)
            .map_err(|e| anyhow!("Error extracting snapshot data: {e}"))?;
        let mut stats: Vec<Stat> = image
            .tables
            .iter()
            .filter(|t| t.count > 0)
            .map(|t| Stat {
                name: t.name.to_string(),
                sum: t.size as u64,
                count: t.count as u64,
            })
            .collect();
        // Largest first, then by name (Consul's sortTypeStats).
        stats.sort_by(|a, b| b.sum.cmp(&a.sum).then_with(|| a.name.cmp(&b.name)));
        let (stats_kv, total_size_kv) = if p.bool("kvdetails") {
            let depth = usize::try_from(p.u64("kvdepth")).unwrap_or(usize::MAX);
            kv_stats(&image.kvs, depth, p.str("kvfilter").unwrap_or(""))
        } else {
            (None, 0)
        };
        let m = archive.meta;
        let out = Output {
            meta: Meta {
                id: m.id,
                size: m.size,
                index: m.index,
                term: m.term,
                version: m.version,
            },
            stats,
            stats_kv,
            total_size: m.size,
            total_size_kv,
        };
        ui::out(if format == "json" {
            json(&out)
        } else {
            pretty(&out)
        });
        Ok(0)
    })
}

/// KV sizes summed by the first `depth` parts of each key that starts with
/// `filter`, sorted as the table stats; `None` when no key matched.
fn kv_stats(kvs: &[(String, usize)], depth: usize, filter: &str) -> (Option<Vec<Stat>>, u64) {
    let mut by: std::collections::BTreeMap<String, Stat> = Default::default();
    let mut total = 0u64;
    for (key, size) in kvs.iter().filter(|(k, _)| k.starts_with(filter)) {
        let prefix = key.split('/').take(depth).collect::<Vec<_>>().join("/");
        let s = by.entry(prefix.clone()).or_insert(Stat {
            name: prefix,
            sum: 0,
            count: 0,
        });
        s.sum += *size as u64;
        s.count += 1;
        total += *size as u64;
    }
    if by.is_empty() {
        return (None, 0);
    }
    let mut v: Vec<Stat> = by.into_values().collect();
    v.sort_by(|a, b| b.sum.cmp(&a.sum).then_with(|| a.name.cmp(&b.name)));
    (Some(v), total)
}

/// Go's `json.MarshalIndent(v, "", "   ")`.
fn json(out: &Output) -> String {
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"   ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    // Plain data always serializes.
    let _ = out.serialize(&mut ser);
    String::from_utf8_lossy(&buf).into_owned()
}

/// Consul's pretty layout (a `tabwriter` with min width 8 and padding 6,
/// the metadata and the table list being separate column blocks).
fn pretty(out: &Output) -> String {
    let m = &out.meta;
    let meta: Vec<Vec<String>> = [
        ("ID", m.id.clone()),
        ("Size", m.size.to_string()),
        ("Index", m.index.to_string()),
        ("Term", m.term.to_string()),
        ("Version", m.version.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| vec![format!(" {k}"), v])
    .collect();
    let dash = || vec![" ----".to_string(), "----".to_string(), "----".to_string()];
    let mut rows = vec![
        vec![" Type".to_string(), "Count".to_string(), "Size".to_string()],
        dash(),
    ];
    for s in &out.stats {
        rows.push(vec![
            format!(" {}", s.name),
            s.count.to_string(),
            byte_size(s.sum),
        ]);
    }
    rows.push(dash());
    rows.push(vec![
        " Total".to_string(),
        String::new(),
        byte_size(out.total_size),
    ]);
    let mut text = format!("{}\n\n{}", tab_block(&meta), tab_block(&rows));
    if let Some(kvs) = &out.stats_kv {
        let mut rows = vec![
            vec![
                " Key Name".to_string(),
                "Count".to_string(),
                "Size".to_string(),
            ],
            dash(),
        ];
        for s in kvs {
            rows.push(vec![
                format!(" {}", s.name),
                s.count.to_string(),
                byte_size(s.sum),
            ]);
        }
        rows.push(dash());
        rows.push(vec![
            " Total".to_string(),
            String::new(),
            byte_size(out.total_size_kv),
        ]);
        text.push_str("\n\n");
        text.push_str(&tab_block(&rows));
    }
    text
}

/// One `tabwriter` column block: every cell but a line's last padded to its
/// column's widest cell plus 6, and at least 8.
fn tab_block(lines: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = Vec::new();
    for l in lines {
        for (i, c) in l.iter().enumerate().take(l.len().saturating_sub(1)) {
            let w = (c.chars().count() + 6).max(8);
            match widths.get_mut(i) {
                Some(m) => *m = (*m).max(w),
                None => widths.push(w),
            }
        }
    }
    let mut out = Vec::new();
    for l in lines {
        let mut line = String::new();
        for (i, c) in l.iter().enumerate() {
            line.push_str(c);
            if i + 1 < l.len() {
                line.push_str(&" ".repeat(widths[i] - c.chars().count()));
            }
        }
        out.push(line);
    }
    out.join("\n")
}

/// Consul's `ByteSize`: one decimal, a trailing `.0` dropped, units of 1024.
pub fn byte_size(bytes: u64) -> String {
    const UNITS: [(u64, &str); 4] = [
        (1 << 40, "TB"),
        (1 << 30, "GB"),
        (1 << 20, "MB"),
        (1 << 10, "KB"),
    ];
    if bytes == 0 {
        return "0".to_string();
    }
    let (div, unit) = UNITS
        .iter()
        .find(|(d, _)| bytes >= *d)
        .copied()
        .unwrap_or((1, "B"));
    let s = format!("{:.1}", bytes as f64 / div as f64);
    format!("{}{unit}", s.strip_suffix(".0").unwrap_or(&s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_matches_consuls_layout() {
        let out = Output {
            meta: Meta {
                id: "2-13-1602222343947".into(),
                size: 5141,
                index: 13,
                term: 2,
                version: 1,
            },
            stats: vec![
                Stat {
                    name: "Register".into(),
                    sum: 1741,
                    count: 3,
                },
                Stat {
                    name: "ConnectCAProviderState".into(),
                    sum: 1126,
                    count: 1,
                },
                Stat {
                    name: "ChunkingState".into(),
                    sum: 12,
                    count: 1,
                },
            ],
            stats_kv: None,
            total_size: 5141,
            total_size_kv: 0,
        };
        let want = " ID           2-13-1602222343947
 Size         5141
 Index        13
 Term         2
 Version      1

 Type                        Count      Size
 ----                        ----       ----
 Register                    3          1.7KB
 ConnectCAProviderState      1          1.1KB
 ChunkingState               1          12B
 ----                        ----       ----
 Total                                  5KB";
        assert_eq!(pretty(&out), want);

        let kvs: Vec<(String, usize)> = [
            ("vault/logical/a/x", 600),
            ("vault/logical/a/y", 610),
            ("vault/logical/b", 210),
            ("other", 5),
        ]
        .into_iter()
        .map(|(k, n)| (k.to_string(), n))
        .collect();
        let (stats, total) = kv_stats(&kvs, 3, "vault/logical");
        let mut out = out;
        out.stats_kv = stats;
        out.total_size_kv = total;
        let text = pretty(&out);
        let kv_part = text.split("\n\n").nth(2).unwrap();
        assert_eq!(
            kv_part,
            " Key Name             Count      Size
 ----                 ----       ----
 vault/logical/a      2          1.2KB
 vault/logical/b      1          210B
 ----                 ----       ----
 Total                           1.4KB"
        );
        assert!(kv_stats(&kvs, 2, "nothing/").0.is_none());
        assert_eq!(byte_size(0), "0");
        assert_eq!(byte_size(1024), "1KB");
    }
}
