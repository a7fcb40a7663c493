//! `[rules.ID]`: retaliation, escalation and deal rules (Block 5): the
//! table of each rule, the evaluation order, and the check that every rule
//! can fire.

use super::*;

impl Compiler {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn rules(
        &mut self,
        root: &Table,
        w: &World,
        measures: &[Measure],
        lic: Option<&Licensing>,
    ) -> Vec<Rule> {
        let help =
            "define each rule as a table: [rules.cn_matches_us] with when, probability, then";
        let list = self.named_tables(root, "rules", help);
        let all_ids: Vec<String> = list.iter().map(|(id, ..)| id.to_string()).collect();
        let disabled: Vec<bool> = list
            .iter()
            .map(|(_, _, _, t)| {
                t.get("enabled")
                    .is_some_and(|e| matches!(e.node.value, Value::Bool(false)))
            })
            .collect();
        let mut out = Vec::new();
        let mut when_locs: Vec<(String, Loc)> = Vec::new();
        let ctx = RuleCtx {
            w,
            rule_ids: &all_ids,
            disabled: &disabled,
            measures,
            lic,
        };
        for (id, key_loc, loc, t) in list {
            let path = join("rules", id);
            self.check_id(id, key_loc, &path);
            self.check_keys(t, &path, &keys::names(keys::RULE));
            if !self.enabled(t, &path) {
                continue;
            }
            let when = self
                .required(
                    t,
                    loc,
                    &path,
                    "when",
                    "add when = { between = [\"2025-07\", \"2026-06\"] } or another condition",
                )
                .and_then(|n| self.cond(n, &join(&path, "when"), &ctx, 0));
            let probability = self.param(t, loc, &path, "probability", Some(1.0), SHARE);
            let lag = self.int_param(
                t,
                &path,
                "lag_months",
                1.0,
                Bounds {
                    hi: 120.0,
                    ..MONTHS
                },
            );
            let once = t
                .get("once")
                .and_then(|e| self.boolean(&e.node, &join(&path, "once")))
                .unwrap_or(true);
            let cooldown = t
                .get("cooldown_months")
                .and_then(|e| self.integer(&e.node, &join(&path, "cooldown_months"), 0, 600))
                .unwrap_or(0) as u32;
            let max_firings = t
                .get("max_firings")
                .and_then(|e| self.integer(&e.node, &join(&path, "max_firings"), 1, 600))
                .unwrap_or(if once { 1 } else { 12 }) as u32;
            if once && (t.get("max_firings").is_some() || t.get("cooldown_months").is_some()) {
                let k = if t.get("max_firings").is_some() {
                    "max_firings"
                } else {
                    "cooldown_months"
                };
                self.c.err(
                    t.get(k).map(|e| e.key_loc),
                    &join(&path, k),
                    format!("`{k}` has no effect on a rule that fires once"),
                    "set once = false to let the rule fire repeatedly",
                );
            }
            let priority = t
                .get("priority")
                .and_then(|e| self.integer(&e.node, &join(&path, "priority"), -1000, 1000))
                .unwrap_or(0);
            let description = self.opt_string(t, &path, "description").unwrap_or_default();
            // Charts and the report name the rule by its label, else its
            // description (on one line), else its id.
            let label = self.label(t, &path).unwrap_or_else(|| {
                let words: Vec<&str> = description.split_whitespace().collect();
                if words.is_empty() {
                    id.to_string()
                } else {
                    words.join(" ")
                }
            });
            let mut then = Vec::new();
            if let Some(n) = self.required(
                t,
                loc,
                &path,
                "then",
                "add then = [{ tariff = { by = \"CN\", on = \"US\", match = 1.0 } }]",
            ) {
                let p = join(&path, "then");
                if let Some(items) = self.array(n, &p, "write then = [ { action }, ... ]") {
                    if items.is_empty() {
                        self.c.err(
                            Some(n.loc),
                            &p,
                            "the rule has no actions",
                            "list at least one action",
                        );
                    }
                    for (k, it) in items.iter().enumerate() {
                        if let Some(a) = self.action(it, &format!("{p}[{k}]"), &ctx, id) {
                            then.push(a);
                        }
                    }
                }
            }
            let uses_match = then.iter().any(|a| {
                matches!(
                    a,
                    Action::Tariff {
                        amount: TariffAmount::Match(_),
                        ..
                    }
                )
            });
            // Only when `when` compiled: a broken condition is reported on its own.
            if uses_match && when.as_ref().is_some_and(|w| !has_tariff_raised(w)) {
                self.c.err(t.get("then").map(|e| e.node.loc), &join(&path, "then"), "`match` needs a triggering increase, but `when` has no `tariff_raised` condition", "use a fixed `rate`, or condition the rule on tariff_raised");
            }
            if let Some(e) = t.get("when") {
                when_locs.push((id.to_string(), e.node.loc));
            }
            if let Some(when) = when {
                out.push(Rule {
                    id: id.to_string(),
                    description,
                    label,
                    when,
                    probability,
                    lag_months: lag,
                    once,
                    cooldown_months: cooldown,
                    max_firings,
                    priority,
                    then,
                    key: stable_key(&format!("rules.{id}.fire")),
                });
            }
        }
        // Evaluation order: ascending priority, then id. Fixed and documented.
        let mut order: Vec<usize> = (0..out.len()).collect();
        order.sort_by(|a, b| {
            out[*a]
                .priority
                .cmp(&out[*b].priority)
                .then_with(|| out[*a].id.cmp(&out[*b].id))
        });
        let remap: Vec<usize> = {
            let mut r = vec![0; out.len()];
            for (new, old) in order.iter().enumerate() {
                r[*old] = new;
            }
            r
        };
        // Rule references were resolved against `all_ids` (file order, including disabled rules).
        let id_to_new: Vec<Option<usize>> = all_ids
            .iter()
            .map(|id| out.iter().position(|r| &r.id == id).map(|old| remap[old]))
            .collect();
        let mut sorted: Vec<Rule> = order.iter().map(|i| out[*i].clone()).collect();
        let mut dangling = Vec::new();
        for r in &mut sorted {
            remap_cond(&mut r.when, &id_to_new, &all_ids, &mut dangling, &r.id);
            for a in &mut r.then {
                if let Action::Revert(targets) = a {
                    for tg in targets.iter_mut() {
                        if let RevertTarget::Rule(k) = tg {
                            match id_to_new[*k] {
                                Some(n) => *k = n,
                                None => dangling.push((r.id.clone(), all_ids[*k].clone())),
                            }
                        }
                    }
                }
            }
        }
        // References to disabled rules were reported where they are written;
        // a reference left dangling here names a rule that was dropped for
        // its own (already reported) problems, so it needs no second message.
        debug_assert!(dangling.is_empty() || !self.c.diags.is_empty());
        if dangling.is_empty() {
            self.check_rules_can_fire(&sorted, &when_locs);
        }
        sorted
    }

    /// Refuse rules that can never fire: a rule whose condition requires
    /// that it has itself fired, or rules that wait for each other (`fired`
    /// conditions that must all hold). A rule can fire only if every rule it
    /// requires can; the rules left outside that least fixed point never do.
    pub(super) fn check_rules_can_fire(&mut self, rules: &[Rule], when_locs: &[(String, Loc)]) {
        let needs: Vec<Vec<usize>> = rules.iter().map(|r| required_firings(&r.when)).collect();
        let mut can = vec![false; rules.len()];
        loop {
            let mut changed = false;
            for (r, need) in needs.iter().enumerate() {
                if !can[r] && need.iter().all(|k| can[*k]) {
                    can[r] = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        for (r, rule) in rules.iter().enumerate() {
            if can[r] {
                continue;
            }
            let loc = when_locs
                .iter()
                .find(|(id, _)| *id == rule.id)
                .map(|(_, l)| *l);
            let blocked: Vec<&str> = needs[r]
                .iter()
                .filter(|k| !can[**k])
                .map(|k| rules[*k].id.as_str())
                .collect();
            let msg = if needs[r].contains(&r) {
                "the rule can never fire: its condition requires that it has already fired"
                    .to_string()
            } else {
                format!(
                    "the rule can never fire: it waits for {} to have fired, and that can never happen (a rule waiting for itself or rules waiting for each other)",
                    blocked
                        .iter()
                        .map(|b| format!("`{b}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            self.c.err(
                loc,
                &format!("rules.{}.when", rule.id),
                msg,
                "condition the rule on something that can happen first (a date window, a tariff, a shortfall), or put the `fired` conditions under `any`",
            );
        }
    }
}

/// What a rule's conditions and actions look names up in.
pub(super) struct RuleCtx<'a> {
    pub(super) w: &'a World<'a>,
    pub(super) rule_ids: &'a [String],
    /// Rules switched off with `enabled = false` (references to them are errors).
    pub(super) disabled: &'a [bool],
    pub(super) measures: &'a [Measure],
    pub(super) lic: Option<&'a Licensing>,
}

/// Rules (by index) that must have fired for `c` to hold: all of an `all`,
/// those common to every branch of an `any`.
pub(super) fn required_firings(c: &Cond) -> Vec<usize> {
    match c {
        Cond::Fired(k) => vec![*k],
        Cond::All(cs) => {
            let mut v: Vec<usize> = cs.iter().flat_map(required_firings).collect();
            v.sort_unstable();
            v.dedup();
            v
        }
        Cond::Any(cs) => {
            let mut sets = cs.iter().map(required_firings);
            let first = sets.next().unwrap_or_default();
            sets.fold(first, |acc, s| {
                acc.into_iter().filter(|k| s.contains(k)).collect()
            })
        }
        _ => Vec::new(),
    }
}

pub(super) fn has_tariff_raised(c: &Cond) -> bool {
    match c {
        Cond::TariffRaised { .. } => true,
        Cond::All(v) | Cond::Any(v) => v.iter().any(has_tariff_raised),
        _ => false,
    }
}

pub(super) fn remap_cond(
    c: &mut Cond,
    id_to_new: &[Option<usize>],
    ids: &[String],
    dangling: &mut Vec<(String, String)>,
    rule: &str,
) {
    match c {
        Cond::Fired(k) => match id_to_new[*k] {
            Some(n) => *k = n,
            None => dangling.push((rule.to_string(), ids[*k].clone())),
        },
        Cond::All(v) | Cond::Any(v) => v
            .iter_mut()
            .for_each(|x| remap_cond(x, id_to_new, ids, dangling, rule)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit;

    const TWO: &str = "[rules.zeta]\nwhen = { between = [\"2025-03\", \"2025-05\"] }\nthen = [{ tariff = { by = \"AA\", on = \"BB\", rate = 0.1 } }]\n\
        [rules.alpha]\npriority = 1\nwhen = { fired = \"zeta\" }\nthen = [{ revert = [\"zeta\"] }]\n";

    #[test]
    fn rules_are_ordered_by_priority_then_id_and_references_follow() {
        let sc = testkit::ok(TWO);
        let ids: Vec<&str> = sc.rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["zeta", "alpha"], "priority 0 before 1");
        assert!(matches!(sc.rules[1].when, crate::scenario::Cond::Fired(0)));
        assert!(sc.rules[0].once && sc.rules[0].max_firings == 1);
    }

    #[test]
    fn rules_waiting_for_each_other_are_refused() {
        let p = testkit::problems(
            "[rules.a]\nwhen = { fired = \"b\" }\nthen = [{ tariff = { by = \"AA\", on = \"BB\", rate = 0.1 } }]\n\
             [rules.b]\nwhen = { fired = \"a\" }\nthen = [{ tariff = { by = \"BB\", on = \"AA\", rate = 0.1 } }]\n",
        );
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(
            p.iter()
                .all(|m| m.contains(".when: the rule can never fire")),
            "{p:?}"
        );
    }

    /// A rule is named by its `label`, else its description on one line,
    /// else its id (issue 15).
    #[test]
    fn a_rule_label_defaults_to_the_description_then_the_id() {
        let then = "then = [{ tariff = { by = \"AA\", on = \"BB\", rate = 0.1 } }]\nwhen = { between = [\"2025-03\", \"2025-05\"] }\n";
        let sc = testkit::ok(&format!(
            "[rules.a]\nlabel = \"  Deal signed \"\ndescription = \"The long story\"\n{then}\
             [rules.b]\ndescription = \"\"\"\nAA and BB\n  sign a deal\"\"\"\n{then}\
             [rules.c]\n{then}"
        ));
        let labels: Vec<(&str, &str)> = sc
            .rules
            .iter()
            .map(|r| (r.id.as_str(), r.label.as_str()))
            .collect();
        assert_eq!(
            labels,
            [
                ("a", "Deal signed"),
                ("b", "AA and BB sign a deal"),
                ("c", "c")
            ]
        );
    }

    #[test]
    fn an_empty_or_non_string_rule_label_is_refused() {
        let then = "then = [{ tariff = { by = \"AA\", on = \"BB\", rate = 0.1 } }]\nwhen = { between = [\"2025-03\", \"2025-05\"] }\n";
        let p = testkit::problems(&format!(
            "[rules.a]\nlabel = \" \"\n{then}[rules.b]\nlabel = 3\n{then}"
        ));
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(
            p[0].starts_with("rules.a.label: the label is empty"),
            "{p:?}"
        );
        assert!(
            p[1].starts_with("rules.b.label: expected a string"),
            "{p:?}"
        );
    }
}
