//! `merge`: combine the shard folders of `run --shard I/N` into exactly the
//! files one unsharded run writes. Every shard file is checked against the
//! SHA-256 its manifest records before anything is merged.

use super::pipeline::{self, CommandError, Common, Ui, commit, open_dir, write_files};
use super::run::{result_key, split_record, split_rule, write_results};
use crate::engine::shard::{self, ShardInfo};
use crate::engine::{self, Aggregator};
use crate::model::Model;
use crate::output::manifest::{Manifest, RunInfo};
use crate::scenario::MAX_MONTHS;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

/// What `merge` is asked to do (`common.out`, `quiet`, `name`, `replace`
/// and `command_line` are used).
#[derive(Debug, Clone, Default)]
pub struct MergeOptions {
    /// Shard folders (all N of them).
    pub shards: Vec<PathBuf>,
    /// The scenario file, if not at the path the shards recorded.
    pub scenario: Option<PathBuf>,
    pub common: Common,
    pub no_charts: bool,
}

/// Merge the shards and write the result folder.
///
/// # Errors
/// See [`CommandError`]; problems with the shards are `Usage`.
pub fn merge(o: &MergeOptions, ui: &dyn Ui, cancel: &AtomicBool) -> Result<PathBuf, CommandError> {
    let c = &o.common;
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
    let first = &shards[0].manifest;
    let recorded_path = first.scenario_path.clone().unwrap_or_default();
    let scenario_path = o
        .scenario
        .clone()
        .unwrap_or_else(|| PathBuf::from(&recorded_path));
    let sc = pipeline::load(&scenario_path, &first.overrides).map_err(|e| match e {
        CommandError::Input(text) => CommandError::Input(format!(
            "{text}  (loading the scenario the shards ran: {recorded_path})\n"
        )),
        other => other,
    })?;
    let hashes: Vec<&str> = sc.inputs.iter().map(|f| f.sha256.as_str()).collect();
    if hashes.join(",") != first.input_hashes() {
        return Err(CommandError::Usage(format!(
            "cannot merge: the input files of {recorded_path} changed since the shards ran (their sha256 differ from the shard manifests); rerun the shards"
        )));
    }
    let (seed, runs, months) = (first.seed, first.runs, first.months);
    if !(1..=MAX_MONTHS).contains(&months) {
        return Err(CommandError::Usage(format!(
            "{}: implausible months in manifest.json",
            shards[0].dir.display()
        )));
    }
    let model = Model::new(&sc, months);
    let split_by = first.split.as_ref().map(|s| s.split_by.clone());
    let split = split_rule(&sc, split_by.as_deref()).map_err(|e| match e {
        CommandError::Usage(m) => CommandError::Usage(format!("cannot merge: {m}")),
        other => other,
    })?;
    let mut total: Option<Aggregator> = None;
    for s in &shards {
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
        for s in &shards {
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
