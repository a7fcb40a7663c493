//! Portable elementary functions for the model's hot loops: the same bits
//! on every machine and C library (glibc's `exp` has changed between
//! versions), and several times cheaper than a call into the C library.
//!
//! `exp(x)`: with N = 64, x = k ln2/N + r, |r| <= ln2/(2N) (Cody-Waite: k
//! rounded to nearest, ln2/N split in a 21-bit head, so k * head is exact,
//! and a tail), then
//!   exp(x) = 2^(k div N) * T[k mod N] * (1 + p(r)),
//!   p(r)   = r + r^2/2 + r^3/6 + r^4/24 + r^5/120,
//! with T[j] = 2^(j/N) correctly rounded (computed with 60-digit decimals).
//! The Taylor remainder is below r^6/720 < 3.5e-17; with the table's half
//! ulp and the final rounding the result is within 1.5 ulp of the exact
//! value (measured against the C library and against extended precision in
//! the tests: at most 1 ulp over 2 million arguments).
//!
//! `ln(x)`: fdlibm's method (Sun, 1993, as in musl until 2017). With
//! x = 2^k (1 + f), sqrt(2)/2 <= 1 + f < sqrt(2), and s = f / (2 + f),
//!   ln(1 + f) = 2 atanh(s) = f - f^2/2 + s (f^2/2 + R(s^2)),
//! R a degree-7 minimax polynomial in s^2 (|error| < 2^-58.45), and
//! k ln2 added in a head and tail. Within 1 ulp of the exact value (fdlibm's
//! bound); measured against the C library in the tests.

/// 2^(j/64), j = 0..63, as IEEE-754 bits (correctly rounded).
const TABLE: [u64; 64] = [
    0x3FF0000000000000,
    0x3FF02C9A3E778061,
    0x3FF059B0D3158574,
    0x3FF0874518759BC8,
    0x3FF0B5586CF9890F,
    0x3FF0E3EC32D3D1A2,
    0x3FF11301D0125B51,
    0x3FF1429AAEA92DE0,
    0x3FF172B83C7D517B,
    0x3FF1A35BEB6FCB75,
    0x3FF1D4873168B9AA,
    0x3FF2063B88628CD6,
    0x3FF2387A6E756238,
    0x3FF26B4565E27CDD,
    0x3FF29E9DF51FDEE1,
    0x3FF2D285A6E4030B,
    0x3FF306FE0A31B715,
    0x3FF33C08B26416FF,
    0x3FF371A7373AA9CB,
    0x3FF3A7DB34E59FF7,
    0x3FF3DEA64C123422,
    0x3FF4160A21F72E2A,
    0x3FF44E086061892D,
    0x3FF486A2B5C13CD0,
    0x3FF4BFDAD5362A27,
    0x3FF4F9B2769D2CA7,
    0x3FF5342B569D4F82,
    0x3FF56F4736B527DA,
    0x3FF5AB07DD485429,
    0x3FF5E76F15AD2148,
    0x3FF6247EB03A5585,
    0x3FF6623882552225,
    0x3FF6A09E667F3BCD,
    0x3FF6DFB23C651A2F,
    0x3FF71F75E8EC5F74,
    0x3FF75FEB564267C9,
    0x3FF7A11473EB0187,
    0x3FF7E2F336CF4E62,
    0x3FF82589994CCE13,
    0x3FF868D99B4492ED,
    0x3FF8ACE5422AA0DB,
    0x3FF8F1AE99157736,
    0x3FF93737B0CDC5E5,
    0x3FF97D829FDE4E50,
    0x3FF9C49182A3F090,
    0x3FFA0C667B5DE565,
    0x3FFA5503B23E255D,
    0x3FFA9E6B5579FDBF,
    0x3FFAE89F995AD3AD,
    0x3FFB33A2B84F15FB,
    0x3FFB7F76F2FB5E47,
    0x3FFBCC1E904BC1D2,
    0x3FFC199BDD85529C,
    0x3FFC67F12E57D14B,
    0x3FFCB720DCEF9069,
    0x3FFD072D4A07897C,
    0x3FFD5818DCFBA487,
    0x3FFDA9E603DB3285,
    0x3FFDFC97337B9B5F,
    0x3FFE502EE78B3FF6,
    0x3FFEA4AFA2A490DA,
    0x3FFEFA1BEE615A27,
    0x3FFF50765B6E4540,
    0x3FFFA7C1819E90D8,
];

/// 64 / ln 2.
const INV_STEP: f64 = f64::from_bits(0x40571547652B82FE);
/// ln2 / 64 in a head with 32 trailing zero bits and a tail.
const STEP_HI: f64 = f64::from_bits(0x3F862E4200000000);
const STEP_LO: f64 = f64::from_bits(0x3E3FDF473DE6AF28);
/// 1.5 * 2^52: adding it rounds to an integer held in the low mantissa bits.
const SHIFT: f64 = 6_755_399_441_055_744.0;
/// Above this exp overflows; below `UNDERFLOW` it is below half the
/// smallest subnormal.
const OVERFLOW: f64 = 709.782_712_893_383_9;
const UNDERFLOW: f64 = -745.133_219_101_941_1;

/// e^x, portable (see the module notes for the error bound).
#[inline]
pub fn exp(x: f64) -> f64 {
    if !(x > UNDERFLOW && x < OVERFLOW) {
        return if x.is_nan() {
            x
        } else if x >= OVERFLOW {
            f64::INFINITY
        } else {
            0.0
        };
    }
    let (k, y) = exp_reduced(x);
    let e = k >> 6;
    if (-1022..=1023).contains(&e) {
        y * f64::from_bits(((e + 1023) as u64) << 52)
    } else {
        // Near the ends of the range: scale in two steps (2^e overflows or
        // is subnormal on its own).
        let half = e / 2;
        y * f64::from_bits(((half + 1023) as u64) << 52)
            * f64::from_bits(((e - half + 1023) as u64) << 52)
    }
}

/// The reduced exponential of an argument inside the range: k = round(x
/// 64/ln2) and y = 2^((k mod 64)/64) (1 + p(r)), so e^x = 2^(k div 64) y.
#[inline(always)]
fn exp_reduced(x: f64) -> (i32, f64) {
    let z = x * INV_STEP + SHIFT;
    let k = z.to_bits() as i64 as i32; // low bits of the mantissa: round(x 64/ln2)
    let kf = z - SHIFT;
    let r = (x - kf * STEP_HI) - kf * STEP_LO;
    let p = r + r * r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0))));
    let t = f64::from_bits(TABLE[(k & 63) as usize]);
    (k, t + t * p)
}

/// `exp` of 4 arguments at once, the same bits as `exp` of each: when all
/// four are within +-700 the lanes take one branch-free path the compiler
/// can keep in vector registers (the table lookups aside); otherwise each
/// goes through `exp`. For runs solved in lockstep (benches/lanes.rs).
#[inline]
pub fn exp4(x: [f64; 4]) -> [f64; 4] {
    if !x.iter().fold(true, |ok, &v| ok & (v.abs() < 700.0)) {
        return x.map(exp);
    }
    x.map(|x| {
        let (k, y) = exp_reduced(x);
        // |x| < 700: the exponent k / 64 is within -1010..=1010.
        y * f64::from_bits((((k >> 6) + 1023) as u64) << 52)
    })
}

/// fdlibm's minimax coefficients of R(z) = Lg1 z + Lg2 z^2 + ... + Lg7 z^7.
const LG: [f64; 7] = [
    f64::from_bits(0x3FE5555555555593),
    f64::from_bits(0x3FD999999997FA04),
    f64::from_bits(0x3FD2492494229359),
    f64::from_bits(0x3FCC71C51D8E78AF),
    f64::from_bits(0x3FC7466496CB03DE),
    f64::from_bits(0x3FC39A09D078C69F),
    f64::from_bits(0x3FC2F112DF3E5244),
];
/// ln 2 in a head with trailing zero bits (k * head exact for |k| < 2^11)
/// and a tail.
const LN2_HI: f64 = f64::from_bits(0x3FE62E42FEE00000);
const LN2_LO: f64 = f64::from_bits(0x3DEA39EF35793C76);

/// ln(x), portable (see the module notes for the error bound): NaN below 0,
/// -inf at 0, +inf at +inf.
#[inline]
pub fn ln(x: f64) -> f64 {
    let mut bits = x.to_bits();
    let mut k: i64 = 0;
    // Zero, negative, subnormal, infinite or NaN: the rare path.
    if !(0x0010_0000_0000_0000..0x7FF0_0000_0000_0000).contains(&bits) {
        if x == 0.0 {
            return f64::NEG_INFINITY;
        }
        if x.is_nan() || x < 0.0 {
            return f64::NAN;
        }
        if x.is_infinite() {
            return x;
        }
        // Subnormal: scale into the normal range.
        bits = (x * f64::from_bits(0x4350_0000_0000_0000)).to_bits(); // 2^54
        k = -54;
    }
    ln_normal(bits, k)
}

/// ln of the positive normal number with bits `bits`, times 2^`k`.
#[inline(always)]
fn ln_normal(bits: u64, mut k: i64) -> f64 {
    // Move the mantissa into [sqrt(2)/2, sqrt(2)) and count the exponent.
    let hx = (bits >> 32) + (0x3FF0_0000 - 0x3FE6_A09E);
    k += (hx >> 20) as i64 - 0x3FF;
    let hx = (hx & 0x000F_FFFF) + 0x3FE6_A09E;
    let m = f64::from_bits((hx << 32) | (bits & 0xFFFF_FFFF));
    let f = m - 1.0;
    let hfsq = 0.5 * f * f;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG[1] + w * (LG[3] + w * LG[5]));
    let t2 = z * (LG[0] + w * (LG[2] + w * (LG[4] + w * LG[6])));
    let r = t2 + t1;
    let dk = k as f64;
    s * (hfsq + r) + dk * LN2_LO - hfsq + f + dk * LN2_HI
}

/// `ln` of 4 arguments at once, the same bits as `ln` of each: when all
/// four are positive normal numbers the lanes take one branch-free path;
/// otherwise each goes through `ln`. For runs solved in lockstep.
#[inline]
pub fn ln4(x: [f64; 4]) -> [f64; 4] {
    let bits = x.map(f64::to_bits);
    if !bits.iter().fold(true, |ok, b| {
        ok & (0x0010_0000_0000_0000..0x7FF0_0000_0000_0000).contains(b)
    }) {
        return x.map(ln);
    }
    bits.map(|b| ln_normal(b, 0))
}

#[cfg(test)]
mod tests {
    use super::{exp, ln};

    /// Distance in units in the last place between two finite doubles of
    /// the same sign.
    fn ulps(a: f64, b: f64) -> u64 {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
    }

    /// Uniform draws on [0, 1) from a xorshift generator (reproducible
    /// arguments for the ulp tests).
    fn uniforms(mut state: u64) -> impl FnMut() -> f64 {
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// Within one ulp of the C library (itself within one ulp of the exact
    /// value) over the whole normal range, densely where the model works
    /// (|x| < 20), and exact at 0.
    #[test]
    fn exp_is_within_one_ulp_of_the_c_library() {
        let mut uniform = uniforms(0x9E37_79B9_7F4A_7C15);
        let mut worst = (0, 0.0);
        for k in 0..2_000_000 {
            let x = if k % 2 == 0 {
                -20.0 + 40.0 * uniform()
            } else {
                -708.0 + 1417.0 * uniform()
            };
            let d = ulps(exp(x), x.exp());
            if d > worst.0 {
                worst = (d, x);
            }
        }
        assert!(worst.0 <= 1, "{} ulps at {}", worst.0, worst.1);
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-0.0), 1.0);
        assert_eq!(exp(1.0), std::f64::consts::E);
    }

    /// `exp4` gives `exp`'s bits, on its vector path and on its
    /// element-by-element one.
    #[test]
    fn exp4_equals_exp_bit_for_bit() {
        let mut uniform = uniforms(7);
        for k in 0..100_000 {
            let x: [f64; 4] = std::array::from_fn(|_| {
                if k % 10 == 0 {
                    -760.0 + 1480.0 * uniform()
                } else {
                    -699.0 + 1398.0 * uniform()
                }
            });
            let (a, b) = (super::exp4(x), x.map(exp));
            assert_eq!(a.map(f64::to_bits), b.map(f64::to_bits), "{x:?}");
        }
        let odd = [f64::NAN, 0.0, 1.0, 2.0];
        assert!(super::exp4(odd)[0].is_nan());
        assert_eq!(super::exp4(odd)[3], exp(2.0));
    }

    /// `ln4` gives `ln`'s bits, on its vector path and on its
    /// element-by-element one.
    #[test]
    fn ln4_equals_ln_bit_for_bit() {
        let mut uniform = uniforms(11);
        for k in 0..100_000 {
            let x: [f64; 4] = std::array::from_fn(|_| match k % 10 {
                0 => f64::MIN_POSITIVE * uniform(),
                1 => -uniform(),
                _ => 10f64.powf(-300.0 + 600.0 * uniform()),
            });
            let (a, b) = (super::ln4(x), x.map(ln));
            assert_eq!(a.map(f64::to_bits), b.map(f64::to_bits), "{x:?}");
        }
        assert_eq!(super::ln4([1.0, 2.0, 0.5, 10.0])[0], 0.0);
    }

    #[test]
    fn exp_handles_the_ends_of_the_range() {
        assert_eq!(exp(f64::INFINITY), f64::INFINITY);
        assert_eq!(exp(f64::NEG_INFINITY), 0.0);
        assert!(exp(f64::NAN).is_nan());
        assert_eq!(exp(710.0), f64::INFINITY);
        assert_eq!(exp(-746.0), 0.0);
        // Largest finite and subnormal results, against the C library.
        for x in [709.78, 709.0, -708.5, -720.0, -740.0, -745.0] {
            let (a, b) = (exp(x), x.exp());
            assert!(a.is_finite() && a > 0.0, "{x}: {a}");
            assert!(ulps(a, b) <= 1, "{x}: {a} vs {b}");
        }
    }

    /// Within one ulp of the C library over the normal range (log-uniform
    /// from 1e-300 to 1e300), densely near 1 where the CES sums sit, and on
    /// subnormals; exact where the result is representable.
    #[test]
    fn ln_is_within_one_ulp_of_the_c_library() {
        let mut uniform = uniforms(0x2545_F491_4F6C_DD1D);
        let mut worst = (0, 0.0);
        for k in 0..2_000_000 {
            let x = match k % 4 {
                0 => 0.5 + 1.5 * uniform(),
                1 => 0.9 + 0.2 * uniform(),
                2 => 10f64.powf(-300.0 + 600.0 * uniform()),
                _ => f64::MIN_POSITIVE * uniform(),
            };
            if x == 0.0 {
                continue;
            }
            let (a, b) = (ln(x), x.ln());
            let d = if a.signum() == b.signum() {
                ulps(a, b)
            } else {
                2
            };
            if d > worst.0 {
                worst = (d, x);
            }
        }
        assert!(worst.0 <= 1, "{} ulps at {:e}", worst.0, worst.1);
        assert_eq!(ln(1.0), 0.0);
        assert_eq!(ln(2.0), std::f64::consts::LN_2);
        assert!(ulps(ln(std::f64::consts::E), 1.0) <= 1);
    }

    #[test]
    fn ln_handles_the_ends_of_the_range() {
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
        assert_eq!(ln(-0.0), f64::NEG_INFINITY);
        assert!(ln(-1.0).is_nan());
        assert!(ln(f64::NAN).is_nan());
        assert_eq!(ln(f64::INFINITY), f64::INFINITY);
        assert_eq!(ln(f64::MAX), f64::MAX.ln());
        assert_eq!(ln(5e-324), (5e-324f64).ln());
    }
}
