//! random tests.
