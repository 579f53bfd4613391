//! Versions for releases: SemVer 2.0 and PEP 440, pre-release trains, bump policy and
//! version-file editing.
//!
//! This crate does no I/O: it takes values and returns values.
#![warn(missing_docs)]
