//! The filter language case by case: an expression, a document shaped like
//! a Consul API response, and the answer bexpr gives (a match, no match, or
//! the error and its words). Documents and selectors follow Consul's
//! filtering docs: catalog service nodes, health service entries, agent
//! services, and ACL binding-rule selectors over an identity.

use consul_filter::{Filter, FilterError, Schema};
use serde_json::{json, Value};

/// A `/v1/catalog/service/:name` entry.
fn catalog() -> Value {
    json!({
        "ID": "40e4a748-2192-161a-0510-9bf59fe950b5",
        "Node": "web-01",
        "Address": "10.1.10.12",
        "Datacenter": "dc1",
        "TaggedAddresses": {"lan": "10.1.10.12", "wan": "10.1.10.12"},
        "NodeMeta": {"instance_type": "t2.medium"},
        "ServiceKind": "",
        "ServiceID": "web-1",
        "ServiceName": "web",
        "ServiceTags": ["primary", "v1"],
        "ServiceAddress": "",
        "ServiceWeights": {"Passing": 10, "Warning": 1},
        "ServiceMeta": {"env": "prod", "a b": "spaced", "empty": ""},
        "ServicePort": 8080,
        "ServiceEnableTagOverride": false,
        "ServiceProxy": {"MeshGateway": {}, "Expose": {}},
        "CreateIndex": 10,
        "ModifyIndex": 12
    })
}

/// A catalog entry that leaves out what Go would send as zero values.
fn sparse() -> Value {
    json!({"Node": "web-09", "ServiceName": "web"})
}

/// A `/v1/health/service/:name` entry: one passing and one critical check.
fn health() -> Value {
    json!({
        "Node": {
            "ID": "b4c2b5a8-bbf9-4d8a-9a3a-0b1f7c4c1c2d",
            "Node": "web-02",
            "Address": "10.1.10.13",
            "Datacenter": "dc1",
            "Meta": {"rack": "r1"}
        },
        "Service": {
            "ID": "web-2",
            "Service": "web",
            "Tags": ["secondary", "v2"],
            "Meta": {"env": "staging"},
            "Port": 8081
        },
        "Checks": [
            {"Node": "web-02", "CheckID": "serfHealth", "Name": "Serf Health Status",
             "Status": "passing", "Notes": "", "Output": "Agent alive and reachable",
             "ServiceID": "", "ServiceName": "", "ServiceTags": []},
            {"Node": "web-02", "CheckID": "service:web-2", "Name": "web check",
             "Status": "critical", "ServiceID": "web-2", "ServiceName": "web",
             "ServiceTags": ["secondary", "v2"]}
        ]
    })
}

/// A health entry with no checks and Go's nil slice and map (JSON null).
fn health_bare() -> Value {
    json!({"Node": {"Node": "web-03"}, "Service": {"Service": "web", "Tags": null, "Meta": null}, "Checks": []})
}

/// A `/v1/agent/services` value.
fn agent() -> Value {
    json!({
        "ID": "redis", "Service": "redis", "Tags": [], "Meta": {"version": "7"},
        "Port": 6379, "Weights": {"Passing": 1, "Warning": 1}, "EnableTagOverride": true
    })
}

/// A Kubernetes auth method identity, as binding-rule selectors see it.
fn identity() -> Value {
    json!({"serviceaccount": {"namespace": "default", "name": "web", "uid": "abc"}})
}

/// Lists of numbers and bools.
fn numbers() -> Value {
    json!({"Ports": [80, 443], "Flags": [true], "Scores": [1.5], "Big": 18446744073709551615u64})
}

/// The catalog entry's type, as bexpr derives it from Consul's ServiceNode.
fn catalog_schema() -> Schema {
    let s = || Schema::String;
    Schema::structure([
        ("ID", s()),
        ("Node", s()),
        ("Address", s()),
        ("Datacenter", s()),
        ("TaggedAddresses", Schema::map(s())),
        ("NodeMeta", Schema::map(s())),
        ("ServiceKind", s()),
        ("ServiceID", s()),
        ("ServiceName", s()),
        ("ServiceTags", Schema::list(s())),
        ("ServiceAddress", s()),
        (
            "ServiceWeights",
            Schema::structure([("Passing", Schema::Int), ("Warning", Schema::Int)]),
        ),
        ("ServiceMeta", Schema::map(s())),
        ("ServicePort", Schema::Int),
        ("ServiceEnableTagOverride", Schema::Bool),
        (
            "ServiceProxy",
            Schema::structure([
                ("DestinationServiceName", s()),
                ("MeshGateway", Schema::structure([("Mode", s())])),
            ]),
        ),
        ("CreateIndex", Schema::Uint),
        ("ModifyIndex", Schema::Uint),
    ])
}

/// The health entry's type (CheckServiceNode).
fn health_schema() -> Schema {
    let s = || Schema::String;
    Schema::structure([
        (
            "Node",
            Schema::structure([("Node", s()), ("Address", s()), ("Meta", Schema::map(s()))]),
        ),
        (
            "Service",
            Schema::structure([
                ("Service", s()),
                ("Tags", Schema::list(s())),
                ("Meta", Schema::map(s())),
                ("Port", Schema::Int),
            ]),
        ),
        (
            "Checks",
            Schema::list(Schema::structure([
                ("Node", s()),
                ("CheckID", s()),
                ("Name", s()),
                ("Status", s()),
                ("Output", s()),
                ("ServiceTags", Schema::list(s())),
            ])),
        ),
    ])
}

/// How the expression is parsed.
#[derive(Clone, Copy, Debug)]
enum Mode {
    /// `Filter::parse`
    Free,
    /// `Filter::parse_with(catalog_schema())`
    Catalog,
    /// `Filter::parse_with(health_schema())`
    Health,
}

/// What should happen.
#[derive(Clone, Copy, Debug)]
enum Want {
    /// Parses and evaluates to true.
    T,
    /// Parses and evaluates to false.
    F,
    /// Parsing fails with a message starting with this.
    Parse(&'static str),
    /// Parsing succeeds, evaluating fails with a message starting with this.
    Eval(&'static str),
}

use Mode::*;
use Want::*;

/// One case: how to parse, the document, the expression, the answer.
type Case = (Mode, fn() -> Value, &'static str, Want);

fn cases() -> Vec<Case> {
    vec![
        // ---- equality, literal forms, case ------------------------------
        (Free, catalog, "ServiceName == web", T),
        (Free, catalog, r#"ServiceName == "web""#, T),
        (Free, catalog, "ServiceName == `web`", T),
        (Free, catalog, "ServiceName != web", F),
        (Free, catalog, "ServiceName == Web", F),
        (Free, catalog, "  ServiceName==web  ", T),
        (Free, catalog, "ServiceName ==web", T),
        (
            Free,
            catalog,
            "ServiceName ==  web  and  ServicePort  ==  8080",
            T,
        ),
        (
            Free,
            catalog,
            "ServiceName == web\nand\tServicePort == 8080",
            T,
        ),
        (Free, catalog, "( ServiceName == web )", T),
        (Free, catalog, r#"ServiceName == "w\x65b""#, T),
        (Free, catalog, "NodeMeta.instance_type == t2.medium", T),
        (Free, catalog, "TaggedAddresses.wan == \"10.1.10.12\"", T),
        (Free, catalog, "ServiceName == not", F),
        // ---- lists, maps, substrings ---------------------------------------
        (Free, catalog, "ServiceTags contains primary", T),
        (Free, catalog, r#"ServiceTags contains "primary""#, T),
        (Free, catalog, "primary in ServiceTags", T),
        (Free, catalog, r#""v2" in ServiceTags"#, F),
        (Free, catalog, r#""v2" not in ServiceTags"#, T),
        (Free, catalog, "ServiceTags not contains v1", F),
        (Free, catalog, "ServiceTags contains prim", F),
        (Free, catalog, r#""eb" in ServiceName"#, T),
        (Free, catalog, r#"ServiceName contains "we""#, T),
        (Free, catalog, r#""x" not in ServiceName"#, T),
        (Free, catalog, "ServiceMeta.env == prod", T),
        (Free, catalog, r#"ServiceMeta["env"] == prod"#, T),
        (Free, catalog, r#"ServiceMeta[ "a b" ] == spaced"#, T),
        (Free, catalog, r#"ServiceMeta["a b"] is not empty"#, T),
        (Free, catalog, "ServiceMeta.empty is empty", T),
        (Free, catalog, "env in ServiceMeta", T),
        (Free, catalog, "prod in ServiceMeta", F),
        (Free, catalog, r#"ServiceMeta contains "a b""#, T),
        (Free, catalog, "ServiceMeta is not empty", T),
        (Free, catalog, "ServiceAddress is empty", T),
        (Free, catalog, "ServiceName is empty", F),
        (Free, catalog, "ServiceProxy.MeshGateway is empty", T),
        // ---- absent keys and fields ----------------------------------------
        (Free, catalog, "ServiceMeta.missing == x", F),
        (Free, catalog, "ServiceMeta.missing != x", T),
        (Free, catalog, "ServiceMeta.missing is empty", T),
        (Free, catalog, "ServiceMeta.missing is not empty", F),
        // bexpr answers true for both `matches` and `not matches` on an
        // absent key (only ==, in and is not empty are false there).
        (Free, catalog, r#"ServiceMeta.missing matches ".*""#, T),
        (Free, catalog, r#"ServiceMeta.missing not matches ".*""#, T),
        (Free, catalog, "x in ServiceMeta.missing", F),
        (Free, catalog, "x not in ServiceMeta.missing", T),
        (Free, catalog, "Missing == x", F),
        (Free, catalog, "Missing.Deep.Field == x", F),
        (Free, catalog, "Missing.Deep is empty", T),
        (Free, catalog, "ServiceName.Sub == x", F),
        (Free, sparse, r#"ServiceKind == """#, F),
        // ---- numbers and bools: the literal read as the field's type -------
        (Free, catalog, "ServicePort == 8080", T),
        (Free, catalog, r#"ServicePort == "8080""#, T),
        (Free, catalog, r#"ServicePort == "0x1F90""#, T),
        (Free, catalog, "ServicePort != 8080", F),
        (Free, catalog, "ServicePort == 80.5", F),
        (Free, catalog, "ServicePort == -1", F),
        (Free, catalog, "ServiceWeights.Passing == 10", T),
        (Free, catalog, "ServiceEnableTagOverride == false", T),
        (Free, catalog, "ServiceEnableTagOverride == F", T),
        (Free, catalog, "ServiceEnableTagOverride != true", T),
        (Free, agent, "Port == 6379.0", T),
        (Free, agent, "Meta.version == 7", T),
        (Free, agent, "EnableTagOverride == 1", T),
        (Free, agent, "Service == redis and Port == 6379", T),
        (Free, agent, "Tags is empty", T),
        (Free, agent, "redis in Tags", F),
        (Free, numbers, "80 in Ports", T),
        (Free, numbers, r#""443" in Ports"#, T),
        (Free, numbers, "8 in Ports", F),
        (Free, numbers, "true in Flags", T),
        (Free, numbers, "1.5 in Scores", T),
        (Free, numbers, "Big == 18446744073709551615", T),
        (
            Free,
            catalog,
            "ServicePort == abc",
            Eval(
                r#"Failed to coerce value "abc" for selector "ServicePort": strconv.ParseInt: parsing "abc": invalid syntax"#,
            ),
        ),
        (
            Free,
            catalog,
            "ServiceEnableTagOverride == yes",
            Eval(
                r#"Failed to coerce value "yes" for selector "ServiceEnableTagOverride": strconv.ParseBool: parsing "yes": invalid syntax"#,
            ),
        ),
        (
            Free,
            numbers,
            "x in Ports",
            Eval(r#"Failed to coerce value "x" for selector "Ports""#),
        ),
        (
            Free,
            catalog,
            "ServiceTags == primary",
            Eval(r#"Invalid match operator "Equal" for selector "ServiceTags""#),
        ),
        (
            Free,
            catalog,
            "ServicePort contains 8",
            Eval(r#"Invalid match operator "In" for selector "ServicePort""#),
        ),
        (
            Free,
            catalog,
            r#"ServiceWeights matches "x""#,
            Eval(r#"Invalid match operator "Matches" for selector "ServiceWeights""#),
        ),
        // ---- regular expressions -------------------------------------------
        (Free, catalog, r#"Node matches "^web-[0-9]+$""#, T),
        (Free, catalog, r#"Node not matches "^db-""#, T),
        (Free, catalog, r#"Node matches "WEB""#, F),
        (Free, catalog, r#"Node matches "(?i)WEB""#, T),
        (Free, catalog, r#"Node matches "eb-0""#, T),
        (Free, catalog, r#"Address matches "^10\\.1\\.""#, T),
        (Free, catalog, r"Address matches `^10\.1\.`", T),
        (
            Free,
            catalog,
            r#"ServiceTags matches "p""#,
            Eval(r#"Invalid match operator "Matches""#),
        ),
        // ---- logic and precedence ------------------------------------------
        (
            Free,
            catalog,
            "ServiceName == web and ServicePort == 8080",
            T,
        ),
        (Free, catalog, "ServiceName == web and ServicePort == 1", F),
        (Free, catalog, "ServiceName == db or ServicePort == 8080", T),
        (Free, catalog, "not ServiceName == db", T),
        (Free, catalog, "not not ServiceName == web", T),
        (
            Free,
            catalog,
            "not (ServiceName == web and ServicePort == 8080)",
            F,
        ),
        (
            Free,
            catalog,
            "(ServiceName == db or ServiceName == web) and v1 in ServiceTags",
            T,
        ),
        (
            Free,
            catalog,
            "ServiceName == db or ServiceName == web and ServicePort == 1",
            F,
        ),
        (
            Free,
            catalog,
            "ServiceName == web or ServiceName == db and ServicePort == 1",
            T,
        ),
        (
            Free,
            catalog,
            "not ServiceName == web or ServicePort == 8080",
            T,
        ),
        (Free, catalog, "((ServiceName == web))", T),
        (Free, catalog, "not (not (ServiceName == web))", T),
        // ---- health entries: selectors through a list of checks -------------
        (Free, health, "Checks.Status == passing", T),
        (Free, health, "Checks.Status == critical", T),
        (Free, health, "Checks.Status == warning", F),
        (Free, health, "Checks.Status != passing", T),
        (Free, health, "not Checks.Status == critical", F),
        (
            Free,
            health,
            "Checks.CheckID == serfHealth and Service.Service == web",
            T,
        ),
        (Free, health, r#"Service.Tags contains "primary""#, F),
        (Free, health, "secondary in Service.Tags", T),
        (Free, health, "Checks.ServiceTags contains v2", T),
        (Free, health, "Checks.ServiceTags is empty", T),
        (Free, health, "Checks is not empty", T),
        (Free, health, "Checks.Output contains alive", T),
        (Free, health, "Node.Meta.rack == r1", T),
        (Free, health, r#"Node.Node == "web-02""#, T),
        (Free, health, "Service.Meta.env != prod", T),
        (
            Free,
            health,
            "Service.Port == 8081 and Checks.Name matches \"^web\"",
            T,
        ),
        (Free, health_bare, "Checks.Status != passing", F),
        (Free, health_bare, "Checks.Status == passing", F),
        (Free, health_bare, "Checks is empty", T),
        (Free, health_bare, "Service.Tags is empty", T),
        (Free, health_bare, "x in Service.Tags", F),
        (Free, health_bare, "x not in Service.Tags", T),
        (Free, health_bare, "Service.Meta.env == prod", F),
        // ---- binding-rule selectors ----------------------------------------
        (Free, identity, "serviceaccount.namespace==default", T),
        (Free, identity, "serviceaccount.name != web", F),
        (
            Free,
            identity,
            r#"serviceaccount.namespace == default and serviceaccount.name matches "^we""#,
            T,
        ),
        (Free, identity, "serviceaccount.Name == web", F),
        // ---- parse errors ----------------------------------------------------
        (
            Free,
            catalog,
            "",
            Parse("1:1 (0): no match found, expected: "),
        ),
        (Free, catalog, "   ", Parse("1:4 (3): no match found")),
        (
            Free,
            catalog,
            "ServiceName ==",
            Parse("1:15 (14): no match found"),
        ),
        (
            Free,
            catalog,
            "ServiceName = web",
            Parse("1:13 (12): no match found"),
        ),
        (
            Free,
            catalog,
            "ServiceName == web)",
            Parse("1:19 (18): no match found"),
        ),
        (
            Free,
            catalog,
            "ServiceName == web and",
            Parse("1:23 (22): no match found"),
        ),
        (
            Free,
            catalog,
            "ServiceName == web or",
            Parse("1:22 (21): no match found"),
        ),
        (Free, catalog, "not", Parse("1:4 (3): no match found")),
        (
            Free,
            catalog,
            "ServiceName",
            Parse("1:12 (11): no match found"),
        ),
        (
            Free,
            catalog,
            "ServiceTags contains\"primary\"",
            Parse("1:21 (20): no match found"),
        ),
        (
            Free,
            catalog,
            "ServiceName==\"web\"and ServicePort==8080",
            Parse("1:19 (18): no match found"),
        ),
        (
            Free,
            catalog,
            "ServiceName == web AND ServicePort == 8080",
            Parse("1:20 (19): no match found"),
        ),
        (
            Free,
            catalog,
            "(ServiceName == web",
            Parse(r#"1:20 (19): rule "grouping": Unmatched parentheses"#),
        ),
        (
            Free,
            catalog,
            "ServicePort == 1 and (ServiceName == web or Node == x",
            Parse(r#"1:54 (53): rule "grouping": Unmatched parentheses"#),
        ),
        (
            Free,
            catalog,
            r#"ServiceMeta["env" == x"#,
            Parse(r#"1:19 (18): rule "index": Unclosed index expression"#),
        ),
        (
            Free,
            catalog,
            "ServiceMeta[env] == x",
            Parse(r#"1:13 (12): rule "index": Invalid index"#),
        ),
        (
            Free,
            catalog,
            r#"ServiceName == "web"#,
            Parse(r#"1:20 (19): rule "string": Unterminated string literal"#),
        ),
        (
            Free,
            catalog,
            "ServicePort == 80x",
            Parse(r#"1:18 (17): rule "number": Invalid number literal"#),
        ),
        (
            Free,
            catalog,
            "ServicePort == 0x1F90",
            Parse(r#"1:17 (16): rule "number": Invalid number literal"#),
        ),
        (
            Free,
            catalog,
            "ServicePort == 1.",
            Parse(r#"1:17 (16): rule "number": Invalid number literal"#),
        ),
        (
            Free,
            catalog,
            "1abc == x",
            Parse(r#"1:2 (1): rule "number": Invalid number literal"#),
        ),
        (
            Free,
            catalog,
            r#""web" in "x""#,
            Parse(r#"1:10 (9): rule "match": Invalid selector"#),
        ),
        (
            Free,
            catalog,
            r#"ServiceName == "a\qb""#,
            Parse(r#"1:16 (15): rule "string": invalid syntax"#),
        ),
        (
            Free,
            catalog,
            "ServiceName == web\nor (",
            Parse("2:5 (23): no match found"),
        ),
        (
            Free,
            catalog,
            r#"ServiceName matches "[""#,
            Parse(r#"Failed to compile regular expression "[": "#),
        ),
        // ---- schema checks (bexpr's validation against the Go type) --------
        (Catalog, catalog, "ServiceName == web", T),
        (Catalog, catalog, "env in ServiceMeta", T),
        (Catalog, catalog, "ServiceMeta.anything == x", F),
        (Catalog, catalog, "ServiceMeta.anything != x", T),
        (
            Catalog,
            catalog,
            "ServicePort == 8080 and ModifyIndex == 12",
            T,
        ),
        (Catalog, catalog, "ServiceEnableTagOverride == f", T),
        (
            Catalog,
            catalog,
            "Foo == bar",
            Parse(r#"Selector "Foo" is not valid"#),
        ),
        (
            Catalog,
            catalog,
            "ServiceWeights.Bogus == 1",
            Parse(r#"Selector "ServiceWeights.Bogus" is not valid"#),
        ),
        (
            Catalog,
            catalog,
            "ServiceName.Sub == x",
            Parse(r#"Selector "ServiceName.Sub" is not valid"#),
        ),
        (
            Catalog,
            catalog,
            "servicename == web",
            Parse(r#"Selector "servicename" is not valid"#),
        ),
        (
            Catalog,
            catalog,
            "ServiceTags == primary",
            Parse(r#"Invalid match operator "Equal" for selector "ServiceTags""#),
        ),
        (
            Catalog,
            catalog,
            "ServiceWeights == x",
            Parse(r#"Invalid match operator "Equal" for selector "ServiceWeights""#),
        ),
        (
            Catalog,
            catalog,
            "ServicePort == abc",
            Parse(
                r#"Failed to coerce value "abc" for selector "ServicePort": strconv.ParseInt: parsing "abc": invalid syntax"#,
            ),
        ),
        (
            Catalog,
            catalog,
            "ServicePort == 80.5",
            Parse(
                r#"Failed to coerce value "80.5" for selector "ServicePort": strconv.ParseInt: parsing "80.5": invalid syntax"#,
            ),
        ),
        (
            Catalog,
            catalog,
            "ModifyIndex == -1",
            Parse(
                r#"Failed to coerce value "-1" for selector "ModifyIndex": strconv.ParseUint: parsing "-1": invalid syntax"#,
            ),
        ),
        (
            Catalog,
            catalog,
            "ServiceName is empty",
            Parse(r#"Invalid match operator "Is Empty" for selector "ServiceName""#),
        ),
        (
            Catalog,
            catalog,
            r#"ServiceMeta["a b"] is not empty"#,
            Parse(r#"Invalid match operator "Is Not Empty" for selector "ServiceMeta.a b""#),
        ),
        (
            Catalog,
            catalog,
            r#"ServicePort matches "8""#,
            Parse(r#"Invalid match operator "Matches" for selector "ServicePort""#),
        ),
        (Catalog, sparse, r#"ServiceKind == """#, T),
        (Catalog, sparse, "ServicePort == 0", T),
        (Catalog, sparse, "ServiceTags is empty", T),
        (Catalog, sparse, "ServiceWeights.Passing == 0", T),
        (Catalog, sparse, "ServiceEnableTagOverride == false", T),
        (Catalog, sparse, r#"ServiceProxy.MeshGateway.Mode == """#, T),
        (Catalog, sparse, "ServiceMeta.env != prod", T),
        (Catalog, sparse, r#"ServiceMeta.env == """#, F),
        (Health, health, "Checks.Status == passing", T),
        (Health, health, "Checks.ServiceTags contains v2", T),
        (Health, health_bare, "Service.Tags is empty", T),
        (Health, health_bare, "Checks is empty", T),
        (
            Health,
            health,
            "Checks.Bogus == x",
            Parse(r#"Selector "Checks.Bogus" is not valid"#),
        ),
        (
            Health,
            health,
            "Checks == x",
            Parse(r#"Invalid match operator "Equal" for selector "Checks""#),
        ),
        (
            Health,
            health,
            "passing in Checks",
            Parse(r#"Invalid match operator "In" for selector "Checks""#),
        ),
    ]
}

fn parse(mode: Mode, expr: &str) -> Result<Filter, FilterError> {
    match mode {
        Free => Filter::parse(expr),
        Catalog => Filter::parse_with(expr, &catalog_schema()),
        Health => Filter::parse_with(expr, &health_schema()),
    }
}

#[test]
fn table() {
    let cases = cases();
    assert!(cases.len() >= 80, "{} cases", cases.len());
    let mut failures = Vec::new();
    for (mode, doc, expr, want) in cases {
        let got = parse(mode, expr).map(|f| f.matches(&doc()));
        let ok = match (&got, want) {
            (Ok(Ok(true)), T) | (Ok(Ok(false)), F) => true,
            (Err(e), Parse(p)) | (Ok(Err(e)), Eval(p)) => {
                let msg = e.to_string();
                msg.starts_with(p) && !msg.contains('\n')
            }
            _ => false,
        };
        if !ok {
            let got = match &got {
                Ok(Ok(b)) => format!("evaluated to {b}"),
                Ok(Err(e)) => format!("evaluation error: {e}"),
                Err(e) => format!("parse error: {e}"),
            };
            failures.push(format!("{mode:?} {expr:?}: want {want:?}, {got}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failing cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn retain_keeps_matching_items_in_order() {
    #[derive(serde::Serialize, Debug, PartialEq)]
    #[serde(rename_all = "PascalCase")]
    struct Svc {
        service: &'static str,
        tags: Vec<&'static str>,
    }
    let items = vec![
        Svc {
            service: "web",
            tags: vec!["primary"],
        },
        Svc {
            service: "db",
            tags: vec!["primary"],
        },
        Svc {
            service: "web",
            tags: vec![],
        },
    ];
    let f = Filter::parse("primary in Tags").expect("parses");
    let kept = f.retain(items).expect("evaluates");
    assert_eq!(
        kept.iter().map(|s| s.service).collect::<Vec<_>>(),
        ["web", "db"]
    );
    assert!(f
        .matches_item(&Svc {
            service: "x",
            tags: vec!["primary"]
        })
        .expect("evaluates"));
    assert_eq!(f.expression(), "primary in Tags");
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let depth = consul_filter::MAX_NESTING + 8;
    let expr = format!("{}a == b{}", "(".repeat(depth), ")".repeat(depth));
    let err = Filter::parse(&expr).expect_err("too deep");
    assert!(err.to_string().contains("nests deeper"), "{err}");
    let nots = format!("{}a == b", "not ".repeat(depth));
    assert!(Filter::parse(&nots).is_err());
    let fine = format!("{}a == b{}", "(".repeat(20), ")".repeat(20));
    assert!(Filter::parse(&fine).is_ok());
    // Long flat chains are not nesting.
    let chain = vec!["a == b"; 5000].join(" and ");
    let f = Filter::parse(&chain).expect("long chain parses");
    assert!(f.matches(&json!({"a": "b"})).expect("evaluates"));
}
