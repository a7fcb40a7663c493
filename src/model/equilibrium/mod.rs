//! Block 2: the static trade equilibrium of each sector (nested Armington,
//! in the family of GSIM, Francois & Hall 2003), re-solved only for sectors
//! whose tariffs changed.
//!
//! Baseline prices are 1. With exporter supply prices w_e:
//!   landed price  p[e,i] = w_e (1 + tau[e,i]) / (1 + tau0[e,i]),  p[i,i] = w_i
//!   import price  PM_i = ( sum_{e != i} m[e,i] p[e,i]^(1-sm) )^(1/(1-sm))
//!   total price   P_i  = ( d_i p[i,i]^(1-sd) + (1-d_i) PM_i^(1-sd) )^(1/(1-sd))
//!   demand        Q_i  = P_i^(-eta)
//!   quantities    x[i,i] = (p[i,i]/P_i)^(-sd) Q_i,  xm_i = (PM_i/P_i)^(-sd) Q_i,
//!                 x[e,i] = (p[e,i]/PM_i)^(-sm) xm_i
//!   supply        sum_i V[e,i] x[e,i] = S_e w_e^eps_e
//!   flows         F*[e,i] = V[e,i] w_e x[e,i]
//! solved for w by `solver::solve`; the welfare decomposition of the
//! solution is `welfare`.

use crate::math::exp;

mod solver;

pub use solver::{
    EqError, EqParams, EqSolution, FLOOR_TOL, SectorBase, TOL, Workspace, quantities_at,
    short_run_after_solve, solve,
};

/// The partial-equilibrium welfare decomposition at a solution (USD bn/yr,
/// base-year prices), per economy:
///   CS_i = -E_i (P_i^(1-eta) - 1) / (1 - eta)      ( = -E_i ln P_i when eta = 1 )
///   PS_e =  S_e (w_e^(1+eps_e) - 1) / (1 + eps_e)  ( = 0 when eps_e is infinite )
///   TR_i =  sum_{e != i} ( tau_c[e,i] F*[e,i] - tau0[e,i] V[e,i] )
/// with tau_c the tariff collected on the flow (`EqSolution::tau_eff`: its
/// lines' tariffs weighted by their quantities).
pub fn welfare(base: &SectorBase, p: &EqParams, sol: &mut EqSolution) {
    let ne = base.ne;
    let eta = p.eta;
    for i in 0..ne {
        let r = 1.0 - eta;
        let e_i = base.absorption[i];
        sol.cs[i] = if r.abs() < 1e-9 {
            -e_i * sol.ln_p[i]
        } else {
            -e_i * (exp(r * sol.ln_p[i]) - 1.0) / r
        };
        sol.tr[i] = (0..ne)
            .filter(|&e| e != i)
            .map(|e| {
                let k = e * ne + i;
                sol.tau_eff[k] * sol.flows[k] - base.tau0[k] * base.v[k]
            })
            .sum();
    }
    for e in 0..ne {
        let eps = p.eps[e];
        sol.ps[e] = if eps.is_finite() && base.supply[e] > 0.0 {
            base.supply[e] * (exp((1.0 + eps) * sol.z[e]) - 1.0) / (1.0 + eps)
        } else {
            0.0
        };
    }
}

/// Short-run elasticities from long-run ones (model 2): the substitution
/// elasticities move toward 1 by the ratio r,
///   sigma_SR - 1 = r (sigma - 1),
/// the demand and supply elasticities are the long-run ones. The short run
/// is evaluated at the long-run prices (`quantities_at`): prices pass
/// through at once, quantities follow with short-run substitution.
pub fn short_run(lr: &EqParams, r: f64, sr: &mut EqParams) {
    sr.sigma_m = 1.0 + r * (lr.sigma_m - 1.0);
    sr.sigma_d = 1.0 + r * (lr.sigma_d - 1.0);
    sr.eta = lr.eta;
    sr.eps.clone_from(&lr.eps);
    sr.fx.clone_from(&lr.fx);
}

/// A sector is re-solved when one of its tariffs moved by more than this
/// (a fraction: 1e-12 is 1e-10 percentage points) since it was last solved.
/// Moves below it (rounding of the day weights and of cumulated measures)
/// caused 11 % of the solves of london_framework (13,653 of the first
/// 120,000, 1,000 runs); a move this small shifts prices by less than the
/// Newton tolerance of the solve itself (`solver::TOL`, 1e-11).
pub const RESOLVE_TOLERANCE: f64 = 1e-12;

/// Block 2's per-run state: each sector's long-run solution (also the warm
/// start of its next solve) and, where the short run differs (model 2), its
/// short-run solution; their parameters for this run, and the tariffs each
/// sector was last solved at.
#[derive(Debug, Default)]
pub struct TradeState {
    pub eq: Vec<EqSolution>,
    pub params: Vec<EqParams>,
    /// Short-run solutions and parameters; used only where `two_speed[s]`.
    pub eq_sr: Vec<EqSolution>,
    pub params_sr: Vec<EqParams>,
    pub two_speed: Vec<bool>,
    solved_at: Vec<f64>,
    /// The exchange rates each sector was last solved at (`ne` per sector).
    solved_fx: Vec<f64>,
    /// One workspace per sector, which keeps the sector's tariff factors
    /// between its solves within a run (`Workspace::for_one_sector`).
    ws: Vec<Workspace>,
}

impl TradeState {
    /// The start of a run: every sector at the baseline solution, with this
    /// run's long-run parameters (`set`) and short-run ratio (`sr_ratio`;
    /// 1 = one speed), reusing the buffers of the previous run.
    pub fn reset(
        &mut self,
        sectors: &[SectorBase],
        tau0: &[f64],
        set: impl Fn(usize, &mut EqParams),
        sr_ratio: impl Fn(usize) -> f64,
    ) {
        let ns = sectors.len();
        let ne = sectors.first().map_or(0, |b| b.ne);
        if self.eq.len() != ns || self.eq.first().is_some_and(|e| e.z.len() != ne) {
            self.eq = sectors.iter().map(EqSolution::baseline).collect();
            self.eq_sr = self.eq.clone();
            self.params = (0..ns)
                .map(|_| EqParams {
                    sigma_m: 1.0,
                    sigma_d: 1.0,
                    eta: 1.0,
                    eps: vec![f64::INFINITY; ne],
                    fx: Vec::new(),
                })
                .collect();
            self.params_sr = self.params.clone();
        }
        self.solved_at.clear();
        self.solved_at.extend_from_slice(tau0);
        self.solved_fx.clear();
        self.solved_fx.resize(ns * ne, 0.0);
        self.two_speed.clear();
        self.ws.resize_with(ns, Workspace::for_one_sector);
        self.ws.iter_mut().for_each(Workspace::forget);
        for (s, base) in sectors.iter().enumerate() {
            self.eq[s].reset_to_baseline(base);
            self.eq_sr[s].reset_to_baseline(base);
            set(s, &mut self.params[s]);
            let r = sr_ratio(s);
            self.two_speed.push(r < 1.0);
            short_run(&self.params[s], r, &mut self.params_sr[s]);
        }
    }

    /// The short-run solution of sector `s` (the long-run one where the two
    /// coincide).
    pub fn short(&self, s: usize) -> &EqSolution {
        if self.two_speed[s] {
            &self.eq_sr[s]
        } else {
            &self.eq[s]
        }
    }

    /// Re-solve every sector whose tariffs (of lines with a base-year share)
    /// or exchange rates `fx` (log, per economy: Block 2a) differ from those
    /// it was last solved at (tariffs by more than `RESOLVE_TOLERANCE`); each
    /// sector's workspace recomputes the tariff factors only of its flows
    /// whose tariffs moved (an exchange-rate move alone recomputes none). A
    /// sector back at exactly the base-year tariffs and rates is the baseline
    /// without solving.
    ///
    /// # Errors
    /// The sector that failed and the solver's error.
    pub fn step(
        &mut self,
        sectors: &[SectorBase],
        tau: &[f64],
        tau0: &[f64],
        fx: &[f64],
    ) -> Result<(), (usize, EqError)> {
        let at_par = fx.iter().all(|q| *q == 0.0);
        for (s, base) in sectors.iter().enumerate() {
            let n = base.ne * base.ne * base.nl;
            let r = s * n..(s + 1) * n;
            let rf = s * base.ne..(s + 1) * base.ne;
            let moved = base.lines_moved(
                &tau[r.clone()],
                &self.solved_at[r.clone()],
                RESOLVE_TOLERANCE,
            );
            // Compared with the tariffs last solved at (not last month's), so
            // skipped changes cannot add up beyond the tolerance.
            if !moved && fx == &self.solved_fx[rf.clone()] {
                continue;
            }
            self.solved_fx[rf].copy_from_slice(fx);
            for p in [&mut self.params[s], &mut self.params_sr[s]] {
                p.fx.clear();
                p.fx.extend_from_slice(fx);
            }
            if at_par && tau[r.clone()] == tau0[r.clone()] {
                // Exactly the base year: w = 1 and x = 1 without solving.
                self.eq[s].reset_to_baseline(base);
                self.eq_sr[s].reset_to_baseline(base);
            } else {
                // Two speeds: the short run's tariff factors come with the
                // long run's, from one pass over the flows.
                let sr = self.two_speed[s].then_some(&self.params_sr[s]);
                solve(
                    base,
                    &self.params[s],
                    sr,
                    &tau[r.clone()],
                    &mut self.eq[s],
                    &mut self.ws[s],
                )
                .map_err(|e| (s, e))?;
                welfare(base, &self.params[s], &mut self.eq[s]);
                if self.two_speed[s] {
                    // The short run: the long-run prices, short-run substitution.
                    short_run_after_solve(
                        base,
                        &self.params_sr[s],
                        &tau[r.clone()],
                        &self.eq[s].z,
                        &mut self.eq_sr[s],
                        &mut self.ws[s],
                    );
                }
            }
            self.solved_at[r.clone()].copy_from_slice(&tau[r]);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Model, testkit};

    #[test]
    fn only_changed_sectors_are_solved_and_a_tariff_matches_the_closed_form() {
        let sc = testkit::world("");
        let model = Model::new(&sc, 3);
        let td = &sc.trade;
        let mut st = TradeState::default();
        st.reset(
            &model.sectors,
            &td.tariff0,
            |_, p| {
                p.sigma_m = 4.0;
                p.sigma_d = 2.0;
                p.eta = 1.0;
                p.eps.fill(f64::INFINITY);
            },
            |_| 1.0,
        );
        st.step(&model.sectors, &td.tariff0, &td.tariff0, &[0.0; 2])
            .unwrap();
        assert_eq!(st.eq[0].x, vec![1.0; 4], "unchanged tariffs: the baseline");
        // 25 % on BB's goods into AA, infinite supply elasticities: w = 1,
        // PM = 1.25 (BB is AA's only source), P the CES of 1 and PM.
        let mut tau = td.tariff0.clone();
        let f = td.idx(0, 1, 0);
        tau[f] = 0.25;
        st.step(&model.sectors, &tau, &td.tariff0, &[0.0; 2])
            .unwrap();
        let (sd, eta, pm) = (2.0f64, 1.0f64, 1.25f64);
        let d = 900.0 / 1100.0;
        let p = (d + (1.0 - d) * pm.powf(1.0 - sd)).powf(1.0 / (1.0 - sd));
        let x_imp = (pm / p).powf(-sd) * p.powf(-eta);
        assert!((st.eq[0].x[2] - x_imp).abs() < 1e-12);
        assert!((st.eq[0].tr[0] - 0.25 * 200.0 * x_imp).abs() < 1e-9);
        assert_eq!(st.eq[0].cs[1], 0.0, "BB's prices do not move");
        // Back at the base-year tariffs: the exact baseline, without a solve.
        st.step(&model.sectors, &td.tariff0, &td.tariff0, &[0.0; 2])
            .unwrap();
        assert_eq!(st.eq[0].flows, model.sectors[0].v);
        assert_eq!(st.eq[0].tr, vec![0.0; 2]);
        // Base tariffs, but AA's currency 5 % (log) up: a solve, and BB's
        // goods cost AA exp(-0.05) as if a negative tariff collected nothing.
        st.step(&model.sectors, &td.tariff0, &td.tariff0, &[0.05, 0.0])
            .unwrap();
        let pm = (-0.05f64).exp();
        let p = (d + (1.0 - d) * pm.powf(1.0 - sd)).powf(1.0 / (1.0 - sd));
        let x_imp = (pm / p).powf(-sd) * p.powf(-eta);
        assert!((st.eq[0].x[2] - x_imp).abs() < 1e-12);
        assert!(st.eq[0].tr[0].abs() < 1e-12, "no tariff collected");
    }

    /// Moves below `RESOLVE_TOLERANCE` keep the last solution bit for bit;
    /// they are measured from the tariffs last solved at, so two of them
    /// that add up to more than the tolerance do trigger a solve.
    #[test]
    fn rounding_moves_of_a_tariff_are_not_re_solved() {
        let sc = testkit::world("");
        let model = Model::new(&sc, 3);
        let td = &sc.trade;
        let mut st = TradeState::default();
        st.reset(&model.sectors, &td.tariff0, |_, _| {}, |_| 1.0);
        let f = td.idx(0, 1, 0);
        let at = |x: f64| {
            let mut tau = td.tariff0.clone();
            tau[f] = x;
            tau
        };
        st.step(&model.sectors, &at(0.25), &td.tariff0, &[0.0; 2])
            .unwrap();
        let solved = st.eq[0].tr.clone();
        st.step(&model.sectors, &at(0.25 + 0.6e-12), &td.tariff0, &[0.0; 2])
            .unwrap();
        assert_eq!(st.eq[0].tr, solved, "within the tolerance: not re-solved");
        st.step(&model.sectors, &at(0.25 + 1.2e-12), &td.tariff0, &[0.0; 2])
            .unwrap();
        assert_ne!(
            st.eq[0].tr, solved,
            "1.2e-12 from the last solve: re-solved"
        );
    }
}
