//! Connect literals <-> `ScalarValue`, and literals as spec expressions.
//!
//! Scalars of Spark's atomic types map one to one. Arrays, maps and structs
//! have no `ScalarValue`; as expressions they become the calls Spark's
//! literal would print as (`array(1, 2)`, `map(k, v)`,
//! `named_struct('a', 1)`), typed by a cast when empty or NULL.

use arrow::datatypes::{DataType, IntervalMonthDayNano};
use ember_core::spec::{CastMode, Expr};
use ember_core::types::MAX_DECIMAL_PRECISION;
use ember_core::{Error, Result, ScalarValue};

use super::invalid_plan;
use super::types::{data_type_from_proto, data_type_to_proto};
use crate::proto::spark::connect as pb;
use pb::expression::literal::{self as lit, LiteralType};
use pb::expression::Literal;

/// The value of an atomic literal; arrays, maps and structs are not
/// scalars (`literal_expr` handles them).
pub fn literal_to_scalar(l: &Literal) -> Result<ScalarValue> {
    let Some(t) = &l.literal_type else {
        return Err(invalid_plan("a literal without a value"));
    };
    Ok(match t {
        LiteralType::Null(dt) => {
            let dt = data_type_from_proto(dt)?;
            match (&dt, ScalarValue::null_of(&dt)) {
                (DataType::Null, v) => v,
                (_, ScalarValue::Null) => {
                    return Err(Error::not_implemented(format!(
                        "a NULL literal of type {} as a value",
                        ember_core::types::spark_type_name(&dt)
                    )))
                }
                (_, v) => v,
            }
        }
        LiteralType::Binary(b) => ScalarValue::Binary(Some(b.clone())),
        LiteralType::Boolean(b) => ScalarValue::Boolean(Some(*b)),
        LiteralType::Byte(v) => ScalarValue::Int8(Some(
            i8::try_from(*v).map_err(|_| invalid_plan(format!("byte literal {v} out of range")))?,
        )),
        LiteralType::Short(v) => ScalarValue::Int16(Some(
            i16::try_from(*v).map_err(|_| invalid_plan(format!("short literal {v} out of range")))?,
        )),
        LiteralType::Integer(v) => ScalarValue::Int32(Some(*v)),
        LiteralType::Long(v) => ScalarValue::Int64(Some(*v)),
        LiteralType::Float(v) => ScalarValue::Float32(Some(*v)),
        LiteralType::Double(v) => ScalarValue::Float64(Some(*v)),
        LiteralType::Decimal(dec) => decimal(dec)?,
        LiteralType::String(s) => ScalarValue::Utf8(Some(s.clone())),
        LiteralType::Date(d) => ScalarValue::Date(Some(*d)),
        LiteralType::Timestamp(t) => ScalarValue::Timestamp(Some(*t)),
        LiteralType::TimestampNtz(t) => ScalarValue::TimestampNtz(Some(*t)),
        LiteralType::CalendarInterval(c) => ScalarValue::CalendarInterval(Some(IntervalMonthDayNano::new(
            c.months,
            c.days,
            c.microseconds.saturating_mul(1000),
        ))),
        LiteralType::YearMonthInterval(m) => ScalarValue::IntervalYearMonth(Some(*m)),
        LiteralType::DayTimeInterval(us) => ScalarValue::IntervalDayTime(Some(*us)),
        LiteralType::Time(_) => return Err(Error::not_implemented("TIME literals")),
        LiteralType::Array(_) | LiteralType::Map(_) | LiteralType::Struct(_) | LiteralType::SpecializedArray(_) => {
            return Err(Error::not_implemented("an array, map or struct literal as a single value"))
        }
    })
}

/// A literal as an expression; nested literals become constructor calls.
pub fn literal_expr(l: &Literal) -> Result<Expr> {
    let Some(t) = &l.literal_type else {
        return Err(invalid_plan("a literal without a value"));
    };
    let declared = l.data_type.as_ref().map(data_type_from_proto).transpose()?;
    match t {
        LiteralType::Null(dt) => {
            let dt = data_type_from_proto(dt)?;
            let null = ScalarValue::null_of(&dt);
            if matches!(null, ScalarValue::Null) && dt != DataType::Null {
                // no scalar NULL of a nested type: a typed NULL
                return Ok(cast(Expr::lit(ScalarValue::Null), dt));
            }
            Ok(Expr::lit(null))
        }
        LiteralType::Array(a) => {
            let elements = a.elements.iter().map(literal_expr).collect::<Result<Vec<_>>>()?;
            #[allow(deprecated)]
            let element_type = match (&declared, &a.element_type) {
                (Some(DataType::List(f)), _) => Some(f.data_type().clone()),
                (_, Some(t)) => Some(data_type_from_proto(t)?),
                _ => None,
            };
            Ok(constructor("array", elements, element_type.map(list_of)))
        }
        LiteralType::SpecializedArray(s) => {
            use lit::specialized_array::ValueType;
            let scalars: Vec<ScalarValue> = match &s.value_type {
                Some(ValueType::Bools(v)) => v.values.iter().map(|x| ScalarValue::Boolean(Some(*x))).collect(),
                Some(ValueType::Ints(v)) => v.values.iter().map(|x| ScalarValue::Int32(Some(*x))).collect(),
                Some(ValueType::Longs(v)) => v.values.iter().map(|x| ScalarValue::Int64(Some(*x))).collect(),
                Some(ValueType::Floats(v)) => v.values.iter().map(|x| ScalarValue::Float32(Some(*x))).collect(),
                Some(ValueType::Doubles(v)) => v.values.iter().map(|x| ScalarValue::Float64(Some(*x))).collect(),
                Some(ValueType::Strings(v)) => v.values.iter().map(|x| ScalarValue::Utf8(Some(x.clone()))).collect(),
                None => return Err(invalid_plan("a specialized array literal without values")),
            };
            Ok(constructor("array", scalars.into_iter().map(Expr::lit).collect(), declared))
        }
        LiteralType::Map(m) => {
            if m.keys.len() != m.values.len() {
                return Err(invalid_plan("a map literal with different numbers of keys and values"));
            }
            let mut args = Vec::with_capacity(m.keys.len() * 2);
            for (k, v) in m.keys.iter().zip(&m.values) {
                args.push(literal_expr(k)?);
                args.push(literal_expr(v)?);
            }
            #[allow(deprecated)]
            let typed = match (&declared, &m.key_type, &m.value_type) {
                (Some(t), _, _) => Some(t.clone()),
                (None, Some(k), Some(v)) => {
                    Some(ember_sql::map_type(data_type_from_proto(k)?, data_type_from_proto(v)?, true))
                }
                _ => None,
            };
            Ok(constructor("map", args, typed))
        }
        LiteralType::Struct(s) => {
            #[allow(deprecated)]
            let struct_type = match (&declared, &s.struct_type) {
                (Some(t), _) => Some(t.clone()),
                (None, Some(t)) => Some(data_type_from_proto(t)?),
                _ => None,
            };
            let values = s.elements.iter().map(literal_expr).collect::<Result<Vec<_>>>()?;
            match struct_type {
                Some(DataType::Struct(fields)) if fields.len() == values.len() => {
                    let mut args = Vec::with_capacity(values.len() * 2);
                    for (f, v) in fields.iter().zip(values) {
                        args.push(Expr::lit(ScalarValue::Utf8(Some(f.name().clone()))));
                        args.push(v);
                    }
                    Ok(function("named_struct", args))
                }
                Some(_) => Err(invalid_plan("a struct literal whose type does not match its values")),
                None => Ok(function("struct", values)),
            }
        }
        _ => Ok(Expr::lit(literal_to_scalar(l)?)),
    }
}

fn list_of(t: DataType) -> DataType {
    DataType::List(std::sync::Arc::new(arrow::datatypes::Field::new("element", t, true)))
}

fn function(name: &str, args: Vec<Expr>) -> Expr {
    Expr::Function { name: name.to_string(), args, distinct: false, span: None }
}

fn cast(e: Expr, to: DataType) -> Expr {
    Expr::Cast { expr: Box::new(e), to, mode: CastMode::Default, span: None }
}

/// `name(args)`, cast to `typed` when there are no arguments to take the
/// type from.
fn constructor(name: &str, args: Vec<Expr>, typed: Option<DataType>) -> Expr {
    match typed {
        Some(t) if args.is_empty() => cast(function(name, args), t),
        _ => function(name, args),
    }
}

/// A decimal literal: the text of a Java `BigDecimal` (`-1.50`, `1E+3`),
/// with the declared precision and scale when given.
fn decimal(dec: &lit::Decimal) -> Result<ScalarValue> {
    let bad = || invalid_plan(format!("invalid decimal literal '{}'", dec.value));
    let text = dec.value.trim();
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], body[i + 1..].parse::<i32>().map_err(|_| bad())?),
        None => (body, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(bad());
    }
    if !int_part.chars().chain(frac_part.chars()).all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let mut digits = format!("{int_part}{frac_part}");
    let mut scale = frac_part.len() as i32 - exponent;
    if scale < 0 {
        digits.push_str(&"0".repeat((-scale) as usize));
        scale = 0;
    }
    let significant = digits.trim_start_matches('0');
    let mut precision = (significant.len() as i32).max(1).max(scale);
    let mut unscaled: i128 =
        if significant.is_empty() { 0 } else { significant.parse::<i128>().map_err(|_| out_of_range(&dec.value))? };
    if let (Some(p), Some(s)) = (dec.precision, dec.scale) {
        // rescale to the declared scale (the value was written with it)
        while scale < s {
            unscaled = unscaled.checked_mul(10).ok_or_else(|| out_of_range(&dec.value))?;
            scale += 1;
        }
        while scale > s {
            unscaled /= 10;
            scale -= 1;
        }
        precision = p;
    }
    if precision > MAX_DECIMAL_PRECISION as i32 || scale > precision {
        return Err(out_of_range(&dec.value));
    }
    Ok(ScalarValue::Decimal(Some(if negative { -unscaled } else { unscaled }), precision as u8, scale as i8))
}

fn out_of_range(text: &str) -> Error {
    Error::spark_msg(
        "DECIMAL_PRECISION_EXCEEDS_MAX_PRECISION",
        "22003",
        format!("Decimal precision of {text} exceeds max precision {MAX_DECIMAL_PRECISION}."),
    )
}

/// The Connect literal of a scalar (typed NULLs keep their type).
pub fn scalar_to_literal(v: &ScalarValue) -> Literal {
    let value = match v {
        _ if v.is_null() => LiteralType::Null(data_type_to_proto(&v.data_type())),
        ScalarValue::Boolean(Some(b)) => LiteralType::Boolean(*b),
        ScalarValue::Int8(Some(x)) => LiteralType::Byte(*x as i32),
        ScalarValue::Int16(Some(x)) => LiteralType::Short(*x as i32),
        ScalarValue::Int32(Some(x)) => LiteralType::Integer(*x),
        ScalarValue::Int64(Some(x)) => LiteralType::Long(*x),
        ScalarValue::Float32(Some(x)) => LiteralType::Float(*x),
        ScalarValue::Float64(Some(x)) => LiteralType::Double(*x),
        ScalarValue::Decimal(Some(x), p, s) => LiteralType::Decimal(lit::Decimal {
            value: ember_core::format::decimal_to_string(*x, *s),
            precision: Some(*p as i32),
            scale: Some(*s as i32),
        }),
        ScalarValue::Utf8(Some(s)) => LiteralType::String(s.clone()),
        ScalarValue::Binary(Some(b)) => LiteralType::Binary(b.clone()),
        ScalarValue::Date(Some(d)) => LiteralType::Date(*d),
        ScalarValue::Timestamp(Some(t)) => LiteralType::Timestamp(*t),
        ScalarValue::TimestampNtz(Some(t)) => LiteralType::TimestampNtz(*t),
        ScalarValue::IntervalYearMonth(Some(m)) => LiteralType::YearMonthInterval(*m),
        ScalarValue::IntervalDayTime(Some(us)) => LiteralType::DayTimeInterval(*us),
        ScalarValue::CalendarInterval(Some(iv)) => LiteralType::CalendarInterval(lit::CalendarInterval {
            months: iv.months,
            days: iv.days,
            microseconds: iv.nanoseconds / 1000,
        }),
        // every non-NULL variant is covered above
        _ => LiteralType::Null(data_type_to_proto(&DataType::Null)),
    };
    Literal { data_type: None, literal_type: Some(value) }
}
