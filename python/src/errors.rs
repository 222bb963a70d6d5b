//! Ember errors as Python exceptions.
//!
//! Every engine error becomes `ember.EmberError` (or its subclass
//! `ember.QueryCancelled`). The message reads like Spark's:
//! `[ERROR_CLASS] message SQLSTATE: xxxxx`, followed by the part of the SQL
//! text at fault when the error knows where it is (Spark's query context:
//! `== SQL (line 1, position 8) ==`, the line, and `^^^` under the fragment).
//! The exception carries `error_class`, `sql_state` and `message_parameters`
//! (None, None and {} when the error has no Spark class).

use ember_core::{Error, Span};
use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyDict;

create_exception!(
    ember,
    EmberError,
    PyException,
    "An error raised by Ember. `error_class` and `sql_state` hold Spark's error class and SQLSTATE \
     (None when the error has none); `message_parameters` the parameters of Spark's message."
);
create_exception!(
    ember,
    QueryCancelled,
    EmberError,
    "The query was cancelled by `Connection.interrupt()` (error class OPERATION_CANCELED)."
);

/// Adds the exception classes to the module, with class-level defaults for
/// the attributes every instance gets.
pub fn register(py: Python<'_>, m: &Bound<'_, PyModule>) -> PyResult<()> {
    let base = py.get_type::<EmberError>();
    base.setattr("error_class", py.None())?;
    base.setattr("sql_state", py.None())?;
    base.setattr("message_parameters", PyDict::new(py))?;
    m.add("EmberError", base)?;
    m.add("QueryCancelled", py.get_type::<QueryCancelled>())?;
    Ok(())
}

/// The Spark-shaped parts of an error: class, SQLSTATE, parameters, message.
struct Parts {
    class: Option<String>,
    sql_state: Option<String>,
    parameters: Vec<(String, String)>,
    message: String,
}

fn parts(err: &Error) -> Parts {
    match err {
        Error::Spark(e) => {
            let mut message = format!("[{}] {}", e.error_class, e.message);
            if !e.sql_state.is_empty() {
                message.push_str(&format!(" SQLSTATE: {}", e.sql_state));
            }
            Parts {
                class: Some(e.error_class.clone()),
                sql_state: (!e.sql_state.is_empty()).then(|| e.sql_state.clone()),
                parameters: e.parameters.clone(),
                message,
            }
        }
        // the same words the Connect server uses, so both front doors agree
        Error::NotImplemented(what) => Parts {
            class: Some("UNSUPPORTED_FEATURE".into()),
            sql_state: Some("0A000".into()),
            parameters: vec![],
            message: format!("[UNSUPPORTED_FEATURE] Ember does not support {what} yet SQLSTATE: 0A000"),
        },
        Error::Cancelled => Parts {
            class: Some("OPERATION_CANCELED".into()),
            sql_state: Some("HY008".into()),
            parameters: vec![],
            message: "[OPERATION_CANCELED] Operation has been canceled. SQLSTATE: HY008".into(),
        },
        other => Parts {
            class: other.error_class().map(str::to_string),
            sql_state: other.sql_state().map(str::to_string),
            parameters: vec![],
            message: other.to_string(),
        },
    }
}

/// The Python exception for an engine error; `sql` is the statement text the
/// error's span points into, when there is one.
pub fn to_py_err(py: Python<'_>, err: &Error, sql: Option<&str>) -> PyErr {
    let Parts { class, sql_state, parameters, mut message } = parts(err);
    if let (Some(span), Some(sql)) = (err.span(), sql) {
        if let Some(context) = query_context(sql, span) {
            message.push('\n');
            message.push_str(&context);
        }
    }
    let exception = match err {
        Error::Cancelled => QueryCancelled::new_err(message),
        _ => EmberError::new_err(message),
    };
    let value = exception.value(py);
    let params = PyDict::new(py);
    let filled = parameters.iter().try_for_each(|(k, v)| params.set_item(k, v)).and_then(|_| {
        value.setattr("error_class", class)?;
        value.setattr("sql_state", sql_state)?;
        value.setattr("message_parameters", params)
    });
    // setting attributes on a fresh exception cannot fail short of running out of memory
    match filled {
        Ok(()) => exception,
        Err(e) => e,
    }
}

/// Spark's query context: `== SQL (line L, position P) ==`, the line the
/// fragment starts on, and carets under the fragment (up to the line's end).
/// Positions count characters from 1. None when the span is not in `sql`.
pub fn query_context(sql: &str, span: Span) -> Option<String> {
    if span.start > sql.len() || !sql.is_char_boundary(span.start) {
        return None;
    }
    let line_start = sql[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = sql[span.start..].find('\n').map_or(sql.len(), |i| span.start + i);
    let line = sql[line_start..line_end].trim_end_matches('\r');
    let line_no = sql[..span.start].matches('\n').count() + 1;
    let column = sql[line_start..span.start].chars().count();
    let end = span.end.clamp(span.start, line_start + line.len());
    let width = sql.get(span.start..end).map_or(1, |f| f.chars().count()).max(1);
    Some(format!(
        "== SQL (line {line_no}, position {}) ==\n{line}\n{}{}",
        column + 1,
        " ".repeat(column),
        "^".repeat(width)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_marks_the_fragment() {
        let c = query_context("SELECT x FROM range(3)", Span::new(7, 8)).unwrap();
        assert_eq!(c, "== SQL (line 1, position 8) ==\nSELECT x FROM range(3)\n       ^");
    }

    #[test]
    fn context_on_a_later_line_stops_at_the_line_end() {
        let sql = "SELECT 1\nFROM nope AS t\nWHERE 1 = 1";
        let start = sql.find("nope").unwrap();
        let c = query_context(sql, Span::new(start, sql.len())).unwrap();
        assert_eq!(c, "== SQL (line 2, position 6) ==\nFROM nope AS t\n     ^^^^^^^^^");
    }

    #[test]
    fn context_counts_characters_not_bytes() {
        let sql = "SELECT 'é', y";
        let start = sql.find('y').unwrap();
        let c = query_context(sql, Span::new(start, start + 1)).unwrap();
        assert_eq!(c, "== SQL (line 1, position 13) ==\nSELECT 'é', y\n            ^");
    }

    #[test]
    fn spans_outside_the_text_give_no_context() {
        assert!(query_context("SELECT 1", Span::new(100, 200)).is_none());
        // inside a multi-byte character
        assert!(query_context("é", Span::new(1, 2)).is_none());
    }

    #[test]
    fn messages_carry_class_and_sql_state() {
        let e = Error::spark("UNRESOLVED_COLUMN.WITH_SUGGESTION", &[("objectName", "`x`".into())]);
        let p = parts(&e);
        assert_eq!(p.class.as_deref(), Some("UNRESOLVED_COLUMN.WITH_SUGGESTION"));
        assert!(p.message.starts_with("[UNRESOLVED_COLUMN.WITH_SUGGESTION] "), "{}", p.message);
        assert!(p.message.ends_with(&format!("SQLSTATE: {}", p.sql_state.unwrap())), "{}", p.message);
        let c = parts(&Error::Cancelled);
        assert_eq!((c.class.as_deref(), c.sql_state.as_deref()), (Some("OPERATION_CANCELED"), Some("HY008")));
        let i = parts(&Error::internal("boom"));
        assert_eq!((i.class, i.sql_state), (None, None));
    }
}
