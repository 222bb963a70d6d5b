//! ORDER BY, and ORDER BY with LIMIT (top-N).

pub mod sort;
