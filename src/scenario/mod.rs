//! Scenarios: what the user wrote, validated into types whose invariants hold
//! by construction (ids resolved to indices, rates in range, distributions
//! well-formed). Loading is two-stage: `tree` keeps the raw TOML with its
//! locations, `compile` checks it against the schema and builds a `Scenario`,
//! collecting every problem before giving up.

pub mod collect;
pub mod compile;
pub mod data;
pub mod date;
pub mod dist;
pub mod keys;
pub mod load;
pub mod schema;
pub mod tree;

use date::{Date, YearMonth};
use dist::Dist;

pub use load::{LoadOptions, load_scenario};

/// Most runs one invocation accepts (more: several seeds).
pub const MAX_RUNS: u64 = 100_000_000;
/// Longest horizon, months.
pub const MAX_MONTHS: usize = 600;
/// Highest tariff rate (a fraction: 100 = 10,000 %), for scenario values
/// and for the rates rule actions may reach.
pub const MAX_RATE: f64 = 100.0;

/// Index of a scenario value that may be uncertain; see `ParamSpec`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParamId(pub u32);

/// One scenario value: a fixed number or a distribution sampled once per run.
/// `key` is a stable hash of `path`, so draws depend only on (seed, run, path).
#[derive(Debug, Clone)]
pub struct ParamSpec {
    pub path: String,
    pub key: u64,
    pub dist: Option<Dist>,
    /// The fixed value, or the distribution's central value.
    pub value: f64,
    /// Round sampled values to whole numbers (month counts).
    pub integer: bool,
    /// The `label` of its distribution table, for charts, the report and
    /// `explain --params` (display only: never in a CSV or a random key).
    pub label: Option<String>,
}

impl ParamSpec {
    /// The name shown for the parameter: its `label`, or else the short
    /// form of its path (`short_path`).
    pub fn display_label(&self) -> String {
        self.label.clone().unwrap_or_else(|| short_path(&self.path))
    }
}

/// A readable short form of a dotted parameter path, the default label of a
/// sampled parameter ("electronics sigma_import" for
/// `sectors.electronics.sigma_import`, "licensing: US stock_months" for
/// `licensing.importers.US.stock_months`), at most 44 characters.
pub fn short_path(p: &str) -> String {
    let parts: Vec<&str> = p.split('.').collect();
    let s = match parts.as_slice() {
        ["licensing", "regimes", regime, rest @ ..] => {
            format!("licensing: {regime} regime {}", rest.join(" "))
        }
        ["licensing", "importers", e, rest @ ..] => format!("licensing: {e} {}", rest.join(" ")),
        ["licensing", rest @ ..] => format!("licensing: {}", rest.join(" ")),
        ["sectors" | "economies" | "rules" | "tariffs", rest @ ..] if !rest.is_empty() => {
            rest.join(" ")
        }
        _ => parts.join(" "),
    };
    if s.chars().count() > 44 {
        format!("{}…", s.chars().take(43).collect::<String>())
    } else {
        s
    }
}

#[derive(Debug, Clone)]
pub struct Meta {
    pub name: String,
    pub description: String,
    pub start: YearMonth,
    pub months: usize,
    pub runs: u64,
    pub seed: u64,
}

#[derive(Debug, Clone)]
pub struct Economy {
    pub id: String,
    pub name: String,
    pub gdp_usd_bn: f64,
    pub growth_pct: ParamId,
    pub revenue_recycled: ParamId,
    pub demand_burden: ParamId,
    pub multiplier: ParamId,
    /// Household data for the consumer-price outputs; `None` = no such rows.
    pub households: Option<Households>,
}

/// An economy's households (docs/model.md, "Prices for households").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Households {
    /// Number of households, millions.
    pub millions: f64,
    /// Household final consumption as a share of GDP.
    pub consumption_share: f64,
    /// Goods' share of household consumption (the rest, services, is
    /// priced outside the model's traded sectors).
    pub goods_share: f64,
}

#[derive(Debug, Clone)]
pub struct Sector {
    pub id: String,
    pub name: String,
    pub sigma_import: ParamId,
    pub sigma_domestic: ParamId,
    pub eta: ParamId,
    pub va_share: f64,
    /// Half-life of the move toward the short-run equilibrium (months).
    pub half_life_months: ParamId,
    /// Short-run elasticities as a share of the long-run ones:
    /// sigma_SR - 1 = sr_ratio (sigma - 1); 1 = one speed (model 1).
    pub sr_ratio: ParamId,
    /// Half-life of the move from the short-run to the long-run equilibrium.
    pub lr_half_life_months: ParamId,
    /// Export-supply elasticity per exporter (may be infinite).
    pub epsilon: Vec<ParamId>,
    pub noise_sd: ParamId,
    pub noise_common: f64,
    pub frontload: ParamId,
    /// Longest time importers can hold off orders under an increase they
    /// expect to be reversed (months of stock).
    pub wait_months: ParamId,
    pub payback_months: u32,
}

/// Baseline trade and tariffs, indexed `[sector][exporter][importer]`.
#[derive(Debug, Clone)]
pub struct TradeData {
    pub n_econ: usize,
    pub n_sect: usize,
    pub value_usd_bn: Vec<f64>,
    pub tariff0: Vec<f64>,
    /// Named tariff lines that split every flow (model 2): measures may cover
    /// some lines only. The last is `rest`, what no named line takes; without
    /// a lines file it is the only line.
    pub lines: Vec<String>,
    /// Base-year share of each line in each flow, `f * lines.len() + l`
    /// (summing to 1 over a flow's lines).
    pub line_share: Vec<f64>,
}

/// The residual line of every flow.
pub const REST_LINE: &str = "rest";

impl TradeData {
    /// A world of `ne` economies and `ns` sectors with no trade, no tariffs
    /// and one line.
    pub fn empty(ne: usize, ns: usize) -> TradeData {
        let nf = ne * ne * ns;
        TradeData {
            n_econ: ne,
            n_sect: ns,
            value_usd_bn: vec![0.0; nf],
            tariff0: vec![0.0; nf],
            lines: vec![REST_LINE.to_string()],
            line_share: vec![1.0; nf],
        }
    }

    #[inline]
    pub fn idx(&self, s: usize, e: usize, i: usize) -> usize {
        (s * self.n_econ + e) * self.n_econ + i
    }

    /// Number of lines per flow.
    #[inline]
    pub fn n_lines(&self) -> usize {
        self.lines.len()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TariffMode {
    /// Stacks on the baseline tariff and other measures.
    Add,
    /// Replaces the additional tariff of the covered flows.
    Set,
}

/// A scheduled tariff measure: importer `by` on exporters `on`, in `sectors`.
#[derive(Debug, Clone)]
pub struct Measure {
    pub id: String,
    pub description: String,
    pub by: usize,
    pub on: Vec<usize>,
    pub sectors: Vec<usize>,
    /// The rate in force from each date on; a later step replaces an earlier one.
    pub steps: Vec<(Date, ParamId)>,
    /// Multiplies every step's rate (`scale`, default 1): one number that
    /// sweeps and `--set` can vary for a tariff written as a path.
    pub scale: f64,
    pub mode: TariffMode,
    pub announced: Option<Date>,
    /// The tariff lines the measure covers (`TradeData::lines` indices);
    /// `None` = every line.
    pub lines: Option<Vec<usize>>,
    /// Importers' belief that an increase of this measure will be reversed
    /// soon (model 2: they hold off orders while it lasts).
    pub belief: ParamId,
}

impl Measure {
    /// The rate of every step in one run, `values` being the run's drawn
    /// parameter values: the drawn rate times `scale`.
    pub fn rates(&self, values: &[f64]) -> Vec<f64> {
        self.steps
            .iter()
            .map(|(_, p)| values[p.0 as usize] * self.scale)
            .collect()
    }
}

/// Linear interpolation between (model month, value) points, flat outside.
#[derive(Debug, Clone, Default)]
pub struct Ramp {
    pub points: Vec<(f64, f64)>,
}

impl Ramp {
    pub fn at(&self, month: f64) -> f64 {
        let p = &self.points;
        match p.len() {
            0 => 0.0,
            _ if month <= p[0].0 => p[0].1,
            _ if month >= p[p.len() - 1].0 => p[p.len() - 1].1,
            _ => {
                let k = p
                    .iter()
                    .position(|(m, _)| *m > month)
                    .unwrap_or(p.len() - 1);
                let (m0, v0) = p[k - 1];
                let (m1, v1) = p[k];
                if m1 > m0 {
                    v0 + (v1 - v0) * (month - m0) / (m1 - m0)
                } else {
                    v1
                }
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct Regime {
    pub name: String,
    /// Share of the normal monthly controlled application volume processed
    /// per month (may be infinite), when the regime comes into force ...
    pub capacity: ParamId,
    pub approval: ParamId,
    /// ... and after its ramp (the same ids when the regime has no ramp).
    pub capacity_end: ParamId,
    pub approval_end: ParamId,
    /// Months from the regime's start to the middle of its logistic ramp.
    pub ramp_midpoint: Option<ParamId>,
    /// Review delay of controlled shipments (months).
    pub delay_months: ParamId,
    /// Customs hold on the uncontrolled share (months).
    pub inspection_months: ParamId,
}

#[derive(Debug, Clone)]
pub struct LicensingImporter {
    pub econ: usize,
    /// Share of the importer's supply of the input that needs a licence.
    pub controlled: ParamId,
    /// Months between leaving the supplier and arriving.
    pub transit_months: ParamId,
    pub dependence: ParamId,
    pub stock_months: ParamId,
    pub priority: f64,
    pub alt_supply: Ramp,
    /// (sector, share of its output that needs the input)
    pub exposure: Vec<(usize, f64)>,
    pub substitution: Ramp,
}

#[derive(Debug, Clone)]
pub struct Licensing {
    pub supplier: usize,
    pub input: usize,
    pub regimes: Vec<Regime>,
    /// Index of the `free` regime, in force before the first scheduled change.
    pub free: usize,
    pub schedule: Vec<(Date, usize)>,
    pub efficiency: ParamId,
    pub noise_sd: ParamId,
    /// Rejected applications: months until re-filed, and the share re-filed.
    pub refile_months: ParamId,
    pub refile_share: ParamId,
    /// Exponent of output in the input (1 = proportional, < 1 = prioritised).
    pub prioritisation: ParamId,
    /// Highest multiple of the normal price the controlled input reaches.
    pub price_cap: ParamId,
    pub importers: Vec<LicensingImporter>,
}

#[derive(Debug, Clone)]
pub enum Cond {
    TariffRaised {
        by: usize,
        on: usize,
        sector: Option<usize>,
        at_least: f64,
    },
    TariffAbove {
        by: usize,
        on: usize,
        sector: Option<usize>,
        level: f64,
    },
    /// `importer` indexes `Licensing::importers`.
    ShortfallAbove {
        importer: usize,
        level: f64,
        months: u32,
    },
    /// Model months, inclusive.
    Between {
        from: i32,
        to: i32,
    },
    Fired(usize),
    All(Vec<Cond>),
    Any(Vec<Cond>),
}

#[derive(Debug, Clone)]
pub enum TariffAmount {
    Rate(ParamId),
    /// The triggering increase times this factor.
    Match(f64),
}

#[derive(Debug, Clone)]
pub enum RevertTarget {
    Measure(usize),
    Rule(usize),
}

#[derive(Debug, Clone)]
pub enum Action {
    Tariff {
        by: usize,
        on: Vec<usize>,
        sectors: Vec<usize>,
        amount: TariffAmount,
        cap: Option<f64>,
        mode: TariffMode,
    },
    Licensing(LicensingAction),
    Revert(Vec<RevertTarget>),
}

/// A rule's change of the licensing regime or of one importer's approval
/// and capacity.
#[derive(Debug, Clone)]
pub struct LicensingAction {
    pub regime: Option<usize>,
    /// Index into `Licensing::importers`.
    pub importer: Option<usize>,
    pub approval_factor: Option<f64>,
    pub capacity_factor: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub description: String,
    /// The name charts and the report show: its `label`, else its
    /// `description`, else its id (display only).
    pub label: String,
    pub when: Cond,
    pub probability: ParamId,
    pub lag_months: ParamId,
    pub once: bool,
    pub cooldown_months: u32,
    pub max_firings: u32,
    pub priority: i64,
    pub then: Vec<Action>,
    /// Stable key of this rule's monthly firing draws.
    pub key: u64,
}

#[derive(Debug, Clone)]
pub struct MacroParams {
    /// GDP effect (% of GDP, before saturation) per unit of unexpected
    /// tariff gap, the same for every economy.
    pub tpu_sensitivity: ParamId,
    /// Half-life (months) with which a new tariff level becomes the
    /// expected one, so that uncertainty about it fades.
    pub tpu_half_life_months: ParamId,
    /// Scale at which the uncertainty effect saturates (fraction of the
    /// tariff gap; infinite = linear).
    pub tpu_saturation: ParamId,
    /// Half-life (months) of GDP's response to uncertainty (investment
    /// plans take time to change; 0 = at once).
    pub tpu_lag_months: ParamId,
    /// Share of the tariff gap offset by the real exchange rate (Block 2a;
    /// 0 = no exchange-rate response, 1 = full offset).
    pub fx_offset: ParamId,
}

/// What charts, headline tables and printed summaries feature (`[report]`,
/// defaulting to the largest bilateral flow). Indices are economies.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Featured economies, most important first.
    pub economies: Vec<usize>,
    /// Importer-partner pairs of the tariff charts (`None`: all partners).
    pub pairs: Vec<(usize, Option<usize>)>,
    /// Partners of the first economy's trade-diversion panel (empty: the
    /// largest gainers).
    pub diversion: Vec<usize>,
    /// The licensing importer whose shortfall headlines feature.
    pub licensing_importer: Option<usize>,
    /// Author-named events dated on the time charts (`report.markers`).
    pub markers: Vec<ReportMarker>,
}

/// An event of `report.markers`.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportMarker {
    /// Month index since the start.
    pub month: usize,
    /// The date as the author wrote it (`2025-10-09` or `2025-10`).
    pub date: String,
    pub label: String,
}

/// A file read while loading, for the manifest.
#[derive(Debug, Clone)]
pub struct InputFile {
    pub path: String,
    pub sha256: String,
}

/// Rerouting of a targeted exporter's goods through hub economies (model 2,
/// Block 3b).
#[derive(Debug, Clone)]
pub struct Rerouting {
    pub origin: usize,
    pub destination: usize,
    pub hubs: Vec<RerouteHub>,
    /// Months for rerouting to reach half its target.
    pub half_life_months: ParamId,
}

#[derive(Debug, Clone)]
pub struct RerouteHub {
    pub econ: usize,
    /// Share of the hub's base-year exports to the destination rerouted per
    /// unit of tariff gap (fraction per fraction).
    pub per_gap: ParamId,
    /// The largest rerouted share (rules-of-origin enforcement).
    pub cap: ParamId,
}

/// A validated scenario. Rules are stored in evaluation order.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub meta: Meta,
    pub economies: Vec<Economy>,
    pub sectors: Vec<Sector>,
    pub trade: TradeData,
    pub measures: Vec<Measure>,
    pub licensing: Option<Licensing>,
    pub rerouting: Option<Rerouting>,
    pub rules: Vec<Rule>,
    pub macro_params: MacroParams,
    pub report: Report,
    pub params: Vec<ParamSpec>,
    pub inputs: Vec<InputFile>,
}

impl Scenario {
    pub fn param(&self, id: ParamId) -> &ParamSpec {
        &self.params[id.0 as usize]
    }

    pub fn econ_index(&self, id: &str) -> Option<usize> {
        self.economies.iter().position(|e| e.id == id)
    }

    pub fn sector_index(&self, id: &str) -> Option<usize> {
        self.sectors.iter().position(|s| s.id == id)
    }

    /// The id of the economy featured `k`-th (`[report] economies`).
    pub fn featured(&self, k: usize) -> Option<&str> {
        self.report
            .economies
            .get(k)
            .map(|&i| self.economies[i].id.as_str())
    }

    /// The id of the licensing importer headlines feature.
    pub fn featured_licensing_importer(&self) -> Option<&str> {
        self.report
            .licensing_importer
            .map(|i| self.economies[i].id.as_str())
    }

    /// An economy's name for charts (its `name`; "World", "all partners"
    /// for the aggregates; the id itself if unknown).
    pub fn economy_name(&self, id: &str) -> String {
        match id {
            "WORLD" => "World".into(),
            "ALL" => "all partners".into(),
            _ => self
                .economies
                .iter()
                .find(|e| e.id == id)
                .map_or_else(|| id.to_string(), |e| e.name.clone()),
        }
    }

    /// A short name: the `name` when it is short, otherwise the id ("US"
    /// for "United States", "China" for "China").
    pub fn economy_short(&self, id: &str) -> String {
        let name = self.economy_name(id);
        if name.chars().count() <= 12 {
            name
        } else {
            id.to_string()
        }
    }

    /// The outcomes headlines feature: GDP of the featured economies (at
    /// most two) and the world, and the featured licensing importer's
    /// shortfall, as (metric, economy id).
    pub fn headline_outcomes(&self) -> Vec<(&'static str, String)> {
        let mut out: Vec<(&'static str, String)> = (0..2)
            .filter_map(|k| self.featured(k))
            .map(|e| ("gdp_dev", e.to_string()))
            .collect();
        out.push(("gdp_dev", "WORLD".into()));
        if let Some(j) = self.featured_licensing_importer() {
            out.push(("re_shortfall", j.to_string()));
        }
        out
    }

    /// The licensed input as words for titles ("rare-earth" for the sector
    /// `rare_earth`), or "" without licensing.
    pub fn licensed_input(&self) -> String {
        self.licensing
            .as_ref()
            .map(|l| self.sectors[l.input].id.replace('_', "-"))
            .unwrap_or_default()
    }

    /// Month label for model month `t`.
    pub fn month_label(&self, t: usize) -> String {
        self.meta.start.plus(t as i32).to_string()
    }
}

/// Stable 64-bit FNV-1a hash of a quantity's name: keys the random streams.
pub fn stable_key(name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::short_path;

    #[test]
    fn parameter_paths_are_shortened_for_default_labels() {
        assert_eq!(
            short_path("sectors.electronics.sigma_import"),
            "electronics sigma_import"
        );
        assert_eq!(short_path("economies.US.multiplier"), "US multiplier");
        assert_eq!(
            short_path("licensing.importers.US.stock_months"),
            "licensing: US stock_months"
        );
        assert_eq!(
            short_path("licensing.regimes.streamlined.capacity"),
            "licensing: streamlined regime capacity"
        );
        assert_eq!(short_path("licensing.efficiency"), "licensing: efficiency");
        assert_eq!(short_path("macro.tpu_sensitivity"), "macro tpu_sensitivity");
        let long = short_path(&format!("tariffs.{}.rate", "x".repeat(60)));
        assert_eq!(long.chars().count(), 44, "cut with an ellipsis: {long}");
        assert!(long.ends_with('…'));
    }
}
