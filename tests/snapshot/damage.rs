//! Damaged and too-new archives are refused with a one-line reason, and the
//! state (data and index) does not move.

use std::io::{Read, Write};

use super::*;

fn gunzip(b: &[u8]) -> Vec<u8> {
    let mut t = Vec::new();
    flate2::read::GzDecoder::new(b).read_to_end(&mut t).unwrap();
    t
}

fn gzip(t: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(t).unwrap();
    gz.finish().unwrap()
}

#[test]
fn damaged_or_newer_archives_are_refused_and_nothing_changes() {
    let (_ip, agent) = dev_agent();
    put_ok(&agent, "/v1/kv/keep", "me");
    let at = index_of(&agent, "/v1/kv/?recurse");
    let (s, h, good) = http("GET", &agent.url("/v1/snapshot"), None).unwrap();
    assert_eq!(s, 200);
    // X-Consul-Index is the snapshot's index, as in meta.json.
    let header_index: u64 = header(&h, "X-Consul-Index").unwrap().parse().unwrap();
    assert_eq!(header_index, at);
    assert_eq!(consul_types::snapshot::read(&good).unwrap().meta.index, at);
    assert_eq!(header(&h, "X-Consul-KnownLeader"), Some("true"));
    // A restore is never stale; other methods are not allowed.
    let (s, text) = call(&agent, "PUT", "/v1/snapshot?stale", Some(&good));
    assert_eq!((s, text.trim()), (500, "stale not allowed for restore"));
    assert_eq!(call(&agent, "DELETE", "/v1/snapshot", None).0, 405);
    put_ok(&agent, "/v1/kv/later", "too");
    let state = get_json(&agent, "/v1/kv/?recurse");
    let index = index_of(&agent, "/v1/kv/?recurse");

    // state.bin's data starts after meta.json's header, data and padding
    // and state.bin's own header.
    let mut t = gunzip(&good);
    let entries = consul_types::snapshot::tar::entries(&t).unwrap();
    let meta_len = entries[0].data.len();
    let state_at = 512 + meta_len.div_ceil(512) * 512 + 512;
    drop(entries);
    t[state_at + 3] ^= 0x20;
    let tampered = gzip(&t);
    // An image of a format this server does not know yet.
    let newer_image = b"\x82\xa7version\x09\xa8sections\x90";
    let newer = consul_types::snapshot::write(
        &consul_types::snapshot::SnapshotMeta::new(5, 1, 0, 0),
        newer_image,
        0,
    );

    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("not gzip", b"definitely not a snapshot".to_vec(), "not a gzip stream"),
        ("truncated", good[..good.len() / 2].to_vec(), "failed reading snapshot"),
        (
            "bad checksum",
            tampered,
            "failed checking integrity of snapshot: hash check failed for \"state.bin\"",
        ),
        (
            "newer format",
            newer,
            "snapshot format v9 is newer than this server supports (v2); upgrade this server to restore it",
        ),
    ];
    for (what, body, reason) in cases {
        let (status, text) = call(&agent, "PUT", "/v1/snapshot", Some(&body));
        assert!(
            status == 500 || (400..500).contains(&status),
            "{what}: {status}"
        );
        assert!(text.contains(reason), "{what}: {text:?}");
        assert!(
            !text.trim_end().contains('\n'),
            "{what}: one line: {text:?}"
        );
        assert_eq!(
            get_json(&agent, "/v1/kv/?recurse"),
            state,
            "{what} changed data"
        );
        assert_eq!(
            index_of(&agent, "/v1/kv/?recurse"),
            index,
            "{what} moved the index"
        );
    }

    // The CLI says why, and exits 1.
    let dir = tempfile::tempdir().unwrap();
    let bad = write_file(dir.path(), "bad.snap", b"junk");
    let out = cli(&agent, &["snapshot", "restore", &bad]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.err().trim(),
        "Error restoring snapshot: Unexpected response code: 500 (failed reading snapshot: not a gzip stream)"
    );
    let insp = run_cli(bin(), &["snapshot", "inspect", &bad], &[], None);
    assert_eq!(insp.code, 1);
    assert_eq!(
        insp.err().trim(),
        "Error reading snapshot: failed reading snapshot: not a gzip stream"
    );
    let missing = run_cli(
        bin(),
        &["snapshot", "inspect", "/nonexistent.snap"],
        &[],
        None,
    );
    assert_eq!(
        missing.err().trim(),
        "Error opening snapshot file: open /nonexistent.snap: no such file or directory"
    );
    // A good archive still restores afterwards.
    let (status, text) = call(&agent, "PUT", "/v1/snapshot", Some(&good));
    assert_eq!(status, 200, "{text}");
    assert_eq!(call(&agent, "GET", "/v1/kv/later", None).0, 404);
    assert!(index_of(&agent, "/v1/kv/?recurse") > index);
}
