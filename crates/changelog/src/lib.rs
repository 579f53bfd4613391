//! Conventional commits to releases to Markdown, JSON or templates.
//!
//! This crate does no I/O: it takes values and returns values or writes to `impl Write`.
#![warn(missing_docs)]
