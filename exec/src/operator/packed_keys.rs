//! `PackedIntKeys`: several integer key columns packed into one `i64` per
//! row, for a hash join whose build side's keys all fit: each column's
//! value less the column's build minimum, in as many bits as its build
//! range needs, side by side. The join then treats the keys as one integer
//! key: a multiply hash and an exact tag compare, where encoded key rows
//! would be hashed bytewise and compared in the build's key storage (a
//! second cache miss per probe row: TPC-H Q09's `(l_partkey, l_suppkey)`
//! against `partsupp`).
//!
//! The packing is decided from the build side's values. A probe row whose
//! value lies outside a column's build range cannot match; it packs to
//! `NO_BUILD_KEY`, which no build row has.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, BooleanBufferBuilder, Int64Array, PrimitiveArray};
use arrow::buffer::NullBuffer;
use arrow::compute::cast;
use arrow::datatypes::{DataType, Int64Type};
use ember_core::Result;

/// The packed value of a probe key outside the build side's ranges. Packed
/// build keys are below 2^62, so it is never one of them.
pub const NO_BUILD_KEY: i64 = -1;

/// Bits the packed columns may take together (see `NO_BUILD_KEY`).
const PACKED_BITS: u32 = 62;

/// How each key column sits in the packed value.
pub struct PackedIntKeys {
    types: Vec<DataType>,
    /// the build side's least value of each column
    mins: Vec<i64>,
    /// max - min of each column's build values
    spans: Vec<u64>,
    /// where each column's bits start
    shifts: Vec<u32>,
}

impl PackedIntKeys {
    /// The packing of `cols` (the build side's key columns, of `types`),
    /// when there are several, all integer-like, with non-NULL values whose
    /// ranges fit in `PACKED_BITS` together; `None` otherwise.
    pub fn for_build(types: &[DataType], cols: &[ArrayRef]) -> Result<Option<PackedIntKeys>> {
        if cols.len() < 2 || !types.iter().all(super::hash_keys::is_int_like) {
            return Ok(None);
        }
        let (mut mins, mut spans, mut shifts) = (vec![], vec![], vec![]);
        let mut bits = 0u32;
        // the first column takes the high bits, so packed values order as
        // the key tuples do
        for col in cols.iter().rev() {
            let col = as_i64(col)?;
            let values = col.as_primitive::<Int64Type>();
            let (mut min, mut max) = (i64::MAX, i64::MIN);
            for v in values.iter().flatten() {
                min = min.min(v);
                max = max.max(v);
            }
            if min > max {
                // no non-NULL value: nothing can match, and nothing to pack
                return Ok(None);
            }
            let span = max.abs_diff(min);
            shifts.push(bits);
            bits += u64::BITS - span.leading_zeros();
            if bits > PACKED_BITS {
                return Ok(None);
            }
            mins.push(min);
            spans.push(span);
        }
        mins.reverse();
        spans.reverse();
        shifts.reverse();
        Ok(Some(PackedIntKeys { types: types.to_vec(), mins, spans, shifts }))
    }

    /// One packed value per row, and per row whether a key is NULL (empty
    /// when none is): `NO_BUILD_KEY` for a row outside the build ranges, 0
    /// for a row with a NULL key.
    pub fn pack(&self, cols: &[ArrayRef]) -> Result<(Vec<i64>, Vec<bool>)> {
        let n = cols.first().map_or(0, |c| c.len());
        let mut packed = vec![0u64; n];
        let mut outside = vec![false; n];
        let mut nulls: Option<NullBuffer> = None;
        for (c, col) in cols.iter().enumerate() {
            let col = as_i64(col)?;
            let values = col.as_primitive::<Int64Type>();
            let (min, span, shift) = (self.mins[c], self.spans[c], self.shifts[c]);
            // one pass per column, branch-free, so that it vectorizes
            for ((p, o), v) in packed.iter_mut().zip(outside.iter_mut()).zip(values.values().iter()) {
                let offset = v.wrapping_sub(min) as u64;
                *o |= offset > span;
                *p |= offset << shift;
            }
            nulls = NullBuffer::union(nulls.as_ref(), values.nulls());
        }
        let null: Vec<bool> = match nulls.filter(|n| n.null_count() > 0) {
            Some(n) => n.iter().map(|valid| !valid).collect(),
            None => vec![],
        };
        let values = packed
            .iter()
            .zip(&outside)
            .enumerate()
            .map(|(i, (p, o))| {
                if null.get(i).copied().unwrap_or(false) {
                    0
                } else if *o {
                    NO_BUILD_KEY
                } else {
                    *p as i64
                }
            })
            .collect();
        Ok((values, null))
    }

    /// The key columns back from packed values (none `NO_BUILD_KEY`).
    pub fn unpack(&self, values: &[i64], null: &[bool]) -> Result<Vec<ArrayRef>> {
        let nulls = (!null.is_empty()).then(|| {
            let mut b = BooleanBufferBuilder::new(values.len());
            for n in null {
                b.append(!n);
            }
            NullBuffer::new(b.finish())
        });
        (0..self.types.len())
            .map(|c| {
                let (min, shift) = (self.mins[c], self.shifts[c]);
                let mask = if self.spans[c] == 0 { 0 } else { u64::MAX >> self.spans[c].leading_zeros() };
                let column: Int64Array = PrimitiveArray::new(
                    values.iter().map(|v| (((*v as u64) >> shift) & mask).wrapping_add(min as u64) as i64).collect(),
                    nulls.clone(),
                );
                let column: ArrayRef = Arc::new(column);
                Ok(if self.types[c] == DataType::Int64 { column } else { cast(&column, &self.types[c])? })
            })
            .collect()
    }
}

fn as_i64(col: &ArrayRef) -> Result<ArrayRef> {
    Ok(if col.data_type() == &DataType::Int64 { col.clone() } else { cast(col, &DataType::Int64)? })
}

#[cfg(test)]
mod tests {
    use arrow::array::{Date32Array, Int32Array};

    use super::*;

    fn i64s(v: Vec<Option<i64>>) -> ArrayRef {
        Arc::new(Int64Array::from(v))
    }

    #[test]
    fn packs_within_the_build_ranges_and_marks_the_rest() {
        let types = [DataType::Int64, DataType::Int32];
        let build: Vec<ArrayRef> =
            vec![i64s(vec![Some(-5), Some(10), None]), Arc::new(Int32Array::from(vec![Some(3), Some(3), Some(7)]))];
        let packing = PackedIntKeys::for_build(&types, &build).unwrap().unwrap();
        let probe: Vec<ArrayRef> = vec![
            i64s(vec![Some(-5), Some(10), Some(11), Some(-6), None, Some(0)]),
            Arc::new(Int32Array::from(vec![Some(7), Some(3), Some(3), Some(3), Some(3), Some(8)])),
        ];
        let (values, null) = packing.pack(&probe).unwrap();
        assert_eq!(null, vec![false, false, false, false, true, false]);
        // the first column above the second's 3 bits (span 4)
        assert_eq!(&values[..2], &[4, (15 << 3)]);
        assert_eq!(&values[2..], &[NO_BUILD_KEY, NO_BUILD_KEY, 0, NO_BUILD_KEY]);
        let back = packing.unpack(&values[..2], &[]).unwrap();
        assert_eq!(back[0].as_primitive::<Int64Type>().values().to_vec(), vec![-5, 10]);
        assert_eq!(back[1].as_primitive::<arrow::datatypes::Int32Type>().values().to_vec(), vec![7, 3]);
    }

    #[test]
    fn packed_values_are_unique_per_key_tuple() {
        let types = [DataType::Int64, DataType::Date32, DataType::Int64];
        let a: Vec<i64> = (0..300).map(|i| i % 7 - 3).collect();
        let b: Vec<i32> = (0..300).map(|i| 19_000 + i % 11).collect();
        let c: Vec<i64> = (0..300).map(|i| i64::MAX - i % 5).collect();
        let cols: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(a.clone())),
            Arc::new(Date32Array::from(b.clone())),
            Arc::new(Int64Array::from(c.clone())),
        ];
        let packing = PackedIntKeys::for_build(&types, &cols).unwrap().unwrap();
        let (values, _) = packing.pack(&cols).unwrap();
        let mut seen = std::collections::HashMap::new();
        for (i, v) in values.iter().enumerate() {
            assert!(*v >= 0);
            let tuple = (a[i], b[i], c[i]);
            assert_eq!(*seen.entry(*v).or_insert(tuple), tuple, "two tuples packed to {v}");
        }
        let back = packing.unpack(&values, &[]).unwrap();
        assert_eq!(back[2].as_primitive::<Int64Type>().values().to_vec(), c);
    }

    #[test]
    fn too_wide_or_single_keys_are_not_packed() {
        let wide: Vec<ArrayRef> = vec![i64s(vec![Some(i64::MIN), Some(i64::MAX)]), i64s(vec![Some(0), Some(1)])];
        assert!(PackedIntKeys::for_build(&[DataType::Int64, DataType::Int64], &wide).unwrap().is_none());
        let one: Vec<ArrayRef> = vec![i64s(vec![Some(1)])];
        assert!(PackedIntKeys::for_build(&[DataType::Int64], &one).unwrap().is_none());
        let strings: Vec<ArrayRef> =
            vec![i64s(vec![Some(1)]), Arc::new(arrow::array::StringArray::from(vec!["a"])) as ArrayRef];
        assert!(PackedIntKeys::for_build(&[DataType::Int64, DataType::Utf8], &strings).unwrap().is_none());
        let all_null: Vec<ArrayRef> = vec![i64s(vec![None]), i64s(vec![Some(1)])];
        assert!(PackedIntKeys::for_build(&[DataType::Int64, DataType::Int64], &all_null).unwrap().is_none());
    }
}
