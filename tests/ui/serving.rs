//! How the agent serves the UI, without a browser: the text answer when the
//! UI is off, and `ui_config.dir` serving an operator's files with the
//! runtime config injected.

use std::time::Duration;

use crate::common::{bin, header, http, http_with_headers, reserve_ip, AgentBuilder};

#[test]
fn disabled_ui_keeps_consuls_text_answer_and_404s_under_ui() {
    let ip = reserve_ip();
    let mut a = AgentBuilder::new(bin(), ip.ip())
        .dev(true)
        .arg("-ui=false")
        .start()
        .expect("agent starts");
    a.wait_ready(Duration::from_secs(30)).expect("ready");
    let (status, _, body) = http("GET", &a.url("/"), None).expect("GET /");
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&body).starts_with("Consul Agent: UI disabled."));
    let (status, _, _) = http("GET", &a.url("/ui/"), None).expect("GET /ui/");
    assert_eq!(status, 404);
}

#[test]
fn ui_dir_serves_its_files_with_the_config_injected() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("assets")).unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<html><script data-consul-ui-config>%CONSUL_UI_CONFIG%</script>own build</html>",
    )
    .unwrap();
    std::fs::write(dir.path().join("assets/own.js"), "console.log('own')").unwrap();
    let ip = reserve_ip();
    let mut a = AgentBuilder::new(bin(), ip.ip())
        .dev(true)
        .arg("-ui")
        .arg("-ui-dir")
        .arg(dir.path().to_str().unwrap())
        .start()
        .expect("agent starts");
    a.wait_ready(Duration::from_secs(30)).expect("ready");

    let (status, headers, _) = http("GET", &a.url("/"), None).expect("GET /");
    assert_eq!(status, 301);
    assert_eq!(header(&headers, "Location"), Some("ui/"));
    let (status, _, body) = http("GET", &a.url("/ui/dc1/services/web"), None).expect("history URL");
    let body = String::from_utf8_lossy(&body);
    assert_eq!(status, 200);
    assert!(body.contains("own build"), "{body}");
    assert!(body.contains("\"LocalDatacenter\":\"dc1\""), "{body}");
    let (status, headers, body) =
        http("GET", &a.url("/ui/assets/own.js"), None).expect("GET asset");
    assert_eq!(status, 200);
    assert_eq!(body, b"console.log('own')");
    let etag = header(&headers, "ETag").expect("etag").to_string();
    let (status, _, _) = http_with_headers(
        "GET",
        &a.url("/ui/assets/own.js"),
        &[("If-None-Match", etag.as_str())],
        None,
    )
    .expect("conditional GET");
    assert_eq!(status, 304);
    let (status, _, _) = http("GET", &a.url("/ui/assets/../index.html"), None).expect("GET");
    assert_ne!(status, 200, "no escaping the directory");
    let (status, _, _) = http("GET", &a.url("/ui/assets/missing.js"), None).expect("GET");
    assert_eq!(status, 404);
}

#[test]
fn content_path_slash_serves_the_ui_everywhere_but_under_v1() {
    let ip = reserve_ip();
    let mut a = AgentBuilder::new(bin(), ip.ip())
        .dev(true)
        .arg("-ui")
        .arg("-ui-content-path=/")
        .start()
        .expect("agent starts");
    a.wait_ready(Duration::from_secs(30)).expect("ready");
    let (status, _, body) = http("GET", &a.url("/"), None).expect("GET /");
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&body).contains("\"ContentPath\":\"/\""));
    let (status, _, _) = http("GET", &a.url("/dc1/kv/app/"), None).expect("history URL");
    assert_eq!(status, 200);
    let (status, _, _) = http("GET", &a.url("/v1/no-such-endpoint"), None).expect("GET");
    assert_eq!(status, 404);
}
