//! `JoinTable`: one radix partition's hash table of a hash join's build
//! keys, with open addressing over 16-byte entries (a tag recognising the
//! key, and the first build row with it).
//!
//! It is ours rather than a general-purpose map so that a probe can ask
//! where a key's search starts (`prefetch`) before it searches: the probe
//! loop prefetches the entries of the rows a few places ahead, and the
//! cache misses of a large build side overlap instead of being waited for
//! one after the other.

/// An entry's `row` when no key occupies it. The join's rows (with their
/// `MORE_ROWS` flag) stay below it: build sides have fewer than 2^31 rows.
const VACANT: u32 = u32::MAX;

#[derive(Clone, Copy)]
struct Entry {
    tag: u64,
    row: u32,
}

pub struct JoinTable {
    entries: Vec<Entry>,
}

impl JoinTable {
    /// A table for `keys` distinct keys: at most three quarters full, so
    /// that a search for a missing key ends within a few entries. Not
    /// rounded up to a power of two: that would double a large build
    /// side's tables when its partitions come out just past one.
    pub fn with_capacity(keys: usize) -> JoinTable {
        let len = (keys + keys / 3 + 1).max(8);
        JoinTable { entries: vec![Entry { tag: 0, row: VACANT }; len] }
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
        #[cfg(target_arch = "x86_64")]
        {
            let entry: *const Entry = &self.entries[self.start(hash)];
            // SAFETY: a prefetch is a hint that never faults and changes no
            // memory; the address is of an entry of this live table.
            unsafe { std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(entry as *const i8) };
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = hash;
    }

    /// The `row` stored with the key that has this hash and tag and for
    /// whose row `same_key` holds, if it is in the table.
    #[inline]
    pub fn find(&self, hash: u64, tag: u64, same_key: impl Fn(u32) -> bool) -> Option<u32> {
        let mut i = self.start(hash);
        loop {
            let e = self.entries[i];
            if e.row == VACANT {
                return None;
            }
            if e.tag == tag && same_key(e.row) {
                return Some(e.row);
            }
            i = self.next(i);
        }
    }

    /// Like `find`, for changing the stored row.
    #[inline]
    pub fn find_mut(&mut self, hash: u64, tag: u64, same_key: impl Fn(u32) -> bool) -> Option<&mut u32> {
        let mut i = self.start(hash);
        loop {
            let e = self.entries[i];
            if e.row == VACANT {
                return None;
            }
            if e.tag == tag && same_key(e.row) {
                return Some(&mut self.entries[i].row);
            }
            i = self.next(i);
        }
    }

    /// Adds a key that is not in the table yet. Panics past the capacity
    /// it was made for: a build error, as the table would fill up.
    pub fn insert_new(&mut self, hash: u64, tag: u64, row: u32) {
        debug_assert!(row != VACANT);
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

    #[test]
    fn finds_what_was_inserted_and_nothing_else() {
        let keys: Vec<i64> = (0..1000).map(|i| i * 7919 % 100_003 - 50_000).collect();
        let mut table = JoinTable::with_capacity(keys.len());
        for (row, k) in keys.iter().enumerate() {
            table.insert_new(hash_i64(*k), *k as u64, row as u32);
        }
        for (row, k) in keys.iter().enumerate() {
            table.prefetch(hash_i64(*k));
            assert_eq!(table.find(hash_i64(*k), *k as u64, |_| true), Some(row as u32));
        }
        for k in [100_004i64, -50_001, 1 << 40] {
            assert_eq!(table.find(hash_i64(k), k as u64, |_| true), None);
        }
        // equal tags of different keys are told apart by `same_key`
        let mut table = JoinTable::with_capacity(2);
        table.insert_new(5, 9, 0);
        table.insert_new(5, 9, 1);
        assert_eq!(table.find(5, 9, |row| row == 1), Some(1));
        *table.find_mut(5, 9, |row| row == 0).unwrap() = 7;
        assert_eq!(table.find(5, 9, |row| row == 7), Some(7));
        assert!(table.memory_size() >= 16 * 8);
    }

    #[test]
    fn a_full_run_wraps_around_the_end() {
        let mut table = JoinTable::with_capacity(6);
        // every hash starts at the last entry: the run continues at 0
        let last = u32::MAX as u64;
        assert_eq!(table.start(last), table.entries.len() - 1);
        for row in 0..6u32 {
            table.insert_new(last, row as u64, row);
        }
        for row in 0..6u32 {
            assert_eq!(table.find(last, row as u64, |_| true), Some(row));
        }
        assert_eq!(table.find(last, 99, |_| true), None);
    }
}
