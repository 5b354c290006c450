//! The Consul 1.10 schemas (`consul_filter::consul`): the selectors Consul's
//! endpoints accept, the ones it refuses (fields tagged `bexpr:"-"`), and
//! evaluation over documents shaped like the endpoints' JSON.

use consul_filter::{consul, Filter, Schema};
use serde_json::{json, Value};

fn check(schema: &Schema, doc: &Value, expr: &str, want: Result<bool, &str>) {
    let got = Filter::parse_with(expr, schema)
        .and_then(|f| f.matches(doc))
        .map_err(|e| e.to_string());
    match (&got, want) {
        (Ok(b), Ok(w)) if *b == w => {}
        (Err(e), Err(w)) if e == w => {}
        _ => panic!("{expr:?}: want {want:?}, got {got:?}"),
    }
}

#[test]
fn health_service_entries() {
    let doc = json!({
        "Node": {"Node": "n1", "Address": "10.0.0.1", "Meta": {"rack": "a"}},
        "Service": {
            "ID": "web-proxy", "Service": "web-proxy", "Kind": "connect-proxy", "Tags": ["primary"],
            "TaggedAddresses": {"wan": {"Address": "1.1.1.1", "Port": 443}},
            "Proxy": {"DestinationServiceName": "web",
                      "Upstreams": [{"DestinationName": "db", "LocalBindPort": 9191}],
                      "Expose": {"Paths": [{"Path": "/health", "ListenerPort": 21500}]}}
        },
        "Checks": [{"CheckID": "serfHealth", "Status": "passing"},
                   {"CheckID": "service:web-proxy", "Status": "critical", "ServiceTags": ["primary"]}]
    });
    let s = consul::check_service_node();
    check(s, &doc, "Checks.CheckID == serfHealth", Ok(true));
    check(
        s,
        &doc,
        r#"Checks.Status == critical and Service.Kind == "connect-proxy""#,
        Ok(true),
    );
    check(s, &doc, r#"Service.Tags contains "primary""#, Ok(true));
    check(
        s,
        &doc,
        "Service.Proxy.Upstreams.DestinationName == db",
        Ok(true),
    );
    check(
        s,
        &doc,
        "Service.Proxy.Upstreams.LocalBindPort == 9191",
        Ok(true),
    );
    check(
        s,
        &doc,
        r#"Service.Proxy.Expose.Paths.Path == "/health""#,
        Ok(true),
    );
    check(s, &doc, "Service.TaggedAddresses.wan.Port == 443", Ok(true));
    check(
        s,
        &doc,
        "Service.TaggedAddresses.lan.Port == 443",
        Ok(false),
    );
    check(s, &doc, "Service.Connect.Native == false", Ok(true));
    check(
        s,
        &doc,
        "Service.Proxy.TransparentProxy.DialedDirectly == false",
        Ok(true),
    );
    check(s, &doc, "Node.Meta.rack == a", Ok(true));
    check(s, &doc, "Service.Proxy.Upstreams is not empty", Ok(true));
    check(
        s,
        &doc,
        "Service.Proxy.Config.x == y",
        Err(r#"Selector "Service.Proxy.Config" is not valid"#),
    );
    check(
        s,
        &doc,
        "Checks.Definition.HTTP == x",
        Err(r#"Selector "Checks.Definition" is not valid"#),
    );
    check(
        s,
        &doc,
        "Service.Proxy.Upstreams == db",
        Err(r#"Invalid match operator "Equal" for selector "Service.Proxy.Upstreams""#),
    );
}

#[test]
fn catalog_and_agent_types() {
    let sn = json!({"Node": "n1", "ServiceName": "web", "ServiceMeta": {"env": "prod"}, "ServicePort": 80,
                    "CreateIndex": 5, "ModifyIndex": 5});
    check(
        consul::service_node(),
        &sn,
        "ServiceMeta.env == prod and ServicePort == 80",
        Ok(true),
    );
    check(
        consul::service_node(),
        &sn,
        "ServiceProxy.Mode == \"\"",
        Ok(true),
    );
    check(
        consul::service_node(),
        &sn,
        "CreateIndex == 5",
        Err(r#"Selector "CreateIndex" is not valid"#),
    );

    let node = json!({"Node": "n1", "Address": "10.0.0.1", "Meta": {"env": "prod"}, "TaggedAddresses": {"lan": "10.0.0.1"}});
    check(
        consul::node(),
        &node,
        "Meta.env == prod and TaggedAddresses.lan == \"10.0.0.1\"",
        Ok(true),
    );
    check(
        consul::node(),
        &node,
        "Node.Name == n1",
        Err(r#"Selector "Node.Name" is not valid"#),
    );

    let svc = json!({"ID": "redis", "Service": "redis", "Tags": [], "Port": 6379, "Datacenter": "dc1",
                     "Weights": {"Passing": 1, "Warning": 1}});
    check(
        consul::agent_service(),
        &svc,
        "Service == redis and Weights.Passing == 1",
        Ok(true),
    );
    check(consul::agent_service(), &svc, "Tags is empty", Ok(true));
    check(
        consul::agent_service(),
        &svc,
        "Datacenter == dc1",
        Err(r#"Selector "Datacenter" is not valid"#),
    );

    let check_doc = json!({"Node": "n1", "CheckID": "c1", "Status": "warning", "ServiceTags": ["a"], "ExposedPort": 0});
    check(
        consul::health_check(),
        &check_doc,
        "Status != passing and a in ServiceTags",
        Ok(true),
    );
    check(
        consul::health_check(),
        &check_doc,
        "ExposedPort == 0",
        Ok(true),
    );

    let info =
        json!({"Node": "n1", "Services": [{"Service": "web"}, {"Service": "db"}], "Checks": []});
    check(
        consul::node_info(),
        &info,
        "Services.Service == db",
        Ok(true),
    );
    check(
        consul::node_info(),
        &info,
        "Checks.Status == critical",
        Ok(false),
    );
    check(consul::node_info(), &info, "Checks is empty", Ok(true));

    let ixn =
        json!({"SourceName": "web", "DestinationName": "db", "Action": "allow", "Precedence": 9});
    check(
        consul::intention(),
        &ixn,
        "SourceName == web and Precedence == 9",
        Ok(true),
    );
    check(
        consul::intention(),
        &ixn,
        "Permissions is empty",
        Err(r#"Selector "Permissions" is not valid"#),
    );
}

#[test]
fn binding_rule_selectors() {
    let k8s = json!({"serviceaccount": {"namespace": "default", "name": "web", "uid": "u1"}});
    check(
        consul::kubernetes_identity(),
        &k8s,
        "serviceaccount.namespace==default",
        Ok(true),
    );
    check(
        consul::kubernetes_identity(),
        &k8s,
        "serviceaccount.name!=web",
        Ok(false),
    );
    check(
        consul::kubernetes_identity(),
        &k8s,
        "serviceaccount.Namespace == default",
        Err(r#"Selector "serviceaccount.Namespace" is not valid"#),
    );
    let jwt = json!({"value": {"name": "alice"}, "list": {"groups": ["admins", "dev"]}});
    check(
        consul::jwt_identity(),
        &jwt,
        "value.name == alice",
        Ok(true),
    );
    check(
        consul::jwt_identity(),
        &jwt,
        "admins in list.groups",
        Ok(true),
    );
    check(
        consul::jwt_identity(),
        &jwt,
        "ops in list.groups",
        Ok(false),
    );
    check(
        consul::jwt_identity(),
        &jwt,
        "value.missing == x",
        Ok(false),
    );
    check(
        consul::jwt_identity(),
        &jwt,
        "claims.x == y",
        Err(r#"Selector "claims" is not valid"#),
    );
}
