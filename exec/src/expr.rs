//! Physical expressions: resolved `Expr`s bound to input positions and
//! evaluated a chunk at a time through the `vector` kernels.
//!
//! The session time zone reaches the kernels through the plan: `compile`
//! reads the zone of the query being planned ([`with_session_time_zone`])
//! and, when it is not UTC, wraps each zone-sensitive node (casts,
//! functions, timestamp subtraction) in [`PhysicalExpr::InZone`]. Plans keep
//! "UTC"-tagged TIMESTAMP types whatever the zone: values are instants, and
//! only reading or writing their wall-clock fields needs the zone.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{
    new_null_array, Array, ArrayRef, AsArray, BooleanArray, BooleanBufferBuilder, RecordBatch, UInt32Array,
};
use arrow::buffer::BooleanBuffer;
use arrow::compute::kernels::boolean::{and_kleene, is_not_null, is_null, not, or_kleene};
use arrow::compute::{filter_record_batch, interleave};
use arrow::datatypes::{DataType, Field, Schema};
use ember_core::expr::BinaryOp;
use ember_core::{Attribute, ColumnId, Error, EvalMode, Expr, Result, ScalarValue};
use ember_vector::tz::TimeZone;
use ember_vector::ColumnarValue;

mod common;
mod lambda;

pub use common::CommonSubexpressions;

/// Maps column ids to positions in a chunk.
#[derive(Debug, Clone, Default)]
pub struct Binding {
    positions: HashMap<ColumnId, usize>,
}

impl Binding {
    pub fn new(attrs: &[Attribute]) -> Binding {
        Binding { positions: attrs.iter().enumerate().map(|(i, a)| (a.id, i)).collect() }
    }

    pub fn position(&self, a: &Attribute) -> Result<usize> {
        self.positions
            .get(&a.id)
            .copied()
            .ok_or_else(|| Error::internal(format!("column {}#{} is not in the operator's input", a.name, a.id)))
    }
}

#[derive(Debug, Clone)]
pub enum PhysicalExpr {
    Column(usize),
    Literal(ScalarValue),
    Binary {
        op: BinaryOp,
        left: Box<PhysicalExpr>,
        right: Box<PhysicalExpr>,
        data_type: DataType,
        mode: EvalMode,
    },
    Not(Box<PhysicalExpr>),
    Negative {
        expr: Box<PhysicalExpr>,
        mode: EvalMode,
    },
    IsNull(Box<PhysicalExpr>),
    IsNotNull(Box<PhysicalExpr>),
    Cast {
        expr: Box<PhysicalExpr>,
        to: DataType,
        mode: EvalMode,
    },
    Case {
        branches: Vec<(PhysicalExpr, PhysicalExpr)>,
        else_expr: Option<Box<PhysicalExpr>>,
        data_type: DataType,
    },
    InList {
        expr: Box<PhysicalExpr>,
        list: Vec<PhysicalExpr>,
        negated: bool,
    },
    Like {
        expr: Box<PhysicalExpr>,
        pattern: Box<PhysicalExpr>,
        negated: bool,
        case_insensitive: bool,
        regex: bool,
        escape: char,
    },
    /// `transform`, `filter`, `aggregate`, ... with their compiled lambdas.
    HigherOrder(Box<lambda::HigherOrder>),
    Function {
        name: String,
        args: Vec<PhysicalExpr>,
        data_type: DataType,
        mode: EvalMode,
    },
    /// A cast, function or subtraction evaluated in a session time zone
    /// other than UTC (its children carry their own zone where they need it).
    InZone {
        tz: Arc<TimeZone>,
        expr: Box<PhysicalExpr>,
    },
}

thread_local! {
    /// The session time zone of the query `compile` works for.
    static SESSION_ZONE: RefCell<Option<Arc<TimeZone>>> = const { RefCell::new(None) };
}

/// Runs `f` (which compiles expressions) with `zone` as the session time
/// zone of the expressions it compiles; an unknown zone is Spark's
/// `INVALID_TIMEZONE`. The previous zone is restored afterwards.
pub fn with_session_time_zone<R>(zone: &str, f: impl FnOnce() -> Result<R>) -> Result<R> {
    let tz = TimeZone::parse(zone)?;
    // plain UTC needs no wrapping; `Z` or `+00:00` keep their name for current_timezone()
    let tz = if tz.is_utc() && tz.name() == "UTC" { None } else { Some(Arc::new(tz)) };
    let previous = SESSION_ZONE.with(|z| z.replace(tz));
    let out = f();
    SESSION_ZONE.with(|z| z.replace(previous));
    out
}

/// Wraps a node in the session zone when it can depend on it.
fn in_session_zone(e: PhysicalExpr) -> PhysicalExpr {
    let sensitive = match &e {
        PhysicalExpr::Cast { .. } | PhysicalExpr::Function { .. } => true,
        PhysicalExpr::Binary { op, data_type, .. } => {
            *op == BinaryOp::Minus && matches!(data_type, DataType::Duration(_))
        }
        _ => false,
    };
    if !sensitive {
        return e;
    }
    match SESSION_ZONE.with(|z| z.borrow().clone()) {
        Some(tz) => PhysicalExpr::InZone { tz, expr: Box::new(e) },
        None => e,
    }
}

/// Binds `expr` against `input`. Subqueries must have been replaced before.
pub fn compile(expr: &Expr, input: &Binding) -> Result<PhysicalExpr> {
    let c = |e: &Expr| compile(e, input).map(Box::new);
    let compiled = match expr {
        Expr::Column(a) => PhysicalExpr::Column(input.position(a)?),
        Expr::OuterColumn(a) => {
            return Err(Error::internal(format!("correlated reference {} left after decorrelation", a.name)))
        }
        Expr::Literal(v) => PhysicalExpr::Literal(v.clone()),
        Expr::Alias { expr, .. } => return compile(expr, input),
        Expr::Binary { op, left, right, data_type, mode } => {
            let (mut op, mut left, mut right) = (*op, c(left)?, c(right)?);
            // `5 < x` becomes `x > 5`: comparisons take their literal on the right
            if let (Some(mirrored), PhysicalExpr::Literal(_), false) =
                (op.swap(), left.as_ref(), matches!(right.as_ref(), PhysicalExpr::Literal(_)))
            {
                (op, left, right) = (mirrored, right, left);
            }
            PhysicalExpr::Binary { op, left, right, data_type: data_type.clone(), mode: *mode }
        }
        Expr::Not(e) => PhysicalExpr::Not(c(e)?),
        Expr::Negative { expr, mode } => PhysicalExpr::Negative { expr: c(expr)?, mode: *mode },
        Expr::IsNull(e) => PhysicalExpr::IsNull(c(e)?),
        Expr::IsNotNull(e) => PhysicalExpr::IsNotNull(c(e)?),
        Expr::Cast { expr, to, mode } => PhysicalExpr::Cast { expr: c(expr)?, to: to.clone(), mode: *mode },
        Expr::Case { branches, else_expr, data_type } => PhysicalExpr::Case {
            branches: branches
                .iter()
                .map(|(w, t)| Ok((compile(w, input)?, compile(t, input)?)))
                .collect::<Result<_>>()?,
            else_expr: match else_expr {
                Some(e) => Some(c(e)?),
                None => None,
            },
            data_type: data_type.clone(),
        },
        Expr::InList { expr, list, negated } => PhysicalExpr::InList {
            expr: c(expr)?,
            list: list.iter().map(|e| compile(e, input)).collect::<Result<_>>()?,
            negated: *negated,
        },
        Expr::Like { expr, pattern, negated, case_insensitive, regex, escape } => PhysicalExpr::Like {
            expr: c(expr)?,
            pattern: c(pattern)?,
            negated: *negated,
            case_insensitive: *case_insensitive,
            regex: *regex,
            escape: *escape,
        },
        Expr::ScalarFunction { name, args, data_type, mode } if lambda::is_higher_order(args) => {
            lambda::compile_call(name, args, data_type, *mode, input)?
        }
        Expr::ScalarFunction { name, args, data_type, mode } => PhysicalExpr::Function {
            name: name.clone(),
            args: args.iter().map(|e| compile(e, input)).collect::<Result<_>>()?,
            data_type: data_type.clone(),
            mode: *mode,
        },
        Expr::Aggregate(a) => {
            return Err(Error::internal(format!("aggregate {} outside an aggregation", a.func.name())))
        }
        Expr::ScalarSubquery { .. } | Expr::InSubquery { .. } | Expr::Exists { .. } => {
            return Err(Error::internal("subquery left in an expression after planning"))
        }
        // a lambda's variables are columns of the batch its body runs over
        Expr::LambdaVariable(a) => PhysicalExpr::Column(input.position(a)?),
        Expr::Lambda { .. } => return Err(Error::internal("lambda function outside a higher-order function")),
        Expr::Window(_) => return Err(Error::internal("window function outside a Window operator")),
    };
    fold_constant(in_session_zone(compiled))
}

/// Evaluates constant subtrees once, at compile time.
fn fold_constant(e: PhysicalExpr) -> Result<PhysicalExpr> {
    let constant = match e.node() {
        PhysicalExpr::Column(_) | PhysicalExpr::Literal(_) => false,
        // rand(0), uuid(): a new value per row, even with constant arguments
        PhysicalExpr::Function { name, .. } if ember_vector::functions::is_nondeterministic(name) => false,
        // a lambda reading the row is no constant, whatever its arguments
        PhysicalExpr::HigherOrder(h) if h.reads_input() => false,
        other => other.children().iter().all(|c| matches!(c, PhysicalExpr::Literal(_))),
    };
    if !constant {
        return Ok(e);
    }
    let one_row = RecordBatch::try_new_with_options(
        Arc::new(Schema::new(Vec::<Field>::new())),
        vec![],
        &arrow::array::RecordBatchOptions::new().with_row_count(Some(1)),
    )?;
    // errors (e.g. 1/0 under ANSI) are raised when rows are evaluated, not at
    // planning: a constant error in a branch that is never taken is no error
    match e.evaluate(&one_row) {
        // values a ScalarValue cannot hold (lists, maps) stay computed per chunk
        Ok(v) => Ok(ScalarValue::try_from_array(v.as_ref(), 0).map(PhysicalExpr::Literal).unwrap_or(e)),
        Err(_) => Ok(e),
    }
}

impl PhysicalExpr {
    /// Whether evaluating this cannot raise an error on any row: columns,
    /// literals, comparisons (of operands the analyzer coerced to one
    /// type), AND, OR, NOT, IS [NOT] NULL and IN lists of those.
    pub fn cannot_fail(&self) -> bool {
        match self {
            PhysicalExpr::Column(_) | PhysicalExpr::Literal(_) => true,
            PhysicalExpr::Binary { op, left, right, .. }
                if op.is_comparison() || matches!(op, BinaryOp::And | BinaryOp::Or) =>
            {
                left.cannot_fail() && right.cannot_fail()
            }
            PhysicalExpr::Not(x) | PhysicalExpr::IsNull(x) | PhysicalExpr::IsNotNull(x) => x.cannot_fail(),
            PhysicalExpr::InList { expr, list, .. } => expr.cannot_fail() && list.iter().all(PhysicalExpr::cannot_fail),
            _ => false,
        }
    }

    /// The input columns this reads, or `None` when that is not known (a
    /// lambda's body may read columns of the row around it).
    pub fn columns(&self) -> Option<Vec<usize>> {
        fn visit(e: &PhysicalExpr, out: &mut Vec<usize>) -> bool {
            match e {
                PhysicalExpr::Column(c) => {
                    if !out.contains(c) {
                        out.push(*c);
                    }
                    true
                }
                PhysicalExpr::HigherOrder(_) => false,
                other => other.children().into_iter().all(|c| visit(c, out)),
            }
        }
        let mut out = Vec::new();
        visit(self, &mut out).then_some(out)
    }

    /// The node itself, seen through its zone.
    fn node(&self) -> &PhysicalExpr {
        match self {
            PhysicalExpr::InZone { expr, .. } => expr.node(),
            other => other,
        }
    }

    fn children(&self) -> Vec<&PhysicalExpr> {
        match self {
            PhysicalExpr::InZone { expr, .. } => expr.children(),
            PhysicalExpr::Column(_) | PhysicalExpr::Literal(_) => vec![],
            PhysicalExpr::Binary { left, right, .. } => vec![left, right],
            PhysicalExpr::Not(e) | PhysicalExpr::IsNull(e) | PhysicalExpr::IsNotNull(e) => vec![e],
            PhysicalExpr::Negative { expr, .. } | PhysicalExpr::Cast { expr, .. } => vec![expr],
            PhysicalExpr::Case { branches, else_expr, .. } => {
                let mut v: Vec<&PhysicalExpr> = branches.iter().flat_map(|(w, t)| [w, t]).collect();
                if let Some(e) = else_expr {
                    v.push(e);
                }
                v
            }
            PhysicalExpr::InList { expr, list, .. } => std::iter::once(expr.as_ref()).chain(list.iter()).collect(),
            PhysicalExpr::Like { expr, pattern, .. } => vec![expr, pattern],
            PhysicalExpr::HigherOrder(h) => h.args(),
            PhysicalExpr::Function { args, .. } => args.iter().collect(),
        }
    }

    /// Evaluates to an array of `batch.num_rows()` values.
    pub fn evaluate(&self, batch: &RecordBatch) -> Result<ArrayRef> {
        self.evaluate_in(batch, ember_vector::tz::utc())
    }

    /// Evaluates this node with `tz` as the session time zone.
    fn evaluate_in(&self, batch: &RecordBatch, tz: &TimeZone) -> Result<ArrayRef> {
        let n = batch.num_rows();
        Ok(match self {
            PhysicalExpr::InZone { tz, expr } => expr.evaluate_in(batch, tz)?,
            PhysicalExpr::Column(i) => batch.column(*i).clone(),
            PhysicalExpr::Literal(v) => v.to_array(n),
            PhysicalExpr::Binary { op, left, right, data_type, mode } => {
                if let Some((literal, literal_type, other, literal_left)) =
                    decimal_literal_operand(*op, left, right, data_type)
                {
                    // one side a decimal literal (`1 - l_discount`): not spread
                    // into an array. Spark's coercion makes the other side a
                    // decimal too; were it not, the general path below
                    // evaluates it again.
                    let array = other.evaluate(batch)?;
                    if matches!(array.data_type(), DataType::Decimal128(..)) {
                        return ember_vector::arith::decimal_binary_literal(
                            *op,
                            &array,
                            literal,
                            &literal_type,
                            literal_left,
                            data_type,
                            *mode,
                        );
                    }
                }
                let l = left.evaluate(batch)?;
                match op {
                    BinaryOp::And | BinaryOp::Or => {
                        let lb = l.as_boolean();
                        // Spark short-circuits: the right side is not needed
                        // where the left side decides
                        let decided = if *op == BinaryOp::And {
                            lb.false_count() == n && lb.null_count() == 0
                        } else {
                            lb.true_count() == n
                        };
                        if decided {
                            return Ok(l);
                        }
                        // a side that can fail (`b <> 0 AND 10 / b > 1`)
                        // sees only the rows the left side leaves open
                        let open = (!right.cannot_fail())
                            .then(|| undecided(lb, *op == BinaryOp::And))
                            .filter(|open| open.count_set_bits() < n);
                        let r = match open {
                            None => right.evaluate(batch)?,
                            Some(open) => {
                                let rows = filter_record_batch(batch, &BooleanArray::new(open.clone(), None))?;
                                let r = right.evaluate(&rows)?;
                                Arc::new(spread_to_rows(r.as_boolean(), &open))
                            }
                        };
                        let rb = r.as_boolean();
                        if *op == BinaryOp::And {
                            Arc::new(and_kleene(lb, rb)?)
                        } else {
                            Arc::new(or_kleene(lb, rb)?)
                        }
                    }
                    op if op.is_comparison() => match right.as_ref() {
                        PhysicalExpr::Literal(v) => {
                            Arc::new(ember_vector::compare::compare_to_literal(*op, &l, &v.to_array(1))?)
                        }
                        _ => {
                            let r = right.evaluate(batch)?;
                            Arc::new(ember_vector::compare::compare(*op, &l, &r)?)
                        }
                    },
                    BinaryOp::Concat => {
                        let r = right.evaluate(batch)?;
                        ember_vector::functions::eval_scalar_function(
                            "concat",
                            &[ColumnarValue::Array(l), ColumnarValue::Array(r)],
                            data_type,
                            *mode,
                            n,
                        )?
                    }
                    _ => {
                        let r = right.evaluate(batch)?;
                        ember_vector::arith::binary_in_zone(*op, &l, &r, data_type, *mode, tz)?
                    }
                }
            }
            PhysicalExpr::Not(e) => Arc::new(not(e.evaluate(batch)?.as_boolean())?),
            PhysicalExpr::Negative { expr, mode } => ember_vector::arith::negate(&expr.evaluate(batch)?, *mode)?,
            PhysicalExpr::IsNull(e) => Arc::new(is_null(e.evaluate(batch)?.as_ref())?),
            PhysicalExpr::IsNotNull(e) => Arc::new(is_not_null(e.evaluate(batch)?.as_ref())?),
            PhysicalExpr::Cast { expr, to, mode } => {
                let a = expr.evaluate(batch)?;
                if a.data_type() == to {
                    a
                } else {
                    ember_vector::cast::cast_in_zone(&a, to, *mode, tz)?
                }
            }
            PhysicalExpr::Case { branches, else_expr, data_type } => {
                self.evaluate_case(batch, branches, else_expr, data_type)?
            }
            PhysicalExpr::InList { expr, list, negated } => {
                let v = expr.evaluate(batch)?;
                let mut acc: Option<BooleanArray> = None;
                for item in list {
                    let eq = match item {
                        PhysicalExpr::Literal(x) => {
                            ember_vector::compare::compare_to_literal(BinaryOp::Eq, &v, &x.to_array(1))?
                        }
                        _ => ember_vector::compare::compare(BinaryOp::Eq, &v, &item.evaluate(batch)?)?,
                    };
                    acc = Some(match acc {
                        None => eq,
                        Some(a) => or_kleene(&a, &eq)?,
                    });
                }
                let res = acc.unwrap_or_else(|| BooleanArray::from(vec![false; n]));
                if *negated {
                    Arc::new(not(&res)?)
                } else {
                    Arc::new(res)
                }
            }
            PhysicalExpr::Like { expr, pattern, negated, case_insensitive, regex, escape } => {
                let v = expr.evaluate(batch)?;
                let p = match pattern.as_ref() {
                    PhysicalExpr::Literal(s) => ColumnarValue::Scalar(s.clone()),
                    other => ColumnarValue::Array(other.evaluate(batch)?),
                };
                let res = if *regex {
                    ember_vector::like::rlike(&v, &p)?
                } else {
                    ember_vector::like::like(&v, &p, *case_insensitive, *escape)?
                };
                if *negated {
                    Arc::new(not(&res)?)
                } else {
                    Arc::new(res)
                }
            }
            PhysicalExpr::HigherOrder(h) => h.evaluate(batch)?,
            PhysicalExpr::Function { name, args, data_type, mode } => {
                let vals = args
                    .iter()
                    .map(|a| match a {
                        PhysicalExpr::Literal(s) => Ok(ColumnarValue::Scalar(s.clone())),
                        other => Ok(ColumnarValue::Array(other.evaluate(batch)?)),
                    })
                    .collect::<Result<Vec<_>>>()?;
                ember_vector::functions::eval_scalar_function_in_zone(name, &vals, data_type, *mode, tz, n)?
            }
        })
    }

    /// CASE evaluates each branch's value only on the rows that reach it, so
    /// that `CASE WHEN x = 0 THEN NULL ELSE 1 / x END` raises no error.
    fn evaluate_case(
        &self,
        batch: &RecordBatch,
        branches: &[(PhysicalExpr, PhysicalExpr)],
        else_expr: &Option<Box<PhysicalExpr>>,
        data_type: &DataType,
    ) -> Result<ArrayRef> {
        let n = batch.num_rows();
        // (source array index, row in that array) for each output row
        let mut pieces: Vec<ArrayRef> = vec![new_null_array(data_type, 1)];
        let mut picks: Vec<(usize, usize)> = vec![(0, 0); n];
        // rows (of the original batch) not yet decided
        let mut remaining: Vec<u32> = (0..n as u32).collect();
        let mut current = batch.clone();
        for (when, then) in branches {
            if remaining.is_empty() {
                break;
            }
            let cond = when.evaluate(&current)?;
            let cond = cond.as_boolean();
            let taken = null_as_false(cond);
            if taken.true_count() > 0 {
                let sub = filter_record_batch(&current, &taken)?;
                let vals = then.evaluate(&sub)?;
                let vals = if vals.data_type() != data_type { arrow::compute::cast(&vals, data_type)? } else { vals };
                let piece = pieces.len();
                pieces.push(vals);
                let mut k = 0;
                for (j, row) in remaining.iter().enumerate() {
                    if taken.value(j) {
                        picks[*row as usize] = (piece, k);
                        k += 1;
                    }
                }
            }
            let rest = not(&taken)?;
            remaining = remaining.iter().enumerate().filter(|(j, _)| rest.value(*j)).map(|(_, r)| *r).collect();
            current = filter_record_batch(&current, &rest)?;
        }
        if let Some(e) = else_expr {
            if !remaining.is_empty() {
                let vals = e.evaluate(&current)?;
                let vals = if vals.data_type() != data_type { arrow::compute::cast(&vals, data_type)? } else { vals };
                let piece = pieces.len();
                pieces.push(vals);
                for (k, row) in remaining.iter().enumerate() {
                    picks[*row as usize] = (piece, k);
                }
            }
        }
        let refs: Vec<&dyn Array> = pieces.iter().map(|a| a.as_ref()).collect();
        Ok(interleave(&refs, &picks)?)
    }
}

/// The rows whose AND (`and`) or OR the left side `left` leaves open: not
/// FALSE for AND, not TRUE for OR.
fn undecided(left: &BooleanArray, and: bool) -> BooleanBuffer {
    let values = if and { left.values().clone() } else { !left.values() };
    match left.nulls() {
        Some(nulls) => &values | &!nulls.inner(),
        None => values,
    }
}

/// `values`, one per set bit of `rows`, placed at those rows; NULL at the
/// others (which AND and OR then decide from their left side alone).
fn spread_to_rows(values: &BooleanArray, rows: &BooleanBuffer) -> BooleanArray {
    let mut out = BooleanBufferBuilder::new(rows.len());
    let mut valid = BooleanBufferBuilder::new(rows.len());
    let mut k = 0;
    for open in rows.iter() {
        if open {
            out.append(values.value(k));
            valid.append(values.is_valid(k));
            k += 1;
        } else {
            out.append(false);
            valid.append(false);
        }
    }
    BooleanArray::new(out.finish(), Some(valid.finish().into()))
}

/// The mask with NULL turned into false.
pub fn null_as_false(mask: &BooleanArray) -> BooleanArray {
    match mask.nulls() {
        Some(nulls) => BooleanArray::new(mask.values() & nulls.inner(), None),
        None => mask.clone(),
    }
}

/// Keeps the rows where `predicate` is true (NULL counts as false).
///
/// A conjunction is applied one conjunct at a time, each on the rows the
/// ones before kept: later conjuncts see fewer rows, and (as with Spark's
/// short-circuit `AND`) never the rows an earlier one rejected, so
/// `b <> 0 AND a / b > 1` raises no division error. Conjuncts that cannot
/// fail may still see rejected rows (see [`filter_with`]).
pub fn filter_batch(batch: &RecordBatch, predicate: &PhysicalExpr) -> Result<RecordBatch> {
    let mut conjuncts = Vec::new();
    split_conjunction(predicate, &mut conjuncts);
    Ok(filter_by_conjuncts(batch, &conjuncts)?.0)
}

/// The rows of `batch` every conjunct keeps, applying them in order (see
/// [`filter_batch`]), and which rows of `batch` they are (`None` when every
/// row was kept).
pub fn filter_by_conjuncts(
    batch: &RecordBatch,
    conjuncts: &[&PhysicalExpr],
) -> Result<(RecordBatch, Option<BooleanBuffer>)> {
    filter_with(
        batch,
        conjuncts.len(),
        |i| conjuncts[i].cannot_fail(),
        |i, current| Ok(conjuncts[i].evaluate(current)?.as_boolean().clone()),
    )
}

/// A pending selection keeping fewer than one row in this many is applied
/// at once, even when the next conjunct could run on the rejected rows.
const SELECTIVE_MASK: usize = 4;

/// [`filter_by_conjuncts`] with the conjuncts' evaluation left to the
/// caller: `evaluate(i, rows)` is conjunct `i` over `rows`.
///
/// Filtering a batch copies every column, so it is done as rarely as
/// pays: a conjunct for which `deferrable(i)` holds (it cannot fail and is
/// cheap per row) runs on the rows of the last filtered batch, and its mask
/// is ANDed into the pending selection. The batch is filtered before a
/// conjunct that is not deferrable (it must not see rejected rows), once
/// the pending selection keeps under a quarter of the rows, and at the end.
pub fn filter_with(
    batch: &RecordBatch,
    conjuncts: usize,
    deferrable: impl Fn(usize) -> bool,
    mut evaluate: impl FnMut(usize, &RecordBatch) -> Result<BooleanArray>,
) -> Result<(RecordBatch, Option<BooleanBuffer>)> {
    let mut current = batch.clone();
    // rows of `batch` that `current` holds; `None` while it holds all
    let mut selected: Option<BooleanBuffer> = None;
    // the conjuncts' verdicts since `current` was last filtered
    let mut pending: Option<BooleanBuffer> = None;
    let apply =
        |current: &mut RecordBatch, selected: &mut Option<BooleanBuffer>, pending: BooleanBuffer| -> Result<()> {
            *current = filter_record_batch(current, &BooleanArray::new(pending.clone(), None))?;
            *selected = Some(match selected.take() {
                None => pending,
                Some(outer) => narrow_selection(&outer, &pending),
            });
            Ok(())
        };
    for i in 0..conjuncts {
        if !deferrable(i) {
            if let Some(p) = pending.take() {
                apply(&mut current, &mut selected, p)?;
            }
        }
        let mask = evaluate(i, &current)?;
        if mask.len() != current.num_rows() {
            return Err(Error::internal("a filter conjunct returned a mask of another length"));
        }
        let verdict = match mask.nulls() {
            Some(nulls) => mask.values() & nulls.inner(),
            None => mask.values().clone(),
        };
        let verdict = match pending.take() {
            Some(p) => &p & &verdict,
            None => verdict,
        };
        let kept = verdict.count_set_bits();
        if kept == current.num_rows() {
            continue;
        }
        if kept == 0 || kept * SELECTIVE_MASK < current.num_rows() {
            apply(&mut current, &mut selected, verdict)?;
            if kept == 0 {
                break;
            }
        } else {
            pending = Some(verdict);
        }
    }
    if let Some(p) = pending {
        apply(&mut current, &mut selected, p)?;
    }
    Ok((current, selected))
}

/// `outer` (rows of a batch) narrowed by `inner` (one bit per row `outer`
/// selects, in order): the rows of the batch both keep.
pub(crate) fn narrow_selection(outer: &BooleanBuffer, inner: &BooleanBuffer) -> BooleanBuffer {
    let mut bits = BooleanBufferBuilder::new(outer.len());
    bits.append_n(outer.len(), false);
    for (row, keep) in outer.set_indices().zip(inner.iter()) {
        if keep {
            bits.set_bit(row, true);
        }
    }
    bits.finish()
}

/// The conjuncts of `e`, in evaluation order.
pub fn split_conjunction<'a>(e: &'a PhysicalExpr, out: &mut Vec<&'a PhysicalExpr>) {
    match e {
        PhysicalExpr::Binary { op: BinaryOp::And, left, right, .. } => {
            split_conjunction(left, out);
            split_conjunction(right, out);
        }
        other => out.push(other),
    }
}

/// Rows of `batch` at `indices`.
pub fn take_batch(batch: &RecordBatch, indices: &UInt32Array) -> Result<RecordBatch> {
    let cols = batch
        .columns()
        .iter()
        .map(|c| arrow::compute::take(c.as_ref(), indices, None))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(RecordBatch::try_new_with_options(
        batch.schema(),
        cols,
        &arrow::array::RecordBatchOptions::new().with_row_count(Some(indices.len())),
    )?)
}

/// The decimal literal of a decimal `+`, `-` or `*` (of result type
/// `data_type`) with a literal operand: (value, its type, the other
/// operand, whether the literal is on the left). A NULL literal, and
/// anything else, is left to the general path.
fn decimal_literal_operand<'a>(
    op: BinaryOp,
    left: &'a PhysicalExpr,
    right: &'a PhysicalExpr,
    data_type: &DataType,
) -> Option<(i128, DataType, &'a PhysicalExpr, bool)> {
    if !matches!(op, BinaryOp::Plus | BinaryOp::Minus | BinaryOp::Multiply)
        || !matches!(data_type, DataType::Decimal128(..))
    {
        return None;
    }
    let literal = |e: &PhysicalExpr| match e {
        PhysicalExpr::Literal(ScalarValue::Decimal(Some(v), p, s)) => Some((*v, DataType::Decimal128(*p, *s))),
        _ => None,
    };
    match (literal(left), literal(right)) {
        (Some((v, t)), None) => Some((v, t, right, true)),
        (None, Some((v, t))) => Some((v, t, left, false)),
        _ => None,
    }
}
