//! Row-group pruning: a row group is skipped when its min/max statistics
//! prove that a pushed comparison `column op literal` holds for none of its
//! rows. Anything the statistics cannot decide keeps the row group.

use arrow::array::{Array, ArrayRef, BooleanArray};
use ember_core::expr::BinaryOp;
use ember_core::{Result, ScalarValue};
use parquet::arrow::arrow_reader::statistics::StatisticsConverter;
use parquet::arrow::arrow_reader::ArrowReaderMetadata;

/// `column op value`, with `column` named as in the file.
#[derive(Debug, Clone)]
pub struct RowGroupPredicate {
    pub column: String,
    pub op: BinaryOp,
    pub value: ScalarValue,
}

/// One flag per row group: true when it may hold matching rows.
pub fn row_groups_to_read(meta: &ArrowReaderMetadata, predicates: &[RowGroupPredicate]) -> Result<Vec<bool>> {
    let groups = meta.metadata().row_groups();
    let mut keep = vec![true; groups.len()];
    for p in predicates {
        let Ok(conv) =
            StatisticsConverter::try_new(&p.column, meta.schema(), meta.metadata().file_metadata().schema_descr())
        else {
            continue;
        };
        let (Ok(mins), Ok(maxes)) = (conv.row_group_mins(groups.iter()), conv.row_group_maxes(groups.iter())) else {
            continue;
        };
        let Some(ruled_out) = rule_out(&p.op, &mins, &maxes, &p.value) else { continue };
        for (i, k) in keep.iter_mut().enumerate() {
            if ruled_out.is_valid(i) && ruled_out.value(i) {
                *k = false;
            }
        }
    }
    Ok(keep)
}

/// Per row group: true when no row can satisfy `col op value`.
fn rule_out(op: &BinaryOp, mins: &ArrayRef, maxes: &ArrayRef, value: &ScalarValue) -> Option<BooleanArray> {
    if value.is_null() || mins.data_type() != &value.data_type() {
        return None;
    }
    let v = value.to_array(mins.len());
    let cmp = |op: BinaryOp, a: &ArrayRef| ember_vector::compare::compare(op, a, &v).ok();
    match op {
        // all rows < value is impossible when min >= value
        BinaryOp::Lt => cmp(BinaryOp::GtEq, mins),
        BinaryOp::LtEq => cmp(BinaryOp::Gt, mins),
        BinaryOp::Gt => cmp(BinaryOp::LtEq, maxes),
        BinaryOp::GtEq => cmp(BinaryOp::Lt, maxes),
        BinaryOp::Eq => {
            let below = cmp(BinaryOp::Gt, mins)?;
            let above = cmp(BinaryOp::Lt, maxes)?;
            arrow::compute::or(&below, &above).ok()
        }
        _ => None,
    }
}
