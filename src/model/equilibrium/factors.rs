//! The tariff part of the landed prices of one solve (Block 2): log tariff
//! factors per flow, and for flows split into tariff lines (model 2) the
//! CES aggregates over lines and the tariff collected on the flow.

use super::*;

/// Tariff factors of flows split into lines (model 2). A flow's lines are
/// varieties of the import nest with base-year shares s_l and tariff
/// factors T_l = (1 + tau_l) / (1 + tau0):
///   a_m = m sum_l s_l T_l^(1-sm),   b_m = sum_l s_l T_l^(-sm)
/// so the flow's price index term and quantity are those of one variety with
/// ln T_a = ln(sum_l s_l T_l^(1-sm)) / (1-sm) and ln T_b = ln(b_m) / (-sm),
/// computed in logs (`ces_log`). The tariff collected on the flow is its
/// lines' tariffs weighted by their quantities, s_l T_l^(-sm) / b_m.
fn line_factors(
    base: &SectorBase,
    p: &EqParams,
    tau: &[f64],
    sol: &mut EqSolution,
    ws: &mut Workspace,
) {
    let (ne, nl, sm) = (base.ne, base.nl, p.sigma_m);
    ws.ln_t.clear();
    ws.ln_tb.clear();
    ws.a_m.clear();
    ws.b_m.clear();
    for k in 0..ne * ne {
        let live = &base.live[base.live_at[k]..base.live_at[k + 1]];
        let t0 = base.tau0[k];
        // Lines with no base-year share carry nothing; when every line that
        // does has the same tariff, the flow is one variety at that tariff
        // (the one-line formulas, bit for bit).
        let first = live.first().map_or(t0, |&l| tau[k * nl + l]);
        let uniform = live.iter().all(|&l| tau[k * nl + l] == first);
        if uniform {
            let l = if first == t0 && base.ln1p_tau0[k].is_finite() {
                0.0
            } else {
                (1.0 + first).ln() - base.ln1p_tau0[k]
            };
            ws.ln_t.push(l);
            ws.ln_tb.push(l);
            if l == 0.0 && sm.is_finite() {
                ws.a_m.push(base.m[k]);
                ws.b_m.push(1.0);
            } else {
                ws.a_m.push(base.m[k] * exp((1.0 - sm) * l));
                ws.b_m.push(exp(-sm * l));
            }
            sol.tau_eff[k] = first;
            continue;
        }
        // ln T_l of the live lines, once.
        ws.lines.clear();
        ws.lines.extend(live.iter().map(|&l| {
            let (s, t) = (base.line_share[k * nl + l], tau[k * nl + l]);
            let ln = if t == t0 {
                0.0
            } else {
                (1.0 + t).ln() - base.ln1p_tau0[k]
            };
            (s, ln, t)
        }));
        // Direct sums when they are finite and positive; the log-sum-exp
        // form (`ces_log`) otherwise (tariffs of 10,000 %, large sigma).
        let (mut ea, mut eb, mut num) = (0.0, 0.0, 0.0);
        for &(s, l, t) in &ws.lines {
            let b = s * exp(-sm * l);
            ea += s * exp((1.0 - sm) * l);
            eb += b;
            num += b * t;
        }
        let direct = sm.is_finite()
            && (1.0 - sm).abs() >= 1e-9
            && ea.is_finite()
            && eb.is_finite()
            && ea > 0.0
            && eb > 0.0
            && num.is_finite();
        if direct {
            ws.ln_t.push(ea.ln() / (1.0 - sm));
            ws.ln_tb.push(eb.ln() / -sm);
            ws.a_m.push(base.m[k] * ea);
            ws.b_m.push(eb);
            sol.tau_eff[k] = num / eb;
            continue;
        }
        let lines = || ws.lines.iter().map(|&(s, l, _)| (s, l));
        let (la, lb) = if sm.is_finite() {
            (ces_log(lines(), sm), ces_log(lines(), 1.0 + sm))
        } else {
            // Perfect substitutes: only the cheapest line trades.
            let lo = lines().map(|(_, l)| l).fold(f64::INFINITY, f64::min);
            (lo, lo)
        };
        // Collected rate: quantity weights s_l T_l^(-sm), relative to the
        // largest for range.
        let w_max = lines()
            .map(|(_, l)| -sm * l)
            .fold(f64::NEG_INFINITY, f64::max);
        let (mut num, mut den) = (0.0, 0.0);
        for &(s, l, t) in &ws.lines {
            let w = s * exp(-sm * l - w_max);
            num += w * t;
            den += w;
        }
        ws.ln_t.push(la);
        ws.ln_tb.push(lb);
        ws.a_m.push(base.m[k] * exp((1.0 - sm) * la));
        ws.b_m.push(exp(-sm * lb));
        sol.tau_eff[k] = if den > 0.0 && num.is_finite() {
            num / den
        } else {
            t0
        };
    }
}

/// The per-solve tariff part of every landed price: `ln_t` (price index)
/// and `ln_tb` (quantity) per flow, and `a_m`, `b_m` of the fast path; the
/// tariff collected on each flow in `sol.tau_eff`.
pub(super) fn tariff_factors(
    base: &SectorBase,
    p: &EqParams,
    tau: &[f64],
    sol: &mut EqSolution,
    ws: &mut Workspace,
) {
    let ne = base.ne;
    // Most flows keep their base-year tariff: their log tariff factor is
    // exactly 0 and its powers exactly 1, so no logarithm or exponential is
    // taken for them (the values are bit-for-bit what the formulas give).
    let finite_sm = p.sigma_m.is_finite();
    if base.nl == 1 {
        ws.ln_t.clear();
        ws.ln_t.extend((0..ne * ne).map(|k| {
            if tau[k] == base.tau0[k] && base.ln1p_tau0[k].is_finite() {
                0.0
            } else {
                (1.0 + tau[k]).ln() - base.ln1p_tau0[k]
            }
        }));
        ws.ln_tb.clone_from(&ws.ln_t);
        ws.a_m.clear();
        ws.a_m.extend((0..ne * ne).map(|k| {
            if ws.ln_t[k] == 0.0 && finite_sm {
                base.m[k]
            } else {
                base.m[k] * exp((1.0 - p.sigma_m) * ws.ln_t[k])
            }
        }));
        ws.b_m.clear();
        ws.b_m.extend((0..ne * ne).map(|k| {
            if ws.ln_t[k] == 0.0 && finite_sm {
                1.0
            } else {
                exp(-p.sigma_m * ws.ln_t[k])
            }
        }));
        sol.tau_eff.copy_from_slice(tau);
    } else {
        line_factors(base, p, tau, sol, ws);
    }
    if !p.fx.is_empty() {
        exchange_wedge(base, p, ws);
    }
}

/// Exchange rates (model 2): exporter e's goods cost importer i
/// exp(q_e - q_i) more on top of the tariff, so the wedge w = q_e - q_i adds
/// to both log factors of a foreign flow,
///   ln T_a += w,  ln T_b += w,  a_m *= exp((1-sm) w),  b_m *= exp(-sm w),
/// and to no domestic flow. The tariff collected (`tau_eff`) is unchanged.
fn exchange_wedge(base: &SectorBase, p: &EqParams, ws: &mut Workspace) {
    let ne = base.ne;
    for e in 0..ne {
        for i in (0..ne).filter(|&i| i != e) {
            let w = p.fx[e] - p.fx[i];
            if w == 0.0 {
                continue;
            }
            let k = e * ne + i;
            ws.ln_t[k] += w;
            ws.ln_tb[k] += w;
            ws.a_m[k] *= exp((1.0 - p.sigma_m) * w);
            ws.b_m[k] *= exp(-p.sigma_m * w);
        }
    }
}
