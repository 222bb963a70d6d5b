//! Micro-benchmarks of hash-table key encoding: `cargo bench -p ember-exec`.
//! Compact key rows (equality only) against arrow's order-preserving rows,
//! on TPC-H Q1's group keys (two one-letter strings) and a mixed key.

use std::sync::Arc;

use arrow::array::{ArrayRef, Int64Array, StringArray};
use arrow::row::{RowConverter, SortField};
use divan::{black_box, Bencher};
use ember_exec::operator::key_rows::KeyRows;

fn main() {
    divan::main();
}

const ROWS: usize = 8192;

fn flags() -> Vec<ArrayRef> {
    let f = ["A", "N", "R"];
    let s = ["F", "O"];
    vec![
        Arc::new(StringArray::from_iter_values((0..ROWS).map(|i| f[i % 3]))),
        Arc::new(StringArray::from_iter_values((0..ROWS).map(|i| s[i % 2]))),
    ]
}

fn mixed() -> Vec<ArrayRef> {
    vec![
        Arc::new(Int64Array::from_iter_values(0..ROWS as i64)),
        Arc::new(StringArray::from_iter_values((0..ROWS).map(|i| format!("Customer#{i:09}")))),
    ]
}

fn arrow_rows(cols: &[ArrayRef]) -> arrow::row::Rows {
    let converter = RowConverter::new(cols.iter().map(|c| SortField::new(c.data_type().clone())).collect()).unwrap();
    converter.convert_columns(cols).unwrap()
}

#[divan::bench]
fn key_rows_two_flags(b: Bencher) {
    let cols = flags();
    b.bench(|| KeyRows::encode(black_box(&cols)).unwrap());
}

#[divan::bench]
fn arrow_rows_two_flags(b: Bencher) {
    let cols = flags();
    b.bench(|| arrow_rows(black_box(&cols)));
}

#[divan::bench]
fn key_rows_int_and_string(b: Bencher) {
    let cols = mixed();
    b.bench(|| KeyRows::encode(black_box(&cols)).unwrap());
}

#[divan::bench]
fn arrow_rows_int_and_string(b: Bencher) {
    let cols = mixed();
    b.bench(|| arrow_rows(black_box(&cols)));
}
