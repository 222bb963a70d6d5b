//! The session catalog: temporary views and tables by case-insensitive name.
//!
//! Tables that Ember writes (`CREATE TABLE`, CTAS, `saveAsTable`) also keep
//! a `FileTableMeta`: their folder, format, options, declared schema and
//! partition columns. Their catalog entry is rebuilt from the folder after
//! every write: a file table, or for partitioned tables a view that unions
//! the leaf folders with their partition values as constant columns.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use arrow::datatypes::SchemaRef;
use ember_core::catalog::{Catalog, CatalogEntry};
use ember_core::plan::{FileFormat, TableSource};
use ember_core::spec::{ColumnDef, Expr, Plan, SetOp};
use ember_core::Result;

/// A table whose data lives in a folder that Ember reads and writes.
#[derive(Debug, Clone)]
pub struct FileTableMeta {
    /// The name as it was created.
    pub name: String,
    pub format: FileFormat,
    pub location: PathBuf,
    /// Options for reading and writing the files (`header`, `sep`, ...).
    pub options: Vec<(String, String)>,
    /// The table's columns: data columns, then partition columns.
    pub schema: SchemaRef,
    pub partition_by: Vec<String>,
    /// Created without LOCATION: DROP TABLE deletes the folder.
    pub managed: bool,
}

impl FileTableMeta {
    fn column_defs(&self, skip_partitions: bool) -> Vec<ColumnDef> {
        self.schema
            .fields()
            .iter()
            .filter(|f| !skip_partitions || !self.partition_by.iter().any(|p| p.eq_ignore_ascii_case(f.name())))
            .map(|f| ColumnDef { name: f.name().clone(), data_type: f.data_type().clone(), nullable: true })
            .collect()
    }

    /// The catalog entry that reads the table's current files.
    fn entry(&self) -> Result<CatalogEntry> {
        let location = self.location.display().to_string();
        if self.partition_by.is_empty() {
            let cols = self.column_defs(false);
            let table = ember_exec::files::resolve_file_table(
                self.format.name(),
                std::slice::from_ref(&location),
                &self.options,
                Some(&cols),
            )?;
            return Ok(CatalogEntry::Table { name: self.name.clone(), source: TableSource::Files(Arc::new(table)) });
        }
        let part_fields: Vec<arrow::datatypes::Field> = self
            .partition_by
            .iter()
            .filter_map(|p| self.schema.fields().iter().find(|f| f.name().eq_ignore_ascii_case(p)))
            .map(|f| f.as_ref().clone())
            .collect();
        let data_cols = self.column_defs(true);
        let leaves = ember_exec::partitions::leaf_folders(&self.location, &part_fields)?;
        let branches: Vec<Plan> = leaves
            .into_iter()
            .map(|(dir, values)| {
                let mut exprs: Vec<Expr> = data_cols.iter().map(|c| Expr::col(&c.name)).collect();
                for (f, v) in part_fields.iter().zip(values) {
                    exprs.push(Expr::Alias { expr: Box::new(Expr::lit(v)), name: f.name().clone() });
                }
                Plan::Project {
                    input: Box::new(Plan::ReadFiles {
                        format: self.format.name().to_string(),
                        paths: vec![dir.display().to_string()],
                        options: self.options.clone(),
                        schema: Some(data_cols.clone()),
                    }),
                    exprs,
                }
            })
            .collect();
        let plan =
            union_all(branches).unwrap_or_else(|| Plan::LocalRelation { batches: vec![], schema: self.schema.clone() });
        Ok(CatalogEntry::View { name: self.name.clone(), plan, columns: vec![] })
    }
}

/// `UNION ALL` of the plans as a balanced tree (no deep recursion for many
/// partitions).
fn union_all(mut plans: Vec<Plan>) -> Option<Plan> {
    if plans.len() <= 1 {
        return plans.pop();
    }
    let right = plans.split_off(plans.len() / 2);
    Some(Plan::SetOperation {
        left: Box::new(union_all(plans)?),
        right: Box::new(union_all(right)?),
        op: SetOp::Union,
        all: true,
        by_name: false,
        allow_missing: false,
    })
}

#[derive(Default)]
pub struct SessionCatalog {
    entries: RwLock<BTreeMap<String, CatalogEntry>>,
    tables: RwLock<BTreeMap<String, FileTableMeta>>,
}

/// Catalog key of a possibly qualified name: the last part, lowercased
/// (Ember has one namespace; `default.t` and `t` are the same table).
pub fn key(name: &[String]) -> String {
    name.last().map(|s| s.to_lowercase()).unwrap_or_default()
}

impl SessionCatalog {
    pub fn new() -> Arc<SessionCatalog> {
        Arc::new(SessionCatalog::default())
    }

    /// An independent copy: views and tables, not their files (Spark's
    /// `cloneSession` semantics: later changes in either are not shared).
    pub fn snapshot(&self) -> Arc<SessionCatalog> {
        Arc::new(SessionCatalog {
            entries: RwLock::new(self.entries.read().unwrap_or_else(|e| e.into_inner()).clone()),
            tables: RwLock::new(self.tables.read().unwrap_or_else(|e| e.into_inner()).clone()),
        })
    }

    pub fn get(&self, name: &[String]) -> Option<CatalogEntry> {
        self.entries.read().unwrap_or_else(|e| e.into_inner()).get(&key(name)).cloned()
    }

    /// Puts a view or table under `name`, replacing what was there (a
    /// replaced file table keeps its files but is no longer known).
    pub fn insert(&self, name: &[String], entry: CatalogEntry) {
        self.tables.write().unwrap_or_else(|e| e.into_inner()).remove(&key(name));
        self.entries.write().unwrap_or_else(|e| e.into_inner()).insert(key(name), entry);
    }

    /// The file table behind `name`, if it is one Ember writes.
    pub fn table_meta(&self, name: &[String]) -> Option<FileTableMeta> {
        self.tables.read().unwrap_or_else(|e| e.into_inner()).get(&key(name)).cloned()
    }

    /// Registers (or re-registers) a file table and the entry reading it.
    pub fn register_table(&self, meta: FileTableMeta) -> Result<()> {
        let entry = meta.entry()?;
        let k = key(std::slice::from_ref(&meta.name));
        self.entries.write().unwrap_or_else(|e| e.into_inner()).insert(k.clone(), entry);
        self.tables.write().unwrap_or_else(|e| e.into_inner()).insert(k, meta);
        Ok(())
    }

    /// Removes a table, returning its metadata when it is a file table.
    pub fn remove_table(&self, name: &[String]) -> (Option<CatalogEntry>, Option<FileTableMeta>) {
        let meta = self.tables.write().unwrap_or_else(|e| e.into_inner()).remove(&key(name));
        let entry = self.entries.write().unwrap_or_else(|e| e.into_inner()).remove(&key(name));
        (entry, meta)
    }

    /// (name, is temporary view)
    pub fn list(&self) -> Vec<(String, bool)> {
        let tables = self.tables.read().unwrap_or_else(|e| e.into_inner());
        self.entries
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|(k, v)| (k.clone(), matches!(v, CatalogEntry::View { .. }) && !tables.contains_key(k)))
            .collect()
    }
}

impl Catalog for SessionCatalog {
    fn lookup(&self, name: &[String]) -> Result<Option<CatalogEntry>> {
        if name.len() > 2 && !name[0].eq_ignore_ascii_case("spark_catalog") {
            return Ok(None);
        }
        Ok(self.get(name))
    }

    fn resolve_files(
        &self,
        format: &str,
        paths: &[String],
        options: &[(String, String)],
        schema: Option<&[ColumnDef]>,
    ) -> Result<TableSource> {
        let table = ember_exec::files::resolve_file_table(format, paths, options, schema)?;
        Ok(TableSource::Files(Arc::new(table)))
    }
}
