//! `TagIndex`: a hash table from keys to `u32`s (a hash join's first
//! build row with a key, an aggregation's group), with open addressing over
//! 16-byte entries: a tag that recognises the key (the key itself for
//! integer keys, else its hash; see `EncodedKeys::tag`), and the value.
//! The keys themselves live with their owner, which confirms a match when
//! tags alone cannot.
//!
//! It is ours rather than a general-purpose map so that a caller can ask
//! where a key's search starts (`prefetch`) before it searches: join probes
//! and aggregations prefetch the entries of the rows a few places ahead,
//! and the cache misses of a large table overlap instead of being waited
//! for one after the other.

/// An entry's value when no key occupies it. Values stay below it: a
/// join's build rows (with their `MORE_ROWS` flag) are checked to be fewer
/// than 2^31; an aggregation numbers its groups (and distinct pairs) in
/// `u32`s, which 4 billion of would outgrow before reaching it.
const VACANT: u32 = u32::MAX;

/// Asks the processor to load the cache line of `value` into its caches,
/// without waiting for it.
#[inline]
pub fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: a prefetch is a hint that never faults and changes no
        // memory; the address is of a live value.
        unsafe {
            std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(value as *const T as *const i8)
        };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

#[derive(Clone, Copy)]
struct Entry {
    tag: u64,
    row: u32,
}

pub struct TagIndex {
    entries: Vec<Entry>,
    /// entries in use
    len: usize,
}

impl Default for TagIndex {
    fn default() -> TagIndex {
        TagIndex::with_capacity(0)
    }
}

impl TagIndex {
    /// A table for `keys` distinct keys: at most three quarters full, so
    /// that a search for a missing key ends within a few entries. Not
    /// rounded up to a power of two: that would double a large join build
    /// side's tables when its partitions come out just past one.
    pub fn with_capacity(keys: usize) -> TagIndex {
        TagIndex { entries: vec![Entry { tag: 0, row: VACANT }; Self::entries_for(keys)], len: 0 }
    }

    fn entries_for(keys: usize) -> usize {
        (keys + keys / 3 + 1).max(8)
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Where the search for a key with this hash starts: the low 32 bits
    /// scaled to the table's length. A partition's keys share the bits
    /// that chose the partition (`radix_partition`), which are higher.
    #[inline]
    fn start(&self, hash: u64) -> usize {
        ((hash as u32 as u64 * self.entries.len() as u64) >> 32) as usize
    }

    /// The entry after `i`, wrapping around the end.
    #[inline]
    fn next(&self, i: usize) -> usize {
        if i + 1 == self.entries.len() {
            0
        } else {
            i + 1
        }
    }

    /// Asks the processor to load the entries where the search for `hash`
    /// starts, ahead of `find`.
    #[inline]
    pub fn prefetch(&self, hash: u64) {
        prefetch(&self.entries[self.start(hash)]);
    }

    /// The `row` stored with the key that has this hash and tag and for
    /// whose row `same_key` holds, if it is in the table.
    #[inline]
    pub fn find(&self, hash: u64, tag: u64, same_key: impl Fn(u32) -> bool) -> Option<u32> {
        self.position(hash, tag, same_key).map(|i| self.entries[i].row)
    }

    /// Like `find`, for changing the stored row.
    #[inline]
    pub fn find_mut(&mut self, hash: u64, tag: u64, same_key: impl Fn(u32) -> bool) -> Option<&mut u32> {
        self.position(hash, tag, same_key).map(|i| &mut self.entries[i].row)
    }

    /// Where the key that `find` looks for is stored.
    #[inline]
    fn position(&self, hash: u64, tag: u64, same_key: impl Fn(u32) -> bool) -> Option<usize> {
        let mut i = self.start(hash);
        loop {
            let e = self.entries[i];
            if e.row == VACANT {
                return None;
            }
            if e.tag == tag && same_key(e.row) {
                return Some(i);
            }
            i = self.next(i);
        }
    }

    /// Adds a key that is not in the table yet, first growing the table
    /// when it would be more than three quarters full; `rehash` gives the
    /// hash of a stored tag (`KeyEncoder::rehash`).
    pub fn insert_new(&mut self, hash: u64, tag: u64, row: u32, rehash: impl Fn(u64) -> u64) {
        debug_assert!(row != VACANT);
        if Self::entries_for(self.len + 1) > self.entries.len() {
            self.grow_to(self.len * 2 + 1, &rehash);
        }
        self.place(hash, tag, row);
        self.len += 1;
    }

    /// Room for `additional` more keys without growing.
    pub fn reserve(&mut self, additional: usize, rehash: impl Fn(u64) -> u64) {
        if Self::entries_for(self.len + additional) > self.entries.len() {
            self.grow_to(self.len + additional, &rehash);
        }
    }

    fn grow_to(&mut self, keys: usize, rehash: &impl Fn(u64) -> u64) {
        let old = std::mem::replace(&mut self.entries, vec![Entry { tag: 0, row: VACANT }; Self::entries_for(keys)]);
        for e in old.into_iter().filter(|e| e.row != VACANT) {
            self.place(rehash(e.tag), e.tag, e.row);
        }
    }

    /// Stores an entry in the first vacant place of its search (there is
    /// one: the table is never full).
    fn place(&mut self, hash: u64, tag: u64, row: u32) {
        let mut i = self.start(hash);
        while self.entries[i].row != VACANT {
            i = self.next(i);
        }
        self.entries[i] = Entry { tag, row };
    }

    pub fn memory_size(&self) -> usize {
        self.entries.capacity() * std::mem::size_of::<Entry>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operator::hash_keys::hash_i64;

    fn rehash(tag: u64) -> u64 {
        hash_i64(tag as i64)
    }

    #[test]
    fn finds_what_was_inserted_and_nothing_else() {
        let keys: Vec<i64> = (0..1000).map(|i| i * 7919 % 100_003 - 50_000).collect();
        for mut table in [TagIndex::with_capacity(keys.len()), TagIndex::default()] {
            // the second starts empty and grows as keys arrive
            for (row, k) in keys.iter().enumerate() {
                table.insert_new(hash_i64(*k), *k as u64, row as u32, rehash);
            }
            assert_eq!(table.len(), keys.len());
            assert!(table.entries.len() * 3 >= keys.len() * 4);
            for (row, k) in keys.iter().enumerate() {
                table.prefetch(hash_i64(*k));
                assert_eq!(table.find(hash_i64(*k), *k as u64, |_| true), Some(row as u32));
            }
            for k in [100_004i64, -50_001, 1 << 40] {
                assert_eq!(table.find(hash_i64(k), k as u64, |_| true), None);
            }
        }
        // equal tags of different keys are told apart by `same_key`
        let mut table = TagIndex::with_capacity(2);
        table.insert_new(5, 9, 0, |t| t);
        table.insert_new(5, 9, 1, |t| t);
        assert_eq!(table.find(5, 9, |row| row == 1), Some(1));
        *table.find_mut(5, 9, |row| row == 0).unwrap() = 7;
        assert_eq!(table.find(5, 9, |row| row == 7), Some(7));
        assert!(table.memory_size() >= 16 * 8);
        let mut reserved = TagIndex::default();
        reserved.reserve(100, rehash);
        let size = reserved.memory_size();
        for k in 0..100i64 {
            reserved.insert_new(hash_i64(k), k as u64, k as u32, rehash);
        }
        assert_eq!(reserved.memory_size(), size);
        assert!(!reserved.is_empty());
    }

    #[test]
    fn a_full_run_wraps_around_the_end() {
        let mut table = TagIndex::with_capacity(6);
        // every hash starts at the last entry: the run continues at 0
        let last = u32::MAX as u64;
        assert_eq!(table.start(last), table.entries.len() - 1);
        for row in 0..6u32 {
            table.insert_new(last, row as u64, row, |_| last);
        }
        for row in 0..6u32 {
            assert_eq!(table.find(last, row as u64, |_| true), Some(row));
        }
        assert_eq!(table.find(last, 99, |_| true), None);
    }
}
