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
}
