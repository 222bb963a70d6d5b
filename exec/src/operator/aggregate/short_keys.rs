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

use std::collections::HashMap;

use arrow::array::{Array, ArrayRef, AsArray, StringArray};
use arrow::datatypes::{DataType, Int16Type, Int32Type, Int64Type, Int8Type};

/// Distinct keys per chunk beyond which the local map is abandoned.
const MAX_LOCAL_KEYS: usize = 256;

/// A key column readable as one `u128` per row.
enum Packable<'a> {
    /// Strings of at most 15 bytes: the bytes, then the length (a NULL has
    /// length 255).
    Str(&'a StringArray),
    /// Integers: the value, and a flag bit above it for NULL.
    Int(Vec<i64>, Option<&'a arrow::buffer::NullBuffer>),
}

impl Packable<'_> {
    #[inline]
    fn pack(&self, i: usize) -> u128 {
        match self {
            Packable::Str(a) => {
                if a.is_null(i) {
                    return 255 << 120;
                }
                let bytes = a.value(i).as_bytes();
                let mut buf = [0u8; 16];
                buf[..bytes.len()].copy_from_slice(bytes);
                buf[15] = bytes.len() as u8;
                u128::from_le_bytes(buf)
            }
            Packable::Int(values, nulls) => {
                let null = nulls.is_some_and(|n| n.is_null(i));
                if null {
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
    match col.data_type() {
        DataType::Utf8 => {
            let a = col.as_string::<i32>();
            let longest = a.offsets().windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
            (longest <= 15).then_some(Packable::Str(a))
        }
        DataType::Int8 => {
            Some(Packable::Int(col.as_primitive::<Int8Type>().values().iter().map(|v| *v as i64).collect(), nulls))
        }
        DataType::Int16 => {
            Some(Packable::Int(col.as_primitive::<Int16Type>().values().iter().map(|v| *v as i64).collect(), nulls))
        }
        DataType::Int32 => {
            Some(Packable::Int(col.as_primitive::<Int32Type>().values().iter().map(|v| *v as i64).collect(), nulls))
        }
        DataType::Date32 => Some(Packable::Int(
            col.as_primitive::<arrow::datatypes::Date32Type>().values().iter().map(|v| *v as i64).collect(),
            nulls,
        )),
        DataType::Int64 => Some(Packable::Int(col.as_primitive::<Int64Type>().values().to_vec(), nulls)),
        _ => None,
    }
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
    let mut numbers: HashMap<[u128; 2], u32, ahash::RandomState> = HashMap::default();
    let mut local = Vec::with_capacity(n);
    let mut firsts = Vec::new();
    for i in 0..n {
        let key = [packed[0].pack(i), packed.get(1).map_or(0, |p| p.pack(i))];
        let next = firsts.len() as u32;
        let k = *numbers.entry(key).or_insert(next);
        if k == next {
            if firsts.len() == MAX_LOCAL_KEYS {
                return None;
            }
            firsts.push(i as u32);
        }
        local.push(k);
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
    fn long_strings_wide_keys_and_many_keys_decline() {
        let long: ArrayRef = Arc::new(StringArray::from(vec!["sixteen bytes..."]));
        assert!(number_short_keys(&[long]).is_none());
        let many: ArrayRef = Arc::new(Int32Array::from((0..1000).collect::<Vec<_>>()));
        assert!(number_short_keys(std::slice::from_ref(&many)).is_none());
        assert!(number_short_keys(&[many.clone(), many.clone(), many]).is_none());
    }
}
