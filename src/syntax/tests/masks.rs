//! masks tests.
