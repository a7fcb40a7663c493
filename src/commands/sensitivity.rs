//! `sensitivity`: variance-based (Sobol) indices of the key outcomes with
//! respect to the sampled parameters.

use super::pipeline::{
    self, CommandError, Common, Settings, Ui, commit, engine_failed, open_dir, write_chart_files,
    write_files,
};
use crate::model::Model;
use crate::output::manifest::{Manifest, SobolRecord};
use crate::sensitivity::sobol::{self as sb, Design};
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
    if !(8..=sb::MAX_SAMPLES).contains(&o.samples) {
        return usage(format!(
            "--samples {} must be between 8 and 1,000,000",
            o.samples
        ));
    }
    // The intervals are percentiles of the resamples: with fewer than 20 the
    // 2.5 % and 97.5 % points are the extremes of a handful (0 gives none).
    if !(20..=10_000).contains(&o.bootstrap) {
        return usage(format!(
            "--bootstrap {} must be between 20 and 10,000 (the 95 % intervals are percentiles of the bootstrap resamples; 200 is the default)",
            o.bootstrap
        ));
    }
    let sc = pipeline::load(&o.scenario, &c.sets)?;
    let st = Settings::resolve(c, &sc)?;
    let model = Model::new(&sc, st.months);
    let k = sb::selected_params(&model, &o.params).len();
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
    let mut info = st.info(c);
    // The design word is part of the key: a qmc result never replaces a
    // random one of the same settings, nor the other way round.
    info.result_key = st.result_key(
        "sobol",
        &[&model],
        c,
        [
            o.samples.to_string(),
            o.bootstrap.to_string(),
            o.design.name().to_string(),
        ]
        .into_iter()
        .chain(o.params.iter().cloned())
        .collect(),
    );
    let dir = open_dir(
        c,
        ui,
        &format!("{}-sobol", sc.meta.name),
        &Manifest::new(&[&model], &info),
    )?;
    if !c.quiet {
        let total = (o.samples * (k + 2)) as u64;
        let eta = pipeline::estimate_seconds(&model, st.seed, total, st.threads)
            .map(|s| format!("; {}", pipeline::human_duration(s)))
            .unwrap_or_default();
        ui.note(&format!(
            "{}: Sobol indices of {} parameters, {} design, N = {} -> {total} model runs x {} months, seed {}, {} thread(s){eta}",
            sc.meta.name,
            k,
            o.design.name(),
            o.samples,
            st.months,
            st.seed,
            st.threads
        ));
    }
    let started = Instant::now();
    if !c.quiet {
        ui.progress_start((o.samples * (k + 2)) as u64);
    }
    let report = sb::sobol(
        &model,
        o.design,
        st.seed,
        o.samples,
        o.bootstrap,
        st.threads,
        &o.params,
        &|d| ui.progress(d),
        cancel,
    );
    if !c.quiet {
        ui.progress_end();
    }
    let report = report.map_err(|e| engine_failed(e, st.seed, &o.scenario, c))?;
    let conv = sb::convergence(&report);
    info.runs = report.evaluations as u64;
    info.wall_seconds = started.elapsed().as_secs_f64();
    info.sobol = Some(SobolRecord::new(&report, o.bootstrap, &conv));
    write_files(
        &dir,
        &[
            ("sobol.csv", sb::sobol_csv(&model, &report)),
            (
                "sobol_convergence.csv",
                sb::convergence_csv(&model, &report, &conv),
            ),
        ],
        &c.out,
    )?;
    if !o.no_charts {
        let charts =
            crate::charts::sensitivity::charts(&model, &report, st.seed, o.samples, c.chart_size)
                .map_err(|e| CommandError::Failed(e.to_string()))?;
        write_chart_files(&dir, &charts)?;
    }
    if !c.quiet {
        let lines = sb::top_lines(&model, &report, 6);
        for line in lines
            .iter()
            .chain(&sb::convergence_lines(&model, &report, &conv))
        {
            ui.print(line);
        }
    }
    commit(dir, Manifest::new(&[&model], &info), c, ui, started, cancel)
}
