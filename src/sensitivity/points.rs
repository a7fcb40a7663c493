//! A scenario's key outcomes at given points of its sampled parameters, on
//! common random numbers: every point gets the monthly shocks and rule
//! draws of run 0 of the seed, so the outcomes are a deterministic function
//! of the parameters. The Sobol design (`sobol.rs`) evaluates its points
//! here, and so do designs made elsewhere (SALib's samples and the EMA
//! Workbench's experiments, through the Python package).

use crate::engine::{EngineError, KeyOutcome, key_outcomes};
use crate::model::{Model, RunError, RunOutput, Workspace};
use crate::scenario::ParamId;
use rayon::prelude::*;
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};

thread_local! {
    static SCRATCH: RefCell<Option<(Workspace, RunOutput)>> = const { RefCell::new(None) };
}

/// Every parameter of the scenario at its central value (rounded when it
/// takes whole numbers): the values of the parameters a point leaves out.
pub fn central_values(model: &Model) -> Vec<f64> {
    model
        .sc
        .params
        .iter()
        .map(|p| if p.integer { p.value.round() } else { p.value })
        .collect()
}

/// Set `values` at `params` from one point `x` (one number per parameter):
/// uniforms in (0, 1) mapped through each parameter's distribution when
/// `unit`, else the values themselves; whole-number parameters rounded.
/// A parameter without a distribution keeps its value when `unit`.
pub fn set_point(model: &Model, params: &[ParamId], x: &[f64], unit: bool, values: &mut [f64]) {
    for (p, &xk) in params.iter().zip(x) {
        let spec = model.sc.param(*p);
        let v = match (&spec.dist, unit) {
            (Some(d), true) => d.quantile(xk),
            (None, true) => continue,
            (_, false) => xk,
        };
        values[p.0 as usize] = if spec.integer { v.round() } else { v };
    }
}

/// The key outcomes `keys` of one simulation with `values` (every
/// parameter's value) on the draws of run 0 of `seed`.
///
/// # Errors
/// The model's failure (a trade equilibrium that cannot be solved).
pub fn outcomes_at(
    model: &Model,
    values: &[f64],
    seed: u64,
    keys: &[KeyOutcome],
) -> Result<Vec<f64>, RunError> {
    SCRATCH.with(|cell| {
        let mut slot = cell.borrow_mut();
        let fits = slot.as_ref().is_some_and(|(_, o)| {
            o.finals.len() == model.slots.n_final
                && o.monthly.len() == model.slots.n_monthly * model.months
                && o.params.len() == model.sampled.len()
                && o.first_fired.len() == model.sc.rules.len()
        });
        if !fits {
            *slot = None;
        }
        let (ws, out) = slot.get_or_insert_with(|| (Workspace::default(), model.new_output()));
        model.run_with(values, seed, 0, ws, out)?;
        Ok(keys.iter().map(|o| out.finals[o.final_index]).collect())
    })
}

/// Points to evaluate: `rows` of one number per parameter of `params`,
/// row-major in `x`; uniforms when `unit`, else values (see [`set_point`]).
pub struct Points<'a> {
    pub params: &'a [ParamId],
    pub x: &'a [f64],
    pub rows: usize,
    pub unit: bool,
}

/// The key outcomes (`engine::key_outcomes`) at every point, row-major
/// (`rows x outcomes`), on `threads` threads (results do not depend on
/// them); `cancel` stops at the next point.
///
/// # Errors
/// `Design` if `x` is not `rows x params` numbers, the failure of the
/// lowest failing row, or cancellation.
pub fn evaluate_points(
    model: &Model,
    p: &Points<'_>,
    seed: u64,
    threads: usize,
    cancel: &AtomicBool,
) -> Result<Vec<f64>, EngineError> {
    let k = p.params.len();
    if p.x.len() != p.rows * k {
        return Err(EngineError::Design(format!(
            "{} numbers are not {} rows of {k} parameters",
            p.x.len(),
            p.rows
        )));
    }
    let keys = key_outcomes(model);
    let base = central_values(model);
    let one = |j: usize| -> Result<Vec<f64>, RunError> {
        if cancel.load(Ordering::Relaxed) {
            return Ok(vec![f64::NAN; keys.len()]);
        }
        let mut values = base.clone();
        set_point(
            model,
            p.params,
            &p.x[j * k..(j + 1) * k],
            p.unit,
            &mut values,
        );
        outcomes_at(model, &values, seed, &keys)
    };
    let go = || (0..p.rows).into_par_iter().map(one).collect::<Vec<_>>();
    let ys = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .map_err(|e| EngineError::Pool(e.to_string()))?
        .install(go);
    if cancel.load(Ordering::SeqCst) {
        return Err(EngineError::Cancelled);
    }
    let mut out = Vec::with_capacity(p.rows * keys.len());
    for y in ys {
        out.extend(y.map_err(EngineError::Run)?);
    }
    Ok(out)
}
