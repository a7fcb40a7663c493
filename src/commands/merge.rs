//! `merge`: combine the shard folders of `run`, `compare`, `sweep` or
//! `sensitivity` with `--shard I/N` into exactly the files the unsharded
//! command writes. Every shard file is checked against the SHA-256 its
//! manifest records before anything is merged; the merged manifest is the
//! unsharded command's, with `merged_shards` and the reference scenario's
//! path added and the merge's command line.

use super::pipeline::{self, CommandError, Common, Settings, Ui, commit, open_dir, write_files};
use super::run::{result_key, split_record, split_rule, write_results};
use crate::engine::shard::{self, Shard, ShardInfo};
use crate::engine::{self, Aggregator, SetResult};
use crate::model::Model;
use crate::output::manifest::{Manifest, RunInfo, ShardCommand};
use crate::scenario::{MAX_MONTHS, Scenario};
use crate::sensitivity::sobol;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

/// What `merge` is asked to do (`common.out`, `quiet`, `name`, `replace`,
/// `chart_size` and `command_line` are used).
#[derive(Debug, Clone, Default)]
pub struct MergeOptions {
    /// Shard folders (all N of them).
    pub shards: Vec<PathBuf>,
    /// The scenario files, if not at the paths the shards recorded (one,
    /// or for a comparison one per scenario, in order).
    pub scenario: Vec<PathBuf>,
    pub common: Common,
    pub no_charts: bool,
}

/// Merge the shards and write the result folder.
///
/// # Errors
/// See [`CommandError`]; problems with the shards are `Usage`.
pub fn merge(o: &MergeOptions, ui: &dyn Ui, cancel: &AtomicBool) -> Result<PathBuf, CommandError> {
    let started = Instant::now();
    let mut shards = o
        .shards
        .iter()
        .map(|d| shard::read_manifest(d))
        .collect::<Result<Vec<ShardInfo>, _>>()
        .map_err(|e| CommandError::Usage(e.to_string()))?;
    shard::check_complete(&shards)
        .map_err(|msg| CommandError::Usage(format!("cannot merge: {msg}")))?;
    for s in &shards {
        shard::verify_files(s)
            .map_err(|msg| CommandError::Usage(format!("cannot merge: {msg}")))?;
    }
    shards.sort_by_key(|s| s.index);
    let first = &shards[0];
    let months = first.manifest.months;
    if !(1..=MAX_MONTHS).contains(&months) {
        return Err(CommandError::Usage(format!(
            "{}: implausible months in manifest.json",
            first.dir.display()
        )));
    }
    match (first.manifest.command_kind(), &first.manifest.shard_command) {
        ("run", _) => merge_run(o, &shards, ui, cancel, started),
        ("compare", Some(cmd)) => merge_compare(o, &shards, cmd, ui, cancel, started),
        ("sweep", Some(cmd)) => merge_sweep(o, &shards, cmd, ui, cancel, started),
        ("sensitivity", Some(cmd)) => merge_sensitivity(o, &shards, cmd, ui, cancel, started),
        (other, _) => Err(CommandError::Usage(format!(
            "{}: the shards are of `{}`, which this version of tariffsim cannot merge; merge them with the version that wrote them ({})",
            first.dir.display(),
            crate::diag::clip(other, 40),
            first.manifest.tool_version
        ))),
    }
}

/// The scenario files to load: `--scenario` (as many as the shards ran) or
/// the paths the shards recorded.
fn scenario_paths(o: &MergeOptions, recorded: &[String]) -> Result<Vec<PathBuf>, CommandError> {
    if o.scenario.is_empty() {
        return Ok(recorded.iter().map(PathBuf::from).collect());
    }
    if o.scenario.len() != recorded.len() {
        return Err(CommandError::Usage(format!(
            "cannot merge: {} --scenario file(s) given, but the shards ran {} scenario(s) ({}); give one --scenario per scenario, in the order of the command, or none",
            o.scenario.len(),
            recorded.len(),
            recorded.join(", ")
        )));
    }
    Ok(o.scenario.clone())
}

/// Load a scenario the shards ran, with their overrides, and check that its
/// input files are those the shards read (`want`: their SHA-256, in order).
fn load_checked(
    path: &std::path::Path,
    recorded: &str,
    sets: &[String],
    want: &[String],
) -> Result<Scenario, CommandError> {
    let sc = pipeline::load(path, sets).map_err(|e| match e {
        CommandError::Input(text) => CommandError::Input(format!(
            "{text}  (loading the scenario the shards ran: {recorded})\n"
        )),
        other => other,
    })?;
    check_inputs(&sc, recorded, want)?;
    Ok(sc)
}

/// Check that a loaded scenario's input files are those the shards read.
fn check_inputs(sc: &Scenario, recorded: &str, want: &[String]) -> Result<(), CommandError> {
    let hashes: Vec<&str> = sc.inputs.iter().map(|f| f.sha256.as_str()).collect();
    if hashes != want.iter().map(String::as_str).collect::<Vec<_>>() {
        return Err(CommandError::Usage(format!(
            "cannot merge: the input files of {recorded} changed since the shards ran (their sha256 differ from the shard manifests); rerun the shards"
        )));
    }
    Ok(())
}

/// The input hashes of the manifest's scenario `k`.
fn recorded_hashes(m: &Manifest, k: usize) -> Vec<String> {
    m.scenarios
        .get(k)
        .map(|s| s.inputs.iter().map(|f| f.sha256.clone()).collect())
        .unwrap_or_default()
}

/// The options the writing step of the merged command sees: the merge's
/// own (folder, charts, quiet) with the shards' overrides.
fn writing_options(o: &MergeOptions, m: &Manifest) -> Common {
    Common {
        sets: m.overrides.clone(),
        // The monthly series the shards aggregated (none for a sweep or a
        // sensitivity analysis, whose manifests record no `detail`).
        detail: m
            .detail
            .as_deref()
            .and_then(crate::engine::Monthly::from_name)
            .unwrap_or(crate::engine::Monthly::None),
        ..o.common.clone()
    }
}

/// The settings the shards ran with (threads are not recorded: a merge
/// runs nothing, and a merged manifest says 0 as for `run`).
fn settings(m: &Manifest) -> Settings {
    Settings {
        runs: m.runs,
        months: m.months,
        threads: 0,
        seed: m.seed,
    }
}

/// A shard file's bytes.
fn read_shard_file(s: &ShardInfo, name: &str) -> Result<Vec<u8>, CommandError> {
    std::fs::read(s.dir.join(name)).map_err(|e| {
        CommandError::Usage(format!(
            "{}: cannot read {name} ({e}); the shard did not complete, rerun shard {} of {}",
            s.dir.display(),
            s.index,
            s.count
        ))
    })
}

/// The merged aggregates of compare or sweep shards of `refs`.
fn merged_set(
    shards: &[ShardInfo],
    refs: &[&Model],
    monthly: crate::engine::Monthly,
) -> Result<SetResult, CommandError> {
    let mut total: Option<SetResult> = None;
    for s in shards {
        let bytes = read_shard_file(s, "aggregate.bin")?;
        let part = SetResult::decode(&bytes, refs, monthly).map_err(|msg| {
            CommandError::Usage(format!(
                "{}: aggregate.bin is not usable: {msg}; rerun shard {} of {}",
                s.dir.display(),
                s.index,
                s.count
            ))
        })?;
        match &mut total {
            None => total = Some(part),
            Some(t) => t.merge(part),
        }
    }
    let mut set = total.ok_or_else(|| CommandError::Usage("no shard folders given".into()))?;
    set.sort_samples();
    let runs = shards[0].manifest.runs;
    if let Some(a) = set
        .scenarios
        .iter()
        .chain(&set.diffs)
        .find(|a| a.runs != runs)
    {
        return Err(CommandError::Usage(format!(
            "the shards hold {} runs, but their manifests say {runs}",
            a.runs
        )));
    }
    Ok(set)
}

/// A note that the shards were merged.
fn merged_note(ui: &dyn Ui, c: &Common, shards: &[ShardInfo], what: &str) {
    if !c.quiet {
        let m = &shards[0].manifest;
        ui.note(&format!(
            "merged {} shards of {what} ({} runs, seed {})",
            shards[0].count, m.runs, m.seed
        ));
    }
}

/// Merge the shards of `compare`.
fn merge_compare(
    o: &MergeOptions,
    shards: &[ShardInfo],
    cmd: &ShardCommand,
    ui: &dyn Ui,
    cancel: &AtomicBool,
    started: Instant,
) -> Result<PathBuf, CommandError> {
    let m = &shards[0].manifest;
    let paths = scenario_paths(o, &cmd.scenario_paths)?;
    if m.scenarios.len() != paths.len() || paths.len() < 2 {
        return Err(CommandError::Usage(format!(
            "{}: the manifest lists {} scenarios and {} scenario files; rerun the shards",
            shards[0].dir.display(),
            m.scenarios.len(),
            paths.len()
        )));
    }
    let mut scs = Vec::new();
    for (k, p) in paths.iter().enumerate() {
        let mut sc = load_checked(
            p,
            &cmd.scenario_paths[k],
            &m.overrides,
            &recorded_hashes(m, k),
        )?;
        // The labels the comparison gave its scenarios (names, or file stems
        // where names repeat), as recorded.
        sc.meta.name = m.scenarios[k].name.clone();
        scs.push(sc);
    }
    let models: Vec<Model> = scs.iter().map(|s| Model::new(s, m.months)).collect();
    let refs: Vec<&Model> = models.iter().collect();
    crate::analysis::compare::check_same_world(&refs)
        .map_err(|e| CommandError::Usage(format!("cannot merge: {e}")))?;
    let c = writing_options(o, m);
    let res = merged_set(shards, &refs, c.detail)?;
    let tie = cmd.tie.unwrap_or(crate::analysis::compare::TIE_REL);
    let st = settings(m);
    let names: Vec<&str> = refs.iter().map(|m| m.sc.meta.name.as_str()).collect();
    let mut info = RunInfo {
        merged_shards: Some(shards[0].count),
        scenario_path: cmd.scenario_paths.first().cloned(),
        ..st.info(&c)
    };
    // The same key as the unsharded comparison: the merged files are the same.
    info.result_key = st.result_key("compare", &refs, &c, super::compare::key_words(&names, tie));
    let dir = open_dir(
        &c,
        ui,
        &super::compare::folder_name(&names),
        &Manifest::new(&refs, &info),
    )?;
    merged_note(ui, &c, shards, &names.join(" vs "));
    super::compare::write_outputs(&refs, &res, st.seed, tie, o.no_charts, &dir, &c, ui)?;
    info.wall_seconds = started.elapsed().as_secs_f64();
    commit(dir, Manifest::new(&refs, &info), &c, ui, started, cancel)
}

/// Merge the shards of `sweep`.
fn merge_sweep(
    o: &MergeOptions,
    shards: &[ShardInfo],
    cmd: &ShardCommand,
    ui: &dyn Ui,
    cancel: &AtomicBool,
    started: Instant,
) -> Result<PathBuf, CommandError> {
    let m = &shards[0].manifest;
    let paths = scenario_paths(o, &cmd.scenario_paths)?;
    let (Some(param), [path], [recorded]) = (&cmd.param, &paths[..], &cmd.scenario_paths[..])
    else {
        return Err(CommandError::Usage(format!(
            "{}: the manifest of a sweep shard must name one scenario file and the swept key; rerun the shards",
            shards[0].dir.display()
        )));
    };
    if cmd.values.len() < 2 || cmd.values.len() != m.scenarios.len() {
        return Err(CommandError::Usage(format!(
            "{}: the manifest lists {} values for {} scenarios; rerun the shards",
            shards[0].dir.display(),
            cmd.values.len(),
            m.scenarios.len()
        )));
    }
    // The scenario file is read once per value (as the sweep did: it may be
    // valid only with the value set); its inputs must be unchanged.
    let scs = super::sweep::load_values(path, &m.overrides, param, &cmd.values)?;
    check_inputs(&scs[0], recorded, &recorded_hashes(m, 0))?;
    let models: Vec<Model> = scs.iter().map(|s| Model::new(s, m.months)).collect();
    let refs: Vec<&Model> = models.iter().collect();
    let c = writing_options(o, m);
    let res = merged_set(shards, &refs, c.detail)?;
    let tie = cmd.tie.unwrap_or(crate::analysis::compare::TIE_REL);
    let st = settings(m);
    let mut info = RunInfo {
        merged_shards: Some(shards[0].count),
        scenario_path: Some(recorded.clone()),
        ..st.info(&c)
    };
    info.result_key = st.result_key(
        "sweep",
        &refs,
        &c,
        super::sweep::key_words(param, &cmd.values, tie),
    );
    let dir = open_dir(
        &c,
        ui,
        &super::sweep::folder_name(&scs[0].meta.name, param),
        &Manifest::new(&refs, &info),
    )?;
    merged_note(ui, &c, shards, &format!("the sweep of {param}"));
    let sw = super::sweep::Sweep {
        param,
        values: &cmd.values,
        tie,
    };
    super::sweep::write_outputs(&sw, &refs, &res, st.seed, o.no_charts, &dir, &c, ui)?;
    info.wall_seconds = started.elapsed().as_secs_f64();
    commit(dir, Manifest::new(&refs, &info), &c, ui, started, cancel)
}

/// Merge the shards of `sensitivity`: their design rows, in order, are the
/// whole design; the indices and bootstrap intervals are computed here.
fn merge_sensitivity(
    o: &MergeOptions,
    shards: &[ShardInfo],
    cmd: &ShardCommand,
    ui: &dyn Ui,
    cancel: &AtomicBool,
    started: Instant,
) -> Result<PathBuf, CommandError> {
    let m = &shards[0].manifest;
    let paths = scenario_paths(o, &cmd.scenario_paths)?;
    let (Some(samples), Some(bootstrap), [path], [recorded]) = (
        cmd.samples,
        cmd.bootstrap,
        &paths[..],
        &cmd.scenario_paths[..],
    ) else {
        return Err(CommandError::Usage(format!(
            "{}: the manifest of a sensitivity shard must give samples, bootstrap and one scenario file; rerun the shards",
            shards[0].dir.display()
        )));
    };
    // Shards of earlier versions recorded no design: theirs was `random`.
    let design = match cmd.design.as_deref() {
        None => sobol::Design::Random,
        Some(w) => sobol::Design::parse(w).ok_or_else(|| {
            CommandError::Usage(format!(
                "{}: unknown Sobol design `{w}`; rerun the shards",
                shards[0].dir.display()
            ))
        })?,
    };
    let sc = load_checked(path, recorded, &m.overrides, &recorded_hashes(m, 0))?;
    let model = Model::new(&sc, m.months);
    let k = sobol::selected_params(&model, &cmd.params).len();
    let n_out = engine::key_outcomes(&model).len();
    let mut evals: Option<sobol::Evals> = None;
    for s in shards {
        let rows = shard::range(
            samples as u64,
            Shard {
                index: s.index,
                count: s.count,
            },
        );
        let rows = rows.start as usize..rows.end as usize;
        let bytes = read_shard_file(s, "design.bin")?;
        let block = sobol::Evals::decode(&bytes, k, n_out, rows).map_err(|msg| {
            CommandError::Usage(format!(
                "{}: design.bin is not usable: {msg}; rerun shard {} of {}",
                s.dir.display(),
                s.index,
                s.count
            ))
        })?;
        match &mut evals {
            None => evals = Some(block),
            Some(d) => d
                .append(block)
                .map_err(|msg| CommandError::Usage(format!("{}: {msg}", s.dir.display())))?,
        }
    }
    let evals = evals.ok_or_else(|| CommandError::Usage("no shard folders given".into()))?;
    if evals.rows != (0..samples) {
        return Err(CommandError::Usage(format!(
            "the shards hold design rows {}..{}, not 0..{samples}",
            evals.rows.start, evals.rows.end
        )));
    }
    let report = sobol::report(&model, design, &cmd.params, &evals, m.seed, bootstrap);
    let c = writing_options(o, m);
    // A shard's manifest keeps the --runs setting (part of the key); the
    // merged one counts the model evaluations, as an unsharded analysis.
    let st = settings(m);
    let mut info = RunInfo {
        merged_shards: Some(shards[0].count),
        scenario_path: Some(recorded.clone()),
        ..st.info(&c)
    };
    info.result_key = st.result_key(
        "sobol",
        &[&model],
        &c,
        super::sensitivity::key_words(samples, bootstrap, design, &cmd.params),
    );
    info.runs = report.evaluations as u64;
    let dir = open_dir(
        &c,
        ui,
        &format!("{}-sobol", sc.meta.name),
        &Manifest::new(&[&model], &info),
    )?;
    merged_note(
        ui,
        &c,
        shards,
        &format!("the Sobol design of {}", sc.meta.name),
    );
    info.sobol = Some(super::sensitivity::write_outputs(
        &model,
        &report,
        st.seed,
        bootstrap,
        o.no_charts,
        &dir,
        &c,
        ui,
    )?);
    info.wall_seconds = started.elapsed().as_secs_f64();
    commit(
        dir,
        Manifest::new(&[&model], &info),
        &c,
        ui,
        started,
        cancel,
    )
}

/// Merge the shards of `run`.
fn merge_run(
    o: &MergeOptions,
    shards: &[ShardInfo],
    ui: &dyn Ui,
    cancel: &AtomicBool,
    started: Instant,
) -> Result<PathBuf, CommandError> {
    let c = &o.common;
    let first = &shards[0].manifest;
    let recorded_path = first.scenario_path.clone().unwrap_or_default();
    let paths = scenario_paths(o, std::slice::from_ref(&recorded_path))?;
    let want: Vec<String> = first.inputs.iter().map(|f| f.sha256.clone()).collect();
    let sc = load_checked(&paths[0], &recorded_path, &first.overrides, &want)?;
    let (seed, runs, months) = (first.seed, first.runs, first.months);
    let model = Model::new(&sc, months);
    let split_by = first.split.as_ref().map(|s| s.split_by.clone());
    let split = split_rule(&sc, split_by.as_deref()).map_err(|e| match e {
        CommandError::Usage(m) => CommandError::Usage(format!("cannot merge: {m}")),
        other => other,
    })?;
    let mut total: Option<Aggregator> = None;
    for s in shards {
        let bytes = std::fs::read(s.dir.join("aggregate.bin")).map_err(|e| {
            CommandError::Usage(format!(
                "{}: cannot read aggregate.bin ({e}); the shard did not complete",
                s.dir.display()
            ))
        })?;
        let agg = Aggregator::decode(&bytes, &model).map_err(|msg| {
            CommandError::Usage(format!(
                "{}: aggregate.bin is not usable: {msg}",
                s.dir.display()
            ))
        })?;
        if agg.split.as_ref().map(|sp| sp.rule) != split {
            return Err(CommandError::Usage(format!(
                "{}: aggregate.bin and manifest.json disagree about --split-by; rerun shard {} of {}",
                s.dir.display(),
                s.index,
                s.count
            )));
        }
        match &mut total {
            None => total = Some(agg),
            Some(t) => t.merge(agg),
        }
    }
    let mut agg = total.ok_or_else(|| CommandError::Usage("no shard folders given".into()))?;
    agg.sample.sort_by_key(|r| r.0);
    if agg.runs != runs {
        return Err(CommandError::Usage(format!(
            "the shards hold {} runs, but their manifests say {runs}",
            agg.runs
        )));
    }
    let mut info = RunInfo {
        seed,
        runs,
        months,
        sets: first.overrides.clone(),
        command: c.command_line.clone(),
        scenario_path: first.scenario_path.clone(),
        per_run: first.per_run,
        merged_shards: Some(shards[0].count),
        split: split_record(&model, &agg),
        chart_size: c.chart_size,
        detail: agg.detail,
        ..Default::default()
    };
    // The same key as the unsharded run: the merged files are the same.
    info.result_key = result_key(&model, &info, None, None);
    let dir = open_dir(c, ui, &sc.meta.name, &Manifest::new(&[&model], &info))?;
    if first.per_run {
        // Shards hold contiguous run blocks: concatenating in shard order gives
        // the unsharded file.
        let mut bytes = engine::per_run_header(&model).into_bytes();
        for s in shards {
            let t = std::fs::read_to_string(s.dir.join("runs.csv")).map_err(|e| {
                CommandError::Usage(format!("{}: cannot read runs.csv ({e})", s.dir.display()))
            })?;
            for l in t.lines().skip(1) {
                bytes.extend_from_slice(l.as_bytes());
                bytes.push(b'\n');
            }
        }
        write_files(&dir, &[("runs.csv", bytes)], &c.out)?;
    }
    info.wall_seconds = started.elapsed().as_secs_f64();
    if !c.quiet {
        ui.note(&format!(
            "merged {} shards of {} ({} runs, seed {})",
            shards[0].count, sc.meta.name, runs, seed
        ));
    }
    write_results(&model, &agg, &info, &dir, c, o.no_charts, ui)?;
    commit(dir, Manifest::new(&[&model], &info), c, ui, started, cancel)
}
