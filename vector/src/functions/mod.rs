//! Scalar functions by canonical name (see the analyzer/kernel contract):
//! one file per family, each with an `eval` that answers `None` for names it
//! does not own. Arguments arrive coerced to the contract's types; constant
//! arguments stay scalars and are read without being expanded to columns.

mod args;
mod collection;
mod conditional;
mod datetime;
mod datetime_format;
mod digest;
mod encoding;
mod hash;
mod json;
mod list_stats;
mod math;
mod number_format;
mod numeric;
mod random;
mod string;
mod text;
mod timestamp;

use arrow::array::ArrayRef;
use arrow::datatypes::DataType;
use ember_core::{Error, EvalMode, Result};

use crate::tz::TimeZone;
use crate::ColumnarValue;

pub use hash::{murmur3_hash_bytes, murmur3_hash_int, murmur3_hash_long, spark_murmur3_hash};
pub use random::is_nondeterministic;

/// One family's dispatcher: `None` when the name is not one of its functions.
type Family = fn(&Ctx) -> Option<Result<ArrayRef>>;

/// Evaluates the function `name` over `num_rows` rows in a UTC session.
pub fn eval_scalar_function(
    name: &str,
    args: &[ColumnarValue],
    return_type: &DataType,
    mode: EvalMode,
    num_rows: usize,
) -> Result<ArrayRef> {
    eval_scalar_function_in_zone(name, args, return_type, mode, crate::tz::utc(), num_rows)
}

/// Evaluates the function `name` over `num_rows` rows; `tz` is the session
/// time zone (`spark.sql.session.timeZone`), which reads and writes the
/// wall-clock fields of TIMESTAMP values.
pub fn eval_scalar_function_in_zone(
    name: &str,
    args: &[ColumnarValue],
    return_type: &DataType,
    mode: EvalMode,
    tz: &TimeZone,
    num_rows: usize,
) -> Result<ArrayRef> {
    let ctx = Ctx { name, args, return_type, mode, tz, n: num_rows };
    let families: [Family; 14] = [
        string::eval,
        math::eval,
        conditional::eval,
        datetime::eval,
        hash::eval,
        numeric::eval,
        encoding::eval,
        text::eval,
        timestamp::eval,
        collection::eval,
        random::eval,
        list_stats::eval,
        json::eval,
        number_format::eval,
    ];
    for family in families {
        if let Some(result) = family(&ctx) {
            return result;
        }
    }
    Err(Error::internal(format!("unknown scalar function {name}")))
}

/// One call: what every family function needs.
pub(crate) struct Ctx<'a> {
    pub name: &'a str,
    pub args: &'a [ColumnarValue],
    pub return_type: &'a DataType,
    pub mode: EvalMode,
    /// The session time zone.
    pub tz: &'a TimeZone,
    pub n: usize,
}

impl Ctx<'_> {
    pub fn arg(&self, i: usize) -> Result<&ColumnarValue> {
        self.args.get(i).ok_or_else(|| {
            Error::internal(format!("{} expects at least {} arguments, got {}", self.name, i + 1, self.args.len()))
        })
    }
}

#[cfg(test)]
mod tests;
