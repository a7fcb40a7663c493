//! The trade, price, welfare and licensing series of a month, read from the
//! blocks' states and written through `Series` (the GDP series are written
//! by the macro block itself). Definitions: docs/model.md, Outputs.
//!
//!   imports[i, e, s]  = reported[e -> i, s] (1 + g_i/100)^(t/12)   (and ALL sums)
//!   exports[e, s]     = sum_i imports[i, e, s]
//!   trade_balance[e]  = exports[e] - imports[e]
//!   exchange_rate[e]  = 100 (exp(q_e) - 1)   (Block 2a, % vs baseline)
//!   import_price[i,s] = 100 (PM_i,s - 1); ALL weights sectors by base-year imports
//!   welfare[i]        = sum_s CS + PS + TR of the static equilibria
//!   consumer_prices[i], cost_per_household[i]: `households` (from P_i,s)

use super::dynamics::FlowState;
use super::equilibrium::TradeState;
use super::households::HouseholdWeights;
use super::licensing::LicensingRun;
use super::series::{Series, Slots};
use super::tariffs::TariffState;
use crate::math::exp;
use crate::scenario::Scenario;

/// The blocks' states that the trade outputs read.
pub struct TradeView<'a> {
    pub tariffs: &'a TariffState,
    pub trade: &'a TradeState,
    pub flows: &'a FlowState,
    pub lic: &'a LicensingRun,
    /// Each importer's baseline growth factor this month.
    pub growth_factor: &'a [f64],
    /// Log real exchange rates (Block 2a).
    pub fx: &'a [f64],
    pub households: &'a HouseholdWeights,
}

/// Write month t's trade, price, welfare and licensing series. `exports` is
/// scratch space (reused across months).
pub fn write_trade(
    sc: &Scenario,
    sl: &Slots,
    v: &TradeView,
    exports: &mut Vec<f64>,
    out: &mut Series,
) {
    let td = &sc.trade;
    let (ne, ns) = (td.n_econ, td.n_sect);
    // Imports at the importer's real growth path.
    exports.clear();
    exports.resize(ne * (ns + 1), 0.0);
    for i in 0..ne {
        let gi = v.growth_factor[i];
        let mut total = 0.0;
        for e in (0..ne).filter(|&e| e != i) {
            let mut by_partner = 0.0;
            for s in 0..ns {
                let x = v.flows.reported[td.idx(s, e, i)] * gi;
                out.set(sl.imports_idx(i, Some(e), Some(s)), x);
                out.add(sl.imports_idx(i, None, Some(s)), x);
                by_partner += x;
                exports[e * (ns + 1) + 1 + s] += x;
            }
            out.set(sl.imports_idx(i, Some(e), None), by_partner);
            exports[e * (ns + 1)] += by_partner;
            total += by_partner;
            out.set(sl.tariff_idx(i, Some(e)), v.tariffs.eff_pair[i * ne + e]);
        }
        out.set(sl.imports_idx(i, None, None), total);
        // Import prices (duty-inclusive import composite), % vs baseline.
        let (mut num, mut den) = (0.0, 0.0);
        let input = sc.licensing.as_ref().map(|l| l.input);
        for s in 0..ns {
            // The controlled input's scarcity price reaches the import price.
            let scarcity = if Some(s) == input {
                v.lic.import_price_factor[i]
            } else {
                1.0
            };
            let pm = 100.0 * (v.trade.eq[s].pm[i] * scarcity - 1.0);
            out.set(sl.import_price + i * (ns + 1) + 1 + s, pm);
            let w: f64 = (0..ne)
                .filter(|&e| e != i)
                .map(|e| td.value_usd_bn[td.idx(s, e, i)])
                .sum();
            num += w * pm;
            den += w;
        }
        out.set(
            sl.import_price + i * (ns + 1),
            if den > 0.0 { num / den } else { 0.0 },
        );
        let (mut cs, mut ps, mut tr) = (0.0, 0.0, 0.0);
        for s in 0..ns {
            cs += v.trade.eq[s].cs[i];
            ps += v.trade.eq[s].ps[i];
            tr += v.trade.eq[s].tr[i];
        }
        out.set(sl.welfare_cs + i, cs);
        out.set(sl.welfare_ps + i, ps);
        out.set(sl.welfare_tr + i, tr);
        out.set(sl.welfare + i, cs + ps + tr);
    }
    for e in 0..ne {
        for k in 0..=ns {
            out.set(sl.exports + e * (ns + 1) + k, exports[e * (ns + 1) + k]);
        }
        let imports = out.get(sl.imports_idx(e, None, None));
        out.set(sl.trade_balance + e, exports[e * (ns + 1)] - imports);
        out.set(sl.exchange_rate + e, 100.0 * v.fx[e].exp_m1());
    }
    for k in 0..sl.households.len() {
        let i = sl.households[k];
        let (cpi, cost) = v.households.effect(k, |s| exp(v.trade.eq[s].ln_p[i]));
        out.set(sl.consumer_prices + k, cpi);
        out.set(sl.cost_per_household + k, cost);
    }
    if let Some(l) = &sc.licensing {
        let q = &v.lic.queue;
        let (mut shipped, mut normal) = (0.0, 0.0);
        for (j, imp) in v.lic.imps.iter().enumerate() {
            let controlled = imp.controlled * imp.apps;
            out.set(
                sl.re_backlog + j,
                if controlled > 0.0 {
                    q.backlog[j] / controlled
                } else {
                    0.0
                },
            );
            out.set(sl.re_stock + j, q.stock[j]);
            out.set(sl.re_shortfall + j, q.shortfall[j]);
            out.set(sl.re_exports + 1 + j, 100.0 * q.departure_ratio(j, imp));
            shipped += q.departed[0][j] + q.departed[1][j];
            normal += imp.apps;
            out.set(sl.re_price + j, 100.0 * (v.lic.price[j] - 1.0));
        }
        out.set(
            sl.re_exports,
            if normal > 0.0 {
                100.0 * shipped / normal
            } else {
                100.0
            },
        );
        for (k, &(j, s)) in sl.output_loss_pairs.iter().enumerate() {
            let econ = l.importers[j].econ;
            out.set(sl.output_loss + k, 100.0 * v.lic.loss[econ * ns + s]);
        }
    }
}
