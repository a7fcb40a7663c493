//! The chart set: which series go into which chart, with titles, units and
//! legends. Everything here reads `ChartData` only; absent data means the
//! chart (or panel) is skipped.

use super::data::{ChartData, FinalDist, SeriesBand};
use super::panel::{BandSpec, Chart, LineSpec, Panel, share_y};
use super::style::{BLUE, GREY, INK, LegendItem, SERIES, SKY, Swatch, VERMILLION, sector_name};

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
        out.push(single(
            "gdp_growth_world",
            "World GDP growth, year on year".into(),
            fan_legend(),
            fan(s, 1.0, None, "GDP growth y/y (%/yr)"),
        ));
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

    // Rare earths.
    let re: Vec<&SeriesBand> = d
        .series
        .iter()
        .filter(|s| s.metric == "re_stock_months")
        .collect();
    let mut panels: Vec<Panel> = re
        .iter()
        .map(|s| fan0(s, 1.0, Some(d.name(&s.economy)), "stock (months of cover)"))
        .collect();
    share_y(&mut panels);
    out.extend(grid(
        "rare_earth_stock",
        "Rare-earth stocks at importers, in months of normal use (one scale)".into(),
        fan_legend(),
        3,
        panels,
    ));
    let mut panels: Vec<Panel> = d
        .series
        .iter()
        .filter(|s| s.metric == "re_shortfall")
        .map(|s| fan0(s, 100.0, Some(d.name(&s.economy)), "shortfall (% of need)"))
        .collect();
    share_y(&mut panels);
    out.extend(grid(
        "rare_earth_shortfall",
        "Rare-earth shortfall per importer: share of normal supply not received (one scale)".into(),
        fan_legend(),
        3,
        panels,
    ));
    out.extend(output_loss(d));

    // Rules.
    out.extend(rule_firings(d));

    // Horizon outcomes.
    let hist_legend = || {
        vec![
            LegendItem::new(
                "share of runs per bin (1st-99th percentile range)",
                Swatch::Bar(SKY),
            ),
            LegendItem::new("median", Swatch::Line(VERMILLION)),
            LegendItem::new("5th and 95th percentiles", Swatch::Dashed(INK)),
        ]
    };
    let mut loss_econ = vec!["WORLD".to_string()];
    loss_econ.extend(econ.iter().cloned());
    let panels: Vec<Panel> = loss_econ
        .iter()
        .filter_map(|e| d.final_dist("gdp_loss_cum", e, "total"))
        .map(|f| hist(d, f, "cumulative GDP loss (USD bn)"))
        .collect();
    out.extend(grid(
        "gdp_loss_cum",
        "Cumulative GDP loss against the baseline over the horizon".into(),
        hist_legend(),
        3,
        panels,
    ));
    let panels: Vec<Panel> = econ
        .iter()
        .filter_map(|e| d.final_dist("welfare", e, "horizon"))
        .map(|f| hist(d, f, "welfare change (USD bn/yr)"))
        .collect();
    out.extend(grid(
        "welfare",
        "Welfare change per economy, horizon average".into(),
        hist_legend(),
        3,
        panels,
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
    out
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
    let last = |k: usize| d.rules[k].1.last().copied().unwrap_or(0.0);
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
            values: scaled(&d.rules[*k].1, 100.0),
            colour,
            width: 4,
            dashed,
        });
        legend.push(LegendItem::new(
            d.rule_label(&d.rules[*k].0).to_string(),
            if dashed {
                Swatch::Dashed(colour)
            } else {
                Swatch::Line(colour)
            },
        ));
    }
    if !rest.is_empty() {
        let months = d.rules[0].1.len();
        let highest: Vec<f64> = (0..months)
            .map(|t| {
                rest.iter()
                    .map(|k| d.rules[*k].1.get(t).copied().unwrap_or(0.0))
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

/// Histogram bins `(lo, hi, % of runs)` over the 1st-99th percentile range,
/// from the 99 quantiles: each 1 % between consecutive quantiles is spread
/// evenly over that interval.
pub fn hist_bins(q: &[f64], nbins: usize) -> Vec<(f64, f64, f64)> {
    let q: Vec<f64> = q.iter().copied().filter(|v| v.is_finite()).collect();
    if q.len() < 2 || nbins == 0 {
        return Vec::new();
    }
    let (lo, hi) = (q[0], q[q.len() - 1]);
    let share = 98.0 / (q.len() - 1) as f64;
    if hi - lo <= 1e-12 * (1.0 + hi.abs()) {
        let pad = if hi.abs() > 1e-9 {
            hi.abs() * 0.05
        } else {
            0.5
        };
        return vec![(lo - pad, hi + pad, 98.0)];
    }
    let w = (hi - lo) / nbins as f64;
    let mut bins: Vec<(f64, f64, f64)> = (0..nbins)
        .map(|k| (lo + k as f64 * w, lo + (k + 1) as f64 * w, 0.0))
        .collect();
    let bin_of = |x: f64| (((x - lo) / w).floor().max(0.0) as usize).min(nbins - 1);
    for pair in q.windows(2) {
        let (a, b) = (pair[0].min(pair[1]), pair[0].max(pair[1]));
        if b - a <= 0.0 {
            bins[bin_of(a)].2 += share;
            continue;
        }
        for k in bin_of(a)..=bin_of(b) {
            let (l, h) = (bins[k].0.max(a), bins[k].1.min(b));
            if h > l {
                bins[k].2 += share * (h - l) / (b - a);
            }
        }
    }
    bins
}

fn hist(d: &ChartData, f: &FinalDist, x_desc: &str) -> Panel {
    let q = &f.quantiles;
    let at = |p: usize| q.get(p - 1).copied().unwrap_or(f64::NAN);
    Panel::Hist {
        caption: Some(d.name(&f.economy)),
        x_desc: x_desc.to_string(),
        bins: hist_bins(q, 24),
        p05: at(5),
        p50: at(50),
        p95: at(95),
    }
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
    Some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_hold_98_percent() {
        let q: Vec<f64> = (1..100).map(|k| k as f64).collect();
        let b = hist_bins(&q, 10);
        let total: f64 = b.iter().map(|x| x.2).sum();
        assert!((total - 98.0).abs() < 1e-9);
        assert!(b.iter().all(|x| (x.2 - 9.8).abs() < 1e-9));
        // A point mass: every quantile equal.
        let b = hist_bins(&[3.0; 99], 10);
        assert_eq!(b.len(), 1);
        // Mostly a point mass at zero.
        let mut q = vec![0.0; 60];
        q.extend((0..39).map(|k| 1.0 + k as f64));
        let b = hist_bins(&q, 13);
        assert!(b[0].2 > 59.0);
    }
}
