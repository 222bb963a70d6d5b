//! The `Config` RPC: a session's Spark configuration as PySpark sees it.
//!
//! Values set by the client live in the engine session's `SessionConfig`
//! (so `spark.sql.ansi.enabled` and friends take effect); keys never set
//! answer Spark's default. PySpark reads many keys it never sets
//! (`createDataFrame` alone reads 13) and fails if one comes back empty, so
//! the defaults table covers every key the client reads.

use ember_core::{Error, Result};
use ember_engine::Session;

use crate::proto::spark::connect::config_request::operation::OpType;
use crate::proto::spark::connect::KeyValue;

/// Spark 4's defaults for the keys clients read. Values that steer the client
/// away from features Ember does not serve are chosen deliberately:
/// plan compression off (`-1`), local relations never cached
/// (`localRelationCacheThreshold` at its maximum), Arrow conversion not forced safe.
const SPARK_DEFAULTS: &[(&str, &str)] = &[
    ("spark.app.name", "Ember"),
    ("spark.master", "local[*]"),
    ("spark.api.mode", "connect"),
    ("spark.sql.catalogImplementation", "in-memory"),
    ("spark.sql.ansi.enabled", "true"),
    ("spark.sql.caseSensitive", "false"),
    ("spark.sql.session.timeZone", "UTC"),
    ("spark.sql.timestampType", "TIMESTAMP_LTZ"),
    ("spark.sql.shuffle.partitions", "200"),
    ("spark.sql.sources.partitionOverwriteMode", "STATIC"),
    ("spark.sql.warehouse.dir", "spark-warehouse"),
    ("spark.sql.session.localRelationCacheThreshold", "2147483647"),
    ("spark.sql.session.localRelationChunkSizeRows", "10000"),
    ("spark.sql.session.localRelationChunkSizeBytes", "16777216"),
    ("spark.sql.session.localRelationBatchOfChunksSizeBytes", "134217728"),
    ("spark.sql.session.localRelationSizeLimit", "3221225472"),
    ("spark.connect.session.planCompression.threshold", "-1"),
    ("spark.connect.session.planCompression.defaultAlgorithm", "NONE"),
    ("spark.sql.connect.serverStacktrace.enabled", "false"),
    ("spark.sql.pyspark.jvmStacktrace.enabled", "false"),
    ("spark.sql.execution.arrow.pyspark.enabled", "true"),
    ("spark.sql.execution.arrow.pyspark.fallback.enabled", "true"),
    ("spark.sql.execution.arrow.pyspark.selfDestruct.enabled", "false"),
    ("spark.sql.execution.arrow.maxRecordsPerBatch", "10000"),
    ("spark.sql.execution.arrow.useLargeVarTypes", "false"),
    ("spark.sql.execution.pandas.structHandlingMode", "legacy"),
    ("spark.sql.execution.pandas.convertToArrowArraySafely", "false"),
    ("spark.sql.execution.pandas.inferPandasDictAsMap", "false"),
    ("spark.sql.execution.pythonUDF.arrow.enabled", "false"),
    ("spark.sql.execution.pythonUDTF.arrow.enabled", "false"),
    ("spark.sql.execution.pyspark.binaryAsBytes", "true"),
    ("spark.sql.pyspark.inferNestedDictAsStruct.enabled", "false"),
    ("spark.sql.pyspark.legacy.inferArrayTypeFromFirstElement.enabled", "false"),
    ("spark.sql.pyspark.legacy.inferMapTypeFromFirstPair.enabled", "false"),
    ("spark.sql.pyspark.worker.logging.enabled", "false"),
    ("spark.sql.repl.eagerEval.enabled", "false"),
    ("spark.sql.repl.eagerEval.maxNumRows", "20"),
    ("spark.sql.repl.eagerEval.truncate", "20"),
    ("spark.sql.artifact.isolation.enabled", "true"),
    ("spark.sql.artifact.isolation.alwaysApplyClassloader", "false"),
    ("spark.sql.legacy.timeParserPolicy", "CORRECTED"),
    ("spark.sql.adaptive.enabled", "true"),
    ("spark.sql.crossJoin.enabled", "true"),
    ("spark.sql.parser.quotedRegexColumnNames", "false"),
    ("spark.python.profile", "false"),
    ("spark.python.profile.memory", "false"),
];

/// Spark's static configuration: set at start-up, not per session.
fn is_static(key: &str) -> bool {
    matches!(key, "spark.sql.catalogImplementation" | "spark.sql.warehouse.dir" | "spark.master" | "spark.app.name")
}

pub fn default_value(key: &str) -> Option<&'static str> {
    SPARK_DEFAULTS.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// The session's value, else Spark's default.
pub fn value(session: &Session, key: &str) -> Option<String> {
    session.config().get(key).map(|v| v.to_string()).or_else(|| default_value(key).map(|v| v.to_string()))
}

/// Answers one Config operation with the pairs and warnings to return.
pub fn handle(session: &Session, op: OpType) -> Result<(Vec<KeyValue>, Vec<String>)> {
    let pair = |key: &str, value: Option<String>| KeyValue { key: key.to_string(), value };
    let mut warnings = vec![];
    let pairs = match op {
        OpType::Set(set) => {
            // PySpark's builder sends its options (app name, master, ...) with
            // `silent`: Spark then ignores what it cannot set
            let silent = set.silent.unwrap_or(false);
            for kv in &set.pairs {
                let Some(v) = &kv.value else { continue };
                let result = if is_static(&kv.key) {
                    Err(Error::spark_msg(
                        "CANNOT_MODIFY_CONFIG",
                        "46110",
                        format!("Cannot modify the value of the Spark config: \"{}\".", kv.key),
                    ))
                } else {
                    session.set_config(&kv.key, v)
                };
                match result {
                    Err(e) if silent => warnings.push(e.to_string()),
                    other => other?,
                }
            }
            vec![]
        }
        OpType::Get(get) => get
            .keys
            .iter()
            .map(|k| {
                value(session, k).map(|v| pair(k, Some(v))).ok_or_else(|| {
                    Error::spark_msg(
                        "SQL_CONF_NOT_FOUND",
                        "42K0I",
                        format!("The SQL config \"{k}\" cannot be found. Please verify that the config exists."),
                    )
                })
            })
            .collect::<Result<Vec<_>>>()?,
        OpType::GetWithDefault(get) => get
            .pairs
            .iter()
            .map(|kv| pair(&kv.key, session.config().get(&kv.key).map(|v| v.to_string()).or(kv.value.clone())))
            .collect(),
        OpType::GetOption(get) => get.keys.iter().map(|k| pair(k, value(session, k))).collect(),
        OpType::GetAll(all) => {
            let prefix = all.prefix.unwrap_or_default();
            let config = session.config();
            let mut pairs: Vec<KeyValue> = SPARK_DEFAULTS
                .iter()
                .filter(|(k, _)| config.get(k).is_none())
                .map(|(k, v)| pair(k, Some(v.to_string())))
                .chain(config.entries().map(|(k, v)| pair(k, Some(v.clone()))))
                .filter(|kv| kv.key.starts_with(&prefix))
                .collect();
            pairs.sort_by(|a, b| a.key.cmp(&b.key));
            pairs
        }
        OpType::Unset(unset) => {
            for k in &unset.keys {
                if is_static(k) {
                    warnings.push(format!("cannot unset static config {k}"));
                    continue;
                }
                session.unset_config(k);
            }
            vec![]
        }
        OpType::IsModifiable(m) => m.keys.iter().map(|k| pair(k, Some((!is_static(k)).to_string()))).collect(),
    };
    Ok((pairs, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::spark::connect::config_request::{Get, GetOption, GetWithDefault, Set, Unset};

    fn kv(k: &str, v: Option<&str>) -> KeyValue {
        KeyValue { key: k.to_string(), value: v.map(|s| s.to_string()) }
    }

    #[test]
    fn set_get_unset_round_trip() {
        let s = Session::new();
        handle(&s, OpType::Set(Set { pairs: vec![kv("spark.sql.ansi.enabled", Some("false"))], silent: None }))
            .unwrap();
        assert!(!s.config().ansi_enabled());
        let (pairs, _) = handle(&s, OpType::Get(Get { keys: vec!["spark.sql.ansi.enabled".into()] })).unwrap();
        assert_eq!(pairs, vec![kv("spark.sql.ansi.enabled", Some("false"))]);
        handle(&s, OpType::Unset(Unset { keys: vec!["spark.sql.ansi.enabled".into()] })).unwrap();
        let (pairs, _) = handle(&s, OpType::Get(Get { keys: vec!["spark.sql.ansi.enabled".into()] })).unwrap();
        assert_eq!(pairs, vec![kv("spark.sql.ansi.enabled", Some("true"))]);
    }

    #[test]
    fn unknown_keys_error_on_get_and_are_empty_on_get_option() {
        let s = Session::new();
        let err = handle(&s, OpType::Get(Get { keys: vec!["no.such.key".into()] })).unwrap_err();
        assert_eq!(err.error_class(), Some("SQL_CONF_NOT_FOUND"));
        let (pairs, _) = handle(&s, OpType::GetOption(GetOption { keys: vec!["no.such.key".into()] })).unwrap();
        assert_eq!(pairs, vec![kv("no.such.key", None)]);
        let (pairs, _) =
            handle(&s, OpType::GetWithDefault(GetWithDefault { pairs: vec![kv("no.such.key", Some("7"))] })).unwrap();
        assert_eq!(pairs, vec![kv("no.such.key", Some("7"))]);
    }

    #[test]
    fn silent_sets_skip_static_keys() {
        let s = Session::new();
        let set = |silent| {
            OpType::Set(Set {
                pairs: vec![kv("spark.app.name", Some("x")), kv("spark.sql.ansi.enabled", Some("false"))],
                silent,
            })
        };
        assert_eq!(handle(&s, set(None)).unwrap_err().error_class(), Some("CANNOT_MODIFY_CONFIG"));
        let (_, warnings) = handle(&s, set(Some(true))).unwrap();
        assert_eq!(warnings.len(), 1);
        assert!(!s.config().ansi_enabled());
    }

    #[test]
    fn invalid_values_are_rejected() {
        let s = Session::new();
        let err =
            handle(&s, OpType::Set(Set { pairs: vec![kv("spark.sql.ansi.enabled", Some("maybe"))], silent: None }))
                .unwrap_err();
        assert_eq!(err.error_class(), Some("INVALID_CONF_VALUE.TYPE_MISMATCH"));
    }
}
