//! `consul operator raft`: `list-peers`, `remove-peer` and `transfer-leader`.

use anyhow::anyhow;
use consul_api::operator::RaftServer;
use consul_api::WriteOptions;

use super::flags::{FlagSet, Kind};
use super::{http, ui};

const SUBCOMMANDS: &[(&str, &str)] = &[
    ("list-peers", "Display the current Raft peer configuration"),
    (
        "remove-peer",
        "Remove a Consul server from the Raft configuration",
    ),
    (
        "transfer-leader",
        "Transfer raft leadership to another node",
    ),
];

/// Dispatch `consul operator raft <sub>`.
pub fn run(args: &[String]) -> i32 {
    let rest = args.get(1..).unwrap_or_default();
    match args.first().map(String::as_str) {
        Some("list-peers") => list_peers(rest),
        Some("remove-peer") => remove_peer(rest),
        Some("transfer-leader") => transfer_leader(rest),
        Some("-h" | "-help" | "--help") => {
            ui::err(super::usage("consul operator raft", SUBCOMMANDS));
            0
        }
        _ => {
            ui::err(super::usage("consul operator raft", SUBCOMMANDS));
            1
        }
    }
}

const LIST_HELP: &str = "Usage: consul operator raft list-peers [options]\n\n  \
Displays the current Raft peer configuration.";

/// `consul operator raft list-peers [-stale]`.
pub fn list_peers(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(LIST_HELP);
    http::client_flags(&mut fs);
    http::server_flags(&mut fs);
    ui::run(&fs, args, |p| async move {
        let client = http::client(&p)?;
        let conf = client
            .operator()
            .raft_get_configuration(&http::query_options(&p))
            .await
            .map_err(|e| anyhow!("Error getting peers: {e}"))?;
        ui::out(peer_table(&conf.servers));
        Ok(0)
    })
}

/// Consul's `Node ID Address State Voter RaftProtocol` table (columnize).
pub fn peer_table(servers: &[RaftServer]) -> String {
    let mut rows: Vec<Vec<String>> =
        vec![["Node", "ID", "Address", "State", "Voter", "RaftProtocol"]
            .iter()
            .map(|s| s.to_string())
            .collect()];
    for s in servers {
        let protocol = if s.protocol_version.is_empty() {
            "<=1".to_string()
        } else {
            s.protocol_version.clone()
        };
        rows.push(vec![
            s.node.clone(),
            s.id.clone(),
            s.address.clone(),
            if s.leader { "leader" } else { "follower" }.to_string(),
            s.voter.to_string(),
            protocol,
        ]);
    }
    ui::columnize(&rows)
}

const REMOVE_HELP: &str = r#"Usage: consul operator raft remove-peer [options]

Remove the Consul server with given -id from the Raft configuration.

There are rare cases where a peer may be left behind in the Raft quorum even
though the server is no longer present and known to the cluster. This command
can be used to remove the failed server so that it is no longer affects the Raft
quorum. If the server still shows in the output of the "consul members" command,
it is preferable to clean up by simply running "consul force-leave" instead of
this command."#;

/// `consul operator raft remove-peer -id=<id> | -address=<ip:port>`.
pub fn remove_peer(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(REMOVE_HELP);
    fs.flag(
        "address",
        Kind::Str,
        "",
        "The address to remove from the Raft configuration.",
    )
    .flag(
        "id",
        Kind::Str,
        "",
        "The ID to remove from the Raft configuration.",
    );
    http::client_flags(&mut fs);
    http::server_flags(&mut fs);
    ui::run(&fs, args, |p| async move {
        let address = p.str("address").unwrap_or_default().to_string();
        let id = p.str("id").unwrap_or_default().to_string();
        let client = http::client(&p)?;
        let w = WriteOptions::default();
        let op = client.operator();
        let result = match (address.is_empty(), id.is_empty()) {
            (true, true) => Err(anyhow!(
                "an address or id is required for the peer to remove"
            )),
            (false, false) => Err(anyhow!("cannot give both an address and id")),
            (false, true) => op
                .raft_remove_peer_by_address(&address, &w)
                .await
                .map_err(Into::into),
            (true, false) => op.raft_remove_peer_by_id(&id, &w).await.map_err(Into::into),
        };
        result.map_err(|e: anyhow::Error| anyhow!("Error removing peer: {e}"))?;
        if address.is_empty() {
            ui::out(format!("Removed peer with id {id:?}"));
        } else {
            ui::out(format!("Removed peer with address {address:?}"));
        }
        Ok(0)
    })
}

const TRANSFER_HELP: &str = "Usage: consul operator raft transfer-leader [options]\n\n  \
Transfer raft leadership to another node.";

/// `consul operator raft transfer-leader [-id=<server id>]`: prints `Success`.
pub fn transfer_leader(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(TRANSFER_HELP);
    fs.flag(
        "id",
        Kind::Str,
        "",
        "The ID of the node to transfer leadership to.",
    );
    http::client_flags(&mut fs);
    http::server_flags(&mut fs);
    ui::run(&fs, args, |p| async move {
        let id = p.str("id").filter(|s| !s.is_empty()).map(str::to_string);
        let client = http::client(&p)?;
        let moved = client
            .operator()
            .raft_leader_transfer(id.as_deref(), &WriteOptions::default())
            .await
            .map_err(|e| {
                anyhow!("Error transfering leadership: Failed to transfer leadership {e}")
            })?;
        if !moved {
            return Err(anyhow!(
                "Error transfering leadership: Failed to transfer leadership"
            ));
        }
        ui::out("Success");
        Ok(0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_like_consul() {
        let s = |node: &str, id: &str, leader: bool| RaftServer {
            id: id.into(),
            node: node.into(),
            address: "127.0.0.1:8300".into(),
            leader,
            protocol_version: "3".into(),
            voter: true,
        };
        assert_eq!(
            peer_table(&[s("node-a", "a1b2", true), s("b", "c3", false)]),
            "Node    ID    Address         State     Voter  RaftProtocol\n\
             node-a  a1b2  127.0.0.1:8300  leader    true   3\n\
             b       c3    127.0.0.1:8300  follower  true   3"
        );
    }
}
