//! Scrambled Sobol' points: the randomised quasi-Monte Carlo (RQMC) uniforms
//! of the Saltelli design (`sensitivity --design qmc`).
//!
//! Point j of dimension d is a pure function of (seed, j, d), so a design can
//! be evaluated in any order, on any number of threads or shards.
//!
//! Sobol' sequence (Sobol' 1967; Bratley & Fox 1988), in Gray-code order as
//! Joe & Kuo's generator and SciPy's `qmc.Sobol` produce it: with direction
//! integers v_1..v_32 of dimension d and g = j XOR (j >> 1),
//!   x_j = XOR over the set bits b of g of v_(b+1),    u = x_j / 2^32.
//! Direction integers from the primitive polynomial (degree s, inner
//! coefficients a_1..a_(s-1)) and initial numbers m_1..m_s (`joe_kuo.rs`):
//!   v_k = m_k 2^(32-k)                                        k <= s
//!   v_k = v_(k-s) ^ (v_(k-s) >> s) ^ XOR_(i<s) a_i v_(k-i)    k > s
//!
//! Scrambling: nested uniform (Owen 1995) scrambling approximated by a hash
//! on the bit-reversed integer (Laine & Karras 2011; Burley 2020, "Practical
//! Hash-based Owen Scrambling", JCGT 9(4); the improved hash of N. Vegdahl
//! 2021, "Building a better LK hash"). Each step changes bit i of the
//! reversed integer only by a function of the bits below it, that is, each
//! digit of the point by a function of the digits above it: exactly the form
//! of a nested scramble, so every elementary interval keeps its one point
//! (the (t, m, s)-net property survives) while each point becomes uniform.
//! Each dimension has its own key from (seed, d). The 32-bit result maps to
//! the cell midpoint (x + 1/2) / 2^32, strictly inside (0, 1): the uniforms
//! go through inverse CDFs, where 0 and 1 may be infinite.

use super::joe_kuo::{DIRECTIONS, ROWS};
use crate::random;

/// Dimensions the embedded table covers (dimension 1 plus one per row).
pub const MAX_DIMS: usize = ROWS + 1;

/// Bits of each coordinate: 2^32 points before the sequence repeats.
const BITS: usize = 32;

/// The unscrambled Sobol' sequence in `dims` dimensions.
#[derive(Debug, Clone)]
pub struct Sobol {
    /// Direction integers v_1..v_32 per dimension.
    v: Vec<[u32; BITS]>,
}

impl Sobol {
    /// The first `dims` dimensions, or `None` beyond [`MAX_DIMS`].
    pub fn new(dims: usize) -> Option<Sobol> {
        if dims > MAX_DIMS {
            return None;
        }
        let v = (0..dims)
            .map(|d| {
                let mut v = [0u32; BITS];
                if d == 0 {
                    // Dimension 1: van der Corput, every m_k = 1.
                    for (k, vk) in v.iter_mut().enumerate() {
                        *vk = 1 << (BITS - 1 - k);
                    }
                    return v;
                }
                let (a, m) = &DIRECTIONS[d - 1];
                let (a, s) = (*a, m.len());
                for k in 0..BITS {
                    v[k] = if k < s {
                        u32::from(m[k]) << (BITS - 1 - k)
                    } else {
                        let mut x = v[k - s] ^ (v[k - s] >> s);
                        for i in 1..s {
                            if (a >> (s - 1 - i)) & 1 == 1 {
                                x ^= v[k - i];
                            }
                        }
                        x
                    };
                }
                v
            })
            .collect();
        Some(Sobol { v })
    }

    pub fn dims(&self) -> usize {
        self.v.len()
    }

    /// Point `j` of dimension `d` (0-based) as a 32-bit fraction.
    pub fn bits(&self, j: u32, d: usize) -> u32 {
        let mut g = j ^ (j >> 1);
        let mut x = 0;
        let v = &self.v[d];
        while g != 0 {
            x ^= v[g.trailing_zeros() as usize];
            g &= g - 1;
        }
        x
    }
}

/// Owen-style nested uniform scramble of a 32-bit fraction (see the module
/// doc): bit-reverse, hash so that each bit depends only on lower ones,
/// reverse back.
fn owen_scramble(x: u32, key: u32) -> u32 {
    let mut v = x.reverse_bits();
    v ^= v.wrapping_mul(0x3d20_adea);
    v = v.wrapping_add(key);
    v = v.wrapping_mul((key >> 16) | 1);
    v ^= v.wrapping_mul(0x0552_6c56);
    v ^= v.wrapping_mul(0x53a2_2864);
    v.reverse_bits()
}

/// A scrambled Sobol' sequence keyed by a seed.
#[derive(Debug, Clone)]
pub struct ScrambledSobol {
    sobol: Sobol,
    keys: Vec<u32>,
}

/// Separates the scrambling keys from the model's other keyed streams.
const SCRAMBLE_TAG: u64 = 0x0c0f_fee5_0b01_2026;

impl ScrambledSobol {
    /// `dims` dimensions keyed by `seed`, or `None` beyond [`MAX_DIMS`].
    pub fn new(seed: u64, dims: usize) -> Option<ScrambledSobol> {
        let sobol = Sobol::new(dims)?;
        let base = random::mix64(seed ^ SCRAMBLE_TAG);
        let keys = (0..dims)
            .map(|d| (random::mix64(base ^ random::mix64(d as u64)) >> 32) as u32)
            .collect();
        Some(ScrambledSobol { sobol, keys })
    }

    pub fn dims(&self) -> usize {
        self.sobol.dims()
    }

    /// Point `j` of dimension `d` (0-based), in (0, 1). Row indices beyond
    /// 2^32 - 1 wrap (the command allows at most 10^6 rows).
    pub fn point(&self, j: u64, d: usize) -> f64 {
        let x = owen_scramble(self.sobol.bits(j as u32, d), self.keys[d]);
        (f64::from(x) + 0.5) * (1.0 / 4_294_967_296.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first 8 points of dimensions 1 to 4, and dimension 1,024, as SciPy
    /// 1.17 prints them: `scipy.stats.qmc.Sobol(d, scramble=False).random(8)`
    /// (same Joe-Kuo table, same Gray-code order).
    #[test]
    fn unscrambled_points_match_scipy() {
        let s = Sobol::new(MAX_DIMS).expect("table");
        let expect: [(usize, [f64; 8]); 5] = [
            (0, [0.0, 0.5, 0.75, 0.25, 0.375, 0.875, 0.625, 0.125]),
            (1, [0.0, 0.5, 0.25, 0.75, 0.375, 0.875, 0.125, 0.625]),
            (2, [0.0, 0.5, 0.25, 0.75, 0.625, 0.125, 0.875, 0.375]),
            (3, [0.0, 0.5, 0.25, 0.75, 0.875, 0.375, 0.625, 0.125]),
            (1023, SCIPY_DIM_1024),
        ];
        for (d, pts) in expect {
            let got: Vec<f64> = (0..8)
                .map(|j| f64::from(s.bits(j, d)) / 4_294_967_296.0)
                .collect();
            assert_eq!(got, pts, "dimension {}", d + 1);
        }
        assert_eq!(MAX_DIMS, 1024);
        assert!(Sobol::new(MAX_DIMS + 1).is_none());
        assert!(ScrambledSobol::new(1, MAX_DIMS + 1).is_none());
    }

    /// Later points of dimensions 3 to 1,024, where the recurrence (not just
    /// the initial numbers) is used: SciPy's points with 32 bits.
    #[test]
    fn deep_points_match_scipy() {
        let s = Sobol::new(MAX_DIMS).expect("table");
        for (d, j, want) in SCIPY_DEEP {
            let got = f64::from(s.bits(j, d)) / 4_294_967_296.0;
            assert_eq!(got, want, "dimension {} point {j}", d + 1);
        }
    }

    /// Scrambled points lie strictly inside (0, 1), and the first 2^m points
    /// of each dimension put exactly one point in each of the 2^m intervals
    /// [i / 2^m, (i + 1) / 2^m): the stratification the scramble must keep.
    #[test]
    fn scrambled_points_are_inside_and_stratified() {
        for seed in [1u64, 20250610] {
            let s = ScrambledSobol::new(seed, MAX_DIMS).expect("table");
            for d in [0, 1, 2, 3, 153, 307, 500, 1023] {
                for m in 0..=12u32 {
                    let n = 1usize << m;
                    let mut hit = vec![0u32; n];
                    for j in 0..n {
                        let u = s.point(j as u64, d);
                        assert!(u > 0.0 && u < 1.0, "dimension {d} point {j}: {u}");
                        hit[(u * n as f64) as usize] += 1;
                    }
                    assert!(
                        hit.iter().all(|&h| h == 1),
                        "seed {seed} dimension {d}, 2^{m} points: {hit:?}"
                    );
                }
            }
        }
    }

    /// Dimensions 1 and 2 of the Sobol' sequence form a (0, m, 2)-net: each
    /// box of 2^a x 2^b cells with a + b = m holds one of the first 2^m
    /// points. Scrambling each dimension by digit keeps that.
    #[test]
    fn scrambling_keeps_the_two_dimensional_net() {
        let s = ScrambledSobol::new(7, 2).expect("table");
        let m = 8u32;
        let n = 1usize << m;
        for a in 0..=m {
            let (na, nb) = (1usize << a, 1usize << (m - a));
            let mut hit = vec![0u32; n];
            for j in 0..n {
                let x = (s.point(j as u64, 0) * na as f64) as usize;
                let y = (s.point(j as u64, 1) * nb as f64) as usize;
                hit[x * nb + y] += 1;
            }
            assert!(hit.iter().all(|&h| h == 1), "2^{a} x 2^{}", m - a);
        }
    }

    /// Different seeds and dimensions scramble differently, the same seed
    /// repeats exactly, and a scrambled coordinate is uniform on average.
    #[test]
    fn scrambles_are_keyed_and_unbiased() {
        let a = ScrambledSobol::new(1, 4).expect("table");
        let b = ScrambledSobol::new(2, 4).expect("table");
        let a2 = ScrambledSobol::new(1, 4).expect("table");
        assert_eq!(a.point(5, 3), a2.point(5, 3));
        assert_ne!(a.point(5, 3), b.point(5, 3));
        // Dimensions 3 and 4 share their first points unscrambled (0.5 for
        // j = 1); the keys must separate them.
        assert_ne!(a.point(1, 2), a.point(1, 3));
        // Point 0 over many seeds: uniform, mean 1/2 (standard error 0.0029
        // over 10^4 seeds).
        let n = 10_000;
        let mean = (0..n)
            .map(|seed| ScrambledSobol::new(seed, 1).expect("table").point(0, 0))
            .sum::<f64>()
            / n as f64;
        assert!((mean - 0.5).abs() < 0.015, "mean {mean}");
    }

    const SCIPY_DIM_1024: [f64; 8] = [0.0, 0.5, 0.75, 0.25, 0.875, 0.375, 0.125, 0.625];

    /// `qmc.Sobol(1024, scramble=False, bits=32)`, fast-forwarded to point j:
    /// (dimension - 1, j, coordinate). Beyond 2^13 points every dimension
    /// here uses the recurrence, not only its initial numbers.
    const SCIPY_DEEP: [(usize, u32, f64); 12] = [
        (2, 1000, 0.5185546875),
        (307, 1000, 0.5869140625),
        (500, 1000, 0.7255859375),
        (1023, 1000, 0.7138671875),
        (2, 1000003, 0.07799625396728516),
        (307, 1000003, 0.6483068466186523),
        (500, 1000003, 0.2814970016479492),
        (1023, 1000003, 0.048842430114746094),
        (2, 123456789, 0.006405912339687347),
        (307, 123456789, 0.9963365122675896),
        (500, 123456789, 0.5455020144581795),
        (1023, 123456789, 0.6698480024933815),
    ];
}
