//! `[scenario]` (name, start, horizon, runs, seed) and `[macro]`.

use super::*;

impl Compiler {
    pub(super) fn meta(&mut self, root: &Table, root_loc: Loc) -> Meta {
        let mut m = Meta {
            name: "scenario".into(),
            description: String::new(),
            start: YearMonth::new(2025, 1),
            months: 36,
            runs: 10_000,
            seed: 1,
        };
        let help = "add a [scenario] table with name, description, start = \"YYYY-MM\", months";
        let Some(e) = root.get("scenario") else {
            self.c.err(
                Some(root_loc),
                "scenario",
                "missing the [scenario] table",
                help,
            );
            return m;
        };
        let Some(t) = self.table(&e.node, "scenario", help) else {
            return m;
        };
        self.check_keys(t, "scenario", &keys::names(keys::SCENARIO));
        if let Some(n) = self.required(
            t,
            e.node.loc,
            "scenario",
            "name",
            "add name = \"my-scenario\"",
        ) && let Some(s) = self.string(n, "scenario.name")
        {
            if s.is_empty()
                || s.len() > 80
                || !s
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                self.c.err(
                    Some(n.loc),
                    "scenario.name",
                    format!("name `{s}` is not usable as a folder name"),
                    "use 1-80 letters, digits, `-` or `_`",
                );
            } else {
                m.name = s;
            }
        }
        m.description = self
            .opt_string(t, "scenario", "description")
            .unwrap_or_default();
        if let Some(n) = self.required(
            t,
            e.node.loc,
            "scenario",
            "start",
            "add start = \"2025-01\"",
        ) && let Some(d) = self.date(n, "scenario.start")
        {
            if d.day != 1 {
                self.c.err(
                    Some(n.loc),
                    "scenario.start",
                    "the start is a month, not a day",
                    "write start = \"YYYY-MM\"",
                );
            }
            m.start = d.ym;
        }
        if let Some(e) = t.get("months") {
            self.months_loc = Some(e.node.loc);
            if let Some(x) = self.integer(&e.node, "scenario.months", 1, MAX_MONTHS as i64) {
                m.months = x as usize;
            }
        }
        if let Some(x) = t
            .get("runs")
            .and_then(|e| self.integer(&e.node, "scenario.runs", 1, MAX_RUNS as i64))
        {
            m.runs = x as u64;
        }
        if let Some(x) = t
            .get("seed")
            .and_then(|e| self.integer(&e.node, "scenario.seed", 0, i64::MAX))
        {
            m.seed = x as u64;
        }
        m
    }

    pub(super) fn macro_params(&mut self, root: &Table, root_loc: Loc) -> MacroParams {
        let empty = Table::default();
        let (t, loc) = match root.get("macro") {
            Some(e) => match self.table(
                &e.node,
                "macro",
                "write [macro] with tpu_sensitivity, tpu_half_life_months, tpu_saturation, tpu_lag_months, fx_offset",
            ) {
                Some(t) => (t, e.node.loc),
                None => (&empty, e.node.loc),
            },
            None => (&empty, root_loc),
        };
        if let Some(e) = t.get("tpu_rule_weight") {
            self.c.err(
                Some(e.key_loc),
                "macro.tpu_rule_weight",
                "`tpu_rule_weight` was removed in model 2: rule firings no longer add to the uncertainty index (the tariffs they change do)",
                "remove this key",
            );
        }
        self.check_keys(t, "macro", &keys::names(keys::MACRO));
        MacroParams {
            tpu_sensitivity: self.param(
                t,
                loc,
                "macro",
                "tpu_sensitivity",
                Some(0.0),
                Bounds {
                    hi: 1000.0,
                    ..NONNEG
                },
            ),
            tpu_half_life_months: self.param(
                t,
                loc,
                "macro",
                "tpu_half_life_months",
                Some(6.0),
                HALF_LIFE,
            ),
            tpu_saturation: self.param(
                t,
                loc,
                "macro",
                "tpu_saturation",
                Some(f64::INFINITY),
                Bounds {
                    hi: 100.0,
                    ..POS_OR_INF
                },
            ),
            tpu_lag_months: self.param(
                t,
                loc,
                "macro",
                "tpu_lag_months",
                Some(0.0),
                Bounds {
                    hi: 120.0,
                    ..NONNEG
                },
            ),
            fx_offset: self.param(
                t,
                loc,
                "macro",
                "fx_offset",
                Some(0.0),
                Bounds { hi: 2.0, ..NONNEG },
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit;
    use crate::scenario::date::YearMonth;

    #[test]
    fn the_scenario_table_sets_name_calendar_and_defaults() {
        let sc = testkit::ok("");
        assert_eq!(sc.meta.name, "kit");
        assert_eq!(sc.meta.start, YearMonth::new(2025, 1));
        assert_eq!(
            (sc.meta.months, sc.meta.runs, sc.meta.seed),
            (24, 10_000, 1)
        );
        assert_eq!(sc.param(sc.macro_params.tpu_half_life_months).value, 6.0);
        assert!(sc.param(sc.macro_params.tpu_saturation).value.is_infinite());
    }

    #[test]
    fn a_horizon_beyond_the_limit_is_located_at_its_key() {
        let p = testkit::problems("[macro]\ntpu_half_life_months = -1\n");
        assert!(
            p.iter()
                .any(|m| m.starts_with("macro.tpu_half_life_months:")),
            "{p:?}"
        );
    }
}
