//! The solver of Block 2: Newton's method on the exporters' log supply
//! prices z_e = ln w_e, with an analytic Jacobian, a step limit and a
//! backtracking line search, everything in logs so that tariffs of 10,000 %
//! and elasticities of 20 neither overflow nor underflow. The equations are
//! in `super` (and docs/model.md, Block 2); exporters with infinite supply
//! elasticity keep w = 1.

use std::fmt;

#[path = "evaluate.rs"]
mod evaluate;
#[path = "factors.rs"]
mod factors;
use crate::math::{exp, ln};
use evaluate::{ces_log, evaluate, jacobian};
use factors::tariff_factors;

/// Run-independent data of one sector (from the baseline flows).
#[derive(Debug, Clone)]
pub struct SectorBase {
    pub ne: usize,
    /// Baseline flows V[e,i] (USD bn/yr), index `e * ne + i`.
    pub v: Vec<f64>,
    pub tau0: Vec<f64>,
    /// ln(1 + tau0[e,i]), so a solve takes logs only of tariffs that moved.
    pub ln1p_tau0: Vec<f64>,
    /// Baseline share of exporter e in importer i's import spending at
    /// buyers' prices, V[e,i] (1 + tau0[e,i]) (e != i).
    pub m: Vec<f64>,
    /// Baseline domestic share d_i of importer i's spending at buyers' prices.
    pub d: Vec<f64>,
    /// Baseline supply S_e = sum_i V[e,i], and ln S_e (taken once, not per
    /// evaluation).
    pub supply: Vec<f64>,
    ln_supply: Vec<f64>,
    /// Baseline absorption at buyers' prices, sum_e V[e,i] (1 + tau0[e,i]).
    pub absorption: Vec<f64>,
    /// Tariff lines per flow and their base-year shares, `k * nl + l`
    /// (one line of share 1 unless `with_lines`).
    pub nl: usize,
    pub line_share: Vec<f64>,
    /// The lines of each flow with a base-year share: `live[live_at[k]..live_at[k + 1]]`.
    live: Vec<usize>,
    live_at: Vec<usize>,
}

impl SectorBase {
    pub fn new(ne: usize, v: Vec<f64>, tau0: Vec<f64>) -> Self {
        let mut m = vec![0.0; ne * ne];
        let mut d = vec![0.0; ne];
        let mut supply = vec![0.0; ne];
        let mut absorption = vec![0.0; ne];
        for i in 0..ne {
            // CES weights are expenditure shares at baseline buyers' prices,
            // which include the base-year tariff (landed prices are 1 there).
            let spend =
                |e: usize| v[e * ne + i] * if e == i { 1.0 } else { 1.0 + tau0[e * ne + i] };
            let imports: f64 = (0..ne).filter(|&e| e != i).map(spend).sum();
            let total = imports + v[i * ne + i];
            for e in (0..ne).filter(|&e| e != i) {
                m[e * ne + i] = if imports > 0.0 {
                    spend(e) / imports
                } else {
                    0.0
                };
            }
            d[i] = if total > 0.0 {
                v[i * ne + i] / total
            } else {
                1.0
            };
            absorption[i] = (0..ne).map(spend).sum();
        }
        for e in 0..ne {
            supply[e] = (0..ne).map(|i| v[e * ne + i]).sum();
        }
        let ln1p_tau0 = tau0.iter().map(|t| ln(1.0 + t)).collect();
        let ln_supply = supply.iter().map(|&s| ln(s)).collect();
        SectorBase {
            ne,
            v,
            tau0,
            ln1p_tau0,
            m,
            d,
            supply,
            ln_supply,
            absorption,
            nl: 1,
            line_share: vec![1.0; ne * ne],
            live: vec![0; ne * ne],
            live_at: (0..=ne * ne).collect(),
        }
    }

    /// The same sector with its flows split into `nl` tariff lines with
    /// base-year shares `share[k * nl + l]`; tariffs are then given per line.
    pub fn with_lines(mut self, nl: usize, share: Vec<f64>) -> Self {
        let n = self.ne * self.ne;
        self.live.clear();
        self.live_at.clear();
        for k in 0..n {
            self.live_at.push(self.live.len());
            self.live
                .extend((0..nl).filter(|&l| share[k * nl + l] > 0.0));
        }
        self.live_at.push(self.live.len());
        self.nl = nl;
        self.line_share = share;
        self
    }

    /// Whether the tariff of a line with a base-year share differs between
    /// `a` and `b` (per line, `k * nl + l`) by more than `tol`; lines without
    /// one carry nothing and are never read by a solve.
    pub fn lines_moved(&self, a: &[f64], b: &[f64], tol: f64) -> bool {
        let nl = self.nl;
        (0..self.ne * self.ne).any(|k| {
            let (a, b) = (&a[k * nl..(k + 1) * nl], &b[k * nl..(k + 1) * nl]);
            self.live[self.live_at[k]..self.live_at[k + 1]]
                .iter()
                .any(|&l| (a[l] - b[l]).abs() > tol)
        })
    }
}

/// Parameters of one solve (sampled per run).
#[derive(Debug, Clone)]
pub struct EqParams {
    pub sigma_m: f64,
    pub sigma_d: f64,
    pub eta: f64,
    /// Export-supply elasticity per exporter; `f64::INFINITY` fixes w = 1.
    pub eps: Vec<f64>,
    /// Log real exchange rate of each economy against its baseline, q_e
    /// (up = appreciation; `super::super::exchange`): exporter e's goods
    /// cost importer i exp(q_e - q_i) more. Empty: no exchange-rate moves.
    pub fx: Vec<f64>,
}

/// The equilibrium of one sector, also the warm start of the next solve.
#[derive(Debug, Clone)]
pub struct EqSolution {
    pub z: Vec<f64>,
    /// w = exp(z) and PM = exp(ln_pm) at the solution, kept so the monthly
    /// loops do not take the same exponentials again.
    pub w: Vec<f64>,
    pub pm: Vec<f64>,
    /// x[e,i]: quantity relative to baseline.
    pub x: Vec<f64>,
    pub ln_pm: Vec<f64>,
    pub ln_p: Vec<f64>,
    /// Equilibrium flow values F*[e,i] = V w_e x[e,i] (USD bn/yr).
    pub flows: Vec<f64>,
    /// The tariff collected on each flow at the solution: its lines'
    /// tariffs weighted by their equilibrium quantities (the tariff itself
    /// with one line).
    pub tau_eff: Vec<f64>,
    /// Welfare decomposition (USD bn/yr): consumer surplus per importer,
    /// producer surplus per producer, tariff revenue change per importer.
    pub cs: Vec<f64>,
    pub ps: Vec<f64>,
    pub tr: Vec<f64>,
    /// Largest absolute log supply residual at the solution.
    pub residual: f64,
    pub iterations: u32,
}

impl EqSolution {
    /// The baseline: every price 1, every quantity ratio 1.
    pub fn baseline(base: &SectorBase) -> Self {
        let ne = base.ne;
        EqSolution {
            z: vec![0.0; ne],
            w: vec![1.0; ne],
            pm: vec![1.0; ne],
            x: vec![1.0; ne * ne],
            ln_pm: vec![0.0; ne],
            ln_p: vec![0.0; ne],
            flows: base.v.clone(),
            tau_eff: base.tau0.clone(),
            cs: vec![0.0; ne],
            ps: vec![0.0; ne],
            tr: vec![0.0; ne],
            residual: 0.0,
            iterations: 0,
        }
    }

    pub fn reset_to_baseline(&mut self, base: &SectorBase) {
        self.z.fill(0.0);
        self.w.fill(1.0);
        self.pm.fill(1.0);
        self.x.fill(1.0);
        self.ln_pm.fill(0.0);
        self.ln_p.fill(0.0);
        self.flows.copy_from_slice(&base.v);
        self.tau_eff.copy_from_slice(&base.tau0);
        self.cs.fill(0.0);
        self.ps.fill(0.0);
        self.tr.fill(0.0);
        self.residual = 0.0;
        self.iterations = 0;
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum EqError {
    NoConvergence { iterations: u32, residual: f64 },
    NonFinite { exporter: usize },
}

impl fmt::Display for EqError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EqError::NoConvergence {
                iterations,
                residual,
            } => {
                write!(
                    f,
                    "trade equilibrium did not converge after {iterations} Newton steps (largest log supply residual {residual:.3e})"
                )
            }
            EqError::NonFinite { exporter } => write!(
                f,
                "trade equilibrium produced a non-finite supply price for exporter #{exporter}"
            ),
        }
    }
}

impl std::error::Error for EqError {}

/// Solver tolerance on the largest log supply residual.
pub const TOL: f64 = 1e-11;
const MAX_ITER: u32 = 100;
/// Where Newton's method can make no further progress (the line search finds
/// no descent, or the steps run out), a residual this small is accepted as
/// the rounding floor: near a Cobb-Douglas limit the CES index
/// ln(sum) / (1 - sigma) amplifies rounding by 1 / |1 - sigma|, so TOL
/// itself can be out of reach (sigma_m = 1.0001 stalls at 1e-11 to 3e-11);
/// so can an ill-conditioned sector (flows over four orders of magnitude,
/// sigma near 26 and 10,000 % tariffs stall at 2e-11).
/// Only solves that would otherwise fail take this path. Closer still to
/// the limit the floor is wider (`rounding_floor`).
pub const FLOOR_TOL: f64 = 1e-9;
/// Substitution elasticities within this of 1 use the Cobb-Douglas form of
/// the CES index (`evaluate::ces_log`, and the fast evaluation steps aside).
pub(super) const COBB_DOUGLAS: f64 = 1e-9;

/// The residual a solve at parameters `p` can be sure to reach: `FLOOR_TOL`,
/// or, where a CES index is within 1.4e-5 of its Cobb-Douglas limit but
/// not at it, 64 ulps of the index's log sum amplified by 1 / |1 - sigma|:
/// ln(sum) / (1 - sigma) carries the rounding of the sum (a few ulps) over
/// |1 - sigma|, and nothing lower is reachable. sigma_domestic =
/// 1 - 3.1e-8 stalls at 1.7e-9 (london_framework, seed 1, run 868,507,
/// which failed before; the floor there is 4.6e-7). Only solves that would
/// otherwise fail take this path, so every solve that succeeds at
/// `FLOOR_TOL` keeps its bits.
pub fn rounding_floor(p: &EqParams) -> f64 {
    let r = [(1.0 - p.sigma_m).abs(), (1.0 - p.sigma_d).abs()]
        .into_iter()
        .filter(|r| *r >= COBB_DOUGLAS)
        .fold(f64::INFINITY, f64::min);
    FLOOR_TOL.max(64.0 * f64::EPSILON / r)
}
/// Supply prices beyond exp(+-60) mean the inputs are degenerate.
const Z_LIMIT: f64 = 60.0;

/// The tariff part of the landed prices of one solve, at one import
/// elasticity (`factors::tariff_factors`).
#[derive(Debug, Clone, Default)]
struct Factors {
    /// Per flow: the log tariff factor of the import price index, ln T_a,
    /// and of the quantity, ln T_b (equal, ln T, with one line).
    ln_t: Vec<f64>,
    ln_tb: Vec<f64>,
    /// m[e,i] T[e,i]^(1-sm) and T[e,i]^(-sm), fixed during a solve, by
    /// importer (`i * ne + e`, 0 for the domestic flow), so that an
    /// importer's sums run over contiguous memory without skipping i.
    am_t: Vec<f64>,
    bm_t: Vec<f64>,
    /// The tariff collected on each flow.
    tau_eff: Vec<f64>,
}

/// Scratch space reused across solves.
#[derive(Debug, Clone, Default)]
pub struct Workspace {
    /// The factors of the current solve or evaluation.
    f: Factors,
    /// The short run's factors, computed by `solve` together with the long
    /// run's when it is given the short-run parameters
    /// (`short_run_after_solve` uses them), and for which elasticity.
    f_sr: Factors,
    sr_sigma: Option<f64>,
    /// The tariff-only factors of this sector's last solve (`factors::Memo`),
    /// kept only by a workspace made with `for_one_sector`.
    memo: factors::Memo,
    /// One flow's live lines: (share, ln T, tariff).
    lines: Vec<(f64, f64, f64)>,
    e1: Vec<f64>,
    e2: Vec<f64>,
    /// Shares of exporter e in importer i's imports, by importer (`i * ne + e`,
    /// 0 for e = i), and the domestic share of each importer's spending.
    sm: Vec<f64>,
    sd: Vec<f64>,
    /// Demand for each exporter's goods at baseline prices, sum_i V[e,i] x[e,i].
    dsum: Vec<f64>,
    g: Vec<f64>,
    jac: Vec<f64>,
    unknowns: Vec<usize>,
    z_try: Vec<f64>,
    dz: Vec<f64>,
    a: Vec<f64>,
    b: Vec<f64>,
    lnd: Vec<f64>,
}

impl Workspace {
    /// A workspace that serves one sector only, for a whole run: it keeps
    /// the sector's tariff factors between solves and recomputes only those
    /// of flows whose tariffs moved (`factors::Memo`). `forget` at the start
    /// of each run; a workspace shared between sectors must not be made this
    /// way.
    pub fn for_one_sector() -> Self {
        let mut ws = Workspace::default();
        ws.memo.enabled = true;
        ws
    }

    /// Drop the remembered factors (the start of a run: new parameters).
    pub fn forget(&mut self) {
        self.memo.key = None;
    }
}

fn max_abs(ws: &Workspace) -> f64 {
    ws.unknowns
        .iter()
        .map(|&e| ws.g[e].abs())
        .fold(0.0, f64::max)
}

/// Solve `a x = b` (n x n, row-major) in place by Gaussian elimination with
/// partial pivoting; false if singular.
fn lu_solve(a: &mut [f64], b: &mut [f64], n: usize) -> bool {
    for c in 0..n {
        let piv = (c..n)
            .max_by(|&r1, &r2| a[r1 * n + c].abs().total_cmp(&a[r2 * n + c].abs()))
            .unwrap_or(c);
        if a[piv * n + c].abs() < 1e-300 {
            return false;
        }
        if piv != c {
            for k in 0..n {
                a.swap(c * n + k, piv * n + k);
            }
            b.swap(c, piv);
        }
        let (top, below) = a.split_at_mut((c + 1) * n);
        let pivot_row = &top[c * n + c..(c + 1) * n];
        for r in 0..n - c - 1 {
            let row = &mut below[r * n + c..(r + 1) * n];
            let f = row[0] / pivot_row[0];
            if f != 0.0 {
                for (x, y) in row.iter_mut().zip(pivot_row) {
                    *x -= f * y;
                }
                b[c + 1 + r] -= f * b[c];
            }
        }
    }
    for c in (0..n).rev() {
        let mut s = b[c];
        for k in c + 1..n {
            s -= a[c * n + k] * b[k];
        }
        b[c] = s / a[c * n + c];
    }
    true
}

/// Quantities, prices of the composites and flows of a sector at given
/// exporter prices `z` (no supply clearing): the short run of model 2, where
/// prices are those of the long-run solution and buyers substitute with the
/// short-run elasticities `p` (Blocks 2 and 3, docs/model.md).
pub fn quantities_at(
    base: &SectorBase,
    p: &EqParams,
    tau: &[f64],
    z: &[f64],
    sol: &mut EqSolution,
    ws: &mut Workspace,
) {
    prepare(base, p, None, tau, sol, ws);
    short_run_at(base, p, z, sol, ws);
}

/// `quantities_at` the long-run prices `z` of the `solve` just done for the
/// same sector and tariffs, which was given these short-run parameters `p`:
/// its tariff factors for them are ready (the same numbers, computed in one
/// pass with the long run's).
pub fn short_run_after_solve(
    base: &SectorBase,
    p: &EqParams,
    tau: &[f64],
    z: &[f64],
    sol: &mut EqSolution,
    ws: &mut Workspace,
) {
    if ws.sr_sigma == Some(p.sigma_m) {
        std::mem::swap(&mut ws.f, &mut ws.f_sr);
        ws.sr_sigma = None;
        sol.tau_eff.copy_from_slice(&ws.f.tau_eff);
        short_run_at(base, p, z, sol, ws);
    } else {
        quantities_at(base, p, tau, z, sol, ws);
    }
}

fn short_run_at(
    base: &SectorBase,
    p: &EqParams,
    z: &[f64],
    sol: &mut EqSolution,
    ws: &mut Workspace,
) {
    evaluate(base, p, z, sol, ws, false);
    prices_and_flows(base, z, sol);
    sol.z.copy_from_slice(z);
    sol.residual = 0.0;
    sol.iterations = 0;
}

/// The per-solve state: tariff factors (and, with `sr`, the short run's at
/// its import elasticity) and scratch sizes.
fn prepare(
    base: &SectorBase,
    p: &EqParams,
    sr: Option<&EqParams>,
    tau: &[f64],
    sol: &mut EqSolution,
    ws: &mut Workspace,
) {
    let ne = base.ne;
    let sr_sigma = sr.map(|q| q.sigma_m);
    tariff_factors(base, p, sr_sigma, tau, ws);
    ws.sr_sigma = sr_sigma;
    sol.tau_eff.copy_from_slice(&ws.f.tau_eff);
    ws.sm.resize(ne * ne, 0.0);
    ws.sd.resize(ne, 0.0);
    ws.g.resize(ne, 0.0);
    ws.lnd.resize(ne, 0.0);
    ws.dsum.resize(ne, 0.0);
}

/// Exporter prices, flow values and import price indices at log prices `z`
/// from the quantities of the last evaluation.
fn prices_and_flows(base: &SectorBase, z: &[f64], sol: &mut EqSolution) {
    let ne = base.ne;
    for e in 0..ne {
        let w = exp(z[e]);
        sol.w[e] = w;
        for i in 0..ne {
            let k = e * ne + i;
            sol.flows[k] = base.v[k] * w * sol.x[k];
        }
    }
    for i in 0..ne {
        sol.pm[i] = exp(sol.ln_pm[i]);
    }
}

/// Solve the sector equilibrium at tariffs `tau` (index `e * ne + i`),
/// starting from `sol.z` (warm start), and fill `sol`. With `sr`, the
/// short-run parameters of the same sector, the tariff factors of the short
/// run are computed too, for `short_run_after_solve`.
///
/// # Errors
/// `EqError` if Newton's method does not reach `TOL`; the caller adds the
/// run, sector and parameter values.
pub fn solve(
    base: &SectorBase,
    p: &EqParams,
    sr: Option<&EqParams>,
    tau: &[f64],
    sol: &mut EqSolution,
    ws: &mut Workspace,
) -> Result<(), EqError> {
    let ne = base.ne;
    prepare(base, p, sr, tau, sol, ws);
    ws.unknowns.clear();
    ws.unknowns
        .extend((0..ne).filter(|&e| base.supply[e] > 0.0 && p.eps[e].is_finite()));
    let mut z = std::mem::take(&mut sol.z);
    for e in 0..ne {
        if !ws.unknowns.contains(&e) || !z[e].is_finite() {
            z[e] = 0.0;
        }
    }
    let n = ws.unknowns.len();
    let mut iterations = 0;
    evaluate(base, p, &z, sol, ws, n > 0);
    let mut res = max_abs(ws);
    while res > TOL && iterations < MAX_ITER {
        iterations += 1;
        ws.a.clear();
        ws.a.extend_from_slice(&ws.jac);
        ws.b.clear();
        ws.b.extend(ws.unknowns.iter().map(|&e| -ws.g[e]));
        let mut a = std::mem::take(&mut ws.a);
        let mut b = std::mem::take(&mut ws.b);
        let ok = lu_solve(&mut a, &mut b, n);
        // Fall back to a damped diagonal step if the Jacobian is singular.
        if !ok {
            for (k, &e) in ws.unknowns.iter().enumerate() {
                b[k] = ws.g[e] / (1.0 + p.eps[e]);
            }
        }
        // Limit the step: a Newton step larger than e^2 in price is not trusted.
        let big = b.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let scale = if big > 2.0 { 2.0 / big } else { 1.0 };
        ws.dz.clear();
        ws.dz.extend(b.iter().map(|x| x * scale));
        ws.a = a;
        ws.b = b;
        let sumsq = |ws: &Workspace| ws.unknowns.iter().map(|&e| ws.g[e] * ws.g[e]).sum::<f64>();
        let f0 = sumsq(ws);
        let mut alpha = 1.0;
        let mut accepted = false;
        ws.z_try.clear();
        ws.z_try.extend_from_slice(&z);
        for _ in 0..40 {
            for (k, &e) in ws.unknowns.iter().enumerate() {
                ws.z_try[e] = z[e] + alpha * ws.dz[k];
            }
            let zt = std::mem::take(&mut ws.z_try);
            // An accepted trial point is the next iterate; its Jacobian is
            // computed below only if another step is needed.
            evaluate(base, p, &zt, sol, ws, false);
            ws.z_try = zt;
            let f1 = sumsq(ws);
            if f1.is_finite() && f1 <= (1.0 - 1e-4 * alpha) * f0 {
                accepted = true;
                break;
            }
            alpha *= 0.5;
        }
        if !accepted {
            // No descent: restore, then stop at the rounding floor or report.
            evaluate(base, p, &z, sol, ws, false);
            if res <= rounding_floor(p) {
                break;
            }
            sol.z = z;
            return Err(EqError::NoConvergence {
                iterations,
                residual: res,
            });
        }
        z.copy_from_slice(&ws.z_try);
        if let Some(&e) = ws
            .unknowns
            .iter()
            .find(|&&e| !z[e].is_finite() || z[e].abs() > Z_LIMIT)
        {
            sol.z = z;
            return Err(EqError::NonFinite { exporter: e });
        }
        // The line search left the evaluation of the accepted point in place.
        res = max_abs(ws);
        if res > TOL {
            jacobian(base, p, sol, ws);
        }
    }
    if res.is_nan() || res > rounding_floor(p) {
        sol.z = z;
        return Err(EqError::NoConvergence {
            iterations,
            residual: res,
        });
    }
    // Flows and prices at the solution (the welfare decomposition is
    // `super::welfare`).
    prices_and_flows(base, &z, sol);
    sol.z = z;
    sol.residual = res;
    sol.iterations = iterations;
    Ok(())
}

#[cfg(test)]
#[path = "solver_tests.rs"]
mod tests;
