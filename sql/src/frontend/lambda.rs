//! Spark's lambda functions: `x -> body` and `(x, y) -> body`, arguments of
//! the higher-order functions (`transform(a, x -> x + 1)`).
//!
//! sqlparser reads both forms as `ast::Expr::Lambda` because the dialect
//! allows lambdas. A parameter stays a plain name: inside the body it is an
//! ordinary column reference, which the analyzer binds to the lambda before
//! it looks at the columns of the query. Spark's grammar has no typed
//! parameters (`x INT -> ...`) and no `lambda x : ...` keyword form, so both
//! are syntax errors.

use ember_core::error::Span;
use ember_core::spec::Expr;
use ember_core::{Error, Result};
use sqlparser::ast::{self, Ident, LambdaSyntax, ObjectName};
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Token;

use super::Converter;

/// `exists(array, x -> ...)`, the higher-order function, which sqlparser
/// would read as an `EXISTS (subquery)` predicate: a call unless the
/// parenthesis opens a query. Called by the dialect before sqlparser's
/// own prefix parsing.
pub(crate) fn parse_exists_function(parser: &mut Parser) -> Option<std::result::Result<ast::Expr, ParserError>> {
    let name = match &parser.peek_nth_token_ref(0).token {
        Token::Word(w) if w.keyword == Keyword::EXISTS => w.value.clone(),
        _ => return None,
    };
    if parser.peek_nth_token_ref(1).token != Token::LParen {
        return None;
    }
    match &parser.peek_nth_token_ref(2).token {
        Token::Word(w)
            if matches!(
                w.keyword,
                Keyword::SELECT | Keyword::WITH | Keyword::VALUES | Keyword::FROM | Keyword::TABLE
            ) =>
        {
            return None
        }
        Token::LParen => return None,
        _ => {}
    }
    let span = parser.next_token().span;
    Some(parser.parse_function(ObjectName::from(vec![Ident::with_span(span, name)])))
}

impl Converter<'_> {
    /// `params -> body` as `spec::Expr::Lambda`.
    pub(crate) fn lambda(&self, l: &ast::LambdaFunction, span: Option<Span>) -> Result<Expr> {
        if l.syntax != LambdaSyntax::Arrow {
            return Err(Error::parse_syntax("'lambda'", "").with_span(span));
        }
        let mut params = Vec::with_capacity(l.params.len());
        for p in l.params.iter() {
            if let Some(t) = &p.data_type {
                return Err(Error::parse_syntax(&format!("'{t}'"), "").with_span(span));
            }
            params.push(p.name.value.clone());
        }
        Ok(Expr::Lambda { params, body: Box::new(self.expr(&l.body)?), span })
    }
}

#[cfg(test)]
mod tests {
    use ember_core::spec::{BinaryOp, Expr};

    use crate::frontend::parse_expression;

    fn lambda_of(sql: &str) -> (Vec<String>, Expr) {
        let Expr::Function { args, .. } = parse_expression(sql).unwrap() else { panic!("not a call: {sql}") };
        match args.into_iter().last() {
            Some(Expr::Lambda { params, body, .. }) => (params, *body),
            other => panic!("no lambda in {sql}: {other:?}"),
        }
    }

    #[test]
    fn one_parameter() {
        let (params, body) = lambda_of("transform(a, x -> x + 1)");
        assert_eq!(params, vec!["x".to_string()]);
        assert!(matches!(body, Expr::Binary { op: BinaryOp::Plus, .. }));
    }

    #[test]
    fn parenthesized_parameters() {
        let (params, body) = lambda_of("filter(a, (x, i) -> i > 0)");
        assert_eq!(params, vec!["x".to_string(), "i".to_string()]);
        assert!(matches!(body, Expr::Binary { op: BinaryOp::Gt, .. }));
        let (params, _) = lambda_of("map_zip_with(m1, m2, (k, v1, v2) -> v1)");
        assert_eq!(params.len(), 3);
    }

    #[test]
    fn nested_lambdas() {
        let (params, body) = lambda_of("transform(zs, z -> filter(z, zz -> zz > 50))");
        assert_eq!(params, vec!["z".to_string()]);
        let Expr::Function { name, args, .. } = body else { panic!("body is not a call") };
        assert_eq!(name, "filter");
        assert!(matches!(&args[1], Expr::Lambda { params, .. } if params == &["zz".to_string()]));
    }

    #[test]
    fn exists_is_a_call_unless_it_opens_a_query() {
        let call = parse_expression("exists(a, x -> x > 0)").unwrap();
        assert!(matches!(call, Expr::Function { ref name, ref args, .. } if name == "exists" && args.len() == 2));
        assert!(matches!(parse_expression("EXISTS (SELECT 1)").unwrap(), Expr::Exists { negated: false, .. }));
        assert!(matches!(
            parse_expression("NOT EXISTS (WITH t AS (SELECT 1) SELECT * FROM t)").unwrap(),
            Expr::Exists { negated: true, .. } | Expr::Not { .. }
        ));
    }

    #[test]
    fn typed_parameters_are_syntax_errors() {
        let e = parse_expression("transform(a, x INT -> x)").unwrap_err();
        assert_eq!(e.error_class(), Some("PARSE_SYNTAX_ERROR"));
    }
}
