//! The model: what one Monte Carlo run computes, month by month. Each block
//! of docs/model.md is one module here, owning its per-run state and a
//! `step`:
//!   tariffs (1), equilibrium (2), dynamics (3), licensing (4), rules (5),
//!   macroecon (6); `series` is the catalogue of outputs and `outputs` writes
//!   the trade series. `Model` holds what does not depend on the draw (built
//!   once per scenario); `Workspace` holds the blocks' run states and is
//!   reused across runs so the loop does not allocate in steady state. The
//!   month loop (`Model::run_with`) follows the "order of computation within
//!   a month" of docs/model.md, step by step.

/// The model's version, recorded in every manifest and result key. Results
/// change only with it (docs/model.md, "Model versions").
pub const MODEL_VERSION: &str = "2";

pub mod annual;
pub mod dynamics;
pub mod equilibrium;
pub mod exchange;
pub mod households;
pub mod licensing;
pub mod macroecon;
pub mod outputs;
pub mod rerouting;
pub mod rules;
pub mod series;
pub mod tariffs;
#[cfg(test)]
pub(crate) mod testkit;

use crate::random;
use crate::scenario::{ParamId, Scenario, stable_key};
use dynamics::{FlowState, Owner, SectorDynamics, Window};
use equilibrium::{EqError, SectorBase, TradeState};
use licensing::{LicensingBase, LicensingRun};
use macroecon::{MacroInputs, MacroState};
use rules::{RuleEffects, RuleEnv, RuleState};
use series::{Series, Slots};
use std::fmt;
use tariffs::{TariffBase, TariffState};

/// Everything that does not depend on the draw.
pub struct Model<'a> {
    pub sc: &'a Scenario,
    pub ne: usize,
    pub ns: usize,
    pub months: usize,
    pub slots: Slots,
    /// Block 2: each sector's baseline shares.
    pub sectors: Vec<SectorBase>,
    /// The weights of the household price outputs.
    pub households: households::HouseholdWeights,
    /// Block 1: the schedule of measures and the effective-tariff weights.
    pub tariffs: TariffBase,
    /// Block 4: the licensing regime of each month.
    pub licensing: LicensingBase,
    /// Block 3: front-loading windows of scheduled measures: (measure, from,
    /// to, step of the increase).
    frontload: Vec<(usize, usize, usize, usize)>,
    /// Block 3: the month of each scheduled step of each measure (months
    /// before the start are negative), for the hold-off windows.
    step_months: Vec<Vec<i64>>,
    /// Block 3: keys of the noise streams of each flow and each importer.
    noise_keys: Vec<u64>,
    common_keys: Vec<u64>,
    /// Block 6: baseline gross output `i * ns + s` and tariff revenue per importer.
    go0: Vec<f64>,
    tr0: Vec<f64>,
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

impl std::error::Error for RunError {}

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

/// The blocks' states of one run, reused across runs.
#[derive(Default)]
pub struct Workspace {
    values: Vec<f64>,
    tariffs: TariffState,
    trade: TradeState,
    fx: exchange::FxState,
    flows: FlowState,
    lic: LicensingRun,
    reroute: rerouting::ReroutingRun,
    rules: RuleState,
    macro_: MacroState,
    effects: RuleEffects,
    exports: Vec<f64>,
}

impl<'a> Model<'a> {
    pub fn new(sc: &'a Scenario, months: usize) -> Model<'a> {
        let ne = sc.economies.len();
        let ns = sc.sectors.len();
        let td = &sc.trade;
        let sectors: Vec<SectorBase> = (0..ns)
            .map(|s| {
                let v = (0..ne * ne)
                    .map(|k| td.value_usd_bn[s * ne * ne + k])
                    .collect();
                let t0 = (0..ne * ne).map(|k| td.tariff0[s * ne * ne + k]).collect();
                let nl = td.n_lines();
                let r = s * ne * ne * nl..(s + 1) * ne * ne * nl;
                SectorBase::new(ne, v, t0).with_lines(nl, td.line_share[r].to_vec())
            })
            .collect();
        let mut go0 = vec![0.0; ne * ns];
        let mut tr0 = vec![0.0; ne];
        for s in 0..ns {
            for e in 0..ne {
                for i in 0..ne {
                    let f = td.idx(s, e, i);
                    let v = td.value_usd_bn[f];
                    go0[e * ns + s] += v;
                    if e != i {
                        tr0[i] += td.tariff0[f] * v;
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
        let step_months = sc
            .measures
            .iter()
            .map(|m| {
                m.steps
                    .iter()
                    .map(|(d, _)| i64::from(d.ym.since(sc.meta.start)))
                    .collect()
            })
            .collect();
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
        let sampled = (0..sc.params.len() as u32)
            .map(ParamId)
            .filter(|p| sc.param(*p).dist.is_some())
            .collect();
        Model {
            sc,
            ne,
            ns,
            months,
            slots: Slots::new(sc, months),
            households: households::HouseholdWeights::new(sc, &sectors),
            sectors,
            tariffs: TariffBase::new(sc, months),
            licensing: LicensingBase::new(sc.licensing.as_ref(), sc.meta.start, months),
            frontload,
            step_months,
            noise_keys,
            common_keys,
            go0,
            tr0,
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
        let td = &sc.trade;
        let months = self.months;
        for (k, p) in self.sampled.iter().enumerate() {
            out.params[k] = values[p.0 as usize];
        }
        out.monthly.fill(0.0);
        out.finals.fill(0.0);
        self.reset(values, seed, run, ws);
        for t in 0..months {
            let mut series = Series::new(&mut out.monthly, &mut out.finals, months, t);
            // 1. Scheduled tariffs (Block 1), with the rule tariffs in force.
            if self.tariffs.schedule.dirty[t] {
                let r = &ws.rules;
                ws.tariffs
                    .step(&self.tariffs, td, &r.reverted, &r.rule_tariffs, t);
            }
            // 2-3. Rules (Block 5): actions falling due, then every rule once.
            ws.effects.clear();
            let env = RuleEnv {
                rules: &sc.rules,
                td,
                t,
                seed,
                run,
                values,
                shortfall_hist: &ws.lic.shortfall_hist,
                months,
            };
            ws.rules
                .step(&env, &mut ws.tariffs, &self.tariffs, &mut ws.effects);
            ws.flows.apply(&ws.effects.flow_events);
            // 4. Licensing changes requested by the actions applied.
            ws.lic.apply(&ws.effects.lic_changes);
            // 5. Licensing (Block 4): queue, stocks, shortfalls, output losses.
            if let Some(l) = &sc.licensing {
                let over = ws.rules.regime_override;
                ws.lic.step(t, l, &self.licensing, over, seed, run);
            }
            // 6. Exchange rates (Block 2a) from this month's tariffs, then the
            // trade equilibrium (Block 2) of sectors whose tariffs or rates moved.
            ws.fx.step(td, &ws.tariffs.tau);
            ws.trade
                .step(
                    &self.sectors,
                    &ws.tariffs.tau_lines,
                    &self.tariffs.tau0_lines,
                    &ws.fx.q,
                )
                .map_err(|(s, e)| self.solve_error(run, t, s, &e, values))?;
            // 7. Dynamics (Block 3): volumes, front-loading, noise, deliveries.
            let deliveries = ws.lic.deliveries(sc.licensing.as_ref(), td);
            ws.flows.step(t, td, &ws.trade, deliveries, &ws.lic.loss);
            // 7b. Rerouting (Block 3b): goods declared through hubs.
            if let Some(r) = &sc.rerouting {
                ws.reroute
                    .step(r, td, &ws.tariffs.tau, &mut ws.flows.reported);
            }
            // 8. Macro (Block 6): GDP by channel, growth, revenue.
            ws.tariffs.effective(&self.tariffs, td);
            let inputs = MacroInputs {
                sc,
                values,
                go0: &self.go0,
                tr0: &self.tr0,
                trade: &ws.trade,
                observed: &ws.flows.observed,
                reported: &ws.flows.reported,
                loss: &ws.lic.loss,
                eff_imp: &ws.tariffs.eff_imp,
                eff_exp: &ws.tariffs.eff_exp,
            };
            ws.macro_.step(t, &inputs, &self.slots, &mut series);
            // 9. Trade, price, welfare and licensing outputs.
            let view = outputs::TradeView {
                tariffs: &ws.tariffs,
                trade: &ws.trade,
                flows: &ws.flows,
                lic: &ws.lic,
                growth_factor: &ws.macro_.growth_factor,
                fx: &ws.fx.q,
                households: &self.households,
            };
            outputs::write_trade(sc, &self.slots, &view, &mut ws.exports, &mut series);
        }
        out.first_fired.copy_from_slice(&ws.rules.first);
        self.slots
            .horizon_outcomes(&out.monthly, &mut out.finals, months);
        let growth: Vec<f64> = sc
            .economies
            .iter()
            .map(|e| values[e.growth_pct.0 as usize])
            .collect();
        let weights: Vec<f64> = sc.economies.iter().map(|e| e.gdp_usd_bn).collect();
        annual::outcomes(
            &self.slots,
            &out.monthly,
            months,
            &growth,
            &weights,
            &mut out.finals,
        );
        Ok(())
    }

    /// The start of a run: every block's state from this run's values.
    fn reset(&self, values: &[f64], seed: u64, run: u64, ws: &mut Workspace) {
        let sc = self.sc;
        let td = &sc.trade;
        let val = |p: ParamId| values[p.0 as usize];
        // Block 1: the world as it stands before the first month.
        let rates = sc.measures.iter().map(|m| m.rates(values));
        ws.tariffs.reset(&self.tariffs, td, rates);
        // Block 2: every sector at the baseline, with this run's elasticities.
        ws.trade.reset(
            &self.sectors,
            &self.tariffs.tau0_lines,
            |s, p| {
                let sec = &sc.sectors[s];
                p.sigma_m = val(sec.sigma_import);
                p.sigma_d = val(sec.sigma_domestic);
                p.eta = val(sec.eta);
                for (e, id) in sec.epsilon.iter().enumerate() {
                    p.eps[e] = val(*id);
                }
            },
            |s| val(sc.sectors[s].sr_ratio),
        );
        // Block 3: volumes at the base year, scheduled front-loading windows.
        let dynamics = sc.sectors.iter().map(|sec| SectorDynamics {
            lambda: dynamics::adjustment_rate(val(sec.half_life_months)),
            lambda_lr: dynamics::adjustment_rate(val(sec.lr_half_life_months)),
            frontload: val(sec.frontload),
            wait_months: val(sec.wait_months),
            noise_sd: val(sec.noise_sd),
            noise_common: sec.noise_common,
            payback_months: f64::from(sec.payback_months),
        });
        let rates = &ws.tariffs.rates;
        let windows = self
            .frontload
            .iter()
            .filter(|(m, _, _, step)| rates[*m][*step] > 0.0)
            .map(|&(m, from, to, step)| Window {
                owner: Owner::Measure(m),
                flows: tariffs::covered_flows(td, &self.tariffs.schedule.coverage[m]),
                from,
                to,
                delta: rates[m][step],
            });
        // Increases importers expect to be reversed: each step above the
        // previous rate of its measure, from its month to the month of the
        // next lower step (or the end), belief times the increase.
        let waits = self.step_months.iter().enumerate().flat_map(|(m, months)| {
            let belief = val(sc.measures[m].belief);
            let r = &rates[m];
            (0..months.len())
                .filter(move |&k| belief > 0.0 && months[k] >= 0)
                .filter_map(move |k| {
                    let prev = if k == 0 { 0.0 } else { r[k - 1] };
                    let delta = r[k] - prev;
                    let to = (k + 1..months.len())
                        .find(|&j| r[j] < r[k])
                        .map_or(self.months as i64, |j| months[j]);
                    (delta > 0.0 && to > months[k]).then(|| Window {
                        owner: Owner::Measure(m),
                        flows: tariffs::covered_flows(td, &self.tariffs.schedule.coverage[m]),
                        from: months[k] as usize,
                        to: to as usize,
                        delta: belief * delta,
                    })
                })
        });
        let keys = (self.noise_keys.as_slice(), self.common_keys.as_slice());
        ws.flows
            .reset(td, dynamics, windows, waits, keys, seed, run);
        // Block 5: each rule's view of the starting tariff levels.
        let initial = sc
            .rules
            .iter()
            .map(|r| {
                let mut v = Vec::new();
                rules::raised_levels(&r.when, td, &ws.tariffs.tau, &mut v);
                v
            })
            .collect();
        ws.rules.reset(sc.rules.len(), sc.measures.len(), initial);
        // Block 4: stocks at their targets, the normal flow in transit.
        let input_eta = sc
            .licensing
            .as_ref()
            .map_or(1.0, |l| val(sc.sectors[l.input].eta));
        ws.lic.reset(
            sc.licensing.as_ref(),
            &self.licensing,
            td,
            self.months,
            &val,
            input_eta,
        );
        // Block 3b: nothing rerouted yet.
        ws.reroute
            .reset(sc.rerouting.as_ref(), sc.sectors.len(), &val);
        // Block 6: no deviation yet; tariff changes measured from the start.
        let (ei, ee) = (&ws.tariffs.eff_imp, &ws.tariffs.eff_exp);
        ws.macro_.reset(sc, self.months, values, ei, ee);
        // Block 2a: exchange rates at the baseline.
        let sigma = sc.sectors.iter().map(|sec| val(sec.sigma_import));
        ws.fx
            .reset(val(sc.macro_params.fx_offset), sigma, td, &ws.tariffs.tau);
    }

    fn solve_error(&self, run: u64, t: usize, s: usize, e: &EqError, values: &[f64]) -> RunError {
        RunError {
            scenario: 0,
            run,
            month: self.sc.month_label(t),
            sector: self.sc.sectors[s].id.clone(),
            message: e.to_string(),
            params: self.equilibrium_params(s, values),
        }
    }

    /// The parameters of sector `s`'s equilibrium with their values, each
    /// once and named by the path `--set` takes, so that a failing draw can
    /// be pinned and rerun.
    pub fn equilibrium_params(&self, s: usize, values: &[f64]) -> Vec<(String, f64)> {
        let sec = &self.sc.sectors[s];
        let mut ids = vec![sec.sigma_import, sec.sigma_domestic, sec.eta, sec.sr_ratio];
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
}
