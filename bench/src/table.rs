//! Turns the JSON lines of several `load --json` runs into the Markdown tables of
//! BENCHMARKS.md: means over rounds, side by side, with ours/etcd ratios.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Deserialize;

/// The fields of a `load --json` line that the table uses.
#[derive(Deserialize, Debug, Clone)]
struct Row {
    target: String,
    op: String,
    connections: usize,
    ops_per_s: f64,
    errors: u64,
    p50_us: f64,
    p99_us: f64,
}

/// Means of one (op, connections, target) cell over its rounds.
#[derive(Default, Clone, Copy)]
struct Cell {
    n: usize,
    ops: f64,
    p50: f64,
    p99: f64,
    errors: u64,
}

impl Cell {
    fn add(&mut self, r: &Row) {
        self.n += 1;
        self.ops += r.ops_per_s;
        self.p50 += r.p50_us;
        self.p99 += r.p99_us;
        self.errors += r.errors;
    }
    fn mean(&self, x: f64) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            x / self.n as f64
        }
    }
}

/// Renders the summary table and the per-round table from JSON lines.
pub fn render(jsonl: &str) -> anyhow::Result<String> {
    let rows: Vec<Row> = jsonl
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    // Key: (op order, connections) so PUT rows come before GET rows.
    let mut cells: BTreeMap<(u8, usize), [Cell; 2]> = BTreeMap::new();
    for r in &rows {
        let op = u8::from(r.op != "put");
        let t = usize::from(r.target != "consul");
        cells.entry((op, r.connections)).or_default()[t].add(r);
    }
    let mut out = String::new();
    writeln!(out, "| op | conns | ours ops/s | etcd ops/s | **ours/etcd** | ours p50 / p99 (ms) | etcd p50 / p99 (ms) | errors (ours/etcd) |")?;
    writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|")?;
    for ((op, c), [ours, etcd]) in &cells {
        let (o, e) = (ours.mean(ours.ops), etcd.mean(etcd.ops));
        let ratio = if e > 0.0 { o / e } else { f64::NAN };
        writeln!(
            out,
            "| {} | {c} | {o:.0} | {e:.0} | **{ratio:.2}×** | {:.2} / {:.2} | {:.2} / {:.2} | {} / {} |",
            if *op == 0 { "PUT" } else { "GET" },
            ours.mean(ours.p50) / 1000.0,
            ours.mean(ours.p99) / 1000.0,
            etcd.mean(etcd.p50) / 1000.0,
            etcd.mean(etcd.p99) / 1000.0,
            ours.errors,
            etcd.errors,
        )?;
    }
    writeln!(out)?;
    writeln!(out, "Every run, in the order it ran:")?;
    writeln!(out)?;
    writeln!(
        out,
        "| # | target | op | conns | ops/s | p50 (ms) | p99 (ms) | errors |"
    )?;
    writeln!(out, "|---:|---|---|---:|---:|---:|---:|---:|")?;
    for (i, r) in rows.iter().enumerate() {
        writeln!(
            out,
            "| {} | {} | {} | {} | {:.0} | {:.2} | {:.2} | {} |",
            i + 1,
            r.target,
            r.op.to_uppercase(),
            r.connections,
            r.ops_per_s,
            r.p50_us / 1000.0,
            r.p99_us / 1000.0,
            r.errors
        )?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_of_means() {
        let l = |t: &str, op: &str, ops: f64| {
            format!(
                r#"{{"target":"{t}","op":"{op}","connections":64,"ops_per_s":{ops},"errors":0,"p50_us":1000,"p99_us":2000}}"#
            )
        };
        let input = [
            l("consul", "put", 200.0),
            l("etcd", "put", 100.0),
            l("consul", "put", 400.0),
            l("etcd", "put", 100.0),
        ]
        .join("\n");
        let md = render(&input).unwrap();
        assert!(md.contains("| PUT | 64 | 300 | 100 | **3.00×** |"), "{md}");
    }
}
