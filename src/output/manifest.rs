//! `manifest.json`: what produced a result folder, typed. Runs, shards,
//! merges, comparisons, sweeps and Sobol analyses write it; `merge` reads the
//! shards' manifests, and the output-folder policy reads an existing folder's
//! manifest to decide whether the folder is tariffsim's own and whether it
//! holds a result of the same inputs (see `folder.rs`).
//!
//! Two fields carry the guarantees: `result_key` (a hash of every input that
//! determines the results) and `files` (the SHA-256 of every file the folder
//! holds besides the manifest), which lets `merge` detect a corrupted shard
//! and lets a later run tell tariffsim's files from a user's.

use crate::model::Model;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

crate::message_error!(
    /// Why a `manifest.json` is not a tariffsim manifest.
    ManifestError
);

/// Version of this file's layout (2: typed, with `result_key`, `files` and
/// `only_run`).
pub const MANIFEST_VERSION: u32 = 2;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputRecord {
    pub path: String,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioRecord {
    pub name: String,
    pub inputs: Vec<InputRecord>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardRecord {
    pub index: u64,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuantileRecord {
    pub method: String,
    pub relative_accuracy: f64,
    pub zero_threshold: f64,
}

/// `run --split-by RULE`: the rule the runs were split by and how often it
/// fired (in a shard, in the shard's runs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SplitRecord {
    /// The rule's id.
    pub split_by: String,
    pub runs_fired: u64,
    pub runs_not_fired: u64,
    /// Share of the runs in which the rule fired at some month of the horizon.
    pub p_fired: f64,
}

/// What a shard of `compare`, `sweep` or `sensitivity` records so that
/// `merge` can finish the command: which command, its scenario files and
/// its own settings. Absent for `run` and its shards (the manifest's other
/// fields say everything), and in unsharded and merged results.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ShardCommand {
    /// `compare`, `sweep` or `sensitivity`.
    pub command: String,
    /// Absolute paths of the scenario files, in order (the reference first).
    pub scenario_paths: Vec<String>,
    /// `--tie` of compare and sweep.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tie: Option<f64>,
    /// `sweep --param`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
    /// The sweep's values, as parsed from `--values`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// `sensitivity --samples` (the base sample size N).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub samples: Option<usize>,
    /// `sensitivity --bootstrap`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bootstrap: Option<usize>,
    /// `sensitivity --param` filters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<String>,
    /// `sensitivity --design` (`qmc` or `random`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub design: Option<String>,
}

/// `sensitivity --method sobol`: the design and its convergence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SobolRecord {
    /// `qmc` (scrambled Sobol' points) or `random` (pseudo-random uniforms).
    pub design: String,
    /// Base rows N of the Saltelli design.
    pub samples: u64,
    pub bootstrap: u64,
    /// How the 95 % intervals were made: `blocks` (Student t over the
    /// estimates of 8 blocks of rows, the qmc design) or `bootstrap`
    /// (percentile bootstrap over rows; absent before issue 16's blocks).
    #[serde(default)]
    pub intervals: String,
    /// Sampled parameters k (N (k + 2) model runs).
    pub parameters: u64,
    /// Widest 95 % interval of a total and of a first-order index, over all
    /// parameters and outcomes.
    pub total_width_max: f64,
    pub first_order_width_max: f64,
    /// The widest total interval that counts as converged.
    pub total_width_target: f64,
    pub converged: bool,
    /// `--samples` to try next, when not converged.
    pub suggested_samples: Option<u64>,
}

impl SobolRecord {
    pub fn new(
        r: &crate::sensitivity::sobol::SobolReport,
        bootstrap: usize,
        c: &crate::sensitivity::sobol::Convergence,
    ) -> SobolRecord {
        // Rounded like the wall time: the widths are for reading.
        let r6 = |x: f64| (x * 1e6).round() / 1e6;
        SobolRecord {
            design: r.design.name().into(),
            samples: r.samples as u64,
            bootstrap: bootstrap as u64,
            intervals: r.intervals().into(),
            parameters: r.params.len() as u64,
            total_width_max: r6(c.total_width),
            first_order_width_max: r6(c.first_width),
            total_width_target: crate::sensitivity::sobol::TOTAL_WIDTH_TARGET,
            converged: c.converged(),
            suggested_samples: c.suggested.map(|n| n as u64),
        }
    }
}

/// The manifest of a result folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub tool: String,
    pub tool_version: String,
    pub manifest_version: u32,
    /// The model's version (docs/model.md): results may change only with it.
    #[serde(default)]
    pub model_version: String,
    /// The engine's numerical version (`engine::ENGINE_VERSION`): how the
    /// model's equations are evaluated (elementary functions, solver
    /// tolerances); absent in manifests before version 2.
    #[serde(default)]
    pub engine_version: String,
    /// The command line as typed.
    pub command: String,
    /// The scenario (the reference of a comparison).
    pub scenario: String,
    #[serde(default)]
    pub description: String,
    /// Files read to build the scenario, with their SHA-256.
    pub inputs: Vec<InputRecord>,
    /// Every scenario of a multi-scenario command (one for a run).
    #[serde(default)]
    pub scenarios: Vec<ScenarioRecord>,
    /// `--set` overrides, in the order given.
    #[serde(default)]
    pub overrides: Vec<String>,
    pub seed: u64,
    pub runs: u64,
    pub months: usize,
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub threads: usize,
    #[serde(default)]
    pub shard: Option<ShardRecord>,
    /// `run --only-run N`: the results are those of run N alone.
    #[serde(default)]
    pub only_run: Option<u64>,
    #[serde(default)]
    pub wall_seconds: f64,
    /// Number of monthly series.
    #[serde(default)]
    pub series: usize,
    pub quantiles: QuantileRecord,
    #[serde(default)]
    pub sensitivity_sample_runs: u64,
    /// Absolute path of the scenario file (shards record it for `merge`).
    #[serde(default)]
    pub scenario_path: Option<String>,
    #[serde(default)]
    pub per_run: bool,
    /// Number of shards merged into these results, if any.
    #[serde(default)]
    pub merged_shards: Option<u64>,
    /// Hash of everything that determines the results (see [`ResultKey`]).
    #[serde(default)]
    pub result_key: String,
    /// SHA-256 of every other file in the folder, by path relative to it.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
    /// `run --split-by`; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split: Option<SplitRecord>,
    /// Which monthly series `summary.csv` holds: `aggregates` (all but the
    /// per-flow detail) or `flows` (`--detail flows`); absent for commands
    /// without monthly series and in manifests of earlier versions (which
    /// wrote every series).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// A shard of compare, sweep or sensitivity: what `merge` needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard_command: Option<ShardCommand>,
    /// `sensitivity --method sobol`; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sobol: Option<SobolRecord>,
}

/// What a command's manifest records about its execution.
#[derive(Debug, Clone, Default)]
pub struct RunInfo {
    pub seed: u64,
    pub runs: u64,
    pub threads: usize,
    pub months: usize,
    pub shard: Option<(u64, u64)>,
    pub only_run: Option<u64>,
    pub wall_seconds: f64,
    pub sets: Vec<String>,
    pub command: String,
    /// Absolute path of the scenario file (shards record it for `merge`).
    pub scenario_path: Option<String>,
    pub per_run: bool,
    /// Number of shards merged into these results, if any.
    pub merged_shards: Option<u64>,
    pub result_key: String,
    /// `run --split-by`.
    pub split: Option<SplitRecord>,
    /// `sensitivity --method sobol`.
    pub sobol: Option<SobolRecord>,
    /// `--chart-size` (charts only; part of the result key when not the default).
    pub chart_size: crate::charts::ChartSize,
    /// `--detail`: which monthly series are written.
    pub detail: crate::engine::Monthly,
    /// A shard of compare, sweep or sensitivity: what `merge` needs.
    pub shard_command: Option<ShardCommand>,
}

/// Everything that determines a command's results: two executions with the
/// same key produce the same result files, so a later one may replace an
/// earlier one's folder. Paths, thread counts and wall times are not part of
/// it; input file contents are.
#[derive(Debug, Clone, Serialize)]
pub struct ResultKey<'a> {
    /// `run` (also a merge of shards), `shard`, `compare`, `sweep`, `sobol`.
    pub kind: &'a str,
    /// The SHA-256 of every input file of every scenario, in order.
    pub inputs: Vec<Vec<String>>,
    pub overrides: &'a [String],
    pub seed: u64,
    pub runs: u64,
    pub months: usize,
    pub only_run: Option<u64>,
    pub shard: Option<(u64, u64)>,
    /// Settings of the kind (sweep values, Sobol samples, ...), as words.
    pub extra: Vec<String>,
}

impl ResultKey<'_> {
    /// The key's hex SHA-256 (of its JSON form, whose field order is fixed).
    pub fn digest(&self) -> String {
        // The model version is part of every key: a new model is new results.
        let json = serde_json::to_vec(&(crate::model::MODEL_VERSION, self)).unwrap_or_default();
        hex(&Sha256::digest(&json))
    }
}

/// The input hashes of `models`, per scenario, for a [`ResultKey`].
pub fn input_hashes(models: &[&Model]) -> Vec<Vec<String>> {
    models
        .iter()
        .map(|m| m.sc.inputs.iter().map(|f| f.sha256.clone()).collect())
        .collect()
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of `bytes`, as hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

impl Manifest {
    /// The manifest of a command over `models` (the first is the run's
    /// scenario, or the reference of a comparison). `files` is filled by the
    /// output folder when it is written.
    pub fn new(models: &[&Model], info: &RunInfo) -> Manifest {
        let sc = models[0].sc;
        let inputs = |m: &Model| -> Vec<InputRecord> {
            m.sc.inputs
                .iter()
                .map(|f| InputRecord {
                    path: f.path.clone(),
                    sha256: f.sha256.clone(),
                })
                .collect()
        };
        Manifest {
            tool: "tariffsim".into(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            manifest_version: MANIFEST_VERSION,
            model_version: crate::model::MODEL_VERSION.into(),
            engine_version: crate::engine::ENGINE_VERSION.into(),
            command: info.command.clone(),
            scenario: sc.meta.name.clone(),
            description: sc.meta.description.clone(),
            inputs: inputs(models[0]),
            scenarios: models
                .iter()
                .map(|m| ScenarioRecord {
                    name: m.sc.meta.name.clone(),
                    inputs: inputs(m),
                })
                .collect(),
            overrides: info.sets.clone(),
            seed: info.seed,
            runs: info.runs,
            months: info.months,
            start: sc.meta.start.to_string(),
            threads: info.threads,
            shard: info
                .shard
                .map(|(index, count)| ShardRecord { index, count }),
            only_run: info.only_run,
            wall_seconds: (info.wall_seconds * 1000.0).round() / 1000.0,
            series: models[0].slots.n_monthly,
            quantiles: QuantileRecord {
                method: "log-bucketed histogram (7 mantissa bits), nearest rank round(q*(n-1)), clamped to the exact min and max".into(),
                relative_accuracy: crate::engine::aggregate::QUANTILE_RELATIVE_ACCURACY,
                zero_threshold: crate::engine::aggregate::ZERO_THRESHOLD,
            },
            sensitivity_sample_runs: crate::sensitivity::spearman::SAMPLE_RUNS.min(info.runs),
            scenario_path: info.scenario_path.clone(),
            per_run: info.per_run,
            merged_shards: info.merged_shards,
            result_key: info.result_key.clone(),
            files: BTreeMap::new(),
            split: info.split.clone(),
            detail: (info.detail != crate::engine::Monthly::None)
                .then(|| info.detail.name().to_string()),
            shard_command: info.shard_command.clone(),
            sobol: info.sobol.clone(),
        }
    }

    /// Pretty JSON with a final newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s.into_bytes()
    }

    /// Parse a manifest; `None` if the text is not a tariffsim manifest.
    pub fn parse(text: &str) -> Result<Manifest, ManifestError> {
        let m: Manifest = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if m.tool != "tariffsim" {
            return Err(ManifestError(format!(
                "`tool` is `{}`, not tariffsim",
                m.tool
            )));
        }
        Ok(m)
    }

    /// The command that wrote the folder's shard: `run`, or the
    /// `shard_command` of compare, sweep or sensitivity.
    pub fn command_kind(&self) -> &str {
        self.shard_command
            .as_ref()
            .map_or("run", |c| c.command.as_str())
    }

    /// The input hashes of every scenario, in order, for comparing shards.
    pub fn all_input_hashes(&self) -> String {
        self.scenarios
            .iter()
            .map(|s| {
                s.inputs
                    .iter()
                    .map(|f| f.sha256.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect::<Vec<_>>()
            .join(";")
    }

    /// The input hashes joined in order (paths may differ between machines;
    /// contents may not).
    pub fn input_hashes(&self) -> String {
        self.inputs
            .iter()
            .map(|f| f.sha256.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_keys_differ_in_every_field_that_changes_results() {
        let sets = vec!["a=1".to_string()];
        let base = ResultKey {
            kind: "run",
            inputs: vec![vec!["h1".into(), "h2".into()]],
            overrides: &sets,
            seed: 1,
            runs: 10,
            months: 12,
            only_run: None,
            shard: None,
            extra: vec![],
        };
        let d = base.digest();
        assert_eq!(d.len(), 64);
        assert_eq!(d, base.clone().digest(), "deterministic");
        let other_sets = vec!["a=2".to_string()];
        let variants = [
            ResultKey {
                kind: "compare",
                ..base.clone()
            },
            ResultKey {
                inputs: vec![vec!["h1".into(), "h3".into()]],
                ..base.clone()
            },
            ResultKey {
                overrides: &other_sets,
                ..base.clone()
            },
            ResultKey {
                seed: 2,
                ..base.clone()
            },
            ResultKey {
                runs: 11,
                ..base.clone()
            },
            ResultKey {
                months: 13,
                ..base.clone()
            },
            ResultKey {
                only_run: Some(3),
                ..base.clone()
            },
            ResultKey {
                shard: Some((0, 2)),
                ..base.clone()
            },
            ResultKey {
                extra: vec!["x".into()],
                ..base.clone()
            },
        ];
        for v in variants {
            assert_ne!(v.digest(), d, "{v:?}");
        }
    }

    #[test]
    fn a_manifest_survives_a_round_trip_and_foreign_json_is_refused() {
        let m = Manifest {
            tool: "tariffsim".into(),
            tool_version: "0".into(),
            manifest_version: MANIFEST_VERSION,
            model_version: "2".into(),
            engine_version: "2".into(),
            command: "c".into(),
            scenario: "s".into(),
            description: String::new(),
            inputs: vec![InputRecord {
                path: "a.toml".into(),
                sha256: "ab".into(),
            }],
            scenarios: vec![],
            overrides: vec![],
            seed: 1,
            runs: 2,
            months: 3,
            start: "2025-01".into(),
            threads: 1,
            shard: Some(ShardRecord { index: 0, count: 2 }),
            only_run: None,
            wall_seconds: 0.5,
            series: 1,
            quantiles: QuantileRecord {
                method: "m".into(),
                relative_accuracy: 0.1,
                zero_threshold: 1e-6,
            },
            sensitivity_sample_runs: 2,
            scenario_path: None,
            per_run: false,
            merged_shards: None,
            result_key: "k".into(),
            files: BTreeMap::from([("summary.csv".to_string(), "00".to_string())]),
            split: Some(SplitRecord {
                split_by: "r".into(),
                runs_fired: 1,
                runs_not_fired: 1,
                p_fired: 0.5,
            }),
            detail: Some("flows".into()),
            shard_command: Some(ShardCommand {
                command: "sweep".into(),
                scenario_paths: vec!["/a.toml".into()],
                tie: Some(0.001),
                param: Some("x.y".into()),
                values: vec!["0".into(), "1".into()],
                ..Default::default()
            }),
            sobol: Some(SobolRecord {
                design: "qmc".into(),
                samples: 256,
                bootstrap: 200,
                intervals: "blocks".into(),
                parameters: 154,
                total_width_max: 0.25,
                first_order_width_max: 0.5,
                total_width_target: 0.1,
                converged: false,
                suggested_samples: Some(2048),
            }),
        };
        let text = String::from_utf8(m.to_bytes()).unwrap();
        assert_eq!(Manifest::parse(&text).unwrap(), m);
        assert!(Manifest::parse(&text.replace("\"tariffsim\"", "\"other\"")).is_err());
        assert!(Manifest::parse("{}").is_err());
    }
}
