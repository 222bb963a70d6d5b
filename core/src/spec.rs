//! The unresolved plan: what the SQL front end and the Spark Connect
//! translator produce, and what the analyzer resolves into a `LogicalPlan`.
//!
//! It mirrors Spark's parsed (unresolved) logical plan: names are not yet
//! bound, types are not known, functions are looked up by name. Every
//! expression may carry the `Span` of the SQL text it came from, so that the
//! analyzer can point at the problem.

use arrow_schema::DataType;

use crate::error::Span;
use crate::scalar::ScalarValue;

/// A possibly qualified name, e.g. `db.table` or `t.col`, as written.
pub type ObjectName = Vec<String>;

/// A statement of the session: a query, or a command.
#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    Query(Plan),
    /// `CREATE [OR REPLACE] [TEMPORARY] VIEW name [(cols)] AS query`
    CreateView {
        name: ObjectName,
        columns: Vec<String>,
        query: Plan,
        replace: bool,
        temporary: bool,
        if_not_exists: bool,
        /// the view's SQL text, kept for DESCRIBE / SHOW CREATE
        sql: String,
    },
    /// `CREATE [OR REPLACE] TEMPORARY VIEW name [(schema)] USING fmt OPTIONS (...)`
    /// and `CREATE TABLE name [(schema)] USING fmt [OPTIONS (...)] [LOCATION path]`
    CreateDataSource {
        name: ObjectName,
        format: String,
        /// option keys are lowercased; `path` holds the location
        options: Vec<(String, String)>,
        schema: Option<Vec<ColumnDef>>,
        /// `PARTITIONED BY (cols)`: column names of `schema`
        partition_by: Vec<String>,
        replace: bool,
        temporary: bool,
        if_not_exists: bool,
    },
    /// `CREATE TABLE name USING fmt [PARTITIONED BY (cols)] AS query`
    /// (writes the result)
    CreateTableAs {
        name: ObjectName,
        format: String,
        options: Vec<(String, String)>,
        partition_by: Vec<String>,
        query: Plan,
        replace: bool,
        if_not_exists: bool,
    },
    /// `INSERT INTO|OVERWRITE [TABLE] name [PARTITION (p = v, q)] [(cols)] query`
    Insert {
        name: ObjectName,
        /// the target columns the query's columns go to, in order; empty:
        /// all columns in table order
        columns: Vec<String>,
        /// `PARTITION (p = v, q)`: static values (literals), or None for a
        /// dynamic partition column the query provides
        partition: Vec<(String, Option<Expr>)>,
        query: Plan,
        overwrite: bool,
    },
    /// `TRUNCATE TABLE name`
    Truncate {
        name: ObjectName,
    },
    /// `INSERT OVERWRITE [LOCAL] DIRECTORY 'path' USING fmt [OPTIONS (...)] query`
    InsertDirectory {
        path: String,
        format: String,
        options: Vec<(String, String)>,
        query: Plan,
    },
    /// `SHOW CREATE TABLE name [AS SERDE]`
    ShowCreateTable {
        name: ObjectName,
    },
    Drop {
        name: ObjectName,
        kind: DropKind,
        if_exists: bool,
    },
    ShowTables {
        pattern: Option<String>,
    },
    ShowColumns {
        table: ObjectName,
    },
    ShowFunctions,
    /// `DESCRIBE [TABLE] name` / `DESCRIBE QUERY q`
    Describe {
        target: DescribeTarget,
        extended: bool,
    },
    /// `SET key=value`; `SET key` (value None) shows one; `SET` shows all
    Set {
        key: Option<String>,
        value: Option<String>,
    },
    Reset {
        key: Option<String>,
    },
    Explain {
        statement: Box<Statement>,
        mode: ExplainMode,
    },
    /// `CACHE TABLE`, `UNCACHE TABLE`, `REFRESH TABLE`, `USE db`: accepted, no effect yet
    NoOp {
        what: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum DescribeTarget {
    Table(ObjectName),
    Query(Box<Plan>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropKind {
    View,
    Table,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExplainMode {
    /// physical plan only (Spark's default)
    Simple,
    /// parsed, analyzed, optimized and physical plans
    Extended,
    /// run the query and report per-operator figures
    Analyze,
    Formatted,
    Codegen,
    Cost,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ColumnDef {
    pub name: String,
    pub data_type: DataType,
    pub nullable: bool,
}

/// An unresolved relation.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// A name to look up in the catalog (a table, view or CTE).
    Relation {
        name: ObjectName,
        span: Option<Span>,
    },
    /// Files read directly: `parquet.`/path`` or a Connect `Read` of a data source.
    ReadFiles {
        format: String,
        paths: Vec<String>,
        options: Vec<(String, String)>,
        schema: Option<Vec<ColumnDef>>,
    },
    /// `VALUES (..), (..)`; column names default to `col1`, `col2`, ...
    Values {
        rows: Vec<Vec<Expr>>,
    },
    /// `range(start, end, step)` (Spark's table-valued function; column `id`)
    Range {
        start: i64,
        end: i64,
        step: i64,
    },
    /// Data already in memory (Connect's LocalRelation).
    LocalRelation {
        batches: Vec<arrow_array::RecordBatch>,
        schema: arrow_schema::SchemaRef,
    },
    /// `SELECT list FROM input` without aggregation.
    Project {
        input: Box<Plan>,
        exprs: Vec<Expr>,
    },
    Filter {
        input: Box<Plan>,
        condition: Expr,
    },
    /// `SELECT list FROM input GROUP BY keys`, or a SELECT whose list holds
    /// aggregate functions (keys empty). `exprs` is the SELECT list.
    Aggregate {
        input: Box<Plan>,
        group_by: Vec<Expr>,
        exprs: Vec<Expr>,
        grouping: GroupingKind,
    },
    /// HAVING over an `Aggregate`: may refer to aggregates not in the SELECT list.
    Having {
        input: Box<Plan>,
        condition: Expr,
    },
    /// ORDER BY; may refer to columns of the input of the SELECT that
    /// are not in the SELECT list (Spark resolves those through the child).
    Sort {
        input: Box<Plan>,
        order: Vec<SortExpr>,
    },
    Limit {
        input: Box<Plan>,
        limit: Expr,
    },
    Offset {
        input: Box<Plan>,
        offset: Expr,
    },
    /// `SELECT DISTINCT`
    Distinct {
        input: Box<Plan>,
    },
    Join {
        left: Box<Plan>,
        right: Box<Plan>,
        join_type: JoinType,
        criteria: JoinCriteria,
    },
    /// `input AS alias (c1, c2, ...)`
    SubqueryAlias {
        input: Box<Plan>,
        alias: String,
        columns: Vec<String>,
    },
    SetOperation {
        left: Box<Plan>,
        right: Box<Plan>,
        op: SetOp,
        all: bool,
        by_name: bool,
        allow_missing: bool,
    },
    /// `WITH name AS (...), ... query`
    With {
        ctes: Vec<(String, Vec<String>, Plan)>,
        input: Box<Plan>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupingKind {
    /// plain GROUP BY
    GroupBy,
    Rollup,
    Cube,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JoinType {
    Inner,
    LeftOuter,
    RightOuter,
    FullOuter,
    LeftSemi,
    LeftAnti,
    Cross,
    /// Right rows with a partner on the left; only the optimizer makes
    /// these (a LEFT SEMI with its inputs swapped, to build the small side).
    RightSemi,
    /// Right rows without a partner on the left (optimizer only).
    RightAnti,
}

#[derive(Debug, Clone, PartialEq)]
pub enum JoinCriteria {
    None,
    On(Expr),
    Using(Vec<String>),
    Natural,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetOp {
    Union,
    Intersect,
    Except,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SortExpr {
    pub expr: Expr,
    pub ascending: bool,
    /// None: Spark's default (NULLS FIRST for ASC, NULLS LAST for DESC)
    pub nulls_first: Option<bool>,
}

/// An unresolved expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `a`, `t.a`; parts as written
    Column {
        name: ObjectName,
        span: Option<Span>,
    },
    /// `*` or `t.*`
    Star {
        qualifier: Option<ObjectName>,
        span: Option<Span>,
    },
    Literal {
        value: ScalarValue,
        span: Option<Span>,
    },
    Alias {
        expr: Box<Expr>,
        name: String,
    },
    /// A function by name, including operators Spark treats as functions
    /// (`concat`, `substring`, `year`, `date_add`, ...). Aggregates too.
    Function {
        name: String,
        args: Vec<Expr>,
        distinct: bool,
        span: Option<Span>,
    },
    Binary {
        op: BinaryOp,
        left: Box<Expr>,
        right: Box<Expr>,
        span: Option<Span>,
    },
    Not {
        expr: Box<Expr>,
        span: Option<Span>,
    },
    Negative {
        expr: Box<Expr>,
        span: Option<Span>,
    },
    IsNull {
        expr: Box<Expr>,
        negated: bool,
    },
    /// `IS [NOT] TRUE|FALSE|UNKNOWN`
    IsBool {
        expr: Box<Expr>,
        value: Option<bool>,
        negated: bool,
    },
    Cast {
        expr: Box<Expr>,
        to: DataType,
        mode: CastMode,
        span: Option<Span>,
    },
    /// `CASE [operand] WHEN .. THEN .. ELSE .. END`
    Case {
        operand: Option<Box<Expr>>,
        branches: Vec<(Expr, Expr)>,
        else_expr: Option<Box<Expr>>,
        span: Option<Span>,
    },
    Between {
        expr: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
        negated: bool,
    },
    InList {
        expr: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    InSubquery {
        expr: Box<Expr>,
        subquery: Box<Plan>,
        negated: bool,
        span: Option<Span>,
    },
    Exists {
        subquery: Box<Plan>,
        negated: bool,
    },
    ScalarSubquery {
        subquery: Box<Plan>,
        span: Option<Span>,
    },
    /// `LIKE` / `ILIKE` / `RLIKE`
    Like {
        expr: Box<Expr>,
        pattern: Box<Expr>,
        negated: bool,
        kind: LikeKind,
        escape: Option<char>,
    },
    /// `EXTRACT(field FROM expr)`; field lowercased
    Extract {
        field: String,
        expr: Box<Expr>,
        span: Option<Span>,
    },
    /// A placeholder `?` or `:name` (Connect / parameterized SQL)
    Parameter {
        name: String,
    },
    /// `function OVER (PARTITION BY .. ORDER BY .. frame)`. `function` is a
    /// `Function`: an aggregate or a window function (`row_number`, `rank`,
    /// `lag`, ...). `frame` None is Spark's default frame, which depends on
    /// the function and on ORDER BY.
    Window {
        function: Box<Expr>,
        partition_by: Vec<Expr>,
        order_by: Vec<SortExpr>,
        frame: Option<WindowFrame>,
        span: Option<Span>,
    },
    /// `x -> body`, `(x, i) -> body`: a lambda function, valid only as an
    /// argument of a higher-order function (`transform`, `filter`, ...).
    /// Inside `body` a parameter is an ordinary `Column` with its name;
    /// the analyzer binds those names before looking at columns (Spark's
    /// lambda variables shadow columns). Connect's
    /// `UnresolvedNamedLambdaVariable` becomes such a `Column` too.
    Lambda {
        params: Vec<String>,
        body: Box<Expr>,
        span: Option<Span>,
    },
}

/// Spark's frame types: `ROWS` counts rows, `RANGE` compares ORDER BY values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrameUnits {
    Rows,
    Range,
}

/// `ROWS|RANGE BETWEEN start AND end` (the short form `ROWS start` has
/// `end` CURRENT ROW).
#[derive(Debug, Clone, PartialEq)]
pub struct WindowFrame {
    pub units: FrameUnits,
    pub start: FrameBound,
    pub end: FrameBound,
}

/// One end of a frame, as written.
#[derive(Debug, Clone, PartialEq)]
pub enum FrameBound {
    UnboundedPreceding,
    /// `n PRECEDING`
    Preceding(Box<Expr>),
    CurrentRow,
    /// `n FOLLOWING`; also a signed offset (Connect's `rowsBetween(-1, 1)`
    /// sends `-1`, which Spark names `-1 FOLLOWING`)
    Following(Box<Expr>),
    UnboundedFollowing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CastMode {
    /// `CAST` / `::`: ANSI or legacy according to `spark.sql.ansi.enabled`
    Default,
    /// `try_cast`: NULL on failure
    Try,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LikeKind {
    Like,
    ILike,
    RLike,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Plus,
    Minus,
    Multiply,
    Divide,
    /// `div`: integral division
    IntDivide,
    Modulo,
    Eq,
    /// `<=>`
    EqNullSafe,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    And,
    Or,
    BitAnd,
    BitOr,
    BitXor,
    /// `||`
    Concat,
}

impl BinaryOp {
    /// The operator as Spark prints it in expression names.
    pub fn symbol(&self) -> &'static str {
        match self {
            BinaryOp::Plus => "+",
            BinaryOp::Minus => "-",
            BinaryOp::Multiply => "*",
            BinaryOp::Divide => "/",
            BinaryOp::IntDivide => "div",
            BinaryOp::Modulo => "%",
            BinaryOp::Eq => "=",
            BinaryOp::EqNullSafe => "<=>",
            BinaryOp::NotEq => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::LtEq => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::GtEq => ">=",
            BinaryOp::And => "AND",
            BinaryOp::Or => "OR",
            BinaryOp::BitAnd => "&",
            BinaryOp::BitOr => "|",
            BinaryOp::BitXor => "^",
            BinaryOp::Concat => "||",
        }
    }

    pub fn is_comparison(&self) -> bool {
        matches!(
            self,
            BinaryOp::Eq
                | BinaryOp::EqNullSafe
                | BinaryOp::NotEq
                | BinaryOp::Lt
                | BinaryOp::LtEq
                | BinaryOp::Gt
                | BinaryOp::GtEq
        )
    }

    pub fn is_arithmetic(&self) -> bool {
        matches!(
            self,
            BinaryOp::Plus
                | BinaryOp::Minus
                | BinaryOp::Multiply
                | BinaryOp::Divide
                | BinaryOp::IntDivide
                | BinaryOp::Modulo
        )
    }
}

impl Expr {
    pub fn span(&self) -> Option<Span> {
        match self {
            Expr::Column { span, .. }
            | Expr::Star { span, .. }
            | Expr::Literal { span, .. }
            | Expr::Function { span, .. }
            | Expr::Binary { span, .. }
            | Expr::Not { span, .. }
            | Expr::Negative { span, .. }
            | Expr::Cast { span, .. }
            | Expr::Case { span, .. }
            | Expr::InSubquery { span, .. }
            | Expr::ScalarSubquery { span, .. }
            | Expr::Extract { span, .. }
            | Expr::Window { span, .. }
            | Expr::Lambda { span, .. } => *span,
            Expr::Alias { expr, .. } | Expr::IsNull { expr, .. } | Expr::IsBool { expr, .. } => expr.span(),
            Expr::Between { expr, high, .. } => match (expr.span(), high.span()) {
                (Some(a), Some(b)) => Some(a.union(b)),
                (a, b) => a.or(b),
            },
            Expr::InList { expr, .. } | Expr::Like { expr, .. } => expr.span(),
            _ => None,
        }
    }

    pub fn col(name: &str) -> Expr {
        Expr::Column { name: vec![name.to_string()], span: None }
    }

    pub fn lit(value: ScalarValue) -> Expr {
        Expr::Literal { value, span: None }
    }

    /// `function OVER (PARTITION BY partition_by ORDER BY order_by frame)`;
    /// `frame` None for Spark's default.
    pub fn window(
        function: Expr,
        partition_by: Vec<Expr>,
        order_by: Vec<SortExpr>,
        frame: Option<WindowFrame>,
    ) -> Expr {
        Expr::Window { function: Box::new(function), partition_by, order_by, frame, span: None }
    }
}

/// What a write does when its destination already holds data (Spark's
/// `SaveMode`; `error` / `errorifexists` / `default` is the default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SaveMode {
    /// Add new files next to the existing ones.
    Append,
    /// Replace what is there.
    Overwrite,
    /// Fail with `PATH_ALREADY_EXISTS` (or the table error).
    #[default]
    ErrorIfExists,
    /// Do nothing, without running the query.
    Ignore,
}

impl SaveMode {
    /// Spark's mode names, case-insensitive: `append`, `overwrite`,
    /// `error` / `errorifexists` / `default`, `ignore`.
    pub fn parse(name: &str) -> Option<SaveMode> {
        match name.trim().to_ascii_lowercase().as_str() {
            "append" => Some(SaveMode::Append),
            "overwrite" => Some(SaveMode::Overwrite),
            "error" | "errorifexists" | "default" => Some(SaveMode::ErrorIfExists),
            "ignore" => Some(SaveMode::Ignore),
            _ => None,
        }
    }
}

/// Where and how `DataFrame.write` stores a query's result: files under
/// `path`, or a table of the session catalog (`saveAsTable`, `insertInto`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WriteTarget {
    /// `parquet`, `csv`, `json`, `text`; None: `spark.sql.sources.default` (parquet)
    pub format: Option<String>,
    pub path: Option<String>,
    pub table: Option<ObjectName>,
    pub mode: SaveMode,
    /// writer options (`header`, `sep`, `compression`, ...), keys as given
    pub options: Vec<(String, String)>,
    /// Hive-style partition columns (`col=value` folders)
    pub partition_by: Vec<String>,
    /// `insertInto`: the columns go to an existing table by position
    /// (`saveAsTable` appends by name)
    pub insert_into: bool,
}
