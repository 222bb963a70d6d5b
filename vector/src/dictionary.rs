//! Decoding dictionary-encoded string columns.
//!
//! Parquet stores low-cardinality strings (TPC-H's one-letter flags, ship
//! modes, market segments) as a small dictionary and one key per row. Read
//! as keys, such a column is turned into strings here: when every value of
//! the dictionary has the same length, the offsets are an arithmetic
//! sequence and the bytes a gather, with no per-row length lookups or
//! branches; otherwise one pass copies each row's value.

use arrow::array::{Array, DictionaryArray, StringArray};
use arrow::buffer::{Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};
use arrow::datatypes::Int32Type;
use ember_core::{Error, Result};

/// The strings of `column` (keys into a dictionary of non-NULL strings),
/// NULL where the key is. `None` when its dictionary has NULLs (the caller
/// falls back to a general cast).
pub fn dictionary_strings(column: &DictionaryArray<Int32Type>) -> Result<Option<StringArray>> {
    let Some(values) = column.values().as_any().downcast_ref::<StringArray>() else {
        return Ok(None);
    };
    if values.null_count() > 0 {
        return Ok(None);
    }
    let keys = column.keys();
    strings_by_keys(values, keys.values(), keys.nulls().cloned()).map(Some)
}

/// The strings of `values` (without NULLs) at `raw` keys, NULL where
/// `nulls` says (a NULL row's key may be anything).
pub fn strings_by_keys(values: &StringArray, raw: &[i32], nulls: Option<NullBuffer>) -> Result<StringArray> {
    if values.null_count() > 0 {
        return Err(Error::internal("a string dictionary with NULLs"));
    }
    let n = raw.len();
    let dictionary_len = values.len();
    let in_range = |k: &i32| *k >= 0 && (*k as usize) < dictionary_len;
    let out_of_range = match &nulls {
        Some(nulls) => raw.iter().zip(nulls.iter()).any(|(k, valid)| valid && !in_range(k)),
        None => !raw.iter().all(in_range),
    };
    if out_of_range {
        return Err(Error::internal("a dictionary key outside its dictionary"));
    }
    if dictionary_len == 0 {
        // every row is NULL
        return Ok(StringArray::new_null(n));
    }
    // a NULL row reads value 0, which its NULL hides
    let valid_keys: Vec<i32>;
    let keys: &[i32] = match &nulls {
        Some(nulls) if nulls.null_count() > 0 => {
            valid_keys = raw.iter().zip(nulls.iter()).map(|(k, valid)| if valid { *k } else { 0 }).collect();
            &valid_keys
        }
        _ => raw,
    };
    let offsets = values.value_offsets();
    let bytes = values.value_data();
    let first_len = offsets.get(1).map_or(0, |e| e - offsets[0]);
    let same_len = offsets.windows(2).all(|w| w[1] - w[0] == first_len);
    let (offsets, data) = if same_len {
        let len = first_len as usize;
        if n.checked_mul(len).is_none_or(|total| total > i32::MAX as usize) {
            return Err(Error::internal("a string column of more than 2 GiB"));
        }
        // a sliced dictionary need not start at byte 0
        let base = offsets[0] as usize;
        let out_offsets: Vec<i32> = (0..=n as i32).map(|i| i * first_len).collect();
        let data: Vec<u8> = if len == 1 {
            keys.iter().map(|k| bytes[base + *k as usize]).collect()
        } else {
            let mut data = Vec::with_capacity(n * len);
            for k in keys {
                let start = base + *k as usize * len;
                data.extend_from_slice(&bytes[start..start + len]);
            }
            data
        };
        (out_offsets, data)
    } else {
        let mut out_offsets = Vec::with_capacity(n + 1);
        out_offsets.push(0i32);
        let mut data = Vec::new();
        for k in keys {
            let (start, end) = (offsets[*k as usize] as usize, offsets[*k as usize + 1] as usize);
            data.extend_from_slice(&bytes[start..end]);
            let end = i32::try_from(data.len()).map_err(|_| Error::internal("a string column of more than 2 GiB"))?;
            out_offsets.push(end);
        }
        (out_offsets, data)
    };
    let offsets = OffsetBuffer::new(ScalarBuffer::from(offsets));
    // SAFETY: the offsets start at 0, never fall (`OffsetBuffer::new` checks
    // that) and end at `data.len()`, and each row's bytes are a copy of one
    // whole value of a `StringArray` (valid UTF-8, checked when that array
    // was made), so the data is valid UTF-8 and every offset sits on a
    // character boundary: what `try_new` would verify byte by byte (a
    // tenth of TPC-H Q1's decoding). The tests compare against Arrow's cast.
    Ok(unsafe { StringArray::new_unchecked(offsets, Buffer::from_vec(data), nulls) })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{ArrayRef, Int32Array};
    use arrow::compute::cast;
    use arrow::datatypes::DataType;

    use super::*;

    /// The reference: Arrow's general cast.
    fn check(keys: Vec<Option<i32>>, values: StringArray) {
        let column = DictionaryArray::<Int32Type>::try_new(Int32Array::from(keys), Arc::new(values)).unwrap();
        let ours = dictionary_strings(&column).unwrap().unwrap();
        let reference = cast(&(Arc::new(column) as ArrayRef), &DataType::Utf8).unwrap();
        assert_eq!(&ours as &dyn Array, reference.as_ref());
    }

    #[test]
    fn agrees_with_arrows_cast() {
        let flags = || StringArray::from(vec!["A", "N", "R"]);
        check(vec![Some(0), Some(2), Some(1), Some(0)], flags());
        check(vec![Some(0), None, Some(1), None], flags());
        check(vec![], flags());
        // equal lengths above one byte, and mixed lengths (multi-byte UTF-8)
        check(vec![Some(1), Some(0), Some(1)], StringArray::from(vec!["MAIL", "SHIP"]));
        check(vec![Some(2), None, Some(0), Some(1)], StringArray::from(vec!["", "é", "TRUCK"]));
        // a dictionary sliced from a larger array
        let sliced = StringArray::from(vec!["xx", "AA", "BB", "yy"]).slice(1, 2);
        check(vec![Some(1), Some(0)], sliced);
        let sliced = StringArray::from(vec!["x", "AAA", "B", "yy"]).slice(1, 2);
        check(vec![Some(1), Some(0), None], sliced);
        // an empty dictionary under keys that are all NULL
        check(vec![None, None], StringArray::from(Vec::<&str>::new()));
    }

    /// Keys sliced from a larger array, with NULLs: the kernel reads the
    /// slice's own keys and validity.
    #[test]
    fn sliced_keys_with_nulls() {
        let keys = Int32Array::from(vec![Some(1), None, Some(0), Some(2), None, Some(1)]).slice(1, 4);
        for values in [StringArray::from(vec!["A", "N", "R"]), StringArray::from(vec!["A", "NN", ""])] {
            let column = DictionaryArray::<Int32Type>::try_new(keys.clone(), Arc::new(values)).unwrap();
            let ours = dictionary_strings(&column).unwrap().unwrap();
            let reference = cast(&(Arc::new(column) as ArrayRef), &DataType::Utf8).unwrap();
            assert_eq!(&ours as &dyn Array, reference.as_ref());
        }
    }

    #[test]
    fn a_dictionary_with_nulls_is_left_to_the_cast() {
        let column = DictionaryArray::<Int32Type>::try_new(
            Int32Array::from(vec![0, 1]),
            Arc::new(StringArray::from(vec![Some("A"), None])),
        )
        .unwrap();
        assert!(dictionary_strings(&column).unwrap().is_none());
    }
}
