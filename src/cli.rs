//! The command-line interface of the `tariffsim` binary: clap definitions
//! and their conversion to the library's typed options. Binary only; the
//! library never sees clap types.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use tariffsim::commands::{self, compare::CompareOptions, merge::MergeOptions, run::RunOptions};
use tariffsim::commands::{sensitivity::SensitivityOptions, sweep::SweepOptions};

#[derive(Parser)]
#[command(name = "tariffsim", version, about = "Monte Carlo simulation of tariffs, export licensing and retaliation: trade flows, prices, critical supplies and GDP growth", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run a scenario's Monte Carlo simulation and write CSVs, charts, a report and a manifest.
    Run(RunArgs),
    /// Run scenarios on the same draws and write paired differences against the first.
    Compare(CompareArgs),
    /// Run one scenario per value of one parameter (common random numbers) and write outcome-versus-value tables.
    Sweep(SweepArgs),
    /// Global sensitivity of key outcomes to the sampled parameters (Sobol indices with 95 % intervals).
    Sensitivity(SensitivityArgs),
    /// Merge shard folders (from `run`, `compare`, `sweep` or `sensitivity` with `--shard`) into the files the unsharded command writes.
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
        /// List every sampled parameter instead: its `--set` path, its
        /// distribution and its central value (the `runs.csv` columns).
        #[arg(long)]
        params: bool,
    },
    /// Write a commented starter scenario (and its data file) that validates.
    Init {
        /// Path of the new scenario file (.toml).
        path: PathBuf,
    },
    /// Print the JSON Schema of scenario files, for TOML editors: `tariffsim schema > tariffsim.schema.json` (see README, "Editor support").
    Schema,
    /// Print the shell completion script for SHELL to stdout (see README, "Shell completions and man page").
    Completions {
        /// The shell: bash, zsh, fish, elvish or powershell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout, or with --out write tariffsim.1 and one page per command (tariffsim-run.1, ...) into a folder.
    Man {
        /// Folder to write the pages into (created if missing) instead of printing the main page.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

/// Options shared by the commands that run simulations.
#[derive(Args)]
pub struct Common {
    /// Number of Monte Carlo runs (default: the (first) scenario's `runs`).
    #[arg(long)]
    pub runs: Option<u64>,
    /// Random seed (default: the (first) scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Months to simulate (default: the scenario's `months`).
    #[arg(long)]
    pub months: Option<usize>,
    /// Output folder; results go to a subfolder named after the scenario or comparison.
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
    /// Override a value by dotted path (repeatable), e.g. tariffs.us_on_cn.rate=0.5
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub sets: Vec<String>,
    /// No progress bar and no summary table.
    #[arg(long)]
    pub quiet: bool,
    /// Refuse to start if aggregation would need more memory than this (MB; default: 3/4 of the machine's memory).
    #[arg(long, value_name = "MB")]
    pub max_memory_mb: Option<u64>,
    /// Chart canvas: `report` (as designed, 240 dpi), `column` (6.5-inch report column, 1560 px at 240 dpi) or `slides` (16:9, 1920 x 1080 at 144 dpi).
    #[arg(long, value_enum, default_value_t = tariffsim::charts::ChartSize::Report)]
    pub chart_size: tariffsim::charts::ChartSize,
    #[command(flatten)]
    pub folder: Folder,
}

/// Where the result folder goes (see README, "Output folders").
#[derive(Args)]
pub struct Folder {
    /// Name of the result folder under --out (default: the scenario's name). A folder of that name holding other inputs' results, or not written by tariffsim, is never touched: the results go to NAME-2, NAME-3, ...
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Replace tariffsim's own earlier result in the folder even if its inputs differ (never a folder tariffsim did not write).
    #[arg(long)]
    pub replace: bool,
}

#[derive(Args)]
pub struct RunArgs {
    /// Scenario file (.toml).
    pub scenario: PathBuf,
    #[command(flatten)]
    pub common: Common,
    /// Also write runs.csv: one row per run with sampled parameters and key outcomes.
    #[arg(long)]
    pub per_run: bool,
    /// Do not draw charts or the report.
    #[arg(long)]
    pub no_charts: bool,
    /// Simulate only run index N (to reproduce one run, e.g. a failed one, alone: its draws are those of run N of the full run).
    #[arg(long, value_name = "N", conflicts_with = "shard")]
    pub only_run: Option<u64>,
    /// Run only shard I of N of the runs (I in 0..N), or `auto` / `auto/N` (from a Slurm array, Kubernetes Indexed Job, AWS Batch array or Google Cloud Batch task; see docs/distributed.md); writes DIR/<name>.shard-I-of-N/ for `merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Also split the runs in two by whether rule RULE (its id in the scenario's [rules.RULE]) fired at any month: writes split.csv (the aggregate series per group) and the chart split_RULE.
    #[arg(long, value_name = "RULE")]
    pub split_by: Option<String>,
    #[command(flatten)]
    pub detail: Detail,
}

/// `--detail`: which monthly series are written.
#[derive(Args)]
pub struct Detail {
    /// Monthly series in summary.csv (and comparison.csv, results.xlsx): `aggregates` (every series but the imports of one importer from one partner in one sector) or `flows` (those per-flow series too: about twice the rows and the aggregation time). Horizon outcomes per flow are always in final.csv.
    #[arg(long, value_enum, default_value_t = tariffsim::engine::Monthly::Aggregates)]
    pub detail: tariffsim::engine::Monthly,
}

#[derive(Args)]
pub struct CompareArgs {
    /// Scenario files; the first is the reference.
    #[arg(required = true, num_args = 2..)]
    pub scenarios: Vec<PathBuf>,
    #[command(flatten)]
    pub common: Common,
    #[command(flatten)]
    pub paired: Paired,
    #[command(flatten)]
    pub detail: Detail,
    /// Run only shard I of N of the runs, every scenario on the same block (I in 0..N), or `auto` / `auto/N` as for `run`; writes DIR/compare-A-vs-B.shard-I-of-N/ for `merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
}

/// Options of the commands that report paired differences (compare, sweep).
#[derive(Args)]
pub struct Paired {
    /// Do not draw charts (nor, for compare, the report).
    #[arg(long)]
    pub no_charts: bool,
    /// Tie tolerance of P(worse): differences smaller than this share of the
    /// reference scenario's level count as ties (0.001 = 0.1 %).
    #[arg(long, value_name = "SHARE", default_value_t = tariffsim::analysis::compare::TIE_REL,
          value_parser = tie_share)]
    pub tie: f64,
}

/// A tie share: a number in [0, 1).
fn tie_share(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if (0.0..1.0).contains(&x) => Ok(x),
        _ => Err(format!(
            "`{s}` is not a share in [0, 1): write e.g. 0.001 for 0.1 % of the reference level"
        )),
    }
}

#[derive(Args)]
pub struct SweepArgs {
    /// Scenario file (.toml).
    pub scenario: PathBuf,
    /// Dotted path of the value to sweep, e.g. tariffs.us_on_cn.rate
    #[arg(long, value_name = "KEY")]
    pub param: String,
    /// Values: a list `V1,V2,...` or an exact range `start:stop:step` (at most 200 values).
    #[arg(long, value_name = "VALUES", allow_hyphen_values = true)]
    pub values: String,
    #[command(flatten)]
    pub common: Common,
    #[command(flatten)]
    pub paired: Paired,
    /// Run only shard I of N of the runs, every value on the same block (I in 0..N), or `auto` / `auto/N` as for `run`; writes DIR/<name>-sweep-<key>.shard-I-of-N/ for `merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
}

#[derive(Args)]
pub struct MergeArgs {
    /// Shard folders written by `run`, `compare`, `sweep` or `sensitivity` with `--shard I/N` (all N of them, of one command).
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// Output folder; results go to the folder the unsharded command would write under it.
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
    /// Do not draw charts or the report.
    #[arg(long)]
    pub no_charts: bool,
    /// No summary table.
    #[arg(long)]
    pub quiet: bool,
    /// Chart canvas: `report`, `column` or `slides` (see `run --help`).
    #[arg(long, value_enum, default_value_t = tariffsim::charts::ChartSize::Report)]
    pub chart_size: tariffsim::charts::ChartSize,
    /// The scenario file, if not at the path the shards recorded (e.g. shards copied from another machine); its inputs must be unchanged. For a comparison, repeat it once per scenario, in order.
    #[arg(long)]
    pub scenario: Vec<PathBuf>,
    #[command(flatten)]
    pub folder: Folder,
}

#[derive(Args)]
pub struct SensitivityArgs {
    /// Scenario file (.toml).
    pub scenario: PathBuf,
    /// `sobol` (variance-based, Saltelli design), the only method here; the
    /// rank correlations are in every run's sensitivity.csv.
    #[arg(long, default_value = "sobol")]
    pub method: String,
    /// Base sample size N of the Saltelli design (N x (k + 2) model runs for k parameters); a power of two suits the qmc design best.
    #[arg(long, default_value_t = 256)]
    pub samples: usize,
    /// Where the design's uniforms come from: `qmc` (scrambled Sobol' points, randomised quasi-Monte Carlo; at most 512 parameters) or `random` (independent keyed pseudo-random draws, the earlier default; its results are unchanged).
    #[arg(long, default_value = "qmc", value_parser = design_word)]
    pub design: tariffsim::sensitivity::sobol::Design,
    /// Bootstrap resamples for the confidence intervals of `--design random` (the qmc design's intervals come from 8 blocks of its rows).
    #[arg(long, default_value_t = 200)]
    pub bootstrap: usize,
    /// Only parameters whose path contains this text (repeatable); the others stay at their central values.
    #[arg(long = "param", value_name = "TEXT")]
    pub params: Vec<String>,
    #[command(flatten)]
    pub common: Common,
    /// Do not draw charts.
    #[arg(long)]
    pub no_charts: bool,
    /// Evaluate only shard I of N of the design rows (I in 0..N), or `auto` / `auto/N` as for `run`; writes DIR/<name>-sobol.shard-I-of-N/ for `merge`, which computes the indices.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
}

/// A `--design` word.
fn design_word(s: &str) -> Result<tariffsim::sensitivity::sobol::Design, String> {
    tariffsim::sensitivity::sobol::Design::parse(s).ok_or_else(|| {
        format!("`{s}` is not a design: use qmc (scrambled Sobol' points) or random")
    })
}

/// The command line as typed, for manifests.
fn command_line() -> String {
    std::env::args().collect::<Vec<_>>().join(" ")
}

impl Common {
    pub fn options(self) -> commands::Common {
        commands::Common {
            runs: self.runs,
            seed: self.seed,
            threads: self.threads,
            months: self.months,
            out: self.out,
            sets: self.sets,
            quiet: self.quiet,
            max_memory_mb: self.max_memory_mb,
            name: self.folder.name,
            replace: self.folder.replace,
            command_line: command_line(),
            chart_size: self.chart_size,
            detail: tariffsim::engine::Monthly::default(),
        }
    }
}

/// `--shard SPEC`, read with the process environment for `auto`.
///
/// # Errors
/// A `--shard` that does not parse (the message says why).
fn shard(
    spec: Option<&str>,
) -> Result<Option<tariffsim::engine::shard::Shard>, commands::CommandError> {
    spec.map(|spec| {
        tariffsim::engine::shard::parse(spec, &|k| std::env::var(k).ok())
            .map_err(|msg| commands::CommandError::Usage(format!("--shard {spec}: {msg}")))
    })
    .transpose()
}

impl RunArgs {
    /// # Errors
    /// A `--shard` that does not parse (the message says why).
    pub fn options(self) -> Result<RunOptions, commands::CommandError> {
        let shard = shard(self.shard.as_deref())?;
        Ok(RunOptions {
            scenario: self.scenario,
            common: commands::Common {
                detail: self.detail.detail,
                ..self.common.options()
            },
            per_run: self.per_run,
            no_charts: self.no_charts,
            only_run: self.only_run,
            shard,
            split_by: self.split_by,
        })
    }
}

impl CompareArgs {
    /// # Errors
    /// A `--shard` that does not parse (the message says why).
    pub fn options(self) -> Result<CompareOptions, commands::CommandError> {
        Ok(CompareOptions {
            shard: shard(self.shard.as_deref())?,
            scenarios: self.scenarios,
            common: commands::Common {
                detail: self.detail.detail,
                ..self.common.options()
            },
            no_charts: self.paired.no_charts,
            tie: self.paired.tie,
        })
    }
}

impl SweepArgs {
    /// # Errors
    /// A `--shard` that does not parse (the message says why).
    pub fn options(self) -> Result<SweepOptions, commands::CommandError> {
        Ok(SweepOptions {
            shard: shard(self.shard.as_deref())?,
            scenario: self.scenario,
            param: self.param,
            values: self.values,
            common: self.common.options(),
            no_charts: self.paired.no_charts,
            tie: self.paired.tie,
        })
    }
}

impl SensitivityArgs {
    /// # Errors
    /// A `--shard` that does not parse (the message says why).
    pub fn options(self) -> Result<SensitivityOptions, commands::CommandError> {
        Ok(SensitivityOptions {
            shard: shard(self.shard.as_deref())?,
            scenario: self.scenario,
            method: self.method,
            samples: self.samples,
            design: self.design,
            bootstrap: self.bootstrap,
            params: self.params,
            common: self.common.options(),
            no_charts: self.no_charts,
        })
    }
}

impl MergeArgs {
    pub fn options(self) -> MergeOptions {
        MergeOptions {
            shards: self.shards,
            scenario: self.scenario,
            common: commands::Common {
                out: self.out,
                quiet: self.quiet,
                name: self.folder.name,
                replace: self.folder.replace,
                command_line: command_line(),
                chart_size: self.chart_size,
                ..Default::default()
            },
            no_charts: self.no_charts,
        }
    }
}
