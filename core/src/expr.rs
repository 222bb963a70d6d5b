//! Resolved, typed expressions.
//!
//! Columns are referenced by `ColumnId` (Spark's `ExprId`): every attribute a
//! plan node produces has an id unique within the session, so rewrites can
//! move expressions between nodes without re-binding positions. The physical
//! planner binds ids to positions in the input schema.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use arrow_schema::{DataType, Field};

use crate::plan::LogicalPlan;
use crate::scalar::ScalarValue;
pub use crate::spec::BinaryOp;
pub use crate::spec::FrameUnits;

pub type ColumnId = u64;

static NEXT_COLUMN_ID: AtomicU64 = AtomicU64::new(1);

/// A fresh id for a new attribute.
pub fn next_column_id() -> ColumnId {
    NEXT_COLUMN_ID.fetch_add(1, Ordering::Relaxed)
}

/// A column a plan node produces.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Attribute {
    pub id: ColumnId,
    pub name: String,
    pub data_type: DataType,
    pub nullable: bool,
    /// The relation names the column can be qualified with (`t` in `t.a`);
    /// only used for name resolution.
    pub qualifier: Vec<String>,
}

impl Attribute {
    pub fn new(name: impl Into<String>, data_type: DataType, nullable: bool) -> Attribute {
        Attribute { id: next_column_id(), name: name.into(), data_type, nullable, qualifier: vec![] }
    }

    pub fn field(&self) -> Field {
        Field::new(&self.name, self.data_type.clone(), self.nullable)
    }

    pub fn with_nullable(mut self, nullable: bool) -> Attribute {
        self.nullable = nullable;
        self
    }

    pub fn with_qualifier(mut self, qualifier: Vec<String>) -> Attribute {
        self.qualifier = qualifier;
        self
    }
}

/// How arithmetic, casts and some functions treat overflow and bad input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EvalMode {
    /// Spark 3 behaviour (`spark.sql.ansi.enabled=false`): wrap or NULL.
    Legacy,
    /// Spark 4 default: raise Spark's error.
    Ansi,
    /// `try_*` functions: NULL on error.
    Try,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AggFunc {
    Count,
    Sum,
    Avg,
    Min,
    Max,
    First,
    Last,
    AnyValue,
    StddevSamp,
    StddevPop,
    VarSamp,
    VarPop,
    BoolAnd,
    BoolOr,
    CollectList,
    CollectSet,
}

impl AggFunc {
    pub fn name(&self) -> &'static str {
        match self {
            AggFunc::Count => "count",
            AggFunc::Sum => "sum",
            AggFunc::Avg => "avg",
            AggFunc::Min => "min",
            AggFunc::Max => "max",
            AggFunc::First => "first",
            AggFunc::Last => "last",
            AggFunc::AnyValue => "any_value",
            AggFunc::StddevSamp => "stddev_samp",
            AggFunc::StddevPop => "stddev_pop",
            AggFunc::VarSamp => "var_samp",
            AggFunc::VarPop => "var_pop",
            AggFunc::BoolAnd => "bool_and",
            AggFunc::BoolOr => "bool_or",
            AggFunc::CollectList => "collect_list",
            AggFunc::CollectSet => "collect_set",
        }
    }
}

/// An aggregate function call inside an `Aggregate` node.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregateCall {
    pub func: AggFunc,
    /// Empty for `count(*)`.
    pub args: Vec<Expr>,
    pub distinct: bool,
    /// `FILTER (WHERE ...)`
    pub filter: Option<Box<Expr>>,
    pub data_type: DataType,
    /// The name as the user wrote the function (`avg`, `mean`, `count`).
    pub display_name: String,
    pub mode: EvalMode,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SortOrder {
    pub expr: Expr,
    pub ascending: bool,
    pub nulls_first: bool,
}

/// One end of a resolved window frame.
#[derive(Debug, Clone, PartialEq)]
pub enum FrameBound {
    UnboundedPreceding,
    CurrentRow,
    UnboundedFollowing,
    /// ROWS: a signed offset from the current row (negative: rows before it).
    Rows(i64),
    /// RANGE with a value: `offset` as written (signed; negative is
    /// PRECEDING) and `value`, the ORDER BY key moved by it for each row
    /// (`key + offset`, `key - offset` for a descending key), an expression
    /// over the window's input of the key's type. The frame ends at the
    /// rows whose key sorts at `value`.
    Range {
        offset: ScalarValue,
        value: Box<Expr>,
    },
}

/// A resolved frame; Spark's defaults are filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowFrame {
    pub units: FrameUnits,
    pub start: FrameBound,
    pub end: FrameBound,
}

impl WindowFrame {
    pub fn new(units: FrameUnits, start: FrameBound, end: FrameBound) -> WindowFrame {
        WindowFrame { units, start, end }
    }

    /// `ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW` (ranking functions).
    pub fn running_rows() -> WindowFrame {
        WindowFrame::new(FrameUnits::Rows, FrameBound::UnboundedPreceding, FrameBound::CurrentRow)
    }

    /// The value expressions of RANGE bounds, start first.
    pub fn exprs(&self) -> Vec<&Expr> {
        [&self.start, &self.end]
            .into_iter()
            .filter_map(|b| match b {
                FrameBound::Range { value, .. } => Some(value.as_ref()),
                _ => None,
            })
            .collect()
    }
}

/// What a window expression computes for each row.
#[derive(Debug, Clone, PartialEq)]
pub enum WindowFunction {
    /// An aggregate over the frame (`sum(x) OVER (...)`). `first`, `last`
    /// and `any_value` take an optional second argument, the IGNORE NULLS
    /// flag (a boolean literal).
    Aggregate(AggregateCall),
    RowNumber,
    Rank,
    DenseRank,
    PercentRank,
    CumeDist,
    /// `ntile(n)`, n > 0
    Ntile(i64),
    /// `lead` (`offset` rows after) and `lag` (before: `offset` < 0): the
    /// input at that row of the partition, else `default` (at the current row).
    Offset {
        input: Box<Expr>,
        offset: i64,
        default: Box<Expr>,
        ignore_nulls: bool,
        lag: bool,
    },
    /// `nth_value(input, n)`: the input at the n-th row of the frame (1-based).
    NthValue {
        input: Box<Expr>,
        n: i64,
        ignore_nulls: bool,
    },
}

impl WindowFunction {
    /// The function's own expressions (arguments).
    pub fn exprs(&self) -> Vec<&Expr> {
        match self {
            WindowFunction::Aggregate(a) => {
                let mut v: Vec<&Expr> = a.args.iter().collect();
                if let Some(f) = &a.filter {
                    v.push(f);
                }
                v
            }
            WindowFunction::Offset { input, default, .. } => vec![input, default],
            WindowFunction::NthValue { input, .. } => vec![input],
            _ => vec![],
        }
    }

    pub fn data_type(&self) -> DataType {
        match self {
            WindowFunction::Aggregate(a) => a.data_type.clone(),
            WindowFunction::RowNumber | WindowFunction::Rank | WindowFunction::DenseRank | WindowFunction::Ntile(_) => {
                DataType::Int32
            }
            WindowFunction::PercentRank | WindowFunction::CumeDist => DataType::Float64,
            WindowFunction::Offset { input, .. } | WindowFunction::NthValue { input, .. } => input.data_type(),
        }
    }

    pub fn nullable(&self) -> bool {
        match self {
            WindowFunction::Aggregate(a) => !matches!(a.func, AggFunc::Count),
            WindowFunction::Offset { .. } | WindowFunction::NthValue { .. } => true,
            _ => false,
        }
    }
}

/// `function OVER (PARTITION BY .. ORDER BY .. frame)`.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowExpr {
    pub function: WindowFunction,
    pub partition_by: Vec<Expr>,
    pub order_by: Vec<SortOrder>,
    pub frame: WindowFrame,
}

/// A resolved expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Column(Attribute),
    /// A column of an enclosing query, inside a correlated subquery.
    OuterColumn(Attribute),
    Literal(ScalarValue),
    /// Names an expression; defines the attribute `id`.
    Alias {
        expr: Box<Expr>,
        name: String,
        id: ColumnId,
    },
    /// Operands have been coerced by the analyzer; `data_type` is the result.
    Binary {
        op: BinaryOp,
        left: Box<Expr>,
        right: Box<Expr>,
        data_type: DataType,
        mode: EvalMode,
    },
    Not(Box<Expr>),
    Negative {
        expr: Box<Expr>,
        mode: EvalMode,
    },
    IsNull(Box<Expr>),
    IsNotNull(Box<Expr>),
    Cast {
        expr: Box<Expr>,
        to: DataType,
        mode: EvalMode,
    },
    /// `CASE WHEN c THEN v ... ELSE e END`; all values share one type.
    Case {
        branches: Vec<(Expr, Expr)>,
        else_expr: Option<Box<Expr>>,
        data_type: DataType,
    },
    /// `expr [NOT] IN (list)`; all of one type.
    InList {
        expr: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    /// LIKE/ILIKE (`case_insensitive`) or RLIKE (`regex`).
    Like {
        expr: Box<Expr>,
        pattern: Box<Expr>,
        negated: bool,
        case_insensitive: bool,
        regex: bool,
        escape: char,
    },
    /// A scalar function from the registry, by canonical name.
    ScalarFunction {
        name: String,
        args: Vec<Expr>,
        data_type: DataType,
        mode: EvalMode,
    },
    Aggregate(Box<AggregateCall>),
    /// Uncorrelated or correlated subquery returning one value.
    ScalarSubquery {
        plan: Box<LogicalPlan>,
        data_type: DataType,
    },
    InSubquery {
        expr: Box<Expr>,
        plan: Box<LogicalPlan>,
        negated: bool,
    },
    Exists {
        plan: Box<LogicalPlan>,
        negated: bool,
    },
    /// A window function call; the analyzer moves these into
    /// `LogicalPlan::Window` nodes.
    Window(Box<WindowExpr>),
    /// A lambda function, only as an argument of a higher-order function
    /// (`ScalarFunction` `transform`, `filter`, `aggregate`, ...). `params`
    /// are the lambda's variables, typed by the function that binds them
    /// (the element type, the index, the accumulator); `body` reads them as
    /// `LambdaVariable`s with the same ids, and may read columns of the
    /// input row and variables of enclosing lambdas.
    Lambda {
        params: Vec<Attribute>,
        body: Box<Expr>,
    },
    /// A variable of an enclosing `Lambda`, by the id of its parameter.
    LambdaVariable(Attribute),
}

impl Expr {
    pub fn col(a: &Attribute) -> Expr {
        Expr::Column(a.clone())
    }

    pub fn lit(v: ScalarValue) -> Expr {
        Expr::Literal(v)
    }

    pub fn alias(self, name: impl Into<String>) -> Expr {
        Expr::Alias { expr: Box::new(self), name: name.into(), id: next_column_id() }
    }

    pub fn data_type(&self) -> DataType {
        match self {
            Expr::Column(a) | Expr::OuterColumn(a) => a.data_type.clone(),
            Expr::Literal(v) => v.data_type(),
            Expr::Alias { expr, .. } => expr.data_type(),
            Expr::Binary { data_type, .. } => data_type.clone(),
            Expr::Not(_) | Expr::IsNull(_) | Expr::IsNotNull(_) | Expr::InList { .. } | Expr::Like { .. } => {
                DataType::Boolean
            }
            Expr::InSubquery { .. } | Expr::Exists { .. } => DataType::Boolean,
            Expr::Negative { expr, .. } => expr.data_type(),
            Expr::Cast { to, .. } => to.clone(),
            Expr::Case { data_type, .. } => data_type.clone(),
            Expr::ScalarFunction { data_type, .. } => data_type.clone(),
            Expr::Aggregate(a) => a.data_type.clone(),
            Expr::ScalarSubquery { data_type, .. } => data_type.clone(),
            Expr::Window(w) => w.function.data_type(),
            Expr::Lambda { body, .. } => body.data_type(),
            Expr::LambdaVariable(a) => a.data_type.clone(),
        }
    }

    /// Conservative nullability.
    pub fn nullable(&self) -> bool {
        match self {
            Expr::Column(a) | Expr::OuterColumn(a) => a.nullable,
            Expr::Literal(v) => v.is_null(),
            Expr::Alias { expr, .. } => expr.nullable(),
            Expr::IsNull(_) | Expr::IsNotNull(_) | Expr::Exists { .. } => false,
            Expr::Not(e) => e.nullable(),
            Expr::Binary { op: BinaryOp::EqNullSafe, .. } => false,
            Expr::Binary { op, left, right, mode, .. } => {
                left.nullable()
                    || right.nullable()
                    || matches!(op, BinaryOp::Divide | BinaryOp::IntDivide | BinaryOp::Modulo)
                    || *mode == EvalMode::Try
            }
            Expr::Negative { expr, .. } => expr.nullable(),
            Expr::Cast { expr, mode, .. } => expr.nullable() || *mode != EvalMode::Ansi,
            Expr::Aggregate(a) => !matches!(a.func, AggFunc::Count),
            Expr::Window(w) => w.function.nullable(),
            Expr::Lambda { body, .. } => body.nullable(),
            Expr::LambdaVariable(a) => a.nullable,
            _ => true,
        }
    }

    /// The id this expression defines or forwards when it is a projection item.
    pub fn output_id(&self) -> Option<ColumnId> {
        match self {
            Expr::Alias { id, .. } => Some(*id),
            Expr::Column(a) => Some(a.id),
            _ => None,
        }
    }

    /// The attribute a projection item produces.
    pub fn to_attribute(&self) -> Attribute {
        match self {
            Expr::Column(a) => a.clone(),
            Expr::Alias { expr, name, id } => Attribute {
                id: *id,
                name: name.clone(),
                data_type: expr.data_type(),
                nullable: expr.nullable(),
                qualifier: vec![],
            },
            other => Attribute {
                id: next_column_id(),
                name: other.sql_name(),
                data_type: other.data_type(),
                nullable: other.nullable(),
                qualifier: vec![],
            },
        }
    }

    /// Immediate children.
    pub fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::Column(_) | Expr::OuterColumn(_) | Expr::Literal(_) | Expr::LambdaVariable(_) => vec![],
            Expr::ScalarSubquery { .. } | Expr::Exists { .. } => vec![],
            Expr::Lambda { body, .. } => vec![body],
            Expr::Alias { expr, .. }
            | Expr::Not(expr)
            | Expr::Negative { expr, .. }
            | Expr::IsNull(expr)
            | Expr::IsNotNull(expr)
            | Expr::Cast { expr, .. }
            | Expr::InSubquery { expr, .. } => vec![expr],
            Expr::Binary { left, right, .. } => vec![left, right],
            Expr::Case { branches, else_expr, .. } => {
                let mut v: Vec<&Expr> = branches.iter().flat_map(|(w, t)| [w, t]).collect();
                if let Some(e) = else_expr {
                    v.push(e);
                }
                v
            }
            Expr::InList { expr, list, .. } => std::iter::once(expr.as_ref()).chain(list.iter()).collect(),
            Expr::Like { expr, pattern, .. } => vec![expr, pattern],
            Expr::ScalarFunction { args, .. } => args.iter().collect(),
            Expr::Aggregate(a) => {
                let mut v: Vec<&Expr> = a.args.iter().collect();
                if let Some(f) = &a.filter {
                    v.push(f);
                }
                v
            }
            // the function's arguments, the partition and order keys, the
            // RANGE bound values; not the window function itself
            Expr::Window(w) => {
                let mut v = w.function.exprs();
                v.extend(w.partition_by.iter());
                v.extend(w.order_by.iter().map(|o| &o.expr));
                v.extend(w.frame.exprs());
                v
            }
        }
    }

    /// Rebuilds this node with each child passed through `f` (children in the
    /// order `children()` lists them).
    pub fn map_children<F>(self, mut f: F) -> crate::Result<Expr>
    where
        F: FnMut(Expr) -> crate::Result<Expr>,
    {
        Ok(match self {
            e @ (Expr::Column(_)
            | Expr::OuterColumn(_)
            | Expr::Literal(_)
            | Expr::LambdaVariable(_)
            | Expr::ScalarSubquery { .. }
            | Expr::Exists { .. }) => e,
            Expr::Lambda { params, body } => Expr::Lambda { params, body: Box::new(f(*body)?) },
            Expr::Alias { expr, name, id } => Expr::Alias { expr: Box::new(f(*expr)?), name, id },
            Expr::Not(e) => Expr::Not(Box::new(f(*e)?)),
            Expr::Negative { expr, mode } => Expr::Negative { expr: Box::new(f(*expr)?), mode },
            Expr::IsNull(e) => Expr::IsNull(Box::new(f(*e)?)),
            Expr::IsNotNull(e) => Expr::IsNotNull(Box::new(f(*e)?)),
            Expr::Cast { expr, to, mode } => Expr::Cast { expr: Box::new(f(*expr)?), to, mode },
            Expr::InSubquery { expr, plan, negated } => Expr::InSubquery { expr: Box::new(f(*expr)?), plan, negated },
            Expr::Binary { op, left, right, data_type, mode } => {
                Expr::Binary { op, left: Box::new(f(*left)?), right: Box::new(f(*right)?), data_type, mode }
            }
            Expr::Case { branches, else_expr, data_type } => {
                let mut nb = Vec::with_capacity(branches.len());
                for (w, t) in branches {
                    let w = f(w)?;
                    let t = f(t)?;
                    nb.push((w, t));
                }
                let else_expr = match else_expr {
                    Some(e) => Some(Box::new(f(*e)?)),
                    None => None,
                };
                Expr::Case { branches: nb, else_expr, data_type }
            }
            Expr::InList { expr, list, negated } => {
                let expr = Box::new(f(*expr)?);
                let list = list.into_iter().map(&mut f).collect::<crate::Result<Vec<_>>>()?;
                Expr::InList { expr, list, negated }
            }
            Expr::Like { expr, pattern, negated, case_insensitive, regex, escape } => Expr::Like {
                expr: Box::new(f(*expr)?),
                pattern: Box::new(f(*pattern)?),
                negated,
                case_insensitive,
                regex,
                escape,
            },
            Expr::ScalarFunction { name, args, data_type, mode } => Expr::ScalarFunction {
                name,
                args: args.into_iter().map(&mut f).collect::<crate::Result<Vec<_>>>()?,
                data_type,
                mode,
            },
            Expr::Aggregate(a) => {
                let a = *a;
                let args = a.args.into_iter().map(&mut f).collect::<crate::Result<Vec<_>>>()?;
                let filter = match a.filter {
                    Some(e) => Some(Box::new(f(*e)?)),
                    None => None,
                };
                Expr::Aggregate(Box::new(AggregateCall { args, filter, ..a }))
            }
            Expr::Window(w) => {
                let w = *w;
                let function = match w.function {
                    WindowFunction::Aggregate(a) => {
                        let args = a.args.into_iter().map(&mut f).collect::<crate::Result<Vec<_>>>()?;
                        let filter = match a.filter {
                            Some(e) => Some(Box::new(f(*e)?)),
                            None => None,
                        };
                        WindowFunction::Aggregate(AggregateCall { args, filter, ..a })
                    }
                    WindowFunction::Offset { input, offset, default, ignore_nulls, lag } => {
                        let input = Box::new(f(*input)?);
                        let default = Box::new(f(*default)?);
                        WindowFunction::Offset { input, offset, default, ignore_nulls, lag }
                    }
                    WindowFunction::NthValue { input, n, ignore_nulls } => {
                        WindowFunction::NthValue { input: Box::new(f(*input)?), n, ignore_nulls }
                    }
                    other => other,
                };
                let partition_by = w.partition_by.into_iter().map(&mut f).collect::<crate::Result<Vec<_>>>()?;
                let order_by = w
                    .order_by
                    .into_iter()
                    .map(|o| Ok(SortOrder { expr: f(o.expr)?, ..o }))
                    .collect::<crate::Result<Vec<_>>>()?;
                let mut bound = |b: FrameBound| -> crate::Result<FrameBound> {
                    Ok(match b {
                        FrameBound::Range { offset, value } => {
                            FrameBound::Range { offset, value: Box::new(f(*value)?) }
                        }
                        other => other,
                    })
                };
                let start = bound(w.frame.start)?;
                let end = bound(w.frame.end)?;
                let frame = WindowFrame { units: w.frame.units, start, end };
                Expr::Window(Box::new(WindowExpr { function, partition_by, order_by, frame }))
            }
        })
    }

    /// Bottom-up rewrite: `f` sees each node after its children were rewritten.
    pub fn transform_up<F>(self, f: &mut F) -> crate::Result<Expr>
    where
        F: FnMut(Expr) -> crate::Result<Expr>,
    {
        let e = self.map_children(|c| c.transform_up(f))?;
        f(e)
    }

    /// Top-down rewrite: `f` returns `(new, recurse)`.
    pub fn transform_down<F>(self, f: &mut F) -> crate::Result<Expr>
    where
        F: FnMut(Expr) -> crate::Result<(Expr, bool)>,
    {
        let (e, recurse) = f(self)?;
        if recurse {
            e.map_children(|c| c.transform_down(f))
        } else {
            Ok(e)
        }
    }

    /// Visits every node, parents before children.
    pub fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Expr)) {
        f(self);
        for c in self.children() {
            c.walk(f);
        }
    }

    pub fn any(&self, pred: &mut dyn FnMut(&Expr) -> bool) -> bool {
        let mut found = false;
        self.walk(&mut |e| {
            if !found && pred(e) {
                found = true;
            }
        });
        found
    }

    /// Ids of the columns (not outer columns) this expression reads.
    pub fn column_ids(&self) -> Vec<ColumnId> {
        let mut out = Vec::new();
        self.walk(&mut |e| {
            if let Expr::Column(a) = e {
                if !out.contains(&a.id) {
                    out.push(a.id);
                }
            }
        });
        out
    }

    pub fn contains_aggregate(&self) -> bool {
        self.any(&mut |e| matches!(e, Expr::Aggregate(_)))
    }

    pub fn contains_window(&self) -> bool {
        self.any(&mut |e| matches!(e, Expr::Window(_)))
    }

    pub fn contains_subquery(&self) -> bool {
        self.any(&mut |e| matches!(e, Expr::ScalarSubquery { .. } | Expr::InSubquery { .. } | Expr::Exists { .. }))
    }

    pub fn contains_outer(&self) -> bool {
        self.any(&mut |e| matches!(e, Expr::OuterColumn(_)))
    }

    /// Strips a top-level alias.
    pub fn unalias(&self) -> &Expr {
        match self {
            Expr::Alias { expr, .. } => expr.unalias(),
            e => e,
        }
    }

    pub fn is_literal(&self) -> bool {
        matches!(self, Expr::Literal(_))
    }

    /// Splits a conjunction into its terms.
    pub fn split_conjunction(self) -> Vec<Expr> {
        match self {
            Expr::Binary { op: BinaryOp::And, left, right, .. } => {
                let mut v = left.split_conjunction();
                v.extend(right.split_conjunction());
                v
            }
            e => vec![e],
        }
    }

    /// Joins terms with AND; None for no terms.
    pub fn conjunction(terms: Vec<Expr>) -> Option<Expr> {
        terms.into_iter().reduce(Expr::and)
    }

    pub fn and(a: Expr, b: Expr) -> Expr {
        Expr::Binary {
            op: BinaryOp::And,
            left: Box::new(a),
            right: Box::new(b),
            data_type: DataType::Boolean,
            mode: EvalMode::Ansi,
        }
    }

    pub fn or(a: Expr, b: Expr) -> Expr {
        Expr::Binary {
            op: BinaryOp::Or,
            left: Box::new(a),
            right: Box::new(b),
            data_type: DataType::Boolean,
            mode: EvalMode::Ansi,
        }
    }

    pub fn eq(a: Expr, b: Expr) -> Expr {
        Expr::Binary {
            op: BinaryOp::Eq,
            left: Box::new(a),
            right: Box::new(b),
            data_type: DataType::Boolean,
            mode: EvalMode::Ansi,
        }
    }

    /// Spark's pretty SQL of the expression (`toPrettySQL`), used for the
    /// output names of unaliased expressions: `(a + b)`, `sum(x)`.
    pub fn sql_name(&self) -> String {
        crate::expr_display::pretty_sql(self)
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", crate::expr_display::explain_sql(self))
    }
}
