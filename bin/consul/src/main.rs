//! The `consul` binary: `consul agent` runs an agent; every other verb is a
//! thin client of the HTTP API.

mod command;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(command::run(args));
}
