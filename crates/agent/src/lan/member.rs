//! Members as `/v1/agent/members` and `/v1/agent/self` show them
//! (Consul's `api.AgentMember`).

use consul_gossip::serf::SerfMember;
use serde_json::{json, Value};

/// One member as JSON: `Name`, `Addr`, `Port`, `Tags`, `Status` (0 none,
/// 1 alive, 2 leaving, 3 left, 4 failed) and the protocol ranges.
pub fn to_json(m: &SerfMember) -> Value {
    let v = m.vsn;
    json!({
        "Name": m.name,
        "Addr": m.addr.ip().to_string(),
        "Port": m.addr.port(),
        "Tags": m.tags,
        "Status": m.status as u8,
        "ProtocolMin": v[0],
        "ProtocolMax": v[1],
        "ProtocolCur": v[2],
        "DelegateMin": v[3],
        "DelegateMax": v[4],
        "DelegateCur": v[5],
    })
}
