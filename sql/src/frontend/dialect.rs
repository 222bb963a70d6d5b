//! Ember's sqlparser dialect: Spark SQL as sqlparser's `SparkSqlDialect`
//! understands it, plus the Spark lexical rules it lacks.
//!
//! Two Spark literal forms cannot be expressed through dialect flags, so
//! `parse_prefix` handles them and encodes the result in ordinary AST nodes
//! that `literal.rs` decodes again:
//! - numeric suffixes (`10L`, `1.5BD`, `2Y`): the suffix is glued to the
//!   number text of an `ast::Value::Number` (`"10L"`), which sqlparser never
//!   produces itself;
//! - Spark's interval grammar (`INTERVAL 1 YEAR 2 MONTHS`, `INTERVAL '1-2'
//!   YEAR TO MONTH`, `INTERVAL '1 day'`): see [`encode_interval`].

use std::any::TypeId;

use sqlparser::ast::{
    BinaryOperator, DataType, DateTimeField, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArgumentList,
    FunctionArguments, Ident, Interval, ObjectName, TrimWhereField, TypedString, Value,
};
use sqlparser::dialect::{Dialect, Precedence, SparkSqlDialect};
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Span, Token};

/// Spark SQL for sqlparser; delegates to `SparkSqlDialect` and adds
/// backslash escapes, numeric suffixes, Spark intervals and Spark's
/// precedence of `||`.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct EmberDialect;

/// Numeric literal suffixes of Spark, longest first.
pub(crate) const NUMERIC_SUFFIXES: [&str; 6] = ["BD", "L", "S", "Y", "D", "F"];

/// Marker of an interval encoded by [`encode_interval`].
pub(crate) const INTERVAL_MARKER: &str = "\u{0}ember_interval";

impl Dialect for EmberDialect {
    // Present ourselves as Spark to sqlparser's dialect checks.
    fn dialect(&self) -> TypeId {
        TypeId::of::<SparkSqlDialect>()
    }
    fn is_delimited_identifier_start(&self, ch: char) -> bool {
        SparkSqlDialect.is_delimited_identifier_start(ch)
    }
    fn identifier_quote_style(&self, identifier: &str) -> Option<char> {
        SparkSqlDialect.identifier_quote_style(identifier)
    }
    fn is_identifier_start(&self, ch: char) -> bool {
        SparkSqlDialect.is_identifier_start(ch)
    }
    fn is_identifier_part(&self, ch: char) -> bool {
        SparkSqlDialect.is_identifier_part(ch)
    }
    fn supports_string_literal_backslash_escape(&self) -> bool {
        true
    }
    fn supports_filter_during_aggregation(&self) -> bool {
        true
    }
    fn supports_group_by_expr(&self) -> bool {
        true
    }
    fn supports_group_by_with_modifier(&self) -> bool {
        true
    }
    fn supports_lambda_functions(&self) -> bool {
        true
    }
    fn supports_struct_literal(&self) -> bool {
        true
    }
    fn supports_nested_comments(&self) -> bool {
        true
    }
    fn supports_long_type_as_bigint(&self) -> bool {
        true
    }
    fn supports_values_as_table_factor(&self) -> bool {
        true
    }
    fn require_interval_qualifier(&self) -> bool {
        true
    }
    fn supports_bang_not_operator(&self) -> bool {
        true
    }
    fn supports_cte_without_as(&self) -> bool {
        true
    }
    fn supports_map_literal_with_angle_brackets(&self) -> bool {
        true
    }
    // the fields of `INTERVAL YEAR TO MONTH` and co. as a type
    fn supports_interval_options(&self) -> bool {
        true
    }

    fn parse_prefix(&self, parser: &mut Parser) -> Option<Result<Expr, ParserError>> {
        if let Some(e) = super::lambda::parse_exists_function(parser) {
            return Some(e);
        }
        if let Some(e) = parse_suffixed_number(parser) {
            return Some(Ok(e));
        }
        if matches!(&parser.peek_token_ref().token, Token::Word(w) if w.keyword == Keyword::INTERVAL) {
            return parse_spark_interval(parser);
        }
        if matches!(&parser.peek_token_ref().token, Token::Word(w) if w.keyword == Keyword::STRUCT)
            && parser.peek_nth_token_ref(1).token == Token::LParen
        {
            // Spark's `struct(a, b AS n, t.*)`: sqlparser's struct literal
            // takes no stars
            match parser.maybe_parse(parse_struct_call) {
                Ok(Some(e)) => return Some(Ok(e)),
                Ok(None) => {}
                Err(e) => return Some(Err(e)),
            }
        }
        if matches!(&parser.peek_token_ref().token, Token::Word(w) if w.keyword == Keyword::TRIM)
            && parser.peek_nth_token_ref(1).token == Token::LParen
        {
            // `trim(a, b)` is a plain call in Spark, and the trim string of
            // `TRIM(BOTH FROM s)` is optional; sqlparser knows neither
            for form in [parse_trim_call, parse_trim_side_only] {
                match parser.maybe_parse(form) {
                    Ok(Some(e)) => return Some(Ok(e)),
                    Ok(None) => {}
                    Err(e) => return Some(Err(e)),
                }
            }
        }
        if let Some(e) = parse_typed_timestamp(parser) {
            return Some(Ok(e));
        }
        None
    }

    fn parse_infix(&self, parser: &mut Parser, expr: &Expr, precedence: u8) -> Option<Result<Expr, ParserError>> {
        if let Some(op) = peek_shift(parser) {
            let tokens = if matches!(&op, BinaryOperator::Custom(s) if s == SHIFT_RIGHT_UNSIGNED) { 2 } else { 1 };
            for _ in 0..tokens {
                parser.advance_token();
            }
            return Some(parser.parse_subexpr(SHIFT_PRECEDENCE).map(|right| Expr::BinaryOp {
                left: Box::new(expr.clone()),
                op,
                right: Box::new(right),
            }));
        }
        // `DIV` (integral division)
        SparkSqlDialect.parse_infix(parser, expr, precedence)
    }

    fn get_next_precedence(&self, parser: &Parser) -> Option<Result<u8, ParserError>> {
        // Spark ranks `||` with `+` and `-`, not with `*`.
        if parser.peek_token_ref().token == Token::StringConcat {
            return Some(Ok(self.prec_value(Precedence::PlusMinus)));
        }
        if peek_shift(parser).is_some() {
            return Some(Ok(SHIFT_PRECEDENCE));
        }
        None
    }
}

/// `trim(a, b)` as a function call (fails, for `maybe_parse` to rewind,
/// on any other form).
fn parse_trim_call(parser: &mut Parser) -> Result<Expr, ParserError> {
    let name = parser.next_token();
    let Token::Word(w) = &name.token else {
        return parser.expected("TRIM", name);
    };
    let ident = Ident::with_span(name.span, w.value.clone());
    parser.expect_token(&Token::LParen)?;
    let first = parser.parse_expr()?;
    parser.expect_token(&Token::Comma)?;
    let second = parser.parse_expr()?;
    parser.expect_token(&Token::RParen)?;
    let arg = |e| FunctionArg::Unnamed(FunctionArgExpr::Expr(e));
    Ok(Expr::Function(Function {
        name: ObjectName::from(vec![ident]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args: vec![arg(first), arg(second)],
            clauses: vec![],
        }),
        within_group: vec![],
        filter: None,
        null_treatment: None,
        over: None,
    }))
}

/// `TRIM(BOTH|LEADING|TRAILING FROM s)` (fails, for `maybe_parse` to
/// rewind, on any other form).
fn parse_trim_side_only(parser: &mut Parser) -> Result<Expr, ParserError> {
    parser.expect_keyword(Keyword::TRIM)?;
    parser.expect_token(&Token::LParen)?;
    let side = match parser.expect_one_of_keywords(&[Keyword::BOTH, Keyword::LEADING, Keyword::TRAILING])? {
        Keyword::LEADING => TrimWhereField::Leading,
        Keyword::TRAILING => TrimWhereField::Trailing,
        _ => TrimWhereField::Both,
    };
    parser.expect_keyword(Keyword::FROM)?;
    let expr = parser.parse_expr()?;
    parser.expect_token(&Token::RParen)?;
    Ok(Expr::Trim { trim_where: Some(side), trim_what: None, expr: Box::new(expr), trim_characters: None })
}

/// `timestamp_ltz'...'` and `timestamp_ntz'...'`: Spark's typed literals
/// whose type sqlparser does not know as a word.
fn parse_typed_timestamp(parser: &mut Parser) -> Option<Expr> {
    let first = parser.peek_nth_token_ref(0);
    let Token::Word(w) = &first.token else { return None };
    let name = w.value.to_ascii_uppercase();
    if w.quote_style.is_some() || !matches!(name.as_str(), "TIMESTAMP_LTZ" | "TIMESTAMP_NTZ") {
        return None;
    }
    let second = parser.peek_nth_token_ref(1);
    let (Token::SingleQuotedString(v) | Token::DoubleQuotedString(v)) = &second.token else { return None };
    let value = Value::SingleQuotedString(v.clone()).with_span(second.span);
    let data_type = DataType::Custom(ObjectName::from(vec![Ident::with_span(first.span, name)]), vec![]);
    parser.advance_token();
    parser.advance_token();
    Some(Expr::TypedString(TypedString { data_type, value, uses_odbc_syntax: false }))
}

/// `struct(e [[AS] name], *, t.*, ...)` as a struct literal whose values
/// may be stars and `Named` expressions (fails, for `maybe_parse` to
/// rewind, on anything else).
fn parse_struct_call(parser: &mut Parser) -> Result<Expr, ParserError> {
    parser.expect_keyword(Keyword::STRUCT)?;
    parser.expect_token(&Token::LParen)?;
    let mut values = vec![];
    if !parser.consume_token(&Token::RParen) {
        loop {
            let value = parser.parse_wildcard_expr()?;
            // `AS name`, or a bare name that is no keyword
            let bare_name = matches!(&parser.peek_token_ref().token,
                Token::Word(w) if w.keyword == Keyword::NoKeyword || w.quote_style.is_some());
            let alias =
                if parser.parse_keyword(Keyword::AS) || bare_name { Some(parser.parse_identifier()?) } else { None };
            values.push(match alias {
                Some(name) => Expr::Named { expr: Box::new(value), name },
                None => value,
            });
            if parser.consume_token(&Token::RParen) {
                break;
            }
            parser.expect_token(&Token::Comma)?;
        }
    }
    Ok(Expr::Struct { values, fields: vec![] })
}

/// `10L`: a number token immediately followed (no space) by a suffix word.
fn parse_suffixed_number(parser: &mut Parser) -> Option<Expr> {
    let first = parser.peek_nth_token_ref(0);
    let Token::Number(digits, long) = &first.token else {
        return None;
    };
    let second = parser.peek_nth_token_ref(1);
    let Token::Word(w) = &second.token else {
        return None;
    };
    if w.quote_style.is_some() || first.span.end != second.span.start {
        return None;
    }
    let suffix = w.value.to_ascii_uppercase();
    if !NUMERIC_SUFFIXES.contains(&suffix.as_str()) {
        return None;
    }
    let span = first.span.union(&second.span);
    let value = Value::Number(format!("{digits}{suffix}"), *long);
    parser.advance_token();
    parser.advance_token();
    Some(Expr::Value(value.with_span(span)))
}

/// Units Spark accepts in `INTERVAL value unit ...`.
const INTERVAL_UNITS: [&str; 20] = [
    "YEAR",
    "YEARS",
    "MONTH",
    "MONTHS",
    "WEEK",
    "WEEKS",
    "DAY",
    "DAYS",
    "HOUR",
    "HOURS",
    "MINUTE",
    "MINUTES",
    "SECOND",
    "SECONDS",
    "MILLISECOND",
    "MILLISECONDS",
    "MICROSECOND",
    "MICROSECONDS",
    "NANOSECOND",
    "NANOSECONDS",
];

/// One `[+|-] (number | 'string')` value of an interval, as text.
fn peek_interval_value(parser: &Parser, at: usize) -> Option<(String, usize, Span)> {
    let mut i = at;
    let mut sign = String::new();
    let tok = parser.peek_nth_token_ref(i);
    let start = tok.span;
    match &tok.token {
        Token::Minus => {
            sign.push('-');
            i += 1;
        }
        Token::Plus => i += 1,
        _ => {}
    }
    let tok = parser.peek_nth_token_ref(i);
    let text = match &tok.token {
        Token::Number(n, _) => n.clone(),
        Token::SingleQuotedString(s) | Token::DoubleQuotedString(s) => s.clone(),
        _ => return None,
    };
    // `-'-1'` is a double negation
    let value = match (sign.as_str(), text.strip_prefix('-')) {
        ("-", Some(positive)) => positive.to_string(),
        _ => format!("{sign}{text}"),
    };
    Some((value, i + 1 - at, start.union(&tok.span)))
}

fn peek_unit(parser: &Parser, at: usize) -> Option<(String, Span)> {
    match &parser.peek_nth_token_ref(at).token {
        Token::Word(w) if w.quote_style.is_none() => {
            let u = w.value.to_ascii_uppercase();
            INTERVAL_UNITS.contains(&u.as_str()).then_some((u, parser.peek_nth_token_ref(at).span))
        }
        _ => None,
    }
}

/// Parses Spark's `interval` rule; returns None (consuming nothing) when
/// `INTERVAL` is not followed by an interval value.
fn parse_spark_interval(parser: &mut Parser) -> Option<Result<Expr, ParserError>> {
    let kw_span = parser.peek_nth_token_ref(0).span;
    let (first_value, first_len, first_span) = peek_interval_value(parser, 1)?;
    parser.advance_token(); // INTERVAL
    for _ in 0..first_len {
        parser.advance_token();
    }
    let Some((unit, unit_span)) = peek_unit(parser, 0) else {
        // `INTERVAL 'string'`: the string holds units itself
        return Some(Ok(encode_interval(kw_span, vec![(first_value, None, first_span)], None)));
    };
    parser.advance_token();
    // `INTERVAL 'v' FROM TO TO`
    if matches!(&parser.peek_token_ref().token, Token::Word(w) if w.keyword == Keyword::TO) {
        parser.advance_token();
        let Some((to, to_span)) = peek_unit(parser, 0) else {
            return Some(parser.expected_ref("an interval unit", parser.peek_token_ref()));
        };
        parser.advance_token();
        let unit_ident = Ident::with_span(unit_span, unit);
        let to_ident = Ident::with_span(to_span, to);
        let values = vec![(first_value, Some(unit_ident), first_span)];
        return Some(Ok(encode_interval(kw_span, values, Some(to_ident))));
    }
    let mut values = vec![(first_value, Some(Ident::with_span(unit_span, unit)), first_span)];
    while let Some((value, len, span)) = peek_interval_value(parser, 0) {
        let Some((unit, unit_span)) = peek_unit(parser, len) else {
            break;
        };
        for _ in 0..=len {
            parser.advance_token();
        }
        values.push((value, Some(Ident::with_span(unit_span, unit)), span));
    }
    Some(Ok(encode_interval(kw_span, values, None)))
}

/// Encodes a Spark interval as an `ast::Expr::Interval` whose value is a
/// tuple: a marker identifier (spanning the `INTERVAL` keyword), then one
/// `(value, unit)` tuple per part (unit absent for `INTERVAL 'string'`);
/// `last_field` holds the `TO` unit of `INTERVAL 'v' DAY TO SECOND`.
fn encode_interval(kw_span: Span, values: Vec<(String, Option<Ident>, Span)>, to: Option<Ident>) -> Expr {
    let mut items = vec![Expr::Identifier(Ident::with_span(kw_span, INTERVAL_MARKER))];
    for (value, unit, span) in values {
        let mut part = vec![Expr::Value(Value::SingleQuotedString(value).with_span(span))];
        if let Some(u) = unit {
            part.push(Expr::Identifier(u));
        }
        items.push(Expr::Tuple(part));
    }
    Expr::Interval(Interval {
        value: Box::new(Expr::Tuple(items)),
        leading_field: None,
        leading_precision: None,
        last_field: to.map(DateTimeField::Custom),
        fractional_seconds_precision: None,
    })
}

/// Spark's shift operators bind looser than `+` and tighter than `&`.
const SHIFT_PRECEDENCE: u8 = 25;

/// `>>>`, which sqlparser has no operator for.
pub(crate) const SHIFT_RIGHT_UNSIGNED: &str = ">>>";

/// The shift operator at the parser's position: `<<`, `>>` or `>>>` (the
/// tokens `>>` and `>` written without a space).
fn peek_shift(parser: &Parser) -> Option<BinaryOperator> {
    let first = parser.peek_nth_token_ref(0);
    match first.token {
        Token::ShiftLeft => Some(BinaryOperator::PGBitwiseShiftLeft),
        Token::ShiftRight => {
            let second = parser.peek_nth_token_ref(1);
            if second.token == Token::Gt && second.span.start == first.span.end {
                Some(BinaryOperator::Custom(SHIFT_RIGHT_UNSIGNED.to_string()))
            } else {
                Some(BinaryOperator::PGBitwiseShiftRight)
            }
        }
        _ => None,
    }
}

/// sqlparser's name for Spark's `DIV`.
pub(crate) const INT_DIVIDE: BinaryOperator = BinaryOperator::MyIntegerDivide;
