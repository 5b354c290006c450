//! `index.html` as served: the runtime config injected as JSON where the
//! template says `%CONSUL_UI_CONFIG%`, and `%V%` replaced by the asset version.

use serde_json::json;

use super::UiSettings;

/// The JSON blob the UI reads at start (`ContentPath`, `ACLsEnabled`,
/// `LocalDatacenter`, `UIConfig`), as Consul's own UI expects it.
pub fn config_json(s: &UiSettings) -> String {
    let v = json!({
        "ContentPath": s.content_path,
        "ACLsEnabled": s.acls_enabled,
        "LocalDatacenter": s.datacenter,
        "UIConfig": {
            "metrics_provider": "",
            "metrics_proxy_enabled": false,
            "dashboard_url_templates": {},
        },
    });
    // Inside a <script> element `</` would end it early.
    v.to_string().replace("</", "<\\/")
}

/// Fill in the template.
pub fn render(template: &str, s: &UiSettings, version: &str) -> String {
    template
        .replace("%CONSUL_UI_CONFIG%", &config_json(s))
        .replace("%V%", version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_is_injected_and_cannot_close_the_script() {
        let s = UiSettings {
            enabled: true,
            dir: None,
            content_path: "/x</script>/".into(),
            datacenter: "dc9".into(),
            acls_enabled: false,
        };
        let out = render(
            "<script>%CONSUL_UI_CONFIG%</script><a href=a.js?v=%V%>",
            &s,
            "abc",
        );
        assert!(out.contains("\"LocalDatacenter\":\"dc9\""));
        assert!(out.contains("a.js?v=abc"));
        assert_eq!(out.matches("</script>").count(), 1);
    }
}
