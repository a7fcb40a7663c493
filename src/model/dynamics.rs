//! Block 3: adjustment dynamics. Actual volumes (base-year prices) move
//! toward the equilibrium volumes V x* of Block 2 with a sector half-life h
//! (months), and a flow's value is its volume times the exporter's price:
//!   q(t) = q(t-1) + (1 - 2^(-1/h)) (V x*(t) - q(t-1)),   F(t) = w_e(t) q(t)
//! Announced increases cause front-loading: from the announcement to the
//! effective month, covered flows rise by `frontload` times the coming
//! increase; the extra volume is paid back over `payback_months` once the
//! increase is in force. Observed cross-border flows carry monthly
//! multiplicative lognormal noise with mean one, partly common to all flows
//! into an importer:
//!   O = max(0, F (1 + boost) - payback) * exp(sd * eps - sd^2 / 2),
//!   eps = sqrt(c) * common_i + sqrt(1 - c) * idiosyncratic.

/// Fraction of the remaining gap closed each month for half-life `h` months.
#[inline]
pub fn adjustment_rate(half_life_months: f64) -> f64 {
    1.0 - (-1.0 / half_life_months).exp2()
}

/// One partial-adjustment step.
#[inline]
pub fn adjust(f_prev: f64, f_star: f64, lambda: f64) -> f64 {
    f_prev + lambda * (f_star - f_prev)
}

/// Mean-one lognormal noise factor from a standard normal shock.
#[inline]
pub fn noise_factor(sd: f64, eps: f64) -> f64 {
    (sd * eps - 0.5 * sd * sd).exp()
}

/// A front-loading window: covered flows rise between `from` (announcement
/// month) and `to` (effective month, exclusive).
#[derive(Debug, Clone)]
pub struct Window {
    /// What announced the increase (a deal that reverts it cancels the window).
    pub owner: Owner,
    pub flows: Vec<usize>,
    pub from: usize,
    pub to: usize,
    /// The coming increase in the tariff rate.
    pub delta: f64,
}

/// The source of an announced increase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Measure(usize),
    Rule(usize),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_life_halves_the_gap() {
        let lambda = adjustment_rate(4.0);
        let mut f = 100.0;
        for _ in 0..4 {
            f = adjust(f, 50.0, lambda);
        }
        // After one half-life, half of the 50-unit gap remains.
        assert!((f - 75.0).abs() < 1e-9, "f = {f}");
    }

    #[test]
    fn noise_has_mean_one() {
        // E[exp(sd Z - sd^2/2)] = 1; check by quadrature over the normal density.
        let sd = 0.3;
        let (mut num, mut den): (f64, f64) = (0.0, 0.0);
        let mut z: f64 = -8.0;
        while z < 8.0 {
            let w = (-0.5 * z * z).exp();
            num += w * noise_factor(sd, z);
            den += w;
            z += 0.001;
        }
        assert!((num / den - 1.0).abs() < 1e-9);
    }
}
