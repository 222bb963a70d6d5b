//! Finishers of the aggregates the analyzer builds on `collect_list`: each
//! takes, per row, the list of a group's non-NULL values and computes the
//! aggregate exactly: `percentile` (linear interpolation), `percentile_approx`
//! (the value at rank `ceil(p * n)`, what Spark's sketch returns when it is
//! exact), `mode`, `product`, the central moments (`skewness`, `kurtosis`),
//! covariance / correlation / `regr_*` over `(y, x)` pairs, `bit_and` /
//! `bit_or` / `bit_xor`, `listagg` and the top-k form of `min_by` / `max_by`.
//!
//! These names are internal: only the analyzer emits them.

use std::sync::Arc;

use arrow::array::{new_null_array, Array, ArrayRef, AsArray, Float64Array, Int64Array, ListArray, StructArray};
use arrow::buffer::OffsetBuffer;
use arrow::compute::SortOptions;
use arrow::datatypes::*;
use arrow::row::{RowConverter, SortField};
use ember_core::{Error, Result};

use super::args::{build_strings, F64s, I64s, Strs};
use super::Ctx;

pub(super) fn eval(c: &Ctx) -> Option<Result<ArrayRef>> {
    Some(match c.name {
        "percentile_of" => percentile(c, false),
        "percentile_approx_of" => percentile(c, true),
        "mode_of" => mode(c),
        "product_of" => fold_f64(c, |v| Some(v.iter().product::<f64>())),
        "skewness_of" => fold_f64(c, |v| moments(v, |n, m2, m3, _| n.sqrt() * m3 / (m2 * m2 * m2).sqrt())),
        "kurtosis_of" => fold_f64(c, |v| moments(v, |n, m2, _, m4| n * m4 / (m2 * m2) - 3.0)),
        "covariance_of" => covariance(c),
        "bit_agg_of" => bit_agg(c),
        "listagg_of" => listagg(c),
        "top_by_of" => top_by(c),
        _ => return None,
    })
}

fn list(c: &Ctx, i: usize) -> Result<ListArray> {
    let a = c.arg(i)?.to_array(c.n);
    a.as_list_opt::<i32>().cloned().ok_or_else(|| Error::internal(format!("{} expects a list", c.name)))
}

fn range(l: &ListArray, i: usize) -> std::ops::Range<usize> {
    let o = l.value_offsets();
    o[i] as usize..o[i + 1] as usize
}

/// The group's values as doubles.
fn doubles(l: &ListArray) -> Result<Float64Array> {
    let v = arrow::compute::cast(l.values(), &DataType::Float64)?;
    Ok(v.as_primitive::<Float64Type>().clone())
}

/// Applies `f` to each group's values; an empty group is NULL, and so is a
/// non-finite-free `f` answering NaN from a zero divisor (Spark's
/// `divideByZeroEvalResult` outside legacy mode).
fn fold_f64(c: &Ctx, f: impl Fn(&[f64]) -> Option<f64>) -> Result<ArrayRef> {
    let l = list(c, 0)?;
    let v = doubles(&l)?;
    let out: Float64Array = (0..c.n)
        .map(|i| {
            let r = range(&l, i);
            if l.is_null(i) || r.is_empty() {
                return None;
            }
            f(&v.values()[r])
        })
        .collect();
    Ok(Arc::new(out))
}

/// `f(n, m2, m3, m4)` of the central moment sums; NULL when `m2` is 0.
fn moments(v: &[f64], f: impl Fn(f64, f64, f64, f64) -> f64) -> Option<f64> {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let (mut m2, mut m3, mut m4) = (0.0, 0.0, 0.0);
    for x in v {
        let d = x - mean;
        m2 += d * d;
        m3 += d * d * d;
        m4 += d * d * d * d;
    }
    if m2 == 0.0 {
        return None;
    }
    Some(f(n, m2, m3, m4))
}

/// Sorted positions (ascending, NaN last) of the values of one group.
fn sorted_positions(values: &ArrayRef, r: std::ops::Range<usize>) -> Result<Vec<usize>> {
    let conv = RowConverter::new(vec![SortField::new_with_options(
        values.data_type().clone(),
        SortOptions { descending: false, nulls_first: true },
    )])?;
    let rows = conv.convert_columns(&[values.slice(r.start, r.len())])?;
    let mut idx: Vec<usize> = (0..r.len()).collect();
    idx.sort_by(|a, b| rows.row(*a).cmp(&rows.row(*b)));
    Ok(idx.into_iter().map(|k| r.start + k).collect())
}

/// `percentile(list, p)` with `p` a double or an array of doubles: linear
/// interpolation between the closest ranks (`approx`: the value at rank
/// `ceil(p * n)`, of the input type).
fn percentile(c: &Ctx, approx: bool) -> Result<ArrayRef> {
    let l = list(c, 0)?;
    let p = c.arg(1)?.to_array(c.n);
    let many = matches!(p.data_type(), DataType::List(_));
    let values = l.values().clone();
    let dv = doubles(&l)?;
    // (row of the list, percentages) -> one result per percentage
    let mut picks: Vec<Option<f64>> = vec![];
    let mut exact: Vec<Option<usize>> = vec![];
    let mut offsets = vec![0i32];
    let mut valid = vec![];
    let ps_of = |i: usize| -> Result<Option<Vec<f64>>> {
        if p.is_null(i) {
            return Ok(None);
        }
        let one = if many { p.as_list::<i32>().value(i) } else { p.slice(i, 1) };
        let one = arrow::compute::cast(&one, &DataType::Float64)?;
        Ok(Some(one.as_primitive::<Float64Type>().iter().map(|x| x.unwrap_or(f64::NAN)).collect()))
    };
    for i in 0..c.n {
        let r = range(&l, i);
        let Some(ps) = ps_of(i)? else {
            valid.push(false);
            offsets.push(picks.len().max(exact.len()) as i32);
            continue;
        };
        if ps.iter().any(|p| !(0.0..=1.0).contains(p)) {
            return Err(crate::errors::spark_error(
                "DATATYPE_MISMATCH.VALUE_OUT_OF_RANGE",
                "42K09",
                "The percentage value must be between 0.0 and 1.0, but got <currentValue>.",
                &[("currentValue", format!("{ps:?}"))],
            ));
        }
        if l.is_null(i) || r.is_empty() {
            valid.push(false);
            offsets.push(picks.len().max(exact.len()) as i32);
            continue;
        }
        let sorted = sorted_positions(&values, r.clone())?;
        let n = sorted.len();
        for p in ps {
            if approx {
                let rank = ((p * n as f64).ceil() as usize).clamp(1, n);
                exact.push(Some(sorted[rank - 1]));
            } else {
                let pos = p * (n - 1) as f64;
                let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
                let (a, b) = (dv.value(sorted[lo]), dv.value(sorted[hi]));
                picks.push(Some(if lo == hi { a } else { a + (pos - lo as f64) * (b - a) }));
            }
        }
        valid.push(true);
        offsets.push(picks.len().max(exact.len()) as i32);
    }
    let flat: ArrayRef = if approx {
        let idx: arrow::array::UInt32Array = exact.iter().map(|p| p.map(|v| v as u32)).collect();
        arrow::compute::take(&values, &idx, None)?
    } else {
        Arc::new(Float64Array::from(picks))
    };
    if many {
        let DataType::List(field) = c.return_type else {
            return Err(Error::internal("percentile of an array must return an array"));
        };
        let flat =
            if flat.data_type() != field.data_type() { arrow::compute::cast(&flat, field.data_type())? } else { flat };
        let nulls = (!valid.iter().all(|v| *v)).then(|| arrow::buffer::NullBuffer::from(valid));
        return Ok(Arc::new(ListArray::try_new(field.clone(), OffsetBuffer::new(offsets.into()), flat, nulls)?));
    }
    // one value per valid row: spread back over the rows
    let mut k = 0;
    let idx: arrow::array::UInt32Array = valid
        .iter()
        .map(|v| {
            if *v {
                k += 1;
                Some(k as u32 - 1)
            } else {
                None
            }
        })
        .collect();
    let out = arrow::compute::take(&flat, &idx, None)?;
    if out.data_type() != c.return_type {
        return Ok(arrow::compute::cast(&out, c.return_type)?);
    }
    Ok(out)
}

/// `mode`: the most frequent value; ties go to the smallest.
fn mode(c: &Ctx) -> Result<ArrayRef> {
    let l = list(c, 0)?;
    let values = l.values().clone();
    let mut picks: Vec<Option<u32>> = Vec::with_capacity(c.n);
    for i in 0..c.n {
        let r = range(&l, i);
        if l.is_null(i) || r.is_empty() {
            picks.push(None);
            continue;
        }
        let sorted = sorted_positions(&values, r)?;
        let conv = RowConverter::new(vec![SortField::new(values.data_type().clone())])?;
        let rows = conv.convert_columns(std::slice::from_ref(&values))?;
        let (mut best, mut best_n, mut k) = (sorted[0], 0, 0);
        while k < sorted.len() {
            let mut j = k;
            while j < sorted.len() && rows.row(sorted[j]) == rows.row(sorted[k]) {
                j += 1;
            }
            if j - k > best_n {
                best_n = j - k;
                best = sorted[k];
            }
            k = j;
        }
        picks.push(Some(best as u32));
    }
    let idx: arrow::array::UInt32Array = picks.into_iter().collect();
    Ok(arrow::compute::take(&values, &idx, None)?)
}

/// Covariance family over a list of `(y, x)` structs: `kind` is one of
/// covar_pop, covar_samp, corr, regr_sxx, regr_syy, regr_sxy, regr_slope,
/// regr_intercept, regr_r2.
fn covariance(c: &Ctx) -> Result<ArrayRef> {
    let l = list(c, 0)?;
    let kind = Strs::new(c.arg(1)?)?;
    let pairs = l.values().as_struct_opt().ok_or_else(|| Error::internal("covariance of non-pairs"))?;
    let ys = arrow::compute::cast(pairs.column(0), &DataType::Float64)?;
    let xs = arrow::compute::cast(pairs.column(1), &DataType::Float64)?;
    let (ys, xs) = (ys.as_primitive::<Float64Type>(), xs.as_primitive::<Float64Type>());
    let out: Float64Array = (0..c.n)
        .map(|i| {
            let r = range(&l, i);
            let kind = kind.get(i)?;
            if l.is_null(i) || r.is_empty() {
                return None;
            }
            let n = r.len() as f64;
            let (my, mx) =
                (r.clone().map(|k| ys.value(k)).sum::<f64>() / n, r.clone().map(|k| xs.value(k)).sum::<f64>() / n);
            let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
            for k in r {
                let (dy, dx) = (ys.value(k) - my, xs.value(k) - mx);
                sxx += dx * dx;
                syy += dy * dy;
                sxy += dx * dy;
            }
            let nonzero = |d: f64| (d != 0.0).then_some(d);
            match kind {
                "covar_pop" => Some(sxy / n),
                "covar_samp" => nonzero(n - 1.0).map(|d| sxy / d),
                "corr" => nonzero((sxx * syy).sqrt()).map(|d| sxy / d),
                "regr_sxx" => Some(sxx),
                "regr_syy" => Some(syy),
                "regr_sxy" => Some(sxy),
                "regr_slope" => nonzero(sxx).map(|d| sxy / d),
                "regr_intercept" => nonzero(sxx).map(|d| my - sxy / d * mx),
                "regr_r2" => {
                    let d = nonzero(sxx)?;
                    if syy == 0.0 {
                        Some(1.0)
                    } else {
                        Some(sxy * sxy / (d * syy))
                    }
                }
                _ => None,
            }
        })
        .collect();
    Ok(Arc::new(out))
}

/// `bit_and` / `bit_or` / `bit_xor` of a group's integers, in the input type.
fn bit_agg(c: &Ctx) -> Result<ArrayRef> {
    let l = list(c, 0)?;
    let op = Strs::new(c.arg(1)?)?;
    let v = arrow::compute::cast(l.values(), &DataType::Int64)?;
    let v = v.as_primitive::<Int64Type>();
    let out: Int64Array = (0..c.n)
        .map(|i| {
            let r = range(&l, i);
            if l.is_null(i) || r.is_empty() {
                return None;
            }
            let it = r.map(|k| v.value(k));
            match op.get(i)? {
                "and" => it.reduce(|a, b| a & b),
                "or" => it.reduce(|a, b| a | b),
                _ => it.reduce(|a, b| a ^ b),
            }
        })
        .collect();
    let out: ArrayRef = Arc::new(out);
    Ok(arrow::compute::cast(&out, c.return_type)?)
}

/// `listagg(x, delimiter)`: the values joined; NULL for no values.
fn listagg(c: &Ctx) -> Result<ArrayRef> {
    let l = list(c, 0)?;
    let d = Strs::new(c.arg(1)?)?;
    let strings = crate::cast::cast_in_zone(l.values(), &DataType::Utf8, ember_core::EvalMode::Legacy, c.tz)?;
    let strings = strings.as_string::<i32>();
    build_strings(c.n, |i, buf| {
        let r = range(&l, i);
        if l.is_null(i) || r.is_empty() {
            return Ok(false);
        }
        let delim = d.get(i).unwrap_or("");
        for (j, k) in r.enumerate() {
            if j > 0 {
                buf.push_str(delim);
            }
            buf.push_str(strings.value(k));
        }
        Ok(true)
    })
}

/// `max_by(x, y, k)` / `min_by(x, y, k)` over a list of `(y, x)` structs:
/// the `x` of the `k` largest (`max`) or smallest `y`, in that order.
fn top_by(c: &Ctx) -> Result<ArrayRef> {
    let l = list(c, 0)?;
    let k = I64s::new(c.arg(1)?)?;
    let largest = F64s::new(c.arg(2)?)?;
    let pairs: &StructArray = l.values().as_struct_opt().ok_or_else(|| Error::internal("top_by of non-pairs"))?;
    let (ys, xs) = (pairs.column(0).clone(), pairs.column(1).clone());
    let DataType::List(field) = c.return_type else {
        return Err(Error::internal("top_by must return a list"));
    };
    let mut idx: Vec<Option<u32>> = vec![];
    let mut offsets = vec![0i32];
    let mut valid = vec![];
    for i in 0..c.n {
        let (Some(k), false) = (k.get(i), l.is_null(i)) else {
            offsets.push(idx.len() as i32);
            valid.push(false);
            continue;
        };
        let desc = largest.get(i).unwrap_or(1.0) > 0.0;
        let r = range(&l, i);
        let conv = RowConverter::new(vec![SortField::new_with_options(
            ys.data_type().clone(),
            SortOptions { descending: desc, nulls_first: false },
        )])?;
        let rows = conv.convert_columns(&[ys.slice(r.start, r.len())])?;
        let mut order: Vec<usize> = (0..r.len()).collect();
        order.sort_by(|a, b| rows.row(*a).cmp(&rows.row(*b)));
        idx.extend(order.into_iter().take(k.max(0) as usize).map(|j| Some((r.start + j) as u32)));
        offsets.push(idx.len() as i32);
        valid.push(true);
    }
    let take: arrow::array::UInt32Array = idx.into_iter().collect();
    let vals =
        if take.is_empty() { new_null_array(field.data_type(), 0) } else { arrow::compute::take(&xs, &take, None)? };
    let vals =
        if vals.data_type() != field.data_type() { arrow::compute::cast(&vals, field.data_type())? } else { vals };
    let nulls = (!valid.iter().all(|v| *v)).then(|| arrow::buffer::NullBuffer::from(valid));
    Ok(Arc::new(ListArray::try_new(field.clone(), OffsetBuffer::new(offsets.into()), vals, nulls)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn central_moments() {
        // skewness(-10, -20, 100, 1000) = 1.1135657469022011 (Spark's docs)
        let v = [-10.0, -20.0, 100.0, 1000.0];
        let s = moments(&v, |n, m2, m3, _| n.sqrt() * m3 / (m2 * m2 * m2).sqrt()).unwrap();
        assert!((s - 1.1135657469022011).abs() < 1e-12);
        // kurtosis(-10, -20, 100, 1000) = -0.7014368047529627
        let k = moments(&v, |n, m2, _, m4| n * m4 / (m2 * m2) - 3.0).unwrap();
        assert!((k - -0.7014368047529627).abs() < 1e-12);
        assert!(moments(&[1.0, 1.0], |_, m2, _, _| m2).is_none());
    }
}
