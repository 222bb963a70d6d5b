//! Filter conjuncts over one dictionary-encoded string column, evaluated
//! once per distinct value instead of once per row.
//!
//! A Parquet scan reads low-cardinality string columns as dictionaries
//! (see `ParquetScan::try_new`). A conjunct such as
//! `l_shipmode IN ('MAIL', 'SHIP')` then runs on the dictionary's few values
//! (plus one NULL, for NULL rows) and each row takes its value's answer
//! through its key; only the surviving rows' strings are ever materialized.
//!
//! Only conjuncts that cannot fail qualify (comparisons, IN lists and LIKE
//! against literals, NOT, AND, OR, IS [NOT] NULL): a dictionary holds values
//! that earlier conjuncts may have rejected, and evaluating an expression
//! that can raise an error on those would raise it where Spark does not.

use arrow::array::{new_null_array, Array, ArrayRef, AsArray, BooleanArray, RecordBatch, RecordBatchOptions};
use arrow::buffer::{BooleanBuffer, NullBuffer};
use arrow::datatypes::{DataType, SchemaRef};
use ember_core::Result;

use crate::expr::PhysicalExpr;

/// The one column `expr` reads, when `expr` can be evaluated per dictionary
/// value (see the module comment) and that column is a string column.
pub fn dictionary_column(expr: &PhysicalExpr, schema: &SchemaRef) -> Option<usize> {
    per_value_column(expr).filter(|c| schema.field(*c).data_type() == &DataType::Utf8)
}

/// The one column `expr` reads, when `expr` only compares it with literals
/// (see the module comment): it can be answered once per distinct value.
pub fn per_value_column(expr: &PhysicalExpr) -> Option<usize> {
    let mut column = None;
    if !cannot_fail(expr, &mut column) {
        return None;
    }
    column
}

/// Whether `e` only compares one column with literals; records that column.
fn cannot_fail(e: &PhysicalExpr, column: &mut Option<usize>) -> bool {
    match e {
        PhysicalExpr::Column(c) => match column {
            Some(existing) => *existing == *c,
            None => {
                *column = Some(*c);
                true
            }
        },
        PhysicalExpr::Literal(_) => true,
        PhysicalExpr::Binary { op, left, right, .. } => {
            (op.is_comparison() || matches!(op, ember_core::expr::BinaryOp::And | ember_core::expr::BinaryOp::Or))
                && cannot_fail(left, column)
                && cannot_fail(right, column)
        }
        PhysicalExpr::Not(x) | PhysicalExpr::IsNull(x) | PhysicalExpr::IsNotNull(x) => cannot_fail(x, column),
        PhysicalExpr::InList { expr, list, .. } => {
            cannot_fail(expr, column) && list.iter().all(|x| matches!(x, PhysicalExpr::Literal(_)))
        }
        PhysicalExpr::Like { expr, pattern, regex: false, .. } => {
            cannot_fail(expr, column) && matches!(pattern.as_ref(), PhysicalExpr::Literal(_))
        }
        _ => false,
    }
}

/// `expr` over `batch`, whose column `column` is a dictionary: evaluated on
/// the dictionary's values and a NULL, then looked up per row. `None` when
/// the column is not a dictionary.
pub fn evaluate_on_dictionary(
    expr: &PhysicalExpr,
    column: usize,
    batch: &RecordBatch,
    schema: &SchemaRef,
) -> Result<Option<BooleanArray>> {
    let Some(dict) = batch.column(column).as_any_dictionary_opt() else {
        return Ok(None);
    };
    let values = dict.values();
    let distinct = values.len();
    // the values, then one NULL for the rows whose key is NULL
    let with_null = arrow::compute::concat(&[values.as_ref(), new_null_array(values.data_type(), 1).as_ref()])?;
    let with_null = arrow::compute::cast(&with_null, schema.field(column).data_type())?;
    let columns: Vec<ArrayRef> = schema
        .fields()
        .iter()
        .enumerate()
        .map(|(i, f)| if i == column { with_null.clone() } else { new_null_array(f.data_type(), distinct + 1) })
        .collect();
    let per_value = RecordBatch::try_new_with_options(
        schema.clone(),
        columns,
        &RecordBatchOptions::new().with_row_count(Some(distinct + 1)),
    )?;
    let answers = expr.evaluate(&per_value)?;
    let answers = answers.as_boolean();
    let n = batch.num_rows();
    if let Some(dict) = batch.column(column).as_dictionary_opt::<arrow::datatypes::Int32Type>() {
        // the parquet reader's keys: each row's answer through a table of
        // them, with no keys copied into `usize`s first
        let per_slot = |answer: &dyn Fn(usize) -> bool| -> Vec<bool> { (0..=distinct).map(answer).collect() };
        let lookup = |table: &[bool]| -> BooleanBuffer {
            let keys = dict.keys().values();
            // a key outside the dictionary (only under a NULL) reads the NULL answer
            let at = |i: usize| table.get(keys[i] as usize).copied().unwrap_or(table[distinct]);
            match dict.keys().nulls().filter(|n| n.null_count() > 0) {
                Some(nulls) => {
                    BooleanBuffer::collect_bool(n, |i| if nulls.is_null(i) { table[distinct] } else { at(i) })
                }
                None => BooleanBuffer::collect_bool(n, at),
            }
        };
        let values = lookup(&per_slot(&|v| answers.value(v)));
        let nulls = answers
            .nulls()
            .filter(|x| x.null_count() > 0)
            .map(|x| NullBuffer::new(lookup(&per_slot(&|v| x.is_valid(v)))));
        return Ok(Some(BooleanArray::new(values, nulls)));
    }
    let keys = dict.normalized_keys();
    let row_nulls = dict.logical_nulls();
    let slot = |i: usize| if row_nulls.as_ref().is_some_and(|n| n.is_null(i)) { distinct } else { keys[i] };
    let values = BooleanBuffer::collect_bool(n, |i| answers.value(slot(i)));
    let nulls = answers
        .nulls()
        .filter(|x| x.null_count() > 0)
        .map(|x| NullBuffer::new(BooleanBuffer::collect_bool(n, |i| x.is_valid(slot(i)))));
    Ok(Some(BooleanArray::new(values, nulls)))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{DictionaryArray, Int32Array, StringArray};
    use arrow::datatypes::{Field, Int32Type, Schema};
    use ember_core::expr::BinaryOp;
    use ember_core::ScalarValue;

    use super::*;

    fn schema() -> SchemaRef {
        Arc::new(Schema::new(vec![Field::new("n", DataType::Int32, true), Field::new("s", DataType::Utf8, true)]))
    }

    fn batch(dictionary: bool) -> RecordBatch {
        let strings = vec![Some("MAIL"), None, Some("SHIP"), Some("AIR"), Some("MAIL"), None, Some("TRUCK")];
        let s: ArrayRef = if dictionary {
            Arc::new(strings.clone().into_iter().collect::<DictionaryArray<Int32Type>>())
        } else {
            Arc::new(StringArray::from(strings))
        };
        let n: ArrayRef = Arc::new(Int32Array::from(vec![1, 2, 3, 4, 5, 6, 7]));
        let fields = vec![Field::new("n", DataType::Int32, true), Field::new("s", s.data_type().clone(), true)];
        RecordBatch::try_new(Arc::new(Schema::new(fields)), vec![n, s]).unwrap()
    }

    fn lit(s: &str) -> PhysicalExpr {
        PhysicalExpr::Literal(ScalarValue::Utf8(Some(s.into())))
    }

    #[test]
    fn agrees_with_row_by_row_evaluation() {
        let col = || Box::new(PhysicalExpr::Column(1));
        let exprs = vec![
            PhysicalExpr::InList { expr: col(), list: vec![lit("MAIL"), lit("SHIP")], negated: false },
            PhysicalExpr::InList { expr: col(), list: vec![lit("MAIL")], negated: true },
            PhysicalExpr::IsNull(col()),
            PhysicalExpr::Binary {
                op: BinaryOp::Gt,
                left: col(),
                right: Box::new(lit("B")),
                data_type: DataType::Boolean,
                mode: ember_core::EvalMode::Ansi,
            },
            PhysicalExpr::Like {
                expr: col(),
                pattern: Box::new(lit("%AI%")),
                negated: false,
                case_insensitive: false,
                regex: false,
                escape: '\\',
            },
        ];
        let schema = schema();
        let plain = batch(false);
        let dict = batch(true);
        for e in &exprs {
            assert_eq!(dictionary_column(e, &schema), Some(1));
            let expected = e.evaluate(&plain).unwrap();
            let got = evaluate_on_dictionary(e, 1, &dict, &schema).unwrap().expect("a dictionary column");
            assert_eq!(expected.as_boolean(), &got, "{e:?}");
        }
        // not a dictionary: the caller evaluates row by row
        assert!(evaluate_on_dictionary(&exprs[0], 1, &plain, &schema).unwrap().is_none());
        let decoded = super::super::conform_batch(dict.clone(), &schema).unwrap();
        assert_eq!(decoded.column(1).as_ref(), plain.column(1).as_ref());
    }

    #[test]
    fn expressions_that_may_fail_or_read_two_columns_do_not_qualify() {
        let schema = schema();
        let cast = PhysicalExpr::Cast {
            expr: Box::new(PhysicalExpr::Column(1)),
            to: DataType::Int32,
            mode: ember_core::EvalMode::Ansi,
        };
        assert_eq!(dictionary_column(&cast, &schema), None);
        let two = PhysicalExpr::Binary {
            op: BinaryOp::Eq,
            left: Box::new(PhysicalExpr::Column(0)),
            right: Box::new(PhysicalExpr::Column(1)),
            data_type: DataType::Boolean,
            mode: ember_core::EvalMode::Ansi,
        };
        assert_eq!(dictionary_column(&two, &schema), None);
        // an integer column is read plainly
        let int = PhysicalExpr::IsNull(Box::new(PhysicalExpr::Column(0)));
        assert_eq!(dictionary_column(&int, &schema), None);
    }
}
