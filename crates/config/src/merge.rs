//! Consul's merge rule for config sources, applied to JSON values.
//!
//! A later source overrides an earlier one key by key: objects (Consul's
//! nested structs and maps such as `node_meta`) merge recursively, lists
//! (`retry_join`, `start_join`, `recursors`, …) append, any other value
//! replaces, and `null` leaves the earlier value in place.

use serde_json::Value;

/// Merges `later` into `earlier` with Consul's rule.
pub fn merge(earlier: &mut Value, later: Value) {
    match (earlier, later) {
        (_, Value::Null) => {}
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(&k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        if !v.is_null() {
                            a.insert(k, v);
                        }
                    }
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => a.extend(b),
        (slot, v) => *slot = v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars_override_lists_append_objects_merge_nulls_keep() {
        let mut a = json!({
            "server": false, "retry_join": ["a"], "ports": {"http": 1, "dns": 2},
            "node_meta": {"x": "1"}, "datacenter": "dc1"
        });
        merge(
            &mut a,
            json!({
                "server": true, "retry_join": ["b"], "ports": {"http": 3},
                "node_meta": {"y": "2"}, "datacenter": null, "segments": null
            }),
        );
        assert_eq!(
            a,
            json!({
                "server": true, "retry_join": ["a", "b"], "ports": {"http": 3, "dns": 2},
                "node_meta": {"x": "1", "y": "2"}, "datacenter": "dc1"
            })
        );
    }
}
