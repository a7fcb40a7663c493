//! `[economies.ID]`: GDP, baseline growth and the macro parameters of each
//! economy, and the check that GDP is not orders of magnitude below the
//! economy's own trade.

use super::*;

impl Compiler {
    pub(super) fn economies(&mut self, root: &Table, root_loc: Loc) -> Vec<Economy> {
        let help =
            "define each economy as a table: [economies.US] with name, gdp_usd_bn, growth_pct, ...";
        let list = self.named_tables(root, "economies", help);
        // A wrongly typed `economies` was reported by `named_tables` already.
        let wrong_type = root
            .get("economies")
            .is_some_and(|e| !matches!(e.node.value, Value::Table(_)));
        if list.is_empty() && !wrong_type {
            self.c.err(
                Some(root_loc),
                "economies",
                "no economies are defined",
                help,
            );
        }
        let mut out = Vec::new();
        for (id, key_loc, loc, t) in list {
            let path = join("economies", id);
            let valid = !id.is_empty()
                && id.len() <= 12
                && id.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                && id
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
            if !valid || id == "WORLD" || id == "ALL" {
                self.c.err(Some(key_loc), &path, format!("`{id}` is not a valid economy id"), "use 1-12 upper-case letters, digits or `_` starting with a letter (WORLD and ALL are reserved)");
            }
            self.check_keys(t, &path, &keys::names(keys::ECONOMY));
            if let Some(e) = t.get("tpu_sensitivity") {
                self.c.err(
                    Some(e.key_loc),
                    &join(&path, "tpu_sensitivity"),
                    "`tpu_sensitivity` moved to [macro] in model 2: one coefficient for every economy",
                    "remove this key and set tpu_sensitivity under [macro] (% of GDP per unit of unexpected tariff gap)",
                );
            }
            let name = self
                .opt_string(t, &path, "name")
                .unwrap_or_else(|| id.to_string());
            let gdp = match self.required(
                t,
                loc,
                &path,
                "gdp_usd_bn",
                "add gdp_usd_bn = <base-year GDP in USD bn>",
            ) {
                Some(n) => {
                    self.gdp_locs.push((out.len(), n.loc));
                    self.number(n, &join(&path, "gdp_usd_bn"), POS)
                        .unwrap_or(1.0)
                }
                None => 1.0,
            };
            out.push(Economy {
                id: id.to_string(),
                name,
                gdp_usd_bn: gdp,
                growth_pct: self.param(t, loc, &path, "growth_pct", None, GROWTH),
                revenue_recycled: self.param(t, loc, &path, "revenue_recycled", Some(0.5), SHARE),
                demand_burden: self.param(
                    t,
                    loc,
                    &path,
                    "demand_burden",
                    Some(0.0),
                    Bounds { hi: 10.0, ..NONNEG },
                ),
                multiplier: self.param(
                    t,
                    loc,
                    &path,
                    "multiplier",
                    Some(1.0),
                    Bounds { hi: 10.0, ..POS },
                ),
                households: t
                    .get("households")
                    .and_then(|e| self.households(&e.node, &join(&path, "households"))),
            });
        }
        out
    }

    /// `households = { millions = 132.2, consumption_share = 0.68,
    /// goods_share = 0.31 }`: all three keys or none.
    fn households(&mut self, node: &Node, path: &str) -> Option<Households> {
        let help = "write households = { millions = <number of households, millions>, consumption_share = <household consumption / GDP>, goods_share = <goods / household consumption> }";
        let t = self.table(node, path, help)?;
        self.check_keys(t, path, &keys::names(keys::HOUSEHOLDS));
        let get = |c: &mut Self, key: &str, b: Bounds| {
            c.required(t, node.loc, path, key, help)
                .and_then(|n| c.number(n, &join(path, key), b))
        };
        let millions = get(self, "millions", Bounds { hi: 1e4, ..POS });
        let consumption_share = get(self, "consumption_share", SHARE);
        let goods_share = get(self, "goods_share", SHARE);
        Some(Households {
            millions: millions?,
            consumption_share: consumption_share?,
            goods_share: goods_share?,
        })
    }

    /// Refuse a GDP orders of magnitude below the economy's own trade or
    /// domestic supply in the data: almost always trillions written where
    /// billions belong (`29.185` for the US), which would make every GDP
    /// deviation absurd. Entrepot economies export more than their GDP, so
    /// the threshold is a tenth.
    pub(super) fn check_gdp_scale(&mut self, economies: &[Economy], td: &TradeData) {
        let (ne, ns) = (td.n_econ, td.n_sect);
        for &(i, loc) in &self.gdp_locs.clone() {
            let Some(ec) = economies.get(i) else { continue };
            let (mut exports, mut imports, mut domestic) = (0.0, 0.0, 0.0);
            for s in 0..ns {
                for e in 0..ne {
                    if e == i {
                        domestic += td.value_usd_bn[td.idx(s, i, i)];
                    } else {
                        exports += td.value_usd_bn[td.idx(s, i, e)];
                        imports += td.value_usd_bn[td.idx(s, e, i)];
                    }
                }
            }
            let scale = f64::max(exports, f64::max(imports, domestic));
            if ec.gdp_usd_bn < scale / 10.0 {
                // Trillions or millions written for billions.
                let guess = [1e3, 1e6]
                    .iter()
                    .map(|k| ec.gdp_usd_bn * k)
                    .find(|g| (scale / 2.0..=scale * 100.0).contains(g));
                self.c.err(
                    Some(loc),
                    &format!("economies.{}.gdp_usd_bn", ec.id),
                    format!(
                        "a GDP of USD {} bn is far below the economy's own trade and domestic supply in the data (USD {} bn)",
                        num(ec.gdp_usd_bn),
                        num(scale.round())
                    ),
                    match guess {
                        Some(g) => format!(
                            "gdp_usd_bn is in billions of US dollars: did you mean {}?",
                            num(g)
                        ),
                        None => "write the base-year GDP in billions of US dollars".to_string(),
                    },
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit;

    #[test]
    fn economies_keep_file_order_and_key_their_draws_by_path() {
        let sc = testkit::ok("");
        let ids: Vec<&str> = sc.economies.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["AA", "BB", "CC"]);
        assert_eq!(sc.economies[1].gdp_usd_bn, 1500.0);
        assert_eq!(
            sc.param(sc.economies[2].growth_pct).path,
            "economies.CC.growth_pct"
        );
        assert_eq!(sc.param(sc.economies[2].growth_pct).value, 4.0);
    }

    #[test]
    fn a_gdp_in_trillions_is_refused_with_the_likely_value() {
        let p = testkit::problems("[economies.AA]\ngdp_usd_bn = 0.9\n");
        assert!(
            p.iter()
                .any(|m| m.starts_with("economies.AA.gdp_usd_bn: a GDP of USD 0.9 bn")),
            "{p:?}"
        );
    }
}
