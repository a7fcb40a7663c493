//! The Monte Carlo engine: runs the model for many draws on a rayon thread
//! pool and aggregates outputs as they come. Run r's randomness depends only
//! on (seed, r, quantity), and aggregation merges exactly, so results are
//! byte-identical for any thread count and any sharding.

pub mod aggregate;
mod codec;
mod monthly;
mod number;
mod per_run;
pub mod shard;
#[cfg(test)]
mod tests;

pub use number::fmt_num;

use crate::model::{Model, RunError, RunOutput, Workspace};
use crate::sensitivity::spearman;
use aggregate::Cell;
pub use monthly::Monthly;
pub use per_run::{PerRun, PerRunColumns, RunRecords, per_run_header};
use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// The engine's numerical version, recorded in every manifest. Results may
/// change only with it or the model's version, each change explained in
/// docs/performance.md ("Engine versions") with its evidence:
/// - 1: the C library's `exp` everywhere;
/// - 2: the model's hot loops use the portable `math::exp` (within one ulp
///   of glibc's; every CSV of the shipped scenarios is byte-identical to
///   version 1's at 500 runs, and london_framework's at 10,000 runs);
/// - 3: a sector is not re-solved for tariff moves below
///   `equilibrium::RESOLVE_TOLERANCE` (1e-12), 11 % of the solves;
/// - 4: the portable `math::ln` (fdlibm's, within one ulp of glibc's) in the
///   equilibrium, whose evaluation runs by importer over contiguous memory
///   and reuses demand sums instead of exp(ln(sum)) (every CSV of the
///   shipped scenarios byte-identical to version 3's at 500 runs, and all of
///   london_framework's at 10,000 runs);
/// - 5: a solve that stalls next to a Cobb-Douglas limit is accepted at a
///   rounding floor widened by 1 / |1 - sigma| (`equilibrium::rounding_floor`)
///   instead of failing its run: runs that failed under version 4 complete,
///   every run that completed gives the same bytes.
pub const ENGINE_VERSION: &str = "5";

/// Runs handed to a worker at a time.
const CHUNK: u64 = 128;

/// What to run.
#[derive(Debug, Clone)]
pub struct RunPlan {
    pub seed: u64,
    /// The run indices to execute (all runs, or one shard's).
    pub runs: Range<u64>,
    pub threads: usize,
    /// Also aggregate the first scenario's runs by whether this rule (an
    /// index into `Scenario::rules`) fired at any month of the horizon
    /// (`run --split-by`).
    pub split: Option<usize>,
    /// Which monthly series are aggregated.
    pub monthly: Monthly,
}

/// Key outcomes for sensitivity and per-run output: (label, final index).
#[derive(Debug, Clone)]
pub struct KeyOutcome {
    pub metric: String,
    pub economy: String,
    pub final_index: usize,
}

/// Aggregated results of a set of runs.
#[derive(Debug, Clone)]
pub struct Aggregator {
    pub months: usize,
    pub runs: u64,
    /// Which monthly series are kept.
    pub detail: Monthly,
    /// The months of each kept series in turn (`cell`, `series`).
    monthly: Vec<Cell>,
    /// Per catalogue slot, the index of its first cell in `monthly`
    /// (`NOT_KEPT` if the series is not kept).
    slot_at: Vec<u32>,
    pub finals: Vec<Cell>,
    /// Runs whose first firing of rule k was in month t: `k * months + t`.
    pub first_fired: Vec<u64>,
    /// Sample for sensitivity: (run, sampled params, key outcomes), sorted by run when done.
    pub sample: Vec<(u64, Vec<f64>, Vec<f64>)>,
    /// The same runs split in two by one rule (`RunPlan::split`), if asked.
    pub split: Option<Box<Split>>,
}

/// The runs of one scenario aggregated a second time in two groups: those
/// in which one rule fired at some month of the horizon and those in which
/// it never fired (`run --split-by RULE`). A two-regime outcome shows as two
/// fans instead of one wide one. The groups hold no sensitivity sample.
#[derive(Debug, Clone)]
pub struct Split {
    /// The rule's index in `Scenario::rules`.
    pub rule: usize,
    /// Runs in which the rule fired.
    pub fired: Aggregator,
    /// Runs in which it never fired.
    pub not_fired: Aggregator,
}

impl Split {
    pub fn new(model: &Model, rule: usize, monthly: Monthly) -> Split {
        Split {
            rule,
            fired: Aggregator::with(model, monthly),
            not_fired: Aggregator::with(model, monthly),
        }
    }

    /// Whether the rule fired in this run (at any month of the horizon).
    pub fn fired_in(&self, out: &RunOutput) -> bool {
        out.first_fired
            .get(self.rule)
            .is_some_and(|&m| (m as usize) < self.fired.months)
    }

    /// Share of the runs in which the rule fired (0 without runs).
    pub fn p_fired(&self) -> f64 {
        let total = self.fired.runs + self.not_fired.runs;
        if total == 0 {
            0.0
        } else {
            self.fired.runs as f64 / total as f64
        }
    }

    /// Merge another partial split of the same rule (exact).
    fn merge(&mut self, o: Split) {
        self.fired.merge(o.fired);
        self.not_fired.merge(o.not_fired);
    }
}

/// `Aggregator::slot_at` of a series that is not kept.
const NOT_KEPT: u32 = u32::MAX;

impl Aggregator {
    pub fn with(model: &Model, monthly: Monthly) -> Self {
        let kept = monthly.slots(model);
        let mut slot_at = vec![NOT_KEPT; model.slots.n_monthly];
        for (k, &slot) in kept.iter().enumerate() {
            slot_at[slot] = (k * model.months) as u32;
        }
        Aggregator {
            months: model.months,
            runs: 0,
            detail: monthly,
            monthly: vec![Cell::default(); kept.len() * model.months],
            slot_at,
            finals: vec![Cell::default(); model.slots.n_final],
            first_fired: vec![0; model.sc.rules.len() * model.months],
            sample: Vec::new(),
            split: None,
        }
    }

    /// The months of monthly series `slot`, if it is kept.
    pub fn series(&self, slot: usize) -> Option<&[Cell]> {
        let at = *self.slot_at.get(slot)?;
        (at != NOT_KEPT).then(|| &self.monthly[at as usize..at as usize + self.months])
    }

    /// Month `t` of monthly series `slot`, if it is kept.
    pub fn cell(&self, slot: usize, t: usize) -> Option<&Cell> {
        self.series(slot)?.get(t)
    }

    /// The kept monthly cells, series by series (for checks over all of them).
    pub fn monthly_cells(&self) -> &[Cell] {
        &self.monthly
    }

    /// The slot of a kept monthly cell's series.
    pub fn slot_of_cell(&self, cell: usize) -> Option<usize> {
        let first = (cell / self.months.max(1) * self.months) as u32;
        self.slot_at.iter().position(|&a| a == first)
    }

    /// Aggregate the runs held in `batch` and empty it.
    fn add_batch(&mut self, batch: &mut Batch) {
        let n = batch.n;
        if n == 0 {
            return;
        }
        add_rows(&mut self.monthly, &batch.monthly, n);
        add_rows(&mut self.finals, &batch.finals, n);
        batch.n = 0;
    }

    /// Record what is not batched: rule firings and the sensitivity sample.
    fn add_events(&mut self, run: u64, out: &RunOutput, keys: &[KeyOutcome]) {
        self.add_firings(out);
        if run < spearman::SAMPLE_RUNS {
            let outcomes = keys.iter().map(|k| out.finals[k.final_index]).collect();
            self.sample.push((run, out.params.clone(), outcomes));
        }
    }

    /// Count one run and the months its rules first fired.
    fn add_firings(&mut self, out: &RunOutput) {
        self.runs += 1;
        for (k, &m) in out.first_fired.iter().enumerate() {
            if (m as usize) < self.months {
                self.first_fired[k * self.months + m as usize] += 1;
            }
        }
    }

    /// Merge another partial result (exact; any order gives the same result).
    /// Both must split by the same rule, or either not at all.
    pub fn merge(&mut self, o: Aggregator) {
        self.runs += o.runs;
        for (a, b) in self.monthly.iter_mut().zip(&o.monthly) {
            a.merge(b);
        }
        for (a, b) in self.finals.iter_mut().zip(&o.finals) {
            a.merge(b);
        }
        for (a, b) in self.first_fired.iter_mut().zip(&o.first_fired) {
            *a += b;
        }
        self.sample.extend(o.sample);
        match (&mut self.split, o.split) {
            (Some(a), Some(b)) => a.merge(*b),
            (None, Some(b)) => self.split = Some(b),
            (_, None) => {}
        }
    }

    /// Probability that rule k has fired by month t.
    pub fn p_fired_by(&self, k: usize) -> Vec<f64> {
        let mut acc = 0u64;
        (0..self.months)
            .map(|t| {
                acc += self.first_fired[k * self.months + t];
                if self.runs > 0 {
                    acc as f64 / self.runs as f64
                } else {
                    0.0
                }
            })
            .collect()
    }

    /// Spearman correlation of each sampled parameter with each key outcome:
    /// `[param][outcome]`.
    pub fn sensitivity(&self, n_params: usize, n_outcomes: usize) -> Vec<Vec<f64>> {
        // Rank each column once; Spearman is Pearson on ranks.
        let outcome_ranks: Vec<Vec<f64>> = (0..n_outcomes)
            .map(|o| spearman::ranks(&self.sample.iter().map(|r| r.2[o]).collect::<Vec<_>>()))
            .collect();
        (0..n_params)
            .map(|p| {
                let xr = spearman::ranks(&self.sample.iter().map(|r| r.1[p]).collect::<Vec<_>>());
                outcome_ranks
                    .iter()
                    .map(|yr| spearman::pearson(&xr, yr))
                    .collect()
            })
            .collect()
    }

    /// Approximate heap bytes held (for memory reports).
    pub fn heap_bytes(&self) -> usize {
        let cells = self
            .monthly
            .iter()
            .chain(&self.finals)
            .map(|c| c.heap_bytes() + std::mem::size_of::<Cell>())
            .sum::<usize>();
        cells
            + self
                .sample
                .iter()
                .map(|r| 8 * (r.1.len() + r.2.len()) + 64)
                .sum::<usize>()
    }
}

/// Outputs of up to `CHUNK` runs, one contiguous row per run (a plain copy
/// of the run's kept monthly cells and its horizon outcomes, so storing is
/// sequential).
struct Batch {
    n: usize,
    /// Ranges of a run's `RunOutput::monthly` that are kept (`Monthly`),
    /// adjacent series merged.
    kept: Vec<Range<usize>>,
    monthly: Vec<f64>,
    finals: Vec<f64>,
}

/// Cells per tile of the blocked transpose in `add_rows`.
const TILE: usize = 8;

/// Add the first `n` rows of `rows` (row r = run r's values for every cell)
/// to `cells`, a tile of cells at a time: the tile's values are gathered
/// from whole cache lines of each row, then every cell takes its `n` values
/// while it is in cache.
fn add_rows(cells: &mut [Cell], rows: &[f64], n: usize) {
    let nc = cells.len();
    if nc == 0 {
        return;
    }
    let b = CHUNK as usize;
    let mut tile = vec![0.0f64; TILE * b];
    for c0 in (0..nc).step_by(TILE) {
        let w = TILE.min(nc - c0);
        for r in 0..n {
            let row = &rows[r * nc + c0..r * nc + c0 + w];
            for (k, x) in row.iter().enumerate() {
                tile[k * b + r] = *x;
            }
        }
        // The next tile's histograms load while this tile's values go in.
        for c in cells.iter().skip(c0 + TILE).take(TILE) {
            c.prefetch();
        }
        for k in 0..w {
            cells[c0 + k].add_all(&tile[k * b..k * b + n]);
        }
    }
}

impl Batch {
    /// A batch that holds nothing (for a split that was not asked for).
    fn empty() -> Self {
        Batch {
            n: 0,
            kept: Vec::new(),
            monthly: Vec::new(),
            finals: Vec::new(),
        }
    }

    fn new(model: &Model, monthly: Monthly) -> Self {
        let b = CHUNK as usize;
        let mut kept: Vec<Range<usize>> = Vec::new();
        for slot in monthly.slots(model) {
            let r = slot * model.months..(slot + 1) * model.months;
            match kept.last_mut() {
                Some(last) if last.end == r.start => last.end = r.end,
                _ => kept.push(r),
            }
        }
        let width: usize = kept.iter().map(ExactSizeIterator::len).sum();
        Batch {
            n: 0,
            kept,
            monthly: vec![0.0; width * b],
            finals: vec![0.0; model.slots.n_final * b],
        }
    }

    /// Cells of one run's row.
    fn width(&self) -> usize {
        self.monthly.len() / CHUNK as usize
    }

    fn push(&mut self, out: &RunOutput) {
        let r = self.n;
        let w = self.width();
        let mut at = r * w;
        for k in &self.kept {
            self.monthly[at..at + k.len()].copy_from_slice(&out.monthly[k.clone()]);
            at += k.len();
        }
        let nf = out.finals.len();
        self.finals[r * nf..(r + 1) * nf].copy_from_slice(&out.finals);
        self.n += 1;
    }

    /// Store `a - b` for one run (a paired difference).
    fn push_diff(&mut self, a: &RunOutput, b: &RunOutput) {
        let r = self.n;
        let w = self.width();
        let mut at = r * w;
        for k in &self.kept {
            for ((d, x), y) in self.monthly[at..at + k.len()]
                .iter_mut()
                .zip(&a.monthly[k.clone()])
                .zip(&b.monthly[k.clone()])
            {
                *d = x - y;
            }
            at += k.len();
        }
        let nf = a.finals.len();
        for ((d, x), y) in self.finals[r * nf..(r + 1) * nf]
            .iter_mut()
            .zip(&a.finals)
            .zip(&b.finals)
        {
            *d = x - y;
        }
        self.n += 1;
    }
}

#[derive(Debug)]
pub enum EngineError {
    Run(RunError),
    Cancelled,
    PerRunWrite(std::io::Error),
    Pool(String),
    /// A design the inputs do not fit (e.g. more Sobol' dimensions than the table).
    Design(String),
}

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EngineError::Run(e) => write!(f, "{e}"),
            EngineError::Cancelled => write!(f, "interrupted"),
            EngineError::PerRunWrite(e) => write!(f, "cannot write runs.csv: {e}"),
            EngineError::Pool(e) => write!(f, "cannot start worker threads: {e}"),
            EngineError::Design(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for EngineError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            EngineError::Run(e) => Some(e),
            EngineError::PerRunWrite(e) => Some(e),
            EngineError::Cancelled | EngineError::Pool(_) | EngineError::Design(_) => None,
        }
    }
}

/// Key outcomes: horizon averages of GDP deviation (economies and WORLD),
/// rare-earth shortfall (licensing importers) and welfare (economies).
pub fn key_outcomes(model: &Model) -> Vec<KeyOutcome> {
    let sl = &model.slots;
    let mut out = Vec::new();
    for (k, (label, kind)) in sl.final_labels.iter().enumerate() {
        let wanted = matches!(label.metric, "gdp_dev" | "re_shortfall" | "welfare")
            && *kind == crate::model::series::FinalKind::Average;
        if wanted {
            out.push(KeyOutcome {
                metric: label.metric.to_string(),
                economy: label.economy.clone(),
                final_index: k,
            });
        }
    }
    out
}

/// Run the plan and aggregate, sending per-run records to `per_run`.
/// `progress(done)` is called as chunks finish; `cancel` stops the workers
/// at the next chunk.
///
/// # Errors
/// The failed run with the lowest index (deterministic), cancellation, or a
/// write error on the per-run stream.
pub fn run_monte_carlo(
    model: &Model,
    plan: &RunPlan,
    per_run: PerRun<'_>,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<Aggregator, EngineError> {
    let mut r = run_set(&[model], plan, per_run, progress, cancel)?;
    Ok(r.scenarios.remove(0))
}

/// Aggregates kept per thread for `n_models` scenarios run together: one
/// per scenario, one per paired difference, and two for a split.
pub fn aggregate_count(n_models: usize, split: bool) -> usize {
    (2 * n_models).saturating_sub(1) + if split { 2 } else { 0 }
}

/// Estimated peak bytes of aggregation for running `models` together on
/// `threads` threads: per thread, every aggregate (scenarios, paired
/// differences and split groups, `aggregate_count`) holds one cell per series-month (header plus a typical
/// sketch of ~64 two-byte buckets) and a batch of `CHUNK` runs, plus the sensitivity
/// sample. It does not grow with the number of runs.
pub fn memory_estimate(models: &[&Model], threads: usize, monthly: Monthly, split: bool) -> u64 {
    let m = models[0];
    let cells = (monthly.slots(m).len() * m.months + m.slots.n_final) as u64;
    let aggregates = aggregate_count(models.len(), split) as u64;
    let cell_bytes = std::mem::size_of::<Cell>() as u64 + 64 * 2;
    let per_thread = aggregates * cells * (cell_bytes + CHUNK * 8);
    let sample =
        models.len() as u64 * spearman::SAMPLE_RUNS * ((m.sampled.len() + 32) * 8 + 64) as u64;
    // Worker copies plus the merged result, and allocator and output
    // overhead measured on the shipped scenarios (peak RSS / this sum ~ 1.6).
    ((threads as u64 + 1) * per_thread + sample) * 8 / 5 + (48 << 20)
}

/// Results of running several scenarios on the same runs.
#[derive(Debug)]
pub struct SetResult {
    /// One aggregate per scenario.
    pub scenarios: Vec<Aggregator>,
    /// Paired differences, scenario k minus scenario 0, for k >= 1.
    pub diffs: Vec<Aggregator>,
}

impl SetResult {
    /// Merge another partial result of the same models (exact; any order
    /// gives the same result).
    pub fn merge(&mut self, o: SetResult) {
        for (a, b) in self.scenarios.iter_mut().zip(o.scenarios) {
            a.merge(b);
        }
        for (a, b) in self.diffs.iter_mut().zip(o.diffs) {
            a.merge(b);
        }
    }

    /// Put the sensitivity samples in run order, as a completed run has them.
    pub fn sort_samples(&mut self) {
        for a in &mut self.scenarios {
            a.sample.sort_by_key(|r| r.0);
        }
    }
}

/// Run every model on the same run indices (hence the same draws for every
/// quantity they share: common random numbers) and aggregate each scenario
/// and the run-by-run differences against the first, keeping the plan's
/// monthly series (`Monthly::None` for sweeps). The models must share
/// their output catalogue (`Slots::labels`).
///
/// # Errors
/// As `run_monte_carlo`.
pub fn run_set(
    models: &[&Model],
    plan: &RunPlan,
    per_run: PerRun<'_>,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<SetResult, EngineError> {
    let first = models[0];
    let monthly = plan.monthly;
    let keys = key_outcomes(first);
    let month_labels: Vec<String> = (0..first.months).map(|t| first.sc.month_label(t)).collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(plan.threads.max(1))
        .build()
        .map_err(|e| EngineError::Pool(e.to_string()))?;
    let start = plan.runs.start;
    let end = plan.runs.end;
    let next = AtomicU64::new(start);
    let done = AtomicU64::new(0);
    // Lowest failing run so far: every run below it still gets executed.
    let stop_at = AtomicU64::new(u64::MAX);
    let first_err: Mutex<Option<RunError>> = Mutex::new(None);
    let results: Mutex<Vec<(Vec<Aggregator>, Vec<Aggregator>)>> = Mutex::new(Vec::new());
    let (ordered, wants) = per_run::Ordered::new(per_run, start);
    let ordered = ordered.map(Mutex::new);
    let n = models.len();
    // Empty aggregates of every scenario (the first with its split, if
    // asked) and of every paired difference.
    let fresh = || {
        let mut aggs: Vec<Aggregator> = models
            .iter()
            .map(|m| Aggregator::with(m, monthly))
            .collect();
        aggs[0].split = plan.split.map(|k| Box::new(Split::new(first, k, monthly)));
        let diffs: Vec<Aggregator> = models[1..]
            .iter()
            .map(|m| Aggregator::with(m, monthly))
            .collect();
        (aggs, diffs)
    };
    pool.scope(|s| {
        for _ in 0..plan.threads.max(1) {
            s.spawn(|_| {
                let (mut aggs, mut diffs) = fresh();
                // Runs of the first scenario in which the split rule fired, and not.
                let mut split_batches = match plan.split {
                    Some(_) => [Batch::new(first, monthly), Batch::new(first, monthly)],
                    None => [Batch::empty(), Batch::empty()],
                };
                let mut batches: Vec<Batch> =
                    models.iter().map(|m| Batch::new(m, monthly)).collect();
                let mut diff_batches: Vec<Batch> =
                    models[1..].iter().map(|m| Batch::new(m, monthly)).collect();
                let mut wss: Vec<Workspace> = (0..n).map(|_| Workspace::default()).collect();
                let mut outs: Vec<RunOutput> = models.iter().map(|m| m.new_output()).collect();
                loop {
                    if cancel.load(Ordering::Relaxed) {
                        break;
                    }
                    let c = next.fetch_add(CHUNK, Ordering::Relaxed);
                    if c >= end || c >= stop_at.load(Ordering::Relaxed) {
                        break;
                    }
                    let c_end = (c + CHUNK).min(end);
                    let mut rows = per_run::Chunk::default();
                    'runs: for r in c..c_end {
                        for k in 0..n {
                            if let Err(mut e) =
                                models[k].run(plan.seed, r, &mut wss[k], &mut outs[k])
                            {
                                e.scenario = k;
                                stop_at.fetch_min(r, Ordering::Relaxed);
                                let mut g = first_err.lock().unwrap_or_else(|p| p.into_inner());
                                if g.as_ref().is_none_or(|x| e.run < x.run) {
                                    *g = Some(e);
                                }
                                break 'runs;
                            }
                        }
                        for k in 0..n {
                            batches[k].push(&outs[k]);
                            aggs[k].add_events(r, &outs[k], &keys);
                        }
                        if let Some(sp) = aggs[0].split.as_deref_mut() {
                            let (g, group) = if sp.fired_in(&outs[0]) {
                                (0, &mut sp.fired)
                            } else {
                                (1, &mut sp.not_fired)
                            };
                            split_batches[g].push(&outs[0]);
                            group.add_firings(&outs[0]);
                        }
                        for k in 1..n {
                            diff_batches[k - 1].push_diff(&outs[k], &outs[0]);
                            diffs[k - 1].runs += 1;
                        }
                        if ordered.is_some() {
                            rows.push(&wants, r, &outs[0], &keys, &month_labels);
                        }
                    }
                    for (a, b) in aggs
                        .iter_mut()
                        .zip(&mut batches)
                        .chain(diffs.iter_mut().zip(&mut diff_batches))
                    {
                        a.add_batch(b);
                    }
                    if let Some(sp) = aggs[0].split.as_deref_mut() {
                        let [f, nf] = &mut split_batches;
                        sp.fired.add_batch(f);
                        sp.not_fired.add_batch(nf);
                    }
                    if let Some(o) = &ordered {
                        o.lock().unwrap_or_else(|p| p.into_inner()).put(c, rows);
                    }
                    let d = done.fetch_add(c_end - c, Ordering::Relaxed) + (c_end - c);
                    progress(d);
                }
                results
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push((aggs, diffs));
            });
        }
    });
    if let Some(e) = first_err.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(EngineError::Run(e));
    }
    if cancel.load(Ordering::Relaxed) {
        return Err(EngineError::Cancelled);
    }
    if let Some(o) = ordered {
        let o = o.into_inner().unwrap_or_else(|p| p.into_inner());
        if let Some(e) = o.error {
            return Err(EngineError::PerRunWrite(e));
        }
    }
    // Merging is exact, so the order parts arrive in does not matter.
    let mut parts = results.into_inner().unwrap_or_else(|p| p.into_inner());
    let (scenarios, diffs) = parts.pop().unwrap_or_else(fresh);
    let mut set = SetResult { scenarios, diffs };
    for (scenarios, diffs) in parts {
        set.merge(SetResult { scenarios, diffs });
    }
    set.sort_samples();
    Ok(set)
}
