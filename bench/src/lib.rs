//! ember-bench
