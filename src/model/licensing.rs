//! Block 4: critical-input export licensing (rare earths). Works in units of
//! each importer's normal requirement. Each month every importer j applies
//! for its normal imports from the supplier (A_j, its baseline monthly
//! imports of the input from the supplier); the supplier processes up to its
//! capacity C(t), shared among importers in proportion to priority times
//! what they have waiting; an approved share is delivered after a delay.
//!   backlog   B_j(t) = B_j(t-1) + A_j - processed_j(t)
//!   stock     S_j(t) = min(S_j(0), S_j(t-1) + inflow_j(t) - use_j(t))
//!   inflow    deliveries_j / R_j + (1 - dep_j) + alt_j(t)   (months of requirement)
//!   use       min(1, S_j(t-1) + inflow_j(t)),   shortfall phi_j = 1 - use
//!   loss      L[j,s](t) = exposure[j,s] phi_j(t) (1 - sub_j(t))
//! where R_j = A_j / dep_j is j's whole monthly requirement. Rejected
//! applications leave the queue (the importer does not get that volume).
//! The stock is capped at its initial level: firms hold a target stock and
//! buy no more once it is refilled.

use super::dynamics::noise_factor;
use super::rules::LicChange;
use crate::random;
use crate::scenario::dist::norm_quantile;
use crate::scenario::{Licensing, TradeData};

/// Longest processing delay, in months (the validator enforces it).
pub const MAX_DELAY: usize = 24;

/// Per-run values of one importer.
#[derive(Debug, Clone, Default)]
pub struct ImporterRun {
    /// Normal monthly application volume A_j (USD bn per month).
    pub apps: f64,
    pub dependence: f64,
    pub stock_target: f64,
    pub priority: f64,
}

/// Per-run values of one regime.
#[derive(Debug, Clone, Copy, Default)]
pub struct RegimeRun {
    pub capacity: f64,
    pub approval: f64,
    pub delay: usize,
}

#[derive(Debug, Clone, Default)]
pub struct LicState {
    pub backlog: Vec<f64>,
    pub stock: Vec<f64>,
    /// Ring buffer of approved volume by arrival month: `j * (MAX_DELAY + 1) + slot`.
    pipeline: Vec<f64>,
    pub deliveries: Vec<f64>,
    pub shortfall: Vec<f64>,
    /// Per importer: multiplier on approval set by rules.
    pub approval_mult: Vec<f64>,
    /// Per importer: multiplier on what is processed for it, set by rules.
    pub capacity_mult_imp: Vec<f64>,
    /// Multiplier on total capacity set by rules.
    pub capacity_mult: f64,
    /// Applications processed this month (for the conservation check).
    pub processed: Vec<f64>,
    scratch: Vec<f64>,
    active: Vec<usize>,
}

const RING: usize = MAX_DELAY + 1;

impl LicState {
    /// Start of a run: stocks at target, empty backlog, and the normal flow
    /// already in transit for the initial regime's delay.
    pub fn reset(&mut self, imps: &[ImporterRun], initial_delay: usize) {
        let n = imps.len();
        self.backlog = vec![0.0; n];
        self.stock = imps.iter().map(|i| i.stock_target).collect();
        self.pipeline = vec![0.0; n * RING];
        for (j, imp) in imps.iter().enumerate() {
            for d in 0..initial_delay.min(MAX_DELAY) {
                self.pipeline[j * RING + d] = imp.apps;
            }
        }
        self.deliveries = vec![0.0; n];
        self.shortfall = vec![0.0; n];
        self.approval_mult = vec![1.0; n];
        self.capacity_mult_imp = vec![1.0; n];
        self.capacity_mult = 1.0;
        self.processed = vec![0.0; n];
    }

    /// One month: process applications, deliver, draw down stocks.
    /// `capacity_share` is the regime capacity times efficiency and noise
    /// (infinite = unlimited); `alt[j]` is extra non-supplier supply.
    pub fn step(
        &mut self,
        t: usize,
        imps: &[ImporterRun],
        regime: RegimeRun,
        capacity_share: f64,
        alt: &[f64],
    ) {
        let n = imps.len();
        let total_apps: f64 = imps.iter().map(|i| i.apps).sum();
        // Volume waiting, by importer.
        self.scratch.clear();
        self.scratch
            .extend((0..n).map(|j| self.backlog[j] + imps[j].apps));
        let avail_total: f64 = self.scratch.iter().sum();
        let cap = capacity_share * self.capacity_mult * total_apps;
        self.processed.fill(0.0);
        if cap.is_infinite() || cap >= avail_total * (1.0 + 1e-12) {
            self.processed.copy_from_slice(&self.scratch);
        } else {
            // Water-filling: capacity shared by priority x waiting volume;
            // importers fully served release their share to the others.
            let mut remaining = cap.max(0.0);
            self.active.clear();
            self.active
                .extend((0..n).filter(|&j| self.scratch[j] > 0.0));
            loop {
                let w: f64 = self
                    .active
                    .iter()
                    .map(|&j| imps[j].priority * self.scratch[j])
                    .sum();
                if w <= 0.0 || remaining <= 0.0 {
                    break;
                }
                let full: Vec<usize> = self
                    .active
                    .iter()
                    .copied()
                    .filter(|&j| remaining * imps[j].priority / w >= 1.0)
                    .collect();
                if full.is_empty() {
                    for &j in &self.active {
                        self.processed[j] = remaining * imps[j].priority * self.scratch[j] / w;
                    }
                    break;
                }
                for j in full {
                    self.processed[j] = self.scratch[j];
                    remaining -= self.scratch[j];
                    self.active.retain(|&k| k != j);
                }
                if self.active.is_empty() {
                    break;
                }
            }
        }
        // A rule's per-importer factor scales what is processed for that
        // importer (0 = embargo, 0.5 = half pace); it never exceeds what waits.
        for j in 0..n {
            self.processed[j] =
                (self.processed[j] * self.capacity_mult_imp[j]).min(self.scratch[j]);
        }
        let delay = regime.delay.min(MAX_DELAY);
        for (j, imp) in imps.iter().enumerate() {
            let processed = self.processed[j].min(self.scratch[j]);
            self.processed[j] = processed;
            self.backlog[j] = (self.scratch[j] - processed).max(0.0);
            let approved = processed * (regime.approval * self.approval_mult[j]).clamp(0.0, 1.0);
            self.pipeline[j * RING + (t + delay) % RING] += approved;
            let slot = j * RING + t % RING;
            let delivered = self.pipeline[slot];
            self.pipeline[slot] = 0.0;
            self.deliveries[j] = delivered;
            // Months of requirement.
            let from_supplier = if imp.dependence > 0.0 && imp.apps > 0.0 {
                delivered / imp.apps * imp.dependence
            } else {
                imp.dependence
            };
            let inflow = from_supplier + (1.0 - imp.dependence) + alt[j];
            let available = self.stock[j] + inflow;
            let used = available.clamp(0.0, 1.0);
            self.shortfall[j] = 1.0 - used;
            self.stock[j] = (available - used).clamp(0.0, imp.stock_target);
        }
    }

    /// Delivered volume relative to normal (scales the input's trade flow).
    pub fn delivery_ratio(&self, j: usize, imp: &ImporterRun) -> f64 {
        if imp.apps > 0.0 {
            self.deliveries[j] / imp.apps
        } else {
            1.0
        }
    }
}

/// What Block 4 needs that does not depend on the draw.
#[derive(Debug, Clone, Default)]
pub struct LicensingBase {
    /// Scheduled regime of each month and the month from which that
    /// schedule entry is the month's regime (-1 before the first entry).
    pub schedule: Vec<(usize, i64)>,
    /// Key of the monthly capacity shocks.
    pub noise_key: u64,
}

impl LicensingBase {
    /// The regime in force for the larger part of each month: the one in
    /// force on day D/2 + 1 of a D-day month.
    pub fn new(
        l: Option<&Licensing>,
        start: crate::scenario::date::YearMonth,
        months: usize,
    ) -> Self {
        let Some(l) = l else {
            return LicensingBase::default();
        };
        let mid_day = |ym: crate::scenario::date::YearMonth| ym.days() / 2 + 1;
        let schedule = (0..months)
            .map(|t| {
                let ym = start.plus(t as i32);
                let mid = crate::scenario::date::Date {
                    ym,
                    day: mid_day(ym),
                };
                match l.schedule.iter().rposition(|(d, _)| *d <= mid) {
                    Some(k) => {
                        let d = l.schedule[k].0;
                        // The month from which this change is the month's regime.
                        let since = d.ym.since(start) as i64 + i64::from(d.day > mid_day(d.ym));
                        (l.schedule[k].1, since)
                    }
                    None => (l.free, -1),
                }
            })
            .collect();
        LicensingBase {
            schedule,
            noise_key: crate::scenario::stable_key("noise.licensing.capacity"),
        }
    }
}

/// Block 4's per-run state: the queue and stocks (`LicState`), this run's
/// importer and regime values, the shortfall history rules look at, and the
/// output lost in each exposed sector.
#[derive(Debug, Default)]
pub struct LicensingRun {
    pub queue: LicState,
    pub imps: Vec<ImporterRun>,
    regimes: Vec<RegimeRun>,
    alt: Vec<f64>,
    /// Shortfall of importer j in month m, `j * months + m`.
    pub shortfall_hist: Vec<f64>,
    /// Output lost to the shortfall, `econ * ns + sector` (0..1).
    pub loss: Vec<f64>,
    efficiency: f64,
    noise_sd: f64,
    months: usize,
    n_sect: usize,
}

impl LicensingRun {
    /// The start of a run. Without licensing the state stays empty (no
    /// importers, no loss).
    #[allow(clippy::too_many_arguments)]
    pub fn reset(
        &mut self,
        l: Option<&Licensing>,
        base: &LicensingBase,
        td: &TradeData,
        months: usize,
        val: &dyn Fn(crate::scenario::ParamId) -> f64,
    ) {
        let (ne, ns) = (td.n_econ, td.n_sect);
        let n_imp = l.map_or(0, |l| l.importers.len());
        self.months = months;
        self.n_sect = ns;
        self.shortfall_hist.clear();
        self.shortfall_hist.resize(n_imp * months, 0.0);
        self.loss.clear();
        self.loss.resize(ne * ns, 0.0);
        self.alt.clear();
        self.alt.resize(n_imp, 0.0);
        self.efficiency = l.map_or(1.0, |l| val(l.efficiency));
        self.noise_sd = l.map_or(0.0, |l| val(l.noise_sd));
        let Some(l) = l else { return };
        self.imps.clear();
        for imp in &l.importers {
            let apps = td.value_usd_bn[td.idx(l.input, l.supplier, imp.econ)] / 12.0;
            self.imps.push(ImporterRun {
                apps,
                dependence: val(imp.dependence),
                stock_target: val(imp.stock_months),
                priority: imp.priority,
            });
        }
        self.regimes.clear();
        for r in &l.regimes {
            self.regimes.push(RegimeRun {
                capacity: val(r.capacity),
                approval: val(r.approval),
                delay: val(r.delay_months).max(0.0) as usize,
            });
        }
        let r0 = base.schedule.first().map_or(l.free, |x| x.0);
        self.queue.reset(&self.imps, self.regimes[r0].delay);
    }

    /// Approval and capacity factors set by rule actions.
    pub fn apply(&mut self, changes: &[LicChange]) {
        let q = &mut self.queue;
        for ch in changes {
            match *ch {
                LicChange::ApprovalMult {
                    importer: Some(j),
                    factor,
                } => q.approval_mult[j] = factor,
                LicChange::ApprovalMult {
                    importer: None,
                    factor,
                } => q.approval_mult.iter_mut().for_each(|m| *m = factor),
                LicChange::CapacityMult {
                    importer: Some(j),
                    factor,
                } => q.capacity_mult_imp[j] = factor,
                LicChange::CapacityMult {
                    importer: None,
                    factor,
                } => q.capacity_mult = factor,
            }
        }
    }

    /// Month t: the regime in force (the schedule's, unless a rule set one
    /// since the schedule last changed), capacity with its monthly shock,
    /// the queue, stocks and shortfalls, and the output losses
    ///   loss[j,s] = clamp(exposure[j,s] phi_j (1 - clamp(sub_j(t), 0, 1)), 0, 1).
    pub fn step(
        &mut self,
        t: usize,
        l: &Licensing,
        base: &LicensingBase,
        regime_override: Option<(usize, usize)>,
        seed: u64,
        run: u64,
    ) {
        let (sched, sched_since) = base.schedule[t];
        let regime = match regime_override {
            Some((at, r)) if at as i64 >= sched_since => r,
            _ => sched,
        };
        let rr = self.regimes[regime];
        let noise = if self.noise_sd > 0.0 {
            let z = norm_quantile(random::u01(seed, run, base.noise_key, t as u64));
            noise_factor(self.noise_sd, z)
        } else {
            1.0
        };
        for (j, imp) in l.importers.iter().enumerate() {
            self.alt[j] = imp.alt_supply.at(t as f64);
        }
        self.queue.step(
            t,
            &self.imps,
            rr,
            rr.capacity * self.efficiency * noise,
            &self.alt,
        );
        self.loss.fill(0.0);
        for (j, imp) in l.importers.iter().enumerate() {
            self.shortfall_hist[j * self.months + t] = self.queue.shortfall[j];
            let sub = imp.substitution.at(t as f64).clamp(0.0, 1.0);
            for &(s, exposure) in &imp.exposure {
                self.loss[imp.econ * self.n_sect + s] =
                    (exposure * self.queue.shortfall[j] * (1.0 - sub)).clamp(0.0, 1.0);
            }
        }
    }

    /// The controlled input's flows from the supplier, each with this
    /// month's deliveries relative to normal (Block 3 scales the flows).
    pub fn deliveries<'a>(
        &'a self,
        l: Option<&'a Licensing>,
        td: &'a TradeData,
    ) -> impl Iterator<Item = (usize, f64)> + 'a {
        l.into_iter().flat_map(move |l| {
            l.importers.iter().enumerate().map(move |(j, imp)| {
                (
                    td.idx(l.input, l.supplier, imp.econ),
                    self.queue.delivery_ratio(j, &self.imps[j]),
                )
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn imps() -> Vec<ImporterRun> {
        vec![
            ImporterRun {
                apps: 2.0,
                dependence: 0.8,
                stock_target: 2.0,
                priority: 1.0,
            },
            ImporterRun {
                apps: 1.0,
                dependence: 0.5,
                stock_target: 1.0,
                priority: 2.0,
            },
        ]
    }

    #[test]
    fn queue_conserves_volume_and_stocks_stay_non_negative() {
        let imps = imps();
        let mut s = LicState::default();
        s.reset(&imps, 0);
        let alt = [0.0, 0.0];
        let mut prev_backlog = s.backlog.clone();
        for t in 0..48 {
            let regime = if t < 6 {
                RegimeRun {
                    capacity: f64::INFINITY,
                    approval: 1.0,
                    delay: 0,
                }
            } else if t < 24 {
                RegimeRun {
                    capacity: 0.4,
                    approval: 0.5,
                    delay: 2,
                }
            } else {
                RegimeRun {
                    capacity: 1.3,
                    approval: 0.9,
                    delay: 1,
                }
            };
            s.step(t, &imps, regime, regime.capacity, &alt);
            for j in 0..2 {
                let change = s.backlog[j] - prev_backlog[j];
                // applications = processed + backlog change (to rounding).
                assert!(
                    (imps[j].apps - (s.processed[j] + change)).abs() < 1e-12,
                    "t {t} j {j}"
                );
                assert!(s.stock[j] >= 0.0 && s.backlog[j] >= 0.0);
                assert!((0.0..=1.0).contains(&s.shortfall[j]));
            }
            let total: f64 = s.processed.iter().sum();
            if regime.capacity.is_finite() {
                assert!(total <= regime.capacity * 3.0 + 1e-12, "capacity respected");
            }
            prev_backlog = s.backlog.clone();
        }
    }

    #[test]
    fn free_trade_keeps_supply_whole() {
        let imps = imps();
        let mut s = LicState::default();
        s.reset(&imps, 0);
        for t in 0..12 {
            s.step(
                t,
                &imps,
                RegimeRun {
                    capacity: f64::INFINITY,
                    approval: 1.0,
                    delay: 0,
                },
                f64::INFINITY,
                &[0.0, 0.0],
            );
            assert_eq!(s.shortfall, vec![0.0, 0.0]);
            assert_eq!(s.delivery_ratio(0, &imps[0]), 1.0);
        }
    }

    #[test]
    fn a_ban_exhausts_stocks_then_causes_shortfall() {
        let imps = imps();
        let mut s = LicState::default();
        s.reset(&imps, 0);
        let ban = RegimeRun {
            capacity: 0.0,
            approval: 0.0,
            delay: 0,
        };
        let mut first_short = None;
        for t in 0..12 {
            s.step(t, &imps, ban, 0.0, &[0.0, 0.0]);
            if s.shortfall[0] > 0.0 && first_short.is_none() {
                first_short = Some(t);
            }
        }
        // Importer 0 draws 0.8 months of stock a month from 2 months of stock:
        // months 0 and 1 are covered, month 2 runs short.
        assert_eq!(first_short, Some(2));
        assert!(
            (s.shortfall[0] - 0.8).abs() < 1e-12,
            "steady shortfall = dependence"
        );
    }

    #[test]
    fn a_ban_leaves_the_exposed_share_of_output_lost_net_of_substitution() {
        use crate::model::testkit;
        // BB supplies all of AA's need of the input; a ban from the start,
        // no stock: the whole requirement is short, and half of AA's goods
        // output needs the input, 20 % of that already substituted.
        let sc = testkit::world(
            r#"[licensing]
supplier = "BB"
input = "goods"
regime = [["2025-04-01", "ban"]]
[licensing.regimes.free]
capacity = inf
approval = 1.0
[licensing.regimes.ban]
capacity = 0.0
approval = 0.0
[licensing.importers.AA]
dependence = 1.0
stock_months = 0.0
exposure = { goods = 0.5 }
substitution = [["2025-04", 0.2]]
"#,
        );
        let l = sc.licensing.as_ref().unwrap();
        let values = testkit::values(&sc);
        let val = |p: crate::scenario::ParamId| values[p.0 as usize];
        let base = LicensingBase::new(Some(l), sc.meta.start, 3);
        let mut st = LicensingRun::default();
        st.reset(Some(l), &base, &sc.trade, 3, &val);
        st.step(0, l, &base, None, 1, 0);
        assert_eq!(st.queue.shortfall[0], 1.0);
        assert_eq!(st.shortfall_hist[0], 1.0);
        assert!((st.loss[0] - 0.5 * 1.0 * 0.8).abs() < 1e-15, "AA goods");
        assert_eq!(st.loss[1], 0.0, "BB loses nothing");
        let d: Vec<(usize, f64)> = st.deliveries(Some(l), &sc.trade).collect();
        assert_eq!(d, vec![(sc.trade.idx(0, 1, 0), 0.0)]);
        // A rule lifting the ban (regime override to free) restores supply.
        st.step(1, l, &base, Some((1, l.free)), 1, 0);
        assert_eq!(st.queue.shortfall[0], 0.0);
        assert_eq!(st.loss[0], 0.0);
    }
}
