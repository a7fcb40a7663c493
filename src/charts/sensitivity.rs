//! Charts of `tariffsim sensitivity --method sobol`: for each headline
//! outcome, the most influential parameters by total Sobol index as
//! horizontal bars of the total and first-order indices, with their
//! 95 % intervals (blocks of the qmc design, or bootstrap) as error bars.
//!
//! Small designs give wild estimates (first-order indices far outside
//! 0..1): the axis stays within a readable range and anything beyond it is
//! cut at the edge and marked with an arrow.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use rayon::prelude::*;

use crate::model::Model;
use crate::sensitivity::sobol::Index;
use crate::sensitivity::sobol::SobolReport;

use super::panel::KeyedAxis;
use super::panel::message;
use super::style::{self, AXIS, BLUE, INK, LegendItem, ORANGE, Swatch, TICK, err, fmt_tick, font};
use super::sweep::{nice_ticks, text_w};
use super::{ChartError, ChartFile, Drawing};

/// At most this many parameters per chart.
pub const TOP: usize = 12;

/// The axis never extends beyond this range (estimates beyond are cut).
const AXIS_MIN: f64 = -0.25;
const AXIS_MAX: f64 = 1.25;

struct Row {
    label: String,
    ix: Index,
}

struct SobolChart {
    name: String,
    title: String,
    note: String,
    rows: Vec<Row>,
    samples: usize,
}

/// The headline outcomes: (metric, economy, file stem, what).
fn headline(sc: &crate::scenario::Scenario) -> Vec<(&'static str, String, String, String)> {
    sc.headline_outcomes()
        .into_iter()
        .map(|(metric, e)| {
            let stem = format!(
                "sobol_{}_{}",
                if metric == "gdp_dev" { "gdp" } else { metric },
                e.to_lowercase()
            );
            let what = if metric == "gdp_dev" {
                format!("{} GDP vs baseline (horizon average)", sc.economy_short(&e))
            } else {
                format!(
                    "the {} {} shortfall (horizon average)",
                    sc.economy_short(&e),
                    sc.licensed_input()
                )
            };
            (metric, e, stem, what)
        })
        .collect()
}

fn legend() -> Vec<LegendItem> {
    vec![
        LegendItem::new("total-order index (all effects)", Swatch::Bar(BLUE)),
        LegendItem::new("first-order index (alone)", Swatch::Bar(ORANGE)),
        LegendItem::new("95 % interval", Swatch::Line(INK)),
    ]
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// The range of values drawn: covers the estimates and intervals, within
/// AXIS_MIN..AXIS_MAX, always including 0 (values beyond are cut).
fn value_range(rows: &[Row]) -> (f64, f64) {
    let mut lo: f64 = 0.0;
    let mut hi: f64 = 0.05;
    for r in rows {
        let i = r.ix;
        for v in [
            i.total, i.total_lo, i.total_hi, i.first, i.first_lo, i.first_hi,
        ]
        .into_iter()
        .filter_map(finite)
        {
            lo = lo.min(v.max(AXIS_MIN));
            hi = hi.max(v.min(AXIS_MAX));
        }
    }
    (lo, hi)
}

impl Drawing for SobolChart {
    fn name(&self) -> &str {
        &self.name
    }
    fn title(&self) -> &str {
        &self.title
    }
    fn size(&self) -> (u32, u32) {
        (1600, (300 + self.rows.len() as u32 * 60).max(900))
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        let body = style::frame(root, &self.title, &legend(), &self.note)?;
        let flat = self
            .rows
            .iter()
            .all(|r| !r.ix.total.is_finite() || r.ix.total.abs() < 1e-12);
        if self.rows.is_empty() || flat {
            return message(
                &body,
                None,
                "This outcome does not vary with the selected parameters: every index is zero.",
            );
        }
        bars(&body, &self.rows, self.samples)
    }
}

fn bars<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    rows: &[Row],
    samples: usize,
) -> Result<(), ChartError> {
    let n = rows.len();
    let (v0, v1) = value_range(rows);
    let cut = |v: f64| v < v0 || v > v1;
    // The axis: a margin left of negative values, room for the labels on the right.
    let span = v1 - v0;
    let (x0, x1) = (
        if v0 < 0.0 { v0 - 0.03 * span } else { 0.0 },
        v1 + 0.1 * span,
    );
    let any_cut = rows.iter().any(|r| {
        let i = r.ix;
        [
            i.total, i.total_lo, i.total_hi, i.first, i.first_lo, i.first_hi,
        ]
        .into_iter()
        .filter_map(finite)
        .any(cut)
    });
    let label_w = rows
        .iter()
        .map(|r| text_w(area, &r.label, &font(TICK)))
        .max()
        .unwrap_or(100);
    let mut b = ChartBuilder::on(area);
    if any_cut {
        b.caption(
            format!(
                "Arrows: an estimate or interval beyond the axis, cut at its edge (N = {samples} is small; raise --samples)"
            ),
            style::grey_text(style::NOTE + 1.0),
        );
    }
    let pad = (6usize.saturating_sub(n)) as f64 / 2.0;
    let (w, _) = area.dim_in_pixel();
    let plot_w = w.saturating_sub(label_w + 60) as f64;
    let max_ticks = (plot_w / 110.0).clamp(3.0, 12.0) as usize;
    let ticks = nice_ticks(x0, x1, max_ticks);
    let xdec = style::tick_decimals(x1 - x0).max(1);
    let mut chart = b
        .margin_top(8)
        .margin_right(30)
        .x_label_area_size((TICK * 1.6 + AXIS * 1.5) as u32)
        .y_label_area_size(label_w + 24)
        .build_cartesian_2d(
            KeyedAxis {
                lo: x0,
                hi: x1,
                keys: ticks,
            },
            // At least six rows of room, so that a few bars stay slim.
            KeyedAxis {
                lo: -0.5 - pad,
                hi: n as f64 - 0.5 + pad,
                keys: (0..n).map(|i| i as f64).collect(),
            },
        )
        .map_err(err)?;
    // Rows are listed top to bottom: index 0 at the top.
    let name = |y: &f64| style::row_at(*y, n).map_or_else(String::new, |r| rows[r].label.clone());
    let xf = |x: &f64| fmt_tick(*x, xdec);
    style::house_mesh(&mut chart.configure_mesh())
        .x_label_formatter(&xf)
        .y_label_formatter(&name)
        .x_desc("Sobol index (share of the outcome's variance)")
        .disable_y_mesh()
        .draw()
        .map_err(err)?;
    let clamp = |v: f64| v.clamp(v0, v1);
    let (bx, by) = area.get_base_pixel();
    for (k, r) in rows.iter().enumerate() {
        let y = (n - 1 - k) as f64;
        let i = r.ix;
        // Total above, first-order below the row's centre line.
        for (v, lo, hi, yc, colour) in [
            (i.total, i.total_lo, i.total_hi, y + 0.2, BLUE),
            (i.first, i.first_lo, i.first_hi, y - 0.2, ORANGE),
        ] {
            if let Some(v) = finite(v) {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(0.0, yc - 0.17), (clamp(v), yc + 0.17)],
                        colour.filled(),
                    )))
                    .map_err(err)?;
                // Cut at the edge: an arrow, unless the interval's arrow is there.
                let interval_cut = [lo, hi]
                    .into_iter()
                    .filter_map(finite)
                    .any(|e| (v > v1 && e > v1) || (v < v0 && e < v0));
                if cut(v) && !interval_cut {
                    arrow(area, chart.backend_coord(&(clamp(v), yc)), v > v1, colour)?;
                }
            }
            if let (Some(lo), Some(hi)) = (finite(lo), finite(hi)) {
                let (l, h) = (clamp(lo.min(hi)), clamp(hi.max(lo)));
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(l, yc), (h, yc)],
                        INK.stroke_width(2),
                    )))
                    .map_err(err)?;
                for (end, raw) in [(l, lo.min(hi)), (h, hi.max(lo))] {
                    if cut(raw) {
                        arrow(area, chart.backend_coord(&(end, yc)), raw > v1, INK)?;
                    } else {
                        chart
                            .draw_series(std::iter::once(PathElement::new(
                                vec![(end, yc - 0.1), (end, yc + 0.1)],
                                INK.stroke_width(2),
                            )))
                            .map_err(err)?;
                    }
                }
            }
        }
        // The total index as a number, right of its bar and interval.
        if let Some(v) = finite(i.total) {
            let right = [v, i.total_hi]
                .into_iter()
                .filter_map(finite)
                .fold(0.0f64, f64::max);
            let (px, py) = chart.backend_coord(&(clamp(right), y + 0.2));
            area.draw_text(
                &fmt_tick(v, 2),
                &font(TICK).pos(Pos::new(HPos::Left, VPos::Center)),
                (px + 12 - bx, py - by),
            )
            .map_err(err)?;
        }
    }
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(0.0, -0.5 - pad), (0.0, n as f64 - 0.5 + pad)],
            INK.stroke_width(2),
        )))
        .map_err(err)?;
    Ok(())
}

/// A small filled triangle at backend pixel `(px, py)`, pointing right or left.
fn arrow<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (px, py): (i32, i32),
    right: bool,
    colour: RGBColor,
) -> Result<(), ChartError> {
    let (bx, by) = area.get_base_pixel();
    let d = if right { 1 } else { -1 };
    // The tip sits on the axis edge, the body inside the plot.
    let pts = vec![
        (px - bx, py - by),
        (px - d * 16 - bx, py - 9 - by),
        (px - d * 16 - bx, py + 9 - by),
    ];
    area.draw(&Polygon::new(pts, colour.filled())).map_err(err)
}

/// Render one chart per headline outcome (GDP of the US, China and the
/// world; the US rare-earth shortfall if the scenario licenses rare earths).
///
/// # Errors
/// If a chart cannot be drawn or encoded.
pub fn charts(
    model: &Model,
    report: &SobolReport,
    seed: u64,
    samples: usize,
    overrides: &[String],
    size: super::ChartSize,
) -> Result<Vec<ChartFile>, ChartError> {
    style::ensure_fonts()?;
    let k = report.params.len();
    let note = format!(
        "{} | Sobol indices, Saltelli design N = {samples} ({}), {k} parameter(s)",
        style::note_with_overrides(
            &model.sc.meta.name,
            report.evaluations as u64,
            seed,
            overrides,
        ),
        report.design.name()
    );
    let mut list = Vec::new();
    for (metric, economy, name, what) in headline(model.sc) {
        let Some(o) = report
            .outcomes
            .iter()
            .position(|x| x.metric == metric && x.economy == economy)
        else {
            continue;
        };
        let mut rows: Vec<Row> = report
            .params
            .iter()
            .zip(&report.indices)
            .filter_map(|(p, row)| {
                Some(Row {
                    label: model.sc.param(*p).display_label(),
                    ix: *row.get(o)?,
                })
            })
            .collect();
        let key = |r: &Row| {
            if r.ix.total.is_finite() {
                r.ix.total
            } else {
                f64::NEG_INFINITY
            }
        };
        rows.sort_by(|a, b| {
            key(b)
                .total_cmp(&key(a))
                .then_with(|| a.label.cmp(&b.label))
        });
        // Parameters with every index exactly zero do not matter at all.
        let zero = |r: &Row| {
            let i = r.ix;
            [
                i.total, i.total_lo, i.total_hi, i.first, i.first_lo, i.first_hi,
            ]
            .iter()
            .all(|v| *v == 0.0)
        };
        let all = rows.len();
        if !rows.iter().all(zero) {
            rows.retain(|r| !zero(r));
        }
        let zeros = all - rows.len();
        rows.truncate(TOP);
        let which = if zeros > 0 && rows.len() < TOP {
            format!("the {} of {k} parameters with a nonzero index", rows.len())
        } else if k > rows.len() {
            format!("the {} most influential of {k} parameters", rows.len())
        } else if k == 1 {
            "1 parameter".to_string()
        } else {
            format!("all {k} parameters")
        };
        list.push(SobolChart {
            name: name.to_string(),
            title: format!("Sobol sensitivity of {what}: {which}"),
            note: note.clone(),
            rows,
            samples,
        });
    }
    list.par_iter()
        .map(|d| super::render_drawing(d, size))
        .collect()
}
