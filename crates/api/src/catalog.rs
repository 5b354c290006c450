//! `/v1/catalog/*`: datacenters, nodes and services.

use std::collections::BTreeMap;

use consul_types::catalog::{Node, NodeServices, ServiceNode};

use crate::client::{escape_path, Params};
use crate::{ApiError, Client, QueryMeta, QueryOptions};

/// The catalog endpoints of a [`Client`].
#[derive(Debug, Clone, Copy)]
pub struct Catalog<'a> {
    pub(crate) c: &'a Client,
}

impl Catalog<'_> {
    /// Every known datacenter, nearest first.
    pub async fn datacenters(&self) -> Result<Vec<String>, ApiError> {
        let (v, _) = self
            .c
            .query::<Option<Vec<String>>>(
                "/v1/catalog/datacenters",
                Vec::new(),
                &QueryOptions::default(),
                false,
            )
            .await?;
        Ok(v.flatten().unwrap_or_default())
    }

    /// Every node of the datacenter.
    pub async fn nodes(&self, q: &QueryOptions) -> Result<(Vec<Node>, QueryMeta), ApiError> {
        let (v, meta) = self
            .c
            .query::<Option<Vec<Node>>>("/v1/catalog/nodes", Vec::new(), q, false)
            .await?;
        Ok((v.flatten().unwrap_or_default(), meta))
    }

    /// Every service name with the union of its tags.
    pub async fn services(
        &self,
        q: &QueryOptions,
    ) -> Result<(BTreeMap<String, Vec<String>>, QueryMeta), ApiError> {
        let (v, meta) = self
            .c
            .query::<Option<BTreeMap<String, Option<Vec<String>>>>>(
                "/v1/catalog/services",
                Vec::new(),
                q,
                false,
            )
            .await?;
        let map = v
            .flatten()
            .unwrap_or_default()
            .into_iter()
            .map(|(k, tags)| (k, tags.unwrap_or_default()))
            .collect();
        Ok((map, meta))
    }

    /// The instances of service `name`, optionally only those tagged `tag`.
    pub async fn service(
        &self,
        name: &str,
        tag: Option<&str>,
        q: &QueryOptions,
    ) -> Result<(Vec<ServiceNode>, QueryMeta), ApiError> {
        let mut params: Params = Vec::new();
        if let Some(t) = tag {
            params.push(("tag", t.to_string()));
        }
        let path = escape_path(&format!("/v1/catalog/service/{name}"));
        let (v, meta) = self
            .c
            .query::<Option<Vec<ServiceNode>>>(&path, params, q, false)
            .await?;
        Ok((v.flatten().unwrap_or_default(), meta))
    }

    /// One node with its services; `None` when the node is unknown.
    pub async fn node(
        &self,
        node: &str,
        q: &QueryOptions,
    ) -> Result<(Option<NodeServices>, QueryMeta), ApiError> {
        let path = escape_path(&format!("/v1/catalog/node/{node}"));
        let (v, meta) = self
            .c
            .query::<Option<NodeServices>>(&path, Vec::new(), q, true)
            .await?;
        Ok((v.flatten(), meta))
    }
}
