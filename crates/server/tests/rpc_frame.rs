//! Frame codec and message encoding: round trips with Consul's field names, and malformed or
//! oversized input rejected without panicking.

use std::collections::BTreeMap;
use std::time::Duration;

use bytes::Bytes;
use consul_server::endpoints::catalog::CatalogRpc;
use consul_server::endpoints::health::{ChecksInStateRequest, HealthRpc};
use consul_server::endpoints::kv::{KeyListRequest, KeyRequest, KvRpc, KvsRequest};
use consul_server::endpoints::status::StatusRpc;
use consul_server::rpc::frame::{self, read_body, read_frame, write_frame, DEFAULT_MAX_FRAME};
use consul_server::rpc::*;
use consul_server::RpcError;
use consul_types::catalog::{DeregisterRequest, HealthCheck, NodeService, RegisterRequest};
use consul_types::kv::{DirEntry, KvOp};
use rand::{Rng, SeedableRng};

fn sample_requests() -> Vec<RpcRequest> {
    let qo = WireQueryOptions {
        token: "query-secret".into(),
        min_query_index: 42,
        max_query_time: Duration::from_secs(30),
        allow_stale: true,
        require_consistent: false,
        filter: String::new(),
    };
    vec![
        RpcRequest::Status(StatusRpc::Ping),
        RpcRequest::Status(StatusRpc::Leader(DcSpecificRequest {
            datacenter: "dc1".into(),
            ..Default::default()
        })),
        RpcRequest::Kv(KvRpc::Apply(KvsRequest {
            datacenter: "dc1".into(),
            op: KvOp::Cas,
            dir_ent: DirEntry {
                key: "a/b".into(),
                value: Some(Bytes::from_static(b"\x00\xffvalue")),
                modify_index: 7,
                ..Default::default()
            },
            token: "write-secret".into(),
        })),
        RpcRequest::Kv(KvRpc::Get(KeyRequest {
            datacenter: "dc1".into(),
            key: "a/b".into(),
            query_options: qo.clone(),
        })),
        RpcRequest::Kv(KvRpc::ListKeys(KeyListRequest {
            prefix: "a/".into(),
            seperator: "/".into(),
            query_options: qo.clone(),
            ..Default::default()
        })),
        RpcRequest::Catalog(CatalogRpc::ListDatacenters),
        RpcRequest::Catalog(CatalogRpc::register(
            RegisterRequest {
                datacenter: "dc1".into(),
                node: "n1".into(),
                address: "10.0.0.1".into(),
                node_meta: BTreeMap::from([("rack".into(), "r1".into())]),
                service: Some(NodeService {
                    id: "web1".into(),
                    service: "web".into(),
                    tags: vec!["v1".into()],
                    port: 80,
                    ..Default::default()
                }),
                checks: vec![HealthCheck {
                    check_id: "c".into(),
                    status: "passing".into(),
                    ..Default::default()
                }],
                ..Default::default()
            },
            "reg-token".into(),
        )),
        RpcRequest::Catalog(CatalogRpc::deregister(
            DeregisterRequest {
                node: "n1".into(),
                service_id: "web1".into(),
                ..Default::default()
            },
            "dereg-token".into(),
        )),
        RpcRequest::Catalog(CatalogRpc::ListNodes(DcSpecificRequest {
            node_meta_filters: BTreeMap::from([("rack".into(), "r1".into())]),
            query_options: qo.clone(),
            ..Default::default()
        })),
        RpcRequest::Health(HealthRpc::ServiceNodes(ServiceSpecificRequest {
            service_name: "web".into(),
            service_tags: vec!["v1".into()],
            tag_filter: true,
            passing_only: true,
            query_options: qo.clone(),
            ..Default::default()
        })),
        RpcRequest::Health(HealthRpc::ChecksInState(ChecksInStateRequest {
            state: "critical".into(),
            query_options: qo,
            ..Default::default()
        })),
    ]
}

#[test]
fn requests_round_trip() {
    for req in sample_requests() {
        let buf = frame::encode(&req).unwrap();
        assert_eq!(
            u32::from_be_bytes(buf[..4].try_into().unwrap()) as usize,
            buf.len() - 4
        );
        let back: RpcRequest = frame::decode(&buf[4..]).unwrap();
        assert_eq!(format!("{back:?}"), format!("{req:?}"));
    }
}

#[test]
fn datacenter_and_token_survive_the_wire_but_never_show_in_debug() {
    for req in sample_requests() {
        let back: RpcRequest = frame::decode(&frame::encode(&req).unwrap()[4..]).unwrap();
        assert_eq!(back.datacenter(), req.datacenter(), "{req:?}");
        assert_eq!(back.token(), req.token(), "{req:?}");
        if !req.token().is_empty() {
            let secret = req.token().secret();
            assert!(!format!("{req:?}").contains(secret), "{req:?}");
        }
    }
    let reg = &sample_requests()[6];
    assert_eq!(
        (reg.datacenter(), reg.token().secret()),
        ("dc1", "reg-token")
    );
    let RpcRequest::Catalog(CatalogRpc::Register(args)) = reg else {
        panic!("sample 6 is a registration")
    };
    // Go's embedded WriteRequest: the token sits beside the registration's fields.
    let generic: BTreeMap<String, serde_json::Value> =
        rmp_serde::from_slice(&rmp_serde::to_vec_named(args).unwrap()).unwrap();
    assert_eq!(generic["Token"], "reg-token");
    assert_eq!(generic["Node"], "n1");
    assert!(generic.contains_key("Service"));
}

#[test]
fn embedded_query_options_use_consul_field_names_inline() {
    let req = KeyRequest {
        datacenter: "dc1".into(),
        key: "k".into(),
        query_options: WireQueryOptions {
            min_query_index: 9,
            max_query_time: Duration::from_millis(1500),
            ..Default::default()
        },
    };
    let body = rmp_serde::to_vec_named(&req).unwrap();
    let generic: BTreeMap<String, serde_json::Value> = rmp_serde::from_slice(&body).unwrap();
    assert!(generic.contains_key("Datacenter"));
    assert!(generic.contains_key("Key"));
    // Embedded like Go's codec does: no nested "QueryOptions" map.
    assert!(!generic.contains_key("QueryOptions"));
    assert_eq!(generic["MinQueryIndex"], serde_json::json!(9));
    // time.Duration is nanoseconds.
    assert_eq!(generic["MaxQueryTime"], serde_json::json!(1_500_000_000u64));
}

#[test]
fn responses_round_trip() {
    let meta = WireQueryMeta {
        index: 12,
        last_contact: Duration::from_millis(3),
        known_leader: true,
    };
    let responses = vec![
        RpcResponse::Empty,
        RpcResponse::Bool(true),
        RpcResponse::String("127.0.0.1:8300".into()),
        RpcResponse::DirEntries(IndexedDirEntries {
            entries: vec![DirEntry {
                key: "k".into(),
                value: Some(Bytes::from_static(b"v")),
                create_index: 3,
                modify_index: 4,
                ..Default::default()
            }],
            query_meta: meta,
        }),
        RpcResponse::KeyList(IndexedKeyList {
            keys: vec!["a".into()],
            query_meta: meta,
        }),
        RpcResponse::Nodes(IndexedNodes {
            nodes: vec![Default::default()],
            query_meta: meta,
        }),
        RpcResponse::Services(IndexedServices {
            services: BTreeMap::from([("web".into(), vec!["v1".into()])]),
            query_meta: meta,
        }),
        RpcResponse::ServiceNodes(IndexedServiceNodes {
            service_nodes: vec![Default::default()],
            query_meta: meta,
        }),
        RpcResponse::NodeServices(IndexedNodeServices {
            node_services: None,
            query_meta: meta,
        }),
        RpcResponse::HealthChecks(IndexedHealthChecks {
            health_checks: vec![Default::default()],
            query_meta: meta,
        }),
        RpcResponse::CheckServiceNodes(IndexedCheckServiceNodes {
            nodes: vec![Default::default()],
            query_meta: meta,
        }),
    ];
    for resp in responses {
        let ok: Result<RpcResponse, WireError> = Ok(resp);
        let buf = frame::encode(&ok).unwrap();
        let back: Result<RpcResponse, WireError> = frame::decode(&buf[4..]).unwrap();
        assert_eq!(format!("{back:?}"), format!("{ok:?}"));
    }
}

#[test]
fn endpoint_errors_survive_the_wire() {
    for e in [
        RpcError::NoLeader,
        RpcError::NoPathToDatacenter,
        RpcError::BadRequest("Missing key name".into()),
        RpcError::TooLarge("big".into()),
        RpcError::PermissionDenied,
        RpcError::AclNotFound,
        RpcError::AclDisabled,
        RpcError::Forbidden("Permission denied: no".into()),
        RpcError::NotFound("nope".into()),
        RpcError::Conflict("held".into()),
        RpcError::Shutdown,
        RpcError::Internal("boom".into()),
    ] {
        let wire: Result<RpcResponse, WireError> = Err(WireError::from(&e));
        let buf = frame::encode(&wire).unwrap();
        let back: Result<RpcResponse, WireError> = frame::decode(&buf[4..]).unwrap();
        assert_eq!(RpcError::from(back.unwrap_err()), e);
    }
}

#[tokio::test]
async fn stream_round_trip_and_clean_close() {
    let (mut a, mut b) = tokio::io::duplex(1 << 16);
    for req in sample_requests() {
        write_frame(&mut a, &req).await.unwrap();
    }
    drop(a);
    for req in sample_requests() {
        let got: RpcRequest = read_frame(&mut b, DEFAULT_MAX_FRAME).await.unwrap();
        assert_eq!(format!("{got:?}"), format!("{req:?}"));
    }
    assert!(matches!(
        read_frame::<_, RpcRequest>(&mut b, DEFAULT_MAX_FRAME).await,
        Err(FrameError::Closed)
    ));
}

#[tokio::test]
async fn oversized_frame_is_refused_before_allocating() {
    let mut input: &[u8] = &[0xff, 0xff, 0xff, 0xff, 1, 2, 3];
    match read_body(&mut input, DEFAULT_MAX_FRAME).await {
        Err(FrameError::TooLarge { len, max }) => {
            assert_eq!(len, u32::MAX as usize);
            assert_eq!(max, DEFAULT_MAX_FRAME);
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    // Exactly at the limit is fine; one past is not.
    let mut at = [0, 0, 0, 4, 1, 2, 3, 4];
    assert_eq!(read_body(&mut &at[..], 4).await.unwrap(), vec![1, 2, 3, 4]);
    at[3] = 5;
    assert!(matches!(
        read_body(&mut &at[..], 4).await,
        Err(FrameError::TooLarge { .. })
    ));
}

#[tokio::test]
async fn truncated_frames_are_io_errors() {
    for input in [&[0u8, 0][..], &[0, 0, 0, 10, 1, 2][..]] {
        let mut r = input;
        assert!(matches!(
            read_body(&mut r, DEFAULT_MAX_FRAME).await,
            Err(FrameError::Io(_))
        ));
    }
}

#[tokio::test]
async fn random_garbage_never_panics() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let valid = frame::encode(&sample_requests()[3]).unwrap();
    for i in 0..5000 {
        let buf: Vec<u8> = if i % 2 == 0 {
            // Pure noise with a plausible length prefix.
            let len = rng.gen_range(0..64usize);
            let mut b = (len as u32).to_be_bytes().to_vec();
            b.extend((0..len).map(|_| rng.gen::<u8>()));
            b
        } else {
            // A valid frame with a few bytes flipped.
            let mut b = valid.clone();
            for _ in 0..rng.gen_range(1..4) {
                let at = rng.gen_range(4..b.len());
                b[at] = rng.gen();
            }
            b
        };
        let mut r = &buf[..];
        let _ = read_frame::<_, RpcRequest>(&mut r, DEFAULT_MAX_FRAME).await;
        let mut r = &buf[..];
        let _ = read_frame::<_, RaftRpc>(&mut r, DEFAULT_MAX_FRAME).await;
        let mut r = &buf[..];
        let _ = read_frame::<_, Result<RpcResponse, WireError>>(&mut r, DEFAULT_MAX_FRAME).await;
    }
}

#[test]
fn blocking_timeout_rule() {
    let hold = Duration::from_secs(7);
    let dflt = DEFAULT_RPC_TIMEOUT;
    let get = |min: u64, wait: Duration| {
        RpcRequest::Kv(KvRpc::Get(KeyRequest {
            query_options: WireQueryOptions {
                min_query_index: min,
                max_query_time: wait,
                ..Default::default()
            },
            ..Default::default()
        }))
    };
    // Not blocking: the client timeout.
    assert_eq!(get(0, Duration::from_secs(10)).timeout(hold, dflt), dflt);
    // wait + wait/16 + hold.
    assert_eq!(
        get(5, Duration::from_secs(16)).timeout(hold, dflt),
        Duration::from_secs(16 + 1 + 7)
    );
    // Default wait 5 min; cap 10 min.
    assert_eq!(
        get(5, Duration::ZERO).timeout(hold, dflt),
        Duration::from_secs(300) + Duration::from_secs(300) / 16 + hold
    );
    assert_eq!(
        get(5, Duration::from_secs(3600)).timeout(hold, dflt),
        Duration::from_secs(600) + Duration::from_secs(600) / 16 + hold
    );
    // Writes never block.
    assert_eq!(
        RpcRequest::Status(StatusRpc::Peers(Default::default())).timeout(hold, dflt),
        dflt
    );
}

#[tokio::test]
async fn announced_length_alone_does_not_buy_memory() {
    // 200 MiB announced (within a 256 MiB limit), 10 bytes sent, then EOF.
    let mut input = (200u32 << 20).to_be_bytes().to_vec();
    input.extend([7u8; 10]);
    let mut r = &input[..];
    assert!(matches!(
        read_body(&mut r, frame::MAX_RAFT_FRAME).await,
        Err(FrameError::Io(_))
    ));
}
