//! The wire format: msgpack structs, packet and stream framing,
//! compression and encryption, compatible with HashiCorp memberlist.

pub mod crypto;
pub mod lzw;
pub mod messages;
pub mod msgpack;
pub mod packet;
pub mod stream;

pub use crypto::{CryptoError, EncryptionVersion, Key, Keyring};
pub use messages::{
    Ack, Alive, Dead, ErrResp, IndirectPing, Message, MessageType, Nack, NodeState, Ping,
    PushNodeState, PushPull, Suspect,
};
pub use packet::{decode_packet, encode_packet, PacketError, WireConfig};
pub use stream::{encode_stream, parse_stream, StreamParse};
