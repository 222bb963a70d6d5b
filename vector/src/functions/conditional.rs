//! coalesce, nullif, nvl, nvl2, isnan, nanvl. Selection uses Arrow's `zip`
//! (a masked copy), never per-row dispatch; `nullif` equality is Spark's
//! (NaN = NaN).

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, BooleanArray, Float64Array};
use arrow::buffer::BooleanBuffer;
use arrow::compute::kernels::zip::zip;
use arrow::compute::{is_not_null, is_null, nullif};
use ember_core::expr::BinaryOp;
use ember_core::Result;

use super::args::{build_prim, F64s};
use super::Ctx;

pub(super) fn eval(c: &Ctx) -> Option<Result<ArrayRef>> {
    Some(match c.name {
        "coalesce" | "nvl" | "ifnull" => coalesce(c),
        "nullif" => null_if(c),
        "nvl2" => nvl2(c),
        "isnan" => isnan(c),
        "nanvl" => nanvl(c),
        "raise_error" => raise_error(c),
        _ => return None,
    })
}

/// `raise_error(message)`: fails on any row, with Spark's
/// `USER_RAISED_EXCEPTION` (a NULL message reads `null`).
fn raise_error(c: &Ctx) -> Result<ArrayRef> {
    if c.n == 0 {
        return Ok(arrow::array::new_null_array(c.return_type, 0));
    }
    let m = super::args::Strs::new(c.arg(0)?)?;
    let message = m.get(0).unwrap_or("null").to_string();
    Err(crate::errors::spark_error("USER_RAISED_EXCEPTION", "P0001", "<errorMessage>", &[("errorMessage", message)]))
}

fn array(c: &Ctx, i: usize) -> Result<ArrayRef> {
    let a = c.arg(i)?.clone().into_array(c.n);
    // NULL literals and narrower arguments take the result type
    if a.data_type() != c.return_type {
        return crate::cast::cast_in_zone(&a, c.return_type, ember_core::EvalMode::Legacy, c.tz);
    }
    Ok(a)
}

fn coalesce(c: &Ctx) -> Result<ArrayRef> {
    let mut result = array(c, 0)?;
    for i in 1..c.args.len() {
        if result.null_count() == 0 {
            break;
        }
        let missing = is_null(&result)?;
        result = zip(&missing, &array(c, i)?, &result)?;
    }
    Ok(result)
}

fn null_if(c: &Ctx) -> Result<ArrayRef> {
    let a = array(c, 0)?;
    let b = c.arg(1)?.clone().into_array(c.n);
    let b = if b.data_type() != a.data_type() {
        crate::cast::cast_in_zone(&b, a.data_type(), ember_core::EvalMode::Legacy, c.tz)?
    } else {
        b
    };
    let eq = crate::compare::compare(BinaryOp::Eq, &a, &b)?;
    Ok(nullif(&a, &eq)?)
}

fn nvl2(c: &Ctx) -> Result<ArrayRef> {
    let test = c.arg(0)?.clone().into_array(c.n);
    let present = is_not_null(&test)?;
    Ok(zip(&present, &array(c, 1)?, &array(c, 2)?)?)
}

fn isnan(c: &Ctx) -> Result<ArrayRef> {
    let a = F64s::new(c.arg(0)?)?;
    // NULL is not NaN: the result is never NULL
    let values = BooleanBuffer::collect_bool(c.n, |i| a.get(i).is_some_and(f64::is_nan));
    Ok(Arc::new(BooleanArray::new(values, None)))
}

fn nanvl(c: &Ctx) -> Result<ArrayRef> {
    let a = F64s::new(c.arg(0)?)?;
    let b = F64s::new(c.arg(1)?)?;
    let out: Float64Array = build_prim(c.n, |i| {
        Ok(match a.get(i) {
            Some(x) if x.is_nan() => b.get(i),
            other => other,
        })
    })?;
    if c.return_type != &arrow::datatypes::DataType::Float64 {
        return crate::cast::cast(&(Arc::new(out) as ArrayRef), c.return_type, ember_core::EvalMode::Legacy);
    }
    Ok(Arc::new(out))
}
