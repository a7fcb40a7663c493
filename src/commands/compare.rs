//! `compare`: several scenarios on common random numbers, with paired
//! differences against the first, or one shard of the runs (every scenario
//! on the same block of run indices, so `merge` pairs them exactly).

use super::pipeline::{
    CommandError, Common, Ui, absolute, check_memory, commit, engine_failed, load_all, open_dir,
    run_group, shard_note, write_chart_files, write_files,
};
use crate::engine::SetResult;
use crate::engine::shard::{self, Shard};
use crate::model::Model;
use crate::output::folder::{MAX_NAME, OutputDir};
use crate::output::manifest::{Manifest, ShardCommand, sha256_hex};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

/// What `compare` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct CompareOptions {
    /// Scenario files; the first is the reference.
    pub scenarios: Vec<PathBuf>,
    pub common: Common,
    pub no_charts: bool,
    /// Tie tolerance of P(worse), relative to the reference's level
    /// (`analysis::compare::TIE_REL` by default).
    pub tie: f64,
    /// Run only this shard of the runs (every scenario on the same block).
    pub shard: Option<Shard>,
}

/// `compare-A-vs-B[-vs-C...]`, made unambiguous by a short hash of the
/// names when a name itself contains `-vs-` or the name is too long (so
/// `a-vs-b` + `c` and `a` + `b-vs-c` never share a folder).
pub fn folder_name(names: &[&str]) -> String {
    let plain = format!("compare-{}", names.join("-vs-"));
    let room = MAX_NAME - 9;
    if !names.iter().any(|n| n.contains("-vs-")) && plain.len() <= room {
        return plain;
    }
    let tag = &sha256_hex(names.join("\n").as_bytes())[..8];
    let head: String = plain.chars().take(room).collect();
    format!("{head}-{tag}")
}

/// How the scenarios are labelled in the outputs: their names, or where two
/// share a name, the file stems of those that do (then `-2`, `-3`, ... if
/// the stems also repeat), so every scenario is told apart.
pub fn labels(names: &[&str], files: &[PathBuf]) -> Vec<String> {
    let count = |n: &str| names.iter().filter(|m| **m == n).count();
    let mut out: Vec<String> = names
        .iter()
        .zip(files)
        .map(|(n, f)| {
            if count(n) > 1 {
                let stem = f.file_stem().and_then(|s| s.to_str()).unwrap_or(n);
                crate::init::scenario_name(stem)
            } else {
                (*n).to_string()
            }
        })
        .collect();
    for k in 1..out.len() {
        let base = out[k].clone();
        let mut i = 2;
        while out[..k].contains(&out[k]) {
            out[k] = format!("{base}-{i}");
            i += 1;
        }
    }
    out
}

/// Run the comparison (or one shard of its runs) and write its folder.
///
/// # Errors
/// See [`CommandError`].
pub fn compare(
    o: &CompareOptions,
    ui: &dyn Ui,
    cancel: &AtomicBool,
) -> Result<PathBuf, CommandError> {
    let c = &o.common;
    let (mut scs, st) = load_all(&o.scenarios, c)?;
    let labels = labels(
        &scs.iter().map(|s| s.meta.name.as_str()).collect::<Vec<_>>(),
        &o.scenarios,
    );
    for (sc, label) in scs.iter_mut().zip(labels) {
        sc.meta.name = label;
    }
    let models: Vec<Model> = scs.iter().map(|s| Model::new(s, st.months)).collect();
    let refs: Vec<&Model> = models.iter().collect();
    crate::analysis::compare::check_same_world(&refs)
        .map_err(|e| CommandError::Usage(e.to_string()))?;
    check_memory(c, ui, &refs, st.threads, c.detail, false)?;
    let names: Vec<&str> = scs.iter().map(|s| s.meta.name.as_str()).collect();
    let mut info = st.info(c);
    info.result_key = st.shard_key("compare", &refs, c, key_words(&names, o.tie), o.shard);
    let runs = o.shard.map_or(0..st.runs, |s| shard::range(st.runs, s));
    info.shard = o.shard.map(|s| (s.index, s.count));
    info.shard_command = o.shard.map(|_| ShardCommand {
        command: "compare".into(),
        scenario_paths: o.scenarios.iter().map(|p| absolute(p)).collect(),
        tie: Some(o.tie),
        ..Default::default()
    });
    let folder = o.shard.map_or_else(
        || folder_name(&names),
        |s| shard::folder(&folder_name(&names), s),
    );
    let dir = open_dir(c, ui, &folder, &Manifest::new(&refs, &info))?;
    if !c.quiet {
        ui.note(&format!(
            "comparing {} scenarios x {} runs{} x {} months on common random numbers, seed {}, {} thread(s)",
            scs.len(),
            st.runs,
            shard_note(o.shard, "runs", &runs),
            st.months,
            st.seed,
            st.threads
        ));
    }
    let started = Instant::now();
    let res = run_group(&refs, &st, runs, c.detail, c, ui, cancel).map_err(|e| {
        let k = match &e {
            crate::engine::EngineError::Run(r) => r.scenario.min(o.scenarios.len() - 1),
            _ => 0,
        };
        engine_failed(e, st.seed, &o.scenarios[k], c)
    })?;
    info.wall_seconds = started.elapsed().as_secs_f64();
    if o.shard.is_some() {
        // A shard writes mergeable partial aggregates; `merge` writes the results.
        write_files(&dir, &[("aggregate.bin", res.encode())], &c.out)?;
    } else {
        write_outputs(&refs, &res, st.seed, o.tie, o.no_charts, &dir, c, ui)?;
    }
    commit(dir, Manifest::new(&refs, &info), c, ui, started, cancel)
}

/// The comparison's own words in its result key: the scenarios' labels and
/// the tie share.
pub(crate) fn key_words(names: &[&str], tie: f64) -> Vec<String> {
    names
        .iter()
        .map(|n| (*n).to_string())
        .chain([format!("tie={tie}")])
        .collect()
}

/// The files of a completed comparison (also of a merge of its shards):
/// comparison.csv, results.xlsx, charts and report, and the printed
/// headlines. The manifest is written at commit.
///
/// # Errors
/// `Failed` for a write or drawing failure.
#[allow(clippy::too_many_arguments)]
pub(crate) fn write_outputs(
    refs: &[&Model],
    res: &SetResult,
    seed: u64,
    tie: f64,
    no_charts: bool,
    dir: &OutputDir,
    c: &Common,
    ui: &dyn Ui,
) -> Result<(), CommandError> {
    let csv = crate::analysis::compare::comparison_csv(refs, res, tie);
    let title = refs
        .iter()
        .map(|m| m.sc.meta.name.as_str())
        .collect::<Vec<_>>()
        .join(" vs ");
    let xlsx = crate::output::workbook::comparison_xlsx(
        &title,
        &crate::analysis::compare::headlines(refs, res, tie),
        &csv,
        refs[0].sc.meta.start,
    )
    .map_err(|e| CommandError::Failed(format!("cannot build results.xlsx: {e}")))?;
    write_files(
        dir,
        &[("comparison.csv", csv), ("results.xlsx", xlsx)],
        &c.out,
    )?;
    if !no_charts {
        let chart_started = Instant::now();
        let charts = crate::charts::compare::charts(refs, res, seed, tie, &c.sets, c.chart_size)
            .map_err(|e| CommandError::Failed(e.to_string()))?;
        write_chart_files(dir, &charts)?;
        let html = crate::charts::compare::report_html(refs, res, seed, &charts, tie, &c.sets);
        dir.write("report.html", html.as_bytes())
            .map_err(|e| CommandError::Failed(format!("cannot write report.html: {e}")))?;
        if !c.quiet {
            ui.note(&format!(
                "charts and report drawn in {:.1} s",
                chart_started.elapsed().as_secs_f64()
            ));
        }
    }
    if !c.quiet {
        ui.print("median paired difference [5 %, 95 %], and the probability that it is worse by more than a tie:");
        for line in crate::analysis::compare::headlines(refs, res, tie) {
            ui.print(&format!("  {line}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{folder_name, labels};
    use std::path::PathBuf;

    /// Two files with one scenario name are labelled by their file stems;
    /// the same file twice gets `-2`; distinct names stay as they are.
    #[test]
    fn scenarios_sharing_a_name_are_labelled_by_file() {
        let files = |v: &[&str]| v.iter().map(PathBuf::from).collect::<Vec<_>>();
        assert_eq!(
            labels(&["x", "x"], &files(&["a/low.toml", "b/high tariff.toml"])),
            ["low", "high-tariff"]
        );
        assert_eq!(
            labels(&["x", "x", "y"], &files(&["s.toml", "s.toml", "t.toml"])),
            ["s", "s-2", "y"]
        );
        assert_eq!(
            labels(&["a", "b"], &files(&["1.toml", "2.toml"])),
            ["a", "b"]
        );
    }

    #[test]
    fn comparison_folders_are_unambiguous() {
        assert_eq!(folder_name(&["a", "b"]), "compare-a-vs-b");
        let x = folder_name(&["a-vs-b", "c"]);
        let y = folder_name(&["a", "b-vs-c"]);
        assert_ne!(x, y);
        assert!(x.starts_with("compare-a-vs-b-vs-c-"), "{x}");
        let long: Vec<String> = (0..20).map(|k| format!("scenario-{k:02}")).collect();
        let refs: Vec<&str> = long.iter().map(String::as_str).collect();
        let a = folder_name(&refs);
        let b = folder_name(&refs[..19]);
        assert!(a.len() <= 120 && b.len() <= 120);
        assert_ne!(a, b, "truncated names stay distinct");
    }
}
