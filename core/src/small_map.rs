//! [`SmallMap`]: an ordered map for the handful of entries a payer form holds (its values, its
//! errors, its field list): a sorted `Vec` kept by `litemap` (ICU4X's small map).
//!
//! Why not `BTreeMap`: in the SPA's wasm, B-tree node code and the standard library's stable
//! sort (which `BTreeMap`'s `collect` runs, and `LiteMap`'s `collect`/`extend` too) cost about
//! 7 KB brotli of the first load (docs/performance.md), for maps that never hold more than a few
//! dozen entries. So this type only inserts: collecting and extending insert one entry at a time
//! (a binary search and a move of the tail), with `BTreeMap`'s meaning kept exactly: iteration in
//! key order, a later entry for the same key replaces the earlier one. The property test in
//! `core/tests/properties.rs` checks that against `BTreeMap` on random operations.

use std::borrow::Borrow;
use std::fmt;

use litemap::LiteMap;

#[derive(Clone, PartialEq, Eq)]
pub struct SmallMap<K, V>(LiteMap<K, V>);

impl<K, V> Default for SmallMap<K, V> {
    fn default() -> Self {
        SmallMap(LiteMap::new_vec())
    }
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for SmallMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.0.iter()).finish()
    }
}

impl<K: Ord, V> SmallMap<K, V> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.0.get(key)
    }

    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.0.get_mut(key)
    }

    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.0.contains_key(key)
    }

    /// The value the key had, if any.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        self.0.insert(key, value)
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.0.remove(key)
    }

    /// Keeps the entries `keep` says yes to.
    pub fn retain(&mut self, keep: impl FnMut(&K, &V) -> bool) {
        self.0.retain(keep);
    }

    /// In key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> {
        self.0.iter()
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> {
        self.0.keys()
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> {
        self.0.values()
    }
}

/// `map[key]`, as for `BTreeMap`: panics when the key is missing (tests only read known keys).
impl<K: Ord + Borrow<Q>, V, Q: Ord + ?Sized> std::ops::Index<&Q> for SmallMap<K, V> {
    type Output = V;

    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("no entry for that key in the SmallMap")
    }
}

impl<K: Ord, V> Extend<(K, V)> for SmallMap<K, V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, entries: I) {
        for (key, value) in entries {
            self.0.insert(key, value);
        }
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for SmallMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(entries: I) -> Self {
        let mut map = SmallMap::new();
        map.extend(entries);
        map
    }
}

impl<K: Ord, V, const N: usize> From<[(K, V); N]> for SmallMap<K, V> {
    fn from(entries: [(K, V); N]) -> Self {
        entries.into_iter().collect()
    }
}

impl<K, V> IntoIterator for SmallMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_tuple_vec().into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::SmallMap;

    #[test]
    fn keeps_key_order_and_the_last_value_of_a_key() {
        let map: SmallMap<&str, u8> = [("b", 1), ("a", 2), ("b", 3)].into_iter().collect();
        assert_eq!(map.iter().collect::<Vec<_>>(), vec![(&"a", &2), (&"b", &3)]);
        assert_eq!(map.len(), 2);
    }

    #[test]
    fn insert_get_remove() {
        let mut map = SmallMap::new();
        assert_eq!(map.insert("k".to_string(), 1), None);
        assert_eq!(map.insert("k".to_string(), 2), Some(1));
        assert_eq!(map.get("k"), Some(&2));
        assert!(map.contains_key("k"));
        *map.get_mut("k").unwrap() += 1;
        assert_eq!(map.remove("k"), Some(3));
        assert!(map.is_empty());
        assert_eq!(map.remove("k"), None);
    }
}
