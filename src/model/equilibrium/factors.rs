//! The tariff part of the landed prices of one solve (Block 2): log tariff
//! factors per flow, and for flows split into tariff lines (model 2) the
//! CES aggregates over lines and the tariff collected on the flow.

use super::*;

/// A sector's tariff-only factors (before the exchange-rate wedge and the
/// zeroed domestic entries) at the line tariffs `at`, kept between the
/// solves of one run by a workspace that serves one sector
/// (`Workspace::for_one_sector`). A flow's factors depend only on its own
/// line tariffs and the import elasticity, and a month's re-solve moves the
/// tariffs of a few of a sector's flows (an exchange-rate move alone, none):
/// only those are recomputed. A kept flow has exactly the bits a
/// recomputation would give.
#[derive(Debug, Clone, Default)]
pub(super) struct Memo {
    pub(super) enabled: bool,
    /// The bits of the long- and short-run import elasticities the factors
    /// were computed for; `None`: nothing kept.
    pub(super) key: Option<(u64, Option<u64>)>,
    at: Vec<f64>,
    f: Factors,
    f_sr: Factors,
}

/// Whether the lines `live` of a flow have the same tariffs (bit for bit)
/// in `a` and `b`.
#[inline]
fn same_lines(live: &[usize], a: &[f64], b: &[f64]) -> bool {
    live.iter().all(|&l| a[l].to_bits() == b[l].to_bits())
}

/// Tariff factors of flows split into lines (model 2). A flow's lines are
/// varieties of the import nest with base-year shares s_l and tariff
/// factors T_l = (1 + tau_l) / (1 + tau0):
///   a_m = m sum_l s_l T_l^(1-sm),   b_m = sum_l s_l T_l^(-sm)
/// so the flow's price index term and quantity are those of one variety with
/// ln T_a = ln(sum_l s_l T_l^(1-sm)) / (1-sm) and ln T_b = ln(b_m) / (-sm),
/// computed in logs (`ces_log`). The tariff collected on the flow is its
/// lines' tariffs weighted by their quantities, s_l T_l^(-sm) / b_m.
/// Flows whose live lines have the tariffs of `kept` keep their factors.
fn line_factors(
    base: &SectorBase,
    tau: &[f64],
    kept: Option<&[f64]>,
    lines: &mut Vec<(f64, f64, f64)>,
    to: &mut [(f64, &mut Factors)],
) {
    let (ne, nl) = (base.ne, base.nl);
    for e in 0..ne {
        for i in 0..ne {
            let k = e * ne + i;
            let live = &base.live[base.live_at[k]..base.live_at[k + 1]];
            let tau_k = &tau[k * nl..(k + 1) * nl];
            if kept.is_some_and(|at| same_lines(live, tau_k, &at[k * nl..(k + 1) * nl])) {
                continue;
            }
            let t0 = base.tau0[k];
            // Lines with no base-year share carry nothing; when every line
            // that does has the same tariff, the flow is one variety at that
            // tariff (the one-line formulas, bit for bit).
            let first = live.first().map_or(t0, |&l| tau_k[l]);
            if live.iter().all(|&l| tau_k[l] == first) {
                let l = if first == t0 && base.ln1p_tau0[k].is_finite() {
                    0.0
                } else {
                    ln(1.0 + first) - base.ln1p_tau0[k]
                };
                for (sm, f) in to.iter_mut() {
                    f.set(ne, e, i, one_variety(l, base.m[k], *sm));
                    f.tau_eff[k] = first;
                }
                continue;
            }
            // ln T_l of the live lines, once.
            lines.clear();
            lines.extend(live.iter().map(|&l| {
                let (s, t) = (base.line_share[k * nl + l], tau_k[l]);
                let ln_t = if t == t0 {
                    0.0
                } else {
                    ln(1.0 + t) - base.ln1p_tau0[k]
                };
                (s, ln_t, t)
            }));
            for (sm, f) in to.iter_mut() {
                let (v, tau_eff) = mixed_flow(lines, base.m[k], *sm, t0);
                f.set(ne, e, i, v);
                f.tau_eff[k] = tau_eff;
            }
        }
    }
}

/// The factors (ln T_a, ln T_b, a_m, b_m) of a flow at one tariff whose log
/// factor is `l`: exactly (0, 0, m, 1) at the base-year tariff.
#[inline]
fn one_variety(l: f64, m: f64, sm: f64) -> (f64, f64, f64, f64) {
    if l == 0.0 && sm.is_finite() {
        (l, l, m, 1.0)
    } else {
        (l, l, m * exp((1.0 - sm) * l), exp(-sm * l))
    }
}

/// The factors (ln T_a, ln T_b, a_m, b_m) of a flow whose live lines
/// `lines` = (share, ln T_l, tariff) have different tariffs, and the tariff
/// collected on it.
fn mixed_flow(lines: &[(f64, f64, f64)], m: f64, sm: f64, t0: f64) -> ((f64, f64, f64, f64), f64) {
    // Direct sums when they are finite and positive; the log-sum-exp form
    // (`ces_log`) otherwise (tariffs of 10,000 %, large sigma).
    let (mut ea, mut eb, mut num) = (0.0, 0.0, 0.0);
    for &(s, l, t) in lines {
        let b = s * exp(-sm * l);
        ea += s * exp((1.0 - sm) * l);
        eb += b;
        num += b * t;
    }
    let direct = sm.is_finite()
        && (1.0 - sm).abs() >= COBB_DOUGLAS
        && ea.is_finite()
        && eb.is_finite()
        && ea > 0.0
        && eb > 0.0
        && num.is_finite();
    if direct {
        return ((ln(ea) / (1.0 - sm), ln(eb) / -sm, m * ea, eb), num / eb);
    }
    let sl = || lines.iter().map(|&(s, l, _)| (s, l));
    let (la, lb) = if sm.is_finite() {
        (ces_log(sl(), sm), ces_log(sl(), 1.0 + sm))
    } else {
        // Perfect substitutes: only the cheapest line trades.
        let lo = sl().map(|(_, l)| l).fold(f64::INFINITY, f64::min);
        (lo, lo)
    };
    // Collected rate: quantity weights s_l T_l^(-sm), relative to the
    // largest for range.
    let w_max = sl().map(|(_, l)| -sm * l).fold(f64::NEG_INFINITY, f64::max);
    let (mut num, mut den) = (0.0, 0.0);
    for &(s, l, t) in lines {
        let w = s * exp(-sm * l - w_max);
        num += w * t;
        den += w;
    }
    let tau_eff = if den > 0.0 && num.is_finite() {
        num / den
    } else {
        t0
    };
    ((la, lb, m * exp((1.0 - sm) * la), exp(-sm * lb)), tau_eff)
}

impl Factors {
    /// `self = from`, reusing the buffers (a derived `clone_from` would
    /// allocate).
    fn copy_from(&mut self, from: &Factors) {
        self.ln_t.clone_from(&from.ln_t);
        self.ln_tb.clone_from(&from.ln_tb);
        self.am_t.clone_from(&from.am_t);
        self.bm_t.clone_from(&from.bm_t);
        self.tau_eff.clone_from(&from.tau_eff);
    }

    /// Store flow (e, i)'s factors: the logs in flow order, a_m and b_m by
    /// importer (the domestic entries are zeroed afterwards).
    #[inline]
    fn set(&mut self, ne: usize, e: usize, i: usize, (la, lb, a, b): (f64, f64, f64, f64)) {
        self.ln_t[e * ne + i] = la;
        self.ln_tb[e * ne + i] = lb;
        self.am_t[i * ne + e] = a;
        self.bm_t[i * ne + e] = b;
    }
}

/// The per-solve tariff part of every landed price, in `ws.f`: `ln_t`
/// (price index) and `ln_tb` (quantity) per flow, `am_t`, `bm_t` of the fast
/// path (by importer, 0 for the domestic flow), and the tariff collected on
/// each flow; with `sr_sigma`, the same at that import elasticity in
/// `ws.f_sr`, from the same pass over the flows and lines. The tariff-only
/// part is computed in `ws.memo` (only for flows whose tariffs moved when
/// the workspace keeps it), then copied and given the exchange-rate wedge.
pub(super) fn tariff_factors(
    base: &SectorBase,
    p: &EqParams,
    sr_sigma: Option<f64>,
    tau: &[f64],
    ws: &mut Workspace,
) {
    let ne = base.ne;
    let Workspace {
        f,
        f_sr,
        lines,
        memo,
        ..
    } = ws;
    let key = (p.sigma_m.to_bits(), sr_sigma.map(f64::to_bits));
    let keep = memo.enabled && memo.key == Some(key) && memo.at.len() == tau.len();
    let Memo {
        f: mf, f_sr: mf_sr, ..
    } = memo;
    let mut pair = [(p.sigma_m, mf), (sr_sigma.unwrap_or(p.sigma_m), mf_sr)];
    let to = if sr_sigma.is_some() {
        &mut pair[..]
    } else {
        &mut pair[..1]
    };
    if !keep {
        // Every flow's five entries are set below.
        for (_, f) in to.iter_mut() {
            for v in [
                &mut f.ln_t,
                &mut f.ln_tb,
                &mut f.am_t,
                &mut f.bm_t,
                &mut f.tau_eff,
            ] {
                v.clear();
                v.resize(ne * ne, 0.0);
            }
        }
    }
    let kept = keep.then_some(&memo.at[..]);
    // Most flows keep their base-year tariff: their log tariff factor is
    // exactly 0 and its powers exactly 1, so no logarithm or exponential is
    // taken for them (the values are bit-for-bit what the formulas give).
    if base.nl == 1 {
        for e in 0..ne {
            for i in 0..ne {
                let k = e * ne + i;
                if kept.is_some_and(|at| at[k].to_bits() == tau[k].to_bits()) {
                    continue;
                }
                let l = if tau[k] == base.tau0[k] && base.ln1p_tau0[k].is_finite() {
                    0.0
                } else {
                    ln(1.0 + tau[k]) - base.ln1p_tau0[k]
                };
                for (sm, f) in to.iter_mut() {
                    f.set(ne, e, i, one_variety(l, base.m[k], *sm));
                    f.tau_eff[k] = tau[k];
                }
            }
        }
    } else {
        line_factors(base, tau, kept, lines, to);
    }
    if memo.enabled {
        memo.key = Some(key);
        memo.at.clear();
        memo.at.extend_from_slice(tau);
    }
    let copies = [
        (p.sigma_m, &memo.f, f),
        (sr_sigma.unwrap_or(p.sigma_m), &memo.f_sr, f_sr),
    ];
    let n = if sr_sigma.is_some() { 2 } else { 1 };
    for (sm, from, f) in copies.into_iter().take(n) {
        f.copy_from(from);
        if !p.fx.is_empty() {
            exchange_wedge(base, &p.fx, sm, f);
        }
        for i in 0..ne {
            f.am_t[i * ne + i] = 0.0;
            f.bm_t[i * ne + i] = 0.0;
        }
    }
}

/// Exchange rates (model 2): exporter e's goods cost importer i
/// exp(q_e - q_i) more on top of the tariff, so the wedge w = q_e - q_i adds
/// to both log factors of a foreign flow,
///   ln T_a += w,  ln T_b += w,  a_m *= exp((1-sm) w),  b_m *= exp(-sm w),
/// and to no domestic flow. The tariff collected (`tau_eff`) is unchanged.
fn exchange_wedge(base: &SectorBase, fx: &[f64], sm: f64, f: &mut Factors) {
    let ne = base.ne;
    for e in 0..ne {
        for i in (0..ne).filter(|&i| i != e) {
            let w = fx[e] - fx[i];
            if w == 0.0 {
                continue;
            }
            let k = e * ne + i;
            f.ln_t[k] += w;
            f.ln_tb[k] += w;
            f.am_t[i * ne + e] *= exp((1.0 - sm) * w);
            f.bm_t[i * ne + e] *= exp(-sm * w);
        }
    }
}
