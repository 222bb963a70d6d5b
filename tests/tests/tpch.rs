//! TPC-H SF 0.01: every query against the reference answers in
//! `shared/tpch/answers/sf0.01`, one test per query.

use ember_tests::tpch::check_query;

macro_rules! tpch_tests {
    ($($name:ident: $n:expr),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check_query($n);
            }
        )*
    };
}

tpch_tests! {
    q01: 1, q02: 2, q03: 3, q04: 4, q05: 5, q06: 6, q07: 7, q08: 8, q09: 9, q10: 10, q11: 11,
    q12: 12, q13: 13, q14: 14, q15: 15, q16: 16, q17: 17, q18: 18, q19: 19, q20: 20, q21: 21,
    q22: 22,
}
