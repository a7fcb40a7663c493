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
use std::sync::Arc;
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
    /// Run a scenario's Monte Carlo simulation and write CSVs and a manifest.
    Run(RunArgs),
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

#[derive(Args)]
struct RunArgs {
    /// Scenario file (.toml).
    scenario: PathBuf,
    /// Number of Monte Carlo runs (default: the scenario's `runs`).
    #[arg(long)]
    runs: Option<u64>,
    /// Random seed (default: the scenario's `seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Months to simulate (default: the scenario's `months`).
    #[arg(long)]
    months: Option<usize>,
    /// Output folder; results go to DIR/<scenario name>/.
    #[arg(long, default_value = "output")]
    out: PathBuf,
    /// Override a value by dotted path (repeatable), e.g. tariffs.us_on_cn.rate=0.5
    #[arg(long = "set", value_name = "KEY=VALUE")]
    sets: Vec<String>,
    /// Also write runs.csv: one row per run with sampled parameters and key outcomes.
    #[arg(long)]
    per_run: bool,
    /// Do not draw charts.
    #[arg(long)]
    no_charts: bool,
    /// Run only shard I of N of the runs (I in 1..=N).
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
    /// No progress bar and no summary table.
    #[arg(long)]
    quiet: bool,
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

fn cmd_run(a: RunArgs) -> ExitCode {
    if a.shard.is_some() {
        return usage(
            "--shard is not available in this version (sharded runs and `tariffsim merge` are planned); run without --shard",
        );
    }
    let sc = match load(&a.scenario, &a.sets) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let runs = a.runs.unwrap_or(sc.meta.runs);
    if runs == 0 {
        return usage("--runs must be at least 1");
    }
    if runs > 100_000_000 {
        return usage(&format!(
            "--runs {runs} is more than 100,000,000; split the work with several seeds"
        ));
    }
    let months = a.months.unwrap_or(sc.meta.months);
    if !(1..=600).contains(&months) {
        return usage(&format!("--months {months} must be between 1 and 600"));
    }
    let threads = match a.threads {
        Some(0) => return usage("--threads must be at least 1 (omit it to use all cores)"),
        Some(t) if t > 1024 => return usage(&format!("--threads {t} is more than 1024")),
        Some(t) => t,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let seed = a.seed.unwrap_or(sc.meta.seed);
    let model = Model::new(&sc, months);
    let dir = match OutputDir::create(&a.out, &sc.meta.name) {
        Ok(d) => d,
        Err(e) => {
            warn!(
                "error: cannot write to the output folder {}: {e}\n  help: choose a writable folder with --out DIR",
                a.out.display()
            );
            return ExitCode::from(1);
        }
    };
    let cancel = Arc::new(AtomicBool::new(false));
    {
        let c = cancel.clone();
        // A second Ctrl-C while stopping exits at once; the temporary folder is then left behind.
        let _ = ctrlc::set_handler(move || {
            if c.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
        });
    }
    let show_progress = !a.quiet && std::io::stderr().is_terminal();
    if !a.quiet {
        warn!(
            "{}: {} runs x {} months ({} series), seed {}, {} thread(s)",
            sc.meta.name, runs, months, model.slots.n_monthly, seed, threads
        );
    }
    let bar = if show_progress {
        let b = indicatif::ProgressBar::new(runs);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {pos}/{len} runs  {per_sec}  eta {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Some(b)
    } else {
        None
    };
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
        seed,
        runs: 0..runs,
        threads,
    };
    let result = engine::run_monte_carlo(
        &model,
        &plan,
        per_run_file
            .as_mut()
            .map(|w| w as &mut (dyn std::io::Write + Send)),
        &progress,
        &cancel,
    );
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let agg = match result {
        Ok(a) => a,
        Err(EngineError::Cancelled) => {
            drop(dir);
            warn!("interrupted: no results written (earlier results, if any, are untouched)");
            return ExitCode::from(130);
        }
        Err(e) => {
            drop(dir);
            warn!(
                "error: {e}\n  help: rerun that run alone with --seed {seed} and check the parameter values named above"
            );
            return ExitCode::from(1);
        }
    };
    if let Some(mut w) = per_run_file
        && let Err(e) = std::io::Write::flush(&mut w)
    {
        warn!("error: cannot write runs.csv: {e}");
        return ExitCode::from(1);
    }
    if agg.runs != runs {
        warn!("error: {} of {runs} runs completed", agg.runs);
        return ExitCode::from(1);
    }
    if let Some((k, c)) = agg
        .monthly
        .iter()
        .enumerate()
        .find(|(_, c)| c.nonfinite() > 0)
    {
        let l = &model.slots.labels[k / months];
        warn!(
            "error: {} run(s) produced a non-finite value for {} {} {} {} in {}",
            c.nonfinite(),
            l.metric,
            l.economy,
            l.partner,
            l.sector,
            sc.month_label(k % months)
        );
        return ExitCode::from(1);
    }
    let info = RunInfo {
        seed,
        runs,
        threads,
        months,
        shard: None,
        wall_seconds: started.elapsed().as_secs_f64(),
        sets: a.sets.clone(),
        command: std::env::args().collect::<Vec<_>>().join(" "),
    };
    let files: [(&str, Vec<u8>); 5] = [
        ("summary.csv", output::summary_csv(&model, &agg)),
        ("final.csv", output::final_csv(&model, &agg)),
        ("events.csv", output::events_csv(&model, &agg)),
        ("sensitivity.csv", output::sensitivity_csv(&model, &agg)),
        ("manifest.json", output::manifest_json(&model, &info)),
    ];
    for (name, bytes) in &files {
        if let Err(e) = dir.write(name, bytes) {
            warn!(
                "error: cannot write {name}: {e}\n  help: check free space and permissions of {}",
                a.out.display()
            );
            return ExitCode::from(1);
        }
    }
    if !a.no_charts {
        let chart_started = Instant::now();
        if let Err(e) = write_charts(&model, &agg, seed, &dir) {
            warn!("error: {e}");
            return ExitCode::from(1);
        }
        if !a.quiet {
            warn!("charts and report drawn in {:.1} s", chart_started.elapsed().as_secs_f64());
        }
    }
    match dir.commit() {
        Ok(p) => {
            if !a.quiet {
                print_summary(&model, &agg);
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

/// Charts (PNG and SVG) and the self-contained report, from aggregated results.
fn write_charts(model: &Model, agg: &engine::Aggregator, seed: u64, dir: &OutputDir) -> Result<(), String> {
    let baseline = model.baseline_output().map_err(|e| format!("baseline path: {e}"))?;
    let data = tariffsim::charts::ChartData::new(model, agg, &baseline, seed);
    let charts = tariffsim::charts::render_all(&data).map_err(|e| e.to_string())?;
    for c in &charts {
        dir.write(&format!("charts/{}.svg", c.name), c.svg.as_bytes()).map_err(|e| format!("cannot write chart {}: {e}", c.name))?;
        dir.write(&format!("charts/{}.png", c.name), &c.png).map_err(|e| format!("cannot write chart {}: {e}", c.name))?;
    }
    let html = tariffsim::charts::report_html(&data, &charts);
    dir.write("report.html", html.as_bytes()).map_err(|e| format!("cannot write report.html: {e}"))
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
        "", "median [5%, 95%]", "median [5%, 95%]"
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
