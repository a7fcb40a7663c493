//! `sweep`: one scenario per value of one parameter, on common random
//! numbers, with outcome-versus-value tables and charts.

use super::pipeline::{
    self, CommandError, Common, Settings, Ui, check_memory, commit, engine_failed, open_dir,
    run_group, write_chart_files, write_files,
};
use crate::engine::Monthly;
use crate::model::Model;
use crate::output::folder::{MAX_NAME, shorten};
use crate::output::manifest::{Manifest, RunInfo};
use crate::scenario::LoadOptions;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

/// What `sweep` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct SweepOptions {
    pub scenario: PathBuf,
    /// Dotted path of the value to sweep.
    pub param: String,
    /// `V1,V2,...` or `start:stop:step`.
    pub values: String,
    pub common: Common,
    pub no_charts: bool,
    /// Tie tolerance of `p_diff_negative`, relative to the first value's level.
    pub tie: f64,
}

/// Run the sweep and write its folder.
///
/// # Errors
/// See [`CommandError`].
pub fn sweep(o: &SweepOptions, ui: &dyn Ui, cancel: &AtomicBool) -> Result<PathBuf, CommandError> {
    let c = &o.common;
    let values = crate::analysis::sweep::parse_values(&o.values).map_err(|msg| {
        CommandError::Usage(format!("--values {}: {msg}", shorten(&o.values, 80)))
    })?;
    crate::scenario::load::check_key(
        &o.scenario,
        &LoadOptions {
            sets: c.sets.clone(),
        },
        &o.param,
    )
    .map_err(|d| CommandError::Input(d.render()))?;
    let mut scs = Vec::new();
    for v in &values {
        let mut sets = c.sets.clone();
        sets.push(format!("{}={v}", o.param));
        match pipeline::load(&o.scenario, &sets) {
            Ok(s) => scs.push(s),
            Err(CommandError::Input(text)) => {
                return Err(CommandError::Input(format!(
                    "{text}  (while setting {}={v})\n",
                    o.param
                )));
            }
            Err(e) => return Err(e),
        }
    }
    let st = Settings::resolve(c, &scs[0])?;
    let models: Vec<Model> = scs.iter().map(|s| Model::new(s, st.months)).collect();
    let refs: Vec<&Model> = models.iter().collect();
    check_memory(c, ui, &refs, st.threads, Monthly::None, false)?;
    let mut info = RunInfo {
        // No monthly series.
        detail: crate::engine::Monthly::None,
        ..st.info(c)
    };
    info.result_key = st.result_key(
        "sweep",
        &refs,
        c,
        std::iter::once(o.param.clone())
            .chain(values.iter().cloned())
            .chain([format!("tie={}", o.tie)])
            .collect(),
    );
    // Keys may be quoted TOML keys with any characters: keep the folder name plain.
    let plain: String = o
        .param
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() || ch == '_' {
                ch
            } else {
                '-'
            }
        })
        .collect();
    let folder: String = format!("{}-sweep-{plain}", scs[0].meta.name)
        .chars()
        .take(MAX_NAME)
        .collect();
    let dir = open_dir(c, ui, &folder, &Manifest::new(&refs, &info))?;
    if !c.quiet {
        let total = values.len() as u64 * st.runs;
        let eta = pipeline::estimate_seconds(&models[0], st.seed, total, st.threads)
            .map(|s| format!("; {} before writing", pipeline::human_duration(s)))
            .unwrap_or_default();
        ui.note(&format!(
            "sweeping {} over {} values x {} runs = {total} model runs x {} months on common random numbers, seed {}, {} thread(s){eta}",
            o.param,
            values.len(),
            st.runs,
            st.months,
            st.seed,
            st.threads
        ));
    }
    let started = Instant::now();
    let res = run_group(&refs, &st, Monthly::None, c, ui, cancel).map_err(|e| {
        // The failing value's run is reproduced with that value set.
        let mut at = c.clone();
        if let crate::engine::EngineError::Run(r) = &e
            && let Some(v) = values.get(r.scenario)
        {
            at.sets.push(format!("{}={v}", o.param));
        }
        engine_failed(e, st.seed, &o.scenario, &at)
    })?;
    info.wall_seconds = started.elapsed().as_secs_f64();
    write_files(
        &dir,
        &[(
            "sweep.csv",
            crate::analysis::sweep::sweep_csv(&o.param, &values, &refs, &res, o.tie),
        )],
        &c.out,
    )?;
    if !o.no_charts {
        let charts = crate::charts::sweep::charts(
            &o.param,
            &values,
            &refs,
            &res,
            st.seed,
            &c.sets,
            c.chart_size,
        )
        .map_err(|e| CommandError::Failed(e.to_string()))?;
        write_chart_files(&dir, &charts)?;
    }
    if !c.quiet {
        for line in crate::analysis::sweep::table(&o.param, &values, &refs, &res) {
            ui.print(&line);
        }
    }
    commit(dir, Manifest::new(&refs, &info), c, ui, started, cancel)
}
