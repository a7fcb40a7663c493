//! The model: what one Monte Carlo run computes, month by month. Each block
//! of docs/model.md is one module here:
//!   tariffs (1), equilibrium (2), dynamics (3), licensing (4), rules (5),
//!   macroecon (6); `series` is the catalogue of outputs.
//! `Model` holds what does not depend on the draw (built once per
//! scenario); `Workspace` holds a run's state and is reused across runs so
//! the per-run loop does not allocate in steady state.

pub mod dynamics;
pub mod equilibrium;
pub mod licensing;
pub mod macroecon;
pub mod rules;
pub mod series;
pub mod tariffs;

use crate::random;
use crate::scenario::{ParamId, Scenario, stable_key};
use equilibrium::{EqParams, EqSolution, SectorBase};
use licensing::{ImporterRun, LicState, RegimeRun};
use rand_distr::{Distribution, StandardNormal};
use rand_pcg::Pcg64Mcg;
use rules::{CondView, LicChange, Pending, RuleState};
use series::Slots;
use std::fmt;

/// Everything that does not depend on the draw.
pub struct Model<'a> {
    pub sc: &'a Scenario,
    pub ne: usize,
    pub ns: usize,
    pub months: usize,
    pub slots: Slots,
    pub sectors: Vec<SectorBase>,
    pub schedule: tariffs::Schedule,
    /// Front-loading windows of scheduled measures: (measure, from, to, step of the increase).
    frontload: Vec<(usize, usize, usize, usize)>,
    /// Baseline gross output, `i * ns + s`.
    go0: Vec<f64>,
    /// Baseline tariff revenue per importer.
    tr0: Vec<f64>,
    /// Baseline import and export totals (weights for the uncertainty index).
    imp0: Vec<f64>,
    exp0: Vec<f64>,
    noise_keys: Vec<u64>,
    common_keys: Vec<u64>,
    cap_noise_key: u64,
    /// Scheduled licensing regime per month and the month of its last change.
    sched_regime: Vec<(usize, i64)>,
    rule_involves: Vec<Vec<usize>>,
    /// Params with a distribution, in order (the sampled parameters).
    pub sampled: Vec<ParamId>,
}

/// A failed run, with what is needed to reproduce it alone.
#[derive(Debug, Clone)]
pub struct RunError {
    /// Which of the scenarios run together failed (set by the engine).
    pub scenario: usize,
    pub run: u64,
    pub month: String,
    pub sector: String,
    pub message: String,
    pub params: Vec<(String, f64)>,
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "run {} failed in {} (sector {}): {}",
            self.run, self.month, self.sector, self.message
        )?;
        if !self.params.is_empty() {
            let ps: Vec<String> = self
                .params
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            write!(f, "; parameter values: {}", ps.join(", "))?;
        }
        Ok(())
    }
}

/// One run's outputs, written into preallocated buffers.
#[derive(Debug, Clone, Default)]
pub struct RunOutput {
    /// `slot * months + t`
    pub monthly: Vec<f64>,
    pub finals: Vec<f64>,
    /// First firing month of each rule (`u32::MAX` = never).
    pub first_fired: Vec<u32>,
    /// Values of the sampled parameters (`Model::sampled` order).
    pub params: Vec<f64>,
}

/// A run's state, reused across runs.
#[derive(Default)]
pub struct Workspace {
    values: Vec<f64>,
    rates: Vec<Vec<f64>>,
    tau: Vec<f64>,
    tau_solved: Vec<f64>,
    acc: Vec<f64>,
    eq: Vec<EqSolution>,
    eq_ws: equilibrium::Workspace,
    eq_params: Vec<EqParams>,
    lambda: Vec<f64>,
    flow: Vec<f64>,
    observed: Vec<f64>,
    reported: Vec<f64>,
    boost: Vec<f64>,
    fl_acc: Vec<f64>,
    debt: Vec<f64>,
    pay_rate: Vec<f64>,
    windows: Vec<dynamics::Window>,
    rngs: Vec<Pcg64Mcg>,
    common: Vec<f64>,
    lic: LicState,
    imps: Vec<ImporterRun>,
    regimes: Vec<RegimeRun>,
    alt: Vec<f64>,
    short_hist: Vec<f64>,
    loss: Vec<f64>,
    rules: RuleState,
    lic_changes: Vec<LicChange>,
    tpu: Vec<f64>,
    dev: Vec<f64>,
    eff_imp_prev: Vec<f64>,
    eff_exp_prev: Vec<f64>,
    exports: Vec<f64>,
    /// Each importer's baseline growth factor this month.
    gi: Vec<f64>,
    /// Effective tariffs (import side, export side, per importer-partner in
    /// %), recomputed only when `tau` has changed since (`eff_stale`).
    eff_imp: Vec<f64>,
    eff_exp: Vec<f64>,
    eff_pair: Vec<f64>,
    eff_stale: bool,
}

impl<'a> Model<'a> {
    pub fn new(sc: &'a Scenario, months: usize) -> Model<'a> {
        let ne = sc.economies.len();
        let ns = sc.sectors.len();
        let td = &sc.trade;
        let sectors = (0..ns)
            .map(|s| {
                let v = (0..ne * ne)
                    .map(|k| td.value_usd_bn[s * ne * ne + k])
                    .collect();
                let t0 = (0..ne * ne).map(|k| td.tariff0[s * ne * ne + k]).collect();
                SectorBase::new(ne, v, t0)
            })
            .collect();
        let mut go0 = vec![0.0; ne * ns];
        let mut tr0 = vec![0.0; ne];
        let mut imp0 = vec![0.0; ne];
        let mut exp0 = vec![0.0; ne];
        for s in 0..ns {
            for e in 0..ne {
                for i in 0..ne {
                    let f = td.idx(s, e, i);
                    let v = td.value_usd_bn[f];
                    go0[e * ns + s] += v;
                    if e != i {
                        tr0[i] += td.tariff0[f] * v;
                        imp0[i] += v;
                        exp0[e] += v;
                    }
                }
            }
        }
        let mut frontload = Vec::new();
        for (m, meas) in sc.measures.iter().enumerate() {
            // Only stacking measures front-load: a `set` may lower the tariff.
            if meas.mode != crate::scenario::TariffMode::Add {
                continue;
            }
            if let (Some(a), Some((first, _))) = (meas.announced, meas.steps.first()) {
                let from = a.ym.since(sc.meta.start).max(0) as usize;
                let to = first.ym.since(sc.meta.start).max(0) as usize;
                if to > from {
                    frontload.push((m, from, to, 0));
                }
            }
        }
        let eid = |i: usize| sc.economies[i].id.as_str();
        let mut noise_keys = Vec::with_capacity(ne * ne * ns);
        for s in 0..ns {
            for e in 0..ne {
                for i in 0..ne {
                    noise_keys.push(stable_key(&format!(
                        "noise.flows.{}.{}.{}",
                        eid(e),
                        eid(i),
                        sc.sectors[s].id
                    )));
                }
            }
        }
        let common_keys = (0..ne)
            .map(|i| stable_key(&format!("noise.importer.{}", eid(i))))
            .collect();
        let sched_regime = match &sc.licensing {
            Some(l) => (0..months)
                .map(|t| {
                    // The regime in force for the larger part of the month:
                    // the one in force on day D/2 + 1 of a D-day month.
                    let ym = sc.meta.start.plus(t as i32);
                    let mid_day = |ym: crate::scenario::date::YearMonth| ym.days() / 2 + 1;
                    let mid = crate::scenario::date::Date {
                        ym,
                        day: mid_day(ym),
                    };
                    match l.schedule.iter().rposition(|(d, _)| *d <= mid) {
                        Some(k) => {
                            let d = l.schedule[k].0;
                            // The month from which this change is the month's regime.
                            let since =
                                d.ym.since(sc.meta.start) as i64 + i64::from(d.day > mid_day(d.ym));
                            (l.schedule[k].1, since)
                        }
                        None => (l.free, -1),
                    }
                })
                .collect(),
            None => Vec::new(),
        };
        let lic_econs: Vec<usize> = sc
            .licensing
            .as_ref()
            .map(|l| l.importers.iter().map(|i| i.econ).collect())
            .unwrap_or_default();
        let supplier = sc.licensing.as_ref().map(|l| l.supplier);
        let rule_involves = sc
            .rules
            .iter()
            .map(|r| rules::involved(r, supplier, &lic_econs))
            .collect();
        let sampled = (0..sc.params.len() as u32)
            .map(ParamId)
            .filter(|p| sc.param(*p).dist.is_some())
            .collect();
        Model {
            sc,
            ne,
            ns,
            months,
            slots: Slots::new(sc),
            sectors,
            schedule: tariffs::Schedule::new(sc, months),
            frontload,
            go0,
            tr0,
            imp0,
            exp0,
            noise_keys,
            common_keys,
            cap_noise_key: stable_key("noise.licensing.capacity"),
            sched_regime,
            rule_involves,
            sampled,
        }
    }

    /// The deterministic baseline path: no tariff measures, no rules, free
    /// licensing, central parameter values and no noise. Charts draw it as
    /// the dashed reference line.
    ///
    /// # Errors
    /// Never in practice (no tariff changes means no equilibrium to solve),
    /// but a `RunError` is passed on rather than hidden.
    pub fn baseline_output(&self) -> Result<RunOutput, RunError> {
        let mut b = self.sc.clone();
        b.measures.clear();
        b.rules.clear();
        if let Some(l) = &mut b.licensing {
            l.schedule.clear();
        }
        for p in &mut b.params {
            p.dist = None;
        }
        let noise: Vec<ParamId> = b
            .sectors
            .iter()
            .map(|s| s.noise_sd)
            .chain(b.licensing.as_ref().map(|l| l.noise_sd))
            .collect();
        for p in noise {
            b.params[p.0 as usize].value = 0.0;
        }
        let m = Model::new(&b, self.months);
        let mut ws = Workspace::default();
        let mut out = m.new_output();
        m.run(0, 0, &mut ws, &mut out)?;
        Ok(out)
    }

    pub fn new_output(&self) -> RunOutput {
        RunOutput {
            monthly: vec![0.0; self.slots.n_monthly * self.months],
            finals: vec![0.0; self.slots.n_final],
            first_fired: vec![u32::MAX; self.sc.rules.len()],
            params: vec![0.0; self.sampled.len()],
        }
    }

    /// Sample every scenario value for run `run` into `values`.
    pub fn sample_params(&self, seed: u64, run: u64, values: &mut Vec<f64>) {
        values.clear();
        for p in &self.sc.params {
            let v = match &p.dist {
                Some(d) => {
                    let mut r = random::stream(seed, run, p.key);
                    d.sample(&mut r)
                }
                None => p.value,
            };
            values.push(if p.integer { v.round() } else { v });
        }
    }

    /// Simulate run `run` into `out`.
    ///
    /// # Errors
    /// `RunError` if a trade equilibrium cannot be solved, naming the run,
    /// month, sector and parameter values.
    pub fn run(
        &self,
        seed: u64,
        run: u64,
        ws: &mut Workspace,
        out: &mut RunOutput,
    ) -> Result<(), RunError> {
        let mut values = std::mem::take(&mut ws.values);
        self.sample_params(seed, run, &mut values);
        let r = self
            .run_with(&values, seed, run, ws, out)
            .and_then(|()| self.check_finite(run, out));
        ws.values = values;
        r
    }

    /// A run whose outputs are not all numbers fails here, naming itself and
    /// the first series that broke, rather than in aggregation without a
    /// run index. Horizon averages carry any non-finite monthly value, so
    /// only they are scanned (cheap); the month is then found.
    fn check_finite(&self, run: u64, out: &RunOutput) -> Result<(), RunError> {
        if out.finals.iter().all(|x| x.is_finite()) {
            return Ok(());
        }
        let months = self.months;
        let (slot, t) = out
            .monthly
            .iter()
            .position(|x| !x.is_finite())
            .map_or((0, 0), |k| (k / months, k % months));
        let l = &self.slots.labels[slot.min(self.slots.labels.len().saturating_sub(1))];
        Err(RunError {
            scenario: 0,
            run,
            month: self.sc.month_label(t),
            sector: if l.sector.is_empty() {
                "-".into()
            } else {
                l.sector.clone()
            },
            message: format!(
                "series {} {} {} is not a finite number",
                l.metric, l.economy, l.partner
            ),
            params: Vec::new(),
        })
    }

    /// Simulate with given scenario values (`values[p]` for every `ParamSpec`);
    /// monthly shocks still come from (seed, run). Used by `run` and by
    /// variance-based sensitivity designs.
    ///
    /// # Errors
    /// As `run`.
    pub fn run_with(
        &self,
        values: &[f64],
        seed: u64,
        run: u64,
        ws: &mut Workspace,
        out: &mut RunOutput,
    ) -> Result<(), RunError> {
        let sc = self.sc;
        let (ne, ns, months) = (self.ne, self.ns, self.months);
        let nf = ne * ne * ns;
        let td = &sc.trade;
        let sl = &self.slots;
        let val = |p: ParamId| values[p.0 as usize];
        for (k, p) in self.sampled.iter().enumerate() {
            out.params[k] = val(*p);
        }
        out.monthly.fill(0.0);
        out.finals.fill(0.0);

        // ---- per-run setup --------------------------------------------------
        ws.rates.clear();
        for m in &sc.measures {
            ws.rates
                .push(m.steps.iter().map(|(_, p)| val(*p)).collect());
        }
        // The world as it stands before the first month.
        ws.tau.resize(nf, 0.0);
        tariffs::pre_start(&self.schedule, &td.tariff0, &ws.rates, &mut ws.tau);
        ws.tau_solved.clone_from(&td.tariff0);
        // Reuse the previous run's buffers (no allocation in steady state).
        if ws.eq.len() != ns || ws.eq.first().is_some_and(|e| e.z.len() != ne) {
            ws.eq = self.sectors.iter().map(EqSolution::baseline).collect();
            ws.eq_params = sc
                .sectors
                .iter()
                .map(|_| EqParams {
                    sigma_m: 1.0,
                    sigma_d: 1.0,
                    eta: 1.0,
                    eps: vec![f64::INFINITY; ne],
                })
                .collect();
        }
        ws.lambda.clear();
        for (s, sec) in sc.sectors.iter().enumerate() {
            ws.eq[s].reset_to_baseline(&self.sectors[s]);
            let p = &mut ws.eq_params[s];
            p.sigma_m = val(sec.sigma_import);
            p.sigma_d = val(sec.sigma_domestic);
            p.eta = val(sec.eta);
            for (e, id) in sec.epsilon.iter().enumerate() {
                p.eps[e] = val(*id);
            }
            ws.lambda
                .push(dynamics::adjustment_rate(val(sec.half_life_months)));
        }
        // Flow state in volumes (base-year prices); values are volume x price.
        ws.flow.clear();
        ws.flow.extend_from_slice(&td.value_usd_bn);
        ws.observed.resize(nf, 0.0);
        ws.reported.resize(nf, 0.0);
        for v in [
            &mut ws.boost,
            &mut ws.fl_acc,
            &mut ws.debt,
            &mut ws.pay_rate,
        ] {
            v.clear();
            v.resize(nf, 0.0);
        }
        ws.windows.clear();
        for &(m, from, to, step) in &self.frontload {
            let delta = ws.rates[m][step];
            if delta > 0.0 {
                ws.windows.push(dynamics::Window {
                    owner: dynamics::Owner::Measure(m),
                    flows: self.schedule.coverage[m].clone(),
                    from,
                    to,
                    delta,
                });
            }
        }
        ws.rngs.clear();
        for f in 0..nf {
            ws.rngs.push(random::stream(seed, run, self.noise_keys[f]));
        }
        let mut common_rngs: Vec<Pcg64Mcg> = self
            .common_keys
            .iter()
            .map(|k| random::stream(seed, run, *k))
            .collect();
        ws.common.resize(ne, 0.0);
        let initial = sc
            .rules
            .iter()
            .map(|r| {
                let mut v = Vec::new();
                rules::raised_levels(&r.when, td, &ws.tau, &mut v);
                v
            })
            .collect();
        ws.rules.reset(sc.rules.len(), sc.measures.len(), initial);
        let n_imp = sc.licensing.as_ref().map_or(0, |l| l.importers.len());
        ws.short_hist.clear();
        ws.short_hist.resize(n_imp * months, 0.0);
        ws.loss.clear();
        ws.loss.resize(ne * ns, 0.0);
        ws.alt.clear();
        ws.alt.resize(n_imp, 0.0);
        if let Some(l) = &sc.licensing {
            ws.imps.clear();
            for imp in &l.importers {
                let apps = td.value_usd_bn[td.idx(l.input, l.supplier, imp.econ)] / 12.0;
                ws.imps.push(ImporterRun {
                    apps,
                    dependence: val(imp.dependence),
                    stock_target: val(imp.stock_months),
                    priority: imp.priority,
                });
            }
            ws.regimes.clear();
            for r in &l.regimes {
                ws.regimes.push(RegimeRun {
                    capacity: val(r.capacity),
                    approval: val(r.approval),
                    delay: val(r.delay_months).max(0.0) as usize,
                });
            }
            let r0 = self.sched_regime.first().map_or(l.free, |x| x.0);
            ws.lic.reset(&ws.imps, ws.regimes[r0].delay);
        }
        let efficiency = sc.licensing.as_ref().map_or(1.0, |l| val(l.efficiency));
        let cap_noise = sc.licensing.as_ref().map_or(0.0, |l| val(l.noise_sd));
        ws.tpu.clear();
        ws.tpu.resize(ne, 0.0);
        ws.gi.clear();
        ws.gi.resize(ne, 1.0);
        ws.dev.clear();
        ws.dev.resize(ne * months, 0.0);
        // The effective tariffs of the world before the first month.
        ws.eff_imp.resize(ne, 0.0);
        ws.eff_exp.resize(ne, 0.0);
        self.effective_tariffs(ws);
        ws.eff_imp_prev.clone_from(&ws.eff_imp);
        ws.eff_exp_prev.clone_from(&ws.eff_exp);
        let growth: Vec<f64> = sc.economies.iter().map(|e| val(e.growth_pct)).collect();
        let decay = (-1.0 / sc.macro_params.tpu_half_life_months).exp2();

        // ---- the months ----------------------------------------------------
        for t in 0..months {
            ws.rules.fired_now.clear();
            // Block 1: this month's scheduled tariffs (with rule tariffs in force).
            if self.schedule.dirty[t] {
                self.recompute_tariffs(t, ws);
            }
            // Block 5, part 1: actions falling due, in firing order, each
            // capped against the tariffs as they stand when it applies.
            let due: Vec<Pending> = if ws.rules.pending.iter().any(|p| p.at <= t) {
                let (now, later): (Vec<Pending>, Vec<Pending>) =
                    ws.rules.pending.drain(..).partition(|p| p.at <= t);
                ws.rules.pending = later;
                now
            } else {
                Vec::new()
            };
            for p in &due {
                self.apply_action(p.rule, p.action, p.trigger, t, values, ws);
            }
            // Block 5, part 2: rules, in evaluation order.
            for (k, rule) in sc.rules.iter().enumerate() {
                // Every rule looks every month (so its view of tariff levels
                // stays current), whether or not it may fire.
                let (ok, trigger) = {
                    let view = CondView {
                        t,
                        td,
                        tau: &ws.tau,
                        shortfall_hist: &ws.short_hist,
                        months,
                        count: &ws.rules.count,
                    };
                    let mut seen = std::mem::take(&mut ws.rules.seen[k]);
                    let r = rules::holds(&rule.when, &view, &mut seen, &mut 0);
                    ws.rules.seen[k] = seen;
                    r
                };
                if !ok || !ws.rules.eligible(k, rule, t) {
                    continue;
                }
                // One draw per rule and month, looked at or not (paired paths).
                let u = random::u01(seed, run, rule.key, t as u64);
                if u >= val(rule.probability) {
                    continue;
                }
                ws.rules.count[k] += 1;
                ws.rules.last[k] = Some(t);
                if ws.rules.first[k] == u32::MAX {
                    ws.rules.first[k] = t as u32;
                }
                ws.rules.fired_now.push(k);
                let lag = val(rule.lag_months).max(0.0) as usize;
                for (ai, action) in rule.then.iter().enumerate() {
                    if lag == 0 {
                        self.apply_action(k, ai, trigger, t, values, ws);
                        continue;
                    }
                    ws.rules.pending.push(Pending {
                        at: t + lag,
                        rule: k,
                        action: ai,
                        trigger,
                    });
                    // An announced rule tariff increase front-loads until it takes effect.
                    if let crate::scenario::Action::Tariff {
                        by,
                        on,
                        sectors,
                        amount,
                        cap,
                        mode: crate::scenario::TariffMode::Add,
                    } = action
                    {
                        let amount = match amount {
                            crate::scenario::TariffAmount::Rate(p) => val(*p),
                            crate::scenario::TariffAmount::Match(f) => f * trigger,
                        };
                        // One window per target: each target's coming increase
                        // is capped against its own current level.
                        for &e in on {
                            let delta = match cap {
                                Some(cap) => amount
                                    .min(cap - rules::level_over(td, &ws.tau, *by, e, sectors)),
                                None => amount,
                            };
                            if delta > 0.0 {
                                ws.windows.push(dynamics::Window {
                                    owner: dynamics::Owner::Rule(k),
                                    flows: tariffs::coverage(td, *by, &[e], sectors),
                                    from: t,
                                    to: t + lag,
                                    delta,
                                });
                            }
                        }
                    }
                }
            }
            for ch in ws.lic_changes.drain(..) {
                match ch {
                    LicChange::ApprovalMult {
                        importer: Some(j),
                        factor,
                    } => ws.lic.approval_mult[j] = factor,
                    LicChange::ApprovalMult {
                        importer: None,
                        factor,
                    } => ws.lic.approval_mult.iter_mut().for_each(|m| *m = factor),
                    LicChange::CapacityMult {
                        importer: Some(j),
                        factor,
                    } => ws.lic.capacity_mult_imp[j] = factor,
                    LicChange::CapacityMult {
                        importer: None,
                        factor,
                    } => ws.lic.capacity_mult = factor,
                }
            }

            // ---- Block 4: licensing --------------------------------------------
            if let Some(l) = &sc.licensing {
                let (sched, sched_since) = self.sched_regime[t];
                let regime = match ws.rules.regime_override {
                    Some((at, r)) if at as i64 >= sched_since => r,
                    _ => sched,
                };
                let rr = ws.regimes[regime];
                let noise = if cap_noise > 0.0 {
                    let z = crate::scenario::dist::norm_quantile(random::u01(
                        seed,
                        run,
                        self.cap_noise_key,
                        t as u64,
                    ));
                    dynamics::noise_factor(cap_noise, z)
                } else {
                    1.0
                };
                for (j, imp) in l.importers.iter().enumerate() {
                    ws.alt[j] = imp.alt_supply.at(t as f64);
                }
                ws.lic
                    .step(t, &ws.imps, rr, rr.capacity * efficiency * noise, &ws.alt);
                ws.loss.fill(0.0);
                for (j, imp) in l.importers.iter().enumerate() {
                    ws.short_hist[j * months + t] = ws.lic.shortfall[j];
                    let sub = imp.substitution.at(t as f64).clamp(0.0, 1.0);
                    for &(s, exposure) in &imp.exposure {
                        ws.loss[imp.econ * ns + s] =
                            (exposure * ws.lic.shortfall[j] * (1.0 - sub)).clamp(0.0, 1.0);
                    }
                }
            }

            // ---- Block 2: equilibria of sectors whose tariffs changed -------------
            for s in 0..ns {
                let r = s * ne * ne..(s + 1) * ne * ne;
                if ws.tau[r.clone()] == ws.tau_solved[r.clone()] {
                    continue;
                }
                if ws.tau[r.clone()] == td.tariff0[r.clone()] {
                    // Exactly the base year: w = 1 and x = 1 without solving.
                    ws.eq[s].reset_to_baseline(&self.sectors[s]);
                } else if let Err(e) = equilibrium::solve(
                    &self.sectors[s],
                    &ws.eq_params[s],
                    &ws.tau[r.clone()],
                    &mut ws.eq[s],
                    &mut ws.eq_ws,
                ) {
                    return Err(RunError {
                        scenario: 0,
                        run,
                        month: sc.month_label(t),
                        sector: sc.sectors[s].id.clone(),
                        message: e.to_string(),
                        params: self.equilibrium_params(s, values),
                    });
                }
                ws.tau_solved[r.clone()].copy_from_slice(&ws.tau[r]);
            }

            // ---- Block 3: dynamics, front-loading, noise ------------------------
            ws.boost.fill(0.0);
            for w in &ws.windows {
                if t >= w.from && t < w.to {
                    for &f in &w.flows {
                        let s = f / (ne * ne);
                        ws.boost[f] += val(sc.sectors[s].frontload) * w.delta;
                    }
                }
            }
            for i in 0..ne {
                ws.common[i] = StandardNormal.sample(&mut common_rngs[i]);
            }
            for s in 0..ns {
                let sec = &sc.sectors[s];
                let sd = val(sec.noise_sd);
                let c = sec.noise_common;
                let payback = f64::from(sec.payback_months);
                let lambda = ws.lambda[s];
                let (w_common, w_own) = (c.sqrt(), (1.0 - c).sqrt());
                let eq = &ws.eq[s];
                for e in 0..ne {
                    let price = eq.w[e];
                    for i in 0..ne {
                        let f = td.idx(s, e, i);
                        let k = e * ne + i;
                        // Volumes adjust; the equilibrium volume is V x.
                        let target = td.value_usd_bn[f] * eq.x[k];
                        ws.flow[f] = dynamics::adjust(ws.flow[f], target, lambda);
                        let mut o = ws.flow[f] * price;
                        // Front-loading: extra now, repaid once the window closes.
                        if ws.boost[f] > 0.0 {
                            let extra = o * ws.boost[f];
                            ws.fl_acc[f] += extra;
                            o += extra;
                        } else {
                            if ws.fl_acc[f] > 0.0 {
                                ws.debt[f] += ws.fl_acc[f];
                                ws.fl_acc[f] = 0.0;
                                ws.pay_rate[f] = ws.debt[f] / payback;
                            }
                            if ws.debt[f] > 0.0 {
                                let pay = ws.pay_rate[f].min(ws.debt[f]).min(o);
                                ws.debt[f] -= pay;
                                o -= pay;
                            }
                        }
                        if e != i && sd > 0.0 {
                            let z: f64 = StandardNormal.sample(&mut ws.rngs[f]);
                            let eps = w_common * ws.common[i] + w_own * z;
                            o *= dynamics::noise_factor(sd, eps);
                        }
                        ws.observed[f] = o.max(0.0);
                    }
                }
            }
            // The controlled input's flows follow licence deliveries.
            if let Some(l) = &sc.licensing {
                for (j, imp) in l.importers.iter().enumerate() {
                    let f = td.idx(l.input, l.supplier, imp.econ);
                    ws.observed[f] *= ws.lic.delivery_ratio(j, &ws.imps[j]);
                }
            }
            // Exposed sectors lose output (the disruption term counts it in GDP).
            ws.reported.copy_from_slice(&ws.observed);
            for e in 0..ne {
                for s in 0..ns {
                    let loss = ws.loss[e * ns + s];
                    if loss > 0.0 {
                        for i in 0..ne {
                            ws.reported[td.idx(s, e, i)] *= 1.0 - loss;
                        }
                    }
                }
            }

            // ---- Block 6: macro --------------------------------------------------
            if ws.eff_stale {
                self.effective_tariffs(ws);
            }
            let tf = t as f64;
            let (mut world_level, mut world_base, mut world_level_ago) = (0.0, 0.0, 0.0);
            for i in 0..ne {
                let econ = &sc.economies[i];
                let mut production = 0.0;
                let mut disruption = 0.0;
                for s in 0..ns {
                    let va = sc.sectors[s].va_share;
                    let w = ws.eq[s].w[i];
                    let mut dq = 0.0;
                    for j in 0..ne {
                        let f = td.idx(s, i, j);
                        dq += ws.observed[f] / w - td.value_usd_bn[f];
                    }
                    production += va * dq;
                    disruption -= va * ws.loss[i * ns + s] * self.go0[i * ns + s];
                }
                let mut revenue = 0.0;
                for s in 0..ns {
                    for e in (0..ne).filter(|&e| e != i) {
                        let f = td.idx(s, e, i);
                        revenue += ws.tau[f] * ws.reported[f];
                    }
                }
                let income = -(1.0 - val(econ.revenue_recycled))
                    * val(econ.demand_burden)
                    * (revenue - self.tr0[i]);
                // Trade-policy uncertainty index.
                let (ei, ee) = (ws.eff_imp[i], ws.eff_exp[i]);
                let firings = ws
                    .rules
                    .fired_now
                    .iter()
                    .filter(|&&k| self.rule_involves[k].contains(&i))
                    .count() as f64;
                ws.tpu[i] = decay * ws.tpu[i]
                    + (ei - ws.eff_imp_prev[i]).abs()
                    + (ee - ws.eff_exp_prev[i]).abs()
                    + sc.macro_params.tpu_rule_weight * firings;
                ws.eff_imp_prev[i] = ei;
                ws.eff_exp_prev[i] = ee;
                let dev = if production == 0.0
                    && disruption == 0.0
                    && income == 0.0
                    && ws.tpu[i] == 0.0
                {
                    0.0
                } else {
                    let ch = macroecon::channels(
                        econ.gdp_usd_bn,
                        production,
                        disruption,
                        income,
                        ws.tpu[i],
                        val(econ.tpu_sensitivity),
                        val(econ.multiplier),
                    );
                    for (c, x) in ch.iter().enumerate() {
                        out.monthly[(sl.gdp_channels + c * ne + i) * months + t] = *x;
                    }
                    ch.iter().sum()
                };
                ws.dev[i * months + t] = dev;
                let dev_ago = if t >= 12 {
                    ws.dev[i * months + t - 12]
                } else {
                    0.0
                };
                let g = growth[i];
                out.monthly[(sl.gdp_growth + i) * months + t] =
                    macroecon::growth_yoy(g, dev, dev_ago);
                out.monthly[(sl.gdp_dev + i) * months + t] = dev;
                let base = macroecon::baseline_level(econ.gdp_usd_bn, g, tf);
                world_base += base;
                world_level += base * (1.0 + dev / 100.0);
                world_level_ago += macroecon::baseline_level(econ.gdp_usd_bn, g, tf - 12.0)
                    * (1.0 + dev_ago / 100.0);
                out.finals[sl.gdp_loss_cum + i] += -dev / 100.0 * base / 12.0;
                let gi = (1.0 + g / 100.0).powf(tf / 12.0);
                ws.gi[i] = gi;
                out.monthly[(sl.tariff_revenue + i) * months + t] = revenue * gi;
                out.monthly[sl.tariff_idx(i, None) * months + t] = 100.0 * ei;
            }
            let world_dev = if world_level == world_base {
                0.0
            } else {
                100.0 * (world_level / world_base - 1.0)
            };
            out.monthly[(sl.gdp_dev + ne) * months + t] = world_dev;
            out.monthly[(sl.gdp_growth + ne) * months + t] =
                100.0 * (world_level / world_level_ago - 1.0);
            out.finals[sl.gdp_loss_cum + ne] += -(world_level - world_base) / 12.0;

            // ---- trade, prices, welfare outputs ----------------------------------
            self.write_trade(t, ws, out);
        }
        out.first_fired.copy_from_slice(&ws.rules.first);
        // Horizon outcomes: end value and average of every monthly series.
        let last = months - 1;
        for slot in 0..sl.n_monthly {
            let xs = &out.monthly[slot * months..(slot + 1) * months];
            out.finals[2 * slot] = xs[last];
            out.finals[2 * slot + 1] = xs.iter().sum::<f64>() / months as f64;
        }
        Ok(())
    }

    /// The parameters of sector `s`'s equilibrium with their values, each
    /// once and named by the path `--set` takes, so that a failing draw can
    /// be pinned and rerun.
    pub fn equilibrium_params(&self, s: usize, values: &[f64]) -> Vec<(String, f64)> {
        let sec = &self.sc.sectors[s];
        let mut ids = vec![sec.sigma_import, sec.sigma_domestic, sec.eta];
        for id in &sec.epsilon {
            // Exporters without their own value share the default.
            if !ids.contains(id) {
                ids.push(*id);
            }
        }
        ids.iter()
            .map(|id| (self.sc.param(*id).path.clone(), values[id.0 as usize]))
            .collect()
    }

    /// Baseline-weighted effective tariffs of the current `tau`.
    fn effective_tariffs(&self, ws: &mut Workspace) {
        let td = &self.sc.trade;
        let ne = self.ne;
        ws.eff_pair.resize(ne * ne, 0.0);
        for i in 0..ne {
            ws.eff_imp[i] = eff_import_tariff(td, &ws.tau, i, &self.imp0);
            ws.eff_exp[i] = eff_export_tariff(td, &ws.tau, i, &self.exp0);
            for e in (0..ne).filter(|&e| e != i) {
                let (mut num, mut den) = (0.0, 0.0);
                for s in 0..self.ns {
                    let f = td.idx(s, e, i);
                    num += td.value_usd_bn[f] * ws.tau[f];
                    den += td.value_usd_bn[f];
                }
                ws.eff_pair[i * ne + e] = if den > 0.0 { 100.0 * num / den } else { 0.0 };
            }
        }
        ws.eff_stale = false;
    }

    /// Block 1: recompute month `t`'s tariffs from the schedule and the rule
    /// tariffs in force.
    fn recompute_tariffs(&self, t: usize, ws: &mut Workspace) {
        ws.eff_stale = true;
        tariffs::compute(
            &self.schedule,
            &self.sc.trade.tariff0,
            &ws.rates,
            &ws.rules.reverted,
            &ws.rules.rule_tariffs,
            t,
            &mut ws.tau,
            &mut ws.acc,
        );
    }

    /// Apply action `ai` of rule `k` in month `t`, updating tariffs at once
    /// and cancelling the front-loading of anything a deal reverts.
    fn apply_action(
        &self,
        k: usize,
        ai: usize,
        trigger: f64,
        t: usize,
        values: &[f64],
        ws: &mut Workspace,
    ) {
        let action = &self.sc.rules[k].then[ai];
        let fx = rules::apply(
            &mut ws.rules,
            k,
            action,
            trigger,
            t,
            &self.sc.trade,
            &ws.tau,
            &|id| values[id.0 as usize],
            &mut ws.lic_changes,
        );
        if let crate::scenario::Action::Revert(targets) = action {
            for tg in targets {
                let owner = match tg {
                    crate::scenario::RevertTarget::Measure(m) => dynamics::Owner::Measure(*m),
                    crate::scenario::RevertTarget::Rule(r) => dynamics::Owner::Rule(*r),
                };
                // Announced increases that will now never come stop front-loading.
                ws.windows.retain(|w| w.owner != owner || w.to <= t);
            }
        }
        if fx.tariffs_changed {
            self.recompute_tariffs(t, ws);
        }
    }

    fn write_trade(&self, t: usize, ws: &mut Workspace, out: &mut RunOutput) {
        let sc = self.sc;
        let (ne, ns, months) = (self.ne, self.ns, self.months);
        let td = &sc.trade;
        let sl = &self.slots;
        // Imports at the importer's real growth path.
        let mut exports = std::mem::take(&mut ws.exports);
        exports.clear();
        exports.resize(ne * (ns + 1), 0.0);
        for i in 0..ne {
            let gi = ws.gi[i];
            let mut total = 0.0;
            for e in (0..ne).filter(|&e| e != i) {
                let mut by_partner = 0.0;
                for s in 0..ns {
                    let x = ws.reported[td.idx(s, e, i)] * gi;
                    out.monthly[sl.imports_idx(i, Some(e), Some(s)) * months + t] = x;
                    out.monthly[sl.imports_idx(i, None, Some(s)) * months + t] += x;
                    by_partner += x;
                    exports[e * (ns + 1) + 1 + s] += x;
                }
                out.monthly[sl.imports_idx(i, Some(e), None) * months + t] = by_partner;
                exports[e * (ns + 1)] += by_partner;
                total += by_partner;
                out.monthly[sl.tariff_idx(i, Some(e)) * months + t] = ws.eff_pair[i * ne + e];
            }
            out.monthly[sl.imports_idx(i, None, None) * months + t] = total;
            // Import prices (duty-inclusive import composite), % vs baseline.
            let (mut num, mut den) = (0.0, 0.0);
            for s in 0..ns {
                let pm = 100.0 * (ws.eq[s].pm[i] - 1.0);
                out.monthly[(sl.import_price + i * (ns + 1) + 1 + s) * months + t] = pm;
                let w: f64 = (0..ne)
                    .filter(|&e| e != i)
                    .map(|e| td.value_usd_bn[td.idx(s, e, i)])
                    .sum();
                num += w * pm;
                den += w;
            }
            out.monthly[(sl.import_price + i * (ns + 1)) * months + t] =
                if den > 0.0 { num / den } else { 0.0 };
            let (mut cs, mut ps, mut tr) = (0.0, 0.0, 0.0);
            for s in 0..ns {
                cs += ws.eq[s].cs[i];
                ps += ws.eq[s].ps[i];
                tr += ws.eq[s].tr[i];
            }
            out.monthly[(sl.welfare_cs + i) * months + t] = cs;
            out.monthly[(sl.welfare_ps + i) * months + t] = ps;
            out.monthly[(sl.welfare_tr + i) * months + t] = tr;
            out.monthly[(sl.welfare + i) * months + t] = cs + ps + tr;
        }
        for e in 0..ne {
            for k in 0..=ns {
                out.monthly[(sl.exports + e * (ns + 1) + k) * months + t] =
                    exports[e * (ns + 1) + k];
            }
            let imports = out.monthly[sl.imports_idx(e, None, None) * months + t];
            out.monthly[(sl.trade_balance + e) * months + t] = exports[e * (ns + 1)] - imports;
        }
        ws.exports = exports;
        if let Some(l) = &sc.licensing {
            for j in 0..l.importers.len() {
                let apps = ws.imps[j].apps;
                out.monthly[(sl.re_backlog + j) * months + t] = if apps > 0.0 {
                    ws.lic.backlog[j] / apps
                } else {
                    0.0
                };
                out.monthly[(sl.re_stock + j) * months + t] = ws.lic.stock[j];
                out.monthly[(sl.re_shortfall + j) * months + t] = ws.lic.shortfall[j];
            }
            for (k, &(j, s)) in sl.output_loss_pairs.iter().enumerate() {
                let econ = l.importers[j].econ;
                out.monthly[(sl.output_loss + k) * months + t] = 100.0 * ws.loss[econ * ns + s];
            }
        }
    }
}

/// Baseline-weighted tariff (fraction) on all imports of `i`.
fn eff_import_tariff(td: &crate::scenario::TradeData, tau: &[f64], i: usize, imp0: &[f64]) -> f64 {
    if imp0[i] <= 0.0 {
        return 0.0;
    }
    let mut num = 0.0;
    for s in 0..td.n_sect {
        for e in (0..td.n_econ).filter(|&e| e != i) {
            let f = td.idx(s, e, i);
            num += td.value_usd_bn[f] * tau[f];
        }
    }
    num / imp0[i]
}

/// Baseline-weighted tariff (fraction) facing all exports of `e`.
fn eff_export_tariff(td: &crate::scenario::TradeData, tau: &[f64], e: usize, exp0: &[f64]) -> f64 {
    if exp0[e] <= 0.0 {
        return 0.0;
    }
    let mut num = 0.0;
    for s in 0..td.n_sect {
        for i in (0..td.n_econ).filter(|&i| i != e) {
            let f = td.idx(s, e, i);
            num += td.value_usd_bn[f] * tau[f];
        }
    }
    num / exp0[e]
}
