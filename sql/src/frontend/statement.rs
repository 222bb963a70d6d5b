//! One statement: queries go through sqlparser; Spark's commands are parsed
//! by hand (`spark_ddl.rs`) because sqlparser does not know their Spark
//! forms; anything else sqlparser accepts is reported as not implemented.

use ember_core::spec::{Plan, Statement};
use ember_core::{Error, Result};
use sqlparser::ast::SetExpr;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Token;

use super::dialect::EmberDialect;
use super::lexer::{self, Tok};
use super::span::Source;
use super::spark_ddl;
use super::Converter;

/// Words that start a query.
const QUERY_STARTS: [&str; 5] = ["SELECT", "WITH", "VALUES", "FROM", "TABLE"];

/// Whether a statement starting with this token is a query.
pub(crate) fn starts_query(t: &lexer::Token) -> bool {
    match &t.tok {
        Tok::Word(w) => QUERY_STARTS.iter().any(|k| w.eq_ignore_ascii_case(k)),
        Tok::Punct('(') => true,
        _ => false,
    }
}

pub(crate) fn statement(src: &Source) -> Result<Statement> {
    let tokens = match lexer::tokenize(src.text) {
        Ok(t) => t,
        // an unterminated quote: let sqlparser report it with its position
        Err(_) => return Err(sqlparser_fallback(src)),
    };
    if let Some(text) = expand_identifier_clauses(src.text, &tokens)? {
        return statement(&Source::new(&text, src.base));
    }
    let Some(first) = tokens.first() else {
        return Err(Error::spark("PARSE_EMPTY_STATEMENT", &[]));
    };
    if starts_query(first) {
        return Ok(Statement::Query(parse_query(src)?));
    }
    if let Some(stmt) = spark_ddl::command(src, tokens)? {
        return Ok(stmt);
    }
    Err(sqlparser_fallback(src))
}

/// The text with every `IDENTIFIER('a' || 'b')` whose argument is string
/// literals (joined by `||`) replaced by the name it spells, backquoted part
/// by part (`IDENTIFIER('db.' || 't')` is `` `db`.`t` ``), as Spark's
/// identifier clause reads it; None when there is none. Spans past a
/// replacement shift by the difference in length.
fn expand_identifier_clauses(text: &str, tokens: &[lexer::Token]) -> Result<Option<String>> {
    let mut out = String::new();
    let mut copied = 0;
    let mut i = 0;
    while i < tokens.len() {
        let is_clause =
            tokens[i].is_kw("IDENTIFIER") && matches!(tokens.get(i + 1).map(|t| &t.tok), Some(Tok::Punct('(')));
        if !is_clause {
            i += 1;
            continue;
        }
        // 'a' [|| 'b' ...] )
        let mut name = String::new();
        let mut j = i + 2;
        let mut closed = None;
        while let Some(Tok::Str(s)) = tokens.get(j).map(|t| &t.tok) {
            name.push_str(s);
            j += 1;
            match (tokens.get(j).map(|t| &t.tok), tokens.get(j + 1).map(|t| &t.tok)) {
                (Some(Tok::Punct(')')), _) => {
                    closed = Some(j);
                    break;
                }
                (Some(Tok::Punct('|')), Some(Tok::Punct('|'))) if tokens[j].end == tokens[j + 1].start => j += 2,
                _ => break,
            }
        }
        let Some(end) = closed else {
            i += 1;
            continue;
        };
        out.push_str(&text[copied..tokens[i].start]);
        out.push_str(&quoted_name_parts(&name)?);
        copied = tokens[end].end;
        i = end + 1;
    }
    if copied == 0 {
        return Ok(None);
    }
    out.push_str(&text[copied..]);
    Ok(Some(out))
}

/// A multi-part name (`a.b`, `` `a.b`.c ``) as backquoted parts. Spark
/// parses the string as an identifier: an empty one is an empty statement,
/// an unquoted part must be a plain word.
fn quoted_name_parts(name: &str) -> Result<String> {
    if name.trim().is_empty() {
        return Err(Error::spark("PARSE_EMPTY_STATEMENT", &[]));
    }
    let mut parts = vec![];
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '`' if quoted && chars.peek() == Some(&'`') => {
                chars.next();
                cur.push('`');
            }
            '`' => quoted = !quoted,
            '.' if !quoted => parts.push(std::mem::take(&mut cur)),
            c if quoted || c.is_alphanumeric() || c == '_' => cur.push(c),
            c => {
                let shown = name[name.find(c).unwrap_or(0)..].split_whitespace().next().unwrap_or("");
                return Err(Error::parse_syntax(&format!("'{shown}'"), ": extra input"));
            }
        }
    }
    parts.push(cur);
    Ok(parts.iter().map(|p| format!("`{}`", p.replace('`', "``"))).collect::<Vec<_>>().join("."))
}

/// A statement Ember does not parse itself: a syntax error where sqlparser
/// finds one, otherwise not implemented.
fn sqlparser_fallback(src: &Source) -> Error {
    let dialect = EmberDialect;
    let parsed = Parser::new(&dialect).try_with_sql(src.text).and_then(|mut p| p.parse_statement());
    match parsed {
        Err(e) => src.syntax_error(&e),
        Ok(_) => {
            // the first two words, past any leading comment
            let head: Vec<String> = lexer::tokenize(src.text)
                .unwrap_or_default()
                .iter()
                .take(2)
                .map(|t| src.text[t.start..t.end].to_uppercase())
                .collect();
            Error::not_implemented(format!("statement {}", head.join(" ")))
        }
    }
}

/// A whole query text (SELECT, WITH, VALUES, set operations, ...).
pub(crate) fn parse_query(src: &Source) -> Result<Plan> {
    let dialect = EmberDialect;
    let mut parser = Parser::new(&dialect).try_with_sql(src.text).map_err(|e| src.syntax_error(&e))?;
    let q = parser.parse_query().map_err(|e| src.syntax_error(&e))?;
    // Spark's inline table takes an alias even as a whole query:
    // `VALUES (1, 2) AS t(a, b)` (in CTAS, INSERT, CREATE VIEW, ...)
    let alias = match q.body.as_ref() {
        SetExpr::Values(_) if q.order_by.is_none() && q.limit_clause.is_none() && q.with.is_none() => {
            parser.maybe_parse_table_alias().map_err(|e| src.syntax_error(&e))?
        }
        _ => None,
    };
    let next = parser.peek_token();
    if next.token != Token::EOF {
        let offset = src.local_offset(next.span.start).unwrap_or(0);
        let (token, end) = src.token_at(offset);
        return Err(Error::parse_syntax(&format!("'{token}'"), &format!(": extra input '{token}'"))
            .with_span(Some(src.local_span(offset, end))));
    }
    let plan = Converter { src: src.clone() }.query(&q)?;
    Ok(match alias {
        Some(a) => Plan::SubqueryAlias {
            input: Box::new(plan),
            alias: a.name.value.clone(),
            columns: a.columns.iter().map(|c| c.name.value.clone()).collect(),
        },
        None => plan,
    })
}
