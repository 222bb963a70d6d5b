//! Leaf relations (catalog tables and views, files, inline tables, range,
//! local data), aliases (`AS t (c1, c2)`) and CTEs (`WITH`).

use arrow_schema::DataType;
use ember_core::catalog::CatalogEntry;
use ember_core::spec::{self, ColumnDef, Plan};
use ember_core::{Attribute, Error, Expr, LogicalPlan, Result, ScalarValue, Span, TableSource};
use std::rc::Rc;

use super::coercion::{cast, wider_common};
use super::expr::{type_str, ExprCtx};
use super::fold::fold_to;
use super::scope::{names_equal, Scope};
use super::{Analyzer, CteDef, Rel, MAX_EXPANSION_DEPTH};

impl Analyzer<'_> {
    fn scan(&self, source: TableSource, table_name: String, qualifier: Vec<String>) -> Rel {
        let schema = source.schema();
        let output: Vec<Attribute> = schema
            .fields()
            .iter()
            .map(|f| {
                Attribute::new(f.name().clone(), f.data_type().clone(), f.is_nullable())
                    .with_qualifier(qualifier.clone())
            })
            .collect();
        let projection = (0..output.len()).collect();
        self.rel(LogicalPlan::Scan { source, table_name, projection, output, filters: vec![] })
    }

    pub(crate) fn relation(&mut self, name: &[String], span: Option<Span>) -> Result<Rel> {
        if name.len() == 1 {
            let found = self.ctes.iter().rposition(|c| names_equal(&c.name, &name[0], self.case_sensitive));
            if let Some(i) = found {
                let cte = Rc::clone(&self.ctes[i]);
                return self.expand_cte(&cte);
            }
        }
        let entry = self.catalog.lookup(name)?;
        let shown = name.join(".");
        match entry {
            None => Err(Error::table_not_found(&shown).with_span(span)),
            Some(CatalogEntry::Table { name: table_name, source }) => Ok(self.scan(source, table_name, name.to_vec())),
            Some(CatalogEntry::View { plan, columns, .. }) => {
                // analyzed afresh at each reference: new ids every time
                let rel = self.isolated(|a| a.plan(&plan), vec![])?;
                self.alias_relation_parts(rel, name.to_vec(), &columns)
            }
        }
    }

    /// Runs `f` with only `ctes` visible and no enclosing query: the body of a
    /// view or CTE sees neither the query that uses it nor its outer scopes.
    fn isolated<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>, ctes: Vec<Rc<CteDef>>) -> Result<T> {
        if self.depth >= MAX_EXPANSION_DEPTH {
            return Err(Error::spark(
                "RECURSIVE_VIEW",
                &[("viewIdent", "view".into()), ("newPath", "(views nested too deeply)".into())],
            ));
        }
        let saved_ctes = std::mem::replace(&mut self.ctes, ctes);
        let saved_outer = std::mem::take(&mut self.outer);
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        self.ctes = saved_ctes;
        self.outer = saved_outer;
        r
    }

    fn expand_cte(&mut self, cte: &CteDef) -> Result<Rel> {
        let visible = self.ctes[..cte.visible.min(self.ctes.len())].to_vec();
        let rel = self.isolated(|a| a.plan(&cte.plan), visible)?;
        self.alias_relation_parts(rel, vec![cte.name.clone()], &cte.columns)
    }

    pub(crate) fn with(&mut self, ctes: &[(String, Vec<String>, Plan)], input: &Plan) -> Result<Rel> {
        let before = self.ctes.len();
        for (name, columns, plan) in ctes {
            let visible = self.ctes.len();
            self.ctes.push(Rc::new(CteDef {
                name: name.clone(),
                columns: columns.clone(),
                plan: plan.clone(),
                visible,
            }));
        }
        let r = self.plan(input);
        self.ctes.truncate(before);
        r
    }

    pub(crate) fn alias_relation(&mut self, rel: Rel, alias: &str, columns: &[String]) -> Result<Rel> {
        self.alias_relation_parts(rel, vec![alias.to_string()], columns)
    }

    /// Re-qualifies a relation's columns and renames them by `columns`.
    fn alias_relation_parts(&mut self, rel: Rel, qualifier: Vec<String>, columns: &[String]) -> Result<Rel> {
        let plan = rel.into_plan();
        let out = plan.output();
        let plan = if columns.is_empty() {
            plan
        } else {
            if columns.len() != out.len() {
                return Err(Error::spark(
                    "ASSIGNMENT_ARITY_MISMATCH",
                    &[("numTarget", columns.len().to_string()), ("numExpr", out.len().to_string())],
                ));
            }
            let exprs = out.iter().zip(columns).map(|(a, n)| Expr::col(a).alias(n.clone())).collect();
            LogicalPlan::Project { input: Box::new(plan), exprs }
        };
        let attrs = plan.output().into_iter().map(|a| a.with_qualifier(qualifier.clone())).collect();
        Ok(Rel { plan, scope: Scope::new(attrs, self.case_sensitive) })
    }

    pub(crate) fn read_files(
        &mut self,
        format: &str,
        paths: &[String],
        options: &[(String, String)],
        schema: Option<&[ColumnDef]>,
    ) -> Result<Rel> {
        let source = self.catalog.resolve_files(format, paths, options, schema)?;
        let mut qualifier = vec![format.to_string()];
        if let Some(p) = paths.first() {
            qualifier.push(p.clone());
        }
        Ok(self.scan(source, format!("{format} {}", paths.join(", ")), qualifier))
    }

    pub(crate) fn local_relation(&mut self, source: TableSource) -> Rel {
        self.scan(source, "LocalRelation".into(), vec![])
    }

    pub(crate) fn range(&mut self, start: i64, end: i64, step: i64) -> Result<Rel> {
        if step == 0 {
            return Err(Error::spark("FAILED_FUNCTION_CALL", &[("funcName", "`range`".into())]));
        }
        let output = Attribute::new("id", DataType::Int64, false);
        Ok(self.rel(LogicalPlan::Range { output, start, end, step }))
    }

    /// `VALUES (..), (..)`: columns `col1`, `col2`, ... of each column's
    /// common type. Constant rows become a `Values` node; rows with other
    /// expressions a union of one-row projections.
    pub(crate) fn values(&mut self, rows: &[Vec<spec::Expr>]) -> Result<Rel> {
        let width = rows.first().map(|r| r.len()).unwrap_or(0);
        let empty = Scope::new(vec![], self.case_sensitive);
        let mut resolved: Vec<Vec<Expr>> = Vec::with_capacity(rows.len());
        for row in rows {
            if row.len() != width {
                return Err(Error::spark(
                    "INVALID_INLINE_TABLE.NUM_COLUMNS_MISMATCH",
                    &[
                        ("expectedNumCols", width.to_string()),
                        ("actualNumCols", row.len().to_string()),
                        ("rowIndex", resolved.len().to_string()),
                    ],
                ));
            }
            let r = row.iter().map(|e| self.expr(e, ExprCtx::new(&empty))).collect::<Result<Vec<_>>>()?;
            resolved.push(r);
        }
        let mut types = Vec::with_capacity(width);
        for c in 0..width {
            let col: Vec<DataType> = resolved.iter().map(|r| r[c].data_type()).collect();
            let t = wider_common(&col, self.ansi).ok_or_else(|| {
                Error::spark(
                    "INVALID_INLINE_TABLE.INCOMPATIBLE_TYPES_IN_INLINE_TABLE",
                    &[
                        ("colName", format!("`col{}`", c + 1)),
                        ("dataTypes", col.iter().map(type_str).collect::<Vec<_>>().join(", ")),
                    ],
                )
            })?;
            types.push(t);
        }
        let folded: Option<Vec<Vec<ScalarValue>>> = resolved
            .iter()
            .map(|r| r.iter().zip(&types).map(|(e, t)| fold_to(e, t)).collect::<Option<Vec<_>>>())
            .collect();
        let names: Vec<String> = (1..=width).map(|i| format!("col{i}")).collect();
        if let Some(rows) = folded {
            let output = names
                .iter()
                .zip(&types)
                .enumerate()
                .map(|(c, (n, t))| Attribute::new(n.clone(), t.clone(), rows.iter().any(|r| r[c].is_null())))
                .collect();
            return Ok(self.rel(LogicalPlan::Values { output, rows }));
        }
        // rows that are not constants: one projection per row over one empty row
        let mode = self.mode();
        let inputs: Vec<LogicalPlan> = resolved
            .into_iter()
            .map(|r| {
                let exprs = r
                    .into_iter()
                    .zip(&types)
                    .zip(&names)
                    .map(|((e, t), n)| cast(e, t, mode).alias(n.clone()))
                    .collect();
                let one = LogicalPlan::Values { output: vec![], rows: vec![vec![]] };
                LogicalPlan::Project { input: Box::new(one), exprs }
            })
            .collect();
        if inputs.len() == 1 {
            let plan = inputs.into_iter().next().ok_or_else(|| Error::internal("values row"))?;
            return Ok(self.rel(plan));
        }
        let first = inputs[0].output();
        let output = first
            .iter()
            .enumerate()
            .map(|(c, a)| {
                Attribute::new(a.name.clone(), a.data_type.clone(), inputs.iter().any(|p| p.output()[c].nullable))
            })
            .collect();
        Ok(self.rel(LogicalPlan::Union { inputs, output }))
    }
}
