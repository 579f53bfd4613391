//! Integration tests for `versioning`: bump rules, properties, editors and the PEP 440
//! cross-check against Python's `packaging`.

mod bump;
mod decide;
mod files;
mod fuzz;
mod pep440_corpus;
mod properties;
