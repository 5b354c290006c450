//! The agent's side of ACLs: the tokens it holds (`acl.tokens.*`, set at
//! run time by `PUT /v1/agent/token/*`, persisted when
//! `enable_token_persistence`), and resolving a caller's token for the
//! checks the agent makes itself (its local endpoints), cached on client
//! agents for `token_ttl` and honouring `down_policy` when no server answers.

mod resolve;
mod settings;
mod tokens;

pub use resolve::AgentAcl;
pub use settings::server_settings;
pub use tokens::{AgentTokens, TokenKind};
