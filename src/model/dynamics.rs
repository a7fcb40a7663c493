//! Block 3: adjustment dynamics. Actual volumes (base-year prices) move at
//! two speeds (model 2): quickly toward the short-run volumes V x_SR of
//! Block 2 (half-life h), and slowly from there toward the
//! long-run ones V x_LR (half-life h_LR); a flow's value is its volume times
//! the exporter's price:
//!   a(t) = a(t-1) + (1 - 2^(-1/h))    (x_SR(t) - a(t-1)),          a(-1) = 1
//!   b(t) = b(t-1) + (1 - 2^(-1/h_LR)) (x_LR(t) / x_SR(t) - b(t-1)), b(-1) = 1
//!   q(t) = V a(t) b(t),   F(t) = w_e(t) q(t)
//! so the elasticity rises with the time since a tariff change, from the
//! short-run value to the long-run one (one speed when x_SR = x_LR).
//! Announced increases cause front-loading: from the announcement to the
//! effective month, covered flows rise by `frontload` times the coming
//! increase; the extra volume is paid back over `payback_months` once the
//! increase is in force. An increase importers expect to be reversed
//! (model 2: the measure's `belief`) makes them hold off orders while it
//! lasts, at most `wait_months`: covered flows fall by `frontload` times
//! belief times the increase, and the orders held back are placed again
//! (restocking) over `payback_months` once the increase is cut or the wait
//! ends. Observed cross-border flows carry monthly
//! multiplicative lognormal noise with mean one, partly common to all flows
//! into an importer:
//!   O = max(0, F (1 + boost) - payback) * exp(sd * eps - sd^2 / 2),
//!   eps = sqrt(c) * common_i + sqrt(1 - c) * idiosyncratic.

use super::equilibrium::TradeState;
use crate::math::exp;
use crate::random;
use crate::scenario::TradeData;
use rand_distr::{Distribution, StandardNormal};
use rand_pcg::Pcg64Mcg;

/// Fraction of the remaining gap closed each month for half-life `h` months.
#[inline]
pub fn adjustment_rate(half_life_months: f64) -> f64 {
    1.0 - (-1.0 / half_life_months).exp2()
}

/// One partial-adjustment step.
#[inline]
pub fn adjust(f_prev: f64, f_star: f64, lambda: f64) -> f64 {
    f_prev + lambda * (f_star - f_prev)
}

/// Mean-one lognormal noise factor from a standard normal shock.
#[inline]
pub fn noise_factor(sd: f64, eps: f64) -> f64 {
    exp(sd * eps - 0.5 * sd * sd)
}

/// A front-loading window: covered flows rise between `from` (announcement
/// month) and `to` (effective month, exclusive).
#[derive(Debug, Clone)]
pub struct Window {
    /// What announced the increase (a deal that reverts it cancels the window).
    pub owner: Owner,
    /// Covered flows, each with the share of its value the increase covers.
    pub flows: Vec<(usize, f64)>,
    pub from: usize,
    pub to: usize,
    /// The coming increase in the tariff rate.
    pub delta: f64,
}

/// The source of an announced increase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Measure(usize),
    Rule(usize),
}

/// What Block 5 tells Block 3: an announced increase starts front-loading,
/// or a deal cancels the windows of what it reverts.
#[derive(Debug, Clone)]
pub enum FlowEvent {
    Announce(Window),
    /// Windows of `owner` that have not closed by month `at` end.
    Cancel {
        owner: Owner,
        at: usize,
    },
}

/// A sector's dynamics parameters for one run.
#[derive(Debug, Clone, Copy, Default)]
pub struct SectorDynamics {
    /// Monthly adjustment rates toward the short run, 1 - 2^(-1/h), and from
    /// the short to the long run, 1 - 2^(-1/h_LR).
    pub lambda: f64,
    pub lambda_lr: f64,
    pub frontload: f64,
    /// Longest hold-off under an increase expected to be reversed (months).
    pub wait_months: f64,
    pub noise_sd: f64,
    /// Share of the noise variance common to one importer's flows.
    pub noise_common: f64,
    pub payback_months: f64,
}

/// Orders of one flow moved in time by a window (Block 3). While the window
/// is open (`open` > 0), a share of the month's value is pulled forward
/// (front-loading, `forward`) or held back (an increase expected to be
/// reversed, at most 90 %); once it closes, what was moved is worked off at
/// 1/`payback_months` of it a month: repaid out of later orders (never more
/// than a month's value) or restocked on top of them.
#[derive(Debug, Default, Clone, Copy)]
struct Shift {
    open: f64,
    /// Moved in the current window.
    accumulated: f64,
    /// Still to be worked off, and the monthly amount.
    pending: f64,
    rate: f64,
}

impl Shift {
    /// Whether a step could change a month's orders with no window open
    /// (something moved is still to be worked off).
    #[inline]
    fn busy(&self) -> bool {
        self.accumulated > 0.0 || self.pending > 0.0
    }

    fn step(&mut self, o: f64, payback_months: f64, forward: bool) -> f64 {
        if self.open > 0.0 {
            let moved = o * if forward {
                self.open
            } else {
                self.open.min(0.9)
            };
            self.accumulated += moved;
            return if forward { o + moved } else { o - moved };
        }
        if self.accumulated > 0.0 {
            self.pending += self.accumulated;
            self.accumulated = 0.0;
            self.rate = self.pending / payback_months;
        }
        if self.pending > 0.0 {
            if forward {
                let pay = self.rate.min(self.pending).min(o);
                self.pending -= pay;
                o - pay
            } else {
                let back = self.rate.min(self.pending);
                self.pending -= back;
                o + back
            }
        } else {
            o
        }
    }
}

/// Block 3's per-run state: adjusted volumes, front-loading and its
/// repayment, the noise streams, and this month's observed and reported
/// flows (USD bn/yr at exporter prices).
#[derive(Debug, Default)]
pub struct FlowState {
    pub sectors: Vec<SectorDynamics>,
    /// Adjusted volumes at base-year prices, per flow: q = V a b.
    pub volume: Vec<f64>,
    /// The two states a (toward the short run) and b (short to long run).
    fast: Vec<f64>,
    slow: Vec<f64>,
    /// Volume x price, with front-loading, payback, noise and licence deliveries.
    pub observed: Vec<f64>,
    /// Observed, less the output lost to the licensing shortfall.
    pub reported: Vec<f64>,
    /// Orders pulled forward ahead of announced increases, per flow.
    front: Vec<Shift>,
    pub windows: Vec<Window>,
    /// Increases importers expect to be reversed: `delta` is belief times
    /// the increase, `from` its month, `to` the month it is cut.
    pub waits: Vec<Window>,
    /// Orders held back under those increases, per flow.
    held: Vec<Shift>,
    /// Per sector: whether any of its shifts may move orders this month (one
    /// was busy after last month's step, or a window opens for it). A sector
    /// with none skips the shifts' steps, which would return its orders
    /// unchanged.
    shifting: Vec<bool>,
    rngs: Vec<Pcg64Mcg>,
    common_rngs: Vec<Pcg64Mcg>,
    common: Vec<f64>,
}

impl FlowState {
    /// The start of a run: volumes at the base-year flows, the scheduled
    /// front-loading windows, and every noise stream keyed by (seed, run,
    /// flow) and (seed, run, importer).
    #[allow(clippy::too_many_arguments)]
    pub fn reset(
        &mut self,
        td: &TradeData,
        sectors: impl Iterator<Item = SectorDynamics>,
        windows: impl Iterator<Item = Window>,
        waits: impl Iterator<Item = Window>,
        noise_keys: (&[u64], &[u64]),
        seed: u64,
        run: u64,
    ) {
        let nf = td.value_usd_bn.len();
        self.sectors.clear();
        self.sectors.extend(sectors);
        self.volume.clear();
        self.volume.extend_from_slice(&td.value_usd_bn);
        for v in [&mut self.fast, &mut self.slow] {
            v.clear();
            v.resize(nf, 1.0);
        }
        self.observed.resize(nf, 0.0);
        self.reported.resize(nf, 0.0);
        for v in [&mut self.front, &mut self.held] {
            v.clear();
            v.resize(nf, Shift::default());
        }
        self.shifting.clear();
        self.shifting.resize(self.sectors.len(), false);
        self.windows.clear();
        self.windows.extend(windows);
        self.waits.clear();
        self.waits.extend(waits);
        let (flow_keys, importer_keys) = noise_keys;
        self.rngs.clear();
        self.rngs
            .extend(flow_keys.iter().map(|k| random::stream(seed, run, *k)));
        self.common_rngs.clear();
        self.common_rngs
            .extend(importer_keys.iter().map(|k| random::stream(seed, run, *k)));
        self.common.resize(importer_keys.len(), 0.0);
    }

    /// Apply what the rules announced or cancelled this month, in order.
    pub fn apply(&mut self, events: &[FlowEvent]) {
        for ev in events {
            match ev {
                FlowEvent::Announce(w) => self.windows.push(w.clone()),
                // Announced increases that will now never come stop front-loading.
                // A reverted measure ends its hold-offs too: importers restock.
                FlowEvent::Cancel { owner, at } => {
                    self.windows.retain(|w| w.owner != *owner || w.to <= *at);
                    self.waits.retain(|w| w.owner != *owner || w.to <= *at);
                }
            }
        }
    }

    /// Month t: volumes move toward the short-run and long-run equilibrium
    /// volumes and are valued at the exporters' (long-run) prices;
    /// front-loading, payback and noise give the observed flows;
    /// `deliveries` (flow, ratio to normal) scale the controlled input's
    /// flows; `loss[e * ns + s]` (output lost to the shortfall) gives the
    /// reported flows.
    pub fn step(
        &mut self,
        t: usize,
        td: &TradeData,
        trade: &TradeState,
        deliveries: impl Iterator<Item = (usize, f64)>,
        loss: &[f64],
    ) {
        let (ne, ns) = (td.n_econ, td.n_sect);
        self.front.iter_mut().for_each(|x| x.open = 0.0);
        for w in &self.windows {
            if t >= w.from && t < w.to {
                for &(f, share) in &w.flows {
                    let s = f / (ne * ne);
                    self.front[f].open += self.sectors[s].frontload * w.delta * share;
                    self.shifting[s] = true;
                }
            }
        }
        self.held.iter_mut().for_each(|x| x.open = 0.0);
        for w in &self.waits {
            if t >= w.from && t < w.to {
                for &(f, share) in &w.flows {
                    let s = f / (ne * ne);
                    let sec = &self.sectors[s];
                    if ((t - w.from) as f64) < sec.wait_months {
                        self.held[f].open += sec.frontload * w.delta * share;
                        self.shifting[s] = true;
                    }
                }
            }
        }
        for i in 0..ne {
            self.common[i] = StandardNormal.sample(&mut self.common_rngs[i]);
        }
        let n2 = ne * ne;
        for s in 0..ns {
            let sec = self.sectors[s];
            let sd = sec.noise_sd;
            let c = sec.noise_common;
            let (w_common, w_own) = (c.sqrt(), (1.0 - c).sqrt());
            let (lr, sr) = (&trade.eq[s], trade.short(s));
            // Sector s's flows are the block s ne^2 + e ne + i (`td.idx`);
            // slices of exactly that length let the loop index without
            // bounds checks.
            let at = td.idx(s, 0, 0);
            let blk = at..at + n2;
            let value = &td.value_usd_bn[blk.clone()];
            let fast = &mut self.fast[blk.clone()];
            let slow = &mut self.slow[blk.clone()];
            let volume = &mut self.volume[blk.clone()];
            let front = &mut self.front[blk.clone()];
            let held = &mut self.held[blk.clone()];
            let rngs = &mut self.rngs[blk.clone()];
            let observed = &mut self.observed[blk];
            let (x_srs, x_lrs) = (&sr.x[..n2], &lr.x[..n2]);
            let shifting = self.shifting[s];
            let mut busy = false;
            let (mut e, mut i) = (0, 0);
            for k in 0..n2 {
                let price = lr.w[e];
                // Volumes adjust: fast to the short run, slowly on to the
                // long run (a prohibitive short-run tariff leaves b at 1).
                let (x_sr, x_lr) = (x_srs[k], x_lrs[k]);
                let ratio = if x_sr == x_lr || x_sr <= 0.0 {
                    1.0
                } else {
                    x_lr / x_sr
                };
                fast[k] = adjust(fast[k], x_sr, sec.lambda);
                slow[k] = adjust(slow[k], ratio, sec.lambda_lr);
                volume[k] = value[k] * fast[k] * slow[k];
                let mut o = volume[k] * price;
                if shifting {
                    // Front-loading: extra now, repaid once the window closes.
                    o = front[k].step(o, sec.payback_months, true);
                    // Hold-off under an increase expected to be reversed,
                    // then restocking.
                    o = held[k].step(o, sec.payback_months, false);
                    busy |= front[k].busy() || held[k].busy();
                }
                if e != i && sd > 0.0 {
                    let z: f64 = StandardNormal.sample(&mut rngs[k]);
                    let eps = w_common * self.common[i] + w_own * z;
                    o *= noise_factor(sd, eps);
                }
                observed[k] = o.max(0.0);
                i += 1;
                if i == ne {
                    i = 0;
                    e += 1;
                }
            }
            // Next month starts from whether anything is left to work off.
            self.shifting[s] = busy;
        }
        // The controlled input's flows follow licence deliveries.
        for (f, ratio) in deliveries {
            self.observed[f] *= ratio;
        }
        // Exposed sectors lose output (the disruption term counts it in GDP).
        self.reported.copy_from_slice(&self.observed);
        for e in 0..ne {
            for s in 0..ns {
                let l = loss[e * ns + s];
                if l > 0.0 {
                    for i in 0..ne {
                        self.reported[td.idx(s, e, i)] *= 1.0 - l;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_life_halves_the_gap() {
        let lambda = adjustment_rate(4.0);
        let mut f = 100.0;
        for _ in 0..4 {
            f = adjust(f, 50.0, lambda);
        }
        // After one half-life, half of the 50-unit gap remains.
        assert!((f - 75.0).abs() < 1e-9, "f = {f}");
    }

    #[test]
    fn noise_has_mean_one() {
        // E[exp(sd Z - sd^2/2)] = 1; check by quadrature over the normal density.
        let sd = 0.3;
        let (mut num, mut den): (f64, f64) = (0.0, 0.0);
        let mut z: f64 = -8.0;
        while z < 8.0 {
            let w = (-0.5 * z * z).exp();
            num += w * noise_factor(sd, z);
            den += w;
            z += 0.001;
        }
        assert!((num / den - 1.0).abs() < 1e-9);
    }

    /// The test world's trade state at its base-year tariffs, with the
    /// short-run ratio `sr` (1 = one speed).
    fn base_trade(sc: &crate::scenario::Scenario, months: usize, sr: f64) -> TradeState {
        let model = crate::model::Model::new(sc, months);
        let mut trade = TradeState::default();
        trade.reset(&model.sectors, &sc.trade.tariff0, |_, _| {}, |_| sr);
        trade
    }

    /// A fresh flow state of the test world's one sector with `waits`.
    fn fresh(td: &TradeData, sec: SectorDynamics, waits: &[Window]) -> FlowState {
        let mut st = FlowState::default();
        st.reset(
            td,
            [sec].into_iter(),
            std::iter::empty(),
            waits.iter().cloned(),
            (&[1; 4], &[1, 2]),
            1,
            0,
        );
        st
    }

    #[test]
    fn a_step_moves_volumes_front_loads_and_applies_deliveries_and_losses() {
        let sc = crate::model::testkit::world("");
        let td = &sc.trade;
        let mut eq = base_trade(&sc, 12, 1.0);
        eq.eq[0].x[2] = 0.5; // BB -> AA halves in equilibrium
        let sec = SectorDynamics {
            lambda: adjustment_rate(2.0),
            lambda_lr: adjustment_rate(2.0),
            frontload: 0.5,
            noise_sd: 0.0,
            noise_common: 0.0,
            wait_months: 3.0,
            payback_months: 2.0,
        };
        let mut st = fresh(td, sec, &[]);
        let (ba, ab, aa) = (td.idx(0, 1, 0), td.idx(0, 0, 1), td.idx(0, 0, 0));
        let announce = |owner, from, to, delta| {
            FlowEvent::Announce(Window {
                owner,
                flows: vec![(ab, 1.0)],
                from,
                to,
                delta,
            })
        };
        // A 20-point increase on AA -> BB announced for months 0..2.
        st.apply(&[announce(Owner::Rule(0), 0, 2, 0.2)]);
        let loss = vec![0.0; 2];
        st.step(0, td, &eq, std::iter::empty(), &loss);
        let lambda = adjustment_rate(2.0);
        assert!((st.volume[ba] - (200.0 + lambda * (100.0 - 200.0))).abs() < 1e-12);
        assert!(
            (st.observed[ab] - 100.0 * 1.1).abs() < 1e-12,
            "front-loaded by 0.5 x 0.2"
        );
        st.step(1, td, &eq, std::iter::empty(), &loss);
        // Window closed: 20 front-loaded over two months, repaid 10 a month.
        st.step(2, td, &eq, std::iter::empty(), &loss);
        assert!((st.observed[ab] - 90.0).abs() < 1e-12);
        st.step(3, td, &eq, std::iter::empty(), &loss);
        assert!(
            (st.observed[ab] - 90.0).abs() < 1e-12,
            "the second half repaid"
        );
        // Half the deliveries on AA -> BB; AA loses 20 % of its output.
        let loss = vec![0.2, 0.0];
        st.step(4, td, &eq, [(ab, 0.5)].into_iter(), &loss);
        assert!((st.observed[ab] - 50.0).abs() < 1e-12);
        assert!((st.reported[ab] - 40.0).abs() < 1e-12);
        assert!((st.reported[aa] - 900.0 * 0.8).abs() < 1e-9);
        // A deal cancels the windows of what it reverts that are still open.
        st.apply(&[announce(Owner::Measure(3), 5, 9, 0.1)]);
        st.apply(&[FlowEvent::Cancel {
            owner: Owner::Measure(3),
            at: 6,
        }]);
        assert!(st.windows.iter().all(|w| w.owner != Owner::Measure(3)));
    }

    /// Two speeds: the flow reaches the short-run volume at the fast
    /// half-life and the long-run one only at the slow half-life; the
    /// closed form is V (x_SR + (1 - x_SR) 2^(-t/h)) (r + (1 - r) 2^(-t/h_LR))
    /// with r = x_LR / x_SR.
    #[test]
    fn volumes_reach_the_short_run_fast_and_the_long_run_slowly() {
        let sc = crate::model::testkit::world("");
        let td = &sc.trade;
        let mut trade = base_trade(&sc, 48, 0.4);
        assert!(trade.two_speed[0]);
        let ba = td.idx(0, 1, 0);
        let (x_sr, x_lr) = (0.7, 0.4);
        trade.eq_sr[0].x[2] = x_sr;
        trade.eq[0].x[2] = x_lr;
        let (h, h_lr) = (2.0, 12.0);
        let sec = SectorDynamics {
            lambda: adjustment_rate(h),
            lambda_lr: adjustment_rate(h_lr),
            ..SectorDynamics::default()
        };
        let mut st = fresh(td, sec, &[]);
        let v = td.value_usd_bn[ba];
        let r = x_lr / x_sr;
        for t in 0..48 {
            st.step(t, td, &trade, std::iter::empty(), &[0.0, 0.0]);
            let n = f64::from(t as u32 + 1);
            let a = x_sr + (1.0 - x_sr) * (-n / h).exp2();
            let b = r + (1.0 - r) * (-n / h_lr).exp2();
            assert!((st.volume[ba] - v * a * b).abs() < 1e-9 * v, "t {t}");
        }
        // After 4 fast half-lives the short-run response is ~94 % done while
        // the long-run one is still far off; after 48 months both are close.
        assert!((st.volume[ba] / v - x_lr).abs() < 0.02);
        // One speed: the long-run volume at the fast half-life, as in model 1.
        trade.two_speed[0] = false;
        let mut st = fresh(td, sec, &[]);
        st.step(0, td, &trade, std::iter::empty(), &[0.0, 0.0]);
        let a = x_lr + (1.0 - x_lr) * 0.5f64.sqrt();
        assert!((st.volume[ba] - v * a).abs() < 1e-9 * v);
    }

    /// An increase importers expect to be reversed: they hold off a share
    /// frontload x belief x increase of their orders while it lasts (at most
    /// `wait_months`), and place the held orders again once it is cut, so
    /// the orders are delayed, not lost.
    #[test]
    fn held_off_orders_are_placed_again_after_the_cut() {
        let sc = crate::model::testkit::world("");
        let td = &sc.trade;
        let trade = base_trade(&sc, 12, 1.0);
        let sec = SectorDynamics {
            lambda: adjustment_rate(2.0),
            lambda_lr: adjustment_rate(2.0),
            frontload: 0.5,
            wait_months: 3.0,
            payback_months: 2.0,
            ..SectorDynamics::default()
        };
        let ba = td.idx(0, 1, 0);
        let wait = |from, to| Window {
            owner: Owner::Measure(0),
            flows: vec![(ba, 1.0)],
            from,
            to,
            delta: 0.4 * 1.0, // belief 0.4, increase of 100 points
        };
        let run = |to: usize| {
            let mut st = fresh(td, sec, &[wait(1, to)]);
            (0..10)
                .map(|t| {
                    st.step(t, td, &trade, std::iter::empty(), &[0.0, 0.0]);
                    st.observed[ba]
                })
                .collect::<Vec<f64>>()
        };
        // Cut after two months: 20 % held in months 1 and 2, placed again
        // in months 3 and 4 (payback over 2 months).
        let o = run(3);
        let v = td.value_usd_bn[ba];
        assert_eq!(o[0], v);
        assert!((o[1] - 0.8 * v).abs() < 1e-12 && (o[2] - 0.8 * v).abs() < 1e-12);
        assert!((o[3] - 1.2 * v).abs() < 1e-12 && (o[4] - 1.2 * v).abs() < 1e-12);
        assert!(o[5..].iter().all(|x| (x - v).abs() < 1e-12));
        let total: f64 = o.iter().sum();
        assert!((total - 10.0 * v).abs() < 1e-9, "delayed, not lost");
        // Never cut: the hold-off ends after wait_months (3) and is repaid.
        let o = run(12);
        let held: Vec<bool> = o.iter().map(|x| *x < v - 1e-9).collect();
        assert_eq!(held[..5], [false, true, true, true, false]);
        assert!((o.iter().sum::<f64>() - 10.0 * v).abs() < 1e-9);
    }
}
