//! Scenario values that may be uncertain: a number or a distribution
//! table, checked against its bounds and registered as a `ParamSpec` (its
//! path keys its draws); dated values and linear ramps.

use super::*;

impl Compiler {
    pub(super) fn push_param(
        &mut self,
        path: &str,
        dist: Option<Dist>,
        value: f64,
        integer: bool,
    ) -> ParamId {
        self.params.push(ParamSpec {
            path: path.to_string(),
            key: stable_key(path),
            dist,
            value,
            integer,
            label: None,
        });
        ParamId((self.params.len() - 1) as u32)
    }

    /// A number or a distribution table, checked against `b` (for a
    /// distribution: its whole support must lie in range).
    pub(super) fn param_node(
        &mut self,
        node: &Node,
        path: &str,
        b: Bounds,
        integer: bool,
    ) -> ParamId {
        match &node.value {
            Value::Table(t) => match (self.dist(t, node.loc, path, b), self.label(t, path)) {
                (Some(d), label) => {
                    let (lo, hi) = d.support();
                    // Every draw is an inverse-CDF evaluation: refuse a
                    // distribution whose quantiles are not numbers, which
                    // would otherwise fail every run.
                    if [1e-9, 0.001, 0.5, 0.999, 1.0 - 1e-9]
                        .iter()
                        .any(|q| !d.quantile(*q).is_finite())
                        || !d.center().is_finite()
                    {
                        self.c.err(Some(node.loc), path, "the distribution cannot be sampled: its quantiles are not finite numbers", "use moderate parameters (see docs/scenario-format.md, Distributions), or a fixed value");
                        return self.push_param(path, None, f64::NAN, integer);
                    }
                    if !b.ok(lo) || !b.ok(hi) {
                        self.c.err(Some(node.loc), path, format!("the distribution can produce values in [{}, {}], outside the allowed range", num(lo), num(hi)), format!("values must be {}; add `min`/`max` truncation or narrow the distribution", b.describe()));
                        return self.push_param(path, None, f64::NAN, integer);
                    }
                    let c = d.center();
                    let id = self.push_param(path, Some(d), c, integer);
                    self.params[id.0 as usize].label = label;
                    id
                }
                (None, _) => self.push_param(path, None, f64::NAN, integer),
            },
            _ => {
                let v = self.number(node, path, b).unwrap_or(f64::NAN);
                self.push_param(path, None, v, integer)
            }
        }
    }

    pub(super) fn param(
        &mut self,
        t: &Table,
        tloc: Loc,
        path: &str,
        key: &str,
        default: Option<f64>,
        b: Bounds,
    ) -> ParamId {
        let p = join(path, key);
        match t.get(key) {
            Some(e) => self.param_node(&e.node, &p, b, false),
            None => {
                if default.is_none() {
                    self.c.err(
                        Some(tloc),
                        &p,
                        format!("missing required key `{key}`"),
                        format!(
                            "add `{key} = ...` ({}; a distribution table is also accepted)",
                            b.describe()
                        ),
                    );
                }
                self.push_param(&p, None, default.unwrap_or(f64::NAN), false)
            }
        }
    }

    pub(super) fn int_param(
        &mut self,
        t: &Table,
        path: &str,
        key: &str,
        default: f64,
        b: Bounds,
    ) -> ParamId {
        let p = join(path, key);
        match t.get(key) {
            Some(e) => {
                // A fixed value must be whole; a distribution is rounded per draw.
                if let Value::Float(f) = e.node.value
                    && f.is_finite()
                    && f.fract() != 0.0
                {
                    self.c.err(
                        Some(e.node.loc),
                        &p,
                        format!("{} is not a whole number of months", num(f)),
                        format!(
                            "use a whole number ({}), or a distribution (its draws are rounded)",
                            b.describe()
                        ),
                    );
                    return self.push_param(&p, None, f64::NAN, true);
                }
                self.param_node(&e.node, &p, b, true)
            }
            None => self.push_param(&p, None, default, true),
        }
    }

    /// A distribution table for a value with bounds `unit`: its location
    /// parameters (mean, median, mode, min, max, values, and the normal's sd)
    /// are in the value's unit, so a rate's may be percent strings.
    pub(super) fn dist(&mut self, t: &Table, loc: Loc, path: &str, unit: Bounds) -> Option<Dist> {
        let kind_node = match t.get("dist") {
            Some(e) => &e.node,
            None => {
                self.c.err(
                    Some(loc),
                    path,
                    "a table here must be a distribution with a `dist` key",
                    "write e.g. { dist = \"uniform\", min = 1, max = 2 } or a plain number",
                );
                return None;
            }
        };
        let kind = self.string(kind_node, &join(path, "dist"))?;
        let keys: &[&str] = match keys::DISTRIBUTIONS.iter().find(|d| d.name == kind) {
            Some(d) => d.keys,
            None => {
                let help = unknown_help(&kind, "distribution", &keys::dist_names());
                self.c.err(
                    Some(kind_node.loc),
                    &join(path, "dist"),
                    format!("unknown distribution `{kind}`"),
                    help,
                );
                return None;
            }
        };
        // Every kind also takes a `label` (display only).
        self.check_keys(t, path, &[keys, &[keys::DIST_LABEL]].concat());
        let any = Bounds {
            lo: f64::MIN,
            hi: f64::MAX,
            lo_open: false,
            allow_inf: false,
            what: "a number",
        };
        // In the value's unit: percent strings and the bare-rate check apply.
        let at = Bounds {
            what: if unit.fraction() { unit.what } else { any.what },
            ..any
        };
        let n_before = self.c.diags.len();
        let req = |c: &mut Self, k: &str| -> f64 {
            let b = if matches!(k, "sigma" | "alpha" | "beta") {
                any
            } else {
                at
            };
            match t.get(k) {
                Some(e) => c.number(&e.node, &join(path, k), b).unwrap_or(f64::NAN),
                None => {
                    c.c.err(
                        Some(loc),
                        &join(path, k),
                        format!("{kind} distribution needs `{k}`"),
                        format!("add `{k} = ...`: {kind} takes {}", keys[1..].join(", ")),
                    );
                    f64::NAN
                }
            }
        };
        let result = match kind.as_str() {
            "normal" => {
                let (m, s) = (req(self, "mean"), req(self, "sd"));
                let (lo, hi) = (
                    self.opt_number(t, path, "min", at),
                    self.opt_number(t, path, "max", at),
                );
                Dist::normal(m, s, lo, hi)
            }
            "lognormal" => {
                let (m, s) = (req(self, "median"), req(self, "sigma"));
                let (lo, hi) = (
                    self.opt_number(t, path, "min", at),
                    self.opt_number(t, path, "max", at),
                );
                Dist::lognormal(m, s, lo, hi)
            }
            "uniform" => {
                let (a, b) = (req(self, "min"), req(self, "max"));
                Dist::uniform(a, b)
            }
            "triangular" => {
                let (a, c, b) = (req(self, "min"), req(self, "mode"), req(self, "max"));
                Dist::triangular(a, c, b)
            }
            "pert" => {
                let (a, c, b) = (req(self, "min"), req(self, "mode"), req(self, "max"));
                let l = self.opt_number(t, path, "lambda", any).unwrap_or(4.0);
                Dist::pert(a, c, b, l)
            }
            "beta" => {
                let (a, b) = (req(self, "alpha"), req(self, "beta"));
                let lo = self.opt_number(t, path, "min", at).unwrap_or(0.0);
                let hi = self.opt_number(t, path, "max", at).unwrap_or(1.0);
                Dist::beta(a, b, lo, hi)
            }
            _ => {
                let values = match t.get("values") {
                    Some(e) => self.number_list(&e.node, &join(path, "values"), at),
                    None => {
                        self.c.err(
                            Some(loc),
                            &join(path, "values"),
                            "choice distribution needs `values`",
                            "add `values = [v1, v2, ...]`",
                        );
                        None
                    }
                };
                let weights = t
                    .get("weights")
                    .and_then(|e| self.number_list(&e.node, &join(path, "weights"), any));
                match values {
                    Some(v) => Dist::choice(v, weights),
                    None => return None,
                }
            }
        };
        if self.c.diags.len() > n_before {
            return None;
        }
        match result {
            Ok(d) => Some(d),
            Err(e) => {
                self.c.err(Some(loc), path, format!("invalid {kind} distribution: {e}"), "fix the distribution's parameters (see docs/scenario-format.md, Distributions)");
                None
            }
        }
    }

    pub(super) fn number_list(&mut self, node: &Node, path: &str, b: Bounds) -> Option<Vec<f64>> {
        let items = self.array(node, path, "write a list of numbers, e.g. [0.1, 0.2]")?;
        let mut out = Vec::new();
        for (k, it) in items.iter().enumerate() {
            out.push(self.number(it, &format!("{path}[{k}]"), b)?);
        }
        Some(out)
    }

    pub(super) fn dated_values<'n>(
        &mut self,
        node: &'n Node,
        path: &str,
        help: &str,
    ) -> Option<Vec<(Date, &'n Node, &'n Node)>> {
        // Entries with a bad shape or date are dropped after reporting; an
        // ordering problem is reported but the entry kept, so later checks
        // (such as the horizon) still see every date.
        let items = self.array(node, path, help)?;
        if items.is_empty() {
            self.c.err(Some(node.loc), path, "the list is empty", help);
            return None;
        }
        let mut out: Vec<(Date, &Node, &Node)> = Vec::new();
        for (k, it) in items.iter().enumerate() {
            let p = format!("{path}[{k}]");
            match &it.value {
                Value::Array(pair) if pair.len() == 2 => {
                    if let Some(d) = self.date(&pair[0], &p) {
                        if let Some((prev, _, _)) = out.last()
                            && d <= *prev
                        {
                            self.c.err(
                                Some(pair[0].loc),
                                &p,
                                format!("date {d} is not after the previous entry's date {prev}"),
                                "list the entries in increasing date order, each date once",
                            );
                        }
                        out.push((d, &pair[0], &pair[1]));
                    }
                }
                v => {
                    self.c.err(
                        Some(it.loc),
                        &p,
                        format!(
                            "expected a [date, value] pair, found {} ({})",
                            v.type_name(),
                            v.show()
                        ),
                        help,
                    );
                }
            }
        }
        Some(out)
    }

    pub(super) fn ramp(&mut self, node: &Node, path: &str, start: YearMonth, b: Bounds) -> Ramp {
        let help =
            "write [[\"YYYY-MM\", share], ...], e.g. [[\"2025-06\", 0.0], [\"2026-06\", 0.2]]";
        let Some(items) = self.dated_values(node, path, help) else {
            return Ramp::default();
        };
        let mut points = Vec::new();
        for (k, (d, _, v)) in items.into_iter().enumerate() {
            if let Some(x) = self.number(v, &format!("{path}[{k}]"), b) {
                let (m, f) = d.offset(start);
                points.push((m as f64 + f, x));
            }
        }
        Ramp { points }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit;

    #[test]
    fn a_distribution_of_a_rate_takes_percent_strings_and_must_stay_in_range() {
        let sc = testkit::ok(
            "[tariffs.x]\nby = \"AA\"\non = \"BB\"\nrate = { dist = \"uniform\", min = \"10%\", max = \"30%\" }\nfrom = \"2025-03\"\n",
        );
        let p = sc.param(sc.measures[0].steps[0].1);
        assert!(p.dist.is_some());
        assert!((p.value - 0.2).abs() < 1e-15, "the centre");
        let problems = testkit::problems(
            "[economies.AA]\ngrowth_pct = { dist = \"normal\", mean = 2, sd = 1 }\n",
        );
        assert!(
            problems.iter().any(|m| m.contains("can produce values in")),
            "an untruncated normal leaves the growth range: {problems:?}"
        );
    }

    /// A distribution's `label` names the sampled parameter; without one the
    /// short form of its path does. Labels never change the draws' key.
    #[test]
    fn a_distribution_label_names_the_parameter_and_defaults_to_the_short_path() {
        let sc = testkit::ok(
            "[economies.AA]\ngrowth_pct = { dist = \"uniform\", min = 1, max = 3, label = \"AA trend growth\" }\n\
             [economies.BB]\ngrowth_pct = { dist = \"uniform\", min = 1, max = 3 }\n",
        );
        let find = |path: &str| sc.params.iter().find(|p| p.path == path).expect(path);
        let aa = find("economies.AA.growth_pct");
        assert_eq!(aa.display_label(), "AA trend growth");
        assert_eq!(
            aa.key,
            crate::scenario::stable_key("economies.AA.growth_pct")
        );
        assert_eq!(
            find("economies.BB.growth_pct").display_label(),
            "BB growth_pct"
        );
        let p = testkit::problems(
            "[economies.AA]\ngrowth_pct = { dist = \"uniform\", min = 1, max = 3, label = \"\" }\n",
        );
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].starts_with("economies.AA.growth_pct.label: the label is empty"),
            "{p:?}"
        );
    }
}
