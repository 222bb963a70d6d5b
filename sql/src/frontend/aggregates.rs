//! The aggregate function names the front end recognises: a SELECT whose
//! list (or HAVING) calls one of these becomes a `Plan::Aggregate`.

/// Spark's built-in aggregate functions (lowercase).
pub(crate) const AGGREGATE_FUNCTIONS: &[&str] = &[
    "any",
    "any_value",
    "approx_count_distinct",
    "approx_percentile",
    "array_agg",
    "avg",
    "bit_and",
    "bit_or",
    "bit_xor",
    "bitmap_construct_agg",
    "bitmap_or_agg",
    "bool_and",
    "bool_or",
    "collect_list",
    "collect_set",
    "corr",
    "count",
    "count_if",
    "count_min_sketch",
    "covar_pop",
    "covar_samp",
    "every",
    "first",
    "first_value",
    "grouping",
    "grouping_id",
    "histogram_numeric",
    "hll_sketch_agg",
    "hll_union_agg",
    "kurtosis",
    "last",
    "last_value",
    "listagg",
    "max",
    "max_by",
    "mean",
    "median",
    "min",
    "min_by",
    "mode",
    "percentile",
    "percentile_approx",
    "percentile_cont",
    "percentile_disc",
    "product",
    "regr_avgx",
    "regr_avgy",
    "regr_count",
    "regr_intercept",
    "regr_r2",
    "regr_slope",
    "regr_sxx",
    "regr_sxy",
    "regr_syy",
    "skewness",
    "some",
    "std",
    "stddev",
    "stddev_pop",
    "stddev_samp",
    "string_agg",
    "sum",
    "try_avg",
    "try_sum",
    "var_pop",
    "var_samp",
    "variance",
];

/// Whether `name` (lowercase) is an aggregate function.
pub(crate) fn is_aggregate(name: &str) -> bool {
    AGGREGATE_FUNCTIONS.binary_search(&name).is_ok()
}

/// Aggregates for which `agg(args) FILTER (WHERE c)` equals
/// `agg(CASE WHEN c THEN arg END, ...)`: those that skip rows with a NULL
/// input (single-argument, or `count` whose rows with any NULL are skipped).
pub(crate) fn filter_supported(name: &str, arg_count: usize) -> bool {
    if name == "count" {
        return true;
    }
    arg_count == 1
        && !matches!(name, "first" | "first_value" | "last" | "last_value" | "any_value" | "grouping" | "grouping_id")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_sorted_for_binary_search() {
        let mut sorted = AGGREGATE_FUNCTIONS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, AGGREGATE_FUNCTIONS);
        assert!(is_aggregate("sum") && is_aggregate("count") && !is_aggregate("abs"));
    }
}
