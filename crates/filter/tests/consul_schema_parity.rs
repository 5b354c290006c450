//! The Consul schemas (`consul_filter::consul`) against the fields go-bexpr
//! derives from Consul 1.10's own Go types: `consul_fields/<type>.txt`
//! (recorded once, outside this repository, from Consul 1.10.12) lists every selectable path with
//! its operators and literal type; the schema must give the same list.

use consul_filter::{consul, Schema};

fn scalar(s: &Schema) -> Option<&'static str> {
    match s {
        Schema::String => Some("string"),
        Schema::Bool => Some("bool"),
        Schema::Int => Some("int"),
        Schema::Uint => Some("uint64"),
        Schema::Float => Some("float64"),
        _ => None,
    }
}

/// `path [operators] coercion`, as the Go dump writes it.
fn line(path: &str, s: &Schema) -> String {
    let (mut ops, coerce): (Vec<&str>, &str) = match s {
        Schema::String => (
            vec![
                "Equal",
                "Not Equal",
                "In",
                "Not In",
                "Matches",
                "Not Matches",
            ],
            "string",
        ),
        Schema::Bool | Schema::Int | Schema::Uint | Schema::Float => {
            (vec!["Equal", "Not Equal"], scalar(s).unwrap_or("nil"))
        }
        Schema::List(e) => match scalar(e) {
            Some(c) => (vec!["In", "Not In", "Is Empty", "Is Not Empty"], c),
            None => (vec!["Is Empty", "Is Not Empty"], "nil"),
        },
        Schema::Map(_) => (vec!["Is Empty", "Is Not Empty", "In", "Not In"], "string"),
        Schema::Struct(_) | Schema::Opaque => (vec![], "nil"),
    };
    ops.sort_unstable();
    format!("{path} [{}] {coerce}", ops.join(","))
}

fn walk(s: &Schema, prefix: &str, out: &mut Vec<String>) {
    match s {
        Schema::Struct(fields) => {
            for (name, field) in fields {
                let path = format!("{prefix}{name}");
                out.push(line(&path, field));
                walk(field, &format!("{path}."), out);
            }
        }
        Schema::Map(value) => {
            let path = format!("{prefix}*");
            out.push(line(&path, value));
            walk(value, &format!("{path}."), out);
        }
        Schema::List(element) => walk(element, prefix, out),
        _ => {}
    }
}

#[test]
fn schemas_list_the_fields_bexpr_derives_from_consul_types() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/consul_fields");
    let schemas: [(&str, &Schema); 8] = [
        ("node", consul::node()),
        ("node_service", consul::node_service()),
        ("service_node", consul::service_node()),
        ("health_check", consul::health_check()),
        ("check_service_node", consul::check_service_node()),
        ("node_info", consul::node_info()),
        ("agent_service", consul::agent_service()),
        ("intention", consul::intention()),
    ];
    for (name, schema) in schemas {
        let want =
            std::fs::read_to_string(dir.join(format!("{name}.txt"))).expect("recorded fields");
        let want: Vec<&str> = want.lines().collect();
        let mut got = Vec::new();
        walk(schema, "", &mut got);
        got.sort();
        assert_eq!(got, want, "{name}");
    }
}
