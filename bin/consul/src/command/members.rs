//! `consul members`: the gossip pool as the agent sees it.

use anyhow::anyhow;
use consul_api::agent::AgentMember;
use regex::Regex;

use super::flags::{FlagSet, Kind};
use super::{http, ui};

const HELP: &str =
    "Usage: consul members [options]\n\n  Outputs the members of a running Consul agent.";

/// The `-segment` value meaning "every segment".
const ALL_SEGMENTS: &str = "_all";

fn flags() -> FlagSet {
    let mut fs = FlagSet::new(HELP);
    fs.flag(
        "detailed",
        Kind::Bool,
        "",
        "Provides detailed information about nodes.",
    )
    .flag("filter", Kind::Str, "", "Filter to use with the request")
    .flag(
        "segment",
        Kind::Str,
        ALL_SEGMENTS,
        "(Enterprise-only) If provided, output is filtered to only nodes in the \
         given segment.",
    )
    .flag(
        "status",
        Kind::Str,
        ".*",
        "If provided, output is filtered to only nodes matching the regular \
         expression for status.",
    )
    .flag(
        "wan",
        Kind::Bool,
        "",
        "If the agent is in server mode, this can be used to return the other \
         peers in the WAN pool.",
    );
    http::client_flags(&mut fs);
    fs
}

/// Run `consul members`. Exits 2 when no member matches `-status`.
pub fn run(args: &[String]) -> i32 {
    let p = match ui::parse(&flags(), args) {
        Ok(p) => p,
        Err(code) => return code,
    };
    ui::block_on(async move {
        let status_re = Regex::new(p.str("status").unwrap_or(".*"))
            .map_err(|e| anyhow!("Failed to compile status regexp: {e}"))?;
        let client = http::client(&p)?;
        let members = client
            .agent()
            .members(p.bool("wan"))
            .await
            .map_err(|e| anyhow!("Error retrieving members: {e}"))?;
        let all_segments = p.str("segment") == Some(ALL_SEGMENTS);
        let mut members: Vec<AgentMember> = members
            .into_iter()
            .map(|mut m| {
                if all_segments && m.tags.get("role").map(String::as_str) == Some("consul") {
                    m.tags.insert("segment".into(), "<all>".into());
                } else if m.tags.get("segment").is_none_or(|s| s.is_empty()) {
                    m.tags.insert("segment".into(), "<default>".into());
                }
                m
            })
            .filter(|m| status_re.is_match(m.status_string()))
            .collect();
        if members.is_empty() {
            return Ok(2);
        }
        sort(&mut members);
        let rows = if p.bool("detailed") {
            detailed(&members)
        } else {
            standard(&members)
        };
        ui::out(ui::columnize(&rows));
        Ok(0)
    })
}

/// Servers (segment `<all>`) first, then the default segment, then other
/// segments by name; by node name within each.
fn sort(members: &mut [AgentMember]) {
    fn rank(m: &AgentMember) -> (u8, String, String) {
        let seg = m.tags.get("segment").cloned().unwrap_or_default();
        let r = match seg.as_str() {
            "<all>" => 0,
            "<default>" => 1,
            _ => 2,
        };
        (r, seg, m.name.clone())
    }
    members.sort_by_key(rank);
}

/// `ip:port`, with brackets for IPv6 like Go's `net.TCPAddr`.
fn addr(m: &AgentMember) -> String {
    if m.addr.contains(':') {
        format!("[{}]:{}", m.addr, m.port)
    } else {
        format!("{}:{}", m.addr, m.port)
    }
}

fn standard(members: &[AgentMember]) -> Vec<Vec<String>> {
    let mut rows = vec![[
        "Node", "Address", "Status", "Type", "Build", "Protocol", "DC", "Segment",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect::<Vec<_>>()];
    for m in members {
        let tag = |k: &str| m.tags.get(k).cloned().unwrap_or_default();
        let mut build = tag("build");
        if build.is_empty() {
            build = "< 0.3".into();
        } else if let Some(i) = build.find(':') {
            build.truncate(i);
        }
        let kind = match tag("role").as_str() {
            "consul" => "server",
            "node" => "client",
            _ => "unknown",
        };
        if kind == "unknown" {
            rows.push(vec![
                m.name.clone(),
                addr(m),
                m.status_string().into(),
                kind.into(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]);
        } else {
            rows.push(vec![
                m.name.clone(),
                addr(m),
                m.status_string().into(),
                kind.into(),
                build,
                tag("vsn"),
                tag("dc"),
                tag("segment"),
            ]);
        }
    }
    rows
}

fn detailed(members: &[AgentMember]) -> Vec<Vec<String>> {
    let mut rows = vec![["Node", "Address", "Status", "Tags"]
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()];
    for m in members {
        let tags = m
            .tags
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",");
        rows.push(vec![
            m.name.clone(),
            addr(m),
            m.status_string().into(),
            tags,
        ]);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(name: &str, role: &str) -> AgentMember {
        let mut m = AgentMember {
            name: name.into(),
            addr: "127.0.0.1".into(),
            port: 8301,
            status: 1,
            ..Default::default()
        };
        for (k, v) in [
            ("role", role),
            ("build", "1.10.12:abc"),
            ("vsn", "2"),
            ("dc", "dc1"),
        ] {
            m.tags.insert(k.into(), v.into());
        }
        m
    }

    #[test]
    fn standard_layout() {
        let mut a = member("a1", "consul");
        a.tags.insert("segment".into(), "<all>".into());
        let mut b = member("a2", "node");
        b.tags.insert("segment".into(), "<default>".into());
        let s = ui::columnize(&standard(&[a, b]));
        assert_eq!(
            s,
            "Node  Address         Status  Type    Build    Protocol  DC   Segment\n\
             a1    127.0.0.1:8301  alive   server  1.10.12  2         dc1  <all>\n\
             a2    127.0.0.1:8301  alive   client  1.10.12  2         dc1  <default>"
        );
    }

    #[test]
    fn servers_sort_first() {
        let mut v = vec![member("b", "node"), member("z", "consul")];
        v[0].tags.insert("segment".into(), "<default>".into());
        v[1].tags.insert("segment".into(), "<all>".into());
        sort(&mut v);
        assert_eq!(v[0].name, "z");
    }
}
