//! Sensitivity of a scenario's key outcomes to its sampled parameters:
//! rank correlations from every run (`spearman`, written by `run` as
//! sensitivity.csv) and variance-based Sobol indices on a Saltelli design
//! (`sobol`, the `sensitivity` command), whose uniforms come from a scrambled
//! Sobol' sequence (`qmc`, with its direction numbers in `joe_kuo`) or from
//! keyed pseudo-random draws, and whose intervals say whether the analysis
//! has converged (`convergence`).

pub mod convergence;
mod joe_kuo;
pub mod points;
pub mod qmc;
pub mod sobol;
pub mod spearman;
