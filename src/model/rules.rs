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

use super::dynamics::{FlowEvent, Owner, Window};
use super::tariffs::{
    RuleTariff, TariffBase, TariffState, additional_level, coverage, covered_flows,
};
use crate::random;
use crate::scenario::{
    Action, Cond, MAX_RATE, ParamId, RevertTarget, Rule, TariffAmount, TariffMode, TradeData,
};

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

/// What the rules of month t can see and draw from.
pub struct RuleEnv<'a> {
    pub rules: &'a [Rule],
    pub td: &'a TradeData,
    pub t: usize,
    pub seed: u64,
    pub run: u64,
    /// This run's value of every scenario parameter.
    pub values: &'a [f64],
    /// Licensing shortfall history (Block 4), filled up to month t-1.
    pub shortfall_hist: &'a [f64],
    pub months: usize,
}

/// What the rules of a month ask of the other blocks: announcements and
/// cancellations of front-loading (Block 3) and licensing factors (Block 4).
/// Tariff changes are applied to Block 1 at once (later rules see them).
#[derive(Debug, Default)]
pub struct RuleEffects {
    pub flow_events: Vec<FlowEvent>,
    pub lic_changes: Vec<LicChange>,
}

impl RuleEffects {
    pub fn clear(&mut self) {
        self.flow_events.clear();
        self.lic_changes.clear();
    }
}

impl RuleState {
    /// Month t of Block 5: the actions falling due (in firing order, each
    /// capped against the tariffs as they stand when it applies), then every
    /// rule once, in evaluation order. A rule whose condition holds and that
    /// is eligible fires with its probability (one keyed draw per rule and
    /// month, looked at or not, so that paths stay paired); lag-0 actions
    /// apply at once, later ones are queued and, for tariff increases,
    /// announced for front-loading.
    pub fn step(
        &mut self,
        env: &RuleEnv,
        tariffs: &mut TariffState,
        tbase: &TariffBase,
        fx: &mut RuleEffects,
    ) {
        let t = env.t;
        let val = |p: ParamId| env.values[p.0 as usize];
        self.fired_now.clear();
        if self.pending.iter().any(|p| p.at <= t) {
            let (due, later): (Vec<Pending>, Vec<Pending>) =
                self.pending.drain(..).partition(|p| p.at <= t);
            self.pending = later;
            for p in &due {
                self.act(env, p.rule, p.action, p.trigger, tariffs, tbase, fx);
            }
        }
        for (k, rule) in env.rules.iter().enumerate() {
            // Every rule looks every month (so its view of tariff levels
            // stays current), whether or not it may fire.
            let (ok, trigger) = {
                let view = CondView {
                    t,
                    td: env.td,
                    tau: &tariffs.tau,
                    shortfall_hist: env.shortfall_hist,
                    months: env.months,
                    count: &self.count,
                };
                let mut seen = std::mem::take(&mut self.seen[k]);
                let r = holds(&rule.when, &view, &mut seen, &mut 0);
                self.seen[k] = seen;
                r
            };
            if !ok || !self.eligible(k, rule, t) {
                continue;
            }
            let u = random::u01(env.seed, env.run, rule.key, t as u64);
            if u >= val(rule.probability) {
                continue;
            }
            self.count[k] += 1;
            self.last[k] = Some(t);
            if self.first[k] == u32::MAX {
                self.first[k] = t as u32;
            }
            self.fired_now.push(k);
            let lag = val(rule.lag_months).max(0.0) as usize;
            for (ai, action) in rule.then.iter().enumerate() {
                if lag == 0 {
                    self.act(env, k, ai, trigger, tariffs, tbase, fx);
                    continue;
                }
                self.pending.push(Pending {
                    at: t + lag,
                    rule: k,
                    action: ai,
                    trigger,
                });
                announce(env, k, action, trigger, lag, &tariffs.tau, fx);
            }
        }
    }

    /// Apply action `ai` of rule `k`: tariffs are recomputed at once when
    /// they change; a deal cancels the front-loading of what it reverts.
    #[allow(clippy::too_many_arguments)]
    fn act(
        &mut self,
        env: &RuleEnv,
        k: usize,
        ai: usize,
        trigger: f64,
        tariffs: &mut TariffState,
        tbase: &TariffBase,
        fx: &mut RuleEffects,
    ) {
        let action = &env.rules[k].then[ai];
        let effects = apply(
            self,
            k,
            action,
            trigger,
            env.t,
            env.td,
            &tariffs.tau,
            &|id| env.values[id.0 as usize],
            &mut fx.lic_changes,
        );
        if let Action::Revert(targets) = action {
            for tg in targets {
                let owner = match tg {
                    RevertTarget::Measure(m) => Owner::Measure(*m),
                    RevertTarget::Rule(r) => Owner::Rule(*r),
                };
                fx.flow_events.push(FlowEvent::Cancel { owner, at: env.t });
            }
        }
        if effects.tariffs_changed {
            tariffs.step(tbase, env.td, &self.reverted, &self.rule_tariffs, env.t);
        }
    }
}

/// An announced rule tariff increase front-loads until it takes effect: one
/// window per target, each target's coming increase capped against its own
/// current level.
fn announce(
    env: &RuleEnv,
    k: usize,
    action: &Action,
    trigger: f64,
    lag: usize,
    tau: &[f64],
    fx: &mut RuleEffects,
) {
    let Action::Tariff {
        by,
        on,
        sectors,
        amount,
        cap,
        mode: TariffMode::Add,
    } = action
    else {
        return;
    };
    let amount = match amount {
        TariffAmount::Rate(p) => env.values[p.0 as usize],
        TariffAmount::Match(f) => f * trigger,
    };
    for &e in on {
        let delta = match cap {
            Some(cap) => amount.min(cap - level_over(env.td, tau, *by, e, sectors)),
            None => amount,
        };
        if delta > 0.0 {
            fx.flow_events.push(FlowEvent::Announce(Window {
                owner: Owner::Rule(k),
                flows: covered_flows(env.td, &coverage(env.td, *by, &[e], sectors, None)),
                from: env.t,
                to: env.t + lag,
                delta,
            }));
        }
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
                        flows: coverage(td, *by, &[e], sectors, None),
                        rate: r,
                        mode: *mode,
                        from: t,
                    });
                    fx.tariffs_changed = true;
                }
            }
        }
        Action::Licensing(a) => {
            if let Some(r) = a.regime {
                st.regime_override = Some((t, r));
            }
            if let Some(factor) = a.approval_factor {
                lic_changes.push(LicChange::ApprovalMult {
                    importer: a.importer,
                    factor,
                });
            }
            if let Some(factor) = a.capacity_factor {
                lic_changes.push(LicChange::CapacityMult {
                    importer: a.importer,
                    factor,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testkit;

    fn run_month(extra: &str, t: usize) -> (RuleState, TariffState, RuleEffects, TradeData) {
        let sc = testkit::world(extra);
        let td = sc.trade.clone();
        let values = testkit::values(&sc);
        let tbase = TariffBase::new(&sc, 6);
        let mut tariffs = TariffState::default();
        let rates = sc.measures.iter().map(|m| m.rates(&values));
        tariffs.reset(&tbase, &td, rates);
        let mut st = RuleState::default();
        let initial = sc
            .rules
            .iter()
            .map(|r| {
                let mut v = Vec::new();
                raised_levels(&r.when, &td, &tariffs.tau, &mut v);
                v
            })
            .collect();
        st.reset(sc.rules.len(), sc.measures.len(), initial);
        let mut fx = RuleEffects::default();
        for m in 0..=t {
            tariffs.step(&tbase, &td, &st.reverted, &st.rule_tariffs, m);
            fx.clear();
            let env = RuleEnv {
                rules: &sc.rules,
                td: &td,
                t: m,
                seed: 1,
                run: 0,
                values: &values,
                shortfall_hist: &[],
                months: 6,
            };
            st.step(&env, &mut tariffs, &tbase, &mut fx);
        }
        (st, tariffs, fx, td)
    }

    const RAISE: &str =
        "[tariffs.aa_on_bb]\nby = \"AA\"\non = \"BB\"\nrate = 0.1\nfrom = \"2025-04-01\"\n";

    #[test]
    fn a_lag_0_retaliation_applies_in_the_month_it_fires() {
        let (st, tariffs, fx, td) = run_month(
            &format!(
                "{RAISE}[rules.bb_hits_back]\nwhen = {{ tariff_raised = {{ by = \"AA\", on = \"BB\", at_least = 0.05 }} }}\nlag_months = 0\nthen = [{{ tariff = {{ by = \"BB\", on = \"AA\", match = 2.0 }} }}]\n"
            ),
            0,
        );
        assert_eq!(st.fired_now, vec![0]);
        assert_eq!(st.first, vec![0]);
        // BB matches twice the 10-point increase at once.
        assert!((tariffs.tau[td.idx(0, 0, 1)] - 0.2).abs() < 1e-15);
        assert!(
            fx.flow_events.is_empty(),
            "nothing announced: it applies now"
        );
    }

    #[test]
    fn a_lagged_retaliation_is_queued_and_announced_then_applied() {
        let rule = "[rules.bb_hits_back]\nwhen = { tariff_raised = { by = \"AA\", on = \"BB\", at_least = 0.05 } }\nlag_months = 2\nthen = [{ tariff = { by = \"BB\", on = \"AA\", rate = 0.25, cap = 0.2 } }]\n";
        let (st, tariffs, fx, td) = run_month(&format!("{RAISE}{rule}"), 0);
        assert_eq!(st.pending.len(), 1);
        assert_eq!(st.pending[0].at, 2);
        assert_eq!(tariffs.tau[td.idx(0, 0, 1)], 0.0, "not in force yet");
        match &fx.flow_events[..] {
            [FlowEvent::Announce(w)] => {
                assert_eq!((w.from, w.to), (0, 2));
                assert!((w.delta - 0.2).abs() < 1e-15, "capped at 20 points");
            }
            other => panic!("{other:?}"),
        }
        let (st, tariffs, _, td) = run_month(&format!("{RAISE}{rule}"), 2);
        assert!(st.pending.is_empty());
        assert!((tariffs.tau[td.idx(0, 0, 1)] - 0.2).abs() < 1e-15);
    }
}
