//! Hand-made worlds for the blocks' unit tests: two economies (AA, BB) and
//! one sector with round numbers, loaded from text so every test states its
//! whole input.

use crate::scenario::{LoadOptions, Scenario, load_scenario};

/// Flows (USD bn/yr): AA->AA 900, AA->BB 100, BB->AA 200, BB->BB 800.
pub const FLOWS: &str = "exporter,importer,sector,value_usd_bn,source
AA,AA,goods,900,test
AA,BB,goods,100,test
BB,AA,goods,200,test
BB,BB,goods,800,test
";

/// A third economy CC for blocks that need one (rerouting): CC trades 50
/// with each of AA and BB and supplies itself 400.
pub const FLOWS_CC: &str = "AA,CC,goods,50,test
CC,AA,goods,50,test
BB,CC,goods,50,test
CC,BB,goods,50,test
CC,CC,goods,400,test
";

/// The two-economy world plus `extra` TOML (measures, rules, licensing...).
pub fn world(extra: &str) -> Scenario {
    world_with(FLOWS, extra)
}

/// The world with a third economy CC (`FLOWS_CC`) plus `extra` TOML.
pub fn world3(extra: &str) -> Scenario {
    let flows = format!("{FLOWS}{FLOWS_CC}");
    let econ = "[economies.CC]\ngdp_usd_bn = 500\ngrowth_pct = 4.0\n";
    world_with(&flows, &format!("{econ}{extra}"))
}

fn world_with(flows: &str, extra: &str) -> Scenario {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::write(dir.path().join("flows.csv"), flows).expect("write flows");
    let path = dir.path().join("world.toml");
    std::fs::write(
        &path,
        format!(
            r#"[scenario]
name = "kit"
start = "2025-04"
months = 12

[economies.AA]
gdp_usd_bn = 2000
growth_pct = 2.0
[economies.BB]
gdp_usd_bn = 1500
growth_pct = 3.0

[sectors.goods]
sigma_import = 4
sigma_domestic = 2
eta = 1
va_share = 0.5
half_life_months = 2
epsilon = inf

[trade]
flows = "flows.csv"

{extra}
"#
        ),
    )
    .expect("write scenario");
    match load_scenario(&path, &LoadOptions::default()) {
        Ok(sc) => sc,
        Err(d) => panic!("test world does not load:\n{}", d.render()),
    }
}

/// Every parameter at its fixed or central value.
pub fn values(sc: &Scenario) -> Vec<f64> {
    sc.params.iter().map(|p| p.value).collect()
}
