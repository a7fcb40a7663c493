//! Tests of Block 4: conservation of the queue, the pipeline, delays,
//! ramps, concave losses and the scarcity price.

use super::*;

fn imps() -> Vec<ImporterRun> {
    vec![
        ImporterRun {
            apps: 2.0,
            controlled: 1.0,
            transit: 0.0,
            dependence: 0.8,
            stock_target: 2.0,
            priority: 1.0,
        },
        ImporterRun {
            apps: 1.0,
            controlled: 0.4,
            transit: 1.0,
            dependence: 0.5,
            stock_target: 1.0,
            priority: 2.0,
        },
    ]
}

fn regime(capacity: f64, approval: f64, delay: f64) -> RegimeRun {
    RegimeRun {
        capacity,
        approval,
        capacity_end: capacity,
        approval_end: approval,
        ramp_midpoint: 0.0,
        delay,
        inspection: 0.0,
    }
}

/// Month t under regime `r`, with its own capacity and approval, the usual
/// re-filing and no alternative supply.
fn advance(s: &mut LicState, t: usize, imps: &[ImporterRun], r: RegimeRun) {
    s.step(t, imps, r, r.capacity, r.approval, REFILE, &[0.0, 0.0]);
}

const FREE: f64 = f64::INFINITY;
const REFILE: Refile = Refile {
    lag: 2.0,
    share: 1.0,
};

/// Every controlled application is, at any month's end, approved, in the
/// queue or waiting to be filed again: rejected applications come back.
#[test]
fn refiled_applications_are_conserved() {
    let imps = imps();
    let mut s = LicState::default();
    s.reset(&imps, regime(FREE, 1.0, 0.0));
    let alt = [0.0, 0.0];
    let mut applied = [0.0; 2];
    let mut approved = [0.0; 2];
    let mut refiled_back = 0.0;
    for t in 0..48 {
        let r = if t < 6 {
            regime(FREE, 1.0, 0.0)
        } else if t < 24 {
            regime(0.4, 0.3, 2.0)
        } else {
            regime(1.3, 0.9, 1.0)
        };
        s.step(t, &imps, r, r.capacity, r.approval, REFILE, &alt);
        for j in 0..2 {
            applied[j] += imps[j].controlled * imps[j].apps;
            approved[j] += s.approved[j];
            refiled_back += s.refiled_in[j];
            let in_system = approved[j] + s.waiting(j);
            assert!(
                (applied[j] - in_system).abs() < 1e-9,
                "t {t} j {j}: applied {} vs approved + waiting {in_system}",
                applied[j]
            );
            assert!(s.stock[j] >= 0.0 && s.backlog[j] >= 0.0);
            assert!((0.0..=1.0).contains(&s.shortfall[j]));
        }
        let total: f64 = s.processed.iter().sum();
        if r.capacity.is_finite() {
            assert!(total <= r.capacity * 2.4 + 1e-12, "capacity respected");
        }
    }
    assert!(refiled_back > 1.0, "rejections came back: {refiled_back}");
    // Abandoned rejections (share 0) leave the system instead.
    let mut s = LicState::default();
    s.reset(&imps, regime(FREE, 1.0, 0.0));
    let drop = Refile {
        lag: 1.0,
        share: 0.0,
    };
    s.step(0, &imps, regime(FREE, 0.5, 0.0), FREE, 0.5, drop, &alt);
    assert_eq!(s.waiting(0), 0.0);
    assert_eq!(s.approved[0], 1.0);
}

#[test]
fn free_trade_keeps_supply_whole() {
    let imps = imps();
    let mut s = LicState::default();
    s.reset(&imps, regime(FREE, 1.0, 0.0));
    for t in 0..12 {
        advance(&mut s, t, &imps, regime(FREE, 1.0, 0.0));
        assert_eq!(s.shortfall, vec![0.0, 0.0]);
        assert_eq!(s.delivery_ratio(0, &imps[0]), 1.0);
        assert_eq!(s.delivery_ratio(1, &imps[1]), 1.0);
    }
}

/// Goods shipped before a ban keep arriving for the transit time; the
/// uncontrolled share keeps flowing; only then do deliveries fall.
#[test]
fn the_in_transit_pipeline_arrives_after_a_ban() {
    let mut imps = imps();
    imps[1].transit = 2.0;
    let mut s = LicState::default();
    s.reset(&imps, regime(FREE, 1.0, 0.0));
    let ban = regime(0.0, 0.0, 0.0);
    let mut ratios = Vec::new();
    for t in 0..5 {
        advance(&mut s, t, &imps, ban);
        ratios.push(s.delivery_ratio(1, &imps[1]));
        // Departures fall at once to the uncontrolled share.
        assert!((s.departure_ratio(1, &imps[1]) - 0.6).abs() < 1e-12);
    }
    assert_eq!(ratios[0], 1.0);
    assert_eq!(ratios[1], 1.0);
    for r in &ratios[2..] {
        assert!((r - 0.6).abs() < 1e-12, "{ratios:?}");
    }
    // Importer 0 has no transit time and everything controlled.
    assert_eq!(s.delivery_ratio(0, &imps[0]), 0.0);
}

/// A regime with a review delay leaves a gap of that many months in
/// controlled departures; inspection holds the uncontrolled share.
#[test]
fn review_delay_and_inspection_leave_gaps() {
    let imps = imps();
    let mut s = LicState::default();
    s.reset(&imps, regime(FREE, 1.0, 0.0));
    let mut strict = regime(FREE, 1.0, 2.0);
    strict.inspection = 1.0;
    let mut dep = Vec::new();
    for t in 0..4 {
        advance(&mut s, t, &imps, strict);
        dep.push(s.departure_ratio(1, &imps[1]));
    }
    // t0: nothing (controlled waits 2, uncontrolled 1); t1: uncontrolled;
    // from t2 both.
    let want = [0.0, 0.6, 1.0, 1.0];
    for (a, b) in dep.iter().zip(want) {
        assert!((a - b).abs() < 1e-12, "{dep:?}");
    }
}

/// Fractional delays split each month's volume between the two months
/// around the delay: a steady flow stays steady, and a switch from no
/// delay to 1.5 months leaves a gap of one and a half months.
#[test]
fn fractional_delays_spread_volume_over_two_months() {
    let imps = imps();
    let mut s = LicState::default();
    s.reset(&imps, regime(FREE, 1.0, 1.5));
    for t in 0..4 {
        advance(&mut s, t, &imps, regime(FREE, 1.0, 1.5));
        assert!(
            (s.departure_ratio(0, &imps[0]) - 1.0).abs() < 1e-15,
            "steady t {t}"
        );
    }
    let mut s = LicState::default();
    s.reset(&imps, regime(FREE, 1.0, 0.0));
    let mut dep = Vec::new();
    for t in 0..4 {
        advance(&mut s, t, &imps, regime(FREE, 1.0, 1.5));
        dep.push(s.departure_ratio(0, &imps[0]));
    }
    assert_eq!(dep, vec![0.0, 0.5, 1.0, 1.0]);
    // Transit of half a month: half of a month's shipments arrive in it.
    let mut imps = imps;
    imps[0].transit = 0.5;
    let mut s = LicState::default();
    s.reset(&imps, regime(FREE, 1.0, 0.0));
    let ban = regime(0.0, 0.0, 0.0);
    advance(&mut s, 0, &imps, ban);
    assert!((s.delivery_ratio(0, &imps[0]) - 0.5).abs() < 1e-15);
    advance(&mut s, 1, &imps, ban);
    assert_eq!(s.delivery_ratio(0, &imps[0]), 0.0);
}

#[test]
fn a_ban_exhausts_stocks_then_causes_shortfall() {
    let imps = imps();
    let mut s = LicState::default();
    s.reset(&imps, regime(FREE, 1.0, 0.0));
    let ban = regime(0.0, 0.0, 0.0);
    let mut first_short = None;
    for t in 0..12 {
        advance(&mut s, t, &imps, ban);
        if s.shortfall[0] > 0.0 && first_short.is_none() {
            first_short = Some(t);
        }
    }
    // Importer 0 draws 0.8 months of stock a month from 2 months of stock:
    // months 0 and 1 are covered, month 2 runs short.
    assert_eq!(first_short, Some(2));
    assert!(
        (s.shortfall[0] - 0.8).abs() < 1e-12,
        "steady shortfall = dependence"
    );
}

#[test]
fn the_ramp_runs_from_zero_to_one() {
    assert_eq!(ramp(0.0, 3.0), 0.0);
    assert_eq!(ramp(5.0, 0.0), 0.0, "no ramp");
    let mut prev = 0.0;
    for k in 1..40 {
        let r = ramp(f64::from(k) * 0.5, 3.0);
        assert!(r > prev && r <= 1.0);
        prev = r;
    }
    // Half way (to within the rescaling of 1.8 %) at the midpoint.
    let l0 = 1.0 / (1.0 + 4f64.exp());
    assert!((ramp(3.0, 3.0) - (0.5 - l0) / (1.0 - l0)).abs() < 1e-12);
    assert!(ramp(20.0, 3.0) > 0.999_999);
    let r = RegimeRun {
        capacity_end: 1.5,
        approval_end: 0.9,
        ramp_midpoint: 3.0,
        ..regime(0.5, 0.3, 2.0)
    };
    assert_eq!(r.at(0), (0.5, 0.3));
    let (c, a) = r.at(3);
    let h = ramp(3.0, 3.0);
    assert!((c - (0.5 + h)).abs() < 1e-12 && (a - (0.3 + 0.6 * h)).abs() < 1e-12);
}

/// Output is concave in the input: the loss never exceeds the shortfall,
/// equals it without prioritisation, and is 0 and 1 at the ends.
#[test]
fn concave_losses_are_bounded_by_the_shortfall() {
    for alpha in [0.2, 0.5, 0.8, 1.0] {
        assert_eq!(output_loss(0.0, alpha), 0.0);
        assert_eq!(output_loss(1.0, alpha), 1.0);
        let mut prev = 0.0;
        for k in 1..100 {
            let phi = f64::from(k) / 100.0;
            let l = output_loss(phi, alpha);
            assert!(l <= phi + 1e-15 && l > prev, "alpha {alpha} phi {phi}");
            if alpha == 1.0 {
                assert!((l - phi).abs() < 1e-15);
            }
            prev = l;
        }
    }
    // The closed form: half the input with alpha 0.5 keeps 1/sqrt(2).
    assert!((output_loss(0.5, 0.5) - (1.0 - 0.5f64.sqrt())).abs() < 1e-15);
}

#[test]
fn the_scarcity_price_follows_inverse_demand_up_to_its_cap() {
    assert_eq!(scarcity_price(0.0, 0.3, 3.0), 1.0);
    assert_eq!(
        scarcity_price(0.5, 0.3, 1.0),
        1.0,
        "cap 1: no price response"
    );
    assert!((scarcity_price(0.2, 0.5, 10.0) - 0.8f64.powf(-2.0)).abs() < 1e-12);
    assert_eq!(scarcity_price(0.9, 0.2, 3.0), 3.0);
    assert_eq!(scarcity_price(1.0, 0.2, 3.0), 3.0);
}

#[test]
fn a_ban_leaves_the_exposed_share_of_output_lost_net_of_substitution() {
    use crate::model::testkit;
    // BB supplies all of AA's need of the input; a ban from the start,
    // no stock: the whole requirement is short, and half of AA's goods
    // output needs the input, 20 % of that already substituted.
    let sc = testkit::world(
        r#"[licensing]
supplier = "BB"
input = "goods"
regime = [["2025-04-01", "ban"]]
price_cap = 4.0
[licensing.regimes.free]
capacity = inf
approval = 1.0
[licensing.regimes.ban]
capacity = 0.0
approval = 0.0
[licensing.importers.AA]
dependence = 1.0
stock_months = 0.0
exposure = { goods = 0.5 }
substitution = [["2025-04", 0.2]]
"#,
    );
    let l = sc.licensing.as_ref().unwrap();
    let values = testkit::values(&sc);
    let val = |p: crate::scenario::ParamId| values[p.0 as usize];
    let base = LicensingBase::new(Some(l), sc.meta.start, 3);
    let mut st = LicensingRun::default();
    st.reset(Some(l), &base, &sc.trade, 3, &val, 0.5);
    st.step(0, l, &base, None, 1, 0);
    assert_eq!(st.queue.shortfall[0], 1.0);
    assert_eq!(st.shortfall_hist[0], 1.0);
    assert!((st.loss[0] - 0.5 * 1.0 * 0.8).abs() < 1e-15, "AA goods");
    assert_eq!(st.loss[1], 0.0, "BB loses nothing");
    assert_eq!(st.price[0], 4.0, "at the cap");
    // BB is AA's only foreign source: the whole import price moves.
    assert_eq!(st.import_price_factor, vec![4.0, 1.0]);
    let d: Vec<(usize, f64)> = st.deliveries(Some(l), &sc.trade).collect();
    assert_eq!(d, vec![(sc.trade.idx(0, 1, 0), 0.0)]);
    // A rule lifting the ban (regime override to free) restores supply.
    st.step(1, l, &base, Some((1, l.free)), 1, 0);
    assert_eq!(st.queue.shortfall[0], 0.0);
    assert_eq!(st.loss[0], 0.0);
    assert_eq!(st.import_price_factor[0], 1.0);
}
