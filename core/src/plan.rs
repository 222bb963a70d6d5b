//! The resolved logical plan.
//!
//! Every node's output is a list of `Attribute`s with session-unique ids.
//! Nodes that create columns (Project, Aggregate, Union, ...) mint new ids;
//! nodes that pass rows through keep their input's ids.

use std::fmt::Write as _;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{Schema, SchemaRef};

use crate::expr::{Attribute, Expr, SortOrder};
use crate::scalar::ScalarValue;
pub use crate::spec::JoinType;

/// File formats Ember reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileFormat {
    Parquet,
    Csv,
    Json,
    Text,
}

impl FileFormat {
    pub fn parse(name: &str) -> Option<FileFormat> {
        match name.to_ascii_lowercase().as_str() {
            "parquet" => Some(FileFormat::Parquet),
            "csv" => Some(FileFormat::Csv),
            "json" => Some(FileFormat::Json),
            "text" => Some(FileFormat::Text),
            _ => None,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            FileFormat::Parquet => "parquet",
            FileFormat::Csv => "csv",
            FileFormat::Json => "json",
            FileFormat::Text => "text",
        }
    }
}

/// A table backed by files: the resolved file list and the schema.
#[derive(Debug, Clone, PartialEq)]
pub struct FileTable {
    pub format: FileFormat,
    /// Concrete files (globs and folders already expanded).
    pub files: Vec<String>,
    /// Lowercased option keys (`header`, `sep`, `inferschema`, ...).
    pub options: Vec<(String, String)>,
    pub schema: SchemaRef,
    /// Total rows when known from metadata (Parquet footers).
    pub row_count: Option<usize>,
}

impl FileTable {
    pub fn option(&self, key: &str) -> Option<&str> {
        self.options.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

/// Where a scan reads from.
#[derive(Debug, Clone)]
pub enum TableSource {
    Files(Arc<FileTable>),
    Memory { batches: Arc<Vec<RecordBatch>>, schema: SchemaRef },
}

impl PartialEq for TableSource {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (TableSource::Files(a), TableSource::Files(b)) => a == b,
            (TableSource::Memory { batches: a, .. }, TableSource::Memory { batches: b, .. }) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl TableSource {
    pub fn schema(&self) -> SchemaRef {
        match self {
            TableSource::Files(f) => f.schema.clone(),
            TableSource::Memory { schema, .. } => schema.clone(),
        }
    }

    pub fn row_count(&self) -> Option<usize> {
        match self {
            TableSource::Files(f) => f.row_count,
            TableSource::Memory { batches, .. } => Some(batches.iter().map(|b| b.num_rows()).sum()),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            TableSource::Files(f) => {
                let shown: Vec<&str> = f.files.iter().take(3).map(|s| s.as_str()).collect();
                let more = if f.files.len() > 3 { format!(", ... {} more", f.files.len() - 3) } else { String::new() };
                format!("{} [{}{}]", f.format.name(), shown.join(", "), more)
            }
            TableSource::Memory { batches, .. } => format!("memory [{} batches]", batches.len()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetOpKind {
    Intersect,
    Except,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LogicalPlan {
    /// Reads `projection` (indices into the source schema) as `output`.
    /// `filters` are predicates the scan may use to skip data; they are
    /// still evaluated by a Filter above (pruning is best-effort).
    Scan {
        source: TableSource,
        table_name: String,
        projection: Vec<usize>,
        output: Vec<Attribute>,
        filters: Vec<Expr>,
    },
    /// Literal rows (`VALUES`, `SELECT` without FROM has one empty row).
    Values {
        output: Vec<Attribute>,
        rows: Vec<Vec<ScalarValue>>,
    },
    /// `range(start, end, step)` as one bigint column.
    Range {
        output: Attribute,
        start: i64,
        end: i64,
        step: i64,
    },
    /// Each expression is a `Column` or an `Alias`.
    Project {
        input: Box<LogicalPlan>,
        exprs: Vec<Expr>,
    },
    Filter {
        input: Box<LogicalPlan>,
        predicate: Expr,
    },
    /// Output: the grouping attributes, then the aggregate attributes.
    /// `group_exprs` are `Column`s or `Alias`es; `aggr_exprs` are `Alias`es
    /// over `Expr::Aggregate` calls.
    Aggregate {
        input: Box<LogicalPlan>,
        group_exprs: Vec<Expr>,
        aggr_exprs: Vec<Expr>,
    },
    /// `on` pairs (left key, right key) are equalities over the two sides;
    /// `filter` is an extra condition over both sides. `null_aware` marks an
    /// anti join from `NOT IN` (a NULL on either side rejects the row).
    Join {
        left: Box<LogicalPlan>,
        right: Box<LogicalPlan>,
        join_type: JoinType,
        on: Vec<(Expr, Expr)>,
        filter: Option<Expr>,
        null_aware: bool,
    },
    Sort {
        input: Box<LogicalPlan>,
        order: Vec<SortOrder>,
        fetch: Option<usize>,
    },
    Limit {
        input: Box<LogicalPlan>,
        skip: usize,
        fetch: Option<usize>,
    },
    /// UNION ALL of inputs with the same column types; mints `output`.
    Union {
        inputs: Vec<LogicalPlan>,
        output: Vec<Attribute>,
    },
    /// INTERSECT / EXCEPT [ALL]; output is the left side's attributes.
    SetOperation {
        left: Box<LogicalPlan>,
        right: Box<LogicalPlan>,
        kind: SetOpKind,
        all: bool,
    },
    /// A relation with no rows.
    Empty {
        output: Vec<Attribute>,
    },
    /// Window functions over `input` (Spark's `Window`): every row of the
    /// input with one more column per `window_exprs` item, an `Alias` over
    /// an `Expr::Window` whose PARTITION BY and ORDER BY are this node's
    /// `partition_by` / `order_by` (frames may differ). Output: the input's
    /// attributes, then the window attributes.
    Window {
        input: Box<LogicalPlan>,
        window_exprs: Vec<Expr>,
        partition_by: Vec<Expr>,
        order_by: Vec<SortOrder>,
    },
    /// Spark's `Expand`: every input row becomes one output row per item of
    /// `projections`, each a list of one expression per `output` attribute
    /// (GROUPING SETS / ROLLUP / CUBE: the input columns, then the grouping
    /// columns with those outside the set replaced by NULL, then the grouping
    /// id as a literal). An output attribute whose id is an input column's
    /// must be that column in every projection (a pass-through); the others
    /// are new columns.
    Expand {
        input: Box<LogicalPlan>,
        projections: Vec<Vec<Expr>>,
        output: Vec<Attribute>,
    },
}

impl LogicalPlan {
    pub fn output(&self) -> Vec<Attribute> {
        match self {
            LogicalPlan::Scan { output, .. } | LogicalPlan::Values { output, .. } | LogicalPlan::Empty { output } => {
                output.clone()
            }
            LogicalPlan::Union { output, .. } | LogicalPlan::Expand { output, .. } => output.clone(),
            LogicalPlan::Range { output, .. } => vec![output.clone()],
            LogicalPlan::Project { exprs, .. } => exprs.iter().map(|e| e.to_attribute()).collect(),
            LogicalPlan::Filter { input, .. } | LogicalPlan::Sort { input, .. } | LogicalPlan::Limit { input, .. } => {
                input.output()
            }
            LogicalPlan::Aggregate { group_exprs, aggr_exprs, .. } => {
                group_exprs.iter().chain(aggr_exprs.iter()).map(|e| e.to_attribute()).collect()
            }
            LogicalPlan::Join { left, right, join_type, .. } => {
                let l = left.output();
                let r = right.output();
                match join_type {
                    JoinType::LeftSemi | JoinType::LeftAnti => l,
                    JoinType::RightSemi | JoinType::RightAnti => r,
                    JoinType::Inner | JoinType::Cross => l.into_iter().chain(r).collect(),
                    JoinType::LeftOuter => l.into_iter().chain(r.into_iter().map(|a| a.with_nullable(true))).collect(),
                    JoinType::RightOuter => l.into_iter().map(|a| a.with_nullable(true)).chain(r).collect(),
                    JoinType::FullOuter => l.into_iter().chain(r).map(|a| a.with_nullable(true)).collect(),
                }
            }
            LogicalPlan::SetOperation { left, .. } => left.output(),
            LogicalPlan::Window { input, window_exprs, .. } => {
                let mut out = input.output();
                out.extend(window_exprs.iter().map(|e| e.to_attribute()));
                out
            }
        }
    }

    pub fn schema(&self) -> SchemaRef {
        Arc::new(Schema::new(self.output().iter().map(|a| a.field()).collect::<Vec<_>>()))
    }

    pub fn children(&self) -> Vec<&LogicalPlan> {
        match self {
            LogicalPlan::Scan { .. }
            | LogicalPlan::Values { .. }
            | LogicalPlan::Range { .. }
            | LogicalPlan::Empty { .. } => vec![],
            LogicalPlan::Project { input, .. }
            | LogicalPlan::Filter { input, .. }
            | LogicalPlan::Aggregate { input, .. }
            | LogicalPlan::Sort { input, .. }
            | LogicalPlan::Limit { input, .. }
            | LogicalPlan::Window { input, .. }
            | LogicalPlan::Expand { input, .. } => vec![input],
            LogicalPlan::Join { left, right, .. } | LogicalPlan::SetOperation { left, right, .. } => vec![left, right],
            LogicalPlan::Union { inputs, .. } => inputs.iter().collect(),
        }
    }

    /// Rebuilds the node with its children passed through `f`.
    pub fn map_children<F>(self, mut f: F) -> crate::Result<LogicalPlan>
    where
        F: FnMut(LogicalPlan) -> crate::Result<LogicalPlan>,
    {
        let mut b = |p: Box<LogicalPlan>| -> crate::Result<Box<LogicalPlan>> { Ok(Box::new(f(*p)?)) };
        Ok(match self {
            p @ (LogicalPlan::Scan { .. }
            | LogicalPlan::Values { .. }
            | LogicalPlan::Range { .. }
            | LogicalPlan::Empty { .. }) => p,
            LogicalPlan::Project { input, exprs } => LogicalPlan::Project { input: b(input)?, exprs },
            LogicalPlan::Filter { input, predicate } => LogicalPlan::Filter { input: b(input)?, predicate },
            LogicalPlan::Aggregate { input, group_exprs, aggr_exprs } => {
                LogicalPlan::Aggregate { input: b(input)?, group_exprs, aggr_exprs }
            }
            LogicalPlan::Sort { input, order, fetch } => LogicalPlan::Sort { input: b(input)?, order, fetch },
            LogicalPlan::Limit { input, skip, fetch } => LogicalPlan::Limit { input: b(input)?, skip, fetch },
            LogicalPlan::Window { input, window_exprs, partition_by, order_by } => {
                LogicalPlan::Window { input: b(input)?, window_exprs, partition_by, order_by }
            }
            LogicalPlan::Expand { input, projections, output } => {
                LogicalPlan::Expand { input: b(input)?, projections, output }
            }
            LogicalPlan::Join { left, right, join_type, on, filter, null_aware } => {
                let left = b(left)?;
                let right = b(right)?;
                LogicalPlan::Join { left, right, join_type, on, filter, null_aware }
            }
            LogicalPlan::SetOperation { left, right, kind, all } => {
                let left = b(left)?;
                let right = b(right)?;
                LogicalPlan::SetOperation { left, right, kind, all }
            }
            LogicalPlan::Union { inputs, output } => LogicalPlan::Union {
                inputs: inputs.into_iter().map(|p| Ok(*b(Box::new(p))?)).collect::<crate::Result<Vec<_>>>()?,
                output,
            },
        })
    }

    /// Bottom-up rewrite of the plan tree.
    pub fn transform_up<F>(self, f: &mut F) -> crate::Result<LogicalPlan>
    where
        F: FnMut(LogicalPlan) -> crate::Result<LogicalPlan>,
    {
        let p = self.map_children(|c| c.transform_up(f))?;
        f(p)
    }

    /// Applies `f` to every expression held directly by this node.
    pub fn map_expressions<F>(self, mut f: F) -> crate::Result<LogicalPlan>
    where
        F: FnMut(Expr) -> crate::Result<Expr>,
    {
        let mut all = |v: Vec<Expr>| v.into_iter().map(&mut f).collect::<crate::Result<Vec<_>>>();
        Ok(match self {
            LogicalPlan::Project { input, exprs } => LogicalPlan::Project { input, exprs: all(exprs)? },
            LogicalPlan::Filter { input, predicate } => LogicalPlan::Filter { input, predicate: f(predicate)? },
            LogicalPlan::Aggregate { input, group_exprs, aggr_exprs } => {
                let group_exprs = all(group_exprs)?;
                let aggr_exprs = all(aggr_exprs)?;
                LogicalPlan::Aggregate { input, group_exprs, aggr_exprs }
            }
            LogicalPlan::Sort { input, order, fetch } => {
                let order = order
                    .into_iter()
                    .map(|o| Ok(SortOrder { expr: f(o.expr)?, ..o }))
                    .collect::<crate::Result<Vec<_>>>()?;
                LogicalPlan::Sort { input, order, fetch }
            }
            LogicalPlan::Join { left, right, join_type, on, filter, null_aware } => {
                let on = on.into_iter().map(|(l, r)| Ok((f(l)?, f(r)?))).collect::<crate::Result<Vec<_>>>()?;
                let filter = match filter {
                    Some(e) => Some(f(e)?),
                    None => None,
                };
                LogicalPlan::Join { left, right, join_type, on, filter, null_aware }
            }
            LogicalPlan::Scan { source, table_name, projection, output, filters } => {
                LogicalPlan::Scan { source, table_name, projection, output, filters: all(filters)? }
            }
            LogicalPlan::Window { input, window_exprs, partition_by, order_by } => {
                let window_exprs = all(window_exprs)?;
                let partition_by = all(partition_by)?;
                let order_by = order_by
                    .into_iter()
                    .map(|o| Ok(SortOrder { expr: f(o.expr)?, ..o }))
                    .collect::<crate::Result<Vec<_>>>()?;
                LogicalPlan::Window { input, window_exprs, partition_by, order_by }
            }
            LogicalPlan::Expand { input, projections, output } => {
                let projections = projections.into_iter().map(&mut all).collect::<crate::Result<Vec<_>>>()?;
                LogicalPlan::Expand { input, projections, output }
            }
            other => other,
        })
    }

    /// The expressions held directly by this node.
    pub fn expressions(&self) -> Vec<&Expr> {
        match self {
            LogicalPlan::Project { exprs, .. } => exprs.iter().collect(),
            LogicalPlan::Filter { predicate, .. } => vec![predicate],
            LogicalPlan::Aggregate { group_exprs, aggr_exprs, .. } => {
                group_exprs.iter().chain(aggr_exprs.iter()).collect()
            }
            LogicalPlan::Sort { order, .. } => order.iter().map(|o| &o.expr).collect(),
            LogicalPlan::Join { on, filter, .. } => {
                let mut v: Vec<&Expr> = on.iter().flat_map(|(l, r)| [l, r]).collect();
                if let Some(f) = filter {
                    v.push(f);
                }
                v
            }
            LogicalPlan::Scan { filters, .. } => filters.iter().collect(),
            LogicalPlan::Window { window_exprs, partition_by, order_by, .. } => {
                window_exprs.iter().chain(partition_by.iter()).chain(order_by.iter().map(|o| &o.expr)).collect()
            }
            LogicalPlan::Expand { projections, .. } => projections.iter().flatten().collect(),
            _ => vec![],
        }
    }

    /// Indented tree text for EXPLAIN.
    pub fn display_indent(&self) -> String {
        let mut s = String::new();
        self.fmt_tree(&mut s, 0);
        s
    }

    fn fmt_tree(&self, s: &mut String, depth: usize) {
        let pad = if depth == 0 { String::new() } else { format!("{}+- ", "   ".repeat(depth - 1)) };
        let list = |v: &[Expr]| v.iter().map(|e| e.to_string()).collect::<Vec<_>>().join(", ");
        let attrs = |v: &[Attribute]| v.iter().map(|a| format!("{}#{}", a.name, a.id)).collect::<Vec<_>>().join(", ");
        let line = match self {
            LogicalPlan::Scan { source, table_name, output, filters, .. } => {
                let mut l = format!("Scan {} {} [{}]", table_name, source.describe(), attrs(output));
                if !filters.is_empty() {
                    l.push_str(&format!(" PushedFilters: [{}]", list(filters)));
                }
                l
            }
            LogicalPlan::Values { output, rows } => format!("LocalRelation [{}], {} rows", attrs(output), rows.len()),
            LogicalPlan::Range { start, end, step, .. } => format!("Range ({start}, {end}, step={step})"),
            LogicalPlan::Project { exprs, .. } => format!("Project [{}]", list(exprs)),
            LogicalPlan::Filter { predicate, .. } => format!("Filter {predicate}"),
            LogicalPlan::Aggregate { group_exprs, aggr_exprs, .. } => {
                format!("Aggregate [{}], [{}]", list(group_exprs), list(aggr_exprs))
            }
            LogicalPlan::Join { join_type, on, filter, null_aware, .. } => {
                let keys = on.iter().map(|(l, r)| format!("{l} = {r}")).collect::<Vec<_>>().join(", ");
                let mut l = format!("Join {:?}", join_type);
                if !on.is_empty() {
                    l.push_str(&format!(", [{keys}]"));
                }
                if let Some(f) = filter {
                    l.push_str(&format!(", {f}"));
                }
                if *null_aware {
                    l.push_str(", null-aware");
                }
                l
            }
            LogicalPlan::Sort { order, fetch, .. } => {
                let o = order
                    .iter()
                    .map(|o| {
                        format!(
                            "{} {} NULLS {}",
                            o.expr,
                            if o.ascending { "ASC" } else { "DESC" },
                            if o.nulls_first { "FIRST" } else { "LAST" }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                match fetch {
                    Some(n) => format!("TopN {n} [{o}]"),
                    None => format!("Sort [{o}]"),
                }
            }
            LogicalPlan::Limit { skip, fetch, .. } => match fetch {
                Some(n) => format!("Limit {n}{}", if *skip > 0 { format!(" Offset {skip}") } else { String::new() }),
                None => format!("Offset {skip}"),
            },
            LogicalPlan::Union { output, .. } => format!("Union [{}]", attrs(output)),
            LogicalPlan::SetOperation { kind, all, .. } => {
                format!("{:?}{}", kind, if *all { " All" } else { "" })
            }
            LogicalPlan::Empty { output } => format!("LocalRelation <empty>, [{}]", attrs(output)),
            LogicalPlan::Window { window_exprs, partition_by, order_by, .. } => {
                let o = order_by
                    .iter()
                    .map(|o| {
                        format!(
                            "{} {} NULLS {}",
                            o.expr,
                            if o.ascending { "ASC" } else { "DESC" },
                            if o.nulls_first { "FIRST" } else { "LAST" }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                format!("Window [{}], [{}], [{o}]", list(window_exprs), list(partition_by))
            }
            LogicalPlan::Expand { projections, output, .. } => {
                let rows = projections.iter().map(|p| format!("[{}]", list(p))).collect::<Vec<_>>().join(", ");
                format!("Expand [{rows}], [{}]", attrs(output))
            }
        };
        let _ = writeln!(s, "{pad}{line}");
        for c in self.children() {
            c.fmt_tree(s, depth + 1);
        }
    }
}
