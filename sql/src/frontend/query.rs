//! sqlparser queries -> `spec::Plan`.
//!
//! A SELECT is wrapped inside out as Spark's `AstBuilder` does:
//! FROM -> Filter (WHERE) -> Aggregate | Project -> Having -> Distinct, then
//! the query's ORDER BY -> Offset -> Limit. ORDER BY/LIMIT of a query whose
//! body is a set operation apply to the set operation's result.
//! A SELECT without FROM reads one row with no columns
//! (`Plan::Values { rows: [[]] }`, Spark's `OneRowRelation`).

use ember_core::scalar::ScalarValue;
use ember_core::spec::{Expr, GroupingKind, JoinCriteria, JoinType, Plan, SetOp, SortExpr};
use ember_core::{Error, Result};
use sqlparser::ast::{
    self, GroupByExpr, GroupByWithModifier, JoinConstraint, JoinOperator, LimitClause, OrderByKind, SelectItem,
    SetExpr, SetOperator, SetQuantifier, TableFactor,
};

use super::aggregates::is_aggregate;
use super::window::{spark_error, NamedWindows};
use super::Converter;

/// File formats readable as `format.\`path\`` in FROM.
const FILE_FORMATS: [&str; 6] = ["parquet", "csv", "json", "orc", "text", "avro"];

fn unsupported(what: &str) -> Error {
    Error::not_implemented(format!("SQL {what}"))
}

impl Converter<'_> {
    pub(crate) fn query(&self, q: &ast::Query) -> Result<Plan> {
        if q.fetch.is_some() {
            return Err(unsupported("FETCH"));
        }
        if !q.locks.is_empty() || q.for_clause.is_some() {
            return Err(unsupported("FOR clause"));
        }
        if q.settings.is_some() || q.format_clause.is_some() {
            return Err(unsupported("SETTINGS/FORMAT clause"));
        }
        if !q.pipe_operators.is_empty() {
            return Err(unsupported("pipe syntax"));
        }
        let mut plan = self.set_expr(&q.body)?;
        if let Some(order_by) = &q.order_by {
            if order_by.interpolate.is_some() {
                return Err(unsupported("INTERPOLATE"));
            }
            let order = match &order_by.kind {
                OrderByKind::Expressions(es) => self.sort_exprs(es)?,
                OrderByKind::All(_) => return Err(unsupported("ORDER BY ALL")),
            };
            plan = Plan::Sort { input: Box::new(plan), order };
        }
        match &q.limit_clause {
            None => {}
            Some(LimitClause::LimitOffset { limit, offset, limit_by }) => {
                if !limit_by.is_empty() {
                    return Err(unsupported("LIMIT BY"));
                }
                if let Some(o) = offset {
                    plan = Plan::Offset { input: Box::new(plan), offset: self.expr(&o.value)? };
                }
                if let Some(l) = limit {
                    plan = Plan::Limit { input: Box::new(plan), limit: self.expr(l)? };
                }
            }
            Some(LimitClause::OffsetCommaLimit { .. }) => return Err(unsupported("LIMIT offset, count")),
        }
        if let Some(with) = &q.with {
            if with.recursive {
                return Err(unsupported("WITH RECURSIVE"));
            }
            let ctes = with
                .cte_tables
                .iter()
                .map(|cte| {
                    let cols = cte.alias.columns.iter().map(|c| c.name.value.clone()).collect();
                    Ok((cte.alias.name.value.clone(), cols, self.query(&cte.query)?))
                })
                .collect::<Result<Vec<_>>>()?;
            plan = Plan::With { ctes, input: Box::new(plan) };
        }
        Ok(plan)
    }

    pub(crate) fn sort_exprs(&self, es: &[ast::OrderByExpr]) -> Result<Vec<SortExpr>> {
        es.iter()
            .map(|o| {
                if o.with_fill.is_some() {
                    return Err(unsupported("WITH FILL"));
                }
                let ascending = match &o.options.sort {
                    None | Some(ast::OrderBySort::Asc) => true,
                    Some(ast::OrderBySort::Desc) => false,
                    Some(ast::OrderBySort::Using(_)) => return Err(unsupported("ORDER BY USING")),
                };
                Ok(SortExpr { expr: self.expr(&o.expr)?, ascending, nulls_first: o.options.nulls_first })
            })
            .collect()
    }

    fn set_expr(&self, body: &SetExpr) -> Result<Plan> {
        match body {
            SetExpr::Select(s) => self.select(s),
            SetExpr::Query(q) => self.query(q),
            SetExpr::Values(v) => self.values(v),
            SetExpr::SetOperation { left, op, set_quantifier, right } => {
                let op = match op {
                    SetOperator::Union => SetOp::Union,
                    SetOperator::Intersect => SetOp::Intersect,
                    SetOperator::Except | SetOperator::Minus => SetOp::Except,
                };
                let (all, by_name) = match set_quantifier {
                    SetQuantifier::All => (true, false),
                    SetQuantifier::Distinct | SetQuantifier::None => (false, false),
                    SetQuantifier::ByName | SetQuantifier::DistinctByName => (false, true),
                    SetQuantifier::AllByName => (true, true),
                };
                Ok(Plan::SetOperation {
                    left: Box::new(self.set_expr(left)?),
                    right: Box::new(self.set_expr(right)?),
                    op,
                    all,
                    by_name,
                    allow_missing: false,
                })
            }
            SetExpr::Table(t) => {
                let name = match &t.schema_name {
                    Some(s) => vec![s.clone(), t.table_name.clone().unwrap_or_default()],
                    None => vec![t.table_name.clone().unwrap_or_default()],
                };
                Ok(Plan::Relation { name, span: None })
            }
            _ => Err(unsupported("DML inside a query")),
        }
    }

    fn values(&self, v: &ast::Values) -> Result<Plan> {
        let rows = v.rows.iter().map(|r| self.exprs(&r.content)).collect::<Result<Vec<_>>>()?;
        Ok(Plan::Values { rows })
    }

    fn select(&self, s: &ast::Select) -> Result<Plan> {
        if s.top.is_some() || s.into.is_some() {
            return Err(unsupported("TOP/INTO"));
        }
        if !s.lateral_views.is_empty() {
            return Err(unsupported("LATERAL VIEW"));
        }
        if s.prewhere.is_some() || !s.connect_by.is_empty() || s.qualify.is_some() {
            return Err(unsupported("PREWHERE/CONNECT BY/QUALIFY"));
        }
        if s.exclude.is_some() || s.value_table_mode.is_some() {
            return Err(unsupported("SELECT modifiers"));
        }
        let mut plan = self.from(&s.from)?;
        // the WINDOW clause names windows for this SELECT's expressions
        let _windows = NamedWindows::enter(self.named_windows(&s.named_window)?);
        if let Some(w) = &s.selection {
            plan = Plan::Filter { input: Box::new(plan), condition: self.expr(w)? };
        }
        let exprs = s.projection.iter().map(|i| self.select_item(i)).collect::<Result<Vec<_>>>()?;
        let having = s.having.as_ref().map(|h| self.expr(h)).transpose()?;
        let (group_by, grouping) = self.group_by(&s.group_by)?;
        let aggregated = !group_by.is_empty()
            || grouping != GroupingKind::GroupBy
            || having.is_some()
            || exprs.iter().any(contains_aggregate);
        plan = if aggregated {
            Plan::Aggregate { input: Box::new(plan), group_by, exprs, grouping }
        } else {
            Plan::Project { input: Box::new(plan), exprs }
        };
        if let Some(condition) = having {
            plan = Plan::Having { input: Box::new(plan), condition };
        }
        match &s.distinct {
            None | Some(ast::Distinct::All) => {}
            Some(ast::Distinct::Distinct) => plan = Plan::Distinct { input: Box::new(plan) },
            Some(ast::Distinct::On(_)) => return Err(unsupported("DISTINCT ON")),
        }
        // Hive's CLUSTER BY / SORT BY order within partitions; over Ember's
        // single result stream they are a sort. DISTRIBUTE BY only partitions.
        let local_sort: Vec<SortExpr> = if !s.cluster_by.is_empty() {
            self.exprs(&s.cluster_by)?
                .into_iter()
                .map(|expr| SortExpr { expr, ascending: true, nulls_first: None })
                .collect()
        } else {
            self.sort_exprs(&s.sort_by)?
        };
        if !local_sort.is_empty() {
            plan = Plan::Sort { input: Box::new(plan), order: local_sort };
        }
        Ok(plan)
    }

    fn select_item(&self, item: &SelectItem) -> Result<Expr> {
        Ok(match item {
            SelectItem::UnnamedExpr(e) => self.expr(e)?,
            SelectItem::ExprWithAlias { expr, alias } => {
                Expr::Alias { expr: Box::new(self.expr(expr)?), name: alias.value.clone() }
            }
            SelectItem::ExprWithAliases { .. } => return Err(unsupported("multi-column alias")),
            SelectItem::Wildcard(opts) => {
                check_wildcard_options(opts)?;
                Expr::Star { qualifier: None, span: self.src.span(opts.wildcard_token.0.span) }
            }
            SelectItem::QualifiedWildcard(kind, opts) => {
                check_wildcard_options(opts)?;
                match kind {
                    ast::SelectItemQualifiedWildcardKind::ObjectName(name) => {
                        Expr::Star { qualifier: Some(self.object_name(name)?), span: self.src.span_of(name) }
                    }
                    ast::SelectItemQualifiedWildcardKind::Expr(_) => return Err(unsupported("expression.*")),
                }
            }
        })
    }

    /// GROUP BY. Plain keys come back as they are, with the kind of `WITH
    /// ROLLUP` / `WITH CUBE` or of a lone `ROLLUP(a, b)` / `CUBE(a, b)`; the
    /// other grouping analytics are encoded as functions in
    /// the key list, which the analyzer (`analyzer/aggregate.rs`) expands:
    /// `rollup(set, ..)`, `cube(set, ..)`, `grouping sets(element, ..)` (an
    /// element is a set or a nested `rollup` / `cube` / `grouping sets`),
    /// and Hive's `GROUP BY a, b GROUPING SETS (..)` as
    /// `grouping sets by(grouping set(a, b), set, ..)`; a set is
    /// `grouping set(e, ..)`. The names with spaces cannot be written as
    /// function calls in SQL.
    fn group_by(&self, g: &GroupByExpr) -> Result<(Vec<Expr>, GroupingKind)> {
        let (exprs, modifiers) = match g {
            GroupByExpr::All(_) => return Err(unsupported("GROUP BY ALL")),
            GroupByExpr::Expressions(e, m) => (e, m),
        };
        let mut kind = GroupingKind::GroupBy;
        let mut legacy_sets = None;
        for m in modifiers {
            match m {
                GroupByWithModifier::Rollup => kind = GroupingKind::Rollup,
                GroupByWithModifier::Cube => kind = GroupingKind::Cube,
                GroupByWithModifier::GroupingSets(ast::Expr::GroupingSets(sets)) => legacy_sets = Some(sets),
                _ => return Err(unsupported("GROUP BY modifier")),
            }
        }
        let analytics = exprs.iter().any(is_grouping_analytics);
        if let Some(sets) = legacy_sets {
            // Spark's grammar takes plain expressions before GROUPING SETS
            if analytics || kind != GroupingKind::GroupBy {
                return Err(Error::parse_syntax("'GROUPING'", ""));
            }
            let mut args = vec![grouping_call(GROUPING_SET, self.exprs(exprs)?)];
            for set in sets {
                args.push(self.grouping_sets_element(set)?);
            }
            return Ok((vec![grouping_call(GROUPING_SETS_BY, args)], kind));
        }
        if kind != GroupingKind::GroupBy {
            if analytics {
                return Err(Error::parse_syntax("'WITH'", ""));
            }
            return Ok((self.exprs(exprs)?, kind));
        }
        // one ROLLUP / CUBE of single columns: the plain keys and the kind
        if let [ast::Expr::Rollup(sets) | ast::Expr::Cube(sets)] = exprs.as_slice() {
            if sets.iter().all(|s| s.len() == 1) {
                let kind =
                    if matches!(exprs[0], ast::Expr::Rollup(_)) { GroupingKind::Rollup } else { GroupingKind::Cube };
                let keys = sets.iter().map(|s| self.expr(&s[0])).collect::<Result<Vec<_>>>()?;
                return Ok((keys, kind));
            }
        }
        let keys = exprs.iter().map(|e| self.group_by_item(e)).collect::<Result<Vec<_>>>()?;
        Ok((keys, kind))
    }

    /// One item of GROUP BY: an expression, `ROLLUP(..)`, `CUBE(..)` or
    /// `GROUPING SETS(..)`.
    fn group_by_item(&self, e: &ast::Expr) -> Result<Expr> {
        match e {
            ast::Expr::Rollup(sets) | ast::Expr::Cube(sets) => {
                let (name, element) =
                    if matches!(e, ast::Expr::Rollup(_)) { (ROLLUP, "ROLLUP") } else { (CUBE, "CUBE") };
                let mut args = Vec::with_capacity(sets.len());
                for set in sets {
                    if set.is_empty() {
                        return Err(spark_error(
                            "_LEGACY_ERROR_TEMP_0051",
                            "42601",
                            &[("element", element.to_string())],
                            format!("Empty set in {element} grouping sets is not supported."),
                        )
                        .with_span(self.src.span_of(e)));
                    }
                    args.push(grouping_call(GROUPING_SET, self.exprs(set)?));
                }
                Ok(grouping_call(name, args))
            }
            ast::Expr::GroupingSets(sets) => {
                let args = sets.iter().map(|s| self.grouping_sets_element(s)).collect::<Result<Vec<_>>>()?;
                Ok(grouping_call(GROUPING_SETS, args))
            }
            other => self.expr(other),
        }
    }

    /// An element of GROUPING SETS: a set (`a`, `(a, b)`, `()`), or a nested
    /// ROLLUP / CUBE, which sqlparser reads as a function call there.
    fn grouping_sets_element(&self, set: &[ast::Expr]) -> Result<Expr> {
        if let [single] = set {
            if is_grouping_analytics(single) {
                return self.group_by_item(single);
            }
            if let ast::Expr::Function(f) = single {
                if let Some(element) = nested_rollup_or_cube(f) {
                    let mut sets = Vec::new();
                    let ast::FunctionArguments::List(list) = &f.args else {
                        return Err(unsupported("ROLLUP/CUBE without arguments"));
                    };
                    for a in &list.args {
                        let ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(x)) = a else {
                            return Err(unsupported("ROLLUP/CUBE argument"));
                        };
                        sets.push(match x {
                            ast::Expr::Tuple(items) => items.clone(),
                            other => vec![other.clone()],
                        });
                    }
                    let nested = if element == "ROLLUP" { ast::Expr::Rollup(sets) } else { ast::Expr::Cube(sets) };
                    return self.group_by_item(&nested);
                }
            }
        }
        Ok(grouping_call(GROUPING_SET, self.exprs(set)?))
    }

    /// The FROM clause; items separated by commas are cross joins.
    fn from(&self, items: &[ast::TableWithJoins]) -> Result<Plan> {
        let mut plan: Option<Plan> = None;
        for item in items {
            let right = self.table_with_joins(item)?;
            plan = Some(match plan {
                None => right,
                Some(left) => Plan::Join {
                    left: Box::new(left),
                    right: Box::new(right),
                    join_type: JoinType::Cross,
                    criteria: JoinCriteria::None,
                },
            });
        }
        // no FROM: Spark's one-row relation
        Ok(plan.unwrap_or(Plan::Values { rows: vec![vec![]] }))
    }

    fn table_with_joins(&self, t: &ast::TableWithJoins) -> Result<Plan> {
        let mut plan = self.table_factor(&t.relation)?;
        for j in &t.joins {
            let right = self.table_factor(&j.relation)?;
            let (join_type, constraint) = match &j.join_operator {
                JoinOperator::Join(c) | JoinOperator::Inner(c) => (JoinType::Inner, c),
                JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => (JoinType::LeftOuter, c),
                JoinOperator::Right(c) | JoinOperator::RightOuter(c) => (JoinType::RightOuter, c),
                JoinOperator::FullOuter(c) => (JoinType::FullOuter, c),
                JoinOperator::CrossJoin(c) => (JoinType::Cross, c),
                JoinOperator::Semi(c) | JoinOperator::LeftSemi(c) => (JoinType::LeftSemi, c),
                JoinOperator::Anti(c) | JoinOperator::LeftAnti(c) => (JoinType::LeftAnti, c),
                _ => return Err(unsupported("join type")),
            };
            let criteria = match constraint {
                JoinConstraint::On(e) => JoinCriteria::On(self.expr(e)?),
                JoinConstraint::Using(names) => JoinCriteria::Using(
                    names
                        .iter()
                        .map(|n| self.object_name(n)?.pop().ok_or_else(|| Error::internal("empty USING column")))
                        .collect::<Result<_>>()?,
                ),
                JoinConstraint::Natural => JoinCriteria::Natural,
                JoinConstraint::None => JoinCriteria::None,
            };
            // `a JOIN b` without a condition is a cross join in Spark
            let join_type = match (join_type, &criteria) {
                (JoinType::Inner, JoinCriteria::None) => JoinType::Cross,
                (t, _) => t,
            };
            plan = Plan::Join { left: Box::new(plan), right: Box::new(right), join_type, criteria };
        }
        Ok(plan)
    }

    fn table_factor(&self, t: &TableFactor) -> Result<Plan> {
        let (plan, alias) = match t {
            TableFactor::Table { name, alias, args, with_hints, version, partitions, sample, .. } => {
                if !with_hints.is_empty() || version.is_some() || !partitions.is_empty() || sample.is_some() {
                    return Err(unsupported("table hints, versions, partitions or samples"));
                }
                let plan = match args {
                    Some(a) => self.table_function(name, a)?,
                    None => self.table_name(name)?,
                };
                (plan, alias)
            }
            TableFactor::Derived { lateral, subquery, alias, sample } => {
                if *lateral || sample.is_some() {
                    return Err(unsupported("LATERAL subquery or sample"));
                }
                (self.query(subquery)?, alias)
            }
            TableFactor::NestedJoin { table_with_joins, alias } => (self.table_with_joins(table_with_joins)?, alias),
            TableFactor::Function { .. } | TableFactor::TableFunction { .. } => {
                return Err(unsupported("LATERAL table function"))
            }
            TableFactor::Pivot { .. } | TableFactor::Unpivot { .. } => return Err(unsupported("PIVOT/UNPIVOT")),
            _ => return Err(unsupported("table expression")),
        };
        Ok(match alias {
            None => plan,
            Some(a) => Plan::SubqueryAlias {
                input: Box::new(plan),
                alias: a.name.value.clone(),
                columns: a.columns.iter().map(|c| c.name.value.clone()).collect(),
            },
        })
    }

    /// A table name, or `format.\`path\`` (a direct query on files).
    fn table_name(&self, name: &ast::ObjectName) -> Result<Plan> {
        let parts = self.object_name(name)?;
        if let [format, path] = parts.as_slice() {
            let quoted =
                matches!(name.0.get(1), Some(ast::ObjectNamePart::Identifier(id)) if id.quote_style == Some('`'));
            let format = format.to_ascii_lowercase();
            if quoted && FILE_FORMATS.contains(&format.as_str()) {
                return Ok(Plan::ReadFiles { format, paths: vec![path.clone()], options: vec![], schema: None });
            }
        }
        Ok(Plan::Relation { name: parts, span: self.src.span_of(name) })
    }

    fn table_function(&self, name: &ast::ObjectName, args: &ast::TableFunctionArgs) -> Result<Plan> {
        let parts = self.object_name(name)?;
        let fname = parts.join(".").to_lowercase();
        if fname != "range" {
            return Err(unsupported(&format!("table-valued function {fname}")));
        }
        let mut values = Vec::with_capacity(args.args.len());
        for a in &args.args {
            let ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(e)) = a else {
                return Err(unsupported("range() argument"));
            };
            let v = match self.expr(e)? {
                Expr::Literal { value, .. } => match value {
                    ScalarValue::Int8(Some(v)) => v as i64,
                    ScalarValue::Int16(Some(v)) => v as i64,
                    ScalarValue::Int32(Some(v)) => v as i64,
                    ScalarValue::Int64(Some(v)) => v,
                    _ => return Err(range_arg_error(&fname)),
                },
                _ => return Err(range_arg_error(&fname)),
            };
            values.push(v);
        }
        let (start, end, step) = match values.as_slice() {
            [end] => (0, *end, 1),
            [start, end] => (*start, *end, 1),
            [start, end, step] => (*start, *end, *step),
            [start, end, step, _partitions] => (*start, *end, *step),
            _ => {
                return Err(Error::spark(
                    "WRONG_NUM_ARGS.WITHOUT_SUGGESTION",
                    &[
                        ("functionName", "`range`".to_string()),
                        ("expectedNum", "[1, 2, 3, 4]".to_string()),
                        ("actualNum", values.len().to_string()),
                        ("docroot", "https://spark.apache.org/docs/latest".to_string()),
                    ],
                ))
            }
        };
        if step == 0 {
            return Err(Error::spark_msg(
                "FAILED_FUNCTION_CALL",
                "38000",
                "Failed preparing of the function `range` for call: the step must not be 0",
            ));
        }
        Ok(Plan::Range { start, end, step })
    }
}

/// Function names of the grouping analytics in `Plan::Aggregate::group_by`
/// (see `Converter::group_by`); the analyzer reads the same names.
const ROLLUP: &str = "rollup";
const CUBE: &str = "cube";
const GROUPING_SETS: &str = "grouping sets";
const GROUPING_SETS_BY: &str = "grouping sets by";
const GROUPING_SET: &str = "grouping set";

fn grouping_call(name: &str, args: Vec<Expr>) -> Expr {
    Expr::Function { name: name.to_string(), args, distinct: false, span: None }
}

fn is_grouping_analytics(e: &ast::Expr) -> bool {
    matches!(e, ast::Expr::Rollup(_) | ast::Expr::Cube(_) | ast::Expr::GroupingSets(_))
}

/// `ROLLUP(..)` / `CUBE(..)` parsed as a plain function call (inside
/// GROUPING SETS): the keyword, or None for any other function.
fn nested_rollup_or_cube(f: &ast::Function) -> Option<&'static str> {
    let [ast::ObjectNamePart::Identifier(id)] = f.name.0.as_slice() else {
        return None;
    };
    if id.quote_style.is_some() || f.filter.is_some() || f.over.is_some() {
        return None;
    }
    match id.value.to_ascii_uppercase().as_str() {
        "ROLLUP" => Some("ROLLUP"),
        "CUBE" => Some("CUBE"),
        _ => None,
    }
}

fn range_arg_error(name: &str) -> Error {
    Error::not_implemented(format!("{name}() with non-integer-literal arguments"))
}

fn check_wildcard_options(o: &ast::WildcardAdditionalOptions) -> Result<()> {
    if o.opt_ilike.is_some()
        || o.opt_exclude.is_some()
        || o.opt_except.is_some()
        || o.opt_replace.is_some()
        || o.opt_rename.is_some()
        || o.opt_alias.is_some()
    {
        return Err(unsupported("wildcard options (EXCEPT/REPLACE/...)"));
    }
    Ok(())
}

/// Whether an expression calls an aggregate function outside subqueries
/// (a windowed aggregate, `sum(x) OVER (...)`, does not count; aggregates in
/// its arguments or window specification do).
pub(crate) fn contains_aggregate(e: &Expr) -> bool {
    match e {
        Expr::Window { function, partition_by, order_by, .. } => {
            let args_have = match function.as_ref() {
                Expr::Function { args, .. } => args.iter().any(contains_aggregate),
                other => contains_aggregate(other),
            };
            args_have
                || partition_by.iter().any(contains_aggregate)
                || order_by.iter().any(|o| contains_aggregate(&o.expr))
        }
        Expr::Function { name, args, .. } => is_aggregate(name) || args.iter().any(contains_aggregate),
        Expr::Alias { expr, .. }
        | Expr::Not { expr, .. }
        | Expr::Negative { expr, .. }
        | Expr::IsNull { expr, .. }
        | Expr::IsBool { expr, .. }
        | Expr::Cast { expr, .. }
        | Expr::Extract { expr, .. }
        | Expr::InSubquery { expr, .. } => contains_aggregate(expr),
        Expr::Binary { left, right, .. } => contains_aggregate(left) || contains_aggregate(right),
        Expr::Case { operand, branches, else_expr, .. } => {
            operand.as_deref().is_some_and(contains_aggregate)
                || branches.iter().any(|(w, t)| contains_aggregate(w) || contains_aggregate(t))
                || else_expr.as_deref().is_some_and(contains_aggregate)
        }
        Expr::Between { expr, low, high, .. } => {
            contains_aggregate(expr) || contains_aggregate(low) || contains_aggregate(high)
        }
        Expr::InList { expr, list, .. } => contains_aggregate(expr) || list.iter().any(contains_aggregate),
        Expr::Like { expr, pattern, .. } => contains_aggregate(expr) || contains_aggregate(pattern),
        Expr::Lambda { body, .. } => contains_aggregate(body),
        Expr::Column { .. }
        | Expr::Star { .. }
        | Expr::Literal { .. }
        | Expr::Exists { .. }
        | Expr::ScalarSubquery { .. }
        | Expr::Parameter { .. } => false,
    }
}
