//! The `tariffsim` command line: parses arguments, calls the library, prints
//! and maps outcomes to exit codes (0 success, 1 the run failed, 2 bad input
//! or usage, 130 interrupted). All modelling lives in the library.

use clap::{Args, Parser, Subcommand};

// Printing that never panics: a closed pipe (e.g. `tariffsim explain | head`)
// must not turn into a crash, so write errors are ignored.
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}
macro_rules! say_raw {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($t)*);
    }};
}
macro_rules! warn {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}
macro_rules! warn_raw {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($t)*);
    }};
}
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;
use tariffsim::engine::{self, EngineError, RunPlan};
use tariffsim::model::Model;
use tariffsim::output::{self, OutputDir, RunInfo};
use tariffsim::scenario::{LoadOptions, Scenario, load_scenario};

#[derive(Parser)]
#[command(name = "tariffsim", version, about = "Monte Carlo simulation of tariffs, export licensing and retaliation: trade flows, prices, critical supplies and GDP growth", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a scenario's Monte Carlo simulation and write CSVs, charts, a report and a manifest.
    Run(RunArgs),
    /// Run scenarios on the same draws and write paired differences against the first.
    Compare(CompareArgs),
    /// Run one scenario per value of one parameter (common random numbers) and write outcome-versus-value tables.
    Sweep(SweepArgs),
    /// Global sensitivity of key outcomes to the sampled parameters (Sobol indices with bootstrap intervals).
    Sensitivity(SensitivityArgs),
    /// Merge shard folders (from `run --shard`) into the files a single run writes.
    Merge(MergeArgs),
    /// Check scenario files without running them.
    Validate {
        /// Scenario files.
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        /// Override a value by dotted path (repeatable), e.g. tariffs.us_on_cn.rate=0.5
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
    },
    /// Print the resolved timeline: scheduled tariff and licensing changes and every rule.
    Explain {
        scenario: PathBuf,
        #[arg(long = "set", value_name = "KEY=VALUE")]
        sets: Vec<String>,
    },
    /// Write a commented starter scenario (and its data file) that validates.
    Init {
        /// Path of the new scenario file (.toml).
        path: PathBuf,
    },
}

/// Options shared by the commands that run simulations.
#[derive(Args)]
struct Common {
    /// Number of Monte Carlo runs (default: the (first) scenario's `runs`).
    #[arg(long)]
    runs: Option<u64>,
    /// Random seed (default: the (first) scenario's `seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Months to simulate (default: the scenario's `months`).
    #[arg(long)]
    months: Option<usize>,
    /// Output folder; results go to a subfolder named after the scenario or comparison.
    #[arg(long, default_value = "output")]
    out: PathBuf,
    /// Override a value by dotted path (repeatable), e.g. tariffs.us_on_cn.rate=0.5
    #[arg(long = "set", value_name = "KEY=VALUE")]
    sets: Vec<String>,
    /// No progress bar and no summary table.
    #[arg(long)]
    quiet: bool,
    /// Refuse to start if aggregation would need more memory than this (MB; default: 3/4 of the machine's memory).
    #[arg(long, value_name = "MB")]
    max_memory_mb: Option<u64>,
}

#[derive(Args)]
struct RunArgs {
    /// Scenario file (.toml).
    scenario: PathBuf,
    #[command(flatten)]
    common: Common,
    /// Also write runs.csv: one row per run with sampled parameters and key outcomes.
    #[arg(long)]
    per_run: bool,
    /// Do not draw charts or the report.
    #[arg(long)]
    no_charts: bool,
    /// Simulate only run index N (to reproduce one run, e.g. a failed one, alone: its draws are those of run N of the full run).
    #[arg(long, value_name = "N", conflicts_with = "shard")]
    only_run: Option<u64>,
    /// Run only shard I of N of the runs (I in 0..N), or `auto` (Slurm array) / `auto/N` (Kubernetes Indexed Job); writes DIR/<name>.shard-I-of-N/ for `merge`.
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
}

#[derive(Args)]
struct CompareArgs {
    /// Scenario files; the first is the reference.
    #[arg(required = true, num_args = 2..)]
    scenarios: Vec<PathBuf>,
    #[command(flatten)]
    common: Common,
    /// Do not draw charts or the report.
    #[arg(long)]
    no_charts: bool,
}

#[derive(Args)]
struct SweepArgs {
    /// Scenario file (.toml).
    scenario: PathBuf,
    /// Dotted path of the value to sweep, e.g. tariffs.us_on_cn.rate
    #[arg(long, value_name = "KEY")]
    param: String,
    /// Values: a list `V1,V2,...` or an exact range `start:stop:step` (at most 200 values).
    #[arg(long, value_name = "VALUES", allow_hyphen_values = true)]
    values: String,
    #[command(flatten)]
    common: Common,
    /// Do not draw charts.
    #[arg(long)]
    no_charts: bool,
}

#[derive(Args)]
struct MergeArgs {
    /// Shard folders written by `run --shard I/N` (all N of them).
    #[arg(required = true)]
    shards: Vec<PathBuf>,
    /// Output folder; results go to DIR/<scenario name>/.
    #[arg(long, default_value = "output")]
    out: PathBuf,
    /// Do not draw charts or the report.
    #[arg(long)]
    no_charts: bool,
    /// No summary table.
    #[arg(long)]
    quiet: bool,
    /// The scenario file, if not at the path the shards recorded (e.g. shards copied from another machine); its inputs must be unchanged.
    #[arg(long)]
    scenario: Option<PathBuf>,
}

#[derive(Args)]
struct SensitivityArgs {
    /// Scenario file (.toml).
    scenario: PathBuf,
    /// `sobol` (variance-based, Saltelli design) or `spearman` (rank correlation, as every run writes).
    #[arg(long, default_value = "sobol")]
    method: String,
    /// Base sample size N of the Saltelli design (N x (k + 2) model runs for k parameters).
    #[arg(long, default_value_t = 256)]
    samples: usize,
    /// Bootstrap resamples for the confidence intervals.
    #[arg(long, default_value_t = 200)]
    bootstrap: usize,
    /// Only parameters whose path contains this text (repeatable); the others stay at their central values.
    #[arg(long = "param", value_name = "TEXT")]
    params: Vec<String>,
    #[command(flatten)]
    common: Common,
    /// Do not draw charts.
    #[arg(long)]
    no_charts: bool,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match cli.command {
        Command::Run(args) => cmd_run(args),
        Command::Compare(args) => cmd_compare(args),
        Command::Sweep(args) => cmd_sweep(args),
        Command::Sensitivity(args) => cmd_sensitivity(args),
        Command::Merge(args) => cmd_merge(args),
        Command::Validate { scenarios, sets } => cmd_validate(&scenarios, &sets),
        Command::Explain { scenario, sets } => match load(&scenario, &sets) {
            Ok(sc) => {
                say_raw!("{}", tariffsim::explain::explain(&sc));
                ExitCode::SUCCESS
            }
            Err(code) => code,
        },
        Command::Init { path } => cmd_init(&path),
    }
}

fn load(path: &Path, sets: &[String]) -> Result<Scenario, ExitCode> {
    load_scenario(
        path,
        &LoadOptions {
            sets: sets.to_vec(),
        },
    )
    .map_err(|d| {
        warn_raw!("{}", d.render());
        ExitCode::from(2)
    })
}

fn cmd_validate(paths: &[PathBuf], sets: &[String]) -> ExitCode {
    let mut bad = false;
    for p in paths {
        match load(p, sets) {
            Ok(sc) => say!(
                "ok  {} ({}: {} economies, {} sectors, {} measures, {} rules)",
                p.display(),
                sc.meta.name,
                sc.economies.len(),
                sc.sectors.len(),
                sc.measures.len(),
                sc.rules.len()
            ),
            Err(_) => {
                warn!("invalid  {}", p.display());
                bad = true;
            }
        }
    }
    if bad {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

fn usage(msg: &str) -> ExitCode {
    warn!("error: {msg}");
    ExitCode::from(2)
}

/// Run settings after defaults and checks.
struct Settings {
    runs: u64,
    months: usize,
    threads: usize,
    seed: u64,
}

fn settings(c: &Common, sc: &Scenario) -> Result<Settings, ExitCode> {
    let runs = c.runs.unwrap_or(sc.meta.runs);
    if runs == 0 {
        return Err(usage("--runs must be at least 1"));
    }
    if runs > 100_000_000 {
        return Err(usage(&format!(
            "--runs {runs} is more than 100,000,000; split the work with several seeds"
        )));
    }
    let months = c.months.unwrap_or(sc.meta.months);
    if !(1..=600).contains(&months) {
        return Err(usage(&format!(
            "--months {months} must be between 1 and 600"
        )));
    }
    let threads = match c.threads {
        Some(0) => {
            return Err(usage(
                "--threads must be at least 1 (omit it to use all cores)",
            ));
        }
        Some(t) if t > 1024 => return Err(usage(&format!("--threads {t} is more than 1024"))),
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

fn create_dir(root: &Path, name: &str) -> Result<OutputDir, ExitCode> {
    OutputDir::create(root, name).map_err(|e| {
        warn!("error: cannot write to the output folder {}: {e}\n  help: choose a writable folder with --out DIR", root.display());
        ExitCode::from(1)
    })
}

/// Check the aggregation memory estimate against the budget (refuse up
/// front with the numbers and a suggestion) and announce it.
fn check_memory(
    c: &Common,
    models: &[&Model],
    threads: usize,
    monthly: bool,
) -> Result<(), ExitCode> {
    let need = engine::memory_estimate(models, threads, monthly);
    let mb = |b: u64| b as f64 / 1_048_576.0;
    let budget = c
        .max_memory_mb
        .map(|m| m.saturating_mul(1_048_576))
        .unwrap_or_else(|| machine_memory().map_or(u64::MAX, |m| m / 4 * 3));
    let m = models[0];
    if need > budget {
        return Err(usage(&format!(
            "this run needs about {:.0} MB for aggregation ({} series x {} months x {} aggregate(s) x {} thread(s) + 1), more than the {:.0} MB budget; use fewer --threads or --months or scenarios, or raise --max-memory-mb",
            mb(need),
            m.slots.n_monthly,
            m.months,
            (2 * models.len()).saturating_sub(1),
            threads,
            mb(budget)
        )));
    }
    if !c.quiet {
        warn!(
            "memory estimate for aggregation: about {:.0} MB (does not grow with runs)",
            mb(need)
        );
    }
    Ok(())
}

/// Total memory of the machine (Linux), if known.
/// The memory this process may use: the machine's, or a smaller cgroup
/// limit (Slurm allocations, Kubernetes pod limits).
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

/// Set by Ctrl-C (SIGINT), SIGTERM (a scheduler's time limit or `scancel`,
/// a pod being stopped) or SIGHUP: the engine stops at the next chunk,
/// nothing is committed, the temporary folder is removed. A second signal
/// exits at once.
static CANCEL: AtomicBool = AtomicBool::new(false);

fn cancel_flag() -> &'static AtomicBool {
    let _ = ctrlc::set_handler(|| {
        if CANCEL.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
    &CANCEL
}

fn progress_bar(total: u64, quiet: bool) -> Option<indicatif::ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let b = indicatif::ProgressBar::new(total);
    b.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} runs  {per_sec}  eta {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(b)
}

/// Exit code and message for an engine failure; the output folder (dropped
/// by the caller) is removed.
fn engine_failed(e: EngineError, seed: u64) -> ExitCode {
    match e {
        EngineError::Cancelled => {
            warn!("interrupted: no results written (earlier results, if any, are untouched)");
            ExitCode::from(130)
        }
        e => {
            warn!(
                "error: {e}\n  help: reproduce it alone with `tariffsim run SCENARIO --seed {seed} --only-run N` (N = the run named above) and check the parameter values named above"
            );
            ExitCode::from(1)
        }
    }
}

fn write_all(dir: &OutputDir, files: &[(&str, Vec<u8>)], out: &Path) -> Result<(), ExitCode> {
    for (name, bytes) in files {
        if let Err(e) = dir.write(name, bytes) {
            warn!(
                "error: cannot write {name}: {e}\n  help: check free space and permissions of {}",
                out.display()
            );
            return Err(ExitCode::from(1));
        }
    }
    Ok(())
}

fn commit(dir: OutputDir, quiet: bool, started: Instant) -> ExitCode {
    // Interrupted while writing: keep the earlier results, drop the new ones.
    if CANCEL.load(Ordering::SeqCst) {
        drop(dir);
        warn!("interrupted: no results written (earlier results, if any, are untouched)");
        return ExitCode::from(130);
    }
    match dir.commit() {
        Ok(p) => {
            if !quiet {
                warn!(
                    "wrote {} in {:.1} s",
                    p.display(),
                    started.elapsed().as_secs_f64()
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            warn!("error: cannot move results into place: {e}");
            ExitCode::from(1)
        }
    }
}

fn cmd_run(a: RunArgs) -> ExitCode {
    let c = &a.common;
    let shard = match &a.shard {
        None => None,
        Some(spec) => match tariffsim::shard::parse(spec, &|k| std::env::var(k).ok()) {
            Ok(s) => Some(s),
            Err(msg) => return usage(&format!("--shard {spec}: {msg}")),
        },
    };
    let sc = match load(&a.scenario, &c.sets) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let st = match settings(c, &sc) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let model = Model::new(&sc, st.months);
    if let Err(code) = check_memory(c, &[&model], st.threads, true) {
        return code;
    }
    let runs = match (a.only_run, shard) {
        (Some(r), _) => r..r + 1,
        (None, Some(s)) => tariffsim::shard::range(st.runs, s),
        (None, None) => 0..st.runs,
    };
    let folder = shard.map_or_else(
        || sc.meta.name.clone(),
        |s| tariffsim::shard::folder(&sc.meta.name, s),
    );
    let dir = match create_dir(&c.out, &folder) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let cancel = cancel_flag();
    if !c.quiet {
        let part = shard
            .map(|s| {
                format!(
                    " (shard {} of {}: runs {}..{})",
                    s.index, s.count, runs.start, runs.end
                )
            })
            .unwrap_or_default();
        warn!(
            "{}: {} runs{part} x {} months ({} series), seed {}, {} thread(s)",
            sc.meta.name, st.runs, st.months, model.slots.n_monthly, st.seed, st.threads
        );
    }
    let bar = progress_bar(runs.end - runs.start, c.quiet);
    let progress = |d: u64| {
        if let Some(b) = &bar {
            b.set_position(d);
        }
    };
    let started = Instant::now();
    let mut per_run_file = None;
    if a.per_run {
        match std::fs::File::create(dir.path().join("runs.csv")) {
            Ok(mut f) => {
                let _ =
                    std::io::Write::write_all(&mut f, engine::per_run_header(&model).as_bytes());
                per_run_file = Some(std::io::BufWriter::new(f));
            }
            Err(e) => {
                warn!("error: cannot create runs.csv: {e}");
                return ExitCode::from(1);
            }
        }
    }
    let plan = RunPlan {
        seed: st.seed,
        runs: runs.clone(),
        threads: st.threads,
    };
    let result = engine::run_monte_carlo(
        &model,
        &plan,
        per_run_file
            .as_mut()
            .map(|w| w as &mut (dyn std::io::Write + Send)),
        &progress,
        cancel,
    );
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let agg = match result {
        Ok(a) => a,
        Err(e) => {
            drop(dir);
            return engine_failed(e, st.seed);
        }
    };
    if let Some(mut w) = per_run_file
        && let Err(e) = std::io::Write::flush(&mut w)
    {
        warn!("error: cannot write runs.csv: {e}");
        return ExitCode::from(1);
    }
    if agg.runs != runs.end - runs.start {
        warn!(
            "error: {} of {} runs completed",
            agg.runs,
            runs.end - runs.start
        );
        return ExitCode::from(1);
    }
    let info = RunInfo {
        seed: st.seed,
        runs: if a.only_run.is_some() { 1 } else { st.runs },
        threads: st.threads,
        months: st.months,
        shard: shard.map(|s| (s.index, s.count)),
        wall_seconds: started.elapsed().as_secs_f64(),
        sets: c.sets.clone(),
        command: std::env::args().collect::<Vec<_>>().join(" "),
        scenario_path: std::fs::canonicalize(&a.scenario)
            .ok()
            .map(|p| p.display().to_string()),
        per_run: a.per_run,
        merged_shards: None,
    };
    if shard.is_some() {
        // A shard writes mergeable partial aggregates; `merge` writes the results.
        let files = [
            ("aggregate.bin", agg.encode()),
            ("manifest.json", output::manifest_json(&[&model], &info)),
        ];
        if let Err(code) = write_all(&dir, &files, &c.out) {
            return code;
        }
        return commit(dir, c.quiet, started);
    }
    if let Err(code) = write_results(&model, &agg, &info, &dir, &c.out, a.no_charts, c.quiet) {
        return code;
    }
    commit(dir, c.quiet, started)
}

/// The files of a completed run (also of a merge): CSVs, manifest, charts
/// and report, and the printed summary.
fn write_results(
    model: &Model,
    agg: &engine::Aggregator,
    info: &RunInfo,
    dir: &OutputDir,
    out: &Path,
    no_charts: bool,
    quiet: bool,
) -> Result<(), ExitCode> {
    if let Some((k, cell)) = agg
        .monthly
        .iter()
        .enumerate()
        .find(|(_, c)| c.nonfinite() > 0)
    {
        let l = &model.slots.labels[k / model.months];
        warn!(
            "error: {} run(s) produced a non-finite value or one beyond +-{:e} for {} {} {} {} in {}",
            cell.nonfinite(),
            engine::aggregate::MAX_MAGNITUDE,
            l.metric,
            l.economy,
            l.partner,
            l.sector,
            model.sc.month_label(k % model.months)
        );
        return Err(ExitCode::from(1));
    }
    let files = [
        ("summary.csv", output::summary_csv(model, agg)),
        ("final.csv", output::final_csv(model, agg)),
        ("events.csv", output::events_csv(model, agg)),
        ("sensitivity.csv", output::sensitivity_csv(model, agg)),
        ("manifest.json", output::manifest_json(&[model], info)),
    ];
    write_all(dir, &files, out)?;
    if !no_charts {
        let chart_started = Instant::now();
        if let Err(e) = write_charts(model, agg, info.seed, dir) {
            warn!("error: {e}");
            return Err(ExitCode::from(1));
        }
        if !quiet {
            warn!(
                "charts and report drawn in {:.1} s",
                chart_started.elapsed().as_secs_f64()
            );
        }
    }
    if !quiet {
        print_summary(model, agg);
    }
    Ok(())
}

fn cmd_merge(a: MergeArgs) -> ExitCode {
    let started = Instant::now();
    let mut shards = Vec::new();
    for d in &a.shards {
        match tariffsim::shard::read_manifest(d) {
            Ok(s) => shards.push(s),
            Err(msg) => return usage(&msg),
        }
    }
    if let Err(msg) = tariffsim::shard::check_complete(&shards) {
        return usage(&format!("cannot merge: {msg}"));
    }
    shards.sort_by_key(|s| s.index);
    let first = &shards[0];
    let scenario_path = a
        .scenario
        .clone()
        .unwrap_or_else(|| PathBuf::from(&first.scenario_path));
    let sc = match load(&scenario_path, &first.overrides) {
        Ok(s) => s,
        Err(code) => {
            warn!(
                "  (loading the scenario the shards ran: {})",
                first.scenario_path
            );
            return code;
        }
    };
    let hashes: Vec<&str> = sc.inputs.iter().map(|f| f.sha256.as_str()).collect();
    let recorded = first
        .identity
        .iter()
        .find(|(k, _)| *k == "inputs")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    if hashes.join(",") != recorded {
        return usage(&format!(
            "cannot merge: the input files of {} changed since the shards ran (their sha256 differ from the shard manifests); rerun the shards",
            first.scenario_path
        ));
    }
    let manifest: serde_json::Value = match std::fs::read_to_string(first.dir.join("manifest.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
    {
        Some(v) => v,
        None => {
            return usage(&format!(
                "{}: cannot read manifest.json",
                first.dir.display()
            ));
        }
    };
    let (seed, runs, months) = (
        manifest["seed"].as_u64().unwrap_or(0),
        manifest["runs"].as_u64().unwrap_or(0),
        manifest["months"].as_u64().unwrap_or(0) as usize,
    );
    if !(1..=600).contains(&months) {
        return usage(&format!(
            "{}: implausible months in manifest.json",
            first.dir.display()
        ));
    }
    let model = Model::new(&sc, months);
    let mut total: Option<engine::Aggregator> = None;
    for s in &shards {
        let bytes = match std::fs::read(s.dir.join("aggregate.bin")) {
            Ok(b) => b,
            Err(e) => {
                return usage(&format!(
                    "{}: cannot read aggregate.bin ({e}); the shard did not complete",
                    s.dir.display()
                ));
            }
        };
        let agg = match engine::Aggregator::decode(&bytes, &model) {
            Ok(g) => g,
            Err(msg) => {
                return usage(&format!(
                    "{}: aggregate.bin is not usable: {msg}",
                    s.dir.display()
                ));
            }
        };
        match &mut total {
            None => total = Some(agg),
            Some(t) => t.merge(agg),
        }
    }
    let Some(mut agg) = total else {
        return usage("no shard folders given");
    };
    agg.sample.sort_by_key(|r| r.0);
    if agg.runs != runs {
        return usage(&format!(
            "the shards hold {} runs, but their manifests say {runs}",
            agg.runs
        ));
    }
    let dir = match create_dir(&a.out, &sc.meta.name) {
        Ok(d) => d,
        Err(code) => return code,
    };
    if first.per_run {
        // Shards hold contiguous run blocks: concatenating in shard order gives
        // the unsharded file.
        let mut bytes = engine::per_run_header(&model).into_bytes();
        for s in &shards {
            match std::fs::read_to_string(s.dir.join("runs.csv")) {
                Ok(t) => t.lines().skip(1).for_each(|l| {
                    bytes.extend_from_slice(l.as_bytes());
                    bytes.push(b'\n');
                }),
                Err(e) => {
                    return usage(&format!("{}: cannot read runs.csv ({e})", s.dir.display()));
                }
            }
        }
        if let Err(code) = write_all(&dir, &[("runs.csv", bytes)], &a.out) {
            return code;
        }
    }
    let info = RunInfo {
        seed,
        runs,
        months,
        wall_seconds: started.elapsed().as_secs_f64(),
        sets: first.overrides.clone(),
        command: std::env::args().collect::<Vec<_>>().join(" "),
        scenario_path: Some(first.scenario_path.clone()),
        per_run: first.per_run,
        merged_shards: Some(first.count),
        ..Default::default()
    };
    if !a.quiet {
        warn!(
            "merged {} shards of {} ({} runs, seed {})",
            first.count, sc.meta.name, runs, seed
        );
    }
    if let Err(code) = write_results(&model, &agg, &info, &dir, &a.out, a.no_charts, a.quiet) {
        return code;
    }
    commit(dir, a.quiet, started)
}

/// Run several scenarios on common random numbers with a progress bar, and
/// describe the run for the manifest.
fn run_group(
    refs: &[&Model],
    st: &Settings,
    monthly: bool,
    c: &Common,
    cancel: &AtomicBool,
) -> Result<(engine::SetResult, RunInfo), EngineError> {
    let bar = progress_bar(st.runs, c.quiet);
    let progress = |d: u64| {
        if let Some(b) = &bar {
            b.set_position(d);
        }
    };
    let started = Instant::now();
    let plan = RunPlan {
        seed: st.seed,
        runs: 0..st.runs,
        threads: st.threads,
    };
    let result = engine::run_set(refs, &plan, monthly, None, &progress, cancel);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let info = RunInfo {
        seed: st.seed,
        runs: st.runs,
        threads: st.threads,
        months: st.months,
        wall_seconds: started.elapsed().as_secs_f64(),
        sets: c.sets.clone(),
        command: std::env::args().collect::<Vec<_>>().join(" "),
        ..Default::default()
    };
    result.map(|r| (r, info))
}

/// Load several scenarios with the same overrides and settings.
fn load_all(paths: &[PathBuf], c: &Common) -> Result<(Vec<Scenario>, Settings), ExitCode> {
    let mut scs = Vec::new();
    let mut bad = false;
    for p in paths {
        match load(p, &c.sets) {
            Ok(s) => scs.push(s),
            Err(_) => bad = true,
        }
    }
    if bad {
        return Err(ExitCode::from(2));
    }
    let st = settings(c, &scs[0])?;
    Ok((scs, st))
}

fn cmd_compare(a: CompareArgs) -> ExitCode {
    let c = &a.common;
    let (scs, st) = match load_all(&a.scenarios, c) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let models: Vec<Model> = scs.iter().map(|s| Model::new(s, st.months)).collect();
    let refs: Vec<&Model> = models.iter().collect();
    if let Err(msg) = tariffsim::compare::check_same_world(&refs) {
        return usage(&msg);
    }
    if let Err(code) = check_memory(c, &refs, st.threads, true) {
        return code;
    }
    let names: Vec<&str> = scs.iter().map(|s| s.meta.name.as_str()).collect();
    let mut folder = format!("compare-{}", names.join("-vs-"));
    folder.truncate(120);
    let dir = match create_dir(&c.out, &folder) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let cancel = cancel_flag();
    if !c.quiet {
        warn!(
            "comparing {} scenarios x {} runs x {} months on common random numbers, seed {}, {} thread(s)",
            scs.len(),
            st.runs,
            st.months,
            st.seed,
            st.threads
        );
    }
    let started = Instant::now();
    let (res, info) = match run_group(&refs, &st, true, c, cancel) {
        Ok(x) => x,
        Err(e) => {
            drop(dir);
            return engine_failed(e, st.seed);
        }
    };
    let files = [
        (
            "comparison.csv",
            tariffsim::compare::comparison_csv(&refs, &res),
        ),
        ("manifest.json", output::manifest_json(&refs, &info)),
    ];
    if let Err(code) = write_all(&dir, &files, &c.out) {
        return code;
    }
    if !a.no_charts {
        let chart_started = Instant::now();
        let drawn = tariffsim::charts::compare::charts(&refs, &res, st.seed)
            .map_err(|e| e.to_string())
            .and_then(|charts| {
                write_chart_files(&dir, &charts)?;
                let html = tariffsim::charts::compare::report_html(&refs, &res, st.seed, &charts);
                dir.write("report.html", html.as_bytes())
                    .map_err(|e| format!("cannot write report.html: {e}"))
            });
        if let Err(e) = drawn {
            warn!("error: {e}");
            return ExitCode::from(1);
        }
        if !c.quiet {
            warn!(
                "charts and report drawn in {:.1} s",
                chart_started.elapsed().as_secs_f64()
            );
        }
    }
    if !c.quiet {
        say!("median paired difference [5 %, 95 %], and the probability that it is worse:");
        for line in tariffsim::compare::headlines(&refs, &res) {
            say!("  {line}");
        }
    }
    commit(dir, c.quiet, started)
}

fn cmd_sweep(a: SweepArgs) -> ExitCode {
    let c = &a.common;
    let values = match tariffsim::sweep::parse_values(&a.values) {
        Ok(v) => v,
        Err(msg) => return usage(&format!("--values {}: {msg}", a.values)),
    };
    if let Err(d) = tariffsim::scenario::load::check_key(
        &a.scenario,
        &LoadOptions {
            sets: c.sets.clone(),
        },
        &a.param,
    ) {
        warn_raw!("{}", d.render());
        return ExitCode::from(2);
    }
    let mut scs = Vec::new();
    for v in &values {
        let mut sets = c.sets.clone();
        sets.push(format!("{}={v}", a.param));
        match load(&a.scenario, &sets) {
            Ok(s) => scs.push(s),
            Err(code) => {
                warn!("  (while setting {}={v})", a.param);
                return code;
            }
        }
    }
    let st = match settings(c, &scs[0]) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let models: Vec<Model> = scs.iter().map(|s| Model::new(s, st.months)).collect();
    let refs: Vec<&Model> = models.iter().collect();
    if let Err(code) = check_memory(c, &refs, st.threads, false) {
        return code;
    }
    let leaf = a.param.rsplit('.').next().unwrap_or("value");
    let mut folder = format!("{}-sweep-{}", scs[0].meta.name, a.param.replace('.', "-"));
    folder.truncate(120);
    let _ = leaf;
    let dir = match create_dir(&c.out, &folder) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let cancel = cancel_flag();
    if !c.quiet {
        warn!(
            "sweeping {} over {} values x {} runs x {} months on common random numbers, seed {}, {} thread(s)",
            a.param,
            values.len(),
            st.runs,
            st.months,
            st.seed,
            st.threads
        );
    }
    let started = Instant::now();
    let (res, info) = match run_group(&refs, &st, false, c, cancel) {
        Ok(x) => x,
        Err(e) => {
            drop(dir);
            return engine_failed(e, st.seed);
        }
    };
    let files = [
        (
            "sweep.csv",
            tariffsim::sweep::sweep_csv(&a.param, &values, &refs, &res),
        ),
        ("manifest.json", output::manifest_json(&refs, &info)),
    ];
    if let Err(code) = write_all(&dir, &files, &c.out) {
        return code;
    }
    if !a.no_charts {
        let drawn = tariffsim::charts::sweep::charts(&a.param, &values, &refs, &res, st.seed)
            .map_err(|e| e.to_string())
            .and_then(|charts| write_chart_files(&dir, &charts));
        if let Err(e) = drawn {
            warn!("error: {e}");
            return ExitCode::from(1);
        }
    }
    if !c.quiet {
        for line in tariffsim::sweep::table(&a.param, &values, &refs, &res) {
            say!("{line}");
        }
    }
    commit(dir, c.quiet, started)
}

fn cmd_sensitivity(a: SensitivityArgs) -> ExitCode {
    let c = &a.common;
    match a.method.as_str() {
        "sobol" => {}
        "spearman" => {
            return usage(
                "the rank-correlation (spearman) sensitivity is written by every `tariffsim run` as sensitivity.csv; use `run`, or --method sobol here",
            );
        }
        other => {
            return usage(&format!(
                "--method {other}: use sobol (or see sensitivity.csv of `run` for spearman)"
            ));
        }
    }
    if !(8..=1_000_000).contains(&a.samples) {
        return usage(&format!(
            "--samples {} must be between 8 and 1,000,000",
            a.samples
        ));
    }
    if a.bootstrap > 10_000 {
        return usage("--bootstrap must be at most 10,000");
    }
    let sc = match load(&a.scenario, &c.sets) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let st = match settings(c, &sc) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let model = Model::new(&sc, st.months);
    let k = model
        .sampled
        .iter()
        .filter(|p| {
            a.params.is_empty()
                || a.params
                    .iter()
                    .any(|f| sc.param(**p).path.contains(f.as_str()))
        })
        .count();
    if k == 0 {
        return usage(
            "no sampled parameter matches --param; list them with `tariffsim explain` or run without --param",
        );
    }
    let dir = match create_dir(&c.out, &format!("{}-sobol", sc.meta.name)) {
        Ok(d) => d,
        Err(code) => return code,
    };
    if !c.quiet {
        warn!(
            "{}: Sobol indices of {} parameters, N = {} -> {} model runs x {} months, seed {}, {} thread(s)",
            sc.meta.name,
            k,
            a.samples,
            a.samples * (k + 2),
            st.months,
            st.seed,
            st.threads
        );
    }
    let started = Instant::now();
    let report = match tariffsim::gsa::sobol(
        &model,
        st.seed,
        a.samples,
        a.bootstrap,
        st.threads,
        &a.params,
    ) {
        Ok(r) => r,
        Err(e) => {
            drop(dir);
            return engine_failed(EngineError::Run(e), st.seed);
        }
    };
    let info = RunInfo {
        seed: st.seed,
        runs: report.evaluations as u64,
        threads: st.threads,
        months: st.months,
        shard: None,
        wall_seconds: started.elapsed().as_secs_f64(),
        sets: c.sets.clone(),
        command: std::env::args().collect::<Vec<_>>().join(" "),
        ..Default::default()
    };
    let files = [
        ("sobol.csv", tariffsim::gsa::sobol_csv(&model, &report)),
        ("manifest.json", output::manifest_json(&[&model], &info)),
    ];
    if let Err(code) = write_all(&dir, &files, &c.out) {
        return code;
    }
    if !a.no_charts {
        let drawn = tariffsim::charts::sobol::charts(&model, &report, st.seed, a.samples)
            .map_err(|e| e.to_string())
            .and_then(|charts| write_chart_files(&dir, &charts));
        if let Err(e) = drawn {
            warn!("error: {e}");
            return ExitCode::from(1);
        }
    }
    if !c.quiet {
        for line in tariffsim::gsa::top_lines(&model, &report, 6) {
            say!("{line}");
        }
    }
    commit(dir, c.quiet, started)
}

/// Write rendered charts as charts/<name>.svg and charts/<name>.png.
fn write_chart_files(
    dir: &OutputDir,
    charts: &[tariffsim::charts::ChartFile],
) -> Result<(), String> {
    for c in charts {
        dir.write(&format!("charts/{}.svg", c.name), c.svg.as_bytes())
            .map_err(|e| format!("cannot write chart {}: {e}", c.name))?;
        dir.write(&format!("charts/{}.png", c.name), &c.png)
            .map_err(|e| format!("cannot write chart {}: {e}", c.name))?;
    }
    Ok(())
}

/// Charts (PNG and SVG) and the self-contained report, from aggregated results.
fn write_charts(
    model: &Model,
    agg: &engine::Aggregator,
    seed: u64,
    dir: &OutputDir,
) -> Result<(), String> {
    let baseline = model
        .baseline_output()
        .map_err(|e| format!("baseline path: {e}"))?;
    let data = tariffsim::charts::ChartData::new(model, agg, &baseline, seed);
    let charts = tariffsim::charts::render_all(&data).map_err(|e| e.to_string())?;
    for c in &charts {
        dir.write(&format!("charts/{}.svg", c.name), c.svg.as_bytes())
            .map_err(|e| format!("cannot write chart {}: {e}", c.name))?;
        dir.write(&format!("charts/{}.png", c.name), &c.png)
            .map_err(|e| format!("cannot write chart {}: {e}", c.name))?;
    }
    let html = tariffsim::charts::report_html(&data, &charts);
    dir.write("report.html", html.as_bytes())
        .map_err(|e| format!("cannot write report.html: {e}"))
}

/// A short table of headline outcomes: GDP deviation and growth at the horizon.
fn print_summary(model: &Model, agg: &engine::Aggregator) {
    let sl = &model.slots;
    let months = model.months;
    let end = model.sc.month_label(months - 1);
    say!(
        "\n{:<6} {:>26} {:>26}",
        "",
        "GDP vs baseline, avg %",
        format!("growth y/y {end}, %")
    );
    say!(
        "{:<6} {:>26} {:>26}",
        "",
        "median [5%, 95%]",
        "median [5%, 95%]"
    );
    let row = |name: &str,
               dev: &tariffsim::engine::aggregate::Cell,
               g: &tariffsim::engine::aggregate::Cell| {
        let d = dev.stats();
        let gs = g.stats();
        say!(
            "{name:<6} {:>26} {:>26}",
            format!("{:.2} [{:.2}, {:.2}]", d.p50, d.p05, d.p95),
            format!("{:.2} [{:.2}, {:.2}]", gs.p50, gs.p05, gs.p95)
        );
    };
    for i in 0..=sl.ne {
        let name = sl.labels[sl.gdp_dev + i].economy.clone();
        row(
            &name,
            &agg.finals[2 * (sl.gdp_dev + i) + 1],
            &agg.monthly[(sl.gdp_growth + i) * months + months - 1],
        );
    }
}

fn cmd_init(path: &Path) -> ExitCode {
    if path.exists() {
        return usage(&format!(
            "{} already exists; choose a new file name",
            path.display()
        ));
    }
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("starter");
    let data_name = format!("{stem}_trade.csv");
    let data_path = path.with_file_name(&data_name);
    if data_path.exists() {
        return usage(&format!(
            "{} already exists; choose a new file name",
            data_path.display()
        ));
    }
    let toml = tariffsim::init::STARTER_TOML.replace("{DATA}", &data_name);
    if let Err(e) = std::fs::write(path, toml)
        .and_then(|_| std::fs::write(&data_path, tariffsim::init::STARTER_CSV))
    {
        warn!("error: cannot write {}: {e}", path.display());
        return ExitCode::from(1);
    }
    say!(
        "wrote {} and {}\nnext: tariffsim explain {0}; tariffsim run {0}",
        path.display(),
        data_path.display()
    );
    ExitCode::SUCCESS
}
