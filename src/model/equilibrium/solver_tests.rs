//! Tests of the solver: closed forms, extreme inputs, the two evaluation
//! paths.

use super::evaluate::{evaluate_log, fast_evaluate};
use super::*;

/// Two economies: A (0) imports from B (1); both also supply themselves.
/// Equilibrium parameters without exchange rates.
fn params(sigma_m: f64, sigma_d: f64, eta: f64, eps: Vec<f64>) -> EqParams {
    EqParams {
        sigma_m,
        sigma_d,
        eta,
        eps,
        fx: Vec::new(),
    }
}

fn two(v_aa: f64, v_ba: f64, v_bb: f64, v_ab: f64) -> SectorBase {
    SectorBase::new(2, vec![v_aa, v_ab, v_ba, v_bb], vec![0.0; 4])
}

#[test]
fn one_tariff_infinite_supply_matches_closed_form() {
    let base = two(60.0, 40.0, 100.0, 0.0);
    let (sm, sd, eta, tau) = (5.0, 2.5, 0.7, 0.25);
    let p = params(sm, sd, eta, vec![f64::INFINITY; 2]);
    let mut t = vec![0.0; 4];
    t[2] = tau; // B -> A
    let mut sol = EqSolution::baseline(&base);
    let mut ws = Workspace::default();
    solve(&base, &p, None, &t, &mut sol, &mut ws).unwrap();
    crate::model::equilibrium::welfare(&base, &p, &mut sol);
    // Closed form with w = 1: PM = 1 + tau, P = (d + (1-d) PM^(1-sd))^(1/(1-sd)).
    let d: f64 = 0.6;
    let pm: f64 = 1.0 + tau;
    let pp = (d + (1.0 - d) * pm.powf(1.0 - sd)).powf(1.0 / (1.0 - sd));
    let q = pp.powf(-eta);
    let x_imp = (pm / pp).powf(-sd) * q;
    let x_dom = (1.0 / pp).powf(-sd) * q;
    // Tolerance: both are computed in double precision via logs.
    assert!((sol.ln_pm[0].exp() - pm).abs() < 1e-12);
    assert!((sol.ln_p[0].exp() - pp).abs() < 1e-12);
    assert!(
        (sol.flows[2] - 40.0 * x_imp).abs() < 1e-9,
        "{} vs {}",
        sol.flows[2],
        40.0 * x_imp
    );
    assert!((sol.flows[0] - 60.0 * x_dom).abs() < 1e-9);
    // Tariff revenue = tau * the new import value.
    assert!((sol.tr[0] - tau * 40.0 * x_imp).abs() < 1e-9);
    assert_eq!(
        sol.iterations, 0,
        "no unknowns with infinite supply elasticity"
    );
}

#[test]
fn finite_supply_elasticity_clears_supply_and_shifts_incidence() {
    let ne = 3;
    let v = vec![50.0, 10.0, 5.0, 20.0, 80.0, 7.0, 4.0, 6.0, 60.0];
    let base = SectorBase::new(ne, v.clone(), vec![0.0; 9]);
    let p = params(6.0, 3.0, 1.0, vec![2.0, 2.0, 2.0]);
    let mut t = vec![0.0; 9];
    t[ne] = 0.5; // 1 -> 0 at 50 %
    let mut sol = EqSolution::baseline(&base);
    let mut ws = Workspace::default();
    solve(&base, &p, None, &t, &mut sol, &mut ws).unwrap();
    for e in 0..ne {
        let demand: f64 = (0..ne).map(|i| v[e * ne + i] * sol.x[e * ne + i]).sum();
        let supply = base.supply[e] * (p.eps[e] * sol.z[e]).exp();
        assert!((demand / supply - 1.0).abs() < 1e-9, "market {e} clears");
    }
    assert!(
        sol.z[1] < 0.0,
        "the taxed exporter's price falls (partial pass-through)"
    );
    assert!(sol.flows.iter().all(|f| *f >= 0.0 && f.is_finite()));
}

#[test]
fn extreme_inputs_converge_or_fail_by_name() {
    let ne = 3;
    let v = vec![50.0, 10.0, 5.0, 20.0, 80.0, 7.0, 4.0, 6.0, 60.0];
    let base = SectorBase::new(ne, v, vec![0.0; 9]);
    for &(sm, sd, eps, tau) in &[
        (1.0001, 1.0, 0.1, 10.0),
        (20.0, 10.0, 0.5, 10.0),
        (20.0, 20.0, 20.0, 100.0),
        (1.0, 1.0, 1.0, 0.0),
        (1.01, 0.5, 5.0, 3.0),
    ] {
        let p = params(sm, sd, 0.8, vec![eps; 3]);
        let t: Vec<f64> = (0..9).map(|k| if k % 4 == 0 { 0.0 } else { tau }).collect();
        let mut sol = EqSolution::baseline(&base);
        let mut ws = Workspace::default();
        match solve(&base, &p, None, &t, &mut sol, &mut ws) {
            Ok(()) => {
                let near_cd = (1.0 - sm).abs() < 1e-2 || (1.0 - sd).abs() < 1e-2;
                assert!(sol.residual <= TOL || (near_cd && sol.residual <= FLOOR_TOL));
                assert!(sol.flows.iter().all(|f| f.is_finite() && *f >= 0.0));
            }
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
}

#[test]
fn fast_and_log_evaluations_agree() {
    let ne = 3;
    let v = vec![50.0, 10.0, 5.0, 20.0, 80.0, 7.0, 4.0, 6.0, 60.0];
    let base = SectorBase::new(ne, v, vec![0.0; 9]);
    let p = params(6.0, 3.0, 0.7, vec![2.0; 3]);
    let tau: Vec<f64> = (0..9)
        .map(|k| if k % 4 == 0 { 0.0 } else { 0.1 * k as f64 })
        .collect();
    let mut ws = Workspace::default();
    let mut sol = EqSolution::baseline(&base);
    // Prepare the per-solve factors as `solve` does.
    solve(&base, &p, None, &tau, &mut sol, &mut ws).unwrap();
    let z = vec![0.05, -0.1, 0.02];
    let mut a = EqSolution::baseline(&base);
    let mut b = EqSolution::baseline(&base);
    assert!(fast_evaluate(&base, &p, &z, &mut a, &mut ws));
    let g_fast = ws.g.clone();
    evaluate_log(&base, &p, &z, &mut b, &mut ws);
    for k in 0..9 {
        // Same algebra in two forms: agreement to rounding.
        assert!(
            (a.x[k] / b.x[k] - 1.0).abs() < 1e-12,
            "x[{k}] {} vs {}",
            a.x[k],
            b.x[k]
        );
    }
    for e in 0..3 {
        assert!((g_fast[e] - ws.g[e]).abs() < 1e-12);
    }
}

#[test]
fn zero_flows_are_handled() {
    // Economy 2 trades nothing and produces nothing in this sector.
    let v = vec![50.0, 10.0, 0.0, 20.0, 80.0, 0.0, 0.0, 0.0, 0.0];
    let base = SectorBase::new(3, v, vec![0.0; 9]);
    let p = params(4.0, 2.0, 1.0, vec![3.0; 3]);
    let t = vec![0.0, 0.3, 0.3, 0.3, 0.0, 0.3, 0.3, 0.3, 0.0];
    let mut sol = EqSolution::baseline(&base);
    let mut ws = Workspace::default();
    solve(&base, &p, None, &t, &mut sol, &mut ws).unwrap();
    assert!(sol.flows.iter().all(|f| f.is_finite() && *f >= 0.0));
    assert_eq!(sol.flows[8], 0.0);
}

/// A flow split into a covered line (40 %, tariff 30 %) and an uncovered one
/// (60 %, no tariff) against the closed form of a flat CES over the lines:
///   PM = (0.4 T^(1-sm) + 0.6)^(1/(1-sm)),  x = (0.4 T^(-sm) + 0.6) PM^sm xm,
/// and the tariff collected = 0.3 x the covered line's share of the quantity.
/// Rate x coverage (12 % on the whole flow, model 1) gives a different,
/// larger fall of the flow.
#[test]
fn covered_and_uncovered_lines_match_the_closed_form() {
    let (sm, sd, eta, tau, s_c) = (5.0, 2.5, 0.7, 0.3, 0.4);
    let p = params(sm, sd, eta, vec![f64::INFINITY; 2]);
    // Line 0 covered, line 1 the rest; domestic flows all in the rest.
    let shares = vec![0.0, 1.0, 0.0, 1.0, s_c, 1.0 - s_c, 0.0, 1.0];
    let base = two(60.0, 40.0, 100.0, 0.0).with_lines(2, shares);
    let mut t = vec![0.0; 8];
    t[2 * 2] = tau; // B -> A, covered line
    let mut sol = EqSolution::baseline(&base);
    let mut ws = Workspace::default();
    solve(&base, &p, None, &t, &mut sol, &mut ws).unwrap();
    crate::model::equilibrium::welfare(&base, &p, &mut sol);
    let tt: f64 = 1.0 + tau;
    let pm = (s_c * tt.powf(1.0 - sm) + 1.0 - s_c).powf(1.0 / (1.0 - sm));
    let d: f64 = 0.6;
    let pp = (d + (1.0 - d) * pm.powf(1.0 - sd)).powf(1.0 / (1.0 - sd));
    let xm = (pm / pp).powf(-sd) * pp.powf(-eta);
    let x = (s_c * tt.powf(-sm) + 1.0 - s_c) * pm.powf(sm) * xm;
    assert!((sol.ln_pm[0].exp() - pm).abs() < 1e-12);
    assert!(
        (sol.flows[2] - 40.0 * x).abs() < 1e-9,
        "{} vs {}",
        sol.flows[2],
        40.0 * x
    );
    let covered = s_c * tt.powf(-sm) / (s_c * tt.powf(-sm) + 1.0 - s_c);
    assert!((sol.tau_eff[2] - tau * covered).abs() < 1e-14);
    assert!((sol.tr[0] - tau * covered * 40.0 * x).abs() < 1e-9);
    // Model 1's approximation: the covered share times the rate on the whole flow.
    let one = two(60.0, 40.0, 100.0, 0.0);
    let mut t1 = vec![0.0; 4];
    t1[2] = s_c * tau;
    let mut sol1 = EqSolution::baseline(&one);
    solve(&one, &p, None, &t1, &mut sol1, &mut ws).unwrap();
    assert!(
        sol.flows[2] > sol1.flows[2] + 0.5,
        "{} vs {}",
        sol.flows[2],
        sol1.flows[2]
    );
    // Both lines at the same tariff: exactly the one-line solution.
    let mut t2 = vec![0.0; 8];
    t2[4] = tau;
    t2[5] = tau;
    let mut sol2 = EqSolution::baseline(&base);
    solve(&base, &p, None, &t2, &mut sol2, &mut ws).unwrap();
    let mut t3 = vec![0.0; 4];
    t3[2] = tau;
    let mut sol3 = EqSolution::baseline(&one);
    solve(&one, &p, None, &t3, &mut sol3, &mut ws).unwrap();
    assert!((sol2.flows[2] - sol3.flows[2]).abs() < 1e-10);
    assert!((sol2.tau_eff[2] - tau).abs() < 1e-15);
}

/// The short run of model 2 is the demand at the long-run prices: with
/// infinitely elastic supply (prices fixed at 1) it is exactly the solved
/// equilibrium at the short-run elasticities; with finite supply it keeps the
/// long-run prices and so differs from that equilibrium.
#[test]
fn quantities_at_given_prices_are_the_demand_at_those_prices() {
    let base = two(60.0, 40.0, 100.0, 10.0);
    let mut t = vec![0.0; 4];
    t[2] = 0.3;
    let sr = params(2.0, 1.4, 0.7, vec![f64::INFINITY; 2]);
    let mut ws = Workspace::default();
    let mut solved = EqSolution::baseline(&base);
    solve(&base, &sr, None, &t, &mut solved, &mut ws).unwrap();
    let mut at = EqSolution::baseline(&base);
    quantities_at(&base, &sr, &t, &[0.0, 0.0], &mut at, &mut ws);
    for k in 0..4 {
        assert!((at.x[k] - solved.x[k]).abs() < 1e-14, "{k}");
        assert!((at.flows[k] - solved.flows[k]).abs() < 1e-12);
    }
    // Finite supply: the long-run prices are kept, supply does not clear.
    let lr = params(6.0, 3.0, 0.7, vec![2.0; 2]);
    let mut long = EqSolution::baseline(&base);
    solve(&base, &lr, None, &t, &mut long, &mut ws).unwrap();
    let sr2 = EqParams {
        eps: vec![2.0; 2],
        fx: Vec::new(),
        ..sr
    };
    quantities_at(&base, &sr2, &t, &long.z, &mut at, &mut ws);
    assert_eq!(at.w, long.w);
    assert!(
        at.x[2] > long.x[2],
        "less substitution away from B in the short run"
    );
}

/// A case the random-sector property found (CI, 2026-12-07): flows spanning
/// four orders of magnitude, sigma near 26, bilateral tariffs of 10,000 %.
/// Newton stalls at a residual of 2e-11, a rounding floor away from any
/// Cobb-Douglas limit: the solve is accepted at `FLOOR_TOL` and the markets
/// clear to that accuracy.
#[test]
fn ill_conditioned_sector_stops_at_the_rounding_floor_with_markets_cleared() {
    let ne = 3;
    let v = vec![
        0.0,
        146.12397758068352,
        492.6431125427052,
        443.98337063938976,
        825835.6734136557,
        715.0456817304117,
        863350.8559000297,
        474.3358503313792,
        925.4819521289721,
    ];
    let tau0 = vec![
        0.0,
        0.0,
        0.001484174541987168,
        0.0,
        0.0,
        0.4230509573716808,
        0.0,
        0.0,
        0.0,
    ];
    let t = vec![
        0.0,
        100.0,
        0.2659522903518378,
        1.3037668562947207,
        0.0,
        0.09717865349747043,
        33.97465136501997,
        95.42122000265707,
        0.0,
    ];
    let base = SectorBase::new(ne, v, tau0);
    let p = params(
        26.416708838598808,
        25.33340718925952,
        0.0,
        vec![42.33719906450041, 0.05, 0.05],
    );
    let mut sol = EqSolution::baseline(&base);
    let mut ws = Workspace::default();
    solve(&base, &p, None, &t, &mut sol, &mut ws).unwrap();
    assert!(
        sol.residual > TOL && sol.residual <= FLOOR_TOL,
        "residual {}",
        sol.residual
    );
    for e in 0..ne {
        let demand: f64 = (0..ne)
            .map(|i| base.v[e * ne + i] * sol.x[e * ne + i])
            .sum();
        let supply = base.supply[e] * (p.eps[e] * sol.z[e]).exp();
        assert!(
            (demand / supply - 1.0).abs() < FLOOR_TOL,
            "market {e} clears"
        );
    }
    assert!(sol.flows.iter().all(|f| f.is_finite() && *f >= 0.0));
}

/// An exchange-rate wedge is a price wedge like a tariff that collects
/// nothing: a solve with appreciations q equals the solve at the tariffs
/// (1 + tau') = (1 + tau) exp(q_e - q_i) in prices and quantities, while
/// the tariff collected stays tau; domestic flows carry no wedge, and a
/// common move of every currency changes nothing.
#[test]
fn an_exchange_rate_wedge_is_a_tariff_that_collects_nothing() {
    let ne = 3;
    let v = vec![50.0, 10.0, 5.0, 20.0, 80.0, 7.0, 4.0, 6.0, 60.0];
    let tau0 = vec![0.0, 0.02, 0.03, 0.01, 0.0, 0.05, 0.04, 0.02, 0.0];
    let base = SectorBase::new(ne, v, tau0.clone());
    let mut tau = tau0.clone();
    tau[ne] = 0.25; // 1 -> 0 at 25 %
    let q = vec![0.06, -0.03, 0.0];
    let p = |fx: Vec<f64>| EqParams {
        sigma_m: 5.0,
        sigma_d: 2.5,
        eta: 0.8,
        eps: vec![3.0, 2.0, f64::INFINITY],
        fx,
    };
    let solve_at = |p: &EqParams, t: &[f64]| {
        let mut sol = EqSolution::baseline(&base);
        solve(&base, p, None, t, &mut sol, &mut Workspace::default()).unwrap();
        sol
    };
    let with_fx = solve_at(&p(q.clone()), &tau);
    let equivalent: Vec<f64> = (0..ne * ne)
        .map(|k| {
            let (e, i) = (k / ne, k % ne);
            if e == i {
                tau[k]
            } else {
                (1.0 + tau[k]) * (q[e] - q[i]).exp() - 1.0
            }
        })
        .collect();
    let as_tariff = solve_at(&p(Vec::new()), &equivalent);
    for k in 0..ne * ne {
        assert!((with_fx.x[k] - as_tariff.x[k]).abs() < 1e-9, "x[{k}]");
        assert!((with_fx.flows[k] - as_tariff.flows[k]).abs() < 1e-9);
        assert_eq!(with_fx.tau_eff[k], tau[k], "collected at the tariff");
    }
    for e in 0..ne {
        assert!((with_fx.z[e] - as_tariff.z[e]).abs() < 1e-9);
        assert!((with_fx.ln_p[e] - as_tariff.ln_p[e]).abs() < 1e-9);
    }
    // The importer that appreciates (0) buys more from the others; the
    // exporter that depreciates (1) sells more abroad.
    let none = solve_at(&p(Vec::new()), &tau);
    assert!(with_fx.x[2 * ne] > none.x[2 * ne], "2 -> 0 rises");
    assert!(with_fx.x[ne + 2] > none.x[ne + 2], "1 -> 2 rises");
    // Only relative rates matter.
    let shifted = solve_at(&p(q.iter().map(|x| x + 0.1).collect()), &tau);
    for k in 0..ne * ne {
        assert!((shifted.x[k] - with_fx.x[k]).abs() < 1e-12);
    }
}

/// The short run's tariff factors computed in the long run's pass
/// (`solve` with `sr`, then `short_run_after_solve`) are those `quantities_at`
/// computes on its own, bit for bit: with mixed lines (a covered and an
/// uncovered line), a flow at one tariff, and exchange rates.
#[test]
fn short_run_factors_from_the_long_runs_pass_equal_their_own() {
    let shares = vec![0.0, 1.0, 0.3, 0.7, 0.4, 0.6, 0.0, 1.0];
    let base = two(60.0, 40.0, 100.0, 25.0).with_lines(2, shares);
    let mut t = vec![0.0; 8];
    t[4] = 0.3; // B -> A, covered line only: mixed
    t[2] = 0.1; // A -> B, both lines: one tariff
    t[3] = 0.1;
    let fx = vec![0.02, -0.01];
    let lr = EqParams {
        fx: fx.clone(),
        ..params(6.0, 3.0, 0.7, vec![2.0; 2])
    };
    let sr = EqParams {
        fx,
        ..params(2.5, 1.6, 0.7, vec![2.0; 2])
    };
    let mut ws = Workspace::default();
    let (mut long_a, mut short_a) = (EqSolution::baseline(&base), EqSolution::baseline(&base));
    solve(&base, &lr, Some(&sr), &t, &mut long_a, &mut ws).unwrap();
    short_run_after_solve(&base, &sr, &t, &long_a.z, &mut short_a, &mut ws);
    let mut ws = Workspace::default();
    let (mut long_b, mut short_b) = (EqSolution::baseline(&base), EqSolution::baseline(&base));
    solve(&base, &lr, None, &t, &mut long_b, &mut ws).unwrap();
    quantities_at(&base, &sr, &t, &long_b.z, &mut short_b, &mut ws);
    assert_eq!(long_a.z, long_b.z);
    for (a, b) in [(&short_a, &short_b), (&long_a, &long_b)] {
        assert_eq!(a.x, b.x);
        assert_eq!(a.flows, b.flows);
        assert_eq!(a.tau_eff, b.tau_eff);
        assert_eq!(a.ln_pm, b.ln_pm);
    }
    assert_ne!(
        short_a.tau_eff, long_a.tau_eff,
        "the collected rate depends on sigma"
    );
    // Without the short-run parameters, `short_run_after_solve` computes
    // them itself: the same numbers.
    let mut short_c = EqSolution::baseline(&base);
    solve(&base, &lr, None, &t, &mut long_b, &mut ws).unwrap();
    short_run_after_solve(&base, &sr, &t, &long_b.z, &mut short_c, &mut ws);
    assert_eq!(short_c.x, short_b.x);
}

/// A workspace that serves one sector keeps the tariff factors of flows
/// whose tariffs did not move; every solve along a path of tariffs,
/// exchange rates and elasticities gives the bits of a fresh workspace's.
#[test]
fn a_sector_workspace_keeps_factors_only_while_they_are_exact() {
    let shares = vec![0.0, 1.0, 0.3, 0.7, 0.4, 0.6, 0.0, 1.0];
    let base = two(60.0, 40.0, 100.0, 25.0).with_lines(2, shares);
    let one = two(60.0, 40.0, 100.0, 25.0);
    let lines = |b_to_a: f64, a_to_b: (f64, f64)| {
        let mut t = vec![0.0; 8];
        (t[4], t[2], t[3]) = (b_to_a, a_to_b.0, a_to_b.1);
        t
    };
    let p = |sm: f64, fx: Vec<f64>| EqParams {
        fx,
        ..params(sm, 3.0, 0.7, vec![2.0; 2])
    };
    let sr = params(2.5, 1.6, 0.7, vec![2.0; 2]);
    // (tariffs, long-run parameters): a mixed flow; exchange rates alone
    // moving; one line moving; the same again; a zero of the other sign;
    // another import elasticity with the same tariffs; a flow's lines at
    // zero, then at zero of the other sign (the collected rate keeps the
    // sign); back to the start.
    let path = [
        (lines(0.3, (0.1, 0.1)), p(6.0, vec![])),
        (lines(0.3, (0.1, 0.1)), p(6.0, vec![0.02, -0.01])),
        (lines(0.3, (0.1, 0.25)), p(6.0, vec![0.02, -0.01])),
        (lines(0.3, (0.1, 0.25)), p(6.0, vec![0.03, -0.01])),
        (lines(-0.0, (0.1, 0.25)), p(6.0, vec![0.03, -0.01])),
        (lines(-0.0, (0.1, 0.25)), p(4.0, vec![0.03, -0.01])),
        (lines(-0.0, (0.0, 0.0)), p(4.0, vec![0.03, -0.01])),
        (lines(-0.0, (-0.0, -0.0)), p(4.0, vec![0.03, -0.01])),
        (lines(0.3, (0.1, 0.1)), p(6.0, vec![])),
    ];
    for (b, nl) in [(&base, 2), (&one, 1)] {
        let mut kept = Workspace::for_one_sector();
        let (mut long, mut short) = (EqSolution::baseline(b), EqSolution::baseline(b));
        for (step, (t, lr)) in path.iter().enumerate() {
            let t: Vec<f64> = if nl == 1 {
                t.chunks(2).map(|c| c[1]).collect()
            } else {
                t.clone()
            };
            let sr = EqParams {
                fx: lr.fx.clone(),
                ..sr.clone()
            };
            let mut fresh = Workspace::default();
            let (mut long_f, mut short_f) = (long.clone(), short.clone());
            solve(b, lr, Some(&sr), &t, &mut long, &mut kept).unwrap();
            short_run_after_solve(b, &sr, &t, &long.z, &mut short, &mut kept);
            solve(b, lr, Some(&sr), &t, &mut long_f, &mut fresh).unwrap();
            short_run_after_solve(b, &sr, &t, &long_f.z, &mut short_f, &mut fresh);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            for (a, f) in [(&long, &long_f), (&short, &short_f)] {
                for (name, x, y) in [
                    ("z", &a.z, &f.z),
                    ("x", &a.x, &f.x),
                    ("flows", &a.flows, &f.flows),
                    ("tau_eff", &a.tau_eff, &f.tau_eff),
                ] {
                    assert_eq!(bits(x), bits(y), "{nl} line(s), step {step}: {name}");
                }
            }
        }
    }
}

/// The accepted rounding floor is `FLOOR_TOL` except where a CES index is
/// within 1.4e-5 of its Cobb-Douglas limit without taking the Cobb-Douglas
/// form (which amplifies nothing); there it is 64 ulps over |1 - sigma|.
#[test]
fn the_rounding_floor_widens_only_next_to_a_cobb_douglas_limit() {
    let floor = |sm: f64, sd: f64| rounding_floor(&params(sm, sd, 0.8, vec![2.0; 2]));
    for (sm, sd) in [
        (4.0, 2.0),
        (1.0001, 20.0),
        (0.5, 1.00002),
        (1.0, 1.0),
        (1.0 + 5e-10, 3.0),
    ] {
        assert_eq!(floor(sm, sd), FLOOR_TOL, "sigma_m {sm}, sigma_d {sd}");
    }
    let r = 1.0 - 0.9999999691496646;
    assert_eq!(
        floor(2.105427379848649, 0.9999999691496646),
        64.0 * f64::EPSILON / r
    );
    assert!(floor(1.0 + 1e-7, 3.0) > 1e-7 && floor(1.0 + 1e-7, 3.0) < 2e-7);
}
