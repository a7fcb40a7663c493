//! Charts and the report of `tariffsim compare`: for a few key series,
//! every scenario's fan (median and 5-95 % band, one colour per scenario)
//! on one chart, and the fan of the paired, run-by-run difference of each
//! scenario against the reference (the first), with the probability that
//! the scenario is worse.
//!
//! Reads aggregates only (`SetResult`); a series the scenarios do not report
//! (no licensing, say) is skipped.

use std::fmt::Write as _;

use rayon::prelude::*;

use crate::engine::SetResult;
use crate::engine::aggregate::Cell;
use crate::model::Model;

use super::panel::{BandSpec, Chart, LineSpec, Panel};
use super::report::{CSS, charts_section, esc};
use super::style::{self, GREY, INK, LegendItem, SERIES, Swatch};
use super::{ChartError, ChartFile};

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

/// Quantiles over the months of one slot, scaled.
fn quantiles(cells: &[Cell], slot: usize, months: usize, scale: f64) -> Quantiles {
    let mut q = Quantiles {
        p05: Vec::with_capacity(months),
        p25: Vec::with_capacity(months),
        p50: Vec::with_capacity(months),
        p75: Vec::with_capacity(months),
        p95: Vec::with_capacity(months),
    };
    for t in 0..months {
        let s = cells
            .get(slot * months + t)
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
        let q = quantiles(&res.scenarios[k].monthly, slot, months, m.units.scale);
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
    let reference = quantiles(&res.scenarios[0].monthly, slot, months, m.units.scale);
    let mut panels: Vec<Panel> = models
        .iter()
        .enumerate()
        .map(|(k, model)| {
            let q = quantiles(&res.scenarios[k].monthly, slot, months, m.units.scale);
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
        let q = quantiles(&diff.monthly, slot, months, m.units.scale);
        let c = colour(k);
        let reference = &res.scenarios[0];
        let at = |t: usize| {
            let i = slot * months + t;
            p_worse(
                diff.monthly.get(i),
                reference.monthly.get(i),
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
    let months = models[0].months;
    for m in &metrics(models[0].sc) {
        let Some(slot) = slot_of(models[0], m) else {
            continue;
        };
        if res
            .scenarios
            .iter()
            .chain(&res.diffs)
            .any(|g| g.monthly.len() < (slot + 1) * months)
        {
            continue;
        }
        out.push(overlay(models, res, m, slot));
        out.push(difference(models, res, m, slot, tie_rel));
    }
    out
}

fn names(models: &[&Model]) -> Vec<String> {
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

/// A headline line of `compare::headlines`, split into its parts:
/// (comparison, outcome, median, interval, P(worse) with its tie tolerance).
fn split_headline(line: &str) -> Option<[String; 5]> {
    let (pair, rest) = line.split_once(": ")?;
    let (body, tail) = rest.rsplit_once(", P(worse by more than ")?;
    let (tie, p) = tail.rsplit_once(") ")?;
    let worse = format!("{p} (ties: within {tie})");
    let (lv, interval) = body.rsplit_once(" [")?;
    let interval = interval.strip_suffix(']')?;
    let (label, value) = lv.rsplit_once(", ")?;
    let minus = |s: &str| s.replace('-', "\u{2212}");
    Some([
        pair.to_string(),
        label.to_string(),
        minus(value),
        format!("[{}]", minus(interval)),
        worse,
    ])
}

/// Each scenario's own levels of the headline outcomes, beside which the
/// differences below are read: median [5-95 %] of its runs.
fn levels_table(models: &[&Model], res: &SetResult, html: &mut String) {
    let picks = crate::analysis::compare::headline_picks(models);
    if picks.is_empty() || res.scenarios.len() != models.len() {
        return;
    }
    html.push_str("<section>\n<h2>Headline levels</h2>\n<table>\n<thead><tr><th>outcome</th>");
    for m in models {
        let _ = write!(html, "<th>{}</th>", esc(&m.sc.meta.name));
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    for p in &picks {
        // Levels of a growth rate are in %, differences in pp.
        let unit = if p.unit == "pp" { "%" } else { p.unit };
        let _ = write!(html, "<tr><td>{} ({unit})</td>", esc(&p.label));
        for agg in &res.scenarios {
            let cells = if p.monthly { &agg.monthly } else { &agg.finals };
            let text = cells.get(p.idx).map_or_else(
                || "n/a".to_string(),
                |c| {
                    let s = c.stats();
                    format!(
                        "{} <span class=\"band\">[{}, {}]</span>",
                        super::report::num(s.p50, 2),
                        super::report::num(s.p05, 2),
                        super::report::num(s.p95, 2)
                    )
                },
            );
            let _ = write!(html, "<td>{text}</td>");
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody></table>\n<p class=\"note\">Each scenario's median and, in brackets, the 5-95 % range of its runs; the differences below are taken run by run.</p>\n</section>\n");
}

/// Most differences listed per scenario pair and side.
const MAX_DIFF_LINES: usize = 12;

/// What differs between the reference's file and each other scenario's:
/// the lines of their resolved timelines and parameter lists (`explain`,
/// `explain --params`) found in one and not the other.
fn file_differences(models: &[&Model], html: &mut String) {
    let Some(a) = models.first() else {
        return;
    };
    // Items: a line of the timeline after the description, with the more
    // deeply indented lines under it (a rule and its conditions), so a
    // changed rule reads as one item; and each sampled parameter's line.
    let lines = |m: &Model| -> Vec<String> {
        let timeline = crate::explain::explain(m.sc);
        let body = timeline
            .find("\nWorld: ")
            .map_or(timeline.as_str(), |at| &timeline[at..]);
        let indent = |l: &str| l.len() - l.trim_start().len();
        let mut items: Vec<(usize, String)> = Vec::new();
        for l in body.lines().filter(|l| !l.trim().is_empty()) {
            match items.last_mut() {
                Some((depth, item)) if indent(l) > *depth && *depth > 0 => {
                    item.push_str(" / ");
                    item.push_str(l.trim());
                }
                _ => items.push((indent(l), l.trim().to_string())),
            }
        }
        let params = crate::explain::params(m.sc);
        items
            .into_iter()
            .map(|i| i.1)
            .filter(|l| !l.starts_with("Uncertain parameters sampled each run"))
            .chain(params.lines().skip(2).map(|l| {
                format!(
                    "parameter {}",
                    l.split_whitespace().collect::<Vec<_>>().join(" ")
                )
            }))
            .collect()
    };
    let ref_lines = lines(a);
    html.push_str("<section>\n<h2>What differs between the scenario files</h2>\n");
    for m in models.iter().skip(1) {
        let other = lines(m);
        let only = |x: &[String], y: &[String]| -> Vec<String> {
            x.iter().filter(|l| !y.contains(l)).cloned().collect()
        };
        let (gone, new) = (only(&ref_lines, &other), only(&other, &ref_lines));
        let _ = writeln!(
            html,
            "<h3>{} against {}</h3>",
            esc(&m.sc.meta.name),
            esc(&a.sc.meta.name)
        );
        if gone.is_empty() && new.is_empty() {
            html.push_str(
                "<p class=\"note\">The resolved timelines and parameters are the same.</p>\n",
            );
            continue;
        }
        for (what, list) in [
            (format!("Only in {}", m.sc.meta.name), &new),
            (format!("Only in {}", a.sc.meta.name), &gone),
        ] {
            if list.is_empty() {
                continue;
            }
            let _ = writeln!(
                html,
                "<p class=\"note\"><strong>{}</strong> ({} lines):</p>\n<ul class=\"diff\">",
                esc(&what),
                list.len()
            );
            for l in list.iter().take(MAX_DIFF_LINES) {
                let _ = writeln!(html, "<li><code>{}</code></li>", esc(l));
            }
            if list.len() > MAX_DIFF_LINES {
                let _ = writeln!(
                    html,
                    "<li>... and {} more (<code>tariffsim explain</code> on each file)</li>",
                    list.len() - MAX_DIFF_LINES
                );
            }
            html.push_str("</ul>\n");
        }
    }
    html.push_str("</section>\n");
}

const EXTRA_CSS: &str = r#"
ul.diff { font-size: 13px; margin: 2px 0 10px; padding-left: 20px; }
ul.diff code { white-space: pre-wrap; overflow-wrap: anywhere; }
td.wrap { white-space: normal; text-align: left; }
tr.group td { font-weight: bold; background: #f7f9fb; text-align: left; }
h3 { font-size: 18px; margin: 18px 0 4px; }
"#;

/// The self-contained comparison report: scenarios, headline differences,
/// how to read paired differences, and every chart inline as SVG.
pub fn report_html(
    models: &[&Model],
    res: &SetResult,
    seed: u64,
    charts: &[ChartFile],
    tie_rel: f64,
    overrides: &[String],
) -> String {
    let mut html =
        String::with_capacity(charts.iter().map(|c| c.svg.len()).sum::<usize>() + 32 * 1024);
    let names = names(models);
    let title = esc(&names.join(" vs "));
    let _ = write!(
        html,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>tariffsim comparison: {title}</title>\n<style>{CSS}{EXTRA_CSS}</style>\n</head>\n<body>\n"
    );
    let runs = res.scenarios.first().map_or(0, |g| g.runs);
    let span = models
        .first()
        .filter(|a| a.months > 0)
        .map(|a| {
            format!(
                "{} to {} ({} months) | ",
                esc(&a.sc.month_label(0)),
                esc(&a.sc.month_label(a.months - 1)),
                a.months
            )
        })
        .unwrap_or_default();
    let _ = writeln!(
        html,
        "<header>\n<h1>Comparison: {title}</h1>\n<p class=\"meta\">{span}{runs} runs per scenario on common random numbers | seed {seed} | tariffsim {}</p>\n</header>",
        env!("CARGO_PKG_VERSION")
    );
    html.push_str(&super::report::overrides_html(overrides));

    html.push_str("<section>\n<h2>Scenarios</h2>\n");
    for (k, m) in models.iter().enumerate() {
        let role = if k == 0 { " (reference)" } else { "" };
        let _ = writeln!(html, "<h3>{}{role}</h3>", esc(&m.sc.meta.name));
        let d = m.sc.meta.description.trim();
        if d.is_empty() {
            html.push_str("<p class=\"desc\"><em>The scenario has no description.</em></p>\n");
        } else {
            for para in d.split("\n\n").filter(|p| !p.trim().is_empty()) {
                let _ = writeln!(html, "<p class=\"desc\">{}</p>", esc(para.trim()));
            }
        }
    }
    html.push_str("</section>\n");

    levels_table(models, res, &mut html);
    file_differences(models, &mut html);
    html.push_str("<section>\n<h2>Headline differences</h2>\n");
    let lines = if models.len() >= 2 && res.diffs.len() + 1 == models.len() {
        crate::analysis::compare::headlines(models, res, tie_rel)
    } else {
        Vec::new()
    };
    if lines.is_empty() {
        html.push_str(
            "<p class=\"note\">No headline outcome is reported by these scenarios.</p>\n",
        );
    } else {
        html.push_str("<table>\n<thead><tr><th>outcome</th><th>median difference</th><th>5-95 %</th><th>P(worse)</th></tr></thead>\n<tbody>\n");
        let mut group = String::new();
        for line in &lines {
            match split_headline(line) {
                Some([pair, label, value, interval, worse]) => {
                    if pair != group {
                        let shown = pair.replacen(" vs ", " minus ", 1);
                        let _ = writeln!(
                            html,
                            "<tr class=\"group\"><td colspan=\"4\">{}</td></tr>",
                            esc(&shown)
                        );
                        group = pair;
                    }
                    let _ = writeln!(
                        html,
                        "<tr><td>{}</td><td>{}</td><td class=\"band\">{}</td><td>{}</td></tr>",
                        esc(&label),
                        esc(&value),
                        esc(&interval),
                        esc(&worse)
                    );
                }
                None => {
                    let _ = writeln!(
                        html,
                        "<tr><td class=\"wrap\" colspan=\"4\">{}</td></tr>",
                        esc(line)
                    );
                }
            }
        }
        html.push_str("</tbody></table>\n");
        let t12 = models[0].months.min(12);
        let _ = writeln!(
            html,
            "<p class=\"note\">Scenario minus {reference}, run by run: median and 5-95 % band of the {runs} paired differences. GDP growth is read in month {t12}; the other outcomes are horizon averages. \"Share\" is a fraction of normal supply (0.10 = 10 % of need). P(worse): the share of runs in which the scenario is worse than {reference} by more than the stated tie: lower GDP growth, GDP or imports; a higher rare-earth shortfall.</p>",
            reference = esc(&names[0]),
        );
    }
    html.push_str("</section>\n");

    let _ = writeln!(
        html,
        "<section>\n<h2>How to read paired differences</h2>\n\
<p class=\"desc\">Every scenario was run on the same {runs} run indices with the same seed ({seed}): \
run <em>r</em> of each scenario draws the same values for every parameter and random shock the \
scenarios have in common (common random numbers). The difference is therefore taken run by run, \
scenario minus reference, and its spread is what the policy difference itself leaves uncertain, \
without the noise of the uncertainty the scenarios share.</p>\n\
<p class=\"desc\">So the two kinds of chart answer different questions. The overlaid fans show \
where each scenario may go; they can overlap widely even when one scenario is worse than the \
other in almost every run. The difference fans show how much worse or better a scenario is, and \
how sure that is: the median and the 25-75 % and 5-95 % bands are quantiles of the run-by-run \
differences (not differences of the scenarios' quantiles), and a band that stays clear of the \
zero line means the sign of the effect holds in at least that share of runs.</p>\n\
<p class=\"desc\">P(worse) is the share of runs in which the scenario is worse than the reference \
by more than a tie: lower GDP growth, GDP or imports; a higher tariff or rare-earth shortfall. A \
difference smaller than 0.1 % of the reference's level (<code>compare --tie</code>; the column \
<code>tie</code> of <code>comparison.csv</code> gives it for every series and month) counts as neither \
worse nor better. All numbers, for every series and month, are in <code>comparison.csv</code> in \
this folder.</p>\n</section>"
    );

    charts_section(&mut html, charts);
    html.push_str("</body>\n</html>\n");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headline_lines_split_into_columns() {
        let l = "escalation vs london-framework: US GDP vs baseline, horizon average, -0.54 pp [-1.06, -0.05], P(worse by more than 0.00054 pp) 0.97";
        let s = split_headline(l).unwrap();
        assert_eq!(s[0], "escalation vs london-framework");
        assert_eq!(s[1], "US GDP vs baseline, horizon average");
        assert_eq!(s[2], "\u{2212}0.54 pp");
        assert_eq!(s[3], "[\u{2212}1.06, \u{2212}0.05]");
        assert_eq!(s[4], "0.97 (ties: within 0.00054 pp)");
        assert!(split_headline("something else").is_none());
    }

    #[test]
    fn worse_direction_follows_the_metric() {
        assert!(lower_is_worse("gdp_growth_yoy"));
        assert!(lower_is_worse("imports"));
        assert!(!lower_is_worse("re_shortfall"));
        assert!(!lower_is_worse("tariff_effective"));
    }
}
