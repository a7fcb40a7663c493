//! `run --split-by RULE`: the runs aggregated in two groups by whether a rule
//! fired. The groups partition the runs (their counts add up to the run count
//! and match events.csv and runs.csv; their means recombine into
//! summary.csv's), the rule's action shows in the group where it fired,
//! split.csv is byte-identical for any thread count and sharding, bad rule
//! ids are usage errors, and without the flag nothing is added.
//!
//! The scenario is the shipped default, `london_framework.toml`, split by
//! `framework_collapses` (a 1-3 % monthly hazard from 2025-07 to 2027-12:
//! it fires in about 45 % of runs). Its action re-imposes the 24 pp of US
//! tariffs on China suspended at Geneva, which then stay to the horizon.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SCENARIO: &str = "scenarios/london_framework.toml";
const RULE: &str = "framework_collapses";
/// More than one chunk of runs (128), so two threads both get work.
const RUNS: &str = "300";
const SUMMARY_HEADER: &str = "metric,economy,partner,sector,month,mean,sd,p05,p25,p50,p75,p95";

fn tariffsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tariffsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("binary runs")
}

fn ok(args: &[&str]) -> Output {
    let o = tariffsim(args);
    assert!(
        o.status.success(),
        "tariffsim {args:?} failed ({:?}):\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Run the scenario into `out` with `extra` options; the result folder.
fn run(out: &Path, extra: &[&str]) -> PathBuf {
    let o = out.to_str().unwrap();
    let mut args = vec![
        "run",
        SCENARIO,
        "--runs",
        RUNS,
        "--seed",
        "3",
        "--out",
        o,
        "--quiet",
        "--no-charts",
    ];
    args.extend_from_slice(extra);
    ok(&args);
    out.join("london-framework")
}

/// One parsed row of split.csv.
struct Row {
    group: String,
    runs: u64,
    /// metric, economy, partner, sector, month.
    key: [String; 5],
    /// mean, sd, p05, p25, p50, p75, p95.
    stats: [f64; 7],
}

fn split_rows(text: &str) -> Vec<Row> {
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            assert_eq!(f.len(), 14, "{l}");
            Row {
                group: f[0].to_string(),
                runs: f[1].parse().unwrap(),
                key: std::array::from_fn(|k| f[2 + k].to_string()),
                stats: std::array::from_fn(|k| f[7 + k].parse().unwrap()),
            }
        })
        .collect()
}

/// summary.csv rows by key: (mean, row text after the key).
fn summary_rows(text: &str) -> Vec<([String; 5], f64, String)> {
    text.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                std::array::from_fn(|k| f[k].to_string()),
                f[5].parse().unwrap(),
                f[5..].join(","),
            )
        })
        .collect()
}

fn aggregate(s: &str) -> bool {
    s.is_empty() || s == "ALL"
}

#[test]
fn split_by_partitions_the_runs_by_whether_the_rule_fired() {
    let tmp = tempfile::tempdir().unwrap();
    let d = run(
        tmp.path(),
        &["--threads", "1", "--per-run", "--split-by", RULE],
    );
    let text = read(&d.join("split.csv"));
    assert_eq!(
        text.lines().next(),
        Some(format!("group,runs,{SUMMARY_HEADER}").as_str())
    );
    let rows = split_rows(&text);
    let runs_of = |g: &str| -> u64 {
        let r: Vec<u64> = rows
            .iter()
            .filter(|r| r.group == g)
            .map(|r| r.runs)
            .collect();
        assert!(!r.is_empty(), "no {g} rows");
        assert!(r.iter().all(|&n| n == r[0]), "{g}: one run count");
        r[0]
    };
    let (fired, not_fired) = (runs_of("fired"), runs_of("not_fired"));
    assert!(
        rows.iter()
            .all(|r| r.group == "fired" || r.group == "not_fired"),
        "only the two groups"
    );
    assert_eq!(fired + not_fired, 300, "the groups hold every run once");

    // The fired share is the rule's probability of having fired by the horizon.
    let events = read(&d.join("events.csv"));
    let p_horizon: f64 = events
        .lines()
        .rfind(|l| l.starts_with(&format!("{RULE},")))
        .and_then(|l| l.rsplit(',').next())
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (fired as f64 / 300.0 - p_horizon).abs() < 1e-6,
        "fired {fired}/300 vs p_fired_by_month {p_horizon} at the horizon"
    );
    let runs_csv = read(&d.join("runs.csv"));
    let col = runs_csv
        .lines()
        .next()
        .unwrap()
        .split(',')
        .position(|c| c == format!("fired:{RULE}"))
        .unwrap();
    let fired_in_runs_csv = runs_csv
        .lines()
        .skip(1)
        .filter(|l| !l.split(',').nth(col).unwrap().is_empty())
        .count() as u64;
    assert_eq!(fired, fired_in_runs_csv, "runs.csv fired:{RULE} column");
    assert!(
        (10..=290).contains(&fired),
        "the rule fires in some but not all runs ({fired} of 300), so the test compares two groups"
    );

    // The rows are summary.csv's aggregate rows (partner and sector ALL or
    // empty), in its order, for each group; and each group's mean recombines
    // with the other's into summary.csv's mean (the groups partition the runs).
    let summary = summary_rows(&read(&d.join("summary.csv")));
    let wanted: Vec<&([String; 5], f64, String)> = summary
        .iter()
        .filter(|(k, ..)| aggregate(&k[2]) && aggregate(&k[3]))
        .collect();
    assert!(wanted.len() > 100 && wanted.len() < summary.len());
    for g in ["fired", "not_fired"] {
        let keys: Vec<&[String; 5]> = rows
            .iter()
            .filter(|r| r.group == g)
            .map(|r| &r.key)
            .collect();
        let want: Vec<&[String; 5]> = wanted.iter().map(|w| &w.0).collect();
        assert!(
            keys == want,
            "{g}: the rows are summary.csv's aggregate rows"
        );
    }
    let n = wanted.len();
    let (f_rows, nf_rows) = rows.split_at(n);
    for ((f, nf), (key, mean, _)) in f_rows.iter().zip(nf_rows).zip(&wanted) {
        let combined = (fired as f64 * f.stats[0] + not_fired as f64 * nf.stats[0]) / 300.0;
        // CSV numbers carry 7 significant digits.
        let tol = 1e-5 * (f.stats[0].abs() + nf.stats[0].abs() + mean.abs()) + 1e-9;
        assert!(
            (combined - mean).abs() <= tol,
            "{key:?}: group means {} and {} recombine to {combined}, summary.csv says {mean}",
            f.stats[0],
            nf.stats[0]
        );
    }

    // The manifest records the split.
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&d.join("manifest.json"))).unwrap();
    let split = &manifest["split"];
    assert_eq!(split["split_by"], RULE);
    assert_eq!(split["runs_fired"], fired);
    assert_eq!(split["runs_not_fired"], not_fired);
    assert!((split["p_fired"].as_f64().unwrap() - p_horizon).abs() < 1e-6);
}

#[test]
fn the_rules_action_shows_in_the_group_where_it_fired() {
    // framework_collapses re-imposes 24 pp of US tariffs on Chinese goods
    // (12 pp on two sectors): the US effective tariff on all imports at the
    // horizon is higher in every run where it fired than in any where it
    // did not, and China's GDP falls further below its baseline.
    let tmp = tempfile::tempdir().unwrap();
    let d = run(tmp.path(), &["--split-by", RULE]);
    let rows = split_rows(&read(&d.join("split.csv")));
    let end = "2027-12";
    let at = |g: &str, metric: &str, economy: &str, partner: &str| -> [f64; 7] {
        rows.iter()
            .find(|r| {
                r.group == g
                    && r.key[0] == metric
                    && r.key[1] == economy
                    && r.key[2] == partner
                    && r.key[4] == end
            })
            .unwrap_or_else(|| panic!("{g} {metric} {economy} {partner} {end}"))
            .stats
    };
    let (p05, p50, p95) = (2, 4, 6);
    let t_fired = at("fired", "tariff_effective", "US", "ALL");
    let t_not = at("not_fired", "tariff_effective", "US", "ALL");
    assert!(
        t_fired[p05] > t_not[p95] && t_fired[p50] > t_not[p50] + 1.0,
        "US effective tariff, fired {t_fired:?} vs not fired {t_not:?}"
    );
    let g_fired = at("fired", "gdp_dev", "CN", "");
    let g_not = at("not_fired", "gdp_dev", "CN", "");
    assert!(
        g_fired[p50] < g_not[p50],
        "China's GDP vs baseline, fired {g_fired:?} vs not fired {g_not:?}"
    );
}

#[test]
fn split_csv_is_identical_for_any_thread_count_and_sharding() {
    let tmp = tempfile::tempdir().unwrap();
    let p = |s: &str| tmp.path().join(s);
    let one = run(&p("one"), &["--threads", "1", "--split-by", RULE]);
    let two = run(&p("two"), &["--threads", "2", "--split-by", RULE]);
    for (i, threads) in [(0, "2"), (1, "1")] {
        let spec = format!("{i}/2");
        run(
            &p("shards"),
            &["--threads", threads, "--shard", &spec, "--split-by", RULE],
        );
    }
    let shard = |i: u32| p(&format!("shards/london-framework.shard-{i}-of-2"));
    let (s0, s1, merged) = (shard(0), shard(1), p("merged"));
    ok(&[
        "merge",
        s0.to_str().unwrap(),
        s1.to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
        "--no-charts",
        "--quiet",
    ]);
    let merged = merged.join("london-framework");
    let reference = std::fs::read(one.join("split.csv")).unwrap();
    for (what, dir) in [("2 threads", &two), ("2 shards merged", &merged)] {
        for f in ["split.csv", "summary.csv", "final.csv", "events.csv"] {
            assert!(
                std::fs::read(dir.join(f)).unwrap() == std::fs::read(one.join(f)).unwrap(),
                "{f}: {what} differs from 1 thread"
            );
        }
    }
    assert!(reference.len() > 1000);
    // The merged manifest records the whole run's split, as the unsharded one.
    let split = |d: &Path| -> serde_json::Value {
        serde_json::from_str::<serde_json::Value>(&read(&d.join("manifest.json"))).unwrap()["split"]
            .clone()
    };
    assert_eq!(split(&merged), split(&one));
    assert_eq!(split(&one)["split_by"], RULE);
}

#[test]
fn merge_refuses_shards_split_by_different_rules() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("shards");
    let o = out.to_str().unwrap();
    let base = [
        "run", SCENARIO, "--runs", "8", "--months", "6", "--seed", "1", "--out", o, "--quiet",
    ];
    for (spec, split) in [("0/2", Some(RULE)), ("1/2", None)] {
        let mut args = base.to_vec();
        args.extend(["--shard", spec]);
        if let Some(r) = split {
            args.extend(["--split-by", r]);
        }
        ok(&args);
    }
    let s0 = out.join("london-framework.shard-0-of-2");
    let s1 = out.join("london-framework.shard-1-of-2");
    let merged = tmp.path().join("merged");
    let m = tariffsim(&[
        "merge",
        s0.to_str().unwrap(),
        s1.to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(m.status.code(), Some(2));
    let err = String::from_utf8_lossy(&m.stderr);
    assert!(
        err.contains("split_by") && err.contains(RULE) && err.contains("--split-by"),
        "{err}"
    );
    assert!(!merged.join("london-framework").exists(), "nothing merged");
}

#[test]
fn an_unknown_split_rule_is_a_usage_error_listing_the_rule_ids() {
    let tmp = tempfile::tempdir().unwrap();
    let o = tmp.path().to_str().unwrap();
    let e = tariffsim(&[
        "run",
        SCENARIO,
        "--runs",
        "5",
        "--out",
        o,
        "--split-by",
        "no_such_rule",
    ]);
    assert_eq!(e.status.code(), Some(2));
    let err = String::from_utf8_lossy(&e.stderr);
    assert!(err.contains("--split-by no_such_rule"), "{err}");
    for id in [
        "busan_general_licences",
        "cn_matches_us",
        "framework_collapses",
        "framework_ratified",
        "us_matches_cn",
    ] {
        assert!(err.contains(id), "the message lists {id}: {err}");
    }
    // A near miss gets a suggestion too.
    let e = tariffsim(&[
        "run",
        SCENARIO,
        "--runs",
        "5",
        "--out",
        o,
        "--split-by",
        "framework_colapses",
    ]);
    assert_eq!(e.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&e.stderr).contains("did you mean `framework_collapses`?"));
    // A scenario without rules says so.
    let e = tariffsim(&[
        "run",
        "scenarios/baseline.toml",
        "--runs",
        "5",
        "--out",
        o,
        "--split-by",
        "anything",
    ]);
    assert_eq!(e.status.code(), Some(2));
    let err = String::from_utf8_lossy(&e.stderr);
    assert!(
        err.contains("--split-by anything") && err.contains("no rules"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

#[test]
fn without_split_by_no_split_file_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let o = tmp.path().to_str().unwrap();
    ok(&[
        "run",
        SCENARIO,
        "--runs",
        "20",
        "--months",
        "12",
        "--out",
        o,
        "--quiet",
        "--no-charts",
    ]);
    let d = tmp.path().join("london-framework");
    assert!(d.join("summary.csv").exists());
    assert!(!d.join("split.csv").exists());
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&d.join("manifest.json"))).unwrap();
    assert!(manifest.get("split").is_none(), "no split in the manifest");
}

#[test]
fn a_rule_that_cannot_fire_leaves_one_group_and_a_warning() {
    // framework_collapses can fire from 2025-07 on: in a 3-month horizon it
    // never does, so there is nothing to compare.
    let tmp = tempfile::tempdir().unwrap();
    let o = tmp.path().to_str().unwrap();
    let out = ok(&[
        "run",
        SCENARIO,
        "--runs",
        "20",
        "--months",
        "3",
        "--out",
        o,
        "--quiet",
        "--split-by",
        RULE,
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning") && err.contains("fired in 0 of 20 runs"),
        "{err}"
    );
    assert_eq!(err.lines().filter(|l| l.contains("warning")).count(), 1);
    let d = tmp.path().join("london-framework");
    let rows = split_rows(&read(&d.join("split.csv")));
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r.group == "not_fired" && r.runs == 20));
    let charts = std::fs::read_dir(d.join("charts")).unwrap();
    assert!(
        charts
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .all(|c| !c.starts_with("split_")),
        "no split chart without two groups"
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&d.join("manifest.json"))).unwrap();
    assert_eq!(manifest["split"]["runs_fired"], 0);
    assert_eq!(manifest["split"]["p_fired"], 0.0);
}

/// The split chart is drawn and the report says the two World medians.
#[test]
fn the_split_chart_and_its_report_caption_are_written() {
    let tmp = tempfile::tempdir().unwrap();
    let o = tmp.path().to_str().unwrap();
    ok(&[
        "run",
        SCENARIO,
        "--runs",
        "60",
        "--months",
        "24",
        "--seed",
        "2",
        "--out",
        o,
        "--quiet",
        "--split-by",
        RULE,
    ]);
    let d = tmp.path().join("london-framework");
    let name = format!("split_{RULE}");
    for ext in ["png", "svg"] {
        assert!(
            d.join(format!("charts/{name}.{ext}")).exists(),
            "{name}.{ext}"
        );
    }
    let svg = read(&d.join(format!("charts/{name}.svg")));
    assert!(
        svg.contains(&format!("runs where {RULE} fired (")),
        "legend"
    );
    assert!(svg.contains("runs where it did not ("), "legend");
    let html = read(&d.join("report.html"));
    assert!(html.contains(&format!("<figure id=\"{name}\">")));
    assert!(
        html.contains("World GDP is") && html.contains(&format!("in the runs where {RULE} fired")),
        "caption"
    );
}
