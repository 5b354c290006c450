//! `?filter=` on a read: the expression a request carries
//! ([`crate::rpc::WireQueryOptions::filter`]) parsed against the schema of
//! what the endpoint returns, and applied to its result after ACL filtering.
//! Every area that filters uses this one helper, so a refused expression
//! reads the same everywhere.
//!
//! Consul 1.10 answers a refused expression with a 500 whose text is
//! `Failed to create boolean expression evaluator: <reason>`; we keep the
//! text and answer 400 ([`RpcError::BadRequest`]), since the request is at
//! fault. An empty expression means "no filter": nothing is parsed and
//! nothing is evaluated.

use std::collections::BTreeMap;

use consul_filter::{Filter, Schema};
use serde::Serialize;

use crate::RpcError;

/// A request's filter, ready to apply (or none at all).
#[derive(Debug, Clone, Default)]
pub struct QueryFilter(Option<Filter>);

impl QueryFilter {
    /// Parse `expr` against `schema` (the endpoint's element type, from
    /// [`consul_filter::consul`]); `""` is no filter.
    pub fn parse(expr: &str, schema: &Schema) -> Result<Self, RpcError> {
        if expr.is_empty() {
            return Ok(QueryFilter(None));
        }
        Filter::parse_with(expr, schema)
            .map(|f| QueryFilter(Some(f)))
            .map_err(|e| {
                RpcError::BadRequest(format!(
                    "Failed to create boolean expression evaluator: {e}"
                ))
            })
    }

    /// Whether there is an expression to apply.
    pub fn is_active(&self) -> bool {
        self.0.is_some()
    }

    /// Keep the items of `items` that satisfy the expression, in order.
    pub fn retain<T: Serialize>(&self, items: &mut Vec<T>) -> Result<(), RpcError> {
        let Some(f) = &self.0 else { return Ok(()) };
        let mut failed = None;
        items.retain(|item| keep(f, item, &mut failed));
        failed.map_or(Ok(()), Err)
    }

    /// Keep the entries of `items` whose value satisfies the expression
    /// (bexpr over a map filters its values and keeps their keys).
    pub fn retain_values<K: Ord, T: Serialize>(
        &self,
        items: &mut BTreeMap<K, T>,
    ) -> Result<(), RpcError> {
        let Some(f) = &self.0 else { return Ok(()) };
        let mut failed = None;
        items.retain(|_, item| keep(f, item, &mut failed));
        failed.map_or(Ok(()), Err)
    }
}

/// Whether `item` is kept; the first evaluation error is recorded (Consul
/// answers it as a 500) and the rest of the list is not evaluated.
fn keep<T: Serialize>(f: &Filter, item: &T, failed: &mut Option<RpcError>) -> bool {
    if failed.is_some() {
        return false;
    }
    match f.matches_item(item) {
        Ok(keep) => keep,
        Err(e) => {
            *failed = Some(RpcError::Internal(e.to_string()));
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use consul_filter::consul;
    use consul_types::catalog::Node;

    fn node(name: &str, env: &str) -> Node {
        Node {
            node: name.into(),
            meta: [("env".to_string(), env.to_string())].into(),
            ..Default::default()
        }
    }

    #[test]
    fn empty_expression_keeps_everything() {
        let f = QueryFilter::parse("", consul::node()).unwrap();
        assert!(!f.is_active());
        let mut nodes = vec![node("a", "prod"), node("b", "dev")];
        f.retain(&mut nodes).unwrap();
        assert_eq!(nodes.len(), 2);
    }

    #[test]
    fn keeps_matching_items_in_order() {
        let f = QueryFilter::parse("Meta.env == prod", consul::node()).unwrap();
        let mut nodes = vec![node("a", "prod"), node("b", "dev"), node("c", "prod")];
        f.retain(&mut nodes).unwrap();
        let names: Vec<_> = nodes.iter().map(|n| n.node.as_str()).collect();
        assert_eq!(names, ["a", "c"]);

        let mut map: BTreeMap<String, Node> = [("x".into(), node("x", "dev"))].into();
        f.retain_values(&mut map).unwrap();
        assert!(map.is_empty());
    }

    #[test]
    fn refused_expression_is_a_bad_request_with_consuls_text() {
        let err = QueryFilter::parse("Nope == 1", consul::node()).unwrap_err();
        assert_eq!(
            err,
            RpcError::BadRequest(
                "Failed to create boolean expression evaluator: Selector \"Nope\" is not valid"
                    .into()
            )
        );
        let err = QueryFilter::parse("Node ==", consul::node()).unwrap_err();
        assert!(
            matches!(&err, RpcError::BadRequest(m) if m.starts_with("Failed to create boolean expression evaluator: 1:")),
            "{err:?}"
        );
    }
}
