//! The steps every command shares: loading, settings, the memory budget,
//! the output folder, running on common random numbers, writing and
//! committing. Each command file composes them.

use crate::engine::{self, EngineError, RunPlan, SetResult};
use crate::model::Model;
use crate::output::folder::{FolderError, OutputDir};
use crate::output::manifest::{Manifest, RunInfo};
use crate::scenario::{LoadOptions, MAX_MONTHS, MAX_RUNS, Scenario, load_scenario};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// How a command talks to the person running it. The binary writes notes
/// to stderr, printed results to stdout and draws the progress bar.
pub trait Ui: Sync {
    /// Something to know while the command runs (stderr).
    fn note(&self, text: &str);
    /// A line of results (stdout).
    fn print(&self, text: &str);
    /// A progress display for `total` runs begins.
    fn progress_start(&self, _total: u64) {}
    /// `done` runs are complete.
    fn progress(&self, _done: u64) {}
    /// The progress display ends.
    fn progress_end(&self) {}
}

/// Options shared by the commands that run simulations.
#[derive(Debug, Clone, Default)]
pub struct Common {
    /// Number of Monte Carlo runs (default: the first scenario's `runs`).
    pub runs: Option<u64>,
    /// Random seed (default: the first scenario's `seed`).
    pub seed: Option<u64>,
    /// Worker threads (default: all cores).
    pub threads: Option<usize>,
    /// Months to simulate (default: the scenario's `months`).
    pub months: Option<usize>,
    /// Folder under which the result folder is written.
    pub out: PathBuf,
    /// `--set KEY=VALUE` overrides, in order.
    pub sets: Vec<String>,
    /// No progress, notes or summary table (errors and folder notices still show).
    pub quiet: bool,
    /// Memory budget for aggregation, MB (default: 3/4 of the machine's).
    pub max_memory_mb: Option<u64>,
    /// The result folder's name (default: from the scenario).
    pub name: Option<String>,
    /// Replace tariffsim's own earlier result of that name whatever its inputs.
    pub replace: bool,
    /// The command line, for the manifest.
    pub command_line: String,
    /// `--chart-size`: the canvas and resolution of the charts.
    pub chart_size: crate::charts::ChartSize,
    /// `--detail`: which monthly series `run` and `compare` write.
    pub detail: crate::engine::Monthly,
}

/// Why a command did not complete.
#[derive(Debug)]
pub enum CommandError {
    /// Bad input: every located problem, rendered (exit 2).
    Input(String),
    /// Bad usage or options (exit 2).
    Usage(String),
    /// The work failed: a model run, a write (exit 1).
    Failed(String),
    /// Stopped by a signal; nothing was written (exit 130).
    Interrupted,
}

impl CommandError {
    /// The process exit code for this outcome.
    pub fn exit_code(&self) -> u8 {
        match self {
            CommandError::Input(_) | CommandError::Usage(_) => 2,
            CommandError::Failed(_) => 1,
            CommandError::Interrupted => 130,
        }
    }
}

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // Rendered diagnostics end with their own newline.
            CommandError::Input(text) => write!(f, "{}", text.trim_end_matches('\n')),
            CommandError::Usage(msg) | CommandError::Failed(msg) => write!(f, "error: {msg}"),
            CommandError::Interrupted => write!(
                f,
                "interrupted: no results written (earlier results, if any, are untouched)"
            ),
        }
    }
}

impl std::error::Error for CommandError {}

impl From<FolderError> for CommandError {
    fn from(e: FolderError) -> Self {
        match e {
            FolderError::Io { .. } => CommandError::Failed(format!(
                "{e}\n  help: choose a writable folder with --out DIR and check its free space"
            )),
            other => CommandError::Usage(other.to_string()),
        }
    }
}

/// Load and validate a scenario with overrides.
///
/// # Errors
/// `Input` with every problem, located.
pub fn load(path: &Path, sets: &[String]) -> Result<Scenario, CommandError> {
    load_scenario(
        path,
        &LoadOptions {
            sets: sets.to_vec(),
        },
    )
    .map_err(|d| CommandError::Input(d.render()))
}

/// Run settings after defaults and checks.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub runs: u64,
    pub months: usize,
    pub threads: usize,
    pub seed: u64,
}

impl Settings {
    /// Defaults from the scenario, checked against the same limits the
    /// scenario file has.
    ///
    /// # Errors
    /// `Usage` naming the option and its limit.
    pub fn resolve(c: &Common, sc: &Scenario) -> Result<Settings, CommandError> {
        let usage = |m: String| Err(CommandError::Usage(m));
        let runs = c.runs.unwrap_or(sc.meta.runs);
        if runs == 0 {
            return usage("--runs must be at least 1".into());
        }
        if runs > MAX_RUNS {
            return usage(format!(
                "--runs {runs} is more than 100,000,000; split the work with several seeds"
            ));
        }
        let months = c.months.unwrap_or(sc.meta.months);
        if !(1..=MAX_MONTHS).contains(&months) {
            return usage(format!(
                "--months {months} must be between 1 and {MAX_MONTHS}"
            ));
        }
        let threads = match c.threads {
            Some(0) => {
                return usage("--threads must be at least 1 (omit it to use all cores)".into());
            }
            Some(t) if t > 1024 => return usage(format!("--threads {t} is more than 1024")),
            Some(t) => t,
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        Ok(Settings {
            runs,
            months,
            threads,
            seed: c.seed.unwrap_or(sc.meta.seed),
        })
    }

    /// The result key of a command over `models` with these settings (see
    /// `output::manifest::ResultKey`); `extra` are the command's own inputs.
    pub(crate) fn result_key(
        &self,
        kind: &str,
        models: &[&Model],
        c: &Common,
        extra: Vec<String>,
    ) -> String {
        self.shard_key(kind, models, c, extra, None)
    }

    /// The result key of shard `shard` of a command (the command's own key
    /// without one).
    pub(crate) fn shard_key(
        &self,
        kind: &str,
        models: &[&Model],
        c: &Common,
        mut extra: Vec<String>,
        shard: Option<crate::engine::shard::Shard>,
    ) -> String {
        extra.extend(c.chart_size.key_word());
        extra.extend(detail_key_word(c.detail));
        crate::output::manifest::ResultKey {
            kind,
            inputs: crate::output::manifest::input_hashes(models),
            overrides: &c.sets,
            seed: self.seed,
            runs: self.runs,
            months: self.months,
            only_run: None,
            shard: shard.map(|s| (s.index, s.count)),
            extra,
        }
        .digest()
    }

    /// The manifest's record of these settings (wall time filled later).
    pub fn info(&self, c: &Common) -> RunInfo {
        RunInfo {
            seed: self.seed,
            runs: self.runs,
            threads: self.threads,
            months: self.months,
            sets: c.sets.clone(),
            command: c.command_line.clone(),
            chart_size: c.chart_size,
            detail: c.detail,
            ..Default::default()
        }
    }
}

/// The result key's word for `--detail`: none at the default, so default
/// keys are unchanged.
pub(crate) fn detail_key_word(d: crate::engine::Monthly) -> Option<String> {
    (d == crate::engine::Monthly::Flows).then(|| "detail=flows".to_string())
}

/// The memory this process may use: the machine's, or a smaller cgroup
/// limit (Slurm allocations, Kubernetes pod limits). Linux; `None` elsewhere.
fn machine_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    let total = kb * 1024;
    let cgroup = [
        "/sys/fs/cgroup/memory.max",
        "/sys/fs/cgroup/memory/memory.limit_in_bytes",
    ]
    .iter()
    .filter_map(|p| std::fs::read_to_string(p).ok())
    .filter_map(|t| t.trim().parse::<u64>().ok())
    .min();
    Some(cgroup.map_or(total, |c| c.min(total)))
}

/// Check the aggregation memory estimate against the budget (refuse up
/// front with the numbers and a suggestion) and announce it. `split`: the
/// first scenario's runs are also split by a rule (`run --split-by`).
///
/// # Errors
/// `Usage` when the estimate exceeds the budget.
pub(crate) fn check_memory(
    c: &Common,
    ui: &dyn Ui,
    models: &[&Model],
    threads: usize,
    monthly: crate::engine::Monthly,
    split: bool,
) -> Result<(), CommandError> {
    let need = engine::memory_estimate(models, threads, monthly, split);
    let mb = |b: u64| b as f64 / 1_048_576.0;
    let budget = c
        .max_memory_mb
        .map(|m| m.saturating_mul(1_048_576))
        .unwrap_or_else(|| machine_memory().map_or(u64::MAX, |m| m / 4 * 3));
    let m = models[0];
    if need > budget {
        return Err(CommandError::Usage(format!(
            "this run needs about {:.0} MB for aggregation ({} series x {} months x {} aggregate(s) x {} thread(s) + 1), more than the {:.0} MB budget; use fewer --threads or --months or scenarios, or raise --max-memory-mb",
            mb(need),
            m.slots.n_monthly,
            m.months,
            engine::aggregate_count(models.len(), split),
            threads,
            mb(budget)
        )));
    }
    if !c.quiet {
        ui.note(&format!(
            "memory estimate for aggregation: about {:.0} MB (does not grow with runs)",
            mb(need)
        ));
    }
    Ok(())
}

/// Open the result folder `--name` (or `default_name`) under `--out` for a
/// result described by `manifest`; tell the user where it goes when that is
/// not the folder they would expect.
///
/// # Errors
/// `Usage` for a refused name or `--replace`, `Failed` for I/O.
pub(crate) fn open_dir(
    c: &Common,
    ui: &dyn Ui,
    default_name: &str,
    manifest: &Manifest,
) -> Result<OutputDir, CommandError> {
    let name = match &c.name {
        Some(n) => {
            crate::output::folder::check_name(n)?;
            n.as_str()
        }
        None => default_name,
    };
    let dir = OutputDir::create(&c.out, name, c.replace, manifest)?;
    // Folder notices show even with --quiet: a script must learn that its
    // results went elsewhere.
    for n in &dir.notes {
        ui.note(&format!("note: {n}"));
    }
    Ok(dir)
}

/// Write files into the result folder.
///
/// # Errors
/// `Failed` naming the file, with the fix.
pub(crate) fn write_files(
    dir: &OutputDir,
    files: &[(&str, Vec<u8>)],
    out: &Path,
) -> Result<(), CommandError> {
    for (name, bytes) in files {
        dir.write(name, bytes).map_err(|e| {
            CommandError::Failed(format!(
                "cannot write {name}: {e}\n  help: check free space and permissions of {}",
                out.display()
            ))
        })?;
    }
    Ok(())
}

/// Write rendered charts as charts/<name>.svg and charts/<name>.png.
///
/// # Errors
/// `Failed` naming the chart.
pub(crate) fn write_chart_files(
    dir: &OutputDir,
    charts: &[crate::charts::ChartFile],
) -> Result<(), CommandError> {
    for c in charts {
        for (ext, bytes) in [("svg", c.svg.as_bytes()), ("png", c.png.as_slice())] {
            dir.write(&format!("charts/{}.{ext}", c.name), bytes)
                .map_err(|e| CommandError::Failed(format!("cannot write chart {}: {e}", c.name)))?;
        }
    }
    Ok(())
}

/// Move the completed folder into place (unless interrupted meanwhile) with
/// its manifest, and say where it went.
///
/// # Errors
/// `Interrupted`, or `Failed` when the move fails (earlier results stay).
pub(crate) fn commit(
    dir: OutputDir,
    manifest: Manifest,
    c: &Common,
    ui: &dyn Ui,
    started: Instant,
    cancel: &AtomicBool,
) -> Result<PathBuf, CommandError> {
    // Interrupted while writing: keep the earlier results, drop the new ones.
    if cancel.load(Ordering::SeqCst) {
        drop(dir);
        return Err(CommandError::Interrupted);
    }
    let (path, notes) = dir
        .commit(manifest)
        .map_err(|e| CommandError::Failed(format!("cannot move results into place: {e}")))?;
    for n in notes {
        ui.note(&format!("note: {n}"));
    }
    if !c.quiet {
        ui.note(&format!(
            "wrote {} in {:.1} s",
            path.display(),
            started.elapsed().as_secs_f64()
        ));
    }
    Ok(path)
}

/// The error of a failed engine call (the output folder, dropped by the
/// caller, is removed), with the command that reproduces the failed run
/// alone.
pub(crate) fn engine_failed(
    e: EngineError,
    seed: u64,
    scenario: &Path,
    c: &Common,
) -> CommandError {
    match e {
        EngineError::Cancelled => CommandError::Interrupted,
        EngineError::Run(r) => {
            let sets: String = c
                .sets
                .iter()
                .map(|s| format!(" --set '{}'", crate::diag::clip(s, 200)))
                .collect();
            let months = c
                .months
                .map(|m| format!(" --months {m}"))
                .unwrap_or_default();
            // `--only-run` takes a run below the run count, so a count given
            // on the command line is given again.
            let runs = c.runs.map(|n| format!(" --runs {n}")).unwrap_or_default();
            CommandError::Failed(format!(
                "{r}\n  help: reproduce it alone with `tariffsim run {}{sets}{months}{runs} --seed {seed} --only-run {}` and check the parameter values named above",
                scenario.display(),
                r.run
            ))
        }
        e => CommandError::Failed(e.to_string()),
    }
}

/// Run several scenarios on common random numbers with progress, on the
/// run indices `runs` (all runs, or one shard's block).
///
/// # Errors
/// As `engine::run_set`.
pub(crate) fn run_group(
    refs: &[&Model],
    st: &Settings,
    runs: std::ops::Range<u64>,
    monthly: crate::engine::Monthly,
    c: &Common,
    ui: &dyn Ui,
    cancel: &AtomicBool,
) -> Result<SetResult, EngineError> {
    if !c.quiet {
        ui.progress_start(runs.end - runs.start);
    }
    let plan = RunPlan {
        seed: st.seed,
        runs,
        threads: st.threads,
        split: None,
        monthly,
    };
    let progress = |d: u64| ui.progress(d);
    let result = engine::run_set(refs, &plan, engine::PerRun::default(), &progress, cancel);
    if !c.quiet {
        ui.progress_end();
    }
    result
}

/// The absolute path of a scenario file, for a shard's manifest (`merge`
/// reads the scenario there).
pub(crate) fn absolute(path: &Path) -> String {
    std::fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

/// " (shard I of N: runs a..b)" for a command's first note, or nothing.
pub(crate) fn shard_note(
    shard: Option<crate::engine::shard::Shard>,
    what: &str,
    range: &std::ops::Range<u64>,
) -> String {
    shard
        .map(|s| {
            format!(
                " (shard {} of {}: {what} {}..{})",
                s.index, s.count, range.start, range.end
            )
        })
        .unwrap_or_default()
}

/// Load several scenarios with the same overrides (every file's problems
/// reported) and resolve the settings from the first.
///
/// # Errors
/// `Input` with every file's problems, or `Usage` for the settings.
pub(crate) fn load_all(
    paths: &[PathBuf],
    c: &Common,
) -> Result<(Vec<Scenario>, Settings), CommandError> {
    let mut scs = Vec::new();
    let mut rendered = String::new();
    for p in paths {
        match load(p, &c.sets) {
            Ok(s) => scs.push(s),
            Err(CommandError::Input(text)) => rendered.push_str(&text),
            Err(e) => return Err(e),
        }
    }
    if !rendered.is_empty() {
        return Err(CommandError::Input(rendered));
    }
    let st = Settings::resolve(c, &scs[0])?;
    Ok((scs, st))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RunError;

    #[test]
    fn a_failed_run_says_how_to_reproduce_it_alone() {
        let c = Common {
            sets: vec!["tariffs.x.rate=0.5".into()],
            months: Some(12),
            runs: Some(1_000_000),
            ..Default::default()
        };
        let e = EngineError::Run(RunError {
            scenario: 0,
            run: 868_507,
            month: "2025-03".into(),
            sector: "electronics".into(),
            message: "no convergence".into(),
            params: vec![("sectors.electronics.sigma_import".into(), 1.5)],
        });
        let msg = engine_failed(e, 42, Path::new("scenarios/s.toml"), &c).to_string();
        assert!(
            msg.contains("run 868507 failed in 2025-03 (sector electronics)"),
            "{msg}"
        );
        assert!(
            msg.contains("sectors.electronics.sigma_import=1.5"),
            "{msg}"
        );
        assert!(
            msg.contains("tariffsim run scenarios/s.toml --set 'tariffs.x.rate=0.5' --months 12 --runs 1000000 --seed 42 --only-run 868507"),
            "{msg}"
        );
        assert_eq!(
            engine_failed(EngineError::Cancelled, 1, Path::new("s"), &c).exit_code(),
            130
        );
    }
}

/// A rough duration of `total` model runs of `model` on `threads` threads,
/// from a timed pilot of a few runs on this thread (outside the results:
/// the pilot's outputs are dropped), plus a quarter for aggregation (about
/// a fifth of a run's time, docs/performance.md); writing is not counted.
/// `None` if a pilot run fails
/// (the job itself will then report the failure with its location).
pub(crate) fn estimate_seconds(
    model: &Model,
    seed: u64,
    total: u64,
    threads: usize,
) -> Option<f64> {
    const PILOT: u64 = 16;
    let n = PILOT.min(total.max(1));
    let mut ws = crate::model::Workspace::default();
    let mut out = model.new_output();
    let started = Instant::now();
    for run in 0..n {
        model.run(seed, run, &mut ws, &mut out).ok()?;
    }
    let per_run = started.elapsed().as_secs_f64() / n as f64;
    const AGGREGATION: f64 = 1.25;
    Some(AGGREGATION * per_run * total as f64 / threads.max(1) as f64)
}

/// "about 40 s", "about 3 min", "about 1.5 h".
pub(crate) fn human_duration(seconds: f64) -> String {
    if seconds < 90.0 {
        format!("about {} s", seconds.ceil().max(1.0))
    } else if seconds < 5400.0 {
        format!("about {} min", (seconds / 60.0).round())
    } else {
        format!("about {:.1} h", seconds / 3600.0)
    }
}

#[cfg(test)]
mod duration_tests {
    use super::human_duration;

    #[test]
    fn durations_read_in_the_largest_fitting_unit() {
        assert_eq!(human_duration(0.2), "about 1 s");
        assert_eq!(human_duration(41.3), "about 42 s");
        assert_eq!(human_duration(180.0), "about 3 min");
        assert_eq!(human_duration(5400.0), "about 1.5 h");
    }
}
