//! Key encodings for hash tables (joins, aggregation).
//!
//! One integer-like key column (ints, dates) is kept as plain `i64`s: no
//! per-row encoding, a multiply-fold hash and an integer compare. Other key
//! lists of primitive and string types are encoded as compact key rows
//! (`key_rows`), anything else as arrow-row bytes; both are hashed with
//! ahash and compared bytewise. A hash join's integer key columns that fit
//! in one `i64` together are packed into it (`packed_keys`) and then treated
//! as one integer key. NULL keys are reported separately: joins skip them, aggregation
//! groups them together.

use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, BooleanBufferBuilder, Int64Array, PrimitiveArray};
use arrow::buffer::NullBuffer;
use arrow::compute::cast;
use arrow::datatypes::{DataType, Int64Type};
use arrow::row::{RowConverter, Rows, SortField};
use ember_core::Result;

use crate::operator::key_rows::KeyRows;
use crate::operator::packed_keys::PackedIntKeys;

/// How keys of given types are encoded; shared by every user of one table.
pub enum KeyEncoder {
    Int {
        data_type: DataType,
    },
    /// Several integer columns in one `i64` (`EncodedKeys::Int`).
    Packed(PackedIntKeys),
    Compact {
        types: Vec<DataType>,
        hasher: ahash::RandomState,
    },
    Rows {
        converter: Arc<RowConverter>,
        hasher: ahash::RandomState,
    },
}

/// Encoded keys of a chunk (or of a whole build side).
pub enum EncodedKeys {
    /// `null` is empty when no key is NULL, else one flag per value.
    Int {
        values: Vec<i64>,
        null: Vec<bool>,
    },
    Compact(KeyRows),
    Rows(Rows),
}

pub(crate) fn is_int_like(t: &DataType) -> bool {
    matches!(t, DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 | DataType::Date32)
}

/// Spreads integer keys over the hash space (multiply, then fold the halves).
#[inline]
pub fn hash_i64(v: i64) -> u64 {
    let m = (v as u64 as u128).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (m as u64) ^ ((m >> 64) as u64)
}

/// Radix partitions of large hash tables (aggregation, join build): enough
/// for every worker of a 16-core machine to take several.
pub const RADIX_PARTITIONS: usize = 64;

/// The radix partition of a key hash, of `partitions` (a power of two). The
/// bits are clear of those a `TagIndex` starts its search from (the low 32),
/// so a partition's keys still spread over its table.
#[inline]
pub fn radix_partition(hash: u64, partitions: usize) -> usize {
    (hash >> 40) as usize & (partitions - 1)
}

impl KeyEncoder {
    pub fn new(types: &[DataType]) -> Result<KeyEncoder> {
        if types.len() == 1 && is_int_like(&types[0]) {
            return Ok(KeyEncoder::Int { data_type: types[0].clone() });
        }
        if !types.is_empty() && KeyRows::supports(types) {
            return Ok(KeyEncoder::Compact { types: types.to_vec(), hasher: ahash::RandomState::new() });
        }
        let fields: Vec<SortField> = if types.is_empty() {
            vec![SortField::new(DataType::Boolean)]
        } else {
            types.iter().map(|t| SortField::new(t.clone())).collect()
        };
        Ok(KeyEncoder::Rows { converter: Arc::new(RowConverter::new(fields)?), hasher: ahash::RandomState::new() })
    }

    pub fn encode(&self, cols: &[ArrayRef]) -> Result<EncodedKeys> {
        match self {
            KeyEncoder::Int { .. } => {
                let c = if cols[0].data_type() == &DataType::Int64 {
                    cols[0].clone()
                } else {
                    cast(&cols[0], &DataType::Int64)?
                };
                let a = c.as_primitive::<Int64Type>();
                let mut values = a.values().to_vec();
                let mut null = Vec::new();
                if let Some(n) = a.nulls().filter(|n| n.null_count() > 0) {
                    null = n.iter().map(|valid| !valid).collect();
                    // values under NULL are arbitrary: make equal NULL keys equal
                    for (v, is_null) in values.iter_mut().zip(null.iter()) {
                        if *is_null {
                            *v = 0;
                        }
                    }
                }
                Ok(EncodedKeys::Int { values, null })
            }
            KeyEncoder::Packed(packing) => {
                let (values, null) = packing.pack(cols)?;
                Ok(EncodedKeys::Int { values, null })
            }
            KeyEncoder::Compact { .. } => Ok(EncodedKeys::Compact(KeyRows::encode(cols)?)),
            KeyEncoder::Rows { converter, .. } => Ok(EncodedKeys::Rows(converter.convert_columns(cols)?)),
        }
    }

    /// Empty, growable key storage (aggregation groups).
    pub fn empty(&self) -> EncodedKeys {
        match self {
            KeyEncoder::Int { .. } | KeyEncoder::Packed(_) => EncodedKeys::Int { values: vec![], null: vec![] },
            KeyEncoder::Compact { .. } => EncodedKeys::Compact(KeyRows::new()),
            KeyEncoder::Rows { converter, .. } => EncodedKeys::Rows(converter.empty_rows(0, 0)),
        }
    }

    #[inline]
    pub fn hash(&self, keys: &EncodedKeys, i: usize) -> u64 {
        match (self, keys) {
            (_, EncodedKeys::Int { values, .. }) => hash_i64(values[i]),
            (KeyEncoder::Rows { hasher, .. }, EncodedKeys::Rows(rows)) => {
                let mut h = hasher.build_hasher();
                h.write(rows.row(i).as_ref());
                h.finish()
            }
            (KeyEncoder::Compact { hasher, .. }, EncodedKeys::Compact(rows)) => hasher.hash_one(rows.row(i)),
            _ => 0,
        }
    }

    /// The hash of each of the first `n` keys of `keys`. An encoded key row
    /// equal to the one before takes its hash without being hashed again:
    /// clustered keys repeat in runs, and a compare costs less than hashing
    /// the bytes (integers are hashed in fewer operations than compared).
    pub fn hashes(&self, keys: &EncodedKeys, n: usize) -> Vec<u64> {
        if let EncodedKeys::Int { .. } = keys {
            return (0..n).map(|i| self.hash(keys, i)).collect();
        }
        let mut hashes: Vec<u64> = Vec::with_capacity(n);
        for i in 0..n {
            let h = match hashes.last() {
                Some(h) if keys.equals(i - 1, keys, i) => *h,
                _ => self.hash(keys, i),
            };
            hashes.push(h);
        }
        hashes
    }

    /// The hash of a table entry's tag (see `EncodedKeys::tag`).
    #[inline]
    pub fn rehash(&self, tag: u64) -> u64 {
        match self {
            KeyEncoder::Int { .. } | KeyEncoder::Packed(_) => hash_i64(tag as i64),
            KeyEncoder::Compact { .. } | KeyEncoder::Rows { .. } => tag,
        }
    }

    /// Decodes stored keys back into columns of the original types.
    pub fn decode(&self, keys: &EncodedKeys) -> Result<Vec<ArrayRef>> {
        match (self, keys) {
            (KeyEncoder::Int { data_type }, EncodedKeys::Int { values, null }) => {
                let nulls = if null.is_empty() {
                    None
                } else {
                    let mut b = BooleanBufferBuilder::new(values.len());
                    for n in null {
                        b.append(!n);
                    }
                    Some(NullBuffer::new(b.finish()))
                };
                let arr: Int64Array = PrimitiveArray::new(values.clone().into(), nulls);
                let arr: ArrayRef = Arc::new(arr);
                Ok(vec![if data_type == &DataType::Int64 { arr } else { cast(&arr, data_type)? }])
            }
            (KeyEncoder::Packed(packing), EncodedKeys::Int { values, null }) => packing.unpack(values, null),
            (KeyEncoder::Compact { types, .. }, EncodedKeys::Compact(rows)) => rows.decode(types),
            (KeyEncoder::Rows { converter, .. }, EncodedKeys::Rows(rows)) => Ok(converter.convert_rows(rows.iter())?),
            _ => Err(ember_core::Error::internal("key storage of another encoding")),
        }
    }
}

impl EncodedKeys {
    pub fn len(&self) -> usize {
        match self {
            EncodedKeys::Int { values, .. } => values.len(),
            EncodedKeys::Compact(r) => r.len(),
            EncodedKeys::Rows(r) => r.num_rows(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// What a hash-table entry stores to recognise key `i` (whose hash is
    /// `hash`): the key itself for non-NULL integers, else the hash.
    #[inline]
    pub fn tag(&self, i: usize, hash: u64) -> u64 {
        match self {
            EncodedKeys::Int { values, .. } => values[i] as u64,
            EncodedKeys::Compact(_) | EncodedKeys::Rows(_) => hash,
        }
    }

    /// Whether equal tags mean equal keys (integer keys without NULLs;
    /// NULL integer keys share the tag of 0, so they still compare).
    #[inline]
    pub fn tag_is_key(&self) -> bool {
        matches!(self, EncodedKeys::Int { null, .. } if null.is_empty())
    }

    pub fn is_null(&self, i: usize) -> bool {
        match self {
            EncodedKeys::Int { null, .. } => null.get(i).copied().unwrap_or(false),
            EncodedKeys::Compact(_) | EncodedKeys::Rows(_) => false,
        }
    }

    /// Key `i` of `self` equals key `j` of `other` (same encoder).
    #[inline]
    pub fn equals(&self, i: usize, other: &EncodedKeys, j: usize) -> bool {
        match (self, other) {
            (EncodedKeys::Int { values: a, .. }, EncodedKeys::Int { values: b, .. }) => {
                a[i] == b[j] && self.is_null(i) == other.is_null(j)
            }
            (EncodedKeys::Compact(a), EncodedKeys::Compact(b)) => a.row(i) == b.row(j),
            (EncodedKeys::Rows(a), EncodedKeys::Rows(b)) => a.row(i) == b.row(j),
            _ => false,
        }
    }

    /// Appends key `i` of `from` (same encoder).
    pub fn push_from(&mut self, from: &EncodedKeys, i: usize) {
        match (&mut *self, from) {
            (EncodedKeys::Int { values, null }, EncodedKeys::Int { values: src, .. }) => {
                let is_null = from.is_null(i);
                if is_null || !null.is_empty() {
                    null.resize(values.len(), false);
                    null.push(is_null);
                }
                values.push(src[i]);
            }
            (EncodedKeys::Compact(rows), EncodedKeys::Compact(src)) => rows.push_from(src, i),
            (EncodedKeys::Rows(rows), EncodedKeys::Rows(src)) => rows.push(src.row(i)),
            _ => {}
        }
    }

    /// Room for `n` more keys (arrow rows: none reserved).
    pub fn reserve(&mut self, n: usize) {
        match self {
            EncodedKeys::Int { values, .. } => values.reserve(n),
            EncodedKeys::Compact(rows) => rows.reserve(n),
            EncodedKeys::Rows(_) => {}
        }
    }

    pub fn memory_size(&self) -> usize {
        match self {
            EncodedKeys::Int { values, .. } => values.capacity() * 8,
            EncodedKeys::Compact(r) => r.memory_size(),
            EncodedKeys::Rows(r) => r.size(),
        }
    }
}
