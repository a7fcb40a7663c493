//! Output files of a run. Each writer returns bytes (so formats are tested
//! without touching disk); `OutputDir` writes them into a temporary folder
//! beside the destination and renames it into place only when everything is
//! written, so an interrupted or failed run never leaves half-written
//! results and earlier results survive until the new ones are complete.

use crate::engine::{Aggregator, fmt_num, key_outcomes};
use crate::model::Model;
use crate::model::series::FinalKind;
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

pub const SUMMARY_HEADER: &str = "metric,economy,partner,sector,month,mean,sd,p05,p25,p50,p75,p95";

fn stats_cols(out: &mut String, c: &crate::engine::aggregate::Cell) {
    let s = c.stats();
    for v in [s.mean, s.sd, s.p05, s.p25, s.p50, s.p75, s.p95] {
        out.push(',');
        out.push_str(&fmt_num(v));
    }
    out.push('\n');
}

/// `summary.csv`: one row per series and month.
pub fn summary_csv(model: &Model, agg: &Aggregator) -> Vec<u8> {
    let months = model.months;
    let labels: Vec<String> = (0..months).map(|t| model.sc.month_label(t)).collect();
    let mut out = String::with_capacity(agg.monthly.len() * 80);
    out.push_str(SUMMARY_HEADER);
    out.push('\n');
    for (slot, l) in model.slots.labels.iter().enumerate() {
        for (t, month) in labels.iter().enumerate() {
            let _ = write!(
                out,
                "{},{},{},{},{}",
                l.metric, l.economy, l.partner, l.sector, month
            );
            stats_cols(&mut out, &agg.monthly[slot * months + t]);
        }
    }
    out.into_bytes()
}

/// `final.csv`: horizon outcomes (end values, horizon averages, totals).
pub fn final_csv(model: &Model, agg: &Aggregator) -> Vec<u8> {
    let end = model.sc.month_label(model.months - 1);
    let mut out = String::new();
    out.push_str(SUMMARY_HEADER);
    out.push('\n');
    for (k, (l, kind)) in model.slots.final_labels.iter().enumerate() {
        let month = match kind {
            FinalKind::End => end.as_str(),
            FinalKind::Average | FinalKind::Total => "horizon",
        };
        let _ = write!(
            out,
            "{},{},{},{},{}",
            l.metric, l.economy, l.partner, l.sector, month
        );
        stats_cols(&mut out, &agg.finals[k]);
    }
    out.into_bytes()
}

/// `events.csv`: probability that each rule has fired by each month.
pub fn events_csv(model: &Model, agg: &Aggregator) -> Vec<u8> {
    let mut out = String::from("rule,month,p_fired_by_month\n");
    for (k, rule) in model.sc.rules.iter().enumerate() {
        for (t, p) in agg.p_fired_by(k).into_iter().enumerate() {
            let _ = writeln!(
                out,
                "{},{},{}",
                rule.id,
                model.sc.month_label(t),
                fmt_num(p)
            );
        }
    }
    out.into_bytes()
}

/// `sensitivity.csv`: Spearman rank correlation of each sampled parameter
/// with each key outcome (horizon averages).
pub fn sensitivity_csv(model: &Model, agg: &Aggregator) -> Vec<u8> {
    let keys = key_outcomes(model);
    let rho = agg.sensitivity(model.sampled.len(), keys.len());
    let mut out = String::from("parameter,metric,economy,spearman\n");
    for (p, row) in model.sampled.iter().zip(&rho) {
        let path = &model.sc.param(*p).path;
        for (k, r) in keys.iter().zip(row) {
            let _ = writeln!(out, "{},{},{},{}", path, k.metric, k.economy, fmt_num(*r));
        }
    }
    out.into_bytes()
}

/// What the manifest records about a run.
#[derive(Debug, Clone, Default)]
pub struct RunInfo {
    pub seed: u64,
    pub runs: u64,
    pub threads: usize,
    pub months: usize,
    pub shard: Option<(u64, u64)>,
    pub wall_seconds: f64,
    pub sets: Vec<String>,
    pub command: String,
    /// Absolute path of the scenario file (shards record it for `merge`).
    pub scenario_path: Option<String>,
    pub per_run: bool,
    /// Number of shards merged into these results, if any.
    pub merged_shards: Option<u64>,
}

/// `manifest.json`: the first model is the run's scenario (the reference
/// of a comparison); every scenario of a multi-scenario command is listed.
pub fn manifest_json(models: &[&Model], info: &RunInfo) -> Vec<u8> {
    let sc = models[0].sc;
    let inputs = |m: &Model| -> Vec<serde_json::Value> {
        m.sc.inputs
            .iter()
            .map(|f| serde_json::json!({ "path": f.path, "sha256": f.sha256 }))
            .collect()
    };
    let scenarios: Vec<serde_json::Value> = models
        .iter()
        .map(|m| serde_json::json!({ "name": m.sc.meta.name, "inputs": inputs(m) }))
        .collect();
    let v = serde_json::json!({
        "tool": "tariffsim",
        "tool_version": env!("CARGO_PKG_VERSION"),
        "manifest_version": 1,
        "command": info.command,
        "scenario": sc.meta.name,
        "description": sc.meta.description,
        "inputs": inputs(models[0]),
        "scenarios": scenarios,
        "overrides": info.sets,
        "seed": info.seed,
        "runs": info.runs,
        "months": info.months,
        "start": sc.meta.start.to_string(),
        "threads": info.threads,
        "shard": info.shard.map(|(i, n)| serde_json::json!({ "index": i, "count": n })),
        "wall_seconds": (info.wall_seconds * 1000.0).round() / 1000.0,
        "series": models[0].slots.n_monthly,
        "quantiles": {
            "method": "log-bucketed histogram (7 mantissa bits), nearest rank round(q*(n-1)), clamped to the exact min and max",
            "relative_accuracy": crate::engine::aggregate::QUANTILE_RELATIVE_ACCURACY,
            "zero_threshold": crate::engine::aggregate::ZERO_THRESHOLD,
        },
        "sensitivity_sample_runs": crate::engine::sensitivity::SAMPLE_RUNS.min(info.runs),
        "scenario_path": info.scenario_path,
        "per_run": info.per_run,
        "merged_shards": info.merged_shards,
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s.into_bytes()
}

/// A run's output folder, written under a temporary name and renamed into
/// place by `commit`. Dropping it uncommitted removes the temporary folder
/// (and only that folder).
pub struct OutputDir {
    tmp: PathBuf,
    dest: PathBuf,
    committed: bool,
}

impl OutputDir {
    /// # Errors
    /// If the output root cannot be created or written.
    pub fn create(root: &Path, name: &str) -> io::Result<OutputDir> {
        std::fs::create_dir_all(root)?;
        // Host and process make the name unique on a shared filesystem.
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().replace(['/', '.'], "_"))
            .unwrap_or_default();
        let tmp = root.join(format!(".{name}.tmp-{host}-{}", std::process::id()));
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp)?;
        }
        std::fs::create_dir(&tmp)?;
        Ok(OutputDir {
            tmp,
            dest: root.join(name),
            committed: false,
        })
    }

    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// # Errors
    /// On any write failure (full disk, permissions).
    pub fn write(&self, file: &str, bytes: &[u8]) -> io::Result<()> {
        let p = self.tmp.join(file);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut f = std::fs::File::create(&p)?;
        io::Write::write_all(&mut f, bytes)?;
        f.sync_all()
    }

    /// Replace the destination with the completed folder.
    ///
    /// # Errors
    /// If the rename fails; earlier results are then left in place.
    pub fn commit(mut self) -> io::Result<PathBuf> {
        let old = self.dest.with_file_name(format!(
            ".{}.old-{}",
            self.dest
                .file_name()
                .and_then(|s| s.to_str())
                .unwrap_or("out"),
            std::process::id()
        ));
        let had_old = self.dest.exists();
        if had_old {
            std::fs::rename(&self.dest, &old)?;
        }
        if let Err(e) = std::fs::rename(&self.tmp, &self.dest) {
            if had_old {
                let _ = std::fs::rename(&old, &self.dest);
            }
            return Err(e);
        }
        self.committed = true;
        if had_old {
            let _ = std::fs::remove_dir_all(&old);
        }
        Ok(self.dest.clone())
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}
