//! The chart set: which series go into which chart, with titles, units and
//! legends. Everything here reads `ChartData` only; absent data means the
//! chart (or panel) is skipped.

use super::data::{ChartData, SeriesBand};
use super::panel::{BandSpec, Chart, LineSpec, Panel, share_y};
use super::ranked::{Interval, ranked};
use super::style::{BLUE, GREY, LegendItem, SERIES, Swatch, VERMILLION, fmt_tick, sector_name};

/// Opacity of the outer (5-95 %) and inner (25-75 %) fan bands.
const OUTER: f64 = 0.18;
const INNER: f64 = 0.35;

const SINGLE: (u32, u32) = (1600, 900);

fn grid_size(n: usize, cols: usize) -> (u32, u32) {
    let rows = n.div_ceil(cols.max(1)).max(1) as u32;
    let width = if cols >= 3 { 1600 } else { 1700 };
    let row_h = if cols >= 3 { 440 } else { 520 };
    (width, (190 + rows * row_h + 50).max(900))
}

fn fan_legend() -> Vec<LegendItem> {
    vec![
        LegendItem::new("median", Swatch::Line(BLUE)),
        LegendItem::new(
            "25-75 % of runs",
            Swatch::Band(BLUE, 1.0 - (1.0 - OUTER) * (1.0 - INNER)),
        ),
        LegendItem::new("5-95 % of runs", Swatch::Band(BLUE, OUTER)),
        LegendItem::new("baseline (no policy change)", Swatch::Dashed(GREY)),
    ]
}

fn scaled(v: &[f64], k: f64) -> Vec<f64> {
    v.iter().map(|x| x * k).collect()
}

/// A fan panel: 5-95 % and 25-75 % bands, the median and the dashed baseline.
fn fan(s: &SeriesBand, scale: f64, caption: Option<String>, y_desc: &str) -> Panel {
    fan_z(s, scale, caption, y_desc, false)
}

/// A fan panel whose y axis starts at zero when the values are not negative.
fn fan0(s: &SeriesBand, scale: f64, caption: Option<String>, y_desc: &str) -> Panel {
    fan_z(s, scale, caption, y_desc, true)
}

fn fan_z(
    s: &SeriesBand,
    scale: f64,
    caption: Option<String>,
    y_desc: &str,
    zero_based: bool,
) -> Panel {
    let b = &s.band;
    Panel::Time {
        caption,
        y_desc: y_desc.to_string(),
        bands: vec![
            BandSpec {
                lo: scaled(&b.p05, scale),
                hi: scaled(&b.p95, scale),
                colour: BLUE,
                opacity: OUTER,
            },
            BandSpec {
                lo: scaled(&b.p25, scale),
                hi: scaled(&b.p75, scale),
                colour: BLUE,
                opacity: INNER,
            },
        ],
        lines: vec![
            LineSpec {
                values: scaled(&s.baseline, scale),
                colour: GREY,
                width: 3,
                dashed: true,
            },
            LineSpec {
                values: scaled(&b.p50, scale),
                colour: BLUE,
                width: 4,
                dashed: false,
            },
        ],
        y_fixed: None,
        zero_based,
    }
}

fn single(name: &str, title: String, legend: Vec<LegendItem>, panel: Panel) -> Chart {
    Chart {
        name: name.to_string(),
        title,
        legend,
        cols: 1,
        panels: vec![panel],
        size: SINGLE,
        time_desc: true,
        notes: String::new(),
        markers: true,
    }
}

fn grid(
    name: &str,
    title: String,
    legend: Vec<LegendItem>,
    cols: usize,
    panels: Vec<Panel>,
) -> Option<Chart> {
    if panels.is_empty() {
        return None;
    }
    let cols = cols.min(panels.len());
    let size = if panels.len() == 1 {
        SINGLE
    } else {
        grid_size(panels.len(), cols)
    };
    Some(Chart {
        name: name.to_string(),
        title,
        legend,
        cols,
        time_desc: panels.len() == 1,
        panels,
        size,
        notes: String::new(),
        markers: true,
    })
}

/// Economies in catalogue order, without WORLD.
fn economies(d: &ChartData) -> Vec<String> {
    d.series
        .iter()
        .filter(|s| s.metric == "gdp_growth_yoy" && s.economy != "WORLD")
        .map(|s| s.economy.clone())
        .collect()
}

/// Every chart of a run, in report order.
pub fn charts(d: &ChartData) -> Vec<Chart> {
    let mut out = Vec::new();
    let econ = economies(d);

    // GDP level against the baseline path first: growth rates alone mislead
    // after a shock (base effects make growth rebound above the baseline
    // while the level stays below it).
    if let Some(s) = d.series("gdp_dev", "WORLD", "", "") {
        out.push(single(
            "gdp_level_world",
            "World GDP, % difference from the baseline path".into(),
            fan_legend(),
            fan(s, 1.0, None, "GDP vs baseline (%)"),
        ));
    }
    let mut panels: Vec<Panel> = econ
        .iter()
        .filter_map(|e| d.series("gdp_dev", e, "", ""))
        .map(|s| fan(s, 1.0, Some(d.name(&s.economy)), "GDP vs baseline (%)"))
        .collect();
    share_y(&mut panels);
    out.extend(grid(
        "gdp_level_by_economy",
        "GDP by economy, % difference from the baseline path (one scale)".into(),
        fan_legend(),
        3,
        panels,
    ));

    // GDP growth.
    if let Some(s) = d.series("gdp_growth_yoy", "WORLD", "", "") {
        let monthly = fan(
            s,
            1.0,
            Some("Monthly, year on year".into()),
            "GDP growth y/y (%/yr)",
        );
        let years: Vec<Interval> = d
            .annual("gdp_growth", "WORLD", "CY")
            .into_iter()
            .map(|f| Interval {
                label: f.period.trim_start_matches("CY").to_string(),
                q: f.five(),
                baseline: f.baseline,
            })
            .collect();
        let mut c = single(
            "gdp_growth_world",
            "World GDP growth: monthly year on year, and by calendar year".into(),
            fan_legend(),
            monthly,
        );
        if !years.is_empty() {
            c.panels.push(Panel::Bars {
                caption: Some("Calendar years".into()),
                y_desc: "GDP growth (%)".into(),
                bars: years,
            });
            c.cols = 2;
            c.time_desc = false;
        }
        out.push(c);
    }
    let panels: Vec<Panel> = econ
        .iter()
        .filter_map(|e| d.series("gdp_growth_yoy", e, "", ""))
        .map(|s| fan(s, 1.0, Some(d.name(&s.economy)), "growth y/y (%/yr)"))
        .collect();
    out.extend(grid(
        "gdp_growth_by_economy",
        "GDP growth by economy, year on year".into(),
        fan_legend(),
        3,
        panels,
    ));

    // Trade: the first featured economy's imports from the second, and
    // trade diversion into both from third countries.
    let (a, b) = (d.focus.economies.first(), d.focus.economies.get(1));
    if let (Some(a), Some(b)) = (a, b)
        && let Some(s) = d.series("imports", a, b, "ALL")
    {
        out.push(single(
            &format!("imports_{}_from_{}", a.to_lowercase(), b.to_lowercase()),
            format!(
                "{} imports from {}, all sectors (annualised)",
                d.short(a),
                d.name(b)
            ),
            fan_legend(),
            fan(s, 1.0, None, "imports (USD bn/yr)"),
        ));
    }
    let mut diversion: Vec<&SeriesBand> = Vec::new();
    let mut into: Vec<String> = Vec::new();
    let sides = [(a, b, d.focus.diversion.as_slice()), (b, a, &[][..])];
    for (importer, excluded, preferred) in sides {
        let (Some(importer), Some(excluded)) = (importer, excluded) else {
            continue;
        };
        into.push(d.short(importer));
        let mut picked: Vec<&SeriesBand> = preferred
            .iter()
            .filter_map(|p| d.series("imports", importer, p, "ALL"))
            .take(2)
            .collect();
        if picked.len() < 2 {
            // The partners whose imports gain most against the baseline at the end.
            let mut gainers: Vec<(&SeriesBand, f64)> = d
                .series
                .iter()
                .filter(|s| {
                    s.metric == "imports"
                        && s.economy == *importer
                        && s.sector == "ALL"
                        && s.partner != "ALL"
                        && s.partner != *excluded
                })
                .filter(|s| !picked.iter().any(|p| p.partner == s.partner))
                .filter_map(|s| {
                    let (m, b) = (*s.band.p50.last()?, *s.baseline.last()?);
                    (m.is_finite() && b.is_finite() && b > 0.0).then_some((s, m / b))
                })
                .collect();
            gainers.sort_by(|a, b| b.1.total_cmp(&a.1));
            picked.extend(gainers.into_iter().take(2 - picked.len()).map(|g| g.0));
        }
        diversion.extend(picked);
    }
    let panels: Vec<Panel> = diversion
        .iter()
        .map(|s| {
            fan(
                s,
                1.0,
                Some(format!(
                    "{} imports from {}",
                    d.short(&s.economy),
                    d.name(&s.partner)
                )),
                "imports (USD bn/yr)",
            )
        })
        .collect();
    out.extend(grid(
        "trade_diversion",
        format!(
            "Trade diversion: imports into {} from third countries",
            into.join(" and ")
        ),
        fan_legend(),
        2,
        panels,
    ));

    // Effective tariffs of the featured pairs.
    let panels: Vec<Panel> = d
        .focus
        .pairs
        .iter()
        .filter_map(|(i, p)| d.series("tariff_effective", i, p, ""))
        .map(|s| {
            let cap = format!(
                "{} on imports from {}",
                d.short(&s.economy),
                d.name(&s.partner)
            );
            fan0(s, 1.0, Some(cap), "effective tariff (%)")
        })
        .collect();
    out.extend(grid(
        "tariffs_effective",
        "Effective tariff rates by importer and partner (baseline trade weights)".into(),
        fan_legend(),
        3,
        panels,
    ));

    // Rare earths: one line per importer (importers on the same path
    // share a line), with the featured importer's band.
    out.extend(importer_lines(
        d,
        "re_stock_months",
        1.0,
        "rare_earth_stock",
        "Rare-earth stocks at importers, in months of normal use",
        "stock (months of cover)",
    ));
    out.extend(importer_lines(
        d,
        "re_shortfall",
        100.0,
        "rare_earth_shortfall",
        "Rare-earth shortfall per importer: share of normal supply not received",
        "shortfall (% of need)",
    ));
    out.extend(output_loss(d));

    // Rules.
    out.extend(rule_firings(d));

    // Horizon outcomes: one ranked interval chart each.
    // The world total is stated in the notes, not drawn: on the same axis
    // it would squeeze every economy into the first tenth.
    let world = d
        .final_dist("gdp_loss_cum", "WORLD", "total")
        .map(|w| {
            let q = |p: usize| fmt_tick(w.q(p), 0);
            format!("World: {} [{}, {}] USD bn. ", q(50), q(5), q(95))
        })
        .unwrap_or_default();
    out.extend(
        intervals(
            d,
            "gdp_loss_cum",
            "Cumulative GDP loss against the baseline over the horizon, by economy",
            "cumulative GDP loss (USD bn)",
            &econ,
            ("gdp_loss_cum", "total"),
            true,
        )
        .map(|mut c| {
            c.notes.insert_str(0, &world);
            c
        }),
    );
    out.extend(intervals(
        d,
        "welfare",
        "Welfare change per economy, horizon average",
        "welfare change (USD bn/yr)",
        &econ,
        ("welfare", "horizon"),
        false,
    ));

    // Sensitivity of the featured economies' GDP and the featured
    // licensing importer's shortfall.
    let mut tornados: Vec<(String, &str, String, String)> = d
        .focus
        .economies
        .iter()
        .take(2)
        .map(|e| {
            (
                format!("sensitivity_gdp_{}", e.to_lowercase()),
                "gdp_dev",
                e.clone(),
                format!(
                    "{} GDP (deviation from baseline, horizon average)",
                    d.short(e)
                ),
            )
        })
        .collect();
    if let Some(j) = &d.focus.licensing_importer {
        tornados.push((
            format!("sensitivity_re_shortfall_{}", j.to_lowercase()),
            "re_shortfall",
            j.clone(),
            format!(
                "the {} {} shortfall (horizon average)",
                d.short(j),
                d.focus.input
            ),
        ));
    }
    for (name, metric, economy, what) in &tornados {
        out.extend(tornado(d, name, metric, economy, what));
    }
    for c in out.iter_mut().filter(|c| c.notes.is_empty()) {
        c.notes = notes(&c.name).to_string();
    }
    out
}

/// What a reader needs to know to read each chart, under its plot.
fn notes(name: &str) -> &'static str {
    match name {
        n if n.starts_with("gdp_level") => {
            "GDP level against the path without the policy changes (same shocks). The level can stay below the baseline while growth rebounds."
        }
        "gdp_growth_world" => {
            "Left: growth of monthly GDP over 12 months earlier; base effects can lift it above the baseline while the level stays below (see the level chart). Right: calendar-year growth of annual GDP, median with 5-95 % of runs; dashed tick: baseline."
        }
        "gdp_growth_by_economy" => {
            "Growth of monthly GDP over 12 months earlier; after a shock, base effects lift growth while the level stays below the baseline."
        }
        n if n.starts_with("imports") || n == "trade_diversion" => {
            "Imports in USD bn at an annual rate; the baseline keeps the tariffs in force before the scenario starts."
        }
        "tariffs_effective" => {
            "Tariff revenue over imports at the base year's trade weights (before substitution); annual.csv also gives the rate at the simulated weights."
        }
        "rare_earth_stock" | "rare_earth_shortfall" => {
            "Lines: median of runs per importer (importers on the same path share a line; every importer's bands are in summary.csv). Licensing capacity, approvals and delays are sampled; months of cover = stock over normal monthly use."
        }
        "output_loss" => {
            "Licensing capacity, approval rates and delays are sampled; the loss is output the sector could not produce for want of the input."
        }
        "rule_firings" => "Share of runs in which each rule has fired by that month.",
        n if n.starts_with("sensitivity") => {
            "Spearman rank correlation over the runs between each sampled parameter and the outcome; the 12 strongest."
        }
        _ => "",
    }
}

/// A ranked interval chart of one horizon outcome across `economies`.
fn intervals(
    d: &ChartData,
    name: &str,
    title: &str,
    x_desc: &str,
    economies: &[String],
    (metric, kind): (&str, &str),
    highest_first: bool,
) -> Option<Chart> {
    let rows: Vec<Interval> = economies
        .iter()
        .filter_map(|e| d.final_dist(metric, e, kind))
        .map(|f| Interval {
            label: d.name(&f.economy),
            q: f.five(),
            baseline: f64::NAN,
        })
        .collect();
    if rows.is_empty() {
        return None;
    }
    // Three significant figures or so for the largest value.
    let largest = rows
        .iter()
        .flat_map(|r| r.q)
        .filter(|v| v.is_finite())
        .fold(0.0f64, |m, v| m.max(v.abs()));
    let decimals = if largest >= 100.0 {
        0
    } else if largest >= 1.0 {
        1
    } else {
        2
    };
    let height = (300 + 70 * rows.len() as u32).max(700);
    let mut c = single(
        name,
        title.to_string(),
        Vec::new(),
        Panel::Intervals {
            x_desc: x_desc.to_string(),
            rows: ranked(rows, highest_first),
            decimals,
        },
    );
    c.size = (SINGLE.0, height);
    c.time_desc = false;
    c.markers = false;
    c.notes = "Ranked by the median. Dot: median; bar: 25-75 %; line: 5-95 % of runs. Numbers: median [5 %, 95 %].".into();
    Some(c)
}

/// Importers whose median paths differ by less than this (in the chart's
/// unit, at every month) are drawn as one line.
const SAME_PATH: f64 = 0.05;

/// One panel, one median line per importer of `metric` (importers on the
/// same path merged, named together), the featured licensing importer's
/// 5-95 % band, and the baseline of the first importer dashed.
fn importer_lines(
    d: &ChartData,
    metric: &str,
    scale: f64,
    name: &str,
    title: &str,
    y_desc: &str,
) -> Option<Chart> {
    let series: Vec<&SeriesBand> = d.series.iter().filter(|s| s.metric == metric).collect();
    let first = series.first()?;
    let mut groups: Vec<(Vec<f64>, Vec<String>, bool)> = Vec::new();
    let featured = d.focus.licensing_importer.as_deref();
    for s in &series {
        let path = scaled(&s.band.p50, scale);
        let is_featured = featured == Some(s.economy.as_str());
        match groups.iter_mut().find(|g| {
            g.0.len() == path.len()
                && g.0
                    .iter()
                    .zip(&path)
                    .all(|(a, b)| (a - b).abs() < SAME_PATH)
        }) {
            Some(g) => {
                g.1.push(d.short(&s.economy));
                g.2 |= is_featured;
            }
            None => groups.push((path, vec![d.short(&s.economy)], is_featured)),
        }
    }
    let style = |k: usize| (SERIES[k % SERIES.len()], (k / SERIES.len()) % 2 == 1);
    let mut bands = Vec::new();
    let mut lines = vec![LineSpec {
        values: scaled(&first.baseline, scale),
        colour: GREY,
        width: 3,
        dashed: true,
    }];
    let mut legend = Vec::new();
    for (k, (path, names, is_featured)) in groups.iter().enumerate() {
        let (colour, dashed) = style(k);
        if *is_featured
            && let Some(s) = series.iter().find(|s| Some(s.economy.as_str()) == featured)
        {
            bands.push(BandSpec {
                lo: scaled(&s.band.p05, scale),
                hi: scaled(&s.band.p95, scale),
                colour,
                opacity: OUTER,
            });
        }
        lines.push(LineSpec {
            values: path.clone(),
            colour,
            width: 4,
            dashed,
        });
        legend.push(LegendItem::new(
            names.join(", "),
            if dashed {
                Swatch::Dashed(colour)
            } else {
                Swatch::Line(colour)
            },
        ));
    }
    if let Some(b) = bands.first() {
        let who = featured.map(|e| d.short(e)).unwrap_or_default();
        legend.push(LegendItem::new(
            format!("{who}: 5-95 % of runs"),
            Swatch::Band(b.colour, OUTER),
        ));
    }
    legend.push(LegendItem::new(
        format!("{} baseline (no policy change)", d.short(&first.economy)),
        Swatch::Dashed(GREY),
    ));
    Some(single(
        name,
        title.to_string(),
        legend,
        Panel::Time {
            caption: None,
            y_desc: y_desc.to_string(),
            bands,
            lines,
            y_fixed: None,
            zero_based: true,
        },
    ))
}

fn output_loss(d: &ChartData) -> Option<Chart> {
    let series: Vec<&SeriesBand> = d
        .series
        .iter()
        .filter(|s| s.metric == "output_loss")
        .collect();
    let mut sectors: Vec<&str> = Vec::new();
    let mut importers: Vec<&str> = Vec::new();
    for s in &series {
        if !sectors.contains(&s.sector.as_str()) {
            sectors.push(&s.sector);
        }
        if !importers.contains(&s.economy.as_str()) {
            importers.push(&s.economy);
        }
    }
    let colour = |sector: &str| {
        SERIES[sectors.iter().position(|x| *x == sector).unwrap_or(0) % SERIES.len()]
    };
    let panels: Vec<Panel> = importers
        .iter()
        .map(|e| {
            let mine: Vec<&&SeriesBand> = series.iter().filter(|s| s.economy == *e).collect();
            Panel::Time {
                caption: Some(d.name(e)),
                y_desc: "output loss (% of sector output)".into(),
                bands: mine
                    .iter()
                    .map(|s| BandSpec {
                        lo: s.band.p25.clone(),
                        hi: s.band.p75.clone(),
                        colour: colour(&s.sector),
                        opacity: 0.16,
                    })
                    .collect(),
                lines: mine
                    .iter()
                    .map(|s| LineSpec {
                        values: s.band.p50.clone(),
                        colour: colour(&s.sector),
                        width: 4,
                        dashed: false,
                    })
                    .collect(),
                y_fixed: None,
                zero_based: true,
            }
        })
        .collect();
    let mut legend: Vec<LegendItem> = sectors
        .iter()
        .map(|s| {
            LegendItem::new(
                format!("{} (median)", sector_name(s)),
                Swatch::Line(colour(s)),
            )
        })
        .collect();
    legend.push(LegendItem::new(
        "25-75 % of runs, in the sector's colour",
        Swatch::Band(GREY, 0.25),
    ));
    grid(
        "output_loss",
        "Output loss in rare-earth dependent sectors, by importer".into(),
        legend,
        3,
        panels,
    )
}

/// Rules drawn one line each; beyond this, the others are drawn as one
/// line (the highest of them in each month), so the chart and the report
/// stay small whatever the number of rules.
pub const MAX_RULE_LINES: usize = 10;

fn rule_firings(d: &ChartData) -> Option<Chart> {
    if d.rules.is_empty() {
        return None;
    }
    // The rules most likely to have fired by the end, in catalogue order.
    let mut ranked: Vec<usize> = (0..d.rules.len()).collect();
    let last = |k: usize| d.rules[k].p_end();
    ranked.sort_by(|a, b| last(*b).total_cmp(&last(*a)).then(a.cmp(b)));
    let mut shown: Vec<usize> = ranked.iter().copied().take(MAX_RULE_LINES).collect();
    shown.sort_unstable();
    let rest: Vec<usize> = ranked.iter().copied().skip(MAX_RULE_LINES).collect();
    let style = |k: usize| (SERIES[k % SERIES.len()], (k / SERIES.len()) % 2 == 1);
    let mut lines: Vec<LineSpec> = Vec::new();
    let mut legend: Vec<LegendItem> = Vec::new();
    for (n, k) in shown.iter().enumerate() {
        let (colour, dashed) = style(n);
        lines.push(LineSpec {
            values: scaled(&d.rules[*k].p_by_month, 100.0),
            colour,
            width: 4,
            dashed,
        });
        legend.push(LegendItem::new(
            d.rules[*k].label.clone(),
            if dashed {
                Swatch::Dashed(colour)
            } else {
                Swatch::Line(colour)
            },
        ));
    }
    if !rest.is_empty() {
        let months = d.rules[0].p_by_month.len();
        let highest: Vec<f64> = (0..months)
            .map(|t| {
                rest.iter()
                    .map(|k| d.rules[*k].p_by_month.get(t).copied().unwrap_or(0.0))
                    .fold(0.0, f64::max)
            })
            .collect();
        lines.push(LineSpec {
            values: scaled(&highest, 100.0),
            colour: GREY,
            width: 2,
            dashed: true,
        });
        legend.push(LegendItem::new(
            format!("the other {} rules (the highest of them)", rest.len()),
            Swatch::Dashed(GREY),
        ));
    }
    let panel = Panel::Time {
        caption: None,
        y_desc: "probability the rule has fired (%)".into(),
        bands: Vec::new(),
        lines,
        y_fixed: Some((0.0, 100.0)),
        zero_based: false,
    };
    Some(single(
        "rule_firings",
        "Rules: probability that each rule has fired by each month".into(),
        legend,
        panel,
    ))
}

fn tornado(d: &ChartData, name: &str, metric: &str, economy: &str, what: &str) -> Option<Chart> {
    let mut rows: Vec<(String, f64)> = d
        .sensitivity
        .iter()
        .filter(|s| s.metric == metric && s.economy == economy && s.spearman.is_finite())
        .map(|s| (s.label.clone(), s.spearman))
        .collect();
    // Nothing to show if the outcome does not vary (all correlations zero).
    if rows.iter().all(|r| r.1.abs() < 1e-9) {
        return None;
    }
    rows.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then_with(|| a.0.cmp(&b.0)));
    rows.truncate(12);
    let legend = vec![
        LegendItem::new("higher parameter, higher outcome", Swatch::Bar(BLUE)),
        LegendItem::new("higher parameter, lower outcome", Swatch::Bar(VERMILLION)),
    ];
    let panel = Panel::Tornado {
        x_desc: "Spearman rank correlation with the outcome (-1 to 1)".into(),
        bars: rows,
    };
    let mut c = single(name, format!("Sensitivity of {what}"), legend, panel);
    c.time_desc = false;
    c.markers = false;
    Some(c)
}
