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

    /// Consul's `takesPrecedenceOver` on two levels as written: `new`
    /// replaces `current` (`None`: no level yet) when it was written in lower
    /// case and either `current` was not, or `new` ranks at least as high.
    /// Consul compares the strings as written, so a level in any other case
    /// (`"WRITE"`, valid since levels parse ignoring case) never replaces
    /// another, and any lower-case level replaces it.
    pub fn replaces_as_written(
        new: Option<(Access, bool)>,
        current: Option<(Access, bool)>,
    ) -> bool {
        match (new, current) {
            (Some((_, false)) | None, _) => false,
            (Some((_, true)), None | Some((_, false))) => true,
            (Some((n, true)), Some((c, true))) => n.takes_precedence_over(c),
        }
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

    #[test]
    fn levels_not_in_lower_case_never_take_precedence() {
        use Access::*;
        let r = Access::replaces_as_written;
        assert!(r(Some((Deny, true)), Some((Write, true))));
        assert!(!r(Some((Read, true)), Some((Write, true))));
        assert!(r(Some((Read, true)), Some((Read, true))));
        assert!(!r(Some((Deny, false)), Some((Read, true))));
        assert!(r(Some((Read, true)), Some((Deny, false))));
        assert!(!r(Some((Deny, false)), Some((Read, false))));
        assert!(r(Some((Read, true)), None));
        assert!(!r(Some((Write, false)), None));
        assert!(!r(None, Some((Read, true))));
    }
}
