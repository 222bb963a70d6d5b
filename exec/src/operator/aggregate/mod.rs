//! Grouped and global aggregation.

pub mod accumulator;
pub mod collect;
pub mod grouped_add;
pub mod hash_aggregate;
pub mod short_keys;
