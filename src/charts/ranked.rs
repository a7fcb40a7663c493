//! Two panels for horizon and annual outcomes: a ranked interval chart
//! (one row per economy: median dot, 25-75 % bar, 5-95 % whisker, ranked by
//! the median, with the numbers in a column at the right) and annual bars
//! (median per year with a 5-95 % whisker and the baseline as a dashed
//! tick). Both read at a glance where a grid of histograms does not.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::ChartError;
use super::panel::{KeyedAxis, message, rows_chart, text_w, y_range};
use super::style::{self, AXIS, BLUE, CAPTION, GREY, INK, TICK, err, fmt_tick, font};

/// One row or bar: label and the 5, 25, 50, 75 and 95 % quantiles.
#[derive(Debug, Clone)]
pub struct Interval {
    pub label: String,
    pub q: [f64; 5],
    /// The value on the baseline path (bars only; NaN for none).
    pub baseline: f64,
}

/// Rows sorted by median, lowest first or (with `highest_first`) highest
/// first, so the largest loss is on top whichever sign a loss has; rows
/// without a finite median last.
pub fn ranked(mut rows: Vec<Interval>, highest_first: bool) -> Vec<Interval> {
    rows.sort_by(|a, b| match (a.q[2].is_finite(), b.q[2].is_finite()) {
        (true, true) if highest_first => b.q[2].total_cmp(&a.q[2]),
        (true, true) => a.q[2].total_cmp(&b.q[2]),
        (x, y) => y.cmp(&x),
    });
    rows
}

fn finite(rows: &[Interval]) -> impl Iterator<Item = f64> + '_ {
    rows.iter()
        .flat_map(|r| r.q.iter().copied().chain([r.baseline]))
        .filter(|v| v.is_finite())
}

/// Horizontal intervals, one row per entry, top to bottom in the given order.
///
/// # Errors
/// If the backend fails.
pub fn intervals_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    x_desc: &str,
    rows: &[Interval],
    decimals: usize,
) -> Result<(), ChartError> {
    if finite(rows).next().is_none() {
        return message(area, None, "no data");
    }
    let (mut x0, mut x1) = y_range(finite(rows).chain([0.0]), false);
    let n = rows.len();
    let labels: Vec<String> = rows.iter().map(|r| r.label.clone()).collect();
    let label_w = labels
        .iter()
        .map(|l| text_w(area, l, TICK))
        .max()
        .unwrap_or(80);
    let value = |r: &Interval| {
        format!(
            "{} [{}, {}]",
            fmt_tick(r.q[2], decimals),
            fmt_tick(r.q[0], decimals),
            fmt_tick(r.q[4], decimals)
        )
    };
    let value_w = rows
        .iter()
        .map(|r| text_w(area, &value(r), TICK))
        .max()
        .unwrap_or(120);
    // Room at the right for the numbers: widen the axis so they fit.
    let (w, _) = area.dim_in_pixel();
    let plot_w = (w as i32 - label_w as i32 - 60).max(200);
    let value_w = value_w as i32;
    let extra = f64::from(value_w + 24) / f64::from(plot_w - value_w - 24).max(100.0);
    x1 += (x1 - x0) * extra;
    if x0 > 0.0 {
        x0 = 0.0;
    }
    let xdec = style::tick_decimals(x1 - x0);
    let mut chart = rows_chart(area, x0..x1, &labels, label_w, x_desc, 7, xdec, 24)?;
    if x0 < 0.0 && x1 > 0.0 {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
                GREY.stroke_width(2),
            )))
            .map_err(err)?;
    }
    let vf = font(TICK).pos(Pos::new(HPos::Right, VPos::Center));
    let base = area.get_base_pixel();
    for (k, r) in rows.iter().enumerate() {
        let y = (n - 1 - k) as f64;
        let [p05, p25, p50, p75, p95] = r.q;
        if !(p05.is_finite() && p95.is_finite() && p50.is_finite()) {
            continue;
        }
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(p05, y), (p95, y)],
                BLUE.stroke_width(3),
            )))
            .map_err(err)?;
        if p25.is_finite() && p75.is_finite() {
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(p25, y - 0.2), (p75, y + 0.2)],
                    BLUE.mix(0.45).filled(),
                )))
                .map_err(err)?;
        }
        chart
            .draw_series(std::iter::once(Circle::new((p50, y), 8, INK.filled())))
            .map_err(err)?;
        // The numbers in one right-aligned column past the data.
        let (px, py) = chart.backend_coord(&(x1, y));
        area.draw_text(&value(r), &vf, (px - 4 - base.0, py - base.1))
            .map_err(err)?;
    }
    Ok(())
}

/// Vertical bars in the given order: the median, a 5-95 % whisker, the
/// baseline as a dashed tick, and the median written above the whisker.
///
/// # Errors
/// If the backend fails.
pub fn bars_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: Option<&str>,
    y_desc: &str,
    bars: &[Interval],
) -> Result<(), ChartError> {
    if finite(bars).next().is_none() {
        return message(area, caption, "no data");
    }
    let (y0, y1) = y_range(finite(bars).chain([0.0]), true);
    let y1 = y1 + (y1 - y0) * 0.08;
    let n = bars.len();
    let dec = style::tick_decimals(y1 - y0);
    let widest = [y0, y1]
        .iter()
        .map(|v| text_w(area, &fmt_tick(*v, dec), TICK))
        .max()
        .unwrap_or(40);
    let mut b = ChartBuilder::on(area);
    if let Some(c) = caption {
        b.caption(c, style::bold(CAPTION));
    }
    let mut chart = b
        .margin_top(4)
        .margin_right(16)
        .x_label_area_size((TICK * 1.6) as u32)
        .y_label_area_size(widest + (AXIS * 1.5) as u32 + 14)
        .build_cartesian_2d(
            KeyedAxis {
                lo: -0.5,
                hi: n as f64 - 0.5,
                keys: (0..n).map(|i| i as f64).collect(),
            },
            y0..y1,
        )
        .map_err(err)?;
    let name = |x: &f64| {
        let i = x.round();
        if i < 0.0 || i as usize >= n {
            String::new()
        } else {
            bars[i as usize].label.clone()
        }
    };
    let yf = |y: &f64| fmt_tick(*y, dec);
    style::house_mesh(&mut chart.configure_mesh())
        .x_label_formatter(&name)
        .y_label_formatter(&yf)
        .y_labels(6)
        .y_desc(y_desc)
        .disable_x_mesh()
        .draw()
        .map_err(err)?;
    let base = area.get_base_pixel();
    let vf = font(TICK).pos(Pos::new(HPos::Center, VPos::Bottom));
    for (k, bar) in bars.iter().enumerate() {
        let x = k as f64;
        let [p05, _, p50, _, p95] = bar.q;
        if !p50.is_finite() {
            continue;
        }
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(x - 0.3, 0.0), (x + 0.3, p50)],
                BLUE.mix(0.55).filled(),
            )))
            .map_err(err)?;
        if p05.is_finite() && p95.is_finite() {
            for seg in [
                vec![(x, p05), (x, p95)],
                vec![(x - 0.08, p05), (x + 0.08, p05)],
                vec![(x - 0.08, p95), (x + 0.08, p95)],
            ] {
                chart
                    .draw_series(std::iter::once(PathElement::new(seg, INK.stroke_width(2))))
                    .map_err(err)?;
            }
        }
        if bar.baseline.is_finite() {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(x - 0.4, bar.baseline), (x + 0.4, bar.baseline)],
                    10,
                    7,
                    GREY.stroke_width(3),
                ))
                .map_err(err)?;
        }
        let top = [p95, bar.baseline]
            .into_iter()
            .filter(|v| v.is_finite())
            .fold(p50, f64::max);
        let (px, py) = chart.backend_coord(&(x, top));
        area.draw_text(&fmt_tick(p50, 1), &vf, (px - base.0, py - 6 - base.1))
            .map_err(err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{Interval, ranked};

    fn row(label: &str, p50: f64) -> Interval {
        Interval {
            label: label.into(),
            q: [p50 - 1.0, p50 - 0.5, p50, p50 + 0.5, p50 + 1.0],
            baseline: f64::NAN,
        }
    }

    /// Rows are ranked by their median, lowest first, missing medians last.
    #[test]
    fn rows_rank_by_median_with_missing_last() {
        let rows = vec![
            row("a", -0.2),
            row("b", f64::NAN),
            row("c", -1.5),
            row("d", 0.3),
        ];
        let order =
            |rows: &[Interval]| -> Vec<String> { rows.iter().map(|r| r.label.clone()).collect() };
        assert_eq!(order(&ranked(rows.clone(), false)), ["c", "a", "d", "b"]);
        assert_eq!(order(&ranked(rows, true)), ["d", "a", "c", "b"]);
    }
}
