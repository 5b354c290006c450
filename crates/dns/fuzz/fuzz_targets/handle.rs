//! Any packet through the full request path: never a panic, and UDP
//! answers stay within the UDP size cap.
#![no_main]

use std::sync::{Arc, OnceLock};

use consul_dns::{DnsConfig, Handler, MemoryBackend, Transport};
use libfuzzer_sys::fuzz_target;

fn handler() -> &'static Handler {
    static H: OnceLock<Handler> = OnceLock::new();
    H.get_or_init(|| Handler::new(DnsConfig::default(), Arc::new(MemoryBackend::new(&["dc1"]))))
}

fuzz_target!(|data: &[u8]| {
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    for t in [Transport::Udp, Transport::Tcp] {
        if let Some(resp) = rt.block_on(handler().handle(data, t)) {
            assert!(resp.len() >= 12);
            if t == Transport::Udp {
                assert!(resp.len() <= consul_dns::wire::MAX_UDP_SIZE);
            }
        }
    }
});
