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

use super::equilibrium::EqSolution;
use super::series::{Series, Slots};
use crate::scenario::{ParamId, Scenario};

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

/// What the macro block of month t reads from the other blocks.
pub struct MacroInputs<'a> {
    pub sc: &'a Scenario,
    pub values: &'a [f64],
    /// Baseline gross output `i * ns + s` and tariff revenue per importer.
    pub go0: &'a [f64],
    pub tr0: &'a [f64],
    /// Block 2: exporters' prices.
    pub eq: &'a [EqSolution],
    /// Block 3: observed and reported flows.
    pub observed: &'a [f64],
    pub reported: &'a [f64],
    /// Block 4: output lost, `i * ns + s`.
    pub loss: &'a [f64],
    /// Block 1: tariffs and effective tariffs (fractions).
    pub tau: &'a [f64],
    pub eff_imp: &'a [f64],
    pub eff_exp: &'a [f64],
    /// Block 5: rules fired this month, and the economies each involves.
    pub fired: &'a [usize],
    pub involves: &'a [Vec<usize>],
}

/// Block 6's per-run state: the uncertainty index, GDP deviations so far
/// (for year-on-year growth), last month's effective tariffs and each
/// economy's baseline growth factor this month.
#[derive(Debug, Default)]
pub struct MacroState {
    tpu: Vec<f64>,
    /// Deviation of economy i in month m, `i * months + m` (%).
    dev: Vec<f64>,
    /// (1 + g_i/100)^(t/12), the growth factor trade outputs are scaled by.
    pub growth_factor: Vec<f64>,
    eff_imp_prev: Vec<f64>,
    eff_exp_prev: Vec<f64>,
    growth: Vec<f64>,
    decay: f64,
    months: usize,
}

impl MacroState {
    /// The start of a run; `eff_imp`, `eff_exp` are the effective tariffs of
    /// the world before the first month (changes are measured from them).
    pub fn reset(
        &mut self,
        sc: &Scenario,
        months: usize,
        values: &[f64],
        eff_imp: &[f64],
        eff_exp: &[f64],
    ) {
        let ne = sc.economies.len();
        self.months = months;
        self.tpu.clear();
        self.tpu.resize(ne, 0.0);
        self.growth_factor.clear();
        self.growth_factor.resize(ne, 1.0);
        self.dev.clear();
        self.dev.resize(ne * months, 0.0);
        self.eff_imp_prev.clone_from(&eff_imp.to_vec());
        self.eff_exp_prev.clone_from(&eff_exp.to_vec());
        self.growth.clear();
        self.growth
            .extend(sc.economies.iter().map(|e| values[e.growth_pct.0 as usize]));
        self.decay = (-1.0 / sc.macro_params.tpu_half_life_months).exp2();
    }

    /// Month t: each economy's production, income, disruption and
    /// uncertainty terms, its GDP deviation, growth and tariff revenue, and
    /// the world aggregate (levels at base-year weights), written to `out`.
    pub fn step(&mut self, t: usize, m: &MacroInputs, sl: &Slots, out: &mut Series) {
        let sc = m.sc;
        let td = &sc.trade;
        let (ne, ns, months) = (td.n_econ, td.n_sect, self.months);
        let val = |p: ParamId| m.values[p.0 as usize];
        let tf = t as f64;
        let (mut world_level, mut world_base, mut world_level_ago) = (0.0, 0.0, 0.0);
        for i in 0..ne {
            let econ = &sc.economies[i];
            let mut production = 0.0;
            let mut disruption = 0.0;
            for s in 0..ns {
                let va = sc.sectors[s].va_share;
                let w = m.eq[s].w[i];
                let mut dq = 0.0;
                for j in 0..ne {
                    let f = td.idx(s, i, j);
                    dq += m.observed[f] / w - td.value_usd_bn[f];
                }
                production += va * dq;
                disruption -= va * m.loss[i * ns + s] * m.go0[i * ns + s];
            }
            let mut revenue = 0.0;
            for s in 0..ns {
                for e in (0..ne).filter(|&e| e != i) {
                    let f = td.idx(s, e, i);
                    revenue += m.tau[f] * m.reported[f];
                }
            }
            let income = -(1.0 - val(econ.revenue_recycled))
                * val(econ.demand_burden)
                * (revenue - m.tr0[i]);
            // Trade-policy uncertainty index.
            let (ei, ee) = (m.eff_imp[i], m.eff_exp[i]);
            let firings = m
                .fired
                .iter()
                .filter(|&&k| m.involves[k].contains(&i))
                .count() as f64;
            self.tpu[i] = self.decay * self.tpu[i]
                + (ei - self.eff_imp_prev[i]).abs()
                + (ee - self.eff_exp_prev[i]).abs()
                + sc.macro_params.tpu_rule_weight * firings;
            self.eff_imp_prev[i] = ei;
            self.eff_exp_prev[i] = ee;
            let dev =
                if production == 0.0 && disruption == 0.0 && income == 0.0 && self.tpu[i] == 0.0 {
                    0.0
                } else {
                    let ch = channels(
                        econ.gdp_usd_bn,
                        production,
                        disruption,
                        income,
                        self.tpu[i],
                        val(econ.tpu_sensitivity),
                        val(econ.multiplier),
                    );
                    for (c, x) in ch.iter().enumerate() {
                        out.set(sl.gdp_channels + c * ne + i, *x);
                    }
                    ch.iter().sum()
                };
            self.dev[i * months + t] = dev;
            let dev_ago = if t >= 12 {
                self.dev[i * months + t - 12]
            } else {
                0.0
            };
            let g = self.growth[i];
            out.set(sl.gdp_growth + i, growth_yoy(g, dev, dev_ago));
            out.set(sl.gdp_dev + i, dev);
            let base = baseline_level(econ.gdp_usd_bn, g, tf);
            world_base += base;
            world_level += base * (1.0 + dev / 100.0);
            world_level_ago +=
                baseline_level(econ.gdp_usd_bn, g, tf - 12.0) * (1.0 + dev_ago / 100.0);
            out.add_final(sl.gdp_loss_cum + i, -dev / 100.0 * base / 12.0);
            let gi = (1.0 + g / 100.0).powf(tf / 12.0);
            self.growth_factor[i] = gi;
            out.set(sl.tariff_revenue + i, revenue * gi);
            out.set(sl.tariff_idx(i, None), 100.0 * ei);
        }
        let world_dev = if world_level == world_base {
            0.0
        } else {
            100.0 * (world_level / world_base - 1.0)
        };
        out.set(sl.gdp_dev + ne, world_dev);
        out.set(
            sl.gdp_growth + ne,
            100.0 * (world_level / world_level_ago - 1.0),
        );
        out.add_final(sl.gdp_loss_cum + ne, -(world_level - world_base) / 12.0);
    }
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
        let d: f64 = channels(1000.0, -10.0, 0.0, -5.0, 0.5, 1.0, 2.0)
            .iter()
            .sum();
        assert!((d + 3.0).abs() < 1e-12);
        assert_eq!(
            channels(1000.0, -10.0, 0.0, -5.0, 0.5, 1.0, 2.0),
            [-1.0, -1.0, 0.0, -1.0]
        );
    }

    #[test]
    fn a_fall_in_exports_lowers_gdp_by_its_value_added() {
        use crate::model::equilibrium::EqSolution;
        use crate::model::{Model, testkit};
        let sc = testkit::world("");
        let model = Model::new(&sc, 12);
        let values = testkit::values(&sc);
        let td = &sc.trade;
        let eq = vec![EqSolution::baseline(&model.sectors[0])];
        // AA's exports to BB fall by 10 bn/yr; nothing else moves.
        let mut observed = td.value_usd_bn.clone();
        observed[td.idx(0, 0, 1)] -= 10.0;
        let zeros = vec![0.0; 2];
        let mut st = MacroState::default();
        st.reset(&sc, 12, &values, &zeros, &zeros);
        let inputs = MacroInputs {
            sc: &sc,
            values: &values,
            go0: &[1000.0, 1000.0],
            tr0: &zeros,
            eq: &eq,
            observed: &observed,
            reported: &observed,
            loss: &zeros,
            tau: &td.tariff0,
            eff_imp: &zeros,
            eff_exp: &zeros,
            fired: &[],
            involves: &[],
        };
        let sl = &model.slots;
        let mut out = model.new_output();
        let mut series = Series::new(&mut out.monthly, &mut out.finals, 12, 0);
        st.step(0, &inputs, sl, &mut series);
        // Value added 0.5 x 10 bn on a GDP of 2,000 bn: -0.25 %, all trade.
        assert!((series.get(sl.gdp_dev) + 0.25).abs() < 1e-12);
        assert!((series.get(sl.gdp_channels) + 0.25).abs() < 1e-12);
        assert_eq!(series.get(sl.gdp_dev + 1), 0.0, "BB unchanged");
        assert!((series.get(sl.gdp_growth) - growth_yoy(2.0, -0.25, 0.0)).abs() < 1e-12);
        // World: AA's loss at base-year weights of 2,000 and 1,500.
        let world = 100.0 * (2000.0 * (1.0 - 0.0025) + 1500.0) / 3500.0 - 100.0;
        assert!((series.get(sl.gdp_dev + 2) - world).abs() < 1e-9);
    }
}
