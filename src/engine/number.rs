//! Numbers as the CSVs and workbooks print them (`fmt_num`): up to 7
//! significant digits, no exponent for ordinary magnitudes, "0" for zero.
//! Every number a command writes passes through here (about 120,000 for the
//! summary of one run command), so the common case takes an integer path
//! instead of the standard formatter; the formatter remains the reference
//! and the fallback, and the two agree digit for digit (tests).

/// 10^d for d = 0..=15, exact in f64.
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// Format a number for CSV output: up to 7 significant digits, no exponent
/// for ordinary magnitudes, "0" for zero. Deterministic.
pub fn fmt_num(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return if x.is_nan() {
            "NaN".into()
        } else if x.is_infinite() {
            if x > 0.0 { "inf".into() } else { "-inf".into() }
        } else {
            "0".into()
        };
    }
    let mag = x.abs().log10().floor() as i32;
    if !(-7..=14).contains(&mag) {
        return format!("{x:.6e}");
    }
    let decimals = (6 - mag).clamp(0, 15) as usize;
    fixed(x, decimals).unwrap_or_else(|| reference(x, decimals))
}

/// What `fmt_num` prints for `x` at `decimals` places, by the standard
/// formatter: the exact decimal expansion of x, rounded, trailing zeros
/// removed.
fn reference(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".into() } else { s }
}

/// `reference(x, decimals)` by integer arithmetic, when the rounding can be
/// decided in floating point; None otherwise (then the caller formats).
///
/// y = |x| 10^d is computed with one rounding (10^d is exact), so it is
/// within |y| 2^-53 of the exact product Y. If y lies farther than twice
/// that from the half-integer between floor(y) and floor(y) + 1, Y lies on
/// the same side of it, and Y rounds to the same integer n as y: the digits
/// of n with the point d places from the right are the exact expansion of x
/// rounded to d places. y - floor(y) is exact for y < 2^52.
fn fixed(x: f64, decimals: usize) -> Option<String> {
    let y = x.abs() * POW10[decimals];
    if y >= 4.0e15 {
        return None;
    }
    let fl = y.floor();
    let frac = y - fl;
    if (frac - 0.5).abs() <= y * f64::EPSILON + f64::MIN_POSITIVE {
        return None;
    }
    let mut n = fl as u64 + u64::from(frac > 0.5);
    // Digits, least significant first, then reversed into place.
    let mut digits = [0u8; 24];
    let mut len = 0;
    while n > 0 || len <= decimals {
        digits[len] = b'0' + (n % 10) as u8;
        n /= 10;
        len += 1;
    }
    // Trailing zeros of the fraction go; so does the point if nothing is left.
    let mut skip = 0;
    while skip < decimals && digits[skip] == b'0' {
        skip += 1;
    }
    let mut s = String::with_capacity(len + 2);
    if x < 0.0 && digits[skip..len].iter().any(|&d| d != b'0') {
        s.push('-');
    }
    for pos in (skip..len).rev() {
        s.push(digits[pos] as char);
        if pos == decimals && pos > skip {
            s.push('.');
        }
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_numbers_print_as_the_contract_says() {
        assert_eq!(fmt_num(0.0), "0");
        assert_eq!(fmt_num(-0.0), "0");
        assert_eq!(fmt_num(2.8), "2.8");
        assert_eq!(fmt_num(438.947), "438.947");
        assert_eq!(fmt_num(-0.012345678), "-0.01234568");
        assert_eq!(fmt_num(1234567.0), "1234567");
        assert_eq!(fmt_num(123456789.4), "123456789");
        assert_eq!(fmt_num(100.0), "100");
        assert_eq!(fmt_num(-5.0), "-5");
        assert_eq!(fmt_num(9.9999999), "10");
        assert_eq!(fmt_num(0.5), "0.5");
        assert_eq!(fmt_num(1e-9), "1.000000e-9");
        assert_eq!(fmt_num(f64::NAN), "NaN");
        assert_eq!(fmt_num(f64::NEG_INFINITY), "-inf");
    }

    /// The integer path agrees with the formatter on every value it takes,
    /// over random magnitudes and mantissas, short decimals (0.1, 2.675,
    /// exact halves at 7 digits), integers and their neighbours; and it does
    /// take most of them.
    #[test]
    fn the_integer_path_prints_what_the_formatter_prints() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let (mut fast, mut total) = (0, 0);
        for k in 0..600_000u64 {
            let r = next();
            let u = (r >> 11) as f64 / (1u64 << 53) as f64;
            let x = match k % 6 {
                0 => 10f64.powf(-7.5 + 23.0 * u),
                1 => (r % 20_000_001) as f64 / 1000.0,
                2 => (r % 200_000_001) as f64 / 1e7 + 0.5e-7,
                3 => ((r % 1_000_000) as f64 + 0.5) * 10f64.powi((r % 17) as i32 - 8),
                4 => f64::from_bits(
                    10f64
                        .powi((r % 20) as i32 - 6)
                        .to_bits()
                        .wrapping_add(r >> 60)
                        .wrapping_sub(8),
                ),
                _ => (r % 1_000_000_000_000) as f64,
            };
            for x in [x, -x] {
                if x == 0.0 {
                    continue;
                }
                let mag = x.abs().log10().floor() as i32;
                if !(-7..=14).contains(&mag) {
                    continue;
                }
                let d = (6 - mag).clamp(0, 15) as usize;
                total += 1;
                if let Some(s) = fixed(x, d) {
                    fast += 1;
                    assert_eq!(s, reference(x, d), "{x:e} at {d} places");
                }
            }
        }
        assert!(fast * 10 > total * 9, "integer path took {fast} of {total}");
    }
}
