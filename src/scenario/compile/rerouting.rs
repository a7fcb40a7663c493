//! `[rerouting]`: goods of a targeted exporter shipped to a destination
//! through hub economies (Block 3b, model 2).

use super::*;

impl Compiler {
    pub(super) fn rerouting(&mut self, root: &Table, w: &World) -> Option<Rerouting> {
        let econ_ids = w.econ_ids;
        let e = root.get("rerouting")?;
        let help = "write [rerouting] with origin, destination and [rerouting.hubs.ID] tables (see docs/scenario-format.md)";
        let t = self.table(&e.node, "rerouting", help)?;
        let loc = e.node.loc;
        self.check_keys(t, "rerouting", &keys::names(keys::REROUTING));
        let origin = self
            .required(t, loc, "rerouting", "origin", "add origin = \"CN\"")
            .and_then(|n| self.id_ref(n, "rerouting.origin", econ_ids, "economy"));
        let destination = self
            .required(
                t,
                loc,
                "rerouting",
                "destination",
                "add destination = \"US\"",
            )
            .and_then(|n| self.id_ref(n, "rerouting.destination", econ_ids, "economy"));
        if let (Some(o), Some(d)) = (origin, destination)
            && o == d
        {
            self.c.err(
                Some(loc),
                "rerouting.destination",
                "the destination is the origin",
                "name the economy whose tariffs the origin's goods avoid",
            );
        }
        let half_life = self.param(
            t,
            loc,
            "rerouting",
            "half_life_months",
            Some(6.0),
            HALF_LIFE,
        );
        let mut hubs = Vec::new();
        for (id, key_loc, hloc, ht) in
            self.named_tables(t, "hubs", "write [rerouting.hubs.VN] with per_gap and cap")
        {
            let path = join("rerouting.hubs", id);
            self.check_keys(ht, &path, &keys::names(keys::HUB));
            let econ = self.econ_key(id, key_loc, &path, econ_ids);
            if econ.is_some() && (econ == origin || econ == destination) {
                self.c.err(
                    Some(key_loc),
                    &path,
                    "a hub cannot be the origin or the destination",
                    "name a third economy",
                );
            }
            let per_gap = self.param(
                ht,
                hloc,
                &path,
                "per_gap",
                None,
                Bounds {
                    hi: 100.0,
                    ..NONNEG
                },
            );
            let cap = self.param(ht, hloc, &path, "cap", None, SHARE);
            if let Some(econ) = econ {
                hubs.push(RerouteHub { econ, per_gap, cap });
            }
        }
        Some(Rerouting {
            origin: origin?,
            destination: destination?,
            hubs,
            half_life_months: half_life,
        })
    }
}
