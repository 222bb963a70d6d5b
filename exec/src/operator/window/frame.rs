//! Frames: for every row of a sorted bucket, the rows `[start, end)` its
//! window frame covers, clamped to its partition (an empty frame has
//! `start == end`).
//!
//! ROWS bounds count rows from the current one. RANGE `CURRENT ROW` is the
//! edge of the row's peer group. A RANGE bound with a value compares ORDER
//! BY keys with the row's bound value (`key ± offset`, computed by the
//! analyzer's expression), both as arrow-row bytes in the key's sort order,
//! so ascending and descending keys and their null orders need no special
//! cases: the frame starts at the first row whose key is not before the
//! bound value and ends after the last row whose key is not after it. A
//! NULL key has a NULL bound value, so its frame is its peer group.

use arrow::array::ArrayRef;
use arrow::compute::{cast, SortOptions};
use arrow::row::{RowConverter, Rows, SortField};
use ember_core::expr::FrameUnits;
use ember_core::{Error, Result};

use super::{normalize_floats, SortedRows};
use crate::expr::PhysicalExpr;
use crate::operator::sort::SortKey;

/// One end of a frame.
pub enum Bound {
    UnboundedPreceding,
    CurrentRow,
    UnboundedFollowing,
    /// a signed row offset (negative: before the current row)
    Rows(i64),
    /// the bound's value of the ORDER BY key for each row
    Range(PhysicalExpr),
}

pub struct Frame {
    pub units: FrameUnits,
    pub start: Bound,
    pub end: Bound,
}

impl Frame {
    pub fn starts_unbounded(&self) -> bool {
        matches!(self.start, Bound::UnboundedPreceding)
    }

    pub fn ends_unbounded(&self) -> bool {
        matches!(self.end, Bound::UnboundedFollowing)
    }
}

/// The keys and bound values of a RANGE bound with a value, as comparable rows.
struct RangeRows {
    keys: Rows,
    values: Rows,
}

fn range_rows(value: &PhysicalExpr, rows: &SortedRows, order_by: &[SortKey]) -> Result<RangeRows> {
    let key = order_by.first().ok_or_else(|| Error::internal("RANGE frame with a value needs one ORDER BY key"))?;
    let values: ArrayRef = normalize_floats(value.evaluate(&rows.batch)?);
    let keys: ArrayRef = normalize_floats(key.expr.evaluate(&rows.batch)?);
    // the bound value may be wider than the key (decimal + decimal)
    let keys = if keys.data_type() != values.data_type() { cast(&keys, values.data_type())? } else { keys };
    let options = SortOptions { descending: key.descending, nulls_first: key.nulls_first };
    let converter = RowConverter::new(vec![SortField::new_with_options(values.data_type().clone(), options)])?;
    Ok(RangeRows { keys: converter.convert_columns(&[keys])?, values: converter.convert_columns(&[values])? })
}

/// `[start, end)` of each row's frame.
pub(crate) fn frames(frame: &Frame, rows: &SortedRows, order_by: &[SortKey]) -> Result<Vec<(usize, usize)>> {
    let n = rows.batch.num_rows();
    let range_of = |b: &Bound| -> Result<Option<RangeRows>> {
        match b {
            Bound::Range(v) => Ok(Some(range_rows(v, rows, order_by)?)),
            _ => Ok(None),
        }
    };
    let start_rows = range_of(&frame.start)?;
    let end_rows = range_of(&frame.end)?;
    let range = frame.units == FrameUnits::Range;
    let mut out = Vec::with_capacity(n);
    for &(ps, pe) in &rows.partitions {
        let clamp = |x: i64| x.clamp(ps as i64, pe as i64) as usize;
        for i in ps..pe {
            let start = match &frame.start {
                Bound::UnboundedPreceding => ps,
                Bound::UnboundedFollowing => pe,
                Bound::CurrentRow if range => rows.peer_start[i],
                Bound::CurrentRow => i,
                Bound::Rows(k) => clamp(i as i64 + k),
                Bound::Range(_) => {
                    let r = start_rows.as_ref().ok_or_else(|| Error::internal("range rows"))?;
                    let v = r.values.row(i);
                    ps + partition_point(ps, pe, |j| r.keys.row(j) < v)
                }
            };
            let end = match &frame.end {
                Bound::UnboundedFollowing => pe,
                Bound::UnboundedPreceding => ps,
                Bound::CurrentRow if range => rows.peer_end[i],
                Bound::CurrentRow => i + 1,
                Bound::Rows(k) => clamp(i as i64 + k + 1),
                Bound::Range(_) => {
                    let r = end_rows.as_ref().ok_or_else(|| Error::internal("range rows"))?;
                    let v = r.values.row(i);
                    ps + partition_point(ps, pe, |j| r.keys.row(j) <= v)
                }
            };
            out.push((start, end.max(start)));
        }
    }
    Ok(out)
}

/// How many rows of `[lo, hi)` (a prefix) satisfy `pred`.
fn partition_point(lo: usize, hi: usize, pred: impl Fn(usize) -> bool) -> usize {
    let (mut a, mut b) = (lo, hi);
    while a < b {
        let mid = a + (b - a) / 2;
        if pred(mid) {
            a = mid + 1;
        } else {
            b = mid;
        }
    }
    a - lo
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Int64Array, RecordBatch};
    use arrow::datatypes::{DataType, Field, Schema};

    use super::*;

    /// Keys 1, 2, 2, 5, NULL (ascending, NULLs last) in one partition, with
    /// `key - 1` and `key + 1` as the bound values.
    fn rows() -> SortedRows {
        let schema = Arc::new(Schema::new(vec![
            Field::new("k", DataType::Int64, true),
            Field::new("lo", DataType::Int64, true),
            Field::new("hi", DataType::Int64, true),
        ]));
        let col = |v: Vec<Option<i64>>| -> ArrayRef { Arc::new(Int64Array::from(v)) };
        let batch = RecordBatch::try_new(
            schema,
            vec![
                col(vec![Some(1), Some(2), Some(2), Some(5), None]),
                col(vec![Some(0), Some(1), Some(1), Some(4), None]),
                col(vec![Some(2), Some(3), Some(3), Some(6), None]),
            ],
        )
        .unwrap();
        SortedRows { batch, partitions: vec![(0, 5)], peer_start: vec![0, 1, 1, 3, 4], peer_end: vec![1, 3, 3, 4, 5] }
    }

    fn key() -> Vec<SortKey> {
        vec![SortKey { expr: PhysicalExpr::Column(0), descending: false, nulls_first: false }]
    }

    #[test]
    fn range_frames_compare_keys_with_bound_values() {
        let f = Frame {
            units: FrameUnits::Range,
            start: Bound::Range(PhysicalExpr::Column(1)),
            end: Bound::Range(PhysicalExpr::Column(2)),
        };
        // a NULL key's frame is the NULL peers
        assert_eq!(frames(&f, &rows(), &key()).unwrap(), vec![(0, 3), (0, 3), (0, 3), (3, 4), (4, 5)]);
        let f =
            Frame { units: FrameUnits::Range, start: Bound::Range(PhysicalExpr::Column(1)), end: Bound::CurrentRow };
        assert_eq!(frames(&f, &rows(), &key()).unwrap(), vec![(0, 1), (0, 3), (0, 3), (3, 4), (4, 5)]);
    }

    #[test]
    fn rows_frames_are_clamped_to_the_partition() {
        let mut r = rows();
        r.partitions = vec![(0, 2), (2, 5)];
        let f = Frame { units: FrameUnits::Rows, start: Bound::Rows(-1), end: Bound::Rows(1) };
        assert_eq!(frames(&f, &r, &key()).unwrap(), vec![(0, 2), (0, 2), (2, 4), (2, 5), (3, 5)]);
        // a frame after the partition's end is empty
        let f = Frame { units: FrameUnits::Rows, start: Bound::Rows(2), end: Bound::UnboundedFollowing };
        assert_eq!(frames(&f, &r, &key()).unwrap(), vec![(2, 2), (2, 2), (4, 5), (5, 5), (5, 5)]);
    }
}
