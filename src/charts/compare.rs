//! Charts and the report of `tariffsim compare`: for a few key series,
//! every scenario's fan (median and 5-95 % band, one colour per scenario)
//! on one chart, and the fan of the paired, run-by-run difference of each
//! scenario against the reference (the first), with the probability that
//! the scenario is worse.
//!
//! Reads aggregates only (`SetResult`); a series the scenarios do not report
//! (no licensing, say) is skipped. The report is in `compare_report`.

use std::fmt::Write as _;

use rayon::prelude::*;

use crate::engine::aggregate::Cell;
use crate::engine::{Aggregator, SetResult};
use crate::model::Model;

use super::panel::{BandSpec, Chart, LineSpec, Panel};
use super::style::{self, GREY, INK, LegendItem, SERIES, Swatch};
use super::{ChartError, ChartFile};

pub use super::compare_report::report_html;

/// Opacity of a scenario's 5-95 % band on the overlaid chart.
const OVERLAY: f64 = 0.16;
/// Opacity of the outer (5-95 %) and inner (25-75 %) bands of a difference.
const OUTER: f64 = 0.18;
const INNER: f64 = 0.35;

/// How a compared series is scaled and labelled.
struct Units {
    y_desc: &'static str,
    diff_desc: &'static str,
    scale: f64,
    zero_based: bool,
}

impl Units {
    const fn new(
        y_desc: &'static str,
        diff_desc: &'static str,
        scale: f64,
        zero_based: bool,
    ) -> Self {
        Units {
            y_desc,
            diff_desc,
            scale,
            zero_based,
        }
    }
}

// (axis label, axis label of the difference, scale, axis from zero)
const GROWTH: Units = Units::new(
    "GDP growth y/y (%/yr)",
    "difference in GDP growth y/y (pp)",
    1.0,
    false,
);
const IMPORTS: Units = Units::new(
    "imports (USD bn/yr)",
    "difference in imports (USD bn/yr)",
    1.0,
    true,
);
const TARIFF: Units = Units::new(
    "effective tariff (%)",
    "difference in effective tariff (pp)",
    1.0,
    true,
);
const SHORTFALL: Units = Units::new(
    "shortfall (% of need)",
    "difference in shortfall (pp of need)",
    100.0,
    true,
);

/// One compared series.
struct Metric {
    /// File stem part: `compare_<key>` and `diff_<key>`.
    key: String,
    metric: &'static str,
    economy: String,
    partner: String,
    /// `None`: any sector (the licensed input of `re_shortfall`).
    sector: Option<&'static str>,
    /// What the series is, as a title.
    what: String,
    /// A short form for the titles of differences.
    short: String,
    units: Units,
}

impl Metric {
    /// The series `metric` of `economy` (and `partner`, or "") named
    /// `key`, titled `what` (long) and `short`.
    fn new(
        key: String,
        metric: &'static str,
        (economy, partner): (&str, &str),
        sector: Option<&'static str>,
        (what, short): (String, String),
        units: Units,
    ) -> Self {
        Metric {
            key,
            metric,
            economy: economy.to_string(),
            partner: partner.to_string(),
            sector,
            what,
            short,
            units,
        }
    }
}

/// The compared series: world growth, the growth of the featured economies
/// (`[report] economies`), the first's imports from and tariff on the
/// second, and the featured licensing importer's shortfall.
fn metrics(sc: &crate::scenario::Scenario) -> Vec<Metric> {
    let growth = |e: &str, who: String| {
        let what = format!("{who} GDP growth, year on year");
        Metric::new(
            format!("gdp_growth_{}", e.to_lowercase()),
            "gdp_growth_yoy",
            (e, ""),
            Some(""),
            (what, format!("{who} GDP growth y/y")),
            GROWTH,
        )
    };
    let mut out = vec![growth("WORLD", "World".into())];
    let (a, b) = (sc.featured(0), sc.featured(1));
    for e in [a, b].into_iter().flatten() {
        out.push(growth(e, sc.economy_short(e)));
    }
    if let (Some(a), Some(b)) = (a, b) {
        let (sa, nb) = (sc.economy_short(a), sc.economy_name(b));
        let (la, lb) = (a.to_lowercase(), b.to_lowercase());
        out.push(Metric::new(
            format!("imports_{la}_from_{lb}"),
            "imports",
            (a, b),
            Some("ALL"),
            (
                format!("{sa} imports from {nb}, all sectors (annualised)"),
                format!("{sa} imports from {nb}"),
            ),
            IMPORTS,
        ));
        out.push(Metric::new(
            format!("tariff_{la}_on_{lb}"),
            "tariff_effective",
            (a, b),
            Some(""),
            (
                format!("Effective {sa} tariff on imports from {nb}"),
                format!("Effective {sa} tariff on {nb}"),
            ),
            TARIFF,
        ));
    }
    if let Some(j) = sc.featured_licensing_importer() {
        let who = format!("{} {}", sc.economy_short(j), sc.licensed_input());
        out.push(Metric::new(
            format!("re_shortfall_{}", j.to_lowercase()),
            "re_shortfall",
            (j, ""),
            None,
            (
                format!("{who} shortfall (share of normal supply not received)"),
                format!("{who} shortfall"),
            ),
            SHORTFALL,
        ));
    }
    out
}

use crate::analysis::compare::lower_is_worse;

fn slot_of(model: &Model, m: &Metric) -> Option<usize> {
    model.slots.labels.iter().position(|l| {
        l.metric == m.metric
            && l.economy == m.economy
            && l.partner == m.partner
            && m.sector.is_none_or(|s| l.sector == s)
    })
}

struct Quantiles {
    p05: Vec<f64>,
    p25: Vec<f64>,
    p50: Vec<f64>,
    p75: Vec<f64>,
    p95: Vec<f64>,
}

/// Quantiles over the months of one slot of `agg`, scaled.
fn quantiles(agg: &Aggregator, slot: usize, months: usize, scale: f64) -> Quantiles {
    let mut q = Quantiles {
        p05: Vec::with_capacity(months),
        p25: Vec::with_capacity(months),
        p50: Vec::with_capacity(months),
        p75: Vec::with_capacity(months),
        p95: Vec::with_capacity(months),
    };
    for t in 0..months {
        let s = agg
            .cell(slot, t)
            .map(Cell::stats)
            .unwrap_or_else(|| Cell::default().stats());
        q.p05.push(s.p05 * scale);
        q.p25.push(s.p25 * scale);
        q.p50.push(s.p50 * scale);
        q.p75.push(s.p75 * scale);
        q.p95.push(s.p95 * scale);
    }
    q
}

fn colour(k: usize) -> plotters::style::RGBColor {
    SERIES[k % SERIES.len()]
}

fn p_text(p: f64) -> String {
    if p.is_finite() {
        format!("{p:.2}")
    } else {
        "n/a".into()
    }
}

/// The probability that the difference `d` is worse by more than the tie
/// tolerance of its reference cell (`analysis::compare::tie_tolerance`).
fn p_worse(d: Option<&Cell>, reference: Option<&Cell>, tie_rel: f64, lower_worse: bool) -> f64 {
    match (d, reference) {
        (Some(d), Some(r)) => {
            let tol = crate::analysis::compare::tie_tolerance(r, tie_rel);
            crate::analysis::compare::p_worse(d, tol, lower_worse)
        }
        _ => f64::NAN,
    }
}

fn overlay(models: &[&Model], res: &SetResult, m: &Metric, slot: usize) -> Chart {
    if models.len() >= 3 {
        return small_multiples(models, res, m, slot);
    }
    let months = models[0].months;
    let mut bands = Vec::new();
    let mut lines = Vec::new();
    let mut edges = Vec::new();
    let mut legend = Vec::new();
    for (k, model) in models.iter().enumerate() {
        let q = quantiles(&res.scenarios[k], slot, months, m.units.scale);
        // Thin edges tell the bands apart where they overlap.
        for edge in [&q.p05, &q.p95] {
            edges.push(LineSpec {
                values: edge.clone(),
                colour: colour(k),
                width: 1,
                dashed: false,
            });
        }
        bands.push(BandSpec {
            lo: q.p05,
            hi: q.p95,
            colour: colour(k),
            opacity: OVERLAY,
        });
        lines.push(LineSpec {
            values: q.p50,
            colour: colour(k),
            width: 4,
            dashed: false,
        });
        let name = &model.sc.meta.name;
        legend.push(LegendItem::new(
            if k == 0 {
                format!("{name} (reference), median")
            } else {
                format!("{name}, median")
            },
            Swatch::Line(colour(k)),
        ));
    }
    legend.push(LegendItem::new(
        "5-95 % of runs, in the scenario's colour",
        Swatch::Band(GREY, 0.25),
    ));
    edges.extend(lines);
    let lines = edges;
    Chart {
        name: format!("compare_{}", m.key),
        title: format!("{}: scenarios compared", m.what),
        legend,
        cols: 1,
        panels: vec![Panel::Time {
            caption: None,
            y_desc: m.units.y_desc.to_string(),
            bands,
            lines,
            y_fixed: None,
            zero_based: m.units.zero_based,
        }],
        size: (1600, 900),
        time_desc: true,
        notes: "Each scenario's median and 5-95 % of its runs; all scenarios use the same draws (common random numbers).".into(),
        markers: false,
    }
}

/// Three or more scenarios: one panel each on one scale (overlapping
/// translucent bands stop being readable), with the reference's median
/// dashed in every panel to compare against.
fn small_multiples(models: &[&Model], res: &SetResult, m: &Metric, slot: usize) -> Chart {
    let months = models[0].months;
    let reference = quantiles(&res.scenarios[0], slot, months, m.units.scale);
    let mut panels: Vec<Panel> = models
        .iter()
        .enumerate()
        .map(|(k, model)| {
            let q = quantiles(&res.scenarios[k], slot, months, m.units.scale);
            let mut lines = Vec::new();
            if k > 0 {
                lines.push(LineSpec {
                    values: reference.p50.clone(),
                    colour: GREY,
                    width: 3,
                    dashed: true,
                });
            }
            lines.push(LineSpec {
                values: q.p50,
                colour: colour(k),
                width: 4,
                dashed: false,
            });
            Panel::Time {
                caption: Some(if k == 0 {
                    format!("{} (reference)", model.sc.meta.name)
                } else {
                    model.sc.meta.name.clone()
                }),
                y_desc: m.units.y_desc.to_string(),
                bands: vec![
                    BandSpec {
                        lo: q.p05,
                        hi: q.p95,
                        colour: colour(k),
                        opacity: OUTER,
                    },
                    BandSpec {
                        lo: q.p25,
                        hi: q.p75,
                        colour: colour(k),
                        opacity: INNER,
                    },
                ],
                lines,
                y_fixed: None,
                zero_based: m.units.zero_based,
            }
        })
        .collect();
    super::panel::share_y(&mut panels);
    let cols = if panels.len() <= 4 { 2 } else { 3 };
    let rows = panels.len().div_ceil(cols) as u32;
    let legend = vec![
        LegendItem::new("median, in the scenario's colour", Swatch::Line(INK)),
        LegendItem::new(
            "25-75 % of runs",
            Swatch::Band(GREY, 1.0 - (1.0 - OUTER) * (1.0 - INNER)),
        ),
        LegendItem::new("5-95 % of runs", Swatch::Band(GREY, OUTER)),
        LegendItem::new(
            format!("{} (reference), median", models[0].sc.meta.name),
            Swatch::Dashed(GREY),
        ),
    ];
    Chart {
        name: format!("compare_{}", m.key),
        title: format!("{}: scenarios compared (one scale)", m.what),
        legend,
        cols,
        size: (1600, (230 + rows * 460).max(900)),
        time_desc: false,
        panels,
        notes: "One panel per scenario on one scale; all scenarios use the same draws (common random numbers).".into(),
        markers: false,
    }
}

fn difference(models: &[&Model], res: &SetResult, m: &Metric, slot: usize, tie_rel: f64) -> Chart {
    let a = models[0];
    let months = a.months;
    let t12 = 11.min(months - 1);
    let lower_worse = lower_is_worse(m.metric);
    let worse_word = if lower_worse { "lower" } else { "higher" };
    let reference = &a.sc.meta.name;
    let mut panels = Vec::new();
    for (k, model) in models.iter().enumerate().skip(1) {
        let diff = &res.diffs[k - 1];
        let q = quantiles(diff, slot, months, m.units.scale);
        let c = colour(k);
        let reference = &res.scenarios[0];
        let at = |t: usize| {
            p_worse(
                diff.cell(slot, t),
                reference.cell(slot, t),
                tie_rel,
                lower_worse,
            )
        };
        let i = 2 * slot + 1;
        let avg = p_worse(
            diff.finals.get(i),
            reference.finals.get(i),
            tie_rel,
            lower_worse,
        );
        let mut caption = format!(
            "P({} is worse, i.e. {worse_word}): {} in {}",
            model.sc.meta.name,
            p_text(at(t12)),
            a.sc.month_label(t12)
        );
        if months - 1 > t12 {
            let _ = write!(
                caption,
                ", {} in {}",
                p_text(at(months - 1)),
                a.sc.month_label(months - 1)
            );
        }
        let _ = write!(caption, ", {} for the horizon average", p_text(avg));

        panels.push(Panel::Time {
            caption: Some(caption),
            y_desc: m.units.diff_desc.to_string(),
            bands: vec![
                BandSpec {
                    lo: q.p05,
                    hi: q.p95,
                    colour: c,
                    opacity: OUTER,
                },
                BandSpec {
                    lo: q.p25,
                    hi: q.p75,
                    colour: c,
                    opacity: INNER,
                },
            ],
            lines: vec![
                // The zero line also keeps zero inside the y range.
                LineSpec {
                    values: vec![0.0; months],
                    colour: INK,
                    width: 2,
                    dashed: true,
                },
                LineSpec {
                    values: q.p50,
                    colour: c,
                    width: 4,
                    dashed: false,
                },
            ],
            y_fixed: None,
            zero_based: false,
        });
    }
    let single = models.len() == 2;
    let lc = if single { colour(1) } else { GREY };
    let in_colour = if single {
        ""
    } else {
        ", in the scenario's colour"
    };
    let legend = vec![
        LegendItem::new(
            format!("median difference{in_colour}"),
            Swatch::Line(if single { lc } else { INK }),
        ),
        LegendItem::new(
            "25-75 % of runs",
            Swatch::Band(lc, 1.0 - (1.0 - OUTER) * (1.0 - INNER)),
        ),
        LegendItem::new("5-95 % of runs", Swatch::Band(lc, OUTER)),
        LegendItem::new("zero: no difference", Swatch::Dashed(INK)),
    ];
    // A title that fits the width (about 80 characters at the smallest title size).
    let title = if single {
        format!(
            "{}: {} minus {reference} (paired runs)",
            m.short, models[1].sc.meta.name
        )
    } else {
        String::new()
    };
    let title = if single && title.chars().count() <= 78 {
        title
    } else {
        format!("{}: difference from {reference} (paired runs)", m.short)
    };
    let rows = panels.len() as u32;
    Chart {
        name: format!("diff_{}", m.key),
        title,
        legend,
        cols: 1,
        size: (1600, (230 + rows * 420).max(900)),
        time_desc: rows == 1,
        panels,
        notes: "Paired differences: each run of a scenario minus the same run (same draws) of the reference.".into(),
        markers: false,
    }
}

/// Every chart of a comparison, in report order: for each key series the
/// overlaid scenarios, then the paired difference.
pub fn chart_set(models: &[&Model], res: &SetResult, tie_rel: f64) -> Vec<Chart> {
    let mut out = Vec::new();
    if models.len() < 2
        || res.scenarios.len() != models.len()
        || res.diffs.len() + 1 != models.len()
    {
        return out;
    }
    for m in &metrics(models[0].sc) {
        let Some(slot) = slot_of(models[0], m) else {
            continue;
        };
        if res
            .scenarios
            .iter()
            .chain(&res.diffs)
            .any(|g| g.series(slot).is_none())
        {
            continue;
        }
        out.push(overlay(models, res, m, slot));
        out.push(difference(models, res, m, slot, tie_rel));
    }
    out
}

pub(super) fn names(models: &[&Model]) -> Vec<String> {
    models.iter().map(|m| m.sc.meta.name.clone()).collect()
}

/// Render the comparison charts (series a scenario does not report are skipped).
///
/// # Errors
/// If a chart cannot be drawn or encoded.
pub fn charts(
    models: &[&Model],
    res: &SetResult,
    seed: u64,
    tie_rel: f64,
    overrides: &[String],
    size: super::ChartSize,
) -> Result<Vec<ChartFile>, ChartError> {
    style::ensure_fonts()?;
    let Some(a) = models.first() else {
        return Ok(Vec::new());
    };
    let months: Vec<String> = (0..a.months).map(|t| a.sc.month_label(t)).collect();
    let runs = res.scenarios.first().map_or(0, |g| g.runs);
    let source = style::note_with_overrides(&names(models).join(" vs "), runs, seed, overrides);
    let ctx = super::panel::Context {
        months: &months,
        source: &source,
        markers: &[],
        size,
    };
    chart_set(models, res, tie_rel)
        .par_iter()
        .map(|c| super::render(c, &ctx))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worse_direction_follows_the_metric() {
        assert!(lower_is_worse("gdp_growth_yoy"));
        assert!(lower_is_worse("imports"));
        assert!(!lower_is_worse("re_shortfall"));
        assert!(!lower_is_worse("tariff_effective"));
    }
}
