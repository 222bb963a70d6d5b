//! Relations Spark computes from the data itself: `tail`, `sample` /
//! `randomSplit`, `describe` and `summary`. They run their input while
//! being lowered and answer with a local relation.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, RecordBatch, StringArray, UInt32Array};
use arrow::compute::take;
use arrow::datatypes::{DataType, Field, Schema};
use ember_core::spec::{CastMode, Expr, GroupingKind, Plan, SortExpr};
use ember_core::types::{is_numeric, is_string};
use ember_core::{Error, Result, ScalarValue};

use super::columns::ColumnRef;
use super::{parse_identifier, Lowerer};
use crate::proto::spark::connect as proto;

/// `summary()` without arguments.
const DEFAULT_SUMMARY: [&str; 8] = ["count", "mean", "stddev", "min", "25%", "50%", "75%", "max"];
/// `describe()`.
const DESCRIBE: [&str; 5] = ["count", "mean", "stddev", "min", "max"];

/// One statistic of `summary`.
#[derive(Debug, Clone, Copy)]
enum Stat {
    /// an aggregate function, and whether it counts distinct values
    Aggregate(&'static str, bool),
    /// a percentile in [0, 1]
    Percentile(f64),
}

fn parse_stat(s: &str) -> Result<Stat> {
    Ok(match s {
        "count" => Stat::Aggregate("count", false),
        "count_distinct" | "approx_count_distinct" => Stat::Aggregate("count", true),
        "mean" => Stat::Aggregate("avg", false),
        "stddev" => Stat::Aggregate("stddev", false),
        "min" => Stat::Aggregate("min", false),
        "max" => Stat::Aggregate("max", false),
        p if p.ends_with('%') => {
            let v = p[..p.len() - 1].trim().parse::<f64>().ok().filter(|v| (0.0..=100.0).contains(v));
            match v {
                Some(v) => Stat::Percentile(v / 100.0),
                None => {
                    return Err(Error::spark_msg(
                        "ILLEGAL_ARGUMENT",
                        "22023",
                        format!("Unable to parse {p} as a percentile"),
                    ))
                }
            }
        }
        other => {
            return Err(Error::spark_msg("ILLEGAL_ARGUMENT", "22023", format!("{other} is not a recognised statistic")))
        }
    })
}

impl Lowerer<'_, '_> {
    /// `tail(n)`: the last `n` rows.
    pub(crate) fn tail(&self, input: Plan, n: i32) -> Result<Plan> {
        if n < 0 {
            return Err(Error::spark(
                "INVALID_LIMIT_LIKE_EXPRESSION.IS_NEGATIVE",
                &[("name", "tail".into()), ("expr", format!("\"{n}\"")), ("v", n.to_string())],
            ));
        }
        let (schema, batches) = self.execute(&input)?;
        let total: usize = batches.iter().map(|b| b.num_rows()).sum();
        let mut skip = total.saturating_sub(n as usize);
        let mut kept = vec![];
        for b in batches {
            if skip >= b.num_rows() {
                skip -= b.num_rows();
                continue;
            }
            kept.push(b.slice(skip, b.num_rows() - skip));
            skip = 0;
        }
        Ok(Plan::LocalRelation { batches: kept, schema })
    }

    /// `sample(withReplacement, fraction, seed)` and the pieces of
    /// `randomSplit`: each row is kept when a uniform draw falls in
    /// [lower, upper) (Bernoulli), or repeated a Poisson(upper - lower)
    /// number of times with replacement. The draws come from the seed, so
    /// the same seed over the same input picks the same rows; the splits of
    /// `randomSplit` (same seed, adjacent bounds, sorted input) are disjoint.
    pub(crate) fn sample(&mut self, s: &proto::Sample) -> Result<Plan> {
        let input = self.input(&s.input)?;
        let (lower, upper) = (s.lower_bound, s.upper_bound);
        let with_replacement = s.with_replacement.unwrap_or(false);
        if !(lower.is_finite() && upper.is_finite()) || lower > upper || lower < 0.0 {
            return Err(Error::spark_msg(
                "ILLEGAL_ARGUMENT",
                "22023",
                format!("requirement failed: Lower bound ({lower}) must be <= upper bound ({upper})"),
            ));
        }
        if !with_replacement && upper > 1.0 + 1e-7 {
            return Err(Error::spark_msg(
                "ILLEGAL_ARGUMENT",
                "22023",
                format!("requirement failed: Upper bound ({upper}) must be <= 1.0"),
            ));
        }
        let input = if s.deterministic_order { self.sorted_by_all_columns(input)? } else { input };
        let (schema, batches) = self.execute(&input)?;
        let seed = s.seed.unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as i64).unwrap_or(0)
        });
        let mut rng = SplitMix64(seed as u64);
        let mut out = Vec::with_capacity(batches.len());
        for b in &batches {
            let mut idx: Vec<u32> = vec![];
            for row in 0..b.num_rows() as u32 {
                if with_replacement {
                    for _ in 0..rng.poisson(upper - lower) {
                        idx.push(row);
                    }
                } else {
                    let u = rng.next_f64();
                    if lower <= u && u < upper {
                        idx.push(row);
                    }
                }
            }
            let indices = UInt32Array::from(idx);
            let columns =
                b.columns().iter().map(|c| take(c.as_ref(), &indices, None)).collect::<Result<Vec<ArrayRef>, _>>()?;
            out.push(RecordBatch::try_new(Arc::clone(&schema), columns)?);
        }
        Ok(Plan::LocalRelation { batches: out, schema })
    }

    /// The input sorted by every column of a sortable type (`randomSplit`
    /// asks for a deterministic order so that its splits partition the rows).
    fn sorted_by_all_columns(&self, input: Plan) -> Result<Plan> {
        let (plan, refs) = self.columns(input)?;
        let order: Vec<SortExpr> = refs
            .iter()
            .filter(|r| !matches!(r.attr.data_type, DataType::List(_) | DataType::Map(..) | DataType::Struct(_)))
            .map(|r| SortExpr { expr: r.expr.clone(), ascending: true, nulls_first: None })
            .collect();
        if order.is_empty() {
            return Ok(plan);
        }
        Ok(Plan::Sort { input: Box::new(plan), order })
    }

    /// `describe(*cols)`: count, mean, stddev, min and max.
    pub(crate) fn describe(&mut self, input: Plan, cols: &[String]) -> Result<Plan> {
        let input = if cols.is_empty() {
            input
        } else {
            let exprs = cols
                .iter()
                .map(|c| Ok(Expr::Column { name: parse_identifier(c)?, span: None }))
                .collect::<Result<Vec<_>>>()?;
            Plan::Project { input: Box::new(input), exprs }
        };
        let stats: Vec<String> = DESCRIBE.iter().map(|s| s.to_string()).collect();
        self.summary(input, &stats)
    }

    /// `summary(*statistics)`: one row per statistic, one string column per
    /// numeric or string column, after a `summary` column naming the
    /// statistic. Strings enter mean, stddev and percentiles as
    /// `try_cast(c AS DOUBLE)`, as in Spark.
    pub(crate) fn summary(&mut self, input: Plan, statistics: &[String]) -> Result<Plan> {
        let names: Vec<String> = if statistics.is_empty() {
            DEFAULT_SUMMARY.iter().map(|s| s.to_string()).collect()
        } else {
            statistics.to_vec()
        };
        let stats = names.iter().map(|s| parse_stat(s)).collect::<Result<Vec<_>>>()?;
        let (plan, refs) = self.columns(input)?;
        let selected: Vec<&ColumnRef> =
            refs.iter().filter(|r| is_numeric(&r.attr.data_type) || is_string(&r.attr.data_type)).collect();
        let as_number = |r: &ColumnRef| -> Expr {
            if is_string(&r.attr.data_type) {
                Expr::Cast { expr: Box::new(r.expr.clone()), to: DataType::Float64, mode: CastMode::Try, span: None }
            } else {
                r.expr.clone()
            }
        };
        // cells[stat][column]
        let mut cells: Vec<Vec<Option<String>>> = vec![vec![None; selected.len()]; stats.len()];

        let mut agg_exprs = vec![];
        let mut agg_cells = vec![];
        for (si, stat) in stats.iter().enumerate() {
            let Stat::Aggregate(f, distinct) = *stat else { continue };
            for (ci, r) in selected.iter().enumerate() {
                let arg = if matches!(f, "avg" | "stddev") { as_number(r) } else { r.expr.clone() };
                let call = Expr::Function { name: f.to_string(), args: vec![arg], distinct, span: None };
                let text = Expr::Cast { expr: Box::new(call), to: DataType::Utf8, mode: CastMode::Default, span: None };
                agg_exprs.push(Expr::Alias { expr: Box::new(text), name: format!("__ember_stat{}", agg_exprs.len()) });
                agg_cells.push((si, ci));
            }
        }
        if !agg_exprs.is_empty() {
            let agg = Plan::Aggregate {
                input: Box::new(plan.clone()),
                group_by: vec![],
                exprs: agg_exprs,
                grouping: GroupingKind::GroupBy,
            };
            let (_, batches) = self.execute(&agg)?;
            if let Some(row) = batches.iter().find(|b| b.num_rows() > 0) {
                for (k, (si, ci)) in agg_cells.iter().enumerate() {
                    cells[*si][*ci] = string_at(row.column(k), 0);
                }
            }
        }

        if stats.iter().any(|s| matches!(s, Stat::Percentile(_))) {
            for (ci, r) in selected.iter().enumerate() {
                let sorted = self.sorted_strings(&plan, as_number(r))?;
                let n = sorted.len();
                for (si, stat) in stats.iter().enumerate() {
                    if let Stat::Percentile(p) = stat {
                        if n > 0 {
                            // the smallest value whose rank reaches p * n
                            let rank = ((p * n as f64).ceil() as usize).clamp(1, n);
                            cells[si][ci] = sorted[rank - 1].clone();
                        }
                    }
                }
            }
        }

        let mut fields = vec![Field::new("summary", DataType::Utf8, true)];
        fields.extend(selected.iter().map(|r| Field::new(&r.attr.name, DataType::Utf8, true)));
        let schema = Arc::new(Schema::new(fields));
        let mut columns: Vec<ArrayRef> = vec![Arc::new(StringArray::from(names.clone()))];
        for ci in 0..selected.len() {
            columns.push(Arc::new(StringArray::from(cells.iter().map(|row| row[ci].clone()).collect::<Vec<_>>())));
        }
        let batch = RecordBatch::try_new(Arc::clone(&schema), columns)?;
        Ok(Plan::LocalRelation { batches: vec![batch], schema })
    }

    /// The non-NULL values of `e` over `plan`, ascending, as Spark casts
    /// them to strings.
    fn sorted_strings(&self, plan: &Plan, e: Expr) -> Result<Vec<Option<String>>> {
        let key = Expr::Column { name: vec!["__ember_key".to_string()], span: None };
        let text = Expr::Cast { expr: Box::new(key.clone()), to: DataType::Utf8, mode: CastMode::Default, span: None };
        let keyed = Plan::Project {
            input: Box::new(plan.clone()),
            exprs: vec![Expr::Alias { expr: Box::new(e), name: "__ember_key".to_string() }],
        };
        let filtered = Plan::Filter {
            input: Box::new(keyed),
            condition: Expr::IsNull { expr: Box::new(key.clone()), negated: true },
        };
        let sorted = Plan::Sort {
            input: Box::new(filtered),
            order: vec![SortExpr { expr: key, ascending: true, nulls_first: None }],
        };
        let probe = Plan::Project { input: Box::new(sorted), exprs: vec![text] };
        let (_, batches) = self.execute(&probe)?;
        let mut out = vec![];
        for b in &batches {
            for i in 0..b.num_rows() {
                out.push(string_at(b.column(0), i));
            }
        }
        Ok(out)
    }
}

fn string_at(c: &ArrayRef, i: usize) -> Option<String> {
    if c.is_null(i) {
        return None;
    }
    match c.data_type() {
        DataType::Utf8 => Some(c.as_string::<i32>().value(i).to_string()),
        DataType::LargeUtf8 => Some(c.as_string::<i64>().value(i).to_string()),
        _ => ScalarValue::try_from_array(c.as_ref(), i).ok().map(|v| v.to_string()),
    }
}

/// A small seeded generator (SplitMix64): sampling needs repeatable draws,
/// not cryptographic ones.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Poisson-distributed count with mean `lambda` (Knuth's method; the
    /// means of sampling are small).
    fn poisson(&mut self, lambda: f64) -> u32 {
        if lambda <= 0.0 {
            return 0;
        }
        let limit = (-lambda).exp();
        let mut k = 0;
        let mut p = 1.0;
        loop {
            p *= self.next_f64();
            if p <= limit || k >= 10_000 {
                return k;
            }
            k += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_is_repeatable_and_uniform_enough() {
        let mut a = SplitMix64(42);
        let mut b = SplitMix64(42);
        let xs: Vec<f64> = (0..1000).map(|_| a.next_f64()).collect();
        let ys: Vec<f64> = (0..1000).map(|_| b.next_f64()).collect();
        assert_eq!(xs, ys);
        assert!(xs.iter().all(|x| (0.0..1.0).contains(x)));
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        assert!((mean - 0.5).abs() < 0.05, "{mean}");
        let mut c = SplitMix64(7);
        let total: u32 = (0..2000).map(|_| c.poisson(2.0)).sum();
        let m = total as f64 / 2000.0;
        assert!((m - 2.0).abs() < 0.2, "{m}");
    }

    #[test]
    fn statistics_parse_like_spark() {
        assert!(matches!(parse_stat("count").unwrap(), Stat::Aggregate("count", false)));
        assert!(matches!(parse_stat("count_distinct").unwrap(), Stat::Aggregate("count", true)));
        assert!(matches!(parse_stat("25%").unwrap(), Stat::Percentile(p) if (p - 0.25).abs() < 1e-12));
        assert!(parse_stat("150%").is_err());
        assert!(parse_stat("median").unwrap_err().to_string().contains("not a recognised statistic"));
    }
}
