//! `[report]`: which economies, importer-partner pairs and licensing
//! importer the charts, headline tables and printed summaries feature. No
//! economy is written into the code: a scenario of any economies gets the
//! same charts, featuring what it names here or, by default, its largest
//! bilateral flow.
//!
//! ```toml
//! [report]
//! economies = ["US", "CN"]                 # featured, most important first
//! pairs = [["US", "CN"], ["US", "ALL"]]    # tariff charts: importer, partner or ALL
//! diversion = ["VN", "MX"]                 # partners of the first economy's diversion panel
//! licensing_importer = "US"                # the shortfall in headlines
//! markers = [{ date = "2025-10-09", label = "MOFCOM widens controls" }]
//! ```
//!
//! `markers` are events the author wants dated on the time charts (a
//! licensing announcement, a summit): they are drawn beside the tariff
//! moves the charts find themselves.

use super::*;

/// Pairs in the default list of the tariff charts.
const DEFAULT_PAIRS: usize = 9;

impl Compiler {
    pub(super) fn report(
        &mut self,
        root: &Table,
        w: &World,
        td: &TradeData,
        lic: Option<&Licensing>,
    ) -> Report {
        let mut rep = default_report(td, lic);
        let Some(e) = root.get("report") else {
            return rep;
        };
        let help = "write [report] with economies = [\"US\", \"CN\"] (and optionally pairs, diversion, licensing_importer)";
        let Some(t) = self.table(&e.node, "report", help) else {
            return rep;
        };
        self.check_keys(t, "report", &keys::names(keys::REPORT));
        if let Some(x) = t.get("economies")
            && let Some(list) =
                self.id_list(&x.node, "report.economies", w.econ_ids, "economy", None)
        {
            rep.economies = list;
        }
        if let Some(x) = t.get("pairs")
            && let Some(items) = self.array(
                &x.node,
                "report.pairs",
                "write pairs = [[\"US\", \"CN\"], [\"US\", \"ALL\"]]",
            )
        {
            let mut pairs = Vec::new();
            for (k, it) in items.iter().enumerate() {
                let p = format!("report.pairs[{k}]");
                let Some(two) = self.array(it, &p, "write [\"IMPORTER\", \"PARTNER\" or \"ALL\"]")
                else {
                    continue;
                };
                let [imp, partner] = two else {
                    self.c.err(
                        Some(it.loc),
                        &p,
                        format!("a pair has two ids, not {}", two.len()),
                        "write [\"IMPORTER\", \"PARTNER\" or \"ALL\"]",
                    );
                    continue;
                };
                let i = self.id_ref(imp, &format!("{p}[0]"), w.econ_ids, "economy");
                let e = match &partner.value {
                    Value::Str(s) if s == "ALL" => Some(None),
                    _ => self
                        .id_ref(partner, &format!("{p}[1]"), w.econ_ids, "economy")
                        .map(Some),
                };
                match (i, e) {
                    (Some(i), Some(Some(e))) if i == e => self.c.err(
                        Some(it.loc),
                        &p,
                        "an economy's tariff on itself",
                        "name two different economies, or ALL as the partner",
                    ),
                    (Some(i), Some(e)) => pairs.push((i, e)),
                    _ => {}
                }
            }
            rep.pairs = pairs;
        }
        if let Some(x) = t.get("diversion")
            && let Some(list) =
                self.id_list(&x.node, "report.diversion", w.econ_ids, "economy", None)
        {
            rep.diversion = list;
        }
        if let Some(x) = t.get("licensing_importer")
            && let Some(j) =
                self.id_ref(&x.node, "report.licensing_importer", w.econ_ids, "economy")
        {
            if lic.is_some_and(|l| l.importers.iter().any(|i| i.econ == j)) {
                rep.licensing_importer = Some(j);
            } else {
                self.c.err(
                    Some(x.node.loc),
                    "report.licensing_importer",
                    format!("`{}` is not a licensing importer", w.econ_ids[j]),
                    "name an economy of [licensing.importers], or remove the key",
                );
            }
        }
        if let Some(x) = t.get("markers") {
            rep.markers = self.markers(&x.node, w);
        }
        rep
    }

    /// `report.markers`: dated events inside the horizon, each with a label.
    fn markers(&mut self, node: &Node, w: &World) -> Vec<ReportMarker> {
        let help =
            "write markers = [{ date = \"2025-10-09\", label = \"MOFCOM widens controls\" }]";
        let Some(items) = self.array(node, "report.markers", help) else {
            return Vec::new();
        };
        if items.len() > MAX_AUTHOR_MARKERS {
            self.c.err(
                Some(node.loc),
                "report.markers",
                format!(
                    "{} markers; a chart's key has room for {MAX_AUTHOR_MARKERS}",
                    items.len()
                ),
                "keep the events a reader needs to place the lines",
            );
            return Vec::new();
        }
        let mut out = Vec::new();
        for (k, it) in items.iter().enumerate() {
            let p = format!("report.markers[{k}]");
            let Some(t) = self.table(it, &p, help) else {
                continue;
            };
            self.check_keys(t, &p, &keys::names(keys::MARKER));
            let date = self
                .required(
                    t,
                    it.loc,
                    &p,
                    "date",
                    "add date = \"YYYY-MM-DD\" (or \"YYYY-MM\")",
                )
                .and_then(|n| self.date(n, &format!("{p}.date")).map(|d| (d, n)));
            let label = if t.get("label").is_some() {
                self.label(t, &p)
            } else {
                self.c.err(
                    Some(it.loc),
                    &p,
                    "a marker without a label",
                    "add label = \"what happened\" (about 40 characters fit)",
                );
                None
            };
            let (Some((d, n)), Some(label)) = (date, label) else {
                continue;
            };
            if d.ym < w.start {
                self.c.err(
                    Some(n.loc),
                    &format!("{p}.date"),
                    format!("date {d} is before the start ({})", w.start),
                    "move the date inside the horizon or remove the marker",
                );
                continue;
            }
            if d.ym >= w.horizon_end {
                self.check_horizon(n, &format!("{p}.date"), d, w.horizon_end);
                continue;
            }
            out.push(ReportMarker {
                month: d.ym.since(w.start) as usize,
                date: d.to_string(),
                label,
            });
        }
        out
    }
}

/// Most author-named markers (`report.markers`): each takes a line of a
/// chart's key.
pub const MAX_AUTHOR_MARKERS: usize = 6;

/// The default focus: the importer and exporter of the largest bilateral
/// flow; the tariff pairs between them, their averages on all partners, and
/// the importer's next largest partners; the first featured economy that
/// licenses the input, else the largest importer of it.
pub(super) fn default_report(td: &TradeData, lic: Option<&Licensing>) -> Report {
    let ne = td.n_econ;
    let pair_total = |e: usize, i: usize| -> f64 {
        (0..td.n_sect)
            .map(|s| td.value_usd_bn[td.idx(s, e, i)])
            .sum()
    };
    let mut flows: Vec<(f64, usize, usize)> = (0..ne)
        .flat_map(|i| (0..ne).filter(move |&e| e != i).map(move |e| (i, e)))
        .map(|(i, e)| (pair_total(e, i), i, e))
        .collect();
    // Largest first; ties in catalogue order, so the choice is stable.
    flows.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
    let mut rep = Report::default();
    let Some(&(_, i, e)) = flows.first() else {
        rep.economies = (0..ne.min(2)).collect();
        return rep;
    };
    rep.economies = vec![i, e];
    rep.pairs = vec![(i, Some(e)), (e, Some(i)), (i, None), (e, None)];
    for &(_, imp, exp) in &flows {
        if rep.pairs.len() >= DEFAULT_PAIRS {
            break;
        }
        if imp == i && exp != e {
            rep.pairs.push((imp, Some(exp)));
        }
    }
    rep.licensing_importer = lic.and_then(|l| {
        let licenses = |x: usize| l.importers.iter().any(|m| m.econ == x);
        rep.economies
            .iter()
            .copied()
            .find(|&x| licenses(x))
            .or_else(|| {
                l.importers
                    .iter()
                    .map(|m| (td.value_usd_bn[td.idx(l.input, l.supplier, m.econ)], m.econ))
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .map(|(_, x)| x)
            })
    });
    rep
}

#[cfg(test)]
mod tests {
    use super::super::testkit;

    #[test]
    fn by_default_the_largest_flow_is_featured() {
        // The test world's largest flow is BB -> AA (200).
        let sc = testkit::ok("");
        assert_eq!(sc.report.economies, vec![0, 1]);
        assert_eq!(
            sc.report.pairs[..4],
            [(0, Some(1)), (1, Some(0)), (0, None), (1, None)]
        );
        assert!(
            sc.report.pairs.contains(&(0, Some(2))),
            "AA's next partner CC"
        );
        assert_eq!(sc.report.licensing_importer, None);
    }

    #[test]
    fn the_report_table_chooses_and_unknown_ids_are_refused() {
        let sc =
            testkit::ok("[report]\neconomies = [\"CC\", \"AA\"]\npairs = [[\"CC\", \"ALL\"]]\n");
        assert_eq!(sc.report.economies, vec![2, 0]);
        assert_eq!(sc.report.pairs, vec![(2, None)]);
        let p = testkit::problems("[report]\neconomies = [\"DD\"]\npairs = [[\"AA\", \"AA\"]]\n");
        assert!(p.iter().any(|m| m.starts_with("report.economies")), "{p:?}");
        assert!(
            p.iter()
                .any(|m| m.starts_with("report.pairs[0]: an economy's tariff on itself")),
            "{p:?}"
        );
    }

    #[test]
    fn markers_are_dated_in_the_horizon_and_labelled() {
        // The test world starts in 2025-01 and runs 24 months.
        let sc = testkit::ok(
            "[report]\nmarkers = [{ date = \"2025-04-04\", label = \"Licensing\" }, { date = \"2026-12\", label = \"Last month\" }]\n",
        );
        let m = &sc.report.markers;
        assert_eq!(m.len(), 2);
        assert_eq!(
            (m[0].month, m[0].date.as_str(), m[0].label.as_str()),
            (3, "2025-04-04", "Licensing")
        );
        assert_eq!((m[1].month, m[1].date.as_str()), (23, "2026-12"));
        let p = testkit::problems(
            "[report]\nmarkers = [{ date = \"2024-12-31\", label = \"x\" }, { date = \"2027-01\", label = \"y\" }, { date = \"2025-02\" }, { date = \"2025-02\", label = \"z\", colour = \"red\" }]\n",
        );
        for want in [
            "report.markers[0].date: date 2024-12-31 is before the start (2025-01)",
            "report.markers[1].date: date 2027-01 is after the end of the horizon",
            "report.markers[2]: a marker without a label",
            "report.markers[3].colour",
        ] {
            assert!(p.iter().any(|m| m.starts_with(want)), "{want}: {p:?}");
        }
        let seven = (1..=7)
            .map(|k| format!("{{ date = \"2025-0{k}\", label = \"e{k}\" }}"))
            .collect::<Vec<_>>()
            .join(", ");
        let p = testkit::problems(&format!("[report]\nmarkers = [{seven}]\n"));
        assert!(
            p.iter().any(|m| m.starts_with("report.markers: 7 markers")),
            "{p:?}"
        );
    }
}
