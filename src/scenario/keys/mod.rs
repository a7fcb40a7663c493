//! The keys of every table of the scenario format, with what each holds and
//! a short description: the one list that the validator's unknown-key check
//! (`compile`) and the JSON Schema of `tariffsim schema` (`schema`) both
//! read, so that an editor's schema cannot drift from what `validate`
//! accepts. The order of each list is the order of the "did you mean" and
//! "valid keys" messages.

use super::compile::{
    Bounds, DEMAND_ELASTICITY, ELASTICITY, GROWTH, HALF_LIFE, MEASURE_RATE, MONTHS, NOISE, NONNEG,
    NONNEG_OR_INF, POS, POS_OR_INF, RATE, SCALE, SHARE,
};
use super::{MAX_MONTHS, MAX_RUNS};

mod rules;
mod supply;

pub use rules::*;
pub use supply::*;

/// One key of a table: its name, what its value is, and what it means.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    pub name: &'static str,
    pub kind: Kind,
    pub doc: &'static str,
}

/// What a key's value may be, as the validator accepts it.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A fixed number in the range (a percent string for rates and shares).
    Number(Bounds),
    /// A number in the range, or a distribution table sampled once per run.
    Param(Bounds),
    /// A whole number in the range, or a distribution (its draws rounded).
    IntParam(Bounds),
    /// A whole number from the first to the second limit.
    Integer(i64, i64),
    Text,
    /// A short one-line name for charts (not blank).
    Label,
    Bool,
    Date,
    /// A file path, relative to the file that names it.
    Path,
    /// One of a closed set of words.
    Word(&'static [&'static str]),
    /// The id of an entry defined elsewhere (economy, sector, regime, rule).
    Ref,
    /// An id, a list of ids, or "ALL" (every other one).
    RefList,
    /// `[[date, value], ...]`, dates increasing.
    Dated(&'static Kind),
    /// `[date, date]`: a window of months.
    DatePair,
    /// `[[importer, partner or "ALL"], ...]`.
    Pairs,
    /// An array of values of one kind, with at least `min` and at most `max` items.
    List {
        item: &'static Kind,
        min: u64,
        max: Option<u64>,
    },
    /// A table with these keys.
    Table(&'static [Key]),
    /// A table of one key out of these (a rule's condition or action).
    OneOf(&'static [Key]),
    /// A rule condition (`CONDITION`), nested in `all` and `any`.
    Condition,
    /// A table of user-named entries, each a table with these keys.
    Named(Ids, &'static [Key]),
    /// A table from ids to values of one kind.
    Map(Ids, &'static Kind),
    /// A key kept only to explain its removal: always refused.
    Removed,
}

/// The shape of user-chosen ids (table names), as the validator checks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ids {
    /// Economies: 1-12 upper-case letters, digits or `_`, starting with a
    /// letter; `WORLD` and `ALL` are reserved.
    Economy,
    /// Sectors: lower-case letters, digits and `_`, starting with a letter
    /// (at most 40); `all` is reserved.
    Sector,
    /// Tariff measures, rules and regimes: letters, digits, `_`, `-` (at most 64).
    Name,
}

/// The names of a key list, for the unknown-key check and its suggestions.
pub fn names(keys: &[Key]) -> Vec<&'static str> {
    keys.iter().map(|k| k.name).collect()
}

const fn key(name: &'static str, kind: Kind, doc: &'static str) -> Key {
    Key { name, kind, doc }
}

/// Tariff modes (`mode = "add"` / `"set"`).
pub const MODES: &[&str] = &["add", "set"];

/// A distribution kind and its keys (`dist` first, then its parameters in
/// the order the "takes ..." help lists them).
#[derive(Debug, Clone, Copy)]
pub struct DistKind {
    pub name: &'static str,
    pub keys: &'static [&'static str],
    /// The parameters without a default.
    pub required: &'static [&'static str],
    pub doc: &'static str,
}

/// Every distribution kind; each also takes a `label` (`DIST_LABEL`).
pub const DISTRIBUTIONS: &[DistKind] = &[
    DistKind {
        name: "normal",
        keys: &["dist", "mean", "sd", "min", "max"],
        required: &["mean", "sd"],
        doc: "normal with mean and sd, optionally truncated to [min, max]",
    },
    DistKind {
        name: "lognormal",
        keys: &["dist", "median", "sigma", "min", "max"],
        required: &["median", "sigma"],
        doc: "lognormal with median and sigma (the sd of the log), optionally truncated to [min, max]",
    },
    DistKind {
        name: "uniform",
        keys: &["dist", "min", "max"],
        required: &["min", "max"],
        doc: "uniform on [min, max]",
    },
    DistKind {
        name: "triangular",
        keys: &["dist", "min", "mode", "max"],
        required: &["min", "mode", "max"],
        doc: "triangular on [min, max] with its peak at mode",
    },
    DistKind {
        name: "pert",
        keys: &["dist", "min", "mode", "max", "lambda"],
        required: &["min", "mode", "max"],
        doc: "PERT on [min, max] with mode; lambda (default 4) sets how peaked",
    },
    DistKind {
        name: "beta",
        keys: &["dist", "alpha", "beta", "min", "max"],
        required: &["alpha", "beta"],
        doc: "beta(alpha, beta) rescaled to [min, max] (default [0, 1])",
    },
    DistKind {
        name: "choice",
        keys: &["dist", "values", "weights"],
        required: &["values"],
        doc: "one of values, with optional weights (default equal)",
    },
];

/// The key every distribution table takes besides its own.
pub const DIST_LABEL: &str = "label";

/// The names of the distribution kinds, for suggestions.
pub fn dist_names() -> Vec<&'static str> {
    DISTRIBUTIONS.iter().map(|d| d.name).collect()
}

/// The top level of a scenario file.
pub const ROOT: &[Key] = &[
    key(
        "base",
        Kind::Path,
        "a scenario file this one is merged over (relative to this file); tables merge key by key",
    ),
    key(
        "scenario",
        Kind::Table(SCENARIO),
        "name, start, horizon, runs and seed",
    ),
    key(
        "economies",
        Kind::Named(Ids::Economy, ECONOMY),
        "the economies, one table each: [economies.US]",
    ),
    key(
        "sectors",
        Kind::Named(Ids::Sector, SECTOR),
        "the sectors, one table each: [sectors.electronics]",
    ),
    key(
        "trade",
        Kind::Table(TRADE),
        "the CSV data files of baseline flows, tariffs and tariff lines",
    ),
    key(
        "tariffs",
        Kind::Named(Ids::Name, TARIFF),
        "scheduled tariff measures, one table each: [tariffs.us_on_cn]",
    ),
    key(
        "licensing",
        Kind::Table(LICENSING),
        "export licensing of a critical input (Block 4)",
    ),
    key(
        "rerouting",
        Kind::Table(REROUTING),
        "goods of a targeted exporter declared through hub economies (Block 3b)",
    ),
    key(
        "rules",
        Kind::Named(Ids::Name, RULE),
        "retaliation, escalation and deal rules, one table each: [rules.cn_matches_us]",
    ),
    key(
        "macro",
        Kind::Table(MACRO),
        "tariff-policy uncertainty and exchange-rate parameters",
    ),
    key(
        "report",
        Kind::Table(REPORT),
        "what the charts, headline tables and printed summaries feature",
    ),
];

/// `[scenario]`.
pub const SCENARIO: &[Key] = &[
    key(
        "name",
        Kind::Text,
        "used for the output folder: 1-80 letters, digits, `-` or `_`",
    ),
    key(
        "description",
        Kind::Text,
        "what the scenario represents and where its numbers come from",
    ),
    key("start", Kind::Date, "first simulated month, \"YYYY-MM\""),
    key(
        "months",
        Kind::Integer(1, MAX_MONTHS as i64),
        "horizon in months (default 36)",
    ),
    key(
        "runs",
        Kind::Integer(1, MAX_RUNS as i64),
        "default number of Monte Carlo runs (default 10000)",
    ),
    key(
        "seed",
        Kind::Integer(0, i64::MAX),
        "default random seed (default 1)",
    ),
];

/// `[economies.ID]`.
pub const ECONOMY: &[Key] = &[
    key("name", Kind::Text, "display name (default: the id)"),
    key(
        "gdp_usd_bn",
        Kind::Number(POS),
        "base-year nominal GDP, USD bn",
    ),
    key(
        "growth_pct",
        Kind::Param(GROWTH),
        "baseline real GDP growth, % per year",
    ),
    key(
        "revenue_recycled",
        Kind::Param(SHARE),
        "share of tariff revenue recycled into domestic spending (default 0.5)",
    ),
    key(
        "demand_burden",
        Kind::Param(Bounds { hi: 10.0, ..NONNEG }),
        "GDP loss per unit of unrecycled tariff revenue, both as % of GDP (default 0)",
    ),
    key(
        "tpu_sensitivity",
        Kind::Removed,
        "moved to [macro] in model 2: one coefficient for every economy",
    ),
    key(
        "multiplier",
        Kind::Param(Bounds { hi: 10.0, ..POS }),
        "multiplier on the demand-side terms (default 1)",
    ),
    key(
        "households",
        Kind::Table(HOUSEHOLDS),
        "household data for the consumer-price outputs: all three keys",
    ),
];

/// `economies.ID.households`.
pub const HOUSEHOLDS: &[Key] = &[
    key(
        "millions",
        Kind::Number(Bounds { hi: 1e4, ..POS }),
        "number of households, millions",
    ),
    key(
        "consumption_share",
        Kind::Number(SHARE),
        "household final consumption / GDP",
    ),
    key(
        "goods_share",
        Kind::Number(SHARE),
        "goods' share of household consumption",
    ),
];

/// `[sectors.ID]`.
pub const SECTOR: &[Key] = &[
    key("name", Kind::Text, "display name (default: the id)"),
    key(
        "sigma_import",
        Kind::Param(ELASTICITY),
        "Armington elasticity among import sources",
    ),
    key(
        "sigma_domestic",
        Kind::Param(ELASTICITY),
        "elasticity between domestic goods and the import composite",
    ),
    key(
        "eta",
        Kind::Param(DEMAND_ELASTICITY),
        "price elasticity of composite demand",
    ),
    key(
        "va_share",
        Kind::Number(SHARE),
        "value added / gross output",
    ),
    key(
        "half_life_months",
        Kind::Param(HALF_LIFE),
        "half-life of flow adjustment toward the short-run equilibrium",
    ),
    key(
        "sr_ratio",
        Kind::Param(Bounds {
            lo: 0.0,
            lo_open: true,
            ..SHARE
        }),
        "short-run elasticities as a share of the long-run ones (default 1: one speed)",
    ),
    key(
        "lr_half_life_months",
        Kind::Param(HALF_LIFE),
        "half-life of the move from the short-run to the long-run equilibrium (default half_life_months)",
    ),
    key(
        "epsilon",
        Kind::Param(POS_OR_INF),
        "export-supply elasticity of producers, all exporters (inf: perfectly elastic)",
    ),
    key(
        "epsilon_by_exporter",
        Kind::Map(Ids::Economy, &Kind::Param(POS_OR_INF)),
        "per-exporter overrides of epsilon: { US = 2.0, CN = 20 }",
    ),
    key(
        "noise_sd",
        Kind::Param(NOISE),
        "sd of the monthly multiplicative (lognormal) noise on flows (default 0)",
    ),
    key(
        "noise_common",
        Kind::Number(SHARE),
        "share of the noise variance common to all flows into one importer (default 0)",
    ),
    key(
        "frontload",
        Kind::Param(Bounds { hi: 10.0, ..NONNEG }),
        "flows rise by this share of an announced tariff increase before it takes effect (default 0)",
    ),
    key(
        "payback_months",
        Kind::Integer(1, 60),
        "months over which front-loaded volume is paid back (default 3)",
    ),
    key(
        "wait_months",
        Kind::Param(Bounds { hi: 24.0, ..MONTHS }),
        "longest hold-off of orders under an increase expected to be reversed (default 3)",
    ),
];

/// `[trade]`.
pub const TRADE: &[Key] = &[
    key(
        "flows",
        Kind::Path,
        "CSV exporter,importer,sector,value_usd_bn,source: baseline flows incl. domestic supply, USD bn/yr",
    ),
    key(
        "baseline_tariffs",
        Kind::Path,
        "CSV importer,exporter,sector,rate,source: base-year applied tariffs (missing rows are 0)",
    ),
    key(
        "lines",
        Kind::Path,
        "CSV importer,exporter,sector,line,share,source: tariff lines that split flows; \"\" drops a base file's lines",
    ),
];

/// `[tariffs.ID]`.
pub const TARIFF: &[Key] = &[
    key(
        "by",
        Kind::Ref,
        "the importer imposing the tariff (economy id)",
    ),
    key(
        "on",
        Kind::RefList,
        "the targeted exporters: an economy id, a list, or \"ALL\" (every other economy)",
    ),
    key(
        "sectors",
        Kind::RefList,
        "sector ids covered (default: all sectors)",
    ),
    key(
        "rate",
        Kind::Param(MEASURE_RATE),
        "simple form: the rate from `from` on, -1 to 100 (0.25 = 25 %, or \"25%\"; negative: a cut)",
    ),
    key(
        "from",
        Kind::Date,
        "simple form: when the rate takes effect",
    ),
    key("until", Kind::Date, "simple form: optional end date"),
    key(
        "path",
        Kind::Dated(&Kind::Param(MEASURE_RATE)),
        "path form: [[date, rate], ...], the rate from each date on",
    ),
    key(
        "mode",
        Kind::Word(MODES),
        "add (default): stacks on the baseline and other measures; set: replaces the pair's additional tariff",
    ),
    key(
        "announced",
        Kind::Date,
        "announcement date; front-loading runs from here to the first step",
    ),
    key(
        "lines",
        Kind::RefList,
        "the tariff lines covered (trade.lines; `rest` is the remainder); default every line",
    ),
    key(
        "except_lines",
        Kind::RefList,
        "all tariff lines but these are covered",
    ),
    key(
        "belief",
        Kind::Param(SHARE),
        "importers' belief that each increase will be reversed soon (default 0)",
    ),
    key(
        "scale",
        Kind::Number(SCALE),
        "multiplies the rate of every step (default 1)",
    ),
    key("description", Kind::Text, "what the measure is"),
    key(
        "enabled",
        Kind::Bool,
        "false switches the measure off (default true)",
    ),
];

/// `[macro]`.
pub const MACRO: &[Key] = &[
    key(
        "tpu_sensitivity",
        Kind::Param(Bounds {
            hi: 1000.0,
            ..NONNEG
        }),
        "GDP effect (% of GDP) per unit of unexpected tariff gap, before saturation (default 0)",
    ),
    key(
        "tpu_half_life_months",
        Kind::Param(HALF_LIFE),
        "half-life with which a new tariff level becomes the expected one (default 6)",
    ),
    key(
        "tpu_saturation",
        Kind::Param(Bounds {
            hi: 100.0,
            ..POS_OR_INF
        }),
        "gap at which the uncertainty effect saturates (default inf: linear)",
    ),
    key(
        "tpu_lag_months",
        Kind::Param(Bounds {
            hi: 120.0,
            ..NONNEG
        }),
        "half-life of GDP's response to uncertainty (default 0: at once)",
    ),
    key(
        "tpu_rule_weight",
        Kind::Removed,
        "removed in model 2: rule firings no longer add to the uncertainty index",
    ),
    key(
        "fx_offset",
        Kind::Param(Bounds { hi: 2.0, ..NONNEG }),
        "share of the tariff gap offset by the real exchange rate (default 0)",
    ),
];

/// `[report]`.
pub const REPORT: &[Key] = &[
    key(
        "economies",
        Kind::RefList,
        "featured economies, most important first (default: the largest bilateral flow's)",
    ),
    key(
        "pairs",
        Kind::Pairs,
        "panels of the effective-tariff chart: [[importer, partner or \"ALL\"], ...]",
    ),
    key(
        "diversion",
        Kind::RefList,
        "partners of the first economy in the trade-diversion chart",
    ),
    key(
        "licensing_importer",
        Kind::Ref,
        "the licensing importer whose shortfall headlines feature",
    ),
    key(
        "markers",
        Kind::List {
            item: &Kind::Table(MARKER),
            min: 0,
            max: Some(super::compile::MAX_AUTHOR_MARKERS as u64),
        },
        "events dated on the time charts: [{ date = \"2025-10-09\", label = \"...\" }]",
    ),
];

/// An entry of `report.markers`.
pub const MARKER: &[Key] = &[
    key("date", Kind::Date, "when, inside the horizon"),
    key(
        "label",
        Kind::Label,
        "what happened (about 40 characters fit)",
    ),
];
