//! The web UI's settings: enabled, content path (normalised to one leading
//! and one trailing `/`) and directory, from flags, `ui_config` and the
//! legacy top-level keys.

use consul_config::{load_from_args, RuntimeConfig};

fn load(a: &[&str]) -> RuntimeConfig {
    let args: Vec<String> = a.iter().map(|s| s.to_string()).collect();
    load_from_args(&args).expect("config loads")
}

fn with_file(body: &str) -> RuntimeConfig {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("ui.json");
    std::fs::write(&p, body).unwrap();
    load(&["-dev", "-config-file", p.to_str().unwrap()])
}

#[test]
fn defaults_serve_the_embedded_ui_at_slash_ui_in_dev_only() {
    let rt = load(&["-dev"]);
    assert!(rt.ui);
    assert_eq!(rt.ui_content_path, "/ui/");
    assert_eq!(rt.ui_dir, None);
    let tmp = tempfile::tempdir().unwrap();
    let rt = load(&["-data-dir", tmp.path().to_str().unwrap()]);
    assert!(!rt.ui);
}

#[test]
fn content_path_flag_is_normalised() {
    assert_eq!(
        load(&["-dev", "-ui-content-path", "console"]).ui_content_path,
        "/console/"
    );
    assert_eq!(
        load(&["-dev", "-ui-content-path=/a/b"]).ui_content_path,
        "/a/b/"
    );
    assert_eq!(load(&["-dev", "-ui-content-path=/"]).ui_content_path, "/");
}

#[test]
fn ui_config_block_and_legacy_keys() {
    let rt =
        with_file(r#"{"ui_config": {"enabled": true, "content_path": "/x/", "dir": "/srv/ui"}}"#);
    assert_eq!(rt.ui_content_path, "/x/");
    assert_eq!(rt.ui_dir.as_deref(), Some("/srv/ui"));
    let rt = with_file(r#"{"ui": true, "ui_content_path": "old", "ui_dir": "/srv/old"}"#);
    assert!(rt.ui);
    assert_eq!(rt.ui_content_path, "/old/");
    assert_eq!(rt.ui_dir.as_deref(), Some("/srv/old"));
}
