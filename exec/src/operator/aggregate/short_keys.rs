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

#[inline]
fn slot_of(key: &[u128; 2]) -> usize {
    let words = [key[0] as u64, (key[0] >> 64) as u64, key[1] as u64, (key[1] >> 64) as u64];
    let x = words[0] ^ words[1].rotate_left(17) ^ words[2].rotate_left(31) ^ words[3].rotate_left(47);
    (x.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - LOCAL_SLOTS.trailing_zeros())) as usize
}

/// The chunk's rows numbered by distinct key: `local[i]` is row `i`'s
/// number and `firsts[k]` the first row with number `k`. `None` when a key
/// column cannot be packed, there are more than two, or the chunk has more
/// than `MAX_LOCAL_KEYS` distinct keys.
pub fn number_short_keys(cols: &[ArrayRef]) -> Option<(Vec<u32>, Vec<u32>)> {
    if cols.is_empty() || cols.len() > 2 {
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

    #[test]
    fn long_strings_wide_keys_and_many_keys_decline() {
        let long: ArrayRef = Arc::new(StringArray::from(vec!["sixteen bytes..."]));
        assert!(number_short_keys(&[long]).is_none());
        let many: ArrayRef = Arc::new(Int32Array::from((0..1000).collect::<Vec<_>>()));
        assert!(number_short_keys(std::slice::from_ref(&many)).is_none());
        assert!(number_short_keys(&[many.clone(), many.clone(), many]).is_none());
    }
}
