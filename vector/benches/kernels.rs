//! Micro-benchmarks of `vector` kernels: `cargo bench -p ember-vector`.
//! Each pairs the kernel with the simpler way it replaced, on one chunk.

use std::sync::Arc;

use arrow::array::{ArrayRef, Decimal128Array, Int64Array, StringArray};
use arrow::datatypes::DataType;
use divan::{black_box, Bencher};
use ember_core::expr::BinaryOp;
use ember_core::EvalMode;
use ember_vector::arith::binary;
use ember_vector::compare::{compare, compare_to_literal};

fn main() {
    divan::main();
}

const ROWS: usize = 8192;

fn ints() -> ArrayRef {
    Arc::new(Int64Array::from_iter_values((0..ROWS as i64).map(|i| (i * 7919) % 1000)))
}

fn modes() -> ArrayRef {
    let names = ["MAIL", "SHIP", "AIR", "TRUCK", "RAIL", "FOB", "REG AIR"];
    Arc::new(StringArray::from_iter_values((0..ROWS).map(|i| names[i * 31 % names.len()])))
}

/// `x < 500` against a one-row literal.
#[divan::bench]
fn int_less_than_literal(b: Bencher) {
    let col = ints();
    let lit: ArrayRef = Arc::new(Int64Array::from(vec![500]));
    b.bench(|| compare_to_literal(BinaryOp::Lt, black_box(&col), &lit).unwrap());
}

/// The same with the literal expanded to a column first.
#[divan::bench]
fn int_less_than_expanded_literal(b: Bencher) {
    let col = ints();
    b.bench(|| {
        let lit: ArrayRef = Arc::new(Int64Array::from_value(500, ROWS));
        compare(BinaryOp::Lt, black_box(&col), &lit).unwrap()
    });
}

/// `l_shipmode = 'MAIL'`
#[divan::bench]
fn string_equals_literal(b: Bencher) {
    let col = modes();
    let lit: ArrayRef = Arc::new(StringArray::from(vec!["MAIL"]));
    b.bench(|| compare_to_literal(BinaryOp::Eq, black_box(&col), &lit).unwrap());
}

/// `l_extendedprice * (1 - l_discount)` as TPC-H Q1 types it.
#[divan::bench]
fn decimal_multiply(b: Bencher) {
    let price: ArrayRef = Arc::new(
        Decimal128Array::from_iter_values((0..ROWS as i128).map(|i| 90_000 + i * 13))
            .with_precision_and_scale(15, 2)
            .unwrap(),
    );
    let factor: ArrayRef = Arc::new(
        Decimal128Array::from_iter_values((0..ROWS as i128).map(|i| 90 + i % 10))
            .with_precision_and_scale(16, 2)
            .unwrap(),
    );
    let out = DataType::Decimal128(32, 4);
    b.bench(|| binary(BinaryOp::Multiply, black_box(&price), &factor, &out, EvalMode::Ansi).unwrap());
}
