//! Spark's `hash(...)`: Murmur3 x86_32 with seed 42, chained through the
//! arguments (each argument's hash is the seed of the next; NULL leaves the
//! running hash unchanged). Per type: ints/dates/booleans via `hashInt`,
//! longs/timestamps via `hashLong`, floats by their (canonical-NaN) bits
//! with -0.0 as 0.0, decimals of precision <= 18 via `hashLong` of the
//! unscaled value and wider ones via the bytes of `BigInteger.toByteArray`,
//! strings and binary via Spark's `hashUnsafeBytes` (which mixes the tail
//! bytes one at a time, unlike reference Murmur3).

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Int32Array};
use arrow::datatypes::*;
use ember_core::{Error, Result};

use super::Ctx;

const C1: u32 = 0xcc9e_2d51;
const C2: u32 = 0x1b87_3593;

pub(super) fn eval(c: &Ctx) -> Option<Result<ArrayRef>> {
    Some(match c.name {
        "hash" => hash(c),
        "xxhash64" => xxhash64(c),
        _ => return None,
    })
}

#[inline(always)]
fn mix_k1(k1: u32) -> u32 {
    k1.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2)
}

#[inline(always)]
fn mix_h1(h1: u32, k1: u32) -> u32 {
    (h1 ^ k1).rotate_left(13).wrapping_mul(5).wrapping_add(0xe654_6b64)
}

#[inline(always)]
fn fmix(mut h1: u32, len: u32) -> u32 {
    h1 ^= len;
    h1 ^= h1 >> 16;
    h1 = h1.wrapping_mul(0x85eb_ca6b);
    h1 ^= h1 >> 13;
    h1 = h1.wrapping_mul(0xc2b2_ae35);
    h1 ^ (h1 >> 16)
}

/// Spark's `Murmur3_x86_32.hashInt`.
#[inline(always)]
pub fn murmur3_hash_int(v: i32, seed: i32) -> i32 {
    fmix(mix_h1(seed as u32, mix_k1(v as u32)), 4) as i32
}

/// Spark's `Murmur3_x86_32.hashLong`.
#[inline(always)]
pub fn murmur3_hash_long(v: i64, seed: i32) -> i32 {
    let low = v as u32;
    let high = (v as u64 >> 32) as u32;
    let h1 = mix_h1(seed as u32, mix_k1(low));
    let h1 = mix_h1(h1, mix_k1(high));
    fmix(h1, 8) as i32
}

/// Spark's `Murmur3_x86_32.hashUnsafeBytes`.
pub fn murmur3_hash_bytes(b: &[u8], seed: i32) -> i32 {
    let aligned = b.len() - b.len() % 4;
    let mut h1 = seed as u32;
    for chunk in b[..aligned].chunks_exact(4) {
        let word = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        h1 = mix_h1(h1, mix_k1(word));
    }
    for &byte in &b[aligned..] {
        // Java bytes are signed
        h1 = mix_h1(h1, mix_k1(byte as i8 as i32 as u32));
    }
    fmix(h1, b.len() as u32) as i32
}

/// `BigInteger.toByteArray`: minimal big-endian two's complement.
fn big_integer_bytes(v: i128) -> Vec<u8> {
    let bytes = v.to_be_bytes();
    let mut start = 0;
    while start < 15 {
        let (b, next) = (bytes[start], bytes[start + 1]);
        if (b == 0 && next & 0x80 == 0) || (b == 0xFF && next & 0x80 != 0) {
            start += 1;
        } else {
            break;
        }
    }
    bytes[start..].to_vec()
}

/// A row hash Spark chains through values: each value's hash seeds the next.
trait RowHash: Copy {
    fn int(v: i32, seed: Self) -> Self;
    fn long(v: i64, seed: Self) -> Self;
    fn bytes(b: &[u8], seed: Self) -> Self;
}

impl RowHash for i32 {
    fn int(v: i32, seed: i32) -> i32 {
        murmur3_hash_int(v, seed)
    }
    fn long(v: i64, seed: i32) -> i32 {
        murmur3_hash_long(v, seed)
    }
    fn bytes(b: &[u8], seed: i32) -> i32 {
        murmur3_hash_bytes(b, seed)
    }
}

/// Spark's `XxHash64` (seed 42 for `xxhash64(...)`).
impl RowHash for i64 {
    fn int(v: i32, seed: i64) -> i64 {
        super::digest::xxhash64(&v.to_le_bytes(), seed as u64) as i64
    }
    fn long(v: i64, seed: i64) -> i64 {
        super::digest::xxhash64(&v.to_le_bytes(), seed as u64) as i64
    }
    fn bytes(b: &[u8], seed: i64) -> i64 {
        super::digest::xxhash64(b, seed as u64) as i64
    }
}

/// Folds one column into the running per-row hashes; arrays hash their
/// elements in order, structs their fields, maps each key then value.
fn hash_column<H: RowHash>(a: &ArrayRef, h: &mut [H]) -> Result<()> {
    macro_rules! each {
        ($arr:expr, |$v:ident, $seed:ident| $f:expr) => {{
            let arr = $arr;
            for (i, slot) in h.iter_mut().enumerate() {
                if arr.is_valid(i) {
                    let $v = arr.value(i);
                    let $seed = *slot;
                    *slot = $f;
                }
            }
        }};
    }
    match a.data_type() {
        DataType::Null => {}
        DataType::Boolean => each!(a.as_boolean(), |v, s| H::int(v as i32, s)),
        DataType::Int8 => each!(a.as_primitive::<Int8Type>(), |v, s| H::int(v as i32, s)),
        DataType::Int16 => each!(a.as_primitive::<Int16Type>(), |v, s| H::int(v as i32, s)),
        DataType::Int32 => each!(a.as_primitive::<Int32Type>(), |v, s| H::int(v, s)),
        DataType::Date32 => each!(a.as_primitive::<Date32Type>(), |v, s| H::int(v, s)),
        DataType::Interval(IntervalUnit::YearMonth) => {
            each!(a.as_primitive::<IntervalYearMonthType>(), |v, s| H::int(v, s))
        }
        DataType::Int64 => each!(a.as_primitive::<Int64Type>(), |v, s| H::long(v, s)),
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            each!(a.as_primitive::<TimestampMicrosecondType>(), |v, s| H::long(v, s))
        }
        DataType::Duration(TimeUnit::Microsecond) => {
            each!(a.as_primitive::<DurationMicrosecondType>(), |v, s| H::long(v, s))
        }
        DataType::Float32 => each!(a.as_primitive::<Float32Type>(), |v, s| {
            let v = if v == 0.0 { 0.0f32 } else { v };
            let bits = if v.is_nan() { 0x7fc0_0000 } else { v.to_bits() as i32 };
            H::int(bits, s)
        }),
        DataType::Float64 => each!(a.as_primitive::<Float64Type>(), |v, s| {
            let v = if v == 0.0 { 0.0f64 } else { v };
            let bits = if v.is_nan() { 0x7ff8_0000_0000_0000 } else { v.to_bits() as i64 };
            H::long(bits, s)
        }),
        DataType::Decimal128(p, _) => {
            if *p <= 18 {
                each!(a.as_primitive::<Decimal128Type>(), |v, s| H::long(v as i64, s))
            } else {
                each!(a.as_primitive::<Decimal128Type>(), |v, s| H::bytes(&big_integer_bytes(v), s))
            }
        }
        DataType::Utf8 => each!(a.as_string::<i32>(), |v, s| H::bytes(v.as_bytes(), s)),
        DataType::LargeUtf8 => each!(a.as_string::<i64>(), |v, s| H::bytes(v.as_bytes(), s)),
        DataType::Binary => each!(a.as_binary::<i32>(), |v, s| H::bytes(v, s)),
        DataType::List(_) => {
            let l = a.as_list::<i32>();
            for (i, slot) in h.iter_mut().enumerate() {
                if l.is_valid(i) {
                    let elems = l.value(i);
                    let mut one = [*slot];
                    for k in 0..elems.len() {
                        hash_column(&elems.slice(k, 1), &mut one)?;
                    }
                    *slot = one[0];
                }
            }
        }
        DataType::Struct(_) => {
            let st = a.as_struct();
            for (i, slot) in h.iter_mut().enumerate() {
                if st.is_valid(i) {
                    let mut one = [*slot];
                    for col in st.columns() {
                        hash_column(&col.slice(i, 1), &mut one)?;
                    }
                    *slot = one[0];
                }
            }
        }
        DataType::Map(_, _) => {
            let m = a.as_map();
            let offsets = m.value_offsets();
            for (i, slot) in h.iter_mut().enumerate() {
                if m.is_valid(i) {
                    let mut one = [*slot];
                    for k in offsets[i] as usize..offsets[i + 1] as usize {
                        hash_column(&m.keys().slice(k, 1), &mut one)?;
                        hash_column(&m.values().slice(k, 1), &mut one)?;
                    }
                    *slot = one[0];
                }
            }
        }
        other => return Err(Error::not_implemented(format!("hash of {other}"))),
    }
    Ok(())
}

/// Spark's `Murmur3Hash(columns, seed)` per row (`hash(...)` uses seed 42;
/// `HashPartitioning` uses it too, then `pmod(hash, numPartitions)`).
pub fn spark_murmur3_hash(columns: &[ArrayRef], seed: i32, num_rows: usize) -> Result<Vec<i32>> {
    let mut h = vec![seed; num_rows];
    for col in columns {
        hash_column(col, &mut h)?;
    }
    Ok(h)
}

fn hash(c: &Ctx) -> Result<ArrayRef> {
    let cols: Vec<ArrayRef> = c.args.iter().map(|a| a.clone().into_array(c.n)).collect();
    Ok(Arc::new(Int32Array::from(spark_murmur3_hash(&cols, 42, c.n)?)))
}

/// Spark's `xxhash64(...)`: XXH64 with seed 42, chained like `hash`.
fn xxhash64(c: &Ctx) -> Result<ArrayRef> {
    let mut h = vec![42i64; c.n];
    for a in c.args {
        hash_column(&a.clone().into_array(c.n), &mut h)?;
    }
    Ok(Arc::new(arrow::array::Int64Array::from(h)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spark_known_hashes() {
        // SELECT hash(1) -> -559580957 ; hash(NULL) -> 42
        assert_eq!(murmur3_hash_int(1, 42), -559580957);
        assert_eq!(murmur3_hash_int(0, 42), 933211791);
        assert_eq!(murmur3_hash_int(4, 42), -397064898);
        assert_eq!(big_integer_bytes(127), vec![0x7F]);
        assert_eq!(big_integer_bytes(128), vec![0x00, 0x80]);
        assert_eq!(big_integer_bytes(-1), vec![0xFF]);
        assert_eq!(big_integer_bytes(-129), vec![0xFF, 0x7F]);
    }
}
