//! A map that keeps at most a fixed number of entries, dropping the oldest first: what clients
//! add to the sandbox's state (tokens, codes, requests, subscribers) can never grow without
//! bound, however long the sandbox runs and whatever a client sends.

use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;

/// A map of at most `capacity` entries in the order they were inserted: inserting past the
/// capacity drops the oldest entry, and [`Bounded::drop_oldest_while`] drops stale entries
/// from the old end without looking at the others.
#[derive(Debug)]
pub(crate) struct Bounded<K, V> {
    /// The entries, each with its insertion number.
    entries: HashMap<K, (u64, V)>,
    /// The keys by insertion number: the first is the oldest.
    order: BTreeMap<u64, K>,
    /// The insertion number of the next entry.
    next: u64,
    capacity: usize,
}

impl<K: Eq + Hash + Clone, V> Bounded<K, V> {
    /// An empty map that keeps at most `capacity` entries (at least one).
    pub(crate) fn new(capacity: usize) -> Bounded<K, V> {
        Bounded {
            entries: HashMap::new(),
            order: BTreeMap::new(),
            next: 0,
            capacity: capacity.max(1),
        }
    }

    /// Inserts (or replaces, making it the newest) an entry, then drops the oldest entry if
    /// the map is past its capacity; the entry dropped, for state that goes with it.
    pub(crate) fn insert(&mut self, key: K, value: V) -> Option<(K, V)> {
        let serial = self.next;
        self.next += 1;
        if let Some((old, _)) = self.entries.insert(key.clone(), (serial, value)) {
            self.order.remove(&old);
        }
        self.order.insert(serial, key);
        // One entry more at most: the map was within its capacity before.
        if self.entries.len() <= self.capacity {
            return None;
        }
        let (_, oldest) = self.order.pop_first()?;
        let (_, value) = self.entries.remove(&oldest)?;
        Some((oldest, value))
    }

    /// Drops entries from the oldest on for as long as `stale` says they are stale, and stops
    /// at the first that is not: for entries that go stale in the order they were inserted
    /// (a fixed lifetime), this drops them all at the cost of the ones dropped.
    pub(crate) fn drop_oldest_while(&mut self, mut stale: impl FnMut(&V) -> bool) {
        while let Some(entry) = self.order.first_entry() {
            match self.entries.get(entry.get()) {
                Some((_, value)) if !stale(value) => break,
                _ => {
                    let key = entry.remove();
                    self.entries.remove(&key);
                }
            }
        }
    }

    /// The value of `key`, if it is kept.
    pub(crate) fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        self.entries.get(key).map(|(_, v)| v)
    }

    /// The value of `key`, to change in place (its age stays).
    pub(crate) fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        self.entries.get_mut(key).map(|(_, v)| v)
    }

    /// Whether `key` is kept.
    pub(crate) fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        self.entries.contains_key(key)
    }

    /// Removes `key`, returning its value.
    pub(crate) fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        let (serial, value) = self.entries.remove(key)?;
        self.order.remove(&serial);
        Some(value)
    }

    /// Every value, in no particular order (quicker than [`Bounded::iter`]).
    pub(crate) fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.values().map(|(_, v)| v)
    }

    /// Every value, in no particular order.
    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.entries.values_mut().map(|(_, v)| v)
    }

    /// Every entry, oldest first.
    pub(crate) fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> {
        self.order
            .values()
            .filter_map(|key| self.entries.get_key_value(key))
            .map(|(key, (_, value))| (key, value))
    }

    /// Keeps only the entries for which `keep` is true; the others are removed.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&K, &V) -> bool) {
        let order = &mut self.order;
        self.entries.retain(|key, (serial, value)| {
            let kept = keep(key, value);
            if !kept {
                order.remove(serial);
            }
            kept
        });
    }

    /// How many entries are kept.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_entries_go_first() {
        let mut map = Bounded::new(3);
        for (k, v) in [("a", 1), ("b", 2), ("c", 3)] {
            map.insert(k.to_owned(), v);
        }
        // Replacing an entry makes it the newest.
        map.insert("a".to_owned(), 10);
        map.insert("d".to_owned(), 4);
        assert_eq!(map.len(), 3);
        assert_eq!(map.get("b"), None);
        assert_eq!(map.get("a"), Some(&10));
        assert_eq!(map.get("c"), Some(&3));
        assert_eq!(map.get("d"), Some(&4));
        assert_eq!(map.remove("c"), Some(3));
        assert!(!map.contains_key("c"));
        assert_eq!(map.insert("e".to_owned(), 5), None);
        assert_eq!(map.insert("f".to_owned(), 6), Some(("a".to_owned(), 10)));
        assert_eq!(map.get("a"), None);
        assert_eq!(map.len(), 3);
        assert_eq!(map.order.len(), 3);
        let oldest_first: Vec<_> = map.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(oldest_first, [("d", 4), ("e", 5), ("f", 6)]);
        assert_eq!(map.iter().next_back(), Some((&"f".to_owned(), &6)));
        map.retain(|k, v| k != "e" && *v > 4);
        let kept: Vec<_> = map.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(kept, ["f"]);
        assert_eq!(map.order.len(), 1);
    }

    #[test]
    fn stale_entries_go_from_the_old_end_only() {
        let mut map = Bounded::new(10);
        for (k, v) in [("a", 1), ("b", 2), ("c", 9), ("d", 1)] {
            map.insert(k.to_owned(), v);
        }
        map.drop_oldest_while(|v| *v < 5);
        // `d` is stale too, but behind `c`, which is not.
        assert_eq!(map.get("a"), None);
        assert_eq!(map.get("b"), None);
        assert_eq!(map.get("c"), Some(&9));
        assert_eq!(map.get("d"), Some(&1));
        assert_eq!(map.len(), 2);
        assert_eq!(map.order.len(), 2);
        if let Some(v) = map.get_mut("c") {
            *v = 0;
        }
        for v in map.values_mut() {
            *v += 1;
        }
        assert_eq!(map.values().sum::<i32>(), 3);
        map.drop_oldest_while(|v| *v < 5);
        assert_eq!(map.len(), 0);
    }
}
