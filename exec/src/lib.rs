//! ember-exec
