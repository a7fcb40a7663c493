//! Direction numbers of the Sobol' sequence for dimensions 2 to 1,024, read
//! from `new-joe-kuo-6.1024.txt` (the published file's format and first
//! 1,024 lines, `d s a m_1 ... m_s`) into `(a, [m_1, ..., m_s])` per
//! dimension: `a` encodes the coefficients of the
//! primitive polynomial of degree s (its bits from the x^(s-1) term down to
//! x^1; the leading and constant terms are 1) and `m_k` are the initial
//! direction numbers. Dimension 1 (the van der Corput sequence, all m = 1)
//! has no row.
//!
//! Source: S. Joe and F. Y. Kuo, "Constructing Sobol sequences with better
//! two-dimensional projections", SIAM J. Sci. Comput. 30 (2008) 2635-2654;
//! the table new-joe-kuo-6.21201 (https://web.maths.unsw.edu.au/~fkuo/sobol/),
//! its first 1,023 rows, transcribed from the copy SALib ships
//! (github.com/SALib/SALib, src/SALib/sample/directions.py, whose tuple
//! `(a, m_1, ..., m_s)` is the file's line `d s a m_1 ... m_s` without d and
//! s). Copyright (c) 2008, Frances Y. Kuo and Stephen Joe, BSD-style licence
//! (redistribution with this notice). Tests in `qmc.rs` check the first
//! points against SciPy's `qmc.Sobol`, which uses the same table.

use std::sync::LazyLock;

/// Number of rows: dimensions 2, 3, ..., 1,024.
pub const ROWS: usize = 1023;

static TABLE: &str = include_str!("new-joe-kuo-6.1024.txt");

/// Rows for dimensions 2, 3, ..., 1,024 (`direction_rows_are_complete`
/// checks that every line parsed).
pub static DIRECTIONS: LazyLock<Vec<(u16, Vec<u16>)>> = LazyLock::new(|| parse(TABLE));

/// The rows of a table in the published format; the header and any line
/// that is not `d s a m_1 ... m_s` with s numbers m are skipped.
fn parse(text: &str) -> Vec<(u16, Vec<u16>)> {
    text.lines()
        .filter_map(|line| {
            let n: Vec<u16> = line
                .split_whitespace()
                .map(str::parse)
                .collect::<Result<_, _>>()
                .ok()?;
            let (&s, rest) = n.get(1..)?.split_first()?;
            let (&a, m) = rest.split_first()?;
            (m.len() == usize::from(s)).then(|| (a, m.to_vec()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{DIRECTIONS, ROWS, TABLE};

    /// Every line after the header is a row, in dimension order, and the
    /// first and last are the published ones.
    #[test]
    fn direction_rows_are_complete() {
        assert_eq!(DIRECTIONS.len(), ROWS);
        assert_eq!(TABLE.lines().count(), ROWS + 1);
        for (k, line) in TABLE.lines().skip(1).enumerate() {
            let d: usize = line.split_whitespace().next().unwrap().parse().unwrap();
            assert_eq!(d, k + 2, "{line}");
        }
        assert_eq!(DIRECTIONS[0], (0, vec![1]));
        assert_eq!(
            DIRECTIONS[ROWS - 1],
            (
                3538,
                vec![1, 1, 5, 11, 11, 33, 37, 29, 263, 1019, 657, 1453, 7807]
            )
        );
    }
}
