//! Whether a received event is for this agent (Consul's `shouldProcessUserEvent`): the node
//! filter on our node name, the service filter on our local service ids and, with it, the tag
//! filter on those services' tags. Regexes match anywhere in the string, as Go's `MatchString`.

use super::user_event::{compile, UserEvent};

/// A local service as the filters see it: its id and tags.
pub struct LocalService<'a> {
    /// Service id.
    pub id: &'a str,
    /// Its tags.
    pub tags: &'a [String],
}

/// Whether `ev` passes the filters on node `node` running `services`. A filter that does
/// not compile rejects the event (it was validated where it was fired).
pub fn should_process<'a>(
    ev: &UserEvent,
    node: &str,
    services: impl IntoIterator<Item = LocalService<'a>>,
) -> bool {
    if !ev.node_filter.is_empty() {
        match compile(&ev.node_filter) {
            Ok(re) if re.is_match(node) => {}
            _ => return false,
        }
    }
    if ev.service_filter.is_empty() {
        return true;
    }
    let Ok(service_re) = compile(&ev.service_filter) else {
        return false;
    };
    let tag_re = if ev.tag_filter.is_empty() {
        None
    } else {
        match compile(&ev.tag_filter) {
            Ok(re) => Some(re),
            Err(_) => return false,
        }
    };
    services.into_iter().any(|s| {
        service_re.is_match(s.id)
            && tag_re
                .as_ref()
                .is_none_or(|t| s.tags.iter().any(|tag| t.is_match(tag)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(node: &str, service: &str, tag: &str) -> UserEvent {
        UserEvent {
            name: "e".into(),
            node_filter: node.into(),
            service_filter: service.into(),
            tag_filter: tag.into(),
            ..Default::default()
        }
    }

    fn on(e: &UserEvent) -> bool {
        let tags = vec!["primary".to_string(), "v2".to_string()];
        let services = [
            LocalService {
                id: "web-1",
                tags: &tags,
            },
            LocalService {
                id: "db",
                tags: &[],
            },
        ];
        should_process(e, "node-a", services)
    }

    #[test]
    fn no_filter_is_for_everyone() {
        assert!(on(&ev("", "", "")));
    }

    #[test]
    fn node_filter_matches_anywhere_in_the_name() {
        assert!(on(&ev("de-", "", "")));
        assert!(on(&ev("^node-a$", "", "")));
        assert!(!on(&ev("^b", "", "")));
    }

    #[test]
    fn service_and_tag_filters_need_one_local_service_matching_both() {
        assert!(on(&ev("", "web", "")));
        assert!(!on(&ev("", "cache", "")));
        assert!(on(&ev("", "web", "^v2$")));
        // `db` matches the service filter but has no tag.
        assert!(!on(&ev("", "db", "v2")));
        assert!(!on(&ev("node-a", "web", "canary")));
    }

    #[test]
    fn an_invalid_filter_rejects() {
        assert!(!on(&ev("(", "", "")));
    }
}
