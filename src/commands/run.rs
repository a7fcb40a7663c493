//! `run`: one scenario's Monte Carlo simulation, or one shard of it, or one
//! run alone (`--only-run N`, to reproduce a failed run).

use super::pipeline::{
    self, CommandError, Common, Settings, Ui, check_memory, commit, engine_failed, open_dir,
    write_chart_files, write_files,
};
use crate::engine::aggregate::Cell;
use crate::engine::shard::{self, Shard};
use crate::engine::{self, Aggregator, PerRun, RunPlan, RunRecords};
use crate::model::Model;
use crate::output::folder::OutputDir;
use crate::output::manifest::{Manifest, ResultKey, RunInfo, SplitRecord, input_hashes};
use crate::output::{self};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

/// What `run` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub scenario: PathBuf,
    pub common: Common,
    /// Also write runs.csv (one row per run).
    pub per_run: bool,
    pub no_charts: bool,
    /// Simulate only this run index.
    pub only_run: Option<u64>,
    /// Run only this shard of the runs.
    pub shard: Option<Shard>,
    /// Also aggregate the runs in two groups by whether this rule (its id)
    /// fired (`split.csv`, the split chart).
    pub split_by: Option<String>,
}

/// The result key of a run (a merge of all its shards has the same one).
pub(crate) fn result_key(
    model: &Model,
    info: &RunInfo,
    only_run: Option<u64>,
    shard: Option<Shard>,
) -> String {
    ResultKey {
        kind: if shard.is_some() { "shard" } else { "run" },
        inputs: input_hashes(&[model]),
        overrides: &info.sets,
        seed: info.seed,
        runs: info.runs,
        months: info.months,
        only_run,
        shard: shard.map(|s| (s.index, s.count)),
        // Absent without a split or at the default chart size, so those
        // keys are unchanged.
        extra: info
            .split
            .as_ref()
            .map(|s| format!("split_by={}", s.split_by))
            .into_iter()
            .chain(info.chart_size.key_word())
            .chain(super::pipeline::detail_key_word(info.detail))
            .collect(),
    }
    .digest()
}

/// The index of the rule `--split-by` names.
///
/// # Errors
/// `Usage` naming the flag and the value, with the scenario's rule ids.
pub(crate) fn split_rule(
    sc: &crate::scenario::Scenario,
    split_by: Option<&str>,
) -> Result<Option<usize>, CommandError> {
    let Some(id) = split_by else {
        return Ok(None);
    };
    if let Some(k) = sc.rules.iter().position(|r| r.id == id) {
        return Ok(Some(k));
    }
    let shown = crate::diag::clip(id, 80);
    if sc.rules.is_empty() {
        return Err(CommandError::Usage(format!(
            "--split-by {shown}: scenario {} has no rules, so there is nothing to split the runs by; add a [rules.ID] table to the scenario or drop --split-by",
            sc.meta.name
        )));
    }
    let ids: Vec<&str> = sc.rules.iter().map(|r| r.id.as_str()).collect();
    let close = crate::diag::did_you_mean(id, ids.iter().copied())
        .map(|s| format!("did you mean `{s}`? "))
        .unwrap_or_default();
    Err(CommandError::Usage(format!(
        "--split-by {shown}: scenario {} has no rule `{shown}`; {close}give one of its rule ids: {}",
        sc.meta.name,
        ids.join(", ")
    )))
}

/// The manifest's record of a split (`None` without one).
pub(crate) fn split_record(model: &Model, agg: &Aggregator) -> Option<SplitRecord> {
    let sp = agg.split.as_deref()?;
    Some(SplitRecord {
        split_by: model.sc.rules.get(sp.rule)?.id.clone(),
        runs_fired: sp.fired.runs,
        runs_not_fired: sp.not_fired.runs,
        p_fired: sp.p_fired(),
    })
}

/// Run a scenario and write its result folder.
///
/// # Errors
/// See [`CommandError`].
pub fn run(o: &RunOptions, ui: &dyn Ui, cancel: &AtomicBool) -> Result<PathBuf, CommandError> {
    run_keeping(o, ui, cancel, false).map(|(path, _)| path)
}

/// [`run`], also keeping every run's record in memory: the columns of
/// runs.csv as numbers, whether or not `per_run` writes the file (the
/// Python package's `RunResult.runs`). The folder is the one `run` writes.
///
/// # Errors
/// See [`CommandError`].
pub fn run_with_records(
    o: &RunOptions,
    ui: &dyn Ui,
    cancel: &AtomicBool,
) -> Result<(PathBuf, RunRecords), CommandError> {
    run_keeping(o, ui, cancel, true).map(|(path, r)| (path, r.unwrap_or_default()))
}

/// `run`, keeping the per-run records in memory if `keep`.
fn run_keeping(
    o: &RunOptions,
    ui: &dyn Ui,
    cancel: &AtomicBool,
    keep: bool,
) -> Result<(PathBuf, Option<RunRecords>), CommandError> {
    let c = &o.common;
    let sc = pipeline::load(&o.scenario, &c.sets)?;
    let st = Settings::resolve(c, &sc)?;
    let split = split_rule(&sc, o.split_by.as_deref())?;
    if let Some(r) = o.only_run
        && r >= st.runs
    {
        return Err(CommandError::Usage(format!(
            "--only-run {r} is not a run of this scenario: runs are numbered 0 to {} (--runs {}); give N below the number of runs",
            st.runs - 1,
            st.runs
        )));
    }
    let model = Model::new(&sc, st.months);
    check_memory(c, ui, &[&model], st.threads, c.detail, split.is_some())?;
    let runs = match (o.only_run, o.shard) {
        (Some(r), _) => r..r + 1,
        (None, Some(s)) => shard::range(st.runs, s),
        (None, None) => 0..st.runs,
    };
    let mut info = RunInfo {
        runs: if o.only_run.is_some() { 1 } else { st.runs },
        shard: o.shard.map(|s| (s.index, s.count)),
        only_run: o.only_run,
        scenario_path: std::fs::canonicalize(&o.scenario)
            .ok()
            .map(|p| p.display().to_string()),
        per_run: o.per_run,
        // The rule is known now (the result key names it); its counts
        // after the runs.
        split: o.split_by.as_ref().map(|r| SplitRecord {
            split_by: r.clone(),
            runs_fired: 0,
            runs_not_fired: 0,
            p_fired: 0.0,
        }),
        ..st.info(c)
    };
    // The key records the requested runs and the run index, so that
    // `--only-run N` never replaces a full result.
    info.result_key = result_key(
        &model,
        &RunInfo {
            runs: st.runs,
            ..info.clone()
        },
        o.only_run,
        o.shard,
    );
    let folder = o
        .shard
        .map_or_else(|| sc.meta.name.clone(), |s| shard::folder(&sc.meta.name, s));
    let dir = open_dir(c, ui, &folder, &Manifest::new(&[&model], &info))?;
    if !c.quiet {
        let part = o
            .shard
            .map(|s| {
                format!(
                    " (shard {} of {}: runs {}..{})",
                    s.index, s.count, runs.start, runs.end
                )
            })
            .unwrap_or_default();
        ui.note(&format!(
            "{}: {} runs{part} x {} months ({} of {} series monthly{}), seed {}, {} thread(s)",
            sc.meta.name,
            st.runs,
            st.months,
            c.detail.slots(&model).len(),
            model.slots.n_monthly,
            if c.detail == crate::engine::Monthly::Flows {
                ""
            } else {
                "; --detail flows for the per-flow ones"
            },
            st.seed,
            st.threads
        ));
    }
    let started = Instant::now();
    let plan = RunPlan {
        seed: st.seed,
        runs: runs.clone(),
        threads: st.threads,
        split,
        monthly: c.detail,
    };
    let mut records = keep.then(|| RunRecords::new(&model));
    let agg = simulate(o, &model, &plan, &dir, records.as_mut(), ui, cancel)?;
    if agg.runs != runs.end - runs.start {
        return Err(CommandError::Failed(format!(
            "{} of {} runs completed",
            agg.runs,
            runs.end - runs.start
        )));
    }
    info.wall_seconds = started.elapsed().as_secs_f64();
    info.split = split_record(&model, &agg);
    if o.shard.is_some() {
        // A shard writes mergeable partial aggregates; `merge` writes the results.
        write_files(&dir, &[("aggregate.bin", agg.encode())], &c.out)?;
    } else {
        write_results(&model, &agg, &info, &dir, c, o.no_charts, ui)?;
    }
    let path = commit(dir, Manifest::new(&[&model], &info), c, ui, started, cancel)?;
    Ok((path, records))
}

/// Run the engine as `plan` says, streaming runs.csv if asked and keeping
/// the per-run records in `records` if given.
fn simulate(
    o: &RunOptions,
    model: &Model,
    plan: &RunPlan,
    dir: &OutputDir,
    records: Option<&mut RunRecords>,
    ui: &dyn Ui,
    cancel: &AtomicBool,
) -> Result<Aggregator, CommandError> {
    let quiet = o.common.quiet;
    let mut per_run_file = match o.per_run {
        false => None,
        true => {
            let mut f = std::fs::File::create(dir.path().join("runs.csv"))
                .map_err(|e| CommandError::Failed(format!("cannot create runs.csv: {e}")))?;
            std::io::Write::write_all(&mut f, engine::per_run_header(model).as_bytes())
                .map_err(|e| CommandError::Failed(format!("cannot write runs.csv: {e}")))?;
            Some(std::io::BufWriter::new(f))
        }
    };
    if !quiet {
        ui.progress_start(plan.runs.end - plan.runs.start);
    }
    let result = engine::run_monte_carlo(
        model,
        plan,
        PerRun {
            csv: per_run_file
                .as_mut()
                .map(|w| w as &mut (dyn std::io::Write + Send)),
            records,
        },
        &|d| ui.progress(d),
        cancel,
    );
    if !quiet {
        ui.progress_end();
    }
    let agg = result.map_err(|e| engine_failed(e, plan.seed, &o.scenario, &o.common))?;
    if let Some(mut w) = per_run_file {
        std::io::Write::flush(&mut w)
            .map_err(|e| CommandError::Failed(format!("cannot write runs.csv: {e}")))?;
    }
    Ok(agg)
}

/// The files of a completed run (also of a merge): CSVs, charts and
/// report, and the printed summary. The manifest is written at commit.
///
/// # Errors
/// `Failed` for a non-finite series or a write or drawing failure.
pub(crate) fn write_results(
    model: &Model,
    agg: &Aggregator,
    info: &RunInfo,
    dir: &OutputDir,
    c: &Common,
    no_charts: bool,
    ui: &dyn Ui,
) -> Result<(), CommandError> {
    // A non-finite value in a series not kept monthly (per-flow detail)
    // still shows in its horizon outcomes.
    let cells = agg.monthly_cells().len();
    if let Some((k, cell)) = agg
        .monthly_cells()
        .iter()
        .chain(&agg.finals)
        .enumerate()
        .find(|(_, c)| c.nonfinite() > 0)
    {
        let (l, when) = match agg.slot_of_cell(k).filter(|_| k < cells) {
            Some(slot) => (
                &model.slots.labels[slot],
                model.sc.month_label(k % model.months),
            ),
            None => {
                let (l, kind) = &model.slots.final_labels[k - cells];
                let end = model.sc.month_label(model.months - 1);
                (l, model.slots.final_period(*kind, &end).to_string())
            }
        };
        return Err(CommandError::Failed(format!(
            "{} run(s) produced a non-finite value or one beyond +-{:e} for {} {} {} {} in {}",
            cell.nonfinite(),
            engine::aggregate::MAX_MAGNITUDE,
            l.metric,
            l.economy,
            l.partner,
            l.sector,
            when
        )));
    }
    let mut files = vec![
        ("summary.csv", output::summary_csv(model, agg)),
        ("final.csv", output::final_csv(model, agg)),
        ("annual.csv", output::annual_csv(model, agg)),
        ("events.csv", output::events_csv(model, agg)),
        ("sensitivity.csv", output::sensitivity_csv(model, agg)),
        (
            "results.xlsx",
            output::workbook::results_xlsx(model, agg)
                .map_err(|e| CommandError::Failed(format!("cannot build results.xlsx: {e}")))?,
        ),
    ];
    if let Some(sp) = agg.split.as_deref() {
        files.push(("split.csv", output::split_csv(model, sp)));
        if let Some(msg) = one_sided(model, sp) {
            // Shown even with --quiet: the file and chart the user asked for are incomplete.
            ui.note(&msg);
        }
    }
    write_files(dir, &files, &c.out)?;
    if !no_charts {
        let chart_started = Instant::now();
        write_charts(model, agg, info, dir)?;
        if !c.quiet {
            ui.note(&format!(
                "charts and report drawn in {:.1} s",
                chart_started.elapsed().as_secs_f64()
            ));
        }
    }
    if !c.quiet {
        for line in summary_lines(model, agg) {
            ui.print(&line);
        }
    }
    Ok(())
}

/// The warning for a split of which one group is empty (the rule fired in
/// every run, or in none): nothing to compare.
fn one_sided(model: &Model, sp: &engine::Split) -> Option<String> {
    let total = sp.fired.runs + sp.not_fired.runs;
    if sp.fired.runs > 0 && sp.not_fired.runs > 0 {
        return None;
    }
    let id = model.sc.rules.get(sp.rule).map_or("?", |r| r.id.as_str());
    Some(format!(
        "warning: --split-by {id}: the rule fired in {} of {total} runs, so there is nothing to compare; split.csv holds only the {} group and no split chart is drawn",
        sp.fired.runs,
        if sp.fired.runs > 0 {
            "fired"
        } else {
            "not_fired"
        }
    ))
}

/// Charts (PNG and SVG) and the self-contained report, from aggregated results.
fn write_charts(
    model: &Model,
    agg: &Aggregator,
    info: &RunInfo,
    dir: &OutputDir,
) -> Result<(), CommandError> {
    let baseline = model
        .baseline_output()
        .map_err(|e| CommandError::Failed(format!("baseline path: {e}")))?;
    let data = crate::charts::ChartData::new(model, agg, &baseline, info.seed)
        .with_overrides(&info.sets)
        .with_split(model, agg, &baseline);
    let charts = crate::charts::render_all(&data, info.chart_size)
        .map_err(|e| CommandError::Failed(e.to_string()))?;
    write_chart_files(dir, &charts)?;
    let html = crate::charts::report_html(&data, &charts);
    dir.write("report.html", html.as_bytes())
        .map_err(|e| CommandError::Failed(format!("cannot write report.html: {e}")))
}

/// A short table of headline outcomes: GDP deviation (horizon average) and
/// growth in the last month, median with the 5-95 % band.
pub fn summary_lines(model: &Model, agg: &Aggregator) -> Vec<String> {
    let sl = &model.slots;
    let months = model.months;
    let end = model.sc.month_label(months - 1);
    let mut out = vec![
        format!(
            "\n{:<6} {:>26} {:>26}",
            "",
            "GDP vs baseline, avg %",
            format!("growth y/y {end}, %")
        ),
        format!(
            "{:<6} {:>26} {:>26}",
            "", "median [5%, 95%]", "median [5%, 95%]"
        ),
    ];
    for i in 0..=sl.ne {
        let name = &sl.labels[sl.gdp_dev + i].economy;
        let d = agg.finals[2 * (sl.gdp_dev + i) + 1].stats();
        let g = agg
            .cell(sl.gdp_growth + i, months - 1)
            .map_or_else(|| Cell::default().stats(), Cell::stats);
        out.push(format!(
            "{name:<6} {:>26} {:>26}",
            format!("{:.2} [{:.2}, {:.2}]", d.p50, d.p05, d.p95),
            format!("{:.2} [{:.2}, {:.2}]", g.p50, g.p05, g.p95)
        ));
    }
    out
}
