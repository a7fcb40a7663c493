//! Reading a run's `summary.csv` / `final.csv` into quantile bands, shared by
//! the validation tests (tests/backtest.rs, tests/validation_2025.rs).

use std::collections::HashMap;
use std::path::Path;

/// The 5th, 50th and 95th percentiles of one series and month.
#[derive(Debug, Clone, Copy)]
pub struct Band {
    pub p05: f64,
    pub p50: f64,
    pub p95: f64,
}

impl Band {
    /// The band of `f` of the series; `f` must be monotone increasing.
    pub fn map(self, f: impl Fn(f64) -> f64) -> Band {
        Band {
            p05: f(self.p05),
            p50: f(self.p50),
            p95: f(self.p95),
        }
    }
}

/// (metric, economy, partner, sector, month) -> band.
pub type Table = HashMap<(String, String, String, String, String), Band>;

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn load(path: &Path) -> Table {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("{}: no column {name}", path.display()))
    };
    let (c05, c50, c95) = (col("p05"), col("p50"), col("p95"));
    let mut t = Table::new();
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let num = |i: usize| f[i].parse::<f64>().unwrap_or(f64::NAN);
        t.insert(
            (
                f[0].to_string(),
                f[1].to_string(),
                f[2].to_string(),
                f[3].to_string(),
                f[4].to_string(),
            ),
            Band {
                p05: num(c05),
                p50: num(c50),
                p95: num(c95),
            },
        );
    }
    t
}

pub fn get(
    t: &Table,
    metric: &str,
    economy: &str,
    partner: &str,
    sector: &str,
    month: &str,
) -> Band {
    *t.get(&(
        metric.to_string(),
        economy.to_string(),
        partner.to_string(),
        sector.to_string(),
        month.to_string(),
    ))
    .unwrap_or_else(|| panic!("missing series {metric},{economy},{partner},{sector},{month}"))
}

/// Whether the model's 5-95 % band (either way round, after a decreasing
/// map) overlaps a published range.
pub fn overlaps(b: Band, (lo, hi): (f64, f64)) -> bool {
    let (a, z) = (b.p05.min(b.p95), b.p05.max(b.p95));
    a <= hi && lo <= z
}
