//! `consul force-leave`: move a failed member to the `left` state.

use anyhow::anyhow;

use super::flags::{FlagSet, Kind};
use super::{http, ui};

const HELP: &str = "Usage: consul force-leave [options] name\n\n  Forces a member of a Consul cluster to enter the \"left\" state. Note\n  that if the member is still actually alive, it will eventually rejoin\n  the cluster.";

/// Run `consul force-leave`.
pub fn run(args: &[String]) -> i32 {
    let mut fs = FlagSet::new(HELP);
    fs.flag(
        "prune",
        Kind::Bool,
        "",
        "Remove agent forcibly from list of members",
    );
    http::client_flags(&mut fs);
    ui::run(&fs, args, |p| async move {
        let [node] = p.args.as_slice() else {
            return Err(anyhow!("A node name must be specified to force leave."));
        };
        let client = http::client(&p)?;
        client
            .agent()
            .force_leave_opts(node, p.bool("prune"))
            .await
            .map_err(|e| anyhow!("Error force leaving: {e}"))?;
        Ok(0)
    })
}
