//! DataFrame operations Spark defines over the input's columns: `drop`,
//! `withColumns`, `withColumnsRenamed`, `toDF`, `to(schema)`,
//! `dropDuplicates`, `unpivot` and the `na` functions. Each reads the
//! input's resolved output and becomes a projection (or a filter, or an
//! aggregate) over it, as Spark's Dataset methods do.

use std::collections::HashSet;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, RecordBatch, StringArray, UInt32Array};
use arrow::compute::{interleave, take};

use arrow::datatypes::{DataType, Field, Schema};
use ember_core::spec::{BinaryOp, CastMode, Expr, Plan};
use ember_core::types::{is_floating, is_numeric, is_string};
use ember_core::{Attribute, ColumnId, Error, Result, ScalarValue};
use ember_sql::analyzer::Scope;

use super::literal::literal_expr;
use super::types::data_type_from_proto;
use super::{invalid_plan, Lowerer};
use crate::proto::spark::connect as proto;

/// One output column of a plan and an expression that reaches it from a
/// projection over that plan.
pub(crate) struct ColumnRef {
    pub attr: Attribute,
    pub expr: Expr,
}

impl ColumnRef {
    /// The column as a select item that keeps its name.
    pub fn item(&self) -> Expr {
        match &self.expr {
            Expr::Column { name, .. } if name.last() == Some(&self.attr.name) => self.expr.clone(),
            _ => self.aliased(&self.attr.name),
        }
    }

    pub fn aliased(&self, name: &str) -> Expr {
        Expr::Alias { expr: Box::new(self.expr.clone()), name: name.to_string() }
    }
}

pub(crate) fn col(parts: &[&str]) -> Expr {
    Expr::Column { name: parts.iter().map(|p| p.to_string()).collect(), span: None }
}

fn alias(e: Expr, name: &str) -> Expr {
    Expr::Alias { expr: Box::new(e), name: name.to_string() }
}

fn binary(op: BinaryOp, l: Expr, r: Expr) -> Expr {
    Expr::Binary { op, left: Box::new(l), right: Box::new(r), span: None }
}

fn call(name: &str, args: Vec<Expr>) -> Expr {
    Expr::Function { name: name.to_string(), args, distinct: false, span: None }
}

fn cast(e: Expr, to: &DataType) -> Expr {
    Expr::Cast { expr: Box::new(e), to: to.clone(), mode: CastMode::Default, span: None }
}

fn int(v: i32) -> Expr {
    Expr::lit(ScalarValue::Int32(Some(v)))
}

impl Lowerer<'_, '_> {
    /// The resolved output of a plan.
    pub(crate) fn output(&self, plan: &Plan) -> Result<Vec<Attribute>> {
        Ok(self.session().analyze(plan)?.output())
    }

    /// References to every output column of `plan`: by name where the name
    /// (or the name qualified by its table) is unambiguous, else qualified
    /// by the alias a DataFrame's plan id maps to (`df1.id` after a join).
    /// Columns still out of reach (two unrelated columns of one name) are
    /// renamed by position in an alias around the plan.
    pub(crate) fn columns(&self, plan: Plan) -> Result<(Plan, Vec<ColumnRef>)> {
        let attrs = self.output(&plan)?;
        let scope = Scope::new(attrs.clone(), self.case_sensitive());
        let plain = |a: &Attribute| -> Option<Vec<String>> {
            let parts = vec![a.name.clone()];
            matches!(scope.resolve(&parts), Ok(Some(x)) if x.id == a.id).then_some(parts)
        };
        let mut names: Vec<Option<Vec<String>>> = attrs.iter().map(plain).collect();
        if names.iter().any(Option::is_none) {
            // qualifiers set by aliases live in the analyzer's scope, not in
            // the plan's output: ask the analyzer where each qualified name
            // leads, for the aliases of plan ids and the tables read
            let mut candidates: Vec<Vec<String>> = self.qualifiers.values().cloned().collect();
            candidates.extend(attrs.iter().filter(|a| !a.qualifier.is_empty()).map(|a| a.qualifier.clone()));
            candidates.sort();
            candidates.dedup();
            for (i, a) in attrs.iter().enumerate() {
                if names[i].is_some() {
                    continue;
                }
                for q in &candidates {
                    let parts: Vec<String> = q.iter().cloned().chain([a.name.clone()]).collect();
                    if self.position_of(&plan, &parts) == Some(i) {
                        names[i] = Some(parts);
                        break;
                    }
                }
            }
        }
        if names.iter().all(Option::is_some) {
            let refs = attrs
                .into_iter()
                .zip(names)
                .map(|(attr, parts)| ColumnRef {
                    expr: Expr::Column { name: parts.unwrap_or_default(), span: None },
                    attr,
                })
                .collect();
            return Ok((plan, refs));
        }
        let renamed: Vec<String> = attrs
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let unique = attrs.iter().filter(|b| self.name_eq(&a.name, &b.name)).count() == 1;
                if unique {
                    a.name.clone()
                } else {
                    format!("__ember_col{i}")
                }
            })
            .collect();
        let plan =
            Plan::SubqueryAlias { input: Box::new(plan), alias: "__ember_cols".to_string(), columns: renamed.clone() };
        let refs = attrs.into_iter().zip(renamed).map(|(attr, n)| ColumnRef { expr: col(&[&n]), attr }).collect();
        Ok((plan, refs))
    }

    /// The position in `plan`'s output of the column a (possibly qualified)
    /// name resolves to; None when it resolves to nothing, several columns,
    /// or not a column of the output.
    pub(crate) fn position_of(&self, plan: &Plan, name: &[String]) -> Option<usize> {
        let probe = Plan::Project {
            input: Box::new(plan.clone()),
            exprs: vec![Expr::Star { qualifier: None, span: None }, Expr::Column { name: name.to_vec(), span: None }],
        };
        let out = self.session().analyze(&probe).ok()?.output();
        let (last, star) = out.split_last()?;
        star.iter().position(|a| a.id == last.id)
    }

    /// Column names compare as the analyzer does (`spark.sql.caseSensitive`).
    pub(crate) fn name_eq(&self, a: &str, b: &str) -> bool {
        if self.case_sensitive() {
            a == b
        } else {
            a.eq_ignore_ascii_case(b)
        }
    }

    /// `drop(*names)` / `drop(*cols)`: names drop every column so named;
    /// columns drop the column they resolve to; unknown ones are ignored.
    pub(crate) fn drop(&mut self, d: &proto::Drop) -> Result<Plan> {
        let input = self.input(&d.input)?;
        let dropping: Vec<Expr> = self.exprs(&d.columns)?;
        let (plan, refs) = self.columns(input.clone())?;
        let mut dropped = vec![false; refs.len()];
        for name in &d.column_names {
            for (i, r) in refs.iter().enumerate() {
                dropped[i] |= self.name_eq(&r.attr.name, name);
            }
        }
        for e in &dropping {
            if let Expr::Column { name, .. } = e {
                if let Some(i) = self.position_of(&input, name) {
                    dropped[i] = true;
                }
            }
        }
        if !dropped.contains(&true) {
            return Ok(input);
        }
        let exprs = refs.iter().zip(dropped).filter(|(_, d)| !d).map(|(r, _)| r.item()).collect();
        Ok(Plan::Project { input: Box::new(plan), exprs })
    }

    /// `withColumns`: a column of the same name (any case) is replaced in
    /// place, new names are appended.
    pub(crate) fn with_columns(&mut self, w: &proto::WithColumns) -> Result<Plan> {
        let input = self.input(&w.input)?;
        let mut new: Vec<(String, Expr)> = Vec::with_capacity(w.aliases.len());
        for a in &w.aliases {
            let [name] = a.name.as_slice() else {
                return Err(invalid_plan("withColumns takes one name per column"));
            };
            let e = match &a.expr {
                Some(e) => self.expr(e)?,
                None => return Err(invalid_plan("withColumns without an expression")),
            };
            if new.iter().any(|(n, _)| self.name_eq(n, name)) {
                return Err(column_already_exists(name));
            }
            new.push((name.clone(), e));
        }
        let existing = self.output(&input)?;
        if !existing.iter().any(|a| new.iter().any(|(n, _)| self.name_eq(n, &a.name))) {
            // only new columns: `*` keeps every column as it is, qualifiers included
            let mut exprs = vec![Expr::Star { qualifier: None, span: None }];
            exprs.extend(new.into_iter().map(|(n, e)| alias(e, &n)));
            return Ok(Plan::Project { input: Box::new(input), exprs });
        }
        let (plan, refs) = self.columns(input)?;
        let mut used = vec![false; new.len()];
        let mut exprs = Vec::with_capacity(refs.len() + new.len());
        for r in &refs {
            match new.iter().position(|(n, _)| self.name_eq(n, &r.attr.name)) {
                Some(i) => {
                    used[i] = true;
                    exprs.push(alias(new[i].1.clone(), &new[i].0));
                }
                None => exprs.push(r.item()),
            }
        }
        for ((n, e), used) in new.into_iter().zip(used) {
            if !used {
                exprs.push(alias(e, &n));
            }
        }
        Ok(Plan::Project { input: Box::new(plan), exprs })
    }

    /// `withColumnsRenamed`: Spark applies the pairs from the last to the
    /// first (a fold from the right), each to every column of that name.
    pub(crate) fn with_columns_renamed(&mut self, w: &proto::WithColumnsRenamed) -> Result<Plan> {
        let input = self.input(&w.input)?;
        let pairs: Vec<(String, String)> = if !w.renames.is_empty() {
            w.renames.iter().map(|r| (r.col_name.clone(), r.new_col_name.clone())).collect()
        } else {
            w.rename_columns_map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
        };
        let (plan, refs) = self.columns(input.clone())?;
        let mut changed = false;
        let mut exprs = Vec::with_capacity(refs.len());
        for r in &refs {
            let mut name = r.attr.name.clone();
            for (old, new) in pairs.iter().rev() {
                if self.name_eq(&name, old) {
                    name = new.clone();
                }
            }
            if name == r.attr.name {
                exprs.push(r.item());
            } else {
                changed = true;
                exprs.push(r.aliased(&name));
            }
        }
        if !changed {
            return Ok(input);
        }
        Ok(Plan::Project { input: Box::new(plan), exprs })
    }

    /// `toDF(*names)`: renames every column by position.
    pub(crate) fn lower_to_df(&mut self, t: &proto::ToDf) -> Result<Plan> {
        let input = self.input(&t.input)?;
        let (plan, refs) = self.columns(input)?;
        if refs.len() != t.column_names.len() {
            let old: Vec<&str> = refs.iter().map(|r| r.attr.name.as_str()).collect();
            return Err(Error::spark_msg(
                "ILLEGAL_ARGUMENT",
                "22023",
                format!(
                    "requirement failed: The number of columns doesn't match.\nOld column names ({}): {}\nNew column \
                     names ({}): {}",
                    old.len(),
                    old.join(", "),
                    t.column_names.len(),
                    t.column_names.join(", ")
                ),
            ));
        }
        let exprs = refs.iter().zip(&t.column_names).map(|(r, n)| r.aliased(n)).collect();
        Ok(Plan::Project { input: Box::new(plan), exprs })
    }

    /// `to(schema)`: columns by name in the schema's order, cast to its types.
    pub(crate) fn lower_to_schema(&mut self, t: &proto::ToSchema) -> Result<Plan> {
        let input = self.input(&t.input)?;
        let target = match &t.schema {
            Some(s) => data_type_from_proto(s)?,
            None => return Err(invalid_plan("to(schema) without a schema")),
        };
        let DataType::Struct(fields) = target else {
            return Err(invalid_plan("to(schema) with a schema that is not a struct"));
        };
        let (plan, refs) = self.columns(input)?;
        let mut exprs = Vec::with_capacity(fields.len());
        for f in fields.iter() {
            let found: Vec<&ColumnRef> = refs.iter().filter(|r| self.name_eq(&r.attr.name, f.name())).collect();
            let r = match found.as_slice() {
                [r] => *r,
                [] => {
                    let names: Vec<String> = refs.iter().map(|r| r.attr.name.clone()).collect();
                    return Err(Error::unresolved_column(f.name(), &names));
                }
                _ => {
                    return Err(Error::spark(
                        "AMBIGUOUS_REFERENCE",
                        &[
                            ("name", ember_core::error::quote_ident(f.name())),
                            (
                                "referenceNames",
                                format!(
                                    "[{}]",
                                    found.iter().map(|r| r.attr.name.clone()).collect::<Vec<_>>().join(", ")
                                ),
                            ),
                        ],
                    ))
                }
            };
            let e =
                if &r.attr.data_type == f.data_type() { r.expr.clone() } else { cast(r.expr.clone(), f.data_type()) };
            exprs.push(alias(e, f.name()));
        }
        Ok(Plan::Project { input: Box::new(plan), exprs })
    }

    /// `distinct()` / `dropDuplicates(subset)`: the first row of each key,
    /// all columns in their order (Spark's `first` per column).
    pub(crate) fn deduplicate(&mut self, d: &proto::Deduplicate) -> Result<Plan> {
        let input = self.input(&d.input)?;
        if d.all_columns_as_keys.unwrap_or(false) || d.column_names.is_empty() {
            return Ok(Plan::Distinct { input: Box::new(input) });
        }
        let (plan, refs) = self.columns(input)?;
        let mut keys: HashSet<ColumnId> = HashSet::new();
        for name in &d.column_names {
            let matching: Vec<&ColumnRef> = refs.iter().filter(|r| self.name_eq(&r.attr.name, name)).collect();
            if matching.is_empty() {
                let all: Vec<&str> = refs.iter().map(|r| r.attr.name.as_str()).collect();
                return Err(Error::spark_msg(
                    "UNRESOLVED_COLUMN_AMONG_FIELD_NAMES",
                    "42703",
                    format!("Cannot resolve column name \"{name}\" among ({}).", all.join(", ")),
                ));
            }
            keys.extend(matching.iter().map(|r| r.attr.id));
        }
        let group_by: Vec<Expr> = refs.iter().filter(|r| keys.contains(&r.attr.id)).map(|r| r.expr.clone()).collect();
        let exprs = refs
            .iter()
            .map(|r| {
                if keys.contains(&r.attr.id) {
                    r.item()
                } else {
                    alias(call("first", vec![r.expr.clone()]), &r.attr.name)
                }
            })
            .collect();
        Ok(Plan::Aggregate {
            input: Box::new(plan),
            group_by,
            exprs,
            grouping: ember_core::spec::GroupingKind::GroupBy,
        })
    }

    /// `unpivot(ids, values, variable, value)`: each input row once per
    /// value column, as `ids..., variable name, value`, the values of one
    /// input row together (Spark's order). The values take their common
    /// type: one `CASE k WHEN 0 THEN v0 WHEN 1 THEN v1 ... END` per value
    /// column lets the analyzer find it; the rows are then interleaved here,
    /// which is why the input runs now.
    pub(crate) fn unpivot(&mut self, u: &proto::Unpivot) -> Result<Plan> {
        let input = self.input(&u.input)?;
        let ids = self.exprs(&u.ids)?;
        let (plan, refs) = self.columns(input.clone())?;
        let id_columns: HashSet<usize> = ids
            .iter()
            .filter_map(|e| match e {
                Expr::Column { name, .. } => self.position_of(&input, name),
                _ => None,
            })
            .collect();
        let values: Vec<(String, Expr)> = match &u.values {
            Some(v) => {
                let mut out = vec![];
                for e in &v.values {
                    let e = self.expr(e)?;
                    let name = match &e {
                        Expr::Alias { name, .. } => name.clone(),
                        Expr::Column { name, .. } => match self.position_of(&input, name) {
                            Some(i) => refs[i].attr.name.clone(),
                            None => name.join("."),
                        },
                        other => self.output_name(&plan, other)?,
                    };
                    let e = match e {
                        Expr::Alias { expr, .. } => *expr,
                        other => other,
                    };
                    out.push((name, e));
                }
                out
            }
            None => refs
                .iter()
                .enumerate()
                .filter(|(i, _)| !id_columns.contains(i))
                .map(|(_, r)| (r.attr.name.clone(), r.expr.clone()))
                .collect(),
        };
        if values.is_empty() {
            return Err(Error::spark_msg(
                "UNPIVOT_REQUIRES_VALUE_COLUMNS",
                "42K0E",
                "At least one value column needs to be specified for UNPIVOT, all columns specified as ids.",
            ));
        }
        let branches: Vec<(Expr, Expr)> =
            values.iter().enumerate().map(|(i, (_, e))| (int(i as i32), e.clone())).collect();
        let mut exprs = ids.clone();
        for k in 0..values.len() {
            let pick = Expr::Case {
                operand: Some(Box::new(int(k as i32))),
                branches: branches.clone(),
                else_expr: None,
                span: None,
            };
            exprs.push(alias(pick, &format!("__ember_value{k}")));
        }
        let (schema, batches) = self.execute(&Plan::Project { input: Box::new(plan), exprs })?;
        let n_ids = ids.len();
        let n = values.len();
        let value_type = schema.field(n_ids).data_type().clone();
        let mut fields: Vec<Field> = schema.fields()[..n_ids].iter().map(|f| f.as_ref().clone()).collect();
        fields.push(Field::new(&u.variable_column_name, DataType::Utf8, false));
        fields.push(Field::new(&u.value_column_name, value_type, true));
        let out_schema = Arc::new(Schema::new(fields));
        let names: Vec<&str> = values.iter().map(|(n, _)| n.as_str()).collect();
        let mut out = Vec::with_capacity(batches.len());
        for b in &batches {
            let rows = b.num_rows();
            let repeat = UInt32Array::from_iter_values((0..rows as u32).flat_map(|r| std::iter::repeat_n(r, n)));
            let mut columns: Vec<ArrayRef> = Vec::with_capacity(n_ids + 2);
            for c in &b.columns()[..n_ids] {
                columns.push(take(c.as_ref(), &repeat, None)?);
            }
            columns.push(Arc::new(StringArray::from_iter_values((0..rows).flat_map(|_| names.iter().copied()))));
            let value_arrays: Vec<&dyn Array> = b.columns()[n_ids..].iter().map(|c| c.as_ref()).collect();
            let order: Vec<(usize, usize)> = (0..rows).flat_map(|r| (0..n).map(move |k| (k, r))).collect();
            columns.push(interleave(&value_arrays, &order)?);
            out.push(RecordBatch::try_new(Arc::clone(&out_schema), columns)?);
        }
        Ok(Plan::LocalRelation { batches: out, schema: out_schema })
    }

    /// Spark's output name of an expression over `plan`.
    pub(crate) fn output_name(&self, plan: &Plan, e: &Expr) -> Result<String> {
        let probe = Plan::Project { input: Box::new(plan.clone()), exprs: vec![e.clone()] };
        let schema = self.cx.schema_of(&probe)?;
        schema.fields().first().map(|f| f.name().clone()).ok_or_else(|| Error::internal("a projection without output"))
    }

    /// `na.fill(value[, subset])` / `na.fill({col: value})`: NULL (and NaN
    /// in floating columns) become the value, in the columns whose type
    /// fits the value (numbers: numeric columns, strings: string columns,
    /// booleans: boolean columns).
    pub(crate) fn fill_na(&mut self, f: &proto::NaFill) -> Result<Plan> {
        let input = self.input(&f.input)?;
        if f.values.is_empty() {
            return Err(invalid_plan("na.fill without a value"));
        }
        let values = f.values.iter().map(literal_expr).collect::<Result<Vec<_>>>()?;
        let (plan, refs) = self.columns(input)?;
        // (column name, value) pairs; an empty name list means every column
        let targets: Vec<(Option<&str>, &Expr)> = if f.values.len() == 1 {
            if f.cols.is_empty() {
                vec![(None, &values[0])]
            } else {
                f.cols.iter().map(|c| (Some(c.as_str()), &values[0])).collect()
            }
        } else if f.values.len() == f.cols.len() {
            f.cols.iter().map(|c| Some(c.as_str())).zip(values.iter()).collect()
        } else {
            return Err(invalid_plan("na.fill with different numbers of columns and values"));
        };
        for (name, _) in &targets {
            if let Some(n) = name {
                if !refs.iter().any(|r| self.name_eq(&r.attr.name, n)) {
                    let names: Vec<String> = refs.iter().map(|r| r.attr.name.clone()).collect();
                    return Err(Error::unresolved_column(n, &names));
                }
            }
        }
        let mut changed = false;
        let mut exprs = Vec::with_capacity(refs.len());
        for r in &refs {
            let value = targets.iter().rev().find(|(n, _)| n.is_none_or(|n| self.name_eq(&r.attr.name, n)));
            match value.filter(|(_, v)| value_fits(v, &r.attr.data_type)) {
                Some((_, v)) => {
                    changed = true;
                    let t = &r.attr.data_type;
                    let missing = if is_floating(t) {
                        binary(
                            BinaryOp::Or,
                            Expr::IsNull { expr: Box::new(r.expr.clone()), negated: false },
                            call("isnan", vec![r.expr.clone()]),
                        )
                    } else {
                        Expr::IsNull { expr: Box::new(r.expr.clone()), negated: false }
                    };
                    let filled = Expr::Case {
                        operand: None,
                        branches: vec![(missing, cast((*v).clone(), t))],
                        else_expr: Some(Box::new(r.expr.clone())),
                        span: None,
                    };
                    exprs.push(alias(filled, &r.attr.name));
                }
                None => exprs.push(r.item()),
            }
        }
        if !changed {
            return Ok(plan);
        }
        Ok(Plan::Project { input: Box::new(plan), exprs })
    }

    /// `na.drop(how, thresh, subset)`: keeps rows with at least
    /// `min_non_nulls` values that are neither NULL nor NaN among the
    /// columns (all of them when unset: `how='any'`).
    pub(crate) fn drop_na(&mut self, d: &proto::NaDrop) -> Result<Plan> {
        let input = self.input(&d.input)?;
        let (plan, refs) = self.columns(input)?;
        let mut chosen: Vec<&ColumnRef> = vec![];
        if d.cols.is_empty() {
            chosen.extend(refs.iter());
        } else {
            for c in &d.cols {
                let found: Vec<&ColumnRef> = refs.iter().filter(|r| self.name_eq(&r.attr.name, c)).collect();
                if found.is_empty() {
                    let names: Vec<String> = refs.iter().map(|r| r.attr.name.clone()).collect();
                    return Err(Error::unresolved_column(c, &names));
                }
                chosen.extend(found);
            }
        }
        let min = d.min_non_nulls.unwrap_or(chosen.len() as i32);
        if min <= 0 || chosen.is_empty() {
            return Ok(plan);
        }
        let present = chosen.iter().map(|r| {
            let mut ok = Expr::IsNull { expr: Box::new(r.expr.clone()), negated: true };
            if is_floating(&r.attr.data_type) {
                let not_nan = Expr::Not { expr: Box::new(call("isnan", vec![r.expr.clone()])), span: None };
                ok = binary(BinaryOp::And, ok, not_nan);
            }
            Expr::Case { operand: None, branches: vec![(ok, int(1))], else_expr: Some(Box::new(int(0))), span: None }
        });
        let count = present.reduce(|a, b| binary(BinaryOp::Plus, a, b)).unwrap_or_else(|| int(0));
        Ok(Plan::Filter { input: Box::new(plan), condition: binary(BinaryOp::GtEq, count, int(min)) })
    }

    /// `na.replace(to_replace, value, subset)`: in the columns whose type
    /// fits the values, `CASE col WHEN old THEN new ... ELSE col END`, both
    /// sides cast to the column's type (Spark's `CaseKeyWhen`).
    pub(crate) fn replace(&mut self, r: &proto::NaReplace) -> Result<Plan> {
        let input = self.input(&r.input)?;
        let mut pairs = vec![];
        for rep in &r.replacements {
            let (Some(old), Some(new)) = (&rep.old_value, &rep.new_value) else {
                return Err(invalid_plan("na.replace with a missing value"));
            };
            pairs.push((literal_expr(old)?, literal_expr(new)?));
        }
        let Some(kind) = pairs.iter().find_map(|(o, n)| value_kind(o).or_else(|| value_kind(n))) else {
            return Ok(input);
        };
        let (plan, refs) = self.columns(input)?;
        let mut changed = false;
        let mut exprs = Vec::with_capacity(refs.len());
        for c in &refs {
            let chosen = r.cols.is_empty() || r.cols.iter().any(|n| n == "*" || self.name_eq(n, &c.attr.name));
            if chosen && kind.accepts(&c.attr.data_type) {
                changed = true;
                let t = &c.attr.data_type;
                let branches = pairs.iter().map(|(o, n)| (cast(o.clone(), t), cast(n.clone(), t))).collect();
                let e = Expr::Case {
                    operand: Some(Box::new(c.expr.clone())),
                    branches,
                    else_expr: Some(Box::new(c.expr.clone())),
                    span: None,
                };
                exprs.push(alias(e, &c.attr.name));
            } else {
                exprs.push(c.item());
            }
        }
        if !changed {
            return Ok(plan);
        }
        Ok(Plan::Project { input: Box::new(plan), exprs })
    }
}

fn column_already_exists(name: &str) -> Error {
    Error::spark_msg(
        "COLUMN_ALREADY_EXISTS",
        "42711",
        format!(
            "The column {} already exists. Choose another name or rename the existing column.",
            ember_core::error::quote_ident(name)
        ),
    )
}

/// The kinds of values `na.fill` / `na.replace` match columns by.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ValueKind {
    Numeric,
    String,
    Boolean,
}

impl ValueKind {
    fn accepts(self, t: &DataType) -> bool {
        match self {
            ValueKind::Numeric => is_numeric(t),
            ValueKind::String => is_string(t),
            ValueKind::Boolean => *t == DataType::Boolean,
        }
    }
}

fn value_kind(e: &Expr) -> Option<ValueKind> {
    match e {
        Expr::Literal { value, .. } if !value.is_null() => {
            let t = value.data_type();
            if is_numeric(&t) {
                Some(ValueKind::Numeric)
            } else if is_string(&t) {
                Some(ValueKind::String)
            } else if t == DataType::Boolean {
                Some(ValueKind::Boolean)
            } else {
                None
            }
        }
        _ => None,
    }
}

fn value_fits(v: &Expr, t: &DataType) -> bool {
    value_kind(v).is_some_and(|k| k.accepts(t))
}
