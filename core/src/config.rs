//! Session configuration: Spark's keys plus Ember's own (`ember.*`).

use std::collections::BTreeMap;

use crate::error::{Error, Result};

pub const ANSI_ENABLED: &str = "spark.sql.ansi.enabled";
pub const CASE_SENSITIVE: &str = "spark.sql.caseSensitive";
pub const SESSION_TIME_ZONE: &str = "spark.sql.session.timeZone";
pub const SHUFFLE_PARTITIONS: &str = "spark.sql.shuffle.partitions";
pub const THREADS: &str = "ember.threads";
pub const MEMORY_LIMIT: &str = "ember.memory_limit";
pub const BATCH_SIZE: &str = "ember.batch_size";
pub const FORCE_SPILL: &str = "ember.force_spill";
pub const AGGREGATE_FLUSH_GROUPS: &str = "ember.aggregate_flush_groups";

/// Key/value settings of one session, with typed accessors for the ones the
/// engine reads.
#[derive(Debug, Clone, Default)]
pub struct SessionConfig {
    values: BTreeMap<String, String>,
}

impl SessionConfig {
    pub fn new() -> Self {
        SessionConfig::default()
    }

    pub fn set(&mut self, key: &str, value: &str) -> Result<()> {
        let key = key.trim();
        // validate the keys the engine interprets, so typos fail at SET time
        match key {
            ANSI_ENABLED | CASE_SENSITIVE | FORCE_SPILL => {
                parse_bool(value).ok_or_else(|| invalid_conf(key, value, "a boolean"))?;
            }
            THREADS | BATCH_SIZE | SHUFFLE_PARTITIONS | AGGREGATE_FLUSH_GROUPS => {
                let n: usize = value.trim().parse().map_err(|_| invalid_conf(key, value, "a positive integer"))?;
                if n == 0 {
                    return Err(invalid_conf(key, value, "a positive integer"));
                }
            }
            MEMORY_LIMIT => {
                parse_bytes(value).ok_or_else(|| invalid_conf(key, value, "a size such as 512m or 4g"))?;
            }
            _ => {}
        }
        self.values.insert(key.to_string(), value.trim().to_string());
        Ok(())
    }

    pub fn unset(&mut self, key: &str) {
        self.values.remove(key);
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(|s| s.as_str())
    }

    pub fn entries(&self) -> impl Iterator<Item = (&String, &String)> {
        self.values.iter()
    }

    pub fn ansi_enabled(&self) -> bool {
        self.get(ANSI_ENABLED).and_then(parse_bool).unwrap_or(true)
    }

    pub fn case_sensitive(&self) -> bool {
        self.get(CASE_SENSITIVE).and_then(parse_bool).unwrap_or(false)
    }

    /// Worker threads; defaults to the machine's cores.
    pub fn threads(&self) -> usize {
        self.get(THREADS)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1))
    }

    /// Rows per chunk flowing through a pipeline.
    pub fn batch_size(&self) -> usize {
        self.get(BATCH_SIZE).and_then(|v| v.parse().ok()).unwrap_or(8192)
    }

    /// Groups at which a worker's aggregation table is handed over and a
    /// new one started (see `hash_aggregate` in the executor); `None`: the
    /// executor's default.
    pub fn aggregate_flush_groups(&self) -> Option<usize> {
        self.get(AGGREGATE_FLUSH_GROUPS).and_then(|v| v.parse().ok())
    }

    /// Memory limit in bytes, if set.
    pub fn memory_limit(&self) -> Option<usize> {
        self.get(MEMORY_LIMIT).and_then(parse_bytes)
    }

    pub fn force_spill(&self) -> bool {
        self.get(FORCE_SPILL).and_then(parse_bool).unwrap_or(false)
    }

    pub fn time_zone(&self) -> &str {
        self.get(SESSION_TIME_ZONE).unwrap_or("UTC")
    }
}

fn invalid_conf(key: &str, value: &str, expected: &str) -> Error {
    Error::spark_msg(
        "INVALID_CONF_VALUE.TYPE_MISMATCH",
        "22022",
        format!("The value '{value}' in the config \"{key}\" is invalid. It should be {expected}."),
    )
}

pub fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// Parses `1024`, `512k`, `64m`, `4g`, `1gb` into bytes.
pub fn parse_bytes(v: &str) -> Option<usize> {
    let v = v.trim().to_ascii_lowercase();
    let v = v.trim_end_matches('b');
    let (num, mult) = match v.chars().last()? {
        'k' => (&v[..v.len() - 1], 1usize << 10),
        'm' => (&v[..v.len() - 1], 1 << 20),
        'g' => (&v[..v.len() - 1], 1 << 30),
        't' => (&v[..v.len() - 1], 1 << 40),
        _ => (v, 1),
    };
    let n: f64 = num.trim().parse().ok()?;
    if n < 0.0 {
        return None;
    }
    Some((n * mult as f64) as usize)
}
