//! Serf's snapshot file: an append-only text log of the members we knew
//! and our Lamport clocks, replayed on start so a restarted member can
//! rejoin without `-join` (Consul keeps it at `<data-dir>/serf/local.snapshot`).
//!
//! The format is serf's own, one record per line:
//! `alive: NAME IP:PORT`, `not-alive: NAME`, `clock: N`, `event-clock: N`,
//! `query-clock: N`, `leave`, and `#` comments. Unknown lines are skipped,
//! as serf does.

use super::SerfEvent;
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Past this size the log is rewritten with only the live records.
const COMPACT_SIZE: u64 = 128 * 1024;

/// Errors from the snapshot file.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The file could not be read, written or created.
    #[error("serf snapshot {path}: {source}")]
    Io {
        /// The snapshot path.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// What a snapshot remembered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Replay {
    /// Members last seen alive (our own name included; skip it on rejoin).
    pub alive: Vec<(String, SocketAddr)>,
    /// Member-intent clock.
    pub clock: u64,
    /// User-event clock.
    pub event_clock: u64,
    /// Query clock.
    pub query_clock: u64,
    /// The last record was a graceful leave (ignored, and the state kept,
    /// with `rejoin_after_leave`).
    pub left: bool,
}

/// Appends membership changes and clocks to the snapshot file.
#[derive(Debug)]
pub struct Snapshotter {
    path: PathBuf,
    file: File,
    size: u64,
    alive: BTreeMap<String, SocketAddr>,
    clocks: (u64, u64, u64),
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> SnapshotError + '_ {
    move |source| SnapshotError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Replay the records of a snapshot file's text.
pub fn replay(text: &str, rejoin_after_leave: bool) -> Replay {
    let mut alive: BTreeMap<String, SocketAddr> = BTreeMap::new();
    let mut r = Replay::default();
    for line in text.lines() {
        let line = line.trim_end();
        if let Some(info) = line.strip_prefix("alive: ") {
            let Some((name, addr)) = info.rsplit_once(' ') else {
                continue;
            };
            if let Ok(addr) = addr.parse() {
                alive.insert(name.to_string(), addr);
            }
        } else if let Some(name) = line.strip_prefix("not-alive: ") {
            alive.remove(name);
        } else if let Some(n) = line.strip_prefix("clock: ") {
            r.clock = n.parse().unwrap_or(r.clock);
        } else if let Some(n) = line.strip_prefix("event-clock: ") {
            r.event_clock = n.parse().unwrap_or(r.event_clock);
        } else if let Some(n) = line.strip_prefix("query-clock: ") {
            r.query_clock = n.parse().unwrap_or(r.query_clock);
        } else if line == "leave" {
            r.left = true;
            if rejoin_after_leave {
                continue;
            }
            alive.clear();
            r.clock = 0;
            r.event_clock = 0;
            r.query_clock = 0;
            continue;
        } else {
            continue;
        }
        r.left = false;
    }
    r.alive = alive.into_iter().collect();
    r
}

impl Snapshotter {
    /// Open (creating it and its directory if needed) the snapshot at
    /// `path`, returning what it remembered.
    pub fn open(path: &Path, rejoin_after_leave: bool) -> Result<(Self, Replay), SnapshotError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io_err(path))?;
        }
        let mut text = String::new();
        if path.exists() {
            let f = File::open(path).map_err(io_err(path))?;
            for line in BufReader::new(f).lines() {
                match line {
                    Ok(l) => {
                        text.push_str(&l);
                        text.push('\n');
                    }
                    Err(_) => break,
                }
            }
        }
        let prev = replay(&text, rejoin_after_leave);
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(io_err(path))?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        let mut s = Snapshotter {
            path: path.to_path_buf(),
            file,
            size,
            alive: prev.alive.iter().cloned().collect(),
            clocks: (prev.clock, prev.event_clock, prev.query_clock),
        };
        if prev.left && !rejoin_after_leave {
            s.alive.clear();
        }
        Ok((s, prev))
    }

    fn append(&mut self, line: &str) -> Result<(), SnapshotError> {
        self.file
            .write_all(line.as_bytes())
            .map_err(io_err(&self.path))?;
        self.size += line.len() as u64;
        if self.size > COMPACT_SIZE {
            self.compact()?;
        }
        Ok(())
    }

    /// Record a membership change.
    pub fn record(&mut self, ev: &SerfEvent) -> Result<(), SnapshotError> {
        match ev {
            SerfEvent::MemberJoin(m) | SerfEvent::MemberUpdate(m) => {
                if self.alive.get(&m.name) == Some(&m.addr) {
                    return Ok(());
                }
                self.alive.insert(m.name.clone(), m.addr);
                self.append(&format!("alive: {} {}\n", m.name, m.addr))
            }
            SerfEvent::MemberLeave(m) | SerfEvent::MemberFailed(m) | SerfEvent::MemberReap(m) => {
                if self.alive.remove(&m.name).is_none() {
                    return Ok(());
                }
                self.append(&format!("not-alive: {}\n", m.name))
            }
            SerfEvent::User(_) => Ok(()),
        }
    }

    /// Record the clocks if they moved.
    pub fn record_clocks(&mut self, clocks: (u64, u64, u64)) -> Result<(), SnapshotError> {
        let old = self.clocks;
        self.clocks = clocks;
        let mut out = String::new();
        if clocks.0 != old.0 {
            out.push_str(&format!("clock: {}\n", clocks.0));
        }
        if clocks.1 != old.1 {
            out.push_str(&format!("event-clock: {}\n", clocks.1));
        }
        if clocks.2 != old.2 {
            out.push_str(&format!("query-clock: {}\n", clocks.2));
        }
        if out.is_empty() {
            return Ok(());
        }
        self.append(&out)
    }

    /// Record a graceful leave and flush to disk.
    pub fn record_leave(&mut self) -> Result<(), SnapshotError> {
        self.append("leave\n")?;
        self.file.sync_all().map_err(io_err(&self.path))
    }

    /// Rewrite the file with only the live records.
    fn compact(&mut self) -> Result<(), SnapshotError> {
        let tmp = self.path.with_extension("compact");
        let mut text = String::new();
        for (name, addr) in &self.alive {
            text.push_str(&format!("alive: {name} {addr}\n"));
        }
        let (c, e, q) = self.clocks;
        text.push_str(&format!("clock: {c}\nevent-clock: {e}\nquery-clock: {q}\n"));
        std::fs::write(&tmp, &text).map_err(io_err(&tmp))?;
        std::fs::rename(&tmp, &self.path).map_err(io_err(&self.path))?;
        self.file = OpenOptions::new()
            .append(true)
            .open(&self.path)
            .map_err(io_err(&self.path))?;
        self.size = text.len() as u64;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serf::{MemberStatus, SerfMember};

    fn member(name: &str, addr: &str) -> SerfMember {
        SerfMember {
            name: name.into(),
            addr: addr.parse().unwrap(),
            tags: BTreeMap::new(),
            status: MemberStatus::Alive,
            vsn: [1, 5, 2, 2, 5, 4],
            status_ltime: 0,
            leave_time: None,
        }
    }

    #[test]
    fn replay_follows_serf_rules() {
        let text = "alive: a 127.0.0.1:8301\nalive: b c 127.0.0.2:8301\nclock: 7\n\
                    not-alive: a\nevent-clock: 3\n# comment\n";
        let r = replay(text, false);
        assert_eq!(
            r.alive,
            vec![("b c".into(), "127.0.0.2:8301".parse().unwrap())]
        );
        assert_eq!(
            (r.clock, r.event_clock, r.query_clock, r.left),
            (7, 3, 0, false)
        );
        let left = format!("{text}leave\n");
        assert_eq!(replay(&left, false).alive, vec![]);
        assert_eq!(replay(&left, false).clock, 0);
        let kept = replay(&left, true);
        assert!(kept.left);
        assert_eq!(kept.alive.len(), 1);
        assert_eq!(kept.clock, 7);
    }

    #[test]
    fn records_roundtrip_through_the_file() {
        let dir = std::env::temp_dir().join(format!("serf-snap-{}", std::process::id()));
        let path = dir.join("serf/local.snapshot");
        let _ = std::fs::remove_dir_all(&dir);
        let (mut s, prev) = Snapshotter::open(&path, false).unwrap();
        assert_eq!(prev, Replay::default());
        s.record(&SerfEvent::MemberJoin(member("a", "127.0.0.1:8301")))
            .unwrap();
        s.record(&SerfEvent::MemberJoin(member("b", "127.0.0.2:8301")))
            .unwrap();
        s.record(&SerfEvent::MemberFailed(member("b", "127.0.0.2:8301")))
            .unwrap();
        s.record_clocks((5, 2, 1)).unwrap();
        drop(s);
        let (mut s, prev) = Snapshotter::open(&path, false).unwrap();
        assert_eq!(
            prev.alive,
            vec![("a".into(), "127.0.0.1:8301".parse().unwrap())]
        );
        assert_eq!((prev.clock, prev.event_clock, prev.query_clock), (5, 2, 1));
        s.compact().unwrap();
        s.record_leave().unwrap();
        drop(s);
        let (_, prev) = Snapshotter::open(&path, false).unwrap();
        assert!(prev.left && prev.alive.is_empty());
        let (_, prev) = Snapshotter::open(&path, true).unwrap();
        assert_eq!(prev.alive.len(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
