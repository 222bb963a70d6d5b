//! Arithmetic checked against Spark's documented results.

use std::sync::Arc;

use arrow::array::*;
use arrow::datatypes::DataType;
use ember_core::expr::BinaryOp;
use ember_core::EvalMode;

use super::*;

fn i32s(v: &[Option<i32>]) -> ArrayRef {
    Arc::new(Int32Array::from(v.to_vec()))
}

fn dec(v: &[Option<i128>], p: u8, s: i8) -> ArrayRef {
    Arc::new(Decimal128Array::from(v.to_vec()).with_precision_and_scale(p, s).unwrap())
}

fn class(e: ember_core::Error) -> String {
    e.error_class().unwrap_or("none").to_string()
}

#[test]
fn int_overflow_by_mode() {
    let a = i32s(&[Some(2147483647), None, Some(1)]);
    let b = i32s(&[Some(1), Some(1), Some(2)]);
    let e = binary(BinaryOp::Plus, &a, &b, &DataType::Int32, EvalMode::Ansi).unwrap_err();
    assert_eq!(class(e), "ARITHMETIC_OVERFLOW");
    let legacy = binary(BinaryOp::Plus, &a, &b, &DataType::Int32, EvalMode::Legacy).unwrap();
    let legacy = legacy.as_primitive::<arrow::datatypes::Int32Type>();
    assert_eq!(legacy.value(0), -2147483648);
    assert!(legacy.is_null(1));
    assert_eq!(legacy.value(2), 3);
    let t = binary(BinaryOp::Plus, &a, &b, &DataType::Int32, EvalMode::Try).unwrap();
    assert!(t.is_null(0) && t.is_null(1) && t.is_valid(2));
}

#[test]
fn overflow_in_null_rows_is_ignored() {
    let a = i32s(&[None, Some(1)]);
    // the null row holds garbage that would overflow
    let a = {
        let arr = a.as_primitive::<arrow::datatypes::Int32Type>();
        let vals: arrow::buffer::ScalarBuffer<i32> = vec![i32::MAX, 1].into();
        Arc::new(Int32Array::new(vals, arr.nulls().cloned())) as ArrayRef
    };
    let b = i32s(&[Some(1), Some(1)]);
    let r = binary(BinaryOp::Plus, &a, &b, &DataType::Int32, EvalMode::Ansi).unwrap();
    assert!(r.is_null(0));
}

#[test]
fn narrow_ints_use_binary_arithmetic_overflow() {
    let a: ArrayRef = Arc::new(Int8Array::from(vec![127i8]));
    let b: ArrayRef = Arc::new(Int8Array::from(vec![1i8]));
    let e = binary(BinaryOp::Plus, &a, &b, &DataType::Int8, EvalMode::Ansi).unwrap_err();
    assert_eq!(class(e), "BINARY_ARITHMETIC_OVERFLOW");
    let r = binary(BinaryOp::Plus, &a, &b, &DataType::Int8, EvalMode::Legacy).unwrap();
    assert_eq!(r.as_primitive::<arrow::datatypes::Int8Type>().value(0), -128);
}

#[test]
fn int_divide_and_modulo() {
    let a: ArrayRef = Arc::new(Int64Array::from(vec![7i64, -7, 5, i64::MIN]));
    let b: ArrayRef = Arc::new(Int64Array::from(vec![2i64, 2, 0, -1]));
    let e = binary(BinaryOp::IntDivide, &a, &b, &DataType::Int64, EvalMode::Ansi).unwrap_err();
    assert_eq!(class(e), "DIVIDE_BY_ZERO");
    let r = binary(BinaryOp::IntDivide, &a, &b, &DataType::Int64, EvalMode::Legacy).unwrap();
    let r = r.as_primitive::<arrow::datatypes::Int64Type>();
    assert_eq!((r.value(0), r.value(1)), (3, -3));
    assert!(r.is_null(2));
    assert_eq!(r.value(3), i64::MIN);
    let m = binary(BinaryOp::Modulo, &a, &b, &DataType::Int64, EvalMode::Legacy).unwrap();
    let m = m.as_primitive::<arrow::datatypes::Int64Type>();
    assert_eq!((m.value(0), m.value(1), m.value(3)), (1, -1, 0));
    assert!(m.is_null(2));
    // `div` of ints widens to long
    let x = i32s(&[Some(9)]);
    let y = i32s(&[Some(2)]);
    let r = binary(BinaryOp::IntDivide, &x, &y, &DataType::Int64, EvalMode::Ansi).unwrap();
    assert_eq!(r.as_primitive::<arrow::datatypes::Int64Type>().value(0), 4);
}

#[test]
fn double_division_by_zero() {
    let a: ArrayRef = Arc::new(Float64Array::from(vec![1.0, 1.0]));
    let b: ArrayRef = Arc::new(Float64Array::from(vec![0.0, 4.0]));
    let e = binary(BinaryOp::Divide, &a, &b, &DataType::Float64, EvalMode::Ansi).unwrap_err();
    assert_eq!(class(e), "DIVIDE_BY_ZERO");
    let r = binary(BinaryOp::Divide, &a, &b, &DataType::Float64, EvalMode::Legacy).unwrap();
    assert!(r.is_null(0));
    assert_eq!(r.as_primitive::<arrow::datatypes::Float64Type>().value(1), 0.25);
}

#[test]
fn negate_min() {
    let a = i32s(&[Some(i32::MIN), Some(5)]);
    assert_eq!(class(negate(&a, EvalMode::Ansi).unwrap_err()), "ARITHMETIC_OVERFLOW");
    let r = negate(&a, EvalMode::Legacy).unwrap();
    assert_eq!(r.as_primitive::<arrow::datatypes::Int32Type>().value(0), i32::MIN);
    assert_eq!(r.as_primitive::<arrow::datatypes::Int32Type>().value(1), -5);
}

#[test]
fn decimal_multiply_tpch_shape() {
    // 12.34 * 0.95 (decimal(15,2) * decimal(16,2) -> decimal(32,4)) = 11.7230
    let a = dec(&[Some(1234), None], 15, 2);
    let b = dec(&[Some(95), Some(1)], 16, 2);
    let r = binary(BinaryOp::Multiply, &a, &b, &DataType::Decimal128(32, 4), EvalMode::Ansi).unwrap();
    let r = r.as_primitive::<arrow::datatypes::Decimal128Type>();
    assert_eq!(r.value(0), 117230);
    assert!(r.is_null(1));
    assert_eq!(r.data_type(), &DataType::Decimal128(32, 4));
}

#[test]
fn decimal_add_different_scales() {
    // 1.5 (decimal(2,1)) + 0.25 (decimal(3,2)) -> decimal(4,2) = 1.75
    let a = dec(&[Some(15)], 2, 1);
    let b = dec(&[Some(25)], 3, 2);
    let r = binary(BinaryOp::Plus, &a, &b, &DataType::Decimal128(4, 2), EvalMode::Ansi).unwrap();
    assert_eq!(r.as_primitive::<arrow::datatypes::Decimal128Type>().value(0), 175);
    let r = binary(BinaryOp::Minus, &a, &b, &DataType::Decimal128(4, 2), EvalMode::Ansi).unwrap();
    assert_eq!(r.as_primitive::<arrow::datatypes::Decimal128Type>().value(0), 125);
}

#[test]
fn decimal_overflow_by_mode() {
    // 99.9 + 0.1 into decimal(3,1) does not fit
    let a = dec(&[Some(999)], 3, 1);
    let b = dec(&[Some(1)], 3, 1);
    let e = binary(BinaryOp::Plus, &a, &b, &DataType::Decimal128(3, 1), EvalMode::Ansi).unwrap_err();
    assert_eq!(class(e), "NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION");
    let r = binary(BinaryOp::Plus, &a, &b, &DataType::Decimal128(3, 1), EvalMode::Legacy).unwrap();
    assert!(r.is_null(0));
}

#[test]
fn decimal_divide_half_up() {
    // SELECT 1.0 / 3: decimal(2,1) / decimal(1,0) -> decimal(8,6) = 0.333333
    let a = dec(&[Some(10), Some(20), Some(10)], 2, 1);
    let b = dec(&[Some(3), Some(3), Some(0)], 1, 0);
    let r = binary(BinaryOp::Divide, &a, &b, &DataType::Decimal128(8, 6), EvalMode::Legacy).unwrap();
    let r = r.as_primitive::<arrow::datatypes::Decimal128Type>();
    assert_eq!(r.value(0), 333333);
    assert_eq!(r.value(1), 666667);
    assert!(r.is_null(2));
    let e = binary(BinaryOp::Divide, &a, &b, &DataType::Decimal128(8, 6), EvalMode::Ansi).unwrap_err();
    assert_eq!(class(e), "DIVIDE_BY_ZERO");
    // -2 / 3 rounds away from zero: -0.666667
    assert_eq!(decimal_binary_reference(BinaryOp::Divide, -2, 0, 3, 0, 8, 6), DecimalOutcome::Value(-666667));
}

#[test]
fn decimal_divide_double_rounding() {
    // 0.4999...95 (scale 38) / 10 = 0.04999...995 with a 39th digit: Spark
    // rounds to scale 38 first (0.05) and then HALF_UP to scale 1: 0.1
    let a: i128 = 5 * 10i128.pow(37) - 5;
    assert_eq!(decimal_binary_reference(BinaryOp::Divide, a, 38, 10, 0, 38, 1), DecimalOutcome::Value(1));
    assert_eq!(decimal_binary_reference(BinaryOp::Divide, a - 1, 38, 10, 0, 38, 1), DecimalOutcome::Value(0));
}

#[test]
fn decimal_remainder_and_int_divide() {
    // 7.5 % 2 = 1.5 ; 7.5 div 2 = 3
    let a = dec(&[Some(75)], 2, 1);
    let b = dec(&[Some(2)], 1, 0);
    let r = binary(BinaryOp::Modulo, &a, &b, &DataType::Decimal128(2, 1), EvalMode::Ansi).unwrap();
    assert_eq!(r.as_primitive::<arrow::datatypes::Decimal128Type>().value(0), 15);
    let r = binary(BinaryOp::IntDivide, &a, &b, &DataType::Int64, EvalMode::Ansi).unwrap();
    assert_eq!(r.as_primitive::<arrow::datatypes::Int64Type>().value(0), 3);
}

/// A small deterministic generator for property tests.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 11
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn decimal(&mut self, p: u8) -> i128 {
        let digits = self.below(p as u64 + 1) as u32;
        let mut v: i128 = 0;
        for _ in 0..digits {
            v = v * 10 + self.below(10) as i128;
        }
        if self.below(2) == 0 {
            -v
        } else {
            v
        }
    }
}

#[test]
fn decimal_fast_paths_agree_with_reference() {
    let mut rng = Lcg(42);
    for round in 0..600 {
        // small types hit the branch-free paths, wide ones the checked paths
        let wide = round % 2 == 1;
        let max_p = if wide { 38 } else { 19 };
        let p1 = 1 + rng.below(max_p) as u8;
        let s1 = rng.below(p1 as u64 + 1) as i8;
        let p2 = 1 + rng.below(max_p) as u8;
        let s2 = rng.below(p2 as u64 + 1) as i8;
        let a: Vec<Option<i128>> = (0..64).map(|_| Some(rng.decimal(p1))).collect();
        let b: Vec<Option<i128>> = (0..64).map(|_| Some(rng.decimal(p2))).collect();
        for op in [BinaryOp::Plus, BinaryOp::Minus, BinaryOp::Multiply, BinaryOp::Divide] {
            // random result types: exact, smaller scale (rounding), smaller precision (overflow)
            let p = 1 + rng.below(38) as u8;
            let s = match op {
                BinaryOp::Divide => rng.below(p as u64 + 1) as i8,
                BinaryOp::Multiply => rng.below(p as u64 + 1).min((s1 + s2) as u64) as i8,
                _ => rng.below(p as u64 + 1).min(s1.max(s2) as u64) as i8,
            };
            let la = dec(&a, p1, s1);
            let lb = dec(&b, p2, s2);
            let out = binary(op, &la, &lb, &DataType::Decimal128(p, s), EvalMode::Try).unwrap();
            let out = out.as_primitive::<arrow::datatypes::Decimal128Type>();
            for i in 0..64 {
                let want = decimal_binary_reference(op, a[i].unwrap(), s1, b[i].unwrap(), s2, p, s);
                let got = if out.is_null(i) { None } else { Some(out.value(i)) };
                match want {
                    DecimalOutcome::Value(v) => {
                        assert_eq!(got, Some(v), "{op:?} {a:?} {b:?} p{p} s{s}", a = a[i], b = b[i])
                    }
                    _ => assert_eq!(got, None),
                }
            }
        }
    }
}

#[test]
fn decimal_multiply_of_narrow_chunks_agrees_with_reference() {
    // values of up to 9 digits: their products fit in an i64, so the
    // one-multiply path runs unless the result precision is too small
    let mut rng = Lcg(7);
    for _ in 0..300 {
        let (p1, p2) = (1 + rng.below(9) as u8, 1 + rng.below(9) as u8);
        let (s1, s2) = (rng.below(p1 as u64 + 1) as i8, rng.below(p2 as u64 + 1) as i8);
        let p = ((s1 + s2) as u8).max(1 + rng.below(38) as u8);
        let s = s1 + s2;
        let a: Vec<Option<i128>> = (0..64).map(|i| (i % 9 != 0).then(|| rng.decimal(p1))).collect();
        let b: Vec<Option<i128>> = (0..64).map(|_| Some(rng.decimal(p2))).collect();
        let out =
            binary(BinaryOp::Multiply, &dec(&a, p1, s1), &dec(&b, p2, s2), &DataType::Decimal128(p, s), EvalMode::Try)
                .unwrap();
        let out = out.as_primitive::<arrow::datatypes::Decimal128Type>();
        for i in 0..64 {
            let got = if out.is_null(i) { None } else { Some(out.value(i)) };
            let want =
                a[i].and_then(|x| match decimal_binary_reference(BinaryOp::Multiply, x, s1, b[i].unwrap(), s2, p, s) {
                    DecimalOutcome::Value(v) => Some(v),
                    _ => None,
                });
            assert_eq!(got, want, "{a:?} * {b:?} p{p} s{s}", a = a[i], b = b[i]);
        }
    }
}

#[test]
fn decimal_add_of_narrow_chunks_agrees_with_reference() {
    // one scale, up to 18 digits: the 64-bit add runs when the chunks'
    // bounds keep every result below the result precision, and the checked
    // path (or an overflow to NULL) otherwise
    let mut rng = Lcg(11);
    for _ in 0..400 {
        let (p1, p2) = (1 + rng.below(18) as u8, 1 + rng.below(18) as u8);
        let s1 = rng.below(p1.min(p2) as u64 + 1) as i8;
        let p = (s1 as u8).max(1 + rng.below(20) as u8);
        let a: Vec<Option<i128>> = (0..64).map(|i| (i % 7 != 0).then(|| rng.decimal(p1))).collect();
        let b: Vec<Option<i128>> = (0..64).map(|_| Some(rng.decimal(p2))).collect();
        for op in [BinaryOp::Plus, BinaryOp::Minus] {
            let out =
                binary(op, &dec(&a, p1, s1), &dec(&b, p2, s1), &DataType::Decimal128(p, s1), EvalMode::Try).unwrap();
            let out = out.as_primitive::<arrow::datatypes::Decimal128Type>();
            for i in 0..64 {
                let got = if out.is_null(i) { None } else { Some(out.value(i)) };
                let want = a[i].and_then(|x| match decimal_binary_reference(op, x, s1, b[i].unwrap(), s1, p, s1) {
                    DecimalOutcome::Value(v) => Some(v),
                    _ => None,
                });
                assert_eq!(got, want, "{a:?} {op:?} {b:?} p{p} s{s1}", a = a[i], b = b[i]);
            }
        }
    }
}

#[test]
fn decimal_arithmetic_at_the_ends_of_i64() {
    // values whose 64-bit halves would mislead a bound: i64::MIN needs its
    // full 2^63, and i64::MAX + 1 does not fit at all
    let edges = [i64::MIN as i128, i64::MAX as i128, i64::MAX as i128 + 1, i64::MIN as i128 - 1, -1, 0, 1];
    for a in edges {
        for b in edges {
            for op in [BinaryOp::Plus, BinaryOp::Minus, BinaryOp::Multiply] {
                let out = binary(
                    op,
                    &dec(&[Some(a)], 38, 0),
                    &dec(&[Some(b)], 38, 0),
                    &DataType::Decimal128(38, 0),
                    EvalMode::Try,
                )
                .unwrap();
                let out = out.as_primitive::<arrow::datatypes::Decimal128Type>();
                let got = if out.is_null(0) { None } else { Some(out.value(0)) };
                let want = match decimal_binary_reference(op, a, 0, b, 0, 38, 0) {
                    DecimalOutcome::Value(v) => Some(v),
                    _ => None,
                };
                assert_eq!(got, want, "{a} {op:?} {b}");
            }
        }
    }
}

#[test]
fn decimal_divide_reference_matches_bigdecimal() {
    // 7 / 3 at scales: BigDecimal("7").divide(3, 38, HALF_UP).setScale(6, HALF_UP) = 2.333333
    assert_eq!(decimal_binary_reference(BinaryOp::Divide, 7, 0, 3, 0, 10, 6), DecimalOutcome::Value(2_333_333));
    // 2 / 3 -> 0.666667 ; -1 / 8 at scale 2 -> -0.13 (tie away from zero)
    assert_eq!(decimal_binary_reference(BinaryOp::Divide, 2, 0, 3, 0, 10, 6), DecimalOutcome::Value(666_667));
    assert_eq!(decimal_binary_reference(BinaryOp::Divide, -1, 0, 8, 0, 10, 2), DecimalOutcome::Value(-13));
    // 1.00 / 0.03 -> 33.333333 at scale 6
    assert_eq!(decimal_binary_reference(BinaryOp::Divide, 100, 2, 3, 2, 12, 6), DecimalOutcome::Value(33_333_333));
}

#[test]
fn tpch_q1_charge_uses_wide_result_type() {
    // (decimal(32,4) * decimal(16,2)) -> decimal(38,6), where p1 + p2 > 38
    let a = dec(&[Some(1_234_567_890_123), Some(1)], 32, 4);
    let b = dec(&[Some(108), Some(100)], 16, 2);
    let r = binary(BinaryOp::Multiply, &a, &b, &DataType::Decimal128(38, 6), EvalMode::Ansi).unwrap();
    let r = r.as_primitive::<arrow::datatypes::Decimal128Type>();
    assert_eq!(r.value(0), 1_234_567_890_123 * 108);
    assert_eq!(r.value(1), 100);
}

#[test]
fn decimal_multiply_rounds_to_38_digits_first() {
    // 0.99...9 (38 nines) * 0.5 = 0.499...995 (39 digits). Spark multiplies
    // with MathContext(38, HALF_UP), giving 0.5, then rounds to scale 0: 1.
    // Rounding the exact product once would give 0.
    let a: i128 = 10i128.pow(38) - 1;
    let b: i128 = 5 * 10i128.pow(37);
    assert_eq!(decimal_binary_reference(BinaryOp::Multiply, a, 38, b, 38, 38, 0), DecimalOutcome::Value(1));
    let la = dec(&[Some(a)], 38, 38);
    let lb = dec(&[Some(b)], 38, 38);
    let r = binary(BinaryOp::Multiply, &la, &lb, &DataType::Decimal128(38, 0), EvalMode::Ansi).unwrap();
    assert_eq!(r.as_primitive::<arrow::datatypes::Decimal128Type>().value(0), 1);
}

#[test]
fn decimal_with_a_literal_operand_agrees_with_the_spread_literal() {
    // the literal applied per row in 64 bits must give what the literal
    // spread into an array gives, on either side, NULLs and edges included
    let mut rng = Lcg(23);
    let edges = [i64::MIN as i128, i64::MAX as i128, i64::MAX as i128 + 1, -1, 0, 1];
    for round in 0..600 {
        let (pa, pl) = (1 + rng.below(19) as u8, 1 + rng.below(19) as u8);
        let sa = rng.below(pa.min(pl) as u64 + 1) as i8;
        // same scales for + and - (the 64-bit path), any for *
        let sl = if round % 3 == 0 { rng.below(pl as u64 + 1) as i8 } else { sa };
        let mut a: Vec<Option<i128>> = (0..40).map(|i| (i % 6 != 0).then(|| rng.decimal(pa))).collect();
        let mut literal = rng.decimal(pl);
        let (pa, pl) = if round % 10 == 0 {
            a[1] = Some(edges[rng.below(6) as usize]);
            literal = edges[rng.below(6) as usize];
            (38, 38)
        } else {
            (pa, pl)
        };
        for op in [BinaryOp::Plus, BinaryOp::Minus, BinaryOp::Multiply] {
            let p = 1 + rng.below(38) as u8;
            let s = match op {
                BinaryOp::Multiply => rng.below(p as u64 + 1).min((sa + sl) as u64) as i8,
                _ => rng.below(p as u64 + 1).min(sa.max(sl) as u64) as i8,
            };
            let result_type = DataType::Decimal128(p, s);
            let array = dec(&a, pa, sa);
            let spread = dec(&vec![Some(literal); a.len()], pl, sl);
            for literal_left in [false, true] {
                let got = decimal_binary_literal(
                    op,
                    &array,
                    literal,
                    &DataType::Decimal128(pl, sl),
                    literal_left,
                    &result_type,
                    EvalMode::Try,
                )
                .unwrap();
                let (l, r) = if literal_left { (&spread, &array) } else { (&array, &spread) };
                let want = binary(op, l, r, &result_type, EvalMode::Try).unwrap();
                assert_eq!(got.as_ref(), want.as_ref(), "{op:?} literal {literal} left {literal_left} {a:?} p{p} s{s}");
            }
        }
    }
}

#[test]
fn decimal_with_a_literal_operand_keeps_spark_overflow_errors() {
    // decimal(38,0) at its largest plus 1 does not fit: an ANSI error, NULL
    // under TRY, on either side of the literal
    let max = 10i128.pow(38) - 1;
    let array = dec(&[Some(max), Some(1)], 38, 0);
    let t = DataType::Decimal128(38, 0);
    for literal_left in [false, true] {
        let ansi = decimal_binary_literal(
            BinaryOp::Plus,
            &array,
            1,
            &DataType::Decimal128(1, 0),
            literal_left,
            &t,
            EvalMode::Ansi,
        );
        assert_eq!(class(ansi.unwrap_err()), "NUMERIC_VALUE_OUT_OF_RANGE.WITH_SUGGESTION");
        let r#try = decimal_binary_literal(
            BinaryOp::Plus,
            &array,
            1,
            &DataType::Decimal128(1, 0),
            literal_left,
            &t,
            EvalMode::Try,
        )
        .unwrap();
        assert!(r#try.is_null(0) && r#try.is_valid(1));
    }
    // money-sized values take the 64-bit path: same values as the spread literal
    let prices = dec(&[Some(9_999_999), Some(-1), None], 15, 2);
    let narrow = decimal::narrow_with_literal(prices.as_primitive(), 100, |v, lit| lit - v, |a, b| a + b < 1 << 40);
    assert!(narrow.is_some());
    let out = decimal_binary_literal(
        BinaryOp::Minus,
        &prices,
        100,
        &DataType::Decimal128(15, 2),
        true,
        &DataType::Decimal128(16, 2),
        EvalMode::Ansi,
    )
    .unwrap();
    let out = out.as_primitive::<arrow::datatypes::Decimal128Type>();
    assert_eq!((out.value(0), out.value(1), out.is_null(2)), (100 - 9_999_999, 101, true));
}
