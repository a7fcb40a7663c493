//! Criterion benchmarks of the hot paths, seeded and deterministic:
//! one sector's trade-equilibrium solve, one whole run of the default
//! scenario, and aggregating a batch of 128 runs' outputs. The end-to-end command is
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
        fx: Vec::new(),
    };
    let mut ws = EqWorkspace::default();
    c.bench_function("equilibrium_solve_cold", |b| {
        b.iter(|| {
            let mut sol = EqSolution::baseline(base);
            solve(base, &params, None, black_box(&tau), &mut sol, &mut ws).expect("converges");
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

    // The aggregation as the engine does it: a batch of 128 runs, each
    // series-month cell taking its 128 values at once (per run: time / 128).
    const BATCH: usize = 128;
    let n_cells = out.monthly.len();
    let mut by_cell = vec![0.0; n_cells * BATCH];
    for r in 0..BATCH {
        model
            .run(1, r as u64, &mut rws, &mut out)
            .expect("run succeeds");
        for (k, x) in out.monthly.iter().enumerate() {
            by_cell[k * BATCH + r] = *x;
        }
    }
    let mut cells = vec![Cell::default(); n_cells];
    c.bench_function("aggregate_batch_of_128_runs", |b| {
        b.iter(|| {
            for (k, cell) in cells.iter_mut().enumerate() {
                cell.add_all(black_box(&by_cell[k * BATCH..(k + 1) * BATCH]));
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
