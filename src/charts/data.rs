//! What charts and the report are drawn from: aggregated results only
//! (quantile bands per series and month, horizon distributions, rule firing
//! probabilities, sensitivities), plus a deterministic baseline path. Never
//! the engine's internals.

use crate::engine::{Aggregator, key_outcomes};
use crate::model::series::FinalKind;
use crate::model::{Model, RunOutput};

use super::panel::Marker;

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
    /// `end`, `horizon` (average), `total` or `annual`.
    pub kind: &'static str,
    /// The period of an annual outcome (`CY2026`, `FY2026`), else empty.
    pub period: String,
    pub mean: f64,
    /// Its value on the baseline path.
    pub baseline: f64,
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
    /// Every rule, in scenario order, with the probability it has fired.
    pub rules: Vec<RuleFiring>,
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
    /// Dated measures marked on time charts (`tariff_markers`).
    pub markers: Vec<Marker>,
    /// Every sampled parameter: `--set` path and distribution, in
    /// `runs.csv` order (the report's assumptions table).
    pub params: Vec<(String, String)>,
    /// `run --split-by RULE`: the runs in two groups (see `with_split`).
    pub split: Option<SplitData>,
}

/// A rule and the share of runs in which it has fired by each month.
#[derive(Debug, Clone)]
pub struct RuleFiring {
    pub id: String,
    /// What legends and tables call it (`Rule::label`).
    pub label: String,
    pub p_by_month: Vec<f64>,
}

impl RuleFiring {
    /// The probability it has fired by the last month.
    pub fn p_end(&self) -> f64 {
        self.p_by_month.last().copied().unwrap_or(0.0)
    }
}

/// The runs of `run --split-by RULE` in two groups: those in which the rule
/// fired at some month of the horizon and those in which it never did.
#[derive(Debug, Clone)]
pub struct SplitData {
    /// The rule's id.
    pub rule: String,
    pub runs_fired: u64,
    pub runs_not_fired: u64,
    /// Share of the runs in which the rule fired (`engine::Split::p_fired`).
    pub p_fired: f64,
    /// GDP vs baseline (`gdp_dev`) of every economy and WORLD, in the runs
    /// where the rule fired.
    pub fired: Vec<SeriesBand>,
    /// The same in the runs where it did not.
    pub not_fired: Vec<SeriesBand>,
}

impl FinalDist {
    /// The quantile at `p` % (1 to 99); NaN outside.
    pub fn q(&self, p: usize) -> f64 {
        p.checked_sub(1)
            .and_then(|k| self.quantiles.get(k))
            .copied()
            .unwrap_or(f64::NAN)
    }

    /// The 5, 25, 50, 75 and 95 % quantiles.
    pub fn five(&self) -> [f64; 5] {
        [5, 25, 50, 75, 95].map(|p| self.q(p))
    }
}

impl SplitData {
    /// A group's series by economy (`fired` true: the runs where the rule fired).
    pub fn series(&self, fired: bool, economy: &str) -> Option<&SeriesBand> {
        let group = if fired { &self.fired } else { &self.not_fired };
        group.iter().find(|s| s.economy == economy)
    }
}

/// The monthly bands of the series `keep` selects, in catalogue order.
fn bands(
    model: &Model,
    agg: &Aggregator,
    baseline: &RunOutput,
    keep: impl Fn(&crate::model::series::SeriesLabel) -> bool,
) -> Vec<SeriesBand> {
    let months = model.months;
    let mut series = Vec::new();
    for (slot, l) in model.slots.labels.iter().enumerate() {
        if !keep(l) {
            continue;
        }
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
    series
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
        let series = bands(model, agg, baseline, |_| true);
        let finals = model
            .slots
            .final_labels
            .iter()
            .enumerate()
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
                    period: match kind {
                        FinalKind::Annual(_) => model.slots.final_period(*kind, "").to_string(),
                        _ => String::new(),
                    },
                    mean: c.stats().mean,
                    baseline: baseline.finals.get(k).copied().unwrap_or(f64::NAN),
                    quantiles: (1..100).map(|q| c.quantile(q as f64 / 100.0)).collect(),
                }
            })
            .collect();
        let rules = sc
            .rules
            .iter()
            .enumerate()
            .map(|(k, r)| RuleFiring {
                id: r.id.clone(),
                label: r.label.clone(),
                p_by_month: agg.p_fired_by(k),
            })
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
            markers: Vec::new(),
            params: sc
                .params
                .iter()
                .filter_map(|p| p.dist.as_ref().map(|d| (p.path.clone(), d.describe())))
                .collect(),
            split: None,
        }
        .with_markers(sc)
    }

    /// Mark the author's events (`report.markers`) and the largest moves of
    /// the first featured pair's effective tariff (median over runs), at
    /// most `MAX_MARKERS` in all unless the author named more.
    fn with_markers(mut self, sc: &crate::scenario::Scenario) -> ChartData {
        let mut marks: Vec<Marker> = sc
            .report
            .markers
            .iter()
            .map(|m| Marker {
                month: m.month,
                label: format!("{} {}", m.date, m.label),
            })
            .collect();
        let room = MAX_MARKERS.saturating_sub(marks.len());
        if room > 0
            && let Some((i, p)) = self.focus.pairs.first()
            && let Some(s) = self.series("tariff_effective", i, p, "")
        {
            let what = format!("{} tariff on {}", self.short(i), self.name(p));
            marks.extend(tariff_markers(&s.band.p50, &self.months, &what, room));
        }
        // Date order; the author's first on a shared month (stable sort).
        marks.sort_by_key(|m| m.month);
        self.markers = marks;
        self
    }

    /// The same data with the split groups of `agg` (`run --split-by`), if
    /// it has them: GDP vs baseline per economy and WORLD in each group.
    #[must_use]
    pub fn with_split(
        mut self,
        model: &Model,
        agg: &Aggregator,
        baseline: &RunOutput,
    ) -> ChartData {
        self.split = agg.split.as_deref().map(|sp| {
            let gdp = |l: &crate::model::series::SeriesLabel| {
                l.metric == "gdp_dev" && l.partner.is_empty() && l.sector.is_empty()
            };
            SplitData {
                rule: model
                    .sc
                    .rules
                    .get(sp.rule)
                    .map_or_else(String::new, |r| r.id.clone()),
                runs_fired: sp.fired.runs,
                runs_not_fired: sp.not_fired.runs,
                p_fired: sp.p_fired(),
                fired: bands(model, &sp.fired, baseline, gdp),
                not_fired: bands(model, &sp.not_fired, baseline, gdp),
            }
        });
        self
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

    /// The annual values of an outcome (`kind` annual), in period order.
    pub fn annual(&self, metric: &str, economy: &str, prefix: &str) -> Vec<&FinalDist> {
        self.finals
            .iter()
            .filter(|f| {
                f.kind == "annual"
                    && f.metric == metric
                    && f.economy == economy
                    && f.period.starts_with(prefix)
            })
            .collect()
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

/// Most markers on one chart: more would crowd the key line.
pub const MAX_MARKERS: usize = 6;
/// Smallest move (pp) of an episode that is marked.
pub const MARKER_MIN_PP: f64 = 3.0;

/// The dated moves of a monthly tariff path worth marking: runs of
/// consecutive months moving the same way (a change on the 14th spreads
/// over two months of day-weighted rates) by at least `MARKER_MIN_PP` in
/// total; a month moving more than twice the one before starts a new run,
/// so two separate measures are not merged. The `limit` largest, in date
/// order, labelled "2025-04 US tariff on China 30 to 90 %".
pub fn tariff_markers(path: &[f64], months: &[String], what: &str, limit: usize) -> Vec<Marker> {
    const STILL: f64 = 0.5;
    let mut episodes: Vec<(usize, f64, f64)> = Vec::new(); // (first month, before, after)
    let mut prev_step = 0.0f64;
    for t in 1..path.len().min(months.len()) {
        let step = path[t] - path[t - 1];
        if !step.is_finite() || step.abs() < STILL {
            prev_step = 0.0;
            continue;
        }
        let continues = prev_step != 0.0
            && step.signum() == prev_step.signum()
            && step.abs() <= 2.0 * prev_step.abs();
        match episodes.last_mut() {
            Some(e) if continues => e.2 = path[t],
            _ => episodes.push((t, path[t - 1], path[t])),
        }
        prev_step = step;
    }
    episodes.retain(|e| (e.2 - e.1).abs() >= MARKER_MIN_PP);
    episodes.sort_by(|a, b| (b.2 - b.1).abs().total_cmp(&(a.2 - a.1).abs()));
    episodes.truncate(limit);
    episodes.sort_by_key(|e| e.0);
    episodes
        .into_iter()
        .map(|(t, before, after)| Marker {
            month: t,
            label: format!("{} {what} {before:.0} to {after:.0} %", months[t]),
        })
        .collect()
}

#[cfg(test)]
mod marker_tests {
    use super::tariff_markers;

    fn months(n: usize) -> Vec<String> {
        (0..n).map(|t| format!("2025-{:02}", t + 1)).collect()
    }

    /// A step spread over two months is one marker; a small drift none; a
    /// much larger move after a small one starts its own marker.
    #[test]
    fn markers_join_a_split_step_and_skip_small_moves() {
        let path = [10.0, 10.0, 40.0, 70.0, 70.0, 71.0, 71.0, 20.0, 20.0];
        let m = tariff_markers(&path, &months(path.len()), "US tariff on China", 6);
        let labels: Vec<&str> = m.iter().map(|m| m.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "2025-03 US tariff on China 10 to 70 %",
                "2025-08 US tariff on China 71 to 20 %"
            ]
        );
        assert_eq!(m[0].month, 2);
        let path = [10.0, 11.0, 60.0];
        let m = tariff_markers(&path, &months(3), "t", 6);
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!(m[0].label, "2025-03 t 11 to 60 %");
    }

    /// At most six markers, the largest moves, in date order.
    #[test]
    fn only_the_largest_moves_are_marked() {
        let mut path = vec![0.0];
        for k in 1..=10 {
            path.push(path[path.len() - 1] + 4.0 * k as f64);
            path.push(path[path.len() - 1]);
        }
        let m = tariff_markers(&path, &months(path.len()), "t", super::MAX_MARKERS);
        assert_eq!(m.len(), super::MAX_MARKERS);
        assert!(m.windows(2).all(|w| w[0].month < w[1].month));
        assert_eq!(m[0].month, 9, "{m:?}");
    }
}
