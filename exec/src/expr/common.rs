//! `CommonSubexpressions`: subtrees that several expressions of one
//! operator share, evaluated once per chunk.
//!
//! TPC-H Q1 sums `l_extendedprice * (1 - l_discount)` and that product
//! times `(1 + l_tax)`: without this the product and the difference under it
//! are computed twice per row. Spark eliminates them the same way in its
//! generated code.
//!
//! Only subtrees every row evaluates are shared: the right side of AND and
//! OR and the branches of CASE after the first condition run on some rows
//! only, and computing them for all rows could raise an ANSI error that the
//! query never asks for. Subtrees that read a nondeterministic function
//! (`rand()`) or hold a lambda are never shared.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{RecordBatch, RecordBatchOptions};
use arrow::datatypes::{Field, Schema};
use ember_core::expr::BinaryOp;
use ember_core::{Error, Result};

use super::PhysicalExpr;

/// The shared subtrees of some expressions, which the expressions now read
/// as extra columns after the input's.
#[derive(Debug, Clone, Default)]
pub struct CommonSubexpressions {
    /// In evaluation order: each may read the input and the ones before it.
    shared: Vec<PhysicalExpr>,
    /// Columns of the input; `shared[k]` becomes column `width + k`.
    width: usize,
}

impl CommonSubexpressions {
    /// Rewrites `exprs`, evaluated over chunks of `width` columns, to read
    /// each subtree that two of them (or one twice) evaluate on every row
    /// from a shared column instead.
    pub fn extract(exprs: &mut [PhysicalExpr], width: usize) -> CommonSubexpressions {
        let original = exprs.to_vec();
        // in the order they were found: the largest first, so a later one
        // may sit inside an earlier one, never the other way round
        let mut found: Vec<PhysicalExpr> = Vec::new();
        loop {
            let mut counts: HashMap<String, Uses> = HashMap::new();
            for e in exprs.iter_mut() {
                count(e, &mut counts);
            }
            for e in found.iter_mut() {
                // a shared subtree's own root is its definition, not a use
                for child in evaluated_children(e) {
                    count(child, &mut counts);
                }
            }
            // the largest subtree used twice; ties go to the smallest key,
            // so that plans do not depend on hash order
            let Some((key, uses)) = counts
                .into_iter()
                .filter(|(_, u)| u.count >= 2)
                .max_by(|(ka, a), (kb, b)| a.size.cmp(&b.size).then_with(|| kb.cmp(ka)))
            else {
                break;
            };
            let subtree = uses.subtree;
            let column = PhysicalExpr::Column(width + found.len());
            for e in exprs.iter_mut() {
                replace(e, &key, &column);
            }
            for e in found.iter_mut() {
                for child in evaluated_children(e) {
                    replace(child, &key, &column);
                }
            }
            found.push(subtree);
        }
        // evaluate the smallest (last found) first
        let m = found.len();
        let renumber = |c: usize| if c >= width { width + m - 1 - (c - width) } else { c };
        for e in exprs.iter_mut().chain(found.iter_mut()) {
            renumber_columns(e, &renumber);
        }
        found.reverse();
        // each shared subtree may read only the ones evaluated before it. The
        // reasoning above says it does; were it ever wrong, a shared column
        // read before it exists would fail the query, so check, and evaluate
        // the expressions as given instead
        let ordered = found.iter().enumerate().all(|(k, e)| reads_below(e, width + k));
        if !ordered {
            exprs.clone_from_slice(&original);
            return CommonSubexpressions { shared: vec![], width };
        }
        CommonSubexpressions { shared: found, width }
    }

    pub fn is_empty(&self) -> bool {
        self.shared.is_empty()
    }

    /// `batch` with the shared subtrees appended as columns.
    pub fn extend(&self, batch: &RecordBatch) -> Result<RecordBatch> {
        if self.is_empty() {
            return Ok(batch.clone());
        }
        if batch.num_columns() != self.width {
            return Err(Error::internal(format!(
                "shared subexpressions planned over {} columns got a chunk of {}",
                self.width,
                batch.num_columns()
            )));
        }
        let mut batch = batch.clone();
        for e in &self.shared {
            let column = e.evaluate(&batch)?;
            let mut fields: Vec<Field> = batch.schema().fields().iter().map(|f| f.as_ref().clone()).collect();
            fields.push(Field::new(format!("_common{}", fields.len() - self.width), column.data_type().clone(), true));
            let mut columns = batch.columns().to_vec();
            columns.push(column);
            batch = RecordBatch::try_new_with_options(
                Arc::new(Schema::new(fields)),
                columns,
                &RecordBatchOptions::new().with_row_count(Some(batch.num_rows())),
            )?;
        }
        Ok(batch)
    }
}

/// The children of `e` that every row evaluating `e` evaluates too. A zone
/// node's own child runs in that zone: it is shared as a whole or not at
/// all, so its children are the child's children.
fn evaluated_children(e: &mut PhysicalExpr) -> Vec<&mut PhysicalExpr> {
    match e {
        PhysicalExpr::InZone { expr, .. } => evaluated_children(expr),
        PhysicalExpr::Column(_) | PhysicalExpr::Literal(_) | PhysicalExpr::HigherOrder(_) => vec![],
        PhysicalExpr::Binary { op: BinaryOp::And | BinaryOp::Or, left, .. } => vec![left],
        PhysicalExpr::Binary { left, right, .. } => vec![left, right],
        PhysicalExpr::Not(x) | PhysicalExpr::IsNull(x) | PhysicalExpr::IsNotNull(x) => vec![x],
        PhysicalExpr::Negative { expr, .. } | PhysicalExpr::Cast { expr, .. } => vec![expr],
        PhysicalExpr::Case { branches, .. } => branches.first_mut().map(|(when, _)| when).into_iter().collect(),
        PhysicalExpr::InList { expr, list, .. } => std::iter::once(expr.as_mut()).chain(list.iter_mut()).collect(),
        PhysicalExpr::Like { expr, pattern, .. } => vec![expr, pattern],
        PhysicalExpr::Function { args, .. } => args.iter_mut().collect(),
    }
}

/// One shareable subtree's uses on the evaluated paths.
struct Uses {
    count: usize,
    /// Nodes in the subtree: the largest shared subtree is taken first.
    size: usize,
    subtree: PhysicalExpr,
}

/// Whether `e` may be computed apart from where it stands: not a bare
/// column or literal (nothing to save), and nothing in it that gives a new
/// value per evaluation or reads a lambda's rows.
fn shareable(e: &PhysicalExpr) -> bool {
    fn pure(e: &PhysicalExpr) -> bool {
        // through a zone node: a non-UTC session wraps every call in one
        match e.node() {
            PhysicalExpr::HigherOrder(_) => false,
            PhysicalExpr::Function { name, .. } if ember_vector::functions::is_nondeterministic(name) => false,
            other => other.children().into_iter().all(pure),
        }
    }
    !matches!(e.node(), PhysicalExpr::Column(_) | PhysicalExpr::Literal(_)) && pure(e)
}

/// Nodes in `e`, for size comparisons.
fn size(e: &PhysicalExpr) -> usize {
    1 + e.children().into_iter().map(size).sum::<usize>()
}

/// Counts the uses of each shareable subtree of `e` on its evaluated path,
/// by structural key.
fn count(e: &mut PhysicalExpr, counts: &mut HashMap<String, Uses>) {
    if shareable(e) {
        let key = format!("{e:?}");
        counts.entry(key).or_insert_with(|| Uses { count: 0, size: size(e), subtree: e.clone() }).count += 1;
    }
    for child in evaluated_children(e) {
        count(child, counts);
    }
}

/// Replaces the uses of the subtree with structural key `key` by `column`.
fn replace(e: &mut PhysicalExpr, key: &str, column: &PhysicalExpr) {
    if shareable(e) && format!("{e:?}") == key {
        *e = column.clone();
        return;
    }
    for child in evaluated_children(e) {
        replace(child, key, column);
    }
}

/// Applies `renumber` to the columns on `e`'s evaluated path (the only
/// places a shared column can stand).
fn renumber_columns(e: &mut PhysicalExpr, renumber: &impl Fn(usize) -> usize) {
    if let PhysicalExpr::Column(c) = e {
        *c = renumber(*c);
        return;
    }
    for child in evaluated_children(e) {
        renumber_columns(child, renumber);
    }
}

/// Whether every column `e` reads is below `limit`.
fn reads_below(e: &PhysicalExpr, limit: usize) -> bool {
    match e {
        PhysicalExpr::Column(c) => *c < limit,
        other => other.children().into_iter().all(|c| reads_below(c, limit)),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{ArrayRef, AsArray, Decimal128Array, Int64Array};
    use arrow::datatypes::{DataType, Int64Type};
    use ember_core::{EvalMode, ScalarValue};

    use super::*;

    fn col(i: usize) -> PhysicalExpr {
        PhysicalExpr::Column(i)
    }

    fn lit(v: i64) -> PhysicalExpr {
        PhysicalExpr::Literal(ScalarValue::Int64(Some(v)))
    }

    fn bin(op: BinaryOp, l: PhysicalExpr, r: PhysicalExpr) -> PhysicalExpr {
        PhysicalExpr::Binary {
            op,
            left: Box::new(l),
            right: Box::new(r),
            data_type: DataType::Int64,
            mode: EvalMode::Ansi,
        }
    }

    fn batch() -> RecordBatch {
        let a: ArrayRef = Arc::new(Int64Array::from(vec![1, 2, 0, -4]));
        let b: ArrayRef = Arc::new(Int64Array::from(vec![Some(10), None, Some(30), Some(40)]));
        RecordBatch::try_from_iter(vec![("a", a), ("b", b)]).unwrap()
    }

    fn values(e: &PhysicalExpr, batch: &RecordBatch) -> Vec<Option<i64>> {
        e.evaluate(batch).unwrap().as_primitive::<Int64Type>().iter().collect()
    }

    #[test]
    fn q1_shape_computes_each_subtree_once() {
        // x = a * (1 - b); sum(x) and sum(x * (1 + b))
        let x = || bin(BinaryOp::Multiply, col(0), bin(BinaryOp::Minus, lit(1), col(1)));
        let original = vec![x(), bin(BinaryOp::Multiply, x(), bin(BinaryOp::Plus, lit(1), col(1)))];
        let mut exprs = original.clone();
        let common = CommonSubexpressions::extract(&mut exprs, 2);
        assert_eq!(common.shared.len(), 1, "{common:?}");
        assert!(matches!(exprs[0], PhysicalExpr::Column(2)));
        let input = batch();
        let extended = common.extend(&input).unwrap();
        for (rewritten, before) in exprs.iter().zip(&original) {
            assert_eq!(values(rewritten, &extended), values(before, &input));
        }
    }

    #[test]
    fn nested_shared_subtrees_are_evaluated_inner_first() {
        // s = a + b is shared by t = s * 2 (itself shared) and s * 3
        let s = || bin(BinaryOp::Plus, col(0), col(1));
        let t = || bin(BinaryOp::Multiply, s(), lit(2));
        let original = vec![t(), bin(BinaryOp::Plus, t(), lit(1)), bin(BinaryOp::Multiply, s(), lit(3))];
        let mut exprs = original.clone();
        let common = CommonSubexpressions::extract(&mut exprs, 2);
        assert_eq!(common.shared.len(), 2, "{common:?}");
        let input = batch();
        let extended = common.extend(&input).unwrap();
        assert_eq!(extended.num_columns(), 4);
        for (rewritten, before) in exprs.iter().zip(&original) {
            assert_eq!(values(rewritten, &extended), values(before, &input));
        }
    }

    #[test]
    fn conditional_subtrees_stay_in_place() {
        // 10 / a fails on a = 0 under ANSI: as the right side of AND and in
        // a later CASE branch it must not be computed for every row
        let div = || bin(BinaryOp::Divide, lit(10), col(0));
        let cmp = |e| bin(BinaryOp::Gt, e, lit(1));
        let guarded = bin(BinaryOp::And, bin(BinaryOp::NotEq, col(0), lit(0)), cmp(div()));
        let case = PhysicalExpr::Case {
            branches: vec![(bin(BinaryOp::Eq, col(0), lit(0)), lit(0)), (bin(BinaryOp::Gt, col(1), lit(0)), div())],
            else_expr: Some(Box::new(div())),
            data_type: DataType::Int64,
        };
        let mut exprs = vec![guarded, case];
        let common = CommonSubexpressions::extract(&mut exprs, 2);
        assert!(common.is_empty(), "{common:?}");
        common.extend(&batch()).unwrap();
    }

    #[test]
    fn nondeterministic_calls_are_not_shared() {
        let r = || PhysicalExpr::Function {
            name: "rand".into(),
            args: vec![lit(0)],
            data_type: DataType::Float64,
            mode: EvalMode::Ansi,
        };
        let mut exprs = vec![r(), r()];
        assert!(CommonSubexpressions::extract(&mut exprs, 2).is_empty());
        // a session zone other than UTC wraps every call in a zone node
        let tz = Arc::new(ember_vector::tz::TimeZone::parse("America/Los_Angeles").unwrap());
        let zoned = || PhysicalExpr::InZone { tz: tz.clone(), expr: Box::new(r()) };
        let mut exprs = vec![zoned(), zoned()];
        assert!(CommonSubexpressions::extract(&mut exprs, 2).is_empty());
    }

    #[test]
    fn decimals_keep_their_type_through_the_shared_column() {
        let t = DataType::Decimal128(15, 2);
        let price: ArrayRef =
            Arc::new(Decimal128Array::from(vec![1050, 2000]).with_precision_and_scale(15, 2).unwrap());
        let input = RecordBatch::try_from_iter(vec![("p", price)]).unwrap();
        let double = || PhysicalExpr::Binary {
            op: BinaryOp::Plus,
            left: Box::new(col(0)),
            right: Box::new(col(0)),
            data_type: DataType::Decimal128(16, 2),
            mode: EvalMode::Ansi,
        };
        let mut exprs = vec![double(), PhysicalExpr::Cast { expr: Box::new(double()), to: t, mode: EvalMode::Ansi }];
        let common = CommonSubexpressions::extract(&mut exprs, 1);
        let extended = common.extend(&input).unwrap();
        assert_eq!(exprs[0].evaluate(&extended).unwrap().data_type(), &DataType::Decimal128(16, 2));
        assert_eq!(
            exprs[1].evaluate(&extended).unwrap().as_primitive::<arrow::datatypes::Decimal128Type>().value(1),
            4000
        );
    }
}
