//! `sensitivity`: variance-based (Sobol) indices of the key outcomes with
//! respect to the sampled parameters.

use super::pipeline::{
    self, CommandError, Common, Settings, Ui, commit, engine_failed, open_dir, write_chart_files,
    write_files,
};
use crate::model::Model;
use crate::output::manifest::{Manifest, RunInfo};
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
            "--bootstrap {} must be between 20 and 10,000 (the 95 % intervals are percentiles of the bootstrap resamples; 200 is the default)",
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
    let mut info = RunInfo {
        // No monthly series.
        detail: crate::engine::Monthly::None,
        ..st.info(c)
    };
    info.result_key = st.result_key(
        "sobol",
        &[&model],
        c,
        [o.samples.to_string(), o.bootstrap.to_string()]
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
            "{}: Sobol indices of {} parameters, N = {} -> {total} model runs x {} months, seed {}, {} thread(s){eta}",
            sc.meta.name,
            k,
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
    let report = crate::sensitivity::sobol::sobol(
        &model,
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
    info.runs = report.evaluations as u64;
    info.wall_seconds = started.elapsed().as_secs_f64();
    write_files(
        &dir,
        &[(
            "sobol.csv",
            crate::sensitivity::sobol::sobol_csv(&model, &report),
        )],
        &c.out,
    )?;
    if !o.no_charts {
        let charts = crate::charts::sensitivity::charts(
            &model,
            &report,
            st.seed,
            o.samples,
            &c.sets,
            c.chart_size,
        )
        .map_err(|e| CommandError::Failed(e.to_string()))?;
        write_chart_files(&dir, &charts)?;
    }
    if !c.quiet {
        for line in crate::sensitivity::sobol::top_lines(&model, &report, 6) {
            ui.print(&line);
        }
    }
    commit(dir, Manifest::new(&[&model], &info), c, ui, started, cancel)
}
