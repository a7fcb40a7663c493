//! `sweep`: one scenario per value of one parameter, on common random
//! numbers, with outcome-versus-value tables and charts, or one shard of
//! the runs (every value on the same block of run indices).

use super::pipeline::{
    self, CommandError, Common, Settings, Ui, absolute, check_memory, commit, engine_failed,
    open_dir, run_group, shard_note, write_chart_files, write_files,
};
use crate::engine::shard::{self, Shard};
use crate::engine::{Monthly, SetResult};
use crate::model::Model;
use crate::output::folder::{MAX_NAME, OutputDir, shorten};
use crate::output::manifest::{Manifest, RunInfo, ShardCommand};
use crate::scenario::{LoadOptions, Scenario};
use std::path::{Path, PathBuf};
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
    /// Run only this shard of the runs (every value on the same block).
    pub shard: Option<Shard>,
}

/// Run the sweep (or one shard of its runs) and write its folder.
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
    let scs = load_values(&o.scenario, &c.sets, &o.param, &values)?;
    let st = Settings::resolve(c, &scs[0])?;
    let models: Vec<Model> = scs.iter().map(|s| Model::new(s, st.months)).collect();
    let refs: Vec<&Model> = models.iter().collect();
    check_memory(c, ui, &refs, st.threads, Monthly::None, false)?;
    let mut info = RunInfo {
        // No monthly series.
        detail: Monthly::None,
        ..st.info(c)
    };
    info.result_key = st.shard_key(
        "sweep",
        &refs,
        c,
        key_words(&o.param, &values, o.tie),
        o.shard,
    );
    let runs = o.shard.map_or(0..st.runs, |s| shard::range(st.runs, s));
    info.shard = o.shard.map(|s| (s.index, s.count));
    info.shard_command = o.shard.map(|_| ShardCommand {
        command: "sweep".into(),
        scenario_paths: vec![absolute(&o.scenario)],
        tie: Some(o.tie),
        param: Some(o.param.clone()),
        values: values.clone(),
        ..Default::default()
    });
    let folder = folder_name(&scs[0].meta.name, &o.param);
    let folder = o
        .shard
        .map_or_else(|| folder.clone(), |s| shard::folder(&folder, s));
    let dir = open_dir(c, ui, &folder, &Manifest::new(&refs, &info))?;
    if !c.quiet {
        let total = values.len() as u64 * (runs.end - runs.start);
        let eta = pipeline::estimate_seconds(&models[0], st.seed, total, st.threads)
            .map(|s| format!("; {} before writing", pipeline::human_duration(s)))
            .unwrap_or_default();
        ui.note(&format!(
            "sweeping {} over {} values x {} runs{} = {total} model runs x {} months on common random numbers, seed {}, {} thread(s){eta}",
            o.param,
            values.len(),
            st.runs,
            shard_note(o.shard, "runs", &runs),
            st.months,
            st.seed,
            st.threads
        ));
    }
    let started = Instant::now();
    let res = run_group(&refs, &st, runs, Monthly::None, c, ui, cancel).map_err(|e| {
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
    if o.shard.is_some() {
        // A shard writes mergeable partial aggregates; `merge` writes the results.
        write_files(&dir, &[("aggregate.bin", res.encode())], &c.out)?;
    } else {
        let sweep = Sweep {
            param: &o.param,
            values: &values,
            tie: o.tie,
        };
        write_outputs(&sweep, &refs, &res, st.seed, o.no_charts, &dir, c, ui)?;
    }
    commit(dir, Manifest::new(&refs, &info), c, ui, started, cancel)
}

/// The scenario once per value, with `param=value` set after `sets`.
///
/// # Errors
/// `Input` naming the value that makes the scenario invalid.
pub(crate) fn load_values(
    scenario: &Path,
    sets: &[String],
    param: &str,
    values: &[String],
) -> Result<Vec<Scenario>, CommandError> {
    let mut scs = Vec::new();
    for v in values {
        let mut sets = sets.to_vec();
        sets.push(format!("{param}={v}"));
        match pipeline::load(scenario, &sets) {
            Ok(s) => scs.push(s),
            Err(CommandError::Input(text)) => {
                return Err(CommandError::Input(format!(
                    "{text}  (while setting {param}={v})\n"
                )));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(scs)
}

/// The sweep's own words in its result key: the key, the values, the tie share.
pub(crate) fn key_words(param: &str, values: &[String], tie: f64) -> Vec<String> {
    std::iter::once(param.to_string())
        .chain(values.iter().cloned())
        .chain([format!("tie={tie}")])
        .collect()
}

/// `<scenario>-sweep-<key>`, with the key's characters kept plain (keys may
/// be quoted TOML keys with any characters).
pub(crate) fn folder_name(scenario: &str, param: &str) -> String {
    let plain: String = param
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() || ch == '_' {
                ch
            } else {
                '-'
            }
        })
        .collect();
    format!("{scenario}-sweep-{plain}")
        .chars()
        .take(MAX_NAME)
        .collect()
}

/// What is swept: the key, its values and the tie share.
pub(crate) struct Sweep<'a> {
    pub param: &'a str,
    pub values: &'a [String],
    pub tie: f64,
}

/// The files of a completed sweep (also of a merge of its shards):
/// sweep.csv and charts, and the printed table. The manifest is written at
/// commit.
///
/// # Errors
/// `Failed` for a write or drawing failure.
#[allow(clippy::too_many_arguments)]
pub(crate) fn write_outputs(
    sw: &Sweep<'_>,
    refs: &[&Model],
    res: &SetResult,
    seed: u64,
    no_charts: bool,
    dir: &OutputDir,
    c: &Common,
    ui: &dyn Ui,
) -> Result<(), CommandError> {
    write_files(
        dir,
        &[(
            "sweep.csv",
            crate::analysis::sweep::sweep_csv(sw.param, sw.values, refs, res, sw.tie),
        )],
        &c.out,
    )?;
    if !no_charts {
        let charts = crate::charts::sweep::charts(
            sw.param,
            sw.values,
            refs,
            res,
            seed,
            &c.sets,
            c.chart_size,
        )
        .map_err(|e| CommandError::Failed(e.to_string()))?;
        write_chart_files(dir, &charts)?;
    }
    if !c.quiet {
        for line in crate::analysis::sweep::table(sw.param, sw.values, refs, res) {
            ui.print(&line);
        }
    }
    Ok(())
}
