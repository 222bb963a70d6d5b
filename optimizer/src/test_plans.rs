//! Plans the optimizer's unit tests build on.

use arrow_schema::DataType;
use ember_core::{Attribute, Expr, LogicalPlan, ScalarValue};

/// A literal table of `n` rows of nullable int columns named `names` (the
/// estimates count VALUES rows; their contents do not matter).
pub fn table(names: &[&str], n: usize) -> LogicalPlan {
    LogicalPlan::Values {
        output: names.iter().map(|c| Attribute::new(*c, DataType::Int32, true)).collect(),
        rows: vec![vec![ScalarValue::Int32(Some(0)); names.len()]; n],
    }
}

/// Column `i` of `p`'s output.
pub fn col(p: &LogicalPlan, i: usize) -> Expr {
    Expr::col(&p.output()[i])
}
