//! Tests of the streaming aggregation (`super`): exact encoding and merging,
//! the quantiles' stated accuracy, and the moments against their plain
//! definition.

use super::*;
use crate::random;

#[test]
fn cells_survive_encoding_exactly() {
    let mut c = Cell::default();
    for k in 0..500u64 {
        c.add((random::u01(2, k, 3, 0) - 0.4) * 50.0);
    }
    c.add(0.0);
    let mut bytes = Vec::new();
    c.encode(&mut bytes);
    let back = Cell::decode(&mut Reader::new(&bytes)).unwrap();
    assert_eq!(back.stats(), c.stats());
    let mut merged = back.clone();
    merged.merge(&c);
    let mut doubled = c.clone();
    doubled.merge(&c);
    assert_eq!(merged.stats(), doubled.stats());
    assert!(Cell::decode(&mut Reader::new(&bytes[..bytes.len() - 1])).is_err());
}

fn exact_quantile(sorted: &[f64], q: f64) -> f64 {
    let k = (q * (sorted.len() - 1) as f64).round() as usize;
    sorted[k]
}

#[test]
fn quantiles_are_within_the_stated_accuracy() {
    let mut c = Cell::default();
    let mut xs = Vec::new();
    for k in 0..20_000u64 {
        // A mix of signs and magnitudes, including exact zeros.
        let u = random::u01(1, k, 2, 0);
        let x = if k % 97 == 0 {
            0.0
        } else {
            (u - 0.3) * 1000.0 * random::u01(1, k, 3, 0)
        };
        xs.push(x);
        c.add(x);
    }
    xs.sort_by(f64::total_cmp);
    for q in [0.05, 0.25, 0.5, 0.75, 0.95] {
        let want = exact_quantile(&xs, q);
        let got = c.quantile(q);
        assert!(
            (got - want).abs() <= QUANTILE_RELATIVE_ACCURACY * want.abs() + ZERO_THRESHOLD,
            "q {q}: {got} vs {want}"
        );
    }
    let s = c.stats();
    let mean = xs.iter().sum::<f64>() / xs.len() as f64;
    assert!((s.mean - mean).abs() < 1e-6);
}

/// The one-pass scan of several ranks gives each rank's value as a
/// scan for that rank alone, including ranks that share a bucket, the
/// zeros, and the first and last ranks.
#[test]
fn ranks_scanned_together_equal_ranks_scanned_alone() {
    let mut c = Cell::default();
    for k in 0..5_000u64 {
        let u = random::u01(9, k, 1, 0);
        c.add(if k % 13 == 0 { 0.0 } else { (u - 0.4) * 50.0 });
    }
    let n = c.count();
    let ks = [0, 1, 1, 384, 385, 2_000, 2_000, 4_998, n - 1];
    let alone = ks.map(|k| c.at_ranks([k])[0]);
    assert_eq!(c.at_ranks(ks), alone);
    assert!(alone[0] < 0.0 && alone[8] > 0.0, "{alone:?}");
    assert!(alone.windows(2).all(|w| w[0] <= w[1]), "{alone:?}");
    assert!(alone[0] >= c.m.min && alone[8] <= c.m.max);
}

/// The counts, fixed-point sums and extremes equal those of the plain
/// definition (saturating `as` casts, f64::min and max), across the
/// i64/i128 boundary of the squares (|x| near 45,776) and the special
/// values.
#[test]
fn moments_equal_their_plain_definition() {
    let xs: Vec<f64> = (0..20_000u64)
        .map(|k| {
            let u = random::u01(6, k, 2, 0);
            let mag = 10f64.powf(-8.0 + 17.0 * u);
            if k % 2 == 0 { mag } else { -mag }
        })
        .chain((0..2_000).map(|k| 45_770.0 + 0.005 * k as f64))
        .chain([0.0, -0.0, f64::NAN, 2e9, -1e9, 1e9, f64::INFINITY, 1e-300])
        .collect();
    let mut c = Cell::default();
    c.add_all(&xs);
    let (mut n, mut s1, mut s2, mut zero, mut nonfinite) = (0u64, 0i128, 0i128, 0u64, 0u64);
    let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
    for &x in &xs {
        if x.is_nan() || x.abs() > MAX_MAGNITUDE {
            nonfinite += 1;
            continue;
        }
        n += 1;
        let (a, b) = (x * FIX, x * x * FIX);
        if a.abs() < 9.0e18 && b < 9.0e18 {
            s1 += a as i64 as i128;
            s2 += b as i64 as i128;
        } else {
            s1 += a as i128;
            s2 += b as i128;
        }
        min = min.min(x + 0.0);
        max = max.max(x + 0.0);
        zero += u64::from(x.abs() < ZERO_THRESHOLD);
    }
    let m = c.m;
    assert_eq!(
        (m.n, m.s1, m.s2, m.zero, m.nonfinite),
        (n, s1, s2, zero, nonfinite)
    );
    assert_eq!(
        (m.min.to_bits(), m.max.to_bits()),
        (min.to_bits(), max.to_bits())
    );
    assert!(s2 > i128::from(i64::MAX), "the i128 path was taken");
}

#[test]
fn adding_a_batch_equals_adding_one_by_one() {
    let xs: Vec<f64> = (0..100u64)
        .map(|k| (random::u01(4, k, 1, 0) - 0.5) * 9.0)
        .chain([0.0, f64::NAN, 1e12])
        .collect();
    let mut a = Cell::default();
    xs.iter().for_each(|x| a.add(*x));
    let mut b = Cell::default();
    b.add_all(&xs);
    assert_eq!(a.stats(), b.stats());
    assert_eq!((a.nonfinite(), a.count()), (b.nonfinite(), b.count()));
}

#[test]
fn merge_is_exact_in_any_order() {
    let xs: Vec<f64> = (0..3000u64)
        .map(|k| (random::u01(9, k, 1, 0) - 0.5) * 77.7)
        .collect();
    let mut whole = Cell::default();
    xs.iter().for_each(|x| whole.add(*x));
    let mut parts: Vec<Cell> = (0..3).map(|_| Cell::default()).collect();
    for (k, x) in xs.iter().enumerate() {
        parts[k % 3].add(*x);
    }
    let mut a = parts[2].clone();
    a.merge(&parts[0]);
    a.merge(&parts[1]);
    let mut b = parts[1].clone();
    b.merge(&parts[2]);
    b.merge(&parts[0]);
    assert_eq!(whole.stats(), a.stats());
    assert_eq!(a.stats(), b.stats());
}

/// Zeros of either sign report +0.0 whatever the order they were added
/// or merged in (f64::min of -0.0 and +0.0 may return either).
#[test]
fn a_cell_of_zeros_reports_the_same_zero_in_any_order() {
    let bits = |c: &Cell| {
        let s = c.stats();
        [s.mean, s.p05, s.p50, s.p95].map(f64::to_bits)
    };
    let (mut neg_first, mut pos_first) = (Cell::default(), Cell::default());
    [-0.0, 0.0].iter().for_each(|x| neg_first.add(*x));
    [0.0, -0.0].iter().for_each(|x| pos_first.add(*x));
    let (mut neg, mut pos) = (Cell::default(), Cell::default());
    neg.add(-0.0);
    pos.add(0.0);
    let mut merged = neg.clone();
    merged.merge(&pos);
    let want = [0.0f64.to_bits(); 4];
    assert_eq!(bits(&neg_first), want);
    assert_eq!(bits(&pos_first), want);
    assert_eq!(bits(&merged), want);
    assert_eq!(bits(&neg), want, "a lone -0.0 reports +0.0 too");
}

#[test]
fn constant_series_is_reported_exactly() {
    let mut c = Cell::default();
    for _ in 0..100 {
        c.add(438.9);
    }
    let s = c.stats();
    assert_eq!(
        (s.mean, s.sd, s.p05, s.p50, s.p95),
        (438.9, 0.0, 438.9, 438.9, 438.9)
    );
}

/// Buckets past 65,535 values carry into the side list: counts,
/// quantiles, merging and the shard encoding stay exact.
#[test]
fn crowded_buckets_count_exactly() {
    let n_same = 200_000u64;
    let xs: Vec<f64> = (0..1000u64)
        .map(|k| 1.0 + random::u01(6, k, 0, 0))
        .chain(std::iter::repeat_n(-2.5, n_same as usize))
        .chain(std::iter::repeat_n(7.0, 70_000))
        .collect();
    let mut whole = Cell::default();
    whole.add_all(&xs);
    assert_eq!(whole.count(), xs.len() as u64);
    let neg: Vec<(i32, u64)> = whole.neg.iter().collect();
    assert_eq!(neg, vec![(bucket(2.5), n_same)]);
    assert!(
        whole
            .pos
            .iter()
            .any(|(i, c)| i == bucket(7.0) && c == 70_000)
    );
    // -2.5 holds ranks 0..200,000 of 271,000; 7.0 the top 70,000.
    assert_eq!(whole.quantile(0.05), -2.5);
    assert_eq!(whole.quantile(0.70), -2.5);
    assert_eq!(whole.quantile(0.95), 7.0);
    // Merging parts that each carried, in two orders.
    let mut parts = [Cell::default(), Cell::default()];
    for (k, x) in xs.iter().enumerate() {
        parts[k % 2].add(*x);
    }
    let mut a = parts[0].clone();
    a.merge(&parts[1]);
    let mut b = parts[1].clone();
    b.merge(&parts[0]);
    assert_eq!(a.stats(), whole.stats());
    assert_eq!(b.stats(), whole.stats());
    assert_eq!(a.neg.iter().collect::<Vec<_>>(), neg);
    // The shard encoding keeps full counts.
    let mut bytes = Vec::new();
    whole.encode(&mut bytes);
    let back = Cell::decode(&mut Reader::new(&bytes)).expect("decodes");
    assert_eq!(back.stats(), whole.stats());
    assert_eq!(back.neg.iter().collect::<Vec<_>>(), neg);
    let mut again = Vec::new();
    back.encode(&mut again);
    assert_eq!(again, bytes);
}

#[test]
fn memory_does_not_grow_with_runs() {
    let mut c = Cell::default();
    for k in 0..10_000u64 {
        c.add(100.0 + 10.0 * random::u01(5, k, 0, 0));
    }
    let small = c.heap_bytes();
    for k in 10_000..200_000u64 {
        c.add(100.0 + 10.0 * random::u01(5, k, 0, 0));
    }
    assert_eq!(small, c.heap_bytes());
}
