//! Typed, row-indexed views of function arguments that are either columns or
//! constants, so kernels read `arg.get(i)` without expanding constants, and
//! result builders that reuse one scratch buffer for string output.

use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, PrimitiveArray, StringArray, StringBuilder};
use arrow::datatypes::*;
use ember_core::{Error, Result, ScalarValue};

use crate::ColumnarValue;

/// A string argument.
pub(crate) enum Strs {
    Col(StringArray),
    Const(Option<String>),
}

impl Strs {
    pub fn new(v: &ColumnarValue) -> Result<Strs> {
        Ok(match v {
            ColumnarValue::Array(a) => match a.data_type() {
                DataType::Utf8 => Strs::Col(a.as_string::<i32>().clone()),
                DataType::Null => Strs::Const(None),
                _ => Strs::Col(arrow::compute::cast(a, &DataType::Utf8)?.as_string::<i32>().clone()),
            },
            ColumnarValue::Scalar(ScalarValue::Utf8(s)) => Strs::Const(s.clone()),
            ColumnarValue::Scalar(s) if s.is_null() => Strs::Const(None),
            ColumnarValue::Scalar(s) => {
                let a = crate::cast::cast(&s.to_array(1), &DataType::Utf8, ember_core::EvalMode::Legacy)?;
                Strs::Const(a.as_string::<i32>().iter().next().flatten().map(str::to_string))
            }
        })
    }

    #[inline]
    pub fn get(&self, i: usize) -> Option<&str> {
        match self {
            Strs::Col(a) => {
                if a.is_null(i) {
                    None
                } else {
                    Some(a.value(i))
                }
            }
            Strs::Const(c) => c.as_deref(),
        }
    }
}

/// A primitive argument, converted to `T` (e.g. any integer to Int64).
pub(crate) enum Prim<T: ArrowPrimitiveType> {
    Col(PrimitiveArray<T>),
    Const(Option<T::Native>),
}

impl<T: ArrowPrimitiveType> Prim<T> {
    pub fn new(v: &ColumnarValue) -> Result<Prim<T>> {
        let target = T::DATA_TYPE;
        Ok(match v {
            ColumnarValue::Array(a) => {
                let a =
                    if same_physical(a.data_type(), &target) { a.clone() } else { arrow::compute::cast(a, &target)? };
                let arr = a
                    .as_primitive_opt::<T>()
                    .cloned()
                    .or_else(|| reinterpret::<T>(&a))
                    .ok_or_else(|| Error::internal(format!("cannot read {} as {target}", a.data_type())))?;
                Prim::Col(arr)
            }
            ColumnarValue::Scalar(s) => {
                let a = s.to_array(1);
                match Prim::<T>::new(&ColumnarValue::Array(a))? {
                    Prim::Col(arr) => Prim::Const(if arr.is_null(0) { None } else { Some(arr.value(0)) }),
                    c => c,
                }
            }
        })
    }

    #[inline]
    pub fn get(&self, i: usize) -> Option<T::Native> {
        match self {
            Prim::Col(a) => {
                if a.is_null(i) {
                    None
                } else {
                    Some(a.value(i))
                }
            }
            Prim::Const(c) => *c,
        }
    }
}

fn same_physical(a: &DataType, b: &DataType) -> bool {
    a == b
        || matches!(
            (a, b),
            (DataType::Timestamp(_, _), DataType::Int64)
                | (DataType::Timestamp(_, _), DataType::Timestamp(_, _))
                | (DataType::Decimal128(_, _), DataType::Decimal128(_, _))
        )
}

/// Views a timestamp/decimal array with another type of the same width.
fn reinterpret<T: ArrowPrimitiveType>(a: &ArrayRef) -> Option<PrimitiveArray<T>> {
    let data = a.to_data().into_builder().data_type(T::DATA_TYPE).build().ok()?;
    Some(PrimitiveArray::<T>::from(data))
}

pub(crate) type I64s = Prim<Int64Type>;
pub(crate) type F64s = Prim<Float64Type>;
pub(crate) type Days = Prim<Date32Type>;
/// Timestamps (both kinds) as UTC microseconds.
pub(crate) type Micros = Prim<Int64Type>;

/// Builds a string column: `f(row, buf)` writes the value into `buf` and
/// returns false for NULL.
pub(crate) fn build_strings(n: usize, mut f: impl FnMut(usize, &mut String) -> Result<bool>) -> Result<ArrayRef> {
    let mut out = StringBuilder::with_capacity(n, n * 8);
    let mut buf = String::new();
    for i in 0..n {
        buf.clear();
        if f(i, &mut buf)? {
            out.append_value(&buf);
        } else {
            out.append_null();
        }
    }
    Ok(std::sync::Arc::new(out.finish()))
}

/// Builds a primitive column from `f(row)`.
pub(crate) fn build_prim<T: ArrowPrimitiveType>(
    n: usize,
    mut f: impl FnMut(usize) -> Result<Option<T::Native>>,
) -> Result<PrimitiveArray<T>> {
    let mut values: Vec<T::Native> = Vec::with_capacity(n);
    let mut valid: Vec<bool> = Vec::with_capacity(n);
    let mut any_null = false;
    for i in 0..n {
        match f(i)? {
            Some(v) => {
                values.push(v);
                valid.push(true);
            }
            None => {
                values.push(T::Native::default());
                valid.push(false);
                any_null = true;
            }
        }
    }
    let nulls = if any_null { Some(arrow::buffer::NullBuffer::from(valid)) } else { None };
    Ok(PrimitiveArray::new(values.into(), nulls))
}

pub(crate) fn build_bools(n: usize, mut f: impl FnMut(usize) -> Option<bool>) -> ArrayRef {
    let out: BooleanArray = (0..n).map(&mut f).collect();
    std::sync::Arc::new(out)
}

/// A binary argument (strings are read as their UTF-8 bytes).
pub(crate) enum Bins {
    Col(arrow::array::BinaryArray),
    Str(StringArray),
    Const(Option<Vec<u8>>),
}

impl Bins {
    pub fn new(v: &ColumnarValue) -> Result<Bins> {
        Ok(match v {
            ColumnarValue::Array(a) => match a.data_type() {
                DataType::Binary => Bins::Col(a.as_binary::<i32>().clone()),
                DataType::Utf8 => Bins::Str(a.as_string::<i32>().clone()),
                DataType::Null => Bins::Const(None),
                _ => Bins::Col(arrow::compute::cast(a, &DataType::Binary)?.as_binary::<i32>().clone()),
            },
            ColumnarValue::Scalar(ScalarValue::Binary(b)) => Bins::Const(b.clone()),
            ColumnarValue::Scalar(ScalarValue::Utf8(s)) => Bins::Const(s.as_ref().map(|s| s.as_bytes().to_vec())),
            ColumnarValue::Scalar(s) if s.is_null() => Bins::Const(None),
            ColumnarValue::Scalar(s) => match Bins::new(&ColumnarValue::Array(s.to_array(1)))? {
                Bins::Col(a) => Bins::Const(a.iter().next().flatten().map(<[u8]>::to_vec)),
                Bins::Str(a) => Bins::Const(a.iter().next().flatten().map(|s| s.as_bytes().to_vec())),
                c => c,
            },
        })
    }

    #[inline]
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        match self {
            Bins::Col(a) => (!a.is_null(i)).then(|| a.value(i)),
            Bins::Str(a) => (!a.is_null(i)).then(|| a.value(i).as_bytes()),
            Bins::Const(c) => c.as_deref(),
        }
    }
}

/// Builds a binary column: `f(row, buf)` writes the value into `buf` and
/// returns false for NULL.
pub(crate) fn build_binary(n: usize, mut f: impl FnMut(usize, &mut Vec<u8>) -> Result<bool>) -> Result<ArrayRef> {
    let mut out = arrow::array::BinaryBuilder::with_capacity(n, n * 8);
    let mut buf = Vec::new();
    for i in 0..n {
        buf.clear();
        if f(i, &mut buf)? {
            out.append_value(&buf);
        } else {
            out.append_null();
        }
    }
    Ok(std::sync::Arc::new(out.finish()))
}
