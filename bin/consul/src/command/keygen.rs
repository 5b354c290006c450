//! `consul keygen`: print a new gossip encryption key (32 random bytes,
//! base64), for `-encrypt`. Needs no agent.

use std::io::Read;

use base64::Engine;

use super::flags::FlagSet;
use super::ui;

const HELP: &str = "Usage: consul keygen\n\n  Generates a new encryption key that can be used to configure the\n  agent to encrypt traffic. The output of this command is already\n  in the proper format that the agent expects.";

/// Key length: AES-256.
const KEY_BYTES: usize = 32;

/// Run `consul keygen`.
pub fn run(args: &[String]) -> i32 {
    if let Err(code) = ui::parse(&FlagSet::new(HELP), args) {
        return code;
    }
    let mut key = [0u8; KEY_BYTES];
    let read = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut key));
    match read {
        Ok(()) => {
            ui::out(base64::engine::general_purpose::STANDARD.encode(key));
            0
        }
        Err(e) => {
            ui::err(format!("Error reading random data: {e}"));
            1
        }
    }
}
