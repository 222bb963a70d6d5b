//! Compact key rows: several key columns as one byte string per row, for
//! hashing and equality only (hash tables of joins and aggregations).
//!
//! Unlike arrow's order-preserving row format, nothing here has to sort, so
//! a value is stored as briefly as it can be: a null flag byte, then the
//! value's little-endian bytes, or for strings a 4-byte length and the bytes
//! (arrow's format spends 33 bytes on a one-character string). NULL values
//! store zeros, so equal keys have equal bytes. Floating-point keys are
//! normalized as Spark groups them: every NaN is one key, and -0.0 is 0.0.
//!
//! Only the types below are supported ([`KeyRows::supports`]); other key
//! lists use arrow's row format.

use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, BinaryBuilder, BooleanBuilder, PrimitiveArray, PrimitiveBuilder, StringBuilder,
};
use arrow::datatypes::{
    ArrowPrimitiveType, DataType, Date32Type, Decimal128Type, Float32Type, Float64Type, Int16Type, Int32Type,
    Int64Type, Int8Type, TimeUnit, TimestampMicrosecondType,
};
use ember_core::{Error, Result};

/// Encoded keys: row `i` is `data[offsets[i]..offsets[i + 1]]`.
#[derive(Debug, Clone)]
pub struct KeyRows {
    offsets: Vec<usize>,
    data: Vec<u8>,
}

/// Bytes of a fixed-width value of `t` (`None`: variable or unsupported).
fn fixed_width(t: &DataType) -> Option<usize> {
    Some(match t {
        DataType::Boolean | DataType::Int8 => 1,
        DataType::Int16 => 2,
        DataType::Int32 | DataType::Date32 | DataType::Float32 => 4,
        DataType::Int64 | DataType::Float64 | DataType::Timestamp(TimeUnit::Microsecond, _) => 8,
        DataType::Decimal128(_, _) => 16,
        _ => return None,
    })
}

impl Default for KeyRows {
    fn default() -> Self {
        KeyRows::new()
    }
}

impl KeyRows {
    /// Whether key columns of these types can be encoded.
    pub fn supports(types: &[DataType]) -> bool {
        types.iter().all(|t| fixed_width(t).is_some() || matches!(t, DataType::Utf8 | DataType::Binary))
    }

    pub fn new() -> KeyRows {
        KeyRows { offsets: vec![0], data: Vec::new() }
    }

    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[inline]
    pub fn row(&self, i: usize) -> &[u8] {
        &self.data[self.offsets[i]..self.offsets[i + 1]]
    }

    /// Appends row `i` of `other`.
    pub fn push_from(&mut self, other: &KeyRows, i: usize) {
        self.data.extend_from_slice(other.row(i));
        self.offsets.push(self.data.len());
    }

    /// Room for `n` more rows (their bytes grow as needed).
    pub fn reserve(&mut self, n: usize) {
        self.offsets.reserve(n);
    }

    pub fn memory_size(&self) -> usize {
        self.offsets.capacity() * std::mem::size_of::<usize>() + self.data.capacity()
    }

    /// Encodes the rows of `columns` (all of one length, supported types).
    pub fn encode(columns: &[ArrayRef]) -> Result<KeyRows> {
        let n = columns.first().map_or(0, |c| c.len());
        // row widths first, so every value is written straight into place
        let mut fixed = 0;
        for c in columns {
            fixed += 1 + match c.data_type() {
                DataType::Utf8 | DataType::Binary => 4,
                t => fixed_width(t).ok_or_else(|| Error::internal(format!("key rows cannot hold {t}")))?,
            };
        }
        // row widths column by column (each column downcast once), then offsets
        let mut widths = vec![fixed; n];
        for c in columns {
            match c.data_type() {
                DataType::Utf8 => add_lengths(c.as_string::<i32>().offsets(), c.nulls(), &mut widths),
                DataType::Binary => add_lengths(c.as_binary::<i32>().offsets(), c.nulls(), &mut widths),
                _ => {}
            }
        }
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0usize);
        let mut total = 0usize;
        for w in widths {
            total += w;
            offsets.push(total);
        }
        let mut data = vec![0u8; total];
        // where the next column of each row goes
        let mut cursor: Vec<usize> = offsets[..n].to_vec();
        for c in columns {
            write_column(c, &mut data, &mut cursor)?;
        }
        Ok(KeyRows { offsets, data })
    }

    /// Decodes the rows back into columns of `types`.
    pub fn decode(&self, types: &[DataType]) -> Result<Vec<ArrayRef>> {
        let n = self.len();
        let mut cursor: Vec<usize> = self.offsets[..n].to_vec();
        types.iter().map(|t| self.read_column(t, &mut cursor)).collect()
    }

    fn read_column(&self, t: &DataType, cursor: &mut [usize]) -> Result<ArrayRef> {
        let data = &self.data;
        Ok(match t {
            DataType::Boolean => {
                let mut b = BooleanBuilder::with_capacity(cursor.len());
                for c in cursor.iter_mut() {
                    b.append_option((data[*c] == 0).then_some(data[*c + 1] != 0));
                    *c += 2;
                }
                Arc::new(b.finish())
            }
            DataType::Int8 => read_primitive::<Int8Type, 1>(data, cursor, i8::from_le_bytes, t),
            DataType::Int16 => read_primitive::<Int16Type, 2>(data, cursor, i16::from_le_bytes, t),
            DataType::Int32 => read_primitive::<Int32Type, 4>(data, cursor, i32::from_le_bytes, t),
            DataType::Date32 => read_primitive::<Date32Type, 4>(data, cursor, i32::from_le_bytes, t),
            DataType::Float32 => read_primitive::<Float32Type, 4>(data, cursor, f32::from_le_bytes, t),
            DataType::Int64 => read_primitive::<Int64Type, 8>(data, cursor, i64::from_le_bytes, t),
            DataType::Float64 => read_primitive::<Float64Type, 8>(data, cursor, f64::from_le_bytes, t),
            DataType::Timestamp(TimeUnit::Microsecond, _) => {
                read_primitive::<TimestampMicrosecondType, 8>(data, cursor, i64::from_le_bytes, t)
            }
            DataType::Decimal128(_, _) => read_primitive::<Decimal128Type, 16>(data, cursor, i128::from_le_bytes, t),
            DataType::Utf8 => {
                let mut b = StringBuilder::with_capacity(cursor.len(), 0);
                for c in cursor.iter_mut() {
                    match read_bytes(data, c) {
                        Some(bytes) => b.append_value(
                            std::str::from_utf8(bytes).map_err(|_| Error::internal("key rows: invalid UTF-8"))?,
                        ),
                        None => b.append_null(),
                    }
                }
                Arc::new(b.finish())
            }
            DataType::Binary => {
                let mut b = BinaryBuilder::with_capacity(cursor.len(), 0);
                for c in cursor.iter_mut() {
                    b.append_option(read_bytes(data, c));
                }
                Arc::new(b.finish())
            }
            other => return Err(Error::internal(format!("key rows cannot hold {other}"))),
        })
    }
}

/// Adds each non-NULL value's byte length (NULL slots may span bytes too).
fn add_lengths(offsets: &[i32], nulls: Option<&arrow::buffer::NullBuffer>, widths: &mut [usize]) {
    for (i, w) in widths.iter_mut().enumerate() {
        let len = (offsets[i + 1] - offsets[i]) as usize;
        *w += if nulls.is_some_and(|n| n.is_null(i)) { 0 } else { len };
    }
}

/// Writes one column's value (null flag, then bytes) into every row.
fn write_column(c: &ArrayRef, data: &mut [u8], cursor: &mut [usize]) -> Result<()> {
    match c.data_type() {
        DataType::Boolean => {
            let a = c.as_boolean();
            for (i, at) in cursor.iter_mut().enumerate() {
                if a.is_valid(i) {
                    data[*at + 1] = a.value(i) as u8;
                } else {
                    data[*at] = 1;
                }
                *at += 2;
            }
        }
        DataType::Int8 => write_primitive::<Int8Type, 1>(c, data, cursor, |v| v.to_le_bytes()),
        DataType::Int16 => write_primitive::<Int16Type, 2>(c, data, cursor, |v| v.to_le_bytes()),
        DataType::Int32 => write_primitive::<Int32Type, 4>(c, data, cursor, |v| v.to_le_bytes()),
        DataType::Date32 => write_primitive::<Date32Type, 4>(c, data, cursor, |v| v.to_le_bytes()),
        DataType::Int64 => write_primitive::<Int64Type, 8>(c, data, cursor, |v| v.to_le_bytes()),
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            write_primitive::<TimestampMicrosecondType, 8>(c, data, cursor, |v| v.to_le_bytes())
        }
        DataType::Decimal128(_, _) => write_primitive::<Decimal128Type, 16>(c, data, cursor, |v| v.to_le_bytes()),
        DataType::Float32 => write_primitive::<Float32Type, 4>(c, data, cursor, |v| normalize_f32(v).to_le_bytes()),
        DataType::Float64 => write_primitive::<Float64Type, 8>(c, data, cursor, |v| normalize_f64(v).to_le_bytes()),
        DataType::Utf8 => {
            let a = c.as_string::<i32>();
            write_bytes(a.offsets(), a.values(), a.nulls(), cursor, data);
        }
        DataType::Binary => {
            let a = c.as_binary::<i32>();
            write_bytes(a.offsets(), a.values(), a.nulls(), cursor, data);
        }
        other => return Err(Error::internal(format!("key rows cannot hold {other}"))),
    }
    Ok(())
}

/// Spark groups every NaN together and -0.0 with 0.0.
fn normalize_f64(v: f64) -> f64 {
    if v.is_nan() {
        f64::NAN
    } else if v == 0.0 {
        0.0
    } else {
        v
    }
}

fn normalize_f32(v: f32) -> f32 {
    if v.is_nan() {
        f32::NAN
    } else if v == 0.0 {
        0.0
    } else {
        v
    }
}

fn write_primitive<T: ArrowPrimitiveType, const W: usize>(
    c: &ArrayRef,
    data: &mut [u8],
    cursor: &mut [usize],
    bytes: impl Fn(T::Native) -> [u8; W],
) {
    let a = c.as_primitive::<T>();
    let values = a.values();
    match a.nulls().filter(|n| n.null_count() > 0) {
        None => {
            for (at, v) in cursor.iter_mut().zip(values.iter()) {
                data[*at + 1..*at + 1 + W].copy_from_slice(&bytes(*v));
                *at += 1 + W;
            }
        }
        Some(nulls) => {
            for (i, at) in cursor.iter_mut().enumerate() {
                if nulls.is_valid(i) {
                    data[*at + 1..*at + 1 + W].copy_from_slice(&bytes(values[i]));
                } else {
                    data[*at] = 1;
                }
                *at += 1 + W;
            }
        }
    }
}

/// Writes variable-width values given by arrow `offsets` into `values`.
fn write_bytes(
    offsets: &[i32],
    values: &[u8],
    nulls: Option<&arrow::buffer::NullBuffer>,
    cursor: &mut [usize],
    data: &mut [u8],
) {
    for (i, at) in cursor.iter_mut().enumerate() {
        if nulls.is_some_and(|n| n.is_null(i)) {
            data[*at] = 1;
            *at += 5;
            continue;
        }
        let (start, end) = (offsets[i] as usize, offsets[i + 1] as usize);
        let len = end - start;
        data[*at + 1..*at + 5].copy_from_slice(&(len as u32).to_le_bytes());
        data[*at + 5..*at + 5 + len].copy_from_slice(&values[start..end]);
        *at += 5 + len;
    }
}

fn read_primitive<T: ArrowPrimitiveType, const W: usize>(
    data: &[u8],
    cursor: &mut [usize],
    from: impl Fn([u8; W]) -> T::Native,
    t: &DataType,
) -> ArrayRef {
    let mut b = PrimitiveBuilder::<T>::with_capacity(cursor.len());
    for c in cursor.iter_mut() {
        if data[*c] == 0 {
            let mut bytes = [0u8; W];
            bytes.copy_from_slice(&data[*c + 1..*c + 1 + W]);
            b.append_value(from(bytes));
        } else {
            b.append_null();
        }
        *c += 1 + W;
    }
    let a: PrimitiveArray<T> = b.finish();
    // carries the decimal precision and scale or the time zone
    Arc::new(a.with_data_type(t.clone()))
}

fn read_bytes<'a>(data: &'a [u8], at: &mut usize) -> Option<&'a [u8]> {
    let is_null = data[*at] != 0;
    let mut len = [0u8; 4];
    len.copy_from_slice(&data[*at + 1..*at + 5]);
    let len = u32::from_le_bytes(len) as usize;
    let start = *at + 5;
    *at = start + len;
    (!is_null).then(|| &data[start..start + len])
}

#[cfg(test)]
mod tests {
    use arrow::array::*;

    use super::*;

    fn columns() -> Vec<ArrayRef> {
        vec![
            Arc::new(StringArray::from(vec![Some("A"), None, Some(""), Some("A"), Some("héllo")])),
            Arc::new(Int32Array::from(vec![Some(1), Some(2), None, Some(1), Some(-7)])),
            Arc::new(
                Decimal128Array::from(vec![Some(5), None, Some(-1), Some(5), Some(i128::MAX)])
                    .with_precision_and_scale(38, 2)
                    .unwrap(),
            ),
            Arc::new(Float64Array::from(vec![Some(0.0), Some(f64::NAN), Some(1.5), Some(-0.0), Some(-f64::NAN)])),
            Arc::new(BooleanArray::from(vec![Some(true), None, Some(false), Some(true), Some(false)])),
            Arc::new(Date32Array::from(vec![Some(1), Some(2), Some(3), Some(1), None])),
            Arc::new(BinaryArray::from(vec![
                Some(&b"x"[..]),
                None,
                Some(&b""[..]),
                Some(&b"x"[..]),
                Some(&b"\0\x01"[..]),
            ])),
            Arc::new(
                TimestampMicrosecondArray::from(vec![Some(1), Some(2), None, Some(1), Some(-5)]).with_timezone("UTC"),
            ),
        ]
    }

    #[test]
    fn round_trips_every_supported_type() {
        let cols = columns();
        let types: Vec<DataType> = cols.iter().map(|c| c.data_type().clone()).collect();
        assert!(KeyRows::supports(&types));
        let rows = KeyRows::encode(&cols).unwrap();
        assert_eq!(rows.len(), 5);
        let back = rows.decode(&types).unwrap();
        for (i, (a, b)) in cols.iter().zip(back.iter()).enumerate() {
            if i == 3 {
                // floats come back normalized
                let b = b.as_primitive::<Float64Type>();
                assert_eq!(b.value(0).to_bits(), 0.0f64.to_bits());
                assert!(b.value(1).is_nan() && b.value(4).is_nan());
                assert_eq!(b.value(3).to_bits(), 0.0f64.to_bits());
                continue;
            }
            assert_eq!(a.as_ref(), b.as_ref(), "column {i}");
        }
    }

    #[test]
    fn equal_keys_have_equal_bytes() {
        let rows = KeyRows::encode(&columns()).unwrap();
        // rows 0 and 3 differ only in 0.0 vs -0.0, which Spark groups together
        assert_eq!(rows.row(0), rows.row(3));
        for (i, j) in [(0, 1), (0, 2), (1, 2), (2, 4), (1, 4)] {
            assert_ne!(rows.row(i), rows.row(j), "{i} {j}");
        }
        // a NULL string and an empty one differ; NULLs of any value equal
        let a: ArrayRef = Arc::new(StringArray::from(vec![None, Some(""), None]));
        let r = KeyRows::encode(&[a]).unwrap();
        assert_ne!(r.row(0), r.row(1));
        assert_eq!(r.row(0), r.row(2));
    }

    #[test]
    fn agrees_with_arrow_rows_on_equality() {
        // the reference: arrow's row format, whose equality is the columns'
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let n = 500;
        let strings: Vec<Option<String>> =
            (0..n).map(|_| (next() % 5 != 0).then(|| "ab".repeat((next() % 3) as usize))).collect();
        let ints: Vec<Option<i64>> = (0..n).map(|_| (next() % 7 != 0).then(|| (next() % 4) as i64)).collect();
        let cols: Vec<ArrayRef> = vec![Arc::new(StringArray::from(strings)), Arc::new(Int64Array::from(ints))];
        let ours = KeyRows::encode(&cols).unwrap();
        let converter = arrow::row::RowConverter::new(
            cols.iter().map(|c| arrow::row::SortField::new(c.data_type().clone())).collect(),
        )
        .unwrap();
        let reference = converter.convert_columns(&cols).unwrap();
        for i in 0..n {
            for j in 0..n {
                assert_eq!(ours.row(i) == ours.row(j), reference.row(i) == reference.row(j), "{i} {j}");
            }
        }
        let mut copy = KeyRows::new();
        for i in (0..n).rev() {
            copy.push_from(&ours, i);
        }
        assert_eq!(copy.row(0), ours.row(n - 1));
    }
}
