//! Fuzz target: the input is UTF-8 text, one `--set KEY=VALUE` override per
//! line (blank lines and `#` comments skipped, at most 32), applied to
//! scenarios/london_framework.toml. A line `!zero PREFIX` instead zeroes
//! every row of the baseline trade CSV that starts with PREFIX (e.g.
//! `!zero CN,US,rare_earth` or `!zero VN,`).
//!
//! If the scenario validates, 2 runs of up to 6 months are simulated and
//! every output is checked (finite; imports, exports, tariffs, stocks and
//! backlogs non-negative; shortfall in [0, 1]; output loss in [0, 100] %),
//! and a failed run must be a `RunError` naming run, month, sector and
//! parameter values. Any violation panics: that is a finding. The body is
//! `invariants::engine_case`, shared with tests/fuzz_regressions.rs.

#![no_main]

#[path = "../common/invariants.rs"]
mod invariants;

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

struct Setup {
    fixture: invariants::EngineFixture,
    known: Vec<String>,
}

fn setup() -> &'static Setup {
    static S: OnceLock<Setup> = OnceLock::new();
    S.get_or_init(|| {
        let scenarios = invariants::scenarios_dir(env!("CARGO_MANIFEST_DIR"));
        let tmp =
            std::env::temp_dir().join(format!("tariffsim-fuzz-engine-{}", std::process::id()));
        Setup {
            fixture: invariants::EngineFixture::new(&scenarios, &tmp),
            known: invariants::known_findings(),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let s = setup();
    if let Err(m) = invariants::engine_case(&s.fixture, data, &s.known) {
        panic!("finding: {m}");
    }
});
