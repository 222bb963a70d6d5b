//! `ChunkGroups`: the group of each row of a chunk, and the grouped update
//! `acc[group(i)] += value(i)` that sums and counts run for every row.
//!
//! With many groups the rows scatter over memory and the time goes to cache
//! misses. With few groups (TPC-H Q01 has four) consecutive rows keep
//! hitting the same few slots, and each add waits for the store of the one
//! before it. Two remedies, by how many accumulators share the chunk:
//! - several (Q01 has eleven sums and counts): the chunk's rows are listed
//!   group by group once, and each accumulator sums one group at a time in
//!   registers; a count is then the length of its group's list;
//! - one: the rows are dealt round-robin to `LANES` private copies of the
//!   slots, so that many independent adds are in flight, and the copies are
//!   added up at the end.

use std::cell::OnceCell;

/// Group counts up to this take the few-group paths.
const FEW_GROUPS: usize = 32;

/// Private copies of the slots: independent chains of adds.
const LANES: usize = 4;

/// The group of each row of a chunk, for the accumulators to update.
pub struct ChunkGroups<'a> {
    ids: &'a [u32],
    num_groups: usize,
    /// Several accumulators read the chunk: listing its rows by group pays.
    shared: bool,
    by_group: OnceCell<Option<RowsByGroup>>,
}

/// A chunk's rows listed group by group: group `g`'s rows are
/// `rows[bounds[g]..bounds[g + 1]]`, in row order.
struct RowsByGroup {
    rows: Vec<u32>,
    bounds: Vec<u32>,
}

impl<'a> ChunkGroups<'a> {
    /// Groups (each below `num_groups`) for one accumulator.
    pub fn new(ids: &'a [u32], num_groups: usize) -> ChunkGroups<'a> {
        ChunkGroups { ids, num_groups, shared: false, by_group: OnceCell::new() }
    }

    /// Groups that several accumulators read.
    pub fn shared(ids: &'a [u32], num_groups: usize) -> ChunkGroups<'a> {
        ChunkGroups { shared: true, ..ChunkGroups::new(ids, num_groups) }
    }

    /// The group of each row.
    pub fn ids(&self) -> &'a [u32] {
        self.ids
    }

    /// The rows by group, listed on first use, when the groups are few and
    /// shared; `None` otherwise (or when a group is out of range, which the
    /// plain loops then report).
    fn by_group(&self) -> Option<&RowsByGroup> {
        self.by_group
            .get_or_init(|| {
                let n = self.num_groups;
                if !self.shared || n > FEW_GROUPS || self.ids.len() < LANES * n {
                    return None;
                }
                let mut bounds = vec![0u32; n + 1];
                for g in self.ids {
                    *bounds.get_mut(*g as usize + 1)? += 1;
                }
                for g in 0..n {
                    bounds[g + 1] += bounds[g];
                }
                let mut next = [0u32; FEW_GROUPS];
                next[..n].copy_from_slice(&bounds[..n]);
                let mut rows = vec![0u32; self.ids.len()];
                for (i, g) in self.ids.iter().enumerate() {
                    let at = &mut next[*g as usize];
                    rows[*at as usize] = i as u32;
                    *at += 1;
                }
                Some(RowsByGroup { rows, bounds })
            })
            .as_ref()
    }
}

/// `acc[group(i)] = add(acc[group(i)], value(i))` for every row `i`.
/// `add` must be associative and commutative (the few-group paths reorder
/// the adds) and `T::default()` its identity; every group must be below
/// `acc.len()`.
pub fn add_grouped<T: Copy + Default>(
    acc: &mut [T],
    groups: &ChunkGroups,
    value: impl Fn(usize) -> T,
    add: impl Fn(T, T) -> T,
) {
    let n = acc.len();
    if let Some(by_group) = groups.by_group().filter(|b| b.bounds.len() <= n + 1) {
        for (g, window) in by_group.bounds.windows(2).enumerate() {
            let rows = &by_group.rows[window[0] as usize..window[1] as usize];
            // two chains of adds, in registers
            let (mut a, mut b) = (T::default(), T::default());
            let mut pairs = rows.chunks_exact(2);
            for pair in &mut pairs {
                a = add(a, value(pair[0] as usize));
                b = add(b, value(pair[1] as usize));
            }
            for r in pairs.remainder() {
                a = add(a, value(*r as usize));
            }
            acc[g] = add(acc[g], add(a, b));
        }
        return;
    }
    let ids = groups.ids();
    if n > FEW_GROUPS || ids.len() < LANES * n {
        for (i, g) in ids.iter().enumerate() {
            let slot = &mut acc[*g as usize];
            *slot = add(*slot, value(i));
        }
        return;
    }
    let mut lanes = [[T::default(); FEW_GROUPS]; LANES];
    let mut rows = ids.chunks_exact(LANES);
    let mut i = 0;
    for chunk in &mut rows {
        for (lane, g) in lanes.iter_mut().zip(chunk) {
            // `..n`: a group past the slots fails as on the plain path,
            // instead of landing in a lane slot that is never added back
            let slot = &mut lane[..n][*g as usize];
            *slot = add(*slot, value(i));
            i += 1;
        }
    }
    for g in rows.remainder() {
        let slot = &mut acc[*g as usize];
        *slot = add(*slot, value(i));
        i += 1;
    }
    for lane in &lanes {
        for (slot, partial) in acc.iter_mut().zip(lane) {
            *slot = add(*slot, *partial);
        }
    }
}

/// `counts[group(i)] += 1` for every row `i`.
pub fn count_grouped(counts: &mut [i64], groups: &ChunkGroups) {
    match groups.by_group().filter(|b| b.bounds.len() <= counts.len() + 1) {
        Some(by_group) => {
            for (count, window) in counts.iter_mut().zip(by_group.bounds.windows(2)) {
                *count += (window[1] - window[0]) as i64;
            }
        }
        None => add_grouped(counts, groups, |_| 1, |a, b| a + b),
    }
}

/// Sets `seen[group(i)]` for every row `i`. Its own function: inside an
/// accumulator's loop the slice's pointer and length were spilled and
/// reloaded per row.
#[inline(never)]
pub fn mark_groups(seen: &mut [bool], groups: &ChunkGroups) {
    match groups.by_group().filter(|b| b.bounds.len() <= seen.len() + 1) {
        Some(by_group) => {
            for (flag, window) in seen.iter_mut().zip(by_group.bounds.windows(2)) {
                *flag |= window[1] > window[0];
            }
        }
        None => {
            for g in groups.ids() {
                seen[*g as usize] = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain loop the lanes must agree with.
    fn reference(n: usize, groups: &[u32], values: &[i128]) -> Vec<i128> {
        let mut acc = vec![0i128; n];
        for (g, v) in groups.iter().zip(values) {
            acc[*g as usize] = acc[*g as usize].wrapping_add(*v);
        }
        acc
    }

    #[test]
    fn agrees_with_the_plain_loop() {
        // a small deterministic generator: no test-only dependency
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for n in [1usize, 2, 3, 4, 7, 31, 32, 33, 100] {
            for rows in [0usize, 1, 3, 4, 5, 127, 128, 129, 1000, 4099] {
                let groups: Vec<u32> = (0..rows).map(|_| (next() % n as u64) as u32).collect();
                // values near the ends of i128 exercise wrapping
                let values: Vec<i128> =
                    (0..rows).map(|_| ((next() as i128) << 64 | next() as i128) ^ (i128::MAX - 7)).collect();
                let start: Vec<i128> = (0..n).map(|g| g as i128 * 1_000).collect();
                let mut expected = reference(n, &groups, &values);
                for (e, start) in expected.iter_mut().zip(&start) {
                    *e = e.wrapping_add(*start);
                }
                for chunk in [ChunkGroups::new(&groups, n), ChunkGroups::shared(&groups, n)] {
                    let mut acc = start.clone();
                    add_grouped(&mut acc, &chunk, |i| values[i], i128::wrapping_add);
                    assert_eq!(acc, expected, "{n} groups, {rows} rows, shared: {}", chunk.shared);
                    let mut counts = vec![3i64; n];
                    count_grouped(&mut counts, &chunk);
                    let mut seen = vec![false; n];
                    mark_groups(&mut seen, &chunk);
                    for g in 0..n {
                        let rows_of_g = groups.iter().filter(|x| **x as usize == g).count();
                        assert_eq!(counts[g], 3 + rows_of_g as i64);
                        assert_eq!(seen[g], rows_of_g > 0);
                    }
                }
            }
        }
    }

    #[test]
    fn rows_by_group_keep_row_order() {
        let groups: Vec<u32> = (0..40u32).map(|i| (i * i) % 5).collect();
        let chunk = ChunkGroups::shared(&groups, 5);
        let by_group = chunk.by_group().expect("few shared groups are listed");
        for (g, window) in by_group.bounds.windows(2).enumerate() {
            let listed = &by_group.rows[window[0] as usize..window[1] as usize];
            let expected: Vec<u32> = (0..40u32).filter(|i| groups[*i as usize] == g as u32).collect();
            assert_eq!(listed, expected.as_slice());
        }
        // a group past the count is left to the plain loops to report
        let bad = [0u32, 1, 7, 0, 1, 0, 1, 0];
        assert!(ChunkGroups::shared(&bad, 2).by_group().is_none());
    }
}
