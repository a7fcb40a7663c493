//! Replays every input saved in fuzz/regressions/ through the code of the
//! fuzz target that found it (fuzz/common/invariants.rs): load and validate,
//! then a short run with every output checked. Nothing may panic and every
//! invariant must hold.
//!
//! Layout: `fuzz/regressions/parse_validate/*` are scenario files (replayed
//! from a folder holding copies of the shipped scenarios, so
//! `base = "world_2024.toml"` layers); `fuzz/regressions/engine_months/*` are
//! `--set` lines applied to london_framework.toml. A file whose name starts
//! with `open-` is a finding reported but not fixed yet: it is replayed by the
//! ignored test `open_findings_are_fixed` (run it with `--ignored`); once it
//! passes, drop the `open-` prefix so the regular test guards it.

#[path = "../fuzz/common/invariants.rs"]
mod invariants;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

fn regressions() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions")
}

/// The saved inputs of one target, sorted, split by the `open-` prefix.
fn inputs(target: &str, open: bool) -> Vec<PathBuf> {
    let dir = regressions().join(target);
    let mut v: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .filter(|p| {
                let name = p.file_name().unwrap().to_string_lossy();
                !name.starts_with('.') && !name.ends_with(".md")
            })
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("open-")
                    == open
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    v.sort();
    v
}

/// Replay `files`; returns one line per failure (panic or broken invariant).
fn replay(files_pv: &[PathBuf], files_em: &[PathBuf]) -> Vec<String> {
    let scenarios = invariants::scenarios_dir(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let inner = invariants::populate_scenario_dir(&scenarios, &tmp.path().join("p")).unwrap();
    let input = inner.join("fuzz_input.toml");
    let fixture = invariants::EngineFixture::new(&scenarios, &tmp.path().join("e"));
    let mut failures = Vec::new();
    let mut check = |p: &Path, f: &dyn Fn(&[u8]) -> Result<(), String>| {
        let data = std::fs::read(p).unwrap();
        let name = p.strip_prefix(regressions()).unwrap_or(p).display();
        match catch_unwind(AssertUnwindSafe(|| f(&data))) {
            Ok(Ok(())) => {}
            Ok(Err(m)) => failures.push(format!("{name}: {m}")),
            Err(e) => {
                let msg = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failures.push(format!("{name}: panicked: {msg}"));
            }
        }
    };
    for p in files_pv {
        check(p, &|d| invariants::parse_validate_case(&input, d, &[]));
    }
    for p in files_em {
        check(p, &|d| invariants::engine_case(&fixture, d, &[]));
    }
    failures
}

#[test]
fn saved_fuzz_inputs_replay_without_findings() {
    let pv = inputs("parse_validate", false);
    let em = inputs("engine_months", false);
    let failures = replay(&pv, &em);
    assert!(
        failures.is_empty(),
        "{} of {} saved inputs fail:\n{}",
        failures.len(),
        pv.len() + em.len(),
        failures.join("\n")
    );
}

#[test]
#[ignore = "findings reported but not fixed yet (fuzz/regressions/*/open-*)"]
fn open_findings_are_fixed() {
    let pv = inputs("parse_validate", true);
    let em = inputs("engine_months", true);
    let failures = replay(&pv, &em);
    assert!(
        failures.is_empty(),
        "{} of {} open findings still fail:\n{}",
        failures.len(),
        pv.len() + em.len(),
        failures.join("\n")
    );
}

#[test]
fn regression_folders_hold_only_known_targets() {
    let Ok(rd) = std::fs::read_dir(regressions()) else {
        return;
    };
    for e in rd {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if p.is_dir() {
            assert!(
                name == "parse_validate" || name == "engine_months",
                "unknown folder fuzz/regressions/{name}: name it after the fuzz target"
            );
        } else {
            assert!(
                name.ends_with(".md") || name.starts_with('.'),
                "fuzz/regressions/{name}: put inputs in the folder of their fuzz target"
            );
        }
    }
}
