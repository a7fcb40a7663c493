//! Global sensitivity of a scenario's key outcomes to its sampled
//! parameters by Sobol indices (variance-based, `engine::sobol`).
//!
//! Each sampled parameter is an input, mapped from a uniform through its
//! distribution's inverse CDF; parameters left out by a filter stay at their
//! central values. Monthly shocks and rule draws are frozen (run 0 of the
//! seed) so that outcomes are a deterministic function of the parameters.

use crate::engine::sobol::{self, Index};
use crate::engine::{EngineError, KeyOutcome, key_outcomes};
use crate::model::{Model, RunError, RunOutput, Workspace};
use crate::output::Table;
use crate::scenario::ParamId;
use std::cell::RefCell;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

pub struct SobolReport {
    pub params: Vec<ParamId>,
    pub outcomes: Vec<KeyOutcome>,
    /// `[param][outcome]`
    pub indices: Vec<Vec<Index>>,
    pub evaluations: usize,
}

thread_local! {
    static SCRATCH: RefCell<Option<(Workspace, RunOutput)>> = const { RefCell::new(None) };
}

/// The sampled parameters whose path contains one of `filter` (all when
/// `filter` is empty), in catalogue order.
pub fn selected_params(model: &Model, filter: &[String]) -> Vec<ParamId> {
    model
        .sampled
        .iter()
        .copied()
        .filter(|p| {
            filter.is_empty()
                || filter
                    .iter()
                    .any(|f| model.sc.param(*p).path.contains(f.as_str()))
        })
        .collect()
}

/// Run the Saltelli design with `n` base rows over the sampled parameters
/// whose path contains `filter` (all when empty). `progress(done)` counts
/// model evaluations; `cancel` stops the design early.
///
/// # Errors
/// The first model failure (solver), with the parameter values, or
/// cancellation.
#[allow(clippy::too_many_arguments)]
pub fn sobol(
    model: &Model,
    seed: u64,
    n: usize,
    bootstrap: usize,
    threads: usize,
    filter: &[String],
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<SobolReport, EngineError> {
    let sc = model.sc;
    let params = selected_params(model, filter);
    let done = AtomicU64::new(0);
    let outcomes = key_outcomes(model);
    let base: Vec<f64> = sc
        .params
        .iter()
        .map(|p| if p.integer { p.value.round() } else { p.value })
        .collect();
    let error: Mutex<Option<RunError>> = Mutex::new(None);
    let f = |u: &[f64], _row: usize| -> Vec<f64> {
        if cancel.load(Ordering::Relaxed) {
            return vec![f64::NAN; outcomes.len()];
        }
        let d = done.fetch_add(1, Ordering::Relaxed) + 1;
        if d.is_multiple_of(64) {
            progress(d);
        }
        let mut values = base.clone();
        for (k, p) in params.iter().enumerate() {
            let spec = sc.param(*p);
            if let Some(d) = &spec.dist {
                let v = d.quantile(u[k]);
                values[p.0 as usize] = if spec.integer { v.round() } else { v };
            }
        }
        SCRATCH.with(|cell| {
            let mut slot = cell.borrow_mut();
            let fits = slot.as_ref().is_some_and(|(_, o)| {
                o.finals.len() == model.slots.n_final
                    && o.monthly.len() == model.slots.n_monthly * model.months
                    && o.params.len() == model.sampled.len()
                    && o.first_fired.len() == sc.rules.len()
            });
            if !fits {
                *slot = Some((Workspace::default(), model.new_output()));
            }
            let (ws, out) = slot.as_mut().expect("set above");
            match model.run_with(&values, seed, 0, ws, out) {
                Ok(()) => outcomes.iter().map(|o| out.finals[o.final_index]).collect(),
                Err(e) => {
                    let mut g = error.lock().unwrap_or_else(|p| p.into_inner());
                    g.get_or_insert(e);
                    vec![f64::NAN; outcomes.len()]
                }
            }
        })
    };
    let indices = sobol::analyze(
        params.len(),
        n,
        outcomes.len(),
        seed,
        bootstrap,
        threads,
        &f,
    );
    if cancel.load(Ordering::SeqCst) {
        return Err(EngineError::Cancelled);
    }
    if let Some(e) = error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(EngineError::Run(e));
    }
    Ok(SobolReport {
        evaluations: n * (params.len() + 2),
        params,
        outcomes,
        indices,
    })
}

pub const SOBOL_HEADER: &str =
    "parameter,metric,economy,first_order,first_order_lo,first_order_hi,total,total_lo,total_hi";

/// `sobol.csv`: indices with their 95 % bootstrap intervals.
pub fn sobol_csv(model: &Model, r: &SobolReport) -> Vec<u8> {
    let mut out = Table::new(SOBOL_HEADER);
    for (p, row) in r.params.iter().zip(&r.indices) {
        for (o, ix) in r.outcomes.iter().zip(row) {
            out.row_with_numbers(
                &[&model.sc.param(*p).path, &o.metric, &o.economy],
                &[
                    ix.first,
                    ix.first_lo,
                    ix.first_hi,
                    ix.total,
                    ix.total_lo,
                    ix.total_hi,
                ],
            );
        }
    }
    out.into_bytes()
}

/// The largest total indices for a few headline outcomes, as text lines.
pub fn top_lines(model: &Model, r: &SobolReport, per_outcome: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for (o, key) in r.outcomes.iter().enumerate() {
        let headline = matches!(
            (key.metric.as_str(), key.economy.as_str()),
            ("gdp_dev", "US" | "CN" | "WORLD") | ("re_shortfall", "US")
        );
        if !headline {
            continue;
        }
        let mut order: Vec<usize> = (0..r.params.len()).collect();
        order.sort_by(|a, b| r.indices[*b][o].total.total_cmp(&r.indices[*a][o].total));
        lines.push(format!(
            "{} {} (horizon average): largest total-order Sobol indices [95 % CI]",
            key.metric, key.economy
        ));
        for &p in order.iter().take(per_outcome) {
            let ix = r.indices[p][o];
            lines.push(format!(
                "  {:<52} ST {:.2} [{:.2}, {:.2}]   S {:.2} [{:.2}, {:.2}]",
                model.sc.param(r.params[p]).path,
                ix.total,
                ix.total_lo,
                ix.total_hi,
                ix.first,
                ix.first_lo,
                ix.first_hi
            ));
        }
    }
    lines
}
