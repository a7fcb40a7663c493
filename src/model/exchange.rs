//! Block 2a (model 2): exchange rates, the minimal macro closure of the
//! trade block. A tariff appreciates the currency of the economy that levies
//! it and depreciates that of the economy it hits, offsetting part of its
//! effect on relative prices (fully under Lerner symmetry: flexible prices
//! and balanced trade; not at all where prices are sticky in a dominant
//! currency). Each economy's real effective exchange rate moves, in logs,
//! by a share kappa of its tariff gap from the starting world:
//!   q_i(t) = kappa ( [A_imp_i(t) - A_imp_i(start)] - [A_exp_i(t) - A_exp_i(start)] )
//! where A_imp_i is the log change of the tariff part of i's import price
//! index and A_exp_i that of its exporters' market access, CES over partners
//! at each sector's long-run import elasticity sigma_s and averaged over
//! sectors at base-year weights:
//!   A_imp_i = sum_s M_is/M_i  ln( sum_e V_eis/M_is T_eis^(1-sigma_s) ) / (1 - sigma_s)
//!   A_exp_i = sum_s X_is/X_i  ln( sum_j V_ijs/X_is T_ijs^(1-sigma_s) ) / (1 - sigma_s)
//! with T = (1 + tau) / (1 + tau0) per flow and V the base-year flows. With
//! kappa = 1 the exporter's depreciation restores the value of its exports
//! at its supply price (exact for CES demand with one elasticity): what it
//! loses in a taxed market it regains in the others, and no more, so a
//! prohibitive tariff on one market moves the rate by at most that market's
//! share (a mean of log tariffs would not be bounded). Small tariffs give
//! the base-weighted mean of ln T (the Lerner offset). Exporter e's goods
//! then cost importer i exp(q_e - q_i) more (Block 2's landed prices);
//! domestic sales carry no wedge, and only relative moves matter.
//! Output: `exchange_rate` = 100 (exp(q_i) - 1), % against the baseline.

use crate::math::exp;
use crate::scenario::TradeData;

/// Block 2a's per-run state.
#[derive(Debug, Default)]
pub struct FxState {
    kappa: f64,
    /// Long-run import elasticity of each sector, this run.
    sigma: Vec<f64>,
    imp_start: Vec<f64>,
    exp_start: Vec<f64>,
    imp: Vec<f64>,
    exp: Vec<f64>,
    /// The flow tariffs the rates were last computed at.
    seen: Vec<f64>,
    /// q_i, log real effective exchange rate against the baseline.
    pub q: Vec<f64>,
}

impl FxState {
    /// The start of a run: rates at the baseline, with offset share `kappa`,
    /// this run's sector elasticities and the starting world's tariffs.
    pub fn reset(
        &mut self,
        kappa: f64,
        sigma: impl Iterator<Item = f64>,
        td: &TradeData,
        tau: &[f64],
    ) {
        self.kappa = kappa;
        self.sigma.clear();
        self.sigma.extend(sigma);
        self.q.clear();
        self.q.resize(td.n_econ, 0.0);
        if kappa == 0.0 {
            // The rates stay at the baseline (`step` returns at once): the
            // starting world's access is never read.
            return;
        }
        access(
            td,
            tau,
            &self.sigma,
            &mut self.imp_start,
            &mut self.exp_start,
        );
        self.seen.clear();
        self.seen.extend_from_slice(tau);
    }

    /// This month's rates from this month's flow tariffs (recomputed only
    /// when they moved).
    pub fn step(&mut self, td: &TradeData, tau: &[f64]) {
        if self.kappa == 0.0 || tau == self.seen.as_slice() {
            return;
        }
        self.seen.copy_from_slice(tau);
        access(td, tau, &self.sigma, &mut self.imp, &mut self.exp);
        for (i, q) in self.q.iter_mut().enumerate() {
            let gap = (self.imp[i] - self.imp_start[i]) - (self.exp[i] - self.exp_start[i]);
            *q = self.kappa * gap;
        }
    }
}

/// A_imp and A_exp of every economy at the flow tariffs `tau`.
fn access(td: &TradeData, tau: &[f64], sigma: &[f64], imp: &mut Vec<f64>, exp: &mut Vec<f64>) {
    let ne = td.n_econ;
    let (mut imp_w, mut exp_w) = (vec![0.0; ne], vec![0.0; ne]);
    imp.clear();
    imp.resize(ne, 0.0);
    exp.clear();
    exp.resize(ne, 0.0);
    let mut terms: Vec<(f64, f64)> = Vec::with_capacity(ne);
    for (s, &sig) in sigma.iter().enumerate() {
        let ln_t = |e: usize, i: usize| {
            let f = td.idx(s, e, i);
            (td.value_usd_bn[f], tau[f].ln_1p() - td.tariff0[f].ln_1p())
        };
        for i in 0..ne {
            terms.clear();
            terms.extend((0..ne).filter(|&e| e != i).map(|e| ln_t(e, i)));
            let (w, a) = ces_mean(&terms, sig);
            imp[i] += w * a;
            imp_w[i] += w;
            terms.clear();
            terms.extend((0..ne).filter(|&j| j != i).map(|j| ln_t(i, j)));
            let (w, a) = ces_mean(&terms, sig);
            exp[i] += w * a;
            exp_w[i] += w;
        }
    }
    for i in 0..ne {
        if imp_w[i] > 0.0 {
            imp[i] /= imp_w[i];
        }
        if exp_w[i] > 0.0 {
            exp[i] /= exp_w[i];
        }
    }
}

/// The total weight of `(weight, ln T)` terms and their CES mean
/// ln( sum w exp((1-sigma) l) / sum w ) / (1 - sigma), in log-sum-exp form
/// (any tariff, any sigma); the weighted mean of l near sigma = 1, the
/// smallest l for perfect substitutes.
fn ces_mean(terms: &[(f64, f64)], sigma: f64) -> (f64, f64) {
    let live = || terms.iter().filter(|(w, _)| *w > 0.0);
    let total: f64 = live().map(|(w, _)| w).sum();
    if total <= 0.0 {
        return (0.0, 0.0);
    }
    let r = 1.0 - sigma;
    let mean = if !r.is_finite() {
        live().map(|(_, l)| *l).fold(f64::INFINITY, f64::min)
    } else if r.abs() < 1e-9 {
        live().map(|(w, l)| w * l).sum::<f64>() / total
    } else {
        let mx = live().map(|(_, l)| r * l).fold(f64::NEG_INFINITY, f64::max);
        let sum: f64 = live().map(|(w, l)| w * exp(r * l - mx)).sum();
        ((sum / total).ln() + mx) / r
    };
    (total, mean)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CES means: equal to the weighted mean of logs for sigma = 1, below it
    /// for sigma > 1 (sources switch away from the taxed one), and bounded
    /// by the untaxed share when one partner's tariff is prohibitive.
    #[test]
    fn the_ces_mean_matches_its_closed_forms() {
        let terms = [(90.0, 0.0), (10.0, 2.2f64.ln())];
        let (w, cd) = ces_mean(&terms, 1.0);
        assert_eq!(w, 100.0);
        assert!((cd - 0.1 * 2.2f64.ln()).abs() < 1e-15);
        let (_, a) = ces_mean(&terms, 6.0);
        let want = (0.9 + 0.1 * 2.2f64.powf(-5.0)).ln() / -5.0;
        assert!((a - want).abs() < 1e-14 && a < cd);
        let (_, huge) = ces_mean(&[(90.0, 0.0), (10.0, 1e6)], 6.0);
        assert!((huge - 0.9f64.ln() / -5.0).abs() < 1e-14, "bounded: {huge}");
        assert_eq!(ces_mean(&[(0.0, 1.0)], 6.0), (0.0, 0.0));
    }

    /// One sector, AA and BB: AA taxes BB's goods 25 %, the only flow between
    /// them: AA appreciates by kappa ln 1.25, BB depreciates by as much; the
    /// starting world's own tariffs count for nothing; kappa = 0 moves nothing.
    #[test]
    fn the_levying_currency_rises_and_the_targeted_one_falls() {
        let sc = crate::model::testkit::world("");
        let td = &sc.trade;
        let f = td.idx(0, 1, 0);
        let mut tau = td.tariff0.clone();
        let mut fx = FxState::default();
        fx.reset(0.5, [4.0].into_iter(), td, &tau);
        fx.step(td, &tau);
        assert_eq!(fx.q, vec![0.0; 2]);
        tau[f] = (1.0 + td.tariff0[f]) * 1.25 - 1.0;
        fx.step(td, &tau);
        let want = 0.5 * 1.25f64.ln();
        assert!((fx.q[0] - want).abs() < 1e-12, "{:?}", fx.q);
        assert!((fx.q[1] + want).abs() < 1e-12);
        fx.reset(0.0, [4.0].into_iter(), td, &td.tariff0);
        fx.step(td, &tau);
        assert_eq!(fx.q, vec![0.0; 2]);
    }
}
