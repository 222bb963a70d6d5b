//! Reading dictionary-encoded Parquet column chunks ourselves: the parquet
//! crate's page reader parses the page headers and decompresses; the
//! dictionary page, the definition levels and the RLE / bit-packed keys are
//! decoded here. Two uses:
//!
//! - `dictionary_verdicts`: conjuncts on a column of numbers or dates
//!   answered once per dictionary value and looked up per row through its
//!   key, with no value decoded per row. Writers dictionary-encode columns
//!   with few distinct values (TPC-H's dates, quantities and discounts: a
//!   few thousand values for millions of rows); `l_shipdate >= DATE
//!   '1994-01-01'` is evaluated on the dictionary's values (plus one NULL,
//!   for NULL rows), and each row takes the answer of its key.
//! - `selected_values`: the values of the rows a filter keeps, taken from
//!   the dictionary through their keys straight into the column's Spark
//!   type (numbers, dates, decimals, strings), page by page.
//!
//! Anything else answers `None`, and the scan has the arrow reader decode
//! the column instead: a data page that is not dictionary-encoded (writers
//! fall back to plain pages once a dictionary grows too large), a column
//! that is nested or repeated, a type not read here.

use std::sync::Arc;

use arrow::array::{
    new_null_array, Array, ArrayRef, Float32Array, Float64Array, Int32Array, Int64Array, RecordBatch,
    RecordBatchOptions,
};
use arrow::buffer::{BooleanBuffer, NullBuffer, ScalarBuffer};
use arrow::datatypes::{DataType, Field, Schema};
use ember_core::{Error, Result};
use parquet::basic::{Encoding, Type as PhysicalType};
use parquet::column::page::{Page, PageReader};
use parquet::schema::types::ColumnDescriptor;

/// A column chunk as its dictionary and each row's key: the rows a filter
/// keeps are taken from it (`rows`) without decoding the others.
pub struct DictionaryColumn {
    /// The dictionary's values, of the column's Spark type, then a NULL.
    values: ArrayRef,
    /// Per row, its value's index in `values`.
    keys: Vec<u32>,
}

impl DictionaryColumn {
    /// The values of the rows `selected` keeps.
    pub fn rows(&self, selected: &BooleanBuffer) -> Result<ArrayRef> {
        let keys: Vec<u32> = selected.set_indices().map(|i| self.keys[i]).collect();
        Ok(arrow::compute::take(self.values.as_ref(), &arrow::array::UInt32Array::from(keys), None)?)
    }
}

/// Which rows of one column chunk (`rows` rows) pass `verdicts`, which
/// answers for each value of a batch of that one column (of `spark_type`);
/// `file_type` is the Arrow type the file's schema gives the column. With
/// `keep`, also the chunk as a `DictionaryColumn`, for the values of the
/// rows a filter keeps. `None` when the chunk cannot be answered per
/// dictionary value (see the module comment).
pub fn dictionary_verdicts(
    pages: &mut dyn PageReader,
    column: &ColumnDescriptor,
    file_type: &DataType,
    spark_type: &DataType,
    verdicts: &dyn Fn(&RecordBatch) -> Result<BooleanBuffer>,
    rows: usize,
    keep: bool,
) -> Result<Option<(BooleanBuffer, Option<DictionaryColumn>)>> {
    let Some(optional) = flat_column(column) else {
        return Ok(None);
    };
    let Some((buf, num_values)) = dictionary_page(pages)? else {
        return Ok(None);
    };
    // The caller judged the chunk from its stored dictionary's size
    // (`worth_answering_per_value`). Once the dictionary page is
    // decompressed, answering per value costs no more than decoding every
    // row, even for near-unique keys (TPC-H's `l_partkey`, whose
    // dictionary compresses well): one answer per value instead of one
    // per row, and no value gathered per row.
    let Some(values) = dictionary_values(&buf, num_values, column.physical_type(), file_type)? else {
        return Ok(None);
    };
    let (pass, values) = per_value_verdicts(values, spark_type, verdicts)?;
    // the last entry answers for NULL rows
    let distinct = pass.len() - 1;
    let reachable = || pass[..distinct].iter().copied().chain(optional.then_some(pass[distinct]));
    // every row gets the same answer: no page needs decoding (when no row
    // passes, no value is wanted either)
    if reachable().all(|p| !p) {
        return Ok(Some((BooleanBuffer::new_unset(rows), None)));
    }
    if !keep && reachable().all(|p| p) {
        return Ok(Some((BooleanBuffer::new_set(rows), None)));
    }
    let mut row_verdicts = arrow::array::BooleanBufferBuilder::new(rows);
    let mut row_keys: Vec<u32> = Vec::with_capacity(if keep { rows } else { 0 });
    let read = page_keys(pages, column, optional, distinct, rows, None, &mut |_, keys, _| {
        row_verdicts.append_buffer(&BooleanBuffer::collect_bool(keys.len(), |i| pass[keys[i] as usize]));
        if keep {
            row_keys.extend_from_slice(keys);
        }
    })?;
    if read.is_none() {
        return Ok(None);
    }
    let kept = keep.then_some(DictionaryColumn { values, keys: row_keys });
    Ok(Some((row_verdicts.finish(), kept)))
}

/// The values of the rows `selected` keeps (one flag per row of the chunk)
/// of one dictionary-encoded column chunk, of `spark_type`: each page's
/// keys are decoded and only the kept rows' values are taken from the
/// dictionary, straight into the Spark type's array. The arrow reader
/// would decode every row into the stored type, widen it (a decimal's
/// INT64 into 128 bits), and leave the dropped rows to a filter's copy.
/// `None` when the chunk is not read here: not flat, a page not
/// dictionary-encoded, or types other than the stored integers, floats
/// and strings read as themselves.
pub fn selected_values(
    pages: &mut dyn PageReader,
    column: &ColumnDescriptor,
    file_type: &DataType,
    spark_type: &DataType,
    selected: &BooleanBuffer,
    strings: StringsAs,
) -> Result<Option<ArrayRef>> {
    let Some(optional) = flat_column(column) else {
        return Ok(None);
    };
    if !reads_values(column.physical_type(), file_type, spark_type) {
        return Ok(None);
    }
    let Some((buf, n)) = dictionary_page(pages)? else {
        return Ok(None);
    };
    use arrow::datatypes as t;
    let kept = selected.count_set_bits();
    // one row group's kept rows are held whole: a huge row group is left to
    // the arrow reader, which decodes a batch at a time
    let fits = |width: usize| kept.saturating_mul(width) <= MAX_DECODED_BYTES;
    let p = Chunk { pages, column, optional, selected };
    let out: Option<ArrayRef> = match (column.physical_type(), spark_type) {
        (_, DataType::Utf8) => {
            let dictionary = plain_strings(&buf, n)?;
            let longest = dictionary.offsets().windows(2).map(|w| (w[1] - w[0]) as usize).max().unwrap_or(0);
            if !fits(longest + 4) {
                return Ok(None);
            }
            let len = dictionary.len();
            let Some((keys, nulls)) =
                gather(
                    p.pages,
                    p.column,
                    p.optional,
                    len,
                    p.selected,
                    |k| if k as usize == len { 0 } else { k as i32 },
                )?
            else {
                return Ok(None);
            };
            Some(match strings {
                StringsAs::Values => Arc::new(ember_vector::dictionary::strings_by_keys(&dictionary, &keys, nulls)?),
                StringsAs::Dictionary => {
                    let keys = arrow::array::Int32Array::new(ScalarBuffer::from(keys), nulls);
                    Arc::new(arrow::array::DictionaryArray::try_new(keys, Arc::new(dictionary))?)
                }
            })
        }
        _ if !fits(spark_type.primitive_width().unwrap_or(usize::MAX)) => return Ok(None),
        (PhysicalType::INT32, DataType::Int32) => primitive::<t::Int32Type, 4>(p, &buf, n, i32::from_le_bytes)?,
        (PhysicalType::INT32, DataType::Date32) => primitive::<t::Date32Type, 4>(p, &buf, n, i32::from_le_bytes)?,
        (PhysicalType::INT64, DataType::Int64) => primitive::<t::Int64Type, 8>(p, &buf, n, i64::from_le_bytes)?,
        (PhysicalType::FLOAT, DataType::Float32) => primitive::<t::Float32Type, 4>(p, &buf, n, f32::from_le_bytes)?,
        (PhysicalType::DOUBLE, DataType::Float64) => primitive::<t::Float64Type, 8>(p, &buf, n, f64::from_le_bytes)?,
        (PhysicalType::INT32, DataType::Decimal128(precision, scale)) => {
            let widen = |b: [u8; 4]| i32::from_le_bytes(b) as i128;
            decimals(primitive::<t::Decimal128Type, 4>(p, &buf, n, widen)?, *precision, *scale)?
        }
        (PhysicalType::INT64, DataType::Decimal128(precision, scale)) => {
            let widen = |b: [u8; 8]| i64::from_le_bytes(b) as i128;
            decimals(primitive::<t::Decimal128Type, 8>(p, &buf, n, widen)?, *precision, *scale)?
        }
        _ => None,
    };
    Ok(out)
}

/// Decoded values one `selected_values` call may hold (a row group's kept
/// rows of one column).
pub const MAX_DECODED_BYTES: usize = 64 << 20;

/// The pages, column, whether it is optional, and the selected rows, as
/// `selected_values` passes them on.
struct Chunk<'p, 'a> {
    pages: &'p mut dyn PageReader,
    column: &'a ColumnDescriptor,
    optional: bool,
    selected: &'a BooleanBuffer,
}

/// `selected_values` for a chunk of `W`-byte stored values, each read by
/// `decode` straight from the dictionary page (`buf`, `n` values).
fn primitive<T: arrow::datatypes::ArrowPrimitiveType, const W: usize>(
    Chunk { pages, column, optional, selected }: Chunk,
    buf: &[u8],
    n: usize,
    decode: impl Fn([u8; W]) -> T::Native,
) -> Result<Option<ArrayRef>> {
    let bytes = buf.get(..n.saturating_mul(W)).ok_or_else(|| Error::internal("a dictionary page too short"))?;
    let (dictionary, _) = bytes.as_chunks::<W>();
    // a NULL row's key (`n`) reads a default, which its NULL hides
    let value = |k: u32| dictionary.get(k as usize).map_or_else(T::Native::default, |b| decode(*b));
    Ok(gather(pages, column, optional, n, selected, value)?
        .map(|(values, nulls)| Arc::new(arrow::array::PrimitiveArray::<T>::new(values.into(), nulls)) as ArrayRef))
}

/// `array` (of `Decimal128`) with its precision and scale.
fn decimals(array: Option<ArrayRef>, precision: u8, scale: i8) -> Result<Option<ArrayRef>> {
    let Some(array) = array else {
        return Ok(None);
    };
    let array = array.as_any().downcast_ref::<arrow::array::Decimal128Array>().cloned();
    let array = array.ok_or_else(|| Error::internal("a decimal column read as another type"))?;
    Ok(Some(Arc::new(array.with_precision_and_scale(precision, scale)?)))
}

/// How `selected_values` returns a column of strings.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum StringsAs {
    /// The strings themselves.
    Values,
    /// Keys into the chunk's dictionary (for conjuncts answered once per
    /// dictionary value, `dictionary_filter`).
    Dictionary,
}

/// Whether `selected_values` reads a chunk of `physical` values that the
/// file's schema types `file_type`, as `spark_type`: the stored integers,
/// floats and strings read as themselves.
pub fn reads_values(physical: PhysicalType, file_type: &DataType, spark_type: &DataType) -> bool {
    let same_type = match (file_type, spark_type) {
        (DataType::Dictionary(_, values), DataType::Utf8) => values.as_ref() == &DataType::Utf8,
        (file, spark) => file == spark,
    };
    same_type
        && matches!(
            (physical, spark_type),
            (PhysicalType::INT32, DataType::Int32 | DataType::Date32 | DataType::Decimal128(_, _))
                | (PhysicalType::INT64, DataType::Int64 | DataType::Decimal128(_, _))
                | (PhysicalType::FLOAT, DataType::Float32)
                | (PhysicalType::DOUBLE, DataType::Float64)
                | (PhysicalType::BYTE_ARRAY, DataType::Utf8)
        )
}

/// The values of the rows `selected` keeps, each read through its key by
/// `value` (keys below `distinct`, and `distinct` for a NULL row); and
/// their NULLs. `None` when a page is not dictionary-encoded.
fn gather<T>(
    pages: &mut dyn PageReader,
    column: &ColumnDescriptor,
    optional: bool,
    distinct: usize,
    selected: &BooleanBuffer,
    value: impl Fn(u32) -> T,
) -> Result<Option<(Vec<T>, Option<NullBuffer>)>> {
    let kept = selected.count_set_bits();
    let mut values: Vec<T> = Vec::with_capacity(kept);
    // made at the first NULL
    let mut valid: Option<arrow::array::BooleanBufferBuilder> = None;
    let mut scratch: Vec<u32> = Vec::new();
    // pages none of whose rows are selected are skipped unread
    let wanted = |first: usize, n: usize| selected.slice(first, n).count_set_bits() > 0;
    let rows = selected.len();
    let read = page_keys(pages, column, optional, distinct, rows, Some(&wanted), &mut |first, keys, has_nulls| {
        let page = selected.slice(first, keys.len());
        let keys = if page.count_set_bits() == keys.len() {
            keys
        } else {
            selected_keys(keys, &page, &mut scratch);
            &scratch
        };
        if has_nulls || valid.is_some() {
            let valid = valid.get_or_insert_with(|| {
                let mut v = arrow::array::BooleanBufferBuilder::new(kept);
                v.append_n(values.len(), true);
                v
            });
            if has_nulls {
                valid.append_buffer(&BooleanBuffer::collect_bool(keys.len(), |i| keys[i] as usize != distinct));
            } else {
                valid.append_n(keys.len(), true);
            }
        }
        values.extend(keys.iter().map(|k| value(*k)));
    })?;
    if read.is_none() {
        return Ok(None);
    }
    let nulls = valid.map(|mut v| NullBuffer::new(v.finish())).filter(|n| n.null_count() > 0);
    Ok(Some((values, nulls)))
}

/// The `keys` whose rows `selected` (as long as `keys`) keeps, into `out`
/// (cleared first): 64 rows at a time, a whole word's keys at once when it
/// keeps them all.
fn selected_keys(keys: &[u32], selected: &BooleanBuffer, out: &mut Vec<u32>) {
    out.clear();
    for (w, word) in selected.bit_chunks().iter_padded().enumerate() {
        let base = w * 64;
        if word == u64::MAX {
            out.extend_from_slice(&keys[base..base + 64]);
        } else {
            let mut bits = word;
            while bits != 0 {
                out.push(keys[base + bits.trailing_zeros() as usize]);
                bits &= bits - 1;
            }
        }
    }
}

/// Whether `column` is flat (not nested, not repeated, at most one
/// definition level): `Some(optional)` if so.
fn flat_column(column: &ColumnDescriptor) -> Option<bool> {
    let flat = column.max_rep_level() == 0 && column.max_def_level() <= 1 && column.path().parts().len() == 1;
    flat.then_some(column.max_def_level() == 1)
}

/// The chunk's first page, when it is a PLAIN dictionary page: its bytes
/// and number of values.
fn dictionary_page(pages: &mut dyn PageReader) -> Result<Option<(bytes::Bytes, usize)>> {
    let Some(first) = pages.get_next_page().map_err(|e| Error::internal(e.to_string()))? else {
        return Ok(None);
    };
    let Page::DictionaryPage { buf, num_values, encoding, .. } = first else {
        return Ok(None);
    };
    if !matches!(encoding, Encoding::PLAIN | Encoding::PLAIN_DICTIONARY) {
        return Ok(None);
    }
    Ok(Some((buf, num_values as usize)))
}

/// Reads the chunk's data pages (after its dictionary page, of `distinct`
/// values) and hands `each_page` every page's first row and keys, one per
/// row, with `distinct` for a NULL row, and whether the page has NULLs;
/// `rows` is the chunk's row count. With `wanted`, a page for whose rows
/// (first row, row count) it answers false is skipped undecompressed, and
/// `each_page` never sees it. `None` when a page read is not
/// dictionary-encoded (the caller's output so far is then to be dropped).
fn page_keys(
    pages: &mut dyn PageReader,
    column: &ColumnDescriptor,
    optional: bool,
    distinct: usize,
    rows: usize,
    wanted: Option<&dyn Fn(usize, usize) -> bool>,
    each_page: &mut dyn FnMut(usize, &[u32], bool),
) -> Result<Option<()>> {
    let corrupt = |what: &str| Error::internal(format!("corrupt Parquet column chunk {}: {what}", column.name()));
    let parquet_error = |e: parquet::errors::ParquetError| Error::internal(e.to_string());
    let (mut keys, mut levels, mut row_keys) = (Vec::new(), Vec::new(), Vec::new());
    let mut read = 0usize;
    loop {
        if let Some(wanted) = wanted {
            // a flat column's page has one level per row (v1 pages give no
            // row count)
            let next = pages.peek_next_page().map_err(parquet_error)?;
            let page_rows = next.filter(|m| !m.is_dict).and_then(|m| m.num_rows.or(m.num_levels));
            if let Some(n) = page_rows.filter(|n| read.saturating_add(*n) <= rows && !wanted(read, *n)) {
                pages.skip_next_page().map_err(parquet_error)?;
                read += n;
                continue;
            }
        }
        let Some(page) = pages.get_next_page().map_err(parquet_error)? else {
            break;
        };
        let first_row = read;
        let (buf, num_values, encoding, levels_range) = match &page {
            Page::DictionaryPage { .. } => return Err(corrupt("a second dictionary page")),
            Page::DataPage { buf, num_values, encoding, def_level_encoding, .. } => {
                let range = if optional {
                    if *def_level_encoding != Encoding::RLE {
                        return Ok(None);
                    }
                    // v1: the levels come first, after their length
                    let len = buf.get(..4).ok_or_else(|| corrupt("a page too short for its levels"))?;
                    let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
                    Some((4, 4usize.saturating_add(len)))
                } else {
                    None
                };
                (buf, *num_values as usize, *encoding, range)
            }
            Page::DataPageV2 { buf, num_values, encoding, def_levels_byte_len, rep_levels_byte_len, .. } => {
                // v2: repetition then definition levels, before the keys
                let start = *rep_levels_byte_len as usize;
                let range = Some((start, start.saturating_add(*def_levels_byte_len as usize)));
                (buf, *num_values as usize, *encoding, range)
            }
        };
        if !matches!(encoding, Encoding::RLE_DICTIONARY | Encoding::PLAIN_DICTIONARY) {
            return Ok(None);
        }
        // a page claiming more rows than are left is corrupt (and must not
        // size the buffers below)
        if read.saturating_add(num_values) > rows {
            return Err(corrupt("more values in its pages than rows in its row group"));
        }
        read += num_values;
        let (levels_end, present) = match levels_range {
            Some((start, end)) if optional => {
                let bytes = buf.get(start..end).ok_or_else(|| corrupt("levels beyond the page"))?;
                decode_hybrid(bytes, 1, num_values, &mut levels).map_err(corrupt)?;
                (end, levels.iter().filter(|l| **l == 1).count())
            }
            Some((_, end)) => (end, num_values),
            None => (0, num_values),
        };
        let data = buf.get(levels_end..).ok_or_else(|| corrupt("keys beyond the page"))?;
        if present > 0 {
            let (&bit_width, packed) = data.split_first().ok_or_else(|| corrupt("a page without keys"))?;
            decode_hybrid(packed, bit_width as u32, present, &mut keys).map_err(corrupt)?;
            if keys.iter().copied().max().is_some_and(|k| k as usize >= distinct) {
                return Err(corrupt("a dictionary key beyond the dictionary"));
            }
        } else {
            keys.clear();
        }
        if !optional || present == num_values {
            each_page(first_row, &keys[..num_values], false);
        } else {
            row_keys.clear();
            let mut next_key = keys.iter();
            row_keys.extend(levels.iter().map(|level| match level {
                1 => next_key.next().copied().unwrap_or(distinct as u32),
                _ => distinct as u32,
            }));
            each_page(first_row, &row_keys, true);
        }
    }
    if read != rows {
        return Err(corrupt(&format!("{read} rows in its pages, {rows} in its row group")));
    }
    Ok(Some(()))
}

/// Whether a dictionary of `distinct` values for `rows` rows is worth
/// answering per value, judged before it is read (from its stored size,
/// `per_value_chunk`): with about as many values as rows (unique keys)
/// the dictionary is about as large as the column, and reading it first
/// saves little.
pub fn worth_answering_per_value(distinct: usize, rows: usize) -> bool {
    distinct <= rows / 2
}

/// `verdicts`' answer per dictionary value and then for a NULL (the last
/// entry). Also those values and the NULL, of `spark_type`.
fn per_value_verdicts(
    values: ArrayRef,
    spark_type: &DataType,
    verdicts: &dyn Fn(&RecordBatch) -> Result<BooleanBuffer>,
) -> Result<(Vec<bool>, ArrayRef)> {
    let with_null = arrow::compute::concat(&[values.as_ref(), new_null_array(values.data_type(), 1).as_ref()])?;
    let with_null = super::conform_column(with_null, spark_type)?;
    let n = with_null.len();
    let schema = Arc::new(Schema::new(vec![Field::new("value", spark_type.clone(), true)]));
    let batch = RecordBatch::try_new_with_options(
        schema,
        vec![with_null.clone()],
        &RecordBatchOptions::new().with_row_count(Some(n)),
    )?;
    let answers = verdicts(&batch)?;
    if answers.len() != n {
        return Err(Error::internal("a filter answered for another number of values"));
    }
    Ok((answers.iter().collect(), with_null))
}

/// A dictionary page's `n` PLAIN values of `W` bytes each.
fn plain<const W: usize>(buf: &[u8], n: usize) -> Result<impl Iterator<Item = [u8; W]> + '_> {
    let bytes = buf.get(..n.saturating_mul(W)).ok_or_else(|| Error::internal("a dictionary page too short"))?;
    Ok(bytes.chunks_exact(W).map(|c| {
        let mut a = [0u8; W];
        a.copy_from_slice(c);
        a
    }))
}

/// A dictionary page's `n` PLAIN byte arrays (each a 4-byte length, then
/// the bytes) as strings; an error when one is not UTF-8.
fn plain_strings(buf: &[u8], n: usize) -> Result<arrow::array::StringArray> {
    let short = || Error::internal("a dictionary page too short");
    // `n` comes from the page header: the bytes bound it (4 per value at least)
    let mut offsets = Vec::with_capacity(n.min(buf.len() / 4) + 1);
    offsets.push(0i32);
    let mut data = Vec::with_capacity(buf.len());
    let mut pos = 0usize;
    for _ in 0..n {
        let len = buf.get(pos..pos + 4).ok_or_else(short)?;
        let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
        let bytes = buf.get(pos + 4..(pos + 4).saturating_add(len)).ok_or_else(short)?;
        data.extend_from_slice(bytes);
        pos += 4 + len;
        offsets.push(i32::try_from(data.len()).map_err(|_| Error::internal("a dictionary page over 2 GiB"))?);
    }
    let offsets = arrow::buffer::OffsetBuffer::new(ScalarBuffer::from(offsets));
    Ok(arrow::array::StringArray::try_new(offsets, arrow::buffer::Buffer::from_vec(data), None)?)
}

/// A dictionary page's `n` PLAIN values as an array of `file_type`; `None`
/// for the types not read here.
fn dictionary_values(buf: &[u8], n: usize, physical: PhysicalType, file_type: &DataType) -> Result<Option<ArrayRef>> {
    let array: ArrayRef = match (physical, file_type) {
        (PhysicalType::INT32, DataType::Decimal128(p, s)) => {
            let v: Vec<i128> = plain::<4>(buf, n)?.map(|b| i32::from_le_bytes(b) as i128).collect();
            Arc::new(arrow::array::Decimal128Array::new(ScalarBuffer::from(v), None).with_precision_and_scale(*p, *s)?)
        }
        (PhysicalType::INT64, DataType::Decimal128(p, s)) => {
            let v: Vec<i128> = plain::<8>(buf, n)?.map(|b| i64::from_le_bytes(b) as i128).collect();
            Arc::new(arrow::array::Decimal128Array::new(ScalarBuffer::from(v), None).with_precision_and_scale(*p, *s)?)
        }
        // a cast from the stored integers reinterprets them as days or
        // timestamp units, as the arrow reader does
        (PhysicalType::INT32, DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Date32) => {
            let v: Int32Array = plain::<4>(buf, n)?.map(i32::from_le_bytes).collect::<Vec<_>>().into();
            arrow::compute::cast(&v, file_type)?
        }
        (PhysicalType::INT64, DataType::Int64 | DataType::Timestamp(_, _)) => {
            let v: Int64Array = plain::<8>(buf, n)?.map(i64::from_le_bytes).collect::<Vec<_>>().into();
            arrow::compute::cast(&v, file_type)?
        }
        (PhysicalType::FLOAT, DataType::Float32) => {
            Arc::new(Float32Array::from(plain::<4>(buf, n)?.map(f32::from_le_bytes).collect::<Vec<_>>()))
        }
        (PhysicalType::DOUBLE, DataType::Float64) => {
            Arc::new(Float64Array::from(plain::<8>(buf, n)?.map(f64::from_le_bytes).collect::<Vec<_>>()))
        }
        _ => return Ok(None),
    };
    Ok(Some(array))
}

/// Decodes `n` values of Parquet's RLE / bit-packing hybrid encoding, each
/// `bit_width` bits wide, into `out` (cleared first).
fn decode_hybrid(buf: &[u8], bit_width: u32, n: usize, out: &mut Vec<u32>) -> std::result::Result<(), &'static str> {
    out.clear();
    if bit_width > 32 {
        return Err("a bit width over 32");
    }
    if bit_width == 0 {
        // every value is 0 (a dictionary of one value)
        out.resize(n, 0);
        return Ok(());
    }
    let width = bit_width as usize;
    let mut pos = 0;
    while out.len() < n {
        let header = read_uleb128(buf, &mut pos)?;
        let wanted = n - out.len();
        if header & 1 == 0 {
            // a run of one value, stored in whole bytes
            let count = (header >> 1) as usize;
            let bytes = width.div_ceil(8);
            let stored = buf.get(pos..pos + bytes).ok_or("a run beyond its page")?;
            let value = stored.iter().rev().fold(0u32, |v, b| (v << 8) | *b as u32);
            pos += bytes;
            if count == 0 {
                return Err("an empty run");
            }
            out.resize(out.len() + count.min(wanted), value);
        } else {
            // groups of 8 values, packed from the lowest bit up
            let groups = (header >> 1) as usize;
            let bytes = groups.checked_mul(width).ok_or("a run too long")?;
            let packed = &buf[pos.min(buf.len())..pos.saturating_add(bytes).min(buf.len())];
            let count = groups.saturating_mul(8).min(wanted).min(packed.len() * 8 / width);
            if count == 0 {
                return Err("a packed run beyond its page");
            }
            // whole groups of 8 with the width known at compile time, then
            // the rest value by value
            let groups = count / 8;
            unpack_groups(packed, width, groups, out);
            unpack(&packed[groups * width..], width, count - groups * 8, out);
            pos = pos.saturating_add(bytes);
        }
    }
    Ok(())
}

/// Appends the `groups` groups of 8 values at the start of `packed`
/// (which holds them: `groups * width` bytes).
fn unpack_groups(packed: &[u8], width: usize, groups: usize, out: &mut Vec<u32>) {
    macro_rules! by_width {
        ($($w:literal)*) => {
            match width {
                $($w => unpack_groups_of::<$w>(packed, groups, out),)*
                _ => unpack(packed, width, groups * 8, out),
            }
        };
    }
    by_width!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32);
}

/// `unpack_groups` for width `W`: each value's byte offset and shift in
/// its group are constants, and its bits are one unaligned 8-byte load
/// away. A group followed by 8 more bytes of input is read in place; the
/// last groups are copied into a padded buffer first.
fn unpack_groups_of<const W: usize>(packed: &[u8], groups: usize, out: &mut Vec<u32>) {
    #[inline(always)]
    fn group<const W: usize>(g: &[u8], values: &mut [u32]) {
        let mask = (1u64 << W) - 1;
        for (j, v) in values.iter_mut().enumerate().take(8) {
            let (byte, shift) = (j * W / 8, j * W % 8);
            let b = &g[byte..byte + 8];
            let word = u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
            *v = ((word >> shift) & mask) as u32;
        }
    }
    let start = out.len();
    out.resize(start + groups * 8, 0);
    let dst = &mut out[start..];
    // groups read in place: the last byte a group reads is below W + 8
    let in_place = groups.min(packed.len().saturating_sub(8) / W);
    for (i, values) in dst.chunks_exact_mut(8).enumerate().take(in_place) {
        group::<W>(&packed[i * W..i * W + W + 8], values);
    }
    for i in in_place..groups {
        let mut padded = [0u8; 40];
        padded[..W].copy_from_slice(&packed[i * W..i * W + W]);
        group::<W>(&padded, &mut dst[i * 8..i * 8 + 8]);
    }
}

/// Appends the first `count` values of `width` bits packed in `packed`
/// (which holds at least `count * width` bits).
fn unpack(packed: &[u8], width: usize, count: usize, out: &mut Vec<u32>) {
    let mask = (1u64 << width) - 1;
    out.reserve(count);
    for j in 0..count {
        let bit = j * width;
        let (byte, shift) = (bit / 8, bit % 8);
        // 8 bytes from `byte` hold the value (shift < 8, width <= 32)
        let word = match packed.get(byte..byte + 8) {
            Some(w) => u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]),
            None => packed[byte..].iter().rev().fold(0u64, |w, b| (w << 8) | *b as u64),
        };
        out.push(((word >> shift) & mask) as u32);
    }
}

fn read_uleb128(buf: &[u8], pos: &mut usize) -> std::result::Result<u64, &'static str> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *buf.get(*pos).ok_or("a run header beyond its page")?;
        *pos += 1;
        value |= ((byte & 0x7f) as u64) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err("a run header too long")
}

#[cfg(test)]
mod tests {
    use arrow::array::{AsArray, Date32Array, Decimal128Array};

    use crate::expr::PhysicalExpr;
    use bytes::Bytes;
    use ember_core::expr::BinaryOp;
    use ember_core::{EvalMode, ScalarValue};
    use parquet::arrow::ArrowWriter;
    use parquet::file::properties::{WriterProperties, WriterVersion};
    use parquet::file::reader::{FileReader, SerializedFileReader};

    use super::*;

    fn compare(op: BinaryOp, value: ScalarValue) -> PhysicalExpr {
        PhysicalExpr::Binary {
            op,
            left: Box::new(PhysicalExpr::Column(0)),
            right: Box::new(PhysicalExpr::Literal(value)),
            data_type: DataType::Boolean,
            mode: EvalMode::Ansi,
        }
    }

    /// `column` written to a Parquet file (one row group): its chunk's
    /// pages and its descriptor.
    fn written_chunk(
        column: &ArrayRef,
        nullable: bool,
        props: WriterProperties,
    ) -> (Box<dyn PageReader>, parquet::schema::types::ColumnDescPtr) {
        let schema = Arc::new(Schema::new(vec![Field::new("c", column.data_type().clone(), nullable)]));
        let batch = RecordBatch::try_new(schema.clone(), vec![column.clone()]).unwrap();
        let mut file = Vec::new();
        let mut writer = ArrowWriter::try_new(&mut file, schema, Some(props)).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
        let reader = SerializedFileReader::new(Bytes::from(file)).unwrap();
        let pages = reader.get_row_group(0).unwrap().get_column_page_reader(0).unwrap();
        (pages, reader.metadata().file_metadata().schema_descr().column(0))
    }

    /// `column` written to a Parquet file (one row group, small pages),
    /// then `conjuncts` answered through its dictionary; `None` as
    /// `dictionary_verdicts` answers it.
    fn verdicts_of(
        column: ArrayRef,
        nullable: bool,
        props: WriterProperties,
        conjuncts: &[PhysicalExpr],
    ) -> Option<BooleanBuffer> {
        let (mut pages, descr) = written_chunk(&column, nullable, props);
        let t = column.data_type();
        let answer = |batch: &RecordBatch| -> Result<BooleanBuffer> {
            let mut pass = BooleanBuffer::new_set(batch.num_rows());
            for c in conjuncts {
                let answer = c.evaluate(batch)?;
                let answer = answer.as_boolean();
                let valid = BooleanBuffer::collect_bool(batch.num_rows(), |i| answer.is_valid(i));
                pass = &(&pass & answer.values()) & &valid;
            }
            Ok(pass)
        };
        let (verdicts, kept) =
            dictionary_verdicts(pages.as_mut(), &descr, t, t, &answer, column.len(), true).unwrap()?;
        // the rows kept, taken from the dictionary, are the column's (no
        // dictionary comes back when no row passes)
        match kept {
            Some(kept) => {
                let kept = kept.rows(&verdicts).unwrap();
                let mask = arrow::array::BooleanArray::new(verdicts.clone(), None);
                let expected = arrow::compute::filter(column.as_ref(), &mask).unwrap();
                assert_eq!(kept.as_ref(), expected.as_ref());
            }
            None => assert_eq!(verdicts.count_set_bits(), 0),
        }
        Some(verdicts)
    }

    #[test]
    fn verdicts_agree_with_row_by_row_evaluation() {
        let n = 5000;
        // few distinct values, in an order that makes both kinds of run
        let v = |i: usize| if i % 700 < 40 { 5 } else { ((i * 7919) % 61) as i64 - 20 + (i % 3) as i64 };
        let null = |i: usize| i % 11 == 3;
        let columns: Vec<(ArrayRef, ScalarValue, ScalarValue)> = vec![
            (
                Arc::new(Int64Array::from_iter((0..n).map(|i| (!null(i)).then(|| v(i))))),
                ScalarValue::Int64(Some(-5)),
                ScalarValue::Int64(Some(17)),
            ),
            (
                Arc::new(Int32Array::from_iter((0..n).map(|i| (!null(i)).then(|| v(i) as i32)))),
                ScalarValue::Int32(Some(0)),
                ScalarValue::Int32(Some(30)),
            ),
            (
                Arc::new(Date32Array::from_iter((0..n).map(|i| (!null(i)).then(|| 9000 + v(i) as i32)))),
                ScalarValue::Date(Some(8990)),
                ScalarValue::Date(Some(9010)),
            ),
            (
                Arc::new(
                    Decimal128Array::from_iter((0..n).map(|i| (!null(i)).then(|| v(i) as i128 * 3)))
                        .with_precision_and_scale(15, 2)
                        .unwrap(),
                ),
                ScalarValue::Decimal(Some(-30), 15, 2),
                ScalarValue::Decimal(Some(60), 15, 2),
            ),
            (
                Arc::new(Float64Array::from_iter((0..n).map(|i| (!null(i)).then(|| v(i) as f64 / 4.0)))),
                ScalarValue::Float64(Some(-1.5)),
                ScalarValue::Float64(Some(2.25)),
            ),
        ];
        let mut answered = 0;
        for (column, low, high) in columns {
            for nullable in [false, true] {
                let column = if nullable {
                    column.clone()
                } else {
                    // a REQUIRED column: no definition levels
                    arrow::compute::kernels::zip::zip(
                        &arrow::array::BooleanArray::from((0..n).map(|i| !null(i)).collect::<Vec<_>>()),
                        &column,
                        &arrow::array::Scalar::new(
                            arrow::compute::cast(&Int64Array::from(vec![1]), column.data_type()).unwrap(),
                        ),
                    )
                    .unwrap()
                };
                let conjunct_sets = vec![
                    vec![compare(BinaryOp::GtEq, low.clone()), compare(BinaryOp::Lt, high.clone())],
                    vec![compare(BinaryOp::Eq, low.clone())],
                    vec![PhysicalExpr::Binary {
                        op: BinaryOp::Or,
                        left: Box::new(PhysicalExpr::IsNull(Box::new(PhysicalExpr::Column(0)))),
                        right: Box::new(compare(BinaryOp::Gt, high.clone())),
                        data_type: DataType::Boolean,
                        mode: EvalMode::Ansi,
                    }],
                    // nothing passes, everything passes: no page is decoded
                    vec![compare(BinaryOp::Gt, high.clone()), compare(BinaryOp::Lt, low.clone())],
                    vec![PhysicalExpr::IsNotNull(Box::new(PhysicalExpr::Column(0)))],
                ];
                for version in [WriterVersion::PARQUET_1_0, WriterVersion::PARQUET_2_0] {
                    for conjuncts in &conjunct_sets {
                        let props = WriterProperties::builder()
                            .set_writer_version(version)
                            .set_data_page_row_count_limit(700)
                            .set_write_batch_size(350)
                            .build();
                        let got = verdicts_of(column.clone(), nullable, props, conjuncts)
                            .expect("a dictionary-encoded column is answered per value");
                        let schema = Arc::new(Schema::new(vec![Field::new("c", column.data_type().clone(), true)]));
                        let batch = RecordBatch::try_new(schema, vec![column.clone()]).unwrap();
                        let mut expected = BooleanBuffer::new_set(n);
                        for c in conjuncts {
                            let answer = c.evaluate(&batch).unwrap();
                            let answer = answer.as_boolean();
                            let valid = BooleanBuffer::collect_bool(n, |i| answer.is_valid(i));
                            expected = &(&expected & answer.values()) & &valid;
                        }
                        assert_eq!(
                            got,
                            expected,
                            "{:?} nullable {nullable} {version:?} {conjuncts:?}",
                            column.data_type()
                        );
                        answered += 1;
                    }
                }
            }
        }
        assert_eq!(answered, 5 * 2 * 2 * 5);
    }

    #[test]
    fn plain_pages_and_unread_types_are_left_to_the_decoder() {
        let n = 20_000;
        let conjuncts = [compare(BinaryOp::Gt, ScalarValue::Int64(Some(100)))];
        // distinct values overflow a small dictionary: the writer falls back to plain pages
        let column: ArrayRef = Arc::new(Int64Array::from_iter_values((0..n as i64).map(|i| i % 3000)));
        let props =
            WriterProperties::builder().set_dictionary_page_size_limit(1024).set_data_page_row_count_limit(500).build();
        assert_eq!(verdicts_of(column, false, props, &conjuncts), None);
        // as many distinct values as rows, all in the dictionary: still
        // answered per value, and right
        let column: ArrayRef = Arc::new(Int64Array::from_iter_values((0..n as i64).map(|i| (i * 7919) % n as i64)));
        let props = WriterProperties::builder().set_dictionary_page_size_limit(1 << 20).build();
        let got = verdicts_of(column, false, props, &conjuncts).expect("a dictionary of unique values is answered");
        assert_eq!(got, BooleanBuffer::collect_bool(n, |i| (i * 7919) % n > 100));
        // no dictionary at all
        let column: ArrayRef = Arc::new(Int64Array::from_iter_values((0..n as i64).map(|i| i % 10)));
        let props = WriterProperties::builder().set_dictionary_enabled(false).build();
        assert_eq!(verdicts_of(column, false, props, &conjuncts), None);
    }

    /// `column` written to a Parquet file (one row group, small pages) and
    /// read back through `selected_values`.
    fn selected_of(
        column: &ArrayRef,
        nullable: bool,
        props: WriterProperties,
        selected: &BooleanBuffer,
        strings: StringsAs,
    ) -> Option<ArrayRef> {
        let (mut pages, descr) = written_chunk(column, nullable, props);
        let t = column.data_type();
        // the scan's schema types a string column with small dictionaries
        // as dictionary keys (`dictionary_metadata`)
        let keys = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
        let file_type = if t == &DataType::Utf8 && strings == StringsAs::Dictionary { &keys } else { t };
        selected_values(pages.as_mut(), &descr, file_type, t, selected, strings).unwrap()
    }

    #[test]
    fn selected_values_are_the_filtered_column() {
        let n = 5000;
        let v = |i: usize| ((i * 7919) % 613) as i64 - 300;
        let null = |i: usize| i % 13 == 4 || (1400..1900).contains(&i);
        let valid = |i: usize| !null(i);
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int32Array::from_iter((0..n).map(|i| valid(i).then(|| v(i) as i32)))),
            Arc::new(Date32Array::from_iter((0..n).map(|i| valid(i).then(|| 9000 + v(i) as i32)))),
            Arc::new(Int64Array::from_iter((0..n).map(|i| valid(i).then(|| v(i) << 40)))),
            Arc::new(
                Decimal128Array::from_iter((0..n).map(|i| valid(i).then(|| v(i) as i128 * 7)))
                    .with_precision_and_scale(7, 2)
                    .unwrap(),
            ),
            Arc::new(
                Decimal128Array::from_iter((0..n).map(|i| valid(i).then(|| v(i) as i128 * 1_000_003)))
                    .with_precision_and_scale(15, 2)
                    .unwrap(),
            ),
            Arc::new(Float32Array::from_iter((0..n).map(|i| valid(i).then(|| v(i) as f32 / 8.0)))),
            Arc::new(Float64Array::from_iter((0..n).map(|i| valid(i).then(|| v(i) as f64 / 3.0)))),
            Arc::new(arrow::array::StringArray::from_iter(
                (0..n).map(|i| valid(i).then(|| ["A", "N", "R", "éé", ""][(v(i) + 300) as usize % 5].to_string())),
            )),
            Arc::new(arrow::array::StringArray::from_iter(
                (0..n).map(|i| valid(i).then(|| ["F", "O"][(v(i) + 300) as usize % 2].to_string())),
            )),
        ];
        let selections = [
            BooleanBuffer::new_set(n),
            BooleanBuffer::new_unset(n),
            BooleanBuffer::collect_bool(n, |i| i % 3 != 1),
            BooleanBuffer::collect_bool(n, |i| (i * 31) % 97 < 2),
            // whole pages dropped, others kept whole
            BooleanBuffer::collect_bool(n, |i| (i / 700) % 2 == 0 || i == 777),
        ];
        let mut checked = 0;
        for column in &columns {
            for nullable in [true, false] {
                let column = if nullable {
                    column.clone()
                } else {
                    let filler = arrow::compute::cast(&Int64Array::from(vec![1]), column.data_type()).unwrap();
                    let mask = arrow::array::BooleanArray::from((0..n).map(valid).collect::<Vec<_>>());
                    arrow::compute::kernels::zip::zip(&mask, &column, &arrow::array::Scalar::new(filler)).unwrap()
                };
                for version in [WriterVersion::PARQUET_1_0, WriterVersion::PARQUET_2_0] {
                    for (selected, strings) in
                        selections.iter().flat_map(|s| [(s, StringsAs::Values), (s, StringsAs::Dictionary)])
                    {
                        let props = WriterProperties::builder()
                            .set_writer_version(version)
                            .set_data_page_row_count_limit(700)
                            .set_write_batch_size(350)
                            .build();
                        let mut got = selected_of(&column, nullable, props, selected, strings)
                            .expect("a dictionary-encoded column is read");
                        if let DataType::Dictionary(_, values) = got.data_type() {
                            assert!(strings == StringsAs::Dictionary && values.as_ref() == &DataType::Utf8);
                            got = arrow::compute::cast(&got, &DataType::Utf8).unwrap();
                        }
                        let expected =
                            arrow::compute::filter(&column, &arrow::array::BooleanArray::new(selected.clone(), None))
                                .unwrap();
                        assert_eq!(
                            got.as_ref(),
                            expected.as_ref(),
                            "{:?} nullable {nullable} {version:?} {strings:?}",
                            column.data_type()
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert_eq!(checked, 9 * 2 * 2 * 5 * 2);
        // plain pages (a dictionary over its limit) and other types are
        // left to the arrow reader
        let all = BooleanBuffer::new_set(20_000);
        let wide: ArrayRef = Arc::new(Int64Array::from_iter_values(0..20_000));
        let props = WriterProperties::builder().set_dictionary_page_size_limit(1024).build();
        assert!(selected_of(&wide, false, props, &all, StringsAs::Values).is_none());
        let bools: ArrayRef =
            Arc::new(arrow::array::BooleanArray::from((0..20_000).map(|i| i % 2 == 0).collect::<Vec<_>>()));
        assert!(selected_of(&bools, false, WriterProperties::builder().build(), &all, StringsAs::Values).is_none());
    }

    /// A hybrid encoding of `values`: runs of 8 or more equal values as RLE
    /// runs, the rest bit-packed (padded to groups of 8).
    fn encode_hybrid(values: &[u32], width: usize) -> Vec<u8> {
        fn uleb(mut v: u64, out: &mut Vec<u8>) {
            loop {
                let b = (v & 0x7f) as u8;
                v >>= 7;
                if v == 0 {
                    out.push(b);
                    return;
                }
                out.push(b | 0x80);
            }
        }
        let mut out = Vec::new();
        let mut i = 0;
        while i < values.len() {
            let run = values[i..].iter().take_while(|v| **v == values[i]).count();
            if run >= 8 {
                uleb((run as u64) << 1, &mut out);
                out.extend_from_slice(&values[i].to_le_bytes()[..width.div_ceil(8)]);
                i += run;
            } else {
                let group: Vec<u32> = values[i..].iter().copied().take(8).collect();
                uleb(1 << 1 | 1, &mut out);
                let mut bits = vec![0u8; width];
                for (j, v) in group.iter().enumerate() {
                    for b in 0..width {
                        if (v >> b) & 1 == 1 {
                            let bit = j * width + b;
                            bits[bit / 8] |= 1 << (bit % 8);
                        }
                    }
                }
                out.extend_from_slice(&bits);
                i += group.len();
            }
        }
        out
    }

    #[test]
    fn hybrid_runs_decode_to_their_values() {
        let mut seed = 7u64;
        for width in [1usize, 3, 7, 8, 12, 17, 31, 32] {
            let mut values = Vec::new();
            for k in 0..300 {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let v = ((seed >> 20) as u32) & ((1u64 << width) - 1) as u32;
                // stretches of repeats make RLE runs
                let repeat = if k % 5 == 0 { 9 + k % 13 } else { 1 };
                values.extend(std::iter::repeat_n(v, repeat));
            }
            let encoded = encode_hybrid(&values, width);
            let mut out = Vec::new();
            decode_hybrid(&encoded, width as u32, values.len(), &mut out).unwrap();
            assert_eq!(out, values, "width {width}");
            // a prefix: the last run is cut short
            decode_hybrid(&encoded, width as u32, values.len() - 3, &mut out).unwrap();
            assert_eq!(out, values[..values.len() - 3], "width {width}");
        }
    }

    #[test]
    fn long_bit_packed_runs_decode_in_place_and_at_their_end() {
        let mut seed = 11u64;
        for width in [1usize, 5, 8, 13, 20, 32] {
            for groups in [1usize, 2, 3, 40] {
                let values: Vec<u32> = (0..groups * 8)
                    .map(|_| {
                        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                        ((seed >> 20) as u32) & ((1u64 << width) - 1) as u32
                    })
                    .collect();
                // one bit-packed run of every group
                let mut encoded = vec![((groups << 1) | 1) as u8];
                assert!(groups < 64, "a one-byte header");
                let mut bits = vec![0u8; groups * width];
                for (j, v) in values.iter().enumerate() {
                    for b in 0..width {
                        if (v >> b) & 1 == 1 {
                            bits[(j * width + b) / 8] |= 1 << ((j * width + b) % 8);
                        }
                    }
                }
                encoded.extend_from_slice(&bits);
                let mut out = Vec::new();
                decode_hybrid(&encoded, width as u32, values.len(), &mut out).unwrap();
                assert_eq!(out, values, "width {width}, {groups} groups");
            }
        }
    }

    #[test]
    fn a_truncated_or_malformed_run_is_an_error_not_a_panic() {
        let values = [1, 2, 3, 4, 5, 6, 7, 0, 1, 2];
        let encoded = encode_hybrid(&values, 3);
        let mut out = Vec::new();
        assert!(decode_hybrid(&encoded[..2], 3, 10, &mut out).is_err());
        for cut in 0..encoded.len() {
            // a cut inside the last group may still hold its two values
            if decode_hybrid(&encoded[..cut], 3, 10, &mut out).is_ok() {
                assert_eq!(out, values, "cut at {cut}");
            }
        }
        assert!(decode_hybrid(&[0x80; 12], 3, 1, &mut out).is_err());
        assert!(decode_hybrid(&[0, 1], 3, 1, &mut out).is_err());
        assert!(decode_hybrid(&[2], 33, 1, &mut out).is_err());
        decode_hybrid(&[], 0, 4, &mut out).unwrap();
        assert_eq!(out, vec![0; 4]);
    }
}
