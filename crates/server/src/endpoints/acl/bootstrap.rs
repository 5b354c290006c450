//! `ACL.BootstrapTokens`: the first management token, once per reset.

use consul_types::acl::{AclRequest, AclToken};
use consul_types::command::Command;

use super::token::read_token;
use super::BOOTSTRAP_TOKEN_DESCRIPTION;
use crate::acl_init::{management_link, stamped};
use crate::new_uuid::new_uuid;
use crate::{RpcError, Server};

/// The reset index in the data dir's `acl-bootstrap-reset` file (0: none).
fn reset_index(server: &Server) -> (u64, Option<std::path::PathBuf>) {
    let Some(dir) = &server.config().data_dir else {
        return (0, None);
    };
    let path = dir.join("acl-bootstrap-reset");
    match std::fs::read_to_string(&path) {
        Ok(text) => (text.trim().parse().unwrap_or(0), Some(path)),
        Err(_) => (0, None),
    }
}

/// `PUT /v1/acl/bootstrap`: create the first management token, once.
pub(super) async fn bootstrap(server: &Server) -> Result<AclToken, RpcError> {
    let (reset, reset_file) = reset_index(server);
    let done = server.store().snapshot().acl_bootstrap_index();
    if done != 0 && reset != done {
        return Err(RpcError::Forbidden(format!(
            "Permission denied: ACL bootstrap no longer allowed (reset index: {done})"
        )));
    }
    let token = stamped(AclToken {
        accessor_id: new_uuid(),
        secret_id: new_uuid(),
        description: BOOTSTRAP_TOKEN_DESCRIPTION.into(),
        policies: vec![management_link()],
        ..Default::default()
    });
    let accessor = token.accessor_id.clone();
    let cmd = Command::Acl(AclRequest::Bootstrap {
        token,
        reset_index: reset,
    });
    server.apply(cmd).await?;
    if let Some(path) = reset_file {
        let _ = std::fs::remove_file(path);
    }
    read_token(server, &accessor)
}
