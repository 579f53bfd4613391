//! Everything git does in a release.
#![warn(missing_docs)]
