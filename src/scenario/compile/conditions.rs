//! The conditions (`when`) and actions (`then`) of rules.

use super::rules::RuleCtx;
use super::*;

impl Compiler {
    pub(super) fn cond(
        &mut self,
        node: &Node,
        path: &str,
        ctx: &RuleCtx,
        depth: usize,
    ) -> Option<Cond> {
        let kinds = keys::names(keys::CONDITION);
        let help = "write one condition, e.g. { tariff_raised = { by = \"US\", on = \"CN\", at_least = 0.05 } } or { between = [\"2025-07\", \"2026-06\"] }";
        if depth > 16 {
            self.c.err(
                Some(node.loc),
                path,
                "conditions are nested too deeply",
                "use at most 16 levels of all/any",
            );
            return None;
        }
        let e = self.single_entry(
            node,
            path,
            help,
            "a condition",
            "combine several conditions with { all = [...] } or { any = [...] }",
        )?;
        let p = join(path, &e.key);
        match e.key.as_str() {
            "tariff_raised" | "tariff_above" => {
                let (thr, allowed) = if e.key == "tariff_raised" {
                    ("at_least", keys::TARIFF_RAISED)
                } else {
                    ("level", keys::TARIFF_ABOVE)
                };
                let ct = self.table(&e.node, &p, help)?;
                self.check_keys(ct, &p, &keys::names(allowed));
                let by = self
                    .required(ct, e.node.loc, &p, "by", "add by = \"US\"")
                    .and_then(|n| self.id_ref(n, &join(&p, "by"), ctx.w.econ_ids, "economy"));
                let on = self
                    .required(ct, e.node.loc, &p, "on", "add on = \"CN\"")
                    .and_then(|n| self.id_ref(n, &join(&p, "on"), ctx.w.econ_ids, "economy"));
                let sector = ct.get("sector").and_then(|x| {
                    self.id_ref(&x.node, &join(&p, "sector"), ctx.w.sector_ids, "sector")
                });
                let v = self
                    .required(ct, e.node.loc, &p, thr, &format!("add {thr} = 0.05"))
                    .and_then(|n| self.number(n, &join(&p, thr), RATE));
                let (by, on, v) = (by?, on?, v?);
                if by == on {
                    self.c.err(
                        Some(e.node.loc),
                        &p,
                        "`by` and `on` are the same economy",
                        "a tariff is imposed by an importer on another economy",
                    );
                    return None;
                }
                Some(if e.key == "tariff_raised" {
                    Cond::TariffRaised {
                        by,
                        on,
                        sector,
                        at_least: v,
                    }
                } else {
                    Cond::TariffAbove {
                        by,
                        on,
                        sector,
                        level: v,
                    }
                })
            }
            "shortfall_above" => {
                let ct = self.table(&e.node, &p, help)?;
                self.check_keys(ct, &p, &keys::names(keys::SHORTFALL_ABOVE));
                let Some(lic) = ctx.lic else {
                    self.c.err(
                        Some(e.node.loc),
                        &p,
                        "shortfall_above needs a [licensing] section",
                        "define [licensing] with importers, or use another condition",
                    );
                    return None;
                };
                let lic_ids: Vec<String> = lic
                    .importers
                    .iter()
                    .map(|i| ctx.w.econ_ids[i.econ].clone())
                    .collect();
                let imp = self
                    .required(ct, e.node.loc, &p, "importer", "add importer = \"US\"")
                    .and_then(|n| {
                        self.lic_importer_ref(
                            n,
                            &join(&p, "importer"),
                            &lic_ids,
                            ctx.w.econ_ids[lic.supplier].as_str(),
                        )
                    });
                let level = self
                    .required(ct, e.node.loc, &p, "level", "add level = 0.2")
                    .and_then(|n| self.number(n, &join(&p, "level"), SHARE));
                let months = ct
                    .get("months")
                    .and_then(|x| self.integer(&x.node, &join(&p, "months"), 1, 600))
                    .unwrap_or(1) as u32;
                Some(Cond::ShortfallAbove {
                    importer: imp?,
                    level: level?,
                    months,
                })
            }
            "between" => {
                let items =
                    self.array(&e.node, &p, "write between = [\"2025-07\", \"2026-06\"]")?;
                if items.len() != 2 {
                    self.c.err(
                        Some(e.node.loc),
                        &p,
                        format!("expected two dates, found {}", items.len()),
                        "write between = [\"2025-07\", \"2026-06\"]",
                    );
                    return None;
                }
                let a = self.date(&items[0], &format!("{p}[0]"));
                let b = self.date(&items[1], &format!("{p}[1]"));
                let (a, b) = (a?, b?);
                if b < a {
                    self.c.err(
                        Some(e.node.loc),
                        &p,
                        format!("the window ends ({b}) before it starts ({a})"),
                        "put the earlier date first",
                    );
                    return None;
                }
                if a.ym >= ctx.w.horizon_end {
                    self.check_horizon(&items[0], &format!("{p}[0]"), a, ctx.w.horizon_end);
                }
                Some(Cond::Between {
                    from: a.ym.since(ctx.w.start),
                    to: b.ym.since(ctx.w.start),
                })
            }
            "fired" => {
                let k = self.id_ref(&e.node, &p, ctx.rule_ids, "rule")?;
                if ctx.disabled[k] {
                    self.c.err(
                        Some(e.node.loc),
                        &p,
                        format!(
                            "rule `{}` is disabled (enabled = false), so it can never fire",
                            ctx.rule_ids[k]
                        ),
                        "enable that rule, or remove this condition",
                    );
                    return None;
                }
                Some(Cond::Fired(k))
            }
            "all" | "any" => {
                let items = self.array(&e.node, &p, "write a list of conditions")?;
                if items.is_empty() {
                    self.c.err(
                        Some(e.node.loc),
                        &p,
                        "the list of conditions is empty",
                        "list at least one condition",
                    );
                    return None;
                }
                let mut cs = Vec::new();
                for (k, it) in items.iter().enumerate() {
                    cs.push(self.cond(it, &format!("{p}[{k}]"), ctx, depth + 1));
                }
                let cs: Option<Vec<Cond>> = cs.into_iter().collect();
                let cs = cs?;
                Some(if e.key == "all" {
                    Cond::All(cs)
                } else {
                    Cond::Any(cs)
                })
            }
            other => {
                let help = unknown_help(other, "condition", &kinds);
                self.c.err(
                    Some(e.key_loc),
                    &p,
                    format!("unknown condition `{other}`"),
                    help,
                );
                None
            }
        }
    }

    pub(super) fn action(
        &mut self,
        node: &Node,
        path: &str,
        ctx: &RuleCtx,
        rule_id: &str,
    ) -> Option<Action> {
        let kinds = keys::names(keys::ACTION);
        let help = "write one action, e.g. { tariff = { by = \"CN\", on = \"US\", rate = 0.1 } }, { licensing = { regime = \"streamlined\" } } or { revert = [\"measure_id\"] }";
        let e = self.single_entry(
            node,
            path,
            help,
            "an action",
            "list several actions as separate tables in `then`",
        )?;
        let p = join(path, &e.key);
        match e.key.as_str() {
            "tariff" => {
                let at = self.table(&e.node, &p, help)?;
                self.check_keys(at, &p, &keys::names(keys::ACTION_TARIFF));
                let by = self
                    .required(at, e.node.loc, &p, "by", "add by = \"CN\"")
                    .and_then(|n| self.id_ref(n, &join(&p, "by"), ctx.w.econ_ids, "economy"));
                let on = self
                    .required(at, e.node.loc, &p, "on", "add on = \"US\"")
                    .and_then(|n| self.id_list(n, &join(&p, "on"), ctx.w.econ_ids, "economy", by));
                let sectors = match at.get("sectors") {
                    Some(x) => self.id_list(
                        &x.node,
                        &join(&p, "sectors"),
                        ctx.w.sector_ids,
                        "sector",
                        None,
                    ),
                    None => Some((0..ctx.w.sector_ids.len()).collect()),
                };
                let amount = match (at.get("rate"), at.get("match")) {
                    (Some(r), None) => Some(TariffAmount::Rate(self.param_node(
                        &r.node,
                        &join(&p, "rate"),
                        RATE,
                        false,
                    ))),
                    (None, Some(m)) => self
                        .number(&m.node, &join(&p, "match"), Bounds { hi: 10.0, ..NONNEG })
                        .map(TariffAmount::Match),
                    (Some(_), Some(m)) => {
                        self.c.err(Some(m.key_loc), &join(&p, "match"), "both `rate` and `match` are given", "use one: a fixed rate, or match = factor times the triggering increase");
                        None
                    }
                    (None, None) => {
                        self.c.err(
                            Some(e.node.loc),
                            &p,
                            "the tariff action has no `rate` or `match`",
                            "add rate = 0.1 or match = 1.0",
                        );
                        None
                    }
                };
                let cap = at
                    .get("cap")
                    .and_then(|x| self.number(&x.node, &join(&p, "cap"), RATE));
                let mode = self.mode(at, &p);
                if let (Some(b), Some(o)) = (by, &on)
                    && o.contains(&b)
                {
                    self.c.err(
                        Some(e.node.loc),
                        &join(&p, "on"),
                        "a tariff cannot target the economy that imposes it",
                        "remove the importer from `on`",
                    );
                    return None;
                }
                Some(Action::Tariff {
                    by: by?,
                    on: on?,
                    sectors: sectors?,
                    amount: amount?,
                    cap,
                    mode,
                })
            }
            "licensing" => {
                let lt = self.table(&e.node, &p, help)?;
                self.check_keys(lt, &p, &keys::names(keys::ACTION_LICENSING));
                let Some(lic) = ctx.lic else {
                    self.c.err(
                        Some(e.node.loc),
                        &p,
                        "a licensing action needs a [licensing] section",
                        "define [licensing], or remove this action",
                    );
                    return None;
                };
                let names: Vec<String> = lic.regimes.iter().map(|r| r.name.clone()).collect();
                let lic_ids: Vec<String> = lic
                    .importers
                    .iter()
                    .map(|i| ctx.w.econ_ids[i.econ].clone())
                    .collect();
                let regime = lt
                    .get("regime")
                    .and_then(|x| self.id_ref(&x.node, &join(&p, "regime"), &names, "regime"));
                let supplier = ctx.w.econ_ids[lic.supplier].clone();
                let importer = lt.get("importer").and_then(|x| {
                    self.lic_importer_ref(&x.node, &join(&p, "importer"), &lic_ids, &supplier)
                });
                let af = self.opt_number(
                    lt,
                    &p,
                    "approval_factor",
                    Bounds {
                        hi: 100.0,
                        ..NONNEG
                    },
                );
                let cf = self.opt_number(
                    lt,
                    &p,
                    "capacity_factor",
                    Bounds {
                        hi: 100.0,
                        ..NONNEG
                    },
                );
                if lt.entries.is_empty() {
                    self.c.err(
                        Some(e.node.loc),
                        &p,
                        "the licensing action changes nothing",
                        "give regime, or importer with approval_factor / capacity_factor",
                    );
                    return None;
                }
                if regime.is_some() && importer.is_some() {
                    self.c.err(Some(e.node.loc), &p, "a regime applies to all importers; `importer` cannot be combined with `regime`", "use two actions");
                    return None;
                }
                Some(Action::Licensing(LicensingAction {
                    regime,
                    importer,
                    approval_factor: af,
                    capacity_factor: cf,
                }))
            }
            "revert" => {
                let items =
                    self.array(&e.node, &p, "write revert = [\"measure_or_rule_id\", ...]")?;
                let mut targets = Vec::new();
                let mids: Vec<&str> = ctx.measures.iter().map(|m| m.id.as_str()).collect();
                for (k, it) in items.iter().enumerate() {
                    let pk = format!("{p}[{k}]");
                    let Some(s) = self.string(it, &pk) else {
                        continue;
                    };
                    if let Some(i) = ctx.measures.iter().position(|m| m.id == s) {
                        targets.push(RevertTarget::Measure(i));
                    } else if let Some(i) = ctx.rule_ids.iter().position(|r| *r == s) {
                        if s == rule_id {
                            self.c.err(
                                Some(it.loc),
                                &pk,
                                "a rule cannot revert itself",
                                "name another rule or a scheduled measure",
                            );
                        } else if ctx.disabled[i] {
                            self.c.err(Some(it.loc), &pk, format!("rule `{s}` is disabled (enabled = false), so it creates no tariffs to revert"), "enable that rule, or remove it from the list");
                        } else {
                            targets.push(RevertTarget::Rule(i));
                        }
                    } else {
                        let mut c = mids.clone();
                        c.extend(ctx.rule_ids.iter().map(String::as_str));
                        let help = unknown_help(&s, "measure or rule", &c);
                        self.c.err(
                            Some(it.loc),
                            &pk,
                            format!("no tariff measure or rule is named `{s}`"),
                            help,
                        );
                    }
                }
                if items.is_empty() {
                    self.c.err(
                        Some(e.node.loc),
                        &p,
                        "nothing to revert",
                        "list at least one measure or rule id",
                    );
                    return None;
                }
                Some(Action::Revert(targets))
            }
            other => {
                let help = unknown_help(other, "action", &kinds);
                self.c.err(
                    Some(e.key_loc),
                    &p,
                    format!("unknown action `{other}`"),
                    help,
                );
                None
            }
        }
    }

    /// A licensing importer id; the supplier gets its own explanation.
    pub(super) fn lic_importer_ref(
        &mut self,
        n: &Node,
        path: &str,
        lic_ids: &[String],
        supplier: &str,
    ) -> Option<usize> {
        if matches!(&n.value, Value::Str(s) if s == supplier) {
            let list = lic_ids.join(", ");
            self.c.err(
                Some(n.loc),
                path,
                format!("`{supplier}` is the licensing supplier, not one of its importers"),
                format!("name a licensing importer: {list}"),
            );
            return None;
        }
        self.id_ref(n, path, lic_ids, "licensing importer")
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit;
    use crate::scenario::{Action, Cond, TariffAmount};

    #[test]
    fn a_window_becomes_model_months_and_match_keeps_its_factor() {
        let sc = testkit::ok(
            "[rules.r]\nwhen = { all = [{ between = [\"2025-03\", \"2025-05\"] }, { tariff_raised = { by = \"AA\", on = \"BB\", at_least = \"5%\" } }] }\n\
             then = [{ tariff = { by = \"BB\", on = \"AA\", match = 1.5, cap = 1.25 } }]\n",
        );
        let Cond::All(cs) = &sc.rules[0].when else {
            panic!("{:?}", sc.rules[0].when)
        };
        assert!(matches!(cs[0], Cond::Between { from: 2, to: 4 }));
        assert!(
            matches!(cs[1], Cond::TariffRaised { at_least, .. } if (at_least - 0.05).abs() < 1e-15)
        );
        match &sc.rules[0].then[0] {
            Action::Tariff {
                amount: TariffAmount::Match(f),
                cap: Some(c),
                ..
            } => {
                assert_eq!((*f, *c), (1.5, 1.25))
            }
            a => panic!("{a:?}"),
        }
    }

    #[test]
    fn match_without_a_triggering_increase_is_refused() {
        let p = testkit::problems(
            "[rules.r]\nwhen = { between = [\"2025-03\", \"2025-05\"] }\nthen = [{ tariff = { by = \"BB\", on = \"AA\", match = 1.0 } }]\n",
        );
        assert!(
            p.iter()
                .any(|m| m.starts_with("rules.r.then: `match` needs")),
            "{p:?}"
        );
    }
}
