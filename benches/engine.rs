//! Criterion benchmarks of the hot paths, seeded and deterministic:
//! one sector's trade-equilibrium solve, one whole run of the default
//! scenario, and aggregating one run's outputs. The end-to-end command is
//! in docs/performance.md.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;
use tariffsim::engine::aggregate::Cell;
use tariffsim::model::equilibrium::{
    EqParams, EqSolution, SectorBase, Workspace as EqWorkspace, solve,
};
use tariffsim::model::{Model, Workspace};
use tariffsim::scenario::{LoadOptions, load_scenario};

fn bench(c: &mut Criterion) {
    let sc = load_scenario(
        Path::new("scenarios/london_framework.toml"),
        &LoadOptions::default(),
    )
    .expect("shipped scenario loads");
    let model = Model::new(&sc, sc.meta.months);

    // One sector (electronics) of the shipped world, US tariff on CN +125 pp.
    let s = sc.sector_index("electronics").expect("sector exists");
    let base: &SectorBase = &model.sectors[s];
    let ne = base.ne;
    let (us, cn) = (sc.econ_index("US").unwrap(), sc.econ_index("CN").unwrap());
    let mut tau = base.tau0.clone();
    tau[cn * ne + us] += 1.25;
    tau[us * ne + cn] += 1.25;
    let params = EqParams {
        sigma_m: 6.0,
        sigma_d: 3.0,
        eta: 1.0,
        eps: vec![5.0; ne],
    };
    let mut ws = EqWorkspace::default();
    c.bench_function("equilibrium_solve_cold", |b| {
        b.iter(|| {
            let mut sol = EqSolution::baseline(base);
            solve(base, &params, black_box(&tau), &mut sol, &mut ws).expect("converges");
            black_box(sol.z[cn])
        })
    });

    let mut rws = Workspace::default();
    let mut out = model.new_output();
    let mut run = 0u64;
    c.bench_function("one_run_london_framework_36_months", |b| {
        b.iter(|| {
            run += 1;
            model
                .run(20250101, run, &mut rws, &mut out)
                .expect("run succeeds");
            black_box(out.monthly[0])
        })
    });

    model.run(1, 0, &mut rws, &mut out).expect("run succeeds");
    let mut cells = vec![Cell::default(); out.monthly.len()];
    c.bench_function("aggregate_one_run", |b| {
        b.iter(|| {
            for (cell, x) in cells.iter_mut().zip(&out.monthly) {
                cell.add(*x);
            }
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
