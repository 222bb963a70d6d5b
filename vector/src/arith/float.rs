//! Float/double arithmetic: IEEE results, except that Spark's `/` and `%`
//! treat a zero divisor as DIVIDE_BY_ZERO (Ansi) or NULL.

use std::ops::{Add, Div, Mul, Neg, Rem, Sub};
use std::sync::Arc;

use arrow::array::{ArrayRef, PrimitiveArray};
use arrow::datatypes::ArrowPrimitiveType;
use ember_core::expr::BinaryOp;
use ember_core::{Error, EvalMode, Result};

use super::{binary_flagged, DIV_ZERO, OK};
use crate::util::as_primitive;

pub(crate) fn float_binary<T>(op: BinaryOp, left: &ArrayRef, right: &ArrayRef, mode: EvalMode) -> Result<ArrayRef>
where
    T: ArrowPrimitiveType,
    T::Native: Add<Output = T::Native>
        + Sub<Output = T::Native>
        + Mul<Output = T::Native>
        + Div<Output = T::Native>
        + Rem<Output = T::Native>
        + PartialEq
        + Default,
{
    let l = as_primitive::<T>(left.as_ref())?;
    let r = as_primitive::<T>(right.as_ref())?;
    let zero = T::Native::default();
    let err = |_: usize, _: u8| Error::divide_by_zero();
    let out: PrimitiveArray<T> = match op {
        BinaryOp::Plus => binary_flagged(l, r, |a: T::Native, b| (a + b, OK), mode, true, err)?,
        BinaryOp::Minus => binary_flagged(l, r, |a: T::Native, b| (a - b, OK), mode, true, err)?,
        BinaryOp::Multiply => binary_flagged(l, r, |a: T::Native, b| (a * b, OK), mode, true, err)?,
        BinaryOp::Divide => {
            binary_flagged(l, r, |a: T::Native, b| (a / b, if b == zero { DIV_ZERO } else { OK }), mode, true, err)?
        }
        BinaryOp::Modulo => {
            binary_flagged(l, r, |a: T::Native, b| (a % b, if b == zero { DIV_ZERO } else { OK }), mode, true, err)?
        }
        other => return Err(Error::internal(format!("no floating-point kernel for {}", other.symbol()))),
    };
    Ok(Arc::new(out))
}

pub(crate) fn float_negate<T>(a: &ArrayRef) -> Result<ArrayRef>
where
    T: ArrowPrimitiveType,
    T::Native: Neg<Output = T::Native>,
{
    let arr = as_primitive::<T>(a.as_ref())?;
    let out: PrimitiveArray<T> = arr.unary(|x| -x);
    Ok(Arc::new(out))
}
