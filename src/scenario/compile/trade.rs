//! `[trade]`: the data files of baseline flows and tariffs (read by
//! `scenario::data`), with paths relative to the file that names them.

use super::*;
use crate::scenario::data;

impl Compiler {
    pub(super) fn trade(&mut self, root: &Table, root_loc: Loc, w: &World) -> TradeData {
        let (econ_ids, sector_ids) = (w.econ_ids, w.sector_ids);
        let (ne, ns) = (econ_ids.len(), sector_ids.len());
        let mut td = TradeData::empty(ne, ns);
        let help = "add [trade] with flows = \"data/trade.csv\" (and optionally baseline_tariffs = \"data/tariffs.csv\")";
        let Some(e) = root.get("trade") else {
            self.c
                .err(Some(root_loc), "trade", "missing the [trade] table", help);
            return td;
        };
        let Some(t) = self.table(&e.node, "trade", help) else {
            return td;
        };
        self.check_keys(t, "trade", &keys::names(keys::TRADE));
        let names = (econ_ids, sector_ids);
        let flows = self.required(t, e.node.loc, "trade", "flows", help);
        let tariffs = t.get("baseline_tariffs").map(|e| &e.node);
        for (node, key, table) in [
            (flows, "trade.flows", data::Table::Flows),
            (tariffs, "trade.baseline_tariffs", data::Table::Tariffs),
        ] {
            if let Some(n) = node
                && let Some(p) = self.string(n, key)
            {
                let path = self.resolve(n, &p);
                data::read_bilateral(&mut self.c, &path, n.loc, names, table, &mut td);
            }
        }
        // `lines = ""` drops a base file's lines.
        if let Some(n) = t.get("lines").map(|e| &e.node)
            && let Some(p) = self.string(n, "trade.lines")
            && !p.is_empty()
        {
            let path = self.resolve(n, &p);
            data::read_lines(&mut self.c, &path, n.loc, econ_ids, sector_ids, &mut td);
        }
        td
    }

    /// A data path relative to the file where it was written.
    pub(super) fn resolve(&self, node: &Node, p: &str) -> PathBuf {
        let rel = PathBuf::from(p);
        if rel.is_absolute() {
            return rel;
        }
        match self
            .c
            .dirs
            .get(node.loc.src as usize)
            .and_then(|d| d.clone())
        {
            Some(dir) => dir.join(rel),
            None => rel,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit;

    #[test]
    fn flows_land_at_their_sector_exporter_importer_index() {
        let sc = testkit::ok("");
        let td = &sc.trade;
        assert_eq!(td.value_usd_bn[td.idx(0, 1, 0)], 200.0, "goods BB -> AA");
        assert_eq!(td.value_usd_bn[td.idx(1, 1, 0)], 20.0, "ores BB -> AA");
        assert_eq!(td.value_usd_bn[td.idx(1, 2, 2)], 0.0, "missing rows are 0");
        assert!(td.tariff0.iter().all(|t| *t == 0.0), "no tariff file: zero");
    }

    #[test]
    fn an_unknown_trade_key_is_refused() {
        let p = testkit::problems("[trade]\nflow = \"x.csv\"\n");
        assert!(
            p.iter().any(|m| m.starts_with("trade.flow: unknown key")),
            "{p:?}"
        );
    }
}
