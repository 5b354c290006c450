//! Wire format: decoding requests (untrusted bytes) and encoding responses
//! within a size and answer budget, dropping answers that do not fit.

use hickory_proto::op::{Header, Message, MessageType, ResponseCode};
use hickory_proto::rr::{RData, Record};
use hickory_proto::serialize::binary::{
    BinDecodable, BinDecoder, BinEncodable, BinEncoder, NameEncoding,
};
use hickory_proto::ProtoError;

/// Classic DNS-over-UDP size limit, without EDNS.
pub const DEFAULT_UDP_SIZE: usize = 512;
/// Largest UDP payload we send even if a client advertises more.
pub const MAX_UDP_SIZE: usize = 65535 - 68;
/// Largest TCP message.
pub const MAX_TCP_SIZE: usize = 65535;

/// What an incoming packet turned out to be.
#[derive(Debug)]
pub enum Decoded {
    /// A parsed query message.
    Query(Box<Message>),
    /// The header parsed but the rest did not: answer FORMERR with this.
    FormErr(Box<Message>),
    /// Not even a query header (too short, or a response): drop silently.
    Drop,
}

/// Decode an untrusted packet.
pub fn decode_request(bytes: &[u8]) -> Decoded {
    let Ok(header) = Header::read(&mut BinDecoder::new(bytes)) else {
        return Decoded::Drop;
    };
    if header.metadata.message_type != MessageType::Query {
        return Decoded::Drop;
    }
    match Message::from_vec(bytes) {
        Ok(msg) => Decoded::Query(Box::new(msg)),
        Err(_) => {
            let m = &header.metadata;
            let mut resp = Message::error_msg(m.id, m.op_code, ResponseCode::FormErr);
            resp.metadata.recursion_desired = m.recursion_desired;
            Decoded::FormErr(Box::new(resp))
        }
    }
}

/// Encode `msg`, with or without name compression.
pub fn encode(msg: &Message, compress: bool) -> Result<Vec<u8>, ProtoError> {
    let mut buf = Vec::with_capacity(512);
    {
        let mut enc = BinEncoder::new(&mut buf);
        if !compress {
            enc.set_name_encoding(NameEncoding::Uncompressed);
        }
        msg.emit(&mut enc)?;
    }
    Ok(buf)
}

/// The budget of one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Largest encoded size in bytes.
    pub max_size: usize,
    /// Most answer records.
    pub max_answers: usize,
}

impl Budget {
    /// The budget for UDP: 512 bytes and `udp_answer_limit` answers without
    /// EDNS (or with an advertised size ≤ 512); else the advertised size,
    /// capped at [`MAX_UDP_SIZE`].
    pub fn udp(edns_payload: Option<u16>, udp_answer_limit: usize) -> Self {
        let size = edns_payload.map_or(DEFAULT_UDP_SIZE, |p| usize::from(p).max(DEFAULT_UDP_SIZE));
        let size = size.min(MAX_UDP_SIZE);
        Budget {
            max_size: size,
            max_answers: if size == DEFAULT_UDP_SIZE {
                udp_answer_limit
            } else {
                usize::MAX
            },
        }
    }

    /// The budget for TCP: 64 KiB, at most 4096 answers (1024 for SRV).
    pub fn tcp(srv: bool) -> Self {
        Budget {
            max_size: MAX_TCP_SIZE,
            max_answers: if srv { 1024 } else { 4096 },
        }
    }
}

/// Encode `msg` within `budget`, dropping trailing answers (and the
/// additionals that belonged to them) until it fits. Returns the bytes and
/// whether answers were dropped. `set_tc` sets the TC bit when they were.
pub fn encode_within(
    mut msg: Message,
    budget: Budget,
    compress: bool,
    set_tc: bool,
) -> Result<(Vec<u8>, bool), ProtoError> {
    let total = msg.answers.len();
    let all_extra = std::mem::take(&mut msg.additionals);
    let mut keep = total.min(budget.max_answers);
    msg.answers.truncate(keep);
    msg.additionals = sync_additionals(&msg.answers, &all_extra, keep < total);
    let mut bytes = encode(&msg, compress)?;
    if bytes.len() > budget.max_size {
        // Largest answer count below `keep` that fits, by binary search.
        let answers = std::mem::take(&mut msg.answers);
        let (mut lo, mut hi) = (0usize, keep.saturating_sub(1));
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            msg.answers = answers[..mid].to_vec();
            msg.additionals = sync_additionals(&msg.answers, &all_extra, true);
            if encode(&msg, compress)?.len() <= budget.max_size {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        keep = lo;
        msg.answers = answers[..keep].to_vec();
        msg.additionals = sync_additionals(&msg.answers, &all_extra, true);
        bytes = encode(&msg, compress)?;
        if bytes.len() > budget.max_size {
            // Even the bare answer set does not fit: shed the other sections.
            msg.answers.clear();
            keep = 0;
            msg.additionals.clear();
            msg.authorities.clear();
            bytes = encode(&msg, compress)?;
        }
    }
    let trimmed = keep < total;
    if trimmed && set_tc {
        msg.metadata.truncation = true;
        bytes = encode(&msg, compress)?;
    }
    Ok((bytes, trimmed))
}

/// The additionals to keep: all of them if nothing was cut, else those
/// that name or are named by a remaining answer.
fn sync_additionals(answers: &[Record], extra: &[Record], cut: bool) -> Vec<Record> {
    if !cut {
        return extra.to_vec();
    }
    extra
        .iter()
        .filter(|x| {
            answers.iter().any(|a| {
                a.name == x.name
                    || match &a.data {
                        RData::SRV(s) => s.target == x.name,
                        RData::CNAME(c) => c.0 == x.name,
                        RData::NS(n) => n.0 == x.name,
                        _ => false,
                    }
            })
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{fqdn, glue, srv};
    use hickory_proto::op::{OpCode, Query};
    use hickory_proto::rr::RecordType;

    fn srv_message(n: usize) -> Message {
        let q = fqdn("web.service.consul").unwrap();
        let mut m = Message::response(1, OpCode::Query);
        m.add_query(Query::query(q.clone(), RecordType::SRV));
        for i in 0..n {
            let t = fqdn(&format!("node-{i}.node.dc1.consul")).unwrap();
            m.add_answer(srv(&q, 0, 1, 80, t.clone()));
            m.add_additional(glue(&t, &format!("10.0.0.{i}"), 0).unwrap());
        }
        m
    }

    #[test]
    fn udp_budget() {
        assert_eq!(Budget::udp(None, 3).max_answers, 3);
        assert_eq!(Budget::udp(Some(100), 3).max_size, 512);
        assert_eq!(Budget::udp(Some(4096), 3).max_answers, usize::MAX);
        assert_eq!(Budget::udp(Some(65535), 3).max_size, MAX_UDP_SIZE);
    }

    #[test]
    fn answer_limit_cuts_answers_and_their_glue() {
        let (bytes, trimmed) =
            encode_within(srv_message(10), Budget::udp(None, 3), true, true).unwrap();
        assert!(trimmed);
        let m = Message::from_vec(&bytes).unwrap();
        assert_eq!(m.answers.len(), 3);
        assert_eq!(m.additionals.len(), 3);
        assert!(m.metadata.truncation);
    }

    #[test]
    fn size_limit_cuts_until_it_fits() {
        let msg = srv_message(100);
        let budget = Budget {
            max_size: 512,
            max_answers: usize::MAX,
        };
        let (bytes, trimmed) = encode_within(msg, budget, true, false).unwrap();
        assert!(trimmed);
        assert!(bytes.len() <= 512);
        let m = Message::from_vec(&bytes).unwrap();
        assert!(!m.answers.is_empty());
        assert!(!m.metadata.truncation);
        // One more answer would not have fitted.
        let mut more = srv_message(m.answers.len() + 1);
        more.metadata.id = 1;
        assert!(encode(&more, true).unwrap().len() > 512);
    }

    #[test]
    fn untouched_when_it_fits() {
        let (bytes, trimmed) =
            encode_within(srv_message(2), Budget::tcp(true), true, true).unwrap();
        assert!(!trimmed);
        let m = Message::from_vec(&bytes).unwrap();
        assert_eq!((m.answers.len(), m.additionals.len()), (2, 2));
    }

    #[test]
    fn garbage_is_dropped_or_formerr() {
        assert!(matches!(decode_request(&[]), Decoded::Drop));
        assert!(matches!(decode_request(&[0; 5]), Decoded::Drop));
        let mut bad = vec![0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0];
        bad.extend_from_slice(&[0x40, 1, 2]); // invalid label type
        match decode_request(&bad) {
            Decoded::FormErr(m) => assert_eq!(m.metadata.id, 0x1234),
            other => panic!("{other:?}"),
        }
    }
}
