//! Tests of lab::capture.
