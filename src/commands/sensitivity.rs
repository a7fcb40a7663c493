//! `sensitivity`: variance-based (Sobol) indices of the key outcomes with
//! respect to the sampled parameters, or one shard of the design: a block
//! of base rows whose outputs `merge` assembles before computing the indices.

use super::pipeline::{
    self, CommandError, Common, Settings, Ui, absolute, commit, engine_failed, open_dir,
    shard_note, write_chart_files, write_files,
};
use crate::engine::shard::{self, Shard};
use crate::model::Model;
use crate::output::folder::OutputDir;
use crate::output::manifest::{Manifest, RunInfo, ShardCommand, SobolRecord};
use crate::sensitivity::sobol::{self as sb, Design, SobolReport};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

/// What `sensitivity` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct SensitivityOptions {
    pub scenario: PathBuf,
    /// `sobol` (the only method this command computes).
    pub method: String,
    /// Base sample size N of the Saltelli design.
    pub samples: usize,
    /// Where the design's uniforms come from (scrambled Sobol' by default).
    pub design: Design,
    /// Bootstrap resamples for the confidence intervals.
    pub bootstrap: usize,
    /// Only parameters whose path contains one of these texts.
    pub params: Vec<String>,
    pub common: Common,
    pub no_charts: bool,
    /// Evaluate only this shard of the design rows.
    pub shard: Option<Shard>,
}

/// Compute the indices and write the folder.
///
/// # Errors
/// See [`CommandError`].
pub fn sensitivity(
    o: &SensitivityOptions,
    ui: &dyn Ui,
    cancel: &AtomicBool,
) -> Result<PathBuf, CommandError> {
    let c = &o.common;
    let usage = |m: String| Err(CommandError::Usage(m));
    match o.method.as_str() {
        "sobol" => {}
        "spearman" => {
            return usage(
                "the rank-correlation (spearman) sensitivity is written by every `tariffsim run` as sensitivity.csv; use `run`, or --method sobol here".into(),
            );
        }
        other => {
            return usage(format!(
                "--method {other}: use sobol (or see sensitivity.csv of `run` for spearman)"
            ));
        }
    }
    if !(8..=1_000_000).contains(&o.samples) {
        return usage(format!(
            "--samples {} must be between 8 and 1,000,000",
            o.samples
        ));
    }
    // The intervals are percentiles of the resamples: with fewer than 20 the
    // 2.5 % and 97.5 % points are the extremes of a handful (0 gives none).
    if !(20..=10_000).contains(&o.bootstrap) {
        return usage(format!(
            "--bootstrap {} must be between 20 and 10,000 (the random design's 95 % intervals are percentiles of the bootstrap resamples; 200 is the default)",
            o.bootstrap
        ));
    }
    let sc = pipeline::load(&o.scenario, &c.sets)?;
    let st = Settings::resolve(c, &sc)?;
    let model = Model::new(&sc, st.months);
    let k = crate::sensitivity::sobol::selected_params(&model, &o.params).len();
    if k == 0 {
        return usage(
            "no sampled parameter matches --param; list them with `tariffsim explain SCENARIO --params` or run without --param".into(),
        );
    }
    if let Err(e) = sb::Sampler::new(o.design, st.seed, k) {
        return usage(format!(
            "{}: {e}; select some with --param TEXT, or use --design random",
            o.scenario.display()
        ));
    }
    // Sobol' points balance at powers of two; other N are still valid
    // (every scrambled point is uniform) but lose part of the gain, and
    // refusing them would break existing scripts and shard splits.
    if o.design == Design::Qmc && !o.samples.is_power_of_two() {
        ui.note(&format!(
            "note: --samples {} is not a power of two; the Sobol' points balance at powers of two (e.g. {} or {}), so the qmc design gains less here",
            o.samples,
            o.samples.next_power_of_two() / 2,
            o.samples.next_power_of_two()
        ));
    }
    let mut info = RunInfo {
        // No monthly series.
        detail: crate::engine::Monthly::None,
        ..st.info(c)
    };
    info.result_key = st.shard_key(
        "sobol",
        &[&model],
        c,
        key_words(o.samples, o.bootstrap, o.design, &o.params),
        o.shard,
    );
    let rows = o
        .shard
        .map_or(0..o.samples as u64, |s| shard::range(o.samples as u64, s));
    info.shard = o.shard.map(|s| (s.index, s.count));
    info.shard_command = o.shard.map(|_| ShardCommand {
        command: "sensitivity".into(),
        scenario_paths: vec![absolute(&o.scenario)],
        samples: Some(o.samples),
        bootstrap: Some(o.bootstrap),
        params: o.params.clone(),
        design: Some(o.design.name().into()),
        ..Default::default()
    });
    let folder = format!("{}-sobol", sc.meta.name);
    let folder = o
        .shard
        .map_or_else(|| folder.clone(), |s| shard::folder(&folder, s));
    let dir = open_dir(c, ui, &folder, &Manifest::new(&[&model], &info))?;
    let evaluations = (rows.end - rows.start) * (k as u64 + 2);
    if !c.quiet {
        let total = (o.samples * (k + 2)) as u64;
        let eta = pipeline::estimate_seconds(&model, st.seed, evaluations, st.threads)
            .map(|s| format!("; {}", pipeline::human_duration(s)))
            .unwrap_or_default();
        ui.note(&format!(
            "{}: Sobol indices of {} parameters, {} design, N = {} -> {total} model runs{} x {} months, seed {}, {} thread(s){eta}",
            sc.meta.name,
            k,
            o.design.name(),
            o.samples,
            shard_note(o.shard, "design rows", &rows),
            st.months,
            st.seed,
            st.threads
        ));
    }
    let started = Instant::now();
    if !c.quiet {
        ui.progress_start(evaluations);
    }
    let evals = sb::sobol_rows(
        &model,
        o.design,
        st.seed,
        rows.start as usize..rows.end as usize,
        st.threads,
        &o.params,
        &|d| ui.progress(d),
        cancel,
    );
    if !c.quiet {
        ui.progress_end();
    }
    let evals = evals.map_err(|e| engine_failed(e, st.seed, &o.scenario, c))?;
    info.wall_seconds = started.elapsed().as_secs_f64();
    if o.shard.is_some() {
        // A shard writes its rows' outputs; `merge` computes the indices.
        write_files(&dir, &[("design.bin", evals.encode())], &c.out)?;
    } else {
        let report = sb::report(&model, o.design, &o.params, &evals, st.seed, o.bootstrap);
        // The manifest of a complete analysis counts its model evaluations
        // (a shard's keeps the --runs setting, for its result key).
        info.runs = report.evaluations as u64;
        info.sobol = Some(write_outputs(
            &model,
            &report,
            st.seed,
            o.bootstrap,
            o.no_charts,
            &dir,
            c,
            ui,
        )?);
    }
    commit(dir, Manifest::new(&[&model], &info), c, ui, started, cancel)
}

/// The analysis' own words in its result key: samples, bootstrap, design,
/// filters. The design word is part of the key: a qmc result never replaces
/// a random one of the same settings, nor the other way round.
pub(crate) fn key_words(
    samples: usize,
    bootstrap: usize,
    design: Design,
    params: &[String],
) -> Vec<String> {
    [
        samples.to_string(),
        bootstrap.to_string(),
        design.name().to_string(),
    ]
    .into_iter()
    .chain(params.iter().cloned())
    .collect()
}

/// The files of a completed analysis (also of a merge of its shards):
/// sobol.csv, sobol_convergence.csv and charts, and the printed lines; the
/// manifest's record of the design and its convergence is returned (the
/// manifest is written at commit).
///
/// # Errors
/// `Failed` for a write or drawing failure.
#[allow(clippy::too_many_arguments)]
pub(crate) fn write_outputs(
    model: &Model,
    report: &SobolReport,
    seed: u64,
    bootstrap: usize,
    no_charts: bool,
    dir: &OutputDir,
    c: &Common,
    ui: &dyn Ui,
) -> Result<SobolRecord, CommandError> {
    let conv = sb::convergence(report);
    write_files(
        dir,
        &[
            ("sobol.csv", sb::sobol_csv(model, report)),
            (
                "sobol_convergence.csv",
                sb::convergence_csv(model, report, &conv),
            ),
        ],
        &c.out,
    )?;
    if !no_charts {
        let charts = crate::charts::sensitivity::charts(
            model,
            report,
            seed,
            report.samples,
            &c.sets,
            c.chart_size,
        )
        .map_err(|e| CommandError::Failed(e.to_string()))?;
        write_chart_files(dir, &charts)?;
    }
    if !c.quiet {
        let lines = sb::top_lines(model, report, 6);
        for line in lines
            .iter()
            .chain(&sb::convergence_lines(model, report, &conv))
        {
            ui.print(line);
        }
    }
    Ok(SobolRecord::new(report, bootstrap, &conv))
}
