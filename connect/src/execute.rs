//! What an ExecutePlan does: a relation is lowered, planned and run, and its
//! rows come back as Arrow batches; a command changes the session (views,
//! configuration, files) and answers the way Spark answers it.

use std::sync::Arc;

use arrow::array::{RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use ember_core::spec::{Plan, Statement};
use ember_core::{Error, Result, ScalarValue};
use ember_engine::Session;

use crate::lower::types::schema_to_proto;
use crate::lower::{lower_relation, LowerContext};
use crate::proto::spark::connect::command::CommandType;
use crate::proto::spark::connect::execute_plan_response::{ResponseType, ResultComplete, SqlCommandResult};
use crate::proto::spark::connect::plan::OpType;
use crate::proto::spark::connect::relation::RelType;
use crate::proto::spark::connect::{
    ExecutePlanResponse, LocalRelation, Plan as ProtoPlan, Relation, ShowString, Sql, SqlCommand,
};
use crate::results::{arrow_batches, ipc_stream};

/// The responses of one plan, in order, without ids (the operation stamps them).
pub fn run_plan(engine: &Session, plan: ProtoPlan) -> Result<Vec<ExecutePlanResponse>> {
    let mut out = match plan.op_type {
        Some(OpType::Root(relation)) => run_relation(engine, &relation)?,
        Some(OpType::Command(command)) => match command.command_type {
            Some(command) => run_command(engine, command)?,
            None => return Err(invalid("a Command without a command type")),
        },
        Some(OpType::CompressedOperation(_)) => {
            return Err(Error::not_implemented(
                "compressed plans (set spark.connect.session.planCompression.threshold to -1)",
            ))
        }
        None => return Err(invalid("a Plan without a root relation or command")),
    };
    out.push(body(ResponseType::ResultComplete(ResultComplete {})));
    Ok(out)
}

fn body(r: ResponseType) -> ExecutePlanResponse {
    ExecutePlanResponse { response_type: Some(r), ..Default::default() }
}

fn invalid(what: &str) -> Error {
    Error::spark_msg("INVALID_PLAN_INPUT", "XX000", format!("invalid plan: {what}"))
}

/// Runs a relation: the schema first (so empty results keep their columns),
/// then the rows.
fn run_relation(engine: &Session, relation: &Relation) -> Result<Vec<ExecutePlanResponse>> {
    let (schema, batches) = match &relation.rel_type {
        Some(RelType::ShowString(show)) => show_string(engine, show)?,
        Some(RelType::HtmlString(html)) => {
            let input = html.input.as_deref().ok_or_else(|| invalid("HtmlString without input"))?;
            let (num_rows, truncate) = (html.num_rows.max(0) as usize, html.truncate.max(0) as usize);
            let (schema, batches) = first_rows(engine, input, num_rows)?;
            let zone = engine.config().time_zone().to_string();
            one_string("html_string", ember_engine::show::html_string(&schema, &batches, num_rows, truncate, &zone))?
        }
        _ => {
            let plan = lower_relation(relation, &LowerContext { session: engine })?;
            query(engine, &plan)?
        }
    };
    let mut out = vec![ExecutePlanResponse { schema: Some(schema_to_proto(&schema)), ..Default::default() }];
    out.extend(arrow_batches(&schema, &batches)?.into_iter().map(|b| body(ResponseType::ArrowBatch(b))));
    Ok(out)
}

fn query(engine: &Session, plan: &Plan) -> Result<(Arc<Schema>, Vec<RecordBatch>)> {
    let logical = engine.plan(plan)?;
    let schema = logical.schema();
    let batches = engine.execute_plan(&logical)?;
    Ok((schema, batches))
}

/// `df.show()`: Spark renders the text on the server; one row, one column.
fn show_string(engine: &Session, show: &ShowString) -> Result<(Arc<Schema>, Vec<RecordBatch>)> {
    let input = show.input.as_deref().ok_or_else(|| invalid("ShowString without input"))?;
    let num_rows = show.num_rows.max(0) as usize;
    let truncate = show.truncate.max(0) as usize;
    let plan = lower_relation(input, &LowerContext { session: engine })?;
    // one row more than shown tells whether to print "only showing top N rows"
    let limited = Plan::Limit {
        input: Box::new(plan),
        limit: ember_core::spec::Expr::lit(ScalarValue::Int64(Some(num_rows as i64 + 1))),
    };
    let (schema, batches) = query(engine, &limited)?;
    let zone = engine.config().time_zone().to_string();
    let text = ember_engine::show::show_string(&schema, &batches, num_rows, truncate, show.vertical, &zone);
    one_string("show_string", text)
}

/// The first `num_rows + 1` rows of a relation: one more than shown tells
/// whether to print "only showing top N rows".
fn first_rows(engine: &Session, input: &Relation, num_rows: usize) -> Result<(Arc<Schema>, Vec<RecordBatch>)> {
    let plan = lower_relation(input, &LowerContext { session: engine })?;
    let limit = ember_core::spec::Expr::lit(ScalarValue::Int64(Some(num_rows as i64 + 1)));
    query(engine, &Plan::Limit { input: Box::new(plan), limit })
}

fn one_string(column: &str, text: String) -> Result<(Arc<Schema>, Vec<RecordBatch>)> {
    let schema = Arc::new(Schema::new(vec![Field::new(column, DataType::Utf8, false)]));
    let batch = RecordBatch::try_new(schema.clone(), vec![Arc::new(StringArray::from(vec![text]))])?;
    Ok((schema, vec![batch]))
}

fn run_command(engine: &Session, command: CommandType) -> Result<Vec<ExecutePlanResponse>> {
    match command {
        CommandType::SqlCommand(sql) => sql_command(engine, sql),
        CommandType::CreateDataframeView(view) => {
            let input = view.input.as_ref().ok_or_else(|| invalid("CreateDataFrameViewCommand without input"))?;
            let query = lower_relation(input, &LowerContext { session: engine })?;
            let name =
                if view.is_global { vec!["global_temp".to_string(), view.name.clone()] } else { vec![view.name] };
            engine.execute(Statement::CreateView {
                name,
                columns: vec![],
                query,
                replace: view.replace,
                temporary: true,
                if_not_exists: false,
                sql: String::new(),
            })?;
            Ok(vec![])
        }
        CommandType::WriteOperation(write) => {
            crate::write::write_operation(engine, write)?;
            Ok(vec![])
        }
        CommandType::WriteOperationV2(write) => {
            crate::write::write_operation_v2(engine, write)?;
            Ok(vec![])
        }
        // PySpark cleans its ML model cache at exit; Ember keeps no models.
        CommandType::MlCommand(_) => Ok(vec![]),
        other => Err(Error::not_implemented(format!("the Spark Connect command {}", command_name(&other)))),
    }
}

fn command_name(c: &CommandType) -> &'static str {
    match c {
        CommandType::RegisterFunction(_) => "RegisterFunction (Python UDFs)",
        CommandType::WriteStreamOperationStart(_) => "WriteStreamOperationStart (streaming)",
        CommandType::StreamingQueryCommand(_) => "StreamingQueryCommand",
        CommandType::GetResourcesCommand(_) => "GetResourcesCommand",
        CommandType::StreamingQueryManagerCommand(_) => "StreamingQueryManagerCommand",
        CommandType::RegisterTableFunction(_) => "RegisterTableFunction (Python UDTFs)",
        CommandType::StreamingQueryListenerBusCommand(_) => "StreamingQueryListenerBusCommand",
        CommandType::RegisterDataSource(_) => "RegisterDataSource (Python data sources)",
        CommandType::CreateResourceProfileCommand(_) => "CreateResourceProfileCommand",
        CommandType::CheckpointCommand(_) => "CheckpointCommand",
        CommandType::RemoveCachedRemoteRelationCommand(_) => "RemoveCachedRemoteRelationCommand",
        CommandType::MergeIntoTableCommand(_) => "MergeIntoTableCommand",
        CommandType::ExecuteExternalCommand(_) => "ExecuteExternalCommand",
        CommandType::PipelineCommand(_) => "PipelineCommand",
        CommandType::Extension(_) => "Extension",
        _ => "command",
    }
}

/// `spark.sql(text)`. A query is analyzed now (so errors surface at the call,
/// as in Spark) and handed back as a `Sql` relation that later actions run; a
/// command runs now and its rows come back as a `LocalRelation`.
#[allow(deprecated)]
fn sql_command(engine: &Session, cmd: SqlCommand) -> Result<Vec<ExecutePlanResponse>> {
    let relation = match cmd.input {
        Some(r) => r,
        None => Relation {
            common: None,
            rel_type: Some(RelType::Sql(Sql {
                query: cmd.sql.clone(),
                args: cmd.args.clone(),
                pos_args: cmd.pos_args.clone(),
                named_arguments: cmd.named_arguments.clone(),
                pos_arguments: cmd.pos_arguments.clone(),
            })),
        },
    };
    let text = match &relation.rel_type {
        Some(RelType::Sql(sql)) => sql.query.clone(),
        _ => String::new(),
    };
    let statements = if text.is_empty() { vec![] } else { ember_sql::parse_sql(&text)? };
    let is_query = statements.len() == 1 && matches!(statements[0], Statement::Query(_));
    if text.is_empty() || is_query {
        // analyze now for Spark's eager errors; run later
        let plan = lower_relation(&relation, &LowerContext { session: engine })?;
        engine.analyze(&plan)?;
        return Ok(vec![body(ResponseType::SqlCommandResult(SqlCommandResult { relation: Some(relation) }))]);
    }
    if statements.is_empty() {
        return Err(Error::spark("PARSE_EMPTY_STATEMENT", &[]));
    }
    let mut last = None;
    for statement in statements {
        last = Some(engine.execute(statement)?);
    }
    let result = last.expect("at least one statement");
    let schema = wire_result_schema(&result.schema);
    let batch = if result.batches.is_empty() {
        RecordBatch::new_empty(schema.clone())
    } else {
        let merged = arrow::compute::concat_batches(&result.schema, &result.batches)?;
        crate::results::to_wire(&merged, &schema)?
    };
    let local = Relation {
        common: None,
        rel_type: Some(RelType::LocalRelation(LocalRelation { data: Some(ipc_stream(&batch)?), schema: None })),
    };
    Ok(vec![body(ResponseType::SqlCommandResult(SqlCommandResult { relation: Some(local) }))])
}

fn wire_result_schema(schema: &Schema) -> Arc<Schema> {
    crate::results::wire_schema(schema)
}
