//! The session catalog: temporary views and tables by case-insensitive name.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use ember_core::catalog::{Catalog, CatalogEntry};
use ember_core::plan::TableSource;
use ember_core::spec::ColumnDef;
use ember_core::Result;

#[derive(Default)]
pub struct SessionCatalog {
    entries: RwLock<BTreeMap<String, CatalogEntry>>,
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

    pub fn get(&self, name: &[String]) -> Option<CatalogEntry> {
        self.entries.read().unwrap_or_else(|e| e.into_inner()).get(&key(name)).cloned()
    }

    pub fn insert(&self, name: &[String], entry: CatalogEntry) {
        self.entries.write().unwrap_or_else(|e| e.into_inner()).insert(key(name), entry);
    }

    pub fn remove(&self, name: &[String]) -> Option<CatalogEntry> {
        self.entries.write().unwrap_or_else(|e| e.into_inner()).remove(&key(name))
    }

    /// (name, is temporary view)
    pub fn list(&self) -> Vec<(String, bool)> {
        self.entries
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|(k, v)| (k.clone(), matches!(v, CatalogEntry::View { .. })))
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
