//! Grouped and global aggregation.

pub mod accumulator;
pub mod chunk_groups;
pub mod collect;
pub mod hash_aggregate;
pub mod short_keys;
