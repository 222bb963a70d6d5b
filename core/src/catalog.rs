//! What the analyzer needs from the session: names to relations, and file
//! paths to tables (listing files and reading their schemas is IO the
//! analyzer does not do itself).

use crate::error::Result;
use crate::plan::TableSource;
use crate::spec::{ColumnDef, Plan};

/// What a name in the catalog stands for.
#[derive(Debug, Clone)]
pub enum CatalogEntry {
    /// A table over files or memory.
    Table { name: String, source: TableSource },
    /// A view: its unresolved plan, analyzed where it is used. `columns`
    /// renames the view's output when not empty.
    View { name: String, plan: Plan, columns: Vec<String> },
}

pub trait Catalog: Send + Sync {
    /// Looks a (possibly qualified) name up; `Ok(None)` when it does not exist.
    fn lookup(&self, name: &[String]) -> Result<Option<CatalogEntry>>;

    /// Lists the files behind `paths` (files, folders or globs) and
    /// determines their schema (given, read from footers, or inferred).
    fn resolve_files(
        &self,
        format: &str,
        paths: &[String],
        options: &[(String, String)],
        schema: Option<&[ColumnDef]>,
    ) -> Result<TableSource>;
}
