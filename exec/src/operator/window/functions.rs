//! Ranking functions (`row_number`, `rank`, `dense_rank`, `percent_rank`,
//! `cume_dist`, `ntile`), offset functions (`lag`, `lead`) and the value
//! functions of a frame (`first_value`, `last_value`, `nth_value`), over
//! the partitions and peer groups of a sorted bucket.
//!
//! Values are picked by row index and gathered with one `take`. With IGNORE
//! NULLS, the positions of the non-NULL rows and a running count of them
//! find the k-th non-NULL row of a range in constant time.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, BooleanArray, Float64Array, Int32Array, UInt32Array};
use arrow::compute::kernels::zip::zip;
use arrow::compute::take;
use ember_core::{Error, Result};

use super::{SortedRows, WindowFunction};

/// Which row of the frame a value function reads.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Pick {
    First,
    Last,
    /// 1-based
    Nth(usize),
}

/// Positions of the non-NULL values, and for each row how many come before it.
struct NonNull {
    positions: Vec<usize>,
    /// `before[i]`: non-NULL values in rows `[0, i)`; one more entry than rows
    before: Vec<usize>,
}

impl NonNull {
    fn new(v: &ArrayRef) -> NonNull {
        let mut positions = Vec::new();
        let mut before = Vec::with_capacity(v.len() + 1);
        before.push(0);
        for i in 0..v.len() {
            if v.is_valid(i) {
                positions.push(i);
            }
            before.push(positions.len());
        }
        NonNull { positions, before }
    }

    /// The `k`-th (1-based) non-NULL row at or after `from`, if before `to`.
    fn nth_from(&self, from: usize, k: usize, to: usize) -> Option<usize> {
        let idx = self.before[from].saturating_add(k - 1);
        self.positions.get(idx).copied().filter(|p| *p < to)
    }

    /// The `k`-th (1-based) non-NULL row before `before`, if at or after `from`.
    fn nth_back(&self, before: usize, k: usize, from: usize) -> Option<usize> {
        let n = self.before[before];
        if k > n {
            return None;
        }
        Some(self.positions[n - k]).filter(|p| *p >= from)
    }
}

fn gather(v: &ArrayRef, picks: Vec<Option<u32>>) -> Result<ArrayRef> {
    Ok(take(v.as_ref(), &UInt32Array::from(picks), None)?)
}

/// `first_value` / `last_value` / `nth_value` of every row's frame.
pub(crate) fn frame_value(v: &ArrayRef, frames: &[(usize, usize)], pick: Pick, ignore_nulls: bool) -> Result<ArrayRef> {
    let non_null = ignore_nulls.then(|| NonNull::new(v));
    let picks = frames
        .iter()
        .map(|&(s, e)| {
            if s >= e {
                return None;
            }
            let row = match (&non_null, pick) {
                (None, Pick::First) => Some(s),
                (None, Pick::Last) => Some(e - 1),
                (None, Pick::Nth(k)) => Some(s.saturating_add(k - 1)).filter(|r| *r < e),
                (Some(nn), Pick::First) => nn.nth_from(s, 1, e),
                (Some(nn), Pick::Last) => nn.nth_back(e, 1, s),
                (Some(nn), Pick::Nth(k)) => nn.nth_from(s, k, e),
            };
            row.map(|r| r as u32)
        })
        .collect();
    gather(v, picks)
}

/// `lead` (`offset` > 0) / `lag` (`offset` < 0) within each partition;
/// `default` (at the current row) where the row does not exist.
pub(crate) fn offset(
    v: &ArrayRef,
    default: &ArrayRef,
    offset: i64,
    ignore_nulls: bool,
    rows: &SortedRows,
) -> Result<ArrayRef> {
    let n = v.len();
    let non_null = (ignore_nulls && offset != 0).then(|| NonNull::new(v));
    let mut picks: Vec<Option<u32>> = Vec::with_capacity(n);
    for &(ps, pe) in &rows.partitions {
        for i in ps..pe {
            let row = match &non_null {
                None => {
                    (i as i64).checked_add(offset).filter(|t| *t >= ps as i64 && *t < pe as i64).map(|t| t as usize)
                }
                Some(nn) if offset > 0 => nn.nth_from(i + 1, offset as usize, pe),
                Some(nn) => nn.nth_back(i, offset.unsigned_abs() as usize, ps),
            };
            picks.push(row.map(|r| r as u32));
        }
    }
    let found = BooleanArray::from(picks.iter().map(|p| Some(p.is_some())).collect::<Vec<_>>());
    let taken = gather(v, picks)?;
    if default.null_count() == default.len() {
        return Ok(taken);
    }
    Ok(zip(&found, &taken, default)?)
}

/// The ranking functions.
pub(crate) fn ranking(function: &WindowFunction, rows: &SortedRows) -> Result<ArrayRef> {
    let n = rows.batch.num_rows();
    match function {
        WindowFunction::PercentRank | WindowFunction::CumeDist => {
            let mut out = Vec::with_capacity(n);
            for &(ps, pe) in &rows.partitions {
                let size = (pe - ps) as f64;
                for i in ps..pe {
                    out.push(match function {
                        WindowFunction::PercentRank if pe - ps <= 1 => 0.0,
                        WindowFunction::PercentRank => (rows.peer_start[i] - ps) as f64 / (size - 1.0),
                        _ => (rows.peer_end[i] - ps) as f64 / size,
                    });
                }
            }
            Ok(Arc::new(Float64Array::from(out)))
        }
        _ => {
            let mut out: Vec<i32> = Vec::with_capacity(n);
            for &(ps, pe) in &rows.partitions {
                let mut dense = 0i32;
                for i in ps..pe {
                    if rows.peer_start[i] == i {
                        dense += 1;
                    }
                    let r = i - ps;
                    out.push(match function {
                        WindowFunction::RowNumber => r as i32 + 1,
                        WindowFunction::Rank => (rows.peer_start[i] - ps) as i32 + 1,
                        WindowFunction::DenseRank => dense,
                        WindowFunction::Ntile(k) => ntile(r, pe - ps, *k as usize),
                        _ => return Err(Error::internal("not a ranking function")),
                    });
                }
            }
            Ok(Arc::new(Int32Array::from(out)))
        }
    }
}

/// Spark's NTILE: `k` buckets of `n / k` rows, the first `n % k` one row larger.
fn ntile(r: usize, n: usize, k: usize) -> i32 {
    let size = n / k;
    let rem = n % k;
    let big = rem * (size + 1);
    let bucket = if r < big { r / (size + 1) } else { rem + (r - big) / size.max(1) };
    bucket as i32 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ntile_spreads_the_remainder_over_the_first_buckets() {
        let b: Vec<i32> = (0..10).map(|r| ntile(r, 10, 3)).collect();
        assert_eq!(b, vec![1, 1, 1, 1, 2, 2, 2, 3, 3, 3]);
        // more buckets than rows: one row each
        let b: Vec<i32> = (0..3).map(|r| ntile(r, 3, 5)).collect();
        assert_eq!(b, vec![1, 2, 3]);
    }

    #[test]
    fn non_null_positions() {
        let v: ArrayRef = Arc::new(Int32Array::from(vec![None, Some(1), None, Some(2), Some(3)]));
        let nn = NonNull::new(&v);
        assert_eq!(nn.nth_from(0, 1, 5), Some(1));
        assert_eq!(nn.nth_from(2, 2, 5), Some(4));
        assert_eq!(nn.nth_from(2, 3, 5), None);
        assert_eq!(nn.nth_back(4, 1, 0), Some(3));
        assert_eq!(nn.nth_back(3, 1, 2), None);
    }
}
