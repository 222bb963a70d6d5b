//! ember-spill
