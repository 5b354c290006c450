//! The first byte of a connection to the server port selects its protocol, with the values
//! of Consul's `pool.RPCType` (agent/pool/conn.go).

/// Protocol selector: the first byte a client writes on a new connection to port 8300.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum RpcType {
    /// `RPCConsul`: one plain msgpack-RPC conversation (Consul's net/rpc codec; not served).
    Consul = 0,
    /// `RPCRaft`: a dedicated Raft connection (sequential request/response frames).
    Raft = 1,
    /// `RPCMultiplex`: the old muxado multiplexer (Consul no longer serves it either).
    Multiplex = 2,
    /// `RPCTLS`: TLS follows, then another type byte (not served yet).
    Tls = 3,
    /// `RPCMultiplexV2`: yamux; every stream carries one request frame and its response.
    MultiplexV2 = 4,
    /// `RPCSnapshot`: snapshot save/restore streaming (not served yet).
    Snapshot = 5,
    /// `RPCGossip`: gossip over the server port (not served).
    Gossip = 6,
    /// `RPCTLSInsecure`: TLS without client verification (not served yet).
    TlsInsecure = 7,
    /// `RPCGRPC`: gRPC (not served).
    Grpc = 8,
}

impl RpcType {
    /// Parses a first byte; `None` for a value Consul never assigned.
    pub fn from_byte(b: u8) -> Option<RpcType> {
        Some(match b {
            0 => RpcType::Consul,
            1 => RpcType::Raft,
            2 => RpcType::Multiplex,
            3 => RpcType::Tls,
            4 => RpcType::MultiplexV2,
            5 => RpcType::Snapshot,
            6 => RpcType::Gossip,
            7 => RpcType::TlsInsecure,
            8 => RpcType::Grpc,
            _ => return None,
        })
    }

    /// The byte written on the wire.
    pub fn as_byte(self) -> u8 {
        self as u8
    }
}
