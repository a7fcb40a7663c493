//! `[sectors.ID]`: elasticities, value-added share, dynamics and noise
//! parameters of each sector.

use super::*;

impl Compiler {
    pub(super) fn sectors(
        &mut self,
        root: &Table,
        root_loc: Loc,
        econ_ids: &[String],
    ) -> Vec<Sector> {
        let help = "define each sector as a table: [sectors.electronics] with sigma_import, sigma_domestic, eta, va_share, ...";
        let list = self.named_tables(root, "sectors", help);
        let wrong_type = root
            .get("sectors")
            .is_some_and(|e| !matches!(e.node.value, Value::Table(_)));
        if list.is_empty() && !wrong_type {
            self.c
                .err(Some(root_loc), "sectors", "no sectors are defined", help);
        }
        let mut out = Vec::new();
        for (id, key_loc, loc, t) in list {
            let path = join("sectors", id);
            let valid = !id.is_empty()
                && id.len() <= 40
                && id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !valid || id == "all" {
                self.c.err(
                    Some(key_loc),
                    &path,
                    format!("`{id}` is not a valid sector id"),
                    "use lower-case letters, digits and `_`, starting with a letter",
                );
            }
            self.check_keys(t, &path, &keys::names(keys::SECTOR));
            let name = self
                .opt_string(t, &path, "name")
                .unwrap_or_else(|| id.to_string());
            let va_share = match self.required(
                t,
                loc,
                &path,
                "va_share",
                "add va_share = <value added / gross output, 0..1>",
            ) {
                Some(n) => self
                    .number(n, &join(&path, "va_share"), SHARE)
                    .unwrap_or(0.0),
                None => 0.0,
            };
            let sigma_import = self.param(t, loc, &path, "sigma_import", None, ELASTICITY);
            let sigma_domestic = self.param(t, loc, &path, "sigma_domestic", None, ELASTICITY);
            let eta = self.param(t, loc, &path, "eta", None, DEMAND_ELASTICITY);
            let half_life = self.param(t, loc, &path, "half_life_months", None, HALF_LIFE);
            let sr_ratio = self.param(
                t,
                loc,
                &path,
                "sr_ratio",
                Some(1.0),
                Bounds {
                    lo: 0.0,
                    lo_open: true,
                    ..SHARE
                },
            );
            let lr_half_life = match t.get("lr_half_life_months") {
                Some(e) => self.param_node(
                    &e.node,
                    &join(&path, "lr_half_life_months"),
                    HALF_LIFE,
                    false,
                ),
                None => half_life,
            };
            let eps_default = self.param(t, loc, &path, "epsilon", None, POS_OR_INF);
            let mut epsilon = vec![eps_default; econ_ids.len()];
            if let Some(e) = t.get("epsilon_by_exporter") {
                let p = join(&path, "epsilon_by_exporter");
                if let Some(bt) = self.table(
                    &e.node,
                    &p,
                    "write epsilon_by_exporter = { US = 2.0, CN = 20 }",
                ) {
                    for entry in &bt.entries {
                        let pk = join(&p, &entry.key);
                        match econ_ids.iter().position(|x| *x == entry.key) {
                            Some(k) => {
                                epsilon[k] = self.param_node(&entry.node, &pk, POS_OR_INF, false)
                            }
                            None => {
                                let c: Vec<&str> = econ_ids.iter().map(String::as_str).collect();
                                let help = unknown_help(&entry.key, "economy", &c);
                                self.c.err(
                                    Some(entry.key_loc),
                                    &pk,
                                    format!("unknown economy `{}`", entry.key),
                                    help,
                                );
                            }
                        }
                    }
                }
            }
            let noise_sd = self.param(t, loc, &path, "noise_sd", Some(0.0), NOISE);
            let noise_common = self
                .opt_number(t, &path, "noise_common", SHARE)
                .unwrap_or(0.0);
            let frontload = self.param(
                t,
                loc,
                &path,
                "frontload",
                Some(0.0),
                Bounds { hi: 10.0, ..NONNEG },
            );
            let wait = self.param(
                t,
                loc,
                &path,
                "wait_months",
                Some(3.0),
                Bounds { hi: 24.0, ..MONTHS },
            );
            let payback = t
                .get("payback_months")
                .and_then(|e| self.integer(&e.node, &join(&path, "payback_months"), 1, 60))
                .unwrap_or(3) as u32;
            out.push(Sector {
                id: id.to_string(),
                name,
                sigma_import,
                sigma_domestic,
                eta,
                va_share,
                half_life_months: half_life,
                sr_ratio,
                lr_half_life_months: lr_half_life,
                epsilon,
                noise_sd,
                noise_common,
                frontload,
                wait_months: wait,
                payback_months: payback,
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit;

    #[test]
    fn an_exporter_override_has_its_own_parameter_and_the_others_share_one() {
        let sc = testkit::ok("[sectors.ores]\nepsilon = 5\nepsilon_by_exporter = { BB = 2 }\n");
        let ores = &sc.sectors[1];
        assert_eq!(
            sc.param(ores.epsilon[1]).path,
            "sectors.ores.epsilon_by_exporter.BB"
        );
        assert_eq!(sc.param(ores.epsilon[1]).value, 2.0);
        assert_eq!(
            ores.epsilon[0], ores.epsilon[2],
            "AA and CC share the default"
        );
        assert!(sc.param(sc.sectors[0].epsilon[0]).value.is_infinite());
    }

    #[test]
    fn an_override_for_an_unknown_exporter_is_refused() {
        let p = testkit::problems("[sectors.ores]\nepsilon_by_exporter = { DD = 2 }\n");
        assert!(p.iter().any(|m| m.contains("DD")), "{p:?}");
    }
}
