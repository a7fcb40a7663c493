//! The split chart of `run --split-by RULE`: GDP against its baseline path
//! for the world and the featured economies, drawn as two fans, one for the
//! runs in which the rule fired and one for the runs in which it did not, so
//! a two-regime outcome shows as two fans instead of one wide one. Also the
//! sentence the report puts under it.

use super::data::{ChartData, SeriesBand, SplitData};
use super::panel::{BandSpec, Chart, LineSpec, Panel};
use super::report::esc;
use super::style::{BLUE, GREY, LegendItem, Swatch, VERMILLION};

/// Opacity of the 5-95 % bands (light: the two overlap).
const BAND: f64 = 0.16;

/// Featured economies drawn besides the world.
const MAX_ECONOMIES: usize = 3;

/// The chart's file stem.
pub fn name(rule: &str) -> String {
    format!("split_{rule}")
}

/// "40 %", with a decimal near 0 and 100 so a rare group never reads "0 %".
fn percent(share: f64) -> String {
    let p = 100.0 * share;
    if (1.0..=99.0).contains(&p) || p == 0.0 || p == 100.0 {
        format!("{p:.0} %")
    } else {
        format!("{p:.1} %")
    }
}

/// One panel: both groups' 5-95 % bands and medians, and the baseline.
fn panel(caption: Option<String>, fired: &SeriesBand, not_fired: &SeriesBand) -> Panel {
    let band = |s: &SeriesBand, colour| BandSpec {
        lo: s.band.p05.clone(),
        hi: s.band.p95.clone(),
        colour,
        opacity: BAND,
    };
    let median = |s: &SeriesBand, colour| LineSpec {
        values: s.band.p50.clone(),
        colour,
        width: 4,
        dashed: false,
    };
    Panel::Time {
        caption,
        y_desc: "GDP vs baseline (%)".into(),
        bands: vec![band(not_fired, BLUE), band(fired, VERMILLION)],
        lines: vec![
            LineSpec {
                values: fired.baseline.clone(),
                colour: GREY,
                width: 3,
                dashed: true,
            },
            median(not_fired, BLUE),
            median(fired, VERMILLION),
        ],
        y_fixed: None,
        zero_based: false,
    }
}

/// The economies drawn: WORLD, then the first featured economies.
fn economies(d: &ChartData) -> Vec<String> {
    std::iter::once("WORLD".to_string())
        .chain(d.focus.economies.iter().take(MAX_ECONOMIES).cloned())
        .collect()
}

/// Both groups hold runs (otherwise there is nothing to compare).
fn both(d: &ChartData) -> Option<&SplitData> {
    d.split
        .as_ref()
        .filter(|s| s.runs_fired > 0 && s.runs_not_fired > 0)
}

/// The split chart, if the run was split by a rule and both groups hold runs.
pub fn chart(d: &ChartData) -> Option<Chart> {
    let s = both(d)?;
    let panels: Vec<Panel> = economies(d)
        .iter()
        .filter_map(|e| {
            let (f, n) = (s.series(true, e)?, s.series(false, e)?);
            Some(panel(Some(d.name(e)), f, n))
        })
        .collect();
    if panels.is_empty() {
        return None;
    }
    let legend = vec![
        LegendItem::new(
            format!(
                "runs where {} fired ({} of runs): median",
                s.rule,
                percent(s.p_fired)
            ),
            Swatch::Line(VERMILLION),
        ),
        LegendItem::new("their 5-95 % range", Swatch::Band(VERMILLION, BAND)),
        LegendItem::new(
            format!(
                "runs where it did not ({}): median",
                percent(1.0 - s.p_fired)
            ),
            Swatch::Line(BLUE),
        ),
        LegendItem::new("their 5-95 % range", Swatch::Band(BLUE, BAND)),
        LegendItem::new("baseline (no policy change)", Swatch::Dashed(GREY)),
    ];
    let cols = if panels.len() == 1 { 1 } else { 2 };
    let rows = panels.len().div_ceil(cols) as u32;
    let size = if panels.len() == 1 {
        (1600, 900)
    } else {
        (1700, (190 + rows * 520 + 50).max(900))
    };
    Some(Chart {
        name: name(&s.rule),
        title: format!(
            "GDP, % difference from the baseline path, in runs where {} fired and where it did not",
            s.rule
        ),
        legend,
        cols,
        time_desc: panels.len() == 1,
        panels,
        size,
        notes: "Each fan comes from the runs of its group only: different runs, not paired differences; the legend gives the share of runs in each group.".into(),
        markers: true,
    })
}

/// The report's sentence under the split chart (HTML-escaped): World GDP
/// against its baseline in the last month, median and 5-95 % band, in each
/// group. `None` without the chart.
pub fn caption(d: &ChartData) -> Option<String> {
    let s = both(d)?;
    let (f, n) = (s.series(true, "WORLD")?, s.series(false, "WORLD")?);
    let end = d.months.last()?;
    let at_end = |x: &SeriesBand| {
        let b = &x.band;
        Some(format!(
            "{:.2} % [{:.2} to {:.2}]",
            b.p50.last()?,
            b.p05.last()?,
            b.p95.last()?
        ))
    };
    Some(format!(
        "In {}, World GDP is {} from its baseline path (median [5-95 %]) in the runs where {} fired ({} of runs) and {} in the runs where it did not.",
        esc(end),
        at_end(f)?,
        esc(&s.rule),
        percent(s.p_fired),
        at_end(n)?
    ))
}

#[cfg(test)]
mod tests {
    use super::percent;

    #[test]
    fn a_rare_group_never_reads_zero_percent() {
        assert_eq!(percent(0.4), "40 %");
        assert_eq!(percent(0.004), "0.4 %");
        assert_eq!(percent(0.996), "99.6 %");
        assert_eq!(percent(0.0), "0 %");
        assert_eq!(percent(1.0), "100 %");
    }
}
