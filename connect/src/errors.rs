//! Ember errors as Spark Connect errors.
//!
//! PySpark decides which exception to raise from the `google.rpc.ErrorInfo`
//! in the status details: `metadata.classes` lists Java class names, most
//! specific first, and the client raises the first one it knows
//! (`AnalysisException`, `ParseException`, `ArithmeticException`, ...).
//! `errorClass`, `sqlState` and `messageParameters` become the exception's
//! `getCondition()`, `getSqlState()` and `getMessageParameters()`.

use std::collections::HashMap;

use ember_core::error::SparkError;
use ember_core::Error;
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

/// gRPC metadata is limited to 16 KiB in total; the message goes there too.
const MAX_MESSAGE_BYTES: usize = 8 * 1024;

/// The status PySpark turns into the matching Spark exception.
pub fn to_status(error: &Error) -> Status {
    match error {
        Error::Spark(e) => spark_status(e),
        Error::NotImplemented(what) => {
            let message = format!("[UNSUPPORTED_FEATURE] Ember does not support {what} yet");
            with_info(
                Code::Unimplemented,
                message,
                &["org.apache.spark.SparkUnsupportedOperationException", "java.lang.UnsupportedOperationException"],
                Some(("UNSUPPORTED_FEATURE", "0A000")),
                HashMap::new(),
            )
        }
        Error::Cancelled => with_info(
            Code::Cancelled,
            "[OPERATION_CANCELED] Operation has been canceled.".to_string(),
            &["org.apache.spark.SparkException"],
            Some(("OPERATION_CANCELED", "HY008")),
            HashMap::new(),
        ),
        Error::ResourcesExhausted(detail) => with_info(
            Code::ResourceExhausted,
            format!("resources exhausted: {detail}"),
            &["org.apache.spark.memory.SparkOutOfMemoryError", "java.lang.OutOfMemoryError"],
            None,
            HashMap::new(),
        ),
        Error::File { .. } | Error::Io(_) => with_info(
            Code::Internal,
            error.to_string(),
            &["org.apache.spark.SparkException", "java.io.IOException"],
            None,
            HashMap::new(),
        ),
        Error::Arrow(_) | Error::Internal(_) => {
            with_info(Code::Internal, error.to_string(), &["org.apache.spark.SparkException"], None, HashMap::new())
        }
    }
}

/// A request the server cannot act on (missing fields, unknown enum values).
pub fn invalid_plan(message: impl Into<String>) -> Status {
    let message = message.into();
    with_info(
        Code::InvalidArgument,
        format!("[INVALID_PLAN_INPUT] {message}"),
        &["org.apache.spark.sql.connect.common.InvalidPlanInput"],
        None,
        HashMap::new(),
    )
}

fn spark_status(e: &SparkError) -> Status {
    let classes = java_classes(&e.error_class, &e.sql_state);
    let params: HashMap<String, String> = e.parameters.iter().cloned().collect();
    let mut message = format!("[{}] {}", e.error_class, e.message);
    if !e.sql_state.is_empty() {
        message.push_str(&format!(" SQLSTATE: {}", e.sql_state));
    }
    with_info(Code::Internal, message, classes, Some((&e.error_class, &e.sql_state)), params)
}

/// The Java exception classes Spark raises for an error, most specific first,
/// decided as Spark does by where the error comes from: its SQLSTATE class
/// and a few well-known error classes.
fn java_classes(error_class: &str, sql_state: &str) -> &'static [&'static str] {
    const ANALYSIS: &[&str] = &["org.apache.spark.sql.AnalysisException"];
    const PARSE: &[&str] =
        &["org.apache.spark.sql.catalyst.parser.ParseException", "org.apache.spark.sql.AnalysisException"];
    const ARITHMETIC: &[&str] = &["org.apache.spark.SparkArithmeticException", "java.lang.ArithmeticException"];
    const NUMBER_FORMAT: &[&str] = &[
        "org.apache.spark.SparkNumberFormatException",
        "java.lang.NumberFormatException",
        "java.lang.IllegalArgumentException",
    ];
    const DATE_TIME: &[&str] = &["org.apache.spark.SparkDateTimeException", "java.time.DateTimeException"];
    const ILLEGAL_ARGUMENT: &[&str] =
        &["org.apache.spark.SparkIllegalArgumentException", "java.lang.IllegalArgumentException"];
    const UNSUPPORTED: &[&str] =
        &["org.apache.spark.SparkUnsupportedOperationException", "java.lang.UnsupportedOperationException"];
    const ARRAY_INDEX: &[&str] =
        &["org.apache.spark.SparkArrayIndexOutOfBoundsException", "java.lang.ArrayIndexOutOfBoundsException"];
    const NO_SUCH_ELEMENT: &[&str] =
        &["org.apache.spark.SparkNoSuchElementException", "java.util.NoSuchElementException"];
    const INVALID_PLAN: &[&str] = &["org.apache.spark.sql.connect.common.InvalidPlanInput"];
    const RUNTIME: &[&str] = &["org.apache.spark.SparkRuntimeException", "java.lang.RuntimeException"];

    if error_class.starts_with("PARSE_") || sql_state == "42601" || sql_state == "42617" {
        return PARSE;
    }
    if error_class == "INVALID_PLAN_INPUT" {
        return INVALID_PLAN;
    }
    if error_class == "SQL_CONF_NOT_FOUND" {
        return NO_SUCH_ELEMENT;
    }
    if error_class.starts_with("INVALID_ARRAY_INDEX") {
        return ARRAY_INDEX;
    }
    match sql_state.get(..2) {
        Some("42") | Some("0A") if !error_class.starts_with("UNSUPPORTED_FEATURE") => ANALYSIS,
        Some("0A") => UNSUPPORTED,
        _ => match error_class {
            c if c == "CAST_INVALID_INPUT" || c.starts_with("CAST_INVALID_INPUT") => NUMBER_FORMAT,
            "DIVIDE_BY_ZERO"
            | "INTERVAL_DIVIDED_BY_ZERO"
            | "ARITHMETIC_OVERFLOW"
            | "CAST_OVERFLOW"
            | "CAST_OVERFLOW_IN_TABLE_INSERT"
            | "BINARY_ARITHMETIC_OVERFLOW" => ARITHMETIC,
            c if c.starts_with("NUMERIC_VALUE_OUT_OF_RANGE") || c.starts_with("DATETIME_OVERFLOW") => ARITHMETIC,
            c if c.starts_with("DATETIME_") || c.starts_with("INVALID_DATETIME") || c == "CANNOT_PARSE_TIMESTAMP" => {
                DATE_TIME
            }
            _ if sql_state == "22023" => ILLEGAL_ARGUMENT,
            _ if sql_state.starts_with("22") => RUNTIME,
            _ => RUNTIME,
        },
    }
}

fn with_info(
    code: Code,
    message: String,
    classes: &[&str],
    class_and_state: Option<(&str, &str)>,
    params: HashMap<String, String>,
) -> Status {
    let message = truncate_middle(&message, MAX_MESSAGE_BYTES);
    let mut metadata = HashMap::new();
    let class_list = serde_json::Value::Array(classes.iter().map(|c| serde_json::Value::from(*c)).collect());
    metadata.insert("classes".to_string(), class_list.to_string());
    if let Some((class, state)) = class_and_state {
        metadata.insert("errorClass".to_string(), class.to_string());
        if !state.is_empty() {
            metadata.insert("sqlState".to_string(), state.to_string());
        }
    }
    if !params.is_empty() {
        let object: serde_json::Map<String, serde_json::Value> =
            params.into_iter().map(|(k, v)| (truncate_middle(&k, 512), serde_json::Value::from(v))).collect();
        let text = serde_json::Value::Object(object).to_string();
        if text.len() <= MAX_MESSAGE_BYTES / 2 {
            metadata.insert("messageParameters".to_string(), text);
        }
    }
    let reason = classes.first().copied().unwrap_or("org.apache.spark.SparkException");
    let details = ErrorDetails::with_error_info(reason, "org.apache.spark", metadata);
    Status::with_error_details(code, message, details)
}

/// Keeps the start and the end of a long message (where Spark puts the error
/// class and the SQLSTATE), cutting out the middle.
fn truncate_middle(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let half = max / 2;
    let mut head = half;
    while !text.is_char_boundary(head) {
        head -= 1;
    }
    let mut tail = text.len() - half;
    while !text.is_char_boundary(tail) {
        tail += 1;
    }
    format!("{} ... {}", &text[..head], &text[tail..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(status: &Status) -> tonic_types::ErrorInfo {
        status.get_details_error_info().expect("error info")
    }

    #[test]
    fn analysis_errors_carry_class_state_and_parameters() {
        let status = to_status(&Error::table_not_found("nope"));
        assert_eq!(status.code(), Code::Internal);
        assert!(status.message().starts_with("[TABLE_OR_VIEW_NOT_FOUND] The table or view `nope`"));
        assert!(status.message().ends_with("SQLSTATE: 42P01"));
        let info = info(&status);
        assert_eq!(info.reason, "org.apache.spark.sql.AnalysisException");
        assert_eq!(info.domain, "org.apache.spark");
        assert_eq!(info.metadata["errorClass"], "TABLE_OR_VIEW_NOT_FOUND");
        assert_eq!(info.metadata["sqlState"], "42P01");
        assert_eq!(info.metadata["classes"], r#"["org.apache.spark.sql.AnalysisException"]"#);
        let params: serde_json::Value = serde_json::from_str(&info.metadata["messageParameters"]).unwrap();
        assert_eq!(params["relationName"], "`nope`");
    }

    #[test]
    fn runtime_errors_map_to_java_exception_families() {
        let classes = |e: Error| info(&to_status(&e)).metadata["classes"].clone();
        assert!(classes(Error::parse_syntax("'x'", ""))
            .starts_with(r#"["org.apache.spark.sql.catalyst.parser.ParseException""#));
        assert!(classes(Error::divide_by_zero()).contains("java.lang.ArithmeticException"));
        assert!(classes(Error::cast_invalid_input("a", "string", "int")).contains("java.lang.NumberFormatException"));
        assert!(classes(Error::arithmetic_overflow("x")).contains("java.lang.ArithmeticException"));
        let unsupported = to_status(&Error::not_implemented("window functions"));
        assert_eq!(unsupported.code(), Code::Unimplemented);
        assert!(info(&unsupported).metadata["classes"].contains("UnsupportedOperationException"));
    }

    #[test]
    fn long_messages_keep_both_ends() {
        let long = format!("[X] {} SQLSTATE: 42000", "y".repeat(100_000));
        let cut = truncate_middle(&long, 1000);
        assert!(cut.len() < 1100);
        assert!(cut.starts_with("[X] y"));
        assert!(cut.ends_with("SQLSTATE: 42000"));
    }
}
