//! What charts and the report are drawn from: aggregated results only
//! (quantile bands per series and month, horizon distributions, rule firing
//! probabilities, sensitivities), plus a deterministic baseline path. Never
//! the engine's internals.

use crate::engine::{Aggregator, key_outcomes};
use crate::model::series::FinalKind;
use crate::model::{Model, RunOutput};

/// Quantile bands of one series over the months.
#[derive(Debug, Clone, Default)]
pub struct Band {
    pub mean: Vec<f64>,
    pub p05: Vec<f64>,
    pub p25: Vec<f64>,
    pub p50: Vec<f64>,
    pub p75: Vec<f64>,
    pub p95: Vec<f64>,
}

/// One monthly series with its bands and its value on the baseline path.
#[derive(Debug, Clone)]
pub struct SeriesBand {
    pub metric: String,
    pub economy: String,
    pub partner: String,
    pub sector: String,
    pub band: Band,
    /// The deterministic baseline (no policy change, central parameters, no noise).
    pub baseline: Vec<f64>,
}

/// The distribution of one horizon outcome.
#[derive(Debug, Clone)]
pub struct FinalDist {
    pub metric: String,
    pub economy: String,
    pub partner: String,
    pub sector: String,
    /// `end`, `horizon` (average) or `total`.
    pub kind: &'static str,
    pub mean: f64,
    /// Quantiles at q = 0.01, 0.02, ..., 0.99 (99 values).
    pub quantiles: Vec<f64>,
}

#[derive(Debug, Clone)]
pub struct Sensitivity {
    pub parameter: String,
    /// What charts call the parameter (`ParamSpec::display_label`).
    pub label: String,
    pub metric: String,
    pub economy: String,
    pub spearman: f64,
}

/// Everything a chart or the report may use.
#[derive(Debug, Clone)]
pub struct ChartData {
    pub scenario: String,
    pub description: String,
    pub runs: u64,
    pub seed: u64,
    /// Month labels `YYYY-MM`.
    pub months: Vec<String>,
    pub series: Vec<SeriesBand>,
    pub finals: Vec<FinalDist>,
    /// Rule id and the probability it has fired by each month.
    pub rules: Vec<(String, Vec<f64>)>,
    /// Rule id and its label (`Rule::label`), for legends and tables.
    pub rule_labels: Vec<(String, String)>,
    pub sensitivity: Vec<Sensitivity>,
    /// The resolved timeline, as `explain` prints it.
    pub timeline: String,
    /// Economy id, name and short name (`Scenario::economy_name`, `_short`).
    pub names: Vec<(String, String, String)>,
    /// What the charts feature (`[report]`), as ids.
    pub focus: Focus,
    /// Whether exchange rates respond to tariffs (`macro.fx_offset` not 0).
    pub fx_on: bool,
    /// The run's `--set KEY=VALUE` overrides, in the order given (shown in
    /// the report's title block and every chart's footer).
    pub overrides: Vec<String>,
}

/// The featured economies, tariff pairs, diversion partners and licensing
/// importer of `[report]`, as ids (`"ALL"` for all partners).
#[derive(Debug, Clone, Default)]
pub struct Focus {
    pub economies: Vec<String>,
    pub pairs: Vec<(String, String)>,
    pub diversion: Vec<String>,
    pub licensing_importer: Option<String>,
    /// The licensed input in words ("rare-earth").
    pub input: String,
}

impl Focus {
    pub fn new(sc: &crate::scenario::Scenario) -> Focus {
        let id = |i: usize| sc.economies[i].id.clone();
        Focus {
            economies: sc.report.economies.iter().map(|&i| id(i)).collect(),
            pairs: sc
                .report
                .pairs
                .iter()
                .map(|&(i, e)| (id(i), e.map_or_else(|| "ALL".to_string(), id)))
                .collect(),
            diversion: sc.report.diversion.iter().map(|&i| id(i)).collect(),
            licensing_importer: sc.featured_licensing_importer().map(String::from),
            input: sc.licensed_input(),
        }
    }
}

impl ChartData {
    /// Build from aggregated results and a baseline run (see `Model::baseline_output`).
    pub fn new(model: &Model, agg: &Aggregator, baseline: &RunOutput, seed: u64) -> ChartData {
        let sc = model.sc;
        let months = model.months;
        let mut series = Vec::with_capacity(model.slots.n_monthly);
        for (slot, l) in model.slots.labels.iter().enumerate() {
            let mut band = Band::default();
            for t in 0..months {
                let s = agg.monthly[slot * months + t].stats();
                band.mean.push(s.mean);
                band.p05.push(s.p05);
                band.p25.push(s.p25);
                band.p50.push(s.p50);
                band.p75.push(s.p75);
                band.p95.push(s.p95);
            }
            series.push(SeriesBand {
                metric: l.metric.to_string(),
                economy: l.economy.clone(),
                partner: l.partner.clone(),
                sector: l.sector.clone(),
                band,
                baseline: baseline.monthly[slot * months..(slot + 1) * months].to_vec(),
            });
        }
        let finals = model
            .slots
            .final_labels
            .iter()
            .enumerate()
            // Annual outcomes have no chart yet (annual.csv).
            .filter(|(_, (_, kind))| !matches!(kind, FinalKind::Annual(_)))
            .map(|(k, (l, kind))| {
                let c = &agg.finals[k];
                FinalDist {
                    metric: l.metric.to_string(),
                    economy: l.economy.clone(),
                    partner: l.partner.clone(),
                    sector: l.sector.clone(),
                    kind: match kind {
                        FinalKind::End => "end",
                        FinalKind::Average => "horizon",
                        FinalKind::Total => "total",
                        FinalKind::Annual(_) => "annual",
                    },
                    mean: c.stats().mean,
                    quantiles: (1..100).map(|q| c.quantile(q as f64 / 100.0)).collect(),
                }
            })
            .collect();
        let rules = sc
            .rules
            .iter()
            .enumerate()
            .map(|(k, r)| (r.id.clone(), agg.p_fired_by(k)))
            .collect();
        let keys = key_outcomes(model);
        let rho = agg.sensitivity(model.sampled.len(), keys.len());
        let mut sensitivity = Vec::new();
        for (p, row) in model.sampled.iter().zip(&rho) {
            for (k, r) in keys.iter().zip(row) {
                sensitivity.push(Sensitivity {
                    parameter: sc.param(*p).path.clone(),
                    label: sc.param(*p).display_label(),
                    metric: k.metric.clone(),
                    economy: k.economy.clone(),
                    spearman: *r,
                });
            }
        }
        ChartData {
            scenario: sc.meta.name.clone(),
            description: sc.meta.description.clone(),
            runs: agg.runs,
            seed,
            months: (0..months).map(|t| sc.month_label(t)).collect(),
            series,
            finals,
            rules,
            rule_labels: sc
                .rules
                .iter()
                .map(|r| (r.id.clone(), r.label.clone()))
                .collect(),
            sensitivity,
            timeline: crate::explain::explain(sc),
            names: sc
                .economies
                .iter()
                .map(|e| {
                    (
                        e.id.clone(),
                        sc.economy_name(&e.id),
                        sc.economy_short(&e.id),
                    )
                })
                .collect(),
            focus: Focus::new(sc),
            fx_on: {
                let p = sc.param(sc.macro_params.fx_offset);
                p.dist.is_some() || p.value != 0.0
            },
            overrides: Vec::new(),
        }
    }

    /// The same data, labelled with the run's `--set` overrides.
    #[must_use]
    pub fn with_overrides(mut self, overrides: &[String]) -> ChartData {
        self.overrides = overrides.to_vec();
        self
    }

    /// An economy's name ("World" and "all partners" for the aggregates).
    pub fn name(&self, id: &str) -> String {
        match id {
            "WORLD" => "World".into(),
            "ALL" => "all partners".into(),
            _ => self
                .names
                .iter()
                .find(|n| n.0 == id)
                .map_or_else(|| id.to_string(), |n| n.1.clone()),
        }
    }

    /// An economy's short name (the id when the name is long).
    pub fn short(&self, id: &str) -> String {
        self.names
            .iter()
            .find(|n| n.0 == id)
            .map_or_else(|| self.name(id), |n| n.2.clone())
    }

    /// A rule's label (its id if the rule is unknown).
    pub fn rule_label<'a>(&'a self, id: &'a str) -> &'a str {
        self.rule_labels
            .iter()
            .find(|r| r.0 == id)
            .map_or(id, |r| r.1.as_str())
    }

    /// A monthly series by its labels (`""` for empty partner/sector).
    pub fn series(
        &self,
        metric: &str,
        economy: &str,
        partner: &str,
        sector: &str,
    ) -> Option<&SeriesBand> {
        self.series.iter().find(|s| {
            s.metric == metric && s.economy == economy && s.partner == partner && s.sector == sector
        })
    }

    /// A horizon outcome by its labels and kind.
    pub fn final_dist(&self, metric: &str, economy: &str, kind: &str) -> Option<&FinalDist> {
        self.finals.iter().find(|f| {
            f.metric == metric
                && f.economy == economy
                && f.kind == kind
                && (f.partner.is_empty() || f.partner == "ALL")
        })
    }
}
