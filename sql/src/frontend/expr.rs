//! sqlparser expressions -> `spec::Expr`.

use arrow_schema::DataType;
use ember_core::error::Span;
use ember_core::scalar::ScalarValue;
use ember_core::spec::{BinaryOp, CastMode, Expr, LikeKind};
use ember_core::types::parse_spark_type;
use ember_core::{Error, Result};
use std::sync::Arc;

use arrow_schema::{Field, Fields};
use sqlparser::ast::{
    self, AccessExpr, ArrayElemTypeDef, BinaryOperator, CastKind, DataType as AstType, DuplicateTreatment, FunctionArg,
    FunctionArgExpr, FunctionArguments, MapBracketKind, NullTreatment, StructBracketKind, Subscript, TrimWhereField,
    UnaryOperator, Value,
};

use super::aggregates::{filter_supported, is_aggregate};
use super::dialect::{INTERVAL_MARKER, INT_DIVIDE, SHIFT_RIGHT_UNSIGNED};
use super::literal;
use super::standalone::{map_type, parse_data_type};
use super::Converter;

/// The spec function of Spark's `UnresolvedExtractValue` (`a[i]`, `m[k]`,
/// `expr.field`): `__extract_value(child, extraction)`. The analyzer
/// (`analyzer/expr.rs`) and the Connect lowering build and read the same
/// name; no SQL call can name it, nor Connect's `__with_field` /
/// `__drop_field` (see `function`).
pub(crate) const EXTRACT_VALUE: &str = "__extract_value";

fn unsupported(what: &str) -> Error {
    Error::not_implemented(format!("SQL {what}"))
}

impl Converter<'_> {
    pub(crate) fn exprs(&self, es: &[ast::Expr]) -> Result<Vec<Expr>> {
        es.iter().map(|e| self.expr(e)).collect()
    }

    fn boxed(&self, e: &ast::Expr) -> Result<Box<Expr>> {
        Ok(Box::new(self.expr(e)?))
    }

    pub(crate) fn expr(&self, e: &ast::Expr) -> Result<Expr> {
        let span = self.src.span_of(e);
        use ast::Expr as A;
        Ok(match e {
            A::Identifier(id) => Expr::Column { name: vec![id.value.clone()], span },
            A::CompoundIdentifier(ids) => Expr::Column { name: ids.iter().map(|i| i.value.clone()).collect(), span },
            A::Wildcard(_) => Expr::Star { qualifier: None, span },
            A::QualifiedWildcard(name, _) => Expr::Star { qualifier: Some(self.object_name(name)?), span },
            A::Nested(inner) => self.expr(inner)?,
            A::Value(v) => match &v.value {
                // `?` stays `?`; `:name` becomes `name`
                Value::Placeholder(p) => Expr::Parameter { name: p.strip_prefix(':').unwrap_or(p).to_string() },
                other => Expr::Literal { value: self.value(other)?, span },
            },
            A::TypedString(ts) => match literal::session_zone_timestamp(&ts.data_type, &ts.value.value, span)? {
                Some(e) => e,
                None => Expr::Literal { value: self.typed_string(&ts.data_type, &ts.value.value)?, span },
            },
            A::Interval(iv) => Expr::Literal { value: self.interval(iv)?, span: self.interval_span(iv) },
            A::IsNull(x) => Expr::IsNull { expr: self.boxed(x)?, negated: false },
            A::IsNotNull(x) => Expr::IsNull { expr: self.boxed(x)?, negated: true },
            A::IsTrue(x) => Expr::IsBool { expr: self.boxed(x)?, value: Some(true), negated: false },
            A::IsNotTrue(x) => Expr::IsBool { expr: self.boxed(x)?, value: Some(true), negated: true },
            A::IsFalse(x) => Expr::IsBool { expr: self.boxed(x)?, value: Some(false), negated: false },
            A::IsNotFalse(x) => Expr::IsBool { expr: self.boxed(x)?, value: Some(false), negated: true },
            A::IsUnknown(x) => Expr::IsBool { expr: self.boxed(x)?, value: None, negated: false },
            A::IsNotUnknown(x) => Expr::IsBool { expr: self.boxed(x)?, value: None, negated: true },
            A::IsDistinctFrom(a, b) => {
                Expr::Not { expr: Box::new(self.binary(BinaryOp::EqNullSafe, a, b, span)?), span }
            }
            A::IsNotDistinctFrom(a, b) => self.binary(BinaryOp::EqNullSafe, a, b, span)?,
            A::InList { expr, list, negated } => {
                Expr::InList { expr: self.boxed(expr)?, list: self.exprs(list)?, negated: *negated }
            }
            // `(a, b) IN (SELECT x, y ...)` compares several values, which
            // the spec's one-value InSubquery cannot say
            A::InSubquery { expr, .. } if matches!(expr.as_ref(), A::Tuple(_)) => {
                return Err(unsupported("IN subquery of several columns"))
            }
            A::InSubquery { expr, subquery, negated } => Expr::InSubquery {
                expr: self.boxed(expr)?,
                subquery: Box::new(self.query(subquery)?),
                negated: *negated,
                span,
            },
            A::Exists { subquery, negated } => {
                Expr::Exists { subquery: Box::new(self.query(subquery)?), negated: *negated }
            }
            A::Subquery(q) => Expr::ScalarSubquery { subquery: Box::new(self.query(q)?), span },
            A::Between { expr, negated, low, high } => Expr::Between {
                expr: self.boxed(expr)?,
                low: self.boxed(low)?,
                high: self.boxed(high)?,
                negated: *negated,
            },
            A::BinaryOp { left, op, right } => match shift_function(op) {
                // `a << b` is ShiftLeft under the operator's name (Spark 4)
                Some(name) => function(name, vec![self.expr(left)?, self.expr(right)?], span),
                None => {
                    let op = binary_op(op)?;
                    self.binary(op, left, right, span)?
                }
            },
            A::Like { negated, any, expr, pattern, escape_char } => {
                self.like(LikeKind::Like, *negated, *any, expr, pattern, escape_char.as_deref())?
            }
            A::ILike { negated, any, expr, pattern, escape_char } => {
                self.like(LikeKind::ILike, *negated, *any, expr, pattern, escape_char.as_deref())?
            }
            A::RLike { negated, expr, pattern, .. } => {
                self.like(LikeKind::RLike, *negated, false, expr, pattern, None)?
            }
            A::UnaryOp { op, expr } => self.unary(op, expr, span)?,
            A::Cast { kind, expr, data_type, format } => {
                if format.is_some() {
                    return Err(unsupported("CAST ... FORMAT"));
                }
                let mode = match kind {
                    CastKind::Cast | CastKind::DoubleColon => CastMode::Default,
                    CastKind::TryCast | CastKind::SafeCast => CastMode::Try,
                };
                Expr::Cast { expr: self.boxed(expr)?, to: self.data_type(data_type)?, mode, span }
            }
            A::Extract { field, expr, .. } => {
                let field = match field {
                    ast::DateTimeField::Custom(id) => id.value.to_lowercase(),
                    ast::DateTimeField::Week(_) => "week".to_string(),
                    f => f.to_string().to_lowercase(),
                };
                Expr::Extract { field, expr: self.boxed(expr)?, span }
            }
            A::Ceil { expr, field } | A::Floor { expr, field } => {
                let name = if matches!(e, A::Ceil { .. }) { "ceil" } else { "floor" };
                let mut args = vec![self.expr(expr)?];
                match field {
                    ast::CeilFloorKind::DateTimeField(ast::DateTimeField::NoDateTime) => {}
                    ast::CeilFloorKind::Scale(v) => {
                        args.push(Expr::Literal { value: self.value(&v.value)?, span: None })
                    }
                    ast::CeilFloorKind::DateTimeField(_) => return Err(unsupported("CEIL/FLOOR TO field")),
                }
                function(name, args, span)
            }
            // `POSITION(a IN b)` is StringLocate, named `locate`
            A::Position { expr, r#in } => function("locate", vec![self.expr(expr)?, self.expr(r#in)?], span),
            A::Substring { expr, substring_from, substring_for, shorthand, special } => {
                let mut args = vec![self.expr(expr)?];
                if let Some(f) = substring_from {
                    args.push(self.expr(f)?);
                }
                if let Some(f) = substring_for {
                    if substring_from.is_none() {
                        args.push(Expr::Literal { value: ScalarValue::Int32(Some(1)), span: None });
                    }
                    args.push(self.expr(f)?);
                }
                // the `FROM ... FOR` syntax is named `substring` whatever keyword was used
                function(if *shorthand && *special { "substr" } else { "substring" }, args, span)
            }
            A::Trim { trim_where, trim_what, expr, trim_characters } => {
                let name = match trim_where {
                    None | Some(TrimWhereField::Both) => "trim",
                    Some(TrimWhereField::Leading) => "ltrim",
                    Some(TrimWhereField::Trailing) => "rtrim",
                };
                let mut args = vec![self.expr(expr)?];
                if let Some(w) = trim_what {
                    args.push(self.expr(w)?);
                }
                if let Some(chars) = trim_characters {
                    args.extend(self.exprs(chars)?);
                }
                function(name, args, span)
            }
            A::Overlay { expr, overlay_what, overlay_from, overlay_for } => {
                let mut args = vec![self.expr(expr)?, self.expr(overlay_what)?, self.expr(overlay_from)?];
                if let Some(f) = overlay_for {
                    args.push(self.expr(f)?);
                }
                function("overlay", args, span)
            }
            A::Case { operand, conditions, else_result, .. } => Expr::Case {
                operand: operand.as_deref().map(|o| self.boxed(o)).transpose()?,
                branches: conditions
                    .iter()
                    .map(|c| Ok((self.expr(&c.condition)?, self.expr(&c.result)?)))
                    .collect::<Result<_>>()?,
                else_expr: else_result.as_deref().map(|o| self.boxed(o)).transpose()?,
                span,
            },
            A::Function(f) => {
                let span = match f.args {
                    FunctionArguments::None => span,
                    _ => span.map(|s| self.src.through_closing_paren(s)),
                };
                self.function(f, span)?
            }
            A::Array(a) => function("array", self.exprs(&a.elem)?, span),
            A::Named { .. } => return Err(unsupported("named struct field")),
            // Spark's row constructor `(a, b)` is CreateStruct without the
            // `struct` name: `named_struct(a, a, col2, 1)`
            A::Tuple(items) => {
                let mut args = Vec::with_capacity(items.len() * 2);
                for (i, item) in items.iter().enumerate() {
                    let value = self.expr(item)?;
                    let name = match &value {
                        Expr::Column { name, .. } => name.last().cloned().unwrap_or_default(),
                        _ => format!("col{}", i + 1),
                    };
                    args.push(Expr::Literal { value: ScalarValue::Utf8(Some(name)), span: None });
                    args.push(value);
                }
                function("named_struct", args, span)
            }
            // sqlparser reads `struct(a, b AS n)` as a struct literal; in Spark
            // it is the `struct` function (CreateStruct), aliases naming fields
            A::Struct { values, fields } if fields.is_empty() => {
                let args = values
                    .iter()
                    .map(|v| match v {
                        A::Named { expr, name } => {
                            Ok(Expr::Alias { expr: Box::new(self.expr(expr)?), name: name.value.clone() })
                        }
                        other => self.expr(other),
                    })
                    .collect::<Result<Vec<_>>>()?;
                function("struct", args, span.map(|s| self.src.through_closing_paren(s)))
            }
            A::Struct { .. } => return Err(unsupported("typed STRUCT<...>(...) literal")),
            A::Map(_) => return Err(unsupported("MAP literal")),
            A::CompoundFieldAccess { root, access_chain } => self.field_access(root, access_chain, span)?,
            A::Lambda(l) => self.lambda(l, span)?,
            A::AtTimeZone { .. } => return Err(unsupported("AT TIME ZONE")),
            A::Collate { .. } => return Err(unsupported("COLLATE")),
            A::SimilarTo { .. } => return Err(unsupported("SIMILAR TO")),
            A::AnyOp { .. } | A::AllOp { .. } => return Err(unsupported("ANY/ALL comparison")),
            A::GroupingSets(_) | A::Cube(_) | A::Rollup(_) => {
                return Err(unsupported("GROUPING SETS/CUBE/ROLLUP outside GROUP BY"))
            }
            other => return Err(unsupported(&format!("expression `{other}`"))),
        })
    }

    fn binary(&self, op: BinaryOp, l: &ast::Expr, r: &ast::Expr, span: Option<Span>) -> Result<Expr> {
        Ok(Expr::Binary { op, left: self.boxed(l)?, right: self.boxed(r)?, span })
    }

    fn like(
        &self,
        kind: LikeKind,
        negated: bool,
        any: bool,
        expr: &ast::Expr,
        pattern: &ast::Expr,
        escape: Option<&ast::Expr>,
    ) -> Result<Expr> {
        if any {
            return Err(unsupported("LIKE ANY"));
        }
        let escape = match escape {
            None => None,
            Some(ast::Expr::Value(v)) => match &v.value {
                Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) if s.chars().count() == 1 => {
                    s.chars().next()
                }
                _ => {
                    return Err(Error::spark_msg(
                        "INVALID_ESCAPE_CHAR",
                        "42604",
                        "The escape character must be a string literal of length one",
                    ))
                }
            },
            Some(_) => return Err(unsupported("non-literal LIKE escape")),
        };
        Ok(Expr::Like { expr: self.boxed(expr)?, pattern: self.boxed(pattern)?, negated, kind, escape })
    }

    /// `base[i]`, `base['k']`, `base.field` chains. Dots right after a name
    /// extend the name (`t.s.f[0]` is the column `t.s.f`, then `[0]`), as in
    /// Spark's parser; the analyzer resolves the rest by the child's type.
    fn field_access(&self, root: &ast::Expr, chain: &[AccessExpr], span: Option<Span>) -> Result<Expr> {
        let mut rest = chain;
        let mut base = match root {
            ast::Expr::Identifier(_) | ast::Expr::CompoundIdentifier(_) => {
                let mut name = match root {
                    ast::Expr::Identifier(id) => vec![id.value.clone()],
                    ast::Expr::CompoundIdentifier(ids) => ids.iter().map(|i| i.value.clone()).collect(),
                    _ => vec![],
                };
                let mut name_span = self.src.span_of(root);
                while let Some((AccessExpr::Dot(ast::Expr::Identifier(id)), tail)) = rest.split_first() {
                    name.push(id.value.clone());
                    name_span = match (name_span, self.src.span(id.span)) {
                        (Some(a), Some(b)) => Some(a.union(b)),
                        (a, b) => a.or(b),
                    };
                    rest = tail;
                }
                Expr::Column { name, span: name_span }
            }
            other => self.expr(other)?,
        };
        for access in rest {
            let key = match access {
                AccessExpr::Subscript(Subscript::Index { index }) => self.expr(index)?,
                AccessExpr::Subscript(Subscript::Slice { .. }) => return Err(unsupported("array slice")),
                AccessExpr::Dot(ast::Expr::Identifier(id)) => {
                    Expr::Literal { value: ScalarValue::Utf8(Some(id.value.clone())), span: self.src.span(id.span) }
                }
                // `expr.IDENTIFIER('field')`
                AccessExpr::Dot(ast::Expr::Function(f)) if identifier_clause(f).is_some() => {
                    let field = identifier_clause(f).unwrap_or_default();
                    Expr::Literal { value: ScalarValue::Utf8(Some(field)), span: None }
                }
                AccessExpr::Dot(other) => {
                    let at = self.src.span_of(other);
                    let token = at.map(|s| s.start.saturating_sub(self.src.base)).map(|o| self.src.token_at(o).0);
                    let shown = token.unwrap_or_else(|| other.to_string());
                    return Err(Error::parse_syntax(&format!("'{shown}'"), "").with_span(at));
                }
            };
            base = function(EXTRACT_VALUE, vec![base, key], span);
        }
        Ok(base)
    }

    fn unary(&self, op: &UnaryOperator, inner: &ast::Expr, span: Option<Span>) -> Result<Expr> {
        Ok(match op {
            UnaryOperator::Not | UnaryOperator::BangNot => Expr::Not { expr: self.boxed(inner)?, span },
            // Spark keeps `+x` as UnaryPositive (it types and names it)
            UnaryOperator::Plus => function("positive", vec![self.expr(inner)?], span),
            UnaryOperator::Minus => {
                // `-<number>` is one literal in Spark (so `-2147483648` is an INT)
                if let ast::Expr::Value(v) = inner {
                    if let Value::Number(n, long) = &v.value {
                        let value = literal::number(&format!("-{}", number_text(n, *long)))?;
                        let span = span.map(|s| self.src.extend_back_to(s, '-'));
                        return Ok(Expr::Literal { value, span });
                    }
                }
                Expr::Negative { expr: self.boxed(inner)?, span }
            }
            UnaryOperator::BitwiseNot => function("~", vec![self.expr(inner)?], span),
            other => return Err(unsupported(&format!("unary operator {other}"))),
        })
    }

    fn function(&self, f: &ast::Function, span: Option<Span>) -> Result<Expr> {
        let name = f
            .name
            .0
            .iter()
            .map(|p| match p {
                ast::ObjectNamePart::Identifier(id) => Ok(id.value.to_lowercase()),
                _ => Err(unsupported("function name")),
            })
            .collect::<Result<Vec<_>>>()?
            .join(".");
        if [EXTRACT_VALUE, "__with_field", "__drop_field"].contains(&name.as_str()) {
            return Err(Error::spark(
                "UNRESOLVED_ROUTINE",
                &[
                    ("routineName", ember_core::error::quote_ident(&name)),
                    ("searchPath", "[`system`.`builtin`, `system`.`session`, `spark_catalog`.`default`]".into()),
                ],
            )
            .with_span(span));
        }
        if !f.within_group.is_empty() {
            return Err(unsupported("WITHIN GROUP"));
        }
        if !matches!(f.parameters, FunctionArguments::None) {
            return Err(unsupported("parameterised function"));
        }
        let (mut args, distinct) = match &f.args {
            FunctionArguments::None => (vec![], false),
            FunctionArguments::Subquery(_) => return Err(unsupported("subquery as function argument")),
            FunctionArguments::List(list) => {
                if !list.clauses.is_empty() {
                    return Err(unsupported(&format!("clauses in the arguments of {name}")));
                }
                let distinct = matches!(list.duplicate_treatment, Some(DuplicateTreatment::Distinct));
                let mut args = Vec::with_capacity(list.args.len());
                for a in &list.args {
                    let FunctionArg::Unnamed(a) = a else {
                        return Err(unsupported("named function argument"));
                    };
                    match a {
                        FunctionArgExpr::Expr(e) => args.push(self.expr(e)?),
                        FunctionArgExpr::Wildcard if name == "count" => {}
                        FunctionArgExpr::Wildcard => args.push(Expr::Star { qualifier: None, span }),
                        FunctionArgExpr::QualifiedWildcard(q) => {
                            args.push(Expr::Star { qualifier: Some(self.object_name(q)?), span })
                        }
                        FunctionArgExpr::WildcardWithOptions(_) => {
                            return Err(unsupported("wildcard options in function arguments"))
                        }
                    }
                }
                (args, distinct)
            }
        };
        // `first(x) IGNORE NULLS` is Spark's `first(x, true)`; over a window,
        // `lag(x) IGNORE NULLS` is `lag(x, 1, NULL, true)` and
        // `nth_value(x, n) IGNORE NULLS` is `nth_value(x, n, true)`
        match f.null_treatment {
            None | Some(NullTreatment::RespectNulls) => {}
            Some(NullTreatment::IgnoreNulls) => {
                let yes = Expr::Literal { value: ScalarValue::Boolean(Some(true)), span: None };
                match name.as_str() {
                    "first" | "last" | "first_value" | "last_value" | "any_value" if args.len() == 1 => args.push(yes),
                    "lag" | "lead" if f.over.is_some() && (1..=3).contains(&args.len()) => {
                        if args.len() == 1 {
                            args.push(Expr::Literal { value: ScalarValue::Int32(Some(1)), span: None });
                        }
                        if args.len() == 2 {
                            args.push(Expr::Literal { value: ScalarValue::Null, span: None });
                        }
                        args.push(yes);
                    }
                    "nth_value" if f.over.is_some() && args.len() == 2 => args.push(yes),
                    _ => return Err(unsupported(&format!("IGNORE NULLS for {name}"))),
                }
            }
        }
        if let Some(filter) = &f.filter {
            // `agg(x) FILTER (WHERE c)` == `agg(CASE WHEN c THEN x END)` for
            // aggregates that skip NULL inputs
            if !is_aggregate(&name) || !filter_supported(&name, args.len()) {
                return Err(unsupported(&format!("FILTER clause for {name}")));
            }
            let cond = self.expr(filter)?;
            if let Some(w) = find_window(&cond) {
                let f = filter.to_string();
                return Err(super::window::spark_error(
                    "INVALID_AGGREGATE_FILTER.CONTAINS_WINDOW_FUNCTION",
                    "42903",
                    &[("filterExpr", format!("\"{f}\"")), ("windowExpr", format!("\"{w}\""))],
                    format!(
                        "The FILTER expression \"{f}\" in an aggregate function is invalid. Expected a FILTER \
                         expression without window functions, but found \"{w}\"."
                    ),
                ));
            }
            if args.is_empty() {
                args.push(Expr::Literal { value: ScalarValue::Int32(Some(1)), span: None });
            }
            args = args
                .into_iter()
                .map(|a| Expr::Case { operand: None, branches: vec![(cond.clone(), a)], else_expr: None, span: None })
                .collect();
        }
        // Spark's call form is `trim(trimStr, str)` (StringTrim's second
        // constructor); Ember's calls take the string first, as `TRIM(BOTH
        // t FROM s)` gives them
        if matches!(name.as_str(), "trim" | "ltrim" | "rtrim") && args.len() == 2 && !distinct {
            args.swap(0, 1);
        }
        let function = Expr::Function { name, args, distinct, span };
        match &f.over {
            None => Ok(function),
            Some(over) => self.window(function, over, span),
        }
    }

    pub(crate) fn object_name(&self, name: &ast::ObjectName) -> Result<Vec<String>> {
        name.0
            .iter()
            .map(|p| match p {
                ast::ObjectNamePart::Identifier(id) => Ok(id.value.clone()),
                _ => Err(unsupported("function call in a name")),
            })
            .collect()
    }

    pub(crate) fn value(&self, v: &Value) -> Result<ScalarValue> {
        Ok(match v {
            // sqlparser strips an `L` suffix into its flag
            Value::Number(n, long) => literal::number(&number_text(n, *long))?,
            Value::SingleQuotedString(s)
            | Value::DoubleQuotedString(s)
            | Value::TripleSingleQuotedString(s)
            | Value::TripleDoubleQuotedString(s)
            | Value::SingleQuotedRawStringLiteral(s)
            | Value::DoubleQuotedRawStringLiteral(s) => ScalarValue::Utf8(Some(s.clone())),
            Value::HexStringLiteral(h) => literal::hex_literal(h)?,
            Value::Boolean(b) => ScalarValue::Boolean(Some(*b)),
            Value::Null => ScalarValue::Null,
            other => return Err(unsupported(&format!("literal {other}"))),
        })
    }

    fn typed_string(&self, t: &AstType, v: &Value) -> Result<ScalarValue> {
        let text = match v {
            Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => s.as_str(),
            other => return Err(unsupported(&format!("typed literal value {other}"))),
        };
        let type_name = t.to_string().to_uppercase();
        match type_name.as_str() {
            "DATE" => literal::date_literal(text),
            "TIMESTAMP" | "TIMESTAMP_LTZ" => literal::timestamp_literal(text, false),
            "TIMESTAMP_NTZ" => literal::timestamp_literal(text, true),
            "X" | "BINARY" => literal::hex_literal(text),
            _ => Err(Error::spark_msg(
                "UNSUPPORTED_TYPED_LITERAL",
                "0A000",
                format!(
                    "Literals of the type \"{type_name}\" are not supported. Supported types are \
                     \"DATE\", \"TIMESTAMP_NTZ\", \"TIMESTAMP_LTZ\", \"TIMESTAMP\", \"INTERVAL\", \"X\"."
                ),
            )),
        }
    }

    /// Decodes the interval encoding of `dialect::encode_interval`.
    fn interval(&self, iv: &ast::Interval) -> Result<ScalarValue> {
        let bad = || Error::internal("unexpected interval encoding");
        let ast::Expr::Tuple(items) = iv.value.as_ref() else {
            return Err(unsupported("interval form"));
        };
        match items.first() {
            Some(ast::Expr::Identifier(id)) if id.value == INTERVAL_MARKER => {}
            _ => return Err(unsupported("interval form")),
        }
        let mut parts: Vec<(String, Option<String>)> = Vec::new();
        for item in &items[1..] {
            let ast::Expr::Tuple(p) = item else {
                return Err(bad());
            };
            let value = match p.first() {
                Some(ast::Expr::Value(v)) => match &v.value {
                    Value::SingleQuotedString(s) => s.clone(),
                    _ => return Err(bad()),
                },
                _ => return Err(bad()),
            };
            let unit = match p.get(1) {
                Some(ast::Expr::Identifier(u)) => Some(u.value.clone()),
                None => None,
                _ => return Err(bad()),
            };
            parts.push((value, unit));
        }
        if let Some(ast::DateTimeField::Custom(to)) = &iv.last_field {
            let (value, Some(from)) = parts.first().cloned().ok_or_else(bad)? else {
                return Err(bad());
            };
            return literal::interval_unit_to_unit(&value, &from, &to.value);
        }
        match parts.as_slice() {
            [(value, None)] => literal::interval_string(value),
            _ => {
                let pairs =
                    parts.into_iter().map(|(v, u)| u.map(|u| (v, u)).ok_or_else(bad)).collect::<Result<Vec<_>>>()?;
                literal::interval_multi_units(&pairs)
            }
        }
    }

    /// From the `INTERVAL` keyword to the last unit.
    fn interval_span(&self, iv: &ast::Interval) -> Option<Span> {
        let mut spans = vec![];
        if let ast::Expr::Tuple(items) = iv.value.as_ref() {
            for item in items {
                spans.extend(self.src.span_of(item));
            }
        }
        if let Some(ast::DateTimeField::Custom(id)) = &iv.last_field {
            spans.extend(self.src.span(id.span));
        }
        spans.into_iter().reduce(Span::union)
    }

    /// A type as written in a cast or column definition, by Spark's names.
    pub(crate) fn data_type(&self, t: &AstType) -> Result<DataType> {
        match t {
            AstType::Array(ArrayElemTypeDef::AngleBracket(element)) => {
                let element = self.data_type(element)?;
                return Ok(DataType::List(Arc::new(Field::new("element", element, true))));
            }
            AstType::Map(key, value, MapBracketKind::AngleBrackets) => {
                return Ok(map_type(self.data_type(key)?, self.data_type(value)?, true));
            }
            AstType::Struct(fields, StructBracketKind::AngleBrackets) => {
                let fields = fields
                    .iter()
                    .map(|f| {
                        let name = f.field_name.as_ref().ok_or_else(|| unsupported("STRUCT field without a name"))?;
                        Ok(Field::new(name.value.clone(), self.data_type(&f.field_type)?, true))
                    })
                    .collect::<Result<Vec<_>>>()?;
                return Ok(DataType::Struct(Fields::from(fields)));
            }
            _ => {}
        }
        let text = match t {
            AstType::Custom(name, args) if args.is_empty() => {
                name.0.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(".")
            }
            AstType::DoublePrecision => "double".to_string(),
            AstType::Int(_) | AstType::Integer(_) => "int".to_string(),
            AstType::Char(_) | AstType::Character(_) | AstType::Varchar(_) | AstType::CharVarying(_) => {
                "string".to_string()
            }
            AstType::Text => "string".to_string(),
            other => other.to_string(),
        };
        spark_type(&text)
    }
}

/// A Spark type name (as written) to an Arrow type; nested types
/// (`ARRAY<INT>`, `MAP<STRING, INT>`, `STRUCT<a: INT>`) and interval types
/// go through the type-string parser.
pub(crate) fn spark_type(text: &str) -> Result<DataType> {
    let squeezed: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let compact = squeezed.replace(", ", ",").replace(" (", "(");
    if let Some(t) = parse_spark_type(&compact) {
        return Ok(t);
    }
    parse_data_type(text).map_err(|_| {
        Error::spark_msg(
            "UNSUPPORTED_DATATYPE",
            "0A000",
            format!("Unsupported data type \"{}\".", squeezed.to_uppercase()),
        )
    })
}

fn number_text(n: &str, long: bool) -> String {
    if long {
        format!("{n}L")
    } else {
        n.to_string()
    }
}

/// The text of the first window expression in `e` (`OVER` in a FILTER).
fn find_window(e: &Expr) -> Option<String> {
    match e {
        Expr::Window { function, .. } => Some(match function.as_ref() {
            Expr::Function { name, .. } => name.clone(),
            _ => "window".into(),
        }),
        Expr::Function { args, .. } => args.iter().find_map(find_window),
        Expr::Binary { left, right, .. } => find_window(left).or_else(|| find_window(right)),
        Expr::Not { expr, .. } | Expr::Negative { expr, .. } | Expr::IsNull { expr, .. } | Expr::Cast { expr, .. } => {
            find_window(expr)
        }
        _ => None,
    }
}

/// The field name of `IDENTIFIER('name')`.
fn identifier_clause(f: &ast::Function) -> Option<String> {
    if !f.name.to_string().eq_ignore_ascii_case("identifier") {
        return None;
    }
    let FunctionArguments::List(list) = &f.args else { return None };
    match list.args.as_slice() {
        [FunctionArg::Unnamed(FunctionArgExpr::Expr(ast::Expr::Value(v)))] => match &v.value {
            Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => Some(s.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// The spec function of a shift operator: Spark 4 names `a << b` after
/// the operator (the analyzer maps it to `shiftleft`).
fn shift_function(op: &BinaryOperator) -> Option<&'static str> {
    match op {
        BinaryOperator::PGBitwiseShiftLeft => Some("<<"),
        BinaryOperator::PGBitwiseShiftRight => Some(">>"),
        BinaryOperator::Custom(s) if s == SHIFT_RIGHT_UNSIGNED => Some(">>>"),
        _ => None,
    }
}

fn function(name: &str, args: Vec<Expr>, span: Option<Span>) -> Expr {
    Expr::Function { name: name.to_string(), args, distinct: false, span }
}

fn binary_op(op: &BinaryOperator) -> Result<BinaryOp> {
    Ok(match op {
        BinaryOperator::Plus => BinaryOp::Plus,
        BinaryOperator::Minus => BinaryOp::Minus,
        BinaryOperator::Multiply => BinaryOp::Multiply,
        BinaryOperator::Divide => BinaryOp::Divide,
        BinaryOperator::Modulo => BinaryOp::Modulo,
        op if *op == INT_DIVIDE => BinaryOp::IntDivide,
        BinaryOperator::Eq => BinaryOp::Eq,
        BinaryOperator::NotEq => BinaryOp::NotEq,
        BinaryOperator::Lt => BinaryOp::Lt,
        BinaryOperator::LtEq => BinaryOp::LtEq,
        BinaryOperator::Gt => BinaryOp::Gt,
        BinaryOperator::GtEq => BinaryOp::GtEq,
        BinaryOperator::Spaceship => BinaryOp::EqNullSafe,
        BinaryOperator::And => BinaryOp::And,
        BinaryOperator::Or => BinaryOp::Or,
        BinaryOperator::StringConcat => BinaryOp::Concat,
        BinaryOperator::BitwiseAnd => BinaryOp::BitAnd,
        BinaryOperator::BitwiseOr => BinaryOp::BitOr,
        BinaryOperator::BitwiseXor => BinaryOp::BitXor,
        other => return Err(unsupported(&format!("operator {other}"))),
    })
}
