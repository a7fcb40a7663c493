//! Shared by the fuzz targets (`fuzz/fuzz_targets/*.rs`) and the integration
//! tests `tests/properties.rs` and `tests/fuzz_regressions.rs` (included with
//! `#[path]`), so every harness checks the same engine invariants:
//!
//! - every monthly and final output is finite;
//! - imports, exports, effective tariffs, rare-earth stocks and backlogs are
//!   non-negative;
//! - the rare-earth shortfall is in [0, 1] and output losses in [0, 100] %;
//! - a failed run is a `RunError` whose text names the run, the month, the
//!   sector and the parameter values of the failed solve;
//! - a failed load reports every problem with a location or a file.
//!
//! `parse_validate_case` and `engine_case` are the whole bodies of the two
//! fuzz targets, so `tests/fuzz_regressions.rs` replays saved inputs through
//! exactly the code that found them.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use tariffsim::model::{Model, RunError, RunOutput, Workspace};
use tariffsim::scenario::Scenario;

/// The slot range of one metric block of the catalogue, by metric name.
fn metric_range(model: &Model, metric: &str) -> std::ops::Range<usize> {
    let labels = &model.slots.labels;
    let first = labels.iter().position(|l| l.metric == metric);
    match first {
        None => 0..0,
        Some(a) => {
            let n = labels[a..]
                .iter()
                .take_while(|l| l.metric == metric)
                .count();
            a..a + n
        }
    }
}

fn describe(model: &Model, slot: usize, t: usize) -> String {
    let l = &model.slots.labels[slot];
    format!(
        "{} economy={} partner={} sector={} month={}",
        l.metric,
        l.economy,
        l.partner,
        l.sector,
        model.sc.month_label(t)
    )
}

/// Check one run's outputs; the error says which series and month broke which rule.
pub fn check_output(model: &Model, out: &RunOutput) -> Result<(), String> {
    let months = model.months;
    let sl = &model.slots;
    if out.monthly.len() != sl.n_monthly * months || out.finals.len() != sl.n_final {
        return Err(format!(
            "output sizes {} / {} do not match the catalogue {} x {} / {}",
            out.monthly.len(),
            out.finals.len(),
            sl.n_monthly,
            months,
            sl.n_final
        ));
    }
    for slot in 0..sl.n_monthly {
        for t in 0..months {
            let x = out.monthly[slot * months + t];
            if !x.is_finite() {
                return Err(format!(
                    "non-finite output {x}: {}",
                    describe(model, slot, t)
                ));
            }
        }
    }
    for (k, x) in out.finals.iter().enumerate() {
        if !x.is_finite() {
            let (l, kind) = &sl.final_labels[k];
            return Err(format!(
                "non-finite final output {x}: {} {:?} economy={} partner={} sector={}",
                l.metric, kind, l.economy, l.partner, l.sector
            ));
        }
    }
    let bounded: [(&str, f64, f64); 9] = [
        ("imports", 0.0, f64::INFINITY),
        ("exports", 0.0, f64::INFINITY),
        ("tariff_effective", 0.0, f64::INFINITY),
        ("re_backlog", 0.0, f64::INFINITY),
        ("re_stock_months", 0.0, f64::INFINITY),
        ("re_shortfall", 0.0, 1.0),
        ("output_loss", 0.0, 100.0),
        ("re_exports", 0.0, f64::INFINITY),
        // The scarcity price is at most 100 x normal (the price_cap bound).
        ("re_price", 0.0, 9900.0),
    ];
    for (metric, lo, hi) in bounded {
        for slot in metric_range(model, metric) {
            for t in 0..months {
                let x = out.monthly[slot * months + t];
                if !(x >= lo && x <= hi) {
                    return Err(format!(
                        "{x} outside [{lo}, {hi}]: {}",
                        describe(model, slot, t)
                    ));
                }
            }
        }
    }
    Ok(())
}

/// A run failure must name the run, the month, the sector and the values.
pub fn check_run_error(sc: &Scenario, run: u64, e: &RunError) -> Result<(), String> {
    let text = e.to_string();
    let mut problems = Vec::new();
    if e.run != run || !text.contains(&format!("run {run}")) {
        problems.push("the run number");
    }
    if e.sector.is_empty()
        || sc.sector_index(&e.sector).is_none()
        || !text.contains(&format!("sector {}", e.sector))
    {
        problems.push("the sector");
    }
    if e.month.is_empty() || !text.contains(&e.month) {
        problems.push("the month");
    }
    if e.params.is_empty() || !text.contains("parameter values:") {
        problems.push("the parameter values");
    } else {
        for (k, v) in &e.params {
            if !text.contains(&format!("{k}={v}")) {
                problems.push("every parameter value");
                break;
            }
            // Named by a path that `--set` accepts, so the draw can be pinned.
            if !sc.params.iter().any(|p| p.path == *k) {
                problems.push("parameters by their --set paths");
                break;
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "run error does not name {}: {text}",
            problems.join(", ")
        ))
    }
}

/// What running a scenario gave: every run's outcome was acceptable, with
/// how many runs ended in a named error.
#[derive(Debug, Default, Clone, Copy)]
pub struct Checked {
    pub ok_runs: usize,
    pub named_errors: usize,
}

/// Run `runs` runs of `months` months (capped at the scenario's horizon)
/// and check every outcome. Panics are not caught here: a harness treats
/// them as findings.
pub fn run_and_check(sc: &Scenario, months: usize, runs: u64) -> Result<Checked, String> {
    let months = months.clamp(1, sc.meta.months.max(1));
    let model = Model::new(sc, months);
    let mut ws = Workspace::default();
    let mut out = model.new_output();
    let mut c = Checked::default();
    for run in 0..runs {
        match model.run(sc.meta.seed, run, &mut ws, &mut out) {
            Ok(()) => {
                check_output(&model, &out).map_err(|m| format!("run {run}: {m}"))?;
                c.ok_runs += 1;
            }
            Err(e) => {
                check_run_error(sc, run, &e)?;
                c.named_errors += 1;
            }
        }
    }
    Ok(c)
}

/// The repository's `scenarios/` folder, from a manifest dir inside the
/// repository (`..` for the fuzz crate, `.` for the main crate).
pub fn scenarios_dir(manifest_dir: &str) -> PathBuf {
    let m = Path::new(manifest_dir);
    for cand in [m.join("scenarios"), m.join("../scenarios")] {
        if cand.join("world_2024.toml").is_file() {
            return cand.canonicalize().unwrap_or(cand);
        }
    }
    panic!("cannot find scenarios/ from {manifest_dir}");
}

/// Copy the shipped scenarios and their data into `dir/a/b/` and link
/// `dir/scenarios` to it, so that a scenario written to `dir/a/b/X.toml` can
/// layer on `base = "world_2024.toml"` (shipped style) as well as
/// `base = "../../scenarios/world_2024.toml"` (tests/bad_inputs style).
/// Returns `dir/a/b`.
pub fn populate_scenario_dir(scenarios: &Path, dir: &Path) -> std::io::Result<PathBuf> {
    let inner = dir.join("a").join("b");
    std::fs::create_dir_all(inner.join("data"))?;
    for entry in std::fs::read_dir(scenarios)? {
        let p = entry?.path();
        if p.extension().is_some_and(|e| e == "toml") {
            std::fs::copy(&p, inner.join(p.file_name().unwrap()))?;
        }
    }
    for entry in std::fs::read_dir(scenarios.join("data"))? {
        let p = entry?.path();
        if p.extension().is_some_and(|e| e == "csv") {
            std::fs::copy(&p, inner.join("data").join(p.file_name().unwrap()))?;
        }
    }
    #[cfg(unix)]
    {
        let link = dir.join("scenarios");
        if !link.exists() {
            std::os::unix::fs::symlink(&inner, &link)?;
        }
    }
    Ok(inner)
}

/// Every diagnostic of a failed load points somewhere: a span or a file.
pub fn check_diagnostics(d: &tariffsim::diag::Diagnostics) -> Result<(), String> {
    if d.items.is_empty() {
        return Err("load failed with no diagnostics".into());
    }
    for item in &d.items {
        if item.loc.is_none() && item.file.is_none() {
            return Err(format!(
                "diagnostic without a location or a file: {} ({})",
                item.message, item.path
            ));
        }
        if item.message.trim().is_empty() {
            return Err("diagnostic with an empty message".into());
        }
    }
    // Rendering must not panic either (spans may point anywhere).
    let _ = d.render();
    Ok(())
}

/// Findings already reported and not yet fixed, as substrings of their
/// messages, from `TARIFFSIM_FUZZ_KNOWN` (separated by `|`). Lets a long
/// fuzzing campaign look past them; never set in tests.
pub fn known_findings() -> Vec<String> {
    std::env::var("TARIFFSIM_FUZZ_KNOWN")
        .map(|v| {
            v.split('|')
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

fn unless_known(r: Result<(), String>, known: &[String]) -> Result<(), String> {
    match r {
        Err(m) if known.iter().any(|k| m.contains(k.as_str())) => Ok(()),
        r => r,
    }
}

/// Target `parse_validate`: `data` is a scenario file, written to
/// `input_path` (inside a folder made by `populate_scenario_dir`), loaded and
/// validated; a valid scenario becomes a model with a horizon of at most 3
/// months and is explained.
pub fn parse_validate_case(input_path: &Path, data: &[u8], known: &[String]) -> Result<(), String> {
    // A first byte 0xFE (0xFD, 0xFC) makes the rest a flows (baseline
    // tariffs, tariff lines) CSV file read by the shipped world, so the CSV
    // readers are fuzzed too.
    let data_key = match data.first() {
        Some(0xFE) => Some("flows"),
        Some(0xFD) => Some("baseline_tariffs"),
        Some(0xFC) => Some("lines"),
        _ => None,
    };
    match data_key {
        Some(key) => {
            let csv = input_path.with_file_name("fuzz_data.csv");
            std::fs::write(&csv, &data[1..]).map_err(|e| format!("cannot write the CSV: {e}"))?;
            let toml = format!("base = \"world_2024.toml\"\n[trade]\n{key} = \"fuzz_data.csv\"\n");
            std::fs::write(input_path, toml)
        }
        None => std::fs::write(input_path, data),
    }
    .map_err(|e| format!("cannot write the input: {e}"))?;
    match tariffsim::scenario::load_scenario(input_path, &Default::default()) {
        Ok(sc) => {
            let months = sc.meta.months.clamp(1, 3);
            let model = Model::new(&sc, months);
            let out = model.new_output();
            if out.monthly.len() != model.slots.n_monthly * months {
                return Err("output buffer does not match the catalogue".into());
            }
            if tariffsim::explain::explain(&sc).is_empty() {
                return Err("empty explanation".into());
            }
            Ok(())
        }
        Err(d) => unless_known(check_diagnostics(&d), known),
    }
}

/// What `engine_case` needs: the scenario the overrides apply to, the trade
/// CSV to zero rows of, and where to write the zeroed copy.
pub struct EngineFixture {
    pub scenario: PathBuf,
    pub trade_csv: String,
    pub zeroed_csv: PathBuf,
}

impl EngineFixture {
    /// scenarios/london_framework.toml, with zeroed copies written to `tmp`.
    pub fn new(scenarios: &Path, tmp: &Path) -> EngineFixture {
        std::fs::create_dir_all(tmp).expect("create a temporary folder");
        EngineFixture {
            scenario: scenarios.join("london_framework.toml"),
            trade_csv: std::fs::read_to_string(scenarios.join("data/trade_2024.csv"))
                .expect("read the trade data"),
            zeroed_csv: tmp.join("trade_zeroed.csv"),
        }
    }
}

/// The trade CSV with the value of every row starting with one of `prefixes` set to 0.
pub fn zeroed_csv(csv: &str, prefixes: &[&str]) -> String {
    let mut out = String::with_capacity(csv.len());
    for (k, line) in csv.lines().enumerate() {
        if k > 0 && prefixes.iter().any(|p| line.starts_with(p)) {
            let mut fields: Vec<&str> = line.splitn(5, ',').collect();
            if fields.len() == 5 {
                fields[3] = "0";
                out.push_str(&fields.join(","));
                out.push('\n');
                continue;
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// How one engine case ended when no invariant failed.
#[derive(Debug, Clone, Copy)]
pub enum CaseOutcome {
    /// The overrides made the scenario invalid (with located diagnostics).
    Invalid,
    /// The scenario validated and every run was checked.
    Ran(Checked),
}

/// Apply `sets` (after zeroing the trade rows starting with any of `zero`)
/// to the fixture's scenario; if it validates, run and check `runs` runs of
/// `months` months.
pub fn engine_sets(
    f: &EngineFixture,
    mut sets: Vec<String>,
    zero: &[&str],
    months: usize,
    runs: u64,
) -> Result<CaseOutcome, String> {
    if !zero.is_empty() {
        std::fs::write(&f.zeroed_csv, zeroed_csv(&f.trade_csv, zero))
            .map_err(|e| format!("cannot write the CSV: {e}"))?;
        sets.insert(
            0,
            format!("trade.flows={:?}", f.zeroed_csv.display().to_string()),
        );
    }
    let opts = tariffsim::scenario::LoadOptions { sets };
    match tariffsim::scenario::load_scenario(&f.scenario, &opts) {
        Ok(sc) => run_and_check(&sc, months, runs).map(CaseOutcome::Ran),
        Err(d) => check_diagnostics(&d).map(|()| CaseOutcome::Invalid),
    }
}

/// The overrides (and `!zero` lines) of an engine input, one per line: what
/// to save in `fuzz/regressions/engine_months/` when a structured input fails.
pub fn engine_input_text(sets: &[String], zero: &[String]) -> String {
    let mut t = String::new();
    for z in zero {
        t.push_str("!zero ");
        t.push_str(z);
        t.push('\n');
    }
    for s in sets {
        t.push_str(s);
        t.push('\n');
    }
    t
}

/// Target `engine_months`. Two input forms:
///
/// - UTF-8 text: one `--set KEY=VALUE` per line (blank lines and `#`
///   comments skipped, at most 32 lines), applied to london_framework.toml; a
///   line `!zero PREFIX` instead zeroes every row of the baseline trade CSV
///   starting with PREFIX (`!zero CN,US,rare_earth`, `!zero VN,`), written to
///   a copy that a first `trade.flows` override names;
/// - a first byte 0xFF (never in UTF-8): the rest is decoded by
///   `decode_structured` into overrides that are valid by construction, so
///   mutations explore the engine rather than the validator.
///
/// A valid scenario is run for 2 runs of up to 6 months and checked.
pub fn engine_case(f: &EngineFixture, data: &[u8], known: &[String]) -> Result<(), String> {
    let (sets, zero) = if data.first() == Some(&0xFF) {
        decode_structured(&data[1..])
    } else {
        let Ok(text) = std::str::from_utf8(data) else {
            return Ok(());
        };
        let mut sets = Vec::new();
        let mut zero = Vec::new();
        for line in text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .take(32)
        {
            match line.strip_prefix("!zero ") {
                Some(prefix) if !prefix.trim().is_empty() => zero.push(prefix.trim().to_string()),
                _ => sets.push(line.to_string()),
            }
        }
        (sets, zero)
    };
    let zero_refs: Vec<&str> = zero.iter().map(String::as_str).collect();
    let r = engine_sets(f, sets.clone(), &zero_refs, 6, 2).map(|_| ());
    unless_known(r, known)
        .map_err(|m| format!("{m}\ninput as text:\n{}", engine_input_text(&sets, &zero)))
}

/// Economies, sectors and licensing importers of world_2024.toml (shared
/// with tests/properties.rs).
pub const F_ECONS: [&str; 9] = ["US", "CN", "EU", "JP", "KR", "MX", "CA", "VN", "ROW"];
pub const F_SECTORS: [&str; 9] = [
    "agriculture",
    "energy",
    "metals_minerals",
    "chemicals_pharma",
    "machinery",
    "electronics",
    "vehicles",
    "consumer_goods",
    "rare_earth",
];
pub const F_LIC_IMPORTERS: [&str; 8] = ["US", "EU", "JP", "KR", "MX", "CA", "VN", "ROW"];
const F_REGIMES: [&str; 4] = ["free", "licensing", "streamlined", "ban"];
const F_RULES: [&str; 5] = [
    "framework_ratified",
    "busan_general_licences",
    "framework_collapses",
    "cn_matches_us",
    "us_matches_cn",
];
const F_MEASURES: [&str; 3] = ["fz_alpha", "fz_kilo", "fz_zulu"];

/// A number as TOML: `inf` for infinity, otherwise the round-trip form.
/// A tariff rate as a scenario value: a bare fraction up to 5 (500 %), a
/// percent string above (bare rates above 5 are refused as percent points).
pub fn toml_rate(x: f64) -> String {
    if x.abs() > 5.0 {
        format!("\"{:?}%\"", x * 100.0)
    } else {
        toml_num(x)
    }
}

fn toml_num(x: f64) -> String {
    if x == f64::INFINITY {
        "inf".to_string()
    } else {
        format!("{x:?}")
    }
}

/// Map `w` onto [lo, hi]: the first `specials.len()` codes give the special
/// values, the rest spread log-uniformly (lo > 0) or quadratically (lo = 0).
fn pick(w: u16, lo: f64, hi: f64, specials: &[f64]) -> f64 {
    let k = specials.len();
    if (w as usize) < k {
        return specials[w as usize];
    }
    let t = (f64::from(w) - k as f64) / (65535.0 - k as f64);
    let x = if lo > 0.0 {
        lo * (hi / lo).powf(t)
    } else {
        lo + (hi - lo) * t * t
    };
    x.clamp(lo, hi)
}

/// Decode `bytes` (after the 0xFF marker) into valid-by-construction
/// overrides of london_framework.toml: chunks of 6 bytes
/// `[op, a, b, c, w_hi, w_lo]`, `op` choosing what to override, `a`, `b`,
/// `c` choosing where, `w` the value (ranges are the validator's, with the
/// numerical extremes as special values). Returns (sets, zero prefixes).
pub fn decode_structured(bytes: &[u8]) -> (Vec<String>, Vec<String>) {
    let mut sets = Vec::new();
    let mut zero = Vec::new();
    for ch in bytes.chunks_exact(6).take(40) {
        let (op, a, b, c) = (ch[0], ch[1] as usize, ch[2] as usize, ch[3] as usize);
        let w = u16::from_be_bytes([ch[4], ch[5]]);
        let sector = F_SECTORS[a % 9];
        match op % 16 {
            0 => {
                let (key, x) = match b % 7 {
                    0 => (
                        "sigma_import",
                        pick(w, 1e-3, 100.0, &[1.0001, 1.0, 0.9999, 30.0, 100.0]),
                    ),
                    1 => (
                        "sigma_domestic",
                        pick(w, 1e-3, 100.0, &[1.0001, 1.0, 0.9999, 30.0, 100.0]),
                    ),
                    2 => ("eta", pick(w, 0.0, 100.0, &[0.0, 1.0, 5.0, 100.0])),
                    3 => (
                        "epsilon",
                        pick(w, 1e-6, 1e6, &[f64::INFINITY, 0.05, 50.0, 1e-6]),
                    ),
                    4 => (
                        "half_life_months",
                        pick(w, 1e-3, 600.0, &[0.5, 60.0, 600.0]),
                    ),
                    5 => ("noise_sd", pick(w, 0.0, 2.0, &[0.0, 2.0])),
                    _ => ("frontload", pick(w, 0.0, 10.0, &[0.0, 10.0])),
                };
                sets.push(format!("sectors.{sector}.{key}={}", toml_num(x)));
            }
            1 => {
                let x = pick(w, 1e-6, 1e6, &[f64::INFINITY, 0.05, 50.0, 1e-6]);
                sets.push(format!(
                    "sectors.{sector}.epsilon_by_exporter.{}={}",
                    F_ECONS[b % 9],
                    toml_num(x)
                ));
            }
            2 => {
                let id = F_MEASURES[a % 3];
                let by = b % 9;
                let on = (b / 9) % 10;
                let on = if on == 9 || on == by {
                    "\"ALL\"".to_string()
                } else {
                    format!("\"{}\"", F_ECONS[on])
                };
                // Negative specials are cuts (down to -1, clamped at zero).
                let rate = pick(w, 0.0, 100.0, &[0.0, 100.0, 1.0, 1e-9, -1.0, -0.05]);
                let month = 1 + (a / 3) % 6;
                let day = 1 + (c / 4) % 28;
                sets.push(format!("tariffs.{id}.by=\"{}\"", F_ECONS[by]));
                sets.push(format!("tariffs.{id}.on={on}"));
                sets.push(format!("tariffs.{id}.rate={}", toml_rate(rate)));
                sets.push(format!("tariffs.{id}.from=\"2025-{month:02}-{day:02}\""));
                if c & 1 == 1 {
                    sets.push(format!("tariffs.{id}.mode=\"set\""));
                }
                if c & 2 == 2 {
                    sets.push(format!(
                        "tariffs.{id}.sectors=[\"{}\"]",
                        F_SECTORS[(c / 4) % 9]
                    ));
                }
            }
            3 => {
                let rate = toml_rate(pick(w, 0.0, 100.0, &[0.0, 100.0, 1.0, -0.5]));
                match a % 3 {
                    0 => sets.push(format!(
                        "tariffs.us_reciprocal_cn.path=[[\"2025-04-05\", {rate}], [\"2025-05-14\", 0.1]]"
                    )),
                    1 => sets.push(format!(
                        "tariffs.us_fentanyl_cn.path=[[\"2025-02-04\", {rate}]]"
                    )),
                    _ => sets.push(format!("tariffs.us_s232_metals_increase.rate={rate}")),
                }
            }
            4 => {
                let x = pick(w, 1e-6, 1e6, &[0.0, f64::INFINITY, 1.0]);
                sets.push(format!(
                    "licensing.regimes.{}.capacity={}",
                    F_REGIMES[a % 4],
                    toml_num(x)
                ));
            }
            5 => {
                let x = pick(w, 0.0, 1.0, &[0.0, 1.0]);
                sets.push(format!(
                    "licensing.regimes.{}.approval={}",
                    F_REGIMES[a % 4],
                    toml_num(x)
                ));
            }
            6 => {
                let x = pick(w, 0.0, 120.0, &[0.0, 6.0, 120.0]);
                sets.push(format!(
                    "licensing.importers.{}.stock_months={}",
                    F_LIC_IMPORTERS[a % 8],
                    toml_num(x)
                ));
            }
            7 => {
                let x = pick(w, 0.0, 1.0, &[0.0, 1.0]);
                sets.push(format!(
                    "licensing.importers.{}.dependence={}",
                    F_LIC_IMPORTERS[a % 8],
                    toml_num(x)
                ));
            }
            8 => {
                let path = [
                    "[[\"2025-01\", \"ban\"]]",
                    "[[\"2025-01\", \"ban\"], [\"2025-03-31\", \"licensing\"]]",
                    "[[\"2025-02-10\", \"licensing\"], [\"2025-04\", \"free\"]]",
                    "[[\"2025-01-31\", \"streamlined\"], [\"2025-02-28\", \"ban\"], [\"2025-05-15\", \"free\"]]",
                    "[[\"2025-03-16\", \"licensing\"]]",
                ][a % 5];
                sets.push(format!("licensing.regime={path}"));
            }
            9 => {
                let rule = F_RULES[a % 5];
                let p = pick(w, 0.0, 1.0, &[1.0, 0.0]);
                sets.push(format!("rules.{rule}.probability={}", toml_num(p)));
                sets.push(format!("rules.{rule}.lag_months={}", b % 4));
                if c & 1 == 1 && a % 5 < 3 {
                    sets.push(format!(
                        "rules.{rule}.when={{between=[\"2025-01\",\"2025-06\"]}}"
                    ));
                }
            }
            10 => {
                let mut prefix = format!("{},", F_ECONS[a % 9]);
                if b % 10 < 9 {
                    prefix.push_str(F_ECONS[b % 10]);
                    prefix.push(',');
                    if c % 10 < 9 {
                        prefix.push_str(F_SECTORS[c % 10]);
                    }
                }
                zero.push(prefix);
            }
            11 => {
                if c & 1 == 0 {
                    let x = pick(w, 1e-6, 100.0, &[1.0, 100.0]);
                    sets.push(format!("licensing.efficiency={}", toml_num(x)));
                } else {
                    let x = pick(w, 0.0, 2.0, &[0.0, 2.0]);
                    sets.push(format!("licensing.noise_sd={}", toml_num(x)));
                }
            }
            12 => sets.push(format!("scenario.seed={w}")),
            13 => {
                if c & 1 == 0 {
                    let x = pick(w, 0.0, 1.0, &[0.0, 1.0]);
                    sets.push(format!("sectors.{sector}.noise_common={}", toml_num(x)));
                } else {
                    sets.push(format!("sectors.{sector}.payback_months={}", 1 + w % 60));
                }
            }
            14 => match b % 3 {
                0 => sets.push(format!(
                    "licensing.regimes.{}.delay_months={}",
                    F_REGIMES[a % 4],
                    w % 25
                )),
                1 => sets.push(format!(
                    "licensing.regimes.{}.inspection_months={}",
                    F_REGIMES[a % 4],
                    w % 25
                )),
                _ => {
                    let e = F_ECONS[a % 9];
                    if e != "CN" {
                        let x = pick(w, 0.0, 1.0, &[0.0, 1.0]);
                        sets.push(format!(
                            "licensing.importers.{e}.controlled={}",
                            toml_num(x)
                        ));
                        sets.push(format!("licensing.importers.{e}.transit_months={}", c % 7));
                    }
                }
            },
            _ => {
                let e = F_ECONS[a % 9];
                let (key, x) = match b % 5 {
                    0 => ("growth_pct", -50.0 + 100.0 * f64::from(w) / 65535.0),
                    1 => ("revenue_recycled", pick(w, 0.0, 1.0, &[0.0, 1.0])),
                    2 => ("demand_burden", pick(w, 0.0, 10.0, &[0.0, 10.0])),
                    3 => {
                        // One coefficient for every economy (model 2).
                        let x = pick(w, 0.0, 1000.0, &[0.0, 1000.0]);
                        sets.push(format!("macro.tpu_sensitivity={}", toml_num(x)));
                        continue;
                    }
                    _ => ("multiplier", pick(w, 1e-6, 10.0, &[1.0, 10.0])),
                };
                sets.push(format!("economies.{e}.{key}={}", toml_num(x)));
            }
        }
    }
    (sets, zero)
}
