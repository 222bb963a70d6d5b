//! `add_grouped`: the grouped update `acc[groups[i]] += value(i)` that sums
//! and counts run for every input row.
//!
//! With many groups the rows scatter over memory and the time goes to cache
//! misses. With few groups (TPC-H Q01 has four) consecutive rows keep
//! hitting the same few slots, and each add waits for the store of the one
//! before it. There the rows are dealt round-robin to `LANES` private copies
//! of the slots, so that many independent adds are in flight, and the copies
//! are added up at the end.

/// Group counts up to this take the lane path.
const FEW_GROUPS: usize = 32;

/// Private copies of the slots: independent chains of adds.
const LANES: usize = 4;

/// `acc[groups[i]] = add(acc[groups[i]], value(i))` for every row `i`.
/// `add` must be associative and commutative (the lanes reorder the adds)
/// and `T::default()` its identity; every group must be below `acc.len()`.
pub fn add_grouped<T: Copy + Default>(
    acc: &mut [T],
    groups: &[u32],
    value: impl Fn(usize) -> T,
    add: impl Fn(T, T) -> T,
) {
    let n = acc.len();
    if n > FEW_GROUPS || groups.len() < LANES * n {
        for (i, g) in groups.iter().enumerate() {
            let slot = &mut acc[*g as usize];
            *slot = add(*slot, value(i));
        }
        return;
    }
    let mut lanes = [[T::default(); FEW_GROUPS]; LANES];
    let mut rows = groups.chunks_exact(LANES);
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
                let mut acc: Vec<i128> = (0..n).map(|g| g as i128 * 1_000).collect();
                let mut expected = reference(n, &groups, &values);
                for (e, start) in expected.iter_mut().zip(&acc) {
                    *e = e.wrapping_add(*start);
                }
                add_grouped(&mut acc, &groups, |i| values[i], i128::wrapping_add);
                assert_eq!(acc, expected, "{n} groups, {rows} rows");
            }
        }
    }

    #[test]
    fn counts() {
        let groups: Vec<u32> = (0..10_000u32).map(|i| (i * i) % 5).collect();
        let mut counts = vec![0i64; 5];
        add_grouped(&mut counts, &groups, |_| 1, |a, b| a + b);
        let mut expected = vec![0i64; 5];
        for g in &groups {
            expected[*g as usize] += 1;
        }
        assert_eq!(counts, expected);
    }
}
