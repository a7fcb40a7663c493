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
        self.check_keys(
            t,
            "scenario",
            &["name", "description", "start", "months", "runs", "seed"],
        );
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

    pub(super) fn macro_params(&mut self, root: &Table) -> MacroParams {
        let mut m = MacroParams {
            tpu_half_life_months: 6.0,
            tpu_rule_weight: 0.02,
        };
        if let Some(e) = root.get("macro")
            && let Some(t) = self.table(
                &e.node,
                "macro",
                "write [macro] with tpu_half_life_months, tpu_rule_weight",
            )
        {
            self.check_keys(t, "macro", &["tpu_half_life_months", "tpu_rule_weight"]);
            if let Some(v) = self.opt_number(t, "macro", "tpu_half_life_months", HALF_LIFE) {
                m.tpu_half_life_months = v;
            }
            if let Some(v) =
                self.opt_number(t, "macro", "tpu_rule_weight", Bounds { hi: 10.0, ..NONNEG })
            {
                m.tpu_rule_weight = v;
            }
        }
        m
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
        assert_eq!(sc.macro_params.tpu_half_life_months, 6.0);
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
