//! Query-string parsing: Consul's flags (`?recurse`, `?stale`) may come with
//! or without a value, and some parameters repeat (`?tag=a&tag=b`).

use std::time::Duration;

use consul_server::{QueryOptions, ReadMode};
use consul_types::duration::parse_go_duration;

use super::respond::HttpError;

/// The decoded query string of one request.
#[derive(Debug, Default, Clone)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Decode a raw query string.
    pub fn parse(query: Option<&str>) -> Params {
        let pairs = query
            .map(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        Params { pairs }
    }

    /// Whether `key` is present, with or without a value.
    pub fn has(&self, key: &str) -> bool {
        self.pairs.iter().any(|(k, _)| k == key)
    }

    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `key`, in order.
    pub fn all(&self, key: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The parameters re-encoded as Go's `url.Values.Encode` does: sorted by
    /// key (values in their order), form-escaped.
    pub fn encode_sorted(&self) -> String {
        let mut pairs = self.pairs.clone();
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        let mut ser = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &pairs {
            ser.append_pair(k, v);
        }
        ser.finish()
    }

    /// A boolean flag: present with no value or a true-ish value.
    pub fn flag(&self, key: &str) -> bool {
        match self.get(key) {
            None => false,
            Some(v) => !matches!(v, "false" | "0" | "False" | "FALSE"),
        }
    }

    /// Parse an unsigned integer parameter; `what` names it in the 400 text.
    pub fn u64(&self, key: &str, what: &str) -> Result<Option<u64>, HttpError> {
        match self.get(key) {
            None | Some("") => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| HttpError::bad_request(format!("Invalid {what}"))),
        }
    }

    /// Consul's common read options: `index`, `wait`, `stale`, `consistent` (the datacenter
    /// is [`Params::datacenter`]).
    pub fn query_options(&self) -> Result<QueryOptions, HttpError> {
        let min_index = self.u64("index", "index")?.unwrap_or(0);
        let max_wait = match self.get("wait") {
            None | Some("") => Duration::ZERO,
            Some(w) => {
                parse_go_duration(w).map_err(|_| HttpError::bad_request("Invalid wait time"))?
            }
        };
        let stale = self.has("stale")
            || self
                .get("max_stale")
                .is_some_and(|v| !v.is_empty() && v != "0");
        let consistent = self.has("consistent");
        let mode = match (stale, consistent) {
            (true, true) => {
                return Err(HttpError::bad_request(
                    "Cannot specify ?stale with ?consistent, conflicting semantics.",
                ))
            }
            (true, false) => ReadMode::Stale,
            (false, true) => ReadMode::Consistent,
            (false, false) => ReadMode::Default,
        };
        Ok(QueryOptions {
            min_index,
            max_wait,
            mode,
        })
    }

    /// The datacenter a request targets ("" = local); `datacenter` wins over `dc`.
    pub fn datacenter(&self) -> String {
        self.get("datacenter")
            .or_else(|| self.get("dc"))
            .unwrap_or("")
            .to_string()
    }

    /// `node-meta=key:value` filters.
    pub fn node_meta(&self) -> Vec<(String, String)> {
        self.all("node-meta")
            .into_iter()
            .map(|kv| match kv.split_once(':') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => (kv, String::new()),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_with_and_without_values() {
        let p = Params::parse(Some("recurse&raw=&keys=true&stale=false&tag=a&tag=b%2Fc"));
        assert!(p.flag("recurse") && p.flag("raw") && p.flag("keys") && !p.flag("stale"));
        assert!(!p.flag("missing"));
        assert_eq!(p.all("tag"), vec!["a", "b/c"]);
    }

    #[test]
    fn query_options_modes_and_errors() {
        let o = Params::parse(Some("index=7&wait=1.5s&stale"))
            .query_options()
            .unwrap();
        assert_eq!(
            (o.min_index, o.max_wait, o.mode),
            (7, Duration::from_millis(1500), ReadMode::Stale)
        );
        let p = Params::parse(Some("wait=120000ms&consistent&dc=east&datacenter=west"));
        let o = p.query_options().unwrap();
        assert_eq!(
            (o.max_wait, o.mode, p.datacenter().as_str()),
            (Duration::from_secs(120), ReadMode::Consistent, "west")
        );
        assert!(Params::parse(Some("stale&consistent"))
            .query_options()
            .is_err());
        assert!(Params::parse(Some("index=x")).query_options().is_err());
        assert!(Params::parse(Some("wait=5parsecs"))
            .query_options()
            .is_err());
    }
}
