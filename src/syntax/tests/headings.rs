//! headings tests.
