//! Spark errors raised by kernels whose templates `ember_core` does not keep,
//! and thin wrappers that fill Spark's parameters for the ones it does.

use ember_core::{Error, SparkError};

/// A Spark error with its template rendered here.
pub fn spark_error(class: &str, sql_state: &str, template: &str, params: &[(&str, String)]) -> Error {
    let mut message = template.to_string();
    for (k, v) in params {
        message = message.replace(&format!("<{k}>"), v);
    }
    Error::Spark(Box::new(SparkError {
        error_class: class.to_string(),
        sql_state: sql_state.to_string(),
        parameters: params.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
        message,
        span: None,
    }))
}

/// `ARITHMETIC_OVERFLOW` with the `try_*` function Spark suggests (`hint`
/// empty: no suggestion, as for unary minus).
pub fn arithmetic_overflow(message: &str, hint: &str) -> Error {
    let alternative = if hint.is_empty() {
        String::new()
    } else {
        format!(" Use '{hint}' to tolerate overflow and return NULL instead.")
    };
    Error::spark(
        "ARITHMETIC_OVERFLOW",
        &[
            ("message", message.to_string()),
            ("alternative", alternative),
            ("config", "\"spark.sql.ansi.enabled\"".to_string()),
        ],
    )
}

/// `BINARY_ARITHMETIC_OVERFLOW`, raised for tinyint/smallint arithmetic.
pub fn binary_arithmetic_overflow(v1: &str, symbol: &str, v2: &str, function: &str) -> Error {
    spark_error(
        "BINARY_ARITHMETIC_OVERFLOW",
        "22003",
        "<value1> <symbol> <value2> caused overflow. Use <functionName> to ignore overflow problem and return NULL.",
        &[
            ("value1", v1.to_string()),
            ("symbol", symbol.to_string()),
            ("value2", v2.to_string()),
            ("functionName", format!("`{function}`")),
        ],
    )
}

/// `INVALID_FORMAT.ESC_IN_THE_MIDDLE` / `ESC_AT_THE_END` for LIKE patterns.
pub fn like_escape_error(pattern: &str, next: Option<char>) -> Error {
    match next {
        Some(c) => spark_error(
            "INVALID_FORMAT.ESC_IN_THE_MIDDLE",
            "42601",
            "The format is invalid: <format>. The escape character is not allowed to precede <char>.",
            &[("format", format!("'{pattern}'")), ("char", format!("'{c}'"))],
        ),
        None => spark_error(
            "INVALID_FORMAT.ESC_AT_THE_END",
            "42601",
            "The format is invalid: <format>. The escape character is not allowed to end with.",
            &[("format", format!("'{pattern}'"))],
        ),
    }
}

/// `INVALID_PARAMETER_VALUE.PATTERN`: a regular expression that does not compile.
pub fn invalid_regex(function: &str, pattern: &str) -> Error {
    spark_error(
        "INVALID_PARAMETER_VALUE.PATTERN",
        "22023",
        "The value of parameter(s) <parameter> in <functionName> is invalid: <value>.",
        &[
            ("parameter", "`regexp`".to_string()),
            ("functionName", format!("`{function}`")),
            ("value", format!("'{pattern}'")),
        ],
    )
}

/// `INVALID_PARAMETER_VALUE` for other function arguments.
pub fn invalid_parameter(function: &str, parameter: &str, detail: &str) -> Error {
    spark_error(
        "INVALID_PARAMETER_VALUE",
        "22023",
        "The value of parameter(s) <parameter> in <functionName> is invalid: <detail>.",
        &[
            ("parameter", format!("`{parameter}`")),
            ("functionName", format!("`{function}`")),
            ("detail", detail.to_string()),
        ],
    )
}
