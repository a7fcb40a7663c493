//! Block 5: rules (retaliation, escalation, deals), evaluated inside every
//! Monte Carlo run. Each month, after the scheduled tariffs and the actions
//! that fall due are applied, rules are evaluated once each in a fixed order
//! (ascending `priority`, then id). A rule whose condition holds and that is
//! still eligible (`once`, cooldown, `max_firings`) fires with its monthly
//! probability; its actions take effect `lag_months` later. An action with
//! lag 0 applies at once, so rules later in the order see it this month.
//! Every firing is recorded for the firing-probability outputs.
//!
//! Tariff levels in conditions and caps are *additional* tariffs over the
//! base year, weighted by baseline flows over the sectors concerned. A
//! `tariff_raised` condition compares the level with the level the rule saw
//! when it last looked (the month before, or earlier this month for a
//! change made by a lag-0 action of a rule evaluated before it), so no
//! increase is missed and none is counted twice.

use super::tariffs::{RuleTariff, additional_level, coverage};
use crate::scenario::MAX_RATE;
use crate::scenario::{Action, Cond, RevertTarget, Rule, TariffAmount, TradeData};

/// An action waiting for its effect month.
#[derive(Debug, Clone)]
pub struct Pending {
    pub at: usize,
    pub rule: usize,
    pub action: usize,
    /// The triggering increase (for `match`).
    pub trigger: f64,
}

#[derive(Debug, Clone, Default)]
pub struct RuleState {
    pub count: Vec<u32>,
    pub last: Vec<Option<usize>>,
    /// First firing month per rule (`u32::MAX` if never).
    pub first: Vec<u32>,
    pub pending: Vec<Pending>,
    pub rule_tariffs: Vec<RuleTariff>,
    /// Month from which each scheduled measure is reverted.
    pub reverted: Vec<Option<usize>>,
    /// Licensing regime set by a rule: (effect month, regime).
    pub regime_override: Option<(usize, usize)>,
    /// Rules that fired this month.
    pub fired_now: Vec<usize>,
    /// Per rule, the tariff level each of its `tariff_raised` conditions saw
    /// last time (pre-order over the condition tree).
    pub seen: Vec<Vec<f64>>,
}

impl RuleState {
    /// `initial[k]` are rule k's `tariff_raised` levels at the start.
    pub fn reset(&mut self, n_rules: usize, n_measures: usize, initial: Vec<Vec<f64>>) {
        self.seen = initial;
        self.count = vec![0; n_rules];
        self.last = vec![None; n_rules];
        self.first = vec![u32::MAX; n_rules];
        self.pending.clear();
        self.rule_tariffs.clear();
        self.reverted = vec![None; n_measures];
        self.regime_override = None;
        self.fired_now.clear();
    }

    pub fn eligible(&self, k: usize, rule: &Rule, t: usize) -> bool {
        let n = self.count[k];
        if rule.once {
            return n == 0;
        }
        n < rule.max_firings
            && self.last[k].is_none_or(|l| t >= l + rule.cooldown_months.max(1) as usize)
    }
}

/// What conditions can look at in month t.
pub struct CondView<'a> {
    pub t: usize,
    pub td: &'a TradeData,
    pub tau: &'a [f64],
    /// Shortfall history, `j * months + month`, filled up to t-1.
    pub shortfall_hist: &'a [f64],
    pub months: usize,
    /// Rule firing counts so far.
    pub count: &'a [u32],
}

/// The `tariff_raised` levels of a condition tree now, in pre-order.
pub fn raised_levels(c: &Cond, td: &TradeData, tau: &[f64], out: &mut Vec<f64>) {
    match c {
        Cond::TariffRaised { by, on, sector, .. } => {
            out.push(additional_level(td, tau, *by, *on, *sector))
        }
        Cond::All(cs) | Cond::Any(cs) => cs.iter().for_each(|c| raised_levels(c, td, tau, out)),
        _ => {}
    }
}

/// Whether `c` holds, and the largest triggering increase among the
/// `tariff_raised` conditions that hold. Updates `seen` (the levels last
/// looked at, consumed in pre-order from `*at`); every node is evaluated,
/// without short-circuit, so that every level is updated.
pub fn holds(c: &Cond, v: &CondView, seen: &mut [f64], at: &mut usize) -> (bool, f64) {
    match c {
        Cond::TariffRaised {
            by,
            on,
            sector,
            at_least,
        } => {
            let now = additional_level(v.td, v.tau, *by, *on, *sector);
            let before = seen[*at];
            seen[*at] = now;
            *at += 1;
            let inc = now - before;
            // A small tolerance keeps 0.05 >= 0.05 true despite rounding.
            if inc > 0.0 && inc >= at_least - 1e-12 {
                (true, inc)
            } else {
                (false, 0.0)
            }
        }
        Cond::TariffAbove {
            by,
            on,
            sector,
            level,
        } => (
            additional_level(v.td, v.tau, *by, *on, *sector) >= level - 1e-12,
            0.0,
        ),
        Cond::ShortfallAbove {
            importer,
            level,
            months,
        } => {
            let n = *months as usize;
            if v.t < n {
                return (false, 0.0);
            }
            let base = importer * v.months;
            let ok = (v.t - n..v.t).all(|m| v.shortfall_hist[base + m] >= level - 1e-12);
            (ok, 0.0)
        }
        Cond::Between { from, to } => {
            let t = v.t as i32;
            (t >= *from && t <= *to, 0.0)
        }
        Cond::Fired(k) => (v.count[*k] > 0, 0.0),
        Cond::All(cs) => {
            let mut all = true;
            let mut trig: f64 = 0.0;
            for c in cs {
                let (ok, tr) = holds(c, v, seen, at);
                all &= ok;
                trig = trig.max(tr);
            }
            if all { (true, trig) } else { (false, 0.0) }
        }
        Cond::Any(cs) => {
            let mut any = false;
            let mut trig: f64 = 0.0;
            for c in cs {
                let (ok, tr) = holds(c, v, seen, at);
                if ok {
                    any = true;
                    trig = trig.max(tr);
                }
            }
            (any, trig)
        }
    }
}

/// Effects of an applied action that the caller must act on.
#[derive(Debug, Default, Clone, Copy)]
pub struct Effects {
    pub tariffs_changed: bool,
}

/// Licensing changes an action asks for (applied by the caller to its state).
#[derive(Debug, Clone, Copy)]
pub enum LicChange {
    ApprovalMult {
        importer: Option<usize>,
        factor: f64,
    },
    CapacityMult {
        importer: Option<usize>,
        factor: f64,
    },
}

/// Apply action `a` of rule `rule` in month `t`. `rate_of` gives the sampled
/// value of a rate parameter.
#[allow(clippy::too_many_arguments)]
pub fn apply(
    st: &mut RuleState,
    rule: usize,
    a: &Action,
    trigger: f64,
    t: usize,
    td: &TradeData,
    tau: &[f64],
    rate_of: &dyn Fn(crate::scenario::ParamId) -> f64,
    lic_changes: &mut Vec<LicChange>,
) -> Effects {
    let mut fx = Effects::default();
    match a {
        Action::Tariff {
            by,
            on,
            sectors,
            amount,
            cap,
            mode,
        } => {
            let base_rate = match amount {
                TariffAmount::Rate(p) => rate_of(*p),
                TariffAmount::Match(f) => f * trigger,
            };
            for &e in on {
                // `add` may raise the level up to the cap; `set` may set it
                // at most to the cap. Without a cap, the documented maximum
                // rate is the cap, so chained `match` rules cannot spiral.
                let cap = cap.unwrap_or(MAX_RATE).min(MAX_RATE);
                let r = match mode {
                    crate::scenario::TariffMode::Add => {
                        base_rate.min((cap - level_over(td, tau, *by, e, sectors)).max(0.0))
                    }
                    crate::scenario::TariffMode::Set => base_rate.min(cap),
                };
                if r > 0.0 || matches!(mode, crate::scenario::TariffMode::Set) {
                    st.rule_tariffs.push(RuleTariff {
                        rule,
                        flows: coverage(td, *by, &[e], sectors),
                        rate: r,
                        mode: *mode,
                        from: t,
                    });
                    fx.tariffs_changed = true;
                }
            }
        }
        Action::Licensing {
            regime,
            importer,
            approval_factor,
            capacity_factor,
        } => {
            if let Some(r) = regime {
                st.regime_override = Some((t, *r));
            }
            if let Some(f) = approval_factor {
                lic_changes.push(LicChange::ApprovalMult {
                    importer: *importer,
                    factor: *f,
                });
            }
            if let Some(f) = capacity_factor {
                lic_changes.push(LicChange::CapacityMult {
                    importer: *importer,
                    factor: *f,
                });
            }
        }
        Action::Revert(targets) => {
            for tg in targets {
                match tg {
                    RevertTarget::Measure(m) => {
                        if st.reverted[*m].is_none() {
                            st.reverted[*m] = Some(t);
                            fx.tariffs_changed = true;
                        }
                    }
                    RevertTarget::Rule(k) => {
                        let before = st.rule_tariffs.len();
                        st.rule_tariffs.retain(|rt| rt.rule != *k);
                        st.pending.retain(|p| p.rule != *k);
                        fx.tariffs_changed |= st.rule_tariffs.len() != before;
                    }
                }
            }
        }
    }
    fx
}

/// Additional tariff of `by` on `on` over `sectors`, baseline-weighted.
pub fn level_over(td: &TradeData, tau: &[f64], by: usize, on: usize, sectors: &[usize]) -> f64 {
    if sectors.len() == td.n_sect {
        return additional_level(td, tau, by, on, None);
    }
    let (mut num, mut den, mut plain) = (0.0, 0.0, 0.0);
    for &s in sectors {
        let f = td.idx(s, on, by);
        let add = tau[f] - td.tariff0[f];
        num += td.value_usd_bn[f] * add;
        den += td.value_usd_bn[f];
        plain += add;
    }
    if den > 0.0 {
        num / den
    } else {
        plain / sectors.len().max(1) as f64
    }
}

/// Economies a rule's actions involve (for the uncertainty index).
pub fn involved(rule: &Rule, supplier: Option<usize>, lic_econs: &[usize]) -> Vec<usize> {
    let mut out = Vec::new();
    for a in &rule.then {
        match a {
            Action::Tariff { by, on, .. } => {
                out.push(*by);
                out.extend(on.iter().copied());
            }
            Action::Licensing { importer, .. } => {
                out.extend(supplier);
                match importer {
                    Some(j) => out.extend(lic_econs.get(*j).copied()),
                    None => out.extend(lic_econs.iter().copied()),
                }
            }
            Action::Revert(_) => {}
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}
