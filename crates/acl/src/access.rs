//! Access levels a rule grants (`deny`, `read`, `list`, `write`), and which
//! one wins when two rules name the same segment.

use std::fmt;

/// The access level of one rule, as written in a policy's `policy = "…"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Access {
    /// `deny`: refuses everything, and stops the search (no fallback).
    Deny,
    /// `read`: reads only.
    Read,
    /// `list`: reads and recursive listing; valid for keys only.
    List,
    /// `write`: everything the resource offers.
    Write,
}

impl Access {
    /// Parses a level the way Consul does: ignoring case (`"WRITE"` is write).
    pub fn parse(level: &str) -> Option<Access> {
        match level.to_ascii_lowercase().as_str() {
            "deny" => Some(Access::Deny),
            "read" => Some(Access::Read),
            "list" => Some(Access::List),
            "write" => Some(Access::Write),
            _ => None,
        }
    }

    /// The level's name in the rules language.
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Deny => "deny",
            Access::Read => "read",
            Access::List => "list",
            Access::Write => "write",
        }
    }

    /// Rank used when merging rules for the same segment: deny beats write
    /// beats list beats read (Consul's `takesPrecedenceOver`).
    fn rank(self) -> u8 {
        match self {
            Access::Read => 1,
            Access::List => 2,
            Access::Write => 3,
            Access::Deny => 4,
        }
    }

    /// True when `self` should replace `other` as the merged level of a
    /// segment. Equal levels replace (it makes no difference).
    pub fn takes_precedence_over(self, other: Access) -> bool {
        self.rank() >= other.rank()
    }

    /// The higher-precedence of two optional levels (an absent level loses).
    pub fn merge(a: Option<Access>, b: Option<Access>) -> Option<Access> {
        match (a, b) {
            (Some(a), Some(b)) => Some(if b.takes_precedence_over(a) { b } else { a }),
            (a, None) => a,
            (None, b) => b,
        }
    }
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_ignoring_case() {
        assert_eq!(Access::parse("WRITE"), Some(Access::Write));
        assert_eq!(Access::parse("List"), Some(Access::List));
        assert_eq!(Access::parse("nope"), None);
        assert_eq!(Access::parse(""), None);
    }

    #[test]
    fn deny_beats_write_beats_list_beats_read() {
        use Access::*;
        assert_eq!(Access::merge(Some(Write), Some(Deny)), Some(Deny));
        assert_eq!(Access::merge(Some(Deny), Some(Write)), Some(Deny));
        assert_eq!(Access::merge(Some(Read), Some(List)), Some(List));
        assert_eq!(Access::merge(Some(Write), Some(List)), Some(Write));
        assert_eq!(Access::merge(None, Some(Read)), Some(Read));
        assert_eq!(Access::merge(Some(Read), None), Some(Read));
    }
}
