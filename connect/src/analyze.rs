//! AnalyzePlan: what a client asks about a plan without running it
//! (schema, explain, printSchema's tree, versions, DDL parsing, ...).

use std::hash::{Hash, Hasher};

use arrow::datatypes::{DataType, Field, Schema};
use ember_core::spec::{ExplainMode, Plan, Statement};
use ember_core::{Error, Result};
use ember_engine::Session;

use crate::lower::types::{data_type_to_proto, schema_to_proto};
use crate::lower::{lower_relation, LowerContext};
use crate::proto::spark::connect::analyze_plan_request::explain::ExplainMode as ProtoExplainMode;
use crate::proto::spark::connect::analyze_plan_request::Analyze;
use crate::proto::spark::connect::analyze_plan_response as res;
use crate::proto::spark::connect::plan::OpType;
use crate::proto::spark::connect::relation::RelType;
use crate::proto::spark::connect::{Plan as ProtoPlan, Relation};

/// The Spark version Ember answers as: the protocol's.
pub const SPARK_VERSION: &str = include_str!("../proto/SPARK_VERSION");

pub fn analyze(engine: &Session, request: Analyze) -> Result<res::Result> {
    let cx = LowerContext { session: engine };
    let lower = |plan: Option<ProtoPlan>| -> Result<Plan> {
        match plan.and_then(|p| p.op_type) {
            Some(OpType::Root(r)) => lower_relation(&r, &cx),
            Some(_) => Err(Error::not_implemented("analyzing a command")),
            None => Err(Error::spark_msg("INVALID_PLAN_INPUT", "XX000", "invalid plan: no root relation")),
        }
    };
    Ok(match request {
        Analyze::Schema(s) => {
            let schema = engine.analyze(&lower(s.plan)?)?.schema();
            res::Result::Schema(res::Schema { schema: Some(schema_to_proto(&schema)) })
        }
        Analyze::Explain(e) => {
            let mode = match ProtoExplainMode::try_from(e.explain_mode).unwrap_or(ProtoExplainMode::Simple) {
                ProtoExplainMode::Extended => ExplainMode::Extended,
                ProtoExplainMode::Codegen => ExplainMode::Codegen,
                ProtoExplainMode::Cost => ExplainMode::Cost,
                ProtoExplainMode::Formatted => ExplainMode::Formatted,
                _ => ExplainMode::Simple,
            };
            let plan = lower(e.plan)?;
            let result = engine.execute(Statement::Explain { statement: Box::new(Statement::Query(plan)), mode })?;
            let text = ember_engine::render::format_rows(&result.batches)
                .into_iter()
                .next()
                .and_then(|r| r.into_iter().next())
                .unwrap_or_default();
            res::Result::Explain(res::Explain { explain_string: text })
        }
        Analyze::TreeString(t) => {
            let schema = engine.analyze(&lower(t.plan)?)?.schema();
            let level = t.level.filter(|l| *l > 0).map(|l| l as usize).unwrap_or(usize::MAX);
            res::Result::TreeString(res::TreeString { tree_string: tree_string(&schema, level) })
        }
        Analyze::IsLocal(l) => res::Result::IsLocal(res::IsLocal { is_local: is_local(l.plan.as_ref()) }),
        Analyze::IsStreaming(_) => res::Result::IsStreaming(res::IsStreaming { is_streaming: false }),
        Analyze::InputFiles(f) => {
            let mut files = vec![];
            input_files(&lower(f.plan)?, &mut files);
            res::Result::InputFiles(res::InputFiles { files })
        }
        Analyze::SparkVersion(_) => {
            res::Result::SparkVersion(res::SparkVersion { version: SPARK_VERSION.trim().to_string() })
        }
        Analyze::DdlParse(d) => {
            res::Result::DdlParse(res::DdlParse { parsed: Some(data_type_to_proto(&ddl_parse(&d.ddl_string)?)) })
        }
        Analyze::SameSemantics(s) => {
            let a = canonical(engine, &lower(s.target_plan)?)?;
            let b = canonical(engine, &lower(s.other_plan)?)?;
            res::Result::SameSemantics(res::SameSemantics { result: a == b })
        }
        Analyze::SemanticHash(h) => {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            canonical(engine, &lower(h.plan)?)?.hash(&mut hasher);
            res::Result::SemanticHash(res::SemanticHash { result: hasher.finish() as i32 })
        }
        // the session answers these (it keeps the levels)
        Analyze::Persist(_) | Analyze::Unpersist(_) | Analyze::GetStorageLevel(_) => {
            return Err(Error::internal("persist requests are answered by the session"))
        }
        Analyze::JsonToDdl(_) => return Err(Error::not_implemented("AnalyzePlan json_to_ddl")),
    })
}

/// Spark's DDL parsing: a data type (`int`, `struct<a:int>`) or a table
/// schema (`a INT, b STRING`), which becomes a struct.
fn ddl_parse(text: &str) -> Result<DataType> {
    match ember_sql::parse_data_type(text) {
        Ok(t) => Ok(t),
        Err(type_error) => match ember_sql::parse_table_schema(text) {
            Ok(columns) => {
                Ok(DataType::Struct(columns.into_iter().map(|c| Field::new(c.name, c.data_type, c.nullable)).collect()))
            }
            Err(_) => Err(type_error),
        },
    }
}

/// A plan's canonical form, like Spark's `canonicalized`: the analyzed plan
/// with the session-unique column ids and generated aliases taken out, so
/// that two DataFrames built the same way compare equal.
fn canonical(engine: &Session, plan: &Plan) -> Result<String> {
    let text = engine.analyze(plan)?.display_indent().to_string();
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '#' || out.ends_with("__plan_") {
            while chars.peek().is_some_and(|d| d.is_ascii_digit()) {
                chars.next();
            }
        }
    }
    Ok(out)
}

fn is_local(plan: Option<&ProtoPlan>) -> bool {
    matches!(
        plan.and_then(|p| p.op_type.as_ref()),
        Some(OpType::Root(Relation { rel_type: Some(RelType::LocalRelation(_)), .. }))
    )
}

fn input_files(plan: &Plan, out: &mut Vec<String>) {
    match plan {
        Plan::ReadFiles { paths, .. } => out.extend(paths.iter().cloned()),
        Plan::Project { input, .. }
        | Plan::Filter { input, .. }
        | Plan::Aggregate { input, .. }
        | Plan::Having { input, .. }
        | Plan::Sort { input, .. }
        | Plan::Limit { input, .. }
        | Plan::Offset { input, .. }
        | Plan::Distinct { input }
        | Plan::SubqueryAlias { input, .. } => input_files(input, out),
        Plan::Join { left, right, .. } | Plan::SetOperation { left, right, .. } => {
            input_files(left, out);
            input_files(right, out);
        }
        Plan::With { ctes, input } => {
            for (_, _, p) in ctes {
                input_files(p, out);
            }
            input_files(input, out);
        }
        Plan::Relation { .. } | Plan::Values { .. } | Plan::Range { .. } | Plan::LocalRelation { .. } => {}
    }
}

/// Spark's `StructType.treeString(level)`, what `printSchema()` prints.
pub fn tree_string(schema: &Schema, max_level: usize) -> String {
    let mut out = String::from("root\n");
    for f in schema.fields() {
        tree_field(f.name(), f.data_type(), Some(f.is_nullable()), "nullable", 1, max_level, &mut out);
    }
    out
}

fn tree_field(
    name: &str,
    t: &DataType,
    nullable: Option<bool>,
    null_word: &str,
    level: usize,
    max_level: usize,
    out: &mut String,
) {
    if level > max_level {
        return;
    }
    let prefix = " |   ".repeat(level - 1);
    out.push_str(&format!("{prefix} |-- {name}: {}", type_name(t)));
    if let Some(n) = nullable {
        out.push_str(&format!(" ({null_word} = {n})"));
    }
    out.push('\n');
    match t {
        DataType::Struct(fields) => {
            for f in fields {
                tree_field(f.name(), f.data_type(), Some(f.is_nullable()), "nullable", level + 1, max_level, out);
            }
        }
        DataType::List(f) | DataType::LargeList(f) => {
            tree_field("element", f.data_type(), Some(f.is_nullable()), "containsNull", level + 1, max_level, out)
        }
        DataType::Map(entries, _) => {
            if let DataType::Struct(kv) = entries.data_type() {
                if kv.len() == 2 {
                    tree_field("key", kv[0].data_type(), None, "", level + 1, max_level, out);
                    let vn = Some(kv[1].is_nullable());
                    tree_field("value", kv[1].data_type(), vn, "valueContainsNull", level + 1, max_level, out);
                }
            }
        }
        _ => {}
    }
}

/// Spark's `DataType.typeName`.
fn type_name(t: &DataType) -> String {
    match t {
        DataType::Null => "void".into(),
        DataType::Boolean => "boolean".into(),
        DataType::Int8 => "byte".into(),
        DataType::Int16 => "short".into(),
        DataType::Int32 => "integer".into(),
        DataType::Int64 => "long".into(),
        DataType::Float32 => "float".into(),
        DataType::Float64 => "double".into(),
        DataType::Decimal128(p, s) => format!("decimal({p},{s})"),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "string".into(),
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView => "binary".into(),
        DataType::Date32 => "date".into(),
        DataType::Timestamp(_, Some(_)) => "timestamp".into(),
        DataType::Timestamp(_, None) => "timestamp_ntz".into(),
        DataType::Struct(_) => "struct".into(),
        DataType::List(_) | DataType::LargeList(_) => "array".into(),
        DataType::Map(_, _) => "map".into(),
        DataType::Interval(arrow::datatypes::IntervalUnit::YearMonth) => "interval year to month".into(),
        DataType::Duration(_) => "interval day to second".into(),
        DataType::Interval(_) => "interval".into(),
        DataType::Dictionary(_, v) => type_name(v),
        other => other.to_string().to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn tree_string_matches_spark_print_schema() {
        let schema = Schema::new(vec![
            Field::new("age", DataType::Int64, true),
            Field::new("name", DataType::Utf8, false),
            Field::new("s", DataType::Struct(vec![Field::new("d", DataType::Decimal128(10, 2), true)].into()), true),
            Field::new("a", DataType::List(Arc::new(Field::new("item", DataType::Int32, true))), true),
        ]);
        assert_eq!(
            tree_string(&schema, usize::MAX),
            "root\n |-- age: long (nullable = true)\n |-- name: string (nullable = false)\n |-- s: struct (nullable = true)\n |    |-- d: decimal(10,2) (nullable = true)\n |-- a: array (nullable = true)\n |    |-- element: integer (containsNull = true)\n"
        );
        assert_eq!(tree_string(&schema, 1).lines().count(), 5);
    }
}
