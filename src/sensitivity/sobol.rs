//! Variance-based global sensitivity: first-order and total Sobol indices by
//! Saltelli sampling, with bootstrap confidence intervals.
//!
//! Two independent N x k matrices of uniforms A and B (keyed draws, so the
//! design is reproducible) and, for each input i, A with column i taken from
//! B (A_B^i). With Y = f(.) on each row:
//!   V    = variance of Y over the rows of A and B
//!   S_i  = mean( Y_B (Y_ABi - Y_A) ) / V          (Saltelli et al. 2010)
//!   ST_i = mean( (Y_A - Y_ABi)^2 ) / (2 V)         (Jansen 1999)
//! Cost: N (k + 2) evaluations. Confidence intervals are percentile
//! bootstrap intervals over rows (the same resampled rows for every index).
//!
//! The second half applies the estimator to a scenario's key outcomes. Each
//! sampled parameter is an input, mapped from a uniform through its
//! distribution's inverse CDF; parameters left out by a filter stay at their
//! central values. Monthly shocks and rule draws are frozen (run 0 of the
//! seed) so that outcomes are a deterministic function of the parameters.

use crate::engine::{EngineError, KeyOutcome, key_outcomes};
use crate::model::{Model, RunError, RunOutput, Workspace};
use crate::output::Table;
use crate::random;
use crate::scenario::ParamId;
use rayon::prelude::*;
use std::cell::RefCell;
use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Indices for one input and one output, with 95 % bootstrap intervals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Index {
    pub first: f64,
    pub first_lo: f64,
    pub first_hi: f64,
    pub total: f64,
    pub total_lo: f64,
    pub total_hi: f64,
}

/// The confidence level of the bootstrap intervals.
pub const CONFIDENCE: f64 = 0.95;

/// Evaluations of a block of consecutive design rows `rows`: `ya[j][o]`,
/// `yb[j][o]`, `yab[i][j][o]` with j counted from `rows.start`. A shard of
/// `sensitivity` evaluates one block; the blocks of all shards, appended in
/// order, are the design of an unsharded analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    pub rows: Range<usize>,
    pub ya: Vec<Vec<f64>>,
    pub yb: Vec<Vec<f64>>,
    pub yab: Vec<Vec<Vec<f64>>>,
}

/// Starts a shard's `design.bin`: k, outputs, first row, end row, then per
/// row its A, B and A_B^i outputs as f64 (bit-exact).
const DESIGN_MAGIC: &[u8; 8] = b"TSSOBOL\x01";

impl Design {
    /// Append the next block (its rows must follow this one's).
    ///
    /// # Errors
    /// A message when the blocks do not follow each other or differ in shape.
    pub fn append(&mut self, next: Design) -> Result<(), String> {
        if next.rows.start != self.rows.end || next.yab.len() != self.yab.len() {
            return Err(format!(
                "design rows {}..{} do not follow rows {}..{}",
                next.rows.start, next.rows.end, self.rows.start, self.rows.end
            ));
        }
        self.rows.end = next.rows.end;
        self.ya.extend(next.ya);
        self.yb.extend(next.yb);
        for (a, b) in self.yab.iter_mut().zip(next.yab) {
            a.extend(b);
        }
        Ok(())
    }

    /// The exact outputs, for a shard's `design.bin`.
    pub fn encode(&self) -> Vec<u8> {
        let n_out = self.ya.first().map_or(0, Vec::len);
        let mut out = Vec::new();
        out.extend_from_slice(DESIGN_MAGIC);
        for x in [self.yab.len(), n_out, self.rows.start, self.rows.end] {
            out.extend_from_slice(&(x as u64).to_le_bytes());
        }
        for j in 0..self.ya.len() {
            let row = self.ya[j]
                .iter()
                .chain(&self.yb[j])
                .chain(self.yab.iter().flat_map(|c| &c[j]));
            for x in row {
                out.extend_from_slice(&x.to_le_bytes());
            }
        }
        out
    }

    /// Read a shard's `design.bin`: `k` inputs, `n_out` outputs, rows `rows`.
    ///
    /// # Errors
    /// A message when the bytes are not such a block.
    pub fn decode(
        bytes: &[u8],
        k: usize,
        n_out: usize,
        rows: Range<usize>,
    ) -> Result<Design, crate::engine::aggregate::DecodeError> {
        let mut r = crate::engine::aggregate::Reader::new(bytes);
        if r.bytes(8)? != DESIGN_MAGIC {
            return Err("not the design rows of a sensitivity shard (wrong header)".into());
        }
        let (fk, fo, start, end) = (r.u64()?, r.u64()?, r.u64()?, r.u64()?);
        // An empty block (more shards than rows) cannot tell its outputs' count.
        let outputs_ok = fo == n_out as u64 || (rows.is_empty() && fo == 0);
        if !outputs_ok || (fk, start, end) != (k as u64, rows.start as u64, rows.end as u64) {
            return Err(crate::engine::aggregate::DecodeError(format!(
                "it holds rows {start}..{end} of {fk} parameters x {fo} outcomes, not rows {}..{} of {k} x {n_out}",
                rows.start, rows.end
            )));
        }
        let read_row = |r: &mut crate::engine::aggregate::Reader<'_>| {
            (0..n_out).map(|_| r.f64()).collect::<Result<Vec<f64>, _>>()
        };
        let mut d = Design {
            rows: rows.clone(),
            ya: Vec::new(),
            yb: Vec::new(),
            yab: vec![Vec::new(); k],
        };
        for _ in rows {
            d.ya.push(read_row(&mut r)?);
            d.yb.push(read_row(&mut r)?);
            for c in &mut d.yab {
                c.push(read_row(&mut r)?);
            }
        }
        if !r.done() {
            return Err("trailing bytes after the design rows".into());
        }
        Ok(d)
    }
}

fn estimate(d: &Design, rows: &[usize], i: usize, o: usize) -> (f64, f64) {
    let n = rows.len() as f64;
    let mut mean = 0.0;
    for &j in rows {
        mean += d.ya[j][o] + d.yb[j][o];
    }
    mean /= 2.0 * n;
    let mut var = 0.0;
    for &j in rows {
        var += (d.ya[j][o] - mean).powi(2) + (d.yb[j][o] - mean).powi(2);
    }
    var /= 2.0 * n - 1.0;
    if var <= 0.0 || !var.is_finite() {
        return (0.0, 0.0);
    }
    let (mut s, mut st) = (0.0, 0.0);
    for &j in rows {
        let (a, b, ab) = (d.ya[j][o], d.yb[j][o], d.yab[i][j][o]);
        s += b * (ab - a);
        st += (a - ab).powi(2);
    }
    (s / n / var, st / (2.0 * n) / var)
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    let k = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[k]
}

/// Run a Saltelli design for `f`, which maps k uniforms in (0, 1) to
/// `n_out` outputs, on `threads` threads (results do not depend on them).
/// Returns `[input][output]` indices.
pub fn analyze(
    k: usize,
    n: usize,
    n_out: usize,
    seed: u64,
    bootstrap: usize,
    threads: usize,
    f: &(dyn Fn(&[f64], usize) -> Vec<f64> + Sync),
) -> Vec<Vec<Index>> {
    indices(&evaluate(k, 0..n, seed, threads, f), n_out, seed, bootstrap)
}

/// Evaluate `f` at the design rows `rows` (A, B and every A_B^i of each)
/// on `threads` threads. Row j's points depend only on (seed, j), so any
/// block of rows evaluates to the same outputs alone or in a full design.
pub fn evaluate(
    k: usize,
    rows: Range<usize>,
    seed: u64,
    threads: usize,
    f: &(dyn Fn(&[f64], usize) -> Vec<f64> + Sync),
) -> Design {
    // Column i of A and B: keyed by (seed, row, input, matrix).
    let u = |j: usize, i: usize, m: u64| random::u01(seed, j as u64, i as u64, m);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build();
    let eval_rows = |which: &(dyn Fn(usize) -> Vec<f64> + Sync)| -> Vec<Vec<f64>> {
        let go = || rows.clone().into_par_iter().map(which).collect::<Vec<_>>();
        match &pool {
            Ok(p) => p.install(go),
            Err(_) => rows.clone().map(which).collect(),
        }
    };
    // The row index is passed on so that evaluations can key their own randomness.
    let ya = eval_rows(&|j| f(&(0..k).map(|i| u(j, i, 0)).collect::<Vec<_>>(), j));
    let yb = eval_rows(&|j| f(&(0..k).map(|i| u(j, i, 1)).collect::<Vec<_>>(), j));
    let yab: Vec<Vec<Vec<f64>>> = (0..k)
        .map(|col| {
            eval_rows(&|j| {
                f(
                    &(0..k)
                        .map(|i| u(j, i, if i == col { 1 } else { 0 }))
                        .collect::<Vec<_>>(),
                    j,
                )
            })
        })
        .collect();
    Design {
        rows: rows.clone(),
        ya,
        yb,
        yab,
    }
}

/// The `[input][output]` indices of a complete design (rows 0..N), with
/// bootstrap intervals keyed by (seed, N) alone.
pub fn indices(d: &Design, n_out: usize, seed: u64, bootstrap: usize) -> Vec<Vec<Index>> {
    let (k, n) = (d.yab.len(), d.ya.len());
    let all: Vec<usize> = (0..n).collect();
    // Bootstrap row sets, keyed so intervals are reproducible.
    let resamples: Vec<Vec<usize>> = (0..bootstrap)
        .map(|b| {
            (0..n)
                .map(|r| {
                    ((random::u01(seed ^ 0x5b0b, b as u64, r as u64, 7) * n as f64) as usize)
                        .min(n - 1)
                })
                .collect()
        })
        .collect();
    let alpha = (1.0 - CONFIDENCE) / 2.0;
    (0..k)
        .map(|i| {
            (0..n_out)
                .map(|o| {
                    let (s, st) = estimate(d, &all, i, o);
                    let mut bs: Vec<(f64, f64)> = resamples
                        .iter()
                        .map(|rows| estimate(d, rows, i, o))
                        .collect();
                    let mut s_b: Vec<f64> = bs.iter().map(|x| x.0).collect();
                    let mut st_b: Vec<f64> = bs.drain(..).map(|x| x.1).collect();
                    s_b.sort_by(f64::total_cmp);
                    st_b.sort_by(f64::total_cmp);
                    let (first_lo, first_hi, total_lo, total_hi) = if bootstrap > 1 {
                        (
                            percentile(&s_b, alpha),
                            percentile(&s_b, 1.0 - alpha),
                            percentile(&st_b, alpha),
                            percentile(&st_b, 1.0 - alpha),
                        )
                    } else {
                        (s, s, st, st)
                    };
                    Index {
                        first: s,
                        first_lo,
                        first_hi,
                        total: st,
                        total_lo,
                        total_hi,
                    }
                })
                .collect()
        })
        .collect()
}

// ---- Sobol indices of a scenario's key outcomes ----------------------------

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
    let design = sobol_rows(model, seed, 0..n, threads, filter, progress, cancel)?;
    Ok(report(model, filter, &design, seed, bootstrap))
}

/// The indices of a complete design (rows 0..N) of `model`'s key outcomes.
pub fn report(
    model: &Model,
    filter: &[String],
    design: &Design,
    seed: u64,
    bootstrap: usize,
) -> SobolReport {
    let params = selected_params(model, filter);
    let outcomes = key_outcomes(model);
    SobolReport {
        indices: indices(design, outcomes.len(), seed, bootstrap),
        evaluations: design.ya.len() * (params.len() + 2),
        params,
        outcomes,
    }
}

/// Evaluate the design rows `rows` of the Saltelli design over the sampled
/// parameters whose path contains `filter` (a shard of `sensitivity`, or
/// all rows). `progress(done)` counts model evaluations.
///
/// # Errors
/// The first model failure (solver), with the parameter values, or
/// cancellation.
pub fn sobol_rows(
    model: &Model,
    seed: u64,
    rows: Range<usize>,
    threads: usize,
    filter: &[String],
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<Design, EngineError> {
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
    let design = evaluate(params.len(), rows, seed, threads, &f);
    if cancel.load(Ordering::SeqCst) {
        return Err(EngineError::Cancelled);
    }
    if let Some(e) = error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(EngineError::Run(e));
    }
    Ok(design)
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
    let wanted = model.sc.headline_outcomes();
    for (o, key) in r.outcomes.iter().enumerate() {
        let headline = wanted
            .iter()
            .any(|(m, e)| *m == key.metric && *e == key.economy);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The Ishigami function (a = 7, b = 0.1) on [-pi, pi]^3 has known indices:
    /// S = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437).
    #[test]
    fn recovers_the_ishigami_indices_within_the_confidence_intervals() {
        let pi = std::f64::consts::PI;
        let f = |u: &[f64], _row: usize| {
            let x: Vec<f64> = u.iter().map(|v| -pi + 2.0 * pi * v).collect();
            vec![x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()]
        };
        let r = analyze(3, 20_000, 1, 42, 300, 2, &f);
        let s_true = [0.3139, 0.4424, 0.0];
        let st_true = [0.5576, 0.4424, 0.2437];
        for i in 0..3 {
            let ix = r[i][0];
            assert!(
                ix.first_lo <= s_true[i] && s_true[i] <= ix.first_hi,
                "S{}: {ix:?}",
                i + 1
            );
            assert!(
                ix.total_lo <= st_true[i] && st_true[i] <= ix.total_hi,
                "ST{}: {ix:?}",
                i + 1
            );
            // The intervals are informative, not just wide.
            assert!(
                ix.first_hi - ix.first_lo < 0.1 && ix.total_hi - ix.total_lo < 0.1,
                "{ix:?}"
            );
        }
    }

    /// Blocks of rows evaluated apart (as shards do) and appended give the
    /// full design and the same indices, bit for bit; a block survives its
    /// encoding exactly, and one of another shape is refused.
    #[test]
    fn blocks_of_rows_append_to_the_full_design() {
        let f = |u: &[f64], _row: usize| vec![u[0] + 2.0 * u[1] * u[2], u[2].sin()];
        let full = evaluate(3, 0..40, 9, 2, &f);
        let mut parts = evaluate(3, 0..13, 9, 1, &f);
        for r in [13..27, 27..40] {
            let block = evaluate(3, r.clone(), 9, 2, &f);
            let back = Design::decode(&block.encode(), 3, 2, r.clone()).unwrap();
            assert_eq!(back, block);
            assert!(Design::decode(&block.encode(), 3, 2, 0..r.len()).is_err());
            assert!(Design::decode(&block.encode(), 2, 2, r).is_err());
            parts.append(back).unwrap();
        }
        assert_eq!(parts, full);
        assert_eq!(indices(&parts, 2, 9, 50), indices(&full, 2, 9, 50));
        assert!(parts.append(evaluate(3, 50..52, 9, 1, &f)).is_err());
        // More shards than rows: an empty block encodes, decodes and appends.
        let empty = evaluate(3, 40..40, 9, 1, &f);
        let back = Design::decode(&empty.encode(), 3, 2, 40..40).unwrap();
        parts.append(back).unwrap();
        assert_eq!(parts, full);
    }

    #[test]
    fn a_function_of_one_input_puts_everything_on_it() {
        let r = analyze(3, 2000, 1, 1, 100, 1, &|u: &[f64], _| vec![u[1] * u[1]]);
        // Sampling noise of plain Monte Carlo at N = 2000 is a few per cent;
        // the inputs that do not matter get exactly zero.
        assert!(
            r[1][0].first > 0.85 && r[1][0].total > 0.85,
            "{:?}",
            r[1][0]
        );
        assert!(r[0][0].total == 0.0 && r[2][0].total == 0.0 && r[0][0].first == 0.0);
    }
}
