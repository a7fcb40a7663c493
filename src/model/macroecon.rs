//! Block 6: macro. GDP deviation of economy i from its baseline path, in %:
//!   dev_i = 100 (production_i + disruption_i) / GDP_i
//!         + multiplier_i (100 income_i / GDP_i - tpu_sens_i U_i)
//! with (USD bn at annual rates)
//!   production_i = sum_s va_s sum_j (volume[i->j,s] - V[i->j,s])   (gross output change)
//!   income_i     = -(1 - recycled_i) burden_i (tariff revenue_i - baseline revenue_i)
//!   disruption_i = -sum_s va_s loss[i,s] GO0[i,s]                  (Block 4 output loss)
//! and the trade-policy-uncertainty index
//!   U_i(t) = 2^(-1/h) U_i(t-1) + |d tariff on i's imports| + |d tariff on i's exports|
//!            + w * (rule firings involving i),
//! tariffs as fractions, baseline-weighted. The GDP level is the baseline
//! path times (1 + dev/100); growth is year on year, months before the start
//! on the baseline path; the world aggregates levels at base-year weights.

/// Baseline GDP path: GDP0 (1 + g/100)^(t/12).
#[inline]
pub fn baseline_level(gdp0: f64, growth_pct: f64, t: f64) -> f64 {
    gdp0 * (1.0 + growth_pct / 100.0).powf(t / 12.0)
}

/// Year-on-year growth (%) from this month's and twelve months earlier's deviations.
#[inline]
pub fn growth_yoy(growth_pct: f64, dev_now: f64, dev_year_ago: f64) -> f64 {
    if dev_now == 0.0 && dev_year_ago == 0.0 {
        // Exactly the baseline: report the input growth rate itself.
        return growth_pct;
    }
    100.0
        * ((1.0 + growth_pct / 100.0) * (1.0 + dev_now / 100.0) / (1.0 + dev_year_ago / 100.0)
            - 1.0)
}

/// The GDP deviation (%) by channel: [trade, income, supply, uncertainty];
/// their sum is the deviation.
#[inline]
pub fn channels(
    gdp: f64,
    production: f64,
    disruption: f64,
    income: f64,
    tpu_index: f64,
    tpu_sens: f64,
    multiplier: f64,
) -> [f64; 4] {
    [
        100.0 * production / gdp,
        multiplier * 100.0 * income / gdp,
        100.0 * disruption / gdp,
        -multiplier * tpu_sens * tpu_index,
    ]
}

/// The GDP deviation (%) from its components.
#[inline]
pub fn deviation(
    gdp: f64,
    production: f64,
    disruption: f64,
    income: f64,
    tpu_index: f64,
    tpu_sens: f64,
    multiplier: f64,
) -> f64 {
    channels(
        gdp, production, disruption, income, tpu_index, tpu_sens, multiplier,
    )
    .iter()
    .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_deviation_gives_baseline_growth() {
        assert_eq!(growth_yoy(2.8, 0.0, 0.0), 2.8);
        // A level 1 % below baseline a year after starting at baseline: growth is ~1 pp lower.
        let g = growth_yoy(2.0, -1.0, 0.0);
        assert!((g - (1.02 * 0.99 - 1.0) * 100.0).abs() < 1e-12);
    }

    #[test]
    fn deviation_adds_components() {
        // 10 bn production loss on a 1000 bn economy = -1 %; income -5 bn with
        // multiplier 2 = -1 %; TPU 0.5 x 1 %/unit x 2 = -1 %.
        let d = deviation(1000.0, -10.0, 0.0, -5.0, 0.5, 1.0, 2.0);
        assert!((d + 3.0).abs() < 1e-12);
        assert_eq!(
            channels(1000.0, -10.0, 0.0, -5.0, 0.5, 1.0, 2.0),
            [-1.0, -1.0, 0.0, -1.0]
        );
    }
}
