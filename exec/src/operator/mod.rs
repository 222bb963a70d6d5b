//! Physical operators, one per file, grouped by family.

pub mod aggregate;
pub mod buffer;
pub mod collect;
pub mod expand;
pub mod filter;
pub mod hash_keys;
pub mod join;
pub mod key_rows;
pub mod limit;
pub mod packed_keys;
pub mod project;
pub mod scan;
pub mod set_op;
pub mod sort;
pub mod tag_index;
pub mod window;
