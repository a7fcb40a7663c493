//! `explain`: the resolved timeline of a scenario in plain words: every
//! scheduled tariff and licensing change by date, and every rule.

use crate::scenario::dist::Dist;
use crate::scenario::{Action, Cond, ParamId, RevertTarget, Scenario, TariffAmount, TariffMode};
use std::fmt::Write as _;

fn pct(x: f64) -> String {
    let v = 100.0 * x;
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0} %")
    } else {
        format!("{v:.1} %")
    }
}

fn value(sc: &Scenario, p: ParamId, as_pct: bool) -> String {
    let spec = sc.param(p);
    match &spec.dist {
        None if as_pct => pct(spec.value),
        None => format!("{}", spec.value),
        Some(d) => {
            let (lo, hi) = d.support();
            let show = |x: f64| if as_pct { pct(x) } else { format!("{x}") };
            match d {
                Dist::Uniform { .. } | Dist::Triangular { .. } | Dist::Beta { .. } => {
                    format!("{} to {} ({})", show(lo), show(hi), d.describe())
                }
                _ => d.describe(),
            }
        }
    }
}

fn names(sc: &Scenario, ids: &[usize]) -> String {
    if ids.len() + 1 == sc.economies.len() {
        return "all partners".into();
    }
    ids.iter()
        .map(|i| sc.economies[*i].id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn sectors(sc: &Scenario, ids: &[usize]) -> String {
    if ids.len() == sc.sectors.len() {
        return "all sectors".into();
    }
    ids.iter()
        .map(|s| sc.sectors[*s].id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn cond(sc: &Scenario, c: &Cond) -> String {
    let e = |i: usize| sc.economies[i].id.clone();
    let month = |m: i32| sc.meta.start.plus(m).to_string();
    let sec = |s: &Option<usize>| {
        s.map(|s| format!(" in {}", sc.sectors[s].id))
            .unwrap_or_default()
    };
    match c {
        Cond::TariffRaised {
            by,
            on,
            sector,
            at_least: x,
        }
        | Cond::TariffAbove {
            by,
            on,
            sector,
            level: x,
        } => {
            let what = match c {
                Cond::TariffRaised { .. } => "rises by at least",
                _ => "is at least",
            };
            let whoever = match c {
                Cond::TariffRaised { .. } => " in a month (whoever raised it)",
                _ => "",
            };
            format!(
                "{}'s additional tariff on {}{} {what} {}{whoever}",
                e(*by),
                e(*on),
                sec(sector),
                pct(*x)
            )
        }
        Cond::ShortfallAbove {
            importer,
            level,
            months,
        } => {
            let econ = sc
                .licensing
                .as_ref()
                .map(|l| e(l.importers[*importer].econ))
                .unwrap_or_default();
            format!(
                "{econ}'s rare-earth shortfall is at least {} for {months} month(s) running",
                pct(*level)
            )
        }
        Cond::Between { from, to } => {
            format!("the month is between {} and {}", month(*from), month(*to))
        }
        Cond::Fired(k) => format!("rule `{}` has fired", sc.rules[*k].id),
        Cond::All(cs) => cs
            .iter()
            .map(|c| cond(sc, c))
            .collect::<Vec<_>>()
            .join(" AND "),
        Cond::Any(cs) => format!(
            "({})",
            cs.iter()
                .map(|c| cond(sc, c))
                .collect::<Vec<_>>()
                .join(" OR ")
        ),
    }
}

fn action(sc: &Scenario, a: &Action) -> String {
    match a {
        Action::Tariff {
            by,
            on,
            sectors: s,
            amount,
            cap,
            mode,
        } => {
            let amt = match amount {
                TariffAmount::Rate(p) => value(sc, *p, true),
                TariffAmount::Match(f) => format!("{f} x the triggering increase"),
            };
            let verb = if *mode == TariffMode::Set {
                "sets its tariff on"
            } else {
                "raises its tariff on"
            };
            let cap = cap
                .map(|c| format!(", capped at {} additional", pct(c)))
                .unwrap_or_default();
            format!(
                "{} {verb} {} ({}) by {amt}{cap}",
                sc.economies[*by].id,
                names(sc, on),
                sectors(sc, s)
            )
        }
        Action::Licensing(a) => {
            let Some(l) = &sc.licensing else {
                return String::new();
            };
            let mut parts = Vec::new();
            if let Some(r) = &a.regime {
                parts.push(format!("licensing regime becomes `{}`", l.regimes[*r].name));
            }
            let who = a
                .importer
                .map(|j| format!(" for {}", sc.economies[l.importers[j].econ].id))
                .unwrap_or_default();
            if let Some(f) = a.approval_factor {
                parts.push(format!("approval multiplied by {f}{who}"));
            }
            if let Some(f) = a.capacity_factor {
                parts.push(format!("capacity multiplied by {f}{who}"));
            }
            parts.join("; ")
        }
        Action::Revert(ts) => {
            let names: Vec<String> = ts
                .iter()
                .map(|t| match t {
                    RevertTarget::Measure(m) => format!("measure `{}`", sc.measures[*m].id),
                    RevertTarget::Rule(k) => format!("tariffs of rule `{}`", sc.rules[*k].id),
                })
                .collect();
            format!("revert {}", names.join(", "))
        }
    }
}

/// The timeline as text.
pub fn explain(sc: &Scenario) -> String {
    let mut o = String::new();
    let end = sc.meta.start.plus(sc.meta.months as i32 - 1);
    let _ = writeln!(
        o,
        "Scenario {} ({} to {}, {} months; default {} runs, seed {})",
        sc.meta.name, sc.meta.start, end, sc.meta.months, sc.meta.runs, sc.meta.seed
    );
    if !sc.meta.description.is_empty() {
        let _ = writeln!(o, "\n{}", sc.meta.description.trim());
    }
    let _ = writeln!(
        o,
        "\nWorld: {} economies ({}), {} sectors ({})",
        sc.economies.len(),
        sc.economies
            .iter()
            .map(|e| e.id.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        sc.sectors.len(),
        sc.sectors
            .iter()
            .map(|s| s.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    // Scheduled events in date order.
    let mut events: Vec<(crate::scenario::date::Date, String)> = Vec::new();
    for m in &sc.measures {
        if let Some(a) = m.announced {
            events.push((
                a,
                format!(
                    "announced: `{}` ({} on {})",
                    m.id,
                    sc.economies[m.by].id,
                    names(sc, &m.on)
                ),
            ));
        }
        // The tariff lines a measure covers, and importers' belief that it
        // will be reversed (model 2), when they are not the defaults.
        let lines = match &m.lines {
            Some(ls) => format!(
                "; lines {}",
                ls.iter()
                    .map(|l| sc.trade.lines[*l].as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => String::new(),
        };
        let belief = sc.param(m.belief);
        let belief = if belief.dist.is_some() || belief.value > 0.0 {
            format!(
                " (importers' belief in a reversal: {})",
                value(sc, m.belief, true)
            )
        } else {
            String::new()
        };
        // A `scale` other than 1 multiplies every step's rate as written.
        let scaled = if m.scale == 1.0 {
            String::new()
        } else {
            format!(" x {} (scale)", m.scale)
        };
        for (d, p) in &m.steps {
            let mode = if m.mode == TariffMode::Set {
                "set to"
            } else {
                "additional"
            };
            let cut = if sc.param(*p).value < 0.0 {
                " (a cut: the tariff does not go below zero)"
            } else {
                ""
            };
            events.push((
                *d,
                format!(
                    "tariff `{}`: {} on {} ({}{lines}): {mode} {}{}{cut}{belief}",
                    m.id,
                    sc.economies[m.by].id,
                    names(sc, &m.on),
                    sectors(sc, &m.sectors),
                    value(sc, *p, true),
                    // (a zero step stays zero)
                    if sc.param(*p).dist.is_none() && sc.param(*p).value == 0.0 {
                        ""
                    } else {
                        &scaled
                    }
                ),
            ));
        }
    }
    if let Some(l) = &sc.licensing {
        for (d, r) in &l.schedule {
            let reg = &l.regimes[*r];
            events.push((*d, format!("licensing of {} exports by {}: regime `{}` (capacity {}, approval {}, delay {} months)", sc.sectors[l.input].id, sc.economies[l.supplier].id, reg.name, value(sc, reg.capacity, false), value(sc, reg.approval, true), value(sc, reg.delay_months, false))));
        }
    }
    events.sort_by_key(|a| a.0);
    let _ = writeln!(o, "\nScheduled changes:");
    if events.is_empty() {
        let _ = writeln!(o, "  (none: the baseline)");
    }
    for (d, text) in &events {
        let note = if d.ym < sc.meta.start {
            " (before the start: in force from the first month)"
        } else {
            ""
        };
        let _ = writeln!(o, "  {:<10}  {text}{note}", d.to_string());
    }
    let _ = writeln!(o, "\nRules (evaluated each month in this order):");
    if sc.rules.is_empty() {
        let _ = writeln!(o, "  (none)");
    }
    for r in &sc.rules {
        // The label, when it is its own (not the default: description or id).
        let described = r
            .description
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let label = if r.label == r.id || r.label == described {
            String::new()
        } else {
            format!(" \"{}\"", r.label)
        };
        let _ = writeln!(
            o,
            "  {}{label}{}",
            r.id,
            if r.description.is_empty() {
                String::new()
            } else {
                format!(": {}", r.description.trim())
            }
        );
        let _ = writeln!(o, "    when {}", cond(sc, &r.when));
        let freq = if r.once {
            "once".to_string()
        } else {
            format!(
                "up to {} times, at least {} month(s) apart",
                r.max_firings,
                r.cooldown_months.max(1)
            )
        };
        let _ = writeln!(
            o,
            "    with probability {} per month, {freq}; effect after {} month(s)",
            value(sc, r.probability, true),
            value(sc, r.lag_months, false)
        );
        for a in &r.then {
            let _ = writeln!(o, "    then {}", action(sc, a));
        }
    }
    let sampled = sc.params.iter().filter(|p| p.dist.is_some()).count();
    let _ = writeln!(
        o,
        "\nUncertain parameters sampled each run: {sampled} (list them: explain --params)"
    );
    o
}

/// `explain --params`: every sampled parameter, in the order of the
/// `runs.csv` columns, with its `--set` path, the label charts show (its
/// `label`, or the short form of its path), distribution and central value.
pub fn params(sc: &Scenario) -> String {
    let rows: Vec<(&str, String, String, f64)> = sc
        .params
        .iter()
        .filter_map(|p| {
            p.dist
                .as_ref()
                .map(|d| (p.path.as_str(), p.display_label(), d.describe(), p.value))
        })
        .collect();
    let width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0).max(4);
    let lwidth = rows
        .iter()
        .map(|r| r.1.chars().count())
        .max()
        .unwrap_or(0)
        .max(5);
    let mut o = String::new();
    let _ = writeln!(
        o,
        "{} sampled parameters of {} (set one with --set PATH=VALUE or a distribution):",
        rows.len(),
        sc.meta.name
    );
    let _ = writeln!(
        o,
        "{:width$}  {:lwidth$}  {:>10}  distribution",
        "path", "label", "central"
    );
    for (path, label, dist, central) in rows {
        let _ = writeln!(o, "{path:width$}  {label:lwidth$}  {central:>10.4}  {dist}");
    }
    o
}
