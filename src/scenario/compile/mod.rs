//! Schema check and validation: from the located TOML tree to a `Scenario`.
//!
//! Every reader records a located diagnostic and carries on with a
//! placeholder, so one pass reports every problem in the file. A `Scenario`
//! is only returned when there were none.

use super::collect::Collector;
use super::date::{Date, YearMonth, parse_date};
use super::dist::Dist;
use super::keys;
use super::tree::{Node, Table, Value};
use super::*;
use crate::diag::{Diagnostics, Loc, clip, num, unknown_help};
use std::path::PathBuf;

mod bounds;
mod conditions;
mod economies;
mod licensing;
mod meta;
mod params;
mod readers;
mod report;
mod rerouting;
mod rules;
mod sectors;
mod tariffs;
mod trade;

pub use bounds::*;
pub use report::MAX_AUTHOR_MARKERS;

pub struct Compiler {
    /// Problems, sources and input files, shared with the loader and the
    /// data readers.
    pub c: Collector,
    params: Vec<ParamSpec>,
    /// Where each economy's `gdp_usd_bn` was written (economy index, span).
    gdp_locs: Vec<(usize, Loc)>,
    /// Where `scenario.months` was written, if it was.
    months_loc: Option<Loc>,
}

/// What the sections after `[economies]` and `[sectors]` look names and the
/// calendar up in.
pub(super) struct World<'a> {
    pub(super) econ_ids: &'a [String],
    pub(super) sector_ids: &'a [String],
    pub(super) start: YearMonth,
    /// The first month after the horizon.
    pub(super) horizon_end: YearMonth,
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl Compiler {
    pub fn new(c: Collector) -> Self {
        Compiler {
            c,
            params: Vec::new(),
            gdp_locs: Vec::new(),
            months_loc: None,
        }
    }

    // ---- uncertain values ------------------------------------------------

    pub fn compile(mut self, root: &Table, root_loc: Loc) -> Result<Scenario, Diagnostics> {
        self.check_keys(root, "", &keys::names(keys::ROOT));
        let meta = self.meta(root, root_loc);
        let start = meta.start;
        let horizon_end = start.plus(meta.months as i32);
        let economies = self.economies(root, root_loc);
        let econ_ids: Vec<String> = economies.iter().map(|e| e.id.clone()).collect();
        // Without economies or sectors everything else would only repeat
        // that problem once per reference: stop there.
        if econ_ids.is_empty() {
            return Err(self.c.into_diagnostics());
        }
        let sectors = self.sectors(root, root_loc, &econ_ids);
        let sector_ids: Vec<String> = sectors.iter().map(|s| s.id.clone()).collect();
        if sector_ids.is_empty() {
            return Err(self.c.into_diagnostics());
        }
        let w = World {
            econ_ids: &econ_ids,
            sector_ids: &sector_ids,
            start,
            horizon_end,
        };
        let trade = self.trade(root, root_loc, &w);
        if self.c.diags.is_empty() {
            self.check_gdp_scale(&economies, &trade);
        }
        let measures = self.measures(root, &w, &trade.lines);
        let licensing = self.licensing(root, &w);
        let rerouting = self.rerouting(root, &w);
        let rules = self.rules(root, &w, &measures, licensing.as_ref());
        let macro_params = self.macro_params(root, root_loc);
        let report = self.report(root, &w, &trade, licensing.as_ref());
        if !self.c.diags.is_empty() {
            return Err(self.c.into_diagnostics());
        }
        let scenario = Scenario {
            meta,
            economies,
            sectors,
            trade,
            measures,
            licensing,
            rerouting,
            rules,
            macro_params,
            report,
            params: self.params,
            inputs: self.c.inputs,
        };
        Ok(scenario)
    }
}

/// A three-economy world written from text, for the sections' unit tests.
#[cfg(test)]
pub(crate) mod testkit {
    use crate::diag::Diagnostics;
    use crate::scenario::{LoadOptions, Scenario, load_scenario};

    const FLOWS: &str = "exporter,importer,sector,value_usd_bn,source
AA,AA,goods,900,t
AA,BB,goods,100,t
BB,AA,goods,200,t
BB,BB,goods,800,t
CC,AA,goods,50,t
CC,CC,goods,300,t
AA,AA,ores,90,t
BB,AA,ores,20,t
";

    /// A base file with `[scenario]`, economies AA BB CC, sectors goods and
    /// ores and `[trade]`, and a scenario of `body` layered on it (so `body`
    /// may change the base's tables).
    pub fn load(body: &str) -> Result<Scenario, Diagnostics> {
        let dir = tempfile::tempdir().expect("temporary folder");
        std::fs::write(dir.path().join("flows.csv"), FLOWS).expect("write flows");
        let sector = |id: &str| {
            format!(
                "[sectors.{id}]\nsigma_import = 4\nsigma_domestic = 2\neta = 1\nva_share = 0.5\nhalf_life_months = 3\nepsilon = inf\n"
            )
        };
        let base = format!(
            "[scenario]\nname = \"kit\"\nstart = \"2025-01\"\nmonths = 24\n\
             [economies.AA]\ngdp_usd_bn = 2000\ngrowth_pct = 2\n\
             [economies.BB]\ngdp_usd_bn = 1500\ngrowth_pct = 3\n\
             [economies.CC]\ngdp_usd_bn = 600\ngrowth_pct = 4\n\
             {}{}[trade]\nflows = \"flows.csv\"\n",
            sector("goods"),
            sector("ores")
        );
        std::fs::write(dir.path().join("base.toml"), base).expect("write base");
        let path = dir.path().join("s.toml");
        std::fs::write(&path, format!("base = \"base.toml\"\n{body}\n")).expect("write scenario");
        load_scenario(&path, &LoadOptions::default())
    }

    /// The scenario, or a panic with the rendered problems.
    pub fn ok(body: &str) -> Scenario {
        load(body).unwrap_or_else(|d| panic!("{}", d.render()))
    }

    /// `path: message` of every problem (or a panic if it loaded).
    pub fn problems(body: &str) -> Vec<String> {
        match load(body) {
            Ok(_) => panic!("loaded, but problems were expected"),
            Err(d) => d
                .items
                .iter()
                .map(|i| format!("{}: {}", i.path, i.message))
                .collect(),
        }
    }
}
