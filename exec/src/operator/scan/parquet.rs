//! Parquet scan. Morsels are row groups, handed out through an atomic
//! cursor; row groups whose statistics rule out the pushed filters are
//! skipped before any data is read. Only the projected columns are decoded.
//!
//! Late materialization: with a [`ScanFilter`], a row group is read in up
//! to three passes. The prefilter answers the conjuncts on columns it can
//! per Parquet dictionary value (`dictionary_pages`); the filter pass
//! decodes the other filter columns, for the rows the prefilter kept, and
//! applies their conjuncts; the last pass decodes the remaining columns for
//! the surviving rows only (a Parquet row selection), and the chunks are
//! assembled from all three.

use std::fs::File;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, RecordBatch, RecordBatchOptions};
use arrow::buffer::BooleanBuffer;
use arrow::compute::concat_batches;
use arrow::datatypes::{DataType, Schema, SchemaRef};
use ember_core::expr::ColumnId;
use ember_core::{Attribute, Error, Expr, Result};
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder, RowSelection,
    RowSelectionPolicy,
};
use parquet::arrow::ProjectionMask;
use parquet::file::metadata::ParquetMetaData;
use parquet::file::reader::ChunkReader;
use parquet::file::serialized_reader::SerializedPageReader;

use crate::expr::{compile, filter_with, narrow_selection, Binding, PhysicalExpr};
use crate::operator::join::hash_join::JoinKey;
use crate::operator::scan::dictionary_filter::{dictionary_column, evaluate_on_dictionary, per_value_column};
use crate::operator::scan::dictionary_pages::{
    dictionary_verdicts, reads_values, selected_values, worth_answering_per_value, DictionaryColumn, StringsAs,
};
use crate::operator::scan::pruning::RowGroupPredicate;
use crate::operator::scan::row_group_bytes::RowGroupBytes;
use crate::pipeline::{local_mut, local_ref, LocalState, Source, UnitChunks};

/// Conjuncts a Parquet scan applies itself, on its filter columns first.
pub struct ScanFilter {
    /// Columns of numbers, decimals, dates or timestamps all of whose conjuncts compare them
    /// with literals, and join keys (when join filters may go first):
    /// answered first, once per dictionary value where the column chunk is
    /// dictionary-encoded (`dictionary_pages`); an emitted one keeps its
    /// keys for the values of the rows kept. The other columns are read
    /// only for the rows they keep.
    prefilter: Vec<ColumnFilter>,
    /// Bound to `schema`: the filter columns in file order.
    conjuncts: Vec<PhysicalExpr>,
    /// File column indices of the filter columns, ascending.
    file_columns: Vec<usize>,
    schema: SchemaRef,
    /// The other projected file columns, ascending (decoded in the second pass).
    rest_columns: Vec<usize>,
    /// The filter columns the scan emits (indices into `schema`): a column
    /// only the filter reads is not kept past it (nor decoded from its
    /// dictionary).
    kept_columns: Vec<usize>,
    /// Those columns, of their Spark types.
    pass_kept_schema: SchemaRef,
    /// The rows a filter keeps hold those, then the emitted prefilter
    /// columns.
    kept_schema: SchemaRef,
    /// For each emitted column: (from the filter pass?, index in that
    /// pass's kept batch or in the second pass's batch).
    assembly: Vec<(bool, usize)>,
    /// Per conjunct: the string column it can be evaluated on per
    /// dictionary value (`dictionary_filter`).
    dictionary_columns: Vec<Option<usize>>,
    /// Per conjunct: the filter columns it reads (`None`: maybe all).
    conjunct_columns: Vec<Option<Vec<usize>>>,
    /// Applied after the conjuncts, or before them when `joins_first`.
    joins: Vec<JoinFilter>,
    /// The join filters go first when no conjunct can fail on a row: they
    /// are typically the more selective, and the rows they drop need not
    /// be compared and copied (TPC-H Q4's `l_commitdate < l_receiptdate`
    /// keeps 63% of lineitem, its join filter 4%). A conjunct that can fail
    /// must still see every row Spark's plan would show it.
    joins_first: bool,
    display: String,
}

/// The conjuncts on one column that `ScanFilter::prefilter` answers.
struct ColumnFilter {
    /// Its index in the file schema.
    file_column: usize,
    /// The one-column batch the conjuncts are bound to, of its Spark type.
    schema: SchemaRef,
    conjuncts: Vec<PhysicalExpr>,
    /// Join filters on it (`column` unused).
    joins: Vec<JoinFilter>,
    /// The scan emits it: the kept rows' values are taken from the
    /// prefilter's reading (after the filter pass's kept columns).
    emitted: bool,
}

impl ColumnFilter {
    /// Whether each value of `batch`'s one column passes every conjunct
    /// and join filter (a NULL answer fails).
    fn verdicts(&self, batch: &RecordBatch) -> Result<BooleanBuffer> {
        let mut pass = BooleanBuffer::new_set(batch.num_rows());
        let mut and = |answer: &BooleanArray| -> Result<()> {
            if answer.len() != pass.len() {
                return Err(Error::internal("a filter conjunct returned a mask of another length"));
            }
            pass = &pass & answer.values();
            if let Some(nulls) = answer.nulls() {
                pass = &pass & nulls.inner();
            }
            Ok(())
        };
        for conjunct in &self.conjuncts {
            and(conjunct.evaluate(batch)?.as_boolean())?;
        }
        for join in &self.joins {
            if let Some(mask) = join.evaluate_all(batch.column(0))? {
                and(&mask)?;
            }
        }
        Ok(pass)
    }
}

/// How a prefilter read an emitted column, for the values of the rows the
/// filter keeps.
enum PrefilterColumn {
    Dictionary(DictionaryColumn),
    Decoded(ArrayRef),
}

impl PrefilterColumn {
    fn rows(&self, selected: &BooleanBuffer) -> Result<ArrayRef> {
        match self {
            PrefilterColumn::Dictionary(d) => d.rows(selected),
            PrefilterColumn::Decoded(values) => {
                Ok(arrow::compute::filter(values.as_ref(), &BooleanArray::new(selected.clone(), None))?)
            }
        }
    }
}

/// Spark types whose Parquet dictionaries `dictionary_pages` reads.
fn per_value_type(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::Date32
            | DataType::Decimal128(_, _)
            | DataType::Float32
            | DataType::Float64
            | DataType::Timestamp(_, _)
    )
}

/// Keeps the rows whose key has a match in a hash join's build side, for a
/// join this scan's rows are probed into later that yields nothing for an
/// unmatched probe row: rows that cannot match are dropped before their
/// other columns are decoded.
pub struct JoinFilter {
    /// The key column, in the filter pass's schema.
    column: usize,
    join: JoinKey,
    /// Rows seen and kept: a filter that keeps almost everything only costs
    /// a second hash lookup per row, and is switched off.
    seen: AtomicU64,
    kept: AtomicU64,
}

impl JoinFilter {
    /// The rows of `keys` to keep; `None` when the filter is not worth it
    /// (or its build side is not there, which cannot happen when pipelines
    /// run in order).
    fn evaluate(&self, keys: &ArrayRef) -> Result<Option<BooleanArray>> {
        if self.keeps_almost_all() {
            return Ok(None);
        }
        let Some(index) = self.join.index.get() else {
            return Ok(None);
        };
        let Some(mask) = index.contains(self.join.key, keys)? else {
            // the index cannot answer for this key (no bitmap of it): off
            // for good, like a filter that keeps almost every row
            self.seen.store(JOIN_FILTER_TRIAL_ROWS, Ordering::Relaxed);
            self.kept.store(JOIN_FILTER_TRIAL_ROWS, Ordering::Relaxed);
            return Ok(None);
        };
        self.seen.fetch_add(keys.len() as u64, Ordering::Relaxed);
        self.kept.fetch_add(mask.true_count() as u64, Ordering::Relaxed);
        Ok(Some(mask))
    }

    /// Whether the rows seen so far show the filter keeps almost all rows
    /// (then it costs more than it saves).
    fn keeps_almost_all(&self) -> bool {
        let seen = self.seen.load(Ordering::Relaxed);
        seen >= JOIN_FILTER_TRIAL_ROWS && self.kept.load(Ordering::Relaxed) * 10 > seen * 9
    }

    /// The rows of `keys` to keep, without switching the filter off (for
    /// a dictionary's values, few); `None` when the index cannot answer.
    fn evaluate_all(&self, keys: &ArrayRef) -> Result<Option<BooleanArray>> {
        match self.join.index.get() {
            Some(index) => index.contains(self.join.key, keys),
            None => Ok(None),
        }
    }
}

/// Rows a join filter is tried on before it may be switched off.
const JOIN_FILTER_TRIAL_ROWS: u64 = 100_000;

impl ScanFilter {
    /// `conjuncts` and `joins` (key column, join) over the scan's `output`
    /// (read from file columns `projection`), which emits the `emitted`
    /// positions of `output`; `per_value` tells the file columns whose
    /// chunks are worth answering per dictionary value.
    pub fn try_new(
        conjuncts: &[Expr],
        joins: &[(ColumnId, JoinKey)],
        output: &[Attribute],
        projection: &[usize],
        emitted: &[usize],
        per_value: &dyn Fn(usize) -> bool,
    ) -> Result<ScanFilter> {
        let all_conjuncts = conjuncts;
        // A conjunct that can fail must see every row Spark's plan shows
        // it, so only those before the first such conjunct may go first.
        let everything = Binding::new(output);
        let mut eligible = Vec::with_capacity(conjuncts.len());
        let mut failing = false;
        for c in conjuncts {
            let compiled = compile(c, &everything)?;
            failing |= !compiled.cannot_fail();
            eligible.push(!failing && per_value_column(&compiled).is_some());
        }
        let all_joins = joins;
        let mut prefilter = Vec::new();
        let mut taken = vec![false; conjuncts.len()];
        let mut joins_taken = vec![false; joins.len()];
        // (output position, conjuncts on it, join filters on it)
        let mut candidates = Vec::new();
        for (p, attr) in output.iter().enumerate() {
            let column_joins: Vec<usize> = (0..joins.len()).filter(|j| joins[*j].0 == attr.id).collect();
            // join filters go first only when no conjunct can fail (see
            // `joins_first`)
            if (failing && !column_joins.is_empty()) || !per_value_type(&attr.data_type) {
                continue;
            }
            let on: Vec<usize> =
                (0..conjuncts.len()).filter(|i| conjuncts[*i].column_ids().contains(&attr.id)).collect();
            if (on.is_empty() && column_joins.is_empty())
                || !on.iter().all(|i| eligible[*i] && conjuncts[*i].column_ids() == [attr.id])
            {
                continue;
            }
            candidates.push((p, on, column_joins));
        }
        // A column with join filters only is answered on every row of a row
        // group: worth it when nothing cheaper goes first. After a
        // conjunct's column (TPC-H Q14's month of `l_shipdate`, 1.2% of
        // `lineitem`), its join filter runs on the rows that column keeps,
        // in the filter pass.
        // Likewise, all of the scan's join filters go first or none does:
        // one left to the filter pass may be the most selective (TPC-H
        // Q08's `l_partkey`, 0.7% of `lineitem`, whose near-unique keys
        // are not worth answering per value), and would then run after
        // the others, on more rows.
        let conjunct_columns = candidates.iter().any(|(_, on, _)| !on.is_empty());
        let all_joins_per_value = joins.iter().all(|(id, _)| {
            candidates.iter().any(|(p, _, column_joins)| output[*p].id == *id && !column_joins.is_empty())
                && output.iter().position(|a| a.id == *id).is_some_and(|p| per_value(projection[p]))
        });
        for (p, on, column_joins) in candidates {
            if on.is_empty() && (conjunct_columns || !all_joins_per_value) {
                continue;
            }
            let attr = &output[p];
            let binding = Binding::new(std::slice::from_ref(attr));
            let compiled = on.iter().map(|i| compile(&conjuncts[*i], &binding)).collect::<Result<Vec<_>>>()?;
            for i in on {
                taken[i] = true;
            }
            for j in &column_joins {
                joins_taken[*j] = true;
            }
            let column_joins = column_joins
                .iter()
                .map(|j| JoinFilter {
                    column: 0,
                    join: joins[*j].1.clone(),
                    seen: AtomicU64::new(0),
                    kept: AtomicU64::new(0),
                })
                .collect();
            let field = arrow::datatypes::Field::new(&attr.name, attr.data_type.clone(), true);
            prefilter.push(ColumnFilter {
                file_column: projection[p],
                schema: Arc::new(Schema::new(vec![field])),
                conjuncts: compiled,
                joins: column_joins,
                emitted: emitted.contains(&p),
            });
        }
        let joins: Vec<(ColumnId, JoinKey)> =
            joins.iter().zip(&joins_taken).filter(|(_, taken)| !**taken).map(|(j, _)| j.clone()).collect();
        let conjuncts: Vec<Expr> =
            conjuncts.iter().zip(&taken).filter(|(_, taken)| !**taken).map(|(c, _)| c.clone()).collect();
        let mut positions: Vec<usize> = Vec::new();
        let ids = conjuncts.iter().flat_map(|c| c.column_ids()).chain(joins.iter().map(|(id, _)| *id));
        for id in ids {
            let p = output
                .iter()
                .position(|a| a.id == id)
                .ok_or_else(|| Error::internal("a scan filter reads a column the scan does not produce"))?;
            if !positions.contains(&p) {
                positions.push(p);
            }
        }
        // the reader yields columns in file order
        positions.sort_by_key(|p| projection[*p]);
        let attrs: Vec<Attribute> = positions.iter().map(|p| output[*p].clone()).collect();
        let binding = Binding::new(&attrs);
        let compiled = conjuncts.iter().map(|c| compile(c, &binding)).collect::<Result<Vec<_>>>()?;
        let file_columns: Vec<usize> = positions.iter().map(|p| projection[*p]).collect();
        let mut rest_columns: Vec<usize> = projection
            .iter()
            .copied()
            .filter(|c| !file_columns.contains(c) && !prefilter.iter().any(|f| f.file_column == *c))
            .collect();
        rest_columns.sort_unstable();
        // filter columns stay in file order; the emitted ones among them
        let kept_columns: Vec<usize> =
            (0..positions.len()).filter(|i| emitted.iter().any(|p| projection[*p] == file_columns[*i])).collect();
        let missing = || Error::internal("a scan emits a column neither of its passes reads");
        let emitted_prefilter: Vec<&ColumnFilter> = prefilter.iter().filter(|f| f.emitted).collect();
        let assembly = emitted
            .iter()
            .map(|p| {
                let c = projection[*p];
                let from_prefilter = emitted_prefilter.iter().position(|f| f.file_column == c);
                Ok(match (file_columns.iter().position(|f| *f == c), from_prefilter) {
                    (Some(i), _) => (true, kept_columns.iter().position(|k| *k == i).ok_or_else(missing)?),
                    (None, Some(f)) => (true, kept_columns.len() + f),
                    (None, None) => (false, rest_columns.iter().position(|r| *r == c).ok_or_else(missing)?),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let schema = Arc::new(Schema::new(
            attrs.iter().map(|a| arrow::datatypes::Field::new(&a.name, a.data_type.clone(), true)).collect::<Vec<_>>(),
        ));
        let pass_kept_schema = Arc::new(schema.project(&kept_columns)?);
        let kept_fields = pass_kept_schema.fields().iter().cloned();
        let prefilter_fields = emitted_prefilter.iter().map(|f| f.schema.fields()[0].clone());
        let kept_schema = Arc::new(Schema::new(kept_fields.chain(prefilter_fields).collect::<Vec<_>>()));
        let mut display = all_conjuncts.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(" AND ");
        for (id, _) in all_joins {
            if !display.is_empty() {
                display.push_str(" AND ");
            }
            let name = output.iter().find(|a| a.id == *id).map_or("?", |a| a.name.as_str());
            display.push_str(&format!("{name} IN join build side"));
        }
        let joins = joins
            .iter()
            .map(|(id, join)| {
                let column = attrs.iter().position(|a| a.id == *id).unwrap_or(0);
                JoinFilter { column, join: join.clone(), seen: AtomicU64::new(0), kept: AtomicU64::new(0) }
            })
            .collect();
        let dictionary_columns = compiled.iter().map(|c| dictionary_column(c, &schema)).collect();
        let conjunct_columns = compiled.iter().map(PhysicalExpr::columns).collect();
        let joins_first = compiled.iter().all(PhysicalExpr::cannot_fail);
        Ok(ScanFilter {
            prefilter,
            conjuncts: compiled,
            file_columns,
            schema,
            rest_columns,
            kept_columns,
            pass_kept_schema,
            kept_schema,
            assembly,
            dictionary_columns,
            conjunct_columns,
            joins,
            joins_first,
            display,
        })
    }
}

pub struct ParquetScan {
    pub table_name: String,
    files: Vec<(String, ArrowReaderMetadata)>,
    /// Projected column indices into the file schema.
    projection: Vec<usize>,
    /// Output schema (Spark types of the emitted columns).
    schema: SchemaRef,
    /// The positions of `output` the scan emits, in order: all of them,
    /// unless columns only a pushed filter reads are left out (`emit_only`).
    emitted: Vec<usize>,
    /// (file index, row group index) still to read.
    morsels: Vec<(usize, usize)>,
    cursor: AtomicUsize,
    batch_size: usize,
    pruned: usize,
    /// The scan's columns, which filters refer to.
    output: Vec<Attribute>,
    /// Pushed conjuncts and join filters; `filtering` is built from them.
    conjuncts: Vec<Expr>,
    joins: Mutex<Vec<(ColumnId, JoinKey)>>,
    /// Built from them once the join filters are known.
    filtering: RwLock<Option<Arc<ScanFilter>>>,
}

/// A dictionary page at most this large marks a column chunk whose pages are
/// all dictionary-encoded with few values (a writer falls back to plain
/// pages once its dictionary grows past its limit, 1 MiB by default).
const SMALL_DICTIONARY_PAGE: i64 = 64 * 1024;

struct ParquetLocal {
    morsel: Option<MorselReader>,
    /// The row group being read (its morsel number) and how many chunks it
    /// gave so far.
    place: UnitChunks,
}

/// What a worker reads its current row group from.
enum MorselReader {
    /// Every projected column at once.
    Plain(ParquetRecordBatchReader),
    /// Every emitted column, read from its dictionary up front, handed out
    /// a chunk at a time from `offset`.
    Whole { batch: RecordBatch, offset: usize },
    /// After the filter pass: `kept` holds the filter columns of the
    /// surviving rows (from `offset` on still to hand out); `rest` reads
    /// the other columns of those rows.
    Filtered { filter: Arc<ScanFilter>, kept: RecordBatch, offset: usize, rest: RestColumns },
}

/// How a filtered row group's other columns (`ScanFilter::rest_columns`)
/// are read for the rows the filter keeps.
#[derive(Default)]
struct RestColumns {
    /// Per rest column: its kept rows' values, read from its dictionary
    /// up front; `None` for the columns `reader` decodes.
    from_dictionaries: Vec<Option<ArrayRef>>,
    /// Per rest column: its index among the reader's columns (for those
    /// it decodes).
    reader_columns: Vec<usize>,
    /// Decodes the others: only the kept rows or, with `mask`, every row,
    /// to be filtered here.
    reader: Option<ParquetRecordBatchReader>,
    mask: Option<RestMask>,
}

/// The filter pass's verdict on every row of a row group, applied to the
/// other columns after they are decoded in full (see `decode_in_full`).
struct RestMask {
    mask: BooleanArray,
    /// Rows of the row group decoded so far.
    position: usize,
}

impl RestMask {
    /// The rows of `batch`, the row group's next rows, that the mask keeps.
    fn apply(&mut self, batch: &RecordBatch) -> Result<RecordBatch> {
        let n = batch.num_rows();
        if self.position + n > self.mask.len() {
            return Err(Error::internal("a filtered scan read more rows than its row group has"));
        }
        let mask = self.mask.slice(self.position, n);
        self.position += n;
        Ok(arrow::compute::filter_record_batch(batch, &mask)?)
    }
}

/// What the reader's skipping or reading of one run of a row selection
/// costs, in rows decoded.
const SELECTION_RUN_COST: usize = 24;

/// Whether the other columns of a row group are cheaper to decode in full
/// and filter by the mask than to read run by run, when the filter pass
/// kept `kept` of `rows` rows in `runs` runs (kept and skipped). Decoding
/// in full costs every row, plus about a quarter of a row each for the
/// filter's copy; following the runs costs the kept rows plus a fixed cost
/// per run. Short runs (TPC-H Q21's `o_orderstatus = 'F'`, half of
/// `orders`), a few rows dropped here and there (Q01's `l_shipdate` drops
/// 1.4%) and a few percent kept one by one (Q10's `o_orderdate` range,
/// 3.8% of `orders`) go in full; fewer rows kept one by one (Q07's 2% of
/// `lineitem`) or a few long runs go run by run.
fn decode_in_full(runs: usize, rows: usize, kept: usize) -> bool {
    runs.saturating_mul(SELECTION_RUN_COST) > (rows + rows / 4).saturating_sub(kept)
}

/// The runs of equal verdicts (kept or skipped) in `masks` read one after
/// the other: the selectors `RowSelection::from_filters` would make, counted
/// 64 rows at a time without making them (half of `orders` kept in runs of
/// a row or two is 750K selectors, most of the time decoded in full anyway).
fn selection_runs(masks: &[BooleanArray]) -> usize {
    let mut runs = 0;
    let mut last: Option<bool> = None;
    for mask in masks {
        let chunks = mask.values().bit_chunks();
        let words =
            chunks.iter().map(|w| (w, 64)).chain(std::iter::once((chunks.remainder_bits(), chunks.remainder_len())));
        for (word, len) in words {
            if len == 0 {
                continue;
            }
            if last != Some(word & 1 == 1) {
                runs += 1;
            }
            // bit i differs from bit i + 1, for the len - 1 pairs in the word
            let pairs = if len == 64 { u64::MAX >> 1 } else { (1u64 << (len - 1)) - 1 };
            runs += ((word ^ (word >> 1)) & pairs).count_ones() as usize;
            last = Some((word >> (len - 1)) & 1 == 1);
        }
    }
    runs
}

/// Above this many bytes of column chunks, a row group is read page by
/// page from the file rather than up front (`RowGroupBytes`): a file
/// written as one huge row group would otherwise sit in memory whole, once
/// per worker.
const ROW_GROUP_BYTES_LIMIT: u64 = 256 << 20;

impl ParquetScan {
    pub fn try_new(
        table_name: String,
        files: &[String],
        projection: Vec<usize>,
        output: Vec<Attribute>,
        schema: SchemaRef,
        predicates: &[RowGroupPredicate],
        batch_size: usize,
    ) -> Result<ParquetScan> {
        let mut opened = Vec::with_capacity(files.len());
        let mut morsels = Vec::new();
        let mut pruned = 0;
        for (fi, f) in files.iter().enumerate() {
            let meta = crate::files::parquet_metadata(f)?;
            // low-cardinality strings are read as their dictionary keys and
            // decoded by `conform_column` (or filtered per dictionary value)
            let all: Vec<usize> = (0..meta.schema().fields().len()).collect();
            let meta = dictionary_metadata(&meta, &all)?.unwrap_or(meta);
            let keep = crate::operator::scan::pruning::row_groups_to_read(&meta, predicates)?;
            for (rg, k) in keep.into_iter().enumerate() {
                if k {
                    morsels.push((fi, rg));
                } else {
                    pruned += 1;
                }
            }
            opened.push((f.clone(), meta));
        }
        Ok(ParquetScan {
            table_name,
            files: opened,
            emitted: (0..projection.len()).collect(),
            projection,
            schema,
            morsels,
            cursor: AtomicUsize::new(0),
            batch_size,
            pruned,
            output,
            conjuncts: vec![],
            joins: Mutex::new(vec![]),
            filtering: RwLock::new(None),
        })
    }

    /// Applies `conjuncts` (over the scan's output) while reading (see the
    /// module comment).
    pub fn with_filter(mut self, conjuncts: Vec<Expr>) -> Result<ParquetScan> {
        self.conjuncts = conjuncts;
        self.rebuild_filter()?;
        Ok(self)
    }

    /// Emits only the `columns` of the scan's output (in output order):
    /// columns that only pushed conjuncts read are read, filtered on and
    /// dropped (TPC-H Q10's `l_returnflag = 'R'` keeps a quarter of
    /// `lineitem`, whose flags nothing else reads). The scan's attributes are
    /// then `emitted_attributes`.
    pub fn emit_only(mut self, columns: &[ColumnId]) -> Result<ParquetScan> {
        self.emitted = (0..self.output.len()).filter(|p| columns.contains(&self.output[*p].id)).collect();
        self.schema = Arc::new(self.schema.project(&self.emitted)?);
        self.rebuild_filter()?;
        Ok(self)
    }

    /// The attributes of the emitted columns.
    pub fn emitted_attributes(&self) -> Vec<Attribute> {
        self.emitted.iter().map(|p| self.output[*p].clone()).collect()
    }

    /// Whether `column` is one of the scan's own columns.
    pub fn produces(&self, column: ColumnId) -> bool {
        self.output.iter().any(|a| a.id == column)
    }

    /// Also keeps only rows whose `column` has a match in `index`'s build
    /// side (the scan feeds a join on that one key which drops unmatched
    /// probe rows). Called while planning, before anything runs.
    pub fn add_join_filter(&self, column: ColumnId, join: JoinKey) -> Result<()> {
        self.joins.lock().unwrap_or_else(|e| e.into_inner()).push((column, join));
        self.rebuild_filter()
    }

    fn rebuild_filter(&self) -> Result<()> {
        let joins = self.joins.lock().unwrap_or_else(|e| e.into_inner()).clone();
        // a key column with join filters only goes first where its first
        // chunk is answered per dictionary value; decoding a column of
        // near-unique keys on its own only adds a pass
        let per_value =
            |c: usize| self.files.first().is_some_and(|(_, meta)| per_value_chunk(meta.metadata(), 0, c).is_some());
        let filter =
            ScanFilter::try_new(&self.conjuncts, &joins, &self.output, &self.projection, &self.emitted, &per_value)?;
        *self.filtering.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(filter));
        Ok(())
    }

    fn filtering(&self) -> Option<Arc<ScanFilter>> {
        self.filtering.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// A reader of `columns` (file indices) of row group `m`, optionally
    /// only of the `selection`'s rows.
    fn reader(
        &self,
        m: (usize, usize),
        columns: &[usize],
        selection: Option<RowSelection>,
    ) -> Result<ParquetRecordBatchReader> {
        let (path, meta) = &self.files[m.0];
        let mask = ProjectionMask::roots(meta.metadata().file_metadata().schema_descr(), columns.iter().copied());
        fn build<T: ChunkReader + 'static>(
            builder: ParquetRecordBatchReaderBuilder<T>,
            mask: ProjectionMask,
            row_group: usize,
            batch_size: usize,
            selection: Option<RowSelection>,
        ) -> parquet::errors::Result<ParquetRecordBatchReader> {
            let mut builder =
                builder.with_projection(mask).with_row_groups(vec![row_group]).with_batch_size(batch_size);
            if let Some(selection) = selection {
                // `decode_in_full` already sent selections with many short
                // runs to a full decode and a mask: the reader follows this
                // one run by run (its own default decodes everything and
                // masks whenever runs average under 32 rows, which decodes
                // TPC-H Q7's 2% of `lineitem` in full)
                builder =
                    builder.with_row_selection_policy(RowSelectionPolicy::Selectors).with_row_selection(selection);
            }
            builder.build()
        }
        if RowGroupBytes::projected_len(meta.metadata(), m.1, columns) > ROW_GROUP_BYTES_LIMIT {
            let file = File::open(path).map_err(|e| Error::file(path, e))?;
            let builder = ParquetRecordBatchReaderBuilder::new_with_metadata(file, meta.clone());
            return build(builder, mask, m.1, self.batch_size, selection).map_err(|e| Error::file(path, e));
        }
        let bytes = RowGroupBytes::read(path, meta.metadata(), m.1, columns)?;
        let builder = ParquetRecordBatchReaderBuilder::new_with_metadata(bytes, meta.clone());
        build(builder, mask, m.1, self.batch_size, selection).map_err(|e| Error::file(path, e))
    }

    /// Opens row group `m`; `None` when the filter keeps none of its rows.
    fn open_morsel(&self, m: (usize, usize)) -> Result<Option<MorselReader>> {
        let Some(filter) = self.filtering() else {
            if let Some(whole) = self.emitted_from_dictionaries(m)? {
                return Ok(Some(MorselReader::Whole { batch: whole, offset: 0 }));
            }
            return Ok(Some(MorselReader::Plain(self.reader(m, &self.projection, None)?)));
        };
        // the prefilter's verdict on every row of the row group, and the
        // emitted columns it read
        let (first, prefiltered) = match self.prefilter_verdicts(m, &filter)? {
            Some((verdicts, columns)) => (Some(verdicts), columns),
            None => (None, vec![]),
        };
        if first.as_ref().is_some_and(|f| f.count_set_bits() == 0) {
            return Ok(None);
        }
        let mut masks: Vec<BooleanArray> = Vec::new();
        let mut kept: Vec<RecordBatch> = Vec::new();
        // the filter columns of the rows the prefilter kept (all rows
        // without one): taken from their dictionaries where every chunk
        // allows, else decoded by the arrow reader
        let from_dictionaries = match &first {
            _ if filter.file_columns.is_empty() => None,
            Some(first) => self.filter_columns_from_dictionaries(m, &filter, first)?,
            None => {
                let rows = usize::try_from(self.files[m.0].1.metadata().row_group(m.1).num_rows()).unwrap_or(0);
                self.filter_columns_from_dictionaries(m, &filter, &BooleanBuffer::new_set(rows))?
            }
        };
        let filter_reader = match &first {
            _ if filter.file_columns.is_empty() || from_dictionaries.is_some() => None,
            None => Some((self.reader(m, &filter.file_columns, None)?, None)),
            Some(first) => {
                let first = BooleanArray::new(first.clone(), None);
                let runs = selection_runs(std::slice::from_ref(&first));
                if decode_in_full(runs, first.len(), first.true_count()) {
                    let reader = self.reader(m, &filter.file_columns, None)?;
                    Some((reader, Some(RestMask { mask: first, position: 0 })))
                } else {
                    let selection = RowSelection::from_filters(std::slice::from_ref(&first));
                    Some((self.reader(m, &filter.file_columns, Some(selection))?, None))
                }
            }
        };
        let (reader, mut first_mask) = match filter_reader {
            Some((reader, mask)) => (Some(reader), mask),
            None => (None, None),
        };
        let pass_input: Box<dyn Iterator<Item = Result<RecordBatch>>> = match from_dictionaries {
            Some(all) => {
                let (rows, size) = (all.num_rows(), self.batch_size.max(1));
                Box::new((0..rows).step_by(size).map(move |at| Ok(all.slice(at, size.min(rows - at)))))
            }
            None => {
                Box::new(reader.into_iter().flatten().map(|batch| batch.map_err(|e| Error::file(&self.table_name, e))))
            }
        };
        for batch in pass_input {
            let mut batch = batch?;
            // decoded in full: only the rows the prefilter kept go on
            if let Some(m) = first_mask.as_mut() {
                batch = m.apply(&batch)?;
            }
            let n = batch.num_rows();
            if n == 0 {
                continue;
            }
            // dictionary columns stay encoded until the conjuncts that can
            // run per dictionary value are done; every other column takes
            // its Spark type once, here
            let batch = conform_except_dictionaries(batch, &filter.schema, &filter.dictionary_columns)?;
            let has_dictionaries = batch.columns().iter().any(|c| c.as_any_dictionary_opt().is_some());
            // the rows with the dictionary columns conjunct `i` reads decoded
            let decoded = |i: usize, rows: &RecordBatch| -> Result<RecordBatch> {
                if has_dictionaries {
                    decode_dictionaries(rows, &filter.schema, filter.conjunct_columns[i].as_deref())
                } else {
                    Ok(rows.clone())
                }
            };
            let (n_conjuncts, n_joins) = (filter.conjuncts.len(), filter.joins.len());
            // steps are the conjuncts then the joins, or the other way round
            let step = |s: usize| match (filter.joins_first, s) {
                (true, s) if s < n_joins => (true, s),
                (true, s) => (false, s - n_joins),
                (false, s) if s < n_conjuncts => (false, s),
                (false, s) => (true, s - n_conjuncts),
            };
            let (survivors, selected) = filter_with(
                &batch,
                n_conjuncts + n_joins,
                // a join filter probes a hash table per row: it runs on
                // the rows kept so far
                |s| match step(s) {
                    (true, _) => false,
                    (false, i) => filter.dictionary_columns[i].is_some() || filter.conjuncts[i].cannot_fail(),
                },
                |s, rows| {
                    let (join, i) = step(s);
                    if join {
                        let join = &filter.joins[i];
                        // only the key column needs its Spark type here
                        let keys = rows.column(join.column);
                        let keys = super::conform_column(keys.clone(), filter.schema.field(join.column).data_type())?;
                        return Ok(join
                            .evaluate(&keys)?
                            .unwrap_or_else(|| BooleanArray::new(BooleanBuffer::new_set(rows.num_rows()), None)));
                    }
                    let conjunct = &filter.conjuncts[i];
                    if let Some(column) = filter.dictionary_columns[i] {
                        if let Some(mask) = evaluate_on_dictionary(conjunct, column, rows, &filter.schema)? {
                            return Ok(mask);
                        }
                    }
                    Ok(conjunct.evaluate(&decoded(i, rows)?)?.as_boolean().clone())
                },
            )?;
            let survivors = super::conform_batch(survivors.project(&filter.kept_columns)?, &filter.pass_kept_schema)?;
            let mask = selected.unwrap_or_else(|| BooleanBuffer::new_set(n));
            masks.push(BooleanArray::new(mask, None));
            if survivors.num_rows() > 0 {
                kept.push(survivors);
            }
        }
        if let Some(first) = first {
            if filter.file_columns.is_empty() {
                // every conjunct was the prefilter's: nothing else to read
                let rows = first.count_set_bits();
                let options = RecordBatchOptions::new().with_row_count(Some(rows));
                kept.push(RecordBatch::try_new_with_options(filter.pass_kept_schema.clone(), vec![], &options)?);
                masks.push(BooleanArray::new(first, None));
            } else {
                // the filter pass's masks are over the rows the prefilter kept
                let mut within = arrow::array::BooleanBufferBuilder::new(first.count_set_bits());
                for m in &masks {
                    within.append_buffer(m.values());
                }
                masks = vec![BooleanArray::new(narrow_selection(&first, &within.finish()), None)];
            }
        }
        if kept.is_empty() {
            return Ok(None);
        }
        let mut kept = concat_batches(&filter.pass_kept_schema, &kept)?;
        if !prefiltered.is_empty() {
            // the emitted prefilter columns, for the rows kept in the end
            let [selected] = masks.as_slice() else {
                return Err(Error::internal("a prefiltered row group without one mask"));
            };
            let mut columns = kept.columns().to_vec();
            for column in &prefiltered {
                columns.push(column.rows(selected.values())?);
            }
            let options = RecordBatchOptions::new().with_row_count(Some(kept.num_rows()));
            kept = RecordBatch::try_new_with_options(filter.kept_schema.clone(), columns, &options)?;
        }
        let mut rest = RestColumns { from_dictionaries: vec![None; filter.rest_columns.len()], ..Default::default() };
        if !filter.rest_columns.is_empty() {
            let mask = match masks.as_slice() {
                [one] => one.clone(),
                _ => {
                    let masks: Vec<&dyn arrow::array::Array> =
                        masks.iter().map(|m| m as &dyn arrow::array::Array).collect();
                    arrow::compute::concat(&masks)?.as_boolean().clone()
                }
            };
            rest.from_dictionaries = self.rest_from_dictionaries(m, &filter.rest_columns, mask.values())?;
            if rest.from_dictionaries.iter().flatten().any(|values| values.len() != kept.num_rows()) {
                return Err(Error::internal("a column read from its dictionary has another number of kept rows"));
            }
            let others: Vec<usize> = filter
                .rest_columns
                .iter()
                .zip(&rest.from_dictionaries)
                .filter(|(_, d)| d.is_none())
                .map(|(c, _)| *c)
                .collect();
            rest.reader_columns = rest
                .from_dictionaries
                .iter()
                .scan(0, |next, d| {
                    let i = *next;
                    *next += usize::from(d.is_none());
                    Some(i)
                })
                .collect();
            if !others.is_empty() {
                let kept_rows = mask.true_count();
                if decode_in_full(selection_runs(std::slice::from_ref(&mask)), mask.len(), kept_rows) {
                    rest.reader = Some(self.reader(m, &others, None)?);
                    rest.mask = Some(RestMask { mask, position: 0 });
                } else {
                    let selection = RowSelection::from_filters(std::slice::from_ref(&mask));
                    rest.reader = Some(self.reader(m, &others, Some(selection))?);
                }
            }
        }
        Ok(Some(MorselReader::Filtered { filter: filter.clone(), kept, offset: 0, rest }))
    }

    /// The rest `columns` (file indices) of row group `m` read from their
    /// dictionaries, for the rows `selected` keeps: one entry per column,
    /// `None` for those the arrow reader is to decode.
    fn rest_from_dictionaries(
        &self,
        m: (usize, usize),
        columns: &[usize],
        selected: &BooleanBuffer,
    ) -> Result<Vec<Option<ArrayRef>>> {
        let wanted = columns
            .iter()
            .map(|c| match self.projection.iter().position(|p| p == c) {
                Some(p) => Ok((*c, &self.output[p].data_type, StringsAs::Values)),
                None => Err(Error::internal("a scan reads a column it does not project")),
            })
            .collect::<Result<Vec<_>>>()?;
        self.read_from_dictionaries(m, &wanted, selected, false)
    }

    /// Every emitted column of row group `m` (unfiltered) read from its
    /// dictionary, when every chunk allows; `None` otherwise, and for a
    /// scan that reads no column.
    fn emitted_from_dictionaries(&self, m: (usize, usize)) -> Result<Option<RecordBatch>> {
        if self.emitted.is_empty() {
            return Ok(None);
        }
        let wanted: Vec<(usize, &DataType, StringsAs)> =
            self.emitted.iter().map(|p| (self.projection[*p], &self.output[*p].data_type, StringsAs::Values)).collect();
        let rows = usize::try_from(self.files[m.0].1.metadata().row_group(m.1).num_rows()).unwrap_or(0);
        let all = BooleanBuffer::new_set(rows);
        let Some(columns) =
            self.read_from_dictionaries(m, &wanted, &all, true)?.into_iter().collect::<Option<Vec<_>>>()
        else {
            return Ok(None);
        };
        let options = RecordBatchOptions::new().with_row_count(Some(rows));
        Ok(Some(RecordBatch::try_new_with_options(self.schema.clone(), columns, &options)?))
    }

    /// The filter columns of row group `m` for the rows `selected` keeps,
    /// as the filter pass reads them (strings that conjuncts answer per
    /// dictionary value stay keys into their dictionary), when every one is
    /// read from its dictionary; `None` otherwise.
    fn filter_columns_from_dictionaries(
        &self,
        m: (usize, usize),
        filter: &ScanFilter,
        selected: &BooleanBuffer,
    ) -> Result<Option<RecordBatch>> {
        let meta = &self.files[m.0].1;
        let wanted: Vec<(usize, &DataType, StringsAs)> = filter
            .file_columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                // as the arrow reader would: keys only where every row group
                // has a small dictionary (`dictionary_metadata`), for the
                // conjuncts evaluated once per value of a batch's dictionary
                let small = matches!(meta.schema().field(*c).data_type(), DataType::Dictionary(_, _));
                let strings = if small && filter.dictionary_columns.contains(&Some(i)) {
                    StringsAs::Dictionary
                } else {
                    StringsAs::Values
                };
                (*c, filter.schema.field(i).data_type(), strings)
            })
            .collect();
        let Some(columns) =
            self.read_from_dictionaries(m, &wanted, selected, true)?.into_iter().collect::<Option<Vec<_>>>()
        else {
            return Ok(None);
        };
        let fields: Vec<arrow::datatypes::Field> = filter
            .schema
            .fields()
            .iter()
            .zip(&columns)
            .map(|(f, c)| arrow::datatypes::Field::new(f.name(), c.data_type().clone(), true))
            .collect();
        let options = RecordBatchOptions::new().with_row_count(Some(selected.count_set_bits()));
        Ok(Some(RecordBatch::try_new_with_options(Arc::new(Schema::new(fields)), columns, &options)?))
    }

    /// The `columns` (file index, Spark type, how strings come back) of row
    /// group `m` read from their dictionaries for the rows `selected` keeps
    /// (`dictionary_pages::selected_values`): one entry per column, `None`
    /// for a chunk not read that way. With `all_or_none`, nothing is read
    /// unless every chunk looks readable.
    fn read_from_dictionaries(
        &self,
        m: (usize, usize),
        columns: &[(usize, &DataType, StringsAs)],
        selected: &BooleanBuffer,
        all_or_none: bool,
    ) -> Result<Vec<Option<ArrayRef>>> {
        let (path, meta) = &self.files[m.0];
        let parquet = meta.metadata();
        let mut out = vec![None; columns.len()];
        let rows = usize::try_from(parquet.row_group(m.1).num_rows()).unwrap_or(0);
        let schema = parquet.file_metadata().schema_descr();
        let leaves: Vec<Option<usize>> = columns
            .iter()
            .map(|(c, spark_type, _)| {
                let leaf = dictionary_chunk(parquet, m.1, *c)?;
                let file_type = meta.schema().field(*c).data_type();
                reads_values(schema.column(leaf).physical_type(), file_type, spark_type).then_some(leaf)
            })
            .collect();
        let candidates: Vec<usize> =
            columns.iter().zip(&leaves).filter(|(_, leaf)| leaf.is_some()).map(|(c, _)| c.0).collect();
        if selected.len() != rows
            || candidates.is_empty()
            || (all_or_none && candidates.len() < columns.len())
            || RowGroupBytes::projected_len(parquet, m.1, &candidates) > ROW_GROUP_BYTES_LIMIT
        {
            return Ok(out);
        }
        let bytes = Arc::new(RowGroupBytes::read(path, parquet, m.1, &candidates)?);
        for ((&(column, spark_type, strings), leaf), slot) in columns.iter().zip(&leaves).zip(out.iter_mut()) {
            let Some(leaf) = leaf else {
                continue;
            };
            let chunk = parquet.row_group(m.1).column(*leaf);
            let mut pages = SerializedPageReader::new(bytes.clone(), chunk, rows, None)
                .map_err(|e| Error::file(&self.table_name, e))?;
            let file_type = meta.schema().field(column).data_type();
            *slot = selected_values(&mut pages, &schema.column(*leaf), file_type, spark_type, selected, strings)?;
            if all_or_none && slot.is_none() {
                return Ok(vec![None; columns.len()]);
            }
        }
        Ok(out)
    }

    /// The rows of row group `m` that pass the prefilter's conjuncts
    /// (`ScanFilter::prefilter`); `None` without any.
    fn prefilter_verdicts(
        &self,
        m: (usize, usize),
        filter: &ScanFilter,
    ) -> Result<Option<(BooleanBuffer, Vec<PrefilterColumn>)>> {
        if filter.prefilter.is_empty() {
            return Ok(None);
        }
        let (path, meta) = &self.files[m.0];
        let parquet = meta.metadata();
        let rows = usize::try_from(parquet.row_group(m.1).num_rows()).unwrap_or(0);
        let columns: Vec<usize> = filter.prefilter.iter().map(|c| c.file_column).collect();
        let bytes = if RowGroupBytes::projected_len(parquet, m.1, &columns) > ROW_GROUP_BYTES_LIMIT {
            None
        } else {
            Some(Arc::new(RowGroupBytes::read(path, parquet, m.1, &columns)?))
        };
        let mut verdicts: Option<BooleanBuffer> = None;
        let mut emitted = Vec::new();
        for column in &filter.prefilter {
            if column.conjuncts.is_empty() && column.joins.iter().all(JoinFilter::keeps_almost_all) {
                // only join filters that keep almost every row: the column
                // is read as any other, for the query
                if column.emitted {
                    emitted.push(PrefilterColumn::Decoded(self.decoded_values(m, column)?));
                }
                continue;
            }
            let on_dictionary = match &bytes {
                Some(bytes) => self.dictionary_verdicts(m, column, bytes.clone(), rows)?,
                None => None,
            };
            let (column_verdicts, read) = match on_dictionary {
                Some((v, d)) => (v, d.map(PrefilterColumn::Dictionary)),
                None => {
                    let (v, values) = self.decoded_verdicts(m, column)?;
                    (v, column.emitted.then_some(PrefilterColumn::Decoded(values)))
                }
            };
            if let Some(read) = read {
                emitted.push(read);
            }
            if column_verdicts.len() != rows {
                return Err(Error::internal("a prefilter answered for another number of rows"));
            }
            if column.conjuncts.is_empty() {
                let kept = column_verdicts.count_set_bits() as u64;
                for join in &column.joins {
                    join.seen.fetch_add(rows as u64, Ordering::Relaxed);
                    join.kept.fetch_add(kept, Ordering::Relaxed);
                }
            }
            let all = match verdicts {
                Some(v) => &v & &column_verdicts,
                None => column_verdicts,
            };
            let none_left = all.count_set_bits() == 0;
            verdicts = Some(all);
            if none_left {
                // no row is kept: the emitted columns are not needed
                return Ok(verdicts.map(|v| (v, vec![])));
            }
        }
        if emitted.len() != filter.prefilter.iter().filter(|c| c.emitted).count() {
            return Err(Error::internal("a prefilter did not keep an emitted column"));
        }
        // every column skipped (join filters switched off): all rows pass
        Ok(Some((verdicts.unwrap_or_else(|| BooleanBuffer::new_set(rows)), emitted)))
    }

    /// `column`'s conjuncts answered per dictionary value (see
    /// `dictionary_pages`); `None` when its chunk in row group `m` is not
    /// read that way.
    fn dictionary_verdicts(
        &self,
        m: (usize, usize),
        column: &ColumnFilter,
        bytes: Arc<RowGroupBytes>,
        rows: usize,
    ) -> Result<Option<(BooleanBuffer, Option<DictionaryColumn>)>> {
        let meta = &self.files[m.0].1;
        let Some(leaf) = per_value_chunk(meta.metadata(), m.1, column.file_column) else {
            return Ok(None);
        };
        let schema = meta.metadata().file_metadata().schema_descr();
        let chunk = meta.metadata().row_group(m.1).column(leaf);
        let mut pages =
            SerializedPageReader::new(bytes, chunk, rows, None).map_err(|e| Error::file(&self.table_name, e))?;
        let file_type = meta.schema().field(column.file_column).data_type();
        let spark_type = column.schema.field(0).data_type();
        let descr = schema.column(leaf);
        let verdicts = |values: &RecordBatch| column.verdicts(values);
        dictionary_verdicts(&mut pages, &descr, file_type, spark_type, &verdicts, rows, column.emitted)
    }

    /// `column`'s values in row group `m`, decoded.
    fn decoded_values(&self, m: (usize, usize), column: &ColumnFilter) -> Result<ArrayRef> {
        let mut values = Vec::new();
        for batch in self.reader(m, &[column.file_column], None)? {
            let batch = batch.map_err(|e| Error::file(&self.table_name, e))?;
            values.push(super::conform_batch(batch, &column.schema)?.column(0).clone());
        }
        concat_values(values, column.schema.field(0).data_type())
    }

    /// `column`'s conjuncts evaluated on its decoded values in row group
    /// `m`; and those values.
    fn decoded_verdicts(&self, m: (usize, usize), column: &ColumnFilter) -> Result<(BooleanBuffer, ArrayRef)> {
        let values = self.decoded_values(m, column)?;
        let options = RecordBatchOptions::new().with_row_count(Some(values.len()));
        let batch = RecordBatch::try_new_with_options(column.schema.clone(), vec![values.clone()], &options)?;
        Ok((column.verdicts(&batch)?, values))
    }

    /// The next chunk of the open row group, `None` when it is done.
    fn next_in_morsel(&self, morsel: &mut MorselReader) -> Result<Option<RecordBatch>> {
        match morsel {
            MorselReader::Plain(reader) => match reader.next() {
                Some(Ok(batch)) => {
                    // the projection mask keeps file order; reorder to ours
                    let mut batch = reorder(batch, &self.projection)?;
                    // (`emit_only` comes with a filter, so this is a guard)
                    if self.emitted.len() < self.projection.len() {
                        batch = batch.project(&self.emitted)?;
                    }
                    Ok(Some(super::conform_batch(batch, &self.schema)?))
                }
                Some(Err(e)) => Err(Error::file(&self.table_name, e)),
                None => Ok(None),
            },
            MorselReader::Whole { batch, offset } => {
                let rows = (batch.num_rows() - *offset).min(self.batch_size.max(1));
                if rows == 0 {
                    return Ok(None);
                }
                let chunk = batch.slice(*offset, rows);
                *offset += rows;
                Ok(Some(chunk))
            }
            MorselReader::Filtered { filter, kept, offset, rest } => {
                let rest_batch = loop {
                    let batch = match rest.reader.as_mut() {
                        Some(reader) => match reader.next() {
                            Some(Ok(b)) => Some(b),
                            Some(Err(e)) => return Err(Error::file(&self.table_name, e)),
                            None => return Ok(None),
                        },
                        None => None,
                    };
                    match (batch, rest.mask.as_mut()) {
                        (Some(b), Some(m)) => {
                            let b = m.apply(&b)?;
                            if b.num_rows() > 0 {
                                break Some(b);
                            }
                        }
                        (b, _) => break b,
                    }
                };
                let remaining = kept.num_rows() - *offset;
                let rows = rest_batch.as_ref().map_or(remaining.min(self.batch_size), RecordBatch::num_rows);
                if rows == 0 {
                    return Ok(None);
                }
                if rows > remaining {
                    return Err(Error::internal(
                        "the second pass of a filtered scan read more rows than the first kept",
                    ));
                }
                let start = *offset;
                let part = kept.slice(start, rows);
                *offset += rows;
                let columns: Vec<ArrayRef> = filter
                    .assembly
                    .iter()
                    .map(|(from_filter, i)| match (from_filter, rest.from_dictionaries.get(*i), &rest_batch) {
                        (true, _, _) => Ok(part.column(*i).clone()),
                        (false, Some(Some(values)), _) => Ok(values.slice(start, rows)),
                        (false, _, Some(r)) => Ok(r.column(rest.reader_columns[*i]).clone()),
                        (false, _, None) => Err(Error::internal("a filtered scan's second pass gave no columns")),
                    })
                    .collect::<Result<_>>()?;
                let raw_schema = Arc::new(Schema::new(
                    columns
                        .iter()
                        .zip(self.schema.fields())
                        .map(|(c, f)| arrow::datatypes::Field::new(f.name(), c.data_type().clone(), true))
                        .collect::<Vec<_>>(),
                ));
                let batch = RecordBatch::try_new_with_options(
                    raw_schema,
                    columns,
                    &RecordBatchOptions::new().with_row_count(Some(rows)),
                )?;
                Ok(Some(super::conform_batch(batch, &self.schema)?))
            }
        }
    }
}

impl Source for ParquetScan {
    fn name(&self) -> String {
        format!(
            "ParquetScan {} ({} row groups{}){}",
            self.table_name,
            self.morsels.len(),
            if self.pruned > 0 { format!(", {} pruned", self.pruned) } else { String::new() },
            match self.filtering() {
                Some(f) => format!(" filter {}", f.display),
                None => String::new(),
            }
        )
    }
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }
    fn init_local(&self) -> Result<LocalState> {
        Ok(Box::new(ParquetLocal { morsel: None, place: UnitChunks::default() }))
    }
    fn next_chunk(&self, local: &mut LocalState) -> Result<Option<RecordBatch>> {
        let local = local_mut::<ParquetLocal>(local)?;
        loop {
            if let Some(morsel) = local.morsel.as_mut() {
                match self.next_in_morsel(morsel)? {
                    Some(batch) => {
                        local.place.count();
                        return Ok(Some(batch));
                    }
                    None => local.morsel = None,
                }
            }
            let i = self.cursor.fetch_add(1, Ordering::Relaxed);
            match self.morsels.get(i) {
                Some(m) => {
                    local.morsel = self.open_morsel(*m)?;
                    local.place.start(i);
                }
                None => return Ok(None),
            }
        }
    }
    fn max_threads(&self) -> usize {
        self.morsels.len().max(1)
    }
    fn chunk_position(&self, local: &LocalState) -> Option<u64> {
        let local = local_ref::<ParquetLocal>(local)?;
        Some(local.place.position())
    }
}

/// The leaf column of file column `file_column` when its chunk in
/// `row_group` is flat and, as far as its encoding statistics tell, all
/// dictionary-encoded: one `dictionary_pages` may read.
fn dictionary_chunk(parquet: &ParquetMetaData, row_group: usize, file_column: usize) -> Option<usize> {
    let schema = parquet.file_metadata().schema_descr();
    let mut leaves = (0..schema.num_columns()).filter(|l| schema.get_column_root_idx(*l) == file_column);
    let (Some(leaf), None) = (leaves.next(), leaves.next()) else {
        return None;
    };
    let chunk = parquet.row_groups().get(row_group)?.column(leaf);
    // a writer falls back to plain pages once its dictionary outgrows its
    // limit (near-unique keys)
    let dictionary_only = |mask: &parquet::basic::EncodingMask| {
        mask.is_only(parquet::basic::Encoding::RLE_DICTIONARY)
            || mask.is_only(parquet::basic::Encoding::PLAIN_DICTIONARY)
    };
    chunk.dictionary_page_offset()?;
    if chunk.page_encoding_stats_mask().is_some_and(|m| !dictionary_only(m)) {
        return None;
    }
    Some(leaf)
}

/// `dictionary_chunk`'s leaf when the chunk is also worth answering per
/// dictionary value: numbers, with few values for its rows.
fn per_value_chunk(parquet: &ParquetMetaData, row_group: usize, file_column: usize) -> Option<usize> {
    let leaf = dictionary_chunk(parquet, row_group, file_column)?;
    let rg = parquet.row_group(row_group);
    let chunk = rg.column(leaf);
    // the physical types `dictionary_verdicts` reads
    use parquet::basic::Type as Physical;
    let width = match chunk.column_type() {
        Physical::INT32 | Physical::FLOAT => 4,
        Physical::INT64 | Physical::DOUBLE => 8,
        _ => return None,
    };
    // the dictionary page's stored bytes bound its values from below: a
    // dictionary of near-unique keys is not read only to be dropped
    let dictionary_offset = chunk.dictionary_page_offset()?;
    let dictionary_bytes = chunk.data_page_offset().saturating_sub(dictionary_offset).max(0) as usize;
    let rows = usize::try_from(rg.num_rows()).unwrap_or(0);
    worth_answering_per_value(dictionary_bytes / width, rows).then_some(leaf)
}

/// The chunks of one column as one array (of `data_type` when none).
fn concat_values(values: Vec<ArrayRef>, data_type: &DataType) -> Result<ArrayRef> {
    Ok(match values.as_slice() {
        [one] => one.clone(),
        [] => arrow::array::new_empty_array(data_type),
        _ => {
            let parts: Vec<&dyn Array> = values.iter().map(|v| v.as_ref()).collect();
            arrow::compute::concat(&parts)?
        }
    })
}

/// Metadata of `meta`'s file that reads `columns` (file column indices) as
/// dictionaries where every row group stores them with a small dictionary;
/// `None` when no column qualifies.
fn dictionary_metadata(meta: &ArrowReaderMetadata, columns: &[usize]) -> Result<Option<ArrowReaderMetadata>> {
    let parquet = meta.metadata();
    let schema = meta.schema();
    // leaf and root indices coincide only in flat files
    if columns.is_empty() || parquet.file_metadata().schema_descr().num_columns() != schema.fields().len() {
        return Ok(None);
    }
    let small = |c: usize| {
        parquet.row_groups().iter().all(|rg| {
            let chunk = rg.column(c);
            chunk
                .dictionary_page_offset()
                .is_some_and(|d| chunk.data_page_offset() > d && chunk.data_page_offset() - d <= SMALL_DICTIONARY_PAGE)
        })
    };
    let chosen: Vec<usize> = columns
        .iter()
        .copied()
        .filter(|c| schema.field(*c).data_type() == &arrow::datatypes::DataType::Utf8 && small(*c))
        .collect();
    if chosen.is_empty() {
        return Ok(None);
    }
    let fields: Vec<arrow::datatypes::FieldRef> = schema
        .fields()
        .iter()
        .enumerate()
        .map(|(i, f)| {
            if chosen.contains(&i) {
                let dictionary = arrow::datatypes::DataType::Dictionary(
                    Box::new(arrow::datatypes::DataType::Int32),
                    Box::new(arrow::datatypes::DataType::Utf8),
                );
                Arc::new(f.as_ref().clone().with_data_type(dictionary))
            } else {
                f.clone()
            }
        })
        .collect();
    let options = ArrowReaderOptions::new().with_schema(Arc::new(Schema::new(fields)));
    Ok(Some(
        ArrowReaderMetadata::try_new(parquet.clone(), options)
            .map_err(|e| Error::internal(format!("reading string columns as dictionaries: {e}")))?,
    ))
}

/// `batch` with every column cast to `schema`'s types but the dictionaries
/// that conjuncts run on per dictionary value (`per_value`: per conjunct,
/// see `ScanFilter::dictionary_columns`); another dictionary is decoded
/// once, here, not by each conjunct that reads it.
fn conform_except_dictionaries(
    batch: RecordBatch,
    schema: &SchemaRef,
    per_value: &[Option<usize>],
) -> Result<RecordBatch> {
    conform_columns(&batch, schema, |i, c| c.as_any_dictionary_opt().is_none() || !per_value.contains(&Some(i)))
}

/// `batch` with the dictionary columns among `columns` (all, for `None`)
/// decoded to their Spark types; a conjunct that reads no dictionary
/// column decodes nothing.
fn decode_dictionaries(batch: &RecordBatch, schema: &SchemaRef, columns: Option<&[usize]>) -> Result<RecordBatch> {
    conform_columns(batch, schema, |i, _| columns.is_none_or(|cs| cs.contains(&i)))
}

/// `batch` with the columns `convert(index, column)` picks cast to their
/// type in `schema`.
fn conform_columns(
    batch: &RecordBatch,
    schema: &SchemaRef,
    convert: impl Fn(usize, &ArrayRef) -> bool,
) -> Result<RecordBatch> {
    let columns: Vec<ArrayRef> = batch
        .columns()
        .iter()
        .zip(schema.fields())
        .enumerate()
        .map(|(i, (c, f))| {
            if c.data_type() == f.data_type() || !convert(i, c) {
                Ok(c.clone())
            } else {
                super::conform_column(c.clone(), f.data_type())
            }
        })
        .collect::<Result<_>>()?;
    let fields: Vec<arrow::datatypes::Field> = columns
        .iter()
        .zip(schema.fields())
        .map(|(c, f)| arrow::datatypes::Field::new(f.name(), c.data_type().clone(), true))
        .collect();
    Ok(RecordBatch::try_new_with_options(
        Arc::new(Schema::new(fields)),
        columns,
        &RecordBatchOptions::new().with_row_count(Some(batch.num_rows())),
    )?)
}

/// `ProjectionMask` yields columns in file order; the plan may want another.
fn reorder(batch: RecordBatch, projection: &[usize]) -> Result<RecordBatch> {
    let mut sorted: Vec<usize> = projection.to_vec();
    sorted.sort_unstable();
    if sorted == projection {
        return Ok(batch);
    }
    let idx: Vec<usize> = projection.iter().map(|p| sorted.binary_search(p).unwrap_or(0)).collect();
    Ok(batch.project(&idx)?)
}

/// Shared handle used by the planner.
pub type ParquetScanRef = Arc<ParquetScan>;

#[cfg(test)]
mod tests {
    use arrow::array::BooleanArray;
    use parquet::arrow::arrow_reader::RowSelection;

    use super::{decode_in_full, selection_runs};

    #[test]
    fn selection_runs_are_the_selectors_a_row_selection_would_have() {
        // masks of assorted lengths (word edges, remainders, slices with an
        // offset), with runs of every length from one row to several words
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut bits = Vec::new();
        while bits.len() < 5000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let run = 1 + (seed % 150) as usize;
            let value = seed & 0x100 != 0;
            bits.extend(std::iter::repeat_n(value, if seed & 0x200 != 0 { run } else { run % 4 + 1 }));
        }
        let whole = BooleanArray::from(bits.clone());
        let cuts = [0, 1, 63, 64, 65, 200, 1000, 1001, 3000, 4095, bits.len()];
        let masks: Vec<BooleanArray> = cuts.windows(2).map(|w| whole.slice(w[0], w[1] - w[0])).collect();
        assert_eq!(selection_runs(&masks), RowSelection::from_filters(&masks).iter().count());
        for m in &masks {
            let one = std::slice::from_ref(m);
            assert_eq!(selection_runs(one), RowSelection::from_filters(one).iter().count());
        }
        let all = [BooleanArray::from(vec![true; 130]), BooleanArray::from(vec![true; 3])];
        assert_eq!(selection_runs(&all), 1);
        assert_eq!(selection_runs(&[BooleanArray::from(vec![false, true, true, false])]), 3);
        assert_eq!(selection_runs(&[]), 0);
    }

    #[test]
    fn a_selection_is_followed_run_by_run_only_where_that_skips_enough() {
        let rows = 122_880;
        let percent = |p: f64| (rows as f64 * p / 100.0) as usize;
        // Q01: 1.4% dropped, in clusters of 1.5 rows (an order's lines)
        assert!(decode_in_full(2 * percent(1.4) * 2 / 3, rows, rows - percent(1.4)));
        // Q10: 3.8% of `orders` kept one by one
        assert!(decode_in_full(2 * percent(3.8), rows, percent(3.8)));
        // half the rows kept in runs of two
        assert!(decode_in_full(rows / 2, rows, rows / 2));
        // Q07: 2% kept one by one
        assert!(!decode_in_full(2 * percent(2.0), rows, percent(2.0)));
        // a few long runs, whatever they keep
        assert!(!decode_in_full(10, rows, rows / 2));
        assert!(!decode_in_full(1, rows, rows));
        assert!(!decode_in_full(0, 0, 0));
    }
}
