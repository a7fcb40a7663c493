//! The drawing primitives: a chart is a frame (title, legend, note) around a
//! grid of panels; a panel is a time plot (bands and lines over the months),
//! ranked intervals, annual bars (`ranked`) or a tornado of bars.

use super::ChartError;
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::ranked::{self, Interval};
use super::style::{self, AXIS, CAPTION, GREY, INK, LegendItem, TICK, err, fmt_tick, font};

/// A linear f64 axis with its ticks at given values (month starts, bar rows).
pub(super) struct KeyedAxis {
    pub lo: f64,
    pub hi: f64,
    pub keys: Vec<f64>,
}

fn keyed(range: std::ops::Range<f64>, keys: Vec<f64>) -> KeyedAxis {
    KeyedAxis {
        lo: range.start,
        hi: range.end,
        keys,
    }
}

impl Ranged for KeyedAxis {
    type ValueType = f64;
    type FormatOption = DefaultFormatting;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let span = self.hi - self.lo;
        let frac = if span.abs() > 0.0 {
            (v - self.lo) / span
        } else {
            0.5
        };
        limit.0 + (frac * f64::from(limit.1 - limit.0)).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.keys.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

/// A shaded band between two series.
#[derive(Debug, Clone)]
pub struct BandSpec {
    pub lo: Vec<f64>,
    pub hi: Vec<f64>,
    pub colour: RGBColor,
    pub opacity: f64,
}

/// A line over the months.
#[derive(Debug, Clone)]
pub struct LineSpec {
    pub values: Vec<f64>,
    pub colour: RGBColor,
    pub width: u32,
    pub dashed: bool,
}

#[derive(Debug, Clone)]
pub enum Panel {
    /// Bands and lines over the months (x axis: dates).
    Time {
        caption: Option<String>,
        y_desc: String,
        bands: Vec<BandSpec>,
        lines: Vec<LineSpec>,
        /// A fixed y range (e.g. 0-100 for probabilities).
        y_fixed: Option<(f64, f64)>,
        /// Start the y axis at zero (levels such as tariffs or stocks).
        zero_based: bool,
    },
    /// Ranked horizontal intervals, one row per entry (`ranked::intervals_panel`).
    Intervals {
        x_desc: String,
        rows: Vec<Interval>,
        /// Decimals of the numbers written beside each row.
        decimals: usize,
    },
    /// Vertical bars with whiskers, e.g. growth by calendar year (`ranked::bars_panel`).
    Bars {
        caption: Option<String>,
        y_desc: String,
        bars: Vec<Interval>,
    },
    /// Horizontal bars (label, value), drawn top to bottom in the given order.
    Tornado {
        x_desc: String,
        bars: Vec<(String, f64)>,
    },
}

/// One chart: frame and a grid of panels.
#[derive(Debug, Clone)]
pub struct Chart {
    pub name: String,
    pub title: String,
    pub legend: Vec<LegendItem>,
    pub cols: usize,
    pub panels: Vec<Panel>,
    pub size: (u32, u32),
    /// x-axis description of time panels (single-panel charts only).
    pub time_desc: bool,
    /// What to know to read the chart (bands, baseline, units), drawn
    /// above the source line; empty for none.
    pub notes: String,
    /// Whether time panels carry the dated-measure markers.
    pub markers: bool,
}

/// What every chart of one run or comparison shares: the month labels,
/// the source line and the dated measures marked on time charts.
pub struct Context<'a> {
    pub months: &'a [String],
    pub source: &'a str,
    pub markers: &'a [Marker],
    /// The size preset charts are drawn at.
    pub size: super::ChartSize,
}

/// A dated measure, marked on time charts by a dotted line numbered at the
/// top (1, 2, ...) and keyed in the notes.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub month: usize,
    pub label: String,
}

impl Context<'_> {
    /// The footer of `chart`: its notes, the marker key, the source line.
    fn footer(&self, chart: &Chart) -> String {
        let mut lines: Vec<String> = Vec::new();
        if !chart.notes.is_empty() {
            lines.push(chart.notes.clone());
        }
        if chart.markers && !self.markers.is_empty() {
            let key: Vec<String> = self
                .markers
                .iter()
                .enumerate()
                .map(|(k, m)| format!("({}) {}", k + 1, m.label))
                .collect();
            lines.push(format!("Dotted lines: {}.", key.join("; ")));
        }
        lines.push(self.source.to_string());
        lines.join("\n")
    }
}

/// Draw a chart on any backend.
///
/// # Errors
/// If the backend fails.
pub fn draw_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart,
    ctx: &Context<'_>,
) -> Result<(), ChartError> {
    let body = style::frame(root, &chart.title, &chart.legend, &ctx.footer(chart))?;
    let months = ctx.months;
    let markers = if chart.markers { ctx.markers } else { &[] };
    let cols = chart.cols.max(1);
    let rows = chart.panels.len().div_ceil(cols).max(1);
    let cells = body.split_evenly((rows, cols));
    for (panel, cell) in chart.panels.iter().zip(cells.iter()) {
        let cell = if chart.panels.len() > 1 {
            cell.margin(6, 10, 4, 14)
        } else {
            cell.clone()
        };
        match panel {
            Panel::Time {
                caption,
                y_desc,
                bands,
                lines,
                y_fixed,
                zero_based,
            } => {
                let y_fixed = y_fixed
                    .or_else(|| zero_based.then(|| y_range(time_values(bands, lines), true)));
                time_panel(
                    &cell,
                    months,
                    caption.as_deref(),
                    y_desc,
                    bands,
                    lines,
                    y_fixed,
                    chart.time_desc,
                    markers,
                )?;
            }
            Panel::Intervals {
                x_desc,
                rows,
                decimals,
            } => ranked::intervals_panel(&cell, x_desc, rows, *decimals)?,
            Panel::Bars {
                caption,
                y_desc,
                bars,
            } => ranked::bars_panel(&cell, caption.as_deref(), y_desc, bars)?,
            Panel::Tornado { x_desc, bars } => tornado_panel(&cell, x_desc, bars)?,
        }
    }
    Ok(())
}

pub(super) fn text_w<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    size: f64,
) -> u32 {
    area.estimate_text_size(text, &font(size))
        .map(|(w, _)| w)
        .unwrap_or((text.chars().count() as f64 * size * 0.62) as u32)
}

/// A chart of horizontal rows (tornado bars, ranked intervals): values on
/// x over `x`, the rows listed top to bottom on y (row 0 at the top, at
/// y = n - 1) and named by `labels`, which take `label_w` px; its mesh drawn
/// in the house style with `x_labels` ticks of `xdec` decimals.
///
/// # Errors
/// If the backend fails.
#[allow(clippy::too_many_arguments)]
pub(super) fn rows_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    x: std::ops::Range<f64>,
    labels: &[String],
    label_w: u32,
    x_desc: &str,
    x_labels: usize,
    xdec: usize,
    margin_right: u32,
) -> Result<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, KeyedAxis>>, ChartError> {
    let n = labels.len();
    let mut chart = ChartBuilder::on(area)
        .margin_top(8)
        .margin_right(margin_right)
        .x_label_area_size((TICK * 1.6 + AXIS * 1.5) as u32)
        .y_label_area_size(label_w + 24)
        .build_cartesian_2d(
            x,
            keyed(-0.5f64..n as f64 - 0.5, (0..n).map(|i| i as f64).collect()),
        )
        .map_err(err)?;
    let name = |y: &f64| style::row_at(*y, n).map_or_else(String::new, |r| labels[r].clone());
    let xf = |x: &f64| fmt_tick(*x, xdec);
    style::house_mesh(&mut chart.configure_mesh())
        .x_labels(x_labels)
        .x_label_formatter(&xf)
        .y_label_formatter(&name)
        .x_desc(x_desc)
        .disable_y_mesh()
        .draw()
        .map_err(err)?;
    Ok(chart)
}

fn time_values<'a>(
    bands: &'a [BandSpec],
    lines: &'a [LineSpec],
) -> impl Iterator<Item = f64> + Clone + 'a {
    bands
        .iter()
        .flat_map(|b| b.lo.iter().chain(&b.hi))
        .chain(lines.iter().flat_map(|l| &l.values))
        .copied()
}

/// One y range for every time panel of a grid of one quantity, so small
/// multiples compare at a glance: the range of all their values (from zero
/// where a panel is zero-based). Panels with a fixed range keep it.
pub fn share_y(panels: &mut [Panel]) {
    let mut values = Vec::new();
    let mut zero = false;
    for p in panels.iter() {
        if let Panel::Time {
            bands,
            lines,
            zero_based,
            ..
        } = p
        {
            values.extend(time_values(bands, lines));
            zero |= *zero_based;
        }
    }
    if values.is_empty() {
        return;
    }
    let range = y_range(values.into_iter(), zero);
    for p in panels.iter_mut() {
        if let Panel::Time { y_fixed, .. } = p
            && y_fixed.is_none()
        {
            *y_fixed = Some(range);
        }
    }
}

/// A y range covering the values, padded, never empty.
pub(super) fn y_range(values: impl Iterator<Item = f64>, floor_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if floor_zero && lo >= 0.0 {
        lo = 0.0;
    }
    let span = hi - lo;
    if span < 1e-9 * (1.0 + hi.abs()) {
        if floor_zero && lo >= 0.0 {
            return (0.0, if hi > 0.0 { hi * 1.25 } else { 1.0 });
        }
        let pad = if hi.abs() > 1e-9 { hi.abs() * 0.1 } else { 1.0 };
        return (lo - pad, hi + pad);
    }
    let lo2 = if lo == 0.0 && floor_zero {
        0.0
    } else {
        lo - 0.06 * span
    };
    (lo2, hi + 0.06 * span)
}

/// Key points on the month axis at calendar-aligned steps that fit the width.
fn month_ticks(months: &[String], width_px: u32, label_px: u32) -> Vec<f64> {
    let n = months.len();
    if n <= 1 {
        return vec![0.0];
    }
    let max_labels = (width_px as f64 / (label_px as f64 * 1.6)).floor().max(2.0) as usize;
    let step = [1usize, 2, 3, 6, 12, 24, 60, 120]
        .into_iter()
        .find(|s| n.div_ceil(*s) <= max_labels)
        .unwrap_or(120);
    let month_of = |t: usize| months[t].get(5..7).and_then(|m| m.parse::<usize>().ok());
    let year_of = |t: usize| months[t].get(0..4).and_then(|m| m.parse::<usize>().ok());
    let mut ticks: Vec<f64> = (0..n)
        .filter(|&t| match (month_of(t), year_of(t)) {
            (Some(m), Some(y)) => {
                if step <= 12 {
                    (m - 1) % step == 0
                } else {
                    m == 1 && y % (step / 12) == 0
                }
            }
            _ => t % step == 0,
        })
        .map(|t| t as f64)
        .collect();
    if ticks.len() < 2 {
        ticks = (0..n)
            .step_by(step.min(n - 1).max(1))
            .map(|t| t as f64)
            .collect();
    }
    ticks
}

fn no_data<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: Option<&str>,
) -> Result<(), ChartError> {
    message(area, caption, "no data")
}

/// A panel with its caption and a centred grey message instead of a plot.
pub(super) fn message<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: Option<&str>,
    text: &str,
) -> Result<(), ChartError> {
    let (w, h) = area.dim_in_pixel();
    if let Some(c) = caption {
        area.draw_text(c, &style::bold(CAPTION), (8, 4))
            .map_err(err)?;
    }
    let st = style::grey_text(AXIS).pos(Pos::new(HPos::Center, VPos::Center));
    area.draw_text(text, &st, (w as i32 / 2, h as i32 / 2))
        .map_err(err)?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn time_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    months: &[String],
    caption: Option<&str>,
    y_desc: &str,
    bands: &[BandSpec],
    lines: &[LineSpec],
    y_fixed: Option<(f64, f64)>,
    x_desc: bool,
    markers: &[Marker],
) -> Result<(), ChartError> {
    let n = months.len();
    if n == 0 || !time_values(bands, lines).any(f64::is_finite) {
        return no_data(area, caption);
    }
    let (y0, y1) = y_fixed.unwrap_or_else(|| y_range(time_values(bands, lines), false));
    let dec = tick_decimals_for(y0, y1);
    let widest = [y0, y1, (y0 + y1) / 2.0]
        .iter()
        .map(|v| text_w(area, &fmt_tick(*v, dec), TICK))
        .max()
        .unwrap_or(40);
    let y_area = widest + (AXIS * 1.5) as u32 + 14;
    let x_area = (TICK * 1.6) as u32 + if x_desc { (AXIS * 1.5) as u32 } else { 0 };
    let (w, _) = area.dim_in_pixel();
    let label_px = text_w(area, "2025-07", TICK).max(60);
    let ticks = month_ticks(months, w.saturating_sub(y_area + 20), label_px);
    // A single month sits in the middle of the axis.
    let (x_min, x_max) = if n > 1 {
        (0.0, (n - 1) as f64)
    } else {
        (-0.5, 0.5)
    };

    let mut b = ChartBuilder::on(area);
    if let Some(c) = caption {
        b.caption(c, style::bold(CAPTION));
    }
    b.margin_top(4)
        .margin_right(if x_desc { 24 } else { 16 })
        .x_label_area_size(x_area)
        .y_label_area_size(y_area);
    let mut chart = b
        .build_cartesian_2d(keyed(x_min..x_max, ticks), y0..y1)
        .map_err(err)?;
    let month_label = |x: &f64| {
        months
            .get(x.round().max(0.0) as usize)
            .cloned()
            .unwrap_or_default()
    };
    let y_fmt = |y: &f64| fmt_tick(*y, dec);
    let mut mesh = chart.configure_mesh();
    style::house_mesh(&mut mesh)
        .x_label_formatter(&month_label)
        .y_label_formatter(&y_fmt)
        .y_labels(6)
        .y_desc(y_desc);
    if x_desc {
        mesh.x_desc("month");
    }
    mesh.draw().map_err(err)?;

    if y0 < 0.0 && y1 > 0.0 {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x_min, 0.0), (x_max, 0.0)],
                GREY.stroke_width(1),
            )))
            .map_err(err)?;
    }
    for band in bands {
        // Split at non-finite points so a gap never becomes a spike.
        let mut run: Vec<(f64, f64, f64)> = Vec::new();
        let mut flush = |run: &mut Vec<(f64, f64, f64)>| -> Result<(), ChartError> {
            if run.len() >= 2 {
                let mut pts: Vec<(f64, f64)> = run.iter().map(|&(t, _, hi)| (t, hi)).collect();
                pts.extend(run.iter().rev().map(|&(t, lo, _)| (t, lo)));
                chart
                    .draw_series(std::iter::once(Polygon::new(
                        pts,
                        band.colour.mix(band.opacity).filled(),
                    )))
                    .map_err(err)?;
            }
            run.clear();
            Ok(())
        };
        for t in 0..n {
            let (lo, hi) = (
                band.lo.get(t).copied().unwrap_or(f64::NAN),
                band.hi.get(t).copied().unwrap_or(f64::NAN),
            );
            if lo.is_finite() && hi.is_finite() {
                run.push((t as f64, lo.min(hi), hi.max(lo)));
            } else {
                flush(&mut run)?;
            }
        }
        flush(&mut run)?;
    }
    // Dated measures: a dotted grey line, numbered at the top; a number
    // too close to the one before drops a line so both stay legible.
    let mut last: Option<(i32, i32)> = None;
    for (k, m) in markers.iter().enumerate() {
        if m.month >= n {
            continue;
        }
        let x = m.month as f64;
        chart
            .draw_series(DashedLineSeries::new(
                vec![(x, y0), (x, y1)],
                3,
                6,
                GREY.stroke_width(2),
            ))
            .map_err(err)?;
        let (px, py) = chart.backend_coord(&(x, y1));
        let row = match last {
            Some((lx, row)) if px - lx < (TICK * 1.4) as i32 => 1 - row,
            _ => 0,
        };
        last = Some((px, row));
        let base = area.get_base_pixel();
        area.draw_text(
            &(k + 1).to_string(),
            &style::bold(TICK)
                .color(&GREY)
                .pos(Pos::new(HPos::Left, VPos::Top)),
            (px + 5 - base.0, py + 2 + row * (TICK * 1.1) as i32 - base.1),
        )
        .map_err(err)?;
    }
    for line in lines {
        let pts: Vec<(f64, f64)> = line
            .values
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_finite())
            .map(|(t, v)| (t as f64, *v))
            .collect();
        if pts.is_empty() {
            continue;
        }
        let st = line.colour.stroke_width(line.width);
        if line.dashed {
            chart
                .draw_series(DashedLineSeries::new(pts, 12, 9, st))
                .map_err(err)?;
        } else if pts.len() == 1 {
            chart
                .draw_series(std::iter::once(Circle::new(
                    pts[0],
                    4,
                    line.colour.filled(),
                )))
                .map_err(err)?;
        } else {
            chart.draw_series(LineSeries::new(pts, st)).map_err(err)?;
        }
    }
    Ok(())
}

fn tick_decimals_for(y0: f64, y1: f64) -> usize {
    style::tick_decimals(y1 - y0)
}

fn tornado_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    x_desc: &str,
    bars: &[(String, f64)],
) -> Result<(), ChartError> {
    if bars.is_empty() {
        return no_data(area, None);
    }
    let m = bars.iter().map(|b| b.1.abs()).fold(0.0f64, f64::max);
    let m = if m > 0.0 {
        ((m * 1.3) * 10.0).ceil() / 10.0
    } else {
        0.1
    }
    .min(1.3);
    let n = bars.len();
    let labels: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
    let label_w = labels
        .iter()
        .map(|l| text_w(area, l, TICK))
        .max()
        .unwrap_or(100);
    let xdec = style::tick_decimals(2.0 * m).max(1);
    let mut chart = rows_chart(area, -m..m, &labels, label_w, x_desc, 9, xdec, 40)?;
    chart
        .draw_series(bars.iter().enumerate().map(|(k, (_, v))| {
            let y = (n - 1 - k) as f64;
            let colour = if *v >= 0.0 {
                style::BLUE
            } else {
                style::VERMILLION
            };
            Rectangle::new([(0.0, y - 0.34), (*v, y + 0.34)], colour.filled())
        }))
        .map_err(err)?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
            INK.stroke_width(2),
        )))
        .map_err(err)?;
    // The value at the end of each bar.
    let vf = font(TICK);
    for (k, (_, v)) in bars.iter().enumerate() {
        let y = (n - 1 - k) as f64;
        let (px, py) = chart.backend_coord(&(*v, y));
        let text = fmt_tick(*v, 2);
        let (pos, dx) = if *v >= 0.0 {
            (Pos::new(HPos::Left, VPos::Center), 8)
        } else {
            (Pos::new(HPos::Right, VPos::Center), -8)
        };
        area.draw_text(
            &text,
            &vf.pos(pos),
            (
                px + dx - area.get_base_pixel().0,
                py - area.get_base_pixel().1,
            ),
        )
        .map_err(err)?;
    }
    Ok(())
}

#[cfg(test)]
mod share_tests {
    use super::*;

    fn line_panel(values: Vec<f64>, zero_based: bool) -> Panel {
        Panel::Time {
            caption: None,
            y_desc: String::new(),
            bands: Vec::new(),
            lines: vec![LineSpec {
                values,
                colour: RGBColor(0, 0, 0),
                width: 1,
                dashed: false,
            }],
            y_fixed: None,
            zero_based,
        }
    }

    /// Panels of 0..1 and 2..10 share one range that covers 0..10.
    #[test]
    fn small_multiples_share_one_range_covering_every_panel() {
        let mut panels = vec![
            line_panel(vec![0.0, 1.0], true),
            line_panel(vec![2.0, 10.0], true),
        ];
        share_y(&mut panels);
        let ranges: Vec<(f64, f64)> = panels
            .iter()
            .map(|p| match p {
                Panel::Time { y_fixed, .. } => y_fixed.expect("set"),
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(ranges[0], ranges[1]);
        assert!(ranges[0].0 <= 0.0 && ranges[0].1 >= 10.0, "{:?}", ranges[0]);
        assert_eq!(ranges[0], y_range([0.0, 1.0, 2.0, 10.0].into_iter(), true));
    }
}
