//! SQL text -> `spec::Statement`, through sqlparser. The sqlparser AST never
//! leaves this module.

use ember_core::spec::Statement;
use ember_core::{Error, Result};

/// Parses one or more `;`-separated statements.
pub fn parse_sql(text: &str) -> Result<Vec<Statement>> {
    let _ = text;
    Err(Error::not_implemented("SQL front end"))
}

/// Parses exactly one statement.
pub fn parse_statement(text: &str) -> Result<Statement> {
    let mut v = parse_sql(text)?;
    match v.len() {
        1 => Ok(v.remove(0)),
        0 => Err(Error::spark("PARSE_EMPTY_STATEMENT", &[])),
        _ => Err(Error::parse_syntax("';'", "")),
    }
}
