//! The `consul` binary: `consul agent` runs an agent; every other verb is a
//! thin client of the HTTP API.

// The agent's start-up future nests deeply (server, Raft, gossip, HTTP);
// computing its layout needs more than the default depth.
#![recursion_limit = "256"]

mod command;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(command::run(args));
}
