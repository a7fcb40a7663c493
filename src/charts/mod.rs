//! Charts and the HTML report, drawn from aggregated results (`data`).
//!
//! Every chart is drawn twice from the same description (`panel::Chart`):
//! into an SVG string and into an RGB buffer encoded as PNG, both in memory.
//! Text uses the embedded DejaVu Sans (`style::ensure_fonts`), so nothing is
//! read from the system. Charts render in parallel.

mod assumptions;
mod catalogue;
pub mod compare;
mod compare_report;
pub mod data;
mod panel;
mod ranked;
mod report;
pub mod sensitivity;
mod split;
mod style;
pub mod sweep;

use plotters::coord::Shift;
use plotters::prelude::*;
use rayon::prelude::*;

pub use data::ChartData;
pub use panel::Marker;

/// Chart size presets (`--chart-size`): the canvas and the resolution the
/// PNG records, so a word processor or slide program places it at the
/// intended physical size.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ChartSize {
    /// The designed canvas (1600-1700 px wide) at 240 dpi: 6.7-7.1 inches.
    #[default]
    Report,
    /// 1560 px wide at 240 dpi: a 6.5-inch report column; height scaled.
    Column,
    /// 1920 x 1080 px at 144 dpi: a 13.33 x 7.5-inch (16:9) slide.
    Slides,
}

impl ChartSize {
    /// Canvas width and height (px) and resolution (dpi) of a chart
    /// designed at `size`.
    pub fn fit(self, (w, h): (u32, u32)) -> (u32, u32, u32) {
        match self {
            ChartSize::Report => (w, h, PNG_DPI),
            ChartSize::Column => {
                let hh = (f64::from(h) * 1560.0 / f64::from(w.max(1))).round() as u32;
                (1560, hh.max(1), PNG_DPI)
            }
            ChartSize::Slides => (1920, 1080, 144),
        }
    }

    /// Its word in a result key: none at the default size, so the keys of
    /// default runs are those of earlier versions.
    pub fn key_word(self) -> Option<String> {
        (self != ChartSize::default()).then(|| format!("chart_size={}", self.name()))
    }

    /// The preset's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            ChartSize::Report => "report",
            ChartSize::Column => "column",
            ChartSize::Slides => "slides",
        }
    }
}

/// One rendered chart: both formats in memory, written by the caller.
#[derive(Debug, Clone)]
pub struct ChartFile {
    /// File stem, e.g. `gdp_growth_world` (written as charts/<name>.png and .svg).
    pub name: String,
    pub title: String,
    /// A sentence the report puts under the chart (HTML, escaped), or "".
    pub caption: String,
    pub svg: String,
    pub png: Vec<u8>,
}

#[derive(Debug)]
pub struct ChartError(pub String);

impl std::fmt::Display for ChartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "chart rendering failed: {}", self.0)
    }
}

impl std::error::Error for ChartError {}

impl From<String> for ChartError {
    fn from(s: String) -> Self {
        ChartError(s)
    }
}

/// Render every chart of a run (charts without data are skipped).
///
/// # Errors
/// If a chart cannot be drawn or encoded.
pub fn render_all(data: &ChartData, size: ChartSize) -> Result<Vec<ChartFile>, ChartError> {
    style::ensure_fonts()?;
    let source = style::note_with_overrides(&data.scenario, data.runs, data.seed, &data.overrides);
    let ctx = panel::Context {
        months: &data.months,
        source: &source,
        markers: &data.markers,
        size,
    };
    let mut charts = catalogue::charts(data);
    // `run --split-by`: after the rule firings.
    if let Some(c) = split::chart(data) {
        let at = charts
            .iter()
            .position(|c| c.name == "rule_firings")
            .map_or(charts.len(), |k| k + 1);
        charts.insert(at, c);
    }
    let mut files = charts
        .par_iter()
        .map(|c| render(c, &ctx))
        .collect::<Result<Vec<_>, _>>()?;
    if let (Some(s), Some(caption)) = (&data.split, split::caption(data))
        && let Some(f) = files.iter_mut().find(|f| f.name == split::name(&s.rule))
    {
        f.caption = caption;
    }
    Ok(files)
}

/// The self-contained HTML report: description, headline table, every chart
/// inline as SVG, and the resolved timeline.
pub fn report_html(data: &ChartData, charts: &[ChartFile]) -> String {
    report::report(data, charts)
}

fn render(chart: &panel::Chart, ctx: &panel::Context<'_>) -> Result<ChartFile, ChartError> {
    let fail = |e: ChartError| ChartError(format!("{}: {}", chart.name, e.0));
    let (w, h, dpi) = ctx.size.fit(chart.size);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        panel::draw_chart(&root, chart, ctx).map_err(fail)?;
        root.present().map_err(|e| fail(style::err(e)))?;
    }
    let mut buf = vec![255u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        panel::draw_chart(&root, chart, ctx).map_err(fail)?;
        root.present().map_err(|e| fail(style::err(e)))?;
    }
    let png = encode_png(&buf, w, h, dpi).map_err(fail)?;
    Ok(ChartFile {
        name: chart.name.clone(),
        title: chart.title.clone(),
        caption: String::new(),
        svg: with_svg_title(svg, &chart.title),
        png,
    })
}

/// A chart drawn by its own code (not a `panel::Chart`): sweeps and Sobol
/// indices. Drawn twice, like `render`, into SVG and PNG.
pub(crate) trait Drawing: Sync {
    fn name(&self) -> &str;
    fn title(&self) -> &str;
    fn size(&self) -> (u32, u32);
    /// # Errors
    /// If the backend fails.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError>;
}

fn render_drawing<D: Drawing>(d: &D, size: ChartSize) -> Result<ChartFile, ChartError> {
    let fail = |e: ChartError| ChartError(format!("{}: {}", d.name(), e.0));
    let (w, h, dpi) = size.fit(d.size());
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        d.draw(&root).map_err(fail)?;
        root.present().map_err(|e| fail(style::err(e)))?;
    }
    let mut buf = vec![255u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        d.draw(&root).map_err(fail)?;
        root.present().map_err(|e| fail(style::err(e)))?;
    }
    let png = encode_png(&buf, w, h, dpi).map_err(fail)?;
    Ok(ChartFile {
        name: d.name().to_string(),
        title: d.title().to_string(),
        caption: String::new(),
        svg: with_svg_title(svg, d.title()),
        png,
    })
}

/// Encode an RGB buffer as PNG.
/// Resolution recorded in every PNG.
pub const PNG_DPI: u32 = 240;

fn encode_png(rgb: &[u8], w: u32, h: u32, dpi: u32) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::with_capacity(rgb.len() / 16);
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Default);
        enc.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
        // Physical size (pHYs): `dpi` dots per inch, so a word processor
        // places the chart at the preset's size (1600 px at 240 dpi: 6.67 in).
        let ppm = (f64::from(dpi) / 0.0254).round() as u32;
        enc.set_pixel_dims(Some(png::PixelDimensions {
            xppu: ppm,
            yppu: ppm,
            unit: png::Unit::Meter,
        }));
        let mut writer = enc.write_header().map_err(style::err)?;
        writer.write_image_data(rgb).map_err(style::err)?;
        writer.finish().map_err(style::err)?;
    }
    Ok(out)
}

/// Give the SVG a `<title>` element (what screen readers and browsers show).
fn with_svg_title(svg: String, title: &str) -> String {
    match svg
        .find("<svg")
        .and_then(|at| svg[at..].find('>').map(|end| at + end + 1))
    {
        Some(pos) => format!(
            "{}\n<title>{}</title>{}",
            &svg[..pos],
            report::esc(title),
            &svg[pos..]
        ),
        None => svg,
    }
}
