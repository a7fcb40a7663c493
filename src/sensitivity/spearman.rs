//! Rank-correlation sensitivity (Spearman) of outcomes to sampled
//! parameters, for tornado charts. Ranks need the values themselves, so the
//! engine keeps a fixed-size, deterministic sample: the runs with the lowest
//! indices (at most `SAMPLE_RUNS`), whatever the thread count or sharding.

/// Runs kept for the sensitivity analysis.
pub const SAMPLE_RUNS: u64 = 10_000;

/// Average ranks (ties share their mean rank).
pub fn ranks(xs: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..xs.len()).collect();
    idx.sort_by(|a, b| xs[*a].total_cmp(&xs[*b]).then(a.cmp(b)));
    let mut r = vec![0.0; xs.len()];
    let mut k = 0;
    while k < idx.len() {
        let mut j = k;
        while j + 1 < idx.len() && xs[idx[j + 1]] == xs[idx[k]] {
            j += 1;
        }
        let avg = (k + j) as f64 / 2.0 + 1.0;
        for m in k..=j {
            r[idx[m]] = avg;
        }
        k = j + 1;
    }
    r
}

/// Pearson correlation; 0 when either side has no variation.
pub fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    if a.len() < 2 {
        return 0.0;
    }
    let ma = a.iter().sum::<f64>() / n;
    let mb = b.iter().sum::<f64>() / n;
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    if saa <= 0.0 || sbb <= 0.0 {
        0.0
    } else {
        (sab / (saa * sbb).sqrt()).clamp(-1.0, 1.0)
    }
}

pub fn spearman(a: &[f64], b: &[f64]) -> f64 {
    pearson(&ranks(a), &ranks(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monotone_relations_have_rank_correlation_one() {
        let a: Vec<f64> = (0..50).map(|k| k as f64).collect();
        let b: Vec<f64> = a.iter().map(|x| x.powi(3) - 7.0).collect();
        let c: Vec<f64> = a.iter().map(|x| -x.exp()).collect();
        assert!((spearman(&a, &b) - 1.0).abs() < 1e-12);
        assert!((spearman(&a, &c) + 1.0).abs() < 1e-12);
        assert_eq!(spearman(&a, &vec![1.0; 50]), 0.0);
    }

    #[test]
    fn ties_share_ranks() {
        assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0]), vec![3.5, 1.0, 3.5, 2.0]);
    }
}
