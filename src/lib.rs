//! tariffsim: a Monte Carlo simulator of tariffs, critical-input export
//! licensing and retaliation rules, and their effects on trade flows,
//! prices, critical supplies and GDP growth.
//!
//! Layout: `scenario` reads and validates scenario files; `model` holds one
//! module per block of docs/model.md; `engine` runs and aggregates Monte
//! Carlo draws; `output` writes the files of a run; `commands` are the
//! commands as library functions. The binary (`main.rs`, `cli.rs`) is glue:
//! nothing in the library reads the command line.

// Model code indexes arrays the way the equations in docs/model.md do
// (V[e,i], tau[e,i]); iterator rewrites would hide that correspondence.
#![allow(clippy::needless_range_loop)]

pub mod analysis;
pub mod charts;
pub mod commands;
pub mod diag;
pub mod engine;
pub mod error;
pub mod explain;
pub mod init;
pub mod math;
pub mod model;
pub mod output;
pub mod random;
pub mod scenario;
pub mod sensitivity;
