//! ember-optimizer
