//! Annual outcomes (`annual.csv`): calendar years and US fiscal years
//! (October to September) that lie wholly within the horizon, computed per
//! run from the monthly series, so their bands are bands of annual values.
//! Per period P (12 months) and economy i (and WORLD for the GDP rows):
//!   A_i(P)     = sum_{t in P} (1 + g_i)^(t/12) (1 + dev_i(t)/100)   (GDP, in units of GDP0_i/12)
//!   A0_i(P)    = sum_{t in P} (1 + g_i)^(t/12)                      (its baseline)
//!   gdp_dev          = 100 (A_i(P) / A0_i(P) - 1)                   % level vs baseline
//!   gdp_growth       = 100 (A_i(P) / A_i(P - 12) - 1)               annual-average growth, %
//!   gdp_growth_dev   = gdp_growth - 100 (A0_i(P) / A0_i(P - 12) - 1)  pp vs baseline growth
//!   gdp_growth_q4q4  = 100 (A_i(Q4 of P) / A_i(Q4 of P - 12) - 1)  %
//! with dev = 0 before the start (the baseline path), t counted from the
//! start, and WORLD summing GDP0_k A_k at base-year GDP weights. Trade rows
//! (importer i, USD bn in the period, from the USD bn/yr monthly rates / 12):
//!   tariff_revenue, imports (ALL and by partner), exports (ALL);
//!   tariff_effective       = average of the monthly base-year-weighted rate  (%, before substitution)
//!   tariff_effective_after = 100 tariff_revenue / imports                   (%, at the simulated weights)
//! and per economy with household data the period's averages of the monthly
//! consumer_prices (%) and cost_per_household (USD per household in the year).

use super::series::{FinalKind, SeriesLabel, Slots};
use crate::scenario::Scenario;
use crate::scenario::date::YearMonth;

/// One period: its label and first month (from the start).
#[derive(Debug, Clone, PartialEq)]
pub struct Period {
    pub label: String,
    pub first: i32,
}

/// The calendar years (`CY2025`) and US fiscal years (`FY2026`: October
/// 2025 to September 2026) wholly within months `0..months` of a run
/// starting at `start`, calendar years first.
pub fn periods(start: YearMonth, months: usize) -> Vec<Period> {
    let end = start.plus(months as i32);
    let mut out = Vec::new();
    for (prefix, first_month, label_offset) in [("CY", 1u32, 0), ("FY", 10, 1)] {
        let mut year = start.year() - 1;
        loop {
            let from = YearMonth::new(year, first_month);
            if from.plus(12).0 > end.0 {
                break;
            }
            if from.0 >= start.0 {
                out.push(Period {
                    label: format!("{prefix}{}", year + label_offset),
                    first: from.since(start),
                });
            }
            year += 1;
        }
    }
    out
}

/// The rows of one period, in order: per economy and WORLD the four GDP
/// rows; per importer the trade rows.
pub fn labels(sc: &Scenario, n_periods: usize) -> Vec<(SeriesLabel, FinalKind)> {
    let ne = sc.economies.len();
    let id = |i: usize| {
        if i == ne {
            "WORLD".to_string()
        } else {
            sc.economies[i].id.clone()
        }
    };
    let label = |metric, e: usize, partner: String| SeriesLabel {
        metric,
        economy: id(e),
        partner,
        sector: String::new(),
    };
    let mut out = Vec::new();
    for p in 0..n_periods {
        let kind = FinalKind::Annual(p as u16);
        for i in 0..=ne {
            for m in GDP_METRICS {
                out.push((label(m, i, String::new()), kind));
            }
        }
        for i in 0..ne {
            for m in [
                "tariff_revenue",
                "tariff_effective",
                "tariff_effective_after",
            ] {
                out.push((label(m, i, String::new()), kind));
            }
            out.push((label("imports", i, "ALL".into()), kind));
            for e in (0..ne).filter(|&e| e != i) {
                out.push((label("imports", i, id(e)), kind));
            }
            out.push((label("exports", i, "ALL".into()), kind));
        }
        for i in (0..ne).filter(|&i| sc.economies[i].households.is_some()) {
            out.push((label("consumer_prices", i, String::new()), kind));
            out.push((label("cost_per_household", i, String::new()), kind));
        }
    }
    out
}

const GDP_METRICS: [&str; 4] = ["gdp_dev", "gdp_growth", "gdp_growth_dev", "gdp_growth_q4q4"];

/// Rows per period for `ne` economies, `nh` of them with household data
/// (`labels` order).
pub fn rows_per_period(ne: usize, nh: usize) -> usize {
    (ne + 1) * GDP_METRICS.len() + ne * (3 + 1 + (ne - 1) + 1) + 2 * nh
}

/// Write every period's outcomes of one run into `finals[sl.annual..]`.
/// `growth[i]` is the run's baseline growth of economy i (%), `weights[i]`
/// its base-year GDP.
pub fn outcomes(
    sl: &Slots,
    monthly: &[f64],
    months: usize,
    growth: &[f64],
    weights: &[f64],
    finals: &mut [f64],
) {
    let ne = sl.ne;
    if sl.periods.is_empty() {
        return;
    }
    let at = |slot: usize, t: i32| -> f64 {
        if t < 0 {
            0.0
        } else {
            monthly[slot * months + t as usize]
        }
    };
    // GDP and its baseline in months t = -12..months, in units of GDP0_i / 12,
    // WORLD last at base-year weights: index `i * span + t + 12`.
    let span = months + 12;
    let mut gdp = vec![0.0; (ne + 1) * span];
    let mut base = vec![0.0; (ne + 1) * span];
    for i in 0..ne {
        let g = 1.0 + growth[i] / 100.0;
        for (j, t) in (-12..months as i32).enumerate() {
            let b = g.powf(f64::from(t) / 12.0);
            let y = b * (1.0 + at(sl.gdp_dev + i, t) / 100.0);
            gdp[i * span + j] = y;
            base[i * span + j] = b;
            gdp[ne * span + j] += weights[i] * y;
            base[ne * span + j] += weights[i] * b;
        }
    }
    let mut k = sl.annual;
    for p in &sl.periods {
        let f = p.first;
        for i in 0..=ne {
            // (GDP, baseline) summed over months first..first + n.
            let level = |first: i32, n: i32| {
                let from = i * span + (first + 12) as usize;
                let r = from..from + n as usize;
                (
                    gdp[r.clone()].iter().sum::<f64>(),
                    base[r].iter().sum::<f64>(),
                )
            };
            let (a, a0) = level(f, 12);
            let (b, b0) = level(f - 12, 12);
            let (q, _) = level(f + 9, 3);
            let (qb, _) = level(f - 3, 3);
            let growth = 100.0 * (a / b - 1.0);
            finals[k] = 100.0 * (a / a0 - 1.0);
            finals[k + 1] = growth;
            finals[k + 2] = growth - 100.0 * (a0 / b0 - 1.0);
            finals[k + 3] = 100.0 * (q / qb - 1.0);
            k += GDP_METRICS.len();
        }
        let sum = |slot: usize| (f..f + 12).map(|t| at(slot, t)).sum::<f64>() / 12.0;
        for i in 0..ne {
            let revenue = sum(sl.tariff_revenue + i);
            let imports = sum(sl.imports_idx(i, None, None));
            finals[k] = revenue;
            finals[k + 1] = sum(sl.tariff_idx(i, None));
            finals[k + 2] = if imports > 0.0 {
                100.0 * revenue / imports
            } else {
                0.0
            };
            finals[k + 3] = imports;
            k += 4;
            for e in (0..ne).filter(|&e| e != i) {
                finals[k] = sum(sl.imports_idx(i, Some(e), None));
                k += 1;
            }
            finals[k] = sum(sl.exports + i * (sl.ns + 1));
            k += 1;
        }
        for h in 0..sl.households.len() {
            finals[k] = sum(sl.consumer_prices + h);
            finals[k + 1] = sum(sl.cost_per_household + h);
            k += 2;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_the_whole_calendar_and_fiscal_years_in_the_horizon() {
        let labels = |start, months| -> Vec<(String, i32)> {
            periods(start, months)
                .into_iter()
                .map(|p| (p.label, p.first))
                .collect()
        };
        let jan25 = YearMonth::new(2025, 1);
        assert_eq!(
            labels(jan25, 36),
            [
                ("CY2025".to_string(), 0),
                ("CY2026".into(), 12),
                ("CY2027".into(), 24),
                ("FY2026".into(), 9),
                ("FY2027".into(), 21),
            ]
        );
        // Starting in October: the first fiscal year is whole, the first
        // calendar year is not.
        let oct24 = YearMonth::new(2024, 10);
        assert_eq!(
            labels(oct24, 15),
            [("CY2025".to_string(), 3), ("FY2025".into(), 0)]
        );
        assert!(periods(jan25, 11).is_empty());
    }

    /// GDP 1 % above its baseline path from January 2026 (the test world
    /// starts in April 2025), baseline growth g: the level is 1 % up in
    /// 2026 and 2027; 2026 grows by (1 + g)(1.01) - 1 over 2025 (on the
    /// baseline), its deviation from g the rest, and so does Q4-on-Q4;
    /// 2027 grows at g exactly. WORLD (GDP weights) has the same shift.
    #[test]
    fn gdp_rows_match_the_closed_forms_of_a_level_shift() {
        let sc = crate::model::testkit::world("");
        let months = 36;
        let sl = Slots::new(&sc, months);
        let labels: Vec<&str> = sl.periods.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels, ["CY2026", "CY2027", "FY2026", "FY2027"]);
        let ne = sl.ne;
        let mut monthly = vec![0.0; sl.n_monthly * months];
        for i in 0..=ne {
            monthly[(sl.gdp_dev + i) * months + 9..(sl.gdp_dev + i + 1) * months].fill(1.0);
        }
        let mut finals = vec![0.0; sl.n_final];
        let g = [2.0, 5.0];
        outcomes(&sl, &monthly, months, &g, &[100.0, 50.0], &mut finals);
        assert_eq!(finals.len() - sl.annual, 4 * rows_per_period(ne, 0));
        let row = |p: usize, i: usize, m: usize| {
            finals[sl.annual + p * rows_per_period(ne, 0) + 4 * i + m]
        };
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        for (i, gi) in g.into_iter().enumerate() {
            let first = 100.0 * ((1.0 + gi / 100.0) * 1.01 - 1.0);
            assert!(close(row(0, i, 0), 1.0), "level CY2025");
            assert!(close(row(0, i, 1), first), "growth CY2025 {}", row(0, i, 1));
            assert!(close(row(0, i, 2), first - gi), "growth dev CY2025");
            assert!(close(row(0, i, 3), first), "Q4/Q4 CY2025");
            assert!(
                close(row(1, i, 1), gi) && close(row(1, i, 2), 0.0),
                "CY2026"
            );
            assert!(close(row(1, i, 3), gi), "Q4/Q4 CY2026");
        }
        assert!(close(row(0, ne, 0), 1.0), "WORLD level");
        assert!(close(row(1, ne, 2), 0.0), "WORLD CY2026 growth dev");
    }
}
