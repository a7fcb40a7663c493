//! `[licensing]`: the critical-input licensing regime, its regimes and
//! importers (Block 4).

use super::*;

impl Compiler {
    pub(super) fn licensing(&mut self, root: &Table, w: &World) -> Option<Licensing> {
        let (econ_ids, sector_ids, start, horizon_end) =
            (w.econ_ids, w.sector_ids, w.start, w.horizon_end);
        let e = root.get("licensing")?;
        let help = "write [licensing] with supplier, input, regimes and importers (see docs/scenario-format.md)";
        let t = self.table(&e.node, "licensing", help)?;
        let loc = e.node.loc;
        self.check_keys(t, "licensing", &keys::names(keys::LICENSING));
        let supplier = self
            .required(t, loc, "licensing", "supplier", "add supplier = \"CN\"")
            .and_then(|n| self.id_ref(n, "licensing.supplier", econ_ids, "economy"));
        let input = self
            .required(t, loc, "licensing", "input", "add input = \"rare_earth\"")
            .and_then(|n| self.id_ref(n, "licensing.input", sector_ids, "sector"));
        let efficiency = self.param(
            t,
            loc,
            "licensing",
            "efficiency",
            Some(1.0),
            Bounds { hi: 100.0, ..POS },
        );
        let noise_sd = self.param(t, loc, "licensing", "noise_sd", Some(0.0), NOISE);
        let refile_months = self.param(
            t,
            loc,
            "licensing",
            "refile_months",
            Some(1.0),
            Bounds {
                lo: 1.0,
                hi: 24.0,
                ..MONTHS
            },
        );
        let refile_share = self.param(t, loc, "licensing", "refile_share", Some(1.0), SHARE);
        let prioritisation = self.param(
            t,
            loc,
            "licensing",
            "prioritisation",
            Some(1.0),
            Bounds {
                lo: 0.0,
                hi: 1.0,
                lo_open: true,
                ..SHARE
            },
        );
        let price_cap = self.param(
            t,
            loc,
            "licensing",
            "price_cap",
            Some(1.0),
            Bounds {
                lo: 1.0,
                hi: 100.0,
                ..NONNEG
            },
        );
        let mut regimes = Vec::new();
        for (name, kl, rloc, rt) in self.named_tables(
            t,
            "regimes",
            "write [licensing.regimes.NAME] with capacity, approval, delay_months",
        ) {
            let path = join("licensing.regimes", name);
            // Regime names go into parameter paths, CSV columns and --set keys.
            self.check_id(name, kl, &path);
            self.check_keys(rt, &path, &keys::names(keys::REGIME));
            let capacity = self.param(rt, rloc, &path, "capacity", None, NONNEG_OR_INF);
            let approval = self.param(rt, rloc, &path, "approval", None, SHARE);
            let ramp_midpoint = rt.get("ramp_midpoint_months").map(|e| {
                let p = join(&path, "ramp_midpoint_months");
                self.param_node(&e.node, &p, Bounds { hi: 120.0, ..POS }, false)
            });
            let end = |c: &mut Self, key: &str, start: ParamId, b: Bounds| match rt.get(key) {
                Some(e) => {
                    if ramp_midpoint.is_none() {
                        c.c.err(
                            Some(e.key_loc),
                            &join(&path, key),
                            format!("`{key}` needs a ramp"),
                            "add ramp_midpoint_months = 3 (months from the regime's start to the middle of the ramp), or remove this key",
                        );
                    }
                    c.param_node(&e.node, &join(&path, key), b, false)
                }
                None => start,
            };
            let capacity_end = end(self, "capacity_end", capacity, NONNEG_OR_INF);
            let approval_end = end(self, "approval_end", approval, SHARE);
            // Delays are in months and may be fractions (a fraction spreads
            // the volume over the two months around it).
            let delay = self.param(
                rt,
                rloc,
                &path,
                "delay_months",
                Some(0.0),
                Bounds { hi: 24.0, ..MONTHS },
            );
            let inspection = self.param(
                rt,
                rloc,
                &path,
                "inspection_months",
                Some(0.0),
                Bounds { hi: 24.0, ..MONTHS },
            );
            regimes.push(Regime {
                name: name.to_string(),
                capacity,
                approval,
                capacity_end,
                approval_end,
                ramp_midpoint,
                delay_months: delay,
                inspection_months: inspection,
            });
        }
        let names: Vec<String> = regimes.iter().map(|r| r.name.clone()).collect();
        let free = names.iter().position(|n| n == "free");
        if free.is_none() {
            self.c.err(Some(loc), "licensing.regimes.free", "no `free` regime is defined (it is in force before the first scheduled change)", "add [licensing.regimes.free] with capacity = inf, approval = 1.0, delay_months = 0");
        }
        let mut schedule = Vec::new();
        if let Some(r) = t.get("regime") {
            let help = "write regime = [[\"2025-04-04\", \"licensing\"], ...]";
            if let Some(items) = self.dated_values(&r.node, "licensing.regime", help) {
                for (k, (d, dn, v)) in items.into_iter().enumerate() {
                    let p = format!("licensing.regime[{k}]");
                    self.check_horizon(dn, &p, d, horizon_end);
                    if let Some(i) = self.id_ref(v, &p, &names, "regime") {
                        schedule.push((d, i));
                    }
                }
            }
        }
        let mut importers = Vec::new();
        for (id, key_loc, iloc, it) in self.named_tables(
            t,
            "importers",
            "write [licensing.importers.US] with dependence and stock_months",
        ) {
            let path = join("licensing.importers", id);
            self.check_keys(it, &path, &keys::names(keys::LICENSING_IMPORTER));
            let econ = self.econ_key(id, key_loc, &path, econ_ids);
            if econ.is_some() && econ == supplier {
                self.c.err(
                    Some(key_loc),
                    &path,
                    "the supplier cannot be one of its own licensing importers",
                    "remove this importer table",
                );
            }
            let controlled = self.param(it, iloc, &path, "controlled", Some(1.0), SHARE);
            let transit = self.param(
                it,
                iloc,
                &path,
                "transit_months",
                Some(0.0),
                Bounds { hi: 6.0, ..MONTHS },
            );
            let dependence = self.param(it, iloc, &path, "dependence", None, SHARE);
            let stock = self.param(
                it,
                iloc,
                &path,
                "stock_months",
                None,
                Bounds {
                    hi: 120.0,
                    ..NONNEG
                },
            );
            let priority = self
                .opt_number(it, &path, "priority", Bounds { hi: 1e6, ..POS })
                .unwrap_or(1.0);
            let alt = it
                .get("alt_supply")
                .map(|e| {
                    self.ramp(
                        &e.node,
                        &join(&path, "alt_supply"),
                        start,
                        Bounds { hi: 10.0, ..NONNEG },
                    )
                })
                .unwrap_or_default();
            let subst = it
                .get("substitution")
                .map(|e| self.ramp(&e.node, &join(&path, "substitution"), start, SHARE))
                .unwrap_or_default();
            let mut exposure = Vec::new();
            if let Some(e) = it.get("exposure") {
                let p = join(&path, "exposure");
                if let Some(et) = self.table(
                    &e.node,
                    &p,
                    "write exposure = { vehicles = 0.3, electronics = 0.2 }",
                ) {
                    for entry in &et.entries {
                        let pk = join(&p, &entry.key);
                        match sector_ids.iter().position(|x| *x == entry.key) {
                            Some(s) => {
                                if let Some(v) = self.number(&entry.node, &pk, SHARE) {
                                    exposure.push((s, v));
                                }
                            }
                            None => {
                                let c: Vec<&str> = sector_ids.iter().map(String::as_str).collect();
                                let help = unknown_help(&entry.key, "sector", &c);
                                self.c.err(
                                    Some(entry.key_loc),
                                    &pk,
                                    format!("unknown sector `{}`", entry.key),
                                    help,
                                );
                            }
                        }
                    }
                }
            }
            if let Some(econ) = econ {
                importers.push(LicensingImporter {
                    econ,
                    controlled,
                    transit_months: transit,
                    dependence,
                    stock_months: stock,
                    priority,
                    alt_supply: alt,
                    exposure,
                    substitution: subst,
                });
            }
        }
        Some(Licensing {
            supplier: supplier?,
            input: input?,
            regimes,
            free: free?,
            schedule,
            efficiency,
            noise_sd,
            refile_months,
            refile_share,
            prioritisation,
            price_cap,
            importers,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit;

    const LIC: &str = "[licensing]\nsupplier = \"BB\"\ninput = \"ores\"\nregime = [[\"2025-04-04\", \"strict\"]]\n\
        [licensing.regimes.free]\ncapacity = inf\napproval = 1.0\n\
        [licensing.regimes.strict]\ncapacity = 0.5\napproval = \"40%\"\ndelay_months = 2\n\
        [licensing.importers.AA]\ndependence = 0.8\nstock_months = 2\nexposure = { goods = 0.3 }\n";

    #[test]
    fn regimes_importers_and_the_schedule_resolve_to_indices() {
        let sc = testkit::ok(LIC);
        let l = sc.licensing.as_ref().unwrap();
        assert_eq!((l.supplier, l.input), (1, 1));
        assert_eq!(l.regimes[l.free].name, "free");
        assert_eq!(l.schedule.len(), 1);
        assert_eq!(l.regimes[l.schedule[0].1].name, "strict");
        assert_eq!(sc.param(l.regimes[1].approval).value, 0.4);
        assert_eq!(l.importers[0].exposure, vec![(0, 0.3)]);
    }

    #[test]
    fn the_supplier_cannot_license_itself() {
        let p = testkit::problems(&format!(
            "{LIC}[licensing.importers.BB]\ndependence = 0.5\nstock_months = 1\n"
        ));
        assert!(
            p.iter().any(|m| m.starts_with("licensing.importers.BB")),
            "{p:?}"
        );
    }
}
