//! The bad-input corpus: malformed and hostile scenarios must be rejected
//! with exit code 2, every problem located and explained, nothing written,
//! and never a panic.
//!
//! Cases:
//! - every `tests/bad_inputs/*.toml` (one problem family per file; the first
//!   comment line of each file says what is wrong; CSV fixtures sit next to
//!   the files that name them);
//! - the `--set` cases in [`SET_CASES`] (applied to a shipped scenario);
//! - the cases built by [`generated_cases`] in a temporary folder (binary
//!   data, huge files, deep nesting, long base chains, CRLF ...).
//!
//! For each case the test runs the real binary from the project root:
//! `tariffsim run <file> --out <empty temp dir> --runs 10 --quiet [--set ...]`
//! and checks that
//! 1. the exit code is exactly 2 and stderr does not contain "panicked";
//! 2. stderr equals the golden file `tests/bad_inputs/<name>.stderr`
//!    (temporary paths are shown as `<TMP>`, the project root as `<ROOT>`);
//! 3. every `error:` line starts with `path:line:col:`, or, for the
//!    file-level cases in [`FILE_LEVEL`], with the file's path;
//! 4. the cases in [`MISSPELLINGS`] say "did you mean", and those in
//!    [`NO_SUGGESTION`] do not (they list the valid names instead);
//! 5. the `--out` folder is still empty;
//! 6. stderr is under 64 kB (echoed input is clipped);
//!
//! and that `tariffsim validate` on the same input also exits with 2 and
//! prints the same `error:` lines.
//!
//! Updating the golden files: after a deliberate change of messages, run
//!
//! ```text
//! UPDATE_GOLDEN=1 cargo test --release --test bad_inputs
//! ```
//!
//! which writes `tests/bad_inputs/<name>.stderr` instead of comparing, then
//! read the diff of every changed golden file before committing it.
//!
//! [`KNOWN_PROBLEMS`] lists cases whose current output is wrong (a panic-free
//! exit but a missing location, a misleading message, ...). They are run and
//! must not panic, but the other checks are skipped and they have no golden
//! file. When one is fixed, remove it from the list and write its golden file.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_tariffsim");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// The corpus folder, relative to the project root.
const CORPUS: &str = "tests/bad_inputs";
/// The valid scenario the `--set` cases are applied to.
const SET_BASE: &str = "scenarios/london_framework.toml";

/// `--set` cases: (name, the `--set` values).
const SET_CASES: &[(&str, &[&str])] = &[
    ("set_no_equals", &["tariffs.us_fentanyl_cn.rate"]),
    ("set_path_through_number", &["scenario.months.x=3"]),
    ("set_unknown_key", &["sectors.electronics.sigma_imprt=3"]),
    ("set_unknown_top_level", &["tarifs.us_fentanyl_cn.rate=0.5"]),
    ("set_empty_key", &["=3"]),
    ("set_empty_key_part", &["scenario..months=3"]),
    ("set_wrong_type", &["scenario.months=abc"]),
    ("set_table_replaced_by_number", &["scenario=5"]),
    (
        "set_unparsable_value",
        &["rules.cn_matches_us.probability=[1,2"],
    ),
    (
        "set_bad_distribution",
        &["sectors.electronics.sigma_import={dist=\"uniform\",min=6,max=3}"],
    ),
    ("set_unknown_economy", &["tariffs.us_fentanyl_cn.by=USA"]),
    (
        "set_several_problems",
        &["scenario.months=0", "rules.cn_matches_us.probability=2"],
    ),
    // A misspelled id in a --set path silently creates a new sector /
    // measure; the user gets "missing required key" errors, no "did you mean".
    (
        "set_misspelled_sector_id",
        &["sectors.electronic.sigma_import=3"],
    ),
    (
        "set_misspelled_measure_id",
        &["tariffs.us_fentanyl_cm.rate=0.5"],
    ),
    // A name far from every tariff: one error listing the tariffs that
    // exist, not three missing keys (issue 15).
    ("set_unknown_measure_id", &["tariffs.nosuch.rate=0.2"]),
    // Base files are read before overrides: refused, not silently ignored.
    ("set_base", &["base=world_2017.toml"]),
    // A tariff's scale must be a finite factor (issue 15).
    (
        "set_tariff_scale_not_finite",
        &["tariffs.us_reciprocal_cn.scale=inf"],
    ),
    (
        "set_tariff_scale_unknown_tariff",
        &["tariffs.us_reciprocl_cn.scale=2"],
    ),
    ("set_gdp_in_trillions", &["economies.US.gdp_usd_bn=29.185"]),
    // A GDP that validated but made every run fail.
    ("set_gdp_tiny", &["economies.US.gdp_usd_bn=1e-300"]),
];

/// Cases whose report must contain "did you mean".
const MISSPELLINGS: &[&str] = &[
    "unknown_key_top_level",
    "unknown_key_scenario",
    "unknown_key_economy",
    "unknown_key_sector",
    "unknown_key_tariff",
    "unknown_key_licensing",
    "unknown_key_regime",
    "unknown_key_importer",
    "unknown_key_rule",
    "unknown_condition_kind",
    "unknown_key_condition",
    "unknown_action_kind",
    "unknown_key_action",
    "unknown_key_distribution",
    "unknown_key_macro",
    "unknown_key_trade",
    "id_unknown_economy_by",
    "id_unknown_economy_on",
    "id_unknown_sector",
    "id_unknown_regime",
    "id_unknown_regime_action",
    "id_unknown_rule_fired",
    "id_unknown_measure_revert",
    "id_unknown_licensing_importer",
    "id_unknown_epsilon_exporter",
    "id_unknown_condition_economy",
    "id_bad_mode",
    "dist_unknown_kind",
    "csv_unknown_economy",
    "csv_tariffs_bad",
    "many_problems",
    "set_unknown_key",
    "set_unknown_top_level",
    "set_unknown_economy",
    "set_misspelled_sector_id",
    "set_misspelled_measure_id",
    "gen_huge_comments",
];

/// Unknown names that resemble nothing: no guess, but the valid names.
const NO_SUGGESTION: &[&str] = &[
    "unknown_key_no_suggestion",
    "id_unknown_economy_no_suggestion",
    "dist_unknown_kind_no_suggestion",
];

/// Problems with a whole file: the error names the file, not a line.
const FILE_LEVEL: &[&str] = &[
    "empty",
    "not_utf8",
    "gen_binary",
    "gen_too_big",
    "gen_missing_scenario",
    "gen_scenario_is_folder",
];

/// Cases whose current output is not acceptable (see the module docs and
/// the report of the corpus author). Run for panics only.
const KNOWN_PROBLEMS: &[&str] = &[];

struct Case {
    name: String,
    /// The scenario path as passed on the command line.
    scenario: String,
    sets: Vec<String>,
}

impl Case {
    fn new(name: &str, scenario: impl Into<String>) -> Case {
        Case {
            name: name.to_string(),
            scenario: scenario.into(),
            sets: Vec::new(),
        }
    }
}

fn corpus_dir() -> PathBuf {
    Path::new(ROOT).join(CORPUS)
}

/// Every `*.toml` in the corpus folder, sorted.
fn corpus_cases() -> Vec<Case> {
    let mut names: Vec<String> = std::fs::read_dir(corpus_dir())
        .expect("tests/bad_inputs exists")
        .filter_map(|e| {
            let p = e.ok()?.path();
            (p.extension()? == "toml").then(|| p.file_stem()?.to_str().map(String::from))?
        })
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let path = format!("{CORPUS}/{n}.toml");
            Case::new(&n, path)
        })
        .collect()
}

fn set_cases() -> Vec<Case> {
    SET_CASES
        .iter()
        .map(|(name, sets)| Case {
            name: (*name).to_string(),
            scenario: SET_BASE.to_string(),
            sets: sets.iter().map(|s| (*s).to_string()).collect(),
        })
        .collect()
}

/// Deterministic pseudo-random bytes (no dependency on a RNG crate).
fn noise(n: usize, mut state: u64) -> Vec<u8> {
    (0..n)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as u8
        })
        .collect()
}

/// Cases written into `dir`, a temporary folder.
fn generated_cases(dir: &Path) -> Vec<Case> {
    let world = Path::new(ROOT).join("scenarios/world_2024.toml");
    let base = format!("base = \"{}\"\n", world.display());
    let mut out = Vec::new();
    let mut add = |name: &str, bytes: Vec<u8>| {
        let p = dir.join(format!("{name}.toml"));
        std::fs::write(&p, bytes).expect("write generated case");
        out.push(Case::new(name, p.display().to_string()));
    };

    // Random bytes with NULs and bytes that are never valid UTF-8.
    let mut bin = noise(4096, 42);
    bin[0] = 0x7f;
    bin[1] = b'E';
    bin[2] = 0;
    bin[3] = 0xff;
    add("gen_binary", bin);

    // UTF-8 text with NUL characters in a string and on a line of their own.
    add(
        "gen_nul_in_text",
        format!("{base}[scenario]\nname = \"a\0b\"\n\0\0\0\nmonths = 12\n").into_bytes(),
    );

    // 3 MB of comments, then a valid-looking body with one misspelled key.
    let mut huge = String::with_capacity(3_100_000);
    for k in 0..30_000 {
        let _ = writeln!(huge, "# comment line {k:05} {}", "c".repeat(80));
    }
    huge.push_str(&base);
    huge.push_str("\n[sectors.electronics]\nsigma_imprt = 3.0\n");
    add("gen_huge_comments", huge.into_bytes());

    // 9 MB: over the 8 MB limit for scenario files.
    let mut big = base.clone();
    let line = format!("# {}\n", "x".repeat(98));
    while big.len() < 9 * 1024 * 1024 {
        big.push_str(&line);
    }
    add("gen_too_big", big.into_bytes());

    // 5000 nested arrays and inline tables.
    let n = 5000;
    add(
        "gen_deep_arrays",
        format!("{base}x = {}{}\n", "[".repeat(n), "]".repeat(n)).into_bytes(),
    );
    add(
        "gen_deep_inline_tables",
        format!("{base}x = {}1{}\n", "{ a = ".repeat(n), " }".repeat(n)).into_bytes(),
    );
    add(
        "gen_deep_unclosed_arrays",
        format!("{base}x = {}\n", "[".repeat(n)).into_bytes(),
    );
    let dotted = vec!["a"; n].join(".");
    add(
        "gen_deep_table_header",
        format!("{base}[{dotted}]\nb = 1\n").into_bytes(),
    );
    add(
        "gen_deep_dotted_key",
        format!("{base}{dotted} = 1\n").into_bytes(),
    );

    // Windows line endings and tabs before the problems.
    add(
        "gen_crlf_tabs",
        format!(
            "{}\r\n[scenario]\r\n\tmonths = \"36\"\r\n\tseed = -5\r\n",
            base.trim_end()
        )
        .into_bytes(),
    );

    // A 200 000-character line, then a line over 400 characters with an error.
    add(
        "gen_long_lines",
        format!(
            "{base}[scenario]\ndescription = \"{}\"\nmnths = 12 # {}\n",
            "d".repeat(200_000),
            "z".repeat(500)
        )
        .into_bytes(),
    );

    // A chain of 20 base files: more than the 16 levels allowed.
    let depth = 20;
    for k in 1..depth {
        let text = if k + 1 < depth {
            format!("base = \"chain_{:02}.toml\"\n", k + 1)
        } else {
            base.clone()
        };
        std::fs::write(dir.join(format!("chain_{k:02}.toml")), text).expect("write chain");
    }
    add(
        "gen_base_chain_too_long",
        b"base = \"chain_01.toml\"\n".to_vec(),
    );

    // A 1 MB key: the report echoes it clipped, not twice in full.
    add(
        "gen_huge_key",
        format!("{base}[scenario]\n{} = 1\n", "k".repeat(1 << 20)).into_bytes(),
    );

    // Paths that are not files (stable, so no temporary folder).
    out.push(Case::new(
        "gen_missing_scenario",
        format!("{CORPUS}/no_such_scenario.toml"),
    ));
    out.push(Case::new("gen_scenario_is_folder", CORPUS));
    out
}

fn run(args: &[&str], sets: &[String]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(ROOT).args(args);
    for s in sets {
        cmd.arg("--set").arg(s);
    }
    cmd.output().expect("run tariffsim")
}

/// Replace run-specific paths by placeholders.
fn normalize(text: &str, tmp: &Path) -> String {
    let mut t = text.to_string();
    let mut tmps = vec![tmp.display().to_string()];
    if let Ok(c) = std::fs::canonicalize(tmp) {
        tmps.push(c.display().to_string());
    }
    tmps.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for p in tmps {
        t = t.replace(&p, "<TMP>");
    }
    let mut roots = vec![ROOT.to_string()];
    if let Ok(c) = std::fs::canonicalize(ROOT) {
        roots.push(c.display().to_string());
    }
    roots.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for p in roots {
        t = t.replace(&p, "<ROOT>");
    }
    t
}

/// Does an `error:` line start with `path:line:col:` (or the file's path)?
fn is_located(line: &str, file: &str, file_level: bool) -> bool {
    let Some(rest) = line.strip_prefix("error: ") else {
        return false;
    };
    let pos = rest.split(": ").next().unwrap_or("");
    let mut parts = pos.rsplitn(3, ':');
    let (col, ln, path) = (parts.next(), parts.next(), parts.next());
    let digits =
        |s: Option<&str>| s.is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()));
    if digits(col) && digits(ln) && path.is_some_and(|p| !p.is_empty() && p != "<input>") {
        return true;
    }
    file_level && pos == file
}

fn error_lines(text: &str) -> Vec<&str> {
    text.lines().filter(|l| l.starts_with("error:")).collect()
}

/// The first difference between two texts, for a short failure message.
fn first_difference(expected: &str, actual: &str) -> String {
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    for k in 0..e.len().max(a.len()) {
        let (x, y) = (e.get(k), a.get(k));
        if x != y {
            let cut = |s: Option<&&str>| -> String {
                s.map_or("<none>".into(), |s| s.chars().take(200).collect())
            };
            return format!(
                "line {}:\n      expected: {}\n      actual:   {}",
                k + 1,
                cut(x),
                cut(y)
            );
        }
    }
    "the texts differ only in line endings".into()
}

fn short(text: &str) -> String {
    let mut s: String = text.chars().take(600).collect();
    if s.len() < text.len() {
        s.push_str("...");
    }
    s
}

#[test]
fn bad_inputs_are_rejected_with_located_messages() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let tmp = tempfile::tempdir().expect("temp dir");
    let gen_dir = tmp.path().join("gen");
    std::fs::create_dir(&gen_dir).expect("create gen dir");

    let mut cases = corpus_cases();
    cases.extend(set_cases());
    cases.extend(generated_cases(&gen_dir));

    let mut failures: Vec<String> = Vec::new();
    let mut names = BTreeSet::new();
    for c in &cases {
        if !names.insert(c.name.clone()) {
            failures.push(format!("{}: two cases have this name", c.name));
        }
    }
    for list in [MISSPELLINGS, NO_SUGGESTION, FILE_LEVEL, KNOWN_PROBLEMS] {
        for n in list {
            if !names.contains(*n) {
                failures.push(format!("{n}: listed in the test but there is no such case"));
            }
        }
    }

    let mut known_report = Vec::new();
    for (k, c) in cases.iter().enumerate() {
        let out_dir = tmp.path().join(format!("out_{k}"));
        std::fs::create_dir(&out_dir).expect("create out dir");
        let out_str = out_dir.display().to_string();
        let o = run(
            &[
                "run",
                &c.scenario,
                "--out",
                &out_str,
                "--runs",
                "10",
                "--quiet",
            ],
            &c.sets,
        );
        let stderr = String::from_utf8_lossy(&o.stderr);
        let stderr = normalize(&stderr, &gen_dir);
        let mut fail = |msg: String| failures.push(format!("{}: {msg}", c.name));

        if stderr.contains("panicked") || o.status.code().is_none() {
            fail(format!(
                "crashed (status {:?}); stderr:\n{}",
                o.status,
                short(&stderr)
            ));
            continue;
        }
        // Echoed input is clipped: whatever the input, the report stays short.
        if stderr.len() > 64 * 1024 {
            fail(format!("stderr is {} bytes (over 64 kB)", stderr.len()));
        }
        if KNOWN_PROBLEMS.contains(&c.name.as_str()) {
            known_report.push(format!("{} (exit {:?})", c.name, o.status.code()));
            continue;
        }
        if o.status.code() != Some(2) {
            fail(format!(
                "exit code {:?}, expected 2; stderr:\n{}",
                o.status.code(),
                short(&stderr)
            ));
        }

        // Golden file.
        let golden = corpus_dir().join(format!("{}.stderr", c.name));
        if update {
            std::fs::write(&golden, stderr.as_bytes()).expect("write golden file");
        } else {
            match std::fs::read(&golden) {
                Ok(b) => {
                    let expected = String::from_utf8_lossy(&b);
                    if expected != stderr {
                        fail(format!(
                            "stderr differs from {CORPUS}/{}.stderr (UPDATE_GOLDEN=1 rewrites it) at {}",
                            c.name,
                            first_difference(&expected, &stderr)
                        ));
                    }
                }
                Err(_) => fail(format!(
                    "no golden file {CORPUS}/{}.stderr (run with UPDATE_GOLDEN=1 to write it); stderr:\n{}",
                    c.name,
                    short(&stderr)
                )),
            }
        }

        // Locations.
        let file_level = FILE_LEVEL.contains(&c.name.as_str());
        let shown = normalize(&c.scenario, &gen_dir);
        let errors = error_lines(&stderr);
        if errors.is_empty() {
            fail(format!("no `error:` line; stderr:\n{}", short(&stderr)));
        }
        for l in &errors {
            if !is_located(l, &shown, file_level) {
                fail(format!("error without a location: {}", short(l)));
            }
        }

        // Suggestions.
        if MISSPELLINGS.contains(&c.name.as_str()) && !stderr.contains("did you mean") {
            fail("no \"did you mean\" for a misspelling".into());
        }
        if NO_SUGGESTION.contains(&c.name.as_str()) {
            if stderr.contains("did you mean") {
                fail("a \"did you mean\" for a name that resembles nothing".into());
            }
            if !stderr.contains("valid ") {
                fail("the help does not list the valid names".into());
            }
        }

        // Nothing written.
        let written: Vec<String> = std::fs::read_dir(&out_dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        if !written.is_empty() {
            fail(format!("wrote into --out: {written:?}"));
        }

        // `validate` rejects the same input with the same errors.
        let v = run(&["validate", &c.scenario], &c.sets);
        let vstderr = normalize(&String::from_utf8_lossy(&v.stderr), &gen_dir);
        if vstderr.contains("panicked") || v.status.code() != Some(2) {
            fail(format!(
                "validate: exit {:?}, expected 2; stderr:\n{}",
                v.status.code(),
                short(&vstderr)
            ));
        } else {
            let verrors: BTreeSet<&str> = error_lines(&vstderr).into_iter().collect();
            for l in &errors {
                if !verrors.contains(l) {
                    fail(format!("validate does not report: {}", short(l)));
                }
            }
        }
    }

    // Golden files that belong to no checked case.
    if !update {
        let checked: BTreeSet<&str> = cases
            .iter()
            .map(|c| c.name.as_str())
            .filter(|n| !KNOWN_PROBLEMS.contains(n))
            .collect();
        for e in std::fs::read_dir(corpus_dir())
            .expect("read corpus")
            .flatten()
        {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "stderr") {
                let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or("");
                if !checked.contains(stem) {
                    failures.push(format!(
                        "{CORPUS}/{stem}.stderr belongs to no checked case (delete it, or take the case off KNOWN_PROBLEMS)"
                    ));
                }
            }
        }
    }

    if !known_report.is_empty() {
        eprintln!(
            "known problems (run for panics only): {}",
            known_report.join(", ")
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {} bad-input cases failed:\n\n{}\n",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
