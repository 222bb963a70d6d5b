//! Connect expressions -> spec expressions.
//!
//! PySpark sends operators as unresolved functions named `+`, `==`, `and`,
//! `not`, `isNull`, `in`, `when`, ... (see `pyspark/sql/connect/column.py`);
//! they become the same spec nodes SQL's operators do, so that names
//! (`(a + 1)`, `(a = 1)`, `(NOT (a = 1))`), coercion and errors match.
//! Every other function stays a call by name for the analyzer's registry.

use std::collections::HashSet;

use ember_core::spec::{BinaryOp, CastMode, Expr, FrameBound, FrameUnits, LikeKind, SortExpr, WindowFrame};
use ember_core::{Error, Result, ScalarValue};

use super::literal::literal_expr;
use super::types::data_type_from_proto;
use super::{invalid_plan, Lowerer};
use crate::proto::spark::connect as proto;
use proto::expression::ExprType;

/// The spec functions of Spark's `UnresolvedExtractValue` and
/// `UpdateFields` (withField / dropFields), as the SQL front end and the
/// analyzer name them (`sql/src/frontend/expr.rs`, `sql/src/analyzer/expr.rs`).
const EXTRACT_VALUE: &str = "__extract_value";
const WITH_FIELD: &str = "__with_field";
const DROP_FIELD: &str = "__drop_field";

impl Lowerer<'_, '_> {
    pub(crate) fn exprs(&mut self, es: &[proto::Expression]) -> Result<Vec<Expr>> {
        es.iter().map(|e| self.expr(e)).collect()
    }

    pub(crate) fn expr(&mut self, e: &proto::Expression) -> Result<Expr> {
        let Some(t) = &e.expr_type else {
            return Err(invalid_plan("an expression without a type"));
        };
        match t {
            ExprType::Literal(l) => literal_expr(l),
            ExprType::UnresolvedAttribute(a) => {
                let parts = parse_identifier(&a.unparsed_identifier)?;
                Ok(Expr::Column { name: self.qualified(a.plan_id, parts), span: None })
            }
            ExprType::UnresolvedFunction(f) => self.function(&f.function_name, &f.arguments, f.is_distinct),
            ExprType::CallFunction(f) => self.function(&f.function_name, &f.arguments, false),
            ExprType::ExpressionString(s) => ember_sql::parse_expression(&s.expression),
            ExprType::UnresolvedStar(s) => {
                let target = match &s.unparsed_target {
                    Some(t) => {
                        let Some(prefix) = t.strip_suffix(".*") else {
                            return Err(invalid_plan(format!("the star target {t} does not end with .*")));
                        };
                        Some(parse_identifier(prefix)?)
                    }
                    None => None,
                };
                let qualifier = match (target, s.plan_id.and_then(|id| self.qualifiers.get(&id))) {
                    (Some(t), _) => Some(t),
                    (None, Some(q)) => Some(q.clone()),
                    (None, None) => None,
                };
                Ok(Expr::Star { qualifier, span: None })
            }
            ExprType::Alias(a) => {
                let inner = self.child(&a.expr)?;
                match a.name.as_slice() {
                    [name] => Ok(Expr::Alias { expr: Box::new(inner), name: name.clone() }),
                    _ => Err(Error::not_implemented("aliases with several names (multi-column alias)")),
                }
            }
            ExprType::Cast(c) => {
                use proto::expression::cast::{CastToType, EvalMode};
                let inner = self.child(&c.expr)?;
                let to = match &c.cast_to_type {
                    Some(CastToType::Type(t)) => data_type_from_proto(t)?,
                    Some(CastToType::TypeStr(s)) => ember_sql::parse_data_type(s)?,
                    None => return Err(invalid_plan("a cast without a target type")),
                };
                let mode = if c.eval_mode == EvalMode::Try as i32 { CastMode::Try } else { CastMode::Default };
                Ok(Expr::Cast { expr: Box::new(inner), to, mode, span: None })
            }
            ExprType::SubqueryExpression(s) => self.subquery(s),
            ExprType::SortOrder(_) => Err(invalid_plan("a sort order outside of a sort")),
            ExprType::UnresolvedRegex(_) => {
                Err(Error::not_implemented("colRegex (column names by regular expression)"))
            }
            // `F.transform(c, lambda x: ...)`: the body reads the parameters
            // (`x_0`, ...) as UnresolvedNamedLambdaVariables, which are
            // names the analyzer binds to the lambda before any column
            ExprType::LambdaFunction(l) => {
                let body = self.child(&l.function)?;
                let params = l
                    .arguments
                    .iter()
                    .map(|v| match v.name_parts.as_slice() {
                        [name] => Ok(name.clone()),
                        _ => Err(invalid_plan("a lambda parameter must be a single name")),
                    })
                    .collect::<Result<Vec<_>>>()?;
                Ok(Expr::Lambda { params, body: Box::new(body), span: None })
            }
            ExprType::UnresolvedNamedLambdaVariable(v) => {
                if v.name_parts.is_empty() {
                    return Err(invalid_plan("a lambda variable without a name"));
                }
                Ok(Expr::Column { name: v.name_parts.clone(), span: None })
            }
            ExprType::Window(w) => self.window(w),
            // `df.s.x`, `col[0]`, `m["k"]`, `getField`/`getItem`: Spark's
            // UnresolvedExtractValue, the node SQL's `a[i]` and `s.f` give
            ExprType::UnresolvedExtractValue(x) => {
                let child = self.child(&x.child)?;
                let extraction = self.child(&x.extraction)?;
                Ok(call(EXTRACT_VALUE, vec![child, extraction], false))
            }
            ExprType::UpdateFields(u) => {
                let base = self.child(&u.struct_expression)?;
                let path = Expr::Literal { value: ScalarValue::Utf8(Some(u.field_name.clone())), span: None };
                match &u.value_expression {
                    Some(v) => Ok(call(WITH_FIELD, vec![base, path, self.expr(v)?], false)),
                    None => Ok(call(DROP_FIELD, vec![base, path], false)),
                }
            }
            ExprType::CommonInlineUserDefinedFunction(_) | ExprType::TypedAggregateExpression(_) => {
                Err(Error::not_implemented("user-defined functions"))
            }
            ExprType::NamedArgumentExpression(_) => Err(Error::not_implemented("named function arguments")),
            ExprType::MergeAction(_) => Err(Error::not_implemented("MERGE INTO")),
            ExprType::DirectShufflePartitionId(_) => Err(Error::not_implemented("repartitionById")),
            ExprType::Extension(_) => Err(Error::not_implemented("expression extensions")),
        }
    }

    fn child(&mut self, e: &Option<Box<proto::Expression>>) -> Result<Expr> {
        match e {
            Some(e) => self.expr(e),
            None => Err(invalid_plan("an expression without its child")),
        }
    }

    /// A column name, qualified so that it reaches the DataFrame `plan_id`
    /// stands for when a join made that necessary.
    fn qualified(&self, plan_id: Option<i64>, parts: Vec<String>) -> Vec<String> {
        match plan_id.and_then(|id| self.qualifiers.get(&id)) {
            Some(q) => q.iter().cloned().chain(parts).collect(),
            None => parts,
        }
    }

    pub(crate) fn sort_order(&mut self, o: &proto::expression::SortOrder) -> Result<SortExpr> {
        use proto::expression::sort_order::{NullOrdering, SortDirection};
        let expr = self.child(&o.child)?;
        let ascending = match SortDirection::try_from(o.direction) {
            Ok(SortDirection::Unspecified) | Ok(SortDirection::Ascending) => true,
            Ok(SortDirection::Descending) => false,
            Err(_) => return Err(invalid_plan(format!("unknown sort direction {}", o.direction))),
        };
        let nulls_first = match NullOrdering::try_from(o.null_ordering) {
            Ok(NullOrdering::SortNullsUnspecified) => None,
            Ok(NullOrdering::SortNullsFirst) => Some(true),
            Ok(NullOrdering::SortNullsLast) => Some(false),
            Err(_) => return Err(invalid_plan(format!("unknown null ordering {}", o.null_ordering))),
        };
        Ok(SortExpr { expr, ascending, nulls_first })
    }

    /// `f.over(Window.partitionBy(..).orderBy(..).rowsBetween(a, b))`.
    /// Bounds that are values keep their sign: Spark names
    /// `rowsBetween(-1, 1)` `ROWS BETWEEN -1 FOLLOWING AND 1 FOLLOWING`.
    fn window(&mut self, w: &proto::expression::Window) -> Result<Expr> {
        use proto::expression::window::window_frame::{frame_boundary::Boundary, FrameType};
        let function = self.child(&w.window_function)?;
        let partition_by = self.exprs(&w.partition_spec)?;
        let order_by = w.order_spec.iter().map(|o| self.sort_order(o)).collect::<Result<Vec<_>>>()?;
        let frame = match &w.frame_spec {
            None => None,
            Some(f) => {
                let units = match FrameType::try_from(f.frame_type) {
                    Ok(FrameType::Row) => FrameUnits::Rows,
                    Ok(FrameType::Range) => FrameUnits::Range,
                    _ => return Err(invalid_plan(format!("unknown window frame type {}", f.frame_type))),
                };
                let mut bound = |b: &Option<Box<proto::expression::window::window_frame::FrameBoundary>>,
                                 unbounded: FrameBound|
                 -> Result<FrameBound> {
                    match b.as_ref().and_then(|b| b.boundary.as_ref()) {
                        Some(Boundary::CurrentRow(_)) => Ok(FrameBound::CurrentRow),
                        Some(Boundary::Unbounded(_)) => Ok(unbounded),
                        Some(Boundary::Value(e)) => Ok(FrameBound::Following(Box::new(self.expr(e)?))),
                        None => Err(invalid_plan("a window frame without its bounds")),
                    }
                };
                let start = bound(&f.lower, FrameBound::UnboundedPreceding)?;
                let end = bound(&f.upper, FrameBound::UnboundedFollowing)?;
                Some(WindowFrame { units, start, end })
            }
        };
        Ok(Expr::window(function, partition_by, order_by, frame))
    }

    fn subquery(&mut self, s: &proto::SubqueryExpression) -> Result<Expr> {
        use proto::subquery_expression::SubqueryType;
        let Some(rel) = self.references.get(&s.plan_id).cloned() else {
            return Err(invalid_plan(format!("a subquery refers to the unknown plan {}", s.plan_id)));
        };
        let plan = Box::new(self.relation(&rel)?);
        match SubqueryType::try_from(s.subquery_type) {
            Ok(SubqueryType::Scalar) => Ok(Expr::ScalarSubquery { subquery: plan, span: None }),
            Ok(SubqueryType::Exists) => Ok(Expr::Exists { subquery: plan, negated: false }),
            Ok(SubqueryType::In) => match s.in_subquery_values.as_slice() {
                [value] => Ok(Expr::InSubquery {
                    expr: Box::new(self.expr(value)?),
                    subquery: plan,
                    negated: false,
                    span: None,
                }),
                _ => Err(Error::not_implemented("IN subqueries over several values")),
            },
            Ok(SubqueryType::TableArg) => Err(Error::not_implemented("table arguments")),
            _ => Err(invalid_plan(format!("unknown subquery type {}", s.subquery_type))),
        }
    }

    /// A function call, operators included.
    fn function(&mut self, name: &str, args: &[proto::Expression], distinct: bool) -> Result<Expr> {
        let lower = name.to_ascii_lowercase();
        let mut a = self.exprs(args)?;
        let n = a.len();
        let op = match lower.as_str() {
            "+" => Some(BinaryOp::Plus),
            "-" => Some(BinaryOp::Minus),
            "*" => Some(BinaryOp::Multiply),
            "/" => Some(BinaryOp::Divide),
            "%" => Some(BinaryOp::Modulo),
            "div" => Some(BinaryOp::IntDivide),
            "==" | "=" => Some(BinaryOp::Eq),
            "!=" | "<>" => Some(BinaryOp::NotEq),
            "<" => Some(BinaryOp::Lt),
            "<=" => Some(BinaryOp::LtEq),
            ">" => Some(BinaryOp::Gt),
            ">=" => Some(BinaryOp::GtEq),
            "<=>" => Some(BinaryOp::EqNullSafe),
            "|" => Some(BinaryOp::BitOr),
            "&" => Some(BinaryOp::BitAnd),
            "^" => Some(BinaryOp::BitXor),
            "and" => Some(BinaryOp::And),
            "or" => Some(BinaryOp::Or),
            _ => None,
        };
        if let Some(op) = op {
            return match (op, n) {
                (_, 2) => {
                    let mut it = a.into_iter();
                    match (it.next(), it.next()) {
                        (Some(l), Some(r)) => {
                            Ok(Expr::Binary { op, left: Box::new(l), right: Box::new(r), span: None })
                        }
                        _ => Err(wrong_args(&lower, "2", n)),
                    }
                }
                (BinaryOp::Minus, 1) => Ok(Expr::Negative { expr: Box::new(a.remove(0)), span: None }),
                (BinaryOp::Plus, 1) => Ok(call("positive", a, false)),
                // `and`/`or` of more than two conditions associate to the left
                (BinaryOp::And | BinaryOp::Or, n) if n > 2 => {
                    let mut it = a.into_iter();
                    match it.next() {
                        Some(first) => Ok(it.fold(first, |l, r| Expr::Binary {
                            op,
                            left: Box::new(l),
                            right: Box::new(r),
                            span: None,
                        })),
                        None => Err(wrong_args(&lower, "2", n)),
                    }
                }
                _ => Err(wrong_args(&lower, "2", n)),
            };
        }
        match lower.as_str() {
            "not" | "!" => {
                expect_args(&lower, &a, 1)?;
                Ok(Expr::Not { expr: Box::new(a.remove(0)), span: None })
            }
            "negative" => {
                expect_args(&lower, &a, 1)?;
                Ok(Expr::Negative { expr: Box::new(a.remove(0)), span: None })
            }
            "isnull" | "isnotnull" => {
                expect_args(&lower, &a, 1)?;
                Ok(Expr::IsNull { expr: Box::new(a.remove(0)), negated: lower == "isnotnull" })
            }
            "in" => {
                if a.is_empty() {
                    return Err(wrong_args(&lower, "> 0", 0));
                }
                let expr = Box::new(a.remove(0));
                Ok(Expr::InList { expr, list: a, negated: false })
            }
            "like" | "ilike" if n == 2 || n == 3 => {
                let escape = if n == 3 {
                    match a.pop() {
                        Some(Expr::Literal { value: ScalarValue::Utf8(Some(s)), .. }) if s.chars().count() == 1 => {
                            s.chars().next()
                        }
                        _ => {
                            return Err(Error::spark_msg(
                                "INVALID_ESCAPE_CHAR",
                                "42604",
                                "The escape character must be a string literal of length one",
                            ))
                        }
                    }
                } else {
                    None
                };
                let pattern = Box::new(a.remove(1));
                let expr = Box::new(a.remove(0));
                let kind = if lower == "like" { LikeKind::Like } else { LikeKind::ILike };
                Ok(Expr::Like { expr, pattern, negated: false, kind, escape })
            }
            "rlike" => {
                expect_args(&lower, &a, 2)?;
                let pattern = Box::new(a.remove(1));
                let expr = Box::new(a.remove(0));
                Ok(Expr::Like { expr, pattern, negated: false, kind: LikeKind::RLike, escape: None })
            }
            "between" => {
                expect_args(&lower, &a, 3)?;
                let high = Box::new(a.remove(2));
                let low = Box::new(a.remove(1));
                Ok(Expr::Between { expr: Box::new(a.remove(0)), low, high, negated: false })
            }
            // `F.when(c1, v1).when(c2, v2).otherwise(e)`: conditions and values alternate
            "when" if n >= 2 => {
                let else_expr = if n % 2 == 1 { a.pop().map(Box::new) } else { None };
                let mut branches = Vec::with_capacity(n / 2);
                let mut it = a.into_iter();
                while let (Some(c), Some(v)) = (it.next(), it.next()) {
                    branches.push((c, v));
                }
                Ok(Expr::Case { operand: None, branches, else_expr, span: None })
            }
            // PySpark sends `trim(col, chars)` as `trim(chars, col)`, Spark's
            // SQL order; Ember's calls take the string first
            "trim" | "ltrim" | "rtrim" if n == 2 && !distinct => {
                a.swap(0, 1);
                Ok(call(&lower, a, false))
            }
            // `count(*)`: SQL's form, named count(1)
            "count" if !distinct && matches!(a.as_slice(), [Expr::Star { qualifier: None, .. }]) => {
                Ok(call("count", vec![], false))
            }
            _ => Ok(call(&lower, a, distinct)),
        }
    }
}

fn call(name: &str, args: Vec<Expr>, distinct: bool) -> Expr {
    Expr::Function { name: name.to_string(), args, distinct, span: None }
}

fn wrong_args(name: &str, expected: &str, actual: usize) -> Error {
    Error::spark(
        "WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
        &[
            ("functionName", ember_core::error::quote_ident(name)),
            ("expectedNum", expected.to_string()),
            ("actualNum", actual.to_string()),
        ],
    )
}

fn expect_args(name: &str, a: &[Expr], n: usize) -> Result<()> {
    if a.len() == n {
        Ok(())
    } else {
        Err(wrong_args(name, &n.to_string(), a.len()))
    }
}

/// Splits a column or table name into its parts as Spark does
/// (`UnresolvedAttribute.parseAttributeName`): dots separate parts, a part
/// in backticks may hold dots, and a doubled backtick is a backtick.
pub fn parse_identifier(name: &str) -> Result<Vec<String>> {
    let error = || {
        Error::spark_msg(
            "INVALID_ATTRIBUTE_NAME_SYNTAX",
            "42601",
            format!(
                "Syntax error in the attribute name: {name}. Check that backticks appear in pairs, a quoted string \
                 is a complete name part and use a backtick only inside quoted name parts."
            ),
        )
    };
    let chars: Vec<char> = name.chars().collect();
    let mut parts = vec![];
    let mut part = String::new();
    let mut in_backtick = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if in_backtick {
            if c == '`' {
                if chars.get(i + 1) == Some(&'`') {
                    part.push('`');
                    i += 1;
                } else {
                    in_backtick = false;
                    if i + 1 < chars.len() && chars[i + 1] != '.' {
                        return Err(error());
                    }
                }
            } else {
                part.push(c);
            }
        } else if c == '`' {
            if !part.is_empty() {
                return Err(error());
            }
            in_backtick = true;
        } else if c == '.' {
            if i == 0 || chars[i - 1] == '.' || i == chars.len() - 1 {
                return Err(error());
            }
            parts.push(std::mem::take(&mut part));
        } else {
            part.push(c);
        }
        i += 1;
    }
    if in_backtick {
        return Err(error());
    }
    parts.push(part);
    Ok(parts)
}

/// The plan ids the column references of an expression carry.
pub(crate) fn referenced_plan_ids(e: &proto::Expression, out: &mut HashSet<i64>) {
    let mut walk = |x: &proto::Expression| referenced_plan_ids(x, out);
    let Some(t) = &e.expr_type else { return };
    match t {
        ExprType::UnresolvedAttribute(a) => {
            if let Some(id) = a.plan_id {
                out.insert(id);
            }
        }
        ExprType::UnresolvedStar(s) => {
            if let Some(id) = s.plan_id {
                out.insert(id);
            }
        }
        ExprType::UnresolvedFunction(f) => f.arguments.iter().for_each(walk),
        ExprType::CallFunction(f) => f.arguments.iter().for_each(walk),
        ExprType::Alias(a) => a.expr.iter().for_each(|x| walk(x)),
        ExprType::Cast(c) => c.expr.iter().for_each(|x| walk(x)),
        ExprType::SortOrder(s) => s.child.iter().for_each(|x| walk(x)),
        ExprType::LambdaFunction(l) => l.function.iter().for_each(|x| walk(x)),
        ExprType::Window(w) => {
            w.window_function.iter().for_each(|x| walk(x));
            w.partition_spec.iter().for_each(&mut walk);
            w.order_spec.iter().filter_map(|o| o.child.as_deref()).for_each(&mut walk);
        }
        ExprType::UnresolvedExtractValue(x) => {
            x.child.iter().for_each(|c| referenced_plan_ids(c, out));
            x.extraction.iter().for_each(|c| referenced_plan_ids(c, out));
        }
        ExprType::UpdateFields(u) => {
            u.struct_expression.iter().for_each(|c| referenced_plan_ids(c, out));
            u.value_expression.iter().for_each(|c| referenced_plan_ids(c, out));
        }
        _ => {}
    }
}
