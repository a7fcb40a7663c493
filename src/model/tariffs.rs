//! Block 1: tariffs. The tariff on each flow in month t is the baseline
//! applied tariff plus the active measures, stacked in order (`add` adds,
//! `set` replaces what came before it). A measure that changes on day d of a
//! month counts pro rata: the month's tariff is the day-weighted average of
//! the daily tariffs. Scheduled measures come first (in file order), then
//! tariffs created by rules (in firing order), which apply for whole months.
//! Tariffs are set per tariff line (model 2: a flow is split into named
//! lines with base-year shares, and a measure may cover some lines only);
//! a flow's tariff for averages and rule levels is the share-weighted mean
//! of its lines' tariffs.

use crate::scenario::{Measure, Scenario, TariffMode, TradeData};

/// Block 1's per-run state: the sampled rate of every scheduled step, the
/// tariffs in force and their baseline-weighted averages.
///
///   tau[f,l](t) = max(0, tau0[f] + sum_k w_k max(A_k[f,l](t), -tau0[f]))
///   tau[f](t)   = sum_l s[f,l] tau[f,l](t)          (s = base-year line shares)
///   effective tariff of i = sum_{e != i, s} V[e,i,s] tau[e,i,s] / sum V[e,i,s]
///
/// (docs/model.md, Block 1). `step` recomputes `tau` for month t; the
/// averages are recomputed lazily (`effective`), only after `tau` changed.
#[derive(Debug, Default)]
pub struct TariffState {
    /// `rates[m][k]`: the sampled rate of step k of measure m.
    pub rates: Vec<Vec<f64>>,
    /// tau(t) per line, index `f * n_lines + l`.
    pub tau_lines: Vec<f64>,
    /// tau(t) per flow (line-share-weighted), index `(s * ne + e) * ne + i`.
    pub tau: Vec<f64>,
    acc: Vec<f64>,
    /// Effective tariff (fraction) on each economy's imports and exports.
    pub eff_imp: Vec<f64>,
    pub eff_exp: Vec<f64>,
    /// Effective tariff (%) of importer i on partner e, `i * ne + e`.
    pub eff_pair: Vec<f64>,
    stale: bool,
    /// Whether every line outside `TariffBase::live` holds its base-year
    /// tariff (true after the first `step` of a run): then a step resets
    /// only the live lines, a small part of all lines with product detail.
    quiet_lines_at_base: bool,
}

/// What Block 1 needs that does not depend on the draw.
#[derive(Debug, Clone)]
pub struct TariffBase {
    pub schedule: Schedule,
    /// Base-year tariffs per line, `f * n_lines + l`.
    pub tau0_lines: Vec<f64>,
    /// The line indices with a base-year share (every index with one line):
    /// the only ones measures reach.
    pub live: Vec<usize>,
    /// Baseline imports and exports of each economy (the weights of the
    /// effective tariffs).
    pub imp0: Vec<f64>,
    pub exp0: Vec<f64>,
}

impl TariffBase {
    pub fn new(sc: &Scenario, months: usize) -> TariffBase {
        let td = &sc.trade;
        let ne = td.n_econ;
        let (mut imp0, mut exp0) = (vec![0.0; ne], vec![0.0; ne]);
        for s in 0..td.n_sect {
            for e in 0..ne {
                for i in (0..ne).filter(|&i| i != e) {
                    let v = td.value_usd_bn[td.idx(s, e, i)];
                    imp0[i] += v;
                    exp0[e] += v;
                }
            }
        }
        let nl = td.n_lines();
        let tau0_lines = td
            .tariff0
            .iter()
            .flat_map(|t| std::iter::repeat_n(*t, nl))
            .collect();
        let live = (0..td.line_share.len())
            .filter(|&k| nl == 1 || td.line_share[k] > 0.0)
            .collect();
        TariffBase {
            schedule: Schedule::new(sc, months),
            tau0_lines,
            live,
            imp0,
            exp0,
        }
    }
}

impl TariffState {
    /// The start of a run: the sampled step rates, the tariffs in force
    /// before the first month and their averages.
    pub fn reset(
        &mut self,
        base: &TariffBase,
        td: &TradeData,
        rates: impl Iterator<Item = Vec<f64>>,
    ) {
        self.rates.clear();
        self.rates.extend(rates);
        self.tau_lines.resize(base.tau0_lines.len(), 0.0);
        self.tau.resize(td.value_usd_bn.len(), 0.0);
        pre_start(
            &base.schedule,
            &base.tau0_lines,
            &self.rates,
            &mut self.tau_lines,
        );
        by_flow(td, &base.live, &self.tau_lines, &mut self.tau);
        let ne = td.n_econ;
        self.eff_imp.resize(ne, 0.0);
        self.eff_exp.resize(ne, 0.0);
        self.stale = true;
        self.quiet_lines_at_base = false;
        self.effective(base, td);
    }

    /// Month t's tariffs from the schedule and the rule tariffs in force
    /// (`reverted[m]`: the month from which scheduled measure m is undone).
    pub fn step(
        &mut self,
        base: &TariffBase,
        td: &TradeData,
        reverted: &[Option<usize>],
        rule_tariffs: &[RuleTariff],
        t: usize,
    ) {
        self.stale = true;
        compute(
            &base.schedule,
            &base.tau0_lines,
            &base.live,
            &self.rates,
            reverted,
            rule_tariffs,
            t,
            &mut self.tau_lines,
            &mut self.acc,
            self.quiet_lines_at_base,
        );
        self.quiet_lines_at_base = true;
        by_flow(td, &base.live, &self.tau_lines, &mut self.tau);
    }

    /// Bring the baseline-weighted effective tariffs up to date.
    pub fn effective(&mut self, base: &TariffBase, td: &TradeData) {
        if !self.stale {
            return;
        }
        let ne = td.n_econ;
        self.eff_pair.resize(ne * ne, 0.0);
        for i in 0..ne {
            self.eff_imp[i] = weighted(
                td,
                &self.tau,
                base.imp0[i],
                (0..ne).filter(|&e| e != i).map(|e| (e, i)),
            );
            self.eff_exp[i] = weighted(
                td,
                &self.tau,
                base.exp0[i],
                (0..ne).filter(|&j| j != i).map(|j| (i, j)),
            );
            for e in (0..ne).filter(|&e| e != i) {
                let (mut num, mut den) = (0.0, 0.0);
                for s in 0..td.n_sect {
                    let f = td.idx(s, e, i);
                    num += td.value_usd_bn[f] * self.tau[f];
                    den += td.value_usd_bn[f];
                }
                self.eff_pair[i * ne + e] = if den > 0.0 { 100.0 * num / den } else { 0.0 };
            }
        }
        self.stale = false;
    }
}

/// Each flow's tariff: its lines' tariffs weighted by their base-year shares
/// (exactly the line's tariff when a flow has one line); `live` lists the
/// line indices with a share, in order.
pub fn by_flow(td: &TradeData, live: &[usize], tau_lines: &[f64], tau: &mut [f64]) {
    let nl = td.n_lines();
    if nl == 1 {
        tau.copy_from_slice(tau_lines);
        return;
    }
    tau.fill(0.0);
    for &k in live {
        tau[k / nl] += td.line_share[k] * tau_lines[k];
    }
}

/// Baseline-weighted tariff (fraction) over the (exporter, importer) pairs,
/// all sectors, sector outermost: `sum V tau / total` (0 without trade).
fn weighted(
    td: &TradeData,
    tau: &[f64],
    total: f64,
    pairs: impl Iterator<Item = (usize, usize)> + Clone,
) -> f64 {
    if total <= 0.0 {
        return 0.0;
    }
    let mut num = 0.0;
    for s in 0..td.n_sect {
        for (e, i) in pairs.clone() {
            let f = td.idx(s, e, i);
            num += td.value_usd_bn[f] * tau[f];
        }
    }
    num / total
}

/// A stretch of one month during which the same steps are in force.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// Fraction of the month's days.
    pub weight: f64,
    /// (measure, step) pairs in force, in measure order.
    pub active: Vec<(usize, usize)>,
}

/// The scheduled measures, resolved to months and flows (run-independent).
#[derive(Debug, Clone)]
pub struct Schedule {
    pub segments: Vec<Vec<Segment>>,
    /// Months whose scheduled tariffs differ from the month before.
    pub dirty: Vec<bool>,
    /// Line indices (`f * n_lines + l`) each measure covers.
    pub coverage: Vec<Vec<usize>>,
    pub modes: Vec<TariffMode>,
    /// Steps in force before the first month (dated before `start`): the
    /// tariffs the world starts with, so they do not count as increases.
    pub pre_start: Vec<(usize, usize)>,
}

/// Line indices (`f * n_lines + l`) covered by `by` taxing `on` in
/// `sectors`, on the tariff lines `lines` (`None` = every line).
pub fn coverage(
    td: &TradeData,
    by: usize,
    on: &[usize],
    sectors: &[usize],
    lines: Option<&[usize]>,
) -> Vec<usize> {
    let nl = td.n_lines();
    let mut out = Vec::with_capacity(on.len() * sectors.len() * nl);
    for &s in sectors {
        for &e in on {
            let f = td.idx(s, e, by);
            // Lines without a base-year share in the flow carry nothing.
            let live = |l: &usize| nl == 1 || td.line_share[f * nl + l] > 0.0;
            match lines {
                Some(ls) => out.extend(ls.iter().filter(|l| live(l)).map(|l| f * nl + l)),
                None => out.extend((0..nl).filter(live).map(|l| f * nl + l)),
            }
        }
    }
    out
}

/// The flows a line coverage touches, each with the base-year share of the
/// covered lines in it (front-loading scales with it).
pub fn covered_flows(td: &TradeData, cov: &[usize]) -> Vec<(usize, f64)> {
    let nl = td.n_lines();
    let mut out: Vec<(usize, f64)> = Vec::new();
    for &k in cov {
        let (f, share) = (k / nl, td.line_share[k]);
        match out.last_mut() {
            Some(last) if last.0 == f => last.1 += share,
            _ => out.push((f, share)),
        }
    }
    out
}

impl Schedule {
    pub fn new(sc: &Scenario, months: usize) -> Schedule {
        let start = sc.meta.start;
        let mut segments = Vec::with_capacity(months);
        for t in 0..months {
            let ym = start.plus(t as i32);
            let days = ym.days();
            // Days (2..=days) on which some step starts inside this month.
            let mut cuts: Vec<u32> = sc
                .measures
                .iter()
                .flat_map(|m| m.steps.iter().map(|(d, _)| *d))
                .filter(|d| d.ym == ym && d.day > 1)
                .map(|d| d.day)
                .collect();
            cuts.sort_unstable();
            cuts.dedup();
            let mut bounds = vec![1];
            bounds.extend(cuts);
            bounds.push(days + 1);
            let mut segs: Vec<Segment> = Vec::new();
            for w in bounds.windows(2) {
                let day = crate::scenario::date::Date { ym, day: w[0] };
                let active = sc
                    .measures
                    .iter()
                    .enumerate()
                    .filter_map(|(k, m)| active_step(m, day).map(|s| (k, s)))
                    .collect();
                let weight = (w[1] - w[0]) as f64 / days as f64;
                // Merge with the previous segment when nothing changed.
                match segs.last_mut() {
                    Some(last) if last.active == active => last.weight += weight,
                    _ => segs.push(Segment { weight, active }),
                }
            }
            segments.push(segs);
        }
        let dirty = (0..months)
            .map(|t| t == 0 || segments[t] != segments[t - 1])
            .collect();
        let coverage = sc
            .measures
            .iter()
            .map(|m| coverage(&sc.trade, m.by, &m.on, &m.sectors, m.lines.as_deref()))
            .collect();
        let modes = sc.measures.iter().map(|m| m.mode).collect();
        let first_day = crate::scenario::date::Date { ym: start, day: 1 };
        let pre_start = sc
            .measures
            .iter()
            .enumerate()
            .filter_map(|(k, m)| {
                m.steps
                    .iter()
                    .rposition(|(d, _)| *d < first_day)
                    .map(|s| (k, s))
            })
            .collect();
        Schedule {
            segments,
            dirty,
            coverage,
            modes,
            pre_start,
        }
    }
}

/// The step of `m` in force on `day`, if any.
fn active_step(m: &Measure, day: crate::scenario::date::Date) -> Option<usize> {
    m.steps.iter().rposition(|(d, _)| *d <= day)
}

/// A tariff created by a rule action, in force for whole months from `from`.
#[derive(Debug, Clone)]
pub struct RuleTariff {
    pub rule: usize,
    /// Line indices (`f * n_lines + l`): every line of the covered flows.
    pub flows: Vec<usize>,
    pub rate: f64,
    pub mode: TariffMode,
    pub from: usize,
}

/// Compute the tariffs of month `t` into `tau` (per line).
/// `rates[m][k]` is the sampled rate of step k of measure m; `reverted[m]`
/// the month from which measure m no longer applies. Only the `live` lines
/// move; with `quiet_at_base` the caller promises the others already hold
/// `tau0`, and only the live lines are reset (the result is the same).
#[allow(clippy::too_many_arguments)]
pub fn compute(
    sched: &Schedule,
    tau0: &[f64],
    live: &[usize],
    rates: &[Vec<f64>],
    reverted: &[Option<usize>],
    rule_tariffs: &[RuleTariff],
    t: usize,
    tau: &mut [f64],
    acc: &mut Vec<f64>,
    quiet_at_base: bool,
) {
    let all_live = live.len() == tau.len();
    if quiet_at_base && !all_live {
        for &k in live {
            tau[k] = tau0[k];
        }
    } else {
        tau.copy_from_slice(tau0);
    }
    acc.resize(tau.len(), 0.0);
    for seg in &sched.segments[t] {
        // `acc` is read at live lines only (measures may also write others).
        if all_live {
            acc.fill(0.0);
        } else {
            for &k in live {
                acc[k] = 0.0;
            }
        }
        for &(m, k) in &seg.active {
            if reverted[m].is_some_and(|from| t >= from) {
                continue;
            }
            let r = rates[m][k];
            apply(acc, &sched.coverage[m], r, sched.modes[m]);
        }
        for rt in rule_tariffs.iter().filter(|rt| rt.from <= t) {
            apply(acc, &rt.flows, rt.rate, rt.mode);
        }
        // Measures reach only live lines: the others keep tau0.
        for &k in live {
            // A cut takes the tariff to zero at most.
            tau[k] += seg.weight * acc[k].max(-tau0[k]);
        }
    }
    // Day weights summing to one can round a full cut to -1e-17.
    for &k in live {
        if tau[k] < 0.0 {
            tau[k] = 0.0;
        }
    }
}

#[inline]
fn apply(acc: &mut [f64], flows: &[usize], r: f64, mode: TariffMode) {
    match mode {
        TariffMode::Add => flows.iter().for_each(|&f| acc[f] += r),
        TariffMode::Set => flows.iter().for_each(|&f| acc[f] = r),
    }
}

/// The tariffs in force before the first month (base year plus measures
/// dated before the start).
pub fn pre_start(sched: &Schedule, tau0: &[f64], rates: &[Vec<f64>], tau: &mut [f64]) {
    tau.copy_from_slice(tau0);
    let mut acc = vec![0.0; tau.len()];
    for &(m, k) in &sched.pre_start {
        apply(&mut acc, &sched.coverage[m], rates[m][k], sched.modes[m]);
    }
    for ((x, a), t0) in tau.iter_mut().zip(&acc).zip(tau0) {
        *x += a.max(-t0);
    }
}

/// Additional tariff (over the base year) imposed by `by` on `on`,
/// weighted by baseline flows over `sector` or all sectors.
pub fn additional_level(
    td: &TradeData,
    tau: &[f64],
    by: usize,
    on: usize,
    sector: Option<usize>,
) -> f64 {
    let sectors: &mut dyn Iterator<Item = usize> = match sector {
        Some(s) => &mut std::iter::once(s),
        None => &mut (0..td.n_sect),
    };
    let (mut num, mut den, mut plain, mut n) = (0.0, 0.0, 0.0, 0.0);
    for s in sectors {
        let f = td.idx(s, on, by);
        let add = tau[f] - td.tariff0[f];
        num += td.value_usd_bn[f] * add;
        den += td.value_usd_bn[f];
        plain += add;
        n += 1.0;
    }
    // Without baseline trade, fall back to the simple average over sectors.
    if den > 0.0 {
        num / den
    } else if n > 0.0 {
        plain / n
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testkit;

    #[test]
    fn a_step_in_mid_month_counts_pro_rata_and_rule_tariffs_add_whole_months() {
        // AA taxes BB's goods 30 % from 16 April (15 of April's 30 days).
        let sc = testkit::world(
            "[tariffs.aa_on_bb]\nby = \"AA\"\non = \"BB\"\nrate = 0.3\nfrom = \"2025-04-16\"\n",
        );
        let td = &sc.trade;
        let base = TariffBase::new(&sc, 3);
        let mut st = TariffState::default();
        st.reset(&base, td, [vec![0.3]].into_iter());
        let f = td.idx(0, 1, 0);
        assert_eq!(st.tau[f], 0.0, "nothing in force before the start");
        st.step(&base, td, &[None], &[], 0);
        assert!((st.tau[f] - 0.15).abs() < 1e-15);
        st.effective(&base, td);
        // AA imports only from BB, and BB exports only to AA.
        assert!((st.eff_imp[0] - 0.15).abs() < 1e-15);
        assert!((st.eff_exp[1] - 0.15).abs() < 1e-15);
        assert!((st.eff_pair[1] - 15.0).abs() < 1e-12);
        // A rule adds 10 points from month 1, for the whole month.
        let rule = RuleTariff {
            rule: 0,
            flows: vec![f],
            rate: 0.1,
            mode: TariffMode::Add,
            from: 1,
        };
        st.step(&base, td, &[None], std::slice::from_ref(&rule), 1);
        assert!((st.tau[f] - 0.4).abs() < 1e-15);
        // A revert from month 2 undoes the scheduled measure.
        st.step(&base, td, &[Some(2)], std::slice::from_ref(&rule), 2);
        assert!((st.tau[f] - 0.1).abs() < 1e-15);
    }
}
