//! What `ACL.*` needs: `acl:read` to read or list, `acl:write` to change.
//! Bootstrap needs no token (it is refused once done), and reading one's own
//! token needs only that token. The legacy API needs `acl:write`, except
//! reading a legacy token by its secret. Auth methods and binding rules are
//! read with `acl:read` and written with `acl:write`; login and logout need
//! no permission (a login presents a credential, a logout its own token).

use consul_acl::Authorize;

use super::AclRpc;
use crate::acl_check::{anyone, check, AclRequirement};
use crate::{AclSettings, Identity, RpcError};

impl AclRequirement for AclRpc {
    fn check_acl(&self, id: &Identity, _: &AclSettings) -> Result<(), RpcError> {
        match self {
            AclRpc::Bootstrap(_)
            | AclRpc::TokenSelf(_)
            | AclRpc::Resolve(_)
            | AclRpc::LegacyGet(_)
            | AclRpc::ReplicationStatus(_)
            | AclRpc::Login(_)
            | AclRpc::Logout(_) => anyone(),
            AclRpc::TokenRead(_)
            | AclRpc::TokenList(_)
            | AclRpc::PolicyRead(_)
            | AclRpc::PolicyList(_)
            | AclRpc::RoleRead(_)
            | AclRpc::RoleList(_)
            | AclRpc::AuthMethodRead(_)
            | AclRpc::AuthMethodList(_)
            | AclRpc::BindingRuleRead(_)
            | AclRpc::BindingRuleList(_) => check(id, |a| a.acl_read()),
            AclRpc::TokenSet(_)
            | AclRpc::TokenClone(_)
            | AclRpc::TokenDelete(_)
            | AclRpc::PolicySet(_)
            | AclRpc::PolicyDelete(_)
            | AclRpc::RoleSet(_)
            | AclRpc::RoleDelete(_)
            | AclRpc::LegacyApply(_)
            | AclRpc::LegacyList(_)
            | AclRpc::AuthMethodSet(_)
            | AclRpc::AuthMethodDelete(_)
            | AclRpc::BindingRuleSet(_)
            | AclRpc::BindingRuleDelete(_) => check(id, |a| a.acl_write()),
        }
    }

    /// The replication status and logins are served without looking at
    /// the token (a login presents a credential instead).
    fn resolves_token(&self) -> bool {
        !matches!(self, AclRpc::ReplicationStatus(_) | AclRpc::Login(_))
    }
}
