//! ember-connect
