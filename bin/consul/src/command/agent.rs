//! `consul agent`: parse flags and config, then run the agent until it leaves.

/// Run the agent; returns the exit code.
pub fn run(_args: &[String]) -> i32 {
    eprintln!("agent: not yet wired");
    1
}
