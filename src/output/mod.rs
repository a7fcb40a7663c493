//! Output files of a run. Each writer returns bytes (so formats are tested
//! without touching disk); `folder::OutputDir` writes them into a temporary
//! folder beside the destination and moves it into place only when
//! everything is written, never over anything tariffsim did not create;
//! `manifest` records what produced the folder.

pub mod folder;
pub mod manifest;
pub mod table;
pub mod workbook;

pub use folder::OutputDir;
pub use manifest::{Manifest, RunInfo};
pub use table::Table;

use crate::engine::{Aggregator, key_outcomes};
use crate::model::Model;
use crate::model::series::FinalKind;

pub const SUMMARY_HEADER: &str = "metric,economy,partner,sector,month,mean,sd,p05,p25,p50,p75,p95";

fn stats(c: &crate::engine::aggregate::Cell) -> [f64; 7] {
    let s = c.stats();
    [s.mean, s.sd, s.p05, s.p25, s.p50, s.p75, s.p95]
}

/// `summary.csv`: one row per series and month.
pub fn summary_csv(model: &Model, agg: &Aggregator) -> Vec<u8> {
    let mut out = Table::new(SUMMARY_HEADER);
    monthly_rows(&mut out, model, agg, &[], |_| true);
    out.into_bytes()
}

/// One row per month of every series of `agg` that `keep` selects, after
/// the `lead` columns: the body of `summary.csv` and `split.csv`.
fn monthly_rows(
    out: &mut Table,
    model: &Model,
    agg: &Aggregator,
    lead: &[&str],
    keep: impl Fn(&crate::model::series::SeriesLabel) -> bool,
) {
    let months = model.months;
    let labels: Vec<String> = (0..months).map(|t| model.sc.month_label(t)).collect();
    let mut text: Vec<&str> = Vec::with_capacity(lead.len() + 5);
    for (slot, l) in model.slots.labels.iter().enumerate() {
        let Some(cells) = agg.series(slot).filter(|_| keep(l)) else {
            continue;
        };
        for (cell, month) in cells.iter().zip(&labels) {
            text.clear();
            text.extend_from_slice(lead);
            text.extend([l.metric, &l.economy, &l.partner, &l.sector, month]);
            out.row_with_numbers(&text, &stats(cell));
        }
    }
}

pub const SPLIT_HEADER_LEAD: &str = "group,runs";

/// `split.csv` (`run --split-by RULE`): the rows of `summary.csv` whose
/// partner and sector are each `ALL` or empty (the aggregate series, not
/// per-flow ones), for the runs in which the rule fired (`group` =
/// `fired`) and those in which it did not (`not_fired`), each with the
/// group's number of runs. An empty group has no rows.
pub fn split_csv(model: &Model, split: &crate::engine::Split) -> Vec<u8> {
    let aggregate = |s: &str| s.is_empty() || s == "ALL";
    let mut out = Table::new(&format!("{SPLIT_HEADER_LEAD},{SUMMARY_HEADER}"));
    for (group, agg) in [("fired", &split.fired), ("not_fired", &split.not_fired)] {
        if agg.runs == 0 {
            continue;
        }
        let runs = agg.runs.to_string();
        monthly_rows(&mut out, model, agg, &[group, &runs], |l| {
            aggregate(&l.partner) && aggregate(&l.sector)
        });
    }
    out.into_bytes()
}

/// `final.csv`: horizon outcomes (end values, horizon averages, totals).
pub fn final_csv(model: &Model, agg: &Aggregator) -> Vec<u8> {
    finals_csv(model, agg, SUMMARY_HEADER, |k| {
        !matches!(k, FinalKind::Annual(_))
    })
}

pub const ANNUAL_HEADER: &str = "metric,economy,partner,sector,period,mean,sd,p05,p25,p50,p75,p95";

/// `annual.csv`: calendar-year and US fiscal-year outcomes
/// (`model::annual`), one row per series and period.
pub fn annual_csv(model: &Model, agg: &Aggregator) -> Vec<u8> {
    finals_csv(model, agg, ANNUAL_HEADER, |k| {
        matches!(k, FinalKind::Annual(_))
    })
}

fn finals_csv(
    model: &Model,
    agg: &Aggregator,
    header: &str,
    keep: impl Fn(FinalKind) -> bool,
) -> Vec<u8> {
    let end = model.sc.month_label(model.months - 1);
    let mut out = Table::new(header);
    for (k, (l, kind)) in model.slots.final_labels.iter().enumerate() {
        if keep(*kind) {
            let month = model.slots.final_period(*kind, &end);
            out.row_with_numbers(
                &[l.metric, &l.economy, &l.partner, &l.sector, month],
                &stats(&agg.finals[k]),
            );
        }
    }
    out.into_bytes()
}

/// `events.csv`: probability that each rule has fired by each month.
pub fn events_csv(model: &Model, agg: &Aggregator) -> Vec<u8> {
    let mut out = Table::new("rule,month,p_fired_by_month");
    for (k, rule) in model.sc.rules.iter().enumerate() {
        for (t, p) in agg.p_fired_by(k).into_iter().enumerate() {
            out.row_with_numbers(&[&rule.id, &model.sc.month_label(t)], &[p]);
        }
    }
    out.into_bytes()
}

/// `sensitivity.csv`: Spearman rank correlation of each sampled parameter
/// with each key outcome (horizon averages).
pub fn sensitivity_csv(model: &Model, agg: &Aggregator) -> Vec<u8> {
    let keys = key_outcomes(model);
    let rho = agg.sensitivity(model.sampled.len(), keys.len());
    let mut out = Table::new("parameter,metric,economy,spearman");
    for (p, row) in model.sampled.iter().zip(&rho) {
        let path = &model.sc.param(*p).path;
        for (k, r) in keys.iter().zip(row) {
            out.row_with_numbers(&[path, &k.metric, &k.economy], &[*r]);
        }
    }
    out.into_bytes()
}
