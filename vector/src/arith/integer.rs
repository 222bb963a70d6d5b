//! Integer arithmetic (tinyint..bigint): wrapping arithmetic with overflow
//! flags; Ansi raises Spark's overflow error, Legacy wraps, Try gives NULL.

use std::sync::Arc;

use arrow::array::{ArrayRef, PrimitiveArray};
use arrow::datatypes::ArrowPrimitiveType;
use ember_core::expr::BinaryOp;
use ember_core::{Error, EvalMode, Result};

use super::{binary_flagged, try_hint, unary_flagged, DIV_ZERO, OK, OVERFLOW};
use crate::errors::{arithmetic_overflow, binary_arithmetic_overflow};
use crate::util::as_primitive;

/// The operations Spark's integer arithmetic needs, per width.
pub(crate) trait SparkInt: Copy + std::fmt::Display + Default + PartialEq + 'static {
    /// Java's overflow message (`Math.addExact`), e.g. `integer overflow`.
    const OVERFLOW_MESSAGE: &'static str;
    /// tinyint and smallint report `BINARY_ARITHMETIC_OVERFLOW` instead.
    const NARROW: bool;
    const ZERO: Self;
    const MIN: Self;
    const MINUS_ONE: Self;
    fn ov_add(self, o: Self) -> (Self, bool);
    fn ov_sub(self, o: Self) -> (Self, bool);
    fn ov_mul(self, o: Self) -> (Self, bool);
    fn ov_neg(self) -> (Self, bool);
    fn wrap_div(self, o: Self) -> Self;
    fn wrap_rem(self, o: Self) -> Self;
    fn and(self, o: Self) -> Self;
    fn or(self, o: Self) -> Self;
    fn xor(self, o: Self) -> Self;
}

macro_rules! spark_int {
    ($t:ty, $msg:expr, $narrow:expr) => {
        impl SparkInt for $t {
            const OVERFLOW_MESSAGE: &'static str = $msg;
            const NARROW: bool = $narrow;
            const ZERO: Self = 0;
            const MIN: Self = <$t>::MIN;
            const MINUS_ONE: Self = -1;
            #[inline(always)]
            fn ov_add(self, o: Self) -> (Self, bool) {
                self.overflowing_add(o)
            }
            #[inline(always)]
            fn ov_sub(self, o: Self) -> (Self, bool) {
                self.overflowing_sub(o)
            }
            #[inline(always)]
            fn ov_mul(self, o: Self) -> (Self, bool) {
                self.overflowing_mul(o)
            }
            #[inline(always)]
            fn ov_neg(self) -> (Self, bool) {
                self.overflowing_neg()
            }
            #[inline(always)]
            fn wrap_div(self, o: Self) -> Self {
                // divisor 0 is flagged by the caller; divide by 1 to stay defined
                self.wrapping_div(if o == 0 { 1 } else { o })
            }
            #[inline(always)]
            fn wrap_rem(self, o: Self) -> Self {
                self.wrapping_rem(if o == 0 { 1 } else { o })
            }
            #[inline(always)]
            fn and(self, o: Self) -> Self {
                self & o
            }
            #[inline(always)]
            fn or(self, o: Self) -> Self {
                self | o
            }
            #[inline(always)]
            fn xor(self, o: Self) -> Self {
                self ^ o
            }
        }
    };
}

spark_int!(i8, "byte overflow", true);
spark_int!(i16, "short overflow", true);
spark_int!(i32, "integer overflow", false);
spark_int!(i64, "long overflow", false);

/// Spark's literal suffix for a narrow integer in messages (`toSQLValue`
/// widens tinyint operands to smallint there).
fn narrow_literal<N: SparkInt>(v: N) -> String {
    format!("{v}S")
}

pub(crate) fn int_binary<T>(op: BinaryOp, left: &ArrayRef, right: &ArrayRef, mode: EvalMode) -> Result<ArrayRef>
where
    T: ArrowPrimitiveType,
    T::Native: SparkInt,
{
    let l = as_primitive::<T>(left.as_ref())?;
    let r = as_primitive::<T>(right.as_ref())?;
    let (lv, rv) = (l.values(), r.values());
    let overflow_err = |i: usize, flag: u8| -> Error {
        if flag == DIV_ZERO {
            return Error::divide_by_zero();
        }
        if op == BinaryOp::IntDivide {
            return arithmetic_overflow("Overflow in integral divide", "try_divide");
        }
        if T::Native::NARROW {
            binary_arithmetic_overflow(&narrow_literal(lv[i]), op.symbol(), &narrow_literal(rv[i]), try_hint(op))
        } else {
            arithmetic_overflow(T::Native::OVERFLOW_MESSAGE, try_hint(op))
        }
    };
    let out: PrimitiveArray<T> = match op {
        BinaryOp::Plus => binary_flagged(l, r, |a: T::Native, b| flag(a.ov_add(b)), mode, true, overflow_err)?,
        BinaryOp::Minus => binary_flagged(l, r, |a: T::Native, b| flag(a.ov_sub(b)), mode, true, overflow_err)?,
        BinaryOp::Multiply => binary_flagged(l, r, |a: T::Native, b| flag(a.ov_mul(b)), mode, true, overflow_err)?,
        BinaryOp::IntDivide => binary_flagged(
            l,
            r,
            |a: T::Native, b| {
                // MIN / -1 is the one division that overflows
                let f = if b == T::Native::ZERO {
                    DIV_ZERO
                } else if a == T::Native::MIN && b == T::Native::MINUS_ONE {
                    OVERFLOW
                } else {
                    OK
                };
                (a.wrap_div(b), f)
            },
            mode,
            true,
            overflow_err,
        )?,
        BinaryOp::Modulo => binary_flagged(
            l,
            r,
            |a: T::Native, b| (a.wrap_rem(b), if b == T::Native::ZERO { DIV_ZERO } else { OK }),
            mode,
            true,
            overflow_err,
        )?,
        BinaryOp::BitAnd => binary_flagged(l, r, |a: T::Native, b| (a.and(b), OK), mode, true, overflow_err)?,
        BinaryOp::BitOr => binary_flagged(l, r, |a: T::Native, b| (a.or(b), OK), mode, true, overflow_err)?,
        BinaryOp::BitXor => binary_flagged(l, r, |a: T::Native, b| (a.xor(b), OK), mode, true, overflow_err)?,
        other => return Err(Error::internal(format!("no integer kernel for {}", other.symbol()))),
    };
    Ok(Arc::new(out))
}

#[inline(always)]
fn flag<N>((v, overflow): (N, bool)) -> (N, u8) {
    (v, overflow as u8 * OVERFLOW)
}

pub(crate) fn int_negate<T>(a: &ArrayRef, mode: EvalMode) -> Result<ArrayRef>
where
    T: ArrowPrimitiveType,
    T::Native: SparkInt,
{
    let arr = as_primitive::<T>(a.as_ref())?;
    let out: PrimitiveArray<T> = unary_flagged(
        arr,
        |x: T::Native| flag(x.ov_neg()),
        mode,
        true,
        |_, _| arithmetic_overflow(T::Native::OVERFLOW_MESSAGE, ""),
    )?;
    Ok(Arc::new(out))
}
