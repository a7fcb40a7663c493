//! Block 3b: rerouting (model 2). Goods of an origin o bound for a
//! destination d are shipped through a hub h once d's tariff on o rises
//! above its tariff on h by more than in the base year. Per hub h and
//! sector s, the rerouted share of the hub's base-year exports to d follows
//! the increase in the tariff gap, bounded by rules-of-origin enforcement:
//!   gap_s(t) = max(0, (tau[o,d,s](t) - tau[h,d,s](t)) - (tau0[o,d,s] - tau0[h,d,s]))
//!   r*_s(t)  = min(cap_h, per_gap_h gap_s(t))
//!   r_s(t)   = r_s(t-1) + (1 - 2^(-1/h_R)) (r*_s(t) - r_s(t-1)),   r_s(-1) = 0
//!   R_s(t)   = min(r_s(t) V[h,d,s], Rep[o,d,s](t))
//! and the reported flows move: o -> d loses R, h -> d and o -> h gain R
//! (the goods are declared as the hub's; the hub adds no value, and they pay
//! the hub's tariff). Production (Block 6) reads the observed flows, so the
//! relabelling moves no output.

use crate::scenario::{ParamId, Rerouting, TradeData};

/// Block 3b's per-run state.
#[derive(Debug, Default)]
pub struct ReroutingRun {
    /// Rerouted share r per hub and sector, `k * ns + s`.
    pub share: Vec<f64>,
    /// Rerouted value this month, USD bn/yr, `k * ns + s`.
    pub moved: Vec<f64>,
    per_gap: Vec<f64>,
    cap: Vec<f64>,
    lambda: f64,
}

impl ReroutingRun {
    /// The start of a run: nothing rerouted.
    pub fn reset(&mut self, r: Option<&Rerouting>, ns: usize, val: &dyn Fn(ParamId) -> f64) {
        let n = r.map_or(0, |r| r.hubs.len());
        self.share.clear();
        self.share.resize(n * ns, 0.0);
        self.moved.clear();
        self.moved.resize(n * ns, 0.0);
        self.per_gap.clear();
        self.cap.clear();
        if let Some(r) = r {
            self.per_gap.extend(r.hubs.iter().map(|h| val(h.per_gap)));
            self.cap.extend(r.hubs.iter().map(|h| val(h.cap)));
            self.lambda = super::dynamics::adjustment_rate(val(r.half_life_months));
        }
    }

    /// Month t: move the rerouted value in `reported` (flows at the month's
    /// tariffs `tau`, flow-level).
    pub fn step(&mut self, r: &Rerouting, td: &TradeData, tau: &[f64], reported: &mut [f64]) {
        let (o, d, ns) = (r.origin, r.destination, td.n_sect);
        for (k, hub) in r.hubs.iter().enumerate() {
            let h = hub.econ;
            for s in 0..ns {
                let (od, hd, oh) = (td.idx(s, o, d), td.idx(s, h, d), td.idx(s, o, h));
                let gap0 = td.tariff0[od] - td.tariff0[hd];
                let gap = (tau[od] - tau[hd] - gap0).max(0.0);
                let target = (self.per_gap[k] * gap).min(self.cap[k]);
                let x = &mut self.share[k * ns + s];
                *x += self.lambda * (target - *x);
                let moved = (*x * td.value_usd_bn[hd]).min(reported[od]).max(0.0);
                self.moved[k * ns + s] = moved;
                if moved > 0.0 {
                    reported[od] -= moved;
                    reported[hd] += moved;
                    reported[oh] += moved;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testkit;

    /// A tariff on AA's goods into BB above BB's tariff on CC's: CC ships
    /// AA's goods; the moved value leaves AA -> BB and appears in CC -> BB
    /// and AA -> CC, so AA's exports and BB's imports are unchanged; the
    /// share approaches min(cap, per_gap x gap) at the half-life.
    #[test]
    fn rerouted_goods_move_between_reported_flows_and_conserve_totals() {
        let sc = testkit::world3(
            "[rerouting]\norigin = \"AA\"\ndestination = \"BB\"\nhalf_life_months = 1\n\
             [rerouting.hubs.CC]\nper_gap = 0.5\ncap = 0.08\n",
        );
        let td = &sc.trade;
        let r = sc.rerouting.as_ref().unwrap();
        let values = testkit::values(&sc);
        let val = |p: ParamId| values[p.0 as usize];
        let mut st = ReroutingRun::default();
        st.reset(Some(r), td.n_sect, &val);
        let mut tau = td.tariff0.clone();
        let (ab, cb, ac) = (td.idx(0, 0, 1), td.idx(0, 2, 1), td.idx(0, 0, 2));
        tau[ab] = 0.1; // gap 0.1: target min(0.08, 0.05) = 0.05
        let mut reported = td.value_usd_bn.clone();
        let before = reported.clone();
        st.step(r, td, &tau, &mut reported);
        let share = 0.5 * 0.05; // one half-life
        assert!((st.share[0] - share).abs() < 1e-15);
        let moved = share * td.value_usd_bn[cb];
        assert!((reported[ab] - (before[ab] - moved)).abs() < 1e-12);
        assert!((reported[cb] - (before[cb] + moved)).abs() < 1e-12);
        assert!((reported[ac] - (before[ac] + moved)).abs() < 1e-12);
        // AA's exports and BB's imports are unchanged.
        let exports = |x: &[f64]| x[ab] + x[ac];
        assert!((exports(&reported) - exports(&before)).abs() < 1e-12);
        let imports = |x: &[f64]| x[ab] + x[cb];
        assert!((imports(&reported) - imports(&before)).abs() < 1e-12);
        // The cap binds for a larger gap; no gap, nothing moves in the end.
        tau[ab] = 1.0;
        for _ in 0..60 {
            let mut rep = td.value_usd_bn.clone();
            st.step(r, td, &tau, &mut rep);
        }
        assert!((st.share[0] - 0.08).abs() < 1e-12);
        tau[ab] = 0.0;
        for _ in 0..80 {
            let mut rep = td.value_usd_bn.clone();
            st.step(r, td, &tau, &mut rep);
        }
        assert!(st.share[0] < 1e-20);
    }
}
