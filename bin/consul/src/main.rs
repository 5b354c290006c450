//! The `consul` binary: `consul agent` runs an agent; every other verb is a
//! thin client of the HTTP API.

mod command;

/// mimalloc instead of glibc's malloc: the write path allocates and frees many small
/// short-lived objects (persistent-tree nodes, frames, requests), where glibc spent ~20 % of
/// the leader's CPU (`malloc_consolidate`, `_int_free`) and kept freed memory fragmented.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(command::run(args));
}
