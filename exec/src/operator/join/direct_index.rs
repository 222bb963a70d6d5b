//! `DirectIndex`: a hash join's entries by key value, for one integer key
//! over a dense range, in place of hash tables. A probe subtracts the
//! range's start and reads one slot: no hashing, no tag compare, and probe
//! keys that arrive in order (`lineitem` by order key) read the slots in
//! order, where hash tables would scatter them over memory.

use std::sync::atomic::{AtomicU32, Ordering};

use super::key_bitmap::KeyRange;

/// No build row has this key (the join's `NO_ROW`).
pub const EMPTY: u32 = u32::MAX;

/// Slots allowed per build key: 12 slots of 4 bytes take up to about 2.6
/// times what hash table buckets (16 bytes, at most 7/8 full, rounded up to
/// a power of two: 18-37 bytes per key) take. TPC-H Q21's finished orders
/// (one in 8.2 order keys) qualify.
const SLOTS_PER_ROW: u64 = 12;

/// Ranges this small always qualify (256 KiB of slots).
const ANY_KEYS_SLOTS: u64 = 1 << 16;

pub struct DirectIndex {
    min: i64,
    /// Per value in [min, min + len): the join's entry for that key (first
    /// build row | more rows), or EMPTY. Filled by the build's partition
    /// tasks, each for the keys of its own partition, so no two tasks
    /// write one slot; read-only once the index is published.
    slots: Vec<AtomicU32>,
}

impl DirectIndex {
    /// The range (start, length) an index of `keys` would cover, when it
    /// is at most `SLOTS_PER_ROW` per key or `ANY_KEYS_SLOTS`; its memory is
    /// 4 bytes per slot, to reserve before `new`.
    pub fn range_for(keys: impl Iterator<Item = i64>) -> Option<(i64, usize)> {
        let KeyRange { min, span, count } = KeyRange::of(keys)?;
        let allowed = (count as u128 * SLOTS_PER_ROW as u128).max(ANY_KEYS_SLOTS as u128);
        if span > allowed || span >= u32::MAX as u128 {
            return None;
        }
        Some((min, span as usize))
    }

    /// An empty index of `len` slots from key `min` (see `range_for`).
    pub fn new(min: i64, len: usize) -> DirectIndex {
        DirectIndex { min, slots: (0..len).map(|_| AtomicU32::new(EMPTY)).collect() }
    }

    /// The slot of `key`, which must be in the range of the keys the index
    /// was made for (`None` otherwise).
    #[inline]
    pub fn slot(&self, key: i64) -> Option<&AtomicU32> {
        // keys below `min` wrap to large offsets, past the slots
        self.slots.get(usize::try_from(key.wrapping_sub(self.min) as u64).ok()?)
    }

    /// Which of `partitions` equal stretches of the range `key` falls in.
    #[inline]
    pub fn range_partition(&self, key: i64, partitions: usize) -> usize {
        let offset = key.wrapping_sub(self.min) as u64 as u128;
        ((offset * partitions as u128 / self.slots.len() as u128) as usize).min(partitions - 1)
    }

    /// The entry for `key`, or EMPTY.
    #[inline]
    pub fn get(&self, key: i64) -> u32 {
        self.slot(key).map_or(EMPTY, |s| s.load(Ordering::Relaxed))
    }

    pub fn memory_size(&self) -> usize {
        self.slots.capacity() * 4
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn agrees_with_a_map() {
        let keys: Vec<i64> = (0..3_000i64).map(|i| i * 3 - 1_000).collect();
        let (min, len) = DirectIndex::range_for(keys.iter().copied()).unwrap();
        let direct = DirectIndex::new(min, len);
        let mut map = HashMap::new();
        for (i, k) in keys.iter().enumerate() {
            direct.slot(*k).unwrap().store(i as u32 * 7, Ordering::Relaxed);
            map.insert(*k, i as u32 * 7);
        }
        for k in -2_000..10_000 {
            assert_eq!(direct.get(k), map.get(&k).copied().unwrap_or(EMPTY), "{k}");
        }
        assert_eq!(direct.get(i64::MIN), EMPTY);
        assert_eq!(direct.get(i64::MAX), EMPTY);
        // range partitions: in order, every one used, the ends at the ends
        let parts: Vec<usize> = keys.iter().map(|k| direct.range_partition(*k, 64)).collect();
        assert!(parts.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!((parts[0], parts[parts.len() - 1]), (0, 63));
        assert_eq!(parts.iter().collect::<std::collections::HashSet<_>>().len(), 64);
    }

    #[test]
    fn sparse_or_empty_keys_get_no_range() {
        assert!(DirectIndex::range_for(std::iter::empty()).is_none());
        assert!(DirectIndex::range_for([i64::MIN, i64::MAX].into_iter()).is_none());
        // 100,000 keys 13 apart: 13 slots per key
        assert!(DirectIndex::range_for((0..100_000i64).map(|i| i * 13)).is_none());
        // 12 apart
        assert_eq!(DirectIndex::range_for((0..100_000i64).map(|i| i * 12 - 5)), Some((-5, 1_199_989)));
        // a small range qualifies for few keys
        assert!(DirectIndex::range_for([0, 60_000].into_iter()).is_some());
    }
}
