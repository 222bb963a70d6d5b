//! Joins. The build side (always the plan's right input) is collected by a
//! sink; the probe side streams through an operator. Candidate pairs are
//! found by hashing (`hash_join`) or by trying all pairs (`nested_loop`);
//! `JoinEmitter` then applies the extra condition and the join type.
//! Unmatched build rows of RIGHT/FULL joins come from `UnmatchedBuildSource`,
//! a branch that runs after every probe branch finished.

pub mod build_side;
pub mod direct_index;
pub mod emit;
pub mod hash_join;
pub mod key_bitmap;
pub mod nested_loop;

pub use emit::{JoinEmitter, JoinKind};
