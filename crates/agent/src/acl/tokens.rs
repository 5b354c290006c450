//! The tokens an agent holds, by kind, and their persistence in the data
//! dir's `acl-tokens.json` (the file Consul writes).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Which agent token a `PUT /v1/agent/token/<kind>` sets (with Consul's
/// legacy names as aliases).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// `default` (legacy `acl_token`): used for requests without a token.
    Default,
    /// `agent` (legacy `acl_agent_token`): the agent's own operations.
    Agent,
    /// `agent_recovery` (alias `agent_master`, legacy `acl_agent_master_token`).
    AgentRecovery,
    /// `replication` (legacy `acl_replication_token`).
    Replication,
}

impl TokenKind {
    /// The kind a URL names, or `None` for an unknown one.
    pub fn from_url(name: &str) -> Option<TokenKind> {
        Some(match name {
            "default" | "acl_token" => TokenKind::Default,
            "agent" | "acl_agent_token" => TokenKind::Agent,
            "agent_recovery" | "agent_master" | "acl_agent_master_token" => {
                TokenKind::AgentRecovery
            }
            "replication" | "acl_replication_token" => TokenKind::Replication,
            _ => return None,
        })
    }
}

/// The agent's tokens ("" = unset).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AgentTokens {
    /// See [`TokenKind::Default`].
    pub default: String,
    /// See [`TokenKind::Agent`].
    pub agent: String,
    /// See [`TokenKind::AgentRecovery`] (Consul 1.10 persists it as `agent_master`).
    #[serde(rename = "agent_master")]
    pub agent_recovery: String,
    /// See [`TokenKind::Replication`].
    pub replication: String,
}

impl AgentTokens {
    /// Set one token.
    pub fn set(&mut self, kind: TokenKind, token: String) {
        match kind {
            TokenKind::Default => self.default = token,
            TokenKind::Agent => self.agent = token,
            TokenKind::AgentRecovery => self.agent_recovery = token,
            TokenKind::Replication => self.replication = token,
        }
    }

    /// The token for the agent's own writes: `agent`, else `default`.
    pub fn agent_or_default(&self) -> &str {
        if self.agent.is_empty() {
            &self.default
        } else {
            &self.agent
        }
    }

    /// Where persisted tokens live in `data_dir`.
    pub fn file(data_dir: &Path) -> PathBuf {
        data_dir.join("acl-tokens.json")
    }

    /// The persisted tokens in `data_dir` (none when absent or unreadable;
    /// a damaged file is reported and ignored).
    pub fn load(data_dir: &Path) -> Option<AgentTokens> {
        let text = std::fs::read(Self::file(data_dir)).ok()?;
        match serde_json::from_slice(&text) {
            Ok(t) => Some(t),
            Err(e) => {
                tracing::warn!(error = %e, "acl: ignoring unreadable persisted agent tokens");
                None
            }
        }
    }

    /// Persist atomically (write a temporary file, then rename), readable by
    /// the owner only.
    pub fn save(&self, data_dir: &Path) -> std::io::Result<()> {
        let path = Self::file(data_dir);
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec(self).unwrap_or_default())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))?;
        }
        std::fs::rename(tmp, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_accept_consuls_names_and_legacy_aliases() {
        assert_eq!(TokenKind::from_url("acl_token"), Some(TokenKind::Default));
        assert_eq!(
            TokenKind::from_url("agent_master"),
            Some(TokenKind::AgentRecovery)
        );
        assert_eq!(
            TokenKind::from_url("agent_recovery"),
            Some(TokenKind::AgentRecovery)
        );
        assert_eq!(TokenKind::from_url("nope"), None);
    }

    #[test]
    fn tokens_persist_and_reload() {
        let dir = tempfile::tempdir().unwrap();
        let mut t = AgentTokens::default();
        t.set(TokenKind::Agent, "a".into());
        t.set(TokenKind::AgentRecovery, "r".into());
        t.save(dir.path()).unwrap();
        assert_eq!(AgentTokens::load(dir.path()), Some(t.clone()));
        assert_eq!(t.agent_or_default(), "a");
        let text = std::fs::read_to_string(AgentTokens::file(dir.path())).unwrap();
        assert!(text.contains("\"agent_master\":\"r\""), "{text}");
    }
}
