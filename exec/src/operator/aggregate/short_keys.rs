//! Grouping a chunk by short keys without encoding every row.
//!
//! Low-cardinality GROUP BYs over short strings and integers (TPC-H Q1's
//! `l_returnflag, l_linestatus`, Q12's `l_shipmode`) spend most of their
//! grouping time encoding each row's key into bytes, hashing the bytes and
//! comparing them against the stored key. When every key column of a chunk
//! is an integer or a string of at most 15 bytes, each row's key packs into
//! two `u128`s without loss; the chunk's distinct packed keys are numbered
//! in a small local map, and only one row per distinct key goes through the
//! aggregate's real key encoding and table. A chunk with too many distinct
//! keys for that to pay gives up and takes the general path.
//!
//! Tinier keys skip the hashing too: a string column of at most one byte
//! per row, or an integer column whose values span a small range, maps
//! each row to a dense code, and when the product of every key column's
//! code range is small the codes combine into an index of a direct table
//! (any number of key columns). DuckDB gets the same effect for Q1 from
//! its compressed materialization and perfect hash aggregate.

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::buffer::NullBuffer;
use arrow::datatypes::{DataType, Date32Type, Int16Type, Int32Type, Int64Type, Int8Type};

/// Distinct keys per chunk beyond which the local numbering is abandoned.
const MAX_LOCAL_KEYS: usize = 256;
/// Slots of the local numbering's table: at most a quarter full.
const LOCAL_SLOTS: usize = 1024;

/// A key column readable as one `u128` per row.
enum Packable<'a> {
    /// Strings of at most 15 bytes: the bytes, then the length in the last
    /// byte (a NULL has length 255).
    Str { offsets: &'a [i32], bytes: &'a [u8], nulls: Option<&'a NullBuffer> },
    /// Integers: the value, and a flag bit above it for NULL.
    Int(Vec<i64>, Option<&'a NullBuffer>),
}

impl Packable<'_> {
    #[inline]
    fn pack(&self, i: usize) -> u128 {
        match self {
            Packable::Str { offsets, bytes, nulls } => {
                if nulls.is_some_and(|n| n.is_null(i)) {
                    return 255 << 120;
                }
                let (start, end) = (offsets[i] as usize, offsets[i + 1] as usize);
                let len = end - start;
                // one 16-byte load, masked to the string, where the buffer allows
                let word = match bytes.get(start..start + 16) {
                    Some(w) => u128::from_le_bytes(w.try_into().unwrap_or([0; 16])),
                    None => {
                        let mut buf = [0u8; 16];
                        buf[..len].copy_from_slice(&bytes[start..end]);
                        u128::from_le_bytes(buf)
                    }
                };
                let mask = if len == 0 { 0 } else { u128::MAX >> (128 - 8 * len) };
                (word & mask) | ((len as u128) << 120)
            }
            Packable::Int(values, nulls) => {
                if nulls.is_some_and(|n| n.is_null(i)) {
                    1 << 64
                } else {
                    values[i] as u64 as u128
                }
            }
        }
    }
}

fn packable(col: &ArrayRef) -> Option<Packable<'_>> {
    let nulls = col.nulls().filter(|n| n.null_count() > 0);
    let ints = |v: Vec<i64>| Some(Packable::Int(v, nulls));
    match col.data_type() {
        DataType::Utf8 => {
            let a = col.as_string::<i32>();
            let offsets: &[i32] = a.offsets();
            let longest = offsets.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
            (longest <= 15).then_some(Packable::Str { offsets, bytes: a.values().as_slice(), nulls })
        }
        DataType::Int8 => ints(col.as_primitive::<Int8Type>().values().iter().map(|v| *v as i64).collect()),
        DataType::Int16 => ints(col.as_primitive::<Int16Type>().values().iter().map(|v| *v as i64).collect()),
        DataType::Int32 => ints(col.as_primitive::<Int32Type>().values().iter().map(|v| *v as i64).collect()),
        DataType::Date32 => ints(col.as_primitive::<Date32Type>().values().iter().map(|v| *v as i64).collect()),
        DataType::Int64 => ints(col.as_primitive::<Int64Type>().values().to_vec()),
        _ => None,
    }
}

/// Combined code ranges up to this size are numbered through a direct table.
const DIRECT_SLOTS: usize = 4096;

/// A key column as one small code per row: `codes[i] < range`.
struct DenseCodes {
    codes: Vec<u32>,
    range: u32,
}

/// `col` as dense codes, when its values fit a small range: strings of at
/// most one byte (256 for the empty string, 257 for NULL), integers whose
/// values span fewer than `DIRECT_SLOTS` (one past the span for NULL).
fn dense_codes(col: &ArrayRef) -> Option<DenseCodes> {
    let nulls = col.nulls().filter(|n| n.null_count() > 0);
    let (mut codes, range, null_code) = match col.data_type() {
        DataType::Utf8 => {
            let a = col.as_string::<i32>();
            let offsets: &[i32] = a.offsets();
            let bytes = a.values().as_slice();
            if offsets.windows(2).any(|w| w[1] - w[0] > 1) {
                return None;
            }
            let codes = offsets
                .windows(2)
                .map(|w| if w[1] == w[0] { 256 } else { bytes[w[0] as usize] as u32 })
                .collect::<Vec<u32>>();
            (codes, 258, 257)
        }
        DataType::Int8 => int_codes(col.as_primitive::<Int8Type>().values().iter().map(|v| *v as i64))?,
        DataType::Int16 => int_codes(col.as_primitive::<Int16Type>().values().iter().map(|v| *v as i64))?,
        DataType::Int32 => int_codes(col.as_primitive::<Int32Type>().values().iter().map(|v| *v as i64))?,
        DataType::Date32 => int_codes(col.as_primitive::<Date32Type>().values().iter().map(|v| *v as i64))?,
        DataType::Int64 => int_codes(col.as_primitive::<Int64Type>().values().iter().copied())?,
        _ => return None,
    };
    if let Some(nulls) = nulls {
        for (i, code) in codes.iter_mut().enumerate() {
            if nulls.is_null(i) {
                *code = null_code;
            }
        }
    }
    Some(DenseCodes { codes, range })
}

/// Integer values as offsets from their minimum, with the range's size
/// (one more code for NULL) and the NULL code; `None` for a wide span.
/// Values under NULL slots count too: they only widen the span.
fn int_codes(values: impl Iterator<Item = i64> + Clone) -> Option<(Vec<u32>, u32, u32)> {
    let (min, max) = values.clone().fold((i64::MAX, i64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let span = (max as i128 - min as i128).max(0) + 1;
    if span >= DIRECT_SLOTS as i128 {
        return None;
    }
    let codes = values.map(|v| v.wrapping_sub(min) as u32).collect();
    Some((codes, span as u32 + 1, span as u32))
}

impl DenseCodes {
    /// Renumbers the codes that occur densely, in code order: a one-byte
    /// string column has 258 codes but usually a handful of values.
    fn compact(&mut self) {
        let mut renumbered = vec![u32::MAX; self.range as usize];
        for c in &self.codes {
            renumbered[*c as usize] = 0;
        }
        let mut used = 0;
        for r in renumbered.iter_mut().filter(|r| **r == 0) {
            *r = used;
            used += 1;
        }
        if used < self.range {
            for c in &mut self.codes {
                *c = renumbered[*c as usize];
            }
            self.range = used;
        }
    }
}

/// Numbers the rows through a direct table when every key column has dense
/// codes whose combined range (after compacting, if need be) is at most
/// `DIRECT_SLOTS`.
fn number_dense_keys(cols: &[ArrayRef]) -> Option<(Vec<u32>, Vec<u32>)> {
    let mut columns = cols.iter().map(dense_codes).collect::<Option<Vec<_>>>()?;
    let range = |columns: &[DenseCodes]| columns.iter().fold(1usize, |p, c| p.saturating_mul(c.range as usize));
    if range(&columns) > DIRECT_SLOTS {
        columns.iter_mut().for_each(DenseCodes::compact);
        if range(&columns) > DIRECT_SLOTS {
            return None;
        }
    }
    let mut columns = columns.into_iter();
    let mut combined = columns.next()?;
    for next in columns {
        for (a, c) in combined.codes.iter_mut().zip(&next.codes) {
            *a = *a * next.range + c;
        }
        combined.range *= next.range;
    }
    let mut numbers = vec![u32::MAX; combined.range as usize];
    let mut firsts = Vec::new();
    let local = combined
        .codes
        .iter()
        .enumerate()
        .map(|(i, code)| {
            let slot = &mut numbers[*code as usize];
            if *slot == u32::MAX {
                *slot = firsts.len() as u32;
                firsts.push(i as u32);
            }
            *slot
        })
        .collect();
    Some((local, firsts))
}

#[inline]
fn slot_of(key: &[u128; 2]) -> usize {
    let words = [key[0] as u64, (key[0] >> 64) as u64, key[1] as u64, (key[1] >> 64) as u64];
    let x = words[0] ^ words[1].rotate_left(17) ^ words[2].rotate_left(31) ^ words[3].rotate_left(47);
    (x.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - LOCAL_SLOTS.trailing_zeros())) as usize
}

/// The chunk's rows numbered by distinct key: `local[i]` is row `i`'s
/// number and `firsts[k]` the first row with number `k`. `None` when the
/// keys are neither dense (see `dense_codes`) nor packable, or packable but
/// more than two, or the chunk has more than `MAX_LOCAL_KEYS` distinct ones.
pub fn number_short_keys(cols: &[ArrayRef]) -> Option<(Vec<u32>, Vec<u32>)> {
    if cols.is_empty() {
        return None;
    }
    if let Some(numbered) = number_dense_keys(cols) {
        return Some(numbered);
    }
    if cols.len() > 2 {
        return None;
    }
    let packed = cols.iter().map(packable).collect::<Option<Vec<_>>>()?;
    let n = cols[0].len();
    // open addressing over (key, number); a run of equal keys skips it
    let mut slots = vec![([0u128; 2], u32::MAX); LOCAL_SLOTS];
    let mut local = Vec::with_capacity(n);
    let mut firsts = Vec::new();
    let mut previous: Option<([u128; 2], u32)> = None;
    for i in 0..n {
        let key = [packed[0].pack(i), packed.get(1).map_or(0, |p| p.pack(i))];
        if let Some((k, number)) = previous {
            if k == key {
                local.push(number);
                continue;
            }
        }
        let mut s = slot_of(&key);
        let number = loop {
            let (k, number) = slots[s];
            if number == u32::MAX {
                if firsts.len() == MAX_LOCAL_KEYS {
                    return None;
                }
                let number = firsts.len() as u32;
                slots[s] = (key, number);
                firsts.push(i as u32);
                break number;
            }
            if k == key {
                break number;
            }
            s = (s + 1) & (LOCAL_SLOTS - 1);
        };
        previous = Some((key, number));
        local.push(number);
    }
    Some((local, firsts))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Int32Array, StringArray};

    use super::*;

    #[test]
    fn rows_with_equal_keys_share_a_number() {
        let s: ArrayRef = Arc::new(StringArray::from(vec![Some("A"), Some("F"), None, Some("A"), Some(""), None]));
        let n: ArrayRef = Arc::new(Int32Array::from(vec![Some(1), Some(1), Some(1), Some(1), Some(1), None]));
        let (local, firsts) = number_short_keys(&[s, n]).unwrap();
        assert_eq!(local, vec![0, 1, 2, 0, 3, 4]);
        assert_eq!(firsts, vec![0, 1, 2, 4, 5]);
        // NULL is neither the empty string nor 0
        let z: ArrayRef = Arc::new(Int32Array::from(vec![Some(0), None, Some(0)]));
        assert_eq!(number_short_keys(&[z]).unwrap().0, vec![0, 1, 0]);
    }

    #[test]
    fn prefixes_stay_apart_when_read_sixteen_bytes_at_a_time() {
        // a long enough buffer that most strings are read with one load
        let words = ["abc", "abcd", "ab", "", "abcdefghijklmno", "b"];
        let values: Vec<&str> = (0..60).map(|i| words[(i * 7) % words.len()]).collect();
        let col: ArrayRef = Arc::new(StringArray::from(values.clone()));
        let (local, firsts) = number_short_keys(&[col]).unwrap();
        assert_eq!(firsts.len(), words.len());
        for i in 0..values.len() {
            for j in 0..values.len() {
                assert_eq!(local[i] == local[j], values[i] == values[j], "{:?} {:?}", values[i], values[j]);
            }
        }
    }

    /// Rows share a number exactly when their keys are equal, and
    /// `firsts[k]` is the first row numbered `k`.
    fn assert_numbering<K: PartialEq + std::fmt::Debug>(keys: &[K], local: &[u32], firsts: &[u32]) {
        assert_eq!(local.len(), keys.len());
        for (k, first) in firsts.iter().enumerate() {
            assert_eq!(local[*first as usize], k as u32);
            assert!(local[..*first as usize].iter().all(|l| *l != k as u32));
        }
        for i in 0..keys.len() {
            for j in 0..keys.len() {
                assert_eq!(local[i] == local[j], keys[i] == keys[j], "{:?} {:?}", keys[i], keys[j]);
            }
        }
    }

    #[test]
    fn tiny_keys_number_through_a_direct_table() {
        // pseudo-random one-byte strings (with '' and NULL) and small
        // integers (negative, with NULL), two and three columns
        let mut seed = 7u64;
        let mut next = |m: u64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        let flags: Vec<Option<&str>> =
            (0..300).map(|_| [Some("A"), Some("N"), Some("R"), Some(""), None][next(5) as usize]).collect();
        let ints: Vec<Option<i32>> =
            (0..300).map(|_| if next(7) == 0 { None } else { Some(next(9) as i32 - 4) }).collect();
        let dates: Vec<Option<i32>> = (0..300).map(|_| Some(19_000 + next(3) as i32)).collect();
        let f: ArrayRef = Arc::new(StringArray::from(flags.clone()));
        let i: ArrayRef = Arc::new(Int32Array::from(ints.clone()));
        let d: ArrayRef = Arc::new(arrow::array::Date32Array::from(dates.clone()));
        let keys: Vec<_> = (0..300).map(|r| (flags[r], ints[r], dates[r])).collect();
        let (local, firsts) = number_dense_keys(&[f.clone(), i.clone(), d.clone()]).expect("dense");
        assert_numbering(&keys, &local, &firsts);
        let pairs: Vec<_> = (0..300).map(|r| (flags[r], ints[r])).collect();
        let (local, firsts) = number_short_keys(&[f, i]).unwrap();
        assert_numbering(&pairs, &local, &firsts);
    }

    #[test]
    fn wide_codes_compact_or_fall_back_to_packed_keys() {
        // 258 * 258 codes exceed the direct table, the 4 * 3 used ones do not
        let a: Vec<&str> = (0..40).map(|r| ["x", "y", "", "z"][r % 4]).collect();
        let b: Vec<&str> = (0..40).map(|r| ["p", "q", "r"][r % 3]).collect();
        let cols: Vec<ArrayRef> = vec![Arc::new(StringArray::from(a.clone())), Arc::new(StringArray::from(b.clone()))];
        let keys: Vec<_> = a.iter().zip(&b).collect();
        let (local, firsts) = number_dense_keys(&cols).expect("compacted");
        assert_numbering(&keys, &local, &firsts);
        // two integer columns of 100 values each: 10,000 combined codes
        let x: Vec<i32> = (0..200).map(|r| r % 100).collect();
        let y: Vec<i32> = (0..200).map(|r| (r * 7) % 100).collect();
        let cols: Vec<ArrayRef> = vec![Arc::new(Int32Array::from(x.clone())), Arc::new(Int32Array::from(y.clone()))];
        assert!(number_dense_keys(&cols).is_none());
        let (local, firsts) = number_short_keys(&cols).unwrap();
        let keys: Vec<_> = x.iter().zip(&y).collect();
        assert_numbering(&keys, &local, &firsts);
        // a two-byte string is not dense either
        let two: ArrayRef = Arc::new(StringArray::from(vec!["ab", "a"]));
        assert!(number_dense_keys(&[two]).is_none());
        // nor is an integer span of DIRECT_SLOTS, or one that overflows i64
        let span: ArrayRef = Arc::new(arrow::array::Int64Array::from(vec![0, DIRECT_SLOTS as i64]));
        assert!(number_dense_keys(&[span]).is_none());
        let extremes: ArrayRef = Arc::new(arrow::array::Int64Array::from(vec![i64::MIN, i64::MAX]));
        assert!(number_dense_keys(&[extremes]).is_none());
    }

    #[test]
    fn long_strings_wide_keys_and_many_keys_decline() {
        let long: ArrayRef = Arc::new(StringArray::from(vec!["sixteen bytes..."]));
        assert!(number_short_keys(&[long]).is_none());
        let many: ArrayRef = Arc::new(Int32Array::from((0..5000).collect::<Vec<_>>()));
        assert!(number_short_keys(std::slice::from_ref(&many)).is_none());
        assert!(number_short_keys(&[many.clone(), many.clone(), many]).is_none());
    }
}
