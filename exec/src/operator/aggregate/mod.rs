//! Grouped and global aggregation.

pub mod accumulator;
pub mod hash_aggregate;
