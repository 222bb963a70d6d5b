//! ember-tests
