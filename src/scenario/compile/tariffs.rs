//! `[tariffs.ID]`: scheduled tariff measures (Block 1).

use super::*;

impl Compiler {
    pub(super) fn measures(&mut self, root: &Table, w: &World, lines: &[String]) -> Vec<Measure> {
        let (econ_ids, sector_ids, horizon_end) = (w.econ_ids, w.sector_ids, w.horizon_end);
        let help = "define each tariff measure as a table: [tariffs.us_on_cn] with by, on, rate + from (or path)";
        let mut out = Vec::new();
        let tables = self.named_tables(root, "tariffs", help);
        // Tariffs the scenario files define (not made by a --set alone).
        let from_files: Vec<&str> = tables
            .iter()
            .filter(|(_, _, loc, _)| !self.in_set_arg(*loc))
            .map(|(id, ..)| *id)
            .collect();
        for (id, key_loc, loc, t) in tables {
            let path = join("tariffs", id);
            // `--set tariffs.NAME.rate=...` for a NAME the files lack makes a
            // table with neither importer nor target: say so once, with the
            // names that exist, instead of three missing keys.
            if self.in_set_arg(loc) && t.get("by").is_none() && t.get("on").is_none() {
                let known = crate::diag::unknown_help(id, "tariff", &from_files);
                self.c.err(
                    Some(key_loc),
                    &path,
                    format!("the scenario has no tariff `{id}` (a --set changes an existing tariff, or adds one with by, on and from)"),
                    known,
                );
                continue;
            }
            self.check_id(id, key_loc, &path);
            self.check_keys(t, &path, &keys::names(keys::TARIFF));
            if !self.enabled(t, &path) {
                continue;
            }
            let by = self
                .required(
                    t,
                    loc,
                    &path,
                    "by",
                    "add by = \"US\" (the importer imposing the tariff)",
                )
                .and_then(|n| self.id_ref(n, &join(&path, "by"), econ_ids, "economy"));
            let on = self
                .required(
                    t,
                    loc,
                    &path,
                    "on",
                    "add on = \"CN\" (the targeted exporter), a list, or \"ALL\"",
                )
                .and_then(|n| self.id_list(n, &join(&path, "on"), econ_ids, "economy", by));
            let sectors = match t.get("sectors") {
                Some(e) => {
                    self.id_list(&e.node, &join(&path, "sectors"), sector_ids, "sector", None)
                }
                None => Some((0..sector_ids.len()).collect()),
            };
            if let (Some(b), Some(o)) = (by, &on)
                && o.contains(&b)
            {
                self.c.err(
                    t.get("on").map(|e| e.node.loc),
                    &join(&path, "on"),
                    "a tariff cannot target the economy that imposes it",
                    "remove the importer from `on`",
                );
            }
            let mut steps = Vec::new();
            match (t.get("rate"), t.get("path")) {
                (Some(r), None) => {
                    let from = self
                        .required(
                            t,
                            loc,
                            &path,
                            "from",
                            "add from = \"YYYY-MM-DD\" (when the rate takes effect)",
                        )
                        .and_then(|n| {
                            let d = self.date(n, &join(&path, "from"));
                            if let Some(d) = d {
                                self.check_horizon(n, &join(&path, "from"), d, horizon_end)
                            }
                            d
                        });
                    let pid = self.param_node(&r.node, &join(&path, "rate"), MEASURE_RATE, false);
                    if let Some(f) = from {
                        steps.push((f, pid));
                    }
                    if let Some(u) = t.get("until")
                        && let Some(d) = self.date(&u.node, &join(&path, "until"))
                    {
                        if from.is_some_and(|f| d <= f) {
                            self.c.err(
                                Some(u.node.loc),
                                &join(&path, "until"),
                                format!("`until` ({d}) is not after `from`"),
                                "set `until` after `from`, or remove it",
                            );
                        } else {
                            let zero =
                                self.push_param(&join(&path, "until_rate"), None, 0.0, false);
                            steps.push((d, zero));
                        }
                    }
                }
                (None, Some(p)) => {
                    for key in ["from", "until"] {
                        if let Some(e) = t.get(key) {
                            self.c.err(Some(e.key_loc), &join(&path, key), format!("`{key}` belongs to the simple form (rate + from), not to `path`"), "put every step in `path` as [date, rate]");
                        }
                    }
                    let pp = join(&path, "path");
                    if let Some(items) = self.dated_values(
                        &p.node,
                        &pp,
                        "write path = [[\"2025-04-09\", 0.34], [\"2025-05-14\", 0.10]]",
                    ) {
                        for (k, (d, dn, v)) in items.into_iter().enumerate() {
                            self.check_horizon(dn, &format!("{pp}[{k}]"), d, horizon_end);
                            let pid =
                                self.param_node(v, &format!("{pp}[{k}]"), MEASURE_RATE, false);
                            steps.push((d, pid));
                        }
                    }
                }
                (Some(r), Some(e)) => {
                    // Point at whichever was written last (an overlay or
                    // --set that added one to a base file's measure).
                    let (at, key) = if self.more_derived(r.key_loc, e.key_loc) {
                        (r.key_loc, "rate")
                    } else {
                        (e.key_loc, "path")
                    };
                    self.c.err(
                        Some(at),
                        &join(&path, key),
                        "both `rate` and `path` are given",
                        "use either rate + from (one step) or path (several steps); to give a base file's measure another form, disable it (enabled = false) and add a new one",
                    )
                }
                (None, None) => self.c.err(
                    Some(loc),
                    &join(&path, "rate"),
                    "the measure has no `rate` or `path`",
                    "add rate = 0.25 with from = \"YYYY-MM-DD\", or path = [[date, rate], ...]",
                ),
            }
            let mode = self.mode(t, &path);
            let announced = t
                .get("announced")
                .and_then(|e| self.date(&e.node, &join(&path, "announced")));
            if let (Some(a), Some((first, _))) = (announced, steps.first())
                && a > *first
            {
                self.c.err(
                    t.get("announced").map(|e| e.node.loc),
                    &join(&path, "announced"),
                    format!("announced {a} is after the first step {first}"),
                    "an announcement comes before the measure takes effect",
                );
            }
            let scale = self.scale(t, &path, &steps);
            let covered = self.measure_lines(t, &path, lines);
            let belief = self.param(t, loc, &path, "belief", Some(0.0), SHARE);
            let description = self.opt_string(t, &path, "description").unwrap_or_default();
            if let (Some(by), Some(on), Some(sectors), Some(covered)) = (by, on, sectors, covered) {
                out.push(Measure {
                    id: id.to_string(),
                    description,
                    by,
                    on,
                    sectors,
                    steps,
                    scale,
                    mode,
                    announced,
                    lines: covered,
                    belief,
                });
            }
        }
        out
    }

    /// The measure's `scale` (default 1), refused if negative, not finite,
    /// or if it takes a step's rate out of the allowed range.
    fn scale(&mut self, t: &Table, path: &str, steps: &[(Date, ParamId)]) -> f64 {
        let Some(e) = t.get("scale") else {
            return 1.0;
        };
        let p = join(path, "scale");
        let Some(s) = self.number(&e.node, &p, SCALE) else {
            return 1.0;
        };
        for (d, pid) in steps {
            let spec = &self.params[pid.0 as usize];
            let (lo, hi) = spec
                .dist
                .as_ref()
                .map_or((spec.value, spec.value), |d| d.support());
            if lo.is_nan() || hi.is_nan() {
                continue;
            }
            let (lo, hi) = (lo * s, hi * s);
            if !MEASURE_RATE.ok(lo) || !MEASURE_RATE.ok(hi) {
                let b = MEASURE_RATE.describe();
                self.c.err(
                    Some(e.node.loc),
                    &p,
                    format!(
                        "scale {} takes the rate of the step from {d} to {}, outside the allowed range",
                        num(s),
                        if MEASURE_RATE.ok(hi) { num(lo) } else { num(hi) }
                    ),
                    format!("use a smaller scale: every scaled rate must be {b}"),
                );
                return 1.0;
            }
        }
        s
    }

    /// The tariff lines a measure covers: `lines = [...]` (only those) or
    /// `except_lines = [...]` (all but those); `Some(None)` = every line,
    /// `None` = an error was reported.
    fn measure_lines(
        &mut self,
        t: &Table,
        path: &str,
        lines: &[String],
    ) -> Option<Option<Vec<usize>>> {
        let only = t.get("lines");
        let except = t.get("except_lines");
        if let (Some(_), Some(e)) = (only, except) {
            self.c.err(
                Some(e.key_loc),
                &join(path, "except_lines"),
                "a measure has either `lines` or `except_lines`, not both",
                "keep one of the two keys",
            );
            return None;
        }
        let help_path = |k: &str| join(path, k);
        if let Some(e) = only {
            let ids = self.id_list(&e.node, &help_path("lines"), lines, "tariff line", None)?;
            return Some(Some(ids));
        }
        if let Some(e) = except {
            let ids = self.id_list(
                &e.node,
                &help_path("except_lines"),
                lines,
                "tariff line",
                None,
            )?;
            let rest: Vec<usize> = (0..lines.len()).filter(|l| !ids.contains(l)).collect();
            if rest.is_empty() {
                self.c.err(
                    Some(e.node.loc),
                    &help_path("except_lines"),
                    "the measure would cover no line",
                    "leave at least one line out of except_lines",
                );
                return None;
            }
            return Some(Some(rest));
        }
        Some(None)
    }

    pub(super) fn mode(&mut self, t: &Table, path: &str) -> TariffMode {
        match t.get("mode") {
            None => TariffMode::Add,
            Some(e) => match self.string(&e.node, &join(path, "mode")).as_deref() {
                Some("add") | None => TariffMode::Add,
                Some("set") => TariffMode::Set,
                Some(other) => {
                    let help = unknown_help(other, "mode", keys::MODES);
                    self.c.err(
                        Some(e.node.loc),
                        &join(path, "mode"),
                        format!("unknown mode `{other}`"),
                        help,
                    );
                    TariffMode::Add
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit;

    #[test]
    fn a_measure_on_all_covers_every_other_economy_and_until_ends_it() {
        let sc = testkit::ok(
            "[tariffs.aa_all]\nby = \"AA\"\non = \"ALL\"\nsectors = [\"goods\"]\nrate = \"20%\"\nfrom = \"2025-03-10\"\nuntil = \"2025-09-01\"\n",
        );
        let m = &sc.measures[0];
        assert_eq!(
            (m.by, m.on.clone(), m.sectors.clone()),
            (0, vec![1, 2], vec![0])
        );
        assert_eq!(m.steps.len(), 2, "from and until");
        assert_eq!(m.steps[0].0.day, 10);
        assert_eq!(sc.param(m.steps[0].1).value, 0.2, "a percent string");
        assert_eq!(sc.param(m.steps[1].1).value, 0.0);
    }

    #[test]
    fn a_tariff_on_itself_is_refused() {
        let p = testkit::problems(
            "[tariffs.x]\nby = \"AA\"\non = \"AA\"\nrate = 0.1\nfrom = \"2025-03\"\n",
        );
        assert!(p.iter().any(|m| m.starts_with("tariffs.x.on")), "{p:?}");
    }

    /// `scale` multiplies every step of a path (default 1) and must be a
    /// finite factor >= 0 that keeps every scaled rate in range.
    #[test]
    fn scale_multiplies_a_path_and_is_checked() {
        let t = "[tariffs.p]\nby = \"AA\"\non = \"BB\"\npath = [[\"2025-03\", 0.2], [\"2025-06\", 0.5]]\n";
        assert_eq!(testkit::ok(t).measures[0].scale, 1.0, "the default");
        let sc = testkit::ok(&format!("{t}scale = 1.5\n"));
        assert_eq!(sc.measures[0].scale, 1.5);
        for (bad, says) in [
            ("-0.5", "value -0.5 is out of range"),
            ("inf", "value inf is out of range"),
            ("nan", "value NaN is out of range"),
            ("\"x\"", "expected a number"),
            (
                "300",
                "scale 300 takes the rate of the step from 2025-06 to 150",
            ),
        ] {
            let p = testkit::problems(&format!("{t}scale = {bad}\n"));
            assert_eq!(p.len(), 1, "{bad}: {p:?}");
            assert!(
                p[0].starts_with(&format!("tariffs.p.scale: {says}")),
                "{bad}: {p:?}"
            );
        }
    }
}
