//! The catalogue of output series: every (metric, economy, partner, sector)
//! the model reports each month, in the fixed order used by every output
//! file. The model writes a run's values into slots of this catalogue; the
//! engine aggregates slots; the writers label them.

use crate::scenario::Scenario;

/// Month t's view of one run's output buffers: blocks write series by slot
/// (`Slots` gives the slot of each series), never by hand-made offsets.
pub struct Series<'a> {
    monthly: &'a mut [f64],
    finals: &'a mut [f64],
    months: usize,
    t: usize,
}

impl<'a> Series<'a> {
    /// `monthly` is `slot * months + month`; `finals` the horizon outcomes.
    pub fn new(monthly: &'a mut [f64], finals: &'a mut [f64], months: usize, t: usize) -> Self {
        Series {
            monthly,
            finals,
            months,
            t,
        }
    }

    #[inline]
    pub fn set(&mut self, slot: usize, x: f64) {
        self.monthly[slot * self.months + self.t] = x;
    }

    #[inline]
    pub fn add(&mut self, slot: usize, x: f64) {
        self.monthly[slot * self.months + self.t] += x;
    }

    #[inline]
    pub fn get(&self, slot: usize) -> f64 {
        self.monthly[slot * self.months + self.t]
    }

    /// Add to a horizon outcome (a total over the months).
    #[inline]
    pub fn add_final(&mut self, k: usize, x: f64) {
        self.finals[k] += x;
    }
}

/// Labels of one series (`partner`/`sector` empty where not applicable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesLabel {
    pub metric: &'static str,
    pub economy: String,
    pub partner: String,
    pub sector: String,
}

/// Offsets of each metric block in the slot array. Economies are indexed
/// `0..ne`, `ne` meaning WORLD where a metric has a world aggregate.
#[derive(Debug, Clone)]
pub struct Slots {
    pub ne: usize,
    pub ns: usize,
    pub gdp_growth: usize,
    pub gdp_dev: usize,
    /// The four channels of the GDP deviation (pp), per economy:
    /// trade (production), income (tariff revenue squeeze), supply
    /// (licensing disruption), uncertainty.
    pub gdp_channels: usize,
    /// Per importer `(1 + np + ns + np*ns)` slots (np = ne - 1 partners, the
    /// importer itself skipped): ALL/ALL, by partner, by sector, by partner and sector.
    pub imports: usize,
    /// Per exporter `(1 + ns)` slots: ALL, then by sector.
    pub exports: usize,
    pub trade_balance: usize,
    /// Real effective exchange rate, % against the baseline, per economy.
    pub exchange_rate: usize,
    /// Per importer `(1 + np)`: ALL, then by partner (itself skipped).
    pub tariff_effective: usize,
    pub tariff_revenue: usize,
    /// Per importer `(1 + ns)`: ALL, then by sector.
    pub import_price: usize,
    /// Per licensing importer.
    pub re_backlog: usize,
    pub re_stock: usize,
    pub re_shortfall: usize,
    /// The supplier's shipments of the input, % of normal: ALL, then one per
    /// licensing importer.
    pub re_exports: usize,
    /// The input's scarcity price per licensing importer, % above normal.
    pub re_price: usize,
    /// One slot per (licensing importer, exposed sector), in `output_loss_pairs` order.
    pub output_loss: usize,
    pub output_loss_pairs: Vec<(usize, usize)>,
    pub welfare: usize,
    pub welfare_cs: usize,
    pub welfare_ps: usize,
    pub welfare_tr: usize,
    /// The economies with household data, and per such economy (in that
    /// order) the consumer price effect and the cost per household.
    pub households: Vec<usize>,
    pub consumer_prices: usize,
    pub cost_per_household: usize,
    pub n_monthly: usize,
    /// Horizon-only series (after the end/average pairs of the monthly ones).
    pub gdp_loss_cum: usize,
    /// The whole calendar and fiscal years of the horizon, and the first
    /// of their outcomes (`annual::labels` order) in `final_labels`.
    pub periods: Vec<super::annual::Period>,
    pub annual: usize,
    pub n_final: usize,
    pub labels: Vec<SeriesLabel>,
    pub final_labels: Vec<(SeriesLabel, FinalKind)>,
}

/// What a horizon outcome summarises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinalKind {
    /// The value in the last month (CSV month = the end month).
    End,
    /// The average over the horizon (CSV month = `horizon`).
    Average,
    /// A horizon total (CSV month = `horizon`).
    Total,
    /// A calendar or fiscal year (`Slots::periods[p]`), in `annual.csv`.
    Annual(u16),
}

impl Slots {
    /// Slot of imports of `i` from `partner` (never `i` itself) in `sector`.
    #[inline]
    pub fn imports_idx(&self, i: usize, partner: Option<usize>, sector: Option<usize>) -> usize {
        let (np, ns) = (self.ne - 1, self.ns);
        let base = self.imports + i * (1 + np + ns + np * ns);
        let pk = |e: usize| if e < i { e } else { e - 1 };
        match (partner, sector) {
            (None, None) => base,
            (Some(e), None) => base + 1 + pk(e),
            (None, Some(s)) => base + 1 + np + s,
            (Some(e), Some(s)) => base + 1 + np + ns + pk(e) * ns + s,
        }
    }

    /// Whether monthly series `slot` is per-flow detail: the imports of one
    /// importer from one partner in one sector (648 of the 1,229 series of
    /// the shipped worlds), written monthly only with `--detail flows`.
    pub fn is_flow(&self, slot: usize) -> bool {
        if !(self.imports..self.exports).contains(&slot) {
            return false;
        }
        let (np, ns) = (self.ne - 1, self.ns);
        (slot - self.imports) % (1 + np + ns + np * ns) >= 1 + np + ns
    }

    /// Slot of the effective tariff of `i` on `partner` (None = all partners).
    #[inline]
    pub fn tariff_idx(&self, i: usize, partner: Option<usize>) -> usize {
        let base = self.tariff_effective + i * self.ne;
        match partner {
            None => base,
            Some(e) => base + 1 + if e < i { e } else { e - 1 },
        }
    }

    /// The CSV month (or period) of a horizon outcome: the end month
    /// `end`, `horizon`, or the period's label (`CY2025`, `FY2026`).
    pub fn final_period<'a>(&'a self, kind: FinalKind, end: &'a str) -> &'a str {
        match kind {
            FinalKind::End => end,
            FinalKind::Average | FinalKind::Total => "horizon",
            FinalKind::Annual(p) => &self.periods[usize::from(p)].label,
        }
    }

    /// Horizon outcomes of every monthly series: its value in the last month
    /// (`finals[2 slot]`) and its average over the horizon (`2 slot + 1`).
    pub fn horizon_outcomes(&self, monthly: &[f64], finals: &mut [f64], months: usize) {
        let last = months - 1;
        for slot in 0..self.n_monthly {
            let xs = &monthly[slot * months..(slot + 1) * months];
            finals[2 * slot] = xs[last];
            finals[2 * slot + 1] = xs.iter().sum::<f64>() / months as f64;
        }
    }

    pub fn new(sc: &Scenario, months: usize) -> Slots {
        let ne = sc.economies.len();
        let ns = sc.sectors.len();
        let eid = |i: usize| {
            if i == ne {
                "WORLD".to_string()
            } else {
                sc.economies[i].id.clone()
            }
        };
        let sid = |s: usize| sc.sectors[s].id.clone();
        let mut labels: Vec<SeriesLabel> = Vec::new();
        let push = |labels: &mut Vec<SeriesLabel>,
                    metric: &'static str,
                    e: String,
                    p: String,
                    s: String| {
            labels.push(SeriesLabel {
                metric,
                economy: e,
                partner: p,
                sector: s,
            });
        };
        let all = || "ALL".to_string();
        let none = String::new;

        let gdp_growth = labels.len();
        for i in 0..=ne {
            push(&mut labels, "gdp_growth_yoy", eid(i), none(), none());
        }
        let gdp_dev = labels.len();
        for i in 0..=ne {
            push(&mut labels, "gdp_dev", eid(i), none(), none());
        }
        let gdp_channels = labels.len();
        for metric in [
            "gdp_dev_trade",
            "gdp_dev_income",
            "gdp_dev_supply",
            "gdp_dev_uncertainty",
        ] {
            for i in 0..ne {
                push(&mut labels, metric, eid(i), none(), none());
            }
        }
        let imports = labels.len();
        for i in 0..ne {
            push(&mut labels, "imports", eid(i), all(), all());
            for e in (0..ne).filter(|e| *e != i) {
                push(&mut labels, "imports", eid(i), eid(e), all());
            }
            for s in 0..ns {
                push(&mut labels, "imports", eid(i), all(), sid(s));
            }
            for e in (0..ne).filter(|e| *e != i) {
                for s in 0..ns {
                    push(&mut labels, "imports", eid(i), eid(e), sid(s));
                }
            }
        }
        let exports = labels.len();
        for i in 0..ne {
            push(&mut labels, "exports", eid(i), all(), all());
            for s in 0..ns {
                push(&mut labels, "exports", eid(i), all(), sid(s));
            }
        }
        let trade_balance = labels.len();
        for i in 0..ne {
            push(&mut labels, "trade_balance", eid(i), all(), none());
        }
        let exchange_rate = labels.len();
        for i in 0..ne {
            push(&mut labels, "exchange_rate", eid(i), none(), none());
        }
        let tariff_effective = labels.len();
        for i in 0..ne {
            push(&mut labels, "tariff_effective", eid(i), all(), none());
            for e in (0..ne).filter(|e| *e != i) {
                push(&mut labels, "tariff_effective", eid(i), eid(e), none());
            }
        }
        let tariff_revenue = labels.len();
        for i in 0..ne {
            push(&mut labels, "tariff_revenue", eid(i), none(), none());
        }
        let import_price = labels.len();
        for i in 0..ne {
            push(&mut labels, "import_price", eid(i), none(), all());
            for s in 0..ns {
                push(&mut labels, "import_price", eid(i), none(), sid(s));
            }
        }
        let lic_importers: Vec<usize> = sc
            .licensing
            .as_ref()
            .map(|l| l.importers.iter().map(|x| x.econ).collect())
            .unwrap_or_default();
        let input = sc
            .licensing
            .as_ref()
            .map(|l| sid(l.input))
            .unwrap_or_default();
        let re_backlog = labels.len();
        for &j in &lic_importers {
            push(&mut labels, "re_backlog", eid(j), none(), input.clone());
        }
        let re_stock = labels.len();
        for &j in &lic_importers {
            push(
                &mut labels,
                "re_stock_months",
                eid(j),
                none(),
                input.clone(),
            );
        }
        let re_shortfall = labels.len();
        for &j in &lic_importers {
            push(&mut labels, "re_shortfall", eid(j), none(), input.clone());
        }
        let re_exports = labels.len();
        if let Some(l) = &sc.licensing {
            let sup = eid(l.supplier);
            push(&mut labels, "re_exports", sup.clone(), all(), input.clone());
            for &j in &lic_importers {
                push(
                    &mut labels,
                    "re_exports",
                    sup.clone(),
                    eid(j),
                    input.clone(),
                );
            }
        }
        let re_price = labels.len();
        for &j in &lic_importers {
            push(&mut labels, "re_price", eid(j), none(), input.clone());
        }
        let output_loss = labels.len();
        let mut output_loss_pairs = Vec::new();
        if let Some(l) = &sc.licensing {
            for (k, imp) in l.importers.iter().enumerate() {
                for &(s, share) in &imp.exposure {
                    if share > 0.0 {
                        output_loss_pairs.push((k, s));
                        push(&mut labels, "output_loss", eid(imp.econ), none(), sid(s));
                    }
                }
            }
        }
        let block = |labels: &mut Vec<SeriesLabel>, metric: &'static str| {
            let at = labels.len();
            for i in 0..ne {
                push(labels, metric, eid(i), none(), none());
            }
            at
        };
        let welfare = block(&mut labels, "welfare");
        let welfare_cs = block(&mut labels, "welfare_cs");
        let welfare_ps = block(&mut labels, "welfare_ps");
        let welfare_tr = block(&mut labels, "welfare_tr");
        let households: Vec<usize> = (0..ne)
            .filter(|&i| sc.economies[i].households.is_some())
            .collect();
        let consumer_prices = labels.len();
        for &i in &households {
            push(&mut labels, "consumer_prices", eid(i), none(), none());
        }
        let cost_per_household = labels.len();
        for &i in &households {
            push(&mut labels, "cost_per_household", eid(i), none(), none());
        }
        let n_monthly = labels.len();

        let mut final_labels: Vec<(SeriesLabel, FinalKind)> =
            Vec::with_capacity(2 * n_monthly + ne + 1);
        for l in &labels {
            final_labels.push((l.clone(), FinalKind::End));
            final_labels.push((l.clone(), FinalKind::Average));
        }
        let gdp_loss_cum = final_labels.len();
        for i in 0..=ne {
            final_labels.push((
                SeriesLabel {
                    metric: "gdp_loss_cum",
                    economy: eid(i),
                    partner: none(),
                    sector: none(),
                },
                FinalKind::Total,
            ));
        }
        let periods = super::annual::periods(sc.meta.start, months);
        let annual = final_labels.len();
        final_labels.extend(super::annual::labels(sc, periods.len()));
        let n_final = final_labels.len();
        Slots {
            ne,
            ns,
            gdp_growth,
            gdp_dev,
            gdp_channels,
            imports,
            exports,
            trade_balance,
            exchange_rate,
            tariff_effective,
            tariff_revenue,
            import_price,
            re_backlog,
            re_stock,
            re_shortfall,
            re_exports,
            re_price,
            output_loss,
            output_loss_pairs,
            welfare,
            welfare_cs,
            welfare_ps,
            welfare_tr,
            households,
            consumer_prices,
            cost_per_household,
            n_monthly,
            gdp_loss_cum,
            periods,
            annual,
            n_final,
            labels,
            final_labels,
        }
    }
}
