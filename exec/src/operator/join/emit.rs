//! Turning candidate (probe row, build row) pairs into join output.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use arrow::array::{new_null_array, Array, ArrayRef, AsArray, RecordBatch, RecordBatchOptions, UInt32Array};
use arrow::datatypes::SchemaRef;
use ember_core::Result;
use ember_spill::MemoryReservation;

use crate::expr::{take_batch, PhysicalExpr};
use crate::pipeline::{LocalState, Source};

/// Join semantics with the probe side on the left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinKind {
    Inner,
    LeftOuter,
    RightOuter,
    FullOuter,
    LeftSemi,
    LeftAnti,
    /// `NOT IN`: a NULL key on either side rejects the row (unless the build side is empty).
    NullAwareAnti,
    /// Build rows with a partner: the probe only marks them; they are
    /// emitted once every probe row was seen.
    RightSemi,
    /// Build rows without a partner, emitted at the end.
    RightAnti,
}

impl JoinKind {
    pub fn emits_build_columns(&self) -> bool {
        matches!(self, JoinKind::Inner | JoinKind::LeftOuter | JoinKind::RightOuter | JoinKind::FullOuter)
    }

    pub fn tracks_build_matches(&self) -> bool {
        matches!(self, JoinKind::RightOuter | JoinKind::FullOuter | JoinKind::RightSemi | JoinKind::RightAnti)
    }

    /// Whether a probe row whose key has no build row yields nothing (so a
    /// scan may drop such rows before the join sees them).
    pub fn drops_unmatched_probe_rows(&self) -> bool {
        matches!(
            self,
            JoinKind::Inner | JoinKind::LeftSemi | JoinKind::RightOuter | JoinKind::RightSemi | JoinKind::RightAnti
        )
    }

    /// Whether the probe side produces rows itself (right semi/anti joins
    /// only mark build rows).
    pub fn emits_probe_rows(&self) -> bool {
        !matches!(self, JoinKind::RightSemi | JoinKind::RightAnti)
    }
}

/// The collected build side, shared by the probe operator and the
/// unmatched-rows source.
pub struct BuildSide {
    pub batch: RecordBatch,
    /// Per build row: matched by some probe row (RIGHT/FULL joins only).
    pub matched: Vec<AtomicBool>,
    /// The memory these rows (and a hash join's index over them) hold,
    /// returned to the pool when the last reader drops the side.
    pub memory: MemoryReservation,
}

pub struct JoinEmitter {
    pub kind: JoinKind,
    /// Over [probe columns, build columns].
    pub filter: Option<PhysicalExpr>,
    pub schema: SchemaRef,
}

impl JoinEmitter {
    /// Output for one probe chunk given candidate pairs (probe index
    /// ascending), with `probe_key_null[i]` set where the probe row's key is
    /// NULL. `build_has_null_key` and the build size serve NOT IN.
    pub fn emit(
        &self,
        probe: &RecordBatch,
        build: &BuildSide,
        mut probe_idx: Vec<u32>,
        mut build_idx: Vec<u32>,
        probe_key_null: Option<&[bool]>,
        build_has_null_key: bool,
    ) -> Result<Option<RecordBatch>> {
        if let Some(f) = &self.filter {
            if !probe_idx.is_empty() {
                let joined = self.pairs_batch(probe, &build.batch, &probe_idx, &build_idx)?;
                let keep = f.evaluate(&joined)?;
                let keep = keep.as_boolean();
                let (mut p2, mut b2) = (Vec::with_capacity(probe_idx.len()), Vec::with_capacity(build_idx.len()));
                for i in 0..probe_idx.len() {
                    if keep.is_valid(i) && keep.value(i) {
                        p2.push(probe_idx[i]);
                        b2.push(build_idx[i]);
                    }
                }
                probe_idx = p2;
                build_idx = b2;
            }
        }
        if self.kind.tracks_build_matches() {
            for b in &build_idx {
                build.matched[*b as usize].store(true, Ordering::Relaxed);
            }
        }
        if !self.kind.emits_probe_rows() {
            return Ok(None);
        }
        let n = probe.num_rows();
        let out = match self.kind {
            JoinKind::RightSemi | JoinKind::RightAnti => return Ok(None),
            JoinKind::Inner | JoinKind::RightOuter => self.pairs_batch(probe, &build.batch, &probe_idx, &build_idx)?,
            JoinKind::LeftOuter | JoinKind::FullOuter => {
                let mut matched = vec![false; n];
                for p in &probe_idx {
                    matched[*p as usize] = true;
                }
                // merge unmatched probe rows in probe order, build side NULL
                let mut p_all = Vec::with_capacity(probe_idx.len() + n);
                let mut b_all: Vec<Option<u32>> = Vec::with_capacity(probe_idx.len() + n);
                let mut k = 0;
                for (i, m) in matched.iter().enumerate() {
                    if *m {
                        while k < probe_idx.len() && probe_idx[k] as usize == i {
                            p_all.push(i as u32);
                            b_all.push(Some(build_idx[k]));
                            k += 1;
                        }
                    } else {
                        p_all.push(i as u32);
                        b_all.push(None);
                    }
                }
                let probe_part = take_batch(probe, &UInt32Array::from(p_all))?;
                let build_part = take_batch(&build.batch, &UInt32Array::from(b_all))?;
                self.concat(&probe_part, &build_part)?
            }
            JoinKind::LeftSemi | JoinKind::LeftAnti | JoinKind::NullAwareAnti => {
                let mut matched = vec![false; n];
                for p in &probe_idx {
                    matched[*p as usize] = true;
                }
                let keep: Vec<u32> = match self.kind {
                    JoinKind::LeftSemi => (0..n as u32).filter(|i| matched[*i as usize]).collect(),
                    JoinKind::LeftAnti => (0..n as u32).filter(|i| !matched[*i as usize]).collect(),
                    _ => {
                        if build.batch.num_rows() == 0 {
                            (0..n as u32).collect()
                        } else if build_has_null_key {
                            vec![]
                        } else {
                            (0..n as u32)
                                .filter(|i| !matched[*i as usize] && !probe_key_null.is_some_and(|k| k[*i as usize]))
                                .collect()
                        }
                    }
                };
                if keep.len() == n {
                    probe.clone()
                } else {
                    take_batch(probe, &UInt32Array::from(keep))?
                }
            }
        };
        let out = RecordBatch::try_new_with_options(
            self.schema.clone(),
            crate::operator::project::conform(out.columns().to_vec(), &self.schema)?,
            &RecordBatchOptions::new().with_row_count(Some(out.num_rows())),
        )?;
        Ok(if out.num_rows() == 0 { None } else { Some(out) })
    }

    /// The probe and build rows of each pair, side by side.
    fn pairs_batch(&self, probe: &RecordBatch, build: &RecordBatch, p: &[u32], b: &[u32]) -> Result<RecordBatch> {
        let pp = take_batch(probe, &UInt32Array::from(p.to_vec()))?;
        let bb = take_batch(build, &UInt32Array::from(b.to_vec()))?;
        self.concat(&pp, &bb)
    }

    fn concat(&self, probe: &RecordBatch, build: &RecordBatch) -> Result<RecordBatch> {
        let cols: Vec<ArrayRef> = probe.columns().iter().chain(build.columns().iter()).cloned().collect();
        let fields: Vec<_> = probe.schema().fields().iter().chain(build.schema().fields().iter()).cloned().collect();
        let schema = Arc::new(arrow::datatypes::Schema::new(fields));
        Ok(RecordBatch::try_new_with_options(
            schema,
            cols,
            &RecordBatchOptions::new().with_row_count(Some(probe.num_rows())),
        )?)
    }
}

/// Emits the build rows no probe row matched (RIGHT / FULL joins: with NULL
/// probe columns; right anti joins: alone), or those some probe row matched
/// (right semi joins).
pub struct UnmatchedBuildSource {
    pub schema: SchemaRef,
    /// None: emit the build columns only.
    pub probe_schema: Option<SchemaRef>,
    /// Emit the matched rows instead of the unmatched ones.
    pub matched: bool,
    pub build: Arc<std::sync::OnceLock<Arc<BuildSide>>>,
    pub done: AtomicBool,
}

impl Source for UnmatchedBuildSource {
    fn name(&self) -> String {
        "UnmatchedBuildRows".into()
    }
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }
    fn next_chunk(&self, _local: &mut LocalState) -> Result<Option<RecordBatch>> {
        if self.done.swap(true, Ordering::AcqRel) {
            return Ok(None);
        }
        let Some(build) = self.build.get() else { return Ok(None) };
        let idx: Vec<u32> = (0..build.batch.num_rows() as u32)
            .filter(|i| build.matched[*i as usize].load(Ordering::Relaxed) == self.matched)
            .collect();
        if idx.is_empty() {
            return Ok(None);
        }
        let b = take_batch(&build.batch, &UInt32Array::from(idx))?;
        let n = b.num_rows();
        let mut cols: Vec<ArrayRef> = match &self.probe_schema {
            Some(p) => p.fields().iter().map(|f| new_null_array(f.data_type(), n)).collect(),
            None => vec![],
        };
        cols.extend(b.columns().iter().cloned());
        let cols = crate::operator::project::conform(cols, &self.schema)?;
        Ok(Some(RecordBatch::try_new_with_options(
            self.schema.clone(),
            cols,
            &RecordBatchOptions::new().with_row_count(Some(n)),
        )?))
    }
    fn max_threads(&self) -> usize {
        1
    }
}

/// The rows where every key column is non-null.
pub fn null_key_rows(keys: &[ArrayRef], n: usize) -> Vec<bool> {
    let mut out = vec![false; n];
    for k in keys {
        if k.null_count() > 0 {
            for (i, o) in out.iter_mut().enumerate() {
                if k.is_null(i) {
                    *o = true;
                }
            }
        }
    }
    out
}
