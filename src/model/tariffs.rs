//! Block 1: tariffs. The tariff on each flow in month t is the baseline
//! applied tariff plus the active measures, stacked in order (`add` adds,
//! `set` replaces what came before it). A measure that changes on day d of a
//! month counts pro rata: the month's tariff is the day-weighted average of
//! the daily tariffs. Scheduled measures come first (in file order), then
//! tariffs created by rules (in firing order), which apply for whole months.

use crate::scenario::{Measure, Scenario, TariffMode, TradeData};

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
    /// Flow indices each measure covers.
    pub coverage: Vec<Vec<usize>>,
    pub modes: Vec<TariffMode>,
    /// Steps in force before the first month (dated before `start`): the
    /// tariffs the world starts with, so they do not count as increases.
    pub pre_start: Vec<(usize, usize)>,
}

/// Flow indices covered by `by` taxing `on` in `sectors`.
pub fn coverage(td: &TradeData, by: usize, on: &[usize], sectors: &[usize]) -> Vec<usize> {
    let mut out = Vec::with_capacity(on.len() * sectors.len());
    for &s in sectors {
        for &e in on {
            out.push(td.idx(s, e, by));
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
            .map(|m| coverage(&sc.trade, m.by, &m.on, &m.sectors))
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
    pub flows: Vec<usize>,
    pub rate: f64,
    pub mode: TariffMode,
    pub from: usize,
}

/// Compute the tariffs of month `t` into `tau` (length = flows).
/// `rates[m][k]` is the sampled rate of step k of measure m; `reverted[m]`
/// the month from which measure m no longer applies.
#[allow(clippy::too_many_arguments)]
pub fn compute(
    sched: &Schedule,
    tau0: &[f64],
    rates: &[Vec<f64>],
    reverted: &[Option<usize>],
    rule_tariffs: &[RuleTariff],
    t: usize,
    tau: &mut [f64],
    acc: &mut Vec<f64>,
) {
    tau.copy_from_slice(tau0);
    acc.resize(tau.len(), 0.0);
    for seg in &sched.segments[t] {
        acc.fill(0.0);
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
        for ((x, a), t0) in tau.iter_mut().zip(acc.iter()).zip(tau0) {
            // A cut takes the tariff to zero at most.
            *x += seg.weight * a.max(-t0);
        }
    }
    // Day weights summing to one can round a full cut to -1e-17.
    for x in tau.iter_mut().filter(|x| **x < 0.0) {
        *x = 0.0;
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
