//! Physical planning: a `LogicalPlan` straight into pipelines.
//!
//! `build` returns the *open* pipeline that produces a node's rows (its
//! branches and the attribute layout of its chunks); a parent either appends
//! an operator to it or closes it with a sink and opens a new pipeline on
//! the sink's output. Pipelines are recorded in the order they must run:
//! a join's build side and every breaker below a pipeline close before it.
//! The join's build side is always the plan's right input (the optimizer
//! puts the smaller input there).

use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch, RecordBatchOptions};
use arrow::datatypes::{Field, Schema, SchemaRef};
use ember_core::expr::BinaryOp;
use ember_core::plan::{JoinType, TableSource};
use ember_core::{AggFunc, Attribute, ColumnId, Error, EvalMode, Expr, LogicalPlan, Result, ScalarValue, SortOrder};

use ember_spill::MemoryReservation;

use crate::context::QueryContext;
use crate::expr::{compile, Binding, CommonSubexpressions, PhysicalExpr};
use crate::operator::aggregate::hash_aggregate::{AggregateList, AggregateSpec, HashAggregate};
use crate::operator::buffer::BufferSource;
use crate::operator::collect::CollectSink;
use crate::operator::expand::Expand;
use crate::operator::filter::Filter;
use crate::operator::join::build_side::BuildCollector;
use crate::operator::join::emit::UnmatchedBuildSource;
use crate::operator::join::hash_join::{HashJoinBuild, HashJoinProbe, JoinKey};
use crate::operator::join::nested_loop::{NestedLoopBuild, NestedLoopProbe};
use crate::operator::join::{JoinEmitter, JoinKind};
use crate::operator::limit::Limit;
use crate::operator::project::Project;
use crate::operator::scan::memory::{MemoryScan, RangeScan};
use crate::operator::scan::parquet::ParquetScan;
use crate::operator::scan::pruning::RowGroupPredicate;
use crate::operator::scan::text::TextFileScan;
use crate::operator::set_op::{SetOpSide, SetOperation};
use crate::operator::sort::{Sort, SortKey};
use crate::operator::window::{Bound, Frame, WindowExprSpec, WindowFunction, WindowSink};
use crate::pipeline::{Branch, InOrder, Operator, Pipeline, Sink, Source};

/// A pipeline still open for more operators.
struct Open {
    branches: Vec<Branch>,
    /// The columns of its chunks, in order.
    attrs: Vec<Attribute>,
    /// The Parquet scan that is its only source: inner and semi joins
    /// probed later in the pipeline give it join filters.
    parquet: Option<Arc<ParquetScan>>,
}

impl Open {
    fn from_source(source: Arc<dyn Source>, attrs: Vec<Attribute>) -> Open {
        Open { branches: vec![Branch { source, operators: vec![] }], attrs, parquet: None }
    }

    fn push(&mut self, op: Arc<dyn Operator>, attrs: Vec<Attribute>) {
        for b in &mut self.branches {
            b.operators.push(op.clone());
        }
        self.attrs = attrs;
    }

    fn binding(&self) -> Binding {
        Binding::new(&self.attrs)
    }
}

/// Chunk schemas mark every column nullable: an attribute's nullability is
/// a plan-time promise that outer joins above its origin may not keep, and
/// Arrow rejects nulls in a non-nullable column.
fn schema_of(attrs: &[Attribute]) -> SchemaRef {
    Arc::new(Schema::new(attrs.iter().map(|a| Field::new(&a.name, a.data_type.clone(), true)).collect::<Vec<Field>>()))
}

pub struct PhysicalPlanner {
    ctx: Arc<QueryContext>,
    pipelines: Vec<Pipeline>,
    /// The peak tracker of the memory reservation taken for the sink that
    /// closes the next pipeline (each is taken right before the close).
    sink_memory: Option<Arc<AtomicUsize>>,
}

impl PhysicalPlanner {
    pub fn new(ctx: Arc<QueryContext>) -> PhysicalPlanner {
        PhysicalPlanner { ctx, pipelines: vec![], sink_memory: None }
    }

    /// Plans `plan` into pipelines ending in a result collector.
    pub fn plan_query(self, plan: &LogicalPlan) -> Result<(Vec<Pipeline>, Arc<CollectSink>)> {
        // expressions compile with the session time zone
        let zone = self.ctx.config.time_zone().to_string();
        crate::expr::with_session_time_zone(&zone, move || self.plan_in_session_zone(plan))
    }

    fn plan_in_session_zone(mut self, plan: &LogicalPlan) -> Result<(Vec<Pipeline>, Arc<CollectSink>)> {
        let plan = crate::shared_subplan::share_with_scalar_subqueries(plan.clone(), &self.ctx)?;
        let plan = self.evaluate_scalar_subqueries(plan)?;
        let mut open = self.build(&plan)?;
        let wanted = plan.output();
        if open.attrs.iter().map(|a| a.id).ne(wanted.iter().map(|a| a.id)) {
            let exprs = wanted.iter().map(|a| Expr::Column(a.clone())).collect::<Vec<_>>();
            self.push_project(&mut open, &exprs, wanted.clone())?;
        }
        let sink = Arc::new(CollectSink::default());
        self.close(open, sink.clone());
        Ok((self.pipelines, sink))
    }

    /// The pipelines of a plan as text, for EXPLAIN (nothing runs, except
    /// uncorrelated scalar subqueries, whose values the plan needs).
    pub fn describe(self, plan: &LogicalPlan) -> Result<String> {
        let (pipelines, _) = self.plan_query(plan)?;
        let mut s = String::new();
        for (i, p) in pipelines.iter().enumerate() {
            s.push_str(&format!("Pipeline {}:\n", i + 1));
            for line in p.describe().lines() {
                s.push_str("  ");
                s.push_str(line);
                s.push('\n');
            }
        }
        Ok(s)
    }

    fn close(&mut self, open: Open, sink: Arc<dyn Sink>) {
        let memory = self.sink_memory.take();
        self.pipelines.push(Pipeline::new(open.branches, sink, memory));
    }

    /// A memory reservation for the sink about to close a pipeline.
    fn reserve(&mut self, consumer: &str) -> MemoryReservation {
        let reservation = self.ctx.memory.reserve(consumer);
        self.sink_memory = Some(reservation.peak_tracker());
        reservation
    }

    /// Runs uncorrelated scalar subqueries first and puts their value in
    /// place (correlated ones were turned into joins by the optimizer).
    fn evaluate_scalar_subqueries(&self, plan: LogicalPlan) -> Result<LogicalPlan> {
        plan.transform_up(&mut |node| {
            node.map_expressions(|e| {
                e.transform_up(&mut |x| match x {
                    Expr::ScalarSubquery { plan, data_type } => {
                        let sub = self.evaluate_scalar_subqueries(*plan)?;
                        let batches = crate::executor::execute_plan(&sub, &self.ctx)?;
                        let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
                        if rows > 1 {
                            return Err(Error::spark("SCALAR_SUBQUERY_TOO_MANY_ROWS", &[]));
                        }
                        let value = match batches.iter().find(|b| b.num_rows() > 0) {
                            Some(b) => ScalarValue::try_from_array(b.column(0).as_ref(), 0)?,
                            None => ScalarValue::null_of(&data_type),
                        };
                        Ok(Expr::Literal(value))
                    }
                    Expr::InSubquery { .. } | Expr::Exists { .. } => {
                        Err(Error::not_implemented("this form of IN / EXISTS subquery (for example inside OR)"))
                    }
                    other => Ok(other),
                })
            })
        })
    }

    /// A scan; `pushed` are filter conjuncts a Parquet scan applies while
    /// reading (see `scan::parquet::ScanFilter`). `needed`: the columns
    /// read above the scan, when known; a Parquet scan with pushed
    /// conjuncts leaves out the others (columns only those conjuncts read).
    fn build_scan(&mut self, plan: &LogicalPlan, pushed: &[Expr], needed: Option<&[ColumnId]>) -> Result<Open> {
        let bs = self.ctx.batch_size();
        let LogicalPlan::Scan { source, table_name, projection, output, filters } = plan else {
            return Err(Error::internal("build_scan of a non-scan"));
        };
        let schema = schema_of(output);
        let src: Arc<dyn Source> = match source {
            TableSource::Files(table) if table.format == ember_core::FileFormat::Parquet => {
                let predicates = pruning_predicates(filters, output, projection, &table.schema);
                let scan = ParquetScan::try_new(
                    table_name.clone(),
                    &table.files,
                    projection.clone(),
                    output.clone(),
                    schema,
                    &predicates,
                    bs,
                )?;
                let scan = match needed {
                    _ if pushed.is_empty() => scan,
                    Some(needed) => scan.with_filter(pushed.to_vec())?.emit_only(needed)?,
                    None => scan.with_filter(pushed.to_vec())?,
                };
                let scan = Arc::new(scan);
                let mut open = Open::from_source(scan.clone(), scan.emitted_attributes());
                open.parquet = Some(scan);
                return Ok(open);
            }
            TableSource::Files(table) => {
                Arc::new(TextFileScan::new(table_name.clone(), table.clone(), projection.clone(), schema, bs))
            }
            TableSource::Memory { batches, .. } => Arc::new(MemoryScan::new(
                format!("MemoryScan {table_name}"),
                schema,
                crate::operator::buffer::rechunk(batches.as_ref().clone(), bs),
                Some(projection.clone()),
            )),
        };
        Ok(Open::from_source(src, output.clone()))
    }

    fn build(&mut self, plan: &LogicalPlan) -> Result<Open> {
        let bs = self.ctx.batch_size();
        match plan {
            LogicalPlan::Scan { .. } => self.build_scan(plan, &[], None),
            LogicalPlan::Values { output, rows } => {
                let schema = schema_of(output);
                let batch = values_batch(&schema, rows)?;
                Ok(Open::from_source(
                    Arc::new(MemoryScan::new("LocalRelation".into(), schema, vec![batch], None)),
                    output.clone(),
                ))
            }
            LogicalPlan::Empty { output } => {
                let schema = schema_of(output);
                Ok(Open::from_source(
                    Arc::new(MemoryScan::new("EmptyRelation".into(), schema, vec![], None)),
                    output.clone(),
                ))
            }
            LogicalPlan::Range { output, start, end, step } => {
                let schema = schema_of(std::slice::from_ref(output));
                Ok(Open::from_source(Arc::new(RangeScan::new(schema, *start, *end, *step, bs)), vec![output.clone()]))
            }
            LogicalPlan::Filter { .. } => self.build_filter(plan, None),
            LogicalPlan::Project { input, exprs } => {
                let mut open = self.build_reading(input, exprs.iter())?;
                self.push_project(&mut open, exprs, plan.output())?;
                Ok(open)
            }
            LogicalPlan::Aggregate { input, group_exprs, aggr_exprs } => {
                self.build_aggregate(plan, input, group_exprs, aggr_exprs, None)
            }
            LogicalPlan::Join { left, right, join_type, on, filter, null_aware } => {
                self.build_join(left, right, *join_type, on, filter.as_ref(), *null_aware)
            }
            LogicalPlan::Sort { input, order, fetch } => {
                let open = self.build(input)?;
                let binding = open.binding();
                let keys = order
                    .iter()
                    .map(|o| {
                        Ok(SortKey {
                            expr: compile(&o.expr, &binding)?,
                            descending: !o.ascending,
                            nulls_first: o.nulls_first,
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                let display = order.iter().map(|o| o.expr.to_string()).collect::<Vec<_>>().join(", ");
                let attrs = open.attrs.clone();
                let schema = schema_of(&attrs);
                let sort = Arc::new(Sort::new(schema.clone(), keys, *fetch, self.reserve("Sort"), bs, display));
                self.close(open, sort.clone());
                let src = BufferSource { name: sort.name(), schema, buffer: sort.output.clone(), max_threads: 1 };
                Ok(Open::from_source(Arc::new(src), attrs))
            }
            LogicalPlan::Limit { input, skip, fetch } => {
                // a limit directly over a sort becomes a top-N
                let mut open = match (input.as_ref(), fetch) {
                    (LogicalPlan::Sort { input: si, order, fetch: None }, Some(f)) => self
                        .build(&LogicalPlan::Sort { input: si.clone(), order: order.clone(), fetch: Some(skip + f) })?,
                    _ => self.build(input)?,
                };
                // the first rows of the input, as Spark takes them: one
                // worker reads below a limit, in the source's order (a
                // sort's output is read by one worker already)
                if !matches!(input.as_ref(), LogicalPlan::Sort { .. }) {
                    for b in &mut open.branches {
                        b.source = Arc::new(InOrder(b.source.clone()));
                    }
                }
                let attrs = open.attrs.clone();
                open.push(Arc::new(Limit::new(schema_of(&attrs), *skip, *fetch)), attrs);
                Ok(open)
            }
            LogicalPlan::Union { inputs, output } => {
                let mut branches = Vec::new();
                for input in inputs {
                    let mut open = self.build(input)?;
                    // bring every input to the union's column order and types
                    let exprs: Vec<Expr> = input
                        .output()
                        .iter()
                        .zip(output.iter())
                        .map(|(a, o)| {
                            let e = Expr::Column(a.clone());
                            let e = if a.data_type != o.data_type {
                                Expr::Cast { expr: Box::new(e), to: o.data_type.clone(), mode: EvalMode::Legacy }
                            } else {
                                e
                            };
                            Expr::Alias { expr: Box::new(e), name: o.name.clone(), id: o.id }
                        })
                        .collect();
                    self.push_project(&mut open, &exprs, output.clone())?;
                    branches.extend(open.branches);
                }
                Ok(Open { branches, attrs: output.clone(), parquet: None })
            }
            LogicalPlan::Window { input, window_exprs, partition_by, order_by } => {
                self.build_window(input, window_exprs, partition_by, order_by)
            }
            LogicalPlan::Expand { input, projections, output } => {
                let mut open = self.build(input)?;
                let binding = open.binding();
                let compiled = projections
                    .iter()
                    .map(|p| p.iter().map(|e| compile(e, &binding)).collect::<Result<Vec<_>>>())
                    .collect::<Result<Vec<_>>>()?;
                let display = projections
                    .iter()
                    .map(|p| format!("[{}]", p.iter().map(|e| e.to_string()).collect::<Vec<_>>().join(", ")))
                    .collect::<Vec<_>>()
                    .join(", ");
                let op = Expand { schema: schema_of(output), projections: compiled, display };
                open.push(Arc::new(op), output.clone());
                Ok(open)
            }
            LogicalPlan::SetOperation { left, right, kind, all } => {
                let attrs = left.output();
                let schema = schema_of(&attrs);
                let op = SetOperation::try_new(schema.clone(), *kind, *all, bs)?;
                let mut r = self.build(right)?;
                let r_exprs: Vec<Expr> = right
                    .output()
                    .iter()
                    .zip(attrs.iter())
                    .map(|(a, l)| {
                        Expr::Cast {
                            expr: Box::new(Expr::Column(a.clone())),
                            to: l.data_type.clone(),
                            mode: EvalMode::Legacy,
                        }
                        .alias(l.name.clone())
                    })
                    .collect();
                let r_attrs: Vec<Attribute> = r_exprs.iter().map(|e| e.to_attribute()).collect();
                self.push_project(&mut r, &r_exprs, r_attrs)?;
                self.close(r, Arc::new(SetOpSide { op: op.clone(), is_left: false }));
                let l = self.build(left)?;
                let l_open = self.reorder(l, &attrs)?;
                self.close(l_open, Arc::new(SetOpSide { op: op.clone(), is_left: true }));
                let src = BufferSource {
                    name: "SetOperation".into(),
                    schema,
                    buffer: op.output.clone(),
                    max_threads: usize::MAX,
                };
                Ok(Open::from_source(Arc::new(src), attrs))
            }
        }
    }

    /// Makes the open pipeline's layout exactly `attrs`.
    fn reorder(&mut self, mut open: Open, attrs: &[Attribute]) -> Result<Open> {
        if open.attrs.iter().map(|a| a.id).ne(attrs.iter().map(|a| a.id)) {
            let exprs: Vec<Expr> = attrs.iter().map(|a| Expr::Column(a.clone())).collect();
            self.push_project(&mut open, &exprs, attrs.to_vec())?;
        }
        Ok(open)
    }

    /// `input`, of which the operator above reads only the columns of
    /// `exprs`: columns only a filter below reads need not leave its scan.
    fn build_reading<'e>(&mut self, input: &LogicalPlan, exprs: impl Iterator<Item = &'e Expr>) -> Result<Open> {
        match input {
            LogicalPlan::Filter { .. } => {
                let needed: Vec<ColumnId> = exprs.flat_map(Expr::column_ids).collect();
                self.build_filter(input, Some(&needed))
            }
            _ => self.build(input),
        }
    }

    /// A `Filter` node. `needed`: the columns read above it, when known.
    fn build_filter(&mut self, plan: &LogicalPlan, needed: Option<&[ColumnId]>) -> Result<Open> {
        let LogicalPlan::Filter { input, predicate } = plan else {
            return Err(Error::internal("build_filter of a non-filter"));
        };
        let (mut open, predicate) = match input.as_ref() {
            // a Parquet scan applies what it can itself, before decoding the other columns
            LogicalPlan::Scan { source: TableSource::Files(t), .. } if t.format == ember_core::FileFormat::Parquet => {
                let (pushed, rest): (Vec<Expr>, Vec<Expr>) =
                    predicate.clone().split_conjunction().into_iter().partition(scan_can_apply);
                let rest = Expr::conjunction(rest);
                // what the scan emits: what is read above, and by the rest of the predicate
                let needed = needed.map(|n| {
                    let mut n = n.to_vec();
                    n.extend(rest.iter().flat_map(Expr::column_ids));
                    n
                });
                let open = self.build_scan(input, &pushed, needed.as_deref())?;
                match rest {
                    Some(rest) => (open, rest),
                    None => return Ok(open),
                }
            }
            // an aggregate keeps only its result rows that pass:
            // each finalize task filters its own (TPC-H Q18's HAVING
            // keeps 624 of 15M groups, which are never gathered)
            LogicalPlan::Aggregate { input: agg_input, group_exprs, aggr_exprs } => {
                return self.build_aggregate(input, agg_input, group_exprs, aggr_exprs, Some(predicate));
            }
            _ => (self.build(input)?, predicate.clone()),
        };
        let predicate = &predicate;
        let p = compile(predicate, &open.binding())?;
        if let PhysicalExpr::Literal(ScalarValue::Boolean(Some(true))) = p {
            return Ok(open);
        }
        let attrs = open.attrs.clone();
        open.push(Arc::new(Filter { schema: schema_of(&attrs), predicate: p, display: predicate.to_string() }), attrs);
        Ok(open)
    }

    fn push_project(&mut self, open: &mut Open, exprs: &[Expr], attrs: Vec<Attribute>) -> Result<()> {
        let binding = open.binding();
        // a projection that only selects input columns in order is a no-op
        let identity = exprs.len() == open.attrs.len()
            && exprs.iter().zip(open.attrs.iter()).all(|(e, a)| matches!(e, Expr::Column(c) if c.id == a.id));
        if identity {
            open.attrs = attrs;
            return Ok(());
        }
        let compiled = exprs.iter().map(|e| compile(e, &binding)).collect::<Result<Vec<_>>>()?;
        let display = exprs.iter().map(|e| e.to_string()).collect::<Vec<_>>().join(", ");
        let project = Project::new(schema_of(&attrs), compiled, open.attrs.len(), display);
        open.push(Arc::new(project), attrs);
        Ok(())
    }

    fn build_aggregate(
        &mut self,
        plan: &LogicalPlan,
        input: &LogicalPlan,
        group_exprs: &[Expr],
        aggr_exprs: &[Expr],
        result_filter: Option<&Expr>,
    ) -> Result<Open> {
        let open = self.build_reading(input, group_exprs.iter().chain(aggr_exprs))?;
        let binding = open.binding();
        let groups = group_exprs.iter().map(|e| compile(e, &binding)).collect::<Result<Vec<_>>>()?;
        let group_types = group_exprs.iter().map(|e| e.data_type()).collect();
        let mut specs = Vec::new();
        // the calls' arguments, each deterministic one compiled once
        let mut inputs: Vec<(Expr, PhysicalExpr)> = Vec::new();
        for e in aggr_exprs {
            let Expr::Aggregate(call) = e.unalias() else {
                return Err(Error::internal(format!("aggregate list item {e} is not an aggregate call")));
            };
            let arg_types: Vec<_> = call.args.iter().map(|a| a.data_type()).collect();
            let mut args = Vec::with_capacity(call.args.len());
            for a in &call.args {
                let deterministic = !a.any(&mut |x| {
                    matches!(x, Expr::ScalarFunction { name, .. } if ember_vector::functions::is_nondeterministic(name))
                });
                match inputs.iter().position(|(seen, _)| deterministic && seen == a) {
                    Some(i) => args.push(i),
                    None => {
                        args.push(inputs.len());
                        inputs.push((a.clone(), compile(a, &binding)?));
                    }
                }
            }
            specs.push(AggregateSpec {
                converter: crate::operator::aggregate::accumulator::value_converter(&arg_types)?,
                func: call.func,
                args,
                arg_types: call.args.iter().map(|a| a.data_type()).collect(),
                distinct: call.distinct,
                filter: match &call.filter {
                    Some(f) => Some(compile(f, &binding)?),
                    None => None,
                },
                data_type: call.data_type.clone(),
                mode: call.mode,
            });
        }
        let attrs = plan.output();
        let schema = schema_of(&attrs);
        let display = group_exprs.iter().chain(aggr_exprs.iter()).map(|e| e.to_string()).collect::<Vec<_>>().join(", ");
        let result_filter = match result_filter {
            Some(predicate) => Some((compile(predicate, &Binding::new(&attrs))?, predicate.to_string())),
            None => None,
        };
        let mut inputs: Vec<PhysicalExpr> = inputs.into_iter().map(|(_, p)| p).collect();
        let common = CommonSubexpressions::extract(&mut inputs, open.attrs.len());
        let aggregates = AggregateList { inputs, common, specs };
        let agg = Arc::new(
            HashAggregate::new(
                schema.clone(),
                groups,
                group_types,
                aggregates,
                self.reserve("HashAggregate"),
                self.ctx.batch_size(),
                display,
            )?
            .with_flush_groups(self.ctx.aggregate_flush_groups())
            .with_result_filter(result_filter),
        );
        self.close(open, agg.clone());
        let src = BufferSource {
            name: "AggregateResult".into(),
            schema,
            buffer: agg.output.clone(),
            max_threads: usize::MAX,
        };
        Ok(Open::from_source(Arc::new(src), attrs))
    }

    fn build_window(
        &mut self,
        input: &LogicalPlan,
        window_exprs: &[Expr],
        partition_by: &[Expr],
        order_by: &[SortOrder],
    ) -> Result<Open> {
        let open = self.build(input)?;
        let binding = open.binding();
        let c = |e: &Expr| compile(e, &binding);
        let partition = partition_by.iter().map(c).collect::<Result<Vec<_>>>()?;
        let order = order_by
            .iter()
            .map(|o| Ok(SortKey { expr: c(&o.expr)?, descending: !o.ascending, nulls_first: o.nulls_first }))
            .collect::<Result<Vec<_>>>()?;
        let mut specs = Vec::with_capacity(window_exprs.len());
        let mut attrs = open.attrs.clone();
        for e in window_exprs {
            let Expr::Window(w) = e.unalias() else {
                return Err(Error::internal(format!("window list item {e} is not a window expression")));
            };
            let function = match &w.function {
                ember_core::WindowFunction::Aggregate(a) => {
                    let ignore_nulls = matches!(a.args.get(1), Some(Expr::Literal(ScalarValue::Boolean(Some(true)))));
                    let args: &[Expr] = if matches!(a.func, AggFunc::First | AggFunc::Last | AggFunc::AnyValue) {
                        &a.args[..a.args.len().min(1)]
                    } else {
                        &a.args
                    };
                    WindowFunction::Aggregate {
                        func: a.func,
                        args: args.iter().map(c).collect::<Result<Vec<_>>>()?,
                        arg_types: args.iter().map(|x| x.data_type()).collect(),
                        filter: a.filter.as_deref().map(c).transpose()?,
                        distinct: a.distinct,
                        ignore_nulls,
                        mode: a.mode,
                    }
                }
                ember_core::WindowFunction::RowNumber => WindowFunction::RowNumber,
                ember_core::WindowFunction::Rank => WindowFunction::Rank,
                ember_core::WindowFunction::DenseRank => WindowFunction::DenseRank,
                ember_core::WindowFunction::PercentRank => WindowFunction::PercentRank,
                ember_core::WindowFunction::CumeDist => WindowFunction::CumeDist,
                ember_core::WindowFunction::Ntile(n) => WindowFunction::Ntile(*n),
                ember_core::WindowFunction::Offset { input, offset, default, ignore_nulls, .. } => {
                    WindowFunction::Offset {
                        input: c(input)?,
                        offset: *offset,
                        default: c(default)?,
                        ignore_nulls: *ignore_nulls,
                    }
                }
                ember_core::WindowFunction::NthValue { input, n, ignore_nulls } => {
                    WindowFunction::NthValue { input: c(input)?, n: *n, ignore_nulls: *ignore_nulls }
                }
            };
            let bound = |b: &ember_core::FrameBound| -> Result<Bound> {
                Ok(match b {
                    ember_core::FrameBound::UnboundedPreceding => Bound::UnboundedPreceding,
                    ember_core::FrameBound::CurrentRow => Bound::CurrentRow,
                    ember_core::FrameBound::UnboundedFollowing => Bound::UnboundedFollowing,
                    ember_core::FrameBound::Rows(n) => Bound::Rows(*n),
                    ember_core::FrameBound::Range { value, .. } => Bound::Range(c(value)?),
                })
            };
            let frame = Frame { units: w.frame.units, start: bound(&w.frame.start)?, end: bound(&w.frame.end)? };
            specs.push(WindowExprSpec { function, frame, data_type: e.data_type() });
            attrs.push(e.to_attribute());
        }
        let mut open = open;
        if order_by.is_empty() && specs.iter().any(|s| s.order_sensitive()) {
            for b in &mut open.branches {
                b.source = Arc::new(InOrder(b.source.clone()));
            }
        }
        let schema = schema_of(&attrs);
        let display = window_exprs.iter().map(|e| e.to_string()).collect::<Vec<_>>().join(", ");
        let sink = Arc::new(WindowSink::new(
            schema.clone(),
            schema_of(&open.attrs),
            partition,
            order,
            specs,
            self.reserve("Window"),
            self.ctx.batch_size(),
            self.ctx.config.threads(),
            display,
        ));
        self.close(open, sink.clone());
        let src =
            BufferSource { name: "WindowResult".into(), schema, buffer: sink.output.clone(), max_threads: usize::MAX };
        Ok(Open::from_source(Arc::new(src), attrs))
    }

    fn build_join(
        &mut self,
        left: &LogicalPlan,
        right: &LogicalPlan,
        join_type: JoinType,
        on: &[(Expr, Expr)],
        filter: Option<&Expr>,
        null_aware: bool,
    ) -> Result<Open> {
        let kind = match join_type {
            JoinType::Inner | JoinType::Cross => JoinKind::Inner,
            JoinType::LeftOuter => JoinKind::LeftOuter,
            JoinType::RightOuter => JoinKind::RightOuter,
            JoinType::FullOuter => JoinKind::FullOuter,
            JoinType::LeftSemi => JoinKind::LeftSemi,
            JoinType::LeftAnti if null_aware => JoinKind::NullAwareAnti,
            JoinType::LeftAnti => JoinKind::LeftAnti,
            JoinType::RightSemi => JoinKind::RightSemi,
            JoinType::RightAnti => JoinKind::RightAnti,
        };
        // build side first: it must finish before the probe pipeline runs
        let build_open = self.build(right)?;
        let build_attrs = build_open.attrs.clone();
        let build_schema = schema_of(&build_attrs);
        let track = kind.tracks_build_matches();
        let mut probe = self.build(left)?;
        let probe_attrs = probe.attrs.clone();
        let joined: Vec<Attribute> = probe_attrs.iter().chain(build_attrs.iter()).cloned().collect();
        let out_attrs: Vec<Attribute> = if kind.emits_build_columns() {
            let nullable_probe = matches!(kind, JoinKind::RightOuter | JoinKind::FullOuter);
            let nullable_build = matches!(kind, JoinKind::LeftOuter | JoinKind::FullOuter);
            probe_attrs
                .iter()
                .map(|a| a.clone().with_nullable(a.nullable || nullable_probe))
                .chain(build_attrs.iter().map(|a| a.clone().with_nullable(a.nullable || nullable_build)))
                .collect()
        } else if kind.emits_probe_rows() {
            probe_attrs.clone()
        } else {
            build_attrs.clone()
        };
        let out_schema = schema_of(&out_attrs);
        let filter_expr = match filter {
            Some(f) => Some(compile(f, &Binding::new(&joined))?),
            None => None,
        };
        let emitter = JoinEmitter { kind, filter: filter_expr, schema: out_schema.clone() };
        let build_side = if on.is_empty() {
            let (collector, side) = BuildCollector::new(build_schema, self.reserve("NestedLoopBuild"), track);
            let build = Arc::new(NestedLoopBuild { collector });
            self.close(build_open, build.clone());
            probe.push(
                Arc::new(NestedLoopProbe { schema: out_schema.clone(), build_side: side.clone(), emitter }),
                out_attrs.clone(),
            );
            side
        } else {
            let pb = probe.binding();
            let bb = Binding::new(&build_attrs);
            let mut probe_keys = Vec::new();
            let mut build_keys = Vec::new();
            let mut key_types = Vec::new();
            for (l, r) in on {
                let lt = l.data_type();
                let mut pk = compile(l, &pb)?;
                let mut bk = compile(r, &bb)?;
                let rt = r.data_type();
                if lt != rt {
                    // the analyzer coerces keys; this only aligns representations
                    let common = if ember_core::types::is_string(&lt) { lt.clone() } else { common_key_type(&lt, &rt) };
                    if lt != common {
                        pk = PhysicalExpr::Cast { expr: Box::new(pk), to: common.clone(), mode: EvalMode::Legacy };
                    }
                    if rt != common {
                        bk = PhysicalExpr::Cast { expr: Box::new(bk), to: common.clone(), mode: EvalMode::Legacy };
                    }
                    key_types.push(common);
                } else {
                    key_types.push(lt);
                }
                probe_keys.push(pk);
                build_keys.push(bk);
            }
            let display = on.iter().map(|(l, r)| format!("{l} = {r}")).collect::<Vec<_>>().join(", ");
            // rows of a probe scan whose key has no build row are dropped by
            // this join anyway: the scan drops them before decoding more. Of
            // several keys, each integer one is tested on its own.
            let filtered: Vec<(usize, ColumnId)> = match (&probe.parquet, kind.drops_unmatched_probe_rows()) {
                (Some(scan), true) => on
                    .iter()
                    .enumerate()
                    .filter_map(|(k, (probe_key, build_key))| match probe_key {
                        Expr::Column(key)
                            if (on.len() == 1 || ember_core::types::is_integral(&key.data_type))
                                && key.data_type == build_key.data_type()
                                && scan.produces(key.id) =>
                        {
                            Some((k, key.id))
                        }
                        _ => None,
                    })
                    .collect(),
                _ => vec![],
            };
            let filtered_keys = filtered.iter().map(|(k, _)| *k).collect();
            let (build, index, side) = HashJoinBuild::new(
                build_schema,
                build_keys,
                key_types,
                filtered_keys,
                self.reserve("HashJoinBuild"),
                track,
            );
            let build = Arc::new(build);
            if let Some(scan) = &probe.parquet {
                for (k, column) in filtered {
                    scan.add_join_filter(column, JoinKey { index: index.clone(), key: k })?;
                }
            }
            self.close(build_open, build.clone());
            probe.push(
                Arc::new(HashJoinProbe { schema: out_schema.clone(), keys: probe_keys, index, emitter, display }),
                out_attrs.clone(),
            );
            side
        };
        if track {
            let tail = UnmatchedBuildSource {
                schema: out_schema,
                probe_schema: kind.emits_probe_rows().then(|| schema_of(&probe_attrs)),
                matched: kind == JoinKind::RightSemi,
                build: build_side,
                done: AtomicBool::new(false),
            };
            probe.branches.push(Branch { source: Arc::new(tail), operators: vec![] });
        }
        Ok(probe)
    }
}

fn common_key_type(a: &arrow::datatypes::DataType, b: &arrow::datatypes::DataType) -> arrow::datatypes::DataType {
    use arrow::datatypes::DataType as D;
    match (a, b) {
        (D::Decimal128(p1, s1), D::Decimal128(p2, s2)) => {
            let s = (*s1).max(*s2);
            let int = (*p1 as i16 - *s1 as i16).max(*p2 as i16 - *s2 as i16);
            D::Decimal128(((int + s as i16) as u8).min(38), s)
        }
        (x, y) if ember_core::types::is_integral(x) && ember_core::types::is_integral(y) => D::Int64,
        _ => D::Float64,
    }
}

/// The pushed filters a Parquet scan can check against row-group statistics.
fn pruning_predicates(
    filters: &[Expr],
    output: &[Attribute],
    projection: &[usize],
    schema: &SchemaRef,
) -> Vec<RowGroupPredicate> {
    let mut out = Vec::new();
    for f in filters {
        let Expr::Binary { op, left, right, .. } = f else { continue };
        let (col, lit, op) = match (left.as_ref(), right.as_ref()) {
            (Expr::Column(c), Expr::Literal(v)) => (c, v, *op),
            (Expr::Literal(v), Expr::Column(c)) => match op.swap() {
                Some(o) => (c, v, o),
                None => continue,
            },
            _ => continue,
        };
        if !matches!(op, BinaryOp::Eq | BinaryOp::Lt | BinaryOp::LtEq | BinaryOp::Gt | BinaryOp::GtEq) {
            continue;
        }
        let Some(pos) = output.iter().position(|a| a.id == col.id) else { continue };
        let Some(field) = projection.get(pos).and_then(|i| schema.fields().get(*i)) else { continue };
        out.push(RowGroupPredicate { column: field.name().clone(), op, value: lit.clone() });
    }
    out
}

/// Whether a Parquet scan may apply `conjunct` while reading: it reads a
/// column, and evaluating it once per row, before the rest of the plan,
/// changes nothing (no random values, no subqueries).
fn scan_can_apply(conjunct: &Expr) -> bool {
    !conjunct.column_ids().is_empty()
        && !conjunct.contains_subquery()
        && !conjunct.any(&mut |x| {
            matches!(x, Expr::ScalarFunction { name, .. } if ember_vector::functions::is_nondeterministic(name))
        })
}

/// Literal rows as one batch.
fn values_batch(schema: &SchemaRef, rows: &[Vec<ScalarValue>]) -> Result<RecordBatch> {
    let mut cols: Vec<ArrayRef> = Vec::with_capacity(schema.fields().len());
    for (i, f) in schema.fields().iter().enumerate() {
        let parts = rows.iter().map(|r| r[i].to_array(1)).collect::<Vec<_>>();
        let refs: Vec<&dyn arrow::array::Array> = parts.iter().map(|a| a.as_ref()).collect();
        let col =
            if refs.is_empty() { arrow::array::new_empty_array(f.data_type()) } else { arrow::compute::concat(&refs)? };
        let col = if col.data_type() != f.data_type() { arrow::compute::cast(&col, f.data_type())? } else { col };
        cols.push(col);
    }
    Ok(RecordBatch::try_new_with_options(
        schema.clone(),
        cols,
        &RecordBatchOptions::new().with_row_count(Some(rows.len())),
    )?)
}
