//! Block 4: critical-input export licensing (rare earths), model 2. Works
//! in units of each importer's normal monthly flow A_j (its baseline monthly
//! imports of the input from the supplier) and, for stocks, months of its
//! whole requirement R_j = A_j / dep_j. Only the controlled share c_j of the
//! flow needs a licence; the rest is held at customs for `inspection`
//! months under a licensing regime. Each month (tau = months since the
//! regime came into force, r(tau) its logistic ramp from 0 to 1):
//!   waiting_j   = B_j(t-1) + c_j A_j + refiled_j(t)
//!   capacity    C = cap(tau) * efficiency * noise * kappa * sum_j c_j A_j,
//!                 cap(tau) = cap0 + (cap1 - cap0) r(tau), the same for approval
//!   processed_j = water-filling of C by priority x waiting (all if C suffices)
//!   approved_j  = processed_j a(tau),  rejected_j re-filed at t + refile lag
//!   departures  D_j(t + delay) += approved_j;  D_j(t + inspection) += (1 - c_j) A_j
//!   arrivals    X_j(t + transit_j) += D_j(t)
//!   stock       S_j(t) = min(S_j(0), S_j(t-1) + inflow_j - use_j)
//!   inflow_j    = X_j / A_j dep_j + (1 - dep_j) + alt_j(t)   (months of requirement)
//!   use_j       = min(1, S_j(t-1) + inflow_j),   shortfall phi_j = 1 - use_j
//!   loss[j,s]   = exposure[j,s] (1 - (1 - phi_j)^alpha) (1 - sub_j(t))
//!   price_j     = min(cap, (1 - phi_j)^(-1/eta))       (the input's price, x normal)
//! At the start, the normal flow is in transit for `transit_j` months and
//! approved for the initial regime's delay, so deliveries fall gradually
//! after a regime change. alpha <= 1: output is concave in the input
//! (scarce units go to the most valuable uses), so the loss never exceeds
//! exposure x shortfall.

use super::dynamics::noise_factor;
use super::rules::LicChange;
use crate::math::exp;
use crate::random;
use crate::scenario::dist::norm_quantile;
use crate::scenario::{Licensing, TradeData};

/// Longest processing delay, in months (the validator enforces it).
pub const MAX_DELAY: usize = 24;
/// Longest delay of any kind a volume can wait in a ring buffer: review or
/// inspection delay, re-filing lag, transit.
const RING: usize = MAX_DELAY + 1;

/// Per-run values of one importer.
#[derive(Debug, Clone, Default)]
pub struct ImporterRun {
    /// Normal monthly flow A_j (USD bn per month).
    pub apps: f64,
    /// Share of the flow that needs a licence, c_j.
    pub controlled: f64,
    /// Months from leaving the supplier to arriving (fractions split the
    /// volume between the two months around it).
    pub transit: f64,
    pub dependence: f64,
    pub stock_target: f64,
    pub priority: f64,
}

/// Per-run values of one regime.
#[derive(Debug, Clone, Copy, Default)]
pub struct RegimeRun {
    pub capacity: f64,
    pub approval: f64,
    pub capacity_end: f64,
    pub approval_end: f64,
    /// Months to the middle of the ramp (0 = no ramp).
    pub ramp_midpoint: f64,
    /// Review delay of controlled and customs hold of uncontrolled
    /// shipments, months (fractions spread over two months).
    pub delay: f64,
    pub inspection: f64,
}

impl RegimeRun {
    /// Capacity and approval `tau` months after the regime came into force.
    pub fn at(&self, tau: usize) -> (f64, f64) {
        let r = ramp(tau as f64, self.ramp_midpoint);
        let mix = |a: f64, b: f64| {
            if a == b || r == 0.0 {
                a
            } else if a.is_infinite() || b.is_infinite() {
                if r >= 0.5 { b } else { a }
            } else {
                a + (b - a) * r
            }
        };
        (
            mix(self.capacity, self.capacity_end),
            mix(self.approval, self.approval_end),
        )
    }
}

/// The licensing office's ramp: a logistic in the months since the regime
/// came into force with its midpoint at `mid` and width mid/4, rescaled to
/// run from exactly 0 at tau = 0 to 1 (the analogues of 2023-24 export
/// controls: near zero for 1-2 months, half way by months 3-4).
pub fn ramp(tau: f64, mid: f64) -> f64 {
    if mid <= 0.0 {
        return 0.0;
    }
    let l = |x: f64| 1.0 / (1.0 + exp(-(x - mid) / (0.25 * mid)));
    let l0 = l(0.0);
    ((l(tau) - l0) / (1.0 - l0)).clamp(0.0, 1.0)
}

/// Add `v` to one importer's ring for month `t + d`: a fractional delay
/// splits the volume between the two whole months around it (a delay of 1.5
/// months: half a month later, half two months later). `d` is at most
/// MAX_DELAY, so both months fit in the ring.
#[inline]
fn schedule(ring: &mut [f64], t: usize, d: f64, v: f64) {
    let d = d.clamp(0.0, MAX_DELAY as f64);
    let k = d.floor();
    let frac = d - k;
    let k = k as usize;
    ring[(t + k) % RING] += v * (1.0 - frac);
    if frac > 0.0 {
        ring[(t + k + 1) % RING] += v * frac;
    }
}

/// What the months before the start had scheduled for months 0, 1, ...:
/// a flow `v` a month, each month's volume arriving `d` months later.
fn prefill(ring: &mut [f64], d: f64, v: f64) {
    let d = d.clamp(0.0, MAX_DELAY as f64);
    let k = d.floor();
    let frac = d - k;
    let k = k as usize;
    for m in 1..=k + 1 {
        // Scheduled in month -m: lands in months k - m and k + 1 - m.
        if k >= m {
            ring[k - m] += v * (1.0 - frac);
        }
        if frac > 0.0 && k + 1 >= m {
            ring[k + 1 - m] += v * frac;
        }
    }
}

/// What happens to rejected applications.
#[derive(Debug, Clone, Copy)]
pub struct Refile {
    /// Months until a rejected application is filed again (>= 1).
    pub lag: f64,
    /// Share of rejected volume filed again (the rest is abandoned).
    pub share: f64,
}

#[derive(Debug, Clone, Default)]
pub struct LicState {
    /// Controlled applications waiting (USD bn).
    pub backlog: Vec<f64>,
    pub stock: Vec<f64>,
    /// Ring buffers `j * RING + month % RING`: volume leaving the supplier
    /// and arriving at the importer, controlled and uncontrolled apart (so
    /// that an unlicensed month is exactly the normal flow), and rejected
    /// volume filed again.
    departures: [Vec<f64>; 2],
    arrivals: [Vec<f64>; 2],
    refiled: Vec<f64>,
    /// This month's volume leaving the supplier and arriving (USD bn),
    /// controlled and uncontrolled.
    pub departed: [Vec<f64>; 2],
    pub deliveries: [Vec<f64>; 2],
    pub shortfall: Vec<f64>,
    /// Per importer: multiplier on approval set by rules.
    pub approval_mult: Vec<f64>,
    /// Per importer: multiplier on what is processed for it, set by rules.
    pub capacity_mult_imp: Vec<f64>,
    /// Multiplier on total capacity set by rules.
    pub capacity_mult: f64,
    /// This month: applications processed, approved, and re-filed ones that
    /// came back (for the conservation checks).
    pub processed: Vec<f64>,
    pub approved: Vec<f64>,
    pub refiled_in: Vec<f64>,
    scratch: Vec<f64>,
    active: Vec<usize>,
}

impl LicState {
    /// Start of a run: stocks at target, empty backlog, the normal flow in
    /// transit for each importer's transit time, controlled shipments
    /// approved before the start for the initial regime's delay and the
    /// uncontrolled ones held for its inspection time.
    pub fn reset(&mut self, imps: &[ImporterRun], initial: RegimeRun) {
        let n = imps.len();
        self.backlog = vec![0.0; n];
        self.stock = imps.iter().map(|i| i.stock_target).collect();
        let share = |imp: &ImporterRun, k: usize| {
            if k == 0 {
                imp.controlled * imp.apps
            } else {
                (1.0 - imp.controlled) * imp.apps
            }
        };
        for k in 0..2 {
            self.departures[k] = vec![0.0; n * RING];
            self.arrivals[k] = vec![0.0; n * RING];
            let wait = if k == 0 {
                initial.delay
            } else {
                initial.inspection
            };
            for (j, imp) in imps.iter().enumerate() {
                let r = j * RING..(j + 1) * RING;
                prefill(&mut self.departures[k][r.clone()], wait, share(imp, k));
                prefill(&mut self.arrivals[k][r], imp.transit, share(imp, k));
            }
            for v in [&mut self.departed[k], &mut self.deliveries[k]] {
                v.clear();
                v.resize(n, 0.0);
            }
        }
        self.refiled = vec![0.0; n * RING];
        for v in [
            &mut self.shortfall,
            &mut self.processed,
            &mut self.approved,
            &mut self.refiled_in,
        ] {
            v.clear();
            v.resize(n, 0.0);
        }
        self.approval_mult = vec![1.0; n];
        self.capacity_mult_imp = vec![1.0; n];
        self.capacity_mult = 1.0;
    }

    /// One month: process applications, ship, deliver, draw down stocks.
    /// `capacity_share` is the regime's capacity this month times efficiency
    /// and noise (infinite = unlimited), `approval` its approval rate;
    /// `alt[j]` is extra non-supplier supply.
    #[allow(clippy::too_many_arguments)]
    pub fn step(
        &mut self,
        t: usize,
        imps: &[ImporterRun],
        regime: RegimeRun,
        capacity_share: f64,
        approval: f64,
        refile: Refile,
        alt: &[f64],
    ) {
        let n = imps.len();
        let total_apps: f64 = imps.iter().map(|i| i.controlled * i.apps).sum();
        // Controlled volume waiting, by importer: the backlog, this month's
        // applications and rejected applications filed again.
        self.scratch.clear();
        for j in 0..n {
            let slot = j * RING + t % RING;
            self.refiled_in[j] = self.refiled[slot];
            self.refiled[slot] = 0.0;
            self.scratch
                .push(self.backlog[j] + imps[j].controlled * imps[j].apps + self.refiled_in[j]);
        }
        let avail_total: f64 = self.scratch.iter().sum();
        let cap = capacity_share * self.capacity_mult * total_apps;
        self.processed.fill(0.0);
        if cap.is_infinite() || cap >= avail_total * (1.0 + 1e-12) {
            self.processed.copy_from_slice(&self.scratch);
        } else {
            self.water_fill(imps, cap);
        }
        // A rule's per-importer factor scales what is processed for that
        // importer (0 = embargo, 0.5 = half pace); it never exceeds what waits.
        for j in 0..n {
            self.processed[j] =
                (self.processed[j] * self.capacity_mult_imp[j]).min(self.scratch[j]);
        }
        let lag = refile.lag.max(1.0);
        for (j, imp) in imps.iter().enumerate() {
            let processed = self.processed[j];
            self.backlog[j] = (self.scratch[j] - processed).max(0.0);
            let approved = processed * (approval * self.approval_mult[j]).clamp(0.0, 1.0);
            self.approved[j] = approved;
            let r = j * RING..(j + 1) * RING;
            let rejected = (processed - approved) * refile.share;
            schedule(&mut self.refiled[r.clone()], t, lag, rejected);
            schedule(
                &mut self.departures[0][r.clone()],
                t,
                regime.delay,
                approved,
            );
            let free = (1.0 - imp.controlled) * imp.apps;
            schedule(
                &mut self.departures[1][r.clone()],
                t,
                regime.inspection,
                free,
            );
            let slot = j * RING + t % RING;
            for k in 0..2 {
                let departed = self.departures[k][slot];
                self.departures[k][slot] = 0.0;
                self.departed[k][j] = departed;
                schedule(&mut self.arrivals[k][r.clone()], t, imp.transit, departed);
                self.deliveries[k][j] = self.arrivals[k][slot];
                self.arrivals[k][slot] = 0.0;
            }
            let delivered = self.delivery_ratio(j, imp) * imp.apps;
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

    /// Capacity `cap` shared by priority x waiting volume; importers fully
    /// served release their share to the others.
    fn water_fill(&mut self, imps: &[ImporterRun], cap: f64) {
        let mut remaining = cap.max(0.0);
        self.active.clear();
        self.active
            .extend((0..imps.len()).filter(|&j| self.scratch[j] > 0.0));
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

    /// Delivered volume relative to normal (scales the input's trade flow).
    pub fn delivery_ratio(&self, j: usize, imp: &ImporterRun) -> f64 {
        ratio(&self.deliveries, j, imp)
    }

    /// Volume leaving the supplier relative to normal.
    pub fn departure_ratio(&self, j: usize, imp: &ImporterRun) -> f64 {
        ratio(&self.departed, j, imp)
    }

    /// Controlled volume in the queue and in the re-filing buffer (USD bn).
    pub fn waiting(&self, j: usize) -> f64 {
        self.backlog[j] + self.refiled[j * RING..(j + 1) * RING].iter().sum::<f64>()
    }
}

/// Controlled and uncontrolled volumes `v` of importer j relative to its
/// normal flow: each part relative to its normal share, weighted by the
/// shares, so that both parts at normal give exactly 1.
fn ratio(v: &[Vec<f64>; 2], j: usize, imp: &ImporterRun) -> f64 {
    if imp.apps <= 0.0 {
        return 1.0;
    }
    let part = |k: usize, share: f64| {
        if share > 0.0 {
            v[k][j] / (share * imp.apps)
        } else {
            1.0
        }
    };
    let c = imp.controlled;
    let (rc, ru) = (part(0, c), part(1, 1.0 - c));
    let r = if rc == ru {
        rc
    } else {
        c * rc + (1.0 - c) * ru
    };
    // A fractional delay splits a volume in two parts whose sum can round
    // a few ulps away from it: a normal month is exactly normal.
    if (r - 1.0).abs() < 1e-12 { 1.0 } else { r }
}

/// Share of output an exposed sector keeps with input use `1 - phi`, when
/// scarce units go first to the uses that lose most without them: output is
/// `(1 - phi)^alpha` of normal, concave in the input for alpha <= 1, so the
/// loss `1 - (1 - phi)^alpha` is at most `phi` (alpha = 1: proportional).
#[inline]
pub fn output_loss(phi: f64, alpha: f64) -> f64 {
    let phi = phi.clamp(0.0, 1.0);
    if phi == 0.0 {
        0.0
    } else {
        1.0 - (1.0 - phi).powf(alpha)
    }
}

/// The controlled input's price relative to normal when a share `phi` of
/// the requirement is short: the inverse of demand with elasticity `eta`,
/// `(1 - phi)^(-1/eta)`, at most `cap` (and exactly 1 without shortfall).
#[inline]
pub fn scarcity_price(phi: f64, eta: f64, cap: f64) -> f64 {
    if phi <= 0.0 || cap <= 1.0 {
        return 1.0;
    }
    if phi >= 1.0 || eta <= 0.0 {
        return cap;
    }
    exp(-(1.0 - phi).ln() / eta).min(cap)
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
/// importer and regime values, the regime in force and since when, the
/// shortfall history rules look at, the output lost in each exposed sector
/// and the input's scarcity price.
#[derive(Debug, Default)]
pub struct LicensingRun {
    pub queue: LicState,
    pub imps: Vec<ImporterRun>,
    regimes: Vec<RegimeRun>,
    alt: Vec<f64>,
    /// The regime in force last month and the month it came into force.
    current: Option<(usize, usize)>,
    /// Shortfall of importer j in month m, `j * months + m`.
    pub shortfall_hist: Vec<f64>,
    /// Output lost to the shortfall, `econ * ns + sector` (0..1).
    pub loss: Vec<f64>,
    /// The controlled input's price per importer, x normal.
    pub price: Vec<f64>,
    /// Factor on each economy's import price of the input (1 = none): the
    /// base-year share of the controlled supply in its imports of the input
    /// bought at the scarcity price.
    pub import_price_factor: Vec<f64>,
    /// That share, per importer.
    price_weight: Vec<f64>,
    efficiency: f64,
    noise_sd: f64,
    refile: Option<Refile>,
    alpha: f64,
    price_cap: f64,
    eta: f64,
    months: usize,
    n_sect: usize,
}

impl LicensingRun {
    /// The start of a run. Without licensing the state stays empty (no
    /// importers, no loss). `eta` is the input sector's demand elasticity
    /// (the scarcity price).
    pub fn reset(
        &mut self,
        l: Option<&Licensing>,
        base: &LicensingBase,
        td: &TradeData,
        months: usize,
        val: &dyn Fn(crate::scenario::ParamId) -> f64,
        eta: f64,
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
        self.price.clear();
        self.price.resize(n_imp, 1.0);
        self.import_price_factor.clear();
        self.import_price_factor.resize(ne, 1.0);
        self.current = None;
        self.efficiency = l.map_or(1.0, |l| val(l.efficiency));
        self.noise_sd = l.map_or(0.0, |l| val(l.noise_sd));
        self.eta = eta;
        let Some(l) = l else { return };
        self.refile = Some(Refile {
            lag: val(l.refile_months).max(1.0),
            share: val(l.refile_share),
        });
        self.alpha = val(l.prioritisation);
        self.price_cap = val(l.price_cap);
        self.imps.clear();
        self.price_weight.clear();
        for imp in &l.importers {
            let f = td.idx(l.input, l.supplier, imp.econ);
            let apps = td.value_usd_bn[f] / 12.0;
            let controlled = val(imp.controlled);
            self.imps.push(ImporterRun {
                apps,
                controlled,
                transit: val(imp.transit_months).max(0.0),
                dependence: val(imp.dependence),
                stock_target: val(imp.stock_months),
                priority: imp.priority,
            });
            // Base-year import spending on the input at buyers' prices.
            let spend = |e: usize| {
                let g = td.idx(l.input, e, imp.econ);
                td.value_usd_bn[g] * (1.0 + td.tariff0[g])
            };
            let imports: f64 = (0..ne).filter(|&e| e != imp.econ).map(spend).sum();
            self.price_weight.push(if imports > 0.0 {
                controlled * spend(l.supplier) / imports
            } else {
                0.0
            });
        }
        self.regimes.clear();
        for r in &l.regimes {
            let capacity = val(r.capacity);
            let approval = val(r.approval);
            self.regimes.push(RegimeRun {
                capacity,
                approval,
                capacity_end: val(r.capacity_end),
                approval_end: val(r.approval_end),
                ramp_midpoint: r.ramp_midpoint.map_or(0.0, val),
                delay: val(r.delay_months).max(0.0),
                inspection: val(r.inspection_months).max(0.0),
            });
        }
        let r0 = base.schedule.first().map_or(l.free, |x| x.0);
        self.queue.reset(&self.imps, self.regimes[r0]);
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
    /// since the schedule last changed) and how long it has been in force,
    /// capacity with its monthly shock, the queue, stocks and shortfalls,
    /// the output losses
    ///   loss[j,s] = clamp(exposure[j,s] (1 - (1 - phi_j)^alpha) (1 - clamp(sub_j(t), 0, 1)), 0, 1)
    /// and the input's scarcity price.
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
        let since = match self.current {
            Some((r, since)) if r == regime => since,
            _ => t,
        };
        self.current = Some((regime, since));
        let rr = self.regimes[regime];
        let (capacity, approval) = rr.at(t - since);
        let noise = if self.noise_sd > 0.0 {
            let z = norm_quantile(random::u01(seed, run, base.noise_key, t as u64));
            noise_factor(self.noise_sd, z)
        } else {
            1.0
        };
        for (j, imp) in l.importers.iter().enumerate() {
            self.alt[j] = imp.alt_supply.at(t as f64);
        }
        let refile = self.refile.unwrap_or(Refile {
            lag: 1.0,
            share: 1.0,
        });
        self.queue.step(
            t,
            &self.imps,
            rr,
            capacity * self.efficiency * noise,
            approval,
            refile,
            &self.alt,
        );
        self.loss.fill(0.0);
        for (j, imp) in l.importers.iter().enumerate() {
            let phi = self.queue.shortfall[j];
            self.shortfall_hist[j * self.months + t] = phi;
            let sub = imp.substitution.at(t as f64).clamp(0.0, 1.0);
            let lost = output_loss(phi, self.alpha);
            for &(s, exposure) in &imp.exposure {
                self.loss[imp.econ * self.n_sect + s] =
                    (exposure * lost * (1.0 - sub)).clamp(0.0, 1.0);
            }
            let p = scarcity_price(phi, self.eta, self.price_cap);
            self.price[j] = p;
            self.import_price_factor[imp.econ] = 1.0 + self.price_weight[j] * (p - 1.0);
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
#[path = "licensing_tests.rs"]
mod tests;
