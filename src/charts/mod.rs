//! Charts and the HTML report, drawn from aggregated results (`data`).

pub mod data;

pub use data::ChartData;

/// One rendered chart: both formats in memory, written by the caller.
#[derive(Debug, Clone)]
pub struct ChartFile {
    /// File stem, e.g. `gdp_growth_world` (written as charts/<name>.png and .svg).
    pub name: String,
    pub title: String,
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

/// Render every chart of a run. (Placeholder until the chart set lands.)
///
/// # Errors
/// If a chart cannot be drawn or encoded.
pub fn render_all(_data: &ChartData) -> Result<Vec<ChartFile>, ChartError> {
    Ok(Vec::new())
}

/// The self-contained HTML report. (Placeholder until the report lands.)
pub fn report_html(data: &ChartData, _charts: &[ChartFile]) -> String {
    format!("<!doctype html><html><head><meta charset=\"utf-8\"><title>{}</title></head><body><pre>{}</pre></body></html>\n", data.scenario, data.timeline)
}
