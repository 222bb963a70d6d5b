//! `ProbeTable`: the open-addressing hash table under hash aggregation and
//! hash joins. It maps a key's 64-bit *tag* to a row (a group index, a build
//! row); the caller owns the keys and says whether a row's key equals the one
//! probed.
//!
//! Why not `hashbrown`: a hashbrown look-up reads a control byte and then the
//! entry, two cache misses once the table outgrows the cache. Here a slot is
//! 16 bytes holding the tag and the row, found by linear probing from the
//! tag's home slot, so a look-up usually touches one cache line; and
//! [`ProbeTable::prefetch`] lets batched probes ask for that line several
//! rows ahead, overlapping the misses of consecutive rows.
//!
//! A tag is either the key itself (one integer key: equal tags are equal
//! keys, and the home slot comes from mixing the tag) or the key's hash (the
//! home slot is taken from the hash directly, and equal tags still need a key
//! comparison).

/// How a tag relates to its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagKind {
    /// The tag is the (integer) key; it is mixed to find its home slot.
    Key,
    /// The tag is a well-mixed hash of the key.
    Hash,
}

/// Spreads integer keys over the hash space (multiply, then fold the halves).
#[inline]
pub fn hash_i64(v: i64) -> u64 {
    let m = (v as u64 as u128).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (m as u64) ^ ((m >> 64) as u64)
}

/// The row of an empty slot; rows are therefore below `u32::MAX`.
pub const EMPTY: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
#[repr(C, align(16))]
struct Slot {
    tag: u64,
    row: u32,
}

const EMPTY_SLOT: Slot = Slot { tag: 0, row: EMPTY };

/// Rows probed ahead of the current one by the batched look-ups: far enough
/// for a cache miss to resolve, near enough that the line is still cached.
pub const PREFETCH_DISTANCE: usize = 16;

#[derive(Debug, Clone)]
pub struct ProbeTable {
    slots: Vec<Slot>,
    /// `slots.len() - 1`; slots are a power of two
    mask: usize,
    len: usize,
    kind: TagKind,
}

impl ProbeTable {
    /// An empty table that grows as rows are inserted.
    pub fn new(kind: TagKind) -> ProbeTable {
        ProbeTable::with_capacity(kind, 0)
    }

    /// A table that holds `n` rows without growing (at most half full, so
    /// that probe runs stay short).
    pub fn with_capacity(kind: TagKind, n: usize) -> ProbeTable {
        let slots = (n.max(4) * 2).next_power_of_two();
        ProbeTable { slots: vec![EMPTY_SLOT; slots], mask: slots - 1, len: 0, kind }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn kind(&self) -> TagKind {
        self.kind
    }

    /// Bytes held by the slots.
    pub fn memory_size(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<Slot>()
    }

    #[inline]
    fn home(&self, tag: u64) -> usize {
        let h = match self.kind {
            TagKind::Key => hash_i64(tag as i64),
            TagKind::Hash => tag,
        };
        h as usize & self.mask
    }

    /// Asks the CPU to fetch the cache line of `tag`'s home slot; a hint
    /// only, with no effect on results.
    #[inline]
    pub fn prefetch(&self, tag: u64) {
        let slot: *const Slot = &self.slots[self.home(tag)];
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `_mm_prefetch` only hints the cache and never faults, and
        // `slot` points into `self.slots` (the index was masked to its
        // length and bounds-checked), so the address is valid anyway. SSE is
        // part of the x86_64 baseline. Exercised by every batched look-up
        // (`tests::batched_lookups_match_single_ones`).
        unsafe {
            std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(slot as *const i8);
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = slot;
    }

    /// The row stored under `tag` for which `eq(row)` holds.
    #[inline]
    pub fn find(&self, tag: u64, mut eq: impl FnMut(u32) -> bool) -> Option<u32> {
        let mut i = self.home(tag);
        loop {
            let s = self.slots[i];
            if s.row == EMPTY {
                return None;
            }
            if s.tag == tag && eq(s.row) {
                return Some(s.row);
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Like [`ProbeTable::find`], giving the stored row to update in place
    /// (it must not become [`EMPTY`]).
    #[inline]
    pub fn find_mut(&mut self, tag: u64, mut eq: impl FnMut(u32) -> bool) -> Option<&mut u32> {
        let mut i = self.home(tag);
        loop {
            let s = self.slots[i];
            if s.row == EMPTY {
                return None;
            }
            if s.tag == tag && eq(s.row) {
                return Some(&mut self.slots[i].row);
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Stores `row` under `tag` without looking for an equal key.
    #[inline]
    pub fn insert(&mut self, tag: u64, row: u32) {
        debug_assert!(row != EMPTY);
        self.reserve_one();
        self.place(tag, row);
        self.len += 1;
    }

    /// The row under `tag` for which `eq(row)` holds, or else stores
    /// `new_row` there. Returns the row and whether it was inserted.
    #[inline]
    pub fn find_or_insert(&mut self, tag: u64, mut eq: impl FnMut(u32) -> bool, new_row: u32) -> (u32, bool) {
        debug_assert!(new_row != EMPTY);
        self.reserve_one();
        let mut i = self.home(tag);
        loop {
            let s = self.slots[i];
            if s.row == EMPTY {
                self.slots[i] = Slot { tag, row: new_row };
                self.len += 1;
                return (new_row, true);
            }
            if s.tag == tag && eq(s.row) {
                return (s.row, false);
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Every stored (tag, row), in slot order.
    pub fn entries(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        self.slots.iter().filter(|s| s.row != EMPTY).map(|s| (s.tag, s.row))
    }

    #[inline]
    fn reserve_one(&mut self) {
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
    }

    #[inline]
    fn place(&mut self, tag: u64, row: u32) {
        let mut i = self.home(tag);
        while self.slots[i].row != EMPTY {
            i = (i + 1) & self.mask;
        }
        self.slots[i] = Slot { tag, row };
    }

    #[cold]
    fn grow(&mut self) {
        let new_len = self.slots.len() * 2;
        let old = std::mem::replace(&mut self.slots, vec![EMPTY_SLOT; new_len]);
        self.mask = new_len - 1;
        for s in old.into_iter().filter(|s| s.row != EMPTY) {
            self.place(s.tag, s.row);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// xorshift: deterministic pseudo-random keys without a dependency
    fn keys(n: usize, range: u64, mut seed: u64) -> Vec<u64> {
        (0..n)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed % range
            })
            .collect()
    }

    #[test]
    fn find_or_insert_agrees_with_a_hash_map() {
        for (kind, range) in [(TagKind::Key, 1_000), (TagKind::Key, u64::MAX), (TagKind::Hash, 50_000)] {
            let mut table = ProbeTable::new(kind);
            let mut reference: HashMap<u64, u32> = HashMap::new();
            // for Hash tags, collide every key with a few others on purpose:
            // the table must still tell them apart through `eq`
            let tag_of = |k: u64| if kind == TagKind::Hash { k / 4 } else { k };
            let mut stored: Vec<u64> = vec![];
            for k in keys(20_000, range, 0x2545_F491_4F6C_DD1D) {
                let next = reference.len() as u32;
                let expected = *reference.entry(k).or_insert(next);
                let (row, inserted) = table.find_or_insert(tag_of(k), |r| stored[r as usize] == k, stored.len() as u32);
                if inserted {
                    stored.push(k);
                }
                assert_eq!(row, expected, "key {k}");
            }
            assert_eq!(table.len(), reference.len());
            for (k, row) in &reference {
                assert_eq!(table.find(tag_of(*k), |r| stored[r as usize] == *k), Some(*row));
            }
            assert_eq!(table.find(tag_of(range.wrapping_add(7)), |r| stored[r as usize] == range + 7), None);
            assert_eq!(table.entries().count(), reference.len());
        }
    }

    #[test]
    fn insert_keeps_duplicates_and_find_mut_updates() {
        let mut table = ProbeTable::with_capacity(TagKind::Key, 3);
        for row in 0..100u32 {
            table.insert((row % 10) as u64, row);
        }
        assert_eq!(table.len(), 100);
        // every duplicate is reachable through `eq`
        assert_eq!(table.find(3, |r| r == 93), Some(93));
        *table.find_mut(3, |r| r == 93).unwrap() = 1_000;
        assert_eq!(table.find(3, |r| r == 1_000), Some(1_000));
        assert_eq!(table.find(3, |r| r == 93), None);
    }

    #[test]
    fn batched_lookups_match_single_ones() {
        let mut table = ProbeTable::new(TagKind::Key);
        let build = keys(5_000, 1 << 40, 7);
        for (i, k) in build.iter().enumerate() {
            table.find_or_insert(*k, |_| true, i as u32);
        }
        let probe = keys(3_000, 1 << 40, 7); // same sequence: all present
        let mut found = 0;
        for (i, k) in probe.iter().enumerate() {
            if let Some(next) = probe.get(i + PREFETCH_DISTANCE) {
                table.prefetch(*next);
            }
            let got = table.find(*k, |_| true);
            assert_eq!(got, table.find(*k, |_| true));
            found += got.is_some() as usize;
        }
        assert_eq!(found, 3_000);
    }
}
