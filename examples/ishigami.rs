//! Sobol indices of the Ishigami function (a = 7, b = 0.1) by tariffsim's
//! Saltelli estimator, for the SALib cross-check
//! (`benches/crosscheck/ishigami_salib.py`):
//!
//! `cargo run --release --example ishigami -- N SEED DESIGN`
//!
//! prints one JSON object: the design, N, the model runs and, per input, the
//! first-order and total indices with their 95 % bootstrap intervals.

use tariffsim::sensitivity::sobol::{Design, Sampler, analyze};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.first().and_then(|s| s.parse().ok()).unwrap_or(1024);
    let seed: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1);
    let design = args
        .get(2)
        .and_then(|s| Design::parse(s))
        .unwrap_or_default();
    if n < 2 {
        eprintln!("N must be at least 2");
        std::process::exit(2);
    }
    let pi = std::f64::consts::PI;
    // Inputs uniform on [-pi, pi]: x = -pi + 2 pi u.
    let f = |u: &[f64], _row: usize| {
        let x: Vec<f64> = u.iter().map(|v| -pi + 2.0 * pi * v).collect();
        vec![x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()]
    };
    let Ok(sampler) = Sampler::new(design, seed, 3) else {
        eprintln!("3 inputs fit every design");
        std::process::exit(1);
    };
    let r = analyze(&sampler, n, 1, seed, 1000, 1, &f);
    let fmt = |v: [f64; 3]| format!("[{}, {}, {}]", v[0], v[1], v[2]);
    let col = |g: fn(&tariffsim::sensitivity::sobol::Index) -> f64| {
        [g(&r[0][0]), g(&r[1][0]), g(&r[2][0])]
    };
    println!(
        "{{\"design\": \"{}\", \"N\": {n}, \"runs\": {}, \"S1\": {}, \"S1_lo\": {}, \"S1_hi\": {}, \"ST\": {}, \"ST_lo\": {}, \"ST_hi\": {}}}",
        design.name(),
        n * 5,
        fmt(col(|i| i.first)),
        fmt(col(|i| i.first_lo)),
        fmt(col(|i| i.first_hi)),
        fmt(col(|i| i.total)),
        fmt(col(|i| i.total_lo)),
        fmt(col(|i| i.total_hi)),
    );
}
