//! The evaluation of Block 2's system at given log supply prices z: the
//! quantities, the log supply residuals g_e = ln D_e(z) - ln S_e - eps_e z_e
//! and their Jacobian (the equations in `super::super`, docs/model.md Block
//! 2), by a fast path that factors every power of a landed price into a
//! per-solve tariff part and a per-evaluation price part, and an all-logs
//! reference path for magnitudes the fast one cannot hold.

use super::*;

/// log of a CES index: ln( sum_k a_k exp((1-s) l_k) ) / (1-s), and the
/// current shares; the Cobb-Douglas limit for s near 1.
#[inline]
pub(super) fn ces_log(a: impl Iterator<Item = (f64, f64)> + Clone, s: f64) -> f64 {
    let r = 1.0 - s;
    if r.abs() < COBB_DOUGLAS {
        let (mut num, mut den) = (0.0, 0.0);
        for (w, l) in a {
            num += w * l;
            den += w;
        }
        return if den > 0.0 { num / den } else { 0.0 };
    }
    let mut mx = f64::NEG_INFINITY;
    for (w, l) in a.clone() {
        if w > 0.0 {
            mx = mx.max(r * l);
        }
    }
    if !mx.is_finite() {
        return 0.0;
    }
    let mut sum = 0.0;
    for (w, l) in a {
        if w > 0.0 {
            sum += w * exp(r * l - mx);
        }
    }
    (ln(sum) + mx) / r
}

/// Evaluate quantities and log supply residuals at `z` (and, with `jac`,
/// the Jacobian). The fast path factors every power of a landed price into a
/// per-solve tariff part and a per-evaluation price part, so it needs O(ne)
/// exponentials instead of O(ne^2); if anything overflows it falls back to
/// the all-logs reference evaluation.
pub(super) fn evaluate(
    base: &SectorBase,
    p: &EqParams,
    z: &[f64],
    sol: &mut EqSolution,
    ws: &mut Workspace,
    with_jac: bool,
) {
    if !fast_evaluate(base, p, z, sol, ws) {
        evaluate_log(base, p, z, sol, ws);
    }
    if with_jac {
        jacobian(base, p, sol, ws);
    }
}

pub(super) fn fast_evaluate(
    base: &SectorBase,
    p: &EqParams,
    z: &[f64],
    sol: &mut EqSolution,
    ws: &mut Workspace,
) -> bool {
    let ne = base.ne;
    let (sm_, sd_, eta) = (p.sigma_m, p.sigma_d, p.eta);
    // Cobb-Douglas limits need the log form.
    if (1.0 - sm_).abs() < COBB_DOUGLAS || (1.0 - sd_).abs() < COBB_DOUGLAS {
        return false;
    }
    let z = &z[..ne];
    ws.e1.clear();
    ws.e1.extend(z.iter().map(|z| exp((1.0 - sm_) * z)));
    ws.e2.clear();
    ws.e2.extend(z.iter().map(|z| exp(-sm_ * z)));
    let (e1, e2) = (&ws.e1[..ne], &ws.e2[..ne]);
    for i in 0..ne {
        let di = base.d[i];
        let row = i * ne..(i + 1) * ne;
        let shares = &mut ws.sm[row.clone()];
        let (ln_pm, pm_pow) = if di < 1.0 {
            // The domestic entry of `am_t` is 0: it adds nothing to the sum.
            let am = &ws.f.am_t[row.clone()];
            let mut sum = 0.0;
            for e in 0..ne {
                let t = am[e] * e1[e];
                shares[e] = t;
                sum += t;
            }
            if !(sum > 0.0 && sum.is_finite()) {
                return false;
            }
            for s in shares.iter_mut() {
                *s /= sum;
            }
            let ln_pm = ln(sum) / (1.0 - sm_);
            (ln_pm, exp(sm_ * ln_pm))
        } else {
            shares.fill(0.0);
            (0.0, 1.0)
        };
        let ln_p = if di >= 1.0 {
            z[i]
        } else if di <= 0.0 {
            ln_pm
        } else {
            let r = 1.0 - sd_;
            let a = di * exp(r * z[i]);
            let b = (1.0 - di) * exp(r * ln_pm);
            ws.sd[i] = a / (a + b);
            ln(a + b) / r
        };
        if !(0.0..1.0).contains(&di) || di == 0.0 {
            // Only domestic supply (d = 1) or only imports (d = 0).
            ws.sd[i] = di.clamp(0.0, 1.0);
        }
        let ln_q = -eta * ln_p;
        sol.ln_pm[i] = ln_pm;
        sol.ln_p[i] = ln_p;
        let xm = exp(-sd_ * (ln_pm - ln_p) + ln_q);
        let scale = pm_pow * xm;
        let bm = &ws.f.bm_t[row];
        for e in 0..ne {
            sol.x[e * ne + i] = bm[e] * e2[e] * scale;
        }
        sol.x[i * ne + i] = exp(-sd_ * (z[i] - ln_p) + ln_q);
    }
    let mut finite = true;
    for e in 0..ne {
        let row = e * ne..(e + 1) * ne;
        let (v, x) = (&base.v[row.clone()], &sol.x[row]);
        let mut dsum = 0.0;
        for i in 0..ne {
            dsum += v[i] * x[i];
            finite &= x[i].is_finite();
        }
        if !dsum.is_finite() {
            return false;
        }
        set_residual(base, p, z, e, dsum, ws);
    }
    finite
}

/// Exporter e's demand at baseline prices `dsum` = sum_i V[e,i] x[e,i] and
/// its log supply residual g_e = ln dsum - ln S_e - eps_e z_e (0 where w_e
/// is fixed: no supply, or an infinite supply elasticity).
#[inline]
fn set_residual(
    base: &SectorBase,
    p: &EqParams,
    z: &[f64],
    e: usize,
    dsum: f64,
    ws: &mut Workspace,
) {
    ws.dsum[e] = dsum;
    ws.lnd[e] = ln(dsum);
    ws.g[e] = if base.supply[e] > 0.0 && p.eps[e].is_finite() {
        ws.lnd[e] - base.ln_supply[e] - p.eps[e] * z[e]
    } else {
        0.0
    };
}

/// Reference evaluation entirely in logs (robust to any magnitude): fills
/// quantities, the log supply residuals and the shares the Jacobian needs.
pub(super) fn evaluate_log(
    base: &SectorBase,
    p: &EqParams,
    z: &[f64],
    sol: &mut EqSolution,
    ws: &mut Workspace,
) {
    let ne = base.ne;
    let (sm_, sd_, eta) = (p.sigma_m, p.sigma_d, p.eta);
    for i in 0..ne {
        let has_imports = base.d[i] < 1.0;
        let ln_pm = if has_imports {
            let it = (0..ne)
                .filter(move |&e| e != i)
                .map(|e| (base.m[e * ne + i], z[e] + ws.f.ln_t[e * ne + i]));
            ces_log(it, sm_)
        } else {
            0.0
        };
        let di = base.d[i];
        let ln_p = if di >= 1.0 {
            z[i]
        } else if di <= 0.0 {
            ln_pm
        } else {
            ces_log([(di, z[i]), (1.0 - di, ln_pm)].into_iter(), sd_)
        };
        let ln_q = -eta * ln_p;
        sol.ln_pm[i] = ln_pm;
        sol.ln_p[i] = ln_p;
        ws.sd[i] = if di >= 1.0 {
            1.0
        } else if di <= 0.0 {
            0.0
        } else {
            di * exp((1.0 - sd_) * (z[i] - ln_p))
        };
        sol.x[i * ne + i] = exp(-sd_ * (z[i] - ln_p) + ln_q);
        let ln_xm = -sd_ * (ln_pm - ln_p) + ln_q;
        for e in (0..ne).filter(|&e| e != i) {
            let k = e * ne + i;
            let lp = z[e] + ws.f.ln_t[k];
            sol.x[k] = exp(-sm_ * (z[e] + ws.f.ln_tb[k] - ln_pm) + ln_xm);
            ws.sm[i * ne + e] = if has_imports {
                base.m[k] * exp((1.0 - sm_) * (lp - ln_pm))
            } else {
                0.0
            };
        }
        ws.sm[i * ne + i] = 0.0;
    }
    for e in 0..ne {
        let mut dsum = 0.0;
        for i in 0..ne {
            dsum += base.v[e * ne + i] * sol.x[e * ne + i];
        }
        set_residual(base, p, z, e, dsum, ws);
    }
}

/// Jacobian of the log supply residuals of the unknowns with respect to z,
/// from the quantities and shares of the last evaluation.
pub(super) fn jacobian(base: &SectorBase, p: &EqParams, sol: &EqSolution, ws: &mut Workspace) {
    // d ln x[e,i] / d z_k = -sm [e=k] + (sm - sd) dlnPM_i/dz_k + (sd - eta) dlnP_i/dz_k   (e != i)
    //                     = -sd [i=k] + (sd - eta) dlnP_i/dz_k                          (e == i)
    // with dlnPM_i/dz_k = share of k in i's imports (k != i) and
    //      dlnP_i/dz_k  = sd_i [k=i] + (1 - sd_i) dlnPM_i/dz_k.
    // Per importer, the two price derivatives are rows over the unknowns, so
    // each residual row is a weighted sum of those rows (weights omega, the
    // shares of each destination in exporter e's sales).
    let ne = base.ne;
    let (sm_, sd_, eta) = (p.sigma_m, p.sigma_d, p.eta);
    let n = ws.unknowns.len();
    ws.jac.clear();
    ws.jac.resize(n * n, 0.0);
    ws.a.clear();
    ws.a.resize(2 * ne * n, 0.0);
    let (imp_rows, dom_rows) = ws.a.split_at_mut(ne * n);
    for i in 0..ne {
        let smi = 1.0 - ws.sd[i];
        // The import shares by importer: `sm[i * ne + i]` is 0.
        let shares = &ws.sm[i * ne..(i + 1) * ne];
        let imp = &mut imp_rows[i * n..(i + 1) * n];
        let dom = &mut dom_rows[i * n..(i + 1) * n];
        for (b, &k) in ws.unknowns.iter().enumerate() {
            let dpm = shares[k];
            let dp = if k == i { ws.sd[i] } else { smi * dpm };
            imp[b] = (sm_ - sd_) * dpm + (sd_ - eta) * dp;
            dom[b] = (sd_ - eta) * dp;
        }
    }
    for (a, &e) in ws.unknowns.iter().enumerate() {
        let dtot = ws.dsum[e];
        let row = &mut ws.jac[a * n..(a + 1) * n];
        let mut diag = -p.eps[e];
        let (v, x) = (&base.v[e * ne..(e + 1) * ne], &sol.x[e * ne..(e + 1) * ne]);
        for i in 0..ne {
            let omega = v[i] * x[i] / dtot;
            if omega == 0.0 {
                continue;
            }
            let src = if e != i {
                diag -= sm_ * omega;
                &imp_rows[i * n..(i + 1) * n]
            } else {
                diag -= sd_ * omega;
                &dom_rows[i * n..(i + 1) * n]
            };
            axpy(omega, src, row);
        }
        row[a] += diag;
    }
}

/// y += a x, in fixed chunks of 4 so that the compiler keeps the chunks in
/// vector registers (the same operations, element by element, as a plain
/// loop).
#[inline]
fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    let mut yc = y.chunks_exact_mut(4);
    let mut xc = x.chunks_exact(4);
    for (y4, x4) in (&mut yc).zip(&mut xc) {
        for j in 0..4 {
            y4[j] += a * x4[j];
        }
    }
    for (y, x) in yc.into_remainder().iter_mut().zip(xc.remainder()) {
        *y += a * x;
    }
}
