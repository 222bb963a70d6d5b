//! The one public error type of Ember.
//!
//! User-facing errors carry Spark's error class, SQLSTATE and message
//! parameters, so that every front door (shell, Spark Connect, Python) can
//! present them the way Spark does. The message text is rendered from a small
//! table of Spark's message templates (`spark_message_template`).

use std::fmt;

/// A byte range in the SQL text a statement came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
    pub fn union(self, other: Span) -> Span {
        Span { start: self.start.min(other.start), end: self.end.max(other.end) }
    }
}

/// An error with a Spark error class (`UNRESOLVED_COLUMN.WITH_SUGGESTION`, ...).
#[derive(Debug, Clone, PartialEq)]
pub struct SparkError {
    pub error_class: String,
    pub sql_state: String,
    /// Message parameters in the order Spark's template names them.
    pub parameters: Vec<(String, String)>,
    /// Rendered message, without the `[CLASS]` prefix.
    pub message: String,
    /// Where in the SQL text the problem is, when known.
    pub span: Option<Span>,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A user error that Spark reports with an error class.
    #[error("{}", render_spark(.0))]
    Spark(Box<SparkError>),
    /// The query needed more memory than `ember.memory_limit` allows.
    #[error("resources exhausted: {0}")]
    ResourcesExhausted(String),
    /// A file could not be read, written or decoded.
    #[error("{path}: {message}")]
    File { path: String, message: String },
    /// A feature Spark has that Ember does not (yet).
    #[error("not implemented: {0}")]
    NotImplemented(String),
    /// The query was cancelled.
    #[error("query cancelled")]
    Cancelled,
    /// An error inside Arrow kernels that is not attributable to user input.
    #[error("arrow error: {0}")]
    Arrow(#[from] arrow_schema::ArrowError),
    #[error("io error: {0}")]
    Io(#[from] std::io::Error),
    /// A bug in Ember.
    #[error("internal error: {0}. This is a bug in Ember")]
    Internal(String),
}

fn render_spark(e: &SparkError) -> String {
    format!("[{}] {}", e.error_class, e.message)
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Builds a Spark error from its class and named parameters, rendering the
    /// message from Spark's template when Ember knows it.
    pub fn spark(class: &str, params: &[(&str, String)]) -> Error {
        let parameters: Vec<(String, String)> = params.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        let (sql_state, template) = spark_message_template(class);
        let message = match template {
            Some(t) => fill_template(t, &parameters),
            None => parameters.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(", "),
        };
        Error::Spark(Box::new(SparkError {
            error_class: class.to_string(),
            sql_state: sql_state.to_string(),
            parameters,
            message,
            span: None,
        }))
    }

    /// A Spark error whose message is given directly (for classes whose
    /// template Ember does not keep).
    pub fn spark_msg(class: &str, sql_state: &str, message: impl Into<String>) -> Error {
        Error::Spark(Box::new(SparkError {
            error_class: class.to_string(),
            sql_state: sql_state.to_string(),
            parameters: vec![],
            message: message.into(),
            span: None,
        }))
    }

    pub fn internal(msg: impl Into<String>) -> Error {
        Error::Internal(msg.into())
    }

    pub fn not_implemented(msg: impl Into<String>) -> Error {
        Error::NotImplemented(msg.into())
    }

    pub fn file(path: impl fmt::Display, message: impl fmt::Display) -> Error {
        Error::File { path: path.to_string(), message: message.to_string() }
    }

    /// Attaches a span if the error has none yet.
    pub fn with_span(mut self, span: Option<Span>) -> Error {
        if let (Error::Spark(e), Some(s)) = (&mut self, span) {
            if e.span.is_none() {
                e.span = Some(s);
            }
        }
        self
    }

    pub fn span(&self) -> Option<Span> {
        match self {
            Error::Spark(e) => e.span,
            _ => None,
        }
    }

    pub fn error_class(&self) -> Option<&str> {
        match self {
            Error::Spark(e) => Some(&e.error_class),
            Error::ResourcesExhausted(_) => Some("RESOURCES_EXHAUSTED"),
            _ => None,
        }
    }

    pub fn sql_state(&self) -> Option<&str> {
        match self {
            Error::Spark(e) => Some(&e.sql_state),
            _ => None,
        }
    }

    /// The parse error Spark raises for bad syntax.
    pub fn parse_syntax(error: &str, hint: &str) -> Error {
        Error::spark("PARSE_SYNTAX_ERROR", &[("error", error.to_string()), ("hint", hint.to_string())])
    }

    pub fn unresolved_column(name: &str, suggestions: &[String]) -> Error {
        if suggestions.is_empty() {
            Error::spark("UNRESOLVED_COLUMN.WITHOUT_SUGGESTION", &[("objectName", quote_ident(name))])
        } else {
            let list = suggestions.iter().map(|s| quote_ident_path(s)).collect::<Vec<_>>().join(", ");
            Error::spark("UNRESOLVED_COLUMN.WITH_SUGGESTION", &[("objectName", quote_ident(name)), ("proposal", list)])
        }
    }

    pub fn table_not_found(name: &str) -> Error {
        Error::spark("TABLE_OR_VIEW_NOT_FOUND", &[("relationName", quote_ident_path(name))])
    }

    pub fn divide_by_zero() -> Error {
        Error::spark("DIVIDE_BY_ZERO", &[("config", "\"spark.sql.ansi.enabled\"".to_string())])
    }

    pub fn arithmetic_overflow(message: &str) -> Error {
        Error::spark(
            "ARITHMETIC_OVERFLOW",
            &[
                ("message", message.to_string()),
                ("alternative", " Use 'try_add' to tolerate overflow and return NULL instead.".to_string()),
                ("config", "\"spark.sql.ansi.enabled\"".to_string()),
            ],
        )
    }

    /// `CAST_INVALID_INPUT`: a string that is not a valid value of the target type.
    pub fn cast_invalid_input(value: &str, source_type: &str, target_type: &str) -> Error {
        Error::spark(
            "CAST_INVALID_INPUT",
            &[
                ("expression", format!("'{value}'")),
                ("sourceType", format!("\"{}\"", source_type.to_uppercase())),
                ("targetType", format!("\"{}\"", target_type.to_uppercase())),
                ("ansiConfig", "\"spark.sql.ansi.enabled\"".to_string()),
            ],
        )
    }

    pub fn cast_overflow(value: &str, source_type: &str, target_type: &str) -> Error {
        Error::spark(
            "CAST_OVERFLOW",
            &[
                ("value", value.to_string()),
                ("sourceType", format!("\"{}\"", source_type.to_uppercase())),
                ("targetType", format!("\"{}\"", target_type.to_uppercase())),
                ("ansiConfig", "\"spark.sql.ansi.enabled\"".to_string()),
            ],
        )
    }

    pub fn numeric_value_out_of_range(value: &str, precision: u8, scale: i8) -> Error {
        Error::spark(
            "NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION",
            &[
                ("value", value.to_string()),
                ("precision", precision.to_string()),
                ("scale", scale.to_string()),
                ("config", "\"spark.sql.ansi.enabled\"".to_string()),
            ],
        )
    }
}

impl From<parquet::errors::ParquetError> for Error {
    fn from(e: parquet::errors::ParquetError) -> Self {
        Error::File { path: "parquet".to_string(), message: e.to_string() }
    }
}

/// Spark quotes identifiers in messages with backticks: `a`.`b`.
pub fn quote_ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// Quotes each dot-separated part: `t`.`c`.
pub fn quote_ident_path(name: &str) -> String {
    name.split('.').map(quote_ident).collect::<Vec<_>>().join(".")
}

fn fill_template(template: &str, params: &[(String, String)]) -> String {
    let mut out = template.to_string();
    for (k, v) in params {
        out = out.replace(&format!("<{k}>"), v);
    }
    out
}

/// SQLSTATE and message template of the Spark error classes Ember raises.
/// Templates are Spark's (error-conditions.json), with `<param>` placeholders.
pub fn spark_message_template(class: &str) -> (&'static str, Option<&'static str>) {
    match class {
        "PARSE_SYNTAX_ERROR" => ("42601", Some("Syntax error at or near <error><hint>.")),
        "PARSE_EMPTY_STATEMENT" => ("42617", Some("Syntax error, unexpected empty statement.")),
        "UNRESOLVED_COLUMN.WITH_SUGGESTION" => (
            "42703",
            Some("A column, variable, or function parameter with name <objectName> cannot be resolved. Did you mean one of the following? [<proposal>]."),
        ),
        "UNRESOLVED_COLUMN.WITHOUT_SUGGESTION" => (
            "42703",
            Some("A column, variable, or function parameter with name <objectName> cannot be resolved."),
        ),
        "TABLE_OR_VIEW_NOT_FOUND" => (
            "42P01",
            Some("The table or view <relationName> cannot be found. Verify the spelling and correctness of the schema and catalog.\nIf you did not qualify the name with a schema, verify the current_schema() output, or qualify the name with the correct schema and catalog.\nTo tolerate the error on drop use DROP VIEW IF EXISTS or DROP TABLE IF EXISTS."),
        ),
        "TABLE_OR_VIEW_ALREADY_EXISTS" => (
            "42P07",
            Some("Cannot create table or view <relationName> because it already exists.\nChoose a different name, drop or replace the existing object, or add the IF NOT EXISTS clause to tolerate pre-existing objects."),
        ),
        "TEMP_TABLE_OR_VIEW_ALREADY_EXISTS" => (
            "42P07",
            Some("Cannot create the temporary view <relationName> because it already exists.\nChoose a different name, drop or replace the existing view,  or add the IF NOT EXISTS clause to tolerate pre-existing views."),
        ),
        "UNRESOLVED_ROUTINE" => (
            "42883",
            Some("Cannot resolve routine <routineName> on search path <searchPath>."),
        ),
        "DIVIDE_BY_ZERO" => (
            "22012",
            Some("Division by zero. Use `try_divide` to tolerate divisor being 0 and return NULL instead. If necessary set <config> to \"false\" to bypass this error."),
        ),
        "ARITHMETIC_OVERFLOW" => (
            "22003",
            Some("<message>.<alternative> If necessary set <config> to \"false\" to bypass this error."),
        ),
        "CAST_INVALID_INPUT" => (
            "22018",
            Some("The value <expression> of the type <sourceType> cannot be cast to <targetType> because it is malformed. Correct the value as per the syntax, or change its target type. Use `try_cast` to tolerate malformed input and return NULL instead. If necessary set <ansiConfig> to \"false\" to bypass this error."),
        ),
        "CAST_OVERFLOW" => (
            "22003",
            Some("The value <value> of the type <sourceType> cannot be cast to <targetType> due to an overflow. Use `try_cast` to tolerate overflow and return NULL instead. If necessary set <ansiConfig> to \"false\" to bypass this error."),
        ),
        "NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION" => (
            "22003",
            Some("<value> cannot be represented as Decimal(<precision>, <scale>). If necessary set <config> to \"false\" to bypass this error, and return NULL instead."),
        ),
        "DATATYPE_MISMATCH.BINARY_OP_DIFF_TYPES" => (
            "42K09",
            Some("Cannot resolve <sqlExpr> due to data type mismatch: the left and right operands of the binary operator have incompatible types (<left> and <right>)."),
        ),
        "DATATYPE_MISMATCH.BINARY_OP_WRONG_TYPE" => (
            "42K09",
            Some("Cannot resolve <sqlExpr> due to data type mismatch: the binary operator requires the input type <inputType>, not <actualDataType>."),
        ),
        "DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE" => (
            "42K09",
            Some("Cannot resolve <sqlExpr> due to data type mismatch: the <paramIndex> parameter requires the <requiredType> type, however <inputSql> has the type <inputType>."),
        ),
        "DATATYPE_MISMATCH.DATA_DIFF_TYPES" => (
            "42K09",
            Some("Cannot resolve <sqlExpr> due to data type mismatch: input to <functionName> should all be the same type, but it's <dataType>."),
        ),
        "DATATYPE_MISMATCH.CAST_WITHOUT_SUGGESTION" => (
            "42K09",
            Some("Cannot resolve <sqlExpr> due to data type mismatch: cannot cast <srcType> to <targetType>."),
        ),
        "DATATYPE_MISMATCH.FILTER_NOT_BOOLEAN" => (
            "42K09",
            Some("Cannot resolve <sqlExpr> due to data type mismatch: filter expression <filter> of type <type> is not a boolean."),
        ),
        "WRONG_NUM_ARGS.WITHOUT_SUGGESTION" => (
            "42605",
            Some("The <functionName> requires <expectedNum> parameters but the actual number is <actualNum>. Please, refer to '<docroot>/sql-ref-functions.html' for a fix."),
        ),
        "MISSING_AGGREGATION" => (
            "42803",
            Some("The non-aggregating expression <expression> is based on columns which are not participating in the GROUP BY clause.\nAdd the columns or the expression to the GROUP BY, aggregate the expression, or use <expressionAnyValue> if you do not care which of the values within a group is returned."),
        ),
        "MISSING_GROUP_BY" => (
            "42803",
            Some("The query does not include a GROUP BY clause. Add GROUP BY or turn it into the window functions using OVER clauses."),
        ),
        "GROUP_BY_POS_OUT_OF_RANGE" => (
            "42805",
            Some("GROUP BY position <index> is not in select list (valid range is [1, <size>])."),
        ),
        "ORDER_BY_POS_OUT_OF_RANGE" => (
            "42805",
            Some("ORDER BY position <index> is not in select list (valid range is [1, <size>])."),
        ),
        "GROUP_BY_AGGREGATE" => (
            "42903",
            Some("Aggregate functions are not allowed in GROUP BY, but found <sqlExpr>."),
        ),
        "NESTED_AGGREGATE_FUNCTION" => (
            "42607",
            Some("It is not allowed to use an aggregate function in the argument of another aggregate function. Please use the inner aggregate function in a sub-query."),
        ),
        "AMBIGUOUS_REFERENCE" => (
            "42704",
            Some("Reference <name> is ambiguous, could be: <referenceNames>."),
        ),
        "NUM_COLUMNS_MISMATCH" => (
            "42826",
            Some("<operator> can only be performed on inputs with the same number of columns, but the first input has <firstNumColumns> columns and the <invalidOrdinalNum> input has <invalidNumColumns> columns."),
        ),
        "INCOMPATIBLE_COLUMN_TYPE" => (
            "42825",
            Some("<operator> can only be performed on tables with compatible column types. The <columnOrdinalNumber> column of the <tableOrdinalNumber> table is <dataType1> type which is not compatible with <dataType2> at the same column of the first table.<hint>."),
        ),
        "PATH_NOT_FOUND" => ("42K03", Some("Path does not exist: <path>.")),
        "UNSUPPORTED_DATA_SOURCE_FOR_DIRECT_QUERY" => (
            "0A000",
            Some("The direct query on files does not support the data source type: <dataSourceType>. Please try a different data source type or consider using Delta Lake."),
        ),
        "INVALID_FRACTION_OF_SECOND" => ("22023", Some("Valid range for seconds is [0, 60] (inclusive), but the provided value is <secAndMicros>. To avoid this error, use `try_make_timestamp`, which returns NULL on error.")),
        "SCALAR_SUBQUERY_TOO_MANY_ROWS" => (
            "21000",
            Some("More than one row returned by a subquery used as an expression."),
        ),
        "INVALID_SUBQUERY_EXPRESSION.SCALAR_SUBQUERY_RETURN_MORE_THAN_ONE_OUTPUT_COLUMN" => (
            "42823",
            Some("Invalid subquery: Scalar subquery must return only one column, but got <number>."),
        ),
        "INVALID_ARRAY_INDEX" => (
            "22003",
            Some("The index <indexValue> is out of bounds. The array has <arraySize> elements. Use the SQL function `get()` to tolerate accessing element at invalid index and return NULL instead. If necessary set <ansiConfig> to \"false\" to bypass this error."),
        ),
        "UNSUPPORTED_FEATURE" => ("0A000", Some("The feature is not supported: <feature>.")),
        "INVALID_SQL_SYNTAX" => ("42000", Some("Invalid SQL syntax: <inputString>")),
        "LIMIT_LIKE_EXPRESSION_NOT_FOLDABLE" | "INVALID_LIMIT_LIKE_EXPRESSION.IS_NEGATIVE" => (
            "42K0E",
            Some("The limit like expression <expr> is invalid. The <name> expression must be equal to or greater than 0, but got <v>."),
        ),
        "DIVIDE_BY_ZERO_INTERVAL" | "INTERVAL_DIVIDED_BY_ZERO" => ("22012", Some("Division by zero. Use `try_divide` to tolerate divisor being 0 and return NULL instead.")),
        "INVALID_FORMAT" => ("42601", Some("The format is invalid: <format>.")),
        "RESOURCES_EXHAUSTED" => ("53200", Some("<message>")),
        _ => ("XX000", None),
    }
}
