//! Text that is not a whole statement, as the DataFrame API sends it: one
//! expression (`selectExpr`, `expr`, `filter("a > 1")`), a data type
//! (`cast("int")`, `array<struct<a:int>>`) and a table schema (`a INT, b
//! STRING`, the DDL form of `createDataFrame` and `DataFrameReader.schema`).
//!
//! Expressions go through the query front end (sqlparser with Ember's
//! dialect), so they come out exactly as in a SELECT list. Types are parsed
//! by hand over `lexer` tokens: sqlparser does not know Spark's
//! `struct<a:int>` and `map<k,v>` forms.

use std::sync::Arc;

use arrow_schema::{DataType, Field, Fields, IntervalUnit, TimeUnit};
use ember_core::spec::{ColumnDef, Expr, Statement};
use ember_core::types::{parse_spark_type, MAX_DECIMAL_PRECISION};
use ember_core::{Error, Result};
use sqlparser::ast::{SelectItem, SelectItemQualifiedWildcardKind, WildcardAdditionalOptions};
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Token as SqlToken;

use super::dialect::EmberDialect;
use super::lexer::{self, Tok, Token};
use super::span::Source;
use super::{aggregates, parse_statement, Converter};

/// Parses one expression with an optional alias (`a + 1`, `sum(x) AS s`,
/// `t.*`), as Spark's `parseExpression` does for `selectExpr` and `expr`.
pub fn parse_expression(text: &str) -> Result<Expr> {
    let src = Source::new(text, 0);
    if lexer::tokenize(text).map(|t| t.is_empty()).unwrap_or(false) {
        return Err(Error::parse_syntax("end of input", "").with_span(Some(src.end_span())));
    }
    let dialect = EmberDialect;
    let mut parser = Parser::new(&dialect).try_with_sql(text).map_err(|e| src.syntax_error(&e))?;
    let item = parser.parse_select_item().map_err(|e| src.syntax_error(&e))?;
    let next = parser.peek_token();
    if next.token != SqlToken::EOF {
        let offset = src.local_offset(next.span.start).unwrap_or(0);
        let (token, end) = src.token_at(offset);
        return Err(Error::parse_syntax(&format!("'{token}'"), &format!(": extra input '{token}'"))
            .with_span(Some(src.local_span(offset, end))));
    }
    let conv = Converter { src: src.clone() };
    Ok(match &item {
        SelectItem::UnnamedExpr(e) => conv.expr(e)?,
        SelectItem::ExprWithAlias { expr, alias } => {
            Expr::Alias { expr: Box::new(conv.expr(expr)?), name: alias.value.clone() }
        }
        SelectItem::ExprWithAliases { .. } => return Err(Error::not_implemented("multi-column alias")),
        SelectItem::Wildcard(opts) => {
            check_wildcard_options(opts)?;
            Expr::Star { qualifier: None, span: src.span(opts.wildcard_token.0.span) }
        }
        SelectItem::QualifiedWildcard(kind, opts) => {
            check_wildcard_options(opts)?;
            match kind {
                SelectItemQualifiedWildcardKind::ObjectName(name) => {
                    Expr::Star { qualifier: Some(conv.object_name(name)?), span: src.span_of(name) }
                }
                SelectItemQualifiedWildcardKind::Expr(_) => return Err(Error::not_implemented("SQL expression.*")),
            }
        }
    })
}

fn check_wildcard_options(o: &WildcardAdditionalOptions) -> Result<()> {
    if o.opt_ilike.is_some()
        || o.opt_exclude.is_some()
        || o.opt_except.is_some()
        || o.opt_replace.is_some()
        || o.opt_rename.is_some()
        || o.opt_alias.is_some()
    {
        return Err(Error::not_implemented("SQL wildcard options (EXCEPT/REPLACE/...)"));
    }
    Ok(())
}

/// Parses one statement whose positional parameter markers are numbered in
/// the order they appear: the i-th `?` (from 1) becomes
/// `Expr::Parameter { name: "?i" }`, so that Connect's positional arguments
/// can be bound by name. Markers inside strings, quoted identifiers and
/// comments are left alone.
pub fn parse_statement_with_positional_parameters(text: &str) -> Result<Statement> {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 8);
    let mut n = 0usize;
    let mut i = 0;
    let mut copied = 0;
    while i < b.len() {
        if let Some(end) = lexer::skip_quoted_or_comment(b, i) {
            i = end;
            continue;
        }
        if b[i] == b'?' {
            n += 1;
            out.push_str(&text[copied..=i]);
            out.push_str(&n.to_string());
            copied = i + 1;
        }
        i += 1;
    }
    out.push_str(&text[copied..]);
    parse_statement(&out)
}

/// Whether `name` is one of Spark's aggregate functions (any case).
pub fn is_aggregate_function(name: &str) -> bool {
    aggregates::is_aggregate(&name.to_ascii_lowercase())
}

/// Parses a Spark data type: `int`, `decimal(10,2)`, `array<string>`,
/// `map<string,int>`, `struct<a:int,b string not null>`, `interval day to
/// second`, ...
pub fn parse_data_type(text: &str) -> Result<DataType> {
    let mut c = TypeCursor::new(text)?;
    let t = c.data_type()?;
    c.expect_end()?;
    Ok(t)
}

/// Parses a table schema in DDL form: `a INT, b STRING NOT NULL COMMENT 'x'`.
pub fn parse_table_schema(text: &str) -> Result<Vec<ColumnDef>> {
    let mut c = TypeCursor::new(text)?;
    let mut out = vec![];
    if c.at_end() {
        return Ok(out);
    }
    loop {
        let name = c.ident()?;
        let data_type = c.data_type()?;
        let nullable = c.field_options()?;
        out.push(ColumnDef { name, data_type, nullable });
        if c.at_end() {
            return Ok(out);
        }
        c.expect_punct(',')?;
    }
}

/// A cursor over the tokens of a type or schema string.
struct TypeCursor<'a> {
    text: &'a str,
    toks: Vec<Token>,
    pos: usize,
}

impl<'a> TypeCursor<'a> {
    fn new(text: &'a str) -> Result<TypeCursor<'a>> {
        Ok(TypeCursor { text, toks: lexer::tokenize(text)?, pos: 0 })
    }

    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.pos)
    }

    fn at_end(&self) -> bool {
        self.pos >= self.toks.len()
    }

    fn error(&self) -> Error {
        let src = Source::new(self.text, 0);
        match self.peek() {
            Some(t) => Error::parse_syntax(&format!("'{}'", &self.text[t.start..t.end]), "")
                .with_span(Some(src.local_span(t.start, t.end))),
            None => Error::parse_syntax("end of input", "").with_span(Some(src.end_span())),
        }
    }

    fn expect_end(&self) -> Result<()> {
        match self.peek() {
            None => Ok(()),
            Some(t) => {
                let tok = &self.text[t.start..t.end];
                Err(Error::parse_syntax(&format!("'{tok}'"), &format!(": extra input '{tok}'"))
                    .with_span(Some(Source::new(self.text, 0).local_span(t.start, t.end))))
            }
        }
    }

    fn eat_punct(&mut self, c: char) -> bool {
        let hit = matches!(self.peek(), Some(Token { tok: Tok::Punct(p), .. }) if *p == c);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn expect_punct(&mut self, c: char) -> Result<()> {
        if self.eat_punct(c) {
            Ok(())
        } else {
            Err(self.error())
        }
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        let hit = self.peek().is_some_and(|t| t.is_kw(kw));
        if hit {
            self.pos += 1;
        }
        hit
    }

    /// A column or field name: a word, a backquoted name, or a number-led
    /// word such as `1st`.
    fn ident(&mut self) -> Result<String> {
        let name = match self.peek().map(|t| &t.tok) {
            Some(Tok::Word(w)) | Some(Tok::Quoted(w)) | Some(Tok::Number(w)) => w.clone(),
            _ => return Err(self.error()),
        };
        self.pos += 1;
        Ok(name)
    }

    fn integer(&mut self) -> Result<i64> {
        let v = match self.peek().map(|t| &t.tok) {
            Some(Tok::Number(n)) => n.parse::<i64>().map_err(|_| self.error())?,
            _ => return Err(self.error()),
        };
        self.pos += 1;
        Ok(v)
    }

    /// `[NOT NULL] [COMMENT 'text']` after a field's type; returns nullability.
    fn field_options(&mut self) -> Result<bool> {
        let mut nullable = true;
        loop {
            if self.eat_kw("NOT") {
                if !self.eat_kw("NULL") {
                    return Err(self.error());
                }
                nullable = false;
            } else if self.eat_kw("COMMENT") {
                match self.peek().map(|t| &t.tok) {
                    Some(Tok::Str(_)) => self.pos += 1,
                    _ => return Err(self.error()),
                }
            } else {
                return Ok(nullable);
            }
        }
    }

    fn data_type(&mut self) -> Result<DataType> {
        let start = self.pos;
        let name = match self.peek().map(|t| &t.tok) {
            Some(Tok::Word(w)) => w.to_ascii_lowercase(),
            _ => return Err(self.error()),
        };
        self.pos += 1;
        match name.as_str() {
            "array" => {
                self.expect_punct('<')?;
                let element = self.data_type()?;
                self.expect_punct('>')?;
                Ok(DataType::List(Arc::new(Field::new("element", element, true))))
            }
            "map" => {
                self.expect_punct('<')?;
                let key = self.data_type()?;
                self.expect_punct(',')?;
                let value = self.data_type()?;
                self.expect_punct('>')?;
                Ok(map_type(key, value, true))
            }
            "struct" => {
                self.expect_punct('<')?;
                let mut fields = vec![];
                if !self.eat_punct('>') {
                    loop {
                        let name = self.ident()?;
                        self.eat_punct(':');
                        let t = self.data_type()?;
                        let nullable = self.field_options()?;
                        fields.push(Field::new(name, t, nullable));
                        if self.eat_punct('>') {
                            break;
                        }
                        self.expect_punct(',')?;
                    }
                }
                Ok(DataType::Struct(Fields::from(fields)))
            }
            "interval" => self.interval(),
            _ => {
                let mut params = vec![];
                if self.eat_punct('(') {
                    loop {
                        params.push(self.integer()?);
                        if self.eat_punct(')') {
                            break;
                        }
                        self.expect_punct(',')?;
                    }
                }
                self.simple_type(&name, &params, start)
            }
        }
    }

    fn simple_type(&self, name: &str, params: &[i64], start: usize) -> Result<DataType> {
        let written = || {
            let first = self.toks[start].start;
            let last = self.toks[self.pos - 1].end;
            self.text[first..last].to_string()
        };
        let unsupported = || {
            Error::spark_msg(
                "UNSUPPORTED_DATATYPE",
                "0A000",
                format!("Unsupported data type \"{}\".", written().to_uppercase()),
            )
        };
        match (name, params) {
            ("decimal" | "dec" | "numeric", _) if params.len() <= 2 => {
                let precision = params.first().copied().unwrap_or(10);
                let scale = params.get(1).copied().unwrap_or(0);
                if precision < 1 || precision > MAX_DECIMAL_PRECISION as i64 {
                    return Err(Error::spark_msg(
                        "DECIMAL_PRECISION_EXCEEDS_MAX_PRECISION",
                        "22003",
                        format!("Decimal precision {precision} exceeds max precision {MAX_DECIMAL_PRECISION}."),
                    ));
                }
                if scale < 0 || scale > precision {
                    return Err(unsupported());
                }
                Ok(DataType::Decimal128(precision as u8, scale as i8))
            }
            ("char" | "character" | "varchar", [_]) => Ok(DataType::Utf8),
            (_, []) => parse_spark_type(name).ok_or_else(unsupported),
            _ => Err(unsupported()),
        }
    }

    /// After `INTERVAL`: a year-month or day-time interval type with its
    /// fields, or the calendar interval without.
    fn interval(&mut self) -> Result<DataType> {
        const YEAR_MONTH: [&str; 2] = ["YEAR", "MONTH"];
        const DAY_TIME: [&str; 4] = ["DAY", "HOUR", "MINUTE", "SECOND"];
        let field = |c: &Self| {
            c.peek().and_then(|t| match &t.tok {
                Tok::Word(w) => Some(w.to_ascii_uppercase()),
                _ => None,
            })
        };
        let Some(from) = field(self).filter(|f| YEAR_MONTH.contains(&f.as_str()) || DAY_TIME.contains(&f.as_str()))
        else {
            return Ok(DataType::Interval(IntervalUnit::MonthDayNano));
        };
        self.pos += 1;
        let year_month = YEAR_MONTH.contains(&from.as_str());
        if self.eat_kw("TO") {
            let to = field(self).ok_or_else(|| self.error())?;
            let ok = if year_month {
                from == "YEAR" && to == "MONTH"
            } else {
                let rank = |f: &str| DAY_TIME.iter().position(|x| *x == f);
                matches!((rank(&from), rank(&to)), (Some(a), Some(b)) if b > a)
            };
            if !ok {
                return Err(self.error());
            }
            self.pos += 1;
        }
        Ok(if year_month {
            DataType::Interval(IntervalUnit::YearMonth)
        } else {
            DataType::Duration(TimeUnit::Microsecond)
        })
    }
}

/// Spark's `map<key, value>` as Arrow: a map of `entries` structs whose
/// keys are never NULL.
pub fn map_type(key: DataType, value: DataType, value_nullable: bool) -> DataType {
    let entries = Fields::from(vec![Field::new("key", key, false), Field::new("value", value, value_nullable)]);
    DataType::Map(Arc::new(Field::new("entries", DataType::Struct(entries), false)), false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ember_core::spec::{BinaryOp, Expr};

    #[test]
    fn expressions_with_and_without_alias() {
        let e = parse_expression("a + 1").unwrap();
        assert!(matches!(e, Expr::Binary { op: BinaryOp::Plus, .. }));
        match parse_expression("sum(x) AS total").unwrap() {
            Expr::Alias { expr, name } => {
                assert_eq!(name, "total");
                assert!(matches!(*expr, Expr::Function { ref name, .. } if name == "sum"));
            }
            other => panic!("{other:?}"),
        }
        match parse_expression("b c").unwrap() {
            Expr::Alias { name, .. } => assert_eq!(name, "c"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(parse_expression("t.*").unwrap(), Expr::Star { qualifier: Some(q), .. } if q == ["t"]));
        assert!(matches!(parse_expression("*").unwrap(), Expr::Star { qualifier: None, .. }));
    }

    #[test]
    fn expression_errors_are_parse_errors() {
        for text in ["", "   ", "a +", "a b c", "(a"] {
            let e = parse_expression(text).unwrap_err();
            assert_eq!(e.error_class(), Some("PARSE_SYNTAX_ERROR"), "{text:?}: {e}");
        }
    }

    #[test]
    fn data_types() {
        assert_eq!(parse_data_type("INT").unwrap(), DataType::Int32);
        assert_eq!(parse_data_type("bigint").unwrap(), DataType::Int64);
        assert_eq!(parse_data_type("decimal(10, 2)").unwrap(), DataType::Decimal128(10, 2));
        assert_eq!(parse_data_type("decimal").unwrap(), DataType::Decimal128(10, 0));
        assert_eq!(parse_data_type("varchar(3)").unwrap(), DataType::Utf8);
        assert_eq!(
            parse_data_type("array<string>").unwrap(),
            DataType::List(Arc::new(Field::new("element", DataType::Utf8, true)))
        );
        assert_eq!(parse_data_type("map<string,int>").unwrap(), map_type(DataType::Utf8, DataType::Int32, true));
        let s = parse_data_type("struct<a:int, `b c` string NOT NULL COMMENT 'x', d array<map<int,int>>>").unwrap();
        let DataType::Struct(fields) = s else { panic!() };
        assert_eq!(fields.len(), 3);
        assert_eq!(fields[1].name(), "b c");
        assert!(!fields[1].is_nullable());
        assert_eq!(parse_data_type("struct<>").unwrap(), DataType::Struct(Fields::empty()));
        assert_eq!(parse_data_type("interval day to second").unwrap(), DataType::Duration(TimeUnit::Microsecond));
        assert_eq!(parse_data_type("interval year").unwrap(), DataType::Interval(IntervalUnit::YearMonth));
        assert_eq!(parse_data_type("interval").unwrap(), DataType::Interval(IntervalUnit::MonthDayNano));
    }

    #[test]
    fn data_type_errors() {
        let e = parse_data_type("foo").unwrap_err();
        assert_eq!(e.error_class(), Some("UNSUPPORTED_DATATYPE"));
        assert!(e.to_string().contains("\"FOO\""), "{e}");
        assert_eq!(parse_data_type("array<int").unwrap_err().error_class(), Some("PARSE_SYNTAX_ERROR"));
        assert_eq!(parse_data_type("int int").unwrap_err().error_class(), Some("PARSE_SYNTAX_ERROR"));
        assert_eq!(parse_data_type("interval second to day").unwrap_err().error_class(), Some("PARSE_SYNTAX_ERROR"));
        assert_eq!(
            parse_data_type("decimal(40,2)").unwrap_err().error_class(),
            Some("DECIMAL_PRECISION_EXCEEDS_MAX_PRECISION")
        );
    }

    #[test]
    fn table_schemas() {
        let cols = parse_table_schema("a INT, b STRING NOT NULL, `c d` array<bigint> COMMENT 'x'").unwrap();
        let names: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "c d"]);
        assert_eq!(cols[0].data_type, DataType::Int32);
        assert!(cols[0].nullable && !cols[1].nullable);
        assert!(parse_table_schema("").unwrap().is_empty());
        assert!(parse_table_schema("int").is_err());
        assert!(parse_table_schema("a int,").is_err());
    }

    #[test]
    fn positional_parameters_are_numbered_in_text_order() {
        let Statement::Query(plan) =
            parse_statement_with_positional_parameters("SELECT ?, '?' AS q FROM t WHERE a = ? -- ?").unwrap()
        else {
            panic!()
        };
        let text = format!("{plan:?}");
        assert!(text.contains("name: \"?1\"") && text.contains("name: \"?2\""), "{text}");
        assert!(!text.contains("\"?3\""), "{text}");
    }

    #[test]
    fn aggregate_names() {
        assert!(is_aggregate_function("SUM") && is_aggregate_function("count"));
        assert!(!is_aggregate_function("abs"));
    }
}
