//! Sensitivity of a scenario's key outcomes to its sampled parameters:
//! rank correlations from every run (`spearman`, written by `run` as
//! sensitivity.csv) and variance-based Sobol indices on a Saltelli design
//! (`sobol`, the `sensitivity` command).

pub mod sobol;
pub mod spearman;
