//! The authorizers that answer every question the same way: the ends of a
//! chain chosen by `acl.default_policy`, and the management authorizer.

use super::{Authorize, Decision};

/// Consul's static authorizers (`acl.AllowAll()`, `DenyAll()`, `ManageAll()`).
/// None of them ever answers `Default`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StaticAuthorizer {
    /// Everything except ACL management and snapshots
    /// (`acl.default_policy = "allow"`).
    AllowAll,
    /// Nothing (`acl.default_policy = "deny"`).
    DenyAll,
    /// Everything, management included.
    ManageAll,
}

impl StaticAuthorizer {
    /// Consul's `RootAuthorizer`: `"allow"`, `"deny"` or `"manage"`.
    pub fn from_name(name: &str) -> Option<StaticAuthorizer> {
        match name {
            "allow" => Some(StaticAuthorizer::AllowAll),
            "deny" => Some(StaticAuthorizer::DenyAll),
            "manage" => Some(StaticAuthorizer::ManageAll),
            _ => None,
        }
    }

    fn manage(self) -> Decision {
        if self == StaticAuthorizer::ManageAll {
            Decision::Allow
        } else {
            Decision::Deny
        }
    }

    fn other(self) -> Decision {
        if self == StaticAuthorizer::DenyAll {
            Decision::Deny
        } else {
            Decision::Allow
        }
    }
}

impl Authorize for StaticAuthorizer {
    fn acl_read(&self) -> Decision {
        self.manage()
    }
    fn acl_write(&self) -> Decision {
        self.manage()
    }
    fn agent_read(&self, _: &str) -> Decision {
        self.other()
    }
    fn agent_write(&self, _: &str) -> Decision {
        self.other()
    }
    fn event_read(&self, _: &str) -> Decision {
        self.other()
    }
    fn event_write(&self, _: &str) -> Decision {
        self.other()
    }
    fn intention_default_allow(&self) -> Decision {
        self.other()
    }
    fn intention_read(&self, _: &str) -> Decision {
        self.other()
    }
    fn intention_write(&self, _: &str) -> Decision {
        self.other()
    }
    fn key_list(&self, _: &str) -> Decision {
        self.other()
    }
    fn key_read(&self, _: &str) -> Decision {
        self.other()
    }
    fn key_write(&self, _: &str) -> Decision {
        self.other()
    }
    fn key_write_prefix(&self, _: &str) -> Decision {
        self.other()
    }
    fn keyring_read(&self) -> Decision {
        self.other()
    }
    fn keyring_write(&self) -> Decision {
        self.other()
    }
    fn node_read(&self, _: &str) -> Decision {
        self.other()
    }
    fn node_read_all(&self) -> Decision {
        self.other()
    }
    fn node_write(&self, _: &str) -> Decision {
        self.other()
    }
    fn operator_read(&self) -> Decision {
        self.other()
    }
    fn operator_write(&self) -> Decision {
        self.other()
    }
    fn prepared_query_read(&self, _: &str) -> Decision {
        self.other()
    }
    fn prepared_query_write(&self, _: &str) -> Decision {
        self.other()
    }
    fn service_read(&self, _: &str) -> Decision {
        self.other()
    }
    fn service_read_all(&self) -> Decision {
        self.other()
    }
    fn service_write(&self, _: &str) -> Decision {
        self.other()
    }
    fn session_read(&self, _: &str) -> Decision {
        self.other()
    }
    fn session_write(&self, _: &str) -> Decision {
        self.other()
    }
    fn snapshot(&self) -> Decision {
        self.manage()
    }
}
