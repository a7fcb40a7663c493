//! Block 6: macro. GDP deviation of economy i from its baseline path, in %:
//!   dev_i = 100 (production_i + disruption_i) / GDP_i
//!         + multiplier_i 100 income_i / GDP_i + D_i
//! with (USD bn at annual rates)
//!   production_i = sum_s va_s sum_j (volume[i->j,s] - V[i->j,s])   (gross output change)
//!   income_i     = -(1 - recycled_i) burden_i (tariff revenue_i - baseline revenue_i)
//!   disruption_i = -sum_s va_s loss[i,s] GO0[i,s]                  (Block 4 output loss)
//! and the trade-policy-uncertainty channel D_i (model 2): the gap of i's
//! baseline-weighted tariffs (on its imports and on its exports, fractions)
//! from those of the starting world, what of that gap is not yet expected,
//! a bounded GDP effect and a lagged response:
//!   G_i(t)  = |T_imp_i(t) - T_imp_i(start)| + |T_exp_i(t) - T_exp_i(start)|
//!             + G_W(t),   G_W = sum_k GDP_k gap_k / sum_k GDP_k (the world's gap,
//!             with gap_k the first two terms for economy k)
//!   U_i(t)  = max(0, G_i(t) - Gbar_i(t-1))           the unexpected part
//!   Gbar_i(t) = Gbar_i(t-1) + (1 - 2^(-1/h)) (G_i(t) - Gbar_i(t-1))   the expected level
//!   E_i(t)  = -beta_i S (1 - exp(-U_i(t) / S))         (-beta_i U_i when S is infinite)
//!   D_i(t)  = D_i(t-1) + (1 - 2^(-1/h_D)) (E_i(t) - D_i(t-1))   (D_i = E_i when h_D = 0)
//! A spike counts once: its reversal takes G back below what was expected
//! and adds nothing; a lasting change keeps U up until it is expected.
//! The GDP level is the baseline path times (1 + dev/100); growth is year on
//! year, months before the start on the baseline path; the world aggregates
//! levels at base-year weights.

use super::equilibrium::TradeState;
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
/// their sum is the deviation. `uncertainty` is the channel D_i itself (%).
#[inline]
pub fn channels(
    gdp: f64,
    production: f64,
    disruption: f64,
    income: f64,
    uncertainty: f64,
    multiplier: f64,
) -> [f64; 4] {
    [
        100.0 * production / gdp,
        multiplier * 100.0 * income / gdp,
        100.0 * disruption / gdp,
        uncertainty,
    ]
}

/// The uncertainty effect on GDP (%) of an unexpected tariff gap `u`
/// (fraction) for sensitivity `beta` (% of GDP per unit of gap) saturating
/// at scale `sat`: `-beta sat (1 - exp(-u / sat))`, at most `beta sat` in
/// size, and `-beta u` when `sat` is infinite.
#[inline]
pub fn uncertainty_effect(u: f64, beta: f64, sat: f64) -> f64 {
    if u == 0.0 || beta == 0.0 {
        0.0
    } else if sat.is_infinite() {
        -beta * u
    } else {
        -beta * sat * -(-u / sat).exp_m1()
    }
}

/// The uncertainty index's state for one economy: the expected tariff gap.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Uncertainty {
    pub expected: f64,
}

impl Uncertainty {
    /// Month t with gap `g`: the unexpected part U(t) = max(0, g - Gbar(t-1)),
    /// then the expected level moves toward g at rate `settle`.
    #[inline]
    pub fn step(&mut self, g: f64, settle: f64) -> f64 {
        let u = (g - self.expected).max(0.0);
        self.expected += settle * (g - self.expected);
        u
    }
}

/// What the macro block of month t reads from the other blocks.
pub struct MacroInputs<'a> {
    pub sc: &'a Scenario,
    pub values: &'a [f64],
    /// Baseline gross output `i * ns + s` and tariff revenue per importer.
    pub go0: &'a [f64],
    pub tr0: &'a [f64],
    /// Block 2: exporters' prices and the tariffs collected on each flow.
    pub trade: &'a TradeState,
    /// Block 3: observed and reported flows.
    pub observed: &'a [f64],
    pub reported: &'a [f64],
    /// Block 4: output lost, `i * ns + s`.
    pub loss: &'a [f64],
    /// Block 1: effective tariffs (fractions).
    pub eff_imp: &'a [f64],
    pub eff_exp: &'a [f64],
}

/// Block 6's per-run state: the uncertainty index and channel, GDP
/// deviations so far (for year-on-year growth), the starting effective
/// tariffs and each economy's baseline growth factor this month.
#[derive(Debug, Default)]
pub struct MacroState {
    tpu: Vec<Uncertainty>,
    /// The uncertainty channel D_i (% of GDP).
    tpu_gdp: Vec<f64>,
    /// Deviation of economy i in month m, `i * months + m` (%).
    dev: Vec<f64>,
    /// (1 + g_i/100)^(t/12), the growth factor trade outputs are scaled by.
    pub growth_factor: Vec<f64>,
    eff_imp_start: Vec<f64>,
    eff_exp_start: Vec<f64>,
    /// This month's tariff gap G_i (scratch).
    gap: Vec<f64>,
    growth: Vec<f64>,
    /// 1 - 2^(-1/h) of the expected gap and of the GDP response.
    settle: f64,
    respond: f64,
    saturation: f64,
    sensitivity: f64,
    months: usize,
}

impl MacroState {
    /// The start of a run; `eff_imp`, `eff_exp` are the effective tariffs of
    /// the world before the first month (gaps are measured from them).
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
        self.tpu.resize(ne, Uncertainty::default());
        self.tpu_gdp.clear();
        self.tpu_gdp.resize(ne, 0.0);
        self.growth_factor.clear();
        self.growth_factor.resize(ne, 1.0);
        self.dev.clear();
        self.dev.resize(ne * months, 0.0);
        self.eff_imp_start.clone_from(&eff_imp.to_vec());
        self.eff_exp_start.clone_from(&eff_exp.to_vec());
        self.growth.clear();
        self.growth
            .extend(sc.economies.iter().map(|e| values[e.growth_pct.0 as usize]));
        let mp = &sc.macro_params;
        let val = |p: ParamId| values[p.0 as usize];
        self.settle = super::dynamics::adjustment_rate(val(mp.tpu_half_life_months));
        let lag = val(mp.tpu_lag_months);
        self.respond = if lag > 0.0 {
            super::dynamics::adjustment_rate(lag)
        } else {
            1.0
        };
        self.saturation = val(mp.tpu_saturation);
        self.sensitivity = val(mp.tpu_sensitivity);
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
        // Tariff gaps from the starting world, and their GDP-weighted world
        // average: uncertainty about the trading system reaches every economy.
        self.gap.clear();
        let (mut gw, mut gdp_w) = (0.0, 0.0);
        for (i, econ) in sc.economies.iter().enumerate() {
            let g = (m.eff_imp[i] - self.eff_imp_start[i]).abs()
                + (m.eff_exp[i] - self.eff_exp_start[i]).abs();
            self.gap.push(g);
            gw += econ.gdp_usd_bn * g;
            gdp_w += econ.gdp_usd_bn;
        }
        let world_gap = if gdp_w > 0.0 { gw / gdp_w } else { 0.0 };
        for i in 0..ne {
            let econ = &sc.economies[i];
            let mut production = 0.0;
            let mut disruption = 0.0;
            for s in 0..ns {
                let va = sc.sectors[s].va_share;
                let w = m.trade.eq[s].w[i];
                let mut dq = 0.0;
                // Economy i's sales in sector s: the flows idx(s, i, j), j = 0..ne.
                let row = td.idx(s, i, 0)..td.idx(s, i, 0) + ne;
                for (o, v) in m.observed[row.clone()].iter().zip(&td.value_usd_bn[row]) {
                    dq += o / w - v;
                }
                production += va * dq;
                disruption -= va * m.loss[i * ns + s] * m.go0[i * ns + s];
            }
            // Revenue at the tariff collected on each flow: its lines'
            // tariffs weighted by the short-run mix of lines.
            let mut revenue = 0.0;
            for s in 0..ns {
                // Sector s's flows are the block idx(s, 0, 0) + e ne + i, in
                // the order of `tau_eff`.
                let at = td.idx(s, 0, 0);
                let collected = &m.trade.short(s).tau_eff[..ne * ne];
                let reported = &m.reported[at..at + ne * ne];
                for e in (0..ne).filter(|&e| e != i) {
                    revenue += collected[e * ne + i] * reported[e * ne + i];
                }
            }
            let income = -(1.0 - val(econ.revenue_recycled))
                * val(econ.demand_burden)
                * (revenue - m.tr0[i]);
            // Trade-policy uncertainty: the unexpected tariff gap, its
            // bounded effect and the lagged GDP response.
            let ei = m.eff_imp[i];
            let u = self.tpu[i].step(self.gap[i] + world_gap, self.settle);
            let target = uncertainty_effect(u, self.sensitivity, self.saturation);
            let d = self.tpu_gdp[i];
            self.tpu_gdp[i] = if target == d {
                d
            } else {
                d + self.respond * (target - d)
            };
            let dev = if production == 0.0
                && disruption == 0.0
                && income == 0.0
                && self.tpu_gdp[i] == 0.0
            {
                0.0
            } else {
                let ch = channels(
                    econ.gdp_usd_bn,
                    production,
                    disruption,
                    income,
                    self.tpu_gdp[i],
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
        // multiplier 2 = -1 %; the uncertainty channel is not multiplied.
        let d: f64 = channels(1000.0, -10.0, 0.0, -5.0, -1.0, 2.0).iter().sum();
        assert!((d + 3.0).abs() < 1e-12);
        assert_eq!(
            channels(1000.0, -10.0, 0.0, -5.0, -1.0, 2.0),
            [-1.0, -1.0, 0.0, -1.0]
        );
    }

    /// A tariff spike that is fully reversed a month later counts once and
    /// leaves nothing behind; the same change kept in force keeps the index
    /// up until it is expected. The old index (a decaying sum of absolute
    /// changes) counted the spike twice, once up and once down.
    #[test]
    fn a_reversed_spike_leaves_the_index_where_a_lasting_change_would_not() {
        let settle = crate::model::dynamics::adjustment_rate(6.0);
        let (mut spike, mut lasting) = (Uncertainty::default(), Uncertainty::default());
        let (mut u_spike, mut u_lasting) = (Vec::new(), Vec::new());
        for t in 0..12 {
            u_spike.push(spike.step(if t == 0 { 0.2 } else { 0.0 }, settle));
            u_lasting.push(lasting.step(0.2, settle));
        }
        assert_eq!(u_spike[0], 0.2);
        assert_eq!(u_lasting[0], 0.2);
        for t in 1..12 {
            assert_eq!(u_spike[t], 0.0, "t {t}: the reversal adds nothing");
            // The lasting change: the part not yet expected, (1 - settle)^t.
            let want = 0.2 * (1.0 - settle).powi(t as i32);
            assert!((u_lasting[t] - want).abs() < 1e-12, "t {t}");
        }
        // Counted once: the spike's total is the spike itself.
        assert_eq!(u_spike.iter().sum::<f64>(), 0.2);
        // The old index, after the same spike and reversal: 0.2 (1 - d) + 0.2.
        let d = 1.0 - settle;
        let old = 0.2 * d + 0.2;
        assert!(old > 0.2 * 1.8, "{old}");
        // Re-imposed later, the change is unexpected again (almost in full).
        let u = spike.step(0.2, settle);
        assert!(u > 0.19 && u <= 0.2, "{u}");
    }

    #[test]
    fn the_uncertainty_effect_is_bounded_by_its_saturation() {
        assert_eq!(uncertainty_effect(0.0, 10.0, 0.05), 0.0);
        assert_eq!(uncertainty_effect(0.1, 10.0, f64::INFINITY), -1.0);
        // Small gaps: linear; large gaps: at most beta x S.
        assert!((uncertainty_effect(1e-6, 10.0, 0.05) + 1e-5).abs() < 1e-9);
        for u in [0.01, 0.05, 0.2, 1.0, 100.0] {
            let e = uncertainty_effect(u, 10.0, 0.05);
            assert!((-0.5..0.0).contains(&e) && e >= -10.0 * u, "{u}: {e}");
        }
        let e = uncertainty_effect(0.05, 10.0, 0.05);
        assert!((e + 0.5 * (1.0 - (-1f64).exp())).abs() < 1e-15);
    }

    #[test]
    fn a_fall_in_exports_lowers_gdp_by_its_value_added() {
        use crate::model::{Model, testkit};
        let sc = testkit::world("");
        let model = Model::new(&sc, 12);
        let values = testkit::values(&sc);
        let td = &sc.trade;
        let mut trade = TradeState::default();
        trade.reset(&model.sectors, &td.tariff0, |_, _| {}, |_| 1.0);
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
            trade: &trade,
            observed: &observed,
            reported: &observed,
            loss: &zeros,
            eff_imp: &zeros,
            eff_exp: &zeros,
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
