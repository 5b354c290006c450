//! A byte trie from rule segments to their leaves: the lookups the
//! authorizer needs (exact, every prefix of a name, every segment under a
//! prefix) cost O(length of the name), whatever the number of rules.
//! Consul uses a radix tree for the same walks.

/// A trie node: children by next byte (sorted), and the value stored at the
/// path leading here, if any.
#[derive(Debug, Clone)]
struct Node<T> {
    children: Vec<(u8, u32)>,
    value: Option<T>,
}

impl<T> Node<T> {
    fn empty() -> Self {
        Node {
            children: Vec::new(),
            value: None,
        }
    }

    fn child(&self, b: u8) -> Option<u32> {
        self.children
            .binary_search_by_key(&b, |(k, _)| *k)
            .ok()
            .map(|i| self.children[i].1)
    }
}

/// Segments (byte strings) to values of `T`.
#[derive(Debug, Clone)]
pub(crate) struct Tree<T> {
    nodes: Vec<Node<T>>,
}

impl<T> Default for Tree<T> {
    fn default() -> Self {
        Tree {
            nodes: vec![Node::empty()],
        }
    }
}

impl<T> Tree<T> {
    /// The value at `key`, inserting `T::default()` first if absent.
    pub(crate) fn entry(&mut self, key: &str) -> &mut T
    where
        T: Default,
    {
        let mut at = 0usize;
        for &b in key.as_bytes() {
            at = match self.nodes[at].child(b) {
                Some(next) => next as usize,
                None => {
                    let next = self.nodes.len();
                    self.nodes.push(Node::empty());
                    let children = &mut self.nodes[at].children;
                    let pos = children.partition_point(|(k, _)| *k < b);
                    children.insert(pos, (b, next as u32));
                    next
                }
            };
        }
        self.nodes[at].value.get_or_insert_with(T::default)
    }

    /// The value stored at exactly `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&T> {
        self.find(key).and_then(|n| self.nodes[n].value.as_ref())
    }

    /// The node reached by `key`, if its path exists.
    fn find(&self, key: &str) -> Option<usize> {
        let mut at = 0usize;
        for &b in key.as_bytes() {
            at = self.nodes[at].child(b)? as usize;
        }
        Some(at)
    }

    /// Calls `f(is_whole_key, value)` for the values stored at every prefix
    /// of `key` (`""` first, `key` itself last), shortest first, until `f`
    /// returns true.
    pub(crate) fn walk_path(&self, key: &str, mut f: impl FnMut(bool, &T) -> bool) {
        let bytes = key.as_bytes();
        let mut at = 0usize;
        let mut i = 0usize;
        loop {
            if let Some(v) = &self.nodes[at].value {
                if f(i == bytes.len(), v) {
                    return;
                }
            }
            if i == bytes.len() {
                return;
            }
            match self.nodes[at].child(bytes[i]) {
                Some(next) => at = next as usize,
                None => return,
            }
            i += 1;
        }
    }

    /// Calls `f` for every value whose segment starts with `prefix`
    /// (`prefix` itself included), until `f` returns true.
    pub(crate) fn walk_prefix(&self, prefix: &str, mut f: impl FnMut(&T) -> bool) {
        let Some(start) = self.find(prefix) else {
            return;
        };
        let mut stack = vec![start];
        while let Some(n) = stack.pop() {
            let node = &self.nodes[n];
            if let Some(v) = &node.value {
                if f(v) {
                    return;
                }
            }
            stack.extend(node.children.iter().rev().map(|(_, c)| *c as usize));
        }
    }

    /// Calls `f` for every value in the tree, until `f` returns true.
    pub(crate) fn walk(&self, f: impl FnMut(&T) -> bool) {
        self.walk_prefix("", f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_prefixes_shortest_first_and_subtrees() {
        let mut t: Tree<u32> = Tree::default();
        *t.entry("") = 1;
        *t.entry("foo") = 2;
        *t.entry("foo/bar") = 3;
        *t.entry("fob") = 4;
        assert_eq!(t.get("foo"), Some(&2));
        assert_eq!(t.get("fo"), None);
        assert_eq!(t.get("nope"), None);

        let mut seen = Vec::new();
        t.walk_path("foo/bar/baz", |whole, v| {
            seen.push((*v, whole));
            false
        });
        assert_eq!(seen, vec![(1, false), (2, false), (3, false)]);

        let mut seen = Vec::new();
        t.walk_path("foo", |whole, v| {
            seen.push((*v, whole));
            false
        });
        assert_eq!(seen, vec![(1, false), (2, true)]);

        let mut under = Vec::new();
        t.walk_prefix("fo", |v| {
            under.push(*v);
            false
        });
        under.sort();
        assert_eq!(under, vec![2, 3, 4]);

        let mut all = 0;
        t.walk(|_| {
            all += 1;
            false
        });
        assert_eq!(all, 4);
    }
}
