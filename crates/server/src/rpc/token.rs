//! The ACL token a request carries. It is a secret: its `Debug` form never shows it, so a
//! request can be logged or traced whole without leaking the token.

use serde::{Deserialize, Serialize};

/// An ACL token's secret ID (`X-Consul-Token`, `Authorization: Bearer`, `?token=`); empty
/// when the caller gave none. On the wire it is a plain string, as Consul's `Token` fields.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Token(String);

/// The token of requests that carry none (Raft traffic, pings).
static NO_TOKEN: Token = Token(String::new());

impl Token {
    /// A token with this secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Token(secret.into())
    }

    /// The empty token, for requests that carry none (Raft traffic, pings).
    pub fn none() -> &'static Token {
        &NO_TOKEN
    }

    /// The secret itself: only for the code that resolves it (ACLs), never for logs.
    pub fn secret(&self) -> &str {
        &self.0
    }

    /// Whether no token was given (the anonymous caller).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() {
            "Token(none)"
        } else {
            "Token(redacted)"
        })
    }
}

impl From<&str> for Token {
    fn from(s: &str) -> Self {
        Token(s.to_string())
    }
}

impl From<String> for Token {
    fn from(s: String) -> Self {
        Token(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let t = Token::new("b3a9c8e2-secret");
        assert_eq!(format!("{t:?}"), "Token(redacted)");
        assert!(!format!("{:?}", Some(&t)).contains("secret"));
        assert_eq!(format!("{:?}", Token::default()), "Token(none)");
        assert_eq!(t.secret(), "b3a9c8e2-secret");
    }

    #[test]
    fn travels_as_a_plain_string() {
        let t = Token::new("abc");
        let bytes = rmp_serde::to_vec_named(&t).unwrap();
        assert_eq!(rmp_serde::from_slice::<String>(&bytes).unwrap(), "abc");
        assert_eq!(rmp_serde::from_slice::<Token>(&bytes).unwrap(), t);
    }
}
