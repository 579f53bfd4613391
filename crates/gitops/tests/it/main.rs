//! Integration tests: real repositories in temporary directories, checked with `git`.

mod open;
