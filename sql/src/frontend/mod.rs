//! SQL text -> `spec::Statement`, through sqlparser. The sqlparser AST never
//! leaves this module.
//!
//! A script is split at top-level `;` (`lexer`); each statement is either a
//! query, parsed by sqlparser with a Spark dialect (`dialect`) and converted
//! (`query`, `expr`, `literal`), or a Spark command parsed by hand
//! (`spark_ddl`). Every span is a byte range of the original text (`span`).

mod aggregates;
mod dialect;
mod expr;
mod lambda;
mod lexer;
mod literal;
mod query;
mod span;
mod spark_ddl;
mod standalone;
mod statement;
mod window;

#[cfg(test)]
mod tests;

use ember_core::spec::Statement;
use ember_core::{Error, Result};

use span::Source;
pub use standalone::{
    is_aggregate_function, map_type, parse_data_type, parse_expression, parse_statement_with_positional_parameters,
    parse_table_schema,
};

/// Converts sqlparser's AST of one statement into `spec`, knowing the
/// statement's text for spans.
pub(crate) struct Converter<'a> {
    src: Source<'a>,
}

/// Parses one or more `;`-separated statements; empty statements (only
/// whitespace or comments) are skipped, so a blank script gives no
/// statements.
pub fn parse_sql(text: &str) -> Result<Vec<Statement>> {
    lexer::split_statements(text)
        .into_iter()
        .map(|(start, end)| statement::statement(&Source::new(&text[start..end], start)))
        .collect()
}

/// Parses exactly one statement (a trailing `;` is allowed). Blank input
/// is `PARSE_EMPTY_STATEMENT`.
pub fn parse_statement(text: &str) -> Result<Statement> {
    let ranges = lexer::split_statements(text);
    match ranges.as_slice() {
        [] => Err(Error::spark("PARSE_EMPTY_STATEMENT", &[])),
        [(start, end)] => statement::statement(&Source::new(&text[*start..*end], *start)),
        [_, (start, end), ..] => {
            // Spark reports the start of the second statement
            let src = Source::new(text, 0);
            let piece = &text[*start..*end];
            let at = start + (piece.len() - piece.trim_start().len());
            let (token, tend) = src.token_at(at);
            Err(Error::parse_syntax(&format!("'{token}'"), &format!(": extra input '{token}'"))
                .with_span(Some(src.local_span(at, tend))))
        }
    }
}
