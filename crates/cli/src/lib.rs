//! The `slipway` library: configuration, release plans and commands.
#![warn(missing_docs)]
