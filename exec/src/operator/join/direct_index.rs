//! `DirectIndex`: a hash join's entries by key value, for one integer key
//! (or several packed into one, see `packed_keys`) over a dense range, in
//! place of hash tables. A probe subtracts the
//! range's start and reads one slot: no hashing, no tag compare, and probe
//! keys that arrive in order (`lineitem` by order key) read the slots in
//! order, where hash tables would scatter them over memory.

use std::sync::Mutex;

use ember_core::{Error, Result};

use super::key_bitmap::KeyRange;

/// No build row has this key (the join's `NO_ROW`).
pub const EMPTY: u32 = u32::MAX;

/// Slots allowed per build key: 12 slots of 4 bytes take about 2.25 times
/// what a `TagIndex` takes (16-byte entries, sized to be 3/4 full: about
/// 21 bytes per key). TPC-H Q21's finished orders (one in 8.2 order keys)
/// qualify.
const SLOTS_PER_ROW: u64 = 12;

/// Ranges this small always qualify (256 KiB of slots).
const ANY_KEYS_SLOTS: u64 = 1 << 16;

/// The slots are split into stretches of 2^shift keys, one per build task,
/// each its own zeroed allocation: a large one is fresh zero pages from the
/// operating system, first touched by the task that fills the stretch, so
/// nothing is written up front on one thread (TPC-H Q21 SF10: 240 MB of
/// slots for 7.3M order keys). A slot holds its entry bit-inverted, so that
/// zero bytes read as `EMPTY`.
pub struct DirectIndex {
    min: i64,
    /// keys in [min, min + len) have a slot
    len: u64,
    shift: u32,
    stretches: Vec<Vec<u32>>,
}

/// A `DirectIndex` being filled, one stretch per task.
pub struct DirectIndexBuild {
    min: i64,
    len: u64,
    shift: u32,
    stretches: Vec<Mutex<Vec<u32>>>,
}

impl DirectIndex {
    /// The range (start, length) an index of `keys` would cover, when it
    /// is at most `SLOTS_PER_ROW` per key or `ANY_KEYS_SLOTS`; its memory is
    /// 4 bytes per slot, to reserve before `DirectIndexBuild::new`.
    pub fn range_for(keys: impl Iterator<Item = i64>) -> Option<(i64, usize)> {
        let KeyRange { min, span, count } = KeyRange::of(keys)?;
        let allowed = (count as u128 * SLOTS_PER_ROW as u128).max(ANY_KEYS_SLOTS as u128);
        if span > allowed || span >= u32::MAX as u128 {
            return None;
        }
        Some((min, span as usize))
    }

    /// The entry for `key`, or EMPTY.
    #[inline]
    pub fn get(&self, key: i64) -> u32 {
        // keys below `min` wrap to large offsets, past the range
        let offset = key.wrapping_sub(self.min) as u64;
        if offset >= self.len {
            return EMPTY;
        }
        let mask = (1u64 << self.shift) - 1;
        !self.stretches[(offset >> self.shift) as usize][(offset & mask) as usize]
    }

    /// Asks the processor to load `key`'s slot, ahead of `get`: probe keys
    /// out of order (`orders` by customer key) miss the cache on a large
    /// range, and prefetched misses overlap.
    #[inline]
    pub fn prefetch(&self, key: i64) {
        let offset = key.wrapping_sub(self.min) as u64;
        if offset < self.len {
            let mask = (1u64 << self.shift) - 1;
            let stretch = &self.stretches[(offset >> self.shift) as usize];
            if let Some(slot) = stretch.get((offset & mask) as usize) {
                crate::operator::tag_index::prefetch(slot);
            }
        }
    }

    pub fn memory_size(&self) -> usize {
        self.stretches.iter().map(|s| s.capacity() * 4).sum()
    }
}

/// The slots of one stretch, while its task fills them.
pub struct Stretch<'a> {
    /// the key of the first slot
    start: i64,
    slots: &'a mut [u32],
}

impl Stretch<'_> {
    fn index(&self, key: i64) -> Result<usize> {
        let offset = key.wrapping_sub(self.start) as u64;
        if offset >= self.slots.len() as u64 {
            return Err(Error::internal("a build key outside its direct index's stretch"));
        }
        Ok(offset as usize)
    }

    /// The entry for `key`, or EMPTY.
    pub fn get(&self, key: i64) -> Result<u32> {
        Ok(!self.slots[self.index(key)?])
    }

    pub fn set(&mut self, key: i64, entry: u32) -> Result<()> {
        let i = self.index(key)?;
        self.slots[i] = !entry;
        Ok(())
    }
}

impl DirectIndexBuild {
    /// An empty index of `len` slots from key `min` (see `range_for`), in
    /// at least `stretches` stretches and fewer than twice as many (a
    /// stretch is a power of two of keys; see `stretches`).
    pub fn new(min: i64, len: usize, stretches: usize) -> DirectIndexBuild {
        let len = len as u64;
        // the largest power-of-two stretch that still makes `stretches`
        let per_stretch = len.div_ceil(stretches.max(1) as u64).max(1);
        let shift = per_stretch.ilog2();
        let stride = 1u64 << shift;
        let count = len.div_ceil(stride) as usize;
        // allocated by the task that fills each (`fill`): zeroing reused
        // memory, or faulting in fresh zero pages, then happens on every
        // worker at once, not on the one that plans the tasks
        let stretches = (0..count).map(|_| Mutex::new(Vec::new())).collect();
        DirectIndexBuild { min, len, shift, stretches }
    }

    /// The number of slots of stretch `stretch`.
    fn stretch_len(&self, stretch: usize) -> usize {
        let stride = 1u64 << self.shift;
        (self.len - stretch as u64 * stride).min(stride) as usize
    }

    /// Stretch `stretch`'s slots (`held`), allocated (all `EMPTY`) on
    /// first use.
    fn allocated<'a>(&self, stretch: usize, held: &'a mut Vec<u32>) -> &'a mut Vec<u32> {
        if held.is_empty() {
            // `vec![0; n]` asks the allocator for zeroed memory
            *held = vec![0u32; self.stretch_len(stretch)];
        }
        held
    }

    /// How many stretches (build tasks) there are.
    pub fn stretches(&self) -> usize {
        self.stretches.len()
    }

    /// The stretch (the build task) `key` falls in; keys outside the range
    /// fall in the last.
    #[inline]
    pub fn stretch_of(&self, key: i64) -> usize {
        let offset = key.wrapping_sub(self.min) as u64;
        ((offset >> self.shift) as usize).min(self.stretches.len() - 1)
    }

    /// Runs `fill` on stretch `stretch`'s slots (`None` past the last
    /// stretch: the task has no keys).
    pub fn fill<T>(&self, stretch: usize, fill: impl FnOnce(&mut Stretch<'_>) -> Result<T>) -> Result<Option<T>> {
        let Some(slots) = self.stretches.get(stretch) else {
            return Ok(None);
        };
        let mut slots = slots.lock().unwrap_or_else(|e| e.into_inner());
        let slots = self.allocated(stretch, &mut slots);
        let start = self.min.wrapping_add(((stretch as u64) << self.shift) as i64);
        fill(&mut Stretch { start, slots }).map(Some)
    }

    pub fn finish(self) -> DirectIndex {
        let stretches = self
            .stretches
            .iter()
            .enumerate()
            .map(|(s, slots)| {
                let mut slots = slots.lock().unwrap_or_else(|e| e.into_inner());
                std::mem::take(self.allocated(s, &mut slots))
            })
            .collect();
        DirectIndex { min: self.min, len: self.len, shift: self.shift, stretches }
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
        let build = DirectIndexBuild::new(min, len, 64);
        // stretches: in order, each a task's, the ends at the ends
        let parts: Vec<usize> = keys.iter().map(|k| build.stretch_of(*k)).collect();
        assert!(parts.windows(2).all(|w| w[0] <= w[1]));
        let last = *parts.last().unwrap();
        assert_eq!(parts[0], 0);
        assert_eq!(last + 1, build.stretches());
        assert!((64..128).contains(&build.stretches()), "{}", build.stretches());
        assert_eq!(parts.iter().collect::<std::collections::HashSet<_>>().len(), last + 1);
        assert!(build.fill(last + 1, |_| Ok(())).unwrap().is_none());
        let mut map = HashMap::new();
        for stretch in 0..=last {
            build
                .fill(stretch, |slots| {
                    for (i, k) in keys.iter().enumerate().filter(|(_, k)| build.stretch_of(**k) == stretch) {
                        assert_eq!(slots.get(*k).unwrap(), EMPTY);
                        slots.set(*k, i as u32 * 7).unwrap();
                        map.insert(*k, i as u32 * 7);
                    }
                    // a key of another stretch is refused, not written
                    let other = if stretch == 0 { keys[keys.len() - 1] } else { keys[0] };
                    assert!(slots.set(other, 1).is_err());
                    Ok(())
                })
                .unwrap();
        }
        let direct = build.finish();
        for k in -2_000..10_000 {
            direct.prefetch(k);
            assert_eq!(direct.get(k), map.get(&k).copied().unwrap_or(EMPTY), "{k}");
        }
        direct.prefetch(i64::MIN);
        direct.prefetch(i64::MAX);
        assert_eq!(direct.get(i64::MIN), EMPTY);
        assert_eq!(direct.get(i64::MAX), EMPTY);
        assert_eq!(direct.memory_size(), len * 4);
    }

    /// One task (a small build side): one stretch over the whole range.
    #[test]
    fn one_stretch_for_one_task() {
        let build = DirectIndexBuild::new(-5, 1_024, 1);
        assert_eq!(build.stretches(), 1);
        assert_eq!((build.stretch_of(-5), build.stretch_of(994)), (0, 0));
        build.fill(0, |slots| slots.set(994, 3)).unwrap();
        let direct = build.finish();
        assert_eq!((direct.get(994), direct.get(995), direct.get(-6)), (3, EMPTY, EMPTY));
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
