//! Fuzz target: the input bytes are a scenario file. It is written next to
//! copies of the shipped scenarios and data (so `base = "world_2024.toml"`
//! and `base = "../../scenarios/world_2024.toml"` both layer), loaded and
//! validated; a valid scenario is then turned into a model with a short
//! horizon and explained. Loading must never panic, and a failed load must
//! locate every problem (a span or a file). The body is
//! `invariants::parse_validate_case`, shared with tests/fuzz_regressions.rs.

#![no_main]

#[path = "../common/invariants.rs"]
mod invariants;

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

struct Setup {
    input: PathBuf,
    known: Vec<String>,
}

fn setup() -> &'static Setup {
    static S: OnceLock<Setup> = OnceLock::new();
    S.get_or_init(|| {
        let root =
            std::env::temp_dir().join(format!("tariffsim-fuzz-parse-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let scenarios = invariants::scenarios_dir(env!("CARGO_MANIFEST_DIR"));
        let inner = invariants::populate_scenario_dir(&scenarios, &root)
            .expect("copy the shipped scenarios to a temporary folder");
        Setup {
            input: inner.join("fuzz_input.toml"),
            known: invariants::known_findings(),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let s = setup();
    if let Err(m) = invariants::parse_validate_case(&s.input, data, &s.known) {
        panic!("finding: {m}");
    }
});
