//! Paired comparison of scenarios: every scenario runs on the same run
//! indices with the same seed, so run r of each shares every draw the
//! scenarios have in common and differences are taken run by run. Writes
//! `comparison.csv` and the headline lines printed by `compare`.

use crate::engine::aggregate::{Cell, TIE};
use crate::engine::{Aggregator, SetResult};
use crate::model::Model;
use crate::model::series::FinalKind;
use crate::output::Table;

crate::message_error!(
    /// Why scenarios cannot be compared run by run (they report different series).
    PairingError
);

pub const COMPARISON_HEADER: &str = "scenario,reference,metric,economy,partner,sector,month,mean,sd,p05,p50,p95,diff_mean,diff_sd,diff_p05,diff_p50,diff_p95,p_diff_negative,tie";

/// Default tie tolerance of a paired difference, relative to the
/// reference's level: a difference smaller than 0.1 % of the reference
/// scenario's mean (in the metric's unit, and at least `TIE`) is neither
/// worse nor better, so P(worse) reads "worse by more than that". `--tie`
/// overrides it.
pub const TIE_REL: f64 = 0.001;

/// The tie tolerance of a difference whose reference cell is `reference`:
/// `max(TIE, rel |mean|)`.
pub fn tie_tolerance(reference: &Cell, rel: f64) -> f64 {
    let m = reference.mean();
    if m.is_finite() {
        (rel * m.abs()).max(TIE)
    } else {
        TIE
    }
}

/// `x` to two significant digits (0.0023, 0.25, 2.4, 12).
pub fn sig2(x: f64) -> String {
    if x <= 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let decimals = (1 - x.log10().floor() as i32).max(0) as usize;
    format!("{x:.decimals$}")
}

/// P(worse by more than `tol`): the share of paired differences below
/// `-tol` where lower is worse, above `tol` otherwise.
pub fn p_worse(d: &Cell, tol: f64, lower_worse: bool) -> f64 {
    if lower_worse {
        d.fraction_below(tol)
    } else {
        d.fraction_above(tol)
    }
}

/// Whether the scenarios report the same series (same economies, sectors,
/// licensing importers and exposures), so that they can be paired.
///
/// # Errors
/// A message naming the first scenario that differs and how.
pub fn check_same_world(models: &[&Model]) -> Result<(), PairingError> {
    let a = &models[0];
    for m in &models[1..] {
        if m.months != a.months {
            return Err(PairingError(format!(
                "`{}` runs {} months but `{}` runs {}; use --months to align them",
                m.sc.meta.name, m.months, a.sc.meta.name, a.months
            )));
        }
        if m.sc.meta.start != a.sc.meta.start {
            return Err(PairingError(format!(
                "`{}` starts in {} but `{}` in {}; paired comparisons need the same calendar",
                m.sc.meta.name, m.sc.meta.start, a.sc.meta.name, a.sc.meta.start
            )));
        }
        if m.slots.labels != a.slots.labels {
            let first = m
                .slots
                .labels
                .iter()
                .zip(&a.slots.labels)
                .find(|(x, y)| x != y)
                .map(|(x, _)| format!("{} {} {} {}", x.metric, x.economy, x.partner, x.sector));
            return Err(PairingError(format!(
                "`{}` and `{}` do not describe the same world (different economies, sectors or licensing importers{}); compare scenarios built on the same base world",
                m.sc.meta.name,
                a.sc.meta.name,
                first
                    .map(|f| format!(", first difference at {f}"))
                    .unwrap_or_default()
            )));
        }
    }
    Ok(())
}

fn row(
    out: &mut Table,
    scenario: &str,
    reference: &str,
    labels: [&str; 5],
    c: &Cell,
    d: Option<&Cell>,
    tol: f64,
) {
    let s = c.stats();
    // The reference against itself: exactly zero.
    let diff = d.map_or([0.0; 6], |d| {
        let ds = d.stats();
        [
            ds.mean,
            ds.sd,
            ds.p05,
            ds.p50,
            ds.p95,
            d.fraction_below(tol),
        ]
    });
    let [m, sd, p05, p50, p95] = [s.mean, s.sd, s.p05, s.p50, s.p95];
    out.row_with_numbers(
        &[
            scenario, reference, labels[0], labels[1], labels[2], labels[3], labels[4],
        ],
        &[
            m, sd, p05, p50, p95, diff[0], diff[1], diff[2], diff[3], diff[4], diff[5], tol,
        ],
    );
}

/// `comparison.csv`: per scenario, series and month (and horizon outcome),
/// the scenario's statistics and the paired difference against the first;
/// `p_diff_negative` is the share of differences below `-tie`, with `tie`
/// from `tie_tolerance(reference cell, tie_rel)`.
pub fn comparison_csv(models: &[&Model], res: &SetResult, tie_rel: f64) -> Vec<u8> {
    let a = models[0];
    let months = a.months;
    let month_labels: Vec<String> = (0..months).map(|t| a.sc.month_label(t)).collect();
    let end = month_labels[months - 1].clone();
    let reference = &a.sc.meta.name;
    let mut out = Table::new(COMPARISON_HEADER);
    for (k, m) in models.iter().enumerate() {
        let name = &m.sc.meta.name;
        let agg = &res.scenarios[k];
        let diff = if k == 0 {
            None
        } else {
            Some(&res.diffs[k - 1])
        };
        for (slot, l) in m.slots.labels.iter().enumerate() {
            let (Some(cells), Some(base)) = (agg.series(slot), res.scenarios[0].series(slot))
            else {
                continue;
            };
            let dcells = diff.and_then(|d| d.series(slot));
            for (t, month) in month_labels.iter().enumerate() {
                row(
                    &mut out,
                    name,
                    reference,
                    [l.metric, &l.economy, &l.partner, &l.sector, month],
                    &cells[t],
                    dcells.map(|d| &d[t]),
                    tie_tolerance(&base[t], tie_rel),
                );
            }
        }
        // A series' value in the last month is already a monthly row (each
        // key once); end-of-horizon outcomes of series not written monthly
        // (per-flow detail unless `--detail flows`) are still written.
        let monthly: std::collections::HashSet<_> = m
            .slots
            .labels
            .iter()
            .enumerate()
            .filter(|(slot, _)| agg.series(*slot).is_some())
            .map(|(_, l)| (l.metric, &l.economy, &l.partner, &l.sector))
            .collect();
        for (i, (l, kind)) in m.slots.final_labels.iter().enumerate() {
            if *kind == FinalKind::End
                && monthly.contains(&(l.metric, &l.economy, &l.partner, &l.sector))
            {
                continue;
            }
            let month = m.slots.final_period(*kind, &end);
            row(
                &mut out,
                name,
                reference,
                [l.metric, &l.economy, &l.partner, &l.sector, month],
                &agg.finals[i],
                diff.map(|d| &d.finals[i]),
                tie_tolerance(&res.scenarios[0].finals[i], tie_rel),
            );
        }
    }
    out.into_bytes()
}

/// Lower is worse for these metrics; for the others higher is worse.
pub fn lower_is_worse(metric: &str) -> bool {
    !matches!(
        metric,
        "re_shortfall"
            | "re_backlog"
            | "output_loss"
            | "import_price"
            | "tariff_effective"
            | "gdp_loss_cum"
    )
}

/// One headline outcome of a comparison: its label, its cell (a month of
/// a monthly series, or a horizon outcome) and the unit of differences.
#[derive(Debug, Clone)]
pub struct Pick {
    pub label: String,
    pub idx: usize,
    pub monthly: bool,
    pub unit: &'static str,
}

impl Pick {
    /// Its cell in `agg` (`None` if a monthly series is not kept).
    pub fn cell<'a>(&self, agg: &'a Aggregator, months: usize) -> Option<&'a Cell> {
        if self.monthly {
            agg.cell(self.idx / months, self.idx % months)
        } else {
            agg.finals.get(self.idx)
        }
    }
}

/// The headline outcomes of a comparison, in report order.
pub fn headline_picks(models: &[&Model]) -> Vec<Pick> {
    let a = models[0];
    let sl = &a.slots;
    let months = a.months;
    let t12 = 11.min(months - 1);
    let find = |metric: &str, economy: &str, partner: &str| {
        sl.labels
            .iter()
            .position(|l| l.metric == metric && l.economy == economy && l.partner == partner)
    };
    let mut picks: Vec<(String, usize, bool, &'static str)> = Vec::new(); // (label, cell index, monthly?, unit)
    let sc = a.sc;
    let (fa, fb) = (sc.featured(0), sc.featured(1));
    let economies: Vec<&str> = [fa, fb].into_iter().flatten().chain(["WORLD"]).collect();
    for &e in &economies {
        if let Some(s) = find("gdp_growth_yoy", e, "") {
            picks.push((
                format!(
                    "{e} GDP growth at {} (month {})",
                    a.sc.month_label(t12),
                    t12 + 1
                ),
                s * months + t12,
                true,
                "pp",
            ));
        }
    }
    for &e in &economies {
        if let Some(s) = find("gdp_dev", e, "") {
            picks.push((
                format!("{e} GDP vs baseline, horizon average"),
                2 * s + 1,
                false,
                "pp",
            ));
        }
    }
    if let (Some(fa), Some(fb)) = (fa, fb)
        && let Some(s) = sl.labels.iter().position(|l| {
            l.metric == "imports" && l.economy == fa && l.partner == fb && l.sector == "ALL"
        })
    {
        picks.push((
            format!("{fa} imports from {fb}, horizon average"),
            2 * s + 1,
            false,
            "USD bn/yr",
        ));
    }
    if let Some(j) = sc.featured_licensing_importer()
        && let Some(s) = find("re_shortfall", j, "")
    {
        picks.push((
            format!("{j} {} shortfall, horizon average", sc.licensed_input()),
            2 * s + 1,
            false,
            "share",
        ));
    }
    picks
        .into_iter()
        .map(|(label, idx, monthly, unit)| Pick {
            label,
            idx,
            monthly,
            unit,
        })
        .collect()
}

/// Headline lines, e.g. "escalation vs london-framework: US GDP growth at
/// 2025-12 (month 12), -0.61 pp [-1.10, -0.21], P(worse by more than
/// 0.0023 pp) 0.97".
pub fn headlines(models: &[&Model], res: &SetResult, tie_rel: f64) -> Vec<String> {
    let a = models[0];
    let sl = &a.slots;
    let months = a.months;
    let picks = headline_picks(models);
    let mut lines = Vec::new();
    for (k, m) in models.iter().enumerate().skip(1) {
        for pick in &picks {
            let Pick {
                label,
                idx,
                monthly,
                unit,
            } = pick;
            let (Some(d), Some(reference)) = (
                pick.cell(&res.diffs[k - 1], months),
                pick.cell(&res.scenarios[0], months),
            ) else {
                continue;
            };
            let tol = tie_tolerance(reference, tie_rel);
            let metric = if *monthly {
                sl.labels[idx / months].metric
            } else {
                sl.final_labels[*idx].0.metric
            };
            let s = d.stats();
            let worse = p_worse(d, tol, lower_is_worse(metric));
            lines.push(format!(
                "{} vs {}: {label}, {:+.2} {unit} [{:+.2}, {:+.2}], P(worse by more than {} {unit}) {:.2}",
                m.sc.meta.name,
                a.sc.meta.name,
                s.p50,
                s.p05,
                s.p95,
                sig2(tol),
                worse
            ));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(xs: impl IntoIterator<Item = f64>) -> Cell {
        let mut c = Cell::default();
        for x in xs {
            c.add(x);
        }
        c
    }

    /// Issue 15's case: imports of 245 bn/yr, a paired difference of
    /// -0.03 bn/yr in every run. With no tolerance it is "worse" in every
    /// run; with the default (0.1 % of 245 = 0.245) it is a tie; a
    /// difference of -1 bn/yr is worse with either. Higher-is-worse metrics
    /// count the other side.
    #[test]
    fn a_difference_within_the_tie_tolerance_is_not_worse() {
        let reference = cell((0..100).map(|k| 240.0 + 0.1 * f64::from(k)));
        let tol = tie_tolerance(&reference, TIE_REL);
        assert!((tol - 0.001 * reference.mean()).abs() < 1e-12 && (tol - 0.245).abs() < 0.01);
        let tiny = cell([-0.03; 100]);
        assert_eq!(p_worse(&tiny, TIE, true), 1.0);
        assert_eq!(p_worse(&tiny, tol, true), 0.0);
        let real = cell((0..100).map(|k| if k < 80 { -1.0 } else { 0.5 }));
        assert!((p_worse(&real, tol, true) - 0.8).abs() < 1e-12);
        assert!((p_worse(&real, tol, false) - 0.2).abs() < 1e-12);
        // A reference at zero (a deviation) keeps the solver's tolerance.
        assert_eq!(tie_tolerance(&cell([0.0; 10]), TIE_REL), TIE);
        assert_eq!(sig2(0.2451), "0.25");
        assert_eq!(sig2(0.0023), "0.0023");
        assert_eq!(sig2(12.3), "12");
    }
}
