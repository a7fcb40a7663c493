//! Variance-based global sensitivity: first-order and total Sobol indices by
//! Saltelli sampling, with bootstrap confidence intervals.
//!
//! Two independent N x k matrices of uniforms A and B (keyed draws, so the
//! design is reproducible) and, for each input i, A with column i taken from
//! B (A_B^i). With Y = f(.) on each row:
//!   V    = variance of Y over the rows of A and B
//!   S_i  = mean( Y_B (Y_ABi - Y_A) ) / V          (Saltelli et al. 2010)
//!   ST_i = mean( (Y_A - Y_ABi)^2 ) / (2 V)         (Jansen 1999)
//! Cost: N (k + 2) evaluations. Confidence intervals are percentile
//! bootstrap intervals over rows (the same resampled rows for every index).

use crate::engine::rng;
use rayon::prelude::*;

/// Indices for one input and one output, with 95 % bootstrap intervals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Index {
    pub first: f64,
    pub first_lo: f64,
    pub first_hi: f64,
    pub total: f64,
    pub total_lo: f64,
    pub total_hi: f64,
}

/// The confidence level of the bootstrap intervals.
pub const CONFIDENCE: f64 = 0.95;

/// Evaluations of the design: `ya[j][o]`, `yb[j][o]`, `yab[i][j][o]`.
struct Design {
    ya: Vec<Vec<f64>>,
    yb: Vec<Vec<f64>>,
    yab: Vec<Vec<Vec<f64>>>,
}

fn estimate(d: &Design, rows: &[usize], i: usize, o: usize) -> (f64, f64) {
    let n = rows.len() as f64;
    let mut mean = 0.0;
    for &j in rows {
        mean += d.ya[j][o] + d.yb[j][o];
    }
    mean /= 2.0 * n;
    let mut var = 0.0;
    for &j in rows {
        var += (d.ya[j][o] - mean).powi(2) + (d.yb[j][o] - mean).powi(2);
    }
    var /= 2.0 * n - 1.0;
    if var <= 0.0 || !var.is_finite() {
        return (0.0, 0.0);
    }
    let (mut s, mut st) = (0.0, 0.0);
    for &j in rows {
        let (a, b, ab) = (d.ya[j][o], d.yb[j][o], d.yab[i][j][o]);
        s += b * (ab - a);
        st += (a - ab).powi(2);
    }
    (s / n / var, st / (2.0 * n) / var)
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    let k = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[k]
}

/// Run a Saltelli design for `f`, which maps k uniforms in (0, 1) to
/// `n_out` outputs, on `threads` threads (results do not depend on them).
/// Returns `[input][output]` indices.
pub fn analyze(
    k: usize,
    n: usize,
    n_out: usize,
    seed: u64,
    bootstrap: usize,
    threads: usize,
    f: &(dyn Fn(&[f64], usize) -> Vec<f64> + Sync),
) -> Vec<Vec<Index>> {
    // Column i of A and B: keyed by (seed, row, input, matrix).
    let u = |j: usize, i: usize, m: u64| rng::u01(seed, j as u64, i as u64, m);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build();
    let eval_rows = |which: &(dyn Fn(usize) -> Vec<f64> + Sync)| -> Vec<Vec<f64>> {
        let go = || (0..n).into_par_iter().map(which).collect::<Vec<_>>();
        match &pool {
            Ok(p) => p.install(go),
            Err(_) => (0..n).map(which).collect(),
        }
    };
    // The row index is passed on so that evaluations can key their own randomness.
    let ya = eval_rows(&|j| f(&(0..k).map(|i| u(j, i, 0)).collect::<Vec<_>>(), j));
    let yb = eval_rows(&|j| f(&(0..k).map(|i| u(j, i, 1)).collect::<Vec<_>>(), j));
    let yab: Vec<Vec<Vec<f64>>> = (0..k)
        .map(|col| {
            eval_rows(&|j| {
                f(
                    &(0..k)
                        .map(|i| u(j, i, if i == col { 1 } else { 0 }))
                        .collect::<Vec<_>>(),
                    j,
                )
            })
        })
        .collect();
    let d = Design { ya, yb, yab };
    let all: Vec<usize> = (0..n).collect();
    // Bootstrap row sets, keyed so intervals are reproducible.
    let resamples: Vec<Vec<usize>> = (0..bootstrap)
        .map(|b| {
            (0..n)
                .map(|r| {
                    ((rng::u01(seed ^ 0x5b0b, b as u64, r as u64, 7) * n as f64) as usize)
                        .min(n - 1)
                })
                .collect()
        })
        .collect();
    let alpha = (1.0 - CONFIDENCE) / 2.0;
    (0..k)
        .map(|i| {
            (0..n_out)
                .map(|o| {
                    let (s, st) = estimate(&d, &all, i, o);
                    let mut bs: Vec<(f64, f64)> = resamples
                        .iter()
                        .map(|rows| estimate(&d, rows, i, o))
                        .collect();
                    let mut s_b: Vec<f64> = bs.iter().map(|x| x.0).collect();
                    let mut st_b: Vec<f64> = bs.drain(..).map(|x| x.1).collect();
                    s_b.sort_by(f64::total_cmp);
                    st_b.sort_by(f64::total_cmp);
                    let (first_lo, first_hi, total_lo, total_hi) = if bootstrap > 1 {
                        (
                            percentile(&s_b, alpha),
                            percentile(&s_b, 1.0 - alpha),
                            percentile(&st_b, alpha),
                            percentile(&st_b, 1.0 - alpha),
                        )
                    } else {
                        (s, s, st, st)
                    };
                    Index {
                        first: s,
                        first_lo,
                        first_hi,
                        total: st,
                        total_lo,
                        total_hi,
                    }
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Ishigami function (a = 7, b = 0.1) on [-pi, pi]^3 has known indices:
    /// S = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437).
    #[test]
    fn recovers_the_ishigami_indices_within_the_confidence_intervals() {
        let pi = std::f64::consts::PI;
        let f = |u: &[f64], _row: usize| {
            let x: Vec<f64> = u.iter().map(|v| -pi + 2.0 * pi * v).collect();
            vec![x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()]
        };
        let r = analyze(3, 20_000, 1, 42, 300, 2, &f);
        let s_true = [0.3139, 0.4424, 0.0];
        let st_true = [0.5576, 0.4424, 0.2437];
        for i in 0..3 {
            let ix = r[i][0];
            assert!(
                ix.first_lo <= s_true[i] && s_true[i] <= ix.first_hi,
                "S{}: {ix:?}",
                i + 1
            );
            assert!(
                ix.total_lo <= st_true[i] && st_true[i] <= ix.total_hi,
                "ST{}: {ix:?}",
                i + 1
            );
            // The intervals are informative, not just wide.
            assert!(
                ix.first_hi - ix.first_lo < 0.1 && ix.total_hi - ix.total_lo < 0.1,
                "{ix:?}"
            );
        }
    }

    #[test]
    fn a_function_of_one_input_puts_everything_on_it() {
        let r = analyze(3, 2000, 1, 1, 100, 1, &|u: &[f64], _| vec![u[1] * u[1]]);
        // Sampling noise of plain Monte Carlo at N = 2000 is a few per cent;
        // the inputs that do not matter get exactly zero.
        assert!(
            r[1][0].first > 0.85 && r[1][0].total > 0.85,
            "{:?}",
            r[1][0]
        );
        assert!(r[0][0].total == 0.0 && r[2][0].total == 0.0 && r[0][0].first == 0.0);
    }
}
