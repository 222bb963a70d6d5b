//! `KeyBitmap`: the set of a join build side's integer keys as one bit per
//! value of their range. Join filters test a probe value with a subtraction
//! and a bit lookup, branch-free and cache-resident, instead of a hash-table
//! probe per row. The bitmap is exact when the range is dense enough that it
//! is no larger than the keys themselves, or than a hash table's slots for
//! them while it stays small; a wider range gets a bit per run of values,
//! which rules most values out and leaves the rest to the hash table.

use arrow::array::{Array, ArrayRef, AsArray, BooleanArray};
use arrow::buffer::BooleanBuffer;
use arrow::compute::cast;
use arrow::datatypes::{DataType, Int64Type};
use ember_core::Result;

/// The range of a set of integer keys: what decides whether a bitmap or a
/// direct index of them is small enough.
pub struct KeyRange {
    pub min: i64,
    /// max - min + 1
    pub span: u128,
    pub count: u64,
}

impl KeyRange {
    /// `None` for no keys.
    pub fn of(keys: impl Iterator<Item = i64>) -> Option<KeyRange> {
        let (mut min, mut max, mut count) = (i64::MAX, i64::MIN, 0u64);
        for k in keys {
            min = min.min(k);
            max = max.max(k);
            count += 1;
        }
        (count > 0).then(|| KeyRange { min, span: (max as i128 - min as i128 + 1) as u128, count })
    }
}

pub struct KeyBitmap {
    min: i64,
    /// values in [min, min + last] have a bit
    last: u64,
    /// one bit per 2^shift consecutive values: 0 for an exact set, more
    /// when the range is too wide for one bit per value
    shift: u32,
    bits: Vec<u64>,
}

/// Bits always allowed per key: 64, the size of the key itself.
const BITS_PER_KEY: u64 = 64;

/// Bits allowed per key while the bitmap is at most `SMALL_BITMAP_BITS`:
/// about what a hash table's slots take per key. TPC-H's order keys of one
/// quarter's orders (Q04, Q10) are this sparse.
const SPARSE_BITS_PER_KEY: u64 = 256;
const SMALL_BITMAP_BITS: u64 = 1 << 27;

/// A bitmap this small (256 KiB, cache-resident) is allowed for any number
/// of keys: TPC-H Q17's 204 part keys (of 200,000 at SF1, 2M at SF10) test
/// one bit per `lineitem` row instead of probing a hash table.
const ANY_KEYS_BITS: u64 = 1 << 21;

impl KeyBitmap {
    /// The bitmap of the non-NULL `keys` (`None` when there are none). It
    /// has one bit per value of their range when the range is at most
    /// `BITS_PER_KEY` times their count, or `SPARSE_BITS_PER_KEY` times
    /// within `SMALL_BITMAP_BITS`, or `ANY_KEYS_BITS`. A wider range gets
    /// that many bits (at most `SMALL_BITMAP_BITS`), each for a run of
    /// values (TPC-H Q18's 624 order keys of 60M: a bit per 32 values), and
    /// the bitmap only rules values out (see `is_exact`).
    pub fn build(keys: impl Iterator<Item = i64> + Clone) -> Option<KeyBitmap> {
        let KeyRange { min, span, count } = KeyRange::of(keys.clone())?;
        let allowed = count
            .saturating_mul(BITS_PER_KEY)
            .max(count.saturating_mul(SPARSE_BITS_PER_KEY).min(SMALL_BITMAP_BITS))
            .max(ANY_KEYS_BITS) as u128;
        // a coarse bitmap only rules values out: at most `SMALL_BITMAP_BITS`
        let coarse = allowed.min(SMALL_BITMAP_BITS as u128);
        let mut shift = 0u32;
        if span > allowed {
            while span.div_ceil(1u128 << shift) > coarse {
                shift += 1;
            }
        }
        let buckets = span.div_ceil(1u128 << shift) as u64;
        let mut bits = vec![0u64; buckets.div_ceil(64) as usize];
        for k in keys {
            let v = k.wrapping_sub(min) as u64 >> shift;
            bits[(v >> 6) as usize] |= 1 << (v & 63);
        }
        Some(KeyBitmap { min, last: (span - 1) as u64, shift, bits })
    }

    /// Whether `contains` is exact; otherwise it may say yes for a value
    /// near a key, never no for a key.
    pub fn is_exact(&self) -> bool {
        self.shift == 0
    }

    #[inline]
    pub fn contains(&self, key: i64) -> bool {
        let v = key.wrapping_sub(self.min) as u64;
        let b = v >> self.shift;
        v <= self.last && (self.bits[(b >> 6) as usize] >> (b & 63)) & 1 == 1
    }

    /// Whether each value of `keys` (an integer column) may be in the set
    /// (is, for an exact bitmap); NULL never is.
    pub fn contains_all(&self, keys: &ArrayRef) -> Result<BooleanArray> {
        let keys = if keys.data_type() == &DataType::Int64 { keys.clone() } else { cast(keys, &DataType::Int64)? };
        let values = keys.as_primitive::<Int64Type>().values();
        let mut found = BooleanBuffer::collect_bool(values.len(), |i| self.contains(values[i]));
        if let Some(nulls) = keys.logical_nulls() {
            found = &found & nulls.inner();
        }
        Ok(BooleanArray::new(found, None))
    }

    pub fn memory_size(&self) -> usize {
        self.bits.capacity() * 8
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::sync::Arc;

    use arrow::array::Int32Array;

    use super::*;

    #[test]
    fn agrees_with_a_hash_set() {
        let keys: Vec<i64> = (0..5_000).map(|i| (i * 7919) % 20_000 - 3_000).collect();
        let bitmap = KeyBitmap::build(keys.iter().copied()).unwrap();
        let set: HashSet<i64> = keys.iter().copied().collect();
        for v in -5_000..20_000 {
            assert_eq!(bitmap.contains(v), set.contains(&v), "{v}");
        }
        assert!(!bitmap.contains(i64::MIN) && !bitmap.contains(i64::MAX));
        // a column of another integer type, with NULLs
        let probe: ArrayRef = Arc::new(Int32Array::from(vec![Some(-3_000), None, Some(4), Some(16_999), Some(17_000)]));
        let found = bitmap.contains_all(&probe).unwrap();
        let expected: Vec<bool> = vec![set.contains(&-3_000), false, set.contains(&4), set.contains(&16_999), false];
        assert_eq!(found.iter().map(|b| b.unwrap()).collect::<Vec<_>>(), expected);
    }

    #[test]
    fn only_an_empty_key_set_gets_none() {
        assert!(KeyBitmap::build(std::iter::empty()).is_none());
        assert!(KeyBitmap::build([5i64].into_iter()).is_some_and(|b| b.is_exact()));
    }

    #[test]
    fn sparse_keys_get_an_exact_bitmap_only_while_it_is_small() {
        let spread = |count: i64, step: i64| (0..count).map(move |i| i * step);
        let exact = |keys: &mut dyn Iterator<Item = i64>| {
            let keys: Vec<i64> = keys.collect();
            KeyBitmap::build(keys.into_iter()).unwrap().is_exact()
        };
        // 200 bits per key, 2M bits in all
        assert!(exact(&mut spread(10_000, 200)));
        // 300 bits per key
        assert!(!exact(&mut spread(10_000, 300)));
        // few keys over a range of at most ANY_KEYS_BITS
        assert!(exact(&mut spread(200, 10_000)));
        assert!(!exact(&mut spread(200, 11_000)));
        // 200 bits per key, but past SMALL_BITMAP_BITS
        assert!(!exact(&mut spread(1_000_000, 200)));
        // 64 bits per key are allowed at any size
        assert!(exact(&mut spread(3_000_000, 64)));
    }

    /// A coarse bitmap never rules out a key, and stays within its budget
    /// of bits even for the widest ranges.
    #[test]
    fn a_coarse_bitmap_keeps_every_key() {
        let keys: Vec<i64> = (0..624).map(|i| i * 96_001 + 7).collect();
        let bitmap = KeyBitmap::build(keys.iter().copied()).unwrap();
        assert!(!bitmap.is_exact());
        assert!(bitmap.memory_size() * 8 <= ANY_KEYS_BITS as usize);
        let set: HashSet<i64> = keys.iter().copied().collect();
        let mut passed = 0;
        for v in -100_000..62_000_000 {
            let may = bitmap.contains(v);
            assert!(may || !set.contains(&v), "{v}");
            passed += may as usize;
        }
        // a bit per 32 values: each key lets at most 31 neighbours through
        assert!(passed <= 624 * 32, "{passed}");
        // many sparse keys: a coarse bitmap of at most SMALL_BITMAP_BITS
        let many = KeyBitmap::build((0..3_000_000i64).map(|i| i * 1_000)).unwrap();
        assert!(!many.is_exact() && many.memory_size() * 8 <= SMALL_BITMAP_BITS as usize);
        assert!(many.contains(2_999_999_000) && !many.contains(3_000_000_000_000));
        for extremes in [[i64::MIN, i64::MAX], [i64::MIN, 0], [-1, i64::MAX]] {
            let bitmap = KeyBitmap::build(extremes.into_iter()).unwrap();
            assert!(bitmap.contains(extremes[0]) && bitmap.contains(extremes[1]));
            assert!(bitmap.memory_size() * 8 <= ANY_KEYS_BITS as usize);
        }
        let probe: ArrayRef = Arc::new(Int32Array::from(vec![Some(7), None, Some(96_008)]));
        let found = bitmap.contains_all(&probe).unwrap();
        assert_eq!(found.iter().map(|b| b.unwrap()).collect::<Vec<_>>(), vec![true, false, true]);
    }
}
