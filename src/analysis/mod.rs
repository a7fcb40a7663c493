//! Analyses across scenarios run on common random numbers: paired
//! comparisons (`compare`) and one-parameter sweeps (`sweep`).

pub mod compare;
pub mod sweep;
