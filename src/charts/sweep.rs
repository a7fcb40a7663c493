//! Charts of `tariffsim sweep`: key horizon outcomes against the swept
//! value (numeric x axis), median with 25-75 % and 5-95 % bands, one chart
//! per outcome and one small-multiples chart of them all.
//!
//! A sweep aggregates horizon outcomes only (`finals`); outcomes the
//! scenario does not report are skipped.

use super::panel::{KeyedAxis, message, y_range};
use plotters::coord::Shift;
use plotters::prelude::*;
use rayon::prelude::*;

use crate::engine::SetResult;
use crate::model::Model;
use crate::model::series::FinalKind;

use super::style::{
    self, AXIS, BLUE, CAPTION, GREY, LegendItem, Swatch, TICK, err, fmt_tick, font,
};
use super::{ChartError, ChartFile, Drawing};

/// Opacity of the outer (5-95 %) and inner (25-75 %) bands.
const OUTER: f64 = 0.18;
const INNER: f64 = 0.35;

/// Width of a text in pixels.
pub(super) fn text_w<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
) -> u32 {
    area.estimate_text_size(text, style)
        .map(|(w, _)| w)
        .unwrap_or((text.chars().count() as f64 * style.font.get_size() * 0.62) as u32)
}

/// "Nice" ticks (steps of 1, 2, 2.5 or 5 times a power of ten) inside
/// `lo..=hi`, at most `max` of them.
pub(super) fn nice_ticks(lo: f64, hi: f64, max: usize) -> Vec<f64> {
    let span = hi - lo;
    if !span.is_finite() || span <= 0.0 {
        return vec![lo];
    }
    let max = max.max(2);
    let mut p = 10f64.powf((span / max as f64).log10().floor());
    loop {
        for m in [1.0, 2.0, 2.5, 5.0] {
            let step = m * p;
            let first = (lo / step).ceil();
            let last = (hi / step).floor();
            if last - first < max as f64 {
                return ((first as i64)..=(last as i64))
                    .map(|k| k as f64 * step)
                    .collect();
            }
        }
        p *= 10.0;
    }
}

/// Fewest decimals (up to 4) that show every value exactly.
fn decimals_for(values: &[f64]) -> usize {
    (0..=4)
        .find(|d| {
            let f = 10f64.powi(*d as i32);
            values
                .iter()
                .all(|v| ((v * f).round() / f - v).abs() <= 1e-9 * (1.0 + v.abs()))
        })
        .unwrap_or(4)
}

/// One outcome against the swept value: points sorted by x.
#[derive(Debug, Clone)]
struct Curve {
    caption: String,
    y_desc: String,
    x: Vec<f64>,
    p05: Vec<f64>,
    p25: Vec<f64>,
    p50: Vec<f64>,
    p75: Vec<f64>,
    p95: Vec<f64>,
    zero_based: bool,
}

struct SweepChart {
    name: String,
    title: String,
    note: String,
    x_desc: String,
    /// The swept values (scaled), for the ticks.
    values: Vec<f64>,
    cols: usize,
    curves: Vec<Curve>,
    size: (u32, u32),
}

fn legend() -> Vec<LegendItem> {
    vec![
        LegendItem::new("median (dots: the swept values)", Swatch::Line(BLUE)),
        LegendItem::new(
            "25-75 % of runs",
            Swatch::Band(BLUE, 1.0 - (1.0 - OUTER) * (1.0 - INNER)),
        ),
        LegendItem::new("5-95 % of runs", Swatch::Band(BLUE, OUTER)),
    ]
}

impl Drawing for SweepChart {
    fn name(&self) -> &str {
        &self.name
    }
    fn title(&self) -> &str {
        &self.title
    }
    fn size(&self) -> (u32, u32) {
        self.size
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        let body = style::frame(root, &self.title, &legend(), &self.note)?;
        let cols = self.cols.max(1);
        let rows = self.curves.len().div_ceil(cols).max(1);
        let cells = body.split_evenly((rows, cols));
        let multi = self.curves.len() > 1;
        for (c, cell) in self.curves.iter().zip(cells.iter()) {
            let cell = if multi {
                cell.margin(6, 10, 4, 14)
            } else {
                cell.clone()
            };
            curve_panel(&cell, c, &self.x_desc, &self.values, multi)?;
        }
        Ok(())
    }
}

fn curve_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    c: &Curve,
    x_desc: &str,
    values: &[f64],
    with_caption: bool,
) -> Result<(), ChartError> {
    let caption = with_caption.then_some(c.caption.as_str());
    let ys = || {
        c.p05
            .iter()
            .chain(&c.p95)
            .chain(&c.p50)
            .copied()
            .filter(|v| v.is_finite())
    };
    if c.x.is_empty() || ys().next().is_none() {
        return message(area, caption, "no data");
    }
    let (y0, y1) = y_range(ys(), c.zero_based);
    let (xmin, xmax) =
        c.x.iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
                (a.min(*x), b.max(*x))
            });
    let span = xmax - xmin;
    let (x0, x1) = if span > 0.0 {
        (xmin - 0.04 * span, xmax + 0.04 * span)
    } else {
        (xmin - 0.5, xmax + 0.5)
    };
    let (w, _) = area.dim_in_pixel();
    let yticks = nice_ticks(y0, y1, 7);
    let ydec = decimals_for(&yticks);
    let widest = yticks
        .iter()
        .map(|v| text_w(area, &fmt_tick(*v, ydec), &font(TICK)))
        .max()
        .unwrap_or(40);
    let y_area = widest + (AXIS * 1.5) as u32 + 14;
    // Ticks at the swept values if their labels fit, else at round numbers.
    let mut distinct: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup_by(|a, b| (*a - *b).abs() <= 1e-12 * (1.0 + b.abs()));
    let vdec = decimals_for(&distinct);
    let label_px = distinct
        .iter()
        .map(|v| text_w(area, &fmt_tick(*v, vdec), &font(TICK)))
        .max()
        .unwrap_or(40)
        .max(30);
    let plot_w = w.saturating_sub(y_area + 30) as f64;
    let min_gap = distinct
        .windows(2)
        .map(|p| p[1] - p[0])
        .fold(f64::INFINITY, f64::min);
    let fits = distinct.len() <= 12
        && (distinct.len() < 2 || min_gap / (x1 - x0) * plot_w >= label_px as f64 * 1.3);
    let (keys, xdec) = if fits {
        (distinct.clone(), vdec)
    } else {
        let max = (plot_w / (label_px as f64 * 2.0)).clamp(2.0, 10.0) as usize;
        let t = nice_ticks(x0, x1, max);
        let d = decimals_for(&t);
        (t, d)
    };
    let mut b = ChartBuilder::on(area);
    if let Some(cap) = caption {
        b.caption(cap, style::bold(CAPTION));
    }
    b.margin_top(4)
        .margin_right(28)
        .x_label_area_size((TICK * 1.6 + AXIS * 1.5) as u32)
        .y_label_area_size(y_area);
    let mut chart = b
        .build_cartesian_2d(
            KeyedAxis {
                lo: x0,
                hi: x1,
                keys,
            },
            KeyedAxis {
                lo: y0,
                hi: y1,
                keys: yticks,
            },
        )
        .map_err(err)?;
    let xf = |x: &f64| fmt_tick(*x, xdec);
    let yf = |y: &f64| fmt_tick(*y, ydec);
    style::house_mesh(&mut chart.configure_mesh())
        .x_label_formatter(&xf)
        .y_label_formatter(&yf)
        .x_desc(x_desc)
        .y_desc(c.y_desc.as_str())
        .draw()
        .map_err(err)?;
    if y0 < 0.0 && y1 > 0.0 {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x0, 0.0), (x1, 0.0)],
                GREY.stroke_width(1),
            )))
            .map_err(err)?;
    }
    for (lo, hi, opacity) in [(&c.p05, &c.p95, OUTER), (&c.p25, &c.p75, INNER)] {
        let pts: Vec<(f64, f64, f64)> =
            c.x.iter()
                .zip(lo.iter().zip(hi))
                .filter(|(x, (l, h))| x.is_finite() && l.is_finite() && h.is_finite())
                .map(|(x, (l, h))| (*x, l.min(*h), h.max(*l)))
                .collect();
        if pts.len() >= 2 {
            let mut poly: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, p.2)).collect();
            poly.extend(pts.iter().rev().map(|p| (p.0, p.1)));
            chart
                .draw_series(std::iter::once(Polygon::new(
                    poly,
                    BLUE.mix(opacity).filled(),
                )))
                .map_err(err)?;
        } else if let Some(&(x, l, h)) = pts.first() {
            // A single value: the band as a short bar.
            let dx = (x1 - x0) * 0.01;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x - dx, l), (x + dx, h)],
                    BLUE.mix(opacity).filled(),
                )))
                .map_err(err)?;
        }
    }
    let med: Vec<(f64, f64)> =
        c.x.iter()
            .zip(&c.p50)
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .map(|(x, y)| (*x, *y))
            .collect();
    if med.len() >= 2 {
        chart
            .draw_series(LineSeries::new(med.clone(), BLUE.stroke_width(4)))
            .map_err(err)?;
    }
    // Dots at the swept values, smaller when they are many.
    let r = match med.len() {
        0..=12 => 6,
        13..=40 => 4,
        _ => 3,
    };
    chart
        .draw_series(med.iter().map(|p| Circle::new(*p, r, BLUE.filled())))
        .map_err(err)?;
    Ok(())
}

/// What a horizon outcome is called and how it is drawn.
struct Outcome {
    key: String,
    title: String,
    caption: String,
    y_desc: &'static str,
    metric: &'static str,
    economy: String,
    partner: String,
    sector: &'static str,
    zero_based: bool,
}

/// The measure a `tariffs.<id>.<field>` parameter belongs to: (importer, partner).
fn swept_pair(model: &Model, param: &str) -> Option<(String, String)> {
    let mut parts = param.split('.');
    if parts.next()? != "tariffs" {
        return None;
    }
    let id = parts.next()?;
    let sc = model.sc;
    let m = sc.measures.iter().find(|m| m.id == id)?;
    let by = sc.economies.get(m.by)?.id.clone();
    let on = match m.on.as_slice() {
        [one] => sc.economies.get(*one)?.id.clone(),
        _ => "ALL".to_string(),
    };
    Some((by, on))
}

fn outcomes(model: &Model, param: &str) -> Vec<Outcome> {
    let gdp = |e: &str, who: &str| Outcome {
        key: format!("gdp_{}", e.to_lowercase()),
        title: format!("{who} GDP vs baseline, horizon average"),
        caption: format!("{who} GDP vs baseline"),
        y_desc: "GDP vs baseline, horizon average (%)",
        metric: "gdp_dev",
        economy: e.to_string(),
        partner: String::new(),
        sector: "",
        zero_based: false,
    };
    let sc = model.sc;
    let (a, b) = (sc.featured(0), sc.featured(1));
    let mut out: Vec<Outcome> = [a, b]
        .into_iter()
        .flatten()
        .map(|e| gdp(e, &sc.economy_short(e)))
        .collect();
    out.push(gdp("WORLD", "World"));
    if let (Some(a), Some(b)) = (a, b) {
        let what = format!(
            "{} imports from {}",
            sc.economy_short(a),
            sc.economy_name(b)
        );
        out.push(Outcome {
            key: format!("imports_{}_from_{}", a.to_lowercase(), b.to_lowercase()),
            title: format!("{what}, all sectors, horizon average"),
            caption: what,
            y_desc: "imports, horizon average (USD bn/yr)",
            metric: "imports",
            economy: a.into(),
            partner: b.into(),
            sector: "ALL",
            zero_based: true,
        });
    }
    if let Some((by, on)) = swept_pair(model, param) {
        let on_name = sc.economy_name(&on);
        out.push(Outcome {
            key: format!("tariff_{}_on_{}", by.to_lowercase(), on.to_lowercase()),
            title: format!(
                "Effective tariff of {} on imports from {on_name}, horizon average",
                sc.economy_name(&by)
            ),
            caption: format!("Effective tariff, {by} on {on}"),
            y_desc: "effective tariff, horizon average (%)",
            metric: "tariff_effective",
            economy: by,
            partner: on,
            sector: "",
            zero_based: true,
        });
    }
    out
}

fn final_index(model: &Model, o: &Outcome) -> Option<usize> {
    model.slots.final_labels.iter().position(|(l, k)| {
        *k == FinalKind::Average
            && l.metric == o.metric
            && l.economy == o.economy
            && l.partner == o.partner
            && l.sector == o.sector
    })
}

/// The x axis: a tariff rate as a percentage, anything else as given.
fn x_axis(param: &str) -> (f64, String) {
    if param.starts_with("tariffs.") && param.ends_with(".rate") {
        (100.0, format!("{param} (tariff rate, %)"))
    } else {
        (1.0, format!("{param} (value as set)"))
    }
}

/// Render the sweep charts: one per key outcome and one with them all.
///
/// # Errors
/// If a chart cannot be drawn or encoded.
pub fn charts(
    param: &str,
    values: &[String],
    models: &[&Model],
    res: &SetResult,
    seed: u64,
    overrides: &[String],
    size: super::ChartSize,
) -> Result<Vec<ChartFile>, ChartError> {
    style::ensure_fonts()?;
    let Some(m0) = models.first() else {
        return Ok(Vec::new());
    };
    let n = values.len().min(res.scenarios.len());
    let (scale, x_desc) = x_axis(param);
    let xs: Vec<f64> = values[..n]
        .iter()
        .map(|v| v.trim().parse::<f64>().unwrap_or(f64::NAN) * scale)
        .collect();
    let mut order: Vec<usize> = (0..n).filter(|k| xs[*k].is_finite()).collect();
    order.sort_by(|a, b| xs[*a].total_cmp(&xs[*b]));
    let runs = res.scenarios.first().map_or(0, |g| g.runs);
    let note = format!(
        "{} | {n} values of {param} on common random numbers",
        style::note_with_overrides(&m0.sc.meta.name, runs, seed, overrides)
    );
    let mut curves: Vec<(String, String, Curve)> = Vec::new();
    for o in outcomes(m0, param) {
        let Some(i) = final_index(m0, &o) else {
            continue;
        };
        let mut c = Curve {
            caption: o.caption.clone(),
            y_desc: o.y_desc.to_string(),
            x: Vec::new(),
            p05: Vec::new(),
            p25: Vec::new(),
            p50: Vec::new(),
            p75: Vec::new(),
            p95: Vec::new(),
            zero_based: o.zero_based,
        };
        for &k in &order {
            let Some(cell) = res.scenarios[k].finals.get(i) else {
                continue;
            };
            let s = cell.stats();
            c.x.push(xs[k]);
            c.p05.push(s.p05);
            c.p25.push(s.p25);
            c.p50.push(s.p50);
            c.p75.push(s.p75);
            c.p95.push(s.p95);
        }
        if c.x.is_empty() {
            continue;
        }
        curves.push((o.key, o.title, c));
    }
    let values_x: Vec<f64> = order.iter().map(|k| xs[*k]).collect();
    let mut list: Vec<SweepChart> = Vec::new();
    if curves.len() > 1 {
        let cols = if curves.len() <= 4 { 2 } else { 3 };
        let rows = curves.len().div_ceil(cols) as u32;
        list.push(SweepChart {
            name: "sweep_outcomes".into(),
            title: format!("Horizon outcomes by {param}"),
            note: note.clone(),
            x_desc: x_desc.clone(),
            values: values_x.clone(),
            cols,
            curves: curves.iter().map(|c| c.2.clone()).collect(),
            size: (1600, (200 + rows * 470 + 50).max(900)),
        });
    }
    for (key, title, c) in curves {
        list.push(SweepChart {
            name: format!("sweep_{key}"),
            title: format!("{title}, by {param}"),
            note: note.clone(),
            x_desc: x_desc.clone(),
            values: values_x.clone(),
            cols: 1,
            curves: vec![c],
            size: (1600, 900),
        });
    }
    list.par_iter()
        .map(|d| super::render_drawing(d, size))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ticks_are_round_and_inside() {
        let t = nice_ticks(0.0, 1.0, 6);
        assert_eq!(t.len(), 6);
        assert!(
            t.iter()
                .zip([0.0, 0.2, 0.4, 0.6, 0.8, 1.0])
                .all(|(a, b)| (a - b).abs() < 1e-12)
        );
        let t = nice_ticks(-3.0, 148.0, 8);
        assert!(t.len() <= 8 && t.len() >= 2, "{t:?}");
        assert!(t.iter().all(|x| (-3.0..=148.0).contains(x)));
        assert_eq!(nice_ticks(1.0, 1.0, 5), vec![1.0]);
    }

    #[test]
    fn decimals_show_values_exactly() {
        assert_eq!(decimals_for(&[0.0, 25.0, 50.0]), 0);
        assert_eq!(decimals_for(&[0.1, 0.25, 1.0]), 2);
    }

    #[test]
    fn tariff_rates_are_shown_in_percent() {
        assert_eq!(x_axis("tariffs.t.rate").0, 100.0);
        assert_eq!(x_axis("economies.US.multiplier").0, 1.0);
    }
}
