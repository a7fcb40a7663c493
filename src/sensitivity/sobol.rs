//! Variance-based global sensitivity: first-order and total Sobol indices by
//! Saltelli sampling, with bootstrap confidence intervals and a convergence
//! check.
//!
//! Two N x k matrices of uniforms A and B and, for each input i, A with
//! column i taken from B (A_B^i). With Y = f(.) on each row:
//!   V    = variance of Y over the rows of A and B
//!   S_i  = mean( Y_B (Y_ABi - Y_A) ) / V          (Saltelli et al. 2010)
//!   ST_i = mean( (Y_A - Y_ABi)^2 ) / (2 V)         (Jansen 1999)
//! Cost: N (k + 2) evaluations. Confidence intervals: for the qmc design,
//! Student-t intervals from the spread of the estimates of 8 blocks of rows
//! ([`BLOCKS`]); for the random design, percentile bootstrap intervals over
//! rows (the same resampled rows for every index).
//!
//! A and B come from one of two designs ([`Design`]), both pure functions of
//! (seed, row, column), so results do not depend on threads or on how rows
//! are split:
//! - `qmc` (default): row j of A is point j of a scrambled Sobol' sequence in
//!   2k dimensions, its dimensions 1..k; row j of B its dimensions k+1..2k
//!   (as SALib's `sobol` sampler). Randomised QMC: each point is uniform, so
//!   the estimators are those of the random design, with less variance for
//!   smooth outputs; the balance holds at powers of two.
//! - `random`: independent keyed pseudo-random uniforms (the design before
//!   the QMC one; its results are unchanged).
//!
//! A bootstrap resamples rows as if they were independent; QMC points are
//! not (they are balanced), so a bootstrap would measure the error of a
//! plain Monte Carlo design of the same size rather than the smaller error
//! of the scrambled one. Hence the block intervals for qmc (checked for
//! width and coverage on the Ishigami function in the tests).
//!
//! The second half applies the estimator to a scenario's key outcomes. Each
//! sampled parameter is an input, mapped from a uniform through its
//! distribution's inverse CDF; parameters left out by a filter stay at their
//! central values. Monthly shocks and rule draws are frozen (run 0 of the
//! seed) so that outcomes are a deterministic function of the parameters.

use crate::engine::{EngineError, KeyOutcome, key_outcomes};
use crate::model::{Model, RunError};
use crate::output::Table;
use crate::random;
use crate::scenario::ParamId;
use crate::sensitivity::points;
use crate::sensitivity::qmc::{self, ScrambledSobol};
// The convergence check reads a report; its items keep their `sobol::` paths.
pub use crate::sensitivity::convergence::*;
use rayon::prelude::*;
use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Indices for one input and one output, with 95 % intervals.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
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

/// Where the uniforms of A and B come from (`sensitivity --design`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Design {
    /// Scrambled Sobol' points (randomised quasi-Monte Carlo).
    #[default]
    Qmc,
    /// Independent keyed pseudo-random uniforms.
    Random,
}

impl Design {
    /// The word of `--design` and of the manifest.
    pub fn name(self) -> &'static str {
        match self {
            Design::Qmc => "qmc",
            Design::Random => "random",
        }
    }

    pub fn parse(word: &str) -> Option<Design> {
        match word {
            "qmc" => Some(Design::Qmc),
            "random" => Some(Design::Random),
            _ => None,
        }
    }

    /// The most inputs the design takes: A and B need 2k Sobol' dimensions.
    pub fn max_inputs(self) -> usize {
        match self {
            Design::Qmc => qmc::MAX_DIMS / 2,
            Design::Random => usize::MAX,
        }
    }
}

/// The uniforms of one design for k inputs: a pure function of (seed, row,
/// column, matrix), so any subset of rows can be evaluated anywhere.
#[derive(Debug, Clone)]
pub struct Sampler {
    seed: u64,
    k: usize,
    sobol: Option<ScrambledSobol>,
}

/// Blocks of the qmc design's intervals. Rows [r N/B, (r+1) N/B) of a
/// scrambled Sobol' sequence are themselves a scrambled net when N / B is a
/// power of two (the row's bits above the block's are fixed, so its Gray
/// code runs over every pattern of the lower bits: a digital shift of the
/// first N / B points), so each block estimates the indices as a smaller QMC
/// design would. The 95 % interval of an index S estimated on all N rows is
///   S +- t(0.975, B - 1) sd(S_1..S_B) / sqrt(B)
/// with S_r its estimate on block r (relative to V of all rows). It is
/// conservative: the blocks of one
/// scramble balance each other (together they are the full net), so the
/// estimate on all rows errs less than the mean of B independent blocks.
/// A bootstrap over rows would instead treat balanced points as
/// independent and measure plain Monte Carlo error. More blocks mean fewer
/// points per block, where QMC error falls faster than 1 / sqrt(N), and
/// fewer widen Student's t: t(0.975, 7) sqrt(8) = 6.7 against 8.5 for 16,
/// and 4 blocks (3 degrees of freedom) make the spread itself unreliable.
pub const BLOCKS: usize = 8;

/// Student's t quantile t(0.975, BLOCKS - 1).
const T_975_7: f64 = 2.364_624_251_592_785;

impl Sampler {
    /// # Errors
    /// More inputs than the design takes (the message says how many).
    pub fn new(design: Design, seed: u64, k: usize) -> Result<Sampler, String> {
        let sobol = match design {
            Design::Random => None,
            Design::Qmc => Some(ScrambledSobol::new(seed, 2 * k).ok_or_else(|| {
                format!(
                    "the qmc design takes at most {} parameters (its Sobol' table has {} dimensions, two per parameter), and {k} are sampled",
                    Design::Qmc.max_inputs(),
                    qmc::MAX_DIMS
                )
            })?),
        };
        Ok(Sampler { seed, k, sobol })
    }

    pub fn design(&self) -> Design {
        if self.sobol.is_some() {
            Design::Qmc
        } else {
            Design::Random
        }
    }

    /// Number of inputs k.
    pub fn inputs(&self) -> usize {
        self.k
    }

    /// Column `i` of row `j` of A (`from_b` false) or of B (true).
    pub fn u(&self, j: usize, i: usize, from_b: bool) -> f64 {
        match &self.sobol {
            // The random design's keys (seed, row, input, matrix) as before.
            None => random::u01(self.seed, j as u64, i as u64, u64::from(from_b)),
            Some(s) => s.point(j as u64, i + if from_b { self.k } else { 0 }),
        }
    }
}

/// Evaluations of a block of consecutive design rows `rows`: `ya[j][o]`,
/// `yb[j][o]`, `yab[i][j][o]` with j counted from `rows.start`. A shard of
/// `sensitivity` evaluates one block; the blocks of all shards, appended in
/// order, are the design of an unsharded analysis.
#[derive(Debug, Clone, PartialEq)]
pub struct Evals {
    pub rows: Range<usize>,
    pub ya: Vec<Vec<f64>>,
    pub yb: Vec<Vec<f64>>,
    pub yab: Vec<Vec<Vec<f64>>>,
}

/// Starts a shard's `design.bin`: k, outputs, first row, end row, then per
/// row its A, B and A_B^i outputs as f64 (bit-exact).
const DESIGN_MAGIC: &[u8; 8] = b"TSSOBOL\x01";

impl Evals {
    /// Append the next block (its rows must follow this one's).
    ///
    /// # Errors
    /// A message when the blocks do not follow each other or differ in shape.
    pub fn append(&mut self, next: Evals) -> Result<(), String> {
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
    ) -> Result<Evals, crate::engine::aggregate::DecodeError> {
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
        let mut d = Evals {
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

fn estimate(d: &Evals, rows: &[usize], i: usize, o: usize) -> (f64, f64) {
    let var = variance(d, rows, o);
    if var <= 0.0 || !var.is_finite() {
        return (0.0, 0.0);
    }
    ratios(d, rows, i, o, var)
}

/// V: the variance of output `o` over the A and B rows of `rows`.
fn variance(d: &Evals, rows: &[usize], o: usize) -> f64 {
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
    var / (2.0 * n - 1.0)
}

/// S_i and ST_i of output `o` from the rows `rows`, relative to `var`.
fn ratios(d: &Evals, rows: &[usize], i: usize, o: usize, var: f64) -> (f64, f64) {
    let n = rows.len() as f64;
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

/// Run the Saltelli design of `sampler` (k inputs) with `n` rows for `f`,
/// which maps k uniforms in (0, 1) to `n_out` outputs, on `threads` threads
/// (results do not depend on them). `seed` keys the bootstrap. Returns
/// `[input][output]` indices.
pub fn analyze(
    sampler: &Sampler,
    n: usize,
    n_out: usize,
    seed: u64,
    bootstrap: usize,
    threads: usize,
    f: &(dyn Fn(&[f64], usize) -> Vec<f64> + Sync),
) -> Vec<Vec<Index>> {
    let evals = evaluate(sampler, 0..n, threads, f);
    indices(&evals, n_out, seed, bootstrap, sampler.design())
}

/// Evaluate `f` at the design rows `rows` (A, B and every A_B^i of each)
/// on `threads` threads. Row j's points depend only on (design, seed, j),
/// so any block of rows evaluates to the same outputs alone or in a full
/// design (a shard of `sensitivity` evaluates one block).
pub fn evaluate(
    sampler: &Sampler,
    rows: Range<usize>,
    threads: usize,
    f: &(dyn Fn(&[f64], usize) -> Vec<f64> + Sync),
) -> Evals {
    let k = sampler.inputs();
    let u = |j: usize, i: usize, from_b: bool| sampler.u(j, i, from_b);
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
    let ya = eval_rows(&|j| f(&(0..k).map(|i| u(j, i, false)).collect::<Vec<_>>(), j));
    let yb = eval_rows(&|j| f(&(0..k).map(|i| u(j, i, true)).collect::<Vec<_>>(), j));
    let yab: Vec<Vec<Vec<f64>>> = (0..k)
        .map(|col| eval_rows(&|j| f(&(0..k).map(|i| u(j, i, i == col)).collect::<Vec<_>>(), j)))
        .collect();
    Evals {
        rows: rows.clone(),
        ya,
        yb,
        yab,
    }
}

/// Whether the intervals of `design` with N = `n` rows come from blocks
/// (the qmc design with at least two rows per block) rather than a
/// bootstrap.
pub fn block_intervals(design: Design, n: usize) -> bool {
    design == Design::Qmc && n >= 2 * BLOCKS
}

/// The `[input][output]` indices of a complete design (rows 0..N) of
/// `design`, with intervals from the spread of its blocks' estimates
/// ([`block_intervals`]) or percentile bootstrap intervals over rows keyed
/// by (seed, N) alone.
pub fn indices(
    d: &Evals,
    n_out: usize,
    seed: u64,
    bootstrap: usize,
    design: Design,
) -> Vec<Vec<Index>> {
    let (k, n) = (d.yab.len(), d.ya.len());
    if block_intervals(design, n) {
        return block_indices(d, n_out);
    }
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

/// Indices on all rows with intervals from the spread of the estimates of
/// [`BLOCKS`] consecutive blocks of rows (block r: rows r N / B to
/// (r + 1) N / B). Each block's estimate divides by the variance V of all
/// rows: its own V from N / B rows would add a small-sample ratio's noise
/// that the estimate on all rows does not have.
fn block_indices(d: &Evals, n_out: usize) -> Vec<Vec<Index>> {
    let (k, n) = (d.yab.len(), d.ya.len());
    let all: Vec<usize> = (0..n).collect();
    let groups: Vec<Vec<usize>> = (0..BLOCKS)
        .map(|r| (r * n / BLOCKS..(r + 1) * n / BLOCKS).collect())
        .collect();
    let rf = BLOCKS as f64;
    let half = |xs: &[f64]| {
        let m = xs.iter().sum::<f64>() / rf;
        let var = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (rf - 1.0);
        T_975_7 * (var / rf).sqrt()
    };
    // V depends on the output only, not on the input whose indices use it.
    let vars: Vec<f64> = (0..n_out).map(|o| variance(d, &all, o)).collect();
    (0..k)
        .map(|i| {
            (0..n_out)
                .map(|o| {
                    let var = vars[o];
                    if var <= 0.0 || !var.is_finite() {
                        return Index::default();
                    }
                    let (s, st) = ratios(d, &all, i, o, var);
                    let (s_r, st_r): (Vec<f64>, Vec<f64>) =
                        groups.iter().map(|g| ratios(d, g, i, o, var)).unzip();
                    let (hs, hst) = (half(&s_r), half(&st_r));
                    Index {
                        first: s,
                        first_lo: s - hs,
                        first_hi: s + hs,
                        total: st,
                        total_lo: st - hst,
                        total_hi: st + hst,
                    }
                })
                .collect()
        })
        .collect()
}

// ---- Sobol indices of a scenario's key outcomes ----------------------------

pub struct SobolReport {
    pub design: Design,
    /// Base rows N of the design.
    pub samples: usize,
    pub params: Vec<ParamId>,
    pub outcomes: Vec<KeyOutcome>,
    /// `[param][outcome]`
    pub indices: Vec<Vec<Index>>,
    pub evaluations: usize,
}

impl SobolReport {
    /// How the intervals were made (the manifest's `sobol.intervals`): as
    /// [`indices`] chooses.
    pub fn intervals(&self) -> &'static str {
        if block_intervals(self.design, self.samples) {
            "blocks"
        } else {
            "bootstrap"
        }
    }
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

/// Run the Saltelli design `design` with `n` base rows over the sampled
/// parameters whose path contains `filter` (all when empty).
/// `progress(done)` counts model evaluations; `cancel` stops the design
/// early.
///
/// # Errors
/// More parameters than the design takes, the first model failure (solver),
/// with the parameter values, or cancellation.
#[allow(clippy::too_many_arguments)]
pub fn sobol(
    model: &Model,
    design: Design,
    seed: u64,
    n: usize,
    bootstrap: usize,
    threads: usize,
    filter: &[String],
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<SobolReport, EngineError> {
    let evals = sobol_rows(model, design, seed, 0..n, threads, filter, progress, cancel)?;
    Ok(report(model, design, filter, &evals, seed, bootstrap))
}

/// The indices of a complete design (rows 0..N) of `model`'s key outcomes.
pub fn report(
    model: &Model,
    design: Design,
    filter: &[String],
    evals: &Evals,
    seed: u64,
    bootstrap: usize,
) -> SobolReport {
    let params = selected_params(model, filter);
    let outcomes = key_outcomes(model);
    let n = evals.ya.len();
    SobolReport {
        design,
        samples: n,
        indices: indices(evals, outcomes.len(), seed, bootstrap, design),
        evaluations: n * (params.len() + 2),
        params,
        outcomes,
    }
}

/// Evaluate the rows `rows` of the Saltelli design `design` over the
/// sampled parameters whose path contains `filter` (a shard of
/// `sensitivity`, or all rows). `progress(done)` counts model evaluations.
///
/// # Errors
/// More parameters than the design takes, the first model failure (solver),
/// with the parameter values, or cancellation.
#[allow(clippy::too_many_arguments)]
pub fn sobol_rows(
    model: &Model,
    design: Design,
    seed: u64,
    rows: Range<usize>,
    threads: usize,
    filter: &[String],
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<Evals, EngineError> {
    let params = selected_params(model, filter);
    let sampler = Sampler::new(design, seed, params.len()).map_err(EngineError::Design)?;
    let done = AtomicU64::new(0);
    let outcomes = key_outcomes(model);
    let base = points::central_values(model);
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
        points::set_point(model, &params, u, true, &mut values);
        points::outcomes_at(model, &values, seed, &outcomes).unwrap_or_else(|e| {
            let mut g = error.lock().unwrap_or_else(|p| p.into_inner());
            g.get_or_insert(e);
            vec![f64::NAN; outcomes.len()]
        })
    };
    let evals = evaluate(&sampler, rows, threads, &f);
    if cancel.load(Ordering::SeqCst) {
        return Err(EngineError::Cancelled);
    }
    if let Some(e) = error.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(EngineError::Run(e));
    }
    Ok(evals)
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
#[path = "sobol_tests.rs"]
mod tests;
