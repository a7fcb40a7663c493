//! One look for every chart: the Okabe-Ito palette (colour-blind safe), the
//! embedded fonts, text sizes, and the frame every chart shares (title,
//! legend row, note with scenario, runs and seed).

use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, register_font};

use super::ChartError;

/// DejaVu Sans (Bitstream Vera licence, see `assets/fonts/LICENSE-DejaVu.txt`).
static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// The family name the fonts are registered under. It is also what the SVG
/// files name as `font-family`, so a browser uses DejaVu Sans where it has it
/// and falls back to Verdana (same metrics family) or any sans-serif.
pub const FAMILY: &str = "DejaVu Sans, Verdana, sans-serif";

/// Register the embedded fonts with plotters, once per process.
///
/// # Errors
/// If the embedded font data cannot be parsed (never for the vendored files).
pub fn ensure_fonts() -> Result<(), ChartError> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| {
        register_font(FAMILY, FontStyle::Normal, REGULAR)
            .map_err(|_| "embedded regular font is invalid".to_string())?;
        register_font(FAMILY, FontStyle::Bold, BOLD)
            .map_err(|_| "embedded bold font is invalid".to_string())?;
        Ok(())
    })
    .clone()
    .map_err(ChartError)
}

// Okabe-Ito palette.
pub const INK: RGBColor = RGBColor(0, 0, 0);
pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
pub const SKY: RGBColor = RGBColor(86, 180, 233);
pub const GREEN: RGBColor = RGBColor(0, 158, 115);
pub const BLUE: RGBColor = RGBColor(0, 114, 178);
pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
pub const PURPLE: RGBColor = RGBColor(204, 121, 167);
/// Secondary text and the baseline path.
pub const GREY: RGBColor = RGBColor(80, 80, 80);
pub const GRID: RGBColor = RGBColor(222, 222, 222);

/// Colours for categorical series, in order (Okabe-Ito without yellow, which
/// is too light for lines on white).
pub const SERIES: [RGBColor; 7] = [BLUE, VERMILLION, GREEN, ORANGE, PURPLE, SKY, INK];

// Text sizes in plotters units. The SVG backend writes `size / 1.24` as the
// CSS font size and the bitmap backend draws an em of about `size / 1.16` px,
// so 21 is at least 16.9 px in both.
pub const TITLE: f64 = 42.0;
pub const CAPTION: f64 = 28.0;
pub const AXIS: f64 = 25.0;
pub const TICK: f64 = 23.0;
pub const LEGEND: f64 = 24.0;
pub const NOTE: f64 = 21.0;

/// Outer margin of a chart, px.
pub const MARGIN: i32 = 28;

pub fn font(size: f64) -> TextStyle<'static> {
    TextStyle::from((FontFamily::Name(FAMILY), size).into_font()).color(&INK)
}

/// The house style of a chart's axes: tick and axis-title fonts, grid
/// lines at labelled ticks only, thin grey axes.
pub fn house_mesh<'a, 'b, 'm, X, Y, DB>(
    mesh: &'m mut plotters::chart::MeshStyle<'a, 'b, X, Y, DB>,
) -> &'m mut plotters::chart::MeshStyle<'a, 'b, X, Y, DB>
where
    X: plotters::coord::ranged1d::Ranged,
    Y: plotters::coord::ranged1d::Ranged,
    DB: DrawingBackend,
{
    mesh.label_style(font(TICK))
        .axis_desc_style(font(AXIS))
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .axis_style(GREY.stroke_width(1))
}

/// The row at axis value `y` of a chart whose `n` rows are listed top to
/// bottom (row 0 at the top, at y = n - 1); `None` beyond the rows.
pub fn row_at(y: f64, n: usize) -> Option<usize> {
    let i = y.round() as i64;
    if i < 0 || i as usize >= n {
        None
    } else {
        Some(n - 1 - i as usize)
    }
}

pub fn bold(size: f64) -> TextStyle<'static> {
    TextStyle::from((FontFamily::Name(FAMILY), size, FontStyle::Bold).into_font()).color(&INK)
}

pub fn grey_text(size: f64) -> TextStyle<'static> {
    TextStyle::from((FontFamily::Name(FAMILY), size).into_font()).color(&GREY)
}

/// What a legend entry looks like.
#[derive(Debug, Clone, Copy)]
pub enum Swatch {
    /// A filled band (colour, opacity).
    Band(RGBColor, f64),
    Line(RGBColor),
    Dashed(RGBColor),
    Bar(RGBColor),
}

#[derive(Debug, Clone)]
pub struct LegendItem {
    pub label: String,
    pub swatch: Swatch,
}

impl LegendItem {
    pub fn new(label: impl Into<String>, swatch: Swatch) -> LegendItem {
        LegendItem {
            label: label.into(),
            swatch,
        }
    }
}

/// Turn any plotters error into a message.
pub fn err<E: std::fmt::Debug>(e: E) -> ChartError {
    ChartError(format!("{e:?}"))
}

fn text_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
) -> i32 {
    area.estimate_text_size(text, style)
        .map(|(w, _)| w as i32)
        .unwrap_or((text.chars().count() as f64 * style.font.get_size() * 0.62) as i32)
}

/// Draw the shared frame (white background, title, legend, note) and return
/// the area left for the plot.
///
/// # Errors
/// If the backend fails.
pub fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    legend: &[LegendItem],
    note: &str,
) -> Result<DrawingArea<DB, Shift>, ChartError> {
    root.fill(&WHITE).map_err(err)?;
    let (w, h) = root.dim_in_pixel();
    let (w, h) = (w as i32, h as i32);
    // Shrink a long title to fit the width (never below the caption size).
    let mut size = TITLE;
    while size > CAPTION && text_width(root, title, &bold(size)) > w - 2 * MARGIN {
        size -= 2.0;
    }
    root.draw_text(title, &bold(size), (MARGIN, MARGIN))
        .map_err(err)?;
    let mut y = MARGIN + (TITLE * 1.3) as i32;
    if !legend.is_empty() {
        let lf = font(LEGEND);
        let row_h = (LEGEND * 1.5) as i32;
        let sw = 44;
        let mut x = MARGIN;
        for item in legend {
            let tw = text_width(root, &item.label, &lf);
            let item_w = sw + 10 + tw + 36;
            if x > MARGIN && x + item_w - 36 > w - MARGIN {
                x = MARGIN;
                y += row_h;
            }
            let cy = y + row_h / 2;
            match item.swatch {
                Swatch::Band(c, a) => {
                    root.draw(&Rectangle::new(
                        [(x, cy - 11), (x + sw, cy + 11)],
                        c.mix(a).filled(),
                    ))
                    .map_err(err)?;
                }
                Swatch::Bar(c) => {
                    root.draw(&Rectangle::new(
                        [(x + 6, cy - 11), (x + sw - 6, cy + 11)],
                        c.filled(),
                    ))
                    .map_err(err)?;
                }
                Swatch::Line(c) => {
                    root.draw(&PathElement::new(
                        vec![(x, cy), (x + sw, cy)],
                        c.stroke_width(4),
                    ))
                    .map_err(err)?;
                }
                Swatch::Dashed(c) => {
                    for k in 0..3 {
                        let x0 = x + k * 17;
                        root.draw(&PathElement::new(
                            vec![(x0, cy), (x0 + 10, cy)],
                            c.stroke_width(3),
                        ))
                        .map_err(err)?;
                    }
                }
            }
            let style = lf.pos(Pos::new(HPos::Left, VPos::Center));
            root.draw_text(&item.label, &style, (x + sw + 10, cy))
                .map_err(err)?;
            x += item_w;
        }
        y += row_h;
    }
    // The footer: the chart's notes, then the source line, each wrapped to
    // the width, drawn from the bottom up.
    let note_style = grey_text(NOTE).pos(Pos::new(HPos::Left, VPos::Bottom));
    let nf = grey_text(NOTE);
    let lines: Vec<String> = note
        .lines()
        .flat_map(|l| wrap(l, w - 2 * MARGIN, |t| text_width(root, t, &nf)))
        .collect();
    let line_h = (NOTE * 1.25) as i32;
    for (k, line) in lines.iter().rev().enumerate() {
        root.draw_text(
            line,
            &note_style,
            (MARGIN, h - MARGIN / 2 - k as i32 * line_h),
        )
        .map_err(err)?;
    }
    let bottom = line_h * lines.len().max(1) as i32 + MARGIN / 2 + 8;
    Ok(root.margin(y + 12, bottom, MARGIN / 2, MARGIN))
}

/// Greedy word wrap of `text` to `width` px as measured by `measure`.
pub(super) fn wrap(text: &str, width: i32, measure: impl Fn(&str) -> i32) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if !line.is_empty() && measure(&candidate) > width {
            out.push(std::mem::replace(&mut line, word.to_string()));
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}

/// The source line every chart carries: the tool and model version (so a
/// pasted chart can be traced to what drew it), scenario, runs and seed.
pub fn note(scenario: &str, runs: u64, seed: u64) -> String {
    format!(
        "Source: tariffsim {} (model {}) | scenario {scenario} | {runs} runs | seed {seed}",
        env!("CARGO_PKG_VERSION"),
        crate::model::MODEL_VERSION
    )
}

/// `note` with the run's `--set` overrides, so a chart of an override run
/// cannot be taken for the default; clipped to fit a chart's width (the
/// report lists them in full).
pub fn note_with_overrides(scenario: &str, runs: u64, seed: u64, overrides: &[String]) -> String {
    let mut n = note(scenario, runs, seed);
    if overrides.is_empty() {
        return n;
    }
    const ROOM: usize = 90;
    let mut list = String::new();
    for (k, o) in overrides.iter().enumerate() {
        let next = if list.is_empty() {
            o.clone()
        } else {
            format!(", {o}")
        };
        if list.chars().count() + next.chars().count() > ROOM {
            list.push_str(&format!(" and {} more", overrides.len() - k));
            break;
        }
        list.push_str(&next);
    }
    if list.chars().count() > ROOM + 20 {
        list = format!(
            "{}... ({} override{})",
            list.chars().take(ROOM).collect::<String>(),
            overrides.len(),
            if overrides.len() == 1 { "" } else { "s" }
        );
    }
    n.push_str(" | --set ");
    n.push_str(&list);
    n
}

/// Tick label with a number of decimals suited to the axis span.
pub fn tick_decimals(span: f64) -> usize {
    if !span.is_finite() || span <= 0.0 {
        return 2;
    }
    let step = span / 6.0;
    let d = -step.log10().floor();
    d.clamp(0.0, 4.0) as usize
}

pub fn fmt_tick(v: f64, decimals: usize) -> String {
    let v = if v.abs() < 1e-12 { 0.0 } else { v };
    let s = format!("{v:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s.replace('-', "\u{2212}")
    }
}

/// A readable name for a sector id.
pub fn sector_name(id: &str) -> String {
    id.replace('_', " ")
}

#[cfg(test)]
mod note_tests {
    use super::{note_with_overrides, wrap};

    /// Every wrapped line fits (unless one word is wider), no word is lost.
    #[test]
    fn wrapped_lines_fit_and_keep_every_word() {
        let text = "one two three four five six seven eight nine ten";
        let lines = wrap(text, 14, |t| t.len() as i32);
        assert!(lines.iter().all(|l| l.len() <= 14), "{lines:?}");
        assert_eq!(lines.join(" "), text);
        assert_eq!(wrap("", 10, |t| t.len() as i32), vec![String::new()]);
        assert_eq!(
            wrap("averyveryverylongword", 5, |t| t.len() as i32).len(),
            1
        );
    }

    #[test]
    fn overrides_join_the_footer_and_a_long_list_is_clipped_with_a_count() {
        let plain = note_with_overrides("s", 10, 1, &[]);
        assert!(plain.starts_with("Source: tariffsim "), "{plain}");
        assert!(
            plain.ends_with(" (model 2) | scenario s | 10 runs | seed 1"),
            "{plain}"
        );
        assert_eq!(
            note_with_overrides("s", 10, 1, &["a=1".into(), "b=2".into()]),
            format!("{plain} | --set a=1, b=2")
        );
        let many: Vec<String> = (0..40).map(|k| format!("tariffs.t{k}.rate=0.5")).collect();
        let n = note_with_overrides("s", 10, 1, &many);
        assert!(n.chars().count() < 200, "{n}");
        assert!(n.ends_with("and 36 more"), "{n}");
    }
}
