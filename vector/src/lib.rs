//! ember-vector
