//! Prices for households: the consumer price level effect and the cost per
//! household of each economy whose scenario gives household data
//! (docs/model.md, "Prices for households"). Per such economy i, month t:
//!   consumer_prices_i    = 100 g_i sum_s a_is (P_is - 1)          % vs baseline
//!   a_is                 = E_is / sum_s E_is
//!   cost_per_household_i = consumer_prices_i / 100 * c_i GDP0_i / H_i   USD/yr
//! with P_is the composite (domestic and imported) buyers' price of sector s
//! in i from the trade equilibrium (Block 2: duty-inclusive import prices and
//! the domestic price response, the real exchange rate when Block 2a is on),
//! E_is the base-year absorption at buyers' prices, g_i goods' share of
//! household consumption, c_i household consumption over GDP, GDP0_i
//! base-year GDP and H_i the number of households. Services (1 - g_i of the
//! basket) are priced outside the traded sectors and taken as unchanged, and
//! goods bought by households are priced like the sector's absorption as a
//! whole (intermediate and final use alike), so the effect is the first-order,
//! no-markup pass-through of the border prices to the consumer basket. The
//! cost is in base-year prices: the income a household would need to buy its
//! base-year basket at the new prices.

use super::equilibrium::SectorBase;
use crate::scenario::Scenario;

/// The fixed weights of the household outputs, per household economy k:
/// the economies with household data in scenario order, as
/// `Slots::households` lists them.
#[derive(Debug, Default)]
pub struct HouseholdWeights {
    /// 100 g_i a_is, `k * ns + s`.
    weight: Vec<f64>,
    /// Base-year consumption per household, USD/yr: c_i GDP0_i / H_i.
    per_household_usd: Vec<f64>,
    ns: usize,
}

impl HouseholdWeights {
    pub fn new(sc: &Scenario, sectors: &[SectorBase]) -> Self {
        let ns = sectors.len();
        let mut w = HouseholdWeights {
            ns,
            ..Default::default()
        };
        for (i, ec) in sc.economies.iter().enumerate() {
            let Some(h) = ec.households else { continue };
            let total: f64 = sectors.iter().map(|b| b.absorption[i]).sum();
            w.weight.extend(sectors.iter().map(|b| {
                if total > 0.0 {
                    100.0 * h.goods_share * b.absorption[i] / total
                } else {
                    0.0
                }
            }));
            // USD bn / households in millions = thousand USD per household.
            w.per_household_usd
                .push(1e3 * h.consumption_share * ec.gdp_usd_bn / h.millions);
        }
        w
    }

    /// (consumer_prices %, cost_per_household USD/yr) of household economy
    /// `k`, from each sector's composite price ratio `price(s)` = P_is.
    pub fn effect(&self, k: usize, price: impl Fn(usize) -> f64) -> (f64, f64) {
        let w = &self.weight[k * self.ns..(k + 1) * self.ns];
        let cpi: f64 = (0..self.ns).map(|s| w[s] * (price(s) - 1.0)).sum();
        (cpi, cpi / 100.0 * self.per_household_usd[k])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Model;
    use crate::model::equilibrium::{EqParams, EqSolution, Workspace, solve};

    /// A uniform tariff tau on every import of AA, foreign supply infinitely
    /// elastic: PM = 1 + tau and, per sector,
    ///   P = (d + (1 - d) (1 + tau)^(1 - sd))^(1 / (1 - sd)),
    /// so the consumer price effect is 100 g sum_s a_s (P_s - 1) with a_s the
    /// sectors' absorption shares, and the cost that times c GDP / H.
    #[test]
    fn consumer_prices_match_the_closed_form_of_a_uniform_tariff() {
        let sc = crate::model::testkit::world(
            "[economies.AA.households]\nmillions = 50\nconsumption_share = 0.6\ngoods_share = 0.3\n",
        );
        let m = Model::new(&sc, 12);
        let w = HouseholdWeights::new(&sc, &m.sectors);
        assert_eq!(m.slots.households, vec![0]);
        let (sm, sd, tau) = (4.0, 2.0, 0.25);
        let p = EqParams {
            sigma_m: sm,
            sigma_d: sd,
            eta: 0.8,
            eps: vec![f64::INFINITY; 2],
            fx: Vec::new(),
        };
        let mut prices = Vec::new();
        let mut want = 0.0;
        let total: f64 = m.sectors.iter().map(|b| b.absorption[0]).sum();
        for b in &m.sectors {
            // Every line at its flow's base tariff, BB -> AA (flow e * ne + i
            // = 2) raised by tau on top of it.
            let nl = b.nl;
            let mut t: Vec<f64> = (0..4 * nl).map(|kl| b.tau0[kl / nl]).collect();
            for l in 0..nl {
                t[2 * nl + l] = (1.0 + b.tau0[2]) * (1.0 + tau) - 1.0;
            }
            let mut sol = EqSolution::baseline(b);
            solve(b, &p, None, &t, &mut sol, &mut Workspace::default()).expect("solves");
            prices.push(sol.ln_p[0].exp());
            let d = b.d[0];
            let x: f64 = d + (1.0 - d) * (1.0 + tau).powf(1.0 - sd);
            want += 100.0 * 0.3 * b.absorption[0] / total * (x.powf(1.0 / (1.0 - sd)) - 1.0);
        }
        let (cpi, cost) = w.effect(0, |s| prices[s]);
        assert!((cpi - want).abs() < 1e-9, "{cpi} vs {want}");
        assert!(
            cpi > 0.1,
            "a 25 % tariff on every import raises prices: {cpi}"
        );
        // c GDP / H = 0.6 * 2000 bn / 50 m = USD 24,000 per household.
        assert!((cost - cpi / 100.0 * 24_000.0).abs() < 1e-9, "{cost}");
    }

    #[test]
    fn economies_without_household_data_have_no_rows() {
        let sc = crate::model::testkit::world("");
        let m = Model::new(&sc, 12);
        assert!(m.slots.households.is_empty());
        assert!(
            HouseholdWeights::new(&sc, &m.sectors)
                .per_household_usd
                .is_empty()
        );
    }
}
